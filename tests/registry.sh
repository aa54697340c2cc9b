#!/usr/bin/env bash
# The real registry accepts what we generate, and the write model holds: takes
# run.sh and the five Distribution configs (mirror.yml, mirror-writer.yml,
# own.yml, own-writer.yml, own-copy.yml) from the registry-config ConfigMap of
# `BIN < /dev/null`, rewrites only paths and listen addresses (to a temp dir
# and 127.0.N.x, shown and compared key by key), and runs Debian's
# Distribution (docker-registry, 2.8.x) THROUGH run.sh under busybox sh with
# only busybox applets on PATH, as in the Alpine-based registry image: `run.sh
# mirror` and `run.sh own` as ordinal 0 (HOSTNAME=registry-0) and ordinal 1
# (HOSTNAME=registry-1). Then, with skopeo and curl:
#   - each run.sh listens exactly where its configs say (nothing on 5001, the
#     metrics container's port; debug server on loopback);
#   - the read-only instances (mirror :5000, own :5443) refuse a push, a
#     manifest PUT/DELETE, a blob upload and a cross-repo mount (405);
#   - the writers accept pushes: the mirror writer's push is readable at once
#     from the read-only mirror (same root); the own writer's is readable from
#     the read-only own instance, NOT from the mirror (separate roots);
#   - ordinal 1 runs own-copy (loopback, plain HTTP) instead of own-writer;
#   - the debug server's /metrics; the metrics CGI (metrics.cgi,
#     --set metrics.namespace=monitoring) under busybox httpd: /cgi-bin/metrics
#     is Prometheus text, /debug/pprof/ is 404;
#   - htpasswd (--set registry.push.htpasswdSecret=x, a bcrypt file from
#     htpasswd -B): the own writer refuses anonymous pushes (401), takes the
#     user's; the read-only own instance still serves anonymous pulls;
#   - run.sh: restarts on a certificate change (ordinal 1 ADDON_RESTART_STAGGER
#     later), exits 1 when one of its instances dies (stopping the other), and
#     leaves no process after SIGTERM.
# Loopback only; no network, no container engine (tests/registry-field.sh runs
# the pod under podman). Distribution 3.x-only keys (validation.manifests.
# indexes in mirror-writer.yml) are parsed but not exercised by 2.8.
#
# usage: tests/registry.sh BIN
#   $REGISTRY: the Distribution binary (default /usr/bin/docker-registry)
#   $BUSYBOX: busybox for run.sh and httpd (default: busybox 1.37 from
#   .cache/fieldlab if tests/fieldlab.sh fetched it, else Debian's)
# Needs (Debian): docker-registry skopeo busybox openssl curl apache2-utils,
# and node with tests/schema/node_modules (tests/schema/setup.sh). As root,
# missing Debian packages are installed (apt-get update, then apt-get install -y).
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
# listening PGID: "a.b.c.d:port" of every TCP socket in LISTEN state held by a process of group
# PGID, sorted
listening() {
	local p fd ino want=" " sl local rem st x1 x2 x3 x4 x5 inode rest h
	for p in $(group_pids "$1"); do
		for fd in /proc/"$p"/fd/*; do
			ino=$(readlink "$fd" 2> /dev/null) || continue
			case $ino in socket:*) ino=${ino#socket:[}; want="$want${ino%]} " ;; esac
		done
	done
	while read -r sl local rem st x1 x2 x3 x4 x5 inode rest; do
		[ "$st" = 0A ] && [ "${want#* $inode }" != "$want" ] || continue
		h=${local%%:*}
		echo "$((16#${h:6:2})).$((16#${h:4:2})).$((16#${h:2:2})).$((16#${h:0:2})):$((16#${local##*:}))"
	done < /proc/net/tcp | sort -u
}
# registry_pids PGID: the Distribution processes of group PGID
registry_pids() {
	local p c=$(basename "$REGISTRY" | cut -c1-15)
	for p in $(group_pids "$1"); do [ "$(cat /proc/"$p"/comm 2> /dev/null)" = "$c" ] && echo "$p"; done
	return 0
}

# --- prerequisites
need=("$REGISTRY":docker-registry skopeo:skopeo busybox:busybox openssl:openssl curl:curl htpasswd:apache2-utils)
missing=$(missing_pkgs "${need[@]}")
[ -n "$missing" ] && [ "$(id -u)" = 0 ] && install_missing "${need[@]}"
[ -f tests/schema/node_modules/yaml/package.json ] || bash tests/schema/setup.sh >&2
command -v node > /dev/null && [ -f tests/schema/node_modules/yaml/package.json ] || missing="$missing node+yaml (tests/schema/setup.sh)"
if [ -n "$missing" ]; then bad "prerequisites (missing: $missing)"; finish; fi
cm() { node tests/registry/configmap.mjs "$@"; }
fl=${FIELDLAB_ROOT:-$PWD/.cache/fieldlab}/busybox-1.37
if [ -z "${BUSYBOX:-}" ]; then
	BUSYBOX=$(command -v busybox)
	[ -f "$fl/.done" ] && [ -x "$fl/usr/bin/busybox" ] && BUSYBOX=$fl/usr/bin/busybox
fi
note "$("$REGISTRY" --version 2>&1 | head -n 1); $(skopeo --version); busybox $("$BUSYBOX" | head -n 1 | cut -d' ' -f2) ($BUSYBOX)"
note "Distribution 2.8: the 3.x-only keys (validation.manifests.indexes of mirror-writer.yml) are parsed, not exercised"
# run.sh runs as uid 1000, which may not reach into the checkout (a clone in a mode-700 mktemp
# directory): a copy in the suite's temp directory
cp "$BUSYBOX" "$tmp/busybox" && chmod 755 "$tmp/busybox" && BUSYBOX=$tmp/busybox

# === 1. the configs and run.sh from the add-on's output
mkdir -p "$tmp/gen" "$tmp/gen-m" "$tmp/gen-a" "$tmp/bb" "$tmp/home" "$tmp/skopeo-tmp" "$tmp/registries.d"
render() { # DIR ARGS...: render, extract registry-config into DIR
	local d=$1; shift
	"$bin" "$@" < /dev/null > "$d.yaml" 2> "$tmp/err" && [ -s "$d.yaml" ] && cm extract "$d" < "$d.yaml" 2>> "$tmp/err"
}
render "$tmp/gen"; st=$?
t "add-on alone (empty input): registry-config has run.sh and the five configs" '[ $st = 0 ]' "$tmp/err"
[ $st = 0 ] || finish
render "$tmp/gen-m" --set metrics.namespace=monitoring; st=$?
t "--set metrics.namespace=monitoring: registry-config has metrics.cgi too" '[ $st = 0 ] && [ -s "$tmp/gen-m/metrics.cgi" ]' "$tmp/err"
render "$tmp/gen-a" --set registry.push.htpasswdSecret=x; st=$?
apath=$(cm get "$tmp/gen-a/own-writer.yml" auth.htpasswd.path 2>&1)
t "--set registry.push.htpasswdSecret=x: own-writer.yml has auth.htpasswd ($apath)" '[ $st = 0 ] && [ "$apath" != undefined ]' "$tmp/err"
for f in mirror.yml mirror-writer.yml own.yml own-copy.yml; do
	a=$(cm get "$tmp/gen-a/$f" auth)
	t "htpasswd: $f stays anonymous (no auth)" '[ "$a" = undefined ] && cmp -s "$tmp/gen/$f" "$tmp/gen-a/$f"'
done
cm wiring "$tmp/gen" < "$tmp/gen.yaml" > "$tmp/probes" 2> "$tmp/err"; st=$?
t "the StatefulSet runs run.sh mirror|own and cache.sh with configs, TLS, data and ports where they say" '[ $st = 0 ]' "$tmp/err"
cm wiring "$tmp/gen-m" < "$tmp/gen-m.yaml" > /dev/null 2> "$tmp/err"; st=$?
t "metrics: busybox httpd serves metrics.cgi as cgi-bin/metrics, which reads mirror.yml's debug address" '[ $st = 0 ]' "$tmp/err"
for f in mirror.yml mirror-writer.yml own.yml own-writer.yml own-copy.yml; do
	secret=$(cm get "$tmp/gen/$f" http.secret 2>&1)
	t "$f has no http.secret ($secret)" '[ "$secret" = undefined ]'
done
# what the write model relies on, read from the generated configs
g() { cm get "$tmp/gen/$1" "$2"; }
t "mirror.yml: read-only, public :5000, TLS, upload purging off" \
	'[ "$(g mirror.yml storage.maintenance.readonly.enabled)" = true ] && [ "$(g mirror.yml http.addr)" = "\":5000\"" ] &&
	 [ "$(g mirror.yml http.tls.certificate)" != undefined ] && [ "$(g mirror.yml storage.maintenance.uploadpurging.enabled)" = false ]'
t "own.yml: read-only, public :5443, TLS, upload purging off" \
	'[ "$(g own.yml storage.maintenance.readonly.enabled)" = true ] && [ "$(g own.yml http.addr)" = "\":5443\"" ] &&
	 [ "$(g own.yml http.tls.certificate)" != undefined ] && [ "$(g own.yml storage.maintenance.uploadpurging.enabled)" = false ]'
t "mirror-writer.yml: writable, loopback 127.0.0.1:5010, plain HTTP, the mirror's root" \
	'[ "$(g mirror-writer.yml storage.maintenance.readonly.enabled)" != true ] && [ "$(g mirror-writer.yml http.addr)" = "\"127.0.0.1:5010\"" ] &&
	 [ "$(g mirror-writer.yml http.tls)" = undefined ] && [ "$(g mirror-writer.yml storage.filesystem.rootdirectory)" = "$(g mirror.yml storage.filesystem.rootdirectory)" ]'
t "own-writer.yml: writable, public :5002, TLS, the own root (not the mirror's)" \
	'[ "$(g own-writer.yml storage.maintenance.readonly.enabled)" != true ] && [ "$(g own-writer.yml http.addr)" = "\":5002\"" ] &&
	 [ "$(g own-writer.yml http.tls.certificate)" != undefined ] && [ "$(g own-writer.yml storage.filesystem.rootdirectory)" = "$(g own.yml storage.filesystem.rootdirectory)" ] &&
	 [ "$(g own.yml storage.filesystem.rootdirectory)" != "$(g mirror.yml storage.filesystem.rootdirectory)" ]'
t "own-copy.yml: writable, loopback 127.0.0.1:5002, plain HTTP, the own root" \
	'[ "$(g own-copy.yml storage.maintenance.readonly.enabled)" != true ] && [ "$(g own-copy.yml http.addr)" = "\"127.0.0.1:5002\"" ] &&
	 [ "$(g own-copy.yml http.tls)" = undefined ] && [ "$(g own-copy.yml storage.filesystem.rootdirectory)" = "$(g own.yml storage.filesystem.rootdirectory)" ]'
# every FILE... has PATH = VALUE (as configmap.mjs get prints it)
each() { local path=$1 value=$2 f; shift 2; for f; do [ "$(g "$f" "$path")" = "$value" ] || return 1; done; }
five="mirror.yml mirror-writer.yml own.yml own-writer.yml own-copy.yml"
caches=$(cd "$tmp/gen" && ls cache-*.yml | sort -V | tr '\n' ' ')
t "debug server: only mirror.yml's, on loopback 127.0.0.1:5011 with Prometheus; none on 5001" \
	'[ "$(g mirror.yml http.debug.addr)" = "\"127.0.0.1:5011\"" ] && [ "$(g mirror.yml http.debug.prometheus.enabled)" = true ] &&
	 each http.debug undefined mirror-writer.yml own.yml own-writer.yml own-copy.yml $caches && ! grep -q ":5001" "$tmp"/gen/*.yml'
t "storage.delete off in all five" 'each storage.delete.enabled false $five'
t "the caches ($caches): one per default upstream, proxy mode in order, :5100+i with TLS, delete on (the scheduler deletes what expires), a root each" \
	'[ "$caches" = "cache-0.yml cache-1.yml cache-2.yml cache-3.yml " ] && each storage.delete.enabled true $caches &&
	 [ "$(for f in $caches; do g $f proxy.remoteurl; done | tr "\n" " ")" = "\"https://registry-1.docker.io\" \"https://ghcr.io\" \"https://quay.io\" \"https://registry.k8s.io\" " ] &&
	 [ "$(for f in $caches; do g $f http.addr; done | tr "\n" " ")" = "\":5100\" \":5101\" \":5102\" \":5103\" " ] &&
	 each proxy.ttl "\"168h\"" $caches && ! each http.tls undefined $caches &&
	 [ "$(for f in $caches; do g $f storage.filesystem.rootdirectory; done | sort -u | wc -l)" = 4 ]'
"$BUSYBOX" sh -n "$tmp/gen/run.sh" 2> "$tmp/err"; st=$?
t "run.sh parses with busybox sh" '[ $st = 0 ]' "$tmp/err"
"$BUSYBOX" sh -n "$tmp/gen/cache.sh" 2> "$tmp/err"; st=$?
t "cache.sh parses with busybox sh" '[ $st = 0 ]' "$tmp/err"
if command -v dash > /dev/null; then
	dash -n "$tmp/gen/run.sh" 2> "$tmp/err"; st=$?
	t "run.sh parses with dash" '[ $st = 0 ]' "$tmp/err"
	dash -n "$tmp/gen/cache.sh" 2> "$tmp/err"; st=$?
	t "cache.sh parses with dash" '[ $st = 0 ]' "$tmp/err"
fi
busybox_path "$BUSYBOX" "$tmp/bb"

# === 2. a throw-away CA; server certificates mounted the way the kubelet mounts a Secret
N=$((RANDOM % 150 + 100))
A0=127.0.$N.10 L0=127.0.$N.11 A1=127.0.$N.20 L1=127.0.$N.21 A2=127.0.$N.30 L2=127.0.$N.31
note "ordinal 0: public $A0, loopback $L0; ordinal 1: $A1, $L1; htpasswd run: $A2, $L2"
printf 'subjectAltName=IP:%s,IP:%s,IP:%s,IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
	"$A0" "$A1" "$A2" > "$tmp/server.ext"
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
mkca "$tmp/ca" && mkdir -p "$tmp/tls" &&
	mkcert "$tmp/ca" "$tmp/tls/..cert1" $SERIAL1 && mkcert "$tmp/ca" "$tmp/tls/..cert2" $SERIAL2 &&
	ln -s ..cert1 "$tmp/tls/..data" && ln -s ..data/tls.crt "$tmp/tls/tls.crt" && ln -s ..data/tls.key "$tmp/tls/tls.key" &&
	openssl verify -CAfile "$tmp/ca/ca.crt" "$tmp/tls/tls.crt" > /dev/null 2>> "$tmp/openssl.log"; st=$?
t "openssl: CA and server certificates (IP:$A0, $A1, $A2)" '[ $st = 0 ]' "$tmp/openssl.log"
mkdir -p "$tmp/certs"; cp "$tmp/ca/ca.crt" "$tmp/certs/ca.crt"

# === 3. the visible rewrite: per ordinal, a config dir whose five configs differ from the
# generated ones only in rootdirectory (-> $tmp/dataK), the TLS files (-> $tmp/tls), the
# htpasswd file, and listen hosts (":P" -> AK:P, "127.0.0.1:P" -> LK:P; ports unchanged)
tlsdir=$(sed -n 's/^tls=\${ADDON_TLS_DIR:-\(.*\)}$/\1/p' "$tmp/gen/run.sh")
rewrite() { # SRCDIR DSTDIR ORDINAL-TAG PUBLIC LOOPBACK
	local src=$1 dst=$2 k=$3 A=$4 L=$5 f root addr new json
	mkdir -p "$dst" "$tmp/data$k"
	cp "$src/run.sh" "$dst/run.sh"
	for f in mirror.yml mirror-writer.yml own.yml own-writer.yml own-copy.yml; do
		root=$(cm get "$src/$f" storage.filesystem.rootdirectory | tr -d '"')
		addr=$(cm get "$src/$f" http.addr | tr -d '"')
		case $addr in :*) new=$A$addr ;; 127.0.0.1:*) new=$L:${addr#127.0.0.1:} ;; *) new=$addr ;; esac
		sed -e "s|^\( *rootdirectory: \)$root\$|\1$tmp/data$k/${root##*/}|" \
			-e "s|^\( *certificate: \)$tlsdir/tls\.crt\$|\1$tmp/tls/tls.crt|" \
			-e "s|^\( *key: \)$tlsdir/tls\.key\$|\1$tmp/tls/tls.key|" \
			-e "s|^\( *path: \)/etc/registry-auth/htpasswd\$|\1$tmp/auth/htpasswd|" \
			-e "s|^\(  addr: \)$addr\$|\1\"$new\"|" \
			-e "s|^\(    addr: \)127\.0\.0\.1:5011\$|\1\"$L:5011\"|" "$src/$f" > "$dst/$f"
		json="{\"storage.filesystem.rootdirectory\": [\"$root\", \"$tmp/data$k/${root##*/}\"], \"http.addr\": [\"$addr\", \"$new\"]"
		[ "$(cm get "$src/$f" http.tls)" != undefined ] && json="$json, \"http.tls.certificate\": [\"$tlsdir/tls.crt\", \"$tmp/tls/tls.crt\"], \"http.tls.key\": [\"$tlsdir/tls.key\", \"$tmp/tls/tls.key\"]"
		[ "$(cm get "$src/$f" http.debug.addr)" != undefined ] && json="$json, \"http.debug.addr\": [\"127.0.0.1:5011\", \"$L:5011\"]"
		[ "$(cm get "$src/$f" auth.htpasswd.path)" != undefined ] && json="$json, \"auth.htpasswd.path\": [\"/etc/registry-auth/htpasswd\", \"$tmp/auth/htpasswd\"]"
		cm compare "$src/$f" "$dst/$f" "$json}" 2> "$tmp/err"; st=$?
		t "ordinal $k $f: only paths and listen hosts rewritten ($(diff "$src/$f" "$dst/$f" | grep -c '^>') lines; $addr -> $new)" '[ $st = 0 ]' "$tmp/err"
	done
}
rewrite "$tmp/gen" "$tmp/cfg0" 0 "$A0" "$L0"
rewrite "$tmp/gen" "$tmp/cfg1" 1 "$A1" "$L1"
rewrite "$tmp/gen-a" "$tmp/cfg2" 2 "$A2" "$L2"
mkdir -p "$tmp/auth"
htpasswd -B -b -c "$tmp/auth/htpasswd" pusher 's3cret-Pw' 2> "$tmp/err"; st=$?
bcrypt='pusher:$2y$'
t "htpasswd -B: a bcrypt file for user pusher" '[ $st = 0 ] && grep -qF -- "$bcrypt" "$tmp/auth/htpasswd"' "$tmp/err"

