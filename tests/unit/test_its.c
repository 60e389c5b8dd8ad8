/* Unit tests of the ITS engine and its key-storage adapter against Secure Storage API 1.0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage/its_key_storage.h"
#include "storage/its_store.h"
#include "storage_test_util.h"

typedef struct fixture {
    char *dir;
    its_store_t *its;
    its_store_config_t cfg;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    f->dir = stt_mkdtemp();
    f->cfg.dir = f->dir;
    f->cfg.max_object_size = 1024;
    f->cfg.owner_capacity = 4096;
    assert_int_equal(its_store_open(&f->cfg, &f->its), PSA_SUCCESS);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    its_store_close(f->its);
    stt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void reopen(fixture_t *f)
{
    its_store_close(f->its);
    f->its = NULL;
    assert_int_equal(its_store_open(&f->cfg, &f->its), PSA_SUCCESS);
}

static void expect_its_value(its_store_t *its, int32_t owner, uint64_t uid, const void *v, size_t n)
{
    uint8_t buf[2048];
    size_t got = 12345;
    assert_int_equal(its_store_get(its, owner, uid, 0, sizeof(buf), buf, &got), PSA_SUCCESS);
    assert_int_equal(got, n);
    if (n > 0) {
        assert_memory_equal(buf, v, n);
    }
}

static void test_set_get_roundtrip(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(its_store_set(f->its, 1, 7, 5, "hello", 0), PSA_SUCCESS);
    expect_its_value(f->its, 1, 7, "hello", 5);
    assert_int_equal(its_store_set(f->its, 1, 7, 3, "abc", 0), PSA_SUCCESS);
    expect_its_value(f->its, 1, 7, "abc", 3);
    reopen(f);
    expect_its_value(f->its, 1, 7, "abc", 3);
}

static void test_get_offsets(void **state)
{
    fixture_t *f = *state;
    uint8_t buf[16];
    size_t got;
    assert_int_equal(its_store_set(f->its, 1, 1, 10, "0123456789", 0), PSA_SUCCESS);
    assert_int_equal(its_store_get(f->its, 1, 1, 2, 3, buf, &got), PSA_SUCCESS);
    assert_int_equal(got, 3);
    assert_memory_equal(buf, "234", 3);
    /* Length past the end: the bytes that exist. */
    assert_int_equal(its_store_get(f->its, 1, 1, 7, 10, buf, &got), PSA_SUCCESS);
    assert_int_equal(got, 3);
    assert_memory_equal(buf, "789", 3);
    /* Offset at the end: nothing, successfully. */
    assert_int_equal(its_store_get(f->its, 1, 1, 10, 4, buf, &got), PSA_SUCCESS);
    assert_int_equal(got, 0);
    /* Offset past the end. */
    memset(buf, 0xAA, sizeof(buf));
    assert_int_equal(its_store_get(f->its, 1, 1, 11, 4, buf, &got), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(buf[0], 0xAA);
    /* Zero-length read. */
    assert_int_equal(its_store_get(f->its, 1, 1, 0, 0, NULL, &got), PSA_SUCCESS);
    assert_int_equal(got, 0);
    assert_int_equal(its_store_get(f->its, 1, 1, SIZE_MAX, 1, buf, &got),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(its_store_get(f->its, 1, 1, 0, 4, buf, NULL), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(its_store_get(f->its, 1, 1, 0, 4, NULL, &got), PSA_ERROR_INVALID_ARGUMENT);
}

/* A range ending beyond 32 bits is INVALID_ARGUMENT before anything else: before the buffer is
 * read (it is 5 bytes here), before the UID is looked up, before the flags are checked. */
static void test_range_beyond_32_bits(void **state)
{
    fixture_t *f = *state;
    uint8_t buf[16];
    size_t got = 99;
    assert_int_equal(its_store_set(f->its, 1, 7, 5, "hello", 0), PSA_SUCCESS);
    assert_int_equal(its_store_set(f->its, 1, 7, (size_t)UINT32_MAX + 1, "hello", 0),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(its_store_set(f->its, 1, 8, SIZE_MAX, "hello", 1u << 20),
                     PSA_ERROR_INVALID_ARGUMENT);
    memset(buf, 0xAA, sizeof(buf));
    assert_int_equal(its_store_get(f->its, 1, 7, 1, UINT32_MAX, buf, &got),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(got, 0);
    assert_int_equal(buf[0], 0xAA);
    assert_int_equal(its_store_get(f->its, 1, 8, 0, (size_t)UINT32_MAX + 1, buf, &got),
                     PSA_ERROR_INVALID_ARGUMENT);
    /* Up to the limit the range is fine. */
    assert_int_equal(its_store_get(f->its, 1, 7, 1, UINT32_MAX - 1, buf, &got), PSA_SUCCESS);
    assert_int_equal(got, 4);
    assert_memory_equal(buf, "ello", 4);
    expect_its_value(f->its, 1, 7, "hello", 5);
}

static void test_zero_length_object(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    size_t got = 99;
    uint8_t buf[4];
    assert_int_equal(its_store_set(f->its, 1, 2, 0, NULL, 0), PSA_SUCCESS);
    assert_int_equal(its_store_get(f->its, 1, 2, 0, sizeof(buf), buf, &got), PSA_SUCCESS);
    assert_int_equal(got, 0);
    assert_int_equal(its_store_get(f->its, 1, 2, 1, sizeof(buf), buf, &got),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(its_store_get_info(f->its, 1, 2, &info), PSA_SUCCESS);
    assert_int_equal(info.size, 0);
    assert_int_equal(info.capacity, 0);
    assert_int_equal(its_store_set(f->its, 1, 2, 1, NULL, 0), PSA_ERROR_INVALID_ARGUMENT);
}

static void test_uid_zero(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    size_t got;
    uint8_t buf[4];
    assert_int_equal(its_store_set(f->its, 1, 0, 1, "x", 0), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(its_store_get(f->its, 1, 0, 0, 4, buf, &got), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(its_store_get_info(f->its, 1, 0, &info), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(its_store_remove(f->its, 1, 0), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(its_store_get_info(f->its, 1, 1, NULL), PSA_ERROR_INVALID_ARGUMENT);
}

static void test_extreme_uid_and_owner(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(its_store_set(f->its, INT32_MIN, UINT64_MAX, 2, "hi", 0), PSA_SUCCESS);
    assert_int_equal(its_store_set(f->its, INT32_MAX, 1, 2, "yo", 0), PSA_SUCCESS);
    expect_its_value(f->its, INT32_MIN, UINT64_MAX, "hi", 2);
    expect_its_value(f->its, INT32_MAX, 1, "yo", 2);
}

static void test_does_not_exist(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    size_t got;
    uint8_t buf[4];
    assert_int_equal(its_store_get(f->its, 1, 5, 0, 4, buf, &got), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(its_store_get_info(f->its, 1, 5, &info), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(its_store_remove(f->its, 1, 5), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(its_store_set(f->its, 1, 5, 1, "x", 0), PSA_SUCCESS);
    assert_int_equal(its_store_remove(f->its, 1, 5), PSA_SUCCESS);
    assert_int_equal(its_store_get(f->its, 1, 5, 0, 4, buf, &got), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(its_store_remove(f->its, 1, 5), PSA_ERROR_DOES_NOT_EXIST);
}

static void test_flags(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    assert_int_equal(its_store_set(f->its, 1, 3, 1, "x", 1u << 3), PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(its_store_set(f->its, 1, 3, 1, "x", 0x80000000u), PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(its_store_get_info(f->its, 1, 3, &info), PSA_ERROR_DOES_NOT_EXIST);
    uint32_t fl = PSA_STORAGE_FLAG_NO_CONFIDENTIALITY | PSA_STORAGE_FLAG_NO_REPLAY_PROTECTION;
    assert_int_equal(its_store_set(f->its, 1, 3, 4, "abcd", fl), PSA_SUCCESS);
    assert_int_equal(its_store_get_info(f->its, 1, 3, &info), PSA_SUCCESS);
    assert_int_equal(info.flags, fl);
    assert_int_equal(info.size, 4);
    assert_int_equal(info.capacity, 4);
}

static void test_write_once(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    assert_int_equal(its_store_set(f->its, 1, 9, 4, "once", PSA_STORAGE_FLAG_WRITE_ONCE),
                     PSA_SUCCESS);
    assert_int_equal(its_store_set(f->its, 1, 9, 4, "twic", 0), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(its_store_set(f->its, 1, 9, 4, "twic", PSA_STORAGE_FLAG_WRITE_ONCE),
                     PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(its_store_remove(f->its, 1, 9), PSA_ERROR_NOT_PERMITTED);
    reopen(f);
    assert_int_equal(its_store_set(f->its, 1, 9, 4, "twic", 0), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(its_store_remove(f->its, 1, 9), PSA_ERROR_NOT_PERMITTED);
    expect_its_value(f->its, 1, 9, "once", 4);
    assert_int_equal(its_store_get_info(f->its, 1, 9, &info), PSA_SUCCESS);
    assert_int_equal(info.flags, PSA_STORAGE_FLAG_WRITE_ONCE);
    /* Write-once is per owner: another owner's UID 9 is independent. */
    assert_int_equal(its_store_set(f->its, 2, 9, 1, "z", 0), PSA_SUCCESS);
}

static void test_owner_isolation(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    size_t got;
    uint8_t buf[8];
    assert_int_equal(its_store_set(f->its, 10, 42, 3, "AAA", 0), PSA_SUCCESS);
    assert_int_equal(its_store_get(f->its, 11, 42, 0, 8, buf, &got), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(its_store_get_info(f->its, 11, 42, &info), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(its_store_remove(f->its, 11, 42), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(its_store_set(f->its, 11, 42, 2, "BB", 0), PSA_SUCCESS);
    expect_its_value(f->its, 10, 42, "AAA", 3);
    expect_its_value(f->its, 11, 42, "BB", 2);
    assert_int_equal(its_store_remove(f->its, 11, 42), PSA_SUCCESS);
    expect_its_value(f->its, 10, 42, "AAA", 3);
}

static void test_ns_list(void **state)
{
    fixture_t *f = *state;
    psa_storage_uid_t uids[8];
    size_t count = 99;
    assert_int_equal(its_store_ns_list(f->its, ITS_NS_KEY, 10, 0, uids, 8, &count), PSA_SUCCESS);
    assert_int_equal(count, 0);
    /* Owner 10's key records, another owner's, and owner 10's user objects. */
    static const psa_storage_uid_t mine[] = {3, 0x40, 0xffffffff, UINT64_MAX};
    for (size_t i = 4; i-- > 0;) {
        assert_int_equal(its_store_ns_set(f->its, ITS_NS_KEY, 10, mine[i], 1, "k", 0, 1),
                         PSA_SUCCESS);
    }
    assert_int_equal(its_store_ns_set(f->its, ITS_NS_KEY, 11, 5, 1, "k", 0, 1), PSA_SUCCESS);
    assert_int_equal(its_store_set(f->its, 10, 4, 1, "u", 0), PSA_SUCCESS);
    assert_int_equal(its_store_ns_list(f->its, ITS_NS_KEY, 10, 0, uids, 8, &count), PSA_SUCCESS);
    assert_int_equal(count, 4);
    assert_memory_equal(uids, mine, sizeof(mine));
    /* The smallest `max`, then onwards from the last. */
    assert_int_equal(its_store_ns_list(f->its, ITS_NS_KEY, 10, 0, uids, 2, &count), PSA_SUCCESS);
    assert_int_equal(count, 2);
    assert_memory_equal(uids, mine, 2 * sizeof(uids[0]));
    assert_int_equal(its_store_ns_list(f->its, ITS_NS_KEY, 10, 0x40, uids, 8, &count), PSA_SUCCESS);
    assert_int_equal(count, 2);
    assert_memory_equal(uids, mine + 2, 2 * sizeof(uids[0]));
    assert_int_equal(its_store_ns_list(f->its, ITS_NS_USER, 10, 0, uids, 8, &count), PSA_SUCCESS);
    assert_int_equal(count, 1);
    assert_int_equal(uids[0], 4);
    assert_int_equal(its_store_ns_list(f->its, ITS_NS_KEY, 11, 0, uids, 8, &count), PSA_SUCCESS);
    assert_int_equal(count, 1);
    assert_int_equal(uids[0], 5);
    /* A stray file with a near-miss name and a directory named like a record are not listed. */
    char path[4096];
    snprintf(path, sizeof(path), "%s/k_0000000a_00000000000000AB", f->dir);
    FILE *stray = fopen(path, "w");
    assert_non_null(stray);
    fclose(stray);
    snprintf(path, sizeof(path), "%s/k_0000000a_0000000000000077", f->dir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(its_store_ns_list(f->its, ITS_NS_KEY, 10, 0, uids, 8, &count), PSA_SUCCESS);
    assert_int_equal(count, 4);
    assert_int_equal(rmdir(path), 0);
    /* The key-storage adapter: 32-bit ids only, in order. */
    core_key_storage_t ks;
    assert_int_equal(its_key_storage_init(f->its, &ks), PSA_SUCCESS);
    uint32_t ids[8];
    assert_int_equal(ks.list(ks.ctx, 10, 0, ids, 8, &count), PSA_SUCCESS);
    assert_int_equal(count, 3);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[1], 0x40);
    assert_int_equal(ids[2], 0xffffffffu);
    assert_int_equal(ks.list(ks.ctx, 10, 3, ids, 1, &count), PSA_SUCCESS);
    assert_int_equal(count, 1);
    assert_int_equal(ids[0], 0x40);
    assert_int_equal(its_store_ns_list(NULL, ITS_NS_KEY, 10, 0, uids, 8, &count),
                     PSA_ERROR_INVALID_ARGUMENT);
}

static void test_max_object_size(void **state)
{
    fixture_t *f = *state;
    uint8_t big[1025];
    memset(big, 0x5A, sizeof(big));
    assert_int_equal(its_store_set(f->its, 1, 1, 3, "old", 0), PSA_SUCCESS);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(its_store_set(f->its, 1, 1, 1025, big, 0), PSA_ERROR_INSUFFICIENT_STORAGE);
        expect_its_value(f->its, 1, 1, "old", 3);
    }
    assert_int_equal(its_store_set(f->its, 1, 1, 1024, big, 0), PSA_SUCCESS);
    expect_its_value(f->its, 1, 1, big, 1024);
}

static void test_owner_capacity(void **state)
{
    fixture_t *f = *state;
    uint8_t blob[1000];
    memset(blob, 0x33, sizeof(blob));
    /* Capacity 4096: four 1000-byte objects fit, 96 bytes remain. */
    for (uint64_t uid = 1; uid <= 4; uid++) {
        assert_int_equal(its_store_set(f->its, 5, uid, 1000, blob, 0), PSA_SUCCESS);
    }
    for (int round = 0; round < 3; round++) {
        assert_int_equal(its_store_set(f->its, 5, 5, 97, blob, 0), PSA_ERROR_INSUFFICIENT_STORAGE);
        reopen(f);
    }
    assert_int_equal(its_store_set(f->its, 5, 5, 96, blob, 0), PSA_SUCCESS);
    for (int round = 0; round < 3; round++) {
        /* Growing an existing object past the budget fails and keeps the old value. */
        assert_int_equal(its_store_set(f->its, 5, 4, 1001, blob, 0),
                         PSA_ERROR_INSUFFICIENT_STORAGE);
        expect_its_value(f->its, 5, 4, blob, 1000);
        reopen(f);
    }
    /* Replacing counts only the new size. */
    assert_int_equal(its_store_set(f->its, 5, 4, 1000, blob, 0), PSA_SUCCESS);
    /* Another owner has its own budget. */
    assert_int_equal(its_store_set(f->its, 6, 1, 1000, blob, 0), PSA_SUCCESS);
    /* Removing frees space. */
    assert_int_equal(its_store_remove(f->its, 5, 1), PSA_SUCCESS);
    assert_int_equal(its_store_set(f->its, 5, 6, 1000, blob, 0), PSA_SUCCESS);
}

static void test_corrupt_record(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    size_t got;
    uint8_t buf[16];
    assert_int_equal(its_store_set(f->its, 1, 1, 5, "alpha", 0), PSA_SUCCESS);
    assert_int_equal(its_store_set(f->its, 1, 2, 4, "beta", 0), PSA_SUCCESS);
    char *path = stt_find_file(f->dir, "u_00000001_0000000000000001");
    assert_non_null(path);
    FILE *fp = fopen(path, "r+b");
    fseek(fp, 30, SEEK_SET);
    fputc('X', fp);
    fclose(fp);
    assert_int_equal(its_store_get(f->its, 1, 1, 0, 16, buf, &got), PSA_ERROR_DATA_CORRUPT);
    assert_int_equal(its_store_get_info(f->its, 1, 1, &info), PSA_ERROR_DATA_CORRUPT);
    expect_its_value(f->its, 1, 2, "beta", 4);
    assert_int_equal(truncate(path, 10), 0);
    assert_int_equal(its_store_get(f->its, 1, 1, 0, 16, buf, &got), PSA_ERROR_DATA_CORRUPT);
    /* A record filed under another name is refused. */
    char *other = stt_find_file(f->dir, "u_00000001_0000000000000002");
    stt_copy_file(other, path);
    assert_int_equal(its_store_get(f->its, 1, 1, 0, 16, buf, &got), PSA_ERROR_DATA_CORRUPT);
    expect_its_value(f->its, 1, 2, "beta", 4);
    free(path);
    free(other);
}

/* Damages the header of uid's record (owner 1) at byte `at`, or truncates it to `trunc`. */
static void damage_record(fixture_t *f, uint64_t uid, long at, off_t trunc)
{
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "u_00000001_%016llx", (unsigned long long)uid);
    char *path = stt_find_file(f->dir, prefix);
    assert_non_null(path);
    if (trunc >= 0) {
        assert_int_equal(truncate(path, trunc), 0);
    } else {
        FILE *fp = fopen(path, "r+b");
        fseek(fp, at, SEEK_SET);
        int c = fgetc(fp);
        fseek(fp, at, SEEK_SET);
        fputc(c ^ 0x5a, fp);
        fclose(fp);
    }
    free(path);
}

/* A record whose header cannot prove WRITE_ONCE can be replaced and removed; one whose header
 * still says WRITE_ONCE cannot, even if its body is damaged. */
static void test_corrupt_record_replace_remove(void **state)
{
    fixture_t *f = *state;
    uint8_t buf[16];
    size_t got;
    for (uint64_t uid = 1; uid <= 4; uid++) {
        assert_int_equal(its_store_set(f->its, 1, uid, 5, "alpha", 0), PSA_SUCCESS);
    }
    damage_record(f, 1, 0, -1);  /* magic */
    damage_record(f, 2, -1, 10); /* truncated inside the header */
    damage_record(f, 3, 12, -1); /* uid field: names another object */
    damage_record(f, 4, 24, -1); /* size field */
    for (uint64_t uid = 1; uid <= 4; uid++) {
        assert_int_equal(its_store_get(f->its, 1, uid, 0, 16, buf, &got), PSA_ERROR_DATA_CORRUPT);
    }
    assert_int_equal(its_store_set(f->its, 1, 1, 3, "new", 0), PSA_SUCCESS);
    expect_its_value(f->its, 1, 1, "new", 3);
    assert_int_equal(its_store_remove(f->its, 1, 2), PSA_SUCCESS);
    assert_int_equal(its_store_get(f->its, 1, 2, 0, 16, buf, &got), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(its_store_remove(f->its, 1, 3), PSA_SUCCESS);
    assert_int_equal(its_store_set(f->its, 1, 4, 2, "ok", 0), PSA_SUCCESS);
    expect_its_value(f->its, 1, 4, "ok", 2);
    /* A write-once record with a damaged body stays write-once. */
    assert_int_equal(its_store_set(f->its, 1, 5, 5, "fixed", PSA_STORAGE_FLAG_WRITE_ONCE),
                     PSA_SUCCESS);
    damage_record(f, 5, 30, -1);
    assert_int_equal(its_store_get(f->its, 1, 5, 0, 16, buf, &got), PSA_ERROR_DATA_CORRUPT);
    assert_int_equal(its_store_set(f->its, 1, 5, 1, "x", 0), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(its_store_remove(f->its, 1, 5), PSA_ERROR_NOT_PERMITTED);
    damage_record(f, 5, -1, 40); /* truncated body, header intact */
    assert_int_equal(its_store_remove(f->its, 1, 5), PSA_ERROR_NOT_PERMITTED);
    /* The key namespace: a damaged key record can be destroyed, but not created over. */
    assert_int_equal(its_store_ns_set(f->its, ITS_NS_KEY, 1, 7, 3, "key", 0, 1), PSA_SUCCESS);
    char *path = stt_find_file(f->dir, "k_00000001_0000000000000007");
    assert_non_null(path);
    assert_int_equal(truncate(path, 5), 0);
    free(path);
    assert_int_equal(its_store_ns_set(f->its, ITS_NS_KEY, 1, 7, 3, "kez", 0, 1),
                     PSA_ERROR_DATA_CORRUPT);
    assert_int_equal(its_store_ns_remove(f->its, ITS_NS_KEY, 1, 7), PSA_SUCCESS);
    assert_int_equal(its_store_ns_set(f->its, ITS_NS_KEY, 1, 7, 3, "kez", 0, 1), PSA_SUCCESS);
}

static void test_leftovers_removed(void **state)
{
    fixture_t *f = *state;
    char path[4096];
    snprintf(path, sizeof(path), "%s/u_00000001_0000000000000009.tmp", f->dir);
    FILE *fp = fopen(path, "wb");
    fputs("partial", fp);
    fclose(fp);
    snprintf(path, sizeof(path), "%s/unrelated.tmp", f->dir);
    fp = fopen(path, "wb");
    fclose(fp);
    reopen(f);
    assert_int_equal(stt_count_files(f->dir, ".tmp"), 1); /* only the foreign one stays */
    assert_int_equal(its_store_set(f->its, 1, 1, 1, "x", 0), PSA_SUCCESS);
    assert_int_equal(stt_count_files(f->dir, ".tmp"), 1);
}

static void test_key_storage(void **state)
{
    fixture_t *f = *state;
    core_key_storage_t ks;
    uint8_t buf[64];
    size_t len = 0;
    assert_int_equal(its_key_storage_init(f->its, &ks), PSA_SUCCESS);
    assert_int_equal(ks.load(ks.ctx, 3, 77, buf, sizeof(buf), &len), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(ks.remove(ks.ctx, 3, 77), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(ks.store(ks.ctx, 3, 77, (const uint8_t *)"keyrecord", 9), PSA_SUCCESS);
    assert_int_equal(ks.store(ks.ctx, 3, 77, (const uint8_t *)"other", 5),
                     PSA_ERROR_ALREADY_EXISTS);
    assert_int_equal(ks.load(ks.ctx, 3, 77, buf, 4, &len), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 9);
    assert_int_equal(ks.load(ks.ctx, 3, 77, buf, sizeof(buf), &len), PSA_SUCCESS);
    assert_int_equal(len, 9);
    assert_memory_equal(buf, "keyrecord", 9);
    /* The user namespace cannot see or touch the key record, and vice versa. */
    struct psa_storage_info_t info;
    assert_int_equal(its_store_get_info(f->its, 3, 77, &info), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(its_store_set(f->its, 3, 77, 4, "user", 0), PSA_SUCCESS);
    assert_int_equal(its_store_remove(f->its, 3, 77), PSA_SUCCESS);
    assert_int_equal(ks.load(ks.ctx, 3, 77, buf, sizeof(buf), &len), PSA_SUCCESS);
    assert_int_equal(ks.load(ks.ctx, 4, 77, buf, sizeof(buf), &len), PSA_ERROR_DOES_NOT_EXIST);
    reopen(f);
    assert_int_equal(its_key_storage_init(f->its, &ks), PSA_SUCCESS);
    assert_int_equal(ks.load(ks.ctx, 3, 77, buf, sizeof(buf), &len), PSA_SUCCESS);
    assert_int_equal(ks.remove(ks.ctx, 3, 77), PSA_SUCCESS);
    assert_int_equal(ks.load(ks.ctx, 3, 77, buf, sizeof(buf), &len), PSA_ERROR_DOES_NOT_EXIST);
}

static void test_open_arguments(void **state)
{
    (void)state;
    its_store_t *its = NULL;
    its_store_config_t cfg = {0};
    assert_int_equal(its_store_open(NULL, &its), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(its_store_open(&cfg, &its), PSA_ERROR_INVALID_ARGUMENT);
    its_store_close(NULL);
}

/* A link planted under the temporary name is replaced, not followed; an object name that is a
 * link, FIFO or directory is damage (and a FIFO must not block the call). */
static void test_non_regular_entries(void **state)
{
    fixture_t *f = *state;
    char victim[1100], tmp[1100], obj[1100];
    uint8_t buf[16];
    size_t got;
    snprintf(victim, sizeof(victim), "%s/../victim-%d", f->dir, (int)getpid());
    FILE *fp = fopen(victim, "wb");
    fputs("precious", fp);
    fclose(fp);
    snprintf(tmp, sizeof(tmp), "%s/u_00000001_0000000000000001.tmp", f->dir);
    snprintf(obj, sizeof(obj), "%s/u_00000001_0000000000000001", f->dir);
    assert_int_equal(symlink(victim, tmp), 0);
    assert_int_equal(its_store_set(f->its, 1, 1, 3, "one", 0), PSA_SUCCESS);
    fp = fopen(victim, "rb");
    assert_int_equal(fread(buf, 1, sizeof(buf), fp), 8);
    fclose(fp);
    assert_memory_equal(buf, "precious", 8);
    expect_its_value(f->its, 1, 1, "one", 3);
    /* The object itself a symlink to a valid record: not followed on read. */
    char copy[1100];
    snprintf(copy, sizeof(copy), "%s/../copy-%d", f->dir, (int)getpid());
    stt_copy_file(obj, copy);
    assert_int_equal(unlink(obj), 0);
    assert_int_equal(symlink(copy, obj), 0);
    assert_int_equal(its_store_get(f->its, 1, 1, 0, 16, buf, &got), PSA_ERROR_DATA_CORRUPT);
    assert_int_equal(its_store_remove(f->its, 1, 1), PSA_SUCCESS);
    assert_int_equal(access(copy, F_OK), 0);
    /* A FIFO. */
    assert_int_equal(mkfifo(obj, 0600), 0);
    alarm(10);
    assert_int_equal(its_store_get(f->its, 1, 1, 0, 16, buf, &got), PSA_ERROR_DATA_CORRUPT);
    struct psa_storage_info_t info;
    assert_int_equal(its_store_get_info(f->its, 1, 1, &info), PSA_ERROR_DATA_CORRUPT);
    assert_int_equal(its_store_set(f->its, 1, 1, 3, "two", 0), PSA_SUCCESS);
    alarm(0);
    expect_its_value(f->its, 1, 1, "two", 3);
    unlink(victim);
    unlink(copy);
}

/* Parent and child of a fork() write through one handle at once; every call succeeds and every
 * acknowledged value is there (the lock must not be shared through the inherited descriptor). */
static void test_fork_concurrent_writers(void **state)
{
    fixture_t *f = *state;
    enum { WRITES = 40 };
    f->cfg.owner_capacity = 1u << 20;
    reopen(f);
    pid_t pid = fork();
    assert_true(pid >= 0);
    uint64_t first = pid == 0 ? 2001 : 1001;
    int failures = 0;
    for (uint64_t i = 0; i < WRITES; i++) {
        uint64_t v = first + i;
        failures += its_store_set(f->its, 1, first + i, sizeof(v), &v, 0) != PSA_SUCCESS;
        /* Both also write one shared object: same temporary name, so they must serialise. */
        failures += its_store_set(f->its, 1, 7, sizeof(v), &v, 0) != PSA_SUCCESS;
    }
    if (pid == 0) {
        _exit(failures == 0 ? 0 : 1);
    }
    int wst;
    assert_int_equal(waitpid(pid, &wst, 0), pid);
    assert_true(WIFEXITED(wst));
    assert_int_equal(WEXITSTATUS(wst), 0);
    assert_int_equal(failures, 0);
    for (uint64_t i = 0; i < WRITES; i++) {
        uint64_t a = 1001 + i, b = 2001 + i;
        expect_its_value(f->its, 1, a, &a, sizeof(a));
        expect_its_value(f->its, 1, b, &b, sizeof(b));
    }
    uint64_t last;
    size_t got;
    assert_int_equal(its_store_get(f->its, 1, 7, 0, sizeof(last), &last, &got), PSA_SUCCESS);
    assert_int_equal(got, sizeof(last));
    assert_true(last == 1001 + WRITES - 1 || last == 2001 + WRITES - 1);
    assert_int_equal(stt_count_files(f->dir, ".tmp"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_set_get_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range_beyond_32_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_length_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uid_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extreme_uid_and_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_does_not_exist, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_owner_isolation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_object_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_owner_capacity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_record_replace_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leftovers_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_storage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_regular_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ns_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fork_concurrent_writers, setup, teardown),
        cmocka_unit_test(test_open_arguments),
    };
    return cmocka_run_group_tests_name("its", tests, NULL, NULL);
}
