/*
 * PSA Certified Crypto API 1.2 -- buffer size macros.
 *
 * All *_SIZE, *_MAX_SIZE and *_LENGTH macros here expand to integer constant
 * expressions when their arguments are integer constant expressions, so they
 * can be used for array dimensions and in _Static_assert.  Arguments may be
 * evaluated more than once.
 *
 * The *_MAX_SIZE values are dimensioned for what this implementation
 * supports: RSA keys up to PSA_VENDOR_RSA_MAX_KEY_BITS, elliptic curves up to
 * PSA_VENDOR_ECC_MAX_CURVE_BITS (secp521r1, Ed448, X448), finite-field DH up
 * to PSA_VENDOR_FFDH_MAX_KEY_BITS, hashes up to 64 bytes, cipher blocks up to
 * 16 bytes and nonces/IVs up to 24 bytes (XChaCha20).
 */
#ifndef PSA_CRYPTO_SIZES_H
#define PSA_CRYPTO_SIZES_H

#include <stddef.h>
#include <stdint.h>

#include "psa/crypto_values.h"

/* ======================================================================== */
/* Implementation limits                                                    */
/* ======================================================================== */

#define PSA_VENDOR_RSA_MAX_KEY_BITS     4096
#define PSA_VENDOR_ECC_MAX_CURVE_BITS   521
#define PSA_VENDOR_FFDH_MAX_KEY_BITS    8192

/* ======================================================================== */
/* Generic helpers                                                          */
/* ======================================================================== */

#define PSA_BITS_TO_BYTES(bits)   ((size_t)(((size_t)(bits) + 7u) / 8u))
#define PSA_BYTES_TO_BITS(bytes)  ((size_t)(bytes) * 8u)

/* Round value up to a multiple of block; block 0 leaves value unchanged. */
#define PSA_ROUND_UP_TO_MULTIPLE(block_size, length) \
    ((size_t)((block_size) == 0 ? (size_t)(length) : \
        ((((size_t)(length) + (size_t)(block_size) - 1u) / \
          ((size_t)(block_size) + ((block_size) == 0))) * (size_t)(block_size))))

/* Private helper: larger of two sizes. */
#define PSA__SIZE_MAX2(a, b) ((size_t)((a) > (b) ? (a) : (b)))

/* ======================================================================== */
/* Hashes                                                                   */
/* ======================================================================== */

/* Private helper: hash selector (low byte) of a hash or HMAC algorithm, or 0
 * when alg is neither. */
#define PSA__HASH_SEL(alg) \
    ((PSA_ALG_IS_HASH(alg) || PSA_ALG_IS_HMAC(alg)) ? ((alg) & 0xffu) : 0u)

#define PSA_HASH_LENGTH(alg) \
    ((size_t)( \
        PSA__HASH_SEL(alg) == 0x01u ? 16u :  /* MD2 */            \
        PSA__HASH_SEL(alg) == 0x02u ? 16u :  /* MD4 */            \
        PSA__HASH_SEL(alg) == 0x03u ? 16u :  /* MD5 */            \
        PSA__HASH_SEL(alg) == 0x04u ? 20u :  /* RIPEMD-160 */     \
        PSA__HASH_SEL(alg) == 0x05u ? 20u :  /* SHA-1 */          \
        PSA__HASH_SEL(alg) == 0x07u ? 16u :  /* AES-MMO Zigbee */ \
        PSA__HASH_SEL(alg) == 0x08u ? 28u :  /* SHA-224 */        \
        PSA__HASH_SEL(alg) == 0x09u ? 32u :  /* SHA-256 */        \
        PSA__HASH_SEL(alg) == 0x0au ? 48u :  /* SHA-384 */        \
        PSA__HASH_SEL(alg) == 0x0bu ? 64u :  /* SHA-512 */        \
        PSA__HASH_SEL(alg) == 0x0cu ? 28u :  /* SHA-512/224 */    \
        PSA__HASH_SEL(alg) == 0x0du ? 32u :  /* SHA-512/256 */    \
        PSA__HASH_SEL(alg) == 0x10u ? 28u :  /* SHA3-224 */       \
        PSA__HASH_SEL(alg) == 0x11u ? 32u :  /* SHA3-256 */       \
        PSA__HASH_SEL(alg) == 0x12u ? 48u :  /* SHA3-384 */       \
        PSA__HASH_SEL(alg) == 0x13u ? 64u :  /* SHA3-512 */       \
        PSA__HASH_SEL(alg) == 0x14u ? 32u :  /* SM3 */            \
        PSA__HASH_SEL(alg) == 0x15u ? 64u :  /* SHAKE256-512 */   \
        0u))

