/* Streamed calls on the fast path (docs/rss-comms-linux.md "Streamed calls") against rssd: every
 * algorithm of the four calls that read their input as it arrives, through libpsa and through a
 * client that feeds its input slowly into memory that holds other bytes until then (so a read
 * before its bytes arrived gives a wrong answer); the calls that wait for the whole input; a
 * client that stops feeding; and stream words that name no vector of the call. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <psa/crypto.h>

#include "comms/crypto_calls.h"
#include "comms/rss_channel.h"
#include "comms/rss_msg.h"
#include "comms/rss_services.h"
#include "rssd_harness.h"

#define SLOT ((RSS_MSG_EMBED_CALL_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT + 63u) & ~63u)
/* Large enough that libpsa streams it (its threshold is 128 KiB), odd where the mode allows. */
#define BIG      ((size_t)(300u << 10) + 13u)
#define BIG_BLK  ((size_t)(300u << 10))
#define SHM_SIZE ((size_t)4 << 20)
#define STALL_MS "300"

static rssd_instance_t rssd;
static uint8_t *message;

static int setup(void **state)
{
    (void)state;
    if (!rssd_start(&rssd, NULL, NULL) || psa_crypto_init() != PSA_SUCCESS) {
        return -1;
    }
    message = malloc(BIG);
    if (message == NULL) {
        return -1;
    }
    for (size_t i = 0; i < BIG; i++) {
        message[i] = (uint8_t)(i * 131u + (i >> 9));
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(message);
    int rc = rssd_stop(&rssd);
    rssd_cleanup(&rssd);
    return rc == 0 ? 0 : -1;
}

/* ---- a client that feeds its input by hand ------------------------------------------------ */

typedef struct raw_client {
    rss_transport_t t;
    rss_channel_t ch;
    rss_shm_t shm;
    uint32_t seq;
} raw_client_t;

static psa_status_t ctrl(rss_transport_t *t, uint8_t type, uint64_t size, int fd)
{
    rss_ctrl_msg_t msg = {.header = {.protocol_ver = type, .seq_num = 7, .client_id = 1},
                          .shm_size = size};
    uint8_t buf[32];
    size_t n = rss_msg_encode_ctrl(&msg, buf, sizeof(buf));
    assert_int_equal(rss_transport_send(t, buf, n, fd), PSA_SUCCESS);
    size_t length = 0;
    assert_int_equal(rss_transport_recv(t, buf, sizeof(buf), &length), PSA_SUCCESS);
    rss_msg_header_t header;
    psa_status_t status;
    assert_int_equal(rss_msg_decode_ctrl_reply(buf, length, &header, &status), PSA_SUCCESS);
    return status;
}

static void raw_open(raw_client_t *c, const char *socket)
{
    memset(c, 0, sizeof(*c));
    assert_int_equal(rss_transport_connect(socket, &c->t), PSA_SUCCESS);
    rss_shm_t chm;
    size_t size = rss_channel_size_for(SLOT);
    assert_int_equal(rss_shm_create(size, &chm), PSA_SUCCESS);
    assert_int_equal(ctrl(&c->t, RSS_CTRL_CHANNEL_SETUP, size, rss_shm_handle(&chm)), PSA_SUCCESS);
    assert_true(rss_channel_init(&c->ch, chm));
    assert_int_equal(rss_shm_create(SHM_SIZE, &c->shm), PSA_SUCCESS);
    assert_int_equal(ctrl(&c->t, RSS_CTRL_SHM_SETUP, SHM_SIZE, rss_shm_handle(&c->shm)),
                     PSA_SUCCESS);
}

static void raw_close(raw_client_t *c)
{
    rss_channel_destroy(&c->ch);
    rss_shm_destroy(&c->shm);
    rss_transport_close(&c->t);
}

/* How the raw client feeds the streamed input. */
typedef struct feed_plan {
    size_t piece;      /* bytes per step */
    unsigned delay_us; /* before each step */
    size_t stop_at;    /* feeds no further than this (SIZE_MAX: all) */
    uint32_t vecs;     /* stream_vecs to write (0: the input and output vectors) */
    bool before;       /* the whole input is written before the request */
} feed_plan_t;

static const feed_plan_t slow = {.piece = 4096, .delay_us = 150, .stop_at = SIZE_MAX};

static void sleep_us(unsigned us)
{
    struct timespec ts = {us / 1000000u, (long)(us % 1000000u) * 1000L};
    nanosleep(&ts, NULL);
}

/*
 * The call a describes, as a pointer-access request on the channel whose input (a->in[INPUT])
 * streams: the shared memory for it holds 0xa5 bytes until the plan feeds them. Outputs come
 * back into a's buffers; returns the call's status.
 */
static psa_status_t raw_call(raw_client_t *c, crypto_args_t *a, const feed_plan_t *plan)
{
    crypto_wire_t w;
    assert_int_equal(crypto_args_encode(a, &w), PSA_SUCCESS);
    uint8_t seq8 = (uint8_t)(c->seq + 1);
    rss_msg_call_t call = {
        .header = {.protocol_ver = RSS_PROTOCOL_POINTER_ACCESS, .seq_num = seq8, .client_id = 1},
        .handle = RSS_HANDLE_CRYPTO,
        .type = PSA_IPC_CALL,
        .in_len = (uint32_t)w.in_len,
        .out_len = (uint32_t)w.out_len,
    };
    size_t offset = 0, stream_in = RSS_CHANNEL_NO_VEC, stream_out = RSS_CHANNEL_NO_VEC;
    for (size_t i = 0; i < w.in_len; i++) {
        uint8_t *at = rss_shm_at(&c->shm, offset);
        if (w.in[i].len > 0 && w.in[i].base == a->in[CRYPTO_IN_INPUT]) {
            stream_in = i;
            if (plan->before) {
                memcpy(at, w.in[i].base, w.in[i].len);
            } else {
                memset(at, 0xa5, w.in[i].len);
            }
        } else if (w.in[i].len > 0) {
            memcpy(at, w.in[i].base, w.in[i].len);
        }
        call.in_size[i] = (uint32_t)w.in[i].len;
        call.in_addr[i] = offset;
        offset += (w.in[i].len + 63u) & ~(size_t)63u;
    }
    for (size_t i = 0; i < w.out_len; i++) {
        if (w.out[i].len > 0 && w.out[i].base == a->out[CRYPTO_OUT_OUTPUT]) {
            stream_out = i;
        }
        memset(rss_shm_at(&c->shm, offset), 0x5a, w.out[i].len);
        call.out_size[i] = (uint32_t)w.out[i].len;
        call.out_addr[i] = offset;
        offset += (w.out[i].len + 63u) & ~(size_t)63u;
    }
    assert_true(offset <= SHM_SIZE);
    assert_int_not_equal(stream_in, RSS_CHANNEL_NO_VEC);
    uint8_t msg[RSS_MSG_POINTER_CALL_SIZE];
    size_t length = 0;
    assert_int_equal(rss_msg_encode_call(&call, msg, sizeof(msg), &length), PSA_SUCCESS);

    uint32_t seq = ++c->seq;
    rss_channel_stream_t words;
    rss_channel_stream_start(&c->ch, seq, (uint8_t)stream_in, (uint8_t)stream_out, &words);
    if (plan->vecs != 0) {
        atomic_store(rss_channel_word(&c->ch, RSS_CHANNEL_OFF_STREAM_VECS), plan->vecs);
    }
    if (rss_channel_post(&c->ch, seq, msg, length)) {
        uint8_t bell[4] = {RSS_CTRL_DOORBELL, 0, 1, 0};
        assert_int_equal(rss_transport_send(&c->t, bell, sizeof(bell), -1), PSA_SUCCESS);
    }
    const uint8_t *src = w.in[stream_in].base;
    uint8_t *dst = rss_shm_at(&c->shm, call.in_addr[stream_in]);
    size_t total = w.in[stream_in].len, end = total < plan->stop_at ? total : plan->stop_at;
    for (size_t done = 0; done < end && !rss_channel_answered(&c->ch, seq);) {
        sleep_us(plan->delay_us);
        size_t n = end - done < plan->piece ? end - done : plan->piece;
        memcpy(dst + done, src + done, n);
        done += n;
        atomic_store_explicit(words.in_ready, (uint32_t)done, memory_order_release);
    }
    while (!rss_channel_sleep(&c->ch, seq, 1000)) {
    }
    uint32_t hint;
    size_t n = rss_channel_reply_length(&c->ch, &hint);
    rss_msg_reply_t reply;
    assert_int_equal(rss_msg_decode_reply(rss_channel_reply(&c->ch), n, &reply), PSA_SUCCESS);
    assert_int_equal(reply.header.seq_num, seq8);
    for (size_t i = 0; i < w.out_len; i++) {
        assert_true(reply.out_size[i] <= w.out[i].len);
        if (reply.out_size[i] > 0) {
            memcpy(w.out[i].base, rss_shm_at(&c->shm, call.out_addr[i]), reply.out_size[i]);
        }
        w.out[i].len = reply.out_size[i];
    }
    return crypto_args_decode_reply(a, &w, reply.status);
}

/* ---- the cases ------------------------------------------------------------------------------ */

typedef struct stream_case {
    const char *name;
    psa_key_type_t type; /* 0: a hash */
    size_t bits;
    psa_algorithm_t alg;
    size_t length;
} stream_case_t;

static const stream_case_t hashes[] = {
    {"SHA-256", 0, 0, PSA_ALG_SHA_256, BIG},
    {"SHA-512", 0, 0, PSA_ALG_SHA_512, BIG},
    {"SHA-1", 0, 0, PSA_ALG_SHA_1, BIG},
    {"SHA3-256", 0, 0, PSA_ALG_SHA3_256, BIG},
    {"SHAKE256-512", 0, 0, PSA_ALG_SHAKE256_512, BIG},
    {"MD5", 0, 0, PSA_ALG_MD5, BIG},
    {"RIPEMD-160", 0, 0, PSA_ALG_RIPEMD160, BIG},
    {"SM3", 0, 0, PSA_ALG_SM3, BIG},
    {"AES-MMO", 0, 0, PSA_ALG_AES_MMO_ZIGBEE, BIG},
};

static const stream_case_t macs[] = {
    {"HMAC-SHA-256", PSA_KEY_TYPE_HMAC, 256, PSA_ALG_HMAC(PSA_ALG_SHA_256), BIG},
    {"HMAC-SHA3-512", PSA_KEY_TYPE_HMAC, 256, PSA_ALG_HMAC(PSA_ALG_SHA3_512), BIG},
    {"CMAC-AES-128", PSA_KEY_TYPE_AES, 128, PSA_ALG_CMAC, BIG},
    {"CBC-MAC-AES-128", PSA_KEY_TYPE_AES, 128, PSA_ALG_CBC_MAC, BIG_BLK},
};

static const stream_case_t ciphers[] = {
    {"AES-CTR", PSA_KEY_TYPE_AES, 128, PSA_ALG_CTR, BIG},
    {"AES-CFB", PSA_KEY_TYPE_AES, 128, PSA_ALG_CFB, BIG},
    {"AES-OFB", PSA_KEY_TYPE_AES, 256, PSA_ALG_OFB, BIG},
    {"AES-CBC-PKCS7", PSA_KEY_TYPE_AES, 128, PSA_ALG_CBC_PKCS7, BIG},
    {"AES-CBC", PSA_KEY_TYPE_AES, 192, PSA_ALG_CBC_NO_PADDING, BIG_BLK},
    {"AES-ECB", PSA_KEY_TYPE_AES, 128, PSA_ALG_ECB_NO_PADDING, BIG_BLK},
    {"AES-XTS", PSA_KEY_TYPE_AES, 512, PSA_ALG_XTS, BIG},
    {"ChaCha20", PSA_KEY_TYPE_CHACHA20, 256, PSA_ALG_STREAM_CIPHER, BIG},
    {"AES-CCM*", PSA_KEY_TYPE_AES, 128, PSA_ALG_CCM_STAR_NO_TAG, BIG},
    {"3DES-CBC-PKCS7", PSA_KEY_TYPE_DES, 192, PSA_ALG_CBC_PKCS7, BIG},
};

static const stream_case_t aeads[] = {
    {"AES-GCM", PSA_KEY_TYPE_AES, 128, PSA_ALG_GCM, BIG},
    {"ChaCha20-Poly1305", PSA_KEY_TYPE_CHACHA20, 256, PSA_ALG_CHACHA20_POLY1305, BIG},
    {"AES-CCM", PSA_KEY_TYPE_AES, 256, PSA_ALG_CCM, BIG},
};

static const uint8_t nonce12[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const uint8_t ad[37] = {0x61, 0x64};

static psa_key_id_t make_key(const stream_case_t *c, psa_key_usage_t usage)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, c->type);
    psa_set_key_bits(&attr, c->bits);
    psa_set_key_algorithm(&attr, c->alg);
    psa_set_key_usage_flags(&attr, usage);
    psa_key_id_t key = 0;
    assert_int_equal(psa_generate_key(&attr, &key), PSA_SUCCESS);
    return key;
}

