/* smm_serve end to end in-process: U-Boot's byte layouts, every function, phases, VarCheck,
 * limits, persistence and damaged indexes (libpsa-local on a temporary state directory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <psa/protected_storage.h>

#include "base/wire.h"
#include "uefi_test_util.h"

#define NV EFI_VARIABLE_NON_VOLATILE
#define BS EFI_VARIABLE_BOOTSERVICE_ACCESS
#define RT EFI_VARIABLE_RUNTIME_ACCESS

static const efi_guid_t vendor =
    EFI_GUID_INIT(0x12345678u, 0x9abcu, 0xdef0u, 1, 2, 3, 4, 5, 6, 7, 8);
static const efi_guid_t global = EFI_GLOBAL_VARIABLE_GUID;

/* The SMM variable GUID as bytes on the wire (sheet §4.1 and §5.1). */
static const uint8_t smm_guid_bytes[16] = {0x33, 0xd5, 0x32, 0xed, 0xe6, 0x99, 0x09, 0x42,
                                           0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7};

static utu_gateway_t *fixture(void **state)
{
    return *state;
}

static int setup(void **state)
{
    utu_gateway_t *u = calloc(1, sizeof(*u));
    utu_wipe(VAR_STORE_DEFAULT_MAX_VARIABLES);
    psa_status_t st = u == NULL ? PSA_ERROR_INSUFFICIENT_MEMORY : utu_open(u, NULL);
    if (st != PSA_SUCCESS) {
        fprintf(stderr, "gateway open: %d\n", (int)st);
        free(u);
        return -1;
    }
    *state = u;
    return 0;
}

static int teardown(void **state)
{
    utu_gateway_t *u = *state;
    utu_close(u);
    free(u);
    return 0;
}

static void reopen(utu_gateway_t *u)
{
    utu_close(u);
    assert_int_equal(utu_open(u, NULL), PSA_SUCCESS);
}

static efi_status_t set_ascii(utu_gateway_t *u, const efi_guid_t *g, const char *name,
                              uint32_t attributes, const void *data, size_t size)
{
    size_t ns;
    const uint8_t *n = utu_name(name, &ns);
    return var_client_set(&u->client, g, n, ns, attributes, data, size);
}

static efi_status_t get_ascii(utu_gateway_t *u, const efi_guid_t *g, const char *name,
                              uint32_t *attributes, uint8_t *data, size_t *size)
{
    size_t ns;
    const uint8_t *n = utu_name(name, &ns);
    return var_client_get(&u->client, g, n, ns, attributes, data, size);
}

/* ---- U-Boot's layouts, written field by field as efi_variable_tee.c does -------------- */

/* MM header + SMM header for `function` with a payload of payload_size bytes at offset 40. */
static void uboot_headers(uint8_t *buf, uint64_t function, size_t payload_size)
{
    memcpy(buf, smm_guid_bytes, 16);
    wire_store_u64(buf + 16, 16 + payload_size); /* MessageLength */
    wire_store_u64(buf + 24, function);
    wire_store_u64(buf + 32, 0x8000000000000003ull); /* ReturnStatus: U-Boot presets UNSUPPORTED */
}

/* smm_variable_access with U-Boot's sizeof of 40: name at 36, 4 zero bytes accounted at the
 * end of the message (the name and data start at 36 nevertheless). */
static size_t uboot_access(uint8_t *buf, uint64_t function, const efi_guid_t *g, const char *name,
                           uint32_t attributes, const uint8_t *data, size_t data_size)
{
    size_t ns;
    const uint8_t *n = utu_name(name, &ns);
    size_t payload = 40 + ns + data_size;
    memset(buf, 0, 24 + 16 + payload);
    uboot_headers(buf, function, payload);
    uint8_t *p = buf + 40;
    memcpy(p, g->b, 16);
    wire_store_u64(p + 16, data_size);
    wire_store_u64(p + 24, ns);
    wire_store_u32(p + 32, attributes);
    memcpy(p + 36, n, ns);
    if (data != NULL) {
        memcpy(p + 36 + ns, data, data_size);
    }
    return 24 + 16 + payload;
}

static void test_uboot_payload_size(void **state)
{
    utu_gateway_t *u = fixture(state);
    uint8_t *buf = u->buffer;
    memset(buf, 0xee, UTU_BUFFER_SIZE);
    uboot_headers(buf, SMM_VAR_FN_GET_PAYLOAD_SIZE, 8);
    memset(buf + 40, 0, 8);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    /* 32768 - 24 - 16 - 36 = 32692 (sheet §4.3), reply MessageLength 24. */
    static const uint8_t expect[48] = {0x33, 0xd5, 0x32, 0xed, 0xe6, 0x99, 0x09, 0x42, 0x9c, 0xc0,
                                       0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7, 24,   0,    0,    0,
                                       0,    0,    0,    0,    11,   0,    0,    0,    0,    0,
                                       0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
                                       0xb4, 0x7f, 0,    0,    0,    0,    0,    0};
    assert_memory_equal(buf, expect, sizeof(expect));
}

