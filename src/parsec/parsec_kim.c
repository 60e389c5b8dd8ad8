/* The key-name store in SQLite: two-phase create/destroy, recovery, listings. */
#define _GNU_SOURCE
#include "parsec/parsec_kim.h"

#include "parsec/parsec_psa.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KIM_SCHEMA_VERSION 1

enum kim_state { KIM_READY = 0, KIM_CREATING = 1, KIM_DESTROYING = 2 };

struct parsec_kim {
    pthread_mutex_t lock; /* one connection; each call is one or two whole transactions */
    sqlite3 *db;
    int64_t run_id;
};

static const char kim_schema[] =
    "CREATE TABLE IF NOT EXISTS parsecd_meta("
    "  name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS parsecd_keys("
    "  authenticator INTEGER NOT NULL, application TEXT NOT NULL, name TEXT NOT NULL,"
    "  key_id INTEGER NOT NULL UNIQUE, state INTEGER NOT NULL, run_id INTEGER NOT NULL,"
    "  key_type INTEGER NOT NULL, key_bits INTEGER NOT NULL, key_usage INTEGER NOT NULL,"
    "  key_alg INTEGER NOT NULL,"
    "  PRIMARY KEY(authenticator, application, name));"
    "INSERT OR IGNORE INTO parsecd_meta VALUES('schema_version', 1);"
    "INSERT OR IGNORE INTO parsecd_meta VALUES('next_key_id', 1);"
    "INSERT OR IGNORE INTO parsecd_meta VALUES('run_id', 0);";

static parsec_status_t kim_exec(parsec_kim_t *kim, const char *sql)
{
    return sqlite3_exec(kim->db, sql, NULL, NULL, NULL) == SQLITE_OK
               ? PARSEC_SUCCESS
               : PARSEC_KEY_INFO_MANAGER_ERROR;
}

static parsec_status_t kim_prepare(parsec_kim_t *kim, const char *sql, sqlite3_stmt **st)
{
    return sqlite3_prepare_v2(kim->db, sql, -1, st, NULL) == SQLITE_OK
               ? PARSEC_SUCCESS
               : PARSEC_KEY_INFO_MANAGER_ERROR;
}

/* Runs a statement that returns no rows; true when it completed. */
static bool kim_step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE;
}

static parsec_status_t kim_meta(parsec_kim_t *kim, const char *name, int64_t *value)
{
    sqlite3_stmt *st = NULL;
    if (kim_prepare(kim, "SELECT value FROM parsecd_meta WHERE name = ?", &st) != PARSEC_SUCCESS) {
        return PARSEC_KEY_INFO_MANAGER_ERROR;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    parsec_status_t s = PARSEC_KEY_INFO_MANAGER_ERROR;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *value = sqlite3_column_int64(st, 0);
        s = PARSEC_SUCCESS;
    }
    sqlite3_finalize(st);
    return s;
}

static parsec_status_t kim_set_meta(parsec_kim_t *kim, const char *name, int64_t value)
{
    sqlite3_stmt *st = NULL;
    if (kim_prepare(kim, "UPDATE parsecd_meta SET value = ? WHERE name = ?", &st) !=
        PARSEC_SUCCESS) {
        return PARSEC_KEY_INFO_MANAGER_ERROR;
    }
    sqlite3_bind_int64(st, 1, value);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    return kim_step_done(st) ? PARSEC_SUCCESS : PARSEC_KEY_INFO_MANAGER_ERROR;
}

static parsec_status_t kim_make_parent(const char *path)
{
    char dir[PATH_MAX];
    if (strlen(path) >= sizeof(dir)) {
        return PARSEC_KEY_INFO_MANAGER_ERROR;
    }
    strcpy(dir, path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir) {
        return PARSEC_SUCCESS;
    }
    *slash = '\0';
    /* Each missing level is created 0700: the mappings are readable by parsecd alone. */
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                return PARSEC_KEY_INFO_MANAGER_ERROR;
            }
            *p = '/';
        }
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        return PARSEC_KEY_INFO_MANAGER_ERROR;
    }
    return PARSEC_SUCCESS;
}

