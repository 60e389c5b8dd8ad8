/* rssd's side of the daemon core: the RSS comms protocol it serves. */
#ifndef ENCLAVE_SERVER_H
#define ENCLAVE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <psa/error.h>

#include "daemon/server.h"

/* A connection of rssd: the daemon core's, with the RSS protocol's state (its shared memory). */
typedef daemon_conn_t enclave_conn_t;

/* rssd's protocol table for the daemon core: RSS comms messages (buffers sized by the embed
 * limit in enclave_config()), a shared memory per connection, sessions released in every
 * service. */
void enclave_rss_protocol(daemon_protocol_t *out);
/* The daemon core's limits from enclave_config(): workers, busy workers per client id,
 * connections per uid. */
daemon_limits_t enclave_daemon_limits(void);

/*
 * Serves one received packet of a connection and writes the reply into reply (reply_size bytes,
 * at least RSS_MSG_EMBED_REPLY_FIXED + embed limit). The transport-free core of a worker, also
 * used by the fuzzers. Returns the reply length, 0 for no reply.
 * The reply carries only bytes a service wrote for this call, none at all when the call fails
 * (every out_size 0, no output copied to shared memory), whatever msg and reply held before:
 * both buffers may be reused across connections and clients. Nothing it wrote is left in reply
 * past the returned length; the caller wipes the reply once sent, and msg.
 */
size_t enclave_serve_message(enclave_conn_t *conn, const uint8_t *msg, size_t length,
                             size_t full_length, int fd, uint8_t *reply, size_t reply_size);

/* Frees the calling thread's private copy buffer (enclave_serve_message grows one per thread). */
void enclave_serve_thread_exit(void);

/* A connection object without a socket, for the fuzzer: role client, the given caller. */
enclave_conn_t *enclave_conn_new_detached(int32_t client_id, uint64_t session);
void enclave_conn_free_detached(enclave_conn_t *conn);

#endif /* ENCLAVE_SERVER_H */
