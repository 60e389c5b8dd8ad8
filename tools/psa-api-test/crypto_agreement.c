/* Crypto suite, key agreement: ECDH (RFC 5903), X25519 (RFC 7748), FFDH, key agreement into KDF. */
#include <string.h>

#include "runner.h"

#define TEST(name) static void name(test_state_t *T)

#define P256_PAIR PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1)
#define X25519_PAIR PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY)
#define ECDH_HKDF PSA_ALG_KEY_AGREEMENT(PSA_ALG_ECDH, PSA_ALG_HKDF(PSA_ALG_SHA_256))
/* RFC 5903 section 8.1 (256-bit random ECP group) */
#define R5903_I "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433"
#define R5903_GI                                                                                  \
    "04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c37725811805271a0461cdb8252d61f1c456f" \
    "a3e59ab1f45b33accf5f58389e0577b8990bb3"
#define R5903_R "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53"
#define R5903_GR                                                                                  \
    "04d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf6356fbf3ca366cc23e8157854c13" \
    "c58d6aac23f046ada30f8353e74f33039872ab"
#define R5903_GIR "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"
/* HKDF-SHA-256 (no salt, no info) of that shared secret, 32 bytes. */
#define R5903_HKDF "3bf511eebadf44c1f7b0282a1262fe4ddd9da23bb1555cfda591ac46b088c441"
/* RFC 7748 section 6.1 */
#define X_A_SK "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
#define X_B_PK "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
#define X_K "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"

static psa_status_t import_hex(psa_key_type_t type, psa_key_usage_t usage, psa_algorithm_t alg,
                               const char *hex, psa_key_id_t *key)
{
    uint8_t buf[160];
    size_t len = test_unhex(hex, buf, sizeof(buf));
    return tk_import(type, usage, alg, buf, len, key);
}

static void raw_kat(test_state_t *T, psa_key_type_t type, const char *sk, const char *peer_hex,
                    const char *shared_hex)
{
    psa_key_id_t key = 0;
    uint8_t peer[80], shared[64], out[PSA_RAW_KEY_AGREEMENT_OUTPUT_MAX_SIZE];
    size_t plen = test_unhex(peer_hex, peer, sizeof(peer));
    size_t slen = test_unhex(shared_hex, shared, sizeof(shared)), len = 0;
    CHECK_OK(import_hex(type, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH, sk, &key));
    CHECK_OK(psa_raw_key_agreement(PSA_ALG_ECDH, key, peer, plen, out, sizeof(out), &len));
    CHECK_BYTES(out, len, shared, slen);
cleanup:
    tk_destroy(&key);
}

TEST(t_ecdh_i) { raw_kat(T, P256_PAIR, R5903_I, R5903_GR, R5903_GIR); }
TEST(t_ecdh_r) { raw_kat(T, P256_PAIR, R5903_R, R5903_GI, R5903_GIR); }
TEST(t_x25519) { raw_kat(T, X25519_PAIR, X_A_SK, X_B_PK, X_K); }

TEST(t_key_agreement)
{
    psa_key_id_t key = 0, shared = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    HEX(peer, R5903_GR);
    HEX(expected, R5903_GIR);
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(import_hex(P256_PAIR, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH, R5903_I, &key));
    psa_set_key_type(&a, PSA_KEY_TYPE_DERIVE);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_DERIVE);
    CHECK_OK(psa_key_agreement(key, peer, peer_len, PSA_ALG_ECDH, &a, &shared));
    CHECK_OK(psa_export_key(shared, out, sizeof(out), &len));
    CHECK_BYTES(out, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
    tk_destroy(&shared);
}

TEST(t_key_agreement_not_permitted)
{
    psa_key_id_t key = 0, shared = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    HEX(peer, R5903_GR);
    CHECK_OK(import_hex(P256_PAIR, PSA_KEY_USAGE_SIGN_HASH, PSA_ALG_ECDH, R5903_I, &key));
    psa_set_key_type(&a, PSA_KEY_TYPE_DERIVE);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_DERIVE);
    CHECK_STATUS(psa_key_agreement(key, peer, peer_len, PSA_ALG_ECDH, &a, &shared),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
    tk_destroy(&shared);
}

TEST(t_derivation_agreement)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t key = 0;
    HEX(peer, R5903_GR);
    HEX(expected, R5903_HKDF);
    uint8_t out[32];
    CHECK_OK(import_hex(P256_PAIR, PSA_KEY_USAGE_DERIVE, ECDH_HKDF, R5903_I, &key));
    CHECK_OK(psa_key_derivation_setup(&op, ECDH_HKDF));
    CHECK_OK(psa_key_derivation_key_agreement(&op, PSA_KEY_DERIVATION_INPUT_SECRET, key, peer,
                                              peer_len));
    CHECK_OK(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, NULL, 0));
    CHECK_OK(psa_key_derivation_output_bytes(&op, out, sizeof(out)));
    CHECK_BYTES(out, sizeof(out), expected, expected_len);
cleanup:
    psa_key_derivation_abort(&op);
    tk_destroy(&key);
}

