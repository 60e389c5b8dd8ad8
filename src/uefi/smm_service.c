/* SMM variable functions: phases, attribute rules, VarCheck, authenticated variables, modes. */
#include "uefi/smm_service.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "uefi/smm_msg.h"
#include "uefi/var_auth.h"

#define ACCESS_BITS (EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)
#define KEY_ATTRIBUTES                                                                             \
    (EFI_VARIABLE_NON_VOLATILE | ACCESS_BITS | EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS)
#define MODE_ATTRIBUTES ACCESS_BITS

struct smm_gateway {
    pthread_mutex_t lock; /* serialises smm_serve; the store and the phase flags are under it */
    smm_gateway_config_t config;
    var_store_t *store;
    bool runtime;       /* after EXIT_BOOT_SERVICE */
    bool ready_to_boot; /* after READY_TO_BOOT: VarCheck properties are locked (EDK2) */
};

static const efi_guid_t smm_guid = SMM_VARIABLE_GUID;
static const efi_guid_t global_guid = EFI_GLOBAL_VARIABLE_GUID;
static const efi_guid_t image_db_guid = EFI_IMAGE_SECURITY_DATABASE_GUID;

efi_status_t smm_efi_from_psa(psa_status_t status)
{
    switch (status) {
    case PSA_SUCCESS:
        return EFI_SUCCESS;
    case PSA_ERROR_NOT_PERMITTED:
        return EFI_ACCESS_DENIED;
    case PSA_ERROR_INVALID_ARGUMENT:
        return EFI_INVALID_PARAMETER;
    case PSA_ERROR_BAD_STATE:
        return EFI_NOT_READY;
    case PSA_ERROR_BUFFER_TOO_SMALL:
        return EFI_BUFFER_TOO_SMALL;
    case PSA_ERROR_DOES_NOT_EXIST:
        return EFI_NOT_FOUND;
    case PSA_ERROR_INSUFFICIENT_MEMORY:
    case PSA_ERROR_INSUFFICIENT_STORAGE:
        return EFI_OUT_OF_RESOURCES;
    default:
        return EFI_DEVICE_ERROR;
    }
}

/* ---- names -------------------------------------------------------------------------------- */

/* UTF-16LE form of a short ASCII name, NUL included. */
typedef struct ucs_name {
    uint8_t b[64];
    size_t size;
} ucs_name_t;

static ucs_name_t ucs(const char *ascii)
{
    ucs_name_t n;
    memset(&n, 0, sizeof(n));
    size_t len = strlen(ascii);
    for (size_t i = 0; i < len && i < 31; i++) {
        n.b[2 * i] = (uint8_t)ascii[i];
    }
    n.size = 2 * (len < 31 ? len : 31) + 2;
    return n;
}

static bool name_is(const uint8_t *name, size_t name_size, const char *ascii)
{
    ucs_name_t n = ucs(ascii);
    return name_size == n.size && memcmp(name, n.b, n.size) == 0;
}

static bool guid_is(const efi_guid_t *a, const efi_guid_t *b)
{
    return memcmp(a->b, b->b, 16) == 0;
}

typedef enum var_kind {
    KIND_PLAIN,
    KIND_PK,
    KIND_KEK,
    KIND_DB,        /* db, dbx, dbt, dbr */
    KIND_MODE,      /* AuditMode, DeployedMode: written through the mode transitions */
    KIND_READ_ONLY, /* SetupMode, SecureBoot, the *Default databases */
} var_kind_t;

static const char *const default_names[] = {"PKDefault",  "KEKDefault", "dbDefault",
                                            "dbxDefault", "dbtDefault", "dbrDefault"};

static var_kind_t kind_of(const efi_guid_t *guid, const uint8_t *name, size_t name_size)
{
    if (guid_is(guid, &global_guid)) {
        if (name_is(name, name_size, "PK")) {
            return KIND_PK;
        }
        if (name_is(name, name_size, "KEK")) {
            return KIND_KEK;
        }
        if (name_is(name, name_size, "AuditMode") || name_is(name, name_size, "DeployedMode")) {
            return KIND_MODE;
        }
        if (name_is(name, name_size, "SetupMode") || name_is(name, name_size, "SecureBoot")) {
            return KIND_READ_ONLY;
        }
        for (size_t i = 0; i < sizeof(default_names) / sizeof(default_names[0]); i++) {
            if (name_is(name, name_size, default_names[i])) {
                return KIND_READ_ONLY;
            }
        }
    } else if (guid_is(guid, &image_db_guid)) {
        if (name_is(name, name_size, "db") || name_is(name, name_size, "dbx") ||
            name_is(name, name_size, "dbt") || name_is(name, name_size, "dbr")) {
            return KIND_DB;
        }
    }
    return KIND_PLAIN;
}

