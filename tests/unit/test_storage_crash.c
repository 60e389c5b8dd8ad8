/* Simulated power loss at every state-changing step of a sequence of ITS and PS operations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/its_store.h"
#include "storage/ps_store.h"
#include "storage_test_util.h"

/*
 * For crash point n = 0, 1, 2, ...: copy a prepared store, run the sequence below on it through
 * the crash-simulating I/O table, which stops the "machine" at the n-th create / write / fsync /
 * rename / unlink; roll the directories back to what was durable (in two ways: all unsynced
 * changes lost, or every name change kept but unsynced file data lost); reopen with the real
 * I/O and check every object: each holds its last acknowledged value, or the value of the one
 * operation that was in flight, and nothing is torn or left behind. The loop ends at the first
 * n past the sequence's last step. Removing any fsync the design relies on makes it fail.
 */

enum { ENG_ITS, ENG_KEY, ENG_PS };
enum { OP_SET, OP_REMOVE, OP_CREATE, OP_SET_EXT };

#define OWNER   5
#define FILLERS 83 /* with PS uid 1, the table slot is full: the next new object grows it */

typedef struct op {
    int engine, kind;
    uint64_t uid;
    const char *value; /* OP_SET: the data; OP_SET_EXT: written at offset 0 */
    size_t capacity;   /* OP_CREATE */
} op_t;

static const op_t sequence[] = {
    {ENG_ITS, OP_SET, 1, "its-one", 0},
    {ENG_ITS, OP_SET, 2, "its-two-longer-value", 0},
    {ENG_ITS, OP_REMOVE, 1, NULL, 0},
    {ENG_KEY, OP_SET, 9, "key-record", 0},
    {ENG_PS, OP_SET, 1, "ps-one", 0},
    {ENG_PS, OP_SET, 2, "ps-two (table grows)", 0},
    {ENG_PS, OP_CREATE, 3, NULL, 8},
    {ENG_PS, OP_SET_EXT, 3, "ext", 0},
    {ENG_PS, OP_REMOVE, 1, NULL, 0},
    {ENG_PS, OP_SET, 2, "ps-two-again", 0},
    {ENG_ITS, OP_SET, 2, "its-two-final", 0},
    {ENG_KEY, OP_REMOVE, 9, NULL, 0},
};
#define NOPS (sizeof(sequence) / sizeof(sequence[0]))

/* Objects the sequence touches: (engine, uid). */
static const struct {
    int engine;
    uint64_t uid;
} objects[] = {{ENG_ITS, 1}, {ENG_ITS, 2}, {ENG_KEY, 9}, {ENG_PS, 1}, {ENG_PS, 2}, {ENG_PS, 3}};
#define NOBJ (sizeof(objects) / sizeof(objects[0]))

typedef struct value {
    int exists;
    char data[64];
    size_t len;
} value_t;

typedef struct paths {
    char root[512], its[600], ps[600];
} paths_t;

static void make_paths(paths_t *p, const char *root)
{
    snprintf(p->root, sizeof(p->root), "%s", root);
    snprintf(p->its, sizeof(p->its), "%s/its", root);
    snprintf(p->ps, sizeof(p->ps), "%s/ps", root);
}

static void open_both(const paths_t *p, const storage_io_t *io, its_store_t **its,
                      ps_store_t **ps)
{
    its_store_config_t ic = {.dir = p->its, .io = io};
    ps_store_config_t pc = {.trusted_dir = p->its, .external_dir = p->ps, .io = io};
    assert_int_equal(its_store_open(&ic, its), PSA_SUCCESS);
    assert_int_equal(ps_store_open(&pc, ps), PSA_SUCCESS);
}

static int obj_index(int engine, uint64_t uid)
{
    for (size_t i = 0; i < NOBJ; i++) {
        if (objects[i].engine == engine && objects[i].uid == uid) {
            return (int)i;
        }
    }
    abort();
}

