/* Parsec's core provider (discovery, key listing, client admin) and CanDoCrypto. */
#include "parsec/parsec_ops.h"

#include <stdlib.h>
#include <string.h>

#include "parsec/parsec_psa.h"

#include "can_do_crypto.pb-c.h"
#include "delete_client.pb-c.h"
#include "list_authenticators.pb-c.h"
#include "list_clients.pb-c.h"
#include "list_keys.pb-c.h"
#include "list_opcodes.pb-c.h"
#include "list_providers.pb-c.h"
#include "ping.pb-c.h"

/* From the Parsec fact sheet (1.5): the ids and UUIDs clients know. */
#define PARSEC_CORE_UUID   "47049873-2a43-4845-9d72-831eab668784"
#define PARSEC_TS_UUID     "71129441-508a-4da6-b6e8-7b98a777e4c0"
#define PARSEC_VENDOR      "Secure Services"
#define PARSEC_VERSION_MAJ 0u
#define PARSEC_VERSION_MIN 1u
#define PARSEC_VERSION_REV 0u

static void *core_new(const ProtobufCMessageDescriptor *desc)
{
    void *m = calloc(1, desc->sizeof_message);
    if (m != NULL) {
        protobuf_c_message_init(desc, m);
    }
    return m;
}

static char *core_strdup(const char *s)
{
    return strdup(s);
}

