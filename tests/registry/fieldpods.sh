# tests/registry/fieldpods.sh - sourced by tests/registry-field.sh and tests/cache-field.sh (after
# tests/lib.sh and tests/node/fieldlib.sh, with bin, NS, NAME and KEEP set): BIN's registry pods
# under podman kube play, the Services as loopback forwarders, the nodes (containerd daemons with
# one pass of node-trust.sh each), the prerequisites they share and their teardown.
# shellcheck shell=bash disable=SC2034,SC2154,SC2016,SC2317,SC2119,SC2120,SC2153  # globals shared with the suites (KEEP...); t evals later; endpoints [ORD]

# --- teardown: pods, podman state, then lib.sh's cleanup
finish_field() {
	local n left
	pods_down
	left=$(pm ps -a --format '{{.Names}}' 2> /dev/null)
	t "teardown: no container or pod left${left:+: $left}" '[ -z "$left" ]'
	for n in "${notrun[@]}"; do echo "# not run: $n"; done
	finish
}
teardown() {
	pm pod rm -f -a > /dev/null 2>&1; pm volume rm -f -a > /dev/null 2>&1
	pm secret rm -a > /dev/null 2>&1; pm rmi -a -f > /dev/null 2>&1
}
trap 'teardown; [ -z "${KEEP:-}" ] || cp -a "$tmp/." "$KEEP/" 2> /dev/null; cleanup; unmake' EXIT

# field_prereqs [CMD:PKG...]: root, the commands (installed when missing), BIN, the schema
# helpers, the field lab's programs (BB, REG) and the containerd versions there are (versions:
# "V:BINDIR"); "# not run" and finish when one the suite cannot do without is missing
field_prereqs() {
	local v d
	if [ "$(id -u)" != 0 ]; then
		notrun "everything: podman kube play, nsenter, containerd and port 443 need root"; finish
	fi
	install_missing podman:podman runc:runc catatonit:catatonit containerd:containerd ctr:containerd \
		skopeo:skopeo openssl:openssl curl:curl unshare:util-linux nsenter:util-linux node:nodejs "$@"
	[ -z "$missing" ] || { notrun "everything: missing $missing(no apt-get, or it failed)"; finish; }
	[ -x "$bin" ] || { notrun "everything: no binary $bin (make)"; finish; }
	[ -f tests/schema/node_modules/yaml/package.json ] || bash tests/schema/setup.sh >&2
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
	# shellcheck source=tests/fieldlab.sh
	. tests/fieldlab.sh
	fieldlab_main > "$tmp/fieldlab.out" 2> "$tmp/fieldlab.err"
	BB=$(fieldlab_dir busybox-1.37)/usr/bin/busybox REG=$(fieldlab_dir distribution-2.8)/usr/bin/docker-registry
	[ -x "$BB" ] || { notrun "everything: no busybox-static 1.37 for the images ($(cat "$tmp/fieldlab.err"))"; finish; }
	[ -x "$REG" ] || { notrun "everything: no Distribution 2.8.3 for the registry image ($(cat "$tmp/fieldlab.err"))"; finish; }
	containerd_versions pulls
	[ -z "${NODE_TRUST_SH:-}" ] || note "the nodes run NODE_TRUST_SH=$NODE_TRUST_SH, not BIN's node-trust.sh"
	note "podman $(podman --version | awk '{ print $3 }'), $("$REG" --version | awk '{ print $NF }'), busybox $("$BB" | head -n 1 | cut -d' ' -f2)," \
		"$(skopeo --version), containerd: ${versions[*]%%:*}"
}

# pick_pair [PORT...]: X and M, the first pair 127.0.0.N, N+1 with nothing on X:443 nor on M's 443
# and PORTs; the lock node-e2e and node-field take for their stand-in ClusterIPs. Sets X and M
used() { (exec 3<> "/dev/tcp/$1/$2") 2> /dev/null; }
pick_pair() {
	local n p busy
	exec 8> /tmp/registry-addon-node-e2e.lock
	command -v flock > /dev/null && { flock -w 300 8 || note "lock /tmp/registry-addon-node-e2e.lock: still held"; }
	X='' M=''
	for n in {20..58}; do
		busy=''
		for p in 443 "$@"; do used "127.0.0.$((n + 1))" "$p" && { busy=1; break; }; done
		[ -n "$busy" ] || used "127.0.0.$n" 443 || { X=127.0.0.$n M=127.0.0.$((n + 1)); break; }
	done
	[ -n "$X" ] || { notrun "everything: no free pair of loopback addresses for the ClusterIPs"; finish; }
}

