/* The one table of crypto calls: function ids, iovec header, vector layout per call, codecs. */
#ifndef COMMS_CRYPTO_CALLS_H
#define COMMS_CRYPTO_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/client.h>
#include <psa/crypto.h>

/*
 * Every crypto call is psa_call(0x40000100, PSA_IPC_CALL, in, in_len, out, out_len) with the
 * 56-byte iovec header (TF-M's struct tfm_crypto_pack_iovec) as in_vec[0]. The header's
 * function_id picks a row of crypto_call_table; the row says which header fields the call uses
 * and what each further in_vec and each out_vec carries. libpsa's marshalling and rssd's
 * unmarshalling both read the row, so the two ends cannot drift apart.
 * Ids are TF-M's (reference sheet section 3.4); the extensions of this project are listed in
 * docs/crypto-calls.md.
 */

/* ---- function ids: (group << 8) | index --------------------------------------------------- */
#define CRYPTO_FID_GENERATE_RANDOM    0x0100u
#define CRYPTO_FID_GET_KEY_ATTRIBUTES 0x0200u
#define CRYPTO_FID_OPEN_KEY           0x0201u /* abandoned API: NOT_SUPPORTED */
#define CRYPTO_FID_CLOSE_KEY          0x0202u /* abandoned API: NOT_SUPPORTED */
#define CRYPTO_FID_IMPORT_KEY         0x0203u
#define CRYPTO_FID_DESTROY_KEY        0x0204u
#define CRYPTO_FID_EXPORT_KEY         0x0205u
#define CRYPTO_FID_EXPORT_PUBLIC_KEY  0x0206u
#define CRYPTO_FID_PURGE_KEY          0x0207u
#define CRYPTO_FID_COPY_KEY           0x0208u
#define CRYPTO_FID_GENERATE_KEY       0x0209u
/* Extension (not carried by TF-M): the caller's persistent key ids; see docs/crypto-calls.md. */
#define CRYPTO_FID_LIST_KEYS 0x020Fu
/* LIST_KEYS answers at most this many ids (u32 little-endian each) per call. */
#define CRYPTO_LIST_KEYS_MAX    256u
#define CRYPTO_FID_HASH_COMPUTE 0x0300u
#define CRYPTO_FID_HASH_COMPARE 0x0301u
#define CRYPTO_FID_HASH_SETUP   0x0302u
#define CRYPTO_FID_HASH_UPDATE  0x0303u
#define CRYPTO_FID_HASH_CLONE   0x0304u
#define CRYPTO_FID_HASH_FINISH  0x0305u
#define CRYPTO_FID_HASH_VERIFY  0x0306u
#define CRYPTO_FID_HASH_ABORT   0x0307u
/* 0x0308 is TF-M's CAN_DO_HASH (not carried). Extensions: see docs/crypto-calls.md. */
#define CRYPTO_FID_HASH_SUSPEND                 0x0309u
#define CRYPTO_FID_HASH_RESUME                  0x030Au
#define CRYPTO_FID_MAC_COMPUTE                  0x0400u
#define CRYPTO_FID_MAC_VERIFY                   0x0401u
#define CRYPTO_FID_MAC_SIGN_SETUP               0x0402u
#define CRYPTO_FID_MAC_VERIFY_SETUP             0x0403u
#define CRYPTO_FID_MAC_UPDATE                   0x0404u
#define CRYPTO_FID_MAC_SIGN_FINISH              0x0405u
#define CRYPTO_FID_MAC_VERIFY_FINISH            0x0406u
#define CRYPTO_FID_MAC_ABORT                    0x0407u
#define CRYPTO_FID_CIPHER_ENCRYPT               0x0500u
#define CRYPTO_FID_CIPHER_DECRYPT               0x0501u
#define CRYPTO_FID_CIPHER_ENCRYPT_SETUP         0x0502u
#define CRYPTO_FID_CIPHER_DECRYPT_SETUP         0x0503u
#define CRYPTO_FID_CIPHER_GENERATE_IV           0x0504u
#define CRYPTO_FID_CIPHER_SET_IV                0x0505u
#define CRYPTO_FID_CIPHER_UPDATE                0x0506u
#define CRYPTO_FID_CIPHER_FINISH                0x0507u
#define CRYPTO_FID_CIPHER_ABORT                 0x0508u
#define CRYPTO_FID_AEAD_ENCRYPT                 0x0600u
#define CRYPTO_FID_AEAD_DECRYPT                 0x0601u
#define CRYPTO_FID_AEAD_ENCRYPT_SETUP           0x0602u
#define CRYPTO_FID_AEAD_DECRYPT_SETUP           0x0603u
#define CRYPTO_FID_AEAD_GENERATE_NONCE          0x0604u
#define CRYPTO_FID_AEAD_SET_NONCE               0x0605u
#define CRYPTO_FID_AEAD_SET_LENGTHS             0x0606u
#define CRYPTO_FID_AEAD_UPDATE_AD               0x0607u
#define CRYPTO_FID_AEAD_UPDATE                  0x0608u
#define CRYPTO_FID_AEAD_FINISH                  0x0609u
#define CRYPTO_FID_AEAD_VERIFY                  0x060Au
#define CRYPTO_FID_AEAD_ABORT                   0x060Bu
#define CRYPTO_FID_SIGN_MESSAGE                 0x0700u
#define CRYPTO_FID_VERIFY_MESSAGE               0x0701u
#define CRYPTO_FID_SIGN_HASH                    0x0702u
#define CRYPTO_FID_VERIFY_HASH                  0x0703u
#define CRYPTO_FID_ASYMMETRIC_ENCRYPT           0x0800u
#define CRYPTO_FID_ASYMMETRIC_DECRYPT           0x0801u
#define CRYPTO_FID_RAW_KEY_AGREEMENT            0x0900u
#define CRYPTO_FID_KEY_DERIVATION_SETUP         0x0901u
#define CRYPTO_FID_KEY_DERIVATION_GET_CAPACITY  0x0902u
#define CRYPTO_FID_KEY_DERIVATION_SET_CAPACITY  0x0903u
#define CRYPTO_FID_KEY_DERIVATION_INPUT_BYTES   0x0904u
#define CRYPTO_FID_KEY_DERIVATION_INPUT_KEY     0x0905u
#define CRYPTO_FID_KEY_DERIVATION_INPUT_INTEGER 0x0906u
#define CRYPTO_FID_KEY_DERIVATION_KEY_AGREEMENT 0x0907u
#define CRYPTO_FID_KEY_DERIVATION_OUTPUT_BYTES  0x0908u
#define CRYPTO_FID_KEY_DERIVATION_OUTPUT_KEY    0x0909u
#define CRYPTO_FID_KEY_DERIVATION_ABORT         0x090Au
/* Extensions (not carried by TF-M): see docs/crypto-calls.md. */
#define CRYPTO_FID_KEY_DERIVATION_VERIFY_BYTES 0x090Bu
#define CRYPTO_FID_KEY_DERIVATION_VERIFY_KEY   0x090Cu
#define CRYPTO_FID_KEY_AGREEMENT               0x090Du
#define CRYPTO_FID_PAKE_SETUP                  0x0A00u
#define CRYPTO_FID_PAKE_SET_ROLE               0x0A01u
#define CRYPTO_FID_PAKE_SET_USER               0x0A02u
#define CRYPTO_FID_PAKE_SET_PEER               0x0A03u
#define CRYPTO_FID_PAKE_SET_CONTEXT            0x0A04u
#define CRYPTO_FID_PAKE_OUTPUT                 0x0A05u
#define CRYPTO_FID_PAKE_INPUT                  0x0A06u
#define CRYPTO_FID_PAKE_GET_SHARED_KEY         0x0A07u
#define CRYPTO_FID_PAKE_ABORT                  0x0A08u

