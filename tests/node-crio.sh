#!/usr/bin/env bash
# tests/node-crio.sh - node-trust.sh's CRI-O files read by the library CRI-O pulls with:
# containers/image, as Debian 12's skopeo (1.9.3) uses it. Loopback only, no cluster, no CRI-O.
#  - Debian's Distribution on TLS as the registry's three parts (issue 12), one storage: the writer
#    at 127.0.0.N:443 (the first N >= 20 free; the stand-in ClusterIP X), the mirror at the next free
#    127.0.0.M:443 (Service registry-mirror) and the read-only copies at M:5443 (or a free port;
#    throw-away openssl ECDSA CA, IP SANs); a hand-made image pushed as <IP>/docker.io/library/demo:1
#    (the mirror path), <IP>/app:1, <IP>/airgap/library/demo:1 and <IP>/library/cached:1; docker.io's
#    pull-through cache (issue 15) a Distribution in proxy mode at M:<free port> whose upstream
#    stands in for docker.io: the writer;
#  - the script runs one pass (busybox sh, ONCE=1, PROBE=true, RUNTIMES=cri-o) into a temp host root
#    whose etc/containers holds registries.conf, registries.conf.d, certs.d and policy.json;
#  - skopeo reads that root as /etc/containers: CONTAINERS_REGISTRIES_CONF would move only
#    registries.conf (containers/image takes the drop-in dir from SystemRegistriesConfDirPath, which
#    skopeo does not expose, else /etc/containers/registries.conf.d), so each skopeo runs in
#    `unshare -m` with the root's etc/containers bound over /etc/containers and a hosts file over
#    /etc/hosts that sends registry-1.docker.io to a loopback address with nothing on 443: docker.io
#    itself is never dialed. HOME is an empty dir (no per-user registries.conf or certs.d).
# Proven: the mirror serves docker.io/library/demo:1 (its log: /v2/docker.io/...; not the
# writer's), an image it lacks (404) comes from the cache (the drop-in's second mirror), and with
# the cache stopped the pull goes on to the primary location; the name maps to the writer's IP, and
# with the writer stopped to the copies; TLS is
# verified with certs.d's ca.crt (another CA: x509), the mirror stopped: the pull falls back to
# docker.io and fails fast; an IPv6 ClusterIP: CA files only, and a
# mirror location [::1]/... breaks every docker.io pull ("invalid reference format"); a foreign
# drop-in for docker.io is left in force (conflict logged, not ready) and is what skopeo uses.
# usage: bash tests/node-crio.sh [BIN]   (BIN unused; needs root for port 443 and unshare)
# shellcheck disable=SC2034,SC2016,SC2317  # names and functions used only in the conditions t evals
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2
SUITE=node-crio
# shellcheck source=tests/lib.sh
. tests/lib.sh
NAME=registry.registry-system.svc.cluster.local
HEADER='# Managed by registry-addon (registry-addon.dev); do not edit. Removed when the add-on is removed.'
script=$PWD/src/node/node-trust.sh
ms() { local n=${EPOCHREALTIME/./}; echo $((n / 1000)); }

if [ "$(id -u)" != 0 ]; then echo "# not run: node-crio needs root (port 443, unshare -m)"; finish; fi
install_missing docker-registry:docker-registry skopeo:skopeo busybox:busybox openssl:openssl curl:curl \
	unshare:util-linux
[ -z "$missing" ] || { echo "# not run: node-crio needs $missing(no apt-get, or it failed)"; finish; }
if ! unshare -m true 2> /dev/null; then echo "# not run: unshare -m fails here"; finish; fi
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
# the same lock and address search as node-e2e.sh: runs take turns for 127.0.0.N:443
exec 8> /tmp/registry-addon-node-e2e.lock
command -v flock > /dev/null && { flock -w 120 8 || note "lock still held"; }
free443() { local a; for a in 127.0.0.{20..60}; do
	[[ " $* " != *" $a "* ]] && ! (exec 3<> "/dev/tcp/$a/443") 2> /dev/null && { echo "$a"; return; }; done; }
