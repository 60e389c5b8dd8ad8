/* install_app: a program built against an installed libpsa or libpsa-local by the install test. */
#include <stdio.h>
#include <string.h>

#include <psa/crypto.h>
#include <psa/internal_trusted_storage.h>
#include <ss/psa_status.h>

/* SHA-256("abc"), FIPS 180-2 appendix B.1. */
static const uint8_t abc_sha256[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};

static int check(const char *what, psa_status_t status)
{
    if (status != PSA_SUCCESS) {
        printf("install_app: %s: %s (%d): %s\n", what, psa_status_name(status), (int)status,
               psa_status_text(status));
        return 1;
    }
    return 0;
}

int main(void)
{
    uint8_t digest[PSA_HASH_LENGTH(PSA_ALG_SHA_256)];
    size_t length = 0;
    const psa_storage_uid_t uid = 0x1a57a11;
    const char text[] = "installed";
    char back[sizeof(text)];
    size_t got = 0;
    if (check("psa_crypto_init", psa_crypto_init()) ||
        check("psa_hash_compute", psa_hash_compute(PSA_ALG_SHA_256, (const uint8_t *)"abc", 3,
                                                   digest, sizeof(digest), &length)) ||
        check("psa_its_set", psa_its_set(uid, sizeof(text), text, PSA_STORAGE_FLAG_NONE)) ||
        check("psa_its_get", psa_its_get(uid, 0, sizeof(back), back, &got)) ||
        check("psa_its_remove", psa_its_remove(uid))) {
        return 1;
    }
    if (length != sizeof(abc_sha256) || memcmp(digest, abc_sha256, length) != 0 ||
        got != sizeof(text) || memcmp(back, text, got) != 0) {
        printf("install_app: wrong digest or object\n");
        return 1;
    }
    if (strcmp(psa_status_name(PSA_ERROR_NOT_PERMITTED), "PSA_ERROR_NOT_PERMITTED") != 0) {
        printf("install_app: psa_status_name is wrong\n");
        return 1;
    }
    printf("install_app: ok\n");
    return 0;
}
