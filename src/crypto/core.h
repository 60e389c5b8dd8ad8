/* Internal interface of the PSA crypto core: callers, key slots, policy, caches, and the entry
 * points. */
#ifndef CORE_H
#define CORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include <psa/crypto.h>
#include "key_storage.h"

/*
 * Naming: every function the core offers is `core_<name>` where <name> is the PSA function name
 * without its `psa_` prefix, with the same parameters, plus a leading `const core_caller_t *`
 * for every function that names a key. The dispatch layers (libpsa-local, rssd's crypto service,
 * libpsa's split mode) are the only places that export `psa_*` symbols.
 *
 * Operations: the core keeps its per-operation state behind `operation->ctx` (heap) and ignores
 * `handle` and `route`. An operation with ctx == NULL is inactive. Every *_abort frees ctx and
 * zeroes the whole object; every error from a multi-part function other than BAD_STATE /
 * INVALID_ARGUMENT-before-setup leaves the operation in the error state the specification
 * describes (the family file decides; most call abort on error).
 */

/* Who is calling: persistent keys belong to an owner, volatile keys to one owner's session. */
typedef struct core_caller {
    int32_t owner;    /* client id (TF-M style: negative for non-secure clients) */
    uint64_t session; /* process or connection group that owns volatile keys */
} core_caller_t;

typedef struct core_config {
    core_key_storage_t *storage;          /* NULL: persistent keys are not supported */
    psa_key_id_t volatile_id_min;         /* volatile ids handed out, inclusive range inside */
    psa_key_id_t volatile_id_max;         /* [PSA_KEY_ID_VENDOR_MIN, PSA_KEY_ID_VENDOR_MAX] */
    size_t max_volatile_keys_per_session; /* 0: no limit beyond memory */
    /* Largest PBKDF2 iteration count accepted (larger: NOT_SUPPORTED), so that one call cannot
     * keep a daemon's worker busy for hours; 0: CORE_DEFAULT_MAX_PBKDF2_ITERATIONS. */
    uint64_t max_pbkdf2_iterations;
} core_config_t;

#define CORE_DEFAULT_MAX_PBKDF2_ITERATIONS UINT32_MAX

/* Default volatile id range of an in-process core; rssd uses a disjoint range. */
#define CORE_LOCAL_VOLATILE_ID_MIN ((psa_key_id_t)0x7ff00000)
#define CORE_LOCAL_VOLATILE_ID_MAX ((psa_key_id_t)0x7fffffff)

/* Largest key the core accepts, in bits (covers FFDH-8192 and RSA-4096 pairs). */
#define CORE_MAX_KEY_BITS 8192u
/* Largest symmetric/raw key material accepted by import, in bytes. */
#define CORE_MAX_RAW_KEY_BYTES 8192u

/*
 * A buffer of an application's call, checked by the dispatch layers (libpsa-local, libpsa) at
 * every psa_* entry point before anything reads or writes it: NULL with a non-zero length is
 * PSA_ERROR_INVALID_ARGUMENT. The specification permits aborting instead; a library answers.
 */
#define CORE_REQUIRE_BUFFER(buffer, length)                                                        \
    do {                                                                                           \
        if ((buffer) == NULL && (length) != 0) {                                                   \
            return PSA_ERROR_INVALID_ARGUMENT;                                                     \
        }                                                                                          \
    } while (0)

/* ---- library state ---------------------------------------------------------------------- */

/* Initialises the core once per process; later calls return PSA_SUCCESS. NULL config: defaults
 * (no persistent storage, local volatile range). */
psa_status_t core_crypto_init(const core_config_t *config);
bool core_is_initialised(void);
/* The configured PBKDF2 iteration limit (see core_config_t). */
uint64_t core_max_pbkdf2_iterations(void);
/* Destroys every volatile key of (owner, session) and frees cached keys of the owner that are
 * no longer used; called by the daemon when a client process goes away. */
void core_release_session(int32_t owner, uint64_t session);
/* Frees everything; for tests and leak checking. */
void core_crypto_shutdown(void);

/* ---- key slots ---------------------------------------------------------------------------- */

#define CORE_KEY_CACHE_ENTRIES 4

typedef struct core_key_cache_entry {
    uint32_t kind; /* chosen by the family file, e.g. (alg ^ direction bit); 0 = empty */
    void *object;
    void (*free_object)(void *object);
} core_key_cache_entry_t;