parsec_status_t parsec_kim_open(const char *path, parsec_kim_t **out)
{
    *out = NULL;
    if (kim_make_parent(path) != PARSEC_SUCCESS) {
        return PARSEC_KEY_INFO_MANAGER_ERROR;
    }
    /* Create the file 0600 ourselves: SQLite would use the umask. */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return PARSEC_KEY_INFO_MANAGER_ERROR;
    }
    close(fd);
    parsec_kim_t *kim = calloc(1, sizeof(*kim));
    if (kim == NULL) {
        return PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    pthread_mutex_init(&kim->lock, NULL);
    int64_t version = 0, run = 0;
    if (sqlite3_open_v2(path, &kim->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_busy_timeout(kim->db, 5000) != SQLITE_OK ||
        /* WAL + FULL: a commit is on disk before it returns, and readers never see half. */
        kim_exec(kim, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;") != PARSEC_SUCCESS ||
        kim_exec(kim, "BEGIN IMMEDIATE") != PARSEC_SUCCESS) {
        parsec_kim_close(kim);
        return PARSEC_KEY_INFO_MANAGER_ERROR;
    }
    if (kim_exec(kim, kim_schema) != PARSEC_SUCCESS ||
        kim_meta(kim, "schema_version", &version) != PARSEC_SUCCESS ||
        version != KIM_SCHEMA_VERSION || kim_meta(kim, "run_id", &run) != PARSEC_SUCCESS ||
        kim_set_meta(kim, "run_id", run + 1) != PARSEC_SUCCESS ||
        kim_exec(kim, "COMMIT") != PARSEC_SUCCESS) {
        parsec_kim_close(kim);
        return PARSEC_KEY_INFO_MANAGER_ERROR;
    }
    kim->run_id = run + 1;
    *out = kim;
    return PARSEC_SUCCESS;
}

void parsec_kim_close(parsec_kim_t *kim)
{
    if (kim == NULL) {
        return;
    }
    sqlite3_close(kim->db);
    pthread_mutex_destroy(&kim->lock);
    free(kim);
}

static parsec_status_t kim_delete_row(parsec_kim_t *kim, psa_key_id_t id, int state)
{
    sqlite3_stmt *st = NULL;
    if (kim_prepare(kim, "DELETE FROM parsecd_keys WHERE key_id = ? AND state = ?", &st) !=
        PARSEC_SUCCESS) {
        return PARSEC_KEY_INFO_MANAGER_ERROR;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, state);
    return kim_step_done(st) ? PARSEC_SUCCESS : PARSEC_KEY_INFO_MANAGER_ERROR;
}

/* Rolls a pending row of an earlier run to its end: key gone, row gone. Lock held. */
static parsec_status_t kim_resolve(parsec_kim_t *kim, psa_key_id_t id, int state)
{
    psa_status_t ps = psa_destroy_key(id);
    if (ps != PSA_SUCCESS && ps != PSA_ERROR_INVALID_HANDLE && ps != PSA_ERROR_DOES_NOT_EXIST) {
        return parsec_status_from_psa(ps);
    }
    return kim_delete_row(kim, id, state);
}

parsec_status_t parsec_kim_recover(parsec_kim_t *kim, size_t *unresolved)
{
    sqlite3_stmt *st = NULL;
    psa_key_id_t *ids = NULL;
    int *states = NULL;
    size_t n = 0, cap = 0;
    int rc = SQLITE_ERROR;
    *unresolved = 0;
    pthread_mutex_lock(&kim->lock);
    parsec_status_t s = kim_prepare(
        kim, "SELECT key_id, state FROM parsecd_keys WHERE state != 0 AND run_id < ?", &st);
    if (s == PARSEC_SUCCESS) {
        sqlite3_bind_int64(st, 1, kim->run_id);
        /* Collect first: the rows are changed only once the statement is closed. */
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (n == cap) {
                size_t ncap = cap == 0 ? 16 : cap * 2;
                psa_key_id_t *ni = realloc(ids, ncap * sizeof(*ids));
                int *ns = ni != NULL ? realloc(states, ncap * sizeof(*states)) : NULL;
                if (ni != NULL) {
                    ids = ni;
                }
                if (ns == NULL) {
                    rc = SQLITE_NOMEM;
                    break;
                }
                states = ns;
                cap = ncap;
            }
            ids[n] = (psa_key_id_t)sqlite3_column_int64(st, 0);
            states[n] = sqlite3_column_int(st, 1);
            n++;
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            s = PARSEC_KEY_INFO_MANAGER_ERROR;
        }
    }
    for (size_t i = 0; s == PARSEC_SUCCESS && i < n; i++) {
        if (kim_resolve(kim, ids[i], states[i]) != PARSEC_SUCCESS) {
            (*unresolved)++;
        }
    }
    pthread_mutex_unlock(&kim->lock);
    free(ids);
    free(states);
    return s;
}

/* The row of a name in any state. Lock held. */
static parsec_status_t kim_find(parsec_kim_t *kim, uint8_t auth, const char *app, const char *name,
                                parsec_kim_key_t *key, int *state, int64_t *run)
{
    sqlite3_stmt *st = NULL;
    if (kim_prepare(kim,
                    "SELECT key_id, state, run_id, key_type, key_bits, key_usage, key_alg "
                    "FROM parsecd_keys WHERE authenticator = ? AND application = ? AND name = ?",
                    &st) != PARSEC_SUCCESS) {
        return PARSEC_KEY_INFO_MANAGER_ERROR;
    }
    sqlite3_bind_int(st, 1, auth);
    sqlite3_bind_text(st, 2, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    parsec_status_t s = PARSEC_KEY_INFO_MANAGER_ERROR;
    if (rc == SQLITE_ROW) {
        key->id = (psa_key_id_t)sqlite3_column_int64(st, 0);
        *state = sqlite3_column_int(st, 1);
        *run = sqlite3_column_int64(st, 2);
        key->type = (psa_key_type_t)sqlite3_column_int64(st, 3);
        key->bits = (size_t)sqlite3_column_int64(st, 4);
        key->usage = (psa_key_usage_t)sqlite3_column_int64(st, 5);
        key->alg = (psa_algorithm_t)sqlite3_column_int64(st, 6);
        s = PARSEC_SUCCESS;
    } else if (rc == SQLITE_DONE) {
        s = PARSEC_PSA_ERROR_DOES_NOT_EXIST;
    }
    sqlite3_finalize(st);
    return s;
}

parsec_status_t parsec_kim_lookup(parsec_kim_t *kim, uint8_t auth, const char *app,
                                  const char *name, parsec_kim_key_t *key)
{
    int state = 0;
    int64_t run = 0;
    pthread_mutex_lock(&kim->lock);
    parsec_status_t s = kim_find(kim, auth, app, name, key, &state, &run);
    pthread_mutex_unlock(&kim->lock);
    if (s == PARSEC_SUCCESS && state != KIM_READY) {
        s = PARSEC_PSA_ERROR_DOES_NOT_EXIST;
    }
    return s;
}

parsec_status_t parsec_kim_begin_create(parsec_kim_t *kim, uint8_t auth, const char *app,
                                        const char *name, const parsec_kim_key_t *requested,
                                        psa_key_id_t *id)
{
    parsec_kim_key_t old = {0};
    int state = 0;
    int64_t run = 0, next = 0;
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&kim->lock);
    parsec_status_t s = kim_find(kim, auth, app, name, &old, &state, &run);
    if (s == PARSEC_SUCCESS) {
        /* Taken, unless it is a pending row an earlier run left: finish that one first. */
        s = PARSEC_PSA_ERROR_ALREADY_EXISTS;
        if (state != KIM_READY && run < kim->run_id &&
            kim_resolve(kim, old.id, state) == PARSEC_SUCCESS) {
            s = PARSEC_PSA_ERROR_DOES_NOT_EXIST;
        }
    }
    if (s != PARSEC_PSA_ERROR_DOES_NOT_EXIST) {
        pthread_mutex_unlock(&kim->lock);
        return s;
    }
    s = kim_exec(kim, "BEGIN IMMEDIATE");
    if (s == PARSEC_SUCCESS) {
        s = kim_meta(kim, "next_key_id", &next);
    }
    if (s == PARSEC_SUCCESS && (next < PSA_KEY_ID_USER_MIN || next > PSA_KEY_ID_USER_MAX)) {
        s = PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (s == PARSEC_SUCCESS) {
        s = kim_set_meta(kim, "next_key_id", next + 1);
    }
    if (s == PARSEC_SUCCESS) {
        s = kim_prepare(kim, "INSERT INTO parsecd_keys VALUES(?, ?, ?, ?, 1, ?, ?, ?, ?, ?)", &st);
    }
    if (s == PARSEC_SUCCESS) {
        sqlite3_bind_int(st, 1, auth);
        sqlite3_bind_text(st, 2, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, next);
        sqlite3_bind_int64(st, 5, kim->run_id);
        sqlite3_bind_int64(st, 6, requested->type);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)requested->bits);
        sqlite3_bind_int64(st, 8, requested->usage);
        sqlite3_bind_int64(st, 9, requested->alg);
        s = kim_step_done(st) ? PARSEC_SUCCESS : PARSEC_KEY_INFO_MANAGER_ERROR;
    }
    if (s == PARSEC_SUCCESS) {
        s = kim_exec(kim, "COMMIT");
    }
    if (s != PARSEC_SUCCESS) {
        kim_exec(kim, "ROLLBACK");
    }
    pthread_mutex_unlock(&kim->lock);
    *id = (psa_key_id_t)next;
    return s;
}

