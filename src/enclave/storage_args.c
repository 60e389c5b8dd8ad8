/* Argument parsing shared by the ITS and PS services, through the bounds-checked wire reader. */
#include "enclave/storage_args.h"

#include "comms/wire.h"

bool storage_arg_uid(const psa_invec *in, size_t in_len, size_t index, psa_storage_uid_t *uid)
{
    if (index >= in_len || in[index].len != sizeof(uint64_t)) {
        return false;
    }
    wire_reader_t r;
    wire_reader_init(&r, in[index].base, in[index].len);
    uint64_t v = 0;
    if (!wire_get_u64(&r, &v)) {
        return false;
    }
    *uid = v;
    return true;
}

bool storage_arg_u32(const psa_invec *in, size_t in_len, size_t index, uint32_t *value)
{
    if (index >= in_len || in[index].len != sizeof(uint32_t)) {
        return false;
    }
    wire_reader_t r;
    wire_reader_init(&r, in[index].base, in[index].len);
    return wire_get_u32(&r, value);
}

bool storage_put_info(psa_outvec *out, size_t out_len, const struct psa_storage_info_t *info)
{
    if (out_len < 1 || out[0].len != 12) {
        return false;
    }
    wire_writer_t w;
    wire_writer_init(&w, out[0].base, out[0].len);
    /* Sizes are 32-bit on the wire (sheet §9); the engines never exceed that. */
    wire_put_u32(&w, (uint32_t)info->capacity);
    wire_put_u32(&w, (uint32_t)info->size);
    wire_put_u32(&w, info->flags);
    if (!wire_writer_ok(&w)) {
        return false;
    }
    out[0].len = wire_writer_length(&w);
    return true;
}
