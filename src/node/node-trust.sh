#!/bin/sh
# node-trust.sh CONFIG_FILE - makes this node's container runtimes trust the in-cluster registry
# and pull through it (registry-addon's DaemonSet "registry-node-trust"). POSIX sh for busybox.
#
# A pass writes, for the runtimes in RUNTIMES: containerd hosts.toml files (the registry's ClusterIP
# and each of its names -> the writer, then the read-only copies; each mirrored upstream -> the
# mirror's preloaded content, then the upstream's pull-through cache, then the upstream itself,
# only while the mirror answers), CRI-O's registries.conf.d drop-in (the same), and ca.crt files
# for containerd, CRI-O and Docker. The hosts.toml form suits this node's containerd:
# [host."URL"] tables (read by 1.6 to 2.x) unless an entry's host is IPv6 and config.toml says
# containerd 1.x, whose TOML parser refuses "]" in a table header (then dotted keys under [host],
# which keep the order where inline tables would not; 2.x ignores both). Mirror entries have
# dial_timeout = "2s" (read by 2.0.7+, ignored before: else 30 s a request to an address that
# drops packets). It checks that containerd reads CONTAINERD_CERTS_D (config_path), adding it
# under CONFIGURE_CONTAINERD=ifMissing, and that CRI-O re-reads its drop-ins. A pass runs at
# start, every INTERVAL s, and within TICK s of a change of the CA. MODE=remove deletes our files.
#
# Ready: $STATE_DIR/ready exists while this node trusts the registry and pulls through it (the
# mirror answers, every runtime found here reads our files, no conflict); otherwise
# $STATE_DIR/reason holds one line saying why (the readiness probe prints it). A runtime whose
# configuration is absent from this node does not hold it back. Each change of state is logged.
#
# Safety contract: every file written starts with the line $HEADER. A file without it is never
# overwritten or deleted, and no file is added to a host directory that holds files not ours
# (containerd stops reading a directory's ca.crt and client certificates once it has hosts.toml):
# both are a "conflict", logged once per path, and the node is not ready. Every host from the
# config is checked to be one path component; files are written only as DIR/FILE or
# DIR/HOST/FILE in the directories below. Writes are atomic (temp file in the same directory,
# then rename); unchanged files are left as they are. Directories are removed only when empty.
#
# Variables. CONFIG_FILE (sourced; single-quoted KEY='value' lines from the add-on) sets MODE
# (install|remove), REGISTRY_HOST (host[:port] of the ClusterIP), REGISTRY_URL (https://HOST: the
# writer), MIRROR_URL (https://HOST: the mirror; empty: REGISTRY_URL), OWN_COPIES_URL (https://HOST:
# read-only copies of our images; empty: none), REGISTRY_NAMES (the registry's names,
# space-separated), MIRRORS (space-separated "upstream,endpoint,path,cache" entries: the upstream
# registry host, its real endpoint https://HOST, the upstream's repository path in the mirror, and
# HOST:PORT of its pull-through cache on the mirror Service, an IPv6 HOST in brackets; cache empty
# or left out, as in configs before issue 15: no cache), RUNTIMES (containerd cri-o docker) and
# CONFIGURE_CONTAINERD (never|ifMissing). Paths and commands (defaults below; a non-empty
# value in the environment wins over the config file): CA_FILE, CONTAINERD_CERTS_D,
# CONTAINERD_CONFIG, CRIO_REGISTRIES_D, CRIO_REGISTRIES_CONF, CRIO_CONFIG_DIR, CRIO_CERTS_D,
# DOCKER_CERTS_D, STATE_DIR, PROBE (sh command; exit 0 = the mirror answers; empty = wget
# MIRROR_URL/v2/), RESTART_CONTAINERD (sh command), INTERVAL, TICK (seconds) and ONCE (1 = one
# pass, then exit 0 if ready, else 1).
HEADER='# Managed by registry-addon (registry-addon.dev); do not edit. Removed when the add-on is removed.'
OVERRIDABLE='CA_FILE CONTAINERD_CERTS_D CONTAINERD_CONFIG CRIO_REGISTRIES_D CRIO_REGISTRIES_CONF
  CRIO_CONFIG_DIR CRIO_CERTS_D DOCKER_CERTS_D STATE_DIR PROBE RESTART_CONTAINERD INTERVAL TICK ONCE'
