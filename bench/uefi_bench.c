/* SetVariable and GetVariable through smm-gateway (MM buffer on its socket -> smm_serve -> its
 * store on PS in rssd) against a direct psa_ps_set / psa_ps_get of the same data, same rssd, same
 * run. Needs rssd at $RSS_SOCKET and smm-gateway at $SMM_GATEWAY_SOCKET (or the defaults). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psa/protected_storage.h>

#include "bench_util.h"
#include "uefi/var_gateway.h"

#define SECONDS 0.5

typedef struct ctx {
    var_gateway_t *gateway;
    size_t size;
    uint8_t data[4096];
    uint64_t counter;
} ctx_t;

static const efi_guid_t vendor =
    EFI_GUID_INIT(0xbe4cbe4cu, 0x1111u, 0x2222u, 1, 2, 3, 4, 5, 6, 7, 8);
static const uint8_t name[] = {'B', 0, 'e', 0, 'n', 0, 'c', 0, 'h', 0, 0, 0};

static int set_variable(void *arg)
{
    ctx_t *c = arg;
    c->data[0] = (uint8_t)c->counter++;
    efi_status_t st = var_client_set(&c->gateway->client, &vendor, name, sizeof(name),
                                     EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS |
                                         EFI_VARIABLE_RUNTIME_ACCESS,
                                     c->data, c->size);
    return st == EFI_SUCCESS ? 0 : -1;
}

static int get_variable(void *arg)
{
    ctx_t *c = arg;
    uint8_t out[4096];
    size_t n = sizeof(out);
    efi_status_t st = var_client_get(&c->gateway->client, &vendor, name, sizeof(name), NULL, out, &n);
    return st == EFI_SUCCESS && n == c->size ? 0 : -1;
}

static int ps_set(void *arg)
{
    ctx_t *c = arg;
    c->data[0] = (uint8_t)c->counter++;
    return psa_ps_set(0x42, c->size, c->data, 0) == PSA_SUCCESS ? 0 : -1;
}

static int ps_get(void *arg)
{
    ctx_t *c = arg;
    uint8_t out[4096];
    size_t n = 0;
    return psa_ps_get(0x42, 0, c->size, out, &n) == PSA_SUCCESS && n == c->size ? 0 : -1;
}

int main(void)
{
    static var_gateway_t gateway;
    psa_status_t st = var_gateway_open(&gateway, NULL);
    if (st != PSA_SUCCESS) {
        fprintf(stderr, "uefi_bench: cannot reach smm-gateway at %s: %s\n", gateway.path,
                var_gateway_status_text(st));
        return 1;
    }
    printf("UEFI variables through smm-gateway vs direct PS (both through rssd), %s\n",
           "SetVariable of an NV variable = data object + index commit");
    bench_table_header();
    static const size_t sizes[] = {64, 4096};
    int rc = 0;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        ctx_t c = {.gateway = &gateway, .size = sizes[i]};
        memset(c.data, 0x5a, sizeof(c.data));
        char label[64];
        double ours = bench_rate(set_variable, &c, SECONDS);
        double base = bench_rate(ps_set, &c, SECONDS);
        snprintf(label, sizeof(label), "SetVariable %zu B / psa_ps_set", sizes[i]);
        if (ours < 0 || base < 0) {
            rc = 1;
            break;
        }
        bench_table_row(label, ours, base);
        printf("  latency: SetVariable %.1f us, psa_ps_set %.1f us\n", 1e6 / ours, 1e6 / base);
        ours = bench_rate(get_variable, &c, SECONDS);
        base = bench_rate(ps_get, &c, SECONDS);
        snprintf(label, sizeof(label), "GetVariable %zu B / psa_ps_get", sizes[i]);
        if (ours < 0 || base < 0) {
            rc = 1;
            break;
        }
        bench_table_row(label, ours, base);
    }
    size_t ns = sizeof(name);
    var_client_set(&gateway.client, &vendor, name, ns, 0, NULL, 0);
    psa_ps_remove(0x42);
    var_gateway_close(&gateway);
    return rc;
}
