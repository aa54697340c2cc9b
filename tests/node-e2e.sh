#!/usr/bin/env bash
# tests/node-e2e.sh - node trust end to end with real parts, no cluster, loopback only:
#  - Debian's Distribution (docker-registry 2.8) serves TLS as the three parts of the registry
#    (issue 12), one process each over one storage directory: the writer on 127.0.0.20:443 (or the
#    next 127.0.0.N with port 443 free; "127.0.0.20" below; Service registry's ClusterIP X), the
#    mirror on 127.0.0.21:443 (the next free one; Service registry-mirror's ClusterIP M) and the
#    read-only copies on 127.0.0.21:5443 (certificate from a throw-away openssl CA: both IPs and
#    the Service's names); skopeo pushes a hand-made OCI image to
#    127.0.0.20/docker.io/library/demo:1 (the mirror path of docker.io) and to 127.0.0.20/app:1..5
#    (what pods push as registry.registry-system.svc.cluster.local/app:1);
#  - src/node/node-trust.sh runs one pass (ONCE=1) as `busybox sh node-trust.sh CONFIG` with only
#    busybox applets on PATH and its host paths pointed into the temp dir; the built-in probe
#    (busybox wget) decides the registry's health;
#  - Debian's containerd (1.6) runs as its own daemon (root, state, socket in the temp dir; native
#    snapshotter: no mounts) with config_path = the certs.d the script writes. Images are pulled
#    twice over: through the CRI plugin's ImageService/PullImage (kubelet's path; a gRPC call made
#    with curl over the socket) and with `ctr images pull --hosts-dir` (same resolver; --debug
#    shows each host it tries).
# Proven: docker.io/library/demo:1 comes from the mirror (its access log shows containerd's
# requests under /v2/docker.io/..., override_path; the writer's shows none), the registry's own
# name from the writer, both with the pushed digest; the writer stopped, the own name is pulled
# from the copies; another CA in ca.crt makes the pull fail on x509; with the mirror stopped a
# pass withdraws docker.io/hosts.toml (the name's stays) and a pull no longer tries the mirror
# (before the pass, it did); the mirror back, it returns; the pull-through cache (issue 15; a
# Distribution in proxy mode of a stand-in upstream, upstream.test, whose server is the writer):
# an image the mirror lacks (404) is pulled from the cache, which fetched it from the upstream,
# containerd asking the mirror, then the cache; with the cache refusing connections the pull falls
# through to the server; MODE=remove deletes exactly the script's files; an IPv6 ClusterIP (here
# [::1], the three and the cache on four ports) works the same way, the hosts in file order (dotted
# keys under [host] on containerd 1.x).
#   NODE_TRUST_SH=FILE runs another copy of the script (to check that the suite catches a bug).
#
# usage: bash tests/node-e2e.sh [BIN]
#   Without BIN the config is written here as the add-on would (REGISTRY_HOST 127.0.0.20,
#   MIRROR_URL https://127.0.0.21, OWN_COPIES_URL https://127.0.0.21:5443, one name, docker.io
#   mirrored); with BIN (tests/run-all passes it) it is the config BIN generates for ClusterIP
#   127.0.0.20 (and mirror ClusterIP 127.0.0.21 when BIN has registry.service.mirrorClusterIP)
#   and a pod using docker.io/library/demo:1 (needs node and tests/schema/node_modules), and BIN's
#   copy of the script must be src/node/node-trust.sh. A config without MIRROR_URL (a generator
#   before issue 12) is run as the script reads it: the mirror is the writer, no copies (noted).
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
# M: the mirror Service's ClusterIP stand-in, the next address with 443 free; the copies on its
# port 5443, else (something listens on *:5443 here) a free port
for M in 127.0.0.{21..61}; do [ "$M" != "$IP" ] && ! (exec 3<> "/dev/tcp/$M/443") 2> /dev/null && break; done
CP=5443; (exec 3<> "/dev/tcp/$M/5443") 2> /dev/null && CP=$(free_port)
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
test_pki "IP:$IP,IP:$M,IP:::1,DNS:registry,DNS:registry.registry-system,DNS:registry.registry-system.svc,DNS:$NAME"; st=$?
t "openssl: two CAs and a server certificate for $IP, $M and $NAME" '[ $st = 0 ]' "$tmp/openssl.log"

