/* rssd never hands one client's bytes to another: two uids, one worker, every error path. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <psa/client.h>
#include <psa/crypto.h>
#include <psa/internal_trusted_storage.h>
#include <psa/protected_storage.h>

#include "client/client_call.h"
#include "comms/crypto_calls.h"
#include "comms/rss_msg.h"
#include "comms/transport.h"
#include "base/wire.h"
#include "rssd_harness.h"

/*
 * The victim is this process (root); the observer is uid 65534 (nobody), which has its own
 * client id and storage namespace; UID_REFUSED is refused by the policy. rssd runs one worker,
 * so every call of every client goes through the same per-worker buffers. Before each probe the
 * victim stores and reads back secrets (an embed ITS get of 600 bytes, which leaves them in the
 * worker's reply buffer, and a pointer-access get of a larger object, which passes through the
 * worker's private copy buffer); the observer then sends one message and must get a reply with
 * exactly the expected bytes, none of the secrets, and, for pointer access, shared memory that
 * nothing but its own successful outputs changed.
 */

#define UID_OBSERVER   65534
#define UID_REFUSED    60003
#define SECRET_UID     0x5ec7e7
#define BIG_SECRET_UID 0x5ec7e8
#define SECRET_KEY_ID  0x5ec7
#define SMALL_LEN      600u
#define BIG_LEN        12000u /* over the embed limit: travels by pointer access */
#define SHM_SIZE       (1u << 20)
#define OUT_OFFSET     4096u /* where probes put their output vectors */
#define FILL           0xee

static rssd_instance_t rssd;
static uint8_t small_secret[SMALL_LEN];
static uint8_t big_secret[BIG_LEN];
/* Every 8-byte window of both secrets, sorted, for has_secret(). */
static uint64_t windows[SMALL_LEN + BIG_LEN];
static size_t window_count;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void add_windows(const uint8_t *s, size_t len)
{
    for (size_t i = 0; i + 8 <= len; i++) {
        memcpy(&windows[window_count++], s + i, 8);
    }
}

static void make_secrets(void)
{
    /* xorshift64: bytes that no reply, fill pattern or observer input contains by chance. */
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < SMALL_LEN + BIG_LEN; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint8_t b = (uint8_t)(x >> 24);
        if (i < SMALL_LEN) {
            small_secret[i] = b;
        } else {
            big_secret[i - SMALL_LEN] = b;
        }
    }
    add_windows(small_secret, SMALL_LEN);
    add_windows(big_secret, BIG_LEN);
    qsort(windows, window_count, sizeof(windows[0]), cmp_u64);
}

/* Whether any 8 consecutive bytes of buf are 8 consecutive bytes of a secret. */
static bool has_secret(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i + 8 <= len; i++) {
        uint64_t w;
        memcpy(&w, buf + i, 8);
        if (bsearch(&w, windows, window_count, sizeof(w), cmp_u64) != NULL) {
            return true;
        }
    }
    return false;
}

/* The victim's calls: they leave its secrets in whatever buffers rssd reuses. */
static void plant_secrets(void)
{
    uint8_t got[BIG_LEN];
    size_t n = 0;
    assert_int_equal(psa_its_get(BIG_SECRET_UID, 0, sizeof(got), got, &n), PSA_SUCCESS);
    assert_int_equal(n, BIG_LEN);
    assert_memory_equal(got, big_secret, BIG_LEN);
    uint8_t key[32];
    assert_int_equal(psa_export_key(SECRET_KEY_ID, key, sizeof(key), &n), PSA_SUCCESS);
    assert_int_equal(n, 32);
    assert_int_equal(psa_its_get(SECRET_UID, 0, SMALL_LEN, got, &n), PSA_SUCCESS);
    assert_int_equal(n, SMALL_LEN);
    assert_memory_equal(got, small_secret, SMALL_LEN);
}

/* ---- probes: one message from another uid, in a child process --------------------------- */

typedef struct probe {
    const char *name;
    bool pointer;        /* pointer access (else embed) */
    bool no_shm;         /* pointer access without setting up shared memory first */
    rss_msg_call_t call; /* in_data (embed) also gives the bytes put in shared memory */
    const uint8_t *raw;  /* sent instead of the encoded call when set */
    size_t raw_len;
    psa_status_t expect; /* for an error probe: the status of the 16/24-byte error reply */
    bool success;        /* a successful call: out[0] must be exactly own_data */
    const uint8_t *own_data;
    size_t own_len;
} probe_t;

