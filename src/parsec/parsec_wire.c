/* Parsec wire protocol 1.0: request framing, header decode/encode, status names. */
#include "parsec/parsec_wire.h"

#include <string.h>

#include "base/wire.h"

parsec_status_t parsec_frame(const uint8_t *data, size_t have, uint32_t body_limit, size_t *need)
{
    *need = PARSEC_PREFIX_SIZE;
    if (have < PARSEC_PREFIX_SIZE) {
        return PARSEC_SUCCESS;
    }
    if (wire_load_u32(data) != PARSEC_MAGIC) {
        return PARSEC_INVALID_HEADER;
    }
    /* Parsec reads header-size bytes before judging the value; the answer is the same, so we
     * judge it at once rather than wait for bytes that would be thrown away. */
    if (wire_load_u16(data + 4) != PARSEC_HEADER_SIZE_WIRE) {
        return PARSEC_INVALID_HEADER;
    }
    *need = PARSEC_HEADER_SIZE;
    if (have < PARSEC_HEADER_SIZE) {
        return PARSEC_SUCCESS;
    }
    if (data[6] != PARSEC_VERSION_MAJOR || data[7] != PARSEC_VERSION_MINOR) {
        return PARSEC_WIRE_PROTOCOL_VERSION_NOT_SUPPORTED;
    }
    if (data[34] != 0 || data[35] != 0) {
        return PARSEC_INVALID_HEADER;
    }
    uint32_t body_len = wire_load_u32(data + 22);
    uint16_t auth_len = wire_load_u16(data + 26);
    if (body_len > body_limit) {
        return PARSEC_BODY_SIZE_EXCEEDS_LIMIT;
    }
    *need = (size_t)PARSEC_HEADER_SIZE + body_len + auth_len;
    if (have > *need) {
        /* One request per connection: bytes after it are a protocol error. */
        return PARSEC_INVALID_HEADER;
    }
    return PARSEC_SUCCESS;
}

parsec_status_t parsec_header_decode(const uint8_t *data, size_t length, parsec_header_t *hdr,
                                     bool (*opcode_known)(uint32_t opcode))
{
    wire_reader_t r;
    uint32_t magic = 0;
    uint16_t size = 0, status = 0;
    uint8_t major = 0, minor = 0, reserved1 = 0, reserved2 = 0;
    memset(hdr, 0, sizeof(*hdr));
    wire_reader_init(&r, data, length);
    wire_get_u32(&r, &magic);
    wire_get_u16(&r, &size);
    wire_get_u8(&r, &major);
    wire_get_u8(&r, &minor);
    wire_get_u16(&r, &hdr->flags);
    wire_get_u8(&r, &hdr->provider);
    wire_get_u64(&r, &hdr->session);
    wire_get_u8(&r, &hdr->content_type);
    wire_get_u8(&r, &hdr->accept_type);
    wire_get_u8(&r, &hdr->auth_type);
    wire_get_u32(&r, &hdr->body_len);
    wire_get_u16(&r, &hdr->auth_len);
    wire_get_u32(&r, &hdr->opcode);
    wire_get_u16(&r, &status);
    wire_get_u8(&r, &reserved1);
    wire_get_u8(&r, &reserved2);
    if (!wire_reader_ok(&r) || magic != PARSEC_MAGIC || size != PARSEC_HEADER_SIZE_WIRE) {
        return PARSEC_INVALID_HEADER;
    }
    if (major != PARSEC_VERSION_MAJOR || minor != PARSEC_VERSION_MINOR) {
        return PARSEC_WIRE_PROTOCOL_VERSION_NOT_SUPPORTED;
    }
    if (reserved1 != 0 || reserved2 != 0) {
        return PARSEC_INVALID_HEADER;
    }
    if (wire_remaining(&r) != (size_t)hdr->body_len + hdr->auth_len) {
        return PARSEC_INVALID_HEADER;
    }
    /* Flags are not checked, as in Parsec (its clients write 0, and some may not). */
    if (hdr->content_type != PARSEC_BODY_PROTOBUF) {
        return PARSEC_CONTENT_TYPE_NOT_SUPPORTED;
    }
    if (hdr->accept_type != PARSEC_BODY_PROTOBUF) {
        return PARSEC_ACCEPT_TYPE_NOT_SUPPORTED;
    }
    if (hdr->auth_type > PARSEC_AUTH_TYPE_MAX) {
        return PARSEC_AUTHENTICATOR_DOES_NOT_EXIST;
    }
    if (!opcode_known(hdr->opcode)) {
        return PARSEC_OPCODE_DOES_NOT_EXIST;
    }
    if (hdr->provider > PARSEC_PROVIDER_ID_MAX) {
        return PARSEC_PROVIDER_DOES_NOT_EXIST;
    }
    return PARSEC_SUCCESS;
}

void parsec_header_encode_response(const parsec_header_t *hdr, uint8_t out[PARSEC_HEADER_SIZE])
{
    wire_writer_t w;
    wire_writer_init(&w, out, PARSEC_HEADER_SIZE);
    wire_put_u32(&w, PARSEC_MAGIC);
    wire_put_u16(&w, PARSEC_HEADER_SIZE_WIRE);
    wire_put_u8(&w, PARSEC_VERSION_MAJOR);
    wire_put_u8(&w, PARSEC_VERSION_MINOR);
    wire_put_u16(&w, 0); /* flags */
    wire_put_u8(&w, hdr->provider);
    wire_put_u64(&w, hdr->session);
    wire_put_u8(&w, hdr->content_type);
    wire_put_u8(&w, 0); /* accept type: request only */
    wire_put_u8(&w, 0); /* auth type: request only */
    wire_put_u32(&w, hdr->body_len);
    wire_put_u16(&w, 0); /* auth length: request only */
    wire_put_u32(&w, hdr->opcode);
    wire_put_u16(&w, hdr->status);
    wire_put_u8(&w, 0);
    wire_put_u8(&w, 0);
}

