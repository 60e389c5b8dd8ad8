/* The PSA Internal Trusted Storage and Protected Storage APIs, once: every function packs a
 * storage record for the library's backend. */
#include "api/storage_front.h"

#include <psa/internal_trusted_storage.h>
#include <psa/protected_storage.h>

#define RUN(svc, kind, ...)                                                                        \
    storage_args_t a = {.type = RSS_##kind, .service = RSS_HANDLE_##svc, __VA_ARGS__};             \
    return storage_backend_call(&a)

psa_status_t psa_its_set(psa_storage_uid_t uid, size_t data_length, const void *p_data,
                         psa_storage_create_flags_t create_flags)
{
    RUN(ITS, STORAGE_SET, .uid = uid, .length = data_length, .data = p_data, .flags = create_flags);
}

psa_status_t psa_its_get(psa_storage_uid_t uid, size_t data_offset, size_t data_length,
                         void *p_data, size_t *p_data_length)
{
    RUN(ITS, STORAGE_GET, .uid = uid, .offset = data_offset, .length = data_length,
        .buffer = p_data, .data_length = p_data_length);
}

psa_status_t psa_its_get_info(psa_storage_uid_t uid, struct psa_storage_info_t *p_info)
{
    RUN(ITS, STORAGE_GET_INFO, .uid = uid, .info = p_info);
}

psa_status_t psa_its_remove(psa_storage_uid_t uid)
{
    RUN(ITS, STORAGE_REMOVE, .uid = uid);
}

psa_status_t psa_ps_set(psa_storage_uid_t uid, size_t data_length, const void *p_data,
                        psa_storage_create_flags_t create_flags)
{
    RUN(PS, STORAGE_SET, .uid = uid, .length = data_length, .data = p_data, .flags = create_flags);
}

psa_status_t psa_ps_get(psa_storage_uid_t uid, size_t data_offset, size_t data_length, void *p_data,
                        size_t *p_data_length)
{
    RUN(PS, STORAGE_GET, .uid = uid, .offset = data_offset, .length = data_length, .buffer = p_data,
        .data_length = p_data_length);
}

psa_status_t psa_ps_get_info(psa_storage_uid_t uid, struct psa_storage_info_t *p_info)
{
    RUN(PS, STORAGE_GET_INFO, .uid = uid, .info = p_info);
}

psa_status_t psa_ps_remove(psa_storage_uid_t uid)
{
    RUN(PS, STORAGE_REMOVE, .uid = uid);
}

psa_status_t psa_ps_create(psa_storage_uid_t uid, size_t capacity,
                           psa_storage_create_flags_t create_flags)
{
    RUN(PS, PS_CREATE, .uid = uid, .length = capacity, .flags = create_flags);
}

psa_status_t psa_ps_set_extended(psa_storage_uid_t uid, size_t data_offset, size_t data_length,
                                 const void *p_data)
{
    RUN(PS, PS_SET_EXTENDED, .uid = uid, .offset = data_offset, .length = data_length,
        .data = p_data);
}

/* The API has no status for it: flags the backend cannot learn read as none. libpsa asks rssd's
 * own query (TF-M's GET_SUPPORT answers 0, as TF-M does, for TF-M's client, which cannot send
 * create or set_extended; libpsa can). */
uint32_t psa_ps_get_support(void)
{
    uint32_t flags = 0;
    storage_args_t a = {
        .type = RSS_PS_GET_SUPPORT_RSSD, .service = RSS_HANDLE_PS, .support = &flags};
    return storage_backend_call(&a) == PSA_SUCCESS ? flags : 0;
}