#define PSA_HASH_MAX_SIZE 64

/* Input block size of a hash (also the HMAC key block size). */
#define PSA_HASH_BLOCK_LENGTH(alg) \
    ((size_t)( \
        PSA__HASH_SEL(alg) == 0x01u ? 16u :  \
        PSA__HASH_SEL(alg) == 0x02u ? 64u :  \
        PSA__HASH_SEL(alg) == 0x03u ? 64u :  \
        PSA__HASH_SEL(alg) == 0x04u ? 64u :  \
        PSA__HASH_SEL(alg) == 0x05u ? 64u :  \
        PSA__HASH_SEL(alg) == 0x07u ? 16u :  \
        PSA__HASH_SEL(alg) == 0x08u ? 64u :  \
        PSA__HASH_SEL(alg) == 0x09u ? 64u :  \
        PSA__HASH_SEL(alg) == 0x0au ? 128u : \
        PSA__HASH_SEL(alg) == 0x0bu ? 128u : \
        PSA__HASH_SEL(alg) == 0x0cu ? 128u : \
        PSA__HASH_SEL(alg) == 0x0du ? 128u : \
        PSA__HASH_SEL(alg) == 0x10u ? 144u : \
        PSA__HASH_SEL(alg) == 0x11u ? 136u : \
        PSA__HASH_SEL(alg) == 0x12u ? 104u : \
        PSA__HASH_SEL(alg) == 0x13u ? 72u :  \
        PSA__HASH_SEL(alg) == 0x14u ? 64u :  \
        PSA__HASH_SEL(alg) == 0x15u ? 136u : \
        0u))

/* Largest hash block size (SHA3-224); implementation helper. */
#define PSA_HMAC_MAX_HASH_BLOCK_SIZE 144

/* Hash suspend/resume state layout. */
#define PSA_HASH_SUSPEND_ALGORITHM_FIELD_LENGTH ((size_t)4)

#define PSA_HASH_SUSPEND_INPUT_LENGTH_FIELD_LENGTH(alg) \
    ((size_t)( \
        (alg) == PSA_ALG_MD2 ? 1u : \
        ((alg) == PSA_ALG_MD4 || (alg) == PSA_ALG_MD5 || \
         (alg) == PSA_ALG_RIPEMD160 || (alg) == PSA_ALG_SHA_1 || \
         (alg) == PSA_ALG_SHA_224 || (alg) == PSA_ALG_SHA_256) ? 8u : \
        ((alg) == PSA_ALG_SHA_384 || (alg) == PSA_ALG_SHA_512 || \
         (alg) == PSA_ALG_SHA_512_224 || (alg) == PSA_ALG_SHA_512_256) ? 16u : \
        0u))

#define PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(alg) \
    ((size_t)( \
        (alg) == PSA_ALG_MD2 ? 64u : \
        ((alg) == PSA_ALG_MD4 || (alg) == PSA_ALG_MD5) ? 16u : \
        ((alg) == PSA_ALG_RIPEMD160 || (alg) == PSA_ALG_SHA_1) ? 20u : \
        ((alg) == PSA_ALG_SHA_224 || (alg) == PSA_ALG_SHA_256) ? 32u : \
        ((alg) == PSA_ALG_SHA_384 || (alg) == PSA_ALG_SHA_512 || \
         (alg) == PSA_ALG_SHA_512_224 || (alg) == PSA_ALG_SHA_512_256) ? 64u : \
        0u))

#define PSA_HASH_SUSPEND_OUTPUT_SIZE(alg) \
    ((size_t)(PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(alg) == 0 ? 0u : \
        PSA_HASH_SUSPEND_ALGORITHM_FIELD_LENGTH + \
        PSA_HASH_SUSPEND_INPUT_LENGTH_FIELD_LENGTH(alg) + \
        PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(alg) + \
        PSA_HASH_BLOCK_LENGTH(alg) - 1u))

