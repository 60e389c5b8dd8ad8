/* RSS comms message codec: encode and decode of calls, replies and rssd's control messages. */
#include "rss_msg.h"

#include "base/wire.h"

uint32_t rss_msg_ctrl_pack(int32_t type, uint32_t in_len, uint32_t out_len)
{
    return ((uint32_t)type & 0xffffu) | ((out_len & 0x7u) << 16) | ((in_len & 0x7u) << 24);
}

void rss_msg_ctrl_unpack(uint32_t ctrl_param, int32_t *type, uint32_t *in_len, uint32_t *out_len)
{
    /* TF-M sign-extends the type so that negative values reach the SPM and are refused there. */
    *type = (int32_t)(int16_t)(uint16_t)(ctrl_param & 0xffffu);
    *out_len = (ctrl_param >> 16) & 0x7u;
    *in_len = (ctrl_param >> 24) & 0x7u;
}

static void put_header(wire_writer_t *w, const rss_msg_header_t *h)
{
    wire_put_u8(w, h->protocol_ver);
    wire_put_u8(w, h->seq_num);
    wire_put_u16(w, h->client_id);
}

static bool get_header(wire_reader_t *r, rss_msg_header_t *h)
{
    return wire_get_u8(r, &h->protocol_ver) && wire_get_u8(r, &h->seq_num) &&
           wire_get_u16(r, &h->client_id);
}

