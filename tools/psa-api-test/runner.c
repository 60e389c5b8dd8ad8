/* psa-api-test runner: failure recording, hex and key helpers, cleanup of the test id ranges. */
#include "runner.h"

#include <stdio.h>
#include <string.h>

#include <ss/psa_status.h>

const char *test_status_name(psa_status_t status)
{
    return psa_status_name(status);
}

static void record(test_state_t *T, const char *check, const char *file, int line)
{
    T->failed = true;
    T->file = file;
    T->line = line;
    snprintf(T->check, sizeof(T->check), "%s", check);
}

void test_fail_status(test_state_t *T, const char *check, psa_status_t seen, psa_status_t expected,
                      const char *file, int line)
{
    record(T, check, file, line);
    snprintf(T->detail, sizeof(T->detail), "status %s (%d), expected %s (%d)",
             psa_status_name(seen), (int)seen, psa_status_name(expected), (int)expected);
}

void test_fail_bytes(test_state_t *T, const char *check, const uint8_t *seen, size_t seen_len,
                     const uint8_t *expected, size_t expected_len, const char *file, int line)
{
    record(T, check, file, line);
    if (seen_len != expected_len) {
        snprintf(T->detail, sizeof(T->detail), "length %zu, expected %zu", seen_len, expected_len);
        return;
    }
    size_t at = 0;
    while (at < seen_len && seen[at] == expected[at]) {
        at++;
    }
    snprintf(T->detail, sizeof(T->detail), "byte %zu is 0x%02x, expected 0x%02x", at, seen[at],
             expected[at]);
}

void test_fail_value(test_state_t *T, const char *check, unsigned long long seen,
                     unsigned long long expected, const char *file, int line)
{
    record(T, check, file, line);
    snprintf(T->detail, sizeof(T->detail), "value %llu (0x%llx), expected %llu (0x%llx)", seen,
             seen, expected, expected);
}

void test_fail_cond(test_state_t *T, const char *check, const char *file, int line)
{
    record(T, check, file, line);
    snprintf(T->detail, sizeof(T->detail), "condition is false");
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

size_t test_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; hex[0] != '\0' && hex[1] != '\0' && n < cap; hex += 2) {
        int hi = hex_digit(hex[0]);
        int lo = hex_digit(hex[1]);
        if (hi < 0 || lo < 0) {
            break;
        }
        out[n++] = (uint8_t)(hi << 4 | lo);
    }
    return n;
}

psa_status_t tk_import(psa_key_type_t type, psa_key_usage_t usage, psa_algorithm_t alg,
                       const uint8_t *data, size_t data_length, psa_key_id_t *key)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, type);
    psa_set_key_usage_flags(&attr, usage);
    psa_set_key_algorithm(&attr, alg);
    return psa_import_key(&attr, data, data_length, key);
}

psa_status_t tk_generate(psa_key_type_t type, size_t bits, psa_key_usage_t usage,
                         psa_algorithm_t alg, psa_key_id_t *key)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, type);
    psa_set_key_bits(&attr, bits);
    psa_set_key_usage_flags(&attr, usage);
    psa_set_key_algorithm(&attr, alg);
    return psa_generate_key(&attr, key);
}

void tk_destroy(psa_key_id_t *key)
{
    if (*key != PSA_KEY_ID_NULL) {
        (void)psa_destroy_key(*key);
        *key = PSA_KEY_ID_NULL;
    }
}

void test_clean_keys(void)
{
    for (psa_key_id_t i = 0; i < TEST_KEY_ID_COUNT; i++) {
        (void)psa_destroy_key(TEST_KEY_ID_BASE + i);
    }
}

void test_clean_its(void)
{
    for (psa_storage_uid_t i = 0; i < TEST_UID_COUNT; i++) {
        (void)psa_its_remove(TEST_UID_BASE + i);
    }
}

void test_clean_ps(void)
{
    for (psa_storage_uid_t i = 0; i < TEST_UID_COUNT; i++) {
        (void)psa_ps_remove(TEST_UID_BASE + i);
    }
}
