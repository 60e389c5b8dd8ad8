/* SPAKE2+ known answers through the public PAKE API, with the ephemeral scalars fixed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psa/crypto.h>

/* The core's test hook (src/crypto/pake_internal.h): only libpsa-local has it, which is why these
 * known answers are a program of their own and not part of test_pake (also built for rssd). */
psa_status_t core_pake_test_set_ephemeral(psa_pake_operation_t *operation, const uint8_t *scalar,
                                          size_t length);

static char state_dir[] = "/tmp/ss-test-spake2p-XXXXXX";

typedef struct spake2p_vector {
    const char *name;
    psa_algorithm_t alg;
    const char *context, *prover, *verifier;
    const char *w0, *w1, *x, *share_p, *y, *share_v, *confirm_p, *confirm_v, *shared;
} spake2p_vector_t;

static const spake2p_vector_t vectors[] = {
    /* RFC 9383 Appendix C, SPAKE2+-P256-SHA256-HKDF-SHA256-HMAC-SHA256 (confirmP = HMAC(K_confirmP,
     * shareV), confirmV = HMAC(K_confirmV, shareP), K_shared). */
    {"RFC 9383 P256-SHA256-HKDF-SHA256-HMAC-SHA256", PSA_ALG_SPAKE2P_HMAC(PSA_ALG_SHA_256),
     "SPAKE2+-P256-SHA256-HKDF-SHA256-HMAC-SHA256 Test Vectors", "client", "server",
     "bb8e1bbcf3c48f62c08db243652ae55d3e5586053fca77102994f23ad95491b3",
     "7e945f34d78785b8a3ef44d0df5a1a97d6b3b460409a345ca7830387a74b1dba",
     "d1232c8e8693d02368976c174e2088851b8365d0d79a9eee709c6a05a2fad539",
     "04ef3bd051bf78a2234ec0df197f7828060fe9856503579bb1733009042c15c0c1de127727f418b5966afadfdd95"
     "a6e4591d171056b333dab97a79c7193e341727",
     "717a72348a182085109c8d3917d6c43d59b224dc6a7fc4f0483232fa6516d8b3",
     "04c0f65da0d11927bdf5d560c69e1d7d939a05b0e88291887d679fcadea75810fb5cc1ca7494db39e82ff2f50665"
     "255d76173e09986ab46742c798a9a68437b048",
     "926cc713504b9b4d76c9162ded04b5493e89109f6d89462cd33adc46fda27527",
     "9747bcc4f8fe9f63defee53ac9b07876d907d55047e6ff2def2e7529089d3e68",
     "0c5f8ccd1413423a54f6c1fb26ff01534a87f893779c6e68666d772bfd91f3e7"},
    /* draft-bar-cfrg-spake2plus-02 test vector with both identities empty (the shape Matter
     * uses), as carried by the Matter SDK's SPAKE2P_RFC_test_vectors.h: cA is the prover's
     * confirmation, cB the verifier's, Ke the shared key. */
    {"draft-02 / Matter, empty identities", PSA_ALG_SPAKE2P_MATTER,
     "SPAKE2+-P256-SHA256-HKDF draft-01", "", "",
     "e6887cf9bdfb7579c69bf47928a84514b5e355ac034863f7ffaf4390e67d798c",
     "24b5ae4abda868ec9336ffc3b78ee31c5755bef1759227ef5372ca139b94e512",
     "5b478619804f4938d361fbba3a20648725222f0a54cc4c876139efe7d9a21786",
     "04a6db23d001723fb01fcfc9d08746c3c2a0a3feff8635d29cad2853e7358623425cf39712e928054561ba71e2"
     "dc11f300f1760e71eb177021a8f85e78689071cd",
     "766770dad8c8eecba936823c0aed044b8c3c4f7655e8beec44a15dcbcaf78e5e",
     "04390d29bf185c3abf99f150ae7c13388c82b6be0c07b1b8d90d26853e84374bbdc82becdb978ca3792f4724241"
     "06a2578012752c11938fcf60a41df75ff7cf947",
     "71d9412779b6c45a2c615c9df3f1fd93dc0aaf63104da8ece4aa1b5a3a415fea",
     "095dc0400355cc233fde7437811815b3c1524aae80fd4e6810cf531cf11d20e3",
     "ea3276d68334576097e04b19ee5a3a8b"},
};