/* The reference: the same hash or MAC through multi-part calls of 1000 bytes (embedded, so
 * nothing streams). */
static size_t reference_digest(const stream_case_t *c, psa_key_id_t key, uint8_t *out, size_t size)
{
    size_t n = 0;
    if (c->type == 0) {
        psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
        assert_int_equal(psa_hash_setup(&op, c->alg), PSA_SUCCESS);
        for (size_t i = 0; i < c->length; i += 1000) {
            size_t len = c->length - i < 1000 ? c->length - i : 1000;
            assert_int_equal(psa_hash_update(&op, message + i, len), PSA_SUCCESS);
        }
        assert_int_equal(psa_hash_finish(&op, out, size, &n), PSA_SUCCESS);
    } else {
        psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
        assert_int_equal(psa_mac_sign_setup(&op, key, c->alg), PSA_SUCCESS);
        for (size_t i = 0; i < c->length; i += 1000) {
            size_t len = c->length - i < 1000 ? c->length - i : 1000;
            assert_int_equal(psa_mac_update(&op, message + i, len), PSA_SUCCESS);
        }
        assert_int_equal(psa_mac_sign_finish(&op, out, size, &n), PSA_SUCCESS);
    }
    return n;
}

/* Hash and MAC: libpsa's one-shot call (streamed by its fast path) and the slow raw client
 * both give what multi-part calls give. */
