/* Reader for the NIST CAVP (.rsp) and RFC (.txt) known-answer files of
 * python3-cryptography-vectors. */
#ifndef VECTOR_FILE_H
#define VECTOR_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A file is a list of blocks separated by blank lines. A block that contains the record marker
 * key (given to vf_open, compared case-insensitively) is a record; the key = value pairs of every
 * other block, and "[name = value]" / "[name]" section lines, form a context that later records
 * inherit (a record's own value wins). A line without '=' (such as "FAIL") is a key with an empty
 * value. Lines starting with '#' are comments.
 */
typedef struct vf_file vf_file_t;

typedef struct vf_record {
    size_t line; /* first line of the record, for messages */
    const vf_file_t *file;
} vf_record_t;

/* Opens `relpath` under the vector directory (SS_VECTOR_DIR, or $SS_VECTOR_DIR at run time).
 * Returns NULL and prints why if the file cannot be read: the caller counts that as a failure. */
vf_file_t *vf_open(const char *relpath, const char *record_marker);
/* The same for the published vector files that Debian does not package, kept in the source tree
 * under tests/vectors/data (each file names its source). */
vf_file_t *vf_open_local(const char *relpath, const char *record_marker);
void vf_close(vf_file_t *file);
const char *vf_path(const vf_file_t *file);

/* Advances to the next record; false at the end of the file. */
bool vf_next(vf_file_t *file, vf_record_t *record);

/* The value of `key` (case-insensitive) in the record or its context, or NULL. */
const char *vf_get(const vf_record_t *record, const char *key);
bool vf_has(const vf_record_t *record, const char *key);
/* Decodes a hex value into a new buffer (*out, caller frees; never NULL on success, even for an
 * empty value). False if the key is missing or the value is not hex. */
bool vf_get_hex(const vf_record_t *record, const char *key, uint8_t **out, size_t *out_length);
/* Parses a decimal (or 0x-prefixed hex) integer value. */
bool vf_get_uint(const vf_record_t *record, const char *key, unsigned long long *out);

/* Decodes hex text (whitespace not allowed) into out; false on odd length or a non-hex digit. */
bool vf_hex_decode(const char *hex, uint8_t **out, size_t *out_length);

/* Counters shared by the KAT drivers: each driver reports "<name>: N passed, N failed". */
typedef struct vf_tally {
    unsigned long passed;
    unsigned long failed;
} vf_tally_t;

void vf_pass(vf_tally_t *tally);
/* Records a failure and prints file:line and the reason. */
void vf_fail(vf_tally_t *tally, const vf_record_t *record, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* VECTOR_FILE_H */
