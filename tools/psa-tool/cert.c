/*
 * psa-tool csr and cert self-sign: a PKCS#10 request or a self-signed X.509 certificate for a key
 * held in the service. OpenSSL's X509_REQ/X509 APIs make the format; the signature over the
 * to-be-signed part is psa_sign_message's, so the private key never leaves the service.
 *
 * The AlgorithmIdentifier of the signature is OpenSSL's own: the request or certificate is first
 * signed with a temporary key of the same algorithm (which sets the identifiers inside and
 * outside the signed part), then its signature value is replaced by the service's over the
 * re-encoded to-be-signed bytes. The temporary key is discarded; it signs nothing that is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "psa_names.h"
#include "tool.h"

/* The key's public half and a temporary OpenSSL key and signing context for the same
 * signature algorithm. */
typedef struct signer {
    psa_key_id_t key;
    psa_algorithm_t alg;
    psa_key_type_t type;
    size_t bits;
    EVP_PKEY *pub, *tmp;
    EVP_MD_CTX *mctx;
} signer_t;

static void signer_free(signer_t *s)
{
    EVP_PKEY_free(s->pub);
    EVP_PKEY_free(s->tmp);
    EVP_MD_CTX_free(s->mctx);
}

static const EVP_MD *hash_md(psa_algorithm_t hash)
{
    switch (hash) {
    case PSA_ALG_SHA_256:
        return EVP_sha256();
    case PSA_ALG_SHA_384:
        return EVP_sha384();
    case PSA_ALG_SHA_512:
        return EVP_sha512();
    default:
        return NULL;
    }
}

static int signer_init(signer_t *s, psa_key_id_t key, psa_algorithm_t alg)
{
    memset(s, 0, sizeof(*s));
    s->key = key;
    s->alg = alg;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_status_t st = psa_get_key_attributes(key, &attr);
    if (st != PSA_SUCCESS) {
        return tool_fail("psa_get_key_attributes", st);
    }
    s->type = psa_get_key_type(&attr);
    s->bits = psa_get_key_bits(&attr);
    psa_reset_key_attributes(&attr);
    if (!PSA_KEY_TYPE_IS_KEY_PAIR(s->type)) {
        char name[64];
        return tool_error("key 0x%08x is a %s: signing needs a key pair", (unsigned)key,
                          psa_names_type(s->type, name, sizeof(name)));
    }

    uint8_t pub[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE], *spki = NULL;
    size_t pub_len = 0, spki_len = 0;
    st = psa_export_public_key(key, pub, sizeof(pub), &pub_len);
    if (st != PSA_SUCCESS) {
        return tool_fail("psa_export_public_key", st);
    }
    st = tool_public_key_to_spki(s->type, s->bits, pub, pub_len, false, &spki, &spki_len);
    if (st != PSA_SUCCESS) {
        return tool_fail("converting the public key", st);
    }
    const unsigned char *p = spki;
    s->pub = d2i_PUBKEY(NULL, &p, (long)spki_len);
    OPENSSL_free(spki);
    if (s->pub == NULL) {
        return tool_fail("reading the public key", PSA_ERROR_NOT_SUPPORTED);
    }

    /* The temporary key: same family, and for RSA a size the padding fits in. */
    const EVP_MD *md = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    bool pss = PSA_ALG_IS_RSA_PSS(alg);
    if (PSA_KEY_TYPE_IS_ECC(s->type) && PSA_ALG_IS_ECDSA(alg)) {
        md = hash_md(PSA_ALG_SIGN_GET_HASH(alg));
        s->tmp = md != NULL ? EVP_EC_gen("P-256") : NULL;
    } else if (PSA_KEY_TYPE_IS_RSA(s->type) && (PSA_ALG_IS_RSA_PKCS1V15_SIGN(alg) || pss)) {
        md = hash_md(PSA_ALG_SIGN_GET_HASH(alg));
        s->tmp = md != NULL ? EVP_RSA_gen(2048) : NULL;
    } else if (alg == PSA_ALG_PURE_EDDSA && s->bits == 255) {
        s->tmp = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    } else if (alg == PSA_ALG_PURE_EDDSA && s->bits == 448) {
        s->tmp = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
    } else {
        char a[64], t[64];
        return tool_error("certificates are signed with ecdsa:sha-256/384/512, "
                          "rsa-pkcs1v15-sign:sha-*, rsa-pss:sha-* or pure-eddsa; not %s with a "
                          "%s key",
                          psa_names_alg(alg, a, sizeof(a)), psa_names_type(s->type, t, sizeof(t)));
    }
    s->mctx = EVP_MD_CTX_new();
    if (s->tmp == NULL || s->mctx == NULL ||
        EVP_DigestSignInit(s->mctx, &pctx, md, NULL, s->tmp) <= 0 ||
        (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
                 EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0))) {
        return tool_fail("preparing the signature algorithm", PSA_ERROR_NOT_SUPPORTED);
    }
    return TOOL_EXIT_OK;
}