/* The value an operation leaves, given the value before it. */
static value_t apply(const op_t *op, const value_t *before)
{
    value_t v = *before;
    switch (op->kind) {
    case OP_SET:
        v.exists = 1;
        v.len = strlen(op->value);
        memcpy(v.data, op->value, v.len);
        break;
    case OP_REMOVE:
        v.exists = 0;
        v.len = 0;
        break;
    case OP_CREATE:
        v.exists = 1;
        v.len = 0;
        break;
    case OP_SET_EXT: {
        size_t n = strlen(op->value);
        memcpy(v.data, op->value, n);
        if (n > v.len) {
            v.len = n;
        }
        break;
    }
    }
    return v;
}

static psa_status_t run_op(its_store_t *its, ps_store_t *ps, const op_t *op)
{
    size_t n = op->value ? strlen(op->value) : 0;
    switch (op->engine) {
    case ENG_ITS:
        return op->kind == OP_SET ? its_store_set(its, OWNER, op->uid, n, op->value, 0)
                                  : its_store_remove(its, OWNER, op->uid);
    case ENG_KEY:
        return op->kind == OP_SET ? its_store_ns_set(its, ITS_NS_KEY, OWNER, op->uid, n,
                                                     op->value, 0, 1)
                                  : its_store_ns_remove(its, ITS_NS_KEY, OWNER, op->uid);
    default:
        switch (op->kind) {
        case OP_SET:
            return ps_store_set(ps, OWNER, op->uid, n, op->value, 0);
        case OP_REMOVE:
            return ps_store_remove(ps, OWNER, op->uid);
        case OP_CREATE:
            return ps_store_create(ps, OWNER, op->uid, op->capacity, 0);
        default:
            return ps_store_set_extended(ps, OWNER, op->uid, 0, n, op->value);
        }
    }
}

static int read_value(its_store_t *its, ps_store_t *ps, int engine, uint64_t uid, value_t *v,
                      psa_status_t *status)
{
    size_t got = 0;
    memset(v, 0, sizeof(*v));
    if (engine == ENG_ITS) {
        *status = its_store_get(its, OWNER, uid, 0, sizeof(v->data), v->data, &got);
    } else if (engine == ENG_KEY) {
        *status = its_store_ns_get(its, ITS_NS_KEY, OWNER, uid, 0, sizeof(v->data), v->data,
                                   &got);
    } else {
        *status = ps_store_get(ps, OWNER, uid, 0, sizeof(v->data), v->data, &got);
    }
    if (*status == PSA_ERROR_DOES_NOT_EXIST) {
        return 1;
    }
    if (*status != PSA_SUCCESS) {
        return 0;
    }
    v->exists = 1;
    v->len = got;
    return 1;
}

static int same(const value_t *a, const value_t *b)
{
    return a->exists == b->exists &&
           (!a->exists || (a->len == b->len && memcmp(a->data, b->data, a->len) == 0));
}

