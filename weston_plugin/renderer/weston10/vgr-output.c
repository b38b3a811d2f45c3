/* SPDX-License-Identifier: MIT */
/* Output targets, the repaint loop and read-back. */
#include <stdlib.h>
#include <drm_fourcc.h>
#include <libweston/libweston.h>

#include "vgr.h"
#include "vmplane/egl_fence.h"

static struct vgr_output *
output_get(struct weston_output *output)
{
	return output->renderer_state;
}

/*
 * Output surfaces after a reset. A headless pbuffer is re-created (its
 * content died with the context). A window surface is kept: on DRM its gbm
 * bos may still be held by KMS as the scanned-out framebuffer, destroying
 * the EGLSurface would free them under the display controller, and the
 * EGLDisplay (with wl_drm bound to it) outlives a context loss; only the
 * context is new, and the kept surface is made current with it here.
 */
static bool
output_surface_rebuild(struct rb_resource *res, void *data)
{
	struct vgr_output *vo = data;
	struct vgr_renderer *gr = vo->gr;
	unsigned i;

	if (vo->is_pbuffer) {
		EGLSurface fresh = vgr_egl_surface_create_pbuffer(gr, vo->config,
								  vo->pbuffer_width,
								  vo->pbuffer_height);

		if (fresh == EGL_NO_SURFACE)
			return false;
		vgr_egl_surface_destroy(gr, vo->egl_surface);
		vo->egl_surface = fresh;
	}
	if (!rb_context_make_current(gr->ctx, vo->egl_surface, vo->egl_surface))
		return false;
	eglSwapInterval(gr->display, 0);
	for (i = 0; i < VGR_DAMAGE_HISTORY; i++)
		pixman_region32_clear(&vo->history[i]);
	vo->full_redraws = VGR_DAMAGE_HISTORY;
	return true;
}

static const struct rb_resource_impl output_surface_impl = {
	.rebuild = output_surface_rebuild,
	.name = "output surface",
};

static bool
shadow_rebuild(struct rb_resource *res, void *data)
{
	return vgr_output_shadow_rebuild(data);
}

static void
shadow_forget(struct rb_resource *res, void *data)
{
	struct vgr_output *vo = data;

	vo->shadow_fbo = 0;
	vo->shadow_tex = 0;
}

static const struct rb_resource_impl shadow_impl = {
	.rebuild = shadow_rebuild,
	.forget = shadow_forget,
	.name = "shadow framebuffer",
};

static int
output_init(struct weston_output *output, EGLSurface surface, EGLConfig config,
	    bool pbuffer)
{
	struct vgr_renderer *gr = vgr_get(output->compositor);
	struct vgr_output *vo;
	unsigned i;

	vo = calloc(1, sizeof *vo);
	if (!vo) {
		vgr_egl_surface_destroy(gr, surface);
		return -1;
	}
	vo->gr = gr;
	vo->output = output;
	vo->egl_surface = surface;
	vo->config = config;
	vo->is_pbuffer = pbuffer;
	for (i = 0; i < VGR_DAMAGE_HISTORY; i++)
		pixman_region32_init(&vo->history[i]);
	output->renderer_state = vo;
	vgr_resource_add(gr, &vo->surface_res, RB_RESOURCE_OUTPUT_SURFACE,
			 &output_surface_impl, vo);
	vgr_resource_add(gr, &vo->shadow_res, RB_RESOURCE_FBO, &shadow_impl, vo);

	if (!vgr_make_current(gr, surface)) {
		vgr_output_destroy(output);
		return -1;
	}
	/* Swap interval 0: the backend paces frames itself. */
	eglSwapInterval(gr->display, 0);
	vgr_repaint_gate_install(vo);
	return 0;
}

int
vgr_output_window_create(struct weston_output *output,
			 const struct gl_renderer_output_options *opts)
{
	struct vgr_renderer *gr = vgr_get(output->compositor);
	EGLConfig config;
	EGLSurface surface;

	if (!vgr_choose_config(gr, EGL_WINDOW_BIT, opts->drm_formats,
			       opts->drm_formats_count, &config))
		return -1;
	if (gr->context_config != EGL_NO_CONFIG_KHR &&
	    config != gr->context_config) {
		weston_log("vgr: output config differs from the context's\n");
		return -1;
	}
	surface = vgr_egl_surface_create_window(gr, config,
						opts->window_for_platform,
						opts->window_for_legacy);
	if (surface == EGL_NO_SURFACE) {
		weston_log("vgr: failed to create a window surface (0x%x)\n",
			   eglGetError());
		return -1;
	}
	return output_init(output, surface, config, false);
}

