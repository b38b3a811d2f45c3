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

	/* Held (may be accessed) until the next attach, so the content can
	 * be uploaded again after a reset. */
	struct weston_buffer_reference buffer_ref;
	struct weston_buffer_release_reference release_ref;
	uint32_t shm_format;
	int buffer_width, buffer_height;
	bool origin_top_left;
	bool needs_full_upload;
	pixman_region32_t texture_damage;	/* surface coordinates */

	struct vgr_dmabuf_image *image;		/* non-NULL for dma-buf */
};

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

/* The renderer libweston 14 sees: its weston_renderer first, the core
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
/* vgr_egl_choose_config() for a list of pixel formats. */
bool vgr_choose_config(struct vgr_renderer *gr, EGLint surface_type,
		       const struct pixel_format_info **formats,
		       unsigned count, EGLConfig *out);

/* vgr-output.c */
int vgr_output_window_create(struct weston_output *output,
			     const struct gl_renderer_output_options *opts);
int vgr_output_fbo_create(struct weston_output *output,
			  const struct gl_renderer_fbo_options *opts);
void vgr_output_destroy(struct weston_output *output);
void vgr_output_set_border(struct weston_output *output,
			   enum gl_renderer_border_side side,
			   int32_t width, int32_t height,
			   int32_t tex_width, unsigned char *data);
int vgr_create_fence_fd(struct weston_output *output);
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

/* vgr-repaint-gate.c */
void vgr_repaint_gate_install(struct vgr_output *vo);
void vgr_repaint_gate_remove(struct vgr_output *vo);

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
void vgr_surface_drop_textures(struct vgr_surface *vs);
void vgr_surface_create_textures(struct vgr_surface *vs);
void vgr_buffer_init(struct weston_compositor *ec,
		     struct weston_buffer *buffer);
bool vgr_fill_buffer_info(struct weston_compositor *ec,
			  struct weston_buffer *buffer);

/* vgr-shm.c */
bool vgr_shm_attach(struct vgr_surface *vs, struct weston_buffer *buffer);
void vgr_shm_upload(struct vgr_surface *vs, bool full);
void vgr_shm_register_formats(struct vgr_renderer *gr);

/* vgr-dmabuf.c */
bool vgr_import_dmabuf(struct weston_compositor *ec,
		       struct linux_dmabuf_buffer *dmabuf);
const struct weston_drm_format_array *
vgr_get_supported_formats(struct weston_compositor *ec);
bool vgr_dmabuf_attach(struct vgr_surface *vs, struct weston_buffer *buffer);
bool vgr_dmabuf_surface_upload(struct vgr_surface *vs);
void vgr_dmabuf_fini(struct vgr_renderer *gr);

#endif
