/* Known-answer driver for the PSA hash and MAC calls over the CAVP and RFC vector files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psa/crypto.h>

#include "vector_file.h"

static vf_tally_t tally;

/* ---- hashes -------------------------------------------------------------------------------- */

/* How a hash file's records carry the expected output. */
typedef enum hash_kind {
    HASH_MSG,        /* Len, Msg, MD */
    HASH_XOF_MSG,    /* Len, Msg, Output (an XOF prefix, length from [Outputlen]) */
    HASH_MONTE_SHA2, /* SHAVS Monte Carlo: Seed, then COUNT / MD, 3-digest chaining */
    HASH_MONTE_SHA3, /* SHA3VS Monte Carlo: Seed, then COUNT / MD, digest-of-digest chaining */
} hash_kind_t;

typedef struct hash_file {
    const char *path;
    psa_algorithm_t alg;
    hash_kind_t kind;
    bool local; /* in tests/vectors/data, not in python3-cryptography-vectors */
} hash_file_t;

static const hash_file_t hash_files[] = {
    {"rfc-1320-md4.txt", PSA_ALG_MD4, HASH_MSG, true},
    {"zigbee-aes-mmo.txt", PSA_ALG_AES_MMO_ZIGBEE, HASH_MSG, true},
    {"hashes/MD5/rfc-1321.txt", PSA_ALG_MD5, HASH_MSG, false},
    {"hashes/ripemd160/ripevectors.txt", PSA_ALG_RIPEMD160, HASH_MSG, false},
    {"hashes/SM3/oscca.txt", PSA_ALG_SM3, HASH_MSG, false},
    {"hashes/SHA1/SHA1ShortMsg.rsp", PSA_ALG_SHA_1, HASH_MSG, false},
    {"hashes/SHA1/SHA1LongMsg.rsp", PSA_ALG_SHA_1, HASH_MSG, false},
    {"hashes/SHA1/SHA1Monte.rsp", PSA_ALG_SHA_1, HASH_MONTE_SHA2, false},
    {"hashes/SHA2/SHA224ShortMsg.rsp", PSA_ALG_SHA_224, HASH_MSG, false},
    {"hashes/SHA2/SHA224LongMsg.rsp", PSA_ALG_SHA_224, HASH_MSG, false},
    {"hashes/SHA2/SHA224Monte.rsp", PSA_ALG_SHA_224, HASH_MONTE_SHA2, false},
    {"hashes/SHA2/SHA256ShortMsg.rsp", PSA_ALG_SHA_256, HASH_MSG, false},
    {"hashes/SHA2/SHA256LongMsg.rsp", PSA_ALG_SHA_256, HASH_MSG, false},
    {"hashes/SHA2/SHA256Monte.rsp", PSA_ALG_SHA_256, HASH_MONTE_SHA2, false},
    {"hashes/SHA2/SHA384ShortMsg.rsp", PSA_ALG_SHA_384, HASH_MSG, false},
    {"hashes/SHA2/SHA384LongMsg.rsp", PSA_ALG_SHA_384, HASH_MSG, false},
    {"hashes/SHA2/SHA384Monte.rsp", PSA_ALG_SHA_384, HASH_MONTE_SHA2, false},
    {"hashes/SHA2/SHA512ShortMsg.rsp", PSA_ALG_SHA_512, HASH_MSG, false},
    {"hashes/SHA2/SHA512LongMsg.rsp", PSA_ALG_SHA_512, HASH_MSG, false},
    {"hashes/SHA2/SHA512Monte.rsp", PSA_ALG_SHA_512, HASH_MONTE_SHA2, false},
    {"hashes/SHA2/SHA512_224ShortMsg.rsp", PSA_ALG_SHA_512_224, HASH_MSG, false},
    {"hashes/SHA2/SHA512_224LongMsg.rsp", PSA_ALG_SHA_512_224, HASH_MSG, false},
    {"hashes/SHA2/SHA512_224Monte.rsp", PSA_ALG_SHA_512_224, HASH_MONTE_SHA2, false},
    {"hashes/SHA2/SHA512_256ShortMsg.rsp", PSA_ALG_SHA_512_256, HASH_MSG, false},
    {"hashes/SHA2/SHA512_256LongMsg.rsp", PSA_ALG_SHA_512_256, HASH_MSG, false},
    {"hashes/SHA2/SHA512_256Monte.rsp", PSA_ALG_SHA_512_256, HASH_MONTE_SHA2, false},
    {"hashes/SHA3/SHA3_224ShortMsg.rsp", PSA_ALG_SHA3_224, HASH_MSG, false},
    {"hashes/SHA3/SHA3_224LongMsg.rsp", PSA_ALG_SHA3_224, HASH_MSG, false},
    {"hashes/SHA3/SHA3_224Monte.rsp", PSA_ALG_SHA3_224, HASH_MONTE_SHA3, false},
    {"hashes/SHA3/SHA3_256ShortMsg.rsp", PSA_ALG_SHA3_256, HASH_MSG, false},
    {"hashes/SHA3/SHA3_256LongMsg.rsp", PSA_ALG_SHA3_256, HASH_MSG, false},
    {"hashes/SHA3/SHA3_256Monte.rsp", PSA_ALG_SHA3_256, HASH_MONTE_SHA3, false},
    {"hashes/SHA3/SHA3_384ShortMsg.rsp", PSA_ALG_SHA3_384, HASH_MSG, false},
    {"hashes/SHA3/SHA3_384LongMsg.rsp", PSA_ALG_SHA3_384, HASH_MSG, false},
    {"hashes/SHA3/SHA3_384Monte.rsp", PSA_ALG_SHA3_384, HASH_MONTE_SHA3, false},
    {"hashes/SHA3/SHA3_512ShortMsg.rsp", PSA_ALG_SHA3_512, HASH_MSG, false},
    {"hashes/SHA3/SHA3_512LongMsg.rsp", PSA_ALG_SHA3_512, HASH_MSG, false},
    {"hashes/SHA3/SHA3_512Monte.rsp", PSA_ALG_SHA3_512, HASH_MONTE_SHA3, false},
    /* PSA's SHAKE256-512 is the first 64 bytes of SHAKE256; these files give the first 32, and
     * an XOF's shorter output is a prefix of its longer one. */
    {"hashes/SHAKE/SHAKE256ShortMsg.rsp", PSA_ALG_SHAKE256_512, HASH_XOF_MSG, false},
    {"hashes/SHAKE/SHAKE256LongMsg.rsp", PSA_ALG_SHAKE256_512, HASH_XOF_MSG, false},
};

