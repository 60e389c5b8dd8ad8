/* PS suite: the shared storage rules on psa_ps_*, then create, set_extended and get_support. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage_common.h"

#define TEST(name) static void name(test_state_t *T)
#define UID(n) (TEST_UID_BASE + (n))

const storage_api_t ps_api = {
    .set = psa_ps_set,
    .get = psa_ps_get,
    .get_info = psa_ps_get_info,
    .remove = psa_ps_remove,
    .write_once_uid = TEST_UID_ONCE_BASE + 1,
    /* This project's PS default (ps_store.h); PSA_API_TEST_PS_MAX_OBJECT overrides it. */
    .default_max_object = 1024 * 1024,
    .max_object_env = "PSA_API_TEST_PS_MAX_OBJECT",
};

static const uint8_t data16[16] = {0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
                                   0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f};

TEST(t_support)
{
    CHECK_VALUE(psa_ps_get_support() & PSA_STORAGE_SUPPORT_SET_EXTENDED,
                PSA_STORAGE_SUPPORT_SET_EXTENDED);
cleanup:;
}

TEST(t_create_info)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_OK(psa_ps_create(UID(0), 64, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_get_info(UID(0), &info));
    CHECK_VALUE(info.capacity, 64);
    CHECK_VALUE(info.size, 0);
    CHECK_VALUE(info.flags, PSA_STORAGE_FLAG_NONE);
cleanup:;
}

TEST(t_create_exists)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_OK(psa_ps_set(UID(0), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_STATUS(psa_ps_create(UID(0), 64, PSA_STORAGE_FLAG_NONE), PSA_ERROR_ALREADY_EXISTS);
    CHECK_OK(psa_ps_get_info(UID(0), &info));
    CHECK_VALUE(info.size, 16);
    CHECK_VALUE(info.capacity, 16);
cleanup:;
}

TEST(t_create_uid_zero)
{
    CHECK_STATUS(psa_ps_create(0, 64, PSA_STORAGE_FLAG_NONE), PSA_ERROR_INVALID_ARGUMENT);
cleanup:;
}

TEST(t_create_unknown_flag)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_STATUS(psa_ps_create(UID(1), 64, 0x80000000u), PSA_ERROR_NOT_SUPPORTED);
    CHECK_STATUS(psa_ps_get_info(UID(1), &info), PSA_ERROR_DOES_NOT_EXIST);
cleanup:;
}

TEST(t_create_too_large)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_STATUS(psa_ps_create(UID(1), (size_t)1 << 40, PSA_STORAGE_FLAG_NONE),
                 PSA_ERROR_INSUFFICIENT_STORAGE);
    CHECK_STATUS(psa_ps_get_info(UID(1), &info), PSA_ERROR_DOES_NOT_EXIST);
cleanup:;
}

