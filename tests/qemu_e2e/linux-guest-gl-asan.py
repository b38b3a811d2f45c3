#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Issue 11, Tests 2: resets in QEMU's OpenGL contexts under AddressSanitizer
and LeakSanitizer (scripts/build-qemu with VMPLANE_QEMU_SANITIZE=address,
built here on first use and cached apart from the normal build).

  linux-guest-gl-asan.py [RESETS_3D QUIET]     (default 3 3)

The Linux 3D guest boots with virtio-vga-gl and -display wayland,gl=on on
headless Weston with our renderer, twice, with the same guest workload:
  run A: one warm-up reset while a 3D client draws, then RESETS_3D more 3D
         clients and QUIET console-only pauses, without resets;
  run B: the same, with a reset injected (SIGUSR2, VMPLANE_QEMU_FAULT=1)
         during each of those clients and pauses.
Each run ends with a new 3D client's frame checked on screen and QMP's
quit, after which LeakSanitizer reports what QEMU leaked. Checked:
  - no AddressSanitizer error (use-after-free, overflow, ...) in either run,
    and no UBSan report from our code (the glue or the display core);
  - no leak whose stack passes through the display (ui/wayland.c, vmpd_*,
    robustness' vmr_*, sync's vmsync_*), in either run;
  - run B leaks no more than run A, neither bytes nor allocations: what
    QEMU itself leaks at exit does not depend on the number of resets, a
    per-reset leak would (the stacks of libraries built without frame
    pointers come out short, so this total, not the stack check, is what
    catches a leak inside Mesa or virglrenderer);
  - in run B, QEMU's open fds are the same after every reset past the
    warm-up, and the display's live GL objects the same after each of the
    3D ones and after each console-only one (a drawing client's virgl
    context adds its own);
  - the counters printed at exit show every reset recovered.
