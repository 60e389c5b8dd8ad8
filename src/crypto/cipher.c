/* Unauthenticated ciphers of the PSA core on OpenSSL EVP_CIPHER: one-shot and multi-part. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "core.h"
#include "xchacha.h"

/* ---- EVP_CIPHER table ------------------------------------------------------------------------ */

/*
 * Every cipher the core can use, by PSA key type, key size in bits (as the PSA key has it: an
 * AES-256 key used with XTS is two AES-128 keys) and a mode word. Each entry is fetched at most
 * once per process: the first user stores it with a compare-and-swap, a racing loser frees its
 * copy. Single DES lives in OpenSSL's legacy provider, which we load into a private library
 * context (core_legacy_libctx, shared with MD4) so that the application's default context is
 * left alone.
 */
typedef struct cipher_entry {
    psa_key_type_t type;
    uint16_t bits;
    const char *mode;
    const char *name;
    bool legacy;
} cipher_entry_t;

#define CIPHER_SIZES(T, t, m, n)                                                                   \
    {T, 128, m, t "-128-" n, false}, {T, 192, m, t "-192-" n, false},                              \
    {                                                                                              \
        T, 256, m, t "-256-" n, false                                                              \
    }

static const cipher_entry_t cipher_entries[] = {
    CIPHER_SIZES(PSA_KEY_TYPE_AES, "AES", "ECB", "ECB"),
    CIPHER_SIZES(PSA_KEY_TYPE_AES, "AES", "CBC", "CBC"),
    CIPHER_SIZES(PSA_KEY_TYPE_AES, "AES", "CFB", "CFB"),
    CIPHER_SIZES(PSA_KEY_TYPE_AES, "AES", "OFB", "OFB"),
    CIPHER_SIZES(PSA_KEY_TYPE_AES, "AES", "CTR", "CTR"),
    CIPHER_SIZES(PSA_KEY_TYPE_AES, "AES", "GCM", "GCM"),
    CIPHER_SIZES(PSA_KEY_TYPE_AES, "AES", "CCM", "CCM"),
    {PSA_KEY_TYPE_AES, 256, "XTS", "AES-128-XTS", false},
    {PSA_KEY_TYPE_AES, 512, "XTS", "AES-256-XTS", false},
    CIPHER_SIZES(PSA_KEY_TYPE_ARIA, "ARIA", "ECB", "ECB"),
    CIPHER_SIZES(PSA_KEY_TYPE_ARIA, "ARIA", "CBC", "CBC"),
    CIPHER_SIZES(PSA_KEY_TYPE_ARIA, "ARIA", "CFB", "CFB"),
    CIPHER_SIZES(PSA_KEY_TYPE_ARIA, "ARIA", "OFB", "OFB"),
    CIPHER_SIZES(PSA_KEY_TYPE_ARIA, "ARIA", "CTR", "CTR"),
    CIPHER_SIZES(PSA_KEY_TYPE_ARIA, "ARIA", "GCM", "GCM"),
    CIPHER_SIZES(PSA_KEY_TYPE_ARIA, "ARIA", "CCM", "CCM"),
    CIPHER_SIZES(PSA_KEY_TYPE_CAMELLIA, "CAMELLIA", "ECB", "ECB"),
    CIPHER_SIZES(PSA_KEY_TYPE_CAMELLIA, "CAMELLIA", "CBC", "CBC"),
    CIPHER_SIZES(PSA_KEY_TYPE_CAMELLIA, "CAMELLIA", "CFB", "CFB"),
    CIPHER_SIZES(PSA_KEY_TYPE_CAMELLIA, "CAMELLIA", "OFB", "OFB"),
    CIPHER_SIZES(PSA_KEY_TYPE_CAMELLIA, "CAMELLIA", "CTR", "CTR"),
    {PSA_KEY_TYPE_SM4, 128, "ECB", "SM4-ECB", false},
    {PSA_KEY_TYPE_SM4, 128, "CBC", "SM4-CBC", false},
    {PSA_KEY_TYPE_SM4, 128, "CFB", "SM4-CFB", false},
    {PSA_KEY_TYPE_SM4, 128, "OFB", "SM4-OFB", false},
    {PSA_KEY_TYPE_SM4, 128, "CTR", "SM4-CTR", false},
    /* DES: 64 bits is single DES, 128 bits two-key 3DES (K1,K2,K1), 192 bits three-key. */
    {PSA_KEY_TYPE_DES, 64, "ECB", "DES-ECB", true},
    {PSA_KEY_TYPE_DES, 64, "CBC", "DES-CBC", true},
    {PSA_KEY_TYPE_DES, 64, "CFB", "DES-CFB", true},
    {PSA_KEY_TYPE_DES, 64, "OFB", "DES-OFB", true},
    {PSA_KEY_TYPE_DES, 128, "ECB", "DES-EDE-ECB", false},
    {PSA_KEY_TYPE_DES, 128, "CBC", "DES-EDE-CBC", false},
    {PSA_KEY_TYPE_DES, 128, "CFB", "DES-EDE-CFB", false},
    {PSA_KEY_TYPE_DES, 128, "OFB", "DES-EDE-OFB", false},
    {PSA_KEY_TYPE_DES, 192, "ECB", "DES-EDE3-ECB", false},
    {PSA_KEY_TYPE_DES, 192, "CBC", "DES-EDE3-CBC", false},
    {PSA_KEY_TYPE_DES, 192, "CFB", "DES-EDE3-CFB", false},
    {PSA_KEY_TYPE_DES, 192, "OFB", "DES-EDE3-OFB", false},
    {PSA_KEY_TYPE_CHACHA20, 256, "STREAM", "ChaCha20", false},
    {PSA_KEY_TYPE_CHACHA20, 256, "POLY1305", "ChaCha20-Poly1305", false},
};

