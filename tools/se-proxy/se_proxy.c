/* se-proxy: the SE Proxy partition as a daemon. TS RPC on its socket, every call forwarded to rssd
 * for the caller it came from. */
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
#include <unistd.h>

#include "comms/rss_client.h"
#include "comms/rss_msg.h"
#include "comms/storage_calls.h"
#include "daemon/identity.h"
#include "daemon/log.h"
#include "daemon/server.h"
#include "ss_version.h"
#include "ts/ts_crypto.h"
#include "uefi/var_auth.h"
#include "ts/ts_endpoint.h"
#include "ts/ts_packet.h"
#include "ts/ts_runtime.h"
#include "ts/ts_storage.h"

/*
 * Each accepted connection is one FF-A source endpoint: its ts_connection_t (the memories it lent)
 * and, once it makes a storage call, its own RSS comms connection to rssd on which se-proxy
 * asserts the caller's client id (its SO_PEERCRED uid mapped as rssd maps uids). rssd's policy
 * must name se-proxy's uid as a forwarder; the id is never taken from a message. The
 * connection's objects are therefore exactly the ones that uid reaches when it calls rssd
 * directly, and one caller's connection never carries another caller's call.
 */

typedef struct proxy_conn {
    ts_connection_t ts;
    bool ts_open;
    int32_t client_id;
    rss_client_t *rss; /* NULL until the first forwarded call, and after a broken one */
} proxy_conn_t;

static char rss_address[PATH_MAX]; /* "" : the first of rss_socket_candidates that answers */
static ts_endpoint_t endpoint;

static psa_status_t open_rss(proxy_conn_t *pc)
{
    psa_status_t status = PSA_ERROR_COMMUNICATION_FAILURE;
    if (rss_address[0] != '\0') {
        status = rss_client_open(rss_address, RSS_MSG_DEFAULT_EMBED_LIMIT, &pc->rss);
    } else {
        char paths[RSS_SOCKET_MAX_CANDIDATES][RSS_SOCKET_PATH_MAX];
        size_t n = rss_socket_candidates(paths);
        for (size_t i = 0; i < n && status != PSA_SUCCESS; i++) {
            status = rss_client_open(paths[i], RSS_MSG_DEFAULT_EMBED_LIMIT, &pc->rss);
        }
    }
    if (status != PSA_SUCCESS) {
        pc->rss = NULL;
        daemon_log(DAEMON_LOG_WARNING, "rssd cannot be reached: %s",
                   rss_address[0] != '\0' ? rss_address
                                          : "no socket of $RSS_SOCKET or the defaults");
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    status = rss_client_assert_client(pc->rss, pc->client_id);
    if (status != PSA_SUCCESS) {
        daemon_log(DAEMON_LOG_ERROR,
                   "rssd refused to let se-proxy act for client %d (%d): its policy must name "
                   "se-proxy's uid %u as a forwarder",
                   (int)pc->client_id, (int)status, (unsigned)geteuid());
        rss_client_close(pc->rss);
        pc->rss = NULL;
    }
    return status;
}

/* storage_call_fn: one call to rssd for the connection's caller. A connection found stale (rssd
 * restarted) before the request left is replaced and the call made once more; a broken one is
 * closed, and the next call opens a new one. */
static psa_status_t forward_call(void *ctx, psa_handle_t service, int32_t type, const psa_invec *in,
                                 size_t in_len, psa_outvec *out, size_t out_len)
{
    proxy_conn_t *pc = ctx;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (pc->rss == NULL) {
            psa_status_t status = open_rss(pc);
            if (status != PSA_SUCCESS) {
                return status;
            }
        }
        bool stale = false;
        psa_status_t status =
            rss_client_call(pc->rss, service, type, in, in_len, out, out_len, &stale);
        if (!stale && status != PSA_ERROR_COMMUNICATION_FAILURE) {
            return status;
        }
        rss_client_close(pc->rss);
        pc->rss = NULL;
        if (!stale) {
            return status;
        }
    }
    return PSA_ERROR_COMMUNICATION_FAILURE;
}

