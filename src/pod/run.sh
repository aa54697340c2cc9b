#!/bin/sh
# run.sh mirror|own - the entrypoint of the registry pod's "registry" and "own" containers
# (registry-addon). Each runs two Distribution instances over one storage root (README.md,
# "Who can write to the registry"): a read-only one the cluster reads, and a writer the cluster cannot reach.
#   mirror: mirror.yml, :5000, read-only (nodes pull mirrored upstreams through Service
#           registry-mirror); mirror-writer.yml, 127.0.0.1:5010 (regsync's preload and copies)
#   own:    own.yml, :5443, read-only (copies of own images); on ordinal 0 own-writer.yml, :5002,
#           the one writer pods push to (Service registry); on the others own-copy.yml,
#           127.0.0.1:5002, where regsync copies one way from ordinal 0
# Distribution loads TLS only at start-up, so when the mounted certificate changes both are
# stopped and the container exits for the kubelet to restart it, replicas one after the other
# (ordinal x ADDON_RESTART_STAGGER s). If either instance ends, the container ends. POSIX sh
# for busybox (the registry image is Alpine's).
set -u
role=${1:-}
case $role in mirror | own) ;; *) echo "usage: run.sh mirror|own" >&2; exit 2 ;; esac
bin=${ADDON_REGISTRY_BIN:-/bin/registry}
dir=${ADDON_CONFIG_DIR:-/etc/distribution}
tls=${ADDON_TLS_DIR:-/etc/registry-tls}
every=${ADDON_CHECK_SECONDS:-30}
ordinal=${HOSTNAME##*-}
case $ordinal in '' | *[!0-9]*) ordinal=0 ;; esac
stagger=$((ordinal * ${ADDON_RESTART_STAGGER:-45}))
log() { echo "registry-addon: $*" >&2; }

fingerprint() { cat "$tls/tls.crt" "$tls/tls.key" 2>/dev/null | sha256sum | cut -d' ' -f1; }

# http.secret signs upload state: the same in every instance of every replica, stable across
# renders, never in the output (or the user's Secret, given as env)
if [ -z "${REGISTRY_HTTP_SECRET:-}" ]; then
  REGISTRY_HTTP_SECRET=$(sha256sum "$tls/tls.key" | cut -d' ' -f1)
  [ -n "$REGISTRY_HTTP_SECRET" ] || { log "cannot read $tls/tls.key"; exit 1; }
  export REGISTRY_HTTP_SECRET
fi

served=$(fingerprint)
"$bin" serve "$dir/$role.yml" &
reader=$!
writes=$role-writer
if [ "$role" = own ] && [ "$ordinal" != 0 ]; then
  writes=own-copy
  log "own images: ordinal $ordinal serves a read-only copy of ordinal 0's, written by regsync on loopback"
fi
"$bin" serve "$dir/$writes.yml" &
writer=$! nap=

stop() { kill -TERM "$reader" "$writer" $nap 2>/dev/null; wait "$reader"; wait "$writer"; }
trap 'stop; exit 0' TERM INT
pause() { sleep "$1" & nap=$!; wait "$nap"; nap=; }

while kill -0 "$reader" 2>/dev/null && kill -0 "$writer" 2>/dev/null; do
  pause "$every"
  if [ "$(fingerprint)" != "$served" ]; then
    log "the TLS certificate changed; restarting the registry in ${stagger}s to serve it"
    pause "$stagger"
    stop
    exit 0
  fi
done
log "a Distribution instance ($role) ended; stopping the other so that the kubelet restarts both"
stop
exit 1
