/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU Wayland display
 *
 * Thin glue between QEMU's display-change listeners and the vmplane
 * display core, which owns the Wayland connection, windows, buffers,
 * frame pacing and input. With gl=on the core also gives virglrenderer
 * robust EGL contexts, shows its textures and recovers from GPU resets.
 * Everything here runs on QEMU's main loop with the BQL held; the core
 * never blocks after connecting.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "ui/clipboard.h"
#include "trace.h"

#include "standard-headers/drm/drm_fourcc.h"

#include <math.h>
#include <vmplane/display.h>
#include <vmplane/display-gl.h>

#include "wayland-compat.h"

typedef struct WaylandUI WaylandUI;

typedef struct WaylandConsole {
    DisplayChangeListener dcl;
    DisplayGLCtx glctx;
    WaylandUI *ui;
    struct vmpd_head *head;
    QKbdState *kbd;
    int index;
    /* graphic_hw_gl_block() calls the core asked for and we still hold */
    int blocks;

    DisplaySurface *surface;
    /* 32-bit copy for surface formats the core cannot show directly */
    pixman_image_t *shadow;

    /* The dma-buf on screen; NULL in 2D mode. */
    QemuDmaBuf *dmabuf;
    /* A renderer texture is on screen (gl=on). */
    bool texture;
    /* Scroll not yet sent as wheel clicks: vertical, horizontal. */
    double scroll[2];
    /* The guest showed something on this console since start. */
    bool had_output;
    /* The window's title without the grab hint. */
    char *title;
} WaylandConsole;

struct WaylandUI {
    struct vmpd_display *display;
    Notifier exit_notifier;
    /* $VMPLANE_STATS: counters at exit and at each switch to a dma-buf. */
    bool stats;
    int fd;
    bool window_close;
    bool gone;
    int n_consoles;
    WaylandConsole *consoles;

    /* gl=on: EGL display and contexts; NULL otherwise. */
    struct vmpd_gl *gl;
    QEMUBH *gl_recover_bh;
    /* VMPLANE_QEMU_FAULT: the next injected reset's kind; "1" alternates. */
    bool fault_innocent;
    bool fault_alternate;

    QemuClipboardPeer cbpeer;
};

static WaylandConsole *wayland_from_head(struct vmpd_head *head)
{
    return head ? vmpd_head_get_user_data(head) : NULL;
}

/* Core callbacks */

static void wayland_block(void *data, struct vmpd_head *head, bool block)
{
    WaylandConsole *wc = wayland_from_head(head);

    if (!wc) {
        return;
    }
    if (!block && wc->blocks == 0) {
        return;
    }
    wc->blocks += block ? 1 : -1;
    trace_wayland_gl_block(wc->index, block);
    graphic_hw_gl_block(wc->dcl.con, block);
}

static void wayland_release_blocks(WaylandConsole *wc)
{
    while (wc->blocks > 0) {
        wc->blocks--;
        trace_wayland_gl_block(wc->index, false);
        graphic_hw_gl_block(wc->dcl.con, false);
    }
}

static void wayland_close(void *data, struct vmpd_head *head)
{
    WaylandUI *ui = data;
    WaylandConsole *wc = wayland_from_head(head);

    trace_wayland_close(wc ? wc->index : -1);
    if (ui->window_close) {
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_UI);
    }
}

static void wayland_resize(void *data, struct vmpd_head *head,
                      uint32_t width, uint32_t height)
{
    WaylandConsole *wc = wayland_from_head(head);
    QemuUIInfo info;

    if (!wc || !width || !height || !dpy_ui_info_supported(wc->dcl.con)) {
        return;
    }
    info = *dpy_get_ui_info(wc->dcl.con);
    info.width = width;
    info.height = height;
    dpy_set_ui_info(wc->dcl.con, &info, true);
}

/*
 * A device keeps heads other than its first disconnected until the UI
 * reports a size for them, and Weston's desktop shell never puts a size
 * in a normal window's configure: report the window's size (the
 * console's current surface) once at start, so every head is connected.
 */
static void wayland_announce_head(WaylandConsole *wc)
{
    QemuConsole *con = wc->dcl.con;
    QemuUIInfo info;

    if (qemu_console_get_head(con) == 0 || !dpy_ui_info_supported(con) ||
        dpy_get_ui_info(con)->width) {
        return;
    }
    info = *dpy_get_ui_info(con);
    info.width = qemu_console_get_width(con, 640);
    info.height = qemu_console_get_height(con, 480);
    dpy_set_ui_info(con, &info, false);
}

static void wayland_grab(void *data, struct vmpd_head *head, bool grabbed)
{
    WaylandConsole *wc = wayland_from_head(head);
    g_autofree char *title = NULL;

    if (!wc) {
        return;
    }
    if (grabbed) {
        title = g_strdup_printf("%s - pointer grabbed (Ctrl+Alt+G releases)",
                                wc->title);
    }
    vmpd_head_set_title(head, grabbed ? title : wc->title);
}

static void wayland_focus(void *data, struct vmpd_head *head, bool in)
{
    WaylandConsole *wc = wayland_from_head(head);

    if (wc && !in) {
        qkbd_state_lift_all_keys(wc->kbd);
    }
}

