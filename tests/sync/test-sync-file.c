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
#include "vsync-test.h"

#define MS (1000ll * 1000)

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void test_wait_pipe(void)
{
	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	CHECK_RES(vsync_fd_wait(p[0], 0), VSYNC_TIMEOUT);
	CHECK(!vsync_fd_is_signalled(p[0]));
	uint64_t t0 = now_ns();
	CHECK_RES(vsync_fd_wait(p[0], 30 * MS), VSYNC_TIMEOUT);
	/* Lower bound only: the wait may not return early. */
	CHECK(now_ns() - t0 >= 30 * MS);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK_RES(vsync_fd_wait(p[0], 0), VSYNC_OK);
	CHECK_RES(vsync_fd_wait(p[0], VSYNC_WAIT_FOREVER), VSYNC_OK);
	CHECK(vsync_fd_is_signalled(p[0]));
	close(p[0]);
	close(p[1]);

	/* A hung-up fd can never become ready: an error, not a timeout. */
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	close(p[1]);
	CHECK_RES(vsync_fd_wait(p[0], VSYNC_WAIT_FOREVER), VSYNC_ERROR);
	CHECK(errno == EPIPE);
	close(p[0]);
}

static void test_wait_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_RES(vsync_fd_wait(fd, 1 * MS), VSYNC_TIMEOUT);
	uint64_t one = 1;
	CHECK(write(fd, &one, sizeof(one)) == sizeof(one));
	CHECK_RES(vsync_fd_wait(fd, 1 * MS), VSYNC_OK);
	close(fd);
}

static void test_wait_invalid(void)
{
	CHECK_RES(vsync_fd_wait(-1, 0), VSYNC_INVALID);
	int fd = eventfd(0, EFD_CLOEXEC);
	close(fd);
	CHECK_RES(vsync_fd_wait(fd, VSYNC_WAIT_FOREVER), VSYNC_INVALID);
	CHECK(!vsync_fd_is_signalled(-3));
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
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	struct itimerval every_5ms = {
		.it_interval = { .tv_usec = 5000 },
		.it_value = { .tv_usec = 5000 },
	};
	struct itimerval off;
	memset(&off, 0, sizeof(off));

	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	signals_seen = 0;
	CHECK(setitimer(ITIMER_REAL, &every_5ms, NULL) == 0);
	uint64_t t0 = now_ns();
	CHECK_RES(vsync_fd_wait(p[0], 100 * MS), VSYNC_TIMEOUT);
	uint64_t waited = now_ns() - t0;
	CHECK(setitimer(ITIMER_REAL, &off, NULL) == 0);
	CHECK(signals_seen >= 2);
	CHECK(waited >= 100 * MS);

	/* The fifth signal makes the fd ready; a forever wait must see it. */
	signals_seen = 0;
	signal_pipe = p[1];
	CHECK(setitimer(ITIMER_REAL, &every_5ms, NULL) == 0);
	CHECK_RES(vsync_fd_wait(p[0], VSYNC_WAIT_FOREVER), VSYNC_OK);
	CHECK(setitimer(ITIMER_REAL, &off, NULL) == 0);
	CHECK(signals_seen >= 5);
	signal_pipe = -1;
	signal(SIGALRM, SIG_IGN);
	close(p[0]);
	close(p[1]);
}

static void test_merge_without_fences(void)
{
	int out = 123;
	CHECK_RES(vsync_file_merge("m", -1, -1, &out), VSYNC_OK);
	CHECK(out == -1);
	CHECK_RES(vsync_file_merge("m", -1, -1, NULL), VSYNC_INVALID);
	CHECK_RES(vsync_file_merge("m", -7, -1, &out), VSYNC_INVALID);
	CHECK(out == -1);

	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	/* One side missing: the other is duplicated, not passed through. */
	CHECK_RES(vsync_file_merge(NULL, p[0], -1, &out), VSYNC_OK);
	CHECK(out >= 0 && out != p[0]);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK_RES(vsync_fd_wait(out, 0), VSYNC_OK);
	close(out);
	CHECK_RES(vsync_file_merge(NULL, -1, p[0], &out), VSYNC_OK);
	CHECK(out >= 0 && out != p[0]);
	close(out);

	/* Two fds that are not sync_files. */
	CHECK_RES(vsync_file_merge("m", p[0], p[1], &out), VSYNC_UNSUPPORTED);
	CHECK(out == -1);
	CHECK(fd_open(p[0]) && fd_open(p[1]));

	int closed = eventfd(0, EFD_CLOEXEC);
	close(closed);
	CHECK_RES(vsync_file_merge("m", closed, -1, &out), VSYNC_INVALID);
	close(p[0]);
	close(p[1]);
}

static void test_info_not_sync_file(void)
{
	struct vsync_file_info info;
	int fd = eventfd(0, EFD_CLOEXEC);
	CHECK_RES(vsync_file_info(fd, &info), VSYNC_UNSUPPORTED);
	CHECK_RES(vsync_file_info(fd, NULL), VSYNC_INVALID);
	CHECK_RES(vsync_file_info(-1, &info), VSYNC_INVALID);
	close(fd);
	CHECK_RES(vsync_file_info(fd, &info), VSYNC_INVALID);
}

static void test_dmabuf_not_dmabuf(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	int out = 5;
	CHECK_RES(vsync_dmabuf_export_sync_file(fd, VSYNC_DMABUF_READ, &out), VSYNC_UNSUPPORTED);
	CHECK(out == -1);
	CHECK_RES(vsync_dmabuf_export_sync_file(fd, 0, &out), VSYNC_INVALID);
	CHECK_RES(vsync_dmabuf_export_sync_file(fd, 1u << 5, &out), VSYNC_INVALID);
	CHECK_RES(vsync_dmabuf_export_sync_file(-1, VSYNC_DMABUF_READ, &out), VSYNC_INVALID);
	CHECK_RES(vsync_dmabuf_export_sync_file(fd, VSYNC_DMABUF_READ, NULL), VSYNC_INVALID);
	CHECK_RES(vsync_dmabuf_import_sync_file(fd, VSYNC_DMABUF_WRITE, fd), VSYNC_UNSUPPORTED);
	CHECK_RES(vsync_dmabuf_import_sync_file(fd, VSYNC_DMABUF_WRITE, -1), VSYNC_INVALID);
	CHECK_RES(vsync_dmabuf_import_sync_file(-1, VSYNC_DMABUF_WRITE, fd), VSYNC_INVALID);
	CHECK_RES(vsync_dmabuf_import_sync_file(fd, 0, fd), VSYNC_INVALID);
	close(fd);
}

static void test_result_names(void)
{
	CHECK(strcmp(vsync_result_str(VSYNC_OK), "ok") == 0);
	CHECK(strcmp(vsync_result_str(VSYNC_UNSUPPORTED), "unsupported") == 0);
	CHECK(strcmp(vsync_result_str((enum vsync_result)42), "unknown result") == 0);
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
	printf("sync_file helpers: ok\n");
	return 0;
}
