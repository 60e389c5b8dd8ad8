/* rssd's crypto service: unmarshals calls by the crypto call table and runs them on the core. */
#include "enclave/crypto_service.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "comms/crypto_calls.h"
#include "comms/wire.h"
#include "crypto/core.h"

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

typedef enum svc_op_kind {
    OP_HASH = 1,
    OP_MAC,
    OP_CIPHER,
    OP_AEAD,
    OP_KDF,
    OP_PAKE,
} svc_op_kind_t;

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
    switch (op->kind) {
    case OP_HASH:
        core_hash_abort(&op->u.hash);
        break;
    case OP_MAC:
        core_mac_abort(&op->u.mac);
        break;
    case OP_CIPHER:
        core_cipher_abort(&op->u.cipher);
        break;
    case OP_AEAD:
        core_aead_abort(&op->u.aead);
        break;
    case OP_KDF:
        core_key_derivation_abort(&op->u.kdf);
        break;
    case OP_PAKE:
        core_pake_abort(&op->u.pake);
        break;
    }
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
    crypto_call_args_t a;
    size_t out_len[CRYPTO_CALL_MAX_OUT];
    svc_session_t *session; /* held while an operation is busy */
} svc_call_t;

/* Writes a u32 into a 4-byte output vector (its size was checked by the unmarshaller). */
static void put_u32(svc_call_t *c, size_t index, uint32_t v)
{
    wire_store_u32(c->a.out[index], v);
    c->out_len[index] = 4;
}

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

/* Ends a call on `op`: frees it if the core ended it, and reports its handle (0 once ended) in
 * out_vec[handle_out] when handle_out >= 0. Returns `status` unchanged. */
static psa_status_t op_done(svc_call_t *c, svc_op_t *op, psa_status_t status, int handle_out)
{
    bool active = op_is_active(op);
    if (handle_out >= 0) {
        put_u32(c, (size_t)handle_out, active ? op->handle : 0);
    }
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
    return status;
}

/* ---- handlers ------------------------------------------------------------------------------- */

typedef psa_status_t (*svc_handler_t)(svc_call_t *c);

#define IOV         (c->a.iov)
#define IN(i)       (c->a.in[i])
#define IN_LEN(i)   (c->a.in_len[i])
#define OUT(i)      (c->a.out[i])
#define OUT_SIZE(i) (c->a.out_size[i])

static psa_status_t h_generate_random(svc_call_t *c)
{
    psa_status_t status = core_generate_random(OUT(0), OUT_SIZE(0));
    c->out_len[0] = status == PSA_SUCCESS ? OUT_SIZE(0) : 0;
    return status;
}

static psa_status_t h_get_key_attributes(svc_call_t *c)
{
    psa_key_attributes_t attr;
    psa_status_t status = core_get_key_attributes(&c->caller, IOV.key_id, &attr);
    if (status == PSA_SUCCESS) {
        crypto_attributes_encode(&attr, OUT(0));
        c->out_len[0] = CRYPTO_ATTRIBUTES_SIZE;
    }
    return status;
}

/* Attributes from in_vec[1 + index]; already size-checked by the unmarshaller. */
static psa_key_attributes_t in_attributes(const svc_call_t *c, size_t index)
{
    psa_key_attributes_t attr;
    (void)crypto_attributes_decode(IN(index), IN_LEN(index), &attr);
    return attr;
}

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

static psa_status_t out_key_id(svc_call_t *c, psa_status_t status, psa_key_id_t id)
{
    put_u32(c, 0, status == PSA_SUCCESS ? id : PSA_KEY_ID_NULL);
    return status;
}

/* Ends a key-creating call: the reserved place is kept only if a volatile key was made. */
static psa_status_t out_new_key(svc_call_t *c, bool reserved, psa_status_t status, psa_key_id_t id)
{
    if (reserved && status != PSA_SUCCESS) {
        key_release(c);
    }
    return out_key_id(c, status, id);
}

static psa_status_t h_import_key(svc_call_t *c)
{
    psa_key_attributes_t attr = in_attributes(c, 0);
    psa_key_id_t id = PSA_KEY_ID_NULL;
    bool reserved;
    psa_status_t status = key_reserve(c, &attr, &reserved);
    if (status == PSA_SUCCESS) {
        status = core_import_key(&c->caller, &attr, IN(1), IN_LEN(1), &id);
    }
    return out_new_key(c, reserved, status, id);
}

