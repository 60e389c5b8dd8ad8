/* TS packed-c crypto (ts_crypto.h): one row per opcode, translated to the RSS comms call. */
#include "ts/ts_crypto.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <psa/crypto.h>

#include "comms/crypto_calls.h"
#include "base/wire.h"

/*
 * A row says, for one packed-c opcode: the PSA function (the row of comms/crypto_calls.h's schema
 * whose argument record it fills); the request's fixed fields by record field (each u32 LE, the
 * attributes 24 bytes); the request's TLV records by tag and the byte-input role each carries;
 * the response's fixed fields by record field; the response's TLV records by tag, the byte-output
 * role each comes from and the size it may take. The record then goes to rssd through the schema's
 * RSS comms codec (crypto_args_encode / crypto_args_decode_reply), so neither wire's layout is
 * written by hand for any call, and neither depends on the other's order.
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
    Z_FIELD, /* the F_SIZE field (random bytes, derivation output) */
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

typedef struct ts_tlv_in {
    uint8_t tag;
    uint8_t role;  /* enum crypto_in_role */
    bool optional; /* may be absent (zero length), as upstream's salt */
} ts_tlv_in_t;

typedef struct ts_tlv_out {
    uint8_t tag;
    uint8_t role; /* enum crypto_out_role */
    uint8_t size; /* enum size_rule */
} ts_tlv_out_t;

typedef struct ts_crypto_op {
    uint16_t opcode;
    uint16_t function_id;
    uint8_t fields[MAX_FIELDS];
    ts_tlv_in_t in[MAX_TLVS];
    uint8_t results[MAX_RESULTS];
    ts_tlv_out_t out[MAX_TLVS];
} ts_crypto_op_t;

#define OP(code, fid, f, i, r, o)                                                                  \
    {                                                                                              \
        .opcode = (code), .function_id = CRYPTO_FID_##fid, .fields = f, .in = i, .results = r,     \
        .out = o                                                                                   \
    }
#define L(...)                                                                                     \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
#define NO                                                                                         \
    {                                                                                              \
        0                                                                                          \
    }
#define NOTLV                                                                                      \
    {                                                                                              \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }
/* TLV tag t carries a byte input / output of role r. */
#define TI(t, r)                                                                                   \
    {                                                                                              \
        (t), CRYPTO_IN_##r, false                                                                  \
    }
#define TI_OPT(t, r)                                                                               \
    {                                                                                              \
        (t), CRYPTO_IN_##r, true                                                                   \
    }
#define TO(t, r, z)                                                                                \
    {                                                                                              \
        (t), CRYPTO_OUT_##r, (z)                                                                   \
    }

