/* The Linux transport: AF_UNIX SOCK_SEQPACKET (one message per packet) and memfd shared memory. */
#define _GNU_SOURCE
#include "transport.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* The descriptor itself is the context, stored in the pointer. */
static int ctx_fd(void *ctx)
{
    return (int)(intptr_t)ctx - 1;
}

static void *fd_ctx(int fd)
{
    return (void *)(intptr_t)(fd + 1);
}

ssize_t rss_unix_recv_packet(int sock, uint8_t *buf, size_t size, int *fd)
{
    union {
        struct cmsghdr align;
        uint8_t space[CMSG_SPACE(sizeof(int) * 4)];
    } control;
    struct iovec iov = {.iov_base = buf, .iov_len = size};
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.space,
        .msg_controllen = sizeof(control.space),
    };
    *fd = -1;
    ssize_t n;
    do {
        /* MSG_TRUNC makes recvmsg report the packet's real length even when it was cut. */
        n = recvmsg(sock, &msg, MSG_TRUNC | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return -1;
    }
    if (msg.msg_controllen > 0) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
                continue;
            }
            size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < count; i++) {
                int received;
                memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                if (*fd < 0) {
                    *fd = received;
                } else {
                    close(received); /* only one descriptor is ever expected */
                }
            }
        }
    }
    return n;
}

