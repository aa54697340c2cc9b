#!/usr/bin/env bash
# tests/registry-field.sh - the registry's write model (issue 12) with the real programs, loopback
# only, no cluster (../shared/reference/field-lab.md):
#  - the pods: BIN's StatefulSet `registry`, its pod template wrapped as Pods registry-0, registry-1
#    (registry-2 for 3 replicas) with the ConfigMaps they mount (tests/node/fieldpod.mjs
#    statefulset), each run by podman kube play (runc, vfs, the suite's own storage) in a network
#    namespace of its own (podman's default kube network), securityContext as generated (uid 1000,
#    read-only root). The changes, each printed as a note: the container `cache` is left out
#    (tests/cache-field.sh runs it: here the nodes' cache entries refuse connections); `sync` too (regsync
#    has no Debian package: where the design needs its writes, the test writes as regsync would,
#    through the pod's loopback writers, entering the pod's network namespace from the host with
#    nsenter: the mirror writer 127.0.0.1:5010, the own-copy writer 127.0.0.1:5002 of ordinals != 0);
#    the PVC `data` is a hostPath DATA/data per pod (created owned by uid 1000, as fsGroup would
#    make it; it outlives the pod as a PVC does); containers' `ports` are left out (podman 4.3.1
#    publishes every containerPort on the host's 0.0.0.0); secret volumes get `optional: false`
#    (podman 4.3.1 panics on the missing field) and read a podman secret of the same name holding
#    the Secret object with decoded data (podman 4.3.1 writes data values as they are). The
#    kubelet's httpGet probes (HTTPS /, on 5000 and 5443) are made by the test with curl from the
#    host (podman's healthchecks need systemd); the image docker.io/library/registry:3.1.1 is
#    built here (podman import) from Distribution 2.8.3 (docker-registry from trixie,
#    tests/fieldlab.sh) as /bin/registry and busybox-static 1.37's applets.
#  - the Services: one TCP forwarder each on loopback (tests/registry/forward.mjs, round-robin over
#    an endpoints file the test edits as the Endpoints controller would, connections reset when it
#    is empty, each connection's endpoint logged): X:443 -> registry-0's 5002 (Service `registry`,
#    the writer only), M:443 -> every replica's 5000 and M:5443 -> every replica's 5443 (Service
#    `registry-mirror`); legs pin M to one replica where it matters. X, M = 127.0.0.20, .21 (or the
#    first free pair after them), generated as registry.service.clusterIP/mirrorClusterIP with
#    serviceCIDR 127.0.0.0/24 and tls.mode generate (the Secret registry-tls: IP SANs X, M,
#    127.0.0.1).
#  - the nodes: containerd 1.6 (Debian 12), 1.7.24 and 2.1.9 (tests/fieldlab.sh), each its own
#    daemon (tests/node/fieldlib.sh ctd_start), reading hosts.toml files written by one pass of
#    BIN's node-trust.sh (busybox 1.37 sh, only its applets on PATH, nodeTrust.runtimes=[containerd],
#    the host paths under the node's temp root); pulls are kubelet's CRI PullImage.
# Legs:
#  a readonly  every port reachable from outside a pod (each replica's 5000 and 5443 by pod IP,
#              M:443 and M:5443) refuses with 405 manifest PUT by tag and digest, manifest DELETE
#              by tag and digest, blob upload (monolithic POST, POST then PUT or PATCH), mount
#              (?mount=&from=) and blob DELETE under docker.io/library/demo; storage unchanged;
#              5010, 5001 and registry-1's 5002 are not reachable from outside; a push of
#              docker.io/library/demo:1 to the writer (X:443 and registry-0's 5002) succeeds and
#              lands in the own-images root only; then every containerd pulls
#              docker.io/library/demo:1 through M from each replica with the digest seeded through
#              the mirror writers.
#  b own       a client pushes X/team/app:1 and NAME/team/app:1 (the Service name mapped to X);
#              every containerd pulls NAME/team/app:1 at once (copies empty), with 2 and with 3
#              replicas; a copy written into registry-1's own-copy writer (as regsync would), then
#              registry-0 stopped: the pull falls through to M:5443; registry-0 back, team/app:1
#              re-pushed with a new digest: the pull returns the new digest (the writer first).
#  c htpasswd  registry.push.htpasswdSecret: anonymous push to X refused (401), authenticated push
#              works; the read-only ports refuse writes with valid credentials too.
#  d debug     OTEL_TRACES_EXPORTER=none in the env of the registry image's containers (registry,
#              own, cache: spec; registry: running);
#              the debug server (mirror.yml's http.debug.addr, loopback) answers /metrics and
#              /debug/pprof/ from inside the pod only; nothing on 5001 without metrics.namespace.
# usage: bash tests/registry-field.sh [BIN]   (default build/registry-addon; needs root)
#   NODE_TRUST_SH=FILE: the nodes run FILE instead of BIN's node-trust.sh (another branch's copy)
#   REGISTRY_FIELD_KEEP=DIR: the temp dir (logs, hosts.toml files, data) is copied to DIR at the end
# shellcheck disable=SC2034,SC2016  # t evals its single-quoted conditions later, reading variables
# shellcheck disable=SC2154,SC2317,SC2046  # man_*/layer_* set by printf -v; functions called by eval; podlogs: file names
set -u
export LC_ALL=C
bin=${1:-build/registry-addon}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
cd "$(dirname "$0")/.." || exit 2
SUITE=registry-field
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/node/fieldlib.sh
. tests/node/fieldlib.sh
NAME=registry.registry-system.svc.cluster.local NS=registry-system noted='' KEEP=${REGISTRY_FIELD_KEEP:-}
# shellcheck source=tests/registry/fieldpods.sh
. tests/registry/fieldpods.sh
pod_drop=(sync cache)