IP=$(free443) HUB=$(free443 "$IP")  # HUB: where registry-1.docker.io points (nothing listens)
M=$(free443 "$IP" "$HUB") CP=5443   # the mirror; the copies at M:5443, else (*:5443 taken here) a free port
(exec 3<> "/dev/tcp/$M/5443") 2> /dev/null && CP=$(free_port)
BB=$(command -v busybox)
note "$(docker-registry --version 2>&1 | head -n 1); $(skopeo --version); writer at $IP, mirror at $M, copies at $M:$CP, docker.io at $HUB"
bindir=$tmp/bin; busybox_path "$BB" "$bindir"

# --- CAs and the server certificate
test_pki "IP:$IP,IP:$M,IP:::1,DNS:$NAME"; st=$?
t "openssl: two CAs and a server certificate for $IP and $M" '[ $st = 0 ]' "$tmp/openssl.log"

# --- the registries: start_registry NAME ADDR [UPSTREAM] (host:port; log $tmp/NAME.log; with
# UPSTREAM, https://HOST, a pull-through cache of it: proxy mode, a storage of its own, the
# upstream checked against our CA as Go's system roots), stop_registry NAME
declare -A regpid regmark
start_registry() {
	local data=$tmp/data px=""
	[ -z "${3:-}" ] || data=$tmp/$1-data px="proxy: {remoteurl: \"$3\"}"
	printf 'version: 0.1\nlog: {accesslog: {disabled: false}, level: info}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: "%s", tls: {certificate: %s, key: %s}}\n%s\n' \
		"$data" "$2" "$tmp/tls.crt" "$tmp/tls.key" "$px" > "$tmp/$1.yml"
	SSL_CERT_FILE=$tmp/ca.crt setsid docker-registry serve "$tmp/$1.yml" >> "$tmp/$1.log" 2>&1 &
	regpid[$1]=$!; groups+=("$!")
	local i; for ((i = 0; i < 100; i++)); do
		curl -sf --cacert "$tmp/ca.crt" "https://$2/v2/" > /dev/null 2>&1 && return 0
		kill -0 "${regpid[$1]}" 2> /dev/null || return 1; sleep 0.1
	done; return 1
}
stop_registry() {
	kill -TERM -- "-${regpid[$1]}" 2> /dev/null
	local i; for ((i = 0; i < 50; i++)); do kill -0 "${regpid[$1]}" 2> /dev/null || break; sleep 0.1; done
}
start_registry w "$IP:443" && start_registry m "$M:443" && start_registry c "$M:$CP"; st=$?
t "docker-registry serves TLS: the writer on $IP:443, the mirror on $M:443, the copies on $M:$CP" '[ $st = 0 ]' \
	"$tmp/w.log" "$tmp/m.log" "$tmp/c.log"
mark() { local n; for n in "${!regpid[@]}"; do regmark[$n]=$(stat -c %s "$tmp/$n.log"); done; }
# served NAME PATH [CODE]: since the mark, registry NAME answered GET or HEAD PATH with CODE (200)
served() { tail -c "+$((${regmark[$1]:-0} + 1))" "$tmp/$1.log" | grep -v '^time=' > "$tmp/reg.since"
	grep -Eq "\"(GET|HEAD) $2 HTTP/[0-9.]+\" ${3:-200} " "$tmp/reg.since"; }

# --- pushes (isolated HOME, registries.conf and policy; the CA as --dest-cert-dir)
lay=$tmp/layout; mkdir -p "$tmp/home" "$tmp/sko-tmp" "$tmp/registries.d" "$tmp/certs"
oci_image "$lay" 1 "pulled by containers/image through registry-addon's drop-in"
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$tmp/policy.json"
: > "$tmp/registries.conf"; echo '{}' > "$tmp/auth.json"; cp "$tmp/ca.crt" "$tmp/certs/"
push() { timeout 30 env HOME="$tmp/home" REGISTRY_AUTH_FILE="$tmp/auth.json" CONTAINERS_REGISTRIES_CONF="$tmp/registries.conf" \
	skopeo --policy "$tmp/policy.json" --registries.d "$tmp/registries.d" --tmpdir "$tmp/sko-tmp" \
	copy --preserve-digests --dest-cert-dir "$tmp/certs" "oci:$lay:1" "docker://$IP/$1" >> "$tmp/sko.log" 2>&1; }
