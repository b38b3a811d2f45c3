#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Linux 3D guest on the patched QEMU with -display wayland,gl=MODE,
outside Weston's harness (so it runs on Weston 10 and, in the Debian 13
root, on Weston 14 with QEMU 10.0), with resets injected into QEMU's
OpenGL contexts and a per-reset leak check.

  linux-guest-gl-resets.py MODE RESETS [QUIET]

MODE is on, es or core (on and es: OpenGL ES 3 contexts for
virglrenderer; core: desktop OpenGL core contexts; seen in QEMU's
wayland_gl_ctx_create trace). Headless
Weston runs our gl-renderer.so ($VMPLANE_RENDERER) and is read through
weston-screenshooter. Checked:
  - the guest's GL renderer, read inside the guest, is virgl, and
    gl-pattern's quadrants and moving bar are on Weston, pixel by pixel;
  - with $VMPLANE_MODULE and $VMPLANE_DEBUG_TOOL (meson sets both): a reset
    injected into Weston's renderer reaches QEMU (vmplane_reset_notifier_v1
    "recovered", logged) and the guest's frame is right on Weston after it;
  - RESETS resets injected with SIGUSR2 (VMPLANE_QEMU_FAULT=1: guilty,
    innocent, ...) while a 3D client draws: each recovered, QEMU and the
    guest running, a new 3D client's frame on screen after each;
  - with QUIET: once the clients that drew through those resets exited
    (deleting their dead GL names), a line typed on the console shows;
  - then QUIET more resets (2 or more) with no 3D client, only the Linux
    console, so what each one costs is the reset's alone and not a new
    client's: after each, QEMU's open fds (/proc/PID/fd) and the display's
    live GL objects (its recovery line) must equal those after the first
    (the warm-up), and its RSS may grow by at most RSS_SLACK_KIB in all
    (allocator and driver caches settle; a leaked context or scanout costs
    far more);
  - after each of those, a line typed on the console ('mark N') runs and
    the console's text is on Weston again (its resource, made once at boot,
    re-created from guest memory after the reset);
  - the counters QEMU prints at exit (recoveries, live GL objects);
  - per reset, the detection and recovery trace events and log lines, and
    virtio-gpu's restore of its 2D resources (the console's scanout set
    again after the console-only ones);
  - llvmpipe refuses texture export: the read-back fallback is warned
    once over the run, 0 exports and read-backs counted.
