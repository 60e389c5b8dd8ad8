/* Benchmark: crypto through a private rssd (libpsa) against the same core in-process. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <psa/crypto.h>

#include "bench_util.h"
#include "crypto/core.h"

/*
 * The in-process baseline calls the PSA core that libpsa-local dispatches to (libpsa-local's
 * psa_* symbols cannot be linked next to libpsa's). Routing is read once per process, so every
 * measurement runs in a forked child that picks its mode and reports ops/s through a pipe. The
 * raw baseline for a call through rssd is a SOCK_SEQPACKET ping-pong with a message the size of
 * an embed ECDSA request and reply.
 */

#define RUNS 5
static const core_caller_t self = {.owner = 1, .session = 0};
static char state_dir[] = "/tmp/ss-rssd-bench-XXXXXX";

static psa_key_id_t make_key(bool in_process, psa_key_type_t type, size_t bits,
                             psa_key_usage_t usage, psa_algorithm_t alg)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, type);
    psa_set_key_bits(&attr, bits);
    psa_set_key_usage_flags(&attr, usage);
    psa_set_key_algorithm(&attr, alg);
    psa_key_id_t id = 0;
    psa_status_t status =
        in_process ? core_generate_key(&self, &attr, &id) : psa_generate_key(&attr, &id);
    if (status != PSA_SUCCESS) {
        fprintf(stderr, "generate_key: %d\n", (int)status);
        exit(2);
    }
    return id;
}

typedef enum { OP_SIGN, OP_GCM_1M, OP_GCM_64 } bench_op_t;

/* One measurement: ops/s of `op`, median of RUNS runs of `iterations`. NaN on error. */
static double measure(bench_op_t op, bool in_process, int iterations)
{
    static uint8_t in[1 << 20];
    static uint8_t out[(1 << 20) + 16];
    uint8_t nonce[12] = {0};
    uint8_t hash[32] = {1, 2, 3};
    psa_key_id_t key;
    size_t length = op == OP_GCM_1M ? sizeof(in) : 64;
    if (op == OP_SIGN) {
        key = make_key(in_process, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 256,
                       PSA_KEY_USAGE_SIGN_HASH, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    } else {
        key = make_key(in_process, PSA_KEY_TYPE_AES, 128, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_GCM);
    }
    double rates[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double start = bench_now();
        for (int i = 0; i < iterations; i++) {
            size_t n = 0;
            psa_status_t status;
            if (op == OP_SIGN) {
                status = in_process ? core_sign_hash(&self, key, PSA_ALG_ECDSA(PSA_ALG_SHA_256),
                                                     hash, 32, out, 64, &n)
                                    : psa_sign_hash(key, PSA_ALG_ECDSA(PSA_ALG_SHA_256), hash, 32,
                                                    out, 64, &n);
            } else {
                status = in_process ? core_aead_encrypt(&self, key, PSA_ALG_GCM, nonce, 12, NULL, 0,
                                                        in, length, out, sizeof(out), &n)
                                    : psa_aead_encrypt(key, PSA_ALG_GCM, nonce, 12, NULL, 0, in,
                                                       length, out, sizeof(out), &n);
            }
            if (status != PSA_SUCCESS) {
                fprintf(stderr, "operation %d failed: %d\n", (int)op, (int)status);
                return 0.0 / 0.0;
            }
        }
        rates[r] = iterations / (bench_now() - start);
    }
    return bench_median(rates, RUNS);
}

/* Runs `measure` in `clients` forked processes at once (routing mode set before their
 * psa_crypto_init). One client: its median ops/s. Several: the aggregate, all operations of all
 * clients over the wall time from the first fork to the last exit (so clients that do not
 * overlap cannot inflate it). */
static double in_children(bench_op_t op, bool in_process, const char *routing, int iterations,
                          int clients)
{
    double wall_start = bench_now();
    int fds[2];
    if (pipe(fds) != 0) {
        return 0.0 / 0.0;
    }
    pid_t pids[16];
    for (int c = 0; c < clients; c++) {
        pid_t pid = fork();
        pids[c] = pid;
        if (pid == 0) {
            close(fds[0]);
            setenv("PSA_ROUTING", routing, 1);
            core_crypto_init(NULL);
            double rate =
                psa_crypto_init() == PSA_SUCCESS ? measure(op, in_process, iterations) : 0.0 / 0.0;
            if (write(fds[1], &rate, sizeof(rate)) != sizeof(rate)) {
                _exit(1);
            }
            _exit(0);
        }
    }
    close(fds[1]);
    double total = 0;
    for (int c = 0; c < clients; c++) {
        double rate = 0.0 / 0.0;
        if (read(fds[0], &rate, sizeof(rate)) != sizeof(rate)) {
            rate = 0.0 / 0.0;
        }
        total += rate;
    }
    close(fds[0]);
    /* Only these children: rssd is a child too. */
    for (int c = 0; c < clients; c++) {
        waitpid(pids[c], NULL, 0);
    }
    if (clients > 1 && total == total) {
        return (double)clients * iterations * RUNS / (bench_now() - wall_start);
    }
    return total;
}

/* Raw SOCK_SEQPACKET round trips per second with an echo process (request/reply sizes of an
 * embed ECDSA sign: 20 + 56 + 32 bytes out, 16 + 64 bytes back). */
static double raw_round_trips(int iterations)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) {
        return 0.0 / 0.0;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        uint8_t buf[256];
        ssize_t n;
        while ((n = recv(sv[1], buf, sizeof(buf), 0)) > 0) {
            if (send(sv[1], buf, 80, 0) != 80) {
                break;
            }
        }
        _exit(0);
    }
    close(sv[1]);
    uint8_t msg[108] = {0};
    uint8_t reply[256];
    double rates[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double start = bench_now();
        for (int i = 0; i < iterations; i++) {
            if (send(sv[0], msg, sizeof(msg), 0) != sizeof(msg) ||
                recv(sv[0], reply, sizeof(reply), 0) <= 0) {
                return 0.0 / 0.0;
            }
        }
        rates[r] = iterations / (bench_now() - start);
    }
    close(sv[0]);
    waitpid(pid, NULL, 0);
    return bench_median(rates, RUNS);
}

