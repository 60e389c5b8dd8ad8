/* psa-tool: sign, verify, encrypt, decrypt (AEAD, cipher, asymmetric), hash and random.
 *
 * Messages, plaintexts and ciphertexts are streamed TOOL_CHUNK bytes at a time through the
 * multi-part operations, so memory stays bounded whatever the size of the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "psa_names.h"
#include "tool.h"

/* AEAD decryption to standard output or a pipe, which cannot be taken back, keeps the plaintext
 * in memory until the tag verifies: up to this much. */
#define TOOL_AEAD_HELD_MAX ((size_t)4 << 20)

static bool parse_alg_opt(const tool_args_t *args, psa_algorithm_t *alg)
{
    const char *name = tool_opt(args, "alg");
    if (name == NULL) {
        tool_usage_error("--alg is required (e.g. --alg ecdsa:sha-256)");
        return false;
    }
    if (!psa_names_parse_alg(name, alg)) {
        tool_usage_error("unknown algorithm '%s' (see psa-tool --help)", name);
        return false;
    }
    return true;
}

/* Signature file format: "raw" is PSA's; "der" differs only for ECDSA (ECDSA-Sig-Value). */
static bool der_signatures(const tool_args_t *args, psa_algorithm_t alg, bool *der)
{
    const char *format = tool_opt(args, "format");
    *der = false;
    if (format == NULL || strcmp(format, "raw") == 0) {
        return true;
    }
    if (strcmp(format, "der") != 0) {
        tool_usage_error("--format must be raw or der, not '%s'", format);
        return false;
    }
    *der = PSA_ALG_IS_ECDSA(alg);
    return true;
}

/*
 * The message to sign or verify: kept whole when it fits in one chunk (psa_sign_message /
 * psa_verify_message, for every algorithm), otherwise hashed as it streams by with the
 * algorithm's hash (psa_sign_hash / psa_verify_hash on the digest: the same signature, as the
 * Crypto API defines the message calls of hash-and-sign algorithms).
 */
typedef struct message {
    uint8_t *data;
    size_t length;
    bool hashed;
    uint8_t hash[PSA_HASH_MAX_SIZE];
    size_t hash_length;
} message_t;

static int read_message(const char *path, const char *what, bool quiet, psa_algorithm_t alg,
                        message_t *m)
{
    tool_input_t in;
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    int rc = TOOL_EXIT_FAILED;
    memset(m, 0, sizeof(*m));
    m->data = malloc(TOOL_CHUNK);
    if (m->data == NULL) {
        return tool_fail("allocating the input buffer", PSA_ERROR_INSUFFICIENT_MEMORY);
    }
    if (!tool_input_open(&in, path, what, quiet)) {
        return TOOL_EXIT_FAILED;
    }
    if (!tool_input_read(&in, m->data, TOOL_CHUNK, &m->length)) {
        goto out;
    }
    if (m->length < TOOL_CHUNK || tool_input_at_end(&in)) {
        rc = TOOL_EXIT_OK;
        goto out;
    }
    psa_algorithm_t hash_alg = PSA_ALG_IS_SIGN_HASH(alg) ? PSA_ALG_SIGN_GET_HASH(alg) : 0;
    if (hash_alg == 0 || hash_alg == PSA_ALG_ANY_HASH) {
        char name[64];
        tool_input_end_progress(&in);
        rc = tool_error("%s signs the message in one call, and %s is longer than %zu MiB: "
                        "use a hash-and-sign algorithm for long inputs (ed25519ph for "
                        "Ed25519 keys)",
                        psa_names_alg(alg, name, sizeof(name)), in.name, TOOL_CHUNK >> 20);
        goto out;
    }
    psa_status_t s = psa_hash_setup(&op, hash_alg);
    size_t got = m->length;
    while (s == PSA_SUCCESS && got > 0) {
        s = psa_hash_update(&op, m->data, got);
        if (s == PSA_SUCCESS && !tool_input_read(&in, m->data, TOOL_CHUNK, &got)) {
            goto out;
        }
    }
    if (s == PSA_SUCCESS) {
        s = psa_hash_finish(&op, m->hash, sizeof(m->hash), &m->hash_length);
    }
    tool_input_end_progress(&in);
    if (s != PSA_SUCCESS) {
        rc = tool_fail("hashing the input", s);
        goto out;
    }
    m->hashed = true;
    rc = TOOL_EXIT_OK;
out:
    psa_hash_abort(&op);
    tool_input_close(&in);
    if (rc != TOOL_EXIT_OK || m->hashed) {
        free(m->data);
        m->data = NULL;
        m->length = 0;
    }
    return rc;
}

