/* psa-tool: sign, verify, encrypt, decrypt (AEAD, cipher, asymmetric), hash and random. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "psa_names.h"
#include "tool.h"

static bool parse_alg_opt(const tool_args_t *args, psa_algorithm_t *alg)
{
    const char *name = tool_opt(args, "alg");
    if (name == NULL) {
        tool_usage_error("--alg is required (e.g. --alg ecdsa:sha-256)");
        return false;
    }
    if (!psa_names_parse_alg(name, alg)) {
        tool_usage_error("unknown algorithm '%s'", name);
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
        tool_usage_error("--format must be raw or der");
        return false;
    }
    *der = PSA_ALG_IS_ECDSA(alg);
    return true;
}

static const char *const sign_opts[] = {"id", "alg", "in", "out", "format", "prehashed!", NULL};

static int cmd_sign(int argc, char **argv)
{
    tool_args_t args;
    psa_key_id_t key;
    psa_algorithm_t alg;
    bool der;
    uint8_t *in = NULL, sig[PSA_SIGNATURE_MAX_SIZE];
    size_t in_len = 0, sig_len = 0;
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
    if (!tool_crypto_init() || !tool_read_input(tool_opt(&args, "in"), &in, &in_len)) {
        return TOOL_EXIT_FAILED;
    }
    bool prehashed = tool_flag(&args, "prehashed");
    psa_status_t s = prehashed ? psa_sign_hash(key, alg, in, in_len, sig, sizeof(sig), &sig_len)
                               : psa_sign_message(key, alg, in, in_len, sig, sizeof(sig),
                                                  &sig_len);
    free(in);
    if (s != PSA_SUCCESS) {
        return tool_fail(prehashed ? "psa_sign_hash" : "psa_sign_message", s);
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

static const char *const verify_opts[] = {"id", "alg", "in", "sig", "format", "prehashed!", NULL};

static int cmd_verify(int argc, char **argv)
{
    tool_args_t args;
    psa_key_id_t key;
    psa_algorithm_t alg;
    bool der;
    uint8_t *in = NULL, *sig = NULL, raw[PSA_SIGNATURE_MAX_SIZE];
    size_t in_len = 0, sig_len = 0;
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
    if (!tool_crypto_init() || !tool_read_input(tool_opt(&args, "sig"), &sig, &sig_len) ||
        !tool_read_input(tool_opt(&args, "in"), &in, &in_len)) {
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
    bool prehashed = tool_flag(&args, "prehashed");
    psa_status_t s = prehashed ? psa_verify_hash(key, alg, in, in_len, check, check_len)
                               : psa_verify_message(key, alg, in, in_len, check, check_len);
    if (s != PSA_SUCCESS) {
        rc = tool_fail(prehashed ? "psa_verify_hash" : "psa_verify_message", s);
        goto out;
    }
    printf("signature valid\n");
    rc = TOOL_EXIT_OK;
out:
    free(in);
    free(sig);
    return rc;
}

static const char *const crypt_opts[] = {"id", "alg", "in", "out", "aad", "label", NULL};

static int crypt(int argc, char **argv, bool encrypt)
{
    tool_args_t args;
    psa_key_id_t key;
    psa_algorithm_t alg;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    uint8_t *in = NULL, *aad = NULL, *out = NULL;
    size_t in_len = 0, aad_len = 0, out_len = 0;
    int rc = TOOL_EXIT_FAILED;
    psa_status_t s;
    const char *what = "";
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
    if (!tool_crypto_init() || !tool_read_input(tool_opt(&args, "in"), &in, &in_len)) {
        goto done;
    }
    if (tool_opt(&args, "aad") != NULL &&
        !tool_read_input(tool_opt(&args, "aad"), &aad, &aad_len)) {
        goto done;
    }
    s = psa_get_key_attributes(key, &attr);
    if (s != PSA_SUCCESS) {
        rc = tool_fail("psa_get_key_attributes", s);
        goto done;
    }
    psa_key_type_t type = psa_get_key_type(&attr);
    size_t bits = psa_get_key_bits(&attr);
    const char *label = tool_opt(&args, "label");
    size_t cap = in_len + 1024;
    out = malloc(cap);
    if (out == NULL) {
        rc = tool_fail("allocating the output", PSA_ERROR_INSUFFICIENT_MEMORY);
        goto done;
    }
    if (PSA_ALG_IS_AEAD(alg)) {
        /* File format: nonce || ciphertext || tag. */
        size_t nonce_len = PSA_AEAD_NONCE_LENGTH(type, alg);
        if (encrypt) {
            what = "psa_generate_random";
            s = psa_generate_random(out, nonce_len);
            if (s == PSA_SUCCESS) {
                what = "psa_aead_encrypt";
                s = psa_aead_encrypt(key, alg, out, nonce_len, aad, aad_len, in, in_len,
                                     out + nonce_len, cap - nonce_len, &out_len);
                out_len += nonce_len;
            }
        } else {
            what = "psa_aead_decrypt";
            s = in_len < nonce_len ? PSA_ERROR_INVALID_ARGUMENT
                                   : psa_aead_decrypt(key, alg, in, nonce_len, aad, aad_len,
                                                      in + nonce_len, in_len - nonce_len, out,
                                                      cap, &out_len);
        }
    } else if (PSA_ALG_IS_ASYMMETRIC_ENCRYPTION(alg)) {
        (void)bits;
        what = encrypt ? "psa_asymmetric_encrypt" : "psa_asymmetric_decrypt";
        const uint8_t *salt = (const uint8_t *)label;
        size_t salt_len = label != NULL ? strlen(label) : 0;
        s = encrypt ? psa_asymmetric_encrypt(key, alg, in, in_len, salt, salt_len, out, cap,
                                             &out_len)
                    : psa_asymmetric_decrypt(key, alg, in, in_len, salt, salt_len, out, cap,
                                             &out_len);
    } else if (PSA_ALG_IS_CIPHER(alg)) {
        /* File format: IV || ciphertext, as psa_cipher_encrypt makes it. */
        what = encrypt ? "psa_cipher_encrypt" : "psa_cipher_decrypt";
        s = encrypt ? psa_cipher_encrypt(key, alg, in, in_len, out, cap, &out_len)
                    : psa_cipher_decrypt(key, alg, in, in_len, out, cap, &out_len);
    } else {
        rc = tool_usage_error("--alg must be an AEAD, cipher or asymmetric encryption algorithm");
        goto done;
    }
    if (s != PSA_SUCCESS) {
        rc = tool_fail(what, s);
        goto done;
    }
    rc = tool_write_output(tool_opt(&args, "out"), out, out_len) ? TOOL_EXIT_OK
                                                                 : TOOL_EXIT_FAILED;
