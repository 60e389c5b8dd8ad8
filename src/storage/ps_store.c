/* Protected Storage engine: sealed object files, version/tag table in trusted storage, recovery. */
#include "storage/ps_store.h"
#include "storage/ps_format.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define PS_HUK_SIZE        32u
#define PS_HUK_NAME        "ps.huk"
#define PS_TABLE_NAME      "ps.table"
#define PS_LOCK_NAME       "ps.lock"
#define PS_TABLE_MAX_BYTES (64u * 1024u * 1024u)
#define PS_HARD_MAX_OBJECT (UINT32_MAX - PS_OBJECT_OVERHEAD)

static const char hkdf_salt[] = "secure-services/ps";

/*
 * Lock order: `lock` (threads) then flock(lock_fd) (processes sharing the directories). Both are
 * held for a whole call; the table is re-read under them on every call, so processes sharing the
 * directories always act on the latest table. flock belongs to an open file description, which
 * fork() shares between parent and child, so lock_fd is per process: `pid` says whose it is and
 * a child reopens it before its first call.
 *
 * Both directories are reached only through trusted_fd / external_fd (opened O_NOFOLLOW), by
 * name: the external directory is untrusted and may hold planted links, FIFOs or directories.
 */
struct ps_store {
    int trusted_fd;
    int external_fd;
    size_t max_object_size;
    size_t owner_capacity;
    storage_io_t io;
    pthread_mutex_t lock;
    int lock_fd;
    pid_t pid;
    uint8_t huk[PS_HUK_SIZE];
    uint8_t table_key[32];
    EVP_KDF *kdf;
};

/* The table as loaded: contents, which region holds it, and the region size. */
typedef struct loaded_table {
    ps_table_t table;
    int active;
    size_t region;
} loaded_table_t;

static int open_lock_file(int dirfd)
{
    return openat(dirfd, PS_LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
}

static psa_status_t store_lock(ps_store_t *ps)
{
    pthread_mutex_lock(&ps->lock);
    pid_t self = getpid();
    if (ps->pid != self) {
        /* A fork()ed child: closing the inherited copy leaves the parent's lock alone. */
        int fd = open_lock_file(ps->trusted_fd);
        if (fd < 0) {
            pthread_mutex_unlock(&ps->lock);
            return PSA_ERROR_STORAGE_FAILURE;
        }
        close(ps->lock_fd);
        ps->lock_fd = fd;
        ps->pid = self;
    }
    int rc;
    while ((rc = flock(ps->lock_fd, LOCK_EX)) != 0 && errno == EINTR) {
    }
    if (rc != 0) {
        pthread_mutex_unlock(&ps->lock);
        return PSA_ERROR_STORAGE_FAILURE;
    }
    return PSA_SUCCESS;
}

static void store_unlock(ps_store_t *ps)
{
    flock(ps->lock_fd, LOCK_UN);
    pthread_mutex_unlock(&ps->lock);
}

static psa_status_t hkdf(EVP_KDF *kdf, const uint8_t *secret, const uint8_t *info,
                         size_t info_len, uint8_t out[32])
{
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    if (ctx == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, PS_HUK_SIZE),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)hkdf_salt,
                                          sizeof(hkdf_salt) - 1),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len),
        OSSL_PARAM_construct_end(),
    };
    int ok = EVP_KDF_derive(ctx, out, 32, params);
    EVP_KDF_CTX_free(ctx);
    return ok == 1 ? PSA_SUCCESS : PSA_ERROR_GENERIC_ERROR;
}

/* Per-object key, bound to the owner and the UID. */
static psa_status_t object_key(const ps_store_t *ps, int32_t owner, uint64_t uid, uint8_t key[32])
{
    uint8_t info[6 + 4 + 8];
    memcpy(info, "object", 6);
    storage_put_u64(storage_put_u32(info + 6, (uint32_t)owner), uid);
    return hkdf(ps->kdf, ps->huk, info, sizeof(info), key);
}

static void object_name(char *buf, size_t size, int32_t owner, uint64_t uid, uint64_t version)
{
    snprintf(buf, size, "%08" PRIx32 "_%016" PRIx64 "_%016" PRIx64 ".ps", (uint32_t)owner, uid,
             version);
}

