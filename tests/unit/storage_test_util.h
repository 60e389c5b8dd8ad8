/* Helpers for the storage unit tests: temporary directories and a fault-injecting I/O table. */
#ifndef STORAGE_TEST_UTIL_H
#define STORAGE_TEST_UTIL_H

#include <stddef.h>
#include "storage/storage_io.h"

/* Creates a fresh directory under /tmp; returns a malloc'd path. */
char *stt_mkdtemp(void);
/* Removes a directory tree. */
void stt_rmtree(const char *path);
/* Number of regular files in dir whose names end with suffix ("" for all). */
int stt_count_files(const char *dir, const char *suffix);
/* Path of the first file in dir whose name starts with prefix (malloc'd) or NULL. */
char *stt_find_file(const char *dir, const char *prefix);
/* Copies a file / a flat directory. */
void stt_copy_file(const char *from, const char *to);
void stt_copy_dir(const char *from, const char *to);

/* Fault kinds the faulty I/O table can inject on the n-th matching call. */
typedef enum stt_fault {
    STT_FAULT_NONE,
    STT_FAULT_SHORT_THEN_ENOSPC, /* a pwrite writes half, the next one fails with ENOSPC */
    STT_FAULT_ENOSPC,            /* pwrite fails with ENOSPC */
    STT_FAULT_FSYNC_EIO,         /* fsync / fdatasync fails with EIO */
    STT_FAULT_RENAME_EIO,        /* rename fails with EIO */
    STT_FAULT_OPEN_EIO,          /* open for writing fails with EIO */
} stt_fault_t;

typedef struct stt_faulty {
    storage_io_t io;
    stt_fault_t fault;
    int countdown; /* matching calls to let through before the fault fires */
    int fired;
    int short_pending;
} stt_faulty_t;

void stt_faulty_init(stt_faulty_t *f);
void stt_faulty_arm(stt_faulty_t *f, stt_fault_t fault, int countdown);

#endif /* STORAGE_TEST_UTIL_H */
