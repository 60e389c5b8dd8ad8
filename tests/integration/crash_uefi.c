/* Crash test: a child runs SetVariable in a loop (set, append, delete of NV variables) and is
 * SIGKILLed after a chosen number of acknowledged writes; every acknowledged write survives,
 * the store always opens, and the write in flight is either wholly there or wholly absent. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uefi/smm_service.h"
#include "uefi/var_client.h"

#define ROUNDS   30
#define VARS     6
#define MAX_LEN  (200 + 50 * 64) /* set sizes up to 200, then appends */
#define MAX_ACKS 40

static const efi_guid_t vendor =
    EFI_GUID_INIT(0x0c0ffee0u, 0x1234u, 0x5678u, 1, 2, 3, 4, 5, 6, 7, 8);

typedef struct var_model {
    bool present;
    size_t len;
    uint8_t data[MAX_LEN];
} var_model_t;

typedef struct op {
    unsigned k;
    enum { OP_SET, OP_APPEND, OP_DELETE } type;
    size_t len;
    uint8_t data[256];
} op_t;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

/* Operation i of the workload: deterministic, so parent and child agree without talking. */
static void op_make(uint64_t i, op_t *op)
{
    uint64_t h = mix(i + 1);
    op->k = (unsigned)(h % VARS);
    unsigned t = (unsigned)((h >> 8) % 6);
    op->type = t < 3 ? OP_SET : t < 5 ? OP_APPEND : OP_DELETE;
    op->len = op->type == OP_SET      ? 1 + (h >> 16) % 200
              : op->type == OP_APPEND ? 1 + (h >> 16) % 50
                                      : 0;
    for (size_t j = 0; j < op->len; j++) {
        op->data[j] = (uint8_t)(i * 131 + j * 7 + (i >> 8));
    }
}

static void model_apply(var_model_t *vars, const op_t *op)
{
    var_model_t *v = &vars[op->k];
    switch (op->type) {
    case OP_SET:
        v->present = true;
        v->len = op->len;
        memcpy(v->data, op->data, op->len);
        break;
    case OP_APPEND:
        if (!v->present) {
            v->present = true;
            v->len = 0;
        }
        if (v->len + op->len > MAX_LEN) {
            break; /* the gateway refuses it too (INVALID_PARAMETER), nothing changes */
        }
        memcpy(v->data + v->len, op->data, op->len);
        v->len += op->len;
        break;
    case OP_DELETE:
        v->present = false;
        v->len = 0;
        break;
    }
}

static void var_name(unsigned k, uint8_t name[8], size_t *size)
{
    memset(name, 0, 8);
    name[0] = 'V';
    name[2] = (uint8_t)('0' + k);
    *size = 6;
}

static mm_return_t call(void *ctx, uint8_t *buffer, size_t size)
{
    smm_caller_t caller = {0, 0};
    return smm_serve(ctx, &caller, buffer, size);
}

static smm_gateway_t *open_gateway(var_client_t *c, uint8_t *buffer, size_t size)
{
    smm_gateway_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.store.max_data_size = MAX_LEN;
    smm_gateway_t *gw = NULL;
    psa_status_t st = smm_gateway_open(&cfg, &gw);
    if (st != PSA_SUCCESS) {
        fprintf(stderr, "crash_uefi: the store did not open after a crash: %d\n", (int)st);
        _exit(3);
    }
    *c = (var_client_t){.call = call, .ctx = gw, .buffer = buffer, .size = size};
    return gw;
}

/* Child: runs operations from `first` on, acknowledging each one on fd. */
static void writer(int fd, uint64_t first)
{
    static uint8_t buffer[64 * 1024];
    var_client_t c;
    open_gateway(&c, buffer, sizeof(buffer));
    for (uint64_t i = first;; i++) {
        op_t op;
        uint8_t name[8];
        size_t ns;
        op_make(i, &op);
        var_name(op.k, name, &ns);
        uint32_t attrs = EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS |
                         EFI_VARIABLE_RUNTIME_ACCESS;
        if (op.type == OP_APPEND) {
            attrs |= EFI_VARIABLE_APPEND_WRITE;
        }
        if (op.type == OP_DELETE) {
            attrs = 0;
        }
        efi_status_t st = var_client_set(&c, &vendor, name, ns, attrs, op.data, op.len);
        bool expected = st == EFI_SUCCESS || (op.type == OP_DELETE && st == EFI_NOT_FOUND) ||
                        (op.type == OP_APPEND && st == EFI_INVALID_PARAMETER);
        if (!expected) {
            fprintf(stderr, "crash_uefi: op %llu failed: 0x%llx\n", (unsigned long long)i,
                    (unsigned long long)st);
            _exit(4);
        }
        if (write(fd, &i, sizeof(i)) != sizeof(i)) {
            _exit(5);
        }
    }
}

