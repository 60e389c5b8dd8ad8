/* In-process variable service with a single-owner lock (var_local.h). */
#define _GNU_SOURCE
#include "uefi/var_local.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int var_local_runtime_dir(char *path, size_t size)
{
    const char *env = secure_getenv("TS_RUNTIME_DIR");
    int n;
    if (env != NULL && env[0] != '\0') {
        n = snprintf(path, size, "%s", env);
    } else if (geteuid() == 0) {
        n = snprintf(path, size, "/run/ts");
    } else {
        const char *runtime = secure_getenv("XDG_RUNTIME_DIR");
        if (runtime == NULL || runtime[0] == '\0') {
            return -1;
        }
        n = snprintf(path, size, "%s/ts", runtime);
    }
    if (n <= 0 || (size_t)n >= size) {
        return -1;
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        return -1;
    }
    return 0;
}

int var_local_read_defaults(const char *dir, smm_default_var_t defaults[VAR_LOCAL_MAX_DEFAULTS],
                            size_t *count)
{
    static const char *const names[VAR_LOCAL_MAX_DEFAULTS] = {
        "PKDefault", "KEKDefault", "dbDefault", "dbxDefault", "dbtDefault", "dbrDefault"};
    *count = 0;
    for (size_t i = 0; i < VAR_LOCAL_MAX_DEFAULTS; i++) {
        char path[4096];
        if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path)) {
            goto fail;
        }
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
            if (errno == ENOENT) {
                continue;
            }
            goto fail;
        }
        /* A database larger than one variable cannot be served anyway. */
        uint8_t *data = malloc(VAR_STORE_DEFAULT_MAX_DATA_SIZE + 1);
        size_t n = data != NULL ? fread(data, 1, VAR_STORE_DEFAULT_MAX_DATA_SIZE + 1, f) : 0;
        bool bad = data == NULL || ferror(f) || n > VAR_STORE_DEFAULT_MAX_DATA_SIZE;
        fclose(f);
        if (bad) {
            free(data);
            goto fail;
        }
        defaults[*count] = (smm_default_var_t){.name = names[i], .data = data, .size = n};
        (*count)++;
    }
    return 0;
fail:
    var_local_free_defaults(defaults, *count);
    *count = 0;
    return -1;
}

void var_local_free_defaults(smm_default_var_t *defaults, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free((void *)defaults[i].data);
    }
}

static mm_return_t local_call(void *ctx, uint8_t *buffer, size_t size)
{
    smm_caller_t caller = {.uid = getuid(), .pid = getpid()};
    return smm_serve(ctx, &caller, buffer, size);
}

psa_status_t var_local_open(var_local_t *l, const smm_gateway_config_t *config)
{
    char dir[4000];
    l->gateway = NULL;
    l->lock_fd = -1;
    if (var_local_runtime_dir(dir, sizeof(dir)) != 0) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    snprintf(l->lock_path, sizeof(l->lock_path), "%s/smm-gateway.lock", dir);
    l->lock_fd = open(l->lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (l->lock_fd < 0) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    if (flock(l->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        close(l->lock_fd);
        l->lock_fd = -1;
        return PSA_ERROR_BAD_STATE;
    }
    psa_status_t status = smm_gateway_open(config, &l->gateway);
    if (status != PSA_SUCCESS) {
        close(l->lock_fd);
        l->lock_fd = -1;
        return status;
    }
    l->client = (var_client_t){
        .call = local_call, .ctx = l->gateway, .buffer = l->buffer, .size = sizeof(l->buffer)};
    return PSA_SUCCESS;
}

void var_local_close(var_local_t *l)
{
    smm_gateway_close(l->gateway);
    l->gateway = NULL;
    if (l->lock_fd >= 0) {
        close(l->lock_fd); /* releases the lock */
        l->lock_fd = -1;
    }
}