bool rss_unix_send_packet(int sock, const uint8_t *msg, size_t length, int fd)
{
    struct iovec iov = {.iov_base = (void *)msg, .iov_len = length};
    union {
        struct cmsghdr align;
        uint8_t space[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        memset(&control, 0, sizeof(control));
        m.msg_control = control.space;
        m.msg_controllen = sizeof(control.space);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    ssize_t n;
    do {
        n = sendmsg(sock, &m, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)length;
}

static psa_status_t unix_send(void *ctx, const uint8_t *msg, size_t length, int fd)
{
    return rss_unix_send_packet(ctx_fd(ctx), msg, length, fd) ? PSA_SUCCESS
                                                              : PSA_ERROR_COMMUNICATION_FAILURE;
}

static psa_status_t unix_recv(void *ctx, uint8_t *buf, size_t size, size_t *length)
{
    ssize_t n;
    do {
        n = recv(ctx_fd(ctx), buf, size, MSG_TRUNC);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    if ((size_t)n > size) {
        *length = size;
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    *length = (size_t)n;
    return PSA_SUCCESS;
}

static void unix_close(void *ctx)
{
    if (ctx_fd(ctx) >= 0) {
        close(ctx_fd(ctx));
    }
}

static ssize_t unix_recv_message(void *ctx, uint8_t *buf, size_t size, int *handle)
{
    return rss_unix_recv_packet(ctx_fd(ctx), buf, size, handle);
}

static int unix_poll_handle(void *ctx)
{
    return ctx_fd(ctx);
}

static bool unix_shutdown(void *ctx)
{
    return shutdown(ctx_fd(ctx), SHUT_RDWR) == 0;
}

/* SO_PEERPIDFD (Linux 6.5): a pidfd of the process that connected, pinned at connect time. */
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

static bool unix_peer(void *ctx, bool with_pidfd, rss_peer_t *out)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(ctx_fd(ctx), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        return false;
    }
    out->uid = cred.uid;
    out->pid = cred.pid;
    out->pidfd = -1;
    len = sizeof(out->pidfd);
    if (with_pidfd && getsockopt(ctx_fd(ctx), SOL_SOCKET, SO_PEERPIDFD, &out->pidfd, &len) < 0) {
        out->pidfd = -1;
    }
    return true;
}

static const rss_transport_ops_t rss_unix_ops = {
    .send = unix_send,
    .recv = unix_recv,
    .close = unix_close,
    .recv_message = unix_recv_message,
    .poll_handle = unix_poll_handle,
    .shutdown = unix_shutdown,
    .peer = unix_peer,
    .shm_create = rss_shm_create,
    .shm_map_peer = rss_shm_map_peer,
};

void rss_transport_unconnected(rss_transport_t *out)
{
    out->ops = &rss_unix_ops;
    out->ctx = fd_ctx(-1);
}

psa_status_t rss_unix_wrap(int fd, rss_transport_t *out)
{
    if (fd < 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    out->ops = &rss_unix_ops;
    out->ctx = fd_ctx(fd);
    return PSA_SUCCESS;
}

int rss_unix_fd(const rss_transport_t *t)
{
    return t->ops == &rss_unix_ops ? ctx_fd(t->ctx) : -1;
}

static bool fill_address(struct sockaddr_un *addr, const char *path)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(addr->sun_path)) {
        return false;
    }
    memcpy(addr->sun_path, path, n);
    return true;
}

psa_status_t rss_unix_connect(const char *path, rss_transport_t *out)
{
    struct sockaddr_un addr;
    if (!fill_address(&addr, path)) {
        errno = ENAMETOOLONG;
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    int rc;
    do {
        rc = connect(fd, (const struct sockaddr *)&addr, sizeof(addr));
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    return rss_unix_wrap(fd, out);
}

static int listener_accept(void *ctx, rss_transport_t *out)
{
    int fd = accept4(ctx_fd(ctx), NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    out->ops = &rss_unix_ops;
    out->ctx = fd_ctx(fd);
    return 0;
}

static int listener_poll_handle(void *ctx)
{
    return ctx_fd(ctx);
}

static void listener_close(void *ctx)
{
    close(ctx_fd(ctx));
}

static const rss_listener_ops_t rss_unix_listener_ops = {
    .accept = listener_accept,
    .poll_handle = listener_poll_handle,
    .close = listener_close,
};

psa_status_t rss_transport_connect(const char *address, rss_transport_t *out)
{
    return rss_unix_connect(address, out);
}

int rss_transport_listen(const char *address, mode_t mode, int backlog, rss_listener_t *out)
{
    int fd = rss_unix_listen(address, mode, backlog);
    if (fd < 0) {
        return -1;
    }
    out->ops = &rss_unix_listener_ops;
    out->ctx = fd_ctx(fd);
    return 0;
}

int rss_transport_listen_stream(const char *address, mode_t mode, int backlog,
                                rss_listener_t *out)
{
    int fd = rss_unix_listen_stream(address, mode, backlog);
    if (fd < 0) {
        return -1;
    }
    out->ops = &rss_unix_listener_ops;
    out->ctx = fd_ctx(fd);
    return 0;
}

int rss_transport_adopt_listener(int handle, rss_listener_t *out)
{
    /* Workers share the socket through EPOLLEXCLUSIVE and accept until EAGAIN. */
    int flags = fcntl(handle, F_GETFL);
    if (flags < 0 || fcntl(handle, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(handle, F_SETFD, FD_CLOEXEC) < 0) {
        int saved = errno;
        close(handle);
        errno = saved;
        return -1;
    }
    out->ops = &rss_unix_listener_ops;
    out->ctx = fd_ctx(handle);
    return 0;
}

static int listen_typed(const char *path, mode_t mode, int backlog, int type)
{
    struct sockaddr_un addr;
    if (!fill_address(&addr, path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return -1;
    }
    /* A socket file left by a daemon that died is in the way; a live daemon would answer. */
    int probe = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (probe >= 0) {
        if (connect(probe, (const struct sockaddr *)&addr, sizeof(addr)) == 0) {
            close(probe);
            close(fd);
            errno = EADDRINUSE;
            return -1;
        }
        close(probe);
    }
    /* Bound and listening under a temporary name, then renamed into place: whoever sees the
     * socket file can connect (a client or a script waiting for the file would otherwise meet
     * ECONNREFUSED between bind and listen). A path too long for the temporary name is bound
     * in place. */
    struct sockaddr_un tmp;
    char tmp_path[sizeof(tmp.sun_path)];
    int n = snprintf(tmp_path, sizeof(tmp_path), "%s.%ld~", path, (long)getpid());
    bool staged = n > 0 && (size_t)n < sizeof(tmp_path) && fill_address(&tmp, tmp_path);
    const char *bound = staged ? tmp_path : path;
    if (staged) {
        unlink(tmp_path);
    } else {
        unlink(path);
    }
    if (bind(fd, staged ? (const struct sockaddr *)&tmp : (const struct sockaddr *)&addr,
             sizeof(addr)) < 0 ||
        chmod(bound, mode) < 0 || listen(fd, backlog) < 0 ||
        (staged && rename(tmp_path, path) < 0)) {
        int saved = errno;
        if (staged) {
            unlink(tmp_path);
        }
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int rss_unix_listen(const char *path, mode_t mode, int backlog)
{
    return listen_typed(path, mode, backlog, SOCK_SEQPACKET);
}

int rss_unix_listen_stream(const char *path, mode_t mode, int backlog)
{
    return listen_typed(path, mode, backlog, SOCK_STREAM);
}

ssize_t rss_unix_recv_stream(int sock, uint8_t *buf, size_t size)
{
    ssize_t n;
    do {
        /* No control buffer: descriptors a peer attaches are discarded by the kernel. */
        n = recv(sock, buf, size, 0);
    } while (n < 0 && errno == EINTR);
    return n;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool rss_unix_send_stream(int sock, const uint8_t *msg, size_t length, int timeout_ms, int stop_fd)
{
    /* One deadline for the whole reply: a peer that drains its socket a little before each
     * wait would otherwise hold the sender for many timeouts. */
    int64_t deadline = timeout_ms > 0 ? monotonic_ms() + timeout_ms : 0;
    size_t done = 0;
    while (done < length) {
        ssize_t n = send(sock, msg + done, length - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p[2] = {{.fd = sock, .events = POLLOUT}, {.fd = stop_fd, .events = POLLIN}};
            int64_t left = deadline != 0 ? deadline - monotonic_ms() : -1;
            if (deadline != 0 && left <= 0) {
                return false; /* the peer did not take the reply in time */
            }
            int r = poll(p, stop_fd >= 0 ? 2 : 1, (int)left);
            if (r > 0 && (p[0].revents & POLLOUT) == 0 && (p[1].revents & POLLIN) != 0) {
                return false; /* shutting down, and the peer is not taking the reply */
            }
            if (r > 0 || (r < 0 && errno == EINTR)) {
                continue;
            }
        }
        return false; /* error, peer gone, or not reading within the timeout */
    }
    return true;
}

psa_status_t rss_shm_create(size_t size, rss_shm_t *out)
{
    if (size == 0 || size > RSS_SHM_MAX_SIZE) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    int fd = memfd_create("rss-comms", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (ftruncate(fd, (off_t)size) < 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
        close(fd);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        close(fd);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    out->fd = fd;
    out->base = base;
    out->size = size;
    return PSA_SUCCESS;
}

bool rss_shm_is_shmem(int fd)
{
    /* memfd_create without MFD_HUGETLB gives a shmem (tmpfs) file. A hugetlbfs one could have
     * pages punched out and the pool emptied under us (SIGBUS), whatever its seals. */
    struct statfs fs;
    return fstatfs(fd, &fs) == 0 && fs.f_type == TMPFS_MAGIC;
}

psa_status_t rss_shm_map_peer(int fd, uint64_t size, rss_shm_t *out)
{
    struct stat st;
    int seals = fcntl(fd, F_GET_SEALS);
    if (size == 0 || size > RSS_SHM_MAX_SIZE || seals < 0 || (seals & F_SEAL_SHRINK) == 0 ||
        !rss_shm_is_shmem(fd) ||
        fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < size) {
        close(fd);
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    void *base = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        close(fd);
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    /* The mapping keeps the memory alive; the descriptor is not needed any more. */
    close(fd);
    out->fd = -1;
    out->base = base;
    out->size = (size_t)size;
    return PSA_SUCCESS;
}

void rss_shm_destroy(rss_shm_t *shm)
{
    if (shm->base != NULL) {
        munmap(shm->base, shm->size);
    }
    if (shm->fd >= 0) {
        close(shm->fd);
    }
    shm->base = NULL;
    shm->size = 0;
    shm->fd = -1;
}

bool rss_shm_range_ok(const rss_shm_t *shm, uint64_t offset, uint64_t length)
{
    if (length == 0) {
        return true;
    }
    return shm->base != NULL && offset <= shm->size && length <= shm->size - offset;
}

int rss_shm_handle(const rss_shm_t *shm)
{
    return shm->fd;
}

uint8_t *rss_shm_at(const rss_shm_t *shm, uint64_t addr)
{
    return shm->base + addr;
}
