/* SPDX-License-Identifier: MIT */
/* One fuzz input through the pacer, shared by the fuzzer and a unit test. */
#ifndef PACER_FUZZ_RUN_H
#define PACER_FUZZ_RUN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads `data` as a pacer configuration followed by a sequence of inputs
 * (valid or not), runs them with a fake clock and checks the contract.
 * Returns NULL when it held, else a static description of the violation.
 */
const char *pacer_fuzz_run(const uint8_t *data, size_t size);

#endif
