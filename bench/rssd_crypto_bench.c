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
#include <sys/resource.h>
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
 * measurement runs in a forked child that picks its mode and reports ops/s (and its CPU time)
 * through a pipe. A ratio row's sides run in turn, ROUNDS times, and its ratio is the median of
 * the rounds' ratios. The raw baseline for a call through rssd is a SOCK_SEQPACKET ping-pong with
 * a message the size of an embed ECDSA request and reply.
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

static double cpu_seconds(pid_t pid);

/* rssd's pid when this program started it (its CPU time is then rssd's alone), else 0. */
static pid_t rssd_pid;

/* This process's CPU seconds so far. */
static double own_cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* One measurement: ops/s of `op`, median of RUNS runs of `iterations`. NaN on error. The CPU
 * time per operation over the timed runs goes to *client_us, and rssd's to *rssd_us (NaN unless
 * this program started rssd). */
static double measure(bench_op_t op, bool in_process, int iterations, double *client_us,
                      double *rssd_us)
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
    double own_before = own_cpu_seconds();
    double rssd_before = rssd_pid > 0 ? cpu_seconds(rssd_pid) : 0.0 / 0.0;
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
    double ops = (double)iterations * RUNS;
    *client_us = (own_cpu_seconds() - own_before) * 1e6 / ops;
    *rssd_us = (cpu_seconds(rssd_pid) - rssd_before) * 1e6 / ops;
    return bench_median(rates, RUNS);
}

/* Runs `measure` in `clients` forked processes at once (routing mode set before their
 * psa_crypto_init). One client: its median ops/s, and (cpu_us not NULL) the client's and rssd's
 * CPU time per operation over the timed runs, in microseconds. Several: the aggregate, all
 * operations of all clients over the wall time from the first fork to the last exit (so clients
 * that do not overlap cannot inflate it). */
static double in_children(bench_op_t op, bool in_process, const char *routing, int iterations,
                          int clients, double cpu_us[2])
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
            double result[3] = {0.0 / 0.0, 0.0 / 0.0, 0.0 / 0.0};
            if (psa_crypto_init() == PSA_SUCCESS) {
                result[0] = measure(op, in_process, iterations, &result[1], &result[2]);
            }
            if (write(fds[1], result, sizeof(result)) != sizeof(result)) {
                _exit(1);
            }
            _exit(0);
        }
    }
    close(fds[1]);
    double total = 0;
    for (int c = 0; c < clients; c++) {
        double result[3] = {0.0 / 0.0, 0.0 / 0.0, 0.0 / 0.0};
        if (read(fds[0], result, sizeof(result)) != sizeof(result)) {
            result[0] = 0.0 / 0.0;
        }
        total += result[0];
        if (cpu_us != NULL) {
            cpu_us[0] = result[1];
            cpu_us[1] = result[2];
        }
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
    /* Searchable, so that the latency row's loaders (uid 65534 when run as root) reach the
     * socket; the state directory below stays 0700. */
    chmod(state_dir, 0755);
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

/* CPU seconds (user + system) pid has used so far, from /proc/PID/stat. */
static double cpu_seconds(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return 0.0 / 0.0;
    }
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    unsigned long utime = 0, stime = 0;
    /* After the command: state, then 10 fields, then utime (14) and stime (15). */
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) {
        return 0.0 / 0.0;
    }
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* rssd's CPU time over `seconds` with `clients` processes connected (each made one call) and
 * idle: what the fast path's spinning costs when nobody calls. */
