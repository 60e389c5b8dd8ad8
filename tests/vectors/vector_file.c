/* Reader for the NIST CAVP (.rsp) and RFC (.txt) known-answer files of
 * python3-cryptography-vectors. */
#include "vector_file.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char section_key[] = "section";

#ifndef SS_LOCAL_VECTOR_DIR
#error "SS_LOCAL_VECTOR_DIR (tests/vectors/data) must be defined"
#endif
#ifndef SS_VECTOR_DIR
#define SS_VECTOR_DIR "/usr/lib/python3/dist-packages/cryptography_vectors"
#endif

typedef struct vf_pair {
    char *key;
    char *value;
} vf_pair_t;

typedef struct vf_list {
    vf_pair_t *pairs;
    size_t count;
    size_t capacity;
} vf_list_t;

struct vf_file {
    FILE *fp;
    char *path;
    char *marker;
    size_t line_number;
    vf_list_t context;
    vf_list_t record;
};

static char *vf_strdup_trimmed(const char *begin, const char *end)
{
    while (begin < end && isspace((unsigned char)*begin)) {
        begin++;
    }
    while (end > begin && isspace((unsigned char)end[-1])) {
        end--;
    }
    size_t n = (size_t)(end - begin);
    char *s = malloc(n + 1);
    if (s == NULL) {
        abort();
    }
    memcpy(s, begin, n);
    s[n] = '\0';
    return s;
}

static void vf_list_clear(vf_list_t *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->pairs[i].key);
        free(list->pairs[i].value);
    }
    list->count = 0;
}

static void vf_list_free(vf_list_t *list)
{
    vf_list_clear(list);
    free(list->pairs);
    list->pairs = NULL;
    list->capacity = 0;
}

static vf_pair_t *vf_list_find(const vf_list_t *list, const char *key)
{
    for (size_t i = 0; i < list->count; i++) {
        if (strcasecmp(list->pairs[i].key, key) == 0) {
            return &list->pairs[i];
        }
    }
    return NULL;
}

/* Takes ownership of key and value; replaces an existing entry of the same key. */
static void vf_list_put(vf_list_t *list, char *key, char *value)
{
    vf_pair_t *existing = vf_list_find(list, key);
    if (existing != NULL) {
        free(existing->value);
        existing->value = value;
        free(key);
        return;
    }
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 8;
        vf_pair_t *pairs = realloc(list->pairs, capacity * sizeof(*pairs));
        if (pairs == NULL) {
            abort();
        }
        list->pairs = pairs;
        list->capacity = capacity;
    }
    list->pairs[list->count].key = key;
    list->pairs[list->count].value = value;
    list->count++;
}

static vf_file_t *vf_open_in(const char *dir, const char *relpath, const char *record_marker);

vf_file_t *vf_open(const char *relpath, const char *record_marker)
{
    const char *dir = getenv("SS_VECTOR_DIR");
    if (dir == NULL || dir[0] == '\0') {
        dir = SS_VECTOR_DIR;
    }
    return vf_open_in(dir, relpath, record_marker);
}

vf_file_t *vf_open_local(const char *relpath, const char *record_marker)
{
    return vf_open_in(SS_LOCAL_VECTOR_DIR, relpath, record_marker);
}

static vf_file_t *vf_open_in(const char *dir, const char *relpath, const char *record_marker)
{
    size_t n = strlen(dir) + strlen(relpath) + 2;
    char *path = malloc(n);
    if (path == NULL) {
        abort();
    }
    snprintf(path, n, "%s/%s", dir, relpath);
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        fprintf(stderr, "cannot open vector file %s: %s\n", path, strerror(errno));
        free(path);
        return NULL;
    }
    vf_file_t *file = calloc(1, sizeof(*file));
    if (file == NULL) {
        abort();
    }
    file->fp = fp;
    file->path = path;
    file->marker = strdup(record_marker);
    if (file->marker == NULL) {
        abort();
    }
    return file;
}

void vf_close(vf_file_t *file)
{
    if (file == NULL) {
        return;
    }
    fclose(file->fp);
    vf_list_free(&file->context);
    vf_list_free(&file->record);
    free(file->path);
    free(file->marker);
    free(file);
}

