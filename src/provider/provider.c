/* The OpenSSL 3 provider `psa`: entry point, algorithm tables, errors, the private context. */
#include "provider.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "psa_names.h"
#include "ss/psa_status.h"
#include "ss_version.h"

#define PSA_PROV_NAME    "Secure Services PSA provider (keys in rssd)"
#define PSA_PROV_VERSION SS_VERSION

/* The key names OpenSSL's own key managers use, so that encoders and TLS recognise the keys. */
#define PSA_PROV_EC_NAMES      "EC:id-ecPublicKey:1.2.840.10045.2.1"
#define PSA_PROV_RSA_NAMES     "RSA:rsaEncryption:1.2.840.113549.1.1.1"
#define PSA_PROV_ED25519_NAMES "ED25519:1.3.101.112"
#define PSA_PROV_ED448_NAMES   "ED448:1.3.101.113"
#define PSA_PROV_X25519_NAMES  "X25519:1.3.101.110"
#define PSA_PROV_X448_NAMES    "X448:1.3.101.111"

static const OSSL_ALGORITHM psa_prov_keymgmt[] = {
    {PSA_PROV_EC_NAMES, "provider=psa", psa_prov_ec_keymgmt_functions, "EC keys in rssd"},
    {PSA_PROV_RSA_NAMES, "provider=psa", psa_prov_rsa_keymgmt_functions, "RSA keys in rssd"},
    {PSA_PROV_ED25519_NAMES, "provider=psa", psa_prov_ed25519_keymgmt_functions,
     "Ed25519 keys in rssd"},
    {PSA_PROV_ED448_NAMES, "provider=psa", psa_prov_ed448_keymgmt_functions, "Ed448 keys in rssd"},
    {PSA_PROV_X25519_NAMES, "provider=psa", psa_prov_x25519_keymgmt_functions,
     "X25519 keys in rssd"},
    {PSA_PROV_X448_NAMES, "provider=psa", psa_prov_x448_keymgmt_functions, "X448 keys in rssd"},
    {NULL, NULL, NULL, NULL},
};

static const OSSL_ALGORITHM psa_prov_signature[] = {
    {"ECDSA", "provider=psa", psa_prov_ecdsa_signature_functions, "ECDSA by psa_sign_hash"},
    {PSA_PROV_RSA_NAMES, "provider=psa", psa_prov_rsa_signature_functions,
     "RSA PKCS#1 v1.5 and PSS by psa_sign_hash"},
    {PSA_PROV_ED25519_NAMES, "provider=psa", psa_prov_eddsa_signature_functions,
     "Ed25519 by psa_sign_message"},
    {PSA_PROV_ED448_NAMES, "provider=psa", psa_prov_eddsa_signature_functions,
     "Ed448 by psa_sign_message"},
    {NULL, NULL, NULL, NULL},
};

static const OSSL_ALGORITHM psa_prov_asym_cipher[] = {
    {PSA_PROV_RSA_NAMES, "provider=psa", psa_prov_rsa_asym_cipher_functions,
     "RSA OAEP and PKCS#1 v1.5 decryption by psa_asymmetric_decrypt"},
    {NULL, NULL, NULL, NULL},
};

static const OSSL_ALGORITHM psa_prov_keyexch[] = {
    {"ECDH", "provider=psa", psa_prov_ecdh_keyexch_functions, "ECDH by psa_raw_key_agreement"},
    {PSA_PROV_X25519_NAMES, "provider=psa", psa_prov_ecdh_keyexch_functions,
     "X25519 by psa_raw_key_agreement"},
    {PSA_PROV_X448_NAMES, "provider=psa", psa_prov_ecdh_keyexch_functions,
     "X448 by psa_raw_key_agreement"},
    {NULL, NULL, NULL, NULL},
};

static const OSSL_ALGORITHM psa_prov_store[] = {
    {"psa", "provider=psa", psa_prov_store_functions, "keys in rssd by psa:id=N"},
    {NULL, NULL, NULL, NULL},
};

/* Per key type: the public half as DER and PEM SubjectPublicKeyInfo, and in place of the private
 * half (PEM_write_PrivateKey, genpkey -out) the key's URI. */
#define PSA_PROV_ENCODERS(names)                                                                   \
    {names, "provider=psa,output=der,structure=SubjectPublicKeyInfo",                              \
     psa_prov_spki_der_encoder_functions, "public key as DER SubjectPublicKeyInfo"},               \
        {names, "provider=psa,output=pem,structure=SubjectPublicKeyInfo",                          \
         psa_prov_spki_pem_encoder_functions, "public key as PEM SubjectPublicKeyInfo"},           \
    {                                                                                              \
        names, "provider=psa,output=pem,structure=PrivateKeyInfo", psa_prov_uri_encoder_functions, \
            "the psa: URI of the key"                                                              \
    }

static const OSSL_ALGORITHM psa_prov_encoder[] = {
    PSA_PROV_ENCODERS(PSA_PROV_EC_NAMES),
    PSA_PROV_ENCODERS(PSA_PROV_RSA_NAMES),
    PSA_PROV_ENCODERS(PSA_PROV_ED25519_NAMES),
    PSA_PROV_ENCODERS(PSA_PROV_ED448_NAMES),
    PSA_PROV_ENCODERS(PSA_PROV_X25519_NAMES),
    PSA_PROV_ENCODERS(PSA_PROV_X448_NAMES),
    {NULL, NULL, NULL, NULL},
};

