/* psa-tool: command line for PSA keys, signatures, encryption, hashes and ITS/PS objects. */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef PSA_TOOL_HAVE_CLIENT
#include <psa/client.h>
#include <rss/connection.h>
#endif

#include "psa_names.h"
#include "ss_version.h"
#include "tool.h"

static void print_commands(FILE *out, const char *group, const tool_command_t *cmds)
{
    for (const tool_command_t *c = cmds; c->name != NULL; c++) {
        char name[48];
        snprintf(name, sizeof(name), "%s%s%s", group, group[0] != '\0' ? " " : "", c->name);
        fprintf(out, "  %-20s %s\n", name, c->summary);
    }
}

static void usage(FILE *out)
{
    fprintf(out, "usage: psa-tool [--via rss|ts] COMMAND [OPTIONS]    (psa-tool COMMAND --help)\n"
                 "       psa-tool --help | --version\n"
                 "\n");
    print_commands(out, "key", tool_key_commands);
    print_commands(out, "", tool_crypto_commands);
    print_commands(out, "its", tool_its_commands);
    print_commands(out, "ps", tool_ps_commands);
    fprintf(out, "  %-20s %s\n", tool_cert_commands[0].name, tool_cert_commands[0].summary);
    print_commands(out, "cert", tool_cert_commands + 1);
    fprintf(out, "  %-20s %s\n", "status", "show the service reached and its versions");
    fprintf(out, "\nAlgorithm names (--alg):\n");
    psa_names_list_algs(out);
    fprintf(out, "Key types (--type):\n");
    psa_names_list_types(out);
    fprintf(out, "Usage flags (--usage, comma-separated): export copy cache encrypt decrypt\n"
                 "  sign-message verify-message sign-hash verify-hash derive verify-derivation\n"
                 "\nExit status: 0 success, 1 a PSA call failed (its status is printed), 2 usage.\n"
#ifdef PSA_TOOL_HAVE_CLIENT
                 "The service is rssd at $RSS_SOCKET (default /run/rss/rss.sock for root, else\n"
                 "$XDG_RUNTIME_DIR/rss/rss.sock); $PSA_ROUTING=enclave|split chooses the routing.\n"
                 "--via ts takes the Primary Compute path instead: libpsa-ts, through libts and\n"
                 "se-proxy (found in $TS_RUNTIME_DIR) to rssd (psa-tool-ts does the work).\n"
#elif defined(PSA_TOOL_VIA_TS)
                 "The service is se-proxy, found by libts in $TS_RUNTIME_DIR (else /run/ts for\n"
                 "root, else $XDG_RUNTIME_DIR/ts), which forwards to rssd (libpsa-ts).\n"
#else
                 "This build runs the PSA APIs in-process (libpsa-local) on $PSA_STATE_DIR.\n"
#endif
    );
}

#ifdef PSA_TOOL_HAVE_CLIENT
/* TF-M's service ids and stateless handles of the services rssd hosts. */
static void print_version(const char *name, uint32_t sid, uint32_t handle)
{
    uint32_t v = psa_version(sid);
    if (v == PSA_VERSION_NONE) {
        printf("  %-12s sid 0x%08x  handle 0x%08x  not available\n", name, (unsigned)sid,
               (unsigned)handle);
    } else {
        printf("  %-12s sid 0x%08x  handle 0x%08x  version %u\n", name, (unsigned)sid,
               (unsigned)handle, (unsigned)v);
    }
}
#endif

/* tool_fail, then (libpsa) the sockets tried and what each said. */
static int status_unreachable(const char *what, psa_status_t s)
{
    tool_fail(what, s);
#ifdef PSA_TOOL_HAVE_CLIENT
    char why[1024];
    if (rss_connection_error(why, sizeof(why)) > 0) {
        fprintf(stderr, "psa-tool: %s\n", why);
    }
#endif
    return TOOL_EXIT_FAILED;
}

