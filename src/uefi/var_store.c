/* The UEFI variable store on the PSA Protected Storage API (commit protocol in var_store.h). */
#include "uefi/var_store.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <psa/protected_storage.h>

struct var_store {
    var_store_config_t config;
    var_entry_t *slots;
    size_t slot_count;
    uint64_t uid_limit; /* largest data UID this store uses: max_variables + 1 */
    uint64_t counter;   /* counter of the active index copy (0: none written yet) */
    bool active_is_a;   /* which copy holds `counter` */
    bool have_index;
    size_t used[2]; /* [0] volatile, [1] non-volatile: names + data of set variables */
};

void var_store_config_defaults(var_store_config_t *c)
{
    if (c->max_variables == 0) {
        c->max_variables = VAR_STORE_DEFAULT_MAX_VARIABLES;
    }
    if (c->max_data_size == 0) {
        c->max_data_size = VAR_STORE_DEFAULT_MAX_DATA_SIZE;
    }
    if (c->max_name_units == 0) {
        c->max_name_units = VAR_STORE_DEFAULT_MAX_NAME_UNITS;
    }
    if (c->nv_capacity == 0) {
        c->nv_capacity = VAR_STORE_DEFAULT_CAPACITY;
    }
    if (c->volatile_capacity == 0) {
        c->volatile_capacity = VAR_STORE_DEFAULT_CAPACITY;
    }
}

const var_store_config_t *var_store_config(const var_store_t *store)
{
    return &store->config;
}

size_t var_store_slot_count(const var_store_t *store)
{
    return store->slot_count;
}

const var_entry_t *var_store_slot(const var_store_t *store, size_t i)
{
    return i < store->slot_count ? &store->slots[i] : NULL;
}

size_t var_store_used(const var_store_t *store, bool non_volatile)
{
    return store->used[non_volatile ? 1 : 0];
}

static bool is_nv(const var_entry_t *e)
{
    return e->has_value && (e->attributes & EFI_VARIABLE_NON_VOLATILE) != 0;
}

static var_entry_t *find_slot(const var_store_t *store, const efi_guid_t *guid, const uint8_t *name,
                              size_t name_size)
{
    for (size_t i = 0; i < store->slot_count; i++) {
        var_entry_t *e = &store->slots[i];
        if (e->in_use && e->name_size == name_size && memcmp(e->guid.b, guid->b, 16) == 0 &&
            memcmp(e->name, name, name_size) == 0) {
            return e;
        }
    }
    return NULL;
}

const var_entry_t *var_store_find(const var_store_t *store, const efi_guid_t *guid,
                                  const uint8_t *name, size_t name_size)
{
    return find_slot(store, guid, name, name_size);
}

static void free_data(uint8_t *data, size_t size)
{
    if (data != NULL) {
        /* Variable data may be secret (private authenticated variables, vendor keys). */
        OPENSSL_cleanse(data, size);
        free(data);
    }
}

static void clear_slot(var_entry_t *e)
{
    free(e->name);
    free_data(e->data, e->data_size);
    memset(e, 0, sizeof(*e));
}

/* ---- index commit ---------------------------------------------------------------------- */

static void record_from_entry(const var_entry_t *e, var_record_t *r)
{
    memset(r, 0, sizeof(*r));
    r->guid = e->guid;
    r->attributes = e->attributes;
    r->flags = (e->has_constraints ? VAR_RECORD_HAS_CONSTRAINTS : 0) |
               (e->has_fingerprint ? VAR_RECORD_HAS_FINGERPRINT : 0);
    r->uid = e->uid;
    r->data_size = e->data_size;
    memcpy(r->timestamp, e->timestamp, sizeof(r->timestamp));
    memcpy(r->fingerprint, e->fingerprint, sizeof(r->fingerprint));
    r->constraints = e->constraints;
    r->name = e->name;
    r->name_size = e->name_size;
}

