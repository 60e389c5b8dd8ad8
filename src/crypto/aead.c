/* AEAD family of the PSA core (GCM, CCM, ChaCha20-Poly1305, XChaCha20-Poly1305) on OpenSSL EVP:
 * one-shot, multi-part. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core.h"
#include "xchacha.h"

/* ---- algorithm resolution -------------------------------------------------------------------- */

typedef struct aead_mode {
    const EVP_CIPHER *evp; /* the AEAD cipher (one-shot, and multi-part GCM/ChaCha20-Poly1305) */
    psa_algorithm_t base;  /* the algorithm with its default tag length */
    size_t tag_length;
    psa_key_type_t type;
    size_t bits;
} aead_mode_t;

#define AEAD_TAG_LENGTH(alg)      ((size_t)(((alg) >> 16) & 0x3fu))
#define AEAD_AT_LEAST_THIS_LENGTH 0x00008000u
/* OpenSSL keeps at most 128 bytes of GCM IV. */
#define AEAD_GCM_NONCE_MAX 128u

/* Step 1 of validation: is `alg` one specific AEAD algorithm with a tag length its mode allows?
 * Wildcards (at-least-this-length) are policies, not algorithms. */
static psa_status_t aead_check_alg(psa_algorithm_t alg)
{
    if (!PSA_ALG_IS_AEAD(alg) || (alg & AEAD_AT_LEAST_THIS_LENGTH) != 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    psa_algorithm_t base = PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(alg);
    size_t t = AEAD_TAG_LENGTH(alg);
    switch (base) {
    case PSA_ALG_GCM:
        return (t == 4 || t == 8 || (t >= 12 && t <= 16)) ? PSA_SUCCESS
                                                          : PSA_ERROR_INVALID_ARGUMENT;
    case PSA_ALG_CCM:
        return (t >= 4 && t <= 16 && t % 2 == 0) ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
    case PSA_ALG_CHACHA20_POLY1305:
    case PSA_ALG_XCHACHA20_POLY1305:
        return t == 16 ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
    default:
        return PSA_ERROR_NOT_SUPPORTED;
    }
}

/* Step 3: the key type against the algorithm. */
static psa_status_t aead_resolve(psa_key_type_t type, size_t bits, psa_algorithm_t alg,
                                 aead_mode_t *m)
{
    memset(m, 0, sizeof(*m));
    m->base = PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(alg);
    m->tag_length = AEAD_TAG_LENGTH(alg);
    m->type = type;
    m->bits = bits;
    switch (m->base) {
    case PSA_ALG_GCM:
    case PSA_ALG_CCM:
        if (core_key_is_xts_only(type, bits)) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        if (type == PSA_KEY_TYPE_AES || type == PSA_KEY_TYPE_ARIA) {
            m->evp = core_cipher_evp(type, bits, m->base == PSA_ALG_GCM ? "GCM" : "CCM");
            return m->evp != NULL ? PSA_SUCCESS : PSA_ERROR_NOT_SUPPORTED;
        }
        /* 16-byte block ciphers OpenSSL has no GCM/CCM for. */
        if (type == PSA_KEY_TYPE_CAMELLIA || type == PSA_KEY_TYPE_SM4) {
            return PSA_ERROR_NOT_SUPPORTED;
        }
        return PSA_ERROR_INVALID_ARGUMENT;
    case PSA_ALG_CHACHA20_POLY1305:
        if (type != PSA_KEY_TYPE_CHACHA20) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        m->evp = core_cipher_evp(type, bits, "POLY1305");
        return m->evp != NULL ? PSA_SUCCESS : PSA_ERROR_NOT_SUPPORTED;
    case PSA_ALG_XCHACHA20_POLY1305:
        /* ChaCha20-Poly1305 keyed per nonce with the XChaCha20 subkey (xchacha.h). */
        if (type != PSA_KEY_TYPE_XCHACHA20) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        m->evp = core_cipher_evp(PSA_KEY_TYPE_CHACHA20, bits, "POLY1305");
        return m->evp != NULL ? PSA_SUCCESS : PSA_ERROR_NOT_SUPPORTED;
    default:
        return PSA_ERROR_NOT_SUPPORTED;
    }
}

static bool aead_nonce_ok(const aead_mode_t *m, size_t nonce_length)
{
    switch (m->base) {
    case PSA_ALG_GCM:
        return nonce_length >= 1 && nonce_length <= AEAD_GCM_NONCE_MAX;
    case PSA_ALG_CCM:
        return nonce_length >= 7 && nonce_length <= 13;
    case PSA_ALG_XCHACHA20_POLY1305:
        return nonce_length == XCHACHA_NONCE_LENGTH;
    default:
        return nonce_length == 12;
    }
}

static size_t aead_default_nonce_length(const aead_mode_t *m)
{
    switch (m->base) {
    case PSA_ALG_CCM:
        return 13;
    case PSA_ALG_XCHACHA20_POLY1305:
        return XCHACHA_NONCE_LENGTH;
    default:
        return 12;
    }
}

/* The key and nonce OpenSSL runs with: XChaCha20-Poly1305 turns (key, 24-byte nonce) into a
 * subkey and a 12-byte nonce (in the caller's buffers); every other mode uses its inputs. */
typedef struct aead_keying {
    const uint8_t *rekey; /* NULL: the key's own material */
    const uint8_t *nonce;
    size_t nonce_length;
    uint8_t subkey[XCHACHA_KEY_LENGTH];
    uint8_t ietf_nonce[XCHACHA_IETF_NONCE_LENGTH];
} aead_keying_t;

static psa_status_t aead_keying(const aead_mode_t *m, const core_key_t *key, const uint8_t *nonce,
                                size_t nonce_length, aead_keying_t *out)
{
    out->rekey = NULL;
    out->nonce = nonce;
    out->nonce_length = nonce_length;
    if (m->base != PSA_ALG_XCHACHA20_POLY1305) {
        return PSA_SUCCESS;
    }
    psa_status_t status = core_xchacha_derive(key->material, nonce, out->subkey, out->ietf_nonce);
    if (status == PSA_SUCCESS) {
        out->rekey = out->subkey;
        out->nonce = out->ietf_nonce;
        out->nonce_length = sizeof(out->ietf_nonce);
    }
    return status;
}

/* CCM encodes the plaintext length in L = 15 - nonce_length bytes. */
static bool aead_ccm_length_fits(size_t nonce_length, size_t plaintext_length)
{
    size_t l = 15 - nonce_length;
    return l >= sizeof(size_t) || (uint64_t)plaintext_length < ((uint64_t)1 << (8 * l));
}

/* ---- one-shot -------------------------------------------------------------------------------- */

/* A keyed context parked on the key per (alg, direction). CCM binds the nonce length into its
 * key set-up, so a change of nonce length re-keys. */
typedef struct aead_cached {
    EVP_CIPHER_CTX *ctx;
    size_t nonce_length;
} aead_cached_t;

#define AEAD_CACHE_DECRYPT 0x80000000u

static void aead_cached_free(void *object)
{
    aead_cached_t *cached = object;
    if (cached != NULL) {
        EVP_CIPHER_CTX_free(cached->ctx);
        free(cached);
    }
}

static bool aead_set_ivlen(EVP_CIPHER_CTX *ctx, size_t nonce_length)
{
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)nonce_length, NULL) > 0;
}

