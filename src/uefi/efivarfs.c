/* psa-efivarfs: a FUSE file system with efivarfs semantics over the UEFI variable service. */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 35
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "uefi/var_gateway.h"

/*
 * The kernel's efivarfs, as Debian's efivar and efibootmgr use it:
 *   - one regular file per variable, named Name-GUID, mode 0644; its bytes are the attributes
 *     (u32 LE) followed by the data, and st_size is 4 + the data size;
 *   - each write() is one SetVariable: the first 4 bytes are the attributes (APPEND_WRITE in
 *     them appends), the rest is the data; a write of the attributes alone deletes;
 *   - unlink deletes the variable; creating a file makes no variable until it is written;
 *   - files are immutable (FS_IMMUTABLE_FL, which only the owner or root may clear with
 *     FS_IOC_SETFLAGS, i.e. chattr -i) unless the variable is on the kernel's list of ones
 *     known to be safe to remove; while immutable a file cannot be opened for writing,
 *     truncated or removed (a descriptor that created the file may still write it).
 * EFI statuses become the errno values the kernel gives (efi_status_to_err).
 */

typedef struct flag_entry {
    char *file;
    bool immutable;
} flag_entry_t;

typedef struct efivarfs {
    pthread_mutex_t lock; /* the client buffer and the tables below */
    var_gateway_t gateway;
    flag_entry_t *flags; /* immutable flags changed since mount */
    size_t flag_count;
    char **pending; /* files created but not yet written */
    size_t pending_count;
    struct timespec mounted;
} efivarfs_t;

static efivarfs_t fs;

typedef struct open_file {
    size_t size;
    uint8_t bytes[]; /* attributes + data, read at open */
} open_file_t;

static int errno_from_efi(efi_status_t st)
{
    switch (st) {
    case EFI_SUCCESS:
        return 0;
    case EFI_OUT_OF_RESOURCES:
        return -ENOSPC;
    case EFI_DEVICE_ERROR:
        return -EIO;
    case EFI_WRITE_PROTECTED:
        return -EROFS;
    case EFI_SECURITY_VIOLATION:
        return -EACCES;
    case EFI_NOT_FOUND:
        return -ENOENT;
    default:
        return -EINVAL;
    }
}

/* "/Name-GUID" -> name (UTF-16LE) and GUID; false when the path is not a variable file. */
static bool parse_path(const char *path, efi_guid_t *guid, uint8_t *name, size_t cap,
                       size_t *name_size)
{
    char buf[1100];
    if (path[0] != '/' || strchr(path + 1, '/') != NULL) {
        return false;
    }
    size_t len = strlen(path + 1);
    if (len < 38 || len >= sizeof(buf) || path[1 + len - 37] != '-') {
        return false;
    }
    memcpy(buf, path + 1, len + 1);
    if (!var_guid_parse(buf + len - 36, guid)) {
        return false;
    }
    buf[len - 37] = '\0';
    return var_name_from_utf8(buf, name, cap, name_size);
}

/* The kernel's list of variables known to be safe to remove (drivers/firmware/efi/vars.c). */
static bool removable(const char *file)
{
    static const char *const global[] = {
        "BootNext",  "BootOrder", "Boot*",         "DriverOrder",  "Driver*",
        "ConIn",     "ConInDev",  "ConOut",        "ConOutDev",    "ErrOut",
        "ErrOutDev", "Lang",      "OsIndications", "PlatformLang", "Timeout"};
    size_t len = strlen(file);
    if (len < 38) {
        return false;
    }
    const char *guid = file + len - 36;
    size_t name_len = len - 37;
    if (strcmp(guid, "cfc8fc79-be2e-4ddc-97f0-9f98bfe298a0") == 0) {
        return true; /* LINUX_EFI_CRASH_GUID, any name */
    }
    if (strcmp(guid, "8be4df61-93ca-11d2-aa0d-00e098032b8c") != 0) {
        return false;
    }
    for (size_t i = 0; i < sizeof(global) / sizeof(global[0]); i++) {
        size_t n = strlen(global[i]);
        if (global[i][n - 1] == '*' ? name_len >= n - 1 && memcmp(file, global[i], n - 1) == 0
                                    : name_len == n && memcmp(file, global[i], n) == 0) {
            return true;
        }
    }
    return false;
}

