/* Known-answer tests of the PSA cipher and AEAD calls on the NIST CAVP, RFC and OpenSSL files. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psa/crypto.h>
#include <sodium.h>

#include "vector_file.h"

/*
 * Files read, and why (everything else under ciphers/ is not opened):
 *   AES/{CBC,ECB,OFB}/<mode>{GFSbox,KeySbox,MMT,VarKey,VarTxt}{128,192,256}.rsp,
 * AES/CFB/CFB128<kind><bits>.rsp (CFB1 and CFB8 are not PSA algorithms: PSA_ALG_CFB is full-block
 * feedback), AES/CTR/aes-{128,192,256}-ctr.txt,
 * AES/XTS/tweak-{128hexstr,dataunitseqno}/XTSGenAES{128,256}.rsp,
 *   AES/GCM/gcm{EncryptExtIV,Decrypt}{128,192,256}.rsp, AES/CCM/{VADT,VNT,VPT,VTT,DVPT}*.rsp,
 *   3DES/{CBC/TCBC,ECB/TECB,OFB/TOFB,CFB/TCFB64}{MMT1,MMT2,MMT3,invperm,permop,subtab,varkey,
 *     vartext}.rsp (the interleaved TCBCI/TOFBI, the pipelined TCFBP and the 1/8-bit CFB files
 *     are modes PSA does not have),
 *   Camellia/camellia-{128,192,256}-ecb.txt (NTT's own layout, parsed here),
 *   Camellia/camellia-{cbc,cfb,ofb}.txt, ChaCha20/rfc7539.txt, ChaCha20Poly1305/{openssl,
 *   boringssl}.txt, SM4/draft-ribose-cfrg-sm4-10-{ecb,cbc,cfb,ofb,ctr}.txt; and from
 *   tests/vectors/data (not in Debian's package) draft-irtf-cfrg-xchacha-03.txt.
 *
 * Records that cannot be written in PSA terms are counted apart as "not expressible in PSA", by
 * these rules stated once here: an XTS data unit whose length is not a whole number of bytes
 * (PSA buffers are bytes); a ChaCha20-Poly1305 record whose nonce is not 12 bytes or whose tag is
 * not 16 bytes (the only sizes PSA_ALG_CHACHA20_POLY1305 defines).
 */

static vf_tally_t tally;
static unsigned long not_expressible;

typedef struct group {
    const char *name;
    unsigned long passed;
    unsigned long failed;
    unsigned long skipped;
} group_t;

static group_t *current_group;

static void pass(void)
{
    vf_pass(&tally);
    current_group->passed++;
}

#define FAIL(rec, ...)                                                                             \
    do {                                                                                           \
        vf_fail(&tally, rec, __VA_ARGS__);                                                         \
        current_group->failed++;                                                                   \
    } while (0)

static void skip_not_expressible(void)
{
    not_expressible++;
    current_group->skipped++;
}

static psa_key_id_t import(psa_key_type_t type, psa_algorithm_t alg, const uint8_t *key,
                           size_t key_length, psa_status_t *status)
{
    psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attributes, type);
    psa_set_key_usage_flags(&attributes, PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT);
    psa_set_key_algorithm(&attributes, alg);
    psa_key_id_t id = 0;
    *status = psa_import_key(&attributes, key, key_length, &id);
    return id;
}

/* Multi-part cipher run, input fed in pieces of `step` bytes (0: all at once). */
static psa_status_t cipher_multipart(psa_key_id_t id, psa_algorithm_t alg, bool encrypt,
                                     const uint8_t *iv, size_t iv_length, const uint8_t *in,
                                     size_t length, size_t step, uint8_t *out, size_t *out_length)
{
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    psa_status_t status =
        encrypt ? psa_cipher_encrypt_setup(&op, id, alg) : psa_cipher_decrypt_setup(&op, id, alg);
    size_t total = 0;
    if (status == PSA_SUCCESS && iv_length > 0) {
        status = psa_cipher_set_iv(&op, iv, iv_length);
    }
    size_t done = 0;
    while (status == PSA_SUCCESS && done < length) {
        size_t chunk = (step == 0 || length - done < step) ? length - done : step;
        size_t n = 0;
        status = psa_cipher_update(&op, in + done, chunk, out + total, length + 16 - total, &n);
        total += n;
        done += chunk;
    }
    if (status == PSA_SUCCESS) {
        size_t n = 0;
        status = psa_cipher_finish(&op, out + total, length + 16 - total, &n);
        total += n;
    }
    psa_cipher_abort(&op);
    *out_length = total;
    return status;
}

/* Checks one unauthenticated cipher vector both ways, through multi-part and one-shot calls.
 * `oneshot_iv` is false when the IV is not the algorithm's default size (one-shot decryption
 * takes the default size from the front of its input). */