static pid_t start_rssd(const char *rssd, char *socket_path, size_t size)
{
    if (mkdtemp(state_dir) == NULL) {
        return -1;
    }
    char state[256];
    snprintf(state, sizeof(state), "%s/state", state_dir);
    snprintf(socket_path, size, "%s/rss.sock", state_dir);
    mkdir(state, 0700);
    pid_t pid = fork();
    if (pid == 0) {
        /* rssd's log would interleave with the table. */
        int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null_fd >= 0) {
            dup2(null_fd, STDERR_FILENO);
        }
        execl(rssd, rssd, "--state-dir", state, "--socket", socket_path, "--foreground",
              (char *)NULL);
        _exit(127);
    }
    for (;;) {
        struct stat st;
        if (stat(socket_path, &st) == 0 && S_ISSOCK(st.st_mode)) {
            return pid;
        }
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            return -1;
        }
        usleep(50000);
    }
}

static void row(const char *name, double ours, double baseline, const char *target)
{
    if (ours != ours || baseline != baseline) {
        printf("%-34s %14s %14s %8s   %s\n", name, "FAILED", "-", "-", target);
        return;
    }
    printf("%-34s %14.0f %14.0f %8.2f   %s\n", name, ours, baseline, ours / baseline, target);
}

int main(int argc, char **argv)
{
    const char *rssd = argc > 1 ? argv[1] : SS_RSSD_PATH;
    char socket_path[256];
    pid_t daemon = -1;
    if (getenv("RSS_SOCKET") == NULL) {
        daemon = start_rssd(rssd, socket_path, sizeof(socket_path));
        if (daemon < 0) {
            fprintf(stderr, "cannot start %s\n", rssd);
            return 1;
        }
        setenv("RSS_SOCKET", socket_path, 1);
    }

    printf("%-34s %14s %14s %8s   %s\n", "operation", "ours ops/s", "baseline ops/s", "ratio",
           "target");
    double rtt = raw_round_trips(20000);
    double sign_local = in_children(OP_SIGN, true, "enclave", 2000, 1);
    double sign_rssd = in_children(OP_SIGN, false, "enclave", 2000, 1);
    /* Baseline of the sign target: one raw round trip plus one in-process signature. */
    double sign_bound = 1.0 / (1.0 / rtt + 1.0 / sign_local);
    row("raw SOCK_SEQPACKET round trip", rtt, rtt, "(reference)");
    row("ECDSA P-256 sign vs in-process", sign_rssd, sign_local, "(reference)");
    row("ECDSA P-256 sign vs rtt+in-process", sign_rssd, sign_bound, ">= 0.87 (<= 1.15x time)");
    double gcm_local = in_children(OP_GCM_1M, true, "enclave", 20, 1);
    double gcm_rssd = in_children(OP_GCM_1M, false, "enclave", 20, 1);
    row("AES-128-GCM 1 MiB pointer access", gcm_rssd, gcm_local, ">= 0.70");
    double small_local = in_children(OP_GCM_64, true, "split", 50000, 1);
    double small_split = in_children(OP_GCM_64, false, "split", 50000, 1);
    row("AES-128-GCM 64 B split mode", small_split, small_local, ">= 0.90");
    double one = in_children(OP_SIGN, false, "enclave", 1000, 1);
    for (int clients = 1; clients <= 8; clients *= 2) {
        char name[64];
        snprintf(name, sizeof(name), "ECDSA sign, %d client process%s", clients,
                 clients > 1 ? "es" : "");
        double total = clients == 1 ? one : in_children(OP_SIGN, false, "enclave", 1000, clients);
        row(name, total, one, clients >= 2 ? ">= 1.60" : "(reference)");
    }

    if (daemon > 0) {
        kill(daemon, SIGTERM);
        waitpid(daemon, NULL, 0);
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", state_dir);
        if (system(cmd) != 0) {
            return 1;
        }
    }
    return 0;
}
