/* Default POSIX file-I/O table, durable-write helpers and the bounds-checked byte reader. */
#include "storage/storage_io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int posix_open(void *ctx, const char *path, int flags, mode_t mode)
{
    (void)ctx;
    return open(path, flags | O_CLOEXEC, mode);
}

static ssize_t posix_pread(void *ctx, int fd, void *buf, size_t len, off_t off)
{
    (void)ctx;
    return pread(fd, buf, len, off);
}

static ssize_t posix_pwrite(void *ctx, int fd, const void *buf, size_t len, off_t off)
{
    (void)ctx;
    return pwrite(fd, buf, len, off);
}

static int posix_fsync(void *ctx, int fd)
{
    (void)ctx;
    return fsync(fd);
}

static int posix_fdatasync(void *ctx, int fd)
{
    (void)ctx;
    return fdatasync(fd);
}

static int posix_close(void *ctx, int fd)
{
    (void)ctx;
    return close(fd);
}

static int posix_rename(void *ctx, const char *from, const char *to)
{
    (void)ctx;
    return rename(from, to);
}

static int posix_unlink(void *ctx, const char *path)
{
    (void)ctx;
    return unlink(path);
}

static const storage_io_t posix_io = {
    .ctx = NULL,
    .open = posix_open,
    .pread = posix_pread,
    .pwrite = posix_pwrite,
    .fsync = posix_fsync,
    .fdatasync = posix_fdatasync,
    .close = posix_close,
    .rename = posix_rename,
    .unlink = posix_unlink,
};

const storage_io_t *storage_io_posix(void)
{
    return &posix_io;
}

psa_status_t storage_status_from_errno(int err)
{
    if (err == ENOSPC || err == EDQUOT || err == EFBIG) {
        return PSA_ERROR_INSUFFICIENT_STORAGE;
    }
    return PSA_ERROR_STORAGE_FAILURE;
}

psa_status_t storage_write_all(const storage_io_t *io, int fd, const void *buf, size_t len,
                               off_t off)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = io->pwrite(io->ctx, fd, p, len, off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return storage_status_from_errno(errno);
        }
        if (n == 0) {
            return PSA_ERROR_STORAGE_FAILURE;
        }
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return PSA_SUCCESS;
}

psa_status_t storage_read_exact(const storage_io_t *io, int fd, void *buf, size_t len, off_t off)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = io->pread(io->ctx, fd, p, len, off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return PSA_ERROR_STORAGE_FAILURE;
        }
        if (n == 0) {
            return PSA_ERROR_DATA_CORRUPT;
        }
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return PSA_SUCCESS;
}

psa_status_t storage_read_file(const storage_io_t *io, const char *path, size_t max_len,
                               uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    int fd = io->open(io->ctx, path, O_RDONLY, 0);
    if (fd < 0) {
        return errno == ENOENT ? PSA_ERROR_DOES_NOT_EXIST : PSA_ERROR_STORAGE_FAILURE;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        io->close(io->ctx, fd);
        return PSA_ERROR_STORAGE_FAILURE;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uint64_t)st.st_size > max_len) {
        io->close(io->ctx, fd);
        return PSA_ERROR_DATA_CORRUPT;
    }
    size_t len = (size_t)st.st_size;
    uint8_t *buf = malloc(len ? len : 1);
    if (buf == NULL) {
        io->close(io->ctx, fd);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    psa_status_t st2 = storage_read_exact(io, fd, buf, len, 0);
    io->close(io->ctx, fd);
    if (st2 != PSA_SUCCESS) {
        free(buf);
        return st2;
    }
    *out = buf;
    *out_len = len;
    return PSA_SUCCESS;
}