static flag_entry_t *find_flag(const char *file)
{
    for (size_t i = 0; i < fs.flag_count; i++) {
        if (strcmp(fs.flags[i].file, file) == 0) {
            return &fs.flags[i];
        }
    }
    return NULL;
}

static bool is_immutable(const char *file)
{
    flag_entry_t *f = find_flag(file);
    return f != NULL ? f->immutable : !removable(file);
}

static int set_immutable(const char *file, bool immutable)
{
    flag_entry_t *f = find_flag(file);
    if (f == NULL) {
        flag_entry_t *grown = realloc(fs.flags, (fs.flag_count + 1) * sizeof(*grown));
        if (grown == NULL) {
            return -ENOMEM;
        }
        fs.flags = grown;
        f = &fs.flags[fs.flag_count];
        f->file = strdup(file);
        if (f->file == NULL) {
            return -ENOMEM;
        }
        fs.flag_count++;
    }
    f->immutable = immutable;
    return 0;
}

/* Forgets a file's flag and pending state (after its variable is deleted). */
static void forget(const char *file)
{
    for (size_t i = 0; i < fs.flag_count; i++) {
        if (strcmp(fs.flags[i].file, file) == 0) {
            free(fs.flags[i].file);
            fs.flags[i] = fs.flags[--fs.flag_count];
            break;
        }
    }
    for (size_t i = 0; i < fs.pending_count; i++) {
        if (strcmp(fs.pending[i], file) == 0) {
            free(fs.pending[i]);
            fs.pending[i] = fs.pending[--fs.pending_count];
            break;
        }
    }
}

static bool is_pending(const char *file)
{
    for (size_t i = 0; i < fs.pending_count; i++) {
        if (strcmp(fs.pending[i], file) == 0) {
            return true;
        }
    }
    return false;
}

/* Size (and attributes) of a variable; EFI_NOT_FOUND when it does not exist. */
static efi_status_t variable_size(const efi_guid_t *guid, const uint8_t *name, size_t name_size,
                                  size_t *size, uint32_t *attributes)
{
    uint8_t none;
    *size = 0;
    efi_status_t st =
        var_client_get(&fs.gateway.client, guid, name, name_size, attributes, &none, size);
    return st == EFI_BUFFER_TOO_SMALL ? EFI_SUCCESS : st;
}

