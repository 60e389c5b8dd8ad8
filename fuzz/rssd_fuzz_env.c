/* rssd's message harnesses: storage and the crypto core. */
#define _GNU_SOURCE
#include "rssd_fuzz_env.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto/core.h"
#include "enclave/enclave.h"
#include "enclave/enclave_config.h"
#include "enclave/server.h"

static char env_dir[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void env_exit(void)
{
    enclave_serve_thread_exit();
    nftw(env_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

its_store_t *rssd_fuzz_env_init(const char *tag)
{
    snprintf(env_dir, sizeof(env_dir), "/tmp/fuzz-%s.XXXXXX", tag);
    if (mkdtemp(env_dir) == NULL) {
        abort();
    }
    atexit(env_exit);
    char its_dir[96], ps_dir[96];
    snprintf(its_dir, sizeof(its_dir), "%s/its", env_dir);
    snprintf(ps_dir, sizeof(ps_dir), "%s/ps", env_dir);
    its_store_config_t ic = {.dir = its_dir};
    ps_store_config_t pc = {.trusted_dir = its_dir, .external_dir = ps_dir};
    its_store_t *its = NULL;
    ps_store_t *ps = NULL;
    if (its_store_open(&ic, &its) != PSA_SUCCESS || ps_store_open(&pc, &ps) != PSA_SUCCESS) {
        abort();
    }
    enclave_storage_set(its, ps);
    core_config_t config = {.volatile_id_min = ENCLAVE_VOLATILE_ID_MIN,
                            .volatile_id_max = ENCLAVE_VOLATILE_ID_MAX};
    if (core_crypto_init(&config) != PSA_SUCCESS) {
        abort();
    }
    return its;
}
