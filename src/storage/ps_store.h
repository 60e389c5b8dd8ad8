/* Protected Storage engine: AES-256-GCM objects in an untrusted directory, anchored in a trusted one. */
#ifndef PS_STORE_H
#define PS_STORE_H

/*
 * Design (see ps_format.h for the bytes):
 * - Keys. A 256-bit HUK is drawn from the system RNG on first start and kept in
 *   <trusted>/ps.huk (mode 0600); it never leaves the engine. Each object is sealed with
 *   AES-256-GCM under HKDF-SHA-256(HUK, salt "secure-services/ps", info "object" | owner | UID),
 *   and the object table is MACed with HKDF(HUK, info "table").
 * - Nonces. 96-bit random per encryption (RAND_bytes). Counter nonces would need a counter made
 *   durable before each write (an extra fsync) and are unsafe if a crash replays a counter value
 *   with different data; with per-object keys the 2^-32 collision bound of random nonces is only
 *   approached after ~2^32 writes of a single object.
 * - Replay and rollback. The object table (one entry per object: owner, UID, version, flags,
 *   size, capacity and the GCM tag of the current file) lives in the trusted directory, updated
 *   in place into the inactive of two slots, each carrying a generation counter and an HMAC.
 *   An object's version is the generation that wrote it. A read accepts only the file whose
 *   version and tag the table names, so an older copy of one file, a swapped file or an older
 *   copy of the whole PS directory is refused.
 * - Statuses. Tag or identity mismatch: PSA_ERROR_INVALID_SIGNATURE. Older version, missing
 *   file, malformed file or damaged table: PSA_ERROR_DATA_CORRUPT. Each object is verified on
 *   its own, so one damaged file leaves the others readable. get_info and remove use the
 *   trusted table only, so a damaged object can still be inspected and removed.
 * - Durability, two fsync'd steps per update: (1) the new version is written to its own file
 *   (write, fsync, directory fsync), (2) the table slot is rewritten in place and fdatasync'd.
 *   Then the previous version's file is unlinked. A crash before (2) leaves the old version
 *   current; files not named by the table (and ps.table.tmp, ps.huk.tmp) are removed at open.
 *   When the table outgrows its slot it is rewritten whole (tmp, fsync, rename, directory
 *   fsync) instead of (2).
 * - Commit rule: once the new table may be current (its rename happened, or an in-place slot
 *   whose sync failed could not be invalidated), nothing it names is deleted; the call reports
 *   PSA_ERROR_STORAGE_FAILURE, the previous version's file is kept as well, and whichever table
 *   survives names a whole object ("new or old, never torn"). get_info and get always agree.
 * - Untrusted directory: every name is opened relative to a directory descriptor (O_NOFOLLOW),
 *   new files O_CREAT|O_EXCL|O_NOFOLLOW after unlinking what was there, reads O_NOFOLLOW|
 *   O_NONBLOCK with an S_ISREG check, so planted links cannot redirect a write and a planted
 *   FIFO cannot block a call (non-regular files give PSA_ERROR_DATA_CORRUPT). The lock is
 *   reopened in a fork()ed child.
 * - Flags. NO_CONFIDENTIALITY objects are still encrypted and NO_REPLAY_PROTECTION objects are
 *   still version-checked: the API allows stronger protection, and one code path is simpler.
 * - Semantics. psa_ps_set replaces an object (capacity = size = data length). psa_ps_create
 *   makes an empty object (size 0) with the given capacity; WRITE_ONCE is refused there with
 *   PSA_ERROR_NOT_SUPPORTED, since an empty write-once object could never receive data.
 *   set_extended writes inside [0, capacity) starting at or before the current end.
 */

#include <stddef.h>
#include <stdint.h>
#include <psa/error.h>
#include <psa/storage_common.h>
#include "storage/storage_io.h"

#define PS_DEFAULT_MAX_OBJECT_SIZE (1024u * 1024u)
#define PS_DEFAULT_OWNER_CAPACITY  (64u * 1024u * 1024u)

typedef struct ps_store_config {
    const char *trusted_dir;  /* HUK, object table, lock; may be the ITS directory */
    const char *external_dir; /* encrypted object files */
    size_t max_object_size;   /* 0: PS_DEFAULT_MAX_OBJECT_SIZE */
    size_t owner_capacity;    /* 0: PS_DEFAULT_OWNER_CAPACITY */
    const storage_io_t *io;   /* NULL: storage_io_posix() */
} ps_store_config_t;

typedef struct ps_store ps_store_t;

psa_status_t ps_store_open(const ps_store_config_t *config, ps_store_t **out);
void ps_store_close(ps_store_t *ps);

psa_status_t ps_store_set(ps_store_t *ps, int32_t owner, psa_storage_uid_t uid, size_t length,
                          const void *data, psa_storage_create_flags_t flags);
psa_status_t ps_store_get(ps_store_t *ps, int32_t owner, psa_storage_uid_t uid, size_t offset,
                          size_t length, void *data, size_t *data_length);
psa_status_t ps_store_get_info(ps_store_t *ps, int32_t owner, psa_storage_uid_t uid,
                               struct psa_storage_info_t *info);
psa_status_t ps_store_remove(ps_store_t *ps, int32_t owner, psa_storage_uid_t uid);
psa_status_t ps_store_create(ps_store_t *ps, int32_t owner, psa_storage_uid_t uid,
                             size_t capacity, psa_storage_create_flags_t flags);
psa_status_t ps_store_set_extended(ps_store_t *ps, int32_t owner, psa_storage_uid_t uid,
                                   size_t offset, size_t length, const void *data);
uint32_t ps_store_get_support(const ps_store_t *ps);

/* Authenticates and decrypts one object file image against an expected table entry; for the
 * engine and the fuzzer. key is the object's 32-byte key. *plain gets header.size bytes. */
struct ps_table_entry;
psa_status_t ps_object_open(const uint8_t *file, size_t len, const struct ps_table_entry *expect,
                            const uint8_t key[32], uint8_t *plain);

#endif /* PS_STORE_H */