static void fill_file_stat(struct stat *st, size_t size)
{
    st->st_mode = S_IFREG | 0644;
    st->st_nlink = 1;
    st->st_size = (off_t)size;
    st->st_uid = getuid();
    st->st_gid = getgid();
    st->st_mtim = st->st_ctim = st->st_atim = fs.mounted;
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof(*st));
    if (strcmp(path, "/") == 0) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        st->st_uid = getuid();
        st->st_gid = getgid();
        st->st_mtim = st->st_ctim = st->st_atim = fs.mounted;
        return 0;
    }
    efi_guid_t guid;
    uint8_t name[2048];
    size_t name_size;
    if (!parse_path(path, &guid, name, sizeof(name), &name_size)) {
        return -ENOENT;
    }
    pthread_mutex_lock(&fs.lock);
    size_t size = 0;
    uint32_t attributes = 0;
    efi_status_t est = variable_size(&guid, name, name_size, &size, &attributes);
    int rc = 0;
    if (est == EFI_SUCCESS) {
        fill_file_stat(st, 4 + size);
    } else if (est == EFI_NOT_FOUND && is_pending(path + 1)) {
        fill_file_stat(st, 0);
    } else {
        rc = errno_from_efi(est);
    }
    pthread_mutex_unlock(&fs.lock);
    return rc;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t offset,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)offset;
    (void)fi;
    (void)flags;
    if (strcmp(path, "/") != 0) {
        return -ENOTDIR;
    }
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    pthread_mutex_lock(&fs.lock);
    uint8_t name[2048] = {0};
    efi_guid_t guid = {{0}};
    int rc = 0;
    for (;;) {
        size_t ns = sizeof(name);
        efi_status_t st = var_client_next(&fs.gateway.client, &guid, name, &ns);
        if (st == EFI_NOT_FOUND) {
            break;
        }
        if (st != EFI_SUCCESS) {
            rc = errno_from_efi(st);
            break;
        }
        char file[3 * 1024 + 40], g[37];
        if (!var_name_to_utf8(name, ns, file, sizeof(file) - 38)) {
            continue; /* a name UTF-8 cannot carry has no file name */
        }
        var_guid_format(&guid, g);
        strcat(file, "-");
        strcat(file, g);
        if (fill(buf, file, NULL, 0, 0) != 0) {
            break;
        }
    }
    for (size_t i = 0; rc == 0 && i < fs.pending_count; i++) {
        fill(buf, fs.pending[i], NULL, 0, 0);
    }
    pthread_mutex_unlock(&fs.lock);
    return rc;
}

static int load_open_file(const efi_guid_t *guid, const uint8_t *name, size_t name_size,
                          const char *file, open_file_t **out)
{
    size_t size = 0;
    uint32_t attributes = 0;
    efi_status_t st = variable_size(guid, name, name_size, &size, &attributes);
    if (st == EFI_NOT_FOUND && is_pending(file)) {
        *out = calloc(1, sizeof(open_file_t));
        return *out != NULL ? 0 : -ENOMEM;
    }
    if (st != EFI_SUCCESS) {
        return errno_from_efi(st);
    }
    open_file_t *f = malloc(sizeof(*f) + 4 + size);
    if (f == NULL) {
        return -ENOMEM;
    }
    size_t got = size;
    st = var_client_get(&fs.gateway.client, guid, name, name_size, &attributes, f->bytes + 4, &got);
    if (st != EFI_SUCCESS) {
        free(f);
        return errno_from_efi(st);
    }
    f->bytes[0] = (uint8_t)attributes;
    f->bytes[1] = (uint8_t)(attributes >> 8);
    f->bytes[2] = (uint8_t)(attributes >> 16);
    f->bytes[3] = (uint8_t)(attributes >> 24);
    f->size = 4 + got;
    *out = f;
    return 0;
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
    efi_guid_t guid;
    uint8_t name[2048];
    size_t name_size;
    if (!parse_path(path, &guid, name, sizeof(name), &name_size)) {
        return -ENOENT;
    }
    pthread_mutex_lock(&fs.lock);
    int rc = 0;
    if ((fi->flags & O_ACCMODE) != O_RDONLY && is_immutable(path + 1)) {
        rc = -EPERM;
    }
    open_file_t *f = NULL;
    if (rc == 0) {
        rc = load_open_file(&guid, name, name_size, path + 1, &f);
    }
    pthread_mutex_unlock(&fs.lock);
    if (rc == 0) {
        fi->fh = (uint64_t)(uintptr_t)f;
        fi->direct_io = 1; /* every read and write reaches us: the variable is the truth */
    }
    return rc;
}

