/* Fault-injection tests: short writes, ENOSPC and EIO surface as statuses and lose nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/its_store.h"
#include "storage/ps_store.h"
#include "storage_test_util.h"

/* A fault, the status the call must return and the value that must read back afterwards. Every
 * case must actually fire: a case that no longer reaches its step is a broken test. */
typedef struct fault_case {
    stt_fault_t fault;
    int countdown;
    psa_status_t expect;
    const char *value; /* "new" or "old" */
} fault_case_t;

/*
 * ITS set: unlink stale tmp, create tmp (open), write, fsync tmp, rename, fsync directory.
 * A single directory-fsync failure is retried and succeeds; a persistent one is reported,
 * but the rename has happened, so the new value is the one that reads back.
 */
static const fault_case_t its_cases[] = {
    {STT_FAULT_OPEN_EIO, 0, PSA_ERROR_STORAGE_FAILURE, "old"},
    {STT_FAULT_SHORT_THEN_ENOSPC, 0, PSA_ERROR_INSUFFICIENT_STORAGE, "old"},
    {STT_FAULT_ENOSPC, 0, PSA_ERROR_INSUFFICIENT_STORAGE, "old"},
    {STT_FAULT_FSYNC_EIO, 0, PSA_ERROR_STORAGE_FAILURE, "old"},
    {STT_FAULT_RENAME_EIO, 0, PSA_ERROR_STORAGE_FAILURE, "old"},
    {STT_FAULT_FSYNC_EIO, 1, PSA_SUCCESS, "new"},
    {STT_FAULT_DIR_FSYNC_EIO, 0, PSA_SUCCESS, "new"},
    {STT_FAULT_DIR_FSYNC_EIO_STICKY, 0, PSA_ERROR_STORAGE_FAILURE, "new"},
};

static void expect_bytes(psa_status_t st, size_t got, const uint8_t *buf, const char *want)
{
    assert_int_equal(st, PSA_SUCCESS);
    assert_int_equal(got, strlen(want));
    assert_memory_equal(buf, want, got);
}

static void test_its_faults(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(its_cases) / sizeof(its_cases[0]); i++) {
        const fault_case_t *fc = &its_cases[i];
        char *dir = stt_mkdtemp();
        stt_faulty_t faulty;
        stt_faulty_init(&faulty);
        its_store_config_t cfg = {.dir = dir, .io = &faulty.io};
        its_store_t *its;
        uint8_t buf[64];
        size_t got;
        assert_int_equal(its_store_open(&cfg, &its), PSA_SUCCESS);
        assert_int_equal(its_store_set(its, 1, 1, 3, "old", 0), PSA_SUCCESS);
        stt_faulty_arm(&faulty, fc->fault, fc->countdown);
        assert_int_equal(its_store_set(its, 1, 1, 3, "new", 0), fc->expect);
        assert_true(faulty.fired);
        stt_faulty_arm(&faulty, STT_FAULT_NONE, 0);
        for (int pass = 0; pass < 2; pass++) {
            assert_int_equal(its_store_get(its, 1, 1, 0, sizeof(buf), buf, &got), PSA_SUCCESS);
            expect_bytes(PSA_SUCCESS, got, buf, fc->value);
            assert_int_equal(stt_count_files(dir, ".tmp"), 0);
            its_store_close(its);
            assert_int_equal(its_store_open(&cfg, &its), PSA_SUCCESS);
        }
        /* A failed create leaves nothing behind; one past the rename leaves the new object. */
        stt_faulty_arm(&faulty, fc->fault, fc->countdown);
        assert_int_equal(its_store_set(its, 1, 2, 3, "abc", 0), fc->expect);
        assert_true(faulty.fired);
        stt_faulty_arm(&faulty, STT_FAULT_NONE, 0);
        psa_status_t s2 = its_store_get(its, 1, 2, 0, sizeof(buf), buf, &got);
        if (strcmp(fc->value, "old") == 0) {
            assert_int_equal(s2, PSA_ERROR_DOES_NOT_EXIST);
        } else {
            expect_bytes(s2, got, buf, "abc");
        }
        /* Remove: a persistent directory-fsync failure is reported, the object is gone. */
        if (fc->fault == STT_FAULT_DIR_FSYNC_EIO_STICKY) {
            stt_faulty_arm(&faulty, fc->fault, 0);
            assert_int_equal(its_store_remove(its, 1, 2), PSA_ERROR_STORAGE_FAILURE);
            assert_true(faulty.fired);
            stt_faulty_arm(&faulty, STT_FAULT_NONE, 0);
            assert_int_equal(its_store_get(its, 1, 2, 0, sizeof(buf), buf, &got),
                             PSA_ERROR_DOES_NOT_EXIST);
        } else if (fc->fault == STT_FAULT_DIR_FSYNC_EIO) {
            stt_faulty_arm(&faulty, fc->fault, 0);
            assert_int_equal(its_store_remove(its, 1, 2), PSA_SUCCESS);
            assert_true(faulty.fired);
            stt_faulty_arm(&faulty, STT_FAULT_NONE, 0);
        }
        its_store_close(its);
        assert_int_equal(its_store_open(&cfg, &its), PSA_SUCCESS);
        assert_int_equal(stt_count_files(dir, ".tmp"), 0);
        assert_int_equal(its_store_set(its, 1, 3, 2, "ok", 0), PSA_SUCCESS);
        its_store_close(its);
        stt_rmtree(dir);
        free(dir);
    }
}