/* The message of a Len/Msg record: Len is in bits and "Msg = 00" stands for the empty string. */
static bool get_message(const vf_record_t *record, uint8_t **msg, size_t *msg_length)
{
    unsigned long long bits = 0;
    if (!vf_get_uint(record, "Len", &bits) || bits % 8 != 0 ||
        !vf_get_hex(record, "Msg", msg, msg_length)) {
        return false;
    }
    if (bits / 8 > *msg_length) {
        free(*msg);
        return false;
    }
    *msg_length = bits / 8;
    return true;
}

/* Hashes msg three ways (one-shot, compare, multi-part in two pieces) and checks expected. */
static void check_hash(const vf_record_t *record, psa_algorithm_t alg, const uint8_t *msg,
                       size_t msg_length, const uint8_t *expected, size_t expected_length,
                       bool prefix_only)
{
    uint8_t out[PSA_HASH_MAX_SIZE];
    size_t length = 0;
    psa_status_t status = psa_hash_compute(alg, msg, msg_length, out, sizeof(out), &length);
    if (status != PSA_SUCCESS) {
        vf_fail(&tally, record, "psa_hash_compute: %d", (int)status);
        return;
    }
    if (length != PSA_HASH_LENGTH(alg) || expected_length > length ||
        (!prefix_only && expected_length != length) ||
        memcmp(out, expected, expected_length) != 0) {
        vf_fail(&tally, record, "digest mismatch");
        return;
    }
    status = psa_hash_compare(alg, msg, msg_length, out, length);
    if (status != PSA_SUCCESS) {
        vf_fail(&tally, record, "psa_hash_compare: %d", (int)status);
        return;
    }
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    size_t half = msg_length / 2;
    uint8_t multi[PSA_HASH_MAX_SIZE];
    status = psa_hash_setup(&op, alg);
    if (status == PSA_SUCCESS) {
        status = psa_hash_update(&op, msg, half);
    }
    if (status == PSA_SUCCESS) {
        status = psa_hash_update(&op, msg + half, msg_length - half);
    }
    if (status == PSA_SUCCESS) {
        status = psa_hash_finish(&op, multi, sizeof(multi), &length);
    }
    psa_hash_abort(&op);
    if (status != PSA_SUCCESS || length != PSA_HASH_LENGTH(alg) ||
        memcmp(multi, out, length) != 0) {
        vf_fail(&tally, record, "multi-part hash: %d", (int)status);
        return;
    }
    vf_pass(&tally);
}

