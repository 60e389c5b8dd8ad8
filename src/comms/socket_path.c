/* Where rssd's socket is: $RSS_SOCKET, else the system path for root, else under $XDG_RUNTIME_DIR. */
#define _GNU_SOURCE
#include "transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

bool rss_socket_path(char *path, size_t size)
{
    /* secure_getenv: a set-uid program linked with libpsa must not be steered by its caller. */
    const char *env = secure_getenv("RSS_SOCKET");
    int n;
    if (env != NULL && env[0] != '\0') {
        n = snprintf(path, size, "%s", env);
    } else if (geteuid() == 0) {
        n = snprintf(path, size, "%s", RSS_SOCKET_DEFAULT_SYSTEM);
    } else {
        const char *runtime = secure_getenv("XDG_RUNTIME_DIR");
        if (runtime != NULL && runtime[0] != '\0') {
            n = snprintf(path, size, "%s/rss/rss.sock", runtime);
        } else {
            n = snprintf(path, size, "%s", RSS_SOCKET_DEFAULT_SYSTEM);
        }
    }
    return n > 0 && (size_t)n < size;
}