/* ---- the iovec header (in_vec[0]) --------------------------------------------------------- */

#define CRYPTO_IOVEC_SIZE      56u
#define CRYPTO_IOVEC_NONCE_MAX 16u

/* Host view of tfm_crypto_pack_iovec; the wire layout is fixed by crypto_iovec_encode/decode,
 * never by this struct. `value` holds the union: capacity is its low 32 bits on the wire. */
typedef struct crypto_iovec {
    uint32_t key_id;
    uint32_t alg;
    uint32_t op_handle;
    uint32_t ad_length;
    uint32_t plaintext_length;
    uint8_t nonce[CRYPTO_IOVEC_NONCE_MAX];
    uint32_t nonce_length;
    uint16_t function_id;
    uint16_t step;
    uint64_t value;
} crypto_iovec_t;

/* Header fields a call uses (the marshaller zeroes the others). */
#define CRYPTO_IOV_KEY_ID    0x01u
#define CRYPTO_IOV_ALG       0x02u
#define CRYPTO_IOV_OP_HANDLE 0x04u
#define CRYPTO_IOV_LENGTHS   0x08u /* ad_length, plaintext_length */
#define CRYPTO_IOV_NONCE     0x10u /* nonce, nonce_length */
#define CRYPTO_IOV_STEP      0x20u
#define CRYPTO_IOV_VALUE     0x40u /* capacity / integer input / PAKE role */

