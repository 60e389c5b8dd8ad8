/* Internal interface between the PAKE entry points (pake.c) and the PAKE protocol files. */
#ifndef PAKE_INTERNAL_H
#define PAKE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

/*
 * EC J-PAKE (RFC 8236 over a short-Weierstrass curve, Schnorr proofs of RFC 8235). pake.c checks
 * the operation's state flags and identities; jpake.c owns the protocol's step order, because
 * only it knows which step comes next. The identities are passed to each call rather than copied
 * so that pake.c keeps the single copy.
 */
typedef struct jpake jpake_t;

/* A J-PAKE instance for SECP R1 `bits` and `hash_alg`, with the password material `password`
 * (taken as a big-endian integer modulo the group order). INVALID_ARGUMENT when that reduces to
 * 0, NOT_SUPPORTED for a curve or hash that is not built. */
psa_status_t jpake_new(size_t bits, psa_algorithm_t hash_alg, const uint8_t *password,
                       size_t password_length, jpake_t **out);
void jpake_free(jpake_t *j);

/* Whether any step was output or input yet (the set_* calls are refused afterwards). */
int jpake_started(const jpake_t *j);
/* Whether both rounds are complete, so the shared secret is ready. */
int jpake_finished(const jpake_t *j);

/* One step. BAD_STATE when `step` is a J-PAKE step but not the one expected now (the operation
 * stays usable); INVALID_ARGUMENT for a step J-PAKE does not have or malformed input;
 * INVALID_SIGNATURE when a peer's proof does not verify. */
psa_status_t jpake_output(jpake_t *j, const uint8_t *user, size_t user_length, psa_pake_step_t step,
                          uint8_t *output, size_t output_size, size_t *output_length);
psa_status_t jpake_input(jpake_t *j, const uint8_t *peer, size_t peer_length, psa_pake_step_t step,
                         const uint8_t *input, size_t input_length);

/* The shared secret: the point K in uncompressed form (0x04 || x || y), as the TLS 1.2
 * ECJPAKE-to-PMS derivation expects it. */
psa_status_t jpake_shared_secret(jpake_t *j, uint8_t *output, size_t output_size,
                                 size_t *output_length);
/* Upper bound of that length (for buffers). */
#define JPAKE_SECRET_MAX_SIZE CORE_PAKE_SECRET_MAX_SIZE

/*
 * SPAKE2+ (RFC 9383; PSA_ALG_SPAKE2P_MATTER: the draft-02 key schedule). pake.c checks the key,
 * cipher suite and common states and keeps the identities and context; spake2p.c owns the step
 * sequence of each role.
 */
typedef struct spake2p spake2p_t;

/* The values TT binds besides the protocol's own: Context, idProver, idVerifier. */
typedef struct spake2p_ids {
    const uint8_t *context;
    size_t context_length;
    const uint8_t *prover;
    size_t prover_length;
    const uint8_t *verifier;
    size_t verifier_length;
} spake2p_ids_t;

/* An instance for `alg` with hash `hash_alg` on SECP R1 `bits` (256 only: M and N are built for
 * P-256), from the material of a SPAKE2+ key pair (w0 || w1) or public key (w0 || L) that the key
 * store has validated. NOT_SUPPORTED for other curves and unusable hashes. */
psa_status_t spake2p_new(psa_algorithm_t alg, psa_algorithm_t hash_alg, psa_key_type_t key_type,
                         size_t bits, const uint8_t *key, size_t key_length, spake2p_t **out);
void spake2p_free(spake2p_t *s);
/* CLIENT (prover; needs a key pair) or SERVER (verifier); INVALID_ARGUMENT otherwise. */
psa_status_t spake2p_set_role(spake2p_t *s, psa_pake_role_t role);
int spake2p_started(const spake2p_t *s);
int spake2p_is_client(const spake2p_t *s);
/* Whether get_shared_key may run: `confirmed` asks for the peer's confirmation checked and ours
 * sent, otherwise the exchange of shares is enough. */
int spake2p_secret_ready(const spake2p_t *s, int confirmed);
/* Test hook: the next ephemeral scalar (x or y) instead of a random one, for known answers. */
psa_status_t spake2p_set_ephemeral(spake2p_t *s, const uint8_t *scalar, size_t length);
/* One step. BAD_STATE: no role yet, or not the step the role expects now; INVALID_ARGUMENT: a
 * step SPAKE2+ does not have or an invalid share; INVALID_SIGNATURE: a confirmation that does
 * not verify. */
psa_status_t spake2p_output(spake2p_t *s, const spake2p_ids_t *ids, psa_pake_step_t step,
                            uint8_t *output, size_t output_size, size_t *output_length);
psa_status_t spake2p_input(spake2p_t *s, const spake2p_ids_t *ids, psa_pake_step_t step,
                           const uint8_t *input, size_t input_length);
/* Test hook on an operation (known-answer tests only): fixes its next SPAKE2+ ephemeral scalar.
 * BAD_STATE unless the operation is an active SPAKE2+ one. */
psa_status_t core_pake_test_set_ephemeral(psa_pake_operation_t *operation, const uint8_t *scalar,
                                          size_t length);
/* K_shared (RFC 9383) or Ke (Matter). */
psa_status_t spake2p_shared_secret(const spake2p_t *s, uint8_t *output, size_t output_size,
                                   size_t *output_length);

#endif /* PAKE_INTERNAL_H */