typedef struct core_key {
    psa_key_attributes_t attr; /* id, type, bits, lifetime, usage (with implied flags), alg */
    int32_t owner;
    uint64_t session;  /* volatile keys only */
    uint8_t *material; /* export format of the key (raw bytes for symmetric types) */
    size_t material_length;
    void *asym;            /* EVP_PKEY * of asymmetric keys (part 2), else NULL */
    atomic_uint refs;      /* table reference + one per user */
    atomic_bool destroyed; /* destroyed (psa_destroy_key, session end): freed at last release,
                            * and the multi-part operations holding it fail */
    atomic_bool unlinked;  /* no longer in the table (destroyed, purged, or a persistent key
                            * without PSA_KEY_USAGE_CACHE after its last use) */
    pthread_mutex_t cache_lock;
    core_key_cache_entry_t cache[CORE_KEY_CACHE_ENTRIES];
} core_key_t;

/*
 * Finds a key, loading a persistent key from storage if needed, and checks its policy:
 * `usage` must all be present (after implications) and `alg` must be permitted by the key's
 * algorithm policy (0 = no algorithm check). Errors: INVALID_HANDLE (no such key for this
 * caller, or id 0), NOT_PERMITTED (policy), STORAGE_FAILURE / DATA_CORRUPT from storage.
 * On success the caller must core_key_release() the key.
 */
psa_status_t core_key_acquire(const core_caller_t *caller, psa_key_id_t id, psa_key_usage_t usage,
                              psa_algorithm_t alg, core_key_t **key);
/* Drops a reference. A persistent key without PSA_KEY_USAGE_CACHE leaves memory at its last
 * release ("key material is removed from memory as soon as it is not required"). */
void core_key_release(core_key_t *key);

/*
 * Multi-part operations keep their key acquired from setup to abort, and every later call checks
 * this first: psa_destroy_key says "If a key is currently in use in a multi-part operation, then
 * destroying the key will cause the multi-part operation to fail". The call then returns
 * PSA_ERROR_BAD_STATE (the operation is no longer in a state it can continue from; every
 * multi-part function lists BAD_STATE) and the operation enters its error state.
 */
static inline bool core_key_is_destroyed(const core_key_t *key)
{
    return atomic_load(&key->destroyed);
}

/*
 * Creates a key from material in export format, as psa_import_key does, after validating the
 * attributes (type, bits, lifetime, id) and the material for the type. Used by import, generate,
 * copy, key derivation and key agreement. `*id` receives the new key's id.
 */
psa_status_t core_key_create(const core_caller_t *caller, const psa_key_attributes_t *attributes,
                             const uint8_t *data, size_t data_length, psa_key_id_t *id);
/*
 * The attribute checks of every key creation that do not depend on the material: lifetime and id
 * (NOT_SUPPORTED for another location or no storage, INVALID_ARGUMENT for a bad id or a read-only
 * lifetime), then usage flags (INVALID_ARGUMENT outside the defined set), in the order of Mbed TLS
 * psa_validate_key_attributes. core_key_create runs them; generate and derivation run them before
 * producing any material.
 */
psa_status_t core_key_attributes_check(const psa_key_attributes_t *attributes);

/* Key cache: a family file may park one prepared object (an OpenSSL context with the key
 * schedule) per kind on a key, so repeated one-shot calls skip set-up. take() removes and
 * returns the object or NULL; give() parks it, or frees it if the slot is full, the key is
 * destroyed or purged, or the key is persistent without PSA_KEY_USAGE_CACHE. Destroying or
 * purging a key frees its parked objects at once. */
void *core_key_cache_take(core_key_t *key, uint32_t kind);
void core_key_cache_give(core_key_t *key, uint32_t kind, void *object,
                         void (*free_object)(void *object));

/* ---- policy -------------------------------------------------------------------------------- */

/* Usage flags with their implications added (SIGN_HASH implies SIGN_MESSAGE, VERIFY_HASH implies
 * VERIFY_MESSAGE, DERIVE permits VERIFY_DERIVATION is NOT implied). */
psa_key_usage_t core_usage_with_implied(psa_key_usage_t usage);
/* Whether `usage` holds only flags the specification defines (others: INVALID_ARGUMENT). */
bool core_usage_is_valid(psa_key_usage_t usage);
/* Whether `alg` (a specific algorithm) is allowed by a key whose policy algorithm is `policy`,
 * for a key of `type` (wildcards: ANY_HASH, at-least-this-length MAC and AEAD). */
