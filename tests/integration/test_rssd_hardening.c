/* rssd hardening regressions: shared-memory races, overlapping vectors, fd exhaustion, long calls. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <psa/client.h>
#include <psa/crypto.h>

#include "client/client_call.h"
#include "comms/crypto_calls.h"
#include "comms/rss_msg.h"
#include "comms/transport.h"
#include "rssd_harness.h"

#define SHM_SIZE (2u << 20)

static rssd_instance_t rssd;

/* ---- a raw pointer-access connection, as a hostile client drives it ----------------------- */

typedef struct raw_conn {
    rss_transport_t t;
    rss_shm_t shm;
    uint8_t seq;
} raw_conn_t;

static void raw_open(raw_conn_t *c)
{
    memset(c, 0, sizeof(*c));
    assert_int_equal(rss_unix_connect(rssd.socket, &c->t), PSA_SUCCESS);
    assert_int_equal(rss_shm_create(SHM_SIZE, &c->shm), PSA_SUCCESS);
    uint8_t buf[64];
    rss_ctrl_msg_t ctrl = {.header = {RSS_CTRL_SHM_SETUP, 1, 1}, .shm_size = SHM_SIZE};
    size_t n = rss_msg_encode_ctrl(&ctrl, buf, sizeof(buf));
    assert_int_equal(rss_transport_send(&c->t, buf, n, c->shm.fd), PSA_SUCCESS);
    assert_int_equal(rss_transport_recv(&c->t, buf, sizeof(buf), &n), PSA_SUCCESS);
    rss_msg_header_t header;
    psa_status_t status = PSA_ERROR_GENERIC_ERROR;
    assert_int_equal(rss_msg_decode_ctrl_reply(buf, n, &header, &status), PSA_SUCCESS);
    assert_int_equal(status, PSA_SUCCESS);
}

static void raw_close(raw_conn_t *c)
{
    rss_transport_close(&c->t);
    rss_shm_destroy(&c->shm);
}

/* Sends `call` (addresses are offsets into the shared memory) and returns the reply. */
static psa_status_t raw_call(raw_conn_t *c, rss_msg_call_t *call, rss_msg_reply_t *rep)
{
    uint8_t buf[128];
    size_t n = 0;
    call->header = (rss_msg_header_t){RSS_PROTOCOL_POINTER_ACCESS, ++c->seq, 1};
    assert_int_equal(rss_msg_encode_call(call, buf, sizeof(buf), &n), PSA_SUCCESS);
    assert_int_equal(rss_transport_send(&c->t, buf, n, -1), PSA_SUCCESS);
    assert_int_equal(rss_transport_recv(&c->t, buf, sizeof(buf), &n), PSA_SUCCESS);
    assert_int_equal(rss_msg_decode_reply(buf, n, rep), PSA_SUCCESS);
    return rep->status;
}

/* A thread that flips one bit of the shared memory as fast as it can. */
typedef struct flipper {
    volatile uint8_t *byte;
    atomic_bool stop;
    pthread_t thread;
} flipper_t;

static void *flip_main(void *arg)
{
    flipper_t *f = arg;
    while (!atomic_load_explicit(&f->stop, memory_order_relaxed)) {
        *f->byte ^= 1;
    }
    return NULL;
}

static void flip_start(flipper_t *f, uint8_t *byte)
{
    f->byte = byte;
    atomic_store(&f->stop, false);
    assert_int_equal(pthread_create(&f->thread, NULL, flip_main, f), 0);
}

static void flip_stop(flipper_t *f)
{
    atomic_store(&f->stop, true);
    pthread_join(f->thread, NULL);
}

static psa_key_id_t import(psa_key_type_t type, size_t bits, psa_key_usage_t usage,
                           psa_algorithm_t alg, const uint8_t *data, size_t len)
{
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, type);
    psa_set_key_bits(&a, bits);
    psa_set_key_usage_flags(&a, usage);
    psa_set_key_algorithm(&a, alg);
    psa_key_id_t key = 0;
    assert_int_equal(psa_import_key(&a, data, len, &key), PSA_SUCCESS);
    return key;
}

/*
 * Signs `msg` (len bytes at shm offset 64) 200 times while another thread flips its last bit;
 * every signature must verify over one of the two messages, and the nonce part (ECDSA's r,
 * EdDSA's R: the first 32 bytes) must never be shared by signatures over different messages, as
 * it would be if the service derived the nonce from one value and signed another.
 */
