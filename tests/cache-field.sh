#!/usr/bin/env bash
# tests/cache-field.sh - the pull-through cache (issue 15, DESIGN.md §9) with the real programs, no
# cluster, traffic on this machine only (../shared/reference/field-lab.md; facts:
# ../notes/cache-field-facts.md):
#  - the pods: BIN's StatefulSet `registry` wrapped as Pods registry-0, registry-1 and run by
#    podman kube play as tests/registry-field.sh runs them (tests/registry/fieldpods.sh: the same
#    changes, each printed as a note; the container `sync` is left out), now with its container
#    `cache` (run.sh's sibling cache.sh: one Distribution 2.8.3 instance in proxy mode per
#    mirrored upstream, cache-<i>.yml on :5100+i, storage under the data volume).
#  - the upstream: a second Distribution 2.8.3 (Pod `upstream`, podman kube play, TLS with a CA
#    of its own, not the add-on's) with a certificate for upstream.test and for the default set's
#    endpoints registry-1.docker.io, ghcr.io, quay.io, registry.k8s.io. The cluster's DNS is the
#    one change to BIN's pod (tests/registry/cachepod.mjs patch, printed as a note): hostAliases
#    map those names to the stand-in's pod IP (nothing is looked up). The user's part is a
#    ConfigMap registry-upstream-ca with the stand-in's CA, named by --set cache.caBundle (BIN
#    mounts it in container `cache` and sets SSL_CERT_DIR; the patch checks it did). The pods and
#    the stand-in talk over podman's host-local bridge.
#  - the Services: loopback forwarders (tests/registry/forward.mjs) X:443 -> registry-0's 5002,
#    M:443 -> 5000, M:5443 -> 5443 and M:5100+i -> 5100+i of every replica (pinned where a leg
#    counts fetches). X, M = 127.0.0.20, .21 or the first free pair after them.
#  - the nodes: containerd 1.6 (Debian 12), 1.7.24 and 2.1.9 (tests/fieldlab.sh), each its own
#    daemon with /etc/hosts of its mount namespace mapping the same names to the stand-in, reading
#    the hosts.toml files one pass of BIN's node-trust.sh wrote (busybox 1.37 sh); pulls are
#    kubelet's CRI PullImage.
# Legs:
#  a spec      BIN on a pod using upstream.test/team/app:1 with nodeTrust.mirrors [auto] and a short
#              cache.ttl: one cache instance wired end to end (cache-0.yml proxies
#              https://upstream.test with proxy.ttl = cache.ttl, root cache/upstream.test,
#              storage.delete on, TLS; container port and Service registry-mirror port 5100;
#              MIRRORS' cache field M:5100); the nodes' upstream.test/hosts.toml: the mirror's
#              path, then the cache, then the upstream.
#  b no CA     without cache.caBundle the cache of upstream.test does not start (x509), its
#              port refuses, the pod's other containers serve.
#  c pulls     M pinned to registry-0: every containerd pulls upstream.test/team/app:1, which was
#              never preloaded (the mirror is asked first, the cache answers); the upstream's log
#              shows one fetch of the manifest and blobs, during the first pull only.
#  d replica   M pinned to registry-1: its cache is its own (a fetch again).
#  e writes    client writes to the cache (M:5100) refused with 405, storage unchanged.
#  f down      upstream stopped: the cached image still pulls on every node; an uncached one
#              (present upstream, never pulled) fails fast.
#  g expiry    the scheduler state after the pulls; the content made due as a short TTL would (by
#              hand: 2.8.3 does not read proxy.ttl) is deleted; with the upstream stopped the
#              expired image no longer pulls, with it back it is fetched again.
#  h default   registry-addon < /dev/null mirrors the default set (docker.io, ghcr.io, quay.io,
#              registry.k8s.io on 5100..5103), as golden/empty.yaml does; that set deployed: every
#              cache instance starts, the nodes pull docker.io/library/demo:1 and
#              registry.k8s.io/pause:1 (never preloaded) through the caches 5100 and 5103.
# usage: bash tests/cache-field.sh [BIN]   (default build/registry-addon; needs root)
#   NODE_TRUST_SH=FILE: the nodes run FILE instead of BIN's node-trust.sh (another branch's copy)
#   CACHE_FIELD_KEEP=DIR: the temp dir (logs, hosts.toml files, data) is copied to DIR at the end
# shellcheck disable=SC2034,SC2016,SC2119  # t evals its single-quoted conditions later, reading variables; field_prereqs [CMD:PKG...]
# shellcheck disable=SC2154,SC2317,SC2046  # man_*/layer_* set by printf -v; functions called by eval; podlogs: file names
set -u
export LC_ALL=C
bin=${1:-build/registry-addon}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
cd "$(dirname "$0")/.." || exit 2
SUITE=cache-field
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/node/fieldlib.sh
. tests/node/fieldlib.sh
NAME=registry.registry-system.svc.cluster.local NS=registry-system noted='' KEEP=${CACHE_FIELD_KEEP:-}
# shellcheck source=tests/registry/fieldpods.sh
. tests/registry/fieldpods.sh
UP=upstream.test TTL=30s
NAMES=("$UP" registry-1.docker.io ghcr.io quay.io registry.k8s.io)
finish_cache() { pm pod rm -f upstream > /dev/null 2>&1; finish_field; }
podlog_file() { pm logs "$1" > "$tmp/log-$1" 2>&1; echo "$tmp/log-$1"; }