/*
 * PS set: write the object (unlink stale, create, write, fsync, fsync external directory), then
 * the table slot (open, write, fdatasync). Matching calls are counted per kind, so countdown 1
 * of OPEN_EIO / ENOSPC is the table's open / write, and of FSYNC_EIO the directory fsync
 * (retried once, so the call succeeds); countdown 2 of FSYNC_EIO is the table's fdatasync.
 */
static const fault_case_t ps_cases[] = {
    {STT_FAULT_OPEN_EIO, 0, PSA_ERROR_STORAGE_FAILURE, "old"},
    {STT_FAULT_OPEN_EIO, 1, PSA_ERROR_STORAGE_FAILURE, "old"},
    {STT_FAULT_SHORT_THEN_ENOSPC, 0, PSA_ERROR_INSUFFICIENT_STORAGE, "old"},
    {STT_FAULT_SHORT_THEN_ENOSPC, 1, PSA_ERROR_INSUFFICIENT_STORAGE, "old"},
    {STT_FAULT_ENOSPC, 0, PSA_ERROR_INSUFFICIENT_STORAGE, "old"},
    {STT_FAULT_ENOSPC, 1, PSA_ERROR_INSUFFICIENT_STORAGE, "old"},
    {STT_FAULT_FSYNC_EIO, 0, PSA_ERROR_STORAGE_FAILURE, "old"},
    {STT_FAULT_FSYNC_EIO, 1, PSA_SUCCESS, "new"},
    {STT_FAULT_FSYNC_EIO, 2, PSA_ERROR_STORAGE_FAILURE, "old"},
    {STT_FAULT_DIR_FSYNC_EIO_STICKY, 0, PSA_ERROR_STORAGE_FAILURE, "old"},
    /* The slot's fdatasync fails and so does the one after invalidating it: the new slot may
     * be on disk, so both object files must stay; what reads back now is the old table. */
    {STT_FAULT_FSYNC_EIO_STICKY, 2, PSA_ERROR_STORAGE_FAILURE, "old"},
};

static void ps_paths(const char *root, char *trusted, char *external, size_t n)
{
    snprintf(trusted, n, "%s/its", root);
    snprintf(external, n, "%s/ps", root);
}

