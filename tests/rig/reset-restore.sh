#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs inside the rig (tests/rig/run): dma-buf content restored after a GPU
# reset with no new commit. Weston 10's DRM backend on vkms, our renderer
# built without the injector (weston_plugin/nofault) and reset-shim.so
# preloaded, so the resets come from the driver's own answers. A udmabuf
# client and a vgem client each commit one two-colour dma-buf once; a shm
# client commits again when told, only to make Weston repaint. After each
# reset, vkms writeback must capture exactly the frame captured before.
# WESTON_FORCE_RENDERER keeps the dma-bufs off the overlay planes: the
# point is our renderer importing them again after the reset.
#
# Usage: reset-restore.sh <rig-restore-client> <rig-wb-capture> \
#            <gl-renderer.so (nofault)> <vmplane.so> <reset-shim.so>
set -u
client=$1
capture=$2
renderer=$3
module=$4
shim=$5
out=${RIG_OUT:-/tmp}
# shellcheck source=tests/rig/lib.sh
. "${0%/*}/lib.sh"
rm -f "$out"/restore.* "$out/weston.log"

find_vkms

fifo=$out/restore.shim.fifo
rm -f "$fifo"
mkfifo "$fifo"
# Held open read-write: a write never blocks, even if Weston is gone.
exec 3<>"$fifo"
# The fifo and preload reach Weston alone (reset-shim.h).
start_weston "$out/restore.weston.ini" "WESTON_MODULE_MAP=gl-renderer.so=$renderer \
	WESTON_FORCE_RENDERER=1 LD_PRELOAD=$shim VMPLANE_RESET_SHIM_FIFO=$fifo \
	VMPLANE_RESET_BUDGET=1000" -l log,drm-backend,vmplane --debug --modules="$module"
check "weston loaded our renderer" grep -qF "Loading module '$renderer'" "$weston_log"
sleep 1

# Each client logs its requests (WAYLAND_DEBUG): the commits are counted
# from the wire, not from the client's own word.
pid=
for src in udmabuf vgem shm; do
	WAYLAND_DISPLAY=rig WAYLAND_DEBUG=client "$client" --source=$src \
		--steps="$out/restore.$src" >"$out/restore.$src.log" 2>"$out/restore.$src.wire" 3>&- &
	eval "pid_$src=$!"
	# Generous: Weston's first GL frames in a TCG guest on a loaded host.
	check "$src client drew its frame" wait_for 1900 test -f "$out/restore.$src.ready"
done
checks="$(cat "$out/restore.udmabuf.ready" "$out/restore.vgem.ready" "$out/restore.shm.ready" 2>/dev/null)"

# capture_once <name> <checks...>: writeback capture of the current frame.
# On a loaded host a writeback can stall; it is then killed (Weston, which
# it stopped, goes on) and tried again.
capture_once() {
	name=$1
	shift
	wb_capture "$capture" "$out/restore.$name.ppm" "$out/restore.capture.$name.log" "$@"
}

capture() {
	capture_once "$@"
	[ $? = 124 ] || return $capture_rc
	capture_once "$@"
}

# shim_fired <fault> <n>: the shim answered n calls of that fault, none left.
shim_fired() {
	rm -f "$out/restore.shim.report"
	echo "report $out/restore.shim.report" >&3
	wait_for 100 test -f "$out/restore.shim.report" &&
		grep -qx "$1 pending=0 fired=$2" "$out/restore.shim.report"
}

recovered_lines() { grep -c 'recovered #' "$weston_log"; }
recovered_since() { [ "$(recovered_lines)" -gt "$1" ]; }

# shellcheck disable=SC2086
check "before: writeback shows both dma-bufs' patterns ($checks)" capture before $checks
check "no view was on an overlay plane (GL composition forced)" \
	sh -c "! grep -q 'on Overlay plane' '$weston_log'"

nudge=0
# reset <name> <control line> <fault> <count>: arm the shim, make Weston
# repaint through the shm client, wait for the recovery, capture.
reset() {
	name=$1
	line=$2
	fault=$3
	count=$4
	before=$(recovered_lines)
	stamp "reset: $name"
	echo "$line" >&3
	nudge=$((nudge + 1))
	touch "$out/restore.shm.nudge.$nudge"
	check "$name: the renderer recovered" wait_for 1200 recovered_since "$before"
	check "$name: the shim answered $count call(s), none pending" shim_fired "$fault" "$count"
	# The recovered line is logged after the first good frame.
	# shellcheck disable=SC2086
	check "$name: writeback after the recovery equals the frame before" \
		capture "$name" "same:$out/restore.before.ppm" $checks
}
# Mesa 22.3 on GBM/vkms (llvmpipe) offers no robust context, so the
# renderer never queries a reset status there: only EGL and GL errors can
# signal a reset (bench/reset-soak-clients.py soaks the statuses). With
# one output the context stays current, so eglMakeCurrent is not armed.
if grep -q 'no robust context' "$weston_log"; then
	echo "# no robust context in the rig: reset statuses are not exercised here"
else
	reset "guilty status" "status 2 guilty" status 2
fi
reset "failed swap" "swap 1" swap 1
reset "GL_CONTEXT_LOST from glGetError" "gl-error 1" gl-error 1
reset "second failed swap" "swap 1" swap 2

grep 'vmplane.*\(reset\|recovered\|degraded\) #' "$weston_log" | sed 's/^/  /'
check "no safe mode" sh -c "! grep -q 'degraded #' '$weston_log'"

for src in udmabuf vgem shm; do
	touch "$out/restore.$src.quit"
done
for src in udmabuf vgem shm; do
	eval "pid=\$pid_$src"
	wait "$pid"
	rc=$?
	sed 's/^/  client: /' "$out/restore.$src.log"
	check "$src client checks passed" test $rc = 0
done
for src in udmabuf vgem; do
	# Attaching a buffer (not the nil one) is what a content commit needs.
	attaches=$(grep -c 'wl_surface@[0-9]*\.attach(wl_buffer@' "$out/restore.$src.wire")
	commits_after=$(awk '/wl_surface@[0-9]*\.attach\(wl_buffer@/ { a = 1; next }
		a && /wl_surface@[0-9]*\.commit\(/ { n++ } END { print n + 0 }' "$out/restore.$src.wire")
	check "$src: one buffer attached on the wire ($attaches)" test "$attaches" = 1
	check "$src: one commit after it on the wire ($commits_after)" test "$commits_after" = 1
done

finish
