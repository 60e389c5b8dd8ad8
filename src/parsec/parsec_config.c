/* parsecd's configuration: interprets the TOML subset into parsec_config_t. */
#include "parsec/parsec_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parsec/parsec_toml.h"
#include "parsec/parsec_wire.h"

#define CONFIG_FILE_MAX (256u * 1024u)

typedef struct config_ctx {
    parsec_config_t *cfg;
    char *err;
    size_t err_size;
    bool provider_seen;
    bool key_manager_seen;
    char provider_kim[64];
} config_ctx_t;

void parsec_config_defaults(parsec_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->thread_pool_size = 4;
    cfg->log_level = PARSEC_LOG_WARNING;
    cfg->body_len_limit = 1u << 20;
    cfg->buffer_size_limit = 1u << 20;
    cfg->allow_root = false;
    cfg->max_connections = 64;
    cfg->timeout_ms = 200;
    cfg->auth_type = PARSEC_AUTH_UNIX_PEER;
}

void parsec_config_free(parsec_config_t *cfg)
{
    for (size_t i = 0; i < cfg->admin_count; i++) {
        free(cfg->admins[i]);
    }
    cfg->admin_count = 0;
    free(cfg->sqlite_db_path);
    cfg->sqlite_db_path = NULL;
}

bool parsec_config_is_admin(const parsec_config_t *cfg, const char *app)
{
    for (size_t i = 0; i < cfg->admin_count; i++) {
        if (strcmp(cfg->admins[i], app) == 0) {
            return true;
        }
    }
    return false;
}

static int config_error(config_ctx_t *c, unsigned line, const char *table, const char *key,
                        const char *why)
{
    snprintf(c->err, c->err_size, "line %u: [%s] %s: %s", line, table, key, why);
    return 1;
}

static int config_uint(config_ctx_t *c, unsigned line, const char *table, const char *key,
                       const parsec_toml_value_t *v, uint64_t min, uint64_t max, uint64_t *out)
{
    if (v->type != PARSEC_TOML_INTEGER) {
        return config_error(c, line, table, key, "expected an integer");
    }
    if (v->integer < 0 || (uint64_t)v->integer < min || (uint64_t)v->integer > max) {
        return config_error(c, line, table, key, "out of range");
    }
    *out = (uint64_t)v->integer;
    return 0;
}

static int config_string(config_ctx_t *c, unsigned line, const char *table, const char *key,
                         const parsec_toml_value_t *v, char *out, size_t size)
{
    if (v->type != PARSEC_TOML_STRING) {
        return config_error(c, line, table, key, "expected a string");
    }
    if (strlen(v->string) >= size) {
        return config_error(c, line, table, key, "too long");
    }
    strcpy(out, v->string);
    return 0;
}

static int config_core(config_ctx_t *c, unsigned line, const char *key,
                       const parsec_toml_value_t *v)
{
    parsec_config_t *cfg = c->cfg;
    uint64_t n = 0;
    const char *t = "core_settings";
    int rc;
    if (strcmp(key, "thread_pool_size") == 0) {
        rc = config_uint(c, line, t, key, v, 1, 256, &n);
        cfg->thread_pool_size = (unsigned)n;
    } else if (strcmp(key, "body_len_limit") == 0) {
        rc = config_uint(c, line, t, key, v, 0, UINT32_MAX, &n);
        cfg->body_len_limit = (uint32_t)n;
    } else if (strcmp(key, "buffer_size_limit") == 0) {
        rc = config_uint(c, line, t, key, v, 64, UINT32_MAX - PARSEC_HEADER_SIZE, &n);
        cfg->buffer_size_limit = (uint32_t)n;
    } else if (strcmp(key, "max_connections") == 0) {
        rc = config_uint(c, line, t, key, v, 1, 65536, &n);
        cfg->max_connections = (unsigned)n;
    } else if (strcmp(key, "max_connections_per_uid") == 0) {
        rc = config_uint(c, line, t, key, v, 1, 65536, &n);
        cfg->max_connections_per_uid = (unsigned)n;
    } else if (strcmp(key, "allow_root") == 0 || strcmp(key, "allow_deprecated") == 0) {
        if (v->type != PARSEC_TOML_BOOLEAN) {
            return config_error(c, line, t, key, "expected true or false");
        }
        *(key[6] == 'r' ? &cfg->allow_root : &cfg->allow_deprecated) = v->boolean;
        rc = 0;
    } else if (strcmp(key, "log_level") == 0) {
        static const struct {
            const char *name;
            parsec_log_level_t level;
        } levels[] = {{"error", PARSEC_LOG_ERROR},
                      {"warn", PARSEC_LOG_WARNING},
                      {"info", PARSEC_LOG_INFO},
                      {"debug", PARSEC_LOG_DEBUG},
                      {"trace", PARSEC_LOG_DEBUG}};
        if (v->type != PARSEC_TOML_STRING) {
            return config_error(c, line, t, key, "expected a string");
        }
        for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
            if (strcmp(v->string, levels[i].name) == 0) {
                cfg->log_level = levels[i].level;
                return 0;
            }
        }
        return config_error(c, line, t, key, "expected error, warn, info, debug or trace");
    } else if (strcmp(key, "idle_listener_sleep_duration") == 0 ||
               strcmp(key, "log_timestamp") == 0 || strcmp(key, "log_error_details") == 0) {
        /* Parsec keys with no meaning here (no polling listener, one log format): accepted
         * so Parsec's file loads unchanged. */
        rc = 0;
    } else {
        rc = config_error(c, line, t, key, "unknown key");
    }
    return rc;
}

