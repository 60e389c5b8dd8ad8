/* Names of PSA algorithms, key types and usage flags, spelt as in the specifications
 * (statuses: ss/psa_status.h). */
#ifndef PSA_NAMES_H
#define PSA_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include <psa/crypto.h>

/*
 * Algorithms are written as in the specification's PSA_ALG_xxx names, lower case with '-':
 * "sha-256", "hmac:sha-256", "ecdsa:sha-256", "rsa-pss:sha-256", "gcm", "hkdf:sha-256",
 * "key-agreement:ecdh:hkdf:sha-256". Returns false for a name it does not know.
 */
bool psa_names_parse_alg(const char *name, psa_algorithm_t *alg);
/* Writes the name of alg into buf ("0x06000609" when it has no name). */
const char *psa_names_alg(psa_algorithm_t alg, char *buf, size_t size);

/* Key types: "aes", "hmac", "ecc-key-pair:secp-r1", "rsa-public-key", "dh-key-pair:rfc7919". */
bool psa_names_parse_type(const char *name, psa_key_type_t *type);
const char *psa_names_type(psa_key_type_t type, char *buf, size_t size);

/* Usage flags: comma-separated "sign-hash,verify-hash,export". */
bool psa_names_parse_usage(const char *list, psa_key_usage_t *usage);
const char *psa_names_usage(psa_key_usage_t usage, char *buf, size_t size);

/* The same values as the specification writes them in C: "PSA_ALG_ECDSA(PSA_ALG_SHA_256)",
 * "PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1)",
 * "PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH" ("0" for none); a value with no name is
 * written as a number. */
const char *psa_names_alg_spec(psa_algorithm_t alg, char *buf, size_t size);
const char *psa_names_type_spec(psa_key_type_t type, char *buf, size_t size);
const char *psa_names_usage_spec(psa_key_usage_t usage, char *buf, size_t size);

/* The key sizes, in bits, the crypto core accepts for a type ("192, 224, 256, 384 or 521");
 * NULL for an ECC family it has no curve of. */
const char *psa_names_type_sizes(psa_key_type_t type);

/* Lists the known names on a stream, for --help. */
void psa_names_list_algs(void *stream);
void psa_names_list_types(void *stream);

#endif /* PSA_NAMES_H */
