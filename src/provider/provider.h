/* The OpenSSL 3 provider `psa`: shared types of its store, key management, signature, encoder. */
#ifndef SS_PROVIDER_H
#define SS_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <psa/crypto.h>

/* One per loaded provider. */
struct psa_prov_ctx {
    const OSSL_CORE_HANDLE *handle;
    /* A private library context with OpenSSL's default provider: hashing, the public halves of
     * keys and their encodings. Private-key operations never happen there. */
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *default_provider; /* loaded into libctx */
    OSSL_FUNC_core_new_error_fn *core_new_error;
    OSSL_FUNC_core_vset_error_fn *core_vset_error;
    OSSL_FUNC_BIO_write_ex_fn *core_bio_write_ex;
};

/* A key held in rssd: its id, attributes and a public-only copy in the private context. */
struct psa_prov_key {
    struct psa_prov_ctx *prov;
    psa_key_id_t id;
    psa_key_type_t type;
    size_t bits;
    psa_algorithm_t alg;
    psa_key_usage_t usage;
    const char *name; /* OpenSSL's key type name: "EC", "RSA", "ED25519", "X25519", ... */
    /* The public key as an EVP_PKEY of the private context (never has the private half). */
    EVP_PKEY *pub;
};

/* What the store passes to the key manager's load(): copied by value through the core. */
struct psa_prov_key_ref {
    uint32_t magic;
    struct psa_prov_ctx *prov;
    psa_key_id_t id;
};
#define PSA_PROV_KEY_REF_MAGIC 0x50534b52u /* "PSKR" */

/* Reasons of the provider's errors on OpenSSL's error queue (the PSA status names them). */
#define PSA_PROV_R_PSA_CALL_FAILED   1
#define PSA_PROV_R_BAD_URI           2
#define PSA_PROV_R_UNSUPPORTED_KEY   3
#define PSA_PROV_R_UNSUPPORTED_ALG   4
#define PSA_PROV_R_OPENSSL_FAILED    5
#define PSA_PROV_R_NOT_A_PRIVATE_KEY 6
#define PSA_PROV_R_BAD_PARAMETER     7

/* Puts reason on the error queue with a formatted detail. */
void psa_prov_error(struct psa_prov_ctx *prov, int reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Puts a failed PSA call on the error queue: "psa_sign_hash: PSA_ERROR_NOT_PERMITTED (...)". */
void psa_prov_psa_error(struct psa_prov_ctx *prov, const char *call, psa_status_t status);

/* Reads the key's attributes and public half from rssd; NULL (error queued) on failure. */
struct psa_prov_key *psa_prov_key_load(struct psa_prov_ctx *prov, psa_key_id_t id);
void psa_prov_key_free(struct psa_prov_key *key);
/* OpenSSL's key type name ("EC", "RSA", "ED25519", ...) of a key in rssd, NULL for one we do not
 * serve. */
const char *psa_prov_key_name(psa_key_type_t type, size_t bits);
/* The PSA hash algorithm for an OpenSSL digest; 0 when PSA has none. */
psa_algorithm_t psa_prov_hash_alg(const EVP_MD *md);

extern const OSSL_DISPATCH psa_prov_store_functions[];
extern const OSSL_DISPATCH psa_prov_ec_keymgmt_functions[];
extern const OSSL_DISPATCH psa_prov_rsa_keymgmt_functions[];
extern const OSSL_DISPATCH psa_prov_ed25519_keymgmt_functions[];
extern const OSSL_DISPATCH psa_prov_ed448_keymgmt_functions[];
extern const OSSL_DISPATCH psa_prov_x25519_keymgmt_functions[];
extern const OSSL_DISPATCH psa_prov_x448_keymgmt_functions[];
extern const OSSL_DISPATCH psa_prov_ecdsa_signature_functions[];
extern const OSSL_DISPATCH psa_prov_rsa_signature_functions[];
extern const OSSL_DISPATCH psa_prov_eddsa_signature_functions[];
extern const OSSL_DISPATCH psa_prov_rsa_asym_cipher_functions[];
extern const OSSL_DISPATCH psa_prov_ecdh_keyexch_functions[];
extern const OSSL_DISPATCH psa_prov_spki_der_encoder_functions[];
extern const OSSL_DISPATCH psa_prov_spki_pem_encoder_functions[];
extern const OSSL_DISPATCH psa_prov_uri_encoder_functions[];

#endif /* SS_PROVIDER_H */
