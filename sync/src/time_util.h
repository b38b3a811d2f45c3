/* The sync library's internal monotonic clock. */
#ifndef VSYNC_TIME_UTIL_H
#define VSYNC_TIME_UTIL_H

#include <stdint.h>

uint64_t vsync_monotonic_ns(void);

#endif