static void wayland_key(void *data, struct vmpd_head *head, uint32_t evdev,
                   bool pressed)
{
    WaylandConsole *wc = wayland_from_head(head);
    int qcode = 0;

    if (!wc) {
        return;
    }
    if (evdev < qemu_input_map_linux_to_qcode_len) {
        qcode = qemu_input_map_linux_to_qcode[evdev];
    }
    trace_wayland_key(wc->index, evdev, qcode, pressed);
    if (qcode) {
        qkbd_state_key_event(wc->kbd, qcode, pressed);
    }
}

static void wayland_pointer_abs(void *data, struct vmpd_head *head, uint32_t x,
                           uint32_t y, uint32_t width, uint32_t height)
{
    WaylandConsole *wc = wayland_from_head(head);

    if (!wc || !width || !height) {
        return;
    }
    trace_wayland_pointer_abs(wc->index, x, y);
    qemu_input_queue_abs(wc->dcl.con, INPUT_AXIS_X, x, 0, width);
    qemu_input_queue_abs(wc->dcl.con, INPUT_AXIS_Y, y, 0, height);
    qemu_input_event_sync();
}

static void wayland_pointer_rel(void *data, struct vmpd_head *head,
                           double dx, double dy)
{
    WaylandConsole *wc = wayland_from_head(head);

    if (!wc) {
        return;
    }
    qemu_input_queue_rel(wc->dcl.con, INPUT_AXIS_X, (int)lround(dx));
    qemu_input_queue_rel(wc->dcl.con, INPUT_AXIS_Y, (int)lround(dy));
    qemu_input_event_sync();
}

/* Linux BTN_LEFT (0x110) and the four after it, in QEMU's terms. */
static const InputButton wl_buttons[] = {
    INPUT_BUTTON_LEFT, INPUT_BUTTON_RIGHT, INPUT_BUTTON_MIDDLE,
    INPUT_BUTTON_SIDE, INPUT_BUTTON_EXTRA,
};

static void wayland_button(void *data, struct vmpd_head *head, uint32_t button,
                      bool pressed)
{
    WaylandConsole *wc = wayland_from_head(head);
    uint32_t i = button - 0x110;

    if (!wc || button < 0x110 || i >= ARRAY_SIZE(wl_buttons)) {
        return;
    }
    trace_wayland_button(wc->index, button, pressed);
    qemu_input_queue_btn(wc->dcl.con, wl_buttons[i], pressed);
    qemu_input_event_sync();
}

static void wayland_axis(void *data, struct vmpd_head *head, enum vmpd_axis axis,
                    double clicks)
{
    WaylandConsole *wc = wayland_from_head(head);
    bool vertical = axis == VMPD_AXIS_VERTICAL;
    double *acc;
    InputButton btn;

    if (!wc) {
        return;
    }
    /* Touchpads scroll in fractions: a wheel event per whole click. */
    acc = &wc->scroll[!vertical];
    *acc += clicks;
    while (*acc >= 1 || *acc <= -1) {
        if (vertical) {
            btn = *acc > 0 ? INPUT_BUTTON_WHEEL_DOWN : INPUT_BUTTON_WHEEL_UP;
        } else {
            btn = *acc > 0 ? INPUT_BUTTON_WHEEL_RIGHT : INPUT_BUTTON_WHEEL_LEFT;
        }
        *acc -= *acc > 0 ? 1 : -1;
        qemu_input_queue_btn(wc->dcl.con, btn, true);
        qemu_input_event_sync();
        qemu_input_queue_btn(wc->dcl.con, btn, false);
        qemu_input_event_sync();
    }
}

static void wayland_gpu_reset(void *data, bool recovered)
{
    WaylandUI *ui = data;

    info_report("wayland: the compositor %s a GPU reset",
                recovered ? "recovered from" : "reported");
    if (recovered && ui->gl) {
        /* Its imports of our exports may be gone: hand every frame over again. */
        vmpd_gl_resubmit(ui->gl);
    }
}

static void wayland_disconnected(void *data, const char *reason)
{
    WaylandUI *ui = data;
    int i;

    if (ui->gone) {
        return;
    }
    ui->gone = true;
    trace_wayland_disconnected(reason ? reason : "");
    /* The core watches the socket; its fd stays ours to poll. */
    error_report("wayland: lost the connection to the compositor (%s); "
                 "the guest keeps running without a display until a "
                 "compositor comes back on the same socket",
                 reason ? reason : "no reason given");
    for (i = 0; i < ui->n_consoles; i++) {
        wayland_release_blocks(&ui->consoles[i]);
    }
}

static void wayland_reconnected(void *data)
{
    WaylandUI *ui = data;
    const char *socket = getenv("WAYLAND_DISPLAY") ?: "";

    ui->gone = false;
    trace_wayland_connected(socket, vmpd_display_dmabuf_version(ui->display));
    info_report("wayland: reconnected to the compositor at '%s'; %d "
                "window%s restored", socket, ui->n_consoles,
                ui->n_consoles == 1 ? "" : "s");
}

/* The core's messages; its info and debug lines stay quiet. */
static void wayland_log(void *data, enum vmpd_log_level level, const char *fmt,
                   va_list args)
{
    g_autofree char *msg = NULL;

    if (level != VMPD_LOG_ERROR && level != VMPD_LOG_WARNING) {
        return;
    }
    msg = g_strdup_vprintf(fmt, args);
    if (level == VMPD_LOG_ERROR) {
        error_report("%s", msg);
    } else {
        warn_report("%s", msg);
    }
}

