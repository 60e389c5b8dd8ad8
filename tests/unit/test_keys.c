/* Unit tests of key management through libpsa-local: attributes, import, generate, export, copy,
 * destroy, purge, persistence and concurrent use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <psa/crypto.h>
#include <ss/psa_keys.h>

static char state_dir[] = "/tmp/ss-test-keys-XXXXXX";

static const uint8_t aes128[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                   0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};

static psa_key_attributes_t aes_attributes(psa_key_usage_t usage, psa_algorithm_t alg)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_AES);
    psa_set_key_usage_flags(&attr, usage);
    psa_set_key_algorithm(&attr, alg);
    return attr;
}

static void test_calls_before_init_are_bad_state(void **state)
{
    (void)state;
    psa_key_attributes_t attr = aes_attributes(PSA_KEY_USAGE_EXPORT, 0);
    psa_key_id_t id = 42;
    uint8_t buf[4];
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &id), PSA_ERROR_BAD_STATE);
    assert_int_equal(id, PSA_KEY_ID_NULL);
    assert_int_equal(psa_generate_random(buf, sizeof(buf)), PSA_ERROR_BAD_STATE);
    psa_key_id_t ids[2];
    size_t count = 7;
    assert_int_equal(ss_list_keys(0, ids, 2, &count), PSA_ERROR_BAD_STATE);
    assert_int_equal(count, 0);
    assert_int_equal(psa_crypto_init(), PSA_SUCCESS);
    assert_int_equal(psa_crypto_init(), PSA_SUCCESS); /* idempotent */
}

static void test_attribute_accessors(void **state)
{
    (void)state;
    psa_key_attributes_t attr = psa_key_attributes_init();
    assert_int_equal(psa_get_key_lifetime(&attr), PSA_KEY_LIFETIME_VOLATILE);
    assert_int_equal(psa_get_key_id(&attr), PSA_KEY_ID_NULL);
    psa_set_key_id(&attr, 7);
    assert_int_equal(psa_get_key_id(&attr), 7);
    assert_int_equal(psa_get_key_lifetime(&attr), PSA_KEY_LIFETIME_PERSISTENT);
    psa_set_key_lifetime(&attr, PSA_KEY_LIFETIME_VOLATILE);
    assert_int_equal(psa_get_key_id(&attr), PSA_KEY_ID_NULL);
    psa_set_key_bits(&attr, 256);
    assert_int_equal(psa_get_key_bits(&attr), 256);
    psa_set_key_type(&attr, PSA_KEY_TYPE_HMAC);
    assert_int_equal(psa_get_key_type(&attr), PSA_KEY_TYPE_HMAC);
    psa_reset_key_attributes(&attr);
    assert_int_equal(psa_get_key_type(&attr), 0);
    assert_int_equal(psa_get_key_bits(&attr), 0);
}

static void test_import_export_volatile(void **state)
{
    (void)state;
    psa_key_attributes_t attr =
        aes_attributes(PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_ENCRYPT, PSA_ALG_CTR);
    psa_key_id_t id = 0;
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &id), PSA_SUCCESS);
    assert_true(id >= PSA_KEY_ID_VENDOR_MIN && id <= PSA_KEY_ID_VENDOR_MAX);

    psa_key_attributes_t got = PSA_KEY_ATTRIBUTES_INIT;
    assert_int_equal(psa_get_key_attributes(id, &got), PSA_SUCCESS);
    assert_int_equal(psa_get_key_type(&got), PSA_KEY_TYPE_AES);
    assert_int_equal(psa_get_key_bits(&got), 128);
    assert_int_equal(psa_get_key_lifetime(&got), PSA_KEY_LIFETIME_VOLATILE);
    assert_int_equal(psa_get_key_id(&got), id);
    assert_int_equal(psa_get_key_usage_flags(&got), PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_ENCRYPT);
    assert_int_equal(psa_get_key_algorithm(&got), PSA_ALG_CTR);

    uint8_t out[32];
    size_t len = 99;
    assert_int_equal(psa_export_key(id, out, 15, &len), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(psa_export_key(id, out, sizeof(out), &len), PSA_SUCCESS);
    assert_int_equal(len, 16);
    assert_memory_equal(out, aes128, 16);
    assert_int_equal(psa_export_public_key(id, out, sizeof(out), &len), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_destroy_key(id), PSA_SUCCESS);
    assert_int_equal(psa_export_key(id, out, sizeof(out), &len), PSA_ERROR_INVALID_HANDLE);
    assert_int_equal(psa_destroy_key(id), PSA_ERROR_INVALID_HANDLE);
}

