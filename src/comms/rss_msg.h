/* RSS comms message codec: TF-M's embed and pointer-access psa_call messages, plus rssd's set-up
 * messages. */
#ifndef COMMS_RSS_MSG_H
#define COMMS_RSS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/client.h>

/*
 * Byte layouts (reference sheet §1.2-§1.5, little-endian, packed):
 *   header   : protocol_ver u8 | seq_num u8 | client_id u16                          4 bytes
 *   embed    : header | handle i32 | ctrl_param u32 | io_size[4] u16 | input bytes   20 + inputs
 *   embed rep: header | return_val i32 | out_size[4] u16 | output bytes              16 + outputs
 *   pointer  : header | handle i32 | ctrl_param u32 | io_size[4] u32 | host_ptr[4] u64   60
 *   ptr rep  : header | return_val i32 | out_size[4] u32                              24
 * io_size and host_ptr hold the input vectors first, then the output vectors.
 *
 * The codec knows nothing about sockets or shared memory: host addresses are opaque 64-bit
 * numbers here; the transport decides what they mean (offsets into the connection's memfd on
 * Linux) and checks them.
 */

#define RSS_MSG_HEADER_SIZE        4u
#define RSS_MSG_MAX_IOVEC          4u
#define RSS_MSG_EMBED_CALL_FIXED   20u /* header + handle + ctrl_param + 4 x u16 */
#define RSS_MSG_EMBED_REPLY_FIXED  16u /* header + return_val + 4 x u16 */
#define RSS_MSG_POINTER_CALL_SIZE  60u
#define RSS_MSG_POINTER_REPLY_SIZE 24u

#define RSS_PROTOCOL_EMBED          0u
#define RSS_PROTOCOL_POINTER_ACCESS 1u

/* Default payload limit of the embed protocol: RD1AE's PLAT_RSE_COMMS_PAYLOAD_MAX_SIZE (0x2080),
 * as on the Kronos platform. Inputs plus outputs of an embed call must fit in it, because the
 * server carves the outputs from the same buffer as the inputs (sheet §1.3). */
#define RSS_MSG_DEFAULT_EMBED_LIMIT 8320u
/* io_size fields of the embed protocol are 16-bit. */
#define RSS_MSG_EMBED_MAX_VECTOR 0xffffu

typedef struct rss_msg_header {
    uint8_t protocol_ver;
    uint8_t seq_num;
    uint16_t client_id;
} rss_msg_header_t;

/* A psa_call as carried by either protocol. */
typedef struct rss_msg_call {
    rss_msg_header_t header;
    psa_handle_t handle;
    int32_t type; /* sign-extended from the 16-bit field */
    uint32_t in_len;
    uint32_t out_len;
    uint32_t in_size[RSS_MSG_MAX_IOVEC];
    uint32_t out_size[RSS_MSG_MAX_IOVEC];
    /* Embed: the input bytes (encode: sources; decode: pointers into the message). */
    const uint8_t *in_data[RSS_MSG_MAX_IOVEC];
    /* Pointer access: host addresses of each vector. */
    uint64_t in_addr[RSS_MSG_MAX_IOVEC];
    uint64_t out_addr[RSS_MSG_MAX_IOVEC];
} rss_msg_call_t;

/* A psa_call reply. Both protocols carry four out_size fields; out_len says how many the
 * encoder fills (the rest are written as 0). */
typedef struct rss_msg_reply {
    rss_msg_header_t header;
    psa_status_t status;
    uint32_t out_len;
    uint32_t out_size[RSS_MSG_MAX_IOVEC];
    /* Embed: the output bytes (encode: sources, may point later into the destination buffer;
     * decode: pointers into the message). */
    const uint8_t *out_data[RSS_MSG_MAX_IOVEC];
} rss_msg_reply_t;

/* ctrl_param (sheet §1.5): type in bits 0-15, out_len in 16-18, in_len in 24-26; every other bit
 * is reserved and written as 0. Unpacking ignores the reserved bits, as TF-M does. */
uint32_t rss_msg_ctrl_pack(int32_t type, uint32_t in_len, uint32_t out_len);
void rss_msg_ctrl_unpack(uint32_t ctrl_param, int32_t *type, uint32_t *in_len, uint32_t *out_len);

/*
 * Encodes a call in the protocol named by call->header.protocol_ver.
 * Returns PSA_SUCCESS, PSA_ERROR_PROGRAMMER_ERROR (in_len + out_len > 4, a vector too large for
 * the protocol's size field, type outside 16 bits), or PSA_ERROR_BUFFER_TOO_SMALL.
 */
