/* SPDX-License-Identifier: MIT */
/* reset-shim.so: a test library, preloaded below the renderer and libepoxy,
 * whose EGL and GL entry points report a GPU reset when the test arms them,
 * in-process or through a FIFO (RESET_SHIM_FIFO_ENV, see reset-shim.h).
 * It destroys nothing: the renderer's recovery rebuilds for real. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <EGL/egl.h>

#include "reset-shim.h"
#include "shim-dlsym.h"

/* The few GL names needed, without a GLES development package. */
typedef unsigned int GLenum;
#define GL_APIENTRY
#define GL_NO_ERROR 0
#define GL_CONTEXT_LOST 0x0507
#define GL_GUILTY_CONTEXT_RESET 0x8253
#define GL_INNOCENT_CONTEXT_RESET 0x8254
#define GL_UNKNOWN_CONTEXT_RESET 0x8255

#define EXPORT __attribute__((visibility("default")))

typedef EGLBoolean (*make_current_func_t)(EGLDisplay, EGLSurface, EGLSurface,
					  EGLContext);
typedef EGLBoolean (*swap_func_t)(EGLDisplay, EGLSurface);
typedef EGLint (*egl_error_func_t)(void);
typedef GLenum (*gl_enum_func_t)(void);
typedef void *(*proc_address_func_t)(const char *);

/* Resolved by name (see reset-shim.h for the types). */
EXPORT void vmplane_reset_shim_arm(enum reset_shim_fault fault, unsigned int count,
			   uint32_t status);
EXPORT unsigned int vmplane_reset_shim_pending(enum reset_shim_fault fault);
EXPORT unsigned int vmplane_reset_shim_fired(enum reset_shim_fault fault);
EXPORT GLenum GL_APIENTRY glGetError(void);
EXPORT GLenum GL_APIENTRY glGetGraphicsResetStatus(void);
EXPORT GLenum GL_APIENTRY glGetGraphicsResetStatusEXT(void);
EXPORT GLenum GL_APIENTRY glGetGraphicsResetStatusKHR(void);

static atomic_uint armed[RESET_SHIM_N_FAULTS];
static atomic_uint fired[RESET_SHIM_N_FAULTS];
static atomic_uint armed_status;
/* An EGL error is per thread, as the driver's is. */
static _Thread_local EGLint egl_error;
static pthread_once_t control_once = PTHREAD_ONCE_INIT;
static void control_start(void);

EXPORT void
vmplane_reset_shim_arm(enum reset_shim_fault fault, unsigned int count, uint32_t status)
{
	if ((unsigned int)fault >= RESET_SHIM_N_FAULTS)
		return;
	if (fault == RESET_SHIM_STATUS)
		atomic_store(&armed_status, status);
	atomic_store(&armed[fault], count);
}

EXPORT unsigned int
vmplane_reset_shim_pending(enum reset_shim_fault fault)
{
	return (unsigned int)fault < RESET_SHIM_N_FAULTS ?
	       atomic_load(&armed[fault]) : 0;
}

EXPORT unsigned int
vmplane_reset_shim_fired(enum reset_shim_fault fault)
{
	return (unsigned int)fault < RESET_SHIM_N_FAULTS ?
	       atomic_load(&fired[fault]) : 0;
}

/* Takes one armed call, if any. */
static bool
take(enum reset_shim_fault fault)
{
	unsigned int n = atomic_load(&armed[fault]);

	while (n > 0) {
		if (atomic_compare_exchange_weak(&armed[fault], &n, n - 1)) {
			atomic_fetch_add(&fired[fault], 1);
			return true;
		}
	}
	return false;
}

static void *
library(const char *soname)
{
	/* Already loaded by whoever uses it; loading it here is harmless. */
	return dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
}

static void *
real_gl(const char *name)
{
	static void *gles;
	proc_address_func_t get_proc;
	void *f = NULL;

	if (!gles)
		gles = library("libGLESv2.so.2");
	if (gles)
		f = shim_real_dlsym(gles, name);
	if (f)
		return f;
	/* Extension entry points come from EGL only. */
	get_proc = (proc_address_func_t)shim_real_egl("eglGetProcAddress");
	return get_proc ? get_proc(name) : NULL;
}