static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    (void)mode;
    efi_guid_t guid;
    uint8_t name[2048];
    size_t name_size;
    if (!parse_path(path, &guid, name, sizeof(name), &name_size)) {
        return -EINVAL;
    }
    pthread_mutex_lock(&fs.lock);
    int rc = 0;
    size_t size;
    uint32_t attributes;
    if (variable_size(&guid, name, name_size, &size, &attributes) == EFI_NOT_FOUND &&
        !is_pending(path + 1)) {
        char **grown = realloc(fs.pending, (fs.pending_count + 1) * sizeof(*grown));
        if (grown == NULL || (grown[fs.pending_count] = strdup(path + 1)) == NULL) {
            fs.pending = grown != NULL ? grown : fs.pending;
            rc = -ENOMEM;
        } else {
            fs.pending = grown;
            fs.pending_count++;
        }
    }
    open_file_t *f = NULL;
    if (rc == 0) {
        rc = load_open_file(&guid, name, name_size, path + 1, &f);
    }
    pthread_mutex_unlock(&fs.lock);
    if (rc == 0) {
        fi->fh = (uint64_t)(uintptr_t)f;
        fi->direct_io = 1;
    }
    return rc;
}

static int op_read(const char *path, char *buf, size_t size, off_t offset,
                   struct fuse_file_info *fi)
{
    (void)path;
    open_file_t *f = (open_file_t *)(uintptr_t)fi->fh;
    if (offset < 0 || (size_t)offset >= f->size) {
        return 0;
    }
    size_t n = f->size - (size_t)offset < size ? f->size - (size_t)offset : size;
    memcpy(buf, f->bytes + offset, n);
    return (int)n;
}

static int op_write(const char *path, const char *buf, size_t size, off_t offset,
                    struct fuse_file_info *fi)
{
    (void)offset; /* as efivarfs: every write is a whole SetVariable */
    (void)fi;
    efi_guid_t guid;
    uint8_t name[2048];
    size_t name_size;
    if (!parse_path(path, &guid, name, sizeof(name), &name_size)) {
        return -EINVAL;
    }
    if (size < 4) {
        return -EINVAL;
    }
    uint32_t attributes = (uint32_t)(uint8_t)buf[0] | (uint32_t)(uint8_t)buf[1] << 8 |
                          (uint32_t)(uint8_t)buf[2] << 16 | (uint32_t)(uint8_t)buf[3] << 24;
    /* No immutable check here: as in the VFS, it gates opening for write (the descriptor
     * that created the file may write it). */
    pthread_mutex_lock(&fs.lock);
    int rc = 0;
    {
        efi_status_t st = var_client_set(&fs.gateway.client, &guid, name, name_size, attributes,
                                         (const uint8_t *)buf + 4, size - 4);
        rc = errno_from_efi(st);
        if (rc == 0) {
            size_t left;
            uint32_t a;
            if (variable_size(&guid, name, name_size, &left, &a) == EFI_SUCCESS) {
                for (size_t i = 0; i < fs.pending_count; i++) {
                    if (strcmp(fs.pending[i], path + 1) == 0) {
                        free(fs.pending[i]);
                        fs.pending[i] = fs.pending[--fs.pending_count];
                        break;
                    }
                }
            } else {
                forget(path + 1);
            }
        }
    }
    pthread_mutex_unlock(&fs.lock);
    return rc == 0 ? (int)size : rc;
}

static int op_release(const char *path, struct fuse_file_info *fi)
{
    free((open_file_t *)(uintptr_t)fi->fh);
    pthread_mutex_lock(&fs.lock);
    /* A created file that was never written disappears, as in efivarfs. */
    efi_guid_t guid;
    uint8_t name[2048];
    size_t name_size, size;
    uint32_t attributes;
    if (is_pending(path + 1) && parse_path(path, &guid, name, sizeof(name), &name_size) &&
        variable_size(&guid, name, name_size, &size, &attributes) == EFI_NOT_FOUND) {
        forget(path + 1);
    }
    pthread_mutex_unlock(&fs.lock);
    return 0;
}

