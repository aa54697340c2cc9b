#!/usr/bin/env bash
# tests/cachesh.sh - src/pod/cache.sh, the cache container's entrypoint, as BIN ships it (ConfigMap
# registry-config), under busybox sh with only busybox applets on PATH. ADDON_REGISTRY_BIN is a
# stand-in for Distribution that records each start (its config and the proxy user it was given)
# and stop, and exits at once for the configs listed in $tmp/failing, as Distribution does when it
# cannot reach its upstream at start (tests/cache-field.sh runs the real one). What is tested is the
# script: one instance per cache-<i>.yml, credentials for instance i only from its directory, an
# instance that ends started again after its backoff while the others keep running, every cache
# stopped when the volume is full and started again below the resume mark or after the retry time,
# one that does not listen after the grace time started again,
# the restart on a certificate change, SIGTERM leaving nothing.
# usage: bash tests/cachesh.sh BIN
# shellcheck disable=SC2016  # t evals its single-quoted conditions
set -u
export LC_ALL=C
bin=${1:?usage: tests/cachesh.sh BIN}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
cd "$(dirname "$0")/.." || exit 2
SUITE=cachesh
. tests/lib.sh
BB=$(command -v busybox) || { bad "prerequisites: busybox"; finish; }
[ -f tests/schema/node_modules/yaml/package.json ] || bash tests/schema/setup.sh >&2

mkdir -p "$tmp/cfg" "$tmp/bin" "$tmp/tls" "$tmp/auth/0" "$tmp/data"
"$bin" < /dev/null > "$tmp/out.yaml" 2> "$tmp/err"
cm_files "$tmp/out.yaml" registry-config "$tmp/cfg" 2>> "$tmp/err"
t "BIN's ConfigMap registry-config has cache.sh and cache-0.yml to cache-3.yml (the default upstreams)" \
	'[ -s "$tmp/cfg/cache.sh" ] && [ "$(cd "$tmp/cfg" && ls cache-*.yml | tr "\n" " ")" = "cache-0.yml cache-1.yml cache-2.yml cache-3.yml " ]' "$tmp/err"
