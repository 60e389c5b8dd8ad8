/* UEFI variable client over any MM communicate transport (var_client.h). */
#include "uefi/var_client.h"

#include <stdio.h>
#include <string.h>

static const efi_guid_t smm_guid = SMM_VARIABLE_GUID;

efi_status_t var_client_efi_from_mm(mm_return_t rc)
{
    switch (rc) {
    case MM_RETURN_SUCCESS:
        return EFI_SUCCESS;
    case MM_RETURN_NOT_SUPPORTED:
        return EFI_DEVICE_ERROR;
    case MM_RETURN_INVALID_PARAMETER:
        return EFI_INVALID_PARAMETER;
    case MM_RETURN_NO_MEMORY:
        return EFI_OUT_OF_RESOURCES;
    default:
        return EFI_ACCESS_DENIED;
    }
}

const char *var_efi_status_name(efi_status_t status, char *buf, size_t size)
{
    static const struct {
        efi_status_t status;
        const char *name;
    } names[] = {
        {EFI_SUCCESS, "EFI_SUCCESS"},
        {EFI_LOAD_ERROR, "EFI_LOAD_ERROR"},
        {EFI_INVALID_PARAMETER, "EFI_INVALID_PARAMETER"},
        {EFI_UNSUPPORTED, "EFI_UNSUPPORTED"},
        {EFI_BAD_BUFFER_SIZE, "EFI_BAD_BUFFER_SIZE"},
        {EFI_BUFFER_TOO_SMALL, "EFI_BUFFER_TOO_SMALL"},
        {EFI_NOT_READY, "EFI_NOT_READY"},
        {EFI_DEVICE_ERROR, "EFI_DEVICE_ERROR"},
        {EFI_WRITE_PROTECTED, "EFI_WRITE_PROTECTED"},
        {EFI_OUT_OF_RESOURCES, "EFI_OUT_OF_RESOURCES"},
        {EFI_NOT_FOUND, "EFI_NOT_FOUND"},
        {EFI_ACCESS_DENIED, "EFI_ACCESS_DENIED"},
        {EFI_PROTOCOL_ERROR, "EFI_PROTOCOL_ERROR"},
        {EFI_SECURITY_VIOLATION, "EFI_SECURITY_VIOLATION"},
        {EFI_COMPROMISED_DATA, "EFI_COMPROMISED_DATA"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].status == status) {
            return names[i].name;
        }
    }
    snprintf(buf, size, "EFI status 0x%016llx", (unsigned long long)status);
    return buf;
}

/* Starts a request: a writer placed after both headers, filled in by the caller. */
static bool begin(var_client_t *c, wire_writer_t *w)
{
    if (c->size < MM_HEADER_SIZE + SMM_VAR_HEADER_SIZE) {
        return false;
    }
    wire_writer_init(w, c->buffer + MM_HEADER_SIZE + SMM_VAR_HEADER_SIZE,
                     c->size - MM_HEADER_SIZE - SMM_VAR_HEADER_SIZE);
    return true;
}

/* Sends function with the payload written so far; on success *reply and *reply_len locate the reply
 * payload inside the buffer and the result is the reply's ReturnStatus. */
static efi_status_t finish(var_client_t *c, wire_writer_t *w, uint64_t function,
                           const uint8_t **reply, size_t *reply_len)
{
    if (!wire_writer_ok(w)) {
        return EFI_BAD_BUFFER_SIZE;
    }
    size_t payload = wire_writer_length(w);
    wire_writer_t h;
    wire_writer_init(&h, c->buffer, MM_HEADER_SIZE + SMM_VAR_HEADER_SIZE);
    smm_msg_put_mm_header(&h, &smm_guid, SMM_VAR_HEADER_SIZE + payload);
    smm_msg_put_var_header(&h, function, EFI_SUCCESS);
    mm_return_t rc = c->call(c->ctx, c->buffer, c->size);
    if (rc != MM_RETURN_SUCCESS) {
        return var_client_efi_from_mm(rc);
    }
    wire_reader_t r;
    mm_header_t mm;
    smm_var_header_t var;
    wire_reader_init(&r, c->buffer, c->size);
    if (!smm_msg_get_mm_header(&r, &mm) || mm.message_length < SMM_VAR_HEADER_SIZE ||
        mm.message_length > c->size - MM_HEADER_SIZE || !smm_msg_get_var_header(&r, &var) ||
        var.function != function) {
        return EFI_PROTOCOL_ERROR;
    }
    *reply = c->buffer + MM_HEADER_SIZE + SMM_VAR_HEADER_SIZE;
    *reply_len = (size_t)mm.message_length - SMM_VAR_HEADER_SIZE;
    return var.return_status;
}

