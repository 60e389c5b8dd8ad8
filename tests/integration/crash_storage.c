/* Crash test: a child writes ITS and PS objects in a loop and is SIGKILLed; nothing acked is lost. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <dirent.h>
#include <ftw.h>
#include <time.h>
#include <unistd.h>

#include "storage/its_store.h"
#include "storage/ps_store.h"

#define KILLS      220
#define UIDS       6
#define OWNER      42
#define MAX_LEN    3000

enum { ENGINE_ITS = 0, ENGINE_PS = 1 };
enum { MSG_INTENT = 1, MSG_ACK = 2 };

/* One pipe message; well under PIPE_BUF, so each write() is atomic. */
typedef struct msg {
    uint8_t type;
    uint8_t engine;
    uint64_t uid;
    uint64_t seq;
    uint32_t len;
} msg_t;

typedef struct slot {
    int valid;
    uint64_t seq;
    uint32_t len;
} slot_t;

static char its_dir[512], trusted_dir[512], ps_dir[512];

static void fill(uint8_t *buf, uint64_t seq, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seq * 131 + i * 7 + (seq >> 8));
    }
}

static void open_stores(its_store_t **its, ps_store_t **ps)
{
    its_store_config_t ic = {.dir = its_dir};
    ps_store_config_t pc = {.trusted_dir = trusted_dir, .external_dir = ps_dir};
    if (its_store_open(&ic, its) != PSA_SUCCESS || ps_store_open(&pc, ps) != PSA_SUCCESS) {
        fprintf(stderr, "open failed\n");
        exit(2);
    }
}

static void send_msg(int fd, const msg_t *m)
{
    if (write(fd, m, sizeof(*m)) != (ssize_t)sizeof(*m)) {
        _exit(3);
    }
}

static void child(int fd, unsigned round)
{
    its_store_t *its;
    ps_store_t *ps;
    uint8_t buf[MAX_LEN];
    open_stores(&its, &ps);
    uint64_t seq = (uint64_t)round * 1000000u;
    srand(round * 7919u + 1);
    for (;;) {
        seq++;
        msg_t m = {.type = MSG_INTENT, .engine = (uint8_t)(rand() & 1),
                   .uid = 1 + (uint64_t)(rand() % UIDS), .seq = seq,
                   .len = (uint32_t)(rand() % MAX_LEN)};
        fill(buf, seq, m.len);
        send_msg(fd, &m);
        psa_status_t st = m.engine == ENGINE_ITS
                              ? its_store_set(its, OWNER, m.uid, m.len, buf, 0)
                              : ps_store_set(ps, OWNER, m.uid, m.len, buf, 0);
        if (st != PSA_SUCCESS) {
            fprintf(stderr, "child: set failed %d\n", (int)st);
            _exit(4);
        }
        m.type = MSG_ACK;
        send_msg(fd, &m);
    }
}

static int count_suffix(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    size_t sl = strlen(suffix);
    while (d && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l >= sl && strcmp(e->d_name + l - sl, suffix) == 0) {
            n++;
        }
    }
    if (d) {
        closedir(d);
    }
    return n;
}

static int rm_one(const char *p, const struct stat *s, int f, struct FTW *w)
{
    (void)s;
    (void)f;
    (void)w;
    return remove(p);
}

/* Checks one object against the model: the acked value, or the in-flight one. */
static int verify_object(its_store_t *its, ps_store_t *ps, int engine, uint64_t uid,
                         slot_t *model, slot_t *pending)
{
    static uint8_t got[MAX_LEN], want[MAX_LEN];
    size_t n = 0;
    psa_status_t st = engine == ENGINE_ITS
                          ? its_store_get(its, OWNER, uid, 0, sizeof(got), got, &n)
                          : ps_store_get(ps, OWNER, uid, 0, sizeof(got), got, &n);
    if (st == PSA_ERROR_DOES_NOT_EXIST) {
        if (model->valid) {
            fprintf(stderr, "engine %d uid %llu: acknowledged write lost\n", engine,
                    (unsigned long long)uid);
            return 0;
        }
        pending->valid = 0;
        return 1;
    }
    if (st != PSA_SUCCESS) {
        fprintf(stderr, "engine %d uid %llu: status %d\n", engine, (unsigned long long)uid,
                (int)st);
        return 0;
    }
    slot_t *cands[2] = {model, pending};
    for (int c = 0; c < 2; c++) {
        if (cands[c]->valid && cands[c]->len == n) {
            fill(want, cands[c]->seq, cands[c]->len);
            if (memcmp(got, want, n) == 0) {
                *model = *cands[c];
                pending->valid = 0;
                return 1;
            }
        }
    }
    fprintf(stderr, "engine %d uid %llu: torn or wrong value (%zu bytes)\n", engine,
            (unsigned long long)uid, n);
    return 0;
}

int main(void)
{
    char root[] = "/tmp/ss-crash-storage-XXXXXX";
    if (mkdtemp(root) == NULL) {
        return 1;
    }
    snprintf(its_dir, sizeof(its_dir), "%s/its", root);
    snprintf(trusted_dir, sizeof(trusted_dir), "%s/its", root);
    snprintf(ps_dir, sizeof(ps_dir), "%s/ps", root);
    slot_t model[2][UIDS + 1], pending[2][UIDS + 1];
    memset(model, 0, sizeof(model));
    memset(pending, 0, sizeof(pending));
    srand((unsigned)time(NULL));
    unsigned long acks = 0, kills = 0;
    int ok = 1;
    for (unsigned round = 1; ok && kills < KILLS; round++) {
        int fds[2];
        if (pipe(fds) != 0) {
            return 1;
        }
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            child(fds[1], round);
        }
        close(fds[1]);
        /* Kill at a random moment: sometimes during start-up recovery, mostly mid-loop. */
        usleep((useconds_t)(rand() % 12000));
        kill(pid, SIGKILL);
        int wst;
        waitpid(pid, &wst, 0);
        if (!(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL)) {
            fprintf(stderr, "child exited on its own (status %d)\n", wst);
            ok = 0;
        }
        kills++;
        msg_t m;
        ssize_t r;
        while ((r = read(fds[0], &m, sizeof(m))) == (ssize_t)sizeof(m)) {
            slot_t s = {.valid = 1, .seq = m.seq, .len = m.len};
            if (m.type == MSG_INTENT) {
                pending[m.engine][m.uid] = s;
            } else {
                model[m.engine][m.uid] = s;
                pending[m.engine][m.uid].valid = 0;
                acks++;
            }
        }
        close(fds[0]);
        its_store_t *its;
        ps_store_t *ps;
        open_stores(&its, &ps);
        int ps_objects = 0;
        for (int engine = 0; engine < 2 && ok; engine++) {
            for (uint64_t uid = 1; uid <= UIDS && ok; uid++) {
                ok = verify_object(its, ps, engine, uid, &model[engine][uid],
                                   &pending[engine][uid]);
                ps_objects += engine == ENGINE_PS && model[engine][uid].valid;
            }
        }
        its_store_close(its);
        ps_store_close(ps);
        if (ok && (count_suffix(its_dir, ".tmp") != 0 || count_suffix(ps_dir, ".tmp") != 0 ||
                   count_suffix(ps_dir, ".ps") != ps_objects)) {
            fprintf(stderr, "stray files after round %u\n", round);
            ok = 0;
        }
    }
    nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    printf("crash_storage: %lu kills, %lu acknowledged writes verified, %s\n", kills, acks,
           ok ? "ok" : "FAILED");
    return ok && acks > KILLS ? 0 : 1;
}
