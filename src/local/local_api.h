/* Shared pieces of libpsa-local's dispatch layer: the in-process caller and the init guard. */
#ifndef LOCAL_API_H
#define LOCAL_API_H

#include "crypto/core.h"

/* Every in-process call acts as this caller: one owner, one session. */
extern const core_caller_t psa_local_caller;

/* The specification requires psa_crypto_init() before any other crypto call. */
#define LOCAL_REQUIRE_INIT()                                                                      \
    do {                                                                                          \
        if (!core_is_initialised()) {                                                             \
            return PSA_ERROR_BAD_STATE;                                                           \
        }                                                                                         \
    } while (0)

#endif /* LOCAL_API_H */