/* SHA-512 family: 4 + 16 + 64 + 128 - 1. */
#define PSA_HASH_SUSPEND_OUTPUT_MAX_SIZE 211

/* ======================================================================== */
/* Block ciphers and MACs                                                   */
/* ======================================================================== */

/* Block size of a symmetric cipher key type, 1 for stream ciphers, 0 for
 * key types that are not ciphers. */
#define PSA_BLOCK_CIPHER_BLOCK_LENGTH(type) \
    ((size_t)((((type) & 0x7000) == 0x2000) ? (1u << (((type) >> 8) & 7u)) : 0u))

#define PSA_BLOCK_CIPHER_BLOCK_MAX_SIZE 16

#define PSA_MAC_LENGTH(key_type, key_bits, alg) \
    ((size_t)( \
        !PSA_ALG_IS_MAC(alg) ? 0u : \
        (((alg) & 0x003f0000u) != 0) ? (((alg) >> 16) & 0x3fu) : \
        PSA_ALG_IS_HMAC(alg) ? PSA_HASH_LENGTH(alg) : \
        PSA_ALG_IS_BLOCK_CIPHER_MAC(alg) ? PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type) : \
        0u))

#define PSA_MAC_MAX_SIZE 64

/* ======================================================================== */
/* Unauthenticated ciphers                                                  */
/* ======================================================================== */

#define PSA_CIPHER_IV_LENGTH(key_type, alg) \
    ((size_t)( \
        (PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type) > 1u && \
         ((alg) == PSA_ALG_CTR || (alg) == PSA_ALG_CFB || (alg) == PSA_ALG_OFB || \
          (alg) == PSA_ALG_XTS || (alg) == PSA_ALG_CBC_NO_PADDING || \
          (alg) == PSA_ALG_CBC_PKCS7)) ? PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type) : \
        ((alg) == PSA_ALG_CCM_STAR_NO_TAG && \
         PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type) == 16u) ? 13u : \
        ((key_type) == PSA_KEY_TYPE_CHACHA20 && (alg) == PSA_ALG_STREAM_CIPHER) ? 12u : \
        ((key_type) == PSA_KEY_TYPE_XCHACHA20 && (alg) == PSA_ALG_STREAM_CIPHER) ? 24u : \
        0u))

#define PSA_CIPHER_IV_MAX_SIZE 24

/* Private helper: block-aligned cipher mode (ECB, CBC, XTS) with a block cipher. */
#define PSA__CIPHER_IS_BLOCK_MODE(key_type, alg) \
    (PSA_ALG_IS_CIPHER(alg) && ((alg) & 0x00400000u) != 0 && \
     ((alg) & 0x00800000u) == 0 && PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type) > 1u)

#define PSA_CIPHER_ENCRYPT_OUTPUT_SIZE(key_type, alg, input_length) \
    ((size_t)( \
        !PSA_ALG_IS_CIPHER(alg) || PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type) == 0u ? 0u : \
        (alg) == PSA_ALG_CBC_PKCS7 ? \
            PSA_ROUND_UP_TO_MULTIPLE(PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type), \
                                     (size_t)(input_length) + 1u) + \
            PSA_CIPHER_IV_LENGTH(key_type, alg) : \
        (size_t)(input_length) + PSA_CIPHER_IV_LENGTH(key_type, alg)))

#define PSA_CIPHER_ENCRYPT_OUTPUT_MAX_SIZE(input_length) \
    ((size_t)(PSA_ROUND_UP_TO_MULTIPLE(PSA_BLOCK_CIPHER_BLOCK_MAX_SIZE, \
                                       (size_t)(input_length) + 1u) + \
              PSA_CIPHER_IV_MAX_SIZE))

#define PSA_CIPHER_DECRYPT_OUTPUT_SIZE(key_type, alg, input_length) \
    ((size_t)( \
        !PSA_ALG_IS_CIPHER(alg) || PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type) == 0u ? 0u : \
        (size_t)(input_length) > PSA_CIPHER_IV_LENGTH(key_type, alg) ? \
            (size_t)(input_length) - PSA_CIPHER_IV_LENGTH(key_type, alg) : 0u))

#define PSA_CIPHER_DECRYPT_OUTPUT_MAX_SIZE(input_length) ((size_t)(input_length))

