/* Parsec <-> PSA value translation: algorithms, key types, usage flags, statuses. */
#include "parsec/parsec_psa.h"

#include <stdlib.h>
#include <string.h>

typedef PsaAlgorithm__Algorithm pb_alg_t;
typedef PsaAlgorithm__Algorithm__Mac pb_mac_t;
typedef PsaAlgorithm__Algorithm__Mac__FullLength pb_mac_full_t;
typedef PsaAlgorithm__Algorithm__Aead pb_aead_t;
typedef PsaAlgorithm__Algorithm__AsymmetricSignature pb_sign_t;
typedef PsaAlgorithm__Algorithm__AsymmetricSignature__SignHash pb_sign_hash_t;
typedef PsaAlgorithm__Algorithm__AsymmetricEncryption pb_asym_enc_t;
typedef PsaAlgorithm__Algorithm__KeyAgreement pb_ka_t;
typedef PsaAlgorithm__Algorithm__KeyDerivation pb_kdf_t;
typedef PsaKeyAttributes__KeyAttributes pb_attrs_t;
typedef PsaKeyAttributes__KeyType pb_type_t;
typedef PsaKeyAttributes__UsageFlags pb_usage_t;

/* Index = the .proto enum value. */
static const psa_algorithm_t hash_algs[] = {
    PSA_ALG_NONE,      PSA_ALG_MD2,      PSA_ALG_MD4,         PSA_ALG_MD5,
    PSA_ALG_RIPEMD160, PSA_ALG_SHA_1,    PSA_ALG_SHA_224,     PSA_ALG_SHA_256,
    PSA_ALG_SHA_384,   PSA_ALG_SHA_512,  PSA_ALG_SHA_512_224, PSA_ALG_SHA_512_256,
    PSA_ALG_SHA3_224,  PSA_ALG_SHA3_256, PSA_ALG_SHA3_384,    PSA_ALG_SHA3_512,
};
#define HASH_COUNT (sizeof(hash_algs) / sizeof(hash_algs[0]))

static const psa_algorithm_t cipher_algs[] = {
    PSA_ALG_NONE,
    PSA_ALG_STREAM_CIPHER,
    PSA_ALG_CTR,
    PSA_ALG_CFB,
    PSA_ALG_OFB,
    PSA_ALG_XTS,
    PSA_ALG_ECB_NO_PADDING,
    PSA_ALG_CBC_NO_PADDING,
    PSA_ALG_CBC_PKCS7,
};
#define CIPHER_COUNT (sizeof(cipher_algs) / sizeof(cipher_algs[0]))

static const psa_algorithm_t aead_algs[] = {PSA_ALG_NONE, PSA_ALG_CCM, PSA_ALG_GCM,
                                            PSA_ALG_CHACHA20_POLY1305};
#define AEAD_COUNT (sizeof(aead_algs) / sizeof(aead_algs[0]))

static const psa_algorithm_t ka_algs[] = {PSA_ALG_NONE, PSA_ALG_FFDH, PSA_ALG_ECDH};
#define KA_COUNT (sizeof(ka_algs) / sizeof(ka_algs[0]))

static const psa_ecc_family_t ecc_families[] = {
    0,
    PSA_ECC_FAMILY_SECP_K1,
    PSA_ECC_FAMILY_SECP_R1,
    PSA_ECC_FAMILY_SECP_R2,
    PSA_ECC_FAMILY_SECT_K1,
    PSA_ECC_FAMILY_SECT_R1,
    PSA_ECC_FAMILY_SECT_R2,
    PSA_ECC_FAMILY_BRAINPOOL_P_R1,
    PSA_ECC_FAMILY_FRP,
    PSA_ECC_FAMILY_MONTGOMERY,
};
#define ECC_COUNT (sizeof(ecc_families) / sizeof(ecc_families[0]))

/* Enum value -> PSA value from a table; 0 (*_NONE) and out-of-range values name nothing. */
static parsec_status_t from_table(const psa_algorithm_t *table, size_t count, int value,
                                  psa_algorithm_t *out)
{
    if (value <= 0 || (size_t)value >= count) {
        return PARSEC_INVALID_ENCODING;
    }
    *out = table[value];
    return PARSEC_SUCCESS;
}

static int to_table(const psa_algorithm_t *table, size_t count, psa_algorithm_t alg)
{
    for (size_t i = 1; i < count; i++) {
        if (table[i] == alg) {
            return (int)i;
        }
    }
    return -1;
}

static parsec_status_t hash_from(int value, psa_algorithm_t *out, bool *deprecated)
{
    if (value == PSA_ALGORITHM__ALGORITHM__HASH__MD2 ||
        value == PSA_ALGORITHM__ALGORITHM__HASH__MD4 ||
        value == PSA_ALGORITHM__ALGORITHM__HASH__MD5 ||
        value == PSA_ALGORITHM__ALGORITHM__HASH__SHA_1) {
        *deprecated = true;
    }
    return from_table(hash_algs, HASH_COUNT, value, out);
}

