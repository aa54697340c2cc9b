#!/usr/bin/env bash
# tests/node-field.sh - the node DaemonSet as the field runs it (../shared/DESIGN.md §5, §8;
# ../shared/reference/field-lab.md), loopback only, no cluster:
#  - the pod: BIN's DaemonSet registry-node-trust, its pod template wrapped as a Pod with the
#    ConfigMaps it mounts (tests/node/fieldpod.mjs), each hostPath.path P rewritten to ROOT/P and
#    nothing else (but for podman 4.3.1's 63-character limit on annotation values: see the note
#    it prints), run by podman kube play (runc, vfs, the suite's own storage) with the image it
#    names, docker.io/library/busybox:1.37.0, built from Debian's busybox-static 1.37; readiness
#    is the manifest's own readinessProbe.exec.command run with podman exec;
#  - the registry: Debian's Distribution on TLS at stand-in ClusterIPs, the writer (Service
#    registry) at 127.0.0.20:443 and the mirror (Service registry-mirror) at 127.0.0.21:443 (the
#    first 127.0.0.N with 443 free), one storage; for IPv6 fd00:10:96::14 and ::15, put on lo;
#  - the nodes: containerd 1.6 (Debian 12), 1.7.24 and 2.1.9 (tests/fieldlab.sh), each its own
#    daemon, root, state and socket, in a mount namespace of its own where ROOT/etc/containerd is
#    /etc/containerd: it reads the config.toml the pod reads (1.x: version = 2, 2.1: version = 3,
#    config_path = "/etc/containerd/certs.d") and the files the pod wrote, by a node's paths.
# Legs, each reported on its own:
#  certs   the probe (busybox wget) passes against an ECDSA P-256 and an RSA 2048 server
#          certificate (openssl, a throw-away CA) and generate mode's own (Secret registry-tls),
#          on the mirror at 127.0.0.21 and [fd00:10:96::15];
#  V ipv4  for each containerd V: the pod ready; docker.io/library/demo:1 through the mirror path
#          and the registry's own name, with the pushed digest, via CRI PullImage (gRPC with curl)
#          and ctr --hosts-dir (2.x: --local); the mirror stopped: the pass (the CA's ConfigMap
#          changes, as the kubelet would change it) withdraws docker.io/hosts.toml, the pod is not
#          ready with a one-line reason naming the registry's URL, a pull does not dial it; back:
#          mirrors on, ready, pulls through;
#  V ipv6  ClusterIPs [fd00:10:96::14] and ::15 (serviceCIDR fd00:10:96::/112): ready, the
#          hosts.toml form containerd V parses (1.x: dotted keys, in order), pulls by the
#          registry's name (the writer first) and through the mirror;
#  V cache the pull-through cache (issue 15): the pod with BIN's config plus one MIRRORS entry
#          written here, upstream.test,https://IP,upstream.test,M:PORT (its server the writer, a
#          loopback stand-in; its cache Distribution in proxy mode of that server): an image the
#          mirror lacks (404) comes from the cache (CRI and ctr, mirror then cache); the cache
#          refusing connections, the pull goes on to the server; the same for IPv6 (V cache ipv6:
#          the form V reads, the order kept over 5 pulls);
#  remove  managementState: Removed played as a pod deletes exactly what the install pod wrote.
# usage: bash tests/node-field.sh [BIN]   (default build/registry-addon; needs root)
# shellcheck disable=SC2034,SC2016  # t evals its single-quoted conditions later, reading variables
set -u
export LC_ALL=C
bin=${1:-build/registry-addon}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
cd "$(dirname "$0")/.." || exit 2
SUITE=node-field
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/node/fieldlib.sh
. tests/node/fieldlib.sh
NAME=registry.registry-system.svc.cluster.local NODE_NS=registry-node-trust IMAGE='' plays=0 noted=''
# teardown_check: nothing left: no pod, container or volume; no mount under the temp dir
teardown_check() {
	[ -z "${teardown_done:-}" ] || return 0; teardown_done=1
	local left
	left=$(pm ps -a --format '{{.Names}}' 2> /dev/null; pm volume ls -q 2> /dev/null)
	t "teardown: no container, pod or volume left${left:+: $left}" '[ -z "$left" ]'
	t "teardown: nothing mounted under $tmp" '! grep -qF " $tmp/" /proc/self/mounts'
}
finish_field() {
	local n
	down; teardown_check
	for n in "${notrun[@]}"; do echo "# not run: $n"; done
	finish
}
A6=fd00:10:96::14 B6=fd00:10:96::15 have6=
# unaddr: the IPv6 addresses this run put on lo, taken off
unaddr() { [ -n "$have6" ] || return 0; ip -6 addr del "$A6/128" dev lo; ip -6 addr del "$B6/128" dev lo; } 2> /dev/null
trap 'down; pm pod rm -f -a > /dev/null 2>&1; pm volume rm -f -a > /dev/null 2>&1; cleanup; unmake; unaddr' EXIT

