/* KEYMGMT for keys held in rssd: load by reference, public export and import, matching, params. */
#include "provider.h"
#include "keygen.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

/* Selections that concern the public half only: what leaves rssd and what may be imported. */
#define PSA_PROV_PUBLIC_SELECTION                                                                  \
    (OSSL_KEYMGMT_SELECT_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_ALL_PARAMETERS)

static void psa_prov_keymgmt_free(void *keydata)
{
    psa_prov_key_free(keydata);
}

static void *psa_prov_keymgmt_load(const void *reference, size_t reference_sz)
{
    struct psa_prov_key_ref ref;
    if (reference == NULL || reference_sz != sizeof(ref)) {
        return NULL;
    }
    memcpy(&ref, reference, sizeof(ref));
    if (ref.magic != PSA_PROV_KEY_REF_MAGIC || ref.prov == NULL) {
        return NULL;
    }
    return psa_prov_key_load(ref.prov, ref.id);
}

static int psa_prov_keymgmt_has(const void *keydata, int selection)
{
    const struct psa_prov_key *key = keydata;
    if (key == NULL) {
        return 0;
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 &&
        (key->id == 0 || !PSA_KEY_TYPE_IS_KEY_PAIR(key->type))) {
        return 0;
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0 && key->pub == NULL) {
        return 0;
    }
    return 1;
}

static int psa_prov_keymgmt_match(const void *keydata1, const void *keydata2, int selection)
{
    const struct psa_prov_key *k1 = keydata1;
    const struct psa_prov_key *k2 = keydata2;
    if (k1->pub == NULL || k2->pub == NULL) {
        return 0;
    }
    /* A public half determines its private half, so keys match when their public halves do. */
    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0) {
        return EVP_PKEY_eq(k1->pub, k2->pub) == 1;
    }
    if ((selection & OSSL_KEYMGMT_SELECT_ALL_PARAMETERS) != 0) {
        return EVP_PKEY_parameters_eq(k1->pub, k2->pub) == 1;
    }
    return 1;
}

/* The hash a key's PSA policy names (ECDSA(SHA-384), PSS(SHA-256)...), 0 for a wildcard. */
static const char *psa_prov_policy_digest(psa_algorithm_t alg)
{
    switch (PSA_ALG_SIGN_GET_HASH(alg)) {
    case PSA_ALG_SHA_1:
        return "SHA1";
    case PSA_ALG_SHA_224:
        return "SHA2-224";
    case PSA_ALG_SHA_256:
        return "SHA2-256";
    case PSA_ALG_SHA_384:
        return "SHA2-384";
    case PSA_ALG_SHA_512:
        return "SHA2-512";
    default:
        return NULL;
    }
}

static int psa_prov_keymgmt_get_params(void *keydata, OSSL_PARAM params[])
{
    struct psa_prov_key *key = keydata;
    const char *digest = NULL;
    OSSL_PARAM *p;
    /* Bits, security bits, maximum signature size, group and the public half are properties of
     * the public key, which the private context answers for. */
    if (key->pub == NULL || !EVP_PKEY_get_params(key->pub, params)) {
        return 0;
    }
    /* OpenSSL's default digest for the key type, unless the PSA policy allows one hash only. */
    if (PSA_ALG_IS_SIGN_HASH(key->alg)) {
        digest = psa_prov_policy_digest(key->alg);
    }
    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST);
    if (p != NULL && digest != NULL && !OSSL_PARAM_set_utf8_string(p, digest)) {
        return 0;
    }
    return 1;
}

/* Public import: the other half of matching a key of another provider against one in rssd. */
static void *psa_prov_keymgmt_import_public(struct psa_prov_ctx *prov, const char *type_name,
                                            psa_key_type_t type, int selection,
                                            const OSSL_PARAM params[])
{
    struct psa_prov_key *key;
    EVP_PKEY_CTX *pctx;
    if ((selection & PSA_PROV_PUBLIC_SELECTION) == 0) {
        return NULL;
    }
    key = calloc(1, sizeof(*key));
    if (key == NULL) {
        return NULL;
    }
    key->prov = prov;
    key->type = type;
    pctx = EVP_PKEY_CTX_new_from_name(prov->libctx, type_name, NULL);
    if (pctx == NULL || EVP_PKEY_fromdata_init(pctx) <= 0 ||
        EVP_PKEY_fromdata(pctx, &key->pub, selection & PSA_PROV_PUBLIC_SELECTION,
                          (OSSL_PARAM *)params) <= 0) {
        EVP_PKEY_CTX_free(pctx);
        free(key);
        return NULL;
    }
    EVP_PKEY_CTX_free(pctx);
    key->bits = (size_t)EVP_PKEY_get_bits(key->pub);
    return key;
}

