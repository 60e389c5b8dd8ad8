/* Crash test through rssd: SIGKILL it after N acked writes or inside a call; nothing is lost. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <psa/internal_trusted_storage.h>
#include <psa/protected_storage.h>

#include "client/client_call.h"

/*
 * The program under test is rssd-crash-hook: rssd's own main with a test-only I/O table
 * (crash_io.h) that RSSD_CRASH_AT_IO=K arms. Rounds alternate between
 *  - after N acknowledged writes (N random, 1..MAX_ACKS): one more write is started on a
 *    thread and the daemon is killed at once, so that write ends before, during or after it;
 *  - RSSD_CRASH_AT_IO=K (K random, 1..MAX_CRASH_AT): the daemon kills itself just before its
 *    K-th disk-changing storage call, in start-up or inside a write whose reply never comes.
 * Each round ends with a clean daemon that reads every object back and must stop with status 0.
 * Counts decide where the daemon dies, not a clock, so the coverage is the same on any machine.
 */
#define ROUNDS       60
#define MAX_ACKS     6
#define MAX_CRASH_AT 40
#define UIDS         4
#define MAX_LEN      2000
#define MAX_PENDING  2

enum { ENGINE_ITS = 0, ENGINE_PS = 1 };

typedef struct slot {
    bool valid;
    uint64_t seq;
    uint32_t len;
} slot_t;

typedef struct object_model {
    slot_t acked;
    slot_t pending[MAX_PENDING];
    unsigned npending;
} object_model_t;

static const char *rssd_program;
static char dir[64], state_dir[96], socket_path[96], log_path[96];
static object_model_t model[2][UIDS + 1];
static uint64_t next_seq = 1;

static void fill(uint8_t *buf, uint64_t seq, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seq * 151 + i * 13 + (seq >> 7));
    }
}

/* Starts the daemon (crash_at > 0 arms the hook); true once it accepts connections, false
 * when it died first (*pid is then 0 and *status its wait status). */