# --- registries: reg_start NAME HOST[:PORT] [UPSTREAM]: Distribution NAME serving the one storage
# directory at HOST[:PORT] (port 443 by default), its log $tmp/NAME.log; with UPSTREAM (https://HOST)
# a pull-through cache of it instead, as the cache container runs one (proxy mode, a storage of its
# own; the upstream's certificate checked against our CA as Go's system roots); reg_stop NAME
declare -A regpid regaddr regmark
reg_start() {
	local n=$1 a=$2 i data=$tmp/data px=""
	case $a in \[*\]:* | [!\[]*:*) ;; *) a=$a:443 ;; esac
	regaddr[$n]=$a
	[ -z "${3:-}" ] || data=$tmp/$n-data px="proxy: {remoteurl: \"$3\"}"
	printf 'version: 0.1\nlog: {accesslog: {disabled: false}, level: info}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: "%s", tls: {certificate: %s, key: %s}}\n%s\n' \
		"$data" "$a" "$tmp/tls.crt" "$tmp/tls.key" "$px" > "$tmp/$n.yml"
	SSL_CERT_FILE=$tmp/ca.crt setsid docker-registry serve "$tmp/$n.yml" >> "$tmp/$n.log" 2>&1 &
	regpid[$n]=$!; groups+=("$!")
	for ((i = 0; i < 100; i++)); do
		curl -gsf --cacert "$tmp/ca.crt" "https://$a/v2/" > /dev/null 2>&1 && return 0
		kill -0 "${regpid[$n]}" 2> /dev/null || return 1
		sleep 0.1
	done; return 1
}
reg_stop() {
	local i; kill -TERM -- "-${regpid[$1]}" 2> /dev/null
	for ((i = 0; i < 50; i++)); do kill -0 "${regpid[$1]}" 2> /dev/null || break; sleep 0.1; done
}
# mark: every registry log's size now; served NAME METHOD PATH: in registry NAME's access log
# lines since the mark ($tmp/reg.since), containerd got a 200 for METHOD PATH (up to "?ns=")
mark() { local n; for n in "${!regaddr[@]}"; do regmark[$n]=$(stat -c %s "$tmp/$n.log" 2> /dev/null || echo 0); done; }
served() {
	tail -c "+$((${regmark[$1]:-0} + 1))" "$tmp/$1.log" | grep -v '^time=' > "$tmp/reg.since"
	grep -F "\"$2 $3?ns=" "$tmp/reg.since" | grep -q '" 200 .*"containerd/'
}
# hit NAME METHOD PATH CODE AGENT: since the mark, registry NAME answered METHOD PATH (any query)
# with CODE to a client whose User-Agent begins with AGENT
hit() {
	tail -c "+$((${regmark[$1]:-0} + 1))" "$tmp/$1.log" | grep -v '^time=' > "$tmp/reg.since"
	grep -F -e "\"$2 $3?" -e "\"$2 $3 HTTP/" "$tmp/reg.since" | grep -F "\" $4 " | grep -qF "\"$5"
}
reg_start w "$IP"; st=$?
t "docker-registry (the writer) serves TLS on $IP:443" '[ $st = 0 ]' "$tmp/w.log"