#define PSA_CIPHER_UPDATE_OUTPUT_SIZE(key_type, alg, input_length) \
    ((size_t)( \
        !PSA_ALG_IS_CIPHER(alg) || PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type) == 0u ? 0u : \
        PSA__CIPHER_IS_BLOCK_MODE(key_type, alg) ? \
            PSA_ROUND_UP_TO_MULTIPLE(PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type), \
                                     input_length) : \
        (size_t)(input_length)))

#define PSA_CIPHER_UPDATE_OUTPUT_MAX_SIZE(input_length) \
    PSA_ROUND_UP_TO_MULTIPLE(PSA_BLOCK_CIPHER_BLOCK_MAX_SIZE, input_length)

#define PSA_CIPHER_FINISH_OUTPUT_SIZE(key_type, alg) \
    ((size_t)(PSA__CIPHER_IS_BLOCK_MODE(key_type, alg) ? \
              PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type) : 0u))

#define PSA_CIPHER_FINISH_OUTPUT_MAX_SIZE 16

/* ======================================================================== */
/* AEAD                                                                     */
/* ======================================================================== */

/* Private helper: whether key_type is usable with the (default-tag) AEAD. */
#define PSA__AEAD_KEY_OK(key_type, alg) \
    (PSA_ALG_IS_AEAD_ON_BLOCK_CIPHER(alg) ? \
         PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type) == 16u : \
     PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(alg) == PSA_ALG_CHACHA20_POLY1305 ? \
         (key_type) == PSA_KEY_TYPE_CHACHA20 : \
     PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(alg) == PSA_ALG_XCHACHA20_POLY1305 ? \
         (key_type) == PSA_KEY_TYPE_XCHACHA20 : \
     0)

#define PSA_AEAD_TAG_LENGTH(key_type, key_bits, alg) \
    ((size_t)((PSA_ALG_IS_AEAD(alg) && PSA__AEAD_KEY_OK(key_type, alg)) ? \
              (((alg) >> 16) & 0x3fu) : 0u))

#define PSA_AEAD_TAG_MAX_SIZE 16

#define PSA_AEAD_NONCE_LENGTH(key_type, alg) \
    ((size_t)( \
        !(PSA_ALG_IS_AEAD(alg) && PSA__AEAD_KEY_OK(key_type, alg)) ? 0u : \
        PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(alg) == PSA_ALG_CCM ? 13u : \
        PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(alg) == PSA_ALG_GCM ? 12u : \
        PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(alg) == PSA_ALG_CHACHA20_POLY1305 ? 12u : \
        PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(alg) == PSA_ALG_XCHACHA20_POLY1305 ? 24u : \
        0u))

#define PSA_AEAD_NONCE_MAX_SIZE 24

#define PSA_AEAD_ENCRYPT_OUTPUT_SIZE(key_type, alg, plaintext_length) \
    ((size_t)(PSA_AEAD_TAG_LENGTH(key_type, 0, alg) != 0u ? \
              (size_t)(plaintext_length) + PSA_AEAD_TAG_LENGTH(key_type, 0, alg) : 0u))

#define PSA_AEAD_ENCRYPT_OUTPUT_MAX_SIZE(plaintext_length) \
    ((size_t)(plaintext_length) + PSA_AEAD_TAG_MAX_SIZE)

#define PSA_AEAD_DECRYPT_OUTPUT_SIZE(key_type, alg, ciphertext_length) \
    ((size_t)((PSA_AEAD_TAG_LENGTH(key_type, 0, alg) != 0u && \
               (size_t)(ciphertext_length) > PSA_AEAD_TAG_LENGTH(key_type, 0, alg)) ? \
              (size_t)(ciphertext_length) - PSA_AEAD_TAG_LENGTH(key_type, 0, alg) : 0u))

#define PSA_AEAD_DECRYPT_OUTPUT_MAX_SIZE(ciphertext_length) \
    ((size_t)(ciphertext_length))

#define PSA_AEAD_UPDATE_OUTPUT_SIZE(key_type, alg, input_length) \
    ((size_t)( \
        PSA_AEAD_NONCE_LENGTH(key_type, alg) == 0u ? 0u : \
        PSA_ALG_IS_AEAD_ON_BLOCK_CIPHER(alg) ? \
            PSA_ROUND_UP_TO_MULTIPLE(PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type), \
                                     input_length) : \
        (size_t)(input_length)))