static void race_signatures(psa_key_id_t key, psa_algorithm_t alg, uint16_t fid, size_t msg_len)
{
    raw_conn_t c;
    raw_open(&c);
    uint8_t *shm = c.shm.base;
    crypto_iovec_t iov = {.function_id = fid, .key_id = key, .alg = alg};
    crypto_iovec_encode(&iov, shm);
    uint8_t m[2][64];
    memset(m[0], 0x5a, msg_len);
    memcpy(m[1], m[0], msg_len);
    m[1][msg_len - 1] ^= 1;
    memcpy(shm + 64, m[0], msg_len);

    flipper_t f;
    flip_start(&f, shm + 64 + msg_len - 1);
    uint8_t first_r[2][32];
    bool have[2] = {false, false};
    int count[2] = {0, 0};
    for (int i = 0; i < 200; i++) {
        rss_msg_call_t call = {.handle = 0x40000100, .type = PSA_IPC_CALL, .in_len = 2,
                               .out_len = 1, .in_size = {56, (uint32_t)msg_len},
                               .in_addr = {0, 64}, .out_size = {64}, .out_addr = {256}};
        rss_msg_reply_t rep;
        assert_int_equal(raw_call(&c, &call, &rep), PSA_SUCCESS);
        assert_int_equal(rep.out_size[0], 64);
        uint8_t sig[64];
        memcpy(sig, shm + 256, 64);
        int which = -1;
        for (int w = 0; w < 2 && which < 0; w++) {
            psa_status_t s = fid == CRYPTO_FID_SIGN_HASH
                                 ? psa_verify_hash(key, alg, m[w], msg_len, sig, 64)
                                 : psa_verify_message(key, alg, m[w], msg_len, sig, 64);
            if (s == PSA_SUCCESS) {
                which = w;
            }
        }
        assert_true(which >= 0); /* a signature over neither message: the input changed */
        count[which]++;
        if (!have[which]) {
            memcpy(first_r[which], sig, 32);
            have[which] = true;
        } else {
            assert_memory_equal(first_r[which], sig, 32); /* deterministic */
        }
        if (have[!which]) {
            assert_memory_not_equal(first_r[!which], sig, 32);
        }
    }
    flip_stop(&f);
    raw_close(&c);
    /* Not a vacuous pass: the flipper raced most runs (only a note; scheduling decides). */
    if (count[0] == 0 || count[1] == 0) {
        print_message("note: all 200 signatures over one message (%d/%d)\n", count[0], count[1]);
    }
}

static void test_ecdsa_race(void **state)
{
    (void)state;
    uint8_t d[32];
    for (int i = 0; i < 32; i++) {
        d[i] = (uint8_t)(i + 1);
    }
    psa_algorithm_t alg = PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_256);
    psa_key_id_t key = import(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 256,
                              PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH, alg, d, 32);
    race_signatures(key, alg, CRYPTO_FID_SIGN_HASH, 32);
    psa_destroy_key(key);
}

static void test_eddsa_race(void **state)
{
    (void)state;
    uint8_t d[32];
    for (int i = 0; i < 32; i++) {
        d[i] = (uint8_t)(0x40 + i);
    }
    psa_key_id_t key =
        import(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_TWISTED_EDWARDS), 255,
               PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_MESSAGE, PSA_ALG_PURE_EDDSA, d,
               32);
    race_signatures(key, PSA_ALG_PURE_EDDSA, CRYPTO_FID_SIGN_MESSAGE, 64);
    psa_destroy_key(key);
}

/* A watcher of the output region of a failing decryption: any change during the call is
 * unverified plaintext leaking to the client. */
typedef struct watcher {
    const volatile uint8_t *region;
    size_t len;
    atomic_bool stop;
    atomic_bool changed;
    pthread_t thread;
} watcher_t;

static void *watch_main(void *arg)
{
    watcher_t *w = arg;
    while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
        for (size_t i = 0; i < w->len; i += 509) {
            if (w->region[i] != 0xa5) {
                atomic_store(&w->changed, true);
            }
        }
    }
    return NULL;
}

