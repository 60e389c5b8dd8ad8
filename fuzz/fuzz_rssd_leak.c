/* libFuzzer harness: after a victim's secret-bearing calls, no reply to random input leaks them. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "comms/crypto_calls.h"
#include "comms/rss_msg.h"
#include "comms/transport.h"
#include "base/wire.h"
#include "crypto/core.h"
#include "enclave/enclave.h"
#include "enclave/enclave_config.h"
#include "enclave/server.h"
#include "rssd_fuzz_env.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Two connections of two clients share one receive and one reply buffer, as all connections of
 * a worker do. Each run, the victim (client -0x10001) makes calls that leave secrets in those
 * buffers and in the private copy buffer: an export of its key, random bytes from rssd, a hash
 * of fresh random input, an embed and a pointer-access ITS get of a 600-byte object. Then the
 * attacker (client -0x10002) sends the fuzzer's message. Neither buffer is wiped in between (the
 * worker does wipe them; this harness holds enclave_serve_message to the stronger rule on its
 * own). The run fails if the reply or the attacker's shared memory holds any 8 bytes of a
 * secret, if an error reply carries a nonzero size, or if a failed call changed the attacker's
 * shared memory.
 *
 * Input: u16 length L, then L bytes written at offset 0 of the attacker's shared memory, then
 * the message (any protocol).
 */

#define ATTACKER_SHM_SIZE 8192u
#define VICTIM_SHM_SIZE   65536u
#define SECRET_LEN        600u
#define RANDOM_LEN        1500u
#define HASH_INPUT_LEN    1024u
#define SECRET_UID        0x5ec7e7u

static enclave_conn_t *victim, *attacker;
static rss_shm_t victim_shm, attacker_shm;
static uint8_t rx[RSS_MSG_EMBED_CALL_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT];
static uint8_t tx[RSS_MSG_EMBED_REPLY_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT];
static uint8_t shm_before[ATTACKER_SHM_SIZE];
static psa_key_id_t victim_key;

/* Secrets of the current run: the fixed ones first, then this run's random ones. */
static uint8_t secret_object[SECRET_LEN];
static uint8_t secret_key[32];
static uint8_t secret_random[RANDOM_LEN];
static uint8_t secret_hash_input[HASH_INPUT_LEN];
static uint8_t secret_digest[32];

/* Open-addressing set of the 8-byte windows of every secret, rebuilt each run. */
#define SET_SLOTS 16384u
static uint64_t set_keys[SET_SLOTS];
static bool set_used[SET_SLOTS];

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

/* The secret checks are not instrumented: comparisons against the secrets must not teach the
 * fuzzer their bytes (it would then send them itself, and an echo is no leak). */
__attribute__((no_sanitize("coverage"))) static void set_add(const uint8_t *s, size_t len)
{
    for (size_t i = 0; i + 8 <= len; i++) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        size_t slot = mix(w) & (SET_SLOTS - 1);
        while (set_used[slot] && set_keys[slot] != w) {
            slot = (slot + 1) & (SET_SLOTS - 1);
        }
        set_used[slot] = true;
        set_keys[slot] = w;
    }
}

__attribute__((no_sanitize("coverage"))) static bool has_secret(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i + 8 <= len; i++) {
        uint64_t w;
        memcpy(&w, buf + i, 8);
        size_t slot = mix(w) & (SET_SLOTS - 1);
        while (set_used[slot]) {
            if (set_keys[slot] == w) {
                return true;
            }
            slot = (slot + 1) & (SET_SLOTS - 1);
        }
    }
    return false;
}

static void fill_random(uint8_t *buf, size_t len)
{
    if (getrandom(buf, len, 0) != (ssize_t)len) {
        abort();
    }
}

/* Serves one message of `conn` through the shared buffers, as a worker does. */
static size_t serve(enclave_conn_t *conn, const uint8_t *msg, size_t len, int fd)
{
    size_t kept = len < sizeof(rx) ? len : sizeof(rx);
    memcpy(rx, msg, kept);
    return enclave_serve_message(conn, rx, kept, len, fd, tx, sizeof(tx));
}

