/* An RSS comms client: one connection to rssd, psa_call over it, ASSERT_CLIENT for forwarders. */
#ifndef COMMS_RSS_CLIENT_H
#define COMMS_RSS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/client.h>

#include "comms/transport.h"

/*
 * One connection carries one request at a time (like a mailbox channel); a client is not shared
 * between threads without a lock (libpsa pools them). It owns its message buffer, sized for the
 * largest embed message, and, from the first call that needs pointer access, one shared-memory
 * region announced to rssd with SHM_SETUP: a call allocates nothing.
 */
typedef struct rss_client rss_client_t;

/* Connects to the server at address (rss_transport_connect; errno says why on failure).
 * embed_limit: the largest embed payload this client sends (inputs and outputs together). */
psa_status_t rss_client_open(const char *address, size_t embed_limit, rss_client_t **out);
/* The same on a connected transport (taken over, closed on failure too). */
psa_status_t rss_client_wrap(const rss_transport_t *transport, size_t embed_limit,
                             rss_client_t **out);
void rss_client_close(rss_client_t *client);

/* The psa_call argument checks (PSA_ERROR_PROGRAMMER_ERROR for bad counts, a type out of range,
 * NULL vectors or a vector over 4 GiB), before any connection is used. */
psa_status_t rss_client_check(int32_t type, const psa_invec *in, size_t in_len,
                              const psa_outvec *out, size_t out_len);

/*
 * One psa_call. Embed when the inputs and outputs fit in the embed limit (so the reply fits
 * too), pointer access otherwise, as TF-A and TS choose; a server with a smaller embed limit
 * answers CONNECTION_BUSY, and the call is made again by pointer access. *stale is set when the
 * first message could not be sent at all (the server was gone before anything was delivered):
 * the caller may rerun the call once on a new client. After PSA_ERROR_COMMUNICATION_FAILURE the
 * client may be out of step with the server: close it.
 */
psa_status_t rss_client_call(rss_client_t *client, psa_handle_t handle, int32_t type,
                             const psa_invec *in, size_t in_len, psa_outvec *out, size_t out_len,
                             bool *stale);

/* For forwarders: the following calls are for client_id, a caller the forwarder serves (0: for
 * the forwarder itself again). The server's answer: NOT_PERMITTED unless the policy makes this
 * peer a forwarder, INVALID_ARGUMENT for an id that may not be asserted. */
psa_status_t rss_client_assert_client(rss_client_t *client, int32_t client_id);

#endif /* COMMS_RSS_CLIENT_H */