static parsec_status_t mac_full_from(const pb_mac_full_t *m, psa_algorithm_t *out, bool *deprecated)
{
    if (m == NULL) {
        return PARSEC_INVALID_ENCODING;
    }
    switch (m->variant_case) {
    case PSA_ALGORITHM__ALGORITHM__MAC__FULL_LENGTH__VARIANT_HMAC: {
        psa_algorithm_t hash = 0;
        parsec_status_t s = hash_from(m->hmac->hash_alg, &hash, deprecated);
        *out = PSA_ALG_HMAC(hash);
        return s;
    }
    case PSA_ALGORITHM__ALGORITHM__MAC__FULL_LENGTH__VARIANT_CBC_MAC:
        *out = PSA_ALG_CBC_MAC;
        return PARSEC_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__MAC__FULL_LENGTH__VARIANT_CMAC:
        *out = PSA_ALG_CMAC;
        return PARSEC_SUCCESS;
    default:
        return PARSEC_INVALID_ENCODING;
    }
}

static parsec_status_t mac_from(const pb_mac_t *m, psa_algorithm_t *out, bool *deprecated)
{
    if (m == NULL) {
        return PARSEC_INVALID_ENCODING;
    }
    if (m->variant_case == PSA_ALGORITHM__ALGORITHM__MAC__VARIANT_FULL_LENGTH) {
        return mac_full_from(m->full_length, out, deprecated);
    }
    if (m->variant_case == PSA_ALGORITHM__ALGORITHM__MAC__VARIANT_TRUNCATED) {
        psa_algorithm_t full = 0;
        parsec_status_t s = mac_full_from(m->truncated->mac_alg, &full, deprecated);
        /* The length field has 6 bits in the PSA encoding; a longer one names nothing. */
        if (s != PARSEC_SUCCESS || m->truncated->mac_length == 0 || m->truncated->mac_length > 63) {
            return PARSEC_INVALID_ENCODING;
        }
        *out = PSA_ALG_TRUNCATED_MAC(full, m->truncated->mac_length);
        return PARSEC_SUCCESS;
    }
    return PARSEC_INVALID_ENCODING;
}

static parsec_status_t aead_from(const pb_aead_t *m, psa_algorithm_t *out)
{
    if (m == NULL) {
        return PARSEC_INVALID_ENCODING;
    }
    if (m->variant_case == PSA_ALGORITHM__ALGORITHM__AEAD__VARIANT_AEAD_WITH_DEFAULT_LENGTH_TAG) {
        return from_table(aead_algs, AEAD_COUNT, m->aead_with_default_length_tag, out);
    }
    if (m->variant_case == PSA_ALGORITHM__ALGORITHM__AEAD__VARIANT_AEAD_WITH_SHORTENED_TAG) {
        psa_algorithm_t base = 0;
        if (from_table(aead_algs, AEAD_COUNT, m->aead_with_shortened_tag->aead_alg, &base) !=
                PARSEC_SUCCESS ||
            m->aead_with_shortened_tag->tag_length == 0 ||
            m->aead_with_shortened_tag->tag_length > 63) {
            return PARSEC_INVALID_ENCODING;
        }
        *out = PSA_ALG_AEAD_WITH_SHORTENED_TAG(base, m->aead_with_shortened_tag->tag_length);
        return PARSEC_SUCCESS;
    }
    return PARSEC_INVALID_ENCODING;
}

static parsec_status_t sign_hash_from(const pb_sign_hash_t *m, psa_algorithm_t *out,
                                      bool *deprecated)
{
    if (m == NULL) {
        return PARSEC_INVALID_ENCODING;
    }
    if (m->variant_case == PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_ANY) {
        *out = PSA_ALG_ANY_HASH;
        return PARSEC_SUCCESS;
    }
    if (m->variant_case ==
        PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_SPECIFIC) {
        return hash_from(m->specific, out, deprecated);
    }
    return PARSEC_INVALID_ENCODING;
}

static parsec_status_t sign_from(const pb_sign_t *m, psa_algorithm_t *out, bool *deprecated)
{
    psa_algorithm_t hash = 0;
    parsec_status_t s = PARSEC_INVALID_ENCODING;
    if (m == NULL) {
        return s;
    }
    switch (m->variant_case) {
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_RSA_PKCS1V15_SIGN:
        s = sign_hash_from(m->rsa_pkcs1v15_sign->hash_alg, &hash, deprecated);
        *out = PSA_ALG_RSA_PKCS1V15_SIGN(hash);
        return s;
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_RSA_PKCS1V15_SIGN_RAW:
        *out = PSA_ALG_RSA_PKCS1V15_SIGN_RAW;
        return PARSEC_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_RSA_PSS:
        s = sign_hash_from(m->rsa_pss->hash_alg, &hash, deprecated);
        *out = PSA_ALG_RSA_PSS(hash);
        return s;
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_ECDSA:
        s = sign_hash_from(m->ecdsa->hash_alg, &hash, deprecated);
        *out = PSA_ALG_ECDSA(hash);
        return s;
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_ECDSA_ANY:
        *out = PSA_ALG_ECDSA_ANY;
        return PARSEC_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_DETERMINISTIC_ECDSA:
        s = sign_hash_from(m->deterministic_ecdsa->hash_alg, &hash, deprecated);
        *out = PSA_ALG_DETERMINISTIC_ECDSA(hash);
        return s;
    default:
        return s;
    }
}

