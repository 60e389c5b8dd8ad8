/* The Parsec operation table and the generic executor of its crypto rows. */
#include "parsec/parsec_ops.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "comms/crypto_calls.h"
#include "parsec/parsec_psa.h"

#include "attest_key.pb-c.h"
#include "can_do_crypto.pb-c.h"
#include "delete_client.pb-c.h"
#include "list_authenticators.pb-c.h"
#include "list_clients.pb-c.h"
#include "list_keys.pb-c.h"
#include "list_opcodes.pb-c.h"
#include "list_providers.pb-c.h"
#include "ping.pb-c.h"
#include "prepare_key_attestation.pb-c.h"
#include "psa_aead_decrypt.pb-c.h"
#include "psa_aead_encrypt.pb-c.h"
#include "psa_asymmetric_decrypt.pb-c.h"
#include "psa_asymmetric_encrypt.pb-c.h"
#include "psa_cipher_decrypt.pb-c.h"
#include "psa_cipher_encrypt.pb-c.h"
#include "psa_destroy_key.pb-c.h"
#include "psa_export_key.pb-c.h"
#include "psa_export_public_key.pb-c.h"
#include "psa_generate_key.pb-c.h"
#include "psa_generate_random.pb-c.h"
#include "psa_hash_compare.pb-c.h"
#include "psa_hash_compute.pb-c.h"
#include "psa_import_key.pb-c.h"
#include "psa_mac_compute.pb-c.h"
#include "psa_mac_verify.pb-c.h"
#include "psa_raw_key_agreement.pb-c.h"
#include "psa_sign_hash.pb-c.h"
#include "psa_sign_message.pb-c.h"
#include "psa_verify_hash.pb-c.h"
#include "psa_verify_message.pb-c.h"

/* ---- the PSA calls: one line per call-schema row ------------------------------------------ */