static double idle_cpu(pid_t daemon, int clients, unsigned seconds)
{
    int ready[2];
    if (pipe(ready) != 0) {
        return 0.0 / 0.0;
    }
    pid_t pids[16];
    for (int c = 0; c < clients; c++) {
        pids[c] = fork();
        if (pids[c] == 0) {
            close(ready[0]);
            uint8_t byte = 0;
            psa_status_t status = psa_crypto_init();
            if (status == PSA_SUCCESS) {
                status = psa_generate_random(&byte, 1);
            }
            if (write(ready[1], &status, sizeof(status)) != sizeof(status)) {
                _exit(1);
            }
            sleep(seconds + 1);
            _exit(0);
        }
    }
    close(ready[1]);
    bool ok = true;
    for (int c = 0; c < clients; c++) {
        psa_status_t status = PSA_ERROR_GENERIC_ERROR;
        ok = ok && read(ready[0], &status, sizeof(status)) == sizeof(status) &&
             status == PSA_SUCCESS;
    }
    close(ready[0]);
    usleep(100000); /* any spin that followed the last calls is over */
    double before = cpu_seconds(daemon);
    sleep(seconds);
    double used = cpu_seconds(daemon) - before;
    for (int c = 0; c < clients; c++) {
        kill(pids[c], SIGKILL);
        waitpid(pids[c], NULL, 0);
    }
    return ok ? used : 0.0 / 0.0;
}

/*
 * Latency under load: SHA-256 of 64 bytes through rssd, one call at a time, `calls` times, while
 * `loaders` other processes generate RSA-4096 keys in rssd. As root the loaders run as uid
 * 65534, another client of rssd, so the per-client busy-worker cap does not make the hash
 * client wait for them (one client's own long calls do hold its further calls back, by design).
 * *p50 and *p99 get the percentiles in microseconds.
 */
static void hash_latency(int loaders, int calls, double *p50, double *p99)
{
    pid_t pids[8];
    for (int l = 0; l < loaders; l++) {
        pids[l] = fork();
        if (pids[l] == 0) {
            if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) {
                _exit(1);
            }
            if (psa_crypto_init() != PSA_SUCCESS) {
                _exit(1);
            }
            for (unsigned failures = 0;;) {
                psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
                psa_set_key_type(&attr, PSA_KEY_TYPE_RSA_KEY_PAIR);
                psa_set_key_bits(&attr, 4096);
                psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_SIGN_HASH);
                psa_set_key_algorithm(&attr, PSA_ALG_RSA_PSS(PSA_ALG_SHA_256));
                psa_key_id_t key = 0;
                if (psa_generate_key(&attr, &key) == PSA_SUCCESS) {
                    psa_destroy_key(key);
                } else if (++failures == 3) {
                    /* Not a load at all (no socket reachable, say): say so, and stop. */
                    fprintf(stderr, "latency row: a loader cannot generate keys in rssd\n");
                    _exit(1);
                }
            }
        }
    }
    if (loaders > 0) {
        sleep(1); /* the key generations are under way */
    }
    int fds[2];
    if (pipe(fds) != 0) {
        *p50 = *p99 = 0.0 / 0.0;
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        double *each = calloc((size_t)calls, sizeof(double));
        double result[2] = {0.0 / 0.0, 0.0 / 0.0};
        if (each != NULL && psa_crypto_init() == PSA_SUCCESS) {
            uint8_t in[64] = {0}, hash[32];
            size_t len = 0;
            bool ok = true;
            for (int i = 0; i < calls && ok; i++) {
                double t0 = bench_now();
                ok = psa_hash_compute(PSA_ALG_SHA_256, in, sizeof(in), hash, sizeof(hash), &len) ==
                     PSA_SUCCESS;
                each[i] = (bench_now() - t0) * 1e6;
            }
            if (ok) {
                qsort(each, (size_t)calls, sizeof(double), bench_compare_doubles);
                result[0] = each[calls / 2];
                result[1] = each[(calls * 99) / 100];
            }
        }
        if (write(fds[1], result, sizeof(result)) != sizeof(result)) {
            _exit(1);
        }
        _exit(0);
    }
    close(fds[1]);
    double result[2] = {0.0 / 0.0, 0.0 / 0.0};
    if (read(fds[0], result, sizeof(result)) != sizeof(result)) {
        result[0] = result[1] = 0.0 / 0.0;
    }
    close(fds[0]);
    waitpid(pid, NULL, 0);
    for (int l = 0; l < loaders; l++) {
        kill(pids[l], SIGKILL);
        waitpid(pids[l], NULL, 0);
    }
    *p50 = result[0];
    *p99 = result[1];
}