static void test_failed_aead_decrypt_releases_nothing(void **state)
{
    (void)state;
    static const uint8_t k[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    psa_key_id_t key = import(PSA_KEY_TYPE_AES, 128, PSA_KEY_USAGE_DECRYPT, PSA_ALG_GCM, k, 16);
    raw_conn_t c;
    raw_open(&c);
    uint8_t *shm = c.shm.base;
    const uint32_t ct_len = 256 * 1024 + 16, out_off = 512 * 1024;
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_AEAD_DECRYPT, .key_id = key,
                          .alg = PSA_ALG_GCM, .nonce_length = 12};
    crypto_iovec_encode(&iov, shm);
    memset(shm + 64, 0x33, ct_len); /* ciphertext and a tag that does not verify */
    memset(shm + out_off, 0xa5, ct_len);
    watcher_t w = {.region = shm + out_off, .len = ct_len - 16};
    assert_int_equal(pthread_create(&w.thread, NULL, watch_main, &w), 0);
    for (int i = 0; i < 20; i++) {
        rss_msg_call_t call = {.handle = 0x40000100, .type = PSA_IPC_CALL, .in_len = 3,
                               .out_len = 1, .in_size = {56, ct_len, 0},
                               .in_addr = {0, 64, 0}, .out_size = {ct_len - 16},
                               .out_addr = {out_off}};
        rss_msg_reply_t rep;
        assert_int_equal(raw_call(&c, &call, &rep), PSA_ERROR_INVALID_SIGNATURE);
        assert_int_equal(rep.out_size[0], 0);
    }
    atomic_store(&w.stop, true);
    pthread_join(w.thread, NULL);
    assert_false(atomic_load(&w.changed));
    for (size_t i = 0; i < ct_len - 16; i++) {
        if (shm[out_off + i] != 0xa5) {
            fail_msg("output byte %zu changed by a failed decryption", i);
        }
    }
    raw_close(&c);
    psa_destroy_key(key);
}

/* Bulk in-place calls still work and write their output where asked. */
static void test_in_place_encrypt(void **state)
{
    (void)state;
    static const uint8_t k[16] = {0};
    psa_key_id_t key = import(PSA_KEY_TYPE_AES, 128, PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT,
                              PSA_ALG_GCM, k, 16);
    raw_conn_t c;
    raw_open(&c);
    uint8_t *shm = c.shm.base;
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_AEAD_ENCRYPT, .key_id = key,
                          .alg = PSA_ALG_GCM, .nonce_length = 12};
    crypto_iovec_encode(&iov, shm);
    memset(shm + 64, 0, 16);
    rss_msg_call_t call = {.handle = 0x40000100, .type = PSA_IPC_CALL, .in_len = 2,
                           .out_len = 1, .in_size = {56, 16}, .in_addr = {0, 64},
                           .out_size = {32}, .out_addr = {128}};
    rss_msg_reply_t rep;
    assert_int_equal(raw_call(&c, &call, &rep), PSA_SUCCESS);
    assert_int_equal(rep.out_size[0], 32);
    /* AES-128-GCM, zero key, zero 96-bit IV, one zero block (the GCM spec's test case 2). */
    static const uint8_t expect[32] = {
        0x03, 0x88, 0xda, 0xce, 0x60, 0xb6, 0xa3, 0x92, 0xf3, 0x28, 0xc2, 0xb9, 0x71, 0xb2, 0xfe,
        0x78, 0xab, 0x6e, 0x47, 0xd4, 0x2c, 0xec, 0x13, 0xbd, 0xf5, 0x3a, 0x67, 0xb2, 0x12, 0x57,
        0xbd, 0xdf};
    assert_memory_equal(shm + 128, expect, 32);
    raw_close(&c);
    psa_destroy_key(key);
}

/* Overlapping input vectors are the SPM's PROGRAMMER_ERROR (sheet §2.3), as are outputs
 * overlapping inputs or each other; adjacent vectors are fine. */
