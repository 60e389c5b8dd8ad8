/* psa_status_name/psa_status_text (ss/psa_status.h): every status psa/error.h defines has its
 * macro's name and a sentence; values no specification defines get the documented fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <psa/crypto.h>
#include <ss/psa_status.h>

struct expected {
    psa_status_t status;
    const char *name;
};

/* Written out from psa/error.h by hand, so that a status dropped from the table is noticed. */
#define E(macro)                                                                                   \
    {                                                                                              \
        macro, #macro                                                                              \
    }
static const struct expected all_statuses[] = {
    E(PSA_SUCCESS),
    E(PSA_ERROR_PROGRAMMER_ERROR),
    E(PSA_ERROR_CONNECTION_REFUSED),
    E(PSA_ERROR_CONNECTION_BUSY),
    E(PSA_ERROR_GENERIC_ERROR),
    E(PSA_ERROR_NOT_PERMITTED),
    E(PSA_ERROR_NOT_SUPPORTED),
    E(PSA_ERROR_INVALID_ARGUMENT),
    E(PSA_ERROR_INVALID_HANDLE),
    E(PSA_ERROR_BAD_STATE),
    E(PSA_ERROR_BUFFER_TOO_SMALL),
    E(PSA_ERROR_ALREADY_EXISTS),
    E(PSA_ERROR_DOES_NOT_EXIST),
    E(PSA_ERROR_INSUFFICIENT_MEMORY),
    E(PSA_ERROR_INSUFFICIENT_STORAGE),
    E(PSA_ERROR_INSUFFICIENT_DATA),
    E(PSA_ERROR_SERVICE_FAILURE),
    E(PSA_ERROR_COMMUNICATION_FAILURE),
    E(PSA_ERROR_STORAGE_FAILURE),
    E(PSA_ERROR_HARDWARE_FAILURE),
    E(PSA_ERROR_INSUFFICIENT_ENTROPY),
    E(PSA_ERROR_INVALID_SIGNATURE),
    E(PSA_ERROR_INVALID_PADDING),
    E(PSA_ERROR_CORRUPTION_DETECTED),
    E(PSA_ERROR_DATA_CORRUPT),
    E(PSA_ERROR_DATA_INVALID),
    E(PSA_OPERATION_INCOMPLETE),
};
#define N_STATUSES (sizeof(all_statuses) / sizeof(all_statuses[0]))

static void test_every_status_named(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_STATUSES; i++) {
        assert_string_equal(psa_status_name(all_statuses[i].status), all_statuses[i].name);
    }
}

static void test_every_status_has_its_own_sentence(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_STATUSES; i++) {
        const char *text = psa_status_text(all_statuses[i].status);
        assert_non_null(text);
        size_t n = strlen(text);
        assert_true(n > 10);
        assert_true(text[0] >= 'A' && text[0] <= 'Z');
        assert_int_equal(text[n - 1], '.');
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(text, psa_status_text(all_statuses[j].status));
        }
    }
}

static void test_undefined_values(void **state)
{
    (void)state;
    const psa_status_t undefined[] = {1, -1, -128, -154, -247, -249, INT32_MIN, INT32_MAX};
    const char *unknown_text = psa_status_text(-1);
    for (size_t i = 0; i < sizeof(undefined) / sizeof(undefined[0]); i++) {
        assert_string_equal(psa_status_name(undefined[i]), "PSA_ERROR_UNKNOWN");
        assert_string_equal(psa_status_text(undefined[i]), unknown_text);
    }
    for (size_t i = 0; i < N_STATUSES; i++) {
        assert_string_not_equal(psa_status_text(all_statuses[i].status), unknown_text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_status_named),
        cmocka_unit_test(test_every_status_has_its_own_sentence),
        cmocka_unit_test(test_undefined_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
