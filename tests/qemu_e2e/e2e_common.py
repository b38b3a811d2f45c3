# SPDX-License-Identifier: MIT
"""Shared by standalone-test.py and tests/guest/linux-guest-test.py:
fail(), a QMP client, and the wait for a background Weston's socket."""
import json
import os
import socket
import sys
import time


def fail(reason):
    print(f"FAIL: {reason}")
    sys.exit(1)


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
