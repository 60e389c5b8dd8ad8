/* PSA hash family on OpenSSL EVP_MD (and AES-MMO on AES): algorithm table, one-shot, multi-part. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "aes_mmo.h"
#include "core.h"
#include "hash_state.h"

/* Largest digest any supported algorithm produces (SHA-512, SHA3-512, SHAKE256-512). */
#define HASH_MAX_LENGTH 64u

typedef enum hash_source {
    HASH_DEFAULT, /* EVP_MD from the default library context */
    HASH_LEGACY,  /* EVP_MD from the private legacy-provider context (core_legacy_libctx) */
    HASH_MMO,     /* AES-MMO: no EVP_MD, aes_mmo.c */
} hash_source_t;

typedef struct hash_info {
    psa_algorithm_t alg;
    const char *name; /* OpenSSL fetch name */
    size_t length;    /* output length in bytes */
    bool xof;         /* finished with EVP_DigestFinalXOF */
    hash_source_t source;
} hash_info_t;

/* MD2 is absent: Debian's OpenSSL is built without it and no other Debian library has it. */
static const hash_info_t hash_table[] = {
    {PSA_ALG_MD4, "MD4", 16, false, HASH_LEGACY},
    {PSA_ALG_AES_MMO_ZIGBEE, "AES-MMO", AES_MMO_LENGTH, false, HASH_MMO},
    {PSA_ALG_MD5, "MD5", 16, false, HASH_DEFAULT},
    {PSA_ALG_RIPEMD160, "RIPEMD160", 20, false, HASH_DEFAULT},
    {PSA_ALG_SHA_1, "SHA1", 20, false, HASH_DEFAULT},
    {PSA_ALG_SHA_224, "SHA2-224", 28, false, HASH_DEFAULT},
    {PSA_ALG_SHA_256, "SHA2-256", 32, false, HASH_DEFAULT},
    {PSA_ALG_SHA_384, "SHA2-384", 48, false, HASH_DEFAULT},
    {PSA_ALG_SHA_512, "SHA2-512", 64, false, HASH_DEFAULT},
    {PSA_ALG_SHA_512_224, "SHA2-512/224", 28, false, HASH_DEFAULT},
    {PSA_ALG_SHA_512_256, "SHA2-512/256", 32, false, HASH_DEFAULT},
    {PSA_ALG_SHA3_224, "SHA3-224", 28, false, HASH_DEFAULT},
    {PSA_ALG_SHA3_256, "SHA3-256", 32, false, HASH_DEFAULT},
    {PSA_ALG_SHA3_384, "SHA3-384", 48, false, HASH_DEFAULT},
    {PSA_ALG_SHA3_512, "SHA3-512", 64, false, HASH_DEFAULT},
    {PSA_ALG_SM3, "SM3", 32, false, HASH_DEFAULT},
    {PSA_ALG_SHAKE256_512, "SHAKE256", 64, true, HASH_DEFAULT},
};

#define HASH_COUNT (sizeof(hash_table) / sizeof(hash_table[0]))

/* Fetched once; read-only afterwards, so lookups need no lock. */
static EVP_MD *hash_md[HASH_COUNT];
static pthread_once_t hash_fetch_once = PTHREAD_ONCE_INIT;

static void hash_fetch_all(void)
{
    for (size_t i = 0; i < HASH_COUNT; i++) {
        if (hash_table[i].source == HASH_MMO) {
            continue;
        }
        if (hash_table[i].source == HASH_LEGACY) {
            OSSL_LIB_CTX *legacy = core_legacy_libctx();
            hash_md[i] = legacy != NULL ? EVP_MD_fetch(legacy, hash_table[i].name, NULL) : NULL;
            continue;
        }
        hash_md[i] = EVP_MD_fetch(NULL, hash_table[i].name, NULL);
        if (hash_md[i] == NULL && hash_table[i].alg == PSA_ALG_RIPEMD160) {
            /* OpenSSL 3.0 before 3.0.7 keeps RIPEMD-160 in the legacy provider only; loading it
             * with fallbacks retained keeps the default provider in place. */
            if (OSSL_PROVIDER_try_load(NULL, "legacy", 1) != NULL) {
                hash_md[i] = EVP_MD_fetch(NULL, hash_table[i].name, NULL);
            }
        }
    }
}

