/* libFuzzer entry point (built only with clang). */
#include "fuzz-parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return vmpd_fuzz_one(data, size);
}
