/* SPDX-License-Identifier: MIT */
/*
 * Public API of the GL object registry: every GL object that must outlive a
 * context loss is registered here with how to forget and rebuild it.
 */
#ifndef VMPLANE_RB_REGISTRY_H
#define VMPLANE_RB_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A registry of every GL object that must survive a context loss.
 *
 * The caller embeds a struct rb_resource in its own object and registers it
 * with a kind. After a reset:
 *   - rb_registry_forget_all() calls every forget callback: drop GL/EGL
 *     handles WITHOUT any GL call (the context is gone or lost);
 *   - once a new context is current, rb_registry_rebuild_all() calls every
 *     rebuild callback, kind by kind in the order of enum rb_resource_kind
 *     (programs first, output surfaces last), and within a kind in
 *     registration order.
 * That order is all the registry knows; it does not track which object uses
 * which. An object that depends only on earlier kinds finds them rebuilt.
 * One that depends on a later kind, such as a texture bound to an EGL image,
 * must bring that object up itself from its own rebuild callback, and the
 * later object's callback must then see that it is already done (a counter
 * bumped per new context serves).
 * Adding and removing are O(1). A callback may remove any resource,
 * including itself, and may add new ones (those are not rebuilt again in the
 * same pass, they were created in the new context).
 */

enum rb_resource_kind {
	RB_RESOURCE_PROGRAM = 0,
	RB_RESOURCE_TEXTURE,
	RB_RESOURCE_EGL_IMAGE,
	RB_RESOURCE_FBO,
	RB_RESOURCE_OUTPUT_SURFACE,
	RB_RESOURCE_KIND_COUNT,
};

struct rb_resource;

struct rb_resource_impl {
	/* Re-create the GL objects in the current (new) context. */
	bool (*rebuild)(struct rb_resource *res, void *data);
	/* Drop handles without GL calls. Optional. */
	void (*forget)(struct rb_resource *res, void *data);
	/* For log lines; may be NULL. */
	const char *name;
};

/* Embedded in the caller's object; every field is private. */
struct rb_resource {
	struct rb_registry *registry;
	struct rb_resource *prev, *next;
	const struct rb_resource_impl *impl;
	void *data;
	enum rb_resource_kind kind;
	unsigned int pass;
};

struct rb_rebuild_result {
	unsigned int rebuilt;
	unsigned int failed;
};

struct rb_registry *rb_registry_create(void);
/* Unlinks any resource still registered (callbacks are not called).
 * Accepts NULL. */
void rb_registry_destroy(struct rb_registry *reg);

/* res must not already be registered. Returns false on a bad kind. */
bool rb_registry_add(struct rb_registry *reg, struct rb_resource *res,
		     enum rb_resource_kind kind,
		     const struct rb_resource_impl *impl, void *data);
/* Safe on a zeroed or already removed resource, and during a walk. */
void rb_resource_remove(struct rb_resource *res);
bool rb_resource_is_registered(const struct rb_resource *res);

void rb_registry_forget_all(struct rb_registry *reg);
/* Returns false (and does nothing) when called from inside a walk. */
bool rb_registry_rebuild_all(struct rb_registry *reg,
			     struct rb_rebuild_result *result);

/* Live resources of a kind; RB_RESOURCE_KIND_COUNT counts all. */
size_t rb_registry_count(const struct rb_registry *reg,
			 enum rb_resource_kind kind);

const char *rb_resource_kind_name(enum rb_resource_kind kind);

#endif
