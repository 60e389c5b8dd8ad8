/* Authenticated-variable checks on OpenSSL: descriptor parsing, PKCS#7, signature lists. */
#include "uefi/var_auth.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "base/wire.h"

static const efi_guid_t pkcs7_guid = EFI_CERT_TYPE_PKCS7_GUID;
static const efi_guid_t x509_guid = EFI_CERT_X509_GUID;

efi_status_t var_auth_parse(const uint8_t *data, size_t size, var_auth_descriptor_t *out)
{
    wire_reader_t r;
    uint32_t length = 0;
    uint16_t revision = 0, type = 0;
    uint8_t cert_type[16];
    memset(out, 0, sizeof(*out));
    wire_reader_init(&r, data, size);
    wire_get_bytes(&r, out->timestamp, EFI_TIME_SIZE);
    wire_get_u32(&r, &length);
    wire_get_u16(&r, &revision);
    wire_get_u16(&r, &type);
    wire_get_bytes(&r, cert_type, sizeof(cert_type));
    if (!wire_reader_ok(&r) || length < WIN_CERT_HEADER_SIZE || revision != WIN_CERT_REVISION ||
        type != WIN_CERT_TYPE_EFI_GUID || memcmp(cert_type, pkcs7_guid.b, 16) != 0) {
        return EFI_SECURITY_VIOLATION;
    }
    /* dwLength counts from the WIN_CERTIFICATE, i.e. from offset 16. */
    if (!wire_get_ref(&r, length - WIN_CERT_HEADER_SIZE, &out->cert)) {
        return EFI_SECURITY_VIOLATION;
    }
    out->cert_size = length - WIN_CERT_HEADER_SIZE;
    out->payload_size = wire_remaining(&r);
    out->payload = data + (size - out->payload_size);
    const uint8_t *t = out->timestamp;
    uint16_t year = wire_load_u16(t);
    uint8_t month = t[2], day = t[3], hour = t[4], minute = t[5], second = t[6];
    /* Pad1 (7), Nanosecond (8..11), TimeZone (12..13), Daylight (14), Pad2 (15) must be 0. */
    for (size_t i = 7; i < EFI_TIME_SIZE; i++) {
        if (t[i] != 0) {
            return EFI_SECURITY_VIOLATION;
        }
    }
    if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 59) {
        return EFI_SECURITY_VIOLATION;
    }
    return EFI_SUCCESS;
}

int var_auth_time_compare(const uint8_t a[EFI_TIME_SIZE], const uint8_t b[EFI_TIME_SIZE])
{
    uint16_t ya = wire_load_u16(a), yb = wire_load_u16(b);
    if (ya != yb) {
        return ya < yb ? -1 : 1;
    }
    for (size_t i = 2; i <= 6; i++) {
        if (a[i] != b[i]) {
            return a[i] < b[i] ? -1 : 1;
        }
    }
    return 0;
}

efi_status_t var_auth_signed_data(const uint8_t *name, size_t name_size, const efi_guid_t *guid,
                                  uint32_t attributes, const var_auth_descriptor_t *d,
                                  uint8_t **out, size_t *out_size)
{
    size_t size = (name_size - 2) + 16 + 4 + EFI_TIME_SIZE + d->payload_size;
    uint8_t *buf = malloc(size);
    if (buf == NULL) {
        return EFI_OUT_OF_RESOURCES;
    }
    wire_writer_t w;
    wire_writer_init(&w, buf, size);
    wire_put_bytes(&w, name, name_size - 2);
    wire_put_bytes(&w, guid->b, 16);
    wire_put_u32(&w, attributes);
    wire_put_bytes(&w, d->timestamp, EFI_TIME_SIZE);
    wire_put_bytes(&w, d->payload, d->payload_size);
    *out = buf;
    *out_size = size;
    return EFI_SUCCESS;
}

