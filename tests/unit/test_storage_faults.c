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

typedef struct fault_case {
    stt_fault_t fault;
    int countdown;
    psa_status_t expect;
} fault_case_t;

/* Each write path step in turn: data write, its fsync, rename, directory fsync, table slot. */
static const fault_case_t cases[] = {
    {STT_FAULT_SHORT_THEN_ENOSPC, 0, PSA_ERROR_INSUFFICIENT_STORAGE},
    {STT_FAULT_ENOSPC, 0, PSA_ERROR_INSUFFICIENT_STORAGE},
    {STT_FAULT_ENOSPC, 1, PSA_ERROR_INSUFFICIENT_STORAGE},
    {STT_FAULT_FSYNC_EIO, 0, PSA_ERROR_STORAGE_FAILURE},
    {STT_FAULT_FSYNC_EIO, 1, PSA_ERROR_STORAGE_FAILURE},
    {STT_FAULT_FSYNC_EIO, 2, PSA_ERROR_STORAGE_FAILURE},
    {STT_FAULT_RENAME_EIO, 0, PSA_ERROR_STORAGE_FAILURE},
    {STT_FAULT_OPEN_EIO, 0, PSA_ERROR_STORAGE_FAILURE},
    {STT_FAULT_OPEN_EIO, 1, PSA_ERROR_STORAGE_FAILURE},
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
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *dir = stt_mkdtemp();
        stt_faulty_t faulty;
        stt_faulty_init(&faulty);
        its_store_config_t cfg = {.dir = dir, .io = &faulty.io};
        its_store_t *its;
        uint8_t buf[64];
        size_t got;
        assert_int_equal(its_store_open(&cfg, &its), PSA_SUCCESS);
        assert_int_equal(its_store_set(its, 1, 1, 3, "old", 0), PSA_SUCCESS);
        stt_faulty_arm(&faulty, cases[i].fault, cases[i].countdown);
        psa_status_t st = its_store_set(its, 1, 1, 3, "new", 0);
        if (faulty.fired) {
            assert_int_equal(st, cases[i].expect);
        }
        /* Whatever failed, the object is entirely old or (if the rename landed) new. */
        psa_status_t gst = its_store_get(its, 1, 1, 0, sizeof(buf), buf, &got);
        expect_bytes(gst, got, buf, st == PSA_SUCCESS ? "new" : (got == 3 && !memcmp(buf, "new", 3))
                                                                    ? "new"
                                                                    : "old");
        /* A failed create leaves nothing behind. */
        stt_faulty_arm(&faulty, cases[i].fault, cases[i].countdown);
        st = its_store_set(its, 1, 2, 3, "abc", 0);
        if (faulty.fired && st != PSA_SUCCESS) {
            psa_status_t s2 = its_store_get(its, 1, 2, 0, sizeof(buf), buf, &got);
            assert_true(s2 == PSA_ERROR_DOES_NOT_EXIST || s2 == PSA_SUCCESS);
        }
        stt_faulty_arm(&faulty, STT_FAULT_NONE, 0);
        its_store_close(its);
        assert_int_equal(its_store_open(&cfg, &its), PSA_SUCCESS);
        assert_int_equal(stt_count_files(dir, ".tmp"), 0);
        assert_int_equal(its_store_set(its, 1, 3, 2, "ok", 0), PSA_SUCCESS);
        its_store_close(its);
        stt_rmtree(dir);
        free(dir);
    }
}

