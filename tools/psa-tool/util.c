/* psa-tool: option parsing, file and standard stream I/O, error messages and number parsing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ss/psa_status.h>

#include "psa_names.h"
#include "tool.h"

bool tool_parse(int argc, char **argv, const char *const *accepted, tool_args_t *args)
{
    memset(args, 0, sizeof(*args));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            args->help = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (args->npositional >= (int)(sizeof(args->positional) / sizeof(char *))) {
                fprintf(stderr, "psa-tool: %s: too many arguments\n", argv[0]);
                return false;
            }
            args->positional[args->npositional++] = a;
            continue;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
        const char *match = NULL;
        bool is_flag = false;
        for (const char *const *p = accepted; *p != NULL; p++) {
            size_t plen = strlen(*p);
            bool flag = plen > 0 && (*p)[plen - 1] == '!';
            if ((flag ? plen - 1 : plen) == nlen && strncmp(*p, name, nlen) == 0) {
                match = *p;
                is_flag = flag;
                break;
            }
        }
        if (match == NULL) {
            fprintf(stderr, "psa-tool: %s: unknown option --%.*s (see --help)\n", argv[0],
                    (int)nlen, name);
            return false;
        }
        if (args->count >= TOOL_MAX_OPTS) {
            fprintf(stderr, "psa-tool: %s: too many options\n", argv[0]);
            return false;
        }
        const char *value = "";
        if (!is_flag) {
            if (eq != NULL) {
                value = eq + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                fprintf(stderr, "psa-tool: %s: option --%s needs a value\n", argv[0], name);
                return false;
            }
        }
        args->names[args->count] = match;
        args->values[args->count] = value;
        args->count++;
    }
    return true;
}

static bool same_name(const char *option, const char *name)
{
    size_t n = strlen(name);
    return strncmp(option, name, n) == 0 && (option[n] == '\0' || option[n] == '!');
}

const char *tool_opt(const tool_args_t *args, const char *name)
{
    const char *v = NULL;
    for (int i = 0; i < args->count; i++) {
        if (same_name(args->names[i], name)) {
            v = args->values[i]; /* the last one wins, as usual for command lines */
        }
    }
    return v;
}

bool tool_flag(const tool_args_t *args, const char *name)
{
    return tool_opt(args, name) != NULL;
}

int tool_fail(const char *what, psa_status_t status)
{
    fprintf(stderr, "psa-tool: %s: %s (%d): %s\n", what, psa_status_name(status), (int)status,
            psa_status_text(status));
    return TOOL_EXIT_FAILED;
}

int tool_fail_key(const char *what, psa_status_t status, psa_key_id_t key, psa_key_usage_t usage,
                  psa_algorithm_t alg)
{
    tool_fail(what, status);
    if (status != PSA_ERROR_NOT_PERMITTED) {
        return TOOL_EXIT_FAILED;
    }
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    if (psa_get_key_attributes(key, &attr) != PSA_SUCCESS) {
        return TOOL_EXIT_FAILED;
    }
    char type[64], have_usage[256], have_alg[64], want_usage[256], want_alg[64];
    psa_names_type(psa_get_key_type(&attr), type, sizeof(type));
    psa_names_usage(psa_get_key_usage_flags(&attr), have_usage, sizeof(have_usage));
    psa_names_alg(psa_get_key_algorithm(&attr), have_alg, sizeof(have_alg));
    psa_names_usage(usage, want_usage, sizeof(want_usage));
    psa_names_alg(alg, want_alg, sizeof(want_alg));
    fprintf(stderr, "psa-tool:   key 0x%08x: type %s, %zu bits, usage %s, algorithm %s",
            (unsigned)key, type, psa_get_key_bits(&attr), have_usage, have_alg);
    fprintf(stderr, "\npsa-tool:   asked:          usage %s, algorithm %s\n", want_usage, want_alg);
    psa_reset_key_attributes(&attr);
    return TOOL_EXIT_FAILED;
}

int tool_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("psa-tool: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return TOOL_EXIT_USAGE;
}

int tool_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("psa-tool: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return TOOL_EXIT_FAILED;
}