/* Accepts a ContentInfo-wrapped SignedData or a bare SignedData (what efitools writes). */
static PKCS7 *parse_pkcs7(const uint8_t *der, size_t size)
{
    if (size == 0 || size > LONG_MAX) {
        return NULL;
    }
    const unsigned char *p = der;
    PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)size);
    if (p7 != NULL && p == der + size && PKCS7_type_is_signed(p7)) {
        return p7;
    }
    PKCS7_free(p7);
    p = der;
    PKCS7_SIGNED *sd = d2i_PKCS7_SIGNED(NULL, &p, (long)size);
    if (sd == NULL || p != der + size) {
        PKCS7_SIGNED_free(sd);
        return NULL;
    }
    p7 = PKCS7_new();
    if (p7 == NULL || PKCS7_set_type(p7, NID_pkcs7_signed) != 1) {
        PKCS7_free(p7);
        PKCS7_SIGNED_free(sd);
        return NULL;
    }
    PKCS7_SIGNED_free(p7->d.sign);
    p7->d.sign = sd;
    return p7;
}

/* Verifies the signature over data; with store NULL only against the embedded signer. */
static bool pkcs7_verify(PKCS7 *p7, X509_STORE *store, const uint8_t *data, size_t size)
{
    if (!PKCS7_get_detached(p7) || size > INT_MAX) {
        return false; /* the signed bytes are ours to rebuild, never carried inside */
    }
    BIO *in = BIO_new_mem_buf(data, (int)size);
    if (in == NULL) {
        return false;
    }
    int flags = PKCS7_BINARY | (store == NULL ? PKCS7_NOVERIFY : 0);
    X509_STORE *empty = NULL;
    if (store == NULL) {
        empty = X509_STORE_new();
        store = empty;
    }
    bool ok = store != NULL && PKCS7_verify(p7, NULL, store, in, NULL, flags) == 1;
    X509_STORE_free(empty);
    BIO_free(in);
    return ok;
}

/* Calls fn for each entry of each list of data (already checked). */
typedef bool (*esl_entry_fn)(void *ctx, const uint8_t type[16], const uint8_t *entry,
                             size_t entry_size);

static bool esl_walk(const uint8_t *data, size_t size, esl_entry_fn fn, void *ctx)
{
    wire_reader_t r;
    wire_reader_init(&r, data, size);
    while (wire_remaining(&r) > 0) {
        const uint8_t *type;
        uint32_t list_size = 0, header_size = 0, sig_size = 0;
        wire_get_ref(&r, 16, &type);
        wire_get_u32(&r, &list_size);
        wire_get_u32(&r, &header_size);
        wire_get_u32(&r, &sig_size);
        if (!wire_reader_ok(&r) || !wire_skip(&r, header_size)) {
            return false;
        }
        size_t entries = (list_size - EFI_SIGNATURE_LIST_HEADER_SIZE - header_size) / sig_size;
        for (size_t i = 0; i < entries; i++) {
            const uint8_t *entry;
            if (!wire_get_ref(&r, sig_size, &entry) || !fn(ctx, type, entry, sig_size)) {
                return false;
            }
        }
    }
    return wire_reader_ok(&r);
}

static bool add_cert(void *ctx, const uint8_t type[16], const uint8_t *entry, size_t entry_size)
{
    X509_STORE *store = ctx;
    if (memcmp(type, x509_guid.b, 16) != 0) {
        return true; /* hashes and raw keys are not signers */
    }
    const unsigned char *p = entry + EFI_SIGNATURE_OWNER_SIZE;
    X509 *cert = d2i_X509(NULL, &p, (long)(entry_size - EFI_SIGNATURE_OWNER_SIZE));
    if (cert != NULL) {
        X509_STORE_add_cert(store, cert);
        X509_free(cert);
    }
    return true;
}