int
vgr_output_pbuffer_create(struct weston_output *output,
			  const struct gl_renderer_pbuffer_options *opts)
{
	struct vgr_renderer *gr = vgr_get(output->compositor);
	EGLConfig config;
	EGLSurface surface;

	if (!vgr_choose_config(gr, EGL_PBUFFER_BIT, opts->drm_formats,
			       opts->drm_formats_count, &config))
		return -1;
	surface = vgr_egl_surface_create_pbuffer(gr, config, opts->width,
						 opts->height);
	if (surface == EGL_NO_SURFACE) {
		weston_log("vgr: failed to create a pbuffer (0x%x)\n",
			   eglGetError());
		return -1;
	}
	if (output_init(output, surface, config, true) < 0)
		return -1;
	output_get(output)->pbuffer_width = opts->width;
	output_get(output)->pbuffer_height = opts->height;
	return 0;
}

static void
shadow_fini(struct vgr_output *vo)
{
	vgr_fbo_destroy(vo->gr, vo->shadow_fbo);
	vgr_texture_destroy(vo->gr, vo->shadow_tex);
	vo->shadow_fbo = 0;
	vo->shadow_tex = 0;
}

void
vgr_output_destroy(struct weston_output *output)
{
	struct vgr_output *vo = output_get(output);
	unsigned i;

	if (!vo)
		return;
	vgr_repaint_gate_remove(vo);
	vgr_resource_remove(&vo->surface_res);
	vgr_resource_remove(&vo->shadow_res);
	if (vgr_make_current(vo->gr, EGL_NO_SURFACE))
		shadow_fini(vo);
	eglMakeCurrent(vo->gr->display, EGL_NO_SURFACE, EGL_NO_SURFACE,
		       EGL_NO_CONTEXT);
	vgr_egl_surface_destroy(vo->gr, vo->egl_surface);
	vgr_make_current(vo->gr, EGL_NO_SURFACE);
	for (i = 0; i < VGR_DAMAGE_HISTORY; i++)
		pixman_region32_fini(&vo->history[i]);
	output->renderer_state = NULL;
	free(vo);
}

void
vgr_output_set_border(struct weston_output *output,
		      enum gl_renderer_border_side side,
		      int32_t width, int32_t height,
		      int32_t tex_width, unsigned char *data)
{
	/* Borders are only drawn by the wayland backend; not supported. */
}

int
vgr_create_fence_fd(struct weston_output *output)
{
	struct vgr_renderer *gr = vgr_get(output->compositor);
	int fd = -1;

	if (!gr->has_native_fence)
		return -1;
	if (vmsync_egl_fence_export(gr->display, &fd) != VMSYNC_OK)
		return -1;
	return fd;
}

/* Union of what changed since the back buffer was last drawn. */
static void
buffer_damage(struct vgr_output *vo, pixman_region32_t *frame_damage,
	      pixman_region32_t *out)
{
	struct weston_output *output = vo->output;
	EGLint age = 0;
	unsigned i;

	if (vo->full_redraws > 0) {
		vo->full_redraws--;
		age = 0;
	} else if (vo->gr->has_buffer_age && !vo->is_pbuffer)
		eglQuerySurface(vo->gr->display, vo->egl_surface,
				EGL_BUFFER_AGE_EXT, &age);
	else if (vo->is_pbuffer)
		age = 1; /* a pbuffer keeps its content */

	if (age <= 0 || age > VGR_DAMAGE_HISTORY) {
		pixman_region32_copy(out, &output->region);
	} else {
		pixman_region32_copy(out, frame_damage);
		for (i = 0; i < (unsigned)age - 1; i++)
			pixman_region32_union(out, out,
				&vo->history[(vo->history_head + i) % VGR_DAMAGE_HISTORY]);
	}

	/* Remember this frame's damage for later buffer ages. */
	vo->history_head = (vo->history_head + VGR_DAMAGE_HISTORY - 1) %
			   VGR_DAMAGE_HISTORY;
	pixman_region32_copy(&vo->history[vo->history_head], frame_damage);
}

static void
output_projection(struct weston_output *output, struct weston_matrix *proj)
{
	int w = output->current_mode->width;
	int h = output->current_mode->height;

	/* global -> framebuffer pixels (y down) -> clip space (y up) */
	*proj = output->matrix;
	weston_matrix_translate(proj, -w / 2.0f, -h / 2.0f, 0.0f);
	weston_matrix_scale(proj, 2.0f / w, -2.0f / h, 1.0f);
}

static void
draw_views(struct weston_output *output, pixman_region32_t *damage,
	   const struct weston_matrix *proj, bool linear)
{
	struct weston_compositor *ec = output->compositor;
	struct weston_paint_node *pnode;

	/* The z-order list runs top to bottom; paint bottom up. */
	wl_list_for_each_reverse(pnode, &output->paint_node_z_order_list,
				 z_order_link) {
		if (pnode->view->plane == &ec->primary_plane)
			vgr_draw_paint_node(pnode, damage, proj,
					    output->current_mode->height, linear);
	}
}

