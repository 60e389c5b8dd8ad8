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
#include <openssl/crypto.h>

static int posix_openat(void *ctx, int dirfd, const char *name, int flags, mode_t mode)
{
    (void)ctx;
    return openat(dirfd, name, flags | O_CLOEXEC, mode);
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

static int posix_renameat(void *ctx, int dirfd, const char *from, const char *to)
{
    (void)ctx;
    return renameat(dirfd, from, dirfd, to);
}

static int posix_unlinkat(void *ctx, int dirfd, const char *name)
{
    (void)ctx;
    return unlinkat(dirfd, name, 0);
}

static const storage_io_t posix_io = {
    .ctx = NULL,
    .openat = posix_openat,
    .pread = posix_pread,
    .pwrite = posix_pwrite,
    .fsync = posix_fsync,
    .fdatasync = posix_fdatasync,
    .close = posix_close,
    .renameat = posix_renameat,
    .unlinkat = posix_unlinkat,
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

psa_status_t storage_open_regular(const storage_io_t *io, int dirfd, const char *name, int flags,
                                  int *fd, uint64_t *size)
{
    *fd = io->openat(io->ctx, dirfd, name, flags | O_NOFOLLOW | O_NONBLOCK, 0);
    if (*fd < 0) {
        if (errno == ENOENT) {
            return PSA_ERROR_DOES_NOT_EXIST;
        }
        /* ELOOP: a symlink; ENXIO: a FIFO or socket opened for writing. Neither is ours. */
        return errno == ELOOP || errno == ENXIO || errno == EISDIR ? PSA_ERROR_DATA_CORRUPT
                                                                   : PSA_ERROR_STORAGE_FAILURE;
    }
    struct stat st;
    psa_status_t status = PSA_SUCCESS;
    if (fstat(*fd, &st) != 0) {
        status = PSA_ERROR_STORAGE_FAILURE;
    } else if (!S_ISREG(st.st_mode) || st.st_size < 0) {
        status = PSA_ERROR_DATA_CORRUPT;
    }
    if (status != PSA_SUCCESS) {
        io->close(io->ctx, *fd);
        *fd = -1;
        return status;
    }
    if (size != NULL) {
        *size = (uint64_t)st.st_size;
    }
    return PSA_SUCCESS;
}

psa_status_t storage_read_file(const storage_io_t *io, int dirfd, const char *name,
                               size_t max_len, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    int fd;
    uint64_t size;
    psa_status_t status = storage_open_regular(io, dirfd, name, O_RDONLY, &fd, &size);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (size > max_len) {
        io->close(io->ctx, fd);
        return PSA_ERROR_DATA_CORRUPT;
    }
    size_t len = (size_t)size;
    uint8_t *buf = malloc(len ? len : 1);
    if (buf == NULL) {
        io->close(io->ctx, fd);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    status = storage_read_exact(io, fd, buf, len, 0);
    io->close(io->ctx, fd);
    if (status != PSA_SUCCESS) {
        /* The buffer may hold part of a key record. */
        OPENSSL_cleanse(buf, len);
        free(buf);
        return status;
    }
    *out = buf;
    *out_len = len;
    return PSA_SUCCESS;
}

psa_status_t storage_fsync_dir(const storage_io_t *io, int dirfd)
{
    /* One retry: by the time a directory is synced, the rename or unlink it covers is visible;
     * a transient failure (e.g. a journal commit that hit EIO once) is worth a second attempt
     * before the caller has to report a change it cannot undo as failed. */
    for (int attempt = 0; attempt < 2; attempt++) {
        if (io->fsync(io->ctx, dirfd) == 0) {
            return PSA_SUCCESS;
        }
        if (attempt == 1) {
            return storage_status_from_errno(errno);
        }
    }
    return PSA_ERROR_STORAGE_FAILURE;
}

DIR *storage_dir_scan(int dirfd)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
    }
    return d;
}

psa_status_t storage_unlink(const storage_io_t *io, int dirfd, const char *name)
{
    if (io->unlinkat(io->ctx, dirfd, name) != 0 && errno != ENOENT) {
        return storage_status_from_errno(errno);
    }
    return PSA_SUCCESS;
}

/* Creates dirfd/name afresh (never through a link left there), writes buf and fsyncs it;
 * removes it on failure. */
static psa_status_t write_and_sync(const storage_io_t *io, int dirfd, const char *name,
                                   const void *buf, size_t len)
{
    /* A stale entry (an interrupted write, or something planted in an untrusted directory) is
     * removed rather than opened: O_EXCL|O_NOFOLLOW then guarantees a new inode of our own. */
    psa_status_t status = storage_unlink(io, dirfd, name);
    if (status != PSA_SUCCESS) {
        return status;
    }
    int fd = io->openat(io->ctx, dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return storage_status_from_errno(errno);
    }
    status = storage_write_all(io, fd, buf, len, 0);
    if (status == PSA_SUCCESS && io->fsync(io->ctx, fd) != 0) {
        status = storage_status_from_errno(errno);
    }
    if (io->close(io->ctx, fd) != 0 && status == PSA_SUCCESS) {
        status = storage_status_from_errno(errno);
    }
    if (status != PSA_SUCCESS) {
        io->unlinkat(io->ctx, dirfd, name);
    }
    return status;
}

psa_status_t storage_write_file_atomic(const storage_io_t *io, int dirfd, const char *name,
                                       const void *buf, size_t len, int *renamed)
{
    char tmp[NAME_MAX + 1];
    if (renamed != NULL) {
        *renamed = 0;
    }
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= (int)sizeof(tmp)) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    psa_status_t status = write_and_sync(io, dirfd, tmp, buf, len);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (io->renameat(io->ctx, dirfd, tmp, name) != 0) {
        status = storage_status_from_errno(errno);
        io->unlinkat(io->ctx, dirfd, tmp);
        return status;
    }
    if (renamed != NULL) {
        *renamed = 1;
    }
    return storage_fsync_dir(io, dirfd);
}

psa_status_t storage_write_file_direct(const storage_io_t *io, int dirfd, const char *name,
                                       const void *buf, size_t len)
{
    psa_status_t status = write_and_sync(io, dirfd, name, buf, len);
    if (status != PSA_SUCCESS) {
        return status;
    }
    return storage_fsync_dir(io, dirfd);
}

/* mkdir of one component; a directory it creates is made durable by an fsync of its parent. */
static psa_status_t mkdir_durable(const char *path)
{
    if (mkdir(path, 0700) != 0) {
        return errno == EEXIST ? PSA_SUCCESS : storage_status_from_errno(errno);
    }
    char parent[PATH_MAX];
    snprintf(parent, sizeof(parent), "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash == parent) {
        slash[1] = '\0';
    } else if (slash != NULL) {
        *slash = '\0';
    } else {
        snprintf(parent, sizeof(parent), ".");
    }
    int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    return rc == 0 ? PSA_SUCCESS : storage_status_from_errno(err);
}

psa_status_t storage_dir_open(const char *dir, int *dirfd)
{
    char path[PATH_MAX];
    size_t n = strlen(dir);
    *dirfd = -1;
    if (n == 0 || n >= sizeof(path)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if ((path[i] == '/' && path[i - 1] != '/') || path[i] == '\0') {
            char saved = path[i];
            path[i] = '\0';
            psa_status_t status = mkdir_durable(path);
            if (status != PSA_SUCCESS) {
                return status;
            }
            path[i] = saved;
        }
    }
    *dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (*dirfd < 0) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    return PSA_SUCCESS;
}
