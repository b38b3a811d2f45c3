/* SPDX-License-Identifier: MIT */
/* The core's EGL display, robust renderer contexts and their GPU reset recovery (display-gl.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gbm.h>

#include "gl-private.h"
#include "log.h"

/* robustness/'s messages go to the core's log. */
static void
rb_log_forward(void *data, enum rb_log_level level, const char *fmt,
	       va_list args)
{
	const struct vmpd_log *log = data;
	static const enum vmpd_log_level levels[] = {
		[RB_LOG_ERROR] = VMPD_LOG_ERROR,
		[RB_LOG_WARNING] = VMPD_LOG_WARNING,
		[RB_LOG_INFO] = VMPD_LOG_INFO,
		[RB_LOG_DEBUG] = VMPD_LOG_DEBUG,
	};
	char msg[512];
	if (!log->func || (unsigned)level >= sizeof(levels) / sizeof(levels[0]))
		return;
	vsnprintf(msg, sizeof(msg), fmt, args);
	vmpd_log_emit(log, levels[level], "wayland gl: %s", msg);
}

/* The render node of the DRM device `dev` (a primary or render node), from sysfs. */
static bool
render_node_of(dev_t dev, char *path, size_t len)
{
	char dir[96];
	snprintf(dir, sizeof(dir), "/sys/dev/char/%u:%u/device/drm", major(dev),
		 minor(dev));
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	struct dirent *e;
	while (!found && (e = readdir(d)))
		if (strncmp(e->d_name, "renderD", 7) == 0) {
			snprintf(path, len, "/dev/dri/%s", e->d_name);
			found = true;
		}
	closedir(d);
	return found;
}

static bool
open_gbm(struct vmpd_gl *gl, const char *node)
{
	struct stat st;

	gl->drm_fd = open(node, O_RDWR | O_CLOEXEC);
	if (gl->drm_fd < 0) {
		vmpd_log_emit(&gl->log, VMPD_LOG_ERROR,
			      "wayland gl: cannot open %s: %s", node,
			      strerror(errno));
		return false;
	}
	/* Mesa's GBM takes any fd and falls back to software rendering on it:
	 * a render node the user named must be a DRM device (major 226). */
	if (fstat(gl->drm_fd, &st) != 0 || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) != 226) {
		vmpd_log_emit(&gl->log, VMPD_LOG_ERROR,
			      "wayland gl: %s is not a DRM device", node);
		return false;
	}
	gl->gbm = gbm_create_device(gl->drm_fd);
	if (gl->gbm)
		gl->dpy = rb_egl_get_platform_display(EGL_PLATFORM_GBM_KHR,
						      gl->gbm, NULL);
	if (gl->dpy == EGL_NO_DISPLAY) {
		vmpd_log_emit(&gl->log, VMPD_LOG_ERROR,
			      "wayland gl: no EGL display on %s", node);
		return false;
	}
	gl->platform = "gbm";
	snprintf(gl->device, sizeof(gl->device), "%s", node);
	return true;
}

static bool
open_egl_display(struct vmpd_gl *gl, const char *render_node)
{
	char node[64];
	dev_t main_dev;

	if (render_node)
		return open_gbm(gl, render_node);
	if (vmpd_display_main_device(gl->display, &main_dev) &&
	    render_node_of(main_dev, node, sizeof(node)))
		return open_gbm(gl, node);
	/* No render node here (software rendering): the surfaceless platform. */
	gl->dpy = rb_egl_get_platform_display(EGL_PLATFORM_SURFACELESS_MESA,
					      EGL_DEFAULT_DISPLAY, NULL);
	if (gl->dpy == EGL_NO_DISPLAY) {
		vmpd_log_emit(&gl->log, VMPD_LOG_ERROR,
			      "wayland gl: no render node and no EGL "
			      "surfaceless platform");
		return false;
	}
	gl->platform = "surfaceless";
	return true;
}