static void test_overlapping_vectors(void **state)
{
    (void)state;
    raw_conn_t c;
    raw_open(&c);
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_HASH_COMPARE, .alg = PSA_ALG_SHA_256};
    crypto_iovec_encode(&iov, c.shm.base);
    rss_msg_reply_t rep;
    rss_msg_call_t call = {.handle = 0x40000100, .type = PSA_IPC_CALL, .in_len = 3,
                           .in_size = {56, 8, 32}, .in_addr = {0, 100, 104}};
    assert_int_equal(raw_call(&c, &call, &rep), PSA_ERROR_PROGRAMMER_ERROR);
    call.in_addr[1] = 10; /* inside the header */
    assert_int_equal(raw_call(&c, &call, &rep), PSA_ERROR_PROGRAMMER_ERROR);
    call.in_addr[1] = 56;
    call.in_addr[2] = 64; /* adjacent: a real call (the digest differs: INVALID_SIGNATURE) */
    assert_int_equal(raw_call(&c, &call, &rep), PSA_ERROR_INVALID_SIGNATURE);
    rss_msg_call_t out_call = {.handle = 0x40000100, .type = PSA_IPC_CALL, .in_len = 2,
                               .out_len = 1, .in_size = {56, 8}, .in_addr = {0, 56},
                               .out_size = {32}, .out_addr = {60}};
    iov.function_id = CRYPTO_FID_HASH_COMPUTE;
    crypto_iovec_encode(&iov, c.shm.base);
    assert_int_equal(raw_call(&c, &out_call, &rep), PSA_ERROR_PROGRAMMER_ERROR);
    out_call.out_addr[0] = 64;
    assert_int_equal(raw_call(&c, &out_call, &rep), PSA_SUCCESS);
    assert_int_equal(rep.out_size[0], 32);
    raw_close(&c);
}

/* ---- further daemons with their own options ---------------------------------------------- */

/* Starts a second rssd for one test; the test's libpsa connections move to it (RSS_SOCKET). */
static void other_start(rssd_instance_t *r, const char *const *args)
{
    client_disconnect_all();
    assert_true(rssd_start(r, NULL, args));
}

/* Stops it and points libpsa back at the main daemon. */
static int other_stop(rssd_instance_t *r)
{
    client_disconnect_all();
    int status = rssd_stop(r);
    rssd_cleanup(r);
    setenv("RSS_SOCKET", rssd.socket, 1);
    return status;
}

static int raw_connect_path(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memcpy(addr.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

/* One embed ITS get_info on `fd`: true when DOES_NOT_EXIST comes back within 5 s. */
static bool embed_probe(int fd)
{
    uint8_t uid_le[8] = {0x5e, 0xed}, buf[64];
    rss_msg_call_t call = {.header = {0, 9, 1}, .handle = 0x40000102, .type = 1003,
                           .in_len = 1, .out_len = 1, .in_size = {8}, .out_size = {12},
                           .in_data = {uid_le}};
    size_t n = 0;
    if (rss_msg_encode_call(&call, buf, sizeof(buf), &n) != PSA_SUCCESS ||
        !rss_unix_send_packet(fd, buf, n, -1)) {
        return false;
    }
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ssize_t got = recv(fd, buf, sizeof(buf), 0);
    return got == 16 && buf[4] == 0x74; /* DOES_NOT_EXIST */
}

/* User plus system CPU time of a process, in clock ticks. */
static long cpu_ticks(pid_t pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *p = strrchr(text, ')'); /* fields after the command name */
    assert_non_null(p);
    long utime = 0, stime = 0;
    /* ") S ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime" */
    assert_int_equal(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime,
                            &stime),
                     2);
    return utime + stime;
}

/* With its descriptors exhausted, rssd sheds new connections instead of spinning on the
 * readable listening socket, and serves again once they are gone. */
static void test_descriptor_exhaustion(void **state)
{
    (void)state;
    rssd_instance_t r;
    static const char *const args[] = {"--workers", "2", NULL};
    other_start(&r, args);
    struct rlimit lim = {48, 48};
    assert_int_equal(prlimit(r.pid, RLIMIT_NOFILE, &lim, NULL), 0);
    enum { N = 120 };
    int fds[N];
    for (int i = 0; i < N; i++) {
        fds[i] = raw_connect_path(r.socket); /* may fail once the backlog is full */
    }
    struct timespec settle = {0, 300 * 1000 * 1000}, second = {1, 0};
    nanosleep(&settle, NULL);
    long before = cpu_ticks(r.pid);
    nanosleep(&second, NULL);
    long used = cpu_ticks(r.pid) - before;
    long hz = sysconf(_SC_CLK_TCK);
    print_message("rssd CPU over 1 s with descriptors exhausted: %ld/%ld ticks\n", used, hz);
    assert_true(used * 5 < hz); /* under 20% of a core (it was 100%) */
    for (int i = 0; i < N; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
    nanosleep(&settle, NULL);
    int fd = raw_connect_path(r.socket);
    assert_true(fd >= 0);
    assert_true(embed_probe(fd));
    close(fd);
    assert_int_equal(other_stop(&r), 0);
}

/* The per-uid connection cap: the connection beyond it is closed, the others keep working. */
static void test_connections_per_uid(void **state)
{
    (void)state;
    rssd_instance_t r;
    static const char *const args[] = {"--max-connections-per-uid", "4", NULL};
    other_start(&r, args);
    int fds[5];
    for (int i = 0; i < 4; i++) {
        fds[i] = raw_connect_path(r.socket);
        assert_true(fds[i] >= 0);
        assert_true(embed_probe(fds[i]));
    }
    fds[4] = raw_connect_path(r.socket);
    assert_true(fds[4] >= 0);
    assert_false(embed_probe(fds[4])); /* closed by rssd */
    close(fds[4]);
    assert_true(embed_probe(fds[0]));
    close(fds[0]);
    struct timespec settle = {0, 100 * 1000 * 1000};
    nanosleep(&settle, NULL);
    fds[0] = raw_connect_path(r.socket); /* a place is free again */
    assert_true(embed_probe(fds[0]));
    for (int i = 0; i < 4; i++) {
        close(fds[i]);
    }
    assert_int_equal(other_stop(&r), 0);
}

/* A call that runs (nearly) forever does not hold SIGTERM hostage: rssd exits after its grace
 * period. */
static void test_shutdown_with_endless_call(void **state)
{
    (void)state;
    rssd_instance_t r;
    static const char *const args[] = {"--shutdown-grace", "1", "--max-kdf-iterations",
                                       "4294967295", NULL};
    other_start(&r, args);
    pid_t child = fork();
    if (child == 0) {
        client_disconnect_all();
        psa_crypto_init();
        psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
        psa_key_derivation_setup(&op, PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_256));
        psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 0xffffffffu);
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                       (const uint8_t *)"s", 1);
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_PASSWORD,
                                       (const uint8_t *)"p", 1);
        uint8_t out[32];
        psa_key_derivation_output_bytes(&op, out, sizeof(out)); /* returns when rssd is gone */
        _exit(0);
    }
    struct timespec busy = {0, 500 * 1000 * 1000};
    nanosleep(&busy, NULL);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(other_stop(&r), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("rssd stopped %.2f s after SIGTERM with a call still running\n", s);
    assert_true(s < 5.0);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
}

