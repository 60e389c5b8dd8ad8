/* Message transport under RSS comms: a small function table, and the Linux socket + memfd one. */
#ifndef COMMS_TRANSPORT_H
#define COMMS_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <psa/error.h>

/*
 * Shared memory of pointer access: a region both ends map. The client creates it and passes its
 * handle along with a message; the server maps what it received. A "host address" in a
 * pointer-access message is an offset into the region (rss_shm_at).
 */
typedef struct rss_shm {
    int fd;
    uint8_t *base;
    size_t size;
} rss_shm_t;

/* A region not yet created or mapped (rss_shm_destroy leaves one so too). */
#define RSS_SHM_EMPTY ((rss_shm_t){.fd = -1, .base = NULL, .size = 0})

/* Who is at the other end of a connection, as the kernel says (never the peer's own word). */
typedef struct rss_peer {
    uid_t uid;
    pid_t pid;
    /* A handle of the process that connected, pinned when it connected (a pidfd on Linux), or
     * -1: not asked for, or the kernel gives none (Linux before 6.5). The caller closes it. */
    int pidfd;
} rss_peer_t;

/*
 * Like a tpm2-tss TCTI: whoever encodes RSS comms messages talks to a rss_transport_t and does
 * not know whether a message travels over a socket or a real mailbox. One send or recv moves
 * exactly one whole message (a mailbox message; one SOCK_SEQPACKET packet on Linux). The table
 * covers both ends: a client connects, sends and receives, and creates shared memory; a server
 * accepts (rss_listener_t), polls, receives a message with the memory handle that came with it,
 * asks who the peer is, maps the peer's memory and may end a connection from another thread.
 */
typedef struct rss_transport_ops {
    /* Sends one message; handle >= 0 (a shared-memory handle) is passed along with it, -1 for
     * none. PSA_ERROR_COMMUNICATION_FAILURE if the peer is gone. */
    psa_status_t (*send)(void *ctx, const uint8_t *msg, size_t length, int handle);
    /* Receives one message. *length gets its length; a message longer than size gives
     * PSA_ERROR_BUFFER_TOO_SMALL (and *length = size, the bytes kept). End of stream or
     * error: PSA_ERROR_COMMUNICATION_FAILURE. */
    psa_status_t (*recv)(void *ctx, uint8_t *buf, size_t size, size_t *length);
    void (*close)(void *ctx);
    /* Server side: one message and the handle that came with it (*handle, -1 for none; the
     * caller owns it). Returns the message's full length (more than size: only size bytes
     * kept), 0 at end of stream, -1 on error with errno set (EAGAIN: nothing waiting). */
    ssize_t (*recv_message)(void *ctx, uint8_t *buf, size_t size, int *handle);
    /* A descriptor for poll/epoll: readable when a message or the end of stream waits. */
    int (*poll_handle)(void *ctx);
    /* Ends the connection now, from any thread: the peer sees it closed, and the next receive
     * on this end sees the end of stream; the object stays valid until close. False when that
     * failed (already ended). */
    bool (*shutdown)(void *ctx);
    /* The peer's credentials (with a pidfd when with_pidfd). False when they are unknown. */
    bool (*peer)(void *ctx, bool with_pidfd, rss_peer_t *out);
    /* Client: creates a region of size bytes to pass to the peer. */
    psa_status_t (*shm_create)(size_t size, rss_shm_t *out);
    /* Server: maps the region of a handle a peer passed (takes ownership of handle: closed on
     * error). PSA_ERROR_INVALID_ARGUMENT when it is not a region of at least size bytes that
     * the peer cannot shrink, or size is 0 or over RSS_SHM_MAX_SIZE. */
    psa_status_t (*shm_map_peer)(int handle, uint64_t size, rss_shm_t *out);
} rss_transport_ops_t;

typedef struct rss_transport {
    const rss_transport_ops_t *ops;
    void *ctx;
} rss_transport_t;

/* A server's listening end: accepts connections as transports. */
typedef struct rss_listener_ops {
    /* Accepts one waiting connection without blocking: 0, or an errno value (EAGAIN: none is
     * waiting; EMFILE, ENFILE, ENOBUFS, ENOMEM: out of descriptors or memory). */
    int (*accept)(void *ctx, rss_transport_t *out);
    int (*poll_handle)(void *ctx);
    void (*close)(void *ctx);
} rss_listener_ops_t;

typedef struct rss_listener {
    const rss_listener_ops_t *ops;
    void *ctx;
} rss_listener_t;

