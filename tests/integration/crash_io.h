/* Test-only storage I/O table that SIGKILLs its process just before a chosen disk-changing call. */
#ifndef CRASH_IO_H
#define CRASH_IO_H

#include "storage/storage_io.h"

/*
 * The POSIX table (storage_io_posix), counting the calls that change the disk: open for
 * writing, pwrite, fsync, fdatasync, rename and unlink. Armed with K > 0, the process runs
 * before_kill (may be NULL) and raises SIGKILL just before the K-th of them, so the crash lands
 * at a point chosen by a count, the same on any disk, rather than by a clock.
 */
const storage_io_t *crash_io(void);
void crash_io_arm(long countdown, void (*before_kill)(void));

#endif /* CRASH_IO_H */
