#!/usr/bin/env bash
# tests/node.sh - src/node/node-trust.sh on a fake host: each test makes a fresh "host root" in
# a temp dir, points every path variable into it (the config file's own paths point elsewhere,
# so the environment must win), and runs the script as `busybox sh node-trust.sh CONFIG` with only
# busybox applets on PATH, as in the DaemonSet's busybox image. Covered: the files and their exact
# content (IPv4, IPv6, ports), idempotence, atomic writes, the safety contract with foreign files,
# health gating (a PROBE command and the built-in wget probe), garbage collection, the CA check,
# containerd's config_path (check, ifMissing patch, backup, restart), remove mode, the loop (a CA
# change, SIGTERM) and static checks. No network beyond loopback; no container runtime.
#
# With BIN, also what ships: the script in BIN's ConfigMap is this file byte for byte, the config
# BIN writes drives a pass as generated (only the host paths redirected), and the DaemonSet mounts
# every path that config names (tests/node/manifest.mjs, needs node and tests/schema/node_modules).
#
# usage: bash tests/node.sh [BIN]   (needs busybox and openssl; python3 with tomllib is optional)
# shellcheck disable=SC2034  # variables read only by the conditions t evals
set -u
export LC_ALL=C
bin=${1:-}
case $bin in '' | /*) ;; *) bin=$PWD/$bin ;; esac
cd "$(dirname "$0")/.." || exit 2
SUITE=node
. tests/lib.sh
script=$PWD/src/node/node-trust.sh
BB=/usr/bin/busybox
HEADER='# Managed by registry-addon (registry-addon.dev); do not edit. Removed when the add-on is removed.'

if [ ! -x "$BB" ] || ! command -v openssl > /dev/null; then
	bad "prerequisites (busybox at $BB and openssl)"; finish
fi
tomllib=
python3 -c 'import tomllib' 2> /dev/null && tomllib=1
[ -n "$tomllib" ] || note "python3 has no tomllib: TOML files checked with grep only"

# a PATH with only busybox applets
bindir=$tmp/bin
busybox_path "$BB" "$bindir"

# two throw-away CAs
mkca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" -days 1 \
		-keyout "$tmp/$1.key" -out "$tmp/$1.crt" 2> /dev/null
}
mkca ca1 && mkca ca2 || { bad "openssl makes a test CA"; finish; }

# host NAME [KEY=value...]: a fresh host root $h and its config $h/cfg (these values, then the
# KEY=values), with containerd's config.toml reading $D; sets D CC CRD CRC DOC
host() {
	h=$tmp/$1
	shift
	rm -rf "$h"
	mkdir -p "$h/containerd"
	D=$h/containerd/certs.d CC=$h/containerd/config.toml CRD=$h/containers/registries.conf.d
	CRC=$h/containers/certs.d DOC=$h/docker/certs.d
	cat > "$h/cfg" <<-EOF
		# registry-addon node trust: sourced by node-trust.sh (test)
		MODE='install'
		REGISTRY_HOST='10.96.0.20'
		REGISTRY_URL='https://10.96.0.20'
		MIRROR_URL='https://10.96.0.21'
		OWN_COPIES_URL='https://10.96.0.21:5443'
		REGISTRY_NAMES='registry registry.registry-system builds.example.com'
		MIRRORS='docker.io,https://registry-1.docker.io,docker.io,10.96.0.21:5100 quay.io,https://quay.io,quay.io,10.96.0.21:5101'
		RUNTIMES='containerd cri-o docker'
		CONFIGURE_CONTAINERD='never'
		CONTAINERD_CERTS_D='$h/wrong/certs.d'
		CONTAINERD_CONFIG='$h/wrong/config.toml'
		CA_FILE='$h/wrong/ca.crt'
		STATE_DIR='$h/wrong/state'
		CRIO_REGISTRIES_D='$h/wrong/registries.conf.d'
		CRIO_CERTS_D='$h/wrong/containers-certs.d'
		DOCKER_CERTS_D='$h/wrong/docker-certs.d'
		RESTART_CONTAINERD='touch $h/wrong-restart'
	EOF
	local kv
	for kv in "$@"; do cfgset "${kv%%=*}" "${kv#*=}"; done
	cp "$tmp/ca1.crt" "$h/ca.crt"
	printf 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "%s"\n' "$D" > "$CC"
}
# cfgset KEY VALUE: KEY='VALUE' in $h/cfg
cfgset() { sed -i "/^$1=/d" "$h/cfg"; printf "%s='%s'\n" "$1" "$2" >> "$h/cfg"; }

# scriptenv [VAR=value...] CMD...: exec CMD with only the host's paths and test commands in the
# environment (call it in a subshell)
scriptenv() {
	exec env -i PATH="$bindir" CA_FILE="$h/ca.crt" CONTAINERD_CERTS_D="$D" CONTAINERD_CONFIG="$CC" \
		CRIO_REGISTRIES_D="$CRD" CRIO_CERTS_D="$CRC" DOCKER_CERTS_D="$DOC" STATE_DIR="$h/state" \
		CRIO_REGISTRIES_CONF="$h/containers/registries.conf" CRIO_CONFIG_DIR="$h/crio" \
		PROBE=true RESTART_CONTAINERD="echo restart >> '$h/restarts'" ONCE=1 "$@"
}
# run [VAR=value...]: one pass (ONCE=1; VARs override); stderr in $h/log, stdout in $h/out; sets rc
run() { (scriptenv "$@" "$BB" sh "$script" "$h/cfg" > "$h/out" 2> "$h/log"); rc=$?; }

# helpers for conditions
logs() { grep -qxF "registry-addon: $1" "$h/log"; }		# logs LINE: that exact line
nlogs() { grep -c "$1" "$h/log"; }				# nlogs REGEX: how many lines
is() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }		# is FILE CONTENT (ignoring the last \n)
ours() { [ "$(head -n 1 "$1")" = "$HEADER" ]; }
ready() { [ -f "$h/state/ready" ]; }
# ours_in DIR...: the files under DIRs whose first line is HEADER
ours_in() { local f; while read -r f; do ours "$f" && echo "$f"; done < <(find "$@" -type f 2> /dev/null); }
# snapshot: every file under the host with inode and mtime (to the ns)
snapshot() {
	find "$h" -path "$h/state" -prune -o -type f ! -name log ! -name out -printf '%p %i %T@\n' | sort
}
tmpfiles() { find "$h" -name '*.registry-addon.tmp' | grep -c .; }
toml() {
	[ -z "$tomllib" ] || python3 -c 'import sys, tomllib
for f in sys.argv[1:]: tomllib.load(open(f, "rb"))' "$@"
}
# host_order FILE: the keys of FILE's host table, in order, via tomllib
host_order() {
	python3 -c 'import sys, tomllib; print(" ".join(tomllib.load(open(sys.argv[1], "rb"))["host"]))' "$1" 2>&1
}
# config_paths FILE: "grpc images" config_path values, via tomllib
config_paths() {
	python3 -c 'import sys, tomllib; p = tomllib.load(open(sys.argv[1], "rb"))["plugins"]
print(p["io.containerd.grpc.v1.cri"]["registry"]["config_path"],
      p["io.containerd.cri.v1.images"]["registry"]["config_path"])' "$1"
}

ca1="$HEADER
$(cat "$tmp/ca1.crt")"
ca2="$HEADER
$(cat "$tmp/ca2.crt")"
# the registry's names: the writer (pushes too), then the read-only copies on the mirror Service
ip_toml="$HEADER
[host.\"https://10.96.0.20\"]
  capabilities = [\"pull\", \"resolve\", \"push\"]
  ca = \"\$D/10.96.0.20/ca.crt\"

[host.\"https://10.96.0.21:5443\"]
  capabilities = [\"pull\", \"resolve\"]
  ca = \"\$D/10.96.0.20/ca.crt\""
# without OWN_COPIES_URL (a config written before issue 12): the writer only
ip_toml1="$HEADER
[host.\"https://10.96.0.20\"]
  capabilities = [\"pull\", \"resolve\", \"push\"]
  ca = \"\$D/10.96.0.20/ca.crt\""
# expect TEMPLATE: TEMPLATE with $D of this host
expect() { printf '%s' "${1//\$D/$D}"; }

# --- static checks
"$BB" sh -n "$script" 2> "$tmp/n.err"; st=$?
t "busybox sh -n accepts the script" '[ $st = 0 ]' "$tmp/n.err"
if command -v shellcheck > /dev/null; then
	shellcheck -s sh "$script" > "$tmp/sc.out" 2>&1; st=$?
	t "shellcheck -s sh finds nothing" '[ $st = 0 ]' "$tmp/sc.out"
else
	note "shellcheck not installed: skipped"
fi
if command -v checkbashisms > /dev/null; then
	checkbashisms -p "$script" > "$tmp/cb.out" 2>&1; st=$?
	t "checkbashisms finds nothing" '[ $st = 0 ]' "$tmp/cb.out"
else
	note "checkbashisms not installed: skipped"
fi
n=$(awk 'length > 109' "$script" | grep -c .)
t "script lines are under 110 characters" '[ "$n" = 0 ]'
grep -nP '\t| $|[^\x00-\x7f]' "$script" > "$tmp/blanks.out"; st=$?
t "script has no tabs, trailing blanks or non-ASCII (embedded as a YAML block literal)" \
	'[ $st = 1 ]' "$tmp/blanks.out"

"$BB" sh "$script" > /dev/null 2>&1; st=$?
t "no config file argument: exit 2" '[ $st = 2 ]'

# --- a pass: every file with its exact content
host basic
run
t "basic: exit 0 and ready" '[ $rc = 0 ] && ready' "$h/log"
t "basic: logs to stderr only" '[ ! -s "$h/out" ] && [ "$(nlogs "^registry-addon: wrote ")" = 24 ]' "$h/log"
t "basic: the ClusterIP's ca.crt is HEADER + CA" 'is "$D/10.96.0.20/ca.crt" "$ca1"'
t "basic: the ClusterIP's hosts.toml: the writer (pull, resolve, push), then the copies (pull, resolve)" \
	'is "$D/10.96.0.20/hosts.toml" "$(expect "$ip_toml")"'
ok=1
for n in registry registry.registry-system builds.example.com; do
	is "$D/$n/hosts.toml" "$(expect "$ip_toml")" || ok=
	[ ! -e "$D/$n/ca.crt" ] || ok=
done
t "basic: each name's hosts.toml maps it to the writer, then the copies (no ca.crt there)" '[ -n "$ok" ]'
# an upstream: its path in the mirror (the preloaded content), then its pull-through cache, then
# the server (containerd tries the hosts in this order, the server last)
docker_toml="$HEADER
server = \"https://registry-1.docker.io\"

[host.\"https://10.96.0.21/v2/docker.io\"]
  capabilities = [\"pull\", \"resolve\"]
  ca = \"\$D/10.96.0.20/ca.crt\"
  override_path = true
  dial_timeout = \"2s\"

[host.\"https://10.96.0.21:5100/v2\"]
  capabilities = [\"pull\", \"resolve\"]
  ca = \"\$D/10.96.0.20/ca.crt\"
  override_path = true
  dial_timeout = \"2s\""
# mirror_toml UPSTREAM ENDPOINT PATH [MIRROR [CLUSTERIP [CACHE]]]: the [host."URL"] table form (the
# mirror's host, default 10.96.0.21; the ClusterIP's ca.crt, default 10.96.0.20; the cache's
# HOST:PORT, default none)
mirror_toml() {
	printf '%s\nserver = "%s"\n' "$HEADER" "$2"
	mirror_table "https://${4:-10.96.0.21}/v2/$3" "${5:-10.96.0.20}"
	[ -z "${6:-}" ] || mirror_table "https://$6/v2" "${5:-10.96.0.20}"
}
mirror_table() {
	printf '\n[host."%s"]\n  capabilities = ["pull", "resolve"]\n  ca = "%s/%s/ca.crt"\n' "$1" "$D" "$2"
	printf '  override_path = true\n  dial_timeout = "2s"\n'
}
# mirror_dotted UPSTREAM ENDPOINT PATH MIRROR CLUSTERIP [CACHE]: dotted keys under [host] (1.x, IPv6)
mirror_dotted() {
	printf '%s\nserver = "%s"\n\n[host]\n' "$HEADER" "$2"
	mirror_keys "https://$4/v2/$3" "$5"
	[ -z "${6:-}" ] || { echo; mirror_keys "https://$6/v2" "$5"; }
}
mirror_keys() {
	printf '  "%s".capabilities = ["pull", "resolve"]\n  "%s".ca = "%s/%s/ca.crt"\n' "$1" "$1" "$D" "$2"
	printf '  "%s".override_path = true\n  "%s".dial_timeout = "2s"\n' "$1" "$1"
}
t "basic: docker.io's hosts.toml: the mirror's /v2/docker.io, then the cache at 10.96.0.21:5100/v2" \
	'is "$D/docker.io/hosts.toml" "$(expect "$docker_toml")"' "$D/docker.io/hosts.toml"
t "basic: quay.io's hosts.toml: /v2/quay.io, then its cache at 10.96.0.21:5101" \
	'is "$D/quay.io/hosts.toml" "$(mirror_toml quay.io https://quay.io quay.io 10.96.0.21 10.96.0.20 10.96.0.21:5101)"'
# crio_own NAME [COPIES]: a name's [[registry]]: the writer, then (mirrors, tried first) the writer
# and the copies at COPIES (default 10.96.0.21:5443; "-": none)
crio_own() {
	printf '[[registry]]\nprefix = "%s"\nlocation = "10.96.0.20"' "$1"
	[ "${2:-}" = - ] || printf '\n\n[[registry.mirror]]\nlocation = "10.96.0.20"\n\n[[registry.mirror]]\nlocation = "%s"' \
		"${2:-10.96.0.21:5443}"
}
# crio_up UPSTREAM [MIRROR [CACHE]]: an upstream's [[registry]], its mirror at MIRROR (default
# 10.96.0.21), then its cache at CACHE (HOST:PORT; default none)
crio_up() {
	printf '[[registry]]\nprefix = "%s"\nlocation = "%s"\n\n[[registry.mirror]]\nlocation = "%s/%s"' \
		"$1" "$1" "${2:-10.96.0.21}" "$1"
	[ -z "${3:-}" ] || printf '\n\n[[registry.mirror]]\nlocation = "%s"' "$3"
}
crio_conf="$HEADER
$(crio_own registry)

$(crio_own registry.registry-system)

$(crio_own builds.example.com)

$(crio_up docker.io 10.96.0.21 10.96.0.21:5100)

$(crio_up quay.io 10.96.0.21 10.96.0.21:5101)"
t "basic: the cri-o drop-in (names: 10.96.0.20 then 10.96.0.21:5443; upstreams: 10.96.0.21/PATH, then the cache)" \
	'is "$CRD/registry-addon.conf" "$crio_conf"' "$CRD/registry-addon.conf"
ok=1
for d in "$CRC" "$DOC"; do
	for n in 10.96.0.20 registry registry.registry-system builds.example.com 10.96.0.21 10.96.0.21:5443 \
		10.96.0.21:5100 10.96.0.21:5101; do
		is "$d/$n/ca.crt" "$ca1" || ok=
	done
done
t "basic: cri-o's and docker's ca.crt for the ClusterIP, each name, the mirror, the copies and the caches (host:port)" \
	'[ -n "$ok" ]'
t "basic: containerd gets no dir for the mirror, the copies or the caches (hosts.toml names its ca)" \
	'[ ! -e "$D/10.96.0.21" ] && [ ! -e "$D/10.96.0.21:5443" ] && [ ! -e "$D/10.96.0.21:5100" ]'
n=$(find "$D" "$h/containers" "$h/docker" -type f | grep -c .)
ok=1
while read -r f; do ours "$f" || ok=; done < <(find "$D" "$h/containers" "$h/docker" -type f)
t "basic: all 24 files start with HEADER" '[ "$n" = 24 ] && [ -n "$ok" ]'
ok=1
while read -r f; do openssl x509 -in "$f" -noout 2> /dev/null || ok=; done < <(find "$h" -name ca.crt)
t "basic: every ca.crt still parses as PEM (text before BEGIN)" '[ -n "$ok" ]'
toml "$D"/*/hosts.toml "$CRD/registry-addon.conf" 2> "$tmp/toml.err"; st=$?
t "basic: the hosts.toml files and the drop-in are TOML" '[ $st = 0 ]' "$tmp/toml.err"
t "basic: the environment's paths win over the config file's" '[ ! -e "$h/wrong" ]'
t "basic: no temp files left" '[ "$(tmpfiles)" = 0 ]'

