/* Shared internals of the asymmetric families: curve and group tables, key objects, peer keys. */
#ifndef ASYM_INTERNAL_H
#define ASYM_INTERNAL_H

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "core.h"

typedef enum asym_curve_kind {
    ASYM_CURVE_WEIERSTRASS,
    ASYM_CURVE_MONTGOMERY,
    ASYM_CURVE_EDWARDS,
} asym_curve_kind_t;

typedef struct asym_curve {
    psa_ecc_family_t family;
    size_t bits; /* PSA key size */
    asym_curve_kind_t kind;
    const char *name;      /* OpenSSL group name (Weierstrass) or key type name (others) */
    int nid;               /* curve NID of Weierstrass curves, 0 otherwise */
    size_t private_length; /* export format of the key pair */
    size_t public_length;  /* export format of the public key */
    size_t secret_length;  /* raw ECDH output (x coordinate or u) */
} asym_curve_t;

/* The curve of a family and PSA key size, or NULL when the pair is not built. */
const asym_curve_t *asym_curve_find(psa_ecc_family_t family, size_t bits);
/* The curve of an ECC key type, found from the length of its export-format material. *status
 * receives INVALID_ARGUMENT (no size of the family has that length) or NOT_SUPPORTED. */
const asym_curve_t *asym_curve_by_length(psa_key_type_t type, size_t length, psa_status_t *status);
/* Shared, read-only group of a Weierstrass curve (created once per process). */
const EC_GROUP *asym_curve_group(const asym_curve_t *curve);

/* Prime of an RFC 7919 group of `bits` bits, or NULL (created once per process). */
const BIGNUM *asym_dh_prime(size_t bits);
const char *asym_dh_group_name(size_t bits);

/* Key-type rules for the asymmetric types (called through key_types.c). */
psa_status_t asym_key_validate(psa_key_type_t type, const uint8_t *data, size_t length,
                               size_t *bits);
psa_status_t asym_key_generate(psa_key_type_t type, size_t bits, uint8_t **material,
                               size_t *length);
/* Builds the EVP_PKEY of a key from its export-format material. */
psa_status_t asym_key_load(psa_key_type_t type, size_t bits, const uint8_t *data, size_t length,
                           EVP_PKEY **pkey);
psa_status_t asym_key_export_public(const core_key_t *key, uint8_t *data, size_t data_size,
                                    size_t *data_length);
/* Exact length of the public key export of a key of `type` and `bits`. */
size_t asym_public_key_length(psa_key_type_t type, size_t bits);

/* Parses a peer public key for agreement with a key pair of `pair_type`/`bits`: the data must be
 * a valid public key in export format (INVALID_ARGUMENT otherwise). */
psa_status_t asym_peer_key_load(psa_key_type_t pair_type, size_t bits, const uint8_t *data,
                                size_t length, EVP_PKEY **pkey);

/* Writes a BIGNUM as a big-endian string of exactly `length` bytes. */
psa_status_t asym_bn_to_bytes(const BIGNUM *bn, uint8_t *out, size_t length);

/* The key's OpenSSL object. */
static inline EVP_PKEY *asym_pkey(const core_key_t *key)
{
    return (EVP_PKEY *)key->asym;
}

/* Raw agreement of a key pair (ECDH or FFDH) with a peer public key in export format; writes
 * exactly the secret length, which must fit `output_size` (checked by the caller). */
psa_status_t asym_agree(core_key_t *key, const uint8_t *peer_key, size_t peer_key_length,
                        uint8_t *output, size_t output_size, size_t *output_length);
/* The whole raw agreement `alg` for the key derivation family: acquires `private_key` with
 * DERIVE and the operation's algorithm `policy_alg`, checks the key type and computes the secret
 * (same statuses as psa_raw_key_agreement). */