done:
    if (out != NULL) {
        OPENSSL_cleanse(out, cap);
    }
    free(out);
    free(in);
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

static const char *const hash_opts[] = {"alg", "in", "out", "binary!", NULL};

static int cmd_hash(int argc, char **argv)
{
    tool_args_t args;
    psa_algorithm_t alg;
    uint8_t *in = NULL, hash[PSA_HASH_MAX_SIZE];
    size_t in_len = 0, len = 0;
    if (!tool_parse(argc, argv, hash_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "hash", tool_crypto_commands[4].help)) {
        return TOOL_EXIT_OK;
    }
    if (!parse_alg_opt(&args, &alg)) {
        return TOOL_EXIT_USAGE;
    }
    if (!tool_crypto_init() || !tool_read_input(tool_opt(&args, "in"), &in, &in_len)) {
        return TOOL_EXIT_FAILED;
    }
    psa_status_t s = psa_hash_compute(alg, in, in_len, hash, sizeof(hash), &len);
    free(in);
    if (s != PSA_SUCCESS) {
        return tool_fail("psa_hash_compute", s);
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
     "Signs the input with psa_sign_message, or psa_sign_hash with --prehashed (the input is\n"
     "then the hash). --format der writes ECDSA signatures as DER ECDSA-Sig-Value, the form\n"
     "openssl uses; other signatures are the same in both formats.\n"
     "  psa-tool sign --id 1 --alg ecdsa:sha-256 --in msg --out msg.sig --format der\n"},
    {"verify", cmd_verify, "verify a signature",
     "  --id ID --alg ALG --sig FILE [--in FILE|-] [--format raw|der] [--prehashed]\n"
     "Exits 0 and prints \"signature valid\" when the signature verifies, otherwise prints\n"
     "PSA_ERROR_INVALID_SIGNATURE and exits 1.\n"},
    {"encrypt", cmd_encrypt, "encrypt with an AEAD, cipher or asymmetric algorithm",
     "  --id ID --alg ALG [--in FILE|-] [--out FILE|-] [--aad FILE] [--label TEXT]\n"
     "AEAD (gcm, ccm, chacha20-poly1305): writes a random nonce, then the ciphertext and tag;\n"
     "--aad gives the associated data. Ciphers (cbc-pkcs7, ctr, ...): writes IV || ciphertext.\n"
     "Asymmetric (rsa-oaep:sha-256, rsa-pkcs1v15-crypt): --label is the OAEP label.\n"},
    {"decrypt", cmd_decrypt, "decrypt what encrypt wrote",
     "  --id ID --alg ALG [--in FILE|-] [--out FILE|-] [--aad FILE] [--label TEXT]\n"
     "Reverses psa-tool encrypt; an AEAD input that fails authentication gives\n"
     "PSA_ERROR_INVALID_SIGNATURE and no output.\n"},
    {"hash", cmd_hash, "hash a file or standard input",
     "  --alg HASH [--in FILE|-] [--out FILE|-] [--binary]\n"
     "Prints the digest in hex, or writes it in binary with --out or --binary.\n"},
    {"random", cmd_random, "write random bytes", "  N [--out FILE|-] [--hex]\n"
                                                 "Writes N random bytes (binary unless --hex).\n"},
    {NULL, NULL, NULL, NULL},
};
