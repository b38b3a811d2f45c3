/* SPDX-License-Identifier: MIT */
/*
 * vgr core: the version-neutral half of the vmplane GL renderer (EGL, GL
 * objects, shaders, reset recovery). It includes no libweston header; what
 * it needs from Weston it asks the front end through vgr-frontend.h.
 */
#ifndef VMPLANE_VGR_CORE_H
#define VMPLANE_VGR_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <epoxy/egl.h>
#include <epoxy/gl.h>
#include <wayland-server-core.h>

#include "vmplane/robustness.h"
#include "vmplane-renderer-api.h"

#define VGR_MAX_PLANES 3
#define VGR_DAMAGE_HISTORY 4

#ifndef ARRAY_LENGTH
#define ARRAY_LENGTH(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define vgr_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* How a surface's content is sampled; selects a fragment program. */
enum vgr_variant {
	VGR_VARIANT_NONE = 0,
	VGR_VARIANT_RGBA,	/* premultiplied RGBA texture */
	VGR_VARIANT_RGBX,	/* RGB texture, alpha forced to 1 */
	VGR_VARIANT_SOLID,	/* uniform colour */
	VGR_VARIANT_EXTERNAL,	/* GL_TEXTURE_EXTERNAL_OES, sampled as RGBA */
	VGR_VARIANT_Y_U_V,	/* three single-channel planes */
	VGR_VARIANT_Y_UV,	/* luma + interleaved chroma plane */
	VGR_VARIANT_Y_XUXV,	/* packed YUYV: luma from RG, chroma from RGBA */
	VGR_VARIANT_XYUV,	/* packed 4:4:4, channels r=V g=U b=Y */
	VGR_VARIANT_COUNT,
};

/* Program modifiers; part of the program cache key. */
enum vgr_program_flags {
	VGR_PROG_PRE_CURVE = 1 << 0,	/* per-channel 1D LUT after sampling */
};

struct vgr_program {
	struct vgr_renderer *gr;
	struct rb_resource res;		/* RB_RESOURCE_PROGRAM */
	enum vgr_variant variant;
	uint32_t flags;
	GLuint id;
	GLint u_proj;
	GLint u_alpha;
	GLint u_color;
	GLint u_tex[VGR_MAX_PLANES];
	GLint u_lut;
	GLint u_lut_scale_offset;
};

/* One GL texture plane of a client buffer. */
struct vgr_plane {
	GLuint tex;
	int width, height;	/* in texels */
	int hsub, vsub;
	int cpp;		/* bytes per texel */
	uint32_t offset;	/* start in the shm pool */
	int stride;		/* bytes */
	GLenum internal_format, format, type;
};


/* A colour buffer layout an EGL config has to match: the DRM fourcc and
 * its channel depths (the front end reads them from its format table). */
struct vgr_config_format {
	uint32_t fourcc;
	int r, g, b, a;
};

/* The renderer's Weston-independent state. A front end embeds it in its
 * own renderer struct (vgr_frontend) and finds that with container_of. */
struct vgr_renderer {
	EGLDisplay display;
	struct rb_context *ctx;
	EGLConfig context_config;	/* EGL_NO_CONFIG_KHR when configless */
	EGLSurface dummy_surface;
	EGLenum platform;
	void *native_display;
	EGLint surface_type;
	int gl_major;

	bool has_configless;
	bool has_surfaceless;
	bool has_buffer_age;
	bool has_dmabuf_import;
	bool has_dmabuf_modifiers;
	bool has_native_fence;
	bool has_wait_sync;
	bool has_unpack_subimage;
	bool has_texture_rg;
	bool has_external_image;
	bool has_color_ops;
	bool has_bgra_read;
	bool force_cpu_dmabuf;

	struct vgr_program *programs[VGR_VARIANT_COUNT][2];
	GLuint lut_tex;		/* scratch texture for colour curves */
	struct rb_resource lut_res;	/* RB_RESOURCE_TEXTURE */

