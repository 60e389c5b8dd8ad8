/* ts_storage: the packed-c secure storage interface (ITS and PS) served on the PSA storage APIs. */
#ifndef TS_STORAGE_H
#define TS_STORAGE_H

#include <stdint.h>

#include <psa/storage_common.h>

#include "ts/ts_endpoint.h"

/* Opcodes of protocols/service/secure_storage/packed-c/secure_storage_proto.h (sheet §2.3). */
#define TS_STORAGE_OP_SET          0x100u
#define TS_STORAGE_OP_GET          0x101u
#define TS_STORAGE_OP_GET_INFO     0x102u
#define TS_STORAGE_OP_REMOVE       0x103u
#define TS_STORAGE_OP_CREATE       0x104u
#define TS_STORAGE_OP_SET_EXTENDED 0x105u
#define TS_STORAGE_OP_GET_SUPPORT  0x106u

/* The PSA storage API a storage interface is served on. session is the connection's
 * (ts_call_t.session): whom the call is for, as the program hosting the endpoint knows it. */
typedef struct ts_storage_backend {
    psa_status_t (*set)(void *session, psa_storage_uid_t uid, size_t length, const void *data,
                        psa_storage_create_flags_t flags);
    psa_status_t (*get)(void *session, psa_storage_uid_t uid, size_t offset, size_t length,
                        void *data, size_t *data_length);
    psa_status_t (*get_info)(void *session, psa_storage_uid_t uid, struct psa_storage_info_t *info);
    psa_status_t (*remove)(void *session, psa_storage_uid_t uid);
    psa_status_t (*create)(void *session, psa_storage_uid_t uid, size_t capacity,
                           psa_storage_create_flags_t flags);
    psa_status_t (*set_extended)(void *session, psa_storage_uid_t uid, size_t offset, size_t length,
                                 const void *data);
    /* The feature flags; an error when they cannot be had (rssd unreachable, say). */
    psa_status_t (*get_support)(void *session, uint32_t *flags);
} ts_storage_backend_t;

/*
 * psa_its_* (ITS 1.0 has no CREATE or SET_EXTENDED: those answer PSA_ERROR_NOT_SUPPORTED and
 * GET_SUPPORT reports 0, which is the truth for that API) and psa_ps_* (all seven, GET_SUPPORT
 * reporting what psa_ps_get_support reports). The program that links ss_ts picks the library
 * implementing them (libpsa, or libpsa-local in-process); they ignore the session, so every
 * call runs with that program's own identity. se-proxy has its own backends, which forward each
 * call for the session's caller (tools/se-proxy).
 */
extern const ts_storage_backend_t ts_storage_its_backend;
extern const ts_storage_backend_t ts_storage_ps_backend;

/* ts_serve_fn for either interface; context is a const ts_storage_backend_t *. */
int32_t ts_storage_serve(void *context, ts_call_t *call);

/* What every ITS backend answers for the calls the PSA ITS 1.0 API does not have: CREATE and
 * SET_EXTENDED are PSA_ERROR_NOT_SUPPORTED, and GET_SUPPORT reports no flags (the truth). */
psa_status_t ts_storage_its_create(void *session, psa_storage_uid_t uid, size_t capacity,
                                   psa_storage_create_flags_t flags);
psa_status_t ts_storage_its_set_extended(void *session, psa_storage_uid_t uid, size_t offset,
                                         size_t length, const void *data);
psa_status_t ts_storage_its_get_support(void *session, uint32_t *flags);

#endif /* TS_STORAGE_H */