void crypto_iovec_encode(const crypto_iovec_t *iov, uint8_t out[CRYPTO_IOVEC_SIZE]);
/* PSA_ERROR_PROGRAMMER_ERROR unless length is exactly CRYPTO_IOVEC_SIZE (as TF-M checks). */
psa_status_t crypto_iovec_decode(const uint8_t *data, size_t length, crypto_iovec_t *iov);

/* ---- key attributes: the 24-byte client view (sheet section 6) ----------------------------- */

#define CRYPTO_ATTRIBUTES_SIZE 24u
/* type u16 @0, bits u16 @2, lifetime u32 @4, usage u32 @8, alg u32 @12, alg2 u32 @16, id u32 @20.
 * alg2 (Mbed TLS's enrolment algorithm, not in the PSA API) is sent as 0, except that a bit size
 * beyond 16 bits is sent as 0xffff (Mbed TLS's "too large" marker) with the real size in the
 * alg2 slot, so rssd's core judges the same value the in-process core would. */
#define CRYPTO_ATTRIBUTES_BITS_TOO_LARGE 0xffffu
void crypto_attributes_encode(const psa_key_attributes_t *attributes,
                              uint8_t out[CRYPTO_ATTRIBUTES_SIZE]);
psa_status_t crypto_attributes_decode(const uint8_t *data, size_t length,
                                      psa_key_attributes_t *attributes);

/* PAKE cipher suite: algorithm u32 @0, primitive u32 @4, key_confirmation u32 @8. */
#define CRYPTO_PAKE_SUITE_SIZE 12u
void crypto_pake_suite_encode(const psa_pake_cipher_suite_t *suite,
                              uint8_t out[CRYPTO_PAKE_SUITE_SIZE]);
psa_status_t crypto_pake_suite_decode(const uint8_t *data, size_t length,
                                      psa_pake_cipher_suite_t *suite);

/* ---- the schema: every call's parameters by role ------------------------------------------- */

/*
 * A row of crypto_call_table describes one PSA function: which argument-record fields it uses and,
 * for RSS comms, which header field or vector slot carries each of them. Vectors are named by the
 * PSA parameter they carry (their role); the vector's size rule follows from the role. The
 * argument record (crypto_args_t) holds a call's parameters by role, so the front functions fill
 * it, the dispatcher reads it, and the RSS codecs below move it onto the wire -- all from the row.
 */

