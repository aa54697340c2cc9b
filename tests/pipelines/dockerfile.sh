# shellcheck shell=bash
# tests/pipelines/dockerfile.sh - sourced by tests/pipelines.sh (its helpers, $tmp, $BIN, the tools).
# krm/Dockerfile: the build stage builds, the runtime stage has exactly what the binary links, non-root, the binary as entrypoint
DF=$REPO/krm/Dockerfile
# df FILE: one instruction a line, "STAGE<TAB>INSTRUCTION<TAB>ARGUMENTS", continuation lines
# joined, comment and blank lines dropped (as BuildKit does, also inside a continuation)
df() {
	awk '
	/^[ \t]*#/ || /^[ \t]*$/ { next }
	{
		line = cont ? line " " $0 : $0
		if (sub(/\\[ \t]*$/, "", line)) { cont = 1; next }
		cont = 0
		sub(/^[ \t]+/, "", line)
		instr = toupper(line); sub(/[ \t].*/, "", instr)
		args = line; sub(/^[^ \t]+[ \t]*/, "", args)
		if (instr == "FROM") stage++
		print stage "\t" instr "\t" args
		line = ""
	}' "$1"
}
# apt_pkgs ARGS: the package names of an `apt-get install` in a RUN command
apt_pkgs() {
	printf '%s\n' "$1" | sed -n 's/.*apt-get[^&]* install \([^&;]*\).*/\1/p' | tr ' \t' '\n\n' |
		grep -v -e '^-' -e '^$' -e '^\\$' | sort -u
}
# deb_of PATH: the Debian package owning PATH (usrmerge: also tried with and without /usr)
deb_of() {
	local p real c
	p=$1
	real=$(readlink -f "$p")
	for c in "$p" "$real" "${real#/usr}" "/usr$p"; do
		dpkg -S "$c" 2> /dev/null | sed -n '1s/:.*//p' | grep . && return 0
	done
	return 1
}
# base_pkgs: what every Debian base image has: the Essential packages and everything they
# (pre-)depend on (first alternatives), from this Debian's dpkg database
base_pkgs() {
	dpkg-query -W -f='${Package}\t${Essential}\t${Pre-Depends}, ${Depends}\n' | awk -F '\t' '
	{ deps[$1] = $3; if ($2 == "yes") q[++n] = $1 }
	END {
		for (i = 1; i <= n; i++) {
			p = q[i]; if (p in seen) continue; seen[p] = 1; print p
			m = split(deps[p], d, ",")
			for (j = 1; j <= m; j++) {
				x = d[j]; sub(/\|.*/, "", x); sub(/\(.*/, "", x); gsub(/[ \t]/, "", x); sub(/:.*/, "", x)
				if (x != "" && (x in deps) && !(x in seen)) q[++n] = x
			}
		}
	}' | sort -u
}

df "$DF" > "$tmp/df"
nstages=$(awk -F '\t' '$2 == "FROM"' "$tmp/df" | wc -l)
build_from=$(awk -F '\t' '$1 == 1 && $2 == "FROM" { print $3 }' "$tmp/df")
final_from=$(awk -F '\t' '$1 == 2 && $2 == "FROM" { print $3 }' "$tmp/df")
build_name=$(printf '%s\n' "$build_from" | awk 'toupper($2) == "AS" { print $3 }')

# -- stages: exactly two, both on a pinned Debian 12 point release, the first one named
need '[ "$nstages" = 2 ]' "$nstages FROM stages, want 2 (build, runtime)" "$tmp/df"
need '[ -n "$build_name" ]' "the build stage has no name (FROM ... AS NAME)" "$tmp/df"
for f in "${build_from%% *}" "${final_from%% *}"; do
	need '[[ $f =~ ^(docker\.io/library/)?debian:12\.[0-9]+(-slim)?$ ]]' \
		"FROM $f: want a pinned Debian 12 point release (debian:12.N-slim), never a moving tag"
done
report "dockerfile two pinned Debian 12 stages"

# -- build stage: its RUN commands, run here on exactly what its COPY lines copy, build the binary
root=$tmp/rootfs
mkdir -p "$root"
wd=/
: > "$tmp/build-apt"
while IFS=$'\t' read -r stage instr args; do
	[ "$stage" = 1 ] || continue
	[ -z "$why" ] || break
	case $instr in
	WORKDIR)
		case $args in /*) wd=$args ;; *) wd=$wd/$args ;; esac
		mkdir -p "$root$wd"
		;;
	COPY)
		read -r -a w <<< "$args"
		need '[[ ${w[0]} != --* ]]' "build stage: COPY $args: options not expected"
		dest=${w[-1]}
		[[ $dest == /* ]] || dest=$wd/$dest
		for src in "${w[@]:0:${#w[@]}-1}"; do
			if [ -d "$REPO/$src" ]; then
				mkdir -p "$root$dest" && cp -a "$REPO/$src/." "$root$dest/"
			elif [[ $dest == */ ]] || [ "${#w[@]}" -gt 2 ]; then
				mkdir -p "$root$dest" && cp -a "$REPO/$src" "$root$dest/"
			else
				mkdir -p "$(dirname "$root$dest")" && cp -a "$REPO/$src" "$root$dest"
			fi
			rc=$?
			need '[ $rc = 0 ]' "build stage: COPY $src: not in the repository"
		done
		;;
	RUN)
		if [[ $args == *apt-get* ]]; then
			apt_pkgs "$args" >> "$tmp/build-apt" # checked below; apt cannot run here
		else
			(cd "$root$wd" && env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
				HOME=/root timeout 300 sh -c "$args") > "$tmp/build.log" 2>&1
			rc=$?
			need '[ $rc = 0 ]' "build stage: RUN $args: failed here" "$tmp/build.log"
		fi
		;;
	esac
