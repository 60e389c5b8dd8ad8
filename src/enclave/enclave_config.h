/* rssd's run-time configuration, set once by main before any worker starts; read by services. */
#ifndef ENCLAVE_CONFIG_H
#define ENCLAVE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/crypto.h>

/* Volatile key ids rssd's core hands out: disjoint from CORE_LOCAL_VOLATILE_ID_MIN..MAX
 * (0x7ff00000..0x7fffffff, libpsa-local and libpsa's split mode), so a key id alone tells a
 * client library where a volatile key lives. */
#define ENCLAVE_VOLATILE_ID_MIN ((psa_key_id_t)0x7fe00000)
#define ENCLAVE_VOLATILE_ID_MAX ((psa_key_id_t)0x7fefffff)

#define ENCLAVE_DEFAULT_MAX_VOLATILE_KEYS 64u
#define ENCLAVE_DEFAULT_MAX_OPERATIONS    32u
#define ENCLAVE_DEFAULT_WORKERS           4u
/* Per client id (all processes of one uid, or one asserted id): bounds what a client can hold
 * by opening many processes, each with its own per-session allowance. */
#define ENCLAVE_DEFAULT_MAX_VOLATILE_KEYS_PER_CLIENT 256u
#define ENCLAVE_DEFAULT_MAX_OPERATIONS_PER_CLIENT    128u
/* PBKDF2 iterations a client may ask for: 2^24, the largest count of RFC 6070's vectors, a few
 * seconds of one worker. */
#define ENCLAVE_DEFAULT_MAX_KDF_ITERATIONS      16777216u
#define ENCLAVE_DEFAULT_MAX_CONNECTIONS_PER_UID 256u
#define ENCLAVE_DEFAULT_SHUTDOWN_GRACE_SECONDS  10u
/* How long a streamed call waits for its client's next bytes before it fails: long enough that
 * only a client that stopped (or never meant to send) meets it. */
#define ENCLAVE_DEFAULT_STREAM_STALL_MS 10000u

typedef struct enclave_config {
    /* Per session (client process, or asserted client behind a forwarder process). 0: no
     * limit. The core enforces the key limit (core_config_t.max_volatile_keys_per_session);
     * the crypto service enforces the operation limit with PSA_ERROR_INSUFFICIENT_MEMORY. */
    size_t max_volatile_keys_per_session;
    size_t max_operations_per_session;
    /* Per client id, across its sessions; 0: no limit. Enforced by the crypto service with
     * PSA_ERROR_INSUFFICIENT_MEMORY. */
    size_t max_volatile_keys_per_client;
    size_t max_operations_per_client;
    /* Workers that may serve calls of one client id at once; 0 (or more than the workers):
     * workers - 1, at least 1. */
    size_t max_busy_workers_per_client;
    /* Largest PBKDF2 iteration count (the crypto core answers NOT_SUPPORTED above it). */
    size_t max_kdf_iterations;
    /* Open connections per peer uid; 0: no limit. Further connections are closed at once. */
    size_t max_connections_per_uid;
    /* A streamed call (the fast path) whose client sends no more of its input for this long
     * fails with COMMUNICATION_FAILURE. */
    size_t stream_stall_ms;
    /* After SIGTERM, how long in-flight calls may run before rssd exits without them. */
    unsigned shutdown_grace_seconds;
    size_t embed_limit; /* RSS comms embed payload limit, default RSS_MSG_DEFAULT_EMBED_LIMIT */
    unsigned workers;
    /* --no-fast-path: CHANNEL_SETUP is answered NOT_SUPPORTED, every call takes the socket. */
    bool no_fast_path;
} enclave_config_t;

/* The configuration in force; never NULL (defaults before enclave_config_set). Workers only
 * read it, so no lock is needed. */
const enclave_config_t *enclave_config(void);
/* Called by main before the worker pool and services start. */
void enclave_config_set(const enclave_config_t *config);

#endif /* ENCLAVE_CONFIG_H */
