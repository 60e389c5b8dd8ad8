/*
 * Benchmark: psa-tool streaming a large file (default 1 GiB, $PSA_TOOL_BENCH_MIB) through rssd
 * against OpenSSL streaming the same file in the same run: AES-256-GCM encrypt and decrypt
 * against an EVP program of the same format (nonce || ciphertext || tag, 1 MiB chunks, this
 * binary re-run with --baseline), SHA-256 against `openssl dgst -sha256`. Both sides use one
 * key, so each decrypts what the other encrypted (checked). Prints throughput, peak RSS of the
 * process (wait4's ru_maxrss) and the ratios. Uses rssd at $RSS_SOCKET, or starts its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "bench_util.h"

#define CHUNK  ((size_t)1 << 20)
#define NONCE  12
#define TAG    16
#define ROUNDS 3
#define KEY_ID "0x00b57ea1"

/* --- the OpenSSL baseline: EVP AES-256-GCM over a file, 1 MiB at a time ------------------- */

static int baseline(bool encrypt, const char *key_path, const char *in_path, const char *out_path)
{
    uint8_t key[32], nonce[NONCE], tag[TAG];
    uint8_t *ibuf = malloc(CHUNK + TAG), *obuf = malloc(CHUNK + TAG);
    FILE *k = fopen(key_path, "rb"), *in = fopen(in_path, "rb"), *out = fopen(out_path, "wb");
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int ok = ibuf != NULL && obuf != NULL && k != NULL && in != NULL && out != NULL &&
             ctx != NULL && fread(key, 1, sizeof(key), k) == sizeof(key);
    int olen = 0;
    if (ok && encrypt) {
        ok = RAND_bytes(nonce, NONCE) == 1 && fwrite(nonce, 1, NONCE, out) == NONCE;
    } else if (ok) {
        ok = fread(nonce, 1, NONCE, in) == NONCE;
    }
    ok = ok && EVP_CipherInit_ex2(ctx, EVP_aes_256_gcm(), key, nonce, encrypt, false) == 1;
    size_t held = 0;
    for (bool end = false; ok && !end;) {
        size_t got = fread(ibuf + held, 1, CHUNK, in);
        end = got < CHUNK;
        size_t avail = held + got, data = encrypt ? avail : (avail >= TAG ? avail - TAG : 0);
        if (!encrypt && avail < TAG) {
            ok = !end;
            held = avail;
            continue;
        }
        ok = EVP_CipherUpdate(ctx, obuf, &olen, ibuf, (int)data) == 1 &&
             fwrite(obuf, 1, (size_t)olen, out) == (size_t)olen;
        if (!encrypt) {
            memmove(ibuf, ibuf + data, TAG);
            held = TAG;
        }
    }
    if (ok && encrypt) {
        ok = EVP_CipherFinal_ex(ctx, obuf, &olen) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG, tag) == 1 &&
             fwrite(tag, 1, TAG, out) == TAG;
    } else if (ok) {
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG, ibuf) == 1 &&
             EVP_CipherFinal_ex(ctx, obuf, &olen) == 1;
    }
    ok = ok && !ferror(in);
    EVP_CIPHER_CTX_free(ctx);
    if (k != NULL) {
        fclose(k);
    }
    if (in != NULL) {
        fclose(in);
    }
    if (out != NULL && fclose(out) != 0) {
        ok = 0;
    }
    if (!ok) {
        unlink(out_path); /* like psa-tool: no unauthenticated output */
    }
    free(ibuf);
    free(obuf);
    return ok ? 0 : 1;
}

/* --- measurement ------------------------------------------------------------------------- */

typedef struct run {
    double seconds;
    long max_rss_kib;
    int status;
} run_t;

/* Runs a program to its exit, stdout to /dev/null (and stderr too when quiet). */
static run_t run_program(char *const argv[], bool quiet)
{
    run_t r = {0, 0, -1};
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            if (quiet) {
                dup2(fd, STDERR_FILENO);
            }
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
        return r;
    }
    r.seconds = bench_now() - t0;
    r.max_rss_kib = ru.ru_maxrss;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    return r;
}