# gen_ca: the CA tls.mode generate signs with ($tmp/genca) and its notBefore (nb)
gen_ca() {
	mkdir -p "$tmp/genca"
	"$bin" --generate-ca "$tmp/genca" > "$tmp/gen.err" 2>&1
	nb=$(date -u -d "$(openssl x509 -in "$tmp/genca/ca.crt" -noout -startdate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
}
# gen [ARGS]: BIN on $tmp/in.json (or $gen_in) with the Services' ClusterIPs X and M (serviceCIDR
# 127.0.0.0/24), tls.mode generate with that CA, containerd nodes
gen() {
	"$bin" --set 'nodeTrust.runtimes=[containerd]' --set registry.service.serviceCIDR=127.0.0.0/24 \
		--set "registry.service.clusterIP=$X" --set "registry.service.mirrorClusterIP=$M" --set tls.mode=generate \
		--set "tls.caCertFile=$tmp/genca/ca.crt" --set "tls.caKeyFile=$tmp/genca/ca.key" --set "tls.notBefore=$nb" \
		"$@" < "${gen_in:-$tmp/in.json}"
}
data() { node tests/node/manifest.mjs data "$1" registry-node-trust registry-node-trust "$2"; }
secret() { node tests/node/fieldpod.mjs secret "$1" "$NS" "$2" "$3"; }
podsecret() { node tests/node/fieldpod.mjs secretobj "$1" "$NS" "$2" > "$tmp/secret-$2.json" && pm secret create "$2" "$tmp/secret-$2.json" > /dev/null; }

# client_setup: skopeo's own policy, auth file, registries.conf, temp dir; $tmp/certs trusts the CA
client_setup() {
	mkdir -p "$tmp/certs" "$tmp/home" "$tmp/sko-tmp" "$tmp/registries.d"; cp "$tmp/ca.crt" "$tmp/certs/ca.crt"
	echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$tmp/policy.json"
	: > "$tmp/registries.conf"; echo '{}' > "$tmp/auth.json"
}
# sko ARGS: skopeo with the suite's own policy, auth file, registries.conf and temp dir
sko() {
	timeout 60 env HOME="$tmp/home" REGISTRY_AUTH_FILE="$tmp/auth.json" CONTAINERS_REGISTRIES_CONF="$tmp/registries.conf" \
		skopeo --policy "$tmp/policy.json" --registries.d "$tmp/registries.d" --tmpdir "$tmp/sko-tmp" "$@"
}
# push IMG REF [ARGS]: a client outside the pods (trusting the CA) pushes image IMG to docker://REF
push() { local i=$1 r=$2; shift 2; sko copy --preserve-digests --dest-cert-dir "$tmp/certs" "$@" "oci:$tmp/lay-$i:1" "docker://$r" >> "$tmp/sko.log" 2>&1; }

# --- the Services: forwarders on loopback over endpoint files
fwd() { # NAME HOST PORT
	local out=$tmp/fwd-$1.out
	: > "$tmp/ep-$1"; : > "$tmp/fwd-$1.log"
	setsid node tests/registry/forward.mjs "$2" "$3" "$tmp/ep-$1" "$tmp/fwd-$1.log" > "$out" 2>&1 &
	groups+=("$!")
	wait_for 10 'grep -qs listening "$out"'
}
declare -A ip pid
live=()   # the ordinals whose pods run
# mirror_ports: Service registry-mirror's forwarders as NAME:TARGETPORT (every replica's port)
mirror_ports=(mirror:5000 own:5443)
# endpoints [ORD]: the Services' endpoints as the Endpoints controller sets them from the running
# pods (ORD: registry-mirror pinned to that replica); Service registry: ordinal 0's 5002
endpoints() {
	local o e; : > "$tmp/ep-registry"
	for e in "${mirror_ports[@]}"; do : > "$tmp/ep-${e%%:*}"; done
	for o in "${live[@]}"; do
		[ "$o" != 0 ] || echo "${ip[0]}:5002" > "$tmp/ep-registry"
		[ -n "${1:-}" ] && [ "$1" != "$o" ] && continue
		for e in "${mirror_ports[@]}"; do echo "${ip[$o]}:${e#*:}" >> "$tmp/ep-${e%%:*}"; done
	done
}
# probed ORD: the kubelet's httpGet probes (HTTPS /) of both containers answer 200
probed() {
	local a b
	a=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "https://${ip[$1]}:5000/")
	b=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "https://${ip[$1]}:5443/")
	[ "$a" = 200 ] && [ "$b" = 200 ]
}
# pod_drop: the containers left out of the pods (regsync cannot run here)
pod_drop=(sync)
# rplay OUT ORD: registry-ORD from OUT, started, probed; sets ip[ORD] and pid[ORD]
rplay() {
	local y=$tmp/pod-$2.yaml d=$tmp/pv-$2
	mkdir -p "$d/data" && chown 1000:1000 "$d/data" || return 1
	node tests/node/fieldpod.mjs statefulset "$1" "$NS" registry "registry-$2" "$d" "${pod_drop[@]}" > "$y" 2> "$tmp/fieldpod.err" || return 1
	while read -r l; do listed_note "${l//$d/PV}"; done < "$tmp/fieldpod.err"
	pm kube play "$y" > "$tmp/play-$2.log" 2>&1 || return 1
	ip[$2]=$(pm inspect "registry-$2-own" --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}')
	pid[$2]=$(pm inspect "registry-$2-registry" --format '{{.State.Pid}}')
	[ -n "${ip[$2]}" ] && wait_for 20 "probed $2" || return 1
	live+=("$2")
}
# rstop ORD: registry-ORD deleted (its data stays, as a PVC does); each container's log kept as
# $tmp/registry-ORD-CONTAINER.log
rstop() {
	local o c keep=()
	for c in $(pm ps -a --filter "pod=registry-$1" --format '{{.Names}}'); do
		case $c in *-infra) ;; *) pm logs "$c" > "$tmp/$c.log" 2>&1 ;; esac
	done
	pm pod rm -f "registry-$1" > /dev/null 2>&1
	for o in "${live[@]}"; do [ "$o" = "$1" ] || keep+=("$o"); done
	live=("${keep[@]}")
}
pods_down() { local o; for o in "${live[@]}"; do rstop "$o"; done; endpoints; }
# deploy OUT N: replicas 0..N-1 of OUT on fresh volumes, the Services' endpoints set
deploy() {
	local o s=0
	pods_down; rm -rf "$tmp"/pv-*
	for ((o = 0; o < $2; o++)); do rplay "$1" "$o" || { s=1; break; }; done
	endpoints; return $s
}
podlogs() { local c; for c in $(pm ps --format '{{.Names}}' | grep '^registry-'); do pm logs "$c" > "$tmp/log-$c" 2>&1; echo "$tmp/log-$c"; done; }