static size_t unhex(const char *hex, uint8_t *out, size_t out_size)
{
    size_t n = strlen(hex) / 2;
    assert_true(n <= out_size);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

#define P256 PSA_PAKE_PRIMITIVE(PSA_PAKE_PRIMITIVE_TYPE_ECC, PSA_ECC_FAMILY_SECP_R1, 256)

static void setup_role(psa_pake_operation_t *op, psa_key_id_t key, const spake2p_vector_t *v,
                       psa_pake_role_t role)
{
    psa_pake_cipher_suite_t cs = PSA_PAKE_CIPHER_SUITE_INIT;
    psa_pake_cs_set_algorithm(&cs, v->alg);
    psa_pake_cs_set_primitive(&cs, P256);
    psa_pake_cs_set_key_confirmation(&cs, PSA_PAKE_CONFIRMED_KEY);
    *op = psa_pake_operation_init();
    assert_int_equal(psa_pake_setup(op, key, &cs), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_role(op, role), PSA_SUCCESS);
    const char *user = role == PSA_PAKE_ROLE_CLIENT ? v->prover : v->verifier;
    const char *peer = role == PSA_PAKE_ROLE_CLIENT ? v->verifier : v->prover;
    assert_int_equal(psa_pake_set_user(op, (const uint8_t *)user, strlen(user)), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_peer(op, (const uint8_t *)peer, strlen(peer)), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_context(op, (const uint8_t *)v->context, strlen(v->context)),
                     PSA_SUCCESS);
}

/* Runs the vector's exchange between our prover (key pair) and our verifier (public key exported
 * from it), checking every message and both shared keys against the vector. */
static void run_vector(const spake2p_vector_t *v)
{
    uint8_t pair[64], scalar[32], expected[65], buf[PSA_PAKE_OUTPUT_MAX_SIZE];
    size_t len = 0, n;
    unhex(v->w0, pair, 32);
    unhex(v->w1, pair + 32, 32);
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_SPAKE2P_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE | PSA_KEY_USAGE_EXPORT);
    psa_set_key_algorithm(&attr, v->alg);
    psa_key_id_t prover_key = 0, verifier_key = 0;
    assert_int_equal(psa_import_key(&attr, pair, sizeof(pair), &prover_key), PSA_SUCCESS);
    uint8_t pub[97];
    assert_int_equal(psa_export_public_key(prover_key, pub, sizeof(pub), &len), PSA_SUCCESS);
    assert_int_equal(len, 97);
    psa_set_key_type(&attr, PSA_KEY_TYPE_SPAKE2P_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1));
    assert_int_equal(psa_import_key(&attr, pub, sizeof(pub), &verifier_key), PSA_SUCCESS);

    psa_pake_operation_t p, w;
    setup_role(&p, prover_key, v, PSA_PAKE_ROLE_CLIENT);
    setup_role(&w, verifier_key, v, PSA_PAKE_ROLE_SERVER);
    assert_int_equal(core_pake_test_set_ephemeral(&p, scalar, unhex(v->x, scalar, 32)),
                     PSA_SUCCESS);
    assert_int_equal(core_pake_test_set_ephemeral(&w, scalar, unhex(v->y, scalar, 32)),
                     PSA_SUCCESS);

    assert_int_equal(psa_pake_output(&p, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                     PSA_SUCCESS);
    n = unhex(v->share_p, expected, sizeof(expected));
    assert_int_equal(len, n);
    assert_memory_equal(buf, expected, n);
    assert_int_equal(psa_pake_input(&w, PSA_PAKE_STEP_KEY_SHARE, buf, len), PSA_SUCCESS);
    assert_int_equal(psa_pake_output(&w, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                     PSA_SUCCESS);
    n = unhex(v->share_v, expected, sizeof(expected));
    assert_int_equal(len, n);
    assert_memory_equal(buf, expected, n);
    assert_int_equal(psa_pake_input(&p, PSA_PAKE_STEP_KEY_SHARE, buf, len), PSA_SUCCESS);
    assert_int_equal(psa_pake_output(&w, PSA_PAKE_STEP_CONFIRM, buf, sizeof(buf), &len),
                     PSA_SUCCESS);
    n = unhex(v->confirm_v, expected, sizeof(expected));
    assert_int_equal(len, n);
    assert_memory_equal(buf, expected, n);
    assert_int_equal(psa_pake_input(&p, PSA_PAKE_STEP_CONFIRM, buf, len), PSA_SUCCESS);
    assert_int_equal(psa_pake_output(&p, PSA_PAKE_STEP_CONFIRM, buf, sizeof(buf), &len),
                     PSA_SUCCESS);
    n = unhex(v->confirm_p, expected, sizeof(expected));
    assert_int_equal(len, n);
    assert_memory_equal(buf, expected, n);
    assert_int_equal(psa_pake_input(&w, PSA_PAKE_STEP_CONFIRM, buf, len), PSA_SUCCESS);

    n = unhex(v->shared, expected, sizeof(expected));
    psa_pake_operation_t *ops[2] = {&p, &w};
    for (int i = 0; i < 2; i++) {
        psa_key_attributes_t ka = PSA_KEY_ATTRIBUTES_INIT;
        psa_set_key_type(&ka, PSA_KEY_TYPE_DERIVE);
        psa_set_key_usage_flags(&ka, PSA_KEY_USAGE_DERIVE | PSA_KEY_USAGE_EXPORT);
        psa_set_key_algorithm(&ka, PSA_ALG_HKDF(PSA_ALG_SHA_256));
        psa_key_id_t k = 0;
        assert_int_equal(psa_pake_get_shared_key(ops[i], &ka, &k), PSA_SUCCESS);
        assert_int_equal(psa_export_key(k, buf, sizeof(buf), &len), PSA_SUCCESS);
        assert_int_equal(len, n);
        assert_memory_equal(buf, expected, n);
        assert_int_equal(psa_destroy_key(k), PSA_SUCCESS);
        assert_int_equal(psa_pake_abort(ops[i]), PSA_SUCCESS);
    }
    assert_int_equal(psa_destroy_key(prover_key), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(verifier_key), PSA_SUCCESS);
}

static void test_vectors(void **state)
{
    (void)state;
    assert_int_equal(psa_crypto_init(), PSA_SUCCESS);
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        print_message("%s\n", vectors[i].name);
        run_vector(&vectors[i]);
    }
}

int main(void)
{
    if (mkdtemp(state_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    setenv("PSA_STATE_DIR", state_dir, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", state_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", state_dir);
    }
    return failed;
}
