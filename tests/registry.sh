#!/usr/bin/env bash
# The real registry accepts what we generate: takes config.yml and run.sh from
# the registry-config ConfigMap of `BIN < /dev/null`, rewrites only paths and
# listen addresses (to a temp dir and 127.0.0.1), and runs Debian's
# Distribution (docker-registry, 2.8.x) THROUGH run.sh under busybox sh with
# only busybox applets on PATH, as in the Alpine-based registry image. Then:
# TLS with a throw-away CA, nosniff, http.secret from run.sh, the debug
# server's /metrics, a push and pull with skopeo of a hand-made OCI image
# (same digest; a wrong CA fails), storage.delete off, run.sh restarting on a
# certificate change (a Secret volume's ..data swap), and SIGTERM leaving no
# process behind. Loopback only; no network, no container engine.
#
# usage: tests/registry.sh BIN
#   $REGISTRY: the Distribution binary (default /usr/bin/docker-registry)
# Needs (Debian): docker-registry skopeo busybox openssl curl, and node with
# tests/schema/node_modules (tests/schema/setup.sh). As root, missing Debian
# packages are installed (apt-get update, then apt-get install -y).
# shellcheck disable=SC2034  # variables read only by the conditions t evals
set -u
export LC_ALL=C
bin=${1:?usage: tests/registry.sh BIN}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
cd "$(dirname "$0")/.." || exit 2
REGISTRY=${REGISTRY:-/usr/bin/docker-registry}
SUITE=registry
. tests/lib.sh
ms()  { local n=${EPOCHREALTIME/./}; echo $((n / 1000)); }

