/* Internal Trusted Storage engine: one atomically replaced record file per (namespace, owner, UID).
 */
#include "storage/its_store.h"
#include "storage/its_format.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>

/* Records larger than this are rejected as corrupt whatever the configured limit. */
#define ITS_HARD_MAX_OBJECT (UINT32_MAX - ITS_RECORD_OVERHEAD)

#define ITS_LOCK_NAME ".its.lock"

/*
 * Lock order: `lock` (threads of this process) then flock(lock_fd) (other processes sharing the
 * directory). Both are held for the whole of every call, so a call sees and leaves a consistent
 * directory. flock belongs to an open file description, which fork() shares between parent and
 * child; so lock_fd is per process: `pid` records whose it is, and a child reopens it.
 */
struct its_store {
    int dirfd;
    size_t max_object_size;
    size_t owner_capacity;
    storage_io_t io;
    pthread_mutex_t lock;
    int lock_fd;
    pid_t pid;
};

static const char ns_prefix[] = {'u', 'k'};

static int valid_ns(its_namespace_t ns)
{
    return ns == ITS_NS_USER || ns == ITS_NS_KEY;
}

static void object_name(char *buf, size_t size, its_namespace_t ns, int32_t owner,
                        psa_storage_uid_t uid)
{
    snprintf(buf, size, "%c_%08" PRIx32 "_%016" PRIx64, ns_prefix[ns], (uint32_t)owner, uid);
}

static int open_lock_file(int dirfd)
{
    return openat(dirfd, ITS_LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
}

static psa_status_t store_lock(its_store_t *its)
{
    pthread_mutex_lock(&its->lock);
    pid_t self = getpid();
    if (its->pid != self) {
        /* A fork()ed child: the inherited descriptor's lock is the parent's lock too. Closing
         * our copy leaves the parent's lock (if held) in place; a new description is ours. */
        int fd = open_lock_file(its->dirfd);
        if (fd < 0) {
            pthread_mutex_unlock(&its->lock);
            return PSA_ERROR_STORAGE_FAILURE;
        }
        close(its->lock_fd);
        its->lock_fd = fd;
        its->pid = self;
    }
    int rc;
    while ((rc = flock(its->lock_fd, LOCK_EX)) != 0 && errno == EINTR) {
    }
    if (rc != 0) {
        pthread_mutex_unlock(&its->lock);
        return PSA_ERROR_STORAGE_FAILURE;
    }
    return PSA_SUCCESS;
}

static void store_unlock(its_store_t *its)
{
    flock(its->lock_fd, LOCK_UN);
    pthread_mutex_unlock(&its->lock);
}

/* True for names this engine writes as temporaries ("u_..._....tmp", "k_..._....tmp"). */
static int is_own_temp(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && (name[0] == 'u' || name[0] == 'k') && name[1] == '_' &&
           strcmp(name + n - 4, ".tmp") == 0;
}

static psa_status_t remove_leftovers(its_store_t *its)
{
    DIR *d = storage_dir_scan(its->dirfd);
    if (d == NULL) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (is_own_temp(e->d_name)) {
            its->io.unlinkat(its->io.ctx, its->dirfd, e->d_name);
            removed = 1;
        }
    }
    closedir(d);
    return removed ? storage_fsync_dir(&its->io, its->dirfd) : PSA_SUCCESS;
}

