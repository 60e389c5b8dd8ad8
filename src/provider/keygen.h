/* Key generation in rssd (openssl genpkey): the PSA attributes come as parameters. */
#ifndef SS_PROVIDER_KEYGEN_H
#define SS_PROVIDER_KEYGEN_H

#include "provider.h"

/* The parameters of the PSA attributes (-pkeyopt psa-id:0x10 and so on). */
#define PSA_PROV_PARAM_ID          "psa-id"          /* key id, decimal or 0x hex */
#define PSA_PROV_PARAM_USAGE       "psa-usage"       /* "sign-hash,verify-hash" */
#define PSA_PROV_PARAM_ALG         "psa-alg"         /* "ecdsa:any-hash" */
#define PSA_PROV_PARAM_PERSISTENCE "psa-persistence" /* "persistent" (default) or "volatile" */

/* What one key manager generates and its defaults. */
struct psa_prov_gen_spec {
    psa_key_type_t pair_type;
    psa_ecc_family_t family; /* 0 for RSA */
    size_t default_bits;
    psa_key_usage_t default_usage;
    psa_algorithm_t default_alg;
};

void *psa_prov_gen_init(struct psa_prov_ctx *prov, const struct psa_prov_gen_spec *spec,
                        int selection, const OSSL_PARAM params[]);
int psa_prov_gen_set_params(void *genctx, const OSSL_PARAM params[]);
const OSSL_PARAM *psa_prov_gen_settable_params(void *genctx, void *provctx);
void *psa_prov_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg);
void psa_prov_gen_cleanup(void *genctx);

#endif /* SS_PROVIDER_KEYGEN_H */
