#!/usr/bin/env bash
# tests/capture-fixtures.sh - regenerate the "real face" fixtures from the real tools.
#
# Each fixture is the byte-exact input that a real program hands to registry-addon,
# captured by a dump program that copies its stdin to a file and echoes it back:
#
#   fixtures/example.yaml                 helm3 template demo chart/ (plain render, hooks included)
#   fixtures/helm3-postrender.yaml        stdin of a Helm 3 --post-renderer executable
#   fixtures/helm4-postrender.yaml        stdin of a Helm 4 postrenderer/v1 plugin
#   fixtures/krm-kpt.yaml                 ResourceList from kpt fn eval --exec
#   fixtures/krm-kpt-render.yaml          ResourceList from kpt fn render (Kptfile exec: mutator)
#   fixtures/legacy-kustomize.yaml        stdin of a legacy kustomize exec plugin
#   fixtures/config/legacy-kustomize.yaml the config file that plugin gets as argv[1]
#
# Needs: tests/tools.sh (Helm 3 and 4), kubectl (built-in kustomize), kpt.
# Environment: KUBECTL, KPT override the binaries; OUT (default $REPO/fixtures) is where
# fixtures are written; KEEP=1 keeps the work directory (with each capture's argv and
# environment) and prints its path.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$REPO/fixtures}
KUBECTL=${KUBECTL:-kubectl}
KPT=${KPT:-kpt}

# shellcheck source=tests/tools.sh
. "$REPO/tests/tools.sh"
tools_ensure
HELM3=$TOOLS_CACHE/helm3
HELM4=$TOOLS_CACHE/helm4

# kpt fn render puts the package's absolute path into every item
# (internal.config.kubernetes.io/package-path), so that package must live at a fixed
# path for the fixture to be reproducible.
RENDER_ROOT=/tmp/registry-addon-capture
WORK=$(mktemp -d)
cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then
		echo "capture-fixtures.sh: work directories kept: $WORK $RENDER_ROOT" >&2
	else
		rm -rf "$WORK" "$RENDER_ROOT"
	fi
}
trap cleanup EXIT
rm -rf "$RENDER_ROOT"
mkdir -p "$OUT" "$WORK/capture" "$WORK/bin" "$RENDER_ROOT"

say() {
	printf 'capture-fixtures.sh: %s\n' "$*" >&2
}

die() {
	say "error: $*"
	exit 1
}

