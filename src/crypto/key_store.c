/* The key store: volatile and persistent key slots, attribute validation, and key management calls.
 */
#include "core.h"
#include "key_record.h"
#include "key_types.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

/*
 * Lock order: store.lock, then a key's cache_lock. Neither is held while calling OpenSSL for a
 * long computation; storage I/O happens under store.lock so that a persistent key is loaded,
 * created or removed by one thread at a time.
 */
#define STORE_BUCKETS 256u

typedef struct store_entry {
    core_key_t *key;
    struct store_entry *next;
} store_entry_t;

static struct {
    pthread_mutex_t lock;
    atomic_bool initialised;
    core_config_t config;
    store_entry_t *buckets[STORE_BUCKETS];
    psa_key_id_t next_volatile_id;
} store = {.lock = PTHREAD_MUTEX_INITIALIZER};

void core_free_secret(void *p, size_t n)
{
    if (p != NULL) {
        OPENSSL_clear_free(p, n);
    }
}

static unsigned store_bucket(int32_t owner, psa_key_id_t id)
{
    uint32_t h = (uint32_t)id * 2654435761u ^ (uint32_t)owner * 40503u;
    return (h >> 8) % STORE_BUCKETS;
}

bool core_is_initialised(void)
{
    return atomic_load(&store.initialised);
}

uint64_t core_max_pbkdf2_iterations(void)
{
    return store.config.max_pbkdf2_iterations;
}

psa_status_t core_crypto_init(const core_config_t *config)
{
    pthread_mutex_lock(&store.lock);
    if (!atomic_load(&store.initialised)) {
        memset(&store.config, 0, sizeof(store.config));
        if (config != NULL) {
            store.config = *config;
        }
        if (store.config.volatile_id_min == 0) {
            store.config.volatile_id_min = CORE_LOCAL_VOLATILE_ID_MIN;
            store.config.volatile_id_max = CORE_LOCAL_VOLATILE_ID_MAX;
        }
        if (store.config.max_pbkdf2_iterations == 0 ||
            store.config.max_pbkdf2_iterations > CORE_DEFAULT_MAX_PBKDF2_ITERATIONS) {
            store.config.max_pbkdf2_iterations = CORE_DEFAULT_MAX_PBKDF2_ITERATIONS;
        }
        store.next_volatile_id = store.config.volatile_id_min;
        atomic_store(&store.initialised, true);
    }
    pthread_mutex_unlock(&store.lock);
    /* Seeding problems surface here rather than at the first key generation. */
    if (RAND_status() != 1) {
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    }
    return PSA_SUCCESS;
}

psa_status_t core_generate_random(uint8_t *output, size_t output_size)
{
    while (output_size > 0) {
        int chunk = output_size > (1u << 30) ? (1 << 30) : (int)output_size;
        if (RAND_bytes(output, chunk) != 1) {
            return PSA_ERROR_INSUFFICIENT_ENTROPY;
        }
        output += chunk;
        output_size -= (size_t)chunk;
    }
    return PSA_SUCCESS;
}

/* ---- slot life cycle ------------------------------------------------------------------------ */

static void key_free(core_key_t *key)
{
    for (unsigned i = 0; i < CORE_KEY_CACHE_ENTRIES; i++) {
        if (key->cache[i].object != NULL) {
            key->cache[i].free_object(key->cache[i].object);
        }
    }
    pthread_mutex_destroy(&key->cache_lock);
    core_free_secret(key->material, key->material_length);
    core_key_types_free_asym(key);
    OPENSSL_cleanse(key, sizeof(*key));
    free(key);
}

/* Drops a reference without the CACHE rule (the table's own reference, or under store.lock). */
static void key_unref(core_key_t *key)
{
    if (key != NULL && atomic_fetch_sub(&key->refs, 1) == 1) {
        key_free(key);
    }
}

