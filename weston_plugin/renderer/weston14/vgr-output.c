/* SPDX-License-Identifier: MIT */
/*
 * Outputs on libweston 14: EGL window surfaces or renderbuffers only
 * (output_fbo_create), the repaint into either, and read-back.
 */
#include <unistd.h>
#include <libweston/libweston.h>

#include "vgr.h"

static struct vgr_output *
output_get(struct weston_output *output)
{
	return output->renderer_state;
}

static bool
output_surface_rebuild(struct rb_resource *res, void *data)
{
	return vgr_output_surface_resume(data);
}

static const struct rb_resource_impl output_surface_impl = {
	.rebuild = output_surface_rebuild,
	.name = "output surface",
};

static int
output_init(struct weston_output *output, EGLSurface surface, EGLConfig config,
	    const struct weston_size *fb_size,
	    const struct weston_geometry *area)
{
	struct vgr_output *vo = vgr_output_state_create(output, surface, config);
	struct vgr_renderer *gr;

	if (!vo)
		return -1;
	gr = vo->gr;
	wl_list_init(&vo->renderbuffers);
	if (surface != EGL_NO_SURFACE)
		vgr_resource_add(gr, &vo->surface_res,
				 RB_RESOURCE_OUTPUT_SURFACE,
				 &output_surface_impl, vo);

	if (!vgr_make_current(gr, surface) ||
	    !vgr_resize_output(output, fb_size, area)) {
		vgr_output_destroy(output);
		return -1;
	}
	vgr_output_start(vo);
	return 0;
}

int
vgr_output_window_create(struct weston_output *output,
			 const struct gl_renderer_output_options *opts)
{
	struct vgr_renderer *gr = vgr_get(output->compositor);
	EGLConfig config;
	EGLSurface surface;

	surface = vgr_output_window_surface(gr, opts->formats,
					    opts->formats_count,
					    opts->window_for_platform,
					    opts->window_for_legacy, &config);
	if (surface == EGL_NO_SURFACE)
		return -1;
	return output_init(output, surface, config, &opts->fb_size,
			   &opts->area);
}

int
vgr_output_fbo_create(struct weston_output *output,
		      const struct gl_renderer_fbo_options *opts)
{
	return output_init(output, EGL_NO_SURFACE, EGL_NO_CONFIG_KHR,
			   &opts->fb_size, &opts->area);
}

void
vgr_output_destroy(struct weston_output *output)
{
	struct vgr_output *vo = output_get(output);

	if (!vo)
		return;
	vgr_repaint_gate_remove(vo);
	vgr_output_drop_renderbuffers(vo);
	if (vo->egl_surface != EGL_NO_SURFACE)
		vgr_resource_remove(&vo->surface_res);
	vgr_output_state_destroy(vo);
}

bool
vgr_resize_output(struct weston_output *output,
		  const struct weston_size *fb_size,
		  const struct weston_geometry *area)
{
	struct vgr_output *vo = output_get(output);
	const struct pixel_format_info *fmt = output->compositor->read_format;

	/* The backend creates renderbuffers of the new size. */
	vgr_output_drop_renderbuffers(vo);
	vo->fb_size = *fb_size;
	vo->area = *area;
	vo->full_redraws = VGR_DAMAGE_HISTORY;
	weston_output_update_capture_info(output,
					  (enum weston_output_capture_source)
					  VMP_CAPTURE_SOURCE_FRAMEBUFFER,
					  area->width, area->height, fmt);
	weston_output_update_capture_info(output,
					  (enum weston_output_capture_source)
					  VMP_CAPTURE_SOURCE_FULL_FRAMEBUFFER,
					  fb_size->width, fb_size->height, fmt);
	return true;
}

/* global -> output pixels -> clip space; a window's rows run bottom-up,
 * a renderbuffer's top-down (what capture buffers and backends expect). */
static void
output_projection(struct vgr_output *vo, bool window, struct weston_matrix *proj)
{
	float w = vo->area.width, h = vo->area.height;

	*proj = vo->output->matrix;
	weston_matrix_translate(proj, -w / 2.0f, -h / 2.0f, 0.0f);
	weston_matrix_scale(proj, 2.0f / w, (window ? -2.0f : 2.0f) / h, 1.0f);
}

/* Binds the target and the output's area in it. */
static void
bind_target(struct vgr_output *vo, GLuint fbo, bool window)
{
	int y = window ? vo->fb_size.height - vo->area.y - vo->area.height :
			 vo->area.y;

	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	glViewport(vo->area.x, y, vo->area.width, vo->area.height);
}

static void
draw_views(struct vgr_output *vo, pixman_region32_t *damage,
	   const struct weston_matrix *proj, bool window)
{
	struct weston_output *output = vo->output;
	struct weston_paint_node *pnode;

	/* The z-order list runs top to bottom; paint bottom up. */
	wl_list_for_each_reverse(pnode, &output->paint_node_z_order_list,
				 z_order_link) {
		if (pnode->plane == &output->primary_plane || pnode->need_hole)
			vgr_draw_paint_node(pnode, damage, proj, &vo->area,
					    window ? vo->fb_size.height : 0);
	}
}

/* Release fences for what this frame sampled (vgr_release_fence_give). */
static void
give_release_fences(struct weston_output *output)
{
	struct weston_paint_node *pnode;
	int fence = -1;

	wl_list_for_each(pnode, &output->paint_node_z_order_list,
			 z_order_link) {
		if (pnode->plane == &output->primary_plane &&
		    !pnode->is_direct && pnode->surface->renderer_state)
			vgr_release_fence_give(pnode->surface->renderer_state,
					       output, &fence);
	}
	if (fence >= 0)
		close(fence);
}

