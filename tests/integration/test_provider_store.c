/* The psa provider from C: a key in rssd loaded through OSSL_STORE signs with EVP_PKEY_sign; it
 * is still in rssd afterwards, psa_export_key was never called, and OpenSSL holds no private
 * half. Run under with_rssd.sh (RSS_SOCKET); PSA_PROVIDER_DIR is where psa.so is built. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <openssl/x509.h>

#include <psa/crypto.h>

/* Every call of psa_export_key in this process, the provider's included: the executable's
 * definition comes first in the global scope (ENABLE_EXPORTS), ahead of libpsa's. */
static unsigned export_calls;

psa_status_t psa_export_key(psa_key_id_t key, uint8_t *data, size_t data_size, size_t *data_length)
{
    psa_status_t (*real)(psa_key_id_t, uint8_t *, size_t, size_t *);
    *(void **)&real = dlsym(RTLD_NEXT, "psa_export_key");
    export_calls++;
    return real != NULL ? real(key, data, data_size, data_length) : PSA_ERROR_GENERIC_ERROR;
}

static OSSL_LIB_CTX *libctx;
static OSSL_PROVIDER *prov_default, *prov_psa;

static int setup(void **state)
{
    (void)state;
    if (psa_crypto_init() != PSA_SUCCESS) {
        return -1;
    }
    libctx = OSSL_LIB_CTX_new();
    if (libctx == NULL || !OSSL_PROVIDER_set_default_search_path(libctx, PSA_PROVIDER_DIR)) {
        return -1;
    }
    prov_default = OSSL_PROVIDER_load(libctx, "default");
    prov_psa = OSSL_PROVIDER_load(libctx, "psa");
    return prov_default != NULL && prov_psa != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    OSSL_PROVIDER_unload(prov_psa);
    OSSL_PROVIDER_unload(prov_default);
    OSSL_LIB_CTX_free(libctx);
    return 0;
}

static psa_key_id_t make_key(psa_key_id_t id, psa_key_usage_t usage)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t got = 0;
    psa_set_key_id(&attr, id);
    psa_set_key_lifetime(&attr, PSA_KEY_LIFETIME_PERSISTENT);
    psa_set_key_type(&attr, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_bits(&attr, 256);
    psa_set_key_usage_flags(&attr, usage);
    psa_set_key_algorithm(&attr, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    assert_int_equal(psa_generate_key(&attr, &got), PSA_SUCCESS);
    assert_int_equal(got, id);
    return got;
}

static EVP_PKEY *store_load(const char *uri)
{
    OSSL_STORE_CTX *store = OSSL_STORE_open_ex(uri, libctx, NULL, NULL, NULL, NULL, NULL, NULL);
    OSSL_STORE_INFO *info;
    EVP_PKEY *pkey = NULL;
    assert_non_null(store);
    info = OSSL_STORE_load(store);
    assert_non_null(info);
    assert_int_equal(OSSL_STORE_INFO_get_type(info), OSSL_STORE_INFO_PKEY);
    pkey = OSSL_STORE_INFO_get1_PKEY(info);
    OSSL_STORE_INFO_free(info);
    assert_true(OSSL_STORE_eof(store));
    OSSL_STORE_close(store);
    assert_non_null(pkey);
    return pkey;
}

/* The public half as the default provider holds it, from the SubjectPublicKeyInfo. */
static EVP_PKEY *public_copy(EVP_PKEY *pkey)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    int len = i2d_PUBKEY(pkey, &der);
    EVP_PKEY *pub;
    assert_true(len > 0);
    p = der;
    pub = d2i_PUBKEY_ex(NULL, &p, len, libctx, "provider=default");
    OPENSSL_free(der);
    assert_non_null(pub);
    return pub;
}

static size_t sign_digest(EVP_PKEY *pkey, const unsigned char *digest, unsigned char *sig,
                          size_t sig_size)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(libctx, pkey, NULL);
    size_t sig_len = sig_size;
    int rc;
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
    rc = EVP_PKEY_sign(ctx, sig, &sig_len, digest, 32);
    EVP_PKEY_CTX_free(ctx);
    return rc == 1 ? sig_len : 0;
}