static int config_listener(config_ctx_t *c, unsigned line, const char *key,
                           const parsec_toml_value_t *v)
{
    const char *t = "listener";
    uint64_t n = 0;
    if (strcmp(key, "listener_type") == 0) {
        if (v->type != PARSEC_TOML_STRING || strcmp(v->string, "DomainSocket") != 0) {
            return config_error(c, line, t, key, "only \"DomainSocket\" is supported");
        }
        return 0;
    }
    if (strcmp(key, "timeout") == 0) {
        int rc = config_uint(c, line, t, key, v, 1, 3600u * 1000u, &n);
        c->cfg->timeout_ms = (unsigned)n;
        return rc;
    }
    if (strcmp(key, "socket_path") == 0) {
        return config_string(c, line, t, key, v, c->cfg->socket_path, sizeof(c->cfg->socket_path));
    }
    return config_error(c, line, t, key, "unknown key");
}

static int config_authenticator(config_ctx_t *c, unsigned line, const char *key,
                                const parsec_toml_value_t *v)
{
    const char *t = "authenticator";
    parsec_config_t *cfg = c->cfg;
    if (strcmp(key, "auth_type") == 0) {
        if (v->type != PARSEC_TOML_STRING) {
            return config_error(c, line, t, key, "expected a string");
        }
        if (strcmp(v->string, "UnixPeerCredentials") == 0) {
            cfg->auth_type = PARSEC_AUTH_UNIX_PEER;
        } else if (strcmp(v->string, "Direct") == 0) {
            cfg->auth_type = PARSEC_AUTH_DIRECT;
        } else {
            return config_error(c, line, t, key,
                                "only \"UnixPeerCredentials\" and \"Direct\" are supported");
        }
        return 0;
    }
    if (strcmp(key, "admins") == 0) {
        if (v->type != PARSEC_TOML_ARRAY || v->count > PARSEC_CONFIG_ADMINS_MAX) {
            return config_error(c, line, t, key, "expected an array of { name = \"...\" }");
        }
        for (size_t i = 0; i < v->count; i++) {
            const parsec_toml_value_t *e = v->elements[i];
            if (e->type != PARSEC_TOML_INLINE_TABLE || e->count != 1 ||
                strcmp(e->pairs[0].key, "name") != 0 ||
                e->pairs[0].value->type != PARSEC_TOML_STRING ||
                e->pairs[0].value->string[0] == '\0') {
                return config_error(c, line, t, key, "expected an array of { name = \"...\" }");
            }
            char *name = strdup(e->pairs[0].value->string);
            if (name == NULL) {
                return config_error(c, line, t, key, "out of memory");
            }
            cfg->admins[cfg->admin_count++] = name;
        }
        return 0;
    }
    return config_error(c, line, t, key, "unknown key");
}

