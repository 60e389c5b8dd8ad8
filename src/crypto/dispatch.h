/* The one dispatcher from an argument record to the core, used by rssd and libpsa-local alike. */
#ifndef CRYPTO_DISPATCH_H
#define CRYPTO_DISPATCH_H

#include "comms/crypto_calls.h"
#include "core.h"

/*
 * Runs the call a->function_id for `caller`, reading its parameters from the record by role and
 * writing its results back there (byte output lengths, new_key, attributes, value). Multi-part
 * calls run on the operation object a->op (and a->target_op for a clone), which the caller has
 * resolved. NOT_SUPPORTED for an id with no core function.
 */
psa_status_t crypto_dispatch(const core_caller_t *caller, crypto_args_t *a);

#endif /* CRYPTO_DISPATCH_H */
