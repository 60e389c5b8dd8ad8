/* Parsec's structured algorithms, key types and attributes <-> PSA numeric values, statuses. */
#ifndef PARSEC_PSA_H
#define PARSEC_PSA_H

#include <stdbool.h>

#include <protobuf-c/protobuf-c.h>
#include <psa/crypto.h>

#include "parsec/parsec_wire.h"
#include "psa_algorithm.pb-c.h"
#include "psa_key_attributes.pb-c.h"

/*
 * Parsec carries algorithms and key types as protobuf oneofs, PSA as 32-bit and 16-bit values.
 * Every decoder returns PARSEC_SUCCESS, PARSEC_INVALID_ENCODING for a value that names nothing
 * (an unset oneof, *_NONE, an enum value outside the .proto) as parsec-interface does, and sets
 * *deprecated when the value uses a primitive the .proto marks deprecated (MD2, MD4, MD5,
 * SHA-1, DES, ARC4, SECP_R2, SECT_R2), which parsecd refuses unless configured otherwise.
 */

/* An algorithm field of any of the types operations use: `desc` is the field's message or
 * enum descriptor (Algorithm, Algorithm.Hash, .Mac, .Cipher, .Aead, .AsymmetricSignature,
 * .AsymmetricEncryption, .KeyAgreement.Raw), `field` points at the field in its message. */
parsec_status_t parsec_alg_from_field(const void *desc, const void *field, psa_algorithm_t *alg,
                                      bool *deprecated);

parsec_status_t parsec_attributes_from_proto(const PsaKeyAttributes__KeyAttributes *in,
                                             psa_key_attributes_t *out, bool *deprecated);

/* Builds a KeyAttributes message (malloc'd tree: free with protobuf_c_message_free_unpacked)
 * from PSA values. PARSEC_INVALID_ENCODING when Parsec cannot express them. */
parsec_status_t parsec_attributes_to_proto(psa_key_type_t type, size_t bits, psa_key_usage_t usage,
                                           psa_algorithm_t alg,
                                           PsaKeyAttributes__KeyAttributes **out);

/* PSA status -> Parsec response status (1000 - value for the codes Parsec knows). */
parsec_status_t parsec_status_from_psa(psa_status_t status);

#endif /* PARSEC_PSA_H */
