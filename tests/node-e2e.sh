#!/usr/bin/env bash
# tests/node-e2e.sh - node trust end to end with real parts, no cluster, loopback only:
#  - Debian's Distribution (docker-registry 2.8) serves TLS on 127.0.0.20:443 (or the next
#    127.0.0.N with port 443 free; "127.0.0.20" below), standing in for the ClusterIP
#    (certificate from a throw-away openssl CA: IP 127.0.0.20 and the Service's names); skopeo
#    pushes a hand-made OCI image to 127.0.0.20/docker.io/library/demo:1 (the mirror path of
#    docker.io) and to 127.0.0.20/app:1 (what pods push as
#    registry.registry-system.svc.cluster.local/app:1);
#  - src/node/node-trust.sh runs one pass (ONCE=1) as `busybox sh node-trust.sh CONFIG` with only
#    busybox applets on PATH and its host paths pointed into the temp dir; the built-in probe
#    (busybox wget) decides the registry's health;
#  - Debian's containerd (1.6) runs as its own daemon (root, state, socket in the temp dir; native
#    snapshotter: no mounts) with config_path = the certs.d the script writes. Images are pulled
#    twice over: through the CRI plugin's ImageService/PullImage (kubelet's path; a gRPC call made
#    with curl over the socket) and with `ctr images pull --hosts-dir` (same resolver; --debug
#    shows each host it tries).
# Proven: docker.io/library/demo:1 and the registry's own name resolve to 127.0.0.20 with the
# pushed digest, and the registry's access log shows containerd's requests under
# /v2/docker.io/... (override_path); another CA in ca.crt makes the pull fail on x509; with the
# registry stopped a pass withdraws docker.io/hosts.toml (the name's stays) and a pull no longer
# tries 127.0.0.20 (before the pass, it did); the registry back, the mirror returns; MODE=remove
# deletes exactly the script's files; an IPv6 ClusterIP (here [::1], a second registry process)
# works the same way.
#   NODE_TRUST_SH=FILE runs another copy of the script (to check that the suite catches a bug).
#
# usage: bash tests/node-e2e.sh [BIN]
#   Without BIN the config is written here as the add-on would (REGISTRY_HOST 127.0.0.20, one
#   name, docker.io mirrored); with BIN (tests/run-all passes it) it is the config BIN generates
#   for ClusterIP 127.0.0.20 and a pod using docker.io/library/demo:1 (needs node and
#   tests/schema/node_modules), and BIN's copy of the script must be src/node/node-trust.sh.
#   Needs root (containerd, port 443); missing Debian packages (containerd, docker-registry,
#   skopeo, busybox, openssl, curl) are installed with apt-get.
# shellcheck disable=SC2034  # variables read only by the conditions t evals
set -u
export LC_ALL=C
bin=${1:-}
case $bin in '' | /*) ;; *) bin=$PWD/$bin ;; esac
cd "$(dirname "$0")/.." || exit 2
SUITE=node-e2e
. tests/lib.sh
NAME=registry.registry-system.svc.cluster.local
# the stand-in ClusterIP: the first 127.0.0.N (N >= 20) with nothing on port 443; runs of this
# suite take turns (the lock's fd is inherited by the daemons, which cleanup ends)
exec 8> /tmp/registry-addon-node-e2e.lock
command -v flock > /dev/null && { flock -w 120 8 || note "lock /tmp/registry-addon-node-e2e.lock: still held"; }
for IP in 127.0.0.{20..60}; do (exec 3<> "/dev/tcp/$IP/443") 2> /dev/null || break; done
HEADER='# Managed by registry-addon (registry-addon.dev); do not edit. Removed when the add-on is removed.'
script=${NODE_TRUST_SH:-$PWD/src/node/node-trust.sh}  # NODE_TRUST_SH: another copy (mutation checks)
ms() { local n=${EPOCHREALTIME/./}; echo $((n / 1000)); }

# --- prerequisites
if [ "$(id -u)" != 0 ]; then
	echo "# skip node-e2e: containerd, its CRI plugin and port 443 need root"; finish
fi
install_missing containerd:containerd ctr:containerd docker-registry:docker-registry skopeo:skopeo \
	busybox:busybox openssl:openssl curl:curl
if [ -n "$missing" ]; then
	echo "# skip node-e2e: missing $missing(no apt-get, or it failed)"; finish
fi
if [ -n "$bin" ] && [ ! -f tests/schema/node_modules/yaml/package.json ]; then
	bash tests/schema/setup.sh >&2
fi
# loopback only; nothing goes through a proxy
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
BB=$(command -v busybox)
note "$(containerd --version); $(docker-registry --version 2>&1 | head -n 1); $(skopeo --version);" \
	"busybox $("$BB" | head -n 1 | cut -d' ' -f2)"
bindir=$tmp/bin; busybox_path "$BB" "$bindir"
if [ ! -f "$script" ]; then
	bad "src/node/node-trust.sh exists"; finish
fi

# --- a CA, another CA, and the registry's server certificate (the ClusterIP and its names)
test_pki "IP:$IP,IP:::1,DNS:registry,DNS:registry.registry-system,DNS:registry.registry-system.svc,DNS:$NAME"; st=$?
t "openssl: two CAs and a server certificate for $IP and $NAME" '[ $st = 0 ]' "$tmp/openssl.log"

# --- the registry on the stand-in ClusterIP
reglog=$tmp/registry.log
cat > "$tmp/registry.yml" <<-YML
	version: 0.1
	log: {accesslog: {disabled: false}, level: info}
	storage: {filesystem: {rootdirectory: $tmp/data}}
	http: {addr: "$IP:443", tls: {certificate: $tmp/tls.crt, key: $tmp/tls.key}}
YML
start_registry() {
	setsid docker-registry serve "$tmp/registry.yml" >> "$reglog" 2>&1 &
	reg=$!; groups+=("$reg")
	local i; for ((i = 0; i < 100; i++)); do
		curl -sf --cacert "$tmp/ca.crt" "https://$IP/v2/" > /dev/null 2>&1 && return 0
		kill -0 "$reg" 2> /dev/null || return 1
		sleep 0.1
	done; return 1
}
start_registry; st=$?
t "docker-registry serves TLS on $IP:443" '[ $st = 0 ]' "$reglog"
# mark: the registry log's size now; served METHOD PATH: in the access log lines since the mark
# ($tmp/reg.since), containerd got a 200 for METHOD PATH (the path up to containerd's "?ns=")
mark() { regmark=$(stat -c %s "$reglog"); : > "$tmp/reg.since"; }
served() {
	tail -c "+$((regmark + 1))" "$reglog" | grep -v '^time=' > "$tmp/reg.since"
	grep -F "\"$1 $2?ns=" "$tmp/reg.since" | grep -q '" 200 .*"containerd/'
}

# --- images: the same hand-made OCI image as 127.0.0.20/docker.io/library/demo:1 (the mirror
# path of docker.io) and 127.0.0.20/app:1..3 (pods push it as $NAME/app:1)
lay=$tmp/layout; mkdir -p "$tmp/home" "$tmp/sko-tmp" "$tmp/registries.d"
oci_image "$lay" 1 "pulled through registry-addon's mirror"
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$tmp/policy.json"
: > "$tmp/registries.conf"; echo '{}' > "$tmp/auth.json"; mkdir -p "$tmp/certs"; cp "$tmp/ca.crt" "$tmp/certs/"
push() {
	timeout 30 env HOME="$tmp/home" REGISTRY_AUTH_FILE="$tmp/auth.json" CONTAINERS_REGISTRIES_CONF="$tmp/registries.conf" \
		skopeo --policy "$tmp/policy.json" --registries.d "$tmp/registries.d" --tmpdir "$tmp/sko-tmp" \
		copy --preserve-digests --dest-cert-dir "$tmp/certs" "oci:$lay:1" "docker://$IP/$1" >> "$tmp/sko.log" 2>&1
}
push docker.io/library/demo:1 && push app:1 && push app:2 && push app:3; st=$?
t "skopeo pushes $IP/docker.io/library/demo:1 and $IP/app:1..3 (manifest sha256:${man:0:12}...)" \
	'[ $st = 0 ]' "$tmp/sko.log"

# --- the node config: written here, or generated by BIN for this "cluster"
conf=$tmp/node.cfg
if [ -z "$bin" ]; then
	cat > "$conf" <<-CFG
		MODE='install'
		REGISTRY_HOST='$IP'
		REGISTRY_URL='https://$IP'
		REGISTRY_NAMES='$NAME'
		MIRRORS='docker.io,https://registry-1.docker.io,docker.io'
		RUNTIMES='containerd'
		CONFIGURE_CONTAINERD='never'
	CFG
	sed 's/^MODE=.*/MODE='"'remove'"'/' "$conf" > "$tmp/remove.cfg"
	note "config written here (no BIN): $(tr '\n' ' ' < "$conf")"