static parsec_status_t asym_enc_from(const pb_asym_enc_t *m, psa_algorithm_t *out, bool *deprecated)
{
    if (m == NULL) {
        return PARSEC_INVALID_ENCODING;
    }
    if (m->variant_case ==
        PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_ENCRYPTION__VARIANT_RSA_PKCS1V15_CRYPT) {
        *out = PSA_ALG_RSA_PKCS1V15_CRYPT;
        return PARSEC_SUCCESS;
    }
    if (m->variant_case == PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_ENCRYPTION__VARIANT_RSA_OAEP) {
        psa_algorithm_t hash = 0;
        parsec_status_t s = hash_from(m->rsa_oaep->hash_alg, &hash, deprecated);
        *out = PSA_ALG_RSA_OAEP(hash);
        return s;
    }
    return PARSEC_INVALID_ENCODING;
}

static parsec_status_t kdf_from(const pb_kdf_t *m, psa_algorithm_t *out, bool *deprecated)
{
    psa_algorithm_t hash = 0;
    parsec_status_t s = PARSEC_INVALID_ENCODING;
    if (m == NULL) {
        return s;
    }
    switch (m->variant_case) {
    case PSA_ALGORITHM__ALGORITHM__KEY_DERIVATION__VARIANT_HKDF:
        s = hash_from(m->hkdf->hash_alg, &hash, deprecated);
        *out = PSA_ALG_HKDF(hash);
        return s;
    case PSA_ALGORITHM__ALGORITHM__KEY_DERIVATION__VARIANT_TLS12_PRF:
        s = hash_from(m->tls12_prf->hash_alg, &hash, deprecated);
        *out = PSA_ALG_TLS12_PRF(hash);
        return s;
    case PSA_ALGORITHM__ALGORITHM__KEY_DERIVATION__VARIANT_TLS12_PSK_TO_MS:
        s = hash_from(m->tls12_psk_to_ms->hash_alg, &hash, deprecated);
        *out = PSA_ALG_TLS12_PSK_TO_MS(hash);
        return s;
    default:
        return s;
    }
}

static parsec_status_t ka_from(const pb_ka_t *m, psa_algorithm_t *out, bool *deprecated)
{
    if (m == NULL) {
        return PARSEC_INVALID_ENCODING;
    }
    if (m->variant_case == PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__VARIANT_RAW) {
        return from_table(ka_algs, KA_COUNT, m->raw, out);
    }
    if (m->variant_case == PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__VARIANT_WITH_KEY_DERIVATION) {
        psa_algorithm_t base = 0, kdf = 0;
        if (from_table(ka_algs, KA_COUNT, m->with_key_derivation->ka_alg, &base) !=
                PARSEC_SUCCESS ||
            kdf_from(m->with_key_derivation->kdf_alg, &kdf, deprecated) != PARSEC_SUCCESS) {
            return PARSEC_INVALID_ENCODING;
        }
        *out = PSA_ALG_KEY_AGREEMENT(base, kdf);
        return PARSEC_SUCCESS;
    }
    return PARSEC_INVALID_ENCODING;
}

static parsec_status_t alg_from(const pb_alg_t *m, psa_algorithm_t *out, bool *deprecated)
{
    if (m == NULL) {
        return PARSEC_INVALID_ENCODING;
    }
    switch (m->variant_case) {
    case PSA_ALGORITHM__ALGORITHM__VARIANT_NONE:
        *out = PSA_ALG_NONE;
        return PARSEC_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__VARIANT_HASH:
        return hash_from(m->hash, out, deprecated);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_MAC:
        return mac_from(m->mac, out, deprecated);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_CIPHER:
        return from_table(cipher_algs, CIPHER_COUNT, m->cipher, out);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_AEAD:
        return aead_from(m->aead, out);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE:
        return sign_from(m->asymmetric_signature, out, deprecated);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_ENCRYPTION:
        return asym_enc_from(m->asymmetric_encryption, out, deprecated);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_KEY_AGREEMENT:
        return ka_from(m->key_agreement, out, deprecated);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_KEY_DERIVATION:
        return kdf_from(m->key_derivation, out, deprecated);
    default:
        return PARSEC_INVALID_ENCODING;
    }
}

