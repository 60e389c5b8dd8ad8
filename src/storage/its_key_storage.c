/* Adapter from the crypto core's key storage interface to the ITS engine's key namespace. */
#include "storage/its_key_storage.h"

/* Key id 0 is never a valid persistent key; ITS also refuses UID 0. */
static psa_status_t key_load(void *ctx, int32_t owner, uint32_t key_id, uint8_t *data, size_t size,
                             size_t *length)
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
    return its_store_ns_set(ctx, ITS_NS_KEY, owner, key_id, length, data, PSA_STORAGE_FLAG_NONE, 1);
}

static psa_status_t key_remove(void *ctx, int32_t owner, uint32_t key_id)
{
    return its_store_ns_remove(ctx, ITS_NS_KEY, owner, key_id);
}

/* At most this many UIDs are gathered per call; the caller asks again after the last one. */
#define KEY_LIST_BATCH 64

static psa_status_t key_list(void *ctx, int32_t owner, uint32_t after, uint32_t *ids, size_t max,
                             size_t *count)
{
    psa_storage_uid_t uids[KEY_LIST_BATCH];
    size_t n = 0;
    *count = 0;
    while (*count < max) {
        size_t want = max - *count < KEY_LIST_BATCH ? max - *count : KEY_LIST_BATCH;
        psa_status_t status = its_store_ns_list(ctx, ITS_NS_KEY, owner, after, uids, want, &n);
        if (status != PSA_SUCCESS) {
            return status;
        }
        for (size_t i = 0; i < n; i++) {
            if (uids[i] > UINT32_MAX) {
                /* Key ids are 32-bit; a larger UID is not a key record the core wrote. */
                return PSA_SUCCESS;
            }
            ids[(*count)++] = (uint32_t)uids[i];
        }
        if (n < want) {
            break;
        }
        after = (uint32_t)uids[n - 1];
    }
    return PSA_SUCCESS;
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
    out->list = key_list;
    return PSA_SUCCESS;
}
