# SPDX-License-Identifier: MIT
# Shared helpers for vmplane's scripts. Source it; it defines no globals
# beyond the VMPLANE_* settings below.

VMPLANE_ROOT=${VMPLANE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VMPLANE_CACHE=${VMPLANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmplane}

. "$(dirname "${BASH_SOURCE[0]}")/apt-sources.sh"

vmp_say() { printf '\033[1m[vmplane]\033[0m %s\n' "$*" >&2; }
vmp_die() { printf '\033[1;31m[vmplane] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs as root directly, through sudo otherwise.
vmp_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# A private apt configuration: our own sources list, lists and cache, so
# /etc/apt is never touched. Prints the -o options apt-get needs.
# $1: a directory for apt state; remaining args: sources.list lines.
vmp_private_apt() {
	local dir=$1; shift
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	printf '%s\n' "$@" > "$dir/sources.list.new"
	if ! cmp -s "$dir/sources.list.new" "$dir/sources.list" 2>/dev/null; then
		mv "$dir/sources.list.new" "$dir/sources.list"
		rm -f "$dir/updated"
	else
		rm -f "$dir/sources.list.new"
	fi
	echo "-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/nonexistent" \
	     "-o Dir::State::Lists=$dir/lists -o Dir::Cache=$dir/cache" \
	     "-o Debug::NoDropPrivs=true -o APT::Sandbox::User=root"
}

# Refreshes a private apt configuration's lists once a day.
vmp_private_apt_update() {
	local dir=$1 opts=$2
	if [ -z "$(find "$dir/updated" -mmin -1440 2>/dev/null)" ]; then
		# shellcheck disable=SC2086
		apt-get $opts -q update >&2 || return 1
		touch "$dir/updated"
	fi
}

# Fetches and unpacks a Debian source package into the cache.
# $1: source package, $2: version. Prints the unpacked directory.
vmp_debian_source() {
	local pkg=$1 ver=$2
	local base="$VMPLANE_CACHE/src/$pkg-$ver"
	if [ -f "$base/.unpacked" ]; then
		echo "$base/tree"; return 0
	fi
	vmp_say "fetching Debian source $pkg=$ver"
	local aptdir="$VMPLANE_CACHE/apt-src" opts archive security
	local key=/usr/share/keyrings/debian-archive-keyring.gpg
	# The machine's own mirror (a company mirror, a proxy) serves us too.
	archive=$(vmp_apt_uri main bookworm) ||
		vmp_die "no apt source serves Debian's archive with 'main' (looked in ${VMPLANE_APT_ETC:-/etc/apt}/sources.list{,.d/*.list,.d/*.sources})"
	local lines=("deb-src [signed-by=$key] $archive bookworm main")
	if security=$(vmp_apt_uri security bookworm); then
		lines+=("deb-src [signed-by=$key] $security bookworm-security main")
	fi
	lines+=("deb-src [signed-by=$key] $archive bookworm-updates main")
	opts=$(vmp_private_apt "$aptdir" "${lines[@]}")
	vmp_private_apt_update "$aptdir" "$opts" || vmp_die "apt-get update failed for the private source list"
	rm -rf "$base" && mkdir -p "$base/dl"
	# shellcheck disable=SC2086
	(cd "$base/dl" && apt-get $opts -q source --download-only "$pkg=$ver" >&2) ||
		vmp_die "apt-get source $pkg=$ver failed (has the version moved? apt-cache policy $pkg)"
	(cd "$base/dl" && dpkg-source --no-check -x ./*.dsc "$base/tree" >&2) ||
		vmp_die "dpkg-source could not unpack $pkg=$ver"
	touch "$base/.unpacked"
	echo "$base/tree"
}

# The Debian source version an installed binary package was built from.
vmp_source_version() {
	dpkg-query -W -f='${source:Version}' "$1" 2>/dev/null
}
