/* Multi-part hashing on libcrypto's low-level contexts, whose state PSA suspend/resume exposes. */
#ifndef CRYPTO_HASH_STATE_H
#define CRYPTO_HASH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/crypto.h>

/*
 * EVP does not let a caller read or set a digest's chaining value, bit count and partial block,
 * which the hash suspend state of PSA Crypto API 1.2 is made of. The algorithms for which the
 * specification defines that state (and which are built: not MD2) therefore run their
 * multi-part operations on these contexts instead. One context per operation, no shared state.
 */
typedef struct hash_state hash_state_t;

/* True when `alg` has a suspend state and runs here. */
bool hash_state_supported(psa_algorithm_t alg);

/* True for a hash algorithm the core knows but that has no suspend state here (MD2, AES-MMO, the
 * SHA3 family, SM3, SHAKE256-512): resuming a state naming it is NOT_SUPPORTED. */
bool hash_state_known_unsupported(psa_algorithm_t alg);

/* A fresh context for `alg` (hash_state_supported(alg) must hold). */
psa_status_t hash_state_new(psa_algorithm_t alg, hash_state_t **out);

psa_algorithm_t hash_state_alg(const hash_state_t *state);

/* INVALID_ARGUMENT when the total input would exceed what the algorithm's length counter holds. */
psa_status_t hash_state_update(hash_state_t *state, const uint8_t *input, size_t input_length);

/* Writes PSA_HASH_LENGTH(alg) bytes; the context is spent afterwards. */
psa_status_t hash_state_final(hash_state_t *state, uint8_t *hash);

psa_status_t hash_state_clone(const hash_state_t *source, hash_state_t **out);

/* Wipes and frees; NULL is accepted. */
void hash_state_free(hash_state_t *state);

/* Serialises the suspend state (spec format); BUFFER_TOO_SMALL if it does not fit. */
psa_status_t hash_state_export(const hash_state_t *state, uint8_t *out, size_t out_size,
                               size_t *out_length);

/* Parses a suspend state: INVALID_ARGUMENT when malformed or naming no known hash,
 * NOT_SUPPORTED when it names a hash without a suspend state here. */
psa_status_t hash_state_import(const uint8_t *in, size_t in_length, hash_state_t **out);

#endif
