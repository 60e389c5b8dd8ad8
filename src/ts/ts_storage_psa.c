/* The packed-c storage interfaces on the standard psa_its_* / psa_ps_* of the linked library. */
#include <psa/internal_trusted_storage.h>
#include <psa/protected_storage.h>

#include "ts/ts_storage.h"

/* The standard APIs of the linked library, for every session alike. */
static psa_status_t psa_storage(void *session, storage_args_t *a)
{
    (void)session;
    bool its = a->service == RSS_HANDLE_ITS;
    switch (a->type) {
    case RSS_STORAGE_SET:
        return (its ? psa_its_set : psa_ps_set)(a->uid, a->length, a->data, a->flags);
    case RSS_STORAGE_GET:
        return (its ? psa_its_get : psa_ps_get)(a->uid, a->offset, a->length, a->buffer,
                                                a->data_length);
    case RSS_STORAGE_GET_INFO:
        return (its ? psa_its_get_info : psa_ps_get_info)(a->uid, a->info);
    case RSS_STORAGE_REMOVE:
        return (its ? psa_its_remove : psa_ps_remove)(a->uid);
    case RSS_PS_CREATE:
        return psa_ps_create(a->uid, a->length, a->flags);
    case RSS_PS_SET_EXTENDED:
        return psa_ps_set_extended(a->uid, a->offset, a->length, a->data);
    case RSS_PS_GET_SUPPORT_RSSD:
        /* The standard API has no status for it: what it reports is the answer. */
        *a->support = psa_ps_get_support();
        return PSA_SUCCESS;
    default:
        return PSA_ERROR_NOT_SUPPORTED;
    }
}

const ts_storage_backend_t ts_storage_its_backend = {psa_storage, RSS_HANDLE_ITS};
const ts_storage_backend_t ts_storage_ps_backend = {psa_storage, RSS_HANDLE_PS};
