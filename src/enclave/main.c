/* rssd: the secure enclave daemon (command line, places, storage, crypto core, workers, signals).
 */
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
#include "enclave/daemon.h"
#include "enclave/enclave.h"
#include "enclave/enclave_config.h"
#include "daemon/identity.h"
#include "daemon/log.h"
#include "enclave/server.h"
#include "enclave/systemd.h"
#include "storage/its_key_storage.h"
#include "ss_version.h"

#ifdef RSSD_CRASH_HOOK
/* Only in the test program rssd-crash-hook (tests/integration/crash_rssd.cmake), never in rssd:
 * RSSD_CRASH_AT_IO=K makes the daemon SIGKILL itself just before its K-th disk-changing storage
 * call, so the crash tests can stop it inside a write at a point chosen by a count. */
#include "crash_io.h"
#endif

static void usage(FILE *f)
{
    fprintf(f, "usage: rssd [--state-dir DIR] [--socket PATH] [--foreground] [--policy FILE]\n"
               "            [--log-file FILE | --syslog] [--pid-file FILE]\n"
               "            [--log-level error|warning|info|debug]\n"
               "            [--workers N] [--embed-limit BYTES] [--max-volatile-keys N]\n"
               "            [--max-operations N] [--max-volatile-keys-per-client N]\n"
               "            [--max-operations-per-client N] [--max-connections-per-uid N]\n"
               "            [--max-busy-workers-per-client N] [--max-kdf-iterations N]\n"
               "            [--shutdown-grace SECONDS] [--stream-stall-ms MS] [--no-fast-path]\n"
               "       rssd --help | --version\n"
               "Serves PSA Crypto, ITS and PS over RSS comms (rssd(8)).\n"
               "State: --state-dir, else /var/lib/rssd for root, else $XDG_STATE_HOME/rssd or\n"
               "~/.local/state/rssd. Socket: --socket, else $RSS_SOCKET, else /run/rss/rss.sock\n"
               "for root, else $XDG_RUNTIME_DIR/rss/rss.sock. SIGHUP reloads the policy file.\n");
}

/* A numeric option: its name, where it goes and its range, for one table and one message. */
typedef struct number_option {
    const char *name;
    size_t min, max;
} number_option_t;

static bool parse_number(const char *name, const char *text, size_t min, size_t max, size_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < min || v > max) {
        fprintf(stderr, "rssd: --%s %s: expected a whole number from %zu to %zu\n", name, text, min,
                max);
        return false;
    }
    *out = (size_t)v;
    return true;
}

typedef struct rssd_options {
    const char *state_dir; /* NULL: the default (enclave_daemon_default_state_dir) */
    const char *socket;    /* NULL: the first of rss_socket_candidates */
    const char *policy;
    const char *log_file;
    const char *pid_file;
    bool foreground;
    bool syslog;
    enclave_config_t config;
} rssd_options_t;

enum {
    OPT_STATE = 1,
    OPT_SOCKET,
    OPT_FG,
    OPT_POLICY,
    OPT_LOG_FILE,
    OPT_SYSLOG,
    OPT_PID_FILE,
    OPT_LOG,
    OPT_HELP,
    OPT_VERSION,
    OPT_NO_FAST_PATH,
    /* numeric options, in the order of number_options[] */
    OPT_WORKERS,
    OPT_EMBED,
    OPT_KEYS,
    OPT_OPS,
    OPT_KEYS_CLIENT,
    OPT_OPS_CLIENT,
    OPT_BUSY_CLIENT,
    OPT_KDF_ITERATIONS,
    OPT_CONNS_UID,
    OPT_STREAM_STALL,
    OPT_GRACE,
};

static const number_option_t number_options[] = {
    {"workers", 1, 256},
    /* Embed io sizes are 16-bit, so no single vector exceeds 65535 bytes anyway. */
    {"embed-limit", 0, 1024 * 1024},
    {"max-volatile-keys", 0, 1u << 24},
    {"max-operations", 0, 1u << 24},
    {"max-volatile-keys-per-client", 0, 1u << 24},
    {"max-operations-per-client", 0, 1u << 24},
    {"max-busy-workers-per-client", 0, 1024},
    {"max-kdf-iterations", 1, UINT32_MAX},
    {"max-connections-per-uid", 0, 1u << 20},
    {"stream-stall-ms", 1, 3600000},
    {"shutdown-grace", 0, 3600},
};

