/* Crypto service behaviour through a real rssd: raw psa_call error paths, operation handles
 * across processes, the per-process operation limit and release of a dead process's state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <psa/client.h>
#include <psa/crypto.h>

#define CRYPTO_HANDLE       ((psa_handle_t)0x40000100)
#define FID_HASH_SETUP      0x0302u
#define FID_HASH_UPDATE     0x0303u
#define FID_HASH_FINISH     0x0305u
#define FID_HASH_ABORT      0x0307u
#define FID_GENERATE_RANDOM 0x0100u
#define OP_LIMIT            32 /* rssd's default max_operations_per_session */

static const uint8_t sha256_abc[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};

/* The 56-byte iovec header built by hand (sheet section 3.3): op_handle @8, alg @4, fid @40. */
static void header(uint8_t h[56], uint16_t fid, uint32_t alg, uint32_t op_handle)
{
    memset(h, 0, 56);
    for (int i = 0; i < 4; i++) {
        h[4 + i] = (uint8_t)(alg >> (8 * i));
        h[8 + i] = (uint8_t)(op_handle >> (8 * i));
    }
    h[40] = (uint8_t)fid;
    h[41] = (uint8_t)(fid >> 8);
}

static uint32_t load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static psa_status_t raw_hash_setup(uint32_t *handle)
{
    uint8_t h[56], out[4] = {0};
    header(h, FID_HASH_SETUP, PSA_ALG_SHA_256, 0);
    psa_invec in[1] = {{h, sizeof(h)}};
    psa_outvec o[1] = {{out, sizeof(out)}};
    psa_status_t status = psa_call(CRYPTO_HANDLE, PSA_IPC_CALL, in, 1, o, 1);
    *handle = load_u32(out);
    return status;
}

static psa_status_t raw_hash_update(uint32_t handle, const char *data)
{
    uint8_t h[56];
    header(h, FID_HASH_UPDATE, 0, handle);
    psa_invec in[2] = {{h, sizeof(h)}, {data, strlen(data)}};
    return psa_call(CRYPTO_HANDLE, PSA_IPC_CALL, in, 2, NULL, 0);
}

static psa_status_t raw_hash_finish(uint32_t handle, uint8_t digest[32])
{
    uint8_t h[56], out[4];
    header(h, FID_HASH_FINISH, 0, handle);
    psa_invec in[1] = {{h, sizeof(h)}};
    psa_outvec o[2] = {{out, sizeof(out)}, {digest, 32}};
    return psa_call(CRYPTO_HANDLE, PSA_IPC_CALL, in, 1, o, 2);
}

static psa_status_t raw_hash_abort(uint32_t handle)
{
    uint8_t h[56], out[4];
    header(h, FID_HASH_ABORT, 0, handle);
    psa_invec in[1] = {{h, sizeof(h)}};
    psa_outvec o[1] = {{out, sizeof(out)}};
    return psa_call(CRYPTO_HANDLE, PSA_IPC_CALL, in, 1, o, 1);
}

static void test_malformed_calls(void **state)
{
    (void)state;
    uint8_t h[60];
    uint8_t out[16];
    header(h, FID_GENERATE_RANDOM, 0, 0);
    psa_outvec o[1] = {{out, sizeof(out)}};
    psa_invec short_iov[1] = {{h, 52}}; /* i386's struct size */
    assert_int_equal(psa_call(CRYPTO_HANDLE, PSA_IPC_CALL, short_iov, 1, o, 1),
                     PSA_ERROR_PROGRAMMER_ERROR);
    psa_invec long_iov[1] = {{h, 60}};
    assert_int_equal(psa_call(CRYPTO_HANDLE, PSA_IPC_CALL, long_iov, 1, o, 1),
                     PSA_ERROR_PROGRAMMER_ERROR);
    psa_invec ok[1] = {{h, 56}};
    assert_int_equal(psa_call(CRYPTO_HANDLE, 7, ok, 1, o, 1), PSA_ERROR_PROGRAMMER_ERROR);
    o[0].len = sizeof(out); /* each failed call reported 0 bytes written */
    assert_int_equal(psa_call(CRYPTO_HANDLE, PSA_IPC_CALL, ok, 1, o, 1), PSA_SUCCESS);
    assert_int_equal(o[0].len, sizeof(out));
    header(h, 0x0201, 0, 0); /* abandoned open_key */
    assert_int_equal(psa_call(CRYPTO_HANDLE, PSA_IPC_CALL, ok, 1, o, 1), PSA_ERROR_NOT_SUPPORTED);
    header(h, 0x0c00, 0, 0);
    assert_int_equal(psa_call(CRYPTO_HANDLE, PSA_IPC_CALL, ok, 1, o, 1), PSA_ERROR_NOT_SUPPORTED);
    /* rssd keeps serving. */
    header(h, FID_GENERATE_RANDOM, 0, 0);
    o[0].len = sizeof(out);
    assert_int_equal(psa_call(CRYPTO_HANDLE, PSA_IPC_CALL, ok, 1, o, 1), PSA_SUCCESS);
}

