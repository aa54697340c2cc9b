#!/bin/sh
# node-trust.sh CONFIG_FILE - makes this node's container runtimes trust the in-cluster registry
# (registry-addon's DaemonSet "registry-node-trust"; interface: DESIGN.md section 5). POSIX sh for busybox.
#
# A pass writes, for the runtimes in RUNTIMES: containerd hosts.toml files (the registry's ClusterIP
# and each of its names -> the ClusterIP; each mirrored upstream -> the registry, only while the
# registry answers), CRI-O's registries.conf.d drop-in, and ca.crt files for containerd, CRI-O and
# Docker. It checks that containerd reads CONTAINERD_CERTS_D (config_path), adding it under
# CONFIGURE_CONTAINERD=ifMissing. $STATE_DIR/ready exists while the node is set up. MODE=remove
# deletes our files. A pass runs at start, every INTERVAL s, and within TICK s of a change of the CA.
#
# Safety contract: every file written starts with the line $HEADER. A file without it is never
# overwritten or deleted (a "conflict" is logged, once per path). Writes are atomic (temp file in
# the same directory, then rename) and unchanged files are left as they are. Directories are
# removed only when empty (never rm -r). Only our own files are garbage-collected.
#
# Variables. CONFIG_FILE (sourced; single-quoted KEY='value' lines from the add-on) sets MODE
# (install|remove), REGISTRY_HOST (host[:port] of the ClusterIP), REGISTRY_URL (https://HOST),
# REGISTRY_NAMES (the registry's names, space-separated), MIRRORS ("upstream,endpoint,path"
# triples), RUNTIMES (containerd cri-o docker) and CONFIGURE_CONTAINERD (never|ifMissing). Paths
# and commands (defaults below; a non-empty value in the environment wins over the config file):
# CA_FILE, CONTAINERD_CERTS_D, CONTAINERD_CONFIG, CRIO_REGISTRIES_D, CRIO_CERTS_D, DOCKER_CERTS_D,
# STATE_DIR, PROBE (sh command; exit 0 = the registry answers; empty = wget its /v2/),
# RESTART_CONTAINERD (sh command), INTERVAL, TICK (seconds) and ONCE (1 = one pass, then exit
# 0 if ready, else 1).
HEADER='# Managed by registry-addon (registry-addon.dev); do not edit. Removed when the add-on is removed.'
OVERRIDABLE='CA_FILE CONTAINERD_CERTS_D CONTAINERD_CONFIG CRIO_REGISTRIES_D CRIO_CERTS_D DOCKER_CERTS_D
  STATE_DIR PROBE RESTART_CONTAINERD INTERVAL TICK ONCE'
nl='
'
set -f  # no globbing of lists (an IPv6 host is "[...]"); sweep turns it on for its own patterns
umask 022

log() { printf 'registry-addon: %s\n' "$*" >&2; }
has() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }  # has LIST WORD
listed() { case "$nl$1$nl" in *"$nl$2$nl"*) return 0 ;; esac; return 1; }  # listed LINES LINE

