/* Per-key-type rules: which material is valid for a type, how keys are generated and exported. */
#include "key_types.h"
#include "asym_internal.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

bool core_key_type_is_unstructured(psa_key_type_t type)
{
    switch (type) {
    case PSA_KEY_TYPE_RAW_DATA:
    case PSA_KEY_TYPE_HMAC:
    case PSA_KEY_TYPE_DERIVE:
    case PSA_KEY_TYPE_PASSWORD:
    case PSA_KEY_TYPE_PASSWORD_HASH:
    case PSA_KEY_TYPE_PEPPER:
    case PSA_KEY_TYPE_AES:
    case PSA_KEY_TYPE_ARIA:
    case PSA_KEY_TYPE_CAMELLIA:
    case PSA_KEY_TYPE_SM4:
    case PSA_KEY_TYPE_DES:
    case PSA_KEY_TYPE_CHACHA20:
    case PSA_KEY_TYPE_XCHACHA20:
        return true;
    default:
        return false;
    }
}

/* Valid sizes, in bits, of the block and stream cipher keys. */
static psa_status_t check_cipher_key_bits(psa_key_type_t type, size_t bits)
{
    switch (type) {
    case PSA_KEY_TYPE_AES:
        /* 384 and 512 bits are the two-key forms used by XTS (AES-192-XTS, AES-256-XTS). */
        return bits == 128 || bits == 192 || bits == 256 || bits == 384 || bits == 512
                   ? PSA_SUCCESS
                   : PSA_ERROR_INVALID_ARGUMENT;
    case PSA_KEY_TYPE_ARIA:
    case PSA_KEY_TYPE_CAMELLIA:
        return bits == 128 || bits == 192 || bits == 256 ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
    case PSA_KEY_TYPE_SM4:
        return bits == 128 ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
    case PSA_KEY_TYPE_DES:
        return bits == 64 || bits == 128 || bits == 192 ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
    case PSA_KEY_TYPE_CHACHA20:
    case PSA_KEY_TYPE_XCHACHA20:
        return bits == 256 ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
    default:
        /* Raw byte-string types: any whole number of bytes. */
        return bits % 8 == 0 && bits > 0 ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
    }
}

psa_status_t core_key_types_validate(psa_key_type_t type, const uint8_t *data, size_t length,
                                     size_t *bits)
{
    if (PSA_KEY_TYPE_IS_ASYMMETRIC(type)) {
        return asym_key_validate(type, data, length, bits);
    }
    if (!core_key_type_is_unstructured(type)) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (length == 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (length > CORE_MAX_RAW_KEY_BYTES) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    psa_status_t status = check_cipher_key_bits(type, PSA_BYTES_TO_BITS(length));
    if (status != PSA_SUCCESS) {
        return status;
    }
    *bits = PSA_BYTES_TO_BITS(length);
    return PSA_SUCCESS;
}

/* DES keys carry odd parity in the low bit of each byte. */
static void set_des_parity(uint8_t *key, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        uint8_t b = key[i] & 0xfe;
        uint8_t ones = 0;
        for (uint8_t v = b; v != 0; v >>= 1) {
            ones += v & 1;
        }
        key[i] = b | ((ones & 1) ? 0 : 1);
    }
}

psa_status_t core_key_types_generate(psa_key_type_t type, size_t bits, uint8_t **material,
                                     size_t *length)
{
    if (PSA_KEY_TYPE_IS_ASYMMETRIC(type)) {
        return asym_key_generate(type, bits, material, length);
    }
    if (!core_key_type_is_unstructured(type)) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (bits == 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (bits > PSA_BYTES_TO_BITS(CORE_MAX_RAW_KEY_BYTES)) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    psa_status_t status = check_cipher_key_bits(type, bits);
    if (status != PSA_SUCCESS) {
        return status;
    }
    size_t n = PSA_BITS_TO_BYTES(bits);
    uint8_t *p = OPENSSL_malloc(n);
    if (p == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (RAND_priv_bytes(p, (int)n) != 1) {
        OPENSSL_clear_free(p, n);
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    }
    if (type == PSA_KEY_TYPE_DES) {
        set_des_parity(p, n);
    }
    *material = p;
    *length = n;
    return PSA_SUCCESS;
}

psa_status_t core_key_types_load_asym(core_key_t *key)
{
    if (!PSA_KEY_TYPE_IS_ASYMMETRIC(key->attr.type)) {
        return PSA_SUCCESS;
    }
    EVP_PKEY *pkey = NULL;
    psa_status_t status =
        asym_key_load(key->attr.type, key->attr.bits, key->material, key->material_length, &pkey);
    if (status == PSA_SUCCESS) {
        key->asym = pkey;
    }
    return status;
}

void core_key_types_free_asym(core_key_t *key)
{
    EVP_PKEY_free(asym_pkey(key));
    key->asym = NULL;
}

psa_status_t core_key_types_export_public(const core_key_t *key, uint8_t *data, size_t data_size,
                                          size_t *data_length)
{
    *data_length = 0;
    /* SPAKE2+ keys have no OpenSSL object: their public part is computed from the material. */
    if (!PSA_KEY_TYPE_IS_ASYMMETRIC(key->attr.type) ||
        (key->asym == NULL && !PSA_KEY_TYPE_IS_SPAKE2P(key->attr.type))) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return asym_key_export_public(key, data, data_size, data_length);
}
