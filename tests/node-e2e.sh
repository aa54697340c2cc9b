#!/usr/bin/env bash
# tests/node-e2e.sh - node trust end to end with real parts, no cluster: Debian's
# Distribution (docker-registry) serves TLS on 127.0.0.20:443, standing in for
# the ClusterIP; skopeo pushes an image under the mirror path of docker.io and
# one under the registry's own name; node-trust.sh runs under busybox with the
# config the add-on generates (ClusterIP 127.0.0.20, the input's docker.io
# image mirrored; only host paths redirected into a temp dir); Debian's
# containerd then pulls docker.io/library/demo:1 and
# registry.registry-system.svc.cluster.local/app:1 through the hosts.toml files
# and CA it wrote (ctr --hosts-dir: the same resolver the CRI plugin uses with
# config_path). Then: a wrong CA fails the pull; the registry stops, the next
# pass withdraws the mirror and a pull no longer touches 127.0.0.20; the
# Removed output's config deletes every file. Loopback only.
#
# usage: bash tests/node-e2e.sh BIN     (root; installs containerd,
#        docker-registry, skopeo, busybox, openssl when missing)
# shellcheck disable=SC2034  # variables read only by the conditions t evals
set -u
export LC_ALL=C
bin=${1:?usage: tests/node-e2e.sh BIN}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
cd "$(dirname "$0")/.." || exit 2
SUITE=node-e2e
. tests/lib.sh
IP=127.0.0.20 NAME=registry.registry-system.svc.cluster.local
ms() { local n=${EPOCHREALTIME/./}; echo $((n / 1000)); }

# --- prerequisites
if [ "$(id -u)" != 0 ]; then
	echo "# skip node-e2e: containerd and port 443 need root"; finish
fi
need() { local m=() c; for c in containerd:containerd ctr:containerd docker-registry:docker-registry \
	skopeo:skopeo busybox:busybox openssl:openssl; do command -v "${c%%:*}" > /dev/null || m+=("${c#*:}"); done; echo "${m[*]}"; }
missing=$(need)
if [ -n "$missing" ] && command -v apt-get > /dev/null; then
	note "installing $missing"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq > /dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing > /dev/null
	missing=$(need)
fi
[ -f tests/schema/node_modules/yaml/package.json ] || bash tests/schema/setup.sh >&2
[ -z "$missing" ] || { bad "prerequisites (missing: $missing)"; finish; }
note "$(containerd --version); $(docker-registry --version 2>&1 | head -n 1); $(skopeo --version)"
bindir=$tmp/bin; mkdir -p "$bindir"
for a in $(busybox --list); do ln -s "$(command -v busybox)" "$bindir/$a"; done

# --- a CA and the registry's server certificate (the ClusterIP and its name)
mkca() { openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-keyout "$tmp/$1.key" -out "$tmp/$1.crt" -subj "/CN=node-e2e $1" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>> "$tmp/openssl.log"; }
mkca ca && mkca wrongca &&
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/tls.key" \
		-out "$tmp/tls.csr" -subj "/CN=$NAME" 2>> "$tmp/openssl.log" &&
	printf 'subjectAltName=IP:%s,DNS:%s\nextendedKeyUsage=serverAuth\n' "$IP" "$NAME" > "$tmp/ext" &&
	openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -set_serial 7 -days 1 \
		-extfile "$tmp/ext" -out "$tmp/tls.crt" 2>> "$tmp/openssl.log"; st=$?
t "openssl: a CA and a server certificate for $IP and $NAME" '[ $st = 0 ]' "$tmp/openssl.log"

# --- the registry on the stand-in ClusterIP
cat > "$tmp/registry.yml" <<-YML
	version: 0.1
	log: {accesslog: {disabled: false}, level: info}
	storage: {filesystem: {rootdirectory: $tmp/data}}
	http: {addr: "$IP:443", tls: {certificate: $tmp/tls.crt, key: $tmp/tls.key}}
YML
start_registry() {
	setsid docker-registry serve "$tmp/registry.yml" >> "$tmp/registry.log" 2>&1 &
	reg=$!; groups+=("$reg")
	local i; for ((i = 0; i < 100; i++)); do
		curl -sf --cacert "$tmp/ca.crt" "https://$IP/v2/" > /dev/null 2>&1 && return 0; sleep 0.1
	done; return 1
}
start_registry; st=$?
t "docker-registry serves TLS on $IP:443" '[ $st = 0 ]' "$tmp/registry.log"