/*
 * Clipboard. The guest's side is any other peer of QEMU's clipboard
 * (qemu-vdagent); only text and only the CLIPBOARD selection go across.
 * Infos we publish always carry their text, so nobody has to ask us.
 */

/* The compositor's selection changed: it becomes the guest's clipboard. */
static void wayland_clipboard_host(void *data, const char *text, size_t len)
{
    WaylandUI *ui = data;
    QemuClipboardInfo *info;

    /* Only called with clipboard=on: the core watches nothing otherwise. */
    trace_wayland_clipboard("host to guest", len);
    info = qemu_clipboard_info_new(&ui->cbpeer,
                                   QEMU_CLIPBOARD_SELECTION_CLIPBOARD);
    qemu_clipboard_set_data(&ui->cbpeer, info, QEMU_CLIPBOARD_TYPE_TEXT,
                            len, text, true);
    qemu_clipboard_info_unref(info);
}

static void wayland_clipboard_notify(Notifier *notifier, void *data)
{
    WaylandUI *ui = container_of(notifier, WaylandUI, cbpeer.notifier);
    QemuClipboardNotify *notify = data;
    QemuClipboardInfo *info;
    size_t len;

    if (notify->type != QEMU_CLIPBOARD_UPDATE_INFO) {
        return;
    }
    info = notify->info;
    /* Our own update coming back, or a selection Wayland has no twin of. */
    if (info->owner == &ui->cbpeer ||
        info->selection != QEMU_CLIPBOARD_SELECTION_CLIPBOARD) {
        return;
    }
    if (!info->types[QEMU_CLIPBOARD_TYPE_TEXT].available) {
        /* The guest released its clipboard: withdraw only what it gave. */
        if (vmpd_display_clipboard_offered(ui->display)) {
            trace_wayland_clipboard("guest released", 0);
            vmpd_display_set_clipboard(ui->display, NULL, 0);
        }
        return;
    }
    if (!info->types[QEMU_CLIPBOARD_TYPE_TEXT].data) {
        /* The grab comes first; the text follows as another update. */
        qemu_clipboard_request(info, QEMU_CLIPBOARD_TYPE_TEXT);
        return;
    }
    len = info->types[QEMU_CLIPBOARD_TYPE_TEXT].size;
    /* Agents may count a terminating NUL; Wayland text has none. */
    while (len && ((const char *)
                   info->types[QEMU_CLIPBOARD_TYPE_TEXT].data)[len - 1] == 0) {
        len--;
    }
    trace_wayland_clipboard("guest to host", len);
    vmpd_display_set_clipboard(ui->display,
                               info->types[QEMU_CLIPBOARD_TYPE_TEXT].data, len);
}

static void wayland_clipboard_request(QemuClipboardInfo *info,
                                      QemuClipboardType type)
{
    /* Never called: every info of ours already holds its text. */
}

static void wayland_clipboard_init(WaylandUI *ui)
{
    ui->cbpeer.name = "wayland";
    ui->cbpeer.notifier.notify = wayland_clipboard_notify;
    ui->cbpeer.request = wayland_clipboard_request;
    qemu_clipboard_peer_register(&ui->cbpeer);
}

static const struct vmpd_callbacks wl_callbacks = {
    .block = wayland_block,
    .close = wayland_close,
    .resize = wayland_resize,
    .focus = wayland_focus,
    .key = wayland_key,
    .pointer_abs = wayland_pointer_abs,
    .pointer_rel = wayland_pointer_rel,
    .button = wayland_button,
    .axis = wayland_axis,
    .grab = wayland_grab,
    .gpu_reset = wayland_gpu_reset,
    .disconnected = wayland_disconnected,
    .reconnected = wayland_reconnected,
    .clipboard = wayland_clipboard_host,
};

static void wayland_dispatch(void *opaque)
{
    WaylandUI *ui = opaque;

    /* False while disconnected: the core reports the loss itself. */
    vmpd_display_dispatch(ui->display);
}

/* 2D path */

static uint32_t wayland_drm_format(pixman_format_code_t format)
{
    switch (format) {
    case PIXMAN_x8r8g8b8:
        return DRM_FORMAT_XRGB8888;
    case PIXMAN_a8r8g8b8:
        return DRM_FORMAT_ARGB8888;
    case PIXMAN_x8b8g8r8:
        return DRM_FORMAT_XBGR8888;
    case PIXMAN_a8b8g8r8:
        return DRM_FORMAT_ABGR8888;
    default:
        return 0;
    }
}

/*
 * A head other than a device's first has its window only while the guest
 * drives that output: QEMU's "output not active" surface unmaps it, the
 * next real surface or scanout maps it again. The first head always keeps
 * its window. Returns true when the window is (now) unmapped.
 */
static bool wayland_follow_output(WaylandConsole *wc, bool active)
{
    if (active) {
        wc->had_output = true;
        vmpd_head_set_mapped(wc->head, true);
        return false;
    }
    if (!wc->had_output || qemu_console_get_head(wc->dcl.con) == 0) {
        return false;
    }
    /* The core must let go of the old surface's pixels, QEMU frees them. */
    vmpd_head_disable(wc->head);
    vmpd_head_set_mapped(wc->head, false);
    return true;
}

