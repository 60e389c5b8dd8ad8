/* Fuzz harness: the psa provider's key-URI parser on arbitrary strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *uri = malloc(size + 1);
    psa_key_id_t id = 0;
    if (uri == NULL) {
        return 0;
    }
    memcpy(uri, data, size);
    uri[size] = '\0';
    if (psa_prov_uri_parse(uri, &id) && id == 0) {
        abort(); /* key id 0 is never valid */
    }
    free(uri);
    return 0;
}
