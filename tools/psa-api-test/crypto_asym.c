/* Crypto suite, asymmetric: ECDSA (RFC 6979), Ed25519 (RFC 8032), RSA PKCS#1 v1.5, PSS and OAEP. */
#include <string.h>

#include "runner.h"

#define TEST(name) static void name(test_state_t *T)

#define SIGN_VERIFY_HASH (PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH)
#define SIGN_VERIFY_MSG  (PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_MESSAGE)
#define ENC_DEC          (PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT)
#define P256_PAIR        PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1)
#define P256_PUB         PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1)
#define ED_PAIR          PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_TWISTED_EDWARDS)
#define ED_PUB           PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_TWISTED_EDWARDS)
#define DET_ECDSA256     PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_256)
#define ECDSA256         PSA_ALG_ECDSA(PSA_ALG_SHA_256)

/* RFC 6979 A.2.5: P-256 key, SHA-256 signature of "sample". */
#define R6979_X "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
#define R6979_Q                                                                                    \
    "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"                           \
    "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
#define R6979_SIG                                                                                  \
    "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e2" \
    "9f65f3e900dbb9aff4064dc4ab2f843acda8"
/* RFC 8032 7.1 tests 1 and 2. */
#define ED1_SK "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define ED1_PK "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define ED1_SIG                                                                                    \
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9" \
    "b46bd25bf5f0595bbe24655141438e7a100b"
#define ED2_SK "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
#define ED2_PK "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
#define ED2_SIG                                                                                    \
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f1" \
    "1d8c387b2eaeb4302aeeb00d291612bb0c00"

/* RSA-2048 test key (generated for this suite), PKCS#1 RSAPrivateKey DER. */
static const char rsa_pair_hex[] =
    "308204a20201000282010100b634ac317b269d933f2e6250f90b10029cc7dcf43ca35b103a91066b633bb401b6f5"
    "3cd1ff837737402e3297b538fc0ae0a19173e7d6c4d8663b72957fb50c221d4ae1484ae01e6373e2dd07ec808f78"
    "a4bb249bcb5673010a07b0b721aab9c4a8bcfee32de5ca657c30548beafa329e46e0cfafe7c9c53865331e7ec82b"
    "ebac916ee5313fe03d968ba0988a46b24aaf4a64cd586adb3341c83f1efeedc8cb02899063b0ce1c057135c0ebe7"
    "fdf5522d77b49b54c5b8bc92841d40f7dfdef2c0c329dcb8b2c486121d17a48b801ef0a5f7d8b1fa0b1ba57aca0f"
    "b2b4cec4a442da84d8dfbfa8d492e8ec684f6167097e7573a49084470cc1fd73b5e837c75cef0203010001028201"
    "0001d748bc1beb43cbfbe745e807decee91a836c73429f95e91fe65ce31336c461560e1146153cfdf9dec4a3648e"
    "ae06373d40c9fd9aa4916041b1826809f3c9826e1056740ab44bffa393f1b970457642f8f5c91a128a60e6c19eaf"
    "f03c6a03597e28f6b1a8978f481f8d44cac07389b50eb09bcded061d5f8354ea64768a4c65c6bad1e79499e77706"
    "25f39000fec9bcda13175f2a0fedd4818c867ced65520c6f9e281fd3bac60dbdf6e104db27f947d42f251ca0e381"
    "0a9905a7fe045c18d034804dd3d3e519230029e2573c7f972193f92c65e3289b2e9ca499f462c0a019db0717c5b8"
    "a2027a52c519cb2478f2023c1037c0a8f9e7a5dcb6ed5fc46a4a0d02818100f645f696326e5c587a3f8dca51ad07"
    "709511468e8521b2ee2334d5319dc2dbe6772624d59d75e3398fb17532440b1ce35bc3430f4fe4a0d14ff02a8619"
    "3a8ca8f059e7160f81f47dec146917b97f282d6b16e7dfed2ca9538548a24f1abf063051dbd4cd48974cacdd2c8e"
    "6b2c9ba1bf25820f70622218126b5239de4661cb3502818100bd66ee526e9e60faf2863432e2feaa286c0573bef8"
    "0d6febc20615f33ec9a4f988f07faf1bcc2b6cedec49e6b18a28fe8a64f49d1771cec7afec00ba318f63fa93ca9c"
    "fc80c065da9131b0296a6b9aea2c335fa1cb8615016255d06b19a1abcdece060ddaa44f8b96cf257f6042d398ad5"
    "99a2b43ecaf4e79e3276091f5128130281802c151bed88bb6e763bf3b25abbc20029ebd4facf3a0f6d2ae94c64b9"
    "0be73c5b858a635f855efbbc6af735e6387dd0bef5c6fef2f7b711fe4593d4d8ca1d4bde559f9218c5cfda46cc02"
    "5f496adfd2fe4644045f75e1dfb15e9340d26e14317466c2b5d5c51fa80eed4c337605b719fdd025f6c3841d5c37"
    "b7d4311d93759fdd02818027aec0320f3129ba8a43a9fe1b6725f99020584ee3a3d5163d318f39c6a6f2e4c1573a"
    "395306a4f68ea6da18f68baee91dcfe71c5ec41e81e20efd5c0574388b5099bbe87f855011ca27f1f3cb733e22e0"
    "1de7647bc2dcf5cc4794824bfd7e8487a3bf47d21bdf4ce251a832484fbd65a4392b48be7b4172a1c78ac980813d"
    "77028180364f7d3710167ad8addf4af9e686ba655454a4b5fcf73c5ccf288ba7b84b984c08f75bd8820138cd0cf4"
    "6b9c39e8c8c811613b8c1e18e32c7c4fbd73c51b75b0c7aa5fc1f58eeda5e78b7427bde05dc7af95303ab3bbb2f7"
    "3773ca351116ee865b9f72ff1921c97a6f0e1dd37c8ebb98647327fd3728eec83c427442dbd713c0";
