/* TS RPC end to end: a client on the libts 2.0.0 ABI, se-proxy, a real rssd. */
/*
 * Run under with_rssd.sh (RSS_SOCKET) with RSSD_POLICY naming uid 0 a forwarder. The test starts
 * se-proxy (argv[1]) on $TS_RUNTIME_DIR/se-proxy.sock in a private directory and talks to it
 * through libts (and libpsa straight to rssd, to compare), the
 * way TS's packed-c secure-storage client does (begin, write the packed request, invoke, read
 * the response, end), plus raw packets for the malformed-message cases. The request bodies are
 * written out byte by byte from the sheet's secure_storage_proto.h table.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pkcs7.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <psa/crypto.h>
#include <psa/protected_storage.h>

#include "rpc_caller_session.h"
#include "service_locator.h"

/* The libts 2.0.0 layouts clients compile against (sheet §1.6, LP64). */
_Static_assert(sizeof(struct rpc_caller_shared_memory) == 24, "shared memory");
_Static_assert(offsetof(struct rpc_caller_shared_memory, size) == 16, "shared memory size");
_Static_assert(sizeof(struct rpc_caller_interface) == 56, "caller interface");
_Static_assert(offsetof(struct rpc_caller_interface, call) == 48, "caller call");
_Static_assert(sizeof(struct rpc_caller_session) == 48, "session");
_Static_assert(offsetof(struct rpc_caller_session, shared_memory) == 8, "session memory");
_Static_assert(offsetof(struct rpc_caller_session, memory_policy) == 32, "session policy");
_Static_assert(offsetof(struct rpc_caller_session, is_call_transaction_in_progress) == 36,
               "session flag");
_Static_assert(offsetof(struct rpc_caller_session, request_length) == 40, "session length");
_Static_assert(sizeof(struct service_context) == 32, "service context");
_Static_assert(offsetof(struct service_context, relinquish) == 24, "relinquish");
_Static_assert(sizeof(rpc_status_t) == 4 && sizeof(service_status_t) == 8, "statuses");

#define ITS_SN    "sn:trustedfirmware.org:internal-trusted-storage:0"
#define PS_SN     "sn:trustedfirmware.org:protected-storage:0"
#define CRYPTO_SN "sn:trustedfirmware.org:crypto:0"

/* PSA status values (sheet §2.1), as the service status carries them. */
#define ST_SUCCESS        0
#define ST_NOT_PERMITTED  (-133)
#define ST_NOT_SUPPORTED  (-134)
#define ST_ALREADY_EXISTS (-139)
#define ST_DOES_NOT_EXIST (-140)

static const char *server_path;
static char dir[] = "/tmp/test-ts-libts-XXXXXX";
static char sock_path[128];
static pid_t server_pid = -1;

static void start_server(void)
{
    unlink(sock_path);
    server_pid = fork();
    assert_true(server_pid >= 0);
    if (server_pid == 0) {
        execl(server_path, server_path, "--socket", sock_path, "--foreground", (char *)NULL);
        _exit(127);
    }
    /* No deadline: the server is up when its socket exists, or has failed when it exits. */
    struct stat st;
    while (stat(sock_path, &st) != 0) {
        assert_int_equal(waitpid(server_pid, NULL, WNOHANG), 0);
        usleep(10000);
    }
}

static void stop_server(int sig)
{
    int status;
    kill(server_pid, sig);
    assert_int_equal(waitpid(server_pid, &status, 0), server_pid);
    if (sig == SIGTERM) {
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    server_pid = -1;
}

/* One packed-c call through a session: what TS's service clients do for every operation. */
static rpc_status_t call(struct rpc_caller_session *s, uint32_t opcode, const uint8_t *req,
                         size_t req_len, size_t resp_max, uint8_t *resp, size_t *resp_len,
                         service_status_t *status)
{
    uint8_t *buf = NULL;
    rpc_call_handle h = rpc_caller_session_begin(s, &buf, req_len, resp_max);
    assert_non_null(h);
    if (req_len != 0) {
        memcpy(buf, req, req_len);
    }
    uint8_t *out = NULL;
    size_t out_len = 0;
    *status = 12345;
    rpc_status_t r = rpc_caller_session_invoke(h, opcode, &out, &out_len, status);
    *resp_len = out_len;
    if (r == RPC_SUCCESS && out_len != 0) {
        assert_true(out_len <= resp_max);
        memcpy(resp, out, out_len);
    }
    assert_int_equal(rpc_caller_session_end(h), RPC_SUCCESS);
    return r;
}

/* uid 0x0102030405060708 + the given fields, little-endian (secure_storage_proto.h). */
static const uint8_t uid_req[8] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
static const uint8_t set_req[25] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x05,
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                    0x00, 0x00, 'h',  'e',  'l',  'l',  'o'};
static const uint8_t get_req[24] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                    0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
static const uint8_t info_resp[20] = {0x05, 0, 0, 0, 0, 0, 0, 0, 0x05, 0,
                                      0,    0, 0, 0, 0, 0, 0, 0, 0,    0};

static struct rpc_caller_session *open_sn(const char *sn, struct service_context **ctx)
{
    service_locator_init();
    *ctx = service_locator_query(sn);
    assert_non_null(*ctx);
    struct rpc_caller_session *s = service_context_open(*ctx);
    assert_non_null(s);
    return s;
}

static void close_sn(struct service_context *ctx, struct rpc_caller_session *s)
{
    service_context_close(ctx, s);
    service_context_relinquish(ctx);
}

static void test_locator(void **state)
{
    (void)state;
    service_locator_init();
    service_locator_init(); /* more than once is fine */
    const char *found[] = {ITS_SN,
                           PS_SN,
                           CRYPTO_SN,
                           "urn:sn:trustedfirmware.org:protected-storage.1.0:0",
                           "sn:trustedfirmware.org:protected-storage",
                           "sn:trustedfirmware.org:protected-storage:x"};
    for (size_t i = 0; i < sizeof(found) / sizeof(found[0]); i++) {
        struct service_context *ctx = service_locator_query(found[i]);
        assert_non_null(ctx);
        service_context_relinquish(ctx);
    }
    /* crypto-protobuf is not hosted by this endpoint; the others are not valid names of ours. */
    const char *missing[] = {"sn:trustedfirmware.org:crypto-protobuf:0",
                             "sn:trustedfirmware.org:protected-storage:1",
                             "sn:trustedfirmware.org:protected:0",
                             "sn:example.org:protected-storage:0",
                             "protected-storage",
                             ""};
    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        assert_null(service_locator_query(missing[i]));
    }
    assert_null(service_locator_query(NULL));
    assert_null(service_context_open(NULL));
}