efi_status_t var_auth_verify(const var_auth_descriptor_t *d, const uint8_t *signed_data,
                             size_t signed_size, const uint8_t *trust, size_t trust_size)
{
    efi_status_t status = EFI_SECURITY_VIOLATION;
    PKCS7 *p7 = parse_pkcs7(d->cert, d->cert_size);
    X509_STORE *store = X509_STORE_new();
    if (p7 != NULL && store != NULL && trust_size > 0 &&
        var_esl_check(trust, trust_size, false) == EFI_SUCCESS &&
        esl_walk(trust, trust_size, add_cert, store)) {
        /* A trusted certificate anywhere in the chain is enough; firmware keeps no clock and
         * UEFI places no purpose on key-store certificates. */
        X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
        X509_STORE_set_purpose(store, X509_PURPOSE_ANY);
        if (pkcs7_verify(p7, store, signed_data, signed_size)) {
            status = EFI_SUCCESS;
        }
    }
    X509_STORE_free(store);
    PKCS7_free(p7);
    return status;
}

/* The UEFI fingerprint of a PKCS#7's signer: SHA-256 over the signer's subject common name and
 * the tbsCertificate of the top of the chain the PKCS#7 carries. */
static efi_status_t pkcs7_fingerprint(PKCS7 *p7, uint8_t fingerprint[32])
{
    efi_status_t status = EFI_SECURITY_VIOLATION;
    unsigned char *tbs = NULL;
    STACK_OF(X509) *signers = PKCS7_get0_signers(p7, NULL, 0);
    if (signers == NULL || sk_X509_num(signers) != 1) {
        sk_X509_free(signers);
        return status;
    }
    X509 *signer = sk_X509_value(signers, 0);
    STACK_OF(X509) *certs = p7->d.sign->cert;
    /* Climb to the top of the chain the PKCS#7 carries (bounded: no loops). */
    X509 *top = signer;
    for (int depth = 0; depth < sk_X509_num(certs); depth++) {
        X509 *issuer = NULL;
        if (X509_check_issued(top, top) == X509_V_OK) {
            break;
        }
        for (int i = 0; i < sk_X509_num(certs); i++) {
            X509 *c = sk_X509_value(certs, i);
            if (c != top && X509_check_issued(c, top) == X509_V_OK) {
                issuer = c;
                break;
            }
        }
        if (issuer == NULL) {
            break;
        }
        top = issuer;
    }
    X509_NAME *subject = X509_get_subject_name(signer);
    int cn_index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    const ASN1_STRING *cn =
        cn_index >= 0 ? X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, cn_index)) : NULL;
    int tbs_size = i2d_re_X509_tbs(top, &tbs);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int md_size = 0;
    if (cn != NULL && tbs_size > 0 && md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
        EVP_DigestUpdate(md, ASN1_STRING_get0_data(cn), (size_t)ASN1_STRING_length(cn)) &&
        EVP_DigestUpdate(md, tbs, (size_t)tbs_size) &&
        EVP_DigestFinal_ex(md, fingerprint, &md_size) && md_size == 32) {
        status = EFI_SUCCESS;
    }
    EVP_MD_CTX_free(md);
    OPENSSL_free(tbs);
    sk_X509_free(signers);
    return status;
}

efi_status_t var_auth_verify_private(const var_auth_descriptor_t *d, const uint8_t *signed_data,
                                     size_t signed_size, uint8_t fingerprint[32])
{
    efi_status_t status = EFI_SECURITY_VIOLATION;
    PKCS7 *p7 = parse_pkcs7(d->cert, d->cert_size);
    if (p7 != NULL && pkcs7_verify(p7, NULL, signed_data, signed_size)) {
        status = pkcs7_fingerprint(p7, fingerprint);
    }
    PKCS7_free(p7);
    return status;
}

efi_status_t var_pkcs7_fingerprint(const uint8_t *der, size_t size, uint8_t fingerprint[32])
{
    PKCS7 *p7 = parse_pkcs7(der, size);
    efi_status_t status = p7 != NULL ? pkcs7_fingerprint(p7, fingerprint) : EFI_SECURITY_VIOLATION;
    PKCS7_free(p7);
    return status == EFI_SUCCESS ? EFI_SUCCESS : EFI_COMPROMISED_DATA;
}