static void digest_cases(const stream_case_t *cases, size_t count)
{
    raw_client_t rc;
    raw_open(&rc, rssd.socket);
    for (size_t i = 0; i < count; i++) {
        const stream_case_t *c = &cases[i];
        psa_key_id_t key = c->type == 0 ? 0 : make_key(c, PSA_KEY_USAGE_SIGN_MESSAGE);
        uint8_t want[64], got[64];
        size_t want_len = reference_digest(c, key, want, sizeof(want)), got_len = 0;
        psa_status_t status =
            c->type == 0
                ? psa_hash_compute(c->alg, message, c->length, got, sizeof(got), &got_len)
                : psa_mac_compute(key, c->alg, message, c->length, got, sizeof(got), &got_len);
        assert_int_equal(status, PSA_SUCCESS);
        assert_int_equal(got_len, want_len);
        assert_memory_equal(got, want, want_len);

        crypto_args_t a = {.function_id =
                               c->type == 0 ? CRYPTO_FID_HASH_COMPUTE : CRYPTO_FID_MAC_COMPUTE,
                           .key = key,
                           .alg = c->alg};
        a.in[CRYPTO_IN_INPUT] = message;
        a.in_len[CRYPTO_IN_INPUT] = c->length;
        memset(got, 0, sizeof(got));
        a.out[CRYPTO_OUT_OUTPUT] = got;
        a.out_size[CRYPTO_OUT_OUTPUT] = sizeof(got);
        assert_int_equal(raw_call(&rc, &a, &slow), PSA_SUCCESS);
        assert_int_equal(a.out_len[CRYPTO_OUT_OUTPUT], want_len);
        if (memcmp(got, want, want_len) != 0) {
            fail_msg("%s: streamed slowly, a different digest", c->name);
        }
        if (key != 0) {
            psa_destroy_key(key);
        }
    }
    raw_close(&rc);
}