/* Sheet §2.2, in opcode order. */
static const ts_crypto_op_t ops[] = {
    OP(0x0101, GENERATE_KEY, L(F_ATTRS), NOTLV, L(R_KEY), NOTLV),
    OP(0x0102, DESTROY_KEY, L(F_KEY), NOTLV, NO, NOTLV),
    OP(0x0105, EXPORT_KEY, L(F_KEY), NOTLV, NO, L(TO(1, OUTPUT, Z_EXPORT_PAIR))),
    OP(0x0106, EXPORT_PUBLIC_KEY, L(F_KEY), NOTLV, NO, L(TO(1, OUTPUT, Z_EXPORT_PUBLIC))),
    OP(0x0107, IMPORT_KEY, L(F_ATTRS), L(TI(1, INPUT)), L(R_KEY), NOTLV),
    OP(0x0108, SIGN_HASH, L(F_KEY, F_ALG), L(TI(1, INPUT)), NO, L(TO(1, OUTPUT, Z_SIGNATURE))),
    OP(0x0109, VERIFY_HASH, L(F_KEY, F_ALG), L(TI(1, INPUT), TI(2, CHECK)), NO, NOTLV),
    OP(0x010a, ASYMMETRIC_DECRYPT, L(F_KEY, F_ALG), L(TI(1, INPUT), TI_OPT(2, SALT)), NO,
       L(TO(1, OUTPUT, Z_ASYM_DECRYPT))),
    OP(0x010b, ASYMMETRIC_ENCRYPT, L(F_KEY, F_ALG), L(TI(1, INPUT), TI_OPT(2, SALT)), NO,
       L(TO(1, OUTPUT, Z_ASYM_ENCRYPT))),
    OP(0x010c, GENERATE_RANDOM, L(F_SIZE), NOTLV, NO, L(TO(1, OUTPUT, Z_FIELD))),
    OP(0x010d, COPY_KEY, L(F_KEY, F_ATTRS), NOTLV, L(R_KEY), NOTLV),
    OP(0x010e, PURGE_KEY, L(F_KEY), NOTLV, NO, NOTLV),
    OP(0x010f, GET_KEY_ATTRIBUTES, L(F_KEY), NOTLV, L(R_ATTRS), NOTLV),
    OP(0x0110, SIGN_MESSAGE, L(F_KEY, F_ALG), L(TI(1, INPUT)), NO, L(TO(1, OUTPUT, Z_SIGNATURE))),
    OP(0x0111, VERIFY_MESSAGE, L(F_KEY, F_ALG), L(TI(1, INPUT), TI(2, CHECK)), NO, NOTLV),
    OP(0x0201, HASH_SETUP, L(F_ALG), NOTLV, L(R_OP), NOTLV),
    OP(0x0202, HASH_UPDATE, L(F_OP), L(TI(1, INPUT)), NO, NOTLV),
    OP(0x0203, HASH_FINISH, L(F_OP), NOTLV, NO, L(TO(1, OUTPUT, Z_HASH))),
    OP(0x0204, HASH_ABORT, L(F_OP), NOTLV, NO, NOTLV),
    OP(0x0205, HASH_VERIFY, L(F_OP), L(TI(1, CHECK)), NO, NOTLV),
    OP(0x0206, HASH_CLONE, L(F_OP), NOTLV, L(R_OP), NOTLV),
    OP(0x0301, CIPHER_ENCRYPT_SETUP, L(F_KEY, F_ALG), NOTLV, L(R_OP), NOTLV),
    OP(0x0302, CIPHER_DECRYPT_SETUP, L(F_KEY, F_ALG), NOTLV, L(R_OP), NOTLV),
    OP(0x0303, CIPHER_GENERATE_IV, L(F_OP), NOTLV, NO, L(TO(1, OUTPUT, Z_IV))),
    OP(0x0304, CIPHER_SET_IV, L(F_OP), L(TI(1, NONCE)), NO, NOTLV),
    OP(0x0305, CIPHER_UPDATE, L(F_OP), L(TI(1, INPUT)), NO, L(TO(1, OUTPUT, Z_INPUT_BLOCK))),
    OP(0x0306, CIPHER_FINISH, L(F_OP), NOTLV, NO, L(TO(1, OUTPUT, Z_BLOCK))),
    OP(0x0307, CIPHER_ABORT, L(F_OP), NOTLV, NO, NOTLV),
    OP(0x0401, KEY_DERIVATION_SETUP, L(F_ALG), NOTLV, L(R_OP), NOTLV),
    OP(0x0402, KEY_DERIVATION_GET_CAPACITY, L(F_OP), NOTLV, L(R_CAPACITY), NOTLV),
    OP(0x0403, KEY_DERIVATION_SET_CAPACITY, L(F_OP, F_CAPACITY), NOTLV, NO, NOTLV),
    OP(0x0404, KEY_DERIVATION_INPUT_BYTES, L(F_OP, F_STEP), L(TI(1, INPUT)), NO, NOTLV),
    OP(0x0405, KEY_DERIVATION_INPUT_KEY, L(F_OP, F_STEP, F_KEY), NOTLV, NO, NOTLV),
    OP(0x0406, KEY_DERIVATION_OUTPUT_BYTES, L(F_OP, F_SIZE), NOTLV, NO, L(TO(1, OUTPUT, Z_FIELD))),
    OP(0x0407, KEY_DERIVATION_OUTPUT_KEY, L(F_OP, F_ATTRS), NOTLV, L(R_KEY), NOTLV),
    OP(0x0408, KEY_DERIVATION_ABORT, L(F_OP), NOTLV, NO, NOTLV),
    OP(0x0409, KEY_DERIVATION_KEY_AGREEMENT, L(F_OP, F_STEP, F_KEY), L(TI(1, PEER_KEY)), NO, NOTLV),
    OP(0x040a, RAW_KEY_AGREEMENT, L(F_ALG, F_KEY), L(TI(1, PEER_KEY)), NO,
       L(TO(1, OUTPUT, Z_AGREEMENT))),
    OP(0x0501, MAC_SIGN_SETUP, L(F_KEY, F_ALG), NOTLV, L(R_OP), NOTLV),
    OP(0x0502, MAC_VERIFY_SETUP, L(F_KEY, F_ALG), NOTLV, L(R_OP), NOTLV),
    OP(0x0503, MAC_UPDATE, L(F_OP), L(TI(1, INPUT)), NO, NOTLV),
    OP(0x0504, MAC_SIGN_FINISH, L(F_OP), NOTLV, NO, L(TO(1, OUTPUT, Z_MAC))),
    OP(0x0505, MAC_VERIFY_FINISH, L(F_OP), L(TI(1, CHECK)), NO, NOTLV),
    OP(0x0506, MAC_ABORT, L(F_OP), NOTLV, NO, NOTLV),
    OP(0x0601, AEAD_ENCRYPT_SETUP, L(F_KEY, F_ALG), NOTLV, L(R_OP), NOTLV),
    OP(0x0602, AEAD_DECRYPT_SETUP, L(F_KEY, F_ALG), NOTLV, L(R_OP), NOTLV),
    OP(0x0603, AEAD_GENERATE_NONCE, L(F_OP), NOTLV, NO, L(TO(1, OUTPUT, Z_NONCE))),
    OP(0x0604, AEAD_SET_NONCE, L(F_OP), L(TI(1, NONCE)), NO, NOTLV),
    OP(0x0605, AEAD_SET_LENGTHS, L(F_OP, F_AD, F_PT), NOTLV, NO, NOTLV),
    OP(0x0606, AEAD_UPDATE_AD, L(F_OP), L(TI(1, AD)), NO, NOTLV),
    OP(0x0607, AEAD_UPDATE, L(F_OP), L(TI(1, INPUT)), NO, L(TO(1, OUTPUT, Z_INPUT_BLOCK))),
    OP(0x0608, AEAD_FINISH, L(F_OP), NOTLV, NO, L(TO(1, OUTPUT, Z_BLOCK), TO(2, TAG, Z_TAG))),
    OP(0x0609, AEAD_VERIFY, L(F_OP), L(TI(1, CHECK)), NO, L(TO(1, OUTPUT, Z_BLOCK))),
    OP(0x060a, AEAD_ABORT, L(F_OP), NOTLV, NO, NOTLV),
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

/* The request as an argument record. INVALID_REQUEST_BODY for a body that does not parse; a PSA
 * status in *status for values PSA cannot hold (the call is then not made). *size is F_SIZE. */
static int32_t parse(const ts_crypto_op_t *op, const ts_call_t *call, crypto_args_t *a,
                     uint32_t *size, psa_status_t *status)
{
    wire_reader_t r;
    wire_reader_init(&r, call->request, call->request_length);
    *status = PSA_SUCCESS;
    for (size_t i = 0; i < MAX_FIELDS && op->fields[i] != F_END; i++) {
        uint32_t v = 0;
        if (op->fields[i] == F_ATTRS) {
            const uint8_t *attributes;
            if (!wire_get_ref(&r, TS_CRYPTO_ATTRIBUTES_SIZE, &attributes)) {
                return TS_RPC_ERROR_INVALID_REQUEST_BODY;
            }
            *status = ts_crypto_attributes_decode(attributes, &a->attributes);
            continue;
        }
        if (!wire_get_u32(&r, &v)) {
            return TS_RPC_ERROR_INVALID_REQUEST_BODY;
        }
        switch (op->fields[i]) {
        case F_KEY:
            a->key = v;
            break;
        case F_ALG:
            a->alg = v;
            break;
        case F_OP:
            a->handle = v;
            break;
        case F_SIZE:
            *size = v;
            break;
        case F_CAPACITY:
            a->value = v;
            break;
        case F_STEP:
            if (v > 0xffffu) {
                *status = PSA_ERROR_INVALID_ARGUMENT; /* no such derivation step */
            }
            a->step = (uint16_t)v;
            break;
        case F_AD:
            a->ad_length = v;
            break;
        default: /* F_PT */
            a->plaintext_length = v;
            break;
        }
    }
    /* The rest is TLV records; each input the row names must be there (but an optional one). */
    const uint8_t *tlvs = call->request + r.pos;
    size_t tlvs_length = call->request_length - r.pos;
    for (size_t i = 0; i < MAX_TLVS && op->in[i].tag != 0; i++) {
        const ts_tlv_in_t *t = &op->in[i];
        if (!wire_tlv_find(tlvs, tlvs_length, t->tag, &a->in[t->role], &a->in_len[t->role]) &&
            !t->optional) {
            return TS_RPC_ERROR_INVALID_REQUEST_BODY;
        }
    }
    return TS_RPC_SUCCESS;
}

/* The most bytes an output of this rule may take. */
static size_t rule_size(uint8_t rule, const crypto_args_t *a, uint32_t size)
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
        return size;
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
        return a->in_len[CRYPTO_IN_INPUT] + PSA_BLOCK_CIPHER_BLOCK_MAX_SIZE;
    default: /* Z_AGREEMENT */
        return PSA_RAW_KEY_AGREEMENT_OUTPUT_MAX_SIZE;
    }
}