static const OSSL_ITEM psa_prov_reasons[] = {
    {PSA_PROV_R_PSA_CALL_FAILED, "PSA call failed"},
    {PSA_PROV_R_BAD_URI, "not a psa: key URI"},
    {PSA_PROV_R_UNSUPPORTED_KEY, "key type not served by the psa provider"},
    {PSA_PROV_R_UNSUPPORTED_ALG, "algorithm not served by the psa provider"},
    {PSA_PROV_R_OPENSSL_FAILED, "OpenSSL call failed"},
    {PSA_PROV_R_NOT_A_PRIVATE_KEY, "the key has no private half in rssd"},
    {PSA_PROV_R_BAD_PARAMETER, "bad key generation parameter"},
    {0, NULL},
};

void psa_prov_error(struct psa_prov_ctx *prov, int reason, const char *fmt, ...)
{
    va_list ap;
    if (prov == NULL || prov->core_new_error == NULL || prov->core_vset_error == NULL) {
        return;
    }
    prov->core_new_error(prov->handle);
    va_start(ap, fmt);
    prov->core_vset_error(prov->handle, (uint32_t)reason, fmt, ap);
    va_end(ap);
}

void psa_prov_psa_error(struct psa_prov_ctx *prov, const char *call, psa_status_t status)
{
    psa_prov_error(prov, PSA_PROV_R_PSA_CALL_FAILED, "%s: %s (%s)", call, psa_status_name(status),
                   psa_status_text(status));
}

static const OSSL_PARAM *psa_prov_gettable_params(void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, NULL, 0),
        OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, NULL, 0),
        OSSL_PARAM_DEFN(OSSL_PROV_PARAM_BUILDINFO, OSSL_PARAM_UTF8_PTR, NULL, 0),
        OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, NULL, 0),
        OSSL_PARAM_END,
    };
    (void)provctx;
    return params;
}

static int psa_prov_get_params(void *provctx, OSSL_PARAM params[])
{
    OSSL_PARAM *p;
    (void)provctx;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, PSA_PROV_NAME)) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, PSA_PROV_VERSION)) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, PSA_PROV_VERSION)) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
    if (p != NULL && !OSSL_PARAM_set_int(p, 1)) {
        return 0;
    }
    return 1;
}

static const OSSL_ALGORITHM *psa_prov_query(void *provctx, int operation_id, int *no_cache)
{
    (void)provctx;
    *no_cache = 0;
    switch (operation_id) {
    case OSSL_OP_KEYMGMT:
        return psa_prov_keymgmt;
    case OSSL_OP_SIGNATURE:
        return psa_prov_signature;
    case OSSL_OP_ASYM_CIPHER:
        return psa_prov_asym_cipher;
    case OSSL_OP_KEYEXCH:
        return psa_prov_keyexch;
    case OSSL_OP_STORE:
        return psa_prov_store;
    case OSSL_OP_ENCODER:
        return psa_prov_encoder;
    default:
        return NULL;
    }
}

static const OSSL_ITEM *psa_prov_get_reason_strings(void *provctx)
{
    (void)provctx;
    return psa_prov_reasons;
}

static void psa_prov_teardown(void *provctx)
{
    struct psa_prov_ctx *prov = provctx;
    OSSL_PROVIDER_unload(prov->default_provider);
    OSSL_LIB_CTX_free(prov->libctx);
    free(prov);
}

static const OSSL_DISPATCH psa_prov_functions[] = {
    {OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))psa_prov_teardown},
    {OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))psa_prov_gettable_params},
    {OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))psa_prov_get_params},
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))psa_prov_query},
    {OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, (void (*)(void))psa_prov_get_reason_strings},
    {0, NULL},
};

OSSL_provider_init_fn OSSL_provider_init;

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                       const OSSL_DISPATCH **out, void **provctx)
{
    struct psa_prov_ctx *prov = calloc(1, sizeof(*prov));
    if (prov == NULL) {
        return 0;
    }
    prov->handle = handle;
    for (; in->function_id != 0; in++) {
        switch (in->function_id) {
        case OSSL_FUNC_CORE_NEW_ERROR:
            prov->core_new_error = OSSL_FUNC_core_new_error(in);
            break;
        case OSSL_FUNC_CORE_VSET_ERROR:
            prov->core_vset_error = OSSL_FUNC_core_vset_error(in);
            break;
        case OSSL_FUNC_BIO_WRITE_EX:
            prov->core_bio_write_ex = OSSL_FUNC_BIO_write_ex(in);
            break;
        default:
            break;
        }
    }
    /* libpsa's init is local (the routing mode); rssd is reached at the first key operation, so
     * the provider loads even while rssd is down and reports that on use. */
    psa_status_t status = psa_crypto_init();
    prov->libctx = OSSL_LIB_CTX_new();
    if (prov->libctx != NULL) {
        prov->default_provider = OSSL_PROVIDER_load(prov->libctx, "default");
    }
    if (status != PSA_SUCCESS || prov->default_provider == NULL) {
        OSSL_LIB_CTX_free(prov->libctx);
        free(prov);
        return 0;
    }
    *provctx = prov;
    *out = psa_prov_functions;
    return 1;
}