static void wayland_gfx_switch(DisplayChangeListener *dcl,
                          DisplaySurface *surface)
{
    WaylandConsole *wc = container_of(dcl, WaylandConsole, dcl);
    pixman_image_t *image;
    uint32_t fourcc;
    enum vmpd_status st;

    wc->surface = surface;
    wc->dmabuf = NULL;
    if (wc->texture) {
        wc->texture = false;
        vmpd_gl_scanout_release(wc->ui->gl, wc->head);
    }
    if (wc->shadow) {
        pixman_image_unref(wc->shadow);
        wc->shadow = NULL;
    }
    /* Also while disconnected: the core keeps it for the next compositor. */
    if (!surface) {
        return;
    }
    trace_wayland_gfx_switch(wc->index, surface_width(surface),
                             surface_height(surface), surface_format(surface));
    if (wayland_follow_output(wc, !vmpq_is_placeholder(surface))) {
        return;
    }

    image = surface->image;
    fourcc = wayland_drm_format(surface_format(surface));
    if (!fourcc) {
        /* e.g. 16-bit VGA modes: convert the damage into a 32-bit copy */
        wc->shadow = pixman_image_create_bits(PIXMAN_x8r8g8b8,
                                              surface_width(surface),
                                              surface_height(surface),
                                              NULL, 0);
        pixman_image_composite(PIXMAN_OP_SRC, surface->image, NULL,
                               wc->shadow, 0, 0, 0, 0, 0, 0,
                               surface_width(surface),
                               surface_height(surface));
        image = wc->shadow;
        fourcc = DRM_FORMAT_XRGB8888;
    }
    st = vmpd_head_set_surface(wc->head, pixman_image_get_width(image),
                               pixman_image_get_height(image),
                               pixman_image_get_stride(image), fourcc,
                               pixman_image_get_data(image));
    if (st != VMPD_OK) {
        error_report("wayland: console %d: cannot show a %dx%d surface: %s",
                     wc->index, surface_width(surface),
                     surface_height(surface), vmpd_status_str(st));
        return;
    }
    vmpd_head_update(wc->head, NULL, -1);
}

static void wayland_gfx_update(DisplayChangeListener *dcl,
                          int x, int y, int w, int h)
{
    WaylandConsole *wc = container_of(dcl, WaylandConsole, dcl);
    struct vmpd_rect damage;

    if (!wc->surface || wc->dmabuf || wc->texture || w <= 0 || h <= 0) {
        return;
    }
    trace_wayland_gfx_update(wc->index, x, y, w, h);
    /* Kept current while disconnected too: a reconnect shows it. */
    if (wc->shadow) {
        pixman_image_composite(PIXMAN_OP_SRC, wc->surface->image, NULL,
                               wc->shadow, x, y, 0, 0, x, y, w, h);
    }
    /* Disconnected, the core counts it as dropped and returns at once. */
    damage = (struct vmpd_rect){ x, y, w, h };
    vmpd_head_update(wc->head, &damage, -1);
}

static bool wayland_gfx_check_format(DisplayChangeListener *dcl,
                                pixman_format_code_t format)
{
    return wayland_drm_format(format) != 0;
}

static void wayland_gl_check(WaylandUI *ui);

static void wayland_refresh(DisplayChangeListener *dcl)
{
    WaylandConsole *wc = container_of(dcl, WaylandConsole, dcl);

    graphic_hw_update(dcl->con);
    /* Also catches resets while the guest does not flush. */
    wayland_gl_check(wc->ui);
}

/* Cursor */

static void wayland_cursor_define(DisplayChangeListener *dcl, QEMUCursor *cursor)
{
    WaylandConsole *wc = container_of(dcl, WaylandConsole, dcl);
    uint32_t *argb;
    int i, n;

    if (!cursor || cursor->width <= 0 || cursor->height <= 0) {
        return;
    }
    trace_wayland_cursor_define(wc->index, cursor->width,
                                cursor->height, cursor->hot_x, cursor->hot_y);
    /* QEMU cursors are straight alpha; the core wants premultiplied. */
    n = cursor->width * cursor->height;
    argb = g_new(uint32_t, n);
    for (i = 0; i < n; i++) {
        uint32_t p = cursor->data[i], a = p >> 24;
        uint32_t r = ((p >> 16) & 0xff) * a / 255;
        uint32_t g = ((p >> 8) & 0xff) * a / 255;
        uint32_t b = (p & 0xff) * a / 255;

        argb[i] = a << 24 | r << 16 | g << 8 | b;
    }
    vmpd_head_set_cursor(wc->head, argb, cursor->width, cursor->height,
                         cursor->hot_x, cursor->hot_y);
    g_free(argb);
}

static void wayland_mouse_set(DisplayChangeListener *dcl, int x, int y,
                         vmpq_mouse_on_t on)
{
    WaylandConsole *wc = container_of(dcl, WaylandConsole, dcl);

    trace_wayland_mouse_set(wc->index, x, y, on);
    vmpd_head_move_cursor(wc->head, x, y, on);
}

/* dma-buf path */

static void wayland_print_console_stats(WaylandUI *ui, int i,
                                        const char *when);

