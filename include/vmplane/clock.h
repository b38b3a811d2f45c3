/* SPDX-License-Identifier: MIT */
/* The project's one monotonic clock, header-only so that every library and
 * test can use it without depending on another component. */
#ifndef VMPLANE_CLOCK_H
#define VMPLANE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t
vmplane_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
