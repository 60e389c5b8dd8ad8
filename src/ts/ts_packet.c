/* The Linux binding's message: the five words W3..W7 as one 20-byte little-endian packet. */
#include "ts/ts_packet.h"

#include "base/wire.h"

bool ts_packet_decode(const uint8_t *packet, size_t length, uint32_t words[TS_RPC_WORDS])
{
    wire_reader_t r;
    wire_reader_init(&r, packet, length);
    for (size_t i = 0; i < TS_RPC_WORDS; i++) {
        wire_get_u32(&r, &words[i]);
    }
    return wire_reader_done(&r);
}

void ts_packet_encode(const uint32_t words[TS_RPC_WORDS], uint8_t packet[TS_RPC_PACKET_BYTES])
{
    for (size_t i = 0; i < TS_RPC_WORDS; i++) {
        wire_store_u32(packet + 4 * i, words[i]);
    }
}
