/* Unit tests of the PS engine: Secure Storage API 1.0 behaviour, tamper and rollback detection. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage/ps_store.h"
#include "storage_test_util.h"

typedef struct fixture {
    char *root;
    char trusted[1024];
    char external[1024];
    ps_store_t *ps;
    ps_store_config_t cfg;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    f->root = stt_mkdtemp();
    snprintf(f->trusted, sizeof(f->trusted), "%s/its", f->root);
    snprintf(f->external, sizeof(f->external), "%s/ps", f->root);
    f->cfg.trusted_dir = f->trusted;
    f->cfg.external_dir = f->external;
    f->cfg.max_object_size = 1024;
    f->cfg.owner_capacity = 4096;
    assert_int_equal(ps_store_open(&f->cfg, &f->ps), PSA_SUCCESS);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    ps_store_close(f->ps);
    stt_rmtree(f->root);
    free(f->root);
    free(f);
    return 0;
}

static void reopen(fixture_t *f)
{
    ps_store_close(f->ps);
    f->ps = NULL;
    assert_int_equal(ps_store_open(&f->cfg, &f->ps), PSA_SUCCESS);
}

static void expect_ps_value(ps_store_t *ps, int32_t owner, uint64_t uid, const void *v, size_t n)
{
    uint8_t buf[2048];
    size_t got = 12345;
    assert_int_equal(ps_store_get(ps, owner, uid, 0, sizeof(buf), buf, &got), PSA_SUCCESS);
    assert_int_equal(got, n);
    if (n > 0) {
        assert_memory_equal(buf, v, n);
    }
}

static psa_status_t get_status(ps_store_t *ps, int32_t owner, uint64_t uid)
{
    uint8_t buf[2048];
    size_t got;
    return ps_store_get(ps, owner, uid, 0, sizeof(buf), buf, &got);
}

static char *object_file(fixture_t *f, int32_t owner, uint64_t uid)
{
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "%08x_%016llx_", (unsigned)owner, (unsigned long long)uid);
    return stt_find_file(f->external, prefix);
}

static void test_set_get_roundtrip(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(ps_store_set(f->ps, 1, 7, 5, "hello", 0), PSA_SUCCESS);
    expect_ps_value(f->ps, 1, 7, "hello", 5);
    assert_int_equal(ps_store_set(f->ps, 1, 7, 3, "abc", 0), PSA_SUCCESS);
    expect_ps_value(f->ps, 1, 7, "abc", 3);
    reopen(f);
    expect_ps_value(f->ps, 1, 7, "abc", 3);
    assert_int_equal(stt_count_files(f->external, ".ps"), 1);
}

static void test_get_offsets(void **state)
{
    fixture_t *f = *state;
    uint8_t buf[16];
    size_t got;
    assert_int_equal(ps_store_set(f->ps, 1, 1, 10, "0123456789", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_get(f->ps, 1, 1, 2, 3, buf, &got), PSA_SUCCESS);
    assert_int_equal(got, 3);
    assert_memory_equal(buf, "234", 3);
    assert_int_equal(ps_store_get(f->ps, 1, 1, 7, 10, buf, &got), PSA_SUCCESS);
    assert_int_equal(got, 3);
    assert_memory_equal(buf, "789", 3);
    assert_int_equal(ps_store_get(f->ps, 1, 1, 10, 4, buf, &got), PSA_SUCCESS);
    assert_int_equal(got, 0);
    assert_int_equal(ps_store_get(f->ps, 1, 1, 11, 4, buf, &got), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_get(f->ps, 1, 1, 0, 0, NULL, &got), PSA_SUCCESS);
    assert_int_equal(got, 0);
    assert_int_equal(ps_store_get(f->ps, 1, 1, 0, 4, buf, NULL), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_get(f->ps, 1, 1, 0, 4, NULL, &got), PSA_ERROR_INVALID_ARGUMENT);
}

static void test_zero_length_and_uid_zero(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    uint8_t buf[4];
    size_t got = 1;
    assert_int_equal(ps_store_set(f->ps, 1, 2, 0, NULL, 0), PSA_SUCCESS);
    assert_int_equal(ps_store_get(f->ps, 1, 2, 0, 4, buf, &got), PSA_SUCCESS);
    assert_int_equal(got, 0);
    assert_int_equal(ps_store_get_info(f->ps, 1, 2, &info), PSA_SUCCESS);
    assert_int_equal(info.size, 0);
    assert_int_equal(info.capacity, 0);
    assert_int_equal(ps_store_set(f->ps, 1, 0, 1, "x", 0), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_get(f->ps, 1, 0, 0, 4, buf, &got), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_get_info(f->ps, 1, 0, &info), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_remove(f->ps, 1, 0), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_create(f->ps, 1, 0, 8, 0), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 0, 0, 1, "x"), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_set(f->ps, 1, 3, 1, NULL, 0), PSA_ERROR_INVALID_ARGUMENT);
}

static void test_does_not_exist(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    assert_int_equal(get_status(f->ps, 1, 5), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(ps_store_get_info(f->ps, 1, 5, &info), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(ps_store_remove(f->ps, 1, 5), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 5, 0, 1, "x"), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(ps_store_set(f->ps, 1, 5, 1, "x", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_remove(f->ps, 1, 5), PSA_SUCCESS);
    assert_int_equal(get_status(f->ps, 1, 5), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(stt_count_files(f->external, ".ps"), 0);
}

static void test_flags_and_info(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    assert_int_equal(ps_store_set(f->ps, 1, 3, 1, "x", 1u << 3), PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(ps_store_get_info(f->ps, 1, 3, &info), PSA_ERROR_DOES_NOT_EXIST);
    uint32_t fl = PSA_STORAGE_FLAG_NO_CONFIDENTIALITY | PSA_STORAGE_FLAG_NO_REPLAY_PROTECTION;
    assert_int_equal(ps_store_set(f->ps, 1, 3, 4, "abcd", fl), PSA_SUCCESS);
    assert_int_equal(ps_store_get_info(f->ps, 1, 3, &info), PSA_SUCCESS);
    assert_int_equal(info.flags, fl);
    assert_int_equal(info.size, 4);
    assert_int_equal(info.capacity, 4);
    assert_int_equal(ps_store_get_info(f->ps, 1, 3, NULL), PSA_ERROR_INVALID_ARGUMENT);
}

static void test_write_once(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(ps_store_set(f->ps, 1, 9, 4, "once", PSA_STORAGE_FLAG_WRITE_ONCE),
                     PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 1, 9, 4, "twic", 0), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(ps_store_remove(f->ps, 1, 9), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 9, 0, 1, "x"), PSA_ERROR_NOT_PERMITTED);
    reopen(f);
    assert_int_equal(ps_store_set(f->ps, 1, 9, 4, "twic", 0), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(ps_store_remove(f->ps, 1, 9), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(ps_store_create(f->ps, 1, 9, 8, 0), PSA_ERROR_ALREADY_EXISTS);
    expect_ps_value(f->ps, 1, 9, "once", 4);
}

static void test_owner_isolation(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    assert_int_equal(ps_store_set(f->ps, 10, 42, 3, "AAA", 0), PSA_SUCCESS);
    assert_int_equal(get_status(f->ps, 11, 42), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(ps_store_get_info(f->ps, 11, 42, &info), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(ps_store_remove(f->ps, 11, 42), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(ps_store_set(f->ps, 11, 42, 2, "BB", 0), PSA_SUCCESS);
    expect_ps_value(f->ps, 10, 42, "AAA", 3);
    expect_ps_value(f->ps, 11, 42, "BB", 2);
    /* A file copied to the other owner's name does not authenticate there. */
    char *a = object_file(f, 10, 42);
    char *b = object_file(f, 11, 42);
    stt_copy_file(a, b);
    assert_int_equal(get_status(f->ps, 11, 42), PSA_ERROR_INVALID_SIGNATURE);
    expect_ps_value(f->ps, 10, 42, "AAA", 3);
    free(a);
    free(b);
}