done < "$tmp/df"
# the binary the runtime stage copies, as the build stage left it
read -r -a cp_from <<< "$(awk -F '\t' '$1 == 2 && $2 == "COPY" { print $3; exit }' "$tmp/df")"
built=${cp_from[1]:-/nonexistent}
need '[ -x "$root$built" ] && [ -f "$root$built" ]' "build stage: $built (what the runtime stage copies) was not built" "$tmp/build.log"
need '"$root$built" --version 2>&1 | grep -q "^registry-addon "' "build stage: $built --version does not run"
report "dockerfile build stage builds the binary here"

# -- build stage's packages: the compiler, make, pkg-config, libc headers, and the -dev package
#    of every pkg-config module the Makefile links; all real Debian 12 packages (installed here)
sort -u -o "$tmp/build-apt" "$tmp/build-apt"
{
	printf '%s\n' gcc libc6-dev make pkg-config
	for m in $(sed -n 's/^PKGS[ \t]*:=//p' Makefile); do
		deb_of "$(pkg-config --path "$m")" || echo "?pkg-config:$m"
	done
} | sort -u > "$tmp/build-want"
missing=$(comm -13 "$tmp/build-apt" "$tmp/build-want" | tr '\n' ' ')
need '[ -z "$missing" ]' "build stage: apt-get install lacks: $missing" "$tmp/build-apt"
for p in $(cat "$tmp/build-apt"); do
	need 'dpkg-query -W -f="\${Status}" "$p" 2> /dev/null | grep -q "install ok installed"' \
		"build stage: $p is not a Debian 12 package installed here"
done
report "dockerfile build stage installs what the Makefile needs"

# -- runtime stage: the packages of exactly the libraries ldd lists for the binary the build
#    stage built (BIN may be a sanitizer build) and those it opens when needed, less the base
#    image's
base_pkgs > "$tmp/base"
rtbin=$root$built
need '[ -x "$rtbin" ]' "no binary from the build stage to run ldd on"
ldd "$rtbin" 2> /dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' > "$tmp/libs"
# and the libraries it opens with dlopen() when it needs them (src/ossl.h: libcrypto.so.3), by the
# names it holds, where this machine's loader finds them
for n in $(strings -a "$rtbin" | grep -Ex 'lib[a-z0-9_+-]+\.so\.[0-9]+' | sort -u); do
	ldconfig -p | awk -v n="$n" '$1 == n && /x86-64/ { print $NF; exit }'
done >> "$tmp/libs"
for l in $(cat "$tmp/libs"); do
	deb_of "$l" || echo "?$l"
