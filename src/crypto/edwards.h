/* Edwards-curve arithmetic on libcrypto BIGNUM and HashEdDSA (RFC 8032 Ed25519ph, Ed448ph). */
#ifndef EDWARDS_H
#define EDWARDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/crypto.h>

typedef enum edwards_curve_id {
    EDWARDS_25519, /* edwards25519: a = -1, d = -121665/121666, cofactor 8 */
    EDWARDS_448,   /* edwards448: a = 1, d = -39081, cofactor 4 */
} edwards_curve_id_t;

/* Length of an encoded point, a private seed and a scalar: 32 (edwards25519) or 57 (edwards448).
 * A signature is twice that. */
size_t edwards_encoding_length(edwards_curve_id_t id);

/* Public key of a private seed: A = [s]B with s the clamped low half of H(seed) (RFC 8032
 * 5.1.5 / 5.2.5). Writes edwards_encoding_length(id) bytes. */
psa_status_t edwards_public_key(edwards_curve_id_t id, const uint8_t *seed, uint8_t *public_key);

/* Whether `encoding` decodes to a point per RFC 8032 5.1.3 / 5.2.3 (canonical y, a square root
 * exists, no "negative zero" x). */
bool edwards_point_is_valid(edwards_curve_id_t id, const uint8_t *encoding);

/*
 * HashEdDSA with an empty context (Ed25519ph: dom2(1, ""), Ed448ph: dom4(1, "")). `prehash` is
 * PH(M), 64 bytes (SHA-512 or SHAKE256 with 64 bytes of output); `public_key` is the encoding of
 * the key's A. Sign writes 2 * edwards_encoding_length(id) bytes. Verify answers SUCCESS or
 * INVALID_SIGNATURE (INSUFFICIENT_MEMORY when BIGNUM cannot allocate).
 */
psa_status_t edwards_ph_sign(edwards_curve_id_t id, const uint8_t *seed, const uint8_t *public_key,
                             const uint8_t prehash[64], uint8_t *signature);
psa_status_t edwards_ph_verify(edwards_curve_id_t id, const uint8_t *public_key,
                               const uint8_t prehash[64], const uint8_t *signature);

#endif /* EDWARDS_H */
