/* Unit tests of rssd's policy file parser: roles, defaults, later rules winning, exact errors. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "daemon/identity.h"

static psa_status_t parse(const char *text, daemon_policy_t **policy, unsigned *line)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(f);
    *policy = NULL;
    psa_status_t status = daemon_policy_read(f, policy, line);
    fclose(f);
    return status;
}

static void test_roles_and_defaults(void **state)
{
    (void)state;
    daemon_policy_t *p = NULL;
    unsigned line = 99;
    assert_int_equal(parse("# comment only\n\n"
                           "uid 0 client   # root\n"
                           "uid root forwarder\n" /* a name; later rules for a uid win */
                           "uid 1234 refused\n"
                           "\tuid 77\tforwarder\r\n",
                           &p, &line),
                     PSA_SUCCESS);
    assert_int_equal(line, 0);
    assert_int_equal(daemon_policy_role(p, 0), DAEMON_ROLE_FORWARDER);
    assert_int_equal(daemon_policy_role(p, 1234), DAEMON_ROLE_REFUSED);
    assert_int_equal(daemon_policy_role(p, 77), DAEMON_ROLE_FORWARDER);
    assert_int_equal(daemon_policy_role(p, 5), DAEMON_ROLE_CLIENT);
    daemon_policy_free(p);

    assert_int_equal(parse("default refused\nuid 5 client\n", &p, &line), PSA_SUCCESS);
    assert_int_equal(daemon_policy_role(p, 5), DAEMON_ROLE_CLIENT);
    assert_int_equal(daemon_policy_role(p, 6), DAEMON_ROLE_REFUSED);
    daemon_policy_free(p);

    /* No file: the built-in policy makes everyone a client. */
    assert_int_equal(daemon_policy_load(NULL, &p, &line), PSA_SUCCESS);
    assert_int_equal(daemon_policy_role(p, 4242), DAEMON_ROLE_CLIENT);
    daemon_policy_free(p);
}

static void test_errors_name_their_line(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        unsigned line;
    } cases[] = {
        {"uid 5 wizard\n", 1},
        {"uid 1 client\n\nuid 2\n", 3},           /* missing role */
        {"uid 1 client extra\n", 1},              /* trailing word */
        {"default forwarder\n", 1},               /* a default can only be client or refused */
        {"user 1 client\n", 1},                   /* unknown keyword */
        {"uid -3 client\n", 1},                   /* not a uid */
        {"uid 99999999999999999999 client\n", 1}, /* out of range */
        {"uid no-such-user-here client\n", 1},    /* unknown user name */
        {"# fine\nuid 4294967295 client\n", 2},   /* (uid_t)-1 is no uid */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        daemon_policy_t *p = NULL;
        unsigned line = 0;
        assert_int_equal(parse(cases[i].text, &p, &line), PSA_ERROR_INVALID_ARGUMENT);
        assert_int_equal(line, cases[i].line);
        assert_null(p);
    }
    daemon_policy_t *p = NULL;
    unsigned line = 7;
    assert_int_equal(daemon_policy_load("/nonexistent/rssd-policy", &p, &line),
                     PSA_ERROR_STORAGE_FAILURE);
    assert_int_equal(line, 0);
    assert_null(p);
}

static psa_status_t parse_explained(const char *text, daemon_policy_t **policy,
                                    daemon_policy_error_t *error)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(f);
    *policy = NULL;
    psa_status_t status = daemon_policy_read_explained(f, policy, error);
    fclose(f);
    return status;
}