	/* GPU reset recovery: private to vgr-reset.c. */
	struct vgr_reset *reset;
	/* Every GL/EGL object that outlives a frame is registered here
	 * (vgr_resource_add); created and destroyed with the recovery. */
	struct rb_registry *registry;
	/* Bumped per new context; EGLImages re-import once per generation. */
	uint32_t generation;
	/* Draws go to one pixel: compiling the pipeline ahead of a frame. */
	bool warming_up;
	/* Repaints drawn, and those the backend completed undrawn. */
	uint64_t frames_drawn, frames_undrawn;
};

#include "vgr-frontend.h"

/* vgr-egl.c */
/* Display, context (robust where offered), reset recovery; the formats
 * pick a config when the display cannot go configless. */
bool vgr_egl_init(struct vgr_renderer *gr, EGLenum platform,
		  void *native_display, EGLint surface_type,
		  const struct vgr_config_format *formats, unsigned count);
void vgr_egl_fini(struct vgr_renderer *gr);
bool vgr_egl_choose_config(struct vgr_renderer *gr, EGLint surface_type,
			   const struct vgr_config_format *formats,
			   unsigned count, EGLConfig *out);
/* EGL_NO_SURFACE: our context with whatever surface is bound, if any. */
bool vgr_make_current(struct vgr_renderer *gr, EGLSurface surface);
/* robustness/'s log lines go to the compositor's log. */
void vgr_rb_log(void *data, enum rb_log_level level, const char *fmt,
		va_list args);
/* The renderer's context is current and may be used. */
bool vgr_gl_current(struct vgr_renderer *gr);

/* vgr-gl.c */
/* Reads the GL version and extensions; false if a required one is missing. */
bool vgr_gl_init(struct vgr_renderer *gr);
/* Re-applies the context's default pixel-store state. */
void vgr_gl_defaults(void);

/* vgr-objects.c: every GL/EGL object is created and destroyed here. */
GLuint vgr_texture_create(struct vgr_renderer *gr, GLenum target);
void vgr_texture_destroy(struct vgr_renderer *gr, GLuint tex);
GLuint vgr_program_object_create(struct vgr_renderer *gr,
				 const char *vs, const char *fs);
void vgr_program_object_destroy(struct vgr_renderer *gr, GLuint prog);
bool vgr_fbo_create(struct vgr_renderer *gr, GLuint tex, GLuint *fbo);
void vgr_fbo_destroy(struct vgr_renderer *gr, GLuint fbo);
EGLImageKHR vgr_image_create(struct vgr_renderer *gr, EGLenum target,
			     EGLClientBuffer buffer, const EGLint *attribs);
void vgr_image_destroy(struct vgr_renderer *gr, EGLImageKHR image);
EGLSurface vgr_egl_surface_create_window(struct vgr_renderer *gr,
					 EGLConfig config, void *window,
					 EGLNativeWindowType legacy);
EGLSurface vgr_egl_surface_create_pbuffer(struct vgr_renderer *gr,
					  EGLConfig config, int w, int h);
void vgr_egl_surface_destroy(struct vgr_renderer *gr, EGLSurface surface);
/* The colour-curve scratch texture, created on first use. */
GLuint vgr_lut_texture(struct vgr_renderer *gr);
void vgr_lut_texture_destroy(struct vgr_renderer *gr);
/* Registry entries; every object above belongs to one. */
void vgr_resource_add(struct vgr_renderer *gr, struct rb_resource *res,
		      enum rb_resource_kind kind,
		      const struct rb_resource_impl *impl, void *data);
void vgr_resource_remove(struct rb_resource *res);

/* vgr-reset.c */
struct vgr_safe_mode;

bool vgr_reset_init(struct vgr_renderer *gr);
void vgr_reset_fini(struct vgr_renderer *gr);
/* Detection: false when GL must not be touched now (a reset was seen,
 * recovery is under way or the renderer is in safe mode). */