# the config file, then the environment's values of the overridable variables, then defaults
case ${1:-} in '') echo "usage: node-trust.sh CONFIG_FILE" >&2; exit 2 ;; */*) cfg=$1 ;; *) cfg=./$1 ;; esac
[ -r "$cfg" ] || { log "cannot read $cfg"; exit 2; }
for v in $OVERRIDABLE; do eval "env_$v=\${$v-}"; done
# shellcheck source=/dev/null
. "$cfg"
for v in $OVERRIDABLE; do eval "[ -z \"\$env_$v\" ] || $v=\$env_$v"; done
: "${MODE:=install}" "${RUNTIMES=containerd cri-o docker}" "${CONFIGURE_CONTAINERD:=never}"
: "${CA_FILE:=/run/registry-addon/ca/ca.crt}" "${STATE_DIR:=/run/registry-addon/state}"
: "${CONTAINERD_CERTS_D:=/etc/containerd/certs.d}" "${CONTAINERD_CONFIG:=/etc/containerd/config.toml}"
: "${CRIO_REGISTRIES_D:=/etc/containers/registries.conf.d}" "${CRIO_CERTS_D:=/etc/containers/certs.d}"
: "${DOCKER_CERTS_D:=/etc/docker/certs.d}" "${PROBE:=}" "${ONCE:=}"
[ -n "${RESTART_CONTAINERD:-}" ] ||
  RESTART_CONTAINERD="nsenter -t 1 -m -u -i -n -p -- sh -c 'systemctl restart containerd'"
case ${INTERVAL:-} in '' | *[!0-9]* | 0) INTERVAL=60 ;; esac
case ${TICK:-} in '' | *[!0-9]* | 0) TICK=5 ;; esac
case $MODE in install | remove) ;; *) log "MODE must be install or remove, not \"$MODE\""; exit 2 ;; esac
if [ "$MODE" = install ] && { [ -z "${REGISTRY_HOST:-}" ] || [ -z "${REGISTRY_URL:-}" ]; }; then
  log "REGISTRY_HOST and REGISTRY_URL must be set in $cfg"; exit 2
fi
wanted="" conflicts="" failed="" healthy="" kid=""

# is_ours PATH: a regular file, not a symlink nor in a linked host directory, whose first line is
# HEADER. (The drop-in's directory is configured as given; a host directory must not be a link.)
linked_dir() { [ "${1%/*}" != "$CRIO_REGISTRIES_D" ] && [ -L "${1%/*}" ]; }
is_ours() {
  [ -f "$1" ] && [ ! -L "$1" ] && ! linked_dir "$1" || return 1
  first=
  { IFS= read -r first; } 2>/dev/null < "$1"
  [ "$first" = "$HEADER" ]
}

# write_file PATH CONTENT: PATH = CONTENT plus a newline, unless PATH is not ours or already equal
write_file() {
  wanted="$wanted$nl$1"
  if [ -e "$1" ] || [ -L "$1" ] || linked_dir "$1"; then
    if ! is_ours "$1"; then
      listed "$conflicts" "$1" && return 0
      conflicts="$conflicts$nl$1"
      log "conflict: $1 exists and is not ours; left alone"
      return 0
    fi
    printf '%s\n' "$2" | cmp -s - "$1" && return 0
  fi
  wtmp="${1%/*}/.${1##*/}.registry-addon.tmp"
  if mkdir -p "${1%/*}" && rm -f "$wtmp" && printf '%s\n' "$2" > "$wtmp" && mv -f "$wtmp" "$1"; then
    log "wrote $1"
  else
    rm -f "$wtmp"; failed=1; log "cannot write $1"
  fi
}

# remove_ours PATH: delete PATH if it is ours; rm_tmp PATH: delete our temp file (status 0: deleted)
remove_ours() { is_ours "$1" && rm -f "$1" && log "removed $1"; }
rm_tmp() { { [ -f "$1" ] || [ -L "$1" ]; } && rm -f "$1" && log "removed $1"; }

# sweep: remove our files that this pass did not write ($wanted; none in remove mode), our temp
# files left by an interrupted write, then the host directories that this emptied
sweep() {
  set +f
  for f in "$CONTAINERD_CERTS_D"/*/hosts.toml "$CONTAINERD_CERTS_D"/*/ca.crt \
    "$CRIO_CERTS_D"/*/ca.crt "$DOCKER_CERTS_D"/*/ca.crt; do
    listed "$wanted" "$f" && continue
    remove_ours "$f" && rmdir "${f%/*}" 2>/dev/null
  done
  f=$CRIO_REGISTRIES_D/registry-addon.conf
  listed "$wanted" "$f" || remove_ours "$f"
  for f in "$CONTAINERD_CERTS_D"/*/.*.registry-addon.tmp "$CRIO_CERTS_D"/*/.*.registry-addon.tmp \
    "$DOCKER_CERTS_D"/*/.*.registry-addon.tmp; do
    rm_tmp "$f" && rmdir "${f%/*}" 2>/dev/null
  done
  rm_tmp "$CRIO_REGISTRIES_D/.registry-addon.conf.registry-addon.tmp"
  rm_tmp "${CONTAINERD_CONFIG%/*}/.${CONTAINERD_CONFIG##*/}.registry-addon.tmp"
  set -f
}

# awk: a TOML table header without blanks, comment or single quotes
AWK_NORM='function norm(s) { sub(/#.*/, "", s); gsub(/[ \t]/, "", s); gsub(q, "\"", s); return s }'