# as root (CI), run.sh and the registry run as the pod does: runAsUser and runAsGroup 1000
runas=()
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	runas=(setpriv --reuid 1000 --regid 1000 --groups 1000 --inh-caps=-all)
	chmod 755 "$tmp" && chown -R 1000:1000 "$tmp"/data? && chmod 444 "$tmp"/cfg?/* &&
		chgrp -R 1000 "$tmp/tls" "$tmp/auth" && chmod 644 "$tmp"/tls/..cert*/tls.* "$tmp/auth/htpasswd"
	note "run.sh and the registry run as uid 1000, gid 1000"
fi

# === 4. run.sh mirror|own for ordinals 0 and 1, under busybox sh
# start_runsh LOG ORDINAL ROLE [VAR=VALUE...]: sets $run (run.sh's pid, its group id too)
start_runsh() {
	local log=$1 k=$2 role=$3 ord=$2; shift 3
	[ "$k" = 2 ] && ord=0   # cfg2: ordinal 0 with htpasswd
	setsid "${runas[@]}" env -i PATH="$tmp/bb" HOME="$tmp/home" HOSTNAME="registry-$ord" ADDON_REGISTRY_BIN="$REGISTRY" \
		ADDON_CONFIG_DIR="$tmp/cfg$k" ADDON_TLS_DIR="$tmp/tls" ADDON_CHECK_SECONDS=1 ADDON_RESTART_STAGGER=2 "$@" \
		"$BUSYBOX" sh "$tmp/cfg$k/run.sh" "$role" > "$log" 2>&1 < /dev/null &
	run=$!; groups+=("$run")
}
# code URL [CURL-ARGS]: the HTTP status (000: no answer)
code() { local u=$1; shift; curl -s -o "$tmp/body" -w '%{http_code}' --max-time 5 --cacert "$tmp/ca/ca.crt" "$@" "$u"; }
# wait_up PID URL...: until every URL answers 200 or 401 (PID alive), 15 s at most
wait_up() {
	local pid=$1 i=0 u c ok; shift
	while [ $i -lt 150 ]; do
		exited "$pid" && return 1
		ok=1; for u in "$@"; do c=$(code "$u"); [ "$c" = 200 ] || [ "$c" = 401 ] || ok=0; done
		[ $ok = 1 ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

start_runsh "$tmp/bad.log" 0 mirror ADDON_TLS_DIR="$tmp/no-such-dir"
wait_exit "$run" 5; st=$?
t "no TLS key: run.sh exits 1 with a message, starts nothing (exit ${rc:-none})" \
	'[ $st = 0 ] && [ "$rc" = 1 ] && grep -q "registry-addon: cannot read" "$tmp/bad.log" && ! grep -qi "listening on" "$tmp/bad.log"' "$tmp/bad.log"
start_runsh "$tmp/x.log" 0 both; wait_exit "$run" 5; st=$?
t "run.sh with a role other than mirror|own: usage, exit 2" '[ $st = 0 ] && [ "$rc" = 2 ] && grep -q usage "$tmp/x.log"' "$tmp/x.log"

t0=$(ms)
start_runsh "$tmp/m0.log" 0 mirror; m0=$run m0_ms=$(ms)
start_runsh "$tmp/o0.log" 0 own; o0=$run
start_runsh "$tmp/m1.log" 1 mirror; m1=$run
start_runsh "$tmp/o1.log" 1 own; o1=$run
wait_up "$m0" "https://$A0:5000/v2/" "http://$L0:5010/v2/" "http://$L0:5011/debug/health"; st=$?
t "ordinal 0 mirror: https://$A0:5000 and http://$L0:5010 answer ($(($(ms) - t0)) ms)" '[ $st = 0 ]' "$tmp/m0.log"
wait_up "$o0" "https://$A0:5443/v2/" "https://$A0:5002/v2/"; st=$?
t "ordinal 0 own: https://$A0:5443 and https://$A0:5002 (own-writer) answer" '[ $st = 0 ]' "$tmp/o0.log"
wait_up "$m1" "https://$A1:5000/v2/" "http://$L1:5010/v2/"; st=$?
t "ordinal 1 mirror: https://$A1:5000 and http://$L1:5010 answer" '[ $st = 0 ]' "$tmp/m1.log"
wait_up "$o1" "https://$A1:5443/v2/" "http://$L1:5002/v2/"; st=$?
t "ordinal 1 own: https://$A1:5443 and http://$L1:5002 (own-copy, plain HTTP on loopback) answer" '[ $st = 0 ]' "$tmp/o1.log"
t "ordinal 1 own: run.sh logs that it serves a read-only copy" 'grep -q "ordinal 1 serves a read-only copy" "$tmp/o1.log"' "$tmp/o1.log"
c=$(code "https://$L1:5002/v2/"); t "ordinal 1 own-copy does not speak TLS (https: $c)" '[ "$c" = 000 ]'
for g in m0 o0 m1 o1; do exited "${!g}" && { bad "run.sh $g ended early" "$tmp/$g.log"; finish; }; done

# === 5. listening sockets: exactly what the configs say; nothing on 5001
sleep 0.3
t "ordinal 0 mirror listens on $A0:5000, $L0:5010, $L0:5011 only" '[ "$(listening "$m0" | tr "\n" " ")" = "$A0:5000 $L0:5010 $L0:5011 " ]'
t "ordinal 1 mirror listens on $A1:5000, $L1:5010, $L1:5011 only" '[ "$(listening "$m1" | tr "\n" " ")" = "$A1:5000 $L1:5010 $L1:5011 " ]'
t "ordinal 0 own listens on $A0:5002, $A0:5443 only" '[ "$(listening "$o0" | tr "\n" " ")" = "$A0:5002 $A0:5443 " ]'
t "ordinal 1 own listens on $A1:5443, $L1:5002 (own-copy) only" '[ "$(listening "$o1" | tr "\n" " ")" = "$A1:5443 $L1:5002 " ]'
t "nothing of the registry containers listens on port 5001 (the metrics container's)" \
	'! { listening "$m0"; listening "$o0"; listening "$m1"; listening "$o1"; } | grep -q ":5001$"'
t "two Distribution processes per run.sh" \
	'for g in $m0 $o0 $m1 $o1; do [ "$(registry_pids "$g" | wc -l)" = 2 ] || exit 1; done'
want=$(sha256sum "$tmp/tls/tls.key" | cut -d' ' -f1) ok=1
for p in $(registry_pids "$m0") $(registry_pids "$o1"); do
	[ "$(tr '\0' '\n' < "/proc/$p/environ" 2> /dev/null | sed -n 's/^REGISTRY_HTTP_SECRET=//p')" = "$want" ] || ok=0
done
t "run.sh exports REGISTRY_HTTP_SECRET = sha256(tls.key) to both instances" '[ $ok = 1 ] && ! grep -q "No HTTP secret provided" "$tmp/m0.log" "$tmp/o1.log"'
curl -sS --max-time 5 --cacert "$tmp/ca/ca.crt" -D "$tmp/h" -o /dev/null "https://$A0:5000/v2/" 2> "$tmp/err"
t "http.headers: X-Content-Type-Options: nosniff" 'tr -d "\r" < "$tmp/h" | grep -qix "X-Content-Type-Options: nosniff"' "$tmp/h"
while read -r ctr kind port scheme path; do
	case $scheme in HTTPS) url=https ;; *) url=http ;; esac
	c=$(code "$url://$A0:$port$path")
	t "$ctr $kind $scheme :$port$path answers 2xx/3xx (HTTP $c)" '[ "$c" -ge 200 ] && [ "$c" -lt 400 ]'