static void cipher_vector(const vf_record_t *rec, psa_key_type_t type, psa_algorithm_t alg,
                          const uint8_t *key, size_t key_length, const uint8_t *iv,
                          size_t iv_length, bool oneshot_iv, const uint8_t *pt, size_t pt_length,
                          const uint8_t *ct, size_t ct_length)
{
    psa_status_t status;
    psa_key_id_t id = import(type, alg, key, key_length, &status);
    if (status != PSA_SUCCESS) {
        FAIL(rec, "import of the key: status %d", (int)status);
        return;
    }
    size_t cap = pt_length + ct_length + 64;
    uint8_t *out = malloc(cap);
    uint8_t *in = malloc(cap);
    size_t n = 0;
    const char *what = NULL;
    size_t step = ct_length > 16 ? 7 : 3;

    status = cipher_multipart(id, alg, true, iv, iv_length, pt, pt_length, step, out, &n);
    if (status != PSA_SUCCESS || n != ct_length || memcmp(out, ct, ct_length) != 0) {
        what = "multi-part encryption";
    }
    if (what == NULL) {
        status = cipher_multipart(id, alg, false, iv, iv_length, ct, ct_length, 0, out, &n);
        if (status != PSA_SUCCESS || n != pt_length || memcmp(out, pt, pt_length) != 0) {
            what = "multi-part decryption";
        }
    }
    if (what == NULL && oneshot_iv) {
        if (iv_length > 0) {
            memcpy(in, iv, iv_length);
        }
        memcpy(in + iv_length, ct, ct_length);
        status = psa_cipher_decrypt(id, alg, in, iv_length + ct_length, out, cap, &n);
        if (status != PSA_SUCCESS || n != pt_length || memcmp(out, pt, pt_length) != 0) {
            what = "one-shot decryption";
        }
    }
    if (what == NULL && iv_length == 0) {
        /* Without an IV the one-shot encryption is deterministic. */
        status = psa_cipher_encrypt(id, alg, pt, pt_length, out, cap, &n);
        if (status != PSA_SUCCESS || n != ct_length || memcmp(out, ct, ct_length) != 0) {
            what = "one-shot encryption";
        }
    }
    if (what != NULL) {
        FAIL(rec, "%s: status %d", what, (int)status);
    } else {
        pass();
    }
    free(out);
    free(in);
    psa_destroy_key(id);
}

static bool get_hex(const vf_record_t *rec, const char *name, uint8_t **out, size_t *length)
{
    if (!vf_get_hex(rec, name, out, length)) {
        FAIL(rec, "missing or malformed %s", name);
        return false;
    }
    return true;
}

/* NIST-style KEY / IV / PLAINTEXT / CIPHERTEXT records (IV absent for ECB). */
static void run_nist_cipher_file(const char *path, psa_key_type_t type, psa_algorithm_t alg)
{
    vf_file_t *f = vf_open(path, "COUNT");
    if (f == NULL) {
        tally.failed++;
        current_group->failed++;
        return;
    }
    vf_record_t rec;
    while (vf_next(f, &rec)) {
        uint8_t *key = NULL, *iv = NULL, *pt = NULL, *ct = NULL;
        size_t key_length = 0, iv_length = 0, pt_length = 0, ct_length = 0;
        bool ok = get_hex(&rec, "KEY", &key, &key_length) &&
                  get_hex(&rec, "PLAINTEXT", &pt, &pt_length) &&
                  get_hex(&rec, "CIPHERTEXT", &ct, &ct_length);
        if (ok && alg != PSA_ALG_ECB_NO_PADDING) {
            ok = get_hex(&rec, "IV", &iv, &iv_length);
        }
        if (ok) {
            cipher_vector(&rec, type, alg, key, key_length, iv, iv_length, true, pt, pt_length, ct,
                          ct_length);
        }
        free(key), free(iv), free(pt), free(ct);
    }
    vf_close(f);
}

static void aes_block_modes(void)
{
    static const char *const kinds[] = {"GFSbox", "KeySbox", "MMT", "VarKey", "VarTxt"};
    static const struct {
        const char *dir;
        const char *prefix;
        psa_algorithm_t alg;
    } modes[] = {
        {"CBC", "CBC", PSA_ALG_CBC_NO_PADDING},
        {"ECB", "ECB", PSA_ALG_ECB_NO_PADDING},
        {"OFB", "OFB", PSA_ALG_OFB},
        {"CFB", "CFB128", PSA_ALG_CFB},
    };
    static const int sizes[] = {128, 192, 256};
    char path[128];
    for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
            for (size_t s = 0; s < 3; s++) {
                snprintf(path, sizeof(path), "ciphers/AES/%s/%s%s%d.rsp", modes[m].dir,
                         modes[m].prefix, kinds[k], sizes[s]);
                run_nist_cipher_file(path, PSA_KEY_TYPE_AES, modes[m].alg);
            }
        }
    }
    for (size_t s = 0; s < 3; s++) {
        snprintf(path, sizeof(path), "ciphers/AES/CTR/aes-%d-ctr.txt", sizes[s]);
        run_nist_cipher_file(path, PSA_KEY_TYPE_AES, PSA_ALG_CTR);
    }
}

static void aes_xts(void)
{
    static const char *const files[] = {
        "ciphers/AES/XTS/tweak-128hexstr/XTSGenAES128.rsp",
        "ciphers/AES/XTS/tweak-128hexstr/XTSGenAES256.rsp",
        "ciphers/AES/XTS/tweak-dataunitseqno/XTSGenAES128.rsp",
        "ciphers/AES/XTS/tweak-dataunitseqno/XTSGenAES256.rsp",
    };
    for (size_t i = 0; i < 4; i++) {
        vf_file_t *f = vf_open(files[i], "COUNT");
        if (f == NULL) {
            tally.failed++;
            current_group->failed++;
            continue;
        }
        vf_record_t rec;
        while (vf_next(f, &rec)) {
            unsigned long long unit_bits = 0;
            if (!vf_get_uint(&rec, "DataUnitLen", &unit_bits)) {
                FAIL(&rec, "missing DataUnitLen");
                continue;
            }
            if (unit_bits % 8 != 0) {
                skip_not_expressible();
                continue;
            }
            uint8_t *key = NULL, *pt = NULL, *ct = NULL, *tweak_hex = NULL;
            size_t key_length = 0, pt_length = 0, ct_length = 0, tweak_length = 0;
            uint8_t tweak[16] = {0};
            bool ok = get_hex(&rec, "Key", &key, &key_length) &&
                      get_hex(&rec, "PT", &pt, &pt_length) && get_hex(&rec, "CT", &ct, &ct_length);
            if (ok && vf_has(&rec, "i")) {
                ok = get_hex(&rec, "i", &tweak_hex, &tweak_length);
                if (ok && tweak_length != 16) {
                    FAIL(&rec, "tweak of %zu bytes", tweak_length);
                    ok = false;
                }
                if (ok) {
                    memcpy(tweak, tweak_hex, 16);
                }
            } else if (ok) {
                /* IEEE 1619: the tweak is the data unit number, 128-bit little-endian. */
                unsigned long long seq = 0;
                ok = vf_get_uint(&rec, "DataUnitSeqNumber", &seq);
                if (!ok) {
                    FAIL(&rec, "missing DataUnitSeqNumber");
                }
                for (size_t b = 0; b < 8; b++) {
                    tweak[b] = (uint8_t)(seq >> (8 * b));
                }
            }
            if (ok && (pt_length * 8 != unit_bits || ct_length * 8 != unit_bits)) {
                FAIL(&rec, "data unit length disagrees with PT/CT");
                ok = false;
            }
            if (ok) {
                cipher_vector(&rec, PSA_KEY_TYPE_AES, PSA_ALG_XTS, key, key_length, tweak, 16, true,
                              pt, pt_length, ct, ct_length);
            }
            free(key), free(pt), free(ct), free(tweak_hex);
        }
        vf_close(f);
    }
}

