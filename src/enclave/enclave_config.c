/* rssd's run-time configuration: defaults, and the copy main installs before workers start. */
#include "enclave/enclave_config.h"

#include "comms/rss_msg.h"

static enclave_config_t enclave_current_config = {
    .max_volatile_keys_per_session = ENCLAVE_DEFAULT_MAX_VOLATILE_KEYS,
    .max_operations_per_session = ENCLAVE_DEFAULT_MAX_OPERATIONS,
    .max_volatile_keys_per_client = ENCLAVE_DEFAULT_MAX_VOLATILE_KEYS_PER_CLIENT,
    .max_operations_per_client = ENCLAVE_DEFAULT_MAX_OPERATIONS_PER_CLIENT,
    .max_kdf_iterations = ENCLAVE_DEFAULT_MAX_KDF_ITERATIONS,
    .max_connections_per_uid = ENCLAVE_DEFAULT_MAX_CONNECTIONS_PER_UID,
    .shutdown_grace_seconds = ENCLAVE_DEFAULT_SHUTDOWN_GRACE_SECONDS,
    .stream_stall_ms = ENCLAVE_DEFAULT_STREAM_STALL_MS,
    .embed_limit = RSS_MSG_DEFAULT_EMBED_LIMIT,
    .workers = ENCLAVE_DEFAULT_WORKERS,
};

const enclave_config_t *enclave_config(void)
{
    return &enclave_current_config;
}

void enclave_config_set(const enclave_config_t *config)
{
    enclave_current_config = *config;
}