static void test_uboot_set_get_bytes(void **state)
{
    utu_gateway_t *u = fixture(state);
    uint8_t *buf = u->buffer;
    static const uint8_t value[5] = {1, 2, 3, 4, 5};
    size_t len = uboot_access(buf, SMM_VAR_FN_SET_VARIABLE, &vendor, "Uboot", NV | BS | RT, value,
                              sizeof(value));
    assert_int_equal(len, 24 + 16 + 40 + 12 + 5);
    assert_int_equal(wire_load_u64(buf + 16), 16 + 40 + 12 + 5); /* 4 bytes over the exact */
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 32), EFI_SUCCESS);

    /* GET with a 16-byte data buffer, as U-Boot asks: MessageLength 16 + 40 + 12 + 16. */
    uboot_access(buf, SMM_VAR_FN_GET_VARIABLE, &vendor, "Uboot", 0, NULL, 16);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    uint8_t expect[24 + 16 + 36 + 12 + 5];
    memcpy(expect, smm_guid_bytes, 16);
    wire_store_u64(expect + 16, 16 + 36 + 12 + 5); /* never longer than the request */
    wire_store_u64(expect + 24, SMM_VAR_FN_GET_VARIABLE);
    wire_store_u64(expect + 32, EFI_SUCCESS);
    memcpy(expect + 40, vendor.b, 16);
    wire_store_u64(expect + 56, 5);
    wire_store_u64(expect + 64, 12);
    wire_store_u32(expect + 72, NV | BS | RT);
    size_t ns;
    memcpy(expect + 76, utu_name("Uboot", &ns), 12);
    memcpy(expect + 88, value, 5);
    assert_memory_equal(buf, expect, sizeof(expect));

    /* Size query with DataSize 0: BUFFER_TOO_SMALL, DataSize 5, reply 36 + NameSize. */
    uboot_access(buf, SMM_VAR_FN_GET_VARIABLE, &vendor, "Uboot", 0, NULL, 0);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 16), 16 + 36 + 12);
    assert_int_equal(wire_load_u64(buf + 32), EFI_BUFFER_TOO_SMALL);
    assert_int_equal(wire_load_u64(buf + 56), 5);
    assert_int_equal(wire_load_u32(buf + 72), NV | BS | RT);
}

/* GET_NEXT as U-Boot sends it: NameSize = the caller's buffer, the name zero-filled to it. */
static size_t uboot_get_next(uint8_t *buf, const efi_guid_t *g, const uint8_t *name,
                             size_t name_len, uint64_t name_size_field, size_t carried)
{
    size_t payload = 24 + carried;
    memset(buf, 0, 24 + 16 + payload);
    uboot_headers(buf, SMM_VAR_FN_GET_NEXT_VARIABLE_NAME, payload);
    memcpy(buf + 40, g->b, 16);
    wire_store_u64(buf + 56, name_size_field);
    memcpy(buf + 64, name, name_len);
    return 24 + 16 + payload;
}