/* Byte-string inputs: crypto_args_t.in[role]. */
enum crypto_in_role {
    CRYPTO_IN_NONE = 0,
    CRYPTO_IN_INPUT,    /* input, message, plaintext or ciphertext, hash to sign, key data,
                         * PAKE user/peer/context, hash state to resume */
    CRYPTO_IN_AD,       /* AEAD additional data */
    CRYPTO_IN_NONCE,    /* nonce or IV */
    CRYPTO_IN_CHECK,    /* what a verification compares with: signature, MAC, hash, tag,
                         * expected derivation output */
    CRYPTO_IN_SALT,     /* asymmetric encryption salt (label) */
    CRYPTO_IN_PEER_KEY, /* key agreement peer public key */
    CRYPTO_IN_BYTES,    /* number of byte-string input roles */
    /* fixed-size inputs */
    CRYPTO_IN_ATTRIBUTES = CRYPTO_IN_BYTES, /* crypto_args_t.attributes */
    CRYPTO_IN_TARGET,                       /* HASH_CLONE: the target's current handle */
    CRYPTO_IN_SUITE,                        /* crypto_args_t.suite */
};

/* Outputs: byte strings in crypto_args_t.out[role], fixed-size values in their fields. */
enum crypto_out_role {
    CRYPTO_OUT_NONE = 0,
    CRYPTO_OUT_OUTPUT, /* output, ciphertext, signature, hash, MAC, IV, key data, state */
    CRYPTO_OUT_TAG,    /* AEAD finish tag */
    CRYPTO_OUT_BYTES,  /* number of byte-string output roles */
    CRYPTO_OUT_HANDLE = CRYPTO_OUT_BYTES, /* the operation's handle after the call (0: ended) */
    CRYPTO_OUT_KEY,                       /* crypto_args_t.new_key */
    CRYPTO_OUT_ATTRIBUTES,                /* crypto_args_t.attributes */
    CRYPTO_OUT_CAPACITY,                  /* crypto_args_t.value */
};

/* Vector size rules (what a role means for the wire). */
typedef enum crypto_vec_kind {
    CRYPTO_VEC_NONE = 0,
    CRYPTO_VEC_BYTES,      /* any length (data in, buffer out) */
    CRYPTO_VEC_ATTRIBUTES, /* exactly CRYPTO_ATTRIBUTES_SIZE */
    CRYPTO_VEC_KEY_ID,     /* exactly 4: u32 key id */
    CRYPTO_VEC_HANDLE,     /* exactly 4: u32 operation handle */
    CRYPTO_VEC_SIZE,       /* 4 (TF-M's rot_size_t, saturated) or 8 (this project's libpsa) */
    CRYPTO_VEC_PAKE_SUITE, /* exactly CRYPTO_PAKE_SUITE_SIZE */
} crypto_vec_kind_t;

crypto_vec_kind_t crypto_in_kind(uint8_t in_role);
crypto_vec_kind_t crypto_out_kind(uint8_t out_role);

#define CRYPTO_CALL_MAX_IN  3u /* besides the header */
#define CRYPTO_CALL_MAX_OUT 3u

/*
 * Row flag: rssd may let the call read its byte inputs and write its byte outputs in place in the
 * client's shared memory, which the client can change during the call. Only calls for which that
 * gives a racing client nothing its key policy does not already grant carry it; the argument for
 * each is in docs/crypto-calls.md ("Shared memory"). Every other call works on private copies.
 */
#define CRYPTO_CALL_BULK_IN_PLACE 0x01u
/* The call sets an operation up (setup, resume): the record's handle is the object's current
 * one, and the new operation's handle comes back. */
#define CRYPTO_CALL_SETUP 0x02u
/* The call aborts its operation: an operation that is not there aborts successfully. */
#define CRYPTO_CALL_ABORT 0x04u

