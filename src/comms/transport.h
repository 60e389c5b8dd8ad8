/* Message transport under RSS comms: a small function table, and the Linux socket + memfd one. */
#ifndef COMMS_TRANSPORT_H
#define COMMS_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <psa/error.h>

/*
 * Like a tpm2-tss TCTI: whoever encodes RSS comms messages talks to a rss_transport_t and does
 * not know whether a message travels over a socket or a real mailbox. One send or recv moves
 * exactly one whole message (a mailbox message; one SOCK_SEQPACKET packet on Linux).
 */
typedef struct rss_transport_ops {
    /* Sends one message; fd >= 0 is passed along with it (SCM_RIGHTS), -1 for none.
     * PSA_ERROR_COMMUNICATION_FAILURE if the peer is gone. */
    psa_status_t (*send)(void *ctx, const uint8_t *msg, size_t length, int fd);
    /* Receives one message. *length gets its length; a message longer than size gives
     * PSA_ERROR_BUFFER_TOO_SMALL (and *length = size, the bytes kept). End of stream or
     * error: PSA_ERROR_COMMUNICATION_FAILURE. */
    psa_status_t (*recv)(void *ctx, uint8_t *buf, size_t size, size_t *length);
    void (*close)(void *ctx);
} rss_transport_ops_t;

typedef struct rss_transport {
    const rss_transport_ops_t *ops;
    void *ctx;
} rss_transport_t;

psa_status_t rss_transport_send(rss_transport_t *t, const uint8_t *msg, size_t length, int fd);
psa_status_t rss_transport_recv(rss_transport_t *t, uint8_t *buf, size_t size, size_t *length);
void rss_transport_close(rss_transport_t *t);

/* ---- Linux: AF_UNIX SOCK_SEQPACKET ------------------------------------------------------- */

/* Connects to rssd at path. PSA_ERROR_COMMUNICATION_FAILURE at once if nobody listens, with
 * errno saying why (ENOENT: no socket file there, ECONNREFUSED: nobody listening, ...). */
psa_status_t rss_unix_connect(const char *path, rss_transport_t *out);
/* Wraps an already connected SOCK_SEQPACKET descriptor (takes ownership). */
psa_status_t rss_unix_wrap(int fd, rss_transport_t *out);
int rss_unix_fd(const rss_transport_t *t);

/* Server side: creates the listening socket (removing a stale socket file), mode applied to
 * the socket file. Returns the descriptor or -1 with errno set. */
int rss_unix_listen(const char *path, mode_t mode, int backlog);
/* One packet in: receives into buf with MSG_TRUNC detection; *fd gets a descriptor passed
 * with it or -1 (any further descriptors are closed). Returns the packet's full length (may
 * exceed size: the packet was truncated), 0 at end of stream, -1 on error. */
ssize_t rss_unix_recv_packet(int sock, uint8_t *buf, size_t size, int *fd);
/* One packet out, MSG_NOSIGNAL; fd >= 0 is attached. Returns false on error. */
bool rss_unix_send_packet(int sock, const uint8_t *msg, size_t length, int fd);

/* ---- Linux: the shared memory of pointer access ------------------------------------------ */

/*
 * One memfd per connection. The client creates it with sealing allowed, sizes it, and seals it
 * against shrinking and growing; the server refuses a descriptor without F_SEAL_SHRINK, since a
 * client that truncated the file under a mapping would make the daemon fault (SIGBUS).
 * A "host address" in a pointer-access message is an offset into this mapping.
 */
typedef struct rss_shm {
    int fd;
    uint8_t *base;
    size_t size;
} rss_shm_t;

/* Largest region rssd maps for one connection. */
#define RSS_SHM_MAX_SIZE ((size_t)1 << 30)

/* Client: creates, sizes, seals and maps a region. */
psa_status_t rss_shm_create(size_t size, rss_shm_t *out);
/* Server: checks and maps a region received from a peer (takes ownership of fd: closed on
 * error). PSA_ERROR_INVALID_ARGUMENT for a descriptor that is not a sealed memfd of at least
 * size bytes, or size 0 or over RSS_SHM_MAX_SIZE. */
psa_status_t rss_shm_map_peer(int fd, uint64_t size, rss_shm_t *out);
void rss_shm_destroy(rss_shm_t *shm);
/* Whether [offset, offset + length) lies inside the region (length 0 always does). */
bool rss_shm_range_ok(const rss_shm_t *shm, uint64_t offset, uint64_t length);

/* ---- Linux: where rssd listens ------------------------------------------------------------ */

#define RSS_SOCKET_DEFAULT_SYSTEM "/run/rss/rss.sock"
/* sizeof(sockaddr_un.sun_path) */
#define RSS_SOCKET_PATH_MAX 108
#define RSS_SOCKET_MAX_CANDIDATES 2

/*
 * The sockets a client tries, in order, written into paths[] (NUL-terminated); returns how many,
 * 0 when a path does not fit. $RSS_SOCKET alone when it is set and non-empty; else
 * /run/rss/rss.sock alone for root (euid 0); else $XDG_RUNTIME_DIR/rss/rss.sock, then
 * /run/rss/rss.sock (a system rssd serves users who run none of their own); without
 * XDG_RUNTIME_DIR, /run/rss/rss.sock. The first is also where rssd listens by default.
 * A client moves to the next one only when a socket file does not exist: a per-user socket
 * that exists but refuses is the user's own rssd being down, not a reason to switch stores.
 */
size_t rss_socket_candidates(char paths[RSS_SOCKET_MAX_CANDIDATES][RSS_SOCKET_PATH_MAX]);

#endif /* COMMS_TRANSPORT_H */