static psa_status_t h_generate_key(svc_call_t *c)
{
    psa_key_attributes_t attr = in_attributes(c, 0);
    psa_key_id_t id = PSA_KEY_ID_NULL;
    bool reserved;
    psa_status_t status = key_reserve(c, &attr, &reserved);
    if (status == PSA_SUCCESS) {
        status = core_generate_key(&c->caller, &attr, &id);
    }
    return out_new_key(c, reserved, status, id);
}

static psa_status_t h_copy_key(svc_call_t *c)
{
    psa_key_attributes_t attr = in_attributes(c, 0);
    psa_key_id_t id = PSA_KEY_ID_NULL;
    bool reserved;
    psa_status_t status = key_reserve(c, &attr, &reserved);
    if (status == PSA_SUCCESS) {
        status = core_copy_key(&c->caller, IOV.key_id, &attr, &id);
    }
    return out_new_key(c, reserved, status, id);
}

static psa_status_t h_destroy_key(svc_call_t *c)
{
    psa_status_t status = core_destroy_key(&c->caller, IOV.key_id);
    if (status == PSA_SUCCESS && IOV.key_id >= ENCLAVE_VOLATILE_ID_MIN &&
        IOV.key_id <= ENCLAVE_VOLATILE_ID_MAX) {
        key_release(c);
    }
    return status;
}

static psa_status_t h_purge_key(svc_call_t *c)
{
    return core_purge_key(&c->caller, IOV.key_id);
}

/* LIST_KEYS: the caller's persistent key ids after IOV.key_id, u32 little-endian, as many as
 * fit in the output (at most CRYPTO_LIST_KEYS_MAX). */
static psa_status_t h_list_keys(svc_call_t *c)
{
    psa_key_id_t ids[CRYPTO_LIST_KEYS_MAX];
    size_t max = OUT_SIZE(0) / 4, count = 0;
    if (max > CRYPTO_LIST_KEYS_MAX) {
        max = CRYPTO_LIST_KEYS_MAX;
    }
    psa_status_t status = core_list_keys(&c->caller, IOV.key_id, ids, max, &count);
    if (status != PSA_SUCCESS) {
        return status;
    }
    uint8_t *out = OUT(0);
    for (size_t i = 0; i < count; i++) {
        out[4 * i] = (uint8_t)ids[i];
        out[4 * i + 1] = (uint8_t)(ids[i] >> 8);
        out[4 * i + 2] = (uint8_t)(ids[i] >> 16);
        out[4 * i + 3] = (uint8_t)(ids[i] >> 24);
    }
    c->out_len[0] = 4 * count;
    return PSA_SUCCESS;
}

static psa_status_t h_export_key(svc_call_t *c)
{
    return core_export_key(&c->caller, IOV.key_id, OUT(0), OUT_SIZE(0), &c->out_len[0]);
}

static psa_status_t h_export_public_key(svc_call_t *c)
{
    return core_export_public_key(&c->caller, IOV.key_id, OUT(0), OUT_SIZE(0), &c->out_len[0]);
}

/* hash */
static psa_status_t h_hash_compute(svc_call_t *c)
{
    return core_hash_compute(IOV.alg, IN(0), IN_LEN(0), OUT(0), OUT_SIZE(0), &c->out_len[0]);
}

static psa_status_t h_hash_compare(svc_call_t *c)
{
    return core_hash_compare(IOV.alg, IN(0), IN_LEN(0), IN(1), IN_LEN(1));
}

static psa_status_t h_hash_setup(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_create(c, OP_HASH, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    return op_done(c, op, core_hash_setup(&op->u.hash, IOV.alg), 0);
}

static psa_status_t h_hash_update(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_HASH, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    return op_done(c, op, core_hash_update(&op->u.hash, IN(0), IN_LEN(0)), -1);
}

static psa_status_t h_hash_clone(svc_call_t *c)
{
    svc_op_t *source;
    psa_status_t status = op_find(c, OP_HASH, IOV.op_handle, &source);
    if (status != PSA_SUCCESS) {
        put_u32(c, 0, 0);
        return status;
    }
    svc_session_t *held = c->session;
    svc_op_t *target;
    status = op_create(c, OP_HASH, wire_load_u32(IN(0)), &target);
    if (status != PSA_SUCCESS) {
        c->session = held;
        put_u32(c, 0, 0);
        return op_done(c, source, status, -1);
    }
    status = core_hash_clone(&source->u.hash, &target->u.hash);
    op_done(c, target, status, 0);
    c->session = held;
    return op_done(c, source, status, -1);
}

static psa_status_t h_hash_finish(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_HASH, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        put_u32(c, 0, 0);
        return status;
    }
    status = core_hash_finish(&op->u.hash, OUT(1), OUT_SIZE(1), &c->out_len[1]);
    return op_done(c, op, status, 0);
}