void parsec_encode_read_error(parsec_status_t status, uint8_t out[PARSEC_HEADER_SIZE])
{
    parsec_header_t hdr = {
        .provider = PARSEC_PROVIDER_CORE, .opcode = PARSEC_OP_PING, .status = (uint16_t)status};
    parsec_header_encode_response(&hdr, out);
}

const char *parsec_status_name(parsec_status_t status)
{
    static const struct {
        parsec_status_t status;
        const char *name;
    } names[] = {
        {PARSEC_SUCCESS, "Success"},
        {PARSEC_WRONG_PROVIDER_ID, "WrongProviderId"},
        {PARSEC_CONTENT_TYPE_NOT_SUPPORTED, "ContentTypeNotSupported"},
        {PARSEC_ACCEPT_TYPE_NOT_SUPPORTED, "AcceptTypeNotSupported"},
        {PARSEC_WIRE_PROTOCOL_VERSION_NOT_SUPPORTED, "WireProtocolVersionNotSupported"},
        {PARSEC_PROVIDER_NOT_REGISTERED, "ProviderNotRegistered"},
        {PARSEC_PROVIDER_DOES_NOT_EXIST, "ProviderDoesNotExist"},
        {PARSEC_DESERIALIZING_BODY_FAILED, "DeserializingBodyFailed"},
        {PARSEC_SERIALIZING_BODY_FAILED, "SerializingBodyFailed"},
        {PARSEC_OPCODE_DOES_NOT_EXIST, "OpcodeDoesNotExist"},
        {PARSEC_RESPONSE_TOO_LARGE, "ResponseTooLarge"},
        {PARSEC_AUTHENTICATION_ERROR, "AuthenticationError"},
        {PARSEC_AUTHENTICATOR_DOES_NOT_EXIST, "AuthenticatorDoesNotExist"},
        {PARSEC_AUTHENTICATOR_NOT_REGISTERED, "AuthenticatorNotRegistered"},
        {PARSEC_KEY_INFO_MANAGER_ERROR, "KeyInfoManagerError"},
        {PARSEC_CONNECTION_ERROR, "ConnectionError"},
        {PARSEC_INVALID_ENCODING, "InvalidEncoding"},
        {PARSEC_INVALID_HEADER, "InvalidHeader"},
        {PARSEC_WRONG_PROVIDER_UUID, "WrongProviderUuid"},
        {PARSEC_NOT_AUTHENTICATED, "NotAuthenticated"},
        {PARSEC_BODY_SIZE_EXCEEDS_LIMIT, "BodySizeExceedsLimit"},
        {PARSEC_ADMIN_OPERATION, "AdminOperation"},
        {PARSEC_DEPRECATED_PRIMITIVE, "DeprecatedPrimitive"},
        {PARSEC_PSA_ERROR_GENERIC_ERROR, "PsaErrorGenericError"},
        {PARSEC_PSA_ERROR_NOT_PERMITTED, "PsaErrorNotPermitted"},
        {PARSEC_PSA_ERROR_NOT_SUPPORTED, "PsaErrorNotSupported"},
        {PARSEC_PSA_ERROR_INVALID_ARGUMENT, "PsaErrorInvalidArgument"},
        {PARSEC_PSA_ERROR_INVALID_HANDLE, "PsaErrorInvalidHandle"},
        {PARSEC_PSA_ERROR_BAD_STATE, "PsaErrorBadState"},
        {PARSEC_PSA_ERROR_BUFFER_TOO_SMALL, "PsaErrorBufferTooSmall"},
        {PARSEC_PSA_ERROR_ALREADY_EXISTS, "PsaErrorAlreadyExists"},
        {PARSEC_PSA_ERROR_DOES_NOT_EXIST, "PsaErrorDoesNotExist"},
        {PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY, "PsaErrorInsufficientMemory"},
        {PARSEC_PSA_ERROR_INSUFFICIENT_STORAGE, "PsaErrorInsufficientStorage"},
        {PARSEC_PSA_ERROR_INSUFFICIENT_DATA, "PsaErrorInsufficientData"},
        {PARSEC_PSA_ERROR_COMMUNICATION_FAILURE, "PsaErrorCommunicationFailure"},
        {PARSEC_PSA_ERROR_STORAGE_FAILURE, "PsaErrorStorageFailure"},
        {PARSEC_PSA_ERROR_HARDWARE_FAILURE, "PsaErrorHardwareFailure"},
        {PARSEC_PSA_ERROR_INSUFFICIENT_ENTROPY, "PsaErrorInsufficientEntropy"},
        {PARSEC_PSA_ERROR_INVALID_SIGNATURE, "PsaErrorInvalidSignature"},
        {PARSEC_PSA_ERROR_INVALID_PADDING, "PsaErrorInvalidPadding"},
        {PARSEC_PSA_ERROR_CORRUPTION_DETECTED, "PsaErrorCorruptionDetected"},
        {PARSEC_PSA_ERROR_DATA_CORRUPT, "PsaErrorDataCorrupt"},
        {PARSEC_PSA_ERROR_DATA_INVALID, "PsaErrorDataInvalid"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].status == status) {
            return names[i].name;
        }
    }
    return "unknown";
}
