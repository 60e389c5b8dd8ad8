/* ITS and PS set/get of 64 B, 4 KiB and 64 KiB objects against write+fsync+rename+dir fsync. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "storage/its_store.h"
#include "storage/ps_store.h"

#define RUNS    7
#define OBJECTS 8
#define OWNER   1

typedef struct bench_ctx {
    char base_dir[700];
    its_store_t *its;
    ps_store_t *ps;
    uint8_t *data;
    uint8_t *out;
    size_t size;
} bench_ctx_t;

typedef void (*bench_op_t)(bench_ctx_t *c, int i);

static void fail(const char *what)
{
    fprintf(stderr, "storage_bench: %s failed\n", what);
    exit(1);
}

/* Baseline durable write: the same bytes, write + fsync + rename + directory fsync. */
static void base_set(bench_ctx_t *c, int i)
{
    char tmp[800], dst[800];
    snprintf(tmp, sizeof(tmp), "%s/obj%d.tmp", c->base_dir, i % OBJECTS);
    snprintf(dst, sizeof(dst), "%s/obj%d", c->base_dir, i % OBJECTS);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, c->data, c->size) != (ssize_t)c->size || fsync(fd) != 0) {
        fail("baseline write");
    }
    close(fd);
    if (rename(tmp, dst) != 0) {
        fail("baseline rename");
    }
    int dfd = open(c->base_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) {
        fail("baseline dir fsync");
    }
    close(dfd);
}

static void base_get(bench_ctx_t *c, int i)
{
    char dst[800];
    snprintf(dst, sizeof(dst), "%s/obj%d", c->base_dir, i % OBJECTS);
    int fd = open(dst, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, c->out, c->size) != (ssize_t)c->size) {
        fail("baseline read");
    }
    close(fd);
}

static void its_set(bench_ctx_t *c, int i)
{
    if (its_store_set(c->its, OWNER, 1 + (uint64_t)(i % OBJECTS), c->size, c->data, 0) !=
        PSA_SUCCESS) {
        fail("its set");
    }
}

static void its_get(bench_ctx_t *c, int i)
{
    size_t n;
    if (its_store_get(c->its, OWNER, 1 + (uint64_t)(i % OBJECTS), 0, c->size, c->out, &n) !=
            PSA_SUCCESS ||
        n != c->size) {
        fail("its get");
    }
}

static void ps_set(bench_ctx_t *c, int i)
{
    if (ps_store_set(c->ps, OWNER, 1 + (uint64_t)(i % OBJECTS), c->size, c->data, 0) !=
        PSA_SUCCESS) {
        fail("ps set");
    }
}

static void ps_get(bench_ctx_t *c, int i)
{
    size_t n;
    if (ps_store_get(c->ps, OWNER, 1 + (uint64_t)(i % OBJECTS), 0, c->size, c->out, &n) !=
            PSA_SUCCESS ||
        n != c->size) {
        fail("ps get");
    }
}

static double rate(bench_ctx_t *c, bench_op_t op, int iterations)
{
    double t0 = bench_now();
    for (int i = 0; i < iterations; i++) {
        op(c, i);
    }
    return iterations / (bench_now() - t0);
}

static int rm_one(const char *p, const struct stat *s, int f, struct FTW *w)
{
    (void)s;
    (void)f;
    (void)w;
    return remove(p);
}

int main(int argc, char **argv)
{
    const char *parent = argc > 1 ? argv[1] : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    char root[400], its_dir[600], ps_dir[600];
    snprintf(root, sizeof(root), "%s/ss-storage-bench-XXXXXX", parent);
    if (mkdtemp(root) == NULL) {
        fail("mkdtemp");
    }
    bench_ctx_t c = {0};
    snprintf(c.base_dir, sizeof(c.base_dir), "%s/baseline", root);
    snprintf(its_dir, sizeof(its_dir), "%s/its", root);
    snprintf(ps_dir, sizeof(ps_dir), "%s/ps", root);
    mkdir(c.base_dir, 0700);
    its_store_config_t ic = {.dir = its_dir};
    ps_store_config_t pc = {.trusted_dir = its_dir, .external_dir = ps_dir};
    if (its_store_open(&ic, &c.its) != PSA_SUCCESS || ps_store_open(&pc, &c.ps) != PSA_SUCCESS) {
        fail("open");
    }
    static const size_t sizes[] = {64, 4096, 65536};
    static const char *labels[] = {"64 B", "4 KiB", "64 KiB"};
    printf("storage_bench: %d runs each, median; files in %s\n", RUNS, parent);
    bench_table_header();
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        c.size = sizes[s];
        c.data = malloc(c.size);
        c.out = malloc(c.size);
        for (size_t i = 0; i < c.size; i++) {
            c.data[i] = (uint8_t)(i * 13 + s);
        }
        int set_iters = c.size >= 65536 ? 24 : 48;
        int get_iters = 400;
        double r[6][RUNS];
        for (int run = 0; run < RUNS; run++) {
            /* Interleave ours and the baseline so drift in the disk affects both alike. */
            r[0][run] = rate(&c, base_set, set_iters);
            r[1][run] = rate(&c, its_set, set_iters);
            r[2][run] = rate(&c, ps_set, set_iters);
            r[3][run] = rate(&c, base_get, get_iters);
            r[4][run] = rate(&c, its_get, get_iters);
            r[5][run] = rate(&c, ps_get, get_iters);
        }
        double m[6];
        for (int k = 0; k < 6; k++) {
            m[k] = bench_median(r[k], RUNS);
        }
        char name[64];
        snprintf(name, sizeof(name), "its set %s", labels[s]);
        bench_table_row(name, m[1], m[0]);
        snprintf(name, sizeof(name), "ps set %s", labels[s]);
        bench_table_row(name, m[2], m[0]);
        snprintf(name, sizeof(name), "its get %s", labels[s]);
        bench_table_row(name, m[4], m[3]);
        snprintf(name, sizeof(name), "ps get %s", labels[s]);
        bench_table_row(name, m[5], m[3]);
        free(c.data);
        free(c.out);
    }
    its_store_close(c.its);
    ps_store_close(c.ps);
    nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}