static psa_status_t h_hash_verify(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_HASH, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        put_u32(c, 0, 0);
        return status;
    }
    return op_done(c, op, core_hash_verify(&op->u.hash, IN(0), IN_LEN(0)), 0);
}

/* Abort of any kind: an unknown handle is an inactive operation, which aborts successfully. */
static psa_status_t op_abort_call(svc_call_t *c, svc_op_kind_t kind)
{
    svc_op_t *op;
    if (op_find(c, kind, IOV.op_handle, &op) != PSA_SUCCESS) {
        put_u32(c, 0, 0);
        return PSA_SUCCESS;
    }
    op_abort(op);
    return op_done(c, op, PSA_SUCCESS, 0);
}

static psa_status_t h_hash_abort(svc_call_t *c)
{
    return op_abort_call(c, OP_HASH);
}

/* Suspend answers like finish: a successful suspend ends the operation (handle 0). */
static psa_status_t h_hash_suspend(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_HASH, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        put_u32(c, 0, 0);
        return status;
    }
    status = core_hash_suspend(&op->u.hash, OUT(1), OUT_SIZE(1), &c->out_len[1]);
    return op_done(c, op, status, 0);
}

/* Resume answers like setup: a new operation, unless the handle sent names a live one. */
static psa_status_t h_hash_resume(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_create(c, OP_HASH, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    return op_done(c, op, core_hash_resume(&op->u.hash, IN(0), IN_LEN(0)), 0);
}

/* mac */
static psa_status_t h_mac_compute(svc_call_t *c)
{
    return core_mac_compute(&c->caller, IOV.key_id, IOV.alg, IN(0), IN_LEN(0), OUT(0), OUT_SIZE(0),
                            &c->out_len[0]);
}

static psa_status_t h_mac_verify(svc_call_t *c)
{
    return core_mac_verify(&c->caller, IOV.key_id, IOV.alg, IN(0), IN_LEN(0), IN(1), IN_LEN(1));
}

static psa_status_t mac_setup(svc_call_t *c, bool sign)
{
    svc_op_t *op;
    psa_status_t status = op_create(c, OP_MAC, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = sign ? core_mac_sign_setup(&c->caller, &op->u.mac, IOV.key_id, IOV.alg)
                  : core_mac_verify_setup(&c->caller, &op->u.mac, IOV.key_id, IOV.alg);
    return op_done(c, op, status, 0);
}

static psa_status_t h_mac_sign_setup(svc_call_t *c)
{
    return mac_setup(c, true);
}

static psa_status_t h_mac_verify_setup(svc_call_t *c)
{
    return mac_setup(c, false);
}

static psa_status_t h_mac_update(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_MAC, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    return op_done(c, op, core_mac_update(&op->u.mac, IN(0), IN_LEN(0)), -1);
}

static psa_status_t h_mac_sign_finish(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_MAC, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        put_u32(c, 0, 0);
        return status;
    }
    status = core_mac_sign_finish(&op->u.mac, OUT(1), OUT_SIZE(1), &c->out_len[1]);
    return op_done(c, op, status, 0);
}

static psa_status_t h_mac_verify_finish(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_MAC, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        put_u32(c, 0, 0);
        return status;
    }
    return op_done(c, op, core_mac_verify_finish(&op->u.mac, IN(0), IN_LEN(0)), 0);
}

static psa_status_t h_mac_abort(svc_call_t *c)
{
    return op_abort_call(c, OP_MAC);
}

/* cipher */
static psa_status_t h_cipher_encrypt(svc_call_t *c)
{
    return core_cipher_encrypt(&c->caller, IOV.key_id, IOV.alg, IN(0), IN_LEN(0), OUT(0),
                               OUT_SIZE(0), &c->out_len[0]);
}

static psa_status_t h_cipher_decrypt(svc_call_t *c)
{
    return core_cipher_decrypt(&c->caller, IOV.key_id, IOV.alg, IN(0), IN_LEN(0), OUT(0),
                               OUT_SIZE(0), &c->out_len[0]);
}