psa_status_t rss_transport_send(rss_transport_t *t, const uint8_t *msg, size_t length, int handle);
psa_status_t rss_transport_recv(rss_transport_t *t, uint8_t *buf, size_t size, size_t *length);
void rss_transport_close(rss_transport_t *t);
ssize_t rss_transport_recv_message(rss_transport_t *t, uint8_t *buf, size_t size, int *handle);
int rss_transport_poll_handle(const rss_transport_t *t);
bool rss_transport_shutdown(const rss_transport_t *t);
bool rss_transport_peer(const rss_transport_t *t, bool with_pidfd, rss_peer_t *out);
psa_status_t rss_transport_shm_create(const rss_transport_t *t, size_t size, rss_shm_t *out);
psa_status_t rss_transport_shm_map_peer(const rss_transport_t *t, int handle, uint64_t size,
                                        rss_shm_t *out);
/* The handle that passes a region to the peer (rss_transport_send), -1 for none. */
int rss_shm_handle(const rss_shm_t *shm);
/* Host-address translation: where offset addr of the region is in this process. Check the
 * range first (rss_shm_range_ok). */
uint8_t *rss_shm_at(const rss_shm_t *shm, uint64_t addr);

int rss_listener_accept(const rss_listener_t *l, rss_transport_t *out);
int rss_listener_poll_handle(const rss_listener_t *l);
void rss_listener_close(rss_listener_t *l);

/* The platform's transport, by address (a socket path on Linux): what clients and servers
 * call, so that neither names the mechanism. */
/* Connects; PSA_ERROR_COMMUNICATION_FAILURE at once if nobody listens, errno saying why. */
psa_status_t rss_transport_connect(const char *address, rss_transport_t *out);
/* Listens at address (mode: who may connect, where the platform has such a notion); -1 with
 * errno set on failure, 0 on success. */
int rss_transport_listen(const char *address, mode_t mode, int backlog, rss_listener_t *out);
/* The same for a byte-stream protocol (SOCK_STREAM on Linux: Parsec's socket). Connections
 * accepted from it use the stream calls below for their bytes, not recv_message/send. */
int rss_transport_listen_stream(const char *address, mode_t mode, int backlog,
                                rss_listener_t *out);
/* A listening handle inherited from the service manager (socket activation); takes ownership
 * (closed on failure too). -1 with errno set on failure. */
int rss_transport_adopt_listener(int handle, rss_listener_t *out);
/* A transport with no peer (fuzzers, tests): sends and receives fail; shared-memory ops work. */
void rss_transport_unconnected(rss_transport_t *out);

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
int rss_unix_listen_stream(const char *path, mode_t mode, int backlog);
/* Stream sockets: up to size bytes (descriptors are discarded); 0 at end of stream, -1 with
 * errno (EAGAIN: nothing now). */
ssize_t rss_unix_recv_stream(int sock, uint8_t *buf, size_t size);
/* All length bytes within timeout_ms in all (0: no limit) while the socket is full; false on
 * error, hang-up or timeout, or when stop_fd (-1: none) becomes readable while the socket is
 * full (a daemon shutting down does not wait for a peer that is not reading). */
bool rss_unix_send_stream(int sock, const uint8_t *msg, size_t length, int timeout_ms,
                          int stop_fd);
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
 * The Linux transport's shm_create and shm_map_peer are these.
 */

/* Largest region rssd maps for one connection. */
#define RSS_SHM_MAX_SIZE ((size_t)1 << 30)

/* Client: creates, sizes, seals and maps a region. */
psa_status_t rss_shm_create(size_t size, rss_shm_t *out);
/* Server: checks and maps a region received from a peer (takes ownership of fd: closed on
 * error). PSA_ERROR_INVALID_ARGUMENT for a descriptor that is not a sealed memfd of at least
 * size bytes, or size 0 or over RSS_SHM_MAX_SIZE. */
psa_status_t rss_shm_map_peer(int fd, uint64_t size, rss_shm_t *out);
/* A peer's descriptor is a plain (shmem) memfd, not hugetlbfs or another file system: the only
 * kind whose sealed size guarantees the pages stay (every mapper of peer memory checks it). */
bool rss_shm_is_shmem(int fd);
void rss_shm_destroy(rss_shm_t *shm);
/* Whether [offset, offset + length) lies inside the region (length 0 always does). */
bool rss_shm_range_ok(const rss_shm_t *shm, uint64_t offset, uint64_t length);

/* ---- Linux: where rssd listens ------------------------------------------------------------ */

#define RSS_SOCKET_DEFAULT_SYSTEM "/run/rss/rss.sock"
/* sizeof(sockaddr_un.sun_path) */
#define RSS_SOCKET_PATH_MAX       108
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
