/* The crypto call table and the codecs of the iovec header, key attributes and PAKE suites. */
#include "crypto_calls.h"

#include <string.h>

#include "comms/wire.h"

/* Encoders write at fixed offsets into blocks of a known size (wire_store_*); decoders read peer
 * bytes only through the bounds-checked wire reader. */
#define put_u16 wire_store_u16
#define put_u32 wire_store_u32
#define put_u64 wire_store_u64

/* ---- iovec header: offsets of tfm_crypto_pack_iovec (sheet section 3.3) ---------------------- */
enum {
    IOV_OFF_KEY_ID = 0,
    IOV_OFF_ALG = 4,
    IOV_OFF_OP_HANDLE = 8,
    IOV_OFF_AD_LENGTH = 12,
    IOV_OFF_PLAINTEXT_LENGTH = 16,
    IOV_OFF_NONCE = 20,
    IOV_OFF_NONCE_LENGTH = 36,
    IOV_OFF_FUNCTION_ID = 40,
    IOV_OFF_STEP = 42,
    IOV_OFF_PADDING = 44,
    IOV_OFF_VALUE = 48,
};

void crypto_iovec_encode(const crypto_iovec_t *iov, uint8_t out[CRYPTO_IOVEC_SIZE])
{
    put_u32(out + IOV_OFF_KEY_ID, iov->key_id);
    put_u32(out + IOV_OFF_ALG, iov->alg);
    put_u32(out + IOV_OFF_OP_HANDLE, iov->op_handle);
    put_u32(out + IOV_OFF_AD_LENGTH, iov->ad_length);
    put_u32(out + IOV_OFF_PLAINTEXT_LENGTH, iov->plaintext_length);
    memcpy(out + IOV_OFF_NONCE, iov->nonce, CRYPTO_IOVEC_NONCE_MAX);
    put_u32(out + IOV_OFF_NONCE_LENGTH, iov->nonce_length);
    put_u16(out + IOV_OFF_FUNCTION_ID, iov->function_id);
    put_u16(out + IOV_OFF_STEP, iov->step);
    put_u32(out + IOV_OFF_PADDING, 0);
    put_u64(out + IOV_OFF_VALUE, iov->value);
}

psa_status_t crypto_iovec_decode(const uint8_t *data, size_t length, crypto_iovec_t *iov)
{
    memset(iov, 0, sizeof(*iov));
    if (data == NULL || length != CRYPTO_IOVEC_SIZE) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    wire_reader_t r;
    wire_reader_init(&r, data, length);
    wire_get_u32(&r, &iov->key_id);
    wire_get_u32(&r, &iov->alg);
    wire_get_u32(&r, &iov->op_handle);
    wire_get_u32(&r, &iov->ad_length);
    wire_get_u32(&r, &iov->plaintext_length);
    wire_get_bytes(&r, iov->nonce, CRYPTO_IOVEC_NONCE_MAX);
    wire_get_u32(&r, &iov->nonce_length);
    wire_get_u16(&r, &iov->function_id);
    wire_get_u16(&r, &iov->step);
    wire_skip(&r, 4); /* padding before the 8-byte-aligned union */
    wire_get_u64(&r, &iov->value);
    return wire_reader_done(&r) ? PSA_SUCCESS : PSA_ERROR_PROGRAMMER_ERROR;
}

/* ---- key attributes ------------------------------------------------------------------------ */

void crypto_attributes_encode(const psa_key_attributes_t *attributes,
                              uint8_t out[CRYPTO_ATTRIBUTES_SIZE])
{
    size_t bits = psa_get_key_bits(attributes);
    put_u16(out + 0, psa_get_key_type(attributes));
    bool large = bits > 0xffffu;
    put_u16(out + 2, large ? CRYPTO_ATTRIBUTES_BITS_TOO_LARGE : (uint16_t)bits);
    put_u32(out + 4, psa_get_key_lifetime(attributes));
    put_u32(out + 8, psa_get_key_usage_flags(attributes));
    put_u32(out + 12, psa_get_key_algorithm(attributes));
    put_u32(out + 16, large ? (bits > UINT32_MAX ? UINT32_MAX : (uint32_t)bits) : 0);
    put_u32(out + 20, psa_get_key_id(attributes));
}

