/* The Parsec operation table: one row per opcode, and the Parsec column of the PSA call schema. */
#ifndef PARSEC_OPS_H
#define PARSEC_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>
#include <psa/crypto.h>

#include "parsec/parsec_serve.h"

/*
 * A crypto row names the PSA function by its call-schema row id (the TF-M crypto function id,
 * CRYPTO_FID_*, which src/calls keeps as its row id) and places each of that function's
 * parameters, in PSA order, on a protobuf field: inputs on the Operation message, outputs on
 * the Result message, by field number. The roles are the call schema's (docs/call-schema.md
 * once src/calls lands): KEY, ALG, IN, OUT, OUT_FILL, ATTRS, KEY_OUT. One generic executor reads
 * the fields through protobuf-c's descriptors, so adding a PSA function to Parsec is a row.
 */
typedef enum parsec_role {
    PARSEC_ROLE_NONE = 0,
    PARSEC_ROLE_KEY,      /* string: key name, resolved to the key id in the name store */
    PARSEC_ROLE_ALG,      /* algorithm message or enum, translated to psa_algorithm_t */
    PARSEC_ROLE_IN,       /* bytes in */
    PARSEC_ROLE_OUT,      /* bytes out (Result field), sized by the row's out rule */
    PARSEC_ROLE_OUT_FILL, /* bytes out, filled completely; size from the u64 field size_field */
    PARSEC_ROLE_ATTRS,    /* KeyAttributes in */
    PARSEC_ROLE_KEY_OUT,  /* string: name of the key the call creates */
} parsec_role_t;

typedef struct parsec_param {
    uint8_t role;
    uint8_t field;      /* protobuf field number */
    uint8_t size_field; /* OUT_FILL: the Operation's u64 field giving the size */
} parsec_param_t;

/* Size of the OUT buffer (PSA's size macros; key facts come from the name store). */
typedef enum parsec_out_rule {
    PARSEC_OUT_NONE = 0,
    PARSEC_OUT_SIGNATURE,      /* PSA_SIGN_OUTPUT_SIZE(key, alg) */
    PARSEC_OUT_ASYM_ENCRYPT,   /* PSA_ASYMMETRIC_ENCRYPT_OUTPUT_SIZE(key, alg) */
    PARSEC_OUT_ASYM_DECRYPT,   /* PSA_ASYMMETRIC_DECRYPT_OUTPUT_SIZE(key, alg) */
    PARSEC_OUT_HASH,           /* PSA_HASH_MAX_SIZE */
    PARSEC_OUT_MAC,            /* PSA_MAC_MAX_SIZE */
    PARSEC_OUT_CIPHER_ENCRYPT, /* PSA_CIPHER_ENCRYPT_OUTPUT_MAX_SIZE(last input) */
    PARSEC_OUT_AEAD_ENCRYPT,   /* PSA_AEAD_ENCRYPT_OUTPUT_MAX_SIZE(last input) */
    PARSEC_OUT_INPUT_LENGTH,   /* length of the last input (decryptions) */
    PARSEC_OUT_EXPORT,         /* PSA_EXPORT_KEY_OUTPUT_SIZE(key) */
    PARSEC_OUT_EXPORT_PUBLIC,  /* PSA_EXPORT_PUBLIC_KEY_OUTPUT_SIZE(key) */
    PARSEC_OUT_AGREEMENT,      /* PSA_RAW_KEY_AGREEMENT_OUTPUT_SIZE(key) */
} parsec_out_rule_t;

/* Arguments of one PSA call, filled by role. */
typedef struct parsec_call {
    psa_key_id_t key;
    psa_algorithm_t alg;
    psa_key_attributes_t attributes;
    size_t in_count;
    struct {
        const uint8_t *data;
        size_t length;
    } in[3];
    struct {
        uint8_t *data;
        size_t size;
        size_t length;
    } out;
    psa_key_id_t key_out;
} parsec_call_t;

