/* smm-gateway: the SMM Gateway partition as a daemon. MM communicate on its socket (the binding
 * of src/uefi/smm_endpoint.h), the UEFI variables kept in Protected Storage in rssd. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/identity.h"
#include "daemon/log.h"
#include "daemon/server.h"
#include "ss_version.h"
#include "ts/ts_packet.h"
#include "ts/ts_runtime.h"
#include "uefi/smm_endpoint.h"
#include "uefi/var_client.h"
#include "uefi/var_defaults.h"

/*
 * The variables are the device's, not a caller's: every connection reaches the one store, and
 * the store is in the PS partition of the gateway's own uid in rssd (libpsa, as a client of its
 * own), so only the gateway writes those objects and no other uid can read them through rssd.
 * Who may connect is the policy's: without --policy, root and the gateway's own uid.
 */

typedef struct gateway_conn {
    smm_connection_t smm;
    bool open;
} gateway_conn_t;

static smm_gateway_t *gateway;
static ts_endpoint_t endpoint;

static bool gateway_connect(daemon_conn_t *conn)
{
    gateway_conn_t *gc = daemon_conn_state(conn);
    if (daemon_conn_role(conn) == DAEMON_ROLE_REFUSED) {
        return false; /* closed at once, before any reply */
    }
    uid_t uid;
    pid_t pid;
    daemon_conn_peer(conn, &uid, &pid);
    gc->open = smm_connection_open(&gc->smm, &endpoint, uid, pid);
    return gc->open;
}

static void gateway_disconnect(daemon_conn_t *conn)
{
    gateway_conn_t *gc = daemon_conn_state(conn);
    if (gc->open) {
        smm_connection_close(&gc->smm);
        gc->open = false;
    }
}

/* One 20-byte packet in, one out; anything else is dropped with its connection. */
static size_t gateway_serve(daemon_conn_t *conn, const uint8_t *msg, size_t length,
                            size_t full_length, int fd, uint8_t *reply, size_t reply_size)
{
    gateway_conn_t *gc = daemon_conn_state(conn);
    uint32_t in[TS_RPC_WORDS], out[TS_RPC_WORDS];
    if (full_length != length || reply_size < TS_RPC_PACKET_BYTES ||
        !ts_packet_decode(msg, length, in)) {
        if (fd >= 0) {
            close(fd);
        }
        daemon_conn_drop(conn);
        return 0;
    }
    smm_connection_serve(&gc->smm, gateway, in, fd, out);
    ts_packet_encode(out, reply);
    return TS_RPC_PACKET_BYTES;
}

static const daemon_protocol_t gateway_protocol = {
    .max_message = TS_RPC_PACKET_BYTES,
    .max_reply = TS_RPC_PACKET_BYTES,
    .state_size = sizeof(gateway_conn_t),
    .serve = gateway_serve,
    .connect = gateway_connect,
    .disconnect = gateway_disconnect,
};

/* Every SetVariable and VarCheck property change, with its caller and outcome. */
static void audit(void *ctx, const smm_caller_t *caller, uint64_t function, const uint8_t *name,
                  size_t name_size, efi_status_t status)
{
    (void)ctx;
    char text[256] = "?";
    if (name_size > 0) {
        (void)var_name_to_utf8(name, name_size, text, sizeof(text));
    }
    char buf[40];
    daemon_log(status == EFI_SUCCESS ? DAEMON_LOG_INFO : DAEMON_LOG_WARNING,
               "uid %u pid %d: function %llu on %s: %s", (unsigned)caller->uid, (int)caller->pid,
               (unsigned long long)function, text, var_efi_status_name(status, buf, sizeof(buf)));
}

