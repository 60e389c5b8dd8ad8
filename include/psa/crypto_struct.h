/* Complete definitions of the PSA Crypto attribute and operation objects, and their inline helpers. */
#ifndef PSA_CRYPTO_STRUCT_H
#define PSA_CRYPTO_STRUCT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Key attributes are plain data handled on the caller's side, so the setters and getters are
 * inline here and behave the same in every library that ships these headers.
 */
struct psa_key_attributes_s {
    psa_key_type_t type;
    size_t bits;
    psa_key_lifetime_t lifetime;
    psa_key_id_t id;
    psa_key_usage_t usage;
    psa_algorithm_t alg;
};

#define PSA_KEY_ATTRIBUTES_INIT {0, 0, 0, 0, 0, 0}

static inline struct psa_key_attributes_s psa_key_attributes_init(void)
{
    const struct psa_key_attributes_s v = PSA_KEY_ATTRIBUTES_INIT;
    return v;
}

static inline void psa_set_key_id(psa_key_attributes_t *attributes, psa_key_id_t id)
{
    attributes->id = id;
    if (PSA_KEY_LIFETIME_IS_VOLATILE(attributes->lifetime)) {
        attributes->lifetime = PSA_KEY_LIFETIME_FROM_PERSISTENCE_AND_LOCATION(
            PSA_KEY_PERSISTENCE_DEFAULT, PSA_KEY_LIFETIME_GET_LOCATION(attributes->lifetime));
    }
}

static inline psa_key_id_t psa_get_key_id(const psa_key_attributes_t *attributes)
{
    return attributes->id;
}

static inline void psa_set_key_lifetime(psa_key_attributes_t *attributes,
                                        psa_key_lifetime_t lifetime)
{
    attributes->lifetime = lifetime;
    if (PSA_KEY_LIFETIME_IS_VOLATILE(lifetime)) {
        attributes->id = 0;
    }
}

static inline psa_key_lifetime_t psa_get_key_lifetime(const psa_key_attributes_t *attributes)
{
    return attributes->lifetime;
}

static inline void psa_set_key_usage_flags(psa_key_attributes_t *attributes,
                                           psa_key_usage_t usage_flags)
{
    attributes->usage = usage_flags;
}

static inline psa_key_usage_t psa_get_key_usage_flags(const psa_key_attributes_t *attributes)
{
    return attributes->usage;
}

static inline void psa_set_key_algorithm(psa_key_attributes_t *attributes, psa_algorithm_t alg)
{
    attributes->alg = alg;
}

static inline psa_algorithm_t psa_get_key_algorithm(const psa_key_attributes_t *attributes)
{
    return attributes->alg;
}

static inline void psa_set_key_type(psa_key_attributes_t *attributes, psa_key_type_t type)
{
    attributes->type = type;
}

static inline psa_key_type_t psa_get_key_type(const psa_key_attributes_t *attributes)
{
    return attributes->type;
}

static inline void psa_set_key_bits(psa_key_attributes_t *attributes, size_t bits)
{
    attributes->bits = bits;
}

static inline size_t psa_get_key_bits(const psa_key_attributes_t *attributes)
{
    return attributes->bits;
}

/*
 * Every multi-part operation object has the same shape. `ctx` is owned by the PSA core of the
 * process that runs the operation; `handle` and `route` are used by the client library for
 * operations that run in the enclave. All-zero is the inactive state.
 */
#define PSA__OPERATION_FIELDS                                                                     \
    uint32_t handle;                                                                              \
    uint32_t route;                                                                               \
    void *ctx

struct psa_hash_operation_s {
    PSA__OPERATION_FIELDS;
};
struct psa_mac_operation_s {
    PSA__OPERATION_FIELDS;
};
struct psa_cipher_operation_s {
    PSA__OPERATION_FIELDS;
};
struct psa_aead_operation_s {
    PSA__OPERATION_FIELDS;
};
struct psa_key_derivation_s {
    PSA__OPERATION_FIELDS;
};
struct psa_pake_operation_s {
    PSA__OPERATION_FIELDS;
};

#define PSA_HASH_OPERATION_INIT {0, 0, NULL}
#define PSA_MAC_OPERATION_INIT {0, 0, NULL}
#define PSA_CIPHER_OPERATION_INIT {0, 0, NULL}
#define PSA_AEAD_OPERATION_INIT {0, 0, NULL}
#define PSA_KEY_DERIVATION_OPERATION_INIT {0, 0, NULL}
#define PSA_PAKE_OPERATION_INIT {0, 0, NULL}

static inline struct psa_hash_operation_s psa_hash_operation_init(void)
{
    const struct psa_hash_operation_s v = PSA_HASH_OPERATION_INIT;
    return v;
}

static inline struct psa_mac_operation_s psa_mac_operation_init(void)
{
    const struct psa_mac_operation_s v = PSA_MAC_OPERATION_INIT;
    return v;
}

static inline struct psa_cipher_operation_s psa_cipher_operation_init(void)
{
    const struct psa_cipher_operation_s v = PSA_CIPHER_OPERATION_INIT;
    return v;
}

static inline struct psa_aead_operation_s psa_aead_operation_init(void)
{
    const struct psa_aead_operation_s v = PSA_AEAD_OPERATION_INIT;
    return v;
}

static inline struct psa_key_derivation_s psa_key_derivation_operation_init(void)
{
    const struct psa_key_derivation_s v = PSA_KEY_DERIVATION_OPERATION_INIT;
    return v;
}

static inline struct psa_pake_operation_s psa_pake_operation_init(void)
{
    const struct psa_pake_operation_s v = PSA_PAKE_OPERATION_INIT;
    return v;
}

struct psa_pake_cipher_suite_s {
    psa_algorithm_t algorithm;
    psa_pake_primitive_t primitive;
    uint32_t key_confirmation;
};

#define PSA_PAKE_CIPHER_SUITE_INIT {0, 0, PSA_PAKE_CONFIRMED_KEY}

static inline struct psa_pake_cipher_suite_s psa_pake_cipher_suite_init(void)
{
    const struct psa_pake_cipher_suite_s v = PSA_PAKE_CIPHER_SUITE_INIT;
    return v;
}

static inline psa_algorithm_t psa_pake_cs_get_algorithm(const psa_pake_cipher_suite_t *cipher_suite)
{
    return cipher_suite->algorithm;
}

static inline void psa_pake_cs_set_algorithm(psa_pake_cipher_suite_t *cipher_suite,
                                             psa_algorithm_t alg)
{
    cipher_suite->algorithm = alg;
}

static inline psa_pake_primitive_t
psa_pake_cs_get_primitive(const psa_pake_cipher_suite_t *cipher_suite)
{
    return cipher_suite->primitive;
}

static inline void psa_pake_cs_set_primitive(psa_pake_cipher_suite_t *cipher_suite,
                                             psa_pake_primitive_t primitive)
{
    cipher_suite->primitive = primitive;
}

static inline uint32_t psa_pake_cs_get_key_confirmation(const psa_pake_cipher_suite_t *cipher_suite)
{
    return cipher_suite->key_confirmation;
}

static inline void psa_pake_cs_set_key_confirmation(psa_pake_cipher_suite_t *cipher_suite,
                                                    uint32_t key_confirmation)
{
    cipher_suite->key_confirmation = key_confirmation;
}

#ifdef __cplusplus
}
#endif

#endif /* PSA_CRYPTO_STRUCT_H */
