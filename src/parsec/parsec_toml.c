/* The TOML subset parser for parsecd's configuration (see parsec_toml.h for the subset). */
#include "parsec/parsec_toml.h"

#include <stdlib.h>
#include <string.h>

#define TOML_TABLES_MAX 32u
#define TOML_KEYS_MAX   64u

typedef struct toml_cursor {
    const char *p;
    const char *end;
    const char *error;
} toml_cursor_t;

typedef struct toml_state {
    char table[PARSEC_TOML_NAME_MAX + 1];
    int index;
    char tables[TOML_TABLES_MAX][PARSEC_TOML_NAME_MAX + 1]; /* headers seen, for duplicates */
    int table_index[TOML_TABLES_MAX];                       /* -1 plain, else next [[ ]] index */
    size_t table_count;
    char keys[TOML_KEYS_MAX][PARSEC_TOML_NAME_MAX + 1]; /* keys of the current table */
    size_t key_count;
} toml_state_t;

static void toml_free(parsec_toml_value_t *v)
{
    if (v == NULL) {
        return;
    }
    free(v->string);
    for (size_t i = 0; v->elements != NULL && i < v->count; i++) {
        toml_free(v->elements[i]);
    }
    free(v->elements);
    for (size_t i = 0; v->pairs != NULL && i < v->count; i++) {
        toml_free(v->pairs[i].value);
    }
    free(v->pairs);
    free(v);
}

static bool toml_fail(toml_cursor_t *c, const char *why)
{
    if (c->error == NULL) {
        c->error = why;
    }
    return false;
}

static void toml_skip_space(toml_cursor_t *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) {
        c->p++;
    }
}

/* Rest of the line must be blank or a comment. */
static bool toml_line_end(toml_cursor_t *c)
{
    toml_skip_space(c);
    if (c->p < c->end && *c->p == '#') {
        c->p = c->end;
    }
    return c->p == c->end || toml_fail(c, "unexpected characters after the value");
}

static bool toml_bare_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
}

static bool toml_put_utf8(char *out, size_t *n, unsigned long cp)
{
    unsigned char buf[4];
    size_t len;
    if (cp >= 0xD800 && cp <= 0xDFFF) {
        return false;
    }
    if (cp < 0x80) {
        buf[0] = (unsigned char)cp;
        len = 1;
    } else if (cp < 0x800) {
        buf[0] = (unsigned char)(0xC0 | (cp >> 6));
        buf[1] = (unsigned char)(0x80 | (cp & 0x3F));
        len = 2;
    } else {
        buf[0] = (unsigned char)(0xE0 | (cp >> 12));
        buf[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (unsigned char)(0x80 | (cp & 0x3F));
        len = 3;
    }
    if (*n + len > PARSEC_TOML_STRING_MAX) {
        return false;
    }
    memcpy(out + *n, buf, len);
    *n += len;
    return true;
}

/* A quoted string into out (PARSEC_TOML_STRING_MAX + 1 bytes). */
static bool toml_string(toml_cursor_t *c, char *out, size_t *out_len)
{
    char quote = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != quote) {
        char ch = *c->p++;
        if (ch == '\0' || (unsigned char)ch < 0x20) {
            if (ch != '\t') {
                return toml_fail(c, "control character in a string");
            }
        }
        if (quote == '"' && ch == '\\') {
            if (c->p == c->end) {
                return toml_fail(c, "unterminated string");
            }
            char esc = *c->p++;
            unsigned long cp = 0;
            switch (esc) {
            case '"':
                ch = '"';
                break;
            case '\\':
                ch = '\\';
                break;
            case 'n':
                ch = '\n';
                break;
            case 't':
                ch = '\t';
                break;
            case 'r':
                ch = '\r';
                break;
            case 'u':
                if (c->end - c->p < 4) {
                    return toml_fail(c, "short \\u escape");
                }
                for (int i = 0; i < 4; i++) {
                    char h = *c->p++;
                    int d = (h >= '0' && h <= '9')   ? h - '0'
                            : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                            : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                     : -1;
                    if (d < 0) {
                        return toml_fail(c, "bad \\u escape");
                    }
                    cp = cp * 16 + (unsigned long)d;
                }
                if (cp == 0 || !toml_put_utf8(out, &n, cp)) {
                    return toml_fail(c, "bad \\u escape or string too long");
                }
                continue;
            default:
                return toml_fail(c, "unsupported escape");
            }
        }
        if (n >= PARSEC_TOML_STRING_MAX) {
            return toml_fail(c, "string too long");
        }
        out[n++] = ch;
    }
    if (c->p == c->end) {
        return toml_fail(c, "unterminated string");
    }
    c->p++;
    out[n] = '\0';
    *out_len = n;
    return true;
}

