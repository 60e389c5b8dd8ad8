/* Adapter from the crypto core's key storage interface to the ITS engine's key namespace. */
#include "storage/its_key_storage.h"

/* Key id 0 is never a valid persistent key; ITS also refuses UID 0. */
static psa_status_t key_load(void *ctx, int32_t owner, uint32_t key_id, uint8_t *data,
                             size_t size, size_t *length)
{
    its_store_t *its = ctx;
    struct psa_storage_info_t info;
    if (length == NULL) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    psa_status_t status = its_store_ns_get_info(its, ITS_NS_KEY, owner, key_id, &info);
    if (status != PSA_SUCCESS) {
        return status;
    }
    *length = info.size;
    if (info.size > size) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    size_t got = 0;
    status = its_store_ns_get(its, ITS_NS_KEY, owner, key_id, 0, size, data, &got);
    if (status == PSA_SUCCESS) {
        *length = got;
    }
    return status;
}

static psa_status_t key_store(void *ctx, int32_t owner, uint32_t key_id, const uint8_t *data,
                              size_t length)
{
    return its_store_ns_set(ctx, ITS_NS_KEY, owner, key_id, length, data, PSA_STORAGE_FLAG_NONE,
                            1);
}

static psa_status_t key_remove(void *ctx, int32_t owner, uint32_t key_id)
{
    return its_store_ns_remove(ctx, ITS_NS_KEY, owner, key_id);
}

psa_status_t its_key_storage_init(its_store_t *its, core_key_storage_t *out)
{
    if (its == NULL || out == NULL) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    out->ctx = its;
    out->load = key_load;
    out->store = key_store;
    out->remove = key_remove;
    return PSA_SUCCESS;
}
