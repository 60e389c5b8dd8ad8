/* psa-tool internals: command table entry, option parsing, input/output and error reporting. */
#ifndef PSA_TOOL_H
#define PSA_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <psa/crypto.h>
#include <psa/internal_trusted_storage.h>
#include <psa/protected_storage.h>

/* Exit statuses: 0 success, 1 a PSA call failed (or a signature did not verify), 2 usage. */
#define TOOL_EXIT_OK     0
#define TOOL_EXIT_FAILED 1
#define TOOL_EXIT_USAGE  2

typedef struct tool_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    const char *summary;
    const char *help; /* full text for --help */
} tool_command_t;

/* Command groups, one per source file. */
extern const tool_command_t tool_key_commands[];
extern const tool_command_t tool_crypto_commands[];
extern const tool_command_t tool_its_commands[];
extern const tool_command_t tool_ps_commands[];
/* csr (run as "psa-tool csr") and self-sign (as "psa-tool cert self-sign"): cert.c */
extern const tool_command_t tool_cert_commands[];

/* Options are "--name value" or "--name=value"; flags are "--name". Positionals are kept. */
#define TOOL_MAX_OPTS 16
typedef struct tool_args {
    const char *names[TOOL_MAX_OPTS];
    const char *values[TOOL_MAX_OPTS];
    int count;
    const char *positional[8];
    int npositional;
    bool help;
} tool_args_t;

/* Parses argv against the option names a command accepts (flags end with '!'); prints the
 * problem and returns false on an unknown option or a missing value. */
bool tool_parse(int argc, char **argv, const char *const *accepted, tool_args_t *args);
const char *tool_opt(const tool_args_t *args, const char *name);
bool tool_flag(const tool_args_t *args, const char *name);

/* Prints "psa-tool: WHAT: PSA_ERROR_X (n): sentence" and returns TOOL_EXIT_FAILED. */
int tool_fail(const char *what, psa_status_t status);
/* tool_fail, and for PSA_ERROR_NOT_PERMITTED the key's type, usage and algorithms beside the
 * usage and algorithm the call asked for. */
int tool_fail_key(const char *what, psa_status_t status, psa_key_id_t key, psa_key_usage_t usage,
                  psa_algorithm_t alg);
/* Prints "psa-tool: message" and returns TOOL_EXIT_USAGE (or FAILED for runtime problems). */
int tool_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tool_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a command's help text when --help was given; returns true if it did. */
bool tool_help(const tool_args_t *args, const char *name, const char *help);

/* Reads a whole file, or standard input for NULL or "-". The caller frees *data. */
bool tool_read_input(const char *path, uint8_t **data, size_t *length);
/* Writes to a file (mode 0600 for secrets is not needed: outputs are public or encrypted), or to
 * standard output for NULL or "-". */
bool tool_write_output(const char *path, const uint8_t *data, size_t length);

/* Streaming (stream.c): inputs are read and outputs written TOOL_CHUNK bytes at a time, so that
 * memory stays bounded whatever the size of the file. */
#define TOOL_CHUNK ((size_t)1 << 20)

typedef struct tool_input {
    FILE *f;
    const char *name; /* for messages: the path or "standard input" */
    const char *what; /* the command, for the progress line */
    long long size;   /* -1 when not a regular file */
    uint64_t done;
    bool owned, progress, shown_any;
    unsigned shown_pct;
    uint64_t shown_step;
} tool_input_t;

/* Opens a file, or standard input for NULL or "-"; the progress line is on for a terminal on
 * stderr unless quiet. */
bool tool_input_open(tool_input_t *in, const char *path, const char *what, bool quiet);
/* Reads up to n bytes, fewer only at the end of the input. */
bool tool_input_read(tool_input_t *in, uint8_t *buf, size_t n, size_t *got);
/* True when nothing is left to read. */
bool tool_input_at_end(tool_input_t *in);
/* Ends the progress line (before a message, or when the input is done). */
void tool_input_end_progress(tool_input_t *in);
void tool_input_close(tool_input_t *in);

typedef struct tool_output {
    FILE *f;
    const char *name;
    char *tmp;    /* a regular file is written here, renamed to name on commit */
    bool regular; /* the output is a regular file (commit is atomic, discard leaves nothing) */
} tool_output_t;

/* Standard output for NULL or "-". */
bool tool_output_open(tool_output_t *out, const char *path);
bool tool_output_write(tool_output_t *out, const uint8_t *data, size_t length);
/* Flushes and, for a regular file, renames it into place. */
bool tool_output_commit(tool_output_t *out);
/* Abandons the output: a regular file's temporary file is removed. */
void tool_output_discard(tool_output_t *out);

bool tool_parse_u64(const char *text, uint64_t *value);
bool tool_parse_key_id(const char *text, psa_key_id_t *id);
/* Requires --id and reads it. */
bool tool_require_key_id(const tool_args_t *args, psa_key_id_t *id);
bool tool_parse_storage_flags(const char *text, psa_storage_create_flags_t *flags);
void tool_print_hex(const uint8_t *data, size_t length);

/* psa_crypto_init, reported as an error when it fails (e.g. rssd is not running). */
bool tool_crypto_init(void);

/* Converts between PSA key formats and OpenSSL's DER/PEM (keys_format.c). */
psa_status_t tool_key_from_file(const uint8_t *file, size_t file_length, bool pem,
                                psa_key_type_t *type, size_t *bits, uint8_t **psa_data,
                                size_t *psa_length);
psa_status_t tool_public_key_to_spki(psa_key_type_t type, size_t bits, const uint8_t *data,
                                     size_t length, bool pem, uint8_t **out, size_t *out_length);
/* ECDSA signatures: PSA's r || s and the DER ECDSA-Sig-Value OpenSSL uses. */
bool tool_ecdsa_raw_to_der(const uint8_t *raw, size_t raw_length, uint8_t **der,
                           size_t *der_length);
bool tool_ecdsa_der_to_raw(const uint8_t *der, size_t der_length, size_t field_bytes, uint8_t *raw);

#endif /* PSA_TOOL_H */
