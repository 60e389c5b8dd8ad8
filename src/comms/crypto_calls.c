/* The crypto call table and the codecs of the iovec header, key attributes and PAKE suites. */
#include "crypto_calls.h"

#include <string.h>

#include "base/wire.h"

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

#define K CRYPTO_IOV_KEY_ID
#define A CRYPTO_IOV_ALG
#define H CRYPTO_IOV_OP_HANDLE
#define L CRYPTO_IOV_LENGTHS
#define N CRYPTO_IOV_NONCE
#define S CRYPTO_IOV_STEP
#define V CRYPTO_IOV_VALUE

/* Vector roles, by the PSA parameter each carries. */
#define I_INPUT  CRYPTO_IN_INPUT
#define I_AD     CRYPTO_IN_AD
#define I_NONCE  CRYPTO_IN_NONCE
#define I_CHECK  CRYPTO_IN_CHECK
#define I_SALT   CRYPTO_IN_SALT
#define I_PEER   CRYPTO_IN_PEER_KEY
#define I_ATTRS  CRYPTO_IN_ATTRIBUTES
#define I_TARGET CRYPTO_IN_TARGET
#define I_SUITE  CRYPTO_IN_SUITE
#define O_OUTPUT CRYPTO_OUT_OUTPUT
#define O_TAG    CRYPTO_OUT_TAG
#define O_HANDLE CRYPTO_OUT_HANDLE
#define O_KEY    CRYPTO_OUT_KEY
#define O_ATTRS  CRYPTO_OUT_ATTRIBUTES
#define O_CAP    CRYPTO_OUT_CAPACITY

#define SETUP  CRYPTO_CALL_SETUP
#define ABORT  CRYPTO_CALL_ABORT
#define BULK   CRYPTO_CALL_BULK_IN_PLACE
#define STREAM (CRYPTO_CALL_BULK_IN_PLACE | CRYPTO_CALL_STREAMS)