parsec_status_t parsec_kim_commit_create(parsec_kim_t *kim, const parsec_kim_key_t *actual)
{
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&kim->lock);
    parsec_status_t s = kim_prepare(kim,
                                    "UPDATE parsecd_keys SET state = 0, key_type = ?, "
                                    "key_bits = ?, key_usage = ?, key_alg = ? "
                                    "WHERE key_id = ? AND state = 1",
                                    &st);
    if (s == PARSEC_SUCCESS) {
        sqlite3_bind_int64(st, 1, actual->type);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)actual->bits);
        sqlite3_bind_int64(st, 3, actual->usage);
        sqlite3_bind_int64(st, 4, actual->alg);
        sqlite3_bind_int64(st, 5, actual->id);
        s = kim_step_done(st) && sqlite3_changes(kim->db) == 1 ? PARSEC_SUCCESS
                                                               : PARSEC_KEY_INFO_MANAGER_ERROR;
    }
    pthread_mutex_unlock(&kim->lock);
    return s;
}

parsec_status_t parsec_kim_abort_create(parsec_kim_t *kim, psa_key_id_t id)
{
    pthread_mutex_lock(&kim->lock);
    parsec_status_t s = kim_delete_row(kim, id, KIM_CREATING);
    pthread_mutex_unlock(&kim->lock);
    return s;
}