/* ---- AEAD ------------------------------------------------------------------------------------ */

static psa_status_t aead_multipart(psa_key_id_t id, psa_algorithm_t alg, bool encrypt,
                                   const uint8_t *nonce, size_t nonce_length, const uint8_t *ad,
                                   size_t ad_length, const uint8_t *in, size_t length,
                                   const uint8_t *tag_in, size_t tag_in_length, uint8_t *out,
                                   size_t *out_length, uint8_t *tag, size_t *tag_length)
{
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    psa_status_t status =
        encrypt ? psa_aead_encrypt_setup(&op, id, alg) : psa_aead_decrypt_setup(&op, id, alg);
    size_t total = 0;
    /* Lengths after the nonce on purpose: CCM must accept either order. */
    if (status == PSA_SUCCESS) {
        status = psa_aead_set_nonce(&op, nonce, nonce_length);
    }
    if (status == PSA_SUCCESS) {
        status = psa_aead_set_lengths(&op, ad_length, length);
    }
    size_t split = ad_length / 3;
    if (status == PSA_SUCCESS) {
        status = psa_aead_update_ad(&op, ad, split);
    }
    if (status == PSA_SUCCESS) {
        status = psa_aead_update_ad(&op, ad + split, ad_length - split);
    }
    size_t done = 0;
    while (status == PSA_SUCCESS && done < length) {
        size_t chunk = length - done < 5 ? length - done : 5 + done % 11;
        if (chunk > length - done) {
            chunk = length - done;
        }
        size_t n = 0;
        status = psa_aead_update(&op, in + done, chunk, out + total, length + 16 - total, &n);
        total += n;
        done += chunk;
    }
    if (status == PSA_SUCCESS) {
        size_t n = 0;
        if (encrypt) {
            status = psa_aead_finish(&op, out + total, 16, &n, tag, 16, tag_length);
        } else {
            status = psa_aead_verify(&op, out + total, 16, &n, tag_in, tag_in_length);
        }
        total += n;
    }
    psa_aead_abort(&op);
    *out_length = total;
    return status;
}

/* One AEAD vector: encryption (unless it is a must-fail record) and decryption, one-shot and
 * multi-part. A must-fail record passes when both decryptions report INVALID_SIGNATURE. */
static void aead_vector(const vf_record_t *rec, psa_key_type_t type, psa_algorithm_t alg,
                        const uint8_t *key, size_t key_length, const uint8_t *nonce,
                        size_t nonce_length, const uint8_t *ad, size_t ad_length, const uint8_t *pt,
                        size_t pt_length, const uint8_t *ct, size_t ct_length, const uint8_t *tag,
                        size_t tag_length, bool must_fail)
{
    psa_status_t status;
    psa_key_id_t id = import(type, alg, key, key_length, &status);
    if (status != PSA_SUCCESS) {
        FAIL(rec, "import of the key: status %d", (int)status);
        return;
    }
    size_t cap = ct_length + pt_length + 64;
    uint8_t *out = malloc(cap);
    uint8_t *in = malloc(cap);
    uint8_t out_tag[16];
    size_t n = 0, out_tag_length = 0;
    const char *what = NULL;
    memcpy(in, ct, ct_length);
    memcpy(in + ct_length, tag, tag_length);

    if (!must_fail) {
        status = psa_aead_encrypt(id, alg, nonce, nonce_length, ad, ad_length, pt, pt_length, out,
                                  cap, &n);
        if (status != PSA_SUCCESS || n != ct_length + tag_length || memcmp(out, in, n) != 0) {
            what = "one-shot encryption";
        }
        if (what == NULL) {
            status = aead_multipart(id, alg, true, nonce, nonce_length, ad, ad_length, pt,
                                    pt_length, NULL, 0, out, &n, out_tag, &out_tag_length);
            if (status != PSA_SUCCESS || n != ct_length || memcmp(out, ct, n) != 0 ||
                out_tag_length != tag_length || memcmp(out_tag, tag, tag_length) != 0) {
                what = "multi-part encryption";
            }
        }
    }
    psa_status_t expected = must_fail ? PSA_ERROR_INVALID_SIGNATURE : PSA_SUCCESS;
    if (what == NULL) {
        status = psa_aead_decrypt(id, alg, nonce, nonce_length, ad, ad_length, in,
                                  ct_length + tag_length, out, cap, &n);
        if (status != expected || (!must_fail && (n != pt_length || memcmp(out, pt, n) != 0))) {
            what = "one-shot decryption";
        }
    }
    if (what == NULL) {
        status = aead_multipart(id, alg, false, nonce, nonce_length, ad, ad_length, ct, ct_length,
                                tag, tag_length, out, &n, NULL, NULL);
        if (status != expected || (!must_fail && (n != pt_length || memcmp(out, pt, n) != 0))) {
            what = "multi-part decryption";
        }
    }
    if (what != NULL) {
        FAIL(rec, "%s: status %d", what, (int)status);
    } else {
        pass();
    }
    free(out);
    free(in);
    psa_destroy_key(id);
}

