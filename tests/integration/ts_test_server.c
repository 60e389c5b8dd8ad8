/* Test-only stand-in for se-proxy's listener: a poll loop around ts_connection_serve. */
/*
 * se-proxy's transport is the shared daemon core (src/daemon, issue 11), which is not on main
 * yet. Until it is, the integration tests serve the TS RPC endpoint through this minimal loop:
 * an AF_UNIX SOCK_SEQPACKET socket (DESIGN.md "TS RPC on Linux"), one ts_connection_t per
 * accepted connection with its SO_PEERCRED identity, one 20-byte packet and at most one
 * SCM_RIGHTS descriptor per request. It hosts ITS (interface 0) and PS (interface 1) on libpsa,
 * so every storage call reaches rssd ($RSS_SOCKET) as this process's own client: the caller's
 * identity is not forwarded yet. Built only under tests/ and never installed.
 * Usage: ts_test_server --socket PATH
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

#include "ts/ts_endpoint.h"
#include "ts/ts_packet.h"
#include "ts/ts_storage.h"

#define MAX_CONNECTIONS 64

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
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
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

/* Reads one request. False: hang-up, error, or not a TS RPC packet (the peer is dropped). */
static bool read_request(int fd, uint32_t words[TS_RPC_WORDS], int *passed_fd)
{
    uint8_t packet[TS_RPC_PACKET_BYTES + 1];
    struct iovec iov = {packet, sizeof(packet)};
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * 4)];
    } control;
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.buf,
                         .msg_controllen = sizeof(control.buf)};
    ssize_t n;
    do {
        n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    *passed_fd = -1;
    bool ok = n > 0 && (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) == 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
            continue;
        }
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int got;
            memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (*passed_fd < 0 && ok) {
                *passed_fd = got;
            } else {
                close(got);
                ok = false; /* more than one descriptor: not a TS RPC message */
            }
        }
    }
    if (ok && ts_packet_decode(packet, (size_t)n, words)) {
        return true;
    }
    if (*passed_fd >= 0) {
        close(*passed_fd);
        *passed_fd = -1;
    }
    return false;
}

typedef struct slot {
    int fd;
    ts_connection_t conn;
} slot_t;

static void drop(slot_t *s)
{
    ts_connection_close(&s->conn);
    close(s->fd);
    s->fd = -1;
}

static void accept_one(int lfd, const ts_endpoint_t *endpoint, slot_t *slots)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        return;
    }
    struct ucred cred;
    socklen_t len = sizeof(cred);
    slot_t *free_slot = NULL;
    for (size_t i = 0; i < MAX_CONNECTIONS && free_slot == NULL; i++) {
        if (slots[i].fd < 0) {
            free_slot = &slots[i];
        }
    }
    if (free_slot == NULL || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        close(fd);
        return;
    }
    const ts_caller_t caller = {.uid = cred.uid, .pid = cred.pid};
    if (!ts_connection_open(&free_slot->conn, endpoint, &caller)) {
        close(fd);
        return;
    }
    free_slot->fd = fd;
}

static void serve_one(slot_t *s)
{
    uint32_t in[TS_RPC_WORDS], out[TS_RPC_WORDS];
    int passed_fd;
    if (!read_request(s->fd, in, &passed_fd)) {
        drop(s);
        return;
    }
    ts_connection_serve(&s->conn, in, passed_fd, out);
    uint8_t packet[TS_RPC_PACKET_BYTES];
    ts_packet_encode(out, packet);
    if (send(s->fd, packet, sizeof(packet), MSG_NOSIGNAL) != (ssize_t)sizeof(packet)) {
        drop(s);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "--socket") != 0) {
        fprintf(stderr, "usage: %s --socket PATH\n", argv[0]);
        return 2;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    ts_endpoint_t endpoint;
    ts_endpoint_init(&endpoint);
    const ts_interface_t its = {TS_UUID_ITS, (void *)&ts_storage_its_backend, ts_storage_serve};
    const ts_interface_t ps = {TS_UUID_PS, (void *)&ts_storage_ps_backend, ts_storage_serve};
    if (ts_endpoint_add(&endpoint, &its) != 0 || ts_endpoint_add(&endpoint, &ps) != 1) {
        return 1;
    }
    int lfd = listen_on(argv[2]);
    if (lfd < 0) {
        fprintf(stderr, "ts_test_server: cannot listen on %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    static slot_t slots[MAX_CONNECTIONS];
    for (size_t i = 0; i < MAX_CONNECTIONS; i++) {
        slots[i].fd = -1;
    }
    while (!stop_requested) {
        struct pollfd p[MAX_CONNECTIONS + 1];
        size_t index[MAX_CONNECTIONS];
        nfds_t n = 0;
        p[n++] = (struct pollfd){.fd = lfd, .events = POLLIN};
        for (size_t i = 0; i < MAX_CONNECTIONS; i++) {
            if (slots[i].fd >= 0) {
                index[n - 1] = i;
                p[n++] = (struct pollfd){.fd = slots[i].fd, .events = POLLIN};
            }
        }
        if (poll(p, n, -1) <= 0) {
            continue; /* EINTR from SIGTERM ends the loop */
        }
        for (nfds_t k = 1; k < n; k++) {
            if (p[k].revents != 0) {
                serve_one(&slots[index[k - 1]]);
            }
        }
        if (p[0].revents & POLLIN) {
            accept_one(lfd, &endpoint, slots);
        }
    }
    for (size_t i = 0; i < MAX_CONNECTIONS; i++) {
        if (slots[i].fd >= 0) {
            drop(&slots[i]);
        }
    }
    close(lfd);
    unlink(argv[2]);
    return 0;
}
