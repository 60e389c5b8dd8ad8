/* What rssd's message harnesses share: storage in a temporary directory, the crypto core, and a
 * detached connection, as rssd's main sets them up. */
#ifndef FUZZ_RSSD_FUZZ_ENV_H
#define FUZZ_RSSD_FUZZ_ENV_H

#include "enclave/server.h"

/* Sets everything up (aborts on failure; the directory is removed at exit) and returns a
 * detached connection of client id -0x10001. tag names the directory. */
enclave_conn_t *rssd_fuzz_env_init(const char *tag);

#endif /* FUZZ_RSSD_FUZZ_ENV_H */
