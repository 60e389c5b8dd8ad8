/* smm-gateway end to end: its socket binding (TS RPC management + MM communicate in the
 * platform's shape), U-Boot's byte layouts over a lent memfd, the error paths, per-device
 * variables shared by connections, the built-in policy, restarts and SIGKILL. Runs under
 * with_rssd.sh; argv[1] is smm-gateway. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <rpc_caller_session.h>
#include <service_locator.h>

#include "comms/transport.h"
#include "base/wire.h"
#include "ts/ts_packet.h"
#include "ts/ts_socket.h"
#include "uefi/efi_defs.h"

/* libts exports them; upstream installs no header for them (sheet §1.6). */
rpc_status_t mm_communicate_caller_init(struct rpc_caller_interface *rpc_caller,
                                        const char *ffa_device_path);
rpc_status_t mm_communicate_caller_deinit(struct rpc_caller_interface *rpc_caller);

#define BUFFER_SIZE (32u * 1024u)
#define FN_GET_VARIABLE 1
#define FN_SET_VARIABLE 3
#define NV_BS_RT        7u

static const uint8_t smm_guid_bytes[16] = {0x33, 0xd5, 0x32, 0xed, 0xe6, 0x99, 0x09, 0x42,
                                           0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7};
/* TS wire order (sheet §1.2): the canonical text's bytes. */
static const uint8_t smm_uuid[16] = {0xed, 0x32, 0xd5, 0x33, 0x99, 0xe6, 0x42, 0x09,
                                     0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7};
static const uint8_t its_uuid[16] = {0xdc, 0x1e, 0xef, 0x48, 0xb1, 0x7a, 0x4c, 0xcf,
                                     0xac, 0x8b, 0xdf, 0xcf, 0xf7, 0x71, 0x1b, 0x14};
static const uint8_t vendor[16] = {0x78, 0x56, 0x34, 0x12, 0x34, 0x12, 0x34, 0x12,
                                   0x12, 0x34, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc};

static const char *gateway_path;
static char dir[] = "/tmp/test-smm-gateway-XXXXXX";
static char sock_path[128];
static pid_t gateway_pid = -1;

static void start_gateway(void)
{
    unlink(sock_path);
    gateway_pid = fork();
    assert_true(gateway_pid >= 0);
    if (gateway_pid == 0) {
        execl(gateway_path, gateway_path, "--socket", sock_path, "--foreground", (char *)NULL);
        _exit(127);
    }
    /* No deadline: up when its socket exists, failed when it exits. */
    struct stat st;
    while (stat(sock_path, &st) != 0) {
        assert_int_equal(waitpid(gateway_pid, NULL, WNOHANG), 0);
        usleep(10000);
    }
}

static void stop_gateway(int sig)
{
    int status;
    kill(gateway_pid, sig);
    assert_int_equal(waitpid(gateway_pid, &status, 0), gateway_pid);
    if (sig == SIGTERM) {
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    gateway_pid = -1;
}

typedef struct conn {
    int sock;
    int memfd;
    uint8_t *buf;
} conn_t;

static int make_memfd(size_t size, uint8_t **map)
{
    int fd = memfd_create("test-mm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)size), 0);
    assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), 0);
    *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(*map != MAP_FAILED);
    return fd;
}

static int32_t mgmt(int sock, uint16_t opcode, uint32_t w4, uint32_t w5, int fd, uint32_t *w5_out)
{
    const uint32_t in[TS_RPC_WORDS] = {TS_RPC_W3(TS_RPC_MGMT_INTERFACE, opcode), w4, w5, 0, 0};
    uint32_t out[TS_RPC_WORDS];
    assert_int_equal(ts_socket_exchange(sock, in, fd, out), TS_RPC_SUCCESS);
    if (w5_out != NULL) {
        *w5_out = out[2];
    }
    return (int32_t)out[1];
}

/* Connects and lends a BUFFER_SIZE memory as handle 0. */
static conn_t open_conn(void)
{
    conn_t c;
    c.sock = ts_socket_connect(sock_path);
    assert_true(c.sock >= 0);
    c.memfd = make_memfd(BUFFER_SIZE, &c.buf);
    assert_int_equal(mgmt(c.sock, TS_RPC_MGMT_MEM_RETRIEVE, 0, 0, c.memfd, NULL), TS_RPC_SUCCESS);
    return c;
}