static bool sha256_file(const char *path, uint8_t digest[32])
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(CHUNK);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok =
        f != NULL && buf != NULL && md != NULL && EVP_DigestInit_ex2(md, EVP_sha256(), false) == 1;
    for (size_t n; ok && (n = fread(buf, 1, CHUNK, f)) > 0;) {
        ok = EVP_DigestUpdate(md, buf, n) == 1;
    }
    unsigned int len = 0;
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(md, digest, &len) == 1 && len == 32;
    EVP_MD_CTX_free(md);
    free(buf);
    if (f != NULL) {
        fclose(f);
    }
    return ok;
}

static bool write_random_file(const char *path, size_t mib)
{
    FILE *f = fopen(path, "wb");
    uint8_t *buf = malloc(CHUNK);
    bool ok = f != NULL && buf != NULL;
    for (size_t i = 0; ok && i < mib; i++) {
        ok = RAND_bytes(buf, (int)CHUNK) == 1 && fwrite(buf, 1, CHUNK, f) == CHUNK;
    }
    free(buf);
    if (f != NULL && fclose(f) != 0) {
        ok = false;
    }
    return ok;
}

static pid_t start_rssd(const char *dir, char *socket_path, size_t size)
{
    char state[320];
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(socket_path, size, "%s/rss.sock", dir);
    if (mkdir(state, 0700) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null_fd >= 0) {
            dup2(null_fd, STDERR_FILENO);
        }
        execl(SS_RSSD_PATH, SS_RSSD_PATH, "--state-dir", state, "--socket", socket_path,
              "--foreground", (char *)NULL);
        _exit(127);
    }
    /* Wait for its socket, or for it to exit. */
    for (;;) {
        struct stat st;
        if (stat(socket_path, &st) == 0 && S_ISSOCK(st.st_mode)) {
            return pid;
        }
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            return -1;
        }
        usleep(20000);
    }
}

typedef struct side {
    double seconds[ROUNDS];
    long max_rss_kib;
    bool failed;
} side_t;

static void record(side_t *s, int round, run_t r, const char *what)
{
    s->seconds[round] = r.seconds;
    if (r.max_rss_kib > s->max_rss_kib) {
        s->max_rss_kib = r.max_rss_kib;
    }
    if (r.status != 0) {
        fprintf(stderr, "psa_tool_stream_bench: %s exited %d\n", what, r.status);
        s->failed = true;
    }
}

