/* Unit tests of the key store's memory rules: PSA_KEY_USAGE_CACHE, destroy versus key holders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* ---- an in-memory storage backend that counts loads ---------------------------------------- */

#define MOCK_RECORDS 8

static struct {
    pthread_mutex_t lock;
    uint32_t id[MOCK_RECORDS];
    uint8_t *data[MOCK_RECORDS];
    size_t length[MOCK_RECORDS];
    unsigned loads;
} mock = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int mock_find(uint32_t key_id)
{
    for (int i = 0; i < MOCK_RECORDS; i++) {
        if (mock.data[i] != NULL && mock.id[i] == key_id) {
            return i;
        }
    }
    return -1;
}

static psa_status_t mock_load(void *ctx, int32_t owner, uint32_t key_id, uint8_t *data, size_t size,
                              size_t *length)
{
    (void)ctx;
    (void)owner;
    pthread_mutex_lock(&mock.lock);
    psa_status_t status = PSA_ERROR_DOES_NOT_EXIST;
    int i = mock_find(key_id);
    if (i >= 0) {
        *length = mock.length[i];
        status = PSA_ERROR_BUFFER_TOO_SMALL;
        if (size >= mock.length[i]) {
            memcpy(data, mock.data[i], mock.length[i]);
            mock.loads++;
            status = PSA_SUCCESS;
        }
    }
    pthread_mutex_unlock(&mock.lock);
    return status;
}

static psa_status_t mock_store(void *ctx, int32_t owner, uint32_t key_id, const uint8_t *data,
                               size_t length)
{
    (void)ctx;
    (void)owner;
    pthread_mutex_lock(&mock.lock);
    psa_status_t status = PSA_ERROR_ALREADY_EXISTS;
    if (mock_find(key_id) < 0) {
        status = PSA_ERROR_INSUFFICIENT_STORAGE;
        for (int i = 0; i < MOCK_RECORDS; i++) {
            if (mock.data[i] == NULL) {
                mock.data[i] = malloc(length);
                memcpy(mock.data[i], data, length);
                mock.length[i] = length;
                mock.id[i] = key_id;
                status = PSA_SUCCESS;
                break;
            }
        }
    }
    pthread_mutex_unlock(&mock.lock);
    return status;
}

static psa_status_t mock_remove(void *ctx, int32_t owner, uint32_t key_id)
{
    (void)ctx;
    (void)owner;
    pthread_mutex_lock(&mock.lock);
    int i = mock_find(key_id);
    if (i >= 0) {
        free(mock.data[i]);
        mock.data[i] = NULL;
    }
    pthread_mutex_unlock(&mock.lock);
    return i >= 0 ? PSA_SUCCESS : PSA_ERROR_DOES_NOT_EXIST;
}

static core_key_storage_t mock_storage = {NULL, mock_load, mock_store, mock_remove, NULL};
static const core_caller_t caller = {.owner = 7, .session = 1};
static const uint8_t aes128[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static unsigned loads(void)
{
    pthread_mutex_lock(&mock.lock);
    unsigned n = mock.loads;
    pthread_mutex_unlock(&mock.lock);
    return n;
}

static psa_key_id_t create(psa_key_id_t id, psa_key_usage_t usage)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_AES);
    psa_set_key_usage_flags(&attr, usage);
    psa_set_key_algorithm(&attr, PSA_ALG_CTR);
    if (id != 0) {
        psa_set_key_id(&attr, id);
    }
    psa_key_id_t out = 0;
    assert_int_equal(core_import_key(&caller, &attr, aes128, sizeof(aes128), &out), PSA_SUCCESS);
    return out;
}

/* A cached object whose release the tests can see. */
static int objects_freed;
static void count_free(void *object)
{
    (void)object;
    __atomic_add_fetch(&objects_freed, 1, __ATOMIC_SEQ_CST);
}

static int setup(void **state)
{
    (void)state;
    core_config_t config = {.storage = &mock_storage};
    return core_crypto_init(&config) == PSA_SUCCESS ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    core_crypto_shutdown();
    for (int i = 0; i < MOCK_RECORDS; i++) {
        free(mock.data[i]);
        mock.data[i] = NULL;
    }
    return 0;
}

/* "If this usage flag is not present, the implementation must ensure key material is removed
 * from memory as soon as it is not required for an operation": a persistent key without CACHE is
 * loaded for each use and left in storage only in between. */
static void test_persistent_without_cache_leaves_memory(void **state)
{
    (void)state;
    psa_key_id_t id = create(0x100, PSA_KEY_USAGE_ENCRYPT);
    unsigned before = loads();
    core_key_t *a = NULL, *b = NULL;
    assert_int_equal(core_key_acquire(&caller, id, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_CTR, &a),
                     PSA_SUCCESS);
    assert_int_equal(loads(), before + 1); /* not kept in memory after the import */
    assert_int_equal(core_key_acquire(&caller, id, 0, 0, &b), PSA_SUCCESS);
    assert_ptr_equal(a, b); /* in use: one copy, shared */
    assert_int_equal(loads(), before + 1);
    assert_memory_equal(a->material, aes128, sizeof(aes128));

    /* No context is parked on it: give() frees at once. */
    objects_freed = 0;
    core_key_cache_give(a, 1, &objects_freed, count_free);
    assert_int_equal(objects_freed, 1);
    assert_null(core_key_cache_take(a, 1));

    core_key_release(b);
    core_key_release(a);
    assert_int_equal(core_key_acquire(&caller, id, 0, 0, &a), PSA_SUCCESS);
    assert_int_equal(loads(), before + 2); /* loaded again: the last release dropped it */
    assert_memory_equal(a->material, aes128, sizeof(aes128));
    core_key_release(a);
    assert_int_equal(core_destroy_key(&caller, id), PSA_SUCCESS);
}