/* Writes the in-memory NV entries to the copy that is not active, with counter + 1. */
static psa_status_t commit_index(var_store_t *store)
{
    var_index_header_t header = {.counter = store->counter + 1, .uid_limit = store->uid_limit};
    size_t size = VAR_INDEX_HEADER_SIZE;
    for (size_t i = 0; i < store->slot_count; i++) {
        if (is_nv(&store->slots[i])) {
            var_record_t r;
            record_from_entry(&store->slots[i], &r);
            size += var_index_record_size(&r);
            header.count++;
        }
    }
    uint8_t *buf = malloc(size);
    if (buf == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    wire_writer_t w;
    wire_writer_init(&w, buf, size);
    var_index_put_header(&w, &header);
    for (size_t i = 0; i < store->slot_count; i++) {
        if (is_nv(&store->slots[i])) {
            var_record_t r;
            record_from_entry(&store->slots[i], &r);
            var_index_put_record(&w, &r);
        }
    }
    psa_status_t status = PSA_ERROR_GENERIC_ERROR;
    if (wire_writer_ok(&w) && wire_writer_length(&w) == size) {
        bool write_a = store->have_index ? !store->active_is_a : true;
        status = psa_ps_set(write_a ? VAR_INDEX_UID_A : VAR_INDEX_UID_B, size, buf,
                            PSA_STORAGE_FLAG_NONE);
        if (status == PSA_SUCCESS) {
            store->counter++;
            store->active_is_a = write_a;
            store->have_index = true;
        }
    }
    free(buf);
    return status;
}

/* A UID in 1..uid_limit that no entry names (at most max_variables are named, so one is free). */
static uint64_t free_uid(const var_store_t *store)
{
    for (uint64_t uid = 1; uid <= store->uid_limit; uid++) {
        bool taken = false;
        for (size_t i = 0; i < store->slot_count && !taken; i++) {
            taken = store->slots[i].in_use && store->slots[i].uid == uid;
        }
        if (!taken) {
            return uid;
        }
    }
    return 0;
}

/* ---- changes ---------------------------------------------------------------------------- */

static psa_status_t new_slot(var_store_t *store, const efi_guid_t *guid, const uint8_t *name,
                             size_t name_size, var_entry_t **out)
{
    for (size_t i = 0; i < store->slot_count; i++) {
        var_entry_t *e = &store->slots[i];
        if (!e->in_use) {
            e->name = malloc(name_size);
            if (e->name == NULL) {
                return PSA_ERROR_INSUFFICIENT_MEMORY;
            }
            memcpy(e->name, name, name_size);
            e->name_size = name_size;
            e->guid = *guid;
            e->in_use = true;
            *out = e;
            return PSA_SUCCESS;
        }
    }
    return PSA_ERROR_INSUFFICIENT_STORAGE;
}

static size_t entry_bytes(const var_entry_t *e)
{
    return e->has_value ? e->name_size + e->data_size : 0;
}

static void account(var_store_t *store, const var_entry_t *e, bool add)
{
    if (!e->has_value) {
        return;
    }
    size_t *u = &store->used[(e->attributes & EFI_VARIABLE_NON_VOLATILE) ? 1 : 0];
    *u = add ? *u + entry_bytes(e) : *u - entry_bytes(e);
}

psa_status_t var_store_write(var_store_t *store, const efi_guid_t *guid, const uint8_t *name,
                             size_t name_size, const var_value_t *value)
{
    var_entry_t *e = find_slot(store, guid, name, name_size);
    bool created = false;
    psa_status_t status;
    if (e == NULL) {
        status = new_slot(store, guid, name, name_size, &e);
        if (status != PSA_SUCCESS) {
            return status;
        }
        created = true;
    }
    uint8_t *copy = malloc(value->data_size > 0 ? value->data_size : 1);
    if (copy == NULL) {
        if (created) {
            clear_slot(e);
        }
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    memcpy(copy, value->data, value->data_size);

    var_entry_t old = *e;
    bool new_nv = (value->attributes & EFI_VARIABLE_NON_VOLATILE) != 0;
    uint64_t new_uid = 0;
    if (new_nv) {
        new_uid = free_uid(store);
        status = new_uid == 0 ? PSA_ERROR_INSUFFICIENT_STORAGE
                              : psa_ps_set(new_uid, value->data_size, copy, PSA_STORAGE_FLAG_NONE);
        if (status != PSA_SUCCESS) {
            goto fail;
        }
    }
    account(store, e, false);
    e->has_value = true;
    e->attributes = value->attributes;
    e->data = copy;
    e->data_size = value->data_size;
    e->uid = new_uid;
    memset(e->timestamp, 0, sizeof(e->timestamp));
    if (value->timestamp != NULL) {
        memcpy(e->timestamp, value->timestamp, sizeof(e->timestamp));
    }
    e->has_fingerprint = value->fingerprint != NULL;
    memset(e->fingerprint, 0, sizeof(e->fingerprint));
    if (value->fingerprint != NULL) {
        memcpy(e->fingerprint, value->fingerprint, sizeof(e->fingerprint));
    }
    account(store, e, true);
    if (new_nv || is_nv(&old)) {
        status = commit_index(store);
        if (status != PSA_SUCCESS) {
            account(store, e, false);
            *e = old;
            account(store, e, true);
            if (new_uid != 0) {
                psa_ps_remove(new_uid); /* unnamed: the next start-up purges it if this fails */
            }
            goto fail_copy;
        }
    }
    if (old.uid != 0) {
        /* The committed index no longer names it; a failure leaves an orphan for start-up. */
        psa_ps_remove(old.uid);
    }
    free_data(old.data, old.data_size);
    return PSA_SUCCESS;

fail:
    e->uid = old.uid;
fail_copy:
    free_data(copy, value->data_size);
    if (created) {
        clear_slot(e);
    }
    return status;
}

psa_status_t var_store_delete(var_store_t *store, const efi_guid_t *guid, const uint8_t *name,
                              size_t name_size)
{
    var_entry_t *e = find_slot(store, guid, name, name_size);
    if (e == NULL || !e->has_value) {
        return PSA_ERROR_DOES_NOT_EXIST;
    }
    var_entry_t old = *e;
    account(store, e, false);
    e->has_value = false;
    e->data = NULL;
    e->data_size = 0;
    e->uid = 0;
    if (is_nv(&old)) {
        /* The index is resynced on every delete of a stored NV variable, whatever the
         * request's attributes were. */
        psa_status_t status = commit_index(store);
        if (status != PSA_SUCCESS) {
            *e = old;
            account(store, e, true);
            return status;
        }
        psa_ps_remove(old.uid);
    }
    free_data(old.data, old.data_size);
    memset(e->timestamp, 0, sizeof(e->timestamp));
    e->has_fingerprint = false;
    if (!e->has_constraints) {
        clear_slot(e);
    }
    return PSA_SUCCESS;
}

psa_status_t var_store_set_constraints(var_store_t *store, const efi_guid_t *guid,
                                       const uint8_t *name, size_t name_size,
                                       const var_check_property_t *property)
{
    var_entry_t *e = find_slot(store, guid, name, name_size);
    if (e == NULL) {
        psa_status_t status = new_slot(store, guid, name, name_size, &e);
        if (status != PSA_SUCCESS) {
            return status;
        }
    }
    bool had = e->has_constraints;
    var_check_property_t old = e->constraints;
    e->has_constraints = true;
    e->constraints = *property;
    if (is_nv(e)) {
        psa_status_t status = commit_index(store);
        if (status != PSA_SUCCESS) {
            e->has_constraints = had;
            e->constraints = old;
            return status;
        }
    }
    return PSA_SUCCESS;
}

/* ---- start-up --------------------------------------------------------------------------- */

/* Reads a whole index copy; *data NULL with SUCCESS when the copy does not exist. */
static psa_status_t read_copy(psa_storage_uid_t uid, size_t max_size, uint8_t **data,
                              size_t *length)
{
    struct psa_storage_info_t info;
    *data = NULL;
    *length = 0;
    psa_status_t status = psa_ps_get_info(uid, &info);
    if (status == PSA_ERROR_DOES_NOT_EXIST) {
        return PSA_SUCCESS;
    }
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (info.size > max_size || info.size < VAR_INDEX_HEADER_SIZE) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    uint8_t *buf = malloc(info.size);
    if (buf == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    size_t got = 0;
    status = psa_ps_get(uid, 0, info.size, buf, &got);
    if (status == PSA_SUCCESS && got != info.size) {
        status = PSA_ERROR_DATA_CORRUPT;
    }
    if (status != PSA_SUCCESS) {
        free(buf);
        return status;
    }
    *data = buf;
    *length = got;
    return PSA_SUCCESS;
}

static psa_status_t load_record(void *ctx, const var_record_t *r)
{
    var_store_t *store = ctx;
    var_entry_t *e;
    if (find_slot(store, &r->guid, r->name, r->name_size) != NULL) {
        return PSA_ERROR_DATA_CORRUPT; /* the same variable twice */
    }
    for (size_t i = 0; i < store->slot_count; i++) {
        if (store->slots[i].in_use && store->slots[i].uid == r->uid) {
            return PSA_ERROR_DATA_CORRUPT; /* two variables on one data object */
        }
    }
    psa_status_t status = new_slot(store, &r->guid, r->name, r->name_size, &e);
    if (status != PSA_SUCCESS) {
        return status == PSA_ERROR_INSUFFICIENT_STORAGE ? PSA_ERROR_DATA_CORRUPT : status;
    }
    e->attributes = r->attributes;
    e->uid = r->uid;
    e->data_size = (size_t)r->data_size;
    memcpy(e->timestamp, r->timestamp, sizeof(e->timestamp));
    e->has_fingerprint = (r->flags & VAR_RECORD_HAS_FINGERPRINT) != 0;
    memcpy(e->fingerprint, r->fingerprint, sizeof(e->fingerprint));
    e->has_constraints = (r->flags & VAR_RECORD_HAS_CONSTRAINTS) != 0;
    if (e->has_constraints) {
        e->constraints = r->constraints;
    }
    e->data = malloc(e->data_size > 0 ? e->data_size : 1);
    if (e->data == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    size_t got = 0;
    status = psa_ps_get(e->uid, 0, e->data_size, e->data, &got);
    if (status == PSA_SUCCESS) {
        struct psa_storage_info_t info;
        status = psa_ps_get_info(e->uid, &info);
        if (status == PSA_SUCCESS && (got != e->data_size || info.size != e->data_size)) {
            status = PSA_ERROR_DATA_CORRUPT;
        }
    }
    if (status == PSA_ERROR_DOES_NOT_EXIST) {
        /* The commit protocol writes data before the index names it: a named object that is
         * missing was removed behind the store's back. */
        status = PSA_ERROR_DATA_CORRUPT;
    }
    if (status != PSA_SUCCESS) {
        return status;
    }
    e->has_value = true;
    account(store, e, true);
    return PSA_SUCCESS;
}

static psa_status_t load(var_store_t *store)
{
    const var_store_config_t *c = &store->config;
    size_t max_size = VAR_INDEX_HEADER_SIZE +
                      c->max_variables * (VAR_INDEX_RECORD_FIXED_SIZE + 2 * c->max_name_units);
    uint8_t *a = NULL, *b = NULL;
    size_t a_len = 0, b_len = 0;
    uint64_t a_counter = 0, b_counter = 0;
    psa_status_t status = read_copy(VAR_INDEX_UID_A, max_size, &a, &a_len);
    if (status == PSA_SUCCESS) {
        status = read_copy(VAR_INDEX_UID_B, max_size, &b, &b_len);
    }
    if (status == PSA_SUCCESS && a != NULL) {
        status = var_index_decode_counter(a, a_len, &a_counter);
    }
    if (status == PSA_SUCCESS && b != NULL) {
        status = var_index_decode_counter(b, b_len, &b_counter);
    }
    const uint8_t *active = NULL;
    size_t active_len = 0;
    if (status == PSA_SUCCESS) {
        if (a != NULL && b != NULL) {
            if (a_counter == b_counter + 1) {
                active = a;
                active_len = a_len;
                store->active_is_a = true;
            } else if (b_counter == a_counter + 1) {
                active = b;
                active_len = b_len;
                store->active_is_a = false;
            } else {
                status = PSA_ERROR_DATA_CORRUPT;
            }
        } else if (a != NULL || b != NULL) {
            active = a != NULL ? a : b;
            active_len = a != NULL ? a_len : b_len;
            store->active_is_a = a != NULL;
        }
    }
    uint64_t scan_limit = store->uid_limit;
    if (status == PSA_SUCCESS && active != NULL) {
        var_index_limits_t limits = {
            .max_records = c->max_variables,
            .max_name_size = 2 * c->max_name_units,
            .max_data_size = c->max_data_size,
            .max_uid = VAR_STORE_MAX_VARIABLES_LIMIT + 1,
        };
        var_index_header_t header;
        status = var_index_decode(active, active_len, &limits, &header, load_record, store);
        if (status == PSA_SUCCESS) {
            store->counter = header.counter;
            store->have_index = true;
            if (header.uid_limit > scan_limit) {
                scan_limit = header.uid_limit;
            }
        }
    }
    free(a);
    free(b);
    if (status != PSA_SUCCESS) {
        return status;
    }
    /* Purge data objects the active index does not name (left by a crash between steps). */
    for (uint64_t uid = 1; uid <= scan_limit; uid++) {
        bool named = false;
        for (size_t i = 0; i < store->slot_count && !named; i++) {
            named = store->slots[i].in_use && store->slots[i].uid == uid;
        }
        if (named) {
            continue;
        }
        struct psa_storage_info_t info;
        status = psa_ps_get_info(uid, &info);
        if (status == PSA_SUCCESS) {
            status = psa_ps_remove(uid);
        } else if (status == PSA_ERROR_DOES_NOT_EXIST) {
            status = PSA_SUCCESS;
        }
        if (status != PSA_SUCCESS) {
            return status;
        }
    }
    return PSA_SUCCESS;
}

psa_status_t var_store_open(const var_store_config_t *config, var_store_t **out)
{
    *out = NULL;
    var_store_t *store = calloc(1, sizeof(*store));
    if (store == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    store->config = *config;
    var_store_config_defaults(&store->config);
    if (store->config.max_variables > VAR_STORE_MAX_VARIABLES_LIMIT ||
        store->config.max_name_units > VAR_STORE_MAX_NAME_UNITS_LIMIT) {
        free(store);
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    /* The whole index must fit one PS object. */
    if (store->config.max_variables *
            (VAR_INDEX_RECORD_FIXED_SIZE + 2 * store->config.max_name_units) >
        VAR_STORE_MAX_INDEX_SIZE) {
        free(store);
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    store->slot_count = store->config.max_variables;
    store->uid_limit = store->config.max_variables + 1;
    store->slots = calloc(store->slot_count, sizeof(*store->slots));
    if (store->slots == NULL) {
        free(store);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    psa_status_t status = load(store);
    if (status != PSA_SUCCESS) {
        var_store_close(store);
        return status;
    }
    *out = store;
    return PSA_SUCCESS;
}

void var_store_close(var_store_t *store)
{
    if (store == NULL) {
        return;
    }
    for (size_t i = 0; i < store->slot_count; i++) {
        clear_slot(&store->slots[i]);
    }
    free(store->slots);
    free(store);
}
