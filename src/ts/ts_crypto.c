/* TS packed-c crypto (ts_crypto.h): one row per opcode, translated to the RSS comms call. */
#include "ts/ts_crypto.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <psa/crypto.h>

#include "comms/crypto_calls.h"
#include "base/wire.h"

/*
 * A row says, for one packed-c opcode: the RSS comms function; the request's fixed fields by role
 * (each u32 LE, the attributes 24 bytes); the TLV tags whose values become the RSS row's byte
 * inputs, in order; the response's fixed fields by role (taken from the RSS outputs of that
 * kind); the TLV tags the RSS byte outputs go to, in order, with the size each may take. The
 * RSS side's vectors are not restated: they come from crypto_call_table's row for the function,
 * so neither wire is written by hand for any call.
 */

enum field { F_END = 0, F_KEY, F_ALG, F_OP, F_ATTRS, F_SIZE, F_CAPACITY, F_STEP, F_AD, F_PT };
enum result { R_END = 0, R_KEY, R_OP, R_ATTRS, R_CAPACITY };
enum size_rule {
    Z_NONE = 0,
    Z_EXPORT_PAIR,
    Z_EXPORT_PUBLIC,
    Z_SIGNATURE,
    Z_ASYM_ENCRYPT,
    Z_ASYM_DECRYPT,
    Z_FIELD,       /* the F_SIZE field (random bytes, derivation output) */
    Z_HASH,
    Z_MAC,
    Z_IV,
    Z_NONCE,
    Z_TAG,
    Z_BLOCK,       /* a finish's remaining output */
    Z_INPUT_BLOCK, /* an update's output: its input plus a block */
    Z_AGREEMENT,
};

#define MAX_FIELDS  3
#define MAX_TLVS    2
#define MAX_RESULTS 2

typedef struct ts_crypto_op {
    uint16_t opcode;
    uint16_t function_id;
    uint8_t fields[MAX_FIELDS];
    uint8_t tlv_in[MAX_TLVS];
    uint8_t optional; /* bit i: tlv_in[i] may be absent (zero length), as upstream's salt */
    uint8_t results[MAX_RESULTS];
    uint8_t tlv_out[MAX_TLVS];
    uint8_t sizes[MAX_TLVS];
} ts_crypto_op_t;

#define OP(code, fid, f, in, opt, r, out, z)                                                       \
    {                                                                                              \
        .opcode = (code), .function_id = CRYPTO_FID_##fid, .fields = f, .tlv_in = in,              \
        .optional = (opt), .results = r, .tlv_out = out, .sizes = z                                \
    }
#define L(...) {__VA_ARGS__}
#define NO     {0}

