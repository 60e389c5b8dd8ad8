/* Names of PSA algorithms, key types and usage flags, spelt as in the specifications. */
#include "psa_names.h"

#include <stdio.h>
#include <string.h>

struct value_name {
    uint32_t value;
    const char *name;
};

static const struct value_name hash_names[] = {
    {PSA_ALG_MD5, "md5"},
    {PSA_ALG_RIPEMD160, "ripemd-160"},
    {PSA_ALG_SHA_1, "sha-1"},
    {PSA_ALG_SHA_224, "sha-224"},
    {PSA_ALG_SHA_256, "sha-256"},
    {PSA_ALG_SHA_384, "sha-384"},
    {PSA_ALG_SHA_512, "sha-512"},
    {PSA_ALG_SHA_512_224, "sha-512-224"},
    {PSA_ALG_SHA_512_256, "sha-512-256"},
    {PSA_ALG_SHA3_224, "sha3-224"},
    {PSA_ALG_SHA3_256, "sha3-256"},
    {PSA_ALG_SHA3_384, "sha3-384"},
    {PSA_ALG_SHA3_512, "sha3-512"},
    {PSA_ALG_SM3, "sm3"},
    {PSA_ALG_SHAKE256_512, "shake256-512"},
    {PSA_ALG_ANY_HASH, "any-hash"},
};

/* Algorithms without a parameter. */
static const struct value_name plain_algs[] = {
    {PSA_ALG_CBC_MAC, "cbc-mac"},
    {PSA_ALG_CMAC, "cmac"},
    {PSA_ALG_STREAM_CIPHER, "stream-cipher"},
    {PSA_ALG_CTR, "ctr"},
    {PSA_ALG_CFB, "cfb"},
    {PSA_ALG_OFB, "ofb"},
    {PSA_ALG_XTS, "xts"},
    {PSA_ALG_CCM_STAR_NO_TAG, "ccm-star-no-tag"},
    {PSA_ALG_ECB_NO_PADDING, "ecb-no-padding"},
    {PSA_ALG_CBC_NO_PADDING, "cbc-no-padding"},
    {PSA_ALG_CBC_PKCS7, "cbc-pkcs7"},
    {PSA_ALG_CCM, "ccm"},
    {PSA_ALG_GCM, "gcm"},
    {PSA_ALG_CHACHA20_POLY1305, "chacha20-poly1305"},
    {PSA_ALG_XCHACHA20_POLY1305, "xchacha20-poly1305"},
    {PSA_ALG_ECDSA_ANY, "ecdsa-any"},
    {PSA_ALG_PURE_EDDSA, "pure-eddsa"},
    {PSA_ALG_ED25519PH, "ed25519ph"},
    {PSA_ALG_ED448PH, "ed448ph"},
    {PSA_ALG_RSA_PKCS1V15_SIGN_RAW, "rsa-pkcs1v15-sign-raw"},
    {PSA_ALG_RSA_PKCS1V15_CRYPT, "rsa-pkcs1v15-crypt"},
    {PSA_ALG_ECDH, "ecdh"},
    {PSA_ALG_FFDH, "ffdh"},
    {PSA_ALG_PBKDF2_AES_CMAC_PRF_128, "pbkdf2-aes-cmac-prf-128"},
    {PSA_ALG_SP800_108_COUNTER_CMAC, "sp800-108-counter-cmac"},
    {PSA_ALG_TLS12_ECJPAKE_TO_PMS, "tls12-ecjpake-to-pms"},
};