psa_status_t core_asym_agreement_secret(const core_caller_t *caller, psa_algorithm_t policy_alg,
                                        psa_algorithm_t alg, psa_key_id_t private_key,
                                        const uint8_t *peer_key, size_t peer_key_length,
                                        uint8_t *output, size_t output_size, size_t *output_length);

/* Draws `length` bytes of a key derivation stream (taking them off its capacity). */
typedef psa_status_t (*asym_draw_t)(void *stream, uint8_t *output, size_t length);
/* Derives the material of an asymmetric key pair from a stream, by the specification's procedure
 * for the type (ECC families); NOT_SUPPORTED for RSA and DH. Caller frees with core_free_secret. */
psa_status_t asym_key_derive(psa_key_type_t type, size_t bits, asym_draw_t draw, void *stream,
                             uint8_t **material, size_t *length);
/* Shared secret length of a key pair for its agreement algorithm (0: not an agreement key). */
size_t asym_agreement_length(psa_key_type_t type, size_t bits);

/* Signature families: the caller has checked policy, key type and buffer sizes. */
psa_status_t rsa_sign_hash(core_key_t *key, psa_algorithm_t alg, const uint8_t *hash,
                           size_t hash_length, uint8_t *signature, size_t *signature_length);
psa_status_t rsa_verify_hash(core_key_t *key, psa_algorithm_t alg, const uint8_t *hash,
                             size_t hash_length, const uint8_t *signature, size_t signature_length);
psa_status_t rsa_encrypt(core_key_t *key, psa_algorithm_t alg, const uint8_t *input,
                         size_t input_length, const uint8_t *label, size_t label_length,
                         uint8_t *output, size_t output_size, size_t *output_length);
psa_status_t rsa_decrypt(core_key_t *key, psa_algorithm_t alg, const uint8_t *input,
                         size_t input_length, const uint8_t *label, size_t label_length,
                         uint8_t *output, size_t output_size, size_t *output_length);
/* Largest plaintext of RSA encryption with `alg` for a modulus of `bits`. */
size_t rsa_max_plaintext(psa_algorithm_t alg, size_t bits);

psa_status_t ecdsa_sign_hash(core_key_t *key, psa_algorithm_t alg, const uint8_t *hash,
                             size_t hash_length, uint8_t *signature, size_t *signature_length);
psa_status_t ecdsa_verify_hash(core_key_t *key, psa_algorithm_t alg, const uint8_t *hash,
                               size_t hash_length, const uint8_t *signature,
                               size_t signature_length);

psa_status_t eddsa_sign(core_key_t *key, psa_algorithm_t alg, const uint8_t *input,
                        size_t input_length, uint8_t *signature, size_t *signature_length);
psa_status_t eddsa_verify(core_key_t *key, psa_algorithm_t alg, const uint8_t *input,
                          size_t input_length, const uint8_t *signature, size_t signature_length);
/* Ed25519ph / Ed448ph on PH(M), 64 bytes (the caller checked the length and the curve). */
psa_status_t eddsa_ph_sign_hash(core_key_t *key, psa_algorithm_t alg, const uint8_t *hash,
                                size_t hash_length, uint8_t *signature, size_t *signature_length);
psa_status_t eddsa_ph_verify_hash(core_key_t *key, psa_algorithm_t alg, const uint8_t *hash,
                                  size_t hash_length, const uint8_t *signature,
                                  size_t signature_length);

/* Key cache kinds: the algorithm with a tag in the top bits for the direction. */
#define ASYM_CACHE_SIGN           0x10000000u
#define ASYM_CACHE_VERIFY         0x20000000u
#define ASYM_CACHE_ENCRYPT        0x30000000u
#define ASYM_CACHE_DECRYPT        0x40000000u
#define ASYM_CACHE_KIND(dir, alg) ((uint32_t)(dir) | ((uint32_t)(alg)&0x0fffffffu))

void asym_free_pkey_ctx(void *ctx);
void asym_free_md_ctx(void *ctx);

#endif /* ASYM_INTERNAL_H */