/* What a child reports (its exit status). */
enum {
    PROBE_OK = 0,
    PROBE_NO_REPLY = 10,
    PROBE_BAD_LENGTH,
    PROBE_BAD_BYTES,
    PROBE_SECRET_IN_REPLY,
    PROBE_SECRET_IN_SHM,
    PROBE_SHM_CHANGED,
    PROBE_SETUP_FAILED,
    PROBE_BAD_OWN_DATA,
};

static int child_fail(const probe_t *p, int code, const char *what, size_t got)
{
    fprintf(stderr, "probe \"%s\": %s (%zu)\n", p->name, what, got);
    return code;
}

static int connect_rssd(void)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memcpy(addr.sun_path, rssd.socket, strlen(rssd.socket) + 1);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Maps a fresh region and announces it; the ctrl reply's status is returned. */
static psa_status_t setup_shm(int fd, rss_shm_t *shm)
{
    if (rss_shm_create(SHM_SIZE, shm) != PSA_SUCCESS) {
        return PSA_ERROR_GENERIC_ERROR;
    }
    memset(shm->base, FILL, SHM_SIZE);
    uint8_t buf[64];
    rss_ctrl_msg_t ctrl = {.header = {RSS_CTRL_SHM_SETUP, 7, 1}, .shm_size = SHM_SIZE};
    size_t n = rss_msg_encode_ctrl(&ctrl, buf, sizeof(buf));
    if (!rss_unix_send_packet(fd, buf, n, shm->fd)) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    ssize_t got = recv(fd, buf, sizeof(buf), 0);
    rss_msg_header_t header;
    psa_status_t status = PSA_ERROR_GENERIC_ERROR;
    if (got <= 0 || rss_msg_decode_ctrl_reply(buf, (size_t)got, &header, &status) != PSA_SUCCESS) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    return status;
}

/* The exact error reply TF-M sends: the request's header, the status, every size 0. */
static size_t expected_error(const rss_msg_header_t *h, psa_status_t status, uint8_t *out)
{
    return rss_msg_encode_error_reply(h, status, out, 64);
}