# --- prerequisites; X and M: the first pair 127.0.0.N, N+1 with nothing on 443 (and 5443 on M)
field_prereqs htpasswd:apache2-utils
notrun "the pod's container sync: regsync (ghcr.io/regclient/regsync:v0.11.5-alpine) has no Debian package; its writes are made by the test through the pods' loopback writers"
notrun "the pod's container cache (the pull-through cache, issue 15): tests/cache-field.sh runs it; here the nodes' cache entries (M:5100+i) refuse connections, as a cache that is not running does"
pick_pair 5443

# --- BIN's outputs: the input pods use docker.io/library/demo:1 and NAME/team/app:1
printf '%s\n' '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c","image":"docker.io/library/demo:1"},{"name":"d","image":"'"$NAME"'/team/app:1"}]}}' > "$tmp/in.json"
gen_ca
{ gen > "$tmp/out2.yaml" && gen --set registry.replicas=3 > "$tmp/out3.yaml" &&
	gen --set registry.push.htpasswdSecret=registry-push > "$tmp/outh.yaml" &&
	data "$tmp/out2.yaml" config > "$tmp/node.cfg" && data "$tmp/out2.yaml" node-trust.sh > "$tmp/node-trust.sh" &&
	{ [ -z "${NODE_TRUST_SH:-}" ] || cp "$NODE_TRUST_SH" "$tmp/node-trust.sh"; } &&
	secret "$tmp/out2.yaml" registry-tls ca.crt > "$tmp/ca.crt" && secret "$tmp/out2.yaml" registry-tls tls.crt > "$tmp/tls.crt"; } >> "$tmp/gen.err" 2>&1; st=$?
sans=$(openssl x509 -in "$tmp/tls.crt" -noout -ext subjectAltName 2> /dev/null | tail -n 1)
t "BIN's outputs (2 and 3 replicas, htpasswd): Secret registry-tls's IP SANs hold X $X, M $M, 127.0.0.1" \
	'[ $st = 0 ] && [[ $sans == *"IP Address:$X,"* && $sans == *"IP Address:$M,"* && $sans == *"IP Address:127.0.0.1"* ]]' "$tmp/gen.err"
t "node config: REGISTRY_URL https://$X, MIRROR_URL https://$M, OWN_COPIES_URL https://$M:5443" \
	'grep -qxF "REGISTRY_URL='"'https://$X'"'" "$tmp/node.cfg" && grep -qxF "MIRROR_URL='"'https://$M'"'" "$tmp/node.cfg" &&
	grep -qxF "OWN_COPIES_URL='"'https://$M:5443'"'" "$tmp/node.cfg"' "$tmp/node.cfg"
IMAGE=$(sed -n '/^kind: StatefulSet/,/^---/s/^ *image: \(.*registry.*\)$/\1/p' "$tmp/out2.yaml" | sort -u)

