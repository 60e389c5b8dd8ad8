/* Unit tests of rssd's policy file parser: roles, defaults, later rules winning, exact errors. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "enclave/identity.h"

static psa_status_t parse(const char *text, enclave_policy_t **policy, unsigned *line)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(f);
    *policy = NULL;
    psa_status_t status = enclave_policy_read(f, policy, line);
    fclose(f);
    return status;
}

static void test_roles_and_defaults(void **state)
{
    (void)state;
    enclave_policy_t *p = NULL;
    unsigned line = 99;
    assert_int_equal(parse("# comment only\n\n"
                           "uid 0 client   # root\n"
                           "uid root forwarder\n" /* a name; later rules for a uid win */
                           "uid 1234 refused\n"
                           "\tuid 77\tforwarder\r\n",
                           &p, &line),
                     PSA_SUCCESS);
    assert_int_equal(line, 0);
    assert_int_equal(enclave_policy_role(p, 0), ENCLAVE_ROLE_FORWARDER);
    assert_int_equal(enclave_policy_role(p, 1234), ENCLAVE_ROLE_REFUSED);
    assert_int_equal(enclave_policy_role(p, 77), ENCLAVE_ROLE_FORWARDER);
    assert_int_equal(enclave_policy_role(p, 5), ENCLAVE_ROLE_CLIENT);
    enclave_policy_free(p);

    assert_int_equal(parse("default refused\nuid 5 client\n", &p, &line), PSA_SUCCESS);
    assert_int_equal(enclave_policy_role(p, 5), ENCLAVE_ROLE_CLIENT);
    assert_int_equal(enclave_policy_role(p, 6), ENCLAVE_ROLE_REFUSED);
    enclave_policy_free(p);

    /* No file: the built-in policy makes everyone a client. */
    assert_int_equal(enclave_policy_load(NULL, &p, &line), PSA_SUCCESS);
    assert_int_equal(enclave_policy_role(p, 4242), ENCLAVE_ROLE_CLIENT);
    enclave_policy_free(p);
}

static void test_errors_name_their_line(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        unsigned line;
    } cases[] = {
        {"uid 5 wizard\n", 1},
        {"uid 1 client\n\nuid 2\n", 3},                 /* missing role */
        {"uid 1 client extra\n", 1},                    /* trailing word */
        {"default forwarder\n", 1},                     /* a default can only be client or refused */
        {"user 1 client\n", 1},                         /* unknown keyword */
        {"uid -3 client\n", 1},                         /* not a uid */
        {"uid 99999999999999999999 client\n", 1},       /* out of range */
        {"uid no-such-user-here client\n", 1},          /* unknown user name */
        {"# fine\nuid 4294967295 client\n", 2},         /* (uid_t)-1 is no uid */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enclave_policy_t *p = NULL;
        unsigned line = 0;
        assert_int_equal(parse(cases[i].text, &p, &line), PSA_ERROR_INVALID_ARGUMENT);
        assert_int_equal(line, cases[i].line);
        assert_null(p);
    }
    enclave_policy_t *p = NULL;
    unsigned line = 7;
    assert_int_equal(enclave_policy_load("/nonexistent/rssd-policy", &p, &line),
                     PSA_ERROR_STORAGE_FAILURE);
    assert_int_equal(line, 0);
    assert_null(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_defaults),
        cmocka_unit_test(test_errors_name_their_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
