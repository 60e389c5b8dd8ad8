/* What rssd takes from systemd without linking libsystemd: socket activation and readiness. */
#ifndef ENCLAVE_SYSTEMD_H
#define ENCLAVE_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Socket activation (sd_listen_fds(3)): when $LISTEN_PID is this process and $LISTEN_FDS is 1,
 * returns descriptor 3 once checked to be a listening AF_UNIX SOCK_SEQPACKET socket, and writes
 * its path into path (size bytes). Returns -1 when rssd was not socket-activated, -2 when it
 * was but the descriptors are not what rssd serves on (error says why). Unsets the variables
 * either way, as sd_listen_fds(1) does, so that they do not leak to anything started later.
 */
int enclave_systemd_listen_fd(char *path, size_t size, char *error, size_t error_size);

/*
 * sd_notify(3): sends state ("READY=1", "RELOADING=1", "STOPPING=1", "STATUS=...") to
 * $NOTIFY_SOCKET (a path, or an abstract name written with a leading '@'). True when sent or
 * when there is no $NOTIFY_SOCKET.
 */
bool enclave_systemd_notify(const char *state);

#endif /* ENCLAVE_SYSTEMD_H */