static void test_handles_belong_to_the_process(void **state)
{
    (void)state;
    uint32_t handle = 0;
    assert_int_equal(raw_hash_setup(&handle), PSA_SUCCESS);
    assert_int_equal(raw_hash_update(handle, "a"), PSA_SUCCESS);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* A child is another process: the parent's operation does not exist for it. */
        uint8_t digest[32];
        int ok = raw_hash_update(handle, "zzz") == PSA_ERROR_BAD_STATE &&
                 raw_hash_finish(handle, digest) == PSA_ERROR_BAD_STATE &&
                 raw_hash_abort(handle) == PSA_SUCCESS;
        _exit(ok ? 0 : 1);
    }
    int wstatus = 0;
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(WEXITSTATUS(wstatus), 0);
    assert_int_equal(raw_hash_update(handle, "bc"), PSA_SUCCESS);
    uint8_t digest[32];
    assert_int_equal(raw_hash_finish(handle, digest), PSA_SUCCESS);
    assert_memory_equal(digest, sha256_abc, 32);
}

static void test_operation_limit(void **state)
{
    (void)state;
    uint32_t handles[OP_LIMIT];
    for (int i = 0; i < OP_LIMIT; i++) {
        assert_int_equal(raw_hash_setup(&handles[i]), PSA_SUCCESS);
    }
    uint32_t extra = 0;
    assert_int_equal(raw_hash_setup(&extra), PSA_ERROR_INSUFFICIENT_MEMORY);
    /* Through the API too (in split mode hashing is in-process, so use a MAC in rssd). */
    assert_int_equal(raw_hash_abort(handles[0]), PSA_SUCCESS);
    assert_int_equal(raw_hash_setup(&handles[0]), PSA_SUCCESS);
    for (int i = 0; i < OP_LIMIT; i++) {
        assert_int_equal(raw_hash_abort(handles[i]), PSA_SUCCESS);
    }
    assert_int_equal(raw_hash_setup(&extra), PSA_SUCCESS);
    assert_int_equal(raw_hash_abort(extra), PSA_SUCCESS);
}

/* A failed call returns no output at all, not even the operation's handle (issue 9): the
 * reply's sizes are 0 and the caller's buffers are untouched. */