static bool start_rssd(long crash_at, pid_t *pid, int *status)
{
    pid_t child = fork();
    if (child < 0) {
        return false;
    }
    if (child == 0) {
        char count[24];
        snprintf(count, sizeof(count), "%ld", crash_at);
        if (crash_at > 0) {
            setenv("RSSD_CRASH_AT_IO", count, 1);
        }
        if (freopen(log_path, "a", stderr) == NULL) {
            _exit(126);
        }
        execl(rssd_program, rssd_program, "--state-dir", state_dir, "--socket", socket_path,
              "--foreground", "--log-level", "warning", (char *)NULL);
        _exit(127);
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
    for (;;) {
        if (waitpid(child, status, WNOHANG) == child) {
            *pid = 0;
            return false;
        }
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
            close(fd);
            *pid = child;
            return true;
        }
        if (fd >= 0) {
            close(fd);
        }
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

static int wait_status(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

static bool killed_by_sigkill(int status)
{
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

typedef struct write_call {
    int engine;
    uint64_t uid;
    slot_t value;
    psa_status_t status;
} write_call_t;

/* Chooses the next write and records it as in flight. */
static bool write_prepare(write_call_t *w)
{
    w->engine = rand() & 1;
    w->uid = 1 + (uint64_t)(rand() % UIDS);
    w->value = (slot_t){true, next_seq++, (uint32_t)(rand() % MAX_LEN)};
    object_model_t *o = &model[w->engine][w->uid];
    if (o->npending == MAX_PENDING) {
        fprintf(stderr, "model overflow\n");
        return false;
    }
    o->pending[o->npending++] = w->value;
    return true;
}

static void *write_run(void *arg)
{
    write_call_t *w = arg;
    static uint8_t buf[MAX_LEN];
    fill(buf, w->value.seq, w->value.len);
    w->status = w->engine == ENGINE_ITS ? psa_its_set(w->uid, w->value.len, buf, 0)
                                        : psa_ps_set(w->uid, w->value.len, buf, 0);
    return NULL;
}

/* An acknowledged write becomes the value every later read must see. */
static void write_settle(const write_call_t *w)
{
    if (w->status == PSA_SUCCESS) {
        object_model_t *o = &model[w->engine][w->uid];
        o->acked = w->value;
        o->npending = 0;
    }
}

static bool slot_matches(const slot_t *s, const uint8_t *got, size_t n)
{
    static uint8_t want[MAX_LEN];
    if (!s->valid || s->len != n) {
        return false;
    }
    fill(want, s->seq, s->len);
    return memcmp(got, want, n) == 0;
}

/* Reads every object through a clean daemon; each holds its acknowledged value or one in
 * flight, which then becomes the acknowledged one. */
static bool verify_all(unsigned round)
{
    pid_t pid;
    int status = 0;
    if (!start_rssd(0, &pid, &status)) {
        fprintf(stderr, "round %u: rssd did not restart (status %d)\n", round, status);
        return false;
    }
    client_disconnect_all();
    bool ok = true;
    static uint8_t got[MAX_LEN];
    for (int engine = 0; engine < 2 && ok; engine++) {
        for (uint64_t uid = 1; uid <= UIDS && ok; uid++) {
            object_model_t *o = &model[engine][uid];
            size_t n = 0;
            psa_status_t st = engine == ENGINE_ITS ? psa_its_get(uid, 0, MAX_LEN, got, &n)
                                                   : psa_ps_get(uid, 0, MAX_LEN, got, &n);
            if (st == PSA_ERROR_DOES_NOT_EXIST && !o->acked.valid) {
                o->npending = 0;
                continue;
            }
            if (st != PSA_SUCCESS) {
                fprintf(stderr, "round %u: engine %d uid %llu: status %d%s\n", round, engine,
                        (unsigned long long)uid, (int)st,
                        o->acked.valid ? " (an acknowledged write was lost)" : "");
                ok = false;
                break;
            }
            if (slot_matches(&o->acked, got, n)) {
                o->npending = 0;
                continue;
            }
            bool found = false;
            for (unsigned i = 0; i < o->npending && !found; i++) {
                if (slot_matches(&o->pending[i], got, n)) {
                    o->acked = o->pending[i];
                    found = true;
                }
            }
            o->npending = 0;
            if (!found) {
                fprintf(stderr, "round %u: engine %d uid %llu: torn or wrong value (%zu bytes)\n",
                        round, engine, (unsigned long long)uid, n);
                ok = false;
            }
        }
    }
    client_disconnect_all();
    kill(pid, SIGTERM);
    status = wait_status(pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "round %u: the clean rssd stopped with status %d\n", round, status);
        ok = false;
    }
    return ok;
}

typedef struct totals {
    unsigned long acks, acks_waited, kills_after_acks, crashes_in_writes, crashes_in_start;
} totals_t;

/* Round of N acknowledged writes, then one more on a thread while the daemon is killed. */
static bool round_after_acks(unsigned round, totals_t *t)
{
    unsigned n = 1 + (unsigned)(rand() % MAX_ACKS);
    pid_t pid;
    int status = 0;
    if (!start_rssd(0, &pid, &status)) {
        fprintf(stderr, "round %u: rssd did not start (status %d)\n", round, status);
        return false;
    }
    t->acks_waited += n;
    for (unsigned i = 0; i < n; i++) {
        write_call_t w;
        if (!write_prepare(&w)) {
            return false;
        }
        write_run(&w);
        if (w.status != PSA_SUCCESS) {
            fprintf(stderr, "round %u: write %u failed with status %d\n", round, i, (int)w.status);
            return false;
        }
        write_settle(&w);
        t->acks++;
    }
    write_call_t last;
    pthread_t thread;
    if (!write_prepare(&last) || pthread_create(&thread, NULL, write_run, &last) != 0) {
        return false;
    }
    kill(pid, SIGKILL);
    pthread_join(thread, NULL);
    write_settle(&last);
    t->acks += last.status == PSA_SUCCESS;
    if (!killed_by_sigkill(wait_status(pid))) {
        fprintf(stderr, "round %u: rssd did not die of SIGKILL\n", round);
        return false;
    }
    t->kills_after_acks++;
    return true;
}

/* Round whose daemon kills itself before its K-th disk-changing storage call. */
static bool round_in_call(unsigned round, totals_t *t)
{
    long k = 1 + rand() % MAX_CRASH_AT;
    pid_t pid;
    int status = 0;
    if (!start_rssd(k, &pid, &status)) {
        if (!killed_by_sigkill(status)) {
            fprintf(stderr, "round %u: rssd did not start (status %d)\n", round, status);
            return false;
        }
        t->crashes_in_start++;
        return true;
    }
    /* The hook fires within MAX_CRASH_AT disk changes, and every write makes several. */
    for (unsigned i = 0; i < MAX_CRASH_AT; i++) {
        write_call_t w;
        if (!write_prepare(&w)) {
            return false;
        }
        write_run(&w);
        write_settle(&w);
        if (w.status == PSA_SUCCESS) {
            t->acks++;
            continue;
        }
        if (w.status != PSA_ERROR_COMMUNICATION_FAILURE) {
            fprintf(stderr, "round %u: write failed with status %d\n", round, (int)w.status);
            return false;
        }
        if (!killed_by_sigkill(wait_status(pid))) {
            fprintf(stderr, "round %u: rssd did not die of SIGKILL\n", round);
            return false;
        }
        t->crashes_in_writes++;
        return true;
    }
    fprintf(stderr, "round %u: the crash hook never fired\n", round);
    kill(pid, SIGKILL);
    wait_status(pid);
    return false;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: crash_rssd RSSD-CRASH-HOOK\n");
        return 2;
    }
    rssd_program = argv[1];
    snprintf(dir, sizeof(dir), "/tmp/ss-crash-rssd-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return 1;
    }
    snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
    snprintf(socket_path, sizeof(socket_path), "%s/rss.sock", dir);
    snprintf(log_path, sizeof(log_path), "%s/rssd.log", dir);
    setenv("RSS_SOCKET", socket_path, 1);
    signal(SIGPIPE, SIG_IGN);
    const char *seed_env = getenv("CRASH_RSSD_SEED");
    unsigned seed = seed_env != NULL ? (unsigned)strtoul(seed_env, NULL, 0) : (unsigned)time(NULL);
    srand(seed);

    totals_t t = {0};
    bool ok = true;
    for (unsigned round = 1; ok && round <= ROUNDS; round++) {
        ok = (round % 2 == 1 ? round_after_acks(round, &t) : round_in_call(round, &t)) &&
             verify_all(round);
    }
    unsigned long kills = t.kills_after_acks + t.crashes_in_writes + t.crashes_in_start;
    bool covered = kills == ROUNDS && t.kills_after_acks == ROUNDS / 2 && t.acks >= t.acks_waited &&
                   t.crashes_in_writes > 0;
    printf("crash_rssd: seed %u, %lu kills of rssd (%lu after 1..%d acks, %lu inside a write, "
           "%lu in start-up), %lu acknowledged writes verified, %s\n",
           seed, kills, t.kills_after_acks, MAX_ACKS, t.crashes_in_writes, t.crashes_in_start,
           t.acks, ok && covered ? "ok" : "FAILED");
    if (!ok) {
        char cmd[160];
        snprintf(cmd, sizeof(cmd), "tail -n 20 '%s' >&2", log_path);
        int ignored = system(cmd);
        (void)ignored;
    }
    char cmd[96];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    int ignored = system(cmd);
    (void)ignored;
    return ok && covered ? 0 : 1;
}