static const hash_info_t *hash_lookup(psa_algorithm_t alg, const EVP_MD **md)
{
    /* Hash algorithm values differ only in their low byte; index by it so one-shot calls on
     * short messages do not pay for a search. */
    static const uint8_t slot_by_low_byte[0x16] = {
        [PSA_ALG_MD4 & 0xff] = 1,           [PSA_ALG_AES_MMO_ZIGBEE & 0xff] = 2,
        [PSA_ALG_MD5 & 0xff] = 3,           [PSA_ALG_RIPEMD160 & 0xff] = 4,
        [PSA_ALG_SHA_1 & 0xff] = 5,         [PSA_ALG_SHA_224 & 0xff] = 6,
        [PSA_ALG_SHA_256 & 0xff] = 7,       [PSA_ALG_SHA_384 & 0xff] = 8,
        [PSA_ALG_SHA_512 & 0xff] = 9,       [PSA_ALG_SHA_512_224 & 0xff] = 10,
        [PSA_ALG_SHA_512_256 & 0xff] = 11,  [PSA_ALG_SHA3_224 & 0xff] = 12,
        [PSA_ALG_SHA3_256 & 0xff] = 13,     [PSA_ALG_SHA3_384 & 0xff] = 14,
        [PSA_ALG_SHA3_512 & 0xff] = 15,     [PSA_ALG_SM3 & 0xff] = 16,
        [PSA_ALG_SHAKE256_512 & 0xff] = 17,
    };
    if ((alg & ~(psa_algorithm_t)0xff) != (PSA_ALG_SHA_256 & ~(psa_algorithm_t)0xff) ||
        (alg & 0xff) >= sizeof(slot_by_low_byte) || slot_by_low_byte[alg & 0xff] == 0) {
        return NULL;
    }
    size_t i = slot_by_low_byte[alg & 0xff] - 1u;
    pthread_once(&hash_fetch_once, hash_fetch_all);
    if ((hash_md[i] == NULL && hash_table[i].source != HASH_MMO) || hash_table[i].alg != alg) {
        return NULL;
    }
    *md = hash_md[i];
    return &hash_table[i];
}

/* NULL for AES-MMO too, which has no EVP_MD: HMAC and the hash-based KDFs and signatures do not
 * take it. MD4 is in the legacy context, so EVP users of the default context cannot take it. */
const struct evp_md_st *core_hash_md(psa_algorithm_t hash_alg)
{
    const EVP_MD *md = NULL;
    const hash_info_t *info = hash_lookup(hash_alg, &md);
    return info != NULL && info->source == HASH_DEFAULT ? md : NULL;
}

/* A hash algorithm value that is not a specific hash (another category, or the ANY_HASH
 * wildcard) is an invalid argument; a specific hash we lack is not supported. */
static psa_status_t hash_resolve(psa_algorithm_t alg, const hash_info_t **info, const EVP_MD **md)
{
    if (!PSA_ALG_IS_HASH(alg) || alg == PSA_ALG_ANY_HASH) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    *info = hash_lookup(alg, md);
    return *info != NULL ? PSA_SUCCESS : PSA_ERROR_NOT_SUPPORTED;
}

/* ---- one-shot ------------------------------------------------------------------------------ */

/* One EVP_MD_CTX per thread serves every one-shot call, so hashing a short message costs no
 * allocation; the pthread key frees it when the thread exits. */
static pthread_key_t hash_tls_key;
static pthread_once_t hash_tls_once = PTHREAD_ONCE_INIT;
static __thread EVP_MD_CTX *hash_tls_ctx;