# --- leg d (spec): OTEL_TRACES_EXPORTER=none in the containers of the registry image (registry, own, cache)
otel=$(node -e '
	const YAML = require("./tests/schema/node_modules/yaml");
	const o = YAML.parseAllDocuments(require("fs").readFileSync(process.argv[1], "utf8")).map((d) => d.toJS())
		.find((o) => o && o.kind === "StatefulSet" && o.metadata.name === "registry");
	for (const c of o.spec.template.spec.containers) if (c.image.includes("/registry:"))
		console.log(c.name, (c.env || []).filter((e) => e.name === "OTEL_TRACES_EXPORTER").map((e) => e.value).join(","));' "$tmp/out2.yaml")
t "d: the StatefulSet's containers of the registry image have OTEL_TRACES_EXPORTER=none ($(tr '\n' ' ' <<< "$otel"))" \
	'[ "$otel" = "registry none"$'"'\n'"'"own none"$'"'\n'"'"cache none" ]'
note "Distribution 2.8.3 has no tracing: OTEL_TRACES_EXPORTER is for 3.x (the image the manifest names); here it is only carried"

# --- the image, the TLS Secret, the CA for clients
pm_setup
image_registry "$BB" "$REG" "$IMAGE" > "$tmp/image.log" 2>&1; st=$?
t "image $IMAGE built from Distribution 2.8.3 and busybox-static 1.37 (podman import)" '[ $st = 0 ] && [ "$IMAGE" = docker.io/library/registry:3.1.1 ]' "$tmp/image.log"
podsecret "$tmp/out2.yaml" registry-tls 2> "$tmp/secret.err"; st=$?
t "Secret registry-tls as a podman secret (the object, data decoded)" '[ $st = 0 ]' "$tmp/secret.err"
client_setup
[ "$fail" = 0 ] || { note "the set-up failed: nothing more to run"; finish_field; }

# --- images: the seeded upstream image, an attacker's, two versions of an own image
img() { oci_image "$tmp/lay-$1" 1 "$2" && printf -v "man_$1" %s "$man" && printf -v "layer_$1" %s "$layer" && cp "$tmp/manifest.json" "$tmp/manifest-$1.json" && cp "$tmp/layer.tar.gz" "$tmp/layer-$1.tar.gz"; }
img seed "docker.io/library/demo:1 as regsync preloaded it" && img evil "an attacker's docker.io/library/demo:1" &&
	img app1 "team/app:1, first push" && img app2 "team/app:1, pushed again"
note "manifests: seed sha256:${man_seed:0:12}, evil sha256:${man_evil:0:12}, app1 sha256:${man_app1:0:12}, app2 sha256:${man_app2:0:12}"
# inpod ORD CMD...: CMD in registry-ORD's network namespace (the host's files), as regsync runs
inpod() { local p=$1; shift; nsenter -t "${pid[$p]}" -n -- "$@"; }
# podpush ORD IMG|docker://SRC URL: as regsync would: into a loopback writer of registry-ORD (plain
# HTTP); a docker:// SOURCE is read with TLS verified against the CA, by the peers' names
# (registry-0.registry-headless...: $tmp/hosts-pod as /etc/hosts)
P0=registry-0.registry-headless.$NS.svc.cluster.local
podpush() {
	local src="oci:$tmp/lay-$2:1"; case $2 in docker://*) src=$2 ;; esac
	[ -f "$tmp/hosts-pod" ] || printf '127.0.0.1 localhost\n' > "$tmp/hosts-pod"
	inpod "$1" unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' sh "$tmp/hosts-pod" timeout 60 env HOME="$tmp/home" REGISTRY_AUTH_FILE="$tmp/auth.json" CONTAINERS_REGISTRIES_CONF="$tmp/registries.conf" \
		skopeo --policy "$tmp/policy.json" --registries.d "$tmp/registries.d" --tmpdir "$tmp/sko-tmp" \
		copy --preserve-digests --src-cert-dir "$tmp/certs" --dest-tls-verify=false "$src" "docker://$3" >> "$tmp/sko.log" 2>&1
}

# --- the Services: forwarders on loopback over endpoint files
fwd registry "$X" 443 && fwd mirror "$M" 443 && fwd own "$M" 5443; st=$?
t "Service stand-ins: $X:443 (registry), $M:443 and $M:5443 (registry-mirror)" '[ $st = 0 ]' "$tmp"/fwd-*.out
# cri_auth IMAGE USER PASSWORD SERVER: lib.sh's cri with the credentials the kubelet passes from an
# imagePullSecret (runtime.v1.AuthConfig username, password, server_address)
cri_auth() {
	node -e 'const [img, u, p, srv] = process.argv.slice(1);
		const f = (n, b) => Buffer.concat([Buffer.from([(n << 3) | 2, b.length]), b]), s = (x) => Buffer.from(x);
		const m = Buffer.concat([f(1, f(1, s(img))), f(2, Buffer.concat([f(1, s(u)), f(2, s(p)), f(4, s(srv))]))]);
		const h = Buffer.alloc(5); h.writeUInt32BE(m.length, 1);
		require("fs").writeFileSync(process.argv[5], Buffer.concat([h, m]));' "$@" "$tmp/cri.req"
	curl -sS --http2-prior-knowledge --unix-socket "$sock" --max-time 60 -H 'content-type: application/grpc' \
		-H 'te: trailers' --data-binary @"$tmp/cri.req" -D "$tmp/cri.hdr" -o "$tmp/cri.out" \
		http://localhost/runtime.v1.ImageService/PullImage 2> "$tmp/cri.curl"
	cst=$(tr -d '\r' < "$tmp/cri.hdr" | sed -n 's/^grpc-status: *//p')
	cmsg=$(tr -d '\r' < "$tmp/cri.hdr" | sed -n 's/^grpc-message: *//p')
	[ "$cst" = 0 ]
}

# --- deployment of 2 replicas; the mirror seeded through each replica's mirror writer
deploy "$tmp/out2.yaml" 2; st=$?
t "registry-0, registry-1 run (podman kube play), probes answer on 5000 and 5443: ${ip[0]:-?}, ${ip[1]:-?}" '[ $st = 0 ]' "$tmp/play-0.log" "$tmp/play-1.log" $(podlogs)
[ $st = 0 ] || finish_field
for o in 0 1; do
	ro=$(pm exec "registry-$o-own" sh -c 'touch /x 2>&1')
	t "registry-$o: runs as uid 1000 with a read-only root (touch /x: $ro)" '[[ $(pm exec registry-$o-own id -u) = 1000 && $ro == *"Read-only file system"* ]]'
done
podpush 0 seed 127.0.0.1:5010/docker.io/library/demo:1 && podpush 1 seed 127.0.0.1:5010/docker.io/library/demo:1; st=$?
t "seeded as regsync would: docker.io/library/demo:1 (sha256:${man_seed:0:12}...) into each replica's 127.0.0.1:5010" '[ $st = 0 ]' "$tmp/sko.log"
start_nodes docker.io
note "$NAME/hosts.toml (containerd 1.6): $(grep -v '^#' "$tmp/host-1.6/etc/containerd/certs.d/$NAME/hosts.toml" 2> /dev/null | tr -s '\n ' ' ')"

# --- leg a: read-only really
snap() { (cd "$tmp" && find pv-*/data/mirror pv-*/data/own -type f -exec sha256sum {} + 2> /dev/null | sort); }
# attack URL [CURL ARGS]: the writes of the registry API under docker.io/library/demo; sets codes
attack() {
	local u=$1/v2/docker.io/library/demo uuid=3c5b8f4e-0d2a-4b7e-9e55-2f7a0c6d1e11; shift
	local req=(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$tmp/ca.crt" "$@") mt='application/vnd.oci.image.manifest.v1+json'
	codes=$(
		echo "put-tag=$("${req[@]}" -X PUT -H "Content-Type: $mt" --data-binary @"$tmp/manifest-evil.json" "$u/manifests/1")"
		echo "put-digest=$("${req[@]}" -X PUT -H "Content-Type: $mt" --data-binary @"$tmp/manifest-evil.json" "$u/manifests/sha256:$man_evil")"
		echo "delete-tag=$("${req[@]}" -X DELETE "$u/manifests/1")"
		echo "delete-digest=$("${req[@]}" -X DELETE "$u/manifests/sha256:$man_seed")"
		echo "upload-monolithic=$("${req[@]}" -X POST -H 'Content-Type: application/octet-stream' --data-binary @"$tmp/layer-evil.tar.gz" "$u/blobs/uploads/?digest=sha256:$layer_evil")"
		echo "upload-start=$("${req[@]}" -X POST "$u/blobs/uploads/")"
		echo "upload-put=$("${req[@]}" -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$tmp/layer-evil.tar.gz" "$u/blobs/uploads/$uuid?digest=sha256:$layer_evil")"
		echo "upload-patch=$("${req[@]}" -X PATCH -H 'Content-Type: application/octet-stream' --data-binary @"$tmp/layer-evil.tar.gz" "$u/blobs/uploads/$uuid")"
		echo "mount=$("${req[@]}" -X POST "$u/blobs/uploads/?mount=sha256:$layer_seed&from=docker.io/library/demo")"
		echo "delete-blob=$("${req[@]}" -X DELETE "$u/blobs/sha256:$layer_seed")")
}
# refused: every write of the last attack answered 405 (a forged upload id: 404 BLOB_UPLOAD_UNKNOWN
# or 405)
refused() {
	local k v
	while IFS='=' read -r k v; do
		case $k:$v in *:405 | upload-put:404 | upload-patch:404) ;; *) return 1 ;; esac
	done <<< "$codes"
}
readonly_leg() { # LABEL [CURL ARGS]: every read-only port of the running replicas and the stand-ins
	local o L=$1; shift
	for o in "${live[@]}"; do
		for p in 5000 5443; do
			attack "https://${ip[$o]}:$p" -k "$@"
			t "$L: registry-$o's $p (pod IP) refuses every write: $(tr '\n' ' ' <<< "$codes")" 'refused'
		done
	done
	for u in "https://$M" "https://$M:5443"; do
		endpoints; attack "$u" "$@"
		t "$L: $u (Service registry-mirror) refuses every write: $(tr '\n' ' ' <<< "$codes")" 'refused'
	done
}
before=$(snap)
readonly_leg "a anonymous"
after=$(snap)
t "a: the storage of every replica is unchanged by the refused writes ($(wc -l <<< "$before") files)" '[ "$before" = "$after" ]'
for o in 0 1; do
	for p in 5010 5001 $([ $o = 1 ] && echo 5002); do
		curl -s -o /dev/null --max-time 3 "http://${ip[$o]}:$p/v2/"; s1=$?
		curl -sk -o /dev/null --max-time 3 "https://${ip[$o]}:$p/v2/"; s2=$?
		t "a: registry-$o's $p is not reachable from outside the pod (curl http/https exit $s1/$s2: connection refused)" '[ $s1 = 7 ] && [ $s2 = 7 ]'
	done
