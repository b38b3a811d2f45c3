# SPDX-License-Identifier: MIT
# Sourced by the tests here that start Weston in the background: waits for
# it to create its socket. Needs the caller's $weston_pid and fail().

# $1: the socket's name in $XDG_RUNTIME_DIR; fails if Weston exits first
# or has not created it within 10 s.
wait_for_socket() {
	for _ in $(seq 100); do
		[ -S "$XDG_RUNTIME_DIR/$1" ] && return 0
		kill -0 "$weston_pid" 2>/dev/null || fail "weston exited"
		sleep 0.1
	done
	fail "weston did not create its socket"
}
