/* The SMM variable service: smm_serve() answers one MM communicate buffer (sheet §4, §5). */
#ifndef UEFI_SMM_SERVICE_H
#define UEFI_SMM_SERVICE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <psa/error.h>
#include "uefi/efi_defs.h"
#include "uefi/var_store.h"

/* Who sent a buffer (the transport's peer credentials); reported to the audit hook. */
typedef struct smm_caller {
    uid_t uid;
    pid_t pid;
} smm_caller_t;

/* A platform default key database (PKDefault, KEKDefault, dbDefault, dbxDefault, dbtDefault,
 * dbrDefault): signature lists exposed read-only as BS|RT variables. */
typedef struct smm_default_var {
    const char *name; /* ASCII, e.g. "dbDefault" */
    const uint8_t *data;
    size_t size;
} smm_default_var_t;

typedef struct smm_gateway_config {
    var_store_config_t store;
    const smm_default_var_t *defaults;
    size_t default_count;
    /* Called after every SET_VARIABLE and VarCheck property change with its outcome. */
    void (*audit)(void *ctx, const smm_caller_t *caller, uint64_t function, const uint8_t *name,
                  size_t name_size, efi_status_t status);
    void *audit_ctx;
} smm_gateway_config_t;

typedef struct smm_gateway smm_gateway_t;

/* Opens the store (a damaged index is an error, never an empty store), then sets up the
 * Secure Boot mode variables and the defaults. */
psa_status_t smm_gateway_open(const smm_gateway_config_t *config, smm_gateway_t **gateway);
void smm_gateway_close(smm_gateway_t *gateway);

/*
 * Serves one MM communicate request. buffer points at the EFI_MM_COMMUNICATE_HEADER inside the
 * caller's shared memory and size is the space from there to the end of that memory. The
 * request is copied out before it is parsed (the peer may keep writing), and the reply —
 * MM header with MessageLength rewritten, SMM variable header with ReturnStatus, payload — is
 * written back in place. Returns the MM return code; the EFI status is in the reply.
 * Thread-safe: calls are serialised.
 */
mm_return_t smm_serve(smm_gateway_t *gateway, const smm_caller_t *caller, uint8_t *buffer,
                      size_t size);

/* Maps a storage status to the EFI status the sheet's psa_to_efi_storage_status gives. */
efi_status_t smm_efi_from_psa(psa_status_t status);

#endif /* UEFI_SMM_SERVICE_H */
