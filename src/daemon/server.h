/* The daemon core: accept, identify, and serve one protocol's messages on a worker pool. */
#ifndef DAEMON_SERVER_H
#define DAEMON_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <psa/error.h>

#include "comms/rss_channel.h"
#include "comms/transport.h"
#include "daemon/identity.h"
#include "daemon/sessions.h"

typedef struct daemon_server daemon_server_t;
typedef struct daemon_conn daemon_conn_t;

/*
 * What a daemon speaks. The core receives one whole message per SOCK_SEQPACKET packet (or, for a
 * stream protocol, as many bytes as frame() says a message has), hands it
 * to serve() on the worker that owns the connection (one request in flight per connection), and
 * sends the reply serve() built; everything else (who the peer is, sessions, limits, placement
 * on workers, shutdown) is the core's. Hooks run on worker threads; none may block for long
 * without the monitor moving the worker's other connections away (docs/rssd.md).
 */
typedef struct daemon_protocol {
    /* Receive buffer: a longer message reaches serve() cut to this size, with its full length. */
    size_t max_message;
    /* Reply buffer handed to serve(). */
    size_t max_reply;
    /* Bytes of per-connection state (zeroed at accept), daemon_conn_state(). */
    size_t state_size;
    /* Serves one message of conn: length bytes kept of full_length received; fd a descriptor
     * that came with it (-1: none), which serve() owns. Writes the reply into reply and returns
     * its length, 0 for none. Nothing it leaves in reply past that length may be secret: the
     * core wipes the message and the reply once sent, since both buffers serve other clients
     * next. */
    size_t (*serve)(daemon_conn_t *conn, const uint8_t *msg, size_t length, size_t full_length,
                    int fd, uint8_t *reply, size_t reply_size);
    /* A connection accepted and identified (refused peers too: serve() answers them); false
     * closes it at once (disconnect() runs then too). NULL: nothing to do. */
    bool (*connect)(daemon_conn_t *conn);
    /* The connection closes (its peer hung up, or the daemon drops it): frees its state.
     * Runs before the connection's process is detached (so before release_session). */
    void (*disconnect)(daemon_conn_t *conn);
    /* Every session of a client process ended (its last connection closed). May be NULL. */
    daemon_release_fn release_session;
    void *release_ctx;
    /* A worker thread ends (per-thread buffers of serve()). May be NULL. */
    void (*thread_exit)(void);
    /*
     * Byte-stream protocols (SOCK_STREAM: Parsec's socket): stream true and frame() set. The
     * core collects a connection's bytes in a buffer of its own; frame() tells from the `have`
     * bytes so far how long the message is (*need, which must exceed have while more is to be
     * read) or returns false when they cannot begin a message. Once `need` bytes are in — or
     * frame() said false, or need exceeds max_message — serve() gets what was received
     * (length = full_length; no descriptor) and the reply is written whole. A connection whose
     * peer sends nothing for request_timeout_ms while its message is incomplete (counted from
     * the accept, the last bytes received, or the last reply) is closed, unless bytes wait
     * unread in its socket — then the delay is the daemon's (0: no limit); the timeout also
     * bounds writing a whole reply to a peer that does not read it. A message frame() refuses,
     * or one longer than max_message, reaches serve() as received and the connection closes
     * after the reply (the rest of it is never read).
     */
    bool stream;
    bool (*frame)(const uint8_t *buf, size_t have, size_t *need);
    unsigned request_timeout_ms;
} daemon_protocol_t;

typedef struct daemon_limits {
    /* Worker threads (0: one). */
    unsigned workers;
    /* Workers that may serve calls of one client id at once; 0 (or more than the workers):
     * workers - 1, at least 1. */
    size_t max_busy_workers_per_client;
    /* Open connections per peer uid; 0: no limit. Further connections are closed at once. */
    size_t max_connections_per_uid;
    /* Refuse the fast path's channels (rssd --no-fast-path): every call comes on the socket. */
    bool no_fast_path;
} daemon_limits_t;

/* Listens on socket_path (mode 0666: identity comes from SO_PEERCRED, not file permissions).
 * The protocol and the limits are copied; the policy must outlive the server. */
psa_status_t daemon_server_create(const char *socket_path, const daemon_protocol_t *protocol,
                                  const daemon_limits_t *limits, const daemon_policy_t *policy,
                                  daemon_server_t **out);
/* The same on a listening socket already made (systemd socket activation); the server neither
 * binds nor removes a socket file then. Takes ownership of listen_fd (closed on failure too). */
psa_status_t daemon_server_create_on(int listen_fd, const daemon_protocol_t *protocol,
                                     const daemon_limits_t *limits, const daemon_policy_t *policy,
                                     daemon_server_t **out);
