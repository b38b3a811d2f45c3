/* SPDX-License-Identifier: MIT */
/*
 * vmplane display core, OpenGL side: an EGL display and robust contexts for a
 * guest renderer (virglrenderer), texture scanouts and GPU reset recovery.
 *
 * The EGL display is opened on the compositor's main device (GBM platform)
 * or, where there is no render node, on the surfaceless platform. Every
 * context shares the display's own context, so the display can export or
 * read back the renderer's textures. Single-threaded like the rest of the
 * core; GL calls leave the display's context current. The contexts are
 * OpenGL ES 3 (2 where that is all), or with `desktop_gl` desktop OpenGL
 * core-profile ones (QEMU's gl=core), robust the same way.
 */
#ifndef VMPLANE_DISPLAY_GL_H
#define VMPLANE_DISPLAY_GL_H

#include <stdbool.h>
#include <stdint.h>

#include <vmplane/display.h>

struct vmpd_gl;
struct vmpd_gl_context;

struct vmpd_gl_config {
	/* DRM render node; NULL uses the compositor's main device, else surfaceless. */
	const char *render_node;
	/* Never export textures: always read them back (tests, broken drivers). */
	bool disable_export;
	/* Allow vmpd_gl_inject_reset() (a debug switch, never on by default). */
	bool fault_injection;
	/* Desktop OpenGL core profile (3.2 or later) instead of OpenGL ES. */
	bool desktop_gl;
	struct vmpd_log log;
};

/* NULL when no usable EGL display or context exists (the reason is logged). */
struct vmpd_gl *vmpd_gl_create(struct vmpd_display *display,
			       const struct vmpd_gl_config *config);
/* Destroy every context first. Accepts NULL. */
void vmpd_gl_destroy(struct vmpd_gl *gl);

/* "gbm" or "surfaceless". */
const char *vmpd_gl_platform(const struct vmpd_gl *gl);
/* The render node path, or the GL renderer string on surfaceless. */
const char *vmpd_gl_device(const struct vmpd_gl *gl);
/* Contexts lose themselves on a GPU reset (verified, not just asked for). */
bool vmpd_gl_is_robust(const struct vmpd_gl *gl);
/* Major version of the contexts: OpenGL ES 3 or 2; desktop OpenGL (e.g. 4). */
int vmpd_gl_version(const struct vmpd_gl *gl);
/* Minor version of the contexts, as the driver made them. */
int vmpd_gl_version_minor(const struct vmpd_gl *gl);
/* Desktop OpenGL (config.desktop_gl), not OpenGL ES. */
bool vmpd_gl_is_desktop(const struct vmpd_gl *gl);

/*
 * A context for the renderer, sharing the display's (of the same API and
 * version as the display's own); NULL on failure.
 */
struct vmpd_gl_context *vmpd_gl_context_create(struct vmpd_gl *gl);
/* Accepts NULL. */
void vmpd_gl_context_destroy(struct vmpd_gl_context *ctx);
/*
 * NULL releases the current context. A failure is remembered as a reset
 * that the next vmpd_gl_check_reset() reports.
 */
bool vmpd_gl_make_current(struct vmpd_gl *gl, struct vmpd_gl_context *ctx);

/*
 * Texture scanout: `texture` is a GL_TEXTURE_2D of the renderer's contexts,
 * backing_width x backing_height, of which `rect` is shown; y0_top as QEMU
 * means it (its egl-headless and gtk-egl read it so): set, the texture's
 * last row is the top; clear, its first row is. Exported once per texture as a dma-buf for the
 * head's dma-buf path where the driver can; otherwise (or when the
 * compositor refuses it) read back into the head's shm path, once per
 * update, with one warning.
 */
enum vmpd_status vmpd_gl_scanout_texture(struct vmpd_gl *gl,
					 struct vmpd_head *head,
					 uint32_t texture, bool y0_top,
					 uint32_t backing_width,
					 uint32_t backing_height,
					 const struct vmpd_rect *rect);
/*
 * The renderer drew into the texture: present it. On the export path an EGL
 * native fence (where the driver has them) becomes the frame's acquire
 * fence; a read-back is complete when glReadPixels returns.
 */
enum vmpd_status vmpd_gl_scanout_update(struct vmpd_gl *gl,
					struct vmpd_head *head,
					const struct vmpd_rect *damage);
/* The head no longer shows a texture (2D or dma-buf again); drops exports. */
void vmpd_gl_scanout_release(struct vmpd_gl *gl, struct vmpd_head *head);
/* Forget the head (before destroying it). */
void vmpd_gl_head_gone(struct vmpd_gl *gl, struct vmpd_head *head);

/*
 * The display context's reset status ("none" when fine). Cheap: call after
 * every flush. A reset stays reported until vmpd_gl_recover() succeeds.
 */
bool vmpd_gl_check_reset(struct vmpd_gl *gl, const char **status);
/*
 * Re-creates the display's context, then every renderer context in place
 * (the handles stay valid; their GL objects are gone). Makes no GL object:
 * the caller lets the renderer set up the new share group, then calls
 * vmpd_gl_resubmit(). False if a context could not come back.
 */
bool vmpd_gl_recover(struct vmpd_gl *gl);
/*
 * Exports or reads each head's texture scanout again: after
 * vmpd_gl_recover(), or when the compositor recovered from its own reset.
 */
void vmpd_gl_resubmit(struct vmpd_gl *gl);
/* Resets recovered so far. */
uint64_t vmpd_gl_recoveries(const struct vmpd_gl *gl);
/*
 * What the display owns now, counted where it is made and freed: EGL
 * contexts (its own and the renderer's), its read-back GL objects and
 * exported dma-buf fds. Steady once warm: a reset must not make it grow.
 */
uint32_t vmpd_gl_live_objects(const struct vmpd_gl *gl);
/*
 * Debug only (config.fault_injection): really destroys the display's and
 * every renderer context, as a GPU reset does; guilty or innocent status.
 */
bool vmpd_gl_inject_reset(struct vmpd_gl *gl, bool guilty);

#endif