/* The renderbuffer drawn last, which read-back and warm-up use. */
static struct vgr_renderbuffer *
last_renderbuffer(struct vgr_output *vo)
{
	if (wl_list_empty(&vo->renderbuffers))
		return NULL;
	return vgr_container_of(vo->renderbuffers.next,
				struct vgr_renderbuffer, link);
}

void
vgr_output_warm_up(struct weston_output *output)
{
	struct vgr_output *vo = output_get(output);
	struct vgr_renderbuffer *vrb;
	struct weston_matrix proj;
	bool window;

	if (!vo || !vgr_make_current(vo->gr, vo->egl_surface))
		return;
	window = vo->egl_surface != EGL_NO_SURFACE;
	vrb = window ? NULL : last_renderbuffer(vo);
	if (!window && (!vrb || !vrb->fbo))
		return;
	output_projection(vo, window, &proj);
	bind_target(vo, window ? 0 : vrb->fbo, window);
	vo->gr->warming_up = true;
	draw_views(vo, &output->region, &proj, window);
	vo->gr->warming_up = false;
	/* The frame after it redraws everything, that pixel included. */
	glDisable(GL_SCISSOR_TEST);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

/* Backends that asked for pixels (create_fbo) get the damaged rows. */
static void
read_back(struct vgr_output *vo, struct vgr_renderbuffer *vrb)
{
	const struct pixel_format_info *fmt = vo->output->compositor->read_format;
	int stride = vo->fb_size.width * 4;

	vgr_read_rect(vo->gr, fmt->format, vo->area.x, vo->area.y,
		      vo->area.width, vo->area.height,
		      (uint8_t *)vrb->pixels + vo->area.y * stride + vo->area.x * 4,
		      stride, false);
}

void
vgr_repaint_output(struct weston_output *output,
		   pixman_region32_t *output_damage,
		   struct weston_renderbuffer *renderbuffer)
{
	struct vgr_output *vo = output_get(output);
	struct vgr_renderer *gr = vo->gr;
	struct vgr_renderbuffer *vrb = NULL, *it;
	struct weston_matrix proj;
	pixman_region32_t total;
	bool window = renderbuffer == NULL;

	vgr_repaint_gate_install(vo);
	vgr_reset_frame_begin(gr);
	/* Reset detection, before any GL work of this frame. */
	if (!vgr_make_current(gr, vo->egl_surface) || !vgr_reset_check(gr)) {
		gr->frames_undrawn++;
		return;
	}
	if (window && vo->egl_surface == EGL_NO_SURFACE) {
		weston_log("vgr: output %s has no target to draw into\n",
			   output->name);
		gr->frames_undrawn++;
		return;
	}

	/* Every renderbuffer misses this frame's damage until drawn. */
	wl_list_for_each(it, &vo->renderbuffers, link)
		pixman_region32_union(&it->base.damage, &it->base.damage,
				      output_damage);

	pixman_region32_init(&total);
	if (window) {
		vgr_output_buffer_damage(vo, output_damage, &total, false);
	} else {
		vrb = vgr_container_of(renderbuffer, struct vgr_renderbuffer,
				       base);
		pixman_region32_intersect(&total, &vrb->base.damage,
					  &output->region);
		/* Most recently drawn first: read-back and warm-up use it. */
		wl_list_remove(&vrb->link);
		wl_list_insert(&vo->renderbuffers, &vrb->link);
	}

	output_projection(vo, window, &proj);
	bind_target(vo, window ? 0 : vrb->fbo, window);
	draw_views(vo, &total, &proj, window);
	glDisable(GL_SCISSOR_TEST);
	pixman_region32_fini(&total);

	vgr_output_capture(vo, window);
	wl_signal_emit(&output->frame_signal, output_damage);

	if (window) {
		if (!vgr_output_swap(vo))
			return;
	} else {
		if (vrb->pixels)
			read_back(vo, vrb);
		vgr_submit_frame(gr);
		pixman_region32_clear(&vrb->base.damage);
	}
	give_release_fences(output);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	gr->frames_drawn++;
	vgr_reset_watch_frame(gr, output->current_mode ?
				  output->current_mode->refresh : 0);
	vgr_reset_frame_done(gr);
}

int
vgr_read_pixels(struct weston_output *output,
		const struct pixel_format_info *format, void *pixels,
		uint32_t x, uint32_t y, uint32_t width, uint32_t height)
{
	struct vgr_output *vo = output_get(output);
	struct vgr_renderbuffer *vrb;
	bool window;
	bool ok;

	if (!vo || !vgr_make_current(vo->gr, vo->egl_surface) ||
	    !vgr_reset_gl_allowed(vo->gr))
		return -1;
	window = vo->egl_surface != EGL_NO_SURFACE;
	vrb = window ? NULL : last_renderbuffer(vo);
	if (!window && (!vrb || !vrb->fbo))
		return -1;
	glBindFramebuffer(GL_FRAMEBUFFER, window ? 0 : vrb->fbo);
	/* Top row first, as captures are: a window's rows run bottom-up. */
	if (window)
		ok = vgr_read_rect(vo->gr, format->format, vo->area.x + x,
				   vo->fb_size.height - vo->area.y - y - height,
				   width, height, pixels, width * 4, true);
	else
		ok = vgr_read_rect(vo->gr, format->format, vo->area.x + x,
				   vo->area.y + y, width, height, pixels,
				   width * 4, false);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	return ok ? 0 : -1;
}