psa_status_t crypto_attributes_decode(const uint8_t *data, size_t length,
                                      psa_key_attributes_t *attributes)
{
    memset(attributes, 0, sizeof(*attributes));
    if (data == NULL || length != CRYPTO_ATTRIBUTES_SIZE) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    wire_reader_t r;
    wire_reader_init(&r, data, length);
    uint16_t type = 0, bits = 0;
    uint32_t alg2 = 0;
    /* Fields are stored directly: the setters would tie id and lifetime together, and the
     * receiver must see exactly what the sender's attributes object held. */
    wire_get_u16(&r, &type);
    wire_get_u16(&r, &bits);
    wire_get_u32(&r, &attributes->lifetime);
    wire_get_u32(&r, &attributes->usage);
    wire_get_u32(&r, &attributes->alg);
    wire_get_u32(&r, &alg2);
    wire_get_u32(&r, &attributes->id);
    attributes->type = type;
    attributes->bits = bits == CRYPTO_ATTRIBUTES_BITS_TOO_LARGE && alg2 > 0xffffu ? alg2 : bits;
    return wire_reader_done(&r) ? PSA_SUCCESS : PSA_ERROR_PROGRAMMER_ERROR;
}

void crypto_pake_suite_encode(const psa_pake_cipher_suite_t *suite,
                              uint8_t out[CRYPTO_PAKE_SUITE_SIZE])
{
    put_u32(out + 0, psa_pake_cs_get_algorithm(suite));
    put_u32(out + 4, psa_pake_cs_get_primitive(suite));
    put_u32(out + 8, psa_pake_cs_get_key_confirmation(suite));
}

psa_status_t crypto_pake_suite_decode(const uint8_t *data, size_t length,
                                      psa_pake_cipher_suite_t *suite)
{
    memset(suite, 0, sizeof(*suite));
    if (data == NULL || length != CRYPTO_PAKE_SUITE_SIZE) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    wire_reader_t r;
    wire_reader_init(&r, data, length);
    uint32_t alg = 0, primitive = 0, confirmation = 0;
    wire_get_u32(&r, &alg);
    wire_get_u32(&r, &primitive);
    wire_get_u32(&r, &confirmation);
    psa_pake_cs_set_algorithm(suite, alg);
    psa_pake_cs_set_primitive(suite, primitive);
    psa_pake_cs_set_key_confirmation(suite, confirmation);
    return wire_reader_done(&r) ? PSA_SUCCESS : PSA_ERROR_PROGRAMMER_ERROR;
}

/* ---- the table ------------------------------------------------------------------------------ */

#define K   CRYPTO_IOV_KEY_ID
#define A   CRYPTO_IOV_ALG
#define H   CRYPTO_IOV_OP_HANDLE
#define L   CRYPTO_IOV_LENGTHS
#define N   CRYPTO_IOV_NONCE
#define S   CRYPTO_IOV_STEP
#define V   CRYPTO_IOV_VALUE
#define BYT CRYPTO_VEC_BYTES
#define ATT CRYPTO_VEC_ATTRIBUTES
#define KID CRYPTO_VEC_KEY_ID
#define HDL CRYPTO_VEC_HANDLE
#define SIZ CRYPTO_VEC_SIZE
#define SUI CRYPTO_VEC_PAKE_SUITE

/* ROW(name, header fields, number of in vectors, number of out vectors, {ins}, {outs}) */
#define ROW(id, fields, nin, nout, ins, outs)                                                      \
    {                                                                                              \
        .function_id = CRYPTO_FID_##id, .name = #id, .iov_fields = (fields), .in_count = (nin),    \
        .out_count = (nout), .in = ins, .out = outs                                                \
    }