for a in $("$BB" --list); do ln -sf "$BB" "$tmp/bin/$a"; done
# the stand-in: logs "start CONFIG USER" and, on TERM, "stop CONFIG"; exits 1 at once for a config
# listed in $tmp/failing; listens (busybox httpd) on the port of a config listed in $tmp/listening
cat > "$tmp/registry" <<-EOS
	#!$BB sh
	c=\${2##*/} h=
	echo "start \$c \${REGISTRY_PROXY_USERNAME:--}:\${REGISTRY_PROXY_PASSWORD:--}" >> "$tmp/registry.log"
	grep -qx "\$c" "$tmp/failing" 2> /dev/null && exit 1
	if grep -qx "\$c" "$tmp/listening" 2> /dev/null; then
		httpd -f -p "127.0.0.1:\$(sed -n 's/^  addr: .*:\([0-9]*\)\$/\1/p' "\$2")" -h "$tmp/www" & h=\$!
	fi
	trap 'kill \$h 2> /dev/null; echo "stop \$c" >> "$tmp/registry.log"; exit 0' TERM
	while :; do sleep 1; done
EOS
mkdir -p "$tmp/www"
chmod +x "$tmp/registry"
printf 'CERT ONE\n' > "$tmp/tls/tls.crt"; printf 'KEY\n' > "$tmp/tls/tls.key"
printf 'hub-user\n' > "$tmp/auth/0/username"; printf 'hub-pass\n' > "$tmp/auth/0/password"
echo 40 > "$tmp/usage"

# run [VAR=value...]: cache.sh in the background as the pod runs it (registry-0); $pid
run() {
	: > "$tmp/registry.log"
	env -i PATH="$tmp/bin" HOSTNAME=registry-0 ADDON_CONFIG_DIR="$tmp/cfg" ADDON_TLS_DIR="$tmp/tls" \
		ADDON_CACHE_AUTH="$tmp/auth" ADDON_DATA_DIR="$tmp/data" ADDON_REGISTRY_BIN="$tmp/registry" \
		ADDON_CHECK_SECONDS=1 ADDON_CACHE_BACKOFF=1 ADDON_USAGE="cat $tmp/usage" "$@" \
		"$BB" sh "$tmp/cfg/cache.sh" 2> "$tmp/cache.log" &
	pid=$!
}
waitfor() { local i; for ((i = 0; i < $1 * 10; i++)); do eval "$2" && return 0; sleep 0.1; done; return 1; }
starts() { grep -c "^start $1 " "$tmp/registry.log"; }
once_each() { local i; for i in 0 1 2 3; do [ "$(starts cache-$i.yml)" = 1 ] || return 1; done; }
running() { [ "$(grep -c "^start cache-$1" "$tmp/registry.log")" -gt "$(grep -c "^stop cache-$1" "$tmp/registry.log")" ]; }
stop_it() { kill -TERM "$pid" 2> /dev/null; waitfor 10 '! kill -0 $pid 2> /dev/null'; wait "$pid"; st=$?; }
left() { pgrep -f "$tmp/registry" > /dev/null; }

run
waitfor 5 '[ "$(grep -c ^start "$tmp/registry.log")" = 4 ]'
t "one instance per cache-<i>.yml, each started once" \
	'once_each' "$tmp/registry.log" "$tmp/cache.log"
t "instance 0 logs in with its Secret's username and password; the others anonymously" \
	'grep -qx "start cache-0.yml hub-user:hub-pass" "$tmp/registry.log" && grep -qx "start cache-1.yml -:-" "$tmp/registry.log"' "$tmp/registry.log"
stop_it
t "SIGTERM: cache.sh stops every instance and exits 0, nothing left" \
	'[ $st = 0 ] && [ "$(grep -c ^stop "$tmp/registry.log")" = 4 ] && ! left' "$tmp/registry.log" "$tmp/cache.log"

# an upstream that cannot be reached at start: that instance alone, again and again, with backoff
echo cache-2.yml > "$tmp/failing"
run
waitfor 10 '[ "$(starts cache-2.yml)" -ge 3 ]'
t "an instance that ends is started again (backoff 1 s, doubling) while the others keep running" \
	'[ "$(starts cache-2.yml)" -ge 3 ] && [ "$(starts cache-0.yml)" = 1 ] && [ "$(starts cache-3.yml)" = 1 ] && running 0 && running 3' \
	"$tmp/registry.log" "$tmp/cache.log"
t "its end is logged with what nodes do meanwhile" \
	'grep -q "cache-2.yml ended; nodes fall through to its upstream; starting it again in 1s" "$tmp/cache.log" &&
	 grep -q "starting it again in 2s" "$tmp/cache.log"' "$tmp/cache.log"
stop_it
rm -f "$tmp/failing"

# the volume fills up: every cache stops (nodes fall through), and starts below the resume mark
run
waitfor 5 '[ "$(grep -c ^start "$tmp/registry.log")" = 4 ]'
echo 93 > "$tmp/usage"
waitfor 5 '[ "$(grep -c ^stop "$tmp/registry.log")" = 4 ]'
t "at 93% (full: 90%) every cache is stopped, and it is said why" \
	'[ "$(grep -c ^stop "$tmp/registry.log")" = 4 ] && grep -q "the volume is 93% full (at most 90%): every cache stopped" "$tmp/cache.log" && kill -0 $pid' \
	"$tmp/registry.log" "$tmp/cache.log"
echo 85 > "$tmp/usage"; sleep 3
t "at 85% (resume: 80%) they stay stopped" '[ "$(grep -c ^start "$tmp/registry.log")" = 4 ]' "$tmp/registry.log"
echo 70 > "$tmp/usage"
waitfor 5 '[ "$(grep -c ^start "$tmp/registry.log")" = 8 ]'
t "at 70% every cache starts again" '[ "$(grep -c ^start "$tmp/registry.log")" = 8 ] && grep -q "70% full: starting the caches again" "$tmp/cache.log"' \
	"$tmp/registry.log" "$tmp/cache.log"
stop_it

# still full after the retry time: started again (the scheduler deletes what expired), stopped again
echo 95 > "$tmp/usage"
run ADDON_CACHE_RETRY=2
waitfor 8 '[ "$(grep -c ^start "$tmp/registry.log")" -ge 4 ] && [ "$(grep -c ^stop "$tmp/registry.log")" -ge 4 ]'
waitfor 8 '[ "$(grep -c ^start "$tmp/registry.log")" -ge 4 ]'
t "full from the start: nothing starts until the retry time, then all start and stop again" \
	'[ "$(grep -c ^start "$tmp/registry.log")" -ge 4 ] && [ "$(grep -c ^stop "$tmp/registry.log")" -ge 4 ] &&
	 [ "$(grep -c "every cache stopped" "$tmp/cache.log")" -ge 2 ]' "$tmp/registry.log" "$tmp/cache.log"
stop_it
echo 40 > "$tmp/usage"

# an instance that never begins to listen (its upstream holds Distribution's start): stopped after
# the grace time and started again; one that listens is left alone
port=$((20000 + RANDOM % 20000))
sed -i "s/^  addr: .*/  addr: 127.0.0.1:$port/" "$tmp/cfg/cache-0.yml"
echo cache-0.yml > "$tmp/listening"
run ADDON_CACHE_START_GRACE=3
waitfor 15 '[ "$(starts cache-1.yml)" -ge 2 ] && [ "$(starts cache-3.yml)" -ge 2 ]'
t "not listening 3 s after its start (grace 3 s): stopped and started again; the one listening (:$port) left alone" \
	'[ "$(starts cache-1.yml)" -ge 2 ] && [ "$(starts cache-3.yml)" -ge 2 ] && [ "$(starts cache-0.yml)" = 1 ] && running 0 &&
	 grep -q "cache-2.yml was not listening on :5102 3s after its start (its upstream does not answer); nodes fall through to its upstream" "$tmp/cache.log"' \
	"$tmp/registry.log" "$tmp/cache.log"
stop_it
t "SIGTERM: the listening stand-in is gone too" '[ $st = 0 ] && ! left && ! pgrep -f "httpd -f -p 127.0.0.1:$port" > /dev/null'
rm -f "$tmp/listening"

# a new certificate: every instance stopped, exit 0 (the kubelet restarts the container)
run
waitfor 5 '[ "$(grep -c ^start "$tmp/registry.log")" = 4 ]'
printf 'CERT TWO\n' > "$tmp/tls/tls.crt"
waitfor 10 '! kill -0 $pid 2> /dev/null'; wait "$pid"; st=$?
t "a changed certificate stops every instance and exits 0" \
	'[ $st = 0 ] && [ "$(grep -c ^stop "$tmp/registry.log")" = 4 ] && grep -q "certificate changed" "$tmp/cache.log" && ! left' \
	"$tmp/registry.log" "$tmp/cache.log"
finish