field_prereqs
notrun "the pod's container sync: regsync (ghcr.io/regclient/regsync:v0.11.5-alpine) has no Debian package; nothing is preloaded here (every pull is a cache's)"
pick_pair 5443 5100 5101 5102 5103

# --- BIN's outputs: A (upstream.test only, short TTL), D (the default set with the test's
# ClusterIPs), and registry-addon < /dev/null as it is
printf '%s\n' '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c","image":"'"$UP"'/team/app:1"}]}}' > "$tmp/in.json"
gen_ca
{ gen --set 'nodeTrust.mirrors=[auto]' --set "cache.ttl=$TTL" --set cache.caBundle=registry-upstream-ca > "$tmp/outA.yaml" &&
	gen --set 'nodeTrust.mirrors=[auto]' --set "cache.ttl=$TTL" > "$tmp/outA-plain.yaml" &&
	gen_in=/dev/null gen --set cache.caBundle=registry-upstream-ca > "$tmp/outD.yaml" &&
	"$bin" < /dev/null > "$tmp/out-default.yaml" &&
	data "$tmp/outA.yaml" config > "$tmp/nodeA.cfg" && data "$tmp/outD.yaml" config > "$tmp/nodeD.cfg" &&
	data "$tmp/outA.yaml" node-trust.sh > "$tmp/node-trust.sh" &&
	{ [ -z "${NODE_TRUST_SH:-}" ] || cp "$NODE_TRUST_SH" "$tmp/node-trust.sh"; } &&
	secret "$tmp/outA.yaml" registry-tls ca.crt > "$tmp/ca.crt"; } >> "$tmp/gen.err" 2>&1; st=$?
t "BIN's outputs: upstream.test with cache.ttl=$TTL, the default set, registry-addon < /dev/null" '[ $st = 0 ]' "$tmp/gen.err"
note "$(grep -h 'info: mirroring' "$tmp/gen.err" | head -n 2 | tr '\n' ' ')"

# --- leg a (spec): one cache instance wired end to end
wiring() { node tests/registry/cachepod.mjs wiring "$@" 2>> "$tmp/wiring.err"; }
wA=$(wiring "$tmp/outA.yaml"); st=$?
t "a: cache-0.yml proxies https://$UP (proxy.ttl $TTL = cache.ttl, root /var/lib/registry/cache/$UP, storage.delete on, TLS) on :5100 = container cache's port cache-0 = Service registry-mirror's 5100; MIRRORS $UP,https://$UP,$UP,$M:5100; nothing else" \
	'[ $st = 0 ] && [ "$(grep -c . <<< "$wA")" = 4 ] && grep -qxF "mirror $UP https://$UP $UP $M:5100" <<< "$wA" &&
	grep -q "^cache-0 :5100 remote=https://$UP ttl=$TTL root=/var/lib/registry/cache/$UP delete=true " <<< "$wA"' "$tmp/wiring.err"

