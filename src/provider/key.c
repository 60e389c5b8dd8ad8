/* Keys held in rssd as the provider sees them: attributes and a public-only EVP_PKEY. */
#include "provider.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/param_build.h>

const char *psa_prov_key_name(psa_key_type_t type, size_t bits)
{
    if (PSA_KEY_TYPE_IS_RSA(type)) {
        return "RSA";
    }
    if (!PSA_KEY_TYPE_IS_ECC(type)) {
        return NULL;
    }
    switch (PSA_KEY_TYPE_ECC_GET_FAMILY(type)) {
    case PSA_ECC_FAMILY_SECP_R1:
        return "EC";
    case PSA_ECC_FAMILY_TWISTED_EDWARDS:
        return bits == 255 ? "ED25519" : bits == 448 ? "ED448" : NULL;
    case PSA_ECC_FAMILY_MONTGOMERY:
        return bits == 255 ? "X25519" : bits == 448 ? "X448" : NULL;
    default:
        return NULL;
    }
}

/* OpenSSL's group names of the SECP R1 curves PSA defines. */
static const char *psa_prov_secp_r1_group(size_t bits)
{
    switch (bits) {
    case 256:
        return "P-256";
    case 384:
        return "P-384";
    case 521:
        return "P-521";
    default:
        return NULL;
    }
}

psa_algorithm_t psa_prov_hash_alg(const EVP_MD *md)
{
    static const struct {
        const char *name;
        psa_algorithm_t alg;
    } hashes[] = {
        {"SHA1", PSA_ALG_SHA_1},        {"SHA2-224", PSA_ALG_SHA_224},
        {"SHA2-256", PSA_ALG_SHA_256},  {"SHA2-384", PSA_ALG_SHA_384},
        {"SHA2-512", PSA_ALG_SHA_512},  {"SHA3-224", PSA_ALG_SHA3_224},
        {"SHA3-256", PSA_ALG_SHA3_256}, {"SHA3-384", PSA_ALG_SHA3_384},
        {"SHA3-512", PSA_ALG_SHA3_512},
    };
    for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
        if (EVP_MD_is_a(md, hashes[i].name)) {
            return hashes[i].alg;
        }
    }
    return 0;
}

/* The public half of an ECC SECP R1 key: PSA exports the uncompressed point. */
static EVP_PKEY *psa_prov_ec_public(struct psa_prov_ctx *prov, size_t bits, const uint8_t *point,
                                    size_t point_len)
{
    const char *group = psa_prov_secp_r1_group(bits);
    EVP_PKEY_CTX *pctx = NULL;
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM params[3];
    if (group == NULL) {
        psa_prov_error(prov, PSA_PROV_R_UNSUPPORTED_KEY, "SECP R1 curve of %zu bits", bits);
        return NULL;
    }
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
    params[1] =
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point, point_len);
    params[2] = OSSL_PARAM_construct_end();
    pctx = EVP_PKEY_CTX_new_from_name(prov->libctx, "EC", NULL);
    if (pctx == NULL || EVP_PKEY_fromdata_init(pctx) <= 0 ||
        EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        psa_prov_error(prov, PSA_PROV_R_OPENSSL_FAILED, "EC public key from rssd not accepted");
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(pctx);
    return pkey;
}

/* The public half of an RSA key: PSA exports the DER RSAPublicKey, which libcrypto decodes. */
static EVP_PKEY *psa_prov_rsa_public(struct psa_prov_ctx *prov, const uint8_t *der, size_t der_len)
{
    EVP_PKEY *pkey = NULL;
    OSSL_DECODER_CTX *dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", "type-specific", "RSA",
                                                           EVP_PKEY_PUBLIC_KEY, prov->libctx, NULL);
    const unsigned char *p = der;
    size_t left = der_len;
    if (dctx == NULL || !OSSL_DECODER_from_data(dctx, &p, &left) || left != 0) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
        psa_prov_error(prov, PSA_PROV_R_OPENSSL_FAILED, "RSA public key from rssd not accepted");
    }
    OSSL_DECODER_CTX_free(dctx);
    return pkey;
}

/* Edwards and Montgomery keys: PSA exports the raw public key, as RFC 8032 and 7748 write it. */
static EVP_PKEY *psa_prov_raw_public(struct psa_prov_ctx *prov, const char *name,
                                     const uint8_t *pub, size_t pub_len)
{
    EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key_ex(prov->libctx, name, NULL, pub, pub_len);
    if (pkey == NULL) {
        psa_prov_error(prov, PSA_PROV_R_OPENSSL_FAILED, "%s public key from rssd not accepted",
                       name);
    }
    return pkey;
}

struct psa_prov_key *psa_prov_key_load(struct psa_prov_ctx *prov, psa_key_id_t id)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_status_t status = psa_get_key_attributes(id, &attr);
    struct psa_prov_key *key = NULL;
    uint8_t pub[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
    size_t pub_len = 0;
    if (status != PSA_SUCCESS) {
        psa_prov_psa_error(prov, "psa_get_key_attributes", status);
        return NULL;
    }
    key = calloc(1, sizeof(*key));
    if (key == NULL) {
        goto fail;
    }
    key->prov = prov;
    key->id = id;
    key->type = psa_get_key_type(&attr);
    key->bits = psa_get_key_bits(&attr);
    key->alg = psa_get_key_algorithm(&attr);
    key->usage = psa_get_key_usage_flags(&attr);
    key->name = psa_prov_key_name(key->type, key->bits);
    if (key->name == NULL) {
        psa_prov_error(prov, PSA_PROV_R_UNSUPPORTED_KEY, "key 0x%x has PSA key type 0x%04x",
                       (unsigned)id, (unsigned)key->type);
        goto fail;
    }
    status = psa_export_public_key(id, pub, sizeof(pub), &pub_len);
    if (status != PSA_SUCCESS) {
        psa_prov_psa_error(prov, "psa_export_public_key", status);
        goto fail;
    }
    if (PSA_KEY_TYPE_IS_RSA(key->type)) {
        key->pub = psa_prov_rsa_public(prov, pub, pub_len);
    } else if (strcmp(key->name, "EC") == 0) {
        key->pub = psa_prov_ec_public(prov, key->bits, pub, pub_len);
    } else {
        key->pub = psa_prov_raw_public(prov, key->name, pub, pub_len);
    }
    if (key->pub == NULL) {
        goto fail;
    }
    psa_reset_key_attributes(&attr);
    return key;
fail:
    psa_reset_key_attributes(&attr);
    psa_prov_key_free(key);
    return NULL;
}

void psa_prov_key_free(struct psa_prov_key *key)
{
    if (key == NULL) {
        return;
    }
    EVP_PKEY_free(key->pub);
    free(key);
}