# --- the nodes: each containerd and one pass of node-trust.sh writing its hosts.toml files
declare -A c_sock c_ctr c_pid
nodes=()
# start_nodes UPSTREAM: each containerd of versions, then one pass of node-trust.sh (node_pass);
# node_started V ROOT runs in between when the suite defines it. UPSTREAM/hosts.toml must name
# https://M/v2/UPSTREAM
start_nodes() {
	local vb v root
	busybox_path "$BB" "$tmp/bbbin"
	for vb in "${versions[@]}"; do
		v=${vb%%:*} root=$tmp/host-${vb%%:*}
		ctd_start "$v" "${vb#*:}" "$root" "$tmp/ctd-$v"; st=$?
		t "containerd $v runs (own root, state, socket; CRI up)" '[ $st = 0 ]' "$tmp/ctd-$v/containerd.log"
		[ $st = 0 ] || continue
		c_sock[$v]=$sock c_ctr[$v]=$ctr c_pid[$v]=$ctd_pid
		! declare -F node_started > /dev/null || node_started "$v" "$root"
		node_pass "$v" "$1" && nodes+=("$v")
	done
}
# node_pass V UPSTREAM: one pass of $tmp/node-trust.sh with $tmp/node.cfg (busybox sh, only its
# applets on PATH) in containerd V's mount namespace, where the node's paths are (/etc/containerd
# is ROOT/etc/containerd); UPSTREAM/hosts.toml must name https://M/v2/UPSTREAM
node_pass() {
	local root=$tmp/host-$1 up=$2
	(cd / && exec nsenter -t "${c_pid[$1]}" -m -- env -i PATH="$tmp/bbbin" CA_FILE="$tmp/ca.crt" STATE_DIR="$root/state" \
		RESTART_CONTAINERD=false ONCE=1 "$BB" sh "$tmp/node-trust.sh" "$tmp/node.cfg") > "$tmp/pass-$1.log" 2>&1; st=$?
	t "containerd $1: one pass of BIN's node-trust.sh: ready, $up/hosts.toml names https://$M/v2/$up" \
		'[ $st = 0 ] && grep -qF "https://$M/v2/$up" "$root/etc/containerd/certs.d/$up/hosts.toml"' "$tmp/pass-$1.log"
}
# on V: the globals of tests/lib.sh's cri and fieldlib's nctr for containerd V
on() { ctd_v=$1 sock=${c_sock[$1]} ctr=${c_ctr[$1]} ctd_pid=${c_pid[$1]}; }
# npull V IMAGE: containerd V's CRI PullImage of IMAGE (removed first); sets got (its digest)
npull() {
	on "$1"; nctr -n k8s.io images rm "$2" > /dev/null 2>&1
	cri "$2"; got=$(digest k8s.io "$2")
}
# pulls_all LABEL IMAGE WANT [LOG ENDPOINT]: every node pulls IMAGE and gets digest WANT (and,
# given, forwarder LOG saw a connection to ENDPOINT during the pull)
pulls_all() {
	local v n s
	for v in "${nodes[@]}"; do
		n=$(wc -l < "$tmp/fwd-${4:-registry}.log")
		npull "$v" "$2"; s=0
		[ "$cst" = 0 ] && [ "$got" = "sha256:$3" ] || s=1
		[ -z "${4:-}" ] || tail -n "+$((n + 1))" "$tmp/fwd-$4.log" | grep -qxF "$5" || s=1
		t "$1: containerd $v pulls $2: sha256:${3:0:12}... (got ${got:-nothing})${4:+ from $5}" '[ $s = 0 ]' "$tmp/cri.last" "$tmp/ctd-$v/containerd.log"
	done
}
stop_nodes() { local v; for v in "${nodes[@]}"; do kill -TERM "${c_pid[$v]}" 2> /dev/null; done; }
