/* libFuzzer harness: parsecd's configuration file (TOML subset) parser. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parsec/parsec_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parsec_config_t cfg;
    char err[256];
    parsec_config_defaults(&cfg);
    bool ok = parsec_config_parse(&cfg, (const char *)data, size, err, sizeof(err));
    /* Either a configuration within its bounds or one line saying why not. */
    if (ok ? (cfg.thread_pool_size == 0 || cfg.admin_count > PARSEC_CONFIG_ADMINS_MAX ||
              memchr(cfg.socket_path, '\0', sizeof(cfg.socket_path)) == NULL)
           : (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL)) {
        __builtin_trap();
    }
    parsec_config_free(&cfg);
    return 0;
}
