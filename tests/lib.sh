# tests/lib.sh - sourced by the shell suites that start processes (registry.sh,
# tls.sh, node.sh, node-e2e.sh): result lines, a temp dir, and every process started in its own
# session, ended with its whole group on exit. Set SUITE first.
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok - $SUITE $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $SUITE $1"; local f; for f in "${@:2}"; do [ -s "$f" ] && tail -n 15 "$f" | sed 's/^/    /'; done; }
# t NAME COND [FILE...]: eval COND (save statuses in a variable first: a
# command substitution in NAME would reset $?); FILEs are shown on failure
t()   { if eval "$2"; then ok "$1"; else bad "$1" "${@:3}"; fi; }
finish() { echo "# $SUITE: ${SECONDS}s in all"; echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit; }
note() { echo "# $*"; }

# every process a suite starts runs in its own session (setsid without a fork:
# a non-interactive bash's background child is no group leader); its pid goes
# into groups, and cleanup ends each group
groups=()
tmp=$(mktemp -d "/tmp/$SUITE-test.XXXXXX") || exit 2
cleanup() {
	local g
	exec 2> /dev/null   # no job-status noise for what we kill
	for g in "${groups[@]}"; do kill -KILL -- "-$g" 2> /dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# group_pids PGID: live (not zombie) processes in process group PGID
group_pids() {
	local want=$1 f s
	for f in /proc/[0-9]*/stat; do
		read -r s 2> /dev/null < "$f" || continue
		set -- ${s##*) }
		[ "$1" != Z ] && [ "$3" = "$want" ] && echo "${f//[^0-9]/}"
	done
	return 0
}

# busybox_path BUSYBOX DIR: DIR holds a link for every applet of BUSYBOX (a PATH of busybox
# applets only, as in a busybox or Alpine image)
# cm_files STREAM NAME DIR: each data key of ConfigMap NAME in the YAML stream file STREAM as
# DIR/KEY (the yaml package of tests/schema/setup.sh)
cm_files() {
	node --input-type=module -e '
	import { readFileSync, writeFileSync } from "fs";
	import { parseAllDocuments } from "./tests/schema/node_modules/yaml/dist/index.js";
	for (const d of parseAllDocuments(readFileSync(process.argv[1], "utf8"))) {
		const o = d.toJS();
		if (o && o.kind === "ConfigMap" && o.metadata.name === process.argv[2])
			for (const [k, v] of Object.entries(o.data)) writeFileSync(process.argv[3] + "/" + k, v);
	}' "$@"
}
busybox_path() { local a; mkdir -p "$2" && for a in $("$1" --list); do ln -sf "$1" "$2/$a"; done; }

# a free TCP port on loopback
free_port() {
	if command -v python3 > /dev/null; then
		python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
	else
		node -e 'const s = require("net").createServer();
			s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
	fi
}

# oci_image LAYOUT TAG TEXT: a one-layer OCI image layout at LAYOUT, tagged TAG, whose layer holds
# hello.txt = TEXT; the blobs also as $tmp/{layer.tar.gz,config.json,manifest.json}. Sets the
# digests (hex) layer, cfg and man.
oci_image() {
	local lay=$1 d
	mkdir -p "$lay/blobs/sha256" "$tmp/rootfs"
	printf '%s\n' "$3" > "$tmp/rootfs/hello.txt"
	tar -C "$tmp/rootfs" --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$tmp/layer.tar" hello.txt
	gzip -n -c "$tmp/layer.tar" > "$tmp/layer.tar.gz"
	_blob() { d=$(sha256sum "$1" | cut -d' ' -f1); cp "$1" "$lay/blobs/sha256/$d"; echo "$d"; }
	_size() { wc -c < "$1" | tr -d ' '; }
	layer=$(_blob "$tmp/layer.tar.gz")
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/hello.txt"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)" > "$tmp/config.json"
	cfg=$(_blob "$tmp/config.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
		"$cfg" "$(_size "$tmp/config.json")" "$layer" "$(_size "$tmp/layer.tar.gz")" > "$tmp/manifest.json"
	man=$(_blob "$tmp/manifest.json")
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
		"$man" "$(_size "$tmp/manifest.json")" "$2" > "$lay/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' > "$lay/oci-layout"
}

# cri IMAGE: the CRI call kubelet makes, runtime.v1.ImageService/PullImage{image: {image: IMAGE}},
# as gRPC over HTTP/2 with curl on $sock; sets cst (grpc-status), cmsg (grpc-message), cref (the
# image digest); $tmp/cri.last is the call, $tmp/cri.log all of them
cri() {
	local n=${#1} a b c
	[ "$n" -lt 120 ] || { cst=x cmsg="name too long for this encoder"; return 1; }
	printf -v a '\\x%02x' $((n + 4)); printf -v b '\\x%02x' $((n + 2)); printf -v c '\\x%02x' "$n"
	printf "\\x00\\x00\\x00\\x00$a\\x0a$b\\x0a$c%s" "$1" > "$tmp/cri.req"
	: > "$tmp/cri.hdr"; : > "$tmp/cri.out"
	curl -sS --http2-prior-knowledge --unix-socket "$sock" --max-time 60 -H 'content-type: application/grpc' \
		-H 'te: trailers' --data-binary @"$tmp/cri.req" -D "$tmp/cri.hdr" -o "$tmp/cri.out" \
		http://localhost/runtime.v1.ImageService/PullImage 2> "$tmp/cri.curl"
	cst=$(tr -d '\r' < "$tmp/cri.hdr" | sed -n 's/^grpc-status: *//p')
	cmsg=$(tr -d '\r' < "$tmp/cri.hdr" | sed -n 's/^grpc-message: *//p')
	cref=$(grep -ao 'sha256:[0-9a-f]\{64\}' "$tmp/cri.out")
	{ echo "cri pull $1: grpc-status ${cst:-none} $cmsg"; cat "$tmp/cri.curl"; } > "$tmp/cri.last"
	cat "$tmp/cri.last" >> "$tmp/cri.log"
	[ "$cst" = 0 ]
}

# missing_pkgs CMD:PKG...: the Debian packages (sorted, space-separated) whose command is not on
# PATH (nor in /usr/libexec/podman, where podman keeps its helpers)
missing_pkgs() {
	local m=() c
	for c in "$@"; do
		command -v "${c%%:*}" > /dev/null || [ -x "/usr/libexec/podman/${c%%:*}" ] || m+=("${c#*:}")
	done
	[ ${#m[@]} = 0 ] || printf '%s\n' "${m[@]}" | sort -u | tr '\n' ' '
}
# install_missing CMD:PKG...: apt-get installs what missing_pkgs names; sets missing to what still is
install_missing() {
	missing=$(missing_pkgs "$@")
	if [ -n "$missing" ] && command -v apt-get > /dev/null; then
		note "installing $missing"
		# shellcheck disable=SC2086  # a list of package names
		DEBIAN_FRONTEND=noninteractive apt-get update -qq > /dev/null &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing > /dev/null
		missing=$(missing_pkgs "$@")
	fi
}

# test_pki SAN: throw-away ECDSA P-256 CAs $tmp/ca.{crt,key} and $tmp/wrongca.{crt,key}, and a server
# certificate $tmp/tls.{crt,key} for CN $NAME signed by the first, subjectAltName SAN (openssl's
# messages in $tmp/openssl.log); status 0 when all were made
test_pki() {
	local c
	for c in ca wrongca; do
		openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-keyout "$tmp/$c.key" -out "$tmp/$c.crt" -subj "/CN=$SUITE $c" -addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign 2>> "$tmp/openssl.log" || return 1
	done
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/tls.key" \
		-out "$tmp/tls.csr" -subj "/CN=$NAME" 2>> "$tmp/openssl.log" &&
		printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$1" > "$tmp/ext" &&
		openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -set_serial 7 -days 1 \
			-extfile "$tmp/ext" -out "$tmp/tls.crt" 2>> "$tmp/openssl.log"
}
