/* UEFI, MM communicate and SMM variable constants and sizes (values from the TS fact sheet §4). */
#ifndef UEFI_EFI_DEFS_H
#define UEFI_EFI_DEFS_H

#include <stdint.h>

/* EFI_STATUS as carried in SMM_VARIABLE_COMMUNICATE_HEADER.ReturnStatus (u64). */
typedef uint64_t efi_status_t;

#define EFI_ERROR_BIT          0x8000000000000000ull
#define EFI_SUCCESS            0ull
#define EFI_LOAD_ERROR         (EFI_ERROR_BIT | 1u)
#define EFI_INVALID_PARAMETER  (EFI_ERROR_BIT | 2u)
#define EFI_UNSUPPORTED        (EFI_ERROR_BIT | 3u)
#define EFI_BAD_BUFFER_SIZE    (EFI_ERROR_BIT | 4u)
#define EFI_BUFFER_TOO_SMALL   (EFI_ERROR_BIT | 5u)
#define EFI_NOT_READY          (EFI_ERROR_BIT | 6u)
#define EFI_DEVICE_ERROR       (EFI_ERROR_BIT | 7u)
#define EFI_WRITE_PROTECTED    (EFI_ERROR_BIT | 8u)
#define EFI_OUT_OF_RESOURCES   (EFI_ERROR_BIT | 9u)
#define EFI_NOT_FOUND          (EFI_ERROR_BIT | 0x0eu)
#define EFI_ACCESS_DENIED      (EFI_ERROR_BIT | 0x0fu)
#define EFI_PROTOCOL_ERROR     (EFI_ERROR_BIT | 0x18u)
#define EFI_SECURITY_VIOLATION (EFI_ERROR_BIT | 0x1au)
#define EFI_COMPROMISED_DATA   (EFI_ERROR_BIT | 0x21u)

/* MM return codes (the platform's x3 in the direct response). */
typedef int32_t mm_return_t;
#define MM_RETURN_SUCCESS           0
#define MM_RETURN_NOT_SUPPORTED     (-1)
#define MM_RETURN_INVALID_PARAMETER (-2)
#define MM_RETURN_DENIED            (-3)
#define MM_RETURN_NO_MEMORY         (-5)

/* EFI_MM_COMMUNICATE_HEADER: HeaderGuid[16], MessageLength u64, then the message. */
#define MM_HEADER_SIZE 24u
/* SMM_VARIABLE_COMMUNICATE_HEADER: Function u64, ReturnStatus u64. */
#define SMM_VAR_HEADER_SIZE 16u

/* SMM variable function ids. */
#define SMM_VAR_FN_GET_VARIABLE           1u
#define SMM_VAR_FN_GET_NEXT_VARIABLE_NAME 2u
#define SMM_VAR_FN_SET_VARIABLE           3u
#define SMM_VAR_FN_QUERY_VARIABLE_INFO    4u
#define SMM_VAR_FN_READY_TO_BOOT          5u
#define SMM_VAR_FN_EXIT_BOOT_SERVICE      6u
#define SMM_VAR_FN_VAR_CHECK_PROPERTY_SET 9u
#define SMM_VAR_FN_VAR_CHECK_PROPERTY_GET 10u
#define SMM_VAR_FN_GET_PAYLOAD_SIZE       11u

/* Fixed parts of the payloads (natural alignment, LP64). */
#define SMM_ACCESS_VARIABLE_NAME_OFFSET 36u /* Guid, DataSize, NameSize, Attributes, Name */
#define SMM_ACCESS_VARIABLE_UBOOT_SIZE  40u /* U-Boot's sizeof, tail padding included */
#define SMM_GET_NEXT_NAME_OFFSET        24u /* Guid, NameSize, Name */
#define SMM_QUERY_INFO_SIZE             32u
#define SMM_VAR_CHECK_NAME_OFFSET       48u /* Guid, NameSize, VariableProperty, Name */
#define SMM_VAR_CHECK_PROPERTY_SIZE     24u
#define SMM_GET_PAYLOAD_SIZE_SIZE       8u