static void test_uboot_get_next(void **state)
{
    utu_gateway_t *u = fixture(state);
    uint8_t *buf = u->buffer;
    static const efi_guid_t zero;
    assert_int_equal(set_ascii(u, &vendor, "Alpha", NV | BS | RT, "a", 1), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "Beta", BS, "b", 1), EFI_SUCCESS);
    /* Walk: the mode variables come first (created at open), then Alpha, Beta. */
    uint8_t name[1024] = {0};
    efi_guid_t g = zero;
    size_t seen = 0;
    bool alpha = false, beta = false;
    for (;;) {
        uboot_get_next(buf, &g, name, sizeof(name), 1024, 1024);
        assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
        efi_status_t st = wire_load_u64(buf + 32);
        if (st == EFI_NOT_FOUND) {
            assert_int_equal(wire_load_u64(buf + 56), 0);
            assert_int_equal(wire_load_u64(buf + 16), 16 + 24);
            break;
        }
        assert_int_equal(st, EFI_SUCCESS);
        size_t ns = (size_t)wire_load_u64(buf + 56);
        assert_int_equal(wire_load_u64(buf + 16), 16 + 24 + ns);
        memcpy(g.b, buf + 40, 16);
        memset(name, 0, sizeof(name));
        memcpy(name, buf + 64, ns);
        size_t an;
        alpha |= ns == 12 && memcmp(name, utu_name("Alpha", &an), 12) == 0;
        beta |= ns == 10 && memcmp(name, utu_name("Beta", &an), 10) == 0;
        seen++;
    }
    assert_true(alpha && beta);
    assert_int_equal(seen, 4 + 2); /* AuditMode, DeployedMode, SetupMode, SecureBoot */

    /* TS's attack test values: SIZE_MAX with an empty name is SUCCESS (clamped), 1 is
     * INVALID_PARAMETER, 2 is BUFFER_TOO_SMALL with the size needed. */
    uint8_t empty[2] = {0, 0};
    uboot_get_next(buf, &zero, empty, 2, UINT64_MAX, 2);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 32), EFI_SUCCESS);
    uboot_get_next(buf, &zero, empty, 2, 1, 2);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 32), EFI_INVALID_PARAMETER);
    uboot_get_next(buf, &zero, empty, 2, 2, 2);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 32), EFI_BUFFER_TOO_SMALL);
    assert_true(wire_load_u64(buf + 56) > 2);
    assert_int_equal(wire_load_u64(buf + 16), 16 + 24);
    /* A name that is not stored: INVALID_PARAMETER; a name without NUL: the same. */
    size_t gn;
    const uint8_t *gamma = utu_name("Gamma", &gn);
    uboot_get_next(buf, &vendor, gamma, gn, 64, 64);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 32), EFI_INVALID_PARAMETER);
    uint8_t no_nul[4] = {'A', 0, 'B', 0};
    uboot_get_next(buf, &vendor, no_nul, 4, 4, 4);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 32), EFI_INVALID_PARAMETER);
}

static void test_uboot_query_and_ebs(void **state)
{
    utu_gateway_t *u = fixture(state);
    uint8_t *buf = u->buffer;
    memset(buf, 0, 24 + 16 + 32);
    uboot_headers(buf, SMM_VAR_FN_QUERY_VARIABLE_INFO, 32);
    wire_store_u32(buf + 40 + 24, NV | BS | RT);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 16), 16 + 32);
    assert_int_equal(wire_load_u64(buf + 32), EFI_SUCCESS);
    uint64_t max = wire_load_u64(buf + 40), remaining = wire_load_u64(buf + 48);
    assert_int_equal(max, VAR_STORE_DEFAULT_CAPACITY);
    /* AuditMode (20 bytes of name + 1) and DeployedMode (26 + 1) are the NV variables. */
    assert_int_equal(remaining, VAR_STORE_DEFAULT_CAPACITY - 21 - 27);
    assert_int_equal(wire_load_u64(buf + 56), VAR_STORE_DEFAULT_MAX_DATA_SIZE);
    assert_int_equal(wire_load_u32(buf + 64), NV | BS | RT);

    /* A write of 100 bytes costs name + data. */
    uint8_t data[100] = {0};
    assert_int_equal(set_ascii(u, &vendor, "Q", NV | BS, data, sizeof(data)), EFI_SUCCESS);
    smm_query_t q;
    assert_int_equal(var_client_query(&u->client, NV | BS, &q), EFI_SUCCESS);
    assert_int_equal(q.remaining_storage_size, remaining - 4 - 100);
    assert_int_equal(var_client_query(&u->client, NV, &q), EFI_INVALID_PARAMETER);
    assert_int_equal(var_client_query(&u->client, BS | EFI_VARIABLE_HARDWARE_ERROR_RECORD, &q),
                     EFI_UNSUPPORTED);

    /* EXIT_BOOT_SERVICE: MessageLength 16, no payload, SUCCESS. */
    uboot_headers(buf, SMM_VAR_FN_EXIT_BOOT_SERVICE, 0);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 16), 16);
    assert_int_equal(wire_load_u64(buf + 32), EFI_SUCCESS);
}

/* U-Boot's read-only variables: SET, then PROPERTY_SET {READ_ONLY, MinSize 1, MaxSize}; an
 * internal rewrite lifts READ_ONLY; a delete then works (EDK2 rule, not TS's). */
