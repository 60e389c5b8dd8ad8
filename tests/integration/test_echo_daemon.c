/* The toy echo daemon on the daemon core: identities, sessions and their release, a refused peer.
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

#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "comms/transport.h"

/* This process is a forwarder; UID_REFUSED is refused; every uid's client id is -(0x10000+uid). */
#define UID_REFUSED 65534

static char dir[] = "/tmp/echo-daemon.XXXXXX";
static char socket_path[64];
static pid_t daemon_pid = -1;

/* One request, one reply (NUL-terminated). */
static void call(rss_transport_t *t, const char *request, char *reply, size_t size)
{
    size_t n = 0;
    assert_int_equal(rss_transport_send(t, (const uint8_t *)request, strlen(request), -1),
                     PSA_SUCCESS);
    assert_int_equal(rss_transport_recv(t, (uint8_t *)reply, size - 1, &n), PSA_SUCCESS);
    reply[n] = '\0';
}

static void echo(rss_transport_t *t, int32_t *client_id, uint64_t *session, unsigned *count)
{
    char reply[256];
    call(t, "hello", reply, sizeof(reply));
    assert_int_equal(sscanf(reply, "%" SCNd32 " %" SCNu64 " %u hello", client_id, session, count),
                     3);
}

static int start_daemon(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0) { /* the refused uid must reach it */
        return -1;
    }
    char policy[64];
    snprintf(socket_path, sizeof(socket_path), "%s/echo.sock", dir);
    snprintf(policy, sizeof(policy), "%s/policy", dir);
    FILE *f = fopen(policy, "w");
    if (f == NULL ||
        fprintf(f, "uid %u forwarder\nuid %u refused\n", (unsigned)getuid(),
                (unsigned)UID_REFUSED) < 0 ||
        fclose(f) != 0) {
        return -1;
    }
    int ready[2];
    if (pipe(ready) != 0) {
        return -1;
    }
    daemon_pid = fork();
    if (daemon_pid == 0) {
        if (dup2(ready[1], STDOUT_FILENO) < 0) {
            _exit(127);
        }
        execl(ECHO_DAEMON_PATH, "echo_daemon", socket_path, policy, (char *)NULL);
        _exit(127);
    }
    close(ready[1]);
    /* "ready" once it listens, end of file if it died first: no deadline either way. */
    char line[8] = {0};
    ssize_t n = read(ready[0], line, sizeof(line) - 1);
    close(ready[0]);
    return n > 0 && strcmp(line, "ready\n") == 0 ? 0 : -1;
}

static int stop_daemon(void **state)
{
    (void)state;
    int status = -1;
    kill(daemon_pid, SIGTERM);
    waitpid(daemon_pid, &status, 0);
    unlink(socket_path);
    char policy[64];
    snprintf(policy, sizeof(policy), "%s/policy", dir);
    unlink(policy);
    rmdir(dir);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static bool released(rss_transport_t *t, uint64_t session)
{
    char reply[4096], *save = NULL;
    call(t, "released", reply, sizeof(reply));
    for (char *w = strtok_r(reply, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
        if (strcmp(w, "released") != 0 && strtoull(w, NULL, 10) == session) {
            return true;
        }
    }
    return false;
}

/* Two connections of this process share its session; another process (same uid, same client
 * id) has its own, released once it exits. */
static void test_two_clients_and_release(void **state)
{
    (void)state;
    rss_transport_t a1, a2;
    assert_int_equal(rss_unix_connect(socket_path, &a1), PSA_SUCCESS);
    assert_int_equal(rss_unix_connect(socket_path, &a2), PSA_SUCCESS);
    int32_t id1, id2;
    uint64_t s1, s2;
    unsigned c1, c2;
    echo(&a1, &id1, &s1, &c1);
    echo(&a1, &id1, &s1, &c1);
    echo(&a2, &id2, &s2, &c2);
    assert_int_equal(id1, -(int32_t)(0x10000 + getuid()));
    assert_int_equal(id2, id1);
    assert_true(s1 == s2);   /* one process, one session */
    assert_int_equal(c1, 2); /* per-connection state */
    assert_int_equal(c2, 1);

    int report[2];
    assert_int_equal(pipe(report), 0);
    pid_t child = fork();
    if (child == 0) {
        rss_transport_t b;
        int32_t id = 0;
        uint64_t s = 0;
        unsigned c = 0;
        if (rss_unix_connect(socket_path, &b) != PSA_SUCCESS) {
            _exit(1);
        }
        echo(&b, &id, &s, &c);
        _exit(write(report[1], &s, sizeof(s)) == sizeof(s) && id == id1 ? 0 : 1);
    }
    close(report[1]);
    uint64_t sb = 0;
    assert_int_equal(read(report[0], &sb, sizeof(sb)), sizeof(sb));
    close(report[0]);
    int status = -1;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(sb != s1);

    /* The child's exit closed its connection; the core releases its session when it sees the
     * hang-up. Wait for that (a condition, not a time limit). */
    while (!released(&a1, sb)) {
        nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    }
    assert_false(released(&a2, s1)); /* this process still holds its session */
    rss_transport_close(&a1);
    rss_transport_close(&a2);
}

/* A forwarder speaks for a client it serves, in a session of its own for that client. */
static void test_forwarder_asserts(void **state)
{
    (void)state;
    rss_transport_t t;
    char reply[256];
    assert_int_equal(rss_unix_connect(socket_path, &t), PSA_SUCCESS);
    int32_t own_id, id;
    uint64_t own, s;
    unsigned c;
    echo(&t, &own_id, &own, &c);
    call(&t, "assert -5", reply, sizeof(reply));
    assert_string_equal(reply, "assert 0");
    echo(&t, &id, &s, &c);
    assert_int_equal(id, -5);
    assert_true(s != own);
    call(&t, "assert 5", reply, sizeof(reply)); /* positive ids are the secure side's */
    assert_string_equal(reply, "assert -135");  /* PSA_ERROR_INVALID_ARGUMENT */
    call(&t, "assert 0", reply, sizeof(reply));
    echo(&t, &id, &s, &c);
    assert_int_equal(id, own_id);
    assert_true(s == own);
    rss_transport_close(&t);
}

/* A peer the policy refuses is answered, but nothing it asks is done. */
static void test_refused_peer(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        skip(); /* needs a second uid */
    }
    pid_t child = fork();
    if (child == 0) {
        rss_transport_t t;
        char reply[64] = {0};
        size_t n = 0;
        if (setuid(UID_REFUSED) != 0 || rss_unix_connect(socket_path, &t) != PSA_SUCCESS ||
            rss_transport_send(&t, (const uint8_t *)"assert -5", 9, -1) != PSA_SUCCESS ||
            rss_transport_recv(&t, (uint8_t *)reply, sizeof(reply) - 1, &n) != PSA_SUCCESS) {
            _exit(2);
        }
        _exit(strcmp(reply, "refused") == 0 ? 0 : 1);
    }
    int status = -1;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_clients_and_release),
        cmocka_unit_test(test_forwarder_asserts),
        cmocka_unit_test(test_refused_peer),
    };
    return cmocka_run_group_tests(tests, start_daemon, stop_daemon);
}
