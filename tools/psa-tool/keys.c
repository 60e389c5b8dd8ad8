/* psa-tool key: generate, import (raw, DER, PEM), export-public (raw, DER, PEM), destroy, info,
 * list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ss/psa_keys.h>
#include <ss/psa_status.h>

#include "psa_names.h"
#include "tool.h"

/* Fills the policy and type options common to generate and import. */
static bool policy_from_args(const tool_args_t *args, psa_key_attributes_t *attr, bool need_type)
{
    const char *type = tool_opt(args, "type"), *bits = tool_opt(args, "bits");
    const char *usage = tool_opt(args, "usage"), *alg = tool_opt(args, "alg");
    psa_key_type_t t;
    psa_key_usage_t u;
    psa_algorithm_t a;
    uint64_t b;
    if (type == NULL && need_type) {
        tool_usage_error("--type is required (e.g. --type ecc-key-pair:secp-r1)");
        return false;
    }
    if (type != NULL) {
        if (!psa_names_parse_type(type, &t)) {
            tool_usage_error("--type: unknown key type '%s' (see psa-tool key --help)", type);
            return false;
        }
        psa_set_key_type(attr, t);
    }
    if (bits != NULL) {
        if (!tool_parse_u64(bits, &b) || b > 65536) {
            tool_usage_error("--bits: '%s' is not a key size in bits", bits);
            return false;
        }
        psa_set_key_bits(attr, (size_t)b);
    }
    if (usage != NULL) {
        if (!psa_names_parse_usage(usage, &u)) {
            tool_usage_error("--usage: unknown flag in '%s' (export, copy, cache, encrypt, "
                             "decrypt, sign-message, verify-message, sign-hash, verify-hash, "
                             "derive, verify-derivation)",
                             usage);
            return false;
        }
        psa_set_key_usage_flags(attr, u);
    }
    if (alg != NULL) {
        if (!psa_names_parse_alg(alg, &a)) {
            tool_usage_error("--alg: unknown algorithm '%s' (see psa-tool key --help)", alg);
            return false;
        }
        psa_set_key_algorithm(attr, a);
    }
    return true;
}

/* After a failed generate or import: the sizes the type accepts, when the size may be why. */
static int fail_with_sizes(const char *what, psa_status_t s, const psa_key_attributes_t *attr)
{
    tool_fail(what, s);
    const char *sizes = psa_names_type_sizes(psa_get_key_type(attr));
    if ((s == PSA_ERROR_INVALID_ARGUMENT || s == PSA_ERROR_NOT_SUPPORTED) && sizes != NULL) {
        char type[64];
        fprintf(stderr, "psa-tool:   %s keys are %s bits (this one: %zu)\n",
                psa_names_type(psa_get_key_type(attr), type, sizeof(type)), sizes,
                psa_get_key_bits(attr));
    }
    return TOOL_EXIT_FAILED;
}

static bool set_id(const tool_args_t *args, psa_key_attributes_t *attr)
{
    psa_key_id_t id;
    if (!tool_require_key_id(args, &id)) {
        return false;
    }
    /* Each psa-tool run is a new process: only persistent keys outlive it. */
    psa_set_key_id(attr, id);
    return true;
}

static const char *const generate_opts[] = {"id", "type", "bits", "usage", "alg", NULL};

static int cmd_generate(int argc, char **argv)
{
    tool_args_t args;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t key = 0;
    if (!tool_parse(argc, argv, generate_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "key generate", tool_key_commands[0].help)) {
        return TOOL_EXIT_OK;
    }
    if (!set_id(&args, &attr) || !policy_from_args(&args, &attr, true)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_opt(&args, "bits") == NULL) {
        return tool_usage_error("--bits is required to generate a key");
    }
    if (tool_opt(&args, "usage") == NULL) {
        fprintf(stderr, "psa-tool: warning: no --usage: the key will allow no operation (usage "
                        "none); e.g. --usage sign-hash,verify-hash or --usage encrypt,decrypt\n");
    }
    if (!tool_crypto_init()) {
        return TOOL_EXIT_FAILED;
    }
    psa_status_t s = psa_generate_key(&attr, &key);
    if (s != PSA_SUCCESS) {
        return fail_with_sizes("psa_generate_key", s, &attr);
    }
    printf("generated key 0x%08x\n", (unsigned)key);
    return TOOL_EXIT_OK;
}

static const char *const import_opts[] = {"id",  "type",   "bits", "usage",
                                          "alg", "format", "in",   NULL};