/* The usage the call made for a message needs: long inputs go through the hash calls. */
static psa_key_usage_t message_usage(const message_t *m, bool sign)
{
    if (m->hashed) {
        return sign ? PSA_KEY_USAGE_SIGN_HASH : PSA_KEY_USAGE_VERIFY_HASH;
    }
    return sign ? PSA_KEY_USAGE_SIGN_MESSAGE : PSA_KEY_USAGE_VERIFY_MESSAGE;
}

static const char *const sign_opts[] = {"id",     "alg",        "in",     "out",
                                        "format", "prehashed!", "quiet!", NULL};

static int cmd_sign(int argc, char **argv)
{
    tool_args_t args;
    psa_key_id_t key;
    psa_algorithm_t alg;
    bool der;
    uint8_t *in = NULL, sig[PSA_SIGNATURE_MAX_SIZE];
    size_t in_len = 0, sig_len = 0;
    message_t m = {0};
    psa_status_t s;
    const char *what;
    psa_key_usage_t usage = PSA_KEY_USAGE_SIGN_HASH;
    if (!tool_parse(argc, argv, sign_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "sign", tool_crypto_commands[0].help)) {
        return TOOL_EXIT_OK;
    }
    if (!tool_require_key_id(&args, &key) || !parse_alg_opt(&args, &alg) ||
        !der_signatures(&args, alg, &der)) {
        return TOOL_EXIT_USAGE;
    }
    if (!tool_crypto_init()) {
        return TOOL_EXIT_FAILED;
    }
    if (tool_flag(&args, "prehashed")) {
        if (!tool_read_input(tool_opt(&args, "in"), &in, &in_len)) {
            return TOOL_EXIT_FAILED;
        }
        what = "psa_sign_hash";
        s = psa_sign_hash(key, alg, in, in_len, sig, sizeof(sig), &sig_len);
        free(in);
    } else {
        int rc = read_message(tool_opt(&args, "in"), "sign", tool_flag(&args, "quiet"), alg, &m);
        if (rc != TOOL_EXIT_OK) {
            return rc;
        }
        usage = message_usage(&m, true);
        what = m.hashed ? "psa_sign_hash (of the input's hash)" : "psa_sign_message";
        s = m.hashed ? psa_sign_hash(key, alg, m.hash, m.hash_length, sig, sizeof(sig), &sig_len)
                     : psa_sign_message(key, alg, m.data, m.length, sig, sizeof(sig), &sig_len);
        free(m.data);
    }
    if (s != PSA_SUCCESS) {
        return tool_fail_key(what, s, key, usage, alg);
    }
    if (der) {
        uint8_t *d = NULL;
        size_t dlen = 0;
        if (!tool_ecdsa_raw_to_der(sig, sig_len, &d, &dlen)) {
            return tool_error("cannot encode the signature as DER");
        }
        bool ok = tool_write_output(tool_opt(&args, "out"), d, dlen);
        OPENSSL_free(d);
        return ok ? TOOL_EXIT_OK : TOOL_EXIT_FAILED;
    }
    return tool_write_output(tool_opt(&args, "out"), sig, sig_len) ? TOOL_EXIT_OK
                                                                   : TOOL_EXIT_FAILED;
}

static const char *const verify_opts[] = {"id",     "alg",        "in",     "sig",
                                          "format", "prehashed!", "quiet!", NULL};