efi_status_t var_client_get(var_client_t *c, const efi_guid_t *guid, const uint8_t *name,
                            size_t name_size, uint32_t *attributes, uint8_t *data,
                            size_t *data_size)
{
    wire_writer_t w;
    if (!begin(c, &w)) {
        return EFI_BAD_BUFFER_SIZE;
    }
    /* Room for the data in the request, as U-Boot sizes it (the reply never outgrows it),
     * bounded by the buffer. */
    size_t fixed = SMM_ACCESS_VARIABLE_NAME_OFFSET + name_size;
    size_t room = c->size - MM_HEADER_SIZE - SMM_VAR_HEADER_SIZE;
    if (fixed > room) {
        return EFI_BAD_BUFFER_SIZE;
    }
    size_t capacity = *data_size < room - fixed ? *data_size : room - fixed;
    smm_access_t a = {.guid = *guid, .data_size = capacity, .name_size = name_size, .name = name};
    smm_msg_put_access(&w, &a, NULL, 0, false);
    wire_put_zeros(&w, capacity);
    const uint8_t *reply;
    size_t reply_len;
    efi_status_t status = finish(c, &w, SMM_VAR_FN_GET_VARIABLE, &reply, &reply_len);
    if (status != EFI_SUCCESS && status != EFI_BUFFER_TOO_SMALL) {
        return status;
    }
    smm_access_t out;
    if (smm_msg_decode_access(reply, reply_len, &out) != EFI_SUCCESS) {
        return EFI_PROTOCOL_ERROR;
    }
    if (attributes != NULL) {
        *attributes = out.attributes;
    }
    if (status == EFI_SUCCESS) {
        if (out.data_size > out.data_available || out.data_size > capacity) {
            return EFI_PROTOCOL_ERROR;
        }
        memcpy(data, out.data, (size_t)out.data_size);
    }
    *data_size = (size_t)out.data_size;
    return status;
}

efi_status_t var_client_set(var_client_t *c, const efi_guid_t *guid, const uint8_t *name,
                            size_t name_size, uint32_t attributes, const uint8_t *data,
                            size_t data_size)
{
    wire_writer_t w;
    if (!begin(c, &w)) {
        return EFI_BAD_BUFFER_SIZE;
    }
    smm_access_t a = {.guid = *guid,
                      .data_size = data_size,
                      .name_size = name_size,
                      .attributes = attributes,
                      .name = name};
    smm_msg_put_access(&w, &a, data, data_size, false);
    const uint8_t *reply;
    size_t reply_len;
    return finish(c, &w, SMM_VAR_FN_SET_VARIABLE, &reply, &reply_len);
}

efi_status_t var_client_next(var_client_t *c, efi_guid_t *guid, uint8_t *name, size_t *name_size)
{
    wire_writer_t w;
    if (!begin(c, &w)) {
        return EFI_BAD_BUFFER_SIZE;
    }
    smm_msg_put_get_next(&w, guid, *name_size, name, *name_size);
    const uint8_t *reply;
    size_t reply_len;
    efi_status_t status = finish(c, &w, SMM_VAR_FN_GET_NEXT_VARIABLE_NAME, &reply, &reply_len);
    if (status != EFI_SUCCESS && status != EFI_BUFFER_TOO_SMALL) {
        return status;
    }
    smm_get_next_t g;
    if (smm_msg_decode_get_next(reply, reply_len, &g) != EFI_SUCCESS) {
        return EFI_PROTOCOL_ERROR;
    }
    if (status == EFI_SUCCESS) {
        if (g.name_size > *name_size || g.name_available != g.name_size) {
            return EFI_PROTOCOL_ERROR;
        }
        memcpy(name, g.name, (size_t)g.name_size);
        *guid = g.guid;
    }
    *name_size = (size_t)g.name_size;
    return status;
}

efi_status_t var_client_query(var_client_t *c, uint32_t attributes, smm_query_t *info)
{
    wire_writer_t w;
    if (!begin(c, &w)) {
        return EFI_BAD_BUFFER_SIZE;
    }
    smm_query_t q = {.attributes = attributes};
    smm_msg_put_query(&w, &q);
    const uint8_t *reply;
    size_t reply_len;
    efi_status_t status = finish(c, &w, SMM_VAR_FN_QUERY_VARIABLE_INFO, &reply, &reply_len);
    if (status == EFI_SUCCESS && smm_msg_decode_query(reply, reply_len, info) != EFI_SUCCESS) {
        return EFI_PROTOCOL_ERROR;
    }
    return status;
}

efi_status_t var_client_property_get(var_client_t *c, const efi_guid_t *guid, const uint8_t *name,
                                     size_t name_size, var_check_property_t *property)
{
    wire_writer_t w;
    if (!begin(c, &w)) {
        return EFI_BAD_BUFFER_SIZE;
    }
    smm_var_check_t v = {.guid = *guid, .name_size = name_size, .name = name};
    smm_msg_put_var_check(&w, &v);
    const uint8_t *reply;
    size_t reply_len;
    efi_status_t status = finish(c, &w, SMM_VAR_FN_VAR_CHECK_PROPERTY_GET, &reply, &reply_len);
    if (status == EFI_SUCCESS) {
        if (smm_msg_decode_var_check(reply, reply_len, &v) != EFI_SUCCESS) {
            return EFI_PROTOCOL_ERROR;
        }
        *property = v.property;
    }
    return status;
}