static void wayland_scanout_dmabuf(DisplayChangeListener *dcl, QemuDmaBuf *dmabuf)
{
    WaylandConsole *wc = container_of(dcl, WaylandConsole, dcl);
    struct vmpd_dmabuf desc;
    enum vmpd_status st;

    wayland_follow_output(wc, true);
    vmpq_describe_dmabuf(dmabuf, &desc);
    trace_wayland_scanout_dmabuf(wc->index, desc.fd[0], desc.width,
                                 desc.height, desc.stride[0], desc.fourcc,
                                 desc.modifier, desc.y0_top);
    trace_wayland_scanout_rect(wc->index, desc.src.x, desc.src.y,
                               desc.src.width, desc.src.height);
    if (!wc->dmabuf && wc->ui->stats) {
        /* What came before the guest's dma-bufs, to tell the two apart. */
        wayland_print_console_stats(wc->ui, wc->index,
                                    ", first dma-buf scanout");
    }
    wc->dmabuf = dmabuf;
    if (wc->texture) {
        wc->texture = false;
        vmpd_gl_scanout_release(wc->ui->gl, wc->head);
    }
    /*
     * Import now (or reuse a cached import): the fd may not outlive us.
     * The core falls back to copies itself; a failure means no way at all.
     */
    st = vmpd_head_set_dmabuf(wc->head, &desc);
    if (st == VMPD_OK) {
        return;
    }
    trace_wayland_scanout_failed(wc->index, vmpd_status_str(st));
    error_report("wayland: console %d: cannot show the guest's dma-buf (%s)",
                 wc->index, vmpd_status_str(st));
    vmpd_head_disable(wc->head);
}

static void wayland_release_dmabuf(DisplayChangeListener *dcl, QemuDmaBuf *dmabuf)
{
    WaylandConsole *wc = container_of(dcl, WaylandConsole, dcl);

    trace_wayland_release_dmabuf(wc->index);
    if (wc->dmabuf == dmabuf) {
        wc->dmabuf = NULL;
    }
}

static void wayland_scanout_disable(DisplayChangeListener *dcl)
{
    WaylandConsole *wc = container_of(dcl, WaylandConsole, dcl);

    trace_wayland_scanout_disable(wc->index);
    wc->dmabuf = NULL;
    if (wc->texture) {
        wc->texture = false;
        vmpd_gl_scanout_release(wc->ui->gl, wc->head);
    }
    vmpd_head_disable(wc->head);
}

static void wayland_scanout_texture(DisplayChangeListener *dcl, uint32_t id,
                               bool y0_top, uint32_t backing_width,
                               uint32_t backing_height, uint32_t x,
                               uint32_t y, uint32_t w, uint32_t h
                               VMPQ_SCANOUT_TEXTURE_D3D_ARG)
{
    WaylandConsole *wc = container_of(dcl, WaylandConsole, dcl);
    struct vmpd_rect rect = { x, y, w, h };
    struct vmpd_stats st;
    enum vmpd_status status;
    uint64_t exports;

    if (!wc->ui->gl) {
        wayland_scanout_disable(dcl);
        return;
    }
    trace_wayland_gl_scanout_texture(wc->index, id, y0_top, backing_width,
                                     backing_height, x, y, w, h);
    wayland_follow_output(wc, true);
    wc->dmabuf = NULL;
    vmpd_head_get_stats(wc->head, &st);
    exports = st.texture_exports;
    status = vmpd_gl_scanout_texture(wc->ui->gl, wc->head, id, y0_top,
                                     backing_width, backing_height, &rect);
    if (status != VMPD_OK) {
        trace_wayland_scanout_failed(wc->index, vmpd_status_str(status));
        error_report("wayland: console %d: cannot show texture %u (%s)",
                     wc->index, id, vmpd_status_str(status));
        wayland_scanout_disable(dcl);
        return;
    }
    wc->texture = true;
    vmpd_head_get_stats(wc->head, &st);
    trace_wayland_gl_export(wc->index, id, st.texture_exports > exports ?
                            "exported" : st.fallback ? "core fallback" :
                            "read back or cached");
}

static void wayland_gl_update(DisplayChangeListener *dcl,
                         uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    WaylandConsole *wc = container_of(dcl, WaylandConsole, dcl);
    struct vmpd_rect damage = { x, y, w, h };
    enum vmpd_status st;

    if (wc->texture) {
        trace_wayland_gl_update(wc->index, x, y, w, h);
        /* The core holds the guest through wayland_block(), as in 2D. */
        st = vmpd_gl_scanout_update(wc->ui->gl, wc->head, &damage);
        if (st != VMPD_OK) {
            trace_wayland_scanout_failed(wc->index, vmpd_status_str(st));
        }
        wayland_gl_check(wc->ui);
        return;
    }
    if (!wc->dmabuf) {
        return;
    }
    trace_wayland_gl_update(wc->index, x, y, w, h);
    /* In dma-buf mode the core holds the guest through wayland_block(). */
    vmpd_head_update(wc->head, &damage, -1);
}

static bool wayland_has_dmabuf(DisplayChangeListener *dcl)
{
    return true;
}

static const DisplayChangeListenerOps wl_ops = {
    .dpy_name = "wayland",
    .dpy_refresh = wayland_refresh,
    .dpy_gfx_update = wayland_gfx_update,
    .dpy_gfx_switch = wayland_gfx_switch,
    .dpy_gfx_check_format = wayland_gfx_check_format,
    .dpy_mouse_set = wayland_mouse_set,
    .dpy_cursor_define = wayland_cursor_define,
    .dpy_gl_scanout_disable = wayland_scanout_disable,
    .dpy_gl_scanout_texture = wayland_scanout_texture,
    .dpy_has_dmabuf = wayland_has_dmabuf,
    .dpy_gl_scanout_dmabuf = wayland_scanout_dmabuf,
    .dpy_gl_release_dmabuf = wayland_release_dmabuf,
    .dpy_gl_update = wayland_gl_update,
};

