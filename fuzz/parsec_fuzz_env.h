/* Shared set-up of the Parsec harnesses: libpsa-local and a key-name store in a temp dir. */
#ifndef PARSEC_FUZZ_ENV_H
#define PARSEC_FUZZ_ENV_H

#include "parsec/parsec_serve.h"

/* The context (created on first use), with one ECDSA key "k1" and one AES key "a1" of uid 1000. */
const parsec_ctx_t *parsec_fuzz_ctx(void);
/* Serves request bytes as uid 1000 and checks the response's invariants (traps otherwise). */
void parsec_fuzz_serve(const uint8_t *req, size_t len);

#endif /* PARSEC_FUZZ_ENV_H */