/* The service's signature over tbs, as X.509 carries it (ECDSA: DER ECDSA-Sig-Value). */
static int service_sign(const signer_t *s, const uint8_t *tbs, size_t tbs_len,
                        ASN1_BIT_STRING **out)
{
    uint8_t sig[PSA_SIGNATURE_MAX_SIZE];
    size_t sig_len = 0;
    psa_status_t st = psa_sign_message(s->key, s->alg, tbs, tbs_len, sig, sizeof(sig), &sig_len);
    if (st != PSA_SUCCESS) {
        return tool_fail_key("psa_sign_message", st, s->key, PSA_KEY_USAGE_SIGN_MESSAGE, s->alg);
    }
    uint8_t *der = NULL;
    size_t der_len = 0;
    const uint8_t *value = sig;
    size_t value_len = sig_len;
    if (PSA_ALG_IS_ECDSA(s->alg)) {
        if (!tool_ecdsa_raw_to_der(sig, sig_len, &der, &der_len)) {
            return tool_error("cannot encode the signature as DER");
        }
        value = der;
        value_len = der_len;
    }
    *out = ASN1_BIT_STRING_new();
    bool ok = *out != NULL && ASN1_BIT_STRING_set(*out, (unsigned char *)value, (int)value_len);
    if (ok) {
        /* A signature is whole octets: 0 unused bits, stated (else the encoder would count the
         * last octet's trailing zero bits as unused). */
        (*out)->flags = ASN1_STRING_FLAG_BITS_LEFT;
    }
    OPENSSL_free(der);
    if (!ok) {
        ASN1_BIT_STRING_free(*out);
        *out = NULL;
        return tool_fail("encoding the signature", PSA_ERROR_INSUFFICIENT_MEMORY);
    }
    return TOOL_EXIT_OK;
}

/* "/CN=name/O=org" (openssl req -subj's form; "\/" is a '/' in a value). */
static X509_NAME *parse_subject(const char *text)
{
    if (text == NULL || text[0] != '/') {
        tool_usage_error("--subject must look like /CN=name/O=organisation, not '%s'",
                         text != NULL ? text : "");
        return NULL;
    }
    X509_NAME *name = X509_NAME_new();
    char *copy = strdup(text + 1);
    if (name == NULL || copy == NULL) {
        X509_NAME_free(name);
        free(copy);
        return NULL;
    }
    char *field = copy;
    bool ok = true;
    while (ok && *field != '\0') {
        /* Find the end of this field, unescaping "\/" in place. */
        char *w = field, *r = field;
        while (*r != '\0' && *r != '/') {
            if (r[0] == '\\' && r[1] != '\0') {
                r++;
            }
            *w++ = *r++;
        }
        char *next = *r == '/' ? r + 1 : r;
        *w = '\0';
        char *eq = strchr(field, '=');
        if (eq == NULL || eq == field || eq[1] == '\0') {
            tool_usage_error("--subject: '%s' is not NAME=VALUE", field);
            ok = false;
            break;
        }
        *eq = '\0';
        if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, (unsigned char *)eq + 1, -1, -1,
                                        0)) {
            tool_usage_error("--subject: unknown attribute '%s' (CN, O, OU, C, ST, L, ...)", field);
            ok = false;
        }
        field = next;
    }
    free(copy);
    if (!ok) {
        X509_NAME_free(name);
        return NULL;
    }
    return name;
}

/* A v3 extension from OpenSSL's configuration syntax ("DNS:a.example,IP:127.0.0.1"). */
static X509_EXTENSION *make_ext(X509V3_CTX *ctx, int nid, const char *value, const char *option)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
    if (ext == NULL) {
        tool_usage_error("%s: cannot use '%s' (e.g. DNS:host.example,IP:192.0.2.1,"
                         "email:a@example.org)",
                         option, value);
    }
    return ext;
}