/*
 * A GL context object makes virtio-gpu hand blob scanouts over as
 * dma-bufs; nothing is ever rendered with it.
 */
static bool wayland_is_compatible_dcl(DisplayGLCtx *ctx, DisplayChangeListener *dcl)
{
    return dcl->ops == &wl_ops || !dcl->ops->dpy_gl_update;
}

static QEMUGLContext wayland_ctx_create(DisplayGLCtx *ctx, QEMUGLParams *params)
{
    WaylandConsole *wc = container_of(ctx, WaylandConsole, glctx);
    struct vmpd_gl *gl = wc->ui->gl;
    struct vmpd_gl_context *c;

    if (!gl) {
        return NULL;
    }
    /*
     * gl=core: virglrenderer asks for desktop versions from the newest
     * down; the share group has the one the driver made, so newer ones
     * are refused and the next ask gets it. ES ignores the version.
     */
    if (vmpd_gl_is_desktop(gl) &&
        params->major_ver * 10 + params->minor_ver >
        vmpd_gl_version(gl) * 10 + vmpd_gl_version_minor(gl)) {
        return NULL;
    }
    /* Shared with the display's own context, robust where the driver is. */
    c = vmpd_gl_context_create(gl);
    trace_wayland_gl_ctx_create(c && vmpd_gl_is_robust(gl), vmpd_gl_version(gl),
                                vmpd_gl_version_minor(gl), 1);
    return (QEMUGLContext)c;
}

static void wayland_ctx_destroy(DisplayGLCtx *ctx, QEMUGLContext gl)
{
    vmpd_gl_context_destroy((struct vmpd_gl_context *)gl);
}

static int wayland_ctx_make_current(DisplayGLCtx *ctx, QEMUGLContext gl)
{
    WaylandConsole *wc = container_of(ctx, WaylandConsole, glctx);
    WaylandUI *ui = wc->ui;

    if (!ui->gl) {
        return -1;
    }
    if (!vmpd_gl_make_current(ui->gl, (struct vmpd_gl_context *)gl)) {
        /* A lost context: look at the reset status soon. */
        qemu_bh_schedule(ui->gl_recover_bh);
        return -1;
    }
    return 0;
}

static const DisplayGLCtxOps wl_ctx_ops = {
    .dpy_gl_ctx_is_compatible_dcl = wayland_is_compatible_dcl,
    .dpy_gl_ctx_create = wayland_ctx_create,
    .dpy_gl_ctx_destroy = wayland_ctx_destroy,
    .dpy_gl_ctx_make_current = wayland_ctx_make_current,
};

/* GPU resets (gl=on) */

static void wayland_gl_recover_bh(void *opaque)
{
    WaylandUI *ui = opaque;
    const char *status;
    int64_t start;
    bool ok;
    int i;

    if (!ui->gl || !vmpd_gl_check_reset(ui->gl, &status)) {
        return;
    }
    trace_wayland_gl_reset_detected("display contexts", status);
    warn_report("wayland: GPU reset detected on the display's OpenGL "
                "contexts (%s): re-creating them", status);
    start = g_get_monotonic_time();
    ok = vmpd_gl_recover(ui->gl);
    trace_wayland_gl_recovered(ok, g_get_monotonic_time() - start);
    if (!ok) {
        /* The next refresh tries again; the guest keeps running. */
        error_report("wayland: the OpenGL contexts did not come back yet");
        return;
    }
    info_report("wayland: recovered from GPU reset %" PRIu64 " in %" PRId64
                " us (%u live GL objects)", vmpd_gl_recoveries(ui->gl),
                g_get_monotonic_time() - start,
                vmpd_gl_live_objects(ui->gl));
    for (i = 0; i < ui->n_consoles; i++) {
        WaylandConsole *wc = &ui->consoles[i];

        if (!wc->texture && !wc->dmabuf && wc->surface) {
            vmpd_head_update(wc->head, NULL, -1);
        }
    }
    /*
     * The device's textures lived in the lost contexts: virtio-gpu-gl
     * re-creates its 2D resources (the Linux console) from guest memory
     * and sets its scanouts again. Once per device: its first head. It
     * goes first: it keeps the dead names from reuse before anything,
     * ours included, is made in the new share group.
     */
    for (i = 0; i < ui->n_consoles; i++) {
        if (qemu_console_get_head(ui->consoles[i].dcl.con) == 0) {
            graphic_hw_gl_restore(ui->consoles[i].dcl.con);
        }
    }
    vmpd_gl_resubmit(ui->gl);
}

/* After each flush and refresh: cheap, the reset query of one context. */
static void wayland_gl_check(WaylandUI *ui)
{
    if (ui->gl && !ui->gone && vmpd_gl_check_reset(ui->gl, NULL)) {
        qemu_bh_schedule(ui->gl_recover_bh);
    }
}

/* VMPLANE_QEMU_FAULT set: SIGUSR2 destroys the display's real contexts. */
static gboolean wayland_gl_fault_signal(gpointer opaque)
{
    WaylandUI *ui = opaque;
    const char *kind = ui->fault_innocent ? "innocent" : "guilty";

    trace_wayland_gl_fault(kind);
    if (vmpd_gl_inject_reset(ui->gl, !ui->fault_innocent)) {
        warn_report("wayland: injected a %s GPU reset into the display's "
                    "OpenGL contexts (VMPLANE_QEMU_FAULT)", kind);
        /*
         * Detected by the same check as a real one, but now rather than
         * on the next refresh: until recovery virglrenderer cannot create
         * fences and drops them (QEMU 7.2 ignores the error), and a guest
         * client waiting for one hangs.
         */
        wayland_gl_recover_bh(ui);
    }
    if (ui->fault_alternate) {
        ui->fault_innocent = !ui->fault_innocent;
    }
    return G_SOURCE_CONTINUE;
}

