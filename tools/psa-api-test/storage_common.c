/* Storage suites: the rules ITS and PS share (set, get, info, remove, offsets, flags, limits). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage_common.h"

#define UID(n) (TEST_UID_BASE + (n))
#define RULE(name) static void name(test_state_t *T, const storage_api_t *api)

static const uint8_t data16[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                   0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

RULE(r_set_get)
{
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(api->set(UID(0), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->get(UID(0), 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, data16, 16);
cleanup:;
}

RULE(r_info)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_OK(api->set(UID(0), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->get_info(UID(0), &info));
    CHECK_VALUE(info.size, 16);
    CHECK_VALUE(info.capacity, 16);
    CHECK_VALUE(info.flags, PSA_STORAGE_FLAG_NONE);
cleanup:;
}

RULE(r_replace)
{
    struct psa_storage_info_t info = {0, 0, 0};
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(api->set(UID(1), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->set(UID(1), 5, "hello", PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->get(UID(1), 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, "hello", 5);
    CHECK_OK(api->get_info(UID(1), &info));
    CHECK_VALUE(info.size, 5);
cleanup:;
}

RULE(r_get_missing)
{
    uint8_t out[16];
    size_t len = 0;
    CHECK_STATUS(api->get(UID(2), 0, sizeof(out), out, &len), PSA_ERROR_DOES_NOT_EXIST);
cleanup:;
}

RULE(r_info_missing)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_STATUS(api->get_info(UID(2), &info), PSA_ERROR_DOES_NOT_EXIST);
cleanup:;
}

RULE(r_remove_missing)
{
    CHECK_STATUS(api->remove(UID(2)), PSA_ERROR_DOES_NOT_EXIST);
cleanup:;
}

RULE(r_remove)
{
    uint8_t out[16];
    size_t len = 0;
    CHECK_OK(api->set(UID(3), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->remove(UID(3)));
    CHECK_STATUS(api->get(UID(3), 0, sizeof(out), out, &len), PSA_ERROR_DOES_NOT_EXIST);
    CHECK_STATUS(api->remove(UID(3)), PSA_ERROR_DOES_NOT_EXIST);
cleanup:;
}

RULE(r_offset)
{
    uint8_t out[16];
    size_t len = 0;
    CHECK_OK(api->set(UID(4), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->get(UID(4), 5, 4, out, &len));
    CHECK_BYTES(out, len, data16 + 5, 4);
cleanup:;
}

RULE(r_offset_past_end)
{
    uint8_t out[16];
    size_t len = 0;
    CHECK_OK(api->set(UID(4), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->get(UID(4), 10, 16, out, &len));
    CHECK_BYTES(out, len, data16 + 10, 6);
cleanup:;
}

RULE(r_offset_at_end)
{
    uint8_t out[16];
    size_t len = 99;
    CHECK_OK(api->set(UID(4), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->get(UID(4), 16, 16, out, &len));
    CHECK_VALUE(len, 0);
cleanup:;
}

RULE(r_offset_beyond)
{
    uint8_t out[16];
    size_t len = 0;
    CHECK_OK(api->set(UID(4), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_STATUS(api->get(UID(4), 17, 4, out, &len), PSA_ERROR_INVALID_ARGUMENT);
cleanup:;
}

RULE(r_get_zero_length)
{
    uint8_t out[1] = {0x5a};
    size_t len = 99;
    CHECK_OK(api->set(UID(4), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->get(UID(4), 0, 0, out, &len));
    CHECK_VALUE(len, 0);
    CHECK_VALUE(out[0], 0x5a);
cleanup:;
}

RULE(r_prefix)
{
    uint8_t out[16];
    size_t len = 0;
    CHECK_OK(api->set(UID(4), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->get(UID(4), 0, 3, out, &len));
    CHECK_BYTES(out, len, data16, 3);
cleanup:;
}

RULE(r_empty_object)
{
    struct psa_storage_info_t info = {1, 1, 1};
    uint8_t out[4];
    size_t len = 99;
    CHECK_OK(api->set(UID(5), 0, NULL, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->get_info(UID(5), &info));
    CHECK_VALUE(info.size, 0);
    CHECK_OK(api->get(UID(5), 0, sizeof(out), out, &len));
    CHECK_VALUE(len, 0);
cleanup:;
}

RULE(r_uid_zero)
{
    CHECK_STATUS(api->set(0, 16, data16, PSA_STORAGE_FLAG_NONE), PSA_ERROR_INVALID_ARGUMENT);
cleanup:;
}

RULE(r_unknown_flag)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_STATUS(api->set(UID(6), 16, data16, 0x80000000u), PSA_ERROR_NOT_SUPPORTED);
    CHECK_STATUS(api->get_info(UID(6), &info), PSA_ERROR_DOES_NOT_EXIST);
cleanup:;
}

/* The write-once object is created by the first run and checked by every later one. */
static psa_status_t ensure_write_once(const storage_api_t *api)
{
    struct psa_storage_info_t info = {0, 0, 0};
    psa_status_t s = api->get_info(api->write_once_uid, &info);
    if (s == PSA_ERROR_DOES_NOT_EXIST) {
        s = api->set(api->write_once_uid, sizeof(STORAGE_ONCE_DATA) - 1, STORAGE_ONCE_DATA,
                     PSA_STORAGE_FLAG_WRITE_ONCE);
    }
    return s;
}

