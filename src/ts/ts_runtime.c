/* The TS runtime directory, for libts's locator and the endpoints' default sockets. */
#include "ts/ts_runtime.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool ts_runtime_dir(char *out, size_t size)
{
    const char *dir = getenv("TS_RUNTIME_DIR");
    int n;
    if (dir != NULL && dir[0] != '\0') {
        n = snprintf(out, size, "%s", dir);
    } else if (geteuid() == 0) {
        n = snprintf(out, size, "/run/ts");
    } else {
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (xdg == NULL || xdg[0] == '\0') {
            return false;
        }
        n = snprintf(out, size, "%s/ts", xdg);
    }
    return n > 0 && (size_t)n < size;
}

int ts_runtime_socket(const char *program, const char *file, char *out, size_t size)
{
    char dir[PATH_MAX];
    if (!ts_runtime_dir(dir, sizeof(dir))) {
        fprintf(stderr, "%s: no TS runtime directory: set $TS_RUNTIME_DIR or $XDG_RUNTIME_DIR, "
                        "or give --socket\n",
                program);
        return 2;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create %s: %s\n", program, dir, strerror(errno));
        return 1;
    }
    int n = snprintf(out, size, "%s/%s", dir, file);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "%s: %s/%s: path too long\n", program, dir, file);
        return 2;
    }
    return 0;
}

bool ts_runtime_smm_gateway(char *out, size_t size)
{
    const char *env = getenv("SMM_GATEWAY_SOCKET");
    if (env != NULL && env[0] != '\0') {
        return (size_t)snprintf(out, size, "%s", env) < size;
    }
    char dir[PATH_MAX - 32];
    return ts_runtime_dir(dir, sizeof(dir)) &&
           (size_t)snprintf(out, size, "%s/smm-gateway.sock", dir) < size;
}