static psa_status_t cipher_setup(svc_call_t *c, bool encrypt)
{
    svc_op_t *op;
    psa_status_t status = op_create(c, OP_CIPHER, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = encrypt ? core_cipher_encrypt_setup(&c->caller, &op->u.cipher, IOV.key_id, IOV.alg)
                     : core_cipher_decrypt_setup(&c->caller, &op->u.cipher, IOV.key_id, IOV.alg);
    return op_done(c, op, status, 0);
}

static psa_status_t h_cipher_encrypt_setup(svc_call_t *c)
{
    return cipher_setup(c, true);
}

static psa_status_t h_cipher_decrypt_setup(svc_call_t *c)
{
    return cipher_setup(c, false);
}

static psa_status_t h_cipher_generate_iv(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_CIPHER, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_cipher_generate_iv(&op->u.cipher, OUT(0), OUT_SIZE(0), &c->out_len[0]);
    return op_done(c, op, status, -1);
}

static psa_status_t h_cipher_set_iv(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_CIPHER, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    return op_done(c, op, core_cipher_set_iv(&op->u.cipher, IN(0), IN_LEN(0)), -1);
}

static psa_status_t h_cipher_update(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_CIPHER, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status =
        core_cipher_update(&op->u.cipher, IN(0), IN_LEN(0), OUT(0), OUT_SIZE(0), &c->out_len[0]);
    return op_done(c, op, status, -1);
}

static psa_status_t h_cipher_finish(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_CIPHER, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        put_u32(c, 0, 0);
        return status;
    }
    status = core_cipher_finish(&op->u.cipher, OUT(1), OUT_SIZE(1), &c->out_len[1]);
    return op_done(c, op, status, 0);
}

static psa_status_t h_cipher_abort(svc_call_t *c)
{
    return op_abort_call(c, OP_CIPHER);
}

/* aead */
static psa_status_t h_aead_encrypt(svc_call_t *c)
{
    if (IOV.nonce_length > CRYPTO_IOVEC_NONCE_MAX) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    return core_aead_encrypt(&c->caller, IOV.key_id, IOV.alg, IOV.nonce, IOV.nonce_length, IN(1),
                             IN_LEN(1), IN(0), IN_LEN(0), OUT(0), OUT_SIZE(0), &c->out_len[0]);
}

static psa_status_t h_aead_decrypt(svc_call_t *c)
{
    if (IOV.nonce_length > CRYPTO_IOVEC_NONCE_MAX) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    return core_aead_decrypt(&c->caller, IOV.key_id, IOV.alg, IOV.nonce, IOV.nonce_length, IN(1),
                             IN_LEN(1), IN(0), IN_LEN(0), OUT(0), OUT_SIZE(0), &c->out_len[0]);
}

static psa_status_t aead_setup(svc_call_t *c, bool encrypt)
{
    svc_op_t *op;
    psa_status_t status = op_create(c, OP_AEAD, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = encrypt ? core_aead_encrypt_setup(&c->caller, &op->u.aead, IOV.key_id, IOV.alg)
                     : core_aead_decrypt_setup(&c->caller, &op->u.aead, IOV.key_id, IOV.alg);
    return op_done(c, op, status, 0);
}

static psa_status_t h_aead_encrypt_setup(svc_call_t *c)
{
    return aead_setup(c, true);
}

static psa_status_t h_aead_decrypt_setup(svc_call_t *c)
{
    return aead_setup(c, false);
}

static psa_status_t h_aead_generate_nonce(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_AEAD, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_aead_generate_nonce(&op->u.aead, OUT(0), OUT_SIZE(0), &c->out_len[0]);
    return op_done(c, op, status, -1);
}

static psa_status_t h_aead_set_nonce(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_AEAD, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    return op_done(c, op, core_aead_set_nonce(&op->u.aead, IN(0), IN_LEN(0)), -1);
}

static psa_status_t h_aead_set_lengths(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_AEAD, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_aead_set_lengths(&op->u.aead, IOV.ad_length, IOV.plaintext_length);
    return op_done(c, op, status, -1);
}

static psa_status_t h_aead_update_ad(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_AEAD, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    return op_done(c, op, core_aead_update_ad(&op->u.aead, IN(0), IN_LEN(0)), -1);
}

static psa_status_t h_aead_update(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_AEAD, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_aead_update(&op->u.aead, IN(0), IN_LEN(0), OUT(0), OUT_SIZE(0), &c->out_len[0]);
    return op_done(c, op, status, -1);
}

static psa_status_t h_aead_finish(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_AEAD, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        put_u32(c, 0, 0);
        return status;
    }
    status = core_aead_finish(&op->u.aead, OUT(2), OUT_SIZE(2), &c->out_len[2], OUT(1), OUT_SIZE(1),
                              &c->out_len[1]);
    return op_done(c, op, status, 0);
}