static void storage_round_trip(const char *sn)
{
    struct service_context *ctx;
    struct rpc_caller_session *s = open_sn(sn, &ctx);
    uint8_t resp[64];
    size_t len;
    service_status_t st;
    assert_int_equal(call(s, 0x100, set_req, sizeof(set_req), 0, resp, &len, &st), RPC_SUCCESS);
    assert_int_equal(st, ST_SUCCESS);
    assert_int_equal(call(s, 0x101, get_req, sizeof(get_req), 5, resp, &len, &st), RPC_SUCCESS);
    assert_int_equal(st, ST_SUCCESS);
    assert_int_equal(len, 5);
    assert_memory_equal(resp, "hello", 5);
    assert_int_equal(call(s, 0x102, uid_req, 8, 20, resp, &len, &st), RPC_SUCCESS);
    assert_int_equal(st, ST_SUCCESS);
    assert_int_equal(len, 20);
    assert_memory_equal(resp, info_resp, 20);
    assert_int_equal(call(s, 0x106, NULL, 0, 4, resp, &len, &st), RPC_SUCCESS);
    assert_int_equal(len, 4);
    bool is_ps = strcmp(sn, PS_SN) == 0;
    const uint8_t support[4] = {is_ps ? 0x01 : 0x00, 0, 0, 0};
    assert_memory_equal(resp, support, 4);

    const uint8_t create_req[20] = {0x09, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* uid+1 */
                                    0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 16 */
                                    0x00, 0x00, 0x00, 0x00};
    const uint8_t ext_req[27] = {0x09, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00,
                                 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00,
                                 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 'a',  'b',  'c'};
    const uint8_t uid2_req[8] = {0x09, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
    assert_int_equal(call(s, 0x104, create_req, 20, 0, resp, &len, &st), RPC_SUCCESS);
    assert_int_equal(st, is_ps ? ST_SUCCESS : ST_NOT_SUPPORTED);
    assert_int_equal(call(s, 0x105, ext_req, 27, 0, resp, &len, &st), RPC_SUCCESS);
    assert_int_equal(st, is_ps ? ST_SUCCESS : ST_NOT_SUPPORTED);
    if (is_ps) {
        assert_int_equal(call(s, 0x104, create_req, 20, 0, resp, &len, &st), RPC_SUCCESS);
        assert_int_equal(st, ST_ALREADY_EXISTS);
        assert_int_equal(call(s, 0x102, uid2_req, 8, 20, resp, &len, &st), RPC_SUCCESS);
        const uint8_t info2[20] = {0x10, 0, 0, 0, 0, 0, 0, 0, 0x03, 0,
                                   0,    0, 0, 0, 0, 0, 0, 0, 0,    0};
        assert_int_equal(len, 20);
        assert_memory_equal(resp, info2, 20);
        assert_int_equal(call(s, 0x103, uid2_req, 8, 0, resp, &len, &st), RPC_SUCCESS);
        assert_int_equal(st, ST_SUCCESS);
    }
    assert_int_equal(call(s, 0x103, uid_req, 8, 0, resp, &len, &st), RPC_SUCCESS);
    assert_int_equal(st, ST_SUCCESS);
    assert_int_equal(call(s, 0x102, uid_req, 8, 20, resp, &len, &st), RPC_SUCCESS);
    assert_int_equal(st, ST_DOES_NOT_EXIST);
    assert_int_equal(len, 0);
    close_sn(ctx, s);
}

static void test_its_every_opcode(void **state)
{
    (void)state;
    storage_round_trip(ITS_SN);
}

static void test_ps_every_opcode(void **state)
{
    (void)state;
    storage_round_trip(PS_SN);
}

/* Malformed bodies and opcodes get their RPC status at the caller, and change nothing. */
static void test_malformed_bodies(void **state)
{
    (void)state;
    struct service_context *ctx;
    struct rpc_caller_session *s = open_sn(PS_SN, &ctx);
    uint8_t resp[64];
    size_t len;
    service_status_t st;
    assert_int_equal(call(s, 0x100, set_req, 24, 0, resp, &len, &st),
                     RPC_ERROR_INVALID_REQUEST_BODY);
    assert_int_equal(call(s, 0x100, set_req, 19, 0, resp, &len, &st),
                     RPC_ERROR_INVALID_REQUEST_BODY);
    assert_int_equal(call(s, 0x102, uid_req, 8, 20, resp, &len, &st), RPC_SUCCESS);
    assert_int_equal(st, ST_DOES_NOT_EXIST); /* the short SETs stored nothing */
    assert_int_equal(call(s, 0x107, NULL, 0, 0, resp, &len, &st), RPC_ERROR_INVALID_VALUE);
    /* 0x10100 would be SET (0x100) if truncated to 16 bits: refused before anything is sent. */
    assert_int_equal(call(s, 0x10100, set_req, sizeof(set_req), 0, resp, &len, &st),
                     RPC_ERROR_INVALID_VALUE);
    assert_int_equal(call(s, 0x102, uid_req, 8, 20, resp, &len, &st), RPC_SUCCESS);
    assert_int_equal(st, ST_DOES_NOT_EXIST);
    close_sn(ctx, s);
}

static void test_session_rules(void **state)
{
    (void)state;
    struct service_context *ctx;
    struct rpc_caller_session *s = open_sn(PS_SN, &ctx);
    uint8_t *buf;
    rpc_call_handle h = rpc_caller_session_begin(s, &buf, 8, 20);
    assert_non_null(h);
    uint8_t *buf2;
    assert_null(rpc_caller_session_begin(s, &buf2, 8, 20)); /* one call in flight */
    assert_int_equal(rpc_caller_session_close(s), RPC_ERROR_INVALID_STATE);
    assert_int_equal(rpc_caller_session_end(h), RPC_SUCCESS);
    assert_int_equal(rpc_caller_session_end(h), RPC_ERROR_INVALID_STATE);
    uint8_t *out;
    size_t len;
    service_status_t st;
    assert_int_equal(rpc_caller_session_invoke(h, 0x106, &out, &len, &st), RPC_ERROR_INVALID_STATE);
    assert_null(rpc_caller_session_begin(s, &buf, (size_t)UINT32_MAX + 1, 0));
    assert_null(rpc_caller_session_begin(s, &buf, 4u << 20, 0)); /* beyond the binding's 2 MiB */
    close_sn(ctx, s);
}

/* ---- packed-c crypto through se-proxy (sheet §2.2), checked against OpenSSL ------------- */

/* A packed-c request: fixed u32 fields, then TLVs (tag, length big-endian). */
typedef struct pc_req {
    uint8_t b[512];
    size_t n;
} pc_req_t;

static void pc_u32(pc_req_t *r, uint32_t v)
{
    r->b[r->n++] = (uint8_t)v;
    r->b[r->n++] = (uint8_t)(v >> 8);
    r->b[r->n++] = (uint8_t)(v >> 16);
    r->b[r->n++] = (uint8_t)(v >> 24);
}

static void pc_attrs(pc_req_t *r, uint32_t type, uint32_t bits, uint32_t lifetime, uint32_t id,
                     uint32_t usage, uint32_t alg)
{
    pc_u32(r, type);
    pc_u32(r, bits);
    pc_u32(r, lifetime);
    pc_u32(r, id);
    pc_u32(r, usage);
    pc_u32(r, alg);
}

static void pc_tlv(pc_req_t *r, uint16_t tag, const void *v, size_t len)
{
    r->b[r->n++] = (uint8_t)(tag >> 8);
    r->b[r->n++] = (uint8_t)tag;
    r->b[r->n++] = (uint8_t)(len >> 8);
    r->b[r->n++] = (uint8_t)len;
    memcpy(r->b + r->n, v, len);
    r->n += len;
}

/* The value of TLV `tag` in a response (after `fixed` bytes); its length, or -1. */
static long pc_find(const uint8_t *resp, size_t len, size_t fixed, uint16_t tag,
                    const uint8_t **value)
{
    size_t pos = fixed;
    while (pos + 4 <= len) {
        uint16_t t = (uint16_t)((resp[pos] << 8) | resp[pos + 1]);
        size_t n = (size_t)((resp[pos + 2] << 8) | resp[pos + 3]);
        if (pos + 4 + n > len) {
            return -1;
        }
        if (t == tag) {
            *value = resp + pos + 4;
            return (long)n;
        }
        pos += 4 + n;
    }
    return -1;
}

static uint8_t pc_resp[4096];
static size_t pc_resp_len;

/* One crypto call; the service status (RPC status must be success unless `rpc` is given). */
static service_status_t pc_call(struct rpc_caller_session *s, uint32_t opcode, const pc_req_t *r)
{
    service_status_t st;
    assert_int_equal(call(s, opcode, r->b, r->n, sizeof(pc_resp), pc_resp, &pc_resp_len, &st),
                     RPC_SUCCESS);
    return st;
}

static rpc_status_t pc_rpc(struct rpc_caller_session *s, uint32_t opcode, const pc_req_t *r)
{
    service_status_t st;
    return call(s, opcode, r->b, r->n, sizeof(pc_resp), pc_resp, &pc_resp_len, &st);
}

#define ECC_P256_PAIR 0x7112u
#define ECDSA_SHA256  0x06000609u
#define SHA256_ALG    0x02000009u
#define GCM_ALG       0x05500200u

/* ECDSA P-256 r||s verified by OpenSSL with the public key se-proxy exported. */
static bool openssl_verify(const uint8_t *point, size_t point_len, const uint8_t hash[32],
                           const uint8_t sig[64])
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, point_len);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *pkey = NULL;
    bool ok = pctx != NULL && EVP_PKEY_fromdata_init(pctx) == 1 &&
              EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *sv = BN_bin2bn(sig + 32, 32, NULL);
    ECDSA_SIG_set0(es, r, sv);
    unsigned char *der = NULL;
    int der_len = i2d_ECDSA_SIG(es, &der);
    EVP_PKEY_CTX *vctx = ok ? EVP_PKEY_CTX_new(pkey, NULL) : NULL;
    ok = vctx != NULL && der_len > 0 && EVP_PKEY_verify_init(vctx) == 1 &&
         EVP_PKEY_verify(vctx, der, (size_t)der_len, hash, 32) == 1;
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
    EVP_PKEY_CTX_free(vctx);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return ok;
}