static void test_limits(void **state)
{
    fixture_t *f = *state;
    uint8_t blob[1025];
    memset(blob, 0x44, sizeof(blob));
    assert_int_equal(ps_store_set(f->ps, 1, 1, 3, "old", 0), PSA_SUCCESS);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ps_store_set(f->ps, 1, 1, 1025, blob, 0),
                         PSA_ERROR_INSUFFICIENT_STORAGE);
        assert_int_equal(ps_store_create(f->ps, 1, 2, 1025, 0), PSA_ERROR_INSUFFICIENT_STORAGE);
        expect_ps_value(f->ps, 1, 1, "old", 3);
    }
    assert_int_equal(ps_store_set(f->ps, 1, 1, 1024, blob, 0), PSA_SUCCESS);
    for (uint64_t uid = 2; uid <= 4; uid++) {
        assert_int_equal(ps_store_set(f->ps, 1, uid, 1000, blob, 0), PSA_SUCCESS);
    }
    /* 4024 of 4096 used. */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ps_store_set(f->ps, 1, 5, 73, blob, 0), PSA_ERROR_INSUFFICIENT_STORAGE);
        assert_int_equal(ps_store_create(f->ps, 1, 5, 73, 0), PSA_ERROR_INSUFFICIENT_STORAGE);
        assert_int_equal(ps_store_set(f->ps, 1, 4, 1073, blob, 0),
                         PSA_ERROR_INSUFFICIENT_STORAGE);
        expect_ps_value(f->ps, 1, 4, blob, 1000);
        reopen(f);
    }
    assert_int_equal(ps_store_create(f->ps, 1, 5, 72, 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 2, 5, 1000, blob, 0), PSA_SUCCESS);
}

