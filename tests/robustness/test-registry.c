/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the GL object registry: rebuild order, resources added or
 * removed from callbacks, and ten thousand objects.
 */
#include <stdio.h>
#include <string.h>

#include "vmplane/rb-registry.h"
#include "tap.h"

#define MAX_EVENTS 64

struct event_log {
	char events[MAX_EVENTS][16];
	int n;
};

struct obj {
	struct rb_resource res;
	struct event_log *log;
	const char *name;
	bool fail;
	bool forgotten;
	int rebuilds;
	/* Actions run from inside the rebuild callback. */
	struct obj *remove_on_rebuild;
	struct obj *add_on_rebuild;
	struct rb_registry *reg;
};

static void
log_event(struct event_log *log, const char *what, const char *name)
{
	if (log->n < MAX_EVENTS)
		snprintf(log->events[log->n++], 16, "%s%s", what, name);
}

static bool
obj_rebuild(struct rb_resource *res, void *data)
{
	struct obj *o = data;

	INVARIANT(res == &o->res);
	log_event(o->log, "R", o->name);
	o->rebuilds++;
	o->forgotten = false;
	if (o->remove_on_rebuild)
		rb_resource_remove(&o->remove_on_rebuild->res);
	if (o->add_on_rebuild)
		rb_registry_add(o->reg, &o->add_on_rebuild->res,
				RB_RESOURCE_PROGRAM, o->res.impl,
				o->add_on_rebuild);
	/* A nested walk must be refused. */
	INVARIANT(!rb_registry_rebuild_all(o->reg, NULL));
	return !o->fail;
}

static void
obj_forget(struct rb_resource *res, void *data)
{
	struct obj *o = data;

	log_event(o->log, "F", o->name);
	o->forgotten = true;
}

static const struct rb_resource_impl obj_impl = {
	.rebuild = obj_rebuild,
	.forget = obj_forget,
	.name = "obj",
};

static void
init_obj(struct obj *o, struct rb_registry *reg, struct event_log *log,
	 const char *name)
{
	memset(o, 0, sizeof(*o));
	o->reg = reg;
	o->log = log;
	o->name = name;
}

static bool
events_are(const struct event_log *log, const char *const *expected, int n)
{
	if (log->n != n)
		return false;
	for (int i = 0; i < n; i++)
		if (strcmp(log->events[i], expected[i]) != 0)
			return false;
	return true;
}

static void
dump(const struct event_log *log)
{
	for (int i = 0; i < log->n; i++)
		fprintf(stderr, " %s", log->events[i]);
	fprintf(stderr, "\n");
}

static void
test_order(void)
{
	struct rb_registry *reg = rb_registry_create();
	struct event_log log = { 0 };
	struct obj out, fbo, img, tex1, tex2, prog;
	struct rb_rebuild_result r;

	REQUIRE(reg);
	/* Registered out of order on purpose. */
	init_obj(&out, reg, &log, "out");
	init_obj(&fbo, reg, &log, "fbo");
	init_obj(&img, reg, &log, "img");
	init_obj(&tex1, reg, &log, "t1");
	init_obj(&tex2, reg, &log, "t2");
	init_obj(&prog, reg, &log, "p");
	CHECK(rb_registry_add(reg, &out.res, RB_RESOURCE_OUTPUT_SURFACE, &obj_impl, &out));
	CHECK(rb_registry_add(reg, &fbo.res, RB_RESOURCE_FBO, &obj_impl, &fbo));
	CHECK(rb_registry_add(reg, &tex1.res, RB_RESOURCE_TEXTURE, &obj_impl, &tex1));
	CHECK(rb_registry_add(reg, &img.res, RB_RESOURCE_EGL_IMAGE, &obj_impl, &img));
	CHECK(rb_registry_add(reg, &tex2.res, RB_RESOURCE_TEXTURE, &obj_impl, &tex2));
	CHECK(rb_registry_add(reg, &prog.res, RB_RESOURCE_PROGRAM, &obj_impl, &prog));
	/* Double add and bad kinds are refused. */
	CHECK(!rb_registry_add(reg, &prog.res, RB_RESOURCE_PROGRAM, &obj_impl, &prog));
	CHECK(!rb_registry_add(reg, &img.res, RB_RESOURCE_KIND_COUNT, &obj_impl, &img));
	CHECK_EQ(rb_registry_count(reg, RB_RESOURCE_KIND_COUNT), 6);
	CHECK_EQ(rb_registry_count(reg, RB_RESOURCE_TEXTURE), 2);

	rb_registry_forget_all(reg);
	CHECK(out.forgotten && fbo.forgotten && tex1.forgotten && prog.forgotten);
	CHECK_EQ(tex1.rebuilds, 0);
	log.n = 0;

	tex2.fail = true;
	CHECK(rb_registry_rebuild_all(reg, &r));
	static const char *const order[] = { "Rp", "Rt1", "Rt2", "Rimg", "Rfbo", "Rout" };
	if (!CHECK(events_are(&log, order, 6))) {
		fprintf(stderr, "wrong order:");
		dump(&log);
	}
	CHECK_EQ(r.rebuilt, 5);
	CHECK_EQ(r.failed, 1);
	CHECK(!tex1.forgotten);

	/* Removed resources are neither forgotten nor rebuilt. */
	rb_resource_remove(&tex1.res);
	rb_resource_remove(&tex1.res);
	CHECK(!rb_resource_is_registered(&tex1.res));
	CHECK_EQ(rb_registry_count(reg, RB_RESOURCE_TEXTURE), 1);
	log.n = 0;
	tex2.fail = false;
	CHECK(rb_registry_rebuild_all(reg, &r));
	CHECK_EQ(r.rebuilt, 5);
	CHECK_EQ(r.failed, 0);
	CHECK_EQ(tex1.rebuilds, 1);

	rb_registry_destroy(reg);
	/* Destroy unlinks what is left. */
	CHECK(!rb_resource_is_registered(&out.res));
	rb_registry_destroy(NULL);
}