/* Key generation, attributes, a multi-part hash, a signature verified by OpenSSL, verification
 * and its failure, random bytes, destroy: every field by role through the one table. */
static void test_crypto_sign_hash(void **state)
{
    (void)state;
    struct service_context *ctx;
    struct rpc_caller_session *s = open_sn(CRYPTO_SN, &ctx);
    pc_req_t r = {.n = 0};
    pc_attrs(&r, ECC_P256_PAIR, 256, 0, 0, PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH,
             ECDSA_SHA256);
    assert_int_equal(pc_call(s, 0x0101, &r), ST_SUCCESS);
    assert_int_equal(pc_resp_len, 4);
    uint32_t key = (uint32_t)pc_resp[0] | ((uint32_t)pc_resp[1] << 8) |
                   ((uint32_t)pc_resp[2] << 16) | ((uint32_t)pc_resp[3] << 24);

    r.n = 0;
    pc_u32(&r, key);
    assert_int_equal(pc_call(s, 0x010f, &r), ST_SUCCESS);
    assert_int_equal(pc_resp_len, 24);
    uint8_t expect_attrs[24];
    pc_req_t a = {.n = 0};
    /* The core adds the message flags that the hash flags imply (PSA Crypto 1.1). */
    pc_attrs(&a, ECC_P256_PAIR, 256, 0, key,
             PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH | PSA_KEY_USAGE_SIGN_MESSAGE |
                 PSA_KEY_USAGE_VERIFY_MESSAGE,
             ECDSA_SHA256);
    memcpy(expect_attrs, a.b, 24);
    assert_memory_equal(pc_resp, expect_attrs, 24);

    /* SHA-256("abc") in two updates, against OpenSSL's. */
    r.n = 0;
    pc_u32(&r, SHA256_ALG);
    assert_int_equal(pc_call(s, 0x0201, &r), ST_SUCCESS);
    uint32_t op = (uint32_t)pc_resp[0] | ((uint32_t)pc_resp[1] << 8) |
                  ((uint32_t)pc_resp[2] << 16) | ((uint32_t)pc_resp[3] << 24);
    const char *parts[2] = {"a", "bc"};
    for (int i = 0; i < 2; i++) {
        r.n = 0;
        pc_u32(&r, op);
        pc_tlv(&r, 1, parts[i], strlen(parts[i]));
        assert_int_equal(pc_call(s, 0x0202, &r), ST_SUCCESS);
    }
    r.n = 0;
    pc_u32(&r, op);
    assert_int_equal(pc_call(s, 0x0203, &r), ST_SUCCESS);
    const uint8_t *hash = NULL;
    assert_int_equal(pc_find(pc_resp, pc_resp_len, 0, 1, &hash), 32);
    uint8_t reference[32];
    unsigned int reference_len = 0;
    assert_int_equal(EVP_Digest("abc", 3, reference, &reference_len, EVP_sha256(), NULL), 1);
    assert_memory_equal(hash, reference, 32);
    /* The finished operation is gone. */
    assert_int_equal(pc_call(s, 0x0203, &r), PSA_ERROR_BAD_STATE);

    r.n = 0;
    pc_u32(&r, key);
    pc_u32(&r, ECDSA_SHA256);
    pc_tlv(&r, 1, reference, 32);
    assert_int_equal(pc_call(s, 0x0108, &r), ST_SUCCESS);
    const uint8_t *sigp = NULL;
    assert_int_equal(pc_find(pc_resp, pc_resp_len, 0, 1, &sigp), 64);
    uint8_t sig[64];
    memcpy(sig, sigp, 64);

    r.n = 0;
    pc_u32(&r, key);
    assert_int_equal(pc_call(s, 0x0106, &r), ST_SUCCESS);
    const uint8_t *point = NULL;
    long point_len = pc_find(pc_resp, pc_resp_len, 0, 1, &point);
    assert_int_equal(point_len, 65);
    assert_true(openssl_verify(point, (size_t)point_len, reference, sig));

    r.n = 0;
    pc_u32(&r, key);
    pc_u32(&r, ECDSA_SHA256);
    pc_tlv(&r, 1, reference, 32);
    pc_tlv(&r, 2, sig, 64);
    assert_int_equal(pc_call(s, 0x0109, &r), ST_SUCCESS);
    assert_int_equal(pc_resp_len, 0);
    sig[10] ^= 1;
    r.n = 0;
    pc_u32(&r, key);
    pc_u32(&r, ECDSA_SHA256);
    pc_tlv(&r, 1, reference, 32);
    pc_tlv(&r, 2, sig, 64);
    assert_int_equal(pc_call(s, 0x0109, &r), PSA_ERROR_INVALID_SIGNATURE);

    r.n = 0;
    pc_u32(&r, 48);
    assert_int_equal(pc_call(s, 0x010c, &r), ST_SUCCESS);
    const uint8_t *random = NULL;
    assert_int_equal(pc_find(pc_resp, pc_resp_len, 0, 1, &random), 48);

    r.n = 0;
    pc_u32(&r, key);
    assert_int_equal(pc_call(s, 0x0102, &r), ST_SUCCESS);
    assert_int_equal(pc_call(s, 0x010f, &r), PSA_ERROR_INVALID_HANDLE);
    close_sn(ctx, s);
}