nl='
'
set -f  # no globbing of lists (an IPv6 host is "[...]"); sweep turns it on for its own patterns
umask 022

log() { printf 'registry-addon: %s\n' "$*" >&2; }
has() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }  # has LIST WORD
listed() { case "$nl$1$nl" in *"$nl$2$nl"*) return 0 ;; esac; return 1; }  # listed LINES LINE
# once KEY MESSAGE: log MESSAGE the first time KEY is seen by this process
once() {
  listed "$logged" "$1" && return 0
  logged="$logged$nl$1"; shift; log "$*"
}
# problem REASON: the node is not ready this pass; the first REASON is the one reported
problem() { [ -n "$reason" ] || reason="$*"; }

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
: "${CRIO_REGISTRIES_CONF:=/etc/containers/registries.conf}" "${CRIO_CONFIG_DIR:=/etc/crio}"
: "${DOCKER_CERTS_D:=/etc/docker/certs.d}" "${PROBE:=}" "${ONCE:=}" "${MIRRORS:=}" "${REGISTRY_NAMES:=}"
: "${OWN_COPIES_URL:=}"
[ -n "${RESTART_CONTAINERD:-}" ] ||
  RESTART_CONTAINERD="nsenter -t 1 -m -u -i -n -p -- sh -c 'systemctl restart containerd'"
case ${INTERVAL:-} in '' | *[!0-9]* | 0) INTERVAL=60 ;; esac
case ${TICK:-} in '' | *[!0-9]* | 0) TICK=5 ;; esac
case $MODE in install | remove) ;; *) log "MODE must be install or remove, not \"$MODE\""; exit 2 ;; esac
wanted="" conflicts="" healthy="" kid="" logged="" reason="" state=""

# --- hosts and paths

