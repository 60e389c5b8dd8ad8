/* Test-only stand-in for parsecd's listener: a sequential accept loop around parsec_serve. */
/*
 * parsecd's transport is the shared daemon core (src/daemon, issue 11), which is not on main
 * yet. Until it is, the integration tests run parsec_serve through this minimal loop: one
 * connection at a time, SO_PEERCRED identity, the configured per-request timeout, Parsec's
 * framing rule, buffers wiped after each request. It takes parsecd's command line. It is
 * built only under tests/ and never installed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "parsec/parsec_start.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int listen_on(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(addr.sun_path)) {
        return -1;
    }
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || chmod(path, 0666) != 0 ||
        listen(fd, 64) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads exactly n bytes (false on timeout, EOF or error). */
static bool read_full(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return false;
        }
        got += (size_t)r;
    }
    return true;
}

static void write_full(int fd, const uint8_t *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = send(fd, buf + done, n - done, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return;
        }
        done += (size_t)w;
    }
}

static void serve_connection(const parsec_runtime_t *rt, int fd, uint8_t *req, size_t req_size,
                             uint8_t *resp, size_t resp_size)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    struct timeval tv = {.tv_sec = rt->config.timeout_ms / 1000,
                         .tv_usec = (rt->config.timeout_ms % 1000) * 1000};
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
        return;
    }
    size_t have = 0, need = 0, resp_len = 0;
    parsec_status_t s;
    for (;;) {
        s = parsec_frame(req, have, rt->config.body_len_limit, &need);
        if (s != PARSEC_SUCCESS || need == have) {
            break;
        }
        if (need > req_size || !read_full(fd, req + have, need - have)) {
            return; /* timeout or hang-up: dropped, as Parsec does */
        }
        have = need;
    }
    parsec_caller_t caller = {.uid = cred.uid, .pid = cred.pid};
    if (s != PARSEC_SUCCESS) {
        parsec_encode_read_error(s, resp);
        resp_len = PARSEC_HEADER_SIZE;
    } else {
        s = parsec_serve(&rt->ctx, &caller, req, have, resp, resp_size, &resp_len);
    }
    write_full(fd, resp, resp_len);
    if (rt->config.log_level >= PARSEC_LOG_INFO || s != PARSEC_SUCCESS) {
        fprintf(stderr, "parsecd[%d] info: uid %u: %s\n", (int)getpid(), (unsigned)cred.uid,
                parsec_status_name(s));
    }
    OPENSSL_cleanse(req, have);
    OPENSSL_cleanse(resp, resp_len);
}

int main(int argc, char **argv)
{
    parsec_runtime_t rt;
    int code = 1;
    if (!parsec_start(argc, argv, &rt, stderr, &code)) {
        return code;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    size_t req_size = PARSEC_HEADER_SIZE + (size_t)rt.config.body_len_limit + UINT16_MAX;
    size_t resp_size = parsec_response_max(&rt.ctx);
    uint8_t *req = malloc(req_size), *resp = malloc(resp_size);
    int lfd = listen_on(rt.socket_path);
    if (req == NULL || resp == NULL || lfd < 0) {
        fprintf(stderr, "parsecd: cannot listen on %s: %s\n", rt.socket_path, strerror(errno));
        free(req);
        free(resp);
        parsec_stop(&rt);
        return 1;
    }
    if (!rt.foreground && daemon(0, 1) != 0) {
        return 1;
    }
    while (!stop_requested) {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        if (poll(&p, 1, 200) <= 0) {
            continue;
        }
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            serve_connection(&rt, fd, req, req_size, resp, resp_size);
            close(fd);
        }
    }
    close(lfd);
    unlink(rt.socket_path);
    free(req);
    free(resp);
    parsec_stop(&rt);
    return 0;
}