/* The record on RSS comms, by the schema (a clone's target is a new operation), to the backend;
 * the reply back into the record. */
static psa_status_t forward(const ts_crypto_backend_t *backend, void *session, crypto_args_t *a)
{
    crypto_wire_t w;
    psa_status_t status = crypto_args_encode(a, &w);
    if (status == PSA_SUCCESS) {
        status = backend->call(session, w.in, w.in_len, w.out, w.out_len);
        status = crypto_args_decode_reply(a, &w, status);
    }
    OPENSSL_cleanse(&w, sizeof(w));
    return status;
}

/* The response: fixed results from the record, then its byte outputs as TLV records in tag order
 * (upstream's encoder requires it, and its decoder stops at a larger tag). */
static int32_t respond(const ts_crypto_op_t *op, const crypto_args_t *a, ts_call_t *call)
{
    wire_writer_t w;
    wire_writer_init(&w, call->response, call->response_size);
    for (size_t r = 0; r < MAX_RESULTS && op->results[r] != R_END; r++) {
        switch (op->results[r]) {
        case R_ATTRS: {
            uint8_t ts[TS_CRYPTO_ATTRIBUTES_SIZE];
            ts_crypto_attributes_encode(&a->attributes, ts);
            wire_put_bytes(&w, ts, sizeof(ts));
            break;
        }
        case R_KEY:
            wire_put_u32(&w, a->new_key);
            break;
        case R_OP:
            wire_put_u32(&w, a->handle);
            break;
        default: /* R_CAPACITY */
            wire_put_u32(&w, a->value > UINT32_MAX ? UINT32_MAX : (uint32_t)a->value);
            break;
        }
    }
    for (size_t i = 0; i < MAX_TLVS && op->out[i].tag != 0; i++) {
        const ts_tlv_out_t *t = &op->out[i];
        wire_put_tlv(&w, t->tag, a->out[t->role], a->out_len[t->role]);
    }
    if (!wire_writer_ok(&w)) {
        return TS_RPC_ERROR_INTERNAL; /* the response does not fit the memory (sheet §2.1) */
    }
    call->response_length = w.pos;
    return TS_RPC_SUCCESS;
}

