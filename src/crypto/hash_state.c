/* Low-level libcrypto hash contexts for the PSA hash suspend state: run, export, import. */

/* MD4_Init, MD5_Init, SHA256_Update ... are deprecated in OpenSSL 3 but are the only libcrypto
 * interface whose contexts have public fields (chaining value, bit count, partial block). This file
 * is the one place that uses them. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "hash_state.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/md4.h>
#include <openssl/md5.h>
#include <openssl/ripemd.h>
#include <openssl/sha.h>

#include "base/wire.h"

typedef enum hs_family {
    HS_MD4,
    HS_MD5,
    HS_RIPEMD160,
    HS_SHA1,
    HS_SHA256, /* SHA-224, SHA-256 */
    HS_SHA512, /* SHA-384, SHA-512, SHA-512/224, SHA-512/256 */
} hs_family_t;

typedef struct hs_info {
    psa_algorithm_t alg;
    hs_family_t family;
    uint8_t words;      /* chaining words in the hash-state field */
    uint8_t word_size;  /* bytes per word: 4 or 8 */
    bool little_endian; /* MD5 and RIPEMD-160 encode their words little-endian, the rest big */
} hs_info_t;

static const hs_info_t hs_table[] = {
    {PSA_ALG_MD4, HS_MD4, 4, 4, true},
    {PSA_ALG_MD5, HS_MD5, 4, 4, true},
    {PSA_ALG_RIPEMD160, HS_RIPEMD160, 5, 4, true},
    {PSA_ALG_SHA_1, HS_SHA1, 5, 4, false},
    {PSA_ALG_SHA_224, HS_SHA256, 8, 4, false},
    {PSA_ALG_SHA_256, HS_SHA256, 8, 4, false},
    {PSA_ALG_SHA_384, HS_SHA512, 8, 8, false},
    {PSA_ALG_SHA_512, HS_SHA512, 8, 8, false},
    {PSA_ALG_SHA_512_224, HS_SHA512, 8, 8, false},
    {PSA_ALG_SHA_512_256, HS_SHA512, 8, 8, false},
};

#define HS_COUNT (sizeof(hs_table) / sizeof(hs_table[0]))

/* The table's word counts and the header's field sizes describe the same format. */
_Static_assert(PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(PSA_ALG_MD4) == 4 * 4, "MD4 state");
_Static_assert(PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(PSA_ALG_MD5) == 4 * 4, "MD5 state");
_Static_assert(PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(PSA_ALG_RIPEMD160) == 5 * 4, "RMD state");
_Static_assert(PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(PSA_ALG_SHA_1) == 5 * 4, "SHA-1 state");
_Static_assert(PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(PSA_ALG_SHA_224) == 8 * 4, "SHA-224");
_Static_assert(PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(PSA_ALG_SHA_256) == 8 * 4, "SHA-256");
_Static_assert(PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(PSA_ALG_SHA_384) == 8 * 8, "SHA-384");
_Static_assert(PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(PSA_ALG_SHA_512) == 8 * 8, "SHA-512");
_Static_assert(PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(PSA_ALG_SHA_512_224) == 8 * 8, "/224");
_Static_assert(PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(PSA_ALG_SHA_512_256) == 8 * 8, "/256");

/* Initial hash values of SHA-512/224 and SHA-512/256 (FIPS 180-4, 5.3.6): libcrypto has no
 * public initialiser for them, so they are set on a SHA-512 context; SHA512_Final truncates by
 * the context's md_len. */
static const uint64_t sha512_224_iv[8] = {
    0x8C3D37C819544DA2ull, 0x73E1996689DCD4D6ull, 0x1DFAB7AE32FF9C82ull, 0x679DD514582F9FCFull,
    0x0F6D2B697BD44DA8ull, 0x77E36F7304C48942ull, 0x3F9D85A86A1D36C8ull, 0x1112E6AD91D692A1ull,
};
static const uint64_t sha512_256_iv[8] = {
    0x22312194FC2BF72Cull, 0x9F555FA3C84C64C2ull, 0x2393B86B6F53B151ull, 0x963877195940EABDull,
    0x96283EE2A88EFFE3ull, 0xBE5E1E2553863992ull, 0x2B0199FC2C85B8AAull, 0x0EB72DDC81C52CA2ull,
};