static bool write_pem(const char *path, bool (*write)(BIO *, void *), void *object)
{
    bool to_stdout = path == NULL || strcmp(path, "-") == 0;
    BIO *bio = to_stdout ? BIO_new_fp(stdout, BIO_NOCLOSE) : BIO_new_file(path, "w");
    bool ok = bio != NULL && write(bio, object) && BIO_flush(bio) == 1;
    BIO_free(bio);
    if (!ok) {
        tool_error("cannot write %s", to_stdout ? "standard output" : path);
    }
    return ok;
}

static bool pem_req(BIO *bio, void *req)
{
    return PEM_write_bio_X509_REQ(bio, req) == 1;
}

static bool pem_cert(BIO *bio, void *cert)
{
    return PEM_write_bio_X509(bio, cert) == 1;
}

static bool common_args(const tool_args_t *args, psa_key_id_t *key, psa_algorithm_t *alg,
                        X509_NAME **subject)
{
    const char *alg_name = tool_opt(args, "alg");
    if (!tool_require_key_id(args, key)) {
        return false;
    }
    if (alg_name == NULL) {
        tool_usage_error("--alg is required (e.g. --alg ecdsa:sha-256)");
        return false;
    }
    if (!psa_names_parse_alg(alg_name, alg)) {
        tool_usage_error("unknown algorithm '%s'", alg_name);
        return false;
    }
    if (tool_opt(args, "subject") == NULL) {
        tool_usage_error("--subject is required (e.g. --subject /CN=device.example)");
        return false;
    }
    *subject = parse_subject(tool_opt(args, "subject"));
    return *subject != NULL;
}

static const char *const csr_opts[] = {"id", "alg", "subject", "san", "out", NULL};

static int cmd_csr(int argc, char **argv)
{
    tool_args_t args;
    psa_key_id_t key;
    psa_algorithm_t alg;
    X509_NAME *subject = NULL;
    signer_t s = {0};
    X509_REQ *req = NULL;
    STACK_OF(X509_EXTENSION) *exts = NULL;
    uint8_t *tbs = NULL;
    int rc = TOOL_EXIT_FAILED;
    if (!tool_parse(argc, argv, csr_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "csr", tool_cert_commands[0].help)) {
        return TOOL_EXIT_OK;
    }
    if (!common_args(&args, &key, &alg, &subject)) {
        return TOOL_EXIT_USAGE;
    }
    if (!tool_crypto_init() || (rc = signer_init(&s, key, alg)) != TOOL_EXIT_OK) {
        rc = TOOL_EXIT_FAILED;
        goto out;
    }
    rc = TOOL_EXIT_FAILED;
    req = X509_REQ_new();
    if (req == NULL || !X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
        !X509_REQ_set_subject_name(req, subject) || !X509_REQ_set_pubkey(req, s.pub)) {
        tool_fail("building the request", PSA_ERROR_INSUFFICIENT_MEMORY);
        goto out;
    }
    if (tool_opt(&args, "san") != NULL) {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, NULL, NULL, req, NULL, 0);
        X509_EXTENSION *san = make_ext(&ctx, NID_subject_alt_name, tool_opt(&args, "san"), "--san");
        if (san == NULL) {
            rc = TOOL_EXIT_USAGE;
            goto out;
        }
        exts = sk_X509_EXTENSION_new_null();
        if (exts == NULL || !sk_X509_EXTENSION_push(exts, san) ||
            !X509_REQ_add_extensions(req, exts)) {
            X509_EXTENSION_free(san);
            tool_fail("adding the subjectAltName", PSA_ERROR_INSUFFICIENT_MEMORY);
            goto out;
        }
    }
    /* OpenSSL's identifiers, then the service's signature over the re-encoded request info. */
    ASN1_BIT_STRING *sig = NULL;
    int tbs_len = 0;
    if (X509_REQ_sign_ctx(req, s.mctx) <= 0 || (tbs_len = i2d_re_X509_REQ_tbs(req, &tbs)) <= 0) {
        tool_fail("encoding the request", PSA_ERROR_GENERIC_ERROR);
        goto out;
    }
    if ((rc = service_sign(&s, tbs, (size_t)tbs_len, &sig)) != TOOL_EXIT_OK) {
        goto out;
    }
    X509_REQ_set0_signature(req, sig);
    /* What is written must verify with its own public key, as a reader parses it. */
    unsigned char *der = NULL;
    int der_len = i2d_X509_REQ(req, &der);
    const unsigned char *q = der;
    X509_REQ *parsed = der_len > 0 ? d2i_X509_REQ(NULL, &q, der_len) : NULL;
    bool verified = parsed != NULL && X509_REQ_verify(parsed, s.pub) == 1;
    X509_REQ_free(parsed);
    OPENSSL_free(der);
    if (!verified) {
        rc = tool_fail("checking the request's signature", PSA_ERROR_CORRUPTION_DETECTED);
        goto out;
    }
    rc = write_pem(tool_opt(&args, "out"), pem_req, req) ? TOOL_EXIT_OK : TOOL_EXIT_FAILED;
