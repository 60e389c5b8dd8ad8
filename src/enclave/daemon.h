/* rssd as a process: default places, their directories, the state lock, the pid file, detaching. */
#ifndef ENCLAVE_DAEMON_H
#define ENCLAVE_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Room for a sentence about a failure, with the paths in it. */
#define ENCLAVE_DAEMON_ERROR_SIZE 512

/*
 * The state directory without --state-dir: $STATE_DIRECTORY (set by systemd's StateDirectory=;
 * its first entry) if set; else /var/lib/rssd for root; else $XDG_STATE_HOME/rssd; else
 * ~/.local/state/rssd. Relative XDG values are ignored, as the XDG Base Directory
 * specification asks. False, with the reason, when none applies (no home directory).
 */
bool enclave_daemon_default_state_dir(char *out, size_t size, char *error);

/* path made absolute against the current directory (rssd leaves it when it detaches). */
bool enclave_daemon_absolute(const char *path, char *out, size_t size, char *error);

/* Creates path and its missing parents; each directory created gets mode (exactly, whatever
 * the umask). An existing path must be a directory. */
bool enclave_daemon_make_dirs(const char *path, mode_t mode, char *error);

/*
 * Takes the exclusive lock of a state directory (flock of DIR/rssd.lock), held for as long as
 * the descriptor is open, across fork. Returns the descriptor, or -1 with the reason: for a
 * directory in use, which rssd holds it (the pid the holder wrote with
 * enclave_daemon_lock_note_pid).
 */
int enclave_daemon_lock(const char *state_dir, char *error);
void enclave_daemon_lock_note_pid(int lock_fd);

/* The pid file: opened (created 0644) before detaching, so that a bad path is reported on the
 * terminal; the pid ("PID\n") written once detached; removed at the end if it still names us
 * (or is still empty). */
int enclave_daemon_open_pid_file(const char *path, char *error);
bool enclave_daemon_write_pid_file(int fd, const char *path, char *error);
void enclave_daemon_remove_pid_file(const char *path);

/*
 * Detaches: forks, and the parent waits until the child calls enclave_daemon_ready(fd, true),
 * then exits 0, so that the socket and the pid file exist when `rssd` returns; it exits 1 if
 * the child reports failure or dies first. The child starts a new session, moves to / and gets
 * /dev/null as stdin, stdout and stderr. Returns the descriptor to report on in the child, -1
 * with the reason on failure (still in the original process).
 */
int enclave_daemon_detach(char *error);
void enclave_daemon_ready(int fd, bool ok);

#endif /* ENCLAVE_DAEMON_H */
