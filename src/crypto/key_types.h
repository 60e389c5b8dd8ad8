/* Per-key-type rules: which material is valid for a type, how keys are generated and exported. */
#ifndef CORE_KEY_TYPES_H
#define CORE_KEY_TYPES_H

#include "core.h"

/* Checks material in export format for `type`; *bits receives the key size.
 * INVALID_ARGUMENT: malformed for the type; NOT_SUPPORTED: type not built. */
psa_status_t core_key_types_validate(psa_key_type_t type, const uint8_t *data, size_t length,
                                     size_t *bits);
/* Generates material in export format (caller frees with core_free_secret). */
psa_status_t core_key_types_generate(psa_key_type_t type, size_t bits, uint8_t **material,
                                     size_t *length);
/* Builds the OpenSSL object of an asymmetric key from its material (no-op for others). */
psa_status_t core_key_types_load_asym(core_key_t *key);
void core_key_types_free_asym(core_key_t *key);
psa_status_t core_key_types_export_public(const core_key_t *key, uint8_t *data, size_t data_size,
                                          size_t *data_length);
/* Whether the type's material is an unstructured byte string. */
bool core_key_type_is_unstructured(psa_key_type_t type);

#endif /* CORE_KEY_TYPES_H */
