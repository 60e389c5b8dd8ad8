/* Null psa_call round trip through rssd: the fast path against the socket path, a raw
 * SOCK_SEQPACKET ping-pong of the same sizes and a raw shared-memory spin round trip. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdatomic.h>
#include <sys/mman.h>

#include <psa/client.h>

#include "bench_util.h"
#include "comms/rss_channel.h"
#include "comms/rss_client.h"
#include "comms/rss_msg.h"
#include "comms/rss_services.h"

/*
 * The null call: psa_call(ITS handle, type 1999) with no vectors. ITS answers an unknown type
 * with NOT_SUPPORTED without touching storage, so the figure is the whole RSS comms path
 * (encode, send, epoll wake-up, decode, handle lookup, dispatch, reply) and nothing else.
 * Its messages are 20 bytes out and 16 back; the baseline moves the same sizes between two
 * processes over a SOCK_SEQPACKET pair, the server blocking in recv.
 */
#define NULL_CALL_TYPE 1999
#define ITERATIONS     20000
#define RUNS           5
/* The second row: the same call with an 8000-byte output vector (embed). rssd zeroes the output
 * area before dispatch and wipes it after (issue 9); the failed call's reply is still 16 bytes,
 * so the baseline is the same ping-pong and the ratio shows what zeroing and wiping cost. */
#define BIG_OUTPUT 8000u

static double null_call_rate(size_t out_size)
{
    static uint8_t out_buf[BIG_OUTPUT];
    psa_outvec out[1] = {{out_buf, out_size}};
    double t0 = bench_now();
    for (int i = 0; i < ITERATIONS; i++) {
        out[0].len = out_size;
        if (psa_call(0x40000102, NULL_CALL_TYPE, NULL, 0, out, out_size > 0 ? 1 : 0) !=
            PSA_ERROR_NOT_SUPPORTED) {
            fprintf(stderr, "null call failed: is rssd running at $RSS_SOCKET?\n");
            exit(1);
        }
    }
    return ITERATIONS / (bench_now() - t0);
}

static double raw_rate(int fd)
{
    uint8_t msg[20] = {0}, reply[16];
    double t0 = bench_now();
    for (int i = 0; i < ITERATIONS; i++) {
        if (send(fd, msg, sizeof(msg), 0) != sizeof(msg) ||
            recv(fd, reply, sizeof(reply), 0) != sizeof(reply)) {
            exit(1);
        }
    }
    return ITERATIONS / (bench_now() - t0);
}

/* The same null call on one rss_client connection, with or without the fast path; *median
 * gets the median of the single calls' times (ns). */
static double client_rate(rss_client_t *c, double *median)
{
    static double each[ITERATIONS];
    double t0 = bench_now();
    for (int i = 0; i < ITERATIONS; i++) {
        bool stale = false;
        double s0 = bench_now();
        if (rss_client_call(c, RSS_HANDLE_ITS, NULL_CALL_TYPE, NULL, 0, NULL, 0, &stale) !=
            PSA_ERROR_NOT_SUPPORTED) {
            fprintf(stderr, "null call failed\n");
            exit(1);
        }
        each[i] = bench_now() - s0;
    }
    double rate = ITERATIONS / (bench_now() - t0);
    *median = bench_median(each, ITERATIONS) * 1e9;
    return rate;
}

static rss_client_t *open_client(const char *socket_path, bool fast)
{
    if (!fast) {
        setenv("RSS_FAST_PATH", "0", 1);
    }
    rss_client_t *c = NULL;
    if (rss_client_open(socket_path, RSS_MSG_DEFAULT_EMBED_LIMIT, &c) != PSA_SUCCESS) {
        fprintf(stderr, "cannot connect to rssd at %s\n", socket_path);
        exit(1);
    }
    unsetenv("RSS_FAST_PATH");
    return c;
}

/* The limit: two processes passing a sequence number through a shared page, both spinning (the
 * echoing child lives only while it is measured, so it takes no CPU from the other rows). */
static double spin_rate(_Atomic uint32_t *page)
{
    atomic_store(&page[0], 0);
    atomic_store(&page[16], 0);
    pid_t spinner = fork();
    if (spinner == 0) {
        uint32_t seen = 0;
        while (seen != UINT32_MAX) {
            uint32_t now = atomic_load(&page[0]);
            if (now != seen) {
                seen = now;
                atomic_store(&page[16], now);
            } else {
                rss_channel_relax();
            }
        }
        _exit(0);
    }
    double t0 = bench_now();
    for (uint32_t i = 1; i <= ITERATIONS; i++) {
        atomic_store(&page[0], i);
        while (atomic_load(&page[16]) != i) {
            rss_channel_relax();
        }
    }
    double rate = ITERATIONS / (bench_now() - t0);
    atomic_store(&page[0], UINT32_MAX);
    waitpid(spinner, NULL, 0);
    return rate;
}

int main(void)
{
    const char *socket_path = getenv("RSS_SOCKET");
    if (socket_path == NULL) {
        fprintf(stderr, "RSS_SOCKET is not set\n");
        return 1;
    }
    _Atomic uint32_t *page =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        return 1;
    }

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0) {
        return 1;
    }
    pid_t echo = fork();
    if (echo == 0) {
        close(sv[0]);
        uint8_t buf[64], reply[16] = {0};
        while (recv(sv[1], buf, sizeof(buf), 0) > 0) {
            if (send(sv[1], reply, sizeof(reply), 0) < 0) {
                break;
            }
        }
        _exit(0);
    }
    close(sv[1]);

    rss_client_t *fast = open_client(socket_path, true);
    rss_client_t *slow = open_client(socket_path, false);
    /* Warm up every path (connection, channel set-up, page faults, CPU frequency). */
    double m_fast = 0, m_slow = 0, m;
    null_call_rate(0);
    null_call_rate(BIG_OUTPUT);
    raw_rate(sv[0]);
    client_rate(fast, &m);
    client_rate(slow, &m);
    spin_rate(page);
    double ours[RUNS], big[RUNS], base[RUNS], f[RUNS], sl[RUNS], sp[RUNS], mf[RUNS], ms[RUNS];
    for (int r = 0; r < RUNS; r++) {
        ours[r] = null_call_rate(0);
        big[r] = null_call_rate(BIG_OUTPUT);
        base[r] = raw_rate(sv[0]);
        f[r] = client_rate(fast, &mf[r]);
        sl[r] = client_rate(slow, &ms[r]);
        sp[r] = spin_rate(page);
    }
    double o = bench_median(ours, RUNS), g = bench_median(big, RUNS);
    double b = bench_median(base, RUNS);
    double fr = bench_median(f, RUNS), sr = bench_median(sl, RUNS), spr = bench_median(sp, RUNS);
    m_fast = bench_median(mf, RUNS);
    m_slow = bench_median(ms, RUNS);
    bench_table_header();
    bench_table_row("null call fast path vs socket path", fr, sr);
    bench_table_row("null call fast path vs raw shm spin", fr, spr);
    bench_table_row("null call socket path vs raw seqpacket", sr, b);
    bench_table_row("null psa_call (libpsa) vs raw seqpacket", o, b);
    bench_table_row("null call, 8000 B output vs raw", g, b);
    printf("median null call: fast path %.2f us, socket path %.2f us (%.1fx faster); raw shm spin "
           "%.2f us, raw seqpacket %.2f us\n",
           m_fast / 1000, m_slow / 1000, m_slow / m_fast, 1e6 / spr, 1e6 / b);
    rss_client_close(fast);
    rss_client_close(slow);
    close(sv[0]);
    waitpid(echo, NULL, 0);
    return 0;
}
