/* sync_file helpers against what every kernel has: pipes and eventfds. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "vmplane/sync_file.h"
#include "tap.h"
#include "vmplane/clock.h"

#define MS (1000ll * 1000)

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void test_wait_pipe(void)
{
	int p[2];
	REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	REQUIRE_NAMED(vmsync_fd_wait(p[0], 0), VMSYNC_TIMEOUT, vmsync_result_str);
	REQUIRE(!vmsync_fd_is_signalled(p[0]));
	uint64_t t0 = vmplane_now_ns();
	REQUIRE_NAMED(vmsync_fd_wait(p[0], 30 * MS), VMSYNC_TIMEOUT, vmsync_result_str);
	/* Lower bound only: the wait may not return early. */
	REQUIRE(vmplane_now_ns() - t0 >= 30 * MS);
	REQUIRE(write(p[1], "x", 1) == 1);
	REQUIRE_NAMED(vmsync_fd_wait(p[0], 0), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_fd_wait(p[0], VMSYNC_WAIT_FOREVER), VMSYNC_OK, vmsync_result_str);
	REQUIRE(vmsync_fd_is_signalled(p[0]));
	close(p[0]);
	close(p[1]);

	/* A hung-up fd can never become ready: an error, not a timeout. */
	REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	close(p[1]);
	REQUIRE_NAMED(vmsync_fd_wait(p[0], VMSYNC_WAIT_FOREVER), VMSYNC_ERROR, vmsync_result_str);
	REQUIRE(errno == EPIPE);
	close(p[0]);
}

static void test_wait_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	REQUIRE(fd >= 0);
	REQUIRE_NAMED(vmsync_fd_wait(fd, 1 * MS), VMSYNC_TIMEOUT, vmsync_result_str);
	uint64_t one = 1;
	REQUIRE(write(fd, &one, sizeof(one)) == sizeof(one));
	REQUIRE_NAMED(vmsync_fd_wait(fd, 1 * MS), VMSYNC_OK, vmsync_result_str);
	close(fd);
}

