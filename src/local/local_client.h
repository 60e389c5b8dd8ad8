/* libpsa-local's caller identity and its storage engines (ITS, PS, key records) opened on demand. */
#ifndef LOCAL_CLIENT_H
#define LOCAL_CLIENT_H

#include <psa/error.h>
#include "crypto/key_storage.h"

/* The client id every in-process call acts as (the owner of its keys and storage objects). */
#define PSA_LOCAL_CLIENT_ID ((int32_t)-1)

/*
 * The ITS-backed key storage for the crypto core. Opens the engines on first use from the state
 * directory: $PSA_STATE_DIR, else $XDG_STATE_HOME/secure-services, else
 * $HOME/.local/state/secure-services; ITS (and the PS HUK and table) in <state>/its, PS objects
 * in <state>/ps or $PSA_PS_DIR. The returned pointer stays valid for the process's lifetime.
 */
psa_status_t psa_local_storage_key_backend(core_key_storage_t **out);

#endif /* LOCAL_CLIENT_H */
