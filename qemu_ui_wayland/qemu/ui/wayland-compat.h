/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU Wayland display: the one place that knows how QEMU's UI API
 * differs between versions.
 *
 *   VMPQ_API 702   QEMU 7.2: public QemuDmaBuf (width/height = backing),
 *                  "sysemu/" headers, has_ flags on optional QAPI
 *                  pointers, dpy_mouse_set(int on).
 *   VMPQ_API 1000  QEMU 10.0: opaque QemuDmaBuf with accessors
 *                  (width/height = scanout rectangle, backing_* added),
 *                  "system/" headers, no has_ flags on pointers,
 *                  dpy_mouse_set(bool on), dpy_gl_scanout_texture with a
 *                  Direct3D texture argument, DISPLAY_GL_MODE_* names.
 *   VMPQ_API 1001  QEMU 10.1+: multi-plane QemuDmaBuf accessors, udmabuf
 *                  modifier DRM_FORMAT_MOD_INVALID instead of 0.
 *
 * Unit tests define VMPQ_API and VMPQ_NO_QEMU themselves and provide
 * stand-ins for the QemuDmaBuf type or accessors of that generation.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VMPQ_WAYLAND_COMPAT_H
#define VMPQ_WAYLAND_COMPAT_H

#include <stdbool.h>
#include <stdint.h>

#include <vmplane/display-dmabuf.h>

#ifndef VMPQ_API
#if QEMU_VERSION_MAJOR > 10 || \
    (QEMU_VERSION_MAJOR == 10 && QEMU_VERSION_MINOR >= 1)
#define VMPQ_API 1001
#elif QEMU_VERSION_MAJOR >= 10
#define VMPQ_API 1000
#elif QEMU_VERSION_MAJOR == 7 && QEMU_VERSION_MINOR == 2
#define VMPQ_API 702
#else
#error "the Wayland display knows the UI API of QEMU 7.2 and 10.x only"
#endif
#endif

#ifndef VMPQ_NO_QEMU
#include "ui/console.h"
#include "ui/input.h"
#include "ui/kbd-state.h"
#if VMPQ_API >= 1000
#include "ui/dmabuf.h"
#include "system/runstate.h"
#include "system/system.h"
#else
#include "sysemu/runstate.h"
#include "sysemu/sysemu.h"
#endif

/* dpy_mouse_set's last parameter is an int in 7.2, a bool in 10.x. */
#if VMPQ_API >= 1000
typedef bool vmpq_mouse_on_t;
#else
typedef int vmpq_mouse_on_t;
#endif

/* dpy_gl_scanout_texture's trailing Direct3D texture (since 9.0). */
#if VMPQ_API >= 1000
#define VMPQ_SCANOUT_TEXTURE_D3D_ARG , void *d3d_tex2d
#else
#define VMPQ_SCANOUT_TEXTURE_D3D_ARG
#endif

/* The QAPI gl= mode's enum constants gained an underscore in 8.0. */
#if VMPQ_API >= 1000
#define VMPQ_GL_MODE_OFF DISPLAY_GL_MODE_OFF
#define VMPQ_GL_MODE_CORE DISPLAY_GL_MODE_CORE
#else
#define VMPQ_GL_MODE_OFF DISPLAYGL_MODE_OFF
#define VMPQ_GL_MODE_CORE DISPLAYGL_MODE_CORE
#endif

/* The test for QEMU's "no output" surface was renamed in 8.x. */
#if VMPQ_API >= 1000
#define vmpq_is_placeholder(surface) surface_is_placeholder(surface)
#else
#define vmpq_is_placeholder(surface) is_placeholder(surface)
#endif

/* Optional QAPI strings have a has_ flag in 7.2 only. */
#if VMPQ_API >= 1000
#define VMPQ_OPT_STR(s, member) ((s)->member)
#else
#define VMPQ_OPT_STR(s, member) ((s)->has_##member ? (s)->member : NULL)
#endif
#endif /* VMPQ_NO_QEMU */

/*
 * Describes a QEMU dma-buf scanout for the display core. Never fails:
 * the core validates the result. Only reads the QemuDmaBuf, so it is
 * safe to call again for the same buffer.
 */
static inline void vmpq_describe_dmabuf(QemuDmaBuf *d, struct vmpd_dmabuf *out)
{
    uint32_t i;

    *out = (struct vmpd_dmabuf){ 0 };
    for (i = 0; i < VMPD_MAX_PLANES; i++) {
        out->fd[i] = -1;
    }
#if VMPQ_API >= 1001
    {
        int n_fds = 0, n_off = 0, n_str = 0;
        const int *fds = qemu_dmabuf_get_fds(d, &n_fds);
        const uint32_t *offsets = qemu_dmabuf_get_offsets(d, &n_off);
        const uint32_t *strides = qemu_dmabuf_get_strides(d, &n_str);

        out->n_planes = qemu_dmabuf_get_num_planes(d);
        /* Trust the shortest of the four counts; the core rejects 0. */
        if (out->n_planes > (uint32_t)n_fds) {
            out->n_planes = n_fds;
        }
        if (out->n_planes > (uint32_t)n_off ||
            out->n_planes > (uint32_t)n_str ||
            out->n_planes > VMPD_MAX_PLANES) {
            out->n_planes = 0;
        }
        for (i = 0; i < out->n_planes; i++) {
            out->fd[i] = fds[i];
            out->offset[i] = offsets[i];
            out->stride[i] = strides[i];
        }
    }
#elif VMPQ_API >= 1000
    out->n_planes = 1;
    out->fd[0] = qemu_dmabuf_get_fd(d);
    out->stride[0] = qemu_dmabuf_get_stride(d);
#else
    out->n_planes = 1;
    out->fd[0] = d->fd;
    out->stride[0] = d->stride;
#endif

#if VMPQ_API >= 1000
    out->fourcc = qemu_dmabuf_get_fourcc(d);
    out->modifier = qemu_dmabuf_get_modifier(d);
    out->width = qemu_dmabuf_get_backing_width(d);
    out->height = qemu_dmabuf_get_backing_height(d);
    out->src.x = qemu_dmabuf_get_x(d);
    out->src.y = qemu_dmabuf_get_y(d);
    out->src.width = qemu_dmabuf_get_width(d);
    out->src.height = qemu_dmabuf_get_height(d);
    out->y0_top = qemu_dmabuf_get_y0_top(d);
#else
    out->fourcc = d->fourcc;
    out->modifier = d->modifier;
    out->width = d->width;
    out->height = d->height;
    out->src.x = d->x;
    out->src.y = d->y;
    out->src.width = d->scanout_width;
    out->src.height = d->scanout_height;
    out->y0_top = d->y0_top;
#endif

#if VMPQ_API < 1001
    /*
     * Before 10.1 every producer wrote 0 for "no modifier given", which
     * is also LINEAR's value; say unknown and let the core choose.
     */
    if (out->modifier == 0) {
        out->modifier = VMPD_MOD_INVALID;
    }
#endif
    /* Producers that never set a scanout rectangle mean the whole buffer. */
    if (out->src.width == 0 || out->src.height == 0) {
        out->src = (struct vmpd_rect){ 0, 0, out->width, out->height };
    }
}

#endif