static void test_uboot_read_only_flow(void **state)
{
    utu_gateway_t *u = fixture(state);
    size_t ns;
    const uint8_t *n = utu_name("RoVar", &ns);
    assert_int_equal(set_ascii(u, &vendor, "RoVar", NV | BS | RT, "abcd", 4), EFI_SUCCESS);
    var_check_property_t ro = {1, VAR_CHECK_PROPERTY_READ_ONLY, NV | BS | RT, 1, 4};
    assert_int_equal(var_client_property_set(&u->client, &vendor, n, ns, &ro), EFI_SUCCESS);
    var_check_property_t got;
    assert_int_equal(var_client_property_get(&u->client, &vendor, n, ns, &got), EFI_SUCCESS);
    assert_memory_equal(&got, &ro, sizeof(ro));
    assert_int_equal(set_ascii(u, &vendor, "RoVar", NV | BS | RT, "wxyz", 4), EFI_WRITE_PROTECTED);
    assert_int_equal(set_ascii(u, &vendor, "RoVar", 0, NULL, 0), EFI_WRITE_PROTECTED);
    uint8_t back[8];
    size_t bs = sizeof(back);
    assert_int_equal(get_ascii(u, &vendor, "RoVar", NULL, back, &bs), EFI_SUCCESS);
    assert_memory_equal(back, "abcd", 4);
    /* The property is persisted with the NV variable. */
    reopen(u);
    assert_int_equal(set_ascii(u, &vendor, "RoVar", NV | BS | RT, "wxyz", 4), EFI_WRITE_PROTECTED);
    /* Lift READ_ONLY (other fields kept): sizes still apply to writes, not to deletes. */
    var_check_property_t lifted = ro;
    lifted.property = 0;
    assert_int_equal(var_client_property_set(&u->client, &vendor, n, ns, &lifted), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "RoVar", NV | BS | RT, "toolong", 7),
                     EFI_INVALID_PARAMETER);
    assert_int_equal(set_ascii(u, &vendor, "RoVar", NV | BS | RT, "wx", 2), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "RoVar", NV | BS | RT, NULL, 0), EFI_SUCCESS);
    bs = sizeof(back);
    assert_int_equal(get_ascii(u, &vendor, "RoVar", NULL, back, &bs), EFI_NOT_FOUND);
    /* Constraints outlive the variable. */
    assert_int_equal(var_client_property_get(&u->client, &vendor, n, ns, &got), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "RoVar", NV | BS | RT, "toolong", 7),
                     EFI_INVALID_PARAMETER);
}

static void test_var_check_rules(void **state)
{
    utu_gateway_t *u = fixture(state);
    size_t ns;
    const uint8_t *n = utu_name("Prop", &ns);
    var_check_property_t p = {2, 0, 0, 0, 10}, got;
    assert_int_equal(var_client_property_set(&u->client, &vendor, n, ns, &p),
                     EFI_INVALID_PARAMETER);
    p = (var_check_property_t){1, 0, 0, 11, 10};
    assert_int_equal(var_client_property_set(&u->client, &vendor, n, ns, &p),
                     EFI_INVALID_PARAMETER);
    assert_int_equal(var_client_property_get(&u->client, &vendor, n, ns, &got), EFI_NOT_FOUND);
    p = (var_check_property_t){1, 0, 0, 2, 3};
    assert_int_equal(var_client_property_set(&u->client, &vendor, n, ns, &p), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "Prop", BS, "a", 1), EFI_INVALID_PARAMETER);
    assert_int_equal(set_ascii(u, &vendor, "Prop", BS, "abcd", 4), EFI_INVALID_PARAMETER);
    assert_int_equal(set_ascii(u, &vendor, "Prop", BS, "ab", 2), EFI_SUCCESS);
    /* READY_TO_BOOT locks the properties; after ExitBootServices it is UNSUPPORTED. */
    assert_int_equal(var_client_signal(&u->client, SMM_VAR_FN_READY_TO_BOOT), EFI_SUCCESS);
    assert_int_equal(var_client_property_set(&u->client, &vendor, n, ns, &p), EFI_ACCESS_DENIED);
    assert_int_equal(var_client_signal(&u->client, SMM_VAR_FN_EXIT_BOOT_SERVICE), EFI_SUCCESS);
    assert_int_equal(var_client_signal(&u->client, SMM_VAR_FN_READY_TO_BOOT), EFI_UNSUPPORTED);
}

