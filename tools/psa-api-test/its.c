/* ITS suite: the shared storage rules on psa_its_*, and the rules particular to ITS. */
#include <stdlib.h>
#include <string.h>

#include "storage_common.h"

#define TEST(name) static void name(test_state_t *T)

const storage_api_t its_api = {
    .set = psa_its_set,
    .get = psa_its_get,
    .get_info = psa_its_get_info,
    .remove = psa_its_remove,
    .write_once_uid = TEST_UID_ONCE_BASE + 0,
    /* This project's ITS default (its_store.h); PSA_API_TEST_ITS_MAX_OBJECT overrides it. */
    .default_max_object = 1024 * 1024,
    .max_object_env = "PSA_API_TEST_ITS_MAX_OBJECT",
};

TEST(t_separate_from_ps)
{
    uint8_t out[16];
    size_t len = 0;
    CHECK_OK(psa_its_set(TEST_UID_BASE + 14, 3, "its", PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_set(TEST_UID_BASE + 14, 2, "ps", PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_its_get(TEST_UID_BASE + 14, 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, "its", 3);
    CHECK_OK(psa_its_remove(TEST_UID_BASE + 14));
    CHECK_OK(psa_ps_get(TEST_UID_BASE + 14, 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, "ps", 2);
cleanup:
    (void)psa_ps_remove(TEST_UID_BASE + 14);
}

TEST(t_uid_high_bits)
{
    /* UIDs are 64-bit: two UIDs equal in their low 32 bits are different objects. */
    const psa_storage_uid_t a = TEST_UID_BASE + 15, b = (TEST_UID_BASE + 15) & 0xffffffffu;
    uint8_t out[16];
    size_t len = 0;
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_OK(psa_its_set(a, 4, "high", PSA_STORAGE_FLAG_NONE));
    CHECK_STATUS(psa_its_get_info(b, &info), PSA_ERROR_DOES_NOT_EXIST);
    CHECK_OK(psa_its_get(a, 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, "high", 4);
cleanup:;
}

TEST(t_max_object)
{
    /* The largest object the service documents is accepted whole. */
    const char *env = getenv(its_api.max_object_env);
    size_t n = env != NULL && *env != '\0' ? (size_t)strtoull(env, NULL, 0)
                                           : its_api.default_max_object;
    uint8_t *in = malloc(n), *out = malloc(n);
    size_t len = 0;
    CHECK(in != NULL && out != NULL);
    for (size_t i = 0; i < n; i++) {
        in[i] = (uint8_t)(i ^ (i >> 9));
    }
    CHECK_OK(psa_its_set(TEST_UID_BASE + 8, n, in, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_its_get(TEST_UID_BASE + 8, 0, n, out, &len));
    CHECK_BYTES(out, len, in, n);
cleanup:
    free(in);
    free(out);
}

const test_case_t its_tests[] = {
    {"S-ITS-101", "ITS and PS objects with the same UID are separate", t_separate_from_ps},
    {"S-ITS-102", "UIDs differing only in the high 32 bits are different objects",
     t_uid_high_bits},
    {"S-ITS-103", "an object of the largest documented size round-trips", t_max_object},
    {NULL, NULL, NULL},
};