void
vgr_output_warm_up(struct weston_output *output)
{
	struct vgr_output *vo = output_get(output);
	struct vgr_renderer *gr;
	struct weston_matrix proj;

	if (!vo || vo->egl_surface == EGL_NO_SURFACE)
		return;
	gr = vo->gr;
	if (!vgr_make_current(gr, vo->egl_surface))
		return;
	output_projection(output, &proj);
	/* The colour-managed path blends in the shadow buffer's format. */
	if (output->from_blend_to_output && vo->shadow_fbo)
		glBindFramebuffer(GL_FRAMEBUFFER, vo->shadow_fbo);
	else
		glBindFramebuffer(GL_FRAMEBUFFER, 0);
	glViewport(0, 0, output->current_mode->width,
		   output->current_mode->height);
	gr->warming_up = true;
	draw_views(output, &output->region, &proj,
		   output->from_blend_to_output != NULL);
	gr->warming_up = false;
	/* Leave the pixel as a fresh surface has it, whatever covers it. */
	glScissor(0, 0, 1, 1);
	glClearColor(0.0f, 0.0f, 0.0f, 0.0f);
	glClear(GL_COLOR_BUFFER_BIT);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	glDisable(GL_SCISSOR_TEST);
}

void
vgr_repaint_output(struct weston_output *output,
		   pixman_region32_t *output_damage)
{
	struct vgr_output *vo = output_get(output);
	struct vgr_renderer *gr = vo->gr;
	struct weston_compositor *ec = output->compositor;
	struct weston_matrix proj;
	pixman_region32_t total;
	int w = output->current_mode->width;
	int h = output->current_mode->height;
	bool shadow;

	vgr_repaint_gate_install(vo);
	vgr_reset_frame_begin(gr);
	/* Reset detection, before any GL work of this frame. */
	if (!vgr_make_current(gr, vo->egl_surface) || !vgr_reset_check(gr)) {
		gr->frames_undrawn++;
		/* Screenshooters wait for this signal, and safe mode can last:
		 * their read is answered at once (vgr_read_pixels). */
		if (vgr_reset_in_safe_mode(gr))
			wl_signal_emit(&output->frame_signal, output_damage);
		return;
	}

	output_projection(output, &proj);
	pixman_region32_init(&total);
	buffer_damage(vo, output_damage, &total);

	shadow = output->from_blend_to_output != NULL ||
		 (gr->has_color_ops &&
		  ec->test_data.test_quirks.gl_force_full_redraw_of_shadow_fb);
	if (shadow && vgr_output_blit_shadow(vo, NULL, NULL)) {
		glBindFramebuffer(GL_FRAMEBUFFER, vo->shadow_fbo);
		glViewport(0, 0, w, h);
		if (ec->test_data.test_quirks.gl_force_full_redraw_of_shadow_fb)
			draw_views(output, &output->region, &proj, true);
		else
			draw_views(output, output_damage, &proj, true);
		glBindFramebuffer(GL_FRAMEBUFFER, 0);
		glViewport(0, 0, w, h);
		vgr_output_blit_shadow(vo, &total, &proj);
	} else {
		glBindFramebuffer(GL_FRAMEBUFFER, 0);
		glViewport(0, 0, w, h);
		draw_views(output, &total, &proj, false);
	}
	glDisable(GL_SCISSOR_TEST);
	pixman_region32_fini(&total);

	/* A context lost during the frame: no screenshooter may read it. */
	if (!rb_context_check_gl_errors(gr->ctx, NULL)) {
		vgr_reset_check(gr);
		return;
	}

	/* Screenshooters read the back buffer from this signal. */
	wl_signal_emit(&output->frame_signal, output_damage);

	if (!eglSwapBuffers(gr->display, vo->egl_surface)) {
		weston_log("vgr: eglSwapBuffers failed (0x%x): treated as a "
			   "GPU reset\n", eglGetError());
		vgr_reset_report(gr);
		return;
	}
	if (vo->is_pbuffer)
		vgr_submit_frame(gr);
	gr->frames_drawn++;
	vgr_reset_watch_frame(gr, output->current_mode ?
				  output->current_mode->refresh : 0);
	vgr_reset_frame_done(gr);
}

int
vgr_read_pixels(struct weston_output *output, pixman_format_code_t format,
		void *pixels, uint32_t x, uint32_t y,
		uint32_t width, uint32_t height)
{
	struct vgr_output *vo = output_get(output);
	uint32_t fourcc;

	switch (format) {
	case PIXMAN_a8r8g8b8:
		fourcc = DRM_FORMAT_ARGB8888;
		break;
	case PIXMAN_a8b8g8r8:
		fourcc = DRM_FORMAT_ABGR8888;
		break;
	default:
		return -1;
	}
	if (vo && vgr_reset_in_safe_mode(vo->gr))
		return vgr_safe_mode_read_pixels(vo->gr, pixels, width, height);
	if (!vo || !vgr_make_current(vo->gr, vo->egl_surface))
		return -1;
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	/* Bottom-up rows: Weston 10 flips them (WESTON_CAP_CAPTURE_YFLIP). */
	return vgr_read_rect(vo->gr, fourcc, x, y, width, height, pixels,
			     width * 4, false) ? 0 : -1;
}