done
# the writer accepts docker.io/library/demo:1 by design: into the own-images root only
push evil "$X/docker.io/library/demo:1" && push evil "${ip[0]}:5002/docker.io/library/demo:1" --dest-tls-verify=false; st=$?
tag=pv-0/data/mirror/docker/registry/v2/repositories/docker.io/library/demo/_manifests/tags/1/current/link
own=pv-0/data/own/docker/registry/v2/repositories/docker.io/library/demo/_manifests/tags/1/current/link
t "a: the writer ($X:443 and registry-0's 5002) takes docker.io/library/demo:1 (an attacker's) into the own-images root; the mirror's tag is the seeded one" \
	'[ $st = 0 ] && [ "$(cat "$tmp/$own")" = "sha256:$man_evil" ] && [ "$(cat "$tmp/$tag")" = "sha256:$man_seed" ]' "$tmp/sko.log"
c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$tmp/ca.crt" -X DELETE "https://$X/v2/docker.io/library/demo/manifests/sha256:$man_evil")
t "a: the writer refuses a manifest DELETE (storage.delete off: HTTP $c)" '[ "$c" = 405 ]'
for o in 0 1; do
	endpoints "$o"
	pulls_all "a: M pinned to registry-$o" docker.io/library/demo:1 "$man_seed" mirror "${ip[$o]}:5000"
