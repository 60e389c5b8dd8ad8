/* rssd: the secure enclave daemon (command line, storage, crypto core, worker pool, shutdown). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "comms/rss_msg.h"
#include "comms/transport.h"
#include "crypto/core.h"
#include "enclave/enclave.h"
#include "enclave/enclave_config.h"
#include "enclave/identity.h"
#include "enclave/log.h"
#include "enclave/server.h"
#include "storage/its_key_storage.h"

#define RSSD_DEFAULT_STATE_DIR "/var/lib/rssd"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: rssd [--state-dir DIR] [--socket PATH] [--foreground] [--policy FILE]\n"
            "            [--workers N] [--embed-limit BYTES] [--max-volatile-keys N]\n"
            "            [--max-operations N] [--max-volatile-keys-per-client N]\n"
            "            [--max-operations-per-client N] [--max-connections-per-uid N]\n"
            "            [--max-busy-workers-per-client N] [--max-kdf-iterations N]\n"
            "            [--shutdown-grace SECONDS]\n"
            "            [--log-level error|warning|info|debug]\n"
            "Serves PSA Crypto, ITS and PS over RSS comms (see docs/rssd.md).\n");
}

static bool parse_size(const char *text, size_t min, size_t max, size_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = (size_t)v;
    return true;
}

static bool make_dir(const char *path)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST) {
        return true;
    }
    enclave_log(ENCLAVE_LOG_ERROR, "cannot create %s: %s", path, strerror(errno));
    return false;
}

int main(int argc, char **argv)
{
    const char *state_dir = RSSD_DEFAULT_STATE_DIR;
    const char *socket_arg = NULL;
    const char *policy_path = NULL;
    bool foreground = false;
    enclave_config_t config = *enclave_config();
    enum { OPT_STATE = 1, OPT_SOCKET, OPT_FG, OPT_POLICY, OPT_WORKERS, OPT_EMBED, OPT_KEYS,
           OPT_OPS, OPT_KEYS_CLIENT, OPT_OPS_CLIENT, OPT_BUSY_CLIENT, OPT_KDF_ITERATIONS,
           OPT_CONNS_UID, OPT_GRACE, OPT_LOG, OPT_HELP };
    static const struct option options[] = {
        {"state-dir", required_argument, NULL, OPT_STATE},
        {"socket", required_argument, NULL, OPT_SOCKET},
        {"foreground", no_argument, NULL, OPT_FG},
        {"policy", required_argument, NULL, OPT_POLICY},
        {"workers", required_argument, NULL, OPT_WORKERS},
        {"embed-limit", required_argument, NULL, OPT_EMBED},
        {"max-volatile-keys", required_argument, NULL, OPT_KEYS},
        {"max-operations", required_argument, NULL, OPT_OPS},
        {"max-volatile-keys-per-client", required_argument, NULL, OPT_KEYS_CLIENT},
        {"max-operations-per-client", required_argument, NULL, OPT_OPS_CLIENT},
        {"max-busy-workers-per-client", required_argument, NULL, OPT_BUSY_CLIENT},
        {"max-kdf-iterations", required_argument, NULL, OPT_KDF_ITERATIONS},
        {"max-connections-per-uid", required_argument, NULL, OPT_CONNS_UID},
        {"shutdown-grace", required_argument, NULL, OPT_GRACE},
        {"log-level", required_argument, NULL, OPT_LOG},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    int opt;
    size_t v;
    enclave_log_level_t level;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case OPT_STATE: state_dir = optarg; break;
        case OPT_SOCKET: socket_arg = optarg; break;
        case OPT_FG: foreground = true; break;
        case OPT_POLICY: policy_path = optarg; break;
        case OPT_WORKERS:
            if (!parse_size(optarg, 1, 256, &v)) {
                goto bad;
            }
            config.workers = (unsigned)v;
            break;
        case OPT_EMBED:
            /* Embed io sizes are 16-bit, so no single vector exceeds 65535 bytes anyway. */
            if (!parse_size(optarg, 0, 1024 * 1024, &config.embed_limit)) {
                goto bad;
            }
            break;
        case OPT_KEYS:
            if (!parse_size(optarg, 0, 1u << 24, &config.max_volatile_keys_per_session)) {
                goto bad;
            }
            break;
        case OPT_OPS:
            if (!parse_size(optarg, 0, 1u << 24, &config.max_operations_per_session)) {
                goto bad;
            }
            break;
        case OPT_KEYS_CLIENT:
            if (!parse_size(optarg, 0, 1u << 24, &config.max_volatile_keys_per_client)) {
                goto bad;
            }
            break;
        case OPT_OPS_CLIENT:
            if (!parse_size(optarg, 0, 1u << 24, &config.max_operations_per_client)) {
                goto bad;
            }
            break;
        case OPT_BUSY_CLIENT:
            if (!parse_size(optarg, 0, 1024, &config.max_busy_workers_per_client)) {
                goto bad;
            }
            break;
        case OPT_KDF_ITERATIONS:
            if (!parse_size(optarg, 1, UINT32_MAX, &config.max_kdf_iterations)) {
                goto bad;
            }
            break;
        case OPT_CONNS_UID:
            if (!parse_size(optarg, 0, 1u << 20, &config.max_connections_per_uid)) {
                goto bad;
            }
            break;
        case OPT_GRACE:
            if (!parse_size(optarg, 0, 3600, &v)) {
                goto bad;
            }
            config.shutdown_grace_seconds = (unsigned)v;
            break;
        case OPT_LOG:
            if (!enclave_log_parse_level(optarg, &level)) {
                goto bad;
            }
            enclave_log_set_level(level);
            break;
        case OPT_HELP: usage(stdout); return 0;
        default: goto bad;
        }
    }
    if (optind != argc) {
        goto bad;
    }

    char socket_path[108];
    if (socket_arg != NULL) {
        if (strlen(socket_arg) >= sizeof(socket_path)) {
            enclave_log(ENCLAVE_LOG_ERROR, "socket path too long");
            return 1;
        }
        strcpy(socket_path, socket_arg);
    } else if (!rss_socket_path(socket_path, sizeof(socket_path))) {
        enclave_log(ENCLAVE_LOG_ERROR, "socket path too long");
        return 1;
    }
    enclave_config_set(&config);

    /* Signals go to the main thread only (sigwait below); workers inherit the mask. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    umask(077);

    char its_dir[PATH_MAX], ps_dir[PATH_MAX];
    if (snprintf(its_dir, sizeof(its_dir), "%s/its", state_dir) >= (int)sizeof(its_dir) ||
        snprintf(ps_dir, sizeof(ps_dir), "%s/ps", state_dir) >= (int)sizeof(ps_dir)) {
        enclave_log(ENCLAVE_LOG_ERROR, "state directory path too long");
        return 1;
    }
    if (!make_dir(state_dir) || !make_dir(its_dir) || !make_dir(ps_dir)) {
        return 1;
    }

    int rc = 1;
    its_store_t *its = NULL;
    ps_store_t *ps = NULL;
    enclave_policy_t *policy = NULL;
    enclave_server_t *server = NULL;
    bool core_up = false;
    core_key_storage_t key_storage;
    its_store_config_t its_config = {.dir = its_dir};
    ps_store_config_t ps_config = {.trusted_dir = its_dir, .external_dir = ps_dir};
    psa_status_t status = its_store_open(&its_config, &its);
    if (status != PSA_SUCCESS) {
        enclave_log(ENCLAVE_LOG_ERROR, "cannot open ITS in %s (status %d)", its_dir, (int)status);
        goto out;
    }
    status = ps_store_open(&ps_config, &ps);
    if (status != PSA_SUCCESS) {
        enclave_log(ENCLAVE_LOG_ERROR, "cannot open PS in %s (status %d)", ps_dir, (int)status);
        goto out;
    }
    status = its_key_storage_init(its, &key_storage);
    if (status == PSA_SUCCESS) {
        core_config_t core_config = {
            .storage = &key_storage,
            .volatile_id_min = ENCLAVE_VOLATILE_ID_MIN,
            .volatile_id_max = ENCLAVE_VOLATILE_ID_MAX,
            .max_volatile_keys_per_session = config.max_volatile_keys_per_session,
            .max_pbkdf2_iterations = config.max_kdf_iterations,
        };
        status = core_crypto_init(&core_config);
    }
    if (status != PSA_SUCCESS) {
        enclave_log(ENCLAVE_LOG_ERROR, "cannot start the crypto core (status %d)", (int)status);
        goto out;
    }
    core_up = true;
    enclave_storage_set(its, ps);

    unsigned bad_line = 0;
    status = enclave_policy_load(policy_path, &policy, &bad_line);
    if (status != PSA_SUCCESS) {
        enclave_log(ENCLAVE_LOG_ERROR, "policy %s: %s%u", policy_path,
                    bad_line ? "syntax error on line " : "cannot read it ", bad_line);
        goto out;
    }
    if (enclave_server_create(socket_path, policy, &server) != PSA_SUCCESS) {
        goto out;
    }
    if (!foreground && daemon(0, 1) < 0) {
        enclave_log(ENCLAVE_LOG_ERROR, "cannot detach: %s", strerror(errno));
        goto out;
    }
    if (enclave_server_start(server) != PSA_SUCCESS) {
        enclave_log(ENCLAVE_LOG_ERROR, "cannot start workers");
        goto out;
    }
    enclave_log(ENCLAVE_LOG_INFO,
                "serving on %s, state in %s, %u workers, embed limit %zu, %zu keys and %zu "
                "operations per session",
                socket_path, state_dir, config.workers, config.embed_limit,
                config.max_volatile_keys_per_session, config.max_operations_per_session);

    for (;;) {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0) {
            continue;
        }
        if (sig == SIGHUP) {
            enclave_log(ENCLAVE_LOG_INFO, "SIGHUP ignored (restart to reload the policy)");
            continue;
        }
        enclave_log(ENCLAVE_LOG_INFO, "signal %d: finishing in-flight calls", sig);
        break;
    }
    rc = 0;

out:
    /* Workers finish their current call before the stores close: every acknowledged write is
     * already durable, and no write is cut in half. A call still running after the grace period
     * (a client asked for a huge derivation) does not hold the shutdown hostage: rssd exits
     * without it, which is safe because every durable write is an atomic rename, and the call's
     * client only loses its reply. */
    if (server != NULL && rc == 0) {
        if (!enclave_server_shutdown(server, config.shutdown_grace_seconds)) {
            enclave_log(ENCLAVE_LOG_WARNING,
                        "calls still running %u s after the stop request; exiting without them",
                        config.shutdown_grace_seconds);
            _exit(0);
        }
        server = NULL; /* destroyed */
    }
    enclave_server_destroy(server);
    if (core_up) {
        core_crypto_shutdown();
    }
    ps_store_close(ps);
    its_store_close(its);
    enclave_policy_free(policy);
    if (rc == 0) {
        enclave_log(ENCLAVE_LOG_INFO, "stopped");
    }
    return rc;

bad:
    usage(stderr);
    return 2;
}