/* Its RSAPublicKey DER. */
static const char rsa_pub_hex[] =
    "3082010a0282010100b634ac317b269d933f2e6250f90b10029cc7dcf43ca35b103a91066b633bb401b6f53cd1ff"
    "837737402e3297b538fc0ae0a19173e7d6c4d8663b72957fb50c221d4ae1484ae01e6373e2dd07ec808f78a4bb24"
    "9bcb5673010a07b0b721aab9c4a8bcfee32de5ca657c30548beafa329e46e0cfafe7c9c53865331e7ec82bebac91"
    "6ee5313fe03d968ba0988a46b24aaf4a64cd586adb3341c83f1efeedc8cb02899063b0ce1c057135c0ebe7fdf552"
    "2d77b49b54c5b8bc92841d40f7dfdef2c0c329dcb8b2c486121d17a48b801ef0a5f7d8b1fa0b1ba57aca0fb2b4ce"
    "c4a442da84d8dfbfa8d492e8ec684f6167097e7573a49084470cc1fd73b5e837c75cef0203010001";
/* RSASSA-PKCS1-v1_5 SHA-256 signature of "abc" with it (deterministic; made with OpenSSL). */
static const char rsa_sig_abc_hex[] =
    "57e1bdfc6186dd1a51542707c569c762df6a013f16ba1caaceecfee3f3d92489e8d3c1aabc49232b84ee0b777259"
    "22b1b9325818f625af9262fbd96610d7b310ddcd19ed02539c62079c055ba6e806eb57edee418558cac69d41c0fe"
    "ceadf67dfdf0889d170b91537d8ef99b99fe8d5d3598110c20ff9a044aeb99dd112be6a635b4f8d8a7c05125ecf9"
    "5c4ff57906c0d6768958f7c7e9785264ce130486217c9cb73d81052525f588cde2cb057e165b9e70c1170c17a268"
    "432faf4769aeff9278020230964e32d34ac6fb901ee61c927013bccee090babdace18d0a4f2fb384842ae605713f"
    "327c212b7a37f17d7c27c94a9193f4827287b04f2b7968eb4fd7";

static const uint8_t sample[6] = {'s', 'a', 'm', 'p', 'l', 'e'};
static const uint8_t abc[3] = {'a', 'b', 'c'};

static uint8_t rsa_pair[1300], rsa_pub[300];
static size_t rsa_pair_len, rsa_pub_len;

static void rsa_decode(void)
{
    rsa_pair_len = test_unhex(rsa_pair_hex, rsa_pair, sizeof(rsa_pair));
    rsa_pub_len = test_unhex(rsa_pub_hex, rsa_pub, sizeof(rsa_pub));
}

static psa_status_t import_rsa(bool pair, psa_key_usage_t usage, psa_algorithm_t alg,
                               psa_key_id_t *key)
{
    rsa_decode();
    return pair ? tk_import(PSA_KEY_TYPE_RSA_KEY_PAIR, usage, alg, rsa_pair, rsa_pair_len, key)
                : tk_import(PSA_KEY_TYPE_RSA_PUBLIC_KEY, usage, alg, rsa_pub, rsa_pub_len, key);
}

static psa_status_t import_hex(psa_key_type_t type, psa_key_usage_t usage, psa_algorithm_t alg,
                               const char *hex, psa_key_id_t *key)
{
    uint8_t buf[160];
    size_t len = test_unhex(hex, buf, sizeof(buf));
    return tk_import(type, usage, alg, buf, len, key);
}

