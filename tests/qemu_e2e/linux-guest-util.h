/* SPDX-License-Identifier: MIT */
/*
 * The patched QEMU with the Linux test guest (tests/guest/build-linux-guest)
 * under Weston's test harness: finding both, starting QEMU as a child the
 * compositor-side module reaps (e2e-control), and reading its serial log.
 * The tests of our own boot-sector guest start QEMU the same way.
 */
#ifndef VMPLANE_LINUX_GUEST_UTIL_H
#define VMPLANE_LINUX_GUEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The guest kernel's command line before guest.* (tsc=unstable: see
 * KERNEL_ARGS in tests/guest/linux-guest-test.py).
 */
#define LG_KERNEL_ARGS "console=ttyS0 loglevel=4 tsc=unstable"

struct lg_qemu {
	pid_t pid;
	bool exited;
	int status;
	char log[512], serial[512], trace[512];
	int cmd_fd, reply_fd;
	/* Set after lg_start(): in the serial log, it ends every wait (a guest failure). */
	const char *serial_fail;
};

/* The patched QEMU: $VMPLANE_QEMU, else scripts/build-qemu's; false (reason on stderr) to skip. */
bool lg_find_qemu(char *qemu, size_t size);

/* Paths of the patched QEMU and the guest; false (with a reason on stderr) to skip. */
bool lg_find(char *qemu, size_t qemu_size, char *kernel, char *initrd, size_t size);

int64_t lg_now_ms(void);

/*
 * Starts argv[0] with the log, serial and trace files named after `name`
 * in $WESTON_TEST_OUTPUT_PATH; "@SERIAL@" and "@TRACE@" in argv become
 * "file:<serial>" and "<trace>". Leading NAME=value words, as env(1)
 * takes them, go into QEMU's environment alone.
 */
void lg_start(struct lg_qemu *q, const char *name, char *const argv[]);
void lg_kill(struct lg_qemu *q);
void lg_poll_exit(struct lg_qemu *q, int timeout_ms);
/* Waits for QEMU's exit report; true once it came. */
bool lg_wait_exit(struct lg_qemu *q, int timeout_ms);
/* An e2e-control request and its answer. */
int32_t lg_ctl(struct lg_qemu *q, char op, int32_t value);

/* The whole file, NUL-terminated (empty when missing); free() it. */
char *lg_slurp(const char *path);
int lg_count(const char *path, const char *needle);
/* Waits until `needle` occurs n times in path; false on timeout or exit. */
bool lg_wait_count(struct lg_qemu *q, const char *path, const char *needle, int n,
		   int timeout_ms);

/* Evaluated once; QEMU is killed before a failed check ends the test. */
#define LG_CHECK(q, cond) do { \
	bool lg_check_ok_ = (cond); \
	if (!lg_check_ok_) \
		lg_kill(q); \
	assert(lg_check_ok_ && #cond); \
} while (0)

#endif