/* EVP's update calls take int lengths; feed larger buffers in pieces. */
#define PS_GCM_CHUNK (1u << 30)

static int gcm_update(EVP_CIPHER_CTX *ctx, int encrypt, uint8_t *out, const uint8_t *in,
                      size_t len)
{
    while (len > 0) {
        size_t n = len > PS_GCM_CHUNK ? PS_GCM_CHUNK : len;
        int outl = 0;
        int ok = encrypt ? EVP_EncryptUpdate(ctx, out, &outl, in, (int)n)
                         : EVP_DecryptUpdate(ctx, out, &outl, in, (int)n);
        if (ok != 1 || outl != (int)n) {
            return 0;
        }
        out += n;
        in += n;
        len -= n;
    }
    return 1;
}

/* ---- object table in the trusted directory ---- */

static psa_status_t load_table(ps_store_t *ps, loaded_table_t *lt)
{
    uint8_t *buf;
    size_t len;
    memset(lt, 0, sizeof(*lt));
    psa_status_t status = storage_read_file(&ps->io, ps->trusted_fd, PS_TABLE_NAME,
                                            PS_TABLE_MAX_BYTES, &buf, &len);
    if (status == PSA_ERROR_DOES_NOT_EXIST) {
        return PSA_ERROR_DATA_CORRUPT; /* the HUK exists, so a missing table is damage */
    }
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (len < 2 * PS_TABLE_MIN_REGION || len % 2 != 0) {
        free(buf);
        return PSA_ERROR_DATA_CORRUPT;
    }
    size_t region = len / 2;
    ps_table_t slots[2];
    psa_status_t st[2];
    for (int i = 0; i < 2; i++) {
        st[i] = ps_table_decode(buf + (size_t)i * region, region, ps->table_key, &slots[i]);
    }
    free(buf);
    int pick = -1;
    if (st[0] == PSA_SUCCESS && st[1] == PSA_SUCCESS) {
        pick = slots[1].generation > slots[0].generation ? 1 : 0;
    } else if (st[0] == PSA_SUCCESS) {
        pick = 0;
    } else if (st[1] == PSA_SUCCESS) {
        pick = 1;
    }
    for (int i = 0; i < 2; i++) {
        if (i != pick && st[i] == PSA_SUCCESS) {
            ps_table_free(&slots[i]);
        }
    }
    if (pick < 0) {
        return st[0] == PSA_ERROR_INSUFFICIENT_MEMORY ? st[0] : PSA_ERROR_DATA_CORRUPT;
    }
    lt->table = slots[pick];
    lt->active = pick;
    lt->region = region;
    return PSA_SUCCESS;
}

/* Writes a whole new table file (first start, or when a slot outgrows its region). *live is
 * set once the new file has replaced the old one, even if the call then fails. */
