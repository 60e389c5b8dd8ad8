/* ts_storage: the packed-c secure storage interface (ITS and PS) served on the PSA storage APIs. */
#ifndef TS_STORAGE_H
#define TS_STORAGE_H

#include <stdint.h>

#include <psa/storage_common.h>

#include "comms/storage_calls.h"
#include "ts/ts_endpoint.h"

/* Opcodes of protocols/service/secure_storage/packed-c/secure_storage_proto.h (sheet §2.3). */
#define TS_STORAGE_OP_SET          0x100u
#define TS_STORAGE_OP_GET          0x101u
#define TS_STORAGE_OP_GET_INFO     0x102u
#define TS_STORAGE_OP_REMOVE       0x103u
#define TS_STORAGE_OP_CREATE       0x104u
#define TS_STORAGE_OP_SET_EXTENDED 0x105u
#define TS_STORAGE_OP_GET_SUPPORT  0x106u

/*
 * The storage a packed-c storage interface is served on: each request becomes a storage record
 * (comms/storage_calls.h) for `service` (RSS_HANDLE_ITS or RSS_HANDLE_PS), run by `call`.
 * session is the connection's (ts_call_t.session): whom the call is for, as the program hosting
 * the endpoint knows it. On the ITS interface, CREATE and SET_EXTENDED answer
 * PSA_ERROR_NOT_SUPPORTED and GET_SUPPORT reports 0 (the PSA ITS 1.0 API has neither call: the
 * truth for that API) without reaching the backend.
 */
typedef struct ts_storage_backend {
    psa_status_t (*call)(void *session, storage_args_t *a);
    psa_handle_t service;
} ts_storage_backend_t;

/*
 * On psa_its_* and psa_ps_* of the library the program links (libpsa, or libpsa-local
 * in-process); they ignore the session, so every call runs with that program's own identity.
 * se-proxy has its own backends, which forward each call for the session's caller
 * (tools/se-proxy).
 */
extern const ts_storage_backend_t ts_storage_its_backend;
extern const ts_storage_backend_t ts_storage_ps_backend;

/* ts_serve_fn for either interface; context is a const ts_storage_backend_t *. */
int32_t ts_storage_serve(void *context, ts_call_t *call);

/* Client side (libpsa-ts): a successful packed-c storage reply to the call of TF-M type `type`
 * into TF-M's output vector -- GET's bytes, GET_INFO's 12-byte record, the support flags.
 * COMMUNICATION_FAILURE for a reply that does not parse or does not fit. */
psa_status_t ts_storage_reply(int32_t type, const uint8_t *response, size_t response_length,
                              psa_outvec *out);

#endif /* TS_STORAGE_H */