/* AES-128-GCM through the multi-part opcodes, against OpenSSL's EVP with the same key. */
static void test_crypto_aead(void **state)
{
    (void)state;
    struct service_context *ctx;
    struct rpc_caller_session *s = open_sn(CRYPTO_SN, &ctx);
    static const uint8_t key_bytes[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t nonce[12] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    static const char ad[] = "header", text[] = "the plaintext of this test";
    pc_req_t r = {.n = 0};
    pc_attrs(&r, 0x2400, 128, 0, 0, PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT, GCM_ALG);
    pc_tlv(&r, 1, key_bytes, sizeof(key_bytes));
    assert_int_equal(pc_call(s, 0x0107, &r), ST_SUCCESS);
    uint32_t key = (uint32_t)pc_resp[0] | ((uint32_t)pc_resp[1] << 8) |
                   ((uint32_t)pc_resp[2] << 16) | ((uint32_t)pc_resp[3] << 24);
    r.n = 0;
    pc_u32(&r, key);
    pc_u32(&r, GCM_ALG);
    assert_int_equal(pc_call(s, 0x0601, &r), ST_SUCCESS);
    uint32_t op = (uint32_t)pc_resp[0] | ((uint32_t)pc_resp[1] << 8) |
                  ((uint32_t)pc_resp[2] << 16) | ((uint32_t)pc_resp[3] << 24);
    r.n = 0;
    pc_u32(&r, op);
    pc_tlv(&r, 1, nonce, sizeof(nonce));
    assert_int_equal(pc_call(s, 0x0604, &r), ST_SUCCESS);
    r.n = 0;
    pc_u32(&r, op);
    pc_tlv(&r, 1, ad, strlen(ad));
    assert_int_equal(pc_call(s, 0x0606, &r), ST_SUCCESS);
    r.n = 0;
    pc_u32(&r, op);
    pc_tlv(&r, 1, text, strlen(text));
    assert_int_equal(pc_call(s, 0x0607, &r), ST_SUCCESS);
    uint8_t ours[64];
    size_t ours_len = 0;
    const uint8_t *v = NULL;
    long n = pc_find(pc_resp, pc_resp_len, 0, 1, &v);
    assert_true(n >= 0);
    memcpy(ours, v, (size_t)n);
    ours_len = (size_t)n;
    r.n = 0;
    pc_u32(&r, op);
    assert_int_equal(pc_call(s, 0x0608, &r), ST_SUCCESS);
    n = pc_find(pc_resp, pc_resp_len, 0, 1, &v);
    assert_true(n >= 0);
    memcpy(ours + ours_len, v, (size_t)n);
    ours_len += (size_t)n;
    const uint8_t *tag = NULL;
    assert_int_equal(pc_find(pc_resp, pc_resp_len, 0, 2, &tag), 16);

    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    uint8_t theirs[64], their_tag[16];
    int len1 = 0, len2 = 0;
    assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key_bytes, nonce), 1);
    assert_int_equal(EVP_EncryptUpdate(c, NULL, &len1, (const uint8_t *)ad, (int)strlen(ad)), 1);
    assert_int_equal(EVP_EncryptUpdate(c, theirs, &len1, (const uint8_t *)text, (int)strlen(text)),
                     1);
    assert_int_equal(EVP_EncryptFinal_ex(c, theirs + len1, &len2), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, their_tag), 1);
    EVP_CIPHER_CTX_free(c);
    assert_int_equal(ours_len, (size_t)(len1 + len2));
    assert_memory_equal(ours, theirs, ours_len);
    assert_memory_equal(tag, their_tag, 16);

    r.n = 0;
    pc_u32(&r, key);
    assert_int_equal(pc_call(s, 0x0102, &r), ST_SUCCESS);
    close_sn(ctx, s);
}

/* Bodies that do not parse get the sheet's RPC statuses; nothing reaches rssd. */
static void test_crypto_malformed(void **state)
{
    (void)state;
    struct service_context *ctx;
    struct rpc_caller_session *s = open_sn(CRYPTO_SN, &ctx);
    pc_req_t r = {.n = 0};
    pc_u32(&r, 0x2400); /* attributes cut short */
    assert_int_equal(pc_rpc(s, 0x0101, &r), RPC_ERROR_INVALID_REQUEST_BODY);
    r.n = 0;
    pc_u32(&r, 1);
    pc_u32(&r, ECDSA_SHA256); /* SIGN_HASH without its TLV1 */
    assert_int_equal(pc_rpc(s, 0x0108, &r), RPC_ERROR_INVALID_REQUEST_BODY);
    pc_tlv(&r, 1, "abc", 3);
    r.b[r.n - 4] = 0x40; /* the TLV's length runs past the body */
    assert_int_equal(pc_rpc(s, 0x0108, &r), RPC_ERROR_INVALID_REQUEST_BODY);
    r.n = 0;
    assert_int_equal(pc_rpc(s, 0x0103, &r), RPC_ERROR_INVALID_VALUE); /* unused opcode */
    /* More random bytes than a response can carry: RPC_ERROR_INTERNAL, as upstream. */
    r.n = 0;
    pc_u32(&r, 1u << 20);
    assert_int_equal(pc_rpc(s, 0x010c, &r), RPC_ERROR_INTERNAL);
    close_sn(ctx, s);
}

/* ---- the UEFI opcodes (sheet §2.2): PKCS#7 made by OpenSSL, not by us ------------------------ */

static size_t tlv_put(uint8_t *b, size_t n, uint16_t tag, const void *v, size_t len)
{
    b[n++] = (uint8_t)(tag >> 8);
    b[n++] = (uint8_t)tag;
    b[n++] = (uint8_t)(len >> 8);
    b[n++] = (uint8_t)len;
    memcpy(b + n, v, len);
    return n + len;
}

/* A self-signed RSA-2048 certificate with this common name. */
static X509 *self_signed(EVP_PKEY *key, const char *cn)
{
    X509 *x = X509_new();
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, 2), 1);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    assert_int_equal(X509_set_pubkey(x, key), 1);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    assert_int_equal(X509_set_issuer_name(x, name), 1);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    return x;
}

