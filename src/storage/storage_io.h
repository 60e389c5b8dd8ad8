/* File-I/O indirection used by the storage engines, so tests can inject faults and crashes. */
#ifndef STORAGE_IO_H
#define STORAGE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <psa/error.h>

/*
 * Every call that can fail or be interrupted by a crash goes through this table. The functions
 * follow POSIX conventions (-1 and errno on failure) so the default table is a thin shim. A test
 * wraps storage_io_posix() to return short writes, ENOSPC, EIO on fsync, or to _exit() between
 * two steps of a durable write.
 */
typedef struct storage_io {
    void *ctx;
    int (*open)(void *ctx, const char *path, int flags, mode_t mode);
    ssize_t (*pread)(void *ctx, int fd, void *buf, size_t len, off_t off);
    ssize_t (*pwrite)(void *ctx, int fd, const void *buf, size_t len, off_t off);
    int (*fsync)(void *ctx, int fd);
    int (*fdatasync)(void *ctx, int fd);
    int (*close)(void *ctx, int fd);
    int (*rename)(void *ctx, const char *from, const char *to);
    int (*unlink)(void *ctx, const char *path);
} storage_io_t;

/* The default table: direct system calls. */
const storage_io_t *storage_io_posix(void);

/* Maps an errno value from a failed write path to a PSA status. */
psa_status_t storage_status_from_errno(int err);

/* Writes all len bytes at off, retrying short writes. */
psa_status_t storage_write_all(const storage_io_t *io, int fd, const void *buf, size_t len,
                               off_t off);
/* Reads exactly len bytes at off; a short file gives PSA_ERROR_DATA_CORRUPT. */
psa_status_t storage_read_exact(const storage_io_t *io, int fd, void *buf, size_t len, off_t off);

/* Reads a whole file of at most max_len bytes into a new buffer (free with free()).
 * Missing file -> PSA_ERROR_DOES_NOT_EXIST; larger than max_len -> PSA_ERROR_DATA_CORRUPT. */
psa_status_t storage_read_file(const storage_io_t *io, const char *path, size_t max_len,
                               uint8_t **out, size_t *out_len);

/* Durably replaces dir/name with buf: write dir/name.tmp, fsync, rename, fsync dir. */
psa_status_t storage_write_file_atomic(const storage_io_t *io, const char *dir, const char *name,
                                       const void *buf, size_t len);

/* Durably creates or truncates dir/name with buf, without rename (caller makes it reachable). */
psa_status_t storage_write_file_direct(const storage_io_t *io, const char *dir, const char *name,
                                       const void *buf, size_t len);

/* fsync of a directory, so renames and new entries in it survive a crash. */
psa_status_t storage_fsync_dir(const storage_io_t *io, const char *dir);

/* Creates a directory (and missing parents) with mode 0700. */
psa_status_t storage_mkdir_p(const char *dir);

/* Bounds-checked little-endian reader: the only way the engines parse bytes read from disk. */
typedef struct storage_reader {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    int failed; /* set once any read ran past the end; later reads fail too */
} storage_reader_t;

void storage_reader_init(storage_reader_t *r, const void *buf, size_t len);
int storage_reader_u8(storage_reader_t *r, uint8_t *v);
int storage_reader_u16(storage_reader_t *r, uint16_t *v);
int storage_reader_u32(storage_reader_t *r, uint32_t *v);
int storage_reader_u64(storage_reader_t *r, uint64_t *v);
/* Points *p at the next n bytes without copying. */
int storage_reader_bytes(storage_reader_t *r, size_t n, const uint8_t **p);
size_t storage_reader_left(const storage_reader_t *r);

/* Little-endian writers into a caller-sized buffer; return the position after the field. */
uint8_t *storage_put_u16(uint8_t *p, uint16_t v);
uint8_t *storage_put_u32(uint8_t *p, uint32_t v);
uint8_t *storage_put_u64(uint8_t *p, uint64_t v);

#endif /* STORAGE_IO_H */
