/* Key derivation: HKDF (+Extract/Expand), TLS 1.2 PRF, PSK-to-MS and ECJPAKE-to-PMS, PBKDF2,
 * SP 800-108 counter mode with HMAC or CMAC. */
#include "kdf_internal.h"
#include "asym_internal.h"
#include "key_types.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

/*
 * Every algorithm here is an HMAC (or CMAC) construction, so the operation keeps one EVP_MAC_CTX
 * keyed with the algorithm's PRF key (HKDF's PRK, the TLS secret, the PBKDF2 password) and
 * re-initialises it without a key for each PRF call, which keeps the key schedule. Output is
 * produced one PRF block at a time and buffered, so reading the stream in pieces gives the same
 * bytes as reading it at once; EVP_KDF cannot resume a stream, which is why it is not used (the
 * SP 800-108 counter KDF is checked against OpenSSL's KBKDF in tests/vectors/kat_kdf.c).
 * ECJPAKE-to-PMS is the exception: its whole output is one SHA-256 digest, computed when the
 * secret arrives, so it has no MAC context.
 */

typedef enum kdf_kind {
    KDF_HKDF,
    KDF_HKDF_EXTRACT,
    KDF_HKDF_EXPAND,
    KDF_TLS12_PRF,
    KDF_TLS12_PSK_TO_MS,
    KDF_PBKDF2_HMAC,
    KDF_PBKDF2_CMAC,
    KDF_TLS12_ECJPAKE_TO_PMS,
    KDF_SP800_108_HMAC,
    KDF_SP800_108_CMAC,
} kdf_kind_t;

/* Input steps as bits, to record which inputs the operation has seen. */
enum {
    KDF_SALT = 1u << 0,
    KDF_SECRET = 1u << 1,
    KDF_INFO = 1u << 2,
    KDF_SEED = 1u << 3,
    KDF_LABEL = 1u << 4,
    KDF_OTHER_SECRET = 1u << 5,
    KDF_COST = 1u << 6,
    KDF_PASSWORD = 1u << 7,
    KDF_CONTEXT = 1u << 8,
};

/* How an input arrived: its source decides which outputs are permitted later. */
typedef enum kdf_source {
    KDF_SOURCE_DIRECT,     /* input_bytes / input_integer */
    KDF_SOURCE_KEY_DERIVE, /* a key with PSA_KEY_USAGE_DERIVE, or a key agreement */
    KDF_SOURCE_KEY_VERIFY, /* a key with only PSA_KEY_USAGE_VERIFY_DERIVATION */
} kdf_source_t;

#define KDF_BLOCK_MAX       64 /* largest PRF output: HMAC-SHA-512 */
#define KDF_CMAC_PRF_LENGTH 16
/* ECJPAKE-to-PMS: its input is an uncompressed P-256 point, its output SHA-256(x). */
#define KDF_ECJPAKE_POINT_LENGTH 65
#define KDF_ECJPAKE_X_LENGTH     32
/* SP 800-108 (PSA 1.2): initial capacity 2^29 - 1 bytes, so that L = 8 * capacity fits 32 bits. */
#define KDF_SP800_108_CAPACITY 0x1fffffffu

typedef struct kdf_ctx {
    psa_algorithm_t alg; /* as given to setup, possibly PSA_ALG_KEY_AGREEMENT(ka, kdf) */
    kdf_kind_t kind;
    size_t hash_length; /* PRF output length */
    EVP_MAC_CTX *mac;   /* keyed with the PRF key once the secret input has arrived */
    unsigned seen;      /* KDF_* bits of the inputs given so far */
    bool error;         /* the specification's error state: only abort is useful */
    bool output_started;
    bool all_keys_derive; /* no key input lacked PSA_KEY_USAGE_DERIVE */
    bool secret_from_key; /* SECRET / PASSWORD came from a DERIVE key or a key agreement */
    size_t capacity;
    /* Inputs kept until they are consumed; all wiped on free because salts may be peppers. */
    uint8_t *salt;
    size_t salt_length;
    uint8_t *info; /* SP 800-108: the context, then the whole fixed input once output starts */
    size_t info_length;
    uint8_t *seed; /* TLS: the seed, then label || seed once the label arrives; SP 800-108: label */
    size_t seed_length;
    bool cmac_keyed; /* SP 800-108 CMAC: the PRF's cipher was chosen from the secret key */
    uint8_t *other_secret;
    size_t other_secret_length;
    uint64_t cost;
    /* Output stream state. */
    uint8_t block[KDF_BLOCK_MAX]; /* current PRF block; HKDF's T(n-1) */
    size_t block_length;
    size_t block_pos;
    uint32_t counter;         /* index of the last block computed */
    uint8_t a[KDF_BLOCK_MAX]; /* TLS P_hash A(i) */
} kdf_ctx_t;

/* ---- fetched once ---------------------------------------------------------------------------- */

static pthread_once_t kdf_fetch_once = PTHREAD_ONCE_INIT;
static EVP_MAC *kdf_hmac;
static EVP_MAC *kdf_cmac;

static void kdf_fetch(void)
{
    kdf_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    kdf_cmac = EVP_MAC_fetch(NULL, "CMAC", NULL);
}

/* ---- small helpers --------------------------------------------------------------------------- */

static kdf_ctx_t *kdf_ctx(const psa_key_derivation_operation_t *operation)
{
    return (kdf_ctx_t *)operation->ctx;
}

static unsigned kdf_step_bit(psa_key_derivation_step_t step)
{
    switch (step) {
    case PSA_KEY_DERIVATION_INPUT_SALT:
        return KDF_SALT;
    case PSA_KEY_DERIVATION_INPUT_SECRET:
        return KDF_SECRET;
    case PSA_KEY_DERIVATION_INPUT_INFO:
        return KDF_INFO;
    case PSA_KEY_DERIVATION_INPUT_SEED:
        return KDF_SEED;
    case PSA_KEY_DERIVATION_INPUT_LABEL:
        return KDF_LABEL;
    case PSA_KEY_DERIVATION_INPUT_OTHER_SECRET:
        return KDF_OTHER_SECRET;
    case PSA_KEY_DERIVATION_INPUT_COST:
        return KDF_COST;
    case PSA_KEY_DERIVATION_INPUT_PASSWORD:
        return KDF_PASSWORD;
    case PSA_KEY_DERIVATION_INPUT_CONTEXT:
        return KDF_CONTEXT;
    default:
        return 0;
    }
}

/* The steps each algorithm takes. */
static unsigned kdf_steps_of(kdf_kind_t kind)
{
    switch (kind) {
    case KDF_HKDF:
        return KDF_SALT | KDF_SECRET | KDF_INFO;
    case KDF_HKDF_EXTRACT:
        return KDF_SALT | KDF_SECRET;
    case KDF_HKDF_EXPAND:
        return KDF_SECRET | KDF_INFO;
    case KDF_TLS12_PRF:
        return KDF_SEED | KDF_SECRET | KDF_LABEL;
    case KDF_TLS12_PSK_TO_MS:
        return KDF_SEED | KDF_OTHER_SECRET | KDF_SECRET | KDF_LABEL;
    case KDF_PBKDF2_HMAC:
    case KDF_PBKDF2_CMAC:
        return KDF_COST | KDF_SALT | KDF_PASSWORD;
    case KDF_TLS12_ECJPAKE_TO_PMS:
        return KDF_SECRET;
    case KDF_SP800_108_HMAC:
    case KDF_SP800_108_CMAC:
        return KDF_SECRET | KDF_LABEL | KDF_CONTEXT;
    }
    return 0;
}

