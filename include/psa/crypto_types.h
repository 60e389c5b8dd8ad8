/*
 * PSA Certified Crypto API 1.2 -- scalar types and opaque object type names.
 *
 * The structure bodies behind the object types declared here are defined in
 * psa/crypto_struct.h.  Applications include psa/crypto.h, not this file.
 */
#ifndef PSA_CRYPTO_TYPES_H
#define PSA_CRYPTO_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "psa/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Keys --------------------------------------------------------------- */

/** Key identifier (0 is PSA_KEY_ID_NULL). */
typedef uint32_t psa_key_id_t;

/** Key type encoding (see PSA_KEY_TYPE_xxx). */
typedef uint16_t psa_key_type_t;

/** Elliptic curve family identifier (see PSA_ECC_FAMILY_xxx). */
typedef uint8_t psa_ecc_family_t;

/** Finite-field Diffie-Hellman group family identifier (see PSA_DH_FAMILY_xxx). */
typedef uint8_t psa_dh_family_t;

/** Key lifetime: persistence level in bits 0-7, location in bits 8-31. */
typedef uint32_t psa_key_lifetime_t;

/** Persistence level part of a key lifetime. */
typedef uint8_t psa_key_persistence_t;

/** Location part of a key lifetime (only the low 24 bits are used). */
typedef uint32_t psa_key_location_t;

/** Bit mask of key usage flags (see PSA_KEY_USAGE_xxx). */
typedef uint32_t psa_key_usage_t;

/** Internal representation of a key size in bits (not part of the API). */
typedef uint16_t psa_key_bits_t;

/** Key attributes object. */
typedef struct psa_key_attributes_s psa_key_attributes_t;

/* ---- Algorithms and operations ----------------------------------------- */

/** Algorithm identifier (see PSA_ALG_xxx). */
typedef uint32_t psa_algorithm_t;

/** Multi-part hash operation object. */
typedef struct psa_hash_operation_s psa_hash_operation_t;

/** Multi-part MAC operation object. */
typedef struct psa_mac_operation_s psa_mac_operation_t;

/** Multi-part unauthenticated cipher operation object. */
typedef struct psa_cipher_operation_s psa_cipher_operation_t;

/** Multi-part AEAD operation object. */
typedef struct psa_aead_operation_s psa_aead_operation_t;

/** Key derivation operation object. */
typedef struct psa_key_derivation_s psa_key_derivation_operation_t;

/** Identifier of an input step of a key derivation (see PSA_KEY_DERIVATION_INPUT_xxx). */
typedef uint16_t psa_key_derivation_step_t;

/* ---- Password-authenticated key exchange (PAKE) ------------------------- */

/** Role of the application in a PAKE exchange (see PSA_PAKE_ROLE_xxx). */
typedef uint8_t psa_pake_role_t;

/** Kind of message exchanged in a PAKE step (see PSA_PAKE_STEP_xxx). */
typedef uint8_t psa_pake_step_t;

/** Kind of cryptographic primitive underlying a PAKE (see PSA_PAKE_PRIMITIVE_TYPE_xxx). */
typedef uint8_t psa_pake_primitive_type_t;

/** Family of the primitive underlying a PAKE (an ECC or DH family value). */
typedef uint8_t psa_pake_family_t;

/** Full PAKE primitive encoding: type, family and size, see PSA_PAKE_PRIMITIVE(). */
typedef uint32_t psa_pake_primitive_t;

/** PAKE cipher suite object. */
typedef struct psa_pake_cipher_suite_s psa_pake_cipher_suite_t;

/** Multi-part PAKE operation object. */
typedef struct psa_pake_operation_s psa_pake_operation_t;

#ifdef __cplusplus
}
#endif

#endif /* PSA_CRYPTO_TYPES_H */