static int cmd_status(int argc, char **argv)
{
    tool_args_t args;
    static const char *const opts[] = {NULL};
    if (!tool_parse(argc, argv, opts, &args)) {
        return TOOL_EXIT_USAGE;
    }
    if (tool_help(&args, "status",
                  "\nShows which service psa-tool reaches, the framework version and the\n"
                  "version of each service; exits 1 when the service cannot be reached.\n")) {
        return TOOL_EXIT_OK;
    }
#ifdef PSA_TOOL_HAVE_CLIENT
    /* What libpsa itself uses, not a guess from the environment. */
    const char *routing = getenv("PSA_ROUTING");
    const char *effective = rss_connection_routing();
    printf("library:     libpsa (RSS comms to rssd)\n");
    if (routing != NULL && routing[0] != '\0' && strcmp(routing, effective) != 0) {
        printf("routing:     %s (PSA_ROUTING=\"%s\" is not a mode: split or enclave)\n", effective,
               routing);
    } else {
        printf("routing:     %s%s\n", effective,
               routing != NULL && routing[0] != '\0' ? " (PSA_ROUTING)" : " (default)");
    }
    char sock[4096];
    const char *env_sock = getenv("RSS_SOCKET");
    if (rss_connection_socket(sock, sizeof(sock)) > 0) {
        printf("socket:      %s%s\n", sock,
               env_sock != NULL && env_sock[0] != '\0' ? " (RSS_SOCKET)" : "");
    }
#elif defined(PSA_TOOL_VIA_TS)
    const char *runtime = getenv("TS_RUNTIME_DIR");
    printf("library:     libpsa-ts (libts to se-proxy)\n");
    printf("TS runtime:  %s\n", runtime != NULL && runtime[0] != '\0'
                                       ? runtime
                                       : "(default: /run/ts for root, else $XDG_RUNTIME_DIR/ts)");
#else
    const char *state = getenv("PSA_STATE_DIR");
    printf("library:     libpsa-local (in-process)\n");
    printf("state dir:   %s\n",
           state != NULL ? state : "(default: $XDG_STATE_HOME/secure-services)");
#endif
    psa_status_t s = psa_crypto_init();
    if (s != PSA_SUCCESS) {
        return status_unreachable("psa_crypto_init", s);
    }
    /* psa_crypto_init may not leave the process (as in TF-M); a storage call always reaches the
     * service, and any answer about this UID proves it is there. */
    struct psa_storage_info_t info;
    s = psa_its_get_info(UINT64_MAX, &info);
    if (s != PSA_SUCCESS && s != PSA_ERROR_DOES_NOT_EXIST) {
        return status_unreachable("reaching the service (psa_its_get_info)", s);
    }
    printf("service:     reached\n");
    printf("crypto API:  %d.%d\n", PSA_CRYPTO_API_VERSION_MAJOR, PSA_CRYPTO_API_VERSION_MINOR);
    printf("storage API: ITS %d.%d, PS %d.%d\n", PSA_ITS_API_VERSION_MAJOR,
           PSA_ITS_API_VERSION_MINOR, PSA_PS_API_VERSION_MAJOR, PSA_PS_API_VERSION_MINOR);
#ifdef PSA_TOOL_HAVE_CLIENT
    uint32_t fw = psa_framework_version();
    printf("framework:   0x%04x (FF-M %u.%u)\n", (unsigned)fw, (unsigned)(fw >> 8),
           (unsigned)(fw & 0xff));
    printf("services:\n");
    print_version("crypto", 0x00000080u, 0x40000100u);
    print_version("ps", 0x00000060u, 0x40000101u);
    print_version("its", 0x00000070u, 0x40000102u);
    print_version("attestation", 0x00000020u, 0x40000103u);
#endif
    return TOOL_EXIT_OK;
}

static const tool_command_t *find(const tool_command_t *cmds, const char *name)
{
    for (const tool_command_t *c = cmds; c->name != NULL; c++) {
        if (strcmp(c->name, name) == 0) {
            return c;
        }
    }
    return NULL;
}

