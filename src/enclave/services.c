/* rssd's service table: TF-M's stateless handles and SIDs, handle lookup and dispatch. */
#include "enclave/enclave.h"

#include "enclave/enclave_config.h"

#ifdef ENCLAVE_NO_CRYPTO_SERVICE
/* Build-time placeholder used only while src/enclave/crypto_service.c is absent (see
 * CMakeLists.txt); the real definition replaces it as soon as that file exists. */
static psa_status_t crypto_service_absent(const enclave_caller_t *caller, int32_t type,
                                          const psa_invec *in, size_t in_len, psa_outvec *out,
                                          size_t out_len)
{
    (void)caller, (void)type, (void)in, (void)in_len, (void)out, (void)out_len;
    return PSA_ERROR_NOT_SUPPORTED;
}

const enclave_service_t enclave_crypto_service = {
    .name = "crypto",
    .sid = ENCLAVE_SID_CRYPTO,
    .handle = RSS_HANDLE_CRYPTO,
    .version = 1,
    .call = crypto_service_absent,
    .release_session = NULL,
};
#endif

/* Indexed by stateless index (handle bits 0-4): TF-M's manifest order, crypto 1, PS 2, ITS 3,
 * attestation 4, minus one. */
const enclave_service_t *const enclave_services[] = {
    &enclave_crypto_service,
    &enclave_ps_service,
    &enclave_its_service,
    &enclave_attestation_service,
};
const size_t enclave_service_count = sizeof(enclave_services) / sizeof(enclave_services[0]);

/* Stateless handle encoding (sheet §2.4): bit 30 set, version in bits 8-15, index in 0-4. */
#define STATELESS_FLAG 0x40000000u
#define STATELESS_INDEX_MASK 0x1fu
#define STATELESS_VERSION_SHIFT 8
#define STATELESS_VERSION_MASK 0xffu
#define STATELESS_KNOWN_BITS                                                                      \
    (STATELESS_FLAG | (STATELESS_VERSION_MASK << STATELESS_VERSION_SHIFT) | STATELESS_INDEX_MASK)

const enclave_service_t *enclave_service_by_handle(psa_handle_t handle)
{
    uint32_t h = (uint32_t)handle;
    if (handle <= 0 || (h & STATELESS_FLAG) == 0 || (h & ~STATELESS_KNOWN_BITS) != 0) {
        return NULL;
    }
    size_t index = h & STATELESS_INDEX_MASK;
    if (index >= enclave_service_count) {
        return NULL;
    }
    const enclave_service_t *service = enclave_services[index];
    /* STRICT version policy: the version baked into the handle must be the service's. */
    if (((h >> STATELESS_VERSION_SHIFT) & STATELESS_VERSION_MASK) != service->version) {
        return NULL;
    }
    return service;
}

const enclave_service_t *enclave_service_by_sid(uint32_t sid)
{
    for (size_t i = 0; i < enclave_service_count; i++) {
        if (enclave_services[i]->sid == sid) {
            return enclave_services[i];
        }
    }
    return NULL;
}

psa_status_t enclave_dispatch(const enclave_caller_t *caller, psa_handle_t handle, int32_t type,
                              const psa_invec *in, size_t in_len, psa_outvec *out,
                              size_t out_len)
{
    const enclave_service_t *service = enclave_service_by_handle(handle);
    if (service == NULL || type < PSA_CALL_TYPE_MIN || type > PSA_CALL_TYPE_MAX ||
        in_len + out_len > PSA_MAX_IOVEC) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    return service->call(caller, type, in, in_len, out, out_len);
}

void enclave_vec_policy(psa_handle_t handle, const uint8_t *in0, size_t in0_len,
                        crypto_vec_policy_t *policy)
{
    *policy = (crypto_vec_policy_t){0};
    if (enclave_service_by_handle(handle) == &enclave_crypto_service) {
        crypto_call_vec_policy(in0, in0_len, policy);
    }
}

void enclave_release_session(const enclave_caller_t *caller)
{
    for (size_t i = 0; i < enclave_service_count; i++) {
        if (enclave_services[i]->release_session != NULL) {
            enclave_services[i]->release_session(caller);
        }
    }
}

static its_store_t *enclave_its;
static ps_store_t *enclave_ps;

void enclave_storage_set(its_store_t *its, ps_store_t *ps)
{
    enclave_its = its;
    enclave_ps = ps;
}

its_store_t *enclave_its_store(void)
{
    return enclave_its;
}

ps_store_t *enclave_ps_store(void)
{
    return enclave_ps;
}
