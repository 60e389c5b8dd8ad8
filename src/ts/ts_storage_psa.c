/* The packed-c storage interfaces on the standard psa_its_* / psa_ps_* of the linked library. */
#include <psa/internal_trusted_storage.h>
#include <psa/protected_storage.h>

#include "ts/ts_storage.h"

/* The standard APIs of the linked library, for every session alike. */
static psa_status_t its_set(void *session, psa_storage_uid_t uid, size_t length, const void *data,
                            psa_storage_create_flags_t flags)
{
    (void)session;
    return psa_its_set(uid, length, data, flags);
}

static psa_status_t its_get(void *session, psa_storage_uid_t uid, size_t offset, size_t length,
                            void *data, size_t *data_length)
{
    (void)session;
    return psa_its_get(uid, offset, length, data, data_length);
}

static psa_status_t its_get_info(void *session, psa_storage_uid_t uid,
                                 struct psa_storage_info_t *info)
{
    (void)session;
    return psa_its_get_info(uid, info);
}

static psa_status_t its_remove(void *session, psa_storage_uid_t uid)
{
    (void)session;
    return psa_its_remove(uid);
}

static psa_status_t ps_set(void *session, psa_storage_uid_t uid, size_t length, const void *data,
                           psa_storage_create_flags_t flags)
{
    (void)session;
    return psa_ps_set(uid, length, data, flags);
}

static psa_status_t ps_get(void *session, psa_storage_uid_t uid, size_t offset, size_t length,
                           void *data, size_t *data_length)
{
    (void)session;
    return psa_ps_get(uid, offset, length, data, data_length);
}

static psa_status_t ps_get_info(void *session, psa_storage_uid_t uid,
                                struct psa_storage_info_t *info)
{
    (void)session;
    return psa_ps_get_info(uid, info);
}

static psa_status_t ps_remove(void *session, psa_storage_uid_t uid)
{
    (void)session;
    return psa_ps_remove(uid);
}

static psa_status_t ps_create(void *session, psa_storage_uid_t uid, size_t capacity,
                              psa_storage_create_flags_t flags)
{
    (void)session;
    return psa_ps_create(uid, capacity, flags);
}

static psa_status_t ps_set_extended(void *session, psa_storage_uid_t uid, size_t offset,
                                    size_t length, const void *data)
{
    (void)session;
    return psa_ps_set_extended(uid, offset, length, data);
}

/* The standard API has no status for it: what it reports is the answer. */
static psa_status_t ps_get_support(void *session, uint32_t *flags)
{
    (void)session;
    *flags = psa_ps_get_support();
    return PSA_SUCCESS;
}

const ts_storage_backend_t ts_storage_its_backend = {
    its_set, its_get, its_get_info, its_remove, ts_storage_its_create, ts_storage_its_set_extended,
    ts_storage_its_get_support,
};

const ts_storage_backend_t ts_storage_ps_backend = {
    ps_set, ps_get, ps_get_info, ps_remove, ps_create, ps_set_extended, ps_get_support,
};