bool vgr_reset_check(struct vgr_renderer *gr);
/* A failed swap or EGL_CONTEXT_LOST seen by the caller. */
void vgr_reset_report(struct vgr_renderer *gr);
/* GL may be used: RUNNING, or REBUILDING inside the recovery. */
bool vgr_reset_gl_allowed(struct vgr_renderer *gr);
/* A reset was seen and its recovery has not ended (nor given up). */
bool vgr_reset_recovering(struct vgr_renderer *gr);
/* At the start of an output repaint, for the recovery's time split. */
void vgr_reset_frame_begin(struct vgr_renderer *gr);
/* After a frame was presented: sends a pending RECOVERED event. */
void vgr_reset_frame_done(struct vgr_renderer *gr);
/* After a drawn frame of an output refreshing at @refresh_mhz (0 if
 * unknown): read the status again about when the backend completes it,
 * ahead of the next repaint. */
void vgr_reset_watch_frame(struct vgr_renderer *gr, int32_t refresh_mhz);
/* For vmp_renderer_api: the signal of struct vmp_reset_event, the
 * recovery's counters, and a simulated reset (VMP_INJECT_OK, or why not). */
void vgr_reset_add_listener(struct vgr_renderer *gr,
			    struct wl_listener *listener);
void vgr_reset_get_counters(struct vgr_renderer *gr, struct rb_counters *out);
enum vmp_inject_result vgr_reset_inject(struct vgr_renderer *gr,
					enum rb_reset_status status);
/* Recovery from an idle callback, as after a detection. */
void vgr_reset_schedule_recovery(struct vgr_renderer *gr);
/* The renderer gave up on the GPU for now (SAFE_MODE). */
bool vgr_reset_in_safe_mode(struct vgr_renderer *gr);
/* For vgr-safe-mode.c: robustness/'s safe-mode probe and its delay, and
 * the safe-mode state the reset state owns (NULL before init). */
enum rb_safe_poll_result vgr_reset_safe_mode_poll(struct vgr_renderer *gr);
uint64_t vgr_reset_safe_mode_delay_ns(struct vgr_renderer *gr);
struct vgr_safe_mode *vgr_reset_safe_mode(struct vgr_renderer *gr);

/* vgr-safe-mode.c: created and destroyed by vgr-reset.c. */
struct vgr_safe_mode *vgr_safe_mode_create(struct vgr_renderer *gr);
void vgr_safe_mode_destroy(struct vgr_safe_mode *sm);
/* On entering safe mode: arms the probe that may leave it. */
void vgr_safe_mode_entered(struct vgr_safe_mode *sm);
/* read_pixels in safe mode: a blank image, -1, one clear log line. */
int vgr_safe_mode_read_pixels(struct vgr_renderer *gr, void *pixels,
			      uint32_t width, uint32_t height);

/* vgr-shm-format.c */
/* The texture planes of a wl_shm buffer (handles 0) and how to sample it. */
struct vgr_shm_layout {
	enum vgr_variant variant;
	bool opaque;
	int n_planes;
	struct vgr_plane planes[VGR_MAX_PLANES];
};

/* Every wl_shm format the core can sample. */
const uint32_t *vgr_shm_formats(unsigned *count);
/* False for a format not in vgr_shm_formats(). */
bool vgr_shm_layout(struct vgr_renderer *gr, uint32_t format, int w, int h,
		    int stride, struct vgr_shm_layout *out);
/* Uploads buffer pixels [x1, x2) x [y1, y2) of @data into plane @p (bound
 * to GL_TEXTURE_2D here); @full re-specifies the whole texture. */
void vgr_shm_upload_rect(struct vgr_plane *p, const uint8_t *data,
			 int x1, int y1, int x2, int y2, bool full);

/* vgr-dmabuf-image.c */
#define VGR_DMABUF_MAX_PLANES 4

/* A client dma-buf as the front end describes it; the fds stay the
 * compositor's (the image lives no longer than its buffer). */
struct vgr_dmabuf_desc {
	int32_t width, height;
	uint32_t format;	/* DRM fourcc */
	int n_planes;
	int fd[VGR_DMABUF_MAX_PLANES];
	uint32_t offset[VGR_DMABUF_MAX_PLANES];
	uint32_t stride[VGR_DMABUF_MAX_PLANES];
	uint64_t modifier[VGR_DMABUF_MAX_PLANES];
	/* From the front end's format table. */
	bool subsampled;	/* chroma subsampled: sampled as external */
	bool opaque;		/* no alpha channel */
};