static void test_create_and_set_extended(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    uint8_t buf[32];
    size_t got;
    assert_int_equal(ps_store_get_support(f->ps), PSA_STORAGE_SUPPORT_SET_EXTENDED);
    assert_int_equal(ps_store_create(f->ps, 1, 20, 16, PSA_STORAGE_FLAG_WRITE_ONCE),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(ps_store_create(f->ps, 1, 20, 16, 1u << 5), PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(ps_store_create(f->ps, 1, 20, 16, PSA_STORAGE_FLAG_NO_CONFIDENTIALITY),
                     PSA_SUCCESS);
    assert_int_equal(ps_store_get_info(f->ps, 1, 20, &info), PSA_SUCCESS);
    assert_int_equal(info.capacity, 16);
    assert_int_equal(info.size, 0);
    assert_int_equal(info.flags, PSA_STORAGE_FLAG_NO_CONFIDENTIALITY);
    assert_int_equal(ps_store_create(f->ps, 1, 20, 16, 0), PSA_ERROR_ALREADY_EXISTS);
    assert_int_equal(ps_store_get(f->ps, 1, 20, 0, sizeof(buf), buf, &got), PSA_SUCCESS);
    assert_int_equal(got, 0);
    /* Writes must start at or before the end and stay within the capacity. */
    assert_int_equal(ps_store_set_extended(f->ps, 1, 20, 1, 2, "xy"), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 20, 0, 17, buf), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 20, 0, 1, NULL), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 20, 0, 6, "abcdef"), PSA_SUCCESS);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 20, 6, 4, "ghij"), PSA_SUCCESS);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 20, 2, 2, "CD"), PSA_SUCCESS);
    expect_ps_value(f->ps, 1, 20, "abCDefghij", 10);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 20, 10, 6, "klmnop"), PSA_SUCCESS);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 20, 16, 0, NULL), PSA_SUCCESS);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 20, 16, 1, "q"), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 20, SIZE_MAX, 2, "qq"),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_get_info(f->ps, 1, 20, &info), PSA_SUCCESS);
    assert_int_equal(info.capacity, 16);
    assert_int_equal(info.size, 16);
    reopen(f);
    expect_ps_value(f->ps, 1, 20, "abCDefghijklmnop", 16);
    /* psa_ps_set replaces the object, capacity included. */
    assert_int_equal(ps_store_set(f->ps, 1, 20, 3, "new", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_get_info(f->ps, 1, 20, &info), PSA_SUCCESS);
    assert_int_equal(info.capacity, 3);
    assert_int_equal(info.size, 3);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 20, 3, 1, "!"), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(stt_count_files(f->external, ".ps"), 1);
}

/* A range ending beyond 32 bits is INVALID_ARGUMENT before anything else: before the buffer is
 * read, before the UID is looked up (a missing one too), before the flags are checked. */