/* What a request carries once the header and authentication are checked. */
typedef struct parsec_request {
    const parsec_ctx_t *ctx;
    const parsec_header_t *header;
    uint8_t auth;    /* authenticator of the application (0 for none) */
    const char *app; /* application identity; NULL when not authenticated */
    bool admin;
} parsec_request_t;

#define PARSEC_OP_AUTH        0x01u /* needs an authenticated application */
#define PARSEC_OP_ADMIN       0x02u /* needs an admin */
#define PARSEC_OP_LISTED      0x04u /* advertised by ListOpcodes */
#define PARSEC_OP_UPSTREAM_TS 0x08u /* Parsec's own Trusted Services provider has it too */
#define PARSEC_OP_DESTROYS    0x10u /* the KEY parameter's name goes away with the key */

#define PARSEC_OP_MAX_PARAMS 6u

typedef struct parsec_op {
    uint32_t opcode;
    const char *name;
    uint8_t provider; /* PARSEC_PROVIDER_CORE or PARSEC_PROVIDER_TRUSTED_SERVICE */
    uint8_t flags;
    const ProtobufCMessageDescriptor *operation;
    const ProtobufCMessageDescriptor *result;
    /* Core rows and CanDoCrypto: the handler (builds *result; NULL for an empty one). */
    parsec_status_t (*run)(const parsec_request_t *rq, const ProtobufCMessage *operation,
                           ProtobufCMessage **result);
    /* Crypto rows: the call-schema row, its parameters in PSA order, and the PSA call. */
    uint16_t psa_fid;
    uint8_t param_count;
    parsec_param_t params[PARSEC_OP_MAX_PARAMS];
    uint8_t out_rule;
    psa_status_t (*call)(parsec_call_t *c);
} parsec_op_t;

extern const parsec_op_t parsec_op_table[];
extern const size_t parsec_op_table_size;

const parsec_op_t *parsec_op_find(uint32_t opcode);

/* The generic executor of crypto rows. */
parsec_status_t parsec_op_execute(const parsec_request_t *rq, const parsec_op_t *op,
                                  const ProtobufCMessage *operation, ProtobufCMessage **result);

/* Core operations and CanDoCrypto (parsec_core.c). */
parsec_status_t parsec_core_ping(const parsec_request_t *rq, const ProtobufCMessage *op,
                                 ProtobufCMessage **result);
parsec_status_t parsec_core_list_providers(const parsec_request_t *rq, const ProtobufCMessage *op,
                                           ProtobufCMessage **result);
parsec_status_t parsec_core_list_opcodes(const parsec_request_t *rq, const ProtobufCMessage *op,
                                         ProtobufCMessage **result);
parsec_status_t parsec_core_list_authenticators(const parsec_request_t *rq,
                                                const ProtobufCMessage *op,
                                                ProtobufCMessage **result);
parsec_status_t parsec_core_list_keys(const parsec_request_t *rq, const ProtobufCMessage *op,
                                      ProtobufCMessage **result);
parsec_status_t parsec_core_list_clients(const parsec_request_t *rq, const ProtobufCMessage *op,
                                         ProtobufCMessage **result);
parsec_status_t parsec_core_delete_client(const parsec_request_t *rq, const ProtobufCMessage *op,
                                          ProtobufCMessage **result);
parsec_status_t parsec_ts_can_do_crypto(const parsec_request_t *rq, const ProtobufCMessage *op,
                                        ProtobufCMessage **result);
parsec_status_t parsec_ts_not_supported(const parsec_request_t *rq, const ProtobufCMessage *op,
                                        ProtobufCMessage **result);

/* Destroys a named key: name store first, then the key (two-phase, see parsec_kim.h). */
parsec_status_t parsec_destroy_named_key(const parsec_request_t *rq, const char *app,
                                         const char *name);

#endif /* PARSEC_OPS_H */