# --- leg h (spec): the default set, as the golden has it
wG=$(wiring golden/empty.yaml M); s1=$?
wP=$(wiring "$tmp/out-default.yaml" M); s2=$?
wD=$(wiring "$tmp/outD.yaml" M); s3=$?
want="mirror docker.io https://registry-1.docker.io docker.io M:5100
mirror ghcr.io https://ghcr.io ghcr.io M:5101
mirror quay.io https://quay.io quay.io M:5102
mirror registry.k8s.io https://registry.k8s.io registry.k8s.io M:5103"
t "h: registry-addon < /dev/null mirrors docker.io (https://registry-1.docker.io), ghcr.io, quay.io, registry.k8s.io through caches 5100..5103 (ttl 168h), wired as golden/empty.yaml is; with the test's ClusterIPs the same" \
	'[ $s1$s2$s3 = 000 ] && [ "$wP" = "$wG" ] && [ "$wD" = "$wP" ] && [ "$(grep ^mirror <<< "$wP")" = "$want" ] &&
	[ "$(grep -c "^cache-[0-3] :510[0-3] remote=https://.* ttl=168h .* delete=true " <<< "$wP")" = 4 ]' "$tmp/wiring.err"

# --- the image, the TLS Secret, the clients
IMAGE=$(sed -n '/^kind: StatefulSet/,/^---/s/^ *image: \(.*registry.*\)$/\1/p' "$tmp/outA.yaml" | sort -u)
pm_setup
image_registry "$BB" "$REG" "$IMAGE" > "$tmp/image.log" 2>&1; st=$?
t "image $IMAGE built from Distribution 2.8.3 and busybox-static 1.37 (podman import)" '[ $st = 0 ] && [ "$IMAGE" = docker.io/library/registry:3.1.1 ]' "$tmp/image.log"
podsecret "$tmp/outA.yaml" registry-tls 2> "$tmp/secret.err"; st=$?
t "Secret registry-tls as a podman secret (the object, data decoded)" '[ $st = 0 ]' "$tmp/secret.err"
client_setup
[ "$fail" = 0 ] || { note "the set-up failed: nothing more to run"; finish_cache; }

# --- the upstream stand-in: its own CA, a certificate for every name it stands in for
{ openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -keyout "$tmp/upca.key" -out "$tmp/upca.crt" \
	-subj "/CN=$SUITE upstream CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/up.key" -out "$tmp/up.csr" -subj "/CN=$UP" &&
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$(printf 'DNS:%s,' "${NAMES[@]}" | sed 's/,$//')" > "$tmp/up.ext" &&
	openssl x509 -req -in "$tmp/up.csr" -CA "$tmp/upca.crt" -CAkey "$tmp/upca.key" -set_serial 11 -days 1 -extfile "$tmp/up.ext" -out "$tmp/up.crt"; } > "$tmp/openssl.log" 2>&1; st=$?
mkdir -p "$tmp/up-data"
[ $st = 0 ] && node tests/registry/cachepod.mjs upstream "$tmp/up.crt" "$tmp/up.key" "$tmp/up-data" > "$tmp/upstream.yaml" &&
	pm kube play "$tmp/upstream.yaml" > "$tmp/play-up.log" 2>&1; st=$?
uip=$(pm inspect upstream-registry --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' 2> /dev/null)
# up_code NAME: the stand-in's answer to https://NAME/v2/ (its CA, NAME resolved to its pod IP)
up_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 --cacert "$tmp/upca.crt" --resolve "$1:443:$uip" "https://$1/v2/"; }
up_all() { local n; for n in "${NAMES[@]}"; do [ "$(up_code "$n")" = 200 ] || return 1; done; }
[ $st = 0 ] && [ -n "$uip" ] && wait_for 20 up_all; st=$?
t "the upstream stand-in (Pod upstream, Distribution 2.8.3, its own CA) answers at ${uip:-?}:443 as ${NAMES[*]}" '[ $st = 0 ]' "$tmp/openssl.log" "$tmp/play-up.log"
img() {
	oci_image "$tmp/lay-$1" 1 "$2" && printf -v "man_$1" %s "$man" && printf -v "layer_$1" %s "$layer" && printf -v "cfg_$1" %s "$cfg" &&
		cp "$tmp/manifest.json" "$tmp/manifest-$1.json" && cp "$tmp/layer.tar.gz" "$tmp/layer-$1.tar.gz"
}
useed() { sko copy --preserve-digests --dest-tls-verify=false "oci:$tmp/lay-$1:1" "docker://$uip/$2" >> "$tmp/sko.log" 2>&1; }
img app "team/app:1 at the upstream" && img other "team/other:1 at the upstream, never pulled" && img demo "library/demo:1 at the upstream" &&
	img pause "pause:1 at the upstream" && img evil "a client's push to the cache" &&
	useed app team/app:1 && useed other team/other:1 && useed demo library/demo:1 && useed pause pause:1; st=$?
t "the upstream holds team/app:1 (sha256:${man_app:0:12}...), team/other:1, library/demo:1, pause:1 (skopeo)" '[ $st = 0 ]' "$tmp/sko.log"
[ "$fail" = 0 ] || { note "the set-up failed: nothing more to run"; finish_cache; }

# the upstream's access log: ulines (METHOD PATH STATUS a line), umark, usince (since the mark),
# fetched (its content GETs since the mark: manifests and blobs)
ulines() { pm logs upstream-registry 2>&1 | sed -n 's/^.*"\([A-Z]*\) \([^ ]*\) HTTP[^"]*" \([0-9]*\) .*/\1 \2 \3/p'; }
umark() { umark=$(ulines | wc -l); }
usince() { ulines | tail -n "+$((umark + 1))"; }
fetched() { usince | awk '$1 == "GET" && $2 ~ /\/(manifests|blobs)\//'; }
# per IMG: "manifest xN, layer xN, config xN" fetched since the mark
fcount() {
	local f l c m; f=$(fetched); eval "l=\$layer_$1 c=\$cfg_$1"
	m=$(grep -c '/manifests/' <<< "$f"); l=$(grep -c "/blobs/sha256:$l" <<< "$f"); c=$(grep -c "/blobs/sha256:$c" <<< "$f")
	echo "manifest x$m, layer x$l, config x$c"
}

# --- the Services and the nodes
mirror_ports=(mirror:5000 own:5443 cache0:5100 cache1:5101 cache2:5102 cache3:5103)
fwd registry "$X" 443 && fwd mirror "$M" 443 && fwd own "$M" 5443 && fwd cache0 "$M" 5100 && fwd cache1 "$M" 5101 &&
	fwd cache2 "$M" 5102 && fwd cache3 "$M" 5103; st=$?
t "Service stand-ins: $X:443 (registry), $M:443, $M:5443 and $M:5100..5103 (registry-mirror)" '[ $st = 0 ]' "$tmp"/fwd-*.out
# cache_up ORD PORT: the cache on registry-ORD's PORT answers /v2/ (HTTPS, the add-on's CA)
cache_up() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 --cacert "$tmp/ca.crt" --resolve "$NAME:$2:${ip[$1]}" "https://$NAME:$2/v2/")" = 200 ]; }
# since LOG N: forwarder LOG's connections after its first N
since() { tail -n "+$(($2 + 1))" "$tmp/fwd-$1.log"; }
# cpull V IMAGE: containerd V's CRI PullImage of IMAGE with nothing of it left on the node first:
# CRI keeps an image under its tag, its digest and its ID, and the content stays while one is
# left, so every image is removed (GC synchronous); sets got (its digest) and kept (the content
# blobs left before the pull: 0)
cpull() {
	local refs
	on "$1"; refs=$(nctr -n k8s.io images ls -q 2> /dev/null)
	# shellcheck disable=SC2086  # image references
	[ -z "$refs" ] || nctr -n k8s.io images rm --sync $refs > /dev/null 2>&1
	kept=$(nctr -n k8s.io content ls -q 2> /dev/null | grep -c .)
	cri "$2"; got=$(digest k8s.io "$2")
}
# tpull V IMAGE: cpull, timed (dt, seconds with 2 decimals)
tpull() { local s=${EPOCHREALTIME/./}; cpull "$@"; dt=$(((${EPOCHREALTIME/./} - s) / 10000)); dt=$((dt / 100)).$(printf %02d $((dt % 100))); }