static struct rb_context *
make_context(struct vmpd_gl *gl, struct rb_context *share)
{
	struct rb_context_options opts = {
		.display = gl->dpy,
		.config = EGL_NO_CONFIG_KHR,
		.gles_major = 3,
		.share = share,
		.desktop = gl->desktop,
		/* The display's own: 3.2, which Mesa makes the newest it has. */
		.gl_major = share ? gl->major : 3,
		.gl_minor = share ? gl->minor : 2,
		.log = { rb_log_forward, &gl->log },
	};
	struct rb_context *rb = rb_context_create(&opts);
	if (rb && gl->fault_injection)
		rb_fault_injector_enable(rb);
	if (rb)
		gl->live_objects++;
	return rb;
}

struct vmpd_gl *
vmpd_gl_create(struct vmpd_display *display,
	       const struct vmpd_gl_config *config)
{
	struct vmpd_gl *gl = calloc(1, sizeof(*gl));
	if (!gl || !display || !config) {
		free(gl);
		return NULL;
	}
	gl->display = display;
	gl->log = config->log;
	gl->disable_export = config->disable_export;
	gl->fault_injection = config->fault_injection;
	gl->desktop = config->desktop_gl;
	gl->drm_fd = -1;
	gl->dpy = EGL_NO_DISPLAY;
	wl_list_init(&gl->contexts);
	wl_list_init(&gl->scanouts);
	if (!open_egl_display(gl, config->render_node))
		goto fail;
	if (!rb_egl_has_extension(gl->dpy, "EGL_KHR_no_config_context") ||
	    !rb_egl_has_extension(gl->dpy, "EGL_KHR_surfaceless_context")) {
		vmpd_log_emit(&gl->log, VMPD_LOG_ERROR,
			      "wayland gl: the EGL display lacks "
			      "EGL_KHR_no_config_context or "
			      "EGL_KHR_surfaceless_context");
		goto fail;
	}
	if (gl->desktop &&
	    !rb_egl_has_extension(gl->dpy, "EGL_KHR_create_context")) {
		vmpd_log_emit(&gl->log, VMPD_LOG_ERROR,
			      "wayland gl: desktop OpenGL needs "
			      "EGL_KHR_create_context");
		goto fail;
	}
	gl->ctx = make_context(gl, NULL);
	if (!gl->ctx ||
	    !rb_context_make_current(gl->ctx, EGL_NO_SURFACE, EGL_NO_SURFACE)) {
		vmpd_log_emit(&gl->log, VMPD_LOG_ERROR,
			      "wayland gl: cannot create an OpenGL%s context",
			      gl->desktop ? " core profile" : " ES");
		goto fail;
	}
	/* 10 * major + minor, for both APIs. */
	gl->major = epoxy_gl_version() / 10;
	gl->minor = epoxy_gl_version() % 10;
	if (!strcmp(gl->platform, "surfaceless")) {
		const char *renderer = (const char *)glGetString(GL_RENDERER);
		snprintf(gl->device, sizeof(gl->device), "%s",
			 renderer ? renderer : "unknown");
		vmpd_log_emit(&gl->log, VMPD_LOG_WARNING,
			      "wayland gl: no render node: using the "
			      "EGL surfaceless platform (%s)",
			      gl->device);
	}
	gl->generation = 1;
	return gl;
fail:
	vmpd_gl_destroy(gl);
	return NULL;
}

void
vmpd_gl_destroy(struct vmpd_gl *gl)
{
	struct vmpd_gl_context *c, *tmp;

	if (!gl)
		return;
	vmpd_gl_scanouts_destroy(gl);
	wl_list_for_each_safe(c, tmp, &gl->contexts, link)
		vmpd_gl_context_destroy(c);
	if (gl->ctx)
		gl->live_objects--;
	rb_context_destroy(gl->ctx);
	if (gl->dpy != EGL_NO_DISPLAY) {
		eglMakeCurrent(gl->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE,
			       EGL_NO_CONTEXT);
		eglTerminate(gl->dpy);
	}
	if (gl->gbm)
		gbm_device_destroy(gl->gbm);
	if (gl->drm_fd >= 0)
		close(gl->drm_fd);
	free(gl);
}