parsec_status_t parsec_alg_from_field(const void *desc, const void *field, psa_algorithm_t *alg,
                                      bool *deprecated)
{
    *alg = PSA_ALG_NONE;
    if (desc == &psa_algorithm__algorithm__hash__descriptor) {
        return hash_from(*(const int *)field, alg, deprecated);
    }
    if (desc == &psa_algorithm__algorithm__cipher__descriptor) {
        return from_table(cipher_algs, CIPHER_COUNT, *(const int *)field, alg);
    }
    if (desc == &psa_algorithm__algorithm__key_agreement__raw__descriptor) {
        return from_table(ka_algs, KA_COUNT, *(const int *)field, alg);
    }
    const void *msg = *(const void *const *)field;
    if (desc == &psa_algorithm__algorithm__descriptor) {
        return alg_from(msg, alg, deprecated);
    }
    if (desc == &psa_algorithm__algorithm__mac__descriptor) {
        return mac_from(msg, alg, deprecated);
    }
    if (desc == &psa_algorithm__algorithm__aead__descriptor) {
        return aead_from(msg, alg);
    }
    if (desc == &psa_algorithm__algorithm__asymmetric_signature__descriptor) {
        return sign_from(msg, alg, deprecated);
    }
    if (desc == &psa_algorithm__algorithm__asymmetric_encryption__descriptor) {
        return asym_enc_from(msg, alg, deprecated);
    }
    return PARSEC_INVALID_ENCODING;
}

static parsec_status_t type_from(const pb_type_t *m, psa_key_type_t *out, bool *deprecated)
{
    int family;
    if (m == NULL) {
        return PARSEC_INVALID_ENCODING;
    }
    switch (m->variant_case) {
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RAW_DATA:
        *out = PSA_KEY_TYPE_RAW_DATA;
        break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_HMAC:
        *out = PSA_KEY_TYPE_HMAC;
        break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DERIVE:
        *out = PSA_KEY_TYPE_DERIVE;
        break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_AES:
        *out = PSA_KEY_TYPE_AES;
        break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DES:
        *deprecated = true;
        *out = PSA_KEY_TYPE_DES;
        break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_CAMELLIA:
        *out = PSA_KEY_TYPE_CAMELLIA;
        break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ARC4:
        *deprecated = true;
        *out = PSA_KEY_TYPE_ARC4;
        break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_CHACHA20:
        *out = PSA_KEY_TYPE_CHACHA20;
        break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_PUBLIC_KEY:
        *out = PSA_KEY_TYPE_RSA_PUBLIC_KEY;
        break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_KEY_PAIR:
        *out = PSA_KEY_TYPE_RSA_KEY_PAIR;
        break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_KEY_PAIR:
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_PUBLIC_KEY:
        family = m->variant_case == PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_KEY_PAIR
                     ? (int)m->ecc_key_pair->curve_family
                     : (int)m->ecc_public_key->curve_family;
        if (family <= 0 || (size_t)family >= ECC_COUNT) {
            return PARSEC_INVALID_ENCODING;
        }
        if (family == PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECP_R2 ||
            family == PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECT_R2) {
            *deprecated = true;
        }
        *out = m->variant_case == PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_KEY_PAIR
                   ? PSA_KEY_TYPE_ECC_KEY_PAIR(ecc_families[family])
                   : PSA_KEY_TYPE_ECC_PUBLIC_KEY(ecc_families[family]);
        break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DH_KEY_PAIR:
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DH_PUBLIC_KEY:
        family = m->variant_case == PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DH_KEY_PAIR
                     ? (int)m->dh_key_pair->group_family
                     : (int)m->dh_public_key->group_family;
        if (family != PSA_KEY_ATTRIBUTES__KEY_TYPE__DH_FAMILY__RFC7919) {
            return PARSEC_INVALID_ENCODING;
        }
        *out = m->variant_case == PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DH_KEY_PAIR
                   ? PSA_KEY_TYPE_DH_KEY_PAIR(PSA_DH_FAMILY_RFC7919)
                   : PSA_KEY_TYPE_DH_PUBLIC_KEY(PSA_DH_FAMILY_RFC7919);
        break;
    default:
        return PARSEC_INVALID_ENCODING;
    }
    return PARSEC_SUCCESS;
}

parsec_status_t parsec_attributes_from_proto(const pb_attrs_t *in, psa_key_attributes_t *out,
                                             bool *deprecated)
{
    psa_key_type_t type = 0;
    psa_algorithm_t alg = PSA_ALG_NONE;
    psa_key_usage_t usage = 0;
    *out = psa_key_attributes_init();
    if (in == NULL || in->key_policy == NULL ||
        type_from(in->key_type, &type, deprecated) != PARSEC_SUCCESS) {
        return PARSEC_INVALID_ENCODING;
    }
    const pb_usage_t *u = in->key_policy->key_usage_flags;
    if (u != NULL) {
        usage = (u->export ? PSA_KEY_USAGE_EXPORT : 0) | (u->copy ? PSA_KEY_USAGE_COPY : 0) |
                (u->cache ? PSA_KEY_USAGE_CACHE : 0) | (u->encrypt ? PSA_KEY_USAGE_ENCRYPT : 0) |
                (u->decrypt ? PSA_KEY_USAGE_DECRYPT : 0) |
                (u->sign_message ? PSA_KEY_USAGE_SIGN_MESSAGE : 0) |
                (u->verify_message ? PSA_KEY_USAGE_VERIFY_MESSAGE : 0) |
                (u->sign_hash ? PSA_KEY_USAGE_SIGN_HASH : 0) |
                (u->verify_hash ? PSA_KEY_USAGE_VERIFY_HASH : 0) |
                (u->derive ? PSA_KEY_USAGE_DERIVE : 0);
    }
    if (alg_from(in->key_policy->key_algorithm, &alg, deprecated) != PARSEC_SUCCESS) {
        return PARSEC_INVALID_ENCODING;
    }
    psa_set_key_type(out, type);
    psa_set_key_bits(out, in->key_bits);
    psa_set_key_usage_flags(out, usage);
    psa_set_key_algorithm(out, alg);
    return PARSEC_SUCCESS;
}

