/* SPDX-License-Identifier: MIT */
/*
 * The GL object registry: one list per kind, walked in kind order, by a walk
 * that stays valid while its callbacks add or remove resources.
 */
#include <stdlib.h>

#include "vmplane/rb-registry.h"

struct rb_kind_list {
	struct rb_resource *head, *tail;
	size_t count;
};

struct rb_registry {
	struct rb_kind_list lists[RB_RESOURCE_KIND_COUNT];
	/* Next resource a walk visits; advanced when that one is removed. */
	struct rb_resource *cursor;
	unsigned int pass;
	bool walking;
};

struct rb_registry *
rb_registry_create(void)
{
	return calloc(1, sizeof(struct rb_registry));
}

void
rb_registry_destroy(struct rb_registry *reg)
{
	if (!reg)
		return;
	for (int k = 0; k < RB_RESOURCE_KIND_COUNT; k++) {
		while (reg->lists[k].head)
			rb_resource_remove(reg->lists[k].head);
	}
	free(reg);
}

bool
rb_registry_add(struct rb_registry *reg, struct rb_resource *res,
		enum rb_resource_kind kind,
		const struct rb_resource_impl *impl, void *data)
{
	struct rb_kind_list *list;

	if (!reg || !res || !impl || res->registry ||
	    (unsigned int)kind >= RB_RESOURCE_KIND_COUNT)
		return false;

	list = &reg->lists[kind];
	res->registry = reg;
	res->impl = impl;
	res->data = data;
	res->kind = kind;
	/* Created in the current context: a walk in progress skips it. */
	res->pass = reg->pass;
	res->next = NULL;
	res->prev = list->tail;
	if (list->tail)
		list->tail->next = res;
	else
		list->head = res;
	list->tail = res;
	list->count++;
	return true;
}

void
rb_resource_remove(struct rb_resource *res)
{
	struct rb_registry *reg;
	struct rb_kind_list *list;

	if (!res || !res->registry)
		return;
	reg = res->registry;
	list = &reg->lists[res->kind];
	if (reg->cursor == res)
		reg->cursor = res->next;
	if (res->prev)
		res->prev->next = res->next;
	else
		list->head = res->next;
	if (res->next)
		res->next->prev = res->prev;
	else
		list->tail = res->prev;
	list->count--;
	res->registry = NULL;
	res->prev = res->next = NULL;
}

bool
rb_resource_is_registered(const struct rb_resource *res)
{
	return res && res->registry;
}

enum walk_op {
	WALK_FORGET,
	WALK_REBUILD,
};

static void
walk(struct rb_registry *reg, enum walk_op op, struct rb_rebuild_result *result)
{
	reg->walking = true;
	reg->pass++;
	for (int k = 0; k < RB_RESOURCE_KIND_COUNT; k++) {
		struct rb_resource *res = reg->lists[k].head;

		while (res) {
			reg->cursor = res->next;
			if (res->pass != reg->pass) {
				res->pass = reg->pass;
				if (op == WALK_FORGET) {
					if (res->impl->forget)
						res->impl->forget(res, res->data);
				} else if (!res->impl->rebuild ||
					   res->impl->rebuild(res, res->data)) {
					result->rebuilt++;
				} else {
					result->failed++;
				}
			}
			res = reg->cursor;
		}
	}
	reg->cursor = NULL;
	reg->walking = false;
}

void
rb_registry_forget_all(struct rb_registry *reg)
{
	if (!reg || reg->walking)
		return;
	walk(reg, WALK_FORGET, NULL);
}

bool
rb_registry_rebuild_all(struct rb_registry *reg,
			struct rb_rebuild_result *result)
{
	struct rb_rebuild_result local = { 0 };

	if (!reg || reg->walking)
		return false;
	walk(reg, WALK_REBUILD, &local);
	if (result)
		*result = local;
	return true;
}

size_t
rb_registry_count(const struct rb_registry *reg, enum rb_resource_kind kind)
{
	size_t n = 0;

	if (!reg)
		return 0;
	if ((unsigned int)kind < RB_RESOURCE_KIND_COUNT)
		return reg->lists[kind].count;
	for (int k = 0; k < RB_RESOURCE_KIND_COUNT; k++)
		n += reg->lists[k].count;
	return n;
}

const char *
rb_resource_kind_name(enum rb_resource_kind kind)
{
	switch (kind) {
	case RB_RESOURCE_PROGRAM:
		return "program";
	case RB_RESOURCE_TEXTURE:
		return "texture";
	case RB_RESOURCE_EGL_IMAGE:
		return "egl-image";
	case RB_RESOURCE_FBO:
		return "fbo";
	case RB_RESOURCE_OUTPUT_SURFACE:
		return "output-surface";
	case RB_RESOURCE_KIND_COUNT:
		break;
	}
	return "invalid";
}
