/* The RSS comms client library (comms/rss_client.h) against rssd: calls both ways, ASSERT_CLIENT.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/wait.h>
#include <unistd.h>

#include <psa/internal_trusted_storage.h>

#include "client/client_call.h"
#include "comms/rss_client.h"
#include "comms/rss_msg.h"
#include "base/wire.h"
#include "rssd_harness.h"

/* This process is a forwarder; UID_PLAIN is an ordinary client. */
#define UID_PLAIN   65534
#define ASSERTED_ID (-0x20001)
#define OBJECT_UID  0x7e57
#define BIG_LEN     (2 * RSS_MSG_DEFAULT_EMBED_LIMIT) /* travels by pointer access */
#define ITS_SET     1001
#define ITS_GET     1002

static rssd_instance_t rssd;

static psa_status_t its_set(rss_client_t *c, const uint8_t *data, size_t len)
{
    uint8_t uid_le[8], flags_le[4] = {0};
    wire_store_u64(uid_le, OBJECT_UID);
    psa_invec in[3] = {{uid_le, 8}, {data, len}, {flags_le, 4}};
    bool stale = false;
    return rss_client_call(c, RSS_HANDLE_ITS, ITS_SET, in, 3, NULL, 0, &stale);
}

static psa_status_t its_get(rss_client_t *c, uint8_t *data, size_t size, size_t *len)
{
    uint8_t uid_le[8], offset_le[4] = {0};
    wire_store_u64(uid_le, OBJECT_UID);
    psa_invec in[2] = {{uid_le, 8}, {offset_le, 4}};
    psa_outvec out[1] = {{data, size}};
    bool stale = false;
    psa_status_t status = rss_client_call(c, RSS_HANDLE_ITS, ITS_GET, in, 2, out, 1, &stale);
    *len = out[0].len;
    return status;
}

static int setup(void **state)
{
    (void)state;
    char policy[64];
    snprintf(policy, sizeof(policy), "uid %u forwarder\n", (unsigned)getuid());
    return rssd_start(&rssd, policy, NULL) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    client_disconnect_all();
    int status = rssd_stop(&rssd);
    rssd_cleanup(&rssd);
    return status == 0 ? 0 : -1;
}

/* Embed and pointer-access calls, and a forwarder's calls landing in the asserted client's
 * namespace, not its own (which libpsa's pool, on the same library, then shows). */
static void test_calls_and_assert(void **state)
{
    (void)state;
    static uint8_t big[BIG_LEN], back[BIG_LEN];
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i * 7 + 1);
    }
    rss_client_t *c = NULL;
    assert_int_equal(rss_client_open(rssd.socket, RSS_MSG_DEFAULT_EMBED_LIMIT, &c), PSA_SUCCESS);
    assert_int_equal(rss_client_assert_client(c, ASSERTED_ID), PSA_SUCCESS);
    assert_int_equal(its_set(c, big, sizeof(big)), PSA_SUCCESS);
    size_t len = 0;
    assert_int_equal(its_get(c, back, sizeof(back), &len), PSA_SUCCESS);
    assert_int_equal(len, sizeof(big));
    assert_memory_equal(back, big, sizeof(big));
    assert_int_equal(its_get(c, back, 16, &len), PSA_SUCCESS); /* embed */
    assert_int_equal(len, 16);
    assert_memory_equal(back, big, 16);

    /* Its own namespace holds no such object, through this client or through libpsa. */
    assert_int_equal(rss_client_assert_client(c, 0), PSA_SUCCESS);
    assert_int_equal(its_get(c, back, 16, &len), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(psa_its_get(OBJECT_UID, 0, 16, back, &len), PSA_ERROR_DOES_NOT_EXIST);
    /* Positive ids are the secure side's. */
    assert_int_equal(rss_client_assert_client(c, 5), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(rss_client_assert_client(c, ASSERTED_ID), PSA_SUCCESS);
    assert_int_equal(its_get(c, back, 16, &len), PSA_SUCCESS);
    assert_memory_equal(back, big, 16);
    rss_client_close(c);
}

/* A peer the policy does not make a forwarder may not assert. */
static void test_not_forwarder(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        skip(); /* needs a second uid */
    }
    pid_t child = fork();
    if (child == 0) {
        rss_client_t *c = NULL;
        if (setuid(UID_PLAIN) != 0 ||
            rss_client_open(rssd.socket, RSS_MSG_DEFAULT_EMBED_LIMIT, &c) != PSA_SUCCESS) {
            _exit(2);
        }
        psa_status_t status = rss_client_assert_client(c, ASSERTED_ID);
        rss_client_close(c);
        _exit(status == PSA_ERROR_NOT_PERMITTED ? 0 : 1);
    }
    int status = -1;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* Bad arguments are refused before any connection is used. */
static void test_check(void **state)
{
    (void)state;
    psa_invec in[5] = {{NULL, 0}};
    psa_outvec out[1] = {{NULL, 4}};
    assert_int_equal(rss_client_check(0, in, 5, NULL, 0), PSA_ERROR_PROGRAMMER_ERROR);
    assert_int_equal(rss_client_check(-1, NULL, 0, NULL, 0), PSA_ERROR_PROGRAMMER_ERROR);
    assert_int_equal(rss_client_check(0, NULL, 0, out, 1), PSA_ERROR_PROGRAMMER_ERROR);
    assert_int_equal(rss_client_check(0, in, 1, NULL, 0), PSA_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calls_and_assert),
        cmocka_unit_test(test_not_forwarder),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
