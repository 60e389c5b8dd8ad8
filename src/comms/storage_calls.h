/* The ITS and PS APIs as RSS comms calls: TF-M's vector layouts, over any way of making a call. */
#ifndef COMMS_STORAGE_CALLS_H
#define COMMS_STORAGE_CALLS_H

#include <stddef.h>
#include <stdint.h>

#include <psa/client.h>
#include <psa/storage_common.h>

#include "comms/rss_services.h"

/*
 * One ITS or PS service as reached by one caller: libpsa passes its pooled psa_call, a forwarder
 * (se-proxy) the RSS comms client of the connection that speaks for its caller. service is
 * RSS_HANDLE_ITS or RSS_HANDLE_PS. The functions check their arguments exactly as
 * libpsa-local's storage API does before anything is sent, then marshal with the layouts of
 * reference sheet §3.2 and docs/rss-comms-linux.md, and parse the replies bounds-checked.
 */
typedef psa_status_t (*storage_call_fn)(void *ctx, psa_handle_t service, int32_t type,
                                        const psa_invec *in, size_t in_len, psa_outvec *out,
                                        size_t out_len);

typedef struct storage_service {
    storage_call_fn call;
    void *ctx;
    psa_handle_t service;
} storage_service_t;

psa_status_t storage_call_set(const storage_service_t *s, psa_storage_uid_t uid, size_t data_length,
                              const void *p_data, psa_storage_create_flags_t create_flags);
psa_status_t storage_call_get(const storage_service_t *s, psa_storage_uid_t uid, size_t data_offset,
                              size_t data_length, void *p_data, size_t *p_data_length);
psa_status_t storage_call_get_info(const storage_service_t *s, psa_storage_uid_t uid,
                                   struct psa_storage_info_t *p_info);
psa_status_t storage_call_remove(const storage_service_t *s, psa_storage_uid_t uid);
/* PS only (rssd's types). */
psa_status_t storage_call_create(const storage_service_t *s, psa_storage_uid_t uid, size_t capacity,
                                 psa_storage_create_flags_t create_flags);
psa_status_t storage_call_set_extended(const storage_service_t *s, psa_storage_uid_t uid,
                                       size_t data_offset, size_t data_length, const void *p_data);
/* rssd's support query (the real flags; 0 with the error when it cannot be asked). */
psa_status_t storage_call_get_support_status(const storage_service_t *s, uint32_t *flags);

/*
 * One ITS or PS call as an argument record: every front end (psa_its_* / psa_ps_*, the packed-c
 * storage interface) packs one, and a backend runs it -- on rssd through the calls above
 * (storage_call), or on the in-process engines (libpsa-local). Outputs go where the record's
 * pointers say, as the PSA functions' own output arguments.
 */
typedef struct storage_args {
    int32_t type;         /* RSS_STORAGE_SET .. RSS_STORAGE_REMOVE, RSS_PS_CREATE,
                           * RSS_PS_SET_EXTENDED, RSS_PS_GET_SUPPORT_RSSD */
    psa_handle_t service; /* RSS_HANDLE_ITS or RSS_HANDLE_PS */
    psa_storage_uid_t uid;
    size_t offset;
    size_t length; /* set, set_extended: data bytes; get: buffer size; create: capacity */
    const void *data;
    void *buffer;        /* get */
    size_t *data_length; /* get */
    psa_storage_create_flags_t flags;
    struct psa_storage_info_t *info; /* get_info */
    uint32_t *support;               /* get_support */
} storage_args_t;

/* Runs the record as an RSS comms call through `call` (ctx is its first argument). */
psa_status_t storage_call(storage_call_fn call, void *ctx, storage_args_t *a);

/* Service side: where a record's outputs go until the reply is written. */
typedef struct storage_results {
    size_t data_length;
    struct psa_storage_info_t info;
    uint32_t support;
} storage_results_t;

/*
 * Service side: the record of one RSS comms call to `service` (RSS_HANDLE_ITS or RSS_HANDLE_PS),
 * by TF-M's vector layouts (sheet §3.6), checked as TF-M's services check them: a UID is exactly
 * 8 bytes, offsets, capacities and flags exactly 4, GET_INFO's output exactly 12 and a support
 * query's exactly 4; any other shape is PROGRAMMER_ERROR. A type the service does not have is
 * NOT_SUPPORTED for ITS and PROGRAMMER_ERROR for PS, as in TF-M. GET reads into out[0].
 */
psa_status_t storage_call_unmarshal(psa_handle_t service, int32_t type, const psa_invec *in,
                                    size_t in_len, psa_outvec *out, size_t out_len,
                                    storage_args_t *a, storage_results_t *results);

/* Service side, after the call answered `status`: out[0] carries GET's bytes, GET_INFO's 12-byte
 * record or a support query's 4 bytes after a success; every other output length is 0. */
void storage_call_reply(const storage_args_t *a, const storage_results_t *results,
                        psa_status_t status, psa_outvec *out, size_t out_len);

#endif /* COMMS_STORAGE_CALLS_H */