static void
test_remove_during_rebuild(void)
{
	struct rb_registry *reg = rb_registry_create();
	struct event_log log = { 0 };
	struct obj a, b, c, d, added;
	struct rb_rebuild_result r;

	REQUIRE(reg);
	init_obj(&a, reg, &log, "a");
	init_obj(&b, reg, &log, "b");
	init_obj(&c, reg, &log, "c");
	init_obj(&d, reg, &log, "d");
	init_obj(&added, reg, &log, "new");
	rb_registry_add(reg, &a.res, RB_RESOURCE_TEXTURE, &obj_impl, &a);
	rb_registry_add(reg, &b.res, RB_RESOURCE_TEXTURE, &obj_impl, &b);
	rb_registry_add(reg, &c.res, RB_RESOURCE_TEXTURE, &obj_impl, &c);
	rb_registry_add(reg, &d.res, RB_RESOURCE_FBO, &obj_impl, &d);
	/* a removes the next one (b), c removes itself, d adds one. */
	a.remove_on_rebuild = &b;
	c.remove_on_rebuild = &c;
	d.add_on_rebuild = &added;

	CHECK(rb_registry_rebuild_all(reg, &r));
	static const char *const expected[] = { "Ra", "Rc", "Rd" };
	if (!CHECK(events_are(&log, expected, 3))) {
		fprintf(stderr, "wrong walk:");
		dump(&log);
	}
	CHECK_EQ(r.rebuilt, 3);
	CHECK_EQ(b.rebuilds, 0);
	/* Added during the walk: made in the new context, not rebuilt. */
	CHECK_EQ(added.rebuilds, 0);
	CHECK(rb_resource_is_registered(&added.res));
	CHECK(!rb_resource_is_registered(&b.res));
	CHECK(!rb_resource_is_registered(&c.res));
	CHECK_EQ(rb_registry_count(reg, RB_RESOURCE_KIND_COUNT), 3);

	/* The next pass sees the added resource. */
	a.remove_on_rebuild = NULL;
	d.add_on_rebuild = NULL;
	log.n = 0;
	CHECK(rb_registry_rebuild_all(reg, &r));
	CHECK_EQ(r.rebuilt, 3);
	CHECK_EQ(added.rebuilds, 1);
	rb_registry_destroy(reg);
}

static void
test_many(void)
{
	enum { N = 10000 };
	struct rb_registry *reg = rb_registry_create();
	struct event_log log = { 0 };
	static struct obj objs[N];
	struct rb_rebuild_result r;

	REQUIRE(reg);
	for (int i = 0; i < N; i++) {
		init_obj(&objs[i], reg, &log, "x");
		INVARIANT(rb_registry_add(reg, &objs[i].res, (enum rb_resource_kind)(i % RB_RESOURCE_KIND_COUNT),
				      &obj_impl, &objs[i]));
	}
	/* Remove every other one, from both ends. */
	for (int i = 0; i < N; i += 2)
		rb_resource_remove(&objs[i].res);
	CHECK_EQ(rb_registry_count(reg, RB_RESOURCE_KIND_COUNT), N / 2);
	CHECK(rb_registry_rebuild_all(reg, &r));
	CHECK_EQ(r.rebuilt, N / 2);
	for (int i = 0; i < N; i++)
		INVARIANT(objs[i].rebuilds == i % 2);
	rb_registry_destroy(reg);
}

int
main(void)
{
	CHECK(!rb_registry_add(NULL, NULL, RB_RESOURCE_TEXTURE, &obj_impl, NULL));
	CHECK_EQ(rb_registry_count(NULL, RB_RESOURCE_TEXTURE), 0);
	rb_resource_remove(NULL);
	CHECK(strcmp(rb_resource_kind_name(RB_RESOURCE_FBO), "fbo") == 0);
	test_order();
	test_remove_during_rebuild();
	test_many();
	return tap_finish();
}