# valid_host H: a registry host usable as one path component: letters, digits, ".", "-", ":" and
# the brackets of an IPv6 literal; no leading ".", no "..", at most 255 bytes
valid_host() {
  case $1 in '' | .* | *..* | *[!]A-Za-z0-9.:[-]*) return 1 ;; esac
  [ "${#1}" -le 255 ]
}
# valid_path P: a repository path component of the mirror (letters, digits, ".", "_", "-")
valid_path() { case $1 in '' | .* | *..* | *[!A-Za-z0-9._-]*) return 1 ;; esac; [ "${#1}" -le 255 ]; }
is_url() { [ "${1#https://}" != "$1" ] && valid_host "${1#https://}"; }  # is_url https://HOST
# valid_cache C: HOST:PORT, HOST a name or IPv4 address, or an IPv6 address in brackets; PORT 1-65535
valid_cache() {
  valid_host "$1" || return 1
  chost=${1%:*} cport=${1##*:}
  case $cport in '' | 0* | *[!0-9]*) return 1 ;; esac
  [ "${#cport}" -le 5 ] && [ "$cport" -le 65535 ] || return 1
  case $chost in
  \[*:*\]) chost=${chost#?} chost=${chost%?}; case $chost in *[!0-9A-Fa-f:.]*) return 1 ;; esac ;;
  '' | *:* | *\[* | *\]*) return 1 ;;
  esac
}
# mirror_fields ENTRY: u e p c from "upstream,endpoint,path[,cache]"; status 1: not 3 or 4 fields
mirror_fields() {
  case $1 in *,*,*,*,*) return 1 ;; *,*,*,*) c=${1##*,} r=${1%,*} ;; *,*,*) c="" r=$1 ;; *) return 1 ;; esac
  u=${r%%,*} p=${r##*,} e=${r#*,}
  e=${e%,*}
}
ipv6() { case $1 in \[*) return 0 ;; esac; return 1; }
own() { [ "$1" = "$REGISTRY_HOST" ] || has "$REGISTRY_NAMES" "$1"; }

# refuse MESSAGE: log it; the first one keeps the node not ready (cfg_problem)
refuse() { log "$1"; [ -n "$cfg_problem" ] || cfg_problem=$1; }

# check_config: REGISTRY_HOST must be a host, the URLs https://HOST; names, mirrors and caches that
# are not are dropped (and keep the node not ready: sets cfg_problem); sets names, mirrors
# ("upstream,endpoint,path,cache"), trusted (the hosts given our CA in certs.d: the ClusterIP,
# names, the mirror's, the copies' and the caches')
check_config() {
  names="" mirrors="" cfg_problem=""
  if [ "$MODE" = install ]; then
    valid_host "${REGISTRY_HOST:-}" ||
      { log "REGISTRY_HOST \"${REGISTRY_HOST:-}\" in $cfg is not a registry host"; exit 2; }
    : "${MIRROR_URL:=${REGISTRY_URL:-}}"
    for v in REGISTRY_URL MIRROR_URL ${OWN_COPIES_URL:+OWN_COPIES_URL}; do
      eval "u=\${$v:-}"
      is_url "$u" || { log "$v \"$u\" in $cfg is not https://HOST"; exit 2; }
    done
  fi
  for n in $REGISTRY_NAMES; do
    if [ "$n" = "$REGISTRY_HOST" ] || has "$names" "$n"; then continue; fi
    if valid_host "$n"; then names="$names $n"
    else refuse "refused registry name \"$n\": not a registry host"; fi
  done
  caches=""
  for m in $MIRRORS; do
    if ! mirror_fields "$m" || ! valid_host "$u" || ! valid_path "$p" || ! is_url "$e"; then
      refuse "refused mirror \"$m\": not upstream,https://endpoint,path[,cache]"
    elif own "$u"; then
      log "not mirroring $u: it is one of the registry's own names"
    else
      if [ -n "$c" ] && ! valid_cache "$c"; then
        refuse "refused cache \"$c\" of mirror $u: not HOST:PORT ([IPv6]:PORT); mirrored without it"
        c=""
      fi
      mirrors="$mirrors $u,$e,$p,$c" caches="$caches $c"
    fi
  done
  trusted="$REGISTRY_HOST$names"
  for t in "${MIRROR_URL#https://}" "${OWN_COPIES_URL#https://}" $caches; do
    [ -z "$t" ] || has "$trusted" "$t" || trusted="$trusted $t"
  done
}

# owned PATH: PATH is DIR/FILE or DIR/HOST/FILE for one of the directories we write, HOST valid
owned() {
  for o in "$CONTAINERD_CERTS_D" "$CRIO_CERTS_D" "$DOCKER_CERTS_D" "$CRIO_REGISTRIES_D"; do
    [ "${1%/*}" = "$o" ] && return 0
    hd=${1%/*}
    [ "${1%/*/*}" = "$o" ] && valid_host "${hd##*/}" && return 0
  done
  return 1
}

# --- files

# is_ours PATH: a regular file, not a symlink nor in a linked host directory, whose first line is
# HEADER. (The drop-in's directory is configured as given; a host directory must not be a link.)
linked_dir() { [ "${1%/*}" != "$CRIO_REGISTRIES_D" ] && [ -L "${1%/*}" ]; }
is_ours() {
  [ -f "$1" ] && [ ! -L "$1" ] && ! linked_dir "$1" || return 1
  first=
  { IFS= read -r first; } 2>/dev/null < "$1"
  [ "$first" = "$HEADER" ]
}

# conflict PATH WHAT: PATH is not ours; logged once, and the node is not ready
conflict() {
  problem "conflict: $1 $2"
  listed "$conflicts" "$1 $2" && return 0
  conflicts="$conflicts$nl$1 $2"
  log "conflict: $1 $2; left alone"
}

# write_file PATH CONTENT: PATH = CONTENT plus a newline, unless PATH is not ours or already equal
write_file() {
  if ! owned "$1"; then log "refused to write $1: outside the directories of registry-addon"
    problem "refused to write $1"; return 0
  fi
  wanted="$wanted$nl$1"
  if [ -e "$1" ] || [ -L "$1" ] || linked_dir "$1"; then
    is_ours "$1" || { conflict "$1" "exists and is not ours"; return 0; }
    printf '%s\n' "$2" | cmp -s - "$1" && return 0
  fi
  wtmp="${1%/*}/.${1##*/}.registry-addon.tmp"
  if err=$({ mkdir -p "${1%/*}" && rm -f "$wtmp" && printf '%s\n' "$2" > "$wtmp" &&
    mv -f "$wtmp" "$1"; } 2>&1); then
    log "wrote $1"
  else
    rm -f "$wtmp" 2>/dev/null; err=${err##*: }
    log "cannot write $1: ${err:-failed}"; problem "cannot write $1: ${err:-failed}"
  fi
}

# foreign_in DIR: prints the first entry of DIR that is neither one of our files nor our temp file
foreign_in() {
  [ -d "$1" ] || return 1
  set +f
  for f in "$1"/* "$1"/.*; do
    case ${f##*/} in . | ..) continue ;; esac
    [ -e "$f" ] || [ -L "$f" ] || continue
    case ${f##*/} in
    hosts.toml | ca.crt) is_ours "$f" && continue ;;
    .hosts.toml.registry-addon.tmp | .ca.crt.registry-addon.tmp) [ -L "$f" ] || continue ;;
    esac
    set -f; echo "$f"; return 0
  done
  set -f; return 1
}

