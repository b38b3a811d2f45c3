#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""QEMU's -display wayland against Debian's stock -display gtk and sdl.

One guest workload (tests/guest/build-linux-guest) per variant, each on a
fresh headless Weston with vmplane's renderer:
  gl=on  -device virtio-vga-gl: gl-pattern page-flips BENCH_FRAMES frames
         (virgl), then the console scrolls for BENCH_SCROLL_S seconds;
  2D     -device virtio-vga: the console scroll only.
Per variant: QEMU's UI CPU (process CPU minus the "CPU n/TCG" vCPU
threads), Weston's CPU, and the guest's display updates (QEMU's
virtio_gpu_cmd_res_flush trace events) over each phase's window, taken
at the guest's serial markers. Prints a table and the ratios ours/GTK
and ours/SDL measured in this run; asserts no time. Exit 77 (skip) when
stock QEMU, Weston or the guest are missing.

Environment: VMPLANE_QEMU (ours; else VMPLANE_BUILD_QEMU's build),
VMPLANE_STOCK_QEMU, VMPLANE_RENDERER and VMPLANE_MODULE (ours, for
Weston), VMPLANE_SEAT_MODULE (a Weston module that adds a wl_seat: SDL
2.26 crashes without one), BENCH_FRAMES (100), BENCH_SCROLL_S (10), BENCH_ROUNDS (2; medians),
BENCH_VARIANTS (variant names separated by spaces, default all), BENCH_KEEP
(a folder that keeps the logs).
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
GUEST_BUILD = os.path.join(HERE, "..", "tests", "guest", "build-linux-guest")
# Without AVX: QEMU 7.2's TCG AVX bug crashes llvmpipe (as tests/guest does).
CPU = "Haswell-v4,avx=off,avx2=off,fma=off,f16c=off"
FRAMES = int(os.environ.get("BENCH_FRAMES", "100"))
SCROLL_S = int(os.environ.get("BENCH_SCROLL_S", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")
FLUSH = b"virtio_gpu_cmd_res_flush"
# name, QEMU (ours/stock), -display, gl
VARIANTS = [
    ("wayland,gl=on", "ours", "wayland,gl=on", True),
    ("gtk,gl=on", "stock", "gtk,gl=on", True),
    ("sdl,gl=on", "stock", "sdl,gl=on", True),
    ("wayland", "ours", "wayland", False),
    ("gtk", "stock", "gtk", False),
    ("sdl", "stock", "sdl", False),
]


class NotRunnable(Exception):
    pass


def skip(reason):
    print(f"1..0 # SKIP {reason}")
    sys.exit(SKIP)


def cpu_ticks(path):
    """utime + stime of a /proc stat file, 0 when it is gone."""
    try:
        fields = open(path).read().rpartition(")")[2].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def qemu_threads(pid):
    """Per-thread CPU ticks of QEMU, grouped: vCPU, main, llvmpipe."""
    out = {"vcpu": 0, "main": 0, "llvmpipe": 0, "threads": {}}
    task = f"/proc/{pid}/task"
    for tid in os.listdir(task):
        try:
            comm = open(f"{task}/{tid}/comm").read().strip()
        except OSError:
            continue
        ticks = cpu_ticks(f"{task}/{tid}/stat")
        key = f"{comm}/{tid}"
        out["threads"][key] = ticks
        if re.match(r"CPU \d+/", comm):
            out["vcpu"] += ticks
        elif tid == str(pid):
            out["main"] += ticks
        elif comm.startswith("llvmpipe"):
            out["llvmpipe"] += ticks
    return out


class Weston:
    """Headless Weston on GL with our renderer and module (and a seat)."""

    def __init__(self, tmp, name):
        self.socket = f"vmplane-bench-{os.getpid()}-{name}"
        renderer = os.environ.get("VMPLANE_RENDERER", "")
        module = os.environ.get("VMPLANE_MODULE", "")
        seat = os.environ.get("VMPLANE_SEAT_MODULE", "")
        env = dict(os.environ)
        modules = []
        if renderer:
            env["WESTON_MODULE_MAP"] = f"gl-renderer.so={renderer};vmplane.so={module};"
            modules.append("vmplane.so")
        if seat:
            modules.append(seat)
        args = ["weston", "--backend=headless-backend.so", "--use-gl", "--no-config",
                f"--socket={self.socket}", "--width=1280", "--height=1024"]
        if modules:
            args.append("--modules=" + ",".join(modules))
        self.log_path = os.path.join(tmp, f"weston-{name}.log")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        path = os.path.join(os.environ["XDG_RUNTIME_DIR"], self.socket)
        for _ in range(400):
            if os.path.exists(path):
                return
            if self.proc.poll() is not None:
                raise NotRunnable(f"weston exited early, see {self.log_path}")
            time.sleep(0.05)
        raise NotRunnable("weston did not create its socket")

    def ticks(self):
        return cpu_ticks(f"/proc/{self.proc.pid}/stat")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def last_line(path):
    try:
        lines = [l for l in open(path, errors="replace").read().splitlines() if l.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


def run_variant(name, qemu, display, gl, guest, tmp, rnd):
    """Boots the guest once; returns the samples at each serial marker."""
    tag = re.sub(r"\W", "-", name) + f"-{rnd + 1}"
    weston = Weston(tmp, tag)
    serial = os.path.join(tmp, f"serial-{tag}.log")
    trace = os.path.join(tmp, f"trace-{tag}.log")
    err = os.path.join(tmp, f"qemu-{tag}.log")
    env = dict(os.environ, WAYLAND_DISPLAY=weston.socket, GDK_BACKEND="wayland",
               SDL_VIDEODRIVER="wayland")
    env.pop("DISPLAY", None)
    frames = FRAMES if gl else 0
    args = [qemu, "-nodefaults", "-no-user-config", "-machine", "q35", "-accel", "tcg",
            "-cpu", CPU, "-smp", "1", "-m", "1G",
            "-device", "virtio-vga-gl" if gl else "virtio-vga",
            "-display", display, "-serial", f"file:{serial}", "-monitor", "none",
            # Names the vCPU threads "CPU n/TCG" (QEMU leaves them unnamed otherwise).
            "-name", "bench,debug-threads=on",
            "-no-reboot", "-trace", "enable=virtio_gpu_cmd_res_flush", "-D", trace,
            "-kernel", guest["GUEST_KERNEL"], "-initrd", guest["GUEST_INITRD"],
            "-append", f"console=ttyS0 loglevel=4 guest.frames={frames} "
                       f"guest.hold=0 guest.scroll={SCROLL_S}"]
    print(f"# {name}: {' '.join(args)}", flush=True)
    with open(err, "w") as log:
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    samples, seen, lines = {}, 0, []

    def sample():
        try:
            flushes = open(trace, "rb").read().count(FLUSH)
        except OSError:
            flushes = 0
        # Threads first: the process total read after them covers them.
        s = qemu_threads(proc.pid)
        s.update({"t": time.monotonic(), "total": cpu_ticks(f"/proc/{proc.pid}/stat"),
                  "weston": weston.ticks(), "flushes": flushes})
        return s

    markers = ["GLPATTERN VERSION", "GLPATTERN DONE"] if gl else []
    markers += ["GUEST SCROLL START", "GUEST SCROLL DONE"]
    deadline = time.monotonic() + 300 + SCROLL_S + FRAMES
    try:
        while markers:
            if proc.poll() is not None:
                why = f"signal {-proc.returncode}" if proc.returncode < 0 else \
                      f"exit status {proc.returncode}"
                tail = last_line(err)
                raise NotRunnable(f"QEMU ended with {why}" + (f" ({tail})" if tail else ""))
            if weston.proc.poll() is not None:
                raise NotRunnable(f"weston exited, see {weston.log_path}")
            if time.monotonic() > deadline:
                raise NotRunnable(f"timed out waiting for '{markers[0]}', see {serial}")
            try:
                with open(serial, "rb") as f:
                    f.seek(seen)
                    chunk = f.read()
            except OSError:
                chunk = b""
            # Whole lines only; a partial one is read again next time.
            end = chunk.rfind(b"\n") + 1
            seen += end
            for line in chunk[:end].decode(errors="replace").replace("\r", "").splitlines():
                lines.append(line)
                if line.startswith("GLPATTERN FAIL"):
                    raise NotRunnable(line)
                if markers and line.startswith(markers[0]):
                    samples[markers.pop(0)] = (sample(), line)
            time.sleep(0.02)
    finally:
        proc.kill()
        proc.wait()
        weston.kill()
    return samples, lines


def delta(samples, start, end):
    a, b = samples[start][0], samples[end][0]
    d = {k: b[k] - a[k] for k in a if k != "threads"}
    d["threads"] = {t: n - a["threads"].get(t, 0) for t, n in b["threads"].items()}
    if d["vcpu"] <= 0:
        raise NotRunnable("no CPU time on a vCPU thread: are QEMU's threads named?")
    d["ui"] = d["total"] - d["vcpu"]
    d["other"] = d["ui"] - d["main"] - d["llvmpipe"]
    return d


def thread_line(d):
    """The busiest threads of a phase, ms, numbered names folded."""
    by = {}
    for key, n in d["threads"].items():
        comm = re.sub(r"\d+$", "*", key.rpartition("/")[0])
        by[comm] = by.get(comm, 0) + n
    top = sorted(by.items(), key=lambda kv: -kv[1])[:6]
    return ", ".join(f"{c} {n * TICK_MS:.0f}" for c, n in top if n)


def summarise(samples, gl):
    out = {}
    if gl:
        d = delta(samples, "GLPATTERN VERSION", "GLPATTERN DONE")
        done = samples["GLPATTERN DONE"][1]
        n = int(re.search(r"frames (\d+)", done).group(1))
        out["3d"] = {
            "fps": float(re.search(r"fps ([\d.]+)", done).group(1)),
            "ui": d["ui"] * TICK_MS / n, "main": d["main"] * TICK_MS / n,
            "llvmpipe": d["llvmpipe"] * TICK_MS / n, "other": d["other"] * TICK_MS / n,
            "weston": d["weston"] * TICK_MS / n, "flushes": d["flushes"], "frames": n,
            "threads": thread_line(d)}
    d = delta(samples, "GUEST SCROLL START", "GUEST SCROLL DONE")
    done = samples["GUEST SCROLL DONE"][1]
    lines = int(re.search(r"lines (\d+)", done).group(1))
    secs = float(re.search(r"seconds (\d+)", done).group(1))
    # Per second of the fixed run, and per 100 lines the guest wrote: the
    # guest's flushes are no frame count (GTK coalesces them, ours paces them).
    out["2d"] = {
        "lines_s": lines / secs, "flushes_s": d["flushes"] / secs,
        "ui_s": d["ui"] * TICK_MS / secs, "main_s": d["main"] * TICK_MS / secs,
        "llvmpipe_s": d["llvmpipe"] * TICK_MS / secs,
        "weston_s": d["weston"] * TICK_MS / secs,
        "ui_l": d["ui"] * TICK_MS * 100 / max(lines, 1),
        "weston_l": d["weston"] * TICK_MS * 100 / max(lines, 1),
        "threads": thread_line(d)}
    return out


def find_ours():
    path = os.environ.get("VMPLANE_QEMU")
    if path:
        return path
    script = os.environ.get("VMPLANE_BUILD_QEMU")
    if not script:
        return None
    # Builds when the cache has no up-to-date binary (minutes).
    r = subprocess.run([script], stdout=subprocess.PIPE, text=True)
    out = r.stdout.strip().splitlines()
    return out[-1] if r.returncode == 0 and out else None


def capabilities(qemu):
    devs = subprocess.run([qemu, "-device", "help"], capture_output=True, text=True).stdout
    disp = subprocess.run([qemu, "-display", "help"], capture_output=True, text=True).stdout
    return '"virtio-vga-gl"' in devs, set(disp.split())


def build_guest():
    r = subprocess.run([GUEST_BUILD], capture_output=True, text=True)
    if r.returncode != 0:
        skip("the Linux guest cannot be built: " + (r.stderr.strip().splitlines() or ["?"])[-1])
    env = {}
    for line in open(r.stdout.strip().splitlines()[-1]):
        k, _, v = line.strip().partition("=")
        env[k] = v.strip('"')
    return env


def ratio(a, b):
    return f"{a / b:.3f}" if b else "n/a"


def median_of(runs):
    """Per-figure medians of a variant's rounds."""
    out = {"gl": runs[0]["gl"]}
    for phase in ("3d", "2d"):
        if phase in runs[0]:
            out[phase] = {k: statistics.median(r[phase][k] for r in runs)
                          for k, v in runs[0][phase].items() if not isinstance(v, str)}
    return out


def row(cells, widths):
    return "  ".join(str(c).rjust(w) if i else str(c).ljust(w)
                     for i, (c, w) in enumerate(zip(cells, widths)))


def report(results, broken, rounds):
    print()
    print(f"3D, -device virtio-vga-gl: gl-pattern, {FRAMES} page-flipped frames (virgl); "
          f"CPU ms per guest frame; median of {rounds}")
    w = [14, 6, 7, 7, 9, 7, 7, 8]
    print(row(["display", "fps", "UI", "main", "llvmpipe", "other", "Weston", "flushes"], w))
    for name, res in results.items():
        if "3d" in res:
            r = res["3d"]
            print(row([name, f"{r['fps']:.1f}", f"{r['ui']:.2f}", f"{r['main']:.2f}",
                       f"{r['llvmpipe']:.2f}", f"{r['other']:.2f}", f"{r['weston']:.2f}",
                       f"{r['flushes']:.0f}"], w))
    for kind, title in (("gl", "Console scroll on virtio-vga-gl (after gl-pattern)"),
                        ("2d", "2D, -device virtio-vga: console scroll")):
        print()
        print(f"{title}, {SCROLL_S} s; CPU ms per second, and per 100 lines the guest "
              f"wrote; median of {rounds}")
        w = [14, 7, 9, 6, 6, 9, 7, 10, 12]
        print(row(["display", "lines/s", "flushes/s", "UI/s", "main/s", "llvmpipe/s",
                   "Weston/s", "UI/100l", "Weston/100l"], w))
        for name, res in results.items():
            if res["gl"] == (kind == "gl"):
                r = res["2d"]
                print(row([name, f"{r['lines_s']:.0f}", f"{r['flushes_s']:.1f}",
                           f"{r['ui_s']:.0f}", f"{r['main_s']:.0f}", f"{r['llvmpipe_s']:.0f}",
                           f"{r['weston_s']:.0f}", f"{r['ui_l']:.1f}", f"{r['weston_l']:.1f}"], w))
    for name, why in broken.items():
        print(f"{name}: not runnable here: {why}")

    print()
    print("Ratios, ours / baseline, same run (CPU: lower is better; fps, lines/s: higher)")
    for ours, gtk, sdl, key in (("wayland,gl=on", "gtk,gl=on", "sdl,gl=on", "3d"),
                                ("wayland,gl=on", "gtk,gl=on", "sdl,gl=on", "2d"),
                                ("wayland", "gtk", "sdl", "2d")):
        if ours not in results:
            continue
        o = results[ours][key]
        for base in (gtk, sdl):
            if base not in results:
                print(f"  {ours}/{base}: no ratio, {base} did not run")
                continue
            b = results[base][key]
            if key == "3d":
                print(f"  3D {ours}/{base}: UI CPU/frame {ratio(o['ui'], b['ui'])}, "
                      f"fps {ratio(o['fps'], b['fps'])}, "
                      f"Weston CPU/frame {ratio(o['weston'], b['weston'])}")
            else:
                print(f"  console {ours}/{base}: UI CPU/s {ratio(o['ui_s'], b['ui_s'])}, "
                      f"UI CPU/line {ratio(o['ui_l'], b['ui_l'])}, "
                      f"lines/s {ratio(o['lines_s'], b['lines_s'])}, "
                      f"Weston CPU/s {ratio(o['weston_s'], b['weston_s'])}")
    if "wayland,gl=on" in results and "gtk,gl=on" in results:
        o, b = results["wayland,gl=on"]["3d"], results["gtk,gl=on"]["3d"]
        cpu, fps = o["ui"] / b["ui"], o["fps"] / b["fps"]
        print(f"Goal, gl=on: ours UI CPU/frame <= 0.2 x GTK's: {cpu:.3f} -> "
              f"{'met' if cpu <= 0.2 else 'not met'}")
        print(f"Goal, gl=on: ours fps >= GTK's: {fps:.3f} -> "
              f"{'met' if fps >= 1.0 else 'not met'}")


def main():
    if not shutil.which("weston"):
        skip("weston is not installed")
    stock = os.environ.get("VMPLANE_STOCK_QEMU", "/usr/bin/qemu-system-x86_64")
    if not os.access(stock, os.X_OK):
        skip(f"no stock QEMU at {stock} (apt-get install qemu-system-x86 qemu-system-gui)")
    ours = find_ours()
    if not ours or not os.access(ours, os.X_OK):
        skip("no patched QEMU (set VMPLANE_QEMU or VMPLANE_BUILD_QEMU)")
    if "XDG_RUNTIME_DIR" not in os.environ:
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="vmplane-xdg-")
    guest = build_guest()
    tmp = os.environ.get("BENCH_KEEP") or tempfile.mkdtemp(prefix="vmplane-display-bench-")
    os.makedirs(tmp, exist_ok=True)
    caps = {"ours": capabilities(ours), "stock": capabilities(stock)}
    print(f"# ours: {ours}\n# stock: {stock}\n# logs in {tmp}")
    wanted = os.environ.get("BENCH_VARIANTS")
    wanted = set(wanted.split()) if wanted else None
    runs, broken = {}, {}
    for name, which, display, gl in VARIANTS:
        if wanted and name not in wanted:
            continue
        has_gl, displays = caps[which]
        qemu = ours if which == "ours" else stock
        if display.split(",")[0] not in displays:
            broken[name] = f"{qemu} has no -display {display.split(',')[0]}"
        elif gl and not has_gl:
            broken[name] = f"{qemu} has no virtio-vga-gl (built without OpenGL/virgl)"
        elif display.startswith("sdl") and not os.environ.get("VMPLANE_SEAT_MODULE"):
            broken[name] = ("SDL 2.26 crashes in its Wayland init when the compositor has "
                            "no wl_seat (libsdl-org/SDL#8898), and headless Weston has none "
                            "without VMPLANE_SEAT_MODULE")
        else:
            runs[name] = []
    # Rounds interleave the variants, so a change in the machine's load
    # falls on all of them.
    for rnd in range(ROUNDS):
        for name, which, display, gl in VARIANTS:
            if name not in runs:
                continue
            qemu = ours if which == "ours" else stock
            t0 = time.monotonic()
            try:
                samples, _ = run_variant(name, qemu, display, gl, guest, tmp, rnd)
                res = summarise(samples, gl)
                res["gl"] = gl
                runs[name].append(res)
                for phase in ("3d", "2d"):
                    if phase in res:
                        print(f"# {name} round {rnd + 1} {phase}: QEMU threads ms: "
                              f"{res[phase]['threads']}")
            except NotRunnable as e:
                broken[name] = str(e)
            print(f"# {name} round {rnd + 1}: {time.monotonic() - t0:.0f} s", flush=True)
    results = {n: median_of(r) for n, r in runs.items() if r}
    report(results, broken, ROUNDS)
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(tmp, ignore_errors=True)
    failed = [n for n, w, _, _ in VARIANTS if w == "ours" and n in runs and n in broken]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
