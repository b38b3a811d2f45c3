/* SPDX-License-Identifier: MIT */
/*
 * Real EGL on Mesa's surfaceless platform:
 *   robust    robust context + LOSE_CONTEXT_ON_RESET (llvmpipe)
 *   fallback  plain context with exactly one warning (softpipe)
 *   inject    injected guilty/innocent resets, recovery with pixel readback
 *   loop N    N inject/recover cycles; heap and object counts must not grow
 *   desktop   a robust desktop OpenGL core context (llvmpipe), shared, bound
 *             to its API, injected reset and re-creation
 */
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <epoxy/egl.h>
#include <epoxy/gl.h>

#include "vmplane/robustness.h"
#include "tap.h"

#define SIZE 4

struct env {
	EGLDisplay display;
	int warnings, errors;
	char last_warning[512];
};

struct gl_objects {
	struct env *env;
	struct rb_context *ctx;
	struct rb_registry *reg;
	struct rb_recovery *rec;
	int damages;
	/* The program draws a uniform colour. */
	struct rb_resource prog_res;
	GLuint prog;
	GLint color_loc;
	/* An uploaded texture (think shm surface) with its CPU copy. */
	struct rb_resource upload_res;
	GLuint upload_tex;
	uint8_t upload_pixels[SIZE * SIZE * 4];
	/* A render target texture and the FBOs over both textures. */
	struct rb_resource target_res;
	GLuint target_tex;
	struct rb_resource fbo_res;
	GLuint target_fbo, upload_fbo;
	/* GL objects made and not yet dropped; must stay constant. */
	int live;
};

static void
env_log(void *data, enum rb_log_level level, const char *fmt, va_list args)
{
	struct env *env = data;
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, args);
	if (level == RB_LOG_WARNING) {
		env->warnings++;
		snprintf(env->last_warning, sizeof(env->last_warning), "%s", msg);
	} else if (level == RB_LOG_ERROR) {
		env->errors++;
	}
	if (level <= RB_LOG_INFO && getenv("RB_TEST_VERBOSE"))
		fprintf(stderr, "[rb %d] %s\n", level, msg);
}

static void
env_init(struct env *env)
{
	memset(env, 0, sizeof(*env));
	if (!rb_egl_has_extension(EGL_NO_DISPLAY, "EGL_MESA_platform_surfaceless"))
		tap_skip_all("no EGL_MESA_platform_surfaceless");
	env->display = rb_egl_get_platform_display(EGL_PLATFORM_SURFACELESS_MESA,
						   EGL_DEFAULT_DISPLAY, NULL);
	if (env->display == EGL_NO_DISPLAY)
		tap_skip_all("no surfaceless EGL display");
	if (!rb_egl_has_extension(env->display, "EGL_KHR_no_config_context") ||
	    !rb_egl_has_extension(env->display, "EGL_KHR_surfaceless_context"))
		tap_skip_all("needs EGL_KHR_no_config_context and EGL_KHR_surfaceless_context");
}

/* Called once a test has decided not to skip: a skip must come before any
 * check for the TAP output to read as skipped. */
static void
env_check(struct env *env)
{
	/* A prefix of a real token must not match. */
	CHECK(!rb_egl_has_extension(env->display, "EGL_KHR"));
}

static struct rb_context *
make_context(struct env *env, struct rb_context *share)
{
	struct rb_context_options opts = {
		.display = env->display,
		.config = EGL_NO_CONFIG_KHR,
		.share = share,
		.log = { env_log, env },
	};

	return rb_context_create(&opts);
}