static void test_attributes(void **state)
{
    utu_gateway_t *u = fixture(state);
    assert_int_equal(set_ascii(u, &vendor, "A", 0x100 | BS, "x", 1), EFI_UNSUPPORTED);
    assert_int_equal(set_ascii(u, &vendor, "A", BS | EFI_VARIABLE_HARDWARE_ERROR_RECORD, "x", 1),
                     EFI_UNSUPPORTED);
    assert_int_equal(
        set_ascii(u, &vendor, "A", BS | EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS, "x", 1),
        EFI_UNSUPPORTED);
    assert_int_equal(
        set_ascii(u, &vendor, "A", BS | EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS, "x", 1),
        EFI_UNSUPPORTED);
    assert_int_equal(set_ascii(u, &vendor, "A", BS | 0xa0, "x", 1), EFI_INVALID_PARAMETER);
    assert_int_equal(set_ascii(u, &vendor, "A", RT, "x", 1), EFI_INVALID_PARAMETER);
    assert_int_equal(set_ascii(u, &vendor, "A", BS, NULL, 0), EFI_NOT_FOUND);
    assert_int_equal(set_ascii(u, &vendor, "A", NV | BS, "x", 1), EFI_SUCCESS);
    /* An update must keep the attributes (APPEND_WRITE aside); nothing changes on refusal. */
    assert_int_equal(set_ascii(u, &vendor, "A", NV | BS | RT, "y", 1), EFI_INVALID_PARAMETER);
    assert_int_equal(set_ascii(u, &vendor, "A", BS, "y", 1), EFI_INVALID_PARAMETER);
    assert_int_equal(set_ascii(u, &vendor, "A", NV | BS | EFI_VARIABLE_APPEND_WRITE, "yz", 2),
                     EFI_SUCCESS);
    uint8_t back[8];
    size_t bs = sizeof(back);
    uint32_t attrs = 0;
    assert_int_equal(get_ascii(u, &vendor, "A", &attrs, back, &bs), EFI_SUCCESS);
    assert_int_equal(bs, 3);
    assert_memory_equal(back, "xyz", 3);
    assert_int_equal(attrs, NV | BS);
    /* Append of nothing is a successful no-op; to a missing variable it creates it. */
    assert_int_equal(set_ascii(u, &vendor, "A", NV | BS | EFI_VARIABLE_APPEND_WRITE, NULL, 0),
                     EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "New", BS | EFI_VARIABLE_APPEND_WRITE, "n", 1),
                     EFI_SUCCESS);
    /* Delete with attributes 0. */
    assert_int_equal(set_ascii(u, &vendor, "A", 0, NULL, 0), EFI_SUCCESS);
    bs = sizeof(back);
    assert_int_equal(get_ascii(u, &vendor, "A", NULL, back, &bs), EFI_NOT_FOUND);
    /* Read-only platform variables. */
    assert_int_equal(set_ascii(u, &global, "SetupMode", BS | RT, "\0", 1), EFI_WRITE_PROTECTED);
    assert_int_equal(set_ascii(u, &global, "SecureBoot", BS | RT, "\1", 1), EFI_WRITE_PROTECTED);
    assert_int_equal(set_ascii(u, &global, "dbDefault", BS | RT, "\1", 1), EFI_WRITE_PROTECTED);
    /* Key databases only take time-based authenticated writes. */
    assert_int_equal(set_ascii(u, &global, "PK", NV | BS | RT, "x", 1), EFI_INVALID_PARAMETER);
}

static void test_phases(void **state)
{
    utu_gateway_t *u = fixture(state);
    assert_int_equal(set_ascii(u, &vendor, "BsOnly", NV | BS, "b", 1), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "BsRt", NV | BS | RT, "r", 1), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "Vol", BS | RT, "v", 1), EFI_SUCCESS);
    assert_int_equal(var_client_signal(&u->client, SMM_VAR_FN_EXIT_BOOT_SERVICE), EFI_SUCCESS);
    uint8_t back[8];
    size_t bs = sizeof(back);
    assert_int_equal(get_ascii(u, &vendor, "BsOnly", NULL, back, &bs), EFI_NOT_FOUND);
    assert_int_equal(set_ascii(u, &vendor, "BsOnly", 0, NULL, 0), EFI_NOT_FOUND);
    bs = sizeof(back);
    assert_int_equal(get_ascii(u, &vendor, "BsRt", NULL, back, &bs), EFI_SUCCESS);
    /* Runtime: volatile variables are read-only, new ones must be NV + RT. */
    assert_int_equal(set_ascii(u, &vendor, "Vol", BS | RT, "w", 1), EFI_WRITE_PROTECTED);
    assert_int_equal(set_ascii(u, &vendor, "New", BS | RT, "n", 1), EFI_INVALID_PARAMETER);
    assert_int_equal(set_ascii(u, &vendor, "New", NV | BS, "n", 1), EFI_INVALID_PARAMETER);
    assert_int_equal(set_ascii(u, &vendor, "New", NV | BS | RT, "n", 1), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &global, "AuditMode", BS | RT, "\1", 1), EFI_WRITE_PROTECTED);
    /* GetNext skips BsOnly. */
    uint8_t name[256] = {0};
    efi_guid_t g = {{0}};
    bool saw_bs_only = false;
    for (;;) {
        size_t ns = sizeof(name);
        efi_status_t st = var_client_next(&u->client, &g, name, &ns);
        if (st == EFI_NOT_FOUND) {
            break;
        }
        assert_int_equal(st, EFI_SUCCESS);
        size_t bn;
        saw_bs_only |= ns == 14 && memcmp(name, utu_name("BsOnly", &bn), 14) == 0;
    }
    assert_false(saw_bs_only);
    /* A restart is a new boot: boot services again, volatile variables gone. */
    reopen(u);
    bs = sizeof(back);
    assert_int_equal(get_ascii(u, &vendor, "BsOnly", NULL, back, &bs), EFI_SUCCESS);
    bs = sizeof(back);
    assert_int_equal(get_ascii(u, &vendor, "Vol", NULL, back, &bs), EFI_NOT_FOUND);
    bs = sizeof(back);
    assert_int_equal(get_ascii(u, &vendor, "New", NULL, back, &bs), EFI_SUCCESS);
}