/* A row whose bulk data may be read and written in place: see CRYPTO_CALL_BULK_IN_PLACE. */
#define BULK(id, fields, nin, nout, ins, outs)                                                     \
    {                                                                                              \
        .function_id = CRYPTO_FID_##id, .name = #id, .flags = CRYPTO_CALL_BULK_IN_PLACE,           \
        .iov_fields = (fields), .in_count = (nin), .out_count = (nout), .in = ins, .out = outs     \
    }
#define V0                                                                                         \
    {                                                                                              \
        0                                                                                          \
    }
#define V1(a)                                                                                      \
    {                                                                                              \
        a                                                                                          \
    }
#define V2(a, b)                                                                                   \
    {                                                                                              \
        a, b                                                                                       \
    }
#define V3(a, b, c)                                                                                \
    {                                                                                              \
        a, b, c                                                                                    \
    }

/* Sorted by function id (crypto_call_find relies on it). Layouts follow sheet section 3.5. */
const crypto_call_desc_t crypto_call_table[] = {
    ROW(GENERATE_RANDOM, 0, 0, 1, V0, V1(BYT)),
    ROW(GET_KEY_ATTRIBUTES, K, 0, 1, V0, V1(ATT)),
    ROW(IMPORT_KEY, 0, 2, 1, V2(ATT, BYT), V1(KID)),
    ROW(DESTROY_KEY, K, 0, 0, V0, V0),
    ROW(EXPORT_KEY, K, 0, 1, V0, V1(BYT)),
    ROW(EXPORT_PUBLIC_KEY, K, 0, 1, V0, V1(BYT)),
    ROW(PURGE_KEY, K, 0, 0, V0, V0),
    ROW(COPY_KEY, K, 1, 1, V1(ATT), V1(KID)),
    ROW(GENERATE_KEY, 0, 1, 1, V1(ATT), V1(KID)),
    ROW(LIST_KEYS, K, 0, 1, V0, V1(BYT)),

    BULK(HASH_COMPUTE, A, 1, 1, V1(BYT), V1(BYT)),
    ROW(HASH_COMPARE, A, 2, 0, V2(BYT, BYT), V0),
    ROW(HASH_SETUP, A | H, 0, 1, V0, V1(HDL)),
    BULK(HASH_UPDATE, H, 1, 0, V1(BYT), V0),
    ROW(HASH_CLONE, H, 1, 1, V1(HDL), V1(HDL)),
    ROW(HASH_FINISH, H, 0, 2, V0, V2(HDL, BYT)),
    ROW(HASH_VERIFY, H, 1, 1, V1(BYT), V1(HDL)),
    ROW(HASH_ABORT, H, 0, 1, V0, V1(HDL)),
    ROW(HASH_SUSPEND, H, 0, 2, V0, V2(HDL, BYT)),
    ROW(HASH_RESUME, H, 1, 1, V1(BYT), V1(HDL)),

    BULK(MAC_COMPUTE, K | A, 1, 1, V1(BYT), V1(BYT)),
    ROW(MAC_VERIFY, K | A, 2, 0, V2(BYT, BYT), V0),
    ROW(MAC_SIGN_SETUP, K | A | H, 0, 1, V0, V1(HDL)),
    ROW(MAC_VERIFY_SETUP, K | A | H, 0, 1, V0, V1(HDL)),
    BULK(MAC_UPDATE, H, 1, 0, V1(BYT), V0),
    ROW(MAC_SIGN_FINISH, H, 0, 2, V0, V2(HDL, BYT)),
    ROW(MAC_VERIFY_FINISH, H, 1, 1, V1(BYT), V1(HDL)),
    ROW(MAC_ABORT, H, 0, 1, V0, V1(HDL)),

    BULK(CIPHER_ENCRYPT, K | A, 1, 1, V1(BYT), V1(BYT)),
    ROW(CIPHER_DECRYPT, K | A, 1, 1, V1(BYT), V1(BYT)),
    ROW(CIPHER_ENCRYPT_SETUP, K | A | H, 0, 1, V0, V1(HDL)),
    ROW(CIPHER_DECRYPT_SETUP, K | A | H, 0, 1, V0, V1(HDL)),
    ROW(CIPHER_GENERATE_IV, H, 0, 1, V0, V1(BYT)),
    ROW(CIPHER_SET_IV, H, 1, 0, V1(BYT), V0),
    BULK(CIPHER_UPDATE, H, 1, 1, V1(BYT), V1(BYT)),
    ROW(CIPHER_FINISH, H, 0, 2, V0, V2(HDL, BYT)),
    ROW(CIPHER_ABORT, H, 0, 1, V0, V1(HDL)),

    BULK(AEAD_ENCRYPT, K | A | N, 2, 1, V2(BYT, BYT), V1(BYT)),
    ROW(AEAD_DECRYPT, K | A | N, 2, 1, V2(BYT, BYT), V1(BYT)),
    ROW(AEAD_ENCRYPT_SETUP, K | A | H, 0, 1, V0, V1(HDL)),
    ROW(AEAD_DECRYPT_SETUP, K | A | H, 0, 1, V0, V1(HDL)),
    ROW(AEAD_GENERATE_NONCE, H, 0, 1, V0, V1(BYT)),
    ROW(AEAD_SET_NONCE, H, 1, 0, V1(BYT), V0),
    ROW(AEAD_SET_LENGTHS, H | L, 0, 0, V0, V0),
    BULK(AEAD_UPDATE_AD, H, 1, 0, V1(BYT), V0),
    BULK(AEAD_UPDATE, H, 1, 1, V1(BYT), V1(BYT)),
    ROW(AEAD_FINISH, H, 0, 3, V0, V3(HDL, BYT, BYT)),
    ROW(AEAD_VERIFY, H, 1, 2, V1(BYT), V2(HDL, BYT)),
    ROW(AEAD_ABORT, H, 0, 1, V0, V1(HDL)),

    ROW(SIGN_MESSAGE, K | A, 1, 1, V1(BYT), V1(BYT)),
    ROW(VERIFY_MESSAGE, K | A, 2, 0, V2(BYT, BYT), V0),
    ROW(SIGN_HASH, K | A, 1, 1, V1(BYT), V1(BYT)),
    ROW(VERIFY_HASH, K | A, 2, 0, V2(BYT, BYT), V0),

    ROW(ASYMMETRIC_ENCRYPT, K | A, 2, 1, V2(BYT, BYT), V1(BYT)),
    ROW(ASYMMETRIC_DECRYPT, K | A, 2, 1, V2(BYT, BYT), V1(BYT)),

    ROW(RAW_KEY_AGREEMENT, K | A, 1, 1, V1(BYT), V1(BYT)),
    ROW(KEY_DERIVATION_SETUP, A | H, 0, 1, V0, V1(HDL)),
    ROW(KEY_DERIVATION_GET_CAPACITY, H, 0, 1, V0, V1(SIZ)),
    ROW(KEY_DERIVATION_SET_CAPACITY, H | V, 0, 0, V0, V0),
    ROW(KEY_DERIVATION_INPUT_BYTES, H | S, 1, 0, V1(BYT), V0),
    ROW(KEY_DERIVATION_INPUT_KEY, H | S | K, 0, 0, V0, V0),
    ROW(KEY_DERIVATION_INPUT_INTEGER, H | S | V, 0, 0, V0, V0),
    ROW(KEY_DERIVATION_KEY_AGREEMENT, H | S | K, 1, 0, V1(BYT), V0),
    ROW(KEY_DERIVATION_OUTPUT_BYTES, H, 0, 1, V0, V1(BYT)),
    ROW(KEY_DERIVATION_OUTPUT_KEY, H, 1, 1, V1(ATT), V1(KID)),
    ROW(KEY_DERIVATION_ABORT, H, 0, 1, V0, V1(HDL)),
    ROW(KEY_DERIVATION_VERIFY_BYTES, H, 1, 0, V1(BYT), V0),
    ROW(KEY_DERIVATION_VERIFY_KEY, H | K, 0, 0, V0, V0),
    ROW(KEY_AGREEMENT, K | A, 2, 1, V2(ATT, BYT), V1(KID)),

    ROW(PAKE_SETUP, K | H, 1, 1, V1(SUI), V1(HDL)),
    ROW(PAKE_SET_ROLE, H | V, 0, 0, V0, V0),
    ROW(PAKE_SET_USER, H, 1, 0, V1(BYT), V0),
    ROW(PAKE_SET_PEER, H, 1, 0, V1(BYT), V0),
    ROW(PAKE_SET_CONTEXT, H, 1, 0, V1(BYT), V0),
    ROW(PAKE_OUTPUT, H | S, 0, 1, V0, V1(BYT)),
    ROW(PAKE_INPUT, H | S, 1, 0, V1(BYT), V0),
    ROW(PAKE_GET_SHARED_KEY, H, 1, 1, V1(ATT), V1(KID)),
    ROW(PAKE_ABORT, H, 0, 1, V0, V1(HDL)),
};

