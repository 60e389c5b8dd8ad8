/* MM communicate and SMM variable message codec, shared by smm-gateway and its clients. */
#ifndef UEFI_SMM_MSG_H
#define UEFI_SMM_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/wire.h"
#include "uefi/efi_defs.h"
#include "uefi/var_index.h"

/*
 * Layouts are the TS fact sheet's §4.1-4.2 (natural alignment, LP64, little-endian). Decoders
 * read through the wire reader only and never trust a length field beyond the bytes given.
 */

/* EFI_MM_COMMUNICATE_HEADER. */
typedef struct mm_header {
    efi_guid_t guid;
    uint64_t message_length;
} mm_header_t;

/* SMM_VARIABLE_COMMUNICATE_HEADER. */
typedef struct smm_var_header {
    uint64_t function;
    efi_status_t return_status;
} smm_var_header_t;

/* SMM_VARIABLE_COMMUNICATE_ACCESS_VARIABLE (GET_VARIABLE, SET_VARIABLE). */
typedef struct smm_access {
    efi_guid_t guid;
    uint64_t data_size;
    uint64_t name_size;
    uint32_t attributes;
    const uint8_t *name;   /* name_size bytes */
    const uint8_t *data;   /* the bytes after the name */
    size_t data_available; /* how many follow the name in the message */
} smm_access_t;

/* SMM_VARIABLE_COMMUNICATE_GET_NEXT_VARIABLE_NAME: name as far as the message carries it. */
typedef struct smm_get_next {
    efi_guid_t guid;
    uint64_t name_size; /* the caller's name buffer size */
    const uint8_t *name;
    size_t name_available; /* bytes of name present in the message */
} smm_get_next_t;

/* SMM_VARIABLE_COMMUNICATE_QUERY_VARIABLE_INFO. */
typedef struct smm_query {
    uint64_t maximum_storage_size;
    uint64_t remaining_storage_size;
    uint64_t maximum_variable_size;
    uint32_t attributes;
} smm_query_t;

/* SMM_VARIABLE_COMMUNICATE_VAR_CHECK_VARIABLE_PROPERTY. */
typedef struct smm_var_check {
    efi_guid_t guid;
    uint64_t name_size;
    var_check_property_t property;
    const uint8_t *name;
} smm_var_check_t;

bool smm_msg_get_mm_header(wire_reader_t *r, mm_header_t *h);
bool smm_msg_put_mm_header(wire_writer_t *w, const efi_guid_t *guid, uint64_t message_length);
bool smm_msg_get_var_header(wire_reader_t *r, smm_var_header_t *h);
bool smm_msg_put_var_header(wire_writer_t *w, uint64_t function, efi_status_t status);

/* Payload decoders: EFI_INVALID_PARAMETER when the fixed part is missing, the name does not
 * fit the message or is not a NUL-terminated UTF-16 string. */
efi_status_t smm_msg_decode_access(const uint8_t *p, size_t length, smm_access_t *out);
efi_status_t smm_msg_decode_get_next(const uint8_t *p, size_t length, smm_get_next_t *out);
efi_status_t smm_msg_decode_query(const uint8_t *p, size_t length, smm_query_t *out);
efi_status_t smm_msg_decode_var_check(const uint8_t *p, size_t length, smm_var_check_t *out);
efi_status_t smm_msg_decode_payload_size(const uint8_t *p, size_t length, uint64_t *size);

/* Payload encoders (requests and replies share the layouts). tail_padding adds the 4 zero
 * bytes U-Boot leaves after the 36-byte access header because it uses sizeof (40). */
bool smm_msg_put_access(wire_writer_t *w, const smm_access_t *a, const uint8_t *data,
                        size_t data_length, bool tail_padding);
bool smm_msg_put_get_next(wire_writer_t *w, const efi_guid_t *guid, uint64_t name_size,
                          const uint8_t *name, size_t name_length);
bool smm_msg_put_query(wire_writer_t *w, const smm_query_t *q);
bool smm_msg_put_var_check(wire_writer_t *w, const smm_var_check_t *v);
bool smm_msg_put_payload_size(wire_writer_t *w, uint64_t size);

#endif /* UEFI_SMM_MSG_H */
