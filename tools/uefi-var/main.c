/* uefi-var: list, read, write and delete UEFI variables (authenticated updates with --signed). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uefi/var_gateway.h"

#define NV EFI_VARIABLE_NON_VOLATILE
#define BS EFI_VARIABLE_BOOTSERVICE_ACCESS
#define RT EFI_VARIABLE_RUNTIME_ACCESS

static const efi_guid_t global_guid = EFI_GLOBAL_VARIABLE_GUID;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: uefi-var list\n"
            "       uefi-var get NAME [-g GUID] [-o FILE] [--attributes]\n"
            "       uefi-var set NAME [-g GUID] [-t ATTRS] [--append] (-f FILE | -s TEXT)\n"
            "       uefi-var set NAME [-g GUID] [-t ATTRS] [--append] --signed AUTH-FILE\n"
            "       uefi-var delete NAME [-g GUID]\n"
            "       uefi-var info [-t ATTRS]\n"
            "NAME is a variable name or NAME-GUID (the efivarfs file name); GUID defaults to\n"
            "EFI_GLOBAL_VARIABLE. ATTRS: a number or a comma list of nv,bs,rt,at (default\n"
            "nv,bs,rt). --signed applies an update made by efitools' sign-efi-sig-list: the file\n"
            "is the EFI_VARIABLE_AUTHENTICATION_2 descriptor followed by the payload, and the\n"
            "time-based authenticated attribute is added. The variables are smm-gateway's:\n"
            "--socket PATH, else $SMM_GATEWAY_SOCKET, else smm-gateway.sock in the TS runtime\n"
            "directory ($TS_RUNTIME_DIR, /run/ts for root, $XDG_RUNTIME_DIR/ts).\n");
}

static int fail_efi(const char *what, efi_status_t status)
{
    char buf[64];
    fprintf(stderr, "uefi-var: %s: %s\n", what, var_efi_status_name(status, buf, sizeof(buf)));
    return 1;
}

static int parse_attributes(const char *text, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 0);
    if (errno == 0 && *end == '\0' && end != text && v <= 0xff) {
        *out = (uint32_t)v;
        return 0;
    }
    uint32_t attrs = 0;
    char *copy = strdup(text), *save = NULL;
    if (copy == NULL) {
        return -1;
    }
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "nv") == 0) {
            attrs |= NV;
        } else if (strcmp(tok, "bs") == 0) {
            attrs |= BS;
        } else if (strcmp(tok, "rt") == 0) {
            attrs |= RT;
        } else if (strcmp(tok, "at") == 0) {
            attrs |= EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS;
        } else {
            free(copy);
            return -1;
        }
    }
    free(copy);
    *out = attrs;
    return 0;
}

/* NAME or NAME-GUID; -g overrides nothing when the GUID is in the name. */
static int parse_name(const char *arg, const char *guid_text, efi_guid_t *guid, uint8_t *name,
                      size_t name_cap, size_t *name_size)
{
    char buf[2048];
    size_t len = strlen(arg);
    if (len >= sizeof(buf)) {
        return -1;
    }
    memcpy(buf, arg, len + 1);
    *guid = global_guid;
    if (len > 37 && buf[len - 37] == '-' && var_guid_parse(buf + len - 36, guid)) {
        buf[len - 37] = '\0';
    } else if (guid_text != NULL && !var_guid_parse(guid_text, guid)) {
        return -1;
    }
    if (buf[0] == '\0' || !var_name_from_utf8(buf, name, name_cap, name_size)) {
        return -1;
    }
    return 0;
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            break;
        }
        uint8_t *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int err = ferror(f);
    if (f != stdin) {
        fclose(f);
    }
    if (buf == NULL || err) {
        free(buf);
        return -1;
    }
    *data = buf;
    *size = n;
    return 0;
}