# --- leg b: without the user's CA, the cache cannot reach its upstream
node tests/registry/cachepod.mjs patch "$tmp/outA-plain.yaml" "$NS" - "$uip" "${NAMES[@]}" > "$tmp/outA-noca.yaml" 2> "$tmp/patch.err"; st=$?
[ $st = 0 ] && deploy "$tmp/outA-noca.yaml" 1; st=$?
t "b: registry-0 without cache.caBundle runs (podman kube play), probes answer: ${ip[0]:-?}" '[ $st = 0 ]' "$tmp/patch.err" "$tmp/play-0.log" $(podlogs)
if [ $st = 0 ]; then
	wait_for 15 'pm logs registry-0-cache 2>&1 | grep -q "certificate signed by unknown authority"'
	clog=$(pm logs registry-0-cache 2>&1 | grep -o 'panic: .*' | head -n 1)
	curl -s -o /dev/null --max-time 3 --cacert "$tmp/ca.crt" "https://${ip[0]}:5100/v2/"; s=$?
	t "b: without the upstream's CA the cache of $UP does not start (${clog:0:160}), 5100 refuses (curl exit $s), the mirror and own images serve" \
		'[[ $clog == *"certificate signed by unknown authority"* ]] && [ $s = 7 ] && probed 0' "$(podlog_file registry-0-cache)"
