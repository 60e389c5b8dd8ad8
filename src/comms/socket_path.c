/* The socket of rssd: $RSS_SOCKET; the system one for root; else the user's, then the system's. */
#define _GNU_SOURCE
#include "transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static bool put(char *path, const char *dir, const char *name)
{
    int n = snprintf(path, RSS_SOCKET_PATH_MAX, "%s%s", dir, name);
    return n > 0 && n < RSS_SOCKET_PATH_MAX;
}

size_t rss_socket_candidates(char paths[RSS_SOCKET_MAX_CANDIDATES][RSS_SOCKET_PATH_MAX])
{
    /* secure_getenv: a set-uid program linked with libpsa must not be steered by its caller. */
    const char *env = secure_getenv("RSS_SOCKET");
    if (env != NULL && env[0] != '\0') {
        return put(paths[0], env, "") ? 1 : 0;
    }
    size_t count = 0;
    const char *runtime = secure_getenv("XDG_RUNTIME_DIR");
    if (geteuid() != 0 && runtime != NULL && runtime[0] != '\0') {
        if (!put(paths[count++], runtime, "/rss/rss.sock")) {
            return 0;
        }
    }
    if (!put(paths[count++], RSS_SOCKET_DEFAULT_SYSTEM, "")) {
        return 0;
    }
    return count;
}
