/* libFuzzer harness: whole Parsec requests from a peer through framing and parsec_serve. */
#include <stddef.h>
#include <stdint.h>

#include "parsec_fuzz_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parsec_fuzz_serve(data, size);
    return 0;
}
