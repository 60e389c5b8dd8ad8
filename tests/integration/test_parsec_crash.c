/* Crash test of the Parsec key-name store: SIGKILL parsecd inside create/destroy loops. */
/*
 * Usage (inside with_rssd.sh): test_parsec_crash SERVER. Each round starts the server on a
 * private socket and state, runs a loop of GenerateKey/DestroyKey requests, kills the server
 * with SIGKILL at a random moment, restarts it (start-up recovery runs) and checks:
 *  - every create that was acknowledged and not destroyed since is listed and usable;
 *  - every acknowledged destroy is gone;
 *  - every listed name has its key (ExportPublicKey succeeds): no name without a key;
 *  - every key id the store ever handed out either is gone from rssd or belongs to a listed
 *    name (read back from the SQLite file, probed through libpsa): no key without a name.
 * This process and the server share a uid, hence an rssd partition, so it can probe the ids.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <psa/crypto.h>

#include "base/wire.h"
#include "parsec/parsec_wire.h"

#include "list_keys.pb-c.h"
#include "psa_generate_key.pb-c.h"

#define NAMES  24
#define ROUNDS 10

enum name_state { UNKNOWN, PRESENT, ABSENT };

static char dir[64], sock[128], config[128], db[128];
static const char *server;

static pid_t running = -1; /* the server now up, killed by die() so no orphan holds CTest's pipe */

static void die(const char *what)
{
    fprintf(stderr, "test_parsec_crash: %s\n", what);
    if (running > 0) {
        kill(running, SIGKILL);
    }
    exit(1);
}

static pid_t start_server(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (freopen("/dev/null", "w", stderr) == NULL) {
            _exit(126);
        }
        execl(server, server, "--socket", sock, "--config", config, "--foreground", (char *)NULL);
        _exit(127);
    }
    /* No deadline: the server is up when its socket exists, or has failed when it exits. */
    for (;;) {
        struct stat st;
        if (stat(sock, &st) == 0) {
            running = pid;
            return pid;
        }
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            die("server exited before it listened");
        }
        usleep(25000);
    }
    return -1;
}

/* One request on its own connection; the status, the body in *body (caller frees). */
static int request(uint32_t opcode, uint8_t provider, const uint8_t *b, size_t blen, uint8_t **body,
                   size_t *body_len)
{
    uint8_t hdr[36] = {0};
    uint8_t auth[4];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    wire_store_u32(hdr, PARSEC_MAGIC);
    wire_store_u16(hdr + 4, 30);
    hdr[6] = 1;
    hdr[10] = provider;
    hdr[21] = PARSEC_AUTH_UNIX_PEER;
    wire_store_u32(hdr + 22, (uint32_t)blen);
    wire_store_u16(hdr + 26, 4);
    wire_store_u32(hdr + 28, opcode);
    wire_store_u32(auth, (uint32_t)getuid());
    strcpy(addr.sun_path, sock);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    uint8_t resp[8192];
    size_t got = 0;
    ssize_t r;
    if (send(fd, hdr, 36, MSG_NOSIGNAL) != 36 || send(fd, b, blen, MSG_NOSIGNAL) != (ssize_t)blen ||
        send(fd, auth, 4, MSG_NOSIGNAL) != 4) {
        close(fd);
        return -1;
    }
    while ((r = read(fd, resp + got, sizeof(resp) - got)) > 0) {
        got += (size_t)r;
    }
    close(fd);
    if (got < 36 || got != 36 + wire_load_u32(resp + 22)) {
        return -1; /* the server died before its answer: not acknowledged */
    }
    if (body != NULL) {
        *body_len = got - 36;
        *body = malloc(*body_len + 1);
        memcpy(*body, resp + 36, *body_len);
    }
    return wire_load_u16(resp + 32);
}

static size_t name_body(uint8_t *out, const char *name)
{
    size_t n = strlen(name);
    out[0] = 0x0a;
    out[1] = (uint8_t)n;
    memcpy(out + 2, name, n);
    return n + 2;
}