# --- a second pass changes nothing; a change goes through rename
before=$(snapshot)
run
after=$(snapshot)
t "again: exit 0, no file touched (inode, mtime)" '[ $rc = 0 ] && [ "$before" = "$after" ]' "$h/log"
t "again: logs no write or removal" '[ "$(nlogs "wrote\|removed")" = 0 ]' "$h/log"
i1=$(stat -c %i "$D/10.96.0.20/ca.crt")
cp "$tmp/ca2.crt" "$h/ca.crt"
echo junk > "$D/quay.io/.hosts.toml.registry-addon.tmp"
run
i2=$(stat -c %i "$D/10.96.0.20/ca.crt")
t "new CA: every ca.crt rewritten" 'is "$D/10.96.0.20/ca.crt" "$ca2" && is "$DOC/registry/ca.crt" "$ca2" &&
	[ "$(nlogs "^registry-addon: wrote ")" = 17 ]' "$h/log"
t "new CA: written by rename (new inode)" '[ "$i1" != "$i2" ]'
t "new CA: a temp file left by an interrupted write is removed" \
	'[ "$(tmpfiles)" = 0 ] && logs "removed $D/quay.io/.hosts.toml.registry-addon.tmp"' "$h/log"

# --- IPv6, ports. containerd 1.x (go-toml v1) refuses "]" in a table header, 2.x reads only table
# headers: the form follows config.toml (version 2 here: 1.x, dotted keys under [host], which 1.x
# orders by line where inline tables have none; version 3: 2.x, tables).
# containers/image has no IPv6 literal in a location: CRI-O gets the CA files only
host v6 "REGISTRY_HOST=[fd00::14]" "REGISTRY_URL=https://[fd00::14]" "REGISTRY_NAMES=registry" \
	"MIRRORS=myreg:5000,https://myreg:5000,myreg-5000,[fd00::15]:5100" "MIRROR_URL=https://[fd00::15]" \
	"OWN_COPIES_URL=https://[fd00::15]:5443"
