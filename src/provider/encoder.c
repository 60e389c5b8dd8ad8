/* ENCODER: the public half of a key in rssd as SubjectPublicKeyInfo (DER, PEM), by libcrypto;
 * asked for the private key, its URI, which is all of it that leaves rssd. */
#include "provider.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static void *psa_prov_enc_newctx(void *provctx)
{
    return provctx;
}

static void psa_prov_enc_freectx(void *vctx)
{
    (void)vctx;
}

static int psa_prov_enc_does_selection(void *provctx, int selection)
{
    (void)provctx;
    return (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0;
}

/* Writes the public key through libcrypto into memory, then to the core's BIO. */
static int psa_prov_enc_encode(struct psa_prov_ctx *prov, OSSL_CORE_BIO *out, const void *obj_raw,
                               int selection, int pem)
{
    const struct psa_prov_key *key = obj_raw;
    BIO *mem;
    char *data = NULL;
    long len;
    size_t written = 0;
    int ok;
    if (key == NULL || key->pub == NULL || (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) == 0 ||
        prov->core_bio_write_ex == NULL) {
        return 0;
    }
    mem = BIO_new(BIO_s_mem());
    if (mem == NULL) {
        return 0;
    }
    ok = pem ? PEM_write_bio_PUBKEY(mem, key->pub) : i2d_PUBKEY_bio(mem, key->pub);
    len = BIO_get_mem_data(mem, &data);
    ok = ok && len > 0 && prov->core_bio_write_ex(out, data, (size_t)len, &written) &&
         written == (size_t)len;
    BIO_free(mem);
    return ok;
}

static int psa_prov_enc_der(void *vctx, OSSL_CORE_BIO *out, const void *obj_raw,
                            const OSSL_PARAM obj_abstract[], int selection,
                            OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    (void)obj_abstract;
    (void)cb;
    (void)cbarg;
    return psa_prov_enc_encode(vctx, out, obj_raw, selection, 0);
}

static int psa_prov_enc_pem(void *vctx, OSSL_CORE_BIO *out, const void *obj_raw,
                            const OSSL_PARAM obj_abstract[], int selection,
                            OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    (void)obj_abstract;
    (void)cb;
    (void)cbarg;
    return psa_prov_enc_encode(vctx, out, obj_raw, selection, 1);
}

const OSSL_DISPATCH psa_prov_spki_der_encoder_functions[] = {
    {OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))psa_prov_enc_newctx},
    {OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))psa_prov_enc_freectx},
    {OSSL_FUNC_ENCODER_DOES_SELECTION, (void (*)(void))psa_prov_enc_does_selection},
    {OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))psa_prov_enc_der},
    {0, NULL},
};

const OSSL_DISPATCH psa_prov_spki_pem_encoder_functions[] = {
    {OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))psa_prov_enc_newctx},
    {OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))psa_prov_enc_freectx},
    {OSSL_FUNC_ENCODER_DOES_SELECTION, (void (*)(void))psa_prov_enc_does_selection},
    {OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))psa_prov_enc_pem},
    {0, NULL},
};

/* What `openssl genpkey -out` and PEM_write_PrivateKey write for a key in rssd: one line,
 * "psa:id=0x00000010", the URI that loads it again. */
static int psa_prov_enc_uri_does_selection(void *provctx, int selection)
{
    (void)provctx;
    return (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0;
}

static int psa_prov_enc_uri(void *vctx, OSSL_CORE_BIO *out, const void *obj_raw,
                            const OSSL_PARAM obj_abstract[], int selection,
                            OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    struct psa_prov_ctx *prov = vctx;
    const struct psa_prov_key *key = obj_raw;
    char line[32];
    int len;
    size_t written = 0;
    (void)obj_abstract;
    (void)cb;
    (void)cbarg;
    if (key == NULL || key->id == 0 || (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) == 0 ||
        prov->core_bio_write_ex == NULL) {
        return 0;
    }
    len = snprintf(line, sizeof(line), "psa:id=0x%08x\n", (unsigned)key->id);
    return len > 0 && prov->core_bio_write_ex(out, line, (size_t)len, &written) &&
           written == (size_t)len;
}

const OSSL_DISPATCH psa_prov_uri_encoder_functions[] = {
    {OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))psa_prov_enc_newctx},
    {OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))psa_prov_enc_freectx},
    {OSSL_FUNC_ENCODER_DOES_SELECTION, (void (*)(void))psa_prov_enc_uri_does_selection},
    {OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))psa_prov_enc_uri},
    {0, NULL},
};
