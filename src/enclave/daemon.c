/* rssd's places and process life: default directories, the state lock, pid file, detaching. */
#define _GNU_SOURCE
#include "enclave/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes the reason into error (ENCLAVE_DAEMON_ERROR_SIZE bytes, truncated); returns false. */
__attribute__((format(printf, 2, 3))) static bool fail(char *error, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vsnprintf(error, ENCLAVE_DAEMON_ERROR_SIZE, format, ap);
    va_end(ap);
    return false;
}

static bool join(char *out, size_t size, const char *a, const char *b, char *error)
{
    int n = snprintf(out, size, "%s%s", a, b);
    if (n < 0 || (size_t)n >= size) {
        return fail(error, "path too long: %s%s", a, b);
    }
    return true;
}

static const char *home_dir(char *buf, size_t size)
{
    const char *home = getenv("HOME");
    if (home != NULL && home[0] == '/') {
        return home;
    }
    struct passwd pw, *found = NULL;
    if (getpwuid_r(geteuid(), &pw, buf, size, &found) == 0 && found != NULL &&
        found->pw_dir != NULL && found->pw_dir[0] == '/') {
        return found->pw_dir;
    }
    return NULL;
}

bool enclave_daemon_default_state_dir(char *out, size_t size, char *error)
{
    const char *systemd = getenv("STATE_DIRECTORY");
    if (systemd != NULL && systemd[0] == '/') {
        size_t n = strcspn(systemd, ":"); /* several StateDirectory= entries: the first */
        if (n >= size) {
            return fail(error, "$STATE_DIRECTORY is too long");
        }
        memcpy(out, systemd, n);
        out[n] = '\0';
        return true;
    }
    if (geteuid() == 0) {
        return join(out, size, "/var/lib/rssd", "", error);
    }
    const char *state_home = getenv("XDG_STATE_HOME");
    if (state_home != NULL && state_home[0] == '/') {
        return join(out, size, state_home, "/rssd", error);
    }
    char buf[4096];
    const char *home = home_dir(buf, sizeof(buf));
    if (home == NULL) {
        return fail(error, "no state directory: neither $XDG_STATE_HOME nor a home directory "
                           "is set; give --state-dir DIR");
    }
    return join(out, size, home, "/.local/state/rssd", error);
}

bool enclave_daemon_absolute(const char *path, char *out, size_t size, char *error)
{
    if (path[0] == '/') {
        return join(out, size, path, "", error);
    }
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        return fail(error, "cannot resolve %s: %s", path, strerror(errno));
    }
    int n = snprintf(out, size, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, path);
    if (n < 0 || (size_t)n >= size) {
        return fail(error, "path too long: %s/%s", cwd, path);
    }
    return true;
}

static bool make_one(const char *path, mode_t mode, char *error)
{
    if (mkdir(path, mode) == 0) {
        /* mkdir applies the umask (rssd runs with 077); the mode asked for is the one meant. */
        if (chmod(path, mode) != 0) {
            return fail(error, "cannot set the mode of %s: %s", path, strerror(errno));
        }
        return true;
    }
    struct stat st;
    if (errno == EEXIST && stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            return true;
        }
        return fail(error, "%s exists and is not a directory", path);
    }
    return fail(error, "cannot create %s: %s", path, strerror(errno));
}

bool enclave_daemon_make_dirs(const char *path, mode_t mode, char *error)
{
    char buf[PATH_MAX];
    if (!join(buf, sizeof(buf), path, "", error)) {
        return false;
    }
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p == '/' && p[-1] != '/') {
            *p = '\0';
            bool ok = make_one(buf, mode, error);
            *p = '/';
            if (!ok) {
                return false;
            }
        }
    }
    return make_one(buf, mode, error);
}

int enclave_daemon_lock(const char *state_dir, char *error)
{
    char path[PATH_MAX];
    if (!join(path, sizeof(path), state_dir, "/rssd.lock", error)) {
        return -1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
    if (fd < 0) {
        fail(error, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    int rc;
    while ((rc = flock(fd, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
    }
    if (rc == 0) {
        return fd;
    }
    if (errno == EWOULDBLOCK) {
        char pid[24] = "";
        ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        fail(error,
             "the state directory %s is in use by another rssd%s%s%s; stop it, or give this one "
             "another --state-dir",
             state_dir, pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "");
    } else {
        fail(error, "cannot lock %s: %s", path, strerror(errno));
    }
    close(fd);
    return -1;
}

void enclave_daemon_lock_note_pid(int lock_fd)
{
    /* Only for the message a second instance prints; the lock itself is what counts. */
    char pid[24];
    int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
    if (ftruncate(lock_fd, 0) == 0) {
        ssize_t ignored = pwrite(lock_fd, pid, (size_t)n, 0);
        (void)ignored;
    }
}

int enclave_daemon_open_pid_file(const char *path, char *error)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
    if (fd < 0 || fchmod(fd, 0644) != 0) {
        fail(error, "cannot write the pid file %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

bool enclave_daemon_write_pid_file(int fd, const char *path, char *error)
{
    char pid[24];
    int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
    bool ok = ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) == n;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        unlink(path);
        return fail(error, "cannot write the pid file %s: %s", path, strerror(saved));
    }
    return true;
}

void enclave_daemon_remove_pid_file(const char *path)
{
    char text[24] = "";
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return;
    }
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    text[n > 0 ? n : 0] = '\0';
    /* Another rssd may have taken the file over since: leave it to that one. Empty, it is the
     * one this process opened and never wrote (start-up failed). */
    if (n == 0 || atoi(text) == (int)getpid()) {
        unlink(path);
    }
}

int enclave_daemon_detach(char *error)
{
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        fail(error, "cannot detach: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fail(error, "cannot detach: %s", strerror(errno));
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        return -1;
    }
    if (pid > 0) {
        close(pipe_fds[1]);
        char byte = 1;
        ssize_t n;
        while ((n = read(pipe_fds[0], &byte, 1)) < 0 && errno == EINTR) {
        }
        _exit(n == 1 && byte == 0 ? 0 : 1);
    }
    close(pipe_fds[0]);
    setsid();
    /* Failure is harmless: every path rssd uses from now on is absolute. */
    int ignored = chdir("/");
    (void)ignored;
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
        if (null_fd > STDERR_FILENO) {
            close(null_fd);
        }
    }
    return pipe_fds[1];
}

void enclave_daemon_ready(int fd, bool ok)
{
    if (fd < 0) {
        return;
    }
    char byte = ok ? 0 : 1;
    ssize_t ignored = write(fd, &byte, 1);
    (void)ignored;
    close(fd);
}