static psa_status_t h_aead_verify(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_AEAD, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        put_u32(c, 0, 0);
        return status;
    }
    status = core_aead_verify(&op->u.aead, OUT(1), OUT_SIZE(1), &c->out_len[1], IN(0), IN_LEN(0));
    return op_done(c, op, status, 0);
}

static psa_status_t h_aead_abort(svc_call_t *c)
{
    return op_abort_call(c, OP_AEAD);
}

/* asymmetric */
static psa_status_t h_sign_message(svc_call_t *c)
{
    return core_sign_message(&c->caller, IOV.key_id, IOV.alg, IN(0), IN_LEN(0), OUT(0), OUT_SIZE(0),
                             &c->out_len[0]);
}

static psa_status_t h_verify_message(svc_call_t *c)
{
    return core_verify_message(&c->caller, IOV.key_id, IOV.alg, IN(0), IN_LEN(0), IN(1), IN_LEN(1));
}

static psa_status_t h_sign_hash(svc_call_t *c)
{
    return core_sign_hash(&c->caller, IOV.key_id, IOV.alg, IN(0), IN_LEN(0), OUT(0), OUT_SIZE(0),
                          &c->out_len[0]);
}

static psa_status_t h_verify_hash(svc_call_t *c)
{
    return core_verify_hash(&c->caller, IOV.key_id, IOV.alg, IN(0), IN_LEN(0), IN(1), IN_LEN(1));
}

static psa_status_t h_asymmetric_encrypt(svc_call_t *c)
{
    return core_asymmetric_encrypt(&c->caller, IOV.key_id, IOV.alg, IN(0), IN_LEN(0), IN(1),
                                   IN_LEN(1), OUT(0), OUT_SIZE(0), &c->out_len[0]);
}

static psa_status_t h_asymmetric_decrypt(svc_call_t *c)
{
    return core_asymmetric_decrypt(&c->caller, IOV.key_id, IOV.alg, IN(0), IN_LEN(0), IN(1),
                                   IN_LEN(1), OUT(0), OUT_SIZE(0), &c->out_len[0]);
}

static psa_status_t h_raw_key_agreement(svc_call_t *c)
{
    return core_raw_key_agreement(&c->caller, IOV.alg, IOV.key_id, IN(0), IN_LEN(0), OUT(0),
                                  OUT_SIZE(0), &c->out_len[0]);
}

static psa_status_t h_key_agreement(svc_call_t *c)
{
    psa_key_attributes_t attr = in_attributes(c, 0);
    psa_key_id_t id = PSA_KEY_ID_NULL;
    bool reserved;
    psa_status_t status = key_reserve(c, &attr, &reserved);
    if (status == PSA_SUCCESS) {
        status = core_key_agreement(&c->caller, IOV.key_id, IN(1), IN_LEN(1), IOV.alg, &attr, &id);
    }
    return out_new_key(c, reserved, status, id);
}