static void test_mm_envelope(void **state)
{
    utu_gateway_t *u = fixture(state);
    uint8_t *buf = u->buffer;
    uboot_headers(buf, SMM_VAR_FN_EXIT_BOOT_SERVICE + 1, 0); /* 7: not defined */
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_INVALID_PARAMETER);
    uboot_headers(buf, SMM_VAR_FN_EXIT_BOOT_SERVICE, 0);
    wire_store_u64(buf + 16, 15);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_DENIED);
    wire_store_u64(buf + 16, UTU_BUFFER_SIZE - 24 + 1);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_INVALID_PARAMETER);
    wire_store_u64(buf + 16, UINT64_MAX);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_INVALID_PARAMETER);
    assert_int_equal(utu_call(u->gw, buf, 23), MM_RETURN_INVALID_PARAMETER);
    uboot_headers(buf, SMM_VAR_FN_EXIT_BOOT_SERVICE, 0);
    buf[0] ^= 1;
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_NOT_SUPPORTED);
    uboot_headers(buf, SMM_VAR_FN_GET_PAYLOAD_SIZE, 4);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 32), EFI_INVALID_PARAMETER);
    /* Access payloads: short header, NameSize beyond the message, odd or unterminated name,
     * DataSize beyond the message. */
    uboot_access(buf, SMM_VAR_FN_SET_VARIABLE, &vendor, "X", BS, (const uint8_t *)"d", 1);
    wire_store_u64(buf + 40 + 24, 1000);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 32), EFI_INVALID_PARAMETER);
    uboot_access(buf, SMM_VAR_FN_SET_VARIABLE, &vendor, "X", BS, (const uint8_t *)"d", 1);
    wire_store_u64(buf + 40 + 16, 100);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 32), EFI_INVALID_PARAMETER);
    uboot_access(buf, SMM_VAR_FN_SET_VARIABLE, &vendor, "X", BS, (const uint8_t *)"d", 1);
    wire_store_u64(buf + 40 + 24, 3);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 32), EFI_INVALID_PARAMETER);
    uboot_headers(buf, SMM_VAR_FN_GET_VARIABLE, 20);
    assert_int_equal(utu_call(u->gw, buf, UTU_BUFFER_SIZE), MM_RETURN_SUCCESS);
    assert_int_equal(wire_load_u64(buf + 32), EFI_INVALID_PARAMETER);
    uint8_t back[4];
    size_t bs = sizeof(back);
    assert_int_equal(get_ascii(u, &vendor, "X", NULL, back, &bs), EFI_NOT_FOUND);
}

static void test_limits(void **state)
{
    utu_gateway_t *u = fixture(state);
    utu_close(u);
    utu_wipe(VAR_STORE_DEFAULT_MAX_VARIABLES);
    smm_gateway_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.store.max_variables = 8;
    cfg.store.max_data_size = 64;
    cfg.store.max_name_units = 8;
    cfg.store.nv_capacity = 180;
    assert_int_equal(utu_open(u, &cfg), PSA_SUCCESS);
    uint8_t data[65] = {0};
    assert_int_equal(set_ascii(u, &vendor, "Big", BS, data, 65), EFI_INVALID_PARAMETER);
    assert_int_equal(set_ascii(u, &vendor, "Big", BS, data, 64), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "Big", BS | EFI_VARIABLE_APPEND_WRITE, data, 1),
                     EFI_INVALID_PARAMETER);
    assert_int_equal(set_ascii(u, &vendor, "Name8ch", BS, "x", 1), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "Name9chr", BS, "x", 1), EFI_OUT_OF_RESOURCES);
    /* 4 mode variables + Big + Name8ch = 6 slots; 2 left. */
    assert_int_equal(set_ascii(u, &vendor, "V1", BS, "x", 1), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "V2", BS, "x", 1), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "V3", BS, "x", 1), EFI_OUT_OF_RESOURCES);
    assert_int_equal(set_ascii(u, &vendor, "V2", 0, NULL, 0), EFI_SUCCESS);
    /* NV capacity 180: AuditMode and DeployedMode hold 48; a 64-byte value under a 6-byte name
     * (70) fits once, a second does not (188). */
    assert_int_equal(set_ascii(u, &vendor, "N1", NV | BS, data, 64), EFI_SUCCESS);
    smm_query_t q;
    assert_int_equal(var_client_query(&u->client, NV | BS, &q), EFI_SUCCESS);
    assert_int_equal(q.maximum_storage_size, 180);
    assert_int_equal(q.remaining_storage_size, 180 - 48 - 70);
    /* The largest variable that still fits is bounded by what remains. */
    assert_int_equal(q.maximum_variable_size, 180 - 48 - 70);
    assert_int_equal(set_ascii(u, &vendor, "V1", 0, NULL, 0), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "N2", NV | BS, data, 64), EFI_OUT_OF_RESOURCES);
    assert_int_equal(set_ascii(u, &vendor, "N2", NV | BS, data, 10), EFI_SUCCESS);
    assert_int_equal(var_client_query(&u->client, NV | BS, &q), EFI_SUCCESS);
    assert_int_equal(q.remaining_storage_size, 180 - 48 - 70 - 16);
    assert_int_equal(q.maximum_variable_size, 180 - 48 - 70 - 16);
    utu_close(u);
    utu_wipe(VAR_STORE_DEFAULT_MAX_VARIABLES);
    assert_int_equal(utu_open(u, NULL), PSA_SUCCESS);
}