psa_status_t its_store_open(const its_store_config_t *config, its_store_t **out)
{
    if (config == NULL || config->dir == NULL || out == NULL) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    *out = NULL;
    its_store_t *its = calloc(1, sizeof(*its));
    if (its == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    its->dirfd = -1;
    its->lock_fd = -1;
    pthread_mutex_init(&its->lock, NULL);
    its->max_object_size =
        config->max_object_size ? config->max_object_size : ITS_DEFAULT_MAX_OBJECT_SIZE;
    if (its->max_object_size > ITS_HARD_MAX_OBJECT) {
        its->max_object_size = ITS_HARD_MAX_OBJECT;
    }
    its->owner_capacity =
        config->owner_capacity ? config->owner_capacity : ITS_DEFAULT_OWNER_CAPACITY;
    its->io = config->io ? *config->io : *storage_io_posix();
    psa_status_t status = storage_dir_open(config->dir, &its->dirfd);
    if (status != PSA_SUCCESS) {
        its_store_close(its);
        return status;
    }
    its->lock_fd = open_lock_file(its->dirfd);
    its->pid = getpid();
    if (its->lock_fd < 0) {
        its_store_close(its);
        return PSA_ERROR_STORAGE_FAILURE;
    }
    status = store_lock(its);
    if (status == PSA_SUCCESS) {
        status = remove_leftovers(its);
        store_unlock(its);
    }
    if (status != PSA_SUCCESS) {
        its_store_close(its);
        return status;
    }
    *out = its;
    return PSA_SUCCESS;
}

void its_store_close(its_store_t *its)
{
    if (its == NULL) {
        return;
    }
    if (its->lock_fd >= 0) {
        close(its->lock_fd);
    }
    if (its->dirfd >= 0) {
        close(its->dirfd);
    }
    pthread_mutex_destroy(&its->lock);
    free(its);
}

/*
 * What a set or remove may do to an existing record. Only a header that parses, names this
 * object and carries WRITE_ONCE proves the object is write-once. A record too damaged to show
 * that cannot prove it, and is treated as replaceable and removable: otherwise one rotten
 * header would pin its UID (and the owner's quota) forever. The directory is trusted, so
 * damage here is media or software failure, not an attacker forging a way around WRITE_ONCE.
 */
typedef enum existing_record {
    EXISTING_NONE,
    EXISTING_MUTABLE,
    EXISTING_WRITE_ONCE,
    EXISTING_CORRUPT,
} existing_record_t;

static psa_status_t inspect_existing(its_store_t *its, its_namespace_t ns, int32_t owner,
                                     psa_storage_uid_t uid, existing_record_t *what)
{
    char name[64];
    object_name(name, sizeof(name), ns, owner, uid);
    int fd;
    uint64_t size;
    psa_status_t status = storage_open_regular(&its->io, its->dirfd, name, O_RDONLY, &fd, &size);
    if (status == PSA_ERROR_DOES_NOT_EXIST) {
        *what = EXISTING_NONE;
        return PSA_SUCCESS;
    }
    if (status == PSA_ERROR_DATA_CORRUPT) {
        *what = EXISTING_CORRUPT;
        return PSA_SUCCESS;
    }
    if (status != PSA_SUCCESS) {
        return status;
    }
    uint8_t header[ITS_RECORD_HEADER_SIZE];
    its_record_t rec;
    status = storage_read_exact(&its->io, fd, header, sizeof(header), 0);
    its->io.close(its->io.ctx, fd);
    if (status == PSA_SUCCESS) {
        status = its_record_decode_header(header, sizeof(header), &rec);
    }
    if (status == PSA_ERROR_DATA_CORRUPT) {
        *what = EXISTING_CORRUPT;
        return PSA_SUCCESS;
    }
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (rec.ns != ns || rec.owner != owner || rec.uid != uid) {
        *what = EXISTING_CORRUPT;
    } else if (rec.flags & PSA_STORAGE_FLAG_WRITE_ONCE) {
        /* Even if the body is damaged: the header still says write-once. */
        *what = EXISTING_WRITE_ONCE;
    } else {
        *what =
            size == ITS_RECORD_OVERHEAD + (uint64_t)rec.size ? EXISTING_MUTABLE : EXISTING_CORRUPT;
    }
    return PSA_SUCCESS;
}

/* Reads and fully verifies a record; *buf holds the file (free() it), rec points into it. */
static psa_status_t read_record(its_store_t *its, its_namespace_t ns, int32_t owner,
                                psa_storage_uid_t uid, uint8_t **buf, its_record_t *rec)
{
    char name[64];
    size_t len;
    object_name(name, sizeof(name), ns, owner, uid);
    psa_status_t status =
        storage_read_file(&its->io, its->dirfd, name, (size_t)UINT32_MAX, buf, &len);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = its_record_decode(*buf, len, rec);
    if (status == PSA_SUCCESS && (rec->ns != ns || rec->owner != owner || rec->uid != uid)) {
        status = PSA_ERROR_DATA_CORRUPT;
    }
    if (status != PSA_SUCCESS) {
        /* A record that failed its checks may still hold most of a key: wipe it. */
        OPENSSL_cleanse(*buf, len);
        free(*buf);
        *buf = NULL;
    }
    return status;
}

/* Sum of the data sizes of an owner's objects in one namespace, except `skip_uid`'s. */
static psa_status_t owner_usage(its_store_t *its, its_namespace_t ns, int32_t owner,
                                psa_storage_uid_t skip_uid, uint64_t *usage)
{
    char prefix[16];
    char skip[64];
    snprintf(prefix, sizeof(prefix), "%c_%08" PRIx32 "_", ns_prefix[ns], (uint32_t)owner);
    object_name(skip, sizeof(skip), ns, owner, skip_uid);
    size_t prefix_len = strlen(prefix);
    DIR *d = storage_dir_scan(its->dirfd);
    if (d == NULL) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    uint64_t total = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, prefix_len) != 0 || strlen(e->d_name) != prefix_len + 16 ||
            strcmp(e->d_name, skip) == 0) {
            continue;
        }
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            (uint64_t)st.st_size > ITS_RECORD_OVERHEAD) {
            total += (uint64_t)st.st_size - ITS_RECORD_OVERHEAD;
        }
    }
    closedir(d);
    *usage = total;
    return PSA_SUCCESS;
}

