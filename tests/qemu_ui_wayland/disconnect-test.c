/* SPDX-License-Identifier: MIT */
/*
 * The compositor dies: before the first frame, mid-frame with the guest
 * blocked, and with a flip pending. The core must release the guest, report
 * the loss once, refuse further work cleanly and free everything (run
 * under ASan/valgrind). Uses a real headless Weston in a child process.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "fourcc.h"
#include "producer.h"

struct compositor {
	pid_t pid;
	char dir[64];
	char socket[96];
};

/*
 * Whether the compositor accepts connections. The socket file alone is not
 * enough: libwayland-server binds (creating the file) before it listens, and
 * a connect in between is refused.
 */
static bool socket_listening(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool ok = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	close(fd);
	return ok;
}

static bool compositor_start(struct compositor *c, int n)
{
	snprintf(c->dir, sizeof(c->dir), "/tmp/vmpd-disconnect-%d-%d", (int)getpid(), n);
	mkdir(c->dir, 0700);
	snprintf(c->socket, sizeof(c->socket), "%s/wayland-vmpd", c->dir);
	c->pid = fork();
	if (c->pid == 0) {
		setenv("XDG_RUNTIME_DIR", c->dir, 1);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execlp("weston", "weston", "--backend=headless-backend.so", "--use-pixman",
			"--socket=wayland-vmpd", "--no-config", "--idle-time=0",
			"--width=320", "--height=240", (char *)NULL);
		_exit(127);
	}
	/* Wait for the socket to listen, not for a fixed time. */
	for (int i = 0; i < 500; i++) {
		if (socket_listening(c->socket))
			return true;
		int st;
		if (waitpid(c->pid, &st, WNOHANG) == c->pid)
			return false;
		usleep(10000);
	}
	return false;
}

static void compositor_kill(struct compositor *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		c->pid = 0;
	}
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", c->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", c->dir);
}

static bool is_disconnected(struct producer *p)
{
	return p->disconnected;
}

enum when { BEFORE_FRAME, MID_FRAME, FLIP_PENDING };

static void run(enum when when, int n)
{
	struct compositor c;
	struct producer p;
	if (!compositor_start(&c, n))
		tap_skip_all("cannot start a headless weston");
	REQUIRE(producer_init(&p, NULL, c.socket, 64, 48, 500, 0, 0));
	producer_fill(&p, 1);
	REQUIRE(vmpd_head_set_surface(p.head, 64, 48, 64 * 4, VMPD_FOURCC_XRGB8888, p.pixels) ==
		VMPD_OK);
	if (when == MID_FRAME || when == FLIP_PENDING) {
		REQUIRE(vmpd_head_update(p.head, NULL, -1) == VMPD_OK);
		REQUIRE(p.blocked);
	}
	if (when == FLIP_PENDING) {
		REQUIRE(producer_wait(&p, producer_released, 2000));
		REQUIRE(vmpd_head_update(p.head, NULL, -1) == VMPD_OK);
		REQUIRE(vmpd_head_update(p.head, NULL, -1) == VMPD_OK);
	}
	compositor_kill(&c);
	REQUIRE(producer_wait(&p, is_disconnected, 2000));
	fprintf(stderr, "case %d: disconnected (%s), blocks %d releases %d\n", when, p.reason,
		p.blocks, p.releases);
	REQUIRE(!p.blocked);
	REQUIRE(p.blocks == p.releases);
	REQUIRE(!vmpd_display_connected(p.display));
	REQUIRE(!vmpd_display_dispatch(p.display));
	REQUIRE(vmpd_head_update(p.head, NULL, -1) == VMPD_ERR_DISCONNECTED);
	REQUIRE(vmpd_head_set_surface(p.head, 64, 48, 256, VMPD_FOURCC_XRGB8888, p.pixels) ==
		VMPD_ERR_DISCONNECTED);
	uint32_t cur[4] = { 0 };
	REQUIRE(vmpd_head_set_cursor(p.head, cur, 2, 2, 0, 0) == VMPD_ERR_DISCONNECTED);
	vmpd_head_move_cursor(p.head, 1, 1, true);
	vmpd_head_set_title(p.head, "gone");
	REQUIRE(!vmpd_head_set_grab(p.head, true));
	vmpd_head_disable(p.head);
	/* A head created after the loss is refused. */
	REQUIRE(vmpd_head_create(p.display, NULL) == NULL);
	producer_fini(&p);
}

int main(void)
{
	/* No compositor at all: a clean NULL. */
	struct vmpd_display_config cfg = { .socket_name = "/nonexistent/vmpd-socket" };
	REQUIRE(vmpd_display_create(&cfg, NULL, NULL) == NULL);
	vmpd_display_destroy(NULL);
	vmpd_head_destroy(NULL);

	run(BEFORE_FRAME, 0);
	run(MID_FRAME, 1);
	run(FLIP_PENDING, 2);
	return tap_finish();
}
