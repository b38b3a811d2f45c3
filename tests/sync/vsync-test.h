/* Check macros for the sync library's tests: the first failure exits 1. */
#ifndef VSYNC_TEST_H
#define VSYNC_TEST_H

#include <stdio.h>
#include <stdlib.h>

/* Exit code meson reads as "skipped". */
#define VSYNC_TEST_SKIP 77

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		exit(1); \
	} \
} while (0)

#define CHECK_EQ_U64(a, b) do { \
	unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
	if (va_ != vb_) { \
		fprintf(stderr, "%s:%d: %s == %s failed: %llu != %llu\n", \
			__FILE__, __LINE__, #a, #b, va_, vb_); \
		exit(1); \
	} \
} while (0)

#define CHECK_RES(expr, want) do { \
	enum vsync_result r_ = (expr); \
	if (r_ != (want)) { \
		fprintf(stderr, "%s:%d: %s gave %s, expected %s\n", __FILE__, __LINE__, \
			#expr, vsync_result_str(r_), vsync_result_str(want)); \
		exit(1); \
	} \
} while (0)

#endif