static int cmd_verify(int argc, char **argv)
{
    tool_args_t args;
    psa_key_id_t key;
    psa_algorithm_t alg;
    bool der;
    uint8_t *in = NULL, *sig = NULL, raw[PSA_SIGNATURE_MAX_SIZE];
    size_t in_len = 0, sig_len = 0;
    message_t m = {0};
    int rc = TOOL_EXIT_FAILED;
    if (!tool_parse(argc, argv, verify_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "verify", tool_crypto_commands[1].help)) {
        return TOOL_EXIT_OK;
    }
    if (!tool_require_key_id(&args, &key) || !parse_alg_opt(&args, &alg) ||
        !der_signatures(&args, alg, &der)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_opt(&args, "sig") == NULL) {
        return tool_usage_error("--sig FILE is required");
    }
    if (!tool_crypto_init() || !tool_read_input(tool_opt(&args, "sig"), &sig, &sig_len)) {
        goto out;
    }
    const uint8_t *check = sig;
    size_t check_len = sig_len;
    if (der) {
        psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
        psa_status_t s = psa_get_key_attributes(key, &attr);
        if (s != PSA_SUCCESS) {
            rc = tool_fail("psa_get_key_attributes", s);
            goto out;
        }
        size_t field = (psa_get_key_bits(&attr) + 7) / 8;
        if (2 * field > sizeof(raw) || !tool_ecdsa_der_to_raw(sig, sig_len, field, raw)) {
            rc = tool_fail("decoding the DER signature", PSA_ERROR_INVALID_SIGNATURE);
            goto out;
        }
        check = raw;
        check_len = 2 * field;
    }
    /* A raw ECDSA signature is r || s; a SEQUENCE that spans the whole file is DER. */
    bool looks_der = !der && PSA_ALG_IS_ECDSA(alg) && sig_len > 8 && sig[0] == 0x30 &&
                     (size_t)sig[1] + 2 == sig_len;
    psa_status_t s;
    const char *what;
    psa_key_usage_t usage = PSA_KEY_USAGE_VERIFY_HASH;
    if (tool_flag(&args, "prehashed")) {
        if (!tool_read_input(tool_opt(&args, "in"), &in, &in_len)) {
            goto out;
        }
        what = "psa_verify_hash";
        s = psa_verify_hash(key, alg, in, in_len, check, check_len);
    } else {
        rc = read_message(tool_opt(&args, "in"), "verify", tool_flag(&args, "quiet"), alg, &m);
        if (rc != TOOL_EXIT_OK) {
            goto out;
        }
        rc = TOOL_EXIT_FAILED;
        usage = message_usage(&m, false);
        what = m.hashed ? "psa_verify_hash (of the input's hash)" : "psa_verify_message";
        s = m.hashed ? psa_verify_hash(key, alg, m.hash, m.hash_length, check, check_len)
                     : psa_verify_message(key, alg, m.data, m.length, check, check_len);
    }
    if (s != PSA_SUCCESS) {
        rc = tool_fail_key(what, s, key, usage, alg);
        if (s == PSA_ERROR_INVALID_SIGNATURE && looks_der) {
            fprintf(stderr,
                    "psa-tool: %s is a DER ECDSA-Sig-Value (as openssl writes it): "
                    "give --format der\n",
                    tool_opt(&args, "sig"));
        }
        goto out;
    }
    printf("signature valid\n");
    rc = TOOL_EXIT_OK;
out:
    free(m.data);
    free(in);
    free(sig);
    return rc;
}

/* Encrypt/decrypt streams: input, output (committed only on success) and the two buffers. */
typedef struct crypt_io {
    tool_input_t in;
    tool_output_t out;
    uint8_t *ibuf, *obuf;
    size_t icap, ocap;
    /* AEAD decryption to an output that cannot be taken back: the plaintext, held until the tag
     * verifies. */
    uint8_t *held;
    size_t held_len, held_cap;
} crypt_io_t;

static bool crypt_emit(crypt_io_t *io, const uint8_t *data, size_t length, bool hold)
{
    if (!hold) {
        return tool_output_write(&io->out, data, length);
    }
    if (length > TOOL_AEAD_HELD_MAX - io->held_len) {
        tool_input_end_progress(&io->in);
        tool_error("an AEAD plaintext is released only once its tag verifies, so decryption to "
                   "%s is limited to %zu MiB: give --out FILE",
                   io->out.name, TOOL_AEAD_HELD_MAX >> 20);
        return false;
    }
    if (io->held_len + length > io->held_cap) {
        size_t cap = io->held_cap == 0 ? TOOL_CHUNK : io->held_cap;
        while (cap < io->held_len + length) {
            cap *= 2;
        }
        uint8_t *bigger = malloc(cap);
        if (bigger == NULL) {
            tool_fail("holding the plaintext", PSA_ERROR_INSUFFICIENT_MEMORY);
            return false;
        }
        if (io->held_len > 0) {
            memcpy(bigger, io->held, io->held_len);
        }
        if (io->held != NULL) {
            OPENSSL_cleanse(io->held, io->held_cap);
        }
        free(io->held);
        io->held = bigger;
        io->held_cap = cap;
    }
    memcpy(io->held + io->held_len, data, length);
    io->held_len += length;
    return true;
}

/* Reads exactly n bytes at the start of the input (a nonce or an IV). */
static bool read_prefix(crypt_io_t *io, uint8_t *buf, size_t n, size_t *got)
{
    return tool_input_read(&io->in, buf, n, got);
}