/* Sheet §2.2, in opcode order. */
static const ts_crypto_op_t ops[] = {
    OP(0x0101, GENERATE_KEY, L(F_ATTRS), NO, 0, L(R_KEY), NO, NO),
    OP(0x0102, DESTROY_KEY, L(F_KEY), NO, 0, NO, NO, NO),
    OP(0x0105, EXPORT_KEY, L(F_KEY), NO, 0, NO, L(1), L(Z_EXPORT_PAIR)),
    OP(0x0106, EXPORT_PUBLIC_KEY, L(F_KEY), NO, 0, NO, L(1), L(Z_EXPORT_PUBLIC)),
    OP(0x0107, IMPORT_KEY, L(F_ATTRS), L(1), 0, L(R_KEY), NO, NO),
    OP(0x0108, SIGN_HASH, L(F_KEY, F_ALG), L(1), 0, NO, L(1), L(Z_SIGNATURE)),
    OP(0x0109, VERIFY_HASH, L(F_KEY, F_ALG), L(1, 2), 0, NO, NO, NO),
    OP(0x010a, ASYMMETRIC_DECRYPT, L(F_KEY, F_ALG), L(1, 2), 2, NO, L(1), L(Z_ASYM_DECRYPT)),
    OP(0x010b, ASYMMETRIC_ENCRYPT, L(F_KEY, F_ALG), L(1, 2), 2, NO, L(1), L(Z_ASYM_ENCRYPT)),
    OP(0x010c, GENERATE_RANDOM, L(F_SIZE), NO, 0, NO, L(1), L(Z_FIELD)),
    OP(0x010d, COPY_KEY, L(F_KEY, F_ATTRS), NO, 0, L(R_KEY), NO, NO),
    OP(0x010e, PURGE_KEY, L(F_KEY), NO, 0, NO, NO, NO),
    OP(0x010f, GET_KEY_ATTRIBUTES, L(F_KEY), NO, 0, L(R_ATTRS), NO, NO),
    OP(0x0110, SIGN_MESSAGE, L(F_KEY, F_ALG), L(1), 0, NO, L(1), L(Z_SIGNATURE)),
    OP(0x0111, VERIFY_MESSAGE, L(F_KEY, F_ALG), L(1, 2), 0, NO, NO, NO),
    OP(0x0201, HASH_SETUP, L(F_ALG), NO, 0, L(R_OP), NO, NO),
    OP(0x0202, HASH_UPDATE, L(F_OP), L(1), 0, NO, NO, NO),
    OP(0x0203, HASH_FINISH, L(F_OP), NO, 0, NO, L(1), L(Z_HASH)),
    OP(0x0204, HASH_ABORT, L(F_OP), NO, 0, NO, NO, NO),
    OP(0x0205, HASH_VERIFY, L(F_OP), L(1), 0, NO, NO, NO),
    OP(0x0206, HASH_CLONE, L(F_OP), NO, 0, L(R_OP), NO, NO),
    OP(0x0301, CIPHER_ENCRYPT_SETUP, L(F_KEY, F_ALG), NO, 0, L(R_OP), NO, NO),
    OP(0x0302, CIPHER_DECRYPT_SETUP, L(F_KEY, F_ALG), NO, 0, L(R_OP), NO, NO),
    OP(0x0303, CIPHER_GENERATE_IV, L(F_OP), NO, 0, NO, L(1), L(Z_IV)),
    OP(0x0304, CIPHER_SET_IV, L(F_OP), L(1), 0, NO, NO, NO),
    OP(0x0305, CIPHER_UPDATE, L(F_OP), L(1), 0, NO, L(1), L(Z_INPUT_BLOCK)),
    OP(0x0306, CIPHER_FINISH, L(F_OP), NO, 0, NO, L(1), L(Z_BLOCK)),
    OP(0x0307, CIPHER_ABORT, L(F_OP), NO, 0, NO, NO, NO),
    OP(0x0401, KEY_DERIVATION_SETUP, L(F_ALG), NO, 0, L(R_OP), NO, NO),
    OP(0x0402, KEY_DERIVATION_GET_CAPACITY, L(F_OP), NO, 0, L(R_CAPACITY), NO, NO),
    OP(0x0403, KEY_DERIVATION_SET_CAPACITY, L(F_OP, F_CAPACITY), NO, 0, NO, NO, NO),
    OP(0x0404, KEY_DERIVATION_INPUT_BYTES, L(F_OP, F_STEP), L(1), 0, NO, NO, NO),
    OP(0x0405, KEY_DERIVATION_INPUT_KEY, L(F_OP, F_STEP, F_KEY), NO, 0, NO, NO, NO),
    OP(0x0406, KEY_DERIVATION_OUTPUT_BYTES, L(F_OP, F_SIZE), NO, 0, NO, L(1), L(Z_FIELD)),
    OP(0x0407, KEY_DERIVATION_OUTPUT_KEY, L(F_OP, F_ATTRS), NO, 0, L(R_KEY), NO, NO),
    OP(0x0408, KEY_DERIVATION_ABORT, L(F_OP), NO, 0, NO, NO, NO),
    OP(0x0409, KEY_DERIVATION_KEY_AGREEMENT, L(F_OP, F_STEP, F_KEY), L(1), 0, NO, NO, NO),
    OP(0x040a, RAW_KEY_AGREEMENT, L(F_ALG, F_KEY), L(1), 0, NO, L(1), L(Z_AGREEMENT)),
    OP(0x0501, MAC_SIGN_SETUP, L(F_KEY, F_ALG), NO, 0, L(R_OP), NO, NO),
    OP(0x0502, MAC_VERIFY_SETUP, L(F_KEY, F_ALG), NO, 0, L(R_OP), NO, NO),
    OP(0x0503, MAC_UPDATE, L(F_OP), L(1), 0, NO, NO, NO),
    OP(0x0504, MAC_SIGN_FINISH, L(F_OP), NO, 0, NO, L(1), L(Z_MAC)),
    OP(0x0505, MAC_VERIFY_FINISH, L(F_OP), L(1), 0, NO, NO, NO),
    OP(0x0506, MAC_ABORT, L(F_OP), NO, 0, NO, NO, NO),
    OP(0x0601, AEAD_ENCRYPT_SETUP, L(F_KEY, F_ALG), NO, 0, L(R_OP), NO, NO),
    OP(0x0602, AEAD_DECRYPT_SETUP, L(F_KEY, F_ALG), NO, 0, L(R_OP), NO, NO),
    OP(0x0603, AEAD_GENERATE_NONCE, L(F_OP), NO, 0, NO, L(1), L(Z_NONCE)),
    OP(0x0604, AEAD_SET_NONCE, L(F_OP), L(1), 0, NO, NO, NO),
    OP(0x0605, AEAD_SET_LENGTHS, L(F_OP, F_AD, F_PT), NO, 0, NO, NO, NO),
    OP(0x0606, AEAD_UPDATE_AD, L(F_OP), L(1), 0, NO, NO, NO),
    OP(0x0607, AEAD_UPDATE, L(F_OP), L(1), 0, NO, L(1), L(Z_INPUT_BLOCK)),
    /* TF-M's finish returns the tag before the ciphertext; packed-c carries TLV1 ciphertext,
     * TLV2 tag. */
    OP(0x0608, AEAD_FINISH, L(F_OP), NO, 0, NO, L(2, 1), L(Z_TAG, Z_BLOCK)),
    OP(0x0609, AEAD_VERIFY, L(F_OP), L(1), 0, NO, L(1), L(Z_BLOCK)),
    OP(0x060a, AEAD_ABORT, L(F_OP), NO, 0, NO, NO, NO),
};