else
	echo '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"docker.io/library/demo:1"}]}}' > "$tmp/in.json"
	gen() { "$bin" --set registry.service.serviceCIDR=127.0.0.0/8 --set "registry.service.clusterIP=$IP" \
		--set 'nodeTrust.runtimes=[containerd]' "$@" < "$tmp/in.json"; }
	data() { node tests/node/manifest.mjs data "$1" registry-node-trust registry-node-trust "$2"; }
	gen > "$tmp/out.yaml" 2> "$tmp/gen.err" && data "$tmp/out.yaml" config > "$conf" &&
		data "$tmp/out.yaml" node-trust.sh > "$tmp/shipped.sh" &&
		gen --set managementState=Removed > "$tmp/removed.yaml" 2>> "$tmp/gen.err" &&
		data "$tmp/removed.yaml" config > "$tmp/remove.cfg"; st=$?
	t "BIN's node config: ClusterIP $IP, $NAME among the names, docker.io mirrored; Removed: MODE remove" \
		'[ $st = 0 ] && grep -qxF "REGISTRY_HOST='"'$IP'"'" "$conf" && grep -q "^REGISTRY_NAMES=.*[ '"'"']$NAME[ '"'"']" "$conf" &&
		grep -q "^MIRRORS=.docker.io,https://registry-1.docker.io,docker.io[ '"'"']" "$conf" &&
		grep -qxF "MODE='"'remove'"'" "$tmp/remove.cfg"' "$tmp/gen.err" "$conf"
	[ -n "${NODE_TRUST_SH:-}" ] ||
		t "BIN ships src/node/node-trust.sh byte for byte" 'cmp -s "$tmp/shipped.sh" "$script"'