psa_status_t rss_msg_encode_call(const rss_msg_call_t *call, uint8_t *buf, size_t size,
                                 size_t *length);

/*
 * Decodes a call. embed_limit bounds the sum of input and output sizes of an embed call.
 * Returns:
 *   PSA_SUCCESS                     call is filled in;
 *   PSA_ERROR_CONNECTION_BUSY       the header is valid (call->header filled in) but the body is
 *                                   not: answer with rss_msg_encode_error_reply();
 *   PSA_ERROR_COMMUNICATION_FAILURE fewer than 4 bytes or an unknown protocol_ver: nothing is
 *                                   known about the message, so no reply is possible (sheet §1.7).
 */
psa_status_t rss_msg_decode_call(const uint8_t *msg, size_t length, size_t embed_limit,
                                 rss_msg_call_t *call);

/* Encodes a reply in the protocol of reply->header. Embed output data may overlap buf (it is
 * moved into place). Returns PSA_SUCCESS, PSA_ERROR_PROGRAMMER_ERROR (out_len > 4, an embed
 * size over 16 bits) or PSA_ERROR_BUFFER_TOO_SMALL. */
psa_status_t rss_msg_encode_reply(const rss_msg_reply_t *reply, uint8_t *buf, size_t size,
                                  size_t *length);

/* Decodes a reply. PSA_SUCCESS, or PSA_ERROR_COMMUNICATION_FAILURE for a malformed reply (bad
 * length, unknown protocol, embed sizes that do not match the data). */
psa_status_t rss_msg_decode_reply(const uint8_t *msg, size_t length, rss_msg_reply_t *reply);

/* The error reply TF-M sends for a request it cannot serve: the request's header, return_val =
 * status, every out_size 0. 16 bytes (embed) or 24 (pointer access); 0 if the protocol is
 * unknown or buf is too small. */
size_t rss_msg_encode_error_reply(const rss_msg_header_t *request, psa_status_t status,
                                  uint8_t *buf, size_t size);

/* ---- rssd's own control messages (Linux transport; documented in docs/rss-comms-linux.md) ----
 *
 * They use protocol_ver values from 0x80 up, which neither TF-M (0, 1) nor SFCP (2) uses, so the
 * server tells them from RSS comms messages by the first byte. Each is answered with an 8-byte
 * reply: the request's header, then a status i32.
 *   SHM_SETUP      (0x80): header | size u64              + one memfd as SCM_RIGHTS   12 bytes
 *   ASSERT_CLIENT  (0x81): header | client_id i32         (forwarders only)          8 bytes
 *   CHANNEL_SETUP  (0x82): header | size u64 + one memfd: the fast path's channel       12 bytes
 *   DOORBELL       (0x83): header: a request waits in the channel (never answered)    4 bytes
 */
#define RSS_CTRL_SHM_SETUP          0x80u
#define RSS_CTRL_ASSERT_CLIENT      0x81u
#define RSS_CTRL_CHANNEL_SETUP      0x82u
#define RSS_CTRL_DOORBELL           0x83u
#define RSS_CTRL_SHM_SETUP_SIZE     12u
#define RSS_CTRL_ASSERT_CLIENT_SIZE 8u
#define RSS_CTRL_REPLY_SIZE         8u

typedef struct rss_ctrl_msg {
    rss_msg_header_t header; /* header.protocol_ver is the control message type */
    uint64_t shm_size;       /* SHM_SETUP, CHANNEL_SETUP */
    int32_t client_id;       /* ASSERT_CLIENT; 0 withdraws the assertion */
} rss_ctrl_msg_t;

bool rss_msg_is_ctrl(const uint8_t *msg, size_t length);
/* PSA_SUCCESS; PSA_ERROR_PROGRAMMER_ERROR for a malformed message with a readable header
 * (answer with rss_msg_encode_ctrl_reply); PSA_ERROR_COMMUNICATION_FAILURE without one. */
psa_status_t rss_msg_decode_ctrl(const uint8_t *msg, size_t length, rss_ctrl_msg_t *ctrl);
size_t rss_msg_encode_ctrl(const rss_ctrl_msg_t *ctrl, uint8_t *buf, size_t size);
size_t rss_msg_encode_ctrl_reply(const rss_msg_header_t *request, psa_status_t status, uint8_t *buf,
                                 size_t size);
psa_status_t rss_msg_decode_ctrl_reply(const uint8_t *msg, size_t length, rss_msg_header_t *header,
                                       psa_status_t *status);

#endif /* COMMS_RSS_MSG_H */