#define PSA_AEAD_UPDATE_OUTPUT_MAX_SIZE(input_length) \
    PSA_ROUND_UP_TO_MULTIPLE(PSA_BLOCK_CIPHER_BLOCK_MAX_SIZE, input_length)

#define PSA_AEAD_FINISH_OUTPUT_SIZE(key_type, alg) \
    ((size_t)((PSA_AEAD_NONCE_LENGTH(key_type, alg) != 0u && \
               PSA_ALG_IS_AEAD_ON_BLOCK_CIPHER(alg)) ? \
              PSA_BLOCK_CIPHER_BLOCK_LENGTH(key_type) : 0u))

#define PSA_AEAD_FINISH_OUTPUT_MAX_SIZE PSA_BLOCK_CIPHER_BLOCK_MAX_SIZE

#define PSA_AEAD_VERIFY_OUTPUT_SIZE(key_type, alg) \
    PSA_AEAD_FINISH_OUTPUT_SIZE(key_type, alg)

#define PSA_AEAD_VERIFY_OUTPUT_MAX_SIZE PSA_BLOCK_CIPHER_BLOCK_MAX_SIZE

/* ======================================================================== */
/* Asymmetric keys: private helpers                                         */
/* ======================================================================== */

/* Size of the byte encoding of an element for ECC keys of the given type.
 * Edwards curves need one more bit (Ed25519: 255 bits -> 32 bytes,
 * Ed448: 448 bits -> 57 bytes). */
#define PSA__ECC_ELEMENT_BYTES(key_type, key_bits) \
    ((size_t)(((PSA_KEY_TYPE_ECC_GET_FAMILY(key_type) == PSA_ECC_FAMILY_TWISTED_EDWARDS) || \
               (PSA_KEY_TYPE_SPAKE2P_GET_FAMILY(key_type) == PSA_ECC_FAMILY_TWISTED_EDWARDS)) ? \
              PSA_BITS_TO_BYTES((size_t)(key_bits) + 1u) : PSA_BITS_TO_BYTES(key_bits)))

/* Upper bound of a DER INTEGER (tag, up to 3 length octets, content with a
 * possible leading zero) holding a non-negative value of at most bits bits. */
#define PSA__DER_INTEGER_MAX_SIZE(bits) \
    ((size_t)(1u + 3u + (size_t)(bits) / 8u + 1u))

/* Upper bound of a DER RSAPrivateKey (PKCS#1) for a modulus of bits bits:
 * SEQUENCE header, version, n, e, d, then p, q, dP, dQ, qInv which are about
 * half the modulus size (a few spare bits allow unbalanced primes). */
#define PSA__RSA_KEY_PAIR_DER_MAX_SIZE(bits) \
    ((size_t)(4u + 3u + 3u * PSA__DER_INTEGER_MAX_SIZE(bits) + \
              5u * PSA__DER_INTEGER_MAX_SIZE((size_t)(bits) / 2u + 8u)))

/* Upper bound of a DER RSAPublicKey (PKCS#1): SEQUENCE { n, e }, with e no
 * larger than the modulus. */
#define PSA__RSA_PUBLIC_KEY_DER_MAX_SIZE(bits) \
    ((size_t)(4u + 2u * PSA__DER_INTEGER_MAX_SIZE(bits)))

/* Uncompressed Weierstrass point 04 || X || Y. */
#define PSA__ECC_POINT_MAX_SIZE(bits) \
    ((size_t)(1u + 2u * PSA_BITS_TO_BYTES(bits)))

/* Public key encoding size for ECC keys (Montgomery/Edwards: one coordinate). */
#define PSA__ECC_PUBLIC_KEY_SIZE(key_type, key_bits) \
    ((size_t)( \
        (PSA_KEY_TYPE_ECC_GET_FAMILY(key_type) == PSA_ECC_FAMILY_MONTGOMERY || \
         PSA_KEY_TYPE_ECC_GET_FAMILY(key_type) == PSA_ECC_FAMILY_TWISTED_EDWARDS) ? \
            PSA__ECC_ELEMENT_BYTES(key_type, key_bits) : \
        PSA__ECC_POINT_MAX_SIZE(key_bits)))