static int too_short(crypt_io_t *io, unsigned long long length, const char *alg_name,
                     size_t nonce_len, size_t tag_len)
{
    tool_input_end_progress(&io->in);
    if (tag_len == 0) {
        return tool_error("%s is %llu bytes, shorter than the %zu-byte IV of %s", io->in.name,
                          length, nonce_len, alg_name);
    }
    return tool_error("%s is %llu bytes, shorter than nonce + tag (%zu + %zu bytes) of %s: not "
                      "a psa-tool encrypt output",
                      io->in.name, length, nonce_len, tag_len, alg_name);
}

static int aead_stream(crypt_io_t *io, psa_key_id_t key, psa_algorithm_t alg, psa_key_type_t type,
                       size_t bits, const uint8_t *aad, size_t aad_len, bool encrypt)
{
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    uint8_t nonce[PSA_AEAD_NONCE_MAX_SIZE], tag[PSA_AEAD_TAG_MAX_SIZE];
    size_t nonce_len = PSA_AEAD_NONCE_LENGTH(type, alg);
    size_t tag_len = PSA_AEAD_TAG_LENGTH(type, bits, alg);
    (void)bits; /* the spec's macro takes the size, ours does not need it */
    size_t n = 0, got = 0;
    char name[64];
    psa_names_alg(alg, name, sizeof(name));
    const char *what = encrypt ? "psa_aead_encrypt_setup" : "psa_aead_decrypt_setup";
    psa_status_t s =
        encrypt ? psa_aead_encrypt_setup(&op, key, alg) : psa_aead_decrypt_setup(&op, key, alg);
    if (s != PSA_SUCCESS) {
        return tool_fail_key(what, s, key, encrypt ? PSA_KEY_USAGE_ENCRYPT : PSA_KEY_USAGE_DECRYPT,
                             alg);
    }
    if (nonce_len == 0 || nonce_len > sizeof(nonce) || tag_len > sizeof(tag)) {
        psa_aead_abort(&op);
        return tool_fail("the nonce and tag sizes of this key and algorithm",
                         PSA_ERROR_NOT_SUPPORTED);
    }
    bool hold = !encrypt && !io->out.regular;
    /* CCM must know the lengths before the data; the others are told when they are known. */
    long long size = io->in.size;
    if (size < 0 && PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(alg) == PSA_ALG_CCM) {
        psa_aead_abort(&op);
        return tool_error("ccm needs the length of the data before it: give --in FILE (a "
                          "regular file), not standard input or a pipe");
    }
    if (encrypt) {
        what = "psa_aead_generate_nonce";
        s = psa_aead_generate_nonce(&op, nonce, sizeof(nonce), &n);
        if (s == PSA_SUCCESS && !tool_output_write(&io->out, nonce, n)) {
            goto io_failed;
        }
        if (s == PSA_SUCCESS && size >= 0) {
            what = "psa_aead_set_lengths";
            s = psa_aead_set_lengths(&op, aad_len, (size_t)size);
        }
    } else {
        if (!read_prefix(io, nonce, nonce_len, &got)) {
            goto io_failed;
        }
        if (got < nonce_len || (size >= 0 && (size_t)size < nonce_len + tag_len)) {
            psa_aead_abort(&op);
            return too_short(io, size >= 0 ? (unsigned long long)size : got, name, nonce_len,
                             tag_len);
        }
        what = "psa_aead_set_nonce";
        s = psa_aead_set_nonce(&op, nonce, nonce_len);
        if (s == PSA_SUCCESS && size >= 0) {
            what = "psa_aead_set_lengths";
            s = psa_aead_set_lengths(&op, aad_len, (size_t)size - nonce_len - tag_len);
        }
    }
    if (s == PSA_ERROR_INVALID_ARGUMENT && strcmp(what, "psa_aead_set_lengths") == 0 &&
        PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(alg) == PSA_ALG_CCM) {
        /* CCM writes the length in 15 - nonce_len bytes: 2 with psa-tool's 13-byte nonce. */
        unsigned long long max = (1ull << (8 * (15 - nonce_len))) - 1;
        psa_aead_abort(&op);
        return tool_error("ccm with a %zu-byte nonce encrypts at most %llu bytes; %s is longer: "
                          "use gcm or chacha20-poly1305",
                          nonce_len, max, io->in.name);
    }
    if (s == PSA_SUCCESS && aad_len > 0) {
        what = "psa_aead_update_ad";
        s = psa_aead_update_ad(&op, aad, aad_len);
    }
    /* Decryption holds back the last tag_len bytes read: they may be the tag. */
    size_t held_back = 0;
    bool end = false;
    while (s == PSA_SUCCESS && !end) {
        if (!tool_input_read(&io->in, io->ibuf + held_back, TOOL_CHUNK, &got)) {
            goto io_failed;
        }
        end = got < TOOL_CHUNK;
        size_t avail = held_back + got, data_len = avail;
        if (!encrypt) {
            if (avail < tag_len) {
                if (end) {
                    psa_aead_abort(&op);
                    return too_short(io, io->in.done, name, nonce_len, tag_len);
                }
                held_back = avail;
                continue;
            }
            data_len = avail - tag_len;
        }
        what = "psa_aead_update";
        s = psa_aead_update(&op, io->ibuf, data_len, io->obuf, io->ocap, &n);
        if (s == PSA_SUCCESS && !crypt_emit(io, io->obuf, n, hold)) {
            goto io_failed;
        }
        if (!encrypt) {
            memmove(io->ibuf, io->ibuf + data_len, tag_len);
            held_back = tag_len;
        }
    }
    if (s == PSA_SUCCESS && encrypt) {
        size_t tlen = 0;
        what = "psa_aead_finish";
        s = psa_aead_finish(&op, io->obuf, io->ocap, &n, tag, sizeof(tag), &tlen);
        if (s == PSA_SUCCESS && (!tool_output_write(&io->out, io->obuf, n) ||
                                 !tool_output_write(&io->out, tag, tlen))) {
            goto io_failed;
        }
    } else if (s == PSA_SUCCESS) {
        what = "psa_aead_verify";
        s = psa_aead_verify(&op, io->obuf, io->ocap, &n, io->ibuf, tag_len);
        if (s == PSA_SUCCESS && !crypt_emit(io, io->obuf, n, hold)) {
            goto io_failed;
        }
        if (s == PSA_SUCCESS && hold && !tool_output_write(&io->out, io->held, io->held_len)) {
            goto io_failed;
        }
    }
    tool_input_end_progress(&io->in);
    if (s != PSA_SUCCESS) {
        psa_aead_abort(&op);
        int rc = tool_fail(what, s);
        if (s == PSA_ERROR_INVALID_SIGNATURE) {
            fprintf(stderr, "psa-tool: the data, the tag, the associated data or the key is not "
                            "the one it was encrypted with; nothing was written\n");
        }
        return rc;
    }
    return TOOL_EXIT_OK;
io_failed:
    psa_aead_abort(&op);
    return TOOL_EXIT_FAILED;
}