struct hash_state {
    const hs_info_t *info;
    union {
        MD4_CTX md4;
        MD5_CTX md5;
        RIPEMD160_CTX ripemd160;
        SHA_CTX sha1;
        SHA256_CTX sha256;
        SHA512_CTX sha512;
    } u;
};

/* The parts of a context the suspend state is made of, in one shape for every family. */
typedef struct hs_raw {
    uint64_t h[8];
    uint64_t bits_hi, bits_lo; /* total input in bits, including the partial block */
    uint8_t *block;            /* partial block bytes, `num` of them */
    size_t num;
    size_t block_size;
} hs_raw_t;

static const hs_info_t *hs_lookup(psa_algorithm_t alg)
{
    for (size_t i = 0; i < HS_COUNT; i++) {
        if (hs_table[i].alg == alg) {
            return &hs_table[i];
        }
    }
    return NULL;
}

bool hash_state_supported(psa_algorithm_t alg)
{
    return hs_lookup(alg) != NULL;
}

bool hash_state_known_unsupported(psa_algorithm_t alg)
{
    switch (alg) {
    case PSA_ALG_MD2:
    case PSA_ALG_AES_MMO_ZIGBEE:
    case PSA_ALG_SHA3_224:
    case PSA_ALG_SHA3_256:
    case PSA_ALG_SHA3_384:
    case PSA_ALG_SHA3_512:
    case PSA_ALG_SM3:
    case PSA_ALG_SHAKE256_512:
        return true;
    default:
        return false;
    }
}

psa_algorithm_t hash_state_alg(const hash_state_t *state)
{
    return state->info->alg;
}

/* ---- context access ------------------------------------------------------------------------- */

static void hs_get(hash_state_t *s, hs_raw_t *raw)
{
    memset(raw, 0, sizeof(*raw));
    switch (s->info->family) {
    case HS_MD4: {
        MD4_CTX *c = &s->u.md4;
        raw->h[0] = c->A, raw->h[1] = c->B, raw->h[2] = c->C, raw->h[3] = c->D;
        raw->bits_lo = (uint64_t)c->Nh << 32 | c->Nl;
        raw->block = (uint8_t *)c->data, raw->num = c->num, raw->block_size = MD4_CBLOCK;
        break;
    }
    case HS_MD5: {
        MD5_CTX *c = &s->u.md5;
        raw->h[0] = c->A, raw->h[1] = c->B, raw->h[2] = c->C, raw->h[3] = c->D;
        raw->bits_lo = (uint64_t)c->Nh << 32 | c->Nl;
        raw->block = (uint8_t *)c->data, raw->num = c->num, raw->block_size = MD5_CBLOCK;
        break;
    }
    case HS_RIPEMD160: {
        RIPEMD160_CTX *c = &s->u.ripemd160;
        raw->h[0] = c->A, raw->h[1] = c->B, raw->h[2] = c->C, raw->h[3] = c->D, raw->h[4] = c->E;
        raw->bits_lo = (uint64_t)c->Nh << 32 | c->Nl;
        raw->block = (uint8_t *)c->data, raw->num = c->num, raw->block_size = RIPEMD160_CBLOCK;
        break;
    }
    case HS_SHA1: {
        SHA_CTX *c = &s->u.sha1;
        raw->h[0] = c->h0, raw->h[1] = c->h1, raw->h[2] = c->h2, raw->h[3] = c->h3;
        raw->h[4] = c->h4;
        raw->bits_lo = (uint64_t)c->Nh << 32 | c->Nl;
        raw->block = (uint8_t *)c->data, raw->num = c->num, raw->block_size = SHA_CBLOCK;
        break;
    }
    case HS_SHA256: {
        SHA256_CTX *c = &s->u.sha256;
        for (size_t i = 0; i < 8; i++) {
            raw->h[i] = c->h[i];
        }
        raw->bits_lo = (uint64_t)c->Nh << 32 | c->Nl;
        raw->block = (uint8_t *)c->data, raw->num = c->num, raw->block_size = SHA256_CBLOCK;
        break;
    }
    case HS_SHA512: {
        SHA512_CTX *c = &s->u.sha512;
        for (size_t i = 0; i < 8; i++) {
            raw->h[i] = c->h[i];
        }
        raw->bits_hi = c->Nh, raw->bits_lo = c->Nl;
        raw->block = c->u.p, raw->num = c->num, raw->block_size = SHA512_CBLOCK;
        break;
    }
    }
}