/* Whether the key must leave memory once no operation uses it (PSA_KEY_USAGE_CACHE absent). */
static bool key_is_transient(const core_key_t *key)
{
    return !PSA_KEY_LIFETIME_IS_VOLATILE(key->attr.lifetime) &&
           (key->attr.usage & PSA_KEY_USAGE_CACHE) == 0;
}

static void store_unlink_key(core_key_t *key, bool destroyed);

void core_key_release(core_key_t *key)
{
    if (key == NULL) {
        return;
    }
    if (!key_is_transient(key)) {
        key_unref(key);
        return;
    }
    /* Acquire adds references under store.lock, so with the lock held "only the table's
     * reference is left" cannot change under us: then the key leaves the table (and memory). */
    pthread_mutex_lock(&store.lock);
    unsigned previous = atomic_fetch_sub(&key->refs, 1);
    if (previous == 2 && !atomic_load(&key->unlinked)) {
        store_unlink_key(key, false);
    } else if (previous == 1) {
        key_free(key);
    }
    pthread_mutex_unlock(&store.lock);
}

static core_key_t *key_new(const psa_key_attributes_t *attr, int32_t owner, uint64_t session,
                           const uint8_t *material, size_t length)
{
    core_key_t *key = calloc(1, sizeof(*key));
    if (key == NULL) {
        return NULL;
    }
    key->material = OPENSSL_malloc(length ? length : 1);
    if (key->material == NULL) {
        free(key);
        return NULL;
    }
    memcpy(key->material, material, length);
    key->material_length = length;
    key->attr = *attr;
    key->attr.usage = core_usage_with_implied(attr->usage);
    key->owner = owner;
    key->session = PSA_KEY_LIFETIME_IS_VOLATILE(attr->lifetime) ? session : 0;
    atomic_init(&key->refs, 1);
    atomic_init(&key->destroyed, false);
    atomic_init(&key->unlinked, false);
    pthread_mutex_init(&key->cache_lock, NULL);
    return key;
}

/* Caller holds store.lock. A volatile key is visible only to its own session. */
static store_entry_t **store_find(const core_caller_t *caller, psa_key_id_t id)
{
    store_entry_t **link = &store.buckets[store_bucket(caller->owner, id)];
    for (; *link != NULL; link = &(*link)->next) {
        const core_key_t *k = (*link)->key;
        if (k->attr.id != id || k->owner != caller->owner) {
            continue;
        }
        if (PSA_KEY_LIFETIME_IS_VOLATILE(k->attr.lifetime) && k->session != caller->session) {
            continue;
        }
        return link;
    }
    return NULL;
}