/* The PBKDF2 iteration count is capped (--max-kdf-iterations): above it NOT_SUPPORTED, at it
 * accepted, and the operation still works for a client that stays under the cap. */
static void test_kdf_iteration_cap(void **state)
{
    (void)state;
    rssd_instance_t r;
    static const char *const args[] = {"--max-kdf-iterations", "1000", NULL};
    other_start(&r, args);
    pid_t child = fork();
    if (child == 0) {
        client_disconnect_all();
        int ok = psa_crypto_init() == PSA_SUCCESS;
        psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
        ok = ok && psa_key_derivation_setup(&op, PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_256)) ==
                       PSA_SUCCESS;
        ok = ok && psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 1001) ==
                       PSA_ERROR_NOT_SUPPORTED;
        psa_key_derivation_abort(&op);
        ok = ok && psa_key_derivation_setup(&op, PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_256)) ==
                       PSA_SUCCESS;
        ok = ok && psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 1000) ==
                       PSA_SUCCESS;
        ok = ok && psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                  (const uint8_t *)"s", 1) == PSA_SUCCESS;
        ok = ok && psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_PASSWORD,
                                                  (const uint8_t *)"p", 1) == PSA_SUCCESS;
        uint8_t out[32];
        ok = ok && psa_key_derivation_output_bytes(&op, out, sizeof(out)) == PSA_SUCCESS;
        psa_key_derivation_abort(&op);
        _exit(ok ? 0 : 1);
    }
    int wstatus = 0;
    assert_int_equal(waitpid(child, &wstatus, 0), child);
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(WEXITSTATUS(wstatus), 0);
    assert_int_equal(other_stop(&r), 0);
}

/* Child: opens hash operations and volatile keys until refused; exits with
 * 10 * (ops >= expect_ops) + (keys >= expect_keys) style code via a pipe. */
