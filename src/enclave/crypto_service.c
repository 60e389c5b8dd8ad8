/* rssd's crypto service: decodes calls into argument records by the schema, runs them through the
 * one dispatcher on the caller's operations, and encodes the results. */
#include "enclave/crypto_service.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "comms/crypto_calls.h"
#include "base/wire.h"
#include "crypto/core.h"
#include "crypto/dispatch.h"

/*
 * Multi-part operations live here, one table per session (client process). A client names an
 * operation by a 32-bit handle that is only looked up in its own session, so another process's
 * handle is indistinguishable from a handle that never existed. Invariant: an operation is in the
 * table exactly while its core state is active (ctx != NULL); one that the core ends (finish,
 * abort, or an error that aborts) is freed at the end of that call. Hence an unknown handle is an
 * inactive operation, and every call answers what the core answers for an inactive operation:
 * PSA_ERROR_BAD_STATE (TF-M answers BAD_STATE for a handle of the wrong owner too), abort answers
 * PSA_SUCCESS, and setup proceeds (TF-M refuses any nonzero handle at setup; refusing only a
 * handle that names a live operation keeps rssd's answers the same as the in-process core's).
 *
 * Locking: one mutex (svc.lock) guards the session list, every session's operation list, the
 * busy flags and the reference counts. The core call itself runs unlocked on an operation marked
 * busy, so different operations proceed in parallel; a second call on a busy operation (two
 * threads of the client using one operation object at once) answers BAD_STATE.
 */

/* An operation's kind is its function group (function id >> 8): hash 3, MAC 4, cipher 5, AEAD 6,
 * key derivation 9, PAKE 10. */
typedef uint8_t svc_op_kind_t;

typedef struct svc_op {
    struct svc_op *next;
    uint32_t handle;
    svc_op_kind_t kind;
    bool busy;
    union {
        psa_hash_operation_t hash;
        psa_mac_operation_t mac;
        psa_cipher_operation_t cipher;
        psa_aead_operation_t aead;
        psa_key_derivation_operation_t kdf;
        psa_pake_operation_t pake;
    } u;
} svc_op_t;

/* What all sessions of one client id hold, for the per-client limits (issue: a uid could open
 * many processes, each with a full per-session allowance). */
typedef struct svc_client {
    struct svc_client *next;
    int32_t client_id;
    unsigned sessions; /* svc_session_t entries pointing here */
    size_t op_count;
    size_t key_count;
} svc_client_t;

typedef struct svc_session {
    struct svc_session *next;
    svc_client_t *client;
    size_t key_count; /* volatile keys this session created and has not destroyed */
    int32_t client_id;
    uint64_t session;
    unsigned refs; /* calls in flight on one of its operations */
    bool released; /* unlinked by release_session; freed when refs drops to 0 */
    size_t op_count;
    svc_op_t *ops;
} svc_session_t;

static struct {
    pthread_mutex_t lock;
    svc_session_t *sessions;
    svc_client_t *clients;
    uint32_t next_handle;
} svc = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .next_handle = 1,
};

static bool op_is_active(const svc_op_t *op)
{
    /* Every operation object has the same shape; ctx is the core's state. */
    return op->u.hash.ctx != NULL;
}

static void op_abort(svc_op_t *op)
{
    static const uint16_t abort_fid[] = {
        [3] = CRYPTO_FID_HASH_ABORT,           [4] = CRYPTO_FID_MAC_ABORT,
        [5] = CRYPTO_FID_CIPHER_ABORT,         [6] = CRYPTO_FID_AEAD_ABORT,
        [9] = CRYPTO_FID_KEY_DERIVATION_ABORT, [10] = CRYPTO_FID_PAKE_ABORT,
    };
    crypto_args_t a = {.function_id = abort_fid[op->kind], .op = &op->u};
    (void)crypto_dispatch(NULL, &a);
}

