/* Key policy rules: usage flag implications, algorithm wildcards and the intersection used by copy. */
#include "core.h"

psa_key_usage_t core_usage_with_implied(psa_key_usage_t usage)
{
    if (usage & PSA_KEY_USAGE_SIGN_HASH) {
        usage |= PSA_KEY_USAGE_SIGN_MESSAGE;
    }
    if (usage & PSA_KEY_USAGE_VERIFY_HASH) {
        usage |= PSA_KEY_USAGE_VERIFY_MESSAGE;
    }
    return usage;
}

bool core_usage_is_valid(psa_key_usage_t usage)
{
    const psa_key_usage_t defined =
        PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_COPY | PSA_KEY_USAGE_CACHE | PSA_KEY_USAGE_ENCRYPT |
        PSA_KEY_USAGE_DECRYPT | PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_MESSAGE |
        PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH | PSA_KEY_USAGE_DERIVE |
        PSA_KEY_USAGE_VERIFY_DERIVATION;
    return (usage & ~defined) == 0;
}

/* Tag length of a MAC algorithm for a key type; the block ciphers' MAC length does not depend on
 * the key size. */
static size_t policy_mac_length(psa_key_type_t type, psa_algorithm_t alg)
{
    return PSA_MAC_LENGTH(type, 0, alg);
}

static bool policy_is_hash_wildcard_pair(psa_algorithm_t policy, psa_algorithm_t alg)
{
    if (!PSA_ALG_IS_SIGN_HASH(policy) || !PSA_ALG_IS_SIGN_HASH(alg)) {
        return false;
    }
    if (PSA_ALG_SIGN_GET_HASH(policy) != PSA_ALG_ANY_HASH) {
        return false;
    }
    /* The only hash-less form a wildcard permits is the one the specification names:
     * "PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_ANY_HASH) also permits the
     * PSA_ALG_RSA_PKCS1V15_SIGN_RAW signature algorithm". ECDSA(ANY_HASH) does not permit
     * ECDSA_ANY, and other hash-0 values are not algorithms at all. */
    psa_algorithm_t hash = PSA_ALG_SIGN_GET_HASH(alg);
    if (hash == PSA_ALG_NONE) {
        return policy == PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_ANY_HASH) &&
               alg == PSA_ALG_RSA_PKCS1V15_SIGN_RAW;
    }
    if (hash == PSA_ALG_ANY_HASH || !PSA_ALG_IS_HASH(hash)) {
        return false;
    }
    return (policy & ~PSA_ALG_HASH_MASK) == (alg & ~PSA_ALG_HASH_MASK);
}

static bool policy_mac_permits(psa_algorithm_t policy, psa_key_type_t type, psa_algorithm_t alg)
{
    if (PSA_ALG_FULL_LENGTH_MAC(policy) != PSA_ALG_FULL_LENGTH_MAC(alg)) {
        return false;
    }
    if (alg & PSA_ALG_MAC_AT_LEAST_THIS_LENGTH_FLAG) {
        return false; /* a wildcard is a policy, never an operation's algorithm */
    }
    size_t alg_length = policy_mac_length(type, alg);
    if (policy & PSA_ALG_MAC_AT_LEAST_THIS_LENGTH_FLAG) {
        size_t min_length = CORE_MAC_TRUNCATED_LENGTH(policy);
        return alg_length >= min_length && alg_length <= policy_mac_length(type,
            PSA_ALG_FULL_LENGTH_MAC(policy));
    }
    /* A truncation to the full length names the same algorithm as the full-length MAC. */
    return alg_length == policy_mac_length(type, policy);
}

static bool policy_aead_permits(psa_algorithm_t policy, psa_algorithm_t alg)
{
    if (PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(policy) !=
        PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(alg)) {
        return false;
    }
    if (alg & PSA_ALG_AEAD_AT_LEAST_THIS_LENGTH_FLAG) {
        return false;
    }
    size_t alg_length = CORE_AEAD_TAG_LENGTH(alg);
    if (policy & PSA_ALG_AEAD_AT_LEAST_THIS_LENGTH_FLAG) {
        return alg_length >= CORE_AEAD_TAG_LENGTH(policy);
    }
    return alg_length == CORE_AEAD_TAG_LENGTH(policy);
}

/* The algorithms PSA_ALG_CCM_STAR_ANY_TAG permits: "the PSA_ALG_CCM_STAR_NO_TAG cipher algorithm,
 * the PSA_ALG_CCM AEAD algorithm, and PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, tag_length)
 * for tag_length equal to 4, 8 or 16". */
static bool policy_ccm_star_any_tag_permits(psa_algorithm_t alg)
{
    if (alg == PSA_ALG_CCM_STAR_NO_TAG || alg == PSA_ALG_CCM) {
        return true;
    }
    return alg == PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 4) ||
           alg == PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 8) ||
           alg == PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 16);
}

