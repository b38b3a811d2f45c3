#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# End-to-end tests of the patched QEMU's -display wayland outside any harness.
"""The patched QEMU's -display wayland where no harness fits: start-up
errors and a compositor that goes away. Weston is started as a plain
headless process; QEMU is watched through QMP and its stderr.

  standalone-test.py no-display       no WAYLAND_DISPLAY: clear error, exit 1
  standalone-test.py no-xdg-shell     compositor without xdg_wm_base: clear error
  standalone-test.py compositor-gone  Weston killed: QEMU keeps running, says
                                      so, and the guest still takes keys
  standalone-test.py gl-no-egl        gl=on where EGL has no driver at all:
                                      clear error, exit 1 at start-up
  standalone-test.py gl-bad-rendernode
                                      gl=on,rendernode= a missing file, then
                                      /dev/null: clear error, exit 1 each
  standalone-test.py udmabuf-manual   the README's blob=true command (skips
                                      without /dev/udmabuf, /dev/kvm and a kernel)
  standalone-test.py readme-commands  every `"$QEMU" ...` line of the READMEs, as
                                      written, runs the guest for a few seconds
  standalone-test.py guest-screenshot the guest's pattern in a screenshot that
                                      weston-screenshooter takes of a headless
                                      Weston (for Westons without our harness)
  standalone-test.py compositor-restart
                                      Weston (our GL renderer) stopped and a
                                      new one started on the same socket, 5
                                      times: the guest runs on meanwhile, QEMU
                                      reconnects by itself, the screenshot
                                      shows the guest's latest frame, typed
                                      keys reach it, the counters survive
  standalone-test.py compositor-restart-decorated
                                      the same with libdecor's title bar: it
                                      is back, pixel for pixel, on each Weston
  standalone-test.py clipboard        the Linux guest's vdagent clipboard and a
                                      Wayland client's selection, both ways

Exit 77 (skip) when the patched QEMU is not built.
"""
import glob
import os
import re
import select
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

from e2e_common import Qmp, fail, find_qemu, wait_for_weston

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(SKIP)


def qemu_args(qemu, display, extra=(), device="virtio-vga"):
    seabios = os.environ.get("VMPLANE_SEABIOS_DIR", "/usr/share/seabios")
    img = os.environ["VMPLANE_GUEST_IMG"]
    return [qemu, "-nodefaults", "-no-user-config", "-machine", "pc", "-accel", "tcg",
            "-m", "32", "-L", seabios, "-device", device,
            "-drive", f"file={img},format=raw,if=ide,snapshot=on",
            "-display", display, *extra]


