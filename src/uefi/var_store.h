/* The UEFI variable store: volatile variables in memory, non-volatile ones in Protected Storage. */
#ifndef UEFI_VAR_STORE_H
#define UEFI_VAR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/error.h>
#include "uefi/efi_defs.h"
#include "uefi/var_index.h"

/*
 * Persistence (through the PSA Protected Storage API, so the same code runs on libpsa, i.e. the
 * caller's PS partition in rssd, and on libpsa-local):
 *   - each set non-volatile variable's data is one PS object, UID in 1..max_variables+1;
 *   - the index (var_index.h) lives in two PS objects, A and B, with a counter: a commit writes
 *     the copy that is not active with counter+1, so the copies always differ by exactly one.
 * Every change writes new data to a UID no index names yet, then commits the index (the commit
 * point: psa_ps_set replaces an object atomically and durably), then removes the data the old
 * index named. A crash at any step therefore leaves the old store or the new one; what it can
 * leave behind is an unnamed data object, and start-up purges those. An index that cannot be
 * read or decoded, or two copies whose counters do not differ by one, fail the open: the store
 * is never silently empty.
 */
#define VAR_INDEX_UID_A 0x8000000000000001ull
#define VAR_INDEX_UID_B 0x8000000000000002ull

#define VAR_STORE_DEFAULT_MAX_VARIABLES  256u
#define VAR_STORE_DEFAULT_MAX_DATA_SIZE  (32u * 1024u)
#define VAR_STORE_DEFAULT_MAX_NAME_UNITS 512u
#define VAR_STORE_DEFAULT_CAPACITY       (2u * 1024u * 1024u)
/* Largest configurable values (the index must stay well under PS's 1 MiB object limit). */
#define VAR_STORE_MAX_VARIABLES_LIMIT  4096u
#define VAR_STORE_MAX_NAME_UNITS_LIMIT 1024u
#define VAR_STORE_MAX_INDEX_SIZE       (1000u * 1024u)

typedef struct var_store_config {
    size_t max_variables;     /* index slots, volatile and non-volatile together */
    size_t max_data_size;     /* bytes of data per variable */
    size_t max_name_units;    /* UTF-16 units per name, NUL included */
    size_t nv_capacity;       /* bytes (names + data) of all non-volatile variables */
    size_t volatile_capacity; /* the same for volatile variables */
} var_store_config_t;

typedef struct var_entry {
    bool in_use;    /* the slot holds a variable or constraints */
    bool has_value; /* the variable is set (otherwise only its constraints exist) */
    efi_guid_t guid;
    uint8_t *name; /* UTF-16LE, NUL included */
    size_t name_size;
    uint32_t attributes;
    uint8_t timestamp[EFI_TIME_SIZE];
    bool has_fingerprint;
    uint8_t fingerprint[32];
    bool has_constraints;
    var_check_property_t constraints;
    uint64_t uid; /* data object of a set non-volatile variable; 0 otherwise */
    uint8_t *data;
    size_t data_size;
} var_entry_t;

/* What a write stores; the data is copied. */
typedef struct var_value {
    uint32_t attributes;
    const uint8_t *data;
    size_t data_size;
    const uint8_t *timestamp;   /* EFI_TIME_SIZE bytes, or NULL for zeros */
    const uint8_t *fingerprint; /* 32 bytes, or NULL for none */
} var_value_t;

typedef struct var_store var_store_t;

/* Fills zero fields of config with the defaults. */
void var_store_config_defaults(var_store_config_t *config);
/* Loads the index and every data object, purges orphan data. */
psa_status_t var_store_open(const var_store_config_t *config, var_store_t **store);
void var_store_close(var_store_t *store);
const var_store_config_t *var_store_config(const var_store_t *store);

size_t var_store_slot_count(const var_store_t *store);
/* The slot i (in_use may be false). */
const var_entry_t *var_store_slot(const var_store_t *store, size_t i);
/* The in-use entry (set or constraints only) with this GUID and name, or NULL. */
const var_entry_t *var_store_find(const var_store_t *store, const efi_guid_t *guid,
                                  const uint8_t *name, size_t name_size);
/* Bytes (names + data) held by set variables of one kind. */
size_t var_store_used(const var_store_t *store, bool non_volatile);

/* Creates or replaces the value of (guid, name); durable before it returns for NV variables.
 * INSUFFICIENT_STORAGE when no slot is free. */
psa_status_t var_store_write(var_store_t *store, const efi_guid_t *guid, const uint8_t *name,
                             size_t name_size, const var_value_t *value);
/* Deletes the value; the entry stays while it has constraints. */
psa_status_t var_store_delete(var_store_t *store, const efi_guid_t *guid, const uint8_t *name,
                              size_t name_size);
/* Sets the VarCheck property of (guid, name), creating a constraints-only entry if needed. */
psa_status_t var_store_set_constraints(var_store_t *store, const efi_guid_t *guid,
                                       const uint8_t *name, size_t name_size,
                                       const var_check_property_t *property);

#endif /* UEFI_VAR_STORE_H */