static void close_conn(conn_t *c)
{
    close(c->sock);
    close(c->memfd);
    munmap(c->buf, BUFFER_SIZE);
}

/* One MM communicate request; the MM return code. */
static mm_return_t mm(int sock, uint32_t offset, uint32_t w4, int fd)
{
    const uint32_t in[TS_RPC_WORDS] = {offset, w4, 0, 0, 0};
    uint8_t packet[TS_RPC_PACKET_BYTES];
    ts_packet_encode(in, packet);
    assert_true(rss_unix_send_packet(sock, packet, sizeof(packet), fd));
    uint8_t reply[TS_RPC_PACKET_BYTES + 1];
    ssize_t n = recv(sock, reply, sizeof(reply), 0);
    assert_int_equal(n, TS_RPC_PACKET_BYTES);
    uint32_t out[TS_RPC_WORDS];
    assert_true(ts_packet_decode(reply, (size_t)n, out));
    for (int i = 1; i < TS_RPC_WORDS; i++) {
        assert_int_equal(out[i], 0);
    }
    return (mm_return_t)out[0];
}

/* UTF-16LE of an ASCII name with its NUL; returns the byte size. */
static size_t name16(const char *ascii, uint8_t *out)
{
    size_t n = strlen(ascii) + 1;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = (uint8_t)ascii[i];
        out[2 * i + 1] = 0;
    }
    return 2 * n;
}

/* U-Boot's request (efi_variable_tee.c): MM header, SMM header with ReturnStatus preset to
 * EFI_UNSUPPORTED, then smm_variable_access with its sizeof of 40 (name at 36, 4 bytes over). */
static size_t uboot_access(uint8_t *buf, uint64_t function, const char *name, uint32_t attributes,
                           const uint8_t *data, size_t data_size)
{
    uint8_t n[64];
    size_t ns = name16(name, n);
    size_t payload = 40 + ns + data_size;
    memset(buf, 0, 24 + 16 + payload);
    memcpy(buf, smm_guid_bytes, 16);
    wire_store_u64(buf + 16, 16 + payload);
    wire_store_u64(buf + 24, function);
    wire_store_u64(buf + 32, 0x8000000000000003ull);
    uint8_t *p = buf + 40;
    memcpy(p, vendor, 16);
    wire_store_u64(p + 16, data_size);
    wire_store_u64(p + 24, ns);
    wire_store_u32(p + 32, attributes);
    memcpy(p + 36, n, ns);
    if (data != NULL) {
        memcpy(p + 36 + ns, data, data_size);
    }
    return 24 + 16 + payload;
}

static void set_var(conn_t *c, uint32_t offset, const char *name, const uint8_t *v, size_t len)
{
    uboot_access(c->buf + offset, FN_SET_VARIABLE, name, NV_BS_RT, v, len);
    assert_int_equal(mm(c->sock, offset, 0, -1), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(c->buf + offset + 32), EFI_SUCCESS);
}

/* GetVariable; the EFI status, the data in out. */
static uint64_t get_var(conn_t *c, const char *name, uint8_t *out, size_t *len)
{
    size_t req = uboot_access(c->buf, FN_GET_VARIABLE, name, 0, NULL, 64);
    assert_int_equal(mm(c->sock, 0, 0, -1), MM_RETURN_SUCCESS);
    uint64_t status = wire_load_u64(c->buf + 32);
    assert_true(24 + wire_load_u64(c->buf + 16) <= req); /* never longer than the request */
    if (status == EFI_SUCCESS) {
        uint64_t n = wire_load_u64(c->buf + 56);
        uint64_t ns = wire_load_u64(c->buf + 64);
        assert_true(n <= *len);
        memcpy(out, c->buf + 40 + 36 + ns, n);
        *len = (size_t)n;
    }
    return status;
}