/* The sentence of each error names the word at fault (rssd logs it with the file and line). */
static void test_errors_name_their_word(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        unsigned line;
        const char *sentence;
    } cases[] = {
        {"uid 5 wizard\n", 1, "unknown role \"wizard\" (client, forwarder or refused)"},
        {"uid 1 client\n\nuid 2\n", 3,
         "\"uid\" takes a uid or user name and a role (client, forwarder, refused)"},
        {"uid 1 client extra\n", 1, "unexpected \"extra\" after the role"},
        {"default forwarder\n", 1, "\"default\" takes client or refused, not \"forwarder\""},
        {"default\n", 1, "\"default\" takes client or refused"},
        {"default client refused\n", 1, "unexpected \"refused\" after the role"},
        {"user 1 client\n", 1, "unknown rule \"user\" (lines start with \"uid\" or \"default\")"},
        {"uid 99999999999999999999 client\n", 1, "\"99999999999999999999\" is not a uid"},
        {"uid no-such-user-here client\n", 1,
         "\"no-such-user-here\" is neither a uid nor the name of a user"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        daemon_policy_t *p = NULL;
        daemon_policy_error_t error;
        assert_int_equal(parse_explained(cases[i].text, &p, &error), PSA_ERROR_INVALID_ARGUMENT);
        assert_int_equal(error.line, cases[i].line);
        assert_string_equal(error.text, cases[i].sentence);
        assert_null(p);
    }
    daemon_policy_t *p = NULL;
    daemon_policy_error_t error;
    assert_int_equal(daemon_policy_load_explained("/nonexistent/rssd-policy", &p, &error),
                     PSA_ERROR_STORAGE_FAILURE);
    assert_int_equal(error.line, 0);
    assert_string_equal(error.text, "cannot read it: No such file or directory");
    assert_null(p);
}

typedef struct change_log {
    unsigned count;
    uid_t uid[8];
    daemon_role_t before[8], after[8];
} change_log_t;

static void note_change(uid_t uid, daemon_role_t before, daemon_role_t after, void *ctx)
{
    change_log_t *log = ctx;
    assert_true(log->count < 8);
    log->uid[log->count] = uid;
    log->before[log->count] = before;
    log->after[log->count] = after;
    log->count++;
}

/* SIGHUP's two steps: the live policy takes the new rules in place (the object the server holds
 * stays the same), and the diff names exactly the uids whose role changed. */
static void test_replace_and_diff(void **state)
{
    (void)state;
    daemon_policy_t *live = NULL, *fresh = NULL;
    daemon_policy_error_t error;
    assert_int_equal(
        parse_explained("uid 10 client\nuid 11 refused\nuid 12 forwarder\n", &live, &error),
        PSA_SUCCESS);
    assert_int_equal(parse_explained("default refused\nuid 10 client\nuid 11 client\n"
                                     "uid 13 forwarder\n",
                                     &fresh, &error),
                     PSA_SUCCESS);
    daemon_policy_replace(live, fresh);
    /* live now answers with the new rules, fresh with the old ones. */
    assert_int_equal(daemon_policy_role(live, 11), DAEMON_ROLE_CLIENT);
    assert_int_equal(daemon_policy_role(live, 12), DAEMON_ROLE_REFUSED);
    assert_int_equal(daemon_policy_role(live, 99), DAEMON_ROLE_REFUSED);
    assert_int_equal(daemon_policy_role(fresh, 11), DAEMON_ROLE_REFUSED);
    assert_int_equal(daemon_policy_role(fresh, 99), DAEMON_ROLE_CLIENT);

    change_log_t log = {0};
    bool default_changed = false;
    daemon_policy_diff(fresh, live, note_change, &log, &default_changed);
    assert_true(default_changed);
    /* 10 is unchanged; 11 refused -> client; 12 forwarder -> refused (by the new default);
     * 13 client (old default) -> forwarder. Each once, the old policy's uids first. */
    assert_int_equal(log.count, 3);
    assert_int_equal(log.uid[0], 11);
    assert_int_equal(log.before[0], DAEMON_ROLE_REFUSED);
    assert_int_equal(log.after[0], DAEMON_ROLE_CLIENT);
    assert_int_equal(log.uid[1], 12);
    assert_int_equal(log.before[1], DAEMON_ROLE_FORWARDER);
    assert_int_equal(log.after[1], DAEMON_ROLE_REFUSED);
    assert_int_equal(log.uid[2], 13);
    assert_int_equal(log.before[2], DAEMON_ROLE_CLIENT);
    assert_int_equal(log.after[2], DAEMON_ROLE_FORWARDER);

    /* The same policy against itself: nothing changed. */
    change_log_t none = {0};
    daemon_policy_diff(live, live, note_change, &none, &default_changed);
    assert_int_equal(none.count, 0);
    assert_false(default_changed);
    assert_string_equal(daemon_role_name(DAEMON_ROLE_FORWARDER), "forwarder");
    daemon_policy_free(fresh);
    daemon_policy_free(live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_defaults),
        cmocka_unit_test(test_errors_name_their_line),
        cmocka_unit_test(test_errors_name_their_word),
        cmocka_unit_test(test_replace_and_diff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