psa_status_t storage_fsync_dir(const storage_io_t *io, const char *dir)
{
    int fd = io->open(io->ctx, dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    int rc = io->fsync(io->ctx, fd);
    int err = errno;
    io->close(io->ctx, fd);
    return rc == 0 ? PSA_SUCCESS : storage_status_from_errno(err);
}

/* Writes buf to path (created 0600, truncated) and fsyncs it; removes it on failure. */
static psa_status_t write_and_sync(const storage_io_t *io, const char *path, const void *buf,
                                   size_t len)
{
    int fd = io->open(io->ctx, path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        return storage_status_from_errno(errno);
    }
    psa_status_t status = storage_write_all(io, fd, buf, len, 0);
    if (status == PSA_SUCCESS && io->fsync(io->ctx, fd) != 0) {
        status = storage_status_from_errno(errno);
    }
    if (io->close(io->ctx, fd) != 0 && status == PSA_SUCCESS) {
        status = storage_status_from_errno(errno);
    }
    if (status != PSA_SUCCESS) {
        io->unlink(io->ctx, path);
    }
    return status;
}

psa_status_t storage_write_file_atomic(const storage_io_t *io, const char *dir, const char *name,
                                       const void *buf, size_t len)
{
    char tmp[PATH_MAX];
    char dst[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, name) >= (int)sizeof(tmp) ||
        snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= (int)sizeof(dst)) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    psa_status_t status = write_and_sync(io, tmp, buf, len);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (io->rename(io->ctx, tmp, dst) != 0) {
        status = storage_status_from_errno(errno);
        io->unlink(io->ctx, tmp);
        return status;
    }
    return storage_fsync_dir(io, dir);
}

psa_status_t storage_write_file_direct(const storage_io_t *io, const char *dir, const char *name,
                                       const void *buf, size_t len)
{
    char dst[PATH_MAX];
    if (snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= (int)sizeof(dst)) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    psa_status_t status = write_and_sync(io, dst, buf, len);
    if (status != PSA_SUCCESS) {
        return status;
    }
    return storage_fsync_dir(io, dir);
}

psa_status_t storage_mkdir_p(const char *dir)
{
    char path[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof(path)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] == '/' || path[i] == '\0') {
            char saved = path[i];
            path[i] = '\0';
            if (mkdir(path, 0700) != 0 && errno != EEXIST) {
                return storage_status_from_errno(errno);
            }
            path[i] = saved;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    return PSA_SUCCESS;
}

void storage_reader_init(storage_reader_t *r, const void *buf, size_t len)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->failed = 0;
}

size_t storage_reader_left(const storage_reader_t *r)
{
    return r->failed ? 0 : r->len - r->pos;
}

int storage_reader_bytes(storage_reader_t *r, size_t n, const uint8_t **p)
{
    if (r->failed || n > r->len - r->pos) {
        r->failed = 1;
        return 0;
    }
    *p = r->buf + r->pos;
    r->pos += n;
    return 1;
}

static int reader_le(storage_reader_t *r, size_t n, uint64_t *v)
{
    const uint8_t *p;
    if (!storage_reader_bytes(r, n, &p)) {
        return 0;
    }
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        x |= (uint64_t)p[i] << (8 * i);
    }
    *v = x;
    return 1;
}

int storage_reader_u8(storage_reader_t *r, uint8_t *v)
{
    uint64_t x;
    if (!reader_le(r, 1, &x)) {
        return 0;
    }
    *v = (uint8_t)x;
    return 1;
}

int storage_reader_u16(storage_reader_t *r, uint16_t *v)
{
    uint64_t x;
    if (!reader_le(r, 2, &x)) {
        return 0;
    }
    *v = (uint16_t)x;
    return 1;
}

int storage_reader_u32(storage_reader_t *r, uint32_t *v)
{
    uint64_t x;
    if (!reader_le(r, 4, &x)) {
        return 0;
    }
    *v = (uint32_t)x;
    return 1;
}

int storage_reader_u64(storage_reader_t *r, uint64_t *v)
{
    return reader_le(r, 8, v);
}

static uint8_t *put_le(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
    return p + n;
}

uint8_t *storage_put_u16(uint8_t *p, uint16_t v)
{
    return put_le(p, v, 2);
}

uint8_t *storage_put_u32(uint8_t *p, uint32_t v)
{
    return put_le(p, v, 4);
}

uint8_t *storage_put_u64(uint8_t *p, uint64_t v)
{
    return put_le(p, v, 8);
}