static int psa_prov_keymgmt_export(void *keydata, int selection, OSSL_CALLBACK *param_cb,
                                   void *cbarg)
{
    struct psa_prov_key *key = keydata;
    /* Only the public half exists outside rssd. A request that includes the private half fails:
     * OpenSSL then keeps private-key operations with this provider instead of handing a
     * public-only copy to another provider's signer. */
    if (key->pub == NULL || (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 ||
        (selection & PSA_PROV_PUBLIC_SELECTION) == 0) {
        return 0;
    }
    return EVP_PKEY_export(key->pub, selection & PSA_PROV_PUBLIC_SELECTION, param_cb, cbarg);
}

/* --- one key manager per OpenSSL key type ------------------------------------------------ */

static void *psa_prov_keymgmt_new(struct psa_prov_ctx *prov, psa_key_type_t type)
{
    struct psa_prov_key *key = calloc(1, sizeof(*key));
    if (key != NULL) {
        key->prov = prov;
        key->type = type;
    }
    return key;
}

static int psa_prov_keymgmt_import(void *keydata, const char *type_name, int selection,
                                   const OSSL_PARAM params[])
{
    struct psa_prov_key *key = keydata;
    struct psa_prov_key *imported;
    if (key->pub != NULL) {
        return 0;
    }
    imported = psa_prov_keymgmt_import_public(key->prov, type_name, key->type, selection, params);
    if (imported == NULL) {
        return 0;
    }
    *key = *imported;
    free(imported);
    return 1;
}

static const OSSL_PARAM *psa_prov_keymgmt_gettable(struct psa_prov_ctx *prov, const char *type_name)
{
    EVP_KEYMGMT *km = EVP_KEYMGMT_fetch(prov->libctx, type_name, NULL);
    /* The default provider's table is static and outlives the fetched method. */
    const OSSL_PARAM *params = km != NULL ? EVP_KEYMGMT_gettable_params(km) : NULL;
    EVP_KEYMGMT_free(km);
    return params;
}

static const OSSL_PARAM psa_prov_ec_types[] = {
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM psa_prov_rsa_types[] = {
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM psa_prov_raw_types[] = {
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
    OSSL_PARAM_END,
};

/* Defines the key manager psa_prov_<id>_keymgmt_functions for one OpenSSL key type: its name,
 * the PSA type an imported public key gets, its parameter table and its operations' names. */
#define PSA_PROV_KEYMGMT(id, type_name, psa_type, types, sig_name, exch_name, enc_name, ...)       \
    static const struct psa_prov_gen_spec psa_prov_##id##_gen_spec = {__VA_ARGS__};                \
    static void *psa_prov_##id##_gen_init(void *provctx, int selection, const OSSL_PARAM params[]) \
    {                                                                                              \
        return psa_prov_gen_init(provctx, &psa_prov_##id##_gen_spec, selection, params);           \
    }                                                                                              \
    static void *psa_prov_##id##_new(void *provctx)                                                \
    {                                                                                              \
        return psa_prov_keymgmt_new(provctx, psa_type);                                            \
    }                                                                                              \
    static int psa_prov_##id##_import(void *keydata, int selection, const OSSL_PARAM params[])     \
    {                                                                                              \
        return psa_prov_keymgmt_import(keydata, type_name, selection, params);                     \
    }                                                                                              \
    static const OSSL_PARAM *psa_prov_##id##_param_types(int selection)                            \
    {                                                                                              \
        return (selection & PSA_PROV_PUBLIC_SELECTION) != 0 ? types : NULL;                        \
    }                                                                                              \
    static const OSSL_PARAM *psa_prov_##id##_gettable_params(void *provctx)                        \
    {                                                                                              \
        return psa_prov_keymgmt_gettable(provctx, type_name);                                      \
    }                                                                                              \
    static const char *psa_prov_##id##_query_operation_name(int operation_id)                      \
    {                                                                                              \
        return operation_id == OSSL_OP_SIGNATURE ? sig_name                                        \
               : operation_id == OSSL_OP_KEYEXCH ? exch_name                                       \
                                                 : NULL;                                           \
    }                                                                                              \
    const OSSL_DISPATCH psa_prov_##id##_keymgmt_functions[] = {                                    \
        {OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))psa_prov_##id##_new},                              \
        {OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))psa_prov_keymgmt_free},                           \
        {OSSL_FUNC_KEYMGMT_LOAD, (void (*)(void))psa_prov_keymgmt_load},                           \
        {OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))psa_prov_keymgmt_has},                             \
        {OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))psa_prov_keymgmt_match},                         \
        {OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))psa_prov_keymgmt_get_params},               \
        {OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, (void (*)(void))psa_prov_##id##_gettable_params},      \
        {OSSL_FUNC_KEYMGMT_IMPORT, (void (*)(void))psa_prov_##id##_import},                        \
        {OSSL_FUNC_KEYMGMT_IMPORT_TYPES, (void (*)(void))psa_prov_##id##_param_types},             \
        {OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))psa_prov_keymgmt_export},                       \
        {OSSL_FUNC_KEYMGMT_EXPORT_TYPES, (void (*)(void))psa_prov_##id##_param_types},             \
        {OSSL_FUNC_KEYMGMT_GEN_INIT, (void (*)(void))psa_prov_##id##_gen_init},                    \
        {OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, (void (*)(void))psa_prov_gen_set_params},               \
        {OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS, (void (*)(void))psa_prov_gen_settable_params},     \
        {OSSL_FUNC_KEYMGMT_GEN, (void (*)(void))psa_prov_gen},                                     \
        {OSSL_FUNC_KEYMGMT_GEN_CLEANUP, (void (*)(void))psa_prov_gen_cleanup},                     \
        {OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME,                                                   \
         (void (*)(void))psa_prov_##id##_query_operation_name},                                    \
        {0, NULL},                                                                                 \
    };

#define PSA_PROV_SIGN_USAGE  (PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH)
#define PSA_PROV_EDDSA_USAGE (PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_MESSAGE)

PSA_PROV_KEYMGMT(ec, "EC", PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1), psa_prov_ec_types,
                 "ECDSA", "ECDH", NULL, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1),
                 PSA_ECC_FAMILY_SECP_R1, 256, PSA_PROV_SIGN_USAGE, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH))