static aead_cached_t *aead_oneshot_ctx(core_key_t *key, const aead_mode_t *m, uint32_t kind,
                                       bool encrypt, const aead_keying_t *keying)
{
    const uint8_t *nonce = keying->nonce;
    size_t nonce_length = keying->nonce_length;
    aead_cached_t *cached = core_key_cache_take(key, kind);
    if (cached != NULL) {
        const uint8_t *rekey = keying->rekey;
        if (cached->nonce_length != nonce_length) {
            if (!aead_set_ivlen(cached->ctx, nonce_length)) {
                aead_cached_free(cached);
                return NULL;
            }
            if (m->base == PSA_ALG_CCM) {
                rekey = key->material;
            }
            cached->nonce_length = nonce_length;
        }
        if (EVP_CipherInit_ex2(cached->ctx, NULL, rekey, nonce, encrypt, NULL) != 1) {
            aead_cached_free(cached);
            return NULL;
        }
        return cached;
    }
    cached = calloc(1, sizeof(*cached));
    if (cached == NULL) {
        return NULL;
    }
    cached->ctx = EVP_CIPHER_CTX_new();
    cached->nonce_length = nonce_length;
    bool ok = cached->ctx != NULL &&
              EVP_CipherInit_ex2(cached->ctx, m->evp, NULL, NULL, encrypt, NULL) == 1;
    if (ok && m->base != PSA_ALG_CHACHA20_POLY1305 && m->base != PSA_ALG_XCHACHA20_POLY1305) {
        ok = aead_set_ivlen(cached->ctx, nonce_length);
    }
    /* CCM fixes the tag length (M) when the key is set. */
    if (ok && m->base == PSA_ALG_CCM) {
        ok = EVP_CIPHER_CTX_ctrl(cached->ctx, EVP_CTRL_AEAD_SET_TAG, (int)m->tag_length, NULL) > 0;
    }
    if (ok) {
        ok = EVP_CipherInit_ex2(cached->ctx, NULL,
                                keying->rekey != NULL ? keying->rekey : key->material, nonce,
                                encrypt, NULL) == 1;
    }
    if (!ok) {
        aead_cached_free(cached);
        return NULL;
    }
    return cached;
}

/* EVP lengths are int; GCM and ChaCha20-Poly1305 accept data in pieces, CCM does not. Streamed
 * input goes in as it arrives, and its output is published as it is written. */
