/* Client processes and their sessions: who owns volatile keys and operations, and when they end. */
#ifndef ENCLAVE_SESSIONS_H
#define ENCLAVE_SESSIONS_H

#include <stdint.h>
#include <sys/types.h>

#include <psa/error.h>

#include "enclave/service.h"

/*
 * A client process is named by (pid, start time): pids are reused, start times make the pair
 * unique for the uptime. Every connection of one process shares the process's session, so its
 * volatile keys and operations are visible on all its connections and to nobody else. A
 * forwarder process gets one further session per client id it asserts. Session numbers are
 * never reused while rssd runs. When the last connection of a process closes, every session of
 * it is released in every service (enclave_release_session).
 */
typedef struct enclave_process enclave_process_t;

/* Finds or creates the process and counts one more connection of it. */
psa_status_t enclave_process_attach(pid_t pid, uint64_t start_time, int32_t client_id,
                                    enclave_process_t **out);
/* Counts one connection less; the last one releases the process's sessions in the services. */
void enclave_process_detach(enclave_process_t *process);
/* The process's own caller (its uid's client id and its session). */
enclave_caller_t enclave_process_caller(const enclave_process_t *process);
/* The caller for a client id a forwarder process asserts (a session per (process, id)). */
psa_status_t enclave_process_asserted_caller(enclave_process_t *process, int32_t client_id,
                                             enclave_caller_t *caller);
/* Number of processes known (for tests and the shutdown log line). */
size_t enclave_process_count(void);

#endif /* ENCLAVE_SESSIONS_H */