static int cipher_stream(crypt_io_t *io, psa_key_id_t key, psa_algorithm_t alg, psa_key_type_t type,
                         bool encrypt)
{
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    uint8_t iv[PSA_CIPHER_IV_MAX_SIZE];
    size_t iv_len = PSA_CIPHER_IV_LENGTH(type, alg), n = 0, got = 0;
    const char *what = encrypt ? "psa_cipher_encrypt_setup" : "psa_cipher_decrypt_setup";
    psa_status_t s =
        encrypt ? psa_cipher_encrypt_setup(&op, key, alg) : psa_cipher_decrypt_setup(&op, key, alg);
    if (s != PSA_SUCCESS) {
        return tool_fail_key(what, s, key, encrypt ? PSA_KEY_USAGE_ENCRYPT : PSA_KEY_USAGE_DECRYPT,
                             alg);
    }
    if (iv_len > sizeof(iv)) {
        psa_cipher_abort(&op);
        return tool_fail("the IV size of this key and algorithm", PSA_ERROR_NOT_SUPPORTED);
    }
    if (iv_len > 0 && encrypt) {
        what = "psa_cipher_generate_iv";
        s = psa_cipher_generate_iv(&op, iv, sizeof(iv), &n);
        if (s == PSA_SUCCESS && !tool_output_write(&io->out, iv, n)) {
            goto io_failed;
        }
    } else if (iv_len > 0) {
        if (!read_prefix(io, iv, iv_len, &got)) {
            goto io_failed;
        }
        if (got < iv_len) {
            char name[64];
            psa_cipher_abort(&op);
            return too_short(io, got, psa_names_alg(alg, name, sizeof(name)), iv_len, 0);
        }
        what = "psa_cipher_set_iv";
        s = psa_cipher_set_iv(&op, iv, iv_len);
    }
    bool end = false;
    while (s == PSA_SUCCESS && !end) {
        if (!tool_input_read(&io->in, io->ibuf, TOOL_CHUNK, &got)) {
            goto io_failed;
        }
        end = got < TOOL_CHUNK;
        what = "psa_cipher_update";
        s = psa_cipher_update(&op, io->ibuf, got, io->obuf, io->ocap, &n);
        if (s == PSA_SUCCESS && !tool_output_write(&io->out, io->obuf, n)) {
            goto io_failed;
        }
    }
    if (s == PSA_SUCCESS) {
        what = "psa_cipher_finish";
        s = psa_cipher_finish(&op, io->obuf, io->ocap, &n);
        if (s == PSA_SUCCESS && !tool_output_write(&io->out, io->obuf, n)) {
            goto io_failed;
        }
    }
    tool_input_end_progress(&io->in);
    if (s != PSA_SUCCESS) {
        psa_cipher_abort(&op);
        return tool_fail(what, s);
    }
    return TOOL_EXIT_OK;
io_failed:
    psa_cipher_abort(&op);
    return TOOL_EXIT_FAILED;
}