bool core_alg_permits(psa_algorithm_t policy, psa_key_type_t type, psa_algorithm_t alg);
/* Intersection of two algorithm policies for psa_copy_key; false when empty. */
bool core_alg_intersect(psa_algorithm_t a, psa_algorithm_t b, psa_key_type_t type,
                        psa_algorithm_t *out);

/* ---- helpers for family files -------------------------------------------------------------- */

/* The length field of a truncated or at-least-this-length MAC algorithm (0: full length). */
#define CORE_MAC_TRUNCATED_LENGTH(alg) ((size_t)(((alg) >> 16) & 0x3fu))
/* The tag length field of an AEAD algorithm (the minimum, for an at-least-this-length policy). */
#define CORE_AEAD_TAG_LENGTH(alg) ((size_t)(((alg) >> 16) & 0x3fu))

/* AES keys of 384 and 512 bits exist only as the two-key form of XTS: for any other AES mode
 * they are not a key of that algorithm ("the key is not compatible with alg": INVALID_ARGUMENT),
 * unlike a valid combination OpenSSL lacks (NOT_SUPPORTED). */
static inline bool core_key_is_xts_only(psa_key_type_t type, size_t bits)
{
    return type == PSA_KEY_TYPE_AES && (bits == 384 || bits == 512);
}

/* Wipes and frees (OPENSSL_clear_free). */
void core_free_secret(void *p, size_t n);
/* Maps OpenSSL EVP_MD / EVP_CIPHER for PSA algorithms; fetched once per process, never freed
 * until shutdown. NULL when the algorithm is not supported. */
const struct evp_md_st *core_hash_md(psa_algorithm_t hash_alg);
const struct evp_cipher_st *core_cipher_evp(psa_key_type_t type, size_t bits, const char *mode);
/* A private OpenSSL library context with the legacy and default providers (single DES, MD4),
 * created once (cipher.c); NULL when the legacy provider cannot be loaded. */
struct ossl_lib_ctx_st *core_legacy_libctx(void);

/*
 * Streamed input (stream.c): the input of a one-shot call whose bytes are still arriving while
 * the call runs (rssd's fast path, docs/rss-comms-linux.md "Streamed calls"). While a stream is
 * set on the calling thread, the core reads any byte of [in, in + in_len) only after
 * core_stream_await has said it is there, in pieces of core_stream_chunk, and reports the output
 * it has finished in [out, out + out_len) with core_stream_wrote. Outside a stream the three
 * cost a thread-local load: chunk returns n, await true.
 * Only the one-shot hash, MAC, cipher encryption and AEAD encryption read such input; the
 * partition manager waits for the whole of it before any other call.
 */
typedef struct core_stream {
    const uint8_t *in;
    size_t in_len;
    uint8_t *out; /* NULL: no output is published early */
    size_t out_len;
    /* Blocks until the first `need` bytes of in are there; false when they never will be. */
    bool (*await)(void *ctx, size_t need);
    /* The first `end` bytes of out are final. */
    void (*wrote)(void *ctx, size_t end);
    void *ctx;
    bool failed; /* an await failed: the call must fail, whatever it returned */
} core_stream_t;

#define CORE_STREAM_CHUNK ((size_t)64 << 10)

void core_stream_begin(core_stream_t *stream);
void core_stream_end(void);
/* How much of [p, p + n) to read next: n, or up to the next chunk boundary of the stream. */
size_t core_stream_chunk(const uint8_t *p, size_t n);
/* Waits until [p, p + n) is there, when it lies in the streamed input; false when it never will
 * be (the caller fails the call). */
bool core_stream_await(const uint8_t *p, size_t n);
/* [p, p + n) of the output is final (published when it extends the final prefix of out). */
void core_stream_wrote(const uint8_t *p, size_t n);

/* ---- entry points (implemented by one file per family) ------------------------------------- */

/* key management: key_store.c */
psa_status_t core_generate_random(uint8_t *output, size_t output_size);
psa_status_t core_get_key_attributes(const core_caller_t *caller, psa_key_id_t key,
                                     psa_key_attributes_t *attributes);
psa_status_t core_import_key(const core_caller_t *caller, const psa_key_attributes_t *attributes,
                             const uint8_t *data, size_t data_length, psa_key_id_t *key);
psa_status_t core_generate_key(const core_caller_t *caller, const psa_key_attributes_t *attributes,
                               psa_key_id_t *key);
/* The policy of psa_copy_key without creating the copy: the source (acquired with COPY usage;
 * release it) and the target's attributes after the checks (type and bits from the source, usage
 * and algorithm policies intersected). libpsa's split mode uses it to create the copy in rssd. */