static int cmd_import(int argc, char **argv)
{
    tool_args_t args;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t key = 0;
    uint8_t *file = NULL, *data = NULL;
    size_t file_len = 0, data_len = 0;
    int rc = TOOL_EXIT_FAILED;
    if (!tool_parse(argc, argv, import_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "key import", tool_key_commands[1].help)) {
        return TOOL_EXIT_OK;
    }
    const char *format = tool_opt(&args, "format");
    if (format == NULL) {
        format = "raw";
    }
    bool raw = strcmp(format, "raw") == 0;
    if (!raw && strcmp(format, "der") != 0 && strcmp(format, "pem") != 0) {
        return tool_usage_error("--format must be raw, der or pem");
    }
    if (!set_id(&args, &attr) || !policy_from_args(&args, &attr, raw)) {
        return TOOL_EXIT_USAGE;
    }
    if (!tool_read_input(tool_opt(&args, "in"), &file, &file_len)) {
        return TOOL_EXIT_FAILED;
    }
    static const char pem_begin[] = "-----BEGIN ";
    if (format[0] != 'p' && file_len >= sizeof(pem_begin) - 1 &&
        memcmp(file, pem_begin, sizeof(pem_begin) - 1) == 0) {
        rc = tool_usage_error(
            "%s is PEM (it starts with %s...): give --format pem",
            tool_opt(&args, "in") != NULL ? tool_opt(&args, "in") : "standard input", pem_begin);
        goto out;
    }
    if (raw) {
        data = file;
        data_len = file_len;
        file = NULL;
    } else {
        psa_key_type_t type;
        size_t bits;
        psa_status_t s =
            tool_key_from_file(file, file_len, format[0] == 'p', &type, &bits, &data, &data_len);
        if (s != PSA_SUCCESS) {
            rc = tool_fail("reading the key file", s);
            goto out;
        }
        if (tool_opt(&args, "type") != NULL && psa_get_key_type(&attr) != type) {
            char want[48], got[48];
            rc = tool_error("the file holds a %s key, not %s", psa_names_type(type, got, 48),
                            psa_names_type(psa_get_key_type(&attr), want, 48));
            goto out;
        }
        psa_set_key_type(&attr, type);
        psa_set_key_bits(&attr, bits);
    }
    if (!tool_crypto_init()) {
        goto out;
    }
    psa_status_t s = psa_import_key(&attr, data, data_len, &key);
    if (s != PSA_SUCCESS) {
        rc = fail_with_sizes("psa_import_key", s, &attr);
        goto out;
    }
    printf("imported key 0x%08x\n", (unsigned)key);
    rc = TOOL_EXIT_OK;
out:
    if (file != NULL) {
        OPENSSL_cleanse(file, file_len);
        free(file);
    }
    if (data != NULL) {
        OPENSSL_cleanse(data, data_len);
        /* raw data came from malloc, converted data from OPENSSL_malloc */
        if (raw) {
            free(data);
        } else {
            OPENSSL_free(data);
        }
    }
    return rc;
}

static const char *const export_opts[] = {"id", "format", "out", NULL};