fi

# --- leg c: pulls through the cache, the upstream's log
node tests/registry/cachepod.mjs patch "$tmp/outA.yaml" "$NS" "$tmp/upca.crt" "$uip" "${NAMES[@]}" > "$tmp/outA-ca.yaml" 2> "$tmp/patch.err"; st=$?
while read -r l; do listed_note "$l"; done < "$tmp/patch.err"
[ $st = 0 ] && deploy "$tmp/outA-ca.yaml" 2 && wait_for 20 'cache_up 0 5100 && cache_up 1 5100'; st=$?
t "c: registry-0, registry-1 with cache.caBundle=registry-upstream-ca (the user's ConfigMap of the upstream's CA) run, probes answer; the cache of $UP answers on 5100 of each (HTTPS, the Secret's certificate): ${ip[0]:-?} ${ip[1]:-?}" \
	'[ $st = 0 ]' "$tmp/patch.err" "$tmp/play-0.log" "$tmp/play-1.log" $(podlogs)
[ $st = 0 ] || finish_cache
# the nodes: node-trust.sh writes hosts.toml only while the mirror answers
printf '127.0.0.1 localhost\n%s %s\n' "$uip" "${NAMES[*]}" > "$tmp/hosts-node"
node_started() {
	nsenter -t "${c_pid[$1]}" -m -- mount --bind "$tmp/hosts-node" /etc/hosts; st=$?
	t "containerd $1: /etc/hosts of its mount namespace maps ${NAMES[*]} to the stand-in (the cluster's DNS)" '[ $st = 0 ]'
}
cp "$tmp/nodeA.cfg" "$tmp/node.cfg"
start_nodes "$UP"
# hosts_order V UPSTREAM: the URLs of V's UPSTREAM/hosts.toml in file order (server first)
hosts_order() { grep -v '^ *#' "$tmp/host-$1/etc/containerd/certs.d/$2/hosts.toml" 2> /dev/null | grep -o '"https://[^"]*"' | tr -d '"' | tr '\n' ' '; }
for v in "${nodes[@]}"; do
	o=$(hosts_order "$v" "$UP")
	t "a: containerd $v: $UP/hosts.toml: server https://$UP; hosts in order https://$M/v2/$UP (preloaded), https://$M:5100/v2 (cache) (got: $o)" \
		'[ "$o" = "https://$UP https://$M/v2/$UP https://$M:5100/v2 " ]' "$tmp/host-$v/etc/containerd/certs.d/$UP/hosts.toml"
