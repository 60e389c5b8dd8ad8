/* The Linux binding's message: the five words W3..W7 as one 20-byte little-endian packet. */
#ifndef TS_PACKET_H
#define TS_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ts/ts_rpc_abi.h"

/* Exactly TS_RPC_PACKET_BYTES bytes, or false (any other length is not a TS RPC message). */
bool ts_packet_decode(const uint8_t *packet, size_t length, uint32_t words[TS_RPC_WORDS]);
void ts_packet_encode(const uint32_t words[TS_RPC_WORDS], uint8_t packet[TS_RPC_PACKET_BYTES]);

#endif /* TS_PACKET_H */