/* Algorithms built from a hash: "name:hash". The value is the builder applied to hash 0. */
static const struct value_name hash_algs[] = {
    {PSA_ALG_HMAC(0), "hmac"},
    {PSA_ALG_ECDSA(0), "ecdsa"},
    {PSA_ALG_DETERMINISTIC_ECDSA(0), "deterministic-ecdsa"},
    {PSA_ALG_RSA_PKCS1V15_SIGN(0), "rsa-pkcs1v15-sign"},
    {PSA_ALG_RSA_PSS(0), "rsa-pss"},
    {PSA_ALG_RSA_PSS_ANY_SALT(0), "rsa-pss-any-salt"},
    {PSA_ALG_RSA_OAEP(0), "rsa-oaep"},
    {PSA_ALG_HKDF(0), "hkdf"},
    {PSA_ALG_HKDF_EXTRACT(0), "hkdf-extract"},
    {PSA_ALG_HKDF_EXPAND(0), "hkdf-expand"},
    {PSA_ALG_TLS12_PRF(0), "tls12-prf"},
    {PSA_ALG_TLS12_PSK_TO_MS(0), "tls12-psk-to-ms"},
    {PSA_ALG_PBKDF2_HMAC(0), "pbkdf2-hmac"},
    {PSA_ALG_SP800_108_COUNTER_HMAC(0), "sp800-108-counter-hmac"},
    {PSA_ALG_JPAKE(0), "jpake"},
    {PSA_ALG_SPAKE2P_HMAC(0), "spake2p-hmac"},
    {PSA_ALG_SPAKE2P_CMAC(0), "spake2p-cmac"},
};

static bool find_name(const struct value_name *table, size_t n, const char *name, size_t len,
                      uint32_t *value)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(table[i].name) == len && strncmp(table[i].name, name, len) == 0) {
            *value = table[i].value;
            return true;
        }
    }
    return false;
}

static const char *find_value(const struct value_name *table, size_t n, uint32_t value)
{
    for (size_t i = 0; i < n; i++) {
        if (table[i].value == value) {
            return table[i].name;
        }
    }
    return NULL;
}

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

static bool parse_simple_alg(const char *name, psa_algorithm_t *alg)
{
    uint32_t v;
    if (find_name(hash_names, COUNT(hash_names), name, strlen(name), &v) ||
        find_name(plain_algs, COUNT(plain_algs), name, strlen(name), &v)) {
        *alg = v;
        return true;
    }
    const char *colon = strchr(name, ':');
    if (colon == NULL) {
        return false;
    }
    uint32_t base, hash;
    if (!find_name(hash_algs, COUNT(hash_algs), name, (size_t)(colon - name), &base) ||
        !find_name(hash_names, COUNT(hash_names), colon + 1, strlen(colon + 1), &hash)) {
        return false;
    }
    *alg = base | (hash & PSA_ALG_HASH_MASK);
    return true;
}

bool psa_names_parse_alg(const char *name, psa_algorithm_t *alg)
{
    /* "key-agreement:<ka>:<kdf>" combines a raw agreement with a key derivation. */
    static const char ka_prefix[] = "key-agreement:";
    if (strncmp(name, ka_prefix, sizeof(ka_prefix) - 1) == 0) {
        const char *rest = name + sizeof(ka_prefix) - 1;
        const char *colon = strchr(rest, ':');
        uint32_t ka;
        psa_algorithm_t kdf;
        if (colon == NULL ||
            !find_name(plain_algs, COUNT(plain_algs), rest, (size_t)(colon - rest), &ka) ||
            !parse_simple_alg(colon + 1, &kdf)) {
            return false;
        }
        *alg = PSA_ALG_KEY_AGREEMENT(ka, kdf);
        return true;
    }
    return parse_simple_alg(name, alg);
}

static const char *simple_alg_name(psa_algorithm_t alg, char *buf, size_t size)
{
    const char *n = find_value(hash_names, COUNT(hash_names), alg);
    if (n == NULL) {
        n = find_value(plain_algs, COUNT(plain_algs), alg);
    }
    if (n != NULL) {
        snprintf(buf, size, "%s", n);
        return buf;
    }
    const char *base = find_value(hash_algs, COUNT(hash_algs), alg & ~PSA_ALG_HASH_MASK);
    const char *hash = find_value(hash_names, COUNT(hash_names),
                                  PSA_ALG_CATEGORY_HASH | (alg & PSA_ALG_HASH_MASK));
    if (base != NULL && hash != NULL) {
        snprintf(buf, size, "%s:%s", base, hash);
        return buf;
    }
    return NULL;
}

