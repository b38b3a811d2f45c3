/* SPDX-License-Identifier: MIT */
/* libFuzzer entry point (built with clang): any byte string is a valid run. */
#include <stdio.h>
#include <stdlib.h>

#include "pacer-fuzz-run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *error = pacer_fuzz_run(data, size);
	if (error) {
		fprintf(stderr, "pacer contract broken: %s\n", error);
		abort();
	}
	return 0;
}