/* RSA encryption: the input is at most a key's size, so it is read whole. */
static int asymmetric_crypt(const tool_args_t *args, psa_key_id_t key, psa_algorithm_t alg,
                            bool encrypt)
{
    uint8_t *in = NULL, out[PSA_ASYMMETRIC_ENCRYPT_OUTPUT_MAX_SIZE];
    size_t in_len = 0, out_len = 0;
    if (!tool_read_input(tool_opt(args, "in"), &in, &in_len)) {
        return TOOL_EXIT_FAILED;
    }
    const char *label = tool_opt(args, "label");
    const uint8_t *salt = (const uint8_t *)label;
    size_t salt_len = label != NULL ? strlen(label) : 0;
    psa_status_t s = encrypt ? psa_asymmetric_encrypt(key, alg, in, in_len, salt, salt_len, out,
                                                      sizeof(out), &out_len)
                             : psa_asymmetric_decrypt(key, alg, in, in_len, salt, salt_len, out,
                                                      sizeof(out), &out_len);
    free(in);
    int rc;
    if (s != PSA_SUCCESS) {
        rc = tool_fail_key(encrypt ? "psa_asymmetric_encrypt" : "psa_asymmetric_decrypt", s, key,
                           encrypt ? PSA_KEY_USAGE_ENCRYPT : PSA_KEY_USAGE_DECRYPT, alg);
    } else {
        rc = tool_write_output(tool_opt(args, "out"), out, out_len) ? TOOL_EXIT_OK
                                                                    : TOOL_EXIT_FAILED;
    }
    OPENSSL_cleanse(out, sizeof(out));
    return rc;
}

static const char *const crypt_opts[] = {"id", "alg", "in", "out", "aad", "label", "quiet!", NULL};