bool tool_help(const tool_args_t *args, const char *name, const char *help)
{
    if (!args->help) {
        return false;
    }
    printf("usage: psa-tool %s\n%s", name, help);
    return true;
}

static bool read_stream(FILE *f, uint8_t **data, size_t *length)
{
    size_t cap = 65536, len = 0;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
        return false;
    }
    for (;;) {
        if (len == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                return false;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    if (ferror(f)) {
        free(buf);
        return false;
    }
    *data = buf;
    *length = len;
    return true;
}

bool tool_read_input(const char *path, uint8_t **data, size_t *length)
{
    if (path == NULL || strcmp(path, "-") == 0) {
        if (!read_stream(stdin, data, length)) {
            fprintf(stderr, "psa-tool: cannot read standard input: %s\n", strerror(errno));
            return false;
        }
        return true;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "psa-tool: cannot open %s: %s\n", path, strerror(errno));
        return false;
    }
    bool ok = read_stream(f, data, length);
    if (!ok) {
        fprintf(stderr, "psa-tool: cannot read %s: %s\n", path, strerror(errno));
    }
    fclose(f);
    return ok;
}

bool tool_write_output(const char *path, const uint8_t *data, size_t length)
{
    bool to_stdout = path == NULL || strcmp(path, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "psa-tool: cannot create %s: %s\n", path, strerror(errno));
        return false;
    }
    bool ok = length == 0 || fwrite(data, 1, length, f) == length;
    ok = (to_stdout ? fflush(f) == 0 : fclose(f) == 0) && ok;
    if (!ok) {
        fprintf(stderr, "psa-tool: cannot write %s: %s\n", to_stdout ? "standard output" : path,
                strerror(errno));
    }
    return ok;
}

bool tool_parse_u64(const char *text, uint64_t *value)
{
    if (text == NULL || *text == '\0' || *text == '-') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno != 0 || *end != '\0') {
        return false;
    }
    *value = v;
    return true;
}

bool tool_parse_key_id(const char *text, psa_key_id_t *id)
{
    uint64_t v;
    if (!tool_parse_u64(text, &v) || v == 0 || v > UINT32_MAX) {
        return false;
    }
    *id = (psa_key_id_t)v;
    return true;
}

bool tool_require_key_id(const tool_args_t *args, psa_key_id_t *id)
{
    const char *text = tool_opt(args, "id");
    if (text == NULL) {
        tool_usage_error("--id KEY-ID is required");
        return false;
    }
    if (!tool_parse_key_id(text, id)) {
        tool_usage_error("'%s' is not a key id (1 to 0xffffffff)", text);
        return false;
    }
    return true;
}

bool tool_parse_storage_flags(const char *text, psa_storage_create_flags_t *flags)
{
    static const struct {
        const char *name;
        psa_storage_create_flags_t value;
    } names[] = {
        {"none", PSA_STORAGE_FLAG_NONE},
        {"write-once", PSA_STORAGE_FLAG_WRITE_ONCE},
        {"no-confidentiality", PSA_STORAGE_FLAG_NO_CONFIDENTIALITY},
        {"no-replay-protection", PSA_STORAGE_FLAG_NO_REPLAY_PROTECTION},
    };
    psa_storage_create_flags_t f = 0;
    const char *p = text;
    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        size_t i = 0;
        for (; i < sizeof(names) / sizeof(names[0]); i++) {
            if (strlen(names[i].name) == len && strncmp(names[i].name, p, len) == 0) {
                f |= names[i].value;
                break;
            }
        }
        if (i == sizeof(names) / sizeof(names[0])) {
            return false;
        }
        p = end != NULL ? end + 1 : NULL;
    }
    *flags = f;
    return true;
}

void tool_print_hex(const uint8_t *data, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        printf("%02x", data[i]);
    }
    printf("\n");
}

bool tool_crypto_init(void)
{
    psa_status_t s = psa_crypto_init();
    if (s != PSA_SUCCESS) {
        tool_fail("psa_crypto_init", s);
        return false;
    }
    return true;
}
