/* The provider's key URIs: "psa:id=N" with N decimal or 0x hexadecimal. */
#include "uri.h"

#include <string.h>

static int psa_prov_digit(char c, unsigned base)
{
    int v;
    if (c >= '0' && c <= '9') {
        v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
        v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        v = c - 'A' + 10;
    } else {
        return -1;
    }
    return (unsigned)v < base ? v : -1;
}

bool psa_prov_key_id_parse(const char *text, psa_key_id_t *id)
{
    const char *p = text;
    unsigned base = 10;
    uint64_t value = 0;
    if (p == NULL) {
        return false;
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (*p == '\0') {
        return false;
    }
    for (; *p != '\0'; p++) {
        int d = psa_prov_digit(*p, base);
        if (d < 0) {
            return false;
        }
        value = value * base + (unsigned)d;
        if (value > UINT32_MAX) {
            return false;
        }
    }
    if (value == 0) {
        return false;
    }
    *id = (psa_key_id_t)value;
    return true;
}

bool psa_prov_uri_parse(const char *uri, psa_key_id_t *id)
{
    static const char prefix[] = "psa:id=";
    if (uri == NULL || strncmp(uri, prefix, sizeof(prefix) - 1) != 0) {
        return false;
    }
    return psa_prov_key_id_parse(uri + sizeof(prefix) - 1, id);
}