/* Row flag: the call's input (I_INPUT) may still be arriving while the call runs; the core reads
 * it as it comes (core_stream_t, docs/crypto-calls.md "Streamed input"). Only one-shot calls
 * whose core waits for each piece before it reads it carry it; the input is in place too. */
#define CRYPTO_CALL_STREAMS 0x08u

typedef struct crypto_call_desc {
    uint16_t function_id;
    const char *name;
    uint8_t flags;      /* CRYPTO_CALL_* */
    uint8_t iov_fields; /* CRYPTO_IOV_* */
    uint8_t in_count;   /* vectors after the header */
    uint8_t out_count;
    uint8_t in_role[CRYPTO_CALL_MAX_IN];   /* enum crypto_in_role of in_vec[1 + i] */
    uint8_t out_role[CRYPTO_CALL_MAX_OUT]; /* enum crypto_out_role of out_vec[i] */
} crypto_call_desc_t;

extern const crypto_call_desc_t crypto_call_table[];
extern const size_t crypto_call_table_size;

/* For each function id, the position of its row plus one (0: no row). */
#define CRYPTO_CALL_GROUPS  11u /* function id >> 8: 0x01 .. 0x0A */
#define CRYPTO_CALL_INDICES 16u /* function id & 0xff: at most 0x0D */
extern const uint8_t crypto_call_row_at[CRYPTO_CALL_GROUPS][CRYPTO_CALL_INDICES];

/* The row of a function id, or NULL for an id this project does not carry. O(1) and inline:
 * every call of every front end looks its row up. */
static inline const crypto_call_desc_t *crypto_call_find(uint16_t function_id)
{
    unsigned group = function_id >> 8, index = function_id & 0xffu;
    if (group >= CRYPTO_CALL_GROUPS || index >= CRYPTO_CALL_INDICES ||
        crypto_call_row_at[group][index] == 0) {
        return NULL;
    }
    return &crypto_call_table[crypto_call_row_at[group][index] - 1];
}

/* Whether the row works on an existing operation (named by the record's handle). */
static inline bool crypto_call_uses_op(const crypto_call_desc_t *desc)
{
    return (desc->iov_fields & CRYPTO_IOV_OP_HANDLE) != 0 && !(desc->flags & CRYPTO_CALL_SETUP);
}

/* ---- the argument record -------------------------------------------------------------------- */

typedef struct crypto_op_ref {
    uint32_t *handle;
    uint32_t *route;
    void **ctx;
} crypto_op_ref_t;

typedef struct crypto_args {
    uint16_t function_id;
    psa_key_id_t key;
    psa_algorithm_t alg;
    uint32_t handle;        /* the operation's handle; after the call, CRYPTO_OUT_HANDLE */
    uint32_t target_handle; /* HASH_CLONE: the target object's handle */
    uint16_t step;          /* derivation or PAKE step */
    uint64_t value;         /* capacity, integer input, PAKE role; GET_CAPACITY's answer */
    size_t ad_length;       /* AEAD_SET_LENGTHS */
    size_t plaintext_length;
    psa_key_attributes_t attributes; /* input, or GET_KEY_ATTRIBUTES's answer */
    psa_pake_cipher_suite_t suite;
    psa_key_id_t new_key;                         /* CRYPTO_OUT_KEY */
    uint8_t header_nonce[CRYPTO_IOVEC_NONCE_MAX]; /* service side: a header nonce's bytes */
    const uint8_t *in[CRYPTO_IN_BYTES];
    size_t in_len[CRYPTO_IN_BYTES];
    uint8_t *out[CRYPTO_OUT_BYTES];
    size_t out_size[CRYPTO_OUT_BYTES];
    size_t out_len[CRYPTO_OUT_BYTES];
    /* In-process only (never on a wire): the operation objects the core runs on, and the fields
     * every operation object has (PSA__OPERATION_FIELDS) for the client library's routing. */
    void *op;
    void *target_op;
    crypto_op_ref_t op_ref;
    crypto_op_ref_t target_ref;
} crypto_args_t;