TEST(t_raw_no_derive)
{
    psa_key_id_t key = 0;
    HEX(peer, R5903_GR);
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(import_hex(P256_PAIR, PSA_KEY_USAGE_EXPORT, PSA_ALG_ECDH, R5903_I, &key));
    CHECK_STATUS(psa_raw_key_agreement(PSA_ALG_ECDH, key, peer, peer_len, out, sizeof(out), &len),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

TEST(t_raw_bad_peer)
{
    psa_key_id_t key = 0;
    HEX(peer, R5903_GR);
    uint8_t out[64];
    size_t len = 0;
    peer[40] ^= 1; /* no longer on the curve */
    CHECK_OK(import_hex(P256_PAIR, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH, R5903_I, &key));
    CHECK_STATUS(psa_raw_key_agreement(PSA_ALG_ECDH, key, peer, peer_len, out, sizeof(out), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_raw_small_buffer)
{
    psa_key_id_t key = 0;
    HEX(peer, R5903_GR);
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(import_hex(P256_PAIR, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH, R5903_I, &key));
    CHECK_STATUS(psa_raw_key_agreement(PSA_ALG_ECDH, key, peer, peer_len, out, 31, &len),
                 PSA_ERROR_BUFFER_TOO_SMALL);
cleanup:
    tk_destroy(&key);
}

TEST(t_raw_not_raw_alg)
{
    psa_key_id_t key = 0;
    HEX(peer, R5903_GR);
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(import_hex(P256_PAIR, PSA_KEY_USAGE_DERIVE, ECDH_HKDF, R5903_I, &key));
    CHECK_STATUS(psa_raw_key_agreement(ECDH_HKDF, key, peer, peer_len, out, sizeof(out), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_raw_public_key)
{
    psa_key_id_t key = 0;
    HEX(peer, R5903_GR);
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(import_hex(PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1), PSA_KEY_USAGE_DERIVE,
                        PSA_ALG_ECDH, R5903_GI, &key));
    CHECK_STATUS(psa_raw_key_agreement(PSA_ALG_ECDH, key, peer, peer_len, out, sizeof(out), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_ffdh)
{
    psa_key_id_t a = 0, b = 0;
    const psa_key_type_t type = PSA_KEY_TYPE_DH_KEY_PAIR(PSA_DH_FAMILY_RFC7919);
    uint8_t pa[256], pb[256], sa[256], sb[256];
    size_t pal = 0, pbl = 0, sal = 0, sbl = 0;
    CHECK_OK(tk_generate(type, 2048, PSA_KEY_USAGE_DERIVE, PSA_ALG_FFDH, &a));
    CHECK_OK(tk_generate(type, 2048, PSA_KEY_USAGE_DERIVE, PSA_ALG_FFDH, &b));
    CHECK_OK(psa_export_public_key(a, pa, sizeof(pa), &pal));
    CHECK_OK(psa_export_public_key(b, pb, sizeof(pb), &pbl));
    CHECK_VALUE(pal, 256);
    CHECK_OK(psa_raw_key_agreement(PSA_ALG_FFDH, a, pb, pbl, sa, sizeof(sa), &sal));
    CHECK_OK(psa_raw_key_agreement(PSA_ALG_FFDH, b, pa, pal, sb, sizeof(sb), &sbl));
    CHECK_VALUE(sal, 256);
    CHECK_BYTES(sa, sal, sb, sbl);
cleanup:
    tk_destroy(&a);
    tk_destroy(&b);
}

TEST(t_ecdh_generated)
{
    psa_key_id_t a = 0, b = 0;
    uint8_t pa[65], pb[65], sa[32], sb[32];
    size_t pal = 0, pbl = 0, sal = 0, sbl = 0;
    CHECK_OK(tk_generate(X25519_PAIR, 255, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH, &a));
    CHECK_OK(tk_generate(X25519_PAIR, 255, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH, &b));
    CHECK_OK(psa_export_public_key(a, pa, sizeof(pa), &pal));
    CHECK_OK(psa_export_public_key(b, pb, sizeof(pb), &pbl));
    CHECK_VALUE(pal, 32);
    CHECK_OK(psa_raw_key_agreement(PSA_ALG_ECDH, a, pb, pbl, sa, sizeof(sa), &sal));
    CHECK_OK(psa_raw_key_agreement(PSA_ALG_ECDH, b, pa, pal, sb, sizeof(sb), &sbl));
    CHECK_BYTES(sa, sal, sb, sbl);
cleanup:
    tk_destroy(&a);
    tk_destroy(&b);
}

const test_case_t crypto_agreement_tests[] = {
    {"C-KA-001", "raw ECDH P-256 (initiator) matches RFC 5903 8.1", t_ecdh_i},
    {"C-KA-002", "raw ECDH P-256 (responder) matches RFC 5903 8.1", t_ecdh_r},
    {"C-KA-003", "raw X25519 matches RFC 7748 6.1", t_x25519},
    {"C-KA-004", "psa_key_agreement makes a DERIVE key holding the RFC 5903 shared secret",
     t_key_agreement},
    {"C-KA-005", "psa_key_agreement without DERIVE usage is NOT_PERMITTED",
     t_key_agreement_not_permitted},
    {"C-KA-006", "ECDH + HKDF-SHA-256 through psa_key_derivation_key_agreement",
     t_derivation_agreement},
    {"C-KA-007", "psa_raw_key_agreement without DERIVE usage is NOT_PERMITTED", t_raw_no_derive},
    {"C-KA-008", "psa_raw_key_agreement with a peer point off the curve is INVALID_ARGUMENT",
     t_raw_bad_peer},
    {"C-KA-009", "psa_raw_key_agreement into a short buffer is BUFFER_TOO_SMALL",
     t_raw_small_buffer},
    {"C-KA-010", "psa_raw_key_agreement with an agreement+KDF algorithm is INVALID_ARGUMENT",
     t_raw_not_raw_alg},
    {"C-KA-011", "psa_raw_key_agreement with a public key is INVALID_ARGUMENT", t_raw_public_key},
    {"C-KA-012", "FFDH ffdhe2048: both sides of generated keys agree on 256 bytes", t_ffdh},
    {"C-KA-013", "X25519: both sides of generated keys agree", t_ecdh_generated},
    {NULL, NULL, NULL},
};
