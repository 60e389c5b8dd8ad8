/* parsecd's transport on the daemon core: Parsec's framing over a stream socket (whole, and one
 * byte at a time), one request per connection, the read-error header, a stalled client that
 * blocks nobody, max_connections, the request timeout, a clean SIGTERM stop. Runs under
 * with_rssd.sh; argv[1] is parsecd. (The operations are the Rust client's: parsec_conformance.) */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* Byte vectors of the reference sheet (as tests/unit/test_parsec.c): Ping and its answer, and
 * the read-error header for a bad magic number (InvalidHeader, 17). */
static const uint8_t ping_request[36] = {0x10, 0xa7, 0xc0, 0x5e, 0x1e, 0x00, 0x01, 0x00, 0x00,
                                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                         0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
static const uint8_t ping_response[38] = {
    0x10, 0xa7, 0xc0, 0x5e, 0x1e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01};
static const uint8_t invalid_header_response[36] = {
    0x10, 0xa7, 0xc0, 0x5e, 0x1e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00};

#define MAX_CONNECTIONS 4

static const char *parsecd;
static char dir[] = "/tmp/test-parsecd-XXXXXX";

typedef struct instance {
    char sock[100];
    pid_t pid;
} instance_t;

/* A parsecd with its own socket, key store and [listener] timeout. */
static instance_t patient, hasty;

static void start(instance_t *in, const char *name, unsigned timeout_ms)
{
    char config[140];
    snprintf(in->sock, sizeof(in->sock), "%s/%s.sock", dir, name);
    snprintf(config, sizeof(config), "%s/%s.toml", dir, name);
    FILE *f = fopen(config, "w");
    assert_non_null(f);
    fprintf(f,
            "[core_settings]\nallow_root = true\nthread_pool_size = 2\nmax_connections = %d\n"
            "max_connections_per_uid = %d\n"
            "[listener]\nlistener_type = \"DomainSocket\"\ntimeout = %u\n"
            "[authenticator]\nauth_type = \"UnixPeerCredentials\"\n"
            "[[key_manager]]\nname = \"sqlite-manager\"\nmanager_type = \"SQLite\"\n"
            "sqlite_db_path = \"%s/%s.sqlite3\"\n"
            "[[provider]]\nprovider_type = \"TrustedService\"\n"
            "key_info_manager = \"sqlite-manager\"\n",
            MAX_CONNECTIONS, MAX_CONNECTIONS, timeout_ms, dir, name);
    fclose(f);
    in->pid = fork();
    assert_true(in->pid >= 0);
    if (in->pid == 0) {
        execl(parsecd, parsecd, "--socket", in->sock, "--config", config, "--foreground",
              (char *)NULL);
        _exit(127);
    }
    /* No deadline: up when its socket exists, failed when it exits. */
    struct stat st;
    while (stat(in->sock, &st) != 0) {
        assert_int_equal(waitpid(in->pid, NULL, WNOHANG), 0);
        usleep(10000);
    }
}

static void stop(instance_t *in)
{
    int status;
    kill(in->pid, SIGTERM);
    assert_int_equal(waitpid(in->pid, &status, 0), in->pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static int dial(const instance_t *in)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", in->sock);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    return fd;
}

/* Everything the server sends until it closes; the byte count. A server that closes with bytes
 * of ours unread (a read error, a refused connection: Parsec never reads the rest) ends the
 * stream with ECONNRESET after its data instead of a plain end. */
static size_t read_to_end(int fd, uint8_t *buf, size_t size)
{
    size_t got = 0;
    for (;;) {
        ssize_t n = recv(fd, buf + got, size - got, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            return got;
        }
        assert_true(n > 0);
        got += (size_t)n;
        assert_true(got < size);
    }
}

static void expect_ping(int fd)
{
    uint8_t buf[128];
    assert_int_equal(read_to_end(fd, buf, sizeof(buf)), sizeof(ping_response));
    assert_memory_equal(buf, ping_response, sizeof(ping_response));
}

/* Whole request: the answer, then the connection is closed (one request per connection). */
static void test_ping(void **state)
{
    (void)state;
    int fd = dial(&patient);
    assert_int_equal(send(fd, ping_request, sizeof(ping_request), MSG_NOSIGNAL), 36);
    expect_ping(fd);
    close(fd);
}

/* The same request one byte per write: framed across reads. */
static void test_byte_by_byte(void **state)
{
    (void)state;
    int fd = dial(&patient);
    for (size_t i = 0; i < sizeof(ping_request); i++) {
        assert_int_equal(send(fd, ping_request + i, 1, MSG_NOSIGNAL), 1);
        usleep(1000);
    }
    expect_ping(fd);
    close(fd);
}

/* A bad magic number: the 36-byte read-error header and the end, the rest never read. */
static void test_read_error(void **state)
{
    (void)state;
    uint8_t bad[36];
    memcpy(bad, ping_request, sizeof(bad));
    bad[0] ^= 0xff;
    int fd = dial(&patient);
    assert_int_equal(send(fd, bad, sizeof(bad), MSG_NOSIGNAL), 36);
    uint8_t buf[128];
    assert_int_equal(read_to_end(fd, buf, sizeof(buf)), sizeof(invalid_header_response));
    assert_memory_equal(buf, invalid_header_response, sizeof(invalid_header_response));
    close(fd);
}

static bool still_open(int fd)
{
    uint8_t b;
    ssize_t n = recv(fd, &b, 1, MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* A client that sends half a header and stops holds only its own connection: other clients are
 * served meanwhile (the timeout is ten minutes, far beyond this test). */
static void test_stalled_client_blocks_nobody(void **state)
{
    (void)state;
    int stalled[2];
    for (int i = 0; i < 2; i++) { /* one per worker */
        stalled[i] = dial(&patient);
        assert_int_equal(send(stalled[i], ping_request, 5, MSG_NOSIGNAL), 5);
    }
    for (int i = 0; i < 3; i++) {
        int fd = dial(&patient);
        assert_int_equal(send(fd, ping_request, sizeof(ping_request), MSG_NOSIGNAL), 36);
        expect_ping(fd);
        close(fd);
    }
    for (int i = 0; i < 2; i++) {
        assert_true(still_open(stalled[i]));
        /* ... and it can still finish its request. */
        assert_int_equal(send(stalled[i], ping_request + 5, 31, MSG_NOSIGNAL), 31);
        expect_ping(stalled[i]);
        close(stalled[i]);
    }
}

/* max_connections + 1 connections: exactly one — the last accepted, whichever that is — is
 * closed at once, unanswered; the others stay open. Once they go, service again. */
static void test_max_connections(void **state)
{
    (void)state;
    struct pollfd p[MAX_CONNECTIONS + 1];
    for (int i = 0; i <= MAX_CONNECTIONS; i++) {
        p[i].fd = dial(&patient);
        p[i].events = POLLIN;
        /* The refused one may be closed already. */
        ssize_t n = send(p[i].fd, ping_request, 1, MSG_NOSIGNAL);
        assert_true(n == 1 || (n < 0 && (errno == EPIPE || errno == ECONNRESET)));
    }
    int closed = -1;
    while (closed < 0) {
        assert_true(poll(p, MAX_CONNECTIONS + 1, -1) > 0); /* no deadline: CTest's */
        for (int i = 0; i <= MAX_CONNECTIONS; i++) {
            if (p[i].revents != 0) {
                uint8_t b[8];
                assert_int_equal(read_to_end(p[i].fd, b, sizeof(b)), 0); /* closed, no answer */
                assert_int_equal(closed, -1);
                closed = i;
            }
        }
    }
    for (int i = 0; i <= MAX_CONNECTIONS; i++) {
        if (i != closed) {
            assert_true(still_open(p[i].fd));
        }
        close(p[i].fd);
    }
    /* The closes are seen asynchronously: a refused attempt is retried until one is served. */
    uint8_t buf[64];
    for (;;) {
        int fd = dial(&patient);
        send(fd, ping_request, sizeof(ping_request), MSG_NOSIGNAL);
        size_t n = read_to_end(fd, buf, sizeof(buf));
        close(fd);
        if (n != 0) {
            assert_int_equal(n, sizeof(ping_response));
            assert_memory_equal(buf, ping_response, sizeof(ping_response));
            break;
        }
        usleep(10000);
    }
}

/* A request not complete within the [listener] timeout: the connection is closed unanswered.
 * (Whether a prompt client beats a 100 ms deadline depends on the machine's speed, so that is
 * not asserted here; the patient instance serves every other test.) */
static void test_request_timeout(void **state)
{
    (void)state;
    int fd = dial(&hasty);
    assert_int_equal(send(fd, ping_request, 10, MSG_NOSIGNAL), 10);
    uint8_t buf[64];
    assert_int_equal(read_to_end(fd, buf, sizeof(buf)), 0); /* no deadline here: CTest's */
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc != 2 || getenv("RSS_SOCKET") == NULL) {
        fprintf(stderr, "usage (under with_rssd.sh): %s PARSECD\n", argv[0]);
        return 2;
    }
    parsecd = argv[1];
    if (mkdtemp(dir) == NULL) {
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    start(&patient, "patient", 600000);
    start(&hasty, "hasty", 100);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_read_error),
        cmocka_unit_test(test_stalled_client_blocks_nobody),
        cmocka_unit_test(test_max_connections),
        cmocka_unit_test(test_request_timeout),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    stop(&patient);
    stop(&hasty);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        return 1;
    }
    return failed == 0 ? 0 : 1;
}