static void run_hash_msg(vf_file_t *file, const hash_file_t *spec)
{
    vf_record_t record;
    const char *out_key = spec->kind == HASH_XOF_MSG ? "Output" : "MD";
    while (vf_next(file, &record)) {
        uint8_t *msg = NULL;
        uint8_t *expected = NULL;
        size_t msg_length = 0;
        size_t expected_length = 0;
        if (!get_message(&record, &msg, &msg_length)) {
            vf_fail(&tally, &record, "cannot read Len/Msg");
            continue;
        }
        if (!vf_get_hex(&record, out_key, &expected, &expected_length)) {
            vf_fail(&tally, &record, "cannot read %s", out_key);
            free(msg);
            continue;
        }
        unsigned long long output_bits = 0;
        if (spec->kind == HASH_XOF_MSG && (!vf_get_uint(&record, "Outputlen", &output_bits) ||
                                           output_bits != expected_length * 8)) {
            vf_fail(&tally, &record, "Outputlen does not match Output");
        } else {
            check_hash(&record, spec->alg, msg, msg_length, expected, expected_length,
                       spec->kind == HASH_XOF_MSG);
        }
        free(msg);
        free(expected);
    }
}

/* One Monte Carlo checkpoint: 1000 chained hashes from seed; seed becomes the result. */
static bool monte_step(psa_algorithm_t alg, hash_kind_t kind, uint8_t *seed, size_t n)
{
    uint8_t md[3][PSA_HASH_MAX_SIZE];
    uint8_t msg[3 * PSA_HASH_MAX_SIZE];
    size_t length = 0;
    if (kind == HASH_MONTE_SHA2) {
        /* MD0 = MD1 = MD2 = seed; MDi = H(MDi-3 || MDi-2 || MDi-1) for i = 3..1002. */
        for (int k = 0; k < 3; k++) {
            memcpy(md[k], seed, n);
        }
        for (int i = 3; i <= 1002; i++) {
            memcpy(msg, md[0], n);
            memcpy(msg + n, md[1], n);
            memcpy(msg + 2 * n, md[2], n);
            memmove(md[0], md[1], n);
            memmove(md[1], md[2], n);
            if (psa_hash_compute(alg, msg, 3 * n, md[2], PSA_HASH_MAX_SIZE, &length) !=
                    PSA_SUCCESS ||
                length != n) {
                return false;
            }
        }
        memcpy(seed, md[2], n);
        return true;
    }
    /* SHA-3: MDi = H(MDi-1) for i = 1..1000. */
    for (int i = 1; i <= 1000; i++) {
        if (psa_hash_compute(alg, seed, n, md[0], PSA_HASH_MAX_SIZE, &length) != PSA_SUCCESS ||
            length != n) {
            return false;
        }
        memcpy(seed, md[0], n);
    }
    return true;
}

static void run_hash_monte(vf_file_t *file, const hash_file_t *spec)
{
    vf_record_t record;
    uint8_t seed[PSA_HASH_MAX_SIZE];
    bool have_seed = false;
    const size_t n = PSA_HASH_LENGTH(spec->alg);
    while (vf_next(file, &record)) {
        uint8_t *expected = NULL;
        size_t expected_length = 0;
        if (!have_seed) {
            uint8_t *initial = NULL;
            size_t initial_length = 0;
            if (!vf_get_hex(&record, "Seed", &initial, &initial_length) || initial_length != n) {
                vf_fail(&tally, &record, "cannot read a %zu-byte Seed", n);
                free(initial);
                continue;
            }
            memcpy(seed, initial, n);
            free(initial);
            have_seed = true;
        }
        if (!vf_get_hex(&record, "MD", &expected, &expected_length) || expected_length != n) {
            vf_fail(&tally, &record, "cannot read a %zu-byte MD", n);
            free(expected);
            continue;
        }
        if (!monte_step(spec->alg, spec->kind, seed, n)) {
            vf_fail(&tally, &record, "psa_hash_compute failed");
        } else if (memcmp(seed, expected, n) != 0) {
            vf_fail(&tally, &record, "Monte Carlo digest mismatch");
        } else {
            vf_pass(&tally);
        }
        /* Continue from the published value so one failure does not cascade. */
        memcpy(seed, expected, n);
        free(expected);
    }
}

/* ---- MACs ---------------------------------------------------------------------------------- */

typedef enum mac_kind {
    MAC_RFC_HMAC, /* Len, Key, Msg, MD */
    MAC_CMAC,     /* COUNT, KEY or KEY1..KEY3, MESSAGE, OUTPUT */
} mac_kind_t;

typedef struct mac_file {
    const char *path;
    mac_kind_t kind;
    psa_algorithm_t alg; /* full-length algorithm */
    psa_key_type_t type;
} mac_file_t;