/* ---- main ------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: smm-gateway [--socket PATH] [--rss-socket PATH] [--foreground]\n"
            "                   [--policy FILE] [--workers N] [--max-connections-per-uid N]\n"
            "                   [--defaults DIR]\n"
            "                   [--max-variables N] [--max-data-size BYTES]\n"
            "                   [--max-name-units N] [--log-level error|warning|info|debug]\n"
            "       smm-gateway --help | --version\n"
            "Serves the UEFI SMM variable service (MM communicate) and keeps the variables in\n"
            "Protected Storage in rssd (smm-gateway(8)).\n"
            "Socket: --socket, else smm-gateway.sock in the TS runtime directory\n"
            "($TS_RUNTIME_DIR, else /run/ts for root, else $XDG_RUNTIME_DIR/ts). rssd:\n"
            "--rss-socket, else $RSS_SOCKET, then the defaults. The policy file says which uids\n"
            "may connect (docs/rssd.md's format; without one, root and smm-gateway's own uid).\n"
            "--defaults DIR serves PKDefault, KEKDefault, dbDefault, dbxDefault, dbtDefault and\n"
            "dbrDefault found there. Limits default to 256 variables, 32768 bytes of data and\n"
            "512 UTF-16 units per name; a uid may keep 32 connections open.\n");
}

static bool parse_size(const char *option, const char *text, unsigned long min, unsigned long max,
                       size_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < min || v > max) {
        fprintf(stderr, "smm-gateway: --%s %s: expected a whole number from %lu to %lu\n", option,
                text, min, max);
        return false;
    }
    *out = (size_t)v;
    return true;
}

/* Without --policy: root and our own uid are clients, everyone else is refused. */
static psa_status_t load_policy(const char *path, daemon_policy_t **policy)
{
    daemon_policy_error_t error;
    psa_status_t status;
    if (path != NULL) {
        status = daemon_policy_load_explained(path, policy, &error);
    } else {
        char text[96];
        snprintf(text, sizeof(text), "default refused\nuid 0 client\nuid %u client\n",
                 (unsigned)geteuid());
        FILE *f = fmemopen(text, strlen(text), "r");
        if (f == NULL) {
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        status = daemon_policy_read_explained(f, policy, &error);
        fclose(f);
        path = "(built in)";
    }
    if (status != PSA_SUCCESS) {
        fprintf(stderr, "smm-gateway: policy %s, line %u: %s\n", path, error.line, error.text);
    }
    return status;
}

/* The store needs rssd: until rssd answers, wait for it (a supervisor may start both at once);
 * any other failure — a damaged index above all — is reported and ends the daemon, never
 * served as an empty store. */
static psa_status_t open_store(const smm_gateway_config_t *config)
{
    bool told = false;
    for (;;) {
        psa_status_t status = smm_gateway_open(config, &gateway);
        if (status != PSA_ERROR_COMMUNICATION_FAILURE) {
            return status;
        }
        if (!told) {
            daemon_log(DAEMON_LOG_WARNING, "rssd does not answer yet; waiting for it");
            told = true;
        }
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

/* What the store opens with; the defaults are freed once it has copied them. */
typedef struct store_start {
    const smm_gateway_config_t *config;
    smm_default_var_t *defaults;
    size_t default_count;
} store_start_t;

/* daemon_run's prepare: after detaching, before the socket exists. */
static bool prepare_store(void *ctx)
{
    store_start_t *start = ctx;
    psa_status_t status = open_store(start->config);
    var_free_defaults(start->defaults, start->default_count);
    start->default_count = 0;
    if (status != PSA_SUCCESS) {
        gateway = NULL;
        daemon_log(DAEMON_LOG_ERROR, "cannot open the variable store (PSA status %d): %s",
                   (int)status,
                   status == PSA_ERROR_INVALID_ARGUMENT ? "a default database is malformed"
                   : status == PSA_ERROR_DATA_CORRUPT || status == PSA_ERROR_STORAGE_FAILURE
                       ? "its index in Protected Storage cannot be loaded"
                       : "see the PSA status");
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    enum {
        OPT_SOCKET = 1,
        OPT_RSS,
        OPT_FOREGROUND,
        OPT_POLICY,
        OPT_WORKERS,
        OPT_PER_UID,
        OPT_DEFAULTS,
        OPT_MAX_VARIABLES,
        OPT_MAX_DATA,
        OPT_MAX_NAME,
        OPT_LEVEL,
        OPT_HELP,
        OPT_VERSION
    };
    static const struct option options[] = {
        {"socket", required_argument, NULL, OPT_SOCKET},
        {"rss-socket", required_argument, NULL, OPT_RSS},
        {"foreground", no_argument, NULL, OPT_FOREGROUND},
        {"policy", required_argument, NULL, OPT_POLICY},
        {"workers", required_argument, NULL, OPT_WORKERS},
        {"max-connections-per-uid", required_argument, NULL, OPT_PER_UID},
        {"defaults", required_argument, NULL, OPT_DEFAULTS},
        {"max-variables", required_argument, NULL, OPT_MAX_VARIABLES},
        {"max-data-size", required_argument, NULL, OPT_MAX_DATA},
        {"max-name-units", required_argument, NULL, OPT_MAX_NAME},
        {"log-level", required_argument, NULL, OPT_LEVEL},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    const char *socket_path = NULL, *policy_path = NULL, *defaults_dir = NULL;
    bool foreground = false;
    size_t workers = 2, per_uid = 32;
    daemon_log_level_t level = DAEMON_LOG_WARNING;
    smm_gateway_config_t config;
    memset(&config, 0, sizeof(config));
    var_store_config_defaults(&config.store);
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case OPT_SOCKET:
            socket_path = optarg;
            break;
        case OPT_RSS:
            /* libpsa finds rssd by $RSS_SOCKET first */
            ok = setenv("RSS_SOCKET", optarg, 1) == 0;
            break;
        case OPT_FOREGROUND:
            foreground = true;
            break;
        case OPT_POLICY:
            policy_path = optarg;
            break;
        case OPT_WORKERS:
            ok = parse_size("workers", optarg, 1, 256, &workers);
            break;
        case OPT_PER_UID:
            ok = parse_size("max-connections-per-uid", optarg, 1, 65536, &per_uid);
            break;
        case OPT_DEFAULTS:
            defaults_dir = optarg;
            break;
        case OPT_MAX_VARIABLES:
            ok = parse_size("max-variables", optarg, 1, 65535, &config.store.max_variables);
            break;
        case OPT_MAX_DATA:
            ok = parse_size("max-data-size", optarg, 1, 512 * 1024, &config.store.max_data_size);
            break;
        case OPT_MAX_NAME:
            ok = parse_size("max-name-units", optarg, 2, 4096, &config.store.max_name_units);
            break;
        case OPT_LEVEL:
            if (!daemon_log_parse_level(optarg, &level)) {
                fprintf(stderr,
                        "smm-gateway: --log-level %s: expected error, warning, info or debug\n",
                        optarg);
                ok = false;
            }
            break;
        case OPT_HELP:
            usage(stdout);
            return 0;
        case OPT_VERSION:
            printf("smm-gateway %s\n", SS_VERSION);
            return 0;
        default:
            ok = false;
            usage(stderr);
            break;
        }
        if (!ok) {
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    char default_socket[PATH_MAX];
    if (socket_path == NULL) {
        int rc = ts_runtime_socket("smm-gateway", "smm-gateway.sock", default_socket, sizeof(default_socket));
        if (rc != 0) {
            return rc;
        }
        socket_path = default_socket;
    }

    daemon_log_set_identity("smm-gateway");
    daemon_log_set_level(level);
    daemon_policy_t *policy = NULL;
    if (load_policy(policy_path, &policy) != PSA_SUCCESS) {
        return 2;
    }
    smm_default_var_t defaults[VAR_MAX_DEFAULTS];
    size_t default_count = 0;
    if (defaults_dir != NULL && var_read_defaults(defaults_dir, config.store.max_data_size,
                                                  defaults, &default_count) != 0) {
        fprintf(stderr, "smm-gateway: cannot read the default databases in %s\n", defaults_dir);
        daemon_policy_free(policy);
        return 1;
    }
    config.defaults = defaults;
    config.default_count = default_count;
    config.audit = audit;

    store_start_t start = {&config, defaults, default_count};
    smm_endpoint_init(&endpoint);
    daemon_limits_t limits = {.workers = (unsigned)workers, .max_connections_per_uid = per_uid};
    int rc = daemon_run("smm-gateway", socket_path, &gateway_protocol, &limits, policy,
                        foreground, prepare_store, &start);
    var_free_defaults(start.defaults, start.default_count); /* unless prepare_store did */
    if (gateway != NULL) {
        smm_gateway_close(gateway);
    }
    daemon_policy_free(policy);
    return rc;
}