/* The inputs that must all be present before any output. */
static unsigned kdf_required_of(kdf_kind_t kind)
{
    switch (kind) {
    case KDF_HKDF:
    case KDF_HKDF_EXPAND:
        return KDF_SECRET | KDF_INFO;
    case KDF_HKDF_EXTRACT:
        return KDF_SALT | KDF_SECRET;
    case KDF_TLS12_PRF:
    case KDF_TLS12_PSK_TO_MS:
        return KDF_SEED | KDF_SECRET | KDF_LABEL;
    case KDF_PBKDF2_HMAC:
    case KDF_PBKDF2_CMAC:
        return KDF_COST | KDF_SALT | KDF_PASSWORD;
    case KDF_TLS12_ECJPAKE_TO_PMS:
    case KDF_SP800_108_HMAC:
    case KDF_SP800_108_CMAC:
        return KDF_SECRET; /* label and context are optional */
    }
    return 0;
}

static bool kdf_is_sp800_108(kdf_kind_t kind)
{
    return kind == KDF_SP800_108_HMAC || kind == KDF_SP800_108_CMAC;
}

static bool kdf_is_pbkdf2(kdf_kind_t kind)
{
    return kind == KDF_PBKDF2_HMAC || kind == KDF_PBKDF2_CMAC;
}

/* The ordering rules of the specification, per algorithm: may `bit` be given now? */
static bool kdf_step_in_order(const kdf_ctx_t *c, unsigned bit)
{
    unsigned s = c->seen;
    if (c->output_started) {
        return false;
    }
    /* Each input is given once, except the PBKDF2 salt, whose pieces are concatenated. */
    if ((s & bit) != 0 && !(kdf_is_pbkdf2(c->kind) && bit == KDF_SALT)) {
        return false;
    }
    switch (c->kind) {
    case KDF_HKDF:
        /* The salt, when given, comes before the secret; the info may come at any time. */
        return bit != KDF_SALT || (s & KDF_SECRET) == 0;
    case KDF_HKDF_EXTRACT:
        return bit != KDF_SECRET || (s & KDF_SALT) != 0;
    case KDF_HKDF_EXPAND:
        return bit != KDF_INFO || (s & KDF_SECRET) != 0;
    case KDF_TLS12_PRF:
        switch (bit) {
        case KDF_SEED:
            return s == 0;
        case KDF_SECRET:
            return s == KDF_SEED;
        default: /* LABEL */
            return s == (KDF_SEED | KDF_SECRET);
        }
    case KDF_TLS12_PSK_TO_MS:
        switch (bit) {
        case KDF_SEED:
            return s == 0;
        case KDF_OTHER_SECRET:
            return s == KDF_SEED;
        case KDF_SECRET:
            return (s & ~(unsigned)KDF_OTHER_SECRET) == KDF_SEED;
        default: /* LABEL */
            return (s & (KDF_SEED | KDF_SECRET)) == (KDF_SEED | KDF_SECRET);
        }
    case KDF_PBKDF2_HMAC:
    case KDF_PBKDF2_CMAC:
        switch (bit) {
        case KDF_COST:
            return s == 0;
        case KDF_SALT:
            return (s & KDF_COST) != 0 && (s & KDF_PASSWORD) == 0;
        default: /* PASSWORD */
            return (s & KDF_SALT) != 0;
        }
    case KDF_TLS12_ECJPAKE_TO_PMS:
        return true; /* its single input, given once (checked above) */
    case KDF_SP800_108_HMAC:
    case KDF_SP800_108_CMAC:
        /* Secret, then the optional label, then the optional context. */
        switch (bit) {
        case KDF_SECRET:
            return s == 0;
        case KDF_LABEL:
            return s == KDF_SECRET;
        default: /* CONTEXT */
            return (s & KDF_SECRET) != 0;
        }
    }
    return false;
}