fi
[ "$fail" = 0 ] || { note "the set-up failed: nothing more to run"; finish; }
# shellcheck source=/dev/null
names=$(. "$conf" && echo "$REGISTRY_NAMES")

# --- containerd's config: its own root, state and sockets; the CRI plugin on (pulls only: no
# CNI, native snapshotter), reading hosts.toml files from $D
D=$tmp/certs.d ctd=$tmp/ctd
mkdir -p "$D" "$ctd/cni/bin" "$ctd/cni/net.d"
cat > "$ctd/config.toml" <<-TOML
	version = 2
	root = "$ctd/root"
	state = "$ctd/state"
	disabled_plugins = ["io.containerd.snapshotter.v1.overlayfs", "io.containerd.snapshotter.v1.btrfs",
	  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
	  "io.containerd.snapshotter.v1.aufs"]
	[grpc]
	  address = "$ctd/containerd.sock"
	[ttrpc]
	  address = "$ctd/containerd.sock.ttrpc"
	[plugins."io.containerd.grpc.v1.cri"]
	  stream_server_address = "127.0.0.1"
	  stream_server_port = "0"
	[plugins."io.containerd.grpc.v1.cri".containerd]
	  snapshotter = "native"
	[plugins."io.containerd.grpc.v1.cri".cni]
	  bin_dir = "$ctd/cni/bin"
	  conf_dir = "$ctd/cni/net.d"
	[plugins."io.containerd.grpc.v1.cri".registry]
	  config_path = "$D"
