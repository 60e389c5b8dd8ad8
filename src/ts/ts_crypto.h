/* ts_crypto: the TS packed-c crypto protocol (sheet §2.2), translated row by row to the RSS comms
 * crypto calls of comms/crypto_calls (one table, both wires). */
#ifndef TS_CRYPTO_H
#define TS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include <psa/client.h>
#include <psa/crypto.h>

#include "ts/ts_endpoint.h"

/* Where the translated call goes: the crypto service (RSS comms layout: in[0] the 56-byte iovec
 * header, then the row's vectors) for the connection's session. se-proxy forwards it to rssd. */
typedef struct ts_crypto_backend {
    psa_status_t (*call)(void *session, const psa_invec *in, size_t in_len, psa_outvec *out,
                         size_t out_len);
    /* The UEFI opcodes (sheet §2.2) upstream's smm-gateway calls; NULL: the opcode answers
     * RPC_ERROR_INVALID_VALUE. 0x0112 VERIFY_PKCS7_SIGNATURE: TLV1 PKCS#7 (DER), TLV2 hash, TLV3
     * the signer's certificate (DER, optional); the service status is pkcs7_verify's answer
     * (0, or a negative Mbed TLS code). 0x0113 GET_UEFI_PRIV_AUTH_VAR_FINGERPRINT: TLV1 PKCS#7;
     * the response TLV1 is 64 bytes, the fingerprint then zeros; the service status is the EFI
     * status's low 32 bits (0, or EFI_COMPROMISED_DATA's 0x21), as the 32-bit field carries it. */
    int32_t (*pkcs7_verify)(const uint8_t *pkcs7, size_t pkcs7_size, const uint8_t *hash,
                            size_t hash_size, const uint8_t *cert, size_t cert_size);
    uint64_t (*uefi_fingerprint)(const uint8_t *pkcs7, size_t pkcs7_size, uint8_t fingerprint[32]);
} ts_crypto_backend_t;

#define TS_CRYPTO_OP_VERIFY_PKCS7_SIGNATURE             0x0112u
#define TS_CRYPTO_OP_GET_UEFI_PRIV_AUTH_VAR_FINGERPRINT 0x0113u

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

/*
 * The generic extension (docs/trusted-services.md, "Generic rows"): opcode TS_CRYPTO_OP_GENERIC |
 * function id carries any row of the call schema (comms/crypto_calls.h), so every function of the
 * Crypto API reaches rssd through se-proxy, not only those packed-c has an opcode for. Request:
 * the row's header fields in order (key u32, alg u32, handle u32, ad and plaintext lengths u64,
 * step u32, value u64; only those the row uses), its fixed-size inputs in slot order (attributes
 * in RSS comms' exact 24-byte layout, comms/crypto_calls.h, which keeps every field the record
 * has; a clone's target handle u32, a PAKE suite as three u32), each
 * byte input the row names in role order as u32 length + bytes (a header nonce included), and
 * for each byte output in role order the u64 size the caller can take. Response, with
 * PSA_SUCCESS only: the row's fixed-size outputs in slot order (handle u32, key u32, attributes
 * 24 bytes as above, capacity u64), then each byte output in role order as u32 length + bytes. All
 * little-endian. A request that does not parse is RPC_ERROR_INVALID_REQUEST_BODY; output sizes
 * beyond the response memory RPC_ERROR_INVALID_RESPONSE_BODY.
 */
#define TS_CRYPTO_OP_GENERIC 0x8000u

#include "comms/crypto_calls.h"

/* Client side: the bytes a record's generic request and response take. */
size_t ts_crypto_generic_request_size(const crypto_args_t *a);
size_t ts_crypto_generic_response_size(const crypto_args_t *a);
/* Client side: the request into `request` (false if it does not fit or the id has no row). */
bool ts_crypto_generic_encode(const crypto_args_t *a, uint8_t *request, size_t size,
                              size_t *length);
/* Client side: a successful call's response into the record (fixed outputs, byte outputs copied
 * into its buffers). COMMUNICATION_FAILURE for a response that does not parse. */
psa_status_t ts_crypto_generic_decode(crypto_args_t *a, const uint8_t *response, size_t length);

#endif /* TS_CRYPTO_H */