out:
    OPENSSL_free(tbs);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_free(req);
    X509_NAME_free(subject);
    signer_free(&s);
    return rc;
}

/* The Certificate SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } around the
 * service's signature, parsed back by OpenSSL. */
static X509 *assemble_certificate(const uint8_t *tbs, int tbs_len, const X509_ALGOR *sig_alg,
                                  ASN1_BIT_STRING *sig)
{
    unsigned char *alg_der = NULL, *sig_der = NULL;
    int alg_len = i2d_X509_ALGOR(sig_alg, &alg_der);
    int sig_len = i2d_ASN1_BIT_STRING(sig, &sig_der);
    X509 *cert = NULL;
    if (alg_len > 0 && sig_len > 0) {
        int body = tbs_len + alg_len + sig_len;
        int total = ASN1_object_size(1, body, V_ASN1_SEQUENCE);
        unsigned char *der = total > 0 ? OPENSSL_malloc((size_t)total) : NULL;
        if (der != NULL) {
            unsigned char *p = der;
            ASN1_put_object(&p, 1, body, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
            memcpy(p, tbs, (size_t)tbs_len);
            memcpy(p + tbs_len, alg_der, (size_t)alg_len);
            memcpy(p + tbs_len + alg_len, sig_der, (size_t)sig_len);
            const unsigned char *q = der;
            cert = d2i_X509(NULL, &q, total);
            if (cert != NULL && q != der + total) {
                X509_free(cert);
                cert = NULL;
            }
            OPENSSL_free(der);
        }
    }
    OPENSSL_free(alg_der);
    OPENSSL_free(sig_der);
    return cert;
}

static const char *const self_sign_opts[] = {"id", "alg", "subject", "san", "days", "out", NULL};

static int cmd_self_sign(int argc, char **argv)
{
    tool_args_t args;
    psa_key_id_t key;
    psa_algorithm_t alg;
    X509_NAME *subject = NULL;
    signer_t s = {0};
    X509 *cert = NULL, *final = NULL;
    uint8_t *tbs = NULL;
    ASN1_BIT_STRING *sig = NULL;
    uint64_t days = 365;
    int rc = TOOL_EXIT_FAILED;
    if (!tool_parse(argc, argv, self_sign_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "cert self-sign", tool_cert_commands[1].help)) {
        return TOOL_EXIT_OK;
    }
    if (tool_opt(&args, "days") != NULL &&
        (!tool_parse_u64(tool_opt(&args, "days"), &days) || days == 0 || days > 36500)) {
        return tool_usage_error("--days %s: give 1 to 36500 days", tool_opt(&args, "days"));
    }
    if (!common_args(&args, &key, &alg, &subject)) {
        return TOOL_EXIT_USAGE;
    }
    if (!tool_crypto_init() || signer_init(&s, key, alg) != TOOL_EXIT_OK) {
        goto out;
    }
    /* A random positive 127-bit serial number (RFC 5280: at most 20 octets, positive). */
    uint8_t serial[16];
    psa_status_t st = psa_generate_random(serial, sizeof(serial));
    if (st != PSA_SUCCESS) {
        rc = tool_fail("psa_generate_random", st);
        goto out;
    }
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), NULL);
    cert = X509_new();
    bool ok = bn != NULL && cert != NULL && X509_set_version(cert, X509_VERSION_3) &&
              BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL &&
              X509_set_subject_name(cert, subject) && X509_set_issuer_name(cert, subject) &&
              X509_gmtime_adj(X509_getm_notBefore(cert), 0) != NULL &&
              X509_time_adj_ex(X509_getm_notAfter(cert), (int)days, 0, NULL) != NULL &&
              X509_set_pubkey(cert, s.pub);
    BN_free(bn);
    if (!ok) {
        rc = tool_fail("building the certificate", PSA_ERROR_INSUFFICIENT_MEMORY);
        goto out;
    }
    /* As openssl req -x509 makes them: a CA that names its own key. */
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    static const struct {
        int nid;
        const char *value;
    } std_exts[] = {
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"},
        {NID_basic_constraints, "critical,CA:TRUE"},
    };
    for (size_t i = 0; i < sizeof(std_exts) / sizeof(std_exts[0]); i++) {
        X509_EXTENSION *ext = make_ext(&ctx, std_exts[i].nid, std_exts[i].value, "extension");
        ok = ext != NULL && X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
        if (!ok) {
            goto out;
        }
    }
    if (tool_opt(&args, "san") != NULL) {
        X509_EXTENSION *san = make_ext(&ctx, NID_subject_alt_name, tool_opt(&args, "san"), "--san");
        ok = san != NULL && X509_add_ext(cert, san, -1);
        X509_EXTENSION_free(san);
        if (!ok) {
            rc = TOOL_EXIT_USAGE;
            goto out;
        }
    }
    int tbs_len = 0;
    if (X509_sign_ctx(cert, s.mctx) <= 0 || (tbs_len = i2d_re_X509_tbs(cert, &tbs)) <= 0) {
        rc = tool_fail("encoding the certificate", PSA_ERROR_GENERIC_ERROR);
        goto out;
    }
    if ((rc = service_sign(&s, tbs, (size_t)tbs_len, &sig)) != TOOL_EXIT_OK) {
        goto out;
    }
    rc = TOOL_EXIT_FAILED;
    const ASN1_BIT_STRING *template_sig = NULL;
    const X509_ALGOR *sig_alg = NULL;
    X509_get0_signature(&template_sig, &sig_alg, cert);
    final = assemble_certificate(tbs, tbs_len, sig_alg, sig);
    if (final == NULL || X509_verify(final, s.pub) != 1) {
        rc = tool_fail("checking the certificate's signature", PSA_ERROR_CORRUPTION_DETECTED);
        goto out;
    }
    rc = write_pem(tool_opt(&args, "out"), pem_cert, final) ? TOOL_EXIT_OK : TOOL_EXIT_FAILED;
