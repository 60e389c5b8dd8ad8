/* The TS runtime directory, for libts's locator and the endpoints' default sockets. */
#include "ts/ts_runtime.h"

#include <stdio.h>
#include <stdlib.h>
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
