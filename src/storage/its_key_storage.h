/* core_key_storage_t backend that keeps the crypto core's key records in the ITS engine. */
#ifndef ITS_KEY_STORAGE_H
#define ITS_KEY_STORAGE_H

#include "crypto/key_storage.h"
#include "storage/its_store.h"

/*
 * Key records live in ITS_NS_KEY: files "k_<owner>_<key id>" that no psa_its_* call can name,
 * because the public entry points always use ITS_NS_USER. Records are written exclusively (an
 * existing record gives PSA_ERROR_ALREADY_EXISTS) and durably. `its` must outlive `out`.
 */
psa_status_t its_key_storage_init(its_store_t *its, core_key_storage_t *out);

#endif /* ITS_KEY_STORAGE_H */