static int crypt(int argc, char **argv, bool encrypt)
{
    tool_args_t args;
    psa_key_id_t key;
    psa_algorithm_t alg;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    uint8_t *aad = NULL;
    size_t aad_len = 0;
    crypt_io_t io;
    int rc = TOOL_EXIT_FAILED;
    memset(&io, 0, sizeof(io));
    if (!tool_parse(argc, argv, crypt_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, encrypt ? "encrypt" : "decrypt",
                  tool_crypto_commands[encrypt ? 2 : 3].help)) {
        return TOOL_EXIT_OK;
    }
    if (!tool_require_key_id(&args, &key) || !parse_alg_opt(&args, &alg)) {
        return TOOL_EXIT_USAGE;
    }
    bool aead = PSA_ALG_IS_AEAD(alg), cipher = PSA_ALG_IS_CIPHER(alg);
    if (!aead && !cipher && !PSA_ALG_IS_ASYMMETRIC_ENCRYPTION(alg)) {
        return tool_usage_error("--alg must be an AEAD, cipher or asymmetric encryption algorithm");
    }
    if (!tool_crypto_init()) {
        return TOOL_EXIT_FAILED;
    }
    if (!aead && !cipher) {
        return asymmetric_crypt(&args, key, alg, encrypt);
    }
    if (tool_opt(&args, "aad") != NULL &&
        !tool_read_input(tool_opt(&args, "aad"), &aad, &aad_len)) {
        return TOOL_EXIT_FAILED;
    }
    psa_status_t s = psa_get_key_attributes(key, &attr);
    if (s != PSA_SUCCESS) {
        rc = tool_fail("psa_get_key_attributes", s);
        goto done;
    }
    io.icap = TOOL_CHUNK + PSA_AEAD_TAG_MAX_SIZE;
    io.ocap = TOOL_CHUNK + PSA_AEAD_TAG_MAX_SIZE + 2 * PSA_BLOCK_CIPHER_BLOCK_MAX_SIZE;
    io.ibuf = malloc(io.icap);
    io.obuf = malloc(io.ocap);
    if (io.ibuf == NULL || io.obuf == NULL) {
        rc = tool_fail("allocating the buffers", PSA_ERROR_INSUFFICIENT_MEMORY);
        goto done;
    }
    if (!tool_input_open(&io.in, tool_opt(&args, "in"), encrypt ? "encrypt" : "decrypt",
                         tool_flag(&args, "quiet"))) {
        goto done;
    }
    if (!tool_output_open(&io.out, tool_opt(&args, "out"))) {
        tool_input_close(&io.in);
        goto done;
    }
    rc = aead ? aead_stream(&io, key, alg, psa_get_key_type(&attr), psa_get_key_bits(&attr), aad,
                            aad_len, encrypt)
              : cipher_stream(&io, key, alg, psa_get_key_type(&attr), encrypt);
    tool_input_close(&io.in);
    if (rc == TOOL_EXIT_OK) {
        rc = tool_output_commit(&io.out) ? TOOL_EXIT_OK : TOOL_EXIT_FAILED;
    } else {
        tool_output_discard(&io.out);
    }
done:
    psa_reset_key_attributes(&attr);
    if (io.ibuf != NULL) {
        OPENSSL_cleanse(io.ibuf, io.icap);
    }
    if (io.obuf != NULL) {
        OPENSSL_cleanse(io.obuf, io.ocap);
    }
    if (io.held != NULL) {
        OPENSSL_cleanse(io.held, io.held_cap);
    }
    free(io.ibuf);
    free(io.obuf);
    free(io.held);
    free(aad);
    return rc;
}

static int cmd_encrypt(int argc, char **argv)
{
    return crypt(argc, argv, true);
}

static int cmd_decrypt(int argc, char **argv)
{
    return crypt(argc, argv, false);
}

static const char *const hash_opts[] = {"alg", "in", "out", "binary!", "quiet!", NULL};

static int cmd_hash(int argc, char **argv)
{
    tool_args_t args;
    psa_algorithm_t alg;
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    tool_input_t in;
    uint8_t hash[PSA_HASH_MAX_SIZE];
    size_t len = 0, got = 0;
    if (!tool_parse(argc, argv, hash_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "hash", tool_crypto_commands[4].help)) {
        return TOOL_EXIT_OK;
    }
    if (!parse_alg_opt(&args, &alg)) {
        return TOOL_EXIT_USAGE;
    }
    if (!tool_crypto_init()) {
        return TOOL_EXIT_FAILED;
    }
    uint8_t *buf = malloc(TOOL_CHUNK);
    if (buf == NULL) {
        return tool_fail("allocating the input buffer", PSA_ERROR_INSUFFICIENT_MEMORY);
    }
    if (!tool_input_open(&in, tool_opt(&args, "in"), "hash", tool_flag(&args, "quiet"))) {
        free(buf);
        return TOOL_EXIT_FAILED;
    }
    const char *what = "psa_hash_setup";
    psa_status_t s = psa_hash_setup(&op, alg);
    bool end = false, io_ok = true;
    while (s == PSA_SUCCESS && !end) {
        io_ok = tool_input_read(&in, buf, TOOL_CHUNK, &got);
        if (!io_ok) {
            break;
        }
        end = got < TOOL_CHUNK;
        what = "psa_hash_update";
        s = psa_hash_update(&op, buf, got);
    }
    if (s == PSA_SUCCESS && io_ok) {
        what = "psa_hash_finish";
        s = psa_hash_finish(&op, hash, sizeof(hash), &len);
    }
    psa_hash_abort(&op);
    tool_input_close(&in);
    free(buf);
    if (!io_ok) {
        return TOOL_EXIT_FAILED;
    }
    if (s != PSA_SUCCESS) {
        return tool_fail(what, s);
    }
    if (tool_flag(&args, "binary") || tool_opt(&args, "out") != NULL) {
        return tool_write_output(tool_opt(&args, "out"), hash, len) ? TOOL_EXIT_OK
                                                                    : TOOL_EXIT_FAILED;
    }
    tool_print_hex(hash, len);
    return TOOL_EXIT_OK;
}