/* One side of a comparison: ops/s, and per operation the wall time and the CPU time of the
 * client process and of rssd (microseconds; rssd's only when this program started it). */
typedef struct {
    double rate, wall_us, client_us, rssd_us;
} side_t;

/* One comparison: in-process (base), through rssd on the fast path, and (socket_iterations > 0)
 * on the socket path; ratio and socket_ratio are the medians of each round's ratio to base. */
typedef struct {
    side_t base, fast, socket;
    double ratio, socket_ratio;
} comparison_t;

#define ROUNDS 5

static side_t run_side(bench_op_t op, bool in_process, const char *routing, int iterations)
{
    double cpu[2] = {0.0 / 0.0, 0.0 / 0.0};
    double rate = in_children(op, in_process, routing, iterations, 1, cpu);
    return (side_t){rate, 1e6 / rate, cpu[0], cpu[1]};
}

/* The median of each field over the rounds. */
static side_t median_side(side_t *sides)
{
    double v[4][ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        v[0][r] = sides[r].rate;
        v[1][r] = sides[r].wall_us;
        v[2][r] = sides[r].client_us;
        v[3][r] = sides[r].rssd_us;
    }
    return (side_t){bench_median(v[0], ROUNDS), bench_median(v[1], ROUNDS),
                    bench_median(v[2], ROUNDS), bench_median(v[3], ROUNDS)};
}

/* The sides run in turn, ROUNDS times, so that a drift of the machine's speed (this VM's moves by
 * a third within a minute) reaches all of them alike instead of deciding a ratio. */
static comparison_t compare(bench_op_t op, const char *routing, int base_iterations,
                            int fast_iterations, int socket_iterations)
{
    side_t base[ROUNDS], fast[ROUNDS], socket[ROUNDS];
    double ratio[ROUNDS], socket_ratio[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        base[r] = run_side(op, true, routing, base_iterations);
        fast[r] = run_side(op, false, routing, fast_iterations);
        ratio[r] = fast[r].rate / base[r].rate;
        socket[r] = (side_t){0.0 / 0.0, 0.0 / 0.0, 0.0 / 0.0, 0.0 / 0.0};
        socket_ratio[r] = 0.0 / 0.0;
        if (socket_iterations > 0) {
            setenv("RSS_FAST_PATH", "0", 1);
            socket[r] = run_side(op, false, routing, socket_iterations);
            unsetenv("RSS_FAST_PATH");
            socket_ratio[r] = socket[r].rate / base[r].rate;
        }
    }
    comparison_t c = {median_side(base), median_side(fast), median_side(socket),
                      bench_median(ratio, ROUNDS), bench_median(socket_ratio, ROUNDS)};
    return c;
}

static void row(const char *name, double ours, double baseline, double ratio, const char *target)
{
    if (ours != ours || baseline != baseline || ratio != ratio) {
        printf("%-38s %14s %14s %8s   %s\n", name, "FAILED", "-", "-", target);
        return;
    }
    printf("%-38s %14.0f %14.0f %8.2f   %s\n", name, ours, baseline, ratio, target);
}