static void test_stream_hashes(void **state)
{
    (void)state;
    digest_cases(hashes, sizeof(hashes) / sizeof(hashes[0]));
}

static void test_stream_macs(void **state)
{
    (void)state;
    digest_cases(macs, sizeof(macs) / sizeof(macs[0]));
}

/* Decrypts what an encryption produced and compares with the message. */
static void check_decrypts(const stream_case_t *c, psa_key_id_t key, bool aead, const uint8_t *ct,
                           size_t ct_len, const char *how)
{
    uint8_t *pt = malloc(c->length + 64);
    assert_non_null(pt);
    size_t pt_len = 0;
    psa_status_t status =
        aead ? psa_aead_decrypt(key, c->alg, nonce12, sizeof(nonce12), ad, sizeof(ad), ct, ct_len,
                                pt, c->length + 64, &pt_len)
             : psa_cipher_decrypt(key, c->alg, ct, ct_len, pt, c->length + 64, &pt_len);
    if (status != PSA_SUCCESS || pt_len != c->length || memcmp(pt, message, c->length) != 0) {
        fail_msg("%s (%s): does not decrypt to the message (status %d)", c->name, how, (int)status);
    }
    free(pt);
}

static void encrypt_cases(const stream_case_t *cases, size_t count, bool aead)
{
    raw_client_t rc;
    raw_open(&rc, rssd.socket);
    for (size_t i = 0; i < count; i++) {
        const stream_case_t *c = &cases[i];
        psa_key_id_t key = make_key(c, PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT);
        size_t size = c->length + 64;
        uint8_t *ct = malloc(size), *ct2 = malloc(size);
        assert_non_null(ct);
        assert_non_null(ct2);
        size_t ct_len = 0;
        psa_status_t status =
            aead ? psa_aead_encrypt(key, c->alg, nonce12, 12, ad, sizeof(ad), message, c->length,
                                    ct, size, &ct_len)
                 : psa_cipher_encrypt(key, c->alg, message, c->length, ct, size, &ct_len);
        assert_int_equal(status, PSA_SUCCESS);
        check_decrypts(c, key, aead, ct, ct_len, "libpsa");

        crypto_args_t a = {.function_id =
                               aead ? CRYPTO_FID_AEAD_ENCRYPT : CRYPTO_FID_CIPHER_ENCRYPT,
                           .key = key,
                           .alg = c->alg};
        a.in[CRYPTO_IN_INPUT] = message;
        a.in_len[CRYPTO_IN_INPUT] = c->length;
        if (aead) {
            a.in[CRYPTO_IN_NONCE] = nonce12;
            a.in_len[CRYPTO_IN_NONCE] = 12;
            a.in[CRYPTO_IN_AD] = ad;
            a.in_len[CRYPTO_IN_AD] = sizeof(ad);
        }
        a.out[CRYPTO_OUT_OUTPUT] = ct2;
        a.out_size[CRYPTO_OUT_OUTPUT] = size;
        assert_int_equal(raw_call(&rc, &a, &slow), PSA_SUCCESS);
        assert_int_equal(a.out_len[CRYPTO_OUT_OUTPUT], ct_len);
        check_decrypts(c, key, aead, ct2, ct_len, "fed slowly");
        if (aead && memcmp(ct, ct2, ct_len) != 0) {
            fail_msg("%s: fed slowly, another ciphertext for the same nonce", c->name);
        }
        free(ct);
        free(ct2);
        psa_destroy_key(key);
    }
    raw_close(&rc);
}

