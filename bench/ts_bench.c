/* Benchmark: PS calls through libts -> se-proxy -> rssd against the same through libpsa. */
/*
 * Starts a private rssd (whose policy makes this uid a forwarder) and se-proxy, then in the same
 * run measures, on the same data (se-proxy forwards for this uid, so both paths reach one
 * object):
 * GET_SUPPORT (the smallest call that reaches rssd) and a 16-byte GET, through a libts session
 * with memory per call (what service_context_open gives), through a session with a fixed 8 KiB
 * buffer (what TS's Linux FF-A context opens), and directly with psa_ps_* through libpsa; and an
 * ECDSA P-256 SIGN_HASH through packed-c crypto against psa_sign_hash through libpsa.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <psa/crypto.h>
#include <psa/protected_storage.h>

#include "bench_util.h"
#include "rpc_caller_session.h"
#include "service_locator.h"
#include "ts_rpc_caller_linux.h"

static char dir[] = "/tmp/ss-ts-bench-XXXXXX";

static pid_t spawn(const char *const argv[], const char *wait_for)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (freopen("/dev/null", "w", stderr) == NULL) {
            _exit(126);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    /* No deadline: ready when the socket exists, failed when the program exits. */
    for (;;) {
        struct stat st;
        if (stat(wait_for, &st) == 0 && S_ISSOCK(st.st_mode)) {
            return pid;
        }
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            return -1;
        }
        usleep(25000);
    }
}

static const uint8_t get_req[24] = {0x42, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0,
                                    0,    0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0};

static int ts_call(struct rpc_caller_session *s, uint16_t opcode, const uint8_t *req, size_t len,
                   size_t resp_max, size_t expect)
{
    uint8_t *buf, *out;
    size_t out_len;
    service_status_t st;
    rpc_call_handle h = rpc_caller_session_begin(s, &buf, len, resp_max);
    if (h == NULL) {
        return -1;
    }
    memcpy(buf, req, len);
    rpc_status_t r = rpc_caller_session_invoke(h, opcode, &out, &out_len, &st);
    rpc_caller_session_end(h);
    return r == RPC_SUCCESS && st == 0 && out_len == expect ? 0 : -1;
}

static int ts_support(void *ctx)
{
    return ts_call(ctx, 0x106, NULL, 0, 4, 4);
}

static int ts_get(void *ctx)
{
    return ts_call(ctx, 0x101, get_req, sizeof(get_req), 16, 16);
}

/* Packed-c SIGN_HASH: key id, ECDSA(SHA-256), TLV1 the 32-byte hash; 64 bytes back in a TLV. */
static uint8_t sign_req[8 + 4 + 32];

static int ts_sign(void *ctx)
{
    return ts_call(ctx, 0x0108, sign_req, sizeof(sign_req), 4 + PSA_SIGNATURE_MAX_SIZE, 68);
}

static psa_key_id_t direct_key;

static int psa_sign(void *ctx)
{
    (void)ctx;
    uint8_t hash[32] = {1}, sig[64];
    size_t n;
    return psa_sign_hash(direct_key, PSA_ALG_ECDSA(PSA_ALG_SHA_256), hash, 32, sig, sizeof(sig),
                         &n) == PSA_SUCCESS
               ? 0
               : -1;
}

/* A P-256 signing key through packed-c GENERATE_KEY; 0 on failure. */
static uint32_t ts_generate(struct rpc_caller_session *s)
{
    uint8_t req[24] = {0};
    const uint32_t fields[6] = {0x7112, 256, 0, 0, PSA_KEY_USAGE_SIGN_HASH,
                                PSA_ALG_ECDSA(PSA_ALG_SHA_256)};
    for (int i = 0; i < 6; i++) {
        for (int b = 0; b < 4; b++) {
            req[4 * i + b] = (uint8_t)(fields[i] >> (8 * b));
        }
    }
    uint8_t *buf, *out;
    size_t out_len;
    service_status_t st;
    rpc_call_handle h = rpc_caller_session_begin(s, &buf, sizeof(req), 4);
    if (h == NULL) {
        return 0;
    }
    memcpy(buf, req, sizeof(req));
    uint32_t id = 0;
    if (rpc_caller_session_invoke(h, 0x0101, &out, &out_len, &st) == RPC_SUCCESS && st == 0 &&
        out_len == 4) {
        id = (uint32_t)out[0] | ((uint32_t)out[1] << 8) | ((uint32_t)out[2] << 16) |
             ((uint32_t)out[3] << 24);
    }
    rpc_caller_session_end(h);
    return id;
}

static int psa_support(void *ctx)
{
    (void)ctx;
    return psa_ps_get_support() == PSA_STORAGE_SUPPORT_SET_EXTENDED ? 0 : -1;
}

static int psa_get(void *ctx)
{
    (void)ctx;
    uint8_t data[16];
    size_t n;
    return psa_ps_get(0x42, 0, sizeof(data), data, &n) == PSA_SUCCESS && n == 16 ? 0 : -1;
}

