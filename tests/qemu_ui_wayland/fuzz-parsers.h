/* Entry point shared by the parser fuzz target and its corpus replay test. */
#ifndef VMPD_TEST_FUZZ_PARSERS_H
#define VMPD_TEST_FUZZ_PARSERS_H

#include <stddef.h>
#include <stdint.h>

/* One input; the first byte picks the parser. */
int vmpd_fuzz_one(const uint8_t *data, size_t size);

#endif