const char *psa_names_alg(psa_algorithm_t alg, char *buf, size_t size)
{
    if (alg == PSA_ALG_NONE) {
        snprintf(buf, size, "none");
        return buf;
    }
    if (simple_alg_name(alg, buf, size) != NULL) {
        return buf;
    }
    if (PSA_ALG_IS_KEY_AGREEMENT(alg) && !PSA_ALG_IS_RAW_KEY_AGREEMENT(alg)) {
        char kdf[64];
        const char *ka =
            find_value(plain_algs, COUNT(plain_algs), PSA_ALG_KEY_AGREEMENT_GET_BASE(alg));
        if (ka != NULL &&
            simple_alg_name(PSA_ALG_KEY_AGREEMENT_GET_KDF(alg), kdf, sizeof(kdf)) != NULL) {
            snprintf(buf, size, "key-agreement:%s:%s", ka, kdf);
            return buf;
        }
    }
    snprintf(buf, size, "0x%08x", (unsigned)alg);
    return buf;
}

static const struct value_name plain_types[] = {
    {PSA_KEY_TYPE_RAW_DATA, "raw-data"},
    {PSA_KEY_TYPE_HMAC, "hmac"},
    {PSA_KEY_TYPE_DERIVE, "derive"},
    {PSA_KEY_TYPE_PASSWORD, "password"},
    {PSA_KEY_TYPE_PASSWORD_HASH, "password-hash"},
    {PSA_KEY_TYPE_PEPPER, "pepper"},
    {PSA_KEY_TYPE_AES, "aes"},
    {PSA_KEY_TYPE_ARIA, "aria"},
    {PSA_KEY_TYPE_DES, "des"},
    {PSA_KEY_TYPE_CAMELLIA, "camellia"},
    {PSA_KEY_TYPE_SM4, "sm4"},
    {PSA_KEY_TYPE_CHACHA20, "chacha20"},
    {PSA_KEY_TYPE_XCHACHA20, "xchacha20"},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, "rsa-key-pair"},
    {PSA_KEY_TYPE_RSA_PUBLIC_KEY, "rsa-public-key"},
};

static const struct value_name ecc_families[] = {
    {PSA_ECC_FAMILY_SECP_K1, "secp-k1"},
    {PSA_ECC_FAMILY_SECP_R1, "secp-r1"},
    {PSA_ECC_FAMILY_SECP_R2, "secp-r2"},
    {PSA_ECC_FAMILY_SECT_K1, "sect-k1"},
    {PSA_ECC_FAMILY_SECT_R1, "sect-r1"},
    {PSA_ECC_FAMILY_SECT_R2, "sect-r2"},
    {PSA_ECC_FAMILY_BRAINPOOL_P_R1, "brainpool-p-r1"},
    {PSA_ECC_FAMILY_FRP, "frp"},
    {PSA_ECC_FAMILY_MONTGOMERY, "montgomery"},
    {PSA_ECC_FAMILY_TWISTED_EDWARDS, "twisted-edwards"},
};

static const struct value_name dh_families[] = {{PSA_DH_FAMILY_RFC7919, "rfc7919"}};

