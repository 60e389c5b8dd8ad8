/* Benchmark: the Parsec front end's own cost, parsec_serve in-process against the bare PSA call. */
/*
 * No transport, no rssd: parsec_serve (header checks, authentication, name lookup in SQLite,
 * protobuf decode and encode) on libpsa-local, against the same PSA call on the same core. The
 * difference is what parsecd adds to every request, whatever carries it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "parsec/parsec_kim.h"
#include "parsec/parsec_serve.h"

static parsec_config_t config;
static parsec_ctx_t ctx = {.config = &config};
static uint8_t sign_req[36 + 46 + 4], random_req[36 + 2 + 4], ping_req[36];
static uint8_t resp[36 + (1u << 20)];
static psa_key_id_t key;
static const uint8_t hash[32];

static int serve(const uint8_t *req, size_t len)
{
    parsec_caller_t caller = {.uid = 1000, .pid = getpid()};
    size_t resp_len = 0;
    return parsec_serve(&ctx, &caller, req, len, resp, sizeof(resp), &resp_len) == PARSEC_SUCCESS
               ? 0
               : -1;
}

static int op_serve_ping(void *c)
{
    (void)c;
    return serve(ping_req, sizeof(ping_req));
}

static int op_serve_random(void *c)
{
    (void)c;
    return serve(random_req, sizeof(random_req));
}

static int op_serve_sign(void *c)
{
    (void)c;
    return serve(sign_req, sizeof(sign_req));
}

static int op_psa_random(void *c)
{
    (void)c;
    uint8_t b[1];
    return psa_generate_random(b, 1) == PSA_SUCCESS ? 0 : -1;
}

static int op_psa_sign(void *c)
{
    (void)c;
    uint8_t sig[64];
    size_t len = 0;
    return psa_sign_hash(key, PSA_ALG_ECDSA(PSA_ALG_SHA_256), hash, 32, sig, sizeof(sig), &len) ==
                   PSA_SUCCESS
               ? 0
               : -1;
}

static void header(uint8_t *req, uint8_t provider, uint8_t opcode, size_t body, bool auth)
{
    static const uint8_t magic[8] = {0x10, 0xa7, 0xc0, 0x5e, 0x1e, 0x00, 0x01, 0x00};
    memcpy(req, magic, 8);
    req[10] = provider;
    req[21] = auth ? 3 : 0;
    req[22] = (uint8_t)body;
    req[26] = auth ? 4 : 0;
    req[28] = opcode;
    if (auth) {
        req[36 + body] = 0xe8; /* uid 1000 */
        req[37 + body] = 0x03;
    }
}

int main(void)
{
    char dir[] = "/tmp/ss-parsec-serve-bench-XXXXXX", path[128], cmd[128];
    if (mkdtemp(dir) == NULL) {
        return 1;
    }
    setenv("PSA_STATE_DIR", dir, 1);
    snprintf(path, sizeof(path), "%s/keys.sqlite3", dir);
    parsec_config_defaults(&config);
    parsec_kim_key_t k = {.type = PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1),
                          .bits = 256,
                          .usage = PSA_KEY_USAGE_SIGN_HASH,
                          .alg = PSA_ALG_ECDSA(PSA_ALG_SHA_256)};
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t got = 0;
    int rc = 1;
    if (psa_crypto_init() != PSA_SUCCESS || parsec_kim_open(path, &ctx.kim) != PARSEC_SUCCESS ||
        parsec_kim_begin_create(ctx.kim, 3, "1000", "k1", &k, &key) != PARSEC_SUCCESS) {
        fprintf(stderr, "parsec_serve_bench: set-up failed\n");
        return 1;
    }
    psa_set_key_id(&a, key);
    psa_set_key_type(&a, k.type);
    psa_set_key_bits(&a, k.bits);
    psa_set_key_algorithm(&a, k.alg);
    psa_set_key_usage_flags(&a, k.usage);
    k.id = key;
    if (psa_generate_key(&a, &got) == PSA_SUCCESS &&
        parsec_kim_commit_create(ctx.kim, &k) == PARSEC_SUCCESS) {
        static const uint8_t sign_body[14] = {0x0a, 0x02, 0x6b, 0x31, 0x12, 0x06, 0x22,
                                              0x04, 0x0a, 0x02, 0x10, 0x07, 0x1a, 0x20};
        header(ping_req, 0, 0x01, 0, false);
        header(random_req, 4, 0x0d, 2, true);
        random_req[36] = 0x08;
        random_req[37] = 0x01;
        header(sign_req, 4, 0x04, 46, true);
        memcpy(sign_req + 36, sign_body, sizeof(sign_body));
        printf("parsec_serve in-process (libpsa-local) vs the bare PSA call, same core\n");
        bench_table_header();
        double rnd = bench_rate(op_psa_random, NULL, 0.5);
        bench_table_row("Ping vs psa_generate_random(1)", bench_rate(op_serve_ping, NULL, 0.5),
                        rnd);
        bench_table_row("GenerateRandom(1) vs psa", bench_rate(op_serve_random, NULL, 0.5), rnd);
        bench_table_row("ECDSA P-256 SignHash vs psa", bench_rate(op_serve_sign, NULL, 0.5),
                        bench_rate(op_psa_sign, NULL, 0.5));
        rc = 0;
    }
    parsec_kim_close(ctx.kim);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? rc : 1;
}