TOML
cp "$ctd/config.toml" "$tmp/config.toml.orig"

# pass CONFIG [VAR=value...]: one pass of the script under busybox sh, only busybox applets on
# PATH, every host path in the temp dir; its log in $tmp/pass.log (all passes: $tmp/node.log)
pass() {
	local c=$1; shift
	(cd / && exec env -i PATH="$bindir" CA_FILE="$tmp/ca.crt" CONTAINERD_CERTS_D="$D" \
		CONTAINERD_CONFIG="$ctd/config.toml" STATE_DIR="$tmp/state" CRIO_REGISTRIES_D="$tmp/crio.d" \
		CRIO_CERTS_D="$tmp/crio-certs.d" DOCKER_CERTS_D="$tmp/docker-certs.d" RESTART_CONTAINERD=false \
		ONCE=1 "$@" "$BB" sh "$script" "$c") > "$tmp/pass.log" 2>&1
	pst=$?
	{ echo "--- pass $c $*: status $pst"; cat "$tmp/pass.log"; } >> "$tmp/node.log"
	return $pst
}
# ours FILE: FILE's first line is the header
ours() { [ -f "$1" ] && [ "$(head -n 1 "$1")" = "$HEADER" ]; }
# carries FILE CA: FILE is the header and then CA's certificate
carries() { ours "$1" && tail -n +2 "$1" | cmp -s - "$2"; }
ourfiles() { local f; find "$D" -type f | sort | while read -r f; do ours "$f" && echo "$f"; done; }

pass "$conf"; st=$?
want=$(for h in "$IP" $names docker.io; do echo "$D/$h/hosts.toml"; done; echo "$D/$IP/ca.crt")
want=$(sort <<< "$want"); got=$(ourfiles)
t "node-trust.sh: ready (exit 0, \$STATE_DIR/ready): containerd's config_path is $D" \
	'[ $st = 0 ] && [ -f "$tmp/state/ready" ]' "$tmp/pass.log"
t "... the built-in probe (busybox wget) finds the registry: mirrors on" \
	'grep -qF "registry at https://$IP answers; mirrors on" "$tmp/pass.log"' "$tmp/pass.log"
t "... wrote hosts.toml for $IP, each name and docker.io, and $IP/ca.crt (header + the CA)" \
	'[ "$got" = "$want" ] && carries "$D/$IP/ca.crt" "$tmp/ca.crt" &&
	grep -qF "\"https://$IP/v2/docker.io\"" "$D/docker.io/hosts.toml"' "$tmp/pass.log"
note "docker.io/hosts.toml: $(tail -n +2 "$D/docker.io/hosts.toml" | tr -s '\n ' ' ')"
note "$NAME/hosts.toml: $(tail -n +2 "$D/$NAME/hosts.toml" | tr -s '\n ' ' ')"

# --- containerd
setsid containerd --config "$ctd/config.toml" > "$tmp/containerd.log" 2>&1 &
groups+=("$!")
sock=$ctd/containerd.sock
for ((i = 0; i < 100; i++)); do ctr -a "$sock" version > /dev/null 2>&1 && break; sleep 0.1; done
ctr -a "$sock" plugins ls > "$tmp/plugins" 2>&1; st=$?
t "containerd runs (own root, state, socket) with its CRI plugin" \
	'[ $st = 0 ] && grep -q "io.containerd.grpc.v1 *cri .* ok" "$tmp/plugins"' "$tmp/containerd.log" "$tmp/plugins"