static void test_discovery(void **state)
{
    (void)state;
    int sock = ts_socket_connect(sock_path);
    assert_true(sock >= 0);
    uint8_t ifid = 0xaa;
    assert_int_equal(ts_socket_query_service(sock, smm_uuid, &ifid), TS_RPC_SUCCESS);
    assert_int_equal(ifid, 0);
    assert_int_equal(ts_socket_query_service(sock, its_uuid, &ifid), TS_RPC_ERROR_NOT_FOUND);
    close(sock);
}

/* U-Boot's SetVariable and GetVariable byte for byte, at offset 0 as U-Boot always writes. */
static void test_uboot_set_get(void **state)
{
    (void)state;
    conn_t c = open_conn();
    static const uint8_t value[5] = {1, 2, 3, 4, 5};
    set_var(&c, 0, "Uboot", value, sizeof(value));
    uint8_t out[64];
    size_t len = sizeof(out);
    assert_int_equal(get_var(&c, "Uboot", out, &len), EFI_SUCCESS);
    assert_int_equal(len, 5);
    assert_memory_equal(out, value, 5);
    /* The reply in place: MessageLength 16 + 36 + 12 + 5, ReturnStatus SUCCESS, attributes. */
    assert_int_equal(wire_load_u64(c.buf + 16), 16 + 36 + 12 + 5);
    assert_int_equal(wire_load_u32(c.buf + 72), NV_BS_RT);
    close_conn(&c);
}

/* The request at another offset of the buffer, named by W3 as the platform's X3. */
static void test_offset(void **state)
{
    (void)state;
    conn_t c = open_conn();
    static const uint8_t value[3] = {9, 8, 7};
    set_var(&c, 4096, "AtOffset", value, sizeof(value));
    uint8_t out[64];
    size_t len = sizeof(out);
    assert_int_equal(get_var(&c, "AtOffset", out, &len), EFI_SUCCESS);
    assert_memory_equal(out, value, 3);
    /* Past the end, or too close to it for the 24-byte header: INVALID_PARAMETER. */
    assert_int_equal(mm(c.sock, BUFFER_SIZE + 8, 0, -1), MM_RETURN_INVALID_PARAMETER);
    assert_int_equal(mm(c.sock, BUFFER_SIZE - 10, 0, -1), MM_RETURN_INVALID_PARAMETER);
    /* MessageLength beyond the buffer from the offset. */
    uboot_access(c.buf + 8192, FN_GET_VARIABLE, "AtOffset", 0, NULL, 8);
    wire_store_u64(c.buf + 8192 + 16, BUFFER_SIZE);
    assert_int_equal(mm(c.sock, 8192, 0, -1), MM_RETURN_INVALID_PARAMETER);
    close_conn(&c);
}

static void test_error_paths(void **state)
{
    (void)state;
    /* No memory lent: every MM request is INVALID_PARAMETER. */
    int sock = ts_socket_connect(sock_path);
    assert_true(sock >= 0);
    assert_int_equal(mm(sock, 0, 0, -1), MM_RETURN_INVALID_PARAMETER);
    close(sock);

    conn_t c = open_conn();
    /* One MM buffer per connection: a second MEM_RETRIEVE finds no free slot. */
    uint8_t *map2;
    int fd2 = make_memfd(4096, &map2);
    assert_int_equal(mgmt(c.sock, TS_RPC_MGMT_MEM_RETRIEVE, 7, 0, fd2, NULL),
                     TS_RPC_ERROR_NOT_FOUND);
    /* A descriptor with an MM request, or a non-zero W4..W7: INVALID_PARAMETER. */
    uboot_access(c.buf, FN_GET_VARIABLE, "Uboot", 0, NULL, 16);
    assert_int_equal(mm(c.sock, 0, 0, fd2), MM_RETURN_INVALID_PARAMETER);
    assert_int_equal(mm(c.sock, 0, 1, -1), MM_RETURN_INVALID_PARAMETER);
    close(fd2);
    munmap(map2, 4096);
    /* Another service's GUID: NOT_SUPPORTED; a message shorter than the SMM header: DENIED. */
    c.buf[0] ^= 0xff;
    assert_int_equal(mm(c.sock, 0, 0, -1), MM_RETURN_NOT_SUPPORTED);
    c.buf[0] ^= 0xff;
    wire_store_u64(c.buf + 16, 8);
    assert_int_equal(mm(c.sock, 0, 0, -1), MM_RETURN_DENIED);
    /* Relinquished: INVALID_PARAMETER again, and the buffer untouched by the gateway. */
    assert_int_equal(mgmt(c.sock, TS_RPC_MGMT_MEM_RELINQUISH, 0, 0, -1, NULL), TS_RPC_SUCCESS);
    uboot_access(c.buf, FN_GET_VARIABLE, "Uboot", 0, NULL, 16);
    uint8_t before[128];
    memcpy(before, c.buf, sizeof(before));
    assert_int_equal(mm(c.sock, 0, 0, -1), MM_RETURN_INVALID_PARAMETER);
    assert_memory_equal(c.buf, before, sizeof(before));
    /* A packet that is not 20 bytes: the connection is dropped without a reply. */
    uint8_t junk[19] = {0};
    assert_int_equal(send(c.sock, junk, sizeof(junk), MSG_NOSIGNAL), (ssize_t)sizeof(junk));
    uint8_t reply[32];
    assert_int_equal(recv(c.sock, reply, sizeof(reply), 0), 0);
    close_conn(&c);
}