# --- images: the same hand-made OCI image as 127.0.0.20/docker.io/library/demo:1 (the mirror
# path of docker.io) and 127.0.0.20/app:1..3 (pods push it as $NAME/app:1)
lay=$tmp/layout; mkdir -p "$tmp/home" "$tmp/sko-tmp" "$tmp/registries.d"
oci_image "$lay" 1 "pulled through registry-addon's mirror"
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$tmp/policy.json"
: > "$tmp/registries.conf"; echo '{}' > "$tmp/auth.json"; mkdir -p "$tmp/certs"; cp "$tmp/ca.crt" "$tmp/certs/"
# push NAME [LAYOUT]: the image of LAYOUT (default $lay) as $IP/NAME
push() {
	timeout 30 env HOME="$tmp/home" REGISTRY_AUTH_FILE="$tmp/auth.json" CONTAINERS_REGISTRIES_CONF="$tmp/registries.conf" \
		skopeo --policy "$tmp/policy.json" --registries.d "$tmp/registries.d" --tmpdir "$tmp/sko-tmp" \
		copy --preserve-digests --dest-cert-dir "$tmp/certs" "oci:${2:-$lay}:1" "docker://$IP/$1" >> "$tmp/sko.log" 2>&1
}
push docker.io/library/demo:1 && push app:1 && push app:2 && push app:3 && push app:4 && push app:5; st=$?
t "skopeo pushes $IP/docker.io/library/demo:1 and $IP/app:1..5 (manifest sha256:${man:0:12}...)" \
	'[ $st = 0 ]' "$tmp/sko.log"

# --- the node config: written here, or generated by BIN for this "cluster"
conf=$tmp/node.cfg
if [ -z "$bin" ]; then
	cat > "$conf" <<-CFG
		MODE='install'
		REGISTRY_HOST='$IP'
		REGISTRY_URL='https://$IP'
		MIRROR_URL='https://$M'
		OWN_COPIES_URL='https://$M:$CP'
		REGISTRY_NAMES='$NAME'
		MIRRORS='docker.io,https://registry-1.docker.io,docker.io'
		RUNTIMES='containerd'
		CONFIGURE_CONTAINERD='never'
	CFG
	sed 's/^MODE=.*/MODE='"'remove'"'/' "$conf" > "$tmp/remove.cfg"
	note "config written here (no BIN): $(tr '\n' ' ' < "$conf")"
else
	echo '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"docker.io/library/demo:1"}]}}' > "$tmp/in.json"
	mset=()  # the mirror Service's ClusterIP, where BIN has it (issue 12)
	"$bin" --print-defaults 2> /dev/null | grep -q mirrorClusterIP && mset=(--set "registry.service.mirrorClusterIP=$M")
	# the input's upstream only (auto), as these legs count files: not the default set's four
	gen() { "$bin" --set registry.service.serviceCIDR=127.0.0.0/8 --set "registry.service.clusterIP=$IP" \
		"${mset[@]}" --set 'nodeTrust.runtimes=[containerd]' --set 'nodeTrust.mirrors=[auto]' "$@" < "$tmp/in.json"; }
	data() { node tests/node/manifest.mjs data "$1" registry-node-trust registry-node-trust "$2"; }
	gen > "$tmp/out.yaml" 2> "$tmp/gen.err" && data "$tmp/out.yaml" config > "$conf" &&
		data "$tmp/out.yaml" node-trust.sh > "$tmp/shipped.sh" &&
		gen --set managementState=Removed > "$tmp/removed.yaml" 2>> "$tmp/gen.err" &&
		data "$tmp/removed.yaml" config > "$tmp/remove.cfg"; st=$?
	t "BIN's node config: ClusterIP $IP, $NAME among the names, docker.io mirrored (its cache $M:5100); Removed: MODE remove" \
		'[ $st = 0 ] && grep -qxF "REGISTRY_HOST='"'$IP'"'" "$conf" && grep -q "^REGISTRY_NAMES=.*[ '"'"']$NAME[ '"'"']" "$conf" &&
		grep -q "^MIRRORS=.docker.io,https://registry-1.docker.io,docker.io,$M:5100[ '"'"']" "$conf" &&
		grep -qxF "MODE='"'remove'"'" "$tmp/remove.cfg"' "$tmp/gen.err" "$conf"
	[ -n "${NODE_TRUST_SH:-}" ] ||
		t "BIN ships src/node/node-trust.sh byte for byte" 'cmp -s "$tmp/shipped.sh" "$script"'