static void
test_robust(void)
{
	struct env env;
	struct rb_context *ctx, *shared;

	env_init(&env);
	if (!rb_egl_has_extension(env.display, "EGL_EXT_create_context_robustness"))
		tap_skip_all("driver has no EGL_EXT_create_context_robustness");
	env_check(&env);
	ctx = make_context(&env, NULL);
	REQUIRE(ctx);
	CHECK(rb_context_is_robust(ctx));
	CHECK_EQ(rb_context_get_reset_strategy(ctx), GL_LOSE_CONTEXT_ON_RESET);
	CHECK(rb_context_has_robust_access(ctx));
	CHECK_EQ(rb_context_get_gles_major(ctx), 3);
	CHECK_EQ(env.warnings, 0);
	/* Creation leaves nothing current. */
	CHECK(eglGetCurrentContext() == EGL_NO_CONTEXT);

	REQUIRE(rb_context_make_current(ctx, EGL_NO_SURFACE, EGL_NO_SURFACE));
	CHECK(eglGetCurrentContext() == rb_context_get_egl_context(ctx));
	CHECK_EQ(rb_context_query_status(ctx), RB_RESET_NONE);
	/* Read the strategy back ourselves too. */
	GLint strategy = 0;
	glGetIntegerv(GL_RESET_NOTIFICATION_STRATEGY, &strategy);
	CHECK_EQ(strategy, GL_LOSE_CONTEXT_ON_RESET);

	/* Shared contexts take the same strategy. */
	shared = make_context(&env, ctx);
	REQUIRE(shared);
	CHECK(rb_context_is_robust(shared));
	CHECK_EQ(rb_context_get_reset_strategy(shared), GL_LOSE_CONTEXT_ON_RESET);
	/* The caller's current context survives creation. */
	CHECK(eglGetCurrentContext() == rb_context_get_egl_context(ctx));

	/* A reported reset (failed swap) is returned once. */
	rb_context_report_reset(ctx, RB_RESET_GUILTY);
	CHECK_EQ(rb_context_query_status(ctx), RB_RESET_GUILTY);
	CHECK_EQ(rb_context_query_status(ctx), RB_RESET_NONE);

	/* Not enabled: the injector refuses and the context is untouched. */
	CHECK(!rb_fault_inject_reset(ctx, RB_RESET_GUILTY, 0));
	CHECK(!rb_fault_injector_is_enabled(ctx));
	CHECK(eglGetCurrentContext() == rb_context_get_egl_context(ctx));

	/* Enabling works exactly when the injector is compiled in. */
	CHECK_EQ(env.warnings, 0);
	CHECK_EQ(rb_fault_injector_enable(ctx), rb_fault_injector_available());
	/* Enabling it is announced once. */
	CHECK(rb_fault_injector_enable(ctx) == rb_fault_injector_available());
	CHECK_EQ(env.warnings, rb_fault_injector_available() ? 1 : 0);
	env.warnings = 0;

	/* Config helper: any config, then a visual id no config has. */
	static const EGLint cfg_attribs[] = {
		EGL_SURFACE_TYPE, EGL_PBUFFER_BIT,
		EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT, EGL_NONE,
	};
	static const EGLint bogus_visual = 0x7fff1234;
	EGLConfig config = NULL;
	CHECK(rb_egl_choose_config(env.display, cfg_attribs, NULL, 0, &config));
	CHECK(config != NULL);
	CHECK(!rb_egl_choose_config(env.display, cfg_attribs, &bogus_visual, 1,
				    &config));

	rb_context_destroy(shared);
	rb_context_destroy(ctx);
	rb_context_destroy(NULL);
	CHECK(eglGetCurrentContext() == EGL_NO_CONTEXT);
	CHECK_EQ(env.warnings, 0);
	CHECK_EQ(env.errors, 0);
	eglTerminate(env.display);
}

static void
test_fallback(void)
{
	struct env env;
	struct rb_context *ctx, *shared, *plain;
	struct rb_context_options opts;

	env_init(&env);
	if (rb_egl_has_extension(env.display, "EGL_EXT_create_context_robustness"))
		tap_skip_all("driver has robustness; the fallback test wants softpipe");
	env_check(&env);
	ctx = make_context(&env, NULL);
	REQUIRE(ctx);
	CHECK(!rb_context_is_robust(ctx));
	CHECK_EQ(env.warnings, 1);
	CHECK(strstr(env.last_warning, "robust") != NULL);
	REQUIRE(rb_context_make_current(ctx, EGL_NO_SURFACE, EGL_NO_SURFACE));
	CHECK(glGetString(GL_VERSION) != NULL);
	CHECK_EQ(rb_context_query_status(ctx), RB_RESET_NONE);

	/* Same (plain) strategy for a shared context, and no second warning. */
	shared = make_context(&env, ctx);
	REQUIRE(shared);
	CHECK(!rb_context_is_robust(shared));
	CHECK_EQ(env.warnings, 1);

	/* Opting out of robustness is silent. */
	opts = (struct rb_context_options){
		.display = env.display, .config = EGL_NO_CONFIG_KHR,
		.disable_robustness = true, .log = { env_log, &env },
	};
	plain = rb_context_create(&opts);
	REQUIRE(plain);
	CHECK_EQ(env.warnings, 1);

	/* Recreation keeps the plain strategy and does not warn again. */
	CHECK(rb_context_recreate(ctx));
	CHECK(!rb_context_is_robust(ctx));
	CHECK_EQ(env.warnings, 1);
	CHECK_EQ(env.errors, 0);

	rb_context_destroy(plain);
	rb_context_destroy(shared);
	rb_context_destroy(ctx);
	eglTerminate(env.display);
}