/* A bare or quoted name (table or key). */
static bool toml_name(toml_cursor_t *c, char out[PARSEC_TOML_NAME_MAX + 1])
{
    toml_skip_space(c);
    if (c->p < c->end && (*c->p == '"' || *c->p == '\'')) {
        char buf[PARSEC_TOML_STRING_MAX + 1];
        size_t n = 0;
        if (!toml_string(c, buf, &n)) {
            return false;
        }
        if (n == 0 || n > PARSEC_TOML_NAME_MAX) {
            return toml_fail(c, "bad quoted name");
        }
        memcpy(out, buf, n + 1);
        return true;
    }
    size_t n = 0;
    while (c->p < c->end && toml_bare_char(*c->p)) {
        if (n >= PARSEC_TOML_NAME_MAX) {
            return toml_fail(c, "name too long");
        }
        out[n++] = *c->p++;
    }
    if (n == 0) {
        return toml_fail(c, "expected a name");
    }
    out[n] = '\0';
    toml_skip_space(c);
    if (c->p < c->end && *c->p == '.') {
        return toml_fail(c, "dotted names are not supported");
    }
    return true;
}

static parsec_toml_value_t *toml_value(toml_cursor_t *c, int depth);

static bool toml_scalar(toml_cursor_t *c, parsec_toml_value_t *v)
{
    if (*c->p == '"' || *c->p == '\'') {
        char *buf = malloc(PARSEC_TOML_STRING_MAX + 1);
        size_t n = 0;
        if (buf == NULL) {
            return toml_fail(c, "out of memory");
        }
        if (!toml_string(c, buf, &n) || memchr(buf, '\0', n) != NULL) {
            free(buf);
            return toml_fail(c, "bad string");
        }
        v->type = PARSEC_TOML_STRING;
        v->string = buf;
        return true;
    }
    if (c->end - c->p >= 4 && memcmp(c->p, "true", 4) == 0 &&
        (c->end - c->p == 4 || !toml_bare_char(c->p[4]))) {
        c->p += 4;
        v->type = PARSEC_TOML_BOOLEAN;
        v->boolean = true;
        return true;
    }
    if (c->end - c->p >= 5 && memcmp(c->p, "false", 5) == 0 &&
        (c->end - c->p == 5 || !toml_bare_char(c->p[5]))) {
        c->p += 5;
        v->type = PARSEC_TOML_BOOLEAN;
        v->boolean = false;
        return true;
    }
    bool negative = false;
    if (*c->p == '+' || *c->p == '-') {
        negative = *c->p == '-';
        c->p++;
    }
    uint64_t magnitude = 0;
    size_t digits = 0;
    bool last_underscore = false;
    while (c->p < c->end && ((*c->p >= '0' && *c->p <= '9') || *c->p == '_')) {
        if (*c->p == '_') {
            if (digits == 0 || last_underscore) {
                return toml_fail(c, "misplaced '_' in an integer");
            }
            last_underscore = true;
            c->p++;
            continue;
        }
        if (digits == 1 && magnitude == 0) {
            return toml_fail(c, "leading zero in an integer");
        }
        uint64_t d = (uint64_t)(*c->p - '0');
        if (magnitude > (UINT64_C(1) << 63) / 10 ||
            magnitude * 10 + d > (UINT64_C(1) << 63) - (negative ? 0 : 1)) {
            return toml_fail(c, "integer out of range");
        }
        magnitude = magnitude * 10 + d;
        digits++;
        last_underscore = false;
        c->p++;
    }
    if (digits == 0 || last_underscore) {
        return toml_fail(c, "unsupported value");
    }
    if (c->p < c->end && (toml_bare_char(*c->p) || *c->p == '.' || *c->p == ':')) {
        return toml_fail(c, "unsupported value (float, date or bare word)");
    }
    v->type = PARSEC_TOML_INTEGER;
    v->integer = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
    return true;
}