static bool aead_evp_update(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in, size_t length)
{
    do {
        size_t chunk =
            core_stream_chunk(in, length > ((size_t)1 << 30) ? ((size_t)1 << 30) : length);
        int written = 0;
        if (!core_stream_await(in, chunk) ||
            EVP_CipherUpdate(ctx, out, &written, in, (int)chunk) != 1) {
            return false;
        }
        in += chunk;
        if (out != NULL) {
            if ((size_t)written == chunk) {
                core_stream_wrote(out, chunk);
            }
            out += chunk;
        }
        length -= chunk;
    } while (length > 0);
    return true;
}

/* Pointer OpenSSL can read for an empty input: CCM treats a NULL input as "finalise". */
static const uint8_t aead_empty[1];

static psa_status_t aead_oneshot_common(const core_caller_t *caller, psa_key_id_t key,
                                        psa_algorithm_t alg, bool encrypt, core_key_t **k,
                                        aead_mode_t *m, size_t nonce_length)
{
    psa_status_t status = aead_check_alg(alg);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_key_acquire(caller, key, encrypt ? PSA_KEY_USAGE_ENCRYPT : PSA_KEY_USAGE_DECRYPT,
                              alg, k);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = aead_resolve((*k)->attr.type, (*k)->attr.bits, alg, m);
    if (status == PSA_SUCCESS && !aead_nonce_ok(m, nonce_length)) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    }
    if (status != PSA_SUCCESS) {
        core_key_release(*k);
        *k = NULL;
    }
    return status;
}

psa_status_t core_aead_encrypt(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                               const uint8_t *nonce, size_t nonce_length,
                               const uint8_t *additional_data, size_t additional_data_length,
                               const uint8_t *plaintext, size_t plaintext_length,
                               uint8_t *ciphertext, size_t ciphertext_size,
                               size_t *ciphertext_length)
{
    *ciphertext_length = 0;
    core_key_t *k = NULL;
    aead_mode_t m;
    psa_status_t status = aead_oneshot_common(caller, key, alg, true, &k, &m, nonce_length);
    if (status != PSA_SUCCESS) {
        return status;
    }
    bool ccm = m.base == PSA_ALG_CCM;
    if (ccm && (!aead_ccm_length_fits(nonce_length, plaintext_length))) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else if (ccm && (plaintext_length > INT_MAX || additional_data_length > INT_MAX)) {
        status = PSA_ERROR_NOT_SUPPORTED;
    } else if (ciphertext_size < m.tag_length ||
               ciphertext_size - m.tag_length < plaintext_length) {
        status = PSA_ERROR_BUFFER_TOO_SMALL;
    }
    if (status != PSA_SUCCESS) {
        core_key_release(k);
        return status;
    }
    uint32_t kind = (uint32_t)alg;
    aead_keying_t keying;
    status = aead_keying(&m, k, nonce, nonce_length, &keying);
    aead_cached_t *cached =
        status == PSA_SUCCESS ? aead_oneshot_ctx(k, &m, kind, true, &keying) : NULL;
    OPENSSL_cleanse(&keying, sizeof(keying));
    if (cached == NULL) {
        core_key_release(k);
        return status != PSA_SUCCESS ? status : PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    EVP_CIPHER_CTX *ctx = cached->ctx;
    int n = 0;
    bool ok = true;
    const uint8_t *pt = plaintext_length != 0 ? plaintext : aead_empty;
    if (ccm) {
        /* CCM takes the message in one piece: all of it must be there. */
        ok = core_stream_await(pt, plaintext_length) &&
             EVP_CipherUpdate(ctx, NULL, &n, NULL, (int)plaintext_length) == 1;
        if (ok && additional_data_length > 0) {
            ok = EVP_CipherUpdate(ctx, NULL, &n, additional_data, (int)additional_data_length) == 1;
        }
        ok = ok && EVP_CipherUpdate(ctx, ciphertext, &n, pt, (int)plaintext_length) == 1;
    } else {
        if (additional_data_length > 0) {
            ok = aead_evp_update(ctx, NULL, additional_data, additional_data_length);
        }
        if (ok && plaintext_length > 0) {
            ok = aead_evp_update(ctx, ciphertext, plaintext, plaintext_length);
        }
        ok = ok && EVP_CipherFinal_ex(ctx, ciphertext + plaintext_length, &n) == 1;
    }
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)m.tag_length,
                                   ciphertext + plaintext_length) > 0;
    if (ok) {
        core_stream_wrote(ciphertext, plaintext_length + m.tag_length);
        core_key_cache_give(k, kind, cached, aead_cached_free);
        *ciphertext_length = plaintext_length + m.tag_length;
    } else {
        aead_cached_free(cached);
        OPENSSL_cleanse(ciphertext, plaintext_length + m.tag_length);
        status = PSA_ERROR_CORRUPTION_DETECTED;
    }
    core_key_release(k);
    return status;
}

