/* parsecd start-up: options, configuration, default paths, key-name store, recovery. */
#define _GNU_SOURCE
#include "parsec/parsec_start.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char parsec_usage[] =
    "usage: parsecd [--socket PATH] [--config FILE] [--foreground]\n";

/* A default path: systemd's directory for the unit ($RUNTIME_DIRECTORY, $STATE_DIRECTORY),
 * then root's system path, then the user's XDG directory (or its fallback under $HOME). */
static bool start_path(char *out, size_t size, const char *systemd_env, const char *root_path,
                       const char *env, const char *fallback_env, const char *fallback_sub,
                       const char *leaf, const char *systemd_leaf)
{
    int n;
    const char *v;
    if ((v = secure_getenv(systemd_env)) != NULL && v[0] == '/' && strchr(v, ':') == NULL) {
        n = snprintf(out, size, "%s/%s", v, systemd_leaf);
    } else if (geteuid() == 0) {
        n = snprintf(out, size, "%s", root_path);
    } else if ((v = secure_getenv(env)) != NULL && v[0] == '/') {
        n = snprintf(out, size, "%s/%s", v, leaf);
    } else if (fallback_env != NULL && (v = secure_getenv(fallback_env)) != NULL && v[0] == '/') {
        n = snprintf(out, size, "%s/%s/%s", v, fallback_sub, leaf);
    } else {
        return false;
    }
    return n > 0 && (size_t)n < size;
}

bool parsec_start(int argc, char **argv, parsec_runtime_t *rt, FILE *err, int *exit_code)
{
    static const struct option options[] = {
        {"socket", required_argument, NULL, 's'},
        {"config", required_argument, NULL, 'c'},
        {"foreground", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *socket_opt = NULL, *config_path = NULL;
    char msg[512];
    int opt;
    memset(rt, 0, sizeof(*rt));
    parsec_config_defaults(&rt->config);
    *exit_code = 2;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 's':
            socket_opt = optarg;
            break;
        case 'c':
            config_path = optarg;
            break;
        case 'f':
            rt->foreground = true;
            break;
        case 'h':
            fputs(parsec_usage, err);
            *exit_code = 0;
            return false;
        default:
            fputs(parsec_usage, err);
            return false;
        }
    }
    if (optind != argc) {
        fputs(parsec_usage, err);
        return false;
    }
    *exit_code = 1;
    if (config_path != NULL && !parsec_config_load(&rt->config, config_path, msg, sizeof(msg))) {
        fprintf(err, "parsecd: %s\n", msg);
        parsec_config_free(&rt->config);
        return false;
    }
    if (geteuid() == 0 && !rt->config.allow_root) {
        fprintf(err, "parsecd: refusing to run as root ([core_settings] allow_root = false)\n");
        parsec_config_free(&rt->config);
        return false;
    }
    const char *sock = socket_opt != NULL ? socket_opt : rt->config.socket_path;
    bool ok = sock[0] != '\0'
                  ? (size_t)snprintf(rt->socket_path, sizeof(rt->socket_path), "%s", sock) <
                        sizeof(rt->socket_path)
                  : start_path(rt->socket_path, sizeof(rt->socket_path), "RUNTIME_DIRECTORY",
                               "/run/parsec/parsec.sock", "XDG_RUNTIME_DIR", NULL, NULL,
                               "parsec/parsec.sock", "parsec.sock");
    if (!ok) {
        fprintf(err, "parsecd: no socket path (too long, or no XDG_RUNTIME_DIR)\n");
        parsec_config_free(&rt->config);
        return false;
    }
    ok = rt->config.sqlite_db_path != NULL
             ? (size_t)snprintf(rt->db_path, sizeof(rt->db_path), "%s", rt->config.sqlite_db_path) <
                   sizeof(rt->db_path)
             : start_path(rt->db_path, sizeof(rt->db_path), "STATE_DIRECTORY",
                          "/var/lib/parsecd/keys.sqlite3", "XDG_STATE_HOME", "HOME", ".local/state",
                          "parsecd/keys.sqlite3", "keys.sqlite3");
    if (!ok) {
        fprintf(err, "parsecd: no key-name store path (set [[key_manager]] sqlite_db_path)\n");
        parsec_config_free(&rt->config);
        return false;
    }
    psa_status_t ps = psa_crypto_init();
    if (ps != PSA_SUCCESS) {
        fprintf(err, "parsecd: the key store cannot be reached (psa_crypto_init: %d)\n", (int)ps);
        parsec_config_free(&rt->config);
        return false;
    }
    parsec_status_t s = parsec_kim_open(rt->db_path, &rt->ctx.kim);
    size_t unresolved = 0;
    if (s == PARSEC_SUCCESS) {
        s = parsec_kim_recover(rt->ctx.kim, &unresolved);
    }
    if (s != PARSEC_SUCCESS) {
        fprintf(err, "parsecd: key-name store %s: %s\n", rt->db_path, parsec_status_name(s));
        parsec_stop(rt);
        return false;
    }
    if (unresolved > 0) {
        /* Their names stay hidden; each is finished when next asked for, or at next start. */
        fprintf(err, "parsecd: warning: %zu interrupted key change(s) could not be finished\n",
                unresolved);
    }
    rt->ctx.config = &rt->config;
    *exit_code = 0;
    return true;
}

void parsec_stop(parsec_runtime_t *rt)
{
    parsec_kim_close(rt->ctx.kim);
    rt->ctx.kim = NULL;
    parsec_config_free(&rt->config);
}