/* A detached PKCS#7 over content by OpenSSL, with or without signed attributes; its DER. */
static int pkcs7_der(X509 *x, EVP_PKEY *key, const char *content, int flags, uint8_t **der)
{
    BIO *in = BIO_new_mem_buf(content, (int)strlen(content));
    PKCS7 *p7 = PKCS7_sign(x, key, NULL, in, PKCS7_DETACHED | PKCS7_BINARY | flags);
    assert_non_null(p7);
    *der = NULL;
    int n = i2d_PKCS7(p7, der);
    assert_true(n > 0);
    PKCS7_free(p7);
    BIO_free(in);
    return n;
}

static service_status_t uefi_call(struct rpc_caller_session *s, uint32_t opcode, const uint8_t *req,
                                  size_t len, uint8_t *resp, size_t *resp_len)
{
    service_status_t st;
    assert_int_equal(call(s, opcode, req, len, 4096, resp, resp_len, &st), RPC_SUCCESS);
    return st;
}

/* VERIFY_PKCS7_SIGNATURE (0x0112): 0 for the right hash, with the embedded or the given
 * certificate, with and without signed attributes; Mbed TLS's VERIFY_FAIL (-0x5800) for another
 * hash or another certificate. GET_UEFI_PRIV_AUTH_VAR_FINGERPRINT (0x0113): 64 bytes, SHA-256
 * over the signer's CN and its tbsCertificate (computed here with OpenSSL), then zeros; 0x21
 * (EFI_COMPROMISED_DATA's low bits) for bytes that are no PKCS#7. */
static void test_crypto_uefi_opcodes(void **state)
{
    (void)state;
    struct service_context *ctx;
    struct rpc_caller_session *s = open_sn(CRYPTO_SN, &ctx);
    EVP_PKEY *key = EVP_RSA_gen(2048), *other_key = EVP_RSA_gen(2048);
    assert_non_null(key);
    assert_non_null(other_key);
    X509 *x = self_signed(key, "ts-uefi-signer"), *other = self_signed(other_key, "other");
    const char *content = "Name GUID Attributes TimeStamp Data";
    uint8_t hash[32], wrong[32];
    SHA256((const unsigned char *)content, strlen(content), hash);
    memcpy(wrong, hash, sizeof(wrong));
    wrong[0] ^= 1;
    uint8_t *other_der = NULL;
    int other_len = i2d_X509(other, &other_der);
    uint8_t *signer_der = NULL;
    int signer_len = i2d_X509(x, &signer_der);
    static uint8_t req[8192], resp[4096];
    size_t resp_len = 0;
    const int flags[] = {PKCS7_NOATTR, 0};
    for (size_t f = 0; f < 2; f++) {
        uint8_t *p7 = NULL;
        int p7_len = pkcs7_der(x, key, content, flags[f], &p7);
        size_t n = tlv_put(req, 0, 1, p7, (size_t)p7_len);
        size_t with_hash = tlv_put(req, n, 2, hash, sizeof(hash));
        assert_int_equal(uefi_call(s, 0x0112, req, with_hash, resp, &resp_len), 0);
        size_t with_cert = tlv_put(req, with_hash, 3, signer_der, (size_t)signer_len);
        assert_int_equal(uefi_call(s, 0x0112, req, with_cert, resp, &resp_len), 0);
        with_cert = tlv_put(req, with_hash, 3, other_der, (size_t)other_len);
        assert_int_equal(uefi_call(s, 0x0112, req, with_cert, resp, &resp_len), -0x5800);
        size_t wrong_hash = tlv_put(req, n, 2, wrong, sizeof(wrong));
        assert_int_equal(uefi_call(s, 0x0112, req, wrong_hash, resp, &resp_len), -0x5800);
        OPENSSL_free(p7);
    }
    /* The fingerprint. */
    uint8_t *p7 = NULL;
    int p7_len = pkcs7_der(x, key, content, PKCS7_NOATTR, &p7);
    size_t n = tlv_put(req, 0, 1, p7, (size_t)p7_len);
    assert_int_equal(uefi_call(s, 0x0113, req, n, resp, &resp_len), 0);
    const uint8_t *id = NULL;
    assert_int_equal(pc_find(resp, resp_len, 0, 1, &id), 64);
    unsigned char *tbs = NULL;
    int tbs_len = i2d_re_X509_tbs(x, &tbs);
    uint8_t expect[32];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int md_len = 0;
    assert_true(EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
                EVP_DigestUpdate(md, "ts-uefi-signer", strlen("ts-uefi-signer")) &&
                EVP_DigestUpdate(md, tbs, (size_t)tbs_len) &&
                EVP_DigestFinal_ex(md, expect, &md_len));
    EVP_MD_CTX_free(md);
    assert_memory_equal(id, expect, 32);
    static const uint8_t zeros[32] = {0};
    assert_memory_equal(id + 32, zeros, 32);
    /* Bytes that are no PKCS#7, a TLV3 that is no certificate: Mbed TLS's INVALID_FORMAT
     * (-0x5300) and INVALID_CERT (-0x5580). */
    n = tlv_put(req, 0, 1, "not a pkcs7", 11);
    size_t bad = tlv_put(req, n, 2, hash, sizeof(hash));
    assert_int_equal(uefi_call(s, 0x0112, req, bad, resp, &resp_len), -0x5300);
    n = tlv_put(req, 0, 1, p7, (size_t)p7_len);
    bad = tlv_put(req, tlv_put(req, n, 2, hash, sizeof(hash)), 3, "no cert", 7);
    assert_int_equal(uefi_call(s, 0x0112, req, bad, resp, &resp_len), -0x5580);
    n = tlv_put(req, 0, 1, "not a pkcs7", 11);
    assert_int_equal(uefi_call(s, 0x0113, req, n, resp, &resp_len), 0x21);
    assert_int_equal(resp_len, 0);
    /* No TLV1: a body that does not parse. */
    service_status_t st;
    assert_int_equal(call(s, 0x0112, NULL, 0, 16, resp, &resp_len, &st),
                     RPC_ERROR_INVALID_REQUEST_BODY);
    OPENSSL_free(p7);
    OPENSSL_free(tbs);
    OPENSSL_free(other_der);
    OPENSSL_free(signer_der);
    X509_free(x);
    X509_free(other);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other_key);
    close_sn(ctx, s);
}

/* Volatile keys belong to the TS session (the connection): another session of the same uid
 * does not see them, and closing the session destroys them. */