# write_in_dir PATH CONTENT: write_file, unless PATH's directory holds files not ours
write_in_dir() {
  if f=$(foreign_in "${1%/*}"); then
    conflict "${1%/*}" "holds $f, which is not ours (files of ours there would shadow it)"
  else
    write_file "$1" "$2"
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

# --- containerd: its config

# awk: a TOML table header without blanks, comment or single quotes
# and the value of a KEY = VALUE line (quotes removed)
AWK_NORM='function norm(s) { sub(/#.*/, "", s); gsub(/[ \t]/, "", s); gsub(q, "\"", s); return s }
  function val(s, c, i) {
    sub(/^[^=]*=[ \t]*/, "", s); c = substr(s, 1, 1)
    if (c != "\"" && c != q) { sub(/[ \t]*(#.*)?$/, "", s); return s }
    s = substr(s, 2); i = index(s, c); return i ? substr(s, 1, i - 1) : s
  }'

# scan_config FILE: "found|legacy|version|content|value|crioff|local": value = the first non-empty
# config_path in a registry table (a version 1 file: also [plugins.cri.registry]); legacy =
# registry mirrors or configs.*.tls set; content = any key or table; crioff = disabled_plugins
# holds the CRI plugin; local = 2.x's use_local_image_pull = true (CRI pulls that split colon lists)
scan_config() {
  awk -v q="'" "$AWK_NORM"'
  function dis(s) { if (norm(s) ~ /["](io\.containerd\.grpc\.v1\.)?cri["]/) crioff = 1 }
  indis { dis($0); if (norm($0) ~ /\]/) indis = 0; next }
  /^[ \t]*\[/ {
    h = norm($0); intab = content = 1
    reg = h == "[plugins.\"io.containerd.grpc.v1.cri\".registry]" ||
      h == "[plugins.\"io.containerd.cri.v1.images\".registry]" || (ver < 2 && h == "[plugins.cri.registry]")
    mir = h ~ /\.registry\.mirrors\]$/
    img = h == "[plugins.\"io.containerd.cri.v1.images\"]"
    if (h ~ /\.registry\.mirrors\..+\]$/ || h ~ /\.registry\.configs\..+\.tls\]$/) legacy = 1
    next
  }
  /^[ \t]*(#.*)?$/ { next }
  { content = 1 }
  mir { legacy = 1 }
  !intab && /^[ \t]*version[ \t]*=/ { ver = val($0) + 0 }
  !intab && /^[ \t]*disabled_plugins[ \t]*=/ { dis($0); s = norm($0); indis = s !~ /\]/ }
  img && /^[ \t]*use_local_image_pull[ \t]*=/ { local = val($0) == "true" }
  reg && value == "" && /^[ \t]*config_path[ \t]*=/ { value = val($0) }
  END { printf "%d|%d|%d|%d|%s|%d|%d\n", value != "", legacy, ver, content, value, crioff, local }' "$1"
}

# containerd_scan: reads CONTAINERD_CONFIG into c_* (all 0 when it is absent)
containerd_scan() {
  scan="0|0|0|0||0|0"
  [ -f "$CONTAINERD_CONFIG" ] && scan=$(scan_config "$CONTAINERD_CONFIG")
  IFS='|' read -r c_found c_legacy c_version c_content c_value c_crioff c_local <<EOF
$scan
EOF
}

# containerd_2x: config.toml is containerd 2.x's (version = 3; 2.x also reads version 2 files, which
# cannot tell; ifMissing's patch adds 2.x's table to every file, so plugin names cannot either)
containerd_2x() { [ "$c_version" -ge 3 ]; }

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
    problem "$f is not a regular file; not adding config_path"; log "$reason"; return 1
  fi
  if [ "$c_content" = 1 ] && [ "$c_version" -lt 2 ]; then
    problem "$f has no version = 2 or 3 (a version 1 config); not adding config_path: set it yourself"
    log "$reason"; return 1
  fi
  if [ -f "$f" ] && [ ! -e "$f.registry-addon.bak" ]; then
    if ! cp -p "$f" "$f.registry-addon.bak"; then
      problem "cannot write $f.registry-addon.bak; not adding config_path"; log "$reason"; return 1
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
    [ "$(scan_config "$ptmp")" = "1|0|$want|1|$CONTAINERD_CERTS_D|$c_crioff|$c_local" ] &&
    mv -f "$ptmp" "$f"; }; then
    rm -f "$ptmp"; problem "cannot add config_path to $f"; log "$reason"; return 1
  fi
  log "wrote $f: config_path = \"$CONTAINERD_CERTS_D\"; restarting containerd"
  out=$(sh -c "$RESTART_CONTAINERD" 2>&1)
  st=$?
  [ "$st" = 0 ] && { log "restarted containerd${out:+: $out}"; return 0; }
  problem "restarting containerd failed (status $st)${out:+: $out}"; log "$reason"
  return 1
}

