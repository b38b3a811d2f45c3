/* SPDX-License-Identifier: MIT */
/*
 * vgr: the libweston 14 front end of the vmplane GL renderer (internal
 * header); the version-neutral core is in ../core/vgr-core.h.
 */
#ifndef VMPLANE_VGR_H
#define VMPLANE_VGR_H

#include <stdbool.h>
#include <stdint.h>
#include <pixman.h>
#include <wayland-server-core.h>
#include <libweston/libweston.h>

/* First: epoxy's EGL/GL headers must come before the system EGL header. */
#include "vgr-core.h"
#include "abi/weston14.h"

/* A weston_renderbuffer of ours: an FBO with a colour texture. */
struct vgr_renderbuffer {
	struct weston_renderbuffer base;
	struct vgr_renderer *gr;
	struct rb_resource res;		/* RB_RESOURCE_FBO */
	struct wl_list link;		/* vgr_output.renderbuffers */
	GLuint fbo, tex;
	bool alpha;
	int width, height;
	/* The backend reads frames back from here (create_fbo). */
	uint32_t *pixels;
};

struct vgr_output {
	struct vgr_renderer *gr;
	struct weston_output *output;
	/* The backend's entry points behind the repaint gate. */
	int (*backend_start_repaint_loop)(struct weston_output *output);
	int (*backend_repaint)(struct weston_output *output);
	/* Presentation feedback of frames the gate refused (links of
	 * libweston's feedback objects), presented with the next drawn one. */
	struct wl_list held_feedback;
	struct rb_resource surface_res;	/* RB_RESOURCE_OUTPUT_SURFACE */
	EGLSurface egl_surface;		/* EGL_NO_SURFACE: renderbuffers only */
	EGLConfig config;
	struct weston_size fb_size;
	struct weston_geometry area;
	/* Frames to repaint in full: buffer ages lie after a reset. */
	unsigned full_redraws;
	pixman_region32_t history[VGR_DAMAGE_HISTORY];
	unsigned history_head;
	struct wl_list renderbuffers;	/* vgr_renderbuffer.link */
};

/* How gl_renderer's option structs list formats. */
typedef const struct pixel_format_info *vgr_gl_format;

/* Drops a buffer reference (the call's arguments are version-specific). */
static inline void
vgr_buffer_unref(struct weston_buffer_reference *ref)
{
	weston_buffer_reference(ref, NULL, BUFFER_WILL_NOT_BE_ACCESSED);
}

/* A reference that keeps @buffer (and its content) alive. */
static inline void
vgr_buffer_keep(struct weston_buffer_reference *ref,
		struct weston_buffer *buffer)
{
	weston_buffer_reference(ref, buffer, BUFFER_MAY_BE_ACCESSED);
}

#include "vgr-common.h"
#include "vgr-version.h"

/* vgr-output.c */
int vgr_output_window_create(struct weston_output *output,
			     const struct gl_renderer_output_options *opts);
int vgr_output_fbo_create(struct weston_output *output,
			  const struct gl_renderer_fbo_options *opts);
void vgr_output_destroy(struct weston_output *output);
bool vgr_resize_output(struct weston_output *output,
		       const struct weston_size *fb_size,
		       const struct weston_geometry *area);
void vgr_repaint_output(struct weston_output *output,
			pixman_region32_t *output_damage,
			struct weston_renderbuffer *renderbuffer);
void vgr_output_warm_up(struct weston_output *output);
int vgr_read_pixels(struct weston_output *output,
		    const struct pixel_format_info *format, void *pixels,
		    uint32_t x, uint32_t y, uint32_t width, uint32_t height);

/* vgr-renderbuffer.c */
struct weston_renderbuffer *
vgr_create_fbo(struct weston_output *output,
	       const struct pixel_format_info *format, int width, int height,
	       uint32_t *pixels);
/* Drops the output's references (resize, destroy). */
void vgr_output_drop_renderbuffers(struct vgr_output *vo);

/* vgr-capture.c: weston_capture_v1 tasks of the frame just drawn. */
void vgr_output_capture(struct vgr_output *vo, bool y_flip);

/* vgr-repaint-gate.c: output->repaint behind the gate. */
int vgr_repaint_gate_repaint(struct weston_output *output);

/* vgr-draw.c */
/* @proj maps global coordinates to clip space; @fb_height > 0 when the
 * framebuffer's rows run bottom-up (an EGL window), 0 for top-down. */
void vgr_draw_paint_node(struct weston_paint_node *pnode,
			 pixman_region32_t *damage,
			 const struct weston_matrix *proj,
			 const struct weston_geometry *area, int fb_height);

/* vgr-surface.c */
struct vgr_surface *vgr_surface_get(struct weston_surface *surface);
void vgr_attach(struct weston_paint_node *pnode);
void vgr_flush_damage(struct weston_paint_node *pnode);
void vgr_buffer_init(struct weston_compositor *ec,
		     struct weston_buffer *buffer);
bool vgr_fill_buffer_info(struct weston_compositor *ec,
			  struct weston_buffer *buffer);

/* vgr-shm.c */
bool vgr_shm_attach(struct vgr_surface *vs, struct weston_buffer *buffer);

/* vgr-dmabuf.c */
bool vgr_import_dmabuf(struct weston_compositor *ec,
		       struct linux_dmabuf_buffer *dmabuf);
bool vgr_dmabuf_attach(struct vgr_surface *vs, struct weston_buffer *buffer);
/* The image a dma-buf buffer carries; NULL if none. */
struct vgr_dmabuf_image *vgr_dmabuf_buffer_image(struct weston_buffer *buffer);

#endif
