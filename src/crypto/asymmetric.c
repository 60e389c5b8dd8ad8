/* Asymmetric entry points: signatures, asymmetric encryption and key agreement, with the checks
 * the specification orders (algorithm, key and policy, key type, buffers) before the families. */
#include "asym_internal.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

/* ---- signatures ------------------------------------------------------------------------------ */

typedef enum sign_family { SIGN_RSA, SIGN_ECDSA, SIGN_EDDSA } sign_family_t;

/* Whether `alg` names a signature algorithm at all (step 1 of the validation order): not a policy
 * wildcard, and a hash-and-sign family carries a hash, except the two hash-less algorithms the
 * specification defines (PKCS#1 v1.5 raw and ECDSA_ANY). A hash field of 0 elsewhere (PSS,
 * deterministic ECDSA, HashEdDSA) is no algorithm: letting it through would leave the input length
 * unchecked while the family reads a fixed-size digest. */
static bool sign_alg_is_valid(psa_algorithm_t alg)
{
    if (PSA_ALG_IS_WILDCARD(alg)) {
        return false;
    }
    if (PSA_ALG_IS_HASH_AND_SIGN(alg) && PSA_ALG_GET_HASH(alg) == PSA_ALG_NONE) {
        return alg == PSA_ALG_RSA_PKCS1V15_SIGN_RAW || alg == PSA_ALG_ECDSA_ANY;
    }
    return true;
}

/* Whether `key` can do `alg` (in the signing direction if `sign`): INVALID_ARGUMENT for a key that
 * can never do it, NOT_SUPPORTED for a valid combination this core does not build. */