static void test_import_rejects_bad_input(void **state)
{
    (void)state;
    psa_key_attributes_t attr = aes_attributes(PSA_KEY_USAGE_EXPORT, 0);
    psa_key_id_t id = 5;
    uint8_t long_key[17] = {0};
    assert_int_equal(psa_import_key(&attr, long_key, sizeof(long_key), &id),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(id, PSA_KEY_ID_NULL);
    assert_int_equal(psa_import_key(&attr, aes128, 0, &id), PSA_ERROR_INVALID_ARGUMENT);
    psa_set_key_bits(&attr, 256);
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &id),
                     PSA_ERROR_INVALID_ARGUMENT);
    psa_set_key_bits(&attr, 0);
    psa_set_key_type(&attr, PSA_KEY_TYPE_NONE);
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &id), PSA_ERROR_NOT_SUPPORTED);
    /* Persistent ids must be in the user range. */
    attr = aes_attributes(PSA_KEY_USAGE_EXPORT, 0);
    psa_set_key_id(&attr, PSA_KEY_ID_VENDOR_MIN);
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &id),
                     PSA_ERROR_INVALID_ARGUMENT);
    /* A location this implementation does not have. */
    attr = aes_attributes(PSA_KEY_USAGE_EXPORT, 0);
    psa_set_key_lifetime(&attr, PSA_KEY_LIFETIME_FROM_PERSISTENCE_AND_LOCATION(
                                    PSA_KEY_PERSISTENCE_VOLATILE, 0x7fffffu));
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &id), PSA_ERROR_NOT_SUPPORTED);
    /* Key sizes per type. */
    static const struct {
        psa_key_type_t type;
        size_t length;
        psa_status_t expected;
    } cases[] = {
        {PSA_KEY_TYPE_AES, 24, PSA_SUCCESS},
        {PSA_KEY_TYPE_AES, 32, PSA_SUCCESS},
        {PSA_KEY_TYPE_AES, 8, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_ARIA, 16, PSA_SUCCESS},
        {PSA_KEY_TYPE_CAMELLIA, 32, PSA_SUCCESS},
        {PSA_KEY_TYPE_SM4, 16, PSA_SUCCESS},
        {PSA_KEY_TYPE_SM4, 32, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_DES, 8, PSA_SUCCESS},
        {PSA_KEY_TYPE_DES, 16, PSA_SUCCESS},
        {PSA_KEY_TYPE_DES, 24, PSA_SUCCESS},
        {PSA_KEY_TYPE_DES, 32, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_CHACHA20, 32, PSA_SUCCESS},
        {PSA_KEY_TYPE_CHACHA20, 16, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_HMAC, 1, PSA_SUCCESS},
        {PSA_KEY_TYPE_RAW_DATA, 3, PSA_SUCCESS},
        {PSA_KEY_TYPE_DERIVE, 64, PSA_SUCCESS},
        {PSA_KEY_TYPE_PASSWORD, 5, PSA_SUCCESS},
        {PSA_KEY_TYPE_PASSWORD_HASH, 32, PSA_SUCCESS},
        {PSA_KEY_TYPE_PEPPER, 16, PSA_SUCCESS},
    };
    uint8_t material[64];
    memset(material, 0x5a, sizeof(material));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
        psa_set_key_type(&a, cases[i].type);
        psa_key_id_t k = 0;
        assert_int_equal(psa_import_key(&a, material, cases[i].length, &k), cases[i].expected);
        if (cases[i].expected == PSA_SUCCESS) {
            psa_key_attributes_t got = PSA_KEY_ATTRIBUTES_INIT;
            assert_int_equal(psa_get_key_attributes(k, &got), PSA_SUCCESS);
            assert_int_equal(psa_get_key_bits(&got), cases[i].length * 8);
            assert_int_equal(psa_destroy_key(k), PSA_SUCCESS);
        }
    }
}