/* ---- Secure Boot modes ---------------------------------------------------------------------- */

static const var_entry_t *find_global(const smm_gateway_t *gw, const char *ascii)
{
    ucs_name_t n = ucs(ascii);
    const var_entry_t *e = var_store_find(gw->store, &global_guid, n.b, n.size);
    return e != NULL && e->has_value ? e : NULL;
}

static bool pk_present(const smm_gateway_t *gw)
{
    const var_entry_t *pk = find_global(gw, "PK");
    return pk != NULL && pk->data_size > 0;
}

static uint8_t mode_value(const smm_gateway_t *gw, const char *ascii)
{
    const var_entry_t *e = find_global(gw, ascii);
    return e != NULL && e->data_size == 1 ? e->data[0] : 0;
}

static psa_status_t put_internal(smm_gateway_t *gw, const char *ascii, uint32_t attributes,
                                 const uint8_t *data, size_t size)
{
    ucs_name_t n = ucs(ascii);
    const var_entry_t *e = var_store_find(gw->store, &global_guid, n.b, n.size);
    if (e != NULL && e->has_value && e->attributes == attributes && e->data_size == size &&
        memcmp(e->data, data, size) == 0) {
        return PSA_SUCCESS; /* unchanged: no PS write */
    }
    var_value_t v = {.attributes = attributes, .data = data, .data_size = size};
    return var_store_write(gw->store, &global_guid, n.b, n.size, &v);
}

/* SetupMode and SecureBoot follow PK and AuditMode (UEFI 2.5+ modes: Setup, User, Audit,
 * Deployed). They are volatile: recomputed at every start and after every mode change. */
static psa_status_t refresh_modes(smm_gateway_t *gw)
{
    uint8_t setup = pk_present(gw) ? 0 : 1;
    uint8_t secure = (!setup && mode_value(gw, "AuditMode") == 0) ? 1 : 0;
    psa_status_t status = put_internal(gw, "SetupMode", ACCESS_BITS, &setup, 1);
    if (status == PSA_SUCCESS) {
        status = put_internal(gw, "SecureBoot", ACCESS_BITS, &secure, 1);
    }
    return status;
}

/* ---- helpers -----------------------------------------------------------------------------------
 */

static bool accessible(const smm_gateway_t *gw, const var_entry_t *e)
{
    if ((e->attributes & ACCESS_BITS) == 0) {
        return true;
    }
    return gw->runtime ? (e->attributes & EFI_VARIABLE_RUNTIME_ACCESS) != 0
                       : (e->attributes & EFI_VARIABLE_BOOTSERVICE_ACCESS) != 0;
}

static void audit(smm_gateway_t *gw, const smm_caller_t *caller, uint64_t function,
                  const uint8_t *name, size_t name_size, efi_status_t status)
{
    if (gw->config.audit != NULL) {
        gw->config.audit(gw->config.audit_ctx, caller, function, name, name_size, status);
    }
}

/* A response under construction: the payload after the SMM variable header. Its capacity is
 * the buffer's space after both headers, so it is never smaller than the request's payload,
 * and no reply below is longer than its request's fixed part and name: the fixed-size puts
 * cannot fail, only the variable data needs its own room check. */
typedef struct reply {
    uint8_t *data;
    size_t capacity;
    size_t length;
} reply_t;

/* ---- GET_VARIABLE ------------------------------------------------------------------------------
 */

static efi_status_t get_variable(smm_gateway_t *gw, const uint8_t *p, size_t len, reply_t *out)
{
    smm_access_t a;
    efi_status_t status = smm_msg_decode_access(p, len, &a);
    if (status != EFI_SUCCESS) {
        return status;
    }
    size_t header = SMM_ACCESS_VARIABLE_NAME_OFFSET + (size_t)a.name_size;
    const var_entry_t *e = var_store_find(gw->store, &a.guid, a.name, (size_t)a.name_size);
    if (e == NULL || !e->has_value || !accessible(gw, e)) {
        return EFI_NOT_FOUND;
    }
    uint64_t limit = out->capacity - header;
    if (a.data_size < limit) {
        limit = a.data_size;
    }
    a.attributes = e->attributes;
    wire_writer_t w;
    wire_writer_init(&w, out->data, out->capacity);
    if (e->data_size > limit) {
        a.data_size = e->data_size;
        status = EFI_BUFFER_TOO_SMALL;
        smm_msg_put_access(&w, &a, NULL, 0, false);
    } else {
        a.data_size = e->data_size;
        smm_msg_put_access(&w, &a, e->data, e->data_size, false);
    }
    out->length = wire_writer_length(&w);
    return status;
}

