/* libpsa's internal psa_call: what the crypto, ITS and PS marshalling use to reach rssd. */
#ifndef CLIENT_CALL_H
#define CLIENT_CALL_H

#include <stddef.h>
#include <stdint.h>

#include <psa/client.h>

/* TF-M's stateless handles (reference sheet §3.1), the only handles rssd serves. */
#include "comms/rss_services.h"

/*
 * Same contract as psa_call(): sends one call to rssd and waits for its reply, choosing the embed
 * protocol when inputs plus outputs fit in the embed limit and pointer access (through the
 * connection's shared memory) otherwise. On return out[i].len holds the bytes the service wrote.
 *
 * Thread-safe: each call borrows a connection from a process-wide pool (one request in flight
 * per connection) and gives it back; threads run calls in parallel on different connections.
 * Volatile keys and multi-part operations belong to the process: rssd keys them on the peer's
 * pid and process start time, so every connection of the process sees the same ones, and they
 * live as long as the process keeps one pooled connection open (until exit, in practice).
 *
 * Errors of its own: PSA_ERROR_COMMUNICATION_FAILURE when rssd cannot be reached (not running:
 * fails fast, no retry loop), the connection breaks mid-call, or the reply is malformed; a stale
 * connection to an rssd that has restarted is replaced transparently before the request is sent.
 * PSA_ERROR_PROGRAMMER_ERROR for arguments no message can carry (in_len + out_len > 4, type
 * outside 0..INT16_MAX, a NULL base with a nonzero length). It never aborts the process.
 */
psa_status_t client_call(psa_handle_t service, int32_t type, const psa_invec *in, size_t in_len,
                         psa_outvec *out, size_t out_len);

/* Closes every pooled connection (rssd then releases the process's volatile keys and
 * operations). For tests and for libraries that need a clean slate; later calls reconnect. */
void client_disconnect_all(void);

#endif /* CLIENT_CALL_H */