static psa_status_t write_table_file(ps_store_t *ps, const ps_table_t *t, size_t min_region,
                                     int *live)
{
    *live = 0;
    size_t need = ps_table_slot_size(t->count);
    size_t region = PS_TABLE_MIN_REGION;
    while (region < need || region < min_region) {
        region *= 2;
    }
    uint8_t *buf = calloc(2, region);
    if (buf == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    psa_status_t status = ps_table_encode(t, ps->table_key, buf);
    if (status == PSA_SUCCESS) {
        status = storage_write_file_atomic(&ps->io, ps->trusted_fd, PS_TABLE_NAME, buf,
                                           2 * region, live);
    }
    free(buf);
    return status;
}

/*
 * Makes `next` (generation already advanced) the current table: one in-place slot write and
 * fdatasync into the inactive region, or a whole new file when the slot outgrows its region.
 *
 * *live tells the caller which table is current after a failure: 0 means the old one for
 * certain (nothing the new table names may be relied on, the caller undoes its new object);
 * 1 means the new table is, or may be, current: its rename took effect, or a slot whose sync
 * failed could not be invalidated again. Then the caller must keep every object file either
 * table names; the start-up sweep removes whichever the surviving table does not.
 */
static psa_status_t commit_table(ps_store_t *ps, const loaded_table_t *lt, const ps_table_t *next,
                                 int *live)
{
    *live = 0;
    size_t need = ps_table_slot_size(next->count);
    if (need > lt->region) {
        return write_table_file(ps, next, lt->region * 2, live);
    }
    uint8_t *buf = malloc(need);
    if (buf == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    psa_status_t status = ps_table_encode(next, ps->table_key, buf);
    if (status != PSA_SUCCESS) {
        free(buf);
        return status;
    }
    int fd;
    status = storage_open_regular(&ps->io, ps->trusted_fd, PS_TABLE_NAME, O_WRONLY, &fd, NULL);
    if (status != PSA_SUCCESS) {
        free(buf);
        return status == PSA_ERROR_DOES_NOT_EXIST ? PSA_ERROR_DATA_CORRUPT : status;
    }
    off_t off = (off_t)((size_t)(1 - lt->active) * lt->region);
    status = storage_write_all(&ps->io, fd, buf, need, off);
    /* A failed write leaves the slot without its MAC, so it can never decode: old is current. */
    int written = status == PSA_SUCCESS;
    if (status == PSA_SUCCESS && ps->io.fdatasync(ps->io.ctx, fd) != 0) {
        status = storage_status_from_errno(errno);
    }
    if (status != PSA_SUCCESS) {
        /* Invalidate the slot so the old table stays current whatever reached the disk. If
         * that cannot be made durable either, the new slot may be what a restart finds. */
        static const uint8_t zero[PS_TABLE_HEADER_SIZE];
        if (storage_write_all(&ps->io, fd, zero, sizeof(zero), off) != PSA_SUCCESS ||
            ps->io.fdatasync(ps->io.ctx, fd) != 0) {
            *live = written;
        }
    }
    ps->io.close(ps->io.ctx, fd);
    free(buf);
    return status;
}

/* ---- object files in the external directory ---- */

psa_status_t ps_object_open(const uint8_t *file, size_t len, const ps_table_entry_t *expect,
                            const uint8_t key[32], uint8_t *plain)
{
    ps_object_view_t v;
    psa_status_t status = ps_object_parse(file, len, &v);
    if (status != PSA_SUCCESS) {
        return status;
    }
    const ps_object_header_t *h = &v.header;
    if (h->owner != expect->owner || h->uid != expect->uid) {
        return PSA_ERROR_INVALID_SIGNATURE; /* a file of another object */
    }
    if (h->version != expect->version) {
        return PSA_ERROR_DATA_CORRUPT; /* an older (or never committed) version: rollback */
    }
    if (h->flags != expect->flags || h->size != expect->size ||
        h->capacity != expect->capacity ||
        CRYPTO_memcmp(v.tag, expect->tag, PS_TAG_SIZE) != 0) {
        return PSA_ERROR_INVALID_SIGNATURE;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    int outl = 0;
    int ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, PS_NONCE_SIZE, NULL) == 1 &&
             EVP_DecryptInit_ex(ctx, NULL, NULL, key, h->nonce) == 1 &&
             EVP_DecryptUpdate(ctx, NULL, &outl, v.aad, PS_OBJECT_HEADER_SIZE) == 1 &&
             gcm_update(ctx, 0, plain, v.ciphertext, h->size) &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, PS_TAG_SIZE, (void *)v.tag) == 1;
    uint8_t last[16];
    if (ok) {
        ok = EVP_DecryptFinal_ex(ctx, last, &outl) == 1;
    }
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        if (h->size > 0) {
            OPENSSL_cleanse(plain, h->size);
        }
        return PSA_ERROR_INVALID_SIGNATURE;
    }
    return PSA_SUCCESS;
}

/* Reads and opens the current version of an object; *plain is malloc'd (size entry->size). */
static psa_status_t read_object(ps_store_t *ps, const ps_table_entry_t *e, uint8_t **plain)
{
    char name[80];
    uint8_t *file, key[32];
    size_t len;
    *plain = NULL;
    object_name(name, sizeof(name), e->owner, e->uid, e->version);
    /* Bound the read by the larger of the expected size and the configured limit, so a foreign
     * file is parsed (and reported by identity) rather than rejected by size alone. */
    size_t bound = e->size > ps->max_object_size ? e->size : ps->max_object_size;
    psa_status_t status = storage_read_file(&ps->io, ps->external_fd, name,
                                            bound + PS_OBJECT_OVERHEAD, &file, &len);
    if (status == PSA_ERROR_DOES_NOT_EXIST) {
        return PSA_ERROR_DATA_CORRUPT; /* the table names a file that is gone */
    }
    if (status != PSA_SUCCESS) {
        return status;
    }
    uint8_t *buf = malloc(e->size ? e->size : 1);
    status = buf ? object_key(ps, e->owner, e->uid, key) : PSA_ERROR_INSUFFICIENT_MEMORY;
    if (status == PSA_SUCCESS) {
        status = ps_object_open(file, len, e, key, buf);
    }
    OPENSSL_cleanse(key, sizeof(key));
    free(file);
    if (status != PSA_SUCCESS) {
        free(buf);
        return status;
    }
    *plain = buf;
    return PSA_SUCCESS;
}