#define CIPHER_ENTRY_COUNT (sizeof(cipher_entries) / sizeof(cipher_entries[0]))

static _Atomic(EVP_CIPHER *) cipher_fetched[CIPHER_ENTRY_COUNT];
/* Marks entries whose fetch failed, so an unsupported cipher is not re-fetched on every call. */
static atomic_bool cipher_unavailable[CIPHER_ENTRY_COUNT];

static pthread_once_t legacy_once = PTHREAD_ONCE_INIT;
static OSSL_LIB_CTX *legacy_libctx;

static void legacy_load(void)
{
    OSSL_LIB_CTX *libctx = OSSL_LIB_CTX_new();
    if (libctx == NULL) {
        return;
    }
    /* Loading a provider explicitly disables the implicit default one: load both. */
    if (OSSL_PROVIDER_load(libctx, "legacy") == NULL ||
        OSSL_PROVIDER_load(libctx, "default") == NULL) {
        OSSL_LIB_CTX_free(libctx);
        return;
    }
    legacy_libctx = libctx;
}

OSSL_LIB_CTX *core_legacy_libctx(void)
{
    pthread_once(&legacy_once, legacy_load);
    return legacy_libctx;
}

const EVP_CIPHER *core_cipher_evp(psa_key_type_t type, size_t bits, const char *mode)
{
    for (size_t i = 0; i < CIPHER_ENTRY_COUNT; i++) {
        const cipher_entry_t *e = &cipher_entries[i];
        if (e->type != type || e->bits != bits || strcmp(e->mode, mode) != 0) {
            continue;
        }
        EVP_CIPHER *cipher = atomic_load_explicit(&cipher_fetched[i], memory_order_acquire);
        if (cipher != NULL || atomic_load(&cipher_unavailable[i])) {
            return cipher;
        }
        OSSL_LIB_CTX *libctx = NULL;
        if (e->legacy) {
            libctx = core_legacy_libctx();
            if (libctx == NULL) {
                atomic_store(&cipher_unavailable[i], true);
                return NULL;
            }
        }
        EVP_CIPHER *fetched = EVP_CIPHER_fetch(libctx, e->name, NULL);
        if (fetched == NULL) {
            atomic_store(&cipher_unavailable[i], true);
            return NULL;
        }
        EVP_CIPHER *expected = NULL;
        if (!atomic_compare_exchange_strong(&cipher_fetched[i], &expected, fetched)) {
            EVP_CIPHER_free(fetched);
            return expected;
        }
        return fetched;
    }
    return NULL;
}

/* ---- algorithm resolution -------------------------------------------------------------------- */

typedef enum cipher_kind {
    CIPHER_KIND_BLOCK,  /* ECB/CBC: whole blocks, buffered here */
    CIPHER_KIND_STREAM, /* CTR, CFB, OFB, ChaCha20, CCM*: output = input */
    CIPHER_KIND_XTS,    /* whole message at once */
} cipher_kind_t;

typedef struct cipher_mode {
    const EVP_CIPHER *evp;
    cipher_kind_t kind;
    size_t block_size; /* of the underlying block cipher, 1 for ChaCha20 */
    size_t iv_length;  /* IV that generate_iv / one-shot encrypt produce; 0: no IV */
    bool pkcs7;
    bool ccm_star;
    bool chacha20;
    bool xchacha20; /* ChaCha20 keyed per nonce with the XChaCha20 subkey (xchacha.h) */
} cipher_mode_t;

/* CCM* without tag uses a 13-byte nonce, so the counter field is 2 bytes (L = 2). */
#define CCM_STAR_NONCE_LENGTH 13u
#define CCM_STAR_MAX_INPUT    (65535u * 16u)
/* OpenSSL's XTS refuses data units above 2^20 blocks. */
#define XTS_MAX_INPUT ((size_t)1 << 24)

static size_t cipher_block_size(psa_key_type_t type)
{
    switch (type) {
    case PSA_KEY_TYPE_AES:
    case PSA_KEY_TYPE_ARIA:
    case PSA_KEY_TYPE_CAMELLIA:
    case PSA_KEY_TYPE_SM4:
        return 16;
    case PSA_KEY_TYPE_DES:
        return 8;
    default:
        return 0;
    }
}

/* Maps (key type, bits, cipher algorithm) to what OpenSSL needs. INVALID_ARGUMENT when the key
 * type cannot do the algorithm, NOT_SUPPORTED for a valid combination we do not have. */