/* Replaces *buf by *buf || data, wiping the old copy (salts may hold a pepper). */
static psa_status_t kdf_append(uint8_t **buf, size_t *length, const uint8_t *data, size_t n)
{
    if (n > SIZE_MAX - *length - 1) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    uint8_t *p = OPENSSL_malloc(*length + n + 1); /* +1: never a zero-size allocation */
    if (p == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (*length > 0) {
        memcpy(p, *buf, *length);
    }
    if (n > 0) {
        memcpy(p + *length, data, n);
    }
    core_free_secret(*buf, *length);
    *buf = p;
    *length += n;
    return PSA_SUCCESS;
}

/* One PRF call with the operation's key: out = PRF(a || b || c). */
static psa_status_t kdf_prf(kdf_ctx_t *c, const uint8_t *a, size_t a_length, const uint8_t *b,
                            size_t b_length, const uint8_t *d, size_t d_length, uint8_t *out)
{
    size_t out_length = 0;
    if (EVP_MAC_init(c->mac, NULL, 0, NULL) != 1 ||
        (a_length > 0 && EVP_MAC_update(c->mac, a, a_length) != 1) ||
        (b_length > 0 && EVP_MAC_update(c->mac, b, b_length) != 1) ||
        (d_length > 0 && EVP_MAC_update(c->mac, d, d_length) != 1) ||
        EVP_MAC_final(c->mac, out, &out_length, KDF_BLOCK_MAX) != 1 ||
        out_length != c->hash_length) {
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    return PSA_SUCCESS;
}

/* Keys the PRF. A zero-length key is passed as a non-NULL pointer: NULL means "keep the key". */
static psa_status_t kdf_set_key(kdf_ctx_t *c, const uint8_t *key, size_t key_length)
{
    static const uint8_t empty[1] = {0};
    if (EVP_MAC_init(c->mac, key_length > 0 ? key : empty, key_length, NULL) != 1) {
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    return PSA_SUCCESS;
}

/* ---- inputs ---------------------------------------------------------------------------------- */

/* HKDF-Extract: PRK = HMAC(salt, IKM), an absent salt being HashLen zero bytes (RFC 5869 2.2). */
static psa_status_t kdf_hkdf_extract(kdf_ctx_t *c, const uint8_t *ikm, size_t ikm_length,
                                     uint8_t *prk)
{
    static const uint8_t zeros[KDF_BLOCK_MAX] = {0};
    psa_status_t status = c->salt_length > 0 ? kdf_set_key(c, c->salt, c->salt_length)
                                             : kdf_set_key(c, zeros, c->hash_length);
    if (status == PSA_SUCCESS) {
        status = kdf_prf(c, ikm, ikm_length, NULL, 0, NULL, 0, prk);
    }
    core_free_secret(c->salt, c->salt_length);
    c->salt = NULL;
    c->salt_length = 0;
    return status;
}

/* TLS 1.2 PSK-to-MS premaster secret (RFC 4279 section 2):
 * uint16 len(other) || other || uint16 len(psk) || psk, other defaulting to len(psk) zeros. */
static psa_status_t kdf_psk_premaster(kdf_ctx_t *c, const uint8_t *psk, size_t psk_length)
{
    size_t other_length = (c->seen & KDF_OTHER_SECRET) ? c->other_secret_length : psk_length;
    size_t total = 2 + other_length + 2 + psk_length;
    uint8_t *pms = OPENSSL_zalloc(total);
    if (pms == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    pms[0] = (uint8_t)(other_length >> 8);
    pms[1] = (uint8_t)other_length;
    if ((c->seen & KDF_OTHER_SECRET) && other_length > 0) {
        memcpy(pms + 2, c->other_secret, other_length);
    }
    pms[2 + other_length] = (uint8_t)(psk_length >> 8);
    pms[3 + other_length] = (uint8_t)psk_length;
    if (psk_length > 0) {
        memcpy(pms + 4 + other_length, psk, psk_length);
    }
    psa_status_t status = kdf_set_key(c, pms, total);
    core_free_secret(pms, total);
    core_free_secret(c->other_secret, c->other_secret_length);
    c->other_secret = NULL;
    c->other_secret_length = 0;
    return status;
}

/* PBKDF2-AES-CMAC-PRF-128 keys its PRF as RFC 4615 says: a 16-byte password is the AES key,
 * any other length is first condensed with AES-CMAC under the all-zero key. */
static psa_status_t kdf_cmac_prf_key(kdf_ctx_t *c, const uint8_t *password, size_t length)
{
    if (length == KDF_CMAC_PRF_LENGTH) {
        return kdf_set_key(c, password, length);
    }
    static const uint8_t zero_key[KDF_CMAC_PRF_LENGTH] = {0};
    uint8_t key[KDF_CMAC_PRF_LENGTH];
    psa_status_t status = kdf_set_key(c, zero_key, sizeof(zero_key));
    if (status == PSA_SUCCESS) {
        status = kdf_prf(c, password, length, NULL, 0, NULL, 0, key);
    }
    if (status == PSA_SUCCESS) {
        status = kdf_set_key(c, key, sizeof(key));
    }
    OPENSSL_cleanse(key, sizeof(key));
    return status;
}

/* ECJPAKE-to-PMS (draft-cragie-tls-ecjpake-01 section 8.7): the premaster secret is SHA-256 of
 * the x coordinate of J-PAKE's K. K must be an uncompressed point on P-256, the only curve the
 * algorithm is defined for; anything else is refused rather than hashed. */
static psa_status_t kdf_ecjpake_to_pms(kdf_ctx_t *c, const uint8_t *k, size_t length)
{
    if (length != KDF_ECJPAKE_POINT_LENGTH || k[0] != 0x04) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    const asym_curve_t *curve = asym_curve_find(PSA_ECC_FAMILY_SECP_R1, 256);
    const EC_GROUP *group = curve != NULL ? asym_curve_group(curve) : NULL;
    const EVP_MD *md = core_hash_md(PSA_ALG_SHA_256);
    if (group == NULL || md == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    EC_POINT *point = EC_POINT_new(group);
    if (point == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    /* oct2point rejects coordinates that are not on the curve. */
    int on_curve = EC_POINT_oct2point(group, point, k, length, NULL) == 1;
    EC_POINT_clear_free(point);
    if (!on_curve) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    unsigned int digest_length = 0;
    if (EVP_Digest(k + 1, KDF_ECJPAKE_X_LENGTH, c->block, &digest_length, md, NULL) != 1 ||
        digest_length != PSA_TLS12_ECJPAKE_TO_PMS_OUTPUT_SIZE) {
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    c->block_length = digest_length;
    c->block_pos = 0;
    return PSA_SUCCESS;
}

/* Takes one byte-string input whose step has been checked for this algorithm and state. */
static psa_status_t kdf_absorb(kdf_ctx_t *c, unsigned bit, const uint8_t *data, size_t length)
{
    psa_status_t status = PSA_SUCCESS;
    switch (bit) {
    case KDF_SALT:
        status = kdf_append(&c->salt, &c->salt_length, data, length);
        break;
    case KDF_INFO:
    case KDF_CONTEXT:
        status = kdf_append(&c->info, &c->info_length, data, length);
        break;
    case KDF_SEED:
        status = kdf_append(&c->seed, &c->seed_length, data, length);
        break;
    case KDF_OTHER_SECRET:
        /* The premaster secret carries its length in two bytes. */
        if (length > 0xffff) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        status = kdf_append(&c->other_secret, &c->other_secret_length, data, length);
        break;
    case KDF_LABEL: {
        if (kdf_is_sp800_108(c->kind)) {
            /* The label must not contain a null byte: 0x00 separates it from the context. */
            if (length > 0 && memchr(data, 0, length) != NULL) {
                return PSA_ERROR_INVALID_ARGUMENT;
            }
            status = kdf_append(&c->seed, &c->seed_length, data, length);
            break;
        }
        /* P_hash's seed is label || seed. */
        uint8_t *joined = NULL;
        size_t joined_length = 0;
        status = kdf_append(&joined, &joined_length, data, length);
        if (status == PSA_SUCCESS) {
            status = kdf_append(&joined, &joined_length, c->seed, c->seed_length);
        }
        if (status != PSA_SUCCESS) {
            core_free_secret(joined, joined_length);
            return status;
        }
        core_free_secret(c->seed, c->seed_length);
        c->seed = joined;
        c->seed_length = joined_length;
        break;
    }
    case KDF_SECRET:
        switch (c->kind) {
        case KDF_HKDF:
        case KDF_HKDF_EXTRACT: {
            uint8_t prk[KDF_BLOCK_MAX];
            status = kdf_hkdf_extract(c, data, length, prk);
            if (status == PSA_SUCCESS && c->kind == KDF_HKDF) {
                status = kdf_set_key(c, prk, c->hash_length);
            } else if (status == PSA_SUCCESS) {
                /* HKDF-Extract's whole output is the PRK. */
                memcpy(c->block, prk, c->hash_length);
                c->block_length = c->hash_length;
                c->block_pos = 0;
            }
            OPENSSL_cleanse(prk, sizeof(prk));
            break;
        }
        case KDF_HKDF_EXPAND:
        case KDF_TLS12_PRF:
        case KDF_SP800_108_HMAC:
            status = kdf_set_key(c, data, length);
            break;
        case KDF_SP800_108_CMAC:
            /* Only a block-cipher key (input_key) says which cipher the CMAC runs on. */
            if (!c->cmac_keyed) {
                return PSA_ERROR_INVALID_ARGUMENT;
            }
            status = kdf_set_key(c, data, length);
            break;
        case KDF_TLS12_PSK_TO_MS:
            if (length > PSA_TLS12_PSK_TO_MS_PSK_MAX_SIZE) {
                return PSA_ERROR_INVALID_ARGUMENT;
            }
            status = kdf_psk_premaster(c, data, length);
            break;
        case KDF_TLS12_ECJPAKE_TO_PMS:
            status = kdf_ecjpake_to_pms(c, data, length);
            break;
        default:
            return PSA_ERROR_CORRUPTION_DETECTED;
        }
        break;
    case KDF_PASSWORD:
        status = c->kind == KDF_PBKDF2_CMAC ? kdf_cmac_prf_key(c, data, length)
                                            : kdf_set_key(c, data, length);
        break;
    default:
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    if (status == PSA_SUCCESS) {
        c->seen |= bit;
    }
    return status;
}

/*
 * The checks every input call makes before looking at its data or key: BAD_STATE for an inactive
 * or failed operation, INVALID_ARGUMENT for a step the algorithm does not take (or COST given as
 * bytes / a key, or anything else given as an integer), BAD_STATE for a step out of order.
 */
static psa_status_t kdf_check_step(const kdf_ctx_t *c, psa_key_derivation_step_t step,
                                   bool integer_input, unsigned *bit)
{
    if (c == NULL || c->error) {
        return PSA_ERROR_BAD_STATE;
    }
    *bit = kdf_step_bit(step);
    if ((*bit & kdf_steps_of(c->kind)) == 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if ((*bit == KDF_COST) != integer_input) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (!kdf_step_in_order(c, *bit)) {
        return PSA_ERROR_BAD_STATE;
    }
    return PSA_SUCCESS;
}

/* Key types the specification lists as compatible with each step of each algorithm. */
static bool kdf_key_type_fits(kdf_kind_t kind, unsigned bit, psa_key_type_t type)
{
    switch (bit) {
    case KDF_SECRET:
        if (kind == KDF_SP800_108_HMAC) {
            return type == PSA_KEY_TYPE_HMAC || type == PSA_KEY_TYPE_DERIVE;
        }
        if (kind == KDF_SP800_108_CMAC) {
            return type == PSA_KEY_TYPE_AES || type == PSA_KEY_TYPE_ARIA ||
                   type == PSA_KEY_TYPE_CAMELLIA || type == PSA_KEY_TYPE_SM4;
        }
        return type == PSA_KEY_TYPE_DERIVE;
    case KDF_OTHER_SECRET:
        return type == PSA_KEY_TYPE_DERIVE;
    case KDF_PASSWORD:
        return type == PSA_KEY_TYPE_DERIVE || type == PSA_KEY_TYPE_PASSWORD;
    case KDF_SALT:
        return type == PSA_KEY_TYPE_RAW_DATA ||
               (kdf_is_pbkdf2(kind) && type == PSA_KEY_TYPE_PEPPER);
    case KDF_INFO:
    case KDF_SEED:
    case KDF_LABEL:
    case KDF_CONTEXT:
        return type == PSA_KEY_TYPE_RAW_DATA;
    default:
        return false;
    }
}

/* Records what the input's source allows later (see the note of psa_key_derivation_input_key). */
static void kdf_note_source(kdf_ctx_t *c, unsigned bit, kdf_source_t source)
{
    if (source == KDF_SOURCE_KEY_VERIFY) {
        c->all_keys_derive = false;
    }
    if (source == KDF_SOURCE_KEY_DERIVE && (bit == KDF_SECRET || bit == KDF_PASSWORD)) {
        c->secret_from_key = true;
    }
}

/* ---- output stream --------------------------------------------------------------------------- */

/* PBKDF2's F(P, S, c, i) (RFC 8018 5.2) for the next block index. */
static psa_status_t kdf_pbkdf2_block(kdf_ctx_t *c)
{
    uint8_t u[KDF_BLOCK_MAX];
    uint8_t index[4] = {(uint8_t)(c->counter >> 24), (uint8_t)(c->counter >> 16),
                        (uint8_t)(c->counter >> 8), (uint8_t)c->counter};
    psa_status_t status = kdf_prf(c, c->salt, c->salt_length, index, 4, NULL, 0, u);
    if (status != PSA_SUCCESS) {
        return status;
    }
    memcpy(c->block, u, c->hash_length);
    for (uint64_t j = 1; j < c->cost; j++) {
        status = kdf_prf(c, u, c->hash_length, NULL, 0, NULL, 0, u);
        if (status != PSA_SUCCESS) {
            break;
        }
        for (size_t k = 0; k < c->hash_length; k++) {
            c->block[k] ^= u[k];
        }
    }
    OPENSSL_cleanse(u, sizeof(u));
    return status;
}

/* Computes the next PRF block of the stream into c->block. */
static psa_status_t kdf_next_block(kdf_ctx_t *c)
{
    psa_status_t status;
    switch (c->kind) {
    case KDF_HKDF:
    case KDF_HKDF_EXPAND: {
        /* T(n) = HMAC(PRK, T(n-1) || info || n), T(0) empty (RFC 5869 2.3). */
        if (c->counter >= 255) {
            return PSA_ERROR_CORRUPTION_DETECTED; /* capacity stops the stream before this */
        }
        uint8_t n = (uint8_t)(c->counter + 1);
        status = kdf_prf(c, c->block, c->counter > 0 ? c->hash_length : 0, c->info, c->info_length,
                         &n, 1, c->block);
        break;
    }
    case KDF_TLS12_PRF:
    case KDF_TLS12_PSK_TO_MS:
        /* P_hash: A(i) = HMAC(secret, A(i-1)), A(0) = seed; block = HMAC(secret, A(i) || seed). */
        status = c->counter == 0 ? kdf_prf(c, c->seed, c->seed_length, NULL, 0, NULL, 0, c->a)
                                 : kdf_prf(c, c->a, c->hash_length, NULL, 0, NULL, 0, c->a);
        if (status == PSA_SUCCESS) {
            status = kdf_prf(c, c->a, c->hash_length, c->seed, c->seed_length, NULL, 0, c->block);
        }
        break;
    case KDF_PBKDF2_HMAC:
    case KDF_PBKDF2_CMAC:
        if (c->counter == UINT32_MAX) {
            return PSA_ERROR_CORRUPTION_DETECTED;
        }
        c->counter++;
        status = kdf_pbkdf2_block(c);
        c->counter--;
        break;
    case KDF_SP800_108_HMAC:
    case KDF_SP800_108_CMAC: {
        /* K(i) = PRF(K_IN, [i]_4 || fixed), fixed built by kdf_sp800_108_fixed(). */
        if (c->counter == UINT32_MAX) {
            return PSA_ERROR_CORRUPTION_DETECTED; /* capacity stops the stream long before */
        }
        uint32_t i = c->counter + 1;
        uint8_t index[4] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        status = kdf_prf(c, index, 4, c->info, c->info_length, NULL, 0, c->block);
        break;
    }
    default:
        /* HKDF-Extract and ECJPAKE-to-PMS have a single block, set when the secret arrives. */
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    if (status == PSA_SUCCESS) {
        c->counter++;
        c->block_length = c->hash_length;
        c->block_pos = 0;
    }
    return status;
}

static psa_status_t kdf_produce(kdf_ctx_t *c, uint8_t *out, size_t length)
{
    while (length > 0) {
        if (c->block_pos == c->block_length) {
            psa_status_t status = kdf_next_block(c);
            if (status != PSA_SUCCESS) {
                return status;
            }
        }
        size_t n = c->block_length - c->block_pos;
        if (n > length) {
            n = length;
        }
        memcpy(out, c->block + c->block_pos, n);
        c->block_pos += n;
        out += n;
        length -= n;
    }
    return PSA_SUCCESS;
}

/*
 * SP 800-108 counter mode as PSA Crypto API 1.2 fixes it, when the first output is requested:
 * L = 8 * capacity, fixed = Label || 0x00 || Context || [L]_4, and for CMAC the robustness
 * mitigation K_0 = CMAC(K_IN, fixed) appended: fixed || K_0. The context buffer becomes `fixed`.
 */
static psa_status_t kdf_sp800_108_fixed(kdf_ctx_t *c)
{
    uint64_t bits = (uint64_t)c->capacity * 8;
    if (bits > UINT32_MAX) {
        return PSA_ERROR_CORRUPTION_DETECTED; /* the capacity only shrinks from 2^29 - 1 */
    }
    static const uint8_t separator[1] = {0};
    const uint8_t l[4] = {(uint8_t)(bits >> 24), (uint8_t)(bits >> 16), (uint8_t)(bits >> 8),
                          (uint8_t)bits};
    uint8_t *fixed = NULL;
    size_t fixed_length = 0;
    psa_status_t status = kdf_append(&fixed, &fixed_length, c->seed, c->seed_length);
    if (status == PSA_SUCCESS) {
        status = kdf_append(&fixed, &fixed_length, separator, sizeof(separator));
    }
    if (status == PSA_SUCCESS) {
        status = kdf_append(&fixed, &fixed_length, c->info, c->info_length);
    }
    if (status == PSA_SUCCESS) {
        status = kdf_append(&fixed, &fixed_length, l, sizeof(l));
    }
    if (status == PSA_SUCCESS && c->kind == KDF_SP800_108_CMAC) {
        uint8_t k0[KDF_BLOCK_MAX];
        status = kdf_prf(c, fixed, fixed_length, NULL, 0, NULL, 0, k0);
        if (status == PSA_SUCCESS) {
            status = kdf_append(&fixed, &fixed_length, k0, c->hash_length);
        }
        OPENSSL_cleanse(k0, sizeof(k0));
    }
    if (status != PSA_SUCCESS) {
        core_free_secret(fixed, fixed_length);
        return status;
    }
    core_free_secret(c->info, c->info_length);
    c->info = fixed;
    c->info_length = fixed_length;
    return PSA_SUCCESS;
}

/* State check shared by the output functions: active, not failed, every required input given. */
static psa_status_t kdf_check_output_state(kdf_ctx_t *c)
{
    if (c == NULL || c->error) {
        return PSA_ERROR_BAD_STATE;
    }
    unsigned required = kdf_required_of(c->kind);
    if ((c->seen & required) != required) {
        return PSA_ERROR_BAD_STATE;
    }
    if (!c->output_started && kdf_is_sp800_108(c->kind)) {
        psa_status_t status = kdf_sp800_108_fixed(c);
        if (status != PSA_SUCCESS) {
            return status;
        }
    }
    c->output_started = true;
    return PSA_SUCCESS;
}

/* Takes `length` bytes off the capacity, or empties it (INSUFFICIENT_DATA) if there are fewer. */
static psa_status_t kdf_take_capacity(kdf_ctx_t *c, size_t length)
{
    if (length > c->capacity) {
        c->capacity = 0;
        return PSA_ERROR_INSUFFICIENT_DATA;
    }
    /* The specification has the ECJPAKE-to-PMS output read in a single 32-byte call. */
    if (c->kind == KDF_TLS12_ECJPAKE_TO_PMS && length != 0 &&
        length != PSA_TLS12_ECJPAKE_TO_PMS_OUTPUT_SIZE) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    c->capacity -= length;
    return PSA_SUCCESS;
}

/* Errors of a call on an active operation put it in the error state ("If this function returns
 * an error status, the operation enters an error state and must be aborted by calling
 * psa_key_derivation_abort()"), BAD_STATE included; except the ones the specification exempts:
 * INSUFFICIENT_DATA (output and verify) and INVALID_SIGNATURE (verify). An inactive operation
 * (c == NULL) stays inactive.
 * Keys given to input_key / verify_key are read during that call only (the operation keeps the
 * bytes, not the key), so destroying one afterwards does not concern the operation. */
static psa_status_t kdf_fail(kdf_ctx_t *c, psa_status_t status)
{
    if (c != NULL && status != PSA_SUCCESS && status != PSA_ERROR_INSUFFICIENT_DATA &&
        status != PSA_ERROR_INVALID_SIGNATURE) {
        c->error = true;
    }
    return status;
}

/* ---- entry points ---------------------------------------------------------------------------- */

static void kdf_ctx_free(kdf_ctx_t *c)
{
    if (c == NULL) {
        return;
    }
    EVP_MAC_CTX_free(c->mac);
    core_free_secret(c->salt, c->salt_length);
    core_free_secret(c->info, c->info_length);
    core_free_secret(c->seed, c->seed_length);
    core_free_secret(c->other_secret, c->other_secret_length);
    core_free_secret(c, sizeof(*c));
}

/* Maps a key derivation algorithm (not a key agreement) to its kind and PRF; NOT_SUPPORTED for
 * derivations this core does not build. */
static psa_status_t kdf_classify(psa_algorithm_t kdf_alg, kdf_kind_t *kind, const EVP_MD **md)
{
    *md = NULL;
    if (kdf_alg == PSA_ALG_PBKDF2_AES_CMAC_PRF_128) {
        *kind = KDF_PBKDF2_CMAC;
        return PSA_SUCCESS;
    }
    if (kdf_alg == PSA_ALG_TLS12_ECJPAKE_TO_PMS) {
        *kind = KDF_TLS12_ECJPAKE_TO_PMS;
        return PSA_SUCCESS;
    }
    if (kdf_alg == PSA_ALG_SP800_108_COUNTER_CMAC) {
        *kind = KDF_SP800_108_CMAC;
        return PSA_SUCCESS;
    }
    if (PSA_ALG_IS_SP800_108_COUNTER_HMAC(kdf_alg)) {
        *kind = KDF_SP800_108_HMAC;
    } else if (PSA_ALG_IS_HKDF(kdf_alg)) {
        *kind = KDF_HKDF;
    } else if (PSA_ALG_IS_HKDF_EXTRACT(kdf_alg)) {
        *kind = KDF_HKDF_EXTRACT;
    } else if (PSA_ALG_IS_HKDF_EXPAND(kdf_alg)) {
        *kind = KDF_HKDF_EXPAND;
    } else if (PSA_ALG_IS_TLS12_PRF(kdf_alg)) {
        *kind = KDF_TLS12_PRF;
    } else if (PSA_ALG_IS_TLS12_PSK_TO_MS(kdf_alg)) {
        *kind = KDF_TLS12_PSK_TO_MS;
    } else if (PSA_ALG_IS_PBKDF2_HMAC(kdf_alg)) {
        *kind = KDF_PBKDF2_HMAC;
    } else {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    psa_algorithm_t hash = PSA_ALG_GET_HASH(kdf_alg);
    if (hash == PSA_ALG_NONE || hash == PSA_ALG_ANY_HASH) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    *md = core_hash_md(hash);
    /* HMAC needs a fixed-length hash: no XOF. */
    if (*md == NULL || (EVP_MD_get_flags(*md) & EVP_MD_FLAG_XOF) != 0) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    return PSA_SUCCESS;
}

psa_status_t core_key_derivation_setup(psa_key_derivation_operation_t *operation,
                                       psa_algorithm_t alg)
{
    if (operation->ctx != NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    psa_algorithm_t kdf_alg = alg;
    if (PSA_ALG_IS_KEY_AGREEMENT(alg)) {
        /* A raw agreement has no KDF; the base must be a key agreement this API defines. */
        if (PSA_ALG_IS_RAW_KEY_AGREEMENT(alg)) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        psa_algorithm_t ka = PSA_ALG_KEY_AGREEMENT_GET_BASE(alg);
        kdf_alg = PSA_ALG_KEY_AGREEMENT_GET_KDF(alg);
        if (!PSA_ALG_IS_KEY_DERIVATION(kdf_alg)) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        if (ka != PSA_ALG_ECDH && ka != PSA_ALG_FFDH) {
            return PSA_ERROR_NOT_SUPPORTED;
        }
    } else if (!PSA_ALG_IS_KEY_DERIVATION(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    kdf_kind_t kind;
    const EVP_MD *md;
    psa_status_t status = kdf_classify(kdf_alg, &kind, &md);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (kind == KDF_TLS12_ECJPAKE_TO_PMS) {
        /* Its secret is J-PAKE's point, which no key agreement produces. */
        if (kdf_alg != alg) {
            return PSA_ERROR_NOT_SUPPORTED;
        }
        kdf_ctx_t *c = OPENSSL_zalloc(sizeof(*c));
        if (c == NULL) {
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        c->alg = alg;
        c->kind = kind;
        c->all_keys_derive = true;
        c->hash_length = PSA_TLS12_ECJPAKE_TO_PMS_OUTPUT_SIZE;
        c->capacity = PSA_TLS12_ECJPAKE_TO_PMS_OUTPUT_SIZE;
        operation->ctx = c;
        return PSA_SUCCESS;
    }
    pthread_once(&kdf_fetch_once, kdf_fetch);
    EVP_MAC *mac = kind == KDF_PBKDF2_CMAC || kind == KDF_SP800_108_CMAC ? kdf_cmac : kdf_hmac;
    if (mac == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }

    kdf_ctx_t *c = OPENSSL_zalloc(sizeof(*c));
    if (c == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    c->alg = alg;
    c->kind = kind;
    c->all_keys_derive = true;
    c->mac = EVP_MAC_CTX_new(mac);
    OSSL_PARAM params[2];
    if (kind == KDF_PBKDF2_CMAC) {
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", 0);
        c->hash_length = KDF_CMAC_PRF_LENGTH;
    } else if (kind == KDF_SP800_108_CMAC) {
        /* The cipher follows the secret key's type and size (kdf_sp800_108_cmac_cipher). */
        params[0] = OSSL_PARAM_construct_end();
        c->hash_length = 16; /* every block cipher CMAC takes here has 16-byte blocks */
    } else {
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                     (char *)EVP_MD_get0_name(md), 0);
        c->hash_length = (size_t)EVP_MD_get_size(md);
    }
    params[1] = OSSL_PARAM_construct_end();
    if (c->mac == NULL || EVP_MAC_CTX_set_params(c->mac, params) != 1 || c->hash_length == 0 ||
        c->hash_length > KDF_BLOCK_MAX) {
        kdf_ctx_free(c);
        return PSA_ERROR_NOT_SUPPORTED;
    }

    /* Initial capacity: the most output each construction can give. TLS 1.2's P_hash has no
     * limit of its own. */
    switch (kind) {
    case KDF_HKDF:
    case KDF_HKDF_EXPAND:
        c->capacity = 255 * c->hash_length; /* RFC 5869: L <= 255 * HashLen */
        break;
    case KDF_HKDF_EXTRACT:
        c->capacity = c->hash_length;
        break;
    case KDF_TLS12_PRF:
    case KDF_TLS12_PSK_TO_MS:
        c->capacity = PSA_KEY_DERIVATION_UNLIMITED_CAPACITY;
        break;
    case KDF_PBKDF2_HMAC:
    case KDF_PBKDF2_CMAC:
        /* RFC 8018: dkLen <= (2^32 - 1) * hLen. */
        c->capacity = SIZE_MAX / UINT32_MAX >= c->hash_length ? (size_t)UINT32_MAX * c->hash_length
                                                              : SIZE_MAX;
        break;
    case KDF_SP800_108_HMAC:
    case KDF_SP800_108_CMAC:
        c->capacity = KDF_SP800_108_CAPACITY;
        break;
    case KDF_TLS12_ECJPAKE_TO_PMS:
        break; /* set up above */
    }
    operation->ctx = c;
    return PSA_SUCCESS;
}

psa_status_t core_key_derivation_get_capacity(const psa_key_derivation_operation_t *operation,
                                              size_t *capacity)
{
    const kdf_ctx_t *c = kdf_ctx(operation);
    if (c == NULL || c->error) {
        return PSA_ERROR_BAD_STATE;
    }
    *capacity = c->capacity;
    return PSA_SUCCESS;
}

psa_status_t core_key_derivation_set_capacity(psa_key_derivation_operation_t *operation,
                                              size_t capacity)
{
    kdf_ctx_t *c = kdf_ctx(operation);
    if (c == NULL || c->error) {
        return PSA_ERROR_BAD_STATE;
    }
    /* SP 800-108 fixes L from the capacity at the first output: no change after that. */
    if (kdf_is_sp800_108(c->kind) && c->output_started) {
        return kdf_fail(c, PSA_ERROR_BAD_STATE);
    }
    /* Capacity only shrinks; a larger request leaves the operation valid and unchanged. */
    if (capacity > c->capacity) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    c->capacity = capacity;
    return PSA_SUCCESS;
}

/* SP 800-108 CMAC: runs the PRF on the block cipher of the secret key (AES, ARIA, Camellia or
 * SM4 of the key's size). */
static psa_status_t kdf_sp800_108_cmac_cipher(kdf_ctx_t *c, psa_key_type_t type, size_t bits)
{
    if (core_key_is_xts_only(type, bits)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    const EVP_CIPHER *cipher = core_cipher_evp(type, bits, "CBC");
    if (cipher == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
                                         (char *)EVP_CIPHER_get0_name(cipher), 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_CTX_set_params(c->mac, params) != 1) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    c->cmac_keyed = true;
    return PSA_SUCCESS;
}

/* Byte-string input from any source, after kdf_check_step() has passed. */
static psa_status_t kdf_input(kdf_ctx_t *c, unsigned bit, const uint8_t *data, size_t length,
                              kdf_source_t source)
{
    psa_status_t status = kdf_absorb(c, bit, data, length);
    if (status == PSA_SUCCESS) {
        kdf_note_source(c, bit, source);
    }
    return status;
}

psa_status_t core_key_derivation_input_bytes(psa_key_derivation_operation_t *operation,
                                             psa_key_derivation_step_t step, const uint8_t *data,
                                             size_t data_length)
{
    kdf_ctx_t *c = kdf_ctx(operation);
    unsigned bit;
    psa_status_t status = kdf_check_step(c, step, false, &bit);
    if (status == PSA_SUCCESS) {
        status = kdf_input(c, bit, data, data_length, KDF_SOURCE_DIRECT);
    }
    return kdf_fail(c, status);
}

psa_status_t core_key_derivation_input_integer(psa_key_derivation_operation_t *operation,
                                               psa_key_derivation_step_t step, uint64_t value)
{
    kdf_ctx_t *c = kdf_ctx(operation);
    unsigned bit;
    psa_status_t status = kdf_check_step(c, step, true, &bit);
    if (status == PSA_SUCCESS) {
        /* The only numeric input is PBKDF2's iteration count: at least 1 (RFC 8018); counts
         * beyond the configured limit (at most 32 bits) are refused as unsupported rather than
         * run for hours. */
        if (value == 0) {
            status = PSA_ERROR_INVALID_ARGUMENT;
        } else if (value > core_max_pbkdf2_iterations()) {
            status = PSA_ERROR_NOT_SUPPORTED;
        } else {
            c->cost = value;
            c->seen |= KDF_COST;
        }
    }
    return kdf_fail(c, status);
}

psa_status_t core_key_derivation_input_key(const core_caller_t *caller,
                                           psa_key_derivation_operation_t *operation,
                                           psa_key_derivation_step_t step, psa_key_id_t key)
{
    /* The order of Mbed TLS psa_key_derivation_input_key: the key and its policy first (a
     * destroyed key is INVALID_HANDLE whatever the step), then the step against the key's type,
     * and last the step against the algorithm and the order. An inactive operation (no state
     * at all, which libpsa answers without asking rssd) is BAD_STATE first. */
    kdf_ctx_t *c = kdf_ctx(operation);
    if (c == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    core_key_t *k = NULL;
    psa_status_t status = core_key_acquire(caller, key, 0, c->alg, &k);
    if (status != PSA_SUCCESS) {
        return kdf_fail(c, status);
    }
    /* Either usage will do here; which outputs follow depends on which one the key has. */
    psa_key_usage_t usage = k->attr.usage;
    unsigned bit = kdf_step_bit(step);
    if ((usage & (PSA_KEY_USAGE_DERIVE | PSA_KEY_USAGE_VERIFY_DERIVATION)) == 0) {
        status = PSA_ERROR_NOT_PERMITTED;
    } else if (c->error) {
        status = PSA_ERROR_BAD_STATE;
    } else if (!kdf_key_type_fits(c->kind, bit, k->attr.type)) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else {
        status = kdf_check_step(c, step, false, &bit);
        if (status == PSA_SUCCESS && c->kind == KDF_SP800_108_CMAC && bit == KDF_SECRET) {
            status = kdf_sp800_108_cmac_cipher(c, k->attr.type, k->attr.bits);
        }
    }
    if (status == PSA_SUCCESS) {
        status = kdf_input(c, bit, k->material, k->material_length,
                           (usage & PSA_KEY_USAGE_DERIVE) ? KDF_SOURCE_KEY_DERIVE
                                                          : KDF_SOURCE_KEY_VERIFY);
    }
    core_key_release(k);
    return kdf_fail(c, status);
}

psa_status_t core_kdf_agreement_check(const psa_key_derivation_operation_t *operation,
                                      psa_algorithm_t *ka_alg)
{
    const kdf_ctx_t *c = kdf_ctx(operation);
    if (c == NULL || c->error) {
        return PSA_ERROR_BAD_STATE;
    }
    if (!PSA_ALG_IS_KEY_AGREEMENT(c->alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    *ka_alg = PSA_ALG_KEY_AGREEMENT_GET_BASE(c->alg);
    return PSA_SUCCESS;
}

psa_status_t core_kdf_input_secret_internal(psa_key_derivation_operation_t *operation,
                                            psa_key_derivation_step_t step, const uint8_t *bytes,
                                            size_t len)
{
    kdf_ctx_t *c = kdf_ctx(operation);
    /* A shared secret is secret material: it can only feed a secret step. As for a DERIVE key in
     * input_key, the step's kind is checked before its order. */
    unsigned bit = kdf_step_bit(step);
    psa_status_t status = PSA_SUCCESS;
    if (c == NULL || c->error) {
        status = PSA_ERROR_BAD_STATE;
    } else if (bit != KDF_SECRET && bit != KDF_OTHER_SECRET && bit != KDF_PASSWORD) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else {
        status = kdf_check_step(c, step, false, &bit);
    }
    if (status == PSA_SUCCESS) {
        status = kdf_input(c, bit, bytes, len, KDF_SOURCE_KEY_DERIVE);
    }
    return kdf_fail(c, status);
}

void core_kdf_set_error(psa_key_derivation_operation_t *operation)
{
    kdf_ctx_t *c = kdf_ctx(operation);
    if (c != NULL) {
        c->error = true;
    }
}

psa_status_t core_key_derivation_key_agreement(const core_caller_t *caller,
                                               psa_key_derivation_operation_t *operation,
                                               psa_key_derivation_step_t step,
                                               psa_key_id_t private_key, const uint8_t *peer_key,
                                               size_t peer_key_length)
{
    kdf_ctx_t *c = kdf_ctx(operation);
    psa_algorithm_t ka_alg = 0;
    psa_status_t status = core_kdf_agreement_check(operation, &ka_alg);
    if (status != PSA_SUCCESS) {
        return kdf_fail(c, status);
    }
    /* The key's policy is checked against the operation's combined algorithm, and the key and the
     * peer key before the step (the order of Mbed TLS psa_key_derivation_key_agreement). */
    uint8_t secret[PSA_RAW_KEY_AGREEMENT_OUTPUT_MAX_SIZE];
    size_t secret_length = 0;
    status = core_asym_agreement_secret(caller, c->alg, ka_alg, private_key, peer_key,
                                        peer_key_length, secret, sizeof(secret), &secret_length);
    if (status == PSA_SUCCESS) {
        status = core_kdf_input_secret_internal(operation, step, secret, secret_length);
    }
    OPENSSL_cleanse(secret, sizeof(secret));
    return kdf_fail(c, status);
}

psa_status_t core_key_derivation_output_bytes(psa_key_derivation_operation_t *operation,
                                              uint8_t *output, size_t output_length)
{
    kdf_ctx_t *c = kdf_ctx(operation);
    psa_status_t status = kdf_check_output_state(c);
    if (status != PSA_SUCCESS) {
        return kdf_fail(c, status);
    }
    if (!c->all_keys_derive) {
        return kdf_fail(c, PSA_ERROR_NOT_PERMITTED);
    }
    status = kdf_take_capacity(c, output_length);
    if (status == PSA_SUCCESS) {
        status = kdf_produce(c, output, output_length);
    }
    return kdf_fail(c, status);
}

/* The weak and semi-weak DES keys of SP 800-67 (with odd parity), which derivation skips. */
static const uint8_t kdf_des_weak_keys[16][8] = {
    {0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01},
    {0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe},
    {0xe0, 0xe0, 0xe0, 0xe0, 0xf1, 0xf1, 0xf1, 0xf1},
    {0x1f, 0x1f, 0x1f, 0x1f, 0x0e, 0x0e, 0x0e, 0x0e},
    {0x01, 0x1f, 0x01, 0x1f, 0x01, 0x0e, 0x01, 0x0e},
    {0x1f, 0x01, 0x1f, 0x01, 0x0e, 0x01, 0x0e, 0x01},
    {0x01, 0xe0, 0x01, 0xe0, 0x01, 0xf1, 0x01, 0xf1},
    {0xe0, 0x01, 0xe0, 0x01, 0xf1, 0x01, 0xf1, 0x01},
    {0x01, 0xfe, 0x01, 0xfe, 0x01, 0xfe, 0x01, 0xfe},
    {0xfe, 0x01, 0xfe, 0x01, 0xfe, 0x01, 0xfe, 0x01},
    {0x1f, 0xe0, 0x1f, 0xe0, 0x0e, 0xf1, 0x0e, 0xf1},
    {0xe0, 0x1f, 0xe0, 0x1f, 0xf1, 0x0e, 0xf1, 0x0e},
    {0x1f, 0xfe, 0x1f, 0xfe, 0x0e, 0xfe, 0x0e, 0xfe},
    {0xfe, 0x1f, 0xfe, 0x1f, 0xfe, 0x0e, 0xfe, 0x0e},
    {0xe0, 0xfe, 0xe0, 0xfe, 0xf1, 0xfe, 0xf1, 0xfe},
    {0xfe, 0xe0, 0xfe, 0xe0, 0xfe, 0xf1, 0xfe, 0xf1},
};

static void kdf_des_set_parity(uint8_t *block)
{
    for (size_t i = 0; i < 8; i++) {
        uint8_t b = block[i] & 0xfe;
        uint8_t v = b;
        v ^= v >> 4;
        v ^= v >> 2;
        v ^= v >> 1;
        block[i] = b | (uint8_t)(~v & 1); /* odd parity over the whole byte */
    }
}

static bool kdf_des_is_weak(const uint8_t *block)
{
    for (size_t i = 0; i < 16; i++) {
        if (memcmp(block, kdf_des_weak_keys[i], 8) == 0) {
            return true;
        }
    }
    return false;
}

/* Draws the material of a key of `type`, as the specification's key types section says. */
static psa_status_t kdf_draw_key(kdf_ctx_t *c, psa_key_type_t type, uint8_t *data, size_t length)
{
    if (type != PSA_KEY_TYPE_DES) {
        psa_status_t status = kdf_take_capacity(c, length);
        return status == PSA_SUCCESS ? kdf_produce(c, data, length) : status;
    }
    /* DES: draw 8 bytes, fix the parity, redraw while the result is a weak key; per DES key. */
    for (size_t off = 0; off < length; off += 8) {
        do {
            psa_status_t status = kdf_take_capacity(c, 8);
            if (status == PSA_SUCCESS) {
                status = kdf_produce(c, data + off, 8);
            }
            if (status != PSA_SUCCESS) {
                return status;
            }
            kdf_des_set_parity(data + off);
        } while (kdf_des_is_weak(data + off));
    }
    return PSA_SUCCESS;
}

/* Stream reader for asymmetric key derivation (asym_key_derive). */
static psa_status_t kdf_draw_bytes(void *stream, uint8_t *output, size_t length)
{
    return kdf_draw_key(stream, PSA_KEY_TYPE_RAW_DATA, output, length);
}

psa_status_t core_key_derivation_output_key(const core_caller_t *caller,
                                            const psa_key_attributes_t *attributes,
                                            psa_key_derivation_operation_t *operation,
                                            psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    kdf_ctx_t *c = kdf_ctx(operation);
    psa_status_t status = kdf_check_output_state(c);
    if (status != PSA_SUCCESS) {
        return kdf_fail(c, status);
    }
    /* A key may only come from a secret that was itself a key (or a key agreement). */
    if (!c->secret_from_key || !c->all_keys_derive) {
        return kdf_fail(c, PSA_ERROR_NOT_PERMITTED);
    }
    status = core_key_attributes_check(attributes);
    if (status != PSA_SUCCESS) {
        return kdf_fail(c, status);
    }
    psa_key_type_t type = psa_get_key_type(attributes);
    size_t bits = psa_get_key_bits(attributes);
    if (type == PSA_KEY_TYPE_NONE || PSA_KEY_TYPE_IS_PUBLIC_KEY(type) || bits == 0) {
        return kdf_fail(c, PSA_ERROR_INVALID_ARGUMENT);
    }
    if (PSA_KEY_TYPE_IS_ASYMMETRIC(type)) {
        /* ECC pairs by the specification's procedure per family; RSA and DH: NOT_SUPPORTED. */
        uint8_t *material = NULL;
        size_t material_length = 0;
        status = asym_key_derive(type, bits, kdf_draw_bytes, c, &material, &material_length);
        if (status == PSA_SUCCESS) {
            status = core_key_create(caller, attributes, material, material_length, key);
            core_free_secret(material, material_length);
        }
        return kdf_fail(c, status);
    }
    if (!core_key_type_is_unstructured(type)) {
        return kdf_fail(c, PSA_ERROR_NOT_SUPPORTED);
    }
    /* A password hash is only meaningful for the algorithm that produced it. */
    if (type == PSA_KEY_TYPE_PASSWORD_HASH && psa_get_key_algorithm(attributes) != c->alg) {
        return kdf_fail(c, PSA_ERROR_INVALID_ARGUMENT);
    }
    if (bits % 8 != 0 || (type == PSA_KEY_TYPE_DES && bits != 64 && bits != 128 && bits != 192)) {
        return kdf_fail(c, PSA_ERROR_INVALID_ARGUMENT);
    }
    size_t length = PSA_BITS_TO_BYTES(bits);
    if (length > CORE_MAX_RAW_KEY_BYTES) {
        return kdf_fail(c, PSA_ERROR_NOT_SUPPORTED);
    }
    uint8_t *data = OPENSSL_malloc(length);
    if (data == NULL) {
        return kdf_fail(c, PSA_ERROR_INSUFFICIENT_MEMORY);
    }
    status = kdf_draw_key(c, type, data, length);
    if (status == PSA_SUCCESS) {
        status = core_key_create(caller, attributes, data, length, key);
        if (status != PSA_SUCCESS) {
            *key = PSA_KEY_ID_NULL;
        }
    }
    core_free_secret(data, length);
    return kdf_fail(c, status);
}

/* Reads `length` bytes of the stream and compares them with `expected` in constant time. */
static psa_status_t kdf_verify(kdf_ctx_t *c, const uint8_t *expected, size_t length)
{
    psa_status_t status = kdf_take_capacity(c, length);
    if (status != PSA_SUCCESS) {
        return status;
    }
    uint8_t *actual = OPENSSL_malloc(length + 1);
    if (actual == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    status = kdf_produce(c, actual, length);
    if (status == PSA_SUCCESS && length > 0 && CRYPTO_memcmp(actual, expected, length) != 0) {
        status = PSA_ERROR_INVALID_SIGNATURE;
    }
    core_free_secret(actual, length + 1);
    return status;
}

psa_status_t core_key_derivation_verify_bytes(psa_key_derivation_operation_t *operation,
                                              const uint8_t *expected_output, size_t output_length)
{
    kdf_ctx_t *c = kdf_ctx(operation);
    psa_status_t status = kdf_check_output_state(c);
    if (status != PSA_SUCCESS) {
        return kdf_fail(c, status);
    }
    /* Every key input had DERIVE or VERIFY_DERIVATION (input_key refuses others), which is
     * exactly what verification needs. */
    return kdf_fail(c, kdf_verify(c, expected_output, output_length));
}

psa_status_t core_key_derivation_verify_key(const core_caller_t *caller,
                                            psa_key_derivation_operation_t *operation,
                                            psa_key_id_t expected)
{
    kdf_ctx_t *c = kdf_ctx(operation);
    psa_status_t status = kdf_check_output_state(c);
    if (status != PSA_SUCCESS) {
        return kdf_fail(c, status);
    }
    core_key_t *k = NULL;
    status = core_key_acquire(caller, expected, PSA_KEY_USAGE_VERIFY_DERIVATION, c->alg, &k);
    if (status != PSA_SUCCESS) {
        return kdf_fail(c, status);
    }
    if (k->attr.type != PSA_KEY_TYPE_PASSWORD_HASH) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else {
        status = kdf_verify(c, k->material, k->material_length);
    }
    core_key_release(k);
    return kdf_fail(c, status);
}

psa_status_t core_key_derivation_abort(psa_key_derivation_operation_t *operation)
{
    kdf_ctx_free(kdf_ctx(operation));
    memset(operation, 0, sizeof(*operation));
    return PSA_SUCCESS;
}