push docker.io/library/demo:1 && push app:1 && push airgap/library/demo:1 && push library/cached:1; st=$?
t "skopeo pushes $IP/docker.io/library/demo:1, $IP/app:1, $IP/airgap/library/demo:1, $IP/library/cached:1 (sha256:${man:0:12}...)" \
	'[ $st = 0 ]' "$tmp/sko.log"
# docker.io's pull-through cache (issue 15): Distribution in proxy mode at $M:$KP (Service
# registry-mirror's port 5100+i); its upstream a stand-in, the writer at https://$IP, holding
# library/cached:1 at its root as docker.io would
KP=$(free_port)
start_registry k "$M:$KP" "https://$IP"; st=$?
t "the cache: Distribution in proxy mode of https://$IP at $M:$KP" '[ $st = 0 ]' "$tmp/k.log"
[ "$fail" = 0 ] || { note "the set-up failed: nothing more to run"; finish; }
{ grep -v 'docker\.io' /etc/hosts; echo "$HUB registry-1.docker.io docker.io index.docker.io"; } > "$tmp/hosts"

# hostroot DIR: a fresh host root: etc/containers (empty registries.conf, policy), CRI-O's config
# with auto_reload_registries = true; sets R E (its etc/containers)
hostroot() {
	R=$tmp/$1 E=$tmp/$1/etc/containers
	rm -rf "$R"; mkdir -p "$E/registries.conf.d" "$E/certs.d" "$R/etc/crio/crio.conf.d"
	echo '# registries.conf of the test host' > "$E/registries.conf"
	cp "$tmp/policy.json" "$E/policy.json"
	printf '[crio.image]\nauto_reload_registries = true\n' > "$R/etc/crio/crio.conf.d/10.conf"
}
# pass HOST [VAR=value...]: one pass of the script for REGISTRY_HOST=HOST into $R (MIRROR_URL
# https://$M, OWN_COPIES_URL https://$M:$CP, docker.io's cache at $M:$KP, unless VARs say
# otherwise); log in $tmp/pass.log
pass() {
	local h=$1; shift
	printf "MODE='install'\nREGISTRY_HOST='%s'\nREGISTRY_URL='https://%s'\nREGISTRY_NAMES='%s'\nMIRRORS='%s'\nRUNTIMES='cri-o'\nMIRROR_URL='%s'\nOWN_COPIES_URL='%s'\n" \
		"$h" "$h" "$NAME" "docker.io,https://127.0.0.1:1,docker.io,$M:$KP" "https://$M" "https://$M:$CP" > "$tmp/node.cfg"
	(cd / && exec env -i PATH="$bindir" CA_FILE="$tmp/ca.crt" STATE_DIR="$R/state" CRIO_REGISTRIES_D="$E/registries.conf.d" \
		CRIO_CERTS_D="$E/certs.d" CRIO_REGISTRIES_CONF="$E/registries.conf" CRIO_CONFIG_DIR="$R/etc/crio" \
		DOCKER_CERTS_D="$R/etc/docker/certs.d" ONCE=1 PROBE=true "$@" "$BB" sh "$script" "$tmp/node.cfg") > "$tmp/pass.log" 2>&1
	pst=$?; { echo "--- pass $h $*: $pst"; cat "$tmp/pass.log"; } >> "$tmp/node.log"; return $pst
}
# sko ARGS...: skopeo (20 s at most) with $E as /etc/containers and $tmp/hosts as /etc/hosts, in
# its own mount namespace; output in $tmp/sko.out, time taken in $took (ms)
sko() {
	local t0; t0=$(ms)
	timeout 20 unshare -m --propagation private sh -c 'mount --bind "$1" /etc/containers && mount --bind "$2" /etc/hosts &&
		shift 2 && exec "$@"' sh "$E" "$tmp/hosts" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$tmp/home" \
		REGISTRY_AUTH_FILE="$tmp/auth.json" TMPDIR="$tmp/sko-tmp" skopeo "$@" > "$tmp/sko.out" 2>&1
	skst=$? took=$(($(ms) - t0)); { echo "--- skopeo $*: $skst in $took ms"; cat "$tmp/sko.out"; } >> "$tmp/sko.log"
	return $skst
}
digest() { sko inspect --no-tags --format '{{.Digest}}' "docker://$1" && [ "$(cat "$tmp/sko.out")" = "sha256:$man" ]; }
carries() { [ "$(head -n 1 "$1")" = "$HEADER" ] && tail -n +2 "$1" | cmp -s - "$2"; }

