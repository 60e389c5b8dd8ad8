/* parsecd's configuration: Parsec's config.toml keys that apply here, defaults, validation. */
#ifndef PARSEC_CONFIG_H
#define PARSEC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PARSEC_CONFIG_ADMINS_MAX 32u
#define PARSEC_CONFIG_PATH_MAX   108u /* sun_path */

typedef enum parsec_log_level {
    PARSEC_LOG_ERROR,
    PARSEC_LOG_WARNING,
    PARSEC_LOG_INFO,
    PARSEC_LOG_DEBUG,
} parsec_log_level_t;

typedef struct parsec_config {
    /* [core_settings] */
    unsigned thread_pool_size;    /* workers; default 4 */
    parsec_log_level_t log_level; /* default warning ("warn") */
    uint32_t body_len_limit;      /* default 1 MiB */
    uint32_t buffer_size_limit;   /* largest response body and output buffer; default 1 MiB */
    bool allow_root;              /* default false, as Parsec */
    bool allow_deprecated;        /* deprecated primitives (MD5, SHA-1, DES, ...); false */
    unsigned max_connections;     /* ours: concurrent connections, default 64 */
    unsigned max_connections_per_uid; /* ours: of one uid; 0 = a quarter of max_connections */
    /* [listener] */
    unsigned timeout_ms;                      /* per-request read/write timeout, default 200 */
    char socket_path[PARSEC_CONFIG_PATH_MAX]; /* "" = the default for the running user */
    /* [authenticator] */
    uint8_t auth_type; /* PARSEC_AUTH_UNIX_PEER (default) or PARSEC_AUTH_DIRECT */
    size_t admin_count;
    char *admins[PARSEC_CONFIG_ADMINS_MAX];
    /* [[key_manager]] (one, SQLite) */
    char key_manager_name[64];
    char *sqlite_db_path; /* NULL = the default for the running user */
} parsec_config_t;

/* Defaults (what parsecd uses without --config). */
void parsec_config_defaults(parsec_config_t *cfg);

/*
 * Parses a configuration file over the defaults. On error returns false and writes one line
 * (with the line number) to `err`, of size err_size. The accepted keys are listed in
 * docs/parsec.md; a key we do not know, a provider other than TrustedService or a key manager
 * other than SQLite is an error, so a typo never silently drops a setting.
 */
bool parsec_config_parse(parsec_config_t *cfg, const char *text, size_t length, char *err,
                         size_t err_size);
bool parsec_config_load(parsec_config_t *cfg, const char *path, char *err, size_t err_size);

/* True when `app` is one of the configured admins. */
bool parsec_config_is_admin(const parsec_config_t *cfg, const char *app);

void parsec_config_free(parsec_config_t *cfg);

#endif /* PARSEC_CONFIG_H */
