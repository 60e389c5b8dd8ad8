/* libpsa's crypto layer: the routing policy, the in-process core's caller and the call helper. */
#ifndef CLIENT_CRYPTO_CLIENT_H
#define CLIENT_CRYPTO_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/crypto.h>

#include "comms/crypto_calls.h"
#include "comms/wire.h"
#include "crypto/core.h"

/*
 * Routing (PSA_ROUTING, read once by psa_crypto_init):
 *   enclave (default) - every call goes to rssd; the in-process core is never initialised.
 *   split             - hashing, random numbers and volatile symmetric keys run in-process on
 *                       the same core as libpsa-local; asymmetric and persistent keys stay in
 *                       rssd. A call that names a key runs where the key lives, told by its id:
 *                       ids in CORE_LOCAL_VOLATILE_ID_MIN..MAX are in-process, rssd never hands
 *                       those out (its volatile range is ENCLAVE_VOLATILE_ID_MIN..MAX).
 * Operation objects: `route` says where the operation runs, `handle` is rssd's handle of it,
 * `ctx` is the in-process core's state.
 */
enum {
    CRYPTO_ROUTE_NONE = 0,
    CRYPTO_ROUTE_ENCLAVE = 1,
    CRYPTO_ROUTE_LOCAL = 2,
};

/* True once psa_crypto_init has succeeded in this process. */
bool crypto_client_initialised(void);
/* True in split mode (only meaningful after psa_crypto_init). */
bool crypto_client_split(void);

/* The in-process core acts for this caller; owner and session do not leave the process. */
extern const core_caller_t crypto_client_local_caller;

#define CRYPTO_REQUIRE_INIT()                                                                      \
    do {                                                                                           \
        if (!crypto_client_initialised()) {                                                        \
            return PSA_ERROR_BAD_STATE;                                                            \
        }                                                                                          \
    } while (0)

/* Whether a key with this id lives in this process. */
static inline bool crypto_key_is_local(psa_key_id_t id)
{
    return crypto_client_split() && id >= CORE_LOCAL_VOLATILE_ID_MIN &&
           id <= CORE_LOCAL_VOLATILE_ID_MAX;
}

/* Whether a key created with these attributes is created in this process (split mode only:
 * volatile, local location, not asymmetric). */
bool crypto_attributes_are_local(const psa_key_attributes_t *attributes);

/* Where a multi-part operation runs now: a local operation whose core state has ended (the core
 * aborted it after an error) is inactive. */
#define CRYPTO_OP_ROUTE(op)                                                                        \
    ((op)->route == CRYPTO_ROUTE_LOCAL && (op)->ctx == NULL ? (uint32_t)CRYPTO_ROUTE_NONE          \
                                                            : (op)->route)

/* The data vectors of one call to rssd, besides the iovec header; out_len receives the bytes
 * rssd wrote into each output. */
typedef struct crypto_vecs {
    const void *in[CRYPTO_CALL_MAX_IN];
    size_t in_len[CRYPTO_CALL_MAX_IN];
    void *out[CRYPTO_CALL_MAX_OUT];
    size_t out_size[CRYPTO_CALL_MAX_OUT];
    size_t out_len[CRYPTO_CALL_MAX_OUT];
} crypto_vecs_t;

/* Marshals by the crypto call table (iov->function_id picks the row) and calls rssd. */
psa_status_t crypto_remote(const crypto_iovec_t *iov, crypto_vecs_t *vecs);

/* A 4-byte output (key id, handle) of out_vec[index], read from `buffer`; 0 when rssd wrote
 * nothing there. */
static inline uint32_t crypto_out_u32(const crypto_vecs_t *vecs, size_t index,
                                      const uint8_t buffer[4])
{
    return vecs->out_len[index] == 4 ? wire_load_u32(buffer) : 0;
}

/* A call to rssd whose single output is a new key id; `attributes` travel in in_vec[1] and
 * `data` (may be NULL) in in_vec[2]. *key is PSA_KEY_ID_NULL unless it succeeds. */
psa_status_t crypto_remote_new_key(crypto_iovec_t *iov, const psa_key_attributes_t *attributes,
                                   const uint8_t *data, size_t data_length, psa_key_id_t *key);

/* A call to rssd with up to two data inputs and one byte-string output (either may be absent). */
psa_status_t crypto_remote_bytes(uint16_t function_id, psa_key_id_t key, psa_algorithm_t alg,
                                 const uint8_t *in0, size_t in0_length, const uint8_t *in1,
                                 size_t in1_length, uint8_t *output, size_t output_size,
                                 size_t *output_length);

#endif /* CLIENT_CRYPTO_CLIENT_H */
