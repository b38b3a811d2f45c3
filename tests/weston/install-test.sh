#!/bin/bash
# SPDX-License-Identifier: MIT
# The installed layout: `meson install` into a temporary DESTDIR, then the
# installed weston-vmplane starts headless Weston with the installed
# renderer and module, the installed vmplane-debug reads their counters,
# and Weston started with the installed weston.ini example loads the
# module that it names.
# usage: install-test.sh BUILD-DIR PREFIX BINDIR LIBDIR DATADIR
set -u
. "$(dirname "$0")/weston-socket.sh"
build=$1 prefix=$2
abs() { case $1 in /*) echo "$1";; *) echo "$prefix/$1";; esac; }
bindir=$(abs "$3") libdir=$(abs "$4")/vmplane datadir=$(abs "$5")/vmplane

export GALLIUM_DRIVER=llvmpipe
work=$(mktemp -d /tmp/vmplane-install-test.XXXXXX)
chmod 700 "$work"
dest=$work/dest
export XDG_RUNTIME_DIR=$work/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
unset WESTON_MODULE_MAP WAYLAND_DISPLAY
weston_pid=
cleanup() {
	[ -n "$weston_pid" ] && kill "$weston_pid" 2>/dev/null && wait "$weston_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
log=$XDG_RUNTIME_DIR/weston.log
fail() { echo "FAIL: $*"; [ -f "$log" ] && { echo "--- weston log"; cat "$log"; }; exit 1; }

# $1: socket name; the rest: the command that starts Weston.
start() {
	local socket=$1; shift
	"$@" --backend=headless-backend.so --use-gl --socket="$socket" --idle-time=0 \
		>"$log" 2>&1 &
	weston_pid=$!
	wait_for_socket "$socket"
}
stop() { kill "$weston_pid"; wait "$weston_pid" 2>/dev/null; weston_pid=; }
# The log must hold this line (extended regex, whole line, after the time
# stamp) within 10 s: Weston loads its modules after creating its socket.
expect_line() {
	for _ in $(seq 100); do
		sed 's/^\[[0-9:.]*\] //' "$log" | grep -Eqx -- "$1" && return 0
		sleep 0.1
	done
	fail "no log line: $1"
}
# A fixed string as a regex.
re() { sed 's/[][\.*^$()+?{}|]/\\&/g' <<<"$1"; }

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log"; fail "meson install failed"; }
for f in "$bindir/weston-vmplane" "$bindir/vmplane-debug" "$libdir/gl-renderer.so" \
	"$libdir/vmplane.so" "$datadir/weston.ini.example"; do
	[ -f "$dest$f" ] || fail "$f was not installed"
done
# Nothing may be taken from the build tree: run the copies only.
[ -x "$dest$bindir/weston-vmplane" ] && [ -x "$dest$bindir/vmplane-debug" ] ||
	fail "the installed programs are not executable"

# 1. The wrapper, run from DESTDIR, loads the renderer and module that lie
# next to it; --debug for vmplane-debug.
start vmplane-install "$dest$bindir/weston-vmplane" --debug
expect_line "$(re "Loading module '$dest$libdir/gl-renderer.so'")"
expect_line "$(re "Loading module '$dest$libdir/vmplane.so'")"
expect_line 'vgr: vmplane GL renderer ready \(.*\)'
expect_line "$(re "vmplane: module ready (reset notifications, debug interface)")"

# 2. The installed vmplane-debug answers with every counter, none of them
# counting a reset on a compositor that never had one.
out=$(WAYLAND_DISPLAY=vmplane-install "$dest$bindir/vmplane-debug" counters) ||
	fail "vmplane-debug counters exited $?: $out"
echo "$out"
for line in "resets 0" "recoveries 0" "safe_mode 0" "frames_undrawn 0"; do
	grep -qx "$line" <<<"$out" || fail "vmplane-debug counters: no '$line'"
done
grep -Eqx "frames_drawn [0-9]+" <<<"$out" || fail "vmplane-debug counters: no frames_drawn"
stop

# 3. The weston.ini example, as its header says: the renderer through
# WESTON_MODULE_MAP, the module from the file alone (no --modules).
ini=$dest$datadir/weston.ini.example
WESTON_MODULE_MAP="gl-renderer.so=$dest$libdir/gl-renderer.so;vmplane.so=$dest$libdir/vmplane.so" \
	start vmplane-install-ini weston --config="$ini"
expect_line "$(re "Using config file '$ini'")"
expect_line "$(re "Loading module '$dest$libdir/vmplane.so'")"
expect_line "$(re "vmplane: module ready (reset notifications)")"
stop
echo "installed layout OK"
