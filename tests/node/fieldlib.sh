# tests/node/fieldlib.sh - sourced by tests/node-field.sh and tests/registry-field.sh (after
# tests/lib.sh): containerd daemons of several versions, pods under podman kube play and the
# images they run, the registry.
# shellcheck shell=bash disable=SC2034,SC2154  # globals shared with the suite (tmp, groups, ctd_v...)

# --- containerd: one daemon per version, each with its own root, state and socket

# ctd_config VERSION ROOT DIR: the config.toml of a node running containerd VERSION (1.6, 1.7:
# version = 2; 2.1: version = 3), root, state and sockets under DIR, the CRI plugin on with the
# native snapshotter (no mounts), config_path = /etc/containerd/certs.d as on a node
ctd_config() {
	local v=$1 d=$3
	local off='"io.containerd.snapshotter.v1.overlayfs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.blockfile",
  "io.containerd.snapshotter.v1.erofs", "io.containerd.internal.v1.opt", "io.containerd.nri.v1.nri",
  "io.containerd.grpc.v1.introspection.tracing", "io.containerd.tracing.processor.v1.otlp"'
	case $v in
	1.*) cat <<-TOML
		version = 2
		root = "$d/root"
		state = "$d/state"
		disabled_plugins = [$off]
		[grpc]
		  address = "$d/containerd.sock"
		[ttrpc]
		  address = "$d/containerd.sock.ttrpc"
		[plugins."io.containerd.grpc.v1.cri"]
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		[plugins."io.containerd.grpc.v1.cri".containerd]
		  snapshotter = "native"
		[plugins."io.containerd.grpc.v1.cri".cni]
		  bin_dir = "$d/cni/bin"
		  conf_dir = "$d/cni/net.d"
		[plugins."io.containerd.grpc.v1.cri".registry]
		  config_path = "/etc/containerd/certs.d"
		[plugins."io.containerd.transfer.v1.local"]
		  unpack_config = [{platform = "linux/amd64", snapshotter = "native"}]
		TOML
		;;
	*) cat <<-TOML
		version = 3
		root = "$d/root"
		state = "$d/state"
		disabled_plugins = [$off]
		[grpc]
		  address = "$d/containerd.sock"
		[ttrpc]
		  address = "$d/containerd.sock.ttrpc"
		[plugins."io.containerd.grpc.v1.cri"]
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		[plugins."io.containerd.cri.v1.images"]
		  snapshotter = "native"
		[plugins."io.containerd.transfer.v1.local"]
		  unpack_config = [{platform = "linux/amd64", snapshotter = "native"}]
		[plugins."io.containerd.cri.v1.images".registry]
		  config_path = "/etc/containerd/certs.d"
		[plugins."io.containerd.cri.v1.runtime".cni]
		  bin_dirs = ["$d/cni/bin"]
		  conf_dir = "$d/cni/net.d"
		TOML
		;;
	esac
}

# ctd_start VERSION BINDIR ROOT DIR: containerd VERSION (BINDIR holds containerd and ctr) as a
# node runs it: in a mount namespace of its own where ROOT/etc/containerd is /etc/containerd, so
# it reads ROOT/etc/containerd/config.toml (written here) and the hosts.toml files the pod wrote
# under ROOT/etc/containerd/certs.d by the paths a node has; nothing is mounted outside it. Sets
# sock and ctr (the matching client); status 0 when its CRI plugin is up
ctd_start() {
	local v=$1 b=$2 r=$3 d=$4 i
	mkdir -p "$r/etc/containerd/certs.d" "$d/cni/bin" "$d/cni/net.d"
	ctd_config "$v" "$r" "$d" > "$r/etc/containerd/config.toml"
	sock=$d/containerd.sock ctr=$b/ctr
	# shellcheck disable=SC2016  # the inner shell's arguments
	setsid unshare -m --propagation private sh -c \
		'mount --bind "$1/etc/containerd" /etc/containerd && exec "$2/containerd" --config /etc/containerd/config.toml' \
		ctd "$r" "$b" > "$d/containerd.log" 2>&1 &
	groups+=("$!"); ctd_pid=$!
	for ((i = 0; i < 100; i++)); do "$ctr" -a "$sock" version > /dev/null 2>&1 && break; sleep 0.1; done
	"$ctr" -a "$sock" plugins ls > "$d/plugins" 2>&1 && grep -Eq "io.containerd.(grpc.v1 +cri|cri.v1 +images) .* ok" "$d/plugins"
}