Exit 77 (skip) with the reason when QEMU, Weston, our renderer or the guest
is missing.
"""
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import e2e_common  # noqa: E402
from e2e_common import fail, wait_for_weston  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "linux_guest_test", os.path.join(HERE, "..", "guest", "linux-guest-test.py"))
lg = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lg)

# 16 MiB over all measured resets: one leaked 1280x800 scanout with its
# read-back costs 8 MiB, a leaked context with virgl's objects more.
RSS_SLACK_KIB = 16 * 1024
# fbcon's text after a console-only reset: a screenful measured about 6000
# light grey pixels before a reset, 0 when its resource stayed lost.
CONSOLE_TEXT_MIN = 500
CONSOLE_TOP = 32


def skip(reason):
    print(f"1..0 # SKIP {reason}")
    sys.exit(SKIP)


def find_qemu():
    path = e2e_common.find_qemu()
    if not path:
        skip("the patched QEMU is not built (run scripts/build-qemu, or set VMPLANE_QEMU)")
    return path


class Weston:
    """Headless Weston with our GL renderer and the screenshooter on; the
    output is the guest's mode, which QEMU's fullscreen window fills 1:1."""

    def __init__(self, tmp):
        renderer = os.environ.get("VMPLANE_RENDERER", "")
        if not os.path.exists(renderer):
            skip("our gl-renderer.so is not built ($VMPLANE_RENDERER)")
        self.tmp = tmp
        self.socket = f"vmplane-gl-resets-{os.getpid()}"
        self.log = open(os.path.join(tmp, "weston.log"), "w")
        # Our module too, where given: vmplane_reset_notifier_v1 and the
        # debug interface that injects a compositor reset.
        self.module = os.environ.get("VMPLANE_MODULE", "")
        modules = []
        module_map = f"gl-renderer.so={renderer};"
        if self.module:
            if not os.path.exists(self.module):
                fail(f"VMPLANE_MODULE {self.module} does not exist")
            module_map += f"vmplane.so={self.module};"
            modules = ["--modules=vmplane.so"]
        env = dict(os.environ, WESTON_MODULE_MAP=module_map, GALLIUM_DRIVER="llvmpipe")
        self.proc = subprocess.Popen(
            ["weston", "--backend=headless-backend.so", "--use-gl", "--no-config",
             f"--socket={self.socket}", "--width=1280",
             "--height=800", "--debug", "--idle-time=0"] + modules,
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        wait_for_weston(self.proc, self.socket, self.log.name, 400)
        self.shots = 0

    def rows(self):
        self.shots += 1
        return lg.Weston.screenshot(self, f"shot-{self.shots}")[2]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def proc_sample(pid):
    """Open fds and resident set (KiB) of a process."""
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    status = open(f"/proc/{pid}/status").read()
    rss = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
    return fds, rss


def main():
    if (len(sys.argv) not in (3, 4) or sys.argv[1] not in ("on", "es", "core") or
            not all(a.isdigit() for a in sys.argv[2:])):
        print(__doc__)
        sys.exit(2)
    mode, resets = sys.argv[1], int(sys.argv[2])
    quiet = int(sys.argv[3]) if len(sys.argv) == 4 else 0
    if quiet == 1:
        fail("QUIET needs a warm-up reset and one to compare: 2 or more")
    if not shutil.which("weston") or not shutil.which("weston-screenshooter"):
        skip("weston and weston-screenshooter are needed")
    if "XDG_RUNTIME_DIR" not in os.environ:
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="vmplane-xdg-")
    os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    qemu = find_qemu()
    if os.environ.get("VMPLANE_IN_ROOT"):
        # Made from Debian 12's packages: only the host builds it (scripts/test does).
        r = subprocess.run([os.path.join(HERE, "..", "guest", "build-linux-guest"), "--check"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            skip("the Linux guest is not built: run tests/guest/build-linux-guest on the host")
    guest = lg.build_guest()
    tmp = tempfile.mkdtemp(prefix=f"vmplane-gl-{mode}-")
    print(f"# output in {tmp}")
    weston = Weston(tmp)
    serial = os.path.join(tmp, "serial.log")
    qemu_log = os.path.join(tmp, "qemu.log")
    qmp_path = os.path.join(tmp, "qmp.sock")
    env = dict(os.environ, WAYLAND_DISPLAY=weston.socket, VMPLANE_STATS="1",
               VMPLANE_QEMU_FAULT="1")
    seabios = os.environ.get("VMPLANE_SEABIOS_DIR", "/usr/share/seabios")
    args = [qemu, "-nodefaults", "-no-user-config", "-machine", "q35", "-accel", "tcg",
            "-cpu", lg.CPU, "-smp", "2", "-m", "1G", "-L", seabios,
            "-device", "virtio-vga-gl", "-display", f"wayland,gl={mode},fullscreen=on",
            "-trace", "wayland_gl_ctx_create", "-trace", "wayland_gl_reset_detected",
            "-trace", "wayland_gl_recovered", "-trace", "virtio_gpu_virgl_restore",
            "-serial", f"file:{serial}", "-monitor", "none",
            "-qmp", f"unix:{qmp_path},server=on,wait=off", "-no-reboot",
            "-kernel", guest["GUEST_KERNEL"], "-initrd", guest["GUEST_INITRD"],
            "-append", f"{lg.KERNEL_ARGS} guest.frames={lg.FRAMES} guest.hold=15"]
    print("# " + " ".join(args))
    with open(qemu_log, "w") as log:
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    n = 0

    def ok(what):
        nonlocal n
        n += 1
        print(f"ok {n} - {what}", flush=True)

    def lines(path, prefix):
        text = open(path, errors="replace").read() if os.path.exists(path) else ""
        return [ln for ln in text.replace("\r", "").splitlines() if prefix in ln]

    def wait(path, marker, count, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = lines(path, marker)
            if len(found) >= count:
                return found[count - 1]
            failed = lines(serial, "GLPATTERN FAIL")
            if failed:
                fail(failed[0])
            if proc.poll() is not None:
                fail(f"QEMU exited with {proc.returncode}, see {qemu_log}")
            time.sleep(0.2)
        fail(f"timed out waiting for '{marker}' x{count} in {path}")

    def wait_frame(what, full=False):
        """Until gl-pattern's frame is on screen at (0,0) (or below Weston 14's
        panel), 1:1; with
        full, also its quadrants and the bar of its last frame."""
        end = time.monotonic() + 60
        while time.monotonic() < end:
            rows = weston.rows()
            box = lg.find_pattern(rows)
            # Sampled at even pixels: the red quadrant reads 639x399. Weston
            # 14's desktop-shell puts a fullscreen window below its 32-pixel
            # panel (the guest's last 32 rows then fall off the output).
            if (box and box[0] == 0 and box[1] in (0, 32) and box[2] in (639, 640) and
                    box[3] in (399, 400)):
                if not full:
                    return
                try:
                    lg.check_pattern(rows)
                    return
                except SystemExit:
                    pass
            time.sleep(0.5)
        fail(f"{what}: gl-pattern's 1280x800 frame is not on Weston's output")

    def console_text(rows):
        """fbcon's light grey text pixels below Weston 14's panel rows."""
        return sum(1 for row in rows[CONSOLE_TOP:] for c in row
                   if c != (0, 0, 0) and min(c) >= 128 and max(c) - min(c) < 16)

    def wait_console_text(what):
        end = time.monotonic() + 20
        text = 0
        while time.monotonic() < end:
            text = console_text(weston.rows())
            if text >= CONSOLE_TEXT_MIN:
                return text
            time.sleep(0.5)
        fail(f"{what}: the console shows {text} text pixels (want {CONSOLE_TEXT_MIN} "
             "or more): its text did not come back")

    try:
        qmp = lg.Keyboard(qmp_path)
        wait(serial, "GUEST READY", 1, 300)
        renderer = wait(serial, "GLPATTERN RENDERER", 1, 120)
        if "virgl" not in renderer:
            fail(f"the guest's renderer is not virgl: {renderer}")
        wait(serial, "GLPATTERN HOLDING", 1, 300)
        wait_frame("boot", full=True)
        ok(f"gl={mode}: the guest's GLES pattern is on Weston, quadrants and bar ({renderer})")

        # What virglrenderer's contexts are: desktop 4.x for core, ES 3 for on.
        ctx = wait(qemu_log, "wayland_gl_ctx_create", 1, 10)
        version = re.search(r"version (\d+)\.(\d+)", ctx)
        if not version or not re.search(r"robust 1", ctx):
            fail(f"virglrenderer's context: {ctx}")
        major = int(version.group(1))
        if mode == "core" and (major < 4 or not lines(qemu_log, "gl=core: desktop OpenGL")):
            fail(f"gl=core: virglrenderer's contexts are not desktop OpenGL 4: {ctx}")
        if mode in ("on", "es") and major != 3:
            fail(f"gl={mode}: virglrenderer's contexts are not OpenGL ES 3: {ctx}")
        ok(f"virglrenderer's contexts: {ctx.split(': ', 1)[-1].strip()}")

        # A reset of the compositor's GPU context (Weston's side): QEMU is
        # told through vmplane_reset_notifier_v1 and hands its frame over
        # again; the guest's frame is right on Weston afterwards.
        tool = os.environ.get("VMPLANE_DEBUG_TOOL", "")
        if tool and weston.module:
            r = subprocess.run([tool, "inject", "guilty"], capture_output=True, text=True,
                               timeout=120, env=dict(os.environ, WAYLAND_DISPLAY=weston.socket))
            if r.returncode != 0 or not re.search(r"^recovered 1 after", r.stdout, re.M):
                fail(f"vmplane-debug inject guilty: exit {r.returncode}: {r.stdout}{r.stderr}")
            wait(qemu_log, "wayland: the compositor recovered from a GPU reset", 1, 60)
            wait_frame("after a compositor reset", full=True)
            ok("a compositor reset: QEMU told of its recovery, the guest's frame right after")
        else:
            print("# VMPLANE_DEBUG_TOOL or VMPLANE_MODULE unset: no compositor reset")

        wait(serial, "GUEST SHELL READY", 1, 120)
        time.sleep(1)
        for i in range(1, resets + 1):
            qmp.type("glrun 150 0\n")
            wait(serial, "GLPATTERN SHOWING", i + 1, 120)
            wait_frame(f"before reset {i}")
            os.kill(proc.pid, signal.SIGUSR2)
            line = wait(qemu_log, f"recovered from GPU reset {i} ", 1, 60)
            # The client that drew through the reset lost its context.
            wait(serial, "GUEST GLRUN", i, 120)
            m = re.search(r"\((\d+) live GL objects\)", line)
            if not m:
                fail(f"no live GL object count in QEMU's recovery line: {line}")
            fds, rss = proc_sample(proc.pid)
            print(f"# reset {i} (a 3D client): {fds} fds, {m.group(1)} live GL objects, "
                  f"RSS {rss} KiB")
            if proc.poll() is not None or qmp.cmd("query-status")["status"] != "running":
                fail(f"QEMU or the guest stopped after reset {i}")
        qmp.type("glrun 60 3\n")
        wait(serial, "GLPATTERN SHOWING", resets + 2, 120)
        wait_frame("after the last reset")
        if resets:
            if not lines(qemu_log, "contexts (guilty)") or (resets > 1 and not lines(qemu_log, "contexts (innocent)")):
                fail("the injected resets were not seen as guilty and innocent")
            ok(f"{resets} resets recovered; a new 3D client's frame on screen after each")

        if quiet:
            # The last client gone, only the console shows: resets alone.
            wait(serial, "GUEST GLRUN", resets + 1, 120)
            time.sleep(2)
            # The clients that drew through the resets deleted their dead
            # names in the new share group on exit; the device kept those
            # from reuse, so the re-created console is still there.
            qmp.type("mark 0\n")
            wait(serial, "GUEST MARK 0", 1, 60)
            text = wait_console_text("after the 3D clients that lived through resets exited")
            ok(f"the console's text is back once the 3D clients exited ({text} text pixels)")
            samples = []
            for i in range(resets + 1, resets + quiet + 1):
                os.kill(proc.pid, signal.SIGUSR2)
                line = wait(qemu_log, f"recovered from GPU reset {i} ", 1, 60)
                m = re.search(r"\((\d+) live GL objects\)", line)
                if not m:
                    fail(f"no live GL object count in QEMU's recovery line: {line}")
                time.sleep(1.5)
                fds, rss = proc_sample(proc.pid)
                samples.append((fds, int(m.group(1)), rss))
                print(f"# reset {i} (console only): {fds} fds, {m.group(1)} live GL objects, "
                      f"RSS {rss} KiB")
                if proc.poll() is not None or qmp.cmd("query-status")["status"] != "running":
                    fail(f"QEMU or the guest stopped after reset {i}")
                # The console's own resource (made once at boot) must show
                # again, with the line typed after the reset.
                qmp.type(f"mark {i}\n")
                wait(serial, f"GUEST MARK {i}", 1, 60)
                text = wait_console_text(f"after console-only reset {i}")
                print(f"# reset {i}: typed 'mark {i}', the console shows {text} text pixels")
            fds0, objects0, rss0 = samples[0]
            for i, (fds, objects, rss) in enumerate(samples[1:], resets + 2):
                if fds != fds0:
                    fail(f"reset {i}: {fds} open fds, {fds0} after the warm-up reset")
                if objects != objects0:
                    fail(f"reset {i}: {objects} live GL objects, {objects0} after the warm-up reset")
            growth = samples[-1][2] - rss0
            if growth > RSS_SLACK_KIB:
                fail(f"RSS grew {growth} KiB over {quiet - 1} resets (limit {RSS_SLACK_KIB})")
            ok(f"no leak per reset over {quiet - 1} resets after a warm-up: {fds0} fds and "
               f"{objects0} live GL objects throughout; RSS {rss0} -> {samples[-1][2]} KiB "
               f"({growth:+d}, limit +{RSS_SLACK_KIB})")
            resets += quiet

        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        stats = wait(qemu_log, "wayland stats: console 0:", 1, 5)
        print("# " + stats)
        m = re.search(r"(\d+) GPU reset recoveries, (\d+) live GL objects", stats)
        if not m or int(m.group(1)) != resets:
            fail(f"the counters do not show {resets} recoveries: {stats}")
        ok(f"QEMU's counters: {m.group(1)} recoveries, {m.group(2)} live GL objects at exit")

        # Detection and recovery: a trace event and a log line each, per reset.
        detected = lines(qemu_log, "wayland_gl_reset_detected")
        recovered = [ln for ln in lines(qemu_log, "wayland_gl_recovered") if "ok 1" in ln]
        logged = lines(qemu_log, "GPU reset detected on the display's OpenGL contexts")
        if not len(detected) == len(recovered) == len(logged) == resets:
            fail(f"{resets} resets, but {len(detected)} detection and {len(recovered)} "
                 f"recovery trace events, {len(logged)} detection log lines")
        ok(f"{resets} resets: a detection and a recovery trace event and log line each")

        # virtio-gpu-gl re-created the console's 2D resource after each
        # reset, and with only the console on screen showed it again.
        restored = [re.search(r"(\d+) 2D resources re-created, (\d+) scanouts", ln)
                    for ln in lines(qemu_log, "virtio_gpu_virgl_restore")]
        if (len(restored) != resets or not all(m and int(m.group(1)) >= 1 for m in restored) or
                not all(int(m.group(2)) == 1 for m in restored[resets - quiet:])):
            fail(f"{resets} resets, but the 2D restore trace events read: "
                 f"{[m.group(0) if m else None for m in restored]}")
        ok(f"{resets} resets: 2D resources re-created after each, the console's scanout "
           f"set again after the {quiet} console-only ones")

        # llvmpipe cannot export a texture: the read-back fallback, said once
        # over the whole run (resets included), and counted.
        warned = lines(qemu_log, "texture scanouts are read back")
        m = re.search(r"(\d+) texture exports, (\d+) texture read-backs", stats)
        if len(warned) != 1 or not m or int(m.group(1)) != 0 or int(m.group(2)) == 0:
            fail(f"export refused: {len(warned)} read-back warnings (want 1), counters: {stats}")
        ok(f"texture export refused: one warning, {m.group(2)} read-backs, pixels right above")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        weston.kill()
    print(f"1..{n}")


if __name__ == "__main__":
    main()