static void test_range_beyond_32_bits(void **state)
{
    fixture_t *f = *state;
    uint8_t buf[16];
    size_t got = 99;
    assert_int_equal(ps_store_create(f->ps, 1, 30, 16, 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 30, 0, 4, "abcd"), PSA_SUCCESS);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 30, 4, UINT32_MAX, "efgh"),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 31, 4, UINT32_MAX, "efgh"),
                     PSA_ERROR_INVALID_ARGUMENT); /* missing: still the parameter error */
    assert_int_equal(ps_store_set_extended(f->ps, 1, 30, (size_t)UINT32_MAX + 1, 0, NULL),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_set(f->ps, 1, 30, (size_t)UINT32_MAX + 1, "abcd", 0),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_set(f->ps, 1, 31, SIZE_MAX, "abcd", 1u << 20),
                     PSA_ERROR_INVALID_ARGUMENT);
    memset(buf, 0xAA, sizeof(buf));
    assert_int_equal(ps_store_get(f->ps, 1, 30, 2, UINT32_MAX, buf, &got),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(got, 0);
    assert_int_equal(buf[0], 0xAA);
    assert_int_equal(ps_store_get(f->ps, 1, 31, 0, SIZE_MAX, buf, &got),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ps_store_get(f->ps, 1, 30, 2, UINT32_MAX - 2, buf, &got), PSA_SUCCESS);
    assert_int_equal(got, 2);
    assert_memory_equal(buf, "cd", 2);
    expect_ps_value(f->ps, 1, 30, "abcd", 4);
}