static psa_status_t call_generate_key(parsec_call_t *c)
{
    return psa_generate_key(&c->attributes, &c->key_out);
}
static psa_status_t call_import_key(parsec_call_t *c)
{
    return psa_import_key(&c->attributes, c->in[0].data, c->in[0].length, &c->key_out);
}
static psa_status_t call_destroy_key(parsec_call_t *c)
{
    return psa_destroy_key(c->key);
}
static psa_status_t call_export_key(parsec_call_t *c)
{
    return psa_export_key(c->key, c->out.data, c->out.size, &c->out.length);
}
static psa_status_t call_export_public_key(parsec_call_t *c)
{
    return psa_export_public_key(c->key, c->out.data, c->out.size, &c->out.length);
}
static psa_status_t call_sign_hash(parsec_call_t *c)
{
    return psa_sign_hash(c->key, c->alg, c->in[0].data, c->in[0].length, c->out.data, c->out.size,
                         &c->out.length);
}
static psa_status_t call_verify_hash(parsec_call_t *c)
{
    return psa_verify_hash(c->key, c->alg, c->in[0].data, c->in[0].length, c->in[1].data,
                           c->in[1].length);
}
static psa_status_t call_sign_message(parsec_call_t *c)
{
    return psa_sign_message(c->key, c->alg, c->in[0].data, c->in[0].length, c->out.data,
                            c->out.size, &c->out.length);
}
static psa_status_t call_verify_message(parsec_call_t *c)
{
    return psa_verify_message(c->key, c->alg, c->in[0].data, c->in[0].length, c->in[1].data,
                              c->in[1].length);
}
static psa_status_t call_asymmetric_encrypt(parsec_call_t *c)
{
    return psa_asymmetric_encrypt(c->key, c->alg, c->in[0].data, c->in[0].length, c->in[1].data,
                                  c->in[1].length, c->out.data, c->out.size, &c->out.length);
}
static psa_status_t call_asymmetric_decrypt(parsec_call_t *c)
{
    return psa_asymmetric_decrypt(c->key, c->alg, c->in[0].data, c->in[0].length, c->in[1].data,
                                  c->in[1].length, c->out.data, c->out.size, &c->out.length);
}
static psa_status_t call_generate_random(parsec_call_t *c)
{
    c->out.length = c->out.size;
    return psa_generate_random(c->out.data, c->out.size);
}
static psa_status_t call_hash_compute(parsec_call_t *c)
{
    return psa_hash_compute(c->alg, c->in[0].data, c->in[0].length, c->out.data, c->out.size,
                            &c->out.length);
}
static psa_status_t call_hash_compare(parsec_call_t *c)
{
    return psa_hash_compare(c->alg, c->in[0].data, c->in[0].length, c->in[1].data, c->in[1].length);
}
static psa_status_t call_mac_compute(parsec_call_t *c)
{
    return psa_mac_compute(c->key, c->alg, c->in[0].data, c->in[0].length, c->out.data, c->out.size,
                           &c->out.length);
}
static psa_status_t call_mac_verify(parsec_call_t *c)
{
    return psa_mac_verify(c->key, c->alg, c->in[0].data, c->in[0].length, c->in[1].data,
                          c->in[1].length);
}
static psa_status_t call_cipher_encrypt(parsec_call_t *c)
{
    return psa_cipher_encrypt(c->key, c->alg, c->in[0].data, c->in[0].length, c->out.data,
                              c->out.size, &c->out.length);
}
static psa_status_t call_cipher_decrypt(parsec_call_t *c)
{
    return psa_cipher_decrypt(c->key, c->alg, c->in[0].data, c->in[0].length, c->out.data,
                              c->out.size, &c->out.length);
}
static psa_status_t call_aead_encrypt(parsec_call_t *c)
{
    return psa_aead_encrypt(c->key, c->alg, c->in[0].data, c->in[0].length, c->in[1].data,
                            c->in[1].length, c->in[2].data, c->in[2].length, c->out.data,
                            c->out.size, &c->out.length);
}
static psa_status_t call_aead_decrypt(parsec_call_t *c)
{
    return psa_aead_decrypt(c->key, c->alg, c->in[0].data, c->in[0].length, c->in[1].data,
                            c->in[1].length, c->in[2].data, c->in[2].length, c->out.data,
                            c->out.size, &c->out.length);
}
static psa_status_t call_raw_key_agreement(parsec_call_t *c)
{
    return psa_raw_key_agreement(c->alg, c->key, c->in[0].data, c->in[0].length, c->out.data,
                                 c->out.size, &c->out.length);
}

/* ---- the table ------------------------------------------------------------------------------ */

#define P(role, field)                                                                             \
    {                                                                                              \
        PARSEC_ROLE_##role, field, 0                                                               \
    }
#define CORE     PARSEC_PROVIDER_CORE
#define TS       PARSEC_PROVIDER_TRUSTED_SERVICE
#define A        PARSEC_OP_AUTH
#define L        PARSEC_OP_LISTED
#define U        PARSEC_OP_UPSTREAM_TS
#define MSG(pkg) &pkg##__operation__descriptor, &pkg##__result__descriptor