# --- IPv4: the drop-in and certs.d, read by containers/image
hostroot v4; D=$E/registries.conf.d/registry-addon.conf
pass "$IP"; st=$?
t "one pass for $IP: ready (cri-o: drop-in), $IP/ca.crt and $NAME/ca.crt carry the CA" \
	'[ $st = 0 ] && [ -f "$R/state/ready" ] && grep -q "cri-o: drop-in" "$tmp/pass.log" &&
	carries "$E/certs.d/$IP/ca.crt" "$tmp/ca.crt" && carries "$E/certs.d/$NAME/ca.crt" "$tmp/ca.crt"' "$tmp/pass.log"
t "... the drop-in: $NAME -> $IP, mirrors $IP then $M:$CP; docker.io -> docker.io with mirror $M/docker.io" \
	'[ "$(grep -A7 -xF "prefix = \"$NAME\"" "$D" | grep "^location")" = "location = \"$IP\"
location = \"$IP\"
location = \"$M:$CP\"" ] && grep -qxF "location = \"$M/docker.io\"" "$D"' "$D"
t "... docker.io's mirrors in order: $M/docker.io (preloaded), then the cache $M:$KP" \
	'[ "$(awk "/^prefix = \"docker.io\"/ { on = 1; next } on && /^prefix/ { on = 0 } on && /^location/" "$D")" = \
		"location = \"docker.io\"
location = \"$M/docker.io\"
location = \"$M:$KP\"" ]' "$D"
t "... certs.d: ca.crt for the mirror ($M), the copies ($M:$CP) and the cache ($M:$KP) too" \
	'carries "$E/certs.d/$M/ca.crt" "$tmp/ca.crt" && carries "$E/certs.d/$M:$CP/ca.crt" "$tmp/ca.crt" &&
	carries "$E/certs.d/$M:$KP/ca.crt" "$tmp/ca.crt"' "$tmp/pass.log"
note "drop-in: $(tail -n +2 "$D" | tr -s '\n ' ' ')"
mark; digest docker.io/library/demo:1; st=$?
t "skopeo inspect docker://docker.io/library/demo:1: the pushed digest, TLS verified by certs.d (${took} ms)" \
	'[ $st = 0 ]' "$tmp/sko.out"
t "... served by the mirror ($M): /v2/docker.io/library/demo/manifests/1; not by the writer" \
	'served m /v2/docker.io/library/demo/manifests/1 && ! served w /v2/docker.io/library/demo/manifests/1' "$tmp/reg.since"
rm -rf "$tmp/dir1"; mark; sko copy docker://docker.io/library/demo:1 "dir:$tmp/dir1"; st=$?
t "skopeo copy docker.io/library/demo:1 to dir: the layer from /v2/docker.io/library/demo/blobs/" \
	'[ $st = 0 ] && [ -f "$tmp/dir1/$layer" ] && served m /v2/docker.io/library/demo/blobs/sha256:$layer' \
	"$tmp/sko.out" "$tmp/reg.since"
# the cache: an image the mirror lacks
mark; sko inspect --no-tags --format '{{.Digest}}' docker://docker.io/library/cached:1; st=$?
t "skopeo inspect docker://docker.io/library/cached:1: the pushed digest, from the cache at $M:$KP (/v2/library/cached/manifests/1), $took ms" \
	'[ $st = 0 ] && [ "$(cat "$tmp/sko.out")" = "sha256:$man" ] && served k /v2/library/cached/manifests/1' \
	"$tmp/sko.out" "$tmp/k.log"