static int verify_digest(EVP_PKEY *pub, const unsigned char *digest, const unsigned char *sig,
                         size_t sig_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(libctx, pub, "provider=default");
    int rc;
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
    rc = EVP_PKEY_verify(ctx, sig, sig_len, digest, 32);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

static void test_sign_through_store(void **state)
{
    /* Exportable on purpose: the provider must not use the permission. */
    const psa_key_usage_t usage =
        PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH | PSA_KEY_USAGE_EXPORT;
    psa_key_id_t id = make_key(0x4242, usage);
    unsigned char digest[32], sig[128];
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    EVP_PKEY *pkey, *pub;
    OSSL_PARAM *params = NULL;
    BIGNUM *priv = NULL;
    size_t sig_len;
    (void)state;
    assert_ptr_equal(dlsym(RTLD_DEFAULT, "psa_export_key"), (void *)psa_export_key);
    export_calls = 0;

    pkey = store_load("psa:id=0x4242");
    assert_true(EVP_PKEY_is_a(pkey, "EC"));
    assert_int_equal(EVP_PKEY_get_bits(pkey), 256);
    assert_int_equal(EVP_PKEY_get_security_bits(pkey), 128);
    assert_int_equal(EVP_PKEY_get_size(pkey), 72); /* the DER ECDSA signature at most */
    assert_ptr_equal(EVP_PKEY_get0_provider(pkey), prov_psa);
    pub = public_copy(pkey);

    memset(digest, 0x5a, sizeof(digest));
    sig_len = sign_digest(pkey, digest, sig, sizeof(sig));
    assert_true(sig_len > 0);
    assert_int_equal(verify_digest(pub, digest, sig, sig_len), 1);
    digest[0] ^= 1;
    assert_int_equal(verify_digest(pub, digest, sig, sig_len), 0);

    /* The key is still in rssd, unchanged, and nothing exported it. */
    assert_int_equal(psa_get_key_attributes(id, &attr), PSA_SUCCESS);
    assert_int_equal(psa_get_key_type(&attr), PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    assert_int_equal(psa_get_key_bits(&attr), 256);
    assert_int_equal(psa_get_key_lifetime(&attr), PSA_KEY_LIFETIME_PERSISTENT);
    assert_int_equal(psa_get_key_usage_flags(&attr) & usage, usage);
    assert_int_equal(export_calls, 0);

    /* OpenSSL holds no private half to give out. */
    assert_int_equal(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &priv), 0);
    assert_null(priv);
    assert_true(EVP_PKEY_todata(pkey, EVP_PKEY_KEYPAIR, &params) <= 0);
    assert_null(params);
    assert_true(EVP_PKEY_todata(pkey, EVP_PKEY_PUBLIC_KEY, &params) > 0);
    OSSL_PARAM_free(params);
    ERR_clear_error();

    EVP_PKEY_free(pub);
    EVP_PKEY_free(pkey);
    psa_reset_key_attributes(&attr);
    assert_int_equal(export_calls, 0);
    assert_int_equal(psa_destroy_key(id), PSA_SUCCESS);
}

/* A key whose policy forbids signing: EVP_PKEY_sign fails, the error queue names the status. */
static void test_policy_forbids(void **state)
{
    psa_key_id_t id = make_key(0x4243, PSA_KEY_USAGE_VERIFY_HASH);
    unsigned char digest[32] = {0}, sig[128];
    char text[256] = "";
    const char *data = NULL;
    unsigned long err;
    EVP_PKEY *pkey;
    (void)state;
    pkey = store_load("psa:id=0x4243");
    ERR_clear_error();
    assert_int_equal(sign_digest(pkey, digest, sig, sizeof(sig)), 0);
    err = ERR_peek_error_data(&data, NULL);
    assert_true(err != 0);
    ERR_error_string_n(err, text, sizeof(text));
    assert_non_null(strstr(text, "PSA call failed"));
    assert_non_null(data);
    assert_non_null(strstr(data, "psa_sign_hash: PSA_ERROR_NOT_PERMITTED"));
    ERR_clear_error();
    EVP_PKEY_free(pkey);
    assert_int_equal(psa_destroy_key(id), PSA_SUCCESS);
}

/* A key id with no key: the store fails and says why. */
static void test_missing_key(void **state)
{
    OSSL_STORE_CTX *store;
    OSSL_STORE_INFO *info;
    const char *data = NULL;
    (void)state;
    ERR_clear_error();
    store = OSSL_STORE_open_ex("psa:id=0x4244", libctx, NULL, NULL, NULL, NULL, NULL, NULL);
    assert_non_null(store);
    info = OSSL_STORE_load(store);
    assert_null(info);
    OSSL_STORE_close(store);
    assert_true(ERR_peek_error_data(&data, NULL) != 0 || data != NULL);
    while (ERR_get_error_all(NULL, NULL, NULL, &data, NULL) != 0) {
        if (data != NULL && strstr(data, "PSA_ERROR_INVALID_HANDLE") != NULL) {
            break;
        }
    }
    assert_non_null(data);
    assert_non_null(strstr(data, "psa_get_key_attributes: PSA_ERROR_INVALID_HANDLE"));
    ERR_clear_error();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_through_store),
        cmocka_unit_test(test_policy_forbids),
        cmocka_unit_test(test_missing_key),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