# containerd_check: 0 when containerd reads hosts.toml files from CONTAINERD_CERTS_D; else the
# reason is the problem. A colon list naming it is split by the CRI pulls of containerd 1.x and
# 2.0, not by 2.1+'s transfer service (the default), unless use_local_image_pull = true.
containerd_check() {
  f=$CONTAINERD_CONFIG d=$CONTAINERD_CERTS_D
  if [ "$c_found" = 1 ]; then
    [ "$c_value" = "$d" ] && return 0
    if ! containerd_2x || [ "$c_local" = 1 ]; then case ":$c_value:" in *":$d:"*) return 0 ;; esac; fi
    problem "containerd config_path is \"$c_value\" in $f, not \"$d\""
    once "cp:$c_value" "$reason: hosts.toml files in $d are not read (containerd 2.1+ pulls ignore" \
      "colon lists unless use_local_image_pull = true): set config_path = \"$d\" or" \
      "nodeTrust.containerdConfigPath"
  elif [ "$c_legacy" = 1 ]; then
    problem "containerd config $f sets legacy registry mirrors (or configs.*.tls)"
    once legacy "$reason: config_path cannot be added while they are set (containerd would fail" \
      "to start: \"mirrors cannot be set when config_path is provided\"); move them to hosts.toml" \
      "files in $d"
  elif [ "$CONFIGURE_CONTAINERD" = ifMissing ]; then
    patch_containerd && { containerd_scan; return 0; }
  else
    problem "containerd has no config_path in $f"
    once nocp "$reason; set config_path = \"$d\" under" \
      "[plugins.\"io.containerd.grpc.v1.cri\".registry] (containerd 1.x) or" \
      "[plugins.\"io.containerd.cri.v1.images\".registry] (2.x), or set" \
      "nodeTrust.configureContainerd: ifMissing"
  fi
  return 1
}

# --- containerd: its files

# host_entry URL CAPS [KEY = VALUE...]: one host entry in the form this node's containerd reads
host_entry() {
  if [ "$ctd_form" = dotted ]; then
    printf '  "%s".capabilities = [%s]\n  "%s".ca = "%s"' "$1" "$2" "$1" "$ca"
    k=$1; shift 2; for kv in "$@"; do printf '\n  "%s".%s' "$k" "$kv"; done
  else
    printf '[host."%s"]\n  capabilities = [%s]\n  ca = "%s"' "$1" "$2" "$ca"
    shift 2; for kv in "$@"; do printf '\n  %s' "$kv"; done
  fi
}
# mirror_entry URL: a host entry of an upstream's mirror (the preloaded content or the cache): URL
# is its /v2 path
mirror_entry() { host_entry "$1" '"pull", "resolve"' 'override_path = true' 'dial_timeout = "2s"'; }
# host_table ENTRY...: the entries in this order (containerd tries them so; 1.x orders them by the
# line of a table's header or of an entry's first dotted key), dotted ones under one [host] line
host_table() {
  s=; [ "$ctd_form" = tables ] || { printf '[host]'; s=$nl; }
  for e in "$@"; do printf '%s%s' "$s" "$e"; s=$nl$nl; done
}

