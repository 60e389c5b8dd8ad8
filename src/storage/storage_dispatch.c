/* The one storage dispatcher (storage_dispatch.h). */
#include "storage/storage_dispatch.h"

#include <stdbool.h>

psa_status_t storage_dispatch(its_store_t *its, ps_store_t *ps, int32_t owner, storage_args_t *a)
{
    bool on_its = a->service == RSS_HANDLE_ITS;
    switch (a->type) {
    case RSS_STORAGE_SET:
        return on_its ? its_store_set(its, owner, a->uid, a->length, a->data, a->flags)
                      : ps_store_set(ps, owner, a->uid, a->length, a->data, a->flags);
    case RSS_STORAGE_GET:
        return on_its ? its_store_get(its, owner, a->uid, a->offset, a->length, a->buffer,
                                      a->data_length)
                      : ps_store_get(ps, owner, a->uid, a->offset, a->length, a->buffer,
                                     a->data_length);
    case RSS_STORAGE_GET_INFO:
        return on_its ? its_store_get_info(its, owner, a->uid, a->info)
                      : ps_store_get_info(ps, owner, a->uid, a->info);
    case RSS_STORAGE_REMOVE:
        return on_its ? its_store_remove(its, owner, a->uid) : ps_store_remove(ps, owner, a->uid);
    default:
        break;
    }
    if (on_its) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    switch (a->type) {
    case RSS_PS_CREATE:
        return ps_store_create(ps, owner, a->uid, a->length, a->flags);
    case RSS_PS_SET_EXTENDED:
        return ps_store_set_extended(ps, owner, a->uid, a->offset, a->length, a->data);
    case RSS_PS_GET_SUPPORT:
        *a->support = 0;
        return PSA_SUCCESS;
    case RSS_PS_GET_SUPPORT_RSSD:
        *a->support = ps_store_get_support(ps);
        return PSA_SUCCESS;
    default:
        return PSA_ERROR_NOT_SUPPORTED;
    }
}