fi
# shellcheck source=/dev/null
names=$(. "$conf" && echo "$REGISTRY_NAMES")
# the mirror and the copies as the script reads the config (no MIRROR_URL: the writer; none: no copies)
# shellcheck source=/dev/null
MH=$(. "$conf" && u=${MIRROR_URL:-$REGISTRY_URL} && echo "${u#https://}")
# shellcheck source=/dev/null
CH=$(. "$conf" && u=${OWN_COPIES_URL:-} && echo "${u#https://}")
grep -q '^MIRROR_URL=' "$conf" || note "the config has no MIRROR_URL (a generator before issue 12): the mirror is the writer, $IP"
if [ -n "$CH" ] && (exec 3<> "/dev/tcp/${CH%:*}/${CH##*:}") 2> /dev/null; then
	note "not run: the copies: $CH is in use on this machine"; CH=
fi
[ -n "$CH" ] || note "the config has no OWN_COPIES_URL (a generator before issue 12): the copies are not tested"
# the mirror (unless it is the writer) and the copies: registries m and c
mr=w; [ "$MH" = "$IP" ] || { reg_start m "$MH"; st=$?; mr=m
	t "docker-registry (the mirror) serves TLS on ${regaddr[m]} (the same storage)" '[ $st = 0 ]' "$tmp/m.log"; }
[ -z "$CH" ] || { reg_start c "$CH"; st=$?
	t "docker-registry (the copies) serves TLS on ${regaddr[c]} (the same storage)" '[ $st = 0 ]' "$tmp/c.log"; }
[ "$fail" = 0 ] || { note "the set-up failed: nothing more to run"; finish; }

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
t "... the built-in probe (busybox wget) finds the mirror at https://$MH: mirrors on" \
	'grep -qF "registry mirror at https://$MH answers; mirrors on" "$tmp/pass.log"' "$tmp/pass.log"
t "... wrote hosts.toml for $IP, each name and docker.io, and $IP/ca.crt (header + the CA)" \
	'[ "$got" = "$want" ] && carries "$D/$IP/ca.crt" "$tmp/ca.crt" &&
	grep -qF "\"https://$MH/v2/docker.io\"" "$D/docker.io/hosts.toml"' "$tmp/pass.log"
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
# hosts_tried: the hosts the last ctr --debug pull resolved against, in order, each once
hosts_tried() { sed -n 's/.*msg=resolving host=//p' "$tmp/pull.log" | tr -d '"' | awk '!seen[$1]++ { printf "%s ", $1 }'; }

# --- kubelet's path: the CRI plugin pulls through the files (config_path, read at each pull)
mark; cri docker.io/library/demo:1
got=$(digest k8s.io docker.io/library/demo:1)
t "CRI PullImage docker.io/library/demo:1: ok, image sha256:${cfg:0:12}..., manifest as pushed" \
	'[ "$cst" = 0 ] && [ "$cref" = "sha256:$cfg" ] && [ "$got" = "sha256:$man" ]' "$tmp/cri.last" "$tmp/containerd.log"
t "... served by the mirror ($MH) to containerd: HEAD /v2/docker.io/library/demo/manifests/1, GET its layer" \
	'served $mr HEAD /v2/docker.io/library/demo/manifests/1 && served $mr GET /v2/docker.io/library/demo/blobs/sha256:$layer' \
	"$tmp/reg.since"
[ $mr = w ] || t "... and not by the writer ($IP)" '! served w HEAD /v2/docker.io/library/demo/manifests/1' "$tmp/reg.since"
mark; cri "$NAME/app:1"
got=$(digest k8s.io "$NAME/app:1")
t "CRI PullImage $NAME/app:1 (no cluster DNS here: the name maps to the writer, $IP)" \
	'[ "$cst" = 0 ] && [ "$got" = "sha256:$man" ] && served w HEAD /v2/app/manifests/1' "$tmp/cri.last" "$tmp/reg.since"
[ -z "$CH" ] || t "... the copies ($CH) not asked while the writer answers" '! served c HEAD /v2/app/manifests/1' "$tmp/reg.since"

