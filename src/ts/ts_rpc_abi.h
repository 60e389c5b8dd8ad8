/* TS RPC ABI v1 constants (fact sheet §1.3): the five-word control format, opcodes, statuses. */
#ifndef TS_RPC_ABI_H
#define TS_RPC_ABI_H

#include <stdint.h>

/* W3..W7 of an FF-A direct message; on Linux one 20-byte SOCK_SEQPACKET packet, LE words. */
#define TS_RPC_WORDS        5
#define TS_RPC_PACKET_BYTES (TS_RPC_WORDS * 4)

#define TS_RPC_ABI_VERSION 1u

/* The Linux binding's largest shared memory (a page multiple); sessions are 8 KiB on FF-A. Room
 * for the largest storage object rssd keeps (1 MiB) with its request's fixed fields. */
#define TS_RPC_MAX_SHARED_MEMORY (2u << 20)

/* W3: [31:30] SAP, [29:24] flags, [23:16] interface id, [15:0] opcode. */
#define TS_RPC_W3(ifid, opcode) ((((uint32_t)(ifid)&0xffu) << 16) | ((uint32_t)(opcode)&0xffffu))
#define TS_RPC_W3_INTERFACE(w3) ((uint8_t)(((w3) >> 16) & 0xffu))
#define TS_RPC_W3_OPCODE(w3)    ((uint16_t)((w3)&0xffffu))

#define TS_RPC_MGMT_INTERFACE        0xffu
#define TS_RPC_MGMT_VERSION_GET      0x0000u
#define TS_RPC_MGMT_MEM_RETRIEVE     0x0001u
#define TS_RPC_MGMT_MEM_RELINQUISH   0x0002u
#define TS_RPC_MGMT_SERVICE_INFO_GET 0x0003u
#define TS_RPC_MEM_HANDLE_INVALID    UINT64_C(0xffffffffffffffff)

/* rpc_status_t values (components/rpc/common/interface/rpc_status.h). */
#define TS_RPC_SUCCESS                     0
#define TS_RPC_ERROR_INTERNAL              (-1)
#define TS_RPC_ERROR_INVALID_VALUE         (-2)
#define TS_RPC_ERROR_NOT_FOUND             (-3)
#define TS_RPC_ERROR_INVALID_STATE         (-4)
#define TS_RPC_ERROR_TRANSPORT_LAYER       (-5)
#define TS_RPC_ERROR_INVALID_REQUEST_BODY  (-6)
#define TS_RPC_ERROR_INVALID_RESPONSE_BODY (-7)
#define TS_RPC_ERROR_RESOURCE_FAILURE      (-8)

/* Service UUIDs in wire order (sheet §1.2). */
#define TS_UUID_ITS                                                                                \
    {                                                                                              \
        0xdc, 0x1e, 0xef, 0x48, 0xb1, 0x7a, 0x4c, 0xcf, 0xac, 0x8b, 0xdf, 0xcf, 0xf7, 0x71, 0x1b,  \
            0x14                                                                                   \
    }
#define TS_UUID_PS                                                                                 \
    {                                                                                              \
        0x75, 0x1b, 0xf8, 0x01, 0x3d, 0xde, 0x47, 0x68, 0xa5, 0x14, 0x0f, 0x10, 0xae, 0xed, 0x17,  \
            0x90                                                                                   \
    }
#define TS_UUID_CRYPTO                                                                             \
    {                                                                                              \
        0xd9, 0xdf, 0x52, 0xd5, 0x16, 0xa2, 0x4b, 0xb2, 0x9a, 0xa4, 0xd2, 0x6d, 0x3b, 0x84, 0xe8,  \
            0xc0                                                                                   \
    }
/* smm-variable: the MM communicate GUID and the SMM gateway's UUID (ed32d533-99e6-4209-...). */
#define TS_UUID_SMM_VARIABLE                                                                       \
    {                                                                                              \
        0xed, 0x32, 0xd5, 0x33, 0x99, 0xe6, 0x42, 0x09, 0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98,  \
            0xa7                                                                                   \
    }
#define TS_UUID_CRYPTO_PROTOBUF                                                                    \
    {                                                                                              \
        0x6b, 0xa9, 0xde, 0x75, 0x39, 0x3e, 0x4c, 0x7f, 0xaa, 0xbb, 0x7f, 0x71, 0xcc, 0x6b, 0x14,  \
            0x2e                                                                                   \
    }

#endif /* TS_RPC_ABI_H */