bool psa_names_parse_type(const char *name, psa_key_type_t *type)
{
    uint32_t v;
    if (find_name(plain_types, COUNT(plain_types), name, strlen(name), &v)) {
        *type = (psa_key_type_t)v;
        return true;
    }
    const char *colon = strchr(name, ':');
    if (colon == NULL) {
        return false;
    }
    size_t len = (size_t)(colon - name);
    const char *family = colon + 1;
    if (find_name(ecc_families, COUNT(ecc_families), family, strlen(family), &v)) {
        if (len == 12 && strncmp(name, "ecc-key-pair", len) == 0) {
            *type = PSA_KEY_TYPE_ECC_KEY_PAIR((psa_ecc_family_t)v);
            return true;
        }
        if (len == 14 && strncmp(name, "ecc-public-key", len) == 0) {
            *type = PSA_KEY_TYPE_ECC_PUBLIC_KEY((psa_ecc_family_t)v);
            return true;
        }
    }
    if (find_name(dh_families, COUNT(dh_families), family, strlen(family), &v)) {
        if (len == 11 && strncmp(name, "dh-key-pair", len) == 0) {
            *type = PSA_KEY_TYPE_DH_KEY_PAIR((psa_dh_family_t)v);
            return true;
        }
        if (len == 13 && strncmp(name, "dh-public-key", len) == 0) {
            *type = PSA_KEY_TYPE_DH_PUBLIC_KEY((psa_dh_family_t)v);
            return true;
        }
    }
    return false;
}

const char *psa_names_type(psa_key_type_t type, char *buf, size_t size)
{
    const char *n = find_value(plain_types, COUNT(plain_types), type);
    if (n != NULL) {
        snprintf(buf, size, "%s", n);
    } else if (PSA_KEY_TYPE_IS_ECC(type) &&
               (n = find_value(ecc_families, COUNT(ecc_families),
                               PSA_KEY_TYPE_ECC_GET_FAMILY(type))) != NULL) {
        snprintf(buf, size, "%s:%s",
                 PSA_KEY_TYPE_IS_KEY_PAIR(type) ? "ecc-key-pair" : "ecc-public-key", n);
    } else if (PSA_KEY_TYPE_IS_DH(type) &&
               (n = find_value(dh_families, COUNT(dh_families),
                               PSA_KEY_TYPE_DH_GET_FAMILY(type))) != NULL) {
        snprintf(buf, size, "%s:%s",
                 PSA_KEY_TYPE_IS_KEY_PAIR(type) ? "dh-key-pair" : "dh-public-key", n);
    } else {
        snprintf(buf, size, "0x%04x", (unsigned)type);
    }
    return buf;
}

static const struct value_name usage_names[] = {
    {PSA_KEY_USAGE_EXPORT, "export"},
    {PSA_KEY_USAGE_COPY, "copy"},
    {PSA_KEY_USAGE_CACHE, "cache"},
    {PSA_KEY_USAGE_ENCRYPT, "encrypt"},
    {PSA_KEY_USAGE_DECRYPT, "decrypt"},
    {PSA_KEY_USAGE_SIGN_MESSAGE, "sign-message"},
    {PSA_KEY_USAGE_VERIFY_MESSAGE, "verify-message"},
    {PSA_KEY_USAGE_SIGN_HASH, "sign-hash"},
    {PSA_KEY_USAGE_VERIFY_HASH, "verify-hash"},
    {PSA_KEY_USAGE_DERIVE, "derive"},
    {PSA_KEY_USAGE_VERIFY_DERIVATION, "verify-derivation"},
};

bool psa_names_parse_usage(const char *list, psa_key_usage_t *usage)
{
    psa_key_usage_t u = 0;
    const char *p = list;
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        uint32_t v;
        if (len == 4 && strncmp(p, "none", 4) == 0) {
            v = 0;
        } else if (!find_name(usage_names, COUNT(usage_names), p, len, &v)) {
            return false;
        }
        u |= v;
        p += len;
        if (*p == ',') {
            p++;
        }
    }
    *usage = u;
    return true;
}

const char *psa_names_usage(psa_key_usage_t usage, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < COUNT(usage_names); i++) {
        if ((usage & usage_names[i].value) != 0 && used < size) {
            int n =
                snprintf(buf + used, size - used, "%s%s", used > 0 ? "," : "", usage_names[i].name);
            used += n > 0 ? (size_t)n : 0;
        }
    }
    if (used == 0) {
        snprintf(buf, size, "none");
    }
    return buf;
}