static void test_ps_faults(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(ps_cases) / sizeof(ps_cases[0]); k++) {
        const fault_case_t *fc = &ps_cases[k];
        char *root = stt_mkdtemp();
        char trusted[1024], external[1024];
        ps_paths(root, trusted, external, sizeof(trusted));
        stt_faulty_t faulty;
        stt_faulty_init(&faulty);
        ps_store_config_t cfg = {.trusted_dir = trusted, .external_dir = external,
                                 .io = &faulty.io};
        ps_store_t *ps;
        uint8_t buf[64];
        size_t got;
        struct psa_storage_info_t info;
        assert_int_equal(ps_store_open(&cfg, &ps), PSA_SUCCESS);
        assert_int_equal(ps_store_set(ps, 1, 1, 3, "old", 0), PSA_SUCCESS);
        assert_int_equal(ps_store_set(ps, 1, 2, 5, "other", 0), PSA_SUCCESS);
        stt_faulty_arm(&faulty, fc->fault, fc->countdown);
        assert_int_equal(ps_store_set(ps, 1, 1, 4, "new!", 0), fc->expect);
        assert_true(faulty.fired);
        stt_faulty_arm(&faulty, STT_FAULT_NONE, 0);
        const char *want = strcmp(fc->value, "new") == 0 ? "new!" : "old";
        for (int pass = 0; pass < 2; pass++) {
            /* get_info and get agree: never "exists" with an unreadable object. */
            assert_int_equal(ps_store_get_info(ps, 1, 1, &info), PSA_SUCCESS);
            assert_int_equal(info.size, strlen(want));
            assert_int_equal(ps_store_get(ps, 1, 1, 0, sizeof(buf), buf, &got), PSA_SUCCESS);
            expect_bytes(PSA_SUCCESS, got, buf, want);
            assert_int_equal(ps_store_get(ps, 1, 2, 0, sizeof(buf), buf, &got), PSA_SUCCESS);
            expect_bytes(PSA_SUCCESS, got, buf, "other");
            ps_store_close(ps);
            assert_int_equal(ps_store_open(&cfg, &ps), PSA_SUCCESS);
        }
        assert_int_equal(stt_count_files(external, ".ps"), 2);
        /* The store keeps working after the fault. */
        assert_int_equal(ps_store_set(ps, 1, 1, 4, "next", 0), PSA_SUCCESS);
        assert_int_equal(ps_store_get(ps, 1, 1, 0, sizeof(buf), buf, &got), PSA_SUCCESS);
        expect_bytes(PSA_SUCCESS, got, buf, "next");
        ps_store_close(ps);
        stt_rmtree(root);
        free(root);
    }
}

/*
 * The table outgrowing its region is rewritten whole (tmp, fsync, rename, directory fsync). If
 * that directory fsync keeps failing, the rename has still happened: the new table is current
 * and the object it names must not be deleted (before, get_info said SUCCESS and get said
 * DATA_CORRUPT).
 */
static void test_ps_growth_dir_fsync_failure(void **state)
{
    (void)state;
    for (int sticky = 0; sticky < 2; sticky++) {
        char *root = stt_mkdtemp();
        char trusted[1024], external[1024];
        ps_paths(root, trusted, external, sizeof(trusted));
        stt_faulty_t faulty;
        stt_faulty_init(&faulty);
        ps_store_config_t cfg = {.trusted_dir = trusted, .external_dir = external,
                                 .io = &faulty.io};
        ps_store_t *ps;
        uint8_t buf[8];
        size_t got;
        struct psa_storage_info_t info;
        assert_int_equal(ps_store_open(&cfg, &ps), PSA_SUCCESS);
        /* 84 entries fill a 4096-byte slot; the 85th forces the whole-file rewrite. */
        for (uint64_t uid = 1; uid <= 84; uid++) {
            assert_int_equal(ps_store_set(ps, 1, uid, 3, "abc", 0), PSA_SUCCESS);
        }
        /* Directory fsyncs of the set: the external one (1st), the trusted one (2nd). */
        stt_faulty_arm(&faulty, sticky ? STT_FAULT_DIR_FSYNC_EIO_STICKY : STT_FAULT_DIR_FSYNC_EIO,
                       1);
        psa_status_t st = ps_store_set(ps, 1, 85, 3, "new", 0);
        assert_true(faulty.fired);
        stt_faulty_arm(&faulty, STT_FAULT_NONE, 0);
        assert_int_equal(st, sticky ? PSA_ERROR_STORAGE_FAILURE : PSA_SUCCESS);
        for (int pass = 0; pass < 2; pass++) {
            assert_int_equal(ps_store_get_info(ps, 1, 85, &info), PSA_SUCCESS);
            assert_int_equal(info.size, 3);
            assert_int_equal(ps_store_get(ps, 1, 85, 0, sizeof(buf), buf, &got), PSA_SUCCESS);
            expect_bytes(PSA_SUCCESS, got, buf, "new");
            assert_int_equal(ps_store_get(ps, 1, 84, 0, sizeof(buf), buf, &got), PSA_SUCCESS);
            expect_bytes(PSA_SUCCESS, got, buf, "abc");
            ps_store_close(ps);
            assert_int_equal(ps_store_open(&cfg, &ps), PSA_SUCCESS);
        }
        assert_int_equal(stt_count_files(external, ".ps"), 85);
        ps_store_close(ps);
        stt_rmtree(root);
        free(root);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_its_faults),
        cmocka_unit_test(test_ps_faults),
        cmocka_unit_test(test_ps_growth_dir_fsync_failure),
    };
    return cmocka_run_group_tests_name("storage_faults", tests, NULL, NULL);
}
