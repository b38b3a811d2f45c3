#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""GPU reset soak with real clients: Weston headless on our renderer built
without the injector, reset-shim.so preloaded below it, and
weston-terminal, weston-simple-egl, weston-flower and the patched QEMU
(-display wayland, tests/guest's 512-byte guest) attached. Every reset
comes from the driver's own answers, armed through the shim's FIFO:
guilty, innocent and unknown reset statuses, a failed eglSwapBuffers and
GL_CONTEXT_LOST from glGetError, in turn.

Printed, after the warm-up (RESET_SOAK_WARM_UP resets, default 50) and at
the end: Weston's open fds, the GL objects the renderer's registry rebuilt
in the last recovery (vmplane-debug counters), its heap (mallinfo2, read
inside Weston by the shim) and VmRSS, the clients still running, and how
many pixels outside the animated areas differ from a screenshot taken
before the first reset (animated areas: 16x16 tiles that changed between
screenshots taken before any reset). It fails on a crash, a lost client,
a reset that ends in safe mode or is never recovered, and a screenshot
that differs outside the animated areas; it asserts no time.

Environment: RESET_SOAK_COUNT (resets, default 1000), VMPLANE_RENDERER
(the nofault gl-renderer.so), VMPLANE_MODULE, VMPLANE_SHIM,
VMPLANE_DEBUG_TOOL, VMPLANE_BUILD_QEMU or VMPLANE_QEMU, VMPLANE_GUEST_IMG,
VMPLANE_SEABIOS_DIR, XDG_RUNTIME_DIR; RESET_SOAK_KEEP=<dir> keeps the
logs and screenshots there. Exit 77 where a part is missing.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib

# The e2e tests' helpers: the patched QEMU is found the same way.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "qemu_e2e"))
from e2e_common import find_qemu  # noqa: E402

SKIP = 77
TILE = 16
# Each reset arms one of these in turn (the shim's control lines).
FAULTS = [
    ("status 2 guilty", "status"),
    ("status 1 innocent", "status"),
    ("status 2 unknown", "status"),
    ("swap 1", "swap"),
    ("gl-error 1", "gl-error"),
]
# A reset that never recovers is a failure, not a slow one: this only
# stops the run from hanging until meson's timeout.
STALL_S = 300


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def skip(msg):
    print(f"SKIP: {msg}", flush=True)
    sys.exit(SKIP)


def wait_until(pred, limit_s, what):
    end = time.monotonic() + limit_s
    while not pred():
        if time.monotonic() > end:
            fail(f"stalled: {what} (nothing for {limit_s} s)")
        time.sleep(0.01)


def read_png(path):
    """Width, height and packed RGB rows of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path} is not a PNG")
    pos, idat, w, h, bpp = 8, [], 0, 0, 0
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            if body[8] != 8 or body[9] not in (2, 6) or body[12] != 0:
                fail(f"{path}: unexpected PNG layout")
            bpp = 3 if body[9] == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    raw, stride = zlib.decompress(b"".join(idat)), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        start = y * (stride + 1)
        ftype, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xff
        elif ftype == 2:
            line = bytearray((a + b) & 0xff for a, b in zip(line, prev))
        elif ftype == 3:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + (a + prev[i]) // 2) & 0xff
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xff
        prev = line
        if bpp == 4:
            del line[3::4]
        rows.append(bytes(line))
    return w, h, rows


class Shot:
    def __init__(self, w, h, rows):
        self.w, self.h, self.rows = w, h, rows

    def tile(self, tx, ty):
        x0 = tx * TILE * 3
        return b"".join(r[x0:x0 + TILE * 3] for r in self.rows[ty * TILE:(ty + 1) * TILE])

    def tiles(self):
        return [(tx, ty) for ty in range((self.h + TILE - 1) // TILE)
                for tx in range((self.w + TILE - 1) // TILE)]

    def differing_pixels(self, other, skip_tiles):
        """Pixels that differ outside skip_tiles, and the first one."""
        n, first = 0, None
        for tx, ty in self.tiles():
            if (tx, ty) in skip_tiles:
                continue
            for y in range(ty * TILE, min((ty + 1) * TILE, self.h)):
                a = self.rows[y][tx * TILE * 3:(tx + 1) * TILE * 3]
                b = other.rows[y][tx * TILE * 3:(tx + 1) * TILE * 3]
                if a == b:
                    continue
                for x in range(len(a) // 3):
                    if a[x * 3:x * 3 + 3] != b[x * 3:x * 3 + 3]:
                        n += 1
                        first = first or (tx * TILE + x, y)
        return n, first


def animated_boxes(changed):
    """The bounding boxes (in tiles, one tile of margin) of the clusters
    of changed tiles, clusters joined across gaps of up to two tiles."""
    left, boxes = set(changed), set()
    while left:
        todo, cluster = [left.pop()], []
        while todo:
            tx, ty = todo.pop()
            cluster.append((tx, ty))
            near = {(tx + dx, ty + dy) for dx in range(-3, 4) for dy in range(-3, 4)} & left
            left -= near
            todo.extend(near)
        xs, ys = [t[0] for t in cluster], [t[1] for t in cluster]
        boxes |= {(x, y) for x in range(min(xs) - 1, max(xs) + 2)
                  for y in range(min(ys) - 1, max(ys) + 2)}
    return boxes


class Soak:
    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = {}
        self.socket = f"vmplane-soak-{os.getpid()}"
        self.fifo = os.path.join(tmp, "shim.fifo")
        self.shots = 0
        os.mkfifo(self.fifo)
        self.fifo_fd = None

    def client_env(self):
        # Weston's clients read the compositor's weston.ini from here.
        env = dict(os.environ, WAYLAND_DISPLAY=self.socket, GALLIUM_DRIVER="llvmpipe",
                   WESTON_CONFIG_FILE=os.path.join(self.tmp, "weston.ini"))
        for k in ("LD_PRELOAD", "VMPLANE_RESET_SHIM_FIFO", "WESTON_MODULE_MAP"):
            env.pop(k, None)
        return env

    def start_weston(self, renderer, module, shim):
        ini = os.path.join(self.tmp, "weston.ini")
        with open(ini, "w") as f:
            f.write("[core]\nidle-time=0\nrequire-input=false\n\n"
                    "[shell]\npanel-position=none\nstartup-animation=none\n"
                    "animation=none\nclose-animation=none\nbackground-color=0xff204080\n\n"
                    # A small terminal covers less of the others.
                    "[terminal]\nfont-size=7\n")
        env = dict(os.environ, WESTON_MODULE_MAP=f"gl-renderer.so={renderer}",
                   LD_PRELOAD=shim, VMPLANE_RESET_SHIM_FIFO=self.fifo,
                   GALLIUM_DRIVER="llvmpipe", LP_PERF="no_rast_linear",
                   VMPLANE_RESET_BUDGET="1000000")
        self.weston_log = os.path.join(self.tmp, "weston.log")
        self.procs["weston"] = subprocess.Popen(
            ["weston", "--backend=headless-backend.so", "--use-gl", "--width=1280",
             "--height=800", "-c", ini, f"--socket={self.socket}", "--debug",
             f"--modules={module}", "-l", "log,vmplane", f"--log={self.weston_log}"],
            env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.tmp, "weston.err"), "w"))
        sock = os.path.join(os.environ["XDG_RUNTIME_DIR"], self.socket)
        wait_until(lambda: os.path.exists(sock) or self.procs["weston"].poll() is not None,
                   60, "Weston's socket")
        if self.procs["weston"].poll() is not None:
            fail(f"weston exited at start-up, see {self.weston_log}")
        # Written only from here on: the shim's reader holds it open.
        self.fifo_fd = os.open(self.fifo, os.O_RDWR)

    def start(self, name, argv):
        self.procs[name] = subprocess.Popen(
            argv, env=self.client_env(), cwd=self.tmp, stdin=subprocess.DEVNULL,
            stdout=open(os.path.join(self.tmp, f"{name}.log"), "w"), stderr=subprocess.STDOUT)

    def alive(self):
        return {name: p.poll() is None for name, p in self.procs.items()}

    def shim(self, line):
        os.write(self.fifo_fd, (line + "\n").encode())

    def shim_report(self):
        path = os.path.join(self.tmp, "shim.report")
        if os.path.exists(path):
            os.unlink(path)
        self.shim(f"report {path}")
        wait_until(lambda: os.path.exists(path), 60, "the shim's report")
        out = {}
        with open(path) as f:
            for line in f:
                words = line.split()
                out[words[0]] = dict(w.split("=") for w in words[1:])
        return out

    def debug_tool(self, tool, *args):
        r = subprocess.run([tool, *args], env=self.client_env(), capture_output=True,
                           text=True, timeout=120)
        if r.returncode != 0:
            fail(f"vmplane-debug {' '.join(args)}: {r.stderr.strip()}")
        return dict(line.split(None, 1) for line in r.stdout.splitlines() if line.strip())

    def screenshot(self):
        self.shots += 1
        d = os.path.join(self.tmp, f"shot{self.shots}")
        os.mkdir(d)
        r = subprocess.run(["weston-screenshooter"], env=self.client_env(), cwd=d,
                           capture_output=True, text=True, timeout=120)
        files = [f for f in os.listdir(d) if f.endswith(".png")]
        if r.returncode != 0 or len(files) != 1:
            fail(f"weston-screenshooter: status {r.returncode}, {len(files)} files: {r.stderr.strip()}")
        return Shot(*read_png(os.path.join(d, files[0])))

    def weston_fds(self):
        return len(os.listdir(f"/proc/{self.procs['weston'].pid}/fd"))

    def weston_rss_kb(self):
        with open(f"/proc/{self.procs['weston'].pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return -1

    def stop(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.terminate()
        for p in self.procs.values():
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if self.fifo_fd is not None:
            os.close(self.fifo_fd)


def main():
    count = int(os.environ.get("RESET_SOAK_COUNT", "1000"))
    warm = int(os.environ.get("RESET_SOAK_WARM_UP", "50"))
    if count < 1:
        fail(f"RESET_SOAK_COUNT must be at least 1 (got {count})")
    warm = max(1, min(warm, count // 2 or 1))
    parts = {k: os.environ.get(k, "") for k in
             ("VMPLANE_RENDERER", "VMPLANE_MODULE", "VMPLANE_SHIM", "VMPLANE_DEBUG_TOOL",
              "VMPLANE_GUEST_IMG")}
    for k, v in parts.items():
        if not os.path.exists(v):
            skip(f"{k} is missing ({v or 'unset'})")
    clients = ["weston", "weston-terminal", "weston-simple-egl", "weston-flower",
               "weston-screenshooter"]
    for c in clients:
        if not shutil.which(c):
            skip(f"{c} is not installed (Debian package weston)")
    qemu = find_qemu()
    if not qemu:
        skip("the patched QEMU is not built (run scripts/build-qemu)")
    tool = parts["VMPLANE_DEBUG_TOOL"]

    with tempfile.TemporaryDirectory(prefix="vmplane-soak-") as tmp:
        s = Soak(tmp)
        try:
            run(s, qemu, tool, parts, count, warm)
        finally:
            s.stop()
            keep = os.environ.get("RESET_SOAK_KEEP")
            if keep:
                shutil.copytree(tmp, keep, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("*.fifo"))
                print(f"logs and screenshots kept in {keep}")


def measure(s, tool, label):
    counters = s.debug_tool(tool, "counters")
    report = s.shim_report()
    m = {
        "fds": s.weston_fds(),
        "gl_objects": int(counters["last_rebuilt"]),
        "heap": int(report["heap"]["in_use"]),
        "rss_kb": s.weston_rss_kb(),
        "resets": int(counters["resets"]),
        "recoveries": int(counters["recoveries"]),
        "safe_mode": int(counters["safe_mode"]),
    }
    print(f"{label}: resets {m['resets']}, recoveries {m['recoveries']}, "
          f"weston fds {m['fds']}, GL objects {m['gl_objects']}, "
          f"heap {m['heap']} B, VmRSS {m['rss_kb']} kB", flush=True)
    return m


def run(s, qemu, tool, parts, count, warm):
    seabios = os.environ.get("VMPLANE_SEABIOS_DIR", "/usr/share/seabios")
    s.start_weston(parts["VMPLANE_RENDERER"], parts["VMPLANE_MODULE"], parts["VMPLANE_SHIM"])
    watch_path = os.path.join(s.tmp, "watch.log")
    s.procs["vmplane-debug watch"] = subprocess.Popen(
        [tool, "watch"], env=s.client_env(), stdout=open(watch_path, "w"),
        stderr=subprocess.STDOUT)
    s.start("weston-terminal", ["weston-terminal", "--shell=/bin/sh"])
    s.start("weston-flower", ["weston-flower"])
    s.start("weston-simple-egl", ["weston-simple-egl"])
    s.start("qemu", [qemu, "-nodefaults", "-no-user-config", "-machine", "pc", "-accel", "tcg",
                     "-m", "32", "-L", seabios, "-device", "virtio-vga",
                     "-drive", f"file={parts['VMPLANE_GUEST_IMG']},format=raw,if=ide,snapshot=on",
                     "-display", "wayland"])

    # The animated areas: tiles that change between screenshots taken
    # before any reset, each cluster of them filled to its bounding box
    # (a sampled rotation leaves gaps) with one tile of margin.
    time.sleep(5)
    ref = s.screenshot()
    changed = set()
    for _ in range(10):
        time.sleep(0.3)
        shot = s.screenshot()
        changed |= {t for t in ref.tiles() if ref.tile(*t) != shot.tile(*t)}
    animated = animated_boxes(changed)
    background = bytes([0x20, 0x40, 0x80]) * TILE * TILE
    content = [t for t in ref.tiles() if t not in animated and ref.tile(*t) != background]
    print(f"screen {ref.w}x{ref.h}: {len(animated)} of {len(ref.tiles())} "
          f"{TILE}x{TILE} tiles animated, {len(content)} still tiles show clients", flush=True)
    gone = [n for n, a in s.alive().items() if not a]
    if gone:
        fail(f"not running before the first reset: {', '.join(gone)}")

    fired_before = {kind: int(v["fired"]) for kind, v in s.shim_report().items() if kind != "heap"}
    start = time.monotonic()
    warm_m = None
    for i in range(1, count + 1):
        line, kind = FAULTS[(i - 1) % len(FAULTS)]
        s.shim(line)

        def recovered():
            with open(watch_path) as f:
                text = f.read()
            if "degraded" in text:
                fail(f"reset {i} ({line}) ended in safe mode")
            return sum(1 for ln in text.splitlines() if ln.startswith("recovered ")) >= i
        wait_until(recovered, STALL_S, f"reset {i} ({line}) recovered")
        pending = s.shim_report()
        left = {k: v["pending"] for k, v in pending.items() if k != "heap" and v["pending"] != "0"}
        if left:
            fail(f"reset {i} ({line}): the shim still has armed calls {left}")
        alive = s.alive()
        if not all(alive.values()):
            fail(f"after reset {i}: lost {', '.join(n for n, a in alive.items() if not a)}")
        if i == warm:
            warm_m = measure(s, tool, f"after warm-up ({i} resets)")
            n, first = ref.differing_pixels(s.screenshot(), animated)
            print(f"after warm-up: {n} pixels differ outside animated tiles"
                  + (f" (first at {first[0]},{first[1]})" if first else ""), flush=True)
            if n:
                fail("the screen changed outside the animated areas")
        elif i % max(1, count // 10) == 0:
            print(f"{i} resets, {time.monotonic() - start:.0f} s", flush=True)

    end_m = measure(s, tool, f"at the end ({count} resets)")
    shot = s.screenshot()
    n, first = ref.differing_pixels(shot, animated)
    fired_after = {kind: int(v["fired"]) for kind, v in s.shim_report().items() if kind != "heap"}
    print("shim answers: " + ", ".join(f"{k} {fired_after[k] - fired_before[k]}" for k in fired_after))
    print(f"growth after warm-up: fds {end_m['fds'] - warm_m['fds']:+d}, "
          f"GL objects {end_m['gl_objects'] - warm_m['gl_objects']:+d}, "
          f"heap {end_m['heap'] - warm_m['heap']:+d} B, "
          f"VmRSS {end_m['rss_kb'] - warm_m['rss_kb']:+d} kB "
          f"over {count - warm} resets")
    alive = s.alive()
    print("clients alive: " + ", ".join(f"{n} {'yes' if a else 'NO'}" for n, a in alive.items()))
    print(f"at the end: {n} pixels differ outside animated tiles"
          + (f" (first at {first[0]},{first[1]})" if first else ""), flush=True)
    if end_m["recoveries"] < count or end_m["safe_mode"]:
        fail(f"{end_m['recoveries']} recoveries for {count} resets, safe mode {end_m['safe_mode']}")
    if not all(alive.values()):
        fail("a client or Weston was lost")
    if n:
        fail("the screen changed outside the animated areas")
    print(f"ok: {count} resets recovered, all clients alive")


if __name__ == "__main__":
    main()
