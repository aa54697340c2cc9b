#!/bin/sh
# cache.sh - the entrypoint of the registry pod's "cache" container (registry-addon, component
# cache): one Distribution instance in proxy (pull-through) mode for each mirrored upstream,
# $ADDON_CONFIG_DIR/cache-<i>.yml listening on :5100+i. Proxy mode refuses every client write, so
# what it serves comes from its upstream only; content expires after cache.ttl (Distribution's
# scheduler, storage.delete on). Nodes try the preloaded mirror, then the cache, then the upstream,
# so a cache that is not running costs them one refused connection and nothing else:
#   - instances are supervised one by one. Distribution asks its upstream for /v2/ at start and
#     exits when it cannot reach it: that instance is started again after a backoff
#     ($ADDON_CACHE_BACKOFF s, default 30, doubling to 10 min) while the others serve; so is one
#     that is not listening on its port $ADDON_CACHE_START_GRACE s (default 120) after its start (an
#     upstream that takes the connection and never answers holds Distribution's start forever).
#   - the volume is shared with the preload, which never expires: at $ADDON_CACHE_FULL% used
#     (default 90) every cache instance is stopped and the nodes fall through to the upstreams; they
#     start again below $ADDON_CACHE_RESUME% (default 80), or after $ADDON_CACHE_RETRY s (default
#     1800) to let the scheduler delete what has expired meanwhile (due entries fire at start).
#   - the TLS certificate is loaded at start: when it changes every instance is restarted, replicas
#     one after the other (ordinal x ADDON_RESTART_STAGGER s).
# REGISTRY_PROXY_USERNAME/_PASSWORD for instance i come from $ADDON_CACHE_AUTH/<i>/username and
# password (cache.credentials) when present. POSIX sh for busybox (the registry image is Alpine's).
# Test hooks: ADDON_REGISTRY_BIN, ADDON_CHECK_SECONDS, ADDON_USAGE (an sh command printing the
# volume's use in percent; default df -P on ADDON_DATA_DIR).
set -u
bin=${ADDON_REGISTRY_BIN:-/bin/registry}
dir=${ADDON_CONFIG_DIR:-/etc/distribution}
tls=${ADDON_TLS_DIR:-/etc/registry-tls}
auth=${ADDON_CACHE_AUTH:-/etc/registry-cache-auth}
data=${ADDON_DATA_DIR:-/var/lib/registry}
every=${ADDON_CHECK_SECONDS:-30}
full=${ADDON_CACHE_FULL:-90} resume=${ADDON_CACHE_RESUME:-80} retry=${ADDON_CACHE_RETRY:-1800}
backoff=${ADDON_CACHE_BACKOFF:-30} grace=${ADDON_CACHE_START_GRACE:-120}
ordinal=${HOSTNAME##*-}
case $ordinal in '' | *[!0-9]*) ordinal=0 ;; esac
stagger=$((ordinal * ${ADDON_RESTART_STAGGER:-45}))
log() { echo "registry-addon: cache: $*" >&2; }
now() { cut -d. -f1 /proc/uptime; }
fingerprint() { cat "$tls/tls.crt" "$tls/tls.key" 2>/dev/null | sha256sum | cut -d' ' -f1; }
usage() {
  if [ -n "${ADDON_USAGE:-}" ]; then sh -c "$ADDON_USAGE"
  else df -P "$data" 2>/dev/null | awk 'NR == 2 { sub("%", "", $5); print $5 }'; fi
}

# http.secret: as run.sh (proxy instances sign no uploads, but Distribution 2.8 wants one)
if [ -z "${REGISTRY_HTTP_SECRET:-}" ]; then
  REGISTRY_HTTP_SECRET=$(sha256sum "$tls/tls.key" | cut -d' ' -f1)
  [ -n "$REGISTRY_HTTP_SECRET" ] || { log "cannot read $tls/tls.key"; exit 1; }
  export REGISTRY_HTTP_SECRET
fi

configs=
for f in "$dir"/cache-*.yml; do [ -f "$f" ] && configs="$configs ${f##*/cache-}"; done
configs=$(echo "$configs" | tr ' ' '\n' | sed -n 's/^\([0-9][0-9]*\)\.yml$/\1/p' | sort -n | tr '\n' ' ')  # cache-<number>.yml
[ -n "$configs" ] || { log "no cache-*.yml in $dir"; exit 1; }

