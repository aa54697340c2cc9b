#!/usr/bin/env bash
# tests/syncsh.sh - src/pod/sync.sh, the sync container's entrypoint, as BIN ships it (ConfigMap
# registry-sync), under busybox sh with only busybox applets on PATH. regsync itself cannot run
# here (no Debian package, tests/registry-field.sh says so): ADDON_REGSYNC_BIN is a stand-in that
# records how it was started and stopped; what is tested is the script: the config by ordinal,
# the CA bundle per TLS host (current, then previous: both trusted while a rotation rolls), the
# restart of regsync on a CA change, the exit when regsync ends, SIGTERM leaving nothing.
# usage: bash tests/syncsh.sh BIN
# shellcheck disable=SC2016  # t evals its single-quoted conditions
set -u
export LC_ALL=C
bin=${1:?usage: tests/syncsh.sh BIN}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
cd "$(dirname "$0")/.." || exit 2
SUITE=syncsh
. tests/lib.sh
BB=$(command -v busybox) || { bad "prerequisites: busybox"; finish; }
[ -f tests/schema/node_modules/yaml/package.json ] || bash tests/schema/setup.sh >&2

mkdir -p "$tmp/sync" "$tmp/bin" "$tmp/ca"
"$bin" < /dev/null > "$tmp/out.yaml" 2> "$tmp/err"
cm_files "$tmp/out.yaml" registry-sync "$tmp/sync" 2>> "$tmp/err"
t "BIN's ConfigMap registry-sync has sync.sh, writer.yml, replica.yml, tls-hosts" \
	'[ -s "$tmp/sync/sync.sh" ] && [ -s "$tmp/sync/writer.yml" ] && [ -s "$tmp/sync/replica.yml" ] && [ -s "$tmp/sync/tls-hosts" ]' "$tmp/err"
for a in $("$BB" --list); do ln -sf "$BB" "$tmp/bin/$a"; done
# the stand-in: logs "start ARGS" and, on TERM, "stop"
cat > "$tmp/regsync" <<-EOS
	#!$BB sh
	echo "start \$*" >> "$tmp/regsync.log"
	trap 'echo stop >> "$tmp/regsync.log"; exit 0' TERM
	while :; do sleep 1; done
EOS
chmod +x "$tmp/regsync"
printf 'CA ONE\n' > "$tmp/ca/ca.crt"

# run HOSTNAME: sync.sh in the background as the pod runs it; $pid
run() {
	: > "$tmp/regsync.log"; rm -rf "$tmp/certs"; mkdir -p "$tmp/certs"
	env -i PATH="$tmp/bin" HOSTNAME="$1" ADDON_SYNC_DIR="$tmp/sync" ADDON_CA_FILE="$tmp/ca/ca.crt" \
		ADDON_CERTS_D="$tmp/certs" ADDON_REGSYNC_BIN="$tmp/regsync" ADDON_CHECK_SECONDS=1 \
		"$BB" sh "$tmp/sync/sync.sh" 2> "$tmp/sync.log" &
	pid=$!
}
waitfor() { local i; for ((i = 0; i < $1 * 10; i++)); do eval "$2" && return 0; sleep 0.1; done; return 1; }
bundles() { local h; while read -r h; do cat "$tmp/certs/$h/ca.crt" 2> /dev/null || echo missing; echo ==; done < "$tmp/sync/tls-hosts"; }

run registry-0
waitfor 5 'grep -q "^start" "$tmp/regsync.log"'
t "ordinal 0 runs regsync server -c writer.yml (the preload)" \
	'[ "$(cat "$tmp/regsync.log")" = "start server -c $tmp/sync/writer.yml" ]' "$tmp/regsync.log" "$tmp/sync.log"
kill -TERM "$pid"; waitfor 5 '! kill -0 $pid 2> /dev/null'; wait "$pid"; st=$?
t "SIGTERM: sync.sh stops regsync and exits 0" '[ $st = 0 ] && grep -qx stop "$tmp/regsync.log" && ! pgrep -f "$tmp/regsync" > /dev/null' "$tmp/regsync.log"

run registry-1
waitfor 5 'grep -q "^start" "$tmp/regsync.log"'
t "ordinal 1 runs regsync server -c replica.yml (one way from ordinal 0)" \
	'[ "$(cat "$tmp/regsync.log")" = "start server -c $tmp/sync/replica.yml" ]' "$tmp/regsync.log" "$tmp/sync.log"
want=$(while read -r h; do printf 'CA ONE\n==\n'; done < "$tmp/sync/tls-hosts")
t "before regsync starts, <host:port>/ca.crt holds the CA for each of tls-hosts ($(wc -l < "$tmp/sync/tls-hosts"))" \
	'[ "$(bundles)" = "$want" ]' "$tmp/sync.log"
t "no mount path needed: the host directories (with ':') are made inside the volume" \
	'[ -d "$tmp/certs/$(head -n 1 "$tmp/sync/tls-hosts")" ]'
printf 'CA TWO\n' > "$tmp/ca/ca.tmp" && mv "$tmp/ca/ca.tmp" "$tmp/ca/ca.crt"
waitfor 6 '[ "$(grep -c ^start "$tmp/regsync.log")" = 2 ]'
want=$(while read -r h; do printf 'CA TWO\nCA ONE\n==\n'; done < "$tmp/sync/tls-hosts")
t "a CA change: the bundle is the new CA then the previous one (both trusted while the rotation rolls)" \
	'[ "$(bundles)" = "$want" ]' "$tmp/sync.log"
t "... and regsync (which reads a host's CA once) is restarted: start, stop, start" \
	'[ "$(tr "\n" " " < "$tmp/regsync.log")" = "start server -c $tmp/sync/replica.yml stop start server -c $tmp/sync/replica.yml " ]' \
	"$tmp/regsync.log" "$tmp/sync.log"
pkill -KILL -f "$tmp/regsync"
waitfor 5 '! kill -0 $pid 2> /dev/null'; wait "$pid"; st=$?
t "regsync ends: sync.sh exits 1 (the kubelet restarts the container), saying so" \
	'[ $st = 1 ] && grep -q "regsync ended" "$tmp/sync.log"' "$tmp/sync.log"

# a restart of the container keeps the emptyDir: the previous CA is still trusted
printf 'CA TWO\n' > "$tmp/ca/ca.crt"
: > "$tmp/regsync.log"
env -i PATH="$tmp/bin" HOSTNAME=registry-1 ADDON_SYNC_DIR="$tmp/sync" ADDON_CA_FILE="$tmp/ca/ca.crt" \
	ADDON_CERTS_D="$tmp/certs" ADDON_REGSYNC_BIN="$tmp/regsync" ADDON_CHECK_SECONDS=1 \
	"$BB" sh "$tmp/sync/sync.sh" 2> "$tmp/sync.log" &
pid=$!
waitfor 5 'grep -q "^start" "$tmp/regsync.log"'
t "the container restarted (emptyDir kept): still the new CA then the previous one" '[ "$(bundles)" = "$want" ]' "$tmp/sync.log"
kill -TERM "$pid"; wait "$pid"
rm -f "$tmp/ca/ca.crt"; run registry-1; waitfor 5 '! kill -0 $pid 2> /dev/null'; wait "$pid"; st=$?
t "no CA file: sync.sh says so and exits 1 without starting regsync" \
	'[ $st = 1 ] && grep -q "cannot read" "$tmp/sync.log" && [ ! -s "$tmp/regsync.log" ]' "$tmp/sync.log"
finish
