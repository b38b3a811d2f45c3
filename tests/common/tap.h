/* SPDX-License-Identifier: MIT */
/* TAP reporting for the C tests that do not run on Weston's harness: one
 * test point per check, the plan printed last (meson's `protocol: 'tap'`). */
#ifndef VMPLANE_TAP_H
#define VMPLANE_TAP_H

#include <stdbool.h>

/* Records one test point; prints "ok N - ..." or "not ok N - ...". With
 * fatal, a failure ends the program (plan printed, exit status 1). */
bool tap_check(bool ok, bool fatal, const char *file, int line,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Like tap_check for two integers that must be equal; got_name and
 * want_name (or NULL) are the values in words, for the diagnostic. */
bool tap_check_eq(bool is_signed, unsigned long long got, unsigned long long want,
		  const char *got_name, const char *want_name, bool fatal,
		  const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 9, 10)));

/* A diagnostic line ("# ..."); not a test point. */
void tap_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Skips the rest of the program. Before any check: "1..0 # SKIP reason",
 * exit status 0 (meson's TAP reader counts it as skipped; tests/rig/run
 * turns it into 77). After checks: one skipped point, then tap_finish. */
void tap_skip_all(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Prints the plan; 0 when every check passed, 1 otherwise. A program that
 * made no check at all fails: it tested nothing. */
int tap_finish(void);

/* Shorthands. CHECK records and goes on; REQUIRE stops at a failure. */
#define CHECK(cond) \
	tap_check(!!(cond), false, __FILE__, __LINE__, "%s", #cond)
#define REQUIRE(cond) \
	tap_check(!!(cond), true, __FILE__, __LINE__, "%s", #cond)
/* A check described in words (printf format) instead of its expression. */
#define CHECK_MSG(cond, ...) \
	tap_check(!!(cond), false, __FILE__, __LINE__, __VA_ARGS__)
/* For hot loops: silent while cond holds, a failed point (and the end of
 * the program) when it does not, so thousands of iterations stay readable. */
#define INVARIANT(cond) \
	((cond) ? true : tap_check(false, true, __FILE__, __LINE__, "invariant: %s", #cond))
/* A failure found by hand: recorded, and the program ends. */
#define FAIL(...) tap_check(false, true, __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_EQ(a, b) \
	tap_check_eq(true, (unsigned long long)(long long)(a), \
		     (unsigned long long)(long long)(b), NULL, NULL, false, \
		     __FILE__, __LINE__, "%s", #a " == " #b)
#define REQUIRE_EQ_U64(a, b) \
	tap_check_eq(false, (unsigned long long)(a), (unsigned long long)(b), \
		     NULL, NULL, true, __FILE__, __LINE__, "%s", #a " == " #b)
/* An enum result against the wanted one, both named by name_fn. */
#define REQUIRE_NAMED(expr, want, name_fn) do { \
	__typeof__(expr) got_ = (expr); \
	tap_check_eq(true, (unsigned long long)(long long)got_, \
		     (unsigned long long)(long long)(want), name_fn(got_), \
		     name_fn(want), true, __FILE__, __LINE__, "%s", #expr " == " #want); \
} while (0)

#endif
