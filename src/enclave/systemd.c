/* Socket activation and sd_notify readiness, as documented in sd_listen_fds(3) and sd_notify(3). */
#define _GNU_SOURCE
#include "enclave/systemd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* SD_LISTEN_FDS_START: the first passed descriptor. */
#define SYSTEMD_LISTEN_FDS_START 3

static bool parse_number(const char *text, unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    if (text == NULL || text[0] == '\0') {
        return false;
    }
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

int enclave_systemd_listen_fd(char *path, size_t size, char *error, size_t error_size)
{
    unsigned long pid = 0, fds = 0;
    bool ours = parse_number(getenv("LISTEN_PID"), &pid) && pid == (unsigned long)getpid();
    bool counted = parse_number(getenv("LISTEN_FDS"), &fds);
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    if (!ours || !counted || fds == 0) {
        return -1;
    }
    if (fds != 1) {
        snprintf(error, error_size, "systemd passed %lu sockets; rssd serves on exactly one", fds);
        return -2;
    }
    int fd = SYSTEMD_LISTEN_FDS_START;
    int type = 0, listening = 0;
    socklen_t len = sizeof(type);
    struct sockaddr_un addr;
    socklen_t addr_len = sizeof(addr);
    memset(&addr, 0, sizeof(addr));
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &addr_len) < 0) {
        snprintf(error, error_size, "passed descriptor %d: %s", fd, strerror(errno));
        return -2;
    }
    len = sizeof(listening);
    if (addr.sun_family != AF_UNIX || type != SOCK_SEQPACKET ||
        getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening) {
        snprintf(error, error_size,
                 "the passed socket is not a listening AF_UNIX SOCK_SEQPACKET socket "
                 "(use ListenSequentialPacket= in the .socket unit)");
        return -2;
    }
    size_t name_len = addr_len > offsetof(struct sockaddr_un, sun_path)
                          ? addr_len - offsetof(struct sockaddr_un, sun_path)
                          : 0;
    if (name_len > 0 && addr.sun_path[0] == '\0') {
        snprintf(path, size, "@%.*s", (int)(name_len - 1), addr.sun_path + 1);
    } else {
        snprintf(path, size, "%.*s", (int)strnlen(addr.sun_path, name_len), addr.sun_path);
    }
    return fd;
}

bool enclave_systemd_notify(const char *state)
{
    const char *target = getenv("NOTIFY_SOCKET");
    if (target == NULL || target[0] == '\0') {
        return true;
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t n = strlen(target);
    if ((target[0] != '/' && target[0] != '@') || n >= sizeof(addr.sun_path)) {
        return false;
    }
    memcpy(addr.sun_path, target, n);
    if (target[0] == '@') {
        addr.sun_path[0] = '\0'; /* abstract namespace */
    }
    socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    ssize_t sent =
        sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr, addr_len);
    close(fd);
    return sent == (ssize_t)strlen(state);
}
