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
    if (f->fault != kind) {
        return 0;
    }
    if (f->fired) {
        return kind == STT_FAULT_FSYNC_EIO_STICKY || kind == STT_FAULT_DIR_FSYNC_EIO_STICKY;
    }
    if (f->countdown > 0) {
        f->countdown--;
        return 0;
    }
    f->fired = 1;
    return 1;
}

static int f_openat(void *ctx, int dirfd, const char *name, int flags, mode_t mode)
{
    stt_faulty_t *f = ctx;
    if ((flags & (O_WRONLY | O_RDWR)) && fire(f, STT_FAULT_OPEN_EIO)) {
        errno = EIO;
        return -1;
    }
    return storage_io_posix()->openat(NULL, dirfd, name, flags, mode);
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

static int is_dir_fd(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

static int f_fsync(void *ctx, int fd)
{
    stt_faulty_t *f = ctx;
    if (fire(f, STT_FAULT_FSYNC_EIO) || fire(f, STT_FAULT_FSYNC_EIO_STICKY) ||
        (is_dir_fd(fd) && (fire(f, STT_FAULT_DIR_FSYNC_EIO) ||
                           fire(f, STT_FAULT_DIR_FSYNC_EIO_STICKY)))) {
        errno = EIO;
        return -1;
    }
    return fsync(fd);
}

static int f_fdatasync(void *ctx, int fd)
{
    stt_faulty_t *f = ctx;
    if (fire(f, STT_FAULT_FSYNC_EIO) || fire(f, STT_FAULT_FSYNC_EIO_STICKY)) {
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

static int f_renameat(void *ctx, int dirfd, const char *a, const char *b)
{
    stt_faulty_t *f = ctx;
    if (fire(f, STT_FAULT_RENAME_EIO)) {
        errno = EIO;
        return -1;
    }
    return renameat(dirfd, a, dirfd, b);
}

static int f_unlinkat(void *ctx, int dirfd, const char *name)
{
    (void)ctx;
    return unlinkat(dirfd, name, 0);
}

void stt_faulty_init(stt_faulty_t *f)
{
    memset(f, 0, sizeof(*f));
    f->io.ctx = f;
    f->io.openat = f_openat;
    f->io.pread = f_pread;
    f->io.pwrite = f_pwrite;
    f->io.fsync = f_fsync;
    f->io.fdatasync = f_fdatasync;
    f->io.close = f_close;
    f->io.renameat = f_renameat;
    f->io.unlinkat = f_unlinkat;
}

void stt_faulty_arm(stt_faulty_t *f, stt_fault_t fault, int countdown)
{
    f->fault = fault;
    f->countdown = countdown;
    f->fired = 0;
    f->short_pending = 0;
}

/* ---- crash simulation ---- */

static uint8_t *read_fd_all(int wfd, size_t *len)
{
    /* The engine's descriptor may be write-only: read through a second one. */
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", wfd);
    int fd = open(proc, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        abort();
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)got);
        if (r <= 0) {
            abort();
        }
        got += (size_t)r;
    }
    close(fd);
    *len = n;
    return buf;
}

/* The live record of the inode (dev, ino), or -1. */
static int sim_find_live(stt_crash_t *c, dev_t dev, ino_t ino)
{
    for (int i = 0; i < c->nfiles; i++) {
        if (c->files[i].live && c->files[i].dev == dev && c->files[i].ino == ino) {
            return i;
        }
    }
    return -1;
}

/* A new record for inode (dev, ino): the old record of a reused inode number stays for the
 * durable entries that still name it. Durable content starts empty (never synced). */
static int sim_new_file(stt_crash_t *c, dev_t dev, ino_t ino)
{
    int old = sim_find_live(c, dev, ino);
    if (old >= 0) {
        c->files[old].live = 0;
    }
    if (c->nfiles == STT_CRASH_MAX_FILES) {
        abort();
    }
    stt_crash_file_t *f = &c->files[c->nfiles];
    memset(f, 0, sizeof(*f));
    f->dev = dev;
    f->ino = ino;
    f->live = 1;
    return c->nfiles++;
}

static int sim_file_of_fd(stt_crash_t *c, int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        abort();
    }
    int i = sim_find_live(c, st.st_dev, st.st_ino);
    return i >= 0 ? i : sim_new_file(c, st.st_dev, st.st_ino);
}

static stt_crash_dir_t *sim_dir_of_fd(stt_crash_t *c, int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        abort();
    }
    for (int i = 0; i < c->ndirs; i++) {
        if (c->dirs[i].dev == st.st_dev && c->dirs[i].ino == st.st_ino) {
            return &c->dirs[i];
        }
    }
    return NULL;
}

/* Records the directory's current names as its durable namespace. */
static void sim_sync_dir(stt_crash_t *c, stt_crash_dir_t *d, int take_content)
{
    DIR *dir = opendir(d->path);
    struct dirent *e;
    if (dir == NULL) {
        abort();
    }
    d->nentries = 0;
    while ((e = readdir(dir)) != NULL) {
        struct stat st;
        if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode)) {
            continue;
        }
        int i = sim_find_live(c, st.st_dev, st.st_ino);
        if (i < 0 || take_content) {
            /* A file the engine did not create through the table (a lock file), or the
             * initial snapshot: its current content counts as durable. */
            i = i < 0 ? sim_new_file(c, st.st_dev, st.st_ino) : i;
            int fd = openat(dirfd(dir), e->d_name, O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                abort();
            }
            free(c->files[i].durable);
            c->files[i].durable = read_fd_all(fd, &c->files[i].durable_len);
            close(fd);
        }
        if (d->nentries == STT_CRASH_MAX_ENTRIES) {
            abort();
        }
        snprintf(d->entries[d->nentries].name, sizeof(d->entries[0].name), "%s", e->d_name);
        d->entries[d->nentries].file = i;
        d->nentries++;
    }
    closedir(dir);
}