static void count_limits(int wfd, int hold_fd)
{
    client_disconnect_all();
    if (psa_crypto_init() != PSA_SUCCESS) {
        _exit(1);
    }
    static psa_hash_operation_t ops[64];
    int n_ops = 0, n_keys = 0;
    psa_status_t last_op = PSA_SUCCESS, last_key = PSA_SUCCESS;
    for (; n_ops < 64; n_ops++) {
        ops[n_ops] = psa_hash_operation_init();
        last_op = psa_hash_setup(&ops[n_ops], PSA_ALG_SHA_256);
        if (last_op != PSA_SUCCESS) {
            break;
        }
    }
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, PSA_KEY_TYPE_HMAC);
    psa_set_key_bits(&a, 128);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_MESSAGE);
    psa_set_key_algorithm(&a, PSA_ALG_HMAC(PSA_ALG_SHA_256));
    for (; n_keys < 64; n_keys++) {
        psa_key_id_t k;
        last_key = psa_generate_key(&a, &k);
        if (last_key != PSA_SUCCESS) {
            break;
        }
    }
    int result[4] = {n_ops, (int)last_op, n_keys, (int)last_key};
    if (write(wfd, result, sizeof(result)) != sizeof(result)) {
        _exit(2);
    }
    char c;
    if (hold_fd >= 0 && read(hold_fd, &c, 1) < 0) { /* hold everything until told to go */
        _exit(3);
    }
    _exit(0);
}

/* Release ends held by the parent: a later child must not keep an earlier one waiting. */
static int held_release[8];
static int held_count;

static pid_t spawn_counter(int result[4], int *release_fd)
{
    int res[2], hold[2];
    assert_int_equal(pipe(res), 0);
    assert_int_equal(pipe(hold), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(res[0]);
        close(hold[1]);
        for (int i = 0; i < held_count; i++) {
            close(held_release[i]);
        }
        count_limits(res[1], hold[0]);
    }
    close(res[1]);
    close(hold[0]);
    held_release[held_count++] = hold[1];
    assert_int_equal(read(res[0], result, 4 * sizeof(int)), 4 * sizeof(int));
    close(res[0]);
    *release_fd = hold[1];
    return pid;
}

/* Per-client totals across the processes of one uid, beside the per-process ones. */
static void test_per_client_limits(void **state)
{
    (void)state;
    rssd_instance_t r;
    static const char *const args[] = {"--max-operations", "5", "--max-operations-per-client", "8",
                                       "--max-volatile-keys", "6",
                                       "--max-volatile-keys-per-client", "10", NULL};
    other_start(&r, args);
    int a[4], b[4], c[4], release_a, release_b, release_c;
    pid_t pa = spawn_counter(a, &release_a);
    assert_int_equal(a[0], 5); /* the session's operations */
    assert_int_equal(a[1], PSA_ERROR_INSUFFICIENT_MEMORY);
    assert_int_equal(a[2], 6); /* the session's keys */
    assert_int_equal(a[3], PSA_ERROR_INSUFFICIENT_MEMORY);
    pid_t pb = spawn_counter(b, &release_b);
    assert_int_equal(b[0], 3); /* what the client has left */
    assert_int_equal(b[1], PSA_ERROR_INSUFFICIENT_MEMORY);
    assert_int_equal(b[2], 4);
    assert_int_equal(b[3], PSA_ERROR_INSUFFICIENT_MEMORY);
    close(release_a); /* a exits: its share comes back */
    waitpid(pa, NULL, 0);
    struct timespec settle = {0, 200 * 1000 * 1000};
    nanosleep(&settle, NULL);
    pid_t pc = spawn_counter(c, &release_c);
    assert_int_equal(c[0], 5);
    assert_int_equal(c[2], 6);
    close(release_b);
    close(release_c);
    waitpid(pb, NULL, 0);
    waitpid(pc, NULL, 0);
    held_count = 0;
    assert_int_equal(other_stop(&r), 0);
}

/* ---- long calls do not stall other connections ------------------------------------------- */

/* PBKDF2-HMAC-SHA-256 iterations of a "long" call: several seconds of one core. */
#define LONG_KDF_COST 24000000u

/* Child: one PBKDF2 call of `cost` iterations, as its own client (uid) when uid != 0. */
static pid_t spawn_long_kdf(uid_t uid, uint32_t cost)
{
    pid_t pid = fork();
    if (pid != 0) {
        return pid;
    }
    client_disconnect_all();
    if (uid != 0 && (setgid(uid) < 0 || setuid(uid) < 0)) {
        _exit(100);
    }
    int ok = psa_crypto_init() == PSA_SUCCESS;
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    ok = ok && psa_key_derivation_setup(&op, PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_256)) == PSA_SUCCESS;
    ok = ok && psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, cost) ==
                   PSA_SUCCESS;
    ok = ok && psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                              (const uint8_t *)"salt", 4) == PSA_SUCCESS;
    ok = ok && psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_PASSWORD,
                                              (const uint8_t *)"password", 8) == PSA_SUCCESS;
    uint8_t out[32];
    ok = ok && psa_key_derivation_output_bytes(&op, out, sizeof(out)) == PSA_SUCCESS;
    psa_key_derivation_abort(&op);
    _exit(ok ? 0 : 1);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static bool still_running(pid_t pid)
{
    return waitpid(pid, NULL, WNOHANG) == 0;
}