/* Seals `plain` as version e->version of the object and writes it durably to its own file;
 * fills e->tag. */
static psa_status_t write_object(ps_store_t *ps, ps_table_entry_t *e, const uint8_t *plain)
{
    ps_object_header_t h = {
        .owner = e->owner, .uid = e->uid, .flags = e->flags, .size = e->size,
        .capacity = e->capacity, .version = e->version,
    };
    if (RAND_bytes(h.nonce, PS_NONCE_SIZE) != 1) {
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    }
    size_t len = (size_t)e->size + PS_OBJECT_OVERHEAD;
    uint8_t *file = malloc(len);
    if (file == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    ps_object_header_encode(&h, file);
    uint8_t key[32];
    psa_status_t status = object_key(ps, e->owner, e->uid, key);
    if (status != PSA_SUCCESS) {
        free(file);
        return status;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0;
    uint8_t *tag = file + PS_OBJECT_HEADER_SIZE + e->size;
    int ok = ctx != NULL &&
             EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, PS_NONCE_SIZE, NULL) == 1 &&
             EVP_EncryptInit_ex(ctx, NULL, NULL, key, h.nonce) == 1 &&
             EVP_EncryptUpdate(ctx, NULL, &outl, file, PS_OBJECT_HEADER_SIZE) == 1 &&
             gcm_update(ctx, 1, file + PS_OBJECT_HEADER_SIZE, plain, e->size) &&
             EVP_EncryptFinal_ex(ctx, tag, &outl) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, PS_TAG_SIZE, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    OPENSSL_cleanse(key, sizeof(key));
    if (!ok) {
        free(file);
        return PSA_ERROR_GENERIC_ERROR;
    }
    memcpy(e->tag, tag, PS_TAG_SIZE);
    char name[80];
    object_name(name, sizeof(name), e->owner, e->uid, e->version);
    status = storage_write_file_direct(&ps->io, ps->external_fd, name, file, len);
    free(file);
    return status;
}

static void unlink_object(ps_store_t *ps, int32_t owner, uint64_t uid, uint64_t version)
{
    char name[80];
    object_name(name, sizeof(name), owner, uid, version);
    ps->io.unlinkat(ps->io.ctx, ps->external_fd, name);
}

/* Writes a new version of an object and commits it; `prev` is the entry it replaces or NULL. */
static psa_status_t store_version(ps_store_t *ps, loaded_table_t *lt, ps_table_entry_t *e,
                                  const ps_table_entry_t *prev, const uint8_t *plain)
{
    ps_table_t next;
    psa_status_t status = ps_table_copy(&lt->table, &next);
    if (status != PSA_SUCCESS) {
        return status;
    }
    next.generation = lt->table.generation + 1;
    e->version = next.generation;
    status = write_object(ps, e, plain);
    if (status == PSA_SUCCESS) {
        status = ps_table_upsert(&next, e);
    }
    if (status == PSA_SUCCESS) {
        int live;
        status = commit_table(ps, lt, &next, &live);
        if (status != PSA_SUCCESS && !live) {
            unlink_object(ps, e->owner, e->uid, e->version);
        }
        /* With `live` set both the new and the previous file stay: whichever table a restart
         * finds names a whole object ("new or old, never torn"). */
    }
    if (status == PSA_SUCCESS && prev != NULL) {
        unlink_object(ps, prev->owner, prev->uid, prev->version);
    }
    ps_table_free(&next);
    return status;
}

/* Sum of the capacities of an owner's objects except `skip_uid`. */
static uint64_t owner_usage(const ps_table_t *t, int32_t owner, uint64_t skip_uid)
{
    uint64_t total = 0;
    for (size_t i = 0; i < t->count; i++) {
        if (t->entries[i].owner == owner && t->entries[i].uid != skip_uid) {
            total += t->entries[i].capacity;
        }
    }
    return total;
}

static psa_status_t check_limits(const ps_store_t *ps, const ps_table_t *t, int32_t owner,
                                 uint64_t uid, size_t capacity)
{
    if (capacity > ps->max_object_size) {
        return PSA_ERROR_INSUFFICIENT_STORAGE;
    }
    if (owner_usage(t, owner, uid) + capacity > ps->owner_capacity) {
        return PSA_ERROR_INSUFFICIENT_STORAGE;
    }
    return PSA_SUCCESS;
}

/* ---- opening and recovery ---- */

/* Parses exactly n lowercase hex digits (what object_name writes; no sign, no space). */
static int parse_hex(const char *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        unsigned d;
        if (c >= '0' && c <= '9') {
            d = (unsigned)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            d = (unsigned)(c - 'a' + 10);
        } else {
            return 0;
        }
        v = (v << 4) | d;
    }
    *out = v;
    return 1;
}