static const mac_file_t mac_files[] = {
    {"HMAC/rfc-2202-md5.txt", MAC_RFC_HMAC, PSA_ALG_HMAC(PSA_ALG_MD5), PSA_KEY_TYPE_HMAC},
    {"HMAC/rfc-2202-sha1.txt", MAC_RFC_HMAC, PSA_ALG_HMAC(PSA_ALG_SHA_1), PSA_KEY_TYPE_HMAC},
    {"HMAC/rfc-2286-ripemd160.txt", MAC_RFC_HMAC, PSA_ALG_HMAC(PSA_ALG_RIPEMD160),
     PSA_KEY_TYPE_HMAC},
    {"HMAC/rfc-4231-sha224.txt", MAC_RFC_HMAC, PSA_ALG_HMAC(PSA_ALG_SHA_224), PSA_KEY_TYPE_HMAC},
    {"HMAC/rfc-4231-sha256.txt", MAC_RFC_HMAC, PSA_ALG_HMAC(PSA_ALG_SHA_256), PSA_KEY_TYPE_HMAC},
    {"HMAC/rfc-4231-sha384.txt", MAC_RFC_HMAC, PSA_ALG_HMAC(PSA_ALG_SHA_384), PSA_KEY_TYPE_HMAC},
    {"HMAC/rfc-4231-sha512.txt", MAC_RFC_HMAC, PSA_ALG_HMAC(PSA_ALG_SHA_512), PSA_KEY_TYPE_HMAC},
    {"CMAC/nist-800-38b-aes128.txt", MAC_CMAC, PSA_ALG_CMAC, PSA_KEY_TYPE_AES},
    {"CMAC/nist-800-38b-aes192.txt", MAC_CMAC, PSA_ALG_CMAC, PSA_KEY_TYPE_AES},
    {"CMAC/nist-800-38b-aes256.txt", MAC_CMAC, PSA_ALG_CMAC, PSA_KEY_TYPE_AES},
    {"CMAC/nist-800-38b-3des.txt", MAC_CMAC, PSA_ALG_CMAC, PSA_KEY_TYPE_DES},
};

/* Three-key DES records give the key in three parts. */
static bool get_cmac_key(const vf_record_t *record, uint8_t **key, size_t *key_length)
{
    if (vf_has(record, "KEY")) {
        return vf_get_hex(record, "KEY", key, key_length);
    }
    uint8_t *part[3] = {NULL, NULL, NULL};
    size_t part_length[3] = {0, 0, 0};
    static const char *names[3] = {"KEY1", "KEY2", "KEY3"};
    bool ok = true;
    for (int i = 0; i < 3 && ok; i++) {
        ok = vf_get_hex(record, names[i], &part[i], &part_length[i]) && part_length[i] == 8;
    }
    if (ok) {
        *key = malloc(24);
        if (*key == NULL) {
            abort();
        }
        for (int i = 0; i < 3; i++) {
            memcpy(*key + 8 * i, part[i], 8);
        }
        *key_length = 24;
    }
    for (int i = 0; i < 3; i++) {
        free(part[i]);
    }
    return ok;
}

/* Signs and verifies one-shot and in two pieces with a freshly imported key. */
static void check_mac(const vf_record_t *record, const mac_file_t *spec, const uint8_t *key_data,
                      size_t key_length, const uint8_t *msg, size_t msg_length,
                      const uint8_t *expected, size_t expected_length)
{
    psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t key = 0;
    size_t full_length = PSA_MAC_LENGTH(spec->type, key_length * 8, spec->alg);
    psa_algorithm_t alg = spec->alg;
    if (expected_length == 0 || expected_length > full_length) {
        vf_fail(&tally, record, "MAC length %zu does not fit the algorithm", expected_length);
        return;
    }
    if (expected_length < full_length) {
        alg = PSA_ALG_TRUNCATED_MAC(spec->alg, expected_length);
    }
    psa_set_key_type(&attributes, spec->type);
    psa_set_key_usage_flags(&attributes, PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_MESSAGE);
    psa_set_key_algorithm(&attributes, alg);
    psa_status_t status = psa_import_key(&attributes, key_data, key_length, &key);
    if (status != PSA_SUCCESS) {
        vf_fail(&tally, record, "psa_import_key: %d", (int)status);
        return;
    }

    uint8_t mac[PSA_MAC_MAX_SIZE];
    size_t length = 0;
    status = psa_mac_compute(key, alg, msg, msg_length, mac, sizeof(mac), &length);
    if (status != PSA_SUCCESS) {
        vf_fail(&tally, record, "psa_mac_compute: %d", (int)status);
    } else if (length != expected_length || memcmp(mac, expected, length) != 0) {
        vf_fail(&tally, record, "MAC mismatch");
    } else if ((status = psa_mac_verify(key, alg, msg, msg_length, expected, expected_length)) !=
               PSA_SUCCESS) {
        vf_fail(&tally, record, "psa_mac_verify: %d", (int)status);
    } else {
        psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
        size_t half = msg_length / 2;
        status = psa_mac_verify_setup(&op, key, alg);
        if (status == PSA_SUCCESS) {
            status = psa_mac_update(&op, msg, half);
        }
        if (status == PSA_SUCCESS) {
            status = psa_mac_update(&op, msg + half, msg_length - half);
        }
        if (status == PSA_SUCCESS) {
            status = psa_mac_verify_finish(&op, expected, expected_length);
        }
        psa_mac_abort(&op);
        if (status != PSA_SUCCESS) {
            vf_fail(&tally, record, "multi-part verify: %d", (int)status);
        } else {
            vf_pass(&tally);
        }
    }
    psa_destroy_key(key);
}