# per instance i: pid_i (0: not running), back_i (backoff s), next_i (uptime s of its next start),
# port_i (its http.addr's port), up_i (1: seen listening since its start)
for i in $configs; do
  p=$(sed -n 's/^  addr: .*:\([0-9][0-9]*\)$/\1/p' "$dir/cache-$i.yml" | head -n 1)
  eval "pid_$i=0 back_$i=$backoff next_$i=0 port_$i=${p:-0} up_$i=0"
done

# listening PORT: a socket listens on TCP PORT (IPv4 or IPv6), as /proc/net/tcp{,6} say (through
# cat: busybox awk gives up on a file it cannot open, and a node without IPv6 has no tcp6)
listening() {
  [ "$1" != 0 ] || return 0
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
    awk -v p=":$(printf '%04X' "$1")" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }'
}

start() {
  i=$1
  if [ -r "$auth/$i/username" ] && [ -r "$auth/$i/password" ]; then
    REGISTRY_PROXY_USERNAME=$(cat "$auth/$i/username") REGISTRY_PROXY_PASSWORD=$(cat "$auth/$i/password") \
      "$bin" serve "$dir/cache-$i.yml" &
  else
    "$bin" serve "$dir/cache-$i.yml" &
  fi
  eval "pid_$i=$! up_$i=0 next_$i=$(now)"
}

# reap I: wait for instance I (TERMed), if running
reap() {
  eval "p=\$pid_$1"
  [ "$p" = 0 ] && return 0
  wait "$p" 2>/dev/null
  eval "pid_$1=0"
}
# stop I: stop instance I, if running, and wait for it
stop() {
  eval "p=\$pid_$1"
  [ "$p" = 0 ] || kill -TERM "$p" 2>/dev/null
  reap "$1"
}
# stop_all: TERM to every instance at once (each drains for up to 25 s), then wait for each
stop_all() {
  for i in $configs; do eval "p=\$pid_$i"; [ "$p" = 0 ] || kill -TERM "$p" 2>/dev/null; done
  for i in $configs; do reap "$i"; done
}

# later I WHY: instance I is not serving (stopped or ended): start it again after its backoff
later() {
  eval "b=\$back_$1"
  log "the cache of cache-$1.yml $2; nodes fall through to its upstream; starting it again in ${b}s"
  eval "pid_$1=0 next_$1=$((t + b)) back_$1=$((b * 2 > 600 ? 600 : b * 2))"
}

# tend: start what is due, notice what ended or never began to listen (and when it may start again)
tend() {
  t=$(now)
  for i in $configs; do
    eval "p=\$pid_$i n=\$next_$i u=\$up_$i port=\$port_$i"
    if [ "$p" != 0 ] && ! kill -0 "$p" 2>/dev/null; then
      wait "$p" 2>/dev/null
      later "$i" ended
    elif [ "$p" != 0 ] && [ "$u" = 0 ] && listening "$port"; then
      eval "up_$i=1"
    elif [ "$p" != 0 ] && [ "$u" = 0 ] && [ "$t" -ge $((n + grace)) ]; then
      stop "$i"
      later "$i" "was not listening on :$port ${grace}s after its start (its upstream does not answer)"
    elif [ "$p" = 0 ] && [ "$t" -ge "$n" ]; then
      start "$i"
    elif [ "$p" != 0 ] && [ "$t" -ge $((n + 600)) ]; then
      eval "back_$i=$backoff"  # up 10 min: healthy again
    fi
  done
}

nap=
trap '[ -z "$nap" ] || kill "$nap" 2>/dev/null; stop_all; exit 0' TERM INT
pause() { sleep "$1" & nap=$!; wait "$nap"; nap=; }

served=$(fingerprint) paused_at=
while :; do
  used=$(usage)
  case $used in '' | *[!0-9]*) used=0 ;; esac
  if [ -z "$paused_at" ] && [ "$used" -ge "$full" ]; then
    log "the volume is ${used}% full (at most ${full}%): every cache stopped; nodes pull from the upstreams, preloaded images still from the mirror"
    stop_all
    paused_at=$(now)
  elif [ -n "$paused_at" ] && { [ "$used" -lt "$resume" ] || [ $(($(now) - paused_at)) -ge "$retry" ]; }; then
    log "the volume is ${used}% full: starting the caches again"
    paused_at=
  fi
  [ -n "$paused_at" ] || tend
  pause "$every"
  if [ "$(fingerprint)" != "$served" ]; then
    log "the TLS certificate changed; restarting the caches in ${stagger}s to serve it"
    pause "$stagger"
    stop_all
    exit 0
  fi
done