static psa_status_t sign_check_key(const core_key_t *key, psa_algorithm_t alg, bool sign,
                                   sign_family_t *family)
{
    psa_key_type_t type = key->attr.type;
    if (sign && !PSA_KEY_TYPE_IS_KEY_PAIR(type)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    /* A key that is neither RSA nor ECC (symmetric, DH, SPAKE2+) reaches no signature family:
     * NOT_SUPPORTED, as in Mbed TLS psa_sign_hash_builtin / psa_verify_hash_builtin (signing
     * refuses a key that is not a pair first, as psa_sign_internal does). */
    if (!PSA_KEY_TYPE_IS_RSA(type) && !PSA_KEY_TYPE_IS_ECC(type)) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (PSA_ALG_IS_RSA_PKCS1V15_SIGN(alg) || PSA_ALG_IS_RSA_PSS(alg)) {
        if (!PSA_KEY_TYPE_IS_RSA(type)) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        *family = SIGN_RSA;
    } else if (PSA_ALG_IS_ECDSA(alg)) {
        const asym_curve_t *curve =
            PSA_KEY_TYPE_IS_ECC(type)
                ? asym_curve_find(PSA_KEY_TYPE_ECC_GET_FAMILY(type), key->attr.bits)
                : NULL;
        if (curve == NULL || curve->kind != ASYM_CURVE_WEIERSTRASS) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        *family = SIGN_ECDSA;
    } else if (alg == PSA_ALG_PURE_EDDSA || PSA_ALG_IS_HASH_EDDSA(alg)) {
        if (PSA_KEY_TYPE_ECC_GET_FAMILY(type) != PSA_ECC_FAMILY_TWISTED_EDWARDS) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        /* HashEdDSA exists only as Ed25519ph (SHA-512) and Ed448ph (SHAKE256/64): another hash
         * in the field is a well-formed value naming no defined algorithm (NOT_SUPPORTED), and
         * each of the two needs its own curve (INVALID_ARGUMENT). eddsa.c reads 64 bytes of PH(M),
         * which the hash length rule below then guarantees. */
        if (alg != PSA_ALG_PURE_EDDSA && alg != PSA_ALG_ED25519PH && alg != PSA_ALG_ED448PH) {
            return PSA_ERROR_NOT_SUPPORTED;
        }
        if ((alg == PSA_ALG_ED25519PH && key->attr.bits != 255) ||
            (alg == PSA_ALG_ED448PH && key->attr.bits != 448)) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        *family = SIGN_EDDSA;
    } else {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    psa_algorithm_t hash = PSA_ALG_SIGN_GET_HASH(alg);
    if (hash != PSA_ALG_NONE && core_hash_md(hash) == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    /* SHAKE256/64 exists for Ed448ph only; RSA and ECDSA have no encoding for an XOF digest. */
    if (hash == PSA_ALG_SHAKE256_512 && *family != SIGN_EDDSA) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    return PSA_SUCCESS;
}

/* Length rule for the input of sign_hash / verify_hash. */
static psa_status_t sign_check_hash_length(const core_key_t *key, psa_algorithm_t alg,
                                           size_t hash_length)
{
    psa_algorithm_t hash = PSA_ALG_SIGN_GET_HASH(alg);
    if (hash != PSA_ALG_NONE) {
        return hash_length == PSA_HASH_LENGTH(hash) ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
    }
    if (alg == PSA_ALG_RSA_PKCS1V15_SIGN_RAW) {
        size_t k = PSA_BITS_TO_BYTES(key->attr.bits);
        return hash_length + 11 <= k ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
    }
    if (alg == PSA_ALG_ECDSA_ANY) {
        return PSA_SUCCESS; /* OpenSSL truncates to the order's length */
    }
    return PSA_ERROR_INVALID_ARGUMENT; /* sign_alg_is_valid let no other hash-less form through */
}

static psa_status_t sign_hash_dispatch(core_key_t *key, sign_family_t family, psa_algorithm_t alg,
                                       const uint8_t *hash, size_t hash_length, uint8_t *signature,
                                       size_t *signature_length)
{
    if (family == SIGN_RSA) {
        return rsa_sign_hash(key, alg, hash, hash_length, signature, signature_length);
    }
    if (family == SIGN_EDDSA) {
        return eddsa_ph_sign_hash(key, alg, hash, hash_length, signature, signature_length);
    }
    return ecdsa_sign_hash(key, alg, hash, hash_length, signature, signature_length);
}

static psa_status_t verify_hash_dispatch(core_key_t *key, sign_family_t family, psa_algorithm_t alg,
                                         const uint8_t *hash, size_t hash_length,
                                         const uint8_t *signature, size_t signature_length)
{
    if (family == SIGN_RSA) {
        return rsa_verify_hash(key, alg, hash, hash_length, signature, signature_length);
    }
    if (family == SIGN_EDDSA) {
        return eddsa_ph_verify_hash(key, alg, hash, hash_length, signature, signature_length);
    }
    return ecdsa_verify_hash(key, alg, hash, hash_length, signature, signature_length);
}

/* Hashes a message with the hash of a hash-and-sign algorithm (SHAKE256_512 of Ed448ph included:
 * the core's one-shot hash reads its 64 bytes of XOF output). */
static psa_status_t sign_hash_message(psa_algorithm_t alg, const uint8_t *input,
                                      size_t input_length, uint8_t *hash, size_t *hash_length)
{
    return core_hash_compute(PSA_ALG_SIGN_GET_HASH(alg), input, input_length, hash, EVP_MAX_MD_SIZE,
                             hash_length);
}

/* Shared front half of the four signature calls. */
static psa_status_t sign_begin(const core_caller_t *caller, psa_key_id_t id, psa_key_usage_t usage,
                               psa_algorithm_t alg, bool sign, core_key_t **key,
                               sign_family_t *family)
{
    psa_status_t status = core_key_acquire(caller, id, usage, alg, key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = sign_check_key(*key, alg, sign, family);
    if (status != PSA_SUCCESS) {
        core_key_release(*key);
        *key = NULL;
    }
    return status;
}

psa_status_t core_sign_hash(const core_caller_t *caller, psa_key_id_t id, psa_algorithm_t alg,
                            const uint8_t *hash, size_t hash_length, uint8_t *signature,
                            size_t signature_size, size_t *signature_length)
{
    *signature_length = 0;
    if (!PSA_ALG_IS_SIGN_HASH(alg) || !sign_alg_is_valid(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    /* An empty signature buffer is refused before the key is looked at (Mbed TLS
     * psa_sign_internal). */
    if (signature_size == 0) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    core_key_t *key = NULL;
    sign_family_t family;
    psa_status_t status = sign_begin(caller, id, PSA_KEY_USAGE_SIGN_HASH, alg, true, &key, &family);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = sign_check_hash_length(key, alg, hash_length);
    if (status == PSA_SUCCESS &&
        signature_size < PSA_SIGN_OUTPUT_SIZE(key->attr.type, key->attr.bits, alg)) {
        status = PSA_ERROR_BUFFER_TOO_SMALL;
    }
    if (status == PSA_SUCCESS) {
        status =
            sign_hash_dispatch(key, family, alg, hash, hash_length, signature, signature_length);
    }
    core_key_release(key);
    return status;
}

psa_status_t core_verify_hash(const core_caller_t *caller, psa_key_id_t id, psa_algorithm_t alg,
                              const uint8_t *hash, size_t hash_length, const uint8_t *signature,
                              size_t signature_length)
{
    if (!PSA_ALG_IS_SIGN_HASH(alg) || !sign_alg_is_valid(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    core_key_t *key = NULL;
    sign_family_t family;
    psa_status_t status =
        sign_begin(caller, id, PSA_KEY_USAGE_VERIFY_HASH, alg, false, &key, &family);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = sign_check_hash_length(key, alg, hash_length);
    if (status == PSA_SUCCESS) {
        status =
            verify_hash_dispatch(key, family, alg, hash, hash_length, signature, signature_length);
    }
    core_key_release(key);
    return status;
}

psa_status_t core_sign_message(const core_caller_t *caller, psa_key_id_t id, psa_algorithm_t alg,
                               const uint8_t *input, size_t input_length, uint8_t *signature,
                               size_t signature_size, size_t *signature_length)
{
    *signature_length = 0;
    if (!PSA_ALG_IS_SIGN_MESSAGE(alg) || !sign_alg_is_valid(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    /* An empty signature buffer is refused before the key is looked at (Mbed TLS
     * psa_sign_internal). */
    if (signature_size == 0) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    core_key_t *key = NULL;
    sign_family_t family;
    psa_status_t status =
        sign_begin(caller, id, PSA_KEY_USAGE_SIGN_MESSAGE, alg, true, &key, &family);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (signature_size < PSA_SIGN_OUTPUT_SIZE(key->attr.type, key->attr.bits, alg)) {
        status = PSA_ERROR_BUFFER_TOO_SMALL;
    } else if (alg == PSA_ALG_PURE_EDDSA) {
        status = eddsa_sign(key, alg, input, input_length, signature, signature_length);
    } else {
        uint8_t hash[EVP_MAX_MD_SIZE];
        size_t hash_length = 0;
        status = sign_hash_message(alg, input, input_length, hash, &hash_length);
        if (status == PSA_SUCCESS) {
            status = sign_hash_dispatch(key, family, alg, hash, hash_length, signature,
                                        signature_length);
        }
    }
    core_key_release(key);
    return status;
}

psa_status_t core_verify_message(const core_caller_t *caller, psa_key_id_t id, psa_algorithm_t alg,
                                 const uint8_t *input, size_t input_length,
                                 const uint8_t *signature, size_t signature_length)
{
    if (!PSA_ALG_IS_SIGN_MESSAGE(alg) || !sign_alg_is_valid(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    core_key_t *key = NULL;
    sign_family_t family;
    psa_status_t status =
        sign_begin(caller, id, PSA_KEY_USAGE_VERIFY_MESSAGE, alg, false, &key, &family);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (alg == PSA_ALG_PURE_EDDSA) {
        status = eddsa_verify(key, alg, input, input_length, signature, signature_length);
    } else {
        uint8_t hash[EVP_MAX_MD_SIZE];
        size_t hash_length = 0;
        status = sign_hash_message(alg, input, input_length, hash, &hash_length);
        if (status == PSA_SUCCESS) {
            status = verify_hash_dispatch(key, family, alg, hash, hash_length, signature,
                                          signature_length);
        }
    }
    core_key_release(key);
    return status;
}

/* ---- asymmetric encryption ------------------------------------------------------------------- */

/*
 * The checks of asymmetric encryption in the order of Mbed TLS psa_asymmetric_encrypt /
 * psa_asymmetric_decrypt and their built-in RSA driver (mbedtls_psa_asymmetric_encrypt/decrypt):
 * a label for an algorithm other than OAEP (INVALID_ARGUMENT); the key, its usage and its policy
 * for `alg`; a key that is not asymmetric, or not a pair for decryption (INVALID_ARGUMENT); a key
 * other than RSA (NOT_SUPPORTED); the output buffer (encryption) or the input length (decryption)
 * against the modulus; last the algorithm itself, which RSA only knows as PKCS#1 v1.5 or OAEP
 * (another one, e.g. a signature algorithm, is INVALID_ARGUMENT; OAEP with a hash not built is
 * NOT_SUPPORTED).
 */
static psa_status_t crypt_begin(const core_caller_t *caller, psa_key_id_t id, psa_algorithm_t alg,
                                bool encrypt, size_t salt_length, size_t buffer_length,
                                core_key_t **out)
{
    if (salt_length != 0 && !PSA_ALG_IS_RSA_OAEP(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    core_key_t *key = NULL;
    psa_status_t status = core_key_acquire(
        caller, id, encrypt ? PSA_KEY_USAGE_ENCRYPT : PSA_KEY_USAGE_DECRYPT, alg, &key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    psa_key_type_t type = key->attr.type;
    size_t modulus = PSA_BITS_TO_BYTES(key->attr.bits);
    if (!PSA_KEY_TYPE_IS_ASYMMETRIC(type) || (!encrypt && !PSA_KEY_TYPE_IS_KEY_PAIR(type))) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else if (!PSA_KEY_TYPE_IS_RSA(type)) {
        status = PSA_ERROR_NOT_SUPPORTED;
    } else if (encrypt && buffer_length < modulus) {
        status = PSA_ERROR_BUFFER_TOO_SMALL; /* buffer_length: the output buffer's size */
    } else if (!encrypt && buffer_length != modulus) {
        status = PSA_ERROR_INVALID_ARGUMENT; /* buffer_length: the ciphertext's length */
    } else if (alg == PSA_ALG_RSA_PKCS1V15_CRYPT) {
        status = PSA_SUCCESS;
    } else if (PSA_ALG_IS_RSA_OAEP(alg)) {
        status =
            core_hash_md(PSA_ALG_GET_HASH(alg)) != NULL ? PSA_SUCCESS : PSA_ERROR_NOT_SUPPORTED;
        if (status == PSA_SUCCESS && rsa_max_plaintext(alg, key->attr.bits) == 0) {
            status = PSA_ERROR_INVALID_ARGUMENT; /* modulus too small for the hash */
        }
    } else {
        status = PSA_ERROR_INVALID_ARGUMENT;
    }
    if (status != PSA_SUCCESS) {
        core_key_release(key);
        return status;
    }
    *out = key;
    return PSA_SUCCESS;
}

psa_status_t core_asymmetric_encrypt(const core_caller_t *caller, psa_key_id_t id,
                                     psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                                     const uint8_t *salt, size_t salt_length, uint8_t *output,
                                     size_t output_size, size_t *output_length)
{
    *output_length = 0;
    core_key_t *key = NULL;
    psa_status_t status = crypt_begin(caller, id, alg, true, salt_length, output_size, &key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (input_length > rsa_max_plaintext(alg, key->attr.bits)) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else {
        status = rsa_encrypt(key, alg, input, input_length, salt, salt_length, output, output_size,
                             output_length);
    }
    core_key_release(key);
    return status;
}

psa_status_t core_asymmetric_decrypt(const core_caller_t *caller, psa_key_id_t id,
                                     psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                                     const uint8_t *salt, size_t salt_length, uint8_t *output,
                                     size_t output_size, size_t *output_length)
{
    *output_length = 0;
    core_key_t *key = NULL;
    psa_status_t status = crypt_begin(caller, id, alg, false, salt_length, input_length, &key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = rsa_decrypt(key, alg, input, input_length, salt, salt_length, output, output_size,
                         output_length);
    core_key_release(key);
    return status;
}

/* ---- key agreement --------------------------------------------------------------------------- */

/* Checks that `key` is a key pair for the raw agreement `alg`. */
static psa_status_t agreement_check_key(const core_key_t *key, psa_algorithm_t alg)
{
    psa_key_type_t type = key->attr.type;
    if (alg == PSA_ALG_ECDH) {
        const asym_curve_t *curve =
            PSA_KEY_TYPE_IS_ECC_KEY_PAIR(type)
                ? asym_curve_find(PSA_KEY_TYPE_ECC_GET_FAMILY(type), key->attr.bits)
                : NULL;
        return curve != NULL && curve->kind != ASYM_CURVE_EDWARDS ? PSA_SUCCESS
                                                                  : PSA_ERROR_INVALID_ARGUMENT;
    }
    if (alg == PSA_ALG_FFDH) {
        return PSA_KEY_TYPE_IS_DH_KEY_PAIR(type) ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
    }
    return PSA_ERROR_NOT_SUPPORTED;
}

/* Acquires the private key of a raw agreement and computes the shared secret into `output`. */
static psa_status_t agreement_compute(const core_caller_t *caller, psa_algorithm_t policy_alg,
                                      psa_algorithm_t alg, psa_key_id_t private_key,
                                      const uint8_t *peer_key, size_t peer_key_length,
                                      uint8_t *output, size_t output_size, size_t *output_length)
{
    core_key_t *key = NULL;
    psa_status_t status =
        core_key_acquire(caller, private_key, PSA_KEY_USAGE_DERIVE, policy_alg, &key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = agreement_check_key(key, alg);
    if (status == PSA_SUCCESS) {
        status = asym_agree(key, peer_key, peer_key_length, output, output_size, output_length);
    }
    core_key_release(key);
    return status;
}

psa_status_t core_raw_key_agreement(const core_caller_t *caller, psa_algorithm_t alg,
                                    psa_key_id_t private_key, const uint8_t *peer_key,
                                    size_t peer_key_length, uint8_t *output, size_t output_size,
                                    size_t *output_length)
{
    *output_length = 0;
    if (!PSA_ALG_IS_RAW_KEY_AGREEMENT(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return agreement_compute(caller, alg, alg, private_key, peer_key, peer_key_length, output,
                             output_size, output_length);
}

/* Key types psa_key_agreement() can store a shared secret in. */
static psa_status_t agreement_check_output_type(psa_key_type_t type)
{
    switch (type) {
    case PSA_KEY_TYPE_DERIVE:
    case PSA_KEY_TYPE_RAW_DATA:
    case PSA_KEY_TYPE_HMAC:
    case PSA_KEY_TYPE_PASSWORD:
        return PSA_SUCCESS;
    default:
        return PSA_KEY_TYPE_IS_ASYMMETRIC(type) || type == PSA_KEY_TYPE_NONE
                   ? PSA_ERROR_INVALID_ARGUMENT
                   : PSA_ERROR_NOT_SUPPORTED;
    }
}

psa_status_t core_key_agreement(const core_caller_t *caller, psa_key_id_t private_key,
                                const uint8_t *peer_key, size_t peer_key_length,
                                psa_algorithm_t alg, const psa_key_attributes_t *attributes,
                                psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    if (!PSA_ALG_IS_RAW_KEY_AGREEMENT(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    uint8_t secret[PSA_RAW_KEY_AGREEMENT_OUTPUT_MAX_SIZE];
    size_t secret_length = 0;
    psa_status_t status =
        agreement_compute(caller, alg, alg, private_key, peer_key, peer_key_length, secret,
                          sizeof(secret), &secret_length);
    if (status == PSA_SUCCESS) {
        status = agreement_check_output_type(attributes->type);
    }
    if (status == PSA_SUCCESS) {
        status = core_key_create(caller, attributes, secret, secret_length, key);
    }
    OPENSSL_cleanse(secret, sizeof(secret));
    return status;
}

psa_status_t core_asym_agreement_secret(const core_caller_t *caller, psa_algorithm_t policy_alg,
                                        psa_algorithm_t alg, psa_key_id_t private_key,
                                        const uint8_t *peer_key, size_t peer_key_length,
                                        uint8_t *output, size_t output_size, size_t *output_length)
{
    *output_length = 0;
    return agreement_compute(caller, policy_alg, alg, private_key, peer_key, peer_key_length,
                             output, output_size, output_length);
}