TEST(t_ecc_export_public)
{
    psa_key_id_t key = 0;
    HEX(q, R6979_Q);
    uint8_t out[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
    size_t len = 0;
    CHECK_OK(import_hex(P256_PAIR, SIGN_VERIFY_HASH, DET_ECDSA256, R6979_X, &key));
    CHECK_OK(psa_export_public_key(key, out, sizeof(out), &len));
    CHECK_BYTES(out, len, q, q_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_ecc_export_private)
{
    psa_key_id_t key = 0;
    HEX(x, R6979_X);
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(import_hex(P256_PAIR, PSA_KEY_USAGE_EXPORT, DET_ECDSA256, R6979_X, &key));
    CHECK_OK(psa_export_key(key, out, sizeof(out), &len));
    CHECK_BYTES(out, len, x, x_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_det_ecdsa_message)
{
    psa_key_id_t key = 0;
    HEX(expected, R6979_SIG);
    uint8_t sig[PSA_SIGNATURE_MAX_SIZE];
    size_t len = 0;
    CHECK_OK(import_hex(P256_PAIR, SIGN_VERIFY_MSG, DET_ECDSA256, R6979_X, &key));
    CHECK_OK(psa_sign_message(key, DET_ECDSA256, sample, 6, sig, sizeof(sig), &len));
    CHECK_BYTES(sig, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_det_ecdsa_hash)
{
    psa_key_id_t key = 0;
    HEX(expected, R6979_SIG);
    uint8_t hash[32], sig[PSA_SIGNATURE_MAX_SIZE];
    size_t hlen = 0, len = 0;
    CHECK_OK(psa_hash_compute(PSA_ALG_SHA_256, sample, 6, hash, sizeof(hash), &hlen));
    CHECK_OK(import_hex(P256_PAIR, SIGN_VERIFY_HASH, DET_ECDSA256, R6979_X, &key));
    CHECK_OK(psa_sign_hash(key, DET_ECDSA256, hash, hlen, sig, sizeof(sig), &len));
    CHECK_BYTES(sig, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_ecdsa_verify_public)
{
    psa_key_id_t key = 0;
    HEX(sig, R6979_SIG);
    CHECK_OK(import_hex(P256_PUB, PSA_KEY_USAGE_VERIFY_MESSAGE, ECDSA256, R6979_Q, &key));
    CHECK_OK(psa_verify_message(key, ECDSA256, sample, 6, sig, sig_len));
cleanup:
    tk_destroy(&key);
}

TEST(t_ecdsa_verify_bad)
{
    psa_key_id_t key = 0;
    HEX(sig, R6979_SIG);
    uint8_t hash[32];
    size_t hlen = 0;
    sig[10] ^= 0x20;
    CHECK_OK(psa_hash_compute(PSA_ALG_SHA_256, sample, 6, hash, sizeof(hash), &hlen));
    CHECK_OK(import_hex(P256_PUB, PSA_KEY_USAGE_VERIFY_HASH, ECDSA256, R6979_Q, &key));
    CHECK_STATUS(psa_verify_hash(key, ECDSA256, hash, hlen, sig, sig_len),
                 PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    tk_destroy(&key);
}

TEST(t_ecdsa_generate_roundtrip)
{
    psa_key_id_t key = 0;
    uint8_t hash[32], sig[PSA_SIGNATURE_MAX_SIZE];
    size_t len = 0;
    memset(hash, 0x42, sizeof(hash));
    CHECK_OK(tk_generate(P256_PAIR, 256, SIGN_VERIFY_HASH, ECDSA256, &key));
    CHECK_OK(psa_sign_hash(key, ECDSA256, hash, 32, sig, sizeof(sig), &len));
    CHECK_VALUE(len, PSA_SIGN_OUTPUT_SIZE(P256_PAIR, 256, ECDSA256));
    CHECK_OK(psa_verify_hash(key, ECDSA256, hash, 32, sig, len));
cleanup:
    tk_destroy(&key);
}

TEST(t_ecdsa_p384)
{
    psa_key_id_t key = 0;
    const psa_algorithm_t alg = PSA_ALG_ECDSA(PSA_ALG_SHA_384);
    uint8_t sig[PSA_SIGNATURE_MAX_SIZE];
    size_t len = 0;
    CHECK_OK(tk_generate(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 384, SIGN_VERIFY_MSG,
                         alg, &key));
    CHECK_OK(psa_sign_message(key, alg, abc, 3, sig, sizeof(sig), &len));
    CHECK_VALUE(len, 96);
    CHECK_OK(psa_verify_message(key, alg, abc, 3, sig, len));
cleanup:
    tk_destroy(&key);
}

TEST(t_ecdsa_bad_hash_length)
{
    psa_key_id_t key = 0;
    uint8_t hash[20] = {0}, sig[PSA_SIGNATURE_MAX_SIZE];
    size_t len = 0;
    CHECK_OK(import_hex(P256_PAIR, SIGN_VERIFY_HASH, ECDSA256, R6979_X, &key));
    CHECK_STATUS(psa_sign_hash(key, ECDSA256, hash, 20, sig, sizeof(sig), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_sign_with_public)
{
    psa_key_id_t key = 0;
    uint8_t hash[32] = {0}, sig[PSA_SIGNATURE_MAX_SIZE];
    size_t len = 0;
    CHECK_OK(import_hex(P256_PUB, SIGN_VERIFY_HASH, ECDSA256, R6979_Q, &key));
    CHECK_STATUS(psa_sign_hash(key, ECDSA256, hash, 32, sig, sizeof(sig), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_sign_usage_denied)
{
    psa_key_id_t key = 0;
    uint8_t hash[32] = {0}, sig[PSA_SIGNATURE_MAX_SIZE];
    size_t len = 0;
    CHECK_OK(import_hex(P256_PAIR, PSA_KEY_USAGE_VERIFY_HASH, ECDSA256, R6979_X, &key));
    CHECK_STATUS(psa_sign_hash(key, ECDSA256, hash, 32, sig, sizeof(sig), &len),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

TEST(t_verify_usage_denied)
{
    psa_key_id_t key = 0;
    HEX(sig, R6979_SIG);
    uint8_t hash[32] = {0};
    CHECK_OK(import_hex(P256_PUB, PSA_KEY_USAGE_EXPORT, ECDSA256, R6979_Q, &key));
    CHECK_STATUS(psa_verify_hash(key, ECDSA256, hash, 32, sig, sig_len), PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

TEST(t_sign_small_buffer)
{
    psa_key_id_t key = 0;
    uint8_t hash[32] = {0}, sig[64];
    size_t len = 0;
    CHECK_OK(import_hex(P256_PAIR, SIGN_VERIFY_HASH, ECDSA256, R6979_X, &key));
    CHECK_STATUS(psa_sign_hash(key, ECDSA256, hash, 32, sig, 63, &len), PSA_ERROR_BUFFER_TOO_SMALL);
cleanup:
    tk_destroy(&key);
}

TEST(t_sign_message_ecdsa_any)
{
    psa_key_id_t key = 0;
    uint8_t sig[PSA_SIGNATURE_MAX_SIZE];
    size_t len = 0;
    CHECK_OK(import_hex(P256_PAIR, SIGN_VERIFY_MSG, PSA_ALG_ECDSA_ANY, R6979_X, &key));
    CHECK_STATUS(psa_sign_message(key, PSA_ALG_ECDSA_ANY, abc, 3, sig, sizeof(sig), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_any_hash_policy)
{
    psa_key_id_t key = 0;
    uint8_t hash[48] = {0}, sig[PSA_SIGNATURE_MAX_SIZE];
    size_t len = 0;
    CHECK_OK(
        import_hex(P256_PAIR, SIGN_VERIFY_HASH, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH), R6979_X, &key));
    CHECK_OK(psa_sign_hash(key, ECDSA256, hash, 32, sig, sizeof(sig), &len));
    CHECK_OK(psa_sign_hash(key, PSA_ALG_ECDSA(PSA_ALG_SHA_384), hash, 48, sig, sizeof(sig), &len));
    CHECK_STATUS(psa_sign_hash(key, PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_256), hash, 32, sig,
                               sizeof(sig), &len),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

TEST(t_ed25519_public)
{
    psa_key_id_t key = 0;
    HEX(pk, ED1_PK);
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(import_hex(ED_PAIR, SIGN_VERIFY_MSG, PSA_ALG_PURE_EDDSA, ED1_SK, &key));
    CHECK_OK(psa_export_public_key(key, out, sizeof(out), &len));
    CHECK_BYTES(out, len, pk, pk_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_ed25519_sign_empty)
{
    psa_key_id_t key = 0;
    HEX(expected, ED1_SIG);
    uint8_t sig[64];
    size_t len = 0;
    CHECK_OK(import_hex(ED_PAIR, SIGN_VERIFY_MSG, PSA_ALG_PURE_EDDSA, ED1_SK, &key));
    CHECK_OK(psa_sign_message(key, PSA_ALG_PURE_EDDSA, NULL, 0, sig, sizeof(sig), &len));
    CHECK_BYTES(sig, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_ed25519_sign_one)
{
    psa_key_id_t key = 0;
    HEX(expected, ED2_SIG);
    const uint8_t msg[1] = {0x72};
    uint8_t sig[64];
    size_t len = 0;
    CHECK_OK(import_hex(ED_PAIR, SIGN_VERIFY_MSG, PSA_ALG_PURE_EDDSA, ED2_SK, &key));
    CHECK_OK(psa_sign_message(key, PSA_ALG_PURE_EDDSA, msg, 1, sig, sizeof(sig), &len));
    CHECK_BYTES(sig, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_ed25519_verify)
{
    psa_key_id_t key = 0;
    HEX(sig, ED2_SIG);
    uint8_t msg[1] = {0x72};
    CHECK_OK(import_hex(ED_PUB, PSA_KEY_USAGE_VERIFY_MESSAGE, PSA_ALG_PURE_EDDSA, ED2_PK, &key));
    CHECK_OK(psa_verify_message(key, PSA_ALG_PURE_EDDSA, msg, 1, sig, sig_len));
    msg[0] = 0x73;
    CHECK_STATUS(psa_verify_message(key, PSA_ALG_PURE_EDDSA, msg, 1, sig, sig_len),
                 PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    tk_destroy(&key);
}

TEST(t_ed25519_sign_hash)
{
    psa_key_id_t key = 0;
    uint8_t hash[64] = {0}, sig[64];
    size_t len = 0;
    CHECK_OK(import_hex(ED_PAIR, SIGN_VERIFY_HASH, PSA_ALG_PURE_EDDSA, ED1_SK, &key));
    CHECK_STATUS(psa_sign_hash(key, PSA_ALG_PURE_EDDSA, hash, 64, sig, sizeof(sig), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_rsa_export_public)
{
    psa_key_id_t key = 0;
    uint8_t out[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
    size_t len = 0;
    CHECK_OK(import_rsa(true, SIGN_VERIFY_MSG, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256), &key));
    CHECK_OK(psa_export_public_key(key, out, sizeof(out), &len));
    CHECK_BYTES(out, len, rsa_pub, rsa_pub_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_rsa_pkcs1_sign)
{
    psa_key_id_t key = 0;
    const psa_algorithm_t alg = PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256);
    uint8_t expected[256], sig[PSA_SIGNATURE_MAX_SIZE];
    size_t elen = test_unhex(rsa_sig_abc_hex, expected, sizeof(expected)), len = 0;
    CHECK_OK(import_rsa(true, SIGN_VERIFY_MSG, alg, &key));
    CHECK_OK(psa_sign_message(key, alg, abc, 3, sig, sizeof(sig), &len));
    CHECK_BYTES(sig, len, expected, elen);
cleanup:
    tk_destroy(&key);
}

TEST(t_rsa_pkcs1_verify)
{
    psa_key_id_t key = 0;
    const psa_algorithm_t alg = PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256);
    uint8_t sig[256];
    size_t slen = test_unhex(rsa_sig_abc_hex, sig, sizeof(sig));
    CHECK_OK(import_rsa(false, PSA_KEY_USAGE_VERIFY_MESSAGE, alg, &key));
    CHECK_OK(psa_verify_message(key, alg, abc, 3, sig, slen));
    sig[100] ^= 1;
    CHECK_STATUS(psa_verify_message(key, alg, abc, 3, sig, slen), PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    tk_destroy(&key);
}

TEST(t_rsa_pss)
{
    psa_key_id_t pair = 0, pub = 0;
    const psa_algorithm_t alg = PSA_ALG_RSA_PSS(PSA_ALG_SHA_256);
    uint8_t sig[PSA_SIGNATURE_MAX_SIZE];
    size_t len = 0;
    CHECK_OK(import_rsa(true, SIGN_VERIFY_MSG, alg, &pair));
    CHECK_OK(import_rsa(false, PSA_KEY_USAGE_VERIFY_MESSAGE, alg, &pub));
    CHECK_OK(psa_sign_message(pair, alg, abc, 3, sig, sizeof(sig), &len));
    CHECK_VALUE(len, 256);
    CHECK_OK(psa_verify_message(pub, alg, abc, 3, sig, len));
    sig[0] ^= 1;
    CHECK_STATUS(psa_verify_message(pub, alg, abc, 3, sig, len), PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    tk_destroy(&pair);
    tk_destroy(&pub);
}

TEST(t_rsa_oaep)
{
    psa_key_id_t pair = 0, pub = 0;
    const psa_algorithm_t alg = PSA_ALG_RSA_OAEP(PSA_ALG_SHA_256);
    uint8_t ct[256], back[256];
    size_t clen = 0, blen = 0;
    CHECK_OK(import_rsa(true, PSA_KEY_USAGE_DECRYPT, alg, &pair));
    CHECK_OK(import_rsa(false, PSA_KEY_USAGE_ENCRYPT, alg, &pub));
    CHECK_OK(psa_asymmetric_encrypt(pub, alg, abc, 3, (const uint8_t *)"label", 5, ct, sizeof(ct),
                                    &clen));
    CHECK_VALUE(clen, 256);
    CHECK_OK(psa_asymmetric_decrypt(pair, alg, ct, clen, (const uint8_t *)"label", 5, back,
                                    sizeof(back), &blen));
    CHECK_BYTES(back, blen, abc, 3);
cleanup:
    tk_destroy(&pair);
    tk_destroy(&pub);
}

TEST(t_rsa_oaep_wrong_label)
{
    psa_key_id_t key = 0;
    const psa_algorithm_t alg = PSA_ALG_RSA_OAEP(PSA_ALG_SHA_256);
    uint8_t ct[256], back[256];
    size_t clen = 0, blen = 0;
    CHECK_OK(import_rsa(true, ENC_DEC, alg, &key));
    CHECK_OK(psa_asymmetric_encrypt(key, alg, abc, 3, (const uint8_t *)"label", 5, ct, sizeof(ct),
                                    &clen));
    CHECK_STATUS(psa_asymmetric_decrypt(key, alg, ct, clen, (const uint8_t *)"lebal", 5, back,
                                        sizeof(back), &blen),
                 PSA_ERROR_INVALID_PADDING);
cleanup:
    tk_destroy(&key);
}

TEST(t_rsa_pkcs1_crypt)
{
    psa_key_id_t key = 0;
    uint8_t ct[256], back[256];
    size_t clen = 0, blen = 0;
    CHECK_OK(import_rsa(true, ENC_DEC, PSA_ALG_RSA_PKCS1V15_CRYPT, &key));
    CHECK_OK(psa_asymmetric_encrypt(key, PSA_ALG_RSA_PKCS1V15_CRYPT, abc, 3, NULL, 0, ct,
                                    sizeof(ct), &clen));
    CHECK_OK(psa_asymmetric_decrypt(key, PSA_ALG_RSA_PKCS1V15_CRYPT, ct, clen, NULL, 0, back,
                                    sizeof(back), &blen));
    CHECK_BYTES(back, blen, abc, 3);
cleanup:
    tk_destroy(&key);
}

TEST(t_rsa_pkcs1_salt)
{
    psa_key_id_t key = 0;
    uint8_t ct[256];
    size_t clen = 0;
    CHECK_OK(import_rsa(true, ENC_DEC, PSA_ALG_RSA_PKCS1V15_CRYPT, &key));
    CHECK_STATUS(psa_asymmetric_encrypt(key, PSA_ALG_RSA_PKCS1V15_CRYPT, abc, 3,
                                        (const uint8_t *)"salt", 4, ct, sizeof(ct), &clen),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_rsa_decrypt_garbage)
{
    psa_key_id_t key = 0;
    uint8_t ct[256], back[256];
    size_t blen = 0;
    memset(ct, 0x01, sizeof(ct));
    CHECK_OK(import_rsa(true, ENC_DEC, PSA_ALG_RSA_PKCS1V15_CRYPT, &key));
    CHECK_STATUS(psa_asymmetric_decrypt(key, PSA_ALG_RSA_PKCS1V15_CRYPT, ct, sizeof(ct), NULL, 0,
                                        back, sizeof(back), &blen),
                 PSA_ERROR_INVALID_PADDING);
cleanup:
    tk_destroy(&key);
}

TEST(t_rsa_encrypt_small_buffer)
{
    psa_key_id_t key = 0;
    const psa_algorithm_t alg = PSA_ALG_RSA_OAEP(PSA_ALG_SHA_256);
    uint8_t ct[256];
    size_t clen = 0;
    CHECK_OK(import_rsa(false, PSA_KEY_USAGE_ENCRYPT, alg, &key));
    CHECK_STATUS(psa_asymmetric_encrypt(key, alg, abc, 3, NULL, 0, ct, 255, &clen),
                 PSA_ERROR_BUFFER_TOO_SMALL);
cleanup:
    tk_destroy(&key);
}

TEST(t_rsa_encrypt_usage_denied)
{
    psa_key_id_t key = 0;
    const psa_algorithm_t alg = PSA_ALG_RSA_OAEP(PSA_ALG_SHA_256);
    uint8_t ct[256];
    size_t clen = 0;
    CHECK_OK(import_rsa(false, PSA_KEY_USAGE_VERIFY_MESSAGE, alg, &key));
    CHECK_STATUS(psa_asymmetric_encrypt(key, alg, abc, 3, NULL, 0, ct, sizeof(ct), &clen),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

TEST(t_rsa_generate)
{
    psa_key_id_t key = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    const psa_algorithm_t alg = PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256);
    uint8_t sig[PSA_SIGNATURE_MAX_SIZE];
    size_t len = 0;
    CHECK_OK(tk_generate(PSA_KEY_TYPE_RSA_KEY_PAIR, 2048, SIGN_VERIFY_MSG, alg, &key));
    CHECK_OK(psa_get_key_attributes(key, &a));
    CHECK_VALUE(psa_get_key_bits(&a), 2048);
    CHECK_OK(psa_sign_message(key, alg, abc, 3, sig, sizeof(sig), &len));
    CHECK_OK(psa_verify_message(key, alg, abc, 3, sig, len));
cleanup:
    tk_destroy(&key);
}

/* RFC 8032 section 7.3 (Ed25519ph) and section 7.5 (Ed448ph, empty context), message "abc". */
#define EDPH_SK "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42"
#define EDPH_PK "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf"
#define EDPH_SIG                                                                                   \
    "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"                             \
    "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406"
#define ED448PH_SK                                                                                 \
    "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42ef7822e0d5104127dc05d6dbefde" \
    "69e3ab2cec7c867c6e2c49"
#define ED448PH_PK                                                                                 \
    "259b71c19f83ef77a7abd26524cbdb3161b590a48f7d17de3ee0ba9c52beb743c09428a131d6b1b57303d90d8132" \
    "c276d5ed3d5d01c0f53880"
#define ED448PH_SIG                                                                                \
    "822f6901f7480f3d5f562c592994d9693602875614483256505600bbc281ae381f54d6bce2ea911574932f52a4e6" \
    "cadd78769375ec3ffd1b801a0d9b3f4030cd433964b6457ea39476511214f97469b57dd32dbc560a9a94d00bff07" \
    "620464a3ad203df7dc7ce360c3cd3696d9d9fab90f00"

TEST(t_ed25519ph_sign_message)
{
    psa_key_id_t key = 0;
    HEX(expected, EDPH_SIG);
    uint8_t sig[64];
    size_t len = 0;
    CHECK_OK(import_hex(ED_PAIR, SIGN_VERIFY_MSG, PSA_ALG_ED25519PH, EDPH_SK, &key));
    CHECK_OK(psa_sign_message(key, PSA_ALG_ED25519PH, abc, 3, sig, sizeof(sig), &len));
    CHECK_BYTES(sig, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_ed25519ph_sign_hash)
{
    psa_key_id_t key = 0;
    HEX(expected, EDPH_SIG);
    uint8_t ph[64], sig[64];
    size_t ph_len = 0, len = 0;
    CHECK_OK(import_hex(ED_PAIR, SIGN_VERIFY_HASH, PSA_ALG_ED25519PH, EDPH_SK, &key));
    CHECK_OK(psa_hash_compute(PSA_ALG_SHA_512, abc, 3, ph, sizeof(ph), &ph_len));
    CHECK_OK(psa_sign_hash(key, PSA_ALG_ED25519PH, ph, ph_len, sig, sizeof(sig), &len));
    CHECK_BYTES(sig, len, expected, expected_len);
    CHECK_OK(psa_verify_hash(key, PSA_ALG_ED25519PH, ph, ph_len, sig, len));
cleanup:
    tk_destroy(&key);
}

TEST(t_ed25519ph_verify)
{
    psa_key_id_t key = 0;
    HEX(sig, EDPH_SIG);
    uint8_t msg[3] = {'a', 'b', 'c'};
    CHECK_OK(import_hex(ED_PUB, PSA_KEY_USAGE_VERIFY_MESSAGE, PSA_ALG_ED25519PH, EDPH_PK, &key));
    CHECK_OK(psa_verify_message(key, PSA_ALG_ED25519PH, msg, 3, sig, sig_len));
    msg[2] = 'd';
    CHECK_STATUS(psa_verify_message(key, PSA_ALG_ED25519PH, msg, 3, sig, sig_len),
                 PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    tk_destroy(&key);
}

TEST(t_ed448ph_sign)
{
    psa_key_id_t key = 0;
    HEX(expected, ED448PH_SIG);
    HEX(pk, ED448PH_PK);
    uint8_t ph[64], sig[114], pub[57];
    size_t ph_len = 0, len = 0;
    CHECK_OK(import_hex(ED_PAIR, SIGN_VERIFY_HASH, PSA_ALG_ED448PH, ED448PH_SK, &key));
    CHECK_OK(psa_export_public_key(key, pub, sizeof(pub), &len));
    CHECK_BYTES(pub, len, pk, pk_len);
    CHECK_OK(psa_sign_message(key, PSA_ALG_ED448PH, abc, 3, sig, sizeof(sig), &len));
    CHECK_BYTES(sig, len, expected, expected_len);
    CHECK_OK(psa_hash_compute(PSA_ALG_SHAKE256_512, abc, 3, ph, sizeof(ph), &ph_len));
    CHECK_OK(psa_sign_hash(key, PSA_ALG_ED448PH, ph, ph_len, sig, sizeof(sig), &len));
    CHECK_BYTES(sig, len, expected, expected_len);
    sig[0] ^= 1;
    CHECK_STATUS(psa_verify_hash(key, PSA_ALG_ED448PH, ph, ph_len, sig, len),
                 PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    tk_destroy(&key);
}

TEST(t_edph_bad_hash_length)
{
    psa_key_id_t key = 0;
    uint8_t ph[64] = {0}, sig[64];
    size_t len = 0;
    CHECK_OK(import_hex(ED_PAIR, SIGN_VERIFY_HASH, PSA_ALG_ED25519PH, EDPH_SK, &key));
    CHECK_STATUS(psa_sign_hash(key, PSA_ALG_ED25519PH, ph, 32, sig, sizeof(sig), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(psa_sign_hash(key, PSA_ALG_ED25519PH, ph, 64, sig, 63, &len),
                 PSA_ERROR_BUFFER_TOO_SMALL);
cleanup:
    tk_destroy(&key);
}

/* HashEdDSA exists only as Ed25519ph and Ed448ph; another hash in the field (SHA-256 here) is no
 * algorithm this implementation has, and a hash field of 0 is no signature algorithm at all. The
 * 32-byte hash ends the buffer, so a read of 64 bytes would leave it. */
TEST(t_edph_other_hash)
{
    psa_key_id_t key = 0, key0 = 0;
    uint8_t buf[96] = {0}, sig[64];
    const uint8_t *hash32 = buf + sizeof(buf) - 32;
    size_t len = 0;
    psa_algorithm_t ph_sha256 = (psa_algorithm_t)0x06000909, ph_none = (psa_algorithm_t)0x06000900;
    CHECK_OK(import_hex(ED_PAIR, SIGN_VERIFY_HASH, (psa_algorithm_t)0x060009ff, EDPH_SK, &key));
    CHECK_STATUS(psa_sign_hash(key, ph_sha256, hash32, 32, sig, sizeof(sig), &len),
                 PSA_ERROR_NOT_SUPPORTED);
    CHECK_STATUS(psa_verify_hash(key, ph_sha256, hash32, 32, sig, sizeof(sig)),
                 PSA_ERROR_NOT_SUPPORTED);
    CHECK_STATUS(psa_sign_message(key, ph_sha256, buf, 3, sig, sizeof(sig), &len),
                 PSA_ERROR_NOT_SUPPORTED);
    CHECK_OK(import_hex(ED_PAIR, SIGN_VERIFY_HASH, ph_none, EDPH_SK, &key0));
    CHECK_STATUS(psa_sign_hash(key0, ph_none, hash32, 32, sig, sizeof(sig), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(psa_verify_hash(key0, ph_none, hash32, 32, sig, sizeof(sig)),
                 PSA_ERROR_INVALID_ARGUMENT);
    /* The key still signs with its real algorithm. */
    CHECK_OK(psa_sign_hash(key, PSA_ALG_ED25519PH, buf, 64, sig, sizeof(sig), &len));
    CHECK_OK(psa_verify_hash(key, PSA_ALG_ED25519PH, buf, 64, sig, len));
cleanup:
    tk_destroy(&key);
    tk_destroy(&key0);
}

/* "PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_ANY_HASH) also permits the PSA_ALG_RSA_PKCS1V15_SIGN_RAW
 * signature algorithm": no other wildcard permits a hash-less form, so ECDSA(ANY_HASH) does not
 * permit ECDSA_ANY. */
TEST(t_any_hash_not_ecdsa_any)
{
    psa_key_id_t key = 0;
    uint8_t hash[32] = {0}, sig[PSA_SIGNATURE_MAX_SIZE];
    size_t len = 0;
    CHECK_OK(
        import_hex(P256_PAIR, SIGN_VERIFY_HASH, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH), R6979_X, &key));
    CHECK_STATUS(psa_sign_hash(key, PSA_ALG_ECDSA_ANY, hash, 32, sig, sizeof(sig), &len),
                 PSA_ERROR_NOT_PERMITTED);
    CHECK_OK(psa_sign_hash(key, ECDSA256, hash, 32, sig, sizeof(sig), &len));
cleanup:
    tk_destroy(&key);
}

/* Error precedence as in Mbed TLS psa_asymmetric_encrypt: the policy permits the algorithm, so
 * the key type decides. A signature algorithm with an ECC key (no asymmetric encryption at all)
 * is NOT_SUPPORTED; with an RSA key, which has encryption, it is INVALID_ARGUMENT. */
TEST(t_encrypt_signature_alg)
{
    psa_key_id_t ec = 0, rsa = 0;
    uint8_t msg[16] = {0}, out[256];
    size_t len = 0;
    CHECK_OK(tk_generate(P256_PAIR, 256, PSA_KEY_USAGE_ENCRYPT, ECDSA256, &ec));
    CHECK_STATUS(
        psa_asymmetric_encrypt(ec, ECDSA256, msg, sizeof(msg), NULL, 0, out, sizeof(out), &len),
        PSA_ERROR_NOT_SUPPORTED);
    CHECK_OK(
        import_rsa(false, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256), &rsa));
    CHECK_STATUS(psa_asymmetric_encrypt(rsa, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256), msg,
                                        sizeof(msg), NULL, 0, out, sizeof(out), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(len, 0);
cleanup:
    tk_destroy(&ec);
    tk_destroy(&rsa);
}

/* Error precedence as in Mbed TLS psa_verify_hash: a symmetric key whose policy names the
 * algorithm reaches no signature mechanism, NOT_SUPPORTED (signing refuses it earlier as not a
 * key pair, INVALID_ARGUMENT). */
TEST(t_verify_symmetric_key)
{
    psa_key_id_t key = 0;
    const uint8_t aes[16] = {1};
    uint8_t hash[32] = {0}, sig[64] = {0};
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, SIGN_VERIFY_HASH, ECDSA256, aes, sizeof(aes), &key));
    CHECK_STATUS(psa_verify_hash(key, ECDSA256, hash, sizeof(hash), sig, sizeof(sig)),
                 PSA_ERROR_NOT_SUPPORTED);
    CHECK_STATUS(psa_sign_hash(key, ECDSA256, hash, sizeof(hash), sig, sizeof(sig), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

const test_case_t crypto_asym_tests[] = {
    {"C-ASYM-001", "secp256r1 key pair exports the RFC 6979 A.2.5 public point",
     t_ecc_export_public},
    {"C-ASYM-002", "secp256r1 key pair exports its 32-byte private scalar", t_ecc_export_private},
    {"C-ASYM-003", "deterministic ECDSA sign_message(\"sample\") matches RFC 6979 A.2.5",
     t_det_ecdsa_message},
    {"C-ASYM-004", "deterministic ECDSA sign_hash(SHA-256(\"sample\")) matches RFC 6979 A.2.5",
     t_det_ecdsa_hash},
    {"C-ASYM-005", "ECDSA verify_message with an imported public key accepts RFC 6979",
     t_ecdsa_verify_public},
    {"C-ASYM-006", "ECDSA verify_hash of a modified signature is INVALID_SIGNATURE",
     t_ecdsa_verify_bad},
    {"C-ASYM-007", "generated P-256 key: randomized ECDSA sign_hash verifies, 64 bytes",
     t_ecdsa_generate_roundtrip},
    {"C-ASYM-008", "generated P-384 key: ECDSA-SHA-384 sign_message verifies, 96 bytes",
     t_ecdsa_p384},
    {"C-ASYM-009", "ECDSA-SHA-256 sign_hash of a 20-byte hash is INVALID_ARGUMENT",
     t_ecdsa_bad_hash_length},
    {"C-ASYM-010", "psa_sign_hash with a public key is INVALID_ARGUMENT", t_sign_with_public},
    {"C-ASYM-011", "psa_sign_hash without SIGN_HASH usage is NOT_PERMITTED", t_sign_usage_denied},
    {"C-ASYM-012", "psa_verify_hash without VERIFY_HASH usage is NOT_PERMITTED",
     t_verify_usage_denied},
    {"C-ASYM-013", "psa_sign_hash into a short buffer is BUFFER_TOO_SMALL", t_sign_small_buffer},
    {"C-ASYM-014", "psa_sign_message with ECDSA_ANY is INVALID_ARGUMENT", t_sign_message_ecdsa_any},
    {"C-ASYM-015", "an ECDSA(ANY_HASH) policy permits ECDSA with any hash, not deterministic",
     t_any_hash_policy},
    {"C-ASYM-016", "Ed25519 key pair exports the RFC 8032 test 1 public key", t_ed25519_public},
    {"C-ASYM-017", "Ed25519 signature of the empty message matches RFC 8032 test 1",
     t_ed25519_sign_empty},
    {"C-ASYM-018", "Ed25519 signature of one byte matches RFC 8032 test 2", t_ed25519_sign_one},
    {"C-ASYM-019", "Ed25519 verify: RFC 8032 test 2 accepted, altered message refused",
     t_ed25519_verify},
    {"C-ASYM-020", "psa_sign_hash with PURE_EDDSA is INVALID_ARGUMENT", t_ed25519_sign_hash},
    {"C-ASYM-021", "RSA key pair exports its RSAPublicKey DER", t_rsa_export_public},
    {"C-ASYM-022", "RSA PKCS#1 v1.5 SHA-256 signature of \"abc\" matches the known value",
     t_rsa_pkcs1_sign},
    {"C-ASYM-023", "RSA PKCS#1 v1.5 verify: known signature accepted, altered refused",
     t_rsa_pkcs1_verify},
    {"C-ASYM-024", "RSA-PSS SHA-256 signs, verifies with the public key, refuses alteration",
     t_rsa_pss},
    {"C-ASYM-025", "RSA-OAEP SHA-256 with a label encrypts and decrypts back", t_rsa_oaep},
    {"C-ASYM-026", "RSA-OAEP decrypt with a different label is INVALID_PADDING",
     t_rsa_oaep_wrong_label},
    {"C-ASYM-027", "RSA PKCS#1 v1.5 encryption round trip", t_rsa_pkcs1_crypt},
    {"C-ASYM-028", "RSA PKCS#1 v1.5 encryption with a salt is INVALID_ARGUMENT", t_rsa_pkcs1_salt},
    {"C-ASYM-029", "RSA PKCS#1 v1.5 decryption of garbage is INVALID_PADDING",
     t_rsa_decrypt_garbage},
    {"C-ASYM-030", "psa_asymmetric_encrypt into a short buffer is BUFFER_TOO_SMALL",
     t_rsa_encrypt_small_buffer},
    {"C-ASYM-031", "psa_asymmetric_encrypt without ENCRYPT usage is NOT_PERMITTED",
     t_rsa_encrypt_usage_denied},
    {"C-ASYM-032", "psa_generate_key RSA-2048: 2048 bits, signs and verifies", t_rsa_generate},
    {"C-ASYM-033", "Ed25519ph sign_message(\"abc\") matches RFC 8032 7.3",
     t_ed25519ph_sign_message},
    {"C-ASYM-034", "Ed25519ph sign_hash(SHA-512(\"abc\")) matches RFC 8032 7.3 and verifies",
     t_ed25519ph_sign_hash},
    {"C-ASYM-035", "Ed25519ph verify: RFC 8032 7.3 accepted, altered message refused",
     t_ed25519ph_verify},
    {"C-ASYM-036", "Ed448ph public key, sign_message and sign_hash match RFC 8032 7.5",
     t_ed448ph_sign},
    {"C-ASYM-037", "Ed25519ph sign_hash: 32-byte hash INVALID_ARGUMENT, short buffer too small",
     t_edph_bad_hash_length},
    {"C-ASYM-038", "HashEdDSA with SHA-256 is NOT_SUPPORTED, with hash 0 INVALID_ARGUMENT",
     t_edph_other_hash},
    {"C-ASYM-039", "an ECDSA(ANY_HASH) policy does not permit ECDSA_ANY", t_any_hash_not_ecdsa_any},
    {"C-ASYM-040",
     "asymmetric_encrypt with a signature algorithm: ECC NOT_SUPPORTED, RSA "
     "INVALID_ARGUMENT",
     t_encrypt_signature_alg},
    {"C-ASYM-041", "psa_verify_hash with a symmetric key is NOT_SUPPORTED", t_verify_symmetric_key},
    {NULL, NULL, NULL},
};