# cri IMAGE: tests/lib.sh (kubelet's PullImage over $sock)
# nctr ARGS: this version's ctr inside the daemon's mount namespace (the node's paths: the
# hosts.toml files name their ca.crt as /etc/containerd/certs.d/...)
nctr() { nsenter -t "$ctd_pid" -m -- "$ctr" -a "$sock" "$@"; }
# pull [--debug] IMAGE: ctr images pull --hosts-dir /etc/containerd/certs.d (2.x: --local, else
# its transfer service ignores --hosts-dir), namespace field; output in $tmp/pull.log
pull() {
	local dbg=() loc=(); [ "$1" = --debug ] && { dbg=(--debug); shift; }
	case $ctd_v in 1.*) ;; *) loc=(--local) ;; esac
	timeout 60 nsenter -t "$ctd_pid" -m -- "$ctr" -a "$sock" -n field "${dbg[@]}" images pull "${loc[@]}" \
		--snapshotter native --hosts-dir /etc/containerd/certs.d "$1" > "$tmp/pull.log" 2>&1
}
# digest NS IMAGE: the manifest digest of IMAGE in containerd's namespace NS
digest() { nctr -n "$1" images ls "name==$2" 2> /dev/null | awk 'NR == 2 { print $3 }'; }
# tried HOST: the last ctr --debug pull resolved against HOST
tried() { sed -n 's/.*msg=resolving host=//p' "$tmp/pull.log" | tr -d '"' | awk '{ print $1 }' | grep -qxF "$1"; }
# hosts_tried: the hosts the last ctr --debug pull resolved against, in order, each once
hosts_tried() { sed -n 's/.*msg=resolving host=//p' "$tmp/pull.log" | tr -d '"' | awk '!seen[$1]++ { printf "%s ", $1 }'; }

# --- podman: the suite's own storage (vfs), run root and lock dir; containers.conf of field-lab §2

