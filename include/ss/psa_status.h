/*
 * Names and explanations of PSA status codes, for applications' messages and logs.
 *
 * Part of libpsa and libpsa-local (either one provides them). Covers every status that
 * psa/error.h and psa/crypto_values.h define (PSA Certified Status code API and Crypto API).
 */
#ifndef SS_PSA_STATUS_H
#define SS_PSA_STATUS_H

#include <psa/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The specification's name of a status: "PSA_SUCCESS", "PSA_ERROR_NOT_PERMITTED", ...
 * For a value no specification defines, "PSA_ERROR_UNKNOWN" (never NULL). The string is static.
 */
const char *psa_status_name(psa_status_t status);

/*
 * One English sentence saying what the status means to a user, ending with a full stop:
 * "The key policy or the object's flags do not allow this action." Never NULL; static.
 */
const char *psa_status_text(psa_status_t status);

#ifdef __cplusplus
}
#endif

#endif /* SS_PSA_STATUS_H */