static void cpu_row(const char *op, const char *path, const side_t *side)
{
    printf("%-14s %-12s %10.2f %12.2f %10.2f\n", op, path, side->wall_us, side->client_us,
           side->rssd_us);
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
        rssd_pid = daemon;
    }

    printf("%-38s %14s %14s %8s   %s\n", "operation", "ours ops/s", "baseline ops/s", "ratio",
           "target");
    double rtt = raw_round_trips(20000);
    row("raw SOCK_SEQPACKET round trip", rtt, rtt, 1.0, "(reference)");
    comparison_t sign = compare(OP_SIGN, "enclave", 2000, 2000, 1000);
    /* Baseline of the sign target: one raw round trip plus one in-process signature. */
    double sign_bound = 1.0 / (1.0 / rtt + 1.0 / sign.base.rate);
    row("ECDSA P-256 sign vs in-process", sign.fast.rate, sign.base.rate, sign.ratio, ">= 0.90");
    row("ECDSA sign vs rtt+in-process (medians)", sign.fast.rate, sign_bound,
        sign.fast.rate / sign_bound, ">= 0.87 (<= 1.15x time)");
    row("ECDSA sign, socket path vs in-process", sign.socket.rate, sign.base.rate,
        sign.socket_ratio, "(reference)");
    row("ECDSA sign, fast vs socket (medians)", sign.fast.rate, sign.socket.rate,
        sign.fast.rate / sign.socket.rate, "(reference)");
    comparison_t gcm64 = compare(OP_GCM_64, "enclave", 50000, 20000, 2000);
    row("AES-128-GCM 64 B rssd vs in-process", gcm64.fast.rate, gcm64.base.rate, gcm64.ratio,
        ">= 0.90");
    row("AES-128-GCM 64 B socket path vs in-proc", gcm64.socket.rate, gcm64.base.rate,
        gcm64.socket_ratio, "(reference)");
    comparison_t gcm1m = compare(OP_GCM_1M, "enclave", 200, 200, 0);
    row("AES-128-GCM 1 MiB pointer access", gcm1m.fast.rate, gcm1m.base.rate, gcm1m.ratio,
        ">= 0.90");
    comparison_t split = compare(OP_GCM_64, "split", 50000, 50000, 0);
    row("AES-128-GCM 64 B split mode", split.fast.rate, split.base.rate, split.ratio, ">= 0.90");
    double one = in_children(OP_SIGN, false, "enclave", 1000, 1, NULL);
    for (int clients = 1; clients <= 8; clients *= 2) {
        char name[64];
        snprintf(name, sizeof(name), "ECDSA sign, %d client process%s", clients,
                 clients > 1 ? "es" : "");
        double total =
            clients == 1 ? one : in_children(OP_SIGN, false, "enclave", 1000, clients, NULL);
        row(name, total, one, total / one, clients >= 2 ? ">= 1.60" : "(reference)");
    }

    /* What the waiting costs: per call, the wall time (from the median rate) and the CPU time of
     * each side over all timed runs (rssd's only when this program started it; the fast path's
     * spinners show up here). */
    printf("\n%-14s %-12s %10s %12s %10s\n", "per call (us)", "path", "wall", "client CPU",
           "rssd CPU");
    cpu_row("ECDSA sign", "in-process", &sign.base);
    cpu_row("ECDSA sign", "fast path", &sign.fast);
    cpu_row("ECDSA sign", "socket path", &sign.socket);
    cpu_row("AES-GCM 64 B", "in-process", &gcm64.base);
    cpu_row("AES-GCM 64 B", "fast path", &gcm64.fast);
    cpu_row("AES-GCM 64 B", "socket path", &gcm64.socket);
    cpu_row("AES-GCM 1 MiB", "in-process", &gcm1m.base);
    cpu_row("AES-GCM 1 MiB", "fast path", &gcm1m.fast);

    /* Both rows need the rssd this program started: its socket directory is reachable by the
     * loaders' uid, and its CPU time is rssd's alone. */
    if (daemon > 0) {
        /* Idle first: a killed loader's key generation runs on in rssd until it ends. */
        double idle = idle_cpu(daemon, 8, 10);
        printf("rssd CPU time over 10 s with 8 connected idle clients: %.2f s\n", idle);
        double p50 = 0, p99 = 0, q50 = 0, q99 = 0;
        hash_latency(0, 5000, &q50, &q99);
        hash_latency(2, 5000, &p50, &p99);
        printf(
            "SHA-256 64 B latency through rssd: p50 %.1f us, p99 %.1f us alone; p50 %.1f us, p99 "
            "%.1f us while 2 other clients generate RSA-4096 keys%s\n",
            q50, q99, p50, p99, getuid() == 0 ? "" : " (same uid: they share its busy cap)");
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
