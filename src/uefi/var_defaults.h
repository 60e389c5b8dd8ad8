/* The variable service hosted in-process (until smm-gateway serves its socket): one process at
 * a time, guarded by a lock file in the TS runtime directory. */
#ifndef UEFI_VAR_LOCAL_H
#define UEFI_VAR_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include <psa/error.h>
#include "uefi/smm_service.h"
#include "uefi/var_client.h"

#define VAR_LOCAL_BUFFER_SIZE (64u * 1024u)

typedef struct var_local {
    smm_gateway_t *gateway;
    int lock_fd;
    var_client_t client;
    uint8_t buffer[VAR_LOCAL_BUFFER_SIZE]; /* the MM communicate buffer */
    char lock_path[4096];
} var_local_t;

/*
 * Takes the lock (TS runtime directory: $TS_RUNTIME_DIR, else /run/ts for root, else
 * $XDG_RUNTIME_DIR/ts; file smm-gateway.lock) and opens the gateway on whichever PS the
 * program links (libpsa: the caller's partition in rssd). PSA_ERROR_BAD_STATE when another
 * process holds the lock: its in-memory index would go stale under a second writer.
 */
psa_status_t var_local_open(var_local_t *local, const smm_gateway_config_t *config);
void var_local_close(var_local_t *local);

/* Platform default databases read from a directory: the files PKDefault, KEKDefault,
 * dbDefault, dbxDefault, dbtDefault, dbrDefault that exist there (signature lists, checked when
 * the gateway opens). Free with var_local_free_defaults. */
#define VAR_LOCAL_MAX_DEFAULTS 6
int var_local_read_defaults(const char *dir, smm_default_var_t defaults[VAR_LOCAL_MAX_DEFAULTS],
                            size_t *count);
void var_local_free_defaults(smm_default_var_t *defaults, size_t count);

/* The TS runtime directory (created 0700 if missing). */
int var_local_runtime_dir(char *path, size_t size);

#endif /* UEFI_VAR_LOCAL_H */
