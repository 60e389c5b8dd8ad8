/* UEFI variable client: builds SMM variable requests in an MM buffer and reads the replies. */
#ifndef UEFI_VAR_CLIENT_H
#define UEFI_VAR_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uefi/efi_defs.h"
#include "uefi/smm_msg.h"

/*
 * The client is transport-free: `call` delivers the MM buffer (header at offset 0) to the
 * gateway and returns the MM return code, as the platform's MM communicate does. MM return
 * codes other than SUCCESS become EFI statuses the way U-Boot maps them (sheet §5.1).
 */
typedef mm_return_t (*var_client_call_fn)(void *ctx, uint8_t *buffer, size_t size);

typedef struct var_client {
    var_client_call_fn call;
    void *ctx;
    uint8_t *buffer; /* the MM communicate buffer */
    size_t size;
} var_client_t;

efi_status_t var_client_efi_from_mm(mm_return_t rc);
/* "EFI_NOT_FOUND" and so on; "EFI_ERROR_0x..." style text for others is written to buf. */
const char *var_efi_status_name(efi_status_t status, char *buf, size_t size);

/* GetVariable: *data_size is the capacity in, the variable's size out (also on
 * EFI_BUFFER_TOO_SMALL). attributes may be NULL. */
efi_status_t var_client_get(var_client_t *c, const efi_guid_t *guid, const uint8_t *name,
                            size_t name_size, uint32_t *attributes, uint8_t *data,
                            size_t *data_size);
efi_status_t var_client_set(var_client_t *c, const efi_guid_t *guid, const uint8_t *name,
                            size_t name_size, uint32_t attributes, const uint8_t *data,
                            size_t data_size);
/* GetNextVariableName: name holds the current name (empty to start) in a buffer of
 * *name_size bytes; on return the next name and its size (or the size needed). */
efi_status_t var_client_next(var_client_t *c, efi_guid_t *guid, uint8_t *name, size_t *name_size);
efi_status_t var_client_query(var_client_t *c, uint32_t attributes, smm_query_t *info);
efi_status_t var_client_property_get(var_client_t *c, const efi_guid_t *guid, const uint8_t *name,
                                     size_t name_size, var_check_property_t *property);
efi_status_t var_client_property_set(var_client_t *c, const efi_guid_t *guid, const uint8_t *name,
                                     size_t name_size, const var_check_property_t *property);
efi_status_t var_client_payload_size(var_client_t *c, uint64_t *size);
/* EXIT_BOOT_SERVICE or READY_TO_BOOT (no payload). */
efi_status_t var_client_signal(var_client_t *c, uint64_t function);

/* ---- names and GUIDs as text ----------------------------------------------------------------- */

/* Canonical text "8be4df61-93ca-11d2-aa0d-00e098032b8c" (37 bytes with NUL). */
void var_guid_format(const efi_guid_t *guid, char out[37]);
bool var_guid_parse(const char *text, efi_guid_t *guid);
/* UTF-8 (ASCII and BMP characters) to UTF-16LE with NUL; false if it does not fit. */
bool var_name_from_utf8(const char *text, uint8_t *out, size_t out_size, size_t *name_size);
/* UTF-16LE (NUL-terminated, name_size bytes) to UTF-8; false if not representable. */
bool var_name_to_utf8(const uint8_t *name, size_t name_size, char *out, size_t out_size);

#endif /* UEFI_VAR_CLIENT_H */