/* ---- GET_NEXT_VARIABLE_NAME -------------------------------------------------------------------
 */

static efi_status_t get_next(smm_gateway_t *gw, const uint8_t *p, size_t len, reply_t *out)
{
    smm_get_next_t g;
    efi_status_t status = smm_msg_decode_get_next(p, len, &g);
    if (status != EFI_SUCCESS) {
        return status;
    }
    /* Our rule (sheet §4.3): NameSize is clamped to the buffer, never rejected for size, and
     * the NUL is looked for only in the bytes the request carries. */
    uint64_t buffer_size = out->capacity - SMM_GET_NEXT_NAME_OFFSET;
    if (g.name_size < buffer_size) {
        buffer_size = g.name_size;
    }
    if (buffer_size < 2) {
        return EFI_INVALID_PARAMETER;
    }
    size_t current = 0;
    bool terminated = false;
    for (size_t i = 0; i + 2 <= g.name_available; i += 2) {
        if (g.name[i] == 0 && g.name[i + 1] == 0) {
            current = i + 2;
            terminated = true;
            break;
        }
    }
    if (!terminated) {
        return EFI_INVALID_PARAMETER;
    }
    size_t slot = 0;
    if (current > 2) {
        const var_entry_t *e = var_store_find(gw->store, &g.guid, g.name, current);
        if (e == NULL || !e->has_value) {
            return EFI_INVALID_PARAMETER;
        }
        slot = (size_t)(e - var_store_slot(gw->store, 0)) + 1;
    }
    const var_entry_t *next = NULL;
    for (; slot < var_store_slot_count(gw->store); slot++) {
        const var_entry_t *e = var_store_slot(gw->store, slot);
        if (e->in_use && e->has_value && accessible(gw, e)) {
            next = e;
            break;
        }
    }
    wire_writer_t w;
    wire_writer_init(&w, out->data, out->capacity);
    static const efi_guid_t zero_guid;
    if (next == NULL) {
        smm_msg_put_get_next(&w, &zero_guid, 0, NULL, 0);
        status = EFI_NOT_FOUND;
    } else if (next->name_size > buffer_size) {
        smm_msg_put_get_next(&w, &zero_guid, next->name_size, NULL, 0);
        status = EFI_BUFFER_TOO_SMALL;
    } else {
        smm_msg_put_get_next(&w, &next->guid, next->name_size, next->name, next->name_size);
    }
    out->length = wire_writer_length(&w);
    return status;
}

/* ---- SET_VARIABLE -------------------------------------------------------------------------- */

static efi_status_t set_mode_variable(smm_gateway_t *gw, const smm_access_t *a)
{
    if (gw->runtime) {
        return EFI_WRITE_PROTECTED; /* both are read-only after ExitBootServices */
    }
    if ((a->attributes & ACCESS_BITS) == 0 ||
        (a->data_size == 0 && !(a->attributes & EFI_VARIABLE_APPEND_WRITE))) {
        return EFI_WRITE_PROTECTED; /* never deleted */
    }
    uint32_t attrs = a->attributes & ~(uint32_t)EFI_VARIABLE_NON_VOLATILE;
    if (attrs != MODE_ATTRIBUTES || a->data_size != 1 || a->data[0] > 1) {
        return EFI_INVALID_PARAMETER;
    }
    uint8_t value = a->data[0];
    bool audit_name = name_is(a->name, (size_t)a->name_size, "AuditMode");
    uint8_t audit_mode = mode_value(gw, "AuditMode");
    uint8_t deployed = mode_value(gw, "DeployedMode");
    const uint32_t stored = EFI_VARIABLE_NON_VOLATILE | MODE_ATTRIBUTES;
    psa_status_t status;
    if (audit_name) {
        if (value == audit_mode) {
            return EFI_SUCCESS;
        }
        /* AuditMode only goes 0 -> 1, from Setup or User mode; from User mode PK is cleared. */
        if (deployed || value == 0) {
            return EFI_WRITE_PROTECTED;
        }
        if (pk_present(gw)) {
            ucs_name_t pk = ucs("PK");
            status = var_store_delete(gw->store, &global_guid, pk.b, pk.size);
            if (status != PSA_SUCCESS) {
                return smm_efi_from_psa(status);
            }
        }
        status = put_internal(gw, "AuditMode", stored, &value, 1);
    } else {
        if (value == deployed) {
            return EFI_SUCCESS;
        }
        /* DeployedMode only goes 0 -> 1, from User mode; leaving it is platform-specific. */
        if (value == 0 || !pk_present(gw) || audit_mode) {
            return EFI_WRITE_PROTECTED;
        }
        status = put_internal(gw, "DeployedMode", stored, &value, 1);
    }
    if (status == PSA_SUCCESS) {
        status = refresh_modes(gw);
    }
    return smm_efi_from_psa(status);
}