static void row(const char *name, size_t mib, side_t *ours, side_t *base)
{
    if (ours->failed || base->failed) {
        printf("%-26s %10s %10s %7s %12s %12s\n", name, "FAILED", "-", "-", "-", "-");
        return;
    }
    double o = (double)mib / bench_median(ours->seconds, ROUNDS);
    double b = (double)mib / bench_median(base->seconds, ROUNDS);
    printf("%-26s %10.0f %10.0f %7.2f %12ld %12ld\n", name, o, b, o / b, ours->max_rss_kib,
           base->max_rss_kib);
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "--baseline") == 0) {
        return baseline(strcmp(argv[2], "encrypt") == 0, argv[3], argv[4], argv[5]);
    }
    const char *env = getenv("PSA_TOOL_BENCH_MIB");
    size_t mib = env != NULL ? strtoul(env, NULL, 10) : 1024;
    if (mib == 0) {
        mib = 1024;
    }
    const char *tmp = getenv("TMPDIR");
    char dir[256];
    snprintf(dir, sizeof(dir), "%s/ss-stream-bench-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    char socket_path[320];
    pid_t daemon = -1;
    if (getenv("RSS_SOCKET") == NULL) {
        daemon = start_rssd(dir, socket_path, sizeof(socket_path));
        if (daemon < 0) {
            fprintf(stderr, "psa_tool_stream_bench: cannot start %s\n", SS_RSSD_PATH);
            return 1;
        }
        setenv("RSS_SOCKET", socket_path, 1);
    }
    char data[320], key[320], ct_ours[320], ct_base[320], pt[320], self[600];
    snprintf(data, sizeof(data), "%s/data", dir);
    snprintf(key, sizeof(key), "%s/key", dir);
    snprintf(ct_ours, sizeof(ct_ours), "%s/data.psa", dir);
    snprintf(ct_base, sizeof(ct_base), "%s/data.evp", dir);
    snprintf(pt, sizeof(pt), "%s/data.back", dir);
    ssize_t self_len = readlink("/proc/self/exe", self, sizeof(self) - 1);
    int rc = 1;
    if (self_len <= 0 || !write_random_file(data, mib)) {
        fprintf(stderr, "psa_tool_stream_bench: cannot write the input in %s\n", dir);
        goto out;
    }
    self[self_len] = '\0';
    {
        uint8_t k[32];
        FILE *f = fopen(key, "wb");
        bool ok = f != NULL && RAND_bytes(k, sizeof(k)) == 1 && fwrite(k, 1, sizeof(k), f) == 32;
        if (f != NULL && fclose(f) != 0) {
            ok = false;
        }
        if (!ok) {
            fprintf(stderr, "psa_tool_stream_bench: cannot write the key\n");
            goto out;
        }
    }
    char *tool = SS_PSA_TOOL_PATH, *openssl = SS_OPENSSL_PATH;
    char *import[] = {tool,       "key", "import", "--id", KEY_ID,    "--type",          "aes",
                      "--format", "raw", "--in",   key,    "--usage", "encrypt,decrypt", "--alg",
                      "gcm",      NULL};
    char *destroy[] = {tool, "key", "destroy", "--id", KEY_ID, NULL};
    run_program(destroy, true); /* a key left by an interrupted run */
    if (run_program(import, false).status != 0) {
        fprintf(stderr, "psa_tool_stream_bench: psa-tool key import failed\n");
        goto out;
    }
    char *enc_ours[] = {tool,   "encrypt", "--id",  KEY_ID,  "--alg",   "gcm",
                        "--in", data,      "--out", ct_ours, "--quiet", NULL};
    char *dec_ours[] = {tool,   "decrypt", "--id",  KEY_ID, "--alg",   "gcm",
                        "--in", ct_base,   "--out", pt,     "--quiet", NULL};
    char *enc_base[] = {self, "--baseline", "encrypt", key, data, ct_base, NULL};
    char *dec_base[] = {self, "--baseline", "decrypt", key, ct_ours, pt, NULL};
    char *hash_ours[] = {tool, "hash", "--alg", "sha-256", "--in", data, "--quiet", NULL};
    char *hash_base[] = {openssl, "dgst", "-sha256", data, NULL};
    side_t eo = {0}, eb = {0}, doo = {0}, db = {0}, ho = {0}, hb = {0};
    uint8_t want[32], got[32];
    bool same = sha256_file(data, want);
    for (int r = 0; r < ROUNDS; r++) {
        record(&eo, r, run_program(enc_ours, false), "psa-tool encrypt");
        record(&eb, r, run_program(enc_base, false), "EVP encrypt");
        /* Each decrypts what the other encrypted. */
        record(&doo, r, run_program(dec_ours, false), "psa-tool decrypt");
        same = same && sha256_file(pt, got) && memcmp(got, want, 32) == 0;
        record(&db, r, run_program(dec_base, false), "EVP decrypt");
        same = same && sha256_file(pt, got) && memcmp(got, want, 32) == 0;
        record(&ho, r, run_program(hash_ours, false), "psa-tool hash");
        record(&hb, r, run_program(hash_base, false), "openssl dgst");
    }
    printf("psa-tool streaming %zu MiB through rssd against OpenSSL streaming (median of %d, "
           "peak RSS of the process)\n",
           mib, ROUNDS);
    printf("%-26s %10s %10s %7s %12s %12s\n", "operation", "ours MiB/s", "base MiB/s", "ratio",
           "ours RSS KiB", "base RSS KiB");
    row("AES-256-GCM encrypt", mib, &eo, &eb);
    row("AES-256-GCM decrypt", mib, &doo, &db);
    row("SHA-256 (openssl dgst)", mib, &ho, &hb);
    printf("cross-decryption: %s\n", same ? "both outputs give the input back" : "MISMATCH");
    rc = same && !eo.failed && !eb.failed && !doo.failed && !db.failed && !ho.failed && !hb.failed
             ? 0
             : 1;
    run_program(destroy, false);
out:
    unlink(data);
    unlink(key);
    unlink(ct_ours);
    unlink(ct_base);
    unlink(pt);
    if (daemon > 0) {
        kill(daemon, SIGTERM);
        waitpid(daemon, NULL, 0);
        char path[320];
        snprintf(path, sizeof(path), "%s/state", dir);
        /* rssd's state files: the bench's own temporary directory, removed whole. */
        char *rm[] = {"/bin/rm", "-rf", path, NULL};
        run_program(rm, false);
        unlink(socket_path);
    }
    rmdir(dir);
    return rc;
}
