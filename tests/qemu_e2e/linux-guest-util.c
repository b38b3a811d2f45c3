/* SPDX-License-Identifier: MIT */
/* The Linux test guest on the patched QEMU under the harness (linux-guest-util.h). */
#include "config.h"

#include <assert.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e-control.h"
#include "linux-guest-util.h"
#include "vmplane/clock.h"

/* The first line of `cmd`'s output (its last line when last is set); false on failure. */
static bool
run_line(const char *cmd, char *out, size_t size, bool last)
{
	char line[4096];
	FILE *p = popen(cmd, "r");
	bool got = false;

	if (!p)
		return false;
	while (fgets(line, sizeof(line), p)) {
		if (!got || last) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, size, "%s", line);
			got = true;
		}
	}
	return pclose(p) == 0 && got && out[0];
}

bool
lg_find_qemu(char *qemu, size_t size)
{
	const char *env = getenv("VMPLANE_QEMU");
	const char *build = getenv("VMPLANE_BUILD_QEMU");
	char cmd[4200];

	if (env && *env) {
		snprintf(qemu, size, "%s", env);
	} else {
		snprintf(cmd, sizeof(cmd), "'%s' --check 2>/dev/null", build ? build : "false");
		if (!build || !run_line(cmd, qemu, size, false))
			qemu[0] = '\0';
	}
	if (!qemu[0] || access(qemu, X_OK) != 0) {
		fprintf(stderr, "skip: the patched QEMU is not built (run scripts/build-qemu)\n");
		return false;
	}
	return true;
}

bool
lg_find(char *qemu, size_t qemu_size, char *kernel, char *initrd, size_t size)
{
	const char *script = getenv("VMPLANE_LINUX_GUEST");
	char cmd[4200], env_path[4096], line[4096];
	FILE *f;

	if (!lg_find_qemu(qemu, qemu_size))
		return false;
	snprintf(cmd, sizeof(cmd), "'%s' 2>/dev/null", script ? script : "false");
	if (!script || !run_line(cmd, env_path, sizeof(env_path), true) ||
	    !(f = fopen(env_path, "r"))) {
		fprintf(stderr, "skip: the Linux guest cannot be built (tests/guest/build-linux-guest)\n");
		return false;
	}
	kernel[0] = initrd[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, '=');

		if (!v)
			continue;
		*v++ = '\0';
		v[strcspn(v, "\n")] = '\0';
		if (!strcmp(line, "GUEST_KERNEL"))
			snprintf(kernel, size, "%s", v);
		else if (!strcmp(line, "GUEST_INITRD"))
			snprintf(initrd, size, "%s", v);
	}
	fclose(f);
	return kernel[0] && initrd[0] && access(kernel, R_OK) == 0 && access(initrd, R_OK) == 0;
}

int64_t
lg_now_ms(void)
{
	return (int64_t)(vmplane_now_ns() / 1000000);
}

void
lg_poll_exit(struct lg_qemu *q, int timeout_ms)
{
	struct pollfd pfd = { .fd = q->reply_fd, .events = POLLIN };
	struct e2e_msg msg;

	if (poll(&pfd, 1, timeout_ms) == 1 &&
	    read(q->reply_fd, &msg, sizeof(msg)) == sizeof(msg) && msg.op == E2E_EXITED) {
		q->exited = true;
		q->status = msg.value;
	}
}

int32_t
lg_ctl(struct lg_qemu *q, char op, int32_t value)
{
	struct e2e_msg msg = { .op = op, .value = value };

	assert(write(q->cmd_fd, &msg, sizeof(msg)) == sizeof(msg));
	for (;;) {
		struct pollfd pfd = { .fd = q->reply_fd, .events = POLLIN };

		assert(poll(&pfd, 1, 10000) == 1);
		assert(read(q->reply_fd, &msg, sizeof(msg)) == sizeof(msg));
		if (msg.op == E2E_EXITED) {
			q->exited = true;
			q->status = msg.value;
			continue;
		}
		assert(msg.op == op);
		return msg.value;
	}
}

void
lg_start(struct lg_qemu *q, const char *name, char *const argv[])
{
	const char *out = getenv("WESTON_TEST_OUTPUT_PATH");
	const char *ctl = getenv("VMPLANE_E2E_CTL");
	char *args[64], serial_arg[600];
	int n = 0, prog = 0;
	pid_t pid;

	assert(ctl);
	memset(q, 0, sizeof(*q));
	assert(sscanf(ctl, "%d,%d", &q->cmd_fd, &q->reply_fd) == 2);
	out = out ? out : ".";
	snprintf(q->log, sizeof(q->log), "%s/%s.log", out, name);
	snprintf(q->serial, sizeof(q->serial), "%s/%s-serial.log", out, name);
	snprintf(q->trace, sizeof(q->trace), "%s/%s-trace.log", out, name);
	snprintf(serial_arg, sizeof(serial_arg), "file:%s", q->serial);
	unlink(q->serial);
	unlink(q->trace);
	for (; argv[n] && n < 63; n++) {
		if (!strcmp(argv[n], "@SERIAL@"))
			args[n] = serial_arg;
		else if (!strcmp(argv[n], "@TRACE@"))
			args[n] = q->trace;
		else
			args[n] = argv[n];
	}
	args[n] = NULL;
	while (args[prog] && args[prog][0] != '/' && strchr(args[prog], '='))
		prog++;
	assert(args[prog]);

	pid = fork();
	assert(pid >= 0);
	if (pid == 0) {
		int fd = open(q->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		sigset_t none;

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		for (int i = 0; i < prog; i++)
			putenv(args[i]);
		/* The harness blocks signals; QEMU must see SIGTERM and SIGUSR2. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(args[prog], args + prog);
		_exit(127);
	}
	q->pid = pid;
	lg_ctl(q, E2E_WATCH, pid);
	fprintf(stderr, "started %s (pid %d), log %s, serial %s\n", args[prog], pid, q->log,
		q->serial);
}

bool
lg_wait_exit(struct lg_qemu *q, int timeout_ms)
{
	int64_t end = lg_now_ms() + timeout_ms;

	while (!q->exited && lg_now_ms() < end)
		lg_poll_exit(q, 100);
	return q->exited;
}

void
lg_kill(struct lg_qemu *q)
{
	if (q->exited || q->pid <= 0)
		return;
	kill(q->pid, SIGKILL);
	lg_wait_exit(q, 5000);
}

char *
lg_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t size = 0;
	long n;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0) {
		rewind(f);
		buf = malloc((size_t)n + 1);
		size = buf ? fread(buf, 1, (size_t)n, f) : 0;
	}
	if (f)
		fclose(f);
	if (!buf)
		buf = malloc(1);
	assert(buf);
	buf[size] = '\0';
	return buf;
}

int
lg_count(const char *path, const char *needle)
{
	char *text = lg_slurp(path), *p = text;
	int n = 0;

	while ((p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	free(text);
	return n;
}

bool
lg_wait_count(struct lg_qemu *q, const char *path, const char *needle, int n, int timeout_ms)
{
	int64_t end = lg_now_ms() + timeout_ms;

	while (!q->exited && lg_now_ms() < end) {
		if (q->serial_fail && lg_count(q->serial, q->serial_fail) > 0)
			break;
		if (lg_count(path, needle) >= n)
			return true;
		lg_poll_exit(q, 200);
	}
	fprintf(stderr, "'%s' x%d not in %s (exited %d)\n", needle, n, path, q->exited);
	return false;
}