static void test_stream_ciphers(void **state)
{
    (void)state;
    encrypt_cases(ciphers, sizeof(ciphers) / sizeof(ciphers[0]), false);
}

static void test_stream_aeads(void **state)
{
    (void)state;
    encrypt_cases(aeads, sizeof(aeads) / sizeof(aeads[0]), true);
}

/* Calls that do not read their input as it comes wait for all of it: a streamed decryption (its
 * input is copied) and a streamed hash update (in place, but not streamed by the service). */
static void test_stream_waits_whole(void **state)
{
    (void)state;
    const stream_case_t *c = &aeads[0];
    psa_key_id_t key = make_key(c, PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT);
    size_t size = c->length + 16;
    uint8_t *ct = malloc(size), *pt = malloc(size);
    assert_non_null(ct);
    assert_non_null(pt);
    size_t ct_len = 0;
    assert_int_equal(psa_aead_encrypt(key, c->alg, nonce12, 12, ad, sizeof(ad), message, c->length,
                                      ct, size, &ct_len),
                     PSA_SUCCESS);
    raw_client_t rc;
    raw_open(&rc, rssd.socket);
    crypto_args_t a = {.function_id = CRYPTO_FID_AEAD_DECRYPT, .key = key, .alg = c->alg};
    a.in[CRYPTO_IN_INPUT] = ct;
    a.in_len[CRYPTO_IN_INPUT] = ct_len;
    a.in[CRYPTO_IN_NONCE] = nonce12;
    a.in_len[CRYPTO_IN_NONCE] = 12;
    a.in[CRYPTO_IN_AD] = ad;
    a.in_len[CRYPTO_IN_AD] = sizeof(ad);
    a.out[CRYPTO_OUT_OUTPUT] = pt;
    a.out_size[CRYPTO_OUT_OUTPUT] = size;
    assert_int_equal(raw_call(&rc, &a, &slow), PSA_SUCCESS);
    assert_int_equal(a.out_len[CRYPTO_OUT_OUTPUT], c->length);
    assert_memory_equal(pt, message, c->length);

    /* A hash operation fed one streamed update, finished through libpsa's own connection. */
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_SUCCESS);
    crypto_args_t u = {.function_id = CRYPTO_FID_HASH_UPDATE, .handle = op.handle};
    u.in[CRYPTO_IN_INPUT] = message;
    u.in_len[CRYPTO_IN_INPUT] = BIG;
    assert_int_equal(raw_call(&rc, &u, &slow), PSA_SUCCESS);
    uint8_t got[32], want[32];
    size_t n = 0;
    assert_int_equal(psa_hash_finish(&op, got, sizeof(got), &n), PSA_SUCCESS);
    assert_int_equal(psa_hash_compute(PSA_ALG_SHA_256, message, BIG, want, sizeof(want), &n),
                     PSA_SUCCESS);
    assert_memory_equal(got, want, sizeof(want));
    raw_close(&rc);
    free(ct);
    free(pt);
    psa_destroy_key(key);
}