done
endpoints

# --- leg d: the debug server (its address from the generated mirror.yml); with metrics.namespace
# empty there is no metrics container and nothing on 5001
daddr=$(node tests/registry/configmap.mjs get <(node tests/node/manifest.mjs data "$tmp/out2.yaml" "$NS" registry-config mirror.yml) http.debug.addr 2> /dev/null | tr -d '"')
dport=${daddr##*:}
nm=$(pm exec registry-0-registry wget -qO- "http://$daddr/metrics" 2>&1 | grep -c '^registry_http_requests_total')
pp=$(pm exec registry-0-registry wget -qO- "http://$daddr/debug/pprof/" 2>&1 | grep -c 'goroutine')
curl -s -o /dev/null --max-time 3 "http://${ip[0]}:$dport/metrics"; s=$?
curl -s -o /dev/null --max-time 3 "http://${ip[0]}:5001/metrics"; s1=$?
t "d: the debug server ($daddr) answers /metrics ($nm registry_http_requests_total lines) and /debug/pprof/ inside the pod, nothing from outside on $dport or 5001 (curl exit $s, $s1)" \
	'[[ $daddr == 127.0.0.1:* ]] && [ "$nm" -gt 0 ] && [ "$pp" -gt 0 ] && [ $s = 7 ] && [ $s1 = 7 ]'
e=$(pm exec registry-0-registry sh -c 'tr "\0" "\n" < /proc/$(pidof registry | cut -d" " -f1)/environ' 2> /dev/null | grep '^OTEL_')
t "d: the running registry process has $e" '[ "$e" = OTEL_TRACES_EXPORTER=none ]'

# --- leg b: own images
push app1 "$X/team/app:1"; st=$?
t "b: a client pushes $X/team/app:1 (sha256:${man_app1:0:12}...) through Service registry" '[ $st = 0 ]' "$tmp/sko.log"
echo "127.0.0.1 localhost
$X $NAME" > "$tmp/hosts"
unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' sh "$tmp/hosts" \
	env HOME="$tmp/home" REGISTRY_AUTH_FILE="$tmp/auth.json" CONTAINERS_REGISTRIES_CONF="$tmp/registries.conf" \
	timeout 60 skopeo --policy "$tmp/policy.json" --registries.d "$tmp/registries.d" --tmpdir "$tmp/sko-tmp" \
	copy --preserve-digests --dest-cert-dir "$tmp/certs" "oci:$tmp/lay-app1:1" "docker://$NAME/team/app:1" >> "$tmp/sko.log" 2>&1; st=$?
t "b: ... and by the Service's name $NAME/team/app:1 (mapped to $X; TLS verified by name)" '[ $st = 0 ]' "$tmp/sko.log"
pulls_all "b 2 replicas, copies empty" "$NAME/team/app:1" "$man_app1" registry "${ip[0]}:5002"
printf '127.0.0.1 localhost\n%s %s\n' "${ip[0]}" "$P0" > "$tmp/hosts-pod"
podpush 1 "docker://$P0:5443/team/app:1" 127.0.0.1:5002/team/app:1; st=$?
t "b: copied as regsync would: $P0:5443 (registry-0's read-only own images) -> registry-1's 127.0.0.1:5002" '[ $st = 0 ]' "$tmp/sko.log"
rstop 0; endpoints
c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 --cacert "$tmp/ca.crt" "https://$X/v2/")
t "b: registry-0 stopped: Service registry has no endpoint (curl https://$X/v2/: $c)" '[ "$c" = 000 ]'
pulls_all "b registry-0 stopped" "$NAME/team/app:1" "$man_app1" own "${ip[1]}:5443"
rplay "$tmp/out2.yaml" 0; st=$?; endpoints
t "b: registry-0 back (same data), probed" '[ $st = 0 ]' "$tmp/play-0.log"
push app2 "$X/team/app:1"; st=$?
t "b: team/app:1 pushed again through $X (sha256:${man_app2:0:12}...); registry-1's copy still the old one" \
	'[ $st = 0 ] && [ "$(cat "$tmp/pv-1/data/own/docker/registry/v2/repositories/team/app/_manifests/tags/1/current/link")" = "sha256:$man_app1" ]' "$tmp/sko.log"