static void test_failed_call_returns_nothing(void **state)
{
    (void)state;
    uint32_t handle = 0;
    assert_int_equal(raw_hash_setup(&handle), PSA_SUCCESS);
    uint8_t h[56], out[4], digest[16];
    memset(out, 0xab, sizeof(out));
    memset(digest, 0xab, sizeof(digest));
    header(h, FID_HASH_FINISH, 0, handle);
    psa_invec in[1] = {{h, sizeof(h)}};
    psa_outvec o[2] = {{out, sizeof(out)}, {digest, sizeof(digest)}}; /* too small for SHA-256 */
    assert_int_equal(psa_call(CRYPTO_HANDLE, PSA_IPC_CALL, in, 1, o, 2),
                     PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(o[0].len, 0);
    assert_int_equal(o[1].len, 0);
    static const uint8_t untouched[16] = {0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
                                          0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab};
    assert_memory_equal(out, untouched, sizeof(out));
    assert_memory_equal(digest, untouched, sizeof(digest));
    /* The operation is in its error state under the handle the caller already had. */
    assert_int_equal(raw_hash_update(handle, "x"), PSA_ERROR_BAD_STATE);
    assert_int_equal(raw_hash_abort(handle), PSA_SUCCESS);
}

/* Without handles in error replies, libpsa keeps the handle it has, so an operation that failed
 * is still aborted in rssd: twice the per-session limit of failed finishes leaves room for more
 * operations. So does a refused setup, which creates nothing. */
static void test_failed_operations_are_released(void **state)
{
    (void)state;
    assert_int_equal(psa_crypto_init(), PSA_SUCCESS);
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_id(&a, 0x7e57);
    psa_set_key_type(&a, PSA_KEY_TYPE_HMAC);
    psa_set_key_bits(&a, 256);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_MESSAGE);
    psa_set_key_algorithm(&a, PSA_ALG_HMAC(PSA_ALG_SHA_256));
    static const uint8_t k[32] = {1, 2, 3};
    psa_key_id_t key = 0;
    assert_int_equal(psa_import_key(&a, k, sizeof(k), &key), PSA_SUCCESS);
    for (int i = 0; i < 2 * OP_LIMIT; i++) {
        psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
        uint8_t mac[8];
        size_t len = 99;
        assert_int_equal(psa_mac_sign_setup(&op, key, PSA_ALG_HMAC(PSA_ALG_SHA_256)),
                         PSA_SUCCESS);
        assert_int_equal(psa_mac_sign_finish(&op, mac, sizeof(mac), &len),
                         PSA_ERROR_BUFFER_TOO_SMALL);
        assert_int_equal(len, 0);
        assert_int_equal(psa_mac_update(&op, k, 1), PSA_ERROR_BAD_STATE);
        assert_int_equal(psa_mac_abort(&op), PSA_SUCCESS);
        psa_mac_operation_t refused = PSA_MAC_OPERATION_INIT;
        assert_int_equal(psa_mac_verify_setup(&refused, key, PSA_ALG_HMAC(PSA_ALG_SHA_256)),
                         PSA_ERROR_NOT_PERMITTED);
    }
    uint32_t handles[OP_LIMIT];
    for (int i = 0; i < OP_LIMIT; i++) {
        assert_int_equal(raw_hash_setup(&handles[i]), PSA_SUCCESS);
    }
    for (int i = 0; i < OP_LIMIT; i++) {
        assert_int_equal(raw_hash_abort(handles[i]), PSA_SUCCESS);
    }
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

static void test_dead_process_is_released(void **state)
{
    (void)state;
    /* Children fill their operation tables and keys and die without cleaning up, several
     * times; rssd frees each one's state (LeakSanitizer checks at rssd's exit) and serves on. */
    for (int round = 0; round < 4; round++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            int ok = psa_crypto_init() == PSA_SUCCESS;
            for (int i = 0; i < OP_LIMIT && ok; i++) {
                uint32_t h = 0;
                ok = raw_hash_setup(&h) == PSA_SUCCESS && raw_hash_update(h, "x") == 0;
            }
            psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
            psa_set_key_type(&attr, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
            psa_set_key_bits(&attr, 256);
            psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_SIGN_HASH);
            psa_set_key_algorithm(&attr, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
            psa_key_id_t key = 0;
            (void)psa_generate_key(&attr, &key);
            _exit(ok ? 0 : 1);
        }
        int wstatus = 0;
        assert_int_equal(waitpid(pid, &wstatus, 0), pid);
        assert_true(WIFEXITED(wstatus));
        assert_int_equal(WEXITSTATUS(wstatus), 0);
    }
    uint32_t h = 0;
    assert_int_equal(raw_hash_setup(&h), PSA_SUCCESS);
    assert_int_equal(raw_hash_abort(h), PSA_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_calls),
        cmocka_unit_test(test_handles_belong_to_the_process),
        cmocka_unit_test(test_operation_limit),
        cmocka_unit_test(test_failed_call_returns_nothing),
        cmocka_unit_test(test_failed_operations_are_released),
        cmocka_unit_test(test_dead_process_is_released),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