/* Stream words that name vectors the call does not have mean nothing streams: the call runs on
 * what the memory holds (here: the whole input, written before the request). */
static void test_stream_words_out_of_range(void **state)
{
    (void)state;
    raw_client_t rc;
    raw_open(&rc, rssd.socket);
    uint8_t got[32], want[32];
    size_t n = 0;
    assert_int_equal(psa_hash_compute(PSA_ALG_SHA_256, message, BIG, want, sizeof(want), &n),
                     PSA_SUCCESS);
    crypto_args_t a = {.function_id = CRYPTO_FID_HASH_COMPUTE, .alg = PSA_ALG_SHA_256};
    a.in[CRYPTO_IN_INPUT] = message;
    a.in_len[CRYPTO_IN_INPUT] = BIG;
    a.out[CRYPTO_OUT_OUTPUT] = got;
    a.out_size[CRYPTO_OUT_OUTPUT] = sizeof(got);
    /* Written before the request, announced as vector 5 (this call has two inputs), and
     * in_ready never moves. */
    feed_plan_t plan = {.piece = BIG, .stop_at = 0, .vecs = 0xff05u, .before = true};
    assert_int_equal(raw_call(&rc, &a, &plan), PSA_SUCCESS);
    assert_memory_equal(got, want, sizeof(want));
    raw_close(&rc);
}