static void test_wait_invalid(void)
{
	REQUIRE_NAMED(vmsync_fd_wait(-1, 0), VMSYNC_INVALID, vmsync_result_str);
	int fd = eventfd(0, EFD_CLOEXEC);
	close(fd);
	REQUIRE_NAMED(vmsync_fd_wait(fd, VMSYNC_WAIT_FOREVER), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE(!vmsync_fd_is_signalled(-3));
}

static int signal_pipe = -1;
static volatile sig_atomic_t signals_seen;

static void on_alarm(int sig)
{
	(void)sig;
	signals_seen++;
	if (signal_pipe >= 0 && signals_seen == 5) {
		ssize_t n = write(signal_pipe, "x", 1);
		(void)n;
	}
}

/* Signals interrupt the wait; it resumes with the time that is left. */
static void test_wait_eintr(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	/* No SA_RESTART: ppoll must see EINTR. */
	REQUIRE(sigaction(SIGALRM, &sa, NULL) == 0);
	struct itimerval every_5ms = {
		.it_interval = { .tv_usec = 5000 },
		.it_value = { .tv_usec = 5000 },
	};
	struct itimerval off;
	memset(&off, 0, sizeof(off));

	int p[2];
	REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	signals_seen = 0;
	REQUIRE(setitimer(ITIMER_REAL, &every_5ms, NULL) == 0);
	uint64_t t0 = vmplane_now_ns();
	REQUIRE_NAMED(vmsync_fd_wait(p[0], 100 * MS), VMSYNC_TIMEOUT, vmsync_result_str);
	uint64_t waited = vmplane_now_ns() - t0;
	REQUIRE(setitimer(ITIMER_REAL, &off, NULL) == 0);
	REQUIRE(signals_seen >= 2);
	REQUIRE(waited >= 100 * MS);

	/* The fifth signal makes the fd ready; a forever wait must see it. */
	signals_seen = 0;
	signal_pipe = p[1];
	REQUIRE(setitimer(ITIMER_REAL, &every_5ms, NULL) == 0);
	REQUIRE_NAMED(vmsync_fd_wait(p[0], VMSYNC_WAIT_FOREVER), VMSYNC_OK, vmsync_result_str);
	REQUIRE(setitimer(ITIMER_REAL, &off, NULL) == 0);
	REQUIRE(signals_seen >= 5);
	signal_pipe = -1;
	signal(SIGALRM, SIG_IGN);
	close(p[0]);
	close(p[1]);
}

static void test_merge_without_fences(void)
{
	int out = 123;
	REQUIRE_NAMED(vmsync_file_merge("m", -1, -1, &out), VMSYNC_OK, vmsync_result_str);
	REQUIRE(out == -1);
	REQUIRE_NAMED(vmsync_file_merge("m", -1, -1, NULL), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_file_merge("m", -7, -1, &out), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE(out == -1);

	int p[2];
	REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	/* One side missing: the other is duplicated, not passed through. */
	REQUIRE_NAMED(vmsync_file_merge(NULL, p[0], -1, &out), VMSYNC_OK, vmsync_result_str);
	REQUIRE(out >= 0 && out != p[0]);
	REQUIRE(write(p[1], "x", 1) == 1);
	REQUIRE_NAMED(vmsync_fd_wait(out, 0), VMSYNC_OK, vmsync_result_str);
	close(out);
	REQUIRE_NAMED(vmsync_file_merge(NULL, -1, p[0], &out), VMSYNC_OK, vmsync_result_str);
	REQUIRE(out >= 0 && out != p[0]);
	close(out);

	/* Two fds that are not sync_files. */
	REQUIRE_NAMED(vmsync_file_merge("m", p[0], p[1], &out), VMSYNC_UNSUPPORTED, vmsync_result_str);
	REQUIRE(out == -1);
	REQUIRE(fd_open(p[0]) && fd_open(p[1]));

	int closed = eventfd(0, EFD_CLOEXEC);
	close(closed);
	REQUIRE_NAMED(vmsync_file_merge("m", closed, -1, &out), VMSYNC_INVALID, vmsync_result_str);
	close(p[0]);
	close(p[1]);
}

static void test_info_not_sync_file(void)
{
	struct vmsync_file_info info;
	int fd = eventfd(0, EFD_CLOEXEC);
	REQUIRE_NAMED(vmsync_file_info(fd, &info), VMSYNC_UNSUPPORTED, vmsync_result_str);
	REQUIRE_NAMED(vmsync_file_info(fd, NULL), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_file_info(-1, &info), VMSYNC_INVALID, vmsync_result_str);
	close(fd);
	REQUIRE_NAMED(vmsync_file_info(fd, &info), VMSYNC_INVALID, vmsync_result_str);
}

static void test_dmabuf_not_dmabuf(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	int out = 5;
	REQUIRE_NAMED(vmsync_dmabuf_export_sync_file(fd, VMSYNC_DMABUF_READ, &out), VMSYNC_UNSUPPORTED, vmsync_result_str);
	REQUIRE(out == -1);
	REQUIRE_NAMED(vmsync_dmabuf_export_sync_file(fd, 0, &out), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_dmabuf_export_sync_file(fd, 1u << 5, &out), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_dmabuf_export_sync_file(-1, VMSYNC_DMABUF_READ, &out), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_dmabuf_export_sync_file(fd, VMSYNC_DMABUF_READ, NULL), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_dmabuf_import_sync_file(fd, VMSYNC_DMABUF_WRITE, fd), VMSYNC_UNSUPPORTED, vmsync_result_str);
	REQUIRE_NAMED(vmsync_dmabuf_import_sync_file(fd, VMSYNC_DMABUF_WRITE, -1), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_dmabuf_import_sync_file(-1, VMSYNC_DMABUF_WRITE, fd), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_dmabuf_import_sync_file(fd, 0, fd), VMSYNC_INVALID, vmsync_result_str);
	close(fd);
}

static void test_result_names(void)
{
	REQUIRE(strcmp(vmsync_result_str(VMSYNC_OK), "ok") == 0);
	REQUIRE(strcmp(vmsync_result_str(VMSYNC_UNSUPPORTED), "unsupported") == 0);
	REQUIRE(strcmp(vmsync_result_str((enum vmsync_result)42), "unknown result") == 0);
}

int main(void)
{
	test_wait_pipe();
	test_wait_eventfd();
	test_wait_invalid();
	test_wait_eintr();
	test_merge_without_fences();
	test_info_not_sync_file();
	test_dmabuf_not_dmabuf();
	test_result_names();
	return tap_finish();
}
