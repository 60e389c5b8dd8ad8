/* rssd's log: levelled lines on stderr, written with one write so threads do not interleave. */
#include "enclave/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static atomic_int log_level = ENCLAVE_LOG_INFO;
static const char *const log_names[] = {"error", "warning", "info", "debug"};

void enclave_log_set_level(enclave_log_level_t level)
{
    atomic_store(&log_level, (int)level);
}

int enclave_log_parse_level(const char *name, enclave_log_level_t *level)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, log_names[i]) == 0) {
            *level = (enclave_log_level_t)i;
            return 1;
        }
    }
    return 0;
}

void enclave_log(enclave_log_level_t level, const char *format, ...)
{
    if ((int)level > atomic_load(&log_level)) {
        return;
    }
    char line[512];
    int n = snprintf(line, sizeof(line), "rssd[%d] %s: ", (int)getpid(), log_names[level]);
    va_list ap;
    va_start(ap, format);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, format, ap);
    va_end(ap);
    size_t length = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (length > sizeof(line) - 2) {
        length = sizeof(line) - 2;
    }
    line[length++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, length);
    (void)ignored;
}