psa_status_t core_copy_prepare(const core_caller_t *caller, psa_key_id_t source_key,
                               const psa_key_attributes_t *attributes, core_key_t **source,
                               psa_key_attributes_t *target);
psa_status_t core_copy_key(const core_caller_t *caller, psa_key_id_t source_key,
                           const psa_key_attributes_t *attributes, psa_key_id_t *target_key);
psa_status_t core_destroy_key(const core_caller_t *caller, psa_key_id_t key);
psa_status_t core_purge_key(const core_caller_t *caller, psa_key_id_t key);
/* The caller's persistent keys with ids greater than `after`, ascending: the `max` smallest in
 * ids[0..*count) (*count < max: no more). NOT_SUPPORTED without key storage. */
psa_status_t core_list_keys(const core_caller_t *caller, psa_key_id_t after, psa_key_id_t *ids,
                            size_t max, size_t *count);
psa_status_t core_export_key(const core_caller_t *caller, psa_key_id_t key, uint8_t *data,
                             size_t data_size, size_t *data_length);
psa_status_t core_export_public_key(const core_caller_t *caller, psa_key_id_t key, uint8_t *data,
                                    size_t data_size, size_t *data_length);

/* hash.c */
psa_status_t core_hash_compute(psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                               uint8_t *hash, size_t hash_size, size_t *hash_length);
psa_status_t core_hash_compare(psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                               const uint8_t *hash, size_t hash_length);
psa_status_t core_hash_setup(psa_hash_operation_t *operation, psa_algorithm_t alg);
psa_status_t core_hash_update(psa_hash_operation_t *operation, const uint8_t *input,
                              size_t input_length);
psa_status_t core_hash_finish(psa_hash_operation_t *operation, uint8_t *hash, size_t hash_size,
                              size_t *hash_length);
psa_status_t core_hash_verify(psa_hash_operation_t *operation, const uint8_t *hash,
                              size_t hash_length);
psa_status_t core_hash_abort(psa_hash_operation_t *operation);
psa_status_t core_hash_clone(const psa_hash_operation_t *source_operation,
                             psa_hash_operation_t *target_operation);
/* Hash suspend state of PSA Crypto API 1.2 (hash_state.c): MD5, RIPEMD-160, SHA-1, SHA-2. */
psa_status_t core_hash_suspend(psa_hash_operation_t *operation, uint8_t *hash_state,
                               size_t hash_state_size, size_t *hash_state_length);
psa_status_t core_hash_resume(psa_hash_operation_t *operation, const uint8_t *hash_state,
                              size_t hash_state_length);

/* mac.c */
psa_status_t core_mac_compute(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                              const uint8_t *input, size_t input_length, uint8_t *mac,
                              size_t mac_size, size_t *mac_length);
psa_status_t core_mac_verify(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                             const uint8_t *input, size_t input_length, const uint8_t *mac,
                             size_t mac_length);
psa_status_t core_mac_sign_setup(const core_caller_t *caller, psa_mac_operation_t *operation,
                                 psa_key_id_t key, psa_algorithm_t alg);
psa_status_t core_mac_verify_setup(const core_caller_t *caller, psa_mac_operation_t *operation,
                                   psa_key_id_t key, psa_algorithm_t alg);
psa_status_t core_mac_update(psa_mac_operation_t *operation, const uint8_t *input,
                             size_t input_length);
psa_status_t core_mac_sign_finish(psa_mac_operation_t *operation, uint8_t *mac, size_t mac_size,
                                  size_t *mac_length);
psa_status_t core_mac_verify_finish(psa_mac_operation_t *operation, const uint8_t *mac,
                                    size_t mac_length);
psa_status_t core_mac_abort(psa_mac_operation_t *operation);

/* cipher.c */
psa_status_t core_cipher_encrypt(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                                 const uint8_t *input, size_t input_length, uint8_t *output,
                                 size_t output_size, size_t *output_length);
psa_status_t core_cipher_decrypt(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                                 const uint8_t *input, size_t input_length, uint8_t *output,
                                 size_t output_size, size_t *output_length);
psa_status_t core_cipher_encrypt_setup(const core_caller_t *caller,
                                       psa_cipher_operation_t *operation, psa_key_id_t key,
                                       psa_algorithm_t alg);
psa_status_t core_cipher_decrypt_setup(const core_caller_t *caller,
                                       psa_cipher_operation_t *operation, psa_key_id_t key,
                                       psa_algorithm_t alg);