# make_dump FILE NAME: write a dump program to FILE. When run, it saves its stdin to
# $WORK/capture/NAME.stdin (and argv, environment, argv[1]'s content when that is a
# file) and writes the same bytes to stdout, so the calling tool sees no change.
make_dump() {
	mkdir -p "$(dirname "$1")"
	cat >"$1" <<DUMP
#!/bin/sh
out='$WORK/capture/$2'
printf '%s\n' "\$@" >"\$out.argv"
env | LC_ALL=C sort >"\$out.env"
pwd >"\$out.cwd"
if [ \$# -ge 1 ] && [ -f "\$1" ]; then cp "\$1" "\$out.arg1"; fi
exec tee "\$out.stdin"
DUMP
	chmod 0755 "$1"
}

# Every Helm run gets its own empty HELM_* homes (a Helm 4 plugin in a shared plugin
# directory breaks Helm 3).
helm_homes() {
	export HELM_DATA_HOME=$WORK/$1/data HELM_CONFIG_HOME=$WORK/$1/config HELM_CACHE_HOME=$WORK/$1/cache
	unset HELM_PLUGINS
}

cd "$REPO"

# 1. Plain render: what `helm template` prints, hooks and tests included.
say "helm3 template ($("$HELM3" version --template '{{.Version}}'))"
(helm_homes helm3 && "$HELM3" template demo chart/ --namespace demo) >"$WORK/example.yaml"

# 2. Helm 3 post-renderer: an executable path.
make_dump "$WORK/bin/dump-helm3" helm3
(helm_homes helm3 && "$HELM3" template demo chart/ --namespace demo \
	--post-renderer "$WORK/bin/dump-helm3") >"$WORK/helm3.stdout"
# helm template prints the post-renderer's output, then the hooks (never post-rendered).
head -c "$(wc -c <"$WORK/capture/helm3.stdin")" "$WORK/helm3.stdout" | cmp -s - "$WORK/capture/helm3.stdin" ||
	die "helm3 did not print the post-renderer's output first"

# 3. Helm 4 post-renderer: a postrenderer/v1 plugin, installed in development mode.
say "helm4 template --post-renderer dump ($("$HELM4" version --template '{{.Version}}'))"
make_dump "$WORK/plugin-src/dump/dump.sh" helm4
cat >"$WORK/plugin-src/dump/plugin.yaml" <<'PLUGIN'
apiVersion: v1
type: postrenderer/v1
name: dump
version: 0.1.0
runtime: subprocess
runtimeConfig:
  platformCommand:
  - command: ${HELM_PLUGIN_DIR}/dump.sh
PLUGIN
(
	helm_homes helm4
	"$HELM4" plugin install "$WORK/plugin-src/dump" >/dev/null
	"$HELM4" template demo chart/ --namespace demo --post-renderer dump >"$WORK/helm4.stdout"
)

# The KRM functions and the legacy plugin are found as `registry-addon` on $PATH, so
# that no temporary path shows up in what the tools send (the Kptfile is an item).
make_dump "$WORK/bin/registry-addon" kpt-eval
PATH_DUMP=$WORK/bin:$PATH

# kpt package: the plain render split by template file into a few files.
new_pkg() {
	local pkg=$1
	mkdir -p "$pkg/hooks"
	cat >"$pkg/Kptfile" <<'KPTFILE'
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: demo
  annotations:
    config.kubernetes.io/local-config: "true"
info:
  description: The demo chart, rendered by helm template.
KPTFILE
	awk -v pkg="$pkg" '
		/^# Source: / {
			f = $3; sub(/^demo\/templates\//, "", f)
			if (f ~ /^(serviceaccount|configmap|service|deployment)\.yaml$/) out = pkg "/app.yaml"
			else if (f ~ /^(statefulset|cronjob|daemonset)\.yaml$/) out = pkg "/workloads.yaml"
			else out = pkg "/hooks/hooks.yaml"
			if (seen[out]++) print "---" > out
			next
		}
		/^---$/ { next }
		{ print > out }
	' "$WORK/example.yaml"
}

# 4. kpt fn eval --exec, with a ConfigMap function config from `-- key=value`.
say "kpt fn eval ($("$KPT" version))"
new_pkg "$WORK/kpt-eval/demo"
(cd "$WORK/kpt-eval" && PATH=$PATH_DUMP "$KPT" fn eval demo --exec registry-addon \
	-- namespace=registry-system registry.replicas=3) >"$WORK/kpt-eval.log" 2>&1 ||
	{ cat "$WORK/kpt-eval.log" >&2; die "kpt fn eval failed"; }

# 5. kpt fn render with a Kptfile exec: mutator and a configMap.
# kpt builds functionConfig.data from the configMap through a Go map, so its key order
# changes from run to run: render until it comes in the Kptfile's order, so that the
# fixture is reproducible (any order is real kpt output).
make_dump "$WORK/bin/registry-addon" kpt-render
for try in $(seq 1 30); do
	rm -rf "${RENDER_ROOT:?}/demo"
	new_pkg "$RENDER_ROOT/demo"
	cat >>"$RENDER_ROOT/demo/Kptfile" <<'KPTFILE'
pipeline:
  mutators:
  - exec: registry-addon
    configMap:
      namespace: registry-system
      registry.replicas: "3"
KPTFILE
	(cd "$RENDER_ROOT" && PATH=$PATH_DUMP "$KPT" fn render demo --allow-exec) \
		>"$WORK/kpt-render.log" 2>&1 ||
		{ cat "$WORK/kpt-render.log" >&2; die "kpt fn render failed"; }
	if grep -qxF '  data: {namespace: registry-system, registry.replicas: "3"}' "$WORK/capture/kpt-render.stdin"; then
		break
	fi
	[ "$try" -lt 30 ] || die "kpt fn render never sent the configMap keys in the Kptfile's order"
done

# 6. Legacy kustomize exec plugin (kubectl kustomize --enable-alpha-plugins).
say "kubectl kustomize --enable-alpha-plugins ($("$KUBECTL" version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p'))"
PLUGIN_HOME=$WORK/kustomize-plugins
make_dump "$PLUGIN_HOME/registry-addon.dev/v1alpha1/registryaddon/RegistryAddon" legacy
mkdir -p "$WORK/kust/demo"
cp "$WORK/example.yaml" "$WORK/kust/demo/demo.yaml"
cat >"$WORK/kust/demo/kustomization.yaml" <<'KUST'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- demo.yaml
transformers:
- registry-addon.yaml
KUST
cat >"$WORK/kust/demo/registry-addon.yaml" <<'CONFIG'
apiVersion: registry-addon.dev/v1alpha1
kind: RegistryAddon
metadata:
  name: registry-addon
spec:
  namespace: registry-system
  registry:
    replicas: 3
CONFIG
(cd "$WORK/kust" && KUSTOMIZE_PLUGIN_HOME=$PLUGIN_HOME \
	"$KUBECTL" kustomize --enable-alpha-plugins demo) >"$WORK/kust.stdout"

# Check that every capture happened, then install them as fixtures.
for f in helm3 helm4 kpt-eval kpt-render legacy; do
	[ -s "$WORK/capture/$f.stdin" ] || die "no input was captured for $f"
done
[ -s "$WORK/capture/legacy.arg1" ] || die "the legacy plugin got no config file in argv[1]"
if grep -l "$WORK" "$WORK"/capture/*.stdin "$WORK/capture/legacy.arg1" >&2; then
	die "a temporary path leaked into a capture"
fi

# The contract each face was verified to have (shared/reference/integrations.md); a new
# tool version that changes it should be looked at, not silently captured.
expect() { # expect FACE yes|no FIXED-STRING
	local found=no
	grep -qF -- "$3" "$WORK/capture/$1.stdin" && found=yes
	[ "$found" = "$2" ] || die "$1: expected '$3' to be $([ "$2" = yes ] || echo "absent")$([ "$2" = yes ] && echo "present") in the input"
}
expect helm3 no "helm.sh/hook"
expect helm3 yes "# Source: demo/templates/"
expect helm4 yes "helm.sh/hook: test"
expect helm4 yes "postrenderer.helm.sh/postrender-filename: 'demo/templates/"
expect helm4 no "# Source:"
for f in kpt-eval kpt-render; do
	[ "$(head -n 2 "$WORK/capture/$f.stdin")" = "$(printf 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList')" ] ||
		die "$f: the input is not a ResourceList"
	expect "$f" yes "kind: Kptfile"
	expect "$f" yes "name: function-input"
done
expect kpt-render yes "internal.config.kubernetes.io/package-path: '$RENDER_ROOT/demo'"
expect legacy yes "kustomize.config.k8s.io/id: |"

install_fixture() {
	cat "$1" >"$OUT/$2"
	say "wrote $OUT/$2 ($(wc -c <"$OUT/$2") bytes)"
}
install_fixture "$WORK/example.yaml" example.yaml
install_fixture "$WORK/capture/helm3.stdin" helm3-postrender.yaml
install_fixture "$WORK/capture/helm4.stdin" helm4-postrender.yaml
install_fixture "$WORK/capture/kpt-eval.stdin" krm-kpt.yaml
install_fixture "$WORK/capture/kpt-render.stdin" krm-kpt-render.yaml
install_fixture "$WORK/capture/legacy.stdin" legacy-kustomize.yaml
install_fixture "$WORK/capture/legacy.arg1" config/legacy-kustomize.yaml