static size_t *number_target(enclave_config_t *c, int opt, size_t *scratch)
{
    switch (opt) {
    case OPT_EMBED:
        return &c->embed_limit;
    case OPT_KEYS:
        return &c->max_volatile_keys_per_session;
    case OPT_OPS:
        return &c->max_operations_per_session;
    case OPT_KEYS_CLIENT:
        return &c->max_volatile_keys_per_client;
    case OPT_OPS_CLIENT:
        return &c->max_operations_per_client;
    case OPT_BUSY_CLIENT:
        return &c->max_busy_workers_per_client;
    case OPT_KDF_ITERATIONS:
        return &c->max_kdf_iterations;
    case OPT_CONNS_UID:
        return &c->max_connections_per_uid;
    case OPT_STREAM_STALL:
        return &c->stream_stall_ms;
    default:
        return scratch; /* workers and grace are unsigned: copied by the caller */
    }
}

/* 0: run; 1: done (help, version); 2: usage error (already reported). */
static int parse_options(int argc, char **argv, rssd_options_t *o)
{
    static const struct option options[] = {
        {"state-dir", required_argument, NULL, OPT_STATE},
        {"socket", required_argument, NULL, OPT_SOCKET},
        {"foreground", no_argument, NULL, OPT_FG},
        {"policy", required_argument, NULL, OPT_POLICY},
        {"log-file", required_argument, NULL, OPT_LOG_FILE},
        {"syslog", no_argument, NULL, OPT_SYSLOG},
        {"pid-file", required_argument, NULL, OPT_PID_FILE},
        {"log-level", required_argument, NULL, OPT_LOG},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {"no-fast-path", no_argument, NULL, OPT_NO_FAST_PATH},
        {"workers", required_argument, NULL, OPT_WORKERS},
        {"embed-limit", required_argument, NULL, OPT_EMBED},
        {"max-volatile-keys", required_argument, NULL, OPT_KEYS},
        {"max-operations", required_argument, NULL, OPT_OPS},
        {"max-volatile-keys-per-client", required_argument, NULL, OPT_KEYS_CLIENT},
        {"max-operations-per-client", required_argument, NULL, OPT_OPS_CLIENT},
        {"max-busy-workers-per-client", required_argument, NULL, OPT_BUSY_CLIENT},
        {"max-kdf-iterations", required_argument, NULL, OPT_KDF_ITERATIONS},
        {"max-connections-per-uid", required_argument, NULL, OPT_CONNS_UID},
        {"stream-stall-ms", required_argument, NULL, OPT_STREAM_STALL},
        {"shutdown-grace", required_argument, NULL, OPT_GRACE},
        {NULL, 0, NULL, 0},
    };
    int opt;
    daemon_log_level_t level;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt >= OPT_WORKERS && opt <= OPT_GRACE) {
            const number_option_t *n = &number_options[opt - OPT_WORKERS];
            size_t scratch = 0;
            if (!parse_number(n->name, optarg, n->min, n->max,
                              number_target(&o->config, opt, &scratch))) {
                goto bad;
            }
            if (opt == OPT_WORKERS) {
                o->config.workers = (unsigned)scratch;
            } else if (opt == OPT_GRACE) {
                o->config.shutdown_grace_seconds = (unsigned)scratch;
            }
            continue;
        }
        switch (opt) {
        case OPT_STATE:
            o->state_dir = optarg;
            break;
        case OPT_SOCKET:
            o->socket = optarg;
            break;
        case OPT_FG:
            o->foreground = true;
            break;
        case OPT_NO_FAST_PATH:
            o->config.no_fast_path = true;
            break;
        case OPT_POLICY:
            o->policy = optarg;
            break;
        case OPT_LOG_FILE:
            o->log_file = optarg;
            break;
        case OPT_SYSLOG:
            o->syslog = true;
            break;
        case OPT_PID_FILE:
            o->pid_file = optarg;
            break;
        case OPT_LOG:
            if (!daemon_log_parse_level(optarg, &level)) {
                fprintf(stderr, "rssd: --log-level %s: expected error, warning, info or debug\n",
                        optarg);
                goto bad;
            }
            daemon_log_set_level(level);
            break;
        case OPT_HELP:
            usage(stdout);
            return 1;
        case OPT_VERSION:
            printf("rssd (%s) %s\n", SS_PROJECT_NAME, SS_VERSION);
            return 1;
        default:
            goto bad; /* getopt has named the option */
        }
    }
    if (optind != argc) {
        fprintf(stderr, "rssd: unexpected argument \"%s\" (rssd takes options only)\n",
                argv[optind]);
        goto bad;
    }
    if (o->log_file != NULL && o->syslog) {
        fprintf(stderr, "rssd: --log-file and --syslog exclude each other\n");
        goto bad;
    }
    return 0;