/* One row per operation reads better than one field per line. */
/* clang-format off */
const parsec_op_t parsec_op_table[] = {
    /* Core provider. */
    {PARSEC_OP_PING, "Ping", CORE, L, MSG(ping), .run = parsec_core_ping},
    {PARSEC_OP_LIST_PROVIDERS, "ListProviders", CORE, L, MSG(list_providers),
     .run = parsec_core_list_providers},
    {PARSEC_OP_LIST_OPCODES, "ListOpcodes", CORE, L, MSG(list_opcodes),
     .run = parsec_core_list_opcodes},
    {PARSEC_OP_LIST_AUTHENTICATORS, "ListAuthenticators", CORE, L, MSG(list_authenticators),
     .run = parsec_core_list_authenticators},
    {PARSEC_OP_LIST_KEYS, "ListKeys", CORE, A | L, MSG(list_keys),
     .run = parsec_core_list_keys},
    {PARSEC_OP_LIST_CLIENTS, "ListClients", CORE, A | PARSEC_OP_ADMIN | L, MSG(list_clients),
     .run = parsec_core_list_clients},
    {PARSEC_OP_DELETE_CLIENT, "DeleteClient", CORE, A | PARSEC_OP_ADMIN | L, MSG(delete_client),
     .run = parsec_core_delete_client},

    /* Trusted Services provider: what Parsec's own TS provider offers ... */
    {PARSEC_OP_PSA_GENERATE_KEY, "PsaGenerateKey", TS, A | L | U, MSG(psa_generate_key), NULL,
     CRYPTO_FID_GENERATE_KEY, 2, {P(KEY_OUT, 1), P(ATTRS, 2)}, PARSEC_OUT_NONE,
     call_generate_key},
    {PARSEC_OP_PSA_IMPORT_KEY, "PsaImportKey", TS, A | L | U, MSG(psa_import_key), NULL,
     CRYPTO_FID_IMPORT_KEY, 3, {P(KEY_OUT, 1), P(ATTRS, 2), P(IN, 3)}, PARSEC_OUT_NONE,
     call_import_key},
    {PARSEC_OP_PSA_DESTROY_KEY, "PsaDestroyKey", TS, A | L | U | PARSEC_OP_DESTROYS,
     MSG(psa_destroy_key), NULL, CRYPTO_FID_DESTROY_KEY, 1, {P(KEY, 1)}, PARSEC_OUT_NONE,
     call_destroy_key},
    {PARSEC_OP_PSA_EXPORT_KEY, "PsaExportKey", TS, A | L | U, MSG(psa_export_key), NULL,
     CRYPTO_FID_EXPORT_KEY, 2, {P(KEY, 1), P(OUT, 1)}, PARSEC_OUT_EXPORT, call_export_key},
    {PARSEC_OP_PSA_EXPORT_PUBLIC_KEY, "PsaExportPublicKey", TS, A | L | U,
     MSG(psa_export_public_key), NULL, CRYPTO_FID_EXPORT_PUBLIC_KEY, 2, {P(KEY, 1), P(OUT, 1)},
     PARSEC_OUT_EXPORT_PUBLIC, call_export_public_key},
    {PARSEC_OP_PSA_SIGN_HASH, "PsaSignHash", TS, A | L | U, MSG(psa_sign_hash), NULL,
     CRYPTO_FID_SIGN_HASH, 4, {P(KEY, 1), P(ALG, 2), P(IN, 3), P(OUT, 1)},
     PARSEC_OUT_SIGNATURE, call_sign_hash},
    {PARSEC_OP_PSA_VERIFY_HASH, "PsaVerifyHash", TS, A | L | U, MSG(psa_verify_hash), NULL,
     CRYPTO_FID_VERIFY_HASH, 4, {P(KEY, 1), P(ALG, 2), P(IN, 3), P(IN, 4)}, PARSEC_OUT_NONE,
     call_verify_hash},
    {PARSEC_OP_PSA_ASYMMETRIC_ENCRYPT, "PsaAsymmetricEncrypt", TS, A | L | U,
     MSG(psa_asymmetric_encrypt), NULL, CRYPTO_FID_ASYMMETRIC_ENCRYPT, 5,
     {P(KEY, 1), P(ALG, 2), P(IN, 3), P(IN, 4), P(OUT, 1)}, PARSEC_OUT_ASYM_ENCRYPT,
     call_asymmetric_encrypt},
    {PARSEC_OP_PSA_ASYMMETRIC_DECRYPT, "PsaAsymmetricDecrypt", TS, A | L | U,
     MSG(psa_asymmetric_decrypt), NULL, CRYPTO_FID_ASYMMETRIC_DECRYPT, 5,
     {P(KEY, 1), P(ALG, 2), P(IN, 3), P(IN, 4), P(OUT, 1)}, PARSEC_OUT_ASYM_DECRYPT,
     call_asymmetric_decrypt},
    {PARSEC_OP_PSA_GENERATE_RANDOM, "PsaGenerateRandom", TS, A | L | U,
     MSG(psa_generate_random), NULL, CRYPTO_FID_GENERATE_RANDOM, 1,
     {{PARSEC_ROLE_OUT_FILL, 1, 1}}, PARSEC_OUT_NONE, call_generate_random},
    {PARSEC_OP_CAN_DO_CRYPTO, "CanDoCrypto", TS, A | L | U, MSG(can_do_crypto),
     .run = parsec_ts_can_do_crypto},
    /* ... and beyond it, with what our services have. */
    {PARSEC_OP_PSA_SIGN_MESSAGE, "PsaSignMessage", TS, A | L, MSG(psa_sign_message), NULL,
     CRYPTO_FID_SIGN_MESSAGE, 4, {P(KEY, 1), P(ALG, 2), P(IN, 3), P(OUT, 1)},
     PARSEC_OUT_SIGNATURE, call_sign_message},
    {PARSEC_OP_PSA_VERIFY_MESSAGE, "PsaVerifyMessage", TS, A | L, MSG(psa_verify_message), NULL,
     CRYPTO_FID_VERIFY_MESSAGE, 4, {P(KEY, 1), P(ALG, 2), P(IN, 3), P(IN, 4)}, PARSEC_OUT_NONE,
     call_verify_message},
    {PARSEC_OP_PSA_HASH_COMPUTE, "PsaHashCompute", TS, A | L, MSG(psa_hash_compute), NULL,
     CRYPTO_FID_HASH_COMPUTE, 3, {P(ALG, 1), P(IN, 2), P(OUT, 1)}, PARSEC_OUT_HASH,
     call_hash_compute},
    {PARSEC_OP_PSA_HASH_COMPARE, "PsaHashCompare", TS, A | L, MSG(psa_hash_compare), NULL,
     CRYPTO_FID_HASH_COMPARE, 3, {P(ALG, 1), P(IN, 2), P(IN, 3)}, PARSEC_OUT_NONE,
     call_hash_compare},
    /* MAC: not in parsec-interface's Opcode enum, so never advertised (a client would reject
     * the whole ListOpcodes answer); served for clients that send it. */
    {PARSEC_OP_PSA_MAC_COMPUTE, "PsaMacCompute", TS, A, MSG(psa_mac_compute), NULL,
     CRYPTO_FID_MAC_COMPUTE, 4, {P(KEY, 1), P(ALG, 2), P(IN, 3), P(OUT, 1)}, PARSEC_OUT_MAC,
     call_mac_compute},
    {PARSEC_OP_PSA_MAC_VERIFY, "PsaMacVerify", TS, A, MSG(psa_mac_verify), NULL,
     CRYPTO_FID_MAC_VERIFY, 4, {P(KEY, 1), P(ALG, 2), P(IN, 3), P(IN, 4)}, PARSEC_OUT_NONE,
     call_mac_verify},
    {PARSEC_OP_PSA_CIPHER_ENCRYPT, "PsaCipherEncrypt", TS, A | L, MSG(psa_cipher_encrypt), NULL,
     CRYPTO_FID_CIPHER_ENCRYPT, 4, {P(KEY, 1), P(ALG, 2), P(IN, 3), P(OUT, 1)},
     PARSEC_OUT_CIPHER_ENCRYPT, call_cipher_encrypt},
    {PARSEC_OP_PSA_CIPHER_DECRYPT, "PsaCipherDecrypt", TS, A | L, MSG(psa_cipher_decrypt), NULL,
     CRYPTO_FID_CIPHER_DECRYPT, 4, {P(KEY, 1), P(ALG, 2), P(IN, 3), P(OUT, 1)},
     PARSEC_OUT_INPUT_LENGTH, call_cipher_decrypt},
    {PARSEC_OP_PSA_AEAD_ENCRYPT, "PsaAeadEncrypt", TS, A | L, MSG(psa_aead_encrypt), NULL,
     CRYPTO_FID_AEAD_ENCRYPT, 6,
     {P(KEY, 1), P(ALG, 2), P(IN, 3), P(IN, 4), P(IN, 5), P(OUT, 1)},
     PARSEC_OUT_AEAD_ENCRYPT, call_aead_encrypt},
    {PARSEC_OP_PSA_AEAD_DECRYPT, "PsaAeadDecrypt", TS, A | L, MSG(psa_aead_decrypt), NULL,
     CRYPTO_FID_AEAD_DECRYPT, 6,
     {P(KEY, 1), P(ALG, 2), P(IN, 3), P(IN, 4), P(IN, 5), P(OUT, 1)},
     PARSEC_OUT_INPUT_LENGTH, call_aead_decrypt},
    {PARSEC_OP_PSA_RAW_KEY_AGREEMENT, "PsaRawKeyAgreement", TS, A | L,
     MSG(psa_raw_key_agreement), NULL, CRYPTO_FID_RAW_KEY_AGREEMENT, 4,
     {P(ALG, 1), P(KEY, 2), P(IN, 3), P(OUT, 1)}, PARSEC_OUT_AGREEMENT, call_raw_key_agreement},
    /* Attestation (experimental in Parsec, not offered by its TS provider): decoded, then
     * PsaErrorNotSupported, as a Parsec provider without it answers. */
    {PARSEC_OP_ATTEST_KEY, "AttestKey", TS, A, MSG(attest_key), .run = parsec_ts_not_supported},
    {PARSEC_OP_PREPARE_KEY_ATTESTATION, "PrepareKeyAttestation", TS, A,
     MSG(prepare_key_attestation), .run = parsec_ts_not_supported},
};
/* clang-format on */
const size_t parsec_op_table_size = sizeof(parsec_op_table) / sizeof(parsec_op_table[0]);