done
note "$UP/hosts.toml (containerd 2.1): $(grep -v '^#' "$tmp/host-2.1/etc/containerd/certs.d/$UP/hosts.toml" 2> /dev/null | tr -s '\n ' ' ')"
[ ${#nodes[@]} -gt 0 ] || { note "no node: nothing more to run"; finish_cache; }

endpoints 0
umark; all=$umark first=1
for v in "${nodes[@]}"; do
	n1=$(wc -l < "$tmp/fwd-mirror.log") n2=$(wc -l < "$tmp/fwd-cache0.log"); umark
	cpull "$v" "$UP/team/app:1"; s=0
	[ "$kept" = 0 ] && [ "$cst" = 0 ] && [ "$got" = "sha256:$man_app" ] || s=1
	since mirror "$n1" | grep -qxF "${ip[0]}:5000" && since cache0 "$n2" | grep -qxF "${ip[0]}:5100" || s=1
	f=$(fetched) fc=$(fcount app) seen=$(usince | awk '{ print $1, $2 }' | sort | uniq -c | awk '{ printf "%s %s x%s, ", $2, $3, $1 }')
	if [ $first = 1 ]; then
		[[ $fc == "manifest x1, layer x"[12]", config x"[12] ]] || s=1
		t "c: containerd $v pulls $UP/team/app:1 (never preloaded: the mirror M:443 asked first, then the cache M:5100): sha256:${man_app:0:12}... (got ${got:-nothing}); the upstream's first fetch: $fc" \
			'[ $s = 0 ]' "$tmp/cri.last" "$tmp/ctd-$v/containerd.log"
		[[ $fc == *"layer x2, config x2" ]] && listed_note "finding: Distribution 2.8.3's cache GETs each blob twice from the upstream on a first pull (one stream to the client, one to storage: registry/proxy/proxyblobstore.go ServeBlob; 3.x uses one GET for both)"
		first=0
	else
		[ -z "$f" ] || s=1
		t "c: containerd $v pulls $UP/team/app:1 through the cache (got ${got:-nothing}); the upstream fetched nothing (it saw: ${seen%, })" \
			'[ $s = 0 ]' "$tmp/cri.last" "$tmp/ctd-$v/containerd.log"
	fi
done
umark=$all; fc=$(fcount app)
t "c: over ${#nodes[@]} pulls the upstream's log shows one fetch: $fc" '[[ $fc == "manifest x1, layer x"[12]", config x"[12] ]]'
mr=$(find "$tmp/pv-0/data/mirror" -path "*/repositories/$UP/*" 2> /dev/null | head -n 1)
t "c: the preloaded content (registry-0's mirror root) has no $UP repository: the image came from the cache" '[ -z "$mr" ] && [ -d "$tmp/pv-0/data/cache/$UP/docker/registry/v2/repositories/team/app" ]'

# --- leg d: each replica caches on its own volume
endpoints 1; umark
cpull "${nodes[0]}" "$UP/team/app:1"; fc=$(fcount app)
t "d: M pinned to registry-1: containerd ${nodes[0]} pulls $UP/team/app:1 (got ${got:-nothing}); registry-1's cache fetches it again ($fc): a cache per replica" \
	'[ "$kept" = 0 ] && [ "$cst" = 0 ] && [ "$got" = "sha256:$man_app" ] && [[ $fc == "manifest x1, layer x"[12]", config x"[12] ]]' "$tmp/cri.last"
endpoints

# --- leg e: client writes to the cache
snap() { (cd "$tmp" && find pv-*/data/cache -type f ! -name scheduler-state.json -exec sha256sum {} + 2> /dev/null | sort); }
before=$(snap)
u=https://$M:5100/v2/team/app uuid=3c5b8f4e-0d2a-4b7e-9e55-2f7a0c6d1e11 mt=application/vnd.oci.image.manifest.v1+json
req=(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$tmp/ca.crt")
codes=$(
	echo "put-tag=$("${req[@]}" -X PUT -H "Content-Type: $mt" --data-binary @"$tmp/manifest-evil.json" "$u/manifests/1")"
	echo "put-digest=$("${req[@]}" -X PUT -H "Content-Type: $mt" --data-binary @"$tmp/manifest-evil.json" "$u/manifests/sha256:$man_evil")"
	echo "delete-tag=$("${req[@]}" -X DELETE "$u/manifests/1")"
	echo "delete-digest=$("${req[@]}" -X DELETE "$u/manifests/sha256:$man_app")"
	echo "upload-monolithic=$("${req[@]}" -X POST -H 'Content-Type: application/octet-stream' --data-binary @"$tmp/layer-evil.tar.gz" "$u/blobs/uploads/?digest=sha256:$layer_evil")"
	echo "upload-start=$("${req[@]}" -X POST "$u/blobs/uploads/")"
	echo "upload-put=$("${req[@]}" -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$tmp/layer-evil.tar.gz" "$u/blobs/uploads/$uuid?digest=sha256:$layer_evil")"
	echo "mount=$("${req[@]}" -X POST "$u/blobs/uploads/?mount=sha256:$layer_app&from=team/app")"
	echo "delete-blob=$("${req[@]}" -X DELETE "$u/blobs/sha256:$layer_app")")
refused() { local k v; while IFS='=' read -r k v; do case $k:$v in *:405 | upload-put:404) ;; *) return 1 ;; esac; done <<< "$codes"; }
t "e: the cache (https://$M:5100, both replicas) refuses every client write: $(tr '\n' ' ' <<< "$codes")" 'refused'
push evil "$M:5100/team/app:2"; st=$?
t "e: a client's push to $M:5100/team/app:2 fails ($(grep -o 'initiating layer upload[^"]*' "$tmp/sko.log" | tail -n 1))" '[ $st != 0 ]' "$tmp/sko.log"
after=$(snap)
t "e: the caches' storage is unchanged by the refused writes ($(grep -c . <<< "$before") files)" '[ "$before" = "$after" ] && [ -n "$before" ]'