/* ---- GL resources registered with the recovery machinery ---- */

static GLuint
compile(GLenum type, const char *src)
{
	GLuint s = glCreateShader(type);
	GLint ok = 0;

	glShaderSource(s, 1, &src, NULL);
	glCompileShader(s);
	glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
	if (!ok) {
		glDeleteShader(s);
		return 0;
	}
	return s;
}

static bool
prog_rebuild(struct rb_resource *res, void *data)
{
	struct gl_objects *o = data;
	GLuint vs = compile(GL_VERTEX_SHADER,
		"attribute vec2 pos;\n"
		"void main() { gl_Position = vec4(pos, 0.0, 1.0); }\n");
	GLuint fs = compile(GL_FRAGMENT_SHADER,
		"precision mediump float;\n"
		"uniform vec4 color;\n"
		"void main() { gl_FragColor = color; }\n");
	GLint ok = 0;

	if (!vs || !fs)
		return false;
	o->prog = glCreateProgram();
	glAttachShader(o->prog, vs);
	glAttachShader(o->prog, fs);
	glBindAttribLocation(o->prog, 0, "pos");
	glLinkProgram(o->prog);
	glDeleteShader(vs);
	glDeleteShader(fs);
	glGetProgramiv(o->prog, GL_LINK_STATUS, &ok);
	o->color_loc = glGetUniformLocation(o->prog, "color");
	o->live++;
	return ok && o->color_loc >= 0;
}

static void
prog_forget(struct rb_resource *res, void *data)
{
	struct gl_objects *o = data;

	if (o->prog)
		o->live--;
	o->prog = 0;
	o->color_loc = -1;
}

static GLuint
make_texture(const void *pixels)
{
	GLuint tex;

	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, SIZE, SIZE, 0, GL_RGBA,
		     GL_UNSIGNED_BYTE, pixels);
	return tex;
}

static bool
upload_rebuild(struct rb_resource *res, void *data)
{
	struct gl_objects *o = data;

	/* Re-upload from the CPU copy, as the renderer does for shm. */
	o->upload_tex = make_texture(o->upload_pixels);
	o->live++;
	return glGetError() == GL_NO_ERROR;
}

static void
upload_forget(struct rb_resource *res, void *data)
{
	struct gl_objects *o = data;

	if (o->upload_tex)
		o->live--;
	o->upload_tex = 0;
}

static bool
target_rebuild(struct rb_resource *res, void *data)
{
	struct gl_objects *o = data;

	o->target_tex = make_texture(NULL);
	o->live++;
	return glGetError() == GL_NO_ERROR;
}

static void
target_forget(struct rb_resource *res, void *data)
{
	struct gl_objects *o = data;

	if (o->target_tex)
		o->live--;
	o->target_tex = 0;
}

static GLuint
make_fbo(GLuint tex)
{
	GLuint fbo;

	glGenFramebuffers(1, &fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, tex, 0);
	return fbo;
}

static bool
fbo_rebuild(struct rb_resource *res, void *data)
{
	struct gl_objects *o = data;
	bool ok;

	/* FBOs come after textures in the rebuild order. */
	if (!o->target_tex || !o->upload_tex)
		return false;
	o->target_fbo = make_fbo(o->target_tex);
	ok = glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
	o->upload_fbo = make_fbo(o->upload_tex);
	ok = ok && glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
	o->live += 2;
	return ok;
}

static void
fbo_forget(struct rb_resource *res, void *data)
{
	struct gl_objects *o = data;

	if (o->target_fbo)
		o->live -= 2;
	o->target_fbo = o->upload_fbo = 0;
}

static const struct rb_resource_impl prog_impl = { prog_rebuild, prog_forget, "program" };
static const struct rb_resource_impl upload_impl = { upload_rebuild, upload_forget, "upload" };
static const struct rb_resource_impl target_impl = { target_rebuild, target_forget, "target" };
static const struct rb_resource_impl fbo_impl = { fbo_rebuild, fbo_forget, "fbos" };