psa_status_t core_cipher_generate_iv(psa_cipher_operation_t *operation, uint8_t *iv, size_t iv_size,
                                     size_t *iv_length);
psa_status_t core_cipher_set_iv(psa_cipher_operation_t *operation, const uint8_t *iv,
                                size_t iv_length);
psa_status_t core_cipher_update(psa_cipher_operation_t *operation, const uint8_t *input,
                                size_t input_length, uint8_t *output, size_t output_size,
                                size_t *output_length);
psa_status_t core_cipher_finish(psa_cipher_operation_t *operation, uint8_t *output,
                                size_t output_size, size_t *output_length);
psa_status_t core_cipher_abort(psa_cipher_operation_t *operation);

/* aead.c */
psa_status_t core_aead_encrypt(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                               const uint8_t *nonce, size_t nonce_length,
                               const uint8_t *additional_data, size_t additional_data_length,
                               const uint8_t *plaintext, size_t plaintext_length,
                               uint8_t *ciphertext, size_t ciphertext_size,
                               size_t *ciphertext_length);
psa_status_t core_aead_decrypt(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                               const uint8_t *nonce, size_t nonce_length,
                               const uint8_t *additional_data, size_t additional_data_length,
                               const uint8_t *ciphertext, size_t ciphertext_length,
                               uint8_t *plaintext, size_t plaintext_size, size_t *plaintext_length);
psa_status_t core_aead_encrypt_setup(const core_caller_t *caller, psa_aead_operation_t *operation,
                                     psa_key_id_t key, psa_algorithm_t alg);
psa_status_t core_aead_decrypt_setup(const core_caller_t *caller, psa_aead_operation_t *operation,
                                     psa_key_id_t key, psa_algorithm_t alg);
psa_status_t core_aead_generate_nonce(psa_aead_operation_t *operation, uint8_t *nonce,
                                      size_t nonce_size, size_t *nonce_length);
psa_status_t core_aead_set_nonce(psa_aead_operation_t *operation, const uint8_t *nonce,
                                 size_t nonce_length);
psa_status_t core_aead_set_lengths(psa_aead_operation_t *operation, size_t ad_length,
                                   size_t plaintext_length);
psa_status_t core_aead_update_ad(psa_aead_operation_t *operation, const uint8_t *input,
                                 size_t input_length);
psa_status_t core_aead_update(psa_aead_operation_t *operation, const uint8_t *input,
                              size_t input_length, uint8_t *output, size_t output_size,
                              size_t *output_length);
psa_status_t core_aead_finish(psa_aead_operation_t *operation, uint8_t *ciphertext,
                              size_t ciphertext_size, size_t *ciphertext_length, uint8_t *tag,
                              size_t tag_size, size_t *tag_length);
psa_status_t core_aead_verify(psa_aead_operation_t *operation, uint8_t *plaintext,
                              size_t plaintext_size, size_t *plaintext_length, const uint8_t *tag,
                              size_t tag_length);
psa_status_t core_aead_abort(psa_aead_operation_t *operation);

/* kdf.c */
psa_status_t core_key_derivation_setup(psa_key_derivation_operation_t *operation,
                                       psa_algorithm_t alg);
psa_status_t core_key_derivation_get_capacity(const psa_key_derivation_operation_t *operation,
                                              size_t *capacity);
psa_status_t core_key_derivation_set_capacity(psa_key_derivation_operation_t *operation,
                                              size_t capacity);
psa_status_t core_key_derivation_input_bytes(psa_key_derivation_operation_t *operation,
                                             psa_key_derivation_step_t step, const uint8_t *data,
                                             size_t data_length);
psa_status_t core_key_derivation_input_integer(psa_key_derivation_operation_t *operation,
                                               psa_key_derivation_step_t step, uint64_t value);
psa_status_t core_key_derivation_input_key(const core_caller_t *caller,
                                           psa_key_derivation_operation_t *operation,
                                           psa_key_derivation_step_t step, psa_key_id_t key);
psa_status_t core_key_derivation_output_bytes(psa_key_derivation_operation_t *operation,
                                              uint8_t *output, size_t output_length);
psa_status_t core_key_derivation_output_key(const core_caller_t *caller,
                                            const psa_key_attributes_t *attributes,
                                            psa_key_derivation_operation_t *operation,
                                            psa_key_id_t *key);
psa_status_t core_key_derivation_verify_bytes(psa_key_derivation_operation_t *operation,
                                              const uint8_t *expected_output, size_t output_length);