# --- leg f: the upstream stopped
endpoints 0
pm stop -t 5 upstream-registry > /dev/null 2>&1
c=$(up_code "$UP")
t "f: the upstream stopped (https://$UP/v2/: $c)" '[ "$c" = 000 ]'
for v in "${nodes[@]}"; do
	tpull "$v" "$UP/team/app:1"
	t "f: upstream down: containerd $v pulls the cached $UP/team/app:1, manifest and blobs, in ${dt}s (got ${got:-nothing})" \
		'[ "$kept" = 0 ] && [ "$cst" = 0 ] && [ "$got" = "sha256:$man_app" ]' "$tmp/cri.last" "$tmp/ctd-$v/containerd.log"
done
for v in "${nodes[@]}"; do
	tpull "$v" "$UP/team/other:1"
	t "f: upstream down: containerd $v's pull of the uncached $UP/team/other:1 fails fast: ${dt}s (${cmsg:0:160})" \
		'[ "$cst" != 0 ] && [ -n "$cst" ] && [ "${dt%.*}" -lt 10 ]' "$tmp/cri.last"
done
pm start upstream-registry > /dev/null 2>&1
uip2=$(pm inspect upstream-registry --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' 2> /dev/null)
wait_for 20 up_all; st=$?
t "f: the upstream back (same pod IP $uip2)" '[ $st = 0 ] && [ "$uip2" = "$uip" ]'

# --- leg g: expiry
state=$tmp/pv-0/data/cache/$UP/scheduler-state.json blob=$tmp/pv-0/data/cache/$UP/docker/registry/v2/blobs/sha256/${layer_app:0:2}/$layer_app/data
wait_for 15 'grep -q "$man_app" "$state" 2> /dev/null && grep -q "$layer_app" "$state" && grep -q "$cfg_app" "$state"'; st=$?
exp=$(grep -o '"ExpiryData":"[^"]*"' "$state" 2> /dev/null | head -n 1 | cut -d'"' -f4) left=0
[ -z "$exp" ] || left=$(($(date -d "$exp" +%s) - $(date +%s)))
t "g: registry-0's cache scheduled team/app's manifest and blobs for expiry (scheduler-state.json; the first due in ${left}s)" '[ $st = 0 ] && [ -f "$blob" ]' "$state"
ttlseen=$(pm logs registry-0-cache 2>&1 | grep -o 'with ttl=[^ "]*' | head -n 1)
[ "$left" -le 60 ] || note "finding: cache.ttl=$TTL (proxy.ttl in cache-0.yml) is not what Distribution 2.8.3 schedules: its log says \"${ttlseen}\", the first entry is due in ${left}s: 2.8.3 does not read proxy.ttl (168h fixed; 3.x reads it)"
notrun "a short cache.ttl taking effect by itself: Distribution 2.8.3 (the image here) does not read proxy.ttl (3.0+ does); the deletion below is what a short TTL leads to, its due time set by hand"
pm stop -t 15 registry-0-cache > /dev/null 2>&1
due=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%S.000000000Z)
s=$(sed "s/\"ExpiryData\":\"[^\"]*\"/\"ExpiryData\":\"$due\"/g" "$state") && printf '%s' "$s" > "$state"
pm start registry-0-cache > /dev/null 2>&1
wait_for 30 '[ ! -e "$blob" ] && ! grep -q "$layer_app" "$state"'; st=$?
t "g: every entry made due (container cache restarted; as a TTL of 2 s would have it): the cache deleted team/app's layer and config blobs and forgot them (scheduler-state.json: $(head -c 60 "$state"))" \
	'[ $st = 0 ] && [ ! -e "$tmp/pv-0/data/cache/$UP/docker/registry/v2/blobs/sha256/${cfg_app:0:2}/$cfg_app/data" ]' "$(podlog_file registry-0-cache)"