/* Verifies an authenticated write; fills *fingerprint for private variables. */
static efi_status_t authenticate(smm_gateway_t *gw, var_kind_t kind, const smm_access_t *a,
                                 const var_auth_descriptor_t *d, const var_entry_t *existing,
                                 uint8_t fingerprint[32], bool *has_fingerprint)
{
    uint8_t *signed_data = NULL;
    size_t signed_size = 0;
    bool setup = !pk_present(gw);
    *has_fingerprint = false;
    if (kind == KIND_PK || kind == KIND_KEK || kind == KIND_DB) {
        if ((a->attributes & ~(uint32_t)EFI_VARIABLE_APPEND_WRITE) != KEY_ATTRIBUTES ||
            (kind == KIND_PK && (a->attributes & EFI_VARIABLE_APPEND_WRITE))) {
            return EFI_INVALID_PARAMETER;
        }
        if (d->payload_size > 0 &&
            var_esl_check(d->payload, d->payload_size, kind == KIND_PK) != EFI_SUCCESS) {
            return EFI_INVALID_PARAMETER;
        }
    }
    efi_status_t status = var_auth_signed_data(a->name, (size_t)a->name_size, &a->guid,
                                               a->attributes, d, &signed_data, &signed_size);
    if (status != EFI_SUCCESS) {
        return status;
    }
    const var_entry_t *pk = find_global(gw, "PK");
    const var_entry_t *kek = find_global(gw, "KEK");
    switch (kind) {
    case KIND_PK:
        /* Setup mode: the new PK must sign its own enrolment; User mode: the current PK. */
        if (setup) {
            status = d->payload_size == 0 ? EFI_SECURITY_VIOLATION
                                          : var_auth_verify(d, signed_data, signed_size, d->payload,
                                                            d->payload_size);
        } else {
            status = var_auth_verify(d, signed_data, signed_size, pk->data, pk->data_size);
        }
        break;
    case KIND_KEK:
        status = setup ? EFI_SUCCESS
                       : var_auth_verify(d, signed_data, signed_size, pk->data, pk->data_size);
        break;
    case KIND_DB:
        if (setup) {
            status = EFI_SUCCESS;
        } else {
            status = var_auth_verify(d, signed_data, signed_size, pk->data, pk->data_size);
            if (status != EFI_SUCCESS && kek != NULL) {
                status = var_auth_verify(d, signed_data, signed_size, kek->data, kek->data_size);
            }
        }
        break;
    default:
        /* Private authenticated variable: bound to the signer that created it. */
        status = var_auth_verify_private(d, signed_data, signed_size, fingerprint);
        if (status == EFI_SUCCESS && existing != NULL && existing->has_fingerprint &&
            CRYPTO_memcmp(existing->fingerprint, fingerprint, 32) != 0) {
            status = EFI_SECURITY_VIOLATION;
        }
        *has_fingerprint = status == EFI_SUCCESS;
        break;
    }
    free(signed_data);
    return status;
}