const parsec_op_t *parsec_op_find(uint32_t opcode)
{
    for (size_t i = 0; i < parsec_op_table_size; i++) {
        if (parsec_op_table[i].opcode == opcode) {
            return &parsec_op_table[i];
        }
    }
    return NULL;
}

/* ---- the executor ----------------------------------------------------------------------- */

static const ProtobufCFieldDescriptor *op_field(const ProtobufCMessageDescriptor *desc,
                                                unsigned number)
{
    return protobuf_c_message_descriptor_get_field(desc, number);
}

static const void *field_ptr(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    return (const uint8_t *)msg + f->offset;
}

static size_t out_size(const parsec_op_t *op, const parsec_call_t *c, const parsec_kim_key_t *k)
{
    size_t last_in = c->in_count > 0 ? c->in[c->in_count - 1].length : 0;
    switch (op->out_rule) {
    case PARSEC_OUT_SIGNATURE:
        return PSA_SIGN_OUTPUT_SIZE(k->type, k->bits, c->alg);
    case PARSEC_OUT_ASYM_ENCRYPT:
        return PSA_ASYMMETRIC_ENCRYPT_OUTPUT_SIZE(k->type, k->bits, c->alg);
    case PARSEC_OUT_ASYM_DECRYPT:
        return PSA_ASYMMETRIC_DECRYPT_OUTPUT_SIZE(k->type, k->bits, c->alg);
    case PARSEC_OUT_HASH:
        return PSA_HASH_MAX_SIZE;
    case PARSEC_OUT_MAC:
        return PSA_MAC_MAX_SIZE;
    case PARSEC_OUT_CIPHER_ENCRYPT:
        return last_in > SIZE_MAX / 2 ? SIZE_MAX : PSA_CIPHER_ENCRYPT_OUTPUT_MAX_SIZE(last_in);
    case PARSEC_OUT_AEAD_ENCRYPT:
        return last_in > SIZE_MAX / 2 ? SIZE_MAX : PSA_AEAD_ENCRYPT_OUTPUT_MAX_SIZE(last_in);
    case PARSEC_OUT_INPUT_LENGTH:
        return last_in;
    case PARSEC_OUT_EXPORT:
        return PSA_EXPORT_KEY_OUTPUT_SIZE(k->type, k->bits);
    case PARSEC_OUT_EXPORT_PUBLIC:
        return PSA_EXPORT_PUBLIC_KEY_OUTPUT_SIZE(k->type, k->bits);
    case PARSEC_OUT_AGREEMENT:
        return PSA_RAW_KEY_AGREEMENT_OUTPUT_SIZE(k->type, k->bits);
    default:
        return 0;
    }
}