static int32_t generic_serve(const ts_crypto_backend_t *backend, ts_call_t *call);

/* The two UEFI opcodes: TLVs in, the backend's answer as the service status. */
static int32_t uefi_serve(const ts_crypto_backend_t *backend, ts_call_t *call)
{
    bool verify = call->opcode == TS_CRYPTO_OP_VERIFY_PKCS7_SIGNATURE;
    if ((verify && backend->pkcs7_verify == NULL) ||
        (!verify && backend->uefi_fingerprint == NULL)) {
        return TS_RPC_ERROR_INVALID_VALUE;
    }
    const uint8_t *pkcs7 = NULL, *hash = NULL, *cert = NULL;
    size_t pkcs7_size = 0, hash_size = 0, cert_size = 0;
    if (!wire_tlv_find(call->request, call->request_length, 1, &pkcs7, &pkcs7_size) ||
        (verify && !wire_tlv_find(call->request, call->request_length, 2, &hash, &hash_size))) {
        return TS_RPC_ERROR_INVALID_REQUEST_BODY;
    }
    call->response_length = 0;
    if (verify) {
        (void)wire_tlv_find(call->request, call->request_length, 3, &cert, &cert_size);
        call->service_status =
            backend->pkcs7_verify(pkcs7, pkcs7_size, hash, hash_size, cert, cert_size);
        return TS_RPC_SUCCESS;
    }
    uint8_t identifier[PSA_HASH_MAX_SIZE] = {0};
    uint64_t status = backend->uefi_fingerprint(pkcs7, pkcs7_size, identifier);
    call->service_status = (int32_t)(uint32_t)status; /* the low 32 bits, as the wire has */
    if (status == 0) {
        wire_writer_t w;
        wire_writer_init(&w, call->response, call->response_size);
        if (!wire_put_tlv(&w, 1, identifier, sizeof(identifier))) {
            return TS_RPC_ERROR_INTERNAL; /* the response does not fit the memory */
        }
        call->response_length = wire_writer_length(&w);
    }
    return TS_RPC_SUCCESS;
}