static psa_status_t cipher_resolve(psa_key_type_t type, size_t bits, psa_algorithm_t alg,
                                   cipher_mode_t *m)
{
    memset(m, 0, sizeof(*m));
    size_t bs = cipher_block_size(type);
    const char *mode = NULL;

    if (alg == PSA_ALG_STREAM_CIPHER) {
        if (type != PSA_KEY_TYPE_CHACHA20 && type != PSA_KEY_TYPE_XCHACHA20) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        m->kind = CIPHER_KIND_STREAM;
        m->block_size = 1;
        m->xchacha20 = type == PSA_KEY_TYPE_XCHACHA20;
        m->chacha20 = !m->xchacha20;
        m->iv_length = m->xchacha20 ? XCHACHA_NONCE_LENGTH : 12;
        m->evp = core_cipher_evp(PSA_KEY_TYPE_CHACHA20, bits, "STREAM");
        return m->evp != NULL ? PSA_SUCCESS : PSA_ERROR_NOT_SUPPORTED;
    }
    if (bs == 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    m->block_size = bs;
    switch (alg) {
    case PSA_ALG_CTR:
        mode = "CTR";
        m->kind = CIPHER_KIND_STREAM;
        m->iv_length = bs;
        break;
    case PSA_ALG_CFB:
        mode = "CFB";
        m->kind = CIPHER_KIND_STREAM;
        m->iv_length = bs;
        break;
    case PSA_ALG_OFB:
        mode = "OFB";
        m->kind = CIPHER_KIND_STREAM;
        m->iv_length = bs;
        break;
    case PSA_ALG_ECB_NO_PADDING:
        mode = "ECB";
        m->kind = CIPHER_KIND_BLOCK;
        break;
    case PSA_ALG_CBC_NO_PADDING:
        mode = "CBC";
        m->kind = CIPHER_KIND_BLOCK;
        m->iv_length = bs;
        break;
    case PSA_ALG_CBC_PKCS7:
        mode = "CBC";
        m->kind = CIPHER_KIND_BLOCK;
        m->iv_length = bs;
        m->pkcs7 = true;
        break;
    case PSA_ALG_XTS:
        if (bs != 16) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        if (type != PSA_KEY_TYPE_AES) {
            return PSA_ERROR_NOT_SUPPORTED;
        }
        /* Two AES keys: 256 bits is AES-128-XTS, 512 bits AES-256-XTS; OpenSSL has no
         * AES-192-XTS (384 bits), and other sizes cannot be split into two AES keys. */
        if (bits == 384) {
            return PSA_ERROR_NOT_SUPPORTED;
        }
        if (bits != 256 && bits != 512) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        mode = "XTS";
        m->kind = CIPHER_KIND_XTS;
        m->iv_length = 16;
        break;
    case PSA_ALG_CCM_STAR_NO_TAG:
        if (bs != 16) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        /* CCM* without a tag is CTR encryption with the CCM counter blocks. */
        mode = "CTR";
        m->kind = CIPHER_KIND_STREAM;
        m->iv_length = CCM_STAR_NONCE_LENGTH;
        m->ccm_star = true;
        break;
    default:
        /* A wildcard such as CCM_STAR_ANY_TAG names no single cipher: not usable here. */
        if (alg == PSA_ALG_CCM_STAR_ANY_TAG) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (m->kind != CIPHER_KIND_XTS && core_key_is_xts_only(type, bits)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    m->evp = core_cipher_evp(type, bits, mode);
    return m->evp != NULL ? PSA_SUCCESS : PSA_ERROR_NOT_SUPPORTED;
}

/*
 * XChaCha20: the ChaCha20 key for a 24-byte nonce, and the nonce's 16-byte OpenSSL IV (counter 0,
 * then 0x00000000 || N[16..24]). NULL subkey pointer for every other cipher.
 */
static psa_status_t cipher_xchacha_key_iv(const cipher_mode_t *m, const uint8_t *key,
                                          const uint8_t *iv, uint8_t subkey[XCHACHA_KEY_LENGTH],
                                          uint8_t evp_iv[16], const uint8_t **rekey)
{
    *rekey = NULL;
    if (!m->xchacha20) {
        return PSA_SUCCESS;
    }
    memset(evp_iv, 0, 4);
    psa_status_t status = core_xchacha_derive(key, iv, subkey, evp_iv + 4);
    if (status == PSA_SUCCESS) {
        *rekey = subkey;
    }
    return status;
}

/*
 * Turns a PSA IV into the IV OpenSSL's cipher takes. ChaCha20 (PSA 1.2 §ChaCha20): 12 bytes is
 * the RFC 7539 nonce with counter 0; 16 bytes is a little-endian 32-bit counter then the 12-byte
 * nonce (exactly OpenSSL's layout); 8 bytes is the original 64-bit nonce with a 64-bit counter 0
 * (OpenSSL carries the counter into the next word). CCM*: the first counter block A1.
 */
static psa_status_t cipher_evp_iv(const cipher_mode_t *m, const uint8_t *iv, size_t iv_length,
                                  uint8_t evp_iv[16])
{
    memset(evp_iv, 0, 16);
    if (m->chacha20) {
        if (iv_length == 16) {
            memcpy(evp_iv, iv, 16);
        } else if (iv_length == 12) {
            memcpy(evp_iv + 4, iv, 12);
        } else if (iv_length == 8) {
            memcpy(evp_iv + 8, iv, 8);
        } else {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        return PSA_SUCCESS;
    }
    if (m->ccm_star) {
        if (iv_length != CCM_STAR_NONCE_LENGTH) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        evp_iv[0] = 1; /* flags: L - 1 with L = 2, no Adata, no tag */
        memcpy(evp_iv + 1, iv, CCM_STAR_NONCE_LENGTH);
        evp_iv[15] = 1;
        return PSA_SUCCESS;
    }
    if (m->xchacha20) {
        /* The OpenSSL IV comes with the subkey: cipher_xchacha_key_iv. */
        return iv_length == XCHACHA_NONCE_LENGTH ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
    }
    if (m->iv_length == 0 || iv_length != m->iv_length) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    memcpy(evp_iv, iv, iv_length);
    return PSA_SUCCESS;
}

/* Checks the total input length of a whole message for the mode. */
static psa_status_t cipher_check_length(const cipher_mode_t *m, bool encrypt, size_t length)
{
    switch (m->kind) {
    case CIPHER_KIND_BLOCK:
        if (m->pkcs7 && encrypt) {
            return PSA_SUCCESS;
        }
        if (length % m->block_size != 0 || (m->pkcs7 && length == 0)) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        return PSA_SUCCESS;
    case CIPHER_KIND_XTS:
        return (length >= 16 && length <= XTS_MAX_INPUT) ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
    case CIPHER_KIND_STREAM:
    default:
        if (m->ccm_star && length > CCM_STAR_MAX_INPUT) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        return PSA_SUCCESS;
    }
}

/* ---- one-shot -------------------------------------------------------------------------------- */

static void cipher_free_evp(void *object)
{
    EVP_CIPHER_CTX_free(object);
}

#define CIPHER_CACHE_DECRYPT 0x80000000u

/* A keyed context for (alg, direction): from the key's cache, or new. Re-initialised with the
 * IV only, which keeps the key schedule. Padding is off: PKCS#7 is handled here. */
static EVP_CIPHER_CTX *cipher_oneshot_ctx(core_key_t *key, const cipher_mode_t *m, uint32_t kind,
                                          bool encrypt, const uint8_t evp_iv[16],
                                          const uint8_t *rekey)
{
    EVP_CIPHER_CTX *ctx = core_key_cache_take(key, kind);
    const uint8_t *iv = m->iv_length != 0 ? evp_iv : NULL;
    if (ctx != NULL) {
        if (EVP_CipherInit_ex2(ctx, NULL, rekey, iv, encrypt, NULL) == 1) {
            return ctx;
        }
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return NULL;
    }
    if (EVP_CipherInit_ex2(ctx, m->evp, rekey != NULL ? rekey : key->material, iv, encrypt, NULL) !=
            1 ||
        EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* Runs whole blocks (or a whole stream/XTS message) through ctx. */
static bool cipher_evp_run(EVP_CIPHER_CTX *ctx, const uint8_t *in, size_t length, uint8_t *out)
{
    /* EVP lengths are int: feed at most 1 GiB per call. */
    while (length > 0) {
        size_t chunk = length > ((size_t)1 << 30) ? ((size_t)1 << 30) : length;
        int written = 0;
        if (EVP_CipherUpdate(ctx, out, &written, in, (int)chunk) != 1 || (size_t)written != chunk) {
            return false;
        }
        in += chunk;
        out += chunk;
        length -= chunk;
    }
    return true;
}

/* cipher_evp_run for a one-shot encryption's input, which may be streamed: block and stream modes
 * take it as it arrives and publish their output as they go; XTS needs the whole data unit. */
static bool cipher_evp_stream(const cipher_mode_t *m, EVP_CIPHER_CTX *ctx, const uint8_t *in,
                              size_t length, uint8_t *out)
{
    if (m->kind == CIPHER_KIND_XTS) {
        return core_stream_await(in, length) && cipher_evp_run(ctx, in, length, out);
    }
    while (length > 0) {
        size_t chunk = core_stream_chunk(in, length);
        if (!core_stream_await(in, chunk) || !cipher_evp_run(ctx, in, chunk, out)) {
            return false;
        }
        core_stream_wrote(out, chunk);
        in += chunk;
        out += chunk;
        length -= chunk;
    }
    return true;
}

/* Valid PKCS#7 padding of the last block: returns the pad length or 0, without branching on the
 * secret bytes. */
static size_t cipher_pkcs7_pad_length(const uint8_t *block, size_t bs)
{
    unsigned pad = block[bs - 1];
    unsigned bad = (unsigned)(pad == 0) | (unsigned)(pad > bs);
    for (size_t i = 0; i < bs; i++) {
        /* in_pad is 1 for the last `pad` bytes */
        unsigned in_pad = (unsigned)(bs - i <= pad);
        bad |= in_pad & (unsigned)(block[i] != pad);
    }
    return bad ? 0 : pad;
}

psa_status_t core_cipher_encrypt(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                                 const uint8_t *input, size_t input_length, uint8_t *output,
                                 size_t output_size, size_t *output_length)
{
    *output_length = 0;
    if (!PSA_ALG_IS_CIPHER(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    core_key_t *k = NULL;
    psa_status_t status = core_key_acquire(caller, key, PSA_KEY_USAGE_ENCRYPT, alg, &k);
    if (status != PSA_SUCCESS) {
        return status;
    }
    cipher_mode_t m;
    status = cipher_resolve(k->attr.type, k->attr.bits, alg, &m);
    if (status == PSA_SUCCESS) {
        status = cipher_check_length(&m, true, input_length);
    }
    size_t body = input_length;
    if (m.pkcs7) {
        body = (input_length / m.block_size + 1) * m.block_size;
    }
    if (status == PSA_SUCCESS && (output_size < m.iv_length || output_size - m.iv_length < body)) {
        status = PSA_ERROR_BUFFER_TOO_SMALL;
    }
    if (status != PSA_SUCCESS) {
        core_key_release(k);
        return status;
    }

    uint8_t evp_iv[16];
    if (m.iv_length != 0 && (RAND_bytes(output, (int)m.iv_length) != 1 ||
                             cipher_evp_iv(&m, output, m.iv_length, evp_iv) != PSA_SUCCESS)) {
        core_key_release(k);
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    }
    uint8_t subkey[XCHACHA_KEY_LENGTH];
    const uint8_t *rekey = NULL;
    status = cipher_xchacha_key_iv(&m, k->material, output, subkey, evp_iv, &rekey);
    uint32_t kind = (uint32_t)alg;
    EVP_CIPHER_CTX *ctx =
        status == PSA_SUCCESS ? cipher_oneshot_ctx(k, &m, kind, true, evp_iv, rekey) : NULL;
    OPENSSL_cleanse(subkey, sizeof(subkey));
    if (ctx == NULL) {
        core_key_release(k);
        return status != PSA_SUCCESS ? status : PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    uint8_t *out = output + m.iv_length;
    core_stream_wrote(output, m.iv_length);
    size_t whole = m.pkcs7 ? input_length - input_length % m.block_size : input_length;
    bool ok = cipher_evp_stream(&m, ctx, input, whole, out);
    if (ok && m.pkcs7) {
        uint8_t last[16];
        size_t rest = input_length - whole;
        if (rest > 0) { /* input may be NULL when empty */
            ok = core_stream_await(input + whole, rest);
            memcpy(last, input + whole, rest);
        }
        memset(last + rest, (int)(m.block_size - rest), m.block_size - rest);
        ok = ok && cipher_evp_run(ctx, last, m.block_size, out + whole);
        OPENSSL_cleanse(last, sizeof(last));
        if (ok) {
            core_stream_wrote(out + whole, m.block_size);
        }
    }
    if (ok) {
        core_key_cache_give(k, kind, ctx, cipher_free_evp);
        *output_length = m.iv_length + body;
    } else {
        EVP_CIPHER_CTX_free(ctx);
        OPENSSL_cleanse(output, output_size);
        status = PSA_ERROR_CORRUPTION_DETECTED;
    }
    core_key_release(k);
    return status;
}

psa_status_t core_cipher_decrypt(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                                 const uint8_t *input, size_t input_length, uint8_t *output,
                                 size_t output_size, size_t *output_length)
{
    *output_length = 0;
    if (!PSA_ALG_IS_CIPHER(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    core_key_t *k = NULL;
    psa_status_t status = core_key_acquire(caller, key, PSA_KEY_USAGE_DECRYPT, alg, &k);
    if (status != PSA_SUCCESS) {
        return status;
    }
    cipher_mode_t m;
    status = cipher_resolve(k->attr.type, k->attr.bits, alg, &m);
    if (status == PSA_SUCCESS && input_length < m.iv_length) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    }
    size_t body = input_length - (status == PSA_SUCCESS ? m.iv_length : 0);
    if (status == PSA_SUCCESS) {
        status = cipher_check_length(&m, false, body);
    }
    /* With PKCS#7 the plaintext is at least one byte shorter: the exact size is known only after
     * decryption, so a tighter buffer goes through a scratch copy. */
    size_t need = m.pkcs7 ? body - 1 : body;
    if (status == PSA_SUCCESS && m.pkcs7 && body >= 1 && output_size < body - m.block_size) {
        status = PSA_ERROR_BUFFER_TOO_SMALL;
    } else if (status == PSA_SUCCESS && !m.pkcs7 && output_size < need) {
        status = PSA_ERROR_BUFFER_TOO_SMALL;
    }
    if (status != PSA_SUCCESS) {
        core_key_release(k);
        return status;
    }

    uint8_t evp_iv[16];
    if (m.iv_length != 0 && cipher_evp_iv(&m, input, m.iv_length, evp_iv) != PSA_SUCCESS) {
        core_key_release(k);
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    uint8_t subkey[XCHACHA_KEY_LENGTH];
    const uint8_t *rekey = NULL;
    status = cipher_xchacha_key_iv(&m, k->material, input, subkey, evp_iv, &rekey);
    uint32_t kind = (uint32_t)alg | CIPHER_CACHE_DECRYPT;
    EVP_CIPHER_CTX *ctx =
        status == PSA_SUCCESS ? cipher_oneshot_ctx(k, &m, kind, false, evp_iv, rekey) : NULL;
    OPENSSL_cleanse(subkey, sizeof(subkey));
    if (ctx == NULL) {
        core_key_release(k);
        return status != PSA_SUCCESS ? status : PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    const uint8_t *in = input + m.iv_length;
    uint8_t *scratch = NULL;
    uint8_t *out = output;
    if (m.pkcs7 && output_size < body) {
        scratch = OPENSSL_malloc(body);
        if (scratch == NULL) {
            EVP_CIPHER_CTX_free(ctx);
            core_key_release(k);
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        out = scratch;
    }
    bool ok = cipher_evp_run(ctx, in, body, out);
    size_t plain = body;
    if (ok && m.pkcs7) {
        size_t pad = cipher_pkcs7_pad_length(out + body - m.block_size, m.block_size);
        if (pad == 0) {
            status = PSA_ERROR_INVALID_PADDING;
        } else {
            plain = body - pad;
            if (plain > output_size) {
                status = PSA_ERROR_BUFFER_TOO_SMALL;
            }
        }
    }
    if (!ok) {
        status = PSA_ERROR_CORRUPTION_DETECTED;
        EVP_CIPHER_CTX_free(ctx);
    } else {
        core_key_cache_give(k, kind, ctx, cipher_free_evp);
    }
    if (status == PSA_SUCCESS) {
        if (scratch != NULL && plain > 0) {
            memcpy(output, scratch, plain);
        }
        /* The padding bytes must not linger in the caller's buffer. */
        if (scratch == NULL && plain < body) {
            OPENSSL_cleanse(output + plain, body - plain);
        }
        *output_length = plain;
    } else if (scratch == NULL) {
        OPENSSL_cleanse(output, body < output_size ? body : output_size);
    }
    if (scratch != NULL) {
        core_free_secret(scratch, body);
    }
    core_key_release(k);
    return status;
}

/* ---- multi-part ------------------------------------------------------------------------------ */

/*
 * ECB/CBC keep at most one block here (OpenSSL's padding is off, PKCS#7 is done here), so update
 * outputs exactly the whole blocks available: for PKCS#7 decryption the last whole block is held
 * back until finish. Stream modes output what they take. XTS cannot be streamed by OpenSSL (each
 * call is one data unit), so a multi-part XTS operation buffers the whole message and outputs
 * all of it at finish: update writes nothing, and finish needs room for the whole message (more
 * than PSA_CIPHER_FINISH_OUTPUT_SIZE).
 */

typedef struct cipher_ctx {
    EVP_CIPHER_CTX *evp;
    core_key_t *key; /* held from setup to abort: destroying it makes the operation fail */
    cipher_mode_t mode;
    bool encrypt;
    bool iv_set;
    bool failed; /* an error happened: only abort is allowed */
    size_t partial_length;
    uint8_t partial[16]; /* ECB/CBC: bytes of an incomplete (or held-back) block */
    size_t total;        /* bytes accepted so far (CCM* limit) */
    uint8_t *xts_data;   /* XTS: the whole message, processed at finish */
    size_t xts_capacity;
} cipher_ctx_t;

static void cipher_ctx_free(cipher_ctx_t *c)
{
    if (c == NULL) {
        return;
    }
    EVP_CIPHER_CTX_free(c->evp);
    if (c->xts_data != NULL) {
        core_free_secret(c->xts_data, c->xts_capacity);
    }
    core_key_release(c->key);
    OPENSSL_cleanse(c, sizeof(*c));
    free(c);
}

psa_status_t core_cipher_abort(psa_cipher_operation_t *operation)
{
    cipher_ctx_free(operation->ctx);
    memset(operation, 0, sizeof(*operation));
    return PSA_SUCCESS;
}

static psa_status_t cipher_setup(const core_caller_t *caller, psa_cipher_operation_t *operation,
                                 psa_key_id_t key, psa_algorithm_t alg, bool encrypt)
{
    if (operation->ctx != NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (!PSA_ALG_IS_CIPHER(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    core_key_t *k = NULL;
    psa_status_t status = core_key_acquire(
        caller, key, encrypt ? PSA_KEY_USAGE_ENCRYPT : PSA_KEY_USAGE_DECRYPT, alg, &k);
    if (status != PSA_SUCCESS) {
        return status;
    }
    cipher_ctx_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        core_key_release(k);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    c->key = k; /* released by cipher_ctx_free */
    status = cipher_resolve(k->attr.type, k->attr.bits, alg, &c->mode);
    if (status == PSA_SUCCESS) {
        c->encrypt = encrypt;
        c->evp = EVP_CIPHER_CTX_new();
        if (c->evp == NULL ||
            EVP_CipherInit_ex2(c->evp, c->mode.evp, k->material, NULL, encrypt, NULL) != 1 ||
            EVP_CIPHER_CTX_set_padding(c->evp, 0) != 1) {
            status = PSA_ERROR_INSUFFICIENT_MEMORY;
        }
    }
    if (status != PSA_SUCCESS) {
        cipher_ctx_free(c);
        return status;
    }
    operation->ctx = c;
    return PSA_SUCCESS;
}

psa_status_t core_cipher_encrypt_setup(const core_caller_t *caller,
                                       psa_cipher_operation_t *operation, psa_key_id_t key,
                                       psa_algorithm_t alg)
{
    return cipher_setup(caller, operation, key, alg, true);
}

psa_status_t core_cipher_decrypt_setup(const core_caller_t *caller,
                                       psa_cipher_operation_t *operation, psa_key_id_t key,
                                       psa_algorithm_t alg)
{
    return cipher_setup(caller, operation, key, alg, false);
}

/* The spec's error state ("If this function returns an error status, the operation enters an
 * error state and must be aborted by calling psa_cipher_abort()"), for any error of a call on an
 * active operation, BAD_STATE included: it stays allocated but refuses everything but abort, and
 * its keyed context and buffered data go at once. */
static psa_status_t cipher_fail(cipher_ctx_t *c, psa_status_t status)
{
    if (status != PSA_SUCCESS) {
        c->failed = true;
        OPENSSL_cleanse(c->partial, sizeof(c->partial));
        c->partial_length = 0;
        EVP_CIPHER_CTX_free(c->evp);
        c->evp = NULL;
    }
    return status;
}

/* The operation when it is active and its key still exists, else NULL (the caller returns
 * BAD_STATE): an inactive operation stays inactive, an active one whose key was destroyed enters
 * the error state (core.h). */
static cipher_ctx_t *cipher_active(psa_cipher_operation_t *operation)
{
    cipher_ctx_t *c = operation->ctx;
    if (c == NULL || c->failed) {
        return NULL;
    }
    if (core_key_is_destroyed(c->key)) {
        cipher_fail(c, PSA_ERROR_BAD_STATE);
        return NULL;
    }
    return c;
}

static psa_status_t cipher_apply_iv(cipher_ctx_t *c, const uint8_t *iv, size_t iv_length)
{
    uint8_t evp_iv[16];
    psa_status_t status = cipher_evp_iv(&c->mode, iv, iv_length, evp_iv);
    if (status != PSA_SUCCESS) {
        return status;
    }
    uint8_t subkey[XCHACHA_KEY_LENGTH];
    const uint8_t *rekey = NULL;
    status = cipher_xchacha_key_iv(&c->mode, c->key->material, iv, subkey, evp_iv, &rekey);
    int ok = status == PSA_SUCCESS &&
             EVP_CipherInit_ex2(c->evp, NULL, rekey, evp_iv, c->encrypt, NULL) == 1;
    OPENSSL_cleanse(subkey, sizeof(subkey));
    if (!ok) {
        return status != PSA_SUCCESS ? status : PSA_ERROR_CORRUPTION_DETECTED;
    }
    c->iv_set = true;
    return PSA_SUCCESS;
}

psa_status_t core_cipher_generate_iv(psa_cipher_operation_t *operation, uint8_t *iv, size_t iv_size,
                                     size_t *iv_length)
{
    *iv_length = 0;
    cipher_ctx_t *c = cipher_active(operation);
    if (c == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    /* Only an encryption that takes an IV and has none yet can generate one. */
    if (c->iv_set || !c->encrypt || c->mode.iv_length == 0) {
        return cipher_fail(c, PSA_ERROR_BAD_STATE);
    }
    if (iv_size < c->mode.iv_length) {
        return cipher_fail(c, PSA_ERROR_BUFFER_TOO_SMALL);
    }
    if (RAND_bytes(iv, (int)c->mode.iv_length) != 1) {
        return cipher_fail(c, PSA_ERROR_INSUFFICIENT_ENTROPY);
    }
    psa_status_t status = cipher_apply_iv(c, iv, c->mode.iv_length);
    if (status != PSA_SUCCESS) {
        OPENSSL_cleanse(iv, c->mode.iv_length);
        return cipher_fail(c, status);
    }
    *iv_length = c->mode.iv_length;
    return PSA_SUCCESS;
}

psa_status_t core_cipher_set_iv(psa_cipher_operation_t *operation, const uint8_t *iv,
                                size_t iv_length)
{
    cipher_ctx_t *c = cipher_active(operation);
    if (c == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (c->iv_set) {
        return cipher_fail(c, PSA_ERROR_BAD_STATE);
    }
    if (c->mode.iv_length == 0) {
        /* ECB takes no IV: the specification's "the chosen algorithm does not use an IV". */
        return cipher_fail(c, PSA_ERROR_INVALID_ARGUMENT);
    }
    return cipher_fail(c, cipher_apply_iv(c, iv, iv_length));
}

/* Output that an update of `input_length` bytes produces now, given what is buffered. */
static size_t cipher_update_output(const cipher_ctx_t *c, size_t input_length)
{
    const cipher_mode_t *m = &c->mode;
    if (m->kind == CIPHER_KIND_XTS) {
        return 0;
    }
    if (m->kind == CIPHER_KIND_STREAM) {
        return input_length;
    }
    size_t total = c->partial_length + input_length;
    if (m->pkcs7 && !c->encrypt) {
        /* Hold back the last complete block: it carries the padding. */
        return total == 0 ? 0 : ((total - 1) / m->block_size) * m->block_size;
    }
    return (total / m->block_size) * m->block_size;
}

psa_status_t core_cipher_update(psa_cipher_operation_t *operation, const uint8_t *input,
                                size_t input_length, uint8_t *output, size_t output_size,
                                size_t *output_length)
{
    *output_length = 0;
    cipher_ctx_t *c = cipher_active(operation);
    if (c == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (c->mode.iv_length != 0 && !c->iv_set) {
        return cipher_fail(c, PSA_ERROR_BAD_STATE);
    }
    const cipher_mode_t *m = &c->mode;
    size_t produce = cipher_update_output(c, input_length);
    if (output_size < produce) {
        return cipher_fail(c, PSA_ERROR_BUFFER_TOO_SMALL);
    }
    if (m->ccm_star && input_length > CCM_STAR_MAX_INPUT - c->total) {
        return cipher_fail(c, PSA_ERROR_INVALID_ARGUMENT);
    }
    if (m->kind == CIPHER_KIND_XTS) {
        if (input_length > XTS_MAX_INPUT - c->total) {
            return cipher_fail(c, PSA_ERROR_INVALID_ARGUMENT);
        }
        size_t need = c->total + input_length;
        if (need > c->xts_capacity) {
            size_t capacity = c->xts_capacity == 0 ? 256 : c->xts_capacity;
            while (capacity < need) {
                capacity *= 2;
            }
            uint8_t *grown = OPENSSL_malloc(capacity);
            if (grown == NULL) {
                return cipher_fail(c, PSA_ERROR_INSUFFICIENT_MEMORY);
            }
            if (c->xts_data != NULL) {
                memcpy(grown, c->xts_data, c->total);
                core_free_secret(c->xts_data, c->xts_capacity);
            }
            c->xts_data = grown;
            c->xts_capacity = capacity;
        }
        if (input_length > 0) {
            memcpy(c->xts_data + c->total, input, input_length);
        }
        c->total += input_length;
        return PSA_SUCCESS;
    }
    if (m->kind == CIPHER_KIND_STREAM) {
        if (!cipher_evp_run(c->evp, input, input_length, output)) {
            return cipher_fail(c, PSA_ERROR_CORRUPTION_DETECTED);
        }
        c->total += input_length;
        *output_length = input_length;
        return PSA_SUCCESS;
    }

    /* ECB/CBC: complete the buffered block, then whole blocks straight from the input, then keep
     * the rest (for PKCS#7 decryption, always keep the last whole block). */
    size_t bs = m->block_size;
    size_t done = 0;
    size_t consumed = 0;
    if (produce > 0 && c->partial_length > 0) {
        size_t fill = bs - c->partial_length;
        memcpy(c->partial + c->partial_length, input, fill);
        if (!cipher_evp_run(c->evp, c->partial, bs, output)) {
            return cipher_fail(c, PSA_ERROR_CORRUPTION_DETECTED);
        }
        c->partial_length = 0;
        consumed = fill;
        done = bs;
    }
    if (produce > done) {
        size_t direct = produce - done;
        if (!cipher_evp_run(c->evp, input + consumed, direct, output + done)) {
            return cipher_fail(c, PSA_ERROR_CORRUPTION_DETECTED);
        }
        consumed += direct;
        done += direct;
    }
    size_t rest = input_length - consumed;
    if (rest > 0) { /* input may be NULL when input_length is 0 */
        memcpy(c->partial + c->partial_length, input + consumed, rest);
    }
    c->partial_length += rest;
    c->total += input_length;
    *output_length = done;
    return PSA_SUCCESS;
}

psa_status_t core_cipher_finish(psa_cipher_operation_t *operation, uint8_t *output,
                                size_t output_size, size_t *output_length)
{
    *output_length = 0;
    cipher_ctx_t *c = cipher_active(operation);
    if (c == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (c->mode.iv_length != 0 && !c->iv_set) {
        return cipher_fail(c, PSA_ERROR_BAD_STATE);
    }
    const cipher_mode_t *m = &c->mode;
    size_t bs = m->block_size;
    psa_status_t status = PSA_SUCCESS;
    size_t produced = 0;

    if (m->kind == CIPHER_KIND_XTS) {
        status = cipher_check_length(m, c->encrypt, c->total);
        if (status == PSA_SUCCESS && output_size < c->total) {
            status = PSA_ERROR_BUFFER_TOO_SMALL;
        }
        if (status == PSA_SUCCESS && !cipher_evp_run(c->evp, c->xts_data, c->total, output)) {
            status = PSA_ERROR_CORRUPTION_DETECTED;
        }
        produced = c->total;
    } else if (m->kind == CIPHER_KIND_BLOCK && m->pkcs7 && c->encrypt) {
        if (output_size < bs) {
            status = PSA_ERROR_BUFFER_TOO_SMALL;
        } else {
            size_t rest = c->partial_length;
            memset(c->partial + rest, (int)(bs - rest), bs - rest);
            if (!cipher_evp_run(c->evp, c->partial, bs, output)) {
                status = PSA_ERROR_CORRUPTION_DETECTED;
            }
            produced = bs;
        }
    } else if (m->kind == CIPHER_KIND_BLOCK && m->pkcs7) {
        uint8_t block[16];
        size_t pad = 0;
        if (c->partial_length != bs) {
            status = PSA_ERROR_INVALID_ARGUMENT;
        } else if (!cipher_evp_run(c->evp, c->partial, bs, block)) {
            status = PSA_ERROR_CORRUPTION_DETECTED;
        } else if ((pad = cipher_pkcs7_pad_length(block, bs)) == 0) {
            status = PSA_ERROR_INVALID_PADDING;
        } else if (output_size < bs - pad) {
            status = PSA_ERROR_BUFFER_TOO_SMALL;
        } else {
            memcpy(output, block, bs - pad);
            produced = bs - pad;
        }
        OPENSSL_cleanse(block, sizeof(block));
    } else if (m->kind == CIPHER_KIND_BLOCK && c->partial_length != 0) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    }
    if (status != PSA_SUCCESS) {
        return cipher_fail(c, status);
    }
    *output_length = produced;
    return core_cipher_abort(operation);
}