t "... after the mirror ($M) answered 404 for /v2/docker.io/library/cached/manifests/1" \
	'served m /v2/docker.io/library/cached/manifests/1 404' "$tmp/reg.since"
t "... which the cache fetched from its upstream ($IP)" 'served w /v2/library/cached/manifests/1' "$tmp/reg.since"
stop_registry k
sko inspect --no-tags docker://docker.io/library/cached:1
t "the cache stopped: docker.io/library/cached:1 tried at $M (404), $M:$KP (refused), then the primary location, in $took ms" \
	'[ $skst != 0 ] && [ $skst != 124 ] && [ $took -lt 15000 ] && grep -q "$M/docker.io/library/cached.*manifest unknown" "$tmp/sko.out" &&
	grep -q "$M:$KP.*connection refused" "$tmp/sko.out" && grep -q "registry-1.docker.io" "$tmp/sko.out"' "$tmp/sko.out"
start_registry k "$M:$KP" "https://$IP"; st=$?
t "... the cache back" '[ $st = 0 ]' "$tmp/k.log"
mark; digest "$NAME/app:1"; st=$?
t "skopeo inspect docker://$NAME/app:1 (no DNS for the name): the writer's ($IP) /v2/app/manifests/1" \
	'[ $st = 0 ] && served w /v2/app/manifests/1 && ! served c /v2/app/manifests/1' "$tmp/sko.out" "$tmp/reg.since"
stop_registry w
mark; digest "$NAME/app:1"; st=$?
t "... the writer stopped: from the copies ($M:$CP), $took ms" \
	'[ $st = 0 ] && served c /v2/app/manifests/1' "$tmp/sko.out" "$tmp/reg.since"
start_registry w "$IP:443"; st=$?
t "... the writer back on $IP" '[ $st = 0 ]' "$tmp/w.log"

# --- trust is real: another CA in certs.d
pass "$IP" CA_FILE="$tmp/wrongca.crt"; st=$?
digest "$NAME/app:1"
t "another CA in certs.d: the pull of $NAME/app:1 fails on x509 (unknown authority)" \
	'[ $st = 0 ] && carries "$E/certs.d/$IP/ca.crt" "$tmp/wrongca.crt" && [ $skst != 0 ] &&
	grep -q "x509: .*unknown authority" "$tmp/sko.out"' "$tmp/sko.out"
pass "$IP"; digest "$NAME/app:1"; st=$?
t "... the right CA back: it succeeds" '[ $st = 0 ]' "$tmp/sko.out"

# --- the mirror stopped, the mirror entry still there: docker.io is the fallback
stop_registry m
sko inspect --no-tags docker://docker.io/library/other:1
t "mirror stopped: docker.io/library/other:1 fails in $took ms, on the primary location (registry-1.docker.io)" \
	'[ $skst != 0 ] && [ $skst != 124 ] && [ $took -lt 15000 ] && grep -q "registry-1.docker.io" "$tmp/sko.out"' \
	"$tmp/sko.out"
start_registry m "$M:443"; st=$?
t "the mirror back on $M" '[ $st = 0 ]' "$tmp/m.log"

# --- IPv6: the CA files only, and why
hostroot v6
printf "MODE='install'\nREGISTRY_HOST='[::1]'\nREGISTRY_URL='https://[::1]'\nREGISTRY_NAMES='%s'\nMIRRORS='docker.io,https://127.0.0.1:1,docker.io,[::1]:5100'\nRUNTIMES='cri-o'\n" \
	"$NAME" > "$tmp/node6.cfg"
pass6() { (cd / && exec env -i PATH="$bindir" CA_FILE="$tmp/ca.crt" STATE_DIR="$R/state" CRIO_REGISTRIES_D="$E/registries.conf.d" \
	CRIO_CERTS_D="$E/certs.d" CRIO_REGISTRIES_CONF="$E/registries.conf" CRIO_CONFIG_DIR="$R/etc/crio" \
	DOCKER_CERTS_D="$R/etc/docker/certs.d" ONCE=1 PROBE=true "$BB" sh "$script" "$tmp/node6.cfg") > "$tmp/pass.log" 2>&1; }