psa_status_t core_key_derivation_verify_key(const core_caller_t *caller,
                                            psa_key_derivation_operation_t *operation,
                                            psa_key_id_t expected);
psa_status_t core_key_derivation_abort(psa_key_derivation_operation_t *operation);
/* Part 2 (asymmetric) adds key agreement; until then kdf.c answers NOT_SUPPORTED for it. */
psa_status_t core_key_derivation_key_agreement(const core_caller_t *caller,
                                               psa_key_derivation_operation_t *operation,
                                               psa_key_derivation_step_t step,
                                               psa_key_id_t private_key, const uint8_t *peer_key,
                                               size_t peer_key_length);

/* asymmetric.c (part 2): sign/verify, asymmetric encryption, raw and standalone key agreement. */
psa_status_t core_sign_message(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                               const uint8_t *input, size_t input_length, uint8_t *signature,
                               size_t signature_size, size_t *signature_length);
psa_status_t core_verify_message(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                                 const uint8_t *input, size_t input_length,
                                 const uint8_t *signature, size_t signature_length);
psa_status_t core_sign_hash(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                            const uint8_t *hash, size_t hash_length, uint8_t *signature,
                            size_t signature_size, size_t *signature_length);
psa_status_t core_verify_hash(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                              const uint8_t *hash, size_t hash_length, const uint8_t *signature,
                              size_t signature_length);
psa_status_t core_asymmetric_encrypt(const core_caller_t *caller, psa_key_id_t key,
                                     psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                                     const uint8_t *salt, size_t salt_length, uint8_t *output,
                                     size_t output_size, size_t *output_length);
psa_status_t core_asymmetric_decrypt(const core_caller_t *caller, psa_key_id_t key,
                                     psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                                     const uint8_t *salt, size_t salt_length, uint8_t *output,
                                     size_t output_size, size_t *output_length);
psa_status_t core_raw_key_agreement(const core_caller_t *caller, psa_algorithm_t alg,
                                    psa_key_id_t private_key, const uint8_t *peer_key,
                                    size_t peer_key_length, uint8_t *output, size_t output_size,
                                    size_t *output_length);
psa_status_t core_key_agreement(const core_caller_t *caller, psa_key_id_t private_key,
                                const uint8_t *peer_key, size_t peer_key_length,
                                psa_algorithm_t alg, const psa_key_attributes_t *attributes,
                                psa_key_id_t *key);

/* pake.c (+ jpake.c, spake2p.c): EC J-PAKE on SECP R1 curves, SPAKE2+ on P-256. */
psa_status_t core_pake_setup(const core_caller_t *caller, psa_pake_operation_t *operation,
                             psa_key_id_t password_key,
                             const psa_pake_cipher_suite_t *cipher_suite);
psa_status_t core_pake_set_role(psa_pake_operation_t *operation, psa_pake_role_t role);
psa_status_t core_pake_set_user(psa_pake_operation_t *operation, const uint8_t *user_id,
                                size_t user_id_len);
psa_status_t core_pake_set_peer(psa_pake_operation_t *operation, const uint8_t *peer_id,
                                size_t peer_id_len);
psa_status_t core_pake_set_context(psa_pake_operation_t *operation, const uint8_t *context,
                                   size_t context_len);
psa_status_t core_pake_output(psa_pake_operation_t *operation, psa_pake_step_t step,
                              uint8_t *output, size_t output_size, size_t *output_length);
psa_status_t core_pake_input(psa_pake_operation_t *operation, psa_pake_step_t step,
                             const uint8_t *input, size_t input_length);
psa_status_t core_pake_get_shared_key(const core_caller_t *caller, psa_pake_operation_t *operation,
                                      const psa_key_attributes_t *attributes, psa_key_id_t *key);
psa_status_t core_pake_abort(psa_pake_operation_t *operation);
/* For libpsa's split mode, whose in-process operation may have to create the shared key in rssd:
 * the checks of get_shared_key (state, attributes' type and bits) and the secret itself, without
 * creating a key. The operation stays active on success (the caller aborts it once the key
 * exists); errors put it in its error state as get_shared_key does. */
psa_status_t core_pake_get_shared_secret(psa_pake_operation_t *operation,
                                         const psa_key_attributes_t *attributes, uint8_t *output,
                                         size_t output_size, size_t *output_length);
/* Largest secret core_pake_get_shared_secret writes. */
#define CORE_PAKE_SECRET_MAX_SIZE 133u

#endif /* CORE_H */
