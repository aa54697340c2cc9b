#!/bin/sh
# sync.sh - the entrypoint of the registry pod's "sync" container (registry-addon; regsync's
# -alpine image). Ordinal 0 runs regsync with writer.yml: the preload, from the upstreams into
# its mirror writer (127.0.0.1:5010). Every other ordinal runs replica.yml: one-way copies of
# ordinal 0's read-only mirror (:5000) and own images (:5443) into its own writers, so a replica
# never fetches from an upstream and never writes back (README.md, "Who can write to the registry").
#
# Trust: regsync reads a host's CA files once, when it first dials it (regclient's reghttp keeps
# the pool for the life of the process). So this script keeps, in an emptyDir mounted at
# /etc/docker/certs.d, <host:port>/ca.crt for each host in tls-hosts: the current CA and the
# one before it (both are trusted while a root rotation rolls over the replicas), and restarts
# regsync when the CA changes. POSIX sh for busybox.
set -u
dir=${ADDON_SYNC_DIR:-/etc/regsync}
ca=${ADDON_CA_FILE:-/etc/registry-ca/ca.crt}
certs=${ADDON_CERTS_D:-/etc/docker/certs.d}
regsync=${ADDON_REGSYNC_BIN:-regsync}
every=${ADDON_CHECK_SECONDS:-30}
ordinal=${HOSTNAME##*-}
case $ordinal in '' | *[!0-9]*) ordinal=0 ;; esac
conf=$dir/replica.yml
[ "$ordinal" != 0 ] || conf=$dir/writer.yml
log() { echo "registry-addon: $*" >&2; }
fingerprint() { sha256sum "$ca" 2>/dev/null | cut -d' ' -f1; }

# put FILE CONTENT: write atomically (temp file in the same directory, then rename)
put() { printf '%s\n' "$2" > "$1.tmp" && mv -f "$1.tmp" "$1"; }

# trust: the bundle (current CA, then the previous one) for every host regsync dials with TLS
trust() {
  cur=$(cat "$ca" 2>/dev/null) || { log "cannot read $ca"; return 1; }
  old=$(cat "$certs/.current.crt" 2>/dev/null)
  if [ -n "$old" ] && [ "$old" != "$cur" ]; then put "$certs/.previous.crt" "$old"; fi
  put "$certs/.current.crt" "$cur"
  bundle=$cur
  prev=$(cat "$certs/.previous.crt" 2>/dev/null)
  [ -z "$prev" ] || [ "$prev" = "$cur" ] || bundle="$cur
$prev"
  while read -r host; do
    case $host in '' | .* | */* | *..*) continue ;; esac
    mkdir -p "$certs/$host" && put "$certs/$host/ca.crt" "$bundle"
  done < "$dir/tls-hosts"
}

start() { "$regsync" server -c "$conf" & pid=$!; }
stop() { kill -TERM "$pid" $nap 2>/dev/null; wait "$pid"; }
pause() { sleep "$1" & nap=$!; wait "$nap"; nap=; }

trust || exit 1
trusted=$(fingerprint) pid= nap=
log "ordinal $ordinal: regsync server -c $conf"
start
trap 'stop; exit 0' TERM INT
while :; do
  pause "$every"
  if [ "$(fingerprint)" != "$trusted" ]; then
    log "the CA changed; regsync restarts trusting the new and the previous CA"
    trust && trusted=$(fingerprint)
    stop; start
  elif ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid"; rc=$?
    log "regsync ended (exit $rc); stopping the container so that the kubelet restarts it"
    exit 1
  fi
done