static bool toml_array(toml_cursor_t *c, parsec_toml_value_t *v, int depth)
{
    c->p++; /* [ */
    v->type = PARSEC_TOML_ARRAY;
    v->elements = calloc(PARSEC_TOML_ARRAY_MAX, sizeof(*v->elements));
    if (v->elements == NULL) {
        return toml_fail(c, "out of memory");
    }
    for (;;) {
        toml_skip_space(c);
        if (c->p < c->end && *c->p == ']') {
            c->p++;
            return true;
        }
        if (v->count == PARSEC_TOML_ARRAY_MAX) {
            return toml_fail(c, "array too long");
        }
        parsec_toml_value_t *e = toml_value(c, depth + 1);
        if (e == NULL) {
            return false;
        }
        v->elements[v->count++] = e;
        toml_skip_space(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
        } else if (c->p >= c->end || *c->p != ']') {
            return toml_fail(c, "expected ',' or ']' (arrays must fit on one line)");
        }
    }
}

static bool toml_inline_table(toml_cursor_t *c, parsec_toml_value_t *v, int depth)
{
    c->p++; /* { */
    v->type = PARSEC_TOML_INLINE_TABLE;
    v->pairs = calloc(PARSEC_TOML_INLINE_MAX, sizeof(*v->pairs));
    if (v->pairs == NULL) {
        return toml_fail(c, "out of memory");
    }
    toml_skip_space(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return true;
    }
    for (;;) {
        if (v->count == PARSEC_TOML_INLINE_MAX) {
            return toml_fail(c, "inline table too long");
        }
        parsec_toml_pair_t *pair = &v->pairs[v->count];
        if (!toml_name(c, pair->key)) {
            return false;
        }
        for (size_t i = 0; i < v->count; i++) {
            if (strcmp(v->pairs[i].key, pair->key) == 0) {
                return toml_fail(c, "duplicate key in an inline table");
            }
        }
        toml_skip_space(c);
        if (c->p >= c->end || *c->p != '=') {
            return toml_fail(c, "expected '='");
        }
        c->p++;
        pair->value = toml_value(c, depth + 1);
        if (pair->value == NULL) {
            return false;
        }
        v->count++;
        toml_skip_space(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
        } else if (c->p < c->end && *c->p == '}') {
            c->p++;
            return true;
        } else {
            return toml_fail(c, "expected ',' or '}'");
        }
    }
}

static parsec_toml_value_t *toml_value(toml_cursor_t *c, int depth)
{
    toml_skip_space(c);
    if (c->p >= c->end) {
        toml_fail(c, "expected a value");
        return NULL;
    }
    /* Arrays hold scalars or inline tables of scalars: two levels below the key at most. */
    if (depth > 2) {
        toml_fail(c, "values nested too deeply");
        return NULL;
    }
    parsec_toml_value_t *v = calloc(1, sizeof(*v));
    if (v == NULL) {
        toml_fail(c, "out of memory");
        return NULL;
    }
    bool ok;
    if (*c->p == '[') {
        ok = depth == 0 ? toml_array(c, v, depth) : toml_fail(c, "nested arrays unsupported");
    } else if (*c->p == '{') {
        ok = depth == 1 ? toml_inline_table(c, v, depth)
                        : toml_fail(c, "inline tables only as array elements");
    } else {
        ok = toml_scalar(c, v);
    }
    if (!ok) {
        toml_free(v);
        return NULL;
    }
    return v;
}