static void test_export_policy(void **state)
{
    (void)state;
    psa_key_attributes_t attr = aes_attributes(PSA_KEY_USAGE_ENCRYPT, PSA_ALG_CTR);
    psa_key_id_t id = 0;
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &id), PSA_SUCCESS);
    uint8_t out[16];
    size_t len = 1;
    assert_int_equal(psa_export_key(id, out, sizeof(out), &len), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(len, 0);
    assert_int_equal(psa_destroy_key(id), PSA_SUCCESS);
}

static void test_usage_implications(void **state)
{
    (void)state;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_HMAC);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH);
    psa_key_id_t id = 0;
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &id), PSA_SUCCESS);
    psa_key_attributes_t got = PSA_KEY_ATTRIBUTES_INIT;
    assert_int_equal(psa_get_key_attributes(id, &got), PSA_SUCCESS);
    assert_int_equal(psa_get_key_usage_flags(&got),
                     PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH |
                         PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_MESSAGE);
    assert_int_equal(psa_destroy_key(id), PSA_SUCCESS);
}

static void test_generate(void **state)
{
    (void)state;
    psa_key_attributes_t attr = aes_attributes(PSA_KEY_USAGE_EXPORT, 0);
    psa_key_id_t a = 0, b = 0;
    assert_int_equal(psa_generate_key(&attr, &a), PSA_ERROR_INVALID_ARGUMENT); /* no size */
    psa_set_key_bits(&attr, 100);
    assert_int_equal(psa_generate_key(&attr, &a), PSA_ERROR_INVALID_ARGUMENT);
    psa_set_key_bits(&attr, 256);
    assert_int_equal(psa_generate_key(&attr, &a), PSA_SUCCESS);
    assert_int_equal(psa_generate_key(&attr, &b), PSA_SUCCESS);
    assert_int_not_equal(a, b);
    uint8_t ka[32], kb[32];
    size_t la = 0, lb = 0;
    assert_int_equal(psa_export_key(a, ka, sizeof(ka), &la), PSA_SUCCESS);
    assert_int_equal(psa_export_key(b, kb, sizeof(kb), &lb), PSA_SUCCESS);
    assert_int_equal(la, 32);
    assert_int_equal(lb, 32);
    assert_memory_not_equal(ka, kb, 32);
    assert_int_equal(psa_destroy_key(a), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(b), PSA_SUCCESS);

    /* DES keys come out with odd parity in every byte. */
    psa_set_key_type(&attr, PSA_KEY_TYPE_DES);
    psa_set_key_bits(&attr, 192);
    assert_int_equal(psa_generate_key(&attr, &a), PSA_SUCCESS);
    assert_int_equal(psa_export_key(a, ka, sizeof(ka), &la), PSA_SUCCESS);
    assert_int_equal(la, 24);
    for (size_t i = 0; i < la; i++) {
        assert_int_equal(__builtin_popcount(ka[i]) % 2, 1);
    }
    assert_int_equal(psa_destroy_key(a), PSA_SUCCESS);

    psa_set_key_type(&attr, PSA_KEY_TYPE_RAW_DATA);
    psa_set_key_bits(&attr, 12);
    assert_int_equal(psa_generate_key(&attr, &a), PSA_ERROR_INVALID_ARGUMENT);
    psa_set_key_bits(&attr, 1024);
    psa_set_key_type(&attr, PSA_KEY_TYPE_HMAC);
    assert_int_equal(psa_generate_key(&attr, &a), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(a), PSA_SUCCESS);
}