static void test_crypto_volatile_per_session(void **state)
{
    (void)state;
    struct service_context *ctx_a, *ctx_b;
    struct rpc_caller_session *a = open_sn(CRYPTO_SN, &ctx_a);
    struct rpc_caller_session *b = open_sn(CRYPTO_SN, &ctx_b);
    pc_req_t r = {.n = 0};
    pc_attrs(&r, 0x2400, 128, 0, 0, PSA_KEY_USAGE_ENCRYPT, GCM_ALG);
    assert_int_equal(pc_call(a, 0x0101, &r), ST_SUCCESS);
    uint32_t key = (uint32_t)pc_resp[0] | ((uint32_t)pc_resp[1] << 8) |
                   ((uint32_t)pc_resp[2] << 16) | ((uint32_t)pc_resp[3] << 24);
    r.n = 0;
    pc_u32(&r, key);
    assert_int_equal(pc_call(a, 0x010f, &r), ST_SUCCESS);
    assert_int_equal(pc_call(b, 0x010f, &r), PSA_ERROR_INVALID_HANDLE);
    /* An operation of a session is not usable from another either. */
    pc_req_t h = {.n = 0};
    pc_u32(&h, SHA256_ALG);
    assert_int_equal(pc_call(a, 0x0201, &h), ST_SUCCESS);
    uint32_t op = (uint32_t)pc_resp[0] | ((uint32_t)pc_resp[1] << 8) |
                  ((uint32_t)pc_resp[2] << 16) | ((uint32_t)pc_resp[3] << 24);
    h.n = 0;
    pc_u32(&h, op);
    assert_int_equal(pc_call(b, 0x0203, &h), PSA_ERROR_BAD_STATE);
    close_sn(ctx_a, a);
    /* Closing destroys: rssd allows a client 256 volatile keys over all its sessions
     * (--max-volatile-keys-per-client), so 600 sessions that each make one and close can only
     * all succeed if each close released its key. The release runs once se-proxy and then rssd
     * see the connections close, so a creation refused for the limit is retried until earlier
     * closes have landed; there is no deadline (CTest's timeout catches keys never released). */
    for (int i = 0; i < 600; i++) {
        struct service_context *ctx_c;
        struct rpc_caller_session *c = open_sn(CRYPTO_SN, &ctx_c);
        pc_req_t g = {.n = 0};
        pc_attrs(&g, 0x2400, 128, 0, 0, PSA_KEY_USAGE_ENCRYPT, GCM_ALG);
        service_status_t st = pc_call(c, 0x0101, &g);
        close_sn(ctx_c, c);
        if (st == PSA_ERROR_INSUFFICIENT_MEMORY) {
            usleep(10000);
            i--;
            continue;
        }
        assert_int_equal(st, ST_SUCCESS);
    }
    close_sn(ctx_b, b);
}

/* A persistent key made through se-proxy is the caller's own key in rssd: libpsa straight to
 * rssd finds it, and a destroy through se-proxy is seen there too. */
static void test_crypto_same_key_as_libpsa(void **state)
{
    (void)state;
    struct service_context *ctx;
    struct rpc_caller_session *s = open_sn(CRYPTO_SN, &ctx);
    const uint32_t id = 0x5e0001u;
    pc_req_t r = {.n = 0};
    pc_attrs(&r, 0x2400, 128, 1, id, PSA_KEY_USAGE_ENCRYPT, GCM_ALG);
    assert_int_equal(pc_call(s, 0x0101, &r), ST_SUCCESS);
    assert_int_equal(psa_crypto_init(), PSA_SUCCESS);
    psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
    assert_int_equal(psa_get_key_attributes(id, &attributes), PSA_SUCCESS);
    assert_int_equal(psa_get_key_type(&attributes), 0x2400);
    assert_int_equal(psa_get_key_bits(&attributes), 128);
    r.n = 0;
    pc_u32(&r, id);
    assert_int_equal(pc_call(s, 0x0102, &r), ST_SUCCESS);
    assert_int_equal(psa_get_key_attributes(id, &attributes), PSA_ERROR_INVALID_HANDLE);
    close_sn(ctx, s);
}

/* A session with a fixed buffer (alloc_for_session), opened on our own caller. */
#include "ts_rpc_caller_linux.h"
static void test_session_buffer_policy(void **state)
{
    (void)state;
    struct rpc_caller_interface caller;
    struct rpc_caller_session s;
    const struct rpc_uuid ps = {{0x75, 0x1b, 0xf8, 0x01, 0x3d, 0xde, 0x47, 0x68, 0xa5, 0x14, 0x0f,
                                 0x10, 0xae, 0xed, 0x17, 0x90}};
    const struct rpc_uuid attestation = {{0xa1, 0xba, 0xf1, 0x55, 0x88, 0x76, 0x46, 0x95, 0x8f,
                                          0x7c, 0x54, 0x95, 0x5e, 0x8d, 0xb9, 0x74}};
    assert_int_equal(ts_rpc_caller_linux_init(&caller), RPC_SUCCESS);
    assert_int_equal(rpc_caller_session_find_and_open(&s, &caller, &attestation, 8192),
                     RPC_ERROR_NOT_FOUND);
    assert_int_equal(rpc_caller_session_open(&s, &caller, &ps, 1, 8192), RPC_ERROR_NOT_FOUND);
    assert_int_equal(rpc_caller_session_open(&s, &caller, &ps, 0, 8192), RPC_SUCCESS);
    assert_int_equal(s.memory_policy, alloc_for_session);
    assert_int_equal(s.shared_memory.size, 8192);
    assert_null(rpc_caller_session_begin(&s, &(uint8_t *){NULL}, 8193, 0));
    uint8_t resp[8];
    size_t len;
    service_status_t st;
    assert_int_equal(call(&s, 0x106, NULL, 0, 4, resp, &len, &st), RPC_SUCCESS);
    assert_int_equal(len, 4);
    assert_int_equal(resp[0], 1);
    assert_int_equal(rpc_caller_session_close(&s), RPC_SUCCESS);
    assert_int_equal(ts_rpc_caller_linux_deinit(&caller), RPC_SUCCESS);
}

static int raw_connect(void)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, sock_path);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    return fd;
}

static void put_words(uint8_t p[20], const uint32_t w[5])
{
    for (size_t i = 0; i < 20; i++) {
        p[i] = (uint8_t)(w[i / 4] >> (8 * (i % 4)));
    }
}

/* Sends raw bytes; returns the reply's length (0: the server hung up) and its words. */
static ssize_t raw_exchange(int fd, const uint8_t *p, size_t n, uint32_t w[5])
{
    assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
    uint8_t r[32];
    ssize_t got = recv(fd, r, sizeof(r), 0);
    for (size_t i = 0; got == 20 && i < 5; i++) {
        w[i] = (uint32_t)r[4 * i] | ((uint32_t)r[4 * i + 1] << 8) | ((uint32_t)r[4 * i + 2] << 16) |
               ((uint32_t)r[4 * i + 3] << 24);
    }
    return got;
}