int32_t ts_crypto_serve(void *context, ts_call_t *call)
{
    const ts_crypto_backend_t *backend = context;
    if (call->opcode & TS_CRYPTO_OP_GENERIC) {
        return generic_serve(backend, call);
    }
    if (call->opcode == TS_CRYPTO_OP_VERIFY_PKCS7_SIGNATURE ||
        call->opcode == TS_CRYPTO_OP_GET_UEFI_PRIV_AUTH_VAR_FINGERPRINT) {
        return uefi_serve(backend, call);
    }
    const ts_crypto_op_t *op = find_op(call->opcode);
    if (op == NULL) {
        return TS_RPC_ERROR_INVALID_VALUE; /* not an opcode of the protocol */
    }
    crypto_args_t a = {.function_id = op->function_id};
    uint32_t size = 0;
    psa_status_t status;
    int32_t rpc = parse(op, call, &a, &size, &status);
    if (rpc != TS_RPC_SUCCESS) {
        return rpc;
    }
    call->response_length = 0;
    if (status != PSA_SUCCESS) {
        call->service_status = status;
        return TS_RPC_SUCCESS;
    }
    /* Byte outputs sized by the row and by what a TLV can carry in the memory, so rssd's
     * BUFFER_TOO_SMALL comes back as it would to libpsa. */
    size_t capacity[MAX_TLVS] = {0};
    for (size_t i = 0; i < MAX_TLVS && op->out[i].tag != 0 && rpc == TS_RPC_SUCCESS; i++) {
        const ts_tlv_out_t *t = &op->out[i];
        size_t want = rule_size(t->size, &a, size);
        if (want > WIRE_TLV_VALUE_MAX || want + WIRE_TLV_HEADER > call->response_size) {
            if (t->size == Z_FIELD) {
                rpc = TS_RPC_ERROR_INTERNAL; /* the caller asked for more than fits (upstream) */
                break;
            }
            want =
                call->response_size > WIRE_TLV_HEADER ? call->response_size - WIRE_TLV_HEADER : 0;
            want = want > WIRE_TLV_VALUE_MAX ? WIRE_TLV_VALUE_MAX : want;
        }
        capacity[i] = want > 0 ? want : 1;
        a.out[t->role] = malloc(capacity[i]);
        a.out_size[t->role] = want;
        if (a.out[t->role] == NULL) {
            rpc = TS_RPC_ERROR_RESOURCE_FAILURE;
        }
    }
    if (rpc == TS_RPC_SUCCESS) {
        status = forward(backend, call->session, &a);
        call->service_status = status;
        if (status == PSA_SUCCESS) {
            rpc = respond(op, &a, call);
            if (rpc != TS_RPC_SUCCESS) {
                call->response_length = 0;
            }
        }
    }
    for (size_t i = 0; i < MAX_TLVS && op->out[i].tag != 0; i++) {
        if (a.out[op->out[i].role] != NULL) {
            OPENSSL_clear_free(a.out[op->out[i].role], capacity[i]); /* keys, plaintext */
        }
    }
    OPENSSL_cleanse(&a, sizeof(a));
    return rpc;
}

/* ---- the generic extension: every schema row as a packed-c opcode ------------------------------
 */

/* The fixed part of a generic request: the row's header fields in order, then its fixed-size
 * inputs in slot order. */
static void generic_put_fixed(wire_writer_t *w, const crypto_call_desc_t *desc,
                              const crypto_args_t *a)
{
    uint8_t f = desc->iov_fields;
    if (f & CRYPTO_IOV_KEY_ID) {
        wire_put_u32(w, a->key);
    }
    if (f & CRYPTO_IOV_ALG) {
        wire_put_u32(w, a->alg);
    }
    if (f & CRYPTO_IOV_OP_HANDLE) {
        wire_put_u32(w, a->handle);
    }
    if (f & CRYPTO_IOV_LENGTHS) {
        wire_put_u64(w, a->ad_length);
        wire_put_u64(w, a->plaintext_length);
    }
    if (f & CRYPTO_IOV_STEP) {
        wire_put_u32(w, a->step);
    }
    if (f & CRYPTO_IOV_VALUE) {
        wire_put_u64(w, a->value);
    }
    for (size_t i = 0; i < desc->in_count; i++) {
        uint8_t attributes[CRYPTO_ATTRIBUTES_SIZE];
        switch (desc->in_role[i]) {
        case CRYPTO_IN_ATTRIBUTES:
            crypto_attributes_encode(&a->attributes, attributes);
            wire_put_bytes(w, attributes, sizeof(attributes));
            break;
        case CRYPTO_IN_TARGET:
            wire_put_u32(w, a->target_handle);
            break;
        case CRYPTO_IN_SUITE:
            wire_put_u32(w, psa_pake_cs_get_algorithm(&a->suite));
            wire_put_u32(w, psa_pake_cs_get_primitive(&a->suite));
            wire_put_u32(w, psa_pake_cs_get_key_confirmation(&a->suite));
            break;
        default:
            break;
        }
    }
}