done | sort -u | comm -23 - "$tmp/base" > "$tmp/rt-want"
awk -F '\t' '$1 == 2 && $2 == "RUN" { print $3 }' "$tmp/df" | while IFS= read -r r; do apt_pkgs "$r"; done |
	sort -u > "$tmp/rt-apt"
need '[ -s "$tmp/libs" ] && ! grep -q "^?" "$tmp/rt-want"' "ldd ${rtbin#"$root"}: a library no package owns: $(grep '^?' "$tmp/rt-want")"
missing=$(comm -13 "$tmp/rt-apt" "$tmp/rt-want" | tr '\n' ' ')
extra=$(comm -23 "$tmp/rt-apt" "$tmp/rt-want" | tr '\n' ' ')
need '[ -z "$missing" ]' "runtime stage: apt-get install lacks $missing(the binary needs them)" "$tmp/libs"
need '[ -z "$extra" ]' "runtime stage: apt-get install has $extra(no library the binary loads needs them, or the base image has them)" "$tmp/libs"
need 'grep -q "/libcrypto\.so\.3$" "$tmp/libs"' "the libcrypto.so.3 the binary opens when needed (src/ossl.h) is not among its libraries" "$tmp/libs"
report "dockerfile runtime packages = the libraries ldd lists and those the binary opens ($(tr '\n' ' ' < "$tmp/rt-want" | sed 's/ $//'))"

# -- final stage: only the binary copied in, numeric non-root USER after every RUN,
#    exec-form ENTRYPOINT on the copied binary
awk -F '\t' '$1 == 2' "$tmp/df" > "$tmp/final"
ncopy=$(awk -F '\t' '$2 == "COPY" || $2 == "ADD"' "$tmp/final" | wc -l)
need '[ "$ncopy" = 1 ]' "final stage: $ncopy COPY/ADD instructions, want exactly 1 (the binary)" "$tmp/final"
need '[ "${cp_from[0]:-}" = "--from=$build_name" ] && [ ${#cp_from[@]} = 3 ]' \
	"final stage: want COPY --from=$build_name BINARY DEST, got: COPY ${cp_from[*]}"
need '[ "$(basename "$built")" = registry-addon ] && [ "$built" = "$(awk -F "\t" '\''$1 == 1 && $2 == "WORKDIR" { w = $3 } END { print w }'\'' "$tmp/df")/build/registry-addon" ]' \
	"final stage: copies $built, not the build stage's build/registry-addon"
dest=${cp_from[2]:-}
user=$(awk -F '\t' '$2 == "USER" { u = $3 } END { print u }' "$tmp/final")
need '[[ $user =~ ^[0-9]+(:[0-9]+)?$ ]] && [ "${user%%:*}" != 0 ]' "final stage: USER '$user': want a numeric, non-root uid (runAsNonRoot needs a number)"
need '[ "$(awk -F "\t" '\''$2 == "RUN" { r = NR } $2 == "USER" { u = NR } END { print (u > r) }'\'' "$tmp/final")" = 1 ]' \
	"final stage: USER must come after every RUN (and be set at all)"
ep=$(awk -F '\t' '$2 == "ENTRYPOINT" { e = $3 } END { print e }' "$tmp/final")
ep0=$(node -e 'try { const e = JSON.parse(process.argv[1]); console.log(Array.isArray(e) && e.length === 1 ? e[0] : "") } catch { console.log("") }' "$ep")
need '[ -n "$ep0" ] && [ "$ep0" = "$dest" ]' "final stage: ENTRYPOINT $ep: want [\"$dest\"] (exec form, the copied binary, no shell)"
need 'grep -q "^2	LABEL	.*org\.opencontainers\.image\.title=" "$tmp/df"' "final stage: no OCI labels (org.opencontainers.image.*)"
# the version label's default is the version the build takes from plugin.yaml
pver=$(sed -n 's/^version: *//p' "$REPO/plugin/registry-addon/plugin.yaml")
dver=$(awk -F '\t' '$1 == 2 && $2 == "ARG" && $3 ~ /^VERSION=/ { sub(/^VERSION=/, "", $3); print $3 }' "$tmp/df")
need '[ -n "$pver" ] && [ "$dver" = "$pver" ]' "final stage: ARG VERSION=$dver, but plugin/registry-addon/plugin.yaml says $pver"
report "dockerfile final stage: the binary only, USER $user, ENTRYPOINT $ep"