static void map_shm(enclave_conn_t *conn, rss_shm_t *shm, size_t size)
{
    if (rss_shm_create(size, shm) != PSA_SUCCESS) {
        abort();
    }
    uint8_t msg[32];
    rss_ctrl_msg_t ctrl = {.header = {RSS_CTRL_SHM_SETUP, 1, 1}, .shm_size = size};
    size_t n = rss_msg_encode_ctrl(&ctrl, msg, sizeof(msg));
    if (serve(conn, msg, n, dup(shm->fd)) != RSS_CTRL_REPLY_SIZE || wire_load_u32(tx + 4) != 0) {
        abort();
    }
}

/* One victim call; aborts unless it succeeds. Returns the decoded reply (pointing into tx). */
static void victim_call(rss_msg_call_t *call, rss_msg_reply_t *rep)
{
    uint8_t msg[RSS_MSG_EMBED_CALL_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT];
    size_t len = 0;
    if (rss_msg_encode_call(call, msg, sizeof(msg), &len) != PSA_SUCCESS) {
        abort();
    }
    size_t n = serve(victim, msg, len, -1);
    if (rss_msg_decode_reply(tx, n, rep) != PSA_SUCCESS || rep->status != PSA_SUCCESS) {
        abort();
    }
}

static void victim_crypto(const crypto_iovec_t *iov, const uint8_t *in1, size_t in1_len,
                          size_t out_size, uint8_t *out)
{
    uint8_t header[CRYPTO_IOVEC_SIZE];
    crypto_iovec_encode(iov, header);
    rss_msg_call_t call = {.header = {RSS_PROTOCOL_EMBED, 1, 1},
                           .handle = 0x40000100,
                           .in_len = in1 != NULL ? 2 : 1,
                           .out_len = 1,
                           .in_size = {CRYPTO_IOVEC_SIZE, (uint32_t)in1_len},
                           .in_data = {header, in1},
                           .out_size = {(uint32_t)out_size}};
    rss_msg_reply_t rep;
    victim_call(&call, &rep);
    if (rep.out_size[0] != out_size) {
        abort();
    }
    memcpy(out, rep.out_data[0], out_size);
}