# --- prerequisites
if [ "$(id -u)" != 0 ]; then
	notrun "everything: podman kube play with hostPath, containerd and port 443 need root"; finish
fi
install_missing podman:podman runc:runc catatonit:catatonit containerd:containerd ctr:containerd \
	docker-registry:docker-registry skopeo:skopeo openssl:openssl curl:curl unshare:util-linux nsenter:util-linux
[ -z "$missing" ] || { notrun "everything: missing $missing(no apt-get, or it failed)"; finish; }
[ -x "$bin" ] || { notrun "everything: no binary $bin (make)"; finish; }
[ -f tests/schema/node_modules/yaml/package.json ] || bash tests/schema/setup.sh >&2
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
# the field's programs (fetched once into .cache/fieldlab)
# shellcheck source=tests/fieldlab.sh
. tests/fieldlab.sh
fieldlab_main > "$tmp/fieldlab.out" 2> "$tmp/fieldlab.err"
BB=$(fieldlab_dir busybox-1.37)/usr/bin/busybox
[ -x "$BB" ] || { notrun "everything: no busybox-static 1.37 for the pod's image ($(cat "$tmp/fieldlab.err"))"; finish; }
containerd_versions legs
note "podman $(podman --version | awk '{ print $3 }'), $(runc --version | head -n 1), busybox $("$BB" | head -n 1 | cut -d' ' -f2)," \
	"containerd: ${versions[*]%%:*}"

# the stand-in ClusterIP (runs of this suite and node-e2e take turns: the same lock)
exec 8> /tmp/registry-addon-node-e2e.lock
command -v flock > /dev/null && { flock -w 180 8 || note "lock /tmp/registry-addon-node-e2e.lock: still held"; }
# the writer (Service registry) at $IP, the mirror (Service registry-mirror) at $M: the first two
# 127.0.0.N with 443 free
for IP in 127.0.0.{20..60}; do (exec 3<> "/dev/tcp/$IP/443") 2> /dev/null || break; done
for M in 127.0.0.{21..61}; do [ "$M" != "$IP" ] && ! (exec 3<> "/dev/tcp/$M/443") 2> /dev/null && break; done
# IPv6: two addresses of the ULA fd00:10:96::/112 put on lo for this run (a Service CIDR has no
# room for ::1, which is its network address or first address): the writer ::14, the mirror ::15
if grep -q '^0\{31\}1 ' /proc/net/if_inet6 2> /dev/null && ip -6 addr add "$A6/128" dev lo nodad 2> /dev/null; then
	if ip -6 addr add "$B6/128" dev lo nodad 2> /dev/null; then have6=1; else ip -6 addr del "$A6/128" dev lo; fi
fi
H6="[$A6]" M6="[$B6]" N6=$NAME

# --- certificates: a throw-away CA (ECDSA) signing an ECDSA P-256 and an RSA 2048 server
# certificate for the ClusterIPs (IPv4 and IPv6) and the Service's names; the binary's own CA
ext="subjectAltName=IP:$IP,IP:$M,IP:$A6,IP:$B6,DNS:registry,DNS:registry.registry-system,DNS:registry.registry-system.svc,DNS:$NAME"
{ openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -keyout "$tmp/ca.key" \
	-out "$tmp/ca.crt" -subj "/CN=node-field CA" -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign &&
	for k in ec:ec_paramgen_curve:P-256 rsa:rsa_keygen_bits:2048; do
		openssl req -new -newkey "${k%%:*}" -pkeyopt "${k#*:}" -nodes -keyout "$tmp/${k%%:*}.key" \
			-out "$tmp/${k%%:*}.csr" -subj "/CN=$NAME" &&
			printf '%s\nextendedKeyUsage=serverAuth\n' "$ext" > "$tmp/ext" &&
			openssl x509 -req -in "$tmp/${k%%:*}.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -set_serial 7 \
				-days 1 -extfile "$tmp/ext" -out "$tmp/${k%%:*}.crt" || exit 1
	done; } > "$tmp/openssl.log" 2>&1; st=$?
mkdir -p "$tmp/genca" && "$bin" --generate-ca "$tmp/genca" >> "$tmp/openssl.log" 2>&1 || st=1
t "openssl: a CA, ECDSA P-256 and RSA 2048 server certificates for $IP; $(basename "$bin") --generate-ca" \
	'[ $st = 0 ]' "$tmp/openssl.log"