PSA_PROV_KEYMGMT(rsa, "RSA", PSA_KEY_TYPE_RSA_PUBLIC_KEY, psa_prov_rsa_types, "RSA", NULL, "RSA",
                 PSA_KEY_TYPE_RSA_KEY_PAIR, 0, 2048, PSA_PROV_SIGN_USAGE,
                 PSA_ALG_RSA_PSS(PSA_ALG_ANY_HASH))
PSA_PROV_KEYMGMT(ed25519, "ED25519", PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_TWISTED_EDWARDS),
                 psa_prov_raw_types, "ED25519", NULL, NULL,
                 PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_TWISTED_EDWARDS),
                 PSA_ECC_FAMILY_TWISTED_EDWARDS, 255, PSA_PROV_EDDSA_USAGE, PSA_ALG_PURE_EDDSA)
PSA_PROV_KEYMGMT(ed448, "ED448", PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_TWISTED_EDWARDS),
                 psa_prov_raw_types, "ED448", NULL, NULL,
                 PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_TWISTED_EDWARDS),
                 PSA_ECC_FAMILY_TWISTED_EDWARDS, 448, PSA_PROV_EDDSA_USAGE, PSA_ALG_PURE_EDDSA)
PSA_PROV_KEYMGMT(x25519, "X25519", PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_MONTGOMERY),
                 psa_prov_raw_types, NULL, "X25519", NULL,
                 PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY), PSA_ECC_FAMILY_MONTGOMERY,
                 255, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH)
PSA_PROV_KEYMGMT(x448, "X448", PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_MONTGOMERY),
                 psa_prov_raw_types, NULL, "X448", NULL,
                 PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY), PSA_ECC_FAMILY_MONTGOMERY,
                 448, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH)
