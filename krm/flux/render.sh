#!/bin/sh
# krm/flux/render.sh - render a Helm chart plus registry-addon into a directory that a plain
# Flux Kustomization applies (kustomize-controller runs no plugins and no post-renderers, so
# the add-on is rendered in CI and committed, or pushed as an OCI artifact).
#
# usage:
#   render.sh [-n NAMESPACE] OUT_DIR RELEASE CHART [HELM_TEMPLATE_ARGS...] [-- REGISTRY_ADDON_ARGS...]
#       helm template RELEASE CHART [--namespace NAMESPACE] HELM_TEMPLATE_ARGS
#       | registry-addon REGISTRY_ADDON_ARGS                     -> OUT_DIR/app.yaml
#   render.sh --addon-only OUT_DIR [-- REGISTRY_ADDON_ARGS...]
#       registry-addon REGISTRY_ADDON_ARGS < /dev/null           -> OUT_DIR/registry-addon.yaml
#
#   -n NAMESPACE  the release namespace: passed to helm template, and set on every namespaced
#                 object the chart leaves without one, as `helm install -n` would. Flux
#                 applies server-side and refuses such objects ("namespace not specified");
#                 a Kustomization's targetNamespace is no substitute: it would move the
#                 registry's objects too. Done before registry-addon runs, with kustomize's
#                 NamespaceTransformer (unsetOnly) through $KUSTOMIZE (default
#                 "kubectl kustomize"; "kustomize build" works too).
#
# e.g. render.sh -n demo clusters/prod/demo demo ./chart --skip-tests -f values-prod.yaml \
#          -- --set namespace=mirror
#
# $HELM and $REGISTRY_ADDON name the binaries (default: helm, registry-addon on $PATH).
# The output file is replaced atomically and only when everything succeeded: on any error
# the previous file stays as it was and the exit status is 1 (2 for a usage error). Empty
# output from helm or registry-addon is an error. The same input gives the same bytes, so a
# re-render commits nothing new.
set -eu

HELM=${HELM:-helm}
REGISTRY_ADDON=${REGISTRY_ADDON:-registry-addon}
KUSTOMIZE=${KUSTOMIZE:-kubectl kustomize}

usage() {
	echo "usage: render.sh [-n NAMESPACE] OUT_DIR RELEASE CHART [HELM_TEMPLATE_ARGS...] [-- REGISTRY_ADDON_ARGS...]" >&2
	echo "       render.sh --addon-only OUT_DIR [-- REGISTRY_ADDON_ARGS...]" >&2
	exit 2
}
fail() {
	echo "render.sh: $*" >&2
	exit 1
}

# helm_template ARGS...: helm template with the arguments before --
helm_template() {
	n=$# seen=
	while [ "$n" -gt 0 ]; do
		a=$1
		shift
		n=$((n - 1))
		[ "$a" = -- ] && seen=1
		[ -z "$seen" ] && set -- "$@" "$a"
	done
	if [ -n "$ns" ]; then
		"$HELM" template "$@" --namespace "$ns"
	else
		"$HELM" template "$@"
	fi
}
# registry_addon ARGS...: registry-addon with the arguments after the first --
registry_addon() {
	while [ $# -gt 0 ] && [ "$1" != -- ]; do shift; done
	[ $# -gt 0 ] && shift
	"$REGISTRY_ADDON" "$@"
}

addon_only= ns=
case ${1:-} in
--addon-only)
	addon_only=1
	shift
	[ $# -ge 1 ] || usage
	out=$1
	shift
	[ $# = 0 ] || [ "$1" = -- ] || usage
	file=registry-addon.yaml
	;;
*)
	if [ "${1:-}" = -n ]; then
		[ $# -ge 2 ] || usage
		ns=$2
		shift 2
		case $ns in
		'' | -* | *[!a-z0-9-]*) echo "render.sh: -n '$ns': not a namespace name" >&2; usage ;;
		esac
	fi
	[ $# -ge 3 ] || usage
	case $1 in -*) usage ;; esac
	out=$1
	shift
	file=app.yaml
	;;
esac
mkdir -p "$out" || fail "cannot create $out"

tmp=$(mktemp -d) || fail "mktemp failed"
part=
trap 'rm -rf "$tmp"; if [ -n "$part" ]; then rm -f "$part"; fi' EXIT
trap 'exit 1' HUP INT TERM

if [ -n "$addon_only" ]; then
	registry_addon "$@" < /dev/null > "$tmp/out.yaml" || fail "registry-addon failed"
else
	helm_template "$@" > "$tmp/rendered.yaml" || fail "helm template failed"
	grep -q '[^[:space:]]' "$tmp/rendered.yaml" || fail "helm template rendered nothing"
	if [ -n "$ns" ]; then
		mkdir "$tmp/ns"
		mv "$tmp/rendered.yaml" "$tmp/ns/rendered.yaml"
		cat > "$tmp/ns/kustomization.yaml" <<-KUST
		apiVersion: kustomize.config.k8s.io/v1beta1
		kind: Kustomization
		resources:
		- rendered.yaml
		transformers:
		- |-
		  apiVersion: builtin
		  kind: NamespaceTransformer
		  metadata:
		    name: release-namespace
		    namespace: $ns
		  unsetOnly: true
		KUST
		$KUSTOMIZE "$tmp/ns" > "$tmp/rendered.yaml" || fail "$KUSTOMIZE failed"
		grep -q '[^[:space:]]' "$tmp/rendered.yaml" || fail "$KUSTOMIZE rendered nothing"
	fi
	registry_addon "$@" < "$tmp/rendered.yaml" > "$tmp/out.yaml" || fail "registry-addon failed"
fi
grep -q '[^[:space:]]' "$tmp/out.yaml" || fail "registry-addon wrote nothing"

# same directory, then rename: readers see the old file or the new one, never a part
part=$(mktemp "$out/.$file.XXXXXX") || fail "cannot write in $out"
cat "$tmp/out.yaml" > "$part" || fail "cannot write $part"
chmod 0644 "$part" || fail "chmod $part failed"
mv -f "$part" "$out/$file" || fail "cannot replace $out/$file"
part=
echo "render.sh: wrote $out/$file" >&2
