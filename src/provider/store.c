/* STORE loader for the URI scheme "psa": hands OpenSSL a reference to a key held in rssd. */
#include "provider.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/params.h>
#include <openssl/store.h>

#include "uri.h"

struct psa_prov_store_ctx {
    struct psa_prov_ctx *prov;
    psa_key_id_t id;
    int expect; /* OSSL_STORE_INFO_* the caller wants, 0 for any */
    int done;
};

static void *psa_prov_store_open(void *provctx, const char *uri)
{
    struct psa_prov_ctx *prov = provctx;
    struct psa_prov_store_ctx *ctx;
    psa_key_id_t id;
    if (!psa_prov_uri_parse(uri, &id)) {
        psa_prov_error(prov, PSA_PROV_R_BAD_URI, "\"%s\": want psa:id=N (decimal or 0x hex)",
                       uri != NULL ? uri : "");
        return NULL;
    }
    ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) {
        return NULL;
    }
    ctx->prov = prov;
    ctx->id = id;
    return ctx;
}

static const OSSL_PARAM *psa_prov_store_settable_ctx_params(void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_int(OSSL_STORE_PARAM_EXPECT, NULL),
        OSSL_PARAM_END,
    };
    (void)provctx;
    return params;
}

static int psa_prov_store_set_ctx_params(void *loaderctx, const OSSL_PARAM params[])
{
    struct psa_prov_store_ctx *ctx = loaderctx;
    const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_STORE_PARAM_EXPECT);
    if (p != NULL && !OSSL_PARAM_get_int(p, &ctx->expect)) {
        return 0;
    }
    return 1;
}

static int psa_prov_store_load(void *loaderctx, OSSL_CALLBACK *object_cb, void *object_cbarg,
                               OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    struct psa_prov_store_ctx *ctx = loaderctx;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    struct psa_prov_key_ref ref = {PSA_PROV_KEY_REF_MAGIC, ctx->prov, ctx->id};
    int object_type = OSSL_OBJECT_PKEY;
    const char *type_name;
    OSSL_PARAM params[4];
    psa_status_t status;
    (void)pw_cb;
    (void)pw_cbarg;
    ctx->done = 1;
    /* A psa: URI names one key; a caller that looks for certificates finds nothing here. */
    if (ctx->expect != 0 && ctx->expect != OSSL_STORE_INFO_PKEY &&
        ctx->expect != OSSL_STORE_INFO_PUBKEY) {
        return 1;
    }
    status = psa_get_key_attributes(ctx->id, &attr);
    if (status != PSA_SUCCESS) {
        psa_prov_psa_error(ctx->prov, "psa_get_key_attributes", status);
        return 0;
    }
    type_name = psa_prov_key_name(psa_get_key_type(&attr), psa_get_key_bits(&attr));
    psa_reset_key_attributes(&attr);
    if (type_name == NULL) {
        psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_KEY, "key 0x%x", (unsigned)ctx->id);
        return 0;
    }
    params[0] = OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &object_type);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, (char *)type_name, 0);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &ref, sizeof(ref));
    params[3] = OSSL_PARAM_construct_end();
    return object_cb(params, object_cbarg);
}

static int psa_prov_store_eof(void *loaderctx)
{
    struct psa_prov_store_ctx *ctx = loaderctx;
    return ctx->done;
}

static int psa_prov_store_close(void *loaderctx)
{
    free(loaderctx);
    return 1;
}

const OSSL_DISPATCH psa_prov_store_functions[] = {
    {OSSL_FUNC_STORE_OPEN, (void (*)(void))psa_prov_store_open},
    {OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS, (void (*)(void))psa_prov_store_settable_ctx_params},
    {OSSL_FUNC_STORE_SET_CTX_PARAMS, (void (*)(void))psa_prov_store_set_ctx_params},
    {OSSL_FUNC_STORE_LOAD, (void (*)(void))psa_prov_store_load},
    {OSSL_FUNC_STORE_EOF, (void (*)(void))psa_prov_store_eof},
    {OSSL_FUNC_STORE_CLOSE, (void (*)(void))psa_prov_store_close},
    {0, NULL},
};