static parsec_status_t key_facts(const psa_key_attributes_t *a, psa_key_id_t id,
                                 parsec_kim_key_t *k)
{
    k->id = id;
    k->type = psa_get_key_type(a);
    k->bits = psa_get_key_bits(a);
    k->usage = psa_get_key_usage_flags(a);
    k->alg = psa_get_key_algorithm(a);
    return PARSEC_SUCCESS;
}

/* Create flow: reserve (name, id), create the key with that id, publish the name. An id some
 * other program took in parsecd's partition is skipped (bounded). */
static parsec_status_t execute_create(const parsec_request_t *rq, const parsec_op_t *op,
                                      parsec_call_t *c, const char *name)
{
    parsec_kim_t *kim = rq->ctx->kim;
    parsec_kim_key_t requested, actual;
    key_facts(&c->attributes, 0, &requested);
    psa_set_key_lifetime(&c->attributes, PSA_KEY_LIFETIME_PERSISTENT);
    for (int attempt = 0; attempt < 8; attempt++) {
        psa_key_id_t id = 0;
        parsec_status_t s = parsec_kim_begin_create(kim, rq->auth, rq->app, name, &requested, &id);
        if (s != PARSEC_SUCCESS) {
            return s;
        }
        psa_set_key_id(&c->attributes, id);
        psa_status_t ps = op->call(c);
        if (ps == PSA_SUCCESS) {
            psa_key_attributes_t got = PSA_KEY_ATTRIBUTES_INIT;
            /* Keep what the key store made of the request (bits of an import, say). */
            ps = psa_get_key_attributes(id, &got);
            if (ps == PSA_SUCCESS) {
                key_facts(&got, id, &actual);
                psa_reset_key_attributes(&got);
                s = parsec_kim_commit_create(kim, &actual);
                if (s == PARSEC_SUCCESS) {
                    return PARSEC_SUCCESS;
                }
            }
            /* The name could not be published: take the key back so none is left unnamed. */
            if (psa_destroy_key(id) == PSA_SUCCESS) {
                parsec_kim_abort_create(kim, id);
            }
            return ps != PSA_SUCCESS ? parsec_status_from_psa(ps) : s;
        }
        parsec_kim_abort_create(kim, id);
        if (ps != PSA_ERROR_ALREADY_EXISTS) {
            return parsec_status_from_psa(ps);
        }
    }
    return PARSEC_PSA_ERROR_INSUFFICIENT_STORAGE;
}

