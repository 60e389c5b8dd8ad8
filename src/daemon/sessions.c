/* Client processes and their sessions, reference-counted by connections. */
#include "daemon/sessions.h"

#include <pthread.h>
#include <stdlib.h>

struct daemon_process {
    daemon_process_t *next;
    daemon_sessions_t *table;
    pid_t pid;
    uint64_t start_time;
    daemon_caller_t caller;
    unsigned connections;
};

/* Lock order: lock is a leaf; it is never held while release() runs. */
struct daemon_sessions {
    pthread_mutex_t lock;
    daemon_process_t *processes;
    uint64_t next_session;
    daemon_release_fn release;
    void *ctx;
};

psa_status_t daemon_sessions_create(daemon_release_fn release, void *ctx, daemon_sessions_t **out)
{
    daemon_sessions_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->next_session = 1;
    s->release = release;
    s->ctx = ctx;
    *out = s;
    return PSA_SUCCESS;
}

void daemon_sessions_free(daemon_sessions_t *sessions)
{
    if (sessions != NULL) {
        pthread_mutex_destroy(&sessions->lock);
        free(sessions);
    }
}

psa_status_t daemon_process_attach(daemon_sessions_t *sessions, pid_t pid, uint64_t start_time,
                                   int32_t client_id, daemon_process_t **out)
{
    pthread_mutex_lock(&sessions->lock);
    daemon_process_t *p = sessions->processes;
    while (p != NULL &&
           !(p->pid == pid && p->start_time == start_time && p->caller.client_id == client_id)) {
        p = p->next;
    }
    if (p == NULL) {
        p = calloc(1, sizeof(*p));
        if (p == NULL) {
            pthread_mutex_unlock(&sessions->lock);
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        p->table = sessions;
        p->pid = pid;
        p->start_time = start_time;
        p->caller.client_id = client_id;
        p->caller.session = sessions->next_session++;
        p->next = sessions->processes;
        sessions->processes = p;
    }
    p->connections++;
    pthread_mutex_unlock(&sessions->lock);
    *out = p;
    return PSA_SUCCESS;
}

void daemon_process_detach(daemon_process_t *process)
{
    daemon_sessions_t *s = process->table;
    pthread_mutex_lock(&s->lock);
    if (--process->connections > 0) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    for (daemon_process_t **pp = &s->processes; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == process) {
            *pp = process->next;
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);

    /* Outside the lock: release() takes its own locks and may take a while. */
    if (s->release != NULL) {
        s->release(&process->caller, s->ctx);
    }
    free(process);
}

daemon_caller_t daemon_process_caller(const daemon_process_t *process)
{
    return process->caller;
}

uint64_t daemon_sessions_new(daemon_sessions_t *sessions)
{
    pthread_mutex_lock(&sessions->lock);
    uint64_t session = sessions->next_session++;
    pthread_mutex_unlock(&sessions->lock);
    return session;
}

void daemon_sessions_release(daemon_sessions_t *sessions, const daemon_caller_t *caller)
{
    if (sessions->release != NULL) {
        sessions->release(caller, sessions->ctx);
    }
}