parsec_status_t parsec_kim_begin_destroy(parsec_kim_t *kim, uint8_t auth, const char *app,
                                         const char *name, psa_key_id_t *id)
{
    parsec_kim_key_t key = {0};
    int state = 0;
    int64_t run = 0;
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&kim->lock);
    parsec_status_t s = kim_find(kim, auth, app, name, &key, &state, &run);
    if (s == PARSEC_SUCCESS && state != KIM_READY) {
        /* In flight in this run, or a create that never finished: not a key to destroy. A
         * destroy an earlier run did not finish is finished now. */
        s = state == KIM_DESTROYING && run < kim->run_id ? PARSEC_SUCCESS
                                                         : PARSEC_PSA_ERROR_DOES_NOT_EXIST;
        if (s == PARSEC_PSA_ERROR_DOES_NOT_EXIST && state == KIM_CREATING && run < kim->run_id) {
            kim_resolve(kim, key.id, state);
        }
    } else if (s == PARSEC_SUCCESS) {
        s = kim_prepare(kim,
                        "UPDATE parsecd_keys SET state = 2, run_id = ? "
                        "WHERE key_id = ? AND state = 0",
                        &st);
        if (s == PARSEC_SUCCESS) {
            sqlite3_bind_int64(st, 1, kim->run_id);
            sqlite3_bind_int64(st, 2, key.id);
            s = kim_step_done(st) && sqlite3_changes(kim->db) == 1 ? PARSEC_SUCCESS
                                                                   : PARSEC_KEY_INFO_MANAGER_ERROR;
        }
    }
    pthread_mutex_unlock(&kim->lock);
    *id = key.id;
    return s;
}

