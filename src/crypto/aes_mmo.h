/* The Zigbee AES-MMO hash (PSA_ALG_AES_MMO_ZIGBEE) on libcrypto's AES-128. */
#ifndef CRYPTO_AES_MMO_H
#define CRYPTO_AES_MMO_H

#include <stddef.h>
#include <stdint.h>

#include <psa/crypto.h>

/*
 * Zigbee Specification (05-3474-21) B.6: the Matyas-Meyer-Oseas construction over AES-128 with
 * an all-zero initial value, H_j = E(H_{j-1}, M_j) XOR M_j, the chaining value being the key.
 * Padding: a 1 bit, then zero bits up to 112 mod 128 and the message length in bits as 16 bits
 * (messages under 2^16 bits); for longer messages, zeros up to 80 mod 128, the length as 32 bits
 * and 16 zero bits. Messages of 2^32 bits or more are not defined.
 */
typedef struct aes_mmo aes_mmo_t;

#define AES_MMO_LENGTH 16u

psa_status_t aes_mmo_new(aes_mmo_t **out);

/* INVALID_ARGUMENT when the total input would reach 2^32 bits. */
psa_status_t aes_mmo_update(aes_mmo_t *mmo, const uint8_t *input, size_t input_length);

/* Writes AES_MMO_LENGTH bytes; the context is spent afterwards. */
psa_status_t aes_mmo_final(aes_mmo_t *mmo, uint8_t *hash);

psa_status_t aes_mmo_clone(const aes_mmo_t *source, aes_mmo_t **out);

/* Wipes and frees; NULL is accepted. */
void aes_mmo_free(aes_mmo_t *mmo);

#endif
