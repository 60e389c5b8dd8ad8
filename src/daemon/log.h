/* A daemon's log: one line per event, filtered by level, to stderr, the journal, a file or syslog.
 */
#ifndef DAEMON_LOG_H
#define DAEMON_LOG_H

#include <stdbool.h>

typedef enum daemon_log_level {
    DAEMON_LOG_ERROR = 0,
    DAEMON_LOG_WARNING = 1,
    DAEMON_LOG_INFO = 2,
    DAEMON_LOG_DEBUG = 3,
} daemon_log_level_t;

/*
 * Where lines go. Each line is written with one write(2) (or one syslog(3) call), so threads
 * never interleave within a line.
 * NAME is the daemon's identifier (daemon_log_set_identity; rssd sets "rssd").
 *   stderr:  "NAME[PID] LEVEL: message" (the default)
 *   journal: "<N>message" on stderr, N the syslog priority (sd-daemon(3) prefixes), for a
 *            stderr connected to the systemd journal, which adds time, pid and identifier
 *   file:    "YYYY-MM-DDTHH:MM:SS.mmm+ZZZZ NAME[PID] LEVEL: message", appended
 *   syslog:  facility daemon, identifier NAME, with the pid
 */
typedef enum daemon_log_sink {
    DAEMON_LOG_STDERR = 0,
    DAEMON_LOG_JOURNAL = 1,
    DAEMON_LOG_FILE = 2,
    DAEMON_LOG_SYSLOG = 3,
} daemon_log_sink_t;

/* The identifier every line carries (the program's name until set); call it before logging
 * starts. The string must stay valid for the life of the process. */
void daemon_log_set_identity(const char *name);
void daemon_log_set_level(daemon_log_level_t level);
/* Parses "error", "warning", "info" or "debug"; false otherwise. */
int daemon_log_parse_level(const char *name, daemon_log_level_t *level);

/* Whether stderr is the systemd journal: $JOURNAL_STREAM names its device and inode. */
bool daemon_log_stderr_is_journal(void);
/* Switches to the journal format on stderr, or to syslog. */
void daemon_log_use_journal(void);
void daemon_log_use_syslog(void);
/* Opens path (created 0600, appended) and logs there from now on; false with errno set when it
 * cannot be opened (the sink is then unchanged). Called again with the same path (SIGHUP), it
 * reopens the file in place, so that a rotated log is let go. */
bool daemon_log_use_file(const char *path);
/* Reopens the log file after rotation (SIGHUP); true when there is none. */
bool daemon_log_reopen(void);
daemon_log_sink_t daemon_log_sink(void);

void daemon_log(daemon_log_level_t level, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* DAEMON_LOG_H */
