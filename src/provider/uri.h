/* The provider's key URIs: "psa:id=N" with N decimal or 0x hexadecimal. */
#ifndef SS_PROVIDER_URI_H
#define SS_PROVIDER_URI_H

#include <stdbool.h>

#include <psa/crypto.h>

/* True when uri is "psa:id=N" for a key id N in 1..0xffffffff, written without sign, space or
 * trailing characters. */
bool psa_prov_uri_parse(const char *uri, psa_key_id_t *id);
/* The same for the N alone ("16", "0x10"), as the psa-id parameter of key generation takes it. */
bool psa_prov_key_id_parse(const char *text, psa_key_id_t *id);

#endif /* SS_PROVIDER_URI_H */