psa_status_t rss_msg_encode_call(const rss_msg_call_t *call, uint8_t *buf, size_t size,
                                 size_t *length)
{
    uint32_t n = call->in_len + call->out_len;
    if (call->in_len > RSS_MSG_MAX_IOVEC || call->out_len > RSS_MSG_MAX_IOVEC ||
        n > RSS_MSG_MAX_IOVEC || call->type < INT16_MIN || call->type > INT16_MAX) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    uint32_t sizes[RSS_MSG_MAX_IOVEC] = {0};
    uint64_t addrs[RSS_MSG_MAX_IOVEC] = {0};
    for (uint32_t i = 0; i < call->in_len; i++) {
        sizes[i] = call->in_size[i];
        addrs[i] = call->in_addr[i];
    }
    for (uint32_t i = 0; i < call->out_len; i++) {
        sizes[call->in_len + i] = call->out_size[i];
        addrs[call->in_len + i] = call->out_addr[i];
    }

    wire_writer_t w;
    wire_writer_init(&w, buf, size);
    put_header(&w, &call->header);
    wire_put_i32(&w, call->handle);
    wire_put_u32(&w, rss_msg_ctrl_pack(call->type, call->in_len, call->out_len));
    if (call->header.protocol_ver == RSS_PROTOCOL_EMBED) {
        for (uint32_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
            if (sizes[i] > RSS_MSG_EMBED_MAX_VECTOR) {
                return PSA_ERROR_PROGRAMMER_ERROR;
            }
            wire_put_u16(&w, (uint16_t)sizes[i]);
        }
        for (uint32_t i = 0; i < call->in_len; i++) {
            wire_put_bytes(&w, call->in_data[i], call->in_size[i]);
        }
    } else if (call->header.protocol_ver == RSS_PROTOCOL_POINTER_ACCESS) {
        for (uint32_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
            wire_put_u32(&w, sizes[i]);
        }
        for (uint32_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
            wire_put_u64(&w, addrs[i]);
        }
    } else {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    if (!wire_writer_ok(&w)) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    *length = wire_writer_length(&w);
    return PSA_SUCCESS;
}

psa_status_t rss_msg_decode_call(const uint8_t *msg, size_t length, size_t embed_limit,
                                 rss_msg_call_t *call)
{
    wire_reader_t r;
    wire_reader_init(&r, msg, length);
    *call = (rss_msg_call_t){0};
    if (!get_header(&r, &call->header)) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    uint8_t ver = call->header.protocol_ver;
    if (ver != RSS_PROTOCOL_EMBED && ver != RSS_PROTOCOL_POINTER_ACCESS) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    uint32_t ctrl = 0;
    if (!wire_get_i32(&r, &call->handle) || !wire_get_u32(&r, &ctrl)) {
        return PSA_ERROR_CONNECTION_BUSY;
    }
    rss_msg_ctrl_unpack(ctrl, &call->type, &call->in_len, &call->out_len);
    if (call->in_len + call->out_len > RSS_MSG_MAX_IOVEC) {
        return PSA_ERROR_CONNECTION_BUSY;
    }

    uint32_t sizes[RSS_MSG_MAX_IOVEC];
    if (ver == RSS_PROTOCOL_EMBED) {
        for (uint32_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
            uint16_t s = 0;
            if (!wire_get_u16(&r, &s)) {
                return PSA_ERROR_CONNECTION_BUSY;
            }
            sizes[i] = s;
        }
    } else {
        /* The pointer-access body is exactly 56 bytes (sheet §1.4). */
        if (length != RSS_MSG_POINTER_CALL_SIZE) {
            return PSA_ERROR_CONNECTION_BUSY;
        }
        for (uint32_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
            wire_get_u32(&r, &sizes[i]);
        }
    }
    /* Sizes past in_len + out_len are not meaningful and stay 0 in the decoded call. */
    uint64_t in_total = 0, out_total = 0;
    for (uint32_t i = 0; i < call->in_len; i++) {
        call->in_size[i] = sizes[i];
        in_total += sizes[i];
    }
    for (uint32_t i = 0; i < call->out_len; i++) {
        call->out_size[i] = sizes[call->in_len + i];
        out_total += sizes[call->in_len + i];
    }

    if (ver == RSS_PROTOCOL_EMBED) {
        /* Outputs are carved from the same payload buffer as the inputs, so both must fit;
         * trailing bytes after the inputs are tolerated, as TF-M does. */
        if (in_total + out_total > embed_limit || in_total > wire_remaining(&r)) {
            return PSA_ERROR_CONNECTION_BUSY;
        }
        for (uint32_t i = 0; i < call->in_len; i++) {
            wire_get_ref(&r, call->in_size[i], &call->in_data[i]);
        }
    } else {
        uint64_t addrs[RSS_MSG_MAX_IOVEC];
        for (uint32_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
            wire_get_u64(&r, &addrs[i]);
        }
        for (uint32_t i = 0; i < call->in_len; i++) {
            call->in_addr[i] = addrs[i];
        }
        for (uint32_t i = 0; i < call->out_len; i++) {
            call->out_addr[i] = addrs[call->in_len + i];
        }
    }
    return wire_reader_ok(&r) ? PSA_SUCCESS : PSA_ERROR_CONNECTION_BUSY;
}

psa_status_t rss_msg_encode_reply(const rss_msg_reply_t *reply, uint8_t *buf, size_t size,
                                  size_t *length)
{
    if (reply->out_len > RSS_MSG_MAX_IOVEC) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    wire_writer_t w;
    wire_writer_init(&w, buf, size);
    put_header(&w, &reply->header);
    wire_put_i32(&w, reply->status);
    if (reply->header.protocol_ver == RSS_PROTOCOL_EMBED) {
        for (uint32_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
            uint32_t s = i < reply->out_len ? reply->out_size[i] : 0;
            if (s > RSS_MSG_EMBED_MAX_VECTOR) {
                return PSA_ERROR_PROGRAMMER_ERROR;
            }
            wire_put_u16(&w, (uint16_t)s);
        }
        /* In order, so that data lying later in buf is moved down before it is overwritten. */
        for (uint32_t i = 0; i < reply->out_len; i++) {
            wire_put_bytes(&w, reply->out_data[i], reply->out_size[i]);
        }
    } else if (reply->header.protocol_ver == RSS_PROTOCOL_POINTER_ACCESS) {
        for (uint32_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
            wire_put_u32(&w, i < reply->out_len ? reply->out_size[i] : 0);
        }
    } else {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    if (!wire_writer_ok(&w)) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    *length = wire_writer_length(&w);
    return PSA_SUCCESS;
}

psa_status_t rss_msg_decode_reply(const uint8_t *msg, size_t length, rss_msg_reply_t *reply)
{
    wire_reader_t r;
    wire_reader_init(&r, msg, length);
    *reply = (rss_msg_reply_t){0};
    if (!get_header(&r, &reply->header) || !wire_get_i32(&r, &reply->status)) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    reply->out_len = RSS_MSG_MAX_IOVEC;
    if (reply->header.protocol_ver == RSS_PROTOCOL_EMBED) {
        for (uint32_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
            uint16_t s = 0;
            wire_get_u16(&r, &s);
            reply->out_size[i] = s;
        }
        for (uint32_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
            wire_get_ref(&r, reply->out_size[i], &reply->out_data[i]);
        }
        /* The data must account for every byte: a reply is never padded. */
        return wire_reader_done(&r) ? PSA_SUCCESS : PSA_ERROR_COMMUNICATION_FAILURE;
    }
    if (reply->header.protocol_ver == RSS_PROTOCOL_POINTER_ACCESS) {
        for (uint32_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
            wire_get_u32(&r, &reply->out_size[i]);
        }
        return wire_reader_done(&r) ? PSA_SUCCESS : PSA_ERROR_COMMUNICATION_FAILURE;
    }
    return PSA_ERROR_COMMUNICATION_FAILURE;
}

size_t rss_msg_encode_error_reply(const rss_msg_header_t *request, psa_status_t status,
                                  uint8_t *buf, size_t size)
{
    rss_msg_reply_t reply = {.header = *request, .status = status, .out_len = 0};
    size_t length = 0;
    if (rss_msg_encode_reply(&reply, buf, size, &length) != PSA_SUCCESS) {
        return 0;
    }
    return length;
}

bool rss_msg_is_ctrl(const uint8_t *msg, size_t length)
{
    return length >= 1 && msg[0] >= 0x80u;
}

psa_status_t rss_msg_decode_ctrl(const uint8_t *msg, size_t length, rss_ctrl_msg_t *ctrl)
{
    wire_reader_t r;
    wire_reader_init(&r, msg, length);
    *ctrl = (rss_ctrl_msg_t){0};
    if (!get_header(&r, &ctrl->header)) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    switch (ctrl->header.protocol_ver) {
    case RSS_CTRL_SHM_SETUP:
    case RSS_CTRL_CHANNEL_SETUP:
        wire_get_u64(&r, &ctrl->shm_size);
        break;
    case RSS_CTRL_ASSERT_CLIENT:
        wire_get_i32(&r, &ctrl->client_id);
        break;
    case RSS_CTRL_DOORBELL:
        break;
    default:
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    return wire_reader_done(&r) ? PSA_SUCCESS : PSA_ERROR_PROGRAMMER_ERROR;
}

size_t rss_msg_encode_ctrl(const rss_ctrl_msg_t *ctrl, uint8_t *buf, size_t size)
{
    wire_writer_t w;
    wire_writer_init(&w, buf, size);
    put_header(&w, &ctrl->header);
    switch (ctrl->header.protocol_ver) {
    case RSS_CTRL_SHM_SETUP:
    case RSS_CTRL_CHANNEL_SETUP:
        wire_put_u64(&w, ctrl->shm_size);
        break;
    case RSS_CTRL_ASSERT_CLIENT:
        wire_put_i32(&w, ctrl->client_id);
        break;
    case RSS_CTRL_DOORBELL:
        break;
    default:
        return 0;
    }
    return wire_writer_ok(&w) ? wire_writer_length(&w) : 0;
}

size_t rss_msg_encode_ctrl_reply(const rss_msg_header_t *request, psa_status_t status, uint8_t *buf,
                                 size_t size)
{
    wire_writer_t w;
    wire_writer_init(&w, buf, size);
    put_header(&w, request);
    wire_put_i32(&w, status);
    return wire_writer_ok(&w) ? wire_writer_length(&w) : 0;
}

psa_status_t rss_msg_decode_ctrl_reply(const uint8_t *msg, size_t length, rss_msg_header_t *header,
                                       psa_status_t *status)
{
    wire_reader_t r;
    wire_reader_init(&r, msg, length);
    if (!get_header(&r, header) || !wire_get_i32(&r, status) || !wire_reader_done(&r)) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    return PSA_SUCCESS;
}
