/* libpsa-ts: the PSA Crypto, ITS and PS APIs over libts, to se-proxy (the Primary Compute path). */
#ifndef PSATS_PSATS_H
#define PSATS_PSATS_H

#include <pthread.h>

#include <rpc_caller_session.h>
#include <service_locator.h>

/* One TS service of the process, found by name through libts's locator. Its session is shared by
 * every thread (one call in flight at a time, under `lock`): volatile keys and operations belong
 * to the TS session, so every thread must see the same one. */
typedef struct psats_service {
    const char *name;
    pthread_mutex_t lock;
    struct service_context *context;
    struct rpc_caller_session *session;
} psats_service_t;

extern psats_service_t psats_crypto, psats_its, psats_ps;

/* With service->lock held: the session, opened on first use and again after psats_broken (a
 * se-proxy that restarted); NULL while se-proxy cannot be reached. A child process after fork
 * opens its own: it never uses its parent's. */
struct rpc_caller_session *psats_session(psats_service_t *service);
/* With service->lock held: the session failed at the transport; the next call opens a new one
 * (the old one's volatile keys and operations are gone with it, as with a restarted rssd). */
void psats_broken(psats_service_t *service);

#endif /* PSATS_PSATS_H */