done < "$tmp/probes"

# === 6. pushes: read-only refusals, writers, shared and separate roots
oci_image "$tmp/lay" v1 "hello from registry-addon's test"
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$tmp/policy.json"
: > "$tmp/registries.conf"; echo '{}' > "$tmp/auth.json"
sko() {
	timeout 30 env HOME="$tmp/home" REGISTRY_AUTH_FILE="$tmp/auth.json" CONTAINERS_REGISTRIES_CONF="$tmp/registries.conf" \
		skopeo --policy "$tmp/policy.json" --registries.d "$tmp/registries.d" --tmpdir "$tmp/skopeo-tmp" "$@"
}
push() { # HOST:PORT REPO [tls|plain] [SKOPEO-ARGS]: push the test image as REPO:v1
	local dst=$1 repo=$2 how=${3:-tls}; shift 3
	if [ "$how" = plain ]; then set -- --dest-tls-verify=false "$@"; else set -- --dest-cert-dir "$tmp/certs" "$@"; fi
	sko copy --preserve-digests "$@" "oci:$tmp/lay:v1" "docker://$dst/$repo:v1" > "$tmp/sko.log" 2>&1
}
digest() { # HOST:PORT REPO [tls|plain]
	local how=${3:-tls} a=(--cert-dir "$tmp/certs")
	[ "$how" = plain ] && a=(--tls-verify=false)
	sko inspect "${a[@]}" --format '{{.Digest}}' "docker://$1/$2:v1" 2> "$tmp/sko.log"
}
for ro in "$A0:5000" "$A0:5443" "$A1:5000" "$A1:5443"; do
	push "$ro" test/refused tls; st=$?
	t "read-only $ro: skopeo push fails" '[ $st != 0 ]' "$tmp/sko.log"
