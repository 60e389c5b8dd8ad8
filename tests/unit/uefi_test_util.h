/* UEFI test helpers: a gateway in-process on libpsa-local, a client bound to it, name helpers. */
#ifndef UEFI_TEST_UTIL_H
#define UEFI_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "uefi/smm_service.h"
#include "uefi/var_client.h"

#define UTU_BUFFER_SIZE (32u * 1024u) /* the platform's 32 KiB MM carveout */
#define UTU_CALLER_UID  4242          /* the uid utu_call reports as its caller */

typedef struct utu_gateway {
    smm_gateway_t *gw;
    var_client_t client;
    uint8_t buffer[UTU_BUFFER_SIZE];
} utu_gateway_t;

/* Points PSA_STATE_DIR at a fresh temporary directory (call before any PS use). */
const char *utu_state_dir(void);
/* Removes every PS object a store with up to max_variables could have written. */
void utu_wipe(size_t max_variables);
/* Opens a gateway (config may be NULL for defaults) and binds the client to it. */
psa_status_t utu_open(utu_gateway_t *u, const smm_gateway_config_t *config);
void utu_close(utu_gateway_t *u);
/* smm_serve over the whole buffer, as a transport with a 32 KiB memory does. */
mm_return_t utu_call(void *ctx, uint8_t *buffer, size_t size);

/* UTF-16LE name of an ASCII string, NUL included; *size gets its byte size. Static buffer. */
const uint8_t *utu_name(const char *ascii, size_t *size);

#endif /* UEFI_TEST_UTIL_H */
