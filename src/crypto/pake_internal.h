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

#endif /* PAKE_INTERNAL_H */