psa_status_t core_aead_decrypt(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                               const uint8_t *nonce, size_t nonce_length,
                               const uint8_t *additional_data, size_t additional_data_length,
                               const uint8_t *ciphertext, size_t ciphertext_length,
                               uint8_t *plaintext, size_t plaintext_size, size_t *plaintext_length)
{
    *plaintext_length = 0;
    core_key_t *k = NULL;
    aead_mode_t m;
    psa_status_t status = aead_oneshot_common(caller, key, alg, false, &k, &m, nonce_length);
    if (status != PSA_SUCCESS) {
        return status;
    }
    bool ccm = m.base == PSA_ALG_CCM;
    size_t body = ciphertext_length >= m.tag_length ? ciphertext_length - m.tag_length : 0;
    if (ciphertext_length < m.tag_length) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else if (ccm && !aead_ccm_length_fits(nonce_length, body)) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else if (ccm && (body > INT_MAX || additional_data_length > INT_MAX)) {
        status = PSA_ERROR_NOT_SUPPORTED;
    } else if (plaintext_size < body) {
        status = PSA_ERROR_BUFFER_TOO_SMALL;
    }
    if (status != PSA_SUCCESS) {
        core_key_release(k);
        return status;
    }
    uint32_t kind = (uint32_t)alg | AEAD_CACHE_DECRYPT;
    aead_keying_t keying;
    status = aead_keying(&m, k, nonce, nonce_length, &keying);
    aead_cached_t *cached =
        status == PSA_SUCCESS ? aead_oneshot_ctx(k, &m, kind, false, &keying) : NULL;
    OPENSSL_cleanse(&keying, sizeof(keying));
    if (cached == NULL) {
        core_key_release(k);
        return status != PSA_SUCCESS ? status : PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    EVP_CIPHER_CTX *ctx = cached->ctx;
    const uint8_t *tag = ciphertext + body;
    int n = 0;
    /* The tag is copied into the context before any data is processed. */
    bool ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)m.tag_length, (void *)tag) > 0;
    bool authentic = false;
    if (ok && ccm) {
        ok = EVP_CipherUpdate(ctx, NULL, &n, NULL, (int)body) == 1;
        if (ok && additional_data_length > 0) {
            ok = EVP_CipherUpdate(ctx, NULL, &n, additional_data, (int)additional_data_length) == 1;
        }
        /* CCM checks the tag inside this update. */
        authentic = ok && EVP_CipherUpdate(ctx, plaintext, &n, body != 0 ? ciphertext : aead_empty,
                                           (int)body) == 1;
    } else if (ok) {
        if (additional_data_length > 0) {
            ok = aead_evp_update(ctx, NULL, additional_data, additional_data_length);
        }
        if (ok && body > 0) {
            ok = aead_evp_update(ctx, plaintext, ciphertext, body);
        }
        authentic = ok && EVP_CipherFinal_ex(ctx, plaintext + body, &n) == 1;
    }
    if (authentic) {
        core_key_cache_give(k, kind, cached, aead_cached_free);
        *plaintext_length = body;
    } else {
        aead_cached_free(cached);
        /* Unauthenticated plaintext must not be released. */
        OPENSSL_cleanse(plaintext, body);
        status = ok ? PSA_ERROR_INVALID_SIGNATURE : PSA_ERROR_CORRUPTION_DETECTED;
    }
    core_key_release(k);
    return status;
}

/* ---- multi-part ------------------------------------------------------------------------------ */

/*
 * GCM and ChaCha20-Poly1305 stream through OpenSSL directly. OpenSSL's CCM needs the additional
 * data in one call and the payload in one call, so multi-part CCM is composed here from the
 * block cipher in CTR mode (payload, and S0 for the tag) and in CBC mode with a zero IV (the
 * CBC-MAC: the last output block), following RFC 3610; it streams once both the nonce and the
 * lengths are known, so update output equals its input as for the other modes.
 */
typedef struct aead_ctx {
    aead_mode_t mode;
    core_key_t *key;     /* held from setup to abort: destroying it makes the operation fail */
    EVP_CIPHER_CTX *evp; /* GCM/ChaCha20-Poly1305: the AEAD; CCM: CTR */
    EVP_CIPHER_CTX *mac; /* CCM: CBC-MAC */
    bool encrypt;
    bool nonce_set;
    bool lengths_set;
    bool ad_started;
    bool body_started;
    bool failed;
    size_t ad_expected;
    size_t pt_expected;
    size_t ad_total;
    size_t pt_total;
    /* CCM */
    uint8_t nonce[13];
    size_t nonce_length;
    uint8_t mac_buffer[16];
    size_t mac_buffered;
    uint8_t mac_state[16];
    uint8_t s0[16];
} aead_ctx_t;

static void aead_ctx_free(aead_ctx_t *c)
{
    if (c == NULL) {
        return;
    }
    EVP_CIPHER_CTX_free(c->evp);
    EVP_CIPHER_CTX_free(c->mac);
    core_key_release(c->key);
    OPENSSL_cleanse(c, sizeof(*c));
    free(c);
}

psa_status_t core_aead_abort(psa_aead_operation_t *operation)
{
    aead_ctx_free(operation->ctx);
    memset(operation, 0, sizeof(*operation));
    return PSA_SUCCESS;
}