static void hash_tls_free(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void hash_tls_init(void)
{
    (void)pthread_key_create(&hash_tls_key, hash_tls_free);
}

static EVP_MD_CTX *hash_thread_ctx(void)
{
    if (hash_tls_ctx == NULL) {
        pthread_once(&hash_tls_once, hash_tls_init);
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (ctx == NULL) {
            return NULL;
        }
        if (pthread_setspecific(hash_tls_key, ctx) != 0) {
            EVP_MD_CTX_free(ctx);
            return NULL;
        }
        hash_tls_ctx = ctx;
    }
    return hash_tls_ctx;
}

static psa_status_t hash_final(EVP_MD_CTX *ctx, const hash_info_t *info, uint8_t *out)
{
    int ok;
    if (info->xof) {
        ok = EVP_DigestFinalXOF(ctx, out, info->length);
    } else {
        unsigned int n = 0;
        ok = EVP_DigestFinal_ex(ctx, out, &n) && n == info->length;
    }
    return ok ? PSA_SUCCESS : PSA_ERROR_GENERIC_ERROR;
}

/* Hashes input into out (info->length bytes). */
static psa_status_t hash_oneshot(const hash_info_t *info, const EVP_MD *md, const uint8_t *input,
                                 size_t input_length, uint8_t *out)
{
    if (info->source == HASH_MMO) {
        aes_mmo_t *mmo = NULL;
        psa_status_t status = core_stream_await(input, input_length)
                                  ? aes_mmo_new(&mmo)
                                  : PSA_ERROR_COMMUNICATION_FAILURE;
        if (status == PSA_SUCCESS) {
            status = aes_mmo_update(mmo, input, input_length);
        }
        if (status == PSA_SUCCESS) {
            status = aes_mmo_final(mmo, out);
        }
        aes_mmo_free(mmo);
        return status;
    }
    EVP_MD_CTX *ctx = hash_thread_ctx();
    if (ctx == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (!EVP_DigestInit_ex2(ctx, md, NULL)) {
        return PSA_ERROR_GENERIC_ERROR;
    }
    /* Streamed input is hashed as it arrives. */
    for (size_t done = 0, n; done < input_length; done += n) {
        n = core_stream_chunk(input + done, input_length - done);
        if (!core_stream_await(input + done, n)) {
            return PSA_ERROR_COMMUNICATION_FAILURE;
        }
        if (!EVP_DigestUpdate(ctx, input + done, n)) {
            return PSA_ERROR_GENERIC_ERROR;
        }
    }
    return hash_final(ctx, info, out);
}

psa_status_t core_hash_compute(psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                               uint8_t *hash, size_t hash_size, size_t *hash_length)
{
    const hash_info_t *info = NULL;
    const EVP_MD *md = NULL;
    *hash_length = 0;
    psa_status_t status = hash_resolve(alg, &info, &md);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (hash_size < info->length) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    status = hash_oneshot(info, md, input, input_length, hash);
    if (status == PSA_SUCCESS) {
        *hash_length = info->length;
    }
    return status;
}

psa_status_t core_hash_compare(psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                               const uint8_t *hash, size_t hash_length)
{
    const hash_info_t *info = NULL;
    const EVP_MD *md = NULL;
    uint8_t actual[HASH_MAX_LENGTH];
    psa_status_t status = hash_resolve(alg, &info, &md);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = hash_oneshot(info, md, input, input_length, actual);
    if (status != PSA_SUCCESS) {
        return status;
    }
    /* The length is public; only the content comparison must not leak timing. */
    if (hash_length != info->length || CRYPTO_memcmp(actual, hash, info->length) != 0) {
        return PSA_ERROR_INVALID_SIGNATURE;
    }
    return PSA_SUCCESS;
}

/* ---- multi-part ---------------------------------------------------------------------------- */

/* Algorithms with a PSA suspend state run on hash_state.c's low-level contexts, so that suspend can
 * read their state; AES-MMO on aes_mmo.c; the others (SHA3, SM3, SHAKE) on EVP. Exactly one of
 * the three is set. */
typedef struct hash_op {
    const hash_info_t *info;
    EVP_MD_CTX *md_ctx;
    hash_state_t *state;
    aes_mmo_t *mmo;
    bool failed; /* error state: only abort is accepted */
} hash_op_t;

static void hash_op_free(hash_op_t *op)
{
    if (op != NULL) {
        EVP_MD_CTX_free(op->md_ctx);
        hash_state_free(op->state);
        aes_mmo_free(op->mmo);
        free(op);
    }
}

/* The operation is usable: set up, and not in the error state. */
static hash_op_t *hash_op_active(const psa_hash_operation_t *operation)
{
    hash_op_t *op = operation->ctx;
    return op != NULL && !op->failed ? op : NULL;
}

static psa_status_t hash_op_final(hash_op_t *op, uint8_t *out)
{
    if (op->state != NULL) {
        return hash_state_final(op->state, out);
    }
    return op->mmo != NULL ? aes_mmo_final(op->mmo, out) : hash_final(op->md_ctx, op->info, out);
}

psa_status_t core_hash_abort(psa_hash_operation_t *operation)
{
    hash_op_free(operation->ctx);
    memset(operation, 0, sizeof(*operation));
    return PSA_SUCCESS;
}

psa_status_t core_hash_setup(psa_hash_operation_t *operation, psa_algorithm_t alg)
{
    const hash_info_t *info = NULL;
    const EVP_MD *md = NULL;
    if (operation->ctx != NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    psa_status_t status = hash_resolve(alg, &info, &md);
    if (status != PSA_SUCCESS) {
        return status;
    }
    hash_op_t *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    op->info = info;
    if (hash_state_supported(alg)) {
        status = hash_state_new(alg, &op->state);
    } else if (info->source == HASH_MMO) {
        status = aes_mmo_new(&op->mmo);
    } else if ((op->md_ctx = EVP_MD_CTX_new()) == NULL) {
        status = PSA_ERROR_INSUFFICIENT_MEMORY;
    } else if (!EVP_DigestInit_ex2(op->md_ctx, md, NULL)) {
        status = PSA_ERROR_GENERIC_ERROR;
    }
    if (status != PSA_SUCCESS) {
        hash_op_free(op);
        return status;
    }
    operation->ctx = op;
    return PSA_SUCCESS;
}

psa_status_t core_hash_update(psa_hash_operation_t *operation, const uint8_t *input,
                              size_t input_length)
{
    hash_op_t *op = hash_op_active(operation);
    if (op == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    psa_status_t status = PSA_SUCCESS;
    if (op->state != NULL) {
        status = hash_state_update(op->state, input, input_length);
    } else if (op->mmo != NULL) {
        status = aes_mmo_update(op->mmo, input, input_length);
    } else if (input_length != 0 && !EVP_DigestUpdate(op->md_ctx, input, input_length)) {
        status = PSA_ERROR_GENERIC_ERROR;
    }
    if (status != PSA_SUCCESS) {
        op->failed = true;
    }
    return status;
}

psa_status_t core_hash_finish(psa_hash_operation_t *operation, uint8_t *hash, size_t hash_size,
                              size_t *hash_length)
{
    hash_op_t *op = hash_op_active(operation);
    *hash_length = 0;
    if (op == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (hash_size < op->info->length) {
        op->failed = true;
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    psa_status_t status = hash_op_final(op, hash);
    if (status != PSA_SUCCESS) {
        op->failed = true;
        return status;
    }
    *hash_length = op->info->length;
    return core_hash_abort(operation);
}

psa_status_t core_hash_verify(psa_hash_operation_t *operation, const uint8_t *hash,
                              size_t hash_length)
{
    uint8_t actual[HASH_MAX_LENGTH];
    hash_op_t *op = hash_op_active(operation);
    if (op == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    psa_status_t status = hash_op_final(op, actual);
    if (status == PSA_SUCCESS &&
        (hash_length != op->info->length || CRYPTO_memcmp(actual, hash, op->info->length) != 0)) {
        status = PSA_ERROR_INVALID_SIGNATURE;
    }
    if (status != PSA_SUCCESS) {
        op->failed = true;
        return status;
    }
    return core_hash_abort(operation);
}

psa_status_t core_hash_clone(const psa_hash_operation_t *source_operation,
                             psa_hash_operation_t *target_operation)
{
    const hash_op_t *src = hash_op_active(source_operation);
    if (src == NULL || target_operation->ctx != NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    hash_op_t *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    op->info = src->info;
    psa_status_t status = PSA_SUCCESS;
    if (src->state != NULL) {
        status = hash_state_clone(src->state, &op->state);
    } else if (src->mmo != NULL) {
        status = aes_mmo_clone(src->mmo, &op->mmo);
    } else if ((op->md_ctx = EVP_MD_CTX_new()) == NULL) {
        status = PSA_ERROR_INSUFFICIENT_MEMORY;
    } else if (!EVP_MD_CTX_copy_ex(op->md_ctx, src->md_ctx)) {
        status = PSA_ERROR_GENERIC_ERROR;
    }
    if (status != PSA_SUCCESS) {
        hash_op_free(op);
        return status;
    }
    target_operation->ctx = op;
    return PSA_SUCCESS;
}

psa_status_t core_hash_suspend(psa_hash_operation_t *operation, uint8_t *hash_state,
                               size_t hash_state_size, size_t *hash_state_length)
{
    hash_op_t *op = hash_op_active(operation);
    *hash_state_length = 0;
    if (op == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    /* The specification defines no suspend state for SHA3, SM3, SHAKE or AES-MMO. */
    psa_status_t status = op->state != NULL ? hash_state_export(op->state, hash_state,
                                                                hash_state_size, hash_state_length)
                                            : PSA_ERROR_NOT_SUPPORTED;
    if (status != PSA_SUCCESS) {
        op->failed = true;
        return status;
    }
    /* A successful suspend ends the operation. */
    return core_hash_abort(operation);
}

psa_status_t core_hash_resume(psa_hash_operation_t *operation, const uint8_t *hash_state,
                              size_t hash_state_length)
{
    if (operation->ctx != NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    hash_state_t *state = NULL;
    psa_status_t status = hash_state_import(hash_state, hash_state_length, &state);
    if (status != PSA_SUCCESS) {
        return status;
    }
    const hash_info_t *info = NULL;
    const EVP_MD *md = NULL;
    /* Support is judged as for setup, so that one-shot and multi-part agree on what exists. */
    status = hash_resolve(hash_state_alg(state), &info, &md);
    hash_op_t *op = status == PSA_SUCCESS ? calloc(1, sizeof(*op)) : NULL;
    if (op == NULL) {
        hash_state_free(state);
        return status != PSA_SUCCESS ? status : PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    op->info = info;
    op->state = state;
    operation->ctx = op;
    return PSA_SUCCESS;
}