static void wayland_gl_init(WaylandUI *ui, DisplayOptions *opts,
                            const char *rendernode)
{
    const char *fault = getenv("VMPLANE_QEMU_FAULT");
    struct vmpd_gl_config cfg = {
        .render_node = rendernode,
        .disable_export = getenv("VMPLANE_QEMU_NO_EXPORT") != NULL,
        .fault_injection = fault && *fault && strcmp(fault, "0") != 0,
        /* gl=core: desktop OpenGL for virglrenderer; gl=on and gl=es: ES. */
        .desktop_gl = opts->gl == VMPQ_GL_MODE_CORE,
        .log = { wayland_log, NULL },
    };

    ui->gl = vmpd_gl_create(ui->display, &cfg);
    if (!ui->gl) {
        if (cfg.desktop_gl) {
            error_report("wayland: gl=core needs a usable EGL display with "
                         "a desktop OpenGL core context, and there is none");
        } else {
            error_report("wayland: gl=on needs a usable EGL display with an "
                         "OpenGL ES context, and there is none");
        }
        exit(1);
    }
    trace_wayland_gl_init(vmpd_gl_platform(ui->gl), vmpd_gl_device(ui->gl),
                          vmpd_gl_is_robust(ui->gl));
    if (cfg.desktop_gl) {
        info_report("wayland: gl=core: desktop OpenGL %d.%d core-profile "
                    "contexts%s", vmpd_gl_version(ui->gl),
                    vmpd_gl_version_minor(ui->gl),
                    vmpd_gl_is_robust(ui->gl) ? ", robust" : "");
    }
    ui->gl_recover_bh = qemu_bh_new(wayland_gl_recover_bh, ui);
    if (cfg.fault_injection) {
        ui->fault_innocent = !strcmp(fault, "innocent");
        ui->fault_alternate = strcmp(fault, "innocent") &&
                              strcmp(fault, "guilty");
        g_unix_signal_add(SIGUSR2, wayland_gl_fault_signal, ui);
        warn_report("wayland: VMPLANE_QEMU_FAULT is set: SIGUSR2 injects a "
                    "GPU reset (debugging only)");
    }
}

/* One line of a console's display counters; `when` follows its number. */
static void wayland_print_console_stats(WaylandUI *ui, int i, const char *when)
{
    struct vmpd_stats st;

    vmpd_head_get_stats(ui->consoles[i].head, &st);
    fprintf(stderr, "wayland stats: console %d%s: %" PRIu64 " frames "
            "submitted, %" PRIu64 " presented, %" PRIu64 " on a plane "
            "(zero-copy), %" PRIu64 " copies (%" PRIu64 " bytes), %"
            PRIu64 " dma-buf imports, %" PRIu64 " cache hits, %" PRIu64
            " watchdog releases, %" PRIu64 " texture exports, %" PRIu64
            " texture read-backs (fallback copies), %" PRIu64
            " GPU reset recoveries, %u live GL objects, %" PRIu64
            " frames dropped while disconnected, %" PRIu64 " reconnects, %"
            PRIu64 " fenced releases\n", i, when,
            st.frames_submitted, st.frames_presented, st.frames_zero_copy,
            st.copies, st.bytes_copied, st.dmabuf_imports,
            st.dmabuf_cache_hits, st.watchdog_releases, st.texture_exports,
            st.texture_readbacks, ui->gl ? vmpd_gl_recoveries(ui->gl) : 0,
            ui->gl ? vmpd_gl_live_objects(ui->gl) : 0,
            st.frames_dropped_disconnected, st.reconnects,
            st.fenced_releases);
}

/* $VMPLANE_STATS: one line of display counters per console at exit. */
static void wayland_print_stats(Notifier *notifier, void *data)
{
    WaylandUI *ui = container_of(notifier, WaylandUI, exit_notifier);
    int i;

    for (i = 0; i < ui->n_consoles; i++) {
        wayland_print_console_stats(ui, i, "");
    }
}

/* Start-up */

static bool wayland_check_environment(Error **errp)
{
    const char *name = getenv("WAYLAND_DISPLAY");

    if (getenv("WAYLAND_SOCKET")) {
        return true;
    }
    if (!name || !*name) {
        error_setg(errp, "WAYLAND_DISPLAY is not set: -display wayland needs "
                   "a running Wayland compositor");
        return false;
    }
    return true;
}

/*
 * Knobs for tests and benchmarks: $VMPLANE_QEMU_NO_DMABUF shows dma-buf
 * scanouts through the core's CPU copy, as on a compositor without
 * linux-dmabuf; $VMPLANE_QEMU_WATCHDOG_MS sets how long the guest may stay
 * held for one frame (the core caps it at 1000 ms).
 */