pm() {
	CONTAINERS_CONF=$tmp/containers.conf podman --root "$tmp/pm/storage" --runroot "$tmp/pm/run" \
		--tmpdir "$tmp/pm/tmp" --storage-driver vfs "$@"
}
pm_setup() {
	mkdir -p "$tmp/pm"
	cat > "$tmp/containers.conf" <<-'TOML'
		[containers]
		default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
		[engine]
		cgroup_manager = "cgroupfs"
		runtime = "runc"
	TOML
}
# image_busybox BUSYBOX NAME: the image NAME built from the static BUSYBOX (/bin/busybox and a
# link per applet; PATH and CMD as in Docker's busybox image)
image_busybox() {
	local r=$tmp/bbroot a
	mkdir -p "$r/bin" && cp "$1" "$r/bin/busybox" || return 1
	for a in $("$1" --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
	tar -C "$r" -c . | pm import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'CMD ["sh"]' - "$2"
}

# image_registry BUSYBOX REGISTRY NAME: the image NAME (the registry pod's) built from the static
# BUSYBOX (/bin/sh and the other applets, as in the Alpine-based registry image) and Distribution's
# binary REGISTRY as /bin/registry with the two libc files it links
image_registry() {
	local r=$tmp/regroot a l
	mkdir -p "$r/bin" "$r/etc" && cp "$1" "$r/bin/busybox" && cp "$2" "$r/bin/registry" || return 1
	for a in $("$1" --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
	for l in $(ldd "$2" | grep -o '/[^ ]*'); do mkdir -p "$r${l%/*}" && cp -L "$l" "$r$l" || return 1; done
	printf 'root:x:0:0:root:/root:/bin/sh\nregistry:x:1000:1000::/var/lib/registry:/bin/sh\n' > "$r/etc/passwd"
	tar -C "$r" -c . | pm import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'CMD ["/bin/registry", "serve", "/etc/docker/registry/config.yml"]' - "$3"
}

# play MANIFEST ROOT: the node DaemonSet of MANIFEST as a Pod (tests/node/fieldpod.mjs), its host
# paths under ROOT, started with podman kube play; sets pod_yaml and ctr_name
play() {
	pod_yaml=$tmp/pod-$((++plays)).yaml
	node tests/node/fieldpod.mjs pod "$1" "$NODE_NS" "$2" > "$pod_yaml" 2> "$tmp/fieldpod.err" || return 1
	while read -r l; do listed_note "$l"; done < "$tmp/fieldpod.err"
	pm kube play "$pod_yaml" > "$tmp/play.log" 2>&1 || return 1
	ctr_name=$(pm ps -a --pod --format '{{.Names}} {{.IsInfra}}' | awk '$2 == "false" { print $1 }')
	[ -n "$ctr_name" ]
}
# listed_note LINE: print "# LINE" once per run
listed_note() { case $'\n'$noted$'\n' in *$'\n'"$1"$'\n'*) ;; *) noted+=$'\n'$1; note "$1" ;; esac; }
# down: the pod gone (podman kube down), its volumes too (the next play makes them afresh)
down() {
	[ -n "${pod_yaml:-}" ] || return 0
	pm logs "$ctr_name" > "$tmp/pod-$plays.log" 2>&1
	pm kube down "$pod_yaml" > /dev/null 2>&1
	pm pod rm -f -a > /dev/null 2>&1
	pm volume rm -f -a > /dev/null 2>&1
	pod_yaml='' ctr_name=''
}
# probe: the manifest's readinessProbe.exec.command ($probe_cmd) in the pod; sets pst and pout
probe() { pout=$(pm exec "$ctr_name" "${probe_cmd[@]}" 2>&1); pst=$?; }
# wait_ready SECONDS: the probe passes within SECONDS; else pout says why
wait_ready() {
	local end=$((SECONDS + $1))
	while :; do
		probe; [ "$pst" = 0 ] && return 0
		[ $SECONDS -lt "$end" ] || return 1
		sleep 0.3
	done
}
# wait_for SECONDS COND: COND (evaluated) holds within SECONDS
wait_for() { local end=$((SECONDS + $1)); until eval "$2"; do [ $SECONDS -lt "$end" ] || return 1; sleep 0.2; done; }
# state FILE: the pod's $STATE_DIR/FILE (status 1: absent)
state() { pm exec "$ctr_name" cat "$STATE_DIR/$1" 2> /dev/null; }
# podlog: the pod's log so far, as a file for bad()
podlog() { pm logs "$ctr_name" > "$tmp/podlog" 2>&1; echo "$tmp/podlog"; }
# nudge: what the kubelet does when ConfigMap registry-ca changes: the mounted CA file changes
# (one more trailing newline: the same certificate, another checksum), and the script runs a pass
# within TICK s
nudge() { echo >> "$(pm volume inspect registry-ca --format '{{.Mountpoint}}')/${CA_FILE##*/}"; }

# --- the registry (Distribution) with a given certificate, on a given address

