/* Key derivation known-answer driver: RFC 5869 HKDF and RFC 6070 PBKDF2 files, via libpsa-local. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <psa/crypto.h>

#include "vector_file.h"

/*
 * Iteration counts: every record is run, including RFC 6070's 16777216-iteration PBKDF2-HMAC-SHA-1
 * vector, which takes about 3 s with OpenSSL on the development machine (the rule is: run a record
 * when OpenSSL needs under 10 s for it; none of the files has one that needs more).
 */

static char state_dir[] = "/tmp/ss-kat-kdf-XXXXXX";

static psa_algorithm_t hash_by_name(const char *name)
{
    if (name == NULL) {
        return PSA_ALG_NONE;
    }
    if (strcasecmp(name, "SHA-1") == 0) {
        return PSA_ALG_SHA_1;
    }
    if (strcasecmp(name, "SHA-256") == 0) {
        return PSA_ALG_SHA_256;
    }
    return PSA_ALG_NONE;
}

/* Derives `length` bytes into out with an operation prepared by the caller, then aborts it. */
static psa_status_t finish(psa_key_derivation_operation_t *op, uint8_t *out, size_t length)
{
    psa_status_t status = psa_key_derivation_output_bytes(op, out, length);
    psa_key_derivation_abort(op);
    return status;
}

/* HKDF(salt, IKM, info) -> OKM; when the record lists the PRK, also HKDF-Extract(salt, IKM) ->
 * PRK and HKDF-Expand(PRK, info) -> OKM (the PRK given as a DERIVE key, to take the key path). */
static void run_hkdf_record(const vf_record_t *rec, vf_tally_t *tally)
{
    uint8_t *ikm = NULL, *salt = NULL, *info = NULL, *okm = NULL, *prk = NULL, *out = NULL;
    size_t ikm_len = 0, salt_len = 0, info_len = 0, okm_len = 0, prk_len = 0;
    unsigned long long length = 0;
    psa_algorithm_t hash = hash_by_name(vf_get(rec, "Hash"));
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_status_t status;
    psa_key_id_t prk_key = 0;

    if (hash == PSA_ALG_NONE || !vf_get_hex(rec, "IKM", &ikm, &ikm_len) ||
        !vf_get_hex(rec, "salt", &salt, &salt_len) || !vf_get_hex(rec, "info", &info, &info_len) ||
        !vf_get_hex(rec, "OKM", &okm, &okm_len) || !vf_get_uint(rec, "L", &length) ||
        length != okm_len) {
        vf_fail(tally, rec, "cannot map HKDF record (Hash=%s)",
                vf_get(rec, "Hash") ? vf_get(rec, "Hash") : "?");
        goto out;
    }
    bool has_prk = vf_has(rec, "PRK");
    if (has_prk && !vf_get_hex(rec, "PRK", &prk, &prk_len)) {
        vf_fail(tally, rec, "bad PRK");
        goto out;
    }
    out = malloc(okm_len + 1);
    if (out == NULL) {
        abort();
    }

    /* HKDF, the salt omitted when empty (an absent salt means HashLen zeros, like an empty one). */
    status = psa_key_derivation_setup(&op, PSA_ALG_HKDF(hash));
    if (status == PSA_SUCCESS && salt_len > 0) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, salt, salt_len);
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, ikm, ikm_len);
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, info, info_len);
    }
    status = status == PSA_SUCCESS ? finish(&op, out, okm_len) : status;
    psa_key_derivation_abort(&op);
    if (status != PSA_SUCCESS || memcmp(out, okm, okm_len) != 0) {
        vf_fail(tally, rec, "HKDF: status %d or OKM mismatch", (int)status);
        goto out;
    }
    if (!has_prk) {
        vf_pass(tally);
        goto out;
    }

    status = psa_key_derivation_setup(&op, PSA_ALG_HKDF_EXTRACT(hash));
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, salt, salt_len);
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, ikm, ikm_len);
    }
    status = status == PSA_SUCCESS ? finish(&op, out, prk_len) : status;
    psa_key_derivation_abort(&op);
    if (status != PSA_SUCCESS || memcmp(out, prk, prk_len) != 0) {
        vf_fail(tally, rec, "HKDF-Extract: status %d or PRK mismatch", (int)status);
        goto out;
    }

    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_DERIVE);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE);
    psa_set_key_algorithm(&attr, PSA_ALG_HKDF_EXPAND(hash));
    status = psa_import_key(&attr, prk, prk_len, &prk_key);
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_setup(&op, PSA_ALG_HKDF_EXPAND(hash));
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, prk_key);
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, info, info_len);
    }
    /* Compare in the derivation itself, as a verifier would. */
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_verify_bytes(&op, okm, okm_len);
    }
    psa_key_derivation_abort(&op);
    if (status != PSA_SUCCESS) {
        vf_fail(tally, rec, "HKDF-Expand: status %d", (int)status);
        goto out;
    }
    vf_pass(tally);