done
# the image, pushed to a writer, for the raw requests below
push "$L0:5010" docker.io/library/demo plain; st=$?
t "mirror writer http://$L0:5010: skopeo push accepted" '[ $st = 0 ]' "$tmp/sko.log"
d=$(digest "$A0:5000" docker.io/library/demo)
t "the push is readable at once from the read-only mirror https://$A0:5000 (same root; $d)" '[ "$d" = "sha256:$man" ]' "$tmp/sko.log"
d=$(digest "$A0:5443" docker.io/library/demo)
t "... and not from the read-only own images https://$A0:5443 (separate root)" '[ -z "$d" ]'
for ro in "$A0:5000" "$A0:5443"; do
	base=https://$ro/v2
	c=$(code "$base/x/blobs/uploads/" -X POST); t "read-only $ro: POST blob upload -> 405 (HTTP $c)" '[ "$c" = 405 ]' "$tmp/body"
	c=$(code "$base/x/blobs/uploads/?mount=sha256:$layer&from=docker.io/library/demo" -X POST)
	t "read-only $ro: cross-repo mount -> 405 (HTTP $c)" '[ "$c" = 405 ]' "$tmp/body"
	c=$(code "$base/x/manifests/v1" -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$tmp/manifest.json")
	t "read-only $ro: manifest PUT -> 405 (HTTP $c)" '[ "$c" = 405 ]' "$tmp/body"
	c=$(code "$base/docker.io/library/demo/manifests/sha256:$man" -X DELETE)
	t "read-only $ro: manifest DELETE by digest -> 405 (HTTP $c)" '[ "$c" = 405 ]' "$tmp/body"
	c=$(code "$base/docker.io/library/demo/manifests/v1" -X DELETE)
	t "read-only $ro: manifest DELETE by tag -> 405 (HTTP $c)" '[ "$c" = 405 ]' "$tmp/body"
	c=$(code "$base/docker.io/library/demo/blobs/sha256:$layer" -X DELETE)
	t "read-only $ro: blob DELETE -> 405 (HTTP $c)" '[ "$c" = 405 ]' "$tmp/body"
done
d=$(digest "$A0:5000" docker.io/library/demo)
t "after the refusals the mirror still serves the image" '[ "$d" = "sha256:$man" ]' "$tmp/sko.log"
c=$(code "http://$L0:5010/v2/docker.io/library/demo/manifests/sha256:$man" -X DELETE)
t "mirror writer: DELETE refused too (storage.delete off: 405 UNSUPPORTED, HTTP $c)" '[ "$c" = 405 ] && grep -q UNSUPPORTED "$tmp/body"' "$tmp/body"
push "$A0:5002" team/app tls; st=$?
t "own writer https://$A0:5002: skopeo push accepted" '[ $st = 0 ]' "$tmp/sko.log"
d=$(digest "$A0:5443" team/app)
t "the push is readable at once from the read-only own instance https://$A0:5443 ($d)" '[ "$d" = "sha256:$man" ]' "$tmp/sko.log"
d=$(digest "$A0:5000" team/app)
t "... and NOT from the read-only mirror https://$A0:5000 (separate roots)" '[ -z "$d" ]'
t "the blobs are under the rewritten roots ($tmp/data0/{mirror,own})" \
	'[ -d "$tmp/data0/mirror/docker/registry/v2/repositories/docker.io/library/demo/_manifests" ] &&
	 [ -d "$tmp/data0/own/docker/registry/v2/repositories/team/app/_manifests" ] && [ ! -e "$tmp/data0/own/docker/registry/v2/repositories/docker.io" ]'
sko copy --preserve-digests --src-cert-dir "$tmp/certs" "docker://$A0:5443/team/app:v1" "oci:$tmp/out:v1" > "$tmp/sko.log" 2>&1; st=$?
t "pull from the own instance: same manifest and layer bytes" '[ $st = 0 ] && cmp -s "$tmp/out/blobs/sha256/$man" "$tmp/manifest.json" &&
	cmp -s "$tmp/out/blobs/sha256/$layer" "$tmp/layer.tar.gz"' "$tmp/sko.log"
# ordinal 1: the one-way copies land in its loopback writers (regsync's part is tests/registry-field.sh's)
push "$L1:5002" team/app plain; st=$?
d=$(digest "$A1:5443" team/app)
t "ordinal 1: a copy written to own-copy http://$L1:5002 is served by https://$A1:5443" '[ $st = 0 ] && [ "$d" = "sha256:$man" ]' "$tmp/sko.log"
d=$(digest "$A0:5443" team/app) d1=$(digest "$A1:5000" docker.io/library/demo)
t "ordinal 1 has its own roots: ordinal 0's mirror image is not in ordinal 1's mirror" '[ -z "$d1" ]'

# === 7. the debug server and the metrics CGI
c=$(code "http://$L0:5011/metrics")
t "debug server http://$L0:5011/metrics (127.0.0.1:5011 in mirror.yml): Prometheus text (HTTP $c)" \
	'[ "$c" = 200 ] && grep -q "^# TYPE " "$tmp/body" && grep -q "^registry_http_requests_total" "$tmp/body"' "$tmp/body"
c=$(code "http://$L0:5011/debug/pprof/")
note "the debug server itself also serves /debug/pprof/ (HTTP $c): it stays on loopback"
mkdir -p "$tmp/www/cgi-bin"
sed "s|http://127\.0\.0\.1:5011/metrics|http://$L0:5011/metrics|" "$tmp/gen-m/metrics.cgi" > "$tmp/www/cgi-bin/metrics"
chmod 555 "$tmp/www/cgi-bin/metrics"
t "metrics.cgi: only its debug URL rewritten (127.0.0.1:5011 -> $L0:5011)" \
	'[ "$(diff "$tmp/gen-m/metrics.cgi" "$tmp/www/cgi-bin/metrics" | grep -c "^>")" = 1 ]'
"$BUSYBOX" sh -n "$tmp/www/cgi-bin/metrics" 2> "$tmp/err"; st=$?
t "metrics.cgi parses with busybox sh" '[ $st = 0 ]' "$tmp/err"
HP=$(free_port)
setsid "${runas[@]}" env -i PATH="$tmp/bb" "$BUSYBOX" httpd -f -p "127.0.0.1:$HP" -h "$tmp/www" > "$tmp/httpd.log" 2>&1 < /dev/null &
hd=$!; groups+=("$hd")
for _ in $(seq 50); do [ "$(code "http://127.0.0.1:$HP/cgi-bin/metrics")" = 200 ] && break; sleep 0.1; done
c=$(curl -s --max-time 5 -D "$tmp/h" -o "$tmp/cgi" -w '%{http_code}' "http://127.0.0.1:$HP/cgi-bin/metrics")
t "busybox httpd /cgi-bin/metrics: Prometheus text from the real debug server (HTTP $c)" \
	'[ "$c" = 200 ] && tr -d "\r" < "$tmp/h" | grep -qi "^Content-Type: text/plain; version=0.0.4" && grep -q "^# TYPE registry_" "$tmp/cgi"' "$tmp/h" "$tmp/cgi"
for p in /debug/pprof/ /debug/vars /metrics /; do
	c=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP$p")
	t "busybox httpd $p: 404 (only /cgi-bin/metrics; HTTP $c)" '[ "$c" = 404 ]'
done
kill -TERM "$hd" 2> /dev/null; wait_exit "$hd" 5 || kill -KILL "$hd"

# === 8. htpasswd: the own writer wants the user; the read-only copies stay anonymous
start_runsh "$tmp/o2.log" 2 own; o2=$run
wait_up "$o2" "https://$A2:5443/v2/" "https://$A2:5002/v2/"; st=$?
t "htpasswd: own (registry-0) answers on https://$A2:5443 and :5002" '[ $st = 0 ]' "$tmp/o2.log"
c=$(code "https://$A2:5002/v2/team/app/blobs/uploads/" -X POST -D "$tmp/h")
t "htpasswd: anonymous blob upload to the own writer -> 401 Basic (HTTP $c)" '[ "$c" = 401 ] && tr -d "\r" < "$tmp/h" | grep -qi "^Www-Authenticate: Basic"' "$tmp/h"
push "$A2:5002" team/app tls; st=$?
t "htpasswd: anonymous skopeo push refused" '[ $st != 0 ]' "$tmp/sko.log"
push "$A2:5002" team/app tls --dest-creds pusher:wrong; st=$?
t "htpasswd: a wrong password refused" '[ $st != 0 ]' "$tmp/sko.log"
push "$A2:5002" team/app tls --dest-creds 'pusher:s3cret-Pw'; st=$?
t "htpasswd: the user's push accepted" '[ $st = 0 ]' "$tmp/sko.log"
d=$(digest "$A2:5443" team/app)
t "htpasswd: the read-only own instance serves it to anonymous pulls" '[ "$d" = "sha256:$man" ]' "$tmp/sko.log"
kill -TERM "$o2"; wait_exit "$o2" 10

# === 9. one instance dies: run.sh stops the other and exits 1
w=$(registry_pids "$m1" | tail -n 1)
kill -KILL "$w" 2> /dev/null
t0=$(ms)
wait_exit "$m1" 10; st=$?
t "an instance killed: run.sh exits 1 within $(($(ms) - t0)) ms (exit ${rc:-none})" '[ $st = 0 ] && [ "$rc" = 1 ]' "$tmp/m1.log"
t "an instance killed: logged, the other stopped, nothing left" \
	'grep -q "registry-addon: a Distribution instance (mirror) ended" "$tmp/m1.log" && [ -z "$(group_pids "$m1")" ]' "$tmp/m1.log"

# === 10. a new certificate: every run.sh stops its pair and exits 0, ordinal 1 later
while [ $(($(ms) - m0_ms)) -lt 3500 ]; do sleep 0.2; done
pids0=$(registry_pids "$m0" | sort | tr '\n' ' ')
t "no spurious restart: run.sh alive for $(($(ms) - m0_ms)) ms, same instances (ADDON_CHECK_SECONDS=1)" \
	'! exited "$m0" && [ "$(registry_pids "$m0" | sort | tr "\n" " ")" = "$pids0" ]' "$tmp/m0.log"
ln -s ..cert2 "$tmp/tls/..data_tmp" && mv -T "$tmp/tls/..data_tmp" "$tmp/tls/..data"   # the kubelet's atomic swap
t0=$(ms)
wait_exit "$m0" 10; st=$? rc0=$rc e0=$(($(ms) - t0))
wait_exit "$o1" 15; st1=$? rc1=$rc e1=$(($(ms) - t0))
t "certificate change: ordinal 0 run.sh exits 0 within $e0 ms" '[ $st = 0 ] && [ "$rc0" = 0 ]' "$tmp/m0.log"
t "certificate change: ordinal 1 exits 0 after ADDON_RESTART_STAGGER (2 s x 1; $e1 ms)" '[ $st1 = 0 ] && [ "$rc1" = 0 ] && [ $e1 -ge 2000 ]' "$tmp/o1.log"
t "certificate change: logged, both instances stopped" \
	'grep -q "registry-addon: the TLS certificate changed" "$tmp/m0.log" && [ -z "$(group_pids "$m0")" ] && [ -z "$(group_pids "$o1")" ]' "$tmp/m0.log"
wait_exit "$o0" 10
start_runsh "$tmp/m0b.log" 0 mirror REGISTRY_HTTP_SECRET=a-secret-from-the-user ADDON_CHECK_SECONDS=30; m0b=$run
wait_up "$m0b" "https://$A0:5000/v2/" "http://$L0:5010/v2/"; st=$?
serial=$(timeout 5 openssl s_client -connect "$A0:5000" -servername localhost -CAfile "$tmp/ca/ca.crt" < /dev/null 2> /dev/null |
	openssl x509 -noout -serial 2> /dev/null | sed 's/^serial=//')
t "started again: serves the new certificate (serial $serial)" '[ $st = 0 ] && [ "$serial" = $SERIAL2 ]' "$tmp/m0b.log"
ok=1; for p in $(registry_pids "$m0b"); do
	[ "$(tr '\0' '\n' < "/proc/$p/environ" | sed -n 's/^REGISTRY_HTTP_SECRET=//p')" = a-secret-from-the-user ] || ok=0
done
t "a REGISTRY_HTTP_SECRET already set is kept" '[ $ok = 1 ]'
d=$(digest "$A0:5000" docker.io/library/demo)
t "started again: the mirrored image is still there" '[ "$d" = "sha256:$man" ]' "$tmp/sko.log"

# === 11. SIGTERM: run.sh stops both instances; nothing is left behind
sleep 0.3
pids=$(registry_pids "$m0b" | tr '\n' ' ')
kill -TERM "$m0b"
t0=$(ms)
wait_exit "$m0b" 10; st=$?
t "SIGTERM: run.sh exits 0 within $(($(ms) - t0)) ms (exit ${rc:-none})" '[ $st = 0 ] && [ "$rc" = 0 ]' "$tmp/m0b.log"
left=$(group_pids "$m0b" | while read -r p; do echo "$p:$(cat /proc/$p/comm 2> /dev/null)"; done | tr '\n' ' ')
t "SIGTERM: both instances ($pids) stopped, no process of run.sh left (${left:-none})" '[ -n "$pids" ] && [ -z "$left" ]'

finish