int main(void)
{
    if (mkdtemp(dir) == NULL) {
        return 1;
    }
    char state[160], rss[160], ts_dir[160], ts_sock[200], policy[160];
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(rss, sizeof(rss), "%s/rss.sock", dir);
    snprintf(ts_dir, sizeof(ts_dir), "%s/ts", dir);
    snprintf(ts_sock, sizeof(ts_sock), "%s/se-proxy.sock", ts_dir);
    snprintf(policy, sizeof(policy), "%s/policy", dir);
    FILE *pf = fopen(policy, "w");
    if (pf == NULL) {
        return 1;
    }
    int written = fprintf(pf, "uid %u forwarder\n", (unsigned)geteuid());
    if (fclose(pf) != 0 || written < 0 || mkdir(state, 0700) != 0 || mkdir(ts_dir, 0755) != 0) {
        return 1;
    }
    setenv("RSS_SOCKET", rss, 1);
    setenv("TS_RUNTIME_DIR", ts_dir, 1);
    const char *rssd_argv[] = {SS_RSSD_PATH, "--state-dir", state,          "--socket", rss,
                               "--policy",   policy,        "--foreground", NULL};
    pid_t rssd = spawn(rssd_argv, rss);
    const char *ts_argv[] = {SS_SE_PROXY_PATH, "--socket", ts_sock, "--foreground", NULL};
    pid_t server = rssd > 0 ? spawn(ts_argv, ts_sock) : -1;
    int rc = 1;
    uint8_t data[16] = "0123456789abcdef";
    struct service_context *ctx =
        server > 0 ? service_locator_query("sn:trustedfirmware.org:protected-storage:0") : NULL;
    struct rpc_caller_session *per_call = ctx != NULL ? service_context_open(ctx) : NULL;
    struct rpc_caller_interface caller;
    struct rpc_caller_session fixed;
    const struct rpc_uuid ps = {{0x75, 0x1b, 0xf8, 0x01, 0x3d, 0xde, 0x47, 0x68, 0xa5, 0x14, 0x0f,
                                 0x10, 0xae, 0xed, 0x17, 0x90}};
    if (per_call != NULL && psa_ps_set(0x42, sizeof(data), data, 0) == PSA_SUCCESS &&
        ts_rpc_caller_linux_init(&caller) == RPC_SUCCESS &&
        rpc_caller_session_find_and_open(&fixed, &caller, &ps, 8192) == RPC_SUCCESS) {
        double t_support = bench_rate(ts_support, per_call, 0.5);
        double f_support = bench_rate(ts_support, &fixed, 0.5);
        double d_support = bench_rate(psa_support, NULL, 0.5);
        double t_get = bench_rate(ts_get, per_call, 0.5);
        double f_get = bench_rate(ts_get, &fixed, 0.5);
        double d_get = bench_rate(psa_get, NULL, 0.5);
        bench_table_header();
        bench_table_row("PS GET_SUPPORT libts per-call mem", t_support, d_support);
        bench_table_row("PS GET_SUPPORT libts 8 KiB session", f_support, d_support);
        bench_table_row("PS GET 16 B libts per-call mem", t_get, d_get);
        bench_table_row("PS GET 16 B libts 8 KiB session", f_get, d_get);
        rc = t_support > 0 && f_support > 0 && d_support > 0 && t_get > 0 && f_get > 0 && d_get > 0
                 ? 0
                 : 1;
        struct rpc_caller_interface crypto_caller;
        struct rpc_caller_session crypto;
        const struct rpc_uuid crypto_uuid = {{0xd9, 0xdf, 0x52, 0xd5, 0x16, 0xa2, 0x4b, 0xb2, 0x9a,
                                              0xa4, 0xd2, 0x6d, 0x3b, 0x84, 0xe8, 0xc0}};
        psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
        psa_set_key_type(&a, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
        psa_set_key_bits(&a, 256);
        psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_HASH);
        psa_set_key_algorithm(&a, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
        uint32_t ts_key = 0;
        if (rc == 0 && psa_crypto_init() == PSA_SUCCESS &&
            psa_generate_key(&a, &direct_key) == PSA_SUCCESS &&
            ts_rpc_caller_linux_init(&crypto_caller) == RPC_SUCCESS &&
            rpc_caller_session_find_and_open(&crypto, &crypto_caller, &crypto_uuid, 8192) ==
                RPC_SUCCESS &&
            (ts_key = ts_generate(&crypto)) != 0) {
            const uint32_t alg = PSA_ALG_ECDSA(PSA_ALG_SHA_256);
            for (int b = 0; b < 4; b++) {
                sign_req[b] = (uint8_t)(ts_key >> (8 * b));
                sign_req[4 + b] = (uint8_t)(alg >> (8 * b));
            }
            sign_req[8] = 0; /* TLV1, 32 bytes */
            sign_req[9] = 1;
            sign_req[10] = 0;
            sign_req[11] = 32;
            sign_req[12] = 1;
            double t_sign = bench_rate(ts_sign, &crypto, 1.0);
            double d_sign = bench_rate(psa_sign, NULL, 1.0);
            bench_table_row("ECDSA P-256 sign libts 8 KiB session", t_sign, d_sign);
            rc = t_sign > 0 && d_sign > 0 ? 0 : 1;
            rpc_caller_session_close(&crypto);
            ts_rpc_caller_linux_deinit(&crypto_caller);
            psa_destroy_key(direct_key);
        } else {
            rc = 1;
        }
        printf("(baseline: the same call through libpsa straight to rssd)\n");
        rpc_caller_session_close(&fixed);
        ts_rpc_caller_linux_deinit(&caller);
        psa_ps_remove(0x42);
    }
    service_context_close(ctx, per_call);
    service_context_relinquish(ctx);
    if (server > 0) {
        kill(server, SIGTERM);
        waitpid(server, NULL, 0);
    }
    if (rssd > 0) {
        kill(rssd, SIGTERM);
        waitpid(rssd, NULL, 0);
    }
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        rc = 1;
    }
    return rc;
}