static enum rb_reset_status
hook_query(void *data)
{
	struct gl_objects *o = data;

	return rb_context_query_status(o->ctx);
}

static bool
hook_recreate(void *data)
{
	struct gl_objects *o = data;

	return rb_context_recreate(o->ctx) &&
	       rb_context_make_current(o->ctx, EGL_NO_SURFACE, EGL_NO_SURFACE);
}

static void
hook_damage(void *data)
{
	struct gl_objects *o = data;

	o->damages++;
}

static const struct rb_recovery_hooks gl_hooks = {
	.query_status = hook_query,
	.recreate_context = hook_recreate,
	.damage_all = hook_damage,
};

static void
draw_color(struct gl_objects *o, const float rgba[4])
{
	static const GLfloat tri[] = { -1, -1, 3, -1, -1, 3 };

	glBindFramebuffer(GL_FRAMEBUFFER, o->target_fbo);
	glViewport(0, 0, SIZE, SIZE);
	glUseProgram(o->prog);
	glUniform4fv(o->color_loc, 1, rgba);
	glBindBuffer(GL_ARRAY_BUFFER, 0);
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, tri);
	glEnableVertexAttribArray(0);
	glDrawArrays(GL_TRIANGLES, 0, 3);
	glDisableVertexAttribArray(0);
}

/* True if every pixel of the FBO reads back as expected. */
static bool
fbo_is(GLuint fbo, const uint8_t *expected, bool uniform)
{
	uint8_t px[SIZE * SIZE * 4];

	memset(px, 0xa5, sizeof(px));
	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	glReadPixels(0, 0, SIZE, SIZE, GL_RGBA, GL_UNSIGNED_BYTE, px);
	for (int i = 0; i < SIZE * SIZE; i++) {
		const uint8_t *want = uniform ? expected : expected + i * 4;

		if (memcmp(px + i * 4, want, 4) != 0) {
			fprintf(stderr, "pixel %d: %02x%02x%02x%02x, want %02x%02x%02x%02x\n",
				i, px[i * 4], px[i * 4 + 1], px[i * 4 + 2], px[i * 4 + 3],
				want[0], want[1], want[2], want[3]);
			return false;
		}
	}
	return true;
}

/* Draws a colour with the registered program and reads both FBOs back. */
static bool
check_pixels(struct gl_objects *o, int seed)
{
	const uint8_t v = (uint8_t)(seed * 53 + 17);
	const float rgba[4] = { v / 255.0f, 1.0f, 0.0f, 1.0f };
	const uint8_t want[4] = { v, 255, 0, 255 };

	draw_color(o, rgba);
	return glGetError() == GL_NO_ERROR &&
	       fbo_is(o->target_fbo, want, true) &&
	       fbo_is(o->upload_fbo, o->upload_pixels, false);
}

static void
objects_init(struct gl_objects *o, struct env *env)
{
	struct rb_recovery_config config;

	memset(o, 0, sizeof(*o));
	o->env = env;
	o->ctx = make_context(env, NULL);
	if (o->ctx && !rb_context_is_robust(o->ctx))
		tap_skip_all("driver has no robust context (needs llvmpipe or hardware)");
	if (o->ctx && !rb_fault_injector_available())
		tap_skip_all("built with -Dfault_injection=false");
	env_check(env);
	REQUIRE(o->ctx);
	REQUIRE(rb_context_make_current(o->ctx, EGL_NO_SURFACE, EGL_NO_SURFACE));
	for (int i = 0; i < SIZE * SIZE * 4; i++)
		o->upload_pixels[i] = (uint8_t)(i * 37 + 11);
	o->reg = rb_registry_create();
	REQUIRE(o->reg);
	/* Registered in reverse order of dependency on purpose. */
	rb_registry_add(o->reg, &o->fbo_res, RB_RESOURCE_FBO, &fbo_impl, o);
	rb_registry_add(o->reg, &o->target_res, RB_RESOURCE_TEXTURE, &target_impl, o);
	rb_registry_add(o->reg, &o->upload_res, RB_RESOURCE_TEXTURE, &upload_impl, o);
	rb_registry_add(o->reg, &o->prog_res, RB_RESOURCE_PROGRAM, &prog_impl, o);
	rb_recovery_config_init(&config);
	/* The loop resets far faster than any real budget allows. */
	config.reset_budget = 100000;
	o->rec = rb_recovery_create(&config, &gl_hooks, o, o->reg,
				    &(struct rb_log){ env_log, env });
	REQUIRE(o->rec);
	/* Initial creation goes through the same rebuild code. */
	struct rb_rebuild_result r;
	REQUIRE(rb_registry_rebuild_all(o->reg, &r));
	CHECK_EQ(r.rebuilt, 4);
	CHECK_EQ(r.failed, 0);
	REQUIRE(check_pixels(o, 1));
}