/* ---- PSA -> Parsec (ListKeys) ------------------------------------------------------------- */

static void *pb_new(const ProtobufCMessageDescriptor *desc)
{
    void *m = calloc(1, desc->sizeof_message);
    if (m != NULL) {
        protobuf_c_message_init(desc, m);
    }
    return m;
}

static bool hash_to(psa_algorithm_t hash, int *out)
{
    int v = to_table(hash_algs, HASH_COUNT, hash);
    *out = v;
    return v > 0;
}

static pb_sign_hash_t *sign_hash_to(psa_algorithm_t hash)
{
    pb_sign_hash_t *m =
        pb_new(&psa_algorithm__algorithm__asymmetric_signature__sign_hash__descriptor);
    int v = 0;
    if (m == NULL) {
        return NULL;
    }
    if (hash == PSA_ALG_ANY_HASH) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_ANY;
        m->any =
            pb_new(&psa_algorithm__algorithm__asymmetric_signature__sign_hash__any__descriptor);
        if (m->any != NULL) {
            return m;
        }
    } else if (hash_to(hash, &v)) {
        m->variant_case =
            PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_SPECIFIC;
        m->specific = v;
        return m;
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return NULL;
}

/* A message holding only `hash_alg` (Hmac, RsaOaep, Hkdf, ...): same layout for all of them. */
typedef struct pb_hash_holder {
    ProtobufCMessage base;
    PsaAlgorithm__Algorithm__Hash hash_alg;
} pb_hash_holder_t;

static void *hash_holder_to(const ProtobufCMessageDescriptor *desc, psa_algorithm_t hash)
{
    int v = 0;
    if (!hash_to(hash, &v)) {
        return NULL;
    }
    pb_hash_holder_t *m = pb_new(desc);
    if (m != NULL) {
        m->hash_alg = v;
    }
    return m;
}

static pb_mac_full_t *mac_full_to(psa_algorithm_t full)
{
    pb_mac_full_t *m = pb_new(&psa_algorithm__algorithm__mac__full_length__descriptor);
    if (m == NULL) {
        return NULL;
    }
    if (PSA_ALG_IS_HMAC(full)) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__MAC__FULL_LENGTH__VARIANT_HMAC;
        m->hmac = hash_holder_to(&psa_algorithm__algorithm__mac__full_length__hmac__descriptor,
                                 PSA_ALG_HMAC_GET_HASH(full));
        if (m->hmac != NULL) {
            return m;
        }
    } else if (full == PSA_ALG_CBC_MAC) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__MAC__FULL_LENGTH__VARIANT_CBC_MAC;
        m->cbc_mac = pb_new(&psa_algorithm__algorithm__mac__full_length__cbc_mac__descriptor);
        if (m->cbc_mac != NULL) {
            return m;
        }
    } else if (full == PSA_ALG_CMAC) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__MAC__FULL_LENGTH__VARIANT_CMAC;
        m->cmac = pb_new(&psa_algorithm__algorithm__mac__full_length__cmac__descriptor);
        if (m->cmac != NULL) {
            return m;
        }
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return NULL;
}

static bool mac_to(pb_alg_t *out, psa_algorithm_t alg)
{
    pb_mac_t *m = pb_new(&psa_algorithm__algorithm__mac__descriptor);
    psa_algorithm_t full = PSA_ALG_FULL_LENGTH_MAC(alg);
    out->variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_MAC;
    out->mac = m;
    if (m == NULL || (alg & PSA_ALG_MAC_AT_LEAST_THIS_LENGTH_FLAG) != 0) {
        return false;
    }
    if (full == alg) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__MAC__VARIANT_FULL_LENGTH;
        m->full_length = mac_full_to(full);
        return m->full_length != NULL;
    }
    m->variant_case = PSA_ALGORITHM__ALGORITHM__MAC__VARIANT_TRUNCATED;
    m->truncated = pb_new(&psa_algorithm__algorithm__mac__truncated__descriptor);
    if (m->truncated == NULL) {
        return false;
    }
    m->truncated->mac_length = (alg & PSA_ALG_MAC_TRUNCATION_MASK) >> 16;
    m->truncated->mac_alg = mac_full_to(full);
    return m->truncated->mac_alg != NULL;
}

