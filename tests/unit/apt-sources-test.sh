#!/bin/bash
# SPDX-License-Identifier: MIT
# vmp_apt_uri (scripts/lib/apt-sources.sh) on sample apt configurations in
# both formats: the Debian archive and its security archive are found
# behind any host, foreign repositories and disabled entries are ignored,
# and a machine with no Debian source gets no answer.
# usage: apt-sources-test.sh SOURCE-ROOT
set -u
. "$1/scripts/lib/apt-sources.sh"

etc=$(mktemp -d /tmp/vmplane-apt-sources.XXXXXX)
trap 'rm -rf "$etc"' EXIT
failures=0

# expect CASE KIND CODENAME EXPECTED: vmp_apt_uri over $etc prints EXPECTED
# (an empty EXPECTED: it prints nothing and fails).
expect() {
	local got rc
	got=$(VMPLANE_APT_ETC=$etc vmp_apt_uri "$2" "$3")
	rc=$?
	if [ -z "$4" ] && { [ $rc -eq 0 ] || [ -n "$got" ]; }; then
		echo "FAIL $1: $2 $3: expected no answer, got '$got' (rc $rc)"; failures=$((failures + 1))
	elif [ -n "$4" ] && { [ $rc -ne 0 ] || [ "$got" != "$4" ]; }; then
		echo "FAIL $1: $2 $3: expected '$4', got '$got' (rc $rc)"; failures=$((failures + 1))
	else
		echo "ok   $1: $2 $3 -> ${got:-(none)}"
	fi
}
reset() { rm -rf "${etc:?}"/*; mkdir -p "$etc/sources.list.d"; }

# 1. deb822 as Debian 12 installs it, next to a foreign repository that
# comes first in name order and a disabled file.
reset
cat >"$etc/sources.list.d/a-nodesource.sources" <<'X'
Types: deb
URIs: https://deb.nodesource.com/node_20.x
Suites: nodistro
Components: main
X
cat >"$etc/sources.list.d/debian.sources" <<'X'
Types: deb deb-src
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.corp.example/debian/
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://security.corp.example/debian-security
Suites: bookworm-security
Components: main
X
printf 'deb http://old.example/debian bookworm main\n' >"$etc/sources.list.d/old.list.disabled"
expect deb822 main bookworm http://mirror.corp.example/debian
expect deb822 security bookworm http://security.corp.example/debian-security

# 2. One-line format: options in brackets with spaces, comments, a foreign
# list, a source without main, a disabled paragraph in a .sources file.
reset
cat >"$etc/sources.list" <<'X'
# deb http://commented.example/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/cloud.gpg] https://packages.cloud.example/apt cloud-sdk-bookworm main
deb http://nomain.example/debian bookworm contrib non-free
deb [ arch=amd64 ] http://proxy.lan:3142/deb.debian.org/debian bookworm main # apt-cacher
X
cat >"$etc/sources.list.d/security.list" <<'X'
deb-src	http://proxy.lan:3142/security.debian.org/debian-security	bookworm-security	main
X
cat >"$etc/sources.list.d/off.sources" <<'X'
Enabled: no
Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
X
expect one-line main bookworm http://proxy.lan:3142/deb.debian.org/debian
expect one-line security bookworm http://proxy.lan:3142/security.debian.org/debian-security

# 3. A machine on another release: its mirror serves bookworm too, but a
# source naming the wanted release wins wherever it is; the pre-bookworm
# security suite name (CODENAME/updates) counts as security.
reset
cat >"$etc/sources.list" <<'X'
deb http://trixie.example/debian trixie main
deb http://sec.example/debian-security bullseye/updates main
X
expect other-release main bookworm http://trixie.example/debian
expect other-release security bookworm http://sec.example/debian-security
cat >"$etc/sources.list.d/z.sources" <<'X'
Types: deb
URIs:
 http://bookworm.example/debian
Suites: bookworm-backports
Components: main
X
expect preferred main bookworm http://bookworm.example/debian

# 4. Nothing from Debian that is enabled: no answer (the callers stop with
# an error).
reset
printf 'deb http://archive.ubuntu.example/ubuntu jammy main\n' >"$etc/sources.list"
cat >"$etc/sources.list.d/off.sources" <<'X'
Types: deb
URIs: http://disabled.example/debian
Suites: bookworm bookworm-security
Components: main
Enabled: no
X
expect ubuntu main bookworm ""
expect ubuntu security bookworm ""
reset
expect empty main bookworm ""

[ $failures -eq 0 ]
