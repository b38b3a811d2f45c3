/*
 * Check macros for the robustness unit tests: CHECK counts and goes on,
 * REQUIRE exits 1, SKIP exits 77.
 */
#ifndef RB_TEST_H
#define RB_TEST_H

#include <stdio.h>
#include <stdlib.h>

/* Failing checks print where and why, and the test exits 1 at the end. */
static int rb_test_failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", \
			__FILE__, __LINE__, #cond); \
		rb_test_failures++; \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", \
			__FILE__, __LINE__, #a, #b, a_, b_); \
		rb_test_failures++; \
	} \
} while (0)

#define REQUIRE(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", \
			__FILE__, __LINE__, #cond); \
		exit(1); \
	} \
} while (0)

#define SKIP(...) do { \
	printf("SKIP: " __VA_ARGS__); \
	printf("\n"); \
	exit(77); \
} while (0)

static inline int
rb_test_result(void)
{
	if (rb_test_failures)
		fprintf(stderr, "%d check(s) failed\n", rb_test_failures);
	return rb_test_failures ? 1 : 0;
}

#endif