# containerd_form: "tables", or "dotted" on containerd 1.x when an entry's host is an IPv6 ClusterIP
# (the writer's, the mirror's, the copies' or a cache's): go-toml v1 refuses "]" in a table header,
# and gives inline tables under [host] no line (1.x would try them in random order); containerd
# 2.x reads only [host."URL"] tables
containerd_form() {
  ctd_form=tables why="containerd 1.6 to 2.x" v6=""
  for h in "$REGISTRY_HOST" "${MIRROR_URL#https://}" "${OWN_COPIES_URL#https://}" $caches; do
    ! ipv6 "$h" || v6=1
  done
  if [ -n "$v6" ]; then
    if containerd_2x; then why="IPv6 ClusterIP, $CONTAINERD_CONFIG of containerd 2.x"
    else ctd_form=dotted why="IPv6 ClusterIP, $CONTAINERD_CONFIG of containerd 1.x (no version = 3)"; fi
  fi
  form='[host."URL"] tables'
  [ "$ctd_form" = tables ] || form='dotted keys under [host]'
  once "form:$ctd_form" "containerd: hosts.toml entries as $form ($why)"
}

# containerd_write: ca.crt and hosts.toml for the ClusterIP and our names (the writer, then the
# copies), and for each upstream (its path in the mirror, then its cache if any, then the
# upstream: the server) while the mirror answers; our names get no server line (nodes cannot
# resolve them)
containerd_write() {
  d=$CONTAINERD_CERTS_D ca="$CONTAINERD_CERTS_D/$REGISTRY_HOST/ca.crt"
  containerd_form
  write_in_dir "$ca" "$ca_body"
  w=$(host_entry "$REGISTRY_URL" '"pull", "resolve", "push"') cw=
  [ -z "$OWN_COPIES_URL" ] || cw=$(host_entry "$OWN_COPIES_URL" '"pull", "resolve"')
  own="$HEADER$nl$(host_table "$w" ${cw:+"$cw"})"
  for h in "$REGISTRY_HOST" $names; do write_in_dir "$d/$h/hosts.toml" "$own"; done
  [ -n "$healthy" ] || return 0
  for m in $mirrors; do
    mirror_fields "$m"
    pre=$(mirror_entry "$MIRROR_URL/v2/$p") cw=
    [ -z "$c" ] || cw=$(mirror_entry "https://$c/v2")
    write_in_dir "$d/$u/hosts.toml" "$HEADER${nl}server = \"$e\"$nl$nl$(host_table "$pre" ${cw:+"$cw"})"
  done
}

# containerd_runs: this node has a containerd config (the DaemonSet's) whose CRI plugin is on
containerd_runs() {
  if [ ! -f "$CONTAINERD_CONFIG" ] && { [ "$CONFIGURE_CONTAINERD" != ifMissing ] || crio_runs; }; then
    once noctd "containerd: no $CONTAINERD_CONFIG on this node: not checked (files written)"
    summary="$summary; containerd: no config"; return 1
  fi
  if [ "$c_crioff" = 1 ]; then
    once crioff "containerd: $CONTAINERD_CONFIG disables the CRI plugin (not the kubelet's" \
      "runtime here): not checked (files written)"
    summary="$summary; containerd: CRI off"
    has "$RUNTIMES" docker && found=1  # Docker's containerd (cri-dockerd nodes)
    return 1
  fi
  found=1
}

# --- CRI-O (containers/image)

