/* rssd's log: one line per event on stderr, "rssd[pid] level: message", filtered by level. */
#ifndef ENCLAVE_LOG_H
#define ENCLAVE_LOG_H

typedef enum enclave_log_level {
    ENCLAVE_LOG_ERROR = 0,
    ENCLAVE_LOG_WARNING = 1,
    ENCLAVE_LOG_INFO = 2,
    ENCLAVE_LOG_DEBUG = 3,
} enclave_log_level_t;

void enclave_log_set_level(enclave_log_level_t level);
/* Parses "error", "warning", "info" or "debug"; false otherwise. */
int enclave_log_parse_level(const char *name, enclave_log_level_t *level);
void enclave_log(enclave_log_level_t level, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* ENCLAVE_LOG_H */
