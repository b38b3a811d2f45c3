/* SPDX-License-Identifier: MIT */
/*
 * vgr: the libweston 10 front end of the vmplane GL renderer (internal
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
#include "abi/weston10.h"

struct vgr_output {
	struct vgr_renderer *gr;
	struct weston_output *output;
	/* The backend's entry points behind the repaint gate. */
	int (*backend_start_repaint_loop)(struct weston_output *output);
	int (*backend_repaint)(struct weston_output *output,
			       pixman_region32_t *damage, void *repaint_data);
	/* Presentation feedback of frames the gate refused (links of
	 * libweston's feedback objects), presented with the next drawn one. */
	struct wl_list held_feedback;
	struct rb_resource surface_res;	/* RB_RESOURCE_OUTPUT_SURFACE */
	struct rb_resource shadow_res;	/* RB_RESOURCE_FBO */
	EGLSurface egl_surface;
	EGLConfig config;
	bool is_pbuffer;
	int pbuffer_width, pbuffer_height;
	/* Frames to repaint in full: buffer ages lie after a reset. */
	unsigned full_redraws;
	int fb_width, fb_height;
	pixman_region32_t history[VGR_DAMAGE_HISTORY];
	unsigned history_head;

	/* Blending space framebuffer, used for colour-managed outputs. */
	GLuint shadow_tex, shadow_fbo;
	int shadow_width, shadow_height;
};

/* How gl_renderer's option structs list formats: DRM fourccs. */
typedef uint32_t vgr_gl_format;

/* Drops a buffer reference (the call's arguments are version-specific). */
static inline void
vgr_buffer_unref(struct weston_buffer_reference *ref)
{
	weston_buffer_reference(ref, NULL);
}

/* A reference that keeps @buffer (and its content) alive. */
static inline void
vgr_buffer_keep(struct weston_buffer_reference *ref,
		struct weston_buffer *buffer)
{
	weston_buffer_reference(ref, buffer);
}

#include "vgr-common.h"
#include "vgr-version.h"

/* vgr-output.c */
int vgr_output_window_create(struct weston_output *output,
			     const struct gl_renderer_output_options *opts);
int vgr_output_pbuffer_create(struct weston_output *output,
			      const struct gl_renderer_pbuffer_options *opts);
void vgr_output_destroy(struct weston_output *output);
void vgr_repaint_output(struct weston_output *output,
			pixman_region32_t *output_damage);
/* Runs the draws of the output's next full repaint clipped to one pixel,
 * so a driver that compiles per pipeline state does it now rather than in
 * that frame; the frame redraws everything anyway. */
void vgr_output_warm_up(struct weston_output *output);
int vgr_read_pixels(struct weston_output *output, pixman_format_code_t format,
		    void *pixels, uint32_t x, uint32_t y,
		    uint32_t width, uint32_t height);

/* vgr-shadow.c */
/* With damage == NULL only makes sure the shadow exists; otherwise copies
 * the damaged part (global coordinates) to the bound framebuffer. */
bool vgr_output_blit_shadow(struct vgr_output *vo, pixman_region32_t *damage,
			    const struct weston_matrix *proj);
/* After a reset: the same size again; the content is repainted in full. */
bool vgr_output_shadow_rebuild(struct vgr_output *vo);

/* vgr-repaint-gate.c: output->repaint behind the gate. */
int vgr_repaint_gate_repaint(struct weston_output *output,
			     pixman_region32_t *damage, void *repaint_data);

/* vgr-draw.c */
void vgr_draw_paint_node(struct weston_paint_node *pnode,
			 pixman_region32_t *damage,
			 const struct weston_matrix *proj, int fb_height,
			 bool linear_blend);

/* vgr-copy-content.c */
int vgr_surface_copy_content(struct weston_surface *surface, void *target,
			     size_t size, int src_x, int src_y, int width,
			     int height);

/* vgr-surface.c */
struct vgr_surface *vgr_surface_get(struct weston_surface *surface);
void vgr_attach(struct weston_surface *surface, struct weston_buffer *buffer);
void vgr_flush_damage(struct weston_surface *surface);
void vgr_surface_set_color(struct weston_surface *surface,
			   float r, float g, float b, float a);
void vgr_surface_get_content_size(struct weston_surface *surface,
				  int *width, int *height);

/* vgr-shm.c */
bool vgr_shm_attach(struct vgr_surface *vs, struct weston_buffer *buffer,
		    struct wl_shm_buffer *shm);

/* vgr-dmabuf.c */
bool vgr_import_dmabuf(struct weston_compositor *ec,
		       struct linux_dmabuf_buffer *dmabuf);
/* The buffer's size and orientation from the dma-buf's attributes. */
void vgr_dmabuf_describe_buffer(struct weston_buffer *buffer,
				struct linux_dmabuf_buffer *dmabuf);
bool vgr_dmabuf_attach(struct vgr_surface *vs, struct weston_buffer *buffer,
		       struct linux_dmabuf_buffer *dmabuf);

/* vgr-dmabuf-feedback.c: the compositor's default dma-buf feedback. */
bool vgr_dmabuf_setup_feedback(struct vgr_renderer *gr);
void vgr_dmabuf_feedback_fini(struct vgr_renderer *gr);

#endif