static void test_files_are_encrypted(void **state)
{
    fixture_t *f = *state;
    const char secret[] = "very-secret-plaintext-marker";
    assert_int_equal(ps_store_set(f->ps, 1, 1, sizeof(secret), secret,
                                  PSA_STORAGE_FLAG_NO_CONFIDENTIALITY),
                     PSA_SUCCESS);
    char *path = object_file(f, 1, 1);
    FILE *fp = fopen(path, "rb");
    char buf[512];
    size_t n = fread(buf, 1, sizeof(buf), fp);
    fclose(fp);
    assert_null(memmem(buf, n, "secret-plaintext", 16));
    free(path);
    char huk[4096];
    struct stat st;
    snprintf(huk, sizeof(huk), "%s/ps.huk", f->trusted);
    assert_int_equal(stat(huk, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);
}

static void test_tamper_flip_byte(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    assert_int_equal(ps_store_set(f->ps, 1, 1, 8, "object-1", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 1, 2, 8, "object-2", 0), PSA_SUCCESS);
    char *path = object_file(f, 1, 1);
    FILE *fp = fopen(path, "r+b");
    fseek(fp, 54, SEEK_SET); /* inside the ciphertext */
    int c = fgetc(fp);
    fseek(fp, 54, SEEK_SET);
    fputc(c ^ 0x01, fp);
    fclose(fp);
    assert_int_equal(get_status(f->ps, 1, 1), PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(ps_store_set_extended(f->ps, 1, 1, 0, 1, "x"),
                     PSA_ERROR_INVALID_SIGNATURE);
    expect_ps_value(f->ps, 1, 2, "object-2", 8);
    /* The tag itself. */
    struct stat st;
    stat(path, &st);
    fp = fopen(path, "r+b");
    fseek(fp, st.st_size - 1, SEEK_SET);
    fputc(0, fp);
    fclose(fp);
    assert_int_equal(get_status(f->ps, 1, 1), PSA_ERROR_INVALID_SIGNATURE);
    /* A damaged object can still be inspected, removed and rewritten. */
    assert_int_equal(ps_store_get_info(f->ps, 1, 1, &info), PSA_SUCCESS);
    assert_int_equal(ps_store_remove(f->ps, 1, 1), PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 1, 1, 3, "new", 0), PSA_SUCCESS);
    expect_ps_value(f->ps, 1, 1, "new", 3);
    free(path);
}

static void test_tamper_structure(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(ps_store_set(f->ps, 1, 1, 8, "object-1", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 1, 2, 8, "object-2", 0), PSA_SUCCESS);
    char *path = object_file(f, 1, 1);
    assert_int_equal(truncate(path, 30), 0);
    assert_int_equal(get_status(f->ps, 1, 1), PSA_ERROR_DATA_CORRUPT);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(get_status(f->ps, 1, 1), PSA_ERROR_DATA_CORRUPT);
    expect_ps_value(f->ps, 1, 2, "object-2", 8);
    free(path);
}

static void test_swap_files(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(ps_store_set(f->ps, 1, 1, 8, "object-1", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 1, 2, 8, "object-2", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 1, 3, 8, "object-3", 0), PSA_SUCCESS);
    char *a = object_file(f, 1, 1);
    char *b = object_file(f, 1, 2);
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s/swap", f->root);
    assert_int_equal(rename(a, tmp), 0);
    assert_int_equal(rename(b, a), 0);
    assert_int_equal(rename(tmp, b), 0);
    assert_int_equal(get_status(f->ps, 1, 1), PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(get_status(f->ps, 1, 2), PSA_ERROR_INVALID_SIGNATURE);
    expect_ps_value(f->ps, 1, 3, "object-3", 8);
    free(a);
    free(b);
}

static void test_rollback_one_object(void **state)
{
    fixture_t *f = *state;
    char saved[4096];
    snprintf(saved, sizeof(saved), "%s/saved", f->root);
    assert_int_equal(ps_store_set(f->ps, 1, 1, 5, "first", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 1, 2, 5, "other", 0), PSA_SUCCESS);
    char *old = object_file(f, 1, 1);
    stt_copy_file(old, saved);
    assert_int_equal(ps_store_set(f->ps, 1, 1, 6, "second", 0), PSA_SUCCESS);
    char *cur = object_file(f, 1, 1);
    /* The old copy put back under the current name, and under its own name. */
    stt_copy_file(saved, cur);
    assert_int_equal(get_status(f->ps, 1, 1), PSA_ERROR_DATA_CORRUPT);
    unlink(cur);
    stt_copy_file(saved, old);
    assert_int_equal(get_status(f->ps, 1, 1), PSA_ERROR_DATA_CORRUPT);
    reopen(f); /* recovery must not resurrect the old version */
    assert_int_equal(get_status(f->ps, 1, 1), PSA_ERROR_DATA_CORRUPT);
    expect_ps_value(f->ps, 1, 2, "other", 5);
    free(old);
    free(cur);
}

static void test_rollback_whole_dir(void **state)
{
    fixture_t *f = *state;
    char snap[4096];
    snprintf(snap, sizeof(snap), "%s/snapshot", f->root);
    assert_int_equal(ps_store_set(f->ps, 1, 1, 5, "one-1", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 1, 2, 5, "two-1", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 1, 3, 5, "thr-1", 0), PSA_SUCCESS);
    stt_copy_dir(f->external, snap);
    assert_int_equal(ps_store_set(f->ps, 1, 1, 5, "one-2", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_remove(f->ps, 1, 3), PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 1, 4, 5, "fou-1", 0), PSA_SUCCESS);
    ps_store_close(f->ps);
    f->ps = NULL;
    stt_rmtree(f->external);
    stt_copy_dir(snap, f->external);
    assert_int_equal(ps_store_open(&f->cfg, &f->ps), PSA_SUCCESS);
    assert_int_equal(get_status(f->ps, 1, 1), PSA_ERROR_DATA_CORRUPT); /* rolled back */
    expect_ps_value(f->ps, 1, 2, "two-1", 5);                         /* unchanged */
    assert_int_equal(get_status(f->ps, 1, 3), PSA_ERROR_DOES_NOT_EXIST); /* stays removed */
    assert_int_equal(get_status(f->ps, 1, 4), PSA_ERROR_DATA_CORRUPT); /* lost by the restore */
}

static void test_truncated_table(void **state)
{
    fixture_t *f = *state;
    struct psa_storage_info_t info;
    char table[4096];
    snprintf(table, sizeof(table), "%s/ps.table", f->trusted);
    assert_int_equal(ps_store_set(f->ps, 1, 1, 5, "one-1", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 1, 2, 5, "two-1", 0), PSA_SUCCESS);
    assert_int_equal(truncate(table, 100), 0);
    assert_int_equal(get_status(f->ps, 1, 1), PSA_ERROR_DATA_CORRUPT);
    assert_int_equal(ps_store_get_info(f->ps, 1, 2, &info), PSA_ERROR_DATA_CORRUPT);
    assert_int_equal(ps_store_set(f->ps, 1, 3, 1, "x", 0), PSA_ERROR_DATA_CORRUPT);
    assert_int_equal(ps_store_remove(f->ps, 1, 1), PSA_ERROR_DATA_CORRUPT);
    reopen(f);
    /* Damage never triggers clean-up: the object files are all still there. */
    assert_int_equal(stt_count_files(f->external, ".ps"), 2);
    assert_int_equal(get_status(f->ps, 1, 2), PSA_ERROR_DATA_CORRUPT);
    unlink(table);
    reopen(f);
    assert_int_equal(get_status(f->ps, 1, 2), PSA_ERROR_DATA_CORRUPT);
    assert_int_equal(stt_count_files(f->external, ".ps"), 2);
}

static void test_torn_table_slot_falls_back(void **state)
{
    fixture_t *f = *state;
    char table[4096];
    snprintf(table, sizeof(table), "%s/ps.table", f->trusted);
    assert_int_equal(ps_store_set(f->ps, 1, 1, 5, "one-1", 0), PSA_SUCCESS); /* slot B */
    assert_int_equal(ps_store_set(f->ps, 1, 2, 5, "two-1", 0), PSA_SUCCESS); /* slot A */
    /* Damage slot A (the latest): slot B is older, so object 2 is unknown there and its
     * file is a leftover; object 1 is intact. This is what a torn slot write looks like. */
    FILE *fp = fopen(table, "r+b");
    fseek(fp, 8, SEEK_SET);
    fputc(0xFF, fp);
    fclose(fp);
    reopen(f);
    expect_ps_value(f->ps, 1, 1, "one-1", 5);
    assert_int_equal(get_status(f->ps, 1, 2), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(stt_count_files(f->external, ".ps"), 1);
}

static void test_recovery_removes_leftovers(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(ps_store_set(f->ps, 1, 1, 5, "one-1", 0), PSA_SUCCESS);
    char path[4096];
    snprintf(path, sizeof(path), "%s/00000001_0000000000000001_00000000000000ff.ps", f->external);
    char *cur = object_file(f, 1, 1);
    stt_copy_file(cur, path);
    free(cur);
    snprintf(path, sizeof(path), "%s/keep-me.txt", f->external);
    FILE *fp = fopen(path, "wb");
    fclose(fp);
    assert_int_equal(stt_count_files(f->external, ".ps"), 2);
    reopen(f);
    assert_int_equal(stt_count_files(f->external, ".ps"), 1);
    assert_int_equal(stt_count_files(f->external, ".txt"), 1);
    expect_ps_value(f->ps, 1, 1, "one-1", 5);
}

static void test_damaged_huk(void **state)
{
    fixture_t *f = *state;
    char huk[4096];
    ps_store_close(f->ps);
    f->ps = NULL;
    snprintf(huk, sizeof(huk), "%s/ps.huk", f->trusted);
    assert_int_equal(truncate(huk, 16), 0);
    assert_int_equal(ps_store_open(&f->cfg, &f->ps), PSA_ERROR_DATA_CORRUPT);
    assert_null(f->ps);
}

static void test_many_objects_grow_table(void **state)
{
    fixture_t *f = *state;
    f->cfg.owner_capacity = 1u << 20;
    reopen(f);
    for (uint64_t uid = 1; uid <= 200; uid++) {
        assert_int_equal(ps_store_set(f->ps, 7, uid, 8, &uid, 0), PSA_SUCCESS);
    }
    reopen(f);
    for (uint64_t uid = 1; uid <= 200; uid++) {
        expect_ps_value(f->ps, 7, uid, &uid, 8);
    }
    assert_int_equal(stt_count_files(f->external, ".ps"), 200);
}

/* Reads a whole small file into buf; returns its length. */
static size_t slurp(const char *path, uint8_t *buf, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(buf, 1, cap, fp);
    fclose(fp);
    return n;
}

/* The name the next write of (owner, uid) will use: the version is the table's next generation,
 * and the last write was this object's, so its version + 1. */
static void next_object_path(fixture_t *f, int32_t owner, uint64_t uid, char *out, size_t n)
{
    char *cur = object_file(f, owner, uid);
    assert_non_null(cur);
    const char *base = strrchr(cur, '/') + 1;
    unsigned long long version = strtoull(base + 26, NULL, 16);
    snprintf(out, n, "%s/%08x_%016llx_%016llx.ps", f->external, (unsigned)owner,
             (unsigned long long)uid, version + 1);
    free(cur);
}

/* A symlink planted under the next object name must not redirect the write: before the fix
 * the open followed it and overwrote the HUK (or any file the engine could write). */
static void test_planted_symlink_not_followed(void **state)
{
    fixture_t *f = *state;
    char huk[1100], victim[1100], link[1200];
    uint8_t before[64], after[64], vb[64];
    snprintf(huk, sizeof(huk), "%s/ps.huk", f->trusted);
    snprintf(victim, sizeof(victim), "%s/victim", f->root);
    FILE *fp = fopen(victim, "wb");
    fputs("precious", fp);
    fclose(fp);
    size_t huk_len = slurp(huk, before, sizeof(before));
    assert_int_equal(huk_len, 32);
    assert_int_equal(ps_store_set(f->ps, 1, 1, 3, "one", 0), PSA_SUCCESS);
    next_object_path(f, 1, 1, link, sizeof(link));
    assert_int_equal(symlink(huk, link), 0);
    assert_int_equal(ps_store_set(f->ps, 1, 1, 3, "two", 0), PSA_SUCCESS);
    assert_int_equal(slurp(huk, after, sizeof(after)), 32);
    assert_memory_equal(before, after, 32);
    expect_ps_value(f->ps, 1, 1, "two", 3);
    /* A link to an ordinary file elsewhere: that file is left alone too. */
    next_object_path(f, 1, 1, link, sizeof(link));
    assert_int_equal(symlink(victim, link), 0);
    assert_int_equal(ps_store_set(f->ps, 1, 1, 5, "three", 0), PSA_SUCCESS);
    assert_int_equal(slurp(victim, vb, sizeof(vb)), 8);
    assert_memory_equal(vb, "precious", 8);
    reopen(f);
    expect_ps_value(f->ps, 1, 1, "three", 5);
    assert_int_equal(slurp(huk, after, sizeof(after)), 32);
    assert_memory_equal(before, after, 32);
}

/* The current object replaced by a symlink to a valid copy: reads do not follow it. */
static void test_symlinked_object_refused(void **state)
{
    fixture_t *f = *state;
    char copy[1100];
    assert_int_equal(ps_store_set(f->ps, 1, 1, 3, "one", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 1, 2, 3, "two", 0), PSA_SUCCESS);
    char *cur = object_file(f, 1, 1);
    snprintf(copy, sizeof(copy), "%s/copy", f->root);
    stt_copy_file(cur, copy);
    assert_int_equal(unlink(cur), 0);
    assert_int_equal(symlink(copy, cur), 0);
    assert_int_equal(get_status(f->ps, 1, 1), PSA_ERROR_DATA_CORRUPT);
    expect_ps_value(f->ps, 1, 2, "two", 3);
    assert_int_equal(ps_store_remove(f->ps, 1, 1), PSA_SUCCESS);
    free(cur);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "PS call blocked on a FIFO\n";
    (void)!write(2, msg, sizeof(msg) - 1);
    _exit(1);
}

/* A FIFO (or any non-regular file) under an object's name is damage, reported at once: before
 * the fix the open blocked forever while holding the engine's locks. */
static void test_planted_fifo_does_not_hang(void **state)
{
    fixture_t *f = *state;
    char next[1200];
    signal(SIGALRM, on_alarm);
    alarm(10);
    assert_int_equal(ps_store_set(f->ps, 1, 1, 3, "one", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set(f->ps, 1, 2, 3, "two", 0), PSA_SUCCESS);
    char *cur = object_file(f, 1, 1);
    assert_int_equal(unlink(cur), 0);
    assert_int_equal(mkfifo(cur, 0600), 0);
    assert_int_equal(get_status(f->ps, 1, 1), PSA_ERROR_DATA_CORRUPT);
    expect_ps_value(f->ps, 1, 2, "two", 3);
    /* A FIFO under the next name is replaced, not opened. */
    next_object_path(f, 1, 2, next, sizeof(next));
    assert_int_equal(mkfifo(next, 0600), 0);
    assert_int_equal(ps_store_set(f->ps, 1, 2, 5, "three", 0), PSA_SUCCESS);
    expect_ps_value(f->ps, 1, 2, "three", 5);
    /* A directory in its place is damage too. */
    assert_int_equal(unlink(cur), 0);
    assert_int_equal(mkdir(cur, 0700), 0);
    assert_int_equal(get_status(f->ps, 1, 1), PSA_ERROR_DATA_CORRUPT);
    assert_int_equal(rmdir(cur), 0);
    reopen(f);
    assert_int_equal(ps_store_set(f->ps, 1, 1, 4, "four", 0), PSA_SUCCESS);
    expect_ps_value(f->ps, 1, 1, "four", 4);
    alarm(0);
    signal(SIGALRM, SIG_DFL);
    free(cur);
}

/* Names with a sign or other non-hex characters are not this engine's files: kept at open
 * (sscanf's %x used to accept "+0000001" as owner 1 and delete the file as a stray). */
static void test_foreign_names_kept(void **state)
{
    fixture_t *f = *state;
    const char *names[] = {
        "+0000001_0000000000000001_0000000000000005.ps",
        "-0000001_0000000000000001_0000000000000005.ps",
        "00000001_+000000000000001_0000000000000005.ps",
        "00000001_0000000000000001_ 000000000000005.ps",
        "00000001_0000000000000001_000000000000000G.ps",
    };
    char path[1200];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", f->external, names[i]);
        FILE *fp = fopen(path, "wb");
        fclose(fp);
    }
    /* The engine's own leftovers in both directories do go. */
    snprintf(path, sizeof(path), "%s/00000001_0000000000000001_0000000000000005.ps",
             f->external);
    fclose(fopen(path, "wb"));
    snprintf(path, sizeof(path), "%s/ps.table.tmp", f->trusted);
    fclose(fopen(path, "wb"));
    snprintf(path, sizeof(path), "%s/ps.huk.tmp", f->trusted);
    fclose(fopen(path, "wb"));
    reopen(f);
    assert_int_equal(stt_count_files(f->external, ".ps"), 5);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", f->external, names[i]);
        assert_int_equal(access(path, F_OK), 0);
    }
    assert_int_equal(stt_count_files(f->trusted, ".tmp"), 0);
}

/* Parent and child of a fork() share one store handle and write at the same time. flock locks
 * belong to the open file description, which fork() shares: before the fix both held "the"
 * lock at once and overwrote each other's table updates, losing acknowledged writes. */
static void test_fork_concurrent_writers(void **state)
{
    fixture_t *f = *state;
    enum { WRITES = 60 };
    f->cfg.owner_capacity = 1u << 20;
    reopen(f);
    assert_int_equal(ps_store_set(f->ps, 1, 999, 4, "base", 0), PSA_SUCCESS);
    pid_t pid = fork();
    assert_true(pid >= 0);
    uint64_t first = pid == 0 ? 2001 : 1001;
    int failures = 0;
    for (uint64_t i = 0; i < WRITES; i++) {
        uint64_t v = first + i;
        failures += ps_store_set(f->ps, 1, first + i, sizeof(v), &v, 0) != PSA_SUCCESS;
    }
    if (pid == 0) {
        _exit(failures == 0 ? 0 : 1);
    }
    int wst;
    assert_int_equal(waitpid(pid, &wst, 0), pid);
    assert_true(WIFEXITED(wst));
    assert_int_equal(WEXITSTATUS(wst), 0);
    assert_int_equal(failures, 0);
    for (int pass = 0; pass < 2; pass++) {
        for (uint64_t i = 0; i < WRITES; i++) {
            uint64_t a = 1001 + i, b = 2001 + i;
            expect_ps_value(f->ps, 1, a, &a, sizeof(a));
            expect_ps_value(f->ps, 1, b, &b, sizeof(b));
        }
        expect_ps_value(f->ps, 1, 999, "base", 4);
        reopen(f);
    }
    assert_int_equal(stt_count_files(f->external, ".ps"), 2 * WRITES + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_set_get_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_length_and_uid_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_does_not_exist, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flags_and_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_owner_isolation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_and_set_extended, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range_beyond_32_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_are_encrypted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_flip_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_structure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swap_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_one_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_whole_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_table_slot_falls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recovery_removes_leftovers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_huk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_objects_grow_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_planted_symlink_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinked_object_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_planted_fifo_does_not_hang, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_names_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fork_concurrent_writers, setup, teardown),
    };
    return cmocka_run_group_tests_name("ps", tests, NULL, NULL);
}
