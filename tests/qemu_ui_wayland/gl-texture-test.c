/* SPDX-License-Identifier: MIT */
/*
 * The core's OpenGL side (display-gl.h) on the EGL surfaceless platform
 * against the scripted fake compositor: a renderer texture read back the
 * right way up for both y0_top values and a sub-rectangle, counted, with
 * one warning; the guest held and released as in 2D; then injected resets
 * (guilty, innocent, ten in a row) that really destroy the contexts,
 * detected, recovered in place, with live pixels again and no fd or
 * counted GL object leaked; the compositor's "recovered" re-submits
 * the frame (vmpd_gl_resubmit); with export allowed, the driver's answer
 * (llvmpipe: read back, said once); and the same on desktop OpenGL core
 * contexts (gl=core), robust too.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <epoxy/gl.h>

#include <vmplane/display-gl.h>

#include "core.h"
#include "fake-compositor.h"
#include "producer.h"
#include "tap.h"

#define TW 64
#define TH 32

#define RED 0x00ff0000u
#define BLUE 0x000000ffu
#define GREEN 0x0000ff00u

static int warnings_readback;

static void count_log(void *data, enum vmpd_log_level level, const char *fmt, va_list args)
{
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, args);
	if (level == VMPD_LOG_WARNING && strstr(msg, "read back"))
		warnings_readback++;
	fprintf(stderr, "# core: %s\n", msg);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/*
 * A texture in GL's order (first row = bottom): rows below TH/2 blue, the
 * rest red, and the left quarter green; made in the renderer's context.
 */
static GLuint make_texture(void)
{
	static uint8_t rgba[TH][TW][4];
	for (int y = 0; y < TH; y++)
		for (int x = 0; x < TW; x++) {
			uint8_t *p = rgba[y][x];
			bool green = x < TW / 4, blue = y < TH / 2;
			p[0] = !green && !blue ? 0xff : 0;
			p[1] = green ? 0xff : 0;
			p[2] = !green && blue ? 0xff : 0;
			p[3] = 0xff;
		}
	GLuint tex = 0;
	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, TW, TH, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
	glBindTexture(GL_TEXTURE_2D, 0);
	glFinish();
	return tex;
}

static uint32_t shown(struct producer *p, uint32_t x, uint32_t y)
{
	const uint8_t *row = p->head->shm.src + (size_t)y * p->head->shm.src_stride;
	return ((const uint32_t *)row)[x] & 0x00ffffffu;
}

static bool released(struct producer *p)
{
	return !p->blocked;
}

/* Shows the texture and checks the corners of what reached the shm path. */
static void show_and_check(struct producer *p, struct vmpd_gl *gl, GLuint tex, bool y0_top,
	const struct vmpd_rect *r, uint32_t want_top, uint32_t want_bottom)
{
	REQUIRE(vmpd_gl_scanout_texture(gl, p->head, tex, y0_top, TW, TH, r) == VMPD_OK);
	REQUIRE(vmpd_gl_scanout_update(gl, p->head, NULL) == VMPD_OK);
	/* Held until the compositor has the frame, as in 2D. */
	REQUIRE(p->blocked);
	REQUIRE(producer_wait(p, released, 2000));
	REQUIRE(p->head->shm.width == r->width && p->head->shm.height == r->height);
	uint32_t right = r->width - 1, bottom = r->height - 1;
	CHECK_EQ(shown(p, right, 0), want_top);
	CHECK_EQ(shown(p, right, bottom), want_bottom);
}