# reg_start NAME ADDR CERT KEY [UPSTREAM]: docker-registry NAME serving $tmp/data at ADDR (host:port)
# with CERT/KEY; with UPSTREAM (https://HOST) a pull-through cache of it instead, as the registry
# pod's cache container runs one (proxy mode, a storage of its own; the upstream's certificate
# checked against $tmp/ca.crt as Go's system roots); its log $tmp/NAME.log; sets reg_NAME (its pid)
reg_start() {
	local i u data=$tmp/data px=""
	[ -z "${5:-}" ] || data=$tmp/$1-data px="proxy: {remoteurl: \"$5\"}"
	cat > "$tmp/$1.yml" <<-YML
		version: 0.1
		log: {accesslog: {disabled: false}, level: info}
		storage: {filesystem: {rootdirectory: $data}}
		http: {addr: "$2", tls: {certificate: $3, key: $4}}
		$px
	YML
	SSL_CERT_FILE=$tmp/ca.crt setsid docker-registry serve "$tmp/$1.yml" >> "$tmp/$1.log" 2>&1 &
	groups+=("$!"); printf -v "reg_$1" %s "$!"
	u="https://$2/v2/"; u=${u/:443\//\/}
	for ((i = 0; i < 100; i++)); do
		curl -gskf "$u" > /dev/null 2>&1 && return 0
		kill -0 "$!" 2> /dev/null || return 1
		sleep 0.1
	done
	return 1
}
reg_stop() {
	local p="reg_$1" i
	[ -n "${!p:-}" ] || return 0
	kill -TERM -- "-${!p}" 2> /dev/null
	for ((i = 0; i < 50; i++)); do kill -0 "${!p}" 2> /dev/null || break; sleep 0.1; done
	printf -v "$p" %s ''
}
# mark NAME...: remember the size of each registry NAME's log; served NAME METHOD PATH: since its
# mark, containerd got a 200 for METHOD PATH from it
declare -A regmark
mark() { local n; for n; do regmark[$n]=$(stat -c %s "$tmp/$n.log"); done; }
served() {
	tail -c "+$((${regmark[$1]:-0} + 1))" "$tmp/$1.log" | grep -v '^time=' > "$tmp/reg.since"
	grep -F "\"$2 $3?ns=" "$tmp/reg.since" | grep -q '" 200 .*"containerd/'
}
# hit NAME METHOD PATH CODE AGENT: since the mark, registry NAME answered METHOD PATH (any query)
# with CODE to a client whose User-Agent begins with AGENT
hit() {
	tail -c "+$((${regmark[$1]:-0} + 1))" "$tmp/$1.log" | grep -v '^time=' > "$tmp/reg.since"
	grep -F -e "\"$2 $3?" -e "\"$2 $3 HTTP/" "$tmp/reg.since" | grep -F "\" $4 " | grep -qF "\"$5"
}

# --- what every field suite shares: loud "not run" lines, and the host state podman leaves
notrun=()
# notrun WHAT: loud, and repeated in the summary
notrun() { notrun+=("$*"); echo "# not run: $*"; }

# containerd_versions WHAT: versions=(V:BINDIR...) of the containerds to run: Debian 12's 1.6 and
# the 1.7 and 2.1 tests/fieldlab.sh fetched (fieldlab_main has run, its stderr in
# $tmp/fieldlab.err); each one missing says "# not run: containerd V WHAT: why"
containerd_versions() {
	local v d
	versions=()
	v=$(containerd --version | awk '{ print $3 }')
	case $v in v1.6.* | 1.6.*) versions+=("1.6:$(dirname "$(command -v containerd)")") ;;
	*) notrun "containerd 1.6 $1: this machine's containerd is $v" ;; esac
	for v in 1.7 2.1; do
		d=$(fieldlab_dir "containerd-$v")
		if [ -n "$d" ] && [ -x "$d/usr/bin/ctr" ]; then versions+=("$v:$d/usr/bin")
		else notrun "containerd $v $1: not fetched ($(grep "containerd-$v" "$tmp/fieldlab.err"))"; fi
	done
}
# the pods go before lib.sh's cleanup removes their storage; outside it, podman and skopeo leave
# containers/image's blob cache and runc's state directory: removed (unmake) when this run made them
made=()
[ -e /var/lib/containers ] || made+=(/var/lib/containers/cache/blob-info-cache-v1.boltdb /var/lib/containers/cache /var/lib/containers)
[ -e /run/runc ] || made+=(/run/runc)
# shellcheck disable=SC2317  # called from the trap
unmake() { local d; for d in "${made[@]}"; do rm -f "$d" 2> /dev/null || rmdir "$d" 2> /dev/null; done; }
