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
