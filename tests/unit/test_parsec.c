/* Unit tests of the Parsec front end, in-process on libpsa-local (sheet byte vectors). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "parsec/parsec_config.h"
#include "parsec/parsec_kim.h"
#include "parsec/parsec_ops.h"
#include "parsec/parsec_serve.h"
#include "parsec/parsec_wire.h"

#include "psa_generate_key.pb-c.h"
#include "psa_sign_hash.pb-c.h"
#include "psa_verify_hash.pb-c.h"

static char state_dir[] = "/tmp/test-parsec-XXXXXX";
static parsec_config_t config;
static parsec_ctx_t ctx;
static uint8_t resp[PARSEC_HEADER_SIZE + (1u << 20)];
static size_t resp_len;

/* Sheet 1.9, byte for byte. */
static const uint8_t ping_request[36] = {0x10, 0xa7, 0xc0, 0x5e, 0x1e, 0x00, 0x01, 0x00, 0x00,
                                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                         0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
static const uint8_t ping_response[38] = {
    0x10, 0xa7, 0xc0, 0x5e, 0x1e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01};
static const uint8_t random_request[42] = {
    0x10, 0xa7, 0xc0, 0x5e, 0x1e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x02, 0x00, 0x00, 0x00, 0x04, 0x00,
    0x0d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x10, 0xe8, 0x03, 0x00, 0x00};
static const uint8_t invalid_header_response[36] = {
    0x10, 0xa7, 0xc0, 0x5e, 0x1e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00};

static parsec_status_t serve_as(uid_t uid, const uint8_t *req, size_t len)
{
    parsec_caller_t caller = {.uid = uid, .pid = getpid()};
    size_t need = 0;
    parsec_status_t s = parsec_frame(req, len, config.body_len_limit, &need);
    if (s != PARSEC_SUCCESS || need != len) {
        parsec_encode_read_error(s != PARSEC_SUCCESS ? s : PARSEC_CONNECTION_ERROR, resp);
        resp_len = PARSEC_HEADER_SIZE;
        return s != PARSEC_SUCCESS ? s : PARSEC_CONNECTION_ERROR;
    }
    return parsec_serve(&ctx, &caller, req, len, resp, sizeof(resp), &resp_len);
}

/* Builds a request: header fields, body, auth (UID 1000 little-endian unless given). */
static size_t build(uint8_t *out, uint8_t provider, uint32_t opcode, uint8_t auth_type,
                    const uint8_t *body, size_t body_len, const uint8_t *auth, size_t auth_len)
{
    memcpy(out, ping_request, 36);
    out[10] = provider;
    out[21] = auth_type;
    out[22] = (uint8_t)body_len;
    out[23] = (uint8_t)(body_len >> 8);
    out[24] = (uint8_t)(body_len >> 16);
    out[26] = (uint8_t)auth_len;
    out[27] = (uint8_t)(auth_len >> 8);
    out[28] = (uint8_t)opcode;
    if (body_len > 0) {
        memcpy(out + 36, body, body_len);
    }
    if (auth_len > 0) {
        memcpy(out + 36 + body_len, auth, auth_len);
    }
    return 36 + body_len + auth_len;
}

static const uint8_t uid1000[4] = {0xe8, 0x03, 0x00, 0x00};

static uint16_t resp_status(void)
{
    return (uint16_t)(resp[32] | (resp[33] << 8));
}

static void test_ping_vector(void **state)
{
    (void)state;
    assert_int_equal(serve_as(1000, ping_request, sizeof(ping_request)), PARSEC_SUCCESS);
    assert_int_equal(resp_len, sizeof(ping_response));
    assert_memory_equal(resp, ping_response, sizeof(ping_response));
}

static void test_random_vector(void **state)
{
    (void)state;
    assert_int_equal(serve_as(1000, random_request, sizeof(random_request)), PARSEC_SUCCESS);
    assert_int_equal(resp_len, 36 + 18);
    assert_int_equal(resp[10], 4);    /* provider echoed */
    assert_int_equal(resp[28], 0x0d); /* opcode echoed */
    assert_int_equal(resp[21], 0);    /* request-only fields zero */
    assert_int_equal(resp[36], 0x0a); /* random_bytes, 16 bytes */
    assert_int_equal(resp[37], 16);
    /* The same bytes from another uid: the 4-byte UID does not match SO_PEERCRED. */
    assert_int_equal(serve_as(1001, random_request, sizeof(random_request)),
                     PARSEC_AUTHENTICATION_ERROR);
    assert_int_equal(resp_len, 36);
    assert_int_equal(resp[10], 4);
    assert_int_equal(resp[28], 0x0d);
    assert_int_equal(resp_status(), 11);
}

static void test_header_errors(void **state)
{
    (void)state;
    uint8_t req[64];
    size_t len;
    struct {
        size_t offset;
        uint8_t value;
        parsec_status_t expected;
    } cases[] = {
        {0, 0x11, PARSEC_INVALID_HEADER},                      /* magic */
        {4, 0x1f, PARSEC_INVALID_HEADER},                      /* header size */
        {7, 0x01, PARSEC_WIRE_PROTOCOL_VERSION_NOT_SUPPORTED}, /* version 1.1 */
        {6, 0x02, PARSEC_WIRE_PROTOCOL_VERSION_NOT_SUPPORTED}, /* version 2.0 */
        {34, 0x01, PARSEC_INVALID_HEADER},                     /* reserved1 */
        {35, 0x01, PARSEC_INVALID_HEADER},                     /* reserved2 */
        {19, 0x01, PARSEC_CONTENT_TYPE_NOT_SUPPORTED},
        {20, 0x01, PARSEC_ACCEPT_TYPE_NOT_SUPPORTED},
        {21, 0x05, PARSEC_AUTHENTICATOR_DOES_NOT_EXIST},
        {28, 0x1d, PARSEC_OPCODE_DOES_NOT_EXIST},
        {28, 0x21, PARSEC_OPCODE_DOES_NOT_EXIST},
        {10, 0x06, PARSEC_PROVIDER_DOES_NOT_EXIST},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(req, ping_request, 36);
        req[cases[i].offset] = cases[i].value;
        assert_int_equal(serve_as(1000, req, 36), cases[i].expected);
        /* Unreadable requests: provider core, opcode Ping, empty body, the status. */
        uint8_t expected[36];
        memcpy(expected, invalid_header_response, 36);
        expected[32] = (uint8_t)cases[i].expected;
        assert_int_equal(resp_len, 36);
        assert_memory_equal(resp, expected, 36);
    }
    /* The sheet's InvalidHeader vector exactly. */
    memcpy(req, ping_request, 36);
    req[35] = 1;
    serve_as(1000, req, 36);
    assert_memory_equal(resp, invalid_header_response, 36);
    /* Flags are not checked (as in Parsec); the session is echoed. */
    memcpy(req, ping_request, 36);
    req[8] = 0xff;
    req[11] = 0x42;
    assert_int_equal(serve_as(1000, req, 36), PARSEC_SUCCESS);
    assert_int_equal(resp[11], 0x42);
    assert_int_equal(resp[8], 0);
    /* Bytes after the request on the one-request connection. */
    memcpy(req, ping_request, 36);
    req[36] = 0;
    assert_int_equal(serve_as(1000, req, 37), PARSEC_INVALID_HEADER);
    /* A body over the limit is refused before it is read. */
    len = build(req, 0, PARSEC_OP_PING, 0, NULL, 0, NULL, 0);
    req[24] = 0x20; /* 2 MiB */
    size_t need = 0;
    assert_int_equal(parsec_frame(req, 36, config.body_len_limit, &need),
                     PARSEC_BODY_SIZE_EXCEEDS_LIMIT);
    (void)len;
}

static void test_routing_and_auth_errors(void **state)
{
    (void)state;
    uint8_t req[128];
    size_t len;
    /* Core opcode sent to the crypto provider, and the reverse: echoed, PsaErrorNotSupported. */
    len = build(req, 4, PARSEC_OP_PING, 0, NULL, 0, NULL, 0);
    assert_int_equal(serve_as(1000, req, len), PARSEC_PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(resp[10], 4);
    assert_int_equal(resp[28], PARSEC_OP_PING);
    len =
        build(req, 0, PARSEC_OP_PSA_GENERATE_RANDOM, 3, (const uint8_t *)"\x08\x10", 2, uid1000, 4);
    assert_int_equal(serve_as(1000, req, len), PARSEC_PSA_ERROR_NOT_SUPPORTED);
    /* A provider id clients know that is not registered here. */
    len = build(req, 1, PARSEC_OP_PING, 0, NULL, 0, NULL, 0);
    assert_int_equal(serve_as(1000, req, len), PARSEC_PROVIDER_NOT_REGISTERED);
    assert_int_equal(resp[10], 1);
    /* Crypto and ListKeys need authentication. */
    len = build(req, 4, PARSEC_OP_PSA_GENERATE_RANDOM, 0, (const uint8_t *)"\x08\x10", 2, NULL, 0);
    assert_int_equal(serve_as(1000, req, len), PARSEC_NOT_AUTHENTICATED);
    len = build(req, 0, PARSEC_OP_LIST_KEYS, 0, NULL, 0, NULL, 0);
    assert_int_equal(serve_as(1000, req, len), PARSEC_NOT_AUTHENTICATED);
    /* Another authenticator than the configured one; a UID of the wrong length. */
    len = build(req, 0, PARSEC_OP_LIST_KEYS, 1, NULL, 0, (const uint8_t *)"app", 3);
    assert_int_equal(serve_as(1000, req, len), PARSEC_AUTHENTICATOR_NOT_REGISTERED);
    len = build(req, 0, PARSEC_OP_LIST_KEYS, 2, NULL, 0, (const uint8_t *)"jwt", 3);
    assert_int_equal(serve_as(1000, req, len), PARSEC_AUTHENTICATOR_NOT_REGISTERED);
    len = build(req, 0, PARSEC_OP_LIST_KEYS, 3, NULL, 0, uid1000, 3);
    assert_int_equal(serve_as(1000, req, len), PARSEC_AUTHENTICATION_ERROR);
    /* Admin operations: uid 1000 is not an admin, uid 0 is (configured). */
    len = build(req, 0, PARSEC_OP_LIST_CLIENTS, 3, NULL, 0, uid1000, 4);
    assert_int_equal(serve_as(1000, req, len), PARSEC_ADMIN_OPERATION);
    len = build(req, 0, PARSEC_OP_LIST_CLIENTS, 3, NULL, 0, (const uint8_t *)"\0\0\0\0", 4);
    assert_int_equal(serve_as(0, req, len), PARSEC_SUCCESS);
    /* A body that is not the operation's message; a random size over the buffer limit. */
    len =
        build(req, 4, PARSEC_OP_PSA_GENERATE_RANDOM, 3, (const uint8_t *)"\x0a\x05", 2, uid1000, 4);
    assert_int_equal(serve_as(1000, req, len), PARSEC_DESERIALIZING_BODY_FAILED);
    len = build(req, 4, PARSEC_OP_PSA_GENERATE_RANDOM, 3, (const uint8_t *)"\x08\x81\x80\x40", 4,
                uid1000, 4);
    assert_int_equal(serve_as(1000, req, len), PARSEC_RESPONSE_TOO_LARGE);
    /* Attestation: decoded, not offered. */
    len = build(req, 4, PARSEC_OP_ATTEST_KEY, 3, NULL, 0, uid1000, 4);
    assert_int_equal(serve_as(1000, req, len), PARSEC_PSA_ERROR_NOT_SUPPORTED);
}

static size_t pack_generate_ecc(uint8_t *body, const char *name)
{
    PsaAlgorithm__Algorithm__AsymmetricSignature__SignHash hash =
        PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__INIT;
    hash.variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_SPECIFIC;
    hash.specific = PSA_ALGORITHM__ALGORITHM__HASH__SHA_256;
    PsaAlgorithm__Algorithm__AsymmetricSignature__Ecdsa ecdsa =
        PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__ECDSA__INIT;
    ecdsa.hash_alg = &hash;
    PsaAlgorithm__Algorithm__AsymmetricSignature sig =
        PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__INIT;
    sig.variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_ECDSA;
    sig.ecdsa = &ecdsa;
    PsaAlgorithm__Algorithm alg = PSA_ALGORITHM__ALGORITHM__INIT;
    alg.variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE;
    alg.asymmetric_signature = &sig;
    PsaKeyAttributes__UsageFlags usage = PSA_KEY_ATTRIBUTES__USAGE_FLAGS__INIT;
    usage.sign_hash = usage.verify_hash = 1;
    PsaKeyAttributes__KeyPolicy policy = PSA_KEY_ATTRIBUTES__KEY_POLICY__INIT;
    policy.key_usage_flags = &usage;
    policy.key_algorithm = &alg;
    PsaKeyAttributes__KeyType__EccKeyPair pair = PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_KEY_PAIR__INIT;
    pair.curve_family = PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECP_R1;
    PsaKeyAttributes__KeyType type = PSA_KEY_ATTRIBUTES__KEY_TYPE__INIT;
    type.variant_case = PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_KEY_PAIR;
    type.ecc_key_pair = &pair;
    PsaKeyAttributes__KeyAttributes attrs = PSA_KEY_ATTRIBUTES__KEY_ATTRIBUTES__INIT;
    attrs.key_type = &type;
    attrs.key_bits = 256;
    attrs.key_policy = &policy;
    PsaGenerateKey__Operation op = PSA_GENERATE_KEY__OPERATION__INIT;
    op.key_name = (char *)name;
    op.attributes = &attrs;
    return psa_generate_key__operation__pack(&op, body);
}

static void test_sign_hash_vector(void **state)
{
    (void)state;
    uint8_t body[256], req[512], sig[64];
    size_t len = build(req, 4, PARSEC_OP_PSA_GENERATE_KEY, 3, body, pack_generate_ecc(body, "k1"),
                       uid1000, 4);
    assert_int_equal(serve_as(1000, req, len), PARSEC_SUCCESS);
    assert_int_equal(resp_len, 36);
    /* The same name again. */
    assert_int_equal(serve_as(1000, req, len), PARSEC_PSA_ERROR_ALREADY_EXISTS);
    /* The sheet's SignHash body (46 bytes): "k1", ECDSA(SHA-256), 32 zero bytes. */
    uint8_t sign_body[46] = {0x0a, 0x02, 0x6b, 0x31, 0x12, 0x06, 0x22,
                             0x04, 0x0a, 0x02, 0x10, 0x07, 0x1a, 0x20};
    len = build(req, 4, PARSEC_OP_PSA_SIGN_HASH, 3, sign_body, sizeof(sign_body), uid1000, 4);
    assert_int_equal(serve_as(1000, req, len), PARSEC_SUCCESS);
    assert_int_equal(resp_len, 36 + 2 + 64);
    assert_int_equal(resp[36], 0x0a);
    assert_int_equal(resp[37], 64);
    memcpy(sig, resp + 38, 64);
    /* Another application (uid 1001) naming "k1" has no such key. */
    uint8_t uid1001[4] = {0xe9, 0x03, 0, 0};
    len = build(req, 4, PARSEC_OP_PSA_SIGN_HASH, 3, sign_body, sizeof(sign_body), uid1001, 4);
    assert_int_equal(serve_as(1001, req, len), PARSEC_PSA_ERROR_DOES_NOT_EXIST);
    /* Verify through VerifyHash; a flipped bit is PsaErrorInvalidSignature. */
    PsaVerifyHash__Operation v = PSA_VERIFY_HASH__OPERATION__INIT;
    ProtobufCMessage *sop = protobuf_c_message_unpack(&psa_sign_hash__operation__descriptor, NULL,
                                                      sizeof(sign_body), sign_body);
    assert_non_null(sop);
    PsaSignHash__Operation *so = (PsaSignHash__Operation *)sop;
    v.key_name = so->key_name;
    v.alg = so->alg;
    v.hash = so->hash;
    v.signature.data = sig;
    v.signature.len = sizeof(sig);
    len = build(req, 4, PARSEC_OP_PSA_VERIFY_HASH, 3, body,
                psa_verify_hash__operation__pack(&v, body), uid1000, 4);
    assert_int_equal(serve_as(1000, req, len), PARSEC_SUCCESS);
    sig[5] ^= 1;
    len = build(req, 4, PARSEC_OP_PSA_VERIFY_HASH, 3, body,
                psa_verify_hash__operation__pack(&v, body), uid1000, 4);
    assert_int_equal(serve_as(1000, req, len), PARSEC_PSA_ERROR_INVALID_SIGNATURE);
    protobuf_c_message_free_unpacked(sop, NULL);
    /* Destroy, then the name is free and the key gone. */
    uint8_t destroy_body[4] = {0x0a, 0x02, 0x6b, 0x31};
    len = build(req, 4, PARSEC_OP_PSA_DESTROY_KEY, 3, destroy_body, 4, uid1000, 4);
    assert_int_equal(serve_as(1000, req, len), PARSEC_SUCCESS);
    assert_int_equal(serve_as(1000, req, len), PARSEC_PSA_ERROR_DOES_NOT_EXIST);
    len = build(req, 4, PARSEC_OP_PSA_SIGN_HASH, 3, sign_body, sizeof(sign_body), uid1000, 4);
    assert_int_equal(serve_as(1000, req, len), PARSEC_PSA_ERROR_DOES_NOT_EXIST);
}

static void test_kim_recovery(void **state)
{
    (void)state;
    char path[128];
    parsec_kim_t *kim = NULL;
    parsec_kim_key_t k = {.type = PSA_KEY_TYPE_AES, .bits = 128};
    psa_key_id_t id = 0, id2 = 0;
    size_t unresolved = 9;
    snprintf(path, sizeof(path), "%s/kim/crash.sqlite3", state_dir);
    assert_int_equal(parsec_kim_open(path, &kim), PARSEC_SUCCESS);
    assert_int_equal(parsec_kim_begin_create(kim, 3, "7", "pending", &k, &id), PARSEC_SUCCESS);
    /* In flight in this run: invisible, not to be taken over. */
    assert_int_equal(parsec_kim_lookup(kim, 3, "7", "pending", &k),
                     PARSEC_PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(parsec_kim_begin_create(kim, 3, "7", "pending", &k, &id2),
                     PARSEC_PSA_ERROR_ALREADY_EXISTS);
    parsec_kim_close(kim); /* "crash" between the phases */
    assert_int_equal(parsec_kim_open(path, &kim), PARSEC_SUCCESS);
    assert_int_equal(parsec_kim_recover(kim, &unresolved), PARSEC_SUCCESS);
    assert_int_equal(unresolved, 0);
    /* The name is free again and the id is not reused. */
    assert_int_equal(parsec_kim_begin_create(kim, 3, "7", "pending", &k, &id2), PARSEC_SUCCESS);
    assert_true(id2 > id);
    k.id = id2;
    assert_int_equal(parsec_kim_commit_create(kim, &k), PARSEC_SUCCESS);
    assert_int_equal(parsec_kim_lookup(kim, 3, "7", "pending", &k), PARSEC_SUCCESS);
    assert_int_equal(k.id, id2);
    /* Same name, other application or other authenticator: separate namespaces. */
    assert_int_equal(parsec_kim_lookup(kim, 3, "8", "pending", &k),
                     PARSEC_PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(parsec_kim_lookup(kim, 1, "7", "pending", &k),
                     PARSEC_PSA_ERROR_DOES_NOT_EXIST);
    parsec_kim_close(kim);
}

static const char sample_config[] = "# Parsec's shipped layout\n"
                                    "[core_settings]\n"
                                    "thread_pool_size = 8\n"
                                    "idle_listener_sleep_duration = 10 # ms\n"
                                    "log_level = \"info\"\n"
                                    "allow_root = true\n"
                                    "body_len_limit = 1_048_576\n"
                                    "\n"
                                    "[listener]\n"
                                    "listener_type = \"DomainSocket\"\n"
                                    "timeout = 200\n"
                                    "socket_path = '/run/parsec/parsec.sock'\n"
                                    "[authenticator]\n"
                                    "auth_type = \"UnixPeerCredentials\"\n"
                                    "admins = [ { name = \"0\" }, { name = \"adm\\u00e9\" } ]\n"
                                    "[[key_manager]]\n"
                                    "name = \"sqlite-manager\"\n"
                                    "manager_type = \"SQLite\"\n"
                                    "sqlite_db_path = \"/var/lib/x.sqlite3\"\n"
                                    "[[provider]]\n"
                                    "provider_type = \"TrustedService\"\n"
                                    "key_info_manager = \"sqlite-manager\"\n";

static void test_config(void **state)
{
    (void)state;
    parsec_config_t c;
    char err[256];
    parsec_config_defaults(&c);
    assert_true(parsec_config_load(&c, PARSEC_EXAMPLE_CONFIG, err, sizeof(err)));
    assert_string_equal(c.socket_path, "/run/parsec/parsec.sock");
    assert_false(c.allow_root);
    parsec_config_free(&c);
    parsec_config_defaults(&c);
    assert_true(parsec_config_parse(&c, sample_config, strlen(sample_config), err, sizeof(err)));
    assert_int_equal(c.thread_pool_size, 8);
    assert_int_equal(c.log_level, PARSEC_LOG_INFO);
    assert_true(c.allow_root);
    assert_int_equal(c.body_len_limit, 1048576);
    assert_string_equal(c.socket_path, "/run/parsec/parsec.sock");
    assert_int_equal(c.admin_count, 2);
    assert_string_equal(c.admins[1], "adm\xc3\xa9");
    assert_string_equal(c.sqlite_db_path, "/var/lib/x.sqlite3");
    parsec_config_free(&c);
    static const struct {
        const char *text;
        const char *error;
    } bad[] = {
        {"[core_settings]\nthread_pool_size = 0\n",
         "line 2: [core_settings] thread_pool_size: out of range"},
        {"[core_settings]\nbogus = 1\n", "line 2: [core_settings] bogus: unknown key"},
        {"\n[listener]\ntimeout = 1.5\n", "line 3: unsupported value (float, date or bare word)"},
        {"[a]\n[a]\n", "line 2: table defined twice"},
        {"[listener]\ntimeout = 1\ntimeout = 2\n", "line 3: duplicate key"},
        {"x = \"unterminated\n", "line 1: unterminated string"},
        {"[authenticator]\nauth_type = \"Jwt\"\n",
         "line 2: [authenticator] auth_type: only \"UnixPeerCredentials\" and \"Direct\" are "
         "supported"},
        {"[[provider]]\nprovider_type = \"MbedCrypto\"\n",
         "line 2: [provider] provider_type: only \"TrustedService\" is supported"},
        {"[core_settings]\nbody_len_limit = 99999999999999999999\n",
         "line 2: integer out of range"},
        {"a.b = 1\n", "line 1: dotted names are not supported"},
        {"[authenticator]\nadmins = [ \"0\" ]\n",
         "line 2: [authenticator] admins: expected an array of { name = \"...\" }"},
        {"[[provider]]\nkey_info_manager = \"other\"\n",
         "[[provider]] key_info_manager \"other\" names no [[key_manager]]"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        parsec_config_defaults(&c);
        assert_false(parsec_config_parse(&c, bad[i].text, strlen(bad[i].text), err, sizeof(err)));
        assert_string_equal(err, bad[i].error);
        parsec_config_free(&c);
    }
}

/* The Parsec column: every crypto row places every field of its Operation and Result
 * messages exactly once, each on a field of the type its role needs. */
static void test_op_table_column(void **state)
{
    (void)state;
    /* Rows flagged as Parsec's own TS provider's: the 11 opcodes of its describe() (sheet 3.3). */
    static const uint32_t upstream[] = {0x03, 0x02, 0x04, 0x05, 0x06, 0x07,
                                        0x0C, 0x0D, 0x20, 0x0A, 0x0B};
    size_t flagged = 0;
    for (size_t i = 0; i < parsec_op_table_size; i++) {
        flagged += (parsec_op_table[i].flags & PARSEC_OP_UPSTREAM_TS) != 0;
    }
    assert_int_equal(flagged, sizeof(upstream) / sizeof(upstream[0]));
    for (size_t i = 0; i < sizeof(upstream) / sizeof(upstream[0]); i++) {
        const parsec_op_t *op = parsec_op_find(upstream[i]);
        assert_non_null(op);
        assert_true(op->flags & PARSEC_OP_UPSTREAM_TS);
        assert_true(op->flags & PARSEC_OP_LISTED);
        assert_int_equal(op->provider, PARSEC_PROVIDER_TRUSTED_SERVICE);
    }
    for (size_t i = 0; i < parsec_op_table_size; i++) {
        const parsec_op_t *op = &parsec_op_table[i];
        assert_non_null(op->operation);
        assert_non_null(op->result);
        assert_true(parsec_op_find(op->opcode) == op);
        if (op->run != NULL) {
            assert_int_equal(op->param_count, 0);
            continue;
        }
        assert_non_null(op->call);
        assert_int_not_equal(op->psa_fid, 0);
        unsigned used_op = 0, used_result = 0;
        for (size_t k = 0; k < op->param_count; k++) {
            const parsec_param_t *p = &op->params[k];
            bool out = p->role == PARSEC_ROLE_OUT || p->role == PARSEC_ROLE_OUT_FILL;
            const ProtobufCFieldDescriptor *f =
                protobuf_c_message_descriptor_get_field(out ? op->result : op->operation, p->field);
            assert_non_null(f);
            unsigned *used = out ? &used_result : &used_op;
            assert_false(*used & (1u << p->field)); /* placed once */
            *used |= 1u << p->field;
            switch (p->role) {
            case PARSEC_ROLE_KEY:
            case PARSEC_ROLE_KEY_OUT:
                assert_int_equal(f->type, PROTOBUF_C_TYPE_STRING);
                break;
            case PARSEC_ROLE_IN:
            case PARSEC_ROLE_OUT:
            case PARSEC_ROLE_OUT_FILL:
                assert_int_equal(f->type, PROTOBUF_C_TYPE_BYTES);
                break;
            case PARSEC_ROLE_ALG:
                assert_true(f->type == PROTOBUF_C_TYPE_MESSAGE || f->type == PROTOBUF_C_TYPE_ENUM);
                break;
            case PARSEC_ROLE_ATTRS:
                assert_int_equal(f->type, PROTOBUF_C_TYPE_MESSAGE);
                break;
            default:
                fail();
            }
            if (p->role == PARSEC_ROLE_OUT_FILL) {
                const ProtobufCFieldDescriptor *size =
                    protobuf_c_message_descriptor_get_field(op->operation, p->size_field);
                assert_non_null(size);
                assert_int_equal(size->type, PROTOBUF_C_TYPE_UINT64);
                used_op |= 1u << p->size_field;
            }
            if (p->role == PARSEC_ROLE_OUT) {
                assert_int_not_equal(op->out_rule, PARSEC_OUT_NONE);
            }
        }
        for (unsigned n = 0; n < op->operation->n_fields; n++) {
            assert_true(used_op & (1u << op->operation->fields[n].id));
        }
        for (unsigned n = 0; n < op->result->n_fields; n++) {
            assert_true(used_result & (1u << op->result->fields[n].id));
        }
    }
}

/* Direct authentication: the name is the application, unchecked but valid UTF-8; names of two
 * applications never meet; ListAuthenticators says Direct. */
static void test_direct_auth(void **state)
{
    (void)state;
    uint8_t body[256], req[512];
    size_t len;
    config.auth_type = PARSEC_AUTH_DIRECT;
    len = build(req, 0, PARSEC_OP_LIST_AUTHENTICATORS, 0, NULL, 0, NULL, 0);
    assert_int_equal(serve_as(1000, req, len), PARSEC_SUCCESS);
    /* authenticators[0] { ... id = 1 }: the last field of the one entry. */
    assert_int_equal(resp[resp_len - 2], 0x28);
    assert_int_equal(resp[resp_len - 1], PARSEC_AUTH_DIRECT);
    len = build(req, 4, PARSEC_OP_PSA_GENERATE_KEY, 1, body, pack_generate_ecc(body, "d1"),
                (const uint8_t *)"app-one", 7);
    assert_int_equal(serve_as(1000, req, len), PARSEC_SUCCESS);
    /* Same name for another application: its own key. */
    len = build(req, 4, PARSEC_OP_PSA_GENERATE_KEY, 1, body, pack_generate_ecc(body, "d1"),
                (const uint8_t *)"app-two", 7);
    assert_int_equal(serve_as(1000, req, len), PARSEC_SUCCESS);
    assert_int_equal(serve_as(1001, req, len), PARSEC_PSA_ERROR_ALREADY_EXISTS);
    /* Unix peer credentials are not registered now; bad names are refused. */
    len = build(req, 0, PARSEC_OP_LIST_KEYS, 3, NULL, 0, uid1000, 4);
    assert_int_equal(serve_as(1000, req, len), PARSEC_AUTHENTICATOR_NOT_REGISTERED);
    static const struct {
        const char *name;
        size_t len;
    } bad[] = {
        {"", 0},        {"a\0b", 3}, {"\xc0\xaf", 2}, {"\xed\xa0\x80", 3}, {"\xf4\x90\x80\x80", 4},
        {"\xe2\x82", 2}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        len = build(req, 0, PARSEC_OP_LIST_KEYS, 1, NULL, 0, (const uint8_t *)bad[i].name,
                    bad[i].len);
        assert_int_equal(serve_as(1000, req, len), PARSEC_AUTHENTICATION_ERROR);
    }
    /* Each application destroys its own "d1" only. */
    uint8_t destroy_body[4] = {0x0a, 0x02, 'd', '1'};
    len =
        build(req, 4, PARSEC_OP_PSA_DESTROY_KEY, 1, destroy_body, 4, (const uint8_t *)"app-one", 7);
    assert_int_equal(serve_as(1000, req, len), PARSEC_SUCCESS);
    assert_int_equal(serve_as(1000, req, len), PARSEC_PSA_ERROR_DOES_NOT_EXIST);
    len =
        build(req, 4, PARSEC_OP_PSA_DESTROY_KEY, 1, destroy_body, 4, (const uint8_t *)"app-two", 7);
    assert_int_equal(serve_as(1000, req, len), PARSEC_SUCCESS);
    config.auth_type = PARSEC_AUTH_UNIX_PEER;
}

static int setup(void **state)
{
    (void)state;
    char path[128];
    if (mkdtemp(state_dir) == NULL) {
        return -1;
    }
    setenv("PSA_STATE_DIR", state_dir, 1);
    parsec_config_defaults(&config);
    config.admins[0] = strdup("0");
    config.admin_count = 1;
    snprintf(path, sizeof(path), "%s/parsec/keys.sqlite3", state_dir);
    ctx.config = &config;
    return psa_crypto_init() == PSA_SUCCESS && parsec_kim_open(path, &ctx.kim) == PARSEC_SUCCESS
               ? 0
               : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[160];
    parsec_kim_close(ctx.kim);
    parsec_config_free(&config);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping_vector),      cmocka_unit_test(test_random_vector),
        cmocka_unit_test(test_header_errors),    cmocka_unit_test(test_routing_and_auth_errors),
        cmocka_unit_test(test_sign_hash_vector), cmocka_unit_test(test_kim_recovery),
        cmocka_unit_test(test_config),           cmocka_unit_test(test_op_table_column),
        cmocka_unit_test(test_direct_auth),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