void psa_names_list_algs(void *stream)
{
    FILE *out = stream;
    fprintf(out, "  hashes:");
    for (size_t i = 0; i < COUNT(hash_names); i++) {
        fprintf(out, " %s", hash_names[i].name);
    }
    fprintf(out, "\n  algorithms:");
    for (size_t i = 0; i < COUNT(plain_algs); i++) {
        fprintf(out, "%s%s", i % 8 == 7 ? "\n    " : " ", plain_algs[i].name);
    }
    fprintf(out, "\n  with a hash (NAME:HASH):");
    for (size_t i = 0; i < COUNT(hash_algs); i++) {
        fprintf(out, "%s%s", i % 8 == 7 ? "\n    " : " ", hash_algs[i].name);
    }
    fprintf(out, "\n  key-agreement:ecdh|ffdh:KDF, e.g. key-agreement:ecdh:hkdf:sha-256\n");
}

void psa_names_list_types(void *stream)
{
    FILE *out = stream;
    fprintf(out, "  types:");
    for (size_t i = 0; i < COUNT(plain_types); i++) {
        fprintf(out, "%s%s", i % 8 == 7 ? "\n    " : " ", plain_types[i].name);
    }
    fprintf(out, "\n  ecc-key-pair:FAMILY, ecc-public-key:FAMILY with FAMILY one of:");
    for (size_t i = 0; i < COUNT(ecc_families); i++) {
        fprintf(out, "%s%s", i % 6 == 5 ? "\n    " : " ", ecc_families[i].name);
    }
    fprintf(out, "\n  dh-key-pair:rfc7919, dh-public-key:rfc7919\n");
}

/* ---- the specification's C spelling ------------------------------------------------------ */

/* Appends "PREFIX" + the name with letters upper-cased and '-' as '_' (the spelling rule of
 * these names: "sha-256" is PSA_ALG_SHA_256), stopping at `end`. */