# scan_config FILE: "found|legacy|version|content|value": value = the first non-empty config_path
# in a registry table (a version 1 file: also [plugins.cri.registry]); legacy = registry mirrors
# or configs.*.tls set; content = any key or table
scan_config() {
  awk -v q="'" "$AWK_NORM"'
  function val(s, c, i) {
    sub(/^[^=]*=[ \t]*/, "", s); c = substr(s, 1, 1)
    if (c != "\"" && c != q) { sub(/[ \t]*(#.*)?$/, "", s); return s }
    s = substr(s, 2); i = index(s, c); return i ? substr(s, 1, i - 1) : s
  }
  /^[ \t]*\[/ {
    h = norm($0); intab = content = 1
    reg = h == "[plugins.\"io.containerd.grpc.v1.cri\".registry]" ||
      h == "[plugins.\"io.containerd.cri.v1.images\".registry]" || (ver < 2 && h == "[plugins.cri.registry]")
    mir = h ~ /\.registry\.mirrors\]$/
    if (h ~ /\.registry\.mirrors\..+\]$/ || h ~ /\.registry\.configs\..+\.tls\]$/) legacy = 1
    next
  }
  /^[ \t]*(#.*)?$/ { next }
  { content = 1 }
  mir { legacy = 1 }
  !intab && /^[ \t]*version[ \t]*=/ { ver = val($0) + 0 }
  reg && value == "" && /^[ \t]*config_path[ \t]*=/ { value = val($0) }
  END { printf "%d|%d|%d|%d|%s\n", value != "", legacy, ver, content, value }' "$1"
}

# add_config_path FILE V2: FILE with config_path = CONTAINERD_CERTS_D under both registry tables:
# in place of an empty config_path, right after the table's header, or in a new table at the end
# (FILE is read twice: first to see which tables have a config_path line); V2: start with version
add_config_path() {
  D=$CONTAINERD_CERTS_D V2=$2 awk -v q="'" "$AWK_NORM"'
  function out(s) { print s; n++ }
  BEGIN {
    A = "[plugins.\"io.containerd.grpc.v1.cri\".registry]"
    B = "[plugins.\"io.containerd.cri.v1.images\".registry]"
    key = "  config_path = \"" ENVIRON["D"] "\""
    if (ENVIRON["V2"] != "") out("version = 2")
  }
  /^[ \t]*\[/ { t = norm($0); if (t != A && t != B) t = "" }
  NR == FNR { if (t != "" && /^[ \t]*config_path[ \t]*=/) has[t] = 1; next }
  t != "" && /^[ \t]*config_path[ \t]*=/ { if (!done[t]++) out(key); next }
  { out($0) }
  /^[ \t]*\[/ && t != "" && !has[t] && !done[t]++ { out(key) }
  END {
    if (!done[A]) { if (n) out(""); out(A); out(key) }
    if (!done[B]) { out(""); out(B); out(key) }
  }' "$1" "$1"
}

# patch_containerd: add config_path to CONTAINERD_CONFIG (after a .bak copy, unless one exists),
# check the result, write it atomically (keeping the mode), restart containerd. Status 0 when
# containerd restarted with it.
patch_containerd() {
  f=$CONTAINERD_CONFIG ptmp="${CONTAINERD_CONFIG%/*}/.${CONTAINERD_CONFIG##*/}.registry-addon.tmp"
  if [ -L "$f" ] || { [ -e "$f" ] && [ ! -f "$f" ]; }; then
    log "$f is not a regular file; not adding config_path"; return 1
  fi
  if [ "$c_content" = 1 ] && [ "$c_version" -lt 2 ]; then
    log "$f has no version = 2 or 3 (a version 1 config); not adding config_path: set it yourself"
    return 1
  fi
  if [ -f "$f" ] && [ ! -e "$f.registry-addon.bak" ]; then
    if ! cp -p "$f" "$f.registry-addon.bak"; then
      log "cannot write $f.registry-addon.bak; not adding config_path"; return 1
    fi
    log "wrote $f.registry-addon.bak"
  fi
  # a file with no keys nor tables yet (absent, empty, comments only) starts with version = 2
  src=$f v2="" want=$c_version
  [ -f "$f" ] || src=/dev/null
  [ "$c_content" = 1 ] || v2=1 want=2
  rm -f "$ptmp"
  if ! { mkdir -p "${f%/*}" && { [ ! -f "$f" ] || cp -p "$f" "$ptmp"; } &&
    add_config_path "$src" "$v2" > "$ptmp" &&
    [ "$(scan_config "$ptmp")" = "1|0|$want|1|$CONTAINERD_CERTS_D" ] && mv -f "$ptmp" "$f"; }; then
    rm -f "$ptmp"; log "cannot add config_path to $f"; return 1
  fi
  log "wrote $f: config_path = \"$CONTAINERD_CERTS_D\"; restarting containerd"
  out=$(sh -c "$RESTART_CONTAINERD" 2>&1)
  st=$?
  [ "$st" = 0 ] && { log "restarted containerd${out:+: $out}"; return 0; }
  log "restarting containerd failed (status $st)${out:+: $out}"
  return 1
}

# containerd_check: 0 when containerd reads hosts.toml files from CONTAINERD_CERTS_D; else log why
containerd_check() {
  f=$CONTAINERD_CONFIG d=$CONTAINERD_CERTS_D scan="0|0|0|0|"
  [ -f "$f" ] && scan=$(scan_config "$f")
  IFS='|' read -r c_found c_legacy c_version c_content c_value <<EOF
$scan
EOF
  if [ "$c_found" = 1 ]; then
    [ "$c_value" = "$d" ] && return 0
    log "containerd config_path is \"$c_value\" in $f; hosts.toml files in $d are not read" \
      "(containerd 2.1+ also ignores colon lists): set config_path = \"$d\""
  elif [ "$c_legacy" = 1 ]; then
    log "containerd config $f sets legacy registry mirrors (or configs.*.tls): config_path cannot" \
      "be added while they are set (containerd would fail to start: \"mirrors cannot be set when" \
      "config_path is provided\"); move them to hosts.toml files in $d"
  elif [ "$CONFIGURE_CONTAINERD" = ifMissing ]; then
    patch_containerd && return 0
  else
    log "containerd has no config_path in $f; set config_path = \"$d\" under" \
      "[plugins.\"io.containerd.grpc.v1.cri\".registry] (containerd 1.x) or" \
      "[plugins.\"io.containerd.cri.v1.images\".registry] (2.x), or set" \
      "nodeTrust.configureContainerd: ifMissing"
  fi
  return 1
}

# probe: 0 when the registry answers (run in the background so that SIGTERM need not wait)
# (timeout, not wget -T: Debian's busybox 1.35 wget has no -T and crashes on it)
probe() {
  if [ -n "$PROBE" ]; then sh -c "$PROBE" &
  else timeout 5 wget -q --no-check-certificate -O /dev/null "$REGISTRY_URL/v2/" 2>/dev/null &
  fi
  kid=$!
  wait "$kid"
  st=$? kid=""
  return "$st"
}

# set_ready 1|"": the readiness file
set_ready() {
  mkdir -p "$STATE_DIR" || log "cannot create $STATE_DIR"
  if [ "$1" = 1 ]; then
    [ -f "$STATE_DIR/ready" ] || : > "$STATE_DIR/ready"
  else
    rm -f "$STATE_DIR/ready"
  fi
}

# pass_install: one pass; status 0 when ready
pass_install() {
  wanted="" failed=""
  ca_pem=
  [ -f "$CA_FILE" ] && ca_pem=$(cat "$CA_FILE")
  case $ca_pem in
  *"-----BEGIN CERTIFICATE-----"*) ;;
  *) log "no CA certificate in $CA_FILE (yet); nothing written"; set_ready 0; return 1 ;;
  esac
  was=$healthy healthy=
  if [ -n "$MIRRORS" ]; then
    probe && healthy=1
    if [ "$healthy" != "$was" ] || [ -z "$ran" ]; then
      if [ -n "$healthy" ]; then log "registry at $REGISTRY_URL answers; mirrors on"
      else log "registry at $REGISTRY_URL does not answer; mirrors withdrawn"; fi
    fi
  fi
  ran=1 ok=1 ca_body="$HEADER$nl$ca_pem"
  if has "$RUNTIMES" containerd; then
    d=$CONTAINERD_CERTS_D
    ca="$d/$REGISTRY_HOST/ca.crt"
    write_file "$ca" "$ca_body"
    # hosts are inline tables under [host]: containerd 1.6 ignores a hosts.toml without a host
    # tree ("invalid `host` tree"), and its TOML parser refuses a table header with an IPv6 URL
    # ([host."https://[fd00::14]"]: "table key cannot contain ']'"). Our names get no server
    # line: containerd tries https://<name> last, which nodes cannot resolve.
    own="$HEADER${nl}[host]${nl}  \"$REGISTRY_URL\" = {"
    own="$own capabilities = [\"pull\", \"resolve\", \"push\"], ca = \"$ca\" }"
    for h in "$REGISTRY_HOST" $REGISTRY_NAMES; do
      write_file "$d/$h/hosts.toml" "$own"
    done
    for m in $MIRRORS; do
      [ -n "$healthy" ] || break
      u=${m%%,*} p=${m##*,} e=${m#*,}
      e=${e%,*}
      body="$HEADER${nl}server = \"$e\"${nl}${nl}[host]${nl}  \"$REGISTRY_URL/v2/$p\" = {"
      body="$body capabilities = [\"pull\", \"resolve\"], ca = \"$ca\", override_path = true }"
      write_file "$d/$u/hosts.toml" "$body"
    done
    containerd_check || ok=  # after the writes: a restart finds the files in place
  fi
  if has "$RUNTIMES" cri-o; then
    for h in "$REGISTRY_HOST" $REGISTRY_NAMES; do write_file "$CRIO_CERTS_D/$h/ca.crt" "$ca_body"; done
    conf=$HEADER sep=
    for n in $REGISTRY_NAMES; do
      conf="$conf$sep${nl}[[registry]]${nl}prefix = \"$n\"${nl}location = \"$REGISTRY_HOST\"" sep=$nl
    done
    for m in $MIRRORS; do
      [ -n "$healthy" ] || break
      u=${m%%,*} p=${m##*,}
      conf="$conf$sep${nl}[[registry]]${nl}prefix = \"$u\"${nl}location = \"$u\"$nl${nl}[[registry.mirror]]"
      conf="$conf${nl}location = \"$REGISTRY_HOST/$p\"" sep=$nl
    done
    write_file "$CRIO_REGISTRIES_D/registry-addon.conf" "$conf"
  fi
  if has "$RUNTIMES" docker; then
    for h in "$REGISTRY_HOST" $REGISTRY_NAMES; do write_file "$DOCKER_CERTS_D/$h/ca.crt" "$ca_body"; done
  fi
  sweep
  [ -z "$failed" ] || ok=
  set_ready "$ok"
  [ -n "$ok" ]
}

# pass_remove: delete exactly our files; config.toml stays as it is
pass_remove() {
  wanted=
  sweep
  if [ -f "$CONTAINERD_CONFIG.registry-addon.bak" ]; then
    log "left $CONTAINERD_CONFIG as it is (config_path stays; the copy from before is" \
      "$CONTAINERD_CONFIG.registry-addon.bak)"
  elif [ -f "$CONTAINERD_CONFIG" ]; then
    log "left $CONTAINERD_CONFIG as it is"
  fi
  set_ready 1
}

ca_sum() { sha256sum "$CA_FILE" 2>/dev/null | cut -d' ' -f1; }
pause() { sleep "$1" & kid=$!; wait "$kid"; kid=; }

# main loop
ran="" once=""
[ -z "$ONCE" ] || [ "$ONCE" = 0 ] || once=1
trap '[ -z "$kid" ] || kill "$kid" 2>/dev/null; log "stopping"; exit 0' TERM INT
if [ "$MODE" = remove ]; then
  pass_remove
  [ -z "$once" ] || exit 0
  while :; do pause 3600; done
fi
sum=$(ca_sum) last=$(date +%s)
pass_install
st=$?
[ -z "$once" ] || exit "$st"
while :; do
  pause "$TICK"
  new=$(ca_sum) now=$(date +%s)
  if [ "$new" != "$sum" ]; then
    log "the CA in $CA_FILE changed"
  elif [ $((now - last)) -lt "$INTERVAL" ]; then
    continue
  fi
  sum=$new last=$now
  pass_install
done
