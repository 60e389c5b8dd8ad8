/* The PS service: TF-M's PS message types and vectors (plus create and set_extended) on the PS engine. */
#include "enclave/enclave.h"
#include "enclave/storage_args.h"

#include "base/wire.h"

/* The PS engine through the shared storage calls (storage_args.h). */
static psa_status_t ps_engine_set(void *store, int32_t owner, psa_storage_uid_t uid,
                                  size_t length, const void *data,
                                  psa_storage_create_flags_t flags)
{
    return ps_store_set(store, owner, uid, length, data, flags);
}

static psa_status_t ps_engine_get(void *store, int32_t owner, psa_storage_uid_t uid,
                                  size_t offset, size_t length, void *data, size_t *data_length)
{
    return ps_store_get(store, owner, uid, offset, length, data, data_length);
}

static psa_status_t ps_engine_get_info(void *store, int32_t owner, psa_storage_uid_t uid,
                                       struct psa_storage_info_t *info)
{
    return ps_store_get_info(store, owner, uid, info);
}

static psa_status_t ps_engine_remove(void *store, int32_t owner, psa_storage_uid_t uid)
{
    return ps_store_remove(store, owner, uid);
}

/* The answer to a support query: out[0] of exactly 4 bytes gets the flags (TF-M checks the
 * size the same way); any input is ignored (TF-M's client sends none, Trusted Services a dummy
 * 4-byte vector). */
static psa_status_t put_support(psa_outvec *out, size_t out_len, uint32_t flags)
{
    if (out_len < 1 || out[0].len != 4) {
        storage_clear_outputs(out, out_len);
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    storage_clear_outputs(out, out_len);
    wire_store_u32(out[0].base, flags);
    out[0].len = 4;
    return PSA_SUCCESS;
}

static psa_status_t ps_call(const enclave_caller_t *caller, int32_t type, const psa_invec *in,
                            size_t in_len, psa_outvec *out, size_t out_len)
{
    ps_store_t *ps = enclave_ps_store();
    const storage_engine_t engine = {ps, ps_engine_set, ps_engine_get, ps_engine_get_info,
                                     ps_engine_remove};
    psa_storage_uid_t uid = 0;
    uint32_t value = 0, flags = 0;
    psa_status_t status;
    if (storage_serve_common(&engine, caller, type, in, in_len, out, out_len, &status)) {
        return status;
    }

    switch (type) {
    case RSS_PS_GET_SUPPORT:
        /* TF-M's own answer, 0: its client (and Trusted Services') returns NOT_SUPPORTED for
         * psa_ps_create and psa_ps_set_extended without sending anything, so the flags it asks
         * for must describe what it can do, not what rssd can. */
        return put_support(out, out_len, 0);
    case RSS_PS_GET_SUPPORT_RSSD:
        /* libpsa's query: what rssd really supports, as libpsa carries create and
         * set_extended (RSS_PS_CREATE, RSS_PS_SET_EXTENDED). */
        return put_support(out, out_len, ps_store_get_support(ps));
    case RSS_PS_CREATE:
        storage_clear_outputs(out, out_len);
        if (!storage_arg_uid(in, in_len, 0, &uid) || !storage_arg_u32(in, in_len, 1, &value) ||
            !storage_arg_u32(in, in_len, 2, &flags)) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        return ps_store_create(ps, caller->client_id, uid, value, flags);
    case RSS_PS_SET_EXTENDED:
        storage_clear_outputs(out, out_len);
        if (in_len < 3 || !storage_arg_uid(in, in_len, 0, &uid) ||
            !storage_arg_u32(in, in_len, 1, &value)) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        return ps_store_set_extended(ps, caller->client_id, uid, value, in[2].len, in[2].base);
    default:
        storage_clear_outputs(out, out_len);
        /* TF-M's PS treats an unknown type as a programming error (ITS differs). */
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
}

const enclave_service_t enclave_ps_service = {
    .name = "ps",
    .sid = ENCLAVE_SID_PS,
    .handle = RSS_HANDLE_PS,
    .version = 1,
    .call = ps_call,
    .release_session = NULL,
};