static int generate(const char *name)
{
    uint8_t body[128];
    PsaKeyAttributes__UsageFlags usage = PSA_KEY_ATTRIBUTES__USAGE_FLAGS__INIT;
    PsaAlgorithm__Algorithm__AsymmetricSignature__SignHash any =
        PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__INIT;
    PsaAlgorithm__Algorithm__AsymmetricSignature__Ecdsa ecdsa =
        PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__ECDSA__INIT;
    PsaAlgorithm__Algorithm__AsymmetricSignature sig =
        PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__INIT;
    PsaAlgorithm__Algorithm alg = PSA_ALGORITHM__ALGORITHM__INIT;
    PsaKeyAttributes__KeyPolicy policy = PSA_KEY_ATTRIBUTES__KEY_POLICY__INIT;
    PsaKeyAttributes__KeyType__EccKeyPair pair = PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_KEY_PAIR__INIT;
    PsaKeyAttributes__KeyType type = PSA_KEY_ATTRIBUTES__KEY_TYPE__INIT;
    PsaKeyAttributes__KeyAttributes attrs = PSA_KEY_ATTRIBUTES__KEY_ATTRIBUTES__INIT;
    PsaGenerateKey__Operation op = PSA_GENERATE_KEY__OPERATION__INIT;
    usage.sign_hash = 1;
    any.variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_SPECIFIC;
    any.specific = PSA_ALGORITHM__ALGORITHM__HASH__SHA_256;
    ecdsa.hash_alg = &any;
    sig.variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_ECDSA;
    sig.ecdsa = &ecdsa;
    alg.variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE;
    alg.asymmetric_signature = &sig;
    policy.key_usage_flags = &usage;
    policy.key_algorithm = &alg;
    pair.curve_family = PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECP_R1;
    type.variant_case = PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_KEY_PAIR;
    type.ecc_key_pair = &pair;
    attrs.key_type = &type;
    attrs.key_bits = 256;
    attrs.key_policy = &policy;
    op.key_name = (char *)name;
    op.attributes = &attrs;
    return request(PARSEC_OP_PSA_GENERATE_KEY, 4, body,
                   psa_generate_key__operation__pack(&op, body), NULL, NULL);
}

/* The client loop, in a child: each acknowledged result appended to a log file. */
static void client_loop(const char *log_path, unsigned seed)
{
    FILE *log = fopen(log_path, "a");
    srand(seed);
    for (;;) {
        char name[16];
        uint8_t body[32];
        int i = rand() % NAMES;
        snprintf(name, sizeof(name), "n%02d", i);
        bool create = rand() % 2;
        int s =
            create ? generate(name)
                   : request(PARSEC_OP_PSA_DESTROY_KEY, 4, body, name_body(body, name), NULL, NULL);
        if (s < 0) {
            fprintf(log, "? %d\n", i); /* sent, no answer: unknown */
        } else if (s == 0) {
            fprintf(log, "%c %d\n", create ? '+' : '-', i);
        } else if ((create && s == PARSEC_PSA_ERROR_ALREADY_EXISTS) ||
                   (!create && s == PARSEC_PSA_ERROR_DOES_NOT_EXIST)) {
            fprintf(log, "%c %d\n", create ? '+' : '-', i); /* confirms the state */
        } else {
            fprintf(log, "! %d %d\n", i, s);
        }
        fflush(log);
        if (s < 0) {
            break;
        }
    }
    fclose(log);
    _exit(0);
}