static bool aead_to(pb_alg_t *out, psa_algorithm_t alg)
{
    pb_aead_t *m = pb_new(&psa_algorithm__algorithm__aead__descriptor);
    psa_algorithm_t base = PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(alg);
    int v = to_table(aead_algs, AEAD_COUNT, base);
    out->variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_AEAD;
    out->aead = m;
    if (m == NULL || v <= 0 || (alg & PSA_ALG_AEAD_AT_LEAST_THIS_LENGTH_FLAG) != 0) {
        return false;
    }
    if (base == alg) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__AEAD__VARIANT_AEAD_WITH_DEFAULT_LENGTH_TAG;
        m->aead_with_default_length_tag = v;
        return true;
    }
    m->variant_case = PSA_ALGORITHM__ALGORITHM__AEAD__VARIANT_AEAD_WITH_SHORTENED_TAG;
    m->aead_with_shortened_tag =
        pb_new(&psa_algorithm__algorithm__aead__aead_with_shortened_tag__descriptor);
    if (m->aead_with_shortened_tag == NULL) {
        return false;
    }
    m->aead_with_shortened_tag->aead_alg = v;
    m->aead_with_shortened_tag->tag_length = PSA_ALG_AEAD_GET_TAG_LENGTH(alg);
    return true;
}

/* Sign variants with a SignHash member all share this layout. */
typedef struct pb_sign_holder {
    ProtobufCMessage base;
    pb_sign_hash_t *hash_alg;
} pb_sign_holder_t;

static bool sign_to(pb_alg_t *out, psa_algorithm_t alg)
{
    pb_sign_t *m = pb_new(&psa_algorithm__algorithm__asymmetric_signature__descriptor);
    const ProtobufCMessageDescriptor *desc = NULL;
    out->variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE;
    out->asymmetric_signature = m;
    if (m == NULL) {
        return false;
    }
    if (alg == PSA_ALG_RSA_PKCS1V15_SIGN_RAW) {
        m->variant_case =
            PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_RSA_PKCS1V15_SIGN_RAW;
        m->rsa_pkcs1v15_sign_raw = pb_new(
            &psa_algorithm__algorithm__asymmetric_signature__rsa_pkcs1v15_sign_raw__descriptor);
        return m->rsa_pkcs1v15_sign_raw != NULL;
    }
    if (alg == PSA_ALG_ECDSA_ANY) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_ECDSA_ANY;
        m->ecdsa_any =
            pb_new(&psa_algorithm__algorithm__asymmetric_signature__ecdsa_any__descriptor);
        return m->ecdsa_any != NULL;
    }
    psa_algorithm_t hash = PSA_ALG_GET_HASH(alg);
    if (alg == PSA_ALG_RSA_PKCS1V15_SIGN(hash)) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_RSA_PKCS1V15_SIGN;
        desc = &psa_algorithm__algorithm__asymmetric_signature__rsa_pkcs1v15_sign__descriptor;
    } else if (alg == PSA_ALG_RSA_PSS(hash)) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_RSA_PSS;
        desc = &psa_algorithm__algorithm__asymmetric_signature__rsa_pss__descriptor;
    } else if (alg == PSA_ALG_ECDSA(hash)) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_ECDSA;
        desc = &psa_algorithm__algorithm__asymmetric_signature__ecdsa__descriptor;
    } else if (alg == PSA_ALG_DETERMINISTIC_ECDSA(hash)) {
        m->variant_case =
            PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_DETERMINISTIC_ECDSA;
        desc = &psa_algorithm__algorithm__asymmetric_signature__deterministic_ecdsa__descriptor;
    } else {
        return false;
    }
    pb_sign_holder_t *holder = pb_new(desc);
    /* All four members of the union are pointers at the same place. */
    m->rsa_pkcs1v15_sign = (void *)holder;
    if (holder == NULL) {
        return false;
    }
    holder->hash_alg = sign_hash_to(hash);
    return holder->hash_alg != NULL;
}

static bool asym_enc_to(pb_alg_t *out, psa_algorithm_t alg)
{
    pb_asym_enc_t *m = pb_new(&psa_algorithm__algorithm__asymmetric_encryption__descriptor);
    out->variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_ENCRYPTION;
    out->asymmetric_encryption = m;
    if (m == NULL) {
        return false;
    }
    if (alg == PSA_ALG_RSA_PKCS1V15_CRYPT) {
        m->variant_case =
            PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_ENCRYPTION__VARIANT_RSA_PKCS1V15_CRYPT;
        m->rsa_pkcs1v15_crypt = pb_new(
            &psa_algorithm__algorithm__asymmetric_encryption__rsa_pkcs1v15_crypt__descriptor);
        return m->rsa_pkcs1v15_crypt != NULL;
    }
    if (!PSA_ALG_IS_RSA_OAEP(alg)) {
        return false;
    }
    m->variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_ENCRYPTION__VARIANT_RSA_OAEP;
    m->rsa_oaep =
        hash_holder_to(&psa_algorithm__algorithm__asymmetric_encryption__rsa_oaep__descriptor,
                       PSA_ALG_GET_HASH(alg));
    return m->rsa_oaep != NULL;
}