#define COUNT(...) (sizeof((uint8_t[]){__VA_ARGS__}) / sizeof(uint8_t))
/* ROW(name, row flags, header fields, IN(roles of in_vec[1..]), OUT(roles of out_vec[0..])) */
#define IN(...)  .in_count = COUNT(__VA_ARGS__), .in_role = {__VA_ARGS__}
#define OUT(...) .out_count = COUNT(__VA_ARGS__), .out_role = {__VA_ARGS__}
#define NONE     0
#define ROW(id, f, fields, ins, outs)                                                              \
    {.function_id = CRYPTO_FID_##id, .name = #id, .flags = (f), .iov_fields = (fields), ins, outs},

/* Sorted by function id. Layouts follow sheet section 3.5. */
#define CRYPTO_CALL_ROWS(X)                                                                        \
    X(GENERATE_RANDOM, 0, 0, IN(), OUT(O_OUTPUT))                                                  \
    X(GET_KEY_ATTRIBUTES, 0, K, IN(), OUT(O_ATTRS))                                                \
    X(IMPORT_KEY, 0, 0, IN(I_ATTRS, I_INPUT), OUT(O_KEY))                                          \
    X(DESTROY_KEY, 0, K, IN(), OUT())                                                              \
    X(EXPORT_KEY, 0, K, IN(), OUT(O_OUTPUT))                                                       \
    X(EXPORT_PUBLIC_KEY, 0, K, IN(), OUT(O_OUTPUT))                                                \
    X(PURGE_KEY, 0, K, IN(), OUT())                                                                \
    X(COPY_KEY, 0, K, IN(I_ATTRS), OUT(O_KEY))                                                     \
    X(GENERATE_KEY, 0, 0, IN(I_ATTRS), OUT(O_KEY))                                                 \
    X(LIST_KEYS, 0, K, IN(), OUT(O_OUTPUT))                                                        \
    X(HASH_COMPUTE, STREAM, A, IN(I_INPUT), OUT(O_OUTPUT))                                         \
    X(HASH_COMPARE, 0, A, IN(I_INPUT, I_CHECK), OUT())                                             \
    X(HASH_SETUP, SETUP, A | H, IN(), OUT(O_HANDLE))                                               \
    X(HASH_UPDATE, BULK, H, IN(I_INPUT), OUT())                                                    \
    X(HASH_CLONE, 0, H, IN(I_TARGET), OUT(O_HANDLE))                                               \
    X(HASH_FINISH, 0, H, IN(), OUT(O_HANDLE, O_OUTPUT))                                            \
    X(HASH_VERIFY, 0, H, IN(I_CHECK), OUT(O_HANDLE))                                               \
    X(HASH_ABORT, ABORT, H, IN(), OUT(O_HANDLE))                                                   \
    X(HASH_SUSPEND, 0, H, IN(), OUT(O_HANDLE, O_OUTPUT))                                           \
    X(HASH_RESUME, SETUP, H, IN(I_INPUT), OUT(O_HANDLE))                                           \
    X(MAC_COMPUTE, STREAM, K | A, IN(I_INPUT), OUT(O_OUTPUT))                                      \
    X(MAC_VERIFY, 0, K | A, IN(I_INPUT, I_CHECK), OUT())                                           \
    X(MAC_SIGN_SETUP, SETUP, K | A | H, IN(), OUT(O_HANDLE))                                       \
    X(MAC_VERIFY_SETUP, SETUP, K | A | H, IN(), OUT(O_HANDLE))                                     \
    X(MAC_UPDATE, BULK, H, IN(I_INPUT), OUT())                                                     \
    X(MAC_SIGN_FINISH, 0, H, IN(), OUT(O_HANDLE, O_OUTPUT))                                        \
    X(MAC_VERIFY_FINISH, 0, H, IN(I_CHECK), OUT(O_HANDLE))                                         \
    X(MAC_ABORT, ABORT, H, IN(), OUT(O_HANDLE))                                                    \
    X(CIPHER_ENCRYPT, STREAM, K | A, IN(I_INPUT), OUT(O_OUTPUT))                                   \
    X(CIPHER_DECRYPT, 0, K | A, IN(I_INPUT), OUT(O_OUTPUT))                                        \
    X(CIPHER_ENCRYPT_SETUP, SETUP, K | A | H, IN(), OUT(O_HANDLE))                                 \
    X(CIPHER_DECRYPT_SETUP, SETUP, K | A | H, IN(), OUT(O_HANDLE))                                 \
    X(CIPHER_GENERATE_IV, 0, H, IN(), OUT(O_OUTPUT))                                               \
    X(CIPHER_SET_IV, 0, H, IN(I_NONCE), OUT())                                                     \
    X(CIPHER_UPDATE, BULK, H, IN(I_INPUT), OUT(O_OUTPUT))                                          \
    X(CIPHER_FINISH, 0, H, IN(), OUT(O_HANDLE, O_OUTPUT))                                          \
    X(CIPHER_ABORT, ABORT, H, IN(), OUT(O_HANDLE))                                                 \
    /* The one-shot AEAD calls carry the nonce in the header (N). */                               \
    X(AEAD_ENCRYPT, STREAM, K | A | N, IN(I_INPUT, I_AD), OUT(O_OUTPUT))                           \
    X(AEAD_DECRYPT, 0, K | A | N, IN(I_INPUT, I_AD), OUT(O_OUTPUT))                                \
    X(AEAD_ENCRYPT_SETUP, SETUP, K | A | H, IN(), OUT(O_HANDLE))                                   \
    X(AEAD_DECRYPT_SETUP, SETUP, K | A | H, IN(), OUT(O_HANDLE))                                   \
    X(AEAD_GENERATE_NONCE, 0, H, IN(), OUT(O_OUTPUT))                                              \
    X(AEAD_SET_NONCE, 0, H, IN(I_NONCE), OUT())                                                    \
    X(AEAD_SET_LENGTHS, 0, H | L, IN(), OUT())                                                     \
    X(AEAD_UPDATE_AD, BULK, H, IN(I_AD), OUT())                                                    \
    X(AEAD_UPDATE, BULK, H, IN(I_INPUT), OUT(O_OUTPUT))                                            \
    /* TF-M's finish answers the tag before the ciphertext. */                                     \
    X(AEAD_FINISH, 0, H, IN(), OUT(O_HANDLE, O_TAG, O_OUTPUT))                                     \
    X(AEAD_VERIFY, 0, H, IN(I_CHECK), OUT(O_HANDLE, O_OUTPUT))                                     \
    X(AEAD_ABORT, ABORT, H, IN(), OUT(O_HANDLE))                                                   \
    X(SIGN_MESSAGE, 0, K | A, IN(I_INPUT), OUT(O_OUTPUT))                                          \
    X(VERIFY_MESSAGE, 0, K | A, IN(I_INPUT, I_CHECK), OUT())                                       \
    X(SIGN_HASH, 0, K | A, IN(I_INPUT), OUT(O_OUTPUT))                                             \
    X(VERIFY_HASH, 0, K | A, IN(I_INPUT, I_CHECK), OUT())                                          \
    X(ASYMMETRIC_ENCRYPT, 0, K | A, IN(I_INPUT, I_SALT), OUT(O_OUTPUT))                            \
    X(ASYMMETRIC_DECRYPT, 0, K | A, IN(I_INPUT, I_SALT), OUT(O_OUTPUT))                            \
    X(RAW_KEY_AGREEMENT, 0, K | A, IN(I_PEER), OUT(O_OUTPUT))                                      \
    X(KEY_DERIVATION_SETUP, SETUP, A | H, IN(), OUT(O_HANDLE))                                     \
    X(KEY_DERIVATION_GET_CAPACITY, 0, H, IN(), OUT(O_CAP))                                         \
    X(KEY_DERIVATION_SET_CAPACITY, 0, H | V, IN(), OUT())                                          \
    X(KEY_DERIVATION_INPUT_BYTES, 0, H | S, IN(I_INPUT), OUT())                                    \
    X(KEY_DERIVATION_INPUT_KEY, 0, H | S | K, IN(), OUT())                                         \
    X(KEY_DERIVATION_INPUT_INTEGER, 0, H | S | V, IN(), OUT())                                     \
    X(KEY_DERIVATION_KEY_AGREEMENT, 0, H | S | K, IN(I_PEER), OUT())                               \
    X(KEY_DERIVATION_OUTPUT_BYTES, 0, H, IN(), OUT(O_OUTPUT))                                      \
    X(KEY_DERIVATION_OUTPUT_KEY, 0, H, IN(I_ATTRS), OUT(O_KEY))                                    \
    X(KEY_DERIVATION_ABORT, ABORT, H, IN(), OUT(O_HANDLE))                                         \
    X(KEY_DERIVATION_VERIFY_BYTES, 0, H, IN(I_CHECK), OUT())                                       \
    X(KEY_DERIVATION_VERIFY_KEY, 0, H | K, IN(), OUT())                                            \
    X(KEY_AGREEMENT, 0, K | A, IN(I_ATTRS, I_PEER), OUT(O_KEY))                                    \
    X(PAKE_SETUP, SETUP, K | H, IN(I_SUITE), OUT(O_HANDLE))                                        \
    X(PAKE_SET_ROLE, 0, H | V, IN(), OUT())                                                        \
    X(PAKE_SET_USER, 0, H, IN(I_INPUT), OUT())                                                     \
    X(PAKE_SET_PEER, 0, H, IN(I_INPUT), OUT())                                                     \
    X(PAKE_SET_CONTEXT, 0, H, IN(I_INPUT), OUT())                                                  \
    X(PAKE_OUTPUT, 0, H | S, IN(), OUT(O_OUTPUT))                                                  \
    X(PAKE_INPUT, 0, H | S, IN(I_INPUT), OUT())                                                    \
    X(PAKE_GET_SHARED_KEY, 0, H, IN(I_ATTRS), OUT(O_KEY))                                          \
    X(PAKE_ABORT, ABORT, H, IN(), OUT(O_HANDLE))

const crypto_call_desc_t crypto_call_table[] = {CRYPTO_CALL_ROWS(ROW)};

const size_t crypto_call_table_size = sizeof(crypto_call_table) / sizeof(crypto_call_table[0]);

/* A row's position, and the position (plus one) of every function id's row: found in O(1). */
#define ROW_NUMBER(id, ...) ROW_NUMBER_##id,
enum { CRYPTO_CALL_ROWS(ROW_NUMBER) };
#define ROW_AT(id, ...) [CRYPTO_FID_##id >> 8][CRYPTO_FID_##id & 0xffu] = ROW_NUMBER_##id + 1,
const uint8_t crypto_call_row_at[CRYPTO_CALL_GROUPS][CRYPTO_CALL_INDICES] = {
    CRYPTO_CALL_ROWS(ROW_AT)};

crypto_vec_kind_t crypto_in_kind(uint8_t in_role)
{
    switch (in_role) {
    case CRYPTO_IN_NONE:
        return CRYPTO_VEC_NONE;
    case CRYPTO_IN_ATTRIBUTES:
        return CRYPTO_VEC_ATTRIBUTES;
    case CRYPTO_IN_TARGET:
        return CRYPTO_VEC_HANDLE;
    case CRYPTO_IN_SUITE:
        return CRYPTO_VEC_PAKE_SUITE;
    default:
        return CRYPTO_VEC_BYTES;
    }
}

crypto_vec_kind_t crypto_out_kind(uint8_t out_role)
{
    switch (out_role) {
    case CRYPTO_OUT_NONE:
        return CRYPTO_VEC_NONE;
    case CRYPTO_OUT_HANDLE:
        return CRYPTO_VEC_HANDLE;
    case CRYPTO_OUT_KEY:
        return CRYPTO_VEC_KEY_ID;
    case CRYPTO_OUT_ATTRIBUTES:
        return CRYPTO_VEC_ATTRIBUTES;
    case CRYPTO_OUT_CAPACITY:
        return CRYPTO_VEC_SIZE;
    default:
        return CRYPTO_VEC_BYTES;
    }
}

void crypto_call_vec_policy(const uint8_t *header, size_t header_len, crypto_vec_policy_t *policy)
{
    *policy = (crypto_vec_policy_t){0};
    crypto_iovec_t iov;
    if (crypto_iovec_decode(header, header_len, &iov) != PSA_SUCCESS) {
        return;
    }
    const crypto_call_desc_t *desc = crypto_call_find(iov.function_id);
    if (desc == NULL || !(desc->flags & CRYPTO_CALL_BULK_IN_PLACE)) {
        return;
    }
    for (size_t i = 0; i < desc->in_count; i++) {
        if (crypto_in_kind(desc->in_role[i]) == CRYPTO_VEC_BYTES) {
            policy->in_place_in |= (uint8_t)(1u << (i + 1)); /* in_vec[0] is the header */
        }
        if ((desc->flags & CRYPTO_CALL_STREAMS) && desc->in_role[i] == CRYPTO_IN_INPUT) {
            policy->streams_in |= (uint8_t)(1u << (i + 1));
        }
    }
    for (size_t i = 0; i < desc->out_count; i++) {
        if (crypto_out_kind(desc->out_role[i]) == CRYPTO_VEC_BYTES) {
            policy->in_place_out |= (uint8_t)(1u << i);
        }
    }
}

/* Whether a vector of `kind` may have length `len`. */
static bool vec_size_ok(crypto_vec_kind_t kind, size_t len)
{
    switch (kind) {
    case CRYPTO_VEC_ATTRIBUTES:
        return len == CRYPTO_ATTRIBUTES_SIZE;
    case CRYPTO_VEC_KEY_ID:
    case CRYPTO_VEC_HANDLE:
        return len == 4;
    case CRYPTO_VEC_PAKE_SUITE:
        return len == CRYPTO_PAKE_SUITE_SIZE;
    case CRYPTO_VEC_SIZE:
        return len == 4 || len == 8;
    default:
        return true;
    }
}

static uint32_t saturate_u32(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* ---- client side ----------------------------------------------------------------------------- */

psa_status_t crypto_args_encode(const crypto_args_t *a, crypto_wire_t *w)
{
    const crypto_call_desc_t *desc = crypto_call_find(a->function_id);
    if (desc == NULL) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    uint8_t f = desc->iov_fields;
    crypto_iovec_t iov = {
        .function_id = a->function_id,
        .key_id = f & K ? a->key : 0,
        .alg = f & A ? a->alg : 0,
        .op_handle = f & H ? a->handle : 0,
        .ad_length = f & L ? saturate_u32(a->ad_length) : 0,
        .plaintext_length = f & L ? saturate_u32(a->plaintext_length) : 0,
        .step = f & S ? a->step : 0,
        .value = f & V ? a->value : 0,
    };
    if (f & N) {
        size_t n = a->in_len[CRYPTO_IN_NONCE];
        if (n > CRYPTO_IOVEC_NONCE_MAX) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        if (n != 0) {
            memcpy(iov.nonce, a->in[CRYPTO_IN_NONCE], n);
        }
        iov.nonce_length = (uint32_t)n;
    }
    crypto_iovec_encode(&iov, w->header);
    w->in[0] = (psa_invec){w->header, CRYPTO_IOVEC_SIZE};
    w->in_len = 1;
    for (size_t i = 0; i < desc->in_count; i++) {
        uint8_t role = desc->in_role[i];
        psa_invec v = {NULL, 0};
        if (role == CRYPTO_IN_ATTRIBUTES) {
            crypto_attributes_encode(&a->attributes, w->attributes);
            v = (psa_invec){w->attributes, CRYPTO_ATTRIBUTES_SIZE};
        } else if (role == CRYPTO_IN_TARGET) {
            put_u32(w->target, a->target_handle);
            v = (psa_invec){w->target, 4};
        } else if (role == CRYPTO_IN_SUITE) {
            crypto_pake_suite_encode(&a->suite, w->suite);
            v = (psa_invec){w->suite, CRYPTO_PAKE_SUITE_SIZE};
        } else if (a->in_len[role] != 0) {
            v = (psa_invec){a->in[role], a->in_len[role]};
        }
        w->in[w->in_len++] = v;
    }
    w->out_len = 0;
    for (size_t i = 0; i < desc->out_count; i++) {
        uint8_t role = desc->out_role[i];
        psa_outvec v = {NULL, 0};
        switch (crypto_out_kind(role)) {
        case CRYPTO_VEC_BYTES:
            if (a->out_size[role] != 0) {
                v = (psa_outvec){a->out[role], a->out_size[role]};
            }
            break;
        case CRYPTO_VEC_ATTRIBUTES:
            v = (psa_outvec){w->fixed_out[i], CRYPTO_ATTRIBUTES_SIZE};
            break;
        case CRYPTO_VEC_SIZE:
            v = (psa_outvec){w->fixed_out[i], 8};
            break;
        default:
            v = (psa_outvec){w->fixed_out[i], 4};
            break;
        }
        w->out[w->out_len++] = v;
    }
    while (w->in_len > 1 && w->in[w->in_len - 1].len == 0) {
        w->in_len--;
    }
    while (w->out_len > 0 && w->out[w->out_len - 1].len == 0) {
        w->out_len--;
    }
    return PSA_SUCCESS;
}

psa_status_t crypto_args_decode_reply(crypto_args_t *a, crypto_wire_t *w, psa_status_t status)
{
    const crypto_call_desc_t *desc = crypto_call_find(a->function_id);
    memset(a->out_len, 0, sizeof(a->out_len));
    a->new_key = PSA_KEY_ID_NULL;
    if (desc == NULL || status != PSA_SUCCESS) {
        return status;
    }
    for (size_t i = 0; i < desc->out_count; i++) {
        uint8_t role = desc->out_role[i];
        size_t len = i < w->out_len ? w->out[i].len : 0;
        const uint8_t *p = w->fixed_out[i];
        switch (role) {
        case CRYPTO_OUT_HANDLE:
            a->handle = len == 4 ? wire_load_u32(p) : 0;
            break;
        case CRYPTO_OUT_KEY:
            a->new_key = len == 4 ? wire_load_u32(p) : PSA_KEY_ID_NULL;
            break;
        case CRYPTO_OUT_ATTRIBUTES:
            if (crypto_attributes_decode(p, len, &a->attributes) != PSA_SUCCESS) {
                return PSA_ERROR_COMMUNICATION_FAILURE;
            }
            break;
        case CRYPTO_OUT_CAPACITY:
            /* Asked for 8 bytes (this project's extension of TF-M's 4-byte rot_size_t, so an
             * unlimited capacity survives the trip); anything else is a broken reply. */
            if (len != 8) {
                return PSA_ERROR_COMMUNICATION_FAILURE;
            }
            a->value = wire_load_u64(p);
            break;
        default:
            a->out_len[role] = len <= a->out_size[role] ? len : 0;
            break;
        }
    }
    return PSA_SUCCESS;
}

/* ---- service side ---------------------------------------------------------------------------- */

psa_status_t crypto_call_unmarshal(const psa_invec *in, size_t in_len, psa_outvec *out,
                                   size_t out_len, crypto_args_t *a,
                                   const crypto_call_desc_t **desc_out)
{
    memset(a, 0, sizeof(*a));
    *desc_out = NULL;
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
    crypto_iovec_t iov;
    psa_status_t status = crypto_iovec_decode(in[0].base, in[0].len, &iov);
    if (status != PSA_SUCCESS) {
        return status;
    }
    const crypto_call_desc_t *desc = crypto_call_find(iov.function_id);
    if (desc == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (in_len - 1 > desc->in_count || out_len > desc->out_count) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    a->function_id = iov.function_id;
    a->key = iov.key_id;
    a->alg = iov.alg;
    a->handle = iov.op_handle;
    a->ad_length = iov.ad_length;
    a->plaintext_length = iov.plaintext_length;
    a->step = iov.step;
    a->value = iov.value;
    if (desc->iov_fields & CRYPTO_IOV_NONCE) {
        if (iov.nonce_length > CRYPTO_IOVEC_NONCE_MAX) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        memcpy(a->header_nonce, iov.nonce, sizeof(a->header_nonce));
        a->in[CRYPTO_IN_NONCE] = a->header_nonce;
        a->in_len[CRYPTO_IN_NONCE] = iov.nonce_length;
    }
    for (size_t i = 0; i < desc->in_count; i++) {
        uint8_t role = desc->in_role[i];
        const uint8_t *base = i + 1 < in_len ? in[i + 1].base : NULL;
        size_t len = i + 1 < in_len ? in[i + 1].len : 0;
        if (!vec_size_ok(crypto_in_kind(role), len)) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        if (role == CRYPTO_IN_ATTRIBUTES) {
            status = crypto_attributes_decode(base, len, &a->attributes);
        } else if (role == CRYPTO_IN_TARGET) {
            a->target_handle = wire_load_u32(base);
        } else if (role == CRYPTO_IN_SUITE) {
            status = crypto_pake_suite_decode(base, len, &a->suite);
        } else {
            a->in[role] = base;
            a->in_len[role] = len;
        }
        if (status != PSA_SUCCESS) {
            return status;
        }
    }
    for (size_t i = 0; i < desc->out_count; i++) {
        uint8_t role = desc->out_role[i];
        size_t len = i < out_len ? out[i].len : 0;
        crypto_vec_kind_t kind = crypto_out_kind(role);
        if (!vec_size_ok(kind, len)) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        if (kind == CRYPTO_VEC_BYTES) {
            a->out[role] = i < out_len ? out[i].base : NULL;
            a->out_size[role] = len;
        }
    }
    *desc_out = desc;
    return PSA_SUCCESS;
}

void crypto_call_reply(const crypto_call_desc_t *desc, const crypto_args_t *a, psa_status_t status,
                       psa_outvec *out, size_t out_len)
{
    for (size_t i = 0; i < desc->out_count && i < out_len; i++) {
        uint8_t role = desc->out_role[i];
        uint8_t *p = out[i].base;
        size_t size = out[i].len;
        if (size == 0) {
            continue; /* a trimmed byte output */
        }
        if (status != PSA_SUCCESS && role != CRYPTO_OUT_HANDLE && role != CRYPTO_OUT_KEY) {
            out[i].len = 0;
            continue;
        }
        switch (role) {
        case CRYPTO_OUT_HANDLE:
            put_u32(p, a->handle);
            break;
        case CRYPTO_OUT_KEY:
            put_u32(p, status == PSA_SUCCESS ? a->new_key : PSA_KEY_ID_NULL);
            break;
        case CRYPTO_OUT_ATTRIBUTES:
            crypto_attributes_encode(&a->attributes, p);
            break;
        case CRYPTO_OUT_CAPACITY:
            if (size == 4) {
                /* TF-M clients read a 32-bit rot_size_t: saturate rather than wrap. */
                put_u32(p, saturate_u32(a->value));
            } else {
                put_u64(p, a->value);
            }
            break;
        default:
            out[i].len = a->out_len[role] <= size ? a->out_len[role] : 0;
            break;
        }
    }
}