/* The storage backends: each record becomes the RSS comms call on rssd's service of its kind. */
static psa_status_t forward_storage(void *session, storage_args_t *a)
{
    return storage_call(forward_call, session, a);
}

static const ts_storage_backend_t its_backend = {forward_storage, RSS_HANDLE_ITS};
static const ts_storage_backend_t ps_backend = {forward_storage, RSS_HANDLE_PS};

/* Packed-c crypto: ts_crypto translates each opcode to the RSS comms crypto call, forwarded
 * like the storage calls on the caller's own rssd connection (so its keys and operations are
 * the ones the caller has through libpsa). */
static psa_status_t crypto_call(void *session, const psa_invec *in, size_t in_len, psa_outvec *out,
                                size_t out_len)
{
    return forward_call(session, RSS_HANDLE_CRYPTO, PSA_IPC_CALL, in, in_len, out, out_len);
}

/* The UEFI opcodes are verified here with OpenSSL, as smm-gateway verifies its own variables
 * (src/uefi/var_auth.c): no secret is involved, so rssd need not see them. */
static const ts_crypto_backend_t crypto_backend = {crypto_call, var_pkcs7_verify_hash,
                                                   var_pkcs7_fingerprint};

/* ---- the protocol on the daemon core ------------------------------------------------------ */

static bool proxy_connect(daemon_conn_t *conn)
{
    proxy_conn_t *pc = daemon_conn_state(conn);
    if (daemon_conn_role(conn) == DAEMON_ROLE_REFUSED) {
        return false; /* se-proxy's policy refuses this uid: it gets nothing, not even a reply */
    }
    ts_caller_t caller;
    daemon_conn_peer(conn, &caller.uid, &caller.pid);
    pc->client_id = daemon_conn_caller(conn)->client_id;
    pc->ts_open = ts_connection_open(&pc->ts, &endpoint, &caller);
    pc->ts.session = pc;
    return pc->ts_open;
}

static void proxy_disconnect(daemon_conn_t *conn)
{
    proxy_conn_t *pc = daemon_conn_state(conn);
    if (pc->ts_open) {
        ts_connection_close(&pc->ts);
        pc->ts_open = false;
    }
    if (pc->rss != NULL) {
        rss_client_close(pc->rss); /* rssd releases the session it kept for this caller */
        pc->rss = NULL;
    }
}

/* One 20-byte packet in, one out. Anything else is not TS RPC: the connection is dropped, as
 * the kernel driver's endpoint would never deliver it. */
static size_t proxy_serve(daemon_conn_t *conn, const uint8_t *msg, size_t length,
                          size_t full_length, int fd, uint8_t *reply, size_t reply_size)
{
    proxy_conn_t *pc = daemon_conn_state(conn);
    uint32_t in[TS_RPC_WORDS], out[TS_RPC_WORDS];
    if (full_length != length || reply_size < TS_RPC_PACKET_BYTES ||
        !ts_packet_decode(msg, length, in)) {
        if (fd >= 0) {
            close(fd);
        }
        daemon_conn_drop(conn);
        return 0;
    }
    ts_connection_serve(&pc->ts, in, fd, out);
    ts_packet_encode(out, reply);
    return TS_RPC_PACKET_BYTES;
}

static const daemon_protocol_t proxy_protocol = {
    .max_message = TS_RPC_PACKET_BYTES,
    .max_reply = TS_RPC_PACKET_BYTES,
    .state_size = sizeof(proxy_conn_t),
    .serve = proxy_serve,
    .connect = proxy_connect,
    .disconnect = proxy_disconnect,
};