const char *
vmpd_gl_platform(const struct vmpd_gl *gl)
{
	return gl->platform;
}

const char *
vmpd_gl_device(const struct vmpd_gl *gl)
{
	return gl->device;
}

bool
vmpd_gl_is_robust(const struct vmpd_gl *gl)
{
	return rb_context_is_robust(gl->ctx);
}

int
vmpd_gl_version(const struct vmpd_gl *gl)
{
	return gl->major;
}

int
vmpd_gl_version_minor(const struct vmpd_gl *gl)
{
	return gl->minor;
}

bool
vmpd_gl_is_desktop(const struct vmpd_gl *gl)
{
	return gl->desktop;
}

struct vmpd_gl_context *
vmpd_gl_context_create(struct vmpd_gl *gl)
{
	struct vmpd_gl_context *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->gl = gl;
	c->rb = make_context(gl, gl->ctx);
	if (!c->rb) {
		free(c);
		return NULL;
	}
	wl_list_insert(gl->contexts.prev, &c->link);
	return c;
}

void
vmpd_gl_context_destroy(struct vmpd_gl_context *c)
{
	if (!c)
		return;
	wl_list_remove(&c->link);
	c->gl->live_objects--;
	rb_context_destroy(c->rb);
	free(c);
}

bool
vmpd_gl_make_current(struct vmpd_gl *gl, struct vmpd_gl_context *c)
{
	if (!c)
		return eglMakeCurrent(gl->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE,
				      EGL_NO_CONTEXT);
	/* A failure is a reset of the share group: vmpd_gl_check_reset() finds it. */
	return rb_context_make_current(c->rb, EGL_NO_SURFACE, EGL_NO_SURFACE);
}

bool
vmpd_gl_use_display_context(struct vmpd_gl *gl)
{
	return gl->ctx && !gl->lost &&
	       rb_context_make_current(gl->ctx, EGL_NO_SURFACE, EGL_NO_SURFACE);
}

bool
vmpd_gl_check_reset(struct vmpd_gl *gl, const char **status)
{
	if (!gl->lost) {
		/* A failed make-current is recorded, and the query returns it. */
		rb_context_make_current(gl->ctx, EGL_NO_SURFACE,
					EGL_NO_SURFACE);
		enum rb_reset_status st = rb_context_query_status(gl->ctx);
		if (st != RB_RESET_NONE)
			gl->lost = rb_reset_status_name(st);
	}
	if (status)
		*status = gl->lost ? gl->lost : "none";
	return gl->lost != NULL;
}

bool
vmpd_gl_recover(struct vmpd_gl *gl)
{
	struct vmpd_gl_context *c;
	bool ok;

	/* The root first: a shared context is re-created after the one it shares. */
	ok = rb_context_recreate(gl->ctx);
	wl_list_for_each(c, &gl->contexts, link)
		ok = rb_context_recreate(c->rb) && ok;
	if (!ok)
		return false;
	/* The read-back objects went with the old context: never delete them. */
	gl->generation++;
	gl->live_objects -= gl->readback_objects;
	gl->readback_objects = 0;
	gl->lost = NULL;
	gl->recoveries++;
	/* Nothing is made here: the renderer's owner sets up the new share group first. */
	return vmpd_gl_use_display_context(gl);
}

uint64_t
vmpd_gl_recoveries(const struct vmpd_gl *gl)
{
	return gl->recoveries;
}

uint32_t
vmpd_gl_live_objects(const struct vmpd_gl *gl)
{
	return gl->live_objects;
}

bool
vmpd_gl_inject_reset(struct vmpd_gl *gl, bool guilty)
{
	struct vmpd_gl_context *c;
	enum rb_reset_status st = guilty ? RB_RESET_GUILTY : RB_RESET_INNOCENT;

	if (!gl->fault_injection || !rb_fault_inject_reset(gl->ctx, st, 0))
		return false;
	/* A real reset takes the whole share group: the renderer's contexts too. */
	wl_list_for_each(c, &gl->contexts, link)
		rb_fault_inject_reset(c->rb, RB_RESET_INNOCENT, 0);
	return true;
}
