/* libFuzzer harness: authentication descriptors, PKCS#7 parsing and signature-list checks and
 * merges on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uefi/var_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    var_auth_descriptor_t d;
    static const efi_guid_t guid = EFI_GLOBAL_VARIABLE_GUID;
    static const uint8_t name[] = {'d', 0, 'b', 0, 0, 0};
    if (var_auth_parse(data, size, &d) == EFI_SUCCESS) {
        if (d.cert < data || d.cert + d.cert_size > data + size || d.payload < data ||
            d.payload + d.payload_size != data + size) {
            __builtin_trap();
        }
        uint8_t *signed_data = NULL;
        size_t signed_size = 0;
        if (var_auth_signed_data(name, sizeof(name), &guid, 0x27, &d, &signed_data, &signed_size) ==
            EFI_SUCCESS) {
            uint8_t fingerprint[32];
            /* Trust the payload itself (the PK self-signed path) and the embedded signer. */
            var_auth_verify(&d, signed_data, signed_size, d.payload, d.payload_size);
            var_auth_verify_private(&d, signed_data, signed_size, fingerprint);
            free(signed_data);
        }
    }
    /* Signature lists: a valid list merged with itself adds nothing. */
    if (var_esl_check(data, size, false) == EFI_SUCCESS) {
        uint8_t *merged = NULL;
        size_t merged_size = 0;
        if (var_esl_merge(data, size, data, size, &merged, &merged_size) == EFI_SUCCESS) {
            if (merged_size != size || memcmp(merged, data, size) != 0) {
                __builtin_trap();
            }
            free(merged);
        }
        var_esl_check(data, size, true);
    }
    return 0;
}
