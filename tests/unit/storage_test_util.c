/* Temporary directories, file helpers and the fault-injecting I/O table for storage tests. */
#define _GNU_SOURCE
#include "storage_test_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *stt_mkdtemp(void)
{
    char tmpl[] = "/tmp/ss-storage-test-XXXXXX";
    if (mkdtemp(tmpl) == NULL) {
        abort();
    }
    return strdup(tmpl);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void stt_rmtree(const char *path)
{
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int stt_count_files(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    size_t sl = strlen(suffix);
    if (d == NULL) {
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < sl || strcmp(e->d_name + l - sl, suffix) != 0) {
            continue;
        }
        n++;
    }
    closedir(d);
    return n;
}

char *stt_find_file(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char *out = NULL;
    if (d == NULL) {
        return NULL;
    }
    while (out == NULL && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            if (asprintf(&out, "%s/%s", dir, e->d_name) < 0) {
                out = NULL;
            }
        }
    }
    closedir(d);
    return out;
}

void stt_copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    char buf[8192];
    size_t n;
    if (in == NULL || out == NULL) {
        abort();
    }
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        fwrite(buf, 1, n, out);
    }
    fclose(in);
    fclose(out);
}

void stt_copy_dir(const char *from, const char *to)
{
    DIR *d = opendir(from);
    struct dirent *e;
    mkdir(to, 0700);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char a[4096], b[4096];
        snprintf(a, sizeof(a), "%s/%s", from, e->d_name);
        snprintf(b, sizeof(b), "%s/%s", to, e->d_name);
        stt_copy_file(a, b);
    }
    closedir(d);
}

static int fire(stt_faulty_t *f, stt_fault_t kind)
{
    if (f->fault != kind || f->fired) {
        return 0;
    }
    if (f->countdown > 0) {
        f->countdown--;
        return 0;
    }
    f->fired = 1;
    return 1;
}

static int f_open(void *ctx, const char *path, int flags, mode_t mode)
{
    stt_faulty_t *f = ctx;
    if ((flags & (O_WRONLY | O_RDWR)) && fire(f, STT_FAULT_OPEN_EIO)) {
        errno = EIO;
        return -1;
    }
    return storage_io_posix()->open(NULL, path, flags, mode);
}

static ssize_t f_pread(void *ctx, int fd, void *buf, size_t len, off_t off)
{
    (void)ctx;
    return storage_io_posix()->pread(NULL, fd, buf, len, off);
}

static ssize_t f_pwrite(void *ctx, int fd, const void *buf, size_t len, off_t off)
{
    stt_faulty_t *f = ctx;
    if (f->short_pending) {
        f->short_pending = 0;
        errno = ENOSPC;
        return -1;
    }
    if (fire(f, STT_FAULT_SHORT_THEN_ENOSPC) && len > 1) {
        f->short_pending = 1;
        return storage_io_posix()->pwrite(NULL, fd, buf, len / 2, off);
    }
    if (fire(f, STT_FAULT_ENOSPC)) {
        errno = ENOSPC;
        return -1;
    }
    return storage_io_posix()->pwrite(NULL, fd, buf, len, off);
}

static int f_fsync(void *ctx, int fd)
{
    stt_faulty_t *f = ctx;
    if (fire(f, STT_FAULT_FSYNC_EIO)) {
        errno = EIO;
        return -1;
    }
    return fsync(fd);
}

static int f_fdatasync(void *ctx, int fd)
{
    stt_faulty_t *f = ctx;
    if (fire(f, STT_FAULT_FSYNC_EIO)) {
        errno = EIO;
        return -1;
    }
    return fdatasync(fd);
}

static int f_close(void *ctx, int fd)
{
    (void)ctx;
    return close(fd);
}

static int f_rename(void *ctx, const char *a, const char *b)
{
    stt_faulty_t *f = ctx;
    if (fire(f, STT_FAULT_RENAME_EIO)) {
        errno = EIO;
        return -1;
    }
    return rename(a, b);
}

static int f_unlink(void *ctx, const char *p)
{
    (void)ctx;
    return unlink(p);
}

void stt_faulty_init(stt_faulty_t *f)
{
    memset(f, 0, sizeof(*f));
    f->io.ctx = f;
    f->io.open = f_open;
    f->io.pread = f_pread;
    f->io.pwrite = f_pwrite;
    f->io.fsync = f_fsync;
    f->io.fdatasync = f_fdatasync;
    f->io.close = f_close;
    f->io.rename = f_rename;
    f->io.unlink = f_unlink;
}

void stt_faulty_arm(stt_faulty_t *f, stt_fault_t fault, int countdown)
{
    f->fault = fault;
    f->countdown = countdown;
    f->fired = 0;
    f->short_pending = 0;
}
