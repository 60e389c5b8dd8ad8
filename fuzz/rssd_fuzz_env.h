/* What rssd's message harnesses share: storage in a temporary directory and the crypto core, as
 * rssd's main sets them up. */
#ifndef FUZZ_RSSD_FUZZ_ENV_H
#define FUZZ_RSSD_FUZZ_ENV_H

#include "enclave/enclave.h"

/* Sets both up (aborts on failure; the directory is removed at exit) and returns the ITS store.
 * tag names the directory. */
its_store_t *rssd_fuzz_env_init(const char *tag);

#endif /* FUZZ_RSSD_FUZZ_ENV_H */
