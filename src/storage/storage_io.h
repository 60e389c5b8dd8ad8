/* File-I/O indirection used by the storage engines, so tests can inject faults and crashes. */
#ifndef STORAGE_IO_H
#define STORAGE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <sys/types.h>
#include <psa/error.h>

#include "base/wire.h"

/*
 * Every call that can fail or be interrupted by a crash goes through this table. The functions
 * follow POSIX conventions (-1 and errno on failure) so the default table is a thin shim. A test
 * wraps storage_io_posix() to return short writes, ENOSPC, EIO on fsync, or to simulate a crash
 * (tests/unit/storage_test_util.h keeps a shadow of what each fsync made durable).
 *
 * Names are always resolved relative to a directory fd opened once with O_DIRECTORY|O_NOFOLLOW
 * (storage_dir_open), never as paths: the PS directory is untrusted, and a path walk would
 * follow links planted there. fsync is used for files and directories alike.
 */
typedef struct storage_io {
    void *ctx;
    int (*openat)(void *ctx, int dirfd, const char *name, int flags, mode_t mode);
    ssize_t (*pread)(void *ctx, int fd, void *buf, size_t len, off_t off);
    ssize_t (*pwrite)(void *ctx, int fd, const void *buf, size_t len, off_t off);
    int (*fsync)(void *ctx, int fd);
    int (*fdatasync)(void *ctx, int fd);
    int (*close)(void *ctx, int fd);
    int (*renameat)(void *ctx, int dirfd, const char *from, const char *to);
    int (*unlinkat)(void *ctx, int dirfd, const char *name);
} storage_io_t;

/*
 * Whether [offset, offset + length) stays within 32 bits. Object sizes are 32-bit in both
 * engines' formats and on the RSS comms wire (TF-M's rot_size_t), so a range that ends beyond
 * UINT32_MAX names no byte any object can have: set, get and set_extended refuse it with
 * PSA_ERROR_INVALID_ARGUMENT before anything else, and libpsa, which cannot send such a call,
 * answers the same without sending it (issue 9).
 */
static inline int storage_range_fits_u32(size_t offset, size_t length)
{
    return length <= UINT32_MAX && offset <= UINT32_MAX - length;
}

/* The default table: direct system calls. */
const storage_io_t *storage_io_posix(void);

/* Maps an errno value from a failed write path to a PSA status. */
psa_status_t storage_status_from_errno(int err);

/* Writes all len bytes at off, retrying short writes. */
psa_status_t storage_write_all(const storage_io_t *io, int fd, const void *buf, size_t len,
                               off_t off);
/* Reads exactly len bytes at off; a short file gives PSA_ERROR_DATA_CORRUPT. */
psa_status_t storage_read_exact(const storage_io_t *io, int fd, void *buf, size_t len, off_t off);

/* Creates dir (and missing parents, mode 0700, each new one made durable by an fsync of its
 * parent) and opens it with O_DIRECTORY|O_NOFOLLOW, so a symlink in its place is refused. */
psa_status_t storage_dir_open(const char *dir, int *dirfd);

/*
 * Opens an existing regular file dirfd/name with O_NOFOLLOW|O_NONBLOCK added to flags, so a
 * planted symlink is not followed and a FIFO or device cannot block the caller. Missing ->
 * PSA_ERROR_DOES_NOT_EXIST; a symlink or anything but a regular file -> PSA_ERROR_DATA_CORRUPT.
 * *size gets the file size (may be NULL).
 */
psa_status_t storage_open_regular(const storage_io_t *io, int dirfd, const char *name, int flags,
                                  int *fd, uint64_t *size);

/* Reads a whole regular file of at most max_len bytes into a new buffer (free with free()).
 * Errors as storage_open_regular; larger than max_len -> PSA_ERROR_DATA_CORRUPT. */
psa_status_t storage_read_file(const storage_io_t *io, int dirfd, const char *name, size_t max_len,
                               uint8_t **out, size_t *out_len);

/*
 * Durably replaces dirfd/name with buf: create name.tmp exclusively, write, fsync, rename over
 * name, fsync the directory. *renamed (may be NULL) tells whether the rename happened. Once it
 * has, the new contents are what every later read sees, so a failure after that point (the
 * directory fsync failing twice) is reported as PSA_ERROR_STORAGE_FAILURE with *renamed set:
 * the caller must treat the new state as current ("new or old, never torn").
 */
psa_status_t storage_write_file_atomic(const storage_io_t *io, int dirfd, const char *name,
                                       const void *buf, size_t len, int *renamed);

/* Durably creates dirfd/name with buf (a stale entry of that name is unlinked first, then the
 * file is created O_EXCL|O_NOFOLLOW), without rename: the caller makes it reachable. */
psa_status_t storage_write_file_direct(const storage_io_t *io, int dirfd, const char *name,
                                       const void *buf, size_t len);

/* fsync of a directory, so renames and new or removed entries in it survive a crash; retried
 * once, since by then the change it covers is already visible and cannot be undone. */
psa_status_t storage_fsync_dir(const storage_io_t *io, int dirfd);

/* A fresh directory stream over dirfd (its own file offset, so scans never interfere). */
DIR *storage_dir_scan(int dirfd);

/* Removes dirfd/name if present (ENOENT is success); does not fsync the directory. */
psa_status_t storage_unlink(const storage_io_t *io, int dirfd, const char *name);

/* The engines parse bytes read from disk only through the base reader (base/wire.h); these put
 * its fixed-position stores into a caller-sized buffer and return the position after the field. */
static inline uint8_t *storage_put_u16(uint8_t *p, uint16_t v)
{
    wire_store_u16(p, v);
    return p + 2;
}

static inline uint8_t *storage_put_u32(uint8_t *p, uint32_t v)
{
    wire_store_u32(p, v);
    return p + 4;
}

static inline uint8_t *storage_put_u64(uint8_t *p, uint64_t v)
{
    wire_store_u64(p, v);
    return p + 8;
}

#endif /* STORAGE_IO_H */