# --- BIN's outputs: one input pod using docker.io/library/demo:1; containerd the node's runtime
echo '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"docker.io/library/demo:1"}]}}' > "$tmp/in.json"
gen() { "$bin" --set 'nodeTrust.runtimes=[containerd]' "$@" < "$tmp/in.json"; }
v4=(--set registry.service.serviceCIDR=127.0.0.0/8 --set "registry.service.clusterIP=$IP"
	--set "registry.service.mirrorClusterIP=$M")
sec=(--set tls.mode=secret --set "tls.caCertFile=$tmp/ca.crt")
nb=$(date -u -d "$(openssl x509 -in "$tmp/genca/ca.crt" -noout -startdate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
cfg() { node tests/node/manifest.mjs data "$1" "$NODE_NS" registry-node-trust config; }
v6=(--set registry.service.serviceCIDR=fd00:10:96::/112 --set "registry.service.clusterIP=$A6")
genmode=(--set tls.mode=generate --set "tls.caCertFile=$tmp/genca/ca.crt" --set "tls.caKeyFile=$tmp/genca/ca.key"
	--set "tls.notBefore=$nb")
secret() { node tests/node/fieldpod.mjs secret "$tmp/outgen$1.yaml" registry-system registry-tls "$2"; }
{ gen "${v4[@]}" "${sec[@]}" > "$tmp/out4.yaml" && gen "${v6[@]}" "${sec[@]}" > "$tmp/out6.yaml" &&
	gen "${v4[@]}" "${genmode[@]}" > "$tmp/outgen4.yaml" && gen "${v6[@]}" "${genmode[@]}" > "$tmp/outgen6.yaml" &&
	gen "${v4[@]}" "${sec[@]}" --set managementState=Removed > "$tmp/outrm.yaml" &&
	cfg "$tmp/out4.yaml" > "$tmp/cfg4" && cfg "$tmp/out6.yaml" > "$tmp/cfg6" && cfg "$tmp/outrm.yaml" > "$tmp/cfgrm" &&
	secret 4 tls.crt > "$tmp/gen4.crt" && secret 4 tls.key > "$tmp/gen4.key" &&
	secret 6 tls.crt > "$tmp/gen6.crt" && secret 6 tls.key > "$tmp/gen6.key" &&
	mapfile -t probe_cmd < <(node tests/node/fieldpod.mjs probe "$tmp/out4.yaml" "$NODE_NS") &&
	IMAGE=$(sed -n '/^kind: DaemonSet/,/^---/s/^ *image: //p' "$tmp/out4.yaml" | head -n 1); } 2> "$tmp/gen.err"; st=$?
t "BIN's outputs: ClusterIPs $IP and $M (secret and generate mode), $H6 and $M6 (serviceCIDR fd00:10:96::/112), Removed" \
	'[ $st = 0 ] && grep -qxF "REGISTRY_HOST='"'$IP'"'" "$tmp/cfg4" && grep -qxF "REGISTRY_HOST='"'$H6'"'" "$tmp/cfg6" &&
	grep -qxF "MIRROR_URL='"'https://$M'"'" "$tmp/cfg4" && grep -qxF "MIRROR_URL='"'https://$M6'"'" "$tmp/cfg6" &&
	grep -qxF "MODE='"'remove'"'" "$tmp/cfgrm" && [ ${#probe_cmd[@]} -gt 0 ]' "$tmp/gen.err"
note "readinessProbe.exec.command: ${probe_cmd[*]:-none}; image $IMAGE;" \
	"generate mode's server key: $(openssl x509 -in "$tmp/gen4.crt" -noout -text 2> /dev/null | sed -n 's/^ *Public Key Algorithm: //p')"
# shellcheck source=/dev/null
STATE_DIR=$(. "$tmp/cfg4" && echo "$STATE_DIR") CA_FILE=$(. "$tmp/cfg4" && echo "$CA_FILE")

# --- the pod's image, the registry, the images
pm_setup
{ [ "$IMAGE" = docker.io/library/busybox:1.37.0 ] && image_busybox "$BB" "$IMAGE"; } > "$tmp/image.log" 2>&1; st=$?
t "image $IMAGE built from busybox-static 1.37 (podman import, the suite's own storage)" '[ $st = 0 ]' "$tmp/image.log"
reg_start r4 "$IP:443" "$tmp/ec.crt" "$tmp/ec.key" && reg_start m4 "$M:443" "$tmp/ec.crt" "$tmp/ec.key"; st=$?
t "docker-registry serves TLS on $IP:443 (the writer) and $M:443 (the mirror; one storage)" '[ $st = 0 ]' \
	"$tmp/r4.log" "$tmp/m4.log"
lay=$tmp/layout; mkdir -p "$tmp/home" "$tmp/sko-tmp" "$tmp/registries.d" "$tmp/certs"
oci_image "$lay" 1 "pulled through registry-addon's mirror"
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$tmp/policy.json"
: > "$tmp/registries.conf"; echo '{}' > "$tmp/auth.json"; cp "$tmp/ca.crt" "$tmp/certs/"
# push NAME [LAYOUT]: the image of LAYOUT (default $lay) as $IP/NAME
push() {
	timeout 30 env HOME="$tmp/home" REGISTRY_AUTH_FILE="$tmp/auth.json" CONTAINERS_REGISTRIES_CONF="$tmp/registries.conf" \
		skopeo --policy "$tmp/policy.json" --registries.d "$tmp/registries.d" --tmpdir "$tmp/sko-tmp" \
		copy --preserve-digests --dest-cert-dir "$tmp/certs" "oci:${2:-$lay}:1" "docker://$IP/$1" >> "$tmp/sko.log" 2>&1
}
push docker.io/library/demo:1 && push app:1; st=$?
t "skopeo pushes $IP/docker.io/library/demo:1 and $IP/app:1 (manifest sha256:${man:0:12}...)" '[ $st = 0 ]' "$tmp/sko.log"
# the pull-through cache (issue 15): another image (its own layer), library/cached:1 and :2 at the
# writer's root, where a stand-in upstream serves it; the cache legs' pods have BIN's config plus
# one MIRRORS entry written here, upstream.test,https://$IP,upstream.test,$KH: its server the writer
# (a loopback stand-in, not a real upstream), its cache a Distribution in proxy mode of that server
l0=$layer c0=$cfg m0=$man
oci_image "$tmp/layout2" 1 "pulled through registry-addon's cache"
klayer=$layer kman=$man layer=$l0 cfg=$c0 man=$m0
KP=$(free_port); KH=$M:$KP K6="[$B6]:$KP"
addcache() { sed "s|^\(    MIRRORS='.*\)'\$|\1 upstream.test,https://$2,upstream.test,$3'|" "$1"; }
push library/cached:1 "$tmp/layout2" && push library/cached:2 "$tmp/layout2" &&
	addcache "$tmp/out4.yaml" "$IP" "$KH" > "$tmp/out4c.yaml" && addcache "$tmp/out6.yaml" "$H6" "$K6" > "$tmp/out6c.yaml" &&
	[ "$(grep -c "^    MIRRORS='.* upstream.test,https://$IP,upstream.test,$KH'\$" "$tmp/out4c.yaml")" = 1 ]; st=$?
t "skopeo pushes $IP/library/cached:1, :2 (sha256:${kman:0:12}...); the cache legs' manifests: BIN's + upstream.test with its cache" \
	'[ $st = 0 ]' "$tmp/sko.log"
[ "$fail" = 0 ] || { note "the set-up failed: nothing more to run"; finish_field; }

# host_urls FILE: the hosts of a hosts.toml in file order, [host."URL"] tables or dotted keys
host_urls() { sed -n -e 's/^\[host\."\([^"]*\)"\]$/\1/p' -e 's/^  "\([^"]*\)"\.capabilities = .*/\1/p' "$1" | tr '\n' ' '; }
# shellcheck source=/dev/null
C6U=$(. "$tmp/cfg6" && echo "${OWN_COPIES_URL:-}")
# ready_test LABEL SECONDS: the pod becomes ready (the probe passes, $STATE_DIR/ready, no reason)
ready_test() {
	wait_ready "$2"; local s=$? r
	r=$(state reason); [ $s = 0 ] && state ready > /dev/null && [ -z "$r" ]; s=$?
	t "$1: the pod is ready (readinessProbe ${pst:-?}${pout:+: $pout})" '[ $s = 0 ]' "$(podlog)"
	return $s
}

# --- leg certs: the probe against each kind of server certificate
root=$tmp/host-certs; mkdir -p "$root/etc/containerd/certs.d"
ctd_config 1.6 "$root" "$tmp/unused" > "$root/etc/containerd/config.toml"
for k in ec:ECDSA:out rsa:RSA:out gen:generate-mode:outgen; do
	IFS=: read -r c label out <<< "$k"
	for f in 4 6; do
		[ $f = 4 ] || [ -n "$have6" ] || { notrun "certs $label ipv6: no IPv6 on lo"; continue; }
		addr=$M:443 crt=$tmp/$c.crt key=$tmp/$c.key L="certs $label ipv$f"
		[ $f = 4 ] || addr="$M6:443"
		[ "$c" != gen ] || crt=$tmp/gen$f.crt key=$tmp/gen$f.key
		reg_stop m4; reg_stop "c$f"; reg_start "c$f" "$addr" "$crt" "$key" ||
			{ bad "$L: the mirror starts" "$tmp/c$f.log"; continue; }
		alg=$(openssl x509 -in "$crt" -noout -text | sed -n 's/^ *Public Key Algorithm: //p')
		rm -rf "${root:?}/etc/containerd/certs.d" && mkdir "$root/etc/containerd/certs.d"
		play "$tmp/$out$f.yaml" "$root"; st=$?
		t "$L ($alg): the pod runs under podman kube play" '[ $st = 0 ]' "$tmp/play.log" "$tmp/fieldpod.err"
		# ready, and the probe found the registry: the pass turned the mirror on
		if [ $st = 0 ] && ready_test "$L ($alg)" 15; then
			t "$L ($alg): ... the probe (busybox wget) reached the registry: docker.io/hosts.toml written" \
				'[ -f "$root/etc/containerd/certs.d/docker.io/hosts.toml" ]' "$(podlog)"
		fi
		if [ "$alg" = ED25519 ] && [ ! -f "$root/etc/containerd/certs.d/docker.io/hosts.toml" ]; then
			listed_note "busybox 1.37's TLS (the probe's wget) has no Ed25519 (field-lab.md §3): a registry with an Ed25519 certificate never looks healthy to the pod"
		fi
		down; reg_stop "c$f"
	done
done
reg_start m4 "$M:443" "$tmp/ec.crt" "$tmp/ec.key"
reg_start k4 "$KH" "$tmp/ec.crt" "$tmp/ec.key" "https://$IP"; st=$?
t "the cache: docker-registry in proxy mode of https://$IP on $KH" '[ $st = 0 ]' "$tmp/k4.log"

# --- legs V ipv4, V ipv6: each containerd version pulls through the files its pod wrote
reg6=
if [ -n "$have6" ]; then
	reg_start r6 "$H6:443" "$tmp/ec.crt" "$tmp/ec.key" && reg_start m6 "$M6:443" "$tmp/ec.crt" "$tmp/ec.key" &&
		reg_start k6 "$K6" "$tmp/ec.crt" "$tmp/ec.key" "https://$H6" && reg6=1
	t "docker-registry serves TLS on $H6 and $M6 (the same storage), and the cache of https://$H6 on $K6" '[ -n "$reg6" ]' \
		"$tmp/r6.log" "$tmp/m6.log" "$tmp/k6.log"
else
	notrun "every IPv6 leg: no IPv6 addresses could be put on lo"
fi
for vb in "${versions[@]}"; do
	ctd_v=${vb%%:*} V="containerd ${vb%%:*}"
	root=$tmp/host-$ctd_v D=$tmp/host-$ctd_v/etc/containerd/certs.d
	ctd_start "$ctd_v" "${vb#*:}" "$root" "$tmp/ctd-$ctd_v"; st=$?
	t "$V: runs (own root, state, socket; its CRI plugin up), reading $(sed -n 1p "$root/etc/containerd/config.toml")" \
		'[ $st = 0 ]' "$tmp/ctd-$ctd_v/containerd.log" "$tmp/ctd-$ctd_v/plugins"
	[ $st = 0 ] || { notrun "$V legs: the daemon did not start"; continue; }
	note "$V: $("$ctr" --version)"
	play "$tmp/out4.yaml" "$root"; st=$?
	t "$V ipv4: the pod runs" '[ $st = 0 ]' "$tmp/play.log"
	if [ $st = 0 ] && ready_test "$V ipv4" 15; then
		note "$V docker.io/hosts.toml: $(tail -n +2 "$D/docker.io/hosts.toml" | tr -s '\n ' ' ')"
		mark m4; cri docker.io/library/demo:1; got=$(digest k8s.io docker.io/library/demo:1)
		t "$V ipv4: CRI PullImage docker.io/library/demo:1 through the mirror at $M, manifest as pushed" \
			'[ "$cst" = 0 ] && [ "$got" = "sha256:$man" ] && served m4 HEAD /v2/docker.io/library/demo/manifests/1' \
			"$tmp/cri.last" "$tmp/reg.since"
		mark r4; cri "$NAME/app:1"; got=$(digest k8s.io "$NAME/app:1")
		t "$V ipv4: CRI PullImage $NAME/app:1 (the name maps to the writer, $IP)" \
			'[ "$cst" = 0 ] && [ "$got" = "sha256:$man" ] && served r4 HEAD /v2/app/manifests/1' "$tmp/cri.last" "$tmp/reg.since"
		mark m4; pull --debug docker.io/library/demo:1; st=$?; got=$(digest field docker.io/library/demo:1)
		t "$V ipv4: ctr pull --hosts-dir docker.io/library/demo:1 from $M only, as pushed" \
			'[ $st = 0 ] && [ "$got" = "sha256:$man" ] && tried "$M" && ! tried registry-1.docker.io &&
			served m4 HEAD /v2/docker.io/library/demo/manifests/1' "$tmp/pull.log"
		pull "$NAME/app:1"; st=$?; got=$(digest field "$NAME/app:1")
		t "$V ipv4: ctr pull --hosts-dir $NAME/app:1" '[ $st = 0 ] && [ "$got" = "sha256:$man" ]' "$tmp/pull.log"

		# withdrawal: the mirror stops; the next pass (the CA's ConfigMap changes) takes it away
		reg_stop m4; nudge
		wait_for 20 '[ ! -e "$D/docker.io/hosts.toml" ]'; st=$?
		t "$V ipv4: mirror stopped: the next pass withdraws docker.io/hosts.toml" '[ $st = 0 ]' "$(podlog)"
		wait_for 5 '! state ready > /dev/null'; probe; r=$(state reason)
		t "$V ipv4: ... not ready, \$STATE_DIR/reason one line naming https://$M: ${r:-none}" \
			'[ "$pst" != 0 ] && ! state ready > /dev/null && [ "$(wc -l <<< "$r")" = 1 ] && [[ $r == *"https://$M"* ]]' "$(podlog)"
		t "$V ipv4: ... the readinessProbe prints that reason (got: ${pout:-nothing})" \
			'[ "$pst" != 0 ] && [ -n "$r" ] && [ "$pout" = "$r" ]'
		pull --debug docker.io/library/other:1; st=$?
		t "$V ipv4: ... ctr pull docker.io/library/other:1 does not dial $M" \
			'[ $st != 0 ] && tried registry-1.docker.io && ! grep -qF "$M" "$tmp/pull.log"' "$tmp/pull.log"
		cri docker.io/library/other:1
		t "$V ipv4: ... CRI PullImage docker.io/library/other:1 fails without naming $M" \
			'[ "$cst" = 2 ] && [[ $cmsg == *registry-1.docker.io* ]] && [[ $cmsg != *"$M"* ]]' "$tmp/cri.last"
		# restore
		reg_start m4 "$M:443" "$tmp/ec.crt" "$tmp/ec.key"; nudge
		wait_for 20 '[ -e "$D/docker.io/hosts.toml" ]'; st=$?
		t "$V ipv4: mirror back: the next pass writes docker.io/hosts.toml again" '[ $st = 0 ]' "$(podlog)"
		ready_test "$V ipv4: mirror back" 10
		mark m4; cri docker.io/library/demo:1
		t "$V ipv4: ... CRI PullImage docker.io/library/demo:1 through the mirror again" \
			'[ "$cst" = 0 ] && served m4 HEAD /v2/docker.io/library/demo/manifests/1' "$tmp/cri.last" "$tmp/reg.since"
	fi
	down

	# leg V cache: upstream.test's pull-through cache at $KH (tried after the mirror, before the server)
	play "$tmp/out4c.yaml" "$root"; st=$?
	t "$V cache: the pod (BIN's config + upstream.test,https://$IP,upstream.test,$KH) runs" '[ $st = 0 ]' "$tmp/play.log"
	if [ $st = 0 ] && ready_test "$V cache" 15; then
		f=$D/upstream.test/hosts.toml
		t "$V cache: upstream.test/hosts.toml: server https://$IP; the mirror's /v2/upstream.test, then the cache's /v2, each dial_timeout = \"2s\"" \
			'grep -qxF "server = \"https://$IP\"" "$f" && [ "$(host_urls "$f")" = "https://$M/v2/upstream.test https://$KH/v2 " ] &&
			[ "$(grep -c "^  dial_timeout = \"2s\"\$" "$f")" = 2 ]' "$f"
		mark m4 k4 r4; cri upstream.test/library/cached:1; got=$(digest k8s.io upstream.test/library/cached:1)
		t "$V cache: CRI PullImage upstream.test/library/cached:1 as pushed, manifest and layer from the cache at $KH" \
			'[ "$cst" = 0 ] && [ "$got" = "sha256:$kman" ] && served k4 HEAD /v2/library/cached/manifests/1 &&
			served k4 GET /v2/library/cached/blobs/sha256:$klayer' "$tmp/cri.last" "$tmp/reg.since"
		t "$V cache: ... after the mirror's 404 (HEAD /v2/upstream.test/library/cached/manifests/1); the server not asked by containerd" \
			'hit m4 HEAD /v2/upstream.test/library/cached/manifests/1 404 containerd/ &&
			! hit r4 HEAD /v2/library/cached/manifests/1 200 containerd/' "$tmp/reg.since"
		mark k4; pull --debug upstream.test/library/cached:1; st=$?
		t "$V cache: ctr pull upstream.test/library/cached:1 resolves at $M, then $KH, which answers" \
			'[ $st = 0 ] && [ "$(hosts_tried)" = "$M $KH " ] && served k4 HEAD /v2/library/cached/manifests/1' "$tmp/pull.log"
		reg_stop k4
		mark r4; SSL_CERT_FILE=$tmp/ca.crt pull --debug upstream.test/library/cached:2; st=$?
		got=$(digest field upstream.test/library/cached:2)
		t "$V cache: the cache refusing connections: ctr pull upstream.test/library/cached:2 tries $M, $KH, then the server $IP, which serves it" \
			'[ $st = 0 ] && [ "$got" = "sha256:$kman" ] && [ "$(hosts_tried)" = "$M $KH $IP " ] &&
			served r4 HEAD /v2/library/cached/manifests/2' "$tmp/pull.log" "$tmp/reg.since"
		mark r4; cri upstream.test/library/cached:2
		t "$V cache: ... CRI PullImage goes on to the server too (no CA for it in the daemon's roots: a TLS handshake error in its log)" \
			'[ -n "$cst" ] && [ "$cst" != 0 ] && tail -c "+$((${regmark[r4]} + 1))" "$tmp/r4.log" | grep -q "TLS handshake error"' \
			"$tmp/cri.last" "$tmp/r4.log"
		reg_start k4 "$KH" "$tmp/ec.crt" "$tmp/ec.key" "https://$IP"
	fi
	down

	if [ -n "$reg6" ]; then
		play "$tmp/out6.yaml" "$root"; st=$?
		t "$V ipv6: the pod (ClusterIP $H6) runs" '[ $st = 0 ]' "$tmp/play.log"
		if [ $st = 0 ] && ready_test "$V ipv6" 15; then
			h=$(tail -n +2 "$D/docker.io/hosts.toml" 2> /dev/null)
			note "$V ipv6 docker.io/hosts.toml: $(tr -s '\n ' ' ' <<< "$h")"
			case $ctd_v in
			1.*) form='dotted keys under [host] (go-toml v1 refuses "]" in a table header)'
				want="[host]"$'\n'"  \"https://$M6/v2/docker.io\".capabilities = [" ;;
			*) form='[host."URL"] table headers (2.x ignores dotted and inline host tables)'
				want="[host.\"https://$M6/v2/docker.io\"]" ;;
			esac
			t "$V ipv6: docker.io/hosts.toml holds $form" '[[ $h == *"$want"* ]]'
			t "$V ipv6: $N6/hosts.toml: the writer $H6${C6U:+, then the copies}" \
				'[ "$(host_urls "$D/$N6/hosts.toml")" = "https://$H6 ${C6U:+$C6U }" ]' "$D/$N6/hosts.toml"
			pull --debug "$N6/app:1"; st=$?
			t "$V ipv6: ctr pull $N6/app:1 goes to $H6 first, every hosts.toml parsed" \
				'[ $st = 0 ] && [ "$(hosts_tried)" = "$H6 " ] && ! grep -q "failed to decode hosts.toml" "$tmp/pull.log"' "$tmp/pull.log"
			mark m6; pull --debug docker.io/library/demo:1; st=$?; got=$(digest field docker.io/library/demo:1)
			t "$V ipv6: ctr pull docker.io/library/demo:1 through the mirror at $M6, as pushed" \
				'[ $st = 0 ] && [ "$got" = "sha256:$man" ] && tried "$M6" && served m6 HEAD /v2/docker.io/library/demo/manifests/1' \
				"$tmp/pull.log"
			nctr -n k8s.io images rm docker.io/library/demo:1 > /dev/null 2>&1
			mark m6; cri docker.io/library/demo:1; got=$(digest k8s.io docker.io/library/demo:1)
			t "$V ipv6: CRI PullImage docker.io/library/demo:1 through the mirror at $M6, as pushed" \
				'[ "$cst" = 0 ] && [ "$got" = "sha256:$man" ] && served m6 HEAD /v2/docker.io/library/demo/manifests/1' \
				"$tmp/cri.last" "$tmp/reg.since"
			mark r6; cri "$N6/app:1"; got=$(digest k8s.io "$N6/app:1")
			t "$V ipv6: CRI PullImage $N6/app:1 (the name maps to $H6)" \
				'[ "$cst" = 0 ] && [ "$got" = "sha256:$man" ] && served r6 HEAD /v2/app/manifests/1' "$tmp/cri.last" "$tmp/reg.since"
		fi
		down
		# leg V cache ipv6: upstream.test's cache at $K6, in the form containerd V reads, in order
		play "$tmp/out6c.yaml" "$root"; st=$?
		t "$V cache ipv6: the pod (BIN's config + upstream.test,https://$H6,upstream.test,$K6) runs" '[ $st = 0 ]' "$tmp/play.log"
		if [ $st = 0 ] && ready_test "$V cache ipv6" 15; then
			f=$D/upstream.test/hosts.toml
			case $ctd_v in 1.*) f6='dotted keys under [host]' ;; *) f6='[host."URL"] tables' ;; esac
			t "$V cache ipv6: upstream.test/hosts.toml ($f6): the mirror's /v2/upstream.test, then the cache's /v2" \
				'[ "$(host_urls "$f")" = "https://$M6/v2/upstream.test https://$K6/v2 " ]' "$f"
			for i in 1 2 3 4 5; do
				mark m6 k6; pull --debug upstream.test/library/cached:1; st=$?
				{ [ $st = 0 ] && [ "$(hosts_tried)" = "$M6 $K6 " ] && served k6 HEAD /v2/library/cached/manifests/1; } || break
			done
			t "$V cache ipv6: ctr pull upstream.test/library/cached:1, 5 times: $M6 (404), then the cache $K6 answers" \
				'[ $i = 5 ] && [ $st = 0 ] && [ "$(hosts_tried)" = "$M6 $K6 " ] && served k6 HEAD /v2/library/cached/manifests/1 &&
				hit m6 HEAD /v2/upstream.test/library/cached/manifests/1 404 containerd/' "$tmp/pull.log" "$tmp/reg.since"
			mark k6; cri upstream.test/library/cached:1
			t "$V cache ipv6: CRI PullImage upstream.test/library/cached:1 through the cache at $K6" \
				'[ "$cst" = 0 ] && served k6 HEAD /v2/library/cached/manifests/1' "$tmp/cri.last" "$tmp/reg.since"
		fi
		down
	fi
	for ns in field k8s.io; do
		nctr -n $ns images rm docker.io/library/demo:1 "$NAME/app:1" "$N6/app:1" upstream.test/library/cached:1 \
			upstream.test/library/cached:2 > /dev/null 2>&1
	done
	kill -TERM "$ctd_pid" 2> /dev/null
	wait_for 10 '! kill -0 "$ctd_pid" 2> /dev/null'