/* One SignerInfo's signature over `hash` with `key`: directly over the hash, or, when the signer
 * signed attributes, over them after checking that their messageDigest is the hash. */
static bool signer_verifies(PKCS7_SIGNER_INFO *si, EVP_PKEY *key, const uint8_t *hash,
                            size_t hash_size)
{
    const EVP_MD *md = EVP_get_digestbyobj(si->digest_alg->algorithm);
    if (md == NULL || (size_t)EVP_MD_get_size(md) != hash_size) {
        return false;
    }
    uint8_t attrs_hash[EVP_MAX_MD_SIZE];
    const uint8_t *tbs = hash;
    size_t tbs_size = hash_size;
    if (sk_X509_ATTRIBUTE_num(si->auth_attr) > 0) {
        ASN1_OCTET_STRING *digest = PKCS7_digest_from_attributes(si->auth_attr);
        unsigned char *der = NULL;
        unsigned int n = 0;
        int der_size =
            ASN1_item_i2d((ASN1_VALUE *)si->auth_attr, &der, ASN1_ITEM_rptr(PKCS7_ATTR_VERIFY));
        bool ok = digest != NULL && (size_t)ASN1_STRING_length(digest) == hash_size &&
                  CRYPTO_memcmp(ASN1_STRING_get0_data(digest), hash, hash_size) == 0 &&
                  der_size > 0 && EVP_Digest(der, (size_t)der_size, attrs_hash, &n, md, NULL) &&
                  n == hash_size;
        OPENSSL_free(der);
        if (!ok) {
            return false;
        }
        tbs = attrs_hash;
    }
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    bool ok = ctx != NULL && EVP_PKEY_verify_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 &&
              EVP_PKEY_verify(ctx, ASN1_STRING_get0_data(si->enc_digest),
                              (size_t)ASN1_STRING_length(si->enc_digest), tbs, tbs_size) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

int32_t var_pkcs7_verify_hash(const uint8_t *der, size_t size, const uint8_t *hash,
                              size_t hash_size, const uint8_t *cert, size_t cert_size)
{
    PKCS7 *p7 = parse_pkcs7(der, size);
    if (p7 == NULL) {
        return VAR_PKCS7_INVALID_FORMAT;
    }
    int32_t status = VAR_PKCS7_VERIFY_FAIL;
    X509 *given = NULL;
    if (cert_size > 0) {
        const unsigned char *p = cert;
        given = cert_size <= LONG_MAX ? d2i_X509(NULL, &p, (long)cert_size) : NULL;
        if (given == NULL || p != cert + cert_size) {
            X509_free(given);
            PKCS7_free(p7);
            return VAR_PKCS7_INVALID_CERT;
        }
    }
    STACK_OF(PKCS7_SIGNER_INFO) *infos = PKCS7_get_signer_info(p7);
    for (int i = 0; infos != NULL && i < sk_PKCS7_SIGNER_INFO_num(infos); i++) {
        PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(infos, i);
        X509 *signer = given;
        if (signer == NULL) { /* the certificate the PKCS#7 carries for this signer */
            signer = X509_find_by_issuer_and_serial(p7->d.sign->cert, si->issuer_and_serial->issuer,
                                                    si->issuer_and_serial->serial);
        }
        EVP_PKEY *key = signer != NULL ? X509_get0_pubkey(signer) : NULL;
        if (key != NULL && signer_verifies(si, key, hash, hash_size)) {
            status = 0;
            break;
        }
    }
    X509_free(given);
    PKCS7_free(p7);
    return status;
}

/* ---- signature lists ------------------------------------------------------------------------ */

/* Data sizes (without the owner GUID) of the fixed-size types; X.509 entries vary. */
static const struct {
    efi_guid_t type;
    uint32_t data_size;
} esl_fixed_types[] = {
    /* EFI_CERT_SHA256_GUID c1c41626-504c-4092-aca9-41f936934328 */
    {EFI_GUID_INIT(0xc1c41626u, 0x504cu, 0x4092u, 0xac, 0xa9, 0x41, 0xf9, 0x36, 0x93, 0x43, 0x28),
     32},
    /* EFI_CERT_SHA1_GUID 826ca512-cf10-4ac9-b187-be01496631bd */
    {EFI_GUID_INIT(0x826ca512u, 0xcf10u, 0x4ac9u, 0xb1, 0x87, 0xbe, 0x01, 0x49, 0x66, 0x31, 0xbd),
     20},
    /* EFI_CERT_RSA2048_GUID 3c5766e8-269c-4e34-aa14-ed776e85b3b6 */
    {EFI_GUID_INIT(0x3c5766e8u, 0x269cu, 0x4e34u, 0xaa, 0x14, 0xed, 0x77, 0x6e, 0x85, 0xb3, 0xb6),
     256},
};

typedef struct esl_check_ctx {
    size_t x509_lists;
    size_t x509_entries;
    size_t lists;
} esl_check_ctx_t;

efi_status_t var_esl_check(const uint8_t *data, size_t size, bool single_x509)
{
    wire_reader_t r;
    esl_check_ctx_t ctx = {0};
    wire_reader_init(&r, data, size);
    while (wire_remaining(&r) > 0) {
        const uint8_t *type;
        uint32_t list_size = 0, header_size = 0, sig_size = 0;
        wire_get_ref(&r, 16, &type);
        wire_get_u32(&r, &list_size);
        wire_get_u32(&r, &header_size);
        wire_get_u32(&r, &sig_size);
        if (!wire_reader_ok(&r) || list_size < EFI_SIGNATURE_LIST_HEADER_SIZE ||
            list_size - EFI_SIGNATURE_LIST_HEADER_SIZE > wire_remaining(&r) ||
            header_size > list_size - EFI_SIGNATURE_LIST_HEADER_SIZE ||
            sig_size <= EFI_SIGNATURE_OWNER_SIZE) {
            return EFI_INVALID_PARAMETER;
        }
        size_t body = list_size - EFI_SIGNATURE_LIST_HEADER_SIZE - header_size;
        if (body == 0 || body % sig_size != 0 || !wire_skip(&r, header_size)) {
            return EFI_INVALID_PARAMETER;
        }
        bool x509 = memcmp(type, x509_guid.b, 16) == 0;
        for (size_t i = 0; i < sizeof(esl_fixed_types) / sizeof(esl_fixed_types[0]); i++) {
            if (memcmp(type, esl_fixed_types[i].type.b, 16) == 0 &&
                (header_size != 0 ||
                 sig_size != EFI_SIGNATURE_OWNER_SIZE + esl_fixed_types[i].data_size)) {
                return EFI_INVALID_PARAMETER;
            }
        }
        if (x509 && header_size != 0) {
            return EFI_INVALID_PARAMETER;
        }
        for (size_t n = 0; n < body / sig_size; n++) {
            const uint8_t *entry;
            if (!wire_get_ref(&r, sig_size, &entry)) {
                return EFI_INVALID_PARAMETER;
            }
            if (x509) {
                const unsigned char *p = entry + EFI_SIGNATURE_OWNER_SIZE;
                long der_size = (long)(sig_size - EFI_SIGNATURE_OWNER_SIZE);
                X509 *cert = d2i_X509(NULL, &p, der_size);
                bool whole = cert != NULL && p == entry + sig_size;
                X509_free(cert);
                if (!whole) {
                    return EFI_INVALID_PARAMETER;
                }
                ctx.x509_entries++;
            }
        }
        ctx.lists++;
        ctx.x509_lists += x509 ? 1 : 0;
    }
    if (single_x509 && (ctx.lists != 1 || ctx.x509_lists != 1 || ctx.x509_entries != 1)) {
        return EFI_INVALID_PARAMETER;
    }
    return EFI_SUCCESS;
}

typedef struct esl_find_ctx {
    const uint8_t *type;
    const uint8_t *entry;
    size_t entry_size;
    bool found;
} esl_find_ctx_t;

static bool find_entry(void *arg, const uint8_t type[16], const uint8_t *entry, size_t entry_size)
{
    esl_find_ctx_t *f = arg;
    if (!f->found && entry_size == f->entry_size && memcmp(type, f->type, 16) == 0 &&
        memcmp(entry, f->entry, entry_size) == 0) {
        f->found = true;
    }
    return true;
}

static bool contains(const uint8_t *data, size_t size, const uint8_t *type, const uint8_t *entry,
                     size_t entry_size)
{
    esl_find_ctx_t f = {type, entry, entry_size, false};
    return esl_walk(data, size, find_entry, &f) && f.found;
}

static bool contains_in_list(const uint8_t *entries, size_t count, size_t sig_size,
                             const uint8_t *entry)
{
    for (size_t i = 0; i < count; i++) {
        if (memcmp(entries + i * sig_size, entry, sig_size) == 0) {
            return true;
        }
    }
    return false;
}

efi_status_t var_esl_merge(const uint8_t *old, size_t old_size, const uint8_t *add, size_t add_size,
                           uint8_t **out, size_t *out_size)
{
    if (old_size > SIZE_MAX - add_size) {
        return EFI_OUT_OF_RESOURCES;
    }
    size_t cap = old_size + add_size;
    uint8_t *buf = malloc(cap > 0 ? cap : 1);
    if (buf == NULL) {
        return EFI_OUT_OF_RESOURCES;
    }
    memcpy(buf, old, old_size);
    size_t pos = old_size;
    wire_reader_t r;
    wire_reader_init(&r, add, add_size);
    while (wire_remaining(&r) > 0) {
        const uint8_t *list, *header;
        uint32_t list_size = 0, header_size = 0, sig_size = 0;
        wire_get_ref(&r, 16, &list);
        wire_get_u32(&r, &list_size);
        wire_get_u32(&r, &header_size);
        wire_get_u32(&r, &sig_size);
        if (!wire_get_ref(&r, header_size, &header)) {
            free(buf);
            return EFI_INVALID_PARAMETER;
        }
        size_t list_start = pos;
        size_t kept = 0;
        pos += EFI_SIGNATURE_LIST_HEADER_SIZE;
        memcpy(buf + pos, header, header_size);
        pos += header_size;
        size_t entries = (list_size - EFI_SIGNATURE_LIST_HEADER_SIZE - header_size) / sig_size;
        for (size_t i = 0; i < entries; i++) {
            const uint8_t *entry;
            if (!wire_get_ref(&r, sig_size, &entry)) {
                free(buf);
                return EFI_INVALID_PARAMETER;
            }
            /* Duplicates against what is already in the output (old and earlier additions). */
            if (!contains(buf, list_start, list, entry, sig_size) &&
                !contains_in_list(buf + list_start + EFI_SIGNATURE_LIST_HEADER_SIZE + header_size,
                                  kept, sig_size, entry)) {
                memcpy(buf + pos, entry, sig_size);
                pos += sig_size;
                kept++;
            }
        }
        if (kept == 0) {
            pos = list_start;
            continue;
        }
        memcpy(buf + list_start, list, 16);
        wire_store_u32(buf + list_start + 16,
                       (uint32_t)(EFI_SIGNATURE_LIST_HEADER_SIZE + header_size + kept * sig_size));
        wire_store_u32(buf + list_start + 20, header_size);
        wire_store_u32(buf + list_start + 24, sig_size);
    }
    *out = buf;
    *out_size = pos;
    return EFI_SUCCESS;
}