struct vgr_dmabuf_image {
	struct vgr_renderer *gr;
	/* RB_RESOURCE_EGL_IMAGE: re-imported from desc. */
	struct rb_resource res;
	struct vgr_dmabuf_desc desc;
	/* gr->generation the images were imported in. */
	uint32_t generation;
	bool cpu;
	EGLImageKHR images[VGR_MAX_PLANES];
	int n_images;
	GLenum target;
	enum vgr_variant variant;
};

/* NULL if neither EGL nor the CPU path can take the buffer. Without GL
 * now (a reset is being handled) the recovery imports it. */
struct vgr_dmabuf_image *
vgr_dmabuf_image_create(struct vgr_renderer *gr,
			const struct vgr_dmabuf_desc *desc);
void vgr_dmabuf_image_destroy(struct vgr_dmabuf_image *img);
/* Imports again if the context changed since; true when usable. */
bool vgr_dmabuf_image_refresh(struct vgr_dmabuf_image *img);
/* Binds the images to (or, CPU path, uploads into) @tex, one texture per
 * image (one for the CPU path). */
bool vgr_dmabuf_image_upload(struct vgr_dmabuf_image *img, const GLuint *tex);
/* Calls @add once per importable format with its modifiers. */
typedef void (*vgr_dmabuf_format_func)(void *data, uint32_t format,
				       const uint64_t *mods, int n_mods);
void vgr_dmabuf_query_formats(struct vgr_renderer *gr,
			      vgr_dmabuf_format_func add, void *data);

/* vgr-draw-quads.c */
struct vgr_vertex {
	GLfloat x, y, s, t;	/* position for u_proj, texture coordinate */
};

/* A scissor rectangle in GL framebuffer coordinates (origin bottom-left). */
struct vgr_rect {
	int x, y, w, h;
};

/* What the drawn triangles sample. */
struct vgr_draw_source {
	GLenum target;
	const struct vgr_plane *planes;
	int n_planes;
	GLint filter;
};

/* Uses @prog with its projection, the view's alpha and a straight solid
 * colour (multiplied by @alpha here); uniforms the program lacks are
 * skipped. */
void vgr_draw_begin(struct vgr_renderer *gr, struct vgr_program *prog,
		    const float proj[16], float alpha, const float color[4]);
/* Draws @count vertices (triangles) once per clip rectangle; while
 * warming up, once into one pixel. */
void vgr_draw_quads(struct vgr_renderer *gr, const struct vgr_draw_source *src,
		    const struct vgr_vertex *verts, int count,
		    const struct vgr_rect *clip, int n_clip);
/* (x, y, 0, 1) through a column-major 4x4 matrix. */
void vgr_matrix_apply(const float m[16], float x, float y, float *ox, float *oy);

/* vgr-target.c */
/* An RGBA8 (or RGB8 without @alpha) texture behind an FBO; false and
 * nothing created if the FBO is incomplete. */
bool vgr_fbo_texture_create(struct vgr_renderer *gr, int width, int height,
			    bool alpha, GLuint *tex, GLuint *fbo);
void vgr_fbo_texture_destroy(struct vgr_renderer *gr, GLuint *tex, GLuint *fbo);
/* Submits a frame that no swap flushes (pbuffers, FBOs). */
void vgr_submit_frame(struct vgr_renderer *gr);
/* Reads [x, x+w) x [y, y+h) of the bound framebuffer (GL coordinates)
 * into @pixels at @stride, as the 8-bit DRM fourcc @fourcc (ARGB8888,
 * XRGB8888, ABGR8888, XBGR8888); @y_flip puts the top row first. */
bool vgr_read_rect(struct vgr_renderer *gr, uint32_t fourcc, int x, int y, int w, int h, void *pixels,
		   int stride, bool y_flip);

/* vgr-shaders.c */
struct vgr_program *vgr_program_get(struct vgr_renderer *gr,
				    enum vgr_variant variant, uint32_t flags);
void vgr_programs_destroy(struct vgr_renderer *gr);

#endif
