/* Secure Boot enrolment end to end: keys from Debian's openssl, signature lists and signed
 * updates from efitools, applied to the gateway in-process (libpsa-local), refusals exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/wire.h"
#include "uefi_test_util.h"

#define NV        EFI_VARIABLE_NON_VOLATILE
#define BS        EFI_VARIABLE_BOOTSERVICE_ACCESS
#define RT        EFI_VARIABLE_RUNTIME_ACCESS
#define TBA       EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS
#define APPEND    EFI_VARIABLE_APPEND_WRITE
#define KEY_ATTRS (NV | BS | RT | TBA)

static const efi_guid_t global = EFI_GLOBAL_VARIABLE_GUID;
static const efi_guid_t image_db = EFI_IMAGE_SECURITY_DATABASE_GUID;
static const efi_guid_t vendor =
    EFI_GUID_INIT(0x11111111u, 0x2222u, 0x3333u, 0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55);
static char work[] = "/tmp/uefi-sb.XXXXXX";
static utu_gateway_t gateway;

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    char full[2300];
    snprintf(full, sizeof(full), "cd %s && { %s; } >/dev/null 2>&1", work, cmd);
    if (system(full) != 0) {
        fail_msg("command failed: %s", cmd);
    }
}

typedef struct blob {
    uint8_t *data;
    size_t size;
} blob_t;

static blob_t slurp(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", work, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    blob_t b = {malloc(1 << 16), 0};
    b.size = fread(b.data, 1, 1 << 16, f);
    fclose(f);
    return b;
}

/* Applies an efitools .auth file as a SetVariable with the attributes it was signed for. */
static efi_status_t apply(const efi_guid_t *g, const char *var, const char *file,
                          uint32_t attributes)
{
    blob_t b = slurp(file);
    size_t ns;
    const uint8_t *n = utu_name(var, &ns);
    efi_status_t st = var_client_set(&gateway.client, g, n, ns, attributes, b.data, b.size);
    free(b.data);
    return st;
}

static efi_status_t apply_bytes(const efi_guid_t *g, const char *var, const blob_t *b,
                                uint32_t attributes)
{
    size_t ns;
    const uint8_t *n = utu_name(var, &ns);
    return var_client_set(&gateway.client, g, n, ns, attributes, b->data, b->size);
}

/* Current value of a variable (size 0 and NOT_FOUND status when missing). */
static efi_status_t read_var(const efi_guid_t *g, const char *var, blob_t *out)
{
    size_t ns;
    const uint8_t *n = utu_name(var, &ns);
    out->data = malloc(1 << 15);
    out->size = 1 << 15;
    efi_status_t st = var_client_get(&gateway.client, g, n, ns, NULL, out->data, &out->size);
    if (st != EFI_SUCCESS) {
        out->size = 0;
    }
    return st;
}

static uint8_t mode(const char *var)
{
    blob_t b;
    assert_int_equal(read_var(&global, var, &b), EFI_SUCCESS);
    assert_int_equal(b.size, 1);
    uint8_t v = b.data[0];
    free(b.data);
    return v;
}

static void assert_var_equals_file(const efi_guid_t *g, const char *var, const char *file)
{
    blob_t want = slurp(file), got;
    assert_int_equal(read_var(g, var, &got), EFI_SUCCESS);
    assert_int_equal(got.size, want.size);
    assert_memory_equal(got.data, want.data, want.size);
    free(want.data);
    free(got.data);
}

/* Signs an update of var from esl with key at time t ("-a" for append, "-g GUID" for owner). */
static void sign(const char *key, const char *var, const char *esl, const char *out, const char *t,
                 const char *extra)
{
    run("sign-efi-sig-list %s -t '%s' -k %s.key -c %s.crt %s %s %s", extra, t, key, key, var, esl,
        out);
}

