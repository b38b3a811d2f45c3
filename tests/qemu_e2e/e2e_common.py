# SPDX-License-Identifier: MIT
"""Shared by standalone-test.py and tests/guest/linux-guest-test.py:
fail(), finding the patched QEMU, a QMP client, and the wait for a
background Weston's socket."""
import json
import os
import socket
import subprocess
import sys
import time


def fail(reason):
    print(f"FAIL: {reason}")
    sys.exit(1)


def find_qemu():
    """The patched QEMU: $VMPLANE_QEMU, else scripts/build-qemu's cached
    build ($VMPLANE_BUILD_QEMU); None when there is none."""
    env = os.environ.get("VMPLANE_QEMU")
    if env:
        return env if os.access(env, os.X_OK) else None
    script = os.environ.get("VMPLANE_BUILD_QEMU")
    if not script:
        return None
    r = subprocess.run([script, "--check"], capture_output=True, text=True)
    path = r.stdout.strip()
    return path if r.returncode == 0 and os.access(path, os.X_OK) else None


def wait_for_weston(proc, socket_name, log_name, tries):
    """Polls every 50 ms, `tries` times, for Weston's socket; fails if the
    process exits first or the socket never comes."""
    path = os.path.join(os.environ["XDG_RUNTIME_DIR"], socket_name)
    for _ in range(tries):
        if os.path.exists(path):
            return
        if proc.poll() is not None:
            fail(f"weston exited early, see {log_name}")
        time.sleep(0.05)
    fail("weston did not create its socket")


class Qmp:
    def __init__(self, path):
        for _ in range(200):
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        else:
            fail("no QMP socket")
        self.file = self.sock.makefile("rw")
        self.file.readline()  # greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.file.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.file.flush()
        while True:
            reply = json.loads(self.file.readline())
            if "event" in reply:
                continue
            if "error" in reply:
                fail(f"QMP {name}: {reply['error']}")
            return reply["return"]