# crio_prefixes: the [[registry]] prefixes (else locations) of registries.conf and of the other
# drop-ins, one a line: an entry of ours with the same prefix would replace theirs, or be replaced
crio_prefixes() {
  set +f
  for f in "$CRIO_REGISTRIES_CONF" "$CRIO_REGISTRIES_D"/*.conf; do
    if [ ! -f "$f" ] || [ "$f" = "$CRIO_REGISTRIES_D/registry-addon.conf" ]; then continue; fi
    awk -v q="'" "$AWK_NORM"'
    function flush() { if (reg) print (pre != "" ? pre : loc); reg = 0; pre = loc = "" }
    /^[ \t]*\[/ {
      h = norm($0)
      if (h == "[[registry]]") { flush(); reg = 1 } else if (h !~ /^\[\[registry\./) flush()
      next
    }
    reg && /^[ \t]*prefix[ \t]*=/ { pre = val($0) }
    reg && /^[ \t]*location[ \t]*=/ { loc = val($0) }
    END { flush() }' "$f"
  done
  set -f
}

# crio_runs: CRI-O's own configuration is on this node
crio_runs() {
  set +f
  for f in "$CRIO_CONFIG_DIR/crio.conf" "$CRIO_CONFIG_DIR"/crio.conf.d/*; do
    [ -f "$f" ] && { set -f; return 0; }
  done
  set -f; return 1
}

# crio_autoreload: the last auto_reload_registries in crio.conf, then crio.conf.d (file order) is true
crio_autoreload() {
  set +f
  v=$(cat "$CRIO_CONFIG_DIR/crio.conf" "$CRIO_CONFIG_DIR"/crio.conf.d/* 2>/dev/null |
    sed -n 's/^[ \t]*auto_reload_registries[ \t]*=[ \t]*\([a-z]*\).*/\1/p' | tail -n 1)
  set -f
  [ "$v" = true ]
}

# crio_write: ca.crt for the trusted hosts; the drop-in mapping our names to the ClusterIP (mirrors:
# it, then the copies) and each upstream (while the mirror answers) to its path there, then its
# cache (which serves the upstream's repositories at its root), prefixes others define excepted.
# containers/image has no IPv6 literal in a location: then the CA only (and no IPv6 cache).
crio_write() {
  for h in $trusted; do write_in_dir "$CRIO_CERTS_D/$h/ca.crt" "$ca_body"; done
  if ipv6 "$REGISTRY_HOST"; then
    once crio6 "CRI-O: wrote the CA only: containers/image cannot use an IPv6 literal" \
      "($REGISTRY_HOST) as a registry location, so pulls by the registry's names and through the" \
      "mirror are not set up for CRI-O on this cluster"
    summary="$summary; cri-o: CA only (IPv6)"
    ! crio_runs || found=1  # certs.d is read at each pull: no reload needed
    return 0
  fi
  theirs=$(crio_prefixes)
  conf=$HEADER sep="" x="location = \"$REGISTRY_HOST\"" mi="$nl${nl}[[registry.mirror]]$nl"
  for n in $names; do
    listed "$theirs" "$n" && { conflict "$CRIO_REGISTRIES_D" "has another [[registry]] for $n"; continue; }
    conf="$conf$sep${nl}[[registry]]${nl}prefix = \"$n\"$nl$x" sep=$nl
    [ -z "$OWN_COPIES_URL" ] || conf="$conf$mi$x${mi}location = \"${OWN_COPIES_URL#https://}\""
  done
  for m in $mirrors; do
    [ -n "$healthy" ] || break
    mirror_fields "$m"
    listed "$theirs" "$u" && { conflict "$CRIO_REGISTRIES_D" "has another [[registry]] for $u"; continue; }
    conf="$conf$sep${nl}[[registry]]${nl}prefix = \"$u\"${nl}location = \"$u\"$mi"
    conf="${conf}location = \"${MIRROR_URL#https://}/$p\"" sep=$nl
    if ipv6 "$c"; then
      once "crio6:$c" "CRI-O: no mirror entry for the cache $c of $u: containers/image cannot use an IPv6" \
        "literal as a registry location"
    elif [ -n "$c" ]; then
      conf="$conf${mi}location = \"$c\""
    fi
  done
  write_file "$CRIO_REGISTRIES_D/registry-addon.conf" "$conf"
  if ! crio_runs; then summary="$summary; cri-o: not here"; return 0; fi
  found=1
  if crio_autoreload; then summary="$summary; cri-o: drop-in"; return 0; fi
  problem "CRI-O does not re-read $CRIO_REGISTRIES_D (no auto_reload_registries = true in $CRIO_CONFIG_DIR)"
  once noreload "$reason: add auto_reload_registries = true under [crio.image] in a file in" \
    "$CRIO_CONFIG_DIR/crio.conf.d/ and restart crio once (CRI-O reads drop-ins only at start or on SIGHUP)"
}

# --- Docker: trust only (its mirrors are daemon.json's, and need a restart)
docker_write() { for h in $trusted; do write_in_dir "$DOCKER_CERTS_D/$h/ca.crt" "$ca_body"; done; }