/* ---- main ------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: se-proxy [--socket PATH] [--rss-socket PATH] [--foreground] [--policy FILE]\n"
            "                [--workers N] [--max-connections-per-uid N]\n"
            "                [--log-level error|warning|info|debug]\n"
            "       se-proxy --help | --version\n"
            "Serves Trusted Services RPC (Internal Trusted Storage, Protected Storage, packed-c\n"
            "crypto) and\n"
            "forwards every call to rssd for its caller (se-proxy(8)).\n"
            "Socket: --socket, else se-proxy.sock in the TS runtime directory ($TS_RUNTIME_DIR,\n"
            "else /run/ts for root, else $XDG_RUNTIME_DIR/ts). rssd: --rss-socket, else as\n"
            "libpsa finds it ($RSS_SOCKET, then the defaults). The policy file says which uids\n"
            "may connect (docs/rssd.md's format; without one, every uid). Each connection that\n"
            "has made a call holds one connection to rssd: a uid may keep at most\n"
            "--max-connections-per-uid open (default 32), and rssd's cap per uid (256) bounds\n"
            "them all.\n");
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
        {"log-level", required_argument, NULL, OPT_LEVEL},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    const char *socket_path = NULL, *policy_path = NULL;
    bool foreground = false;
    unsigned workers = 2;
    unsigned long per_uid = 32;
    daemon_log_level_t level = DAEMON_LOG_WARNING;
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case OPT_SOCKET:
            socket_path = optarg;
            break;
        case OPT_RSS:
            if (snprintf(rss_address, sizeof(rss_address), "%s", optarg) >=
                (int)sizeof(rss_address)) {
                fprintf(stderr, "se-proxy: --rss-socket: path too long\n");
                return 2;
            }
            break;
        case OPT_FOREGROUND:
            foreground = true;
            break;
        case OPT_POLICY:
            policy_path = optarg;
            break;
        case OPT_WORKERS: {
            char *end = NULL;
            unsigned long v = strtoul(optarg, &end, 10);
            if (end == optarg || *end != '\0' || optarg[0] == '-' || v < 1 || v > 256) {
                fprintf(stderr, "se-proxy: --workers %s: expected a whole number from 1 to 256\n",
                        optarg);
                return 2;
            }
            workers = (unsigned)v;
            break;
        }
        case OPT_PER_UID: {
            char *end = NULL;
            per_uid = strtoul(optarg, &end, 10);
            if (end == optarg || *end != '\0' || optarg[0] == '-' || per_uid < 1 ||
                per_uid > 65536) {
                fprintf(stderr,
                        "se-proxy: --max-connections-per-uid %s: expected a whole number from 1 "
                        "to 65536\n",
                        optarg);
                return 2;
            }
            break;
        }
        case OPT_LEVEL:
            if (!daemon_log_parse_level(optarg, &level)) {
                fprintf(stderr,
                        "se-proxy: --log-level %s: expected error, warning, info or debug\n",
                        optarg);
                return 2;
            }
            break;
        case OPT_HELP:
            usage(stdout);
            return 0;
        case OPT_VERSION:
            printf("se-proxy %s\n", SS_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    char default_socket[PATH_MAX];
    if (socket_path == NULL) {
        int rc =
            ts_runtime_socket("se-proxy", "se-proxy.sock", default_socket, sizeof(default_socket));
        if (rc != 0) {
            return rc;
        }
        socket_path = default_socket;
    }

    daemon_log_set_identity("se-proxy");
    daemon_log_set_level(level);
    daemon_policy_t *policy = NULL;
    daemon_policy_error_t error;
    if (daemon_policy_load_explained(policy_path, &policy, &error) != PSA_SUCCESS) {
        fprintf(stderr, "se-proxy: policy %s, line %u: %s\n", policy_path, error.line, error.text);
        return 2;
    }
    ts_endpoint_init(&endpoint);
    const ts_interface_t its = {TS_UUID_ITS, (void *)&its_backend, ts_storage_serve};
    const ts_interface_t ps = {TS_UUID_PS, (void *)&ps_backend, ts_storage_serve};
    const ts_interface_t crypto = {TS_UUID_CRYPTO, (void *)&crypto_backend, ts_crypto_serve};
    if (ts_endpoint_add(&endpoint, &its) < 0 || ts_endpoint_add(&endpoint, &ps) < 0 ||
        ts_endpoint_add(&endpoint, &crypto) < 0) {
        daemon_policy_free(policy);
        return 1;
    }

    daemon_limits_t limits = {.workers = workers, .max_connections_per_uid = per_uid};
    int rc = daemon_run("se-proxy", socket_path, &proxy_protocol, &limits, policy, foreground, NULL,
                        NULL);
    daemon_policy_free(policy);
    return rc;
}