static int exit_code(pid_t pid)
{
    int wstatus = 0;
    if (waitpid(pid, &wstatus, 0) != pid) {
        return -1;
    }
    return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 200;
}

/*
 * Two workers; one client (two processes of one uid) starts two PBKDF2 calls of seconds each.
 * A third client, connected before they started (so its connection may sit on a worker that
 * then runs one of them), gets a random number in well under a second: the busy cap (workers -
 * 1 = 1 per client) parks the second long call, and the monitor moves the third client's
 * connection off a worker that is in a long call.
 */
static void test_long_calls_do_not_stall(void **state)
{
    (void)state;
    rssd_instance_t r;
    static const char *const args[] = {"--workers", "2", "--max-kdf-iterations", "4294967295",
                                       NULL};
    other_start(&r, args);
    int ready[2], go[2], result[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    assert_int_equal(pipe(result), 0);
    pid_t quick = fork();
    if (quick == 0) {
        client_disconnect_all();
        if (setgid(60021) < 0 || setuid(60021) < 0) {
            _exit(100);
        }
        uint8_t buf[16];
        double elapsed = -1.0;
        char c = 'r';
        if (psa_crypto_init() != PSA_SUCCESS || psa_generate_random(buf, sizeof(buf)) != 0 ||
            write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1) {
            _exit(1);
        }
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (psa_generate_random(buf, sizeof(buf)) == PSA_SUCCESS) {
            elapsed = seconds_since(&t0);
        }
        _exit(write(result[1], &elapsed, sizeof(elapsed)) == sizeof(elapsed) ? 0 : 2);
    }
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    pid_t a = spawn_long_kdf(0, LONG_KDF_COST);
    pid_t b = spawn_long_kdf(0, LONG_KDF_COST);
    struct timespec settle = {0, 400 * 1000 * 1000}; /* both calls running or parked */
    nanosleep(&settle, NULL);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(write(go[1], "g", 1), 1);
    double elapsed = 0;
    assert_int_equal(read(result[0], &elapsed, sizeof(elapsed)), sizeof(elapsed));
    print_message("psa_generate_random during two long calls: %.3f s\n", elapsed);
    /* The long calls are still running: the quick call did not just wait for them. */
    bool a_running = still_running(a), b_running = still_running(b);
    int quick_rc = exit_code(quick), a_rc = exit_code(a), b_rc = exit_code(b);
    print_message("long calls ended %.1f s after the quick one started\n", seconds_since(&t0));
    for (int i = 0; i < 2; i++) {
        close(ready[i]);
        close(go[i]);
        close(result[i]);
    }
    int stop_rc = other_stop(&r);
    /* Checked once every child and the daemon are gone, so a failure leaves nothing running. */
    assert_int_equal(stop_rc, 0);
    assert_int_equal(quick_rc, 0);
    assert_true(elapsed >= 0.0);
    assert_true(elapsed < 1.0);
    assert_true(a_running);
    assert_true(b_running);
    assert_int_equal(a_rc, 0);
    assert_int_equal(b_rc, 0);
}

/* Child: `rounds` of random, hash, AES-GCM and ECDSA calls, every result checked. */
static void stress_child(uid_t uid, int rounds)
{
    client_disconnect_all();
    if (uid != 0 && (setgid(uid) < 0 || setuid(uid) < 0)) {
        _exit(100);
    }
    if (psa_crypto_init() != PSA_SUCCESS) {
        _exit(1);
    }
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_bits(&a, 256);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH);
    psa_set_key_algorithm(&a, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    psa_key_id_t ec = 0, aes = 0;
    if (psa_generate_key(&a, &ec) != PSA_SUCCESS) {
        _exit(2);
    }
    psa_key_attributes_t s = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&s, PSA_KEY_TYPE_AES);
    psa_set_key_bits(&s, 128);
    psa_set_key_usage_flags(&s, PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT);
    psa_set_key_algorithm(&s, PSA_ALG_GCM);
    if (psa_generate_key(&s, &aes) != PSA_SUCCESS) {
        _exit(3);
    }
    /* SHA-256("abc"), FIPS 180-2 B.1. */
    static const uint8_t abc_hash[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22,
        0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00,
        0x15, 0xad};
    for (int i = 0; i < rounds; i++) {
        uint8_t rnd[32], hash[32], sig[64], ct[64 + 16], pt[64], nonce[12] = {0};
        size_t n = 0, m = 0;
        nonce[0] = (uint8_t)i;
        if (psa_generate_random(rnd, sizeof(rnd)) != PSA_SUCCESS) {
            _exit(10);
        }
        if (psa_hash_compute(PSA_ALG_SHA_256, (const uint8_t *)"abc", 3, hash, sizeof(hash),
                             &n) != PSA_SUCCESS ||
            n != 32 || memcmp(hash, abc_hash, 32) != 0) {
            _exit(11);
        }
        if (psa_sign_hash(ec, PSA_ALG_ECDSA(PSA_ALG_SHA_256), rnd, 32, sig, sizeof(sig), &n) !=
                PSA_SUCCESS ||
            n != 64 ||
            psa_verify_hash(ec, PSA_ALG_ECDSA(PSA_ALG_SHA_256), rnd, 32, sig, n) != PSA_SUCCESS) {
            _exit(12);
        }
        if (psa_aead_encrypt(aes, PSA_ALG_GCM, nonce, sizeof(nonce), NULL, 0, rnd, 32, ct,
                             sizeof(ct), &n) != PSA_SUCCESS ||
            n != 48 ||
            psa_aead_decrypt(aes, PSA_ALG_GCM, nonce, sizeof(nonce), NULL, 0, ct, n, pt,
                             sizeof(pt), &m) != PSA_SUCCESS ||
            m != 32 || memcmp(pt, rnd, 32) != 0) {
            _exit(13);
        }
    }
    if (psa_destroy_key(ec) != PSA_SUCCESS || psa_destroy_key(aes) != PSA_SUCCESS) {
        _exit(4);
    }
    _exit(0);
}