static void aes_gcm(void)
{
    static const char *const files[] = {
        "ciphers/AES/GCM/gcmEncryptExtIV128.rsp", "ciphers/AES/GCM/gcmEncryptExtIV192.rsp",
        "ciphers/AES/GCM/gcmEncryptExtIV256.rsp", "ciphers/AES/GCM/gcmDecrypt128.rsp",
        "ciphers/AES/GCM/gcmDecrypt192.rsp",      "ciphers/AES/GCM/gcmDecrypt256.rsp",
    };
    for (size_t i = 0; i < 6; i++) {
        vf_file_t *f = vf_open(files[i], "Count");
        if (f == NULL) {
            tally.failed++;
            current_group->failed++;
            continue;
        }
        vf_record_t rec;
        while (vf_next(f, &rec)) {
            uint8_t *key = NULL, *iv = NULL, *ad = NULL, *ct = NULL, *tag = NULL, *pt = NULL;
            size_t key_length = 0, iv_length = 0, ad_length = 0, ct_length = 0, tag_length = 0,
                   pt_length = 0;
            bool must_fail = vf_has(&rec, "FAIL");
            bool ok =
                get_hex(&rec, "Key", &key, &key_length) && get_hex(&rec, "IV", &iv, &iv_length) &&
                get_hex(&rec, "AAD", &ad, &ad_length) && get_hex(&rec, "CT", &ct, &ct_length) &&
                get_hex(&rec, "Tag", &tag, &tag_length);
            if (ok && !must_fail) {
                ok = get_hex(&rec, "PT", &pt, &pt_length);
            }
            if (ok) {
                psa_algorithm_t alg = PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_GCM, tag_length);
                aead_vector(&rec, PSA_KEY_TYPE_AES, alg, key, key_length, iv, iv_length, ad,
                            ad_length, pt, must_fail ? ct_length : pt_length, ct, ct_length, tag,
                            tag_length, must_fail);
            }
            free(key), free(iv), free(ad), free(ct), free(tag), free(pt);
        }
        vf_close(f);
    }
}

/* A CCM parameter: its own key (VADT "Plen = 24") or inside a "[Alen = 0, Plen = 0, ...]" line,
 * which the reader stores as key "Alen" with the rest of the line as value. */
static bool ccm_param(const vf_record_t *rec, const char *name, size_t *value)
{
    const char *v = vf_get(rec, name);
    if (v != NULL) {
        *value = strtoul(v, NULL, 10);
        return true;
    }
    const char *line = vf_get(rec, "Alen");
    if (line == NULL) {
        return false;
    }
    const char *p = strstr(line, name);
    if (p == NULL || (p = strchr(p, '=')) == NULL) {
        return false;
    }
    *value = strtoul(p + 1, NULL, 10);
    return true;
}

static void aes_ccm(void)
{
    static const char *const kinds[] = {"VADT", "VNT", "VPT", "VTT", "DVPT"};
    static const int sizes[] = {128, 192, 256};
    char path[64];
    for (size_t k = 0; k < 5; k++) {
        for (size_t s = 0; s < 3; s++) {
            snprintf(path, sizeof(path), "ciphers/AES/CCM/%s%d.rsp", kinds[k], sizes[s]);
            vf_file_t *f = vf_open(path, "Count");
            if (f == NULL) {
                tally.failed++;
                current_group->failed++;
                continue;
            }
            vf_record_t rec;
            while (vf_next(f, &rec)) {
                size_t alen = 0, plen = 0, nlen = 0, tlen = 0;
                if (!ccm_param(&rec, "Alen", &alen) || !ccm_param(&rec, "Plen", &plen) ||
                    !ccm_param(&rec, "Nlen", &nlen) || !ccm_param(&rec, "Tlen", &tlen)) {
                    FAIL(&rec, "missing Alen/Plen/Nlen/Tlen");
                    continue;
                }
                const char *result = vf_get(&rec, "Result");
                bool must_fail = result != NULL && strncasecmp(result, "Fail", 4) == 0;
                uint8_t *key = NULL, *nonce = NULL, *ad = NULL, *pt = NULL, *ct = NULL;
                size_t key_length = 0, nonce_length = 0, ad_length = 0, pt_length = 0,
                       ct_length = 0;
                bool ok = get_hex(&rec, "Key", &key, &key_length) &&
                          get_hex(&rec, "Nonce", &nonce, &nonce_length) &&
                          get_hex(&rec, "Adata", &ad, &ad_length) &&
                          get_hex(&rec, "CT", &ct, &ct_length);
                if (ok && !must_fail) {
                    ok = get_hex(&rec, "Payload", &pt, &pt_length);
                }
                /* An empty Adata or Payload is written as "00": the lengths say what counts. */
                if (ok && (ad_length < alen || (!must_fail && pt_length < plen) ||
                           nonce_length != nlen || ct_length != plen + tlen)) {
                    FAIL(&rec, "field lengths disagree with Alen/Plen/Nlen/Tlen");
                    ok = false;
                }
                if (ok) {
                    psa_algorithm_t alg = PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, tlen);
                    aead_vector(&rec, PSA_KEY_TYPE_AES, alg, key, key_length, nonce, nonce_length,
                                ad, alen, pt, plen, ct, plen, ct + plen, tlen, must_fail);
                }
                free(key), free(nonce), free(ad), free(pt), free(ct);
            }
            vf_close(f);
        }
    }
}

