/* What RSS comms carries for the secure services: TF-M's stateless service handles and the ITS/PS
 * message types (reference sheet §3.1, §3.2), plus rssd's own PS types (docs/rss-comms-linux.md).
 * Every client and the enclave take them from here. */
#ifndef COMMS_RSS_SERVICES_H
#define COMMS_RSS_SERVICES_H

#include <psa/client.h>

/* TF-M's SIDs of the services rssd hosts (reference sheet §3.1). */
#define RSS_SID_CRYPTO      0x00000080u
#define RSS_SID_PS          0x00000060u
#define RSS_SID_ITS         0x00000070u
#define RSS_SID_ATTESTATION 0x00000020u

#define RSS_HANDLE_CRYPTO      ((psa_handle_t)0x40000100)
#define RSS_HANDLE_PS          ((psa_handle_t)0x40000101)
#define RSS_HANDLE_ITS         ((psa_handle_t)0x40000102)
#define RSS_HANDLE_ATTESTATION ((psa_handle_t)0x40000103)

/* TF-M's ITS and PS types (the same for both services, 1001-1004; 1005 PS's GET_SUPPORT). */
#define RSS_STORAGE_SET      1001
#define RSS_STORAGE_GET      1002
#define RSS_STORAGE_GET_INFO 1003
#define RSS_STORAGE_REMOVE   1004
#define RSS_PS_GET_SUPPORT   1005
/* rssd's PS create, set_extended and its own support query (the real flags). */
#define RSS_PS_CREATE           1006
#define RSS_PS_SET_EXTENDED     1007
#define RSS_PS_GET_SUPPORT_RSSD 0x7F05

#endif /* COMMS_RSS_SERVICES_H */