Suppressions (qemu-asan.supp, each with its reason) cover only leaks of
QEMU, Mesa and LLVM that happen whether or not a reset does.
Exit 77 (skip) with the reason when Weston, our renderer or the guest is
missing; a failed ASan build is a failure.
"""
import glob
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
from e2e_common import fail  # noqa: E402


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


lg = _load("linux_guest_test", os.path.join(HERE, "..", "guest", "linux-guest-test.py"))
gr = _load("linux_guest_gl_resets", os.path.join(HERE, "linux-guest-gl-resets.py"))

SUPPRESSIONS = os.path.join(HERE, "qemu-asan.supp")
# The exit status of a process that ASan or LSan reported on.
ASAN_EXIT = 23
# TCG and llvmpipe under ASan: everything takes longer than in the plain test.
SLOW = 3
# Frames on our code's side: the glue, the display core, robustness, sync.
OURS = re.compile(r"\bin (wayland_\w+|vmpd_\w+|vmr_\w+|vmsync_\w+)\b|"
                  r"ui/wayland\.c|qemu_ui_wayland/|/robustness/|/sync/")


def build_asan_qemu():
    script = os.environ.get("VMPLANE_BUILD_QEMU")
    if not script:
        gr.skip("VMPLANE_BUILD_QEMU is not set")
    env = dict(os.environ, VMPLANE_QEMU_SANITIZE="address")
    print("# building (or reusing) the ASan QEMU: VMPLANE_QEMU_SANITIZE=address "
          f"{script}", flush=True)
    r = subprocess.run([script], env=env, stdout=subprocess.PIPE, text=True)
    path = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    if r.returncode != 0 or not os.access(path, os.X_OK):
        fail("the ASan build of QEMU failed (VMPLANE_QEMU_SANITIZE=address scripts/build-qemu)")
    return path


def parse_reports(logdir):
    """ASan errors, UBSan reports and LeakSanitizer's leak records, from
    every report file of the run."""
    errors, ubsan, leaks = [], [], []
    for path in sorted(glob.glob(os.path.join(logdir, "asan.*"))):
        text = open(path, errors="replace").read()
        for m in re.finditer(r"ERROR: AddressSanitizer: .*", text):
            errors.append((path, text[m.start():m.start() + 3000]))
        for line in text.splitlines():
            if "runtime error:" in line:
                ubsan.append(line.strip())
        for m in re.finditer(r"^(Direct|Indirect) leak of (\d+) byte\(s\) in (\d+) "
                             r"object\(s\) allocated from:\n((?:[ \t]+#\d+.*\n?)*)",
                             text, re.M):
            leaks.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)))
    return errors, ubsan, leaks


class Run:
    def __init__(self, qemu, guest, name, inject, resets_3d, quiet):
        self.qemu, self.guest, self.name = qemu, guest, name
        self.inject, self.resets_3d, self.quiet = inject, resets_3d, quiet
        self.tmp = tempfile.mkdtemp(prefix=f"vmplane-gl-asan-{name}-")
        self.serial = os.path.join(self.tmp, "serial.log")
        self.qemu_log = os.path.join(self.tmp, "qemu.log")
        self.asan_dir = os.path.join(self.tmp, "asan")
        os.makedirs(self.asan_dir)
        self.proc = None

    def lines(self, path, marker):
        text = open(path, errors="replace").read() if os.path.exists(path) else ""
        return [ln for ln in text.replace("\r", "").splitlines() if marker in ln]

    def wait(self, path, marker, count, timeout):
        end = time.monotonic() + timeout * SLOW
        while time.monotonic() < end:
            found = self.lines(path, marker)
            if len(found) >= count:
                return found[count - 1]
            failed = self.lines(self.serial, "GLPATTERN FAIL")
            if failed:
                fail(f"run {self.name}: {failed[0]}")
            if self.proc.poll() is not None:
                self.explain_exit()
            time.sleep(0.3)
        fail(f"run {self.name}: timed out waiting for '{marker}' x{count} in {path}")

    def explain_exit(self):
        errors, _, _ = parse_reports(self.asan_dir)
        if errors:
            fail(f"run {self.name}: AddressSanitizer stopped QEMU ({errors[0][0]}):\n"
                 + errors[0][1])
        fail(f"run {self.name}: QEMU exited with {self.proc.returncode}, see {self.qemu_log}")

    def wait_frame(self, weston, what):
        """Until gl-pattern's 1280x800 frame is on screen, 1:1."""
        end = time.monotonic() + 60 * SLOW
        while time.monotonic() < end:
            box = lg.find_pattern(weston.rows())
            if (box and box[0] == 0 and box[1] in (0, 32) and box[2] in (639, 640) and
                    box[3] in (399, 400)):
                return
            time.sleep(1)
        fail(f"run {self.name}, {what}: gl-pattern's frame is not on Weston's output")

    def reset(self, i):
        """Injects reset i and waits for its recovery; the live GL object
        count of the recovery line."""
        os.kill(self.proc.pid, signal.SIGUSR2)
        line = self.wait(self.qemu_log, f"recovered from GPU reset {i} ", 1, 60)
        m = re.search(r"\((\d+) live GL objects\)", line)
        if not m:
            fail(f"run {self.name}: no live GL object count in QEMU's recovery line: {line}")
        return int(m.group(1))

    def execute(self, weston):
        print(f"# run {self.name}: output in {self.tmp}", flush=True)
        env = dict(os.environ, WAYLAND_DISPLAY=weston.socket, VMPLANE_STATS="1",
                   VMPLANE_QEMU_FAULT="1",
                   # halt_on_error: the first ASan error stops QEMU (and this test);
                   # the reports go to files, apart from QEMU's own log.
                   ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:"
                                f"exitcode={ASAN_EXIT}:log_path={self.asan_dir}/asan",
                   LSAN_OPTIONS=f"suppressions={SUPPRESSIONS}:print_suppressions=1",
                   UBSAN_OPTIONS=f"print_stacktrace=1:log_path={self.asan_dir}/asan")
        qmp_path = os.path.join(self.tmp, "qmp.sock")
        seabios = os.environ.get("VMPLANE_SEABIOS_DIR", "/usr/share/seabios")
        args = [self.qemu, "-nodefaults", "-no-user-config", "-machine", "q35",
                "-accel", "tcg", "-cpu", lg.CPU, "-smp", "2", "-m", "1G", "-L", seabios,
                "-device", "virtio-vga-gl", "-display", "wayland,gl=on,fullscreen=on",
                "-serial", f"file:{self.serial}", "-monitor", "none",
                "-qmp", f"unix:{qmp_path},server=on,wait=off", "-no-reboot",
                "-kernel", self.guest["GUEST_KERNEL"], "-initrd", self.guest["GUEST_INITRD"],
                "-append", f"{lg.KERNEL_ARGS} guest.frames=30 guest.hold=5"]
        print("# " + " ".join(args), flush=True)
        with open(self.qemu_log, "w") as log:
            self.proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        qmp = lg.Keyboard(qmp_path)
        self.wait(self.serial, "GUEST SHELL READY", 1, 300)
        time.sleep(1)
        resets = 0
        samples = []
        # The warm-up (both runs), then the 3D clients, then the console only.
        for k in range(1 + self.resets_3d):
            qmp.type("glrun 150 0\n")
            self.wait(self.serial, "GLPATTERN SHOWING", k + 2, 120)
            self.wait_frame(weston, f"3D client {k + 1}")
            if k == 0 or self.inject:
                resets += 1
                objects = self.reset(resets)
                if k:
                    samples.append(("3D", len(os.listdir(f"/proc/{self.proc.pid}/fd")), objects))
            self.wait(self.serial, "GUEST GLRUN", k + 1, 120)
        for k in range(self.quiet):
            time.sleep(2)
            if self.inject:
                resets += 1
                objects = self.reset(resets)
                time.sleep(1.5)
                samples.append(("console", len(os.listdir(f"/proc/{self.proc.pid}/fd")), objects))
        for i, (kind, fds, objects) in enumerate(samples, 2):
            print(f"# run {self.name}, reset {i} ({kind}): {fds} fds, {objects} live GL objects")
        # A drawing client's virgl context adds its own objects: compare
        # like with like, and fds throughout.
        for kind in ("3D", "console"):
            group = [x for x in samples if x[0] == kind]
            if any(x != group[0] for x in group):
                fail(f"run {self.name}: fds or live GL objects differ between {kind} resets: "
                     f"{group}")
        if any(x[1] != samples[0][1] for x in samples):
            fail(f"run {self.name}: open fds differ between resets: {samples}")
        if qmp.cmd("query-status")["status"] != "running":
            fail(f"run {self.name}: the guest stopped after {resets} resets")
        # A new client's frame after the last reset, then quit through QMP.
        qmp.type("glrun 40 2\n")
        self.wait(self.serial, "GLPATTERN SHOWING", self.resets_3d + 3, 120)
        self.wait_frame(weston, "after the last reset")
        qmp.file.write('{"execute": "quit"}\n')
        qmp.file.flush()
        try:
            self.proc.wait(timeout=600)
        except subprocess.TimeoutExpired:
            fail(f"run {self.name}: QEMU did not exit within 600 s of QMP's quit")
        errors, ubsan, leaks = parse_reports(self.asan_dir)
        if errors:
            fail(f"run {self.name}: AddressSanitizer ({errors[0][0]}):\n{errors[0][1]}")
        ours = [u for u in ubsan if OURS.search(u)]
        if ours:
            fail(f"run {self.name}: UBSan in our code: {ours[0]}")
        if ubsan:
            print(f"# run {self.name}: {len(ubsan)} UBSan reports, none in our code; "
                  f"first: {ubsan[0]}")
        for kind, size, count, stack in leaks:
            if OURS.search(stack):
                fail(f"run {self.name}: {kind.lower()} leak of {size} bytes in {count} "
                     f"objects through the display:\n{stack}")
        stats = self.wait(self.qemu_log, "wayland stats: console 0:", 1, 5)
        m = re.search(r"(\d+) GPU reset recoveries", stats)
        if not m or int(m.group(1)) != resets:
            fail(f"run {self.name}: the counters do not show {resets} recoveries: {stats}")
        # QMP's quit exits with 0; LeakSanitizer, having reported, with ASAN_EXIT.
        if self.proc.returncode != (ASAN_EXIT if leaks else 0):
            fail(f"run {self.name}: QEMU exited with {self.proc.returncode}, see {self.qemu_log}")
        total = (sum(size for _, size, _, _ in leaks), sum(c for _, _, c, _ in leaks))
        print(f"# run {self.name}: {resets} resets; LeakSanitizer: {total[0]} bytes in "
              f"{total[1]} allocations ({len(leaks)} records), none through the display",
              flush=True)
        return resets, total


