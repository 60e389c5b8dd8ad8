/* psa-tool its / ps: set, get, info, remove on ITS and PS; create, set-extended, support on PS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

typedef struct storage_calls {
    const char *prefix; /* "psa_its" or "psa_ps", for messages */
    psa_status_t (*set)(psa_storage_uid_t, size_t, const void *, psa_storage_create_flags_t);
    psa_status_t (*get)(psa_storage_uid_t, size_t, size_t, void *, size_t *);
    psa_status_t (*get_info)(psa_storage_uid_t, struct psa_storage_info_t *);
    psa_status_t (*remove)(psa_storage_uid_t);
} storage_calls_t;

static const storage_calls_t its_calls = {"psa_its", psa_its_set, psa_its_get, psa_its_get_info,
                                          psa_its_remove};
static const storage_calls_t ps_calls = {"psa_ps", psa_ps_set, psa_ps_get, psa_ps_get_info,
                                         psa_ps_remove};

static int fail(const storage_calls_t *c, const char *call, psa_status_t s)
{
    char what[48];
    snprintf(what, sizeof(what), "%s_%s", c->prefix, call);
    return tool_fail(what, s);
}

/* Parses the options and the UID positional of a storage command. */
static int begin(int argc, char **argv, const char *const *opts, const char *name, const char *help,
                 tool_args_t *args, psa_storage_uid_t *uid)
{
    if (!tool_parse(argc, argv, opts, args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(args, name, help)) {
        return -1;
    }
    uint64_t v;
    if (args->npositional != 1 || !tool_parse_u64(args->positional[0], &v)) {
        return tool_usage_error("%s needs one UID (decimal or 0x hex)", name);
    }
    *uid = v;
    return TOOL_EXIT_OK;
}

/* uid starts at 0 because gcc -O3 cannot see that begin() sets it whenever it returns OK. */
#define BEGIN(opts, name, help)                                                                    \
    tool_args_t args;                                                                              \
    psa_storage_uid_t uid = 0;                                                                     \
    int begin_rc = begin(argc, argv, opts, name, help, &args, &uid);                               \
    if (begin_rc != TOOL_EXIT_OK) {                                                                \
        return begin_rc < 0 ? TOOL_EXIT_OK : begin_rc;                                             \
    }

static const char *const set_opts[] = {"in", "flags", NULL};
static const char *const get_opts[] = {"out", "offset", "length", NULL};
static const char *const no_opts[] = {NULL};

static int do_set(const storage_calls_t *c, int argc, char **argv, const char *name,
                  const char *help)
{
    BEGIN(set_opts, name, help);
    psa_storage_create_flags_t flags = PSA_STORAGE_FLAG_NONE;
    if (tool_opt(&args, "flags") != NULL &&
        !tool_parse_storage_flags(tool_opt(&args, "flags"), &flags)) {
        return tool_usage_error("--flags takes write-once, no-confidentiality, "
                                "no-replay-protection (comma-separated)");
    }
    uint8_t *data = NULL;
    size_t len = 0;
    if (!tool_read_input(tool_opt(&args, "in"), &data, &len)) {
        return TOOL_EXIT_FAILED;
    }
    psa_status_t s = c->set(uid, len, data, flags);
    free(data);
    return s == PSA_SUCCESS ? TOOL_EXIT_OK : fail(c, "set", s);
}

static int do_get(const storage_calls_t *c, int argc, char **argv, const char *name,
                  const char *help)
{
    BEGIN(get_opts, name, help);
    uint64_t offset = 0, length = 0;
    struct psa_storage_info_t info;
    if (tool_opt(&args, "offset") != NULL && !tool_parse_u64(tool_opt(&args, "offset"), &offset)) {
        return tool_usage_error("--offset takes a number of bytes");
    }
    psa_status_t s = c->get_info(uid, &info);
    if (s != PSA_SUCCESS) {
        return fail(c, "get_info", s);
    }
    length = info.size > offset ? info.size - offset : 0;
    if (tool_opt(&args, "length") != NULL && !tool_parse_u64(tool_opt(&args, "length"), &length)) {
        return tool_usage_error("--length takes a number of bytes");
    }
    uint8_t *buf = malloc(length > 0 ? (size_t)length : 1);
    size_t got = 0;
    if (buf == NULL) {
        return tool_fail("allocating the output", PSA_ERROR_INSUFFICIENT_MEMORY);
    }
    s = c->get(uid, (size_t)offset, (size_t)length, buf, &got);
    int rc = s != PSA_SUCCESS                                      ? fail(c, "get", s)
             : tool_write_output(tool_opt(&args, "out"), buf, got) ? TOOL_EXIT_OK
                                                                   : TOOL_EXIT_FAILED;
    free(buf);
    return rc;
}

static int do_info(const storage_calls_t *c, int argc, char **argv, const char *name,
                   const char *help)
{
    BEGIN(no_opts, name, help);
    struct psa_storage_info_t info;
    psa_status_t s = c->get_info(uid, &info);
    if (s != PSA_SUCCESS) {
        return fail(c, "get_info", s);
    }
    printf("uid:      0x%016llx\nsize:     %zu\ncapacity: %zu\nflags:    0x%08x%s%s%s\n",
           (unsigned long long)uid, info.size, info.capacity, (unsigned)info.flags,
           (info.flags & PSA_STORAGE_FLAG_WRITE_ONCE) ? " write-once" : "",
           (info.flags & PSA_STORAGE_FLAG_NO_CONFIDENTIALITY) ? " no-confidentiality" : "",
           (info.flags & PSA_STORAGE_FLAG_NO_REPLAY_PROTECTION) ? " no-replay-protection" : "");
    return TOOL_EXIT_OK;
}

static int do_remove(const storage_calls_t *c, int argc, char **argv, const char *name,
                     const char *help)
{
    BEGIN(no_opts, name, help);
    psa_status_t s = c->remove(uid);
    return s == PSA_SUCCESS ? TOOL_EXIT_OK : fail(c, "remove", s);
}

#define HELP_SET                                                                                   \
    "  UID [--in FILE|-] [--flags write-once,no-confidentiality,no-replay-protection]\n"           \
    "Stores the file (standard input without --in) as the object UID, replacing it.\n"
#define HELP_GET                                                                                   \
    "  UID [--out FILE|-] [--offset N] [--length N]\n"                                             \
    "Writes the object's data (from --offset, at most --length bytes) to the file or standard\n"   \
    "output.\n"
#define HELP_INFO   "  UID\nPrints the size, capacity and flags of the object.\n"
#define HELP_REMOVE "  UID\nRemoves the object (write-once objects cannot be removed).\n"

static int its_set(int argc, char **argv)
{
    return do_set(&its_calls, argc, argv, "its set", HELP_SET);
}
static int its_get(int argc, char **argv)
{
    return do_get(&its_calls, argc, argv, "its get", HELP_GET);
}
static int its_info(int argc, char **argv)
{
    return do_info(&its_calls, argc, argv, "its info", HELP_INFO);
}
static int its_remove(int argc, char **argv)
{
    return do_remove(&its_calls, argc, argv, "its remove", HELP_REMOVE);
}
static int ps_set(int argc, char **argv)
{
    return do_set(&ps_calls, argc, argv, "ps set", HELP_SET);
}
static int ps_get(int argc, char **argv)
{
    return do_get(&ps_calls, argc, argv, "ps get", HELP_GET);
}
static int ps_info(int argc, char **argv)
{
    return do_info(&ps_calls, argc, argv, "ps info", HELP_INFO);
}
static int ps_remove(int argc, char **argv)
{
    return do_remove(&ps_calls, argc, argv, "ps remove", HELP_REMOVE);
}

#define HELP_CREATE                                                                                \
    "  UID --capacity N [--flags no-confidentiality,no-replay-protection]\n"                       \
    "Creates an empty object that set-extended can fill up to N bytes.\n"

static const char *const create_opts[] = {"capacity", "flags", NULL};

static int ps_create(int argc, char **argv)
{
    BEGIN(create_opts, "ps create", HELP_CREATE);
    uint64_t capacity;
    psa_storage_create_flags_t flags = PSA_STORAGE_FLAG_NONE;
    if (!tool_parse_u64(tool_opt(&args, "capacity"), &capacity)) {
        return tool_usage_error("--capacity N is required");
    }
    if (tool_opt(&args, "flags") != NULL &&
        !tool_parse_storage_flags(tool_opt(&args, "flags"), &flags)) {
        return tool_usage_error("unknown flag in --flags");
    }
    psa_status_t s = psa_ps_create(uid, (size_t)capacity, flags);
    return s == PSA_SUCCESS ? TOOL_EXIT_OK : fail(&ps_calls, "create", s);
}

#define HELP_SET_EXTENDED                                                                          \
    "  UID --offset N [--in FILE|-]\n"                                                             \
    "Writes the file into the object at byte N (at most the current size: no gaps).\n"

static const char *const extended_opts[] = {"offset", "in", NULL};

static int ps_set_extended(int argc, char **argv)
{
    BEGIN(extended_opts, "ps set-extended", HELP_SET_EXTENDED);
    uint64_t offset;
    if (!tool_parse_u64(tool_opt(&args, "offset"), &offset)) {
        return tool_usage_error("--offset N is required");
    }
    uint8_t *data = NULL;
    size_t len = 0;
    if (!tool_read_input(tool_opt(&args, "in"), &data, &len)) {
        return TOOL_EXIT_FAILED;
    }
    psa_status_t s = psa_ps_set_extended(uid, (size_t)offset, len, data);
    free(data);
    return s == PSA_SUCCESS ? TOOL_EXIT_OK : fail(&ps_calls, "set_extended", s);
}

static int ps_support(int argc, char **argv)
{
    tool_args_t args;
    if (!tool_parse(argc, argv, no_opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "ps support", "\nPrints what psa_ps_get_support() reports.\n")) {
        return TOOL_EXIT_OK;
    }
    uint32_t support = psa_ps_get_support();
    printf("0x%08x%s\n", (unsigned)support,
           (support & PSA_STORAGE_SUPPORT_SET_EXTENDED) ? " set-extended (create, set-extended)"
                                                        : "");
    return TOOL_EXIT_OK;
}

const tool_command_t tool_its_commands[] = {
    {"set", its_set, "store a file as an ITS object", HELP_SET},
    {"get", its_get, "write an ITS object's data", HELP_GET},
    {"info", its_info, "show an ITS object's size and flags", HELP_INFO},
    {"remove", its_remove, "remove an ITS object", HELP_REMOVE},
    {NULL, NULL, NULL, NULL},
};

const tool_command_t tool_ps_commands[] = {
    {"set", ps_set, "store a file as a PS object", HELP_SET},
    {"get", ps_get, "write a PS object's data", HELP_GET},
    {"info", ps_info, "show a PS object's size, capacity and flags", HELP_INFO},
    {"remove", ps_remove, "remove a PS object", HELP_REMOVE},
    {"create", ps_create, "create an empty PS object of a given capacity", HELP_CREATE},
    {"set-extended", ps_set_extended, "write into a PS object at an offset", HELP_SET_EXTENDED},
    {"support", ps_support, "show the optional PS functions supported",
     "\nPrints what psa_ps_get_support() reports.\n"},
    {NULL, NULL, NULL, NULL},
};