/* The spec's error state ("If this function returns an error status, the operation enters an
 * error state and must be aborted by calling psa_aead_abort()"), for any error of a call on an
 * active operation, BAD_STATE included; the keyed contexts and CCM state go at once. */
static psa_status_t aead_fail(aead_ctx_t *c, psa_status_t status)
{
    if (status != PSA_SUCCESS) {
        c->failed = true;
        EVP_CIPHER_CTX_free(c->evp);
        EVP_CIPHER_CTX_free(c->mac);
        c->evp = NULL;
        c->mac = NULL;
        OPENSSL_cleanse(c->mac_buffer, sizeof(c->mac_buffer));
        OPENSSL_cleanse(c->mac_state, sizeof(c->mac_state));
        OPENSSL_cleanse(c->s0, sizeof(c->s0));
    }
    return status;
}

/* The operation when it is active and its key still exists, else NULL (the caller returns
 * BAD_STATE): an inactive operation stays inactive, an active one whose key was destroyed enters
 * the error state (core.h). */
static aead_ctx_t *aead_active(psa_aead_operation_t *operation)
{
    aead_ctx_t *c = operation->ctx;
    if (c == NULL || c->failed) {
        return NULL;
    }
    if (core_key_is_destroyed(c->key)) {
        aead_fail(c, PSA_ERROR_BAD_STATE);
        return NULL;
    }
    return c;
}

