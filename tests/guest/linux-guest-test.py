#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Linux 3D guest (tests/guest/build-linux-guest) on Debian's stock QEMU.

Boots Debian's kernel and the guest's initramfs under TCG with
-device virtio-vga-gl -display gtk,gl=on on a headless Weston, and checks:
  - the guest's GL renderer is virgl, and gl-pattern's quadrants and bar
    appear on Weston (weston-screenshooter, pixels checked);
  - the Linux console on virtio-vga-gl comes back, and a command typed
    through QEMU's keyboard runs (serial marker) and echoes on the console.
Stock QEMU 7.2's egl-headless needs a DRM render node, which machines
without a GPU lack, so GTK on Wayland is the display here.
Exit 77 (skip) with the reason when stock QEMU, Weston or the guest are
missing; timings go to stdout.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "qemu_e2e"))
from e2e_common import Qmp, fail, wait_for_weston  # noqa: E402

# Without AVX: QEMU 7.2's TCG AVX bug crashes llvmpipe (shared/research/kernel-rig.md).
CPU = "Haswell-v4,avx=off,avx2=off,fma=off,f16c=off"
# The guest kernel's command line before the guest.* options. tsc=unstable:
# with a stable TSC the kernel flips the sched_clock_stable static key during
# boot, and under MTTCG (-smp 2) the other vCPU can still run its stale int3
# from the patching, in the timer tick: "Fatal exception in interrupt" at
# sched_clock_cpu, seen twice in CI.
KERNEL_ARGS = "console=ttyS0 loglevel=4 tsc=unstable"
FRAMES = 100
HOLD_S = 20
RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)
MAGENTA = (255, 0, 255)


def skip(reason):
    print(f"1..0 # SKIP {reason}")
    sys.exit(SKIP)


