/* Platform default key databases read from a directory, for smm-gateway --defaults. */
#ifndef UEFI_VAR_DEFAULTS_H
#define UEFI_VAR_DEFAULTS_H

#include <stddef.h>

#include "uefi/smm_service.h"

/* The files PKDefault, KEKDefault, dbDefault, dbxDefault, dbtDefault, dbrDefault that exist in
 * dir (signature lists, checked when the gateway opens; none may exceed max_size bytes). 0, or -1
 * when one cannot be read or is too large (nothing is kept then). Free with var_free_defaults. */
#define VAR_MAX_DEFAULTS 6
int var_read_defaults(const char *dir, size_t max_size,
                      smm_default_var_t defaults[VAR_MAX_DEFAULTS], size_t *count);
void var_free_defaults(smm_default_var_t *defaults, size_t count);

#endif /* UEFI_VAR_DEFAULTS_H */