static void
objects_fini(struct gl_objects *o)
{
	if (o->target_fbo) {
		glDeleteFramebuffers(1, &o->target_fbo);
		glDeleteFramebuffers(1, &o->upload_fbo);
		glDeleteTextures(1, &o->target_tex);
		glDeleteTextures(1, &o->upload_tex);
		glDeleteProgram(o->prog);
	}
	rb_recovery_destroy(o->rec);
	rb_registry_destroy(o->reg);
	rb_context_destroy(o->ctx);
}

/* Injects a reset and drives detection and recovery as a compositor would. */
static bool
inject_and_recover(struct gl_objects *o, enum rb_reset_status status,
		   unsigned int busy_polls)
{
	struct rb_counters before, after;
	enum rb_recover_result r;
	int retries = 0;

	rb_recovery_get_counters(o->rec, &before);
	if (!rb_fault_inject_reset(o->ctx, status, busy_polls))
		return false;
	/* Repaint start: detected, recovery scheduled, nothing rebuilt yet. */
	if (rb_recovery_check(o->rec) != RB_CHECK_SCHEDULE_RECOVERY)
		return false;
	if (rb_recovery_check(o->rec) != RB_CHECK_SKIP)
		return false;
	/* The idle callback. */
	while ((r = rb_recovery_recover(o->rec)) == RB_RECOVER_RETRY &&
	       retries < 100)
		retries++;
	if (r != RB_RECOVER_DONE || (unsigned int)retries != busy_polls)
		return false;
	rb_recovery_get_counters(o->rec, &after);
	return after.resets == before.resets + 1 &&
	       after.recoveries == before.recoveries + 1 &&
	       after.last_status == status &&
	       after.last_rebuilt == 4 &&
	       rb_recovery_check(o->rec) == RB_CHECK_OK;
}