static void test_malformed_words(void **state)
{
    (void)state;
    uint8_t p[21] = {0};
    uint32_t w[5];
    int fd = raw_connect();
    const uint32_t version[5] = {0x00ff0000u, 0, 0, 0, 0};
    put_words(p, version);
    assert_int_equal(raw_exchange(fd, p, 20, w), 20);
    assert_int_equal(w[1], 1);
    /* Service call on interface 3 (empty slot) and on a handle this connection never lent. */
    const uint32_t empty[5] = {0x00030106u, 0, 0, 0, 0};
    put_words(p, empty);
    assert_int_equal(raw_exchange(fd, p, 20, w), 20);
    assert_int_equal((int32_t)w[1], RPC_ERROR_INTERNAL);
    const uint32_t no_mem[5] = {0x00010106u, 1, 0, 0, 0};
    put_words(p, no_mem);
    assert_int_equal(raw_exchange(fd, p, 20, w), 20);
    assert_int_equal((int32_t)w[1], RPC_ERROR_NOT_FOUND);
    /* Not 20 bytes: not a TS RPC message, the connection is dropped. */
    assert_int_equal(raw_exchange(fd, p, 19, w), 0);
    close(fd);
    fd = raw_connect();
    assert_int_equal(raw_exchange(fd, p, 21, w), 0);
    close(fd);
}

/* Memory handles belong to a connection: another uid's connection cannot name them. */
static void test_two_uids(void **state)
{
    (void)state;
    struct service_context *ctx;
    struct rpc_caller_session *s = open_sn(PS_SN, &ctx);
    uint8_t *buf;
    rpc_call_handle h = rpc_caller_session_begin(s, &buf, 25, 0); /* lends one memory */
    assert_non_null(h);
    memcpy(buf, set_req, sizeof(set_req));
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) {
            _exit(3);
        }
        int fd = raw_connect();
        for (uint32_t handle = 0; handle < 64; handle++) {
            uint8_t p[20];
            uint32_t w[5];
            const uint32_t set[5] = {0x00010100u, handle, 0, 25, 0};
            put_words(p, set);
            if (raw_exchange(fd, p, 20, w) != 20 || (int32_t)w[1] != RPC_ERROR_NOT_FOUND) {
                _exit(4);
            }
        }
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    uint8_t *out;
    size_t len;
    service_status_t st;
    assert_int_equal(rpc_caller_session_invoke(h, 0x102, &out, &len, &st), RPC_SUCCESS);
    assert_int_equal(st, ST_DOES_NOT_EXIST); /* the other uid stored nothing through our memory */
    assert_int_equal(rpc_caller_session_end(h), RPC_SUCCESS);
    close_sn(ctx, s);
}

typedef struct worker {
    struct service_context *ctx;
    uint8_t tag;
    int failures;
} worker_t;

/* Each thread its own session on the same context; objects per thread. */
static void *worker_main(void *arg)
{
    worker_t *w = arg;
    struct rpc_caller_session *s = service_context_open(w->ctx);
    if (s == NULL) {
        w->failures = 1000;
        return NULL;
    }
    for (int i = 0; i < 50; i++) {
        uint8_t req[25], resp[8];
        memcpy(req, set_req, sizeof(req));
        req[7] = w->tag; /* uid high byte: one object per thread */
        req[20] = (uint8_t)i;
        size_t len;
        service_status_t st;
        uint8_t *buf, *out;
        rpc_call_handle h = rpc_caller_session_begin(s, &buf, sizeof(req), 0);
        if (h == NULL) {
            w->failures++;
            continue;
        }
        memcpy(buf, req, sizeof(req));
        if (rpc_caller_session_invoke(h, 0x100, &out, &len, &st) != RPC_SUCCESS || st != 0) {
            w->failures++;
        }
        rpc_caller_session_end(h);
        uint8_t get[24];
        memcpy(get, get_req, sizeof(get));
        get[7] = w->tag;
        h = rpc_caller_session_begin(s, &buf, sizeof(get), 5);
        if (h == NULL) {
            w->failures++;
            continue;
        }
        memcpy(buf, get, sizeof(get));
        if (rpc_caller_session_invoke(h, 0x101, &out, &len, &st) != RPC_SUCCESS || st != 0 ||
            len != 5 || out[0] != (uint8_t)i) {
            w->failures++;
        }
        memcpy(resp, out, len < sizeof(resp) ? len : sizeof(resp));
        rpc_caller_session_end(h);
    }
    uint8_t rm[8];
    memcpy(rm, uid_req, 8);
    rm[7] = w->tag;
    uint8_t resp[4];
    size_t len;
    service_status_t st;
    if (call(s, 0x103, rm, 8, 0, resp, &len, &st) != RPC_SUCCESS || st != 0) {
        w->failures++;
    }
    service_context_close(w->ctx, s);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    struct service_context *ctx = service_locator_query(PS_SN);
    assert_non_null(ctx);
    pthread_t t[4];
    worker_t w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker_t){.ctx = ctx, .tag = (uint8_t)(0x40 + i)};
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].failures, 0);
    }
    service_context_relinquish(ctx);
}

/* A client dies with a call begun and memory lent: the server carries on for everyone else. */
static void test_client_dies_mid_call(void **state)
{
    (void)state;
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct service_context *ctx = service_locator_query(PS_SN);
        struct rpc_caller_session *s = ctx != NULL ? service_context_open(ctx) : NULL;
        uint8_t *buf;
        if (s == NULL || rpc_caller_session_begin(s, &buf, 4096, 4096) == NULL) {
            _exit(3);
        }
        memset(buf, 0xee, 4096);
        kill(getpid(), SIGKILL);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    storage_round_trip(PS_SN);
}

typedef struct pending {
    struct rpc_caller_session *s;
    rpc_call_handle h;
    rpc_status_t status;
    size_t len;
} pending_t;

static void *invoke_main(void *arg)
{
    pending_t *p = arg;
    uint8_t *out = (uint8_t *)1;
    service_status_t st;
    p->status = rpc_caller_session_invoke(p->h, 0x101, &out, &p->len, &st);
    if (out != NULL) {
        p->len = 9999;
    }
    return NULL;
}

/*
 * The server is stopped with a call about to go out, then killed: whether the request was
 * sent before the kill or not, the call ends with RPC_ERROR_TRANSPORT_LAYER and no buffer. A
 * new server on the same rssd state still has what was acknowledged before.
 */
static void test_server_dies_mid_call(void **state)
{
    (void)state;
    struct service_context *ctx;
    struct rpc_caller_session *s = open_sn(PS_SN, &ctx);
    uint8_t resp[8];
    size_t len;
    service_status_t st;
    assert_int_equal(call(s, 0x100, set_req, sizeof(set_req), 0, resp, &len, &st), RPC_SUCCESS);
    assert_int_equal(st, ST_SUCCESS);
    uint8_t *buf;
    pending_t p = {.s = s};
    p.h = rpc_caller_session_begin(s, &buf, sizeof(get_req), 5);
    assert_non_null(p.h);
    memcpy(buf, get_req, sizeof(get_req));
    assert_int_equal(kill(server_pid, SIGSTOP), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, invoke_main, &p), 0);
    stop_server(SIGKILL);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(p.status, RPC_ERROR_TRANSPORT_LAYER);
    assert_int_equal(p.len, 0);
    assert_int_equal(rpc_caller_session_end(p.h), RPC_ERROR_TRANSPORT_LAYER);
    close_sn(ctx, s);

    start_server();
    s = open_sn(PS_SN, &ctx);
    assert_int_equal(call(s, 0x101, get_req, sizeof(get_req), 5, resp, &len, &st), RPC_SUCCESS);
    assert_int_equal(st, ST_SUCCESS);
    assert_int_equal(len, 5);
    assert_memory_equal(resp, "hello", 5);
    assert_int_equal(call(s, 0x103, uid_req, 8, 0, resp, &len, &st), RPC_SUCCESS);
    close_sn(ctx, s);
}