efi_status_t var_client_property_set(var_client_t *c, const efi_guid_t *guid, const uint8_t *name,
                                     size_t name_size, const var_check_property_t *property)
{
    wire_writer_t w;
    if (!begin(c, &w)) {
        return EFI_BAD_BUFFER_SIZE;
    }
    smm_var_check_t v = {
        .guid = *guid, .name_size = name_size, .property = *property, .name = name};
    smm_msg_put_var_check(&w, &v);
    const uint8_t *reply;
    size_t reply_len;
    return finish(c, &w, SMM_VAR_FN_VAR_CHECK_PROPERTY_SET, &reply, &reply_len);
}

efi_status_t var_client_payload_size(var_client_t *c, uint64_t *size)
{
    wire_writer_t w;
    if (!begin(c, &w)) {
        return EFI_BAD_BUFFER_SIZE;
    }
    smm_msg_put_payload_size(&w, 0);
    const uint8_t *reply;
    size_t reply_len;
    efi_status_t status = finish(c, &w, SMM_VAR_FN_GET_PAYLOAD_SIZE, &reply, &reply_len);
    if (status == EFI_SUCCESS &&
        smm_msg_decode_payload_size(reply, reply_len, size) != EFI_SUCCESS) {
        return EFI_PROTOCOL_ERROR;
    }
    return status;
}

efi_status_t var_client_signal(var_client_t *c, uint64_t function)
{
    wire_writer_t w;
    if (!begin(c, &w)) {
        return EFI_BAD_BUFFER_SIZE;
    }
    const uint8_t *reply;
    size_t reply_len;
    return finish(c, &w, function, &reply, &reply_len);
}

/* ---- text forms --------------------------------------------------------------------------- */

void var_guid_format(const efi_guid_t *g, char out[37])
{
    const uint8_t *b = g->b;
    snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", wire_load_u32(b),
             wire_load_u16(b + 4), wire_load_u16(b + 6), b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

bool var_guid_parse(const char *text, efi_guid_t *guid)
{
    /* 8-4-4-4-12 hex digits; the first three groups are little-endian integers. */
    static const int group_end[] = {8, 13, 18, 23, 36};
    uint8_t raw[16];
    size_t n = 0;
    if (strlen(text) != 36) {
        return false;
    }
    for (int i = 0, g = 0; i < 36; i++) {
        if (i == group_end[g]) {
            if (text[i] != '-') {
                return false;
            }
            g++;
            continue;
        }
        int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0 || i + 1 == group_end[g]) {
            return false;
        }
        raw[n++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    if (n != 16) {
        return false;
    }
    /* raw is big-endian text order; Data1..Data3 are stored little-endian. */
    uint8_t *b = guid->b;
    b[0] = raw[3];
    b[1] = raw[2];
    b[2] = raw[1];
    b[3] = raw[0];
    b[4] = raw[5];
    b[5] = raw[4];
    b[6] = raw[7];
    b[7] = raw[6];
    memcpy(b + 8, raw + 8, 8);
    return true;
}

bool var_name_from_utf8(const char *text, uint8_t *out, size_t out_size, size_t *name_size)
{
    size_t pos = 0;
    const unsigned char *s = (const unsigned char *)text;
    while (*s != 0) {
        uint32_t cp;
        if (s[0] < 0x80) {
            cp = s[0];
            s += 1;
        } else if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
            cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
            s += 2;
        } else if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
            cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
            s += 3;
        } else {
            return false; /* outside the BMP or malformed */
        }
        if (cp < 0x20 || (cp >= 0xd800 && cp <= 0xdfff) || pos + 4 > out_size) {
            return false;
        }
        wire_store_u16(out + pos, (uint16_t)cp);
        pos += 2;
    }
    if (pos + 2 > out_size) {
        return false;
    }
    wire_store_u16(out + pos, 0);
    *name_size = pos + 2;
    return true;
}

bool var_name_to_utf8(const uint8_t *name, size_t name_size, char *out, size_t out_size)
{
    size_t pos = 0;
    for (size_t i = 0; i + 2 <= name_size; i += 2) {
        uint16_t cp = wire_load_u16(name + i);
        if (cp == 0) {
            if (pos >= out_size) {
                return false;
            }
            out[pos] = '\0';
            return true;
        }
        if (cp >= 0xd800 && cp <= 0xdfff) {
            return false;
        }
        size_t need = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
        if (pos + need + 1 > out_size) {
            return false;
        }
        if (need == 1) {
            out[pos++] = (char)cp;
        } else if (need == 2) {
            out[pos++] = (char)(0xc0 | (cp >> 6));
            out[pos++] = (char)(0x80 | (cp & 0x3f));
        } else {
            out[pos++] = (char)(0xe0 | (cp >> 12));
            out[pos++] = (char)(0x80 | ((cp >> 6) & 0x3f));
            out[pos++] = (char)(0x80 | (cp & 0x3f));
        }
    }
    return false;
}