static efi_status_t set_variable(smm_gateway_t *gw, const uint8_t *p, size_t len)
{
    smm_access_t a;
    efi_status_t status = smm_msg_decode_access(p, len, &a);
    if (status != EFI_SUCCESS) {
        return status;
    }
    if (a.data_size > a.data_available) {
        return EFI_INVALID_PARAMETER;
    }
    const var_store_config_t *cfg = var_store_config(gw->store);
    uint32_t attrs = a.attributes;
    size_t name_size = (size_t)a.name_size;
    if ((attrs & ~(uint32_t)EFI_VARIABLE_ATTRIBUTES_MASK) != 0) {
        return EFI_UNSUPPORTED;
    }
    if ((attrs & EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS) &&
        (attrs & EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS)) {
        return EFI_INVALID_PARAMETER;
    }
    if (attrs & (EFI_VARIABLE_HARDWARE_ERROR_RECORD | EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS |
                 EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS)) {
        return EFI_UNSUPPORTED;
    }
    if ((attrs & EFI_VARIABLE_RUNTIME_ACCESS) && !(attrs & EFI_VARIABLE_BOOTSERVICE_ACCESS)) {
        return EFI_INVALID_PARAMETER;
    }
    const var_entry_t *e = var_store_find(gw->store, &a.guid, a.name, name_size);
    bool existing = e != NULL && e->has_value;
    if (existing && !accessible(gw, e)) {
        return EFI_NOT_FOUND;
    }
    var_kind_t kind = kind_of(&a.guid, a.name, name_size);
    if (kind == KIND_READ_ONLY) {
        return EFI_WRITE_PROTECTED;
    }
    if (kind == KIND_MODE) {
        return set_mode_variable(gw, &a);
    }
    bool append = (attrs & EFI_VARIABLE_APPEND_WRITE) != 0;
    bool delete_request = (attrs & ACCESS_BITS) == 0 || (a.data_size == 0 && !append);
    /* Runtime rules (EDK2): volatile variables are read-only, new ones must be NV and RT. */
    if (gw->runtime) {
        if (existing && !(e->attributes & EFI_VARIABLE_NON_VOLATILE)) {
            return EFI_WRITE_PROTECTED;
        }
        if (!existing && !delete_request &&
            (!(attrs & EFI_VARIABLE_RUNTIME_ACCESS) || !(attrs & EFI_VARIABLE_NON_VOLATILE))) {
            return EFI_INVALID_PARAMETER;
        }
    }
    /* The authentication descriptor is split off first: VarCheck sizes apply to the payload. */
    bool time_based = (attrs & EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS) != 0;
    var_auth_descriptor_t d;
    const uint8_t *payload = a.data;
    size_t payload_size = (size_t)a.data_size;
    if (time_based) {
        status = var_auth_parse(a.data, (size_t)a.data_size, &d);
        if (status != EFI_SUCCESS) {
            return status;
        }
        payload = d.payload;
        payload_size = d.payload_size;
    }
    bool is_delete = (attrs & ACCESS_BITS) == 0 || (payload_size == 0 && !append);
    /* VarCheck as EDK2: READ_ONLY always, sizes only for non-empty writes that are not deletes. */
    if (e != NULL && e->has_constraints) {
        if (e->constraints.property & VAR_CHECK_PROPERTY_READ_ONLY) {
            return EFI_WRITE_PROTECTED;
        }
        if (!is_delete && payload_size != 0 &&
            (payload_size < e->constraints.min_size || payload_size > e->constraints.max_size)) {
            return EFI_INVALID_PARAMETER;
        }
    }
    if (existing && (e->attributes & EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS) &&
        !time_based) {
        return EFI_SECURITY_VIOLATION; /* a protected variable is changed only by signed writes */
    }
    if (!existing && (is_delete || payload_size == 0)) {
        return EFI_NOT_FOUND;
    }
    if (!time_based && (kind == KIND_PK || kind == KIND_KEK || kind == KIND_DB)) {
        return EFI_INVALID_PARAMETER; /* key databases are time-based authenticated (EDK2) */
    }
    if (!existing && name_size > 2 * cfg->max_name_units) {
        return EFI_OUT_OF_RESOURCES;
    }
    uint8_t fingerprint[32];
    bool has_fingerprint = false;
    uint8_t timestamp[EFI_TIME_SIZE] = {0};
    if (time_based) {
        if (existing && !append && var_auth_time_compare(d.timestamp, e->timestamp) <= 0) {
            return EFI_SECURITY_VIOLATION; /* timestamps strictly increase */
        }
        status = authenticate(gw, kind, &a, &d, existing ? e : NULL, fingerprint, &has_fingerprint);
        if (status != EFI_SUCCESS) {
            return status;
        }
        memcpy(timestamp, d.timestamp, sizeof(timestamp));
        if (existing && append && var_auth_time_compare(e->timestamp, d.timestamp) > 0) {
            memcpy(timestamp, e->timestamp, sizeof(timestamp)); /* the later time is kept */
        }
    }
    if (existing && !is_delete && (attrs & ~(uint32_t)EFI_VARIABLE_APPEND_WRITE) != e->attributes) {
        return EFI_INVALID_PARAMETER;
    }
    psa_status_t ps;
    if (is_delete) {
        bool was_pk = kind == KIND_PK;
        ps = var_store_delete(gw->store, &a.guid, a.name, name_size);
        if (ps == PSA_SUCCESS && was_pk) {
            /* Deleting PK returns to Setup mode, from Deployed mode too. */
            uint8_t zero = 0;
            ps = put_internal(gw, "DeployedMode", EFI_VARIABLE_NON_VOLATILE | MODE_ATTRIBUTES,
                              &zero, 1);
            if (ps == PSA_SUCCESS) {
                ps = refresh_modes(gw);
            }
        }
        return smm_efi_from_psa(ps);
    }
    uint8_t *merged = NULL;
    size_t new_size = payload_size;
    const uint8_t *new_data = payload;
    if (existing && append) {
        if (kind == KIND_KEK || kind == KIND_DB) {
            status =
                var_esl_merge(e->data, e->data_size, payload, payload_size, &merged, &new_size);
            if (status != EFI_SUCCESS) {
                return status;
            }
        } else {
            if (e->data_size > SIZE_MAX - payload_size) {
                return EFI_INVALID_PARAMETER;
            }
            new_size = e->data_size + payload_size;
            merged = malloc(new_size);
            if (merged == NULL) {
                return EFI_OUT_OF_RESOURCES;
            }
            memcpy(merged, e->data, e->data_size);
            memcpy(merged + e->data_size, payload, payload_size);
        }
        new_data = merged;
    }
    status = EFI_SUCCESS;
    bool nv = (attrs & EFI_VARIABLE_NON_VOLATILE) != 0;
    size_t capacity = nv ? cfg->nv_capacity : cfg->volatile_capacity;
    size_t used = var_store_used(gw->store, nv) - (existing ? e->name_size + e->data_size : 0);
    if (new_size > cfg->max_data_size) {
        status = EFI_INVALID_PARAMETER;
    } else if (used + name_size + new_size > capacity) {
        status = EFI_OUT_OF_RESOURCES;
    } else {
        var_value_t v = {
            .attributes = attrs & ~(uint32_t)EFI_VARIABLE_APPEND_WRITE,
            .data = new_data,
            .data_size = new_size,
            .timestamp = time_based ? timestamp : NULL,
            .fingerprint = has_fingerprint ? fingerprint : NULL,
        };
        bool audit_mode = mode_value(gw, "AuditMode") != 0;
        ps = var_store_write(gw->store, &a.guid, a.name, name_size, &v);
        if (ps == PSA_SUCCESS && kind == KIND_PK) {
            /* Enrolling PK leaves Setup mode for User mode, or Audit mode for Deployed mode. */
            if (audit_mode) {
                uint8_t zero = 0, one = 1;
                const uint32_t stored = EFI_VARIABLE_NON_VOLATILE | MODE_ATTRIBUTES;
                ps = put_internal(gw, "AuditMode", stored, &zero, 1);
                if (ps == PSA_SUCCESS) {
                    ps = put_internal(gw, "DeployedMode", stored, &one, 1);
                }
            }
            if (ps == PSA_SUCCESS) {
                ps = refresh_modes(gw);
            }
        }
        status = smm_efi_from_psa(ps);
    }
    if (merged != NULL) {
        OPENSSL_cleanse(merged, new_size);
        free(merged);
    }
    return status;
}