static void
test_inject(void)
{
	struct env env;
	struct gl_objects o;
	struct rb_counters c;
	uint8_t px[SIZE * SIZE * 4];
	GLuint old_tex;

	env_init(&env);
	objects_init(&o, &env);
	CHECK(rb_fault_injector_enable(o.ctx));
	CHECK(rb_fault_injector_is_enabled(o.ctx));
	CHECK(!rb_fault_inject_reset(o.ctx, RB_RESET_NONE, 0));
	CHECK(glGetString(GL_VERSION) != NULL);
	old_tex = o.upload_tex;
	CHECK(glIsTexture(old_tex));

	EGLContext old_egl = rb_context_get_egl_context(o.ctx);
	EGLint value;
	REQUIRE(rb_fault_inject_reset(o.ctx, RB_RESET_GUILTY, 0));
	/* Destroyed, not just released. */
	CHECK(!eglQueryContext(env.display, old_egl, EGL_CONFIG_ID, &value));
	CHECK_EQ(eglGetError(), EGL_BAD_CONTEXT);
	/* The context is really gone: GL is the no-op dispatch now. */
	CHECK(eglGetCurrentContext() == EGL_NO_CONTEXT);
	CHECK(rb_context_get_egl_context(o.ctx) == EGL_NO_CONTEXT);
	CHECK(glGetString(GL_VERSION) == NULL);
	CHECK(!glIsTexture(old_tex));
	memset(px, 0xa5, sizeof(px));
	glReadPixels(0, 0, SIZE, SIZE, GL_RGBA, GL_UNSIGNED_BYTE, px);
	CHECK(px[0] == 0xa5 && px[sizeof(px) - 1] == 0xa5);
	/* A failed MakeCurrent on the dead context is not a second reset. */
	CHECK(!rb_context_make_current(o.ctx, EGL_NO_SURFACE, EGL_NO_SURFACE));

	CHECK_EQ(rb_recovery_check(&*o.rec), RB_CHECK_SCHEDULE_RECOVERY);
	rb_recovery_get_counters(o.rec, &c);
	CHECK_EQ(c.guilty, 1);
	CHECK_EQ(c.recoveries, 0);
	CHECK_EQ(o.damages, 0);
	CHECK_EQ(rb_recovery_recover(o.rec), RB_RECOVER_DONE);
	CHECK_EQ(o.damages, 1);
	CHECK(eglGetCurrentContext() == rb_context_get_egl_context(o.ctx));
	CHECK(rb_context_is_robust(o.ctx));
	CHECK(glGetString(GL_VERSION) != NULL);
	rb_recovery_get_counters(o.rec, &c);
	CHECK_EQ(c.recoveries, 1);
	CHECK_EQ(c.last_rebuilt, 4);
	CHECK_EQ(c.resources_failed, 0);
	/* Real pixels from the rebuilt program, texture and FBOs. */
	CHECK(check_pixels(&o, 2));
	CHECK_EQ(o.live, 5);

	/* Innocent, with the reset "in progress" for two polls. */
	CHECK(inject_and_recover(&o, RB_RESET_INNOCENT, 2));
	CHECK(check_pixels(&o, 3));
	CHECK(inject_and_recover(&o, RB_RESET_UNKNOWN, 0));
	CHECK(check_pixels(&o, 4));
	/* The injector stays enabled across recreation. */
	CHECK(rb_fault_injector_is_enabled(o.ctx));
	rb_recovery_get_counters(o.rec, &c);
	CHECK_EQ(c.guilty, 1);
	CHECK_EQ(c.innocent, 1);
	CHECK_EQ(c.unknown, 1);
	CHECK_EQ(c.resets, 3);
	CHECK_EQ(c.recoveries, 3);
	CHECK_EQ(env.errors, 0);

	objects_fini(&o);
	eglTerminate(env.display);
}

static size_t
heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static void
test_loop(int cycles)
{
	static const enum rb_reset_status kinds[] = {
		RB_RESET_GUILTY, RB_RESET_INNOCENT, RB_RESET_UNKNOWN,
	};
	const int warmup = 5;
	struct env env;
	struct gl_objects o;
	struct rb_counters c;
	size_t heap_start = 0, heap_end;
	int failures = 0;

	env_init(&env);
	objects_init(&o, &env);
	REQUIRE(rb_fault_injector_enable(o.ctx));
	for (int i = 0; i < warmup + cycles; i++) {
		if (i == warmup)
			heap_start = heap_in_use();
		if (!inject_and_recover(&o, kinds[i % 3], (unsigned int)i % 2) ||
		    !check_pixels(&o, i) || o.live != 5 ||
		    rb_registry_count(o.reg, RB_RESOURCE_KIND_COUNT) != 4) {
			fprintf(stderr, "cycle %d failed\n", i);
			if (++failures > 3)
				break;
		}
	}
	heap_end = heap_in_use();
	CHECK_EQ(failures, 0);
	rb_recovery_get_counters(o.rec, &c);
	CHECK_EQ(c.recoveries, (uint64_t)(warmup + cycles));
	CHECK_EQ(c.resources_rebuilt, 4 * (uint64_t)(warmup + cycles));
	CHECK_EQ(c.failed_recoveries, 0);
	tap_note("%d cycles: heap %zu -> %zu bytes, last recovery %.3f ms",
	       cycles, heap_start, heap_end, c.last_recovery_ns / 1e6);
	/* A leaked context (or its objects) costs far more than 4 KiB per
	 * cycle; zero means an allocator we cannot see into (sanitizers). */
	if (heap_start)
		CHECK(heap_end < heap_start + (size_t)cycles * 4096);
	objects_fini(&o);
	eglTerminate(env.display);
}

