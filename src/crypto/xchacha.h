/* XChaCha20 key and nonce set-up, shared by the stream cipher (cipher.c) and the AEAD (aead.c). */
#ifndef CRYPTO_XCHACHA_H
#define CRYPTO_XCHACHA_H

#include <stdint.h>

#include <psa/crypto.h>

/*
 * draft-irtf-cfrg-xchacha-03 section 2.3: XChaCha20 with key K and 24-byte nonce N is ChaCha20
 * (RFC 8439, 32-bit counter) with the subkey HChaCha20(K, N[0..16]) and the 12-byte nonce
 * 0x00000000 || N[16..24]; XChaCha20-Poly1305 is ChaCha20-Poly1305 with the same substitution.
 * HChaCha20 comes from libsodium, the ChaCha20 and Poly1305 that follow from OpenSSL.
 */
#define XCHACHA_KEY_LENGTH        32u
#define XCHACHA_NONCE_LENGTH      24u
#define XCHACHA_IETF_NONCE_LENGTH 12u

/* CORRUPTION_DETECTED if libsodium cannot be initialised. */
psa_status_t core_xchacha_derive(const uint8_t key[XCHACHA_KEY_LENGTH],
                                 const uint8_t nonce[XCHACHA_NONCE_LENGTH],
                                 uint8_t subkey[XCHACHA_KEY_LENGTH],
                                 uint8_t ietf_nonce[XCHACHA_IETF_NONCE_LENGTH]);

#endif