pass6; st=$?  # (IPv6 without MIRROR_URL and OWN_COPIES_URL: their CA dirs are tests/node.sh's)
t "a pass for [::1]: no drop-in, [::1]/ca.crt, the cache's [::1]:5100/ca.crt and $NAME/ca.crt only" \
	'[ ! -e "$E/registries.conf.d/registry-addon.conf" ] &&
	[ "$(cd "$E" && find . -type f | sort | tr "\n" " ")" = "./certs.d/[::1]/ca.crt ./certs.d/[::1]:5100/ca.crt ./certs.d/$NAME/ca.crt ./policy.json ./registries.conf " ] &&
	carries "$E/certs.d/[::1]/ca.crt" "$tmp/ca.crt"' "$tmp/pass.log"
t "... CRI-O is still found (ready, 'cri-o: CA only (IPv6)'), not 'no container runtime found'" \
	'[ $st = 0 ] && [ -f "$R/state/ready" ] && grep -qF "cri-o: CA only (IPv6)" "$tmp/pass.log"' "$tmp/pass.log"
t "... logged why: containers/image cannot use an IPv6 literal" \
	'grep -q "CRI-O: wrote the CA only: containers/image cannot use an IPv6 literal" "$tmp/pass.log"' "$tmp/pass.log"
sko inspect --no-tags docker://docker.io/library/demo:1
t "... with that output a docker.io pull fails only for want of docker.io here (no reference error)" \
	'[ $skst != 0 ] && [ $skst != 124 ] && ! grep -q "invalid reference format" "$tmp/sko.out"' "$tmp/sko.out"
printf '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n\n[[registry.mirror]]\nlocation = "[::1]/docker.io"\n' \
	> "$E/registries.conf.d/v6.conf"
sko inspect --no-tags docker://docker.io/library/demo:1
t "the reason: a hand-written mirror [::1]/docker.io makes docker.io/library/demo:1 fail: invalid reference format ($took ms)" \
	'[ $skst != 0 ] && [ $took -lt 15000 ] && grep -q "invalid reference format" "$tmp/sko.out"' "$tmp/sko.out"
sko inspect --no-tags docker://docker.io/library/busybox:latest
t "... and every docker.io pull (busybox:latest too)" \
	'[ $skst != 0 ] && grep -q "invalid reference format" "$tmp/sko.out"' "$tmp/sko.out"

# --- a foreign drop-in already defines docker.io: left in force
hostroot foreign; D=$E/registries.conf.d/registry-addon.conf
printf '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n\n[[registry.mirror]]\nlocation = "%s/airgap"\n' "$IP" \
	> "$E/registries.conf.d/00-airgap.conf"
pass "$IP"; st=$?
t "00-airgap.conf defines docker.io: our drop-in has $NAME but no docker.io entry" \
	'[ -f "$D" ] && grep -qxF "prefix = \"$NAME\"" "$D" && ! grep -q "docker\.io" "$D"' "$D" "$tmp/pass.log"
t "... logged 'conflict:' naming docker.io; not ready, the reason says so" \
	'[ $st != 0 ] && grep -q "conflict: .*registries.conf.d has another \[\[registry\]\] for docker.io" "$tmp/pass.log" &&
	[ ! -f "$R/state/ready" ] && grep -q "^conflict: .*for docker.io" "$R/state/reason"' "$tmp/pass.log"
mark; digest docker.io/library/demo:1; st=$?
t "... skopeo resolves docker.io/library/demo:1 through their mirror: /v2/airgap/..., not /v2/docker.io/..." \
	'[ $st = 0 ] && served w /v2/airgap/library/demo/manifests/1 && ! grep -q "/v2/docker.io/" "$tmp/reg.since"' \
	"$tmp/sko.out" "$tmp/reg.since"
t "nothing mounted outside the namespaces: /etc/containers and /etc/hosts untouched" \
	'! grep -qF " $tmp/" /proc/self/mounts && ! grep -q "$HUB registry-1" /etc/hosts'
finish
