/* Client processes and their sessions: who owns volatile state, and when it ends. */
#ifndef DAEMON_SESSIONS_H
#define DAEMON_SESSIONS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <psa/error.h>

/*
 * Who a request is for, as established by the daemon (never taken from the message alone): the
 * client id that owns persistent state, and the session that owns volatile state (one client
 * process; for a forwarder, one asserted client id on one of its connections).
 */
typedef struct daemon_caller {
    int32_t client_id;
    uint64_t session;
} daemon_caller_t;

/* Called once per session when it ends; runs on the thread that closed the last connection,
 * with no lock of the session table held. */
typedef void (*daemon_release_fn)(const daemon_caller_t *caller, void *ctx);

/*
 * A client process is named by (pid, start time): pids are reused, start times make the pair
 * unique for the uptime. Every connection of one process shares the process's session, so its
 * volatile state is visible on all its connections and to nobody else. Each connection of a
 * forwarder gets one further session per client id it asserts on it, which ends with that
 * connection (a forwarder keeps a connection per caller session: se-proxy one per TS
 * connection). Session numbers are never reused in one table.
 * When the last connection of a process closes, every session of it is released (release()).
 */
typedef struct daemon_sessions daemon_sessions_t;
typedef struct daemon_process daemon_process_t;

/* A table whose ended sessions go to release(caller, ctx) (which may be NULL). */
psa_status_t daemon_sessions_create(daemon_release_fn release, void *ctx, daemon_sessions_t **out);
/* Frees the table; every process must have been detached. */
void daemon_sessions_free(daemon_sessions_t *sessions);

/* Finds or creates the process and counts one more connection of it. */
psa_status_t daemon_process_attach(daemon_sessions_t *sessions, pid_t pid, uint64_t start_time,
                                   int32_t client_id, daemon_process_t **out);
/* Counts one connection less; the last one releases the process's sessions. */
void daemon_process_detach(daemon_process_t *process);
/* The process's own caller (its uid's client id and its session). */
daemon_caller_t daemon_process_caller(const daemon_process_t *process);
/* A fresh session number (never reused in the table), for the session a forwarder's connection
 * opens when it asserts a client id; the server releases it with daemon_sessions_release when
 * that connection closes. */
uint64_t daemon_sessions_new(daemon_sessions_t *sessions);
void daemon_sessions_release(daemon_sessions_t *sessions, const daemon_caller_t *caller);

#endif /* DAEMON_SESSIONS_H */
