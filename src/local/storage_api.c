/* libpsa-local's storage backend: ITS and PS records on engines opened lazily from the state
 * directory. */
#include "local_client.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <psa/protected_storage.h>

#include "api/storage_front.h"
#include "storage/its_key_storage.h"
#include "storage/its_store.h"
#include "storage/ps_store.h"
#include "storage/storage_dispatch.h"

/*
 * Process-wide state, written once under pthread_once and read-only afterwards; the engines
 * lock internally (and across processes sharing the directory), so no further locking here.
 * ITS and PS open independently: a damaged PS does not take ITS or the key store down.
 */
static pthread_once_t local_storage_once = PTHREAD_ONCE_INIT;
static its_store_t *local_its;
static ps_store_t *local_ps;
static core_key_storage_t local_key_storage;
static psa_status_t local_its_status = PSA_ERROR_STORAGE_FAILURE;
static psa_status_t local_ps_status = PSA_ERROR_STORAGE_FAILURE;

static int env_set(const char *name, const char **value)
{
    const char *v = getenv(name);
    if (v == NULL || v[0] == '\0') {
        return 0;
    }
    *value = v;
    return 1;
}

static int state_dir(char *buf, size_t size)
{
    const char *v;
    int n;
    if (env_set("PSA_STATE_DIR", &v)) {
        n = snprintf(buf, size, "%s", v);
    } else if (env_set("XDG_STATE_HOME", &v)) {
        n = snprintf(buf, size, "%s/secure-services", v);
    } else if (env_set("HOME", &v)) {
        n = snprintf(buf, size, "%s/.local/state/secure-services", v);
    } else {
        return 0;
    }
    return n > 0 && (size_t)n < size;
}

static void local_storage_open(void)
{
    char state[PATH_MAX], trusted[PATH_MAX], external[PATH_MAX];
    const char *ps_dir;
    if (!state_dir(state, sizeof(state)) ||
        snprintf(trusted, sizeof(trusted), "%s/its", state) >= (int)sizeof(trusted)) {
        return;
    }
    if (env_set("PSA_PS_DIR", &ps_dir)) {
        if (snprintf(external, sizeof(external), "%s", ps_dir) >= (int)sizeof(external)) {
            return;
        }
    } else if (snprintf(external, sizeof(external), "%s/ps", state) >= (int)sizeof(external)) {
        return;
    }
    its_store_config_t its_config = {.dir = trusted};
    local_its_status = its_store_open(&its_config, &local_its);
    if (local_its_status == PSA_SUCCESS) {
        local_its_status = its_key_storage_init(local_its, &local_key_storage);
    }
    ps_store_config_t ps_config = {.trusted_dir = trusted, .external_dir = external};
    local_ps_status = ps_store_open(&ps_config, &local_ps);
}

static psa_status_t its_ready(void)
{
    pthread_once(&local_storage_once, local_storage_open);
    return local_its_status;
}

static psa_status_t ps_ready(void)
{
    pthread_once(&local_storage_once, local_storage_open);
    return local_ps_status;
}

psa_status_t psa_local_storage_key_backend(core_key_storage_t **out)
{
    if (out == NULL) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    psa_status_t status = its_ready();
    if (status != PSA_SUCCESS) {
        return status;
    }
    *out = &local_key_storage;
    return PSA_SUCCESS;
}

/* A record on the engine of its service, through the one storage dispatcher. */
psa_status_t storage_backend_call(storage_args_t *a)
{
    if (a->type == RSS_PS_GET_SUPPORT_RSSD && a->service == RSS_HANDLE_PS) {
        *a->support = PSA_STORAGE_SUPPORT_SET_EXTENDED; /* whether or not PS can be opened */
        return PSA_SUCCESS;
    }
    psa_status_t status = a->service == RSS_HANDLE_ITS ? its_ready() : ps_ready();
    if (status != PSA_SUCCESS) {
        return status;
    }
    return storage_dispatch(local_its, local_ps, PSA_LOCAL_CLIENT_ID, a);
}