# --- health and state

# probe: 0 when the mirror answers (run in the background so that SIGTERM need not wait)
# (timeout, not wget -T: Debian's busybox 1.35 wget has no -T and crashes on it)
probe() {
  if [ -n "$PROBE" ]; then sh -c "$PROBE" &
  else timeout 5 wget -q --no-check-certificate -O /dev/null "$MIRROR_URL/v2/" 2>/dev/null &
  fi
  kid=$!
  wait "$kid"
  st=$? kid=""
  return "$st"
}

# set_state: $STATE_DIR/ready, or $STATE_DIR/reason with the reason; a change is logged
set_state() {
  mkdir -p "$STATE_DIR" || log "cannot create $STATE_DIR"
  if [ -z "$reason" ]; then
    rm -f "$STATE_DIR/reason"
    [ -f "$STATE_DIR/ready" ] || : > "$STATE_DIR/ready"
    line="ready${summary:+ (${summary#; })}"
  else
    rm -f "$STATE_DIR/ready"
    printf '%s\n' "$reason" > "$STATE_DIR/.reason" && mv -f "$STATE_DIR/.reason" "$STATE_DIR/reason"
    line="not ready: $reason"
  fi
  [ "$line" = "$state" ] || log "state: $line"
  state=$line
}

# pass_install: one pass; status 0 when ready
pass_install() {
  wanted="" reason=$cfg_problem summary="" found="" crio_where=""
  ! has "$RUNTIMES" cri-o || crio_where=" nor $CRIO_CONFIG_DIR/crio.conf(.d) (CRI-O)"
  ca_pem=
  [ -f "$CA_FILE" ] && ca_pem=$(cat "$CA_FILE")
  case $ca_pem in
  *"-----BEGIN CERTIFICATE-----"*) ;;
  *) problem "no CA certificate in $CA_FILE (yet)"; once noca "$reason; nothing written"
    set_state; return 1 ;;
  esac
  was=$healthy healthy=
  probe && healthy=1
  if [ "$healthy" != "$was" ] || [ -z "$ran" ]; then
    if [ -n "$healthy" ]; then log "registry mirror at $MIRROR_URL answers; mirrors on"
    else log "registry mirror at $MIRROR_URL does not answer; mirrors withdrawn"; fi
  fi
  [ -n "$healthy" ] ||
    problem "the registry mirror does not answer at $MIRROR_URL/v2/ from this node (mirrors withdrawn)"
  ran=1 ca_body="$HEADER$nl$ca_pem"
  if has "$RUNTIMES" containerd; then
    containerd_scan
    containerd_write
    # after the writes: a restart finds the files in place
    if containerd_runs && containerd_check; then summary="$summary; containerd: $ctd_form"; fi
  fi
  has "$RUNTIMES" cri-o && crio_write
  has "$RUNTIMES" docker && docker_write
  [ -n "$found" ] || problem "no container runtime found: no $CONTAINERD_CONFIG (containerd)$crio_where;" \
    "set nodeTrust.containerdConfigFile and containerdConfigPath to this node's (k3s, RKE2, ...)"
  sweep
  set_state
  [ -z "$reason" ]
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
  reason="" summary="removed"
  set_state
}

ca_sum() { sha256sum "$CA_FILE" 2>/dev/null | cut -d' ' -f1; }
pause() { sleep "$1" & kid=$!; wait "$kid"; kid=; }
# on_stop: end the pending sleep or probe, and wait for it, before exiting. jobs -p, not $kid:
# the signal may land between "&" and "kid=$!"
on_stop() {
  stop_kids=$(jobs -p)
  # shellcheck disable=SC2086 # a list of pids
  if [ -n "$stop_kids" ]; then kill $stop_kids 2>/dev/null; wait $stop_kids 2>/dev/null; fi
  log "stopping"
  exit 0
}

# main loop
ran="" one_pass=""
[ -z "$ONCE" ] || [ "$ONCE" = 0 ] || one_pass=1
trap on_stop TERM INT
check_config
if [ "$MODE" = remove ]; then
  pass_remove
  [ -z "$one_pass" ] || exit 0
  while :; do pause 3600; done
fi
sum=$(ca_sum) last=$(date +%s)
pass_install
st=$?
[ -z "$one_pass" ] || exit "$st"
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