static int cmd_export_public(int argc, char **argv)
{
    tool_args_t args;
    psa_key_id_t key;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    uint8_t pub[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
    size_t len = 0;
    if (!tool_parse(argc, argv, export_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "key export-public", tool_key_commands[2].help)) {
        return TOOL_EXIT_OK;
    }
    const char *format = tool_opt(&args, "format");
    if (format == NULL) {
        format = "pem";
    }
    if (strcmp(format, "raw") != 0 && strcmp(format, "der") != 0 && strcmp(format, "pem") != 0) {
        return tool_usage_error("--format must be raw, der or pem");
    }
    if (!tool_require_key_id(&args, &key)) {
        return TOOL_EXIT_USAGE;
    }
    if (!tool_crypto_init()) {
        return TOOL_EXIT_FAILED;
    }
    psa_status_t s = psa_get_key_attributes(key, &attr);
    if (s != PSA_SUCCESS) {
        return tool_fail("psa_get_key_attributes", s);
    }
    psa_key_type_t type = psa_get_key_type(&attr);
    if (!PSA_KEY_TYPE_IS_ASYMMETRIC(type)) {
        char name[64];
        return tool_error("key 0x%08x is a %s key: it has no public part (only key pairs and "
                          "public keys have one)",
                          (unsigned)key, psa_names_type(type, name, sizeof(name)));
    }
    s = psa_export_public_key(key, pub, sizeof(pub), &len);
    if (s != PSA_SUCCESS) {
        return tool_fail("psa_export_public_key", s);
    }
    if (strcmp(format, "raw") == 0) {
        return tool_write_output(tool_opt(&args, "out"), pub, len) ? TOOL_EXIT_OK
                                                                   : TOOL_EXIT_FAILED;
    }
    uint8_t *spki = NULL;
    size_t spki_len = 0;
    s = tool_public_key_to_spki(psa_get_key_type(&attr), psa_get_key_bits(&attr), pub, len,
                                format[0] == 'p', &spki, &spki_len);
    if (s != PSA_SUCCESS) {
        return tool_fail("building the SubjectPublicKeyInfo", s);
    }
    bool ok = tool_write_output(tool_opt(&args, "out"), spki, spki_len);
    OPENSSL_free(spki);
    return ok ? TOOL_EXIT_OK : TOOL_EXIT_FAILED;
}

static const char *const id_opts[] = {"id", NULL};

static int cmd_destroy(int argc, char **argv)
{
    tool_args_t args;
    psa_key_id_t key;
    if (!tool_parse(argc, argv, id_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "key destroy", tool_key_commands[3].help)) {
        return TOOL_EXIT_OK;
    }
    if (!tool_require_key_id(&args, &key)) {
        return TOOL_EXIT_USAGE;
    }
    if (!tool_crypto_init()) {
        return TOOL_EXIT_FAILED;
    }
    psa_status_t s = psa_destroy_key(key);
    if (s != PSA_SUCCESS) {
        return tool_fail("psa_destroy_key", s);
    }
    printf("destroyed key 0x%08x\n", (unsigned)key);
    return TOOL_EXIT_OK;
}

/* A key's attributes by name, in both spellings (psa-tool's and the specification's C). */
typedef struct key_names {
    char type[64], type_spec[128], usage[192], usage_spec[384], alg[96], alg_spec[192];
} key_names_t;

static void name_key(const psa_key_attributes_t *attr, key_names_t *n)
{
    psa_names_type(psa_get_key_type(attr), n->type, sizeof(n->type));
    psa_names_type_spec(psa_get_key_type(attr), n->type_spec, sizeof(n->type_spec));
    psa_names_usage(psa_get_key_usage_flags(attr), n->usage, sizeof(n->usage));
    psa_names_usage_spec(psa_get_key_usage_flags(attr), n->usage_spec, sizeof(n->usage_spec));
    psa_names_alg(psa_get_key_algorithm(attr), n->alg, sizeof(n->alg));
    psa_names_alg_spec(psa_get_key_algorithm(attr), n->alg_spec, sizeof(n->alg_spec));
}

static int cmd_info(int argc, char **argv)
{
    tool_args_t args;
    psa_key_id_t key;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    key_names_t n;
    if (!tool_parse(argc, argv, id_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "key info", tool_key_commands[4].help)) {
        return TOOL_EXIT_OK;
    }
    if (!tool_require_key_id(&args, &key)) {
        return TOOL_EXIT_USAGE;
    }
    if (!tool_crypto_init()) {
        return TOOL_EXIT_FAILED;
    }
    psa_status_t s = psa_get_key_attributes(key, &attr);
    if (s != PSA_SUCCESS) {
        return tool_fail("psa_get_key_attributes", s);
    }
    name_key(&attr, &n);
    psa_key_lifetime_t lifetime = psa_get_key_lifetime(&attr);
    printf("id:        0x%08x\n", (unsigned)psa_get_key_id(&attr));
    printf("type:      %s  (%s)\n", n.type, n.type_spec);
    printf("bits:      %zu\n", psa_get_key_bits(&attr));
    printf("lifetime:  0x%08x (%s, location 0x%06x)\n", (unsigned)lifetime,
           PSA_KEY_LIFETIME_IS_VOLATILE(lifetime) ? "volatile" : "persistent",
           (unsigned)PSA_KEY_LIFETIME_GET_LOCATION(lifetime));
    printf("usage:     %s  (%s)\n", n.usage, n.usage_spec);
    printf("algorithm: %s  (%s)\n", n.alg, n.alg_spec);
    psa_reset_key_attributes(&attr);
    return TOOL_EXIT_OK;
}

static const char *const list_opts[] = {"json!", NULL};

static int cmd_list(int argc, char **argv)
{
    tool_args_t args;
    if (!tool_parse(argc, argv, list_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "key list", tool_key_commands[5].help)) {
        return TOOL_EXIT_OK;
    }
    if (args.npositional > 0) {
        return tool_usage_error("key list: unexpected argument '%s'", args.positional[0]);
    }
    if (!tool_crypto_init()) {
        return TOOL_EXIT_FAILED;
    }
    bool json = tool_flag(&args, "json");
    psa_key_id_t ids[64], after = 0;
    size_t count = 0, total = 0;
    if (json) {
        printf("[");
    } else {
        printf("%-10s  %-28s %5s  %-34s %s\n", "ID", "TYPE", "BITS", "USAGE", "ALGORITHM");
    }
    do {
        psa_status_t s = ss_list_keys(after, ids, sizeof(ids) / sizeof(ids[0]), &count);
        if (s != PSA_SUCCESS) {
            if (json) {
                printf("]\n");
            }
            return tool_fail("ss_list_keys", s);
        }
        for (size_t i = 0; i < count; i++, total++) {
            psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
            psa_status_t st = psa_get_key_attributes(ids[i], &attr);
            key_names_t n;
            name_key(&attr, &n);
            if (json) {
                printf("%s\n  {\"id\": \"0x%08x\"", total > 0 ? "," : "", (unsigned)ids[i]);
                if (st != PSA_SUCCESS) {
                    printf(", \"error\": \"%s\"}", psa_status_name(st));
                } else {
                    printf(", \"type\": \"%s\", \"type_spec\": \"%s\", \"bits\": %zu, "
                           "\"lifetime\": \"0x%08x\", \"usage\": \"%s\", \"usage_spec\": \"%s\", "
                           "\"algorithm\": \"%s\", \"algorithm_spec\": \"%s\"}",
                           n.type, n.type_spec, psa_get_key_bits(&attr),
                           (unsigned)psa_get_key_lifetime(&attr), n.usage, n.usage_spec, n.alg,
                           n.alg_spec);
                }
            } else if (st != PSA_SUCCESS) {
                printf("0x%08x  (%s)\n", (unsigned)ids[i], psa_status_name(st));
            } else {
                printf("0x%08x  %-28s %5zu  %-34s %s\n", (unsigned)ids[i], n.type,
                       psa_get_key_bits(&attr), n.usage, n.alg);
            }
            psa_reset_key_attributes(&attr);
            after = ids[i];
        }
    } while (count == sizeof(ids) / sizeof(ids[0]));
    if (json) {
        printf("%s]\n", total > 0 ? "\n" : "");
    }
    return TOOL_EXIT_OK;
}

const tool_command_t tool_key_commands[] = {
    {"generate", cmd_generate, "generate a persistent key in the service",
     "  --id ID --type TYPE --bits N [--usage U,...] [--alg ALG]\n"
     "Generates a persistent key with the given id and policy, for example\n"
     "  psa-tool key generate --id 1 --type ecc-key-pair:secp-r1 --bits 256 \\\n"
     "      --usage sign-hash,verify-hash --alg ecdsa:sha-256\n"},
    {"import", cmd_import, "import a key from a raw, DER or PEM file",
     "  --id ID [--format raw|der|pem] [--in FILE|-] [--type TYPE] [--bits N] [--usage U,...]\n"
     "  [--alg ALG]\n"
     "raw is the PSA import format and needs --type. der and pem read a private key (PKCS#8 or\n"
     "the traditional RSA/EC forms) or a SubjectPublicKeyInfo; the type and size come from the\n"
     "file. Reads standard input without --in.\n"},
    {"export-public", cmd_export_public, "export a public key as raw, DER or PEM",
     "  --id ID [--format pem|der|raw] [--out FILE|-]\n"
     "pem and der write a SubjectPublicKeyInfo that openssl reads; raw writes the PSA format\n"
     "(an uncompressed point, a raw 32-byte key, or an RSAPublicKey).\n"},
    {"destroy", cmd_destroy, "destroy a key", "  --id ID\nDestroys the key and its storage.\n"},
    {"info", cmd_info, "show the attributes of a key",
     "  --id ID\nPrints the type, size, lifetime, usage flags and algorithm of a key, each in\n"
     "psa-tool's spelling and in the specification's (PSA_KEY_TYPE_..., PSA_ALG_...).\n"},
    {"list", cmd_list, "list this caller's persistent keys",
     "  [--json]\n"
     "Lists the persistent keys of the calling user (rssd answers for the caller's keys only)\n"
     "with their type, size, usage and algorithm; --json writes an array of objects with\n"
     "id, type, type_spec, bits, lifetime, usage, usage_spec, algorithm, algorithm_spec (or\n"
     "error, the status of a key whose attributes cannot be read).\n"},
    {NULL, NULL, NULL, NULL},
};
