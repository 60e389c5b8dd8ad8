/* libpsa's storage backend: each ITS or PS record is an RSS comms call on a pooled connection. */
#include "api/storage_front.h"
#include "client/client_call.h"

static psa_status_t pooled_call(void *ctx, psa_handle_t service, int32_t type, const psa_invec *in,
                                size_t in_len, psa_outvec *out, size_t out_len)
{
    (void)ctx;
    return client_call(service, type, in, in_len, out, out_len);
}

psa_status_t storage_backend_call(storage_args_t *a)
{
    return storage_call(pooled_call, NULL, a);
}
