/* daemon_run: the part of every daemon's main after its options (server.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/server.h"

int daemon_run(const char *name, const char *socket_path, const daemon_protocol_t *protocol,
               const daemon_limits_t *limits, const daemon_policy_t *policy, bool foreground,
               bool (*prepare)(void *ctx), void *prepare_ctx)
{
    signal(SIGPIPE, SIG_IGN);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* the workers inherit it; sigwait takes it */
    if (!foreground && daemon(0, 0) != 0) {
        fprintf(stderr, "%s: cannot detach: %s\n", name, strerror(errno));
        return 1;
    }
    if (prepare != NULL && !prepare(prepare_ctx)) {
        return 1;
    }
    daemon_server_t *server = NULL;
    psa_status_t status = daemon_server_create(socket_path, protocol, limits, policy, &server);
    if (status == PSA_SUCCESS) {
        status = daemon_server_start(server);
    }
    if (status != PSA_SUCCESS) {
        daemon_log(DAEMON_LOG_ERROR, "cannot serve on %s: %s", socket_path, strerror(errno));
        daemon_server_destroy(server);
        return 1;
    }
    daemon_log(DAEMON_LOG_INFO, "serving on %s", socket_path);
    int sig = 0;
    sigwait(&stop, &sig);
    daemon_log(DAEMON_LOG_INFO, "signal %d: stopping", sig);
    if (!daemon_server_shutdown(server, 10)) {
        _exit(1); /* a call still runs: leave what it uses, free nothing */
    }
    return 0;
}
