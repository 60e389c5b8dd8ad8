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
/* rssd's support query (the real flags); 0 when it cannot be asked. */
uint32_t storage_call_get_support(const storage_service_t *s);
/* The same with the call's status (a forwarder passes a failure on rather than report 0). */
psa_status_t storage_call_get_support_status(const storage_service_t *s, uint32_t *flags);

#endif /* COMMS_STORAGE_CALLS_H */
