/* A bounds-checked parser for the subset of TOML that Parsec's config.toml uses. */
#ifndef PARSEC_TOML_H
#define PARSEC_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Debian 12 packages no C TOML library (only C++ ones), so this is ours. The subset:
 * comments (#), blank lines, [table] and [[array-of-tables]] headers with bare or quoted
 * names, and key = value lines with a bare key. Values: basic strings "..." (escapes \" \\ \n
 * \t \r \uXXXX), literal strings '...', decimal integers (sign, '_' separators, int64 range),
 * true/false, and one-line arrays [v, v, ...] of those scalars or of one-line inline tables
 * { key = scalar, ... }. Anything else (dotted keys, floats, dates, multi-line strings or
 * arrays) is a syntax error with its line number, never a guess.
 */

#define PARSEC_TOML_NAME_MAX   64u   /* table and key names */
#define PARSEC_TOML_STRING_MAX 4096u /* decoded string bytes */
#define PARSEC_TOML_ARRAY_MAX  64u   /* elements of one array */
#define PARSEC_TOML_INLINE_MAX 8u    /* pairs of one inline table */
#define PARSEC_TOML_LINE_MAX   8192u

typedef enum parsec_toml_type {
    PARSEC_TOML_STRING,
    PARSEC_TOML_INTEGER,
    PARSEC_TOML_BOOLEAN,
    PARSEC_TOML_ARRAY,
    PARSEC_TOML_INLINE_TABLE,
} parsec_toml_type_t;

typedef struct parsec_toml_value parsec_toml_value_t;

typedef struct parsec_toml_pair {
    char key[PARSEC_TOML_NAME_MAX + 1];
    parsec_toml_value_t *value;
} parsec_toml_pair_t;

struct parsec_toml_value {
    parsec_toml_type_t type;
    char *string; /* STRING: NUL-terminated (a NUL inside is a syntax error) */
    int64_t integer;
    bool boolean;
    size_t count; /* ARRAY: elements; INLINE_TABLE: pairs */
    parsec_toml_value_t **elements;
    parsec_toml_pair_t *pairs;
};

/*
 * Called once per key = value, with the table it belongs to ("" for the top level) and, for an
 * [[array-of-tables]] entry, its index (0 for the first, -1 for a plain table). The value is
 * valid for the call only. A non-zero return stops parsing and is returned by parsec_toml_parse.
 */
typedef int (*parsec_toml_cb_t)(void *ctx, const char *table, int index, const char *key,
                                const parsec_toml_value_t *value, unsigned line);

/* 0 on success; -1 on a syntax error (*error_line set, *error names it); else the callback's
 * return value (*error_line set to the line of the failing key). */
int parsec_toml_parse(const char *text, size_t length, parsec_toml_cb_t cb, void *ctx,
                      unsigned *error_line, const char **error);

#endif /* PARSEC_TOML_H */