/* SPAKE2+ public key: w0 (private-key format) || L (public-key format). */
#define PSA__SPAKE2P_PUBLIC_KEY_SIZE(key_type, key_bits) \
    ((size_t)(PSA__ECC_ELEMENT_BYTES(key_type, key_bits) + \
        ((PSA_KEY_TYPE_SPAKE2P_GET_FAMILY(key_type) == PSA_ECC_FAMILY_MONTGOMERY || \
          PSA_KEY_TYPE_SPAKE2P_GET_FAMILY(key_type) == PSA_ECC_FAMILY_TWISTED_EDWARDS) ? \
             PSA__ECC_ELEMENT_BYTES(key_type, key_bits) : \
             PSA__ECC_POINT_MAX_SIZE(key_bits))))

/* ======================================================================== */
/* Asymmetric signature and encryption                                      */
/* ======================================================================== */

/* ECDSA: r || s; EdDSA: R || S, each an encoded element. */
#define PSA_ECDSA_SIGNATURE_SIZE(curve_bits) \
    ((size_t)(2u * PSA_BITS_TO_BYTES(curve_bits)))

#define PSA_SIGN_OUTPUT_SIZE(key_type, key_bits, alg) \
    ((size_t)( \
        !PSA_ALG_IS_SIGN(alg) ? 0u : \
        PSA_KEY_TYPE_IS_RSA(key_type) ? PSA_BITS_TO_BYTES(key_bits) : \
        PSA_KEY_TYPE_IS_ECC(key_type) ? \
            2u * PSA__ECC_ELEMENT_BYTES(key_type, key_bits) : \
        0u))

#define PSA_SIGNATURE_MAX_SIZE \
    PSA__SIZE_MAX2(PSA_BITS_TO_BYTES(PSA_VENDOR_RSA_MAX_KEY_BITS), \
                   PSA_ECDSA_SIGNATURE_SIZE(PSA_VENDOR_ECC_MAX_CURVE_BITS))

#define PSA_ASYMMETRIC_ENCRYPT_OUTPUT_SIZE(key_type, key_bits, alg) \
    ((size_t)((PSA_KEY_TYPE_IS_RSA(key_type) && PSA_ALG_IS_ASYMMETRIC_ENCRYPTION(alg)) ? \
              PSA_BITS_TO_BYTES(key_bits) : 0u))

#define PSA_ASYMMETRIC_ENCRYPT_OUTPUT_MAX_SIZE \
    PSA_BITS_TO_BYTES(PSA_VENDOR_RSA_MAX_KEY_BITS)

/* A full modulus-sized buffer: OpenSSL requires it for RSA decryption. */
#define PSA_ASYMMETRIC_DECRYPT_OUTPUT_SIZE(key_type, key_bits, alg) \
    ((size_t)((PSA_KEY_TYPE_IS_RSA(key_type) && PSA_ALG_IS_ASYMMETRIC_ENCRYPTION(alg)) ? \
              PSA_BITS_TO_BYTES(key_bits) : 0u))

#define PSA_ASYMMETRIC_DECRYPT_OUTPUT_MAX_SIZE \
    PSA_BITS_TO_BYTES(PSA_VENDOR_RSA_MAX_KEY_BITS)

/* ======================================================================== */
/* Key export                                                               */
/* ======================================================================== */

#define PSA_EXPORT_KEY_OUTPUT_SIZE(key_type, key_bits) \
    ((size_t)( \
        PSA_KEY_TYPE_IS_UNSTRUCTURED(key_type) ? PSA_BITS_TO_BYTES(key_bits) : \
        (key_type) == PSA_KEY_TYPE_RSA_KEY_PAIR ? \
            PSA__RSA_KEY_PAIR_DER_MAX_SIZE(key_bits) : \
        (key_type) == PSA_KEY_TYPE_RSA_PUBLIC_KEY ? \
            PSA__RSA_PUBLIC_KEY_DER_MAX_SIZE(key_bits) : \
        PSA_KEY_TYPE_IS_ECC_KEY_PAIR(key_type) ? \
            PSA__ECC_ELEMENT_BYTES(key_type, key_bits) : \
        PSA_KEY_TYPE_IS_ECC_PUBLIC_KEY(key_type) ? \
            PSA__ECC_PUBLIC_KEY_SIZE(key_type, key_bits) : \
        PSA_KEY_TYPE_IS_DH(key_type) ? PSA_BITS_TO_BYTES(key_bits) : \
        PSA_KEY_TYPE_IS_SPAKE2P_KEY_PAIR(key_type) ? \
            2u * PSA__ECC_ELEMENT_BYTES(key_type, key_bits) : \
        PSA_KEY_TYPE_IS_SPAKE2P_PUBLIC_KEY(key_type) ? \
            PSA__SPAKE2P_PUBLIC_KEY_SIZE(key_type, key_bits) : \
        0u))