static int run_probe(const probe_t *p)
{
    int fd = connect_rssd();
    if (fd < 0) {
        return child_fail(p, PROBE_SETUP_FAILED, "connect", 0);
    }
    rss_shm_t shm = {.fd = -1};
    rss_msg_call_t call = p->call;
    call.header =
        (rss_msg_header_t){p->pointer ? RSS_PROTOCOL_POINTER_ACCESS : RSS_PROTOCOL_EMBED, 0x5a, 1};
    if (p->pointer && !p->no_shm) {
        if (setup_shm(fd, &shm) != PSA_SUCCESS && p->expect != PSA_ERROR_CONNECTION_REFUSED) {
            return child_fail(p, PROBE_SETUP_FAILED, "shm setup", 0);
        }
        if (shm.base != NULL) {
            /* Inputs at 0, 1024, 2048, 3072 unless the probe set addresses itself. */
            for (uint32_t i = 0; i < call.in_len; i++) {
                if (call.in_addr[i] == 0 && i > 0) {
                    call.in_addr[i] = 1024u * i;
                }
                if (call.in_data[i] != NULL && call.in_addr[i] + call.in_size[i] <= OUT_OFFSET) {
                    memcpy(shm.base + call.in_addr[i], call.in_data[i], call.in_size[i]);
                }
            }
            uint64_t at = OUT_OFFSET;
            for (uint32_t i = 0; i < call.out_len; i++) {
                if (call.out_addr[i] == 0) {
                    call.out_addr[i] = at;
                    at += call.out_size[i] + 64;
                }
            }
        }
    }
    uint8_t msg[RSS_MSG_EMBED_CALL_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT + 64];
    size_t len = 0;
    if (p->raw != NULL) {
        memcpy(msg, p->raw, p->raw_len);
        len = p->raw_len;
    } else if (rss_msg_encode_call(&call, msg, sizeof(msg), &len) != PSA_SUCCESS) {
        return child_fail(p, PROBE_SETUP_FAILED, "encode", 0);
    }
    uint8_t *shm_before = NULL;
    if (shm.base != NULL) {
        shm_before = malloc(SHM_SIZE);
        memcpy(shm_before, shm.base, SHM_SIZE);
    }
    if (!rss_unix_send_packet(fd, msg, len, -1)) {
        return child_fail(p, PROBE_NO_REPLY, "send", 0);
    }
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (poll(&pfd, 1, 10000) != 1) {
        return child_fail(p, PROBE_NO_REPLY, "no reply within 10 s", 0);
    }
    uint8_t reply[sizeof(msg)];
    ssize_t got = recv(fd, reply, sizeof(reply), 0);
    if (got <= 0) {
        return child_fail(p, PROBE_NO_REPLY, "connection closed", 0);
    }
    if (has_secret(reply, (size_t)got)) {
        return child_fail(p, PROBE_SECRET_IN_REPLY, "reply holds the victim's bytes", (size_t)got);
    }
    if (shm.base != NULL && has_secret(shm.base, SHM_SIZE)) {
        return child_fail(p, PROBE_SECRET_IN_SHM, "shared memory holds the victim's bytes", 0);
    }
    rss_msg_header_t header;
    memcpy(&header, &call.header, sizeof(header));
    if (p->raw != NULL) {
        header = (rss_msg_header_t){p->raw[0], p->raw[1], (uint16_t)(p->raw[2] | p->raw[3] << 8)};
    }
    if (!p->success) {
        uint8_t expect[64];
        size_t expect_len = expected_error(&header, p->expect, expect);
        if ((size_t)got != expect_len) {
            return child_fail(p, PROBE_BAD_LENGTH, "error reply length", (size_t)got);
        }
        if (memcmp(reply, expect, expect_len) != 0) {
            int32_t status;
            memcpy(&status, reply + 4, 4);
            return child_fail(p, PROBE_BAD_BYTES, "error reply bytes; status", (size_t)-status);
        }
        if (shm_before != NULL && memcmp(shm_before, shm.base, SHM_SIZE) != 0) {
            return child_fail(p, PROBE_SHM_CHANGED, "a failed call wrote shared memory", 0);
        }
    } else {
        rss_msg_reply_t rep;
        if (rss_msg_decode_reply(reply, (size_t)got, &rep) != PSA_SUCCESS ||
            rep.status != PSA_SUCCESS || rep.out_size[0] != p->own_len) {
            return child_fail(p, PROBE_BAD_LENGTH, "success reply", (size_t)got);
        }
        const uint8_t *data = p->pointer ? shm.base + call.out_addr[0] : rep.out_data[0];
        if (memcmp(data, p->own_data, p->own_len) != 0) {
            return child_fail(p, PROBE_BAD_OWN_DATA, "output is not the caller's data", 0);
        }
        if (p->pointer) {
            /* Nothing but the reported bytes of out[0] changed. */
            memcpy(shm_before + call.out_addr[0], p->own_data, p->own_len);
            if (memcmp(shm_before, shm.base, SHM_SIZE) != 0) {
                return child_fail(p, PROBE_SHM_CHANGED, "bytes beyond the output changed", 0);
            }
        }
    }
    free(shm_before);
    rss_shm_destroy(&shm);
    close(fd);
    return PROBE_OK;
}