/* Requires svc.lock. Drops the session's share of its client's totals. */
static void session_free(svc_session_t *s)
{
    svc_op_t *op = s->ops;
    while (op != NULL) {
        svc_op_t *next = op->next;
        op_abort(op);
        free(op);
        op = next;
    }
    svc_client_t *cl = s->client;
    cl->op_count -= s->op_count;
    cl->key_count -= s->key_count;
    if (--cl->sessions == 0) {
        for (svc_client_t **p = &svc.clients; *p != NULL; p = &(*p)->next) {
            if (*p == cl) {
                *p = cl->next;
                break;
            }
        }
        free(cl);
    }
    free(s);
}

/* Requires svc.lock. */
static svc_session_t *session_find(const core_caller_t *caller, bool create)
{
    for (svc_session_t *s = svc.sessions; s != NULL; s = s->next) {
        if (s->client_id == caller->owner && s->session == caller->session) {
            return s;
        }
    }
    if (!create) {
        return NULL;
    }
    svc_client_t *cl = svc.clients;
    while (cl != NULL && cl->client_id != caller->owner) {
        cl = cl->next;
    }
    if (cl == NULL) {
        cl = calloc(1, sizeof(*cl));
        if (cl == NULL) {
            return NULL;
        }
        cl->client_id = caller->owner;
        cl->next = svc.clients;
        svc.clients = cl;
    }
    svc_session_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        if (cl->sessions == 0) {
            svc.clients = cl->next; /* just inserted at the head */
            free(cl);
        }
        return NULL;
    }
    cl->sessions++;
    s->client = cl;
    s->client_id = caller->owner;
    s->session = caller->session;
    s->next = svc.sessions;
    svc.sessions = s;
    return s;
}

/* Requires svc.lock. */
static svc_op_t *session_op(svc_session_t *s, uint32_t handle)
{
    if (s == NULL || handle == 0) {
        return NULL;
    }
    for (svc_op_t *op = s->ops; op != NULL; op = op->next) {
        if (op->handle == handle) {
            return op;
        }
    }
    return NULL;
}

/* Requires svc.lock. */
static void session_unlink_op(svc_session_t *s, svc_op_t *victim)
{
    for (svc_op_t **p = &s->ops; *p != NULL; p = &(*p)->next) {
        if (*p == victim) {
            *p = victim->next;
            s->op_count--;
            s->client->op_count--;
            return;
        }
    }
}

/* Requires svc.lock. */
static void session_put(svc_session_t *s)
{
    s->refs--;
    if (s->refs == 0 && s->released) {
        session_free(s);
    }
}

/* ---- one call ------------------------------------------------------------------------------- */

typedef struct svc_call {
    core_caller_t caller;
    crypto_args_t a;
    svc_session_t *session; /* held while an operation is busy */
} svc_call_t;

/* A new operation for a setup call: BAD_STATE if the client's handle names a live operation,
 * INSUFFICIENT_MEMORY beyond the session's limit. The new operation is returned busy. */
static psa_status_t op_create(svc_call_t *c, svc_op_kind_t kind, uint32_t current_handle,
                              svc_op_t **out)
{
    *out = NULL;
    psa_status_t status = PSA_SUCCESS;
    size_t max_operations = enclave_config()->max_operations_per_session;
    size_t max_client_operations = enclave_config()->max_operations_per_client;
    pthread_mutex_lock(&svc.lock);
    svc_session_t *s = session_find(&c->caller, true);
    if (s == NULL) {
        status = PSA_ERROR_INSUFFICIENT_MEMORY;
    } else if (session_op(s, current_handle) != NULL) {
        status = PSA_ERROR_BAD_STATE;
    } else if ((max_operations != 0 && s->op_count >= max_operations) ||
               (max_client_operations != 0 && s->client->op_count >= max_client_operations)) {
        status = PSA_ERROR_INSUFFICIENT_MEMORY;
    } else {
        svc_op_t *op = calloc(1, sizeof(*op));
        if (op == NULL) {
            status = PSA_ERROR_INSUFFICIENT_MEMORY;
        } else {
            op->kind = kind;
            op->busy = true;
            op->handle = svc.next_handle++;
            if (svc.next_handle == 0) {
                svc.next_handle = 1;
            }
            op->next = s->ops;
            s->ops = op;
            s->op_count++;
            s->client->op_count++;
            s->refs++;
            c->session = s;
            *out = op;
        }
    }
    pthread_mutex_unlock(&svc.lock);
    return status;
}