run
t "ipv6: exit 0" '[ $rc = 0 ]' "$h/log"
t "ipv6, containerd 1.x: [fd00::14]/ca.crt and hosts.toml, two entries as dotted keys under [host], writer first" \
	'is "$D/[fd00::14]/ca.crt" "$ca1" && is "$D/[fd00::14]/hosts.toml" "$HEADER
[host]
  \"https://[fd00::14]\".capabilities = [\"pull\", \"resolve\", \"push\"]
  \"https://[fd00::14]\".ca = \"$D/[fd00::14]/ca.crt\"

  \"https://[fd00::15]:5443\".capabilities = [\"pull\", \"resolve\"]
  \"https://[fd00::15]:5443\".ca = \"$D/[fd00::14]/ca.crt\"" &&
	logs "containerd: hosts.toml entries as dotted keys under [host] (IPv6 ClusterIP, $CC of containerd 1.x (no version = 3))"' \
	"$h/log" "$D/[fd00::14]/hosts.toml"
t "ipv6, containerd 1.x: myreg:5000/hosts.toml: /v2/myreg-5000, then the cache [fd00::15]:5100/v2, dotted keys" \
	'is "$D/myreg:5000/hosts.toml" "$(mirror_dotted myreg:5000 https://myreg:5000 myreg-5000 "[fd00::15]" "[fd00::14]" "[fd00::15]:5100")"' \
	"$D/myreg:5000/hosts.toml"
if [ -n "$tomllib" ]; then
	order=$(host_order "$D/myreg:5000/hosts.toml")
	t "ipv6, containerd 1.x: TOML: the dotted keys make the hosts in order ($order)" \
		'[ "$order" = "https://[fd00::15]/v2/myreg-5000 https://[fd00::15]:5100/v2" ]'
fi
t "ipv6: CRI-O gets the CA only (no drop-in), and says why once" '[ ! -e "$CRD/registry-addon.conf" ] &&
	is "$CRC/[fd00::14]/ca.crt" "$ca1" && is "$CRC/registry/ca.crt" "$ca1" &&
	is "$CRC/[fd00::15]/ca.crt" "$ca1" && is "$CRC/[fd00::15]:5443/ca.crt" "$ca1" && is "$CRC/[fd00::15]:5100/ca.crt" "$ca1" &&
	[ "$(nlogs "CRI-O: wrote the CA only: containers/image cannot use an IPv6 literal")" = 1 ]' "$h/log"
t "ipv6: docker CA dirs (the ClusterIP, the name, the mirror, the copies)" 'is "$DOC/[fd00::14]/ca.crt" "$ca1" &&
	is "$DOC/registry/ca.crt" "$ca1" && is "$DOC/[fd00::15]/ca.crt" "$ca1" && is "$DOC/[fd00::15]:5443/ca.crt" "$ca1"'
printf 'version = 3\n\n[plugins."io.containerd.cri.v1.images".registry]\n  config_path = "%s"\n' "$D" > "$CC"
run
t "ipv6, containerd 2.x (version = 3): the same files as [host.\"URL\"] tables" '[ $rc = 0 ] &&
	is "$D/myreg:5000/hosts.toml" "$(mirror_toml myreg:5000 https://myreg:5000 myreg-5000 "[fd00::15]" "[fd00::14]" "[fd00::15]:5100")" &&
	is "$D/registry/hosts.toml" "$HEADER