static const char *const random_opts[] = {"out", "hex!", NULL};

static int cmd_random(int argc, char **argv)
{
    tool_args_t args;
    uint64_t n;
    if (!tool_parse(argc, argv, random_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "random", tool_crypto_commands[5].help)) {
        return TOOL_EXIT_OK;
    }
    if (args.npositional != 1 || !tool_parse_u64(args.positional[0], &n) || n > (64u << 20)) {
        return tool_usage_error("random needs a byte count (at most 64 MiB)");
    }
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf == NULL) {
        return tool_fail("allocating the output", PSA_ERROR_INSUFFICIENT_MEMORY);
    }
    if (!tool_crypto_init()) {
        free(buf);
        return TOOL_EXIT_FAILED;
    }
    psa_status_t s = psa_generate_random(buf, (size_t)n);
    int rc = TOOL_EXIT_OK;
    if (s != PSA_SUCCESS) {
        rc = tool_fail("psa_generate_random", s);
    } else if (tool_flag(&args, "hex")) {
        tool_print_hex(buf, (size_t)n);
    } else if (!tool_write_output(tool_opt(&args, "out"), buf, (size_t)n)) {
        rc = TOOL_EXIT_FAILED;
    }
    free(buf);
    return rc;
}

const tool_command_t tool_crypto_commands[] = {
    {"sign", cmd_sign, "sign a message (or a hash) with a key",
     "  --id ID --alg ALG [--in FILE|-] [--out FILE|-] [--format raw|der] [--prehashed]\n"
     "  [--quiet]\n"
     "Signs the input with psa_sign_message, or psa_sign_hash with --prehashed (the input is\n"
     "then the hash). An input over 1 MiB is streamed: hashed here with the algorithm's hash\n"
     "and signed with psa_sign_hash (the same signature; the key needs usage sign-hash).\n"
     "--format der writes ECDSA signatures as DER ECDSA-Sig-Value, the form openssl uses;\n"
     "other signatures are the same in both formats. A progress line goes to stderr when it\n"
     "is a terminal, unless --quiet.\n"
     "  psa-tool sign --id 1 --alg ecdsa:sha-256 --in msg --out msg.sig --format der\n"},
    {"verify", cmd_verify, "verify a signature",
     "  --id ID --alg ALG --sig FILE [--in FILE|-] [--format raw|der] [--prehashed] [--quiet]\n"
     "Exits 0 and prints \"signature valid\" when the signature verifies, otherwise prints\n"
     "PSA_ERROR_INVALID_SIGNATURE and exits 1. Inputs over 1 MiB are streamed as for sign.\n"},
    {"encrypt", cmd_encrypt, "encrypt with an AEAD, cipher or asymmetric algorithm",
     "  --id ID --alg ALG [--in FILE|-] [--out FILE|-] [--aad FILE] [--label TEXT] [--quiet]\n"
     "AEAD (gcm, ccm, chacha20-poly1305): writes a random nonce, then the ciphertext and tag;\n"
     "--aad gives the associated data. Ciphers (cbc-pkcs7, ctr, ...): writes IV || ciphertext.\n"
     "Both stream the input 1 MiB at a time, whatever its size (ccm needs a regular file, for\n"
     "its length, and takes at most 65535 bytes). Asymmetric (rsa-oaep:sha-256,\n"
     "rsa-pkcs1v15-crypt): --label is the OAEP label. An output file is written beside its\n"
     "name and renamed into place when complete.\n"},
    {"decrypt", cmd_decrypt, "decrypt what encrypt wrote",
     "  --id ID --alg ALG [--in FILE|-] [--out FILE|-] [--aad FILE] [--label TEXT] [--quiet]\n"
     "Reverses psa-tool encrypt, streaming. AEAD plaintext is released only once the tag\n"
     "verifies: --out FILE is written to a temporary file (mode 0600) renamed into place on\n"
     "success and removed on PSA_ERROR_INVALID_SIGNATURE; to standard output or a pipe the\n"
     "plaintext is held in memory until then, up to 4 MiB.\n"},
    {"hash", cmd_hash, "hash a file or standard input",
     "  --alg HASH [--in FILE|-] [--out FILE|-] [--binary] [--quiet]\n"
     "Prints the digest in hex, or writes it in binary with --out or --binary. Streams.\n"},
    {"random", cmd_random, "write random bytes",
     "  N [--out FILE|-] [--hex]\n"
     "Writes N random bytes (binary unless --hex).\n"},
    {NULL, NULL, NULL, NULL},
};