/* The caller's live operation named by `handle`; BAD_STATE when there is none. */
static psa_status_t op_find(svc_call_t *c, svc_op_kind_t kind, uint32_t handle, svc_op_t **out)
{
    *out = NULL;
    psa_status_t status = PSA_ERROR_BAD_STATE;
    pthread_mutex_lock(&svc.lock);
    svc_session_t *s = session_find(&c->caller, false);
    svc_op_t *op = session_op(s, handle);
    if (op != NULL && op->kind == kind && !op->busy) {
        op->busy = true;
        s->refs++;
        c->session = s;
        *out = op;
        status = PSA_SUCCESS;
    }
    pthread_mutex_unlock(&svc.lock);
    return status;
}

/* Ends a call on `op`: frees it if the core ended it, and returns its handle (0 once ended). */
static uint32_t op_done(svc_call_t *c, svc_op_t *op)
{
    bool active = op_is_active(op);
    uint32_t handle = active ? op->handle : 0;
    pthread_mutex_lock(&svc.lock);
    svc_session_t *s = c->session;
    op->busy = false;
    if (!active && !s->released) {
        session_unlink_op(s, op);
        free(op);
    }
    c->session = NULL;
    session_put(s);
    pthread_mutex_unlock(&svc.lock);
    return handle;
}

/* ---- keys ---------------------------------------------------------------------------------- */

/*
 * The per-client volatile key limit (the core enforces the per-session one). A call that may
 * create a volatile key reserves a place first, and gives it back unless a key was made, so
 * concurrent calls cannot overshoot. Returns INSUFFICIENT_MEMORY when the client is full.
 */
static psa_status_t key_reserve(svc_call_t *c, const psa_key_attributes_t *attr, bool *reserved)
{
    *reserved = false;
    size_t max = enclave_config()->max_volatile_keys_per_client;
    if (!PSA_KEY_LIFETIME_IS_VOLATILE(psa_get_key_lifetime(attr))) {
        return PSA_SUCCESS;
    }
    psa_status_t status = PSA_SUCCESS;
    pthread_mutex_lock(&svc.lock);
    svc_session_t *s = session_find(&c->caller, true);
    if (s == NULL || (max != 0 && s->client->key_count >= max)) {
        status = PSA_ERROR_INSUFFICIENT_MEMORY;
    } else {
        s->key_count++;
        s->client->key_count++;
        *reserved = true;
    }
    pthread_mutex_unlock(&svc.lock);
    return status;
}

/* Gives back one volatile key place of the caller's session (its key is gone, or was never
 * made). */
static void key_release(svc_call_t *c)
{
    pthread_mutex_lock(&svc.lock);
    svc_session_t *s = session_find(&c->caller, false);
    if (s != NULL && s->key_count > 0) {
        s->key_count--;
        s->client->key_count--;
    }
    pthread_mutex_unlock(&svc.lock);
}

/* Whether a row creates a key (its record's attributes say where). */
static bool row_creates_key(const crypto_call_desc_t *desc)
{
    return desc->out_count > 0 && desc->out_role[0] == CRYPTO_OUT_KEY;
}

/* ---- one call ------------------------------------------------------------------------------- */

/*
 * Runs the record on the core: resolves the operation(s) the row names in the caller's session,
 * reserves a volatile key place for a key-creating row, dispatches, and leaves the operation's
 * handle after the call in c->a.handle.
 */
