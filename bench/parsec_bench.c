/* Benchmark: operations through the Parsec front end against the same through libpsa. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <psa/crypto.h>

#include "bench_util.h"
#include "base/wire.h"

#include "psa_generate_key.pb-c.h"

static char dir[] = "/tmp/ss-parsec-bench-XXXXXX";
static char parsec_sock[128];
static uint8_t hash[32];
static psa_key_id_t psa_key;

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

/* One Parsec request on its own connection (as Parsec clients do); 0 on a success status. */
static int parsec_call(uint8_t provider, uint32_t opcode, const uint8_t *body, size_t blen)
{
    uint8_t req[512], resp[1024];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memset(req, 0, 36);
    wire_store_u32(req, 0x5EC0A710u);
    wire_store_u16(req + 4, 30);
    req[6] = 1;
    req[10] = provider;
    req[21] = provider != 0 ? 3 : 0;
    wire_store_u32(req + 22, (uint32_t)blen);
    wire_store_u16(req + 26, provider != 0 ? 4 : 0);
    wire_store_u32(req + 28, opcode);
    memcpy(req + 36, body, blen);
    wire_store_u32(req + 36 + blen, (uint32_t)getuid());
    size_t len = 36 + blen + (provider != 0 ? 4 : 0);
    strcpy(addr.sun_path, parsec_sock);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    size_t got = 0;
    ssize_t r;
    while ((r = read(fd, resp + got, sizeof(resp) - got)) > 0) {
        got += (size_t)r;
    }
    close(fd);
    return got >= 36 && wire_load_u16(resp + 32) == 0 ? 0 : -1;
}

static int op_parsec_ping(void *ctx)
{
    (void)ctx;
    return parsec_call(0, 0x01, NULL, 0);
}

static int op_parsec_random(void *ctx)
{
    (void)ctx;
    static const uint8_t body[] = {0x08, 0x01};
    return parsec_call(4, 0x0d, body, sizeof(body));
}

static int op_parsec_sign(void *ctx)
{
    (void)ctx;
    /* SignHash{"bench", ECDSA(SHA-256), hash}: the fact sheet's layout. */
    uint8_t body[64] = {0x0a, 0x05, 'b',  'e',  'n',  'c',  'h',  0x12, 0x06,
                        0x22, 0x04, 0x0a, 0x02, 0x10, 0x07, 0x1a, 0x20};
    memcpy(body + 17, hash, 32);
    return parsec_call(4, 0x04, body, 17 + 32);
}

static int op_psa_random(void *ctx)
{
    (void)ctx;
    uint8_t b[1];
    return psa_generate_random(b, 1) == PSA_SUCCESS ? 0 : -1;
}

static int op_psa_sign(void *ctx)
{
    (void)ctx;
    uint8_t sig[64];
    size_t len = 0;
    return psa_sign_hash(psa_key, PSA_ALG_ECDSA(PSA_ALG_SHA_256), hash, 32, sig, sizeof(sig),
                         &len) == PSA_SUCCESS
               ? 0
               : -1;
}

static int parsec_generate_bench_key(void)
{
    uint8_t body[128];
    PsaKeyAttributes__UsageFlags usage = PSA_KEY_ATTRIBUTES__USAGE_FLAGS__INIT;
    PsaAlgorithm__Algorithm__AsymmetricSignature__SignHash h =
        PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__INIT;
    PsaAlgorithm__Algorithm__AsymmetricSignature__Ecdsa ecdsa =
        PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__ECDSA__INIT;
    PsaAlgorithm__Algorithm__AsymmetricSignature sig =
        PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__INIT;
    PsaAlgorithm__Algorithm alg = PSA_ALGORITHM__ALGORITHM__INIT;
    PsaKeyAttributes__KeyPolicy policy = PSA_KEY_ATTRIBUTES__KEY_POLICY__INIT;
    PsaKeyAttributes__KeyType__EccKeyPair pair = PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_KEY_PAIR__INIT;
    PsaKeyAttributes__KeyType type = PSA_KEY_ATTRIBUTES__KEY_TYPE__INIT;
    PsaKeyAttributes__KeyAttributes attrs = PSA_KEY_ATTRIBUTES__KEY_ATTRIBUTES__INIT;
    PsaGenerateKey__Operation op = PSA_GENERATE_KEY__OPERATION__INIT;
    usage.sign_hash = 1;
    h.variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_SPECIFIC;
    h.specific = PSA_ALGORITHM__ALGORITHM__HASH__SHA_256;
    ecdsa.hash_alg = &h;
    sig.variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_ECDSA;
    sig.ecdsa = &ecdsa;
    alg.variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE;
    alg.asymmetric_signature = &sig;
    policy.key_usage_flags = &usage;
    policy.key_algorithm = &alg;
    pair.curve_family = PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECP_R1;
    type.variant_case = PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_KEY_PAIR;
    type.ecc_key_pair = &pair;
    attrs.key_type = &type;
    attrs.key_bits = 256;
    attrs.key_policy = &policy;
    op.key_name = "bench";
    op.attributes = &attrs;
    return parsec_call(4, 0x02, body, psa_generate_key__operation__pack(&op, body));
}

