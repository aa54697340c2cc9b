#!/usr/bin/env bash
# Installs what building and testing need and is missing: Debian packages
# (after apt-get update) and the schema validator's npm modules. Idempotent
# and quiet when everything is there.
set -eu
cd "$(dirname "$0")/.."

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in gcc make pkg-config libfyaml-dev libyaml-dev libssl-dev libcjson-dev; do
	have_pkg "$p" || need+=("$p")
done
# tests: clang with libFuzzer and the sanitizers' runtime (tests/fuzz.sh), llvm-cov and
# llvm-profdata (make fuzz-cov), valgrind, timing and node for schemas;
# the real registry, client, shell and container runtime the registry and node tests run;
# PyYAML with libyaml, an independent reader for tests/wspread.sh
for p in valgrind clang libclang-rt-14-dev llvm time docker-registry skopeo busybox openssl curl containerd groff-base man-db \
	apache2-utils zsh python3-yaml; do
	have_pkg "$p" || need+=("$p")
done
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || need+=(nodejs npm)

if [ ${#need[@]} -gt 0 ]; then
	echo "deps: installing ${need[*]}" >&2
	sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >/dev/null
	$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
bash tests/schema/setup.sh
# the field lab: containerd 1.7 and 2.1, busybox 1.37 from Debian's newer suites (.cache/fieldlab;
# suites that need a piece that could not be fetched say "# not run")
bash tests/fieldlab.sh >&2 || echo "deps: the field lab is incomplete (see above)" >&2