/* The byte inputs the row names, in role order (a header nonce included). */
static size_t generic_inputs(const crypto_call_desc_t *desc, uint8_t roles[CRYPTO_IN_BYTES])
{
    size_t n = 0;
    for (uint8_t role = CRYPTO_IN_INPUT; role < CRYPTO_IN_BYTES; role++) {
        bool named = role == CRYPTO_IN_NONCE && (desc->iov_fields & CRYPTO_IOV_NONCE);
        for (size_t i = 0; i < desc->in_count && !named; i++) {
            named = desc->in_role[i] == role;
        }
        if (named) {
            roles[n++] = role;
        }
    }
    return n;
}

/* The byte outputs the row names, in role order. */
static size_t generic_outputs(const crypto_call_desc_t *desc, uint8_t roles[CRYPTO_OUT_BYTES])
{
    size_t n = 0;
    for (uint8_t role = CRYPTO_OUT_OUTPUT; role < CRYPTO_OUT_BYTES; role++) {
        for (size_t i = 0; i < desc->out_count; i++) {
            if (desc->out_role[i] == role) {
                roles[n++] = role;
                break;
            }
        }
    }
    return n;
}

static void generic_put_results(wire_writer_t *w, const crypto_call_desc_t *desc,
                                const crypto_args_t *a)
{
    for (size_t i = 0; i < desc->out_count; i++) {
        uint8_t attributes[CRYPTO_ATTRIBUTES_SIZE];
        switch (desc->out_role[i]) {
        case CRYPTO_OUT_HANDLE:
            wire_put_u32(w, a->handle);
            break;
        case CRYPTO_OUT_KEY:
            wire_put_u32(w, a->new_key);
            break;
        case CRYPTO_OUT_ATTRIBUTES:
            crypto_attributes_encode(&a->attributes, attributes);
            wire_put_bytes(w, attributes, sizeof(attributes));
            break;
        case CRYPTO_OUT_CAPACITY:
            wire_put_u64(w, a->value);
            break;
        default:
            break;
        }
    }
}

size_t ts_crypto_generic_request_size(const crypto_args_t *a)
{
    const crypto_call_desc_t *desc = crypto_call_find(a->function_id);
    if (desc == NULL) {
        return 0;
    }
    uint8_t scratch[64];
    wire_writer_t w;
    wire_writer_init(&w, scratch, sizeof(scratch));
    generic_put_fixed(&w, desc, a);
    size_t n = wire_writer_length(&w);
    uint8_t in[CRYPTO_IN_BYTES], out[CRYPTO_OUT_BYTES];
    size_t ins = generic_inputs(desc, in), outs = generic_outputs(desc, out);
    for (size_t i = 0; i < ins; i++) {
        n += 4 + a->in_len[in[i]];
    }
    return n + 8 * outs;
}

size_t ts_crypto_generic_response_size(const crypto_args_t *a)
{
    const crypto_call_desc_t *desc = crypto_call_find(a->function_id);
    if (desc == NULL) {
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < desc->out_count; i++) {
        uint8_t role = desc->out_role[i];
        n += role == CRYPTO_OUT_ATTRIBUTES                         ? CRYPTO_ATTRIBUTES_SIZE
             : role == CRYPTO_OUT_CAPACITY                         ? 8
             : role == CRYPTO_OUT_HANDLE || role == CRYPTO_OUT_KEY ? 4
                                                                   : 4 + a->out_size[role];
    }
    return n;
}

bool ts_crypto_generic_encode(const crypto_args_t *a, uint8_t *request, size_t size, size_t *length)
{
    const crypto_call_desc_t *desc = crypto_call_find(a->function_id);
    if (desc == NULL) {
        return false;
    }
    wire_writer_t w;
    wire_writer_init(&w, request, size);
    generic_put_fixed(&w, desc, a);
    uint8_t in[CRYPTO_IN_BYTES], out[CRYPTO_OUT_BYTES];
    size_t ins = generic_inputs(desc, in), outs = generic_outputs(desc, out);
    for (size_t i = 0; i < ins; i++) {
        size_t n = a->in_len[in[i]];
        if (n > UINT32_MAX) {
            return false;
        }
        wire_put_u32(&w, (uint32_t)n);
        wire_put_bytes(&w, a->in[in[i]], n);
    }
    for (size_t i = 0; i < outs; i++) {
        wire_put_u64(&w, a->out_size[out[i]]);
    }
    *length = wire_writer_length(&w);
    return wire_writer_ok(&w);
}