/* ---- 3DES, Camellia, SM4, ChaCha20 ------------------------------------------------------------
 */

static void tdes(void)
{
    static const struct {
        const char *prefix;
        psa_algorithm_t alg;
    } modes[] = {
        {"CBC/TCBC", PSA_ALG_CBC_NO_PADDING},
        {"ECB/TECB", PSA_ALG_ECB_NO_PADDING},
        {"OFB/TOFB", PSA_ALG_OFB},
        {"CFB/TCFB64", PSA_ALG_CFB},
    };
    static const char *const kinds[] = {"MMT1",   "MMT2",   "MMT3",   "invperm",
                                        "permop", "subtab", "varkey", "vartext"};
    char path[64];
    for (size_t m = 0; m < 4; m++) {
        for (size_t k = 0; k < 8; k++) {
            snprintf(path, sizeof(path), "ciphers/3DES/%s%s.rsp", modes[m].prefix, kinds[k]);
            vf_file_t *f = vf_open(path, "COUNT");
            if (f == NULL) {
                tally.failed++;
                current_group->failed++;
                continue;
            }
            vf_record_t rec;
            while (vf_next(f, &rec)) {
                uint8_t key[24];
                size_t key_length = 0;
                uint8_t *k1 = NULL, *k2 = NULL, *k3 = NULL, *iv = NULL, *pt = NULL, *ct = NULL;
                size_t l1 = 0, l2 = 0, l3 = 0, iv_length = 0, pt_length = 0, ct_length = 0;
                bool ok;
                /* KEYs: one key used three times; KEY1..3: two-key 3DES when KEY3 == KEY1. */
                if (vf_has(&rec, "KEYs")) {
                    ok = get_hex(&rec, "KEYs", &k1, &l1) && l1 == 8;
                    if (ok) {
                        memcpy(key, k1, 8), memcpy(key + 8, k1, 8), memcpy(key + 16, k1, 8);
                        key_length = 24;
                    }
                } else {
                    ok = get_hex(&rec, "KEY1", &k1, &l1) && get_hex(&rec, "KEY2", &k2, &l2) &&
                         get_hex(&rec, "KEY3", &k3, &l3) && l1 == 8 && l2 == 8 && l3 == 8;
                    if (ok) {
                        memcpy(key, k1, 8), memcpy(key + 8, k2, 8), memcpy(key + 16, k3, 8);
                        key_length = memcmp(k1, k3, 8) == 0 ? 16 : 24;
                    }
                }
                if (!ok) {
                    FAIL(&rec, "malformed key");
                }
                ok = ok && get_hex(&rec, "PLAINTEXT", &pt, &pt_length) &&
                     get_hex(&rec, "CIPHERTEXT", &ct, &ct_length);
                if (ok && modes[m].alg != PSA_ALG_ECB_NO_PADDING) {
                    ok = get_hex(&rec, "IV", &iv, &iv_length);
                }
                if (ok) {
                    cipher_vector(&rec, PSA_KEY_TYPE_DES, modes[m].alg, key, key_length, iv,
                                  iv_length, true, pt, pt_length, ct, ct_length);
                }
                free(k1), free(k2), free(k3), free(iv), free(pt), free(ct);
            }
            vf_close(f);
        }
    }
}

/* Decodes the NTT layout "X No.001 : 00 11 22 ..." value part (hex pairs separated by spaces). */
static size_t spaced_hex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (*s != '\0' && n < cap) {
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1])) {
            break;
        }
        unsigned v = 0;
        sscanf(s, "%2x", &v);
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return n;
}

static void camellia_ecb_file(const char *relpath)
{
    /* The reader finds and opens the file; the NTT lines themselves are parsed here. */
    vf_file_t *f = vf_open(relpath, "K");
    if (f == NULL) {
        tally.failed++;
        current_group->failed++;
        return;
    }
    FILE *fp = fopen(vf_path(f), "r");
    char line[512];
    uint8_t key[32], pt[16], ct[16];
    size_t key_length = 0, pt_length = 0;
    vf_record_t rec = {0, f};
    size_t line_number = 0;
    while (fp != NULL && fgets(line, sizeof(line), fp) != NULL) {
        line_number++;
        char *colon = strchr(line, ':');
        if (line[0] == '#' || colon == NULL || strncmp(line + 1, " No.", 4) != 0) {
            continue;
        }
        rec.line = line_number;
        if (line[0] == 'K') {
            key_length = spaced_hex(colon + 1, key, sizeof(key));
        } else if (line[0] == 'P') {
            pt_length = spaced_hex(colon + 1, pt, sizeof(pt));
        } else if (line[0] == 'C') {
            size_t ct_length = spaced_hex(colon + 1, ct, sizeof(ct));
            if (key_length == 0 || pt_length != 16 || ct_length != 16) {
                FAIL(&rec, "malformed Camellia record");
                continue;
            }
            cipher_vector(&rec, PSA_KEY_TYPE_CAMELLIA, PSA_ALG_ECB_NO_PADDING, key, key_length,
                          NULL, 0, true, pt, pt_length, ct, ct_length);
        }
    }
    if (fp != NULL) {
        fclose(fp);
    }
    vf_close(f);
}

