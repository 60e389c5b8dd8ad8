/* rssd's log: one line per event, filtered by level, to stderr, the journal, a file or syslog. */
#ifndef ENCLAVE_LOG_H
#define ENCLAVE_LOG_H

#include <stdbool.h>

typedef enum enclave_log_level {
    ENCLAVE_LOG_ERROR = 0,
    ENCLAVE_LOG_WARNING = 1,
    ENCLAVE_LOG_INFO = 2,
    ENCLAVE_LOG_DEBUG = 3,
} enclave_log_level_t;

/*
 * Where lines go. Each line is written with one write(2) (or one syslog(3) call), so threads
 * never interleave within a line.
 *   stderr:  "rssd[PID] LEVEL: message" (the default)
 *   journal: "<N>message" on stderr, N the syslog priority (sd-daemon(3) prefixes), for a
 *            stderr connected to the systemd journal, which adds time, pid and identifier
 *   file:    "YYYY-MM-DDTHH:MM:SS.mmm+ZZZZ rssd[PID] LEVEL: message", appended
 *   syslog:  facility daemon, identifier rssd, with the pid
 */
typedef enum enclave_log_sink {
    ENCLAVE_LOG_STDERR = 0,
    ENCLAVE_LOG_JOURNAL = 1,
    ENCLAVE_LOG_FILE = 2,
    ENCLAVE_LOG_SYSLOG = 3,
} enclave_log_sink_t;

void enclave_log_set_level(enclave_log_level_t level);
/* Parses "error", "warning", "info" or "debug"; false otherwise. */
int enclave_log_parse_level(const char *name, enclave_log_level_t *level);

/* Whether stderr is the systemd journal: $JOURNAL_STREAM names its device and inode. */
bool enclave_log_stderr_is_journal(void);
/* Switches to the journal format on stderr, or to syslog. */
void enclave_log_use_journal(void);
void enclave_log_use_syslog(void);
/* Opens path (created 0600, appended) and logs there from now on; false with errno set when it
 * cannot be opened (the sink is then unchanged). Called again with the same path (SIGHUP), it
 * reopens the file in place, so that a rotated log is let go. */
bool enclave_log_use_file(const char *path);
/* Reopens the log file after rotation (SIGHUP); true when there is none. */
bool enclave_log_reopen(void);
enclave_log_sink_t enclave_log_sink(void);

void enclave_log(enclave_log_level_t level, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* ENCLAVE_LOG_H */