def main():
    if len(sys.argv) not in (1, 3) or not all(a.isdigit() for a in sys.argv[1:]):
        print(__doc__)
        sys.exit(2)
    resets_3d, quiet = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) == 3 else (3, 3)
    if resets_3d + quiet < 2:
        fail("at least 2 resets after the warm-up are needed to compare")
    if not shutil.which("weston") or not shutil.which("weston-screenshooter"):
        gr.skip("weston and weston-screenshooter are needed")
    if "XDG_RUNTIME_DIR" not in os.environ:
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="vmplane-xdg-")
    os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    guest = lg.build_guest()
    qemu = build_asan_qemu()
    n = 0
    totals = {}
    for name, inject in (("A", False), ("B", True)):
        run = Run(qemu, guest, name, inject, resets_3d, quiet)
        weston = gr.Weston(run.tmp)
        try:
            resets, total = run.execute(weston)
        finally:
            if run.proc and run.proc.poll() is None:
                run.proc.kill()
                run.proc.wait()
            weston.kill()
            # Killed, Weston leaves its socket behind; run B's would
            # otherwise look ready before it is (same name: same pid).
            for f in (weston.socket, weston.socket + ".lock"):
                path = os.path.join(os.environ["XDG_RUNTIME_DIR"], f)
                if os.path.exists(path):
                    os.unlink(path)
        totals[name] = total
        n += 1
        print(f"ok {n} - run {name}: {resets} resets recovered under ASan, no ASan error, "
              f"no leak through the display", flush=True)
    (bytes_a, allocs_a), (bytes_b, allocs_b) = totals["A"], totals["B"]
    extra = resets_3d + quiet
    if bytes_b > bytes_a or allocs_b > allocs_a:
        fail(f"leaks grow with resets: run A (1 reset) {bytes_a} bytes in {allocs_a} "
             f"allocations, run B ({1 + extra} resets) {bytes_b} bytes in {allocs_b}")
    n += 1
    print(f"ok {n} - leaks do not grow with resets: 1 reset {bytes_a} bytes in {allocs_a} "
          f"allocations, {1 + extra} resets {bytes_b} bytes in {allocs_b}")
    print(f"1..{n}")


if __name__ == "__main__":
    main()