RULE(r_once_create)
{
    struct psa_storage_info_t info = {0, 0, 0};
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(ensure_write_once(api));
    CHECK_OK(api->get_info(api->write_once_uid, &info));
    CHECK_VALUE(info.flags & PSA_STORAGE_FLAG_WRITE_ONCE, PSA_STORAGE_FLAG_WRITE_ONCE);
    CHECK_OK(api->get(api->write_once_uid, 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, STORAGE_ONCE_DATA, sizeof(STORAGE_ONCE_DATA) - 1);
cleanup:;
}

RULE(r_once_set)
{
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(ensure_write_once(api));
    CHECK_STATUS(api->set(api->write_once_uid, 5, "other", PSA_STORAGE_FLAG_NONE),
                 PSA_ERROR_NOT_PERMITTED);
    CHECK_STATUS(api->set(api->write_once_uid, 5, "other", PSA_STORAGE_FLAG_WRITE_ONCE),
                 PSA_ERROR_NOT_PERMITTED);
    CHECK_OK(api->get(api->write_once_uid, 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, STORAGE_ONCE_DATA, sizeof(STORAGE_ONCE_DATA) - 1);
cleanup:;
}

RULE(r_once_remove)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_OK(ensure_write_once(api));
    CHECK_STATUS(api->remove(api->write_once_uid), PSA_ERROR_NOT_PERMITTED);
    CHECK_OK(api->get_info(api->write_once_uid, &info));
cleanup:;
}

RULE(r_flags_reported)
{
    struct psa_storage_info_t info = {0, 0, 0};
    const psa_storage_create_flags_t f =
        PSA_STORAGE_FLAG_NO_CONFIDENTIALITY | PSA_STORAGE_FLAG_NO_REPLAY_PROTECTION;
    CHECK_OK(api->set(UID(7), 16, data16, f));
    CHECK_OK(api->get_info(UID(7), &info));
    CHECK_VALUE(info.flags, f);
cleanup:;
}

RULE(r_flags_replaced)
{
    struct psa_storage_info_t info = {0, 0, 0};
    CHECK_OK(api->set(UID(7), 16, data16, PSA_STORAGE_FLAG_NO_REPLAY_PROTECTION));
    CHECK_OK(api->set(UID(7), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->get_info(UID(7), &info));
    CHECK_VALUE(info.flags, PSA_STORAGE_FLAG_NONE);
cleanup:;
}

RULE(r_large)
{
    const size_t n = 16 * 1024;
    uint8_t *in = malloc(n), *out = malloc(n);
    size_t len = 0;
    CHECK(in != NULL && out != NULL);
    for (size_t i = 0; i < n; i++) {
        in[i] = (uint8_t)(i * 7 + (i >> 8));
    }
    CHECK_OK(api->set(UID(8), n, in, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->get(UID(8), 0, n, out, &len));
    CHECK_BYTES(out, len, in, n);
cleanup:
    free(in);
    free(out);
}

RULE(r_many)
{
    uint8_t out[8];
    size_t len = 0;
    for (unsigned i = 0; i < TEST_UID_COUNT; i++) {
        uint8_t v[8];
        memset(v, (int)i, sizeof(v));
        CHECK_OK(api->set(UID(i), 1 + i % 8, v, PSA_STORAGE_FLAG_NONE));
    }
    for (unsigned i = 0; i < TEST_UID_COUNT; i++) {
        uint8_t v[8];
        memset(v, (int)i, sizeof(v));
        CHECK_OK(api->get(UID(i), 0, sizeof(out), out, &len));
        CHECK_BYTES(out, len, v, 1 + i % 8);
    }
cleanup:;
}

static size_t too_large(const storage_api_t *api)
{
    const char *env = getenv(api->max_object_env);
    size_t max = api->default_max_object;
    if (env != NULL && *env != '\0') {
        max = (size_t)strtoull(env, NULL, 0);
    }
    return max + 1;
}

RULE(r_too_large)
{
    uint8_t out[32];
    size_t len = 0;
    const size_t size = too_large(api);
    uint8_t *big = calloc(1, size);
    CHECK(big != NULL);
    CHECK_OK(api->set(UID(9), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_STATUS(api->set(UID(9), size, big, PSA_STORAGE_FLAG_NONE),
                 PSA_ERROR_INSUFFICIENT_STORAGE);
    CHECK_OK(api->get(UID(9), 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, data16, 16);
cleanup:
    free(big);
}

RULE(r_reuse_uid)
{
    uint8_t out[16];
    size_t len = 0;
    CHECK_OK(api->set(UID(10), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->remove(UID(10)));
    CHECK_OK(api->set(UID(10), 3, "new", PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->get(UID(10), 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, "new", 3);
cleanup:;
}

RULE(r_independent)
{
    uint8_t out[16];
    size_t len = 0;
    CHECK_OK(api->set(UID(11), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->set(UID(12), 3, "abc", PSA_STORAGE_FLAG_NONE));
    CHECK_OK(api->remove(UID(12)));
    CHECK_OK(api->get(UID(11), 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, data16, 16);
cleanup:;
}

RULE(r_failed_set_keeps)
{
    /* A refused write (uid 0 aside) must leave the old value: NOT_SUPPORTED flag on an update. */
    uint8_t out[16];
    size_t len = 0;
    CHECK_OK(api->set(UID(13), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_STATUS(api->set(UID(13), 3, "abc", 0x40000000u), PSA_ERROR_NOT_SUPPORTED);
    CHECK_OK(api->get(UID(13), 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, data16, 16);
cleanup:;
}

/* Sizes and offsets are 32-bit (the wire's rot_size_t, the PS and ITS formats): a range
 * [offset, offset + length) ending beyond UINT32_MAX is a parameter error, refused before the
 * buffer is read or written and before the UID is looked up (issue 9: libpsa answered
 * INSUFFICIENT_MEMORY after trying to map a 4 GiB region). The buffers here are 16 bytes: an
 * implementation that touched them past that would fault under AddressSanitizer. */
RULE(r_set_beyond_32_bits)
{
#if SIZE_MAX > UINT32_MAX
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(api->set(UID(14), 16, data16, PSA_STORAGE_FLAG_NONE));
    CHECK_STATUS(api->set(UID(14), (size_t)UINT32_MAX + 1, data16, PSA_STORAGE_FLAG_NONE),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(api->set(UID(14), SIZE_MAX, data16, PSA_STORAGE_FLAG_NONE),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(api->set(UID(15), (size_t)UINT32_MAX + 1, data16, PSA_STORAGE_FLAG_NONE),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_OK(api->get(UID(14), 0, sizeof(out), out, &len));
    CHECK_BYTES(out, len, data16, 16);
#else
    (void)T, (void)api;
#endif
cleanup:;
}

RULE(r_get_beyond_32_bits)
{
#if SIZE_MAX > UINT32_MAX
    uint8_t out[16];
    size_t len = 99;
    CHECK_OK(api->set(UID(14), 16, data16, PSA_STORAGE_FLAG_NONE));
    memset(out, 0x5a, sizeof(out));
    CHECK_STATUS(api->get(UID(14), 8, UINT32_MAX, out, &len), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(len, 0);
    CHECK_VALUE(out[0], 0x5a);
    len = 99;
    CHECK_STATUS(api->get(UID(14), 0, (size_t)UINT32_MAX + 1, out, &len),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(len, 0);
    CHECK_STATUS(api->get(UID(14), (size_t)UINT32_MAX + 1, 4, out, &len),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(api->get(UID(15), 1, SIZE_MAX, out, &len), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(out[15], 0x5a);
#else
    (void)T, (void)api;
#endif
cleanup:;
}

const storage_rule_t storage_rules[] = {
    {"001", "set then get returns exactly the data", r_set_get},
    {"002", "get_info after set: size = capacity = length, flags NONE", r_info},
    {"003", "set on an existing UID replaces data and size", r_replace},
    {"004", "get of a missing UID is DOES_NOT_EXIST", r_get_missing},
    {"005", "get_info of a missing UID is DOES_NOT_EXIST", r_info_missing},
    {"006", "remove of a missing UID is DOES_NOT_EXIST", r_remove_missing},
    {"007", "remove deletes: get and a second remove are DOES_NOT_EXIST", r_remove},
    {"008", "get with an offset returns the bytes from that offset", r_offset},
    {"009", "get past the end returns only the bytes that exist", r_offset_past_end},
    {"010", "get at offset = size succeeds with 0 bytes", r_offset_at_end},
    {"011", "get at offset > size is INVALID_ARGUMENT", r_offset_beyond},
    {"012", "get of 0 bytes succeeds and writes nothing", r_get_zero_length},
    {"013", "get of fewer bytes than stored returns the prefix", r_prefix},
    {"014", "a zero-length object can be stored and read", r_empty_object},
    {"015", "set with UID 0 is INVALID_ARGUMENT", r_uid_zero},
    {"016", "set with an undefined flag is NOT_SUPPORTED and creates nothing", r_unknown_flag},
    {"017", "a WRITE_ONCE object reads back with its flag and data", r_once_create},
    {"018", "set on a WRITE_ONCE object is NOT_PERMITTED, data unchanged", r_once_set},
    {"019", "remove of a WRITE_ONCE object is NOT_PERMITTED, object kept", r_once_remove},
    {"020", "get_info reports the creation flags", r_flags_reported},
    {"021", "a new set replaces the flags", r_flags_replaced},
    {"022", "a 16 KiB object round-trips", r_large},
    {"023", "16 objects of different sizes are stored independently", r_many},
    {"024", "an object beyond the size limit is INSUFFICIENT_STORAGE, old value kept",
     r_too_large},
    {"025", "a removed UID can be set again", r_reuse_uid},
    {"026", "removing one UID leaves another intact", r_independent},
    {"027", "a refused update (undefined flag) leaves the old value", r_failed_set_keeps},
    {"028", "set with a length beyond 32 bits is INVALID_ARGUMENT, old value kept",
     r_set_beyond_32_bits},
    {"029", "get with offset + length beyond 32 bits is INVALID_ARGUMENT, nothing written",
     r_get_beyond_32_bits},
};
const size_t storage_rule_count = sizeof(storage_rules) / sizeof(storage_rules[0]);
