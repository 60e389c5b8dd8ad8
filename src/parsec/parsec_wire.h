/* Parsec wire protocol 1.0: header layout, opcodes, statuses, ids, and the request framing. */
#ifndef PARSEC_WIRE_H
#define PARSEC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Values from the Parsec fact sheet (shared/reference/parsec-wire-protocol.md, section 1). */
#define PARSEC_MAGIC            0x5EC0A710u
#define PARSEC_HEADER_SIZE      36u /* the whole fixed header */
#define PARSEC_HEADER_SIZE_WIRE 30u /* the header-size field: bytes after that field */
#define PARSEC_PREFIX_SIZE      6u  /* magic + header-size field: what framing reads first */
#define PARSEC_VERSION_MAJOR    1u
#define PARSEC_VERSION_MINOR    0u
#define PARSEC_BODY_PROTOBUF    0u

/* Providers (a closed set in every Parsec client). */
#define PARSEC_PROVIDER_CORE            0u
#define PARSEC_PROVIDER_TRUSTED_SERVICE 4u
#define PARSEC_PROVIDER_ID_MAX          5u

/* Authenticator types (auth type field). */
#define PARSEC_AUTH_NONE      0u
#define PARSEC_AUTH_DIRECT    1u
#define PARSEC_AUTH_JWT       2u
#define PARSEC_AUTH_UNIX_PEER 3u
#define PARSEC_AUTH_JWT_SVID  4u
#define PARSEC_AUTH_TYPE_MAX  4u

/* Opcodes (sheet 1.4). */
#define PARSEC_OP_PING                    0x01u
#define PARSEC_OP_PSA_GENERATE_KEY        0x02u
#define PARSEC_OP_PSA_DESTROY_KEY         0x03u
#define PARSEC_OP_PSA_SIGN_HASH           0x04u
#define PARSEC_OP_PSA_VERIFY_HASH         0x05u
#define PARSEC_OP_PSA_IMPORT_KEY          0x06u
#define PARSEC_OP_PSA_EXPORT_PUBLIC_KEY   0x07u
#define PARSEC_OP_LIST_PROVIDERS          0x08u
#define PARSEC_OP_LIST_OPCODES            0x09u
#define PARSEC_OP_PSA_ASYMMETRIC_ENCRYPT  0x0Au
#define PARSEC_OP_PSA_ASYMMETRIC_DECRYPT  0x0Bu
#define PARSEC_OP_PSA_EXPORT_KEY          0x0Cu
#define PARSEC_OP_PSA_GENERATE_RANDOM     0x0Du
#define PARSEC_OP_LIST_AUTHENTICATORS     0x0Eu
#define PARSEC_OP_PSA_HASH_COMPUTE        0x0Fu
#define PARSEC_OP_PSA_HASH_COMPARE        0x10u
#define PARSEC_OP_PSA_AEAD_ENCRYPT        0x11u
#define PARSEC_OP_PSA_AEAD_DECRYPT        0x12u
#define PARSEC_OP_PSA_RAW_KEY_AGREEMENT   0x13u
#define PARSEC_OP_PSA_CIPHER_ENCRYPT      0x14u
#define PARSEC_OP_PSA_CIPHER_DECRYPT      0x15u
#define PARSEC_OP_PSA_MAC_COMPUTE         0x16u
#define PARSEC_OP_PSA_MAC_VERIFY          0x17u
#define PARSEC_OP_PSA_SIGN_MESSAGE        0x18u
#define PARSEC_OP_PSA_VERIFY_MESSAGE      0x19u
#define PARSEC_OP_LIST_KEYS               0x1Au
#define PARSEC_OP_LIST_CLIENTS            0x1Bu
#define PARSEC_OP_DELETE_CLIENT           0x1Cu
#define PARSEC_OP_ATTEST_KEY              0x1Eu
#define PARSEC_OP_PREPARE_KEY_ATTESTATION 0x1Fu
#define PARSEC_OP_CAN_DO_CRYPTO           0x20u