/* key derivation */
static psa_status_t h_kdf_setup(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_create(c, OP_KDF, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    return op_done(c, op, core_key_derivation_setup(&op->u.kdf, IOV.alg), 0);
}

static psa_status_t h_kdf_get_capacity(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_KDF, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    size_t capacity = 0;
    status = core_key_derivation_get_capacity(&op->u.kdf, &capacity);
    if (status == PSA_SUCCESS) {
        uint64_t v = capacity;
        if (OUT_SIZE(0) == 4) {
            /* TF-M clients read a 32-bit rot_size_t: saturate rather than wrap. */
            put_u32(c, 0, v > UINT32_MAX ? UINT32_MAX : (uint32_t)v);
        } else {
            wire_store_u64(OUT(0), v);
            c->out_len[0] = 8;
        }
    }
    return op_done(c, op, status, -1);
}

static psa_status_t h_kdf_set_capacity(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_KDF, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    size_t capacity = IOV.value > SIZE_MAX ? SIZE_MAX : (size_t)IOV.value;
    return op_done(c, op, core_key_derivation_set_capacity(&op->u.kdf, capacity), -1);
}

static psa_status_t h_kdf_input_bytes(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_KDF, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_key_derivation_input_bytes(&op->u.kdf, IOV.step, IN(0), IN_LEN(0));
    return op_done(c, op, status, -1);
}

static psa_status_t h_kdf_input_key(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_KDF, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_key_derivation_input_key(&c->caller, &op->u.kdf, IOV.step, IOV.key_id);
    return op_done(c, op, status, -1);
}

static psa_status_t h_kdf_input_integer(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_KDF, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_key_derivation_input_integer(&op->u.kdf, IOV.step, IOV.value);
    return op_done(c, op, status, -1);
}

static psa_status_t h_kdf_key_agreement(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_KDF, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_key_derivation_key_agreement(&c->caller, &op->u.kdf, IOV.step, IOV.key_id, IN(0),
                                               IN_LEN(0));
    return op_done(c, op, status, -1);
}

static psa_status_t h_kdf_output_bytes(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_KDF, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_key_derivation_output_bytes(&op->u.kdf, OUT(0), OUT_SIZE(0));
    c->out_len[0] = status == PSA_SUCCESS ? OUT_SIZE(0) : 0;
    return op_done(c, op, status, -1);
}

static psa_status_t h_kdf_output_key(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_KDF, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        put_u32(c, 0, PSA_KEY_ID_NULL);
        return status;
    }
    psa_key_attributes_t attr = in_attributes(c, 0);
    psa_key_id_t id = PSA_KEY_ID_NULL;
    bool reserved;
    status = key_reserve(c, &attr, &reserved);
    if (status == PSA_SUCCESS) {
        status = core_key_derivation_output_key(&c->caller, &attr, &op->u.kdf, &id);
    }
    out_new_key(c, reserved, status, id);
    return op_done(c, op, status, -1);
}

static psa_status_t h_kdf_verify_bytes(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_KDF, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_key_derivation_verify_bytes(&op->u.kdf, IN(0), IN_LEN(0));
    return op_done(c, op, status, -1);
}

static psa_status_t h_kdf_verify_key(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_KDF, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_key_derivation_verify_key(&c->caller, &op->u.kdf, IOV.key_id);
    return op_done(c, op, status, -1);
}

static psa_status_t h_kdf_abort(svc_call_t *c)
{
    return op_abort_call(c, OP_KDF);
}

/* PAKE: one operation per setup, like the other multi-part operations. An operation that fails
 * stays in the table in its error state (the core keeps its ctx) until the client aborts it; a
 * successful get_shared_key ends it. */
static psa_status_t h_pake_setup(svc_call_t *c)
{
    psa_pake_cipher_suite_t suite;
    (void)crypto_pake_suite_decode(IN(0), IN_LEN(0), &suite);
    svc_op_t *op;
    psa_status_t status = op_create(c, OP_PAKE, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_pake_setup(&c->caller, &op->u.pake, IOV.key_id, &suite);
    return op_done(c, op, status, 0);
}

static psa_status_t h_pake_set_role(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_PAKE, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    /* The role travels in the header's value field; a value beyond a role's 8 bits is no role. */
    psa_pake_role_t role = IOV.value > 0xffu ? (psa_pake_role_t)0xffu : (psa_pake_role_t)IOV.value;
    return op_done(c, op, core_pake_set_role(&op->u.pake, role), -1);
}

/* set_user, set_peer and set_context: one byte string each. */
static psa_status_t h_pake_set_bytes(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_PAKE, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    switch (IOV.function_id) {
    case CRYPTO_FID_PAKE_SET_USER:
        status = core_pake_set_user(&op->u.pake, IN(0), IN_LEN(0));
        break;
    case CRYPTO_FID_PAKE_SET_PEER:
        status = core_pake_set_peer(&op->u.pake, IN(0), IN_LEN(0));
        break;
    default:
        status = core_pake_set_context(&op->u.pake, IN(0), IN_LEN(0));
        break;
    }
    return op_done(c, op, status, -1);
}

static psa_status_t h_pake_output(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_PAKE, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    psa_pake_step_t step = IOV.step > 0xffu ? (psa_pake_step_t)0xffu : (psa_pake_step_t)IOV.step;
    status = core_pake_output(&op->u.pake, step, OUT(0), OUT_SIZE(0), &c->out_len[0]);
    return op_done(c, op, status, -1);
}

static psa_status_t h_pake_input(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_PAKE, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        return status;
    }
    psa_pake_step_t step = IOV.step > 0xffu ? (psa_pake_step_t)0xffu : (psa_pake_step_t)IOV.step;
    status = core_pake_input(&op->u.pake, step, IN(0), IN_LEN(0));
    return op_done(c, op, status, -1);
}