out:
    if (prk_key != 0) {
        psa_destroy_key(prk_key);
    }
    free(ikm);
    free(salt);
    free(info);
    free(okm);
    free(prk);
    free(out);
}

/* RFC 6070 writes passwords and salts as text, with "\0" for a NUL byte. */
static bool unescape(const char *text, uint8_t *out, size_t out_size, size_t *length)
{
    size_t n = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (n == out_size) {
            return false;
        }
        if (*p == '\\') {
            if (p[1] != '0') {
                return false;
            }
            out[n++] = 0;
            p++;
        } else {
            out[n++] = (uint8_t)*p;
        }
    }
    *length = n;
    return true;
}

static void run_pbkdf2_record(const vf_record_t *rec, psa_algorithm_t alg, vf_tally_t *tally)
{
    uint8_t password[256], salt[256];
    size_t password_len = 0, salt_len = 0, expected_len = 0;
    uint8_t *expected = NULL, *out = NULL;
    unsigned long long iterations = 0, length = 0;
    const char *pw_text = vf_get(rec, "PASSWORD");
    const char *salt_text = vf_get(rec, "SALT");
    if (pw_text == NULL || salt_text == NULL ||
        !unescape(pw_text, password, sizeof(password), &password_len) ||
        !unescape(salt_text, salt, sizeof(salt), &salt_len) ||
        !vf_get_uint(rec, "ITERATIONS", &iterations) || !vf_get_uint(rec, "LENGTH", &length) ||
        !vf_get_hex(rec, "DERIVED_KEY", &expected, &expected_len) || length != expected_len) {
        vf_fail(tally, rec, "cannot map PBKDF2 record");
        free(expected);
        return;
    }
    out = malloc(expected_len + 1);
    if (out == NULL) {
        abort();
    }
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_status_t status = psa_key_derivation_setup(&op, alg);
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, iterations);
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, salt, salt_len);
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_PASSWORD, password,
                                                password_len);
    }
    status = status == PSA_SUCCESS ? finish(&op, out, expected_len) : status;
    psa_key_derivation_abort(&op);
    if (status != PSA_SUCCESS || memcmp(out, expected, expected_len) != 0) {
        vf_fail(tally, rec, "PBKDF2 (%llu iterations): status %d or key mismatch", iterations,
                (int)status);
    } else {
        vf_pass(tally);
    }
    free(expected);
    free(out);
}

static void run_file(const char *relpath, const char *marker, psa_algorithm_t pbkdf2_alg,
                     vf_tally_t *tally)
{
    vf_file_t *file = vf_open(relpath, marker);
    if (file == NULL) {
        vf_fail(tally, NULL, "%s: cannot open", relpath);
        return;
    }
    unsigned long before = tally->passed + tally->failed;
    vf_record_t rec;
    while (vf_next(file, &rec)) {
        if (pbkdf2_alg != PSA_ALG_NONE) {
            run_pbkdf2_record(&rec, pbkdf2_alg, tally);
        } else {
            run_hkdf_record(&rec, tally);
        }
    }
    unsigned long read = tally->passed + tally->failed - before;
    if (read == 0) {
        vf_fail(tally, NULL, "%s: no vectors read", relpath);
    }
    printf("kat_kdf: %s: %lu vectors\n", relpath, read);
    vf_close(file);
}

int main(void)
{
    if (mkdtemp(state_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    setenv("PSA_STATE_DIR", state_dir, 1);
    vf_tally_t tally = {0, 0};
    if (psa_crypto_init() != PSA_SUCCESS) {
        fprintf(stderr, "psa_crypto_init failed\n");
        return 1;
    }
    printf("kat_kdf: every record is run, including the 16777216-iteration PBKDF2 vector "
           "(rule: run when OpenSSL needs under 10 s; it needs about 3 s)\n");
    run_file("KDF/rfc-5869-HKDF-SHA1.txt", "OKM", PSA_ALG_NONE, &tally);
    run_file("KDF/rfc-5869-HKDF-SHA256.txt", "OKM", PSA_ALG_NONE, &tally);
    run_file("KDF/hkdf-generated.txt", "OKM", PSA_ALG_NONE, &tally);
    run_file("KDF/rfc-6070-PBKDF2-SHA1.txt", "DERIVED_KEY", PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_1),
             &tally);
    printf("kat_kdf: %lu passed, %lu failed\n", tally.passed, tally.failed);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", state_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", state_dir);
    }
    return tally.failed != 0 || tally.passed == 0 ? 1 : 0;
}