/* Caller holds store.lock; the table takes the key's initial reference. */
static psa_status_t store_insert(core_key_t *key)
{
    store_entry_t *e = malloc(sizeof(*e));
    if (e == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    unsigned b = store_bucket(key->owner, key->attr.id);
    e->key = key;
    e->next = store.buckets[b];
    store.buckets[b] = e;
    return PSA_SUCCESS;
}

/* Frees the objects parked on a key, now. */
static void key_cache_clear(core_key_t *key)
{
    core_key_cache_entry_t cache[CORE_KEY_CACHE_ENTRIES];
    pthread_mutex_lock(&key->cache_lock);
    memcpy(cache, key->cache, sizeof(cache));
    memset(key->cache, 0, sizeof(key->cache));
    pthread_mutex_unlock(&key->cache_lock);
    for (unsigned i = 0; i < CORE_KEY_CACHE_ENTRIES; i++) {
        if (cache[i].object != NULL) {
            cache[i].free_object(cache[i].object);
        }
    }
}

/* Caller holds store.lock. Drops the table's reference; `destroyed` marks the key destroyed
 * (operations holding it fail) rather than only purged from memory. Parked contexts go at once,
 * even while operations still hold the key. */
static void store_unlink(store_entry_t **link, bool destroyed)
{
    store_entry_t *e = *link;
    core_key_t *key = e->key;
    *link = e->next;
    free(e);
    if (destroyed) {
        atomic_store(&key->destroyed, true);
    }
    atomic_store(&key->unlinked, true);
    key_cache_clear(key);
    key_unref(key);
}

/* Caller holds store.lock. Unlinks `key` itself from the table. */
static void store_unlink_key(core_key_t *key, bool destroyed)
{
    store_entry_t **link = &store.buckets[store_bucket(key->owner, key->attr.id)];
    for (; *link != NULL; link = &(*link)->next) {
        if ((*link)->key == key) {
            store_unlink(link, destroyed);
            return;
        }
    }
}

static bool id_is_volatile(psa_key_id_t id)
{
    return id >= store.config.volatile_id_min && id <= store.config.volatile_id_max;
}

/* Caller holds store.lock. Loads a persistent key record into the table. */
static psa_status_t store_load_persistent(const core_caller_t *caller, psa_key_id_t id,
                                          core_key_t **out)
{
    core_key_storage_t *storage = store.config.storage;
    if (storage == NULL || id < PSA_KEY_ID_USER_MIN || id > PSA_KEY_ID_USER_MAX) {
        return PSA_ERROR_INVALID_HANDLE;
    }
    size_t length = 0;
    psa_status_t status = storage->load(storage->ctx, caller->owner, id, NULL, 0, &length);
    if (status == PSA_ERROR_DOES_NOT_EXIST) {
        return PSA_ERROR_INVALID_HANDLE;
    }
    if (status != PSA_SUCCESS && status != PSA_ERROR_BUFFER_TOO_SMALL) {
        return status;
    }
    if (length > KEY_RECORD_MAX_SIZE) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    uint8_t *buffer = OPENSSL_malloc(length ? length : 1);
    if (buffer == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    status = storage->load(storage->ctx, caller->owner, id, buffer, length, &length);
    psa_key_attributes_t attr;
    const uint8_t *material = NULL;
    size_t material_length = 0;
    if (status == PSA_SUCCESS) {
        status = key_record_decode_for(id, buffer, length, &attr, &material, &material_length);
    }
    core_key_t *key = NULL;
    if (status == PSA_SUCCESS) {
        key = key_new(&attr, caller->owner, 0, material, material_length);
        status = key ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (status == PSA_SUCCESS) {
        status = core_key_types_load_asym(key);
        if (status != PSA_SUCCESS) {
            status = PSA_ERROR_DATA_CORRUPT;
        }
    }
    if (status == PSA_SUCCESS) {
        status = store_insert(key);
    }
    if (status != PSA_SUCCESS && key != NULL) {
        key_unref(key);
        key = NULL;
    }
    core_free_secret(buffer, length);
    *out = key;
    return status;
}

psa_status_t core_key_acquire(const core_caller_t *caller, psa_key_id_t id, psa_key_usage_t usage,
                              psa_algorithm_t alg, core_key_t **out)
{
    *out = NULL;
    if (!core_is_initialised()) {
        return PSA_ERROR_BAD_STATE;
    }
    if (id == PSA_KEY_ID_NULL) {
        return PSA_ERROR_INVALID_HANDLE;
    }
    pthread_mutex_lock(&store.lock);
    core_key_t *key = NULL;
    psa_status_t status = PSA_SUCCESS;
    store_entry_t **link = store_find(caller, id);
    if (link != NULL) {
        key = (*link)->key;
    } else if (id_is_volatile(id)) {
        status = PSA_ERROR_INVALID_HANDLE;
    } else {
        status = store_load_persistent(caller, id, &key);
    }
    if (status == PSA_SUCCESS) {
        atomic_fetch_add(&key->refs, 1);
    }
    pthread_mutex_unlock(&store.lock);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if ((key->attr.usage & usage) != usage ||
        (alg != 0 && !core_alg_permits(key->attr.alg, key->attr.type, alg))) {
        core_key_release(key);
        return PSA_ERROR_NOT_PERMITTED;
    }
    *out = key;
    return PSA_SUCCESS;
}

/* ---- key cache ------------------------------------------------------------------------------ */

void *core_key_cache_take(core_key_t *key, uint32_t kind)
{
    void *object = NULL;
    if (atomic_load(&key->unlinked) || core_key_is_destroyed(key)) {
        return NULL;
    }
    pthread_mutex_lock(&key->cache_lock);
    for (unsigned i = 0; i < CORE_KEY_CACHE_ENTRIES; i++) {
        if (key->cache[i].object != NULL && key->cache[i].kind == kind) {
            object = key->cache[i].object;
            key->cache[i].object = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&key->cache_lock);
    return object;
}

void core_key_cache_give(core_key_t *key, uint32_t kind, void *object,
                         void (*free_object)(void *object))
{
    pthread_mutex_lock(&key->cache_lock);
    /* Checked under cache_lock: key_cache_clear() empties the cache under it after the flags are
     * set, so an object given concurrently with a destroy is either cleared there or freed here. */
    bool keep =
        !atomic_load(&key->unlinked) && !core_key_is_destroyed(key) && !key_is_transient(key);
    for (unsigned i = 0; keep && i < CORE_KEY_CACHE_ENTRIES; i++) {
        if (key->cache[i].object == NULL) {
            key->cache[i].kind = kind;
            key->cache[i].object = object;
            key->cache[i].free_object = free_object;
            object = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&key->cache_lock);
    if (object != NULL) {
        free_object(object);
    }
}

/* ---- creation ------------------------------------------------------------------------------- */

/* Checks lifetime and id of the attributes for a new key. */
static psa_status_t validate_lifetime_and_id(const psa_key_attributes_t *attr)
{
    psa_key_lifetime_t lifetime = attr->lifetime;
    if (PSA_KEY_LIFETIME_GET_LOCATION(lifetime) != PSA_KEY_LOCATION_LOCAL_STORAGE) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (PSA_KEY_LIFETIME_IS_VOLATILE(lifetime)) {
        return attr->id == PSA_KEY_ID_NULL ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
    }
    if (PSA_KEY_LIFETIME_IS_READ_ONLY(lifetime)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (attr->id < PSA_KEY_ID_USER_MIN || attr->id > PSA_KEY_ID_USER_MAX) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (store.config.storage == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    return PSA_SUCCESS;
}

psa_status_t core_key_attributes_check(const psa_key_attributes_t *attributes)
{
    psa_status_t status = validate_lifetime_and_id(attributes);
    if (status == PSA_SUCCESS && !core_usage_is_valid(attributes->usage)) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    }
    return status;
}

/* Caller holds store.lock. */
static psa_status_t allocate_volatile_id(const core_caller_t *caller, psa_key_id_t *id)
{
    size_t in_session = 0;
    size_t limit = store.config.max_volatile_keys_per_session;
    if (limit != 0) {
        for (unsigned b = 0; b < STORE_BUCKETS; b++) {
            for (store_entry_t *e = store.buckets[b]; e != NULL; e = e->next) {
                const core_key_t *k = e->key;
                in_session += PSA_KEY_LIFETIME_IS_VOLATILE(k->attr.lifetime) &&
                              k->owner == caller->owner && k->session == caller->session;
            }
        }
        if (in_session >= limit) {
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
    }
    uint64_t range = (uint64_t)store.config.volatile_id_max - store.config.volatile_id_min + 1;
    for (uint64_t tries = 0; tries < range; tries++) {
        psa_key_id_t candidate = store.next_volatile_id;
        store.next_volatile_id = candidate == store.config.volatile_id_max
                                     ? store.config.volatile_id_min
                                     : candidate + 1;
        bool used = false;
        for (store_entry_t *e = store.buckets[store_bucket(caller->owner, candidate)]; e != NULL;
             e = e->next) {
            if (e->key->attr.id == candidate) {
                used = true;
                break;
            }
        }
        if (!used) {
            *id = candidate;
            return PSA_SUCCESS;
        }
    }
    return PSA_ERROR_INSUFFICIENT_MEMORY;
}

psa_status_t core_key_create(const core_caller_t *caller, const psa_key_attributes_t *attributes,
                             const uint8_t *data, size_t data_length, psa_key_id_t *id)
{
    *id = PSA_KEY_ID_NULL;
    if (!core_is_initialised()) {
        return PSA_ERROR_BAD_STATE;
    }
    psa_status_t status = core_key_attributes_check(attributes);
    if (status != PSA_SUCCESS) {
        return status;
    }
    size_t bits = 0;
    status = core_key_types_validate(attributes->type, data, data_length, &bits);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (attributes->bits != 0 && attributes->bits != bits) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    psa_key_attributes_t attr = *attributes;
    attr.bits = bits;
    attr.usage = core_usage_with_implied(attr.usage);

    pthread_mutex_lock(&store.lock);
    core_key_t *key = NULL;
    bool persistent = !PSA_KEY_LIFETIME_IS_VOLATILE(attr.lifetime);
    if (persistent) {
        core_key_t *existing = NULL;
        if (store_find(caller, attr.id) != NULL) {
            status = PSA_ERROR_ALREADY_EXISTS;
        } else {
            status = store_load_persistent(caller, attr.id, &existing);
            if (status == PSA_SUCCESS) {
                status = PSA_ERROR_ALREADY_EXISTS;
            } else if (status == PSA_ERROR_INVALID_HANDLE) {
                status = PSA_SUCCESS;
            }
        }
    } else {
        status = allocate_volatile_id(caller, &attr.id);
    }
    if (status == PSA_SUCCESS) {
        key = key_new(&attr, caller->owner, caller->session, data, data_length);
        status = key ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (status == PSA_SUCCESS) {
        status = core_key_types_load_asym(key);
    }
    if (status == PSA_SUCCESS && persistent) {
        uint8_t *record = NULL;
        size_t record_length = 0;
        status = key_record_encode(&key->attr, data, data_length, &record, &record_length);
        if (status == PSA_SUCCESS) {
            core_key_storage_t *storage = store.config.storage;
            status = storage->store(storage->ctx, caller->owner, attr.id, record, record_length);
            core_free_secret(record, record_length);
        }
    }
    if (status == PSA_SUCCESS && persistent && key_is_transient(key)) {
        /* Without PSA_KEY_USAGE_CACHE the new key lives in storage only until it is used. */
        pthread_mutex_unlock(&store.lock);
        key_unref(key);
        *id = attr.id;
        return PSA_SUCCESS;
    }
    if (status == PSA_SUCCESS) {
        status = store_insert(key);
        if (status != PSA_SUCCESS && persistent) {
            core_key_storage_t *storage = store.config.storage;
            storage->remove(storage->ctx, caller->owner, attr.id);
        }
    }
    pthread_mutex_unlock(&store.lock);
    if (status != PSA_SUCCESS) {
        core_key_release(key);
        return status;
    }
    *id = attr.id;
    return PSA_SUCCESS;
}

psa_status_t core_import_key(const core_caller_t *caller, const psa_key_attributes_t *attributes,
                             const uint8_t *data, size_t data_length, psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    if (data_length == 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return core_key_create(caller, attributes, data, data_length, key);
}

psa_status_t core_generate_key(const core_caller_t *caller, const psa_key_attributes_t *attributes,
                               psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    psa_status_t status = core_key_attributes_check(attributes);
    if (status != PSA_SUCCESS) {
        return status;
    }
    uint8_t *material = NULL;
    size_t length = 0;
    status = core_key_types_generate(attributes->type, attributes->bits, &material, &length);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_key_create(caller, attributes, material, length, key);
    core_free_secret(material, length);
    return status;
}

psa_status_t core_copy_prepare(const core_caller_t *caller, psa_key_id_t source_key,
                               const psa_key_attributes_t *attributes, core_key_t **source,
                               psa_key_attributes_t *target)
{
    *source = NULL;
    core_key_t *key = NULL;
    psa_status_t status = core_key_acquire(caller, source_key, PSA_KEY_USAGE_COPY, 0, &key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    psa_key_attributes_t attr = *attributes;
    /* The requested usage is checked before the intersection with the source's usage, which
     * would drop the undefined flags. */
    if ((attr.type != 0 && attr.type != key->attr.type) ||
        (attr.bits != 0 && attr.bits != key->attr.bits) || !core_usage_is_valid(attr.usage) ||
        !core_alg_intersect(key->attr.alg, attr.alg, key->attr.type, &attr.alg)) {
        core_key_release(key);
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    attr.type = key->attr.type;
    attr.bits = key->attr.bits;
    attr.usage = key->attr.usage & core_usage_with_implied(attr.usage);
    *target = attr;
    *source = key;
    return PSA_SUCCESS;
}

psa_status_t core_copy_key(const core_caller_t *caller, psa_key_id_t source_key,
                           const psa_key_attributes_t *attributes, psa_key_id_t *target_key)
{
    *target_key = PSA_KEY_ID_NULL;
    core_key_t *source = NULL;
    psa_key_attributes_t attr;
    psa_status_t status = core_copy_prepare(caller, source_key, attributes, &source, &attr);
    if (status == PSA_SUCCESS) {
        status =
            core_key_create(caller, &attr, source->material, source->material_length, target_key);
        core_key_release(source);
    }
    return status;
}

psa_status_t core_get_key_attributes(const core_caller_t *caller, psa_key_id_t id,
                                     psa_key_attributes_t *attributes)
{
    core_key_t *key = NULL;
    psa_status_t status = core_key_acquire(caller, id, 0, 0, &key);
    if (status != PSA_SUCCESS) {
        memset(attributes, 0, sizeof(*attributes));
        return status;
    }
    *attributes = key->attr;
    core_key_release(key);
    return PSA_SUCCESS;
}

psa_status_t core_destroy_key(const core_caller_t *caller, psa_key_id_t id)
{
    if (id == PSA_KEY_ID_NULL) {
        return PSA_SUCCESS;
    }
    if (!core_is_initialised()) {
        return PSA_ERROR_BAD_STATE;
    }
    /* Make sure a persistent key is in the table, then drop it from both. */
    core_key_t *key = NULL;
    psa_status_t status = core_key_acquire(caller, id, 0, 0, &key);
    if (status == PSA_ERROR_DATA_CORRUPT) {
        /* A damaged record can never be loaded again; destroying it is the way out. */
        pthread_mutex_lock(&store.lock);
        core_key_storage_t *storage = store.config.storage;
        status = storage->remove(storage->ctx, caller->owner, id);
        pthread_mutex_unlock(&store.lock);
        return status == PSA_ERROR_DOES_NOT_EXIST ? PSA_ERROR_INVALID_HANDLE : status;
    }
    if (status != PSA_SUCCESS) {
        return status;
    }
    pthread_mutex_lock(&store.lock);
    store_entry_t **link = store_find(caller, id);
    if (link == NULL || (*link)->key != key) {
        status = PSA_ERROR_INVALID_HANDLE; /* destroyed by another thread meanwhile */
    } else if (PSA_KEY_LIFETIME_IS_READ_ONLY(key->attr.lifetime)) {
        status = PSA_ERROR_NOT_PERMITTED;
    } else {
        if (!PSA_KEY_LIFETIME_IS_VOLATILE(key->attr.lifetime)) {
            core_key_storage_t *storage = store.config.storage;
            status = storage->remove(storage->ctx, caller->owner, id);
            if (status == PSA_ERROR_DOES_NOT_EXIST) {
                status = PSA_SUCCESS;
            }
        }
        if (status == PSA_SUCCESS) {
            store_unlink(link, true);
        }
    }
    pthread_mutex_unlock(&store.lock);
    core_key_release(key);
    return status;
}

psa_status_t core_purge_key(const core_caller_t *caller, psa_key_id_t id)
{
    core_key_t *key = NULL;
    psa_status_t status = core_key_acquire(caller, id, 0, 0, &key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (!PSA_KEY_LIFETIME_IS_VOLATILE(key->attr.lifetime)) {
        pthread_mutex_lock(&store.lock);
        store_entry_t **link = store_find(caller, id);
        if (link != NULL && (*link)->key == key) {
            store_unlink(link, false);
        }
        pthread_mutex_unlock(&store.lock);
    }
    core_key_release(key);
    return PSA_SUCCESS;
}

psa_status_t core_list_keys(const core_caller_t *caller, psa_key_id_t after, psa_key_id_t *ids,
                            size_t max, size_t *count)
{
    *count = 0;
    core_key_storage_t *storage = store.config.storage;
    if (storage == NULL || storage->list == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (after >= PSA_KEY_ID_USER_MAX || max == 0) {
        return PSA_SUCCESS;
    }
    /* Persistent ids are PSA_KEY_ID_USER_MIN..PSA_KEY_ID_USER_MAX; the storage holds no others. */
    psa_status_t status = storage->list(storage->ctx, caller->owner, after, ids, max, count);
    if (status != PSA_SUCCESS) {
        *count = 0;
        return status;
    }
    size_t n = 0;
    for (size_t i = 0; i < *count; i++) {
        if (ids[i] >= PSA_KEY_ID_USER_MIN && ids[i] <= PSA_KEY_ID_USER_MAX) {
            ids[n++] = ids[i];
        }
    }
    *count = n;
    return PSA_SUCCESS;
}

psa_status_t core_export_key(const core_caller_t *caller, psa_key_id_t id, uint8_t *data,
                             size_t data_size, size_t *data_length)
{
    *data_length = 0;
    core_key_t *key = NULL;
    psa_status_t status = core_key_acquire(caller, id, 0, 0, &key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    /* PSA_KEY_USAGE_EXPORT: "A public key or the public part of a key pair can always be exported
     * regardless of the value of this permission flag." A pair's psa_export_key exports the
     * private key, so only public-key types are exempt. */
    if (!PSA_KEY_TYPE_IS_PUBLIC_KEY(key->attr.type) &&
        (key->attr.usage & PSA_KEY_USAGE_EXPORT) == 0) {
        status = PSA_ERROR_NOT_PERMITTED;
    } else if (key->material_length > data_size) {
        status = PSA_ERROR_BUFFER_TOO_SMALL;
    } else {
        memcpy(data, key->material, key->material_length);
        *data_length = key->material_length;
    }
    core_key_release(key);
    return status;
}

psa_status_t core_export_public_key(const core_caller_t *caller, psa_key_id_t id, uint8_t *data,
                                    size_t data_size, size_t *data_length)
{
    *data_length = 0;
    core_key_t *key = NULL;
    psa_status_t status = core_key_acquire(caller, id, 0, 0, &key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (!PSA_KEY_TYPE_IS_ASYMMETRIC(key->attr.type)) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else {
        status = core_key_types_export_public(key, data, data_size, data_length);
    }
    core_key_release(key);
    return status;
}

/* ---- teardown ------------------------------------------------------------------------------- */

void core_release_session(int32_t owner, uint64_t session)
{
    pthread_mutex_lock(&store.lock);
    for (unsigned b = 0; b < STORE_BUCKETS; b++) {
        store_entry_t **link = &store.buckets[b];
        while (*link != NULL) {
            const core_key_t *k = (*link)->key;
            if (k->owner == owner && PSA_KEY_LIFETIME_IS_VOLATILE(k->attr.lifetime) &&
                k->session == session) {
                store_unlink(link, true);
            } else {
                link = &(*link)->next;
            }
        }
    }
    pthread_mutex_unlock(&store.lock);
}

void core_crypto_shutdown(void)
{
    pthread_mutex_lock(&store.lock);
    for (unsigned b = 0; b < STORE_BUCKETS; b++) {
        while (store.buckets[b] != NULL) {
            store_unlink(&store.buckets[b], true);
        }
    }
    atomic_store(&store.initialised, false);
    pthread_mutex_unlock(&store.lock);
}