static void check_round(enum name_state *state)
{
    uint8_t *body = NULL, nb[32];
    size_t len = 0;
    bool listed[NAMES] = {false};
    int s = request(PARSEC_OP_LIST_KEYS, 0, NULL, 0, &body, &len);
    ListKeys__Result *r = s == 0 ? list_keys__result__unpack(NULL, len, body) : NULL;
    if (r == NULL) {
        die("ListKeys failed after restart");
    }
    for (size_t k = 0; k < r->n_keys; k++) {
        int i = atoi(r->keys[k]->name + 1);
        listed[i] = true;
        /* No name without a key. */
        if (request(PARSEC_OP_PSA_EXPORT_PUBLIC_KEY, 4, nb, name_body(nb, r->keys[k]->name), NULL,
                    NULL) != 0) {
            die("a listed name has no key");
        }
    }
    list_keys__result__free_unpacked(r, NULL);
    free(body);
    for (int i = 0; i < NAMES; i++) {
        if ((state[i] == PRESENT && !listed[i]) || (state[i] == ABSENT && listed[i])) {
            fprintf(stderr, "name n%02d: expected %s\n", i,
                    state[i] == PRESENT ? "present" : "absent");
            die("an acknowledged create or destroy was lost");
        }
        state[i] = listed[i] ? PRESENT : ABSENT;
    }
    /* No key without a name: every id handed out is READY in the store, or gone from rssd. */
    sqlite3 *sdb = NULL;
    sqlite3_stmt *st = NULL;
    int64_t next = 0;
    if (sqlite3_open_v2(db, &sdb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(sdb, "SELECT value FROM parsecd_meta WHERE name='next_key_id'", -1, &st,
                           NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        die("cannot read the store");
    }
    next = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    for (int64_t id = 1; id < next; id++) {
        psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
        psa_status_t ps = psa_get_key_attributes((psa_key_id_t)id, &a);
        psa_reset_key_attributes(&a);
        if (ps == PSA_ERROR_DOES_NOT_EXIST || ps == PSA_ERROR_INVALID_HANDLE) {
            continue;
        }
        if (ps != PSA_SUCCESS) {
            die("rssd probe failed");
        }
        sqlite3_prepare_v2(sdb, "SELECT count(*) FROM parsecd_keys WHERE key_id=? AND state=0", -1,
                           &st, NULL);
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != 1) {
            fprintf(stderr, "key id %lld\n", (long long)id);
            die("a key exists in rssd without a name");
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(sdb);
}

int main(int argc, char **argv)
{
    enum name_state state[NAMES];
    if (argc != 2) {
        die("usage: test_parsec_crash SERVER");
    }
    server = argv[1];
    snprintf(dir, sizeof(dir), "%s/ss-parsec-crash-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL || psa_crypto_init() != PSA_SUCCESS) {
        die("set-up");
    }
    snprintf(sock, sizeof(sock), "%s/parsec.sock", dir);
    snprintf(config, sizeof(config), "%s/config.toml", dir);
    snprintf(db, sizeof(db), "%s/keys.sqlite3", dir);
    FILE *f = fopen(config, "w");
    fprintf(f,
            "[core_settings]\nallow_root = true\n[listener]\ntimeout = 600000\n"
            "[[key_manager]]\nname = \"m\"\nmanager_type = \"SQLite\"\nsqlite_db_path = \"%s\"\n",
            db);
    fclose(f);
    for (int i = 0; i < NAMES; i++) {
        state[i] = ABSENT;
    }
    srand((unsigned)time(NULL));
    unsigned total_acks = 0;
    for (int round = 0; round < ROUNDS; round++) {
        char log_path[160];
        snprintf(log_path, sizeof(log_path), "%s/round%d.log", dir, round);
        pid_t srv = start_server();
        pid_t cli = fork();
        if (cli == 0) {
            client_loop(log_path, (unsigned)rand());
        }
        usleep(20000 + (useconds_t)(rand() % 200000));
        kill(srv, SIGKILL);
        waitpid(srv, NULL, 0);
        waitpid(cli, NULL, 0);
        unlink(sock);
        /* Replay the acknowledgements of this round. */
        FILE *lf = fopen(log_path, "r");
        char op;
        int i, extra;
        while (lf != NULL && fscanf(lf, " %c %d", &op, &i) == 2) {
            if (op == '!') {
                if (fscanf(lf, "%d", &extra) != 1) {
                    extra = 0;
                }
                fprintf(stderr, "name n%02d: unexpected status %d\n", i, extra);
                die("unexpected status in the loop");
            }
            state[i] = op == '+' ? PRESENT : op == '-' ? ABSENT : UNKNOWN;
            total_acks += op != '?';
        }
        if (lf != NULL) {
            fclose(lf);
        }
        srv = start_server();
        check_round(state);
        kill(srv, SIGTERM);
        waitpid(srv, NULL, 0);
    }
    printf("test_parsec_crash: %d rounds, %u acknowledged changes, invariants held\n", ROUNDS,
           total_acks);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
