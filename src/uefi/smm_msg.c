/* MM communicate header, SMM variable header and payload encoders/decoders (smm_msg.h). */
#include "uefi/smm_msg.h"

#include <string.h>

bool smm_msg_get_mm_header(wire_reader_t *r, mm_header_t *h)
{
    wire_get_bytes(r, h->guid.b, sizeof(h->guid.b));
    return wire_get_u64(r, &h->message_length);
}

bool smm_msg_put_mm_header(wire_writer_t *w, const efi_guid_t *guid, uint64_t message_length)
{
    wire_put_bytes(w, guid->b, sizeof(guid->b));
    return wire_put_u64(w, message_length);
}

bool smm_msg_get_var_header(wire_reader_t *r, smm_var_header_t *h)
{
    wire_get_u64(r, &h->function);
    return wire_get_u64(r, &h->return_status);
}

bool smm_msg_put_var_header(wire_writer_t *w, uint64_t function, efi_status_t status)
{
    wire_put_u64(w, function);
    return wire_put_u64(w, status);
}

efi_status_t smm_msg_decode_access(const uint8_t *p, size_t length, smm_access_t *out)
{
    wire_reader_t r;
    memset(out, 0, sizeof(*out));
    wire_reader_init(&r, p, length);
    wire_get_bytes(&r, out->guid.b, sizeof(out->guid.b));
    wire_get_u64(&r, &out->data_size);
    wire_get_u64(&r, &out->name_size);
    wire_get_u32(&r, &out->attributes);
    if (!wire_reader_ok(&r) || out->name_size > wire_remaining(&r) ||
        !wire_get_ref(&r, (size_t)out->name_size, &out->name) ||
        !var_name_valid(out->name, (size_t)out->name_size)) {
        return EFI_INVALID_PARAMETER;
    }
    out->data_available = wire_remaining(&r);
    out->data = p + (length - out->data_available);
    return EFI_SUCCESS;
}

efi_status_t smm_msg_decode_get_next(const uint8_t *p, size_t length, smm_get_next_t *out)
{
    wire_reader_t r;
    memset(out, 0, sizeof(*out));
    wire_reader_init(&r, p, length);
    wire_get_bytes(&r, out->guid.b, sizeof(out->guid.b));
    if (!wire_get_u64(&r, &out->name_size)) {
        return EFI_INVALID_PARAMETER;
    }
    /* NameSize is the caller's buffer size, not what the message carries: U-Boot sends its
     * whole buffer, other callers may send less. Only the bytes present are ever read. */
    out->name_available = wire_remaining(&r);
    if (out->name_available > out->name_size) {
        out->name_available = (size_t)out->name_size;
    }
    wire_get_ref(&r, out->name_available, &out->name);
    return EFI_SUCCESS;
}

efi_status_t smm_msg_decode_query(const uint8_t *p, size_t length, smm_query_t *out)
{
    wire_reader_t r;
    wire_reader_init(&r, p, length);
    wire_get_u64(&r, &out->maximum_storage_size);
    wire_get_u64(&r, &out->remaining_storage_size);
    wire_get_u64(&r, &out->maximum_variable_size);
    wire_get_u32(&r, &out->attributes);
    return wire_skip(&r, 4) ? EFI_SUCCESS : EFI_INVALID_PARAMETER;
}

efi_status_t smm_msg_decode_var_check(const uint8_t *p, size_t length, smm_var_check_t *out)
{
    wire_reader_t r;
    memset(out, 0, sizeof(*out));
    wire_reader_init(&r, p, length);
    wire_get_bytes(&r, out->guid.b, sizeof(out->guid.b));
    wire_get_u64(&r, &out->name_size);
    wire_get_u16(&r, &out->property.revision);
    wire_get_u16(&r, &out->property.property);
    wire_get_u32(&r, &out->property.attributes);
    wire_get_u64(&r, &out->property.min_size);
    wire_get_u64(&r, &out->property.max_size);
    if (!wire_reader_ok(&r) || out->name_size > wire_remaining(&r) ||
        !wire_get_ref(&r, (size_t)out->name_size, &out->name) ||
        !var_name_valid(out->name, (size_t)out->name_size)) {
        return EFI_INVALID_PARAMETER;
    }
    return EFI_SUCCESS;
}

efi_status_t smm_msg_decode_payload_size(const uint8_t *p, size_t length, uint64_t *size)
{
    wire_reader_t r;
    wire_reader_init(&r, p, length);
    return wire_get_u64(&r, size) ? EFI_SUCCESS : EFI_INVALID_PARAMETER;
}

bool smm_msg_put_access(wire_writer_t *w, const smm_access_t *a, const uint8_t *data,
                        size_t data_length, bool tail_padding)
{
    wire_put_bytes(w, a->guid.b, sizeof(a->guid.b));
    wire_put_u64(w, a->data_size);
    wire_put_u64(w, a->name_size);
    wire_put_u32(w, a->attributes);
    wire_put_bytes(w, a->name, (size_t)a->name_size);
    wire_put_bytes(w, data, data_length);
    return tail_padding ? wire_put_zeros(w, 4) : wire_writer_ok(w);
}

bool smm_msg_put_get_next(wire_writer_t *w, const efi_guid_t *guid, uint64_t name_size,
                          const uint8_t *name, size_t name_length)
{
    wire_put_bytes(w, guid->b, sizeof(guid->b));
    wire_put_u64(w, name_size);
    return wire_put_bytes(w, name, name_length);
}

bool smm_msg_put_query(wire_writer_t *w, const smm_query_t *q)
{
    wire_put_u64(w, q->maximum_storage_size);
    wire_put_u64(w, q->remaining_storage_size);
    wire_put_u64(w, q->maximum_variable_size);
    wire_put_u32(w, q->attributes);
    return wire_put_zeros(w, 4);
}

bool smm_msg_put_var_check(wire_writer_t *w, const smm_var_check_t *v)
{
    wire_put_bytes(w, v->guid.b, sizeof(v->guid.b));
    wire_put_u64(w, v->name_size);
    wire_put_u16(w, v->property.revision);
    wire_put_u16(w, v->property.property);
    wire_put_u32(w, v->property.attributes);
    wire_put_u64(w, v->property.min_size);
    wire_put_u64(w, v->property.max_size);
    return wire_put_bytes(w, v->name, (size_t)v->name_size);
}

bool smm_msg_put_payload_size(wire_writer_t *w, uint64_t size)
{
    return wire_put_u64(w, size);
}