pulls_all "b re-pushed" "$NAME/team/app:1" "$man_app2" registry "${ip[0]}:5002"

# --- leg b with 3 replicas (copies empty)
deploy "$tmp/out3.yaml" 3; st=$?
t "b 3 replicas: registry-0..2 run, probes answer: ${ip[0]:-?} ${ip[1]:-?} ${ip[2]:-?}" '[ $st = 0 ]' "$tmp/play-2.log" $(podlogs)
if [ $st = 0 ]; then
	push app1 "$X/team/app:1"; st=$?
	t "b 3 replicas: a client pushes $X/team/app:1" '[ $st = 0 ]' "$tmp/sko.log"
	pulls_all "b 3 replicas, copies empty" "$NAME/team/app:1" "$man_app1" registry "${ip[0]}:5002"
fi

# --- leg c: htpasswd
htpasswd -Bbn pusher 's3cret-pass' > "$tmp/htpasswd" 2> "$tmp/htpasswd.err"
printf '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"registry-push","namespace":"%s"},"data":{"htpasswd":%s}}' \
	"$NS" "$(node -e 'process.stdout.write(JSON.stringify(require("fs").readFileSync(process.argv[1], "utf8")))' "$tmp/htpasswd")" > "$tmp/secret-registry-push.json"
pm secret create registry-push "$tmp/secret-registry-push.json" > /dev/null 2>> "$tmp/htpasswd.err"; st=$?
t "c: Secret registry-push (htpasswd -B, bcrypt) as a podman secret" '[ $st = 0 ] && grep -q "^pusher:[$]2y[$]" "$tmp/htpasswd"' "$tmp/htpasswd.err"
deploy "$tmp/outh.yaml" 2; st=$?
t "c: registry-0, registry-1 with registry.push.htpasswdSecret run, probed" '[ $st = 0 ]' "$tmp/play-0.log" $(podlogs)
if [ $st = 0 ]; then
	c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$tmp/ca.crt" -X POST "https://$X/v2/team/app/blobs/uploads/")
	push app1 "$X/team/app:1"; st=$?
	t "c: anonymous push to $X refused (upload POST: HTTP $c; skopeo: $(grep -o 'unauthorized[^"]*' "$tmp/sko.log" | tail -n 1))" \
		'[ "$c" = 401 ] && [ $st != 0 ]' "$tmp/sko.log"
	push app1 "$X/team/app:1" --dest-creds 'pusher:s3cret-pass'; st=$?
	t "c: authenticated push to $X works" '[ $st = 0 ]' "$tmp/sko.log"
	push app1 "$X/team/app:1" --dest-creds 'pusher:wrong'; st=$?
	t "c: a wrong password is refused" '[ $st != 0 ]' "$tmp/sko.log"
	readonly_leg "c with valid credentials" -u 'pusher:s3cret-pass'
	# nodes have no credentials for the writer: own names fall through to the copies (M:5443);
	# registry-0's own reader serves the writer's root at once, the other replicas once regsync
	# has copied (it is not run here)
	c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$tmp/ca.crt" "https://$X/v2/team/app/manifests/1")
	t "c: the writer refuses anonymous reads too (GET manifest: HTTP $c)" '[ "$c" = 401 ]'
	endpoints 0
	pulls_all "c: M pinned to registry-0" "$NAME/team/app:1" "$man_app1" own "${ip[0]}:5443"
	endpoints 1
	for v in "${nodes[@]}"; do
		npull "$v" "$NAME/team/app:1"
		note "finding: htpasswd on: containerd $v pulling $NAME/team/app:1 right after the push with M on registry-1 (no copy yet): ${cmsg:-got ${got:-nothing}}"
		on "$v"; nctr -n k8s.io images rm "$NAME/team/app:1" > /dev/null 2>&1
		cri_auth "$NAME/team/app:1" pusher 's3cret-pass' "$NAME"; got=$(digest k8s.io "$NAME/team/app:1")
		note "finding: ... the same with the kubelet's credentials for $NAME (an imagePullSecret; CRI auth.server_address $NAME): ${cmsg:-got ${got:-nothing}}"
	done
	endpoints
fi

pods_down
stop_nodes
notrun "regsync's own copying (its container is left out): the copies it would make are written by the test into the loopback writers"
notrun "the metrics container (metrics.namespace set): podman 4.3.1 writes a ConfigMap volume's items into one named volume per ConfigMap (shared with the config volume), without creating the item's sub-directory cgi-bin/ and without its mode 0555, so busybox httpd's CGI cannot run as generated"
notrun "the kubelet's probes as podman healthchecks (they need systemd here): the test makes the same httpGet requests from the host"
finish_field