EXPORT EGLBoolean
eglMakeCurrent(EGLDisplay dpy, EGLSurface draw, EGLSurface read,
	       EGLContext ctx)
{
	make_current_func_t real =
		(make_current_func_t)shim_real_egl("eglMakeCurrent");

	/* The process that makes a context current is the one to control
	 * (not a wrapper such as timeout(1), which inherits the preload). */
	if (ctx != EGL_NO_CONTEXT)
		pthread_once(&control_once, control_start);
	/* Releasing a context cannot report its loss. */
	if (ctx != EGL_NO_CONTEXT && take(RESET_SHIM_MAKE_CURRENT)) {
		egl_error = EGL_CONTEXT_LOST;
		return EGL_FALSE;
	}
	egl_error = EGL_SUCCESS;
	return real ? real(dpy, draw, read, ctx) : EGL_FALSE;
}

EXPORT EGLBoolean
eglSwapBuffers(EGLDisplay dpy, EGLSurface surface)
{
	swap_func_t real = (swap_func_t)shim_real_egl("eglSwapBuffers");

	if (take(RESET_SHIM_SWAP)) {
		egl_error = EGL_CONTEXT_LOST;
		return EGL_FALSE;
	}
	egl_error = EGL_SUCCESS;
	return real ? real(dpy, surface) : EGL_FALSE;
}

EXPORT EGLint
eglGetError(void)
{
	egl_error_func_t real = (egl_error_func_t)shim_real_egl("eglGetError");
	EGLint error = egl_error;
	EGLint driver = real ? real() : EGL_SUCCESS;

	/* The driver's own error is read (and so cleared) either way. */
	egl_error = EGL_SUCCESS;
	return error != EGL_SUCCESS ? error : driver;
}

EXPORT GLenum GL_APIENTRY
glGetError(void)
{
	gl_enum_func_t real = (gl_enum_func_t)real_gl("glGetError");

	if (take(RESET_SHIM_GL_ERROR))
		return GL_CONTEXT_LOST;
	return real ? real() : GL_NO_ERROR;
}

static GLenum
reset_status(const char *name)
{
	gl_enum_func_t real;

	if (take(RESET_SHIM_STATUS))
		return (GLenum)atomic_load(&armed_status);
	real = (gl_enum_func_t)real_gl(name);
	return real ? real() : GL_NO_ERROR;
}

EXPORT GLenum GL_APIENTRY
glGetGraphicsResetStatus(void)
{
	return reset_status("glGetGraphicsResetStatus");
}

EXPORT GLenum GL_APIENTRY
glGetGraphicsResetStatusEXT(void)
{
	return reset_status("glGetGraphicsResetStatusEXT");
}

EXPORT GLenum GL_APIENTRY
glGetGraphicsResetStatusKHR(void)
{
	return reset_status("glGetGraphicsResetStatusKHR");
}

static const struct {
	const char *name;
	void *func;
} wrapped[] = {
	{ "eglMakeCurrent", (void *)eglMakeCurrent },
	{ "eglSwapBuffers", (void *)eglSwapBuffers },
	{ "eglGetError", (void *)eglGetError },
	{ "eglGetProcAddress", (void *)eglGetProcAddress },
	{ "glGetError", (void *)glGetError },
	{ "glGetGraphicsResetStatus", (void *)glGetGraphicsResetStatus },
	{ "glGetGraphicsResetStatusEXT", (void *)glGetGraphicsResetStatusEXT },
	{ "glGetGraphicsResetStatusKHR", (void *)glGetGraphicsResetStatusKHR },
};

static void *
find_wrapped(const char *name)
{
	for (size_t i = 0; name && i < sizeof(wrapped) / sizeof(wrapped[0]); i++)
		if (strcmp(wrapped[i].name, name) == 0)
			return wrapped[i].func;
	return NULL;
}

EXPORT __eglMustCastToProperFunctionPointerType
eglGetProcAddress(const char *name)
{
	proc_address_func_t real =
		(proc_address_func_t)shim_real_egl("eglGetProcAddress");
	void *f = find_wrapped(name);

	if (f)
		return (__eglMustCastToProperFunctionPointerType)f;
	return real ? (__eglMustCastToProperFunctionPointerType)real(name) : NULL;
}

EXPORT void *
dlsym(void *handle, const char *name)
{
	void *f = find_wrapped(name);

	return f ? f : shim_real_dlsym(handle, name);
}

/* --- Control through a FIFO, for a compositor started as a real process --- */