static void run_mac_file(vf_file_t *file, const mac_file_t *spec)
{
    vf_record_t record;
    while (vf_next(file, &record)) {
        uint8_t *key = NULL;
        uint8_t *msg = NULL;
        uint8_t *expected = NULL;
        size_t key_length = 0;
        size_t msg_length = 0;
        size_t expected_length = 0;
        bool ok;
        if (spec->kind == MAC_RFC_HMAC) {
            ok = vf_get_hex(&record, "Key", &key, &key_length) &&
                 get_message(&record, &msg, &msg_length) &&
                 vf_get_hex(&record, "MD", &expected, &expected_length);
        } else {
            ok = get_cmac_key(&record, &key, &key_length) &&
                 vf_get_hex(&record, "MESSAGE", &msg, &msg_length) &&
                 vf_get_hex(&record, "OUTPUT", &expected, &expected_length);
        }
        if (!ok) {
            vf_fail(&tally, &record, "cannot read the record");
        } else {
            check_mac(&record, spec, key, key_length, msg, msg_length, expected, expected_length);
        }
        free(key);
        free(msg);
        free(expected);
    }
}

int main(void)
{
    /* Keep libpsa-local's state (persistent keys) out of the user's directories. */
    char state_dir[] = "/tmp/kat_hash_mac.XXXXXX";
    if (mkdtemp(state_dir) == NULL) {
        return 1;
    }
    setenv("PSA_STATE_DIR", state_dir, 1);
    psa_status_t status = psa_crypto_init();
    if (status != PSA_SUCCESS) {
        fprintf(stderr, "psa_crypto_init: %d\n", (int)status);
        return 1;
    }

    for (size_t i = 0; i < sizeof(hash_files) / sizeof(hash_files[0]); i++) {
        const hash_file_t *spec = &hash_files[i];
        bool monte = spec->kind == HASH_MONTE_SHA2 || spec->kind == HASH_MONTE_SHA3;
        vf_file_t *file = spec->local ? vf_open_local(spec->path, "Len")
                                      : vf_open(spec->path, monte ? "COUNT" : "Len");
        if (file == NULL) {
            vf_fail(&tally, NULL, "%s: cannot open", spec->path);
            continue;
        }
        unsigned long before = tally.passed + tally.failed;
        if (monte) {
            run_hash_monte(file, spec);
        } else {
            run_hash_msg(file, spec);
        }
        if (tally.passed + tally.failed == before) {
            vf_fail(&tally, NULL, "%s: no vectors", spec->path);
        }
        vf_close(file);
    }
    for (size_t i = 0; i < sizeof(mac_files) / sizeof(mac_files[0]); i++) {
        const mac_file_t *spec = &mac_files[i];
        vf_file_t *file = vf_open(spec->path, spec->kind == MAC_RFC_HMAC ? "MD" : "COUNT");
        if (file == NULL) {
            vf_fail(&tally, NULL, "%s: cannot open", spec->path);
            continue;
        }
        unsigned long before = tally.passed + tally.failed;
        run_mac_file(file, spec);
        if (tally.passed + tally.failed == before) {
            vf_fail(&tally, NULL, "%s: no vectors", spec->path);
        }
        vf_close(file);
    }

    char command[64];
    snprintf(command, sizeof(command), "rm -rf %s", state_dir);
    if (system(command) != 0) {
        fprintf(stderr, "cannot remove %s\n", state_dir);
    }
    printf("kat_hash_mac: %lu passed, %lu failed\n", tally.passed, tally.failed);
    return tally.failed == 0 && tally.passed > 0 ? 0 : 1;
}
