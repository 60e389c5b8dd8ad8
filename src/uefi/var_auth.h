/* Time-based authenticated variables: EFI_VARIABLE_AUTHENTICATION_2, PKCS#7, signature lists. */
#ifndef UEFI_VAR_AUTH_H
#define UEFI_VAR_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uefi/efi_defs.h"

/* The parts of an authenticated write (pointers into the request's data). */
typedef struct var_auth_descriptor {
    uint8_t timestamp[EFI_TIME_SIZE];
    const uint8_t *cert; /* PKCS#7 SignedData, with or without ContentInfo */
    size_t cert_size;
    const uint8_t *payload;
    size_t payload_size;
} var_auth_descriptor_t;

/*
 * Splits data into the EFI_VARIABLE_AUTHENTICATION_2 descriptor and the payload. Checks:
 * size >= 40, dwLength >= 24 and within the data, wRevision 0x0200, wCertificateType
 * WIN_CERT_TYPE_EFI_GUID, CertType the PKCS#7 GUID, and an EFI_TIME whose Pad1, Nanosecond,
 * TimeZone, Daylight and Pad2 are 0 and whose date fields are in range. Any failure is
 * EFI_SECURITY_VIOLATION, as TS and EDK2 answer.
 */
efi_status_t var_auth_parse(const uint8_t *data, size_t size, var_auth_descriptor_t *out);

/* Chronological order of two EFI_TIMEs (year, month, day, hour, minute, second): <0, 0, >0. */
int var_auth_time_compare(const uint8_t a[EFI_TIME_SIZE], const uint8_t b[EFI_TIME_SIZE]);

/* The bytes the signature covers: name without its NUL, GUID, attributes (u32 LE), timestamp,
 * payload. Allocated; free with free(). */
efi_status_t var_auth_signed_data(const uint8_t *name, size_t name_size, const efi_guid_t *guid,
                                  uint32_t attributes, const var_auth_descriptor_t *d,
                                  uint8_t **out, size_t *out_size);

/*
 * Verifies the descriptor's PKCS#7 signature over signed_data against the X.509 certificates of
 * the signature lists in trust (a chain from the signer to any of them is enough; no time or
 * purpose checks, as firmware has no trusted clock). EFI_SECURITY_VIOLATION if none verifies
 * or the PKCS#7 is malformed.
 */
efi_status_t var_auth_verify(const var_auth_descriptor_t *d, const uint8_t *signed_data,
                             size_t signed_size, const uint8_t *trust, size_t trust_size);

/*
 * Private authenticated variables: verifies the signature with the signer certificate the
 * PKCS#7 carries and returns its fingerprint: SHA-256 over the signer's subject common name
 * and the tbsCertificate of the top-level certificate of its chain in the PKCS#7 (the UEFI
 * rule; the signer itself when it is the only certificate).
 */
efi_status_t var_auth_verify_private(const var_auth_descriptor_t *d, const uint8_t *signed_data,
                                     size_t signed_size, uint8_t fingerprint[32]);

/*
 * For se-proxy's packed-c UEFI opcodes (reference sheet §2.2), which upstream's smm-gateway calls:
 * var_pkcs7_verify_hash checks a PKCS#7 signature over a hash the caller computed -- with the
 * given DER certificate, or (cert_size 0) with the signer's certificate the PKCS#7 carries --
 * and answers as Mbed TLS's mbedtls_pkcs7_signed_hash_verify does: 0 when a signer verifies,
 * else a negative Mbed TLS code (VAR_PKCS7_*, Mbed TLS 3.x values). Signed attributes are
 * accepted when their messageDigest is the hash. var_pkcs7_fingerprint gives the fingerprint of
 * var_auth_verify_private without verifying: EFI_SUCCESS or EFI_COMPROMISED_DATA.
 */
#define VAR_PKCS7_INVALID_FORMAT (-0x5300) /* MBEDTLS_ERR_PKCS7_INVALID_FORMAT */
#define VAR_PKCS7_INVALID_CERT   (-0x5580) /* MBEDTLS_ERR_PKCS7_INVALID_CERT */
#define VAR_PKCS7_VERIFY_FAIL    (-0x5800) /* MBEDTLS_ERR_PKCS7_VERIFY_FAIL */
int32_t var_pkcs7_verify_hash(const uint8_t *der, size_t size, const uint8_t *hash,
                              size_t hash_size, const uint8_t *cert, size_t cert_size);
efi_status_t var_pkcs7_fingerprint(const uint8_t *der, size_t size, uint8_t fingerprint[32]);

/* ---- EFI_SIGNATURE_LIST ------------------------------------------------------------------ */

/*
 * Checks that data is a sequence of well-formed signature lists (sizes consistent, known types
 * with their fixed sizes, X.509 entries parse as certificates). With single_x509 (PK), exactly
 * one X.509 list holding one certificate. Size 0 is valid (an empty database). Malformed:
 * EFI_INVALID_PARAMETER.
 */
efi_status_t var_esl_check(const uint8_t *data, size_t size, bool single_x509);

/*
 * APPEND_WRITE of signature databases: old followed by the lists of add, each with the entries
 * (owner and data) already present in old, or earlier in add, removed; a list left with no
 * entry is dropped. Both inputs must have passed var_esl_check. Allocated; free with free().
 */
efi_status_t var_esl_merge(const uint8_t *old, size_t old_size, const uint8_t *add, size_t add_size,
                           uint8_t **out, size_t *out_size);

#endif /* UEFI_VAR_AUTH_H */
