/* libpsa's ITS and PS APIs: comms/storage_calls.c over the pooled connections to rssd. */
#include <psa/internal_trusted_storage.h>
#include <psa/protected_storage.h>

#include "client/client_call.h"
#include "comms/storage_calls.h"

static psa_status_t pooled_call(void *ctx, psa_handle_t service, int32_t type, const psa_invec *in,
                                size_t in_len, psa_outvec *out, size_t out_len)
{
    (void)ctx;
    return client_call(service, type, in, in_len, out, out_len);
}

static const storage_service_t its = {pooled_call, NULL, RSS_HANDLE_ITS};
static const storage_service_t ps = {pooled_call, NULL, RSS_HANDLE_PS};

psa_status_t psa_its_set(psa_storage_uid_t uid, size_t data_length, const void *p_data,
                         psa_storage_create_flags_t create_flags)
{
    return storage_call_set(&its, uid, data_length, p_data, create_flags);
}

psa_status_t psa_its_get(psa_storage_uid_t uid, size_t data_offset, size_t data_length,
                         void *p_data, size_t *p_data_length)
{
    return storage_call_get(&its, uid, data_offset, data_length, p_data, p_data_length);
}

psa_status_t psa_its_get_info(psa_storage_uid_t uid, struct psa_storage_info_t *p_info)
{
    return storage_call_get_info(&its, uid, p_info);
}

psa_status_t psa_its_remove(psa_storage_uid_t uid)
{
    return storage_call_remove(&its, uid);
}

psa_status_t psa_ps_set(psa_storage_uid_t uid, size_t data_length, const void *p_data,
                        psa_storage_create_flags_t create_flags)
{
    return storage_call_set(&ps, uid, data_length, p_data, create_flags);
}

psa_status_t psa_ps_get(psa_storage_uid_t uid, size_t data_offset, size_t data_length, void *p_data,
                        size_t *p_data_length)
{
    return storage_call_get(&ps, uid, data_offset, data_length, p_data, p_data_length);
}

psa_status_t psa_ps_get_info(psa_storage_uid_t uid, struct psa_storage_info_t *p_info)
{
    return storage_call_get_info(&ps, uid, p_info);
}

psa_status_t psa_ps_remove(psa_storage_uid_t uid)
{
    return storage_call_remove(&ps, uid);
}

psa_status_t psa_ps_create(psa_storage_uid_t uid, size_t capacity,
                           psa_storage_create_flags_t create_flags)
{
    return storage_call_create(&ps, uid, capacity, create_flags);
}

psa_status_t psa_ps_set_extended(psa_storage_uid_t uid, size_t data_offset, size_t data_length,
                                 const void *p_data)
{
    return storage_call_set_extended(&ps, uid, data_offset, data_length, p_data);
}

/* rssd answers TF-M's GET_SUPPORT (1005) as TF-M does, with 0, for TF-M's client, which cannot
 * send create or set_extended; libpsa can, so it asks rssd's own query for the real flags. */
uint32_t psa_ps_get_support(void)
{
    return storage_call_get_support(&ps);
}