static void
test_desktop(void)
{
	struct env env;
	struct rb_context *es, *ctx, *shared;
	struct rb_context_options opts;

	env_init(&env);
	if (!rb_egl_has_extension(env.display, "EGL_KHR_create_context"))
		tap_skip_all("driver has no EGL_KHR_create_context");
	opts = (struct rb_context_options){
		.display = env.display,
		.config = EGL_NO_CONFIG_KHR,
		.desktop = true,
		.gl_major = 3,
		.gl_minor = 2,
		.log = { env_log, &env },
	};
	/* Made while an ES context is current: that one stays current. */
	es = make_context(&env, NULL);
	REQUIRE(es);
	REQUIRE(rb_context_make_current(es, EGL_NO_SURFACE, EGL_NO_SURFACE));
	ctx = rb_context_create(&opts);
	REQUIRE(ctx);
	CHECK(eglQueryAPI() == EGL_OPENGL_ES_API);
	CHECK(eglGetCurrentContext() == rb_context_get_egl_context(es));
	CHECK(rb_context_is_desktop(ctx));
	CHECK(!rb_context_is_desktop(es));
	CHECK_EQ(rb_context_get_gles_major(ctx), 0);
	CHECK(rb_context_is_robust(ctx));
	CHECK(rb_context_has_robust_access(ctx));
	CHECK_EQ(rb_context_get_reset_strategy(ctx), GL_LOSE_CONTEXT_ON_RESET);
	CHECK_EQ(env.warnings, 0);

	REQUIRE(rb_context_make_current(ctx, EGL_NO_SURFACE, EGL_NO_SURFACE));
	CHECK(eglQueryAPI() == EGL_OPENGL_API);
	CHECK(eglGetCurrentContext() == rb_context_get_egl_context(ctx));
	CHECK(epoxy_is_desktop_gl());
	CHECK(epoxy_gl_version() >= 32);
	GLint profile = 0, strategy = 0;
	glGetIntegerv(GL_CONTEXT_PROFILE_MASK, &profile);
	CHECK(profile & GL_CONTEXT_CORE_PROFILE_BIT);
	glGetIntegerv(GL_RESET_NOTIFICATION_STRATEGY, &strategy);
	CHECK_EQ(strategy, GL_LOSE_CONTEXT_ON_RESET);
	CHECK_EQ(rb_context_query_status(ctx), RB_RESET_NONE);
	tap_note("desktop: %s", (const char *)glGetString(GL_VERSION));

	/* A share group has one API: an ES context cannot join it. */
	env.errors = 0;
	CHECK(make_context(&env, ctx) == NULL);
	CHECK_EQ(env.errors, 1);
	env.errors = 0;
	opts.share = ctx;
	shared = rb_context_create(&opts);
	REQUIRE(shared);
	CHECK(rb_context_is_robust(shared));
	CHECK(rb_context_is_desktop(shared));

	/* Back to the ES context (Mesa: one current context per thread). */
	REQUIRE(rb_context_make_current(es, EGL_NO_SURFACE, EGL_NO_SURFACE));
	CHECK_EQ(rb_context_query_status(es), RB_RESET_NONE);
	/* Queried with ES bound, the desktop context still answers for itself. */
	if (rb_fault_injector_enable(ctx)) {
		CHECK(rb_fault_inject_reset(ctx, RB_RESET_GUILTY, 0));
		CHECK(!rb_context_make_current(ctx, EGL_NO_SURFACE, EGL_NO_SURFACE));
		CHECK_EQ(rb_context_query_status(ctx), RB_RESET_GUILTY);
		REQUIRE(rb_context_recreate(ctx));
		REQUIRE(rb_context_recreate(shared));
		CHECK(rb_context_is_robust(ctx));
		REQUIRE(rb_context_make_current(shared, EGL_NO_SURFACE, EGL_NO_SURFACE));
		CHECK(epoxy_is_desktop_gl());
		CHECK_EQ(rb_context_query_status(shared), RB_RESET_NONE);
	}
	rb_context_destroy(shared);
	rb_context_destroy(ctx);
	rb_context_destroy(es);
	CHECK_EQ(env.warnings, rb_fault_injector_available() ? 1 : 0);
	CHECK_EQ(env.errors, 0);
	eglTerminate(env.display);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s robust|fallback|inject|desktop|loop N\n", argv[0]);
		return 2;
	}
	if (strcmp(argv[1], "robust") == 0)
		test_robust();
	else if (strcmp(argv[1], "fallback") == 0)
		test_fallback();
	else if (strcmp(argv[1], "inject") == 0)
		test_inject();
	else if (strcmp(argv[1], "desktop") == 0)
		test_desktop();
	else if (strcmp(argv[1], "loop") == 0)
		test_loop(argc > 2 ? atoi(argv[2]) : 100);
	else
		return 2;
	return tap_finish();
}