bad:
    fprintf(stderr, "Try 'rssd --help'.\n");
    return 2;
}

/* Everything the signal loop and the shutdown need. */
typedef struct rssd {
    rssd_options_t options;
    char state_dir[PATH_MAX];
    char policy_path[PATH_MAX]; /* "" without --policy */
    char pid_file[PATH_MAX];    /* "" without --pid-file */
    char socket_path[RSS_SOCKET_PATH_MAX + 1];
    daemon_policy_t *policy;
    daemon_server_t *server;
} rssd_t;

static void log_role_change(uid_t uid, daemon_role_t before, daemon_role_t after, void *ctx)
{
    unsigned *changes = ctx;
    (*changes)++;
    daemon_log(DAEMON_LOG_INFO, "policy: uid %u: %s -> %s", (unsigned)uid, daemon_role_name(before),
               daemon_role_name(after));
}

typedef struct role_check {
    const daemon_policy_t *before, *after;
} role_check_t;

static bool role_changed(uid_t uid, void *ctx)
{
    const role_check_t *c = ctx;
    return daemon_policy_role(c->before, uid) != daemon_policy_role(c->after, uid);
}

/* SIGHUP: reopens the log file and reloads the policy file; a file that does not parse leaves
 * the policy in force untouched. */
static void reload(rssd_t *d)
{
    enclave_systemd_notify("RELOADING=1");
    if (!daemon_log_reopen()) {
        daemon_log(DAEMON_LOG_WARNING, "SIGHUP: cannot reopen the log file: %s", strerror(errno));
    }
    if (d->policy_path[0] == '\0') {
        daemon_log(DAEMON_LOG_INFO, "SIGHUP: no --policy file, nothing to reload");
        enclave_systemd_notify("READY=1");
        return;
    }
    daemon_policy_t *fresh = NULL;
    daemon_policy_error_t error;
    if (daemon_policy_load_explained(d->policy_path, &fresh, &error) != PSA_SUCCESS) {
        if (error.line != 0) {
            daemon_log(DAEMON_LOG_ERROR, "policy %s, line %u: %s; keeping the policy in force",
                       d->policy_path, error.line, error.text);
        } else {
            daemon_log(DAEMON_LOG_ERROR, "policy %s: %s; keeping the policy in force",
                       d->policy_path, error.text);
        }
        enclave_systemd_notify("READY=1");
        return;
    }
    daemon_policy_replace(d->policy, fresh); /* fresh now holds the rules that were in force */
    unsigned changes = 0;
    bool default_changed = false;
    daemon_policy_diff(fresh, d->policy, log_role_change, &changes, &default_changed);
    if (default_changed) {
        /* (uid_t)-1 is no uid a rule may name, so its role is the default. */
        changes++;
        daemon_log(DAEMON_LOG_INFO, "policy: default: %s -> %s",
                   daemon_role_name(daemon_policy_role(fresh, (uid_t)-1)),
                   daemon_role_name(daemon_policy_role(d->policy, (uid_t)-1)));
    }
    role_check_t check = {fresh, d->policy};
    size_t dropped = daemon_server_drop_connections(d->server, role_changed, &check);
    daemon_policy_free(fresh);
    daemon_log(DAEMON_LOG_INFO,
               "policy %s reloaded: %u change%s; %zu connection%s closed to apply them",
               d->policy_path, changes, changes == 1 ? "" : "s", dropped, dropped == 1 ? "" : "s");
    enclave_systemd_notify("READY=1");
}

