/* psa-tool: key and signature format conversions between PSA's formats and OpenSSL DER/PEM. */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tool.h"

/* Weierstrass curves by OpenSSL group name and PSA family and size. */
static const struct {
    const char *group;
    psa_ecc_family_t family;
    size_t bits;
} curves[] = {
    {"prime192v1", PSA_ECC_FAMILY_SECP_R1, 192},
    {"secp224r1", PSA_ECC_FAMILY_SECP_R1, 224},
    {"prime256v1", PSA_ECC_FAMILY_SECP_R1, 256},
    {"secp384r1", PSA_ECC_FAMILY_SECP_R1, 384},
    {"secp521r1", PSA_ECC_FAMILY_SECP_R1, 521},
    {"secp256k1", PSA_ECC_FAMILY_SECP_K1, 256},
    {"brainpoolP256r1", PSA_ECC_FAMILY_BRAINPOOL_P_R1, 256},
    {"brainpoolP384r1", PSA_ECC_FAMILY_BRAINPOOL_P_R1, 384},
    {"brainpoolP512r1", PSA_ECC_FAMILY_BRAINPOOL_P_R1, 512},
};

static const struct {
    int id;
    psa_ecc_family_t family;
    size_t bits;
} raw_curves[] = {
    {EVP_PKEY_X25519, PSA_ECC_FAMILY_MONTGOMERY, 255},
    {EVP_PKEY_X448, PSA_ECC_FAMILY_MONTGOMERY, 448},
    {EVP_PKEY_ED25519, PSA_ECC_FAMILY_TWISTED_EDWARDS, 255},
    {EVP_PKEY_ED448, PSA_ECC_FAMILY_TWISTED_EDWARDS, 448},
};

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

static EVP_PKEY *parse_key(const uint8_t *file, size_t length, bool pem, bool *is_private)
{
    EVP_PKEY *pkey = NULL;
    if (pem) {
        BIO *bio = BIO_new_mem_buf(file, (int)length);
        if (bio == NULL) {
            return NULL;
        }
        pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        *is_private = pkey != NULL;
        if (pkey == NULL) {
            (void)BIO_reset(bio);
            pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
        }
        BIO_free(bio);
        return pkey;
    }
    const unsigned char *p = file;
    pkey = d2i_AutoPrivateKey(NULL, &p, (long)length);
    *is_private = pkey != NULL;
    if (pkey == NULL) {
        p = file;
        pkey = d2i_PUBKEY(NULL, &p, (long)length);
    }
    return pkey;
}

static psa_status_t ec_to_psa(EVP_PKEY *pkey, bool is_private, psa_key_type_t *type, size_t *bits,
                              uint8_t **out, size_t *out_length)
{
    char group[64];
    size_t i = 0;
    if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                        NULL)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    for (; i < COUNT(curves) && strcmp(curves[i].group, group) != 0; i++) {
    }
    if (i == COUNT(curves)) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    *bits = curves[i].bits;
    size_t field = (curves[i].bits + 7) / 8;
    if (is_private) {
        BIGNUM *d = NULL;
        *type = PSA_KEY_TYPE_ECC_KEY_PAIR(curves[i].family);
        if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d)) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        *out = OPENSSL_malloc(field);
        if (*out == NULL || BN_bn2binpad(d, *out, (int)field) < 0) {
            BN_clear_free(d);
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        BN_clear_free(d);
        *out_length = field;
        return PSA_SUCCESS;
    }
    *type = PSA_KEY_TYPE_ECC_PUBLIC_KEY(curves[i].family);
    /* PSA's format is the uncompressed point, whatever form the file used. */
    (void)EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                         "uncompressed");
    size_t len = 0;
    if (!EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0, &len) ||
        (*out = OPENSSL_malloc(len)) == NULL ||
        !EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, *out, len,
                                         &len)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    *out_length = len;
    return PSA_SUCCESS;
}