static void camellia(void)
{
    camellia_ecb_file("ciphers/Camellia/camellia-128-ecb.txt");
    camellia_ecb_file("ciphers/Camellia/camellia-192-ecb.txt");
    camellia_ecb_file("ciphers/Camellia/camellia-256-ecb.txt");
    run_nist_cipher_file("ciphers/Camellia/camellia-cbc.txt", PSA_KEY_TYPE_CAMELLIA,
                         PSA_ALG_CBC_NO_PADDING);
    run_nist_cipher_file("ciphers/Camellia/camellia-cfb.txt", PSA_KEY_TYPE_CAMELLIA, PSA_ALG_CFB);
    run_nist_cipher_file("ciphers/Camellia/camellia-ofb.txt", PSA_KEY_TYPE_CAMELLIA, PSA_ALG_OFB);
}

static void sm4(void)
{
    static const struct {
        const char *mode;
        psa_algorithm_t alg;
    } modes[] = {
        {"ecb", PSA_ALG_ECB_NO_PADDING},
        {"cbc", PSA_ALG_CBC_NO_PADDING},
        {"cfb", PSA_ALG_CFB},
        {"ofb", PSA_ALG_OFB},
        {"ctr", PSA_ALG_CTR},
    };
    char path[96];
    for (size_t m = 0; m < 5; m++) {
        snprintf(path, sizeof(path), "ciphers/SM4/draft-ribose-cfrg-sm4-10-%s.txt", modes[m].mode);
        run_nist_cipher_file(path, PSA_KEY_TYPE_SM4, modes[m].alg);
    }
}

static void chacha20(void)
{
    vf_file_t *f = vf_open("ciphers/ChaCha20/rfc7539.txt", "COUNT");
    if (f == NULL) {
        tally.failed++;
        current_group->failed++;
        return;
    }
    vf_record_t rec;
    while (vf_next(f, &rec)) {
        uint8_t *key = NULL, *nonce = NULL, *pt = NULL, *ct = NULL;
        size_t key_length = 0, nonce_length = 0, pt_length = 0, ct_length = 0;
        unsigned long long counter = 0;
        bool ok = get_hex(&rec, "KEY", &key, &key_length) &&
                  get_hex(&rec, "NONCE", &nonce, &nonce_length) &&
                  get_hex(&rec, "PLAINTEXT", &pt, &pt_length) &&
                  get_hex(&rec, "CIPHERTEXT", &ct, &ct_length);
        if (ok && !vf_get_uint(&rec, "INITIAL_BLOCK_COUNTER", &counter)) {
            FAIL(&rec, "missing INITIAL_BLOCK_COUNTER");
            ok = false;
        }
        if (ok && (nonce_length != 12 || counter > 0xffffffffu)) {
            FAIL(&rec, "unexpected nonce or counter size");
            ok = false;
        }
        if (ok) {
            /* PSA: a 12-byte IV starts at counter 0; a 16-byte IV is the little-endian counter
             * followed by the nonce. */
            uint8_t iv[16];
            size_t iv_length = 12;
            if (counter == 0) {
                memcpy(iv, nonce, 12);
            } else {
                for (size_t b = 0; b < 4; b++) {
                    iv[b] = (uint8_t)(counter >> (8 * b));
                }
                memcpy(iv + 4, nonce, 12);
                iv_length = 16;
            }
            cipher_vector(&rec, PSA_KEY_TYPE_CHACHA20, PSA_ALG_STREAM_CIPHER, key, key_length, iv,
                          iv_length, iv_length == 12, pt, pt_length, ct, ct_length);
        }
        free(key), free(nonce), free(pt), free(ct);
    }
    vf_close(f);
}

/* boringssl.txt writes some values as "quoted text" rather than hex. */
static bool text_or_hex(const vf_record_t *rec, const char *name, uint8_t **out, size_t *length)
{
    const char *v = vf_get(rec, name);
    size_t n = v != NULL ? strlen(v) : 0;
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        *out = malloc(n);
        memcpy(*out, v + 1, n - 2);
        *length = n - 2;
        return true;
    }
    return get_hex(rec, name, out, length);
}

static void chacha20_poly1305(void)
{
    static const struct {
        const char *path;
        const char *key, *nonce, *ad, *pt, *ct, *tag;
    } files[] = {
        {"ciphers/ChaCha20Poly1305/openssl.txt", "Key", "IV", "AAD", "Plaintext", "Ciphertext",
         "Tag"},
        {"ciphers/ChaCha20Poly1305/boringssl.txt", "KEY", "NONCE", "AD", "IN", "CT", "TAG"},
    };
    for (size_t i = 0; i < 2; i++) {
        vf_file_t *f = vf_open(files[i].path, "COUNT");
        if (f == NULL) {
            tally.failed++;
            current_group->failed++;
            continue;
        }
        vf_record_t rec;
        while (vf_next(f, &rec)) {
            uint8_t *key = NULL, *nonce = NULL, *ad = NULL, *pt = NULL, *ct = NULL, *tag = NULL;
            size_t key_length = 0, nonce_length = 0, ad_length = 0, pt_length = 0, ct_length = 0,
                   tag_length = 0;
            bool ok = get_hex(&rec, files[i].key, &key, &key_length) &&
                      get_hex(&rec, files[i].nonce, &nonce, &nonce_length) &&
                      text_or_hex(&rec, files[i].ad, &ad, &ad_length) &&
                      text_or_hex(&rec, files[i].pt, &pt, &pt_length) &&
                      text_or_hex(&rec, files[i].ct, &ct, &ct_length) &&
                      get_hex(&rec, files[i].tag, &tag, &tag_length);
            if (ok && (nonce_length != 12 || tag_length != 16)) {
                skip_not_expressible();
            } else if (ok) {
                /* openssl.txt marks a record whose tag must be rejected with a Result line. */
                bool must_fail = vf_has(&rec, "Result");
                aead_vector(&rec, PSA_KEY_TYPE_CHACHA20, PSA_ALG_CHACHA20_POLY1305, key, key_length,
                            nonce, nonce_length, ad, ad_length, pt, pt_length, ct, ct_length, tag,
                            tag_length, must_fail);
            }
            free(key), free(nonce), free(ad), free(pt), free(ct), free(tag);
        }
        vf_close(f);
    }
}