/* Counts a state-changing call; returns 1 if the simulated machine is (now) down. */
static int sim_step(stt_crash_t *c)
{
    if (c->crashed) {
        return 1;
    }
    if (c->crash_at >= 0 && c->ops == c->crash_at) {
        c->crashed = 1;
        return 1;
    }
    c->ops++;
    return 0;
}

static int c_openat(void *ctx, int dirfd, const char *name, int flags, mode_t mode)
{
    stt_crash_t *c = ctx;
    if ((flags & O_CREAT) && sim_step(c)) {
        errno = EIO;
        return -1;
    }
    if (c->crashed && (flags & (O_WRONLY | O_RDWR))) {
        errno = EIO;
        return -1;
    }
    struct stat before;
    int existed = fstatat(dirfd, name, &before, AT_SYMLINK_NOFOLLOW) == 0;
    int fd = openat(dirfd, name, flags | O_CLOEXEC, mode);
    if (fd >= 0 && (flags & O_CREAT) && !existed) {
        struct stat st;
        fstat(fd, &st);
        sim_new_file(c, st.st_dev, st.st_ino);
    }
    return fd;
}

static ssize_t c_pread(void *ctx, int fd, void *buf, size_t len, off_t off)
{
    (void)ctx;
    return pread(fd, buf, len, off);
}

static ssize_t c_pwrite(void *ctx, int fd, const void *buf, size_t len, off_t off)
{
    stt_crash_t *c = ctx;
    if (sim_step(c)) {
        errno = EIO;
        return -1;
    }
    return pwrite(fd, buf, len, off);
}

static int c_fsync(void *ctx, int fd)
{
    stt_crash_t *c = ctx;
    if (sim_step(c)) {
        errno = EIO;
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        stt_crash_dir_t *d = sim_dir_of_fd(c, fd);
        if (d != NULL) {
            sim_sync_dir(c, d, 0);
        }
        return 0;
    }
    /* The real fsync is skipped: the machine never really crashes, the model is the disk. */
    int i = sim_file_of_fd(c, fd);
    free(c->files[i].durable);
    c->files[i].durable = read_fd_all(fd, &c->files[i].durable_len);
    return 0;
}

static int c_close(void *ctx, int fd)
{
    (void)ctx;
    return close(fd);
}

static int c_renameat(void *ctx, int dirfd, const char *a, const char *b)
{
    stt_crash_t *c = ctx;
    if (sim_step(c)) {
        errno = EIO;
        return -1;
    }
    return renameat(dirfd, a, dirfd, b);
}

static int c_unlinkat(void *ctx, int dirfd, const char *name)
{
    stt_crash_t *c = ctx;
    if (sim_step(c)) {
        errno = EIO;
        return -1;
    }
    return unlinkat(dirfd, name, 0);
}

void stt_crash_init(stt_crash_t *c)
{
    memset(c, 0, sizeof(*c));
    c->crash_at = -1;
    c->io.ctx = c;
    c->io.openat = c_openat;
    c->io.pread = c_pread;
    c->io.pwrite = c_pwrite;
    c->io.fsync = c_fsync;
    c->io.fdatasync = c_fsync;
    c->io.close = c_close;
    c->io.renameat = c_renameat;
    c->io.unlinkat = c_unlinkat;
}

void stt_crash_track_dir(stt_crash_t *c, const char *path)
{
    if (c->ndirs == STT_CRASH_MAX_DIRS) {
        abort();
    }
    stt_crash_dir_t *d = &c->dirs[c->ndirs++];
    struct stat st;
    if (stat(path, &st) != 0) {
        abort();
    }
    snprintf(d->path, sizeof(d->path), "%s", path);
    d->dev = st.st_dev;
    d->ino = st.st_ino;
    sim_sync_dir(c, d, 1);
}

void stt_crash_arm(stt_crash_t *c, long crash_at)
{
    c->crash_at = crash_at;
    c->ops = 0;
    c->crashed = 0;
}

void stt_crash_restore(stt_crash_t *c, stt_crash_mode_t mode)
{
    for (int k = 0; k < c->ndirs; k++) {
        stt_crash_dir_t *d = &c->dirs[k];
        if (mode == STT_CRASH_METADATA_KEPT) {
            /* Every rename/unlink/create reached the disk, but no unsynced file data. */
            sim_sync_dir(c, d, 0);
        }
        /* Rebuild the directory from the model: unlink everything, write each entry back. */
        DIR *dir = opendir(d->path);
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                unlinkat(dirfd(dir), e->d_name, 0);
            }
        }
        closedir(dir);
        for (int i = 0; i < d->nentries; i++) {
            char p[4096];
            snprintf(p, sizeof(p), "%s/%s", d->path, d->entries[i].name);
            int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            const stt_crash_file_t *f = &c->files[d->entries[i].file];
            if (fd < 0 || (f->durable_len > 0 &&
                           write(fd, f->durable, f->durable_len) != (ssize_t)f->durable_len)) {
                abort();
            }
            close(fd);
        }
    }
    for (int i = 0; i < c->nfiles; i++) {
        free(c->files[i].durable);
    }
    c->nfiles = 0;
    c->ndirs = 0;
}
