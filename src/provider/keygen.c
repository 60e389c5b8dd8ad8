/* Key generation in rssd (openssl genpkey): the PSA attributes come as parameters. */
#include "keygen.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "psa_names.h"
#include "uri.h"

struct psa_prov_gen_ctx {
    struct psa_prov_ctx *prov;
    const struct psa_prov_gen_spec *spec;
    size_t bits;
    psa_key_id_t id; /* 0: none asked for */
    psa_key_usage_t usage;
    psa_algorithm_t alg;
    psa_key_lifetime_t lifetime;
};

/* The SECP R1 curves by OpenSSL's names. */
static size_t psa_prov_gen_group_bits(const char *group)
{
    static const struct {
        const char *name;
        size_t bits;
    } groups[] = {
        {"P-256", 256},     {"prime256v1", 256}, {"secp256r1", 256}, {"P-384", 384},
        {"secp384r1", 384}, {"P-521", 521},      {"secp521r1", 521},
    };
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        if (OPENSSL_strcasecmp(group, groups[i].name) == 0) {
            return groups[i].bits;
        }
    }
    return 0;
}

int psa_prov_gen_set_params(void *genctx, const OSSL_PARAM params[])
{
    struct psa_prov_gen_ctx *ctx = genctx;
    const OSSL_PARAM *p;
    const char *s;
    if (params == NULL) {
        return 1;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME);
    if (p != NULL && ctx->spec->family == PSA_ECC_FAMILY_SECP_R1) {
        if (!OSSL_PARAM_get_utf8_string_ptr(p, &s) ||
            (ctx->bits = psa_prov_gen_group_bits(s)) == 0) {
            psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_KEY, "group: P-256, P-384 or P-521");
            return 0;
        }
    }
    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_BITS);
    if (p != NULL && PSA_KEY_TYPE_IS_RSA(ctx->spec->pair_type) &&
        !OSSL_PARAM_get_size_t(p, &ctx->bits)) {
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, PSA_PROV_PARAM_ID);
    if (p != NULL &&
        (!OSSL_PARAM_get_utf8_string_ptr(p, &s) || !psa_prov_key_id_parse(s, &ctx->id))) {
        psa_prov_error(ctx->prov, PSA_PROV_R_BAD_PARAMETER, "psa-id: a key id, decimal or 0x hex");
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, PSA_PROV_PARAM_USAGE);
    if (p != NULL &&
        (!OSSL_PARAM_get_utf8_string_ptr(p, &s) || !psa_names_parse_usage(s, &ctx->usage))) {
        psa_prov_error(ctx->prov, PSA_PROV_R_BAD_PARAMETER,
                       "psa-usage: usage flags such as sign-hash,verify-hash");
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, PSA_PROV_PARAM_ALG);
    if (p != NULL &&
        (!OSSL_PARAM_get_utf8_string_ptr(p, &s) || !psa_names_parse_alg(s, &ctx->alg))) {
        psa_prov_error(ctx->prov, PSA_PROV_R_BAD_PARAMETER,
                       "psa-alg: a PSA algorithm such as ecdsa:sha-256 or rsa-pss:any-hash");
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, PSA_PROV_PARAM_PERSISTENCE);
    if (p != NULL) {
        if (!OSSL_PARAM_get_utf8_string_ptr(p, &s)) {
            return 0;
        }
        if (strcmp(s, "persistent") == 0) {
            ctx->lifetime = PSA_KEY_LIFETIME_PERSISTENT;
        } else if (strcmp(s, "volatile") == 0) {
            ctx->lifetime = PSA_KEY_LIFETIME_VOLATILE;
        } else {
            psa_prov_error(ctx->prov, PSA_PROV_R_BAD_PARAMETER,
                           "psa-persistence: persistent or volatile");
            return 0;
        }
    }
    return 1;
}

const OSSL_PARAM *psa_prov_gen_settable_params(void *genctx, void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
        OSSL_PARAM_size_t(OSSL_PKEY_PARAM_RSA_BITS, NULL),
        OSSL_PARAM_utf8_string(PSA_PROV_PARAM_ID, NULL, 0),
        OSSL_PARAM_utf8_string(PSA_PROV_PARAM_USAGE, NULL, 0),
        OSSL_PARAM_utf8_string(PSA_PROV_PARAM_ALG, NULL, 0),
        OSSL_PARAM_utf8_string(PSA_PROV_PARAM_PERSISTENCE, NULL, 0),
        OSSL_PARAM_END,
    };
    (void)genctx;
    (void)provctx;
    return params;
}

void *psa_prov_gen_init(struct psa_prov_ctx *prov, const struct psa_prov_gen_spec *spec,
                        int selection, const OSSL_PARAM params[])
{
    struct psa_prov_gen_ctx *ctx;
    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0) {
        return NULL;
    }
    ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) {
        return NULL;
    }
    ctx->prov = prov;
    ctx->spec = spec;
    ctx->bits = spec->default_bits;
    ctx->usage = spec->default_usage;
    ctx->alg = spec->default_alg;
    ctx->lifetime = PSA_KEY_LIFETIME_PERSISTENT;
    if (!psa_prov_gen_set_params(ctx, params)) {
        free(ctx);
        return NULL;
    }
    return ctx;
}

void *psa_prov_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg)
{
    struct psa_prov_gen_ctx *ctx = genctx;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t id = 0;
    struct psa_prov_key *key;
    psa_status_t status;
    (void)cb;
    (void)cbarg;
    if (ctx->lifetime == PSA_KEY_LIFETIME_PERSISTENT) {
        if (ctx->id == 0) {
            psa_prov_error(ctx->prov, PSA_PROV_R_BAD_PARAMETER,
                           "a persistent key needs its id: -pkeyopt psa-id:N");
            return NULL;
        }
        psa_set_key_id(&attr, ctx->id);
    }
    psa_set_key_lifetime(&attr, ctx->lifetime);
    psa_set_key_type(&attr, ctx->spec->pair_type);
    psa_set_key_bits(&attr, ctx->bits);
    psa_set_key_usage_flags(&attr, ctx->usage);
    psa_set_key_algorithm(&attr, ctx->alg);
    status = psa_generate_key(&attr, &id);
    psa_reset_key_attributes(&attr);
    if (status != PSA_SUCCESS) {
        psa_prov_psa_error(ctx->prov, "psa_generate_key", status);
        return NULL;
    }
    key = psa_prov_key_load(ctx->prov, id);
    if (key == NULL && ctx->lifetime == PSA_KEY_LIFETIME_VOLATILE) {
        psa_destroy_key(id);
    }
    return key;
}

void psa_prov_gen_cleanup(void *genctx)
{
    free(genctx);
}