# --- images: demo:1 at the mirror path of docker.io, app:1 and app:2 by the registry's own name
lay=$tmp/layout; mkdir -p "$lay/blobs/sha256" "$tmp/rootfs" "$tmp/home" "$tmp/sko-tmp" "$tmp/registries.d"
echo "pulled through registry-addon's mirror" > "$tmp/rootfs/hello.txt"
tar -C "$tmp/rootfs" --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$tmp/layer.tar" hello.txt
gzip -n -c "$tmp/layer.tar" > "$tmp/layer.tar.gz"
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { wc -c < "$1" | tr -d ' '; }
blob() { local d; d=$(sha "$1"); cp "$1" "$lay/blobs/sha256/$d"; echo "$d"; }
layer=$(blob "$tmp/layer.tar.gz")
printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
	"$(sha "$tmp/layer.tar")" > "$tmp/config.json"
cfg=$(blob "$tmp/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
	"$cfg" "$(size "$tmp/config.json")" "$layer" "$(size "$tmp/layer.tar.gz")" > "$tmp/manifest.json"
man=$(blob "$tmp/manifest.json")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' \
	"$man" "$(size "$tmp/manifest.json")" > "$lay/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$lay/oci-layout"
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$tmp/policy.json"
: > "$tmp/registries.conf"; echo '{}' > "$tmp/auth.json"; mkdir -p "$tmp/certs"; cp "$tmp/ca.crt" "$tmp/certs/"
push() {
	timeout 30 env HOME="$tmp/home" REGISTRY_AUTH_FILE="$tmp/auth.json" CONTAINERS_REGISTRIES_CONF="$tmp/registries.conf" \
		skopeo --policy "$tmp/policy.json" --registries.d "$tmp/registries.d" --tmpdir "$tmp/sko-tmp" \
		copy --preserve-digests --dest-cert-dir "$tmp/certs" "oci:$lay:1" "docker://$IP/$1" >> "$tmp/sko.log" 2>&1
}
push docker.io/library/demo:1 && push app:1 && push app:2; st=$?
t "skopeo pushes $IP/docker.io/library/demo:1 (the preload's path) and $IP/app:1, app:2" '[ $st = 0 ]' "$tmp/sko.log"

# --- the node config as the add-on generates it for this "cluster"
echo '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"docker.io/library/demo:1"}]}}' > "$tmp/in.json"
gen() { "$bin" --set registry.service.serviceCIDR=127.0.0.0/8 --set "registry.service.clusterIP=$IP" \
	--set 'nodeTrust.runtimes=[containerd]' "$@" < "$tmp/in.json"; }
gen > "$tmp/out.yaml" 2> "$tmp/gen.err" &&
	node tests/node/manifest.mjs data "$tmp/out.yaml" registry-node-trust registry-node-trust config > "$tmp/node.cfg" &&
	node tests/node/manifest.mjs data "$tmp/out.yaml" registry-node-trust registry-node-trust node-trust.sh > "$tmp/node-trust.sh"
st=$?
t "the add-on's node config: ClusterIP $IP, docker.io mirrored" \
	'[ $st = 0 ] && grep -qxF "REGISTRY_HOST='"'"'$IP'"'"'" "$tmp/node.cfg" && grep -q "^MIRRORS=.docker.io," "$tmp/node.cfg"' \
	"$tmp/gen.err" "$tmp/node.cfg"
D=$tmp/certs.d
mkdir -p "$D" "$tmp/ctd"
cat > "$tmp/ctd/config.toml" <<-TOML
	version = 2
	root = "$tmp/ctd/root"
	state = "$tmp/ctd/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
	  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
	[grpc]
	  address = "$tmp/ctd/containerd.sock"
	[ttrpc]
	  address = "$tmp/ctd/containerd.sock.ttrpc"
	[plugins."io.containerd.grpc.v1.cri".registry]
	  config_path = "$D"
TOML
# pass [VAR=value...]: one pass of the shipped script, with the shipped config
pass() {
	(exec env -i PATH="$bindir" CA_FILE="$tmp/ca.crt" CONTAINERD_CERTS_D="$D" CONTAINERD_CONFIG="$tmp/ctd/config.toml" \
		STATE_DIR="$tmp/state" ONCE=1 "$@" sh "$tmp/node-trust.sh" "$tmp/node.cfg") >> "$tmp/node.log" 2>&1
}
pass; st=$?
t "node-trust.sh: ready (containerd reads $D)" '[ $st = 0 ] && [ -f "$tmp/state/ready" ]' "$tmp/node.log"
t "node-trust.sh: the mirror for docker.io is on (the registry answers)" \
	'grep -qF "[host.\"https://$IP/v2/docker.io\"]" "$D/docker.io/hosts.toml"' "$tmp/node.log"

# --- containerd pulls through what the script wrote
setsid containerd --config "$tmp/ctd/config.toml" > "$tmp/containerd.log" 2>&1 &
groups+=("$!")
sock=$tmp/ctd/containerd.sock
for ((i = 0; i < 100; i++)); do ctr -a "$sock" version > /dev/null 2>&1 && break; sleep 0.1; done
ctr -a "$sock" version > /dev/null 2>&1; st=$?
t "containerd runs (its own root, state and socket)" '[ $st = 0 ]' "$tmp/containerd.log"
pull() { timeout 60 ctr -a "$sock" -n e2e images pull --snapshotter native --hosts-dir "$D" "$1" > "$tmp/pull.log" 2>&1; }
digest() { ctr -a "$sock" -n e2e images ls "name==$1" 2> /dev/null | awk 'NR == 2 { print $3 }'; }
pull docker.io/library/demo:1; st=$?
t "ctr pulls docker.io/library/demo:1 through the mirror" '[ $st = 0 ]' "$tmp/pull.log" "$tmp/containerd.log"
got=$(digest docker.io/library/demo:1)
t "... with the digest skopeo pushed (sha256:${man:0:12}...)" '[ "$got" = "sha256:$man" ]' "$tmp/pull.log"
t "... and the registry served it at /v2/docker.io/library/demo/manifests/1 (override_path)" \
	'grep -q "/v2/docker.io/library/demo/manifests/1" "$tmp/registry.log"' "$tmp/registry.log"
pull "$NAME/app:1"; st=$?
t "ctr pulls $NAME/app:1 (the node cannot resolve it; hosts.toml maps it to $IP)" \
	'[ $st = 0 ] && [ "$(digest "$NAME/app:1")" = "sha256:$man" ]' "$tmp/pull.log"

# --- trust is real: with another CA the same pull fails on the certificate
pass CA_FILE="$tmp/wrongca.crt"
pull "$NAME/app:2"; st=$?
t "with a wrong CA in ca.crt the pull fails (x509)" '[ $st != 0 ] && grep -q "x509\|certificate" "$tmp/pull.log"' "$tmp/pull.log"
pass

# --- health gating: the registry stops, the next pass withdraws the mirror
kill -TERM -- "-$reg" 2> /dev/null
for ((i = 0; i < 50; i++)); do kill -0 "$reg" 2> /dev/null || break; sleep 0.1; done
pass; st=$?
t "registry down: the next pass withdraws docker.io/hosts.toml, keeps $NAME/hosts.toml" \
	'[ ! -e "$D/docker.io/hosts.toml" ] && [ -f "$D/$NAME/hosts.toml" ] && grep -q "does not answer; mirrors withdrawn" "$tmp/node.log"' \
	"$tmp/node.log"
t0=$(ms); pull docker.io/library/other:1; st=$? took=$(($(ms) - t0))
t "... and a pull of docker.io/library/other:1 goes to the upstream only: fails in ${took} ms without dialing $IP" \
	'[ $st != 0 ] && [ $took -lt 15000 ] && ! grep -q "$IP" "$tmp/pull.log"' "$tmp/pull.log"
start_registry && pass; st=$?
t "registry back: the mirror entry returns" '[ $st = 0 ] && [ -f "$D/docker.io/hosts.toml" ]' "$tmp/node.log"

# --- Removed: the same DaemonSet in remove mode deletes exactly our files
mkdir -p "$D/quay.io" && echo '# not ours' > "$D/quay.io/hosts.toml"
gen --set managementState=Removed > "$tmp/removed.yaml" 2> "$tmp/gen.err" &&
	node tests/node/manifest.mjs data "$tmp/removed.yaml" registry-node-trust registry-node-trust config > "$tmp/node.cfg"
pass; st=$?
left=$(find "$D" -type f | sort)
t "Removed: every file of ours is gone, a foreign one stays" \
	'[ $st = 0 ] && [ "$left" = "$D/quay.io/hosts.toml" ]' "$tmp/node.log"
ctr -a "$sock" -n e2e images rm docker.io/library/demo:1 "$NAME/app:1" > /dev/null 2>&1
finish
