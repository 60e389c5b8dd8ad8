/* libFuzzer harness: the RSS comms decoders (calls, replies, control messages) on arbitrary bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "comms/rss_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rss_msg_call_t call;
    uint8_t out[128 + RSS_MSG_DEFAULT_EMBED_LIMIT];
    size_t length = 0;
    psa_status_t status = rss_msg_decode_call(data, size, RSS_MSG_DEFAULT_EMBED_LIMIT, &call);
    if (status == PSA_SUCCESS) {
        /* A decoded call always re-encodes, and an embed one never grows (unused size fields
         * and reserved ctrl_param bits are dropped, so bytes may differ). */
        if (rss_msg_encode_call(&call, out, sizeof(out), &length) != PSA_SUCCESS ||
            (call.header.protocol_ver == RSS_PROTOCOL_EMBED && length > size)) {
            __builtin_trap();
        }
    } else if (status == PSA_ERROR_CONNECTION_BUSY) {
        if (rss_msg_encode_error_reply(&call.header, status, out, sizeof(out)) == 0) {
            __builtin_trap();
        }
    }
    rss_msg_reply_t reply;
    if (rss_msg_decode_reply(data, size, &reply) == PSA_SUCCESS) {
        for (unsigned i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
            if (reply.out_data[i] != NULL && reply.out_size[i] > 0 &&
                (reply.out_data[i] < data || reply.out_data[i] + reply.out_size[i] > data + size)) {
                __builtin_trap();
            }
        }
    }
    rss_ctrl_msg_t ctrl;
    (void)rss_msg_decode_ctrl(data, size, &ctrl);
    rss_msg_header_t header;
    psa_status_t ctrl_status;
    (void)rss_msg_decode_ctrl_reply(data, size, &header, &ctrl_status);
    return 0;
}