#define PSA_EXPORT_PUBLIC_KEY_OUTPUT_SIZE(key_type, key_bits) \
    ((size_t)( \
        PSA_KEY_TYPE_IS_RSA(key_type) ? PSA__RSA_PUBLIC_KEY_DER_MAX_SIZE(key_bits) : \
        PSA_KEY_TYPE_IS_ECC(key_type) ? \
            PSA__ECC_PUBLIC_KEY_SIZE(PSA_KEY_TYPE_PUBLIC_KEY_OF_KEY_PAIR(key_type), \
                                     key_bits) : \
        PSA_KEY_TYPE_IS_DH(key_type) ? PSA_BITS_TO_BYTES(key_bits) : \
        PSA_KEY_TYPE_IS_SPAKE2P(key_type) ? \
            PSA__SPAKE2P_PUBLIC_KEY_SIZE(key_type, key_bits) : \
        0u))

#define PSA_EXPORT_KEY_PAIR_MAX_SIZE \
    PSA__SIZE_MAX2( \
        PSA__SIZE_MAX2(PSA__RSA_KEY_PAIR_DER_MAX_SIZE(PSA_VENDOR_RSA_MAX_KEY_BITS), \
                       PSA_BITS_TO_BYTES(PSA_VENDOR_FFDH_MAX_KEY_BITS)), \
        2u * PSA_BITS_TO_BYTES(PSA_VENDOR_ECC_MAX_CURVE_BITS + 1u))

#define PSA_EXPORT_PUBLIC_KEY_MAX_SIZE \
    PSA__SIZE_MAX2( \
        PSA__SIZE_MAX2(PSA__RSA_PUBLIC_KEY_DER_MAX_SIZE(PSA_VENDOR_RSA_MAX_KEY_BITS), \
                       PSA_BITS_TO_BYTES(PSA_VENDOR_FFDH_MAX_KEY_BITS)), \
        PSA_BITS_TO_BYTES(PSA_VENDOR_ECC_MAX_CURVE_BITS + 1u) + \
        PSA__ECC_POINT_MAX_SIZE(PSA_VENDOR_ECC_MAX_CURVE_BITS))

/* Introduced by Crypto API 1.3; provided for forward compatibility. */
#define PSA_EXPORT_ASYMMETRIC_KEY_MAX_SIZE \
    PSA__SIZE_MAX2(PSA_EXPORT_KEY_PAIR_MAX_SIZE, PSA_EXPORT_PUBLIC_KEY_MAX_SIZE)

/* ======================================================================== */
/* Key agreement and key derivation                                         */
/* ======================================================================== */

#define PSA_RAW_KEY_AGREEMENT_OUTPUT_SIZE(key_type, key_bits) \
    ((size_t)((PSA_KEY_TYPE_IS_ECC_KEY_PAIR(key_type) || \
               PSA_KEY_TYPE_IS_DH_KEY_PAIR(key_type)) ? \
              PSA_BITS_TO_BYTES(key_bits) : 0u))

#define PSA_RAW_KEY_AGREEMENT_OUTPUT_MAX_SIZE \
    PSA__SIZE_MAX2(PSA_BITS_TO_BYTES(PSA_VENDOR_ECC_MAX_CURVE_BITS), \
                   PSA_BITS_TO_BYTES(PSA_VENDOR_FFDH_MAX_KEY_BITS))

/* Largest pre-shared key accepted by PSA_ALG_TLS12_PSK_TO_MS (implementation-defined). */
#define PSA_TLS12_PSK_TO_MS_PSK_MAX_SIZE 128

/* Output of PSA_ALG_TLS12_ECJPAKE_TO_PMS (fixed by the specification). */
#define PSA_TLS12_ECJPAKE_TO_PMS_OUTPUT_SIZE 32