/* A client that stops feeding: its call fails with COMMUNICATION_FAILURE once rssd has waited
 * --stream-stall-ms for more, rssd serves on, and so does that client's connection. */
typedef struct flipper {
    raw_client_t *c;
    size_t input_at, input_len; /* where the streamed input lies in the shared memory */
    atomic_bool stop;
} flipper_t;

/* Rewrites the stream words, in_ready included, and bytes of the streamed input. */
static void *flip(void *arg)
{
    flipper_t *f = arg;
    uint32_t x = 0x2545f491u;
    while (!atomic_load(&f->stop)) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        if (x % 4 == 0) {
            rss_shm_at(&f->c->shm, f->input_at)[(x >> 8) % f->input_len] = (uint8_t)x;
        } else {
            static const size_t words[] = {RSS_CHANNEL_OFF_STREAM_SEQ, RSS_CHANNEL_OFF_STREAM_VECS,
                                           RSS_CHANNEL_OFF_IN_READY, RSS_CHANNEL_OFF_IN_READY,
                                           RSS_CHANNEL_OFF_OUT_DONE};
            size_t w = words[(x >> 4) % 5];
            uint32_t v = w == RSS_CHANNEL_OFF_STREAM_VECS ? (x >> 9) & 0x0303u : x >> 3;
            atomic_store(rss_channel_word(&f->c->ch, w), v);
        }
    }
    return NULL;
}

/* Streamed hashes through libpsa, checked, in a child (its own connection). */
static pid_t honest_streamer(int n, const uint8_t want[32])
{
    pid_t pid = fork();
    if (pid != 0) {
        return pid;
    }
    for (int i = 0; i < n; i++) {
        uint8_t got[32];
        size_t len = 0;
        if (psa_hash_compute(PSA_ALG_SHA_256, message, BIG, got, sizeof(got), &len) !=
                PSA_SUCCESS ||
            len != 32 || memcmp(got, want, 32) != 0) {
            _exit(1);
        }
    }
    _exit(0);
}

/* A client that rewrites its stream words and input during its streamed calls gets some answer
 * to each, and another client's streamed hashes stay right. */