/* Eight client processes (two client ids' worth of uids and more) run mixed calls while two
 * other clients run long calls on a three-worker daemon, so connections are moved between
 * workers while they are being used: every call succeeds with the right result. */
static void test_stress_with_long_calls(void **state)
{
    (void)state;
    rssd_instance_t r;
    static const char *const args[] = {"--workers", "3", "--max-kdf-iterations", "4294967295",
                                       NULL};
    other_start(&r, args);
    pid_t longs[2] = {spawn_long_kdf(60031, LONG_KDF_COST / 2),
                      spawn_long_kdf(60032, LONG_KDF_COST / 2)};
    struct timespec settle = {0, 200 * 1000 * 1000};
    nanosleep(&settle, NULL);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t kids[8];
    for (int i = 0; i < 8; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            stress_child(i % 2 == 0 ? 0 : (uid_t)(60040 + i), 60);
        }
    }
    for (int i = 0; i < 8; i++) {
        assert_int_equal(exit_code(kids[i]), 0);
    }
    print_message("8 clients finished in %.2f s beside two long calls\n", seconds_since(&t0));
    assert_int_equal(exit_code(longs[0]), 0);
    assert_int_equal(exit_code(longs[1]), 0);
    assert_int_equal(other_stop(&r), 0);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (!rssd_start(&rssd, NULL, NULL)) {
        return 1;
    }
    if (psa_crypto_init() != PSA_SUCCESS) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ecdsa_race),
        cmocka_unit_test(test_eddsa_race),
        cmocka_unit_test(test_failed_aead_decrypt_releases_nothing),
        cmocka_unit_test(test_in_place_encrypt),
        cmocka_unit_test(test_overlapping_vectors),
        cmocka_unit_test(test_descriptor_exhaustion),
        cmocka_unit_test(test_connections_per_uid),
        cmocka_unit_test(test_shutdown_with_endless_call),
        cmocka_unit_test(test_kdf_iteration_cap),
        cmocka_unit_test(test_per_client_limits),
        cmocka_unit_test(test_long_calls_do_not_stall),
        cmocka_unit_test(test_stress_with_long_calls),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    client_disconnect_all();
    int status = rssd_stop(&rssd);
    rssd_cleanup(&rssd);
    if (status != 0) {
        fprintf(stderr, "rssd exited with status %d\n", status);
        return 1;
    }
    return failed;
}