static psa_status_t set_locked(its_store_t *its, its_namespace_t ns, int32_t owner,
                               psa_storage_uid_t uid, size_t length, const void *data,
                               psa_storage_create_flags_t flags, int exclusive)
{
    existing_record_t old;
    psa_status_t status = inspect_existing(its, ns, owner, uid, &old);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (exclusive && old == EXISTING_CORRUPT) {
        /* Creating a key over a damaged one would silently discard it; say what is there. */
        return PSA_ERROR_DATA_CORRUPT;
    }
    if (exclusive && old != EXISTING_NONE) {
        return PSA_ERROR_ALREADY_EXISTS;
    }
    if (old == EXISTING_WRITE_ONCE) {
        return PSA_ERROR_NOT_PERMITTED;
    }
    if (length > its->max_object_size) {
        return PSA_ERROR_INSUFFICIENT_STORAGE;
    }
    uint64_t usage;
    status = owner_usage(its, ns, owner, uid, &usage);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (usage + length > its->owner_capacity) {
        return PSA_ERROR_INSUFFICIENT_STORAGE;
    }
    its_record_t rec = {
        .ns = (uint8_t)ns,
        .owner = owner,
        .uid = uid,
        .flags = flags,
        .size = (uint32_t)length,
        .data = data,
    };
    uint8_t *buf;
    size_t buf_len;
    status = its_record_encode(&rec, &buf, &buf_len);
    if (status != PSA_SUCCESS) {
        return status;
    }
    char name[64];
    object_name(name, sizeof(name), ns, owner, uid);
    /* If only the directory fsync fails, the new record is already the one every read sees;
     * the call still reports STORAGE_FAILURE, and the object is whole (new), never torn. */
    status = storage_write_file_atomic(&its->io, its->dirfd, name, buf, buf_len, NULL);
    if (ns == ITS_NS_KEY) {
        OPENSSL_cleanse(buf, buf_len);
    }
    free(buf);
    return status;
}