def read_png(path):
    """8-bit RGB or RGBA PNG, as (width, height, rows of RGB tuples)."""
    data = open(path, "rb").read()
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            idat += chunk
    if depth != 8 or ctype not in (2, 6):
        fail(f"{path}: unsupported PNG (depth {depth}, colour type {ctype})")
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    prev, rows, k = bytearray(stride), [], 0
    for _ in range(h):
        ftype, row = raw[k], bytearray(raw[k + 1:k + 1 + stride])
        k += 1 + stride
        for x in range(stride):
            a = row[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                row[x] = (row[x] + a) & 255
            elif ftype == 2:
                row[x] = (row[x] + b) & 255
            elif ftype == 3:
                row[x] = (row[x] + (a + b) // 2) & 255
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                row[x] = (row[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(row[i:i + 3]) for i in range(0, stride, bpp)])
        prev = row
    return w, h, rows


class Weston:
    """Headless Weston (pixman, desktop shell) with the screenshooter on."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.socket = f"vmplane-guest-{os.getpid()}"
        self.log = open(os.path.join(tmp, "weston.log"), "w")
        self.proc = subprocess.Popen(
            ["weston", "--backend=headless-backend.so", "--use-pixman", "--no-config",
             f"--socket={self.socket}", "--width=1024", "--height=768", "--debug"],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_weston(self.proc, self.socket, self.log.name, 200)

    def screenshot(self, name):
        shots = os.path.join(self.tmp, name)
        os.makedirs(shots, exist_ok=True)
        env = dict(os.environ, WAYLAND_DISPLAY=self.socket)
        subprocess.run(["weston-screenshooter"], cwd=shots, env=env, check=True, timeout=30)
        pngs = [f for f in os.listdir(shots) if f.endswith(".png")]
        if len(pngs) != 1:
            fail(f"weston-screenshooter wrote {len(pngs)} files")
        return read_png(os.path.join(shots, pngs[0]))

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Keyboard(Qmp):
    """QMP that also types text through QEMU's keyboard."""

    def type(self, text):
        names = {" ": "spc", "\n": "ret"}
        for ch in text:
            self.cmd("send-key", keys=[{"type": "qcode", "data": names.get(ch, ch)}])
            time.sleep(0.05)


def stock_qemu():
    qemu = os.environ.get("VMPLANE_STOCK_QEMU", "/usr/bin/qemu-system-x86_64")
    if not os.access(qemu, os.X_OK):
        skip(f"no stock QEMU at {qemu} (apt-get install qemu-system-x86 qemu-system-gui)")
    devs = subprocess.run([qemu, "-device", "help"], capture_output=True, text=True).stdout
    disp = subprocess.run([qemu, "-display", "help"], capture_output=True, text=True).stdout
    if '"virtio-vga-gl"' not in devs:
        skip(f"{qemu} has no virtio-vga-gl")
    if not re.search(r"^gtk$", disp, re.M):
        skip(f"{qemu} has no GTK display (qemu-system-gui)")
    return qemu


def build_guest():
    r = subprocess.run([os.path.join(HERE, "build-linux-guest")], capture_output=True, text=True)
    if r.returncode != 0:
        skip("the Linux guest cannot be built: " + (r.stderr.strip().splitlines() or ["?"])[-1])
    env = {}
    for line in open(r.stdout.strip().splitlines()[-1]):
        k, _, v = line.strip().partition("=")
        env[k] = v.strip('"')
    return env


def find_pattern(rows):
    """The guest's top-left quadrant: the bounding box of pure red."""
    xs, ys = [], []
    for y in range(0, len(rows), 2):
        for x in range(0, len(rows[y]), 2):
            if rows[y][x] == RED:
                xs.append(x)
                ys.append(y)
    if len(xs) < 2000:
        return None
    return min(xs), min(ys), max(xs) + 1 - min(xs), max(ys) + 1 - min(ys)


def check_pattern(rows):
    box = find_pattern(rows)
    if not box:
        fail("no red quadrant on Weston's output: the guest's frame is not shown")
    x0, y0, qw, qh = box
    print(f"# pattern at ({x0},{y0}), quadrant {qw}x{qh}")
    probes = [((x0 + qw // 2, y0 + qh // 4), RED, "top-left"),
              ((x0 + qw * 3 // 2, y0 + qh // 4), GREEN, "top-right"),
              ((x0 + qw // 2, y0 + qh * 7 // 4), BLUE, "bottom-left"),
              ((x0 + qw * 3 // 2, y0 + qh * 7 // 4), WHITE, "bottom-right")]
    # The bar of the last frame: column (FRAMES - 1) % 16 of 16, mid-height.
    col = (FRAMES - 1) % 16
    probes.append(((x0 + (2 * col + 1) * qw // 16, y0 + qh), MAGENTA, "moving bar"))
    for (x, y), want, what in probes:
        got = rows[y][x]
        if got != want:
            fail(f"{what} at ({x},{y}) is {got}, want {want}")
    return x0, y0, 2 * qw, 2 * qh


def main():
    if not shutil.which("weston") or not shutil.which("weston-screenshooter"):
        skip("weston and weston-screenshooter are needed")
    if "XDG_RUNTIME_DIR" not in os.environ:
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="vmplane-xdg-")
    qemu = stock_qemu()
    guest = build_guest()
    tmp = tempfile.mkdtemp(prefix="vmplane-linux-guest-")
    print(f"# output in {tmp}")
    weston = Weston(tmp)
    serial = os.path.join(tmp, "serial.log")
    qmp_path = os.path.join(tmp, "qmp.sock")
    env = dict(os.environ, WAYLAND_DISPLAY=weston.socket, GDK_BACKEND="wayland")
    env.pop("DISPLAY", None)
    args = [qemu, "-nodefaults", "-no-user-config", "-machine", "q35", "-accel", "tcg",
            "-cpu", CPU, "-smp", "2", "-m", "1G", "-device", "virtio-vga-gl",
            "-display", "gtk,gl=on", "-serial", f"file:{serial}", "-monitor", "none",
            "-qmp", f"unix:{qmp_path},server=on,wait=off", "-no-reboot",
            "-kernel", guest["GUEST_KERNEL"], "-initrd", guest["GUEST_INITRD"],
            "-append", f"{KERNEL_ARGS} guest.frames={FRAMES} guest.hold={HOLD_S}"]
    print("# " + " ".join(args))
    start = time.monotonic()
    with open(os.path.join(tmp, "qemu.log"), "w") as log:
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    marks = {}

    def wait(marker, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            text = open(serial, errors="replace").read() if os.path.exists(serial) else ""
            for line in text.replace("\r", "").splitlines():
                if line.startswith(marker):
                    marks.setdefault(marker, time.monotonic() - start)
                    return line
                if line.startswith("GLPATTERN FAIL"):
                    fail(line)
            if proc.poll() is not None:
                fail(f"QEMU exited with {proc.returncode}, see {tmp}/qemu.log")
            time.sleep(0.2)
        fail(f"timed out waiting for '{marker}', see {serial}")

    try:
        qmp = Keyboard(qmp_path)
        ready = wait("GUEST READY", 240)
        renderer = wait("GLPATTERN RENDERER", 120)
        if "virgl" not in renderer:
            fail(f"the guest's renderer is not virgl: {renderer}")
        done = wait("GLPATTERN DONE", 120)
        wait("GLPATTERN HOLDING", 30)
        _, _, rows = weston.screenshot("pattern")
        win = check_pattern(rows)
        print(f"ok 1 - the guest's GLES pattern is on Weston ({renderer})")

        wait("GUEST SHELL READY", HOLD_S + 60)
        time.sleep(1)
        qmp.type("mark 42\n")
        wait("GUEST MARK 42", 30)
        _, _, rows = weston.screenshot("console")
        x0, y0, w, h = win
        # fbcon draws text in light grey on black; the pattern is gone.
        colours = {}
        for y in range(y0, y0 + h):
            for x in range(x0, x0 + w):
                colours[rows[y][x]] = colours.get(rows[y][x], 0) + 1
        black = colours.get((0, 0, 0), 0)
        text = sum(n for c, n in colours.items() if c != (0, 0, 0) and min(c) >= 128 and
                   max(c) - min(c) < 16)
        if colours.get(RED, 0) > 100 or black < w * h // 2 or text < 500:
            fail(f"the console is not shown: {black} black and {text} text pixels "
                 f"of {w * h}, {colours.get(RED, 0)} red")
        print(f"ok 2 - typed 'mark 42' ran in the guest; console shows {text} text pixels")
        if qmp.cmd("query-status")["status"] != "running":
            fail("the guest is not running")
    finally:
        proc.kill()
        proc.wait()
        weston.kill()
    uptime = re.search(r"uptime=([\d.]+)", ready).group(1)
    fps = re.search(r"fps ([\d.]+)", done).group(1)
    print(f"# boot to GUEST READY: {marks['GUEST READY']:.1f} s wall, {uptime} s guest uptime")
    print(f"# gl-pattern: {done.split(' ', 2)[2]} ({fps} fps)")
    print("1..2")


if __name__ == "__main__":
    main()