/* ---- RSS comms: the record on TF-M's vectors ------------------------------------------------ */

/* Storage for one call's header and fixed-size vectors on the client side. */
typedef struct crypto_wire {
    uint8_t header[CRYPTO_IOVEC_SIZE];
    uint8_t attributes[CRYPTO_ATTRIBUTES_SIZE];
    uint8_t suite[CRYPTO_PAKE_SUITE_SIZE];
    uint8_t target[4];
    uint8_t fixed_out[CRYPTO_CALL_MAX_OUT][CRYPTO_ATTRIBUTES_SIZE];
    psa_invec in[PSA_MAX_IOVEC];
    psa_outvec out[PSA_MAX_IOVEC];
    size_t in_len;
    size_t out_len;
} crypto_wire_t;

/*
 * Client side: the vectors of the call a->function_id from the record, by its row. Trailing empty
 * vectors are dropped; 32-bit header fields saturate. PROGRAMMER_ERROR for an id without a row,
 * or a header nonce longer than CRYPTO_IOVEC_NONCE_MAX (the caller must not send one).
 */
psa_status_t crypto_args_encode(const crypto_args_t *a, crypto_wire_t *w);

/*
 * Client side, after the call answered `status`: the record's outputs from the reply (out_len of
 * each byte output; handle, key, attributes, capacity). A fixed-size output of the wrong size
 * reads as 0; attributes that do not decode, or a capacity that is not 8 bytes, make
 * COMMUNICATION_FAILURE. Returns the status.
 */
psa_status_t crypto_args_decode_reply(crypto_args_t *a, crypto_wire_t *w, psa_status_t status);

/*
 * How the partition manager may hand a call's vectors to the service when they live in memory
 * the client can write during the call. Bit i of a mask stands for in_vec[i] / out_vec[i].
 * in_place_in/out: may stay in shared memory (bulk data of a CRYPTO_CALL_BULK_IN_PLACE row);
 * every other vector is copied in before the call and out after a successful one. No output of
 * a failed call travels back, not even an operation handle or a key id: the client keeps the
 * handle it sent (docs/crypto-calls.md).
 */
typedef struct crypto_vec_policy {
    uint8_t in_place_in;
    uint8_t in_place_out;
    uint8_t streams_in; /* the in_vec a CRYPTO_CALL_STREAMS row reads as it arrives */
} crypto_vec_policy_t;

/* The policy for a call whose header (in_vec[0], already in private memory) is `header`.
 * A header that does not decode, or names no row, gets the safe default: copy everything,
 * keep nothing on error. */
void crypto_call_vec_policy(const uint8_t *header, size_t header_len, crypto_vec_policy_t *policy);

/*
 * Service side: trims trailing zero-length vectors, decodes the header, finds the row, checks
 * every vector against it and fills the record (byte outputs point into `out`). Vectors the caller
 * trimmed or omitted read as empty. PROGRAMMER_ERROR: no header, header not 56 bytes, more vectors
 * than the row has, a fixed-size vector of the wrong size or that does not decode, a header nonce
 * over 16 bytes. NOT_SUPPORTED: unknown function id.
 */
psa_status_t crypto_call_unmarshal(const psa_invec *in, size_t in_len, psa_outvec *out,
                                   size_t out_len, crypto_args_t *a,
                                   const crypto_call_desc_t **desc);

/* Service side, after the call ran and answered `status`: writes the record's outputs into `out`
 * and sets every output's length. A failed call reports only its operation's handle (0 when there
 * is none) and PSA_KEY_ID_NULL for a new key; the transport sends no output of a failed call. */
void crypto_call_reply(const crypto_call_desc_t *desc, const crypto_args_t *a, psa_status_t status,
                       psa_outvec *out, size_t out_len);

#endif /* COMMS_CRYPTO_CALLS_H */
