/* Test-only storage I/O table: the POSIX calls, with a countdown to SIGKILL before disk changes. */
#define _GNU_SOURCE
#include "crash_io.h"

#include <fcntl.h>
#include <signal.h>
#include <stddef.h>

static long countdown; /* disk-changing calls left before the crash; 0: not armed */
static void (*crash_hook)(void);

void crash_io_arm(long count, void (*before_kill)(void))
{
    countdown = count;
    crash_hook = before_kill;
}

static void step(void)
{
    if (countdown > 0 && --countdown == 0) {
        if (crash_hook != NULL) {
            crash_hook();
        }
        raise(SIGKILL);
    }
}

#define POSIX storage_io_posix()

static int crash_openat(void *ctx, int dirfd, const char *name, int flags, mode_t mode)
{
    (void)ctx;
    if ((flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0) {
        step();
    }
    return POSIX->openat(POSIX->ctx, dirfd, name, flags, mode);
}

static ssize_t crash_pread(void *ctx, int fd, void *buf, size_t len, off_t off)
{
    (void)ctx;
    return POSIX->pread(POSIX->ctx, fd, buf, len, off);
}

static ssize_t crash_pwrite(void *ctx, int fd, const void *buf, size_t len, off_t off)
{
    (void)ctx;
    step();
    return POSIX->pwrite(POSIX->ctx, fd, buf, len, off);
}

static int crash_fsync(void *ctx, int fd)
{
    (void)ctx;
    step();
    return POSIX->fsync(POSIX->ctx, fd);
}

static int crash_fdatasync(void *ctx, int fd)
{
    (void)ctx;
    step();
    return POSIX->fdatasync(POSIX->ctx, fd);
}

static int crash_close(void *ctx, int fd)
{
    (void)ctx;
    return POSIX->close(POSIX->ctx, fd);
}

static int crash_renameat(void *ctx, int dirfd, const char *from, const char *to)
{
    (void)ctx;
    step();
    return POSIX->renameat(POSIX->ctx, dirfd, from, to);
}

static int crash_unlinkat(void *ctx, int dirfd, const char *name)
{
    (void)ctx;
    step();
    return POSIX->unlinkat(POSIX->ctx, dirfd, name);
}

static const storage_io_t table = {
    .ctx = NULL,
    .openat = crash_openat,
    .pread = crash_pread,
    .pwrite = crash_pwrite,
    .fsync = crash_fsync,
    .fdatasync = crash_fdatasync,
    .close = crash_close,
    .renameat = crash_renameat,
    .unlinkat = crash_unlinkat,
};

const storage_io_t *crash_io(void)
{
    return &table;
}