# kids PID: "pid comm" of PID's children
kids() {
	local want=$1 f s comm
	for f in /proc/[0-9]*/stat; do
		read -r s 2> /dev/null < "$f" || continue
		comm=${s#*(}; comm=${comm%)*}
		set -- ${s##*) }
		[ "$2" = "$want" ] && echo "${f//[^0-9]/} $comm"
	done
	return 0
}
# exited PID: PID (our child) has ended (gone or a zombie)
exited() { local s; read -r s 2> /dev/null < "/proc/$1/stat" || return 0; s=${s##*) }; [ "${s%% *}" = Z ]; }
# wait_exit PID SECS: wait up to SECS for our child PID to end; sets $rc
wait_exit() {
	local i=0; rc=
	while ! exited "$1"; do
		[ $i -ge $(($2 * 10)) ] && return 1
		sleep 0.1; i=$((i + 1))
	done
	wait "$1"; rc=$?
}

# --- prerequisites
missing=()
for c in "$REGISTRY":docker-registry skopeo:skopeo busybox:busybox openssl:openssl curl:curl; do
	command -v "${c%%:*}" >/dev/null 2>&1 || missing+=("${c#*:}")
done
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	note "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	missing=()
	for c in "$REGISTRY":docker-registry skopeo:skopeo busybox:busybox openssl:openssl curl:curl; do
		command -v "${c%%:*}" >/dev/null 2>&1 || missing+=("${c#*:}")
	done
fi
[ -f tests/schema/node_modules/yaml/package.json ] || bash tests/schema/setup.sh >&2
command -v node >/dev/null && [ -f tests/schema/node_modules/yaml/package.json ] || missing+=("node+yaml (tests/schema/setup.sh)")
if [ ${#missing[@]} -gt 0 ]; then
	bad "prerequisites (missing: ${missing[*]})"; finish
fi
cm() { node tests/registry/configmap.mjs "$@"; }
BUSYBOX=$(command -v busybox)
note "$("$REGISTRY" --version 2>&1 | head -n 1); $(skopeo --version); busybox $("$BUSYBOX" | head -n 1 | cut -d' ' -f2)"

# === 1. config.yml and run.sh from the add-on's output; a visible rewrite of
# paths and listen addresses only
mkdir -p "$tmp/gen" "$tmp/data" "$tmp/bb" "$tmp/home" "$tmp/skopeo-tmp" "$tmp/registries.d"
"$bin" < /dev/null > "$tmp/stream.yaml" 2> "$tmp/err"; st=$?
t "add-on alone (empty input) renders" '[ $st = 0 ] && [ -s "$tmp/stream.yaml" ]' "$tmp/err"
cm extract "$tmp/gen" < "$tmp/stream.yaml" 2> "$tmp/err"; st=$?
t "ConfigMap registry-system/registry-config has config.yml and run.sh" '[ $st = 0 ]' "$tmp/err"
[ -s "$tmp/gen/config.yml" ] && [ -s "$tmp/gen/run.sh" ] || finish

# the TLS directory: run.sh's default (config.yml must agree: compare below)
tlsdir=$(sed -n 's/^tls=\${ADDON_TLS_DIR:-\(.*\)}$/\1/p' "$tmp/gen/run.sh")
t "run.sh has a default TLS directory (${tlsdir:-none})" '[ -n "$tlsdir" ]'
tlsre=$(printf '%s' "$tlsdir" | sed 's/[]\.[*^$|]/\\&/g')
P=$(free_port) P2=$(free_port)
while [ "$P2" = "$P" ]; do P2=$(free_port); done
sed -e "s|^\( *rootdirectory: \)[\"']\{0,1\}/var/lib/registry[\"']\{0,1\}\$|\1$tmp/data|" \
    -e "s|^\( *certificate: \)[\"']\{0,1\}$tlsre/tls\.crt[\"']\{0,1\}\$|\1$tmp/tls/tls.crt|" \
    -e "s|^\( *key: \)[\"']\{0,1\}$tlsre/tls\.key[\"']\{0,1\}\$|\1$tmp/tls/tls.key|" \
    -e "s|^\( *addr: \)[\"']\{0,1\}:5000[\"']\{0,1\}\$|\1\"127.0.0.1:$P\"|" \
    -e "s|^\( *addr: \)[\"']\{0,1\}:5001[\"']\{0,1\}\$|\1\"127.0.0.1:$P2\"|" \
    "$tmp/gen/config.yml" > "$tmp/config.yml"
changed=$(diff "$tmp/gen/config.yml" "$tmp/config.yml" | grep -c '^>')
cm compare "$tmp/gen/config.yml" "$tmp/config.yml" "{
	\"storage.filesystem.rootdirectory\": [\"/var/lib/registry\", \"$tmp/data\"],
	\"http.addr\": [\":5000\", \"127.0.0.1:$P\"],
	\"http.debug.addr\": [\":5001\", \"127.0.0.1:$P2\"],
	\"http.tls.certificate\": [\"$tlsdir/tls.crt\", \"$tmp/tls/tls.crt\"],
	\"http.tls.key\": [\"$tlsdir/tls.key\", \"$tmp/tls/tls.key\"]
}" 2> "$tmp/err"; st=$?
t "test config = generated config but for 5 paths/addresses ($changed lines rewritten)" '[ $st = 0 ] && [ "$changed" = 5 ]' "$tmp/err"
cm wiring "$tmp/gen" < "$tmp/stream.yaml" > "$tmp/probes" 2> "$tmp/err"; st=$?
t "the registry container runs run.sh with config, TLS, data and ports where they say" '[ $st = 0 ]' "$tmp/err"
secret=$(cm get "$tmp/gen/config.yml" http.secret 2>&1)
t "config.yml has no http.secret ($secret)" '[ "$secret" = undefined ]'
"$BUSYBOX" sh -n "$tmp/gen/run.sh" 2> "$tmp/err"; st=$?
t "run.sh parses with busybox sh" '[ $st = 0 ]' "$tmp/err"
if command -v dash >/dev/null; then
	dash -n "$tmp/gen/run.sh" 2> "$tmp/err"; st=$?
	t "run.sh parses with dash" '[ $st = 0 ]' "$tmp/err"
fi

# busybox applets only on run.sh's PATH (the registry image is Alpine's)
busybox_path "$BUSYBOX" "$tmp/bb"

# === 2. a throw-away CA, server certificates for 127.0.0.1 and localhost,
# mounted the way the kubelet mounts a Secret (tls.crt -> ..data/tls.crt)
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' > "$tmp/server.ext"
mkca() { # DIR
	mkdir -p "$1" && openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1/ca.key" -out "$1/ca.crt" -days 2 -subj "/CN=registry-test CA $(basename "$1")" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>> "$tmp/openssl.log"
}
mkcert() { # CADIR OUTDIR SERIAL
	mkdir -p "$2" && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$2/tls.key" -out "$2/tls.csr" -subj /CN=localhost 2>> "$tmp/openssl.log" &&
	openssl x509 -req -in "$2/tls.csr" -CA "$1/ca.crt" -CAkey "$1/ca.key" -set_serial "0x$3" \
		-days 1 -extfile "$tmp/server.ext" -out "$2/tls.crt" 2>> "$tmp/openssl.log" && rm "$2/tls.csr"
}
SERIAL1=A11CE1 SERIAL2=B0B002
mkca "$tmp/ca" && mkca "$tmp/wrongca" && mkdir -p "$tmp/tls" &&
	mkcert "$tmp/ca" "$tmp/tls/..cert1" $SERIAL1 && mkcert "$tmp/ca" "$tmp/tls/..cert2" $SERIAL2 &&
	ln -s ..cert1 "$tmp/tls/..data" && ln -s ..data/tls.crt "$tmp/tls/tls.crt" && ln -s ..data/tls.key "$tmp/tls/tls.key" &&
	openssl verify -CAfile "$tmp/ca/ca.crt" "$tmp/tls/tls.crt" > /dev/null 2>> "$tmp/openssl.log"; st=$?
t "openssl: CA and server certificates (IP:127.0.0.1, DNS:localhost)" '[ $st = 0 ]' "$tmp/openssl.log"
mkdir -p "$tmp/certs" "$tmp/wrongcerts"
cp "$tmp/ca/ca.crt" "$tmp/certs/ca.crt"; cp "$tmp/wrongca/ca.crt" "$tmp/wrongcerts/ca.crt"

# as root (CI), run.sh and the registry run as the pod does: runAsUser and
# runAsGroup 1000, fsGroup 1000 (data writable, Secret files 0644 as with the
# default defaultMode 0644, ConfigMap files 0444)
runas=()
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	runas=(setpriv --reuid 1000 --regid 1000 --groups 1000 --inh-caps=-all)
	chmod 755 "$tmp" && chown -R 1000:1000 "$tmp/data" && chmod 444 "$tmp/gen/run.sh" "$tmp/config.yml" &&
		chgrp -R 1000 "$tmp/tls" && chmod 644 "$tmp"/tls/..cert*/tls.*
	note "run.sh and the registry run as uid 1000, gid 1000"
fi

# === 3. Distribution through run.sh, under busybox sh
# start_runsh LOG [VAR=VALUE...]: sets $run (run.sh's pid, its group id too)
start_runsh() {
	local log=$1; shift
	setsid "${runas[@]}" env -i PATH="$tmp/bb" HOME="$tmp/home" ADDON_REGISTRY_BIN="$REGISTRY" ADDON_REGISTRY_CONFIG="$tmp/config.yml" \
		ADDON_TLS_DIR="$tmp/tls" ADDON_CHECK_SECONDS=1 "$@" "$BUSYBOX" sh "$tmp/gen/run.sh" > "$log" 2>&1 < /dev/null &
	run=$!; groups+=("$run")
}
# wait_ready PID SECS: until https://127.0.0.1:$P/v2/ answers 200 (PID alive)
wait_ready() {
	local i=0 code
	while [ $i -lt $(($2 * 10)) ]; do
		exited "$1" && return 1
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$tmp/ca/ca.crt" "https://127.0.0.1:$P/v2/")
		[ "$code" = 200 ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
registry_pid() { kids "$1" | awk -v c="$(basename "$REGISTRY" | cut -c1-15)" '$2 == c { print $1 }'; }
served_serial() {
	timeout 5 openssl s_client -connect "127.0.0.1:$P" -servername localhost -CAfile "$tmp/ca/ca.crt" < /dev/null 2> /dev/null |
		openssl x509 -noout -serial 2> /dev/null | sed 's/^serial=//'
}

start_runsh "$tmp/run0.log" ADDON_TLS_DIR="$tmp/no-such-dir"
wait_exit "$run" 5; st=$?
t "no TLS key: run.sh exits 1 with a message, starts nothing (exit ${rc:-none})" \
	'[ $st = 0 ] && [ "$rc" = 1 ] && grep -q "registry-addon: cannot read" "$tmp/run0.log" && ! grep -q "listening on" "$tmp/run0.log"' "$tmp/run0.log"
t0=$(ms)
start_runsh "$tmp/run1.log"
run1=$run run1_ms=$(ms)
wait_ready "$run1" 15; st=$?
t "run.sh starts the registry: https://127.0.0.1:$P/v2/ answers 200 ($(($(ms) - t0)) ms)" '[ $st = 0 ]' "$tmp/run1.log"
[ $st = 0 ] || finish
reg1=$(registry_pid "$run1")
t "the registry is run.sh's child (pid ${reg1:-none}, \`$(basename "$REGISTRY") serve CONFIG\`)" \
	'[ -n "$reg1" ] && tr "\0" " " < /proc/$reg1/cmdline | grep -q " serve $tmp/config.yml $"' "$tmp/run1.log"
exited "$run1" && { bad "run.sh ended early" "$tmp/run1.log"; finish; }

# === 4. headers, http.secret, debug server
curl -sS --max-time 5 --cacert "$tmp/ca/ca.crt" -D "$tmp/h" -o "$tmp/body" "https://127.0.0.1:$P/v2/" 2> "$tmp/err"
t "http.headers: X-Content-Type-Options: nosniff" 'tr -d "\r" < "$tmp/h" | grep -qix "X-Content-Type-Options: nosniff"' "$tmp/h" "$tmp/err"
t "Distribution API v2 (Docker-Distribution-Api-Version: registry/2.0)" 'tr -d "\r" < "$tmp/h" | grep -qix "Docker-Distribution-Api-Version: registry/2.0"' "$tmp/h"
serial=$(served_serial)
t "served certificate is the mounted one (serial $serial)" '[ "$serial" = $SERIAL1 ]'
curl -s --max-time 5 --cacert "$tmp/wrongca/ca.crt" -o /dev/null "https://127.0.0.1:$P/v2/"; st=$?
t "curl with a wrong CA fails (exit $st)" '[ $st = 60 ]'
want=$(sha256sum "$tmp/tls/tls.key" | cut -d' ' -f1)
got=$(tr '\0' '\n' < "/proc/$reg1/environ" 2> /dev/null | sed -n 's/^REGISTRY_HTTP_SECRET=//p')
t "run.sh exports REGISTRY_HTTP_SECRET = sha256(tls.key)" '[ -n "$got" ] && [ "$got" = "$want" ]'
t "no \"No HTTP secret provided\" warning in the registry log" '! grep -q "No HTTP secret provided" "$tmp/run1.log" && grep -qi "listening on" "$tmp/run1.log"' "$tmp/run1.log"
# control: the same config without run.sh does warn (the grep above means something)
P3=$(free_port) P4=$(free_port)
setsid env -i HOME="$tmp/home" REGISTRY_HTTP_ADDR="127.0.0.1:$P3" REGISTRY_HTTP_DEBUG_ADDR="127.0.0.1:$P4" \
	"$REGISTRY" serve "$tmp/config.yml" > "$tmp/control.log" 2>&1 < /dev/null &
ctl=$!; groups+=("$ctl")
for _ in $(seq 50); do grep -qi "listening on" "$tmp/control.log" && break; exited "$ctl" && break; sleep 0.1; done
kill -TERM "$ctl" 2> /dev/null; wait_exit "$ctl" 5 || kill -KILL "$ctl"
t "control: without run.sh the same config logs \"No HTTP secret provided\"" 'grep -q "No HTTP secret provided" "$tmp/control.log"' "$tmp/control.log"
t "storage.maintenance.uploadpurging is on (\"Starting upload purge\" logged)" 'grep -q "Starting upload purge" "$tmp/run1.log"' "$tmp/run1.log"
grep 'level=warning' "$tmp/run1.log" | sed 's/^.*msg=/# registry warning: /' | sort -u
code=$(curl -s --max-time 5 -o "$tmp/metrics" -w '%{http_code}' "http://127.0.0.1:$P2/metrics")
t "http.debug: /metrics on 127.0.0.1:$P2 (HTTP $code, Prometheus text)" '[ "$code" = 200 ] && grep -q "^# TYPE " "$tmp/metrics"' "$tmp/metrics"
code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P2/debug/pprof/")
note "the debug server also serves /debug/pprof/ (HTTP $code): its port must stay off the network"
code=$(curl -s --max-time 5 -o "$tmp/health" -w '%{http_code}' "http://127.0.0.1:$P2/debug/health")
t "http.debug: /debug/health (HTTP $code: $(head -c 80 "$tmp/health"))" '[ "$code" = 200 ]' "$tmp/health"

# the workload's HTTP probes, against the real registry
while read -r kind port scheme path; do
	case $port in 5000) port=$P ;; 5001) port=$P2 ;; esac
	case $scheme in HTTPS) url=https ;; *) url=http ;; esac
	code=$(curl -s --max-time 5 --cacert "$tmp/ca/ca.crt" -o /dev/null -w '%{http_code}' "$url://127.0.0.1:$port$path")
	t "$kind $scheme $path answers 2xx/3xx (HTTP $code)" '[ "$code" -ge 200 ] && [ "$code" -lt 400 ]'
done < "$tmp/probes"

# === 5. push and pull a hand-made OCI image with skopeo
lay=$tmp/layout
oci_image "$lay" v1 "hello from registry-addon's test"
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$tmp/policy.json"
: > "$tmp/registries.conf"; echo '{}' > "$tmp/auth.json"
sko() {
	timeout 30 env HOME="$tmp/home" REGISTRY_AUTH_FILE="$tmp/auth.json" CONTAINERS_REGISTRIES_CONF="$tmp/registries.conf" \
		skopeo --policy "$tmp/policy.json" --registries.d "$tmp/registries.d" --tmpdir "$tmp/skopeo-tmp" "$@"
}
ref=127.0.0.1:$P/test/demo
t0=$(ms)
sko copy --preserve-digests --digestfile "$tmp/pushed" --dest-cert-dir "$tmp/certs" "oci:$lay:v1" "docker://$ref:v1" > "$tmp/sko.log" 2>&1; st=$?
t "skopeo push oci:LAYOUT:v1 -> docker://$ref:v1 ($(($(ms) - t0)) ms)" '[ $st = 0 ] && [ "$(cat "$tmp/pushed")" = "sha256:$man" ]' "$tmp/sko.log"
t "the blobs are under the rewritten rootdirectory" '[ -d "$tmp/data/docker/registry/v2/repositories/test/demo/_manifests" ] && [ -s "$tmp/data/docker/registry/v2/blobs/sha256/${layer:0:2}/$layer/data" ]'
digest=$(sko inspect --cert-dir "$tmp/certs" --format '{{.Digest}}' "docker://$ref:v1" 2> "$tmp/sko.log")
t "skopeo inspect: digest sha256:${man:0:12}... as pushed" '[ "$digest" = "sha256:$man" ]' "$tmp/sko.log"
t0=$(ms)
sko copy --preserve-digests --src-cert-dir "$tmp/certs" "docker://$ref:v1" "oci:$tmp/out:v1" > "$tmp/sko.log" 2>&1; st=$?
t "skopeo pull docker://$ref:v1 -> oci:OUT:v1 ($(($(ms) - t0)) ms)" '[ $st = 0 ]' "$tmp/sko.log"
t "pulled image: same manifest digest and layer bytes" 'grep -q "\"digest\":\"sha256:$man\"" "$tmp/out/index.json" &&
	cmp -s "$tmp/out/blobs/sha256/$man" "$tmp/manifest.json" && cmp -s "$tmp/out/blobs/sha256/$layer" "$tmp/layer.tar.gz"' "$tmp/out/index.json"
sko copy --dest-cert-dir "$tmp/wrongcerts" "oci:$lay:v1" "docker://$ref:wrong" > "$tmp/sko.log" 2>&1; st=$?
t "skopeo push with a wrong CA fails (x509)" '[ $st != 0 ] && grep -q "x509" "$tmp/sko.log"' "$tmp/sko.log"
code=$(curl -s --max-time 5 --cacert "$tmp/ca/ca.crt" -o "$tmp/body" -w '%{http_code}' -X DELETE "https://127.0.0.1:$P/v2/test/demo/manifests/sha256:$man")
t "storage.delete.enabled: false: DELETE is refused (HTTP $code)" '[ "$code" = 405 ] && grep -q UNSUPPORTED "$tmp/body"' "$tmp/body"
code=$(curl -s --max-time 5 -o "$tmp/metrics" -w '%{http_code}' "http://127.0.0.1:$P2/metrics")
t "/metrics counts the registry's HTTP requests" '[ "$code" = 200 ] && grep -q "^registry_http_requests_total" "$tmp/metrics"' "$tmp/metrics"

# === 6. a new certificate: run.sh stops the registry and exits; started
# again, it serves the new certificate
# at least 3 checks (ADDON_CHECK_SECONDS=1) of the unchanged certificate
while [ $(($(ms) - run1_ms)) -lt 3500 ]; do sleep 0.2; done
t "no spurious restart: same registry pid, run.sh alive for $(($(ms) - run1_ms)) ms (ADDON_CHECK_SECONDS=1)" \
	'! exited "$run1" && [ "$(registry_pid "$run1")" = "$reg1" ]' "$tmp/run1.log"
ln -s ..cert2 "$tmp/tls/..data_tmp" && mv -T "$tmp/tls/..data_tmp" "$tmp/tls/..data"   # the kubelet's atomic swap
t0=$(ms)
wait_exit "$run1" 10; st=$?
t "certificate change: run.sh exits within $(($(ms) - t0)) ms (exit ${rc:-none})" '[ $st = 0 ]' "$tmp/run1.log"
t "certificate change: logged" 'grep -q "registry-addon: the TLS certificate changed" "$tmp/run1.log"' "$tmp/run1.log"
t "certificate change: the registry is stopped with it" '[ ! -e /proc/$reg1 ] && [ -z "$(group_pids "$run1")" ]'
# the default check interval (30 s) here: what run.sh leaves behind on SIGTERM
# would outlive the test's look at it (7.)
start_runsh "$tmp/run2.log" REGISTRY_HTTP_SECRET=a-secret-from-the-user ADDON_CHECK_SECONDS=30
run2=$run
wait_ready "$run2" 15; st=$?
t "started again: answers 200" '[ $st = 0 ]' "$tmp/run2.log"
serial=$(served_serial)
t "started again: serves the new certificate (serial $serial)" '[ "$serial" = $SERIAL2 ]'
reg2=$(registry_pid "$run2")
got=$(tr '\0' '\n' < "/proc/${reg2:-none}/environ" 2> /dev/null | sed -n 's/^REGISTRY_HTTP_SECRET=//p')
t "a REGISTRY_HTTP_SECRET already set is kept" '[ "$got" = a-secret-from-the-user ] && ! grep -q "No HTTP secret provided" "$tmp/run2.log"' "$tmp/run2.log"
digest=$(sko inspect --cert-dir "$tmp/certs" --format '{{.Digest}}' "docker://$ref:v1" 2> "$tmp/sko.log")
t "started again: the image is still there" '[ "$digest" = "sha256:$man" ]' "$tmp/sko.log"

# === 7. SIGTERM to run.sh stops the registry; nothing is left behind
sleep 0.3   # let run.sh be inside its check loop's wait
kill -TERM "$run2"
t0=$(ms)
wait_exit "$run2" 10; st=$?
t "SIGTERM: run.sh exits within $(($(ms) - t0)) ms (exit ${rc:-none})" '[ $st = 0 ] && [ "$rc" = 0 ]' "$tmp/run2.log"
t "SIGTERM: the registry stopped with it" '[ -n "$reg2" ] && [ ! -e /proc/$reg2 ]' "$tmp/run2.log"
left=$(group_pids "$run2" | while read -r p; do echo "$p:$(cat /proc/$p/comm 2>/dev/null)"; done | tr '\n' ' ')
t "SIGTERM: no process of run.sh left (${left:-none})" '[ -z "$left" ]'

finish