/* Writes back what hs_get read (raw->block already points into the context). */
static void hs_set(hash_state_t *s, const hs_raw_t *raw)
{
    switch (s->info->family) {
    case HS_MD4: {
        MD4_CTX *c = &s->u.md4;
        c->A = (MD4_LONG)raw->h[0], c->B = (MD4_LONG)raw->h[1];
        c->C = (MD4_LONG)raw->h[2], c->D = (MD4_LONG)raw->h[3];
        c->Nl = (MD4_LONG)raw->bits_lo, c->Nh = (MD4_LONG)(raw->bits_lo >> 32);
        c->num = (unsigned int)raw->num;
        break;
    }
    case HS_MD5: {
        MD5_CTX *c = &s->u.md5;
        c->A = (MD5_LONG)raw->h[0], c->B = (MD5_LONG)raw->h[1];
        c->C = (MD5_LONG)raw->h[2], c->D = (MD5_LONG)raw->h[3];
        c->Nl = (MD5_LONG)raw->bits_lo, c->Nh = (MD5_LONG)(raw->bits_lo >> 32);
        c->num = (unsigned int)raw->num;
        break;
    }
    case HS_RIPEMD160: {
        RIPEMD160_CTX *c = &s->u.ripemd160;
        c->A = (RIPEMD160_LONG)raw->h[0], c->B = (RIPEMD160_LONG)raw->h[1];
        c->C = (RIPEMD160_LONG)raw->h[2], c->D = (RIPEMD160_LONG)raw->h[3];
        c->E = (RIPEMD160_LONG)raw->h[4];
        c->Nl = (RIPEMD160_LONG)raw->bits_lo, c->Nh = (RIPEMD160_LONG)(raw->bits_lo >> 32);
        c->num = (unsigned int)raw->num;
        break;
    }
    case HS_SHA1: {
        SHA_CTX *c = &s->u.sha1;
        c->h0 = (SHA_LONG)raw->h[0], c->h1 = (SHA_LONG)raw->h[1], c->h2 = (SHA_LONG)raw->h[2];
        c->h3 = (SHA_LONG)raw->h[3], c->h4 = (SHA_LONG)raw->h[4];
        c->Nl = (SHA_LONG)raw->bits_lo, c->Nh = (SHA_LONG)(raw->bits_lo >> 32);
        c->num = (unsigned int)raw->num;
        break;
    }
    case HS_SHA256: {
        SHA256_CTX *c = &s->u.sha256;
        for (size_t i = 0; i < 8; i++) {
            c->h[i] = (SHA_LONG)raw->h[i];
        }
        c->Nl = (SHA_LONG)raw->bits_lo, c->Nh = (SHA_LONG)(raw->bits_lo >> 32);
        c->num = (unsigned int)raw->num;
        break;
    }
    case HS_SHA512: {
        SHA512_CTX *c = &s->u.sha512;
        for (size_t i = 0; i < 8; i++) {
            c->h[i] = raw->h[i];
        }
        c->Nh = raw->bits_hi, c->Nl = raw->bits_lo;
        c->num = (unsigned int)raw->num;
        break;
    }
    }
}

/* ---- running -------------------------------------------------------------------------------- */

static int hs_init(hash_state_t *s)
{
    switch (s->info->alg) {
    case PSA_ALG_MD4:
        return MD4_Init(&s->u.md4);
    case PSA_ALG_MD5:
        return MD5_Init(&s->u.md5);
    case PSA_ALG_RIPEMD160:
        return RIPEMD160_Init(&s->u.ripemd160);
    case PSA_ALG_SHA_1:
        return SHA1_Init(&s->u.sha1);
    case PSA_ALG_SHA_224:
        return SHA224_Init(&s->u.sha256);
    case PSA_ALG_SHA_256:
        return SHA256_Init(&s->u.sha256);
    case PSA_ALG_SHA_384:
        return SHA384_Init(&s->u.sha512);
    case PSA_ALG_SHA_512:
        return SHA512_Init(&s->u.sha512);
    case PSA_ALG_SHA_512_224:
    case PSA_ALG_SHA_512_256: {
        bool is_224 = s->info->alg == PSA_ALG_SHA_512_224;
        if (!SHA512_Init(&s->u.sha512)) {
            return 0;
        }
        memcpy(s->u.sha512.h, is_224 ? sha512_224_iv : sha512_256_iv, sizeof(s->u.sha512.h));
        s->u.sha512.md_len = is_224 ? 28 : 32;
        return 1;
    }
    default:
        return 0;
    }
}