static psa_status_t der_of(EVP_PKEY *pkey, bool is_private, uint8_t **out, size_t *out_length)
{
    unsigned char *der = NULL;
    int n = is_private ? i2d_PrivateKey(pkey, &der) : i2d_PublicKey(pkey, &der);
    if (n <= 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    *out = der;
    *out_length = (size_t)n;
    return PSA_SUCCESS;
}

psa_status_t tool_key_from_file(const uint8_t *file, size_t file_length, bool pem,
                                psa_key_type_t *type, size_t *bits, uint8_t **psa_data,
                                size_t *psa_length)
{
    bool is_private = false;
    EVP_PKEY *pkey = parse_key(file, file_length, pem, &is_private);
    if (pkey == NULL) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    psa_status_t status = PSA_ERROR_NOT_SUPPORTED;
    int id = EVP_PKEY_get_base_id(pkey);
    *psa_data = NULL;
    if (id == EVP_PKEY_RSA) {
        /* PSA's RSA formats are PKCS#1: RSAPrivateKey and RSAPublicKey, OpenSSL's "type-specific"
         * encodings. */
        *type = is_private ? PSA_KEY_TYPE_RSA_KEY_PAIR : PSA_KEY_TYPE_RSA_PUBLIC_KEY;
        *bits = (size_t)EVP_PKEY_get_bits(pkey);
        status = der_of(pkey, is_private, psa_data, psa_length);
    } else if (id == EVP_PKEY_EC) {
        status = ec_to_psa(pkey, is_private, type, bits, psa_data, psa_length);
    } else {
        for (size_t i = 0; i < COUNT(raw_curves); i++) {
            if (raw_curves[i].id != id) {
                continue;
            }
            size_t len = 0;
            int ok = is_private ? EVP_PKEY_get_raw_private_key(pkey, NULL, &len)
                                : EVP_PKEY_get_raw_public_key(pkey, NULL, &len);
            *psa_data = ok ? OPENSSL_malloc(len) : NULL;
            if (*psa_data == NULL) {
                status = PSA_ERROR_INVALID_ARGUMENT;
                break;
            }
            ok = is_private ? EVP_PKEY_get_raw_private_key(pkey, *psa_data, &len)
                            : EVP_PKEY_get_raw_public_key(pkey, *psa_data, &len);
            *psa_length = len;
            *bits = raw_curves[i].bits;
            *type = is_private ? PSA_KEY_TYPE_ECC_KEY_PAIR(raw_curves[i].family)
                               : PSA_KEY_TYPE_ECC_PUBLIC_KEY(raw_curves[i].family);
            status = ok ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
            break;
        }
    }
    EVP_PKEY_free(pkey);
    if (status != PSA_SUCCESS && *psa_data != NULL) {
        OPENSSL_clear_free(*psa_data, *psa_length);
        *psa_data = NULL;
    }
    return status;
}

static EVP_PKEY *ec_public_from_point(const char *group, const uint8_t *data, size_t length)
{
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (bld != NULL && ctx != NULL &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, data, length) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) > 0) {
        if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
            pkey = NULL;
        }
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

psa_status_t tool_public_key_to_spki(psa_key_type_t type, size_t bits, const uint8_t *data,
                                     size_t length, bool pem, uint8_t **out, size_t *out_length)
{
    EVP_PKEY *pkey = NULL;
    psa_key_type_t pub =
        PSA_KEY_TYPE_IS_KEY_PAIR(type) ? PSA_KEY_TYPE_PUBLIC_KEY_OF_KEY_PAIR(type) : type;
    if (pub == PSA_KEY_TYPE_RSA_PUBLIC_KEY) {
        const unsigned char *p = data;
        pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)length);
    } else if (PSA_KEY_TYPE_IS_ECC(pub)) {
        psa_ecc_family_t family = PSA_KEY_TYPE_ECC_GET_FAMILY(pub);
        for (size_t i = 0; i < COUNT(raw_curves) && pkey == NULL; i++) {
            if (raw_curves[i].family == family && raw_curves[i].bits == bits) {
                pkey = EVP_PKEY_new_raw_public_key(raw_curves[i].id, NULL, data, length);
            }
        }
        for (size_t i = 0; i < COUNT(curves) && pkey == NULL; i++) {
            if (curves[i].family == family && curves[i].bits == bits) {
                pkey = ec_public_from_point(curves[i].group, data, length);
            }
        }
    } else {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (pkey == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    psa_status_t status = PSA_ERROR_INSUFFICIENT_MEMORY;
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio != NULL && (pem ? PEM_write_bio_PUBKEY(bio, pkey) : i2d_PUBKEY_bio(bio, pkey))) {
        char *mem = NULL;
        long n = BIO_get_mem_data(bio, &mem);
        *out = OPENSSL_malloc(n > 0 ? (size_t)n : 1);
        if (*out != NULL && n > 0) {
            memcpy(*out, mem, (size_t)n);
            *out_length = (size_t)n;
            status = PSA_SUCCESS;
        }
    }
    BIO_free(bio);
    EVP_PKEY_free(pkey);
    return status;
}

bool tool_ecdsa_raw_to_der(const uint8_t *raw, size_t raw_length, uint8_t **der, size_t *der_length)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, (int)(raw_length / 2), NULL);
    BIGNUM *s = BN_bin2bn(raw + raw_length / 2, (int)(raw_length / 2), NULL);
    bool ok = false;
    if (sig != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(sig, r, s)) {
        r = s = NULL; /* owned by sig now */
        unsigned char *p = NULL;
        int n = i2d_ECDSA_SIG(sig, &p);
        if (n > 0) {
            *der = p;
            *der_length = (size_t)n;
            ok = true;
        }
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return ok;
}

bool tool_ecdsa_der_to_raw(const uint8_t *der, size_t der_length, size_t field_bytes, uint8_t *raw)
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_length);
    if (sig == NULL) {
        return false;
    }
    const BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG_get0(sig, &r, &s);
    bool ok = BN_bn2binpad(r, raw, (int)field_bytes) >= 0 &&
              BN_bn2binpad(s, raw + field_bytes, (int)field_bytes) >= 0;
    ECDSA_SIG_free(sig);
    return ok;
}
