/* Tiny assertion helpers for the core's standalone tests. */
#ifndef VMPD_TEST_CHECK_H
#define VMPD_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			exit(1); \
		} \
	} while (0)

/* Exit status meson reads as "skipped". */
#define SKIP(...) \
	do { \
		fprintf(stderr, "SKIP: " __VA_ARGS__); \
		fprintf(stderr, "\n"); \
		exit(77); \
	} while (0)

#endif
