/* Internal Trusted Storage engine: owner-partitioned, durable, atomic object store in a directory. */
#ifndef ITS_STORE_H
#define ITS_STORE_H

/*
 * README-storage notes (to merge into the README)
 * ------------------------------------------------
 * Directories. ITS keeps one file per object in its trusted directory, named
 * "u_<owner>_<uid>" (hex) for application objects and "k_<owner>_<uid>" for the crypto core's
 * persistent keys. PS keeps its hardware-unique key (ps.huk, mode 0600) and its object table
 * (ps.table) in the same trusted directory and one encrypted file per object in the external
 * directory. For libpsa-local the state directory is $PSA_STATE_DIR, else
 * $XDG_STATE_HOME/secure-services, else $HOME/.local/state/secure-services; the trusted
 * directory is <state>/its and the external one <state>/ps, or $PSA_PS_DIR when set.
 *
 * Limits (per owner, per engine; configurable in its_store_config_t / ps_store_config_t, 0 means
 * the default). Exceeding either gives PSA_ERROR_INSUFFICIENT_STORAGE and leaves the old value.
 *   ITS: largest object ITS_DEFAULT_MAX_OBJECT_SIZE (1 MiB), total ITS_DEFAULT_OWNER_CAPACITY
 *        (16 MiB) of object data per owner; the key namespace has its own, equal, budget.
 *   PS:  largest object PS_DEFAULT_MAX_OBJECT_SIZE (1 MiB), total PS_DEFAULT_OWNER_CAPACITY
 *        (64 MiB) of object capacity per owner.
 *
 * Durability. A call returns only once its data is on disk: ITS writes <name>.tmp, fsyncs it,
 * renames it over the object and fsyncs the directory. Leftover .tmp files are removed when the
 * engine opens. Several processes may share one directory: every call takes a lock file, and a
 * fork()ed child reopens it, since a lock inherited through fork() is shared with the parent.
 *
 * The commit rule. Once the rename (or, for remove, the unlink) has happened, the new state is
 * the state: every later call sees it and nothing tries to undo it. If the directory fsync then
 * fails (it is retried once), the call reports PSA_ERROR_STORAGE_FAILURE although the change is
 * visible; after a crash the object is entirely old or entirely new, never torn. A caller that
 * sees STORAGE_FAILURE must therefore re-read rather than assume the old value.
 *
 * Files. Names are resolved only relative to a directory descriptor opened O_NOFOLLOW; files
 * are created O_EXCL|O_NOFOLLOW after unlinking any stale entry, and read O_NOFOLLOW|O_NONBLOCK;
 * a symlink, FIFO or directory where a record should be is PSA_ERROR_DATA_CORRUPT.
 *
 * Damaged records. get and get_info of a damaged record give PSA_ERROR_DATA_CORRUPT. A record
 * whose header cannot be parsed (or names another object) cannot prove it is WRITE_ONCE, so set
 * replaces it and remove removes it; one whose header parses and says WRITE_ONCE stays
 * protected even if its body is damaged. (Refusing both forever would pin the UID and its quota
 * with no way out; the directory is trusted, so damage there is not an attacker's lever.)
 * Creating a key (exclusive set) over a damaged key record still gives DATA_CORRUPT.
 */

#include <stddef.h>
#include <stdint.h>
#include <psa/error.h>
#include <psa/storage_common.h>
#include "storage/storage_io.h"

#define ITS_DEFAULT_MAX_OBJECT_SIZE (1024u * 1024u)
#define ITS_DEFAULT_OWNER_CAPACITY  (16u * 1024u * 1024u)

typedef struct its_store_config {
    const char *dir;         /* trusted directory, created (0700) if missing */
    size_t max_object_size;  /* 0: ITS_DEFAULT_MAX_OBJECT_SIZE */
    size_t owner_capacity;   /* 0: ITS_DEFAULT_OWNER_CAPACITY */
    const storage_io_t *io;  /* NULL: storage_io_posix() */
} its_store_config_t;

typedef struct its_store its_store_t;

/*
 * Namespaces keep the crypto core's key records apart from application objects. User UIDs span
 * all 64 bits, so no UID range can be reserved; instead the namespace is part of the file name
 * and of the record header, and the psa_its_* entry points can only name ITS_NS_USER.
 */
typedef enum its_namespace {
    ITS_NS_USER = 0,
    ITS_NS_KEY = 1,
} its_namespace_t;

psa_status_t its_store_open(const its_store_config_t *config, its_store_t **out);
void its_store_close(its_store_t *its);

psa_status_t its_store_set(its_store_t *its, int32_t owner, psa_storage_uid_t uid, size_t length,
                           const void *data, psa_storage_create_flags_t flags);
psa_status_t its_store_get(its_store_t *its, int32_t owner, psa_storage_uid_t uid, size_t offset,
                           size_t length, void *data, size_t *data_length);
psa_status_t its_store_get_info(its_store_t *its, int32_t owner, psa_storage_uid_t uid,
                                struct psa_storage_info_t *info);
psa_status_t its_store_remove(its_store_t *its, int32_t owner, psa_storage_uid_t uid);

/* The same calls in an explicit namespace. With exclusive set, an existing object gives
 * PSA_ERROR_ALREADY_EXISTS instead of being replaced. */
psa_status_t its_store_ns_set(its_store_t *its, its_namespace_t ns, int32_t owner,
                              psa_storage_uid_t uid, size_t length, const void *data,
                              psa_storage_create_flags_t flags, int exclusive);
psa_status_t its_store_ns_get(its_store_t *its, its_namespace_t ns, int32_t owner,
                              psa_storage_uid_t uid, size_t offset, size_t length, void *data,
                              size_t *data_length);
psa_status_t its_store_ns_get_info(its_store_t *its, its_namespace_t ns, int32_t owner,
                                   psa_storage_uid_t uid, struct psa_storage_info_t *info);
psa_status_t its_store_ns_remove(its_store_t *its, its_namespace_t ns, int32_t owner,
                                 psa_storage_uid_t uid);
/* The owner's UIDs in a namespace greater than `after`, ascending: the `max` smallest of them in
 * uids[0..*count). *count < max means there are no more. Damaged records are listed (a read of
 * them reports PSA_ERROR_DATA_CORRUPT); anything that is not a regular file is not. */
psa_status_t its_store_ns_list(its_store_t *its, its_namespace_t ns, int32_t owner,
                               psa_storage_uid_t after, psa_storage_uid_t *uids, size_t max,
                               size_t *count);

#endif /* ITS_STORE_H */
