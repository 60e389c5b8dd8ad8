/* libFuzzer harness for rssd's policy file parser (a file on disk read at start-up). */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "daemon/identity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    FILE *f = fmemopen((void *)data, size, "r");
    if (f == NULL) {
        return 0;
    }
    daemon_policy_t *policy = NULL;
    unsigned line = 0;
    psa_status_t status = daemon_policy_read(f, &policy, &line);
    fclose(f);
    if (status == PSA_SUCCESS) {
        /* A parsed policy answers for any uid with one of the three roles. */
        daemon_role_t role = daemon_policy_role(policy, 12345);
        if (role != DAEMON_ROLE_CLIENT && role != DAEMON_ROLE_FORWARDER &&
            role != DAEMON_ROLE_REFUSED) {
            __builtin_trap();
        }
        daemon_policy_free(policy);
    } else if (policy != NULL || (status == PSA_ERROR_INVALID_ARGUMENT && line == 0)) {
        __builtin_trap(); /* an error leaves no policy and names its line */
    }
    return 0;
}