/* ---- XChaCha20, XChaCha20-Poly1305 --------------------------------------------------------- */

/* XChaCha20 vector whose keystream starts at block `counter` (PSA starts at 0): the first
 * 64 * counter bytes of the stream are run and dropped, through multi-part encryption and
 * decryption and one-shot decryption. */
static void xchacha20_stream_vector(const vf_record_t *rec, const uint8_t *key, const uint8_t *iv,
                                    unsigned long long counter, const uint8_t *pt, size_t pt_length,
                                    const uint8_t *ct, size_t ct_length)
{
    psa_status_t status;
    psa_key_id_t id = import(PSA_KEY_TYPE_XCHACHA20, PSA_ALG_STREAM_CIPHER, key, 32, &status);
    if (status != PSA_SUCCESS) {
        FAIL(rec, "import of the key: status %d", (int)status);
        return;
    }
    size_t skip = (size_t)counter * 64;
    size_t total = skip + pt_length;
    uint8_t *in = calloc(1, 24 + total), *out = malloc(total + 16);
    const char *what = NULL;
    for (int encrypt = 1; encrypt >= 0 && what == NULL; encrypt--) {
        memset(in, 0, skip);
        memcpy(in + skip, encrypt ? pt : ct, pt_length);
        size_t n = 0;
        status =
            cipher_multipart(id, PSA_ALG_STREAM_CIPHER, encrypt, iv, 24, in, total, 13, out, &n);
        if (status != PSA_SUCCESS || n != total ||
            memcmp(out + skip, encrypt ? ct : pt, pt_length) != 0) {
            what = encrypt ? "multi-part encryption" : "multi-part decryption";
        }
    }
    if (what == NULL) {
        memcpy(in, iv, 24);
        memset(in + 24, 0, skip);
        memcpy(in + 24 + skip, ct, ct_length);
        size_t n = 0;
        status = psa_cipher_decrypt(id, PSA_ALG_STREAM_CIPHER, in, 24 + total, out, total, &n);
        if (status != PSA_SUCCESS || n != total || memcmp(out + skip, pt, pt_length) != 0) {
            what = "one-shot decryption";
        }
    }
    if (what != NULL) {
        FAIL(rec, "%s: status %d", what, (int)status);
    } else {
        pass();
    }
    free(in);
    free(out);
    psa_destroy_key(id);
}

static void xchacha20_draft(void)
{
    vf_file_t *f = vf_open_local("draft-irtf-cfrg-xchacha-03.txt", "COUNT");
    if (f == NULL) {
        tally.failed++;
        current_group->failed++;
        return;
    }
    vf_record_t rec;
    while (vf_next(f, &rec)) {
        uint8_t *key = NULL, *nonce = NULL, *ad = NULL, *pt = NULL, *ct = NULL, *tag = NULL;
        size_t key_length = 0, nonce_length = 0, ad_length = 0, pt_length = 0, ct_length = 0,
               tag_length = 0;
        const char *alg = vf_get(&rec, "ALG");
        bool aead = alg != NULL && strcmp(alg, "AEAD") == 0;
        bool ok = alg != NULL && get_hex(&rec, "KEY", &key, &key_length) &&
                  get_hex(&rec, "NONCE", &nonce, &nonce_length) &&
                  get_hex(&rec, "PLAINTEXT", &pt, &pt_length) &&
                  get_hex(&rec, "CIPHERTEXT", &ct, &ct_length) && key_length == 32 &&
                  nonce_length == 24 && pt_length == ct_length;
        unsigned long long counter = 0;
        if (ok && aead) {
            ok = get_hex(&rec, "AAD", &ad, &ad_length) && get_hex(&rec, "TAG", &tag, &tag_length);
        } else if (ok) {
            ok = strcmp(alg, "STREAM") == 0 &&
                 vf_get_uint(&rec, "INITIAL_BLOCK_COUNTER", &counter) && counter < 16;
        }
        if (!ok) {
            FAIL(&rec, "cannot read the record");
        } else if (aead) {
            aead_vector(&rec, PSA_KEY_TYPE_XCHACHA20, PSA_ALG_XCHACHA20_POLY1305, key, key_length,
                        nonce, nonce_length, ad, ad_length, pt, pt_length, ct, ct_length, tag,
                        tag_length, false);
        } else {
            xchacha20_stream_vector(&rec, key, nonce, counter, pt, pt_length, ct, ct_length);
        }
        free(key), free(nonce), free(ad), free(pt), free(ct), free(tag);
    }
    vf_close(f);
}

/*
 * Against libsodium's own XChaCha20 and XChaCha20-Poly1305 (crypto_stream_xchacha20_xor,
 * crypto_aead_xchacha20poly1305_ietf_encrypt), which the core does not call: the core takes only
 * HChaCha20 from libsodium and runs ChaCha20 and Poly1305 on OpenSSL. Lengths around the 64-byte
 * block; deterministic inputs.
 */