# cri IMAGE: tests/lib.sh (kubelet's PullImage over $sock; each call also in $tmp/cri.log)
# pull [--debug] IMAGE: ctr pull (namespace e2e) with --hosts-dir, output in $tmp/pull.log
pull() {
	local dbg=; [ "$1" = --debug ] && { dbg=--debug; shift; }
	timeout 60 ctr -a "$sock" -n e2e $dbg images pull --snapshotter native --hosts-dir "$D" "$1" > "$tmp/pull.log" 2>&1
}
# digest NS IMAGE: the manifest digest of IMAGE in containerd's namespace NS
digest() { ctr -a "$sock" -n "$1" images ls "name==$2" 2> /dev/null | awk 'NR == 2 { print $3 }'; }
# tried HOST: the last ctr --debug pull resolved against HOST
tried() { sed -n 's/.*msg=resolving host=//p' "$tmp/pull.log" | tr -d '"' | grep -qxF "$1"; }

# --- kubelet's path: the CRI plugin pulls through the files (config_path, read at each pull)
mark; cri docker.io/library/demo:1
got=$(digest k8s.io docker.io/library/demo:1)
t "CRI PullImage docker.io/library/demo:1: ok, image sha256:${cfg:0:12}..., manifest as pushed" \
	'[ "$cst" = 0 ] && [ "$cref" = "sha256:$cfg" ] && [ "$got" = "sha256:$man" ]' "$tmp/cri.last" "$tmp/containerd.log"
t "... served by our registry to containerd: HEAD /v2/docker.io/library/demo/manifests/1, GET its layer" \
	'served HEAD /v2/docker.io/library/demo/manifests/1 && served GET /v2/docker.io/library/demo/blobs/sha256:$layer' \
	"$tmp/reg.since"
mark; cri "$NAME/app:1"
got=$(digest k8s.io "$NAME/app:1")
t "CRI PullImage $NAME/app:1 (no cluster DNS here: the name maps to $IP)" \
	'[ "$cst" = 0 ] && [ "$got" = "sha256:$man" ] && served HEAD /v2/app/manifests/1' "$tmp/cri.last" "$tmp/reg.since"

# --- the same with ctr --hosts-dir: --debug lists the hosts tried
mark; pull --debug docker.io/library/demo:1; st=$?
got=$(digest e2e docker.io/library/demo:1)
t "ctr pull --hosts-dir docker.io/library/demo:1: the pushed digest, from $IP only (upstream not tried)" \
	'[ $st = 0 ] && [ "$got" = "sha256:$man" ] && tried "$IP" && ! tried registry-1.docker.io &&
	served HEAD /v2/docker.io/library/demo/manifests/1' "$tmp/pull.log"
pull "$NAME/app:1"; st=$?
got=$(digest e2e "$NAME/app:1")
t "ctr pull --hosts-dir $NAME/app:1" '[ $st = 0 ] && [ "$got" = "sha256:$man" ]' "$tmp/pull.log"
pull "$IP/app:1"; st=$?
t "ctr pull --hosts-dir $IP/app:1 (the ClusterIP's own hosts.toml)" '[ $st = 0 ]' "$tmp/pull.log"

# --- trust is real: another CA in ca.crt, and the same pull fails on the certificate
pass "$conf" CA_FILE="$tmp/wrongca.crt"; st=$?
t "a pass with another CA rewrites $IP/ca.crt" '[ $st = 0 ] && carries "$D/$IP/ca.crt" "$tmp/wrongca.crt"' "$tmp/pass.log"
cri "$NAME/app:2"
t "... CRI PullImage $NAME/app:2 fails: x509, unknown authority" \
	'[ "$cst" = 2 ] && [[ $cmsg == *x509*"unknown authority"* ]]' "$tmp/cri.last"
pull "$NAME/app:2"; st=$?
t "... ctr pull $NAME/app:2 fails the same way" '[ $st != 0 ] && grep -q "x509: .*unknown authority" "$tmp/pull.log"' \
	"$tmp/pull.log"