parsec_status_t parsec_destroy_named_key(const parsec_request_t *rq, const char *app,
                                         const char *name)
{
    parsec_kim_t *kim = rq->ctx->kim;
    psa_key_id_t id = 0;
    parsec_status_t s = parsec_kim_begin_destroy(kim, rq->auth, app, name, &id);
    if (s != PARSEC_SUCCESS) {
        return s;
    }
    psa_status_t ps = psa_destroy_key(id);
    /* A key already gone (a destroy whose reply was lost) ends the same way. */
    if (ps != PSA_SUCCESS && ps != PSA_ERROR_INVALID_HANDLE && ps != PSA_ERROR_DOES_NOT_EXIST) {
        /* The row stays DESTROYING: the name is gone for every use, and the destroy is
         * finished by a retry after a restart or by the next start-up. */
        return parsec_status_from_psa(ps);
    }
    return parsec_kim_finish_destroy(kim, id);
}

parsec_status_t parsec_op_execute(const parsec_request_t *rq, const parsec_op_t *op,
                                  const ProtobufCMessage *operation, ProtobufCMessage **result)
{
    parsec_call_t c = {.attributes = PSA_KEY_ATTRIBUTES_INIT};
    parsec_kim_key_t key = {0};
    const char *key_name = NULL, *new_name = NULL;
    const ProtobufCFieldDescriptor *out_field = NULL;
    uint64_t fill = 0;
    bool deprecated = false;
    parsec_status_t s = PARSEC_SUCCESS;
    *result = NULL;

    for (size_t i = 0; i < op->param_count && s == PARSEC_SUCCESS; i++) {
        const parsec_param_t *p = &op->params[i];
        bool output = p->role == PARSEC_ROLE_OUT || p->role == PARSEC_ROLE_OUT_FILL;
        const ProtobufCFieldDescriptor *f = op_field(output ? op->result : op->operation, p->field);
        const void *v = output ? NULL : field_ptr(operation, f);
        switch (p->role) {
        case PARSEC_ROLE_KEY:
            key_name = *(char *const *)v;
            if (op->flags & PARSEC_OP_DESTROYS) {
                break; /* resolved by the destroy flow */
            }
            s = parsec_kim_lookup(rq->ctx->kim, rq->auth, rq->app, key_name, &key);
            c.key = key.id;
            break;
        case PARSEC_ROLE_KEY_OUT:
            new_name = *(char *const *)v;
            break;
        case PARSEC_ROLE_ALG:
            s = parsec_alg_from_field(f->descriptor, v, &c.alg, &deprecated);
            break;
        case PARSEC_ROLE_ATTRS:
            s = parsec_attributes_from_proto(*(PsaKeyAttributes__KeyAttributes *const *)v,
                                             &c.attributes, &deprecated);
            break;
        case PARSEC_ROLE_IN: {
            const ProtobufCBinaryData *b = v;
            c.in[c.in_count].data = b->len > 0 ? b->data : NULL;
            c.in[c.in_count].length = b->len;
            c.in_count++;
            break;
        }
        case PARSEC_ROLE_OUT:
            out_field = f;
            break;
        case PARSEC_ROLE_OUT_FILL:
            out_field = f;
            fill = *(const uint64_t *)field_ptr(operation, op_field(op->operation, p->size_field));
            break;
        default:
            s = PARSEC_PSA_ERROR_GENERIC_ERROR;
        }
    }
    if (s == PARSEC_SUCCESS && deprecated && !rq->ctx->config->allow_deprecated) {
        s = PARSEC_DEPRECATED_PRIMITIVE;
    }
    if (s == PARSEC_SUCCESS && key_name != NULL && key_name[0] == '\0') {
        s = PARSEC_PSA_ERROR_DOES_NOT_EXIST;
    }
    if (s == PARSEC_SUCCESS && new_name != NULL && new_name[0] == '\0') {
        s = PARSEC_PSA_ERROR_INVALID_ARGUMENT;
    }
    if (s != PARSEC_SUCCESS) {
        psa_reset_key_attributes(&c.attributes);
        return s;
    }
    if (new_name != NULL) {
        s = execute_create(rq, op, &c, new_name);
        psa_reset_key_attributes(&c.attributes);
        return s;
    }
    if (op->flags & PARSEC_OP_DESTROYS) {
        return parsec_destroy_named_key(rq, rq->app, key_name);
    }
    if (out_field != NULL) {
        c.out.size = op->out_rule == PARSEC_OUT_NONE ? (size_t)fill : out_size(op, &c, &key);
        if (fill > rq->ctx->config->buffer_size_limit ||
            c.out.size > rq->ctx->config->buffer_size_limit) {
            return PARSEC_RESPONSE_TOO_LARGE;
        }
        /* One byte at least, so a zero-size output still has a buffer to point at. */
        c.out.data = malloc(c.out.size > 0 ? c.out.size : 1);
        if (c.out.data == NULL) {
            return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
        }
    }
    psa_status_t ps = op->call(&c);
    if (ps != PSA_SUCCESS || out_field == NULL) {
        if (c.out.data != NULL) {
            OPENSSL_cleanse(c.out.data, c.out.size);
            free(c.out.data);
        }
        return parsec_status_from_psa(ps);
    }
    ProtobufCMessage *res = calloc(1, op->result->sizeof_message);
    if (res == NULL) {
        OPENSSL_cleanse(c.out.data, c.out.size);
        free(c.out.data);
        return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    protobuf_c_message_init(op->result, res);
    ProtobufCBinaryData *b = (ProtobufCBinaryData *)((uint8_t *)res + out_field->offset);
    b->data = c.out.data;
    b->len = c.out.length;
    /* Parked wipe: parsec_serve cleanses the result's bytes before freeing it. */
    *result = res;
    return PARSEC_SUCCESS;
}