static void test_its_fault_status_exact(void **state)
{
    (void)state;
    char *dir = stt_mkdtemp();
    stt_faulty_t faulty;
    stt_faulty_init(&faulty);
    its_store_config_t cfg = {.dir = dir, .io = &faulty.io};
    its_store_t *its;
    uint8_t buf[8];
    size_t got;
    assert_int_equal(its_store_open(&cfg, &its), PSA_SUCCESS);
    assert_int_equal(its_store_set(its, 1, 1, 3, "old", 0), PSA_SUCCESS);
    const fault_case_t exact[] = {
        {STT_FAULT_SHORT_THEN_ENOSPC, 0, PSA_ERROR_INSUFFICIENT_STORAGE},
        {STT_FAULT_ENOSPC, 0, PSA_ERROR_INSUFFICIENT_STORAGE},
        {STT_FAULT_FSYNC_EIO, 0, PSA_ERROR_STORAGE_FAILURE}, /* file fsync, before rename */
        {STT_FAULT_RENAME_EIO, 0, PSA_ERROR_STORAGE_FAILURE},
        {STT_FAULT_OPEN_EIO, 0, PSA_ERROR_STORAGE_FAILURE},
    };
    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
        stt_faulty_arm(&faulty, exact[i].fault, exact[i].countdown);
        assert_int_equal(its_store_set(its, 1, 1, 3, "new", 0), exact[i].expect);
        assert_true(faulty.fired);
        stt_faulty_arm(&faulty, STT_FAULT_NONE, 0);
        assert_int_equal(its_store_get(its, 1, 1, 0, sizeof(buf), buf, &got), PSA_SUCCESS);
        expect_bytes(PSA_SUCCESS, got, buf, "old");
        assert_int_equal(stt_count_files(dir, ".tmp"), 0);
    }
    its_store_close(its);
    stt_rmtree(dir);
    free(dir);
}

static void test_ps_faults(void **state)
{
    (void)state;
    /* Let through 0..N matching calls so each step of the PS write path fails once. */
    const stt_fault_t kinds[] = {STT_FAULT_SHORT_THEN_ENOSPC, STT_FAULT_ENOSPC,
                                 STT_FAULT_FSYNC_EIO, STT_FAULT_OPEN_EIO};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        for (int countdown = 0; countdown < 4; countdown++) {
            char *root = stt_mkdtemp();
            char trusted[1024], external[1024];
            snprintf(trusted, sizeof(trusted), "%s/its", root);
            snprintf(external, sizeof(external), "%s/ps", root);
            stt_faulty_t faulty;
            stt_faulty_init(&faulty);
            ps_store_config_t cfg = {.trusted_dir = trusted, .external_dir = external,
                                     .io = &faulty.io};
            ps_store_t *ps;
            uint8_t buf[64];
            size_t got;
            assert_int_equal(ps_store_open(&cfg, &ps), PSA_SUCCESS);
            assert_int_equal(ps_store_set(ps, 1, 1, 3, "old", 0), PSA_SUCCESS);
            assert_int_equal(ps_store_set(ps, 1, 2, 5, "other", 0), PSA_SUCCESS);
            stt_faulty_arm(&faulty, kinds[k], countdown);
            psa_status_t st = ps_store_set(ps, 1, 1, 3, "new", 0);
            int fired = faulty.fired;
            stt_faulty_arm(&faulty, STT_FAULT_NONE, 0);
            if (fired) {
                psa_status_t want = kinds[k] == STT_FAULT_FSYNC_EIO ||
                                            kinds[k] == STT_FAULT_OPEN_EIO
                                        ? PSA_ERROR_STORAGE_FAILURE
                                        : PSA_ERROR_INSUFFICIENT_STORAGE;
                assert_int_equal(st, want);
            } else {
                assert_int_equal(st, PSA_SUCCESS);
            }
            for (int pass = 0; pass < 2; pass++) {
                assert_int_equal(ps_store_get(ps, 1, 1, 0, sizeof(buf), buf, &got), PSA_SUCCESS);
                expect_bytes(PSA_SUCCESS, got, buf, st == PSA_SUCCESS ? "new" : "old");
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
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_its_faults),
        cmocka_unit_test(test_its_fault_status_exact),
        cmocka_unit_test(test_ps_faults),
    };
    return cmocka_run_group_tests_name("storage_faults", tests, NULL, NULL);
}