/* True for names this engine writes in the external directory. */
static int parse_object_name(const char *name, int32_t *owner, uint64_t *uid, uint64_t *version)
{
    uint64_t o;
    if (strlen(name) != 8 + 1 + 16 + 1 + 16 + 3 || name[8] != '_' || name[25] != '_' ||
        strcmp(name + 42, ".ps") != 0 || !parse_hex(name, 8, &o) ||
        !parse_hex(name + 9, 16, uid) || !parse_hex(name + 26, 16, version)) {
        return 0;
    }
    *owner = (int32_t)(uint32_t)o;
    return 1;
}

/* Temporaries of storage_write_file_atomic in the trusted directory. */
static const char *const trusted_temps[] = {PS_TABLE_NAME ".tmp", PS_HUK_NAME ".tmp"};

/* Removes object files the table does not name (interrupted writes, old versions) and
 * temporaries. Runs only with a valid table, so damage never triggers deletion. */
static psa_status_t remove_leftovers(ps_store_t *ps, const ps_table_t *t)
{
    DIR *d = storage_dir_scan(ps->external_fd);
    if (d == NULL) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    struct dirent *e;
    int removed = 0;
    while ((e = readdir(d)) != NULL) {
        int32_t owner;
        uint64_t uid, version;
        size_t n = strlen(e->d_name);
        int stray = 0;
        if (n > 7 && strcmp(e->d_name + n - 7, ".ps.tmp") == 0) {
            stray = 1;
        } else if (parse_object_name(e->d_name, &owner, &uid, &version)) {
            long i = ps_table_find(t, owner, uid);
            stray = i < 0 || t->entries[i].version != version;
        }
        if (stray) {
            ps->io.unlinkat(ps->io.ctx, ps->external_fd, e->d_name);
            removed = 1;
        }
    }
    closedir(d);
    return removed ? storage_fsync_dir(&ps->io, ps->external_fd) : PSA_SUCCESS;
}

/* Removes the trusted directory's temporaries left by a crash inside an atomic write. */
static psa_status_t remove_trusted_temps(ps_store_t *ps)
{
    int removed = 0;
    for (size_t i = 0; i < sizeof(trusted_temps) / sizeof(trusted_temps[0]); i++) {
        if (ps->io.unlinkat(ps->io.ctx, ps->trusted_fd, trusted_temps[i]) == 0) {
            removed = 1;
        }
    }
    return removed ? storage_fsync_dir(&ps->io, ps->trusted_fd) : PSA_SUCCESS;
}

static int external_dir_has_objects(const ps_store_t *ps)
{
    DIR *d = storage_dir_scan(ps->external_fd);
    if (d == NULL) {
        return 0;
    }
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d)) != NULL) {
        int32_t owner;
        uint64_t uid, version;
        found = parse_object_name(e->d_name, &owner, &uid, &version);
    }
    closedir(d);
    return found;
}

