/* psa-api-test runner: test case table type, check macros and shared helpers for every suite. */
#ifndef PSA_API_TEST_RUNNER_H
#define PSA_API_TEST_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/crypto.h>
#include <psa/internal_trusted_storage.h>
#include <psa/protected_storage.h>

/*
 * Identifiers the suites may use. They are kept away from user data so that running the suite
 * on a platform in use cannot disturb it, and the runner removes them before and after every
 * test (except the write-once objects, which the specification forbids removing: the suites
 * create each of them once, on the first run, and reuse it afterwards).
 *   persistent key ids  0x3FFE5000 .. 0x3FFE500F   (top of the application range)
 *   ITS / PS UIDs       0x5053415400000000 .. +15  ("PSAT" in the high word)
 *   write-once UIDs     0x5053415457000000 .. +15  (kept forever, by the specification)
 */
#define TEST_KEY_ID_BASE      ((psa_key_id_t)0x3FFE5000u)
#define TEST_KEY_ID_COUNT     16u
#define TEST_UID_BASE         ((psa_storage_uid_t)0x5053415400000000ull)
#define TEST_UID_COUNT        16u
#define TEST_UID_ONCE_BASE    ((psa_storage_uid_t)0x5053415457000000ull)

typedef struct test_state {
    bool failed;
    const char *file;
    int line;
    char check[200];  /* the failing check, as written in the test */
    char detail[240]; /* what was seen against what was expected */
} test_state_t;

typedef void (*test_fn_t)(test_state_t *T);

typedef struct test_case {
    const char *id;    /* stable identifier, e.g. C-HASH-001 */
    const char *title; /* one line: the rule the test checks */
    test_fn_t fn;
} test_case_t;

typedef enum test_area { AREA_CRYPTO, AREA_ITS, AREA_PS } test_area_t;

struct storage_api;

typedef struct test_group {
    test_area_t area;
    const test_case_t *cases;       /* terminated by an entry with id == NULL */
    const struct storage_api *api;  /* storage suites: the shared rules run on this API first */
    const char *rule_prefix;        /* and get ids "<rule_prefix><number>" */
} test_group_t;

/* Suite tables, one per source file. */
extern const test_case_t crypto_keys_tests[];
extern const test_case_t crypto_hash_tests[];
extern const test_case_t crypto_mac_tests[];
extern const test_case_t crypto_cipher_tests[];
extern const test_case_t crypto_aead_tests[];
extern const test_case_t crypto_kdf_tests[];
extern const test_case_t crypto_asym_tests[];
extern const test_case_t crypto_agreement_tests[];
extern const test_case_t crypto_pake_tests[];
extern const test_case_t its_tests[];
extern const test_case_t ps_tests[];
extern const struct storage_api its_api;
extern const struct storage_api ps_api;

const char *test_status_name(psa_status_t status);

void test_fail_status(test_state_t *T, const char *check, psa_status_t seen, psa_status_t expected,
                      const char *file, int line);
void test_fail_bytes(test_state_t *T, const char *check, const uint8_t *seen, size_t seen_len,
                     const uint8_t *expected, size_t expected_len, const char *file, int line);
void test_fail_value(test_state_t *T, const char *check, unsigned long long seen,
                     unsigned long long expected, const char *file, int line);
void test_fail_cond(test_state_t *T, const char *check, const char *file, int line);

/* Every check stops the test at its first failure and jumps to the test's cleanup label. */
#define CHECK_STATUS(call, expected)                                                              \
    do {                                                                                          \
        psa_status_t check_seen_ = (call);                                                        \
        if (check_seen_ != (expected)) {                                                          \
            test_fail_status(T, #call, check_seen_, (expected), __FILE__, __LINE__);              \
            goto cleanup;                                                                         \
        }                                                                                         \
    } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, PSA_SUCCESS)

#define CHECK_BYTES(seen, seen_len, expected, expected_len)                                       \
    do {                                                                                          \
        size_t check_sl_ = (seen_len), check_el_ = (expected_len);                                \
        if (check_sl_ != check_el_ || memcmp((seen), (expected), check_el_) != 0) {               \
            test_fail_bytes(T, #seen " == " #expected, (const uint8_t *)(seen), check_sl_,        \
                            (const uint8_t *)(expected), check_el_, __FILE__, __LINE__);          \
            goto cleanup;                                                                         \
        }                                                                                         \
    } while (0)

#define CHECK_VALUE(seen, expected)                                                               \
    do {                                                                                          \
        unsigned long long check_sv_ = (unsigned long long)(seen);                                \
        unsigned long long check_ev_ = (unsigned long long)(expected);                            \
        if (check_sv_ != check_ev_) {                                                             \
            test_fail_value(T, #seen " == " #expected, check_sv_, check_ev_, __FILE__, __LINE__); \
            goto cleanup;                                                                         \
        }                                                                                         \
    } while (0)

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            test_fail_cond(T, #cond, __FILE__, __LINE__);                                         \
            goto cleanup;                                                                         \
        }                                                                                         \
    } while (0)

/* Decodes a hex literal into a fresh array: HEX(name, "0011...") defines name and name_len. */
size_t test_unhex(const char *hex, uint8_t *out, size_t cap);
#define HEX(name, literal)                                                                        \
    uint8_t name[(sizeof(literal) - 1) / 2 + 1];                                                  \
    const size_t name##_len __attribute__((unused)) = test_unhex(literal, name, sizeof(name))

/* Key helpers: a volatile key with the given policy; ids are PSA_KEY_ID_NULL on failure. */
psa_status_t tk_import(psa_key_type_t type, psa_key_usage_t usage, psa_algorithm_t alg,
                       const uint8_t *data, size_t data_length, psa_key_id_t *key);
psa_status_t tk_generate(psa_key_type_t type, size_t bits, psa_key_usage_t usage,
                         psa_algorithm_t alg, psa_key_id_t *key);
/* Destroys *key when it is not PSA_KEY_ID_NULL and clears it; for cleanup blocks. */
void tk_destroy(psa_key_id_t *key);

/* Removes every identifier of the documented test ranges (persistent keys, storage UIDs). */
void test_clean_keys(void);
void test_clean_its(void);
void test_clean_ps(void);

#endif /* PSA_API_TEST_RUNNER_H */