TEST(t_extend_from_zero)
{
    struct psa_storage_info_t info = {0, 0, 0};
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(psa_ps_create(UID(2), 64, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_set_extended(UID(2), 0, 16, data16));
    CHECK_OK(psa_ps_get_info(UID(2), &info));
    CHECK_VALUE(info.size, 16);
    CHECK_VALUE(info.capacity, 64);
    CHECK_OK(psa_ps_get(UID(2), 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, data16, 16);
cleanup:;
}

TEST(t_extend_append)
{
    uint8_t out[64], expected[32];
    size_t len = 0;
    memcpy(expected, data16, 16);
    memcpy(expected + 16, data16, 16);
    CHECK_OK(psa_ps_create(UID(2), 64, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_set_extended(UID(2), 0, 16, data16));
    CHECK_OK(psa_ps_set_extended(UID(2), 16, 16, data16));
    CHECK_OK(psa_ps_get(UID(2), 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, expected, 32);
cleanup:;
}

TEST(t_extend_overwrite)
{
    uint8_t out[64], expected[16];
    size_t len = 0;
    memcpy(expected, data16, 16);
    memcpy(expected + 4, "ABCD", 4);
    CHECK_OK(psa_ps_create(UID(2), 64, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_set_extended(UID(2), 0, 16, data16));
    CHECK_OK(psa_ps_set_extended(UID(2), 4, 4, "ABCD"));
    CHECK_OK(psa_ps_get(UID(2), 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, expected, 16);
cleanup:;
}

TEST(t_extend_to_capacity)
{
    struct psa_storage_info_t info = {0, 0, 0};
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(psa_ps_create(UID(2), 32, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_set_extended(UID(2), 0, 16, data16));
    CHECK_OK(psa_ps_set_extended(UID(2), 16, 16, data16));
    CHECK_OK(psa_ps_get_info(UID(2), &info));
    CHECK_VALUE(info.size, 32);
    CHECK_OK(psa_ps_get(UID(2), 16, 16, out, &len));
    CHECK_BYTES(out, len, data16, 16);
cleanup:;
}

TEST(t_extend_beyond_capacity)
{
    struct psa_storage_info_t info = {0, 0, 0};
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(psa_ps_create(UID(2), 20, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_set_extended(UID(2), 0, 16, data16));
    CHECK_STATUS(psa_ps_set_extended(UID(2), 16, 16, data16), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_OK(psa_ps_get_info(UID(2), &info));
    CHECK_VALUE(info.size, 16);
    CHECK_OK(psa_ps_get(UID(2), 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, data16, 16);
cleanup:;
}

TEST(t_extend_gap)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_OK(psa_ps_create(UID(2), 64, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_set_extended(UID(2), 0, 4, data16));
    CHECK_STATUS(psa_ps_set_extended(UID(2), 8, 4, data16), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_OK(psa_ps_get_info(UID(2), &info));
    CHECK_VALUE(info.size, 4);
cleanup:;
}

TEST(t_extend_missing)
{
    CHECK_STATUS(psa_ps_set_extended(UID(3), 0, 4, data16), PSA_ERROR_DOES_NOT_EXIST);
cleanup:;
}

TEST(t_extend_write_once)
{
    struct psa_storage_info_t info = {0, 0, 0};
    uint8_t out[64];
    size_t len = 0;
    /* The write-once object of rule 017; created here if this test runs alone. */
    if (psa_ps_get_info(ps_api.write_once_uid, &info) == PSA_ERROR_DOES_NOT_EXIST) {
        CHECK_OK(psa_ps_set(ps_api.write_once_uid, sizeof(STORAGE_ONCE_DATA) - 1,
                            STORAGE_ONCE_DATA, PSA_STORAGE_FLAG_WRITE_ONCE));
    }
    CHECK_STATUS(psa_ps_set_extended(ps_api.write_once_uid, 0, 4, "XXXX"),
                 PSA_ERROR_NOT_PERMITTED);
    CHECK_OK(psa_ps_get(ps_api.write_once_uid, 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, STORAGE_ONCE_DATA, sizeof(STORAGE_ONCE_DATA) - 1);
cleanup:;
}

TEST(t_extend_set_object)
{
    uint8_t out[32], expected[16];
    size_t len = 0;
    memcpy(expected, data16, 16);
    memcpy(expected + 12, "WXYZ", 4);
    CHECK_OK(psa_ps_set(UID(4), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_set_extended(UID(4), 12, 4, "WXYZ"));
    CHECK_OK(psa_ps_get(UID(4), 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, expected, 16);
cleanup:;
}

TEST(t_extend_zero_length)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_OK(psa_ps_create(UID(2), 64, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_set_extended(UID(2), 0, 4, data16));
    CHECK_OK(psa_ps_set_extended(UID(2), 4, 0, NULL));
    CHECK_OK(psa_ps_get_info(UID(2), &info));
    CHECK_VALUE(info.size, 4);
cleanup:;
}

TEST(t_set_after_create)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_OK(psa_ps_create(UID(5), 64, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_set(UID(5), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_get_info(UID(5), &info));
    CHECK_VALUE(info.size, 16);
    CHECK_VALUE(info.capacity, 16);
cleanup:;
}

TEST(t_remove_created)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_OK(psa_ps_create(UID(6), 64, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_remove(UID(6)));
    CHECK_STATUS(psa_ps_get_info(UID(6), &info), PSA_ERROR_DOES_NOT_EXIST);
cleanup:;
}

TEST(t_create_flags)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_OK(psa_ps_create(UID(7), 32, PSA_STORAGE_FLAG_NO_CONFIDENTIALITY));
    CHECK_OK(psa_ps_get_info(UID(7), &info));
    CHECK_VALUE(info.flags, PSA_STORAGE_FLAG_NO_CONFIDENTIALITY);
cleanup:;
}

TEST(t_get_created_empty)
{
    uint8_t out[16];
    size_t len = 99;
    CHECK_OK(psa_ps_create(UID(8), 32, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_get(UID(8), 0, sizeof(out), out, &len));
    CHECK_VALUE(len, 0);
cleanup:;
}

TEST(t_max_object)
{
    const char *env = getenv(ps_api.max_object_env);
    size_t n = env != NULL && *env != '\0' ? (size_t)strtoull(env, NULL, 0)
                                           : ps_api.default_max_object;
    uint8_t *in = malloc(n), *out = malloc(n);
    size_t len = 0;
    CHECK(in != NULL && out != NULL);
    for (size_t i = 0; i < n; i++) {
        in[i] = (uint8_t)(i * 13 + (i >> 11));
    }
    CHECK_OK(psa_ps_set(UID(9), n, in, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_get(UID(9), 0, n, out, &len));
    CHECK_BYTES(out, len, in, n);
cleanup:
    free(in);
    free(out);
}

/* set_extended with offset + length beyond 32 bits is INVALID_ARGUMENT on an existing object
 * (unchanged) and, being a parameter error, on a missing one too: the same answer from libpsa
 * and libpsa-local (see storage rules 028 and 029). */
TEST(t_extend_beyond_32_bits)
{
#if SIZE_MAX > UINT32_MAX
    struct psa_storage_info_t info = {0, 0, 0};
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(psa_ps_create(UID(10), 32, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(psa_ps_set_extended(UID(10), 0, 16, data16));
    CHECK_STATUS(psa_ps_set_extended(UID(10), 16, UINT32_MAX, data16),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(psa_ps_set_extended(UID(10), 1, SIZE_MAX, data16), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(psa_ps_set_extended(UID(10), (size_t)UINT32_MAX + 1, 0, NULL),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(psa_ps_set_extended(UID(10), 0, (size_t)UINT32_MAX + 1, data16),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(psa_ps_set_extended(UID(11), 16, UINT32_MAX, data16),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_OK(psa_ps_get_info(UID(10), &info));
    CHECK_VALUE(info.size, 16);
    CHECK_OK(psa_ps_get(UID(10), 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, data16, 16);
    CHECK_STATUS(psa_ps_get_info(UID(11), &info), PSA_ERROR_DOES_NOT_EXIST);
#else
    (void)T;
#endif
cleanup:;
}

const test_case_t ps_tests[] = {
    {"S-PS-101", "psa_ps_get_support reports PSA_STORAGE_SUPPORT_SET_EXTENDED", t_support},
    {"S-PS-102", "psa_ps_create: capacity as asked, size 0, flags as given", t_create_info},
    {"S-PS-103", "psa_ps_create on an existing UID is ALREADY_EXISTS, object unchanged",
     t_create_exists},
    {"S-PS-104", "psa_ps_create with UID 0 is INVALID_ARGUMENT", t_create_uid_zero},
    {"S-PS-105", "psa_ps_create with an undefined flag is NOT_SUPPORTED, creates nothing",
     t_create_unknown_flag},
    {"S-PS-106", "psa_ps_create of 1 TiB is INSUFFICIENT_STORAGE, creates nothing",
     t_create_too_large},
    {"S-PS-107", "set_extended at offset 0 of a created object sets its data and size",
     t_extend_from_zero},
    {"S-PS-108", "set_extended at offset = size appends", t_extend_append},
    {"S-PS-109", "set_extended inside the data overwrites only that range", t_extend_overwrite},
    {"S-PS-110", "set_extended may fill the object up to its capacity", t_extend_to_capacity},
    {"S-PS-111", "set_extended beyond the capacity is INVALID_ARGUMENT, object unchanged",
     t_extend_beyond_capacity},
    {"S-PS-112", "set_extended starting after the end of the data is INVALID_ARGUMENT",
     t_extend_gap},
    {"S-PS-113", "set_extended on a missing UID is DOES_NOT_EXIST", t_extend_missing},
    {"S-PS-114", "set_extended on a WRITE_ONCE object is NOT_PERMITTED, data unchanged",
     t_extend_write_once},
    {"S-PS-115", "set_extended inside an object written by psa_ps_set", t_extend_set_object},
    {"S-PS-116", "set_extended of 0 bytes at the end changes nothing", t_extend_zero_length},
    {"S-PS-117", "psa_ps_set on a created object replaces it: capacity = size = length",
     t_set_after_create},
    {"S-PS-118", "a created object can be removed", t_remove_created},
    {"S-PS-119", "psa_ps_create records its flags", t_create_flags},
    {"S-PS-120", "get of a created, empty object returns 0 bytes", t_get_created_empty},
    {"S-PS-121", "an object of the largest documented size round-trips", t_max_object},
    {"S-PS-122", "set_extended with offset + length beyond 32 bits is INVALID_ARGUMENT",
     t_extend_beyond_32_bits},
    {NULL, NULL, NULL},
};