/* ---- QUERY_VARIABLE_INFO, VarCheck, payload size ----------------------------------------- */

static efi_status_t query_info(smm_gateway_t *gw, const uint8_t *p, size_t len, reply_t *out)
{
    smm_query_t q;
    if (smm_msg_decode_query(p, len, &q) != EFI_SUCCESS) {
        return EFI_INVALID_PARAMETER;
    }
    if ((q.attributes & ~(uint32_t)EFI_VARIABLE_ATTRIBUTES_MASK) != 0 ||
        (q.attributes &
         (EFI_VARIABLE_HARDWARE_ERROR_RECORD | EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS |
          EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS))) {
        return EFI_UNSUPPORTED;
    }
    if (!(q.attributes & EFI_VARIABLE_BOOTSERVICE_ACCESS)) {
        return EFI_INVALID_PARAMETER;
    }
    const var_store_config_t *cfg = var_store_config(gw->store);
    bool nv = (q.attributes & EFI_VARIABLE_NON_VOLATILE) != 0;
    size_t capacity = nv ? cfg->nv_capacity : cfg->volatile_capacity;
    size_t used = var_store_used(gw->store, nv);
    size_t remaining = used < capacity ? capacity - used : 0;
    q.maximum_storage_size = capacity;
    q.remaining_storage_size = remaining;
    q.maximum_variable_size = cfg->max_data_size < remaining ? cfg->max_data_size : remaining;
    wire_writer_t w;
    wire_writer_init(&w, out->data, out->capacity);
    smm_msg_put_query(&w, &q);
    out->length = wire_writer_length(&w);
    return EFI_SUCCESS;
}