int main(int argc, char **argv)
{
    const char *rssd = argc > 1 ? argv[1] : SS_RSSD_PATH;
    const char *server = argc > 2 ? argv[2] : SS_PARSEC_SERVER_PATH;
    const char *se_proxy = argc > 3 ? argv[3] : SS_SE_PROXY_PATH;
    char state[160], rss_sock[160], config[160], policy[160], ts_sock[160];
    if (mkdtemp(dir) == NULL) {
        return 1;
    }
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(rss_sock, sizeof(rss_sock), "%s/rss.sock", dir);
    snprintf(parsec_sock, sizeof(parsec_sock), "%s/parsec.sock", dir);
    snprintf(config, sizeof(config), "%s/config.toml", dir);
    snprintf(policy, sizeof(policy), "%s/policy", dir);
    snprintf(ts_sock, sizeof(ts_sock), "%s/se-proxy.sock", dir);
    mkdir(state, 0700);
    /* parsecd reaches rssd through se-proxy, which this uid runs: rssd must let it forward. */
    FILE *p = fopen(policy, "w");
    fprintf(p, "uid %u forwarder\n", (unsigned)getuid());
    fclose(p);
    FILE *f = fopen(config, "w");
    fprintf(f,
            "[core_settings]\nallow_root = true\nlog_level = \"error\"\n"
            /* a busy machine must slow the figures, not fail the requests */
            "[listener]\ntimeout = 600000\n"
            "[[key_manager]]\nname = \"m\"\nmanager_type = \"SQLite\"\n"
            "sqlite_db_path = \"%s/keys.sqlite3\"\n",
            dir);
    fclose(f);
    setenv("RSS_SOCKET", rss_sock, 1);
    setenv("TS_RUNTIME_DIR", dir, 1);
    const char *rssd_argv[] = {rssd,     "--state-dir", state,          "--socket",
                               rss_sock, "--policy",    policy,         "--foreground",
                               NULL};
    const char *se_proxy_argv[] = {se_proxy, "--socket", ts_sock, "--foreground", NULL};
    const char *parsec_argv[] = {server, "--socket",     parsec_sock, "--config",
                                 config, "--foreground", NULL};
    pid_t rssd_pid = spawn(rssd_argv, rss_sock);
    pid_t se_proxy_pid = rssd_pid > 0 ? spawn(se_proxy_argv, ts_sock) : -1;
    pid_t parsec_pid = se_proxy_pid > 0 ? spawn(parsec_argv, parsec_sock) : -1;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_bits(&a, 256);
    psa_set_key_algorithm(&a, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_HASH);
    memset(hash, 0x5a, sizeof(hash));
    int rc = 1;
    if (parsec_pid > 0 && psa_crypto_init() == PSA_SUCCESS &&
        psa_generate_key(&a, &psa_key) == PSA_SUCCESS && parsec_generate_bench_key() == 0) {
        printf("Parsec front end (libts, se-proxy, rssd) vs libpsa (rssd), same run "
               "(medians of %d runs)\n",
               BENCH_RUNS);
        bench_table_header();
        double ping = bench_rate(op_parsec_ping, NULL, 1.0);
        double rnd_psa = bench_rate(op_psa_random, NULL, 1.0);
        double rnd = bench_rate(op_parsec_random, NULL, 1.0);
        double sign = bench_rate(op_parsec_sign, NULL, 1.0);
        double sign_psa = bench_rate(op_psa_sign, NULL, 1.0);
        bench_table_row("Ping vs psa_generate_random(1)", ping, rnd_psa);
        bench_table_row("GenerateRandom(1) vs libpsa", rnd, rnd_psa);
        bench_table_row("ECDSA P-256 SignHash vs libpsa", sign, sign_psa);
        rc = ping > 0 && rnd > 0 && sign > 0 && sign_psa > 0 ? 0 : 1;
    } else {
        fprintf(stderr, "parsec_bench: set-up failed\n");
    }
    psa_destroy_key(psa_key);
    if (parsec_pid > 0) {
        kill(parsec_pid, SIGTERM);
        waitpid(parsec_pid, NULL, 0);
    }
    if (se_proxy_pid > 0) {
        kill(se_proxy_pid, SIGTERM);
        waitpid(se_proxy_pid, NULL, 0);
    }
    if (rssd_pid > 0) {
        kill(rssd_pid, SIGTERM);
        waitpid(rssd_pid, NULL, 0);
    }
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? rc : 1;
}
