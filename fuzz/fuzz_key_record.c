/* libFuzzer harness for the persistent key record decoder (bytes read back from storage). */
#include <stddef.h>
#include <stdint.h>

#include "key_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    psa_key_attributes_t attr;
    const uint8_t *material = NULL;
    size_t material_length = 0;
    if (key_record_decode_for(1, data, size, &attr, &material, &material_length) == PSA_SUCCESS) {
        /* A decoded record points inside the input and describes itself consistently. */
        if (material < data || material + material_length > data + size ||
            (!PSA_KEY_TYPE_IS_ASYMMETRIC(attr.type) &&
             PSA_BITS_TO_BYTES(attr.bits) != material_length)) {
            __builtin_trap();
        }
    }
    return 0;
}
