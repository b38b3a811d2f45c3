# SPDX-License-Identifier: MIT
# Finds the Debian archive this machine's apt already uses, so the private
# apt lists of our scripts go through the same mirror or proxy. Source it.
# shellcheck shell=bash

# vmp_apt_uri KIND CODENAME: prints the URI of the first apt source that
# serves Debian's main archive (KIND main) or its security archive (KIND
# security) with the component main; returns 1 when there is none. A source
# naming CODENAME is preferred over one naming another Debian release.
# Reads $VMPLANE_APT_ETC (default /etc/apt): sources.list and
# sources.list.d/*.list (one-line format), sources.list.d/*.sources (deb822).
vmp_apt_uri() {
	local kind=$1 codename=$2 etc=${VMPLANE_APT_ETC:-/etc/apt}
	local files=() f
	[ -f "$etc/sources.list" ] && files+=("$etc/sources.list")
	for f in "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 1
	_vmp_apt_entries "${files[@]}" |
		awk -v kind="$kind" -v codename="$codename" '
		# Suites are CODENAME, CODENAME-updates, CODENAME-security, ...
		function base(s) { sub(/(-security|\/updates|-updates|-backports|-proposed-updates)$/, "", s); return s }
		BEGIN {
			n = split("buster bullseye bookworm trixie forky duke sid " \
				"oldoldstable oldstable stable testing unstable", r, " ")
			for (i = 1; i <= n; i++) debian[r[i]] = 1
			best = 3
		}
		$1 != "deb" && $1 != "deb-src" { next }
		$2 ~ /^cdrom:/ { next }
		(kind == "security") != ($3 ~ /(-security|\/updates)$/) { next }
		{
			main = 0
			for (i = 4; i <= NF; i++) if ($i == "main") main = 1
			if (!main) next
			rank = base($3) == codename ? 1 : (base($3) in debian) ? 2 : 3
			if (rank < best) { best = rank; uri = $2 }
		}
		END {
			if (best == 3) exit 1
			sub(/\/+$/, "", uri)
			print uri
		}'
}

# Prints one line "TYPE URI SUITE COMPONENTS..." per type, URI and suite
# of the given sources files, in apt's order; disabled entries are left out.
_vmp_apt_entries() {
	local f
	for f in "$@"; do
		case $f in
		*.sources) awk '
			function flush(   t, u, s, nt, nu, ns, i, j, k) {
				if (tolower(enabled) != "no") {
					nt = split(types, t, " "); nu = split(uris, u, " ")
					ns = split(suites, s, " ")
					for (i = 1; i <= nt; i++) for (j = 1; j <= nu; j++)
						for (k = 1; k <= ns; k++)
							print t[i], u[j], s[k], comps
				}
				types = uris = suites = comps = enabled = field = ""
			}
			/^#/ { next }
			/^[ \t]*$/ { flush(); next }
			# A continuation line extends the field above it.
			/^[ \t]/ { value[field] = value[field] " " $0; set(field, value[field]); next }
			{
				field = tolower($0); sub(/:.*/, "", field)
				v = $0; sub(/^[^:]*:[ \t]*/, "", v)
				value[field] = v; set(field, v)
			}
			function set(name, v) {
				gsub(/[ \t]+/, " ", v)
				if (name == "types") types = v
				else if (name == "uris") uris = v
				else if (name == "suites") suites = v
				else if (name == "components") comps = v
				else if (name == "enabled") enabled = v
			}
			END { flush() }' "$f";;
		*) awk '
			# Options in brackets may hold spaces: drop them first.
			{ sub(/#.*/, ""); gsub(/\[[^]]*\]/, " "); $1 = $1 }
			NF >= 3 { print }' "$f";;
		esac
	done
}