static const ts_crypto_op_t *find_op(uint16_t opcode)
{
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (ops[i].opcode == opcode) {
            return &ops[i];
        }
    }
    return NULL;
}

psa_status_t ts_crypto_attributes_decode(const uint8_t in[TS_CRYPTO_ATTRIBUTES_SIZE],
                                         psa_key_attributes_t *attributes)
{
    uint32_t type = wire_load_u32(in), bits = wire_load_u32(in + 4);
    uint32_t lifetime = wire_load_u32(in + 8), id = wire_load_u32(in + 12);
    if (type > 0xffffu) { /* not a PSA key type; any bit size goes to the core to judge */
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    *attributes = psa_key_attributes_init();
    psa_set_key_type(attributes, (psa_key_type_t)type);
    psa_set_key_bits(attributes, bits);
    psa_set_key_lifetime(attributes, lifetime);
    if (!PSA_KEY_LIFETIME_IS_VOLATILE(lifetime)) {
        attributes->id = id; /* every persistent lifetime keeps its id */
    }
    psa_set_key_usage_flags(attributes, wire_load_u32(in + 16));
    psa_set_key_algorithm(attributes, wire_load_u32(in + 20));
    return PSA_SUCCESS;
}

void ts_crypto_attributes_encode(const psa_key_attributes_t *attributes,
                                 uint8_t out[TS_CRYPTO_ATTRIBUTES_SIZE])
{
    wire_store_u32(out, psa_get_key_type(attributes));
    wire_store_u32(out + 4, (uint32_t)psa_get_key_bits(attributes));
    wire_store_u32(out + 8, psa_get_key_lifetime(attributes));
    wire_store_u32(out + 12, psa_get_key_id(attributes));
    wire_store_u32(out + 16, psa_get_key_usage_flags(attributes));
    wire_store_u32(out + 20, psa_get_key_algorithm(attributes));
}

/* What the request said, by role. */
typedef struct request {
    crypto_iovec_t iov;
    uint32_t size;
    bool has_attributes;
    uint8_t attributes[CRYPTO_ATTRIBUTES_SIZE]; /* already in the RSS layout */
    const uint8_t *tlv[MAX_TLVS];
    size_t tlv_length[MAX_TLVS];
    size_t tlv_count;
} request_t;

/* INVALID_REQUEST_BODY for a body that does not parse; a PSA status in *status for attributes
 * PSA cannot hold (the call is then not made). */
static int32_t parse(const ts_crypto_op_t *op, const ts_call_t *call, request_t *rq,
                     psa_status_t *status)
{
    wire_reader_t r;
    wire_reader_init(&r, call->request, call->request_length);
    *status = PSA_SUCCESS;
    for (size_t i = 0; i < MAX_FIELDS && op->fields[i] != F_END; i++) {
        uint32_t v = 0;
        if (op->fields[i] == F_ATTRS) {
            const uint8_t *a;
            if (!wire_get_ref(&r, TS_CRYPTO_ATTRIBUTES_SIZE, &a)) {
                return TS_RPC_ERROR_INVALID_REQUEST_BODY;
            }
            psa_key_attributes_t attributes;
            *status = ts_crypto_attributes_decode(a, &attributes);
            crypto_attributes_encode(&attributes, rq->attributes);
            rq->has_attributes = true;
            continue;
        }
        if (!wire_get_u32(&r, &v)) {
            return TS_RPC_ERROR_INVALID_REQUEST_BODY;
        }
        switch (op->fields[i]) {
        case F_KEY:
            rq->iov.key_id = v;
            break;
        case F_ALG:
            rq->iov.alg = v;
            break;
        case F_OP:
            rq->iov.op_handle = v;
            break;
        case F_SIZE:
            rq->size = v;
            break;
        case F_CAPACITY:
            rq->iov.value = v;
            break;
        case F_STEP:
            if (v > 0xffffu) {
                *status = PSA_ERROR_INVALID_ARGUMENT; /* no such derivation step */
            }
            rq->iov.step = (uint16_t)v;
            break;
        case F_AD:
            rq->iov.ad_length = v;
            break;
        default: /* F_PT */
            rq->iov.plaintext_length = v;
            break;
        }
    }
    /* The rest is TLV records; each input the row names must be there (but an optional one). */
    size_t used = r.pos;
    const uint8_t *tlvs = call->request + used;
    size_t tlvs_length = call->request_length - used;
    for (size_t i = 0; i < MAX_TLVS && op->tlv_in[i] != 0; i++) {
        if (!wire_tlv_find(tlvs, tlvs_length, op->tlv_in[i], &rq->tlv[i], &rq->tlv_length[i])) {
            if ((op->optional & (1u << i)) == 0) {
                return TS_RPC_ERROR_INVALID_REQUEST_BODY;
            }
            rq->tlv[i] = NULL;
            rq->tlv_length[i] = 0;
        }
        rq->tlv_count = i + 1;
    }
    return TS_RPC_SUCCESS;
}

/* The most bytes an output of this rule may take. */
static size_t rule_size(uint8_t rule, const request_t *rq)
{
    switch (rule) {
    case Z_EXPORT_PAIR:
        return PSA_EXPORT_KEY_PAIR_MAX_SIZE;
    case Z_EXPORT_PUBLIC:
        return PSA_EXPORT_PUBLIC_KEY_MAX_SIZE;
    case Z_SIGNATURE:
        return PSA_SIGNATURE_MAX_SIZE;
    case Z_ASYM_ENCRYPT:
        return PSA_ASYMMETRIC_ENCRYPT_OUTPUT_MAX_SIZE;
    case Z_ASYM_DECRYPT:
        return PSA_ASYMMETRIC_DECRYPT_OUTPUT_MAX_SIZE;
    case Z_FIELD:
        return rq->size;
    case Z_HASH:
        return PSA_HASH_MAX_SIZE;
    case Z_MAC:
        return PSA_MAC_MAX_SIZE;
    case Z_IV:
        return PSA_CIPHER_IV_MAX_SIZE;
    case Z_NONCE:
        return PSA_AEAD_NONCE_MAX_SIZE;
    case Z_TAG:
        return PSA_AEAD_TAG_MAX_SIZE;
    case Z_BLOCK:
        return PSA_BLOCK_CIPHER_BLOCK_MAX_SIZE;
    case Z_INPUT_BLOCK:
        return rq->tlv_length[0] + PSA_BLOCK_CIPHER_BLOCK_MAX_SIZE;
    default: /* Z_AGREEMENT */
        return PSA_RAW_KEY_AGREEMENT_OUTPUT_MAX_SIZE;
    }
}

int32_t ts_crypto_serve(void *context, ts_call_t *call)
{
    const ts_crypto_backend_t *backend = context;
    const ts_crypto_op_t *op = find_op(call->opcode);
    const crypto_call_desc_t *desc = op != NULL ? crypto_call_find(op->function_id) : NULL;
    if (desc == NULL) {
        return TS_RPC_ERROR_INVALID_VALUE; /* not an opcode of the protocol */
    }
    request_t rq;
    memset(&rq, 0, sizeof(rq));
    rq.iov.function_id = op->function_id;
    psa_status_t status;
    int32_t rpc = parse(op, call, &rq, &status);
    if (rpc != TS_RPC_SUCCESS) {
        return rpc;
    }
    call->response_length = 0;
    if (status != PSA_SUCCESS) {
        call->service_status = status;
        return TS_RPC_SUCCESS;
    }

    /* The RSS call, vector by vector as its row says. */
    uint8_t header[CRYPTO_IOVEC_SIZE];
    crypto_iovec_encode(&rq.iov, header);
    psa_invec in[1 + CRYPTO_CALL_MAX_IN] = {{header, sizeof(header)}};
    static const uint8_t zero_handle[4] = {0};
    size_t next_tlv = 0;
    for (size_t i = 0; i < desc->in_count; i++) {
        switch (crypto_in_kind(desc->in_role[i])) {
        case CRYPTO_VEC_ATTRIBUTES:
            in[1 + i] = (psa_invec){rq.attributes, sizeof(rq.attributes)};
            break;
        case CRYPTO_VEC_HANDLE: /* a clone's target: a new operation */
            in[1 + i] = (psa_invec){zero_handle, sizeof(zero_handle)};
            break;
        default: /* CRYPTO_VEC_BYTES: the next TLV the row names */
            in[1 + i] = next_tlv < rq.tlv_count
                            ? (psa_invec){rq.tlv[next_tlv], rq.tlv_length[next_tlv]}
                            : (psa_invec){NULL, 0};
            next_tlv++;
            break;
        }
    }
    /* Outputs: fixed ones in small buffers; byte outputs sized by the row and by what a TLV
     * can carry in the memory, so rssd's BUFFER_TOO_SMALL comes back as it would to libpsa. */
    uint8_t fixed[CRYPTO_CALL_MAX_OUT][CRYPTO_ATTRIBUTES_SIZE];
    uint8_t *bytes[CRYPTO_CALL_MAX_OUT] = {NULL};
    size_t capacity[CRYPTO_CALL_MAX_OUT] = {0};
    psa_outvec out[CRYPTO_CALL_MAX_OUT];
    size_t next_out = 0;
    rpc = TS_RPC_SUCCESS;
    for (size_t i = 0; i < desc->out_count; i++) {
        if (crypto_out_kind(desc->out_role[i]) != CRYPTO_VEC_BYTES) {
            size_t n = crypto_out_kind(desc->out_role[i]) == CRYPTO_VEC_ATTRIBUTES ? CRYPTO_ATTRIBUTES_SIZE
                       : crypto_out_kind(desc->out_role[i]) == CRYPTO_VEC_SIZE     ? 8
                                                             : 4;
            out[i] = (psa_outvec){fixed[i], n};
            continue;
        }
        size_t want = next_out < MAX_TLVS ? rule_size(op->sizes[next_out], &rq) : 0;
        next_out++;
        if (want > WIRE_TLV_VALUE_MAX || want + WIRE_TLV_HEADER > call->response_size) {
            if (op->sizes[next_out - 1] == Z_FIELD) {
                rpc = TS_RPC_ERROR_INTERNAL; /* the caller asked for more than fits (upstream) */
                break;
            }
            want = call->response_size > WIRE_TLV_HEADER ? call->response_size - WIRE_TLV_HEADER
                                                         : 0;
            want = want > WIRE_TLV_VALUE_MAX ? WIRE_TLV_VALUE_MAX : want;
        }
        capacity[i] = want > 0 ? want : 1;
        bytes[i] = malloc(capacity[i]);
        if (bytes[i] == NULL) {
            rpc = TS_RPC_ERROR_RESOURCE_FAILURE;
            break;
        }
        out[i] = (psa_outvec){bytes[i], want};
    }
    if (rpc == TS_RPC_SUCCESS) {
        status = backend->call(call->session, in, 1 + desc->in_count, out, desc->out_count);
        call->service_status = status;
    }

    /* The response: fixed results by role, then the byte outputs as TLVs. */
    if (rpc == TS_RPC_SUCCESS && status == PSA_SUCCESS) {
        wire_writer_t w;
        wire_writer_init(&w, call->response, call->response_size);
        for (size_t r = 0; r < MAX_RESULTS && op->results[r] != R_END; r++) {
            for (size_t i = 0; i < desc->out_count; i++) {
                uint8_t kind = crypto_out_kind(desc->out_role[i]);
                if (op->results[r] == R_ATTRS && kind == CRYPTO_VEC_ATTRIBUTES) {
                    psa_key_attributes_t attributes;
                    uint8_t ts[TS_CRYPTO_ATTRIBUTES_SIZE];
                    if (crypto_attributes_decode(fixed[i], out[i].len, &attributes) !=
                        PSA_SUCCESS) {
                        rpc = TS_RPC_ERROR_INTERNAL;
                        break;
                    }
                    ts_crypto_attributes_encode(&attributes, ts);
                    wire_put_bytes(&w, ts, sizeof(ts));
                } else if ((op->results[r] == R_KEY && kind == CRYPTO_VEC_KEY_ID) ||
                           (op->results[r] == R_OP && kind == CRYPTO_VEC_HANDLE)) {
                    wire_put_u32(&w, out[i].len == 4 ? wire_load_u32(fixed[i]) : 0);
                } else if (op->results[r] == R_CAPACITY && kind == CRYPTO_VEC_SIZE) {
                    uint64_t left = out[i].len == 8   ? wire_load_u64(fixed[i])
                                    : out[i].len == 4 ? wire_load_u32(fixed[i])
                                                      : 0;
                    wire_put_u32(&w, left > UINT32_MAX ? UINT32_MAX : (uint32_t)left);
                }
            }
        }
        /* Records go out in tag order (upstream's encoder requires it, and its decoder stops
         * at a larger tag), whatever the order of the RSS outputs. */
        size_t which[MAX_TLVS], count = 0;
        for (size_t i = 0; i < desc->out_count && count < MAX_TLVS; i++) {
            if (crypto_out_kind(desc->out_role[i]) == CRYPTO_VEC_BYTES) {
                which[count++] = i;
            }
        }
        for (uint16_t tag = 1; tag <= MAX_TLVS; tag++) {
            for (size_t k = 0; k < count; k++) {
                if (op->tlv_out[k] == tag) {
                    wire_put_tlv(&w, tag, bytes[which[k]], out[which[k]].len);
                }
            }
        }
        if (rpc == TS_RPC_SUCCESS && !wire_writer_ok(&w)) {
            rpc = TS_RPC_ERROR_INTERNAL; /* the response does not fit the memory (sheet §2.1) */
        }
        call->response_length = rpc == TS_RPC_SUCCESS ? w.pos : 0;
    }
    for (size_t i = 0; i < desc->out_count; i++) {
        if (bytes[i] != NULL) {
            OPENSSL_clear_free(bytes[i], capacity[i]); /* keys, plaintext */
        }
    }
    OPENSSL_cleanse(&rq, sizeof(rq));
    return rpc;
}