bool core_alg_permits(psa_algorithm_t policy, psa_key_type_t type, psa_algorithm_t alg)
{
    if (alg == 0 || policy == 0 || alg == PSA_ALG_CCM_STAR_ANY_TAG) {
        return false; /* CCM_STAR_ANY_TAG is a policy, never an operation's algorithm */
    }
    if (policy == PSA_ALG_CCM_STAR_ANY_TAG) {
        return policy_ccm_star_any_tag_permits(alg);
    }
    if (policy == alg) {
        return !PSA_ALG_IS_WILDCARD(alg);
    }
    if (policy_is_hash_wildcard_pair(policy, alg)) {
        return true;
    }
    if (PSA_ALG_IS_MAC(policy) && PSA_ALG_IS_MAC(alg)) {
        return policy_mac_permits(policy, type, alg);
    }
    if (PSA_ALG_IS_AEAD(policy) && PSA_ALG_IS_AEAD(alg)) {
        return policy_aead_permits(policy, alg);
    }
    /* A standalone key agreement policy also permits that agreement combined with any KDF. */
    if (PSA_ALG_IS_RAW_KEY_AGREEMENT(policy) && PSA_ALG_IS_KEY_AGREEMENT(alg) &&
        !PSA_ALG_IS_RAW_KEY_AGREEMENT(alg)) {
        return PSA_ALG_KEY_AGREEMENT_GET_BASE(alg) == policy;
    }
    return false;
}

static bool policy_intersect_mac(psa_algorithm_t a, psa_algorithm_t b, psa_key_type_t type,
                                 psa_algorithm_t *out)
{
    bool a_wild = (a & PSA_ALG_MAC_AT_LEAST_THIS_LENGTH_FLAG) != 0;
    bool b_wild = (b & PSA_ALG_MAC_AT_LEAST_THIS_LENGTH_FLAG) != 0;
    if (PSA_ALG_FULL_LENGTH_MAC(a) != PSA_ALG_FULL_LENGTH_MAC(b)) {
        return false;
    }
    if (a_wild && b_wild) {
        size_t la = CORE_MAC_TRUNCATED_LENGTH(a);
        size_t lb = CORE_MAC_TRUNCATED_LENGTH(b);
        *out = la >= lb ? a : b;
        return true;
    }
    if (a_wild && core_alg_permits(a, type, b)) {
        *out = b;
        return true;
    }
    if (b_wild && core_alg_permits(b, type, a)) {
        *out = a;
        return true;
    }
    if (!a_wild && !b_wild && policy_mac_length(type, a) == policy_mac_length(type, b)) {
        *out = a;
        return true;
    }
    return false;
}

static bool policy_intersect_aead(psa_algorithm_t a, psa_algorithm_t b, psa_algorithm_t *out)
{
    bool a_wild = (a & PSA_ALG_AEAD_AT_LEAST_THIS_LENGTH_FLAG) != 0;
    bool b_wild = (b & PSA_ALG_AEAD_AT_LEAST_THIS_LENGTH_FLAG) != 0;
    if (PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(a) != PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(b)) {
        return false;
    }
    if (a_wild && b_wild) {
        *out = CORE_AEAD_TAG_LENGTH(a) >= CORE_AEAD_TAG_LENGTH(b) ? a : b;
        return true;
    }
    if (a_wild && policy_aead_permits(a, b)) {
        *out = b;
        return true;
    }
    if (b_wild && policy_aead_permits(b, a)) {
        *out = a;
        return true;
    }
    if (!a_wild && !b_wild && CORE_AEAD_TAG_LENGTH(a) == CORE_AEAD_TAG_LENGTH(b)) {
        *out = a;
        return true;
    }
    return false;
}

bool core_alg_intersect(psa_algorithm_t a, psa_algorithm_t b, psa_key_type_t type,
                        psa_algorithm_t *out)
{
    if (a == b) {
        *out = a;
        return true;
    }
    if (a == 0 || b == 0) {
        *out = 0;
        return true; /* a key with no algorithm permits none, so neither does the copy */
    }
    /* CCM_STAR_ANY_TAG with one algorithm it permits is that algorithm. With another policy
     * (e.g. CCM with at least 8 bytes of tag) the intersection ({CCM/8, CCM/16}) has no single
     * encoding, so the copy is refused rather than widened or silently narrowed. */
    if (a == PSA_ALG_CCM_STAR_ANY_TAG || b == PSA_ALG_CCM_STAR_ANY_TAG) {
        psa_algorithm_t other = a == PSA_ALG_CCM_STAR_ANY_TAG ? b : a;
        if (!policy_ccm_star_any_tag_permits(other)) {
            return false;
        }
        *out = other;
        return true;
    }
    if (policy_is_hash_wildcard_pair(a, b)) {
        *out = b;
        return true;
    }
    if (policy_is_hash_wildcard_pair(b, a)) {
        *out = a;
        return true;
    }
    if (PSA_ALG_IS_MAC(a) && PSA_ALG_IS_MAC(b)) {
        return policy_intersect_mac(a, b, type, out);
    }
    if (PSA_ALG_IS_AEAD(a) && PSA_ALG_IS_AEAD(b)) {
        return policy_intersect_aead(a, b, out);
    }
    return false;
}
