/* SPDX-License-Identifier: MIT */
/* Shared state of the core's OpenGL side (display-gl.h): gl-context.c and gl-scanout.c. */
#ifndef VMPD_GL_PRIVATE_H
#define VMPD_GL_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <epoxy/egl.h>
#include <epoxy/gl.h>
#include <wayland-util.h>

#include <vmplane/display-gl.h>
#include <vmplane/robustness.h>

struct gbm_device;

struct vmpd_gl_context {
	struct vmpd_gl *gl;
	struct rb_context *rb;
	struct wl_list link; /* vmpd_gl.contexts */
};

struct vmpd_gl {
	struct vmpd_display *display;
	struct vmpd_log log;
	bool disable_export;
	bool fault_injection;
	bool desktop;
	/* The share group's version as the driver made it. */
	int major, minor;

	int drm_fd;
	struct gbm_device *gbm;
	EGLDisplay dpy;
	const char *platform;
	char device[128];

	/* The display's own context: the share group's root. */
	struct rb_context *ctx;
	struct wl_list contexts; /* vmpd_gl_context.link */
	const char *lost; /* reset status seen, until recovered */
	uint64_t recoveries;

	/* Read-back objects of ctx; generation tells them from a lost context's. */
	uint64_t generation, objects_generation;
	GLuint program, sampler, fbo, rbo;
	/* Desktop core profile only: no client-side vertex arrays there. */
	GLuint vao, vbo;
	GLint tex_uniform;
	uint32_t rbo_w, rbo_h;
	bool export_warned, readback_warned;
	/* What vmpd_gl_live_objects() reports; readback_objects of it are ctx's. */
	uint32_t live_objects, readback_objects;

	struct wl_list scanouts; /* gl_scanout.link */
};

/* gl-scanout.c */
void vmpd_gl_scanouts_destroy(struct vmpd_gl *gl);
/* After a recovery or a compositor reset: export or read each one again. */
void vmpd_gl_scanouts_resubmit(struct vmpd_gl *gl);

/* gl-context.c: the display context current; false once it is lost. */
bool vmpd_gl_use_display_context(struct vmpd_gl *gl);

#endif
