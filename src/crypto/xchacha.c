/* XChaCha20 subkey and nonce (xchacha.h) with libsodium's HChaCha20. */
#include "xchacha.h"

#include <pthread.h>
#include <string.h>

#include <sodium.h>

static pthread_once_t xchacha_once = PTHREAD_ONCE_INIT;
static int xchacha_sodium_status = -1;

static void xchacha_init(void)
{
    /* 0: initialised now, 1: already initialised (by the application), -1: failure. */
    xchacha_sodium_status = sodium_init();
}

psa_status_t core_xchacha_derive(const uint8_t key[XCHACHA_KEY_LENGTH],
                                 const uint8_t nonce[XCHACHA_NONCE_LENGTH],
                                 uint8_t subkey[XCHACHA_KEY_LENGTH],
                                 uint8_t ietf_nonce[XCHACHA_IETF_NONCE_LENGTH])
{
    _Static_assert(crypto_core_hchacha20_OUTPUTBYTES == XCHACHA_KEY_LENGTH, "subkey size");
    _Static_assert(crypto_core_hchacha20_KEYBYTES == XCHACHA_KEY_LENGTH, "key size");
    _Static_assert(crypto_core_hchacha20_INPUTBYTES == 16, "HChaCha20 input size");
    pthread_once(&xchacha_once, xchacha_init);
    if (xchacha_sodium_status < 0 || crypto_core_hchacha20(subkey, nonce, key, NULL) != 0) {
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    memset(ietf_nonce, 0, 4);
    memcpy(ietf_nonce + 4, nonce + 16, 8);
    return PSA_SUCCESS;
}