static psa_status_t h_pake_get_shared_key(svc_call_t *c)
{
    svc_op_t *op;
    psa_status_t status = op_find(c, OP_PAKE, IOV.op_handle, &op);
    if (status != PSA_SUCCESS) {
        put_u32(c, 0, PSA_KEY_ID_NULL);
        return status;
    }
    psa_key_attributes_t attr = in_attributes(c, 0);
    psa_key_id_t id = PSA_KEY_ID_NULL;
    bool reserved;
    status = key_reserve(c, &attr, &reserved);
    if (status == PSA_SUCCESS) {
        status = core_pake_get_shared_key(&c->caller, &op->u.pake, &attr, &id);
    }
    out_new_key(c, reserved, status, id);
    return op_done(c, op, status, -1);
}

static psa_status_t h_pake_abort(svc_call_t *c)
{
    return op_abort_call(c, OP_PAKE);
}

/* Handlers by group (function id >> 8) and index (function id & 0xff). */
#define SVC_GROUPS  11
#define SVC_INDICES 16
#define AT(fid)     [(CRYPTO_FID_##fid) >> 8][(CRYPTO_FID_##fid) & 0xff]

static const svc_handler_t svc_handlers[SVC_GROUPS][SVC_INDICES] = {
    AT(GENERATE_RANDOM) = h_generate_random,
    AT(GET_KEY_ATTRIBUTES) = h_get_key_attributes,
    AT(IMPORT_KEY) = h_import_key,
    AT(DESTROY_KEY) = h_destroy_key,
    AT(EXPORT_KEY) = h_export_key,
    AT(EXPORT_PUBLIC_KEY) = h_export_public_key,
    AT(PURGE_KEY) = h_purge_key,
    AT(COPY_KEY) = h_copy_key,
    AT(GENERATE_KEY) = h_generate_key,
    AT(LIST_KEYS) = h_list_keys,
    AT(HASH_COMPUTE) = h_hash_compute,
    AT(HASH_COMPARE) = h_hash_compare,
    AT(HASH_SETUP) = h_hash_setup,
    AT(HASH_UPDATE) = h_hash_update,
    AT(HASH_CLONE) = h_hash_clone,
    AT(HASH_FINISH) = h_hash_finish,
    AT(HASH_VERIFY) = h_hash_verify,
    AT(HASH_ABORT) = h_hash_abort,
    AT(HASH_SUSPEND) = h_hash_suspend,
    AT(HASH_RESUME) = h_hash_resume,
    AT(MAC_COMPUTE) = h_mac_compute,
    AT(MAC_VERIFY) = h_mac_verify,
    AT(MAC_SIGN_SETUP) = h_mac_sign_setup,
    AT(MAC_VERIFY_SETUP) = h_mac_verify_setup,
    AT(MAC_UPDATE) = h_mac_update,
    AT(MAC_SIGN_FINISH) = h_mac_sign_finish,
    AT(MAC_VERIFY_FINISH) = h_mac_verify_finish,
    AT(MAC_ABORT) = h_mac_abort,
    AT(CIPHER_ENCRYPT) = h_cipher_encrypt,
    AT(CIPHER_DECRYPT) = h_cipher_decrypt,
    AT(CIPHER_ENCRYPT_SETUP) = h_cipher_encrypt_setup,
    AT(CIPHER_DECRYPT_SETUP) = h_cipher_decrypt_setup,
    AT(CIPHER_GENERATE_IV) = h_cipher_generate_iv,
    AT(CIPHER_SET_IV) = h_cipher_set_iv,
    AT(CIPHER_UPDATE) = h_cipher_update,
    AT(CIPHER_FINISH) = h_cipher_finish,
    AT(CIPHER_ABORT) = h_cipher_abort,
    AT(AEAD_ENCRYPT) = h_aead_encrypt,
    AT(AEAD_DECRYPT) = h_aead_decrypt,
    AT(AEAD_ENCRYPT_SETUP) = h_aead_encrypt_setup,
    AT(AEAD_DECRYPT_SETUP) = h_aead_decrypt_setup,
    AT(AEAD_GENERATE_NONCE) = h_aead_generate_nonce,
    AT(AEAD_SET_NONCE) = h_aead_set_nonce,
    AT(AEAD_SET_LENGTHS) = h_aead_set_lengths,
    AT(AEAD_UPDATE_AD) = h_aead_update_ad,
    AT(AEAD_UPDATE) = h_aead_update,
    AT(AEAD_FINISH) = h_aead_finish,
    AT(AEAD_VERIFY) = h_aead_verify,
    AT(AEAD_ABORT) = h_aead_abort,
    AT(SIGN_MESSAGE) = h_sign_message,
    AT(VERIFY_MESSAGE) = h_verify_message,
    AT(SIGN_HASH) = h_sign_hash,
    AT(VERIFY_HASH) = h_verify_hash,
    AT(ASYMMETRIC_ENCRYPT) = h_asymmetric_encrypt,
    AT(ASYMMETRIC_DECRYPT) = h_asymmetric_decrypt,
    AT(RAW_KEY_AGREEMENT) = h_raw_key_agreement,
    AT(KEY_DERIVATION_SETUP) = h_kdf_setup,
    AT(KEY_DERIVATION_GET_CAPACITY) = h_kdf_get_capacity,
    AT(KEY_DERIVATION_SET_CAPACITY) = h_kdf_set_capacity,
    AT(KEY_DERIVATION_INPUT_BYTES) = h_kdf_input_bytes,
    AT(KEY_DERIVATION_INPUT_KEY) = h_kdf_input_key,
    AT(KEY_DERIVATION_INPUT_INTEGER) = h_kdf_input_integer,
    AT(KEY_DERIVATION_KEY_AGREEMENT) = h_kdf_key_agreement,
    AT(KEY_DERIVATION_OUTPUT_BYTES) = h_kdf_output_bytes,
    AT(KEY_DERIVATION_OUTPUT_KEY) = h_kdf_output_key,
    AT(KEY_DERIVATION_ABORT) = h_kdf_abort,
    AT(KEY_DERIVATION_VERIFY_BYTES) = h_kdf_verify_bytes,
    AT(KEY_DERIVATION_VERIFY_KEY) = h_kdf_verify_key,
    AT(KEY_AGREEMENT) = h_key_agreement,
    AT(PAKE_SETUP) = h_pake_setup,
    AT(PAKE_SET_ROLE) = h_pake_set_role,
    AT(PAKE_SET_USER) = h_pake_set_bytes,
    AT(PAKE_SET_PEER) = h_pake_set_bytes,
    AT(PAKE_SET_CONTEXT) = h_pake_set_bytes,
    AT(PAKE_OUTPUT) = h_pake_output,
    AT(PAKE_INPUT) = h_pake_input,
    AT(PAKE_GET_SHARED_KEY) = h_pake_get_shared_key,
    AT(PAKE_ABORT) = h_pake_abort,
};