static int run_group(const char *group, const tool_command_t *cmds, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        FILE *out = argc < 2 ? stderr : stdout;
        fprintf(out, "usage: psa-tool %s SUBCOMMAND [OPTIONS]\n", group);
        print_commands(out, group, cmds);
        if (strcmp(group, "key") == 0) {
            fprintf(out, "Key types (--type):\n");
            psa_names_list_types(out);
            fprintf(out, "Algorithm names (--alg):\n");
            psa_names_list_algs(out);
        }
        return argc < 2 ? TOOL_EXIT_USAGE : TOOL_EXIT_OK;
    }
    const tool_command_t *c = find(cmds, argv[1]);
    if (c == NULL) {
        return tool_usage_error("unknown command '%s %s' (see psa-tool %s --help)", group, argv[1],
                                group);
    }
    return c->run(argc - 1, argv + 1);
}

#if defined(PSA_TOOL_HAVE_CLIENT) || defined(PSA_TOOL_VIA_TS)
/* --via rss|ts: the path this program takes (libpsa: rss; libpsa-ts: ts), or the other program,
 * psa-tool or psa-tool-ts beside this one, run with the same arguments. */
static int via(int *argc, char ***argv)
{
#ifdef PSA_TOOL_VIA_TS
    const char *mine = "ts", *other = "rss", *other_name = "psa-tool";
#else
    const char *mine = "rss", *other = "ts", *other_name = "psa-tool-ts";
#endif
    if (*argc < 3 || (strcmp((*argv)[2], mine) != 0 && strcmp((*argv)[2], other) != 0)) {
        return tool_usage_error("--via takes rss or ts");
    }
    if (strcmp((*argv)[2], mine) == 0) {
        (*argv)[2] = (*argv)[0];
        *argv += 2;
        *argc -= 2;
        return -1; /* go on here */
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash = n > 0 ? memrchr(self, '/', (size_t)n) : NULL;
    if (slash == NULL || (size_t)(slash + 1 - self) + strlen(other_name) >= sizeof(self)) {
        fprintf(stderr, "psa-tool: cannot tell where %s is\n", other_name);
        return TOOL_EXIT_FAILED;
    }
    strcpy(slash + 1, other_name);
    (*argv)[2] = self;
    execv(self, *argv + 2);
    fprintf(stderr, "psa-tool: cannot run %s: %s\n", self, strerror(errno));
    return TOOL_EXIT_FAILED;
}
#endif

int main(int argc, char **argv)
{
#if defined(PSA_TOOL_HAVE_CLIENT) || defined(PSA_TOOL_VIA_TS)
    if (argc >= 2 && strcmp(argv[1], "--via") == 0) {
        int rc = via(&argc, &argv);
        if (rc >= 0) {
            return rc;
        }
    }
#endif
    if (argc < 2) {
        usage(stderr);
        return TOOL_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return TOOL_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("psa-tool (%s) %s\n", SS_PROJECT_NAME, SS_VERSION);
        return TOOL_EXIT_OK;
    }
    if (strcmp(cmd, "key") == 0 || strcmp(cmd, "keys") == 0) {
        return run_group("key", tool_key_commands, argc - 1, argv + 1);
    }
    if (strcmp(cmd, "its") == 0) {
        return run_group("its", tool_its_commands, argc - 1, argv + 1);
    }
    if (strcmp(cmd, "ps") == 0) {
        return run_group("ps", tool_ps_commands, argc - 1, argv + 1);
    }
    if (strcmp(cmd, "csr") == 0) {
        return tool_cert_commands[0].run(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "cert") == 0) {
        return run_group("cert", tool_cert_commands + 1, argc - 1, argv + 1);
    }
    if (strcmp(cmd, "status") == 0) {
        return cmd_status(argc - 1, argv + 1);
    }
    const tool_command_t *c = find(tool_crypto_commands, cmd);
    if (c == NULL) {
        return tool_usage_error("unknown command '%s' (see psa-tool --help)", cmd);
    }
    return c->run(argc - 1, argv + 1);
}