static void test_copy(void **state)
{
    (void)state;
    psa_algorithm_t wild = PSA_ALG_AT_LEAST_THIS_LENGTH_MAC(PSA_ALG_HMAC(PSA_ALG_SHA_256), 16);
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_HMAC);
    psa_set_key_usage_flags(&attr,
                            PSA_KEY_USAGE_COPY | PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_SIGN_MESSAGE);
    psa_set_key_algorithm(&attr, wild);
    psa_key_id_t src = 0, dst = 0;
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &src), PSA_SUCCESS);

    /* Usage is intersected; the algorithm narrows to the more specific policy. */
    psa_key_attributes_t want = PSA_KEY_ATTRIBUTES_INIT;
    psa_algorithm_t truncated = PSA_ALG_TRUNCATED_MAC(PSA_ALG_HMAC(PSA_ALG_SHA_256), 20);
    psa_set_key_usage_flags(&want, PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_DECRYPT);
    psa_set_key_algorithm(&want, truncated);
    assert_int_equal(psa_copy_key(src, &want, &dst), PSA_SUCCESS);
    psa_key_attributes_t got = PSA_KEY_ATTRIBUTES_INIT;
    assert_int_equal(psa_get_key_attributes(dst, &got), PSA_SUCCESS);
    assert_int_equal(psa_get_key_type(&got), PSA_KEY_TYPE_HMAC);
    assert_int_equal(psa_get_key_bits(&got), 128);
    assert_int_equal(psa_get_key_usage_flags(&got), PSA_KEY_USAGE_EXPORT);
    assert_int_equal(psa_get_key_algorithm(&got), truncated);
    uint8_t out[16];
    size_t len = 0;
    assert_int_equal(psa_export_key(dst, out, sizeof(out), &len), PSA_SUCCESS);
    assert_memory_equal(out, aes128, 16);
    assert_int_equal(psa_destroy_key(dst), PSA_SUCCESS);

    /* Truncation shorter than the wildcard allows: empty intersection. */
    psa_set_key_algorithm(&want, PSA_ALG_TRUNCATED_MAC(PSA_ALG_HMAC(PSA_ALG_SHA_256), 8));
    assert_int_equal(psa_copy_key(src, &want, &dst), PSA_ERROR_INVALID_ARGUMENT);
    psa_set_key_algorithm(&want, PSA_ALG_HMAC(PSA_ALG_SHA_384));
    assert_int_equal(psa_copy_key(src, &want, &dst), PSA_ERROR_INVALID_ARGUMENT);
    /* Type or size that differ from the source. */
    psa_set_key_algorithm(&want, 0);
    psa_set_key_type(&want, PSA_KEY_TYPE_AES);
    assert_int_equal(psa_copy_key(src, &want, &dst), PSA_ERROR_INVALID_ARGUMENT);
    psa_set_key_type(&want, 0);
    psa_set_key_bits(&want, 256);
    assert_int_equal(psa_copy_key(src, &want, &dst), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(dst, PSA_KEY_ID_NULL);
    assert_int_equal(psa_destroy_key(src), PSA_SUCCESS);

    /* Without COPY usage. */
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_EXPORT);
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &src), PSA_SUCCESS);
    psa_key_attributes_t plain = PSA_KEY_ATTRIBUTES_INIT;
    assert_int_equal(psa_copy_key(src, &plain, &dst), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_copy_key(src + 100000, &plain, &dst), PSA_ERROR_INVALID_HANDLE);
    assert_int_equal(psa_destroy_key(src), PSA_SUCCESS);
}

static void test_destroy_and_purge(void **state)
{
    (void)state;
    assert_int_equal(psa_destroy_key(PSA_KEY_ID_NULL), PSA_SUCCESS);
    assert_int_equal(psa_purge_key(PSA_KEY_ID_NULL), PSA_ERROR_INVALID_HANDLE);
    assert_int_equal(psa_destroy_key(0x7ff12345), PSA_ERROR_INVALID_HANDLE);
    psa_key_attributes_t attr = aes_attributes(PSA_KEY_USAGE_EXPORT, 0);
    psa_key_id_t id = 0;
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &id), PSA_SUCCESS);
    /* Purging a volatile key does nothing: it stays usable. */
    assert_int_equal(psa_purge_key(id), PSA_SUCCESS);
    uint8_t out[16];
    size_t len = 0;
    assert_int_equal(psa_export_key(id, out, sizeof(out), &len), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(id), PSA_SUCCESS);

    psa_key_attributes_t got;
    memset(&got, 0xaa, sizeof(got));
    assert_int_equal(psa_get_key_attributes(id, &got), PSA_ERROR_INVALID_HANDLE);
    assert_int_equal(psa_get_key_type(&got), 0);
    assert_int_equal(psa_get_key_bits(&got), 0);
}

