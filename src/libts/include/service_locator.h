/* libts 2.0.0 ABI: find a service by name and open sessions to it. */
#ifndef LIBTS_SERVICE_LOCATOR_H
#define LIBTS_SERVICE_LOCATOR_H

#include "rpc_caller_session.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 32 bytes: context @0, open @8, close @16, relinquish @24. */
struct service_context {
    void *context;
    struct rpc_caller_session *(*open)(void *context);
    void (*close)(void *context, struct rpc_caller_session *session);
    void (*relinquish)(void *context);
};

void service_locator_init(void);
/* NULL when the name is not valid or no endpoint in the TS runtime directory hosts it. */
struct service_context *service_locator_query(const char *sn);

struct rpc_caller_session *service_context_open(struct service_context *context);
void service_context_close(struct service_context *context, struct rpc_caller_session *session);
void service_context_relinquish(struct service_context *context);

#ifdef __cplusplus
}
#endif

#endif /* LIBTS_SERVICE_LOCATOR_H */
