/* Integration-test helper: a private rssd per test program, never the user's state or socket. */
#define _GNU_SOURCE
#include "rssd_harness.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const *saved_args;
static bool have_policy;

static bool launch(rssd_instance_t *r, const char *const *extra_args)
{
    char policy[320];
    snprintf(policy, sizeof(policy), "%s/policy", r->dir);
    const char *argv[32];
    int n = 0;
    argv[n++] = RSSD_PATH;
    argv[n++] = "--state-dir";
    argv[n++] = r->state;
    argv[n++] = "--socket";
    argv[n++] = r->socket;
    argv[n++] = "--foreground";
    argv[n++] = "--log-level";
    argv[n++] = "warning";
    if (have_policy) {
        argv[n++] = "--policy";
        argv[n++] = policy;
    }
    for (int i = 0; extra_args != NULL && extra_args[i] != NULL && n < 31; i++) {
        argv[n++] = extra_args[i];
    }
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0) {
        return false;
    }
    if (pid == 0) {
        execv(RSSD_PATH, (char *const *)argv);
        _exit(127);
    }
    r->pid = pid;
    /* Ready when a connection is accepted. */
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memcpy(addr.sun_path, r->socket, strlen(r->socket) + 1);
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
            close(fd);
            return true;
        }
        if (fd >= 0) {
            close(fd);
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            r->pid = 0;
            return false;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

bool rssd_start(rssd_instance_t *r, const char *policy_text, const char *const *extra_args)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->dir, sizeof(r->dir), "/tmp/rssd-test.XXXXXX");
    if (mkdtemp(r->dir) == NULL || chmod(r->dir, 0755) < 0) {
        return false;
    }
    snprintf(r->socket, sizeof(r->socket), "%s/rss.sock", r->dir);
    snprintf(r->state, sizeof(r->state), "%s/state", r->dir);
    have_policy = policy_text != NULL;
    if (have_policy) {
        char policy[320];
        snprintf(policy, sizeof(policy), "%s/policy", r->dir);
        FILE *f = fopen(policy, "w");
        if (f == NULL) {
            return false;
        }
        fputs(policy_text, f);
        fclose(f);
    }
    setenv("RSS_SOCKET", r->socket, 1);
    saved_args = extra_args;
    return launch(r, extra_args);
}

bool rssd_restart(rssd_instance_t *r, const char *const *extra_args)
{
    return launch(r, extra_args != NULL ? extra_args : saved_args);
}

int rssd_stop(rssd_instance_t *r)
{
    if (r->pid <= 0) {
        return -1;
    }
    kill(r->pid, SIGTERM);
    int status = 0;
    while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {
    }
    r->pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void rssd_cleanup(rssd_instance_t *r)
{
    if (r->pid > 0) {
        rssd_stop(r);
    }
    if (r->dir[0] != '\0') {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
        int ignored = system(cmd);
        (void)ignored;
    }
}