static int cmd_list(var_client_t *c)
{
    uint8_t name[2048] = {0};
    efi_guid_t guid = {{0}};
    for (;;) {
        size_t ns = sizeof(name);
        efi_status_t st = var_client_next(c, &guid, name, &ns);
        if (st == EFI_NOT_FOUND) {
            return 0;
        }
        if (st != EFI_SUCCESS) {
            return fail_efi("GetNextVariableName", st);
        }
        char text[3 * 1024 + 1], g[37];
        var_guid_format(&guid, g);
        if (!var_name_to_utf8(name, ns, text, sizeof(text))) {
            snprintf(text, sizeof(text), "(name not representable)");
        }
        printf("%s-%s\n", text, g);
    }
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"guid", required_argument, NULL, 'g'},
        {"output", required_argument, NULL, 'o'},
        {"file", required_argument, NULL, 'f'},
        {"string", required_argument, NULL, 's'},
        {"attr", required_argument, NULL, 't'},
        {"attributes", no_argument, NULL, 'T'},
        {"append", no_argument, NULL, 'A'},
        {"signed", required_argument, NULL, 'S'},
        {"socket", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *socket_path = NULL;
    const char *guid_text = NULL, *output = NULL, *file = NULL, *text = NULL, *signed_file = NULL;
    uint32_t attrs = NV | BS | RT;
    int show_attributes = 0, append = 0, opt;
    while ((opt = getopt_long(argc, argv, "g:o:f:s:t:h", options, NULL)) != -1) {
        switch (opt) {
        case 'g':
            guid_text = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'f':
            file = optarg;
            break;
        case 's':
            text = optarg;
            break;
        case 'T':
            show_attributes = 1;
            break;
        case 't':
            if (parse_attributes(optarg, &attrs) != 0) {
                fprintf(stderr, "uefi-var: bad attributes '%s'\n", optarg);
                return 2;
            }
            break;
        case 'A':
            append = 1;
            break;
        case 'S':
            signed_file = optarg;
            break;
        case 'D':
            socket_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    const char *verb = argv[optind++];
    int needs_name = strcmp(verb, "list") != 0 && strcmp(verb, "info") != 0;
    if ((needs_name && optind + 1 != argc) || (!needs_name && optind != argc)) {
        usage(stderr);
        return 2;
    }
    efi_guid_t guid;
    uint8_t name[2048];
    size_t name_size = 0;
    if (needs_name &&
        parse_name(argv[optind], guid_text, &guid, name, sizeof(name), &name_size) != 0) {
        fprintf(stderr, "uefi-var: bad variable name or GUID\n");
        return 2;
    }
    static var_gateway_t gateway;
    psa_status_t ps = var_gateway_open(&gateway, socket_path);
    if (ps != PSA_SUCCESS) {
        fprintf(stderr, "uefi-var: cannot reach smm-gateway at %s: %s\n", gateway.path,
                var_gateway_status_text(ps));
        return 1;
    }
    var_client_t *c = &gateway.client;
    int rc = 0;
    if (strcmp(verb, "list") == 0) {
        rc = cmd_list(c);
    } else if (strcmp(verb, "info") == 0) {
        smm_query_t q;
        efi_status_t st = var_client_query(c, attrs, &q);
        if (st != EFI_SUCCESS) {
            rc = fail_efi("QueryVariableInfo", st);
        } else {
            printf("maximum storage size:   %llu\nremaining storage size: %llu\n"
                   "maximum variable size:  %llu\n",
                   (unsigned long long)q.maximum_storage_size,
                   (unsigned long long)q.remaining_storage_size,
                   (unsigned long long)q.maximum_variable_size);
        }
    } else if (strcmp(verb, "get") == 0) {
        /* No value can be larger than the MM buffer the gateway was lent. */
        uint8_t *data = malloc(gateway.size);
        size_t size = data != NULL ? gateway.size : 0;
        uint32_t got_attrs = 0;
        efi_status_t st = data != NULL
                              ? var_client_get(c, &guid, name, name_size, &got_attrs, data, &size)
                              : EFI_OUT_OF_RESOURCES;
        if (st != EFI_SUCCESS) {
            rc = fail_efi("GetVariable", st);
        } else if (show_attributes) {
            printf("0x%08x\n", got_attrs);
        } else {
            FILE *out = output != NULL ? fopen(output, "wb") : stdout;
            if (out == NULL || fwrite(data, 1, size, out) != size ||
                (out != stdout ? fclose(out) : fflush(out)) != 0) {
                fprintf(stderr, "uefi-var: cannot write the value\n");
                rc = 1;
            }
        }
        free(data);
    } else if (strcmp(verb, "set") == 0) {
        uint8_t *data = NULL;
        size_t size = 0;
        int sources = (file != NULL) + (text != NULL) + (signed_file != NULL);
        if (sources != 1) {
            usage(stderr);
            rc = 2;
        } else if (text != NULL) {
            data = (uint8_t *)strdup(text);
            size = strlen(text);
        } else if (read_file(file != NULL ? file : signed_file, &data, &size) != 0) {
            fprintf(stderr, "uefi-var: cannot read %s\n", file != NULL ? file : signed_file);
            rc = 1;
        }
        if (rc == 0) {
            if (signed_file != NULL) {
                attrs |= EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS;
            }
            if (append) {
                attrs |= EFI_VARIABLE_APPEND_WRITE;
            }
            efi_status_t st = var_client_set(c, &guid, name, name_size, attrs, data, size);
            if (st != EFI_SUCCESS) {
                rc = fail_efi("SetVariable", st);
            }
        }
        free(data);
    } else if (strcmp(verb, "delete") == 0) {
        efi_status_t st = var_client_set(c, &guid, name, name_size, 0, NULL, 0);
        if (st != EFI_SUCCESS) {
            rc = fail_efi("SetVariable (delete)", st);
        }
    } else {
        usage(stderr);
        rc = 2;
    }
    var_gateway_close(&gateway);
    return rc;
}