/* Shuts down every open connection whose peer uid drop() selects; their workers then close
 * them as if the peer had hung up, and the peer's next connection gets the role the policy
 * now gives it (the policy is consulted when a connection is accepted). Returns how many. */
size_t daemon_server_drop_connections(daemon_server_t *server, bool (*drop)(uid_t uid, void *ctx),
                                      void *ctx);
/* Starts the workers and the monitor that moves connections off a worker stuck in a long
 * call; at most the limit's busy workers serve one client id at a time. */
psa_status_t daemon_server_start(daemon_server_t *server);
/* Asks the workers to stop after their current call; safe from any thread. */
void daemon_server_stop(daemon_server_t *server);
/* Stops the workers and waits up to grace_seconds for their current calls; then destroys the
 * server and returns true, or, when some call is still running, returns false and leaves
 * everything in place: the caller exits without freeing what running workers still use. */
bool daemon_server_shutdown(daemon_server_t *server, unsigned grace_seconds);
/* Joins the workers, closes every connection (releasing sessions), removes the socket file. */
void daemon_server_destroy(daemon_server_t *server);

/*
 * The rest of a daemon's main once its options are read: ignores SIGPIPE, blocks SIGTERM and
 * SIGINT (the workers inherit the mask), detaches unless foreground, runs prepare(prepare_ctx)
 * (NULL: none; false: exit status 1, it said why), serves on socket_path until one of those
 * signals, then stops with a 10-second grace. Returns the exit status (0 after a clean stop); when
 * a call is still running after the grace, the process exits with 1 at once, freeing nothing in
 * use.
 */
int daemon_run(const char *name, const char *socket_path, const daemon_protocol_t *protocol,
               const daemon_limits_t *limits, const daemon_policy_t *policy, bool foreground,
               bool (*prepare)(void *ctx), void *prepare_ctx);

/* ---- for the protocol's hooks (on the worker serving conn) -------------------------------- */

/* The role the policy gave the peer when it connected (REFUSED also for a peer whose process
 * could not be identified). */
daemon_role_t daemon_conn_role(const daemon_conn_t *conn);
/* Closes the connection once serve() returns, after its reply (if any) is sent: for a peer
 * that sent something no message of the protocol can be. */
void daemon_conn_drop(daemon_conn_t *conn);
/* The peer's credentials from SO_PEERCRED, as read when it connected. */
void daemon_conn_peer(const daemon_conn_t *conn, uid_t *uid, pid_t *pid);
/* Whom the connection's calls are for: its process's client id and session, or the client a
 * forwarder asserted. */
const daemon_caller_t *daemon_conn_caller(const daemon_conn_t *conn);
/* A forwarder speaks for client_id from now on (0: for itself again). NOT_PERMITTED unless the
 * peer is a forwarder; INVALID_ARGUMENT for an id a forwarder may not assert. */
psa_status_t daemon_conn_assert_client(daemon_conn_t *conn, int32_t client_id);
/* The connection's transport (to map the shared memory a peer passes, say). */
rss_transport_t *daemon_conn_transport(daemon_conn_t *conn);
/*
 * The fast path (docs/rss-comms-linux.md): from the end of this serve() on, conn's calls may
 * also come through ch, a channel in shared memory, which replaces any earlier one; the core
 * serves its requests with serve() like the socket's, spinning briefly for the next one when
 * that pays. ch is taken over (destroyed on failure): PSA_ERROR_NOT_SUPPORTED when the daemon
 * runs without the fast path, PSA_ERROR_INVALID_ARGUMENT when its slots are smaller than the
 * protocol's largest message or reply.
 */
psa_status_t daemon_conn_set_channel(daemon_conn_t *conn, rss_channel_t *ch);
/* The request being served came through the channel and streams (rss_channel_stream_of):
 * which vectors, and their progress words. NULL when nothing streams. */
const rss_channel_stream_t *daemon_conn_stream(const daemon_conn_t *conn);
/* Detached connections: the stream the next serve() sees (NULL: none). */
void daemon_conn_set_stream(daemon_conn_t *conn, const rss_channel_stream_t *stream);
/* Whether the call being served is for no one any more: its peer hung up, or the daemon
 * stops. For a call that waits on its client. */
bool daemon_conn_abandoned(daemon_conn_t *conn);
/* The protocol's state_size bytes for this connection. */
void *daemon_conn_state(daemon_conn_t *conn);

/* A connection object without a socket or a process (fuzzers, unit tests): role client, the
 * given caller; connect() has run on it. */
daemon_conn_t *daemon_conn_new_detached(const daemon_protocol_t *protocol, int32_t client_id,
                                        uint64_t session);
/* Runs disconnect() and frees it. */
void daemon_conn_free_detached(const daemon_protocol_t *protocol, daemon_conn_t *conn);

#endif /* DAEMON_SERVER_H */