# --- the same with ctr --hosts-dir: --debug lists the hosts tried
mark; pull --debug docker.io/library/demo:1; st=$?
got=$(digest e2e docker.io/library/demo:1)
t "ctr pull --hosts-dir docker.io/library/demo:1: the pushed digest, from the mirror $MH only (upstream not tried)" \
	'[ $st = 0 ] && [ "$got" = "sha256:$man" ] && tried "$MH" && ! tried registry-1.docker.io &&
	served $mr HEAD /v2/docker.io/library/demo/manifests/1' "$tmp/pull.log"
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

# --- the writer stopped: the registry's names are pulled from the read-only copies
if [ -n "$CH" ]; then
	reg_stop w
	mark; cri "$NAME/app:4"; got=$(digest k8s.io "$NAME/app:4")
	t "writer stopped: CRI PullImage $NAME/app:4 from the copies at $CH, as pushed" \
		'[ "$cst" = 0 ] && [ "$got" = "sha256:$man" ] && served c HEAD /v2/app/manifests/4' "$tmp/cri.last" "$tmp/reg.since"
	pull --debug "$NAME/app:4"; st=$?
	t "... ctr pull --debug $NAME/app:4: tries $IP, then $CH" '[ $st = 0 ] && tried "$IP" && tried "$CH" &&
		[ "$(sed -n "s/.*msg=resolving host=//p" "$tmp/pull.log" | tr -d "\"" | awk "{ print \$1 }" | uniq | head -n 2 | tr "\n" " ")" = "$IP $CH " ]' \
		"$tmp/pull.log"
	pass "$conf"; st=$?
	t "... a pass meanwhile: still ready (the probe asks the mirror, not the writer)" \
		'[ $st = 0 ] && [ -f "$tmp/state/ready" ] && [ -f "$D/docker.io/hosts.toml" ]' "$tmp/pass.log"
	reg_start w "$IP"; st=$?
	t "... the writer back on $IP" '[ $st = 0 ]' "$tmp/w.log"
fi

# --- health gating: the mirror stops (the writer too when it is the mirror)
reg_stop $mr
pull --debug docker.io/library/other:1; st=$?
t "mirror stopped, mirror entry still there: a pull tries $MH first (for comparison)" \
	'[ $st != 0 ] && tried "$MH" && grep -q "ctr: .*${regaddr[$mr]}: connect: connection refused" "$tmp/pull.log"' \
	"$tmp/pull.log"
pass "$conf"; st=$?
t "the next pass: 'does not answer; mirrors withdrawn', docker.io/hosts.toml and its dir gone, not ready (the reason names MIRROR_URL)" \
	'[ $st = 1 ] && [ ! -f "$tmp/state/ready" ] && grep -qF "does not answer at https://$MH/v2/" "$tmp/state/reason" &&
	[ ! -e "$D/docker.io" ] &&
	grep -qF "registry mirror at https://$MH does not answer; mirrors withdrawn" "$tmp/pass.log" &&
	grep -qF "removed $D/docker.io/hosts.toml" "$tmp/pass.log"' "$tmp/pass.log"
t "... the files for $IP and the registry's names stay" \
	'[ "$(ourfiles)" = "$(grep -v "/docker.io/" <<< "$want")" ]' "$tmp/pass.log"
t0=$(ms); pull --debug docker.io/library/other:1; st=$? took=$(($(ms) - t0))
t "... ctr pull docker.io/library/other:1 tries the upstream only: fails in $took ms, $MH not in its output" \
	'[ $st != 0 ] && [ $took -lt 15000 ] && tried registry-1.docker.io && ! grep -qF "$MH" "$tmp/pull.log"' \
	"$tmp/pull.log"
t0=$(ms); cri docker.io/library/other:1; took=$(($(ms) - t0))
t "... CRI PullImage docker.io/library/other:1: fails in $took ms, not naming $MH" \
	'[ "$cst" = 2 ] && [ $took -lt 15000 ] && [[ $cmsg == *registry-1.docker.io* ]] && [[ $cmsg != *"$MH"* ]]' \
	"$tmp/cri.last"
if [ $mr != w ]; then
	mark; cri "$NAME/app:1"
	t "... the writer still serves the registry's names (CRI PullImage $NAME/app:1 from $IP)" \
		'[ "$cst" = 0 ] && served w HEAD /v2/app/manifests/1' "$tmp/cri.last" "$tmp/reg.since"
fi

# --- the mirror back: the next pass turns the mirror on again
reg_start $mr "$MH" && pass "$conf"; st=$?
mark; cri docker.io/library/demo:1
t "mirror back: 'answers; mirrors on', docker.io/hosts.toml again, the CRI pull goes to $MH" \
	'[ $st = 0 ] && grep -qF "answers; mirrors on" "$tmp/pass.log" && [ "$(ourfiles)" = "$want" ] &&
	[ "$cst" = 0 ] && served $mr HEAD /v2/docker.io/library/demo/manifests/1' "$tmp/pass.log" "$tmp/cri.last"

# --- the pull-through cache (issue 15): an upstream upstream.test whose real endpoint (server) is
# the writer at https://$IP (it holds library/cached:1 and :2 at its root, as an upstream would),
# its cache a Distribution in proxy mode of that endpoint at $KH (Service registry-mirror's port
# 5100+i), MIRRORS' entry upstream.test,https://$IP,upstream.test,$KH (added to the config, BIN's
# too). containerd tries the mirror's /v2/upstream.test (404: not preloaded), the cache, the server
KH=$M:$(free_port)
l0=$layer c0=$cfg m0=$man
oci_image "$tmp/layout2" 1 "pulled through registry-addon's cache"
klayer=$layer kman=$man layer=$l0 cfg=$c0 man=$m0
push library/cached:1 "$tmp/layout2" && push library/cached:2 "$tmp/layout2" && reg_start k "$KH" "https://$IP"; st=$?
t "the cache: Distribution in proxy mode of https://$IP at $KH; $IP/library/cached:1, :2 pushed (sha256:${kman:0:12}...)" \
	'[ $st = 0 ]' "$tmp/sko.log" "$tmp/k.log"
sed "s|^MIRRORS='\(.*\)'\$|MIRRORS='\1 upstream.test,https://$IP,upstream.test,$KH'|" "$conf" > "$tmp/cache.cfg"
pass "$tmp/cache.cfg"; st=$?
t "a pass with upstream.test's cache: ready; its hosts.toml: server https://$IP, the mirror's /v2/upstream.test, then the cache's /v2" \
	'[ $st = 0 ] && [ "$(grep -E "^(server|\[host)" "$D/upstream.test/hosts.toml" | tr "\n" " ")" = \
		"server = \"https://$IP\" [host.\"https://$MH/v2/upstream.test\"] [host.\"https://$KH/v2\"] " ]' \
	"$tmp/pass.log" "$D/upstream.test/hosts.toml"
mark; cri upstream.test/library/cached:1; got=$(digest k8s.io upstream.test/library/cached:1)
t "CRI PullImage upstream.test/library/cached:1: as pushed, served by the cache ($KH): HEAD /v2/library/cached/manifests/1, GET its layer" \
	'[ "$cst" = 0 ] && [ "$got" = "sha256:$kman" ] && served k HEAD /v2/library/cached/manifests/1 &&
	served k GET /v2/library/cached/blobs/sha256:$klayer' "$tmp/cri.last" "$tmp/k.log"
t "... after the mirror ($MH) answered 404 for HEAD /v2/upstream.test/library/cached/manifests/1" \
	'hit $mr HEAD /v2/upstream.test/library/cached/manifests/1 404 containerd/' "$tmp/reg.since"
t "... the cache fetched it from the server ($IP), which containerd did not ask" \
	'hit w GET /v2/library/cached/manifests/1 200 "" && ! hit w HEAD /v2/library/cached/manifests/1 200 containerd/ &&
	! hit w GET /v2/library/cached/manifests/1 200 containerd/' "$tmp/reg.since"
mark; pull --debug upstream.test/library/cached:1; st=$?
t "ctr pull --hosts-dir upstream.test/library/cached:1: resolves at $MH, then $KH, which answers ($IP not tried)" \
	'[ $st = 0 ] && [ "$(hosts_tried)" = "$MH $KH " ] && served k HEAD /v2/library/cached/manifests/1' "$tmp/pull.log"
reg_stop k
mark; SSL_CERT_FILE=$tmp/ca.crt pull --debug upstream.test/library/cached:2; st=$?; got=$(digest e2e upstream.test/library/cached:2)
t "the cache stopped (connection refused): ctr pull upstream.test/library/cached:2 falls through: $MH, $KH, then the server $IP serves it" \
	'[ $st = 0 ] && [ "$got" = "sha256:$kman" ] && [ "$(hosts_tried)" = "$MH $KH $IP " ] &&
	served w HEAD /v2/library/cached/manifests/2' "$tmp/pull.log" "$tmp/reg.since"
mark; cri upstream.test/library/cached:2
t "... CRI PullImage likewise reaches the server $IP (which the daemon, without our CA in its roots, refuses: a TLS handshake error in $IP's log)" \
	'[ "$cst" = 2 ] && tail -c "+$((${regmark[w]} + 1))" "$tmp/w.log" | grep -q "TLS handshake error"' "$tmp/cri.last" "$tmp/w.log"
pass "$conf"; st=$?
t "... the config without upstream.test: its hosts.toml removed" '[ $st = 0 ] && [ "$(ourfiles)" = "$want" ]' "$tmp/pass.log"

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

# --- an IPv6 ClusterIP ([fd00::14] in a cluster; here [::1]): the same image from three more
# registry processes on [::1] (the writer on 443 or a free port, the mirror and the copies on
# free ports: there is one IPv6 loopback address), a pass with that config into the same
# certs.d, and the same pulls. containerd 1.6 and 1.7 read hosts.toml with go-toml v1, which rejects a
# table header whose quoted key holds "]" (containerd issue 10055) and then silently uses the
# default host; dotted keys or an inline table under [host] parse, and 1.x tries hosts in the order
# of their lines, which an inline table does not have (Go's map order) and a dotted key does. Also
# upstream.test's cache on [::1] (proxy mode of the writer $H6): the mirror, then the cache
if grep -q '^0\{31\}1 ' /proc/net/if_inet6 2> /dev/null; then
	free6() { python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); print(s.getsockname()[1])'; }
	p6=443
	(exec 3<> /dev/tcp/::1/443) 2> /dev/null && p6=$(free6)
	H6='[::1]' N6=$NAME; [ "$p6" = 443 ] || H6="[::1]:$p6" N6="$NAME:$p6"
	M6="[::1]:$(free6)" C6="[::1]:$(free6)" K6="[::1]:$(free6)"
	reg_start w6 "$H6" && reg_start m6 "$M6" && reg_start c6 "$C6" && reg_start k6 "$K6" "https://$H6"; st=$?
	t "IPv6: the writer on $H6, the mirror on $M6, the copies on $C6 (the same storage), the cache on $K6" '[ $st = 0 ]' \
		"$tmp/w6.log" "$tmp/m6.log" "$tmp/c6.log" "$tmp/k6.log"
	sed -e "s|^REGISTRY_HOST=.*|REGISTRY_HOST='$H6'|" -e "s|^REGISTRY_URL=.*|REGISTRY_URL='https://$H6'|" \
		-e "s|^REGISTRY_NAMES=.*|REGISTRY_NAMES='$N6'|" -e '/^MIRROR_URL=/d' -e '/^OWN_COPIES_URL=/d' \
		-e "s|^MIRRORS='\\(.*\\)'\$|MIRRORS='\\1 upstream.test,https://$H6,upstream.test,$K6'|" "$conf" > "$tmp/node6.cfg"
	printf "MIRROR_URL='https://%s'\nOWN_COPIES_URL='https://%s'\n" "$M6" "$C6" >> "$tmp/node6.cfg"
	pass "$tmp/node6.cfg"; st=$?
	t "IPv6: a pass for $H6 (the mirror answering at $M6): ready, mirrors on" \
		'[ $st = 0 ] && grep -qF "registry mirror at https://$M6 answers; mirrors on" "$tmp/pass.log" &&
		[ -f "$D/$H6/hosts.toml" ] && [ -f "$D/$N6/hosts.toml" ] && [ -f "$D/docker.io/hosts.toml" ]' \
		"$tmp/pass.log" "$tmp/m6.log"
	note "IPv6 docker.io/hosts.toml: $(tail -n +2 "$D/docker.io/hosts.toml" | tr -s '\n ' ' ')"
	note "IPv6 $N6/hosts.toml: $(tail -n +2 "$D/$N6/hosts.toml" | tr -s '\n ' ' ')"
	# keys FILE: the hosts of FILE's dotted keys under [host], in order
	keys() { sed -n 's/^  "\([^"]*\)"\.capabilities = .*/\1/p' "$1" | tr '\n' ' '; }
	t "... $N6/hosts.toml: the writer, then the copies, as dotted keys under one [host] (containerd 1.x)" \
		'[ "$(sed -n 2p "$D/$N6/hosts.toml")" = "[host]" ] && [ "$(keys "$D/$N6/hosts.toml")" = "https://$H6 https://$C6 " ]' \
		"$D/$N6/hosts.toml"
	t "... upstream.test/hosts.toml: the mirror's /v2/upstream.test, then the cache's /v2, as dotted keys" \
		'[ "$(keys "$D/upstream.test/hosts.toml")" = "https://$M6/v2/upstream.test https://$K6/v2 " ]' \
		"$D/upstream.test/hosts.toml"
	mark; pull --debug "$N6/app:3"; st=$?
	t "... containerd parses its hosts.toml files (ctr --debug: no 'failed to decode hosts.toml')" \
		'! grep -q "failed to decode hosts.toml" "$tmp/pull.log"' "$tmp/pull.log"
	t "... ctr pull $N6/app:3 from the writer $H6, asked first (dotted keys keep the order on 1.x)" \
		'[ $st = 0 ] && [ "$(hosts_tried)" = "$H6 " ] && served w6 HEAD /v2/app/manifests/3' \
		"$tmp/pull.log" "$tmp/reg.since"
	mark; cri docker.io/library/demo:1
	t "... CRI PullImage docker.io/library/demo:1 through the mirror at $M6" \
		'[ "$cst" = 0 ] && served m6 HEAD /v2/docker.io/library/demo/manifests/1' "$tmp/cri.last" "$tmp/reg.since"
	for i in 1 2 3 4 5; do
		mark; pull --debug upstream.test/library/cached:1; st=$?
		{ [ $st = 0 ] && [ "$(hosts_tried)" = "$M6 $K6 " ] && served k6 HEAD /v2/library/cached/manifests/1; } || break
	done
	t "... ctr pull upstream.test/library/cached:1, 5 times: $M6 (404), then the cache $K6 answers, in this order" \
		'[ $i = 5 ] && [ $st = 0 ] && [ "$(hosts_tried)" = "$M6 $K6 " ] && served k6 HEAD /v2/library/cached/manifests/1 &&
		hit m6 HEAD /v2/upstream.test/library/cached/manifests/1 404 containerd/' "$tmp/pull.log" "$tmp/reg.since"
	mark; cri upstream.test/library/cached:1
	t "... CRI PullImage upstream.test/library/cached:1 through the cache at $K6" \
		'[ "$cst" = 0 ] && served k6 HEAD /v2/library/cached/manifests/1' "$tmp/cri.last" "$tmp/reg.since"
	reg_stop w6
	mark; pull --debug "$N6/app:5"; st=$?
	t "... the writer stopped: ctr pull $N6/app:5 gets it from the copies at $C6" \
		'[ $st = 0 ] && tried "$C6" && served c6 HEAD /v2/app/manifests/5' "$tmp/pull.log" "$tmp/reg.since"
	# (no pull of "$H6/app:1": containerd 1.6's reference grammar has no IPv6 literals)
else
	echo "# skip IPv6 part: no ::1 on this machine"
fi

# --- no mounts: the native snapshotter copies
ctr -a "$sock" -n e2e images rm docker.io/library/demo:1 "$NAME/app:1" "$IP/app:1" > /dev/null 2>&1
t "nothing mounted under $tmp" '! grep -qF " $tmp/" /proc/self/mounts'
finish