/* Variable attributes. */
#define EFI_VARIABLE_NON_VOLATILE                          0x01u
#define EFI_VARIABLE_BOOTSERVICE_ACCESS                    0x02u
#define EFI_VARIABLE_RUNTIME_ACCESS                        0x04u
#define EFI_VARIABLE_HARDWARE_ERROR_RECORD                 0x08u
#define EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS            0x10u
#define EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS 0x20u
#define EFI_VARIABLE_APPEND_WRITE                          0x40u
#define EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS         0x80u
#define EFI_VARIABLE_ATTRIBUTES_MASK                       0xffu

/* VAR_CHECK_VARIABLE_PROPERTY. */
#define VAR_CHECK_PROPERTY_REVISION  1u
#define VAR_CHECK_PROPERTY_READ_ONLY 0x0001u

/* EFI_VARIABLE_AUTHENTICATION_2: EFI_TIME (16), WIN_CERTIFICATE_UEFI_GUID header (24). */
#define EFI_TIME_SIZE          16u
#define EFI_AUTH2_HEADER_SIZE  40u
#define WIN_CERT_HEADER_SIZE   24u /* dwLength, wRevision, wCertificateType, CertType */
#define WIN_CERT_REVISION      0x0200u
#define WIN_CERT_TYPE_EFI_GUID 0x0EF1u

/* EFI_SIGNATURE_LIST: SignatureType[16], ListSize u32, HeaderSize u32, SignatureSize u32. */
#define EFI_SIGNATURE_LIST_HEADER_SIZE 28u
#define EFI_SIGNATURE_OWNER_SIZE       16u

/* A GUID in its wire form: Data1 u32 LE, Data2 u16 LE, Data3 u16 LE, Data4[8]. */
typedef struct efi_guid {
    uint8_t b[16];
} efi_guid_t;

#define EFI_GUID_INIT(d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7)                                  \
    {                                                                                              \
        {                                                                                          \
            (uint8_t)(d1), (uint8_t)((d1) >> 8), (uint8_t)((d1) >> 16), (uint8_t)((d1) >> 24),     \
                (uint8_t)(d2), (uint8_t)((d2) >> 8), (uint8_t)(d3), (uint8_t)((d3) >> 8), b0, b1,  \
                b2, b3, b4, b5, b6, b7                                                             \
        }                                                                                          \
    }

/* ed32d533-99e6-4209-9cc0-2d72cdd998a7: the SMM variable service (MM header GUID). */
#define SMM_VARIABLE_GUID                                                                          \
    EFI_GUID_INIT(0xed32d533u, 0x99e6u, 0x4209u, 0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7)
/* 8be4df61-93ca-11d2-aa0d-00e098032b8c: EFI_GLOBAL_VARIABLE. */
#define EFI_GLOBAL_VARIABLE_GUID                                                                   \
    EFI_GUID_INIT(0x8be4df61u, 0x93cau, 0x11d2u, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c)
/* d719b2cb-3d3a-4596-a3bc-dad00e67656f: EFI_IMAGE_SECURITY_DATABASE_GUID. */
#define EFI_IMAGE_SECURITY_DATABASE_GUID                                                           \
    EFI_GUID_INIT(0xd719b2cbu, 0x3d3au, 0x4596u, 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f)
/* 4aafd29d-68df-49ee-8aa9-347d375665a7: EFI_CERT_TYPE_PKCS7_GUID. */
#define EFI_CERT_TYPE_PKCS7_GUID                                                                   \
    EFI_GUID_INIT(0x4aafd29du, 0x68dfu, 0x49eeu, 0x8a, 0xa9, 0x34, 0x7d, 0x37, 0x56, 0x65, 0xa7)
/* a5c059a1-94e4-4aa7-87b5-ab155c2bf072: EFI_CERT_X509_GUID. */
#define EFI_CERT_X509_GUID                                                                         \
    EFI_GUID_INIT(0xa5c059a1u, 0x94e4u, 0x4aa7u, 0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72)

#endif /* UEFI_EFI_DEFS_H */
