/* A daemon's log: levelled lines to stderr, the journal, a file or syslog, one write per line. */
#define _GNU_SOURCE
#include "daemon/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static atomic_int log_level = DAEMON_LOG_INFO;
static atomic_int log_sink = DAEMON_LOG_STDERR;
/* The log file's descriptor. Reopening dup2()s the new file onto it, so a thread writing at
 * that moment writes to the old or the new file, never to a closed or reused descriptor. */
static int log_fd = -1;
static char log_path[PATH_MAX];

/* Set before any worker starts (daemon_log_set_identity), read only afterwards. */
static const char *log_identity;
static const char *const log_names[] = {"error", "warning", "info", "debug"};
static const int log_priorities[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

void daemon_log_set_identity(const char *name)
{
    log_identity = name;
}

static const char *identity(void)
{
    return log_identity != NULL ? log_identity : program_invocation_short_name;
}

void daemon_log_set_level(daemon_log_level_t level)
{
    atomic_store(&log_level, (int)level);
}

int daemon_log_parse_level(const char *name, daemon_log_level_t *level)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, log_names[i]) == 0) {
            *level = (daemon_log_level_t)i;
            return 1;
        }
    }
    return 0;
}

bool daemon_log_stderr_is_journal(void)
{
    /* systemd.exec(5): JOURNAL_STREAM is "DEVICE:INODE" of the stream it connected; a stderr
     * redirected since (2>file in a unit's shell wrapper) no longer matches. */
    const char *env = getenv("JOURNAL_STREAM");
    unsigned long long dev = 0, ino = 0;
    struct stat st;
    if (env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2 ||
        fstat(STDERR_FILENO, &st) != 0) {
        return false;
    }
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void daemon_log_use_journal(void)
{
    atomic_store(&log_sink, DAEMON_LOG_JOURNAL);
}

void daemon_log_use_syslog(void)
{
    openlog(identity(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
    atomic_store(&log_sink, DAEMON_LOG_SYSLOG);
}

static int open_log(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
}

bool daemon_log_use_file(const char *path)
{
    if (strlen(path) >= sizeof(log_path)) {
        errno = ENAMETOOLONG;
        return false;
    }
    int fd = open_log(path);
    if (fd < 0) {
        return false;
    }
    if (log_fd < 0) {
        log_fd = fd;
    } else {
        int saved = 0;
        if (dup2(fd, log_fd) < 0) {
            saved = errno;
        }
        close(fd);
        if (saved != 0) {
            errno = saved;
            return false;
        }
    }
    if (path != log_path) { /* daemon_log_reopen passes log_path itself */
        strcpy(log_path, path);
    }
    atomic_store(&log_sink, DAEMON_LOG_FILE);
    return true;
}

bool daemon_log_reopen(void)
{
    return log_fd < 0 || daemon_log_use_file(log_path);
}

daemon_log_sink_t daemon_log_sink(void)
{
    return (daemon_log_sink_t)atomic_load(&log_sink);
}

/* "2025-01-31T12:00:00.123+0100", local time as syslog files show it. */
static int format_time(char *buf, size_t size)
{
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    localtime_r(&now.tv_sec, &tm);
    char date[32], zone[8];
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    strftime(zone, sizeof(zone), "%z", &tm);
    return snprintf(buf, size, "%s.%03ld%s ", date, now.tv_nsec / 1000000, zone);
}

void daemon_log(daemon_log_level_t level, const char *format, ...)
{
    if ((int)level > atomic_load(&log_level)) {
        return;
    }
    int sink = atomic_load(&log_sink);
    char line[640];
    int n = 0;
    if (sink == DAEMON_LOG_JOURNAL) {
        n = snprintf(line, sizeof(line), "<%d>", log_priorities[level]);
    } else if (sink != DAEMON_LOG_SYSLOG) {
        if (sink == DAEMON_LOG_FILE) {
            n = format_time(line, sizeof(line));
        }
        n += snprintf(line + n, sizeof(line) - (size_t)n, "%s[%d] %s: ", identity(), (int)getpid(),
                      log_names[level]);
    }
    va_list ap;
    va_start(ap, format);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, format, ap);
    va_end(ap);
    size_t length = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (length > sizeof(line) - 2) {
        length = sizeof(line) - 2;
    }
    /* A message may carry a peer's text (a variable name, say): no control character of it may
     * start a line of its own or rewrite the terminal. */
    for (size_t i = (size_t)n; i < length; i++) {
        unsigned char ch = (unsigned char)line[i];
        if (ch < 0x20 || ch == 0x7f) {
            line[i] = '?';
        }
    }
    if (sink == DAEMON_LOG_SYSLOG) {
        line[length] = '\0';
        syslog(log_priorities[level], "%s", line);
        return;
    }
    line[length++] = '\n';
    ssize_t ignored = write(sink == DAEMON_LOG_FILE ? log_fd : STDERR_FILENO, line, length);
    (void)ignored;
}