pass "$conf"; st=$?
cri "$NAME/app:2"
t "the right CA back: the pass restores ca.crt and the same pull succeeds" \
	'[ $st = 0 ] && carries "$D/$IP/ca.crt" "$tmp/ca.crt" && [ "$cst" = 0 ]' "$tmp/pass.log" "$tmp/cri.last"

# --- health gating: the registry stops
kill -TERM -- "-$reg" 2> /dev/null
for ((i = 0; i < 50; i++)); do kill -0 "$reg" 2> /dev/null || break; sleep 0.1; done
pull --debug docker.io/library/other:1; st=$?
t "registry stopped, mirror entry still there: a pull tries $IP first (for comparison)" \
	'[ $st != 0 ] && tried "$IP" && grep -q "ctr: .*$IP:443: connect: connection refused" "$tmp/pull.log"' \
	"$tmp/pull.log"
pass "$conf"; st=$?
t "the next pass: 'does not answer; mirrors withdrawn', docker.io/hosts.toml and its dir gone, not ready (the reason names the URL)" \
	'[ $st = 1 ] && [ ! -f "$tmp/state/ready" ] && grep -qF "does not answer at https://$IP/v2/" "$tmp/state/reason" &&
	[ ! -e "$D/docker.io" ] &&
	grep -qF "registry at https://$IP does not answer; mirrors withdrawn" "$tmp/pass.log" &&
	grep -qF "removed $D/docker.io/hosts.toml" "$tmp/pass.log"' "$tmp/pass.log"
t "... the files for $IP and the registry's names stay" \
	'[ "$(ourfiles)" = "$(grep -v "/docker.io/" <<< "$want")" ]' "$tmp/pass.log"
t0=$(ms); pull --debug docker.io/library/other:1; st=$? took=$(($(ms) - t0))
t "... ctr pull docker.io/library/other:1 tries the upstream only: fails in $took ms, $IP not in its output" \
	'[ $st != 0 ] && [ $took -lt 15000 ] && tried registry-1.docker.io && ! grep -qF "$IP" "$tmp/pull.log"' \
	"$tmp/pull.log"
t0=$(ms); cri docker.io/library/other:1; took=$(($(ms) - t0))
t "... CRI PullImage docker.io/library/other:1: fails in $took ms, not naming $IP" \
	'[ "$cst" = 2 ] && [ $took -lt 15000 ] && [[ $cmsg == *registry-1.docker.io* ]] && [[ $cmsg != *"$IP"* ]]' \
	"$tmp/cri.last"

# --- the registry back: the next pass turns the mirror on again
start_registry && pass "$conf"; st=$?
mark; cri docker.io/library/demo:1
t "registry back: 'answers; mirrors on', docker.io/hosts.toml again, the CRI pull goes to $IP" \
	'[ $st = 0 ] && grep -qF "answers; mirrors on" "$tmp/pass.log" && [ "$(ourfiles)" = "$want" ] &&
	[ "$cst" = 0 ] && served HEAD /v2/docker.io/library/demo/manifests/1' "$tmp/pass.log" "$tmp/cri.last"

# --- MODE=remove: exactly the script's files go; foreign ones (also in its dirs) and config.toml stay
mkdir -p "$D/quay.io" && echo '# not ours' > "$D/quay.io/hosts.toml" && echo 'not ours' > "$D/$IP/notes.txt"
pass "$tmp/remove.cfg"; st=$?
left=$(find "$D" -mindepth 1 | sort)
t "MODE=remove: exit 0, ready; left: only the foreign files and their dirs" \
	'[ $st = 0 ] && [ -f "$tmp/state/ready" ] &&
	[ "$left" = "$(printf "%s\n" "$D/$IP" "$D/$IP/notes.txt" "$D/quay.io" "$D/quay.io/hosts.toml")" ]' \
	"$tmp/pass.log"
t "... it logged the removal of each of its files, and left config.toml alone" \
	'[ "$(grep -c "^registry-addon: removed " "$tmp/pass.log")" = "$(wc -l <<< "$want")" ] &&
	cmp -s "$ctd/config.toml" "$tmp/config.toml.orig"' "$tmp/pass.log"