static const char *const fault_names[RESET_SHIM_N_FAULTS] = {
	[RESET_SHIM_STATUS] = "status",
	[RESET_SHIM_MAKE_CURRENT] = "make-current",
	[RESET_SHIM_SWAP] = "swap",
	[RESET_SHIM_GL_ERROR] = "gl-error",
};

static bool
parse_status(const char *word, uint32_t *status)
{
	char *end;
	unsigned long v;

	if (strcmp(word, "guilty") == 0)
		*status = GL_GUILTY_CONTEXT_RESET;
	else if (strcmp(word, "innocent") == 0)
		*status = GL_INNOCENT_CONTEXT_RESET;
	else if (strcmp(word, "unknown") == 0)
		*status = GL_UNKNOWN_CONTEXT_RESET;
	else {
		errno = 0;
		v = strtoul(word, &end, 0);
		if (errno || *end || v > UINT32_MAX)
			return false;
		*status = (uint32_t)v;
	}
	return true;
}

/* "report <path>": every fault's pending and fired calls and the heap,
 * written to a temporary file renamed into place so a reader never sees
 * half of it. */
static bool
write_report(const char *path)
{
	char tmp[4096];
	FILE *f;
	struct mallinfo2 mi;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return false;
	f = fopen(tmp, "w");
	if (!f)
		return false;
	mi = mallinfo2();
	for (int i = 0; i < RESET_SHIM_N_FAULTS; i++)
		fprintf(f, "%s pending=%u fired=%u\n", fault_names[i],
			atomic_load(&armed[i]), atomic_load(&fired[i]));
	/* The process's heap, which only code inside it can read. */
	fprintf(f, "heap in_use=%zu arena=%zu mmapped=%zu\n",
		mi.uordblks + mi.hblkhd, mi.arena, mi.hblkhd);
	if (fclose(f) != 0)
		return false;
	return rename(tmp, path) == 0;
}

/* "<fault> <count> [status]" arms; "report <path>" reports. */
static void
control_line(char *line)
{
	char *save = NULL;
	char *cmd = strtok_r(line, " \t\n", &save);
	char *a1 = strtok_r(NULL, " \t\n", &save);
	char *a2 = strtok_r(NULL, " \t\n", &save);
	uint32_t status = 0;
	char *end;
	unsigned long count;

	if (!cmd)
		return;
	if (strcmp(cmd, "report") == 0) {
		if (!a1 || !write_report(a1))
			fprintf(stderr, "reset-shim: cannot write the report %s\n",
				a1 ? a1 : "(no path)");
		return;
	}
	for (int i = 0; i < RESET_SHIM_N_FAULTS; i++) {
		if (strcmp(cmd, fault_names[i]) != 0)
			continue;
		errno = 0;
		count = a1 ? strtoul(a1, &end, 0) : 0;
		if (!a1 || errno || *end || count > 1000 ||
		    (i == RESET_SHIM_STATUS && (!a2 || !parse_status(a2, &status)))) {
			fprintf(stderr, "reset-shim: bad control line for %s "
				"(want '%s <count 0-1000>%s')\n", cmd, cmd,
				i == RESET_SHIM_STATUS ?
				" <guilty|innocent|unknown|value>" : "");
			return;
		}
		vmplane_reset_shim_arm((enum reset_shim_fault)i,
				       (unsigned int)count, status);
		return;
	}
	fprintf(stderr, "reset-shim: unknown control command '%s'\n", cmd);
}

static void *
control_thread(void *data)
{
	char *path = data;
	char line[512];
	FILE *f;
	int fd;

	/* Read-write, so that no writer closing it ever means end of file. */
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		fprintf(stderr, "reset-shim: cannot open the control FIFO %s: %s\n",
			path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return NULL;
	}
	while (fgets(line, sizeof(line), f))
		control_line(line);
	fclose(f);
	free(path);
	return NULL;
}

static void
control_start(void)
{
	const char *env = getenv(RESET_SHIM_FIFO_ENV);
	char *path;
	pthread_t thread;
	pthread_attr_t attr;

	if (!env || !*env)
		return;
	path = strdup(env);
	/* Only this process listens: the compositor's children (its shell
	 * client, the clients it launches later) inherit the preload, not
	 * this. */
	unsetenv(RESET_SHIM_FIFO_ENV);
	if (!path)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&thread, &attr, control_thread, path) != 0) {
		fprintf(stderr, "reset-shim: cannot start the control thread\n");
		free(path);
	}
	pthread_attr_destroy(&attr);
}