static void prepare_template(const paths_t *t, value_t *initial)
{
    its_store_t *its;
    ps_store_t *ps;
    open_both(t, NULL, &its, &ps);
    assert_int_equal(its_store_set(its, OWNER, 1, 8, "its-base", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set(ps, OWNER, 1, 7, "ps-base", 0), PSA_SUCCESS);
    for (uint64_t uid = 100; uid < 100 + FILLERS; uid++) {
        assert_int_equal(ps_store_set(ps, OWNER, uid, sizeof(uid), &uid, 0), PSA_SUCCESS);
    }
    its_store_close(its);
    ps_store_close(ps);
    memset(initial, 0, NOBJ * sizeof(*initial));
    initial[obj_index(ENG_ITS, 1)] = (value_t){.exists = 1, .data = "its-base", .len = 8};
    initial[obj_index(ENG_PS, 1)] = (value_t){.exists = 1, .data = "ps-base", .len = 7};
}

/* Runs the sequence with a crash at `crash_at`, restores, verifies. Returns 1 if it crashed. */
static int crash_run(const paths_t *tmpl, const value_t *initial, long crash_at,
                     stt_crash_mode_t mode, stt_crash_t *sim)
{
    char *root = stt_mkdtemp();
    paths_t p;
    make_paths(&p, root);
    stt_copy_dir(tmpl->its, p.its);
    stt_copy_dir(tmpl->ps, p.ps);
    stt_crash_init(sim);
    stt_crash_track_dir(sim, p.its);
    stt_crash_track_dir(sim, p.ps);
    its_store_t *its;
    ps_store_t *ps;
    open_both(&p, &sim->io, &its, &ps);
    stt_crash_arm(sim, crash_at);
    value_t acked[NOBJ], pending[NOBJ];
    int has_pending[NOBJ] = {0};
    memcpy(acked, initial, sizeof(acked));
    for (size_t i = 0; i < NOPS && !sim->crashed; i++) {
        const op_t *op = &sequence[i];
        int k = obj_index(op->engine, op->uid);
        pending[k] = apply(op, &acked[k]);
        has_pending[k] = 1;
        psa_status_t st = run_op(its, ps, op);
        if (st == PSA_SUCCESS) {
            acked[k] = pending[k];
            has_pending[k] = 0;
        } else if (!sim->crashed) {
            fail_msg("op %zu failed with %d without a crash", i, (int)st);
        }
    }
    int crashed = sim->crashed;
    its_store_close(its);
    ps_store_close(ps);
    stt_crash_restore(sim, mode);
    open_both(&p, NULL, &its, &ps);
    for (size_t k = 0; k < NOBJ; k++) {
        value_t got;
        psa_status_t st;
        if (!read_value(its, ps, objects[k].engine, objects[k].uid, &got, &st)) {
            fail_msg("crash at %ld (mode %d): object %zu reads as status %d", crash_at,
                     (int)mode, k, (int)st);
        }
        if (!same(&got, &acked[k]) && !(has_pending[k] && same(&got, &pending[k]))) {
            fail_msg("crash at %ld (mode %d): object %zu is %s (%zu bytes), not the acknowledged"
                     " or in-flight value",
                     crash_at, (int)mode, k, got.exists ? "present" : "absent", got.len);
        }
    }
    for (uint64_t uid = 100; uid < 100 + FILLERS; uid++) {
        uint64_t v = 0;
        size_t n = 0;
        assert_int_equal(ps_store_get(ps, OWNER, uid, 0, sizeof(v), &v, &n), PSA_SUCCESS);
        assert_int_equal(n, sizeof(v));
        assert_int_equal(v, uid);
    }
    /* Recovery left nothing behind: no temporaries, one PS file per object. */
    int ps_objects = FILLERS;
    for (size_t k = 0; k < NOBJ; k++) {
        value_t got;
        psa_status_t st;
        if (objects[k].engine == ENG_PS &&
            read_value(its, ps, ENG_PS, objects[k].uid, &got, &st) && got.exists) {
            ps_objects++;
        }
    }
    assert_int_equal(stt_count_files(p.its, ".tmp"), 0);
    assert_int_equal(stt_count_files(p.ps, ".tmp"), 0);
    assert_int_equal(stt_count_files(p.ps, ".ps"), ps_objects);
    /* And both engines still work. */
    assert_int_equal(its_store_set(its, OWNER, 50, 2, "ok", 0), PSA_SUCCESS);
    assert_int_equal(ps_store_set(ps, OWNER, 50, 2, "ok", 0), PSA_SUCCESS);
    its_store_close(its);
    ps_store_close(ps);
    stt_rmtree(root);
    free(root);
    return crashed;
}

static void test_crash_points(void **state)
{
    (void)state;
    char *root = stt_mkdtemp();
    paths_t tmpl;
    make_paths(&tmpl, root);
    value_t initial[NOBJ];
    prepare_template(&tmpl, initial);
    stt_crash_t *sim = malloc(sizeof(*sim));
    assert_non_null(sim);
    long points = 0;
    for (long n = 0;; n++) {
        int crashed = 0;
        for (int mode = STT_CRASH_ALL_LOST; mode <= STT_CRASH_METADATA_KEPT; mode++) {
            crashed |= crash_run(&tmpl, initial, n, (stt_crash_mode_t)mode, sim);
        }
        if (!crashed) {
            break;
        }
        points++;
    }
    printf("storage_crash: %ld crash points x 2 recovery modes verified\n", points);
    /* The sequence has well over 60 steps; fewer means the simulation stopped counting. */
    assert_true(points > 60);
    free(sim);
    stt_rmtree(root);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_points),
    };
    return cmocka_run_group_tests_name("storage_crash", tests, NULL, NULL);
}