static efi_status_t property_set(smm_gateway_t *gw, const uint8_t *p, size_t len)
{
    smm_var_check_t v;
    efi_status_t status = smm_msg_decode_var_check(p, len, &v);
    if (status != EFI_SUCCESS) {
        return status;
    }
    if (gw->ready_to_boot) {
        return EFI_ACCESS_DENIED; /* EDK2 locks properties at ReadyToBoot (EndOfDxe) */
    }
    if (v.property.revision != VAR_CHECK_PROPERTY_REVISION ||
        v.property.min_size > v.property.max_size) {
        return EFI_INVALID_PARAMETER;
    }
    if ((size_t)v.name_size > 2 * var_store_config(gw->store)->max_name_units) {
        return EFI_OUT_OF_RESOURCES;
    }
    return smm_efi_from_psa(
        var_store_set_constraints(gw->store, &v.guid, v.name, (size_t)v.name_size, &v.property));
}

static efi_status_t property_get(smm_gateway_t *gw, const uint8_t *p, size_t len, reply_t *out)
{
    smm_var_check_t v;
    efi_status_t status = smm_msg_decode_var_check(p, len, &v);
    if (status != EFI_SUCCESS) {
        return status;
    }
    const var_entry_t *e = var_store_find(gw->store, &v.guid, v.name, (size_t)v.name_size);
    if (e == NULL || !e->has_constraints) {
        return EFI_NOT_FOUND;
    }
    v.property = e->constraints;
    wire_writer_t w;
    wire_writer_init(&w, out->data, out->capacity);
    smm_msg_put_var_check(&w, &v);
    out->length = wire_writer_length(&w);
    return EFI_SUCCESS;
}

/* ---- dispatch ----------------------------------------------------------------------------- */

mm_return_t smm_serve(smm_gateway_t *gw, const smm_caller_t *caller, uint8_t *buffer, size_t size)
{
    wire_reader_t r;
    mm_header_t mm;
    wire_reader_init(&r, buffer, size);
    if (size < MM_HEADER_SIZE || !smm_msg_get_mm_header(&r, &mm) ||
        mm.message_length > size - MM_HEADER_SIZE) {
        return MM_RETURN_INVALID_PARAMETER;
    }
    if (!guid_is(&mm.guid, &smm_guid)) {
        return MM_RETURN_NOT_SUPPORTED;
    }
    if (mm.message_length < SMM_VAR_HEADER_SIZE) {
        return MM_RETURN_DENIED;
    }
    /* The peer shares this memory and may change it while we work: parse a private copy. */
    size_t message_length = (size_t)mm.message_length;
    size_t capacity = size - MM_HEADER_SIZE - SMM_VAR_HEADER_SIZE;
    uint8_t *request = malloc(message_length);
    uint8_t *response = malloc(capacity > 0 ? capacity : 1);
    if (request == NULL || response == NULL) {
        free(request);
        free(response);
        return MM_RETURN_NO_MEMORY;
    }
    memcpy(request, buffer + MM_HEADER_SIZE, message_length);
    wire_reader_t body;
    smm_var_header_t var;
    wire_reader_init(&body, request, message_length);
    smm_msg_get_var_header(&body, &var);
    const uint8_t *p = request + SMM_VAR_HEADER_SIZE;
    size_t len = message_length - SMM_VAR_HEADER_SIZE;
    reply_t out = {.data = response, .capacity = capacity, .length = 0};
    efi_status_t status = EFI_SUCCESS;
    mm_return_t rc = MM_RETURN_SUCCESS;

    pthread_mutex_lock(&gw->lock);
    switch (var.function) {
    case SMM_VAR_FN_GET_VARIABLE:
        status = get_variable(gw, p, len, &out);
        break;
    case SMM_VAR_FN_GET_NEXT_VARIABLE_NAME:
        status = get_next(gw, p, len, &out);
        break;
    case SMM_VAR_FN_SET_VARIABLE:
        status = set_variable(gw, p, len);
        {
            smm_access_t a;
            bool named = smm_msg_decode_access(p, len, &a) == EFI_SUCCESS;
            audit(gw, caller, var.function, named ? a.name : NULL, named ? (size_t)a.name_size : 0,
                  status);
        }
        break;
    case SMM_VAR_FN_QUERY_VARIABLE_INFO:
        status = query_info(gw, p, len, &out);
        break;
    case SMM_VAR_FN_READY_TO_BOOT:
        /* EDK2: only before ExitBootServices; locks the VarCheck properties. */
        if (gw->runtime) {
            status = EFI_UNSUPPORTED;
        } else {
            gw->ready_to_boot = true;
        }
        break;
    case SMM_VAR_FN_EXIT_BOOT_SERVICE:
        gw->runtime = true;
        break;
    case SMM_VAR_FN_VAR_CHECK_PROPERTY_SET:
        status = property_set(gw, p, len);
        {
            smm_var_check_t v;
            bool named = smm_msg_decode_var_check(p, len, &v) == EFI_SUCCESS;
            audit(gw, caller, var.function, named ? v.name : NULL, named ? (size_t)v.name_size : 0,
                  status);
        }
        break;
    case SMM_VAR_FN_VAR_CHECK_PROPERTY_GET:
        status = property_get(gw, p, len, &out);
        break;
    case SMM_VAR_FN_GET_PAYLOAD_SIZE: {
        /* As TS: the space for name + data after the 36-byte access header. */
        uint64_t ignored;
        if (smm_msg_decode_payload_size(p, len, &ignored) != EFI_SUCCESS) {
            status = EFI_INVALID_PARAMETER;
            break;
        }
        uint64_t payload = capacity > SMM_ACCESS_VARIABLE_NAME_OFFSET
                               ? capacity - SMM_ACCESS_VARIABLE_NAME_OFFSET
                               : 0;
        wire_writer_t w;
        wire_writer_init(&w, out.data, out.capacity);
        smm_msg_put_payload_size(&w, payload);
        out.length = wire_writer_length(&w);
        break;
    }
    default:
        /* TS: the provider has no handler (RPC_ERROR_INVALID_VALUE) -> INVALID_PARAMETER. */
        rc = MM_RETURN_INVALID_PARAMETER;
        break;
    }
    pthread_mutex_unlock(&gw->lock);

    if (rc == MM_RETURN_SUCCESS) {
        wire_writer_t w;
        wire_writer_init(&w, buffer, size);
        smm_msg_put_mm_header(&w, &mm.guid, SMM_VAR_HEADER_SIZE + out.length);
        smm_msg_put_var_header(&w, var.function, status);
        wire_put_bytes(&w, out.data, out.length); /* fits: out.capacity is the room left */
    }
    OPENSSL_cleanse(response, capacity > 0 ? capacity : 1);
    OPENSSL_cleanse(request, message_length);
    free(response);
    free(request);
    return rc;
}