static void xchacha20_libsodium(void)
{
    if (sodium_init() < 0) {
        tally.failed++;
        current_group->failed++;
        return;
    }
    static const size_t lengths[] = {0, 1, 63, 64, 65, 300, 1000};
    uint8_t key[32], nonce[24], ad[40], pt[1000], expected[1000 + 16], in[24 + 1000 + 16],
        out[1000 + 16];
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        size_t length = lengths[i];
        size_t ad_length = i * 5;
        for (size_t b = 0; b < sizeof(key); b++) {
            key[b] = (uint8_t)(7 * b + i);
        }
        for (size_t b = 0; b < sizeof(nonce); b++) {
            nonce[b] = (uint8_t)(11 * b + 3 * i);
        }
        for (size_t b = 0; b < sizeof(ad); b++) {
            ad[b] = (uint8_t)(b ^ i);
        }
        for (size_t b = 0; b < length; b++) {
            pt[b] = (uint8_t)(b * 13 + i);
        }
        /* Stream cipher. */
        psa_status_t status;
        size_t n = 0;
        psa_key_id_t id = import(PSA_KEY_TYPE_XCHACHA20, PSA_ALG_STREAM_CIPHER, key, 32, &status);
        bool ok = status == PSA_SUCCESS &&
                  crypto_stream_xchacha20_xor(expected, pt, length, nonce, key) == 0;
        if (ok) {
            status = cipher_multipart(id, PSA_ALG_STREAM_CIPHER, true, nonce, 24, pt, length, 17,
                                      out, &n);
            ok = status == PSA_SUCCESS && n == length && memcmp(out, expected, length) == 0;
        }
        if (ok) {
            memcpy(in, nonce, 24);
            memcpy(in + 24, expected, length);
            status = psa_cipher_decrypt(id, PSA_ALG_STREAM_CIPHER, in, 24 + length, out,
                                        sizeof(out), &n);
            ok = status == PSA_SUCCESS && n == length && memcmp(out, pt, length) == 0;
        }
        psa_destroy_key(id);
        if (!ok) {
            FAIL(NULL, "XChaCha20 against libsodium, %zu bytes: status %d", length, (int)status);
        } else {
            pass();
        }
        /* AEAD. */
        unsigned long long expected_length = 0;
        id = import(PSA_KEY_TYPE_XCHACHA20, PSA_ALG_XCHACHA20_POLY1305, key, 32, &status);
        ok = status == PSA_SUCCESS &&
             crypto_aead_xchacha20poly1305_ietf_encrypt(expected, &expected_length, pt, length, ad,
                                                        ad_length, NULL, nonce, key) == 0 &&
             expected_length == length + 16;
        if (ok) {
            status = psa_aead_encrypt(id, PSA_ALG_XCHACHA20_POLY1305, nonce, 24, ad, ad_length, pt,
                                      length, out, sizeof(out), &n);
            ok = status == PSA_SUCCESS && n == length + 16 && memcmp(out, expected, n) == 0;
        }
        if (ok) {
            status = psa_aead_decrypt(id, PSA_ALG_XCHACHA20_POLY1305, nonce, 24, ad, ad_length,
                                      expected, length + 16, out, sizeof(out), &n);
            ok = status == PSA_SUCCESS && n == length && memcmp(out, pt, length) == 0;
        }
        if (ok) {
            size_t tag_length = 0;
            uint8_t tag[16];
            status = aead_multipart(id, PSA_ALG_XCHACHA20_POLY1305, true, nonce, 24, ad, ad_length,
                                    pt, length, NULL, 0, out, &n, tag, &tag_length);
            ok = status == PSA_SUCCESS && n == length && tag_length == 16 &&
                 memcmp(out, expected, length) == 0 && memcmp(tag, expected + length, 16) == 0;
        }
        if (ok) {
            /* A flipped tag bit must be refused. */
            expected[length] ^= 1;
            status = psa_aead_decrypt(id, PSA_ALG_XCHACHA20_POLY1305, nonce, 24, ad, ad_length,
                                      expected, length + 16, out, sizeof(out), &n);
            ok = status == PSA_ERROR_INVALID_SIGNATURE;
        }
        psa_destroy_key(id);
        if (!ok) {
            FAIL(NULL, "XChaCha20-Poly1305 against libsodium, %zu bytes: status %d", length,
                 (int)status);
        } else {
            pass();
        }
    }
}

static void xchacha20(void)
{
    xchacha20_draft();
    xchacha20_libsodium();
}

int main(void)
{
    if (psa_crypto_init() != PSA_SUCCESS) {
        fprintf(stderr, "psa_crypto_init failed\n");
        return 1;
    }
    group_t groups[] = {
        {"AES CBC/ECB/OFB/CFB128/CTR", 0, 0, 0},
        {"AES XTS", 0, 0, 0},
        {"AES GCM", 0, 0, 0},
        {"AES CCM", 0, 0, 0},
        {"3DES CBC/ECB/OFB/CFB64", 0, 0, 0},
        {"Camellia ECB/CBC/CFB/OFB", 0, 0, 0},
        {"SM4 ECB/CBC/CFB/OFB/CTR", 0, 0, 0},
        {"ChaCha20", 0, 0, 0},
        {"ChaCha20-Poly1305", 0, 0, 0},
        {"XChaCha20(-Poly1305)", 0, 0, 0},
    };
    void (*runs[])(void) = {aes_block_modes, aes_xts, aes_gcm,  aes_ccm,           tdes,
                            camellia,        sm4,     chacha20, chacha20_poly1305, xchacha20};
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        current_group = &groups[i];
        runs[i]();
        printf("  %-28s %6lu passed, %lu failed, %lu not expressible in PSA\n", groups[i].name,
               groups[i].passed, groups[i].failed, groups[i].skipped);
    }
    printf("not expressible in PSA: %lu\n", not_expressible);
    printf("kat_cipher_aead: %lu passed, %lu failed\n", tally.passed, tally.failed);
    return (tally.failed != 0 || tally.passed == 0) ? 1 : 0;
}