static void wayland_env_config(struct vmpd_display_config *cfg)
{
    const char *watchdog = getenv("VMPLANE_QEMU_WATCHDOG_MS");
    unsigned int ms;

    cfg->disable_dmabuf = getenv("VMPLANE_QEMU_NO_DMABUF") != NULL;
    if (watchdog) {
        if (qemu_strtoui(watchdog, NULL, 10, &ms) < 0 || ms == 0) {
            error_report("wayland: VMPLANE_QEMU_WATCHDOG_MS='%s' is not a "
                         "positive number of milliseconds", watchdog);
            exit(1);
        }
        cfg->watchdog_ms = ms;
    }
}

static const char *wayland_decorations_str(enum vmpd_decorations who)
{
    switch (who) {
    case VMPD_DECORATIONS_SERVER:
        return "the compositor";
    case VMPD_DECORATIONS_LIBDECOR:
        return "libdecor";
    case VMPD_DECORATIONS_BORDER:
        return "a border only";
    default:
        return "nobody (decorations=off)";
    }
}

static void wayland_display_init(DisplayState *ds, DisplayOptions *opts)
{
    DisplayWayland *wopts = &opts->u.wayland;
    const char *app_id = VMPQ_OPT_STR(wopts, app_id);
    const char *rendernode = VMPQ_OPT_STR(wopts, rendernode);
    /* A compositor restart is survived: the core reconnects on the same socket. */
    struct vmpd_display_config cfg = { .log = { wayland_log, NULL },
                                       .reconnect = true };
    bool fullscreen;
    Error *err = NULL;
    WaylandUI *ui;
    int n, i;

    if (!wayland_check_environment(&err)) {
        error_report_err(err);
        exit(1);
    }
    if (rendernode && access(rendernode, R_OK | W_OK) != 0) {
        error_report("wayland: render node %s: %s", rendernode,
                     strerror(errno));
        exit(1);
    }
    wayland_env_config(&cfg);
    fullscreen = (opts->has_full_screen && opts->full_screen) ||
                 (wopts->has_fullscreen && wopts->fullscreen);
    cfg.no_decorations = wopts->has_decorations && !wopts->decorations;
    cfg.no_clipboard = wopts->has_clipboard && !wopts->clipboard;

    ui = g_new0(WaylandUI, 1);
    ui->window_close = !opts->has_window_close || opts->window_close;
    ui->display = vmpd_display_create(&cfg, &wl_callbacks, ui);
    if (!ui->display) {
        error_report("wayland: cannot use the compositor at '%s' "
                     "(not running, or it lacks xdg_wm_base or wl_shm)",
                     getenv("WAYLAND_DISPLAY") ?: "WAYLAND_SOCKET");
        exit(1);
    }
    trace_wayland_connected(getenv("WAYLAND_DISPLAY") ?: "",
                            vmpd_display_dmabuf_version(ui->display));
    trace_wayland_decorations(
        wayland_decorations_str(vmpd_display_decorations(ui->display)));
    if (opts->has_gl && opts->gl != VMPQ_GL_MODE_OFF) {
        wayland_gl_init(ui, opts, rendernode);
    }

    for (n = 0;; n++) {
        QemuConsole *con = qemu_console_lookup_by_index(n);

        if (!con || !qemu_console_is_graphic(con)) {
            break;
        }
    }
    ui->n_consoles = n;
    ui->consoles = g_new0(WaylandConsole, n);
    for (i = 0; i < n; i++) {
        WaylandConsole *wc = &ui->consoles[i];
        struct vmpd_head_config hc = { 0 };

        if (n > 1) {
            wc->title = g_strdup_printf("%s - %d", qemu_name ?: "QEMU", i);
        } else {
            wc->title = g_strdup(qemu_name ?: "QEMU");
        }
        hc.title = wc->title;
        hc.app_id = app_id ?: "qemu";
        hc.fullscreen = fullscreen;
        wc->ui = ui;
        wc->index = i;
        wc->head = vmpd_head_create(ui->display, &hc);
        if (!wc->head) {
            error_report("wayland: cannot create a window for console %d", i);
            exit(1);
        }
        vmpd_head_set_user_data(wc->head, wc);
        wc->dcl.con = qemu_console_lookup_by_index(i);
        wc->dcl.ops = &wl_ops;
        wc->kbd = qkbd_state_init(wc->dcl.con);
        wc->glctx.ops = &wl_ctx_ops;
        qemu_console_set_display_gl_ctx(wc->dcl.con, &wc->glctx);
        register_displaychangelistener(&wc->dcl);
        wayland_announce_head(wc);
    }

    /* clipboard=on: QEMU's clipboard (qemu-vdagent) <-> the compositor's. */
    if (!cfg.no_clipboard) {
        wayland_clipboard_init(ui);
    }
    ui->fd = vmpd_display_get_fd(ui->display);
    qemu_set_fd_handler(ui->fd, wayland_dispatch, NULL, ui);
    ui->stats = getenv("VMPLANE_STATS") != NULL;
    if (ui->stats) {
        ui->exit_notifier.notify = wayland_print_stats;
        qemu_add_exit_notifier(&ui->exit_notifier);
    }
}

/* Before the devices: virtio-vga-gl realizes only with OpenGL on. */
static void wayland_early_init(DisplayOptions *opts)
{
    if (opts->has_gl && opts->gl != VMPQ_GL_MODE_OFF) {
        display_opengl = 1;
    }
}

static QemuDisplay qemu_display_wayland = {
    .type = DISPLAY_TYPE_WAYLAND,
    .early_init = wayland_early_init,
    .init = wayland_display_init,
};

static void register_wayland(void)
{
    qemu_display_register(&qemu_display_wayland);
}

type_init(register_wayland);