psa_status_t ts_crypto_generic_decode(crypto_args_t *a, const uint8_t *response, size_t length)
{
    const crypto_call_desc_t *desc = crypto_call_find(a->function_id);
    memset(a->out_len, 0, sizeof(a->out_len));
    if (desc == NULL) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    wire_reader_t r;
    wire_reader_init(&r, response, length);
    for (size_t i = 0; i < desc->out_count; i++) {
        const uint8_t *ts = NULL;
        uint32_t v = 0;
        switch (desc->out_role[i]) {
        case CRYPTO_OUT_HANDLE:
            wire_get_u32(&r, &a->handle);
            break;
        case CRYPTO_OUT_KEY:
            if (wire_get_u32(&r, &v)) {
                a->new_key = v;
            }
            break;
        case CRYPTO_OUT_ATTRIBUTES:
            if (wire_get_ref(&r, CRYPTO_ATTRIBUTES_SIZE, &ts) &&
                crypto_attributes_decode(ts, CRYPTO_ATTRIBUTES_SIZE, &a->attributes) !=
                    PSA_SUCCESS) {
                return PSA_ERROR_COMMUNICATION_FAILURE;
            }
            break;
        case CRYPTO_OUT_CAPACITY:
            wire_get_u64(&r, &a->value);
            break;
        default:
            break;
        }
    }
    uint8_t out[CRYPTO_OUT_BYTES];
    size_t outs = generic_outputs(desc, out);
    for (size_t i = 0; i < outs; i++) {
        uint32_t n = 0;
        const uint8_t *bytes = NULL;
        if (!wire_get_u32(&r, &n) || n > a->out_size[out[i]] || !wire_get_ref(&r, n, &bytes)) {
            return PSA_ERROR_COMMUNICATION_FAILURE;
        }
        if (n > 0) {
            memcpy(a->out[out[i]], bytes, n);
        }
        a->out_len[out[i]] = n;
    }
    return wire_reader_done(&r) ? PSA_SUCCESS : PSA_ERROR_COMMUNICATION_FAILURE;
}

/* Server side: the generic request as a record. The byte inputs point into the request. */
static int32_t generic_parse(const crypto_call_desc_t *desc, const ts_call_t *call,
                             crypto_args_t *a, uint64_t want[CRYPTO_OUT_BYTES],
                             psa_status_t *status)
{
    wire_reader_t r;
    wire_reader_init(&r, call->request, call->request_length);
    uint8_t f = desc->iov_fields;
    uint32_t step = 0;
    uint64_t ad = 0, pt = 0;
    *status = PSA_SUCCESS;
    if (f & CRYPTO_IOV_KEY_ID) {
        wire_get_u32(&r, &a->key);
    }
    if (f & CRYPTO_IOV_ALG) {
        wire_get_u32(&r, &a->alg);
    }
    if (f & CRYPTO_IOV_OP_HANDLE) {
        wire_get_u32(&r, &a->handle);
    }
    if (f & CRYPTO_IOV_LENGTHS) {
        wire_get_u64(&r, &ad);
        wire_get_u64(&r, &pt);
        a->ad_length = ad > SIZE_MAX ? SIZE_MAX : (size_t)ad;
        a->plaintext_length = pt > SIZE_MAX ? SIZE_MAX : (size_t)pt;
    }
    if (f & CRYPTO_IOV_STEP) {
        wire_get_u32(&r, &step);
        if (step > 0xffffu) {
            *status = PSA_ERROR_INVALID_ARGUMENT; /* no such step */
        }
        a->step = (uint16_t)step;
    }
    if (f & CRYPTO_IOV_VALUE) {
        wire_get_u64(&r, &a->value);
    }
    for (size_t i = 0; i < desc->in_count; i++) {
        const uint8_t *ts = NULL;
        uint32_t alg = 0, primitive = 0, confirmation = 0;
        switch (desc->in_role[i]) {
        case CRYPTO_IN_ATTRIBUTES:
            if (wire_get_ref(&r, CRYPTO_ATTRIBUTES_SIZE, &ts)) {
                (void)crypto_attributes_decode(ts, CRYPTO_ATTRIBUTES_SIZE, &a->attributes);
            }
            break;
        case CRYPTO_IN_TARGET:
            wire_get_u32(&r, &a->target_handle);
            break;
        case CRYPTO_IN_SUITE:
            wire_get_u32(&r, &alg);
            wire_get_u32(&r, &primitive);
            wire_get_u32(&r, &confirmation);
            psa_pake_cs_set_algorithm(&a->suite, alg);
            psa_pake_cs_set_primitive(&a->suite, primitive);
            psa_pake_cs_set_key_confirmation(&a->suite, confirmation);
            break;
        default:
            break;
        }
    }
    uint8_t in[CRYPTO_IN_BYTES], out[CRYPTO_OUT_BYTES];
    size_t ins = generic_inputs(desc, in), outs = generic_outputs(desc, out);
    for (size_t i = 0; i < ins; i++) {
        uint32_t n = 0;
        if (wire_get_u32(&r, &n)) {
            wire_get_ref(&r, n, &a->in[in[i]]);
            a->in_len[in[i]] = n;
        }
    }
    for (size_t i = 0; i < outs; i++) {
        wire_get_u64(&r, &want[out[i]]);
    }
    return wire_reader_done(&r) ? TS_RPC_SUCCESS : TS_RPC_ERROR_INVALID_REQUEST_BODY;
}