/* The listing of ids after `after`, filtered to the ids of `want` (other tests' keys may be
 * there): equals want, in order. */
static void expect_listed(const psa_key_id_t *want, size_t n)
{
    psa_key_id_t ids[64];
    size_t count = 0, found = 0;
    assert_int_equal(ss_list_keys(0, ids, 64, &count), PSA_SUCCESS);
    assert_true(count < 64);
    for (size_t i = 0; i < count; i++) {
        if (i > 0) {
            assert_true(ids[i] > ids[i - 1]);
        }
        assert_true(ids[i] >= PSA_KEY_ID_USER_MIN && ids[i] <= PSA_KEY_ID_USER_MAX);
        for (size_t j = 0; j < n; j++) {
            if (ids[i] == want[j]) {
                assert_int_equal(found, j);
                found++;
            }
        }
    }
    assert_int_equal(found, n);
}

static void test_list_keys(void **state)
{
    (void)state;
    static const psa_key_id_t persistent[] = {0x40, 0x41, 0x3fffffff};
    psa_key_attributes_t attr = aes_attributes(PSA_KEY_USAGE_ENCRYPT, PSA_ALG_GCM);
    psa_key_id_t id = 0, vol = 0;
    /* Created out of order; listed in order. */
    for (size_t i = 3; i-- > 0;) {
        psa_set_key_id(&attr, persistent[i]);
        assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &id), PSA_SUCCESS);
    }
    psa_key_attributes_t volatile_attr = aes_attributes(PSA_KEY_USAGE_ENCRYPT, PSA_ALG_GCM);
    assert_int_equal(psa_import_key(&volatile_attr, aes128, sizeof(aes128), &vol), PSA_SUCCESS);
    expect_listed(persistent, 3);
    /* Paging from an id, and a max of one. */
    psa_key_id_t one = 0;
    size_t count = 0;
    assert_int_equal(ss_list_keys(0x40, &one, 1, &count), PSA_SUCCESS);
    assert_int_equal(count, 1);
    assert_int_equal(one, 0x41);
    assert_int_equal(ss_list_keys(0x3fffffff, &one, 1, &count), PSA_SUCCESS);
    assert_int_equal(count, 0);
    assert_int_equal(ss_list_keys(0, NULL, 0, &count), PSA_SUCCESS);
    assert_int_equal(count, 0);
    /* A purged key is still stored; a destroyed one is not. */
    assert_int_equal(psa_purge_key(0x41), PSA_SUCCESS);
    expect_listed(persistent, 3);
    assert_int_equal(psa_destroy_key(0x41), PSA_SUCCESS);
    static const psa_key_id_t left[] = {0x40, 0x3fffffff};
    expect_listed(left, 2);
    assert_int_equal(psa_destroy_key(0x40), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(0x3fffffff), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(vol), PSA_SUCCESS);
    expect_listed(NULL, 0);
}