cri "$NAME/app:3"
t "... and the registry's name no longer resolves for containerd (CRI pull of $NAME/app:3 fails)" \
	'[ "$cst" = 2 ] && [[ $cmsg == *"no such host"* ]]' "$tmp/cri.last"

# --- an IPv6 ClusterIP ([fd00::14] in a cluster; here [::1]): the same image from a second
# registry process on [::1]:443 (or a free port), a pass with that config into the same certs.d,
# and the same pulls. containerd 1.6 and 1.7 read hosts.toml with go-toml v1, which rejects a
# table header whose quoted key holds "]" (containerd issue 10055) and then silently uses the
# default host; dotted keys or an inline table under [host] parse
if grep -q '^0\{31\}1 ' /proc/net/if_inet6 2> /dev/null; then
	p6=443
	if (exec 3<> /dev/tcp/::1/443) 2> /dev/null; then
		p6=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); print(s.getsockname()[1])')
	fi
	H6='[::1]' N6=$NAME; [ "$p6" = 443 ] || H6="[::1]:$p6" N6="$NAME:$p6"
	sed -e "s|addr: \"$IP:443\"|addr: \"[::1]:$p6\"|" "$tmp/registry.yml" > "$tmp/registry6.yml"
	setsid docker-registry serve "$tmp/registry6.yml" >> "$tmp/registry6.log" 2>&1 &
	groups+=("$!")
	for ((i = 0; i < 100; i++)); do
		curl -gsf --cacert "$tmp/ca.crt" "https://$H6/v2/" > /dev/null 2>&1 && break; sleep 0.1
	done
	sed -e "s|^REGISTRY_HOST=.*|REGISTRY_HOST='$H6'|" -e "s|^REGISTRY_URL=.*|REGISTRY_URL='https://$H6'|" \
		-e "s|^REGISTRY_NAMES=.*|REGISTRY_NAMES='$N6'|" "$conf" > "$tmp/node6.cfg"
	pass "$tmp/node6.cfg"; st=$?
	t "IPv6: a pass for $H6 (registry answering there): ready, mirrors on" \
		'[ $st = 0 ] && grep -qF "registry at https://$H6 answers; mirrors on" "$tmp/pass.log" &&
		[ -f "$D/$H6/hosts.toml" ] && [ -f "$D/$N6/hosts.toml" ] && [ -f "$D/docker.io/hosts.toml" ]' \
		"$tmp/pass.log" "$tmp/registry6.log"
	note "IPv6 docker.io/hosts.toml: $(tail -n +2 "$D/docker.io/hosts.toml" | tr -s '\n ' ' ')"
	pull --debug "$N6/app:3"; st=$?
	t "... containerd parses its hosts.toml files (ctr --debug: no 'failed to decode hosts.toml')" \
		'! grep -q "failed to decode hosts.toml" "$tmp/pull.log"' "$tmp/pull.log"
	t "... ctr pull $N6/app:3 goes to $H6" '[ $st = 0 ] && tried "$H6"' "$tmp/pull.log"
	reglog=$tmp/registry6.log; mark; cri docker.io/library/demo:1
	t "... CRI PullImage docker.io/library/demo:1 through the mirror at $H6" \
		'[ "$cst" = 0 ] && served HEAD /v2/docker.io/library/demo/manifests/1' "$tmp/cri.last" "$tmp/reg.since"
	# (no pull of "$H6/app:1": containerd 1.6's reference grammar has no IPv6 literals)
else
	echo "# skip IPv6 part: no ::1 on this machine"
fi

# --- no mounts: the native snapshotter copies
ctr -a "$sock" -n e2e images rm docker.io/library/demo:1 "$NAME/app:1" "$IP/app:1" > /dev/null 2>&1
t "nothing mounted under $tmp" '! grep -qF " $tmp/" /proc/self/mounts'
finish