const size_t crypto_call_table_size = sizeof(crypto_call_table) / sizeof(crypto_call_table[0]);

const crypto_call_desc_t *crypto_call_find(uint16_t function_id)
{
    size_t lo = 0;
    size_t hi = crypto_call_table_size;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint16_t id = crypto_call_table[mid].function_id;
        if (id == function_id) {
            return &crypto_call_table[mid];
        }
        if (id < function_id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

void crypto_call_vec_policy(const uint8_t *header, size_t header_len, crypto_vec_policy_t *policy)
{
    *policy = (crypto_vec_policy_t){0};
    crypto_iovec_t iov;
    if (crypto_iovec_decode(header, header_len, &iov) != PSA_SUCCESS) {
        return;
    }
    const crypto_call_desc_t *desc = crypto_call_find(iov.function_id);
    if (desc == NULL) {
        return;
    }
    bool bulk = (desc->flags & CRYPTO_CALL_BULK_IN_PLACE) != 0;
    for (size_t i = 0; i < desc->in_count; i++) {
        if (bulk && desc->in[i] == CRYPTO_VEC_BYTES) {
            policy->in_place_in |= (uint8_t)(1u << (i + 1)); /* in_vec[0] is the header */
        }
    }
    for (size_t i = 0; i < desc->out_count; i++) {
        if (bulk && desc->out[i] == CRYPTO_VEC_BYTES) {
            policy->in_place_out |= (uint8_t)(1u << i);
        }
    }
}

/* The exact size a fixed-size vector must have; 0 for variable-size kinds. */
static size_t vec_fixed_size(uint8_t kind)
{
    switch (kind) {
    case CRYPTO_VEC_ATTRIBUTES:
        return CRYPTO_ATTRIBUTES_SIZE;
    case CRYPTO_VEC_KEY_ID:
    case CRYPTO_VEC_HANDLE:
        return 4;
    case CRYPTO_VEC_PAKE_SUITE:
        return CRYPTO_PAKE_SUITE_SIZE;
    default:
        return 0;
    }
}

static bool vec_size_ok(uint8_t kind, size_t len)
{
    if (kind == CRYPTO_VEC_SIZE) {
        return len == 4 || len == 8;
    }
    size_t fixed = vec_fixed_size(kind);
    return fixed == 0 || len == fixed;
}

psa_status_t crypto_call_unmarshal(const psa_invec *in, size_t in_len, psa_outvec *out,
                                   size_t out_len, crypto_call_args_t *args)
{
    memset(args, 0, sizeof(*args));
    if (in_len > PSA_MAX_IOVEC || out_len > PSA_MAX_IOVEC || in_len + out_len > PSA_MAX_IOVEC) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    /* TF-M trims trailing empty vectors first, so an empty last buffer counts as absent. */
    while (in_len > 0 && in[in_len - 1].len == 0) {
        in_len--;
    }
    while (out_len > 0 && out[out_len - 1].len == 0) {
        out_len--;
    }
    if (in_len < 1) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    psa_status_t status = crypto_iovec_decode(in[0].base, in[0].len, &args->iov);
    if (status != PSA_SUCCESS) {
        return status;
    }
    const crypto_call_desc_t *desc = crypto_call_find(args->iov.function_id);
    if (desc == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (in_len - 1 > desc->in_count || out_len > desc->out_count) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    for (size_t i = 0; i < desc->in_count; i++) {
        if (i + 1 < in_len) {
            args->in[i] = in[i + 1].base;
            args->in_len[i] = in[i + 1].len;
        }
        if (!vec_size_ok(desc->in[i], args->in_len[i])) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
    }
    for (size_t i = 0; i < desc->out_count; i++) {
        if (i < out_len) {
            args->out[i] = out[i].base;
            args->out_size[i] = out[i].len;
        }
        if (!vec_size_ok(desc->out[i], args->out_size[i])) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
    }
    args->desc = desc;
    return PSA_SUCCESS;
}

psa_status_t crypto_call_marshal(const crypto_iovec_t *iov, const void *const *in,
                                 const size_t *in_len, void *const *out, const size_t *out_size,
                                 uint8_t header[CRYPTO_IOVEC_SIZE], psa_invec *in_vec,
                                 size_t *in_vec_len, psa_outvec *out_vec, size_t *out_vec_len)
{
    const crypto_call_desc_t *desc = crypto_call_find(iov->function_id);
    if (desc == NULL) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    crypto_iovec_t sent = {.function_id = iov->function_id};
    if (desc->iov_fields & CRYPTO_IOV_KEY_ID) {
        sent.key_id = iov->key_id;
    }
    if (desc->iov_fields & CRYPTO_IOV_ALG) {
        sent.alg = iov->alg;
    }
    if (desc->iov_fields & CRYPTO_IOV_OP_HANDLE) {
        sent.op_handle = iov->op_handle;
    }
    if (desc->iov_fields & CRYPTO_IOV_LENGTHS) {
        sent.ad_length = iov->ad_length;
        sent.plaintext_length = iov->plaintext_length;
    }
    if (desc->iov_fields & CRYPTO_IOV_NONCE) {
        memcpy(sent.nonce, iov->nonce, sizeof(sent.nonce));
        sent.nonce_length = iov->nonce_length;
    }
    if (desc->iov_fields & CRYPTO_IOV_STEP) {
        sent.step = iov->step;
    }
    if (desc->iov_fields & CRYPTO_IOV_VALUE) {
        sent.value = iov->value;
    }
    crypto_iovec_encode(&sent, header);

    size_t n_in = 1;
    in_vec[0].base = header;
    in_vec[0].len = CRYPTO_IOVEC_SIZE;
    for (size_t i = 0; i < desc->in_count; i++) {
        size_t len = in_len != NULL ? in_len[i] : 0;
        if (!vec_size_ok(desc->in[i], len)) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        in_vec[n_in].base = len != 0 ? in[i] : NULL;
        in_vec[n_in].len = len;
        n_in++;
    }
    size_t n_out = 0;
    for (size_t i = 0; i < desc->out_count; i++) {
        size_t len = out_size != NULL ? out_size[i] : 0;
        if (!vec_size_ok(desc->out[i], len)) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        out_vec[n_out].base = len != 0 ? out[i] : NULL;
        out_vec[n_out].len = len;
        n_out++;
    }
    while (n_in > 1 && in_vec[n_in - 1].len == 0) {
        n_in--;
    }
    while (n_out > 0 && out_vec[n_out - 1].len == 0) {
        n_out--;
    }
    *in_vec_len = n_in;
    *out_vec_len = n_out;
    return PSA_SUCCESS;
}
