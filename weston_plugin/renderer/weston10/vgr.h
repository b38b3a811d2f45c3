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

enum vgr_buffer_kind {
	VGR_BUFFER_NONE = 0,
	VGR_BUFFER_SHM,
	VGR_BUFFER_SOLID,
	VGR_BUFFER_DMABUF,
};

struct vgr_surface {
	struct vgr_renderer *gr;
	struct weston_surface *surface;
	struct rb_resource res;		/* RB_RESOURCE_TEXTURE: the planes */
	struct wl_list link;		/* vgr_frontend.surfaces */
	struct wl_listener surface_destroy;
	struct wl_listener renderer_destroy;

	enum vgr_buffer_kind kind;
	enum vgr_variant variant;
	float color[4];
	GLenum target;

	struct vgr_plane planes[VGR_MAX_PLANES];
	int n_planes;

	/* Held until the next attach so content can be re-uploaded at will. */
	struct weston_buffer_reference buffer_ref;
	struct weston_buffer_release_reference release_ref;
	uint32_t shm_format;
	int buffer_width, buffer_height;
	bool y_inverted;
	bool needs_full_upload;
	pixman_region32_t texture_damage;	/* surface coordinates */

	struct vgr_dmabuf_image *image;		/* non-NULL for dma-buf */
	bool used_in_repaint;
};

struct vgr_output {
	struct vgr_renderer *gr;
	struct weston_output *output;
	/* The backend's entry points behind the repaint gate. */
	int (*backend_start_repaint_loop)(struct weston_output *output);
	int (*backend_repaint)(struct weston_output *output,
			       pixman_region32_t *damage, void *repaint_data);
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

/* The renderer libweston 10 sees: its weston_renderer first, the core
 * embedded (vgr_fe() finds this from the core). */
struct vgr_frontend {
	struct weston_renderer base;
	struct vgr_renderer gr;
	struct weston_compositor *compositor;

	struct weston_drm_format_array dmabuf_formats;
	bool dmabuf_formats_ready;

	struct wl_list surfaces;	/* vgr_surface.link */
	struct wl_signal destroy_signal;
};

static inline struct vgr_frontend *
vgr_fe(struct vgr_renderer *gr)
{
	return vgr_container_of(gr, struct vgr_frontend, gr);
}

static inline struct vgr_renderer *
vgr_get(struct weston_compositor *ec)
{
	struct vgr_frontend *fe = (struct vgr_frontend *)ec->renderer;

	return fe ? &fe->gr : NULL;
}

#include "vgr-version.h"

/* ../common/vgr-api.c */
bool vgr_api_register(struct vgr_renderer *gr);

/* vgr-hooks.c: also the core's hooks (core/vgr-frontend.h). */
/* vgr_config_format entries for DRM fourccs, in the same order; an
 * unknown fourcc gets depths no config has. */
void vgr_config_formats(const uint32_t *fourccs, unsigned count,
			struct vgr_config_format *out);
/* vgr_egl_choose_config() for a list of DRM fourccs. */
bool vgr_choose_config(struct vgr_renderer *gr, EGLint surface_type,
		       const uint32_t *fourccs, unsigned count, EGLConfig *out);

/* vgr-output.c */
int vgr_output_window_create(struct weston_output *output,
			     const struct gl_renderer_output_options *opts);
int vgr_output_pbuffer_create(struct weston_output *output,
			      const struct gl_renderer_pbuffer_options *opts);
void vgr_output_destroy(struct weston_output *output);
void vgr_output_set_border(struct weston_output *output,
			   enum gl_renderer_border_side side,
			   int32_t width, int32_t height,
			   int32_t tex_width, unsigned char *data);
int vgr_create_fence_fd(struct weston_output *output);
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

/* vgr-repaint-gate.c */
void vgr_repaint_gate_install(struct vgr_output *vo);
void vgr_repaint_gate_remove(struct vgr_output *vo);

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
void vgr_surface_drop_textures(struct vgr_surface *vs);
/* Creates the textures of the current content's planes (handles 0). */
void vgr_surface_create_textures(struct vgr_surface *vs);

/* vgr-shm.c */
bool vgr_shm_attach(struct vgr_surface *vs, struct weston_buffer *buffer,
		    struct wl_shm_buffer *shm);
void vgr_shm_upload(struct vgr_surface *vs, bool full);
void vgr_shm_register_formats(struct vgr_renderer *gr);

/* vgr-dmabuf.c */
bool vgr_import_dmabuf(struct weston_compositor *ec,
		       struct linux_dmabuf_buffer *dmabuf);
const struct weston_drm_format_array *
vgr_get_supported_formats(struct weston_compositor *ec);
/* The same list, filled on first use. */
const struct weston_drm_format_array *
vgr_dmabuf_formats(struct vgr_renderer *gr);
bool vgr_dmabuf_attach(struct vgr_surface *vs, struct weston_buffer *buffer,
		       struct linux_dmabuf_buffer *dmabuf);
/* Textures from the retained dma-buf attributes (after attach or reset). */
bool vgr_dmabuf_surface_upload(struct vgr_surface *vs);
void vgr_dmabuf_surface_release(struct vgr_surface *vs);
/* The format list, and the feedback (vgr_dmabuf_feedback_fini) too. */
void vgr_dmabuf_fini(struct vgr_renderer *gr);

/* vgr-dmabuf-feedback.c: the compositor's default dma-buf feedback. */
bool vgr_dmabuf_setup_feedback(struct vgr_renderer *gr);
void vgr_dmabuf_feedback_fini(struct vgr_renderer *gr);

#endif