psa_status_t its_store_ns_set(its_store_t *its, its_namespace_t ns, int32_t owner,
                              psa_storage_uid_t uid, size_t length, const void *data,
                              psa_storage_create_flags_t flags, int exclusive)
{
    if (its == NULL || !valid_ns(ns) || uid == 0 || (data == NULL && length > 0) ||
        !storage_range_fits_u32(0, length)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if ((flags & ~ITS_KNOWN_FLAGS) != 0) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    psa_status_t status = store_lock(its);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = set_locked(its, ns, owner, uid, length, data, flags, exclusive);
    store_unlock(its);
    return status;
}

psa_status_t its_store_ns_get(its_store_t *its, its_namespace_t ns, int32_t owner,
                              psa_storage_uid_t uid, size_t offset, size_t length, void *data,
                              size_t *data_length)
{
    if (its == NULL || !valid_ns(ns) || uid == 0 || data_length == NULL ||
        (data == NULL && length > 0) || !storage_range_fits_u32(offset, length)) {
        if (data_length != NULL) {
            *data_length = 0;
        }
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    *data_length = 0;
    uint8_t *buf = NULL;
    its_record_t rec;
    psa_status_t status = store_lock(its);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = read_record(its, ns, owner, uid, &buf, &rec);
    store_unlock(its);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (offset > rec.size) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else {
        size_t n = rec.size - offset;
        if (n > length) {
            n = length;
        }
        if (n > 0) {
            memcpy(data, rec.data + offset, n);
        }
        *data_length = n;
    }
    if (ns == ITS_NS_KEY) {
        OPENSSL_cleanse(buf, ITS_RECORD_OVERHEAD + (size_t)rec.size);
    }
    free(buf);
    return status;
}

psa_status_t its_store_ns_get_info(its_store_t *its, its_namespace_t ns, int32_t owner,
                                   psa_storage_uid_t uid, struct psa_storage_info_t *info)
{
    if (its == NULL || !valid_ns(ns) || uid == 0 || info == NULL) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    uint8_t *buf = NULL;
    its_record_t rec;
    psa_status_t status = store_lock(its);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = read_record(its, ns, owner, uid, &buf, &rec);
    store_unlock(its);
    if (status != PSA_SUCCESS) {
        return status;
    }
    info->capacity = rec.size;
    info->size = rec.size;
    info->flags = rec.flags;
    if (ns == ITS_NS_KEY) {
        OPENSSL_cleanse(buf, ITS_RECORD_OVERHEAD + (size_t)rec.size);
    }
    free(buf);
    return PSA_SUCCESS;
}

/* The UID of an object file name of the owner's namespace (prefix then 16 lower-case hex
 * digits, as object_name writes them); false for any other name. */
static bool parse_object_name(const char *name, const char *prefix, size_t prefix_len,
                              psa_storage_uid_t *uid)
{
    if (strncmp(name, prefix, prefix_len) != 0 || strlen(name) != prefix_len + 16) {
        return false;
    }
    psa_storage_uid_t v = 0;
    for (const char *p = name + prefix_len; *p != '\0'; p++) {
        int digit;
        if (*p >= '0' && *p <= '9') {
            digit = *p - '0';
        } else if (*p >= 'a' && *p <= 'f') {
            digit = *p - 'a' + 10;
        } else {
            return false;
        }
        v = (v << 4) | (psa_storage_uid_t)digit;
    }
    *uid = v;
    return true;
}

psa_status_t its_store_ns_list(its_store_t *its, its_namespace_t ns, int32_t owner,
                               psa_storage_uid_t after, psa_storage_uid_t *uids, size_t max,
                               size_t *count)
{
    if (count != NULL) {
        *count = 0;
    }
    if (its == NULL || !valid_ns(ns) || count == NULL || (uids == NULL && max > 0)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    char prefix[16];
    snprintf(prefix, sizeof(prefix), "%c_%08" PRIx32 "_", ns_prefix[ns], (uint32_t)owner);
    size_t prefix_len = strlen(prefix);
    psa_status_t status = store_lock(its);
    if (status != PSA_SUCCESS) {
        return status;
    }
    DIR *d = storage_dir_scan(its->dirfd);
    if (d == NULL) {
        store_unlock(its);
        return PSA_ERROR_STORAGE_FAILURE;
    }
    /* uids[0..n) holds the smallest UIDs seen so far, ascending (insertion: max is small). */
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        psa_storage_uid_t uid;
        struct stat st;
        if (!parse_object_name(e->d_name, prefix, prefix_len, &uid) || uid <= after ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        size_t i = n;
        while (i > 0 && uids[i - 1] > uid) {
            i--;
        }
        if (i >= max) {
            continue;
        }
        size_t keep = n < max ? n : max - 1;
        memmove(&uids[i + 1], &uids[i], (keep - i) * sizeof(uids[0]));
        uids[i] = uid;
        n = keep + 1;
    }
    closedir(d);
    store_unlock(its);
    *count = n;
    return PSA_SUCCESS;
}

psa_status_t its_store_ns_remove(its_store_t *its, its_namespace_t ns, int32_t owner,
                                 psa_storage_uid_t uid)
{
    if (its == NULL || !valid_ns(ns) || uid == 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    psa_status_t status = store_lock(its);
    if (status != PSA_SUCCESS) {
        return status;
    }
    existing_record_t old;
    status = inspect_existing(its, ns, owner, uid, &old);
    if (status == PSA_SUCCESS) {
        if (old == EXISTING_NONE) {
            status = PSA_ERROR_DOES_NOT_EXIST;
        } else if (old == EXISTING_WRITE_ONCE) {
            status = PSA_ERROR_NOT_PERMITTED;
        }
    }
    if (status == PSA_SUCCESS) {
        char name[64];
        object_name(name, sizeof(name), ns, owner, uid);
        if (its->io.unlinkat(its->io.ctx, its->dirfd, name) != 0) {
            status = storage_status_from_errno(errno);
        } else {
            /* The object is gone from now on whatever this returns (see set_locked). */
            status = storage_fsync_dir(&its->io, its->dirfd);
        }
    }
    store_unlock(its);
    return status;
}

psa_status_t its_store_set(its_store_t *its, int32_t owner, psa_storage_uid_t uid, size_t length,
                           const void *data, psa_storage_create_flags_t flags)
{
    return its_store_ns_set(its, ITS_NS_USER, owner, uid, length, data, flags, 0);
}

psa_status_t its_store_get(its_store_t *its, int32_t owner, psa_storage_uid_t uid, size_t offset,
                           size_t length, void *data, size_t *data_length)
{
    return its_store_ns_get(its, ITS_NS_USER, owner, uid, offset, length, data, data_length);
}

psa_status_t its_store_get_info(its_store_t *its, int32_t owner, psa_storage_uid_t uid,
                                struct psa_storage_info_t *info)
{
    return its_store_ns_get_info(its, ITS_NS_USER, owner, uid, info);
}

psa_status_t its_store_remove(its_store_t *its, int32_t owner, psa_storage_uid_t uid)
{
    return its_store_ns_remove(its, ITS_NS_USER, owner, uid);
}