/* The state directory: made absolute, created (0700), locked, with its/ and ps/ inside. */
static int prepare_state(rssd_t *d, char *its_dir, char *ps_dir, size_t size)
{
    char error[ENCLAVE_DAEMON_ERROR_SIZE];
    char chosen[PATH_MAX];
    bool ok = d->options.state_dir != NULL
                  ? enclave_daemon_absolute(d->options.state_dir, chosen, sizeof(chosen), error)
                  : enclave_daemon_default_state_dir(chosen, sizeof(chosen), error);
    if (!ok || !enclave_daemon_absolute(chosen, d->state_dir, sizeof(d->state_dir), error) ||
        !enclave_daemon_make_dirs(d->state_dir, 0700, error)) {
        daemon_log(DAEMON_LOG_ERROR, "%s", error);
        return -1;
    }
    int lock_fd = enclave_daemon_lock(d->state_dir, error);
    if (lock_fd < 0) {
        daemon_log(DAEMON_LOG_ERROR, "%s", error);
        return -1;
    }
    if (snprintf(its_dir, size, "%s/its", d->state_dir) >= (int)size ||
        snprintf(ps_dir, size, "%s/ps", d->state_dir) >= (int)size ||
        !enclave_daemon_make_dirs(its_dir, 0700, error) ||
        !enclave_daemon_make_dirs(ps_dir, 0700, error)) {
        daemon_log(DAEMON_LOG_ERROR, "%s", error[0] ? error : "state directory path too long");
        close(lock_fd);
        return -1;
    }
    return lock_fd;
}

/* The listening socket: systemd's (socket activation), or one rssd binds. For the default
 * path, rssd creates its directory: /run/rss 0755 (every user connects there), a per-user one
 * 0700. Returns the inherited descriptor, -1 when rssd is to bind socket_path, -2 on error. */
static int prepare_socket(rssd_t *d)
{
    char error[ENCLAVE_DAEMON_ERROR_SIZE];
    int fd =
        enclave_systemd_listen_fd(d->socket_path, sizeof(d->socket_path), error, sizeof(error));
    if (fd != -1) {
        if (fd == -2) {
            daemon_log(DAEMON_LOG_ERROR, "socket activation: %s", error);
        }
        return fd;
    }
    if (d->options.socket != NULL) {
        if (!enclave_daemon_absolute(d->options.socket, d->socket_path, sizeof(d->socket_path),
                                     error) ||
            strlen(d->socket_path) >= RSS_SOCKET_PATH_MAX) {
            daemon_log(DAEMON_LOG_ERROR, "socket path too long (at most %d bytes): %s",
                       RSS_SOCKET_PATH_MAX - 1, d->options.socket);
            return -2;
        }
        return -1;
    }
    char paths[RSS_SOCKET_MAX_CANDIDATES][RSS_SOCKET_PATH_MAX];
    if (rss_socket_candidates(paths) == 0) {
        daemon_log(DAEMON_LOG_ERROR,
                   "the default socket path is too long (at most %d bytes); "
                   "give --socket PATH",
                   RSS_SOCKET_PATH_MAX - 1);
        return -2;
    }
    if (secure_getenv("RSS_SOCKET") != NULL && secure_getenv("RSS_SOCKET")[0] != '\0') {
        /* Chosen by the user like --socket: its directory is theirs to make. */
        if (!enclave_daemon_absolute(paths[0], d->socket_path, sizeof(d->socket_path), error) ||
            strlen(d->socket_path) >= RSS_SOCKET_PATH_MAX) {
            daemon_log(DAEMON_LOG_ERROR, "$RSS_SOCKET is too long: %s", paths[0]);
            return -2;
        }
        return -1;
    }
    strcpy(d->socket_path, paths[0]);
    char dir[RSS_SOCKET_PATH_MAX];
    strcpy(dir, paths[0]);
    *strrchr(dir, '/') = '\0';
    bool system = strcmp(paths[0], RSS_SOCKET_DEFAULT_SYSTEM) == 0;
    if (!enclave_daemon_make_dirs(dir, system ? 0755 : 0700, error)) {
        daemon_log(DAEMON_LOG_ERROR, "%s%s", error,
                   system && geteuid() != 0
                       ? " (as an ordinary user, set XDG_RUNTIME_DIR or give --socket PATH)"
                       : "");
        return -2;
    }
    return -1;
}