/* Response statuses (sheet 1.7). PSA errors are 1000 - psa_status_t. */
typedef enum parsec_status {
    PARSEC_SUCCESS = 0,
    PARSEC_WRONG_PROVIDER_ID = 1,
    PARSEC_CONTENT_TYPE_NOT_SUPPORTED = 2,
    PARSEC_ACCEPT_TYPE_NOT_SUPPORTED = 3,
    PARSEC_WIRE_PROTOCOL_VERSION_NOT_SUPPORTED = 4,
    PARSEC_PROVIDER_NOT_REGISTERED = 5,
    PARSEC_PROVIDER_DOES_NOT_EXIST = 6,
    PARSEC_DESERIALIZING_BODY_FAILED = 7,
    PARSEC_SERIALIZING_BODY_FAILED = 8,
    PARSEC_OPCODE_DOES_NOT_EXIST = 9,
    PARSEC_RESPONSE_TOO_LARGE = 10,
    PARSEC_AUTHENTICATION_ERROR = 11,
    PARSEC_AUTHENTICATOR_DOES_NOT_EXIST = 12,
    PARSEC_AUTHENTICATOR_NOT_REGISTERED = 13,
    PARSEC_KEY_INFO_MANAGER_ERROR = 14,
    PARSEC_CONNECTION_ERROR = 15,
    PARSEC_INVALID_ENCODING = 16,
    PARSEC_INVALID_HEADER = 17,
    PARSEC_WRONG_PROVIDER_UUID = 18,
    PARSEC_NOT_AUTHENTICATED = 19,
    PARSEC_BODY_SIZE_EXCEEDS_LIMIT = 20,
    PARSEC_ADMIN_OPERATION = 21,
    PARSEC_DEPRECATED_PRIMITIVE = 22,
    PARSEC_PSA_ERROR_GENERIC_ERROR = 1132,
    PARSEC_PSA_ERROR_NOT_PERMITTED = 1133,
    PARSEC_PSA_ERROR_NOT_SUPPORTED = 1134,
    PARSEC_PSA_ERROR_INVALID_ARGUMENT = 1135,
    PARSEC_PSA_ERROR_INVALID_HANDLE = 1136,
    PARSEC_PSA_ERROR_BAD_STATE = 1137,
    PARSEC_PSA_ERROR_BUFFER_TOO_SMALL = 1138,
    PARSEC_PSA_ERROR_ALREADY_EXISTS = 1139,
    PARSEC_PSA_ERROR_DOES_NOT_EXIST = 1140,
    PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY = 1141,
    PARSEC_PSA_ERROR_INSUFFICIENT_STORAGE = 1142,
    PARSEC_PSA_ERROR_INSUFFICIENT_DATA = 1143,
    PARSEC_PSA_ERROR_COMMUNICATION_FAILURE = 1145,
    PARSEC_PSA_ERROR_STORAGE_FAILURE = 1146,
    PARSEC_PSA_ERROR_HARDWARE_FAILURE = 1147,
    PARSEC_PSA_ERROR_INSUFFICIENT_ENTROPY = 1148,
    PARSEC_PSA_ERROR_INVALID_SIGNATURE = 1149,
    PARSEC_PSA_ERROR_INVALID_PADDING = 1150,
    PARSEC_PSA_ERROR_CORRUPTION_DETECTED = 1151,
    PARSEC_PSA_ERROR_DATA_CORRUPT = 1152,
    PARSEC_PSA_ERROR_DATA_INVALID = 1153,
} parsec_status_t;

/* Host view of the 36-byte header (both directions; fields of the other direction are 0). */
typedef struct parsec_header {
    uint16_t flags;
    uint8_t provider;
    uint64_t session;
    uint8_t content_type;
    uint8_t accept_type;
    uint8_t auth_type;
    uint32_t body_len;
    uint16_t auth_len;
    uint32_t opcode;
    uint16_t status;
} parsec_header_t;

/*
 * Framing: a stream transport reads PARSEC_PREFIX_SIZE bytes, then asks parsec_frame how many
 * bytes the request has in all (header, body, auth), reading more as it learns more. Checks
 * follow Parsec's reader order: magic, header size, version, reserved bytes, then the body
 * limit. PARSEC_SUCCESS with *need > have: read up to *need and call again; PARSEC_SUCCESS with
 * *need == have: the request is complete; any other status: answer it with
 * parsec_encode_read_error and close (the rest of the request is never read).
 */
parsec_status_t parsec_frame(const uint8_t *data, size_t have, uint32_t body_limit, size_t *need);

/*
 * Decodes the header of a complete frame (parsec_frame said so) and applies the conversion
 * checks in Parsec's order: content type, accept type, auth type, opcode, provider id.
 * opcode_known() tells whether an opcode exists in the protocol.
 */
parsec_status_t parsec_header_decode(const uint8_t *data, size_t length, parsec_header_t *hdr,
                                     bool (*opcode_known)(uint32_t opcode));

/* Writes a response header (request-only fields zero, magic, sizes and version set). */
void parsec_header_encode_response(const parsec_header_t *hdr, uint8_t out[PARSEC_HEADER_SIZE]);

/* The answer to a request that could not be read: provider core, opcode Ping, empty body. */
void parsec_encode_read_error(parsec_status_t status, uint8_t out[PARSEC_HEADER_SIZE]);

/* A known status name for logs ("InvalidHeader", "PsaErrorDoesNotExist", ...). */
const char *parsec_status_name(parsec_status_t status);

#endif /* PARSEC_WIRE_H */
