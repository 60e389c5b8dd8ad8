/* The key-name store: (authenticator, application, name) -> PSA key id, in SQLite. */
#ifndef PARSEC_KIM_H
#define PARSEC_KIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/crypto.h>

#include "parsec/parsec_wire.h"

/*
 * Crash rule: a name never points at a missing key and a key never outlives its name. Both
 * changes are two-phase, each phase a committed (fsync'd) SQLite transaction:
 *
 *   create:  begin_create  -> row (name, new id) in state CREATING
 *            psa_generate_key / psa_import_key with that id (persistent, durable in rssd)
 *            commit_create -> state READY (or abort_create: row deleted)
 *   destroy: begin_destroy -> state DESTROYING (the name disappears for every use)
 *            psa_destroy_key
 *            finish_destroy -> row deleted
 *
 * Only READY rows are visible (lookup, ListKeys, ListClients). A row left CREATING or
 * DESTROYING by a crash is rolled to a clean end at start-up by parsec_kim_recover: its key is
 * destroyed (the client never got a success for a create; it asked for the destroy) and the
 * row deleted. Ids come from one counter that only grows, so an id is never given to two names,
 * even after a crash. Every row carries the run number of the parsecd that wrote it: a
 * pending row of an earlier run found later (recovery could not reach the key store) is
 * finished on demand; one of this run belongs to a request in flight and is left alone.
 *
 * parsecd's rssd partition (its uid) must belong to parsecd alone: recovery destroys key ids
 * it handed out, and another program creating keys there could be caught by that.
 */

typedef struct parsec_kim parsec_kim_t;

typedef struct parsec_kim_key {
    psa_key_id_t id;
    psa_key_type_t type;
    size_t bits;
    psa_key_usage_t usage;
    psa_algorithm_t alg;
} parsec_kim_key_t;

/* Opens (creating if needed, mode 0600, parent directory 0700) the database. */
parsec_status_t parsec_kim_open(const char *path, parsec_kim_t **out);
void parsec_kim_close(parsec_kim_t *kim);

/* Finishes every pending row of earlier runs; the count of rows it could not finish. */
parsec_status_t parsec_kim_recover(parsec_kim_t *kim, size_t *unresolved);

/* The READY key of a name; PARSEC_PSA_ERROR_DOES_NOT_EXIST otherwise. */
parsec_status_t parsec_kim_lookup(parsec_kim_t *kim, uint8_t auth, const char *app,
                                  const char *name, parsec_kim_key_t *key);

/* Reserves a new id for the name (PARSEC_PSA_ERROR_ALREADY_EXISTS if the name is taken,
 * PARSEC_PSA_ERROR_INSUFFICIENT_MEMORY when the id range is used up). */
parsec_status_t parsec_kim_begin_create(parsec_kim_t *kim, uint8_t auth, const char *app,
                                        const char *name, const parsec_kim_key_t *requested,
                                        psa_key_id_t *id);
/* Marks the row READY with the attributes the key store reports. */
parsec_status_t parsec_kim_commit_create(parsec_kim_t *kim, const parsec_kim_key_t *actual);
/* Drops a CREATING row whose key was not created. */
parsec_status_t parsec_kim_abort_create(parsec_kim_t *kim, psa_key_id_t id);

/* Hides the READY name and returns its id (PARSEC_PSA_ERROR_DOES_NOT_EXIST if none). A
 * DESTROYING row of an earlier run is returned too, so the destroy can be finished. */
parsec_status_t parsec_kim_begin_destroy(parsec_kim_t *kim, uint8_t auth, const char *app,
                                         const char *name, psa_key_id_t *id);
parsec_status_t parsec_kim_finish_destroy(parsec_kim_t *kim, psa_key_id_t id);

/* READY keys of one application, by name; the callback's non-success status stops it. */
typedef parsec_status_t (*parsec_kim_key_cb_t)(void *ctx, const char *name,
                                               const parsec_kim_key_t *key);
parsec_status_t parsec_kim_list_keys(parsec_kim_t *kim, uint8_t auth, const char *app,
                                     parsec_kim_key_cb_t cb, void *ctx);

/* Applications with at least one READY key, in name order. */
typedef parsec_status_t (*parsec_kim_app_cb_t)(void *ctx, const char *app);
parsec_status_t parsec_kim_list_apps(parsec_kim_t *kim, uint8_t auth, parsec_kim_app_cb_t cb,
                                     void *ctx);

#endif /* PARSEC_KIM_H */