static int op_unlink(const char *path)
{
    efi_guid_t guid;
    uint8_t name[2048];
    size_t name_size;
    if (!parse_path(path, &guid, name, sizeof(name), &name_size)) {
        return -ENOENT;
    }
    pthread_mutex_lock(&fs.lock);
    int rc;
    if (is_immutable(path + 1)) {
        rc = -EPERM;
    } else if (is_pending(path + 1)) {
        forget(path + 1);
        rc = 0;
    } else {
        rc = errno_from_efi(var_client_set(&fs.gateway.client, &guid, name, name_size, 0, NULL, 0));
        if (rc == 0) {
            forget(path + 1);
        }
    }
    pthread_mutex_unlock(&fs.lock);
    return rc;
}

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    (void)fi;
    (void)size;
    pthread_mutex_lock(&fs.lock);
    int rc = is_immutable(path + 1) ? -EPERM : 0; /* the next write replaces the whole value */
    pthread_mutex_unlock(&fs.lock);
    return rc;
}

static int op_ioctl(const char *path, unsigned int cmd, void *arg, struct fuse_file_info *fi,
                    unsigned int flags, void *data)
{
    (void)arg;
    (void)fi;
    if (flags & FUSE_IOCTL_COMPAT) {
        return -ENOSYS;
    }
    /* The kernel reaches the flags through both interfaces: chattr's FS_IOC_SETFLAGS is done
     * by reading the old attributes with FS_IOC_FSGETXATTR first. */
    bool get = cmd == FS_IOC_GETFLAGS || cmd == FS_IOC_FSGETXATTR;
    bool xattr = cmd == FS_IOC_FSGETXATTR || cmd == FS_IOC_FSSETXATTR;
    if (!get && cmd != FS_IOC_SETFLAGS && cmd != FS_IOC_FSSETXATTR) {
        return -ENOTTY;
    }
    pthread_mutex_lock(&fs.lock);
    int rc = 0;
    if (get) {
        bool immutable = is_immutable(path + 1);
        if (xattr) {
            struct fsxattr fa;
            memset(&fa, 0, sizeof(fa));
            fa.fsx_xflags = immutable ? FS_XFLAG_IMMUTABLE : 0;
            memcpy(data, &fa, sizeof(fa));
        } else {
            int v = immutable ? FS_IMMUTABLE_FL : 0;
            memcpy(data, &v, sizeof(v));
        }
    } else {
        bool immutable, other;
        if (xattr) {
            struct fsxattr fa;
            memcpy(&fa, data, sizeof(fa));
            immutable = (fa.fsx_xflags & FS_XFLAG_IMMUTABLE) != 0;
            other = (fa.fsx_xflags & ~(uint32_t)FS_XFLAG_IMMUTABLE) != 0 || fa.fsx_extsize != 0 ||
                    fa.fsx_projid != 0 || fa.fsx_cowextsize != 0;
        } else {
            int v;
            memcpy(&v, data, sizeof(v));
            immutable = (v & FS_IMMUTABLE_FL) != 0;
            other = (v & ~FS_IMMUTABLE_FL) != 0;
        }
        uid_t uid = fuse_get_context()->uid;
        if (other) {
            rc = -EOPNOTSUPP; /* efivarfs has only the immutable flag */
        } else if (uid != 0 && uid != getuid()) {
            rc = -EPERM; /* CAP_LINUX_IMMUTABLE: root or the owner of the mount */
        } else {
            rc = set_immutable(path + 1, immutable);
        }
    }
    pthread_mutex_unlock(&fs.lock);
    return rc;
}

static int op_statfs(const char *path, struct statvfs *st)
{
    (void)path;
    memset(st, 0, sizeof(*st));
    pthread_mutex_lock(&fs.lock);
    smm_query_t q;
    efi_status_t est = var_client_query(
        &fs.gateway.client,
        EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS,
        &q);
    pthread_mutex_unlock(&fs.lock);
    if (est != EFI_SUCCESS) {
        return errno_from_efi(est);
    }
    st->f_bsize = st->f_frsize = 1;
    st->f_blocks = q.maximum_storage_size;
    st->f_bfree = st->f_bavail = q.remaining_storage_size;
    st->f_namemax = 1024;
    return 0;
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)conn;
    cfg->direct_io = 1;
    cfg->entry_timeout = 0;
    cfg->attr_timeout = 0;
    cfg->negative_timeout = 0;
    return NULL;
}