/* ---- lifetime ----------------------------------------------------------------------------- */

psa_status_t smm_gateway_open(const smm_gateway_config_t *config, smm_gateway_t **out)
{
    *out = NULL;
    smm_gateway_t *gw = calloc(1, sizeof(*gw));
    if (gw == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    gw->config = *config;
    pthread_mutex_init(&gw->lock, NULL);
    psa_status_t status = var_store_open(&config->store, &gw->store);
    /* AuditMode and DeployedMode always exist (0 until a transition sets them). */
    const uint32_t stored = EFI_VARIABLE_NON_VOLATILE | MODE_ATTRIBUTES;
    uint8_t zero = 0;
    if (status == PSA_SUCCESS && find_global(gw, "AuditMode") == NULL) {
        status = put_internal(gw, "AuditMode", stored, &zero, 1);
    }
    if (status == PSA_SUCCESS && find_global(gw, "DeployedMode") == NULL) {
        status = put_internal(gw, "DeployedMode", stored, &zero, 1);
    }
    if (status == PSA_SUCCESS) {
        status = refresh_modes(gw);
    }
    for (size_t i = 0; status == PSA_SUCCESS && i < config->default_count; i++) {
        const smm_default_var_t *dv = &config->defaults[i];
        ucs_name_t n = ucs(dv->name);
        if (kind_of(&global_guid, n.b, n.size) != KIND_READ_ONLY || !strstr(dv->name, "Default") ||
            dv->size == 0 ||
            var_esl_check(dv->data, dv->size, strcmp(dv->name, "PKDefault") == 0) != EFI_SUCCESS) {
            status = PSA_ERROR_INVALID_ARGUMENT;
            break;
        }
        status = put_internal(gw, dv->name, ACCESS_BITS, dv->data, dv->size);
    }
    if (status != PSA_SUCCESS) {
        smm_gateway_close(gw);
        return status;
    }
    *out = gw;
    return PSA_SUCCESS;
}

void smm_gateway_close(smm_gateway_t *gw)
{
    if (gw == NULL) {
        return;
    }
    var_store_close(gw->store);
    pthread_mutex_destroy(&gw->lock);
    free(gw);
}