parsec_status_t parsec_core_ping(const parsec_request_t *rq, const ProtobufCMessage *op,
                                 ProtobufCMessage **result)
{
    (void)rq;
    (void)op;
    Ping__Result *r = core_new(&ping__result__descriptor);
    if (r == NULL) {
        return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    r->wire_protocol_version_maj = PARSEC_VERSION_MAJOR;
    r->wire_protocol_version_min = PARSEC_VERSION_MINOR;
    *result = &r->base;
    return PARSEC_SUCCESS;
}

static ListProviders__ProviderInfo *provider_info(const char *uuid, const char *description,
                                                  uint32_t id)
{
    ListProviders__ProviderInfo *p = core_new(&list_providers__provider_info__descriptor);
    if (p == NULL) {
        return NULL;
    }
    p->uuid = core_strdup(uuid);
    p->description = core_strdup(description);
    p->vendor = core_strdup(PARSEC_VENDOR);
    p->version_maj = PARSEC_VERSION_MAJ;
    p->version_min = PARSEC_VERSION_MIN;
    p->version_rev = PARSEC_VERSION_REV;
    p->id = id;
    if (p->uuid == NULL || p->description == NULL || p->vendor == NULL) {
        protobuf_c_message_free_unpacked(&p->base, NULL);
        return NULL;
    }
    return p;
}

parsec_status_t parsec_core_list_providers(const parsec_request_t *rq, const ProtobufCMessage *op,
                                           ProtobufCMessage **result)
{
    (void)rq;
    (void)op;
    ListProviders__Result *r = core_new(&list_providers__result__descriptor);
    if (r == NULL || (r->providers = calloc(2, sizeof(*r->providers))) == NULL) {
        free(r);
        return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    *result = &r->base;
    /* Clients take entry 0 as their crypto provider: Trusted Services first, core last. */
    r->providers[0] = provider_info(PARSEC_TS_UUID,
                                    "Trusted Services provider: PSA Crypto in the secure "
                                    "enclave (rssd), keys named per application",
                                    PARSEC_PROVIDER_TRUSTED_SERVICE);
    r->n_providers = r->providers[0] != NULL ? 1 : 0;
    r->providers[1] = provider_info(PARSEC_CORE_UUID,
                                    "Core provider: discovery and administration, no "
                                    "cryptography",
                                    PARSEC_PROVIDER_CORE);
    r->n_providers += r->providers[1] != NULL ? 1 : 0;
    return r->n_providers == 2 ? PARSEC_SUCCESS : PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
}

parsec_status_t parsec_core_list_opcodes(const parsec_request_t *rq, const ProtobufCMessage *op,
                                         ProtobufCMessage **result)
{
    (void)rq;
    uint32_t provider = ((const ListOpcodes__Operation *)op)->provider_id;
    if (provider > UINT8_MAX) {
        return PARSEC_INVALID_ENCODING;
    }
    if (provider > PARSEC_PROVIDER_ID_MAX) {
        return PARSEC_PROVIDER_DOES_NOT_EXIST;
    }
    if (provider != PARSEC_PROVIDER_CORE && provider != PARSEC_PROVIDER_TRUSTED_SERVICE) {
        return PARSEC_PROVIDER_NOT_REGISTERED;
    }
    ListOpcodes__Result *r = core_new(&list_opcodes__result__descriptor);
    if (r == NULL || (r->opcodes = calloc(parsec_op_table_size, sizeof(uint32_t))) == NULL) {
        free(r);
        return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    for (size_t i = 0; i < parsec_op_table_size; i++) {
        const parsec_op_t *o = &parsec_op_table[i];
        if (o->provider == provider && (o->flags & PARSEC_OP_LISTED)) {
            r->opcodes[r->n_opcodes++] = o->opcode;
        }
    }
    *result = &r->base;
    return PARSEC_SUCCESS;
}

parsec_status_t parsec_core_list_authenticators(const parsec_request_t *rq,
                                                const ProtobufCMessage *op,
                                                ProtobufCMessage **result)
{
    (void)op;
    ListAuthenticators__Result *r = core_new(&list_authenticators__result__descriptor);
    ListAuthenticators__AuthenticatorInfo *a =
        core_new(&list_authenticators__authenticator_info__descriptor);
    if (r == NULL || a == NULL || (r->authenticators = calloc(1, sizeof(void *))) == NULL) {
        free(r);
        free(a);
        return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    r->authenticators[0] = a;
    r->n_authenticators = 1;
    *result = &r->base;
    bool unix_peer = rq->ctx->config->auth_type == PARSEC_AUTH_UNIX_PEER;
    a->description = core_strdup(
        unix_peer ? "Unix peer credentials: the UID in the request must be the one the "
                    "socket reports for the caller (SO_PEERCRED)"
                  : "Direct: the request names its application; for mutually trusted clients "
                    "only");
    a->version_maj = PARSEC_VERSION_MAJ;
    a->version_min = PARSEC_VERSION_MIN;
    a->version_rev = PARSEC_VERSION_REV;
    a->id = rq->ctx->config->auth_type;
    return a->description != NULL ? PARSEC_SUCCESS : PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
}

typedef struct key_list {
    ListKeys__Result *result;
    size_t cap;
} key_list_t;

static parsec_status_t list_key(void *ctx, const char *name, const parsec_kim_key_t *key)
{
    key_list_t *l = ctx;
    ListKeys__Result *r = l->result;
    if (r->n_keys == l->cap) {
        size_t cap = l->cap == 0 ? 8 : l->cap * 2;
        ListKeys__KeyInfo **keys = realloc(r->keys, cap * sizeof(*keys));
        if (keys == NULL) {
            return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        r->keys = keys;
        l->cap = cap;
    }
    ListKeys__KeyInfo *info = core_new(&list_keys__key_info__descriptor);
    if (info == NULL) {
        return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    r->keys[r->n_keys++] = info;
    info->provider_id = PARSEC_PROVIDER_TRUSTED_SERVICE;
    info->name = core_strdup(name);
    if (info->name == NULL) {
        return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    parsec_status_t s =
        parsec_attributes_to_proto(key->type, key->bits, key->usage, key->alg, &info->attributes);
    /* Attributes the name store holds came from a Parsec request: always expressible. */
    return s == PARSEC_SUCCESS ? s : PARSEC_KEY_INFO_MANAGER_ERROR;
}

parsec_status_t parsec_core_list_keys(const parsec_request_t *rq, const ProtobufCMessage *op,
                                      ProtobufCMessage **result)
{
    (void)op;
    key_list_t l = {.result = core_new(&list_keys__result__descriptor)};
    if (l.result == NULL) {
        return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    *result = &l.result->base;
    return parsec_kim_list_keys(rq->ctx->kim, rq->auth, rq->app, list_key, &l);
}

typedef struct name_list {
    char **names;
    size_t count;
    size_t cap;
} name_list_t;

static parsec_status_t list_name(void *ctx, const char *name)
{
    name_list_t *l = ctx;
    if (l->count == l->cap) {
        size_t cap = l->cap == 0 ? 8 : l->cap * 2;
        char **names = realloc(l->names, cap * sizeof(*names));
        if (names == NULL) {
            return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        l->names = names;
        l->cap = cap;
    }
    if ((l->names[l->count] = core_strdup(name)) == NULL) {
        return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    l->count++;
    return PARSEC_SUCCESS;
}

static parsec_status_t list_key_name(void *ctx, const char *name, const parsec_kim_key_t *key)
{
    (void)key;
    return list_name(ctx, name);
}

static void name_list_free(name_list_t *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->names[i]);
    }
    free(l->names);
}

parsec_status_t parsec_core_list_clients(const parsec_request_t *rq, const ProtobufCMessage *op,
                                         ProtobufCMessage **result)
{
    (void)op;
    ListClients__Result *r = core_new(&list_clients__result__descriptor);
    name_list_t l = {0};
    if (r == NULL) {
        return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    *result = &r->base;
    parsec_status_t s = parsec_kim_list_apps(rq->ctx->kim, rq->auth, list_name, &l);
    r->clients = l.names;
    r->n_clients = l.count;
    return s;
}

parsec_status_t parsec_core_delete_client(const parsec_request_t *rq, const ProtobufCMessage *op,
                                          ProtobufCMessage **result)
{
    const char *client = ((const DeleteClient__Operation *)op)->client;
    name_list_t l = {0};
    *result = NULL;
    /* Names first, then each key through the two-phase destroy (the list call holds the
     * store's lock while it runs). */
    parsec_status_t s = parsec_kim_list_keys(rq->ctx->kim, rq->auth, client, list_key_name, &l);
    for (size_t i = 0; s == PARSEC_SUCCESS && i < l.count; i++) {
        s = parsec_destroy_named_key(rq, client, l.names[i]);
        if (s == PARSEC_PSA_ERROR_DOES_NOT_EXIST) {
            s = PARSEC_SUCCESS; /* destroyed meanwhile by the client itself */
        }
    }
    name_list_free(&l);
    return s;
}

/* ---- CanDoCrypto -------------------------------------------------------------------------- */

/* Whether the enclave's core builds keys of this type and size (bits 0: "any size"). */
static bool cdc_size_ok(psa_key_type_t type, size_t bits)
{
    static const struct {
        psa_ecc_family_t family;
        uint16_t bits;
    } curves[] = {
        {PSA_ECC_FAMILY_SECP_R1, 192},        {PSA_ECC_FAMILY_SECP_R1, 224},
        {PSA_ECC_FAMILY_SECP_R1, 256},        {PSA_ECC_FAMILY_SECP_R1, 384},
        {PSA_ECC_FAMILY_SECP_R1, 521},        {PSA_ECC_FAMILY_SECP_K1, 192},
        {PSA_ECC_FAMILY_SECP_K1, 256},        {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 160},
        {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 192}, {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 224},
        {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 256}, {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 320},
        {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 384}, {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 512},
        {PSA_ECC_FAMILY_MONTGOMERY, 255},     {PSA_ECC_FAMILY_MONTGOMERY, 448},
    };
    if (PSA_KEY_TYPE_IS_ECC(type)) {
        psa_ecc_family_t family = PSA_KEY_TYPE_ECC_GET_FAMILY(type);
        for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
            if (curves[i].family == family && (bits == 0 || curves[i].bits == bits)) {
                return true;
            }
        }
        return false;
    }
    if (PSA_KEY_TYPE_IS_RSA(type)) {
        return bits == 0 || (bits % 8 == 0 && bits >= 1024 && bits <= PSA_VENDOR_RSA_MAX_KEY_BITS);
    }
    if (PSA_KEY_TYPE_IS_DH(type)) {
        return bits == 0 || bits == 2048 || bits == 3072 || bits == 4096 || bits == 6144 ||
               bits == 8192;
    }
    switch (type) {
    case PSA_KEY_TYPE_AES:
    case PSA_KEY_TYPE_CAMELLIA:
        return bits == 0 || bits == 128 || bits == 192 || bits == 256;
    case PSA_KEY_TYPE_CHACHA20:
        return bits == 0 || bits == 256;
    case PSA_KEY_TYPE_DES:
        return bits == 0 || bits == 64 || bits == 128 || bits == 192;
    case PSA_KEY_TYPE_HMAC:
    case PSA_KEY_TYPE_DERIVE:
    case PSA_KEY_TYPE_RAW_DATA:
        return bits % 8 == 0 && bits <= 8u * 1024u;
    default:
        return false; /* ARC4 */
    }
}

static bool cdc_block_cipher(psa_key_type_t type)
{
    return type == PSA_KEY_TYPE_AES || type == PSA_KEY_TYPE_CAMELLIA || type == PSA_KEY_TYPE_DES;
}

/* Whether the key's policy algorithm can be used with a key of its type. */
static bool cdc_alg_ok(psa_key_type_t type, psa_algorithm_t alg)
{
    if (PSA_ALG_IS_RSA_PKCS1V15_SIGN(alg) || PSA_ALG_IS_RSA_PSS(alg) ||
        PSA_ALG_IS_ASYMMETRIC_ENCRYPTION(alg)) {
        return PSA_KEY_TYPE_IS_RSA(type);
    }
    if (PSA_ALG_IS_ECDSA(alg)) {
        return PSA_KEY_TYPE_IS_ECC(type) &&
               PSA_KEY_TYPE_ECC_GET_FAMILY(type) != PSA_ECC_FAMILY_MONTGOMERY;
    }
    if (PSA_ALG_IS_KEY_AGREEMENT(alg)) {
        psa_algorithm_t base = PSA_ALG_KEY_AGREEMENT_GET_BASE(alg);
        return base == PSA_ALG_ECDH ? PSA_KEY_TYPE_IS_ECC_KEY_PAIR(type)
                                    : PSA_KEY_TYPE_IS_DH_KEY_PAIR(type);
    }
    if (PSA_ALG_IS_HMAC(alg)) {
        return type == PSA_KEY_TYPE_HMAC;
    }
    if (PSA_ALG_IS_MAC(alg) || PSA_ALG_IS_BLOCK_CIPHER_MAC(alg)) {
        return type == PSA_KEY_TYPE_AES || type == PSA_KEY_TYPE_CAMELLIA;
    }
    if (PSA_ALG_IS_AEAD(alg)) {
        psa_algorithm_t base = PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(alg);
        return base == PSA_ALG_CHACHA20_POLY1305 ? type == PSA_KEY_TYPE_CHACHA20
                                                 : type == PSA_KEY_TYPE_AES;
    }
    if (alg == PSA_ALG_STREAM_CIPHER) {
        return type == PSA_KEY_TYPE_CHACHA20;
    }
    if (PSA_ALG_IS_CIPHER(alg)) {
        return cdc_block_cipher(type);
    }
    if (PSA_ALG_IS_KEY_DERIVATION(alg)) {
        return type == PSA_KEY_TYPE_DERIVE || type == PSA_KEY_TYPE_RAW_DATA;
    }
    return false;
}

parsec_status_t parsec_ts_can_do_crypto(const parsec_request_t *rq, const ProtobufCMessage *op,
                                        ProtobufCMessage **result)
{
    const CanDoCrypto__Operation *o = (const CanDoCrypto__Operation *)op;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    bool deprecated = false;
    *result = NULL;
    parsec_status_t s = parsec_attributes_from_proto(o->attributes, &a, &deprecated);
    if (s != PARSEC_SUCCESS) {
        return s;
    }
    if (deprecated && !rq->ctx->config->allow_deprecated) {
        return PARSEC_DEPRECATED_PRIMITIVE;
    }
    psa_key_type_t type = psa_get_key_type(&a);
    size_t bits = psa_get_key_bits(&a);
    psa_algorithm_t alg = psa_get_key_algorithm(&a);
    bool ok;
    switch (o->check_type) {
    case CAN_DO_CRYPTO__CHECK_TYPE__USE:
        ok = cdc_size_ok(type, bits) && cdc_alg_ok(type, alg);
        break;
    case CAN_DO_CRYPTO__CHECK_TYPE__GENERATE:
        ok = bits != 0 && !PSA_KEY_TYPE_IS_PUBLIC_KEY(type) && cdc_size_ok(type, bits) &&
             (alg == PSA_ALG_NONE || cdc_alg_ok(type, alg));
        break;
    case CAN_DO_CRYPTO__CHECK_TYPE__IMPORT:
        ok = cdc_size_ok(type, bits) && (alg == PSA_ALG_NONE || cdc_alg_ok(type, alg));
        break;
    case CAN_DO_CRYPTO__CHECK_TYPE__DERIVE:
        /* Output of a key derivation: the unstructured types PSA derives. */
        ok = bits != 0 && (PSA_KEY_TYPE_IS_UNSTRUCTURED(type) || type == PSA_KEY_TYPE_DERIVE) &&
             cdc_size_ok(type, bits) && (alg == PSA_ALG_NONE || cdc_alg_ok(type, alg));
        break;
    default:
        return PARSEC_INVALID_ENCODING;
    }
    return ok ? PARSEC_SUCCESS : PARSEC_PSA_ERROR_NOT_SUPPORTED;
}

parsec_status_t parsec_ts_not_supported(const parsec_request_t *rq, const ProtobufCMessage *op,
                                        ProtobufCMessage **result)
{
    (void)rq;
    (void)op;
    *result = NULL;
    return PARSEC_PSA_ERROR_NOT_SUPPORTED;
}
