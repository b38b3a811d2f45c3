#!/bin/bash
# SPDX-License-Identifier: MIT
# vmplane-debug against the real weston binary (headless, our renderer and
# module): with --debug it injects a reset and reports the reset and its
# recovery, then the counters; a bad status is a usage error; in safe mode
# an injection is refused at once with the reason; without
# --debug the debug interface is missing and the tool says so; with no
# compositor it says it cannot connect.
# usage: debug-tool-test.sh TOOL RENDERER.so vmplane.so
set -u
tool=$1 renderer=$2 module=$3

export GALLIUM_DRIVER=llvmpipe
export WESTON_MODULE_MAP="gl-renderer.so=$renderer;vmplane.so=$module"
export XDG_RUNTIME_DIR
XDG_RUNTIME_DIR=$(mktemp -d /tmp/vmplane-debug-tool.XXXXXX)
chmod 700 "$XDG_RUNTIME_DIR"
weston_pid=
cleanup() {
	[ -n "$weston_pid" ] && kill "$weston_pid" 2>/dev/null && wait "$weston_pid" 2>/dev/null
	rm -rf "$XDG_RUNTIME_DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- weston log"; cat "$XDG_RUNTIME_DIR/weston.log"; exit 1; }

start_weston() {
	weston --backend=headless-backend.so --use-gl --modules=vmplane.so \
		--socket=vmplane-debug-tool --idle-time=0 "$@" \
		>"$XDG_RUNTIME_DIR/weston.log" 2>&1 &
	weston_pid=$!
	for _ in $(seq 100); do
		[ -S "$XDG_RUNTIME_DIR/vmplane-debug-tool" ] && return 0
		kill -0 "$weston_pid" 2>/dev/null || fail "weston exited"
		sleep 0.1
	done
	fail "weston did not create its socket"
}
stop_weston() {
	kill "$weston_pid"; wait "$weston_pid" 2>/dev/null; weston_pid=
}
export WAYLAND_DISPLAY=vmplane-debug-tool

start_weston --debug
if grep -q "GPU reset recovery disabled" "$XDG_RUNTIME_DIR/weston.log"; then
	echo "SKIP: no robust context on llvmpipe here"
	exit 77
fi

out=$("$tool" inject guilty) || fail "inject guilty exited $?: $out"
echo "$out"
grep -qx "reset 1 status=guilty" <<<"$out" || fail "no reset line"
grep -Eqx "recovered 1 after [0-9]+\.[0-9]{3} ms" <<<"$out" || fail "no recovered line"
[ "$(head -1 <<<"$out")" = "reset 1 status=guilty" ] || fail "recovered before reset"

out=$("$tool" inject innocent) || fail "inject innocent exited $?"
grep -qx "reset 2 status=innocent" <<<"$out" || fail "no second reset line: $out"

out=$("$tool" counters) || fail "counters exited $?"
echo "$out"
grep -qx "resets 2" <<<"$out" || fail "resets not 2"
grep -qx "recoveries 2" <<<"$out" || fail "recoveries not 2"
grep -qx "safe_mode 0" <<<"$out" || fail "safe mode"
grep -Eqx "frames_drawn [1-9][0-9]*" <<<"$out" || fail "no drawn frames"
grep -qx "frames_undrawn 0" <<<"$out" || fail "undrawn frames"

"$tool" inject sideways >/dev/null 2>&1
[ $? -eq 2 ] || fail "a bad status is not a usage error"
stop_weston

# In safe mode (a budget of 0: the first reset) an injection is refused at
# once, with the reason, not after the tool's 10 s timeout.
VMPLANE_RESET_BUDGET=0 VMPLANE_SAFE_QUIET_MS=3600000 start_weston --debug
out=$("$tool" inject guilty)
rc=$?
[ $rc -eq 3 ] || fail "the first reset did not end in safe mode ($rc): $out"
grep -q "^degraded 1" <<<"$out" || fail "no degraded line: $out"
start=$(date +%s)
err=$("$tool" inject guilty 2>&1)
rc=$?
echo "$err"
[ $rc -eq 4 ] || fail "inject in safe mode exited $rc"
grep -q "refused the injection: the renderer is in safe mode" <<<"$err" ||
	fail "no reason given"
[ $(($(date +%s) - start)) -lt 5 ] || fail "the refusal took too long"
stop_weston

# `counters` must exit 1 with the given message ($2) in the situation $1.
expect_counters_error() {
	local err rc
	err=$("$tool" counters 2>&1)
	rc=$?
	echo "$err"
	[ $rc -eq 1 ] || fail "counters $1 exited $rc"
	grep -q "$2" <<<"$err" || fail "no clear error $1"
}

start_weston
expect_counters_error "without --debug" "vmplane_debug_v1 is not advertised"
stop_weston
expect_counters_error "without a compositor" "cannot connect to the Wayland display"
echo "PASS"