/* ======================================================================== */
/* PAKE (1.2 PAKE extension)                                                */
/* ======================================================================== */

/* Private helper: size of a group element / scalar for a PAKE primitive. */
#define PSA__PAKE_ELEMENT_SIZE(primitive) \
    ((size_t)( \
        PSA_PAKE_PRIMITIVE_GET_TYPE(primitive) == PSA_PAKE_PRIMITIVE_TYPE_ECC ? \
            (PSA_PAKE_PRIMITIVE_GET_FAMILY(primitive) == PSA_ECC_FAMILY_MONTGOMERY || \
             PSA_PAKE_PRIMITIVE_GET_FAMILY(primitive) == PSA_ECC_FAMILY_TWISTED_EDWARDS) ? \
                PSA_BITS_TO_BYTES(PSA_PAKE_PRIMITIVE_GET_BITS(primitive) + 1u) : \
                PSA__ECC_POINT_MAX_SIZE(PSA_PAKE_PRIMITIVE_GET_BITS(primitive)) : \
        PSA_PAKE_PRIMITIVE_GET_TYPE(primitive) == PSA_PAKE_PRIMITIVE_TYPE_DH ? \
            PSA_BITS_TO_BYTES(PSA_PAKE_PRIMITIVE_GET_BITS(primitive)) : \
        0u))

#define PSA__PAKE_SCALAR_SIZE(primitive) \
    ((size_t)(PSA_PAKE_PRIMITIVE_GET_TYPE(primitive) == PSA_PAKE_PRIMITIVE_TYPE_ECC || \
              PSA_PAKE_PRIMITIVE_GET_TYPE(primitive) == PSA_PAKE_PRIMITIVE_TYPE_DH ? \
              PSA_BITS_TO_BYTES(PSA_PAKE_PRIMITIVE_GET_BITS(primitive)) : 0u))

/* Private helper: length of a SPAKE2+ key confirmation value. */
#define PSA__SPAKE2P_CONFIRM_SIZE(alg) \
    ((size_t)(PSA_ALG_IS_SPAKE2P_CMAC(alg) ? 16u : \
              PSA_HASH_LENGTH(PSA_ALG_GET_HASH(alg))))

#define PSA_PAKE_OUTPUT_SIZE(alg, primitive, output_step) \
    ((size_t)( \
        PSA_ALG_IS_JPAKE(alg) ? \
            (((output_step) == PSA_PAKE_STEP_KEY_SHARE || \
              (output_step) == PSA_PAKE_STEP_ZK_PUBLIC) ? \
                PSA__PAKE_ELEMENT_SIZE(primitive) : \
             (output_step) == PSA_PAKE_STEP_ZK_PROOF ? \
                PSA__PAKE_SCALAR_SIZE(primitive) : 0u) : \
        PSA_ALG_IS_SPAKE2P(alg) ? \
            ((output_step) == PSA_PAKE_STEP_KEY_SHARE ? \
                PSA__PAKE_ELEMENT_SIZE(primitive) : \
             (output_step) == PSA_PAKE_STEP_CONFIRM ? \
                PSA__SPAKE2P_CONFIRM_SIZE(alg) : 0u) : \
        0u))

#define PSA_PAKE_INPUT_SIZE(alg, primitive, input_step) \
    PSA_PAKE_OUTPUT_SIZE(alg, primitive, input_step)

/* Covers ECC primitives up to PSA_VENDOR_ECC_MAX_CURVE_BITS, DH primitives up
 * to PSA_VENDOR_FFDH_MAX_KEY_BITS and confirmation MACs up to 64 bytes. */
#define PSA_PAKE_OUTPUT_MAX_SIZE \
    PSA__SIZE_MAX2(PSA__SIZE_MAX2(PSA__ECC_POINT_MAX_SIZE(PSA_VENDOR_ECC_MAX_CURVE_BITS), \
                                  PSA_BITS_TO_BYTES(PSA_VENDOR_FFDH_MAX_KEY_BITS)), \
                   PSA_HASH_MAX_SIZE)

#define PSA_PAKE_INPUT_MAX_SIZE PSA_PAKE_OUTPUT_MAX_SIZE

#endif /* PSA_CRYPTO_SIZES_H */