out:
    ASN1_BIT_STRING_free(sig);
    OPENSSL_free(tbs);
    X509_free(final);
    X509_free(cert);
    X509_NAME_free(subject);
    signer_free(&s);
    return rc;
}

const tool_command_t tool_cert_commands[] = {
    {"csr", cmd_csr, "make a PKCS#10 certificate request signed by a key in the service",
     "  --id ID --alg ALG --subject /CN=NAME[/O=ORG...] [--san LIST] [--out FILE|-]\n"
     "Writes a PEM CERTIFICATE REQUEST for the key's public half, signed by the service with\n"
     "psa_sign_message (the key needs usage sign-message or sign-hash; it never leaves the\n"
     "service). --san takes OpenSSL's syntax: DNS:host.example,IP:192.0.2.1,email:a@b.example.\n"
     "ALG: ecdsa:sha-256/384/512, rsa-pkcs1v15-sign:sha-*, rsa-pss:sha-*, pure-eddsa.\n"
     "  psa-tool csr --id 1 --alg ecdsa:sha-256 --subject /CN=device.example \\\n"
     "      --san DNS:device.example --out device.csr\n"},
    {"self-sign", cmd_self_sign, "make a self-signed X.509 certificate for a key in the service",
     "  --id ID --alg ALG --subject /CN=NAME[/O=ORG...] [--san LIST] [--days N] [--out FILE|-]\n"
     "Writes a PEM X.509 v3 certificate (random serial, valid from now for N days, default\n"
     "365; subjectKeyIdentifier, authorityKeyIdentifier, basicConstraints CA:TRUE, and the\n"
     "subjectAltName from --san), signed by the key in the service as for psa-tool csr.\n"},
    {NULL, NULL, NULL, NULL},
};