static pb_kdf_t *kdf_to(psa_algorithm_t alg)
{
    pb_kdf_t *m = pb_new(&psa_algorithm__algorithm__key_derivation__descriptor);
    psa_algorithm_t hash = PSA_ALG_GET_HASH(alg);
    if (m == NULL) {
        return NULL;
    }
    if (alg == PSA_ALG_HKDF(hash)) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__KEY_DERIVATION__VARIANT_HKDF;
        m->hkdf = hash_holder_to(&psa_algorithm__algorithm__key_derivation__hkdf__descriptor, hash);
    } else if (alg == PSA_ALG_TLS12_PRF(hash)) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__KEY_DERIVATION__VARIANT_TLS12_PRF;
        m->tls12_prf =
            hash_holder_to(&psa_algorithm__algorithm__key_derivation__tls12_prf__descriptor, hash);
    } else if (alg == PSA_ALG_TLS12_PSK_TO_MS(hash)) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__KEY_DERIVATION__VARIANT_TLS12_PSK_TO_MS;
        m->tls12_psk_to_ms = hash_holder_to(
            &psa_algorithm__algorithm__key_derivation__tls12_psk_to_ms__descriptor, hash);
    }
    if (m->hkdf == NULL) { /* the union's one pointer */
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return NULL;
    }
    return m;
}

static bool ka_to(pb_alg_t *out, psa_algorithm_t alg)
{
    pb_ka_t *m = pb_new(&psa_algorithm__algorithm__key_agreement__descriptor);
    psa_algorithm_t base = PSA_ALG_KEY_AGREEMENT_GET_BASE(alg);
    psa_algorithm_t kdf = PSA_ALG_KEY_AGREEMENT_GET_KDF(alg);
    int v = to_table(ka_algs, KA_COUNT, base);
    out->variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_KEY_AGREEMENT;
    out->key_agreement = m;
    if (m == NULL || v <= 0) {
        return false;
    }
    if (kdf == 0) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__VARIANT_RAW;
        m->raw = v;
        return true;
    }
    m->variant_case = PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__VARIANT_WITH_KEY_DERIVATION;
    m->with_key_derivation =
        pb_new(&psa_algorithm__algorithm__key_agreement__with_key_derivation__descriptor);
    if (m->with_key_derivation == NULL) {
        return false;
    }
    m->with_key_derivation->ka_alg = v;
    m->with_key_derivation->kdf_alg = kdf_to(kdf);
    return m->with_key_derivation->kdf_alg != NULL;
}

static pb_alg_t *alg_to(psa_algorithm_t alg)
{
    pb_alg_t *m = pb_new(&psa_algorithm__algorithm__descriptor);
    bool ok = false;
    int v = 0;
    if (m == NULL) {
        return NULL;
    }
    if (alg == PSA_ALG_NONE) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_NONE;
        m->none = pb_new(&psa_algorithm__algorithm__none__descriptor);
        ok = m->none != NULL;
    } else if (PSA_ALG_IS_HASH(alg)) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_HASH;
        ok = hash_to(alg, &v);
        m->hash = v;
    } else if (PSA_ALG_IS_MAC(alg)) {
        ok = mac_to(m, alg);
    } else if (PSA_ALG_IS_CIPHER(alg)) {
        v = to_table(cipher_algs, CIPHER_COUNT, alg);
        m->variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_CIPHER;
        m->cipher = v;
        ok = v > 0;
    } else if (PSA_ALG_IS_AEAD(alg)) {
        ok = aead_to(m, alg);
    } else if (PSA_ALG_IS_SIGN(alg)) {
        ok = sign_to(m, alg);
    } else if (PSA_ALG_IS_ASYMMETRIC_ENCRYPTION(alg)) {
        ok = asym_enc_to(m, alg);
    } else if (PSA_ALG_IS_KEY_AGREEMENT(alg)) {
        ok = ka_to(m, alg);
    } else if (PSA_ALG_IS_KEY_DERIVATION(alg)) {
        m->variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_KEY_DERIVATION;
        m->key_derivation = kdf_to(alg);
        ok = m->key_derivation != NULL;
    }
    if (!ok) {
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return NULL;
    }
    return m;
}