/* Child: reports every variable (present flag, length, bytes) on fd. */
static void reader(int fd)
{
    static uint8_t buffer[64 * 1024];
    var_client_t c;
    smm_gateway_t *gw = open_gateway(&c, buffer, sizeof(buffer));
    for (unsigned k = 0; k < VARS; k++) {
        static var_model_t v;
        uint8_t name[8];
        size_t ns;
        var_name(k, name, &ns);
        size_t len = MAX_LEN;
        efi_status_t st = var_client_get(&c, &vendor, name, ns, NULL, v.data, &len);
        if (st != EFI_SUCCESS && st != EFI_NOT_FOUND) {
            _exit(6);
        }
        v.present = st == EFI_SUCCESS;
        v.len = v.present ? len : 0;
        if (write(fd, &v, sizeof(v)) != sizeof(v)) {
            _exit(7);
        }
    }
    smm_gateway_close(gw);
    _exit(0);
}

static bool read_all(int fd, void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n > 0) {
        ssize_t got = read(fd, p, n);
        if (got <= 0) {
            if (got < 0 && errno == EINTR) {
                continue;
            }
            return false;
        }
        p += got;
        n -= (size_t)got;
    }
    return true;
}

static bool same(const var_model_t *a, const var_model_t *b)
{
    return a->present == b->present && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

int main(void)
{
    char dir[] = "/tmp/crash-uefi.XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    setenv("PSA_STATE_DIR", dir, 1);
    static var_model_t model[VARS];
    uint64_t next = 0;
    unsigned in_flight_landed = 0;
    srand(12345); /* fixed: the kill points are the same on every run and every machine */
    for (int round = 0; round < ROUNDS; round++) {
        int fds[2];
        if (pipe(fds) != 0) {
            return 1;
        }
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            writer(fds[1], next);
        }
        close(fds[1]);
        int target = 1 + rand() % MAX_ACKS;
        uint64_t last = 0;
        int acks = 0;
        while (acks < target && read_all(fds[0], &last, sizeof(last))) {
            acks++;
        }
        if (acks < target) {
            fprintf(stderr, "crash_uefi: writer died after %d acks\n", acks);
            return 1;
        }
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        /* Acks sent before the kill landed still count. */
        while (read_all(fds[0], &last, sizeof(last))) {
            acks++;
        }
        close(fds[0]);
        for (uint64_t i = next; i <= last; i++) {
            op_t op;
            op_make(i, &op);
            model_apply(model, &op);
        }
        next = last + 1;
        /* The operation in flight may have committed or not, but not partly. */
        var_model_t with_next[VARS];
        memcpy(with_next, model, sizeof(model));
        op_t pending;
        op_make(next, &pending);
        model_apply(with_next, &pending);

        if (pipe(fds) != 0) {
            return 1;
        }
        pid = fork();
        if (pid == 0) {
            close(fds[0]);
            reader(fds[1]);
        }
        close(fds[1]);
        bool all_old = true, all_new = true;
        for (unsigned k = 0; k < VARS; k++) {
            static var_model_t got;
            if (!read_all(fds[0], &got, sizeof(got))) {
                fprintf(stderr, "crash_uefi: round %d: the reader failed\n", round);
                return 1;
            }
            all_old &= same(&got, &model[k]);
            all_new &= same(&got, &with_next[k]);
        }
        close(fds[0]);
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || (!all_old && !all_new)) {
            fprintf(stderr, "crash_uefi: round %d (after op %llu): store is neither old nor new\n",
                    round, (unsigned long long)last);
            return 1;
        }
        if (!all_old) {
            memcpy(model, with_next, sizeof(model));
            next++;
            in_flight_landed++;
        }
    }
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        return 1;
    }
    printf("crash_uefi: %d kills, %llu operations, %u in-flight writes had landed\n", ROUNDS,
           (unsigned long long)next, in_flight_landed);
    printf("crash_uefi: %d passed, 0 failed\n", ROUNDS);
    return 0;
}