static int config_key_manager(config_ctx_t *c, unsigned line, int index, const char *key,
                              const parsec_toml_value_t *v)
{
    const char *t = "key_manager";
    if (index > 0) {
        return config_error(c, line, t, key, "only one key manager is supported");
    }
    c->key_manager_seen = true;
    if (strcmp(key, "name") == 0) {
        return config_string(c, line, t, key, v, c->cfg->key_manager_name,
                             sizeof(c->cfg->key_manager_name));
    }
    if (strcmp(key, "manager_type") == 0) {
        if (v->type != PARSEC_TOML_STRING || strcmp(v->string, "SQLite") != 0) {
            return config_error(c, line, t, key, "only \"SQLite\" is supported");
        }
        return 0;
    }
    if (strcmp(key, "sqlite_db_path") == 0) {
        if (v->type != PARSEC_TOML_STRING || v->string[0] == '\0') {
            return config_error(c, line, t, key, "expected a path");
        }
        free(c->cfg->sqlite_db_path);
        c->cfg->sqlite_db_path = strdup(v->string);
        return c->cfg->sqlite_db_path == NULL ? config_error(c, line, t, key, "out of memory") : 0;
    }
    return config_error(c, line, t, key, "unknown key");
}

static int config_provider(config_ctx_t *c, unsigned line, int index, const char *key,
                           const parsec_toml_value_t *v)
{
    const char *t = "provider";
    if (index > 0) {
        return config_error(c, line, t, key, "only one provider (TrustedService) is supported");
    }
    c->provider_seen = true;
    if (strcmp(key, "provider_type") == 0) {
        if (v->type != PARSEC_TOML_STRING || strcmp(v->string, "TrustedService") != 0) {
            return config_error(c, line, t, key, "only \"TrustedService\" is supported");
        }
        return 0;
    }
    if (strcmp(key, "key_info_manager") == 0) {
        return config_string(c, line, t, key, v, c->provider_kim, sizeof(c->provider_kim));
    }
    if (strcmp(key, "name") == 0) {
        char ignored[64];
        return config_string(c, line, t, key, v, ignored, sizeof(ignored));
    }
    return config_error(c, line, t, key, "unknown key");
}

static int config_entry(void *ctx, const char *table, int index, const char *key,
                        const parsec_toml_value_t *v, unsigned line)
{
    config_ctx_t *c = ctx;
    bool array = index >= 0;
    if (strcmp(table, "core_settings") == 0 && !array) {
        return config_core(c, line, key, v);
    }
    if (strcmp(table, "listener") == 0 && !array) {
        return config_listener(c, line, key, v);
    }
    if (strcmp(table, "authenticator") == 0 && !array) {
        return config_authenticator(c, line, key, v);
    }
    if (strcmp(table, "key_manager") == 0 && array) {
        return config_key_manager(c, line, index, key, v);
    }
    if (strcmp(table, "provider") == 0 && array) {
        return config_provider(c, line, index, key, v);
    }
    return config_error(c, line, table, key, "unknown table");
}

bool parsec_config_parse(parsec_config_t *cfg, const char *text, size_t length, char *err,
                         size_t err_size)
{
    config_ctx_t c = {.cfg = cfg, .err = err, .err_size = err_size};
    unsigned line = 0;
    const char *why = NULL;
    err[0] = '\0';
    int rc = parsec_toml_parse(text, length, config_entry, &c, &line, &why);
    if (rc == -1) {
        snprintf(err, err_size, "line %u: %s", line, why);
        return false;
    }
    if (rc != 0) {
        return false;
    }
    if (c.provider_kim[0] != '\0' && strcmp(c.provider_kim, cfg->key_manager_name) != 0) {
        snprintf(err, err_size, "[[provider]] key_info_manager \"%s\" names no [[key_manager]]",
                 c.provider_kim);
        return false;
    }
    if (cfg->buffer_size_limit > UINT32_MAX - PARSEC_HEADER_SIZE) {
        snprintf(err, err_size, "[core_settings] buffer_size_limit: out of range");
        return false;
    }
    return true;
}

bool parsec_config_load(parsec_config_t *cfg, const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return false;
    }
    char *text = malloc(CONFIG_FILE_MAX + 1);
    size_t n = text != NULL ? fread(text, 1, CONFIG_FILE_MAX + 1, f) : 0;
    bool read_error = text == NULL || ferror(f);
    fclose(f);
    if (read_error || n > CONFIG_FILE_MAX) {
        snprintf(err, err_size, "%s: %s", path,
                 read_error ? "cannot be read" : "larger than 256 KiB");
        free(text);
        return false;
    }
    char inner[256];
    bool ok = parsec_config_parse(cfg, text, n, inner, sizeof(inner));
    free(text);
    if (!ok) {
        snprintf(err, err_size, "%s: %s", path, inner);
    }
    return ok;
}
