/* libpsa-ts end to end, beyond the conformance suites (psa-api-test-ts): AEAD nonces longer than
 * RSS comms' header carries, random bytes and storage buffers larger than the TS binding's
 * memory, a se-proxy that restarts under the process, and a forked child with its own session.
 * Runs under with_rssd.sh (a policy naming this uid a forwarder); argv[1] is se-proxy, started
 * here on a private TS runtime directory. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include <psa/crypto.h>
#include <psa/internal_trusted_storage.h>

static const char *se_proxy;
static char dir[] = "/tmp/test-psats-XXXXXX";
static char sock[128];
static pid_t proxy = -1;

static void start_proxy(void)
{
    unlink(sock);
    proxy = fork();
    assert_true(proxy >= 0);
    if (proxy == 0) {
        execl(se_proxy, se_proxy, "--socket", sock, "--foreground", (char *)NULL);
        _exit(127);
    }
    /* No deadline: up when its socket exists, failed when it exits. */
    struct stat st;
    while (stat(sock, &st) != 0) {
        assert_int_equal(waitpid(proxy, NULL, WNOHANG), 0);
        usleep(10000);
    }
}

static void stop_proxy(void)
{
    kill(proxy, SIGTERM);
    assert_int_equal(waitpid(proxy, NULL, 0), proxy);
    proxy = -1;
}

static psa_key_id_t gcm_key(const uint8_t key[16])
{
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, PSA_KEY_TYPE_AES);
    psa_set_key_bits(&a, 128);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT);
    psa_set_key_algorithm(&a, PSA_ALG_GCM);
    psa_key_id_t id = PSA_KEY_ID_NULL;
    assert_int_equal(psa_import_key(&a, key, 16, &id), PSA_SUCCESS);
    return id;
}

/* A 64-byte GCM nonce: the one-shot calls go as multi-part ones; OpenSSL's EVP gives the same
 * ciphertext and tag, and the decryption gives the plaintext back. */
static void test_long_nonce(void **state)
{
    (void)state;
    uint8_t key[16], nonce[64], plain[100], out[116], back[100], expect[116];
    for (size_t i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)i;
    }
    memset(nonce, 0xa5, sizeof(nonce));
    memset(plain, 0x3c, sizeof(plain));
    psa_key_id_t id = gcm_key(key);
    size_t n = 0, m = 0;
    assert_int_equal(psa_aead_encrypt(id, PSA_ALG_GCM, nonce, sizeof(nonce), (const uint8_t *)"ad",
                                      2, plain, sizeof(plain), out, sizeof(out), &n),
                     PSA_SUCCESS);
    assert_int_equal(n, sizeof(out));
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0;
    assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, sizeof(nonce), NULL), 1);
    assert_int_equal(EVP_EncryptInit_ex(c, NULL, NULL, key, nonce), 1);
    assert_int_equal(EVP_EncryptUpdate(c, NULL, &len, (const uint8_t *)"ad", 2), 1);
    assert_int_equal(EVP_EncryptUpdate(c, expect, &len, plain, sizeof(plain)), 1);
    assert_int_equal(EVP_EncryptFinal_ex(c, expect + len, &len), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, expect + 100), 1);
    EVP_CIPHER_CTX_free(c);
    assert_memory_equal(out, expect, sizeof(out));
    assert_int_equal(psa_aead_decrypt(id, PSA_ALG_GCM, nonce, sizeof(nonce), (const uint8_t *)"ad",
                                      2, out, n, back, sizeof(back), &m),
                     PSA_SUCCESS);
    assert_int_equal(m, sizeof(plain));
    assert_memory_equal(back, plain, sizeof(plain));
    assert_int_equal(psa_destroy_key(id), PSA_SUCCESS);
}

/* 3 MiB of random bytes (read in pieces), and a 16-byte ITS object read into a 3 MiB buffer
 * (the request asks for no more than an object can have): both larger than the binding's
 * memory. */
static void test_beyond_the_memory(void **state)
{
    (void)state;
    size_t size = 3u << 20;
    uint8_t *buf = calloc(1, size);
    assert_non_null(buf);
    assert_int_equal(psa_generate_random(buf, size), PSA_SUCCESS);
    size_t zeros = 0;
    for (size_t i = size - 4096; i < size; i++) {
        zeros += buf[i] == 0;
    }
    assert_true(zeros < 256); /* the last piece was written too (4096 bytes, ~16 zero bytes) */
    assert_int_equal(psa_its_set(0x7073617473000001ull, 16, "sixteen bytes...", 0), PSA_SUCCESS);
    size_t got = 0;
    assert_int_equal(psa_its_get(0x7073617473000001ull, 0, size, buf, &got), PSA_SUCCESS);
    assert_int_equal(got, 16);
    assert_memory_equal(buf, "sixteen bytes...", 16);
    assert_int_equal(psa_its_remove(0x7073617473000001ull), PSA_SUCCESS);
    free(buf);
}

/* se-proxy restarts: the next call opens a new session (the old one's volatile keys are gone,
 * as with a restarted rssd); persistent storage is still there. */
static void test_proxy_restart(void **state)
{
    (void)state;
    assert_int_equal(psa_its_set(0x7073617473000002ull, 4, "kept", 0), PSA_SUCCESS);
    uint8_t key[16] = {1};
    psa_key_id_t id = gcm_key(key);
    stop_proxy();
    start_proxy();
    uint8_t r[8];
    psa_status_t first = psa_generate_random(r, sizeof(r)); /* may meet the broken session */
    assert_true(first == PSA_SUCCESS || first == PSA_ERROR_COMMUNICATION_FAILURE);
    assert_int_equal(psa_generate_random(r, sizeof(r)), PSA_SUCCESS);
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    assert_int_equal(psa_get_key_attributes(id, &a), PSA_ERROR_INVALID_HANDLE);
    uint8_t out[4];
    size_t got = 0;
    psa_status_t s = psa_its_get(0x7073617473000002ull, 0, sizeof(out), out, &got);
    if (s == PSA_ERROR_COMMUNICATION_FAILURE) { /* the storage session's first call after */
        s = psa_its_get(0x7073617473000002ull, 0, sizeof(out), out, &got);
    }
    assert_int_equal(s, PSA_SUCCESS);
    assert_memory_equal(out, "kept", 4);
    assert_int_equal(psa_its_remove(0x7073617473000002ull), PSA_SUCCESS);
}

/* A forked child opens its own session: its key is its own, and the parent's calls go on. */
static void test_fork(void **state)
{
    (void)state;
    uint8_t key[16] = {2};
    psa_key_id_t parent_key = gcm_key(key);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
        uint8_t r[16];
        /* The parent's volatile key belongs to the parent's session, not this one. */
        int ok = psa_get_key_attributes(parent_key, &a) == PSA_ERROR_INVALID_HANDLE &&
                 psa_generate_random(r, sizeof(r)) == PSA_SUCCESS;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    assert_int_equal(psa_get_key_attributes(parent_key, &a), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(parent_key), PSA_SUCCESS);
}

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(sock, sizeof(sock), "%s/se-proxy.sock", dir);
    setenv("TS_RUNTIME_DIR", dir, 1);
    start_proxy();
    return psa_crypto_init() == PSA_SUCCESS ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (proxy > 0) {
        stop_proxy();
    }
    unlink(sock);
    rmdir(dir);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_psats SE_PROXY\n");
        return 2;
    }
    se_proxy = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_nonce),
        cmocka_unit_test(test_beyond_the_memory),
        cmocka_unit_test(test_proxy_restart),
        cmocka_unit_test(test_fork),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
