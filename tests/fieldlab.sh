#!/usr/bin/env bash
# tests/fieldlab.sh - the programs clusters run that Debian 12 does not ship, fetched from Debian's
# newer suites into the checkout's ignored .cache/fieldlab/ (../shared/reference/field-lab.md §1),
# unpacked with dpkg -x, nothing installed. Offline once cached.
#
# usage: bash tests/fieldlab.sh            fetch what is missing; print one "name dir" line each
#        source tests/fieldlab.sh; fieldlab_dir NAME   (after a fetch) the unpacked tree or ""
# NAME: containerd-1.7, containerd-2.1, busybox-1.37, distribution-2.8. Each version is pinned: when the archive no
# longer serves it, the line says "missing" and why, and the suites that need it say "# not run".
FIELDLAB_PKGS='containerd-1.7:containerd=1.7.24~ds1-*:trixie
containerd-2.1:containerd=2.1.9+ds1-*:sid
busybox-1.37:busybox-static=1:1.37.0-*:trixie
distribution-2.8:docker-registry=2.8.3+ds1-2*:trixie'
FIELDLAB_ROOT=${FIELDLAB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/fieldlab}

# fieldlab_dir NAME: the unpacked tree of NAME, if it is there
fieldlab_dir() { [ -f "$FIELDLAB_ROOT/$1/.done" ] && echo "$FIELDLAB_ROOT/$1"; }

# fieldlab_apt COMMAND ARGS...: apt-get or apt-cache with a private list directory (trixie and
# sid), the system untouched
fieldlab_apt() {
	local cmd=$1; shift
	local d=$FIELDLAB_ROOT/apt uri
	uri=$(sed -n 's/^URIs: //p' /etc/apt/sources.list.d/debian.sources 2> /dev/null | head -n 1)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2> /dev/null)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	printf 'deb %s trixie main\ndeb %s sid main\n' "$uri" "$uri" > "$d/sources.list"
	"$cmd" -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts=/dev/null \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" -o APT::Sandbox::User=root "$@"
}

# fieldlab_fetch NAME PKG=VERSIONGLOB: download the newest matching version and unpack it
fieldlab_fetch() {
	local name=$1 pkg=${2%%=*} glob=${2#*=} v dir=$FIELDLAB_ROOT/$1
	[ -f "$dir/.done" ] && return 0
	v=$(fieldlab_apt apt-cache madison "$pkg" 2> /dev/null | awk -F' *[|] *' '{ print $2 }' |
		while read -r x; do case $x in $glob) echo "$x" ;; esac; done | head -n 1)
	[ -n "$v" ] || { echo "$name missing: $pkg $glob is no longer in trixie/sid" >&2; return 1; }
	rm -rf "$dir" "$FIELDLAB_ROOT/dl-$name"; mkdir -p "$FIELDLAB_ROOT/dl-$name"
	(cd "$FIELDLAB_ROOT/dl-$name" && fieldlab_apt apt-get -qq download "$pkg=$v") > "$FIELDLAB_ROOT/$name.log" 2>&1 &&
		dpkg -x "$FIELDLAB_ROOT"/dl-"$name"/*.deb "$dir" && echo "$pkg $v" > "$dir/.done" || {
		echo "$name missing: download of $pkg=$v failed (see $FIELDLAB_ROOT/$name.log)" >&2; return 1; }
	rm -rf "$FIELDLAB_ROOT/dl-$name"
}

fieldlab_main() {
	local line name spec updated=
	mkdir -p "$FIELDLAB_ROOT"
	while IFS= read -r line; do
		name=${line%%:*} spec=${line#*:}; spec=${spec%:*}
		if [ ! -f "$FIELDLAB_ROOT/$name/.done" ] && [ -z "$updated" ]; then
			fieldlab_apt apt-get -qq update > "$FIELDLAB_ROOT/update.log" 2>&1 ||
				echo "fieldlab: apt-get update of trixie/sid failed (see $FIELDLAB_ROOT/update.log)" >&2
			updated=1
		fi
		if fieldlab_fetch "$name" "$spec"; then
			echo "$name $FIELDLAB_ROOT/$name $(cat "$FIELDLAB_ROOT/$name/.done")"
		else
			echo "$name missing"
		fi
	done <<< "$FIELDLAB_PKGS"
}

[ "${BASH_SOURCE[0]}" != "$0" ] || fieldlab_main