static bool toml_header(toml_cursor_t *c, toml_state_t *st)
{
    bool array = c->end - c->p >= 2 && c->p[1] == '[';
    c->p += array ? 2 : 1;
    char name[PARSEC_TOML_NAME_MAX + 1];
    if (!toml_name(c, name)) {
        return false;
    }
    toml_skip_space(c);
    if (c->end - c->p < (array ? 2 : 1) || c->p[0] != ']' || (array && c->p[1] != ']')) {
        return toml_fail(c, "expected ']' after the table name");
    }
    c->p += array ? 2 : 1;
    if (!toml_line_end(c)) {
        return false;
    }
    size_t i;
    for (i = 0; i < st->table_count; i++) {
        if (strcmp(st->tables[i], name) == 0) {
            break;
        }
    }
    if (i < st->table_count) {
        if (!array || st->table_index[i] < 0) {
            return toml_fail(c, "table defined twice");
        }
        st->index = st->table_index[i]++;
    } else {
        if (st->table_count == TOML_TABLES_MAX) {
            return toml_fail(c, "too many tables");
        }
        memcpy(st->tables[i], name, sizeof(name));
        st->table_index[i] = array ? 1 : -1;
        st->table_count++;
        st->index = array ? 0 : -1;
    }
    memcpy(st->table, name, sizeof(name));
    st->key_count = 0;
    return true;
}

int parsec_toml_parse(const char *text, size_t length, parsec_toml_cb_t cb, void *ctx,
                      unsigned *error_line, const char **error)
{
    toml_state_t *st = calloc(1, sizeof(*st));
    const char *pos = text, *end = text + length;
    unsigned line = 0;
    int rc = 0;
    *error = NULL;
    *error_line = 0;
    if (st == NULL) {
        *error = "out of memory";
        return -1;
    }
    st->index = -1;
    while (pos < end && rc == 0) {
        const char *nl = memchr(pos, '\n', (size_t)(end - pos));
        const char *line_end = nl != NULL ? nl : end;
        toml_cursor_t c = {pos, line_end, NULL};
        line++;
        pos = nl != NULL ? nl + 1 : end;
        if (c.end > c.p && c.end[-1] == '\r') {
            c.end--;
        }
        if ((size_t)(c.end - c.p) > PARSEC_TOML_LINE_MAX ||
            memchr(c.p, '\0', (size_t)(c.end - c.p))) {
            toml_fail(&c, "line too long or NUL byte");
        } else {
            toml_skip_space(&c);
            if (c.p == c.end || *c.p == '#') {
                continue;
            }
            if (*c.p == '[') {
                toml_header(&c, st);
            } else {
                char key[PARSEC_TOML_NAME_MAX + 1];
                parsec_toml_value_t *v = NULL;
                if (toml_name(&c, key)) {
                    toml_skip_space(&c);
                    if (c.p >= c.end || *c.p != '=') {
                        toml_fail(&c, "expected '='");
                    } else {
                        c.p++;
                        v = toml_value(&c, 0);
                    }
                }
                if (v != NULL && toml_line_end(&c)) {
                    for (size_t i = 0; i < st->key_count; i++) {
                        if (strcmp(st->keys[i], key) == 0) {
                            toml_fail(&c, "duplicate key");
                        }
                    }
                    if (c.error == NULL && st->key_count == TOML_KEYS_MAX) {
                        toml_fail(&c, "too many keys in one table");
                    }
                    if (c.error == NULL) {
                        memcpy(st->keys[st->key_count++], key, sizeof(key));
                        rc = cb(ctx, st->table, st->index, key, v, line);
                        if (rc != 0) {
                            *error_line = line;
                        }
                    }
                }
                toml_free(v);
            }
        }
        if (c.error != NULL) {
            *error = c.error;
            *error_line = line;
            rc = -1;
        }
    }
    free(st);
    return rc;
}