static bool open_log(rssd_t *d)
{
    char error[ENCLAVE_DAEMON_ERROR_SIZE];
    char path[PATH_MAX];
    if (d->options.log_file != NULL) {
        if (!enclave_daemon_absolute(d->options.log_file, path, sizeof(path), error)) {
            fprintf(stderr, "rssd: --log-file: %s\n", error);
            return false;
        }
        if (!daemon_log_use_file(path)) {
            fprintf(stderr, "rssd: cannot open the log file %s: %s\n", path, strerror(errno));
            return false;
        }
    } else if (d->options.syslog) {
        daemon_log_use_syslog();
    } else if (daemon_log_stderr_is_journal()) {
        daemon_log_use_journal();
    }
    return true;
}

static bool resolve_paths(rssd_t *d)
{
    char error[ENCLAVE_DAEMON_ERROR_SIZE];
    if ((d->options.policy != NULL && !enclave_daemon_absolute(d->options.policy, d->policy_path,
                                                               sizeof(d->policy_path), error)) ||
        (d->options.pid_file != NULL &&
         !enclave_daemon_absolute(d->options.pid_file, d->pid_file, sizeof(d->pid_file), error))) {
        daemon_log(DAEMON_LOG_ERROR, "%s", error);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    static rssd_t d; /* static: large path buffers, and zeroed */
    daemon_log_set_identity("rssd");
    d.options.config = *enclave_config();
    int parsed = parse_options(argc, argv, &d.options);
    if (parsed != 0) {
        return parsed == 1 ? 0 : 2;
    }
    enclave_config_t config = d.options.config;
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

    if (!open_log(&d) || !resolve_paths(&d)) {
        return 1;
    }
    /* A systemd service is supervised where it was started: detaching would look like an exit. */
    bool foreground = d.options.foreground || getenv("INVOCATION_ID") != NULL;

    char its_dir[PATH_MAX], ps_dir[PATH_MAX];
    int lock_fd = prepare_state(&d, its_dir, ps_dir, sizeof(its_dir));
    if (lock_fd < 0) {
        return 1;
    }
    int listen_fd = prepare_socket(&d);
    if (listen_fd == -2) {
        close(lock_fd);
        return 1;
    }

    int rc = 1;
    int ready_fd = -1;
    int pid_fd = -1;
    bool pid_file_written = false;
    its_store_t *its = NULL;
    ps_store_t *ps = NULL;
    bool core_up = false;
    core_key_storage_t key_storage;
    its_store_config_t its_config = {.dir = its_dir};
    ps_store_config_t ps_config = {.trusted_dir = its_dir, .external_dir = ps_dir};
    char error[ENCLAVE_DAEMON_ERROR_SIZE];
#ifdef RSSD_CRASH_HOOK
    const char *crash_at = getenv("RSSD_CRASH_AT_IO");
    if (crash_at != NULL) {
        crash_io_arm(strtol(crash_at, NULL, 10), NULL);
        its_config.io = ps_config.io = crash_io();
    }
#endif
    psa_status_t status = its_store_open(&its_config, &its);
    if (status != PSA_SUCCESS) {
        daemon_log(DAEMON_LOG_ERROR, "cannot open ITS in %s (status %d)", its_dir, (int)status);
        goto out;
    }
    status = ps_store_open(&ps_config, &ps);
    if (status != PSA_SUCCESS) {
        daemon_log(DAEMON_LOG_ERROR, "cannot open PS in %s (status %d)", ps_dir, (int)status);
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
        daemon_log(DAEMON_LOG_ERROR, "cannot start the crypto core (status %d)", (int)status);
        goto out;
    }
    core_up = true;
    enclave_storage_set(its, ps);

    daemon_policy_error_t policy_error;
    status = daemon_policy_load_explained(d.policy_path[0] ? d.policy_path : NULL, &d.policy,
                                          &policy_error);
    if (status != PSA_SUCCESS) {
        if (policy_error.line != 0) {
            daemon_log(DAEMON_LOG_ERROR, "policy %s, line %u: %s", d.policy_path, policy_error.line,
                       policy_error.text);
        } else {
            daemon_log(DAEMON_LOG_ERROR, "policy %s: %s", d.policy_path, policy_error.text);
        }
        goto out;
    }
    if (d.pid_file[0] != '\0' && (pid_fd = enclave_daemon_open_pid_file(d.pid_file, error)) < 0) {
        daemon_log(DAEMON_LOG_ERROR, "%s", error);
        goto out;
    }
    int server_fd = listen_fd;
    listen_fd = -1; /* the server's from here on, even if it fails */
    daemon_protocol_t protocol;
    enclave_rss_protocol(&protocol);
    daemon_limits_t limits = enclave_daemon_limits();
    status = server_fd >= 0
                 ? daemon_server_create_on(server_fd, &protocol, &limits, d.policy, &d.server)
                 : daemon_server_create(d.socket_path, &protocol, &limits, d.policy, &d.server);
    if (status != PSA_SUCCESS) {
        goto out;
    }
    if (!foreground) {
        if (daemon_log_sink() == DAEMON_LOG_STDERR) {
            daemon_log(DAEMON_LOG_INFO, "detaching; the log goes to syslog from now on "
                                        "(--log-file FILE, or --foreground to keep it here)");
            daemon_log_use_syslog();
        }
        ready_fd = enclave_daemon_detach(error);
        if (ready_fd < 0) {
            daemon_log(DAEMON_LOG_ERROR, "%s", error);
            goto out;
        }
    }
    enclave_daemon_lock_note_pid(lock_fd);
    if (pid_fd >= 0) {
        pid_file_written = true; /* removed at the end whatever happens now */
        bool written = enclave_daemon_write_pid_file(pid_fd, d.pid_file, error);
        pid_fd = -1;
        if (!written) {
            daemon_log(DAEMON_LOG_ERROR, "%s", error);
            goto out;
        }
    }
    if (daemon_server_start(d.server) != PSA_SUCCESS) {
        daemon_log(DAEMON_LOG_ERROR, "cannot start workers");
        goto out;
    }
    daemon_log(DAEMON_LOG_INFO,
               "rssd %s serving on %s, state in %s, %u workers, embed limit %zu, %zu keys and "
               "%zu operations per session",
               SS_VERSION, d.socket_path, d.state_dir, config.workers, config.embed_limit,
               config.max_volatile_keys_per_session, config.max_operations_per_session);
    enclave_daemon_ready(ready_fd, true);
    ready_fd = -1;
    enclave_systemd_notify("READY=1");

    for (;;) {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0) {
            continue;
        }
        if (sig == SIGHUP) {
            reload(&d);
            continue;
        }
        daemon_log(DAEMON_LOG_INFO, "signal %d: finishing in-flight calls", sig);
        break;
    }
    enclave_systemd_notify("STOPPING=1");
    rc = 0;

out:
    enclave_daemon_ready(ready_fd, false);
    /* Workers finish their current call before the stores close: every acknowledged write is
     * already durable, and no write is cut in half. A call still running after the grace period
     * (a client asked for a huge derivation) does not hold the shutdown hostage: rssd exits
     * without it, which is safe because every durable write is an atomic rename, and the call's
     * client only loses its reply. */
    if (d.server != NULL && rc == 0) {
        if (!daemon_server_shutdown(d.server, config.shutdown_grace_seconds)) {
            daemon_log(DAEMON_LOG_WARNING,
                       "calls still running %u s after the stop request; exiting without them",
                       config.shutdown_grace_seconds);
            if (pid_file_written) {
                enclave_daemon_remove_pid_file(d.pid_file);
            }
            _exit(0);
        }
        d.server = NULL; /* destroyed */
    }
    daemon_server_destroy(d.server);
    if (pid_fd >= 0) { /* opened, never written: start-up failed before that */
        close(pid_fd);
        enclave_daemon_remove_pid_file(d.pid_file);
    }
    if (listen_fd >= 0) {
        close(listen_fd);
    }
    if (core_up) {
        core_crypto_shutdown();
    }
    ps_store_close(ps);
    its_store_close(its);
    daemon_policy_free(d.policy);
    if (pid_file_written) {
        enclave_daemon_remove_pid_file(d.pid_file);
    }
    close(lock_fd);
    if (rc == 0) {
        daemon_log(DAEMON_LOG_INFO, "stopped");
    }
    return rc;
}