done

# --- leg remove: the clean-up DaemonSet deletes exactly what the install pod wrote
root=$tmp/host-rm D=$tmp/host-rm/etc/containerd/certs.d
mkdir -p "$D/registry.example.net" "$D/_default"
ctd_config 1.6 "$root" "$tmp/unused" > "$root/etc/containerd/config.toml"
echo '# not ours' > "$D/registry.example.net/hosts.toml"; echo 'server = "https://mirror.example"' > "$D/_default/hosts.toml"
echo 'not ours' > "$D/README"
# snap: every directory and file (with its sha256) under the host root
snap() { (cd "$root" && { find . -mindepth 1 -type f -exec sha256sum {} +; find . -mindepth 1 -type d; } | sort); }
before=$(snap)
play "$tmp/out4.yaml" "$root" && ready_test "remove: the install pod" 15; st=$?
installed=$(comm -13 <(echo "$before") <(snap))
down
t "remove: the install pod wrote its files beside the foreign ones ($(grep -c hosts.toml <<< "$installed") hosts.toml)" \
	'[ $st = 0 ] && grep -q docker.io/hosts.toml <<< "$installed" && [ "$(comm -23 <(echo "$before") <(snap))" = "" ]'
play "$tmp/outrm.yaml" "$root"; st=$?
t "remove: the Removed output's pod runs" '[ $st = 0 ]' "$tmp/play.log"
if [ $st = 0 ]; then
	wait_ready 15; after=$(snap)
	t "remove: ready; exactly the install pod's files are gone, the foreign ones and config.toml as they were" \
		'[ "$pst" = 0 ] && [ "$after" = "$before" ]' "$(podlog)"
	[ "$after" = "$before" ] || diff <(echo "$before") <(echo "$after") | sed 's/^/#   /'
fi
down

notrun "here at all (no such program on this machine): containerd 2.0 and 2.2 (their hosts.toml parser was read in source), the CRI-O and Docker daemons (tests/node-crio.sh runs containers/image), Distribution 3.x (Debian ships 2.8), a kubelet (the readiness command runs with podman exec)"
finish_field
