/* libts: the service locator, names to service UUIDs, endpoints found by SERVICE_INFO_GET. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ts/ts_runtime.h"

#include "rpc_caller_session.h"
#include "service_locator.h"
#include "ts/ts_rpc_abi.h"
#include "ts_rpc_caller_linux.h"

/*
 * A name is [urn:]sn:<authority>:<service>[.<version>][:<instance>]. Unlike upstream, which
 * compares only strlen(expected) bytes, the authority and the service must match exactly;
 * crypto and crypto-protobuf are therefore told apart whatever their order below. A context
 * holds the service UUID; each open makes its own caller (its own connection), so sessions are
 * independent and can be used from different threads at the same time.
 */

typedef struct libts_service {
    const char *service;
    uint8_t uuid[16];
    bool mm; /* reached by MM communicate (smm-gateway), not TS RPC service calls */
} libts_service_t;

static const libts_service_t libts_services[] = {
    {"crypto", TS_UUID_CRYPTO, false},
    {"crypto-protobuf", TS_UUID_CRYPTO_PROTOBUF, false},
    {"internal-trusted-storage", TS_UUID_ITS, false},
    {"protected-storage", TS_UUID_PS, false},
    /* upstream's MM-communicate location strategy: the SMM gateway's socket */
    {"smm-variable", TS_UUID_SMM_VARIABLE, true},
};

typedef struct libts_context {
    struct service_context base;
    struct rpc_uuid uuid;
    bool mm;
} libts_context_t;

/* Session and caller allocated together, so close can find the caller to deinit. */
typedef struct libts_session {
    struct rpc_caller_session session;
    struct rpc_caller_interface caller;
    bool mm;
} libts_session_t;

rpc_status_t mm_communicate_caller_init(struct rpc_caller_interface *rpc_caller,
                                        const char *ffa_device_path);
rpc_status_t mm_communicate_caller_deinit(struct rpc_caller_interface *rpc_caller);

static rpc_status_t caller_init(libts_session_t *s)
{
    if (!s->mm) {
        return ts_rpc_caller_linux_init(&s->caller);
    }
    char path[PATH_MAX];
    return ts_runtime_smm_gateway(path, sizeof(path)) ? mm_communicate_caller_init(&s->caller, path)
                                            : RPC_ERROR_NOT_FOUND;
}

static void caller_deinit(libts_session_t *s)
{
    if (s->mm) {
        mm_communicate_caller_deinit(&s->caller);
    } else {
        ts_rpc_caller_linux_deinit(&s->caller);
    }
}

static const libts_service_t *parse_name(const char *sn)
{
    const char *p = sn;
    if (strncmp(p, "urn:", 4) == 0) {
        p += 4;
    }
    if (strncmp(p, "sn:", 3) != 0) {
        return NULL;
    }
    p += 3;
    const char *authority = p;
    const char *colon = strchr(authority, ':');
    if (colon == NULL || colon == authority) {
        return NULL;
    }
    const char *service = colon + 1;
    size_t service_len = strcspn(service, ".:");
    if ((size_t)(colon - authority) != strlen("trustedfirmware.org") ||
        strncmp(authority, "trustedfirmware.org", (size_t)(colon - authority)) != 0 ||
        service_len == 0) {
        return NULL;
    }
    /* The version is not checked (upstream ignores it too); a missing or non-numeric instance
     * counts as 0, and only instance 0 exists. */
    const char *instance = strchr(service + service_len, ':');
    if (instance != NULL && strtoul(instance + 1, NULL, 10) != 0) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(libts_services) / sizeof(libts_services[0]); i++) {
        if (strlen(libts_services[i].service) == service_len &&
            strncmp(libts_services[i].service, service, service_len) == 0) {
            return &libts_services[i];
        }
    }
    return NULL;
}

static struct rpc_caller_session *context_open(void *context)
{
    libts_context_t *ctx = context;
    libts_session_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    s->mm = ctx->mm;
    if (caller_init(s) != RPC_SUCCESS) {
        free(s);
        return NULL;
    }
    /* Memory per call, sized by each begin: no session buffer size is guessed. */
    if (rpc_caller_session_find_and_open(&s->session, &s->caller, &ctx->uuid, 0) != RPC_SUCCESS) {
        caller_deinit(s);
        free(s);
        return NULL;
    }
    return &s->session;
}

static void context_close(void *context, struct rpc_caller_session *session)
{
    (void)context;
    if (session == NULL) {
        return;
    }
    libts_session_t *s = (libts_session_t *)session;
    rpc_caller_session_close(&s->session);
    caller_deinit(s);
    free(s);
}

static void context_relinquish(void *context)
{
    free(context);
}

void service_locator_init(void)
{
    /* Nothing to set up: discovery happens per query, and there is no shared state. */
}

struct service_context *service_locator_query(const char *sn)
{
    if (sn == NULL) {
        return NULL;
    }
    const libts_service_t *service = parse_name(sn);
    if (service == NULL) {
        return NULL;
    }
    libts_context_t *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) {
        return NULL;
    }
    memcpy(ctx->uuid.uuid, service->uuid, 16);
    ctx->mm = service->mm;
    ctx->base.context = ctx;
    ctx->base.open = context_open;
    ctx->base.close = context_close;
    ctx->base.relinquish = context_relinquish;
    /* Only a service some endpoint hosts is found. */
    struct rpc_caller_session *probe = context_open(ctx);
    if (probe == NULL) {
        free(ctx);
        return NULL;
    }
    context_close(ctx, probe);
    return &ctx->base;
}

struct rpc_caller_session *service_context_open(struct service_context *context)
{
    return context != NULL && context->open != NULL ? context->open(context->context) : NULL;
}

void service_context_close(struct service_context *context, struct rpc_caller_session *session)
{
    if (context != NULL && context->close != NULL) {
        context->close(context->context, session);
    }
}

void service_context_relinquish(struct service_context *context)
{
    if (context != NULL && context->relinquish != NULL) {
        context->relinquish(context->context);
    }
}