class Weston:
    """A headless Weston on its own socket, pixman renderer."""

    def __init__(self, tmp, shell, width=644, height=404, extra=()):
        self.socket = f"vmplane-e2e-{os.getpid()}"
        exe = shutil.which("weston")
        if not exe:
            skip("weston is not installed")
        self.log = open(os.path.join(tmp, "weston.log"), "w")
        self.proc = subprocess.Popen(
            [exe, "--backend=headless-backend.so", "--use-pixman", "--no-config",
             f"--socket={self.socket}", f"--shell={shell}",
             f"--width={width}", f"--height={height}", *extra],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_weston(self.proc, self.socket, self.log.name, 100)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P6", "screendump is not a binary PPM"
    w, h = int(parts[1]), int(parts[2])
    pixels = parts[4][-(w * h * 3):]
    return w, h, pixels


def c6_to_8(v):
    return (v << 2) | (v & 1) * 3


def read_png(path):
    """Width, height and packed RGB of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            depth, ctype, interlace = body[8], body[9], body[12]
            assert depth == 8 and ctype in (2, 6) and interlace == 0, "unexpected PNG layout"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    out, prev = bytearray(), bytearray(stride)
    for y in range(h):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xff
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xff
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xff
        prev = line
        for x in range(w):
            out += line[x * bpp:x * bpp + 3]
    return w, h, bytes(out)


# The boot screen of tests/guest (pattern.h), at guest pixel (x, y).
PAT_W, PAT_H = 320, 200


def guest_pixel(x, y):
    rgb6 = lambda r, g, b: bytes([c6_to_8(r), c6_to_8(g), c6_to_8(b)])
    if 128 <= x < 128 + 64 and 80 <= y < 80 + 40:
        return rgb6(0, 0, 0)  # the key box, black until a key
    if 8 <= x < 24 and 8 <= y < 24:
        return rgb6(63, 63, 0)  # the orientation mark
    if y < PAT_H // 2:
        return rgb6(63, 0, 0) if x < PAT_W // 2 else rgb6(0, 63, 0)
    return rgb6(0, 0, 63) if x < PAT_W // 2 else rgb6(63, 63, 63)


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.1)
    fail(f"timed out waiting for {what}")


def env_without_wayland():
    env = dict(os.environ)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("WAYLAND_SOCKET", None)
    return env


def test_no_display(qemu, tmp):
    r = subprocess.run(qemu_args(qemu, "wayland"), env=env_without_wayland(),
                       capture_output=True, text=True, timeout=30)
    print(r.stderr.strip())
    if r.returncode != 1:
        fail(f"exit status {r.returncode}, want 1")
    if "WAYLAND_DISPLAY is not set" not in r.stderr:
        fail("the error does not name WAYLAND_DISPLAY")


def test_no_xdg_shell(qemu, tmp):
    weston = Weston(tmp, "fullscreen-shell.so")
    try:
        env = env_without_wayland()
        env["WAYLAND_DISPLAY"] = weston.socket
        r = subprocess.run(qemu_args(qemu, "wayland"), env=env,
                           capture_output=True, text=True, timeout=60)
    finally:
        weston.kill()
    print(r.stderr.strip())
    if r.returncode != 1:
        fail(f"exit status {r.returncode}, want 1")
    if "xdg_wm_base" not in r.stderr:
        fail("the error does not name xdg_wm_base")


def test_compositor_gone(qemu, tmp):
    weston = Weston(tmp, "kiosk-shell.so")
    qmp_path = os.path.join(tmp, "qmp.sock")
    err_path = os.path.join(tmp, "qemu.err")
    env = env_without_wayland()
    env["WAYLAND_DISPLAY"] = weston.socket
    with open(err_path, "w") as err:
        proc = subprocess.Popen(
            qemu_args(qemu, "wayland", ["-qmp", f"unix:{qmp_path},server=on,wait=off",
                                        "-trace", "wayland_gfx_switch"]),
            env=env, stdout=err, stderr=subprocess.STDOUT)
    try:
        qmp = Qmp(qmp_path)
        # The guest is up once it has switched to mode 13h (a 640x400 surface).
        wait_for(lambda: "640x400" in open(err_path).read(), 60, "the guest's video mode")
        weston.kill()
        time.sleep(2)
        if proc.poll() is not None:
            fail(f"QEMU exited ({proc.returncode}) when the compositor went away")
        log = open(err_path).read()
        print(log.strip())
        if "lost the connection to the compositor" not in log:
            fail("no message about the lost compositor")
        if qmp.cmd("query-status")["status"] != "running":
            fail("the guest is not running")
        # The guest still runs and QEMU still renders: a key repaints the key box.
        qmp.cmd("send-key", keys=[{"type": "qcode", "data": "a"}])
        shot = os.path.join(tmp, "shot.ppm")
        want = bytes([c6_to_8(30), c6_to_8(33), c6_to_8(32)])

        def key_box_painted():
            qmp.cmd("screendump", filename=shot)
            w, h, px = read_ppm(shot)
            i = ((80 + 20) * 2 * w + (128 + 32) * 2) * 3
            return (w, h) == (640, 400) and px[i:i + 3] == want
        wait_for(key_box_painted, 20, "the guest to take a key after the compositor left")
        qmp.cmd("quit")
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        weston.kill()


class ControlledWeston:
    """Headless Weston with our GL renderer, the desktop shell, the
    screenshooter, and e2e-control.so, which types keys on a seat of its
    own; its command pipes are ours."""

    def __init__(self, tmp, socket_name, n):
        exe = shutil.which("weston")
        control = os.environ.get("VMPLANE_E2E_CONTROL")
        renderer = os.environ.get("VMPLANE_RENDERER")
        if not exe or not shutil.which("weston-screenshooter"):
            skip("weston and weston-screenshooter are needed")
        if not control or not renderer:
            skip("VMPLANE_E2E_CONTROL and VMPLANE_RENDERER are not set (meson sets them)")
        self.tmp, self.socket = tmp, socket_name
        self.path = os.path.join(os.environ["XDG_RUNTIME_DIR"], socket_name)
        cmd_r, self.cmd_w = os.pipe()
        self.rep_r, rep_w = os.pipe()
        env = dict(os.environ, VMPLANE_E2E_CTL_FDS=f"{cmd_r},{rep_w}",
                   WESTON_MODULE_MAP=f"gl-renderer.so={renderer}")
        self.log = open(os.path.join(tmp, f"weston-{n}.log"), "w")
        # No panel: it would cover part of a window placed at the top.
        config = os.path.join(tmp, "weston.ini")
        with open(config, "w") as f:
            # One background colour, so that a title bar's band can tell it apart.
            f.write("[shell]\npanel-position=none\nbackground-color=0xff002244\n")
        self.proc = subprocess.Popen(
            [exe, "--backend=headless-backend.so", "--use-gl", f"--config={config}",
             f"--socket={socket_name}", "--width=1024", "--height=768", "--debug",
             f"--modules={control}"],
            env=env, pass_fds=(cmd_r, rep_w), stdout=self.log, stderr=subprocess.STDOUT)
        os.close(cmd_r)
        os.close(rep_w)
        # The socket file may be the last Weston's: wait until one listens.
        end = time.monotonic() + 30
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                fail(f"weston exited early, see {self.log.name}")
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(self.path)
                return
            except OSError:
                time.sleep(0.05)
        fail("weston does not listen on its socket")

    def ctl(self, op, value=0):
        os.write(self.cmd_w, struct.pack("=c3xi", op.encode(), value))
        if not select.select([self.rep_r], [], [], 10)[0]:
            fail(f"e2e-control did not answer '{op}'")
        got, answer = struct.unpack("=c3xi", os.read(self.rep_r, 8))
        if got != op.encode():
            fail(f"e2e-control answered '{got}' to '{op}'")
        return answer

    def screenshot(self):
        shots = tempfile.mkdtemp(dir=self.tmp)
        env = dict(os.environ, WAYLAND_DISPLAY=self.socket)
        r = subprocess.run(["weston-screenshooter"], cwd=shots, env=env, capture_output=True,
                           text=True, timeout=30)
        pngs = glob.glob(os.path.join(shots, "*.png"))
        if r.returncode != 0 or len(pngs) != 1:
            fail(f"weston-screenshooter: status {r.returncode}, {len(pngs)} files: "
                 f"{r.stderr.strip()}")
        shot = read_png(pngs[0])
        # The latest one is kept for a failure's report.
        shutil.copy(pngs[0], os.path.join(self.tmp, "last-screenshot.png"))
        shutil.rmtree(shots)
        return shot

    def stop(self, sig):
        os.close(self.cmd_w)
        os.close(self.rep_r)
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.log.close()


def key_rgb(evdev):
    # For these keys the evdev code is the set-1 scan code (pattern.h).
    j = evdev & 0x3f
    return bytes([c6_to_8(j), c6_to_8(63 - j), c6_to_8(32)])


def guest_image(key):
    """The guest's 640x400 screen (every pattern.h pixel doubled), the key
    box painted for `key` (None: black)."""
    rows = []
    for y in range(2 * PAT_H):
        row = bytearray()
        for x in range(2 * PAT_W):
            gx, gy = x // 2, y // 2
            if key is not None and 128 <= gx < 192 and 80 <= gy < 120:
                row += key_rgb(key)
            else:
                row += guest_pixel(gx, gy)
        rows.append(bytes(row))
    return rows


def guest_origin(shot):
    """The guest image's top left in a screenshot, found by the orientation
    mark (yellow, guest 8,8); None when it is not wholly there."""
    w, h, px = shot
    gw, gh = 2 * PAT_W, 2 * PAT_H
    yellow = bytes([255, 255, 0])
    i = px.find(yellow)
    while i >= 0 and i % 3:
        i = px.find(yellow, i + 1)
    if i < 0:
        return None
    ox, oy = (i // 3) % w - 16, (i // 3) // w - 16
    if ox < 0 or oy < 0 or ox + gw > w or oy + gh > h:
        return None
    return ox, oy


TITLE_H = 24  # libdecor's title bar (cairo plugin) on Weston 10


def title_band(shot):
    """The rows of the title bar's height above the guest image, as wide as
    it: (rows, pixel counts by colour), or None without the image."""
    w, h, px = shot
    at = guest_origin(shot)
    if at is None or at[1] < TITLE_H:
        return None
    ox, oy = at
    rows = [px[((oy - TITLE_H + y) * w + ox) * 3:((oy - TITLE_H + y) * w + ox + 2 * PAT_W) * 3]
            for y in range(TITLE_H)]
    counts = {}
    for row in rows:
        for x in range(0, len(row), 3):
            counts[row[x:x + 3]] = counts.get(row[x:x + 3], 0) + 1
    return rows, counts


def check_title_bar(shot, desktop):
    """libdecor's bar above the content: no desktop shows through, one
    colour covers most of it and light text (the title) sits on it."""
    band = title_band(shot)
    if band is None:
        fail("no guest image with room for a title bar above it")
    rows, counts = band
    total = sum(counts.values())
    colour, most = max(counts.items(), key=lambda kv: kv[1])
    light = sum(n for c, n in counts.items() if min(c) >= 200)
    print(f"# title bar: {most} of {total} pixels {colour.hex()}, {light} light, "
          f"{counts.get(desktop, 0)} of the desktop's {desktop.hex()}")
    if counts.get(desktop, 0) or most * 2 <= total or light < 20 or min(colour) >= 200:
        fail("no title bar above the guest's image")
    return rows


def guest_mismatches(shot, rows):
    """Pixels of the guest's window in a screenshot that differ from rows;
    the window is found by the orientation mark (yellow, guest 8,8)."""
    w, h, px = shot
    gw, gh = 2 * PAT_W, 2 * PAT_H
    at = guest_origin(shot)
    if at is None:
        return gw * gh
    ox, oy = at
    bad = 0
    for y in range(gh):
        start = ((oy + y) * w + ox) * 3
        got = px[start:start + gw * 3]
        if got != rows[y]:
            bad += sum(1 for x in range(gw) if got[x * 3:x * 3 + 3] != rows[y][x * 3:x * 3 + 3])
    return bad


def test_compositor_restart(qemu, tmp, decorated=False):
    restarts = 5
    keys = [30, 31, 32, 33, 34, 35]  # a s d f g h, typed on Weston
    # z x c v b, sent through QMP while no compositor is there
    offline = [("z", 44), ("x", 45), ("c", 46), ("v", 47), ("b", 48)]
    socket_name = f"vmplane-restart-{os.getpid()}"
    qmp_path = os.path.join(tmp, "qmp.sock")
    err_path = os.path.join(tmp, "qemu.err")
    weston = ControlledWeston(tmp, socket_name, 0)
    env = env_without_wayland()
    env["WAYLAND_DISPLAY"] = socket_name
    env["VMPLANE_STATS"] = "1"
    with open(err_path, "w") as err:
        proc = subprocess.Popen(
            # decorated: libdecor's title bar, compared across the Westons;
            # else the screenshots compare the guest's frame alone.
            qemu_args(qemu, "wayland" if decorated else "wayland,decorations=off",
                      ["-qmp", f"unix:{qmp_path},server=on,wait=off",
                       "-trace", "wayland_gfx_switch",
                       "-trace", "wayland_connected"]),
            env=env, stdout=err, stderr=subprocess.STDOUT)
    best = [None]
    # The focused title bar on the first Weston: every later one must match it.
    first_bar = [None]

    def title_bar_back(n):
        if not decorated:
            return
        # Weston's desktop background where no window is (weston.ini above).
        desktop = bytes([0x00, 0x22, 0x44])
        rows = check_title_bar(weston.screenshot(), desktop)
        if first_bar[0] is None:
            first_bar[0] = rows
        elif rows != first_bar[0]:
            bad = sum(1 for a, b in zip(b"".join(rows), b"".join(first_bar[0])) if a != b)
            report()
            fail(f"the title bar on Weston {n} differs from the first one's ({bad} bytes)")

    def report():
        out = os.environ.get("WESTON_TEST_OUTPUT_PATH", tmp)
        last = os.path.join(tmp, "last-screenshot.png")
        if os.path.exists(last):
            shutil.copy(last, os.path.join(out, "qemu-compositor-restart-last.png"))
        print(f"fewest mismatching pixels: {best[0]}; last screenshot in {out}; QEMU said:\n"
              f"{open(err_path).read()}")

    def shown(rows):
        def check():
            bad = guest_mismatches(weston.screenshot(), rows)
            best[0] = bad if best[0] is None else min(best[0], bad)
            return bad == 0
        return check

    def type_key(key):
        # Focus first: a new Weston gives it to the new window, but say so.
        if weston.ctl("k") != 1:
            fail("no QEMU window on the new Weston to focus")
        if weston.ctl("y", key) != 1:
            fail("e2e-control has no seat to type on")
        best[0] = None
        try:
            wait_for(shown(guest_image(key)), 30, f"the guest's key box for key {key}")
        except SystemExit:
            report()
            raise

    try:
        qmp = Qmp(qmp_path)
        wait_for(lambda: "640x400" in open(err_path).read(), 60, "the guest's video mode")
        try:
            wait_for(shown(guest_image(None)), 60, "the guest's pattern on the first Weston")
        except SystemExit:
            report()
            raise
        type_key(keys[0])
        title_bar_back(0)
        for n in range(1, restarts + 1):
            # Killed like a crash, or asked to quit: both leave QEMU waiting.
            weston.stop(signal.SIGKILL if n % 2 else signal.SIGTERM)
            wait_for(lambda: open(err_path).read().count("lost the connection") == n, 20,
                     f"QEMU to notice that Weston {n - 1} went away")
            if proc.poll() is not None:
                fail(f"QEMU exited ({proc.returncode}) when the compositor went away")
            # The guest is never held meanwhile: it takes a key and repaints.
            qcode, code = offline[n - 1]
            qmp.cmd("send-key", keys=[{"type": "qcode", "data": qcode}])
            dump = os.path.join(tmp, "screendump.ppm")

            def repainted():
                qmp.cmd("screendump", filename=dump)
                w, h, px = read_ppm(dump)
                i = ((80 + 20) * 2 * w + (128 + 32) * 2) * 3
                return (w, h) == (640, 400) and px[i:i + 3] == key_rgb(code)
            wait_for(repainted, 20, "the guest to repaint while no compositor was there")
            t0 = time.monotonic()
            weston = ControlledWeston(tmp, socket_name, n)
            wait_for(lambda: open(err_path).read().count("reconnected to the compositor") == n,
                     20, f"QEMU to reconnect to Weston {n}")
            took = time.monotonic() - t0
            # The guest's latest frame, drawn while no one showed it: what
            # the new Weston shows, QEMU sent again by itself.
            best[0] = None
            try:
                wait_for(shown(guest_image(code)), 30,
                         f"the guest's screen on Weston {n}")
            except SystemExit:
                report()
                raise
            type_key(keys[n])
            title_bar_back(n)
            print(f"ok - restart {n}: reconnected {took * 1000:.0f} ms after Weston "
                  f"listened; the frame the guest drew offline (key {code}) exact, "
                  f"key {keys[n]} typed on Weston reached the guest")
        if qmp.cmd("query-status")["status"] != "running":
            fail("the guest is not running")
        qmp.cmd("quit")
        proc.wait(timeout=30)
        log = open(err_path).read()
        m = re.search(r"wayland stats: console 0: (\d+) frames submitted, (\d+) presented.*?"
                      r"(\d+) frames dropped while disconnected, (\d+) reconnects", log)
        if not m:
            print(log)
            fail("no VMPLANE_STATS line")
        submitted, presented, dropped, reconnects = map(int, m.groups())
        print(m.group(0))
        if reconnects != restarts:
            fail(f"{reconnects} reconnects counted, want {restarts}")
        if dropped == 0:
            fail("no frame counted as dropped while disconnected")
        # Counted by pacers that each went with their compositor.
        if presented < restarts + 1 or submitted < presented:
            fail(f"{presented} presented of {submitted} submitted: counters were lost")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if weston.proc.poll() is None:
            weston.proc.kill()
            weston.proc.wait()


def test_gl_no_egl(qemu, tmp):
    weston = Weston(tmp, "kiosk-shell.so")
    try:
        env = env_without_wayland()
        env["WAYLAND_DISPLAY"] = weston.socket
        # libglvnd with no vendor library: no EGL driver at all.
        env["__EGL_VENDOR_LIBRARY_FILENAMES"] = os.path.join(tmp, "no-such-vendor.json")
        r = subprocess.run(qemu_args(qemu, "wayland,gl=on", device="virtio-vga-gl"),
                           env=env, capture_output=True, text=True, timeout=60)
    finally:
        weston.kill()
    print(r.stderr.strip())
    if r.returncode != 1:
        fail(f"exit status {r.returncode}, want 1")
    if "gl=on needs a usable EGL display" not in r.stderr:
        fail("the error does not say that gl=on needs EGL")


def test_gl_bad_rendernode(qemu, tmp):
    """rendernode= is the user's choice: a missing file and a file that is
    no DRM device are each a clear error and exit 1, never llvmpipe."""
    weston = Weston(tmp, "kiosk-shell.so")
    try:
        env = env_without_wayland()
        env["WAYLAND_DISPLAY"] = weston.socket
        for node, want in (("/nonexistent/renderD128", "render node /nonexistent/renderD128: "
                            "No such file or directory"),
                           ("/dev/null", "/dev/null is not a DRM device")):
            r = subprocess.run(qemu_args(qemu, f"wayland,gl=on,rendernode={node}",
                                         device="virtio-vga-gl"),
                               env=env, capture_output=True, text=True, timeout=60)
            print(r.stderr.strip())
            if r.returncode != 1:
                fail(f"rendernode={node}: exit status {r.returncode}, want 1")
            if want not in r.stderr:
                fail(f"rendernode={node}: the error does not say '{want}'")
    finally:
        weston.kill()


def test_udmabuf_manual(qemu, tmp):
    # The README's zero-copy command needs what CI hosts lack.
    if not os.path.exists("/dev/udmabuf"):
        skip("no /dev/udmabuf on this host (modprobe udmabuf)")
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        skip("no usable /dev/kvm: a Linux guest under TCG is too slow")
    kernel = os.environ.get("VMPLANE_GUEST_KERNEL")
    if not kernel or not os.path.exists(kernel):
        skip("set VMPLANE_GUEST_KERNEL (and VMPLANE_GUEST_INITRD) to a Linux guest; "
             "see qemu_ui_wayland/qemu/README.md")
    skip("manual: run the README command on a desktop session and watch the stats")


def test_guest_screenshot(qemu, tmp):
    # The VGA console is 640x400 (mode 13h doubled); an output of that size
    # that kiosk-shell fills with the window shows it at scale 1, so every
    # pixel must match exactly. --debug lets weston-screenshooter capture.
    shooter = shutil.which("weston-screenshooter")
    if not shooter:
        skip("weston-screenshooter is not installed")
    weston = Weston(tmp, "kiosk-shell.so", 640, 400, extra=["--debug"])
    env = dict(os.environ, WAYLAND_DISPLAY=weston.socket)
    err_path = os.path.join(tmp, "qemu.err")
    proc = subprocess.Popen(qemu_args(qemu, "wayland"), env=env,
                            stdout=subprocess.DEVNULL, stderr=open(err_path, "w"))
    best = [None]

    def pattern_shown():
        for old in glob.glob(os.path.join(tmp, "wayland-screenshot*.png")):
            os.unlink(old)
        r = subprocess.run([shooter], cwd=tmp, env=env, capture_output=True, text=True, timeout=20)
        shots = glob.glob(os.path.join(tmp, "wayland-screenshot*.png"))
        if r.returncode != 0 or len(shots) != 1:
            fail(f"weston-screenshooter: status {r.returncode}, {len(shots)} files: {r.stderr.strip()}")
        w, h, px = read_png(shots[0])
        if (w, h) != (640, 400):
            fail(f"screenshot is {w}x{h}, want 640x400")
        bad = sum(1 for y in range(h) for x in range(w)
                  if px[(y * w + x) * 3:(y * w + x) * 3 + 3] != guest_pixel(x // 2, y // 2))
        best[0] = bad if best[0] is None else min(best[0], bad)
        return bad == 0
    try:
        try:
            wait_for(pattern_shown, 60, "the guest pattern on Weston's output")
        except SystemExit:
            print(f"fewest mismatching pixels: {best[0]}; QEMU said:\n{open(err_path).read()}")
            raise
        if proc.poll() is not None:
            fail(f"QEMU exited ({proc.returncode})")
        print("guest pattern on screen, all 640x400 pixels exact")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        weston.kill()


ROOT = os.path.dirname(os.path.dirname(HERE))
READMES = ["README.md", "qemu_ui_wayland/README.md", "qemu_ui_wayland/qemu/README.md"]
# The path the READMEs give for the guest image (ninja -C build ...).
README_GUEST = "build/tests/qemu_e2e/pattern.img"


def readme_commands():
    """(file, line number, command text) for every line starting with "$QEMU",
    its backslash continuations joined."""
    found = []
    for name in READMES:
        lines = open(os.path.join(ROOT, name)).read().splitlines()
        i = 0
        while i < len(lines):
            if lines[i].lstrip().startswith('"$QEMU"'):
                start, text = i + 1, lines[i].strip()
                while text.endswith("\\") and i + 1 < len(lines):
                    i += 1
                    text = text[:-1] + " " + lines[i].strip()
                found.append((name, start, text))
            i += 1
    return found


def test_readme_commands(qemu, tmp):
    commands = readme_commands()
    for name, line, text in commands:
        print(f"{name}:{line}: {text}")
    runnable = [c for c in commands if not re.search(r"<[^>]+>", c[2])]
    for name, line, _ in commands:
        if (name, line) not in [(n, l) for n, l, _ in runnable]:
            print(f"{name}:{line}: left out: <placeholders> for the user's own guest")
    # Both READMEs' commands must be found, or this test would prove nothing.
    if len(runnable) < 3 or {c[0] for c in runnable} != {"README.md", "qemu_ui_wayland/qemu/README.md"}:
        fail(f"expected runnable commands in README.md and qemu_ui_wayland/qemu/README.md, "
             f"found {len(runnable)}")
    weston = Weston(tmp, "desktop-shell.so", 1024, 768)
    try:
        for i, (name, line, text) in enumerate(runnable):
            args = shlex.split(text)
            if args[0] != "$QEMU":
                fail(f"{name}:{line}: does not start with \"$QEMU\"")
            # As written; only the binary, the guest's path and a QMP socket
            # (appended, to ask how the guest is doing) are the test's own.
            args[0] = qemu
            args = [a.replace(README_GUEST, os.environ["VMPLANE_GUEST_IMG"]) for a in args]
            qmp_path = os.path.join(tmp, f"qmp{i}.sock")
            err_path = os.path.join(tmp, f"qemu{i}.err")
            env = env_without_wayland()
            env["WAYLAND_DISPLAY"] = weston.socket
            with open(err_path, "w") as err:
                proc = subprocess.Popen(args + ["-qmp", f"unix:{qmp_path},server=on,wait=off"],
                                        cwd=ROOT, env=env, stdout=err, stderr=subprocess.STDOUT)
            try:
                qmp = Qmp(qmp_path)
                shot = os.path.join(tmp, f"shot{i}.ppm")

                def pattern_shown():
                    if proc.poll() is not None:
                        fail(f"{name}:{line}: QEMU exited ({proc.returncode}): "
                             f"{open(err_path).read().strip()}")
                    qmp.cmd("screendump", filename=shot)
                    w, h, px = read_ppm(shot)
                    return (w, h) == (640, 400) and all(
                        px[(y * w + x) * 3:(y * w + x) * 3 + 3] == guest_pixel(x // 2, y // 2)
                        for y in range(h) for x in range(w))
                wait_for(pattern_shown, 60, f"{name}:{line}: the guest's pattern")
                time.sleep(3)
                if proc.poll() is not None or qmp.cmd("query-status")["status"] != "running":
                    fail(f"{name}:{line}: the guest did not keep running")
                log = open(err_path).read()
                if log.strip():
                    fail(f"{name}:{line}: QEMU said: {log.strip()}")
                qmp.cmd("quit")
                proc.wait(timeout=20)
                print(f"{name}:{line}: ran, guest on screen, nothing on stderr")
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    finally:
        weston.kill()


def linux_guest():
    """Kernel and initrd of the Linux test guest, or a skip."""
    script = os.environ.get("VMPLANE_LINUX_GUEST")
    if not script:
        skip("VMPLANE_LINUX_GUEST is not set (meson sets it)")
    r = subprocess.run([script], capture_output=True, text=True)
    if r.returncode != 0:
        skip(f"the Linux guest cannot be built: {r.stderr.strip()[-300:]}")
    env = dict(line.split("=", 1) for line in open(r.stdout.strip()).read().splitlines()
               if "=" in line)
    return env["GUEST_KERNEL"], env["GUEST_INITRD"]


class ClipClient:
    """tests/qemu_e2e/clip-client.c on the given Weston; its lines read as they come."""

    def __init__(self, socket_name):
        exe = os.environ.get("VMPLANE_CLIP_CLIENT")
        if not exe:
            skip("VMPLANE_CLIP_CLIENT is not set (meson sets it)")
        self.proc = subprocess.Popen([exe], env=dict(os.environ, WAYLAND_DISPLAY=socket_name),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.fd = self.proc.stdout.fileno()
        os.set_blocking(self.fd, False)
        self.lines, self.partial = [], ""

    def read(self):
        try:
            chunk = os.read(self.fd, 65536).decode()
        except BlockingIOError:
            chunk = ""
        if chunk:
            self.partial += chunk
            *done, self.partial = self.partial.split("\n")
            self.lines += done
        return self.lines

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()


def test_clipboard(qemu, tmp):
    kernel, initrd = linux_guest()
    guest_text = f"vmplane-guest-clip-{os.getpid()}"
    host_text = f"vmplane host text {os.getpid()}: Grüße, ½ → ✓"
    socket_name = f"vmplane-clip-{os.getpid()}"
    serial = os.path.join(tmp, "serial.log")
    trace = os.path.join(tmp, "trace.log")
    err_path = os.path.join(tmp, "qemu.err")
    weston = ControlledWeston(tmp, socket_name, 0)
    env = env_without_wayland()
    env["WAYLAND_DISPLAY"] = socket_name
    cpu = "Haswell-v4,avx=off,avx2=off,fma=off,f16c=off"
    with open(err_path, "w") as err:
        proc = subprocess.Popen(
            [qemu, "-nodefaults", "-no-user-config", "-machine", "q35", "-accel", "tcg",
             "-cpu", cpu, "-smp", "2", "-m", "1G", "-device", "virtio-vga",
             "-display", "wayland,decorations=off,clipboard=on",
             "-chardev", "qemu-vdagent,id=vdagent,clipboard=on",
             "-device", "virtio-serial-pci",
             "-device", "virtserialport,chardev=vdagent,name=com.redhat.spice.0",
             "-serial", f"file:{serial}", "-monitor", "none", "-no-reboot",
             "-trace", "enable=wayland_clipboard", "-trace", "enable=vdagent_*",
             "-trace", "enable=wayland_gfx_switch",
             "-D", trace, "-kernel", kernel, "-initrd", initrd,
             # tsc=unstable: see KERNEL_ARGS in tests/guest/linux-guest-test.py.
             "-append", f"console=ttyS0 loglevel=4 tsc=unstable guest.frames=0 guest.clip={guest_text}"],
            env=env, stdout=err, stderr=subprocess.STDOUT)
    client = None

    def serial_has(what):
        return lambda: what in (open(serial, errors="replace").read()
                                if os.path.exists(serial) else "")

    def report():
        for name in (serial, trace, err_path):
            if os.path.exists(name):
                print(f"--- {os.path.basename(name)}:\n{open(name, errors='replace').read()[-3000:]}")
        if client:
            print(f"--- clip-client: {client.read()}")

    try:
        try:
            wait_for(lambda: weston.ctl("N") == 1, 60, "QEMU's window")
            # The console's mode is the last growth: the window has mapped anew
            # for it (placement.c) and taken the focus; after that it stays put.
            wait_for(serial_has("GUEST SHELL READY"), 120, "the guest's shell")
            time.sleep(3)
            # The guest's agent took the clipboard at start; QEMU fetched its text.
            wait_for(serial_has("GUEST CLIP READY"), 120, "the guest's clipboard agent")
            wait_for(serial_has("GUEST CLIP SERVED 1"), 30,
                     "QEMU to fetch the guest's clipboard text")
            wait_for(lambda: "guest to host" in open(trace, errors="replace").read(), 20,
                     "the guest's text to reach the display")
            # A click's focus gives QEMU the serial that set_selection needs.
            if weston.ctl("a", 0) != 1:
                fail("no QEMU window to activate")
            time.sleep(0.5)
            client = ClipClient(socket_name)
            wait_for(lambda: "MAPPED" in client.read(), 20, "the Wayland client's window")
            wait_for(lambda: weston.ctl("N") == 2, 20, "two windows")
            # Titles in order: "QEMU" (0), "vmplane-clip" (1). Focus brings the selection.
            if weston.ctl("a", 1) != 1:
                fail("no client window to activate")
            want = "PASTE " + guest_text.encode().hex()
            wait_for(lambda: want in client.read(), 20,
                     "the guest's text in the Wayland client's paste")
            print(f"ok - guest to host: the client pasted '{guest_text}'")

            # Host to guest: the client copies, QEMU gets focus and the selection.
            client.send(f"copy {host_text}")
            wait_for(lambda: "COPIED" in client.read(), 10, "the client's copy")
            # Focus leaves the client and enters QEMU: the selection follows it.
            if weston.ctl("a", 1) != 1 or weston.ctl("a", 0) != 1:
                fail("no windows to activate")
            want = "GUEST CLIP " + host_text.encode().hex()
            wait_for(serial_has(want), 30, "the client's text in the guest's clipboard")
            wait_for(lambda: any(l.startswith("SENT") for l in client.read()), 10,
                     "the client to have served QEMU")
            print(f"ok - host to guest: the guest read '{host_text}'")
            # No echo: the host's text reached the guest once, and the guest's own
            # text (which Weston's clipboard copies and offers back) never did.
            time.sleep(2)
            log = open(serial, errors="replace").read()
            if log.count(want) != 1:
                fail("the host's text reached the guest more than once")
            if "GUEST CLIP " + guest_text.encode().hex() in log:
                fail("the guest's own text came back to it")
        except SystemExit:
            report()
            raise
        if proc.poll() is not None:
            fail(f"QEMU exited ({proc.returncode})")
    finally:
        if client:
            client.proc.kill()
            client.proc.wait()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        weston.stop(signal.SIGTERM)


def main():
    cases = {"no-display": test_no_display, "no-xdg-shell": test_no_xdg_shell,
             "compositor-gone": test_compositor_gone, "gl-no-egl": test_gl_no_egl,
             "gl-bad-rendernode": test_gl_bad_rendernode,
             "udmabuf-manual": test_udmabuf_manual, "guest-screenshot": test_guest_screenshot,
             "compositor-restart": test_compositor_restart,
             "compositor-restart-decorated":
                 lambda qemu, tmp: test_compositor_restart(qemu, tmp, decorated=True),
             "readme-commands": test_readme_commands, "clipboard": test_clipboard}
    if len(sys.argv) != 2 or sys.argv[1] not in cases:
        print(__doc__)
        sys.exit(2)
    qemu = find_qemu()
    if not qemu:
        skip("the patched QEMU is not built (run scripts/build-qemu)")
    if not os.path.exists(os.environ.get("VMPLANE_GUEST_IMG", "")):
        skip("the test guest image is missing ($VMPLANE_GUEST_IMG)")
    with tempfile.TemporaryDirectory(prefix="vmplane-qemu-e2e-") as tmp:
        cases[sys.argv[1]](qemu, tmp)
    print("PASS")


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    main()