wait_for 20 'cache_up 0 5100'
pm stop -t 5 upstream-registry > /dev/null 2>&1
tpull "${nodes[0]}" "$UP/team/app:1"
t "g: upstream down: the expired $UP/team/app:1 no longer pulls (containerd ${nodes[0]}, ${dt}s: ${cmsg:0:160})" '[ "$cst" != 0 ] && [ -n "$cst" ]' "$tmp/cri.last"
pm start upstream-registry > /dev/null 2>&1; wait_for 20 up_all
umark; cpull "${nodes[0]}" "$UP/team/app:1"; fc=$(fcount app)
t "g: upstream back: containerd ${nodes[0]} pulls $UP/team/app:1 again (got ${got:-nothing}), fetched anew ($fc)" \
	'[ "$kept" = 0 ] && [ "$cst" = 0 ] && [ "$got" = "sha256:$man_app" ] && [[ $fc == "manifest x1, layer x"[12]", config x"[12] ]]' "$tmp/cri.last"

# --- leg h: the default set deployed
node tests/registry/cachepod.mjs patch "$tmp/outD.yaml" "$NS" "$tmp/upca.crt" "$uip" "${NAMES[@]}" > "$tmp/outD-ca.yaml" 2> "$tmp/patch.err"; st=$?
pm secret rm registry-tls > /dev/null 2>&1
[ $st = 0 ] && podsecret "$tmp/outD.yaml" registry-tls 2> "$tmp/secret.err" && deploy "$tmp/outD-ca.yaml" 2 &&
	wait_for 30 'cache_up 0 5100 && cache_up 0 5101 && cache_up 0 5102 && cache_up 0 5103 && cache_up 1 5100 && cache_up 1 5101 && cache_up 1 5102 && cache_up 1 5103'; st=$?
ups=$(pm logs registry-0-cache 2>&1 | grep -o 'proxy cache to https://[^"]*' | sort -u | sed 's/proxy cache to //' | tr '\n' ' ')
t "h: the default set deployed (2 replicas, cache.caBundle): every cache answers on 5100..5103 of each replica, proxying $ups" \
	'[ $st = 0 ] && [ "$ups" = "https://ghcr.io https://quay.io https://registry-1.docker.io https://registry.k8s.io " ]' "$tmp/patch.err" "$tmp/secret.err" $(podlogs)
if [ $st = 0 ]; then
	cp "$tmp/nodeD.cfg" "$tmp/node.cfg"
	for v in "${nodes[@]}"; do node_pass "$v" docker.io; done
	for v in "${nodes[@]}"; do
		o=$(hosts_order "$v" docker.io) o2=$(hosts_order "$v" registry.k8s.io)
		t "h: containerd $v: docker.io/hosts.toml: server https://registry-1.docker.io, then https://$M/v2/docker.io, https://$M:5100/v2; registry.k8s.io's cache $M:5103" \
			'[ "$o" = "https://registry-1.docker.io https://$M/v2/docker.io https://$M:5100/v2 " ] && [ "$o2" = "https://registry.k8s.io https://$M/v2/registry.k8s.io https://$M:5103/v2 " ]'
	done
	for i in "demo docker.io/library/demo:1 cache0" "pause registry.k8s.io/pause:1 cache3"; do
		read -r k ref fw <<< "$i"
		eval "want=\$man_$k"
		for v in "${nodes[@]}"; do
			n1=$(wc -l < "$tmp/fwd-mirror.log") n2=$(wc -l < "$tmp/fwd-$fw.log")
			cpull "$v" "$ref"; s=0
			[ "$kept" = 0 ] && [ "$cst" = 0 ] && [ "$got" = "sha256:$want" ] && [ -n "$(since mirror "$n1")" ] && [ -n "$(since "$fw" "$n2")" ] || s=1
			t "h: containerd $v pulls $ref (never preloaded) through the mirror, then the cache $M:$((5100 + ${fw#cache})): sha256:${want:0:12}... (got ${got:-nothing})" \
				'[ $s = 0 ]' "$tmp/cri.last" "$tmp/ctd-$v/containerd.log"
		done
	done
fi

pods_down
stop_nodes
notrun "cache.credentials (an upstream that needs a login): Distribution 2.8.3's proxy authenticates with tokens only (no Basic auth: registry/proxy/proxyregistry.go), and the stand-in has no token server"
notrun "an upstream that drops packets (its cost: the proxy's dial timeout, 30 s, on every pull by tag): it needs a firewall rule on this machine; a stopped upstream (connection refused) is leg f"
notrun "the kubelet's probes as podman healthchecks (they need systemd here): the test makes the same httpGet requests from the host"
finish_cache
