/* ts_crypto: the TS packed-c crypto protocol (sheet §2.2), translated row by row to the RSS comms
 * crypto calls of comms/crypto_calls (one table, both wires). */
#ifndef TS_CRYPTO_H
#define TS_CRYPTO_H

#include <stddef.h>

#include <psa/client.h>
#include <psa/crypto.h>

#include "ts/ts_endpoint.h"

/* Where the translated call goes: the crypto service (RSS comms layout: in[0] the 56-byte iovec
 * header, then the row's vectors) for the connection's session. se-proxy forwards it to rssd. */
typedef struct ts_crypto_backend {
    psa_status_t (*call)(void *session, const psa_invec *in, size_t in_len, psa_outvec *out,
                         size_t out_len);
} ts_crypto_backend_t;

/* ts_serve_fn for the crypto UUID; context is a const ts_crypto_backend_t *. RPC statuses: an
 * unknown opcode RPC_ERROR_INVALID_VALUE; a short fixed part or a missing or malformed TLV
 * RPC_ERROR_INVALID_REQUEST_BODY; a response that does not fit the memory RPC_ERROR_INTERNAL
 * (sheet §2.1); out of memory RPC_ERROR_RESOURCE_FAILURE. Otherwise RPC_SUCCESS with the PSA
 * status as the service status, and the response only with PSA_SUCCESS. */
int32_t ts_crypto_serve(void *context, ts_call_t *call);

/* The 24-byte ts_crypto_key_attributes (type, key_bits, lifetime, id, usage, alg; u32 LE each).
 * The id is taken for every persistent lifetime (persistence level not 0: the sheet's "Ours"),
 * not only for lifetime 1 as upstream. INVALID_ARGUMENT for a type PSA cannot hold (16 bits). */
#define TS_CRYPTO_ATTRIBUTES_SIZE 24u
psa_status_t ts_crypto_attributes_decode(const uint8_t in[TS_CRYPTO_ATTRIBUTES_SIZE],
                                         psa_key_attributes_t *attributes);
void ts_crypto_attributes_encode(const psa_key_attributes_t *attributes,
                                 uint8_t out[TS_CRYPTO_ATTRIBUTES_SIZE]);

#endif /* TS_CRYPTO_H */