static void test_persistence_and_damage(void **state)
{
    utu_gateway_t *u = fixture(state);
    assert_int_equal(set_ascii(u, &vendor, "Keep", NV | BS | RT, "keep", 4), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "Gone", NV | BS | RT, "gone", 4), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "Gone", 0, NULL, 0), EFI_SUCCESS);
    /* An orphan data object (a crash between writing data and committing) is purged. */
    assert_int_equal(psa_ps_set(200, 3, "orp", 0), PSA_SUCCESS);
    reopen(u);
    struct psa_storage_info_t info;
    assert_int_equal(psa_ps_get_info(200, &info), PSA_ERROR_DOES_NOT_EXIST);
    uint8_t back[8];
    size_t bs = sizeof(back);
    assert_int_equal(get_ascii(u, &vendor, "Keep", NULL, back, &bs), EFI_SUCCESS);
    assert_memory_equal(back, "keep", 4);
    bs = sizeof(back);
    assert_int_equal(get_ascii(u, &vendor, "Gone", NULL, back, &bs), EFI_NOT_FOUND);
    utu_close(u);

    /* Both index copies exist; damage the active one: the open fails, nothing is emptied. */
    uint8_t a[4096], b[4096];
    size_t al = 0, bl = 0;
    assert_int_equal(psa_ps_get(VAR_INDEX_UID_A, 0, sizeof(a), a, &al), PSA_SUCCESS);
    assert_int_equal(psa_ps_get(VAR_INDEX_UID_B, 0, sizeof(b), b, &bl), PSA_SUCCESS);
    uint8_t bad[64];
    memset(bad, 0x5a, sizeof(bad));
    assert_int_equal(psa_ps_set(VAR_INDEX_UID_A, sizeof(bad), bad, 0), PSA_SUCCESS);
    smm_gateway_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    smm_gateway_t *gw = NULL;
    assert_int_equal(smm_gateway_open(&cfg, &gw), PSA_ERROR_DATA_CORRUPT);
    assert_null(gw);
    /* Equal counters: no way to tell which is newer. */
    assert_int_equal(psa_ps_set(VAR_INDEX_UID_A, bl, b, 0), PSA_SUCCESS);
    assert_int_equal(smm_gateway_open(&cfg, &gw), PSA_ERROR_DATA_CORRUPT);
    /* A record naming a data object that is gone. */
    assert_int_equal(psa_ps_set(VAR_INDEX_UID_A, al, a, 0), PSA_SUCCESS);
    assert_int_equal(utu_open(u, NULL), PSA_SUCCESS);
    utu_close(u);
    uint8_t saved[8];
    size_t sl = 0;
    uint64_t uid = 0;
    for (uint64_t i = 1; i <= VAR_STORE_DEFAULT_MAX_VARIABLES + 1; i++) {
        if (psa_ps_get(i, 0, sizeof(saved), saved, &sl) == PSA_SUCCESS && sl == 4 &&
            memcmp(saved, "keep", 4) == 0) {
            uid = i;
        }
    }
    assert_true(uid != 0);
    assert_int_equal(psa_ps_remove(uid), PSA_SUCCESS);
    assert_int_equal(smm_gateway_open(&cfg, &gw), PSA_ERROR_DATA_CORRUPT);
    assert_int_equal(psa_ps_set(uid, 4, "keep", 0), PSA_SUCCESS);
    assert_int_equal(utu_open(u, NULL), PSA_SUCCESS);
    bs = sizeof(back);
    assert_int_equal(get_ascii(u, &vendor, "Keep", NULL, back, &bs), EFI_SUCCESS);
}

