/* UEFI test helpers (uefi_test_util.h). */
#include "uefi_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psa/protected_storage.h>

static char state_template[] = "/tmp/uefi-test.XXXXXX";

const char *utu_state_dir(void)
{
    if (mkdtemp(state_template) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    setenv("PSA_STATE_DIR", state_template, 1);
    return state_template;
}

void utu_wipe(size_t max_variables)
{
    psa_ps_remove(VAR_INDEX_UID_A);
    psa_ps_remove(VAR_INDEX_UID_B);
    for (uint64_t uid = 1; uid <= max_variables + 1; uid++) {
        psa_ps_remove(uid);
    }
}

mm_return_t utu_call(void *ctx, uint8_t *buffer, size_t size)
{
    smm_caller_t caller = {.uid = UTU_CALLER_UID, .pid = 0};
    return smm_serve(ctx, &caller, buffer, size);
}

psa_status_t utu_open(utu_gateway_t *u, const smm_gateway_config_t *config)
{
    smm_gateway_config_t defaults;
    memset(&defaults, 0, sizeof(defaults));
    psa_status_t status = smm_gateway_open(config != NULL ? config : &defaults, &u->gw);
    u->client.call = utu_call;
    u->client.ctx = u->gw;
    u->client.buffer = u->buffer;
    u->client.size = sizeof(u->buffer);
    return status;
}

void utu_close(utu_gateway_t *u)
{
    smm_gateway_close(u->gw);
    u->gw = NULL;
}

const uint8_t *utu_name(const char *ascii, size_t *size)
{
    static uint8_t names[4][2048];
    static int next;
    uint8_t *n = names[next++ % 4];
    size_t len = strlen(ascii);
    memset(n, 0, 2 * len + 2);
    for (size_t i = 0; i < len; i++) {
        n[2 * i] = (uint8_t)ascii[i];
    }
    *size = 2 * len + 2;
    return n;
}