static psa_status_t svc_run(svc_call_t *c, const crypto_call_desc_t *desc)
{
    crypto_args_t *a = &c->a;
    svc_op_kind_t kind = (svc_op_kind_t)(a->function_id >> 8);
    svc_op_t *op = NULL, *target = NULL;
    svc_session_t *held = NULL;
    psa_status_t status = PSA_SUCCESS;
    if (desc->flags & CRYPTO_CALL_SETUP) {
        status = op_create(c, kind, a->handle, &op);
    } else if (crypto_call_uses_op(desc)) {
        status = op_find(c, kind, a->handle, &op);
        if (status != PSA_SUCCESS && (desc->flags & CRYPTO_CALL_ABORT)) {
            status = PSA_SUCCESS; /* an unknown handle is an inactive operation */
        }
    }
    if (status != PSA_SUCCESS || (op == NULL && crypto_call_uses_op(desc))) {
        a->handle = 0; /* no operation, or an inactive one (which aborts successfully) */
        return status;
    }
    if (a->function_id == CRYPTO_FID_HASH_CLONE) {
        held = c->session;
        status = op_create(c, kind, a->target_handle, &target);
        if (status != PSA_SUCCESS) {
            c->session = held;
            op_done(c, op);
            a->handle = 0; /* no target operation */
            return status;
        }
    }
    bool reserved = false;
    if (row_creates_key(desc)) {
        status = key_reserve(c, &a->attributes, &reserved);
    }
    if (status == PSA_SUCCESS) {
        a->op = op != NULL ? &op->u : NULL;
        a->target_op = target != NULL ? &target->u : NULL;
        status = crypto_dispatch(&c->caller, a);
        if (desc->flags & CRYPTO_CALL_ABORT) {
            status = PSA_SUCCESS;
        }
    }
    if (reserved && status != PSA_SUCCESS) {
        key_release(c);
    }
    if (status == PSA_SUCCESS && a->function_id == CRYPTO_FID_DESTROY_KEY &&
        a->key >= ENCLAVE_VOLATILE_ID_MIN && a->key <= ENCLAVE_VOLATILE_ID_MAX) {
        key_release(c);
    }
    if (target != NULL) {
        uint32_t target_handle = op_done(c, target);
        c->session = held;
        op_done(c, op);
        a->handle = target_handle;
    } else if (op != NULL) {
        a->handle = op_done(c, op);
    }
    return status;
}

static psa_status_t crypto_service_call(const enclave_caller_t *caller, int32_t type,
                                        const psa_invec *in, size_t in_len, psa_outvec *out,
                                        size_t out_len)
{
    if (type != PSA_IPC_CALL) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    svc_call_t c = {.caller = {.owner = caller->client_id, .session = caller->session}};
    const crypto_call_desc_t *desc = NULL;
    psa_status_t status = crypto_call_unmarshal(in, in_len, out, out_len, &c.a, &desc);
    if (status == PSA_SUCCESS && !core_is_initialised()) {
        status = PSA_ERROR_SERVICE_FAILURE;
        desc = NULL;
    }
    if (status == PSA_SUCCESS) {
        status = svc_run(&c, desc);
    }
    if (desc != NULL) {
        crypto_call_reply(desc, &c.a, status, out, out_len);
    } else {
        for (size_t i = 0; i < out_len && i < PSA_MAX_IOVEC; i++) {
            out[i].len = 0;
        }
    }
    return status;
}

static void crypto_service_release(const enclave_caller_t *caller)
{
    pthread_mutex_lock(&svc.lock);
    for (svc_session_t **p = &svc.sessions; *p != NULL; p = &(*p)->next) {
        svc_session_t *s = *p;
        if (s->client_id == caller->client_id && s->session == caller->session) {
            *p = s->next;
            s->released = true;
            if (s->refs == 0) {
                session_free(s);
            }
            break;
        }
    }
    pthread_mutex_unlock(&svc.lock);
    core_release_session(caller->client_id, caller->session);
}

void crypto_service_shutdown(void)
{
    pthread_mutex_lock(&svc.lock);
    svc_session_t *s = svc.sessions;
    svc.sessions = NULL;
    while (s != NULL) {
        svc_session_t *next = s->next;
        session_free(s);
        s = next;
    }
    pthread_mutex_unlock(&svc.lock);
}

const enclave_service_t enclave_crypto_service = {
    .name = "crypto",
    .sid = ENCLAVE_SID_CRYPTO,
    .handle = RSS_HANDLE_CRYPTO,
    .version = 1,
    .call = crypto_service_call,
    .release_session = crypto_service_release,
};
