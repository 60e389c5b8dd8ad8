/* Client processes and their sessions, reference-counted by connections. */
#include "enclave/sessions.h"

#include <pthread.h>
#include <stdlib.h>

#include "enclave/enclave.h"

typedef struct asserted_session {
    int32_t client_id;
    uint64_t session;
} asserted_session_t;

struct enclave_process {
    enclave_process_t *next;
    pid_t pid;
    uint64_t start_time;
    enclave_caller_t caller;
    unsigned connections;
    size_t asserted_count;
    asserted_session_t *asserted;
};

/* Lock order: sessions_lock is a leaf; it is never held while a service runs. */
static pthread_mutex_t sessions_lock = PTHREAD_MUTEX_INITIALIZER;
static enclave_process_t *sessions_processes;
static uint64_t sessions_next = 1;
static size_t sessions_count;

psa_status_t enclave_process_attach(pid_t pid, uint64_t start_time, int32_t client_id,
                                    enclave_process_t **out)
{
    pthread_mutex_lock(&sessions_lock);
    enclave_process_t *p = sessions_processes;
    while (p != NULL && !(p->pid == pid && p->start_time == start_time &&
                          p->caller.client_id == client_id)) {
        p = p->next;
    }
    if (p == NULL) {
        p = calloc(1, sizeof(*p));
        if (p == NULL) {
            pthread_mutex_unlock(&sessions_lock);
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        p->pid = pid;
        p->start_time = start_time;
        p->caller.client_id = client_id;
        p->caller.session = sessions_next++;
        p->next = sessions_processes;
        sessions_processes = p;
        sessions_count++;
    }
    p->connections++;
    pthread_mutex_unlock(&sessions_lock);
    *out = p;
    return PSA_SUCCESS;
}

void enclave_process_detach(enclave_process_t *process)
{
    pthread_mutex_lock(&sessions_lock);
    if (--process->connections > 0) {
        pthread_mutex_unlock(&sessions_lock);
        return;
    }
    for (enclave_process_t **pp = &sessions_processes; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == process) {
            *pp = process->next;
            break;
        }
    }
    sessions_count--;
    pthread_mutex_unlock(&sessions_lock);

    /* Outside the lock: services take their own locks and may take a while. */
    enclave_release_session(&process->caller);
    for (size_t i = 0; i < process->asserted_count; i++) {
        enclave_caller_t caller = {.client_id = process->asserted[i].client_id,
                                   .session = process->asserted[i].session};
        enclave_release_session(&caller);
    }
    free(process->asserted);
    free(process);
}

enclave_caller_t enclave_process_caller(const enclave_process_t *process)
{
    return process->caller;
}

psa_status_t enclave_process_asserted_caller(enclave_process_t *process, int32_t client_id,
                                             enclave_caller_t *caller)
{
    pthread_mutex_lock(&sessions_lock);
    for (size_t i = 0; i < process->asserted_count; i++) {
        if (process->asserted[i].client_id == client_id) {
            *caller = (enclave_caller_t){client_id, process->asserted[i].session};
            pthread_mutex_unlock(&sessions_lock);
            return PSA_SUCCESS;
        }
    }
    asserted_session_t *grown =
        realloc(process->asserted, (process->asserted_count + 1) * sizeof(*grown));
    if (grown == NULL) {
        pthread_mutex_unlock(&sessions_lock);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    process->asserted = grown;
    grown[process->asserted_count] =
        (asserted_session_t){.client_id = client_id, .session = sessions_next++};
    *caller = (enclave_caller_t){client_id, grown[process->asserted_count].session};
    process->asserted_count++;
    pthread_mutex_unlock(&sessions_lock);
    return PSA_SUCCESS;
}

size_t enclave_process_count(void)
{
    pthread_mutex_lock(&sessions_lock);
    size_t n = sessions_count;
    pthread_mutex_unlock(&sessions_lock);
    return n;
}