static void test_persistent_with_cache_stays(void **state)
{
    (void)state;
    psa_key_id_t id = create(0x101, PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_CACHE);
    unsigned before = loads();
    core_key_t *a = NULL;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(core_key_acquire(&caller, id, 0, 0, &a), PSA_SUCCESS);
        core_key_release(a);
    }
    assert_int_equal(loads(), before); /* never reloaded */
    objects_freed = 0;
    assert_int_equal(core_key_acquire(&caller, id, 0, 0, &a), PSA_SUCCESS);
    core_key_cache_give(a, 1, &objects_freed, count_free);
    assert_int_equal(objects_freed, 0);
    assert_ptr_equal(core_key_cache_take(a, 1), &objects_freed);
    core_key_cache_give(a, 1, &objects_freed, count_free);
    core_key_release(a);
    /* Purge removes the non-essential copies, the parked context included. */
    assert_int_equal(core_purge_key(&caller, id), PSA_SUCCESS);
    assert_int_equal(objects_freed, 1);
    assert_int_equal(core_key_acquire(&caller, id, 0, 0, &a), PSA_SUCCESS);
    assert_int_equal(loads(), before + 1);
    assert_false(core_key_is_destroyed(a)); /* purged, not destroyed */
    core_key_release(a);
    assert_int_equal(core_destroy_key(&caller, id), PSA_SUCCESS);
}

/* Destroy marks the key for its holders and frees parked contexts at once, not at last release. */
static void test_destroy_while_held(void **state)
{
    (void)state;
    psa_key_id_t ids[2] = {create(0, PSA_KEY_USAGE_ENCRYPT),
                           create(0x102, PSA_KEY_USAGE_ENCRYPT)};
    for (int i = 0; i < 2; i++) {
        core_key_t *held = NULL;
        assert_int_equal(core_key_acquire(&caller, ids[i], 0, 0, &held), PSA_SUCCESS);
        objects_freed = 0;
        if (i == 0) {
            core_key_cache_give(held, 1, &objects_freed, count_free);
            assert_int_equal(objects_freed, 0);
        }
        assert_false(core_key_is_destroyed(held));
        assert_int_equal(core_destroy_key(&caller, ids[i]), PSA_SUCCESS);
        assert_true(core_key_is_destroyed(held));
        assert_int_equal(objects_freed, i == 0 ? 1 : 0);
        /* A holder giving a context back after the destroy does not park it. */
        core_key_cache_give(held, 2, &objects_freed, count_free);
        assert_int_equal(objects_freed, i == 0 ? 2 : 1);
        assert_null(core_key_cache_take(held, 2));
        core_key_t *again = NULL;
        assert_int_equal(core_key_acquire(&caller, ids[i], 0, 0, &again),
                         PSA_ERROR_INVALID_HANDLE);
        core_key_release(held);
    }
}

/* Threads acquiring and releasing a key without CACHE while others destroy-free the slot in
 * between: the last release unlinks under the store lock, so a concurrent acquire either finds
 * the loaded key (and keeps it) or loads a fresh copy; never a freed one. */
#define CHURN_THREADS 4
#define CHURN_ROUNDS 2000

static void *churn(void *arg)
{
    psa_key_id_t id = *(const psa_key_id_t *)arg;
    for (int i = 0; i < CHURN_ROUNDS; i++) {
        core_key_t *k = NULL;
        if (core_key_acquire(&caller, id, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_CTR, &k) != PSA_SUCCESS ||
            memcmp(k->material, aes128, sizeof(aes128)) != 0) {
            return (void *)1;
        }
        core_key_cache_give(k, 1, &objects_freed, count_free);
        core_key_release(k);
    }
    return NULL;
}

static void test_concurrent_last_release(void **state)
{
    (void)state;
    psa_key_id_t id = create(0x103, PSA_KEY_USAGE_ENCRYPT);
    pthread_t threads[CHURN_THREADS];
    for (int i = 0; i < CHURN_THREADS; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, churn, &id), 0);
    }
    for (int i = 0; i < CHURN_THREADS; i++) {
        void *result = NULL;
        pthread_join(threads[i], &result);
        assert_null(result);
    }
    assert_int_equal(core_destroy_key(&caller, id), PSA_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_persistent_without_cache_leaves_memory),
        cmocka_unit_test(test_persistent_with_cache_stays),
        cmocka_unit_test(test_destroy_while_held),
        cmocka_unit_test(test_concurrent_last_release),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
