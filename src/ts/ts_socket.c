/* The TS RPC socket binding, client side (ts_socket.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "comms/transport.h"
#include "ts/ts_packet.h"
#include "ts/ts_socket.h"

int32_t ts_socket_transact(int sock, const uint32_t in[TS_RPC_WORDS], int fd,
                           uint32_t out[TS_RPC_WORDS])
{
    uint8_t packet[TS_RPC_PACKET_BYTES];
    ts_packet_encode(in, packet);
    if (!rss_unix_send_packet(sock, packet, sizeof(packet), fd)) {
        return TS_RPC_ERROR_TRANSPORT_LAYER;
    }
    uint8_t reply[TS_RPC_PACKET_BYTES];
    int reply_fd = -1;
    ssize_t n = rss_unix_recv_packet(sock, reply, sizeof(reply), &reply_fd);
    if (reply_fd >= 0) {
        close(reply_fd); /* an endpoint sends none */
    }
    if (n < 0 || !ts_packet_decode(reply, (size_t)n, out)) {
        return TS_RPC_ERROR_TRANSPORT_LAYER; /* closed, truncated or oversized */
    }
    return TS_RPC_SUCCESS;
}

int32_t ts_socket_exchange(int sock, const uint32_t in[TS_RPC_WORDS], int fd,
                           uint32_t out[TS_RPC_WORDS])
{
    int32_t status = ts_socket_transact(sock, in, fd, out);
    if (status == TS_RPC_SUCCESS && out[0] != in[0]) {
        return TS_RPC_ERROR_TRANSPORT_LAYER; /* not a reply to this request */
    }
    return status;
}

int ts_socket_connect(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(addr.sun_path)) {
        return -1;
    }
    strcpy(addr.sun_path, path);
    int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (sock < 0) {
        return -1;
    }
    if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        close(sock);
        return -1;
    }
    return sock;
}

/* VERSION_GET must answer 1, then SERVICE_INFO_GET must answer TS_RPC_SUCCESS. */
int32_t ts_socket_query_service(int sock, const uint8_t uuid[16], uint8_t *interface_id)
{
    uint32_t in[TS_RPC_WORDS] = {TS_RPC_W3(TS_RPC_MGMT_INTERFACE, TS_RPC_MGMT_VERSION_GET)};
    uint32_t out[TS_RPC_WORDS];
    int32_t status = ts_socket_exchange(sock, in, -1, out);
    if (status != TS_RPC_SUCCESS) {
        return status;
    }
    if (out[1] != TS_RPC_ABI_VERSION) {
        return TS_RPC_ERROR_NOT_FOUND;
    }
    in[0] = TS_RPC_W3(TS_RPC_MGMT_INTERFACE, TS_RPC_MGMT_SERVICE_INFO_GET);
    for (size_t k = 0; k < 4; k++) {
        in[1 + k] = (uint32_t)uuid[4 * k] | ((uint32_t)uuid[4 * k + 1] << 8) |
                    ((uint32_t)uuid[4 * k + 2] << 16) |
                    ((uint32_t)uuid[4 * k + 3] << 24);
    }
    status = ts_socket_exchange(sock, in, -1, out);
    if (status != TS_RPC_SUCCESS) {
        return status;
    }
    if ((int32_t)out[1] != TS_RPC_SUCCESS) {
        return (int32_t)out[1];
    }
    if (out[2] > 0xffu) {
        return TS_RPC_ERROR_INVALID_RESPONSE_BODY;
    }
    *interface_id = (uint8_t)out[2];
    return TS_RPC_SUCCESS;
}