static hash_state_t *hs_alloc(const hs_info_t *info)
{
    hash_state_t *s = calloc(1, sizeof(*s));
    if (s != NULL) {
        s->info = info;
    }
    return s;
}

psa_status_t hash_state_new(psa_algorithm_t alg, hash_state_t **out)
{
    *out = NULL;
    const hs_info_t *info = hs_lookup(alg);
    if (info == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    hash_state_t *s = hs_alloc(info);
    if (s == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (!hs_init(s)) {
        hash_state_free(s);
        return PSA_ERROR_GENERIC_ERROR;
    }
    *out = s;
    return PSA_SUCCESS;
}

/* Largest total input in bytes whose bit count the context's counter holds: 2^61 - 1 for a
 * 64-bit counter, 2^125 - 1 for SHA-512's 128-bit one (as a 128-bit byte count hi:lo). */
#define HS_BYTES_TOP_LIMIT ((uint64_t)1 << 61)

psa_status_t hash_state_update(hash_state_t *s, const uint8_t *input, size_t input_length)
{
    if (input_length == 0) {
        return PSA_SUCCESS;
    }
    hs_raw_t raw;
    hs_get(s, &raw);
    /* Bytes so far, as a 128-bit value hi:lo. */
    uint64_t lo = raw.bits_lo >> 3 | raw.bits_hi << 61;
    uint64_t hi = raw.bits_hi >> 3;
    uint64_t add = (uint64_t)input_length;
    if (s->info->family != HS_SHA512) {
        if (add > HS_BYTES_TOP_LIMIT - 1 - lo) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
    } else if (hi + (lo + add < lo) >= HS_BYTES_TOP_LIMIT) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    int ok = 0;
    switch (s->info->family) {
    case HS_MD4:
        ok = MD4_Update(&s->u.md4, input, input_length);
        break;
    case HS_MD5:
        ok = MD5_Update(&s->u.md5, input, input_length);
        break;
    case HS_RIPEMD160:
        ok = RIPEMD160_Update(&s->u.ripemd160, input, input_length);
        break;
    case HS_SHA1:
        ok = SHA1_Update(&s->u.sha1, input, input_length);
        break;
    case HS_SHA256:
        ok = SHA256_Update(&s->u.sha256, input, input_length);
        break;
    case HS_SHA512:
        ok = SHA512_Update(&s->u.sha512, input, input_length);
        break;
    }
    return ok ? PSA_SUCCESS : PSA_ERROR_GENERIC_ERROR;
}

psa_status_t hash_state_final(hash_state_t *s, uint8_t *hash)
{
    int ok = 0;
    switch (s->info->family) {
    case HS_MD4:
        ok = MD4_Final(hash, &s->u.md4);
        break;
    case HS_MD5:
        ok = MD5_Final(hash, &s->u.md5);
        break;
    case HS_RIPEMD160:
        ok = RIPEMD160_Final(hash, &s->u.ripemd160);
        break;
    case HS_SHA1:
        ok = SHA1_Final(hash, &s->u.sha1);
        break;
    case HS_SHA256:
        /* SHA256_Final writes md_len bytes: 28 for a SHA224_Init context. */
        ok = SHA256_Final(hash, &s->u.sha256);
        break;
    case HS_SHA512:
        /* Likewise by md_len: 48, 64, or 28/32 for the truncated variants. */
        ok = SHA512_Final(hash, &s->u.sha512);
        break;
    }
    return ok ? PSA_SUCCESS : PSA_ERROR_GENERIC_ERROR;
}

psa_status_t hash_state_clone(const hash_state_t *source, hash_state_t **out)
{
    /* The contexts are plain structures without pointers: a copy is an independent clone. */
    hash_state_t *s = hs_alloc(source->info);
    if (s == NULL) {
        *out = NULL;
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    memcpy(&s->u, &source->u, sizeof(s->u));
    *out = s;
    return PSA_SUCCESS;
}

void hash_state_free(hash_state_t *s)
{
    if (s != NULL) {
        /* The chaining value and partial block derive from possibly secret input. */
        OPENSSL_cleanse(s, sizeof(*s));
        free(s);
    }
}

/* ---- suspend state -------------------------------------------------------------------------- */

psa_status_t hash_state_export(const hash_state_t *state, uint8_t *out, size_t out_size,
                               size_t *out_length)
{
    const hs_info_t *info = state->info;
    hs_raw_t raw;
    *out_length = 0;
    hs_get((hash_state_t *)state, &raw);
    uint64_t lo = raw.bits_lo >> 3 | raw.bits_hi << 61;
    uint64_t hi = raw.bits_hi >> 3;
    size_t length_field = PSA_HASH_SUSPEND_INPUT_LENGTH_FIELD_LENGTH(info->alg);
    size_t state_field = (size_t)info->words * info->word_size;
    /* The partial block is the input length modulo the block size, as the format requires. */
    if (raw.num != (lo & (raw.block_size - 1))) {
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    size_t total = PSA_HASH_SUSPEND_ALGORITHM_FIELD_LENGTH + length_field + state_field + raw.num;
    if (out_size < total) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    uint8_t *p = out;
    wire_store_u32_be(p, info->alg);
    p += PSA_HASH_SUSPEND_ALGORITHM_FIELD_LENGTH;
    if (length_field == 16) {
        wire_store_u64_be(p, hi);
        p += 8;
    }
    wire_store_u64_be(p, lo);
    p += 8;
    for (size_t i = 0; i < info->words; i++) {
        if (info->word_size == 8) {
            wire_store_u64_be(p, raw.h[i]);
        } else if (info->little_endian) {
            wire_store_u32(p, (uint32_t)raw.h[i]);
        } else {
            wire_store_u32_be(p, (uint32_t)raw.h[i]);
        }
        p += info->word_size;
    }
    memcpy(p, raw.block, raw.num);
    *out_length = total;
    return PSA_SUCCESS;
}

psa_status_t hash_state_import(const uint8_t *in, size_t in_length, hash_state_t **out)
{
    *out = NULL;
    wire_reader_t r;
    wire_reader_init(&r, in, in_length);
    psa_algorithm_t alg = 0;
    if (!wire_get_u32_be(&r, &alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    const hs_info_t *info = hs_lookup(alg);
    if (info == NULL) {
        return hash_state_known_unsupported(alg) ? PSA_ERROR_NOT_SUPPORTED
                                                 : PSA_ERROR_INVALID_ARGUMENT;
    }
    uint64_t hi = 0, lo = 0;
    if (PSA_HASH_SUSPEND_INPUT_LENGTH_FIELD_LENGTH(alg) == 16) {
        wire_get_u64_be(&r, &hi);
    }
    wire_get_u64_be(&r, &lo);
    /* The words of the state, in the algorithm's byte order. */
    uint64_t h[8] = {0}; /* as hs_raw_t's */
    for (size_t i = 0; i < info->words; i++) {
        uint32_t w = 0;
        if (info->word_size == 8) {
            wire_get_u64_be(&r, &h[i]);
        } else if (info->little_endian ? wire_get_u32(&r, &w) : wire_get_u32_be(&r, &w)) {
            h[i] = w;
        }
    }
    /* The input length must fit the algorithm's bit counter (its message length limit), and
     * exactly the unprocessed part of the last block must follow. */
    size_t block_size = PSA_HASH_BLOCK_LENGTH(alg);
    size_t unprocessed = (size_t)(lo & (block_size - 1));
    const uint8_t *block = NULL;
    if (!wire_reader_ok(&r) ||
        (PSA_HASH_SUSPEND_INPUT_LENGTH_FIELD_LENGTH(alg) == 16 ? hi : lo) >= HS_BYTES_TOP_LIMIT ||
        !wire_get_ref(&r, unprocessed, &block) || !wire_reader_done(&r)) {
        OPENSSL_cleanse(h, sizeof(h));
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    hash_state_t *s = NULL;
    psa_status_t status = hash_state_new(alg, &s);
    if (status != PSA_SUCCESS) {
        OPENSSL_cleanse(h, sizeof(h));
        return status;
    }
    hs_raw_t raw;
    hs_get(s, &raw); /* for the block pointer and size */
    memcpy(raw.h, h, sizeof(raw.h));
    raw.bits_lo = lo << 3;
    raw.bits_hi = hi << 3 | lo >> 61;
    raw.num = unprocessed;
    memcpy(raw.block, block, unprocessed);
    hs_set(s, &raw);
    OPENSSL_cleanse(&raw, sizeof(raw));
    OPENSSL_cleanse(h, sizeof(h));
    *out = s;
    return PSA_SUCCESS;
}