static psa_status_t aead_setup(const core_caller_t *caller, psa_aead_operation_t *operation,
                               psa_key_id_t key, psa_algorithm_t alg, bool encrypt)
{
    if (operation->ctx != NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    psa_status_t status = aead_check_alg(alg);
    if (status != PSA_SUCCESS) {
        return status;
    }
    core_key_t *k = NULL;
    status = core_key_acquire(caller, key, encrypt ? PSA_KEY_USAGE_ENCRYPT : PSA_KEY_USAGE_DECRYPT,
                              alg, &k);
    if (status != PSA_SUCCESS) {
        return status;
    }
    aead_ctx_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        core_key_release(k);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    c->key = k; /* released by aead_ctx_free */
    c->encrypt = encrypt;
    status = aead_resolve(k->attr.type, k->attr.bits, alg, &c->mode);
    if (status == PSA_SUCCESS && c->mode.base == PSA_ALG_CCM) {
        const EVP_CIPHER *ctr = core_cipher_evp(k->attr.type, k->attr.bits, "CTR");
        const EVP_CIPHER *cbc = core_cipher_evp(k->attr.type, k->attr.bits, "CBC");
        static const uint8_t zero_iv[16];
        c->evp = EVP_CIPHER_CTX_new();
        c->mac = EVP_CIPHER_CTX_new();
        if (ctr == NULL || cbc == NULL) {
            status = PSA_ERROR_NOT_SUPPORTED;
        } else if (c->evp == NULL || c->mac == NULL ||
                   EVP_CipherInit_ex2(c->evp, ctr, k->material, NULL, 1, NULL) != 1 ||
                   EVP_CipherInit_ex2(c->mac, cbc, k->material, zero_iv, 1, NULL) != 1 ||
                   EVP_CIPHER_CTX_set_padding(c->mac, 0) != 1) {
            status = PSA_ERROR_INSUFFICIENT_MEMORY;
        }
    } else if (status == PSA_SUCCESS) {
        c->evp = EVP_CIPHER_CTX_new();
        if (c->evp == NULL ||
            EVP_CipherInit_ex2(c->evp, c->mode.evp, k->material, NULL, encrypt, NULL) != 1) {
            status = PSA_ERROR_INSUFFICIENT_MEMORY;
        }
    }
    if (status != PSA_SUCCESS) {
        aead_ctx_free(c);
        return status;
    }
    operation->ctx = c;
    return PSA_SUCCESS;
}

psa_status_t core_aead_encrypt_setup(const core_caller_t *caller, psa_aead_operation_t *operation,
                                     psa_key_id_t key, psa_algorithm_t alg)
{
    return aead_setup(caller, operation, key, alg, true);
}

psa_status_t core_aead_decrypt_setup(const core_caller_t *caller, psa_aead_operation_t *operation,
                                     psa_key_id_t key, psa_algorithm_t alg)
{
    return aead_setup(caller, operation, key, alg, false);
}

/* CBC-MAC input: whole blocks go through the CBC context; its last output block is the state. */
static bool aead_ccm_mac(aead_ctx_t *c, const uint8_t *data, size_t length)
{
    uint8_t out[256];
    int n = 0;
    if (c->mac_buffered > 0) {
        size_t fill = 16 - c->mac_buffered;
        if (fill > length) {
            fill = length;
        }
        if (fill > 0) { /* data may be NULL when empty */
            memcpy(c->mac_buffer + c->mac_buffered, data, fill);
        }
        c->mac_buffered += fill;
        data += fill;
        length -= fill;
        if (c->mac_buffered < 16) {
            return true;
        }
        if (EVP_CipherUpdate(c->mac, c->mac_state, &n, c->mac_buffer, 16) != 1) {
            return false;
        }
        c->mac_buffered = 0;
    }
    while (length >= 16) {
        size_t chunk = length - length % 16;
        if (chunk > sizeof(out)) {
            chunk = sizeof(out);
        }
        if (EVP_CipherUpdate(c->mac, out, &n, data, (int)chunk) != 1) {
            OPENSSL_cleanse(out, sizeof(out));
            return false;
        }
        memcpy(c->mac_state, out + chunk - 16, 16);
        data += chunk;
        length -= chunk;
    }
    OPENSSL_cleanse(out, sizeof(out));
    if (length > 0) {
        memcpy(c->mac_buffer, data, length);
    }
    c->mac_buffered = length;
    return true;
}

/* Ends a CBC-MAC section (B0+AD, or payload) with zero padding to a whole block. */
static bool aead_ccm_mac_pad(aead_ctx_t *c)
{
    if (c->mac_buffered == 0) {
        return true;
    }
    static const uint8_t zeros[16];
    return aead_ccm_mac(c, zeros, 16 - c->mac_buffered);
}

/* Starts CCM once the nonce and the lengths are both known: B0, the AD length prefix, S0. */
static psa_status_t aead_ccm_start(aead_ctx_t *c)
{
    size_t l = 15 - c->nonce_length;
    if (!aead_ccm_length_fits(c->nonce_length, c->pt_expected)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    uint8_t block[16];
    block[0] = (uint8_t)((c->ad_expected > 0 ? 0x40 : 0) | (((c->mode.tag_length - 2) / 2) << 3) |
                         (l - 1));
    memcpy(block + 1, c->nonce, c->nonce_length);
    uint64_t q = c->pt_expected;
    for (size_t i = 0; i < l; i++) {
        block[15 - i] = (uint8_t)(i < 8 ? q >> (8 * i) : 0);
    }
    if (!aead_ccm_mac(c, block, 16)) {
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    if (c->ad_expected > 0) {
        uint8_t prefix[10];
        size_t prefix_length;
        uint64_t a = c->ad_expected;
        if (a < 0xff00u) {
            prefix[0] = (uint8_t)(a >> 8);
            prefix[1] = (uint8_t)a;
            prefix_length = 2;
        } else if (a <= 0xffffffffu) {
            prefix[0] = 0xff;
            prefix[1] = 0xfe;
            for (size_t i = 0; i < 4; i++) {
                prefix[2 + i] = (uint8_t)(a >> (24 - 8 * i));
            }
            prefix_length = 6;
        } else {
            prefix[0] = 0xff;
            prefix[1] = 0xff;
            for (size_t i = 0; i < 8; i++) {
                prefix[2 + i] = (uint8_t)(a >> (56 - 8 * i));
            }
            prefix_length = 10;
        }
        if (!aead_ccm_mac(c, prefix, prefix_length)) {
            return PSA_ERROR_CORRUPTION_DETECTED;
        }
    }
    /* Counter block A0 gives S0; the CTR stream then continues at A1 for the payload. */
    memset(block, 0, sizeof(block));
    block[0] = (uint8_t)(l - 1);
    memcpy(block + 1, c->nonce, c->nonce_length);
    static const uint8_t zeros[16];
    int n = 0;
    if (EVP_CipherInit_ex2(c->evp, NULL, NULL, block, 1, NULL) != 1 ||
        EVP_CipherUpdate(c->evp, c->s0, &n, zeros, 16) != 1) {
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    return PSA_SUCCESS;
}

static bool aead_is_ccm(const aead_ctx_t *c)
{
    return c->mode.base == PSA_ALG_CCM;
}

static psa_status_t aead_apply_nonce(aead_ctx_t *c, const uint8_t *nonce, size_t nonce_length)
{
    if (!aead_nonce_ok(&c->mode, nonce_length)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (aead_is_ccm(c)) {
        memcpy(c->nonce, nonce, nonce_length);
        c->nonce_length = nonce_length;
        if (c->lengths_set) {
            psa_status_t status = aead_ccm_start(c);
            if (status != PSA_SUCCESS) {
                return status;
            }
        }
    } else {
        if (c->mode.base == PSA_ALG_GCM && !aead_set_ivlen(c->evp, nonce_length)) {
            return PSA_ERROR_CORRUPTION_DETECTED;
        }
        aead_keying_t keying;
        psa_status_t status = aead_keying(&c->mode, c->key, nonce, nonce_length, &keying);
        bool ok = status == PSA_SUCCESS && EVP_CipherInit_ex2(c->evp, NULL, keying.rekey,
                                                              keying.nonce, c->encrypt, NULL) == 1;
        OPENSSL_cleanse(&keying, sizeof(keying));
        if (!ok) {
            return status != PSA_SUCCESS ? status : PSA_ERROR_CORRUPTION_DETECTED;
        }
    }
    c->nonce_set = true;
    return PSA_SUCCESS;
}

psa_status_t core_aead_generate_nonce(psa_aead_operation_t *operation, uint8_t *nonce,
                                      size_t nonce_size, size_t *nonce_length)
{
    *nonce_length = 0;
    aead_ctx_t *c = aead_active(operation);
    if (c == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (c->nonce_set || !c->encrypt) {
        return aead_fail(c, PSA_ERROR_BAD_STATE);
    }
    size_t length = aead_default_nonce_length(&c->mode);
    if (nonce_size < length) {
        return aead_fail(c, PSA_ERROR_BUFFER_TOO_SMALL);
    }
    if (RAND_bytes(nonce, (int)length) != 1) {
        return aead_fail(c, PSA_ERROR_INSUFFICIENT_ENTROPY);
    }
    psa_status_t status = aead_apply_nonce(c, nonce, length);
    if (status != PSA_SUCCESS) {
        return aead_fail(c, status);
    }
    *nonce_length = length;
    return PSA_SUCCESS;
}

psa_status_t core_aead_set_nonce(psa_aead_operation_t *operation, const uint8_t *nonce,
                                 size_t nonce_length)
{
    aead_ctx_t *c = aead_active(operation);
    if (c == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (c->nonce_set) {
        return aead_fail(c, PSA_ERROR_BAD_STATE);
    }
    return aead_fail(c, aead_apply_nonce(c, nonce, nonce_length));
}

psa_status_t core_aead_set_lengths(psa_aead_operation_t *operation, size_t ad_length,
                                   size_t plaintext_length)
{
    aead_ctx_t *c = aead_active(operation);
    if (c == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (c->lengths_set || c->ad_started || c->body_started) {
        return aead_fail(c, PSA_ERROR_BAD_STATE);
    }
    /* GCM's limit on the plaintext: 2^32 - 2 blocks. */
    if (c->mode.base == PSA_ALG_GCM && (uint64_t)plaintext_length > (((uint64_t)1 << 36) - 32)) {
        return aead_fail(c, PSA_ERROR_INVALID_ARGUMENT);
    }
    c->ad_expected = ad_length;
    c->pt_expected = plaintext_length;
    c->lengths_set = true;
    if (aead_is_ccm(c) && c->nonce_set) {
        return aead_fail(c, aead_ccm_start(c));
    }
    return PSA_SUCCESS;
}

/* Common state check of update_ad / update / finish / verify: nonce set, and for CCM the lengths
 * (which it needs before any data). */
static bool aead_ready(const aead_ctx_t *c)
{
    return c->nonce_set && (c->lengths_set || !aead_is_ccm(c));
}

psa_status_t core_aead_update_ad(psa_aead_operation_t *operation, const uint8_t *input,
                                 size_t input_length)
{
    aead_ctx_t *c = aead_active(operation);
    if (c == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (!aead_ready(c) || c->body_started) {
        return aead_fail(c, PSA_ERROR_BAD_STATE);
    }
    if (c->lengths_set && input_length > c->ad_expected - c->ad_total) {
        return aead_fail(c, PSA_ERROR_INVALID_ARGUMENT);
    }
    c->ad_started = true;
    if (input_length == 0) {
        return PSA_SUCCESS;
    }
    bool ok = aead_is_ccm(c) ? aead_ccm_mac(c, input, input_length)
                             : aead_evp_update(c->evp, NULL, input, input_length);
    if (!ok) {
        return aead_fail(c, PSA_ERROR_CORRUPTION_DETECTED);
    }
    c->ad_total += input_length;
    return PSA_SUCCESS;
}

/* Moves from additional data to payload: all declared AD must have been given. */
static psa_status_t aead_begin_body(aead_ctx_t *c)
{
    if (c->body_started) {
        return PSA_SUCCESS;
    }
    if (c->lengths_set && c->ad_total != c->ad_expected) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (aead_is_ccm(c) && !aead_ccm_mac_pad(c)) {
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    c->body_started = true;
    return PSA_SUCCESS;
}

psa_status_t core_aead_update(psa_aead_operation_t *operation, const uint8_t *input,
                              size_t input_length, uint8_t *output, size_t output_size,
                              size_t *output_length)
{
    *output_length = 0;
    aead_ctx_t *c = aead_active(operation);
    if (c == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (!aead_ready(c)) {
        return aead_fail(c, PSA_ERROR_BAD_STATE);
    }
    if (c->lengths_set &&
        (c->ad_total != c->ad_expected || input_length > c->pt_expected - c->pt_total)) {
        return aead_fail(c, PSA_ERROR_INVALID_ARGUMENT);
    }
    if (output_size < input_length) {
        return aead_fail(c, PSA_ERROR_BUFFER_TOO_SMALL);
    }
    psa_status_t status = aead_begin_body(c);
    if (status != PSA_SUCCESS) {
        return aead_fail(c, status);
    }
    if (input_length == 0) {
        return PSA_SUCCESS;
    }
    bool ok;
    if (aead_is_ccm(c)) {
        /* The CBC-MAC runs over the plaintext: before encryption, after decryption. */
        if (c->encrypt) {
            ok = aead_ccm_mac(c, input, input_length) &&
                 aead_evp_update(c->evp, output, input, input_length);
        } else {
            ok = aead_evp_update(c->evp, output, input, input_length) &&
                 aead_ccm_mac(c, output, input_length);
        }
    } else {
        ok = aead_evp_update(c->evp, output, input, input_length);
    }
    if (!ok) {
        return aead_fail(c, PSA_ERROR_CORRUPTION_DETECTED);
    }
    c->pt_total += input_length;
    *output_length = input_length;
    return PSA_SUCCESS;
}

/* Completes the data phases of finish/verify: declared lengths met, CCM tag computed. */
static psa_status_t aead_complete(aead_ctx_t *c, uint8_t ccm_tag[16])
{
    if (c->lengths_set && (c->ad_total != c->ad_expected || c->pt_total != c->pt_expected)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    psa_status_t status = aead_begin_body(c);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (aead_is_ccm(c)) {
        if (!aead_ccm_mac_pad(c)) {
            return PSA_ERROR_CORRUPTION_DETECTED;
        }
        for (size_t i = 0; i < 16; i++) {
            ccm_tag[i] = c->mac_state[i] ^ c->s0[i];
        }
    }
    return PSA_SUCCESS;
}

psa_status_t core_aead_finish(psa_aead_operation_t *operation, uint8_t *ciphertext,
                              size_t ciphertext_size, size_t *ciphertext_length, uint8_t *tag,
                              size_t tag_size, size_t *tag_length)
{
    (void)ciphertext;
    (void)ciphertext_size;
    *ciphertext_length = 0;
    *tag_length = 0;
    aead_ctx_t *c = aead_active(operation);
    if (c == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (!aead_ready(c) || !c->encrypt) {
        return aead_fail(c, PSA_ERROR_BAD_STATE);
    }
    if (tag_size < c->mode.tag_length) {
        return aead_fail(c, PSA_ERROR_BUFFER_TOO_SMALL);
    }
    uint8_t full_tag[16];
    psa_status_t status = aead_complete(c, full_tag);
    if (status != PSA_SUCCESS) {
        return aead_fail(c, status);
    }
    if (!aead_is_ccm(c)) {
        /* Every byte has already been output by update: Final writes nothing. */
        uint8_t scratch[16];
        int n = 0;
        if (EVP_CipherFinal_ex(c->evp, scratch, &n) != 1 || n != 0 ||
            EVP_CIPHER_CTX_ctrl(c->evp, EVP_CTRL_AEAD_GET_TAG, (int)c->mode.tag_length, full_tag) <=
                0) {
            return aead_fail(c, PSA_ERROR_CORRUPTION_DETECTED);
        }
    }
    memcpy(tag, full_tag, c->mode.tag_length);
    *tag_length = c->mode.tag_length;
    OPENSSL_cleanse(full_tag, sizeof(full_tag));
    return core_aead_abort(operation);
}

psa_status_t core_aead_verify(psa_aead_operation_t *operation, uint8_t *plaintext,
                              size_t plaintext_size, size_t *plaintext_length, const uint8_t *tag,
                              size_t tag_length)
{
    (void)plaintext;
    (void)plaintext_size;
    *plaintext_length = 0;
    aead_ctx_t *c = aead_active(operation);
    if (c == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (!aead_ready(c) || c->encrypt) {
        return aead_fail(c, PSA_ERROR_BAD_STATE);
    }
    uint8_t full_tag[16];
    psa_status_t status = aead_complete(c, full_tag);
    if (status != PSA_SUCCESS) {
        return aead_fail(c, status);
    }
    if (tag_length != c->mode.tag_length) {
        return aead_fail(c, PSA_ERROR_INVALID_SIGNATURE);
    }
    if (aead_is_ccm(c)) {
        bool match = CRYPTO_memcmp(full_tag, tag, tag_length) == 0;
        OPENSSL_cleanse(full_tag, sizeof(full_tag));
        if (!match) {
            return aead_fail(c, PSA_ERROR_INVALID_SIGNATURE);
        }
    } else {
        /* OpenSSL compares the tag in constant time inside Final. */
        uint8_t scratch[16];
        int n = 0;
        if (EVP_CIPHER_CTX_ctrl(c->evp, EVP_CTRL_AEAD_SET_TAG, (int)tag_length, (void *)tag) <= 0) {
            return aead_fail(c, PSA_ERROR_CORRUPTION_DETECTED);
        }
        if (EVP_CipherFinal_ex(c->evp, scratch, &n) != 1) {
            return aead_fail(c, PSA_ERROR_INVALID_SIGNATURE);
        }
    }
    return core_aead_abort(operation);
}