const char *vf_path(const vf_file_t *file)
{
    return file->path;
}

/* Reads one block into file->record; returns false at end of file with an empty block. */
static bool vf_read_block(vf_file_t *file, size_t *first_line)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool any = false;

    vf_list_clear(&file->record);
    while ((len = getline(&line, &cap, file->fp)) >= 0) {
        file->line_number++;
        char *end = line + len;
        while (end > line && (end[-1] == '\n' || end[-1] == '\r')) {
            *--end = '\0';
        }
        char *p = line;
        while (*p != '\0' && isspace((unsigned char)*p)) {
            p++;
        }
        if (*p == '#') {
            continue;
        }
        if (*p == '\0') {
            if (any) {
                break;
            }
            continue;
        }
        if (*p == '[') {
            /* Section line: goes straight to the context. */
            char *close = strchr(p, ']');
            char *inner_end = close ? close : end;
            char *eq = memchr(p + 1, '=', (size_t)(inner_end - (p + 1)));
            if (eq != NULL) {
                vf_list_put(&file->context, vf_strdup_trimmed(p + 1, eq),
                            vf_strdup_trimmed(eq + 1, inner_end));
            } else {
                vf_list_put(&file->context, vf_strdup_trimmed(section_key, section_key + 7),
                            vf_strdup_trimmed(p + 1, inner_end));
            }
            continue;
        }
        if (!any) {
            *first_line = file->line_number;
        }
        any = true;
        char *eq = strchr(p, '=');
        if (eq != NULL) {
            vf_list_put(&file->record, vf_strdup_trimmed(p, eq), vf_strdup_trimmed(eq + 1, end));
        } else {
            vf_list_put(&file->record, vf_strdup_trimmed(p, end), vf_strdup_trimmed(end, end));
        }
    }
    free(line);
    return any;
}

bool vf_next(vf_file_t *file, vf_record_t *record)
{
    size_t first_line = 0;
    while (vf_read_block(file, &first_line)) {
        if (vf_list_find(&file->record, file->marker) != NULL) {
            record->line = first_line;
            record->file = file;
            return true;
        }
        /* Not a record: its pairs become context for the records that follow. */
        for (size_t i = 0; i < file->record.count; i++) {
            vf_list_put(&file->context, file->record.pairs[i].key, file->record.pairs[i].value);
        }
        file->record.count = 0;
    }
    return false;
}

const char *vf_get(const vf_record_t *record, const char *key)
{
    const vf_pair_t *pair = vf_list_find(&record->file->record, key);
    if (pair == NULL) {
        pair = vf_list_find(&record->file->context, key);
    }
    return pair ? pair->value : NULL;
}

bool vf_has(const vf_record_t *record, const char *key)
{
    return vf_get(record, key) != NULL;
}

static int vf_hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool vf_hex_decode(const char *hex, uint8_t **out, size_t *out_length)
{
    size_t n = strlen(hex);
    if (n % 2 != 0) {
        return false;
    }
    uint8_t *buf = malloc(n / 2 + 1);
    if (buf == NULL) {
        abort();
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = vf_hex_digit(hex[2 * i]);
        int lo = vf_hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(buf);
            return false;
        }
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    *out = buf;
    *out_length = n / 2;
    return true;
}

bool vf_get_hex(const vf_record_t *record, const char *key, uint8_t **out, size_t *out_length)
{
    const char *value = vf_get(record, key);
    if (value == NULL) {
        return false;
    }
    return vf_hex_decode(value, out, out_length);
}

bool vf_get_uint(const vf_record_t *record, const char *key, unsigned long long *out)
{
    const char *value = vf_get(record, key);
    if (value == NULL || value[0] == '\0') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 0);
    if (errno != 0 || *end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

void vf_pass(vf_tally_t *tally)
{
    tally->passed++;
}

void vf_fail(vf_tally_t *tally, const vf_record_t *record, const char *fmt, ...)
{
    va_list ap;
    tally->failed++;
    if (record != NULL) {
        fprintf(stderr, "%s:%zu: ", vf_path(record->file), record->line);
    }
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
