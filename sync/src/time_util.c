/* CLOCK_MONOTONIC in nanoseconds, the sync library's default clock. */
#include <time.h>

#include "time_util.h"

uint64_t vsync_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
