/* Encodes and decodes the variable index stored in Protected Storage (layout in var_index.h). */
#include "uefi/var_index.h"

#include <string.h>

bool var_name_valid(const uint8_t *name, size_t name_size)
{
    if (name == NULL || name_size < 2 || (name_size & 1u) != 0) {
        return false;
    }
    for (size_t i = 0; i + 2 <= name_size; i += 2) {
        if (name[i] == 0 && name[i + 1] == 0) {
            return i + 2 == name_size;
        }
    }
    return false;
}

size_t var_index_record_size(const var_record_t *record)
{
    return VAR_INDEX_RECORD_FIXED_SIZE + record->name_size;
}

bool var_index_put_header(wire_writer_t *w, const var_index_header_t *header)
{
    wire_put_u32(w, VAR_INDEX_MAGIC);
    wire_put_u32(w, VAR_INDEX_VERSION);
    wire_put_u64(w, header->counter);
    wire_put_u64(w, header->uid_limit);
    return wire_put_u32(w, header->count);
}

bool var_index_put_record(wire_writer_t *w, const var_record_t *r)
{
    wire_put_bytes(w, r->guid.b, sizeof(r->guid.b));
    wire_put_u32(w, r->attributes);
    wire_put_u32(w, r->flags);
    wire_put_u64(w, r->uid);
    wire_put_u64(w, r->data_size);
    wire_put_bytes(w, r->timestamp, sizeof(r->timestamp));
    wire_put_bytes(w, r->fingerprint, sizeof(r->fingerprint));
    wire_put_u16(w, r->constraints.revision);
    wire_put_u16(w, r->constraints.property);
    wire_put_u32(w, r->constraints.attributes);
    wire_put_u64(w, r->constraints.min_size);
    wire_put_u64(w, r->constraints.max_size);
    wire_put_u32(w, (uint32_t)r->name_size);
    return wire_put_bytes(w, r->name, r->name_size);
}

static bool get_header(wire_reader_t *r, var_index_header_t *header)
{
    uint32_t magic = 0, version = 0;
    wire_get_u32(r, &magic);
    wire_get_u32(r, &version);
    wire_get_u64(r, &header->counter);
    wire_get_u64(r, &header->uid_limit);
    wire_get_u32(r, &header->count);
    return wire_reader_ok(r) && magic == VAR_INDEX_MAGIC && version == VAR_INDEX_VERSION;
}

psa_status_t var_index_decode_counter(const uint8_t *data, size_t length, uint64_t *counter)
{
    wire_reader_t r;
    var_index_header_t header;
    wire_reader_init(&r, data, length);
    if (!get_header(&r, &header)) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    *counter = header.counter;
    return PSA_SUCCESS;
}

static bool get_record(wire_reader_t *r, var_record_t *rec)
{
    uint32_t name_size = 0;
    wire_get_bytes(r, rec->guid.b, sizeof(rec->guid.b));
    wire_get_u32(r, &rec->attributes);
    wire_get_u32(r, &rec->flags);
    wire_get_u64(r, &rec->uid);
    wire_get_u64(r, &rec->data_size);
    wire_get_bytes(r, rec->timestamp, sizeof(rec->timestamp));
    wire_get_bytes(r, rec->fingerprint, sizeof(rec->fingerprint));
    wire_get_u16(r, &rec->constraints.revision);
    wire_get_u16(r, &rec->constraints.property);
    wire_get_u32(r, &rec->constraints.attributes);
    wire_get_u64(r, &rec->constraints.min_size);
    wire_get_u64(r, &rec->constraints.max_size);
    wire_get_u32(r, &name_size);
    rec->name_size = name_size;
    return wire_get_ref(r, rec->name_size, &rec->name);
}

/* A stored record must describe a variable the store itself could have written. */
static bool record_plausible(const var_record_t *rec, const var_index_limits_t *limits,
                             uint64_t uid_limit)
{
    const uint32_t access = EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS;
    if (!var_name_valid(rec->name, rec->name_size) || rec->name_size > limits->max_name_size) {
        return false;
    }
    if (rec->uid == 0 || rec->uid > uid_limit || rec->data_size > limits->max_data_size) {
        return false;
    }
    if ((rec->attributes & ~(uint32_t)(EFI_VARIABLE_NON_VOLATILE | access |
                                       EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS)) != 0 ||
        (rec->attributes & EFI_VARIABLE_NON_VOLATILE) == 0 || (rec->attributes & access) == 0) {
        return false;
    }
    if ((rec->flags & ~VAR_RECORD_FLAGS_MASK) != 0) {
        return false;
    }
    if ((rec->flags & VAR_RECORD_HAS_CONSTRAINTS) != 0 &&
        (rec->constraints.revision != VAR_CHECK_PROPERTY_REVISION ||
         rec->constraints.min_size > rec->constraints.max_size)) {
        return false;
    }
    return true;
}

psa_status_t var_index_decode(const uint8_t *data, size_t length, const var_index_limits_t *limits,
                              var_index_header_t *header,
                              psa_status_t (*on_record)(void *ctx, const var_record_t *record),
                              void *ctx)
{
    wire_reader_t r;
    wire_reader_init(&r, data, length);
    if (!get_header(&r, header) || header->count > limits->max_records ||
        header->uid_limit > limits->max_uid || header->uid_limit < header->count) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    /* Fixed-size records must fit before any is handed out. */
    if ((uint64_t)header->count * VAR_INDEX_RECORD_FIXED_SIZE > wire_remaining(&r)) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    for (uint32_t i = 0; i < header->count; i++) {
        var_record_t rec;
        memset(&rec, 0, sizeof(rec));
        if (!get_record(&r, &rec) || !record_plausible(&rec, limits, header->uid_limit)) {
            return PSA_ERROR_DATA_CORRUPT;
        }
        psa_status_t status = on_record(ctx, &rec);
        if (status != PSA_SUCCESS) {
            return status;
        }
    }
    return wire_reader_done(&r) ? PSA_SUCCESS : PSA_ERROR_DATA_CORRUPT;
}