static void append_macro(char *buf, size_t size, size_t *used, const char *prefix, const char *name,
                         const char *end)
{
    int n = snprintf(buf + *used, size - *used, "%s", prefix);
    *used += n > 0 && (size_t)n < size - *used ? (size_t)n : 0;
    if (strncmp(name, "ripemd-160", 10) == 0) {
        name = "ripemd160"; /* the one name spelt otherwise: PSA_ALG_RIPEMD160 */
        end = name + 9;
    }
    for (const char *p = name; p < end && *p != '\0' && *used + 1 < size; p++) {
        char c = *p;
        buf[(*used)++] = c == '-' ? '_' : (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    buf[*used] = '\0';
}

static void append_text(char *buf, size_t size, size_t *used, const char *text)
{
    int n = snprintf(buf + *used, size - *used, "%s", text);
    *used += n > 0 && (size_t)n < size - *used ? (size_t)n : 0;
}

/* "a:b:c" -> PSA_ALG_A(PSA_ALG_B(PSA_ALG_C)); key-agreement takes two: (ka, kdf). */
static void spec_alg(const char *name, char *buf, size_t size, size_t *used)
{
    static const char ka[] = "key-agreement:";
    if (strncmp(name, ka, sizeof(ka) - 1) == 0) {
        const char *rest = name + sizeof(ka) - 1;
        const char *colon = strchr(rest, ':');
        if (colon != NULL) {
            append_text(buf, size, used, "PSA_ALG_KEY_AGREEMENT(");
            append_macro(buf, size, used, "PSA_ALG_", rest, colon);
            append_text(buf, size, used, ", ");
            spec_alg(colon + 1, buf, size, used);
            append_text(buf, size, used, ")");
            return;
        }
    }
    const char *colon = strchr(name, ':');
    append_macro(buf, size, used, "PSA_ALG_", name, colon != NULL ? colon : name + strlen(name));
    if (colon != NULL) {
        append_text(buf, size, used, "(");
        spec_alg(colon + 1, buf, size, used);
        append_text(buf, size, used, ")");
    }
}

const char *psa_names_alg_spec(psa_algorithm_t alg, char *buf, size_t size)
{
    char name[96];
    psa_names_alg(alg, name, sizeof(name));
    size_t used = 0;
    buf[0] = '\0';
    if (name[0] == '0') { /* no name: the number */
        append_text(buf, size, &used, name);
    } else {
        spec_alg(name, buf, size, &used);
    }
    return buf;
}

const char *psa_names_type_spec(psa_key_type_t type, char *buf, size_t size)
{
    char name[64];
    psa_names_type(type, name, sizeof(name));
    size_t used = 0;
    buf[0] = '\0';
    const char *colon = strchr(name, ':');
    if (name[0] == '0') {
        append_text(buf, size, &used, name);
    } else if (colon == NULL) {
        append_macro(buf, size, &used, "PSA_KEY_TYPE_", name, name + strlen(name));
    } else {
        append_macro(buf, size, &used, "PSA_KEY_TYPE_", name, colon);
        append_text(buf, size, &used, "(");
        append_macro(buf, size, &used,
                     strncmp(name, "dh-", 3) == 0 ? "PSA_DH_FAMILY_" : "PSA_ECC_FAMILY_", colon + 1,
                     colon + 1 + strlen(colon + 1));
        append_text(buf, size, &used, ")");
    }
    return buf;
}

const char *psa_names_usage_spec(psa_key_usage_t usage, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < COUNT(usage_names); i++) {
        if ((usage & usage_names[i].value) != 0) {
            if (used > 0) {
                append_text(buf, size, &used, " | ");
            }
            const char *n = usage_names[i].name;
            append_macro(buf, size, &used, "PSA_KEY_USAGE_", n, n + strlen(n));
        }
    }
    if (used == 0) {
        append_text(buf, size, &used, "0");
    }
    return buf;
}

/* ---- key sizes the crypto core accepts (src/crypto/key_types.c, asym_key.c) ------------- */

const char *psa_names_type_sizes(psa_key_type_t type)
{
    if (PSA_KEY_TYPE_IS_ECC(type)) {
        switch (PSA_KEY_TYPE_ECC_GET_FAMILY(type)) {
        case PSA_ECC_FAMILY_SECP_R1:
            return "192, 224, 256, 384 or 521";
        case PSA_ECC_FAMILY_SECP_K1:
            return "192 or 256";
        case PSA_ECC_FAMILY_BRAINPOOL_P_R1:
            return "160, 192, 224, 256, 320, 384 or 512";
        case PSA_ECC_FAMILY_MONTGOMERY:
            return "255 (X25519) or 448 (X448)";
        case PSA_ECC_FAMILY_TWISTED_EDWARDS:
            return "255 (Ed25519) or 448 (Ed448)";
        default:
            return NULL;
        }
    }
    if (PSA_KEY_TYPE_IS_DH(type)) {
        return "2048, 3072, 4096, 6144 or 8192";
    }
    switch (type) {
    case PSA_KEY_TYPE_RSA_KEY_PAIR:
    case PSA_KEY_TYPE_RSA_PUBLIC_KEY:
        return "1024 to 4096, a multiple of 8";
    case PSA_KEY_TYPE_AES:
        return "128, 192 or 256 (384 or 512 for XTS)";
    case PSA_KEY_TYPE_ARIA:
    case PSA_KEY_TYPE_CAMELLIA:
        return "128, 192 or 256";
    case PSA_KEY_TYPE_SM4:
        return "128";
    case PSA_KEY_TYPE_DES:
        return "64, 128 or 192";
    case PSA_KEY_TYPE_CHACHA20:
        return "256";
    default:
        return "a whole number of bytes (a multiple of 8)";
    }
}
