/* Shared set-up of the Parsec harnesses: libpsa-local, a key-name store, two named keys. */
#define _GNU_SOURCE
#include "parsec_fuzz_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/wire.h"
#include "parsec/parsec_ops.h"

static parsec_config_t config;
static parsec_ctx_t ctx;
static uint8_t *resp;

static void add_key(const char *name, psa_key_type_t type, size_t bits, psa_algorithm_t alg,
                    psa_key_usage_t usage)
{
    parsec_kim_key_t k = {.type = type, .bits = bits, .usage = usage, .alg = alg};
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t id = 0, got = 0;
    if (parsec_kim_begin_create(ctx.kim, PARSEC_AUTH_UNIX_PEER, "1000", name, &k, &id) !=
        PARSEC_SUCCESS) {
        abort();
    }
    psa_set_key_id(&a, id);
    psa_set_key_type(&a, type);
    psa_set_key_bits(&a, bits);
    psa_set_key_algorithm(&a, alg);
    psa_set_key_usage_flags(&a, usage);
    k.id = id;
    if (psa_generate_key(&a, &got) != PSA_SUCCESS ||
        parsec_kim_commit_create(ctx.kim, &k) != PARSEC_SUCCESS) {
        abort();
    }
}

static char dir[] = "/tmp/fuzz-parsec-XXXXXX";

/* The harness's state (keys, store) goes when the fuzzer exits. */
static void remove_state(void)
{
    char cmd[64];
    parsec_kim_close(ctx.kim);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot remove %s\n", dir);
    }
}

const parsec_ctx_t *parsec_fuzz_ctx(void)
{
    char path[128];
    if (ctx.kim != NULL) {
        return &ctx;
    }
    if (mkdtemp(dir) == NULL) {
        abort();
    }
    setenv("PSA_STATE_DIR", dir, 1);
    parsec_config_defaults(&config);
    config.buffer_size_limit = 64u * 1024u; /* keep allocations small under the fuzzer */
    config.body_len_limit = 64u * 1024u;
    snprintf(path, sizeof(path), "%s/keys.sqlite3", dir);
    ctx.config = &config;
    if (psa_crypto_init() != PSA_SUCCESS || parsec_kim_open(path, &ctx.kim) != PARSEC_SUCCESS) {
        abort();
    }
    add_key("k1", PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 256,
            PSA_ALG_ECDSA(PSA_ALG_SHA_256),
            PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH | PSA_KEY_USAGE_SIGN_MESSAGE |
                PSA_KEY_USAGE_VERIFY_MESSAGE | PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_DERIVE);
    add_key("a1", PSA_KEY_TYPE_AES, 128, PSA_ALG_GCM,
            PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT | PSA_KEY_USAGE_EXPORT);
    atexit(remove_state);
    resp = malloc(parsec_response_max(&ctx));
    if (resp == NULL) {
        abort();
    }
    return &ctx;
}

void parsec_fuzz_serve(const uint8_t *req, size_t len)
{
    const parsec_ctx_t *c = parsec_fuzz_ctx();
    parsec_caller_t caller = {.uid = 1000, .pid = getpid()};
    size_t need = 0, resp_len = 0;
    parsec_status_t s = parsec_frame(req, len, config.body_len_limit, &need);
    if (s != PARSEC_SUCCESS || need != len) {
        return;
    }
    s = parsec_serve(c, &caller, req, len, resp, parsec_response_max(c), &resp_len);
    /* Invariants: a whole header, the status it returned, a body only on success. */
    if (resp_len < PARSEC_HEADER_SIZE || resp_len > parsec_response_max(c) ||
        wire_load_u32(resp) != PARSEC_MAGIC || wire_load_u16(resp + 32) != (uint16_t)s ||
        (s != PARSEC_SUCCESS && resp_len != PARSEC_HEADER_SIZE) ||
        wire_load_u32(resp + 22) != resp_len - PARSEC_HEADER_SIZE) {
        __builtin_trap();
    }
}