static const struct fuse_operations ops = {
    .getattr = op_getattr,
    .readdir = op_readdir,
    .open = op_open,
    .create = op_create,
    .read = op_read,
    .write = op_write,
    .release = op_release,
    .unlink = op_unlink,
    .truncate = op_truncate,
    .ioctl = op_ioctl,
    .statfs = op_statfs,
    .init = op_init,
};

int main(int argc, char **argv)
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct fuse_cmdline_opts opts;
    char *socket_path = NULL;
    static const struct fuse_opt own_opts[] = {{"--socket=%s", 0, 0}, FUSE_OPT_END};
    if (fuse_opt_parse(&args, &socket_path, own_opts, NULL) != 0 ||
        fuse_parse_cmdline(&args, &opts) != 0) {
        return 2;
    }
    if (opts.show_help || opts.mountpoint == NULL) {
        printf("usage: %s MOUNTPOINT [-f] [-d] [-o OPTIONS] [--socket=PATH]\n"
               "Mounts the UEFI variables of smm-gateway with efivarfs semantics (unmount with\n"
               "fusermount3 -u). The gateway's socket: --socket, else $SMM_GATEWAY_SOCKET, else\n"
               "smm-gateway.sock in the TS runtime directory.\n",
               argv[0]);
        fuse_lib_help(&args);
        free(socket_path);
        free(opts.mountpoint);
        fuse_opt_free_args(&args);
        return opts.show_help ? 0 : 2;
    }
    if (opts.show_version) {
        printf("psa-efivarfs, FUSE library %s\n", fuse_pkgversion());
        free(socket_path);
        return 0;
    }
    /* The kernel checks permissions against the 0644 modes, as on efivarfs. */
    fuse_opt_add_arg(&args, "-odefault_permissions");
    fuse_opt_add_arg(&args, "-ofsname=psa-efivarfs");
    pthread_mutex_init(&fs.lock, NULL);
    clock_gettime(CLOCK_REALTIME, &fs.mounted);
    psa_status_t ps = var_gateway_open(&fs.gateway, socket_path);
    free(socket_path);
    if (ps != PSA_SUCCESS) {
        fprintf(stderr, "psa-efivarfs: cannot reach smm-gateway at %s: %s\n", fs.gateway.path,
                var_gateway_status_text(ps));
        free(opts.mountpoint);
        fuse_opt_free_args(&args);
        return 1;
    }
    int rc = 1;
    struct fuse *fuse = fuse_new(&args, &ops, sizeof(ops), NULL);
    if (fuse != NULL) {
        if (fuse_mount(fuse, opts.mountpoint) == 0) {
            if (fuse_daemonize(opts.foreground) == 0 &&
                fuse_set_signal_handlers(fuse_get_session(fuse)) == 0) {
                struct fuse_loop_config *loop = fuse_loop_cfg_create();
                rc = opts.singlethread ? fuse_loop(fuse) : fuse_loop_mt(fuse, loop);
                fuse_loop_cfg_destroy(loop);
                fuse_remove_signal_handlers(fuse_get_session(fuse));
            }
            fuse_unmount(fuse);
        }
        fuse_destroy(fuse);
    }
    var_gateway_close(&fs.gateway);
    for (size_t i = 0; i < fs.flag_count; i++) {
        free(fs.flags[i].file);
    }
    free(fs.flags);
    for (size_t i = 0; i < fs.pending_count; i++) {
        free(fs.pending[i]);
    }
    free(fs.pending);
    free(opts.mountpoint);
    fuse_opt_free_args(&args);
    return rc == 0 ? 0 : 1;
}