/* Runs the probe as `uid` in a child; the victim plants its secrets right before. */
static int probe_as(uid_t uid, const probe_t *p)
{
    plant_secrets();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        client_disconnect_all(); /* the victim's connections are not the child's */
        if (setgid(uid) < 0 || setuid(uid) < 0) {
            _exit(PROBE_SETUP_FAILED);
        }
        _exit(run_probe(p));
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

/* Runs every probe (all of them, so one run names every failing path), then fails if any did. */
static void run_all(uid_t uid, const probe_t *probes, size_t count, bool pointer)
{
    size_t failed = 0;
    for (size_t i = 0; i < count; i++) {
        probe_t p = probes[i];
        p.pointer = p.pointer || pointer;
        int code = probe_as(uid, &p);
        if (code != PROBE_OK) {
            print_error("%s probe \"%s\" failed with %d\n", p.pointer ? "pointer" : "embed", p.name,
                        code);
            failed++;
        }
    }
    if (failed > 0) {
        fail_msg("%zu of %zu probes failed", failed, count);
    }
}

/* ---- the probes ---------------------------------------------------------------------------- */

static uint8_t uid_unknown[8] = {0x01, 0xde, 0xad};
static uint8_t uid_secret[8];
static uint8_t offset0[4];
static uint8_t offset_far[4] = {0x00, 0x10}; /* 4096: past the observer's object */
static uint8_t short3[3];
static uint8_t flags0[4];
static uint8_t own_uid[8] = {0x0b, 0x5e};
static const uint8_t own_bytes[10] = "own-bytes!";
static uint8_t hdr_export[CRYPTO_IOVEC_SIZE];
static uint8_t hdr_hash_finish[CRYPTO_IOVEC_SIZE];
static uint8_t hdr_unknown_fid[CRYPTO_IOVEC_SIZE];
static uint8_t hdr_aead_encrypt[CRYPTO_IOVEC_SIZE];
static uint8_t hdr_cipher_update[CRYPTO_IOVEC_SIZE];
static uint8_t plain64[64];

#define ITS    ((psa_handle_t)0x40000102)
#define PS     ((psa_handle_t)0x40000101)
#define CRYPTO ((psa_handle_t)0x40000100)
#define ATTEST ((psa_handle_t)0x40000103)

/* A call asking for 600 bytes of output after the given inputs. */
#define CALL(h, t, nin, ...)                                                                       \
    {                                                                                              \
        .handle = (h), .type = (t), .in_len = (nin), .out_len = 1, .out_size = {SMALL_LEN},        \
        __VA_ARGS__                                                                                \
    }

static probe_t service_probes[24];
static size_t service_probe_count;

static void build_probes(void)
{
    memcpy(uid_secret, &(uint64_t){SECRET_UID}, 8);
    crypto_iovec_encode(
        &(crypto_iovec_t){.function_id = CRYPTO_FID_EXPORT_KEY, .key_id = SECRET_KEY_ID},
        hdr_export);
    crypto_iovec_encode(
        &(crypto_iovec_t){.function_id = CRYPTO_FID_HASH_FINISH, .op_handle = 12345},
        hdr_hash_finish);
    crypto_iovec_encode(&(crypto_iovec_t){.function_id = 0x0fff}, hdr_unknown_fid);
    /* Bulk rows, whose output stays in shared memory with pointer access: refused before the
     * core writes a byte there (docs/crypto-calls.md). */
    crypto_iovec_encode(&(crypto_iovec_t){.function_id = CRYPTO_FID_AEAD_ENCRYPT,
                                          .key_id = SECRET_KEY_ID,
                                          .alg = PSA_ALG_GCM,
                                          .nonce_length = 12},
                        hdr_aead_encrypt);
    crypto_iovec_encode(
        &(crypto_iovec_t){.function_id = CRYPTO_FID_CIPHER_UPDATE, .op_handle = 12345},
        hdr_cipher_update);
    const probe_t p[] = {
        {"unknown stateless handle 0x40000110", .call = CALL(0x40000110, 0, 0),
         .expect = PSA_ERROR_PROGRAMMER_ERROR},
        {"handle with a wrong version", .call = CALL(0x40000202, 1002, 0),
         .expect = PSA_ERROR_PROGRAMMER_ERROR},
        {"null handle", .call = CALL(0, 1002, 0), .expect = PSA_ERROR_PROGRAMMER_ERROR},
        {"type -1", .call = CALL(ITS, -1, 0), .expect = PSA_ERROR_PROGRAMMER_ERROR},
        {"ITS unknown type", .call = CALL(ITS, 1999, 0), .expect = PSA_ERROR_NOT_SUPPORTED},
        {"ITS get of the victim's uid",
         .call = CALL(ITS, 1002, 2, .in_size = {8, 4}, .in_data = {uid_secret, offset0}),
         .expect = PSA_ERROR_DOES_NOT_EXIST},
        {"ITS get of an unknown uid",
         .call = CALL(ITS, 1002, 2, .in_size = {8, 4}, .in_data = {uid_unknown, offset0}),
         .expect = PSA_ERROR_DOES_NOT_EXIST},
        {"ITS get with a 3-byte offset",
         .call = CALL(ITS, 1002, 2, .in_size = {8, 3}, .in_data = {own_uid, short3}),
         .expect = PSA_ERROR_PROGRAMMER_ERROR},
        {"ITS get past the end",
         .call = CALL(ITS, 1002, 2, .in_size = {8, 4}, .in_data = {own_uid, offset_far}),
         .expect = PSA_ERROR_INVALID_ARGUMENT},
        {"ITS get_info into 600 bytes",
         .call = CALL(ITS, 1003, 1, .in_size = {8}, .in_data = {own_uid}),
         .expect = PSA_ERROR_PROGRAMMER_ERROR},
        {"PS unknown type", .call = CALL(PS, 1999, 0), .expect = PSA_ERROR_PROGRAMMER_ERROR},
        {"PS get_support into 600 bytes", .call = CALL(PS, 1005, 0),
         .expect = PSA_ERROR_PROGRAMMER_ERROR},
        {"attestation", .call = CALL(ATTEST, 1001, 1, .in_size = {4}, .in_data = {flags0}),
         .expect = PSA_ERROR_NOT_SUPPORTED},
        {"crypto with type 1",
         .call = CALL(CRYPTO, 1, 1, .in_size = {CRYPTO_IOVEC_SIZE}, .in_data = {hdr_export}),
         .expect = PSA_ERROR_PROGRAMMER_ERROR},
        {"crypto with an unknown function id",
         .call = CALL(CRYPTO, 0, 1, .in_size = {CRYPTO_IOVEC_SIZE}, .in_data = {hdr_unknown_fid}),
         .expect = PSA_ERROR_NOT_SUPPORTED},
        {"crypto with a 10-byte header",
         .call = CALL(CRYPTO, 0, 1, .in_size = {10}, .in_data = {hdr_export}),
         .expect = PSA_ERROR_PROGRAMMER_ERROR},
        {"crypto export of the victim's key",
         .call = CALL(CRYPTO, 0, 1, .in_size = {CRYPTO_IOVEC_SIZE}, .in_data = {hdr_export}),
         .expect = PSA_ERROR_INVALID_HANDLE},
        {"crypto in-place AEAD encryption with the victim's key id",
         .call = CALL(CRYPTO, 0, 2, .in_size = {CRYPTO_IOVEC_SIZE, sizeof(plain64)},
                      .in_data = {hdr_aead_encrypt, plain64}),
         .expect = PSA_ERROR_INVALID_HANDLE},
        {"crypto in-place cipher update of an unknown operation",
         .call = CALL(CRYPTO, 0, 2, .in_size = {CRYPTO_IOVEC_SIZE, sizeof(plain64)},
                      .in_data = {hdr_cipher_update, plain64}),
         .expect = PSA_ERROR_BAD_STATE},
        {"crypto hash finish of an unknown operation",
         .call = {.handle = CRYPTO,
                  .type = 0,
                  .in_len = 1,
                  .out_len = 2,
                  .in_size = {CRYPTO_IOVEC_SIZE},
                  .in_data = {hdr_hash_finish},
                  .out_size = {4, 64}},
         .expect = PSA_ERROR_BAD_STATE},
    };
    _Static_assert(sizeof(p) <= sizeof(service_probes), "service_probes is too small");
    service_probe_count = sizeof(p) / sizeof(p[0]);
    memcpy(service_probes, p, sizeof(p));
}

/* ---- tests ------------------------------------------------------------------------------- */

/* The report exactly: the victim (a root process that has exited) set and read 600 bytes; an
 * embed call from nobody to an unknown stateless handle, or with type -1, asking for 600 bytes
 * got PROGRAMMER_ERROR with 616 bytes, the last 600 of them the victim's. */
static void test_reported_leak(void **state)
{
    (void)state;
    pid_t pid = fork();
    if (pid == 0) {
        client_disconnect_all();
        uint8_t got[SMALL_LEN];
        size_t n = 0;
        bool ok = psa_its_get(SECRET_UID, 0, SMALL_LEN, got, &n) == PSA_SUCCESS && n == SMALL_LEN &&
                  memcmp(got, small_secret, SMALL_LEN) == 0;
        client_disconnect_all();
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    for (int i = 0; i < 2; i++) {
        probe_t p = {i == 0 ? "0x40000110 after the victim exited" : "type -1 after it exited",
                     .call = CALL(i == 0 ? 0x40000110 : ITS, i == 0 ? 0 : -1, 0),
                     .expect = PSA_ERROR_PROGRAMMER_ERROR};
        fflush(NULL);
        pid = fork();
        if (pid == 0) {
            if (setgid(UID_OBSERVER) < 0 || setuid(UID_OBSERVER) < 0) {
                _exit(PROBE_SETUP_FAILED);
            }
            _exit(run_probe(&p));
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), PROBE_OK);
    }
}

static void test_service_errors_embed(void **state)
{
    (void)state;
    run_all(UID_OBSERVER, service_probes, service_probe_count, false);
}

static void test_service_errors_pointer(void **state)
{
    (void)state;
    run_all(UID_OBSERVER, service_probes, service_probe_count, true);
}

/* Malformed bodies: the comms layer's CONNECTION_BUSY (or the SPM's PROGRAMMER_ERROR for
 * overlapping vectors), never a byte more than the 16- or 24-byte error reply. */
static void test_bad_vectors(void **state)
{
    (void)state;
    /* in_len 3 + out_len 3 */
    static const uint8_t too_many[] = {0,    1,    1, 0, 0x02, 0x01, 0, 0x40, 0xea, 0x03,
                                       0x03, 0x03, 8, 0, 4,    0,    0, 0,    0x58, 0x02};
    /* outputs of 2 x 65535 bytes: over the embed limit */
    static const uint8_t over_limit[] = {0,    2,    1,    0,    0x02, 0x01, 0, 0x40, 0xea, 0x03,
                                         0x02, 0x00, 0xff, 0xff, 0xff, 0xff, 0, 0,    0,    0};
    /* an input of 100 bytes with 4 present */
    static const uint8_t short_input[] = {0,    3,    1,    0,    0x02, 0x01, 0,    0x40,
                                          0xea, 0x03, 0x01, 0x01, 100,  0,    0x58, 0x02,
                                          0,    0,    0,    0,    1,    2,    3,    4};
    /* 8 bytes of body */
    static const uint8_t truncated[] = {0, 4, 1, 0, 0x02, 0x01, 0, 0x40, 0xea, 0x03, 0x01, 0x01};
    /* a pointer-access body one byte short */
    static uint8_t pointer_short[RSS_MSG_POINTER_CALL_SIZE - 1] = {1, 5,    1,    0,    0x02, 0x01,
                                                                   0, 0x40, 0xea, 0x03, 0x01, 0x01};
    static uint8_t oversized[RSS_MSG_EMBED_CALL_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT + 8] = {
        0, 6, 1, 0, 0x02, 0x01, 0, 0x40, 0xea, 0x03, 0x00, 0x01, 0x58, 0x02};
    const probe_t embed[] = {
        {"in_len + out_len > 4", .raw = too_many, .raw_len = sizeof(too_many),
         .expect = PSA_ERROR_CONNECTION_BUSY},
        {"outputs over the embed limit", .raw = over_limit, .raw_len = sizeof(over_limit),
         .expect = PSA_ERROR_CONNECTION_BUSY},
        {"input shorter than its size", .raw = short_input, .raw_len = sizeof(short_input),
         .expect = PSA_ERROR_CONNECTION_BUSY},
        {"truncated body", .raw = truncated, .raw_len = sizeof(truncated),
         .expect = PSA_ERROR_CONNECTION_BUSY},
        {"packet longer than any message", .raw = oversized, .raw_len = sizeof(oversized),
         .expect = PSA_ERROR_CONNECTION_BUSY},
    };
    run_all(UID_OBSERVER, embed, sizeof(embed) / sizeof(embed[0]), false);
    const probe_t pointer[] = {
        {"pointer body one byte short", .raw = pointer_short, .raw_len = sizeof(pointer_short),
         .expect = PSA_ERROR_CONNECTION_BUSY},
        {"no shared memory", .no_shm = true,
         .call = CALL(ITS, 1002, 2, .in_size = {8, 4}, .in_data = {own_uid, offset0}),
         .expect = PSA_ERROR_CONNECTION_BUSY},
        {"output outside the shared memory",
         .call = CALL(ITS, 1002, 2, .in_size = {8, 4}, .in_data = {own_uid, offset0},
                      .out_addr = {SHM_SIZE - 100}),
         .expect = PSA_ERROR_CONNECTION_BUSY},
        {"output overlapping an input",
         .call = CALL(ITS, 1002, 2, .in_size = {8, 4}, .in_data = {own_uid, offset0},
                      .in_addr = {0, 1024}, .out_addr = {1024}),
         .expect = PSA_ERROR_PROGRAMMER_ERROR},
        {"overlapping inputs",
         .call = CALL(ITS, 1002, 2, .in_size = {8, 4}, .in_data = {own_uid, offset0},
                      .in_addr = {1024, 1028}),
         .expect = PSA_ERROR_PROGRAMMER_ERROR},
    };
    run_all(UID_OBSERVER, pointer, sizeof(pointer) / sizeof(pointer[0]), true);
}

/* A refused peer reaches no service: CONNECTION_REFUSED with nothing else, by either protocol. */
static void test_refused_peer(void **state)
{
    (void)state;
    const probe_t p[] = {
        {"refused: ITS get",
         .call = CALL(ITS, 1002, 2, .in_size = {8, 4}, .in_data = {uid_secret, offset0}),
         .expect = PSA_ERROR_CONNECTION_REFUSED},
        {"refused: unknown handle", .call = CALL(0x40000110, 0, 0),
         .expect = PSA_ERROR_CONNECTION_REFUSED},
    };
    run_all(UID_REFUSED, p, 2, false);
    run_all(UID_REFUSED, p, 2, true);
}

/* A successful call returns the caller's own bytes and nothing past them: 10 bytes of its own
 * object in a 600-byte vector give a 26-byte embed reply, and change 10 bytes of its memory. */
static int observer_stores(void *unused)
{
    (void)unused;
    client_disconnect_all();
    return psa_its_set(0x5e0b, sizeof(own_bytes), own_bytes, 0) == PSA_SUCCESS ? 0 : 1;
}

static void test_success_returns_own_bytes_only(void **state)
{
    (void)state;
    const probe_t p[] = {
        {"own object", .call = CALL(ITS, 1002, 2, .in_size = {8, 4}, .in_data = {own_uid, offset0}),
         .success = true, .own_data = own_bytes, .own_len = sizeof(own_bytes)},
    };
    run_all(UID_OBSERVER, p, 1, false);
    run_all(UID_OBSERVER, p, 1, true);
}

static int setup(void **state)
{
    (void)state;
    make_secrets();
    build_probes();
    memcpy(own_uid, &(uint64_t){0x5e0b}, 8);
    static const char *const args[] = {"--workers", "1", NULL};
    if (!rssd_start(&rssd, "uid 60003 refused\n", args) || psa_crypto_init() != PSA_SUCCESS) {
        return -1;
    }
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_id(&a, SECRET_KEY_ID);
    psa_set_key_type(&a, PSA_KEY_TYPE_AES);
    psa_set_key_bits(&a, 256);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT);
    psa_key_id_t key = 0;
    if (psa_import_key(&a, big_secret + 100, 32, &key) != PSA_SUCCESS ||
        psa_its_set(SECRET_UID, SMALL_LEN, small_secret, 0) != PSA_SUCCESS ||
        psa_its_set(BIG_SECRET_UID, BIG_LEN, big_secret, 0) != PSA_SUCCESS) {
        return -1;
    }
    /* The observer's own object, for the probes that read it. */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (setgid(UID_OBSERVER) < 0 || setuid(UID_OBSERVER) < 0) {
            _exit(PROBE_SETUP_FAILED);
        }
        _exit(observer_stores(NULL));
    }
    int status = 0;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0
                                                                                            : -1;
}

static int teardown(void **state)
{
    (void)state;
    client_disconnect_all();
    int status = rssd_stop(&rssd);
    rssd_cleanup(&rssd);
    if (status != 0) {
        fprintf(stderr, "rssd exited with status %d\n", status);
        return -1;
    }
    return 0;
}

int main(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "test_rssd_leak needs root for its set-uid children; skipped\n");
        return 77;
    }
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reported_leak),
        cmocka_unit_test(test_service_errors_embed),
        cmocka_unit_test(test_service_errors_pointer),
        cmocka_unit_test(test_bad_vectors),
        cmocka_unit_test(test_refused_peer),
        cmocka_unit_test(test_success_returns_own_bytes_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