/* Loads the HUK, creating it (and an empty table) on first start. */
static psa_status_t init_keys(ps_store_t *ps)
{
    uint8_t *buf;
    size_t len;
    psa_status_t status = storage_read_file(&ps->io, ps->trusted_fd, PS_HUK_NAME, PS_HUK_SIZE,
                                            &buf, &len);
    int fresh = 0;
    if (status == PSA_ERROR_DOES_NOT_EXIST) {
        if (RAND_priv_bytes(ps->huk, PS_HUK_SIZE) != 1) {
            return PSA_ERROR_INSUFFICIENT_ENTROPY;
        }
        status = storage_write_file_atomic(&ps->io, ps->trusted_fd, PS_HUK_NAME, ps->huk,
                                           PS_HUK_SIZE, NULL);
        fresh = 1;
    } else if (status == PSA_SUCCESS) {
        if (len == PS_HUK_SIZE) {
            memcpy(ps->huk, buf, PS_HUK_SIZE);
        } else {
            status = PSA_ERROR_DATA_CORRUPT;
        }
        OPENSSL_cleanse(buf, len);
        free(buf);
    }
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = hkdf(ps->kdf, ps->huk, (const uint8_t *)"table", 5, ps->table_key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    struct stat st;
    /* A table is (re)created only where no object can be lost: a fresh HUK makes every old
     * object undecryptable anyway, and an empty external directory holds nothing. */
    int missing = fstatat(ps->trusted_fd, PS_TABLE_NAME, &st, AT_SYMLINK_NOFOLLOW) != 0 &&
                  errno == ENOENT;
    if (fresh || (missing && !external_dir_has_objects(ps))) {
        ps_table_t empty = {0};
        int live;
        status = write_table_file(ps, &empty, PS_TABLE_MIN_REGION, &live);
    }
    return status;
}

psa_status_t ps_store_open(const ps_store_config_t *config, ps_store_t **out)
{
    if (config == NULL || config->trusted_dir == NULL || config->external_dir == NULL ||
        out == NULL) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    *out = NULL;
    ps_store_t *ps = calloc(1, sizeof(*ps));
    if (ps == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    pthread_mutex_init(&ps->lock, NULL);
    ps->lock_fd = -1;
    ps->trusted_fd = -1;
    ps->external_fd = -1;
    ps->max_object_size = config->max_object_size ? config->max_object_size
                                                  : PS_DEFAULT_MAX_OBJECT_SIZE;
    if (ps->max_object_size > PS_HARD_MAX_OBJECT) {
        ps->max_object_size = PS_HARD_MAX_OBJECT;
    }
    ps->owner_capacity = config->owner_capacity ? config->owner_capacity
                                                : PS_DEFAULT_OWNER_CAPACITY;
    ps->io = config->io ? *config->io : *storage_io_posix();
    psa_status_t status = storage_dir_open(config->trusted_dir, &ps->trusted_fd);
    if (status == PSA_SUCCESS) {
        status = storage_dir_open(config->external_dir, &ps->external_fd);
    }
    if (status != PSA_SUCCESS) {
        ps_store_close(ps);
        return status;
    }
    ps->kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (ps->kdf == NULL) {
        ps_store_close(ps);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    ps->lock_fd = open_lock_file(ps->trusted_fd);
    ps->pid = getpid();
    if (ps->lock_fd < 0) {
        ps_store_close(ps);
        return PSA_ERROR_STORAGE_FAILURE;
    }
    status = store_lock(ps);
    if (status != PSA_SUCCESS) {
        ps_store_close(ps);
        return status;
    }
    status = remove_trusted_temps(ps);
    if (status == PSA_SUCCESS) {
        status = init_keys(ps);
    }
    if (status == PSA_SUCCESS) {
        loaded_table_t lt;
        if (load_table(ps, &lt) == PSA_SUCCESS) {
            status = remove_leftovers(ps, &lt.table);
            ps_table_free(&lt.table);
        }
    }
    store_unlock(ps);
    if (status != PSA_SUCCESS) {
        ps_store_close(ps);
        return status;
    }
    *out = ps;
    return PSA_SUCCESS;
}

void ps_store_close(ps_store_t *ps)
{
    if (ps == NULL) {
        return;
    }
    if (ps->lock_fd >= 0) {
        close(ps->lock_fd);
    }
    if (ps->trusted_fd >= 0) {
        close(ps->trusted_fd);
    }
    if (ps->external_fd >= 0) {
        close(ps->external_fd);
    }
    OPENSSL_cleanse(ps->huk, sizeof(ps->huk));
    OPENSSL_cleanse(ps->table_key, sizeof(ps->table_key));
    EVP_KDF_free(ps->kdf);
    pthread_mutex_destroy(&ps->lock);
    free(ps);
}

/* ---- the API calls ---- */

psa_status_t ps_store_set(ps_store_t *ps, int32_t owner, psa_storage_uid_t uid, size_t length,
                          const void *data, psa_storage_create_flags_t flags)
{
    if (ps == NULL || uid == 0 || (data == NULL && length > 0) ||
        !storage_range_fits_u32(0, length)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if ((flags & ~PS_KNOWN_FLAGS) != 0) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    loaded_table_t lt;
    psa_status_t status = store_lock(ps);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = load_table(ps, &lt);
    if (status == PSA_SUCCESS) {
        long i = ps_table_find(&lt.table, owner, uid);
        ps_table_entry_t prev;
        if (i >= 0) {
            prev = lt.table.entries[i];
        }
        if (i >= 0 && (prev.flags & PSA_STORAGE_FLAG_WRITE_ONCE)) {
            status = PSA_ERROR_NOT_PERMITTED;
        } else {
            status = check_limits(ps, &lt.table, owner, uid, length);
        }
        if (status == PSA_SUCCESS) {
            ps_table_entry_t e = {
                .owner = owner, .uid = uid, .flags = flags, .size = (uint32_t)length,
                .capacity = (uint32_t)length,
            };
            status = store_version(ps, &lt, &e, i >= 0 ? &prev : NULL, data);
        }
        ps_table_free(&lt.table);
    }
    store_unlock(ps);
    return status;
}

psa_status_t ps_store_create(ps_store_t *ps, int32_t owner, psa_storage_uid_t uid,
                             size_t capacity, psa_storage_create_flags_t flags)
{
    if (ps == NULL || uid == 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if ((flags & ~PS_KNOWN_FLAGS) != 0 || (flags & PSA_STORAGE_FLAG_WRITE_ONCE) != 0) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    loaded_table_t lt;
    psa_status_t status = store_lock(ps);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = load_table(ps, &lt);
    if (status == PSA_SUCCESS) {
        if (ps_table_find(&lt.table, owner, uid) >= 0) {
            status = PSA_ERROR_ALREADY_EXISTS;
        } else {
            status = check_limits(ps, &lt.table, owner, uid, capacity);
        }
        if (status == PSA_SUCCESS) {
            ps_table_entry_t e = {
                .owner = owner, .uid = uid, .flags = flags, .size = 0,
                .capacity = (uint32_t)capacity,
            };
            status = store_version(ps, &lt, &e, NULL, NULL);
        }
        ps_table_free(&lt.table);
    }
    store_unlock(ps);
    return status;
}

psa_status_t ps_store_set_extended(ps_store_t *ps, int32_t owner, psa_storage_uid_t uid,
                                   size_t offset, size_t length, const void *data)
{
    if (ps == NULL || uid == 0 || (data == NULL && length > 0) ||
        !storage_range_fits_u32(offset, length)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    loaded_table_t lt;
    psa_status_t status = store_lock(ps);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = load_table(ps, &lt);
    if (status != PSA_SUCCESS) {
        store_unlock(ps);
        return status;
    }
    long i = ps_table_find(&lt.table, owner, uid);
    ps_table_entry_t prev;
    uint8_t *old = NULL, *buf = NULL;
    if (i < 0) {
        status = PSA_ERROR_DOES_NOT_EXIST;
    } else {
        prev = lt.table.entries[i];
        if (prev.flags & PSA_STORAGE_FLAG_WRITE_ONCE) {
            status = PSA_ERROR_NOT_PERMITTED;
        } else if (offset > prev.size || length > prev.capacity - offset) {
            status = PSA_ERROR_INVALID_ARGUMENT;
        }
    }
    if (status == PSA_SUCCESS) {
        status = read_object(ps, &prev, &old);
    }
    if (status == PSA_SUCCESS) {
        size_t end = offset + length;
        size_t size = end > prev.size ? end : prev.size;
        buf = malloc(size ? size : 1);
        if (buf == NULL) {
            status = PSA_ERROR_INSUFFICIENT_MEMORY;
        } else {
            if (prev.size > 0) {
                memcpy(buf, old, prev.size);
            }
            if (length > 0) {
                memcpy(buf + offset, data, length);
            }
            ps_table_entry_t e = prev;
            e.size = (uint32_t)size;
            status = store_version(ps, &lt, &e, &prev, buf);
            OPENSSL_cleanse(buf, size);
        }
    }
    if (old != NULL) {
        OPENSSL_cleanse(old, prev.size);
    }
    free(old);
    free(buf);
    ps_table_free(&lt.table);
    store_unlock(ps);
    return status;
}

psa_status_t ps_store_get(ps_store_t *ps, int32_t owner, psa_storage_uid_t uid, size_t offset,
                          size_t length, void *data, size_t *data_length)
{
    if (ps == NULL || uid == 0 || data_length == NULL || (data == NULL && length > 0) ||
        !storage_range_fits_u32(offset, length)) {
        if (data_length != NULL) {
            *data_length = 0;
        }
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    *data_length = 0;
    loaded_table_t lt;
    ps_table_entry_t e;
    uint8_t *plain = NULL;
    psa_status_t status = store_lock(ps);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = load_table(ps, &lt);
    if (status == PSA_SUCCESS) {
        long i = ps_table_find(&lt.table, owner, uid);
        if (i < 0) {
            status = PSA_ERROR_DOES_NOT_EXIST;
        } else {
            e = lt.table.entries[i];
            status = read_object(ps, &e, &plain);
        }
        ps_table_free(&lt.table);
    }
    store_unlock(ps);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (offset > e.size) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else {
        size_t n = e.size - offset;
        if (n > length) {
            n = length;
        }
        if (n > 0) {
            memcpy(data, plain + offset, n);
        }
        *data_length = n;
    }
    OPENSSL_cleanse(plain, e.size);
    free(plain);
    return status;
}

psa_status_t ps_store_get_info(ps_store_t *ps, int32_t owner, psa_storage_uid_t uid,
                               struct psa_storage_info_t *info)
{
    if (ps == NULL || uid == 0 || info == NULL) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    loaded_table_t lt;
    psa_status_t status = store_lock(ps);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = load_table(ps, &lt);
    if (status == PSA_SUCCESS) {
        long i = ps_table_find(&lt.table, owner, uid);
        if (i < 0) {
            status = PSA_ERROR_DOES_NOT_EXIST;
        } else {
            info->capacity = lt.table.entries[i].capacity;
            info->size = lt.table.entries[i].size;
            info->flags = lt.table.entries[i].flags;
        }
        ps_table_free(&lt.table);
    }
    store_unlock(ps);
    return status;
}

psa_status_t ps_store_remove(ps_store_t *ps, int32_t owner, psa_storage_uid_t uid)
{
    if (ps == NULL || uid == 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    loaded_table_t lt;
    psa_status_t status = store_lock(ps);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = load_table(ps, &lt);
    if (status == PSA_SUCCESS) {
        long i = ps_table_find(&lt.table, owner, uid);
        if (i < 0) {
            status = PSA_ERROR_DOES_NOT_EXIST;
        } else if (lt.table.entries[i].flags & PSA_STORAGE_FLAG_WRITE_ONCE) {
            status = PSA_ERROR_NOT_PERMITTED;
        } else {
            ps_table_entry_t prev = lt.table.entries[i];
            ps_table_t next;
            status = ps_table_copy(&lt.table, &next);
            if (status == PSA_SUCCESS) {
                next.generation++;
                ps_table_delete(&next, (size_t)i);
                int live;
                status = commit_table(ps, &lt, &next, &live);
                ps_table_free(&next);
            }
            /* On failure the file stays even if the new table is live: the old table may be
             * what a restart finds, and it names this file. */
            if (status == PSA_SUCCESS) {
                unlink_object(ps, prev.owner, prev.uid, prev.version);
            }
        }
        ps_table_free(&lt.table);
    }
    store_unlock(ps);
    return status;
}

uint32_t ps_store_get_support(const ps_store_t *ps)
{
    (void)ps;
    return PSA_STORAGE_SUPPORT_SET_EXTENDED;
}