static psa_status_t crypto_service_call(const enclave_caller_t *caller, int32_t type,
                                        const psa_invec *in, size_t in_len, psa_outvec *out,
                                        size_t out_len)
{
    if (type != PSA_IPC_CALL) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    svc_call_t c = {.caller = {.owner = caller->client_id, .session = caller->session}};
    psa_status_t status = crypto_call_unmarshal(in, in_len, out, out_len, &c.a);
    /* Nothing is written unless a handler runs: every output length starts at 0. */
    for (size_t i = 0; i < out_len && i < PSA_MAX_IOVEC; i++) {
        out[i].len = 0;
    }
    if (status != PSA_SUCCESS) {
        return status;
    }
    uint16_t fid = c.a.iov.function_id;
    size_t group = fid >> 8;
    size_t index = fid & 0xffu;
    svc_handler_t handler =
        group < SVC_GROUPS && index < SVC_INDICES ? svc_handlers[group][index] : NULL;
    if (handler == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (!core_is_initialised()) {
        return PSA_ERROR_SERVICE_FAILURE;
    }
    status = handler(&c);
    for (size_t i = 0; i < c.a.desc->out_count && i < out_len; i++) {
        out[i].len = c.out_len[i] <= c.a.out_size[i] ? c.out_len[i] : 0;
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
