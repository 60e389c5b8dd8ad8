/* rssd's connection server: accept, identify, and serve RSS comms messages on a worker pool. */
#ifndef ENCLAVE_SERVER_H
#define ENCLAVE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <psa/error.h>

#include "daemon/identity.h"

typedef struct enclave_server enclave_server_t;

/* Listens on socket_path (mode 0666: identity comes from SO_PEERCRED, not file permissions). */
psa_status_t enclave_server_create(const char *socket_path, const daemon_policy_t *policy,
                                   enclave_server_t **out);
/* The same on a listening socket already made (systemd socket activation); rssd neither binds
 * nor removes a socket file then. Takes ownership of listen_fd (closed on failure too). */
psa_status_t enclave_server_create_on(int listen_fd, const daemon_policy_t *policy,
                                      enclave_server_t **out);
/* Shuts down every open connection whose peer uid drop() selects; their workers then close
 * them as if the peer had hung up, and the peer's next connection gets the role the policy
 * now gives it (the policy is consulted when a connection is accepted). Returns how many. */
size_t enclave_server_drop_connections(enclave_server_t *server, bool (*drop)(uid_t uid, void *ctx),
                                       void *ctx);
/* Starts the workers (enclave_config()->workers of them) and the monitor that moves connections
 * off a worker stuck in a long call; at most enclave_config()->max_busy_workers_per_client of
 * them serve one client id at a time. */
psa_status_t enclave_server_start(enclave_server_t *server);
/* Asks the workers to stop after their current call; safe from any thread. */
void enclave_server_stop(enclave_server_t *server);
/* Stops the workers and waits up to grace_seconds for their current calls; then destroys the
 * server and returns true, or, when some call is still running (a huge key derivation, say),
 * returns false and leaves everything in place: the caller exits without freeing what running
 * workers still use. Storage stays consistent because every durable write is atomic. */
bool enclave_server_shutdown(enclave_server_t *server, unsigned grace_seconds);
/* Joins the workers, closes every connection (releasing sessions), removes the socket file. */
void enclave_server_destroy(enclave_server_t *server);

/*
 * Serves one received packet of a connection and writes the reply into reply (reply_size bytes,
 * at least RSS_MSG_EMBED_REPLY_FIXED + embed limit). The transport-free core of a worker, also
 * used by the fuzzers. Returns the reply length, 0 for no reply.
 * The reply carries only bytes a service wrote for this call, none at all when the call fails
 * (every out_size 0, no output copied to shared memory), whatever msg and reply held before:
 * both buffers may be reused across connections and clients. Nothing it wrote is left in reply
 * past the returned length; the caller wipes the reply once sent, and msg.
 */
typedef struct enclave_conn enclave_conn_t;
size_t enclave_serve_message(enclave_conn_t *conn, const uint8_t *msg, size_t length,
                             size_t full_length, int fd, uint8_t *reply, size_t reply_size);

/* Frees the calling thread's private copy buffer (enclave_serve_message grows one per thread). */
void enclave_serve_thread_exit(void);

/* A connection object without a socket, for the fuzzer: role client, the given caller. */
enclave_conn_t *enclave_conn_new_detached(int32_t client_id, uint64_t session);
void enclave_conn_free_detached(enclave_conn_t *conn);

#endif /* ENCLAVE_SERVER_H */