[host.\"https://[fd00::14]\"]
  capabilities = [\"pull\", \"resolve\", \"push\"]
  ca = \"$D/[fd00::14]/ca.crt\"

[host.\"https://[fd00::15]:5443\"]
  capabilities = [\"pull\", \"resolve\"]
  ca = \"$D/[fd00::14]/ca.crt\"" && [ "$(nlogs "^registry-addon: wrote ")" = 3 ]' "$h/log"
host port "REGISTRY_HOST=10.96.0.20:8443" "REGISTRY_URL=https://10.96.0.20:8443" \
	"REGISTRY_NAMES=registry:8443 registry.registry-system.svc:8443" "RUNTIMES=containerd docker" "OWN_COPIES_URL="
run
t "port, OWN_COPIES_URL empty: host:port dirs for the ClusterIP, the names and the caches, the writer only" \
	'is "$D/registry:8443/hosts.toml" "$HEADER
[host.\"https://10.96.0.20:8443\"]
  capabilities = [\"pull\", \"resolve\", \"push\"]
  ca = \"$D/10.96.0.20:8443/ca.crt\"" && is "$DOC/registry.registry-system.svc:8443/ca.crt" "$ca1" &&
	is "$DOC/10.96.0.21/ca.crt" "$ca1" && is "$DOC/10.96.0.21:5100/ca.crt" "$ca1" &&
	[ "$(find "$DOC" -name ca.crt | grep -c .)" = 6 ]'
t "port: no cri-o files when cri-o is not among RUNTIMES" '[ ! -e "$h/containers" ]'

# --- a config written before issue 12 (no MIRROR_URL, no OWN_COPIES_URL, MIRRORS of 3 fields): the
# mirror is REGISTRY_URL, the names have one host, no cache; exactly the files of before
host old "MIRROR_URL=" "OWN_COPIES_URL=" \
	"MIRRORS=docker.io,https://registry-1.docker.io,docker.io quay.io,https://quay.io,quay.io"
run
t "no MIRROR_URL: ready, the probe asks REGISTRY_URL" '[ $rc = 0 ] && ready &&
	logs "registry mirror at https://10.96.0.20 answers; mirrors on"' "$h/log"
ok=1
for n in 10.96.0.20 registry registry.registry-system builds.example.com; do is "$D/$n/hosts.toml" "$(expect "$ip_toml1")" || ok=; done
t "no MIRROR_URL: the ClusterIP's and names' hosts.toml: the writer only" '[ -n "$ok" ]'
t "no MIRROR_URL: docker.io's hosts.toml mirrors to https://10.96.0.20/v2/docker.io" \
	'is "$D/docker.io/hosts.toml" "$(mirror_toml docker.io https://registry-1.docker.io docker.io 10.96.0.20)"'
t "no MIRROR_URL: the cri-o drop-in: names -> 10.96.0.20 (no mirror entries), docker.io -> 10.96.0.20/docker.io" \
	'is "$CRD/registry-addon.conf" "$HEADER
$(crio_own registry -)

$(crio_own registry.registry-system -)

$(crio_own builds.example.com -)

$(crio_up docker.io 10.96.0.20)

$(crio_up quay.io 10.96.0.20)"' "$CRD/registry-addon.conf"
n=$(find "$D" "$h/containers" "$h/docker" -type f | grep -c .)
t "no MIRROR_URL: the 16 files of before, no ca.crt dir for another host" \
	'[ "$n" = 16 ] && [ -z "$(find "$h" -name "10.96.0.21*")" ]'

# --- the pull-through caches (issue 15): the 4th field of a MIRRORS entry, HOST:PORT on the mirror
# Service. Without it (3 fields, a config before issue 15, or an empty 4th) an upstream has the
# mirror's path only; a cache that is not HOST:PORT is refused where it enters: logged, the node
# not ready, the upstream mirrored without it
host nocache "MIRRORS=docker.io,https://registry-1.docker.io,docker.io quay.io,https://quay.io,quay.io,"
run
t "no cache (docker.io: 3 fields, quay.io: the 4th empty): ready, one host each, the mirror's path" \
	'[ $rc = 0 ] && ready &&
	is "$D/docker.io/hosts.toml" "$(mirror_toml docker.io https://registry-1.docker.io docker.io)" &&
	is "$D/quay.io/hosts.toml" "$(mirror_toml quay.io https://quay.io quay.io)"' "$h/log"
t "no cache: the cri-o drop-in has one mirror per upstream" 'is "$CRD/registry-addon.conf" "$HEADER
$(crio_own registry)

$(crio_own registry.registry-system)

$(crio_own builds.example.com)

$(crio_up docker.io)

$(crio_up quay.io)"' "$CRD/registry-addon.conf"
n=$(find "$D" "$h/containers" "$h/docker" -type f | grep -c .)
t "no cache: the 20 files of before, no ca.crt dir for a cache" \
	'[ "$n" = 20 ] && [ -z "$(find "$h" -name "*:51*")" ]'
host onecache "MIRRORS=docker.io,https://registry-1.docker.io,docker.io quay.io,https://quay.io,quay.io,10.96.0.21:5101"
run
t "one cache: quay.io gets its cache, docker.io (3 fields) only the mirror; the drop-in likewise" \
	'[ $rc = 0 ] && is "$D/docker.io/hosts.toml" "$(mirror_toml docker.io https://registry-1.docker.io docker.io)" &&
	is "$D/quay.io/hosts.toml" "$(mirror_toml quay.io https://quay.io quay.io 10.96.0.21 10.96.0.20 10.96.0.21:5101)" &&
	[ "$(sed -n "/^prefix = \"quay.io\"/,\$p" "$CRD/registry-addon.conf")" = "$(crio_up quay.io 10.96.0.21 10.96.0.21:5101 | tail -n +2)" ] &&
	[ "$(sed -n "/^prefix = \"docker.io\"/,/^\$/p" "$CRD/registry-addon.conf" | grep -c "^location")" = 1 ] &&
	grep -qxF "location = \"10.96.0.21/docker.io\"" "$CRD/registry-addon.conf"' "$h/log" "$CRD/registry-addon.conf"
if [ -n "$tomllib" ]; then
	order=$(host_order "$D/quay.io/hosts.toml")
	t "one cache: TOML: the hosts in order, the mirror first ($order)" \
		'[ "$order" = "https://10.96.0.21/v2/quay.io https://10.96.0.21:5101/v2" ]'
fi
# bad caches: each refused, the rest of the pass as without it
for bc in 10.96.0.21 fd00::21:5100 "[fd00::21]" 10.96.0.21:0 10.96.0.21:05100 10.96.0.21:65536 \
	10.96.0.21:5100/v2 https://10.96.0.21:5100 ../x:5100 :5100 "[fd00::zz]:5100" "[]:5100" "a\"b:1"; do
	host badcache "MIRRORS=docker.io,https://registry-1.docker.io,docker.io,$bc quay.io,https://quay.io,quay.io,10.96.0.21:5101"
	run
	msg="refused cache \"$bc\" of mirror docker.io: not HOST:PORT ([IPv6]:PORT); mirrored without it"
	t "bad cache $bc: refused (logged, the reason), not ready; docker.io mirrored without it, quay.io's cache kept" \
		'[ $rc = 1 ] && ! ready && logs "$msg" && [ "$(cat "$h/state/reason")" = "$msg" ] &&
		is "$D/docker.io/hosts.toml" "$(mirror_toml docker.io https://registry-1.docker.io docker.io)" &&
		is "$D/quay.io/hosts.toml" "$(mirror_toml quay.io https://quay.io quay.io 10.96.0.21 10.96.0.20 10.96.0.21:5101)" &&
		[ "$(ls "$CRC" | tr "\n" " ")" = "10.96.0.20 10.96.0.21 10.96.0.21:5101 10.96.0.21:5443 builds.example.com registry registry.registry-system " ] &&
		[ "$(ls "$DOC" | tr "\n" " ")" = "$(ls "$CRC" | tr "\n" " ")" ] && [ ! -e "$h/x:5100" ] &&
		! grep -qxF "location = \"$bc\"" "$CRD/registry-addon.conf"' "$h/log"
done
host fivefields "MIRRORS=docker.io,https://registry-1.docker.io,docker.io,10.96.0.21:5100,x quay.io,https://quay.io,quay.io,10.96.0.21:5101"
run
t "5 fields: the entry refused whole (logged), not ready; quay.io written" '[ $rc = 1 ] && ! ready &&
	logs "refused mirror \"docker.io,https://registry-1.docker.io,docker.io,10.96.0.21:5100,x\": not upstream,https://endpoint,path[,cache]" &&
	[ ! -e "$D/docker.io" ] && [ -f "$D/quay.io/hosts.toml" ] && [ ! -e "$CRC/10.96.0.21:5100" ]' "$h/log"
# an IPv6 cache with an IPv4 ClusterIP (a dual-stack cluster): containerd 1.x gets dotted keys
# (go-toml v1 refuses "]" in a table header), CRI-O no mirror entry for it (no IPv6 literal in a
# location: every pull of the prefix would fail), both its CA
host v6cache "MIRRORS=docker.io,https://registry-1.docker.io,docker.io,[fd00::21]:5100"
run
t "IPv6 cache, IPv4 ClusterIP, containerd 1.x: dotted keys, the mirror then the cache" '[ $rc = 0 ] &&
	is "$D/docker.io/hosts.toml" "$(mirror_dotted docker.io https://registry-1.docker.io docker.io 10.96.0.21 10.96.0.20 "[fd00::21]:5100")" &&
	logs "containerd: hosts.toml entries as dotted keys under [host] (IPv6 ClusterIP, $CC of containerd 1.x (no version = 3))"' \
	"$h/log" "$D/docker.io/hosts.toml"
t "IPv6 cache: CRI-O: the mirror entry only, the cache's CA, logged once" \
	'[ "$(sed -n "/^prefix = \"docker.io\"/,\$p" "$CRD/registry-addon.conf")" = "$(crio_up docker.io | tail -n +2)" ] &&
	is "$CRC/[fd00::21]:5100/ca.crt" "$ca1" && is "$DOC/[fd00::21]:5100/ca.crt" "$ca1" &&
	[ "$(nlogs "CRI-O: no mirror entry for the cache \[fd00::21\]:5100 of docker.io: containers/image cannot use an IPv6")" = 1 ]' \
	"$h/log" "$CRD/registry-addon.conf"
printf 'version = 3\n\n[plugins."io.containerd.cri.v1.images".registry]\n  config_path = "%s"\n' "$D" > "$CC"
run
t "IPv6 cache, containerd 2.x: [host.\"URL\"] tables" '[ $rc = 0 ] &&
	is "$D/docker.io/hosts.toml" "$(mirror_toml docker.io https://registry-1.docker.io docker.io 10.96.0.21 10.96.0.20 "[fd00::21]:5100")"' \
	"$h/log"
toml "$D"/*/hosts.toml 2> "$tmp/toml.err"; st=$?
t "IPv6 cache: the hosts.toml files are TOML" '[ $st = 0 ]' "$tmp/toml.err"

# --- hosts from the config are checked where they enter: one path component each, never a path
# (the binary refuses them before; this is the script's own guard)
host badhosts "REGISTRY_NAMES=registry .. ../etc a/b .hidden" \
	"MIRRORS=docker.io,https://registry-1.docker.io,docker.io ..,https://x.io,x ../../etc,https://x.io,x q.io,https://q.io,../x q.io,https://a\"b,q registry,https://registry,registry"
touch "$h/.mark"
run
n=0; for b in .. ../etc a/b .hidden; do logs "refused registry name \"$b\": not a registry host" && n=$((n + 1)); done
t "hosts: names that are not one path component are refused, each logged" '[ $n = 4 ]' "$h/log"
n=$(nlogs '^registry-addon: refused mirror ')
t "hosts: mirrors with a bad upstream, path or endpoint are refused (4), each logged" '[ "$n" = 4 ]' "$h/log"
t "hosts: a refusal keeps the node not ready, with the first as reason" '[ $rc = 1 ] && ! ready &&
	[ "$(cat "$h/state/reason")" = "refused registry name \"..\": not a registry host" ]' "$h/log"
t "hosts: nothing written outside the host directories" \
	'[ -z "$(find "$h" -newer "$h/.mark" -type f ! -path "$D/*" ! -path "$h/containers/*" ! -path "$h/docker/*" \
		! -path "$h/state/*" ! -name log ! -name out)" ] && [ ! -e "$h/etc" ] && [ ! -e "$D/../x" ]'
t "hosts: an own name listed as an upstream is not mirrored (no rewrite twice a pass)" \
	'logs "not mirroring registry: it is one of the registry'"'"'s own names" &&
	is "$D/registry/hosts.toml" "$(expect "$ip_toml")"' "$h/log"
t "hosts: the valid ones are written" '[ -f "$D/docker.io/hosts.toml" ] && [ -f "$D/registry/hosts.toml" ]'
host badhost "REGISTRY_HOST=../10.96.0.20" "REGISTRY_URL=https://../10.96.0.20"
run
t "hosts: a REGISTRY_HOST that is not a host: exit 2, nothing written" \
	'[ $rc = 2 ] && [ ! -e "$D" ] && grep -q "REGISTRY_HOST \"../10.96.0.20\" in .* is not a registry host" "$h/log"' "$h/log"
# the URLs too: https://HOST, HOST one path component
for kv in "MIRROR_URL=http://10.96.0.21" "MIRROR_URL=https://10.96.0.21/../x" "MIRROR_URL=10.96.0.21" \
	"OWN_COPIES_URL=https://10.96.0.21:5443/v2" "OWN_COPIES_URL=https://" "REGISTRY_URL=https://a b"; do
	host badurl "$kv"
	run
	t "hosts: $kv: exit 2, nothing written, logged" \
		'[ $rc = 2 ] && [ ! -e "$D" ] && [ ! -e "$h/docker" ] && logs "${kv%%=*} \"${kv#*=}\" in $h/cfg is not https://HOST"' "$h/log"
done
host longhost "REGISTRY_NAMES=registry $(printf 'a%.0s' $(seq 256))"
run
t "hosts: a name longer than a file name may be is refused; the pass still writes the rest" \
	'[ $rc = 1 ] && [ -f "$D/registry/hosts.toml" ] && grep -q "refused registry name \"aaaa" "$h/log"' "$h/log"

# --- config in the working directory, config values used when the environment has none
host cwd
cfgset DOCKER_CERTS_D "$h/from-config"
(cd "$h" && scriptenv DOCKER_CERTS_D= "$BB" sh "$script" cfg > "$h/out" 2> "$h/log"); rc=$?
t "config: a relative config file name is read from the working directory" '[ $rc = 0 ]' "$h/log"
t "config: a path only in the config file is used" 'is "$h/from-config/registry/ca.crt" "$ca1"'

# --- foreign files: left alone, logged once, the rest written
host foreign
mkdir -p "$D/docker.io" "$DOC/registry" "$CRD" "$D/registry"
printf 'server = "https://mirror.example"\n' > "$D/docker.io/hosts.toml"
printf 'not ours\n%s\n' "$HEADER" > "$DOC/registry/ca.crt"
printf '[[registry]]\nprefix = "x"\n' > "$CRD/registry-addon.conf"
printf '%s\nmine\n' "$HEADER" > "$h/elsewhere.toml"
ln -s "$h/elsewhere.toml" "$D/registry/hosts.toml"
printf 'other\n' > "$D/docker.io/other.toml"
cp -a "$h" "$tmp/foreign.orig"
run
o=$tmp/foreign.orig
same() { cmp -s "$1" "$o${1#"$h"}"; }
t "foreign: a conflict: exit 1, not ready, the first conflict is the reason" '[ $rc = 1 ] && ! ready &&
	[ "$(cat "$h/state/reason")" = "conflict: $D/registry holds $D/registry/hosts.toml, which is not ours (files of ours there would shadow it)" ]' "$h/log"
t "foreign: files without HEADER byte-identical" 'same "$D/docker.io/hosts.toml" &&
	same "$DOC/registry/ca.crt" && same "$CRD/registry-addon.conf" && same "$D/docker.io/other.toml"'
t "foreign: a symlink at a target path is left alone (and what it points to)" \
	'[ -L "$D/registry/hosts.toml" ] && same "$h/elsewhere.toml"'
t "foreign: one conflict line per path" '[ "$(nlogs "^registry-addon: conflict")" = 4 ] &&
	logs "conflict: $D/docker.io holds $D/docker.io/hosts.toml, which is not ours (files of ours there would shadow it); left alone" &&
	logs "conflict: $DOC/registry holds $DOC/registry/ca.crt, which is not ours (files of ours there would shadow it); left alone" &&
	logs "conflict: $CRD/registry-addon.conf exists and is not ours; left alone"' "$h/log"
mkdir -p "$D/ghcr.io" && echo x > "$D/ghcr.io/client.cert" && echo x > "$D/ghcr.io/client.key"
cfgset MIRRORS "ghcr.io,https://ghcr.io,ghcr.io"
run
t "foreign: a certs.d dir holding the node's client certificate gets no hosts.toml (containerd would stop reading it)" \
	'[ ! -e "$D/ghcr.io/hosts.toml" ] && [ $rc = 1 ] && grep -q "conflict: $D/ghcr.io holds $D/ghcr.io/client.\(cert\|key\)" "$h/log"' "$h/log"
cfgset MIRRORS "docker.io,https://registry-1.docker.io,docker.io quay.io,https://quay.io,quay.io"
rm -r "$D/ghcr.io"
run
t "foreign: the other files are written" \
	'is "$D/quay.io/hosts.toml" "$(mirror_toml quay.io https://quay.io quay.io)" &&
	is "$DOC/10.96.0.20/ca.crt" "$ca1" && is "$CRC/registry/ca.crt" "$ca1"'
cfgset MODE remove
run
t "foreign, remove mode: only ours removed; foreign files, the symlink and their dirs kept" '[ $rc = 0 ] &&
	same "$D/docker.io/hosts.toml" && same "$DOC/registry/ca.crt" && same "$CRD/registry-addon.conf" &&
	same "$D/docker.io/other.toml" && [ -L "$D/registry/hosts.toml" ] && same "$h/elsewhere.toml" &&
	[ ! -e "$D/quay.io" ] && [ -z "$(ours_in "$D" "$h/containers" "$h/docker")" ]' "$h/log"

# --- health gating
host health
run PROBE=true
t "health: probe answers -> mirrors on" '[ -f "$D/docker.io/hosts.toml" ] &&
	logs "registry mirror at https://10.96.0.21 answers; mirrors on"' "$h/log"
mkdir -p "$D/quay.io" && echo keep > "$D/quay.io/notes"
run PROBE=false
t "health: probe fails -> mirror hosts.toml removed, logged" '[ ! -e "$D/docker.io/hosts.toml" ] &&
	logs "removed $D/docker.io/hosts.toml" &&
	logs "registry mirror at https://10.96.0.21 does not answer; mirrors withdrawn"' "$h/log"
t "health: emptied mirror dir removed, one with a foreign file kept" \
	'[ ! -e "$D/docker.io" ] && [ -f "$D/quay.io/notes" ] && [ ! -e "$D/quay.io/hosts.toml" ]'
t "health: the registry's own files stay; not ready, the reason names MIRROR_URL" '[ $rc = 1 ] && ! ready &&
	[ "$(cat "$h/state/reason")" = "the registry mirror does not answer at https://10.96.0.21/v2/ from this node (mirrors withdrawn)" ] &&
	is "$D/registry/hosts.toml" "$(expect "$ip_toml")" && is "$D/10.96.0.20/ca.crt" "$ca1"'
t "health: cri-o drop-in without the upstreams, the names (and their copies) kept" \
	'is "$CRD/registry-addon.conf" "$HEADER
$(crio_own registry)

$(crio_own registry.registry-system)

$(crio_own builds.example.com)"'
run PROBE=true
t "health: answers again -> mirrors back" 'is "$D/docker.io/hosts.toml" "$(expect "$docker_toml")" &&
	is "$CRD/registry-addon.conf" "$crio_conf"'
cfgset MIRRORS ""
run PROBE="echo probed > '$h/probed'; false"
t "health: without mirrors the probe still runs, and its failure makes the node not ready" \
	'[ $rc = 1 ] && ! ready && [ -e "$h/probed" ]' "$h/log"

# built-in probe: busybox wget of $MIRROR_URL/v2/ (SECLEVEL=0: busybox 1.35's TLS client sends
# no signature_algorithms, so the server must accept SHA-1 handshake signatures, as Go's does);
# REGISTRY_URL points where nothing answers: the probe asks the mirror, not the writer
port=$(free_port)
host wget "MIRROR_URL=https://127.0.0.1:$port" "REGISTRY_URL=https://127.0.0.1:1"
setsid openssl s_server -accept "127.0.0.1:$port" -cert "$tmp/ca1.crt" -key "$tmp/ca1.key" -www -quiet \
	-cipher 'DEFAULT:@SECLEVEL=0' > /dev/null 2>&1 &
srv=$!
groups+=("$srv")
for _ in $(seq 50); do (echo > "/dev/tcp/127.0.0.1/$port") 2> /dev/null && break; sleep 0.1; done
run PROBE=
t "built-in probe: an HTTPS server answers at MIRROR_URL -> mirrors on, ready" \
	'[ -f "$D/docker.io/hosts.toml" ] && [ $rc = 0 ] && logs "registry mirror at https://127.0.0.1:$port answers; mirrors on"' "$h/log"
kill "$srv"; wait "$srv" 2> /dev/null
run PROBE=
t "built-in probe: nothing listens -> mirrors withdrawn, not ready" '[ ! -e "$D/docker.io" ] && [ $rc = 1 ]' "$h/log"

# --- garbage: what the config no longer names
host gc "MIRRORS=docker.io,https://registry-1.docker.io,docker.io quay.io,https://quay.io,quay.io \
ghcr.io,https://ghcr.io,ghcr.io"
run
echo mine > "$D/ghcr.io/notes"
cfgset MIRRORS "docker.io,https://registry-1.docker.io,docker.io"
cfgset REGISTRY_NAMES "registry"
cfgset RUNTIMES "containerd cri-o"
run
t "gc: dropped mirror -> hosts.toml removed, empty dir removed" \
	'[ ! -e "$D/quay.io" ] && logs "removed $D/quay.io/hosts.toml"' "$h/log"
t "gc: a foreign file keeps its dir" '[ -f "$D/ghcr.io/notes" ] && [ ! -e "$D/ghcr.io/hosts.toml" ]'
t "gc: dropped names -> their files and dirs removed" '[ ! -e "$D/builds.example.com" ] &&
	[ ! -e "$CRC/builds.example.com" ] && [ -f "$D/registry/hosts.toml" ] && [ -f "$CRC/registry/ca.crt" ]'
t "gc: dropped runtime (docker) -> its files removed, its top dir kept" \
	'[ -d "$DOC" ] && [ -z "$(ls -A "$DOC")" ]'
t "gc: kept mirror untouched, exit 0" '[ $rc = 0 ] && [ "$(nlogs "wrote")" = 1 ] &&
	[ -f "$D/docker.io/hosts.toml" ]' "$h/log"

# --- the CA
host noca
rm "$h/ca.crt"
mkdir -p "$h/state" && : > "$h/state/ready"
run
t "no CA: exit 1, not ready, logged" \
	'[ $rc = 1 ] && ! ready && grep -q "no CA certificate" "$h/log"' "$h/log"
t "no CA: nothing written" '[ ! -e "$D" ] && [ ! -e "$h/containers" ] && [ ! -e "$h/docker" ]'
cp fixtures/config/ca/garbage.pem "$h/ca.crt" 2> /dev/null || echo garbage > "$h/ca.crt"
run
t "CA not PEM: exit 1, nothing written" '[ $rc = 1 ] && [ ! -e "$D" ] && ! ready' "$h/log"

# --- containerd's config_path
never_msg() {
	printf 'containerd has no config_path in %s; set config_path = "%s" under %s (containerd 1.x) or %s' \
		"$CC" "$D" '[plugins."io.containerd.grpc.v1.cri".registry]' \
		'[plugins."io.containerd.cri.v1.images".registry]'
	printf ' (2.x), or set nodeTrust.configureContainerd: ifMissing'
}
other_msg() {
	printf 'containerd config_path is "%s" in %s, not "%s": hosts.toml files in %s are not read ' "$1" "$CC" "$D" "$D"
	printf '(containerd 2.1+ pulls ignore colon lists unless use_local_image_pull = true): set config_path = "%s" or nodeTrust.containerdConfigPath' "$D"
}
host nocp
printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "pause:3.9"\n' > "$CC"
run
t "no config_path, never: exit 1, not ready, says what to set" \
	'[ $rc = 1 ] && ! ready && logs "$(never_msg)" &&
	[ "$(cat "$h/state/reason")" = "containerd has no config_path in $CC" ]' "$h/log"
host absent
rm "$CC"
run
t "no containerd config and no CRI-O: not ready, no runtime found (k3s paths not set, say)" \
	'[ $rc = 1 ] && ! ready && [ ! -e "$CC" ] && grep -q "^no container runtime found: no $CC (containerd) nor $h/crio/crio.conf(.d) (CRI-O); set nodeTrust.containerdConfigFile" "$h/state/reason"' "$h/log"
t "config absent, never: the files are written anyway" 'is "$D/registry/hosts.toml" "$(expect "$ip_toml")"'
host v3
printf "version = 3\n\n[plugins.'io.containerd.cri.v1.images'.registry]\n  config_path = '%s' # ok\n" \
	"$D" > "$CC"
run
t "config_path equal (version 3, single quotes): ready" '[ $rc = 0 ] && ready' "$h/log"
host other "CONFIGURE_CONTAINERD=ifMissing"
printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "%s"\n' \
	/etc/containerd/certs.d > "$CC"
cp "$CC" "$h/cc.orig"
run
t "config_path elsewhere: not ready, logged, file kept even under ifMissing" '[ $rc = 1 ] && ! ready &&
	logs "$(other_msg /etc/containerd/certs.d)" && cmp -s "$CC" "$h/cc.orig" && [ ! -e "$h/restarts" ]' "$h/log"
printf "version = 3\n[plugins.'io.containerd.cri.v1.images'.registry]\n  config_path = '%s:%s'\n" \
	"$D" /etc/docker/certs.d > "$CC"
run
t "config_path colon list, containerd 2.x (version 3): not ready, logged" \
	'[ $rc = 1 ] && logs "$(other_msg "$D:/etc/docker/certs.d")"' "$h/log"
printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "%s:%s"\n' \
	/etc/docker/certs.d "$D" > "$CC"
run
t "config_path colon list naming it, containerd 1.x (EKS): ready" '[ $rc = 0 ] && ready' "$h/log"
printf 'version = 3\n[plugins."io.containerd.cri.v1.images"]\n  use_local_image_pull = true\n[plugins."io.containerd.cri.v1.images".registry]\n  config_path = "%s:%s"\n' \
	/etc/docker/certs.d "$D" > "$CC"
run
t "config_path colon list, containerd 2.x with use_local_image_pull = true: ready" '[ $rc = 0 ] && ready' "$h/log"

host legacy "CONFIGURE_CONTAINERD=ifMissing"
cat > "$CC" <<-'EOF'
	version = 2
	[plugins."io.containerd.grpc.v1.cri".registry]
	  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
	    endpoint = ["https://mirror.example"]
EOF
cp "$CC" "$h/cc.orig"
run
t "legacy mirrors + ifMissing: refused, not ready, logged" \
	'[ $rc = 1 ] && ! ready && grep -q "legacy registry mirrors" "$h/log"' "$h/log"
t "legacy mirrors + ifMissing: file byte-identical, no backup, no restart" \
	'cmp -s "$CC" "$h/cc.orig" && [ ! -e "$CC.registry-addon.bak" ] && [ ! -e "$h/restarts" ]'

host v1 "CONFIGURE_CONTAINERD=ifMissing"
printf '[plugins.cri]\n  sandbox_image = "pause:3.9"\n' > "$CC"
cp "$CC" "$h/cc.orig"
run
t "version 1 config + ifMissing: refused, file byte-identical" '[ $rc = 1 ] && cmp -s "$CC" "$h/cc.orig" &&
	grep -q "version 1" "$h/log" && [ ! -e "$h/restarts" ]' "$h/log"

host patch "CONFIGURE_CONTAINERD=ifMissing"
cat > "$CC" <<-'EOF'
	version = 2
	root = "/var/lib/containerd"

	[plugins."io.containerd.grpc.v1.cri".registry]
	  # registry settings
	  [plugins."io.containerd.grpc.v1.cri".registry.auths]
EOF
chmod 600 "$CC"
cp "$CC" "$h/cc.orig"
run
t "ifMissing: patched, restarted, ready" '[ $rc = 0 ] && ready &&
	logs "wrote $CC: config_path = \"$D\"; restarting containerd" && logs "restarted containerd"' "$h/log"
t "ifMissing: config_path right after the existing header, table not duplicated" \
	'[ "$(grep -A1 -F "[plugins.\"io.containerd.grpc.v1.cri\".registry]" "$CC" | tail -n 1)" = \
		"  config_path = \"$D\"" ] &&
	[ "$(grep -cF "[plugins.\"io.containerd.grpc.v1.cri\".registry]" "$CC")" = 1 ]'
t "ifMissing: the 2.x table appended, everything else kept" \
	'[ "$(tail -n 2 "$CC")" = "[plugins.\"io.containerd.cri.v1.images\".registry]
  config_path = \"$D\"" ] && [ "$(grep -vF "config_path" "$CC" | head -n 6)" = "$(cat "$h/cc.orig")" ]'
t "ifMissing: .registry-addon.bak is the original, mode kept" \
	'cmp -s "$CC.registry-addon.bak" "$h/cc.orig" && [ "$(stat -c %a "$CC")" = 600 ]'
if [ -n "$tomllib" ]; then
	cps=$(config_paths "$CC" 2>&1)
	t "ifMissing: TOML with config_path under both tables" '[ "$cps" = "$D $D" ]'
fi
run
t "ifMissing: second pass ready, restart ran exactly once, nothing rewritten" '[ $rc = 0 ] &&
	[ "$(grep -c restart "$h/restarts")" = 1 ] && [ "$(nlogs wrote)" = 0 ]' "$h/log"

host default1x "CONFIGURE_CONTAINERD=ifMissing"
cat > "$CC" <<-'EOF'
	version = 2

	[plugins]

	  [plugins."io.containerd.grpc.v1.cri"]

	    [plugins."io.containerd.grpc.v1.cri".registry]
	      config_path = ""

	      [plugins."io.containerd.grpc.v1.cri".registry.mirrors]
EOF
echo "old backup" > "$CC.registry-addon.bak"
run
t "ifMissing, 1.x default (config_path = \"\", empty mirrors table): the empty value replaced" \
	'[ $rc = 0 ] && [ "$(grep -c config_path "$CC")" = 2 ] && ! grep -q "config_path = \"\"" "$CC"' "$h/log"
t "ifMissing: an existing .bak is not overwritten" 'is "$CC.registry-addon.bak" "old backup"'
if [ -n "$tomllib" ]; then
	cps=$(config_paths "$CC" 2>&1)
	t "ifMissing, 1.x default: TOML with config_path under both tables" '[ "$cps" = "$D $D" ]'
fi

host create "CONFIGURE_CONTAINERD=ifMissing"
rm -r "$h/containerd"
run
t "ifMissing, no config.toml: created starting with version = 2" \
	'[ $rc = 0 ] && [ "$(head -n 1 "$CC")" = "version = 2" ] && [ ! -e "$CC.registry-addon.bak" ]' "$h/log"
if [ -n "$tomllib" ]; then
	cps=$(config_paths "$CC" 2>&1)
	t "ifMissing, no config.toml: TOML with config_path under both tables" '[ "$cps" = "$D $D" ]'
else
	t "ifMissing, no config.toml: config_path under both tables" \
		'[ "$(grep -c "config_path = \"$D\"" "$CC")" = 2 ]'
fi
run
t "ifMissing, no config.toml: restart ran once over two passes" \
	'[ $rc = 0 ] && [ "$(grep -c restart "$h/restarts")" = 1 ] && [ ! -e "$h/wrong-restart" ]' "$h/log"

host restartfail "CONFIGURE_CONTAINERD=ifMissing"
rm "$CC"
run RESTART_CONTAINERD='echo no systemd; exit 3'
t "ifMissing, restart fails: not ready, logged with its output" \
	'[ $rc = 1 ] && ! ready && logs "restarting containerd failed (status 3): no systemd"' "$h/log"

# --- remove mode
host remove "CONFIGURE_CONTAINERD=ifMissing"
rm "$CC"
printf 'version = 2\nroot = "/x"\n' > "$CC"
run
mkdir -p "$CRC/elsewhere"
echo foreign > "$D/registry/notes.toml"
echo foreign > "$CRC/elsewhere/ca.crt"
echo foreign > "$CRD/other.conf"
echo foreign > "$DOC/registry/client.cert"
echo junk > "$DOC/registry/.ca.crt.registry-addon.tmp"
cp "$CC" "$h/cc.patched"
cfgset MODE remove
# (the sweep does not depend on the URLs: a Removed config of an older add-on has none)
cfgset MIRROR_URL ""; cfgset OWN_COPIES_URL ""
rm "$h/ca.crt"
before_ours=$(ours_in "$D" "$h/containers" "$h/docker" | grep -c .)
run
t "remove: exit 0 and ready (without a CA)" '[ $rc = 0 ] && ready' "$h/log"
t "remove: every file of ours removed and logged" '[ "$before_ours" = 24 ] &&
	[ -z "$(ours_in "$h")" ] && [ "$(nlogs "^registry-addon: removed ")" = 25 ] &&
	logs "removed $CRD/registry-addon.conf"' "$h/log"
t "remove: foreign files kept" '[ -f "$D/registry/notes.toml" ] && [ -f "$CRC/elsewhere/ca.crt" ] &&
	[ -f "$CRD/other.conf" ] && [ -f "$DOC/registry/client.cert" ]'
t "remove: emptied dirs removed, others kept" '[ ! -e "$D/docker.io" ] && [ ! -e "$D/10.96.0.20" ] &&
	[ ! -e "$CRC/registry" ] && [ -d "$D/registry" ] && [ -d "$DOC/registry" ] && [ -d "$CRD" ] && [ -d "$D" ] &&
	[ ! -e "$CRC/10.96.0.21" ] && [ ! -e "$DOC/10.96.0.21:5443" ]'
t "remove: config.toml and its .bak left alone, logged" 'cmp -s "$CC" "$h/cc.patched" &&
	[ -f "$CC.registry-addon.bak" ] && grep -q "left $CC as it is" "$h/log"' "$h/log"
t "remove: temp leftovers removed" '[ "$(tmpfiles)" = 0 ]'

# --- the loop (no ONCE): a CA change, SIGTERM
# waitfor SECS COND: poll COND every 0.1 s
waitfor() { local i; for ((i = 0; i < $1 * 10; i++)); do eval "$2" && return 0; sleep 0.1; done; return 1; }
# start: the script in the background in its own session (pid $pid); stderr in $h/log
start() {
	(scriptenv ONCE= INTERVAL=1000 TICK=1 "$@" setsid "$BB" sh "$script" "$h/cfg" > "$h/out" 2> "$h/log") &
	pid=$!
	groups+=("$pid")
}
# stop: SIGTERM to $pid; sets tenths (of a second until it ended, at most 50) and rc
stop() {
	local i=0
	kill -TERM "$pid"
	while kill -0 "$pid" 2> /dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2> /dev/null)" != Z ]; do
		[ $i -ge 50 ] && break
		sleep 0.1; i=$((i + 1))
	done
	tenths=$i
	wait "$pid"; rc=$?
}

host loop
mkdir -p "$D/docker.io" && echo foreign > "$D/docker.io/hosts.toml"
start
waitfor 5 '[ -f "$h/state/reason" ]'
t "loop: first pass, not ready (a conflict)" '! ready && is "$D/10.96.0.20/ca.crt" "$ca1"' "$h/log"
cp "$tmp/ca2.crt" "$h/ca.new" && mv "$h/ca.new" "$h/ca.crt"
waitfor 5 'is "$D/10.96.0.20/ca.crt" "$ca2" && is "$DOC/builds.example.com/ca.crt" "$ca2"'; st=$?
t "loop: a CA change triggers a pass within seconds" \
	'[ $st = 0 ] && grep -q "the CA in $h/ca.crt changed" "$h/log"' "$h/log"
t "loop: a conflict is logged once per process" '[ "$(nlogs "^registry-addon: conflict")" = 1 ]' "$h/log"
# the script and its sleep, counted in the same look (a second count may fall between two children)
waitfor 3 'kids_before=$(group_pids "$pid" | grep -c .); [ "$kids_before" -ge 2 ]'
stop
t "loop: SIGTERM -> exit 0 in under 3 s" '[ $rc = 0 ] && [ $tenths -lt 30 ]' "$h/log"
left=$(group_pids "$pid")
{ echo "before SIGTERM: $kids_before processes; left:"; for l in $left; do tr '\0' ' ' < "/proc/$l/cmdline"; echo; done; } > "$h/left" 2> /dev/null
t "loop: no process left (sleep child killed)" '[ "$kids_before" -ge 2 ] && [ -z "$left" ]' "$h/left"

# SIGTERM at any moment of the loop (a tick of 20 ms: the script is forking its sleep, its CA sum
# or date when the signal lands); every stop must be prompt, exit 0 and leave no process behind
host loopterm
cp "$tmp/ca1.crt" "$h/ca.crt"
bad_stops=""
for i in $(seq 1 40); do
	rm -f "$h/state/ready"
	start TICK=0.02
	ready=yes
	waitfor 5 '[ -f "$h/state/ready" ]' || ready=no
	RANDOM=$i	# the delay of stop i is the same on every run
	delay="0.0$((RANDOM % 10))$((RANDOM % 10))"
	sleep "$delay"
	stop
	left=$(group_pids "$pid")
	[ "$ready" = yes ] && [ "$rc" = 0 ] && [ "$tenths" -lt 30 ] && [ -z "$left" ] ||
		bad_stops="$bad_stops $i:ready=$ready,after=${delay}s,rc=$rc,tenths=$tenths,left=[$left]"
	kill -KILL $left 2> /dev/null
done
echo "failed stops:$bad_stops" > "$h/stops"
t "loop: 40 SIGTERMs at random moments of a 20 ms tick: each exits 0 promptly, no process left" \
	'[ -z "$bad_stops" ]' "$h/stops"

host idle "MODE=remove"
start
waitfor 5 ready
sleep 1.2
alive=0
kill -0 "$pid" 2> /dev/null && alive=1
stop
t "remove mode without ONCE: stays up after the pass, SIGTERM exits 0 promptly" \
	'[ $alive = 1 ] && [ $rc = 0 ] && [ $tenths -lt 30 ] && [ -z "$(group_pids "$pid")" ]' "$h/log"


# what ships: the output of BIN
if [ -n "$bin" ]; then
	mf() { node tests/node/manifest.mjs "$@"; }
	for fx in example node-mirrors node-ifmissing node-k3s node-containerd-only node-secret-ca removed; do
		args=()
		[ -f "fixtures/$fx.args" ] && eval "args=($(cat "fixtures/$fx.args"))"
		"$bin" "${args[@]}" < "fixtures/$fx.yaml" > "$tmp/$fx.out" 2> "$tmp/$fx.err"
		mf wiring "$tmp/$fx.out" registry-node-trust > "$tmp/$fx.wiring" 2>&1; st=$?
		t "ships ($fx): the DaemonSet mounts every path its config names, and only those" \
			'[ $st = 0 ]' "$tmp/$fx.wiring" "$tmp/$fx.err"
	done
	mf data "$tmp/example.out" registry-node-trust registry-node-trust node-trust.sh > "$tmp/shipped.sh"
	t "ships: the ConfigMap's node-trust.sh is src/node/node-trust.sh byte for byte" 'cmp -s "$tmp/shipped.sh" "$script"'
	# a pass with the generated config of node-mirrors (port 8443, IPv6 and host:port mirrors, own
	# names and loopback left out): only the host paths come from the environment
	host shipped
	mf data "$tmp/node-mirrors.out" registry-node-trust registry-node-trust config > "$h/cfg"
	(scriptenv ONCE=1 PROBE=true "$BB" sh "$script" "$h/cfg") > "$h/log" 2>&1; st=$?
	t "ships: the generated config drives a pass (ready)" '[ $st = 0 ]' "$h/log"
	# MIRROR_URL and OWN_COPIES_URL as the script reads them (a generator before issue 12 writes
	# neither: the mirror is then REGISTRY_URL and the names have the writer only)
	# shellcheck source=/dev/null
	mu=$(. "$h/cfg" && echo "${MIRROR_URL:-$REGISTRY_URL}") cu=$(. "$h/cfg" && echo "${OWN_COPIES_URL:-}")
	grep -q "^MIRROR_URL=" "$h/cfg" || note "BIN's config has no MIRROR_URL (generator before issue 12): the mirror is REGISTRY_URL"
	grep -q "^OWN_COPIES_URL=" "$h/cfg" || note "BIN's config has no OWN_COPIES_URL (generator before issue 12): no copies checked"
	t "ships: a mirror of an upstream with a port points at its path in the mirror ($mu)" \
		'grep -qF "[host.\"$mu/v2/registry.example.com-5000\"]" "$D/registry.example.com:5000/hosts.toml"' \
		"$h/log"
	# the caches (issue 15): an entry of MIRRORS with a 4th field lists that host after the mirror's path
	# shellcheck source=/dev/null
	ms=$(. "$h/cfg" && echo "$MIRRORS") nc=0 got=""
	for m in $ms; do
		IFS=, read -r mu_ me_ mp mc <<< "$m"
		[ -n "$mc" ] || continue
		nc=$((nc + 1))
		[ "$(grep -F '[host.' "$D/$mu_/hosts.toml" 2> /dev/null | tr '\n' ' ')" = \
			"[host.\"$mu/v2/$mp\"] [host.\"https://$mc/v2\"] " ] || got="$got $mu_"
	done
	if [ "$nc" = 0 ]; then
		note "BIN's MIRRORS has no cache field (generator before issue 15): the caches are not checked here"
	else
		t "ships: each of the $nc upstreams with a cache lists the mirror's path, then the cache${got:+ (not:$got)}" \
			'[ -z "$got" ]' "$h/log"
	fi
	own=$(grep -F '[host.' "$D/registry.registry-system.svc.cluster.local:8443/hosts.toml")
	t "ships: the registry's names map to the ClusterIP with its port (the writer)${cu:+, then $cu}" \
		'[ "$own" = "[host.\"https://10.96.0.20:8443\"]${cu:+$'"'\\n'"'[host.\"$cu\"]}" ]' \
		"$D/registry.registry-system.svc.cluster.local:8443/hosts.toml"
	t "ships: index.docker.io is mirrored as docker.io, from registry-1.docker.io" \
		'grep -qxF "server = \"https://registry-1.docker.io\"" "$D/docker.io/hosts.toml" && [ ! -e "$D/index.docker.io" ]'
	t "ships: our own hostname and loopback are not mirrored" \
		'[ ! -e "$D/localhost:5000" ] && ! grep -q "v2/builds" "$D"/*/hosts.toml'
	mf data "$tmp/removed.out" registry-node-trust registry-node-trust config > "$h/cfg.rm"
	(scriptenv ONCE=1 "$BB" sh "$script" "$h/cfg.rm") >> "$h/log" 2>&1; st=$?
	left=$(grep -rlF "$HEADER" "$h" --include=hosts.toml --include=ca.crt --include=registry-addon.conf)
	t "ships: the Removed output's config removes every file the pass wrote" '[ $st = 0 ] && [ -z "$left" ]' "$h/log"
fi

finish