/* The variables are the device's: another connection sees what one wrote. */
static void test_shared_store(void **state)
{
    (void)state;
    conn_t a = open_conn(), b = open_conn();
    static const uint8_t value[4] = {0xde, 0xad, 0xbe, 0xef};
    set_var(&a, 0, "Shared", value, sizeof(value));
    uint8_t out[64];
    size_t len = sizeof(out);
    assert_int_equal(get_var(&b, "Shared", out, &len), EFI_SUCCESS);
    assert_memory_equal(out, value, 4);
    close_conn(&a);
    close_conn(&b);
}

/* Without --policy only root and the gateway's own uid may connect: uid 65534 is closed before
 * any reply. */
static void test_builtin_policy(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        skip();
    }
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0) {
            _exit(3);
        }
        int sock = ts_socket_connect(sock_path);
        if (sock < 0) {
            _exit(4);
        }
        uint8_t ifid;
        _exit(ts_socket_query_service(sock, smm_uuid, &ifid) == TS_RPC_ERROR_TRANSPORT_LAYER ? 0
                                                                                               : 5);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* An acknowledged SetVariable survives a clean stop and a SIGKILL of the gateway. */
static void test_restart_and_kill(void **state)
{
    (void)state;
    conn_t c = open_conn();
    static const uint8_t one[2] = {1, 1}, two[2] = {2, 2};
    set_var(&c, 0, "Durable", one, sizeof(one));
    close_conn(&c);
    stop_gateway(SIGTERM);
    start_gateway();
    c = open_conn();
    uint8_t out[64];
    size_t len = sizeof(out);
    assert_int_equal(get_var(&c, "Durable", out, &len), EFI_SUCCESS);
    assert_memory_equal(out, one, 2);
    set_var(&c, 0, "Durable", two, sizeof(two));
    close_conn(&c);
    stop_gateway(SIGKILL);
    start_gateway();
    c = open_conn();
    len = sizeof(out);
    assert_int_equal(get_var(&c, "Durable", out, &len), EFI_SUCCESS);
    assert_memory_equal(out, two, 2);
    close_conn(&c);
}

/* TS's own client path: libts's locator finds smm-variable at the gateway, and a session on
 * libts's MM communicate caller carries SMM variable calls as TS's smm_variable_client makes
 * them (the opcode is the function, the request the access structure, name at 36). */
