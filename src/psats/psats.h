/* libpsa-ts: the PSA Crypto, ITS and PS APIs over libts, to se-proxy (the Primary Compute path). */
#ifndef PSATS_PSATS_H
#define PSATS_PSATS_H

#include <pthread.h>

#include <rpc_caller_session.h>
#include <service_locator.h>

/* One TS service of the process: found by name through libts's locator and opened once, its
 * session shared by every thread (one call in flight at a time, under `lock`): volatile keys and
 * operations belong to the TS session, so every thread must see the same one. */
typedef struct psats_service {
    const char *name;
    pthread_mutex_t lock;
    struct service_context *context;
    struct rpc_caller_session *session; /* NULL when the service cannot be reached */
} psats_service_t;

void psats_service_open(psats_service_t *service);

#endif /* PSATS_PSATS_H */