parsec_status_t parsec_kim_finish_destroy(parsec_kim_t *kim, psa_key_id_t id)
{
    pthread_mutex_lock(&kim->lock);
    parsec_status_t s = kim_delete_row(kim, id, KIM_DESTROYING);
    pthread_mutex_unlock(&kim->lock);
    return s;
}

parsec_status_t parsec_kim_list_keys(parsec_kim_t *kim, uint8_t auth, const char *app,
                                     parsec_kim_key_cb_t cb, void *ctx)
{
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&kim->lock);
    parsec_status_t s = kim_prepare(kim,
                                    "SELECT name, key_id, key_type, key_bits, key_usage, key_alg "
                                    "FROM parsecd_keys WHERE authenticator = ? AND "
                                    "application = ? AND state = 0 ORDER BY name",
                                    &st);
    if (s == PARSEC_SUCCESS) {
        int rc = SQLITE_DONE;
        sqlite3_bind_int(st, 1, auth);
        sqlite3_bind_text(st, 2, app, -1, SQLITE_STATIC);
        while (s == PARSEC_SUCCESS && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            parsec_kim_key_t key = {
                .id = (psa_key_id_t)sqlite3_column_int64(st, 1),
                .type = (psa_key_type_t)sqlite3_column_int64(st, 2),
                .bits = (size_t)sqlite3_column_int64(st, 3),
                .usage = (psa_key_usage_t)sqlite3_column_int64(st, 4),
                .alg = (psa_algorithm_t)sqlite3_column_int64(st, 5),
            };
            s = cb(ctx, (const char *)sqlite3_column_text(st, 0), &key);
        }
        if (s == PARSEC_SUCCESS && rc != SQLITE_DONE) {
            s = PARSEC_KEY_INFO_MANAGER_ERROR;
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&kim->lock);
    return s;
}

parsec_status_t parsec_kim_list_apps(parsec_kim_t *kim, uint8_t auth, parsec_kim_app_cb_t cb,
                                     void *ctx)
{
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&kim->lock);
    parsec_status_t s = kim_prepare(kim,
                                    "SELECT DISTINCT application FROM parsecd_keys "
                                    "WHERE authenticator = ? AND state = 0 ORDER BY application",
                                    &st);
    if (s == PARSEC_SUCCESS) {
        int rc = SQLITE_DONE;
        sqlite3_bind_int(st, 1, auth);
        while (s == PARSEC_SUCCESS && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            s = cb(ctx, (const char *)sqlite3_column_text(st, 0));
        }
        if (s == PARSEC_SUCCESS && rc != SQLITE_DONE) {
            s = PARSEC_KEY_INFO_MANAGER_ERROR;
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&kim->lock);
    return s;
}