/* Runs fn in a child with the given uid; returns its exit status (0: every check held). */
static int as_uid(uid_t uid, int (*fn)(void))
{
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        if (setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0) {
            _exit(100);
        }
        _exit(fn());
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

#define OBJ_UID 0x0102030405060708ull

/* One PS call through se-proxy: the service status. */
static service_status_t ts_ps_status(uint32_t opcode, const uint8_t *req, size_t req_len)
{
    struct service_context *ctx;
    struct rpc_caller_session *s = open_sn(PS_SN, &ctx);
    uint8_t resp[32];
    size_t len;
    service_status_t st;
    rpc_status_t r = call(s, opcode, req, req_len, sizeof(resp), resp, &len, &st);
    close_sn(ctx, s);
    return r == RPC_SUCCESS ? st : 99999;
}

/* PS GET_INFO of uid_req through se-proxy: the service status. */
static service_status_t ts_info(void)
{
    return ts_ps_status(0x102, uid_req, 8);
}

/* uid A stores through se-proxy; libpsa straight to rssd sees the same object for A. */
static int a_stores(void)
{
    struct service_context *ctx;
    struct rpc_caller_session *s = open_sn(PS_SN, &ctx);
    uint8_t resp[32];
    size_t len;
    service_status_t st;
    if (call(s, 0x100, set_req, sizeof(set_req), 0, resp, &len, &st) != RPC_SUCCESS ||
        st != ST_SUCCESS) {
        return 1;
    }
    close_sn(ctx, s);
    uint8_t data[8] = {0};
    size_t got = 0;
    if (psa_ps_get(OBJ_UID, 0, sizeof(data), data, &got) != PSA_SUCCESS || got != 5 ||
        memcmp(data, "hello", 5) != 0) {
        return 2;
    }
    return ts_info() == ST_SUCCESS ? 0 : 3;
}

/* uid B reaches nothing of A's, by either path. */
static int b_sees_nothing(void)
{
    struct psa_storage_info_t info;
    if (ts_info() != ST_DOES_NOT_EXIST) {
        return 1;
    }
    return psa_ps_get_info(OBJ_UID, &info) == PSA_ERROR_DOES_NOT_EXIST ? 0 : 2;
}

/* A removes it through libpsa; se-proxy then sees it gone too. */
static int a_removes(void)
{
    if (psa_ps_remove(OBJ_UID) != PSA_SUCCESS) {
        return 1;
    }
    return ts_info() == ST_DOES_NOT_EXIST ? 0 : 2;
}

/* se-proxy forwards for its caller: two uids through it have separate objects, and an object
 * one stores through se-proxy is the object that uid reaches calling rssd directly. */
static void test_forwarded_identity(void **state)
{
    (void)state;
    assert_int_equal(as_uid(65534, a_stores), 0);
    assert_int_equal(as_uid(65533, b_sees_nothing), 0);
    assert_int_equal(ts_info(), ST_DOES_NOT_EXIST); /* nor root, se-proxy's own uid */
    assert_int_equal(as_uid(65534, a_removes), 0);
}

static char other_dir[] = "/tmp/test-ts-other-XXXXXX";

static int proxy_as_other_uid(void)
{
    char path[200];
    snprintf(path, sizeof(path), "%s/se-proxy.sock", other_dir);
    execl(server_path, server_path, "--socket", path, "--foreground", (char *)NULL);
    return 127;
}

/* A se-proxy whose uid rssd's policy does not name a forwarder forwards nothing: rssd refuses
 * its assertion, and the caller gets NOT_PERMITTED as the service status. */
static void test_non_forwarder_refused(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(other_dir));
    assert_int_equal(chmod(other_dir, 0777), 0);
    pid_t proxy = fork();
    assert_true(proxy >= 0);
    if (proxy == 0) {
        if (setresgid(65533, 65533, 65533) != 0 || setresuid(65533, 65533, 65533) != 0) {
            _exit(100);
        }
        _exit(proxy_as_other_uid());
    }
    char path[200];
    snprintf(path, sizeof(path), "%s/se-proxy.sock", other_dir);
    struct stat st;
    while (stat(path, &st) != 0) {
        assert_int_equal(waitpid(proxy, NULL, WNOHANG), 0);
        usleep(10000);
    }
    setenv("TS_RUNTIME_DIR", other_dir, 1);
    assert_int_equal(ts_info(), ST_NOT_PERMITTED);
    /* GET_SUPPORT too: a refusal is a status, not flags 0 with success. */
    assert_int_equal(ts_ps_status(0x106, NULL, 0), ST_NOT_PERMITTED);
    setenv("TS_RUNTIME_DIR", dir, 1);
    kill(proxy, SIGTERM);
    int status;
    assert_int_equal(waitpid(proxy, &status, 0), proxy);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    rmdir(other_dir);
}

int main(int argc, char **argv)
{
    if (argc != 2 || getenv("RSS_SOCKET") == NULL) {
        fprintf(stderr, "usage (under with_rssd.sh): %s SE_PROXY\n", argv[0]);
        return 2;
    }
    server_path = argv[1];
    if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0) {
        return 1;
    }
    snprintf(sock_path, sizeof(sock_path), "%s/se-proxy.sock", dir);
    setenv("TS_RUNTIME_DIR", dir, 1);
    signal(SIGPIPE, SIG_IGN);
    /* Other uids reach rssd's socket too (with_rssd.sh makes its directory private). */
    char rss_dir[256];
    snprintf(rss_dir, sizeof(rss_dir), "%s", getenv("RSS_SOCKET"));
    char *slash = strrchr(rss_dir, '/');
    if (slash != NULL) {
        *slash = '\0';
        if (chmod(rss_dir, 0755) != 0) {
            return 1;
        }
    }
    start_server();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_locator),
        cmocka_unit_test(test_its_every_opcode),
        cmocka_unit_test(test_ps_every_opcode),
        cmocka_unit_test(test_malformed_bodies),
        cmocka_unit_test(test_session_rules),
        cmocka_unit_test(test_session_buffer_policy),
        cmocka_unit_test(test_malformed_words),
        cmocka_unit_test(test_two_uids),
        cmocka_unit_test(test_forwarded_identity),
        cmocka_unit_test(test_non_forwarder_refused),
        cmocka_unit_test(test_crypto_sign_hash),
        cmocka_unit_test(test_crypto_aead),
        cmocka_unit_test(test_crypto_malformed),
        cmocka_unit_test(test_crypto_uefi_opcodes),
        cmocka_unit_test(test_crypto_same_key_as_libpsa),
        cmocka_unit_test(test_crypto_volatile_per_session),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_client_dies_mid_call),
        cmocka_unit_test(test_server_dies_mid_call),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (server_pid > 0) {
        stop_server(SIGTERM);
    }
    rmdir(dir);
    return failed;
}