static void test_modes_initial(void **state)
{
    utu_gateway_t *u = fixture(state);
    const char *names[] = {"SetupMode", "SecureBoot", "AuditMode", "DeployedMode"};
    const uint8_t expect[] = {1, 0, 0, 0};
    const uint32_t attrs[] = {BS | RT, BS | RT, NV | BS | RT, NV | BS | RT};
    for (size_t i = 0; i < 4; i++) {
        uint8_t v = 0xff;
        size_t bs = 1;
        uint32_t a = 0;
        assert_int_equal(get_ascii(u, &global, names[i], &a, &v, &bs), EFI_SUCCESS);
        assert_int_equal(bs, 1);
        assert_int_equal(v, expect[i]);
        assert_int_equal(a, attrs[i]);
    }
    /* Audit mode from Setup mode; it cannot be left by writing 0. DeployedMode needs User. */
    assert_int_equal(set_ascii(u, &global, "DeployedMode", BS | RT, "\1", 1), EFI_WRITE_PROTECTED);
    assert_int_equal(set_ascii(u, &global, "AuditMode", BS | RT, "\2", 1), EFI_INVALID_PARAMETER);
    assert_int_equal(set_ascii(u, &global, "AuditMode", BS | RT, "\1", 1), EFI_SUCCESS);
    assert_int_equal(set_ascii(u, &global, "AuditMode", BS | RT, "\0", 1), EFI_WRITE_PROTECTED);
    assert_int_equal(set_ascii(u, &global, "AuditMode", 0, NULL, 0), EFI_WRITE_PROTECTED);
    uint8_t v = 0;
    size_t bs = 1;
    assert_int_equal(get_ascii(u, &global, "AuditMode", NULL, &v, &bs), EFI_SUCCESS);
    assert_int_equal(v, 1);
    reopen(u); /* persisted */
    bs = 1;
    assert_int_equal(get_ascii(u, &global, "AuditMode", NULL, &v, &bs), EFI_SUCCESS);
    assert_int_equal(v, 1);
}

typedef struct audit_log {
    int calls;
    uint64_t function;
    efi_status_t status;
    uid_t uid;
    size_t name_size;
} audit_log_t;

static void record_audit(void *ctx, const smm_caller_t *caller, uint64_t function,
                         const uint8_t *name, size_t name_size, efi_status_t status)
{
    audit_log_t *log = ctx;
    (void)name;
    log->calls++;
    log->function = function;
    log->status = status;
    log->uid = caller->uid;
    log->name_size = name_size;
}

/* The audit hook sees every SET_VARIABLE and property change with the caller and the outcome,
 * and nothing for reads. */
static void test_audit_hook(void **state)
{
    utu_gateway_t *u = fixture(state);
    utu_close(u);
    audit_log_t log = {0};
    smm_gateway_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.audit = record_audit;
    cfg.audit_ctx = &log;
    assert_int_equal(utu_open(u, &cfg), PSA_SUCCESS);
    assert_int_equal(set_ascii(u, &vendor, "Aud", BS, "x", 1), EFI_SUCCESS);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.function, SMM_VAR_FN_SET_VARIABLE);
    assert_int_equal(log.status, EFI_SUCCESS);
    assert_int_equal(log.name_size, 8);
    assert_int_equal(set_ascii(u, &vendor, "Aud", RT, "x", 1), EFI_INVALID_PARAMETER);
    assert_int_equal(log.calls, 2);
    assert_int_equal(log.status, EFI_INVALID_PARAMETER);
    uint8_t back[4];
    size_t bs = sizeof(back);
    assert_int_equal(get_ascii(u, &vendor, "Aud", NULL, back, &bs), EFI_SUCCESS);
    assert_int_equal(log.calls, 2);
    size_t ns;
    const uint8_t *n = utu_name("Aud", &ns);
    var_check_property_t p = {1, 0, 0, 0, 8};
    assert_int_equal(var_client_property_set(&u->client, &vendor, n, ns, &p), EFI_SUCCESS);
    assert_int_equal(log.calls, 3);
    assert_int_equal(log.function, SMM_VAR_FN_VAR_CHECK_PROPERTY_SET);
    assert_int_equal(log.name_size, 8);
    assert_int_equal(log.uid, UTU_CALLER_UID);
    utu_close(u);
    assert_int_equal(utu_open(u, NULL), PSA_SUCCESS);
}

int main(void)
{
    utu_state_dir();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_uboot_payload_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uboot_set_get_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uboot_get_next, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uboot_query_and_ebs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uboot_read_only_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_var_check_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mm_envelope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_persistence_and_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modes_initial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_hook, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