int main(void)
{
	if (!getenv("XDG_RUNTIME_DIR"))
		tap_skip_all("XDG_RUNTIME_DIR unset");
	struct fake_compositor *fc = fake_compositor_start(&(struct fake_config){ 0 });
	REQUIRE(fc);
	struct producer p;
	REQUIRE(producer_init(&p, NULL, fake_compositor_socket(fc), 1, 1, 500, 0, 0));

	/* A render node that is not there: NULL, cleanly (it once crashed on the way out). */
	REQUIRE(!vmpd_gl_create(p.display, &(struct vmpd_gl_config){ .render_node = "/nonexistent/renderD128",
		.log = { count_log, NULL } }));
	/* Not a DRM device: Mesa's GBM would render in software on it; refused. */
	REQUIRE(!vmpd_gl_create(p.display, &(struct vmpd_gl_config){ .render_node = "/dev/null",
		.log = { count_log, NULL } }));

	struct vmpd_gl_config cfg = {
		.disable_export = true, /* what llvmpipe does anyway; forced for any host */
		.fault_injection = true,
		.log = { count_log, NULL },
	};
	struct vmpd_gl *gl = vmpd_gl_create(p.display, &cfg);
	if (!gl)
		tap_skip_all("no EGL display with an OpenGL ES context here");
	tap_note("EGL on %s (%s), robust %d, GLES %d", vmpd_gl_platform(gl), vmpd_gl_device(gl),
		vmpd_gl_is_robust(gl), vmpd_gl_version(gl));
	struct vmpd_gl_context *ctx = vmpd_gl_context_create(gl);
	REQUIRE(ctx);
	REQUIRE(vmpd_gl_make_current(gl, ctx));
	GLuint tex = make_texture();
	REQUIRE(tex != 0);

	const struct vmpd_rect full = { 0, 0, TW, TH };
	/*
	 * QEMU's meaning (egl-headless, gtk-egl): y0_top set, the last row
	 * (red) is the top; clear, the first row (blue) is. virgl's scanouts
	 * come with it clear (the Linux guest's e2e test shows them upright).
	 */
	show_and_check(&p, gl, tex, true, &full, RED, BLUE);
	show_and_check(&p, gl, tex, false, &full, BLUE, RED);
	CHECK_EQ(shown(&p, 0, 0), GREEN);
	/* A sub-rectangle, top-down coordinates: its left edge is the green band's last column. */
	const struct vmpd_rect sub = { TW / 4 - 1, 4, 20, 12 };
	show_and_check(&p, gl, tex, false, &sub, BLUE, BLUE);
	CHECK_EQ(shown(&p, 0, 0), GREEN);
	CHECK_EQ(shown(&p, 1, 0), BLUE);

	struct vmpd_stats st;
	vmpd_head_get_stats(p.head, &st);
	CHECK_EQ(st.texture_exports, 0);
	CHECK_EQ(st.texture_readbacks, 3);
	CHECK(st.copies >= 3);
	CHECK_EQ(warnings_readback, 1);

	/* Nothing lost yet. */
	const char *status = NULL;
	REQUIRE(!vmpd_gl_check_reset(gl, &status));
	CHECK(!strcmp(status, "none"));

	int fds = count_fds();
	/* Two contexts, and program, framebuffer, renderbuffer and sampler. */
	CHECK_EQ(vmpd_gl_live_objects(gl), 6);
	for (int i = 0; i < 12; i++) {
		bool guilty = i != 1;
		REQUIRE(vmpd_gl_inject_reset(gl, guilty));
		/* The renderer's context is really gone. */
		CHECK(!vmpd_gl_make_current(gl, ctx));
		REQUIRE(vmpd_gl_check_reset(gl, &status));
		CHECK_MSG(!strcmp(status, guilty ? "guilty" : "innocent"), "reset %d status %s", i,
			status);
		REQUIRE(vmpd_gl_recover(gl));
		REQUIRE(!vmpd_gl_check_reset(gl, NULL));
		CHECK_EQ(vmpd_gl_recoveries(gl), i + 1);
		/*
		 * Recovery made nothing in the new share group (the device keeps
		 * dead names from reuse first): its first sampler name is free.
		 */
		REQUIRE(vmpd_gl_make_current(gl, ctx));
		GLuint first = 0;
		glGenSamplers(1, &first);
		CHECK_MSG(first == 1, "reset %d: first sampler name after recovery %u", i, first);
		glDeleteSamplers(1, &first);
		vmpd_gl_resubmit(gl);
		/* The same handle works again; the guest draws anew and it shows. */
		REQUIRE(producer_wait(&p, released, 2000));
		REQUIRE(vmpd_gl_make_current(gl, ctx));
		tex = make_texture();
		show_and_check(&p, gl, tex, true, &full, RED, BLUE);
		CHECK_MSG(vmpd_gl_live_objects(gl) == 6, "reset %d: %u live GL objects", i,
			vmpd_gl_live_objects(gl));
	}

	/*
	 * The compositor's vmplane_reset_notifier_v1 "recovered": the glue
	 * calls vmpd_gl_resubmit, which hands the frame over again, read back
	 * anew and committed, with no new warning.
	 */
	vmpd_head_get_stats(p.head, &st);
	uint64_t readbacks = st.texture_readbacks, submitted = st.frames_submitted;
	vmpd_gl_resubmit(gl);
	REQUIRE(producer_wait(&p, released, 2000));
	vmpd_head_get_stats(p.head, &st);
	CHECK_EQ(st.texture_readbacks, readbacks + 1);
	CHECK_EQ(st.frames_submitted, submitted + 1);
	CHECK_EQ(shown(&p, TW - 1, 0), RED);
	CHECK_EQ(shown(&p, TW - 1, TH - 1), BLUE);

	CHECK_EQ(count_fds(), fds);
	CHECK_EQ(warnings_readback, 1);

	vmpd_gl_scanout_release(gl, p.head);
	CHECK(vmpd_gl_scanout_update(gl, p.head, NULL) == VMPD_ERR_STATE);
	vmpd_gl_make_current(gl, NULL);
	vmpd_gl_context_destroy(ctx);
	CHECK_EQ(vmpd_gl_live_objects(gl), 5);
	vmpd_gl_head_gone(gl, p.head);
	vmpd_gl_destroy(gl);

	/*
	 * Export allowed: where the driver exports (not llvmpipe) it is counted
	 * as one; otherwise the read-back says why, once, and the pixels are right.
	 */
	warnings_readback = 0;
	cfg.disable_export = false;
	gl = vmpd_gl_create(p.display, &cfg);
	REQUIRE(gl);
	ctx = vmpd_gl_context_create(gl);
	REQUIRE(ctx && vmpd_gl_make_current(gl, ctx));
	tex = make_texture();
	REQUIRE(vmpd_gl_scanout_texture(gl, p.head, tex, true, TW, TH, &full) == VMPD_OK);
	REQUIRE(vmpd_gl_scanout_update(gl, p.head, NULL) == VMPD_OK);
	REQUIRE(producer_wait(&p, released, 2000));
	struct vmpd_stats before = st;
	vmpd_head_get_stats(p.head, &st);
	if (st.texture_exports == before.texture_exports) {
		tap_note("no texture export here: read back");
		CHECK_EQ(warnings_readback, 1);
		CHECK_EQ(shown(&p, TW - 1, 0), RED);
		CHECK_EQ(shown(&p, TW - 1, TH - 1), BLUE);
	} else {
		CHECK_EQ(st.texture_exports, before.texture_exports + 1);
		CHECK_EQ(warnings_readback, 0);
	}
	vmpd_gl_scanout_release(gl, p.head);
	vmpd_gl_context_destroy(ctx);
	vmpd_gl_head_gone(gl, p.head);
	vmpd_gl_destroy(gl);

	/* gl=core: desktop OpenGL core contexts, robust, read back and recovered alike. */
	warnings_readback = 0;
	cfg.disable_export = true;
	cfg.desktop_gl = true;
	gl = vmpd_gl_create(p.display, &cfg);
	REQUIRE(gl);
	tap_note("desktop: OpenGL %d.%d, robust %d", vmpd_gl_version(gl), vmpd_gl_version_minor(gl),
		vmpd_gl_is_robust(gl));
	CHECK(vmpd_gl_is_desktop(gl));
	CHECK(vmpd_gl_version(gl) * 10 + vmpd_gl_version_minor(gl) >= 32);
	CHECK(vmpd_gl_is_robust(gl));
	ctx = vmpd_gl_context_create(gl);
	REQUIRE(ctx && vmpd_gl_make_current(gl, ctx));
	CHECK(epoxy_is_desktop_gl());
	GLint profile = 0;
	glGetIntegerv(GL_CONTEXT_PROFILE_MASK, &profile);
	CHECK(profile & GL_CONTEXT_CORE_PROFILE_BIT);
	tex = make_texture();
	show_and_check(&p, gl, tex, false, &full, BLUE, RED);
	show_and_check(&p, gl, tex, false, &sub, BLUE, BLUE);
	CHECK_EQ(shown(&p, 0, 0), GREEN);
	CHECK_EQ(warnings_readback, 1);
	/* Two contexts; program, framebuffer, renderbuffer, sampler, vertex array, buffer. */
	CHECK_EQ(vmpd_gl_live_objects(gl), 8);
	fds = count_fds();
	for (int i = 0; i < 3; i++) {
		REQUIRE(producer_wait(&p, released, 2000));
		REQUIRE(vmpd_gl_inject_reset(gl, i != 1));
		CHECK(!vmpd_gl_make_current(gl, ctx));
		REQUIRE(vmpd_gl_check_reset(gl, &status));
		CHECK(!strcmp(status, i != 1 ? "guilty" : "innocent"));
		REQUIRE(vmpd_gl_recover(gl));
		vmpd_gl_resubmit(gl);
		REQUIRE(producer_wait(&p, released, 2000));
		REQUIRE(vmpd_gl_make_current(gl, ctx));
		CHECK(epoxy_is_desktop_gl());
		tex = make_texture();
		show_and_check(&p, gl, tex, true, &full, RED, BLUE);
		CHECK_EQ(vmpd_gl_live_objects(gl), 8);
	}
	CHECK_EQ(count_fds(), fds);
	vmpd_gl_scanout_release(gl, p.head);
	vmpd_gl_make_current(gl, NULL);
	vmpd_gl_context_destroy(ctx);
	vmpd_gl_head_gone(gl, p.head);
	vmpd_gl_destroy(gl);
	producer_fini(&p);
	fake_compositor_stop(fc);
	return tap_finish();
}