static int32_t generic_serve(const ts_crypto_backend_t *backend, ts_call_t *call)
{
    const crypto_call_desc_t *desc = crypto_call_find(call->opcode & ~TS_CRYPTO_OP_GENERIC);
    if (desc == NULL) {
        return TS_RPC_ERROR_INVALID_VALUE;
    }
    crypto_args_t a = {.function_id = desc->function_id};
    uint64_t want[CRYPTO_OUT_BYTES] = {0};
    psa_status_t status;
    int32_t rpc = generic_parse(desc, call, &a, want, &status);
    call->response_length = 0;
    if (rpc != TS_RPC_SUCCESS) {
        return rpc;
    }
    if (status != PSA_SUCCESS) {
        call->service_status = status;
        return TS_RPC_SUCCESS;
    }
    /* The whole response -- fixed outputs, and each byte output the caller can take with its
     * length -- must fit the memory it lent, or the call is not made (its work would be lost). */
    for (uint8_t role = CRYPTO_OUT_OUTPUT; role < CRYPTO_OUT_BYTES; role++) {
        if (want[role] > call->response_size) {
            return TS_RPC_ERROR_INVALID_RESPONSE_BODY;
        }
        a.out_size[role] = (size_t)want[role];
    }
    /* Each term is at most response_size: the sum cannot wrap. */
    if (ts_crypto_generic_response_size(&a) > call->response_size) {
        return TS_RPC_ERROR_INVALID_RESPONSE_BODY;
    }
    for (uint8_t role = CRYPTO_OUT_OUTPUT; role < CRYPTO_OUT_BYTES && rpc == TS_RPC_SUCCESS;
         role++) {
        if (a.out_size[role] > 0 && (a.out[role] = malloc(a.out_size[role])) == NULL) {
            rpc = TS_RPC_ERROR_RESOURCE_FAILURE;
        }
    }
    if (rpc == TS_RPC_SUCCESS) {
        status = forward(backend, call->session, &a);
        call->service_status = status;
        if (status == PSA_SUCCESS) {
            wire_writer_t out;
            wire_writer_init(&out, call->response, call->response_size);
            generic_put_results(&out, desc, &a);
            uint8_t roles[CRYPTO_OUT_BYTES];
            size_t outs = generic_outputs(desc, roles);
            for (size_t i = 0; i < outs; i++) {
                wire_put_u32(&out, (uint32_t)a.out_len[roles[i]]);
                wire_put_bytes(&out, a.out[roles[i]], a.out_len[roles[i]]);
            }
            if (wire_writer_ok(&out)) {
                call->response_length = wire_writer_length(&out);
            } else {
                rpc = TS_RPC_ERROR_INTERNAL; /* the response does not fit the memory */
            }
        }
    }
    for (uint8_t role = CRYPTO_OUT_OUTPUT; role < CRYPTO_OUT_BYTES; role++) {
        if (a.out[role] != NULL) {
            OPENSSL_clear_free(a.out[role], a.out_size[role]);
        }
    }
    OPENSSL_cleanse(&a, sizeof(a));
    return rpc;
}