static void test_stream_hostile(void **state)
{
    (void)state;
    uint8_t want[32];
    size_t n = 0;
    assert_int_equal(psa_hash_compute(PSA_ALG_SHA_256, message, BIG, want, sizeof(want), &n),
                     PSA_SUCCESS);
    raw_client_t rc;
    raw_open(&rc, rssd.socket);
    /* raw_call lays out the header vector first (56 bytes, one 64-byte slot), then the input. */
    flipper_t f = {.c = &rc, .input_at = 64, .input_len = BIG};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, flip, &f), 0);
    pid_t honest = honest_streamer(200, want);
    int status = 0;
    pid_t done = 0;
    for (int i = 0; i < 2000 && done == 0; i++) {
        uint8_t got[32];
        crypto_args_t a = {.function_id = i % 2 ? CRYPTO_FID_HASH_COMPUTE : CRYPTO_FID_MAC_COMPUTE,
                           .alg = PSA_ALG_SHA_256};
        a.in[CRYPTO_IN_INPUT] = message;
        a.in_len[CRYPTO_IN_INPUT] = BIG;
        a.out[CRYPTO_OUT_OUTPUT] = got;
        a.out_size[CRYPTO_OUT_OUTPUT] = sizeof(got);
        feed_plan_t plan = {.piece = 65536, .stop_at = SIZE_MAX};
        psa_status_t s = raw_call(&rc, &a, &plan);
        assert_true(s == PSA_SUCCESS || s < 0);
        done = waitpid(honest, &status, WNOHANG);
    }
    if (done == 0) {
        done = waitpid(honest, &status, 0);
    }
    atomic_store(&f.stop, true);
    pthread_join(thread, NULL);
    assert_int_equal(done, honest);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    raw_close(&rc);
}

static rssd_instance_t other;

/* A second rssd, which waits --stream-stall-ms for a stalled stream; stopped even when the test
 * fails. */
static int other_start(void **state)
{
    (void)state;
    const char *args[] = {"--stream-stall-ms", STALL_MS, NULL};
    char *saved = strdup(getenv("RSS_SOCKET"));
    bool ok = saved != NULL && rssd_start(&other, NULL, args);
    if (saved != NULL) {
        setenv("RSS_SOCKET", saved, 1);
    }
    free(saved);
    return ok ? 0 : -1;
}

static int other_stop(void **state)
{
    (void)state;
    int rc = rssd_stop(&other);
    rssd_cleanup(&other);
    return rc == 0 ? 0 : -1;
}

static void test_stream_stall(void **state)
{
    (void)state;
    raw_client_t rc;
    raw_open(&rc, other.socket);
    uint8_t got[32], want[32];
    size_t n = 0;
    assert_int_equal(psa_hash_compute(PSA_ALG_SHA_256, message, BIG, want, sizeof(want), &n),
                     PSA_SUCCESS);
    static const size_t stops[] = {0, 4096, BIG - 1};
    for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
        crypto_args_t a = {.function_id = CRYPTO_FID_HASH_COMPUTE, .alg = PSA_ALG_SHA_256};
        a.in[CRYPTO_IN_INPUT] = message;
        a.in_len[CRYPTO_IN_INPUT] = BIG;
        a.out[CRYPTO_OUT_OUTPUT] = got;
        a.out_size[CRYPTO_OUT_OUTPUT] = sizeof(got);
        feed_plan_t plan = {.piece = 4096, .delay_us = 0, .stop_at = stops[i]};
        assert_int_equal(raw_call(&rc, &a, &plan), PSA_ERROR_COMMUNICATION_FAILURE);
        assert_int_equal(a.out_len[CRYPTO_OUT_OUTPUT], 0);
    }
    /* The same connection, fed in full. */
    crypto_args_t a = {.function_id = CRYPTO_FID_HASH_COMPUTE, .alg = PSA_ALG_SHA_256};
    a.in[CRYPTO_IN_INPUT] = message;
    a.in_len[CRYPTO_IN_INPUT] = BIG;
    a.out[CRYPTO_OUT_OUTPUT] = got;
    a.out_size[CRYPTO_OUT_OUTPUT] = sizeof(got);
    assert_int_equal(raw_call(&rc, &a, &slow), PSA_SUCCESS);
    assert_memory_equal(got, want, sizeof(want));
    raw_close(&rc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_hashes),
        cmocka_unit_test(test_stream_macs),
        cmocka_unit_test(test_stream_ciphers),
        cmocka_unit_test(test_stream_aeads),
        cmocka_unit_test(test_stream_waits_whole),
        cmocka_unit_test(test_stream_words_out_of_range),
        cmocka_unit_test(test_stream_hostile),
        cmocka_unit_test_setup_teardown(test_stream_stall, other_start, other_stop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
