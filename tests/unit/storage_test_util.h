/* Helpers for the storage unit tests: temporary directories and a fault-injecting I/O table. */
#ifndef STORAGE_TEST_UTIL_H
#define STORAGE_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
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
    STT_FAULT_DIR_FSYNC_EIO,     /* fsync of a directory fails with EIO (countdown counts those) */
    STT_FAULT_FSYNC_EIO_STICKY,  /* from the n-th fsync / fdatasync on, every one fails */
    STT_FAULT_DIR_FSYNC_EIO_STICKY, /* from the n-th directory fsync on, every one fails */
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

/*
 * Crash simulation. The table keeps a model of what is durable: for each tracked directory the
 * names its last fsync saw (and which inode each named), for each inode the contents its last
 * fsync/fdatasync saw (empty if never synced). State-changing calls (create, pwrite, fsync,
 * fdatasync, rename, unlink) are counted; the one numbered crash_at and all later ones fail with
 * EIO, as if the machine had stopped there. stt_crash_restore() then rewrites each directory
 * from the model, as the disk would be found after power loss, and forgets the model.
 */
#define STT_CRASH_MAX_DIRS    4
#define STT_CRASH_MAX_ENTRIES 512
#define STT_CRASH_MAX_FILES   2048

typedef enum stt_crash_mode {
    STT_CRASH_ALL_LOST,      /* neither unsynced names nor unsynced data survive */
    STT_CRASH_METADATA_KEPT, /* every name change survived, unsynced data did not */
} stt_crash_mode_t;

typedef struct stt_crash_file {
    dev_t dev;
    ino_t ino;
    int live; /* the record for this inode number now (numbers get reused) */
    uint8_t *durable;
    size_t durable_len;
} stt_crash_file_t;

typedef struct stt_crash_dir {
    char path[1024];
    dev_t dev;
    ino_t ino;
    int nentries;
    struct {
        char name[256];
        int file;
    } entries[STT_CRASH_MAX_ENTRIES];
} stt_crash_dir_t;

typedef struct stt_crash {
    storage_io_t io;
    long ops;      /* state-changing calls let through since stt_crash_arm */
    long crash_at; /* -1: never */
    int crashed;
    int ndirs;
    stt_crash_dir_t dirs[STT_CRASH_MAX_DIRS];
    int nfiles;
    stt_crash_file_t files[STT_CRASH_MAX_FILES];
} stt_crash_t;

void stt_crash_init(stt_crash_t *c);
/* Starts modelling a directory; what it holds now counts as durable. */
void stt_crash_track_dir(stt_crash_t *c, const char *path);
void stt_crash_arm(stt_crash_t *c, long crash_at);
/* After the engines are closed: rolls the tracked directories back to the durable state. */
void stt_crash_restore(stt_crash_t *c, stt_crash_mode_t mode);

#endif /* STORAGE_TEST_UTIL_H */
