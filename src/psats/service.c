/* libpsa-ts's TS services: found, opened, reopened after a break, and dropped in a forked child. */
#include "psats/psats.h"

psats_service_t psats_crypto = {.name = "sn:trustedfirmware.org:crypto:0",
                                .lock = PTHREAD_MUTEX_INITIALIZER};
psats_service_t psats_its = {.name = "sn:trustedfirmware.org:internal-trusted-storage:0",
                             .lock = PTHREAD_MUTEX_INITIALIZER};
psats_service_t psats_ps = {.name = "sn:trustedfirmware.org:protected-storage:0",
                            .lock = PTHREAD_MUTEX_INITIALIZER};

static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

/* The child shares its parent's socket and memory with it: it must not use them (their calls
 * would mix), so it forgets them and opens its own at its first call. The locks are fresh. */
static void forget_in_child(void)
{
    psats_service_t *all[] = {&psats_crypto, &psats_its, &psats_ps};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        all[i]->context = NULL;
        all[i]->session = NULL;
        pthread_mutex_init(&all[i]->lock, NULL);
    }
}

static void register_fork_handler(void)
{
    service_locator_init();
    (void)pthread_atfork(NULL, NULL, forget_in_child);
}

struct rpc_caller_session *psats_session(psats_service_t *service)
{
    pthread_once(&fork_once, register_fork_handler);
    if (service->session == NULL) {
        if (service->context == NULL) {
            service->context = service_locator_query(service->name);
        }
        if (service->context != NULL) {
            service->session = service_context_open(service->context);
        }
    }
    return service->session;
}

void psats_broken(psats_service_t *service)
{
    if (service->session != NULL) {
        service_context_close(service->context, service->session);
        service->session = NULL;
    }
}