static void test_persistent_keys(void **state)
{
    (void)state;
    psa_key_attributes_t attr = aes_attributes(PSA_KEY_USAGE_EXPORT, PSA_ALG_GCM);
    psa_set_key_id(&attr, 0x1234);
    psa_key_id_t id = 0;
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &id), PSA_SUCCESS);
    assert_int_equal(id, 0x1234);
    psa_key_id_t again = 0;
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &again),
                     PSA_ERROR_ALREADY_EXISTS);
    assert_int_equal(psa_purge_key(id), PSA_SUCCESS);

    /* The key lives on in storage: another process that starts afresh reads it back. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        uint8_t out[16];
        size_t len = 0;
        int ok = psa_export_key(0x1234, out, sizeof(out), &len) == PSA_SUCCESS && len == 16 &&
                 memcmp(out, aes128, 16) == 0;
        psa_key_attributes_t got = PSA_KEY_ATTRIBUTES_INIT;
        ok = ok && psa_get_key_attributes(0x1234, &got) == PSA_SUCCESS &&
             psa_get_key_lifetime(&got) == PSA_KEY_LIFETIME_PERSISTENT &&
             psa_get_key_algorithm(&got) == PSA_ALG_GCM;
        _exit(ok ? 0 : 1);
    }
    int wstatus = 0;
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(WEXITSTATUS(wstatus), 0);

    assert_int_equal(psa_destroy_key(id), PSA_SUCCESS);
    uint8_t out[16];
    size_t len = 0;
    assert_int_equal(psa_export_key(id, out, sizeof(out), &len), PSA_ERROR_INVALID_HANDLE);
    /* The id is free again. */
    assert_int_equal(psa_import_key(&attr, aes128, sizeof(aes128), &id), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(id), PSA_SUCCESS);

    /* Copy into a persistent key. */
    psa_key_attributes_t vol = aes_attributes(PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_COPY, 0);
    psa_key_id_t src = 0;
    assert_int_equal(psa_import_key(&vol, aes128, sizeof(aes128), &src), PSA_SUCCESS);
    psa_key_attributes_t target = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_id(&target, 0x99);
    psa_set_key_usage_flags(&target, PSA_KEY_USAGE_EXPORT);
    psa_key_id_t dst = 0;
    assert_int_equal(psa_copy_key(src, &target, &dst), PSA_SUCCESS);
    assert_int_equal(dst, 0x99);
    assert_int_equal(psa_purge_key(dst), PSA_SUCCESS);
    assert_int_equal(psa_export_key(dst, out, sizeof(out), &len), PSA_SUCCESS);
    assert_memory_equal(out, aes128, 16);
    assert_int_equal(psa_destroy_key(dst), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(src), PSA_SUCCESS);
}

static void test_random(void **state)
{
    (void)state;
    uint8_t a[32], b[32];
    assert_int_equal(psa_generate_random(a, 0), PSA_SUCCESS);
    assert_int_equal(psa_generate_random(a, sizeof(a)), PSA_SUCCESS);
    assert_int_equal(psa_generate_random(b, sizeof(b)), PSA_SUCCESS);
    assert_memory_not_equal(a, b, sizeof(a));
}

#define THREADS         8
#define KEYS_PER_THREAD 200

static void *key_churn(void *arg)
{
    uintptr_t failures = 0;
    uint8_t material[16];
    memset(material, (int)(uintptr_t)arg, sizeof(material));
    for (int i = 0; i < KEYS_PER_THREAD; i++) {
        psa_key_attributes_t attr = aes_attributes(PSA_KEY_USAGE_EXPORT, 0);
        psa_key_id_t id = 0;
        uint8_t out[16];
        size_t len = 0;
        failures += psa_import_key(&attr, material, sizeof(material), &id) != PSA_SUCCESS;
        failures += psa_export_key(id, out, sizeof(out), &len) != PSA_SUCCESS;
        failures += len != 16 || memcmp(out, material, 16) != 0;
        failures += psa_destroy_key(id) != PSA_SUCCESS;
    }
    return (void *)failures;
}

static void test_concurrent_key_use(void **state)
{
    (void)state;
    pthread_t threads[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, key_churn, (void *)(i + 1)), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        void *failures = NULL;
        assert_int_equal(pthread_join(threads[i], &failures), 0);
        assert_int_equal((uintptr_t)failures, 0);
    }
}

static int remove_state(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", state_dir);
    return system(cmd);
}

int main(void)
{
    if (mkdtemp(state_dir) == NULL) {
        return 1;
    }
    setenv("PSA_STATE_DIR", state_dir, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calls_before_init_are_bad_state),
        cmocka_unit_test(test_attribute_accessors),
        cmocka_unit_test(test_import_export_volatile),
        cmocka_unit_test(test_import_rejects_bad_input),
        cmocka_unit_test(test_export_policy),
        cmocka_unit_test(test_usage_implications),
        cmocka_unit_test(test_generate),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_destroy_and_purge),
        cmocka_unit_test(test_persistent_keys),
        cmocka_unit_test(test_list_keys),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_concurrent_key_use),
    };
    return cmocka_run_group_tests(tests, NULL, remove_state);
}