/* The victim's calls of one run; the random secrets are new each time. */
static void victim_runs(void)
{
    uint8_t got[SECRET_LEN];
    victim_crypto(&(crypto_iovec_t){.function_id = CRYPTO_FID_EXPORT_KEY, .key_id = victim_key},
                  NULL, 0, 32, got);
    if (memcmp(got, secret_key, 32) != 0) {
        abort();
    }
    victim_crypto(&(crypto_iovec_t){.function_id = CRYPTO_FID_GENERATE_RANDOM}, NULL, 0, RANDOM_LEN,
                  secret_random);
    fill_random(secret_hash_input, HASH_INPUT_LEN);
    victim_crypto(&(crypto_iovec_t){.function_id = CRYPTO_FID_HASH_COMPUTE, .alg = PSA_ALG_SHA_256},
                  secret_hash_input, HASH_INPUT_LEN, 32, secret_digest);

    /* Pointer access first (its object passes through the private copy buffer), then embed:
     * the reply buffer ends up holding the object behind the random bytes. */
    uint8_t uid_le[8], offset_le[4] = {0};
    wire_store_u64(uid_le, SECRET_UID);
    memcpy(victim_shm.base, uid_le, 8);
    memcpy(victim_shm.base + 64, offset_le, 4);
    rss_msg_call_t ptr = {.header = {RSS_PROTOCOL_POINTER_ACCESS, 2, 1},
                          .handle = 0x40000102,
                          .type = 1002,
                          .in_len = 2,
                          .out_len = 1,
                          .in_size = {8, 4},
                          .in_addr = {0, 64},
                          .out_size = {SECRET_LEN},
                          .out_addr = {128}};
    rss_msg_reply_t rep;
    victim_call(&ptr, &rep);
    if (rep.out_size[0] != SECRET_LEN ||
        memcmp(victim_shm.base + 128, secret_object, SECRET_LEN) != 0) {
        abort();
    }
    rss_msg_call_t emb = {.header = {RSS_PROTOCOL_EMBED, 3, 1},
                          .handle = 0x40000102,
                          .type = 1002,
                          .in_len = 2,
                          .out_len = 1,
                          .in_size = {8, 4},
                          .in_data = {uid_le, offset_le},
                          .out_size = {SECRET_LEN}};
    victim_call(&emb, &rep);
    if (rep.out_size[0] != SECRET_LEN || memcmp(rep.out_data[0], secret_object, SECRET_LEN) != 0) {
        abort();
    }

    memset(set_used, 0, sizeof(set_used));
    set_add(secret_object, SECRET_LEN);
    set_add(secret_key, sizeof(secret_key));
    set_add(secret_random, RANDOM_LEN);
    set_add(secret_hash_input, HASH_INPUT_LEN);
    set_add(secret_digest, sizeof(secret_digest));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    its_store_t *its = rssd_fuzz_env_init("rssd-leak");
    victim = enclave_conn_new_detached(-0x10001, 1);
    attacker = enclave_conn_new_detached(-0x10002, 2);
    map_shm(victim, &victim_shm, VICTIM_SHM_SIZE);
    map_shm(attacker, &attacker_shm, ATTACKER_SHM_SIZE);

    fill_random(secret_object, SECRET_LEN);
    if (its_store_set(its, -0x10001, SECRET_UID, SECRET_LEN, secret_object, 0) != PSA_SUCCESS) {
        abort();
    }
    fill_random(secret_key, sizeof(secret_key));
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, PSA_KEY_TYPE_AES);
    psa_set_key_bits(&a, 256);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_ENCRYPT);
    psa_set_key_algorithm(&a, PSA_ALG_CTR);
    core_caller_t caller = {.owner = -0x10001, .session = 1};
    if (core_import_key(&caller, &a, secret_key, sizeof(secret_key), &victim_key) != PSA_SUCCESS) {
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    size_t fill = (size_t)data[0] | ((size_t)data[1] << 8);
    data += 2;
    size -= 2;
    if (fill > size) {
        fill = size;
    }
    if (fill > ATTACKER_SHM_SIZE) {
        fill = ATTACKER_SHM_SIZE;
    }
    victim_runs();
    memset(attacker_shm.base, 0xa5, ATTACKER_SHM_SIZE);
    memcpy(attacker_shm.base, data, fill);
    memcpy(shm_before, attacker_shm.base, ATTACKER_SHM_SIZE);
    data += fill;
    size -= fill;

    size_t n = serve(attacker, data, size, -1);
    if (n > sizeof(tx)) {
        __builtin_trap();
    }
    if (has_secret(tx, n)) {
        fprintf(stderr, "a reply of %zu bytes holds the victim's bytes\n", n);
        __builtin_trap();
    }
    if (has_secret(attacker_shm.base, ATTACKER_SHM_SIZE)) {
        fprintf(stderr, "the attacker's shared memory holds the victim's bytes\n");
        __builtin_trap();
    }
    rss_msg_reply_t rep;
    if (n > 0 && !rss_msg_is_ctrl(tx, n) && rss_msg_decode_reply(tx, n, &rep) == PSA_SUCCESS &&
        rep.status < PSA_SUCCESS) {
        for (uint32_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
            if (rep.out_size[i] != 0) {
                fprintf(stderr, "error %d with out_size[%u] = %u\n", (int)rep.status, i,
                        rep.out_size[i]);
                __builtin_trap();
            }
        }
        if (memcmp(shm_before, attacker_shm.base, ATTACKER_SHM_SIZE) != 0) {
            fprintf(stderr, "error %d, yet the attacker's shared memory changed\n",
                    (int)rep.status);
            __builtin_trap();
        }
    }
    return 0;
}