static void test_libts_session(void **state)
{
    (void)state;
    setenv("SMM_GATEWAY_SOCKET", sock_path, 1);
    struct service_context *ctx = service_locator_query("sn:trustedfirmware.org:smm-variable:0");
    assert_non_null(ctx);
    struct rpc_caller_session *s = service_context_open(ctx);
    assert_non_null(s);
    uint8_t name[32];
    size_t ns = name16("ViaLibts", name);
    static const uint8_t value[5] = {5, 4, 3, 2, 1};
    size_t req_len = 36 + ns + sizeof(value);
    uint8_t *buf = NULL;
    rpc_call_handle h = rpc_caller_session_begin(s, &buf, req_len, 256);
    assert_non_null(h);
    memcpy(buf, vendor, 16);
    wire_store_u64(buf + 16, sizeof(value));
    wire_store_u64(buf + 24, ns);
    wire_store_u32(buf + 32, NV_BS_RT);
    memcpy(buf + 36, name, ns);
    memcpy(buf + 36 + ns, value, sizeof(value));
    uint8_t *resp = NULL;
    size_t resp_len = 99;
    service_status_t status = 12345;
    assert_int_equal(rpc_caller_session_invoke(h, FN_SET_VARIABLE, &resp, &resp_len, &status),
                     RPC_SUCCESS);
    assert_int_equal(status, EFI_SUCCESS);
    assert_int_equal(rpc_caller_session_end(h), RPC_SUCCESS);

    h = rpc_caller_session_begin(s, &buf, 36 + ns, 256);
    assert_non_null(h);
    memcpy(buf, vendor, 16);
    wire_store_u64(buf + 16, 64); /* capacity */
    wire_store_u64(buf + 24, ns);
    wire_store_u32(buf + 32, 0);
    memcpy(buf + 36, name, ns);
    assert_int_equal(rpc_caller_session_invoke(h, FN_GET_VARIABLE, &resp, &resp_len, &status),
                     RPC_SUCCESS);
    assert_int_equal(status, EFI_SUCCESS);
    assert_int_equal(resp_len, 36 + ns + sizeof(value));
    assert_int_equal(wire_load_u64(resp + 16), sizeof(value));
    assert_int_equal(wire_load_u32(resp + 32), NV_BS_RT);
    assert_memory_equal(resp + 36 + ns, value, sizeof(value));
    assert_int_equal(rpc_caller_session_end(h), RPC_SUCCESS);

    /* And the value is the device's: the raw U-Boot path reads the same. */
    conn_t c = open_conn();
    uint8_t out[64];
    size_t len = sizeof(out);
    assert_int_equal(get_var(&c, "ViaLibts", out, &len), EFI_SUCCESS);
    assert_memory_equal(out, value, sizeof(value));
    close_conn(&c);
    service_context_close(ctx, s);
    service_context_relinquish(ctx);

    /* The MM caller serves only the SMM variable service (upstream: no serializer). */
    struct rpc_caller_interface caller;
    assert_int_equal(mm_communicate_caller_init(&caller, sock_path), RPC_SUCCESS);
    const struct rpc_uuid its = {{0xdc, 0x1e, 0xef, 0x48, 0xb1, 0x7a, 0x4c, 0xcf, 0xac, 0x8b, 0xdf,
                                  0xcf, 0xf7, 0x71, 0x1b, 0x14}};
    assert_int_equal(rpc_caller_open_session(&caller, &its, 0), RPC_ERROR_INTERNAL);
    assert_int_equal(mm_communicate_caller_deinit(&caller), RPC_SUCCESS);
    unsetenv("SMM_GATEWAY_SOCKET");
}

int main(int argc, char **argv)
{
    if (argc != 2 || getenv("RSS_SOCKET") == NULL) {
        fprintf(stderr, "usage (under with_rssd.sh): %s SMM_GATEWAY\n", argv[0]);
        return 2;
    }
    gateway_path = argv[1];
    if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0) {
        return 1;
    }
    snprintf(sock_path, sizeof(sock_path), "%s/smm-gateway.sock", dir);
    signal(SIGPIPE, SIG_IGN);
    start_gateway();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discovery),      cmocka_unit_test(test_uboot_set_get),
        cmocka_unit_test(test_offset),         cmocka_unit_test(test_error_paths),
        cmocka_unit_test(test_shared_store),   cmocka_unit_test(test_builtin_policy),
        cmocka_unit_test(test_restart_and_kill), cmocka_unit_test(test_libts_session),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (gateway_pid > 0) {
        stop_gateway(SIGTERM);
    }
    unlink(sock_path);
    rmdir(dir);
    return failed == 0 ? 0 : 1;
}
