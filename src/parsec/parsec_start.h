/* parsecd start-up: command line, configuration, default paths, key-name store and recovery. */
#ifndef PARSEC_START_H
#define PARSEC_START_H

#include <stdbool.h>
#include <stdio.h>

#include "parsec/parsec_config.h"
#include "parsec/parsec_serve.h"

typedef struct parsec_runtime {
    parsec_config_t config;
    parsec_ctx_t ctx;
    bool foreground;
    char socket_path[PARSEC_CONFIG_PATH_MAX];
    char db_path[4096];
} parsec_runtime_t;

/*
 * `parsecd [--socket PATH] [--config FILE] [--foreground]`. Socket: --socket, else the
 * configuration's [listener] socket_path, else $RUNTIME_DIRECTORY/parsec.sock (systemd),
 * else /run/parsec/parsec.sock for root and $XDG_RUNTIME_DIR/parsec/parsec.sock for other
 * users (clients use PARSEC_SERVICE_ENDPOINT=unix:PATH). Key-name store: [[key_manager]]
 * sqlite_db_path, else $STATE_DIRECTORY/keys.sqlite3 (systemd), else
 * /var/lib/parsecd/keys.sqlite3 for root and $XDG_STATE_HOME (or ~/.local/state)
 * /parsecd/keys.sqlite3 otherwise. Opens the store and finishes what a crash left pending
 * (psa_* must reach the key store by then). On failure writes one line to `err` and returns
 * false; *exit_code is 0 for --help, 2 for a usage error, 1 otherwise.
 */
bool parsec_start(int argc, char **argv, parsec_runtime_t *rt, FILE *err, int *exit_code);
void parsec_stop(parsec_runtime_t *rt);

#endif /* PARSEC_START_H */