static pb_type_t *type_to(psa_key_type_t type)
{
    pb_type_t *m = pb_new(&psa_key_attributes__key_type__descriptor);
    static const struct {
        psa_key_type_t type;
        int variant;
        const ProtobufCMessageDescriptor *desc;
    } plain[] = {
        {PSA_KEY_TYPE_RAW_DATA, PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RAW_DATA,
         &psa_key_attributes__key_type__raw_data__descriptor},
        {PSA_KEY_TYPE_HMAC, PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_HMAC,
         &psa_key_attributes__key_type__hmac__descriptor},
        {PSA_KEY_TYPE_DERIVE, PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DERIVE,
         &psa_key_attributes__key_type__derive__descriptor},
        {PSA_KEY_TYPE_AES, PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_AES,
         &psa_key_attributes__key_type__aes__descriptor},
        {PSA_KEY_TYPE_DES, PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DES,
         &psa_key_attributes__key_type__des__descriptor},
        {PSA_KEY_TYPE_CAMELLIA, PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_CAMELLIA,
         &psa_key_attributes__key_type__camellia__descriptor},
        {PSA_KEY_TYPE_ARC4, PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ARC4,
         &psa_key_attributes__key_type__arc4__descriptor},
        {PSA_KEY_TYPE_CHACHA20, PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_CHACHA20,
         &psa_key_attributes__key_type__chacha20__descriptor},
        {PSA_KEY_TYPE_RSA_PUBLIC_KEY, PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_PUBLIC_KEY,
         &psa_key_attributes__key_type__rsa_public_key__descriptor},
        {PSA_KEY_TYPE_RSA_KEY_PAIR, PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_KEY_PAIR,
         &psa_key_attributes__key_type__rsa_key_pair__descriptor},
    };
    if (m == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        if (plain[i].type == type) {
            m->variant_case = plain[i].variant;
            m->raw_data = pb_new(plain[i].desc); /* every member is a pointer at one place */
            if (m->raw_data == NULL) {
                break;
            }
            return m;
        }
    }
    if (PSA_KEY_TYPE_IS_ECC(type)) {
        int v = -1;
        for (size_t i = 1; i < ECC_COUNT; i++) {
            if (ecc_families[i] == PSA_KEY_TYPE_ECC_GET_FAMILY(type)) {
                v = (int)i;
            }
        }
        if (v > 0 && PSA_KEY_TYPE_IS_ECC_KEY_PAIR(type)) {
            m->variant_case = PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_KEY_PAIR;
            m->ecc_key_pair = pb_new(&psa_key_attributes__key_type__ecc_key_pair__descriptor);
            if (m->ecc_key_pair != NULL) {
                m->ecc_key_pair->curve_family = v;
                return m;
            }
        } else if (v > 0) {
            m->variant_case = PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_PUBLIC_KEY;
            m->ecc_public_key = pb_new(&psa_key_attributes__key_type__ecc_public_key__descriptor);
            if (m->ecc_public_key != NULL) {
                m->ecc_public_key->curve_family = v;
                return m;
            }
        }
    } else if (type == PSA_KEY_TYPE_DH_KEY_PAIR(PSA_DH_FAMILY_RFC7919)) {
        m->variant_case = PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DH_KEY_PAIR;
        m->dh_key_pair = pb_new(&psa_key_attributes__key_type__dh_key_pair__descriptor);
        if (m->dh_key_pair != NULL) {
            return m;
        }
    } else if (type == PSA_KEY_TYPE_DH_PUBLIC_KEY(PSA_DH_FAMILY_RFC7919)) {
        m->variant_case = PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DH_PUBLIC_KEY;
        m->dh_public_key = pb_new(&psa_key_attributes__key_type__dh_public_key__descriptor);
        if (m->dh_public_key != NULL) {
            return m;
        }
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return NULL;
}

parsec_status_t parsec_attributes_to_proto(psa_key_type_t type, size_t bits, psa_key_usage_t usage,
                                           psa_algorithm_t alg, pb_attrs_t **out)
{
    pb_attrs_t *a = pb_new(&psa_key_attributes__key_attributes__descriptor);
    *out = NULL;
    if (a == NULL) {
        return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    a->key_bits = (uint32_t)bits;
    a->key_type = type_to(type);
    a->key_policy = pb_new(&psa_key_attributes__key_policy__descriptor);
    if (a->key_type == NULL || a->key_policy == NULL) {
        protobuf_c_message_free_unpacked(&a->base, NULL);
        return PARSEC_INVALID_ENCODING;
    }
    pb_usage_t *u = pb_new(&psa_key_attributes__usage_flags__descriptor);
    a->key_policy->key_usage_flags = u;
    a->key_policy->key_algorithm = alg_to(alg);
    if (u == NULL || a->key_policy->key_algorithm == NULL) {
        protobuf_c_message_free_unpacked(&a->base, NULL);
        return PARSEC_INVALID_ENCODING;
    }
    u->export = (usage & PSA_KEY_USAGE_EXPORT) != 0;
    u->copy = (usage & PSA_KEY_USAGE_COPY) != 0;
    u->cache = (usage & PSA_KEY_USAGE_CACHE) != 0;
    u->encrypt = (usage & PSA_KEY_USAGE_ENCRYPT) != 0;
    u->decrypt = (usage & PSA_KEY_USAGE_DECRYPT) != 0;
    u->sign_message = (usage & PSA_KEY_USAGE_SIGN_MESSAGE) != 0;
    u->verify_message = (usage & PSA_KEY_USAGE_VERIFY_MESSAGE) != 0;
    u->sign_hash = (usage & PSA_KEY_USAGE_SIGN_HASH) != 0;
    u->verify_hash = (usage & PSA_KEY_USAGE_VERIFY_HASH) != 0;
    u->derive = (usage & PSA_KEY_USAGE_DERIVE) != 0;
    *out = a;
    return PARSEC_SUCCESS;
}

parsec_status_t parsec_status_from_psa(psa_status_t status)
{
    if (status == PSA_SUCCESS) {
        return PARSEC_SUCCESS;
    }
    /* Parsec knows -132..-153 except -144. */
    if (status <= -132 && status >= -153 && status != -144) {
        return (parsec_status_t)(1000 - status);
    }
    return PARSEC_PSA_ERROR_GENERIC_ERROR;
}