static int group_setup(void **state)
{
    (void)state;
    if (mkdtemp(work) == NULL) {
        return -1;
    }
    const char *keys[] = {"PK", "KEK", "db", "db2", "Other"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        run("openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj '/CN=Test %s/'"
            " -keyout %s.key -out %s.crt && cert-to-efi-sig-list -g "
            "11111111-2222-3333-4444-555555555555 %s.crt %s.esl",
            keys[i], keys[i], keys[i], keys[i], keys[i]);
    }
    run(": > empty.esl");
    run("printf 'private-1' > priv1.bin && printf 'private-2' > priv2.bin");
    utu_wipe(VAR_STORE_DEFAULT_MAX_VARIABLES);
    return utu_open(&gateway, NULL) == PSA_SUCCESS ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    utu_close(&gateway);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_enrolment(void **state)
{
    (void)state;
    assert_int_equal(mode("SetupMode"), 1);
    assert_int_equal(mode("SecureBoot"), 0);

    /* Setup mode: KEK and db may be written before PK (header checked, no signer yet). */
    /* PK must sign its own enrolment: signed by another key it is refused. */
    sign("Other", "PK", "PK.esl", "PK-by-other.auth", "2024-01-01 00:00:01", "");
    assert_int_equal(apply(&global, "PK", "PK-by-other.auth", KEY_ATTRS), EFI_SECURITY_VIOLATION);
    blob_t none;
    assert_int_equal(read_var(&global, "PK", &none), EFI_NOT_FOUND);
    free(none.data);
    /* Without the time-based attribute: INVALID_PARAMETER. */
    assert_int_equal(apply(&global, "PK", "PK-by-other.auth", NV | BS | RT), EFI_INVALID_PARAMETER);

    sign("PK", "PK", "PK.esl", "PK.auth", "2024-01-01 00:00:02", "");
    assert_int_equal(apply(&global, "PK", "PK.auth", KEY_ATTRS), EFI_SUCCESS);
    assert_var_equals_file(&global, "PK", "PK.esl");
    assert_int_equal(mode("SetupMode"), 0);
    assert_int_equal(mode("SecureBoot"), 1);

    /* KEK by PK; db by KEK. */
    sign("PK", "KEK", "KEK.esl", "KEK.auth", "2024-01-01 00:00:03", "");
    assert_int_equal(apply(&global, "KEK", "KEK.auth", KEY_ATTRS), EFI_SUCCESS);
    assert_var_equals_file(&global, "KEK", "KEK.esl");
    sign("KEK", "db", "db.esl", "db.auth", "2024-01-01 00:00:04", "");
    assert_int_equal(apply(&image_db, "db", "db.auth", KEY_ATTRS), EFI_SUCCESS);
    assert_var_equals_file(&image_db, "db", "db.esl");
    /* A KEK update signed by KEK (not PK) is refused. */
    sign("KEK", "KEK", "Other.esl", "KEK-by-kek.auth", "2024-01-01 00:00:05", "");
    assert_int_equal(apply(&global, "KEK", "KEK-by-kek.auth", KEY_ATTRS), EFI_SECURITY_VIOLATION);
    assert_var_equals_file(&global, "KEK", "KEK.esl");
    /* The PK variable as read has the time-based attribute. */
    size_t ns;
    const uint8_t *n = utu_name("PK", &ns);
    uint32_t attrs = 0;
    uint8_t tmp[4096];
    size_t ts = sizeof(tmp);
    assert_int_equal(var_client_get(&gateway.client, &global, n, ns, &attrs, tmp, &ts),
                     EFI_SUCCESS);
    assert_int_equal(attrs, KEY_ATTRS);
}

static void test_refusals(void **state)
{
    (void)state;
    /* An update signed by the wrong key. */
    sign("Other", "db", "db2.esl", "db-wrong.auth", "2024-01-01 00:01:00", "");
    assert_int_equal(apply(&image_db, "db", "db-wrong.auth", KEY_ATTRS), EFI_SECURITY_VIOLATION);
    assert_var_equals_file(&image_db, "db", "db.esl");
    /* An old timestamp (earlier than the stored 00:00:04), and an equal one. */
    sign("KEK", "db", "db2.esl", "db-old.auth", "2024-01-01 00:00:03", "");
    assert_int_equal(apply(&image_db, "db", "db-old.auth", KEY_ATTRS), EFI_SECURITY_VIOLATION);
    sign("KEK", "db", "db2.esl", "db-same.auth", "2024-01-01 00:00:04", "");
    assert_int_equal(apply(&image_db, "db", "db-same.auth", KEY_ATTRS), EFI_SECURITY_VIOLATION);
    assert_var_equals_file(&image_db, "db", "db.esl");
    /* A tampered payload: one byte of the signature list flipped after signing. */
    sign("KEK", "db", "db2.esl", "db2.auth", "2024-01-01 00:02:00", "");
    blob_t b = slurp("db2.auth");
    b.data[b.size - 10] ^= 0x01;
    assert_int_equal(apply_bytes(&image_db, "db", &b, KEY_ATTRS), EFI_SECURITY_VIOLATION);
    /* The signature covers the attributes too: the same bytes with APPEND are refused. */
    b.data[b.size - 10] ^= 0x01;
    assert_int_equal(apply_bytes(&image_db, "db", &b, KEY_ATTRS | APPEND), EFI_SECURITY_VIOLATION);
    /* Truncated descriptors: shorter than the 40-byte header; dwLength past the data. */
    blob_t cut = {b.data, 30};
    assert_int_equal(apply_bytes(&image_db, "db", &cut, KEY_ATTRS), EFI_SECURITY_VIOLATION);
    cut.size = 600;
    assert_int_equal(apply_bytes(&image_db, "db", &cut, KEY_ATTRS), EFI_SECURITY_VIOLATION);
    /* A wrong certificate type and a non-zero nanosecond. */
    blob_t bad = {malloc(b.size), b.size};
    memcpy(bad.data, b.data, b.size);
    bad.data[22] ^= 0x01;
    assert_int_equal(apply_bytes(&image_db, "db", &bad, KEY_ATTRS), EFI_SECURITY_VIOLATION);
    memcpy(bad.data, b.data, b.size);
    bad.data[8] = 1;
    assert_int_equal(apply_bytes(&image_db, "db", &bad, KEY_ATTRS), EFI_SECURITY_VIOLATION);
    /* A plain delete of an authenticated variable. */
    size_t ns;
    const uint8_t *n = utu_name("db", &ns);
    assert_int_equal(var_client_set(&gateway.client, &image_db, n, ns, 0, NULL, 0),
                     EFI_SECURITY_VIOLATION);
    assert_var_equals_file(&image_db, "db", "db.esl");
    free(bad.data);
    free(b.data);
    /* The untampered update goes through. */
    assert_int_equal(apply(&image_db, "db", "db2.auth", KEY_ATTRS), EFI_SUCCESS);
    assert_var_equals_file(&image_db, "db", "db2.esl");
}

static void test_append_merges(void **state)
{
    (void)state;
    /* db is db2.esl; append db.esl + db2.esl (a duplicate): only db.esl is added. */
    run("cat db.esl db2.esl > both.esl && cat db2.esl db.esl > expect.esl");
    sign("KEK", "db", "both.esl", "db-append.auth", "2024-01-01 00:03:00", "-a");
    assert_int_equal(apply(&image_db, "db", "db-append.auth", KEY_ATTRS | APPEND), EFI_SUCCESS);
    assert_var_equals_file(&image_db, "db", "expect.esl");
    /* An append with an older timestamp is accepted (UEFI) and adds nothing new here. */
    sign("KEK", "db", "db.esl", "db-append-old.auth", "2023-06-01 00:00:00", "-a");
    assert_int_equal(apply(&image_db, "db", "db-append-old.auth", KEY_ATTRS | APPEND), EFI_SUCCESS);
    assert_var_equals_file(&image_db, "db", "expect.esl");
    /* The stored timestamp stayed at 00:03:00: a replacement at 00:02:30 is refused. */
    sign("KEK", "db", "db.esl", "db-replace-old.auth", "2024-01-01 00:02:30", "");
    assert_int_equal(apply(&image_db, "db", "db-replace-old.auth", KEY_ATTRS),
                     EFI_SECURITY_VIOLATION);
    /* dbx by PK (PK or KEK may sign the databases). */
    sign("PK", "dbx", "Other.esl", "dbx.auth", "2024-01-01 00:04:00", "");
    assert_int_equal(apply(&image_db, "dbx", "dbx.auth", KEY_ATTRS), EFI_SUCCESS);
    assert_var_equals_file(&image_db, "dbx", "Other.esl");
    /* Malformed signature list payload, properly signed: INVALID_PARAMETER. */
    run("head -c 20 db.esl > short.esl");
    sign("KEK", "dbt", "short.esl", "dbt-bad.auth", "2024-01-01 00:04:30", "");
    assert_int_equal(apply(&image_db, "dbt", "dbt-bad.auth", KEY_ATTRS), EFI_INVALID_PARAMETER);
    /* A signed empty payload deletes. */
    sign("KEK", "dbx", "empty.esl", "dbx-del.auth", "2024-01-01 00:05:00", "");
    assert_int_equal(apply(&image_db, "dbx", "dbx-del.auth", KEY_ATTRS), EFI_SUCCESS);
    blob_t gone;
    assert_int_equal(read_var(&image_db, "dbx", &gone), EFI_NOT_FOUND);
    free(gone.data);
}

/* A signature made by the openssl command (CMS, ContentInfo-wrapped, detached) over the bundle
 * efitools prints with -o: the descriptor is assembled here field by field. */
static void test_openssl_cms_signature(void **state)
{
    (void)state;
    run("sign-efi-sig-list -o -t '2024-01-01 00:06:00' db db.esl db-cms.tbs && "
        "openssl cms -sign -binary -noattr -md sha256 -outform DER -in db-cms.tbs "
        "-signer KEK.crt -inkey KEK.key -out db-cms.der");
    blob_t sig = slurp("db-cms.der"), esl = slurp("db.esl");
    assert_int_equal(sig.data[0], 0x30); /* ContentInfo SEQUENCE ... */
    blob_t auth = {malloc(40 + sig.size + esl.size), 40 + sig.size + esl.size};
    static const uint8_t ts[16] = {0xe8, 0x07, 1, 1, 0, 6, 0};
    static const efi_guid_t pkcs7 = EFI_CERT_TYPE_PKCS7_GUID;
    memcpy(auth.data, ts, 16);
    wire_store_u32(auth.data + 16, (uint32_t)(24 + sig.size));
    wire_store_u16(auth.data + 20, 0x0200);
    wire_store_u16(auth.data + 22, 0x0EF1);
    memcpy(auth.data + 24, pkcs7.b, 16);
    memcpy(auth.data + 40, sig.data, sig.size);
    memcpy(auth.data + 40 + sig.size, esl.data, esl.size);
    assert_int_equal(apply_bytes(&image_db, "db", &auth, KEY_ATTRS), EFI_SUCCESS);
    assert_var_equals_file(&image_db, "db", "db.esl");
    free(auth.data);
    free(sig.data);
    free(esl.data);
    /* The same construction signed by a key that is neither PK nor KEK is refused. */
    run("sign-efi-sig-list -o -t '2024-01-01 00:07:00' db db2.esl db-cms2.tbs && "
        "openssl cms -sign -binary -noattr -md sha256 -outform DER -in db-cms2.tbs "
        "-signer Other.crt -inkey Other.key -out db-cms2.der");
    sig = slurp("db-cms2.der");
    esl = slurp("db2.esl");
    auth = (blob_t){malloc(40 + sig.size + esl.size), 40 + sig.size + esl.size};
    static const uint8_t ts2[16] = {0xe8, 0x07, 1, 1, 0, 7, 0};
    memcpy(auth.data, ts2, 16);
    wire_store_u32(auth.data + 16, (uint32_t)(24 + sig.size));
    wire_store_u16(auth.data + 20, 0x0200);
    wire_store_u16(auth.data + 22, 0x0EF1);
    memcpy(auth.data + 24, pkcs7.b, 16);
    memcpy(auth.data + 40, sig.data, sig.size);
    memcpy(auth.data + 40 + sig.size, esl.data, esl.size);
    assert_int_equal(apply_bytes(&image_db, "db", &auth, KEY_ATTRS), EFI_SECURITY_VIOLATION);
    assert_var_equals_file(&image_db, "db", "db.esl");
    free(auth.data);
    free(sig.data);
    free(esl.data);
}

static void test_private_variable(void **state)
{
    (void)state;
    const char *g = "-g 11111111-2222-3333-4444-555555555555";
    sign("Other", "MyVar", "priv1.bin", "priv1.auth", "2024-02-01 00:00:00", g);
    assert_int_equal(apply(&vendor, "MyVar", "priv1.auth", KEY_ATTRS), EFI_SUCCESS);
    assert_var_equals_file(&vendor, "MyVar", "priv1.bin");
    /* Another signer (even KEK) cannot take it over. */
    sign("KEK", "MyVar", "priv2.bin", "priv2-kek.auth", "2024-02-02 00:00:00", g);
    assert_int_equal(apply(&vendor, "MyVar", "priv2-kek.auth", KEY_ATTRS), EFI_SECURITY_VIOLATION);
    assert_var_equals_file(&vendor, "MyVar", "priv1.bin");
    sign("Other", "MyVar", "priv2.bin", "priv2.auth", "2024-02-03 00:00:00", g);
    assert_int_equal(apply(&vendor, "MyVar", "priv2.auth", KEY_ATTRS), EFI_SUCCESS);
    assert_var_equals_file(&vendor, "MyVar", "priv2.bin");
    /* The binding survives a restart (fingerprint in the index). */
    utu_close(&gateway);
    assert_int_equal(utu_open(&gateway, NULL), PSA_SUCCESS);
    sign("KEK", "MyVar", "priv1.bin", "priv3-kek.auth", "2024-02-04 00:00:00", g);
    assert_int_equal(apply(&vendor, "MyVar", "priv3-kek.auth", KEY_ATTRS), EFI_SECURITY_VIOLATION);
    /* Chronological order, not bytes: 2048 (00 08) is later than 2024 (e8 07). */
    sign("Other", "MyVar", "priv1.bin", "priv-2048.auth", "2048-01-01 00:00:00", g);
    assert_int_equal(apply(&vendor, "MyVar", "priv-2048.auth", KEY_ATTRS), EFI_SUCCESS);
    sign("Other", "MyVar", "priv2.bin", "priv-2047.auth", "2047-12-31 23:59:59", g);
    assert_int_equal(apply(&vendor, "MyVar", "priv-2047.auth", KEY_ATTRS), EFI_SECURITY_VIOLATION);
    assert_var_equals_file(&vendor, "MyVar", "priv1.bin");
    assert_int_equal(mode("SetupMode"), 0); /* PK survived too */
    assert_var_equals_file(&global, "PK", "PK.esl");
}

static void test_modes(void **state)
{
    (void)state;
    /* User -> Deployed. */
    size_t ns;
    const uint8_t *n = utu_name("DeployedMode", &ns);
    uint8_t one = 1, zero = 0;
    assert_int_equal(var_client_set(&gateway.client, &global, n, ns, BS | RT, &one, 1),
                     EFI_SUCCESS);
    assert_int_equal(mode("DeployedMode"), 1);
    assert_int_equal(var_client_set(&gateway.client, &global, n, ns, BS | RT, &zero, 1),
                     EFI_WRITE_PROTECTED);
    const uint8_t *an = utu_name("AuditMode", &ns);
    assert_int_equal(var_client_set(&gateway.client, &global, an, ns, BS | RT, &one, 1),
                     EFI_WRITE_PROTECTED);
    /* Deleting PK (signed by PK) returns to Setup mode, Deployed included. */
    sign("PK", "PK", "empty.esl", "PK-del.auth", "2024-03-01 00:00:00", "");
    assert_int_equal(apply(&global, "PK", "PK-del.auth", KEY_ATTRS), EFI_SUCCESS);
    assert_int_equal(mode("SetupMode"), 1);
    assert_int_equal(mode("SecureBoot"), 0);
    assert_int_equal(mode("DeployedMode"), 0);
    /* Setup -> Audit; enrolling PK in Audit mode goes to Deployed mode. */
    an = utu_name("AuditMode", &ns);
    assert_int_equal(var_client_set(&gateway.client, &global, an, ns, BS | RT, &one, 1),
                     EFI_SUCCESS);
    assert_int_equal(mode("AuditMode"), 1);
    assert_int_equal(mode("SetupMode"), 1);
    sign("PK", "PK", "PK.esl", "PK2.auth", "2024-03-02 00:00:00", "");
    assert_int_equal(apply(&global, "PK", "PK2.auth", KEY_ATTRS), EFI_SUCCESS);
    assert_int_equal(mode("AuditMode"), 0);
    assert_int_equal(mode("DeployedMode"), 1);
    assert_int_equal(mode("SetupMode"), 0);
    assert_int_equal(mode("SecureBoot"), 1);
    /* After ExitBootServices the mode variables are read-only. */
    assert_int_equal(var_client_signal(&gateway.client, SMM_VAR_FN_EXIT_BOOT_SERVICE), EFI_SUCCESS);
    n = utu_name("DeployedMode", &ns);
    assert_int_equal(var_client_set(&gateway.client, &global, n, ns, BS | RT, &one, 1),
                     EFI_WRITE_PROTECTED);
}

static void test_defaults(void **state)
{
    (void)state;
    utu_close(&gateway);
    blob_t db = slurp("db.esl"), pk = slurp("PK.esl");
    smm_default_var_t defaults[] = {{"dbDefault", db.data, db.size},
                                    {"PKDefault", pk.data, pk.size}};
    smm_gateway_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.defaults = defaults;
    cfg.default_count = 2;
    assert_int_equal(utu_open(&gateway, &cfg), PSA_SUCCESS);
    assert_var_equals_file(&global, "dbDefault", "db.esl");
    assert_var_equals_file(&global, "PKDefault", "PK.esl");
    size_t ns;
    const uint8_t *n = utu_name("dbDefault", &ns);
    assert_int_equal(var_client_set(&gateway.client, &global, n, ns, BS | RT, db.data, db.size),
                     EFI_WRITE_PROTECTED);
    utu_close(&gateway);
    /* A default that is not a signature list (or PKDefault with two) is refused at open. */
    smm_default_var_t bad[] = {{"KEKDefault", (const uint8_t *)"junk", 4}};
    cfg.defaults = bad;
    cfg.default_count = 1;
    smm_gateway_t *gw = NULL;
    assert_int_equal(smm_gateway_open(&cfg, &gw), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(utu_open(&gateway, NULL), PSA_SUCCESS);
    free(db.data);
    free(pk.data);
}

int main(void)
{
    utu_state_dir();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enrolment),        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_append_merges),    cmocka_unit_test(test_openssl_cms_signature),
        cmocka_unit_test(test_private_variable), cmocka_unit_test(test_modes),
        cmocka_unit_test(test_defaults),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
