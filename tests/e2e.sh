# shellcheck shell=bash
# tests/e2e.sh - sourced by the end-to-end suites (faces.sh, manual.sh, pipelines.sh):
# their common argument (BIN), result lines in the style "ok - $SUITE NAME", the first
# failing condition of a check, object listings, the objects the default configuration
# generates, and the schema check. Only defines pass=0 fail=0 and functions when sourced;
# the suite sets SUITE and tmp (a temp dir it owns) before reporting.
pass=0 fail=0

# e2e_args SCRIPT ARGS...: the suites' one argument, BIN (made absolute, must be an
# executable file); sets REPO, BIN and CHECK (the yamlcheck tool: $YAMLCHECK, else
# build/yamlcheck, else beside BIN) and changes to REPO. Exits 2 on a usage error.
e2e_args() {
	local me=$1
	shift
	if [ $# != 1 ]; then
		echo "usage: tests/$me BIN" >&2
		exit 2
	fi
	REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	case $1 in
	/*) BIN=$1 ;;
	*) BIN=$PWD/$1 ;;
	esac
	if [ ! -x "$BIN" ] || [ ! -f "$BIN" ]; then
		echo "$me: $1 is not an executable file" >&2
		exit 2
	fi
	cd "$REPO" || exit 2
	CHECK=${YAMLCHECK:-$REPO/build/yamlcheck}
	[ -x "$CHECK" ] || CHECK=$(dirname "$BIN")/yamlcheck
	if [ ! -x "$CHECK" ]; then
		echo "$me: build/yamlcheck not found (make all)" >&2
		exit 2
	fi
}

# report NAME: ok when $why is empty, else not ok with $why (and $why_file's head) indented
why= why_file=
report() {
	if [ -z "$why" ]; then
		pass=$((pass + 1))
		echo "ok - $SUITE $1"
	else
		fail=$((fail + 1))
		echo "not ok - $SUITE $1"
		printf '%s\n' "$why" | sed 's/^/    /'
		if [ -n "$why_file" ] && [ -s "$why_file" ]; then
			head -n 20 "$why_file" | sed 's/^/    | /'
		fi
	fi
	why= why_file=
}
# need COND REASON [FILE]: record the first failing condition of a check. COND is
# eval'ed here: use the caller's named variables in it, never $1, $2 or "$@".
need() {
	[ -n "$why" ] && return 0
	if ! eval "$1"; then
		why=$2
		why_file=${3:-}
	fi
}

# objs FILE: "apiVersion kind namespace name generated" per object, via yamlcheck
objs() {
	"$CHECK" docs "$1" | cut -f 2-6
}
# generated FILE / originals FILE: our objects / the others, sorted, without the flag
generated() {
	objs "$1" | awk -F '\t' -v OFS='\t' '$5 == 1 { print $1, $2, $3, $4 }' | sort
}
originals() {
	objs "$1" | awk -F '\t' -v OFS='\t' '$5 != 1 { print $1, $2, $3, $4 }' | sort
}

# expect_ours NAMESPACE: every object the defaults generate, "apiVersion kind namespace
# name" sorted (the registry in NAMESPACE)
expect_ours() {
	{
		printf 'v1\tConfigMap\tkube-public\tlocal-registry-hosting\n'
		printf 'v1\tNamespace\t-\t%s\n' "$1"
		printf 'v1\tConfigMap\t%s\tregistry-config\n' "$1"
		printf 'v1\tConfigMap\t%s\tregistry-sync\n' "$1"
		printf 'v1\tService\t%s\tregistry\n' "$1"
		printf 'v1\tService\t%s\tregistry-headless\n' "$1"
		printf 'v1\tService\t%s\tregistry-mirror\n' "$1"
		printf 'v1\tServiceAccount\t%s\tregistry\n' "$1"
		printf 'apps/v1\tStatefulSet\t%s\tregistry\n' "$1"
		printf 'policy/v1\tPodDisruptionBudget\t%s\tregistry\n' "$1"
		printf 'networking.k8s.io/v1\tNetworkPolicy\t%s\tregistry\n' "$1"
		printf 'cert-manager.io/v1\tClusterIssuer\t-\tregistry-addon-selfsigned\n'
		printf 'cert-manager.io/v1\tClusterIssuer\t-\tregistry-addon-ca\n'
		printf 'cert-manager.io/v1\tCertificate\tcert-manager\tregistry-addon-root-ca\n'
		printf 'cert-manager.io/v1\tCertificate\t%s\tregistry-tls\n' "$1"
		# node trust, in its own namespace
		printf 'v1\tNamespace\t-\tregistry-node-trust\n'
		printf 'v1\tResourceQuota\tregistry-node-trust\tregistry-addon-critical-pods\n'
		printf 'v1\tServiceAccount\tregistry-node-trust\tregistry-node-trust\n'
		printf 'v1\tConfigMap\tregistry-node-trust\tregistry-node-trust\n'
		printf 'apps/v1\tDaemonSet\tregistry-node-trust\tregistry-node-trust\n'
		printf 'cert-manager.io/v1\tCertificate\tregistry-node-trust\tregistry-node-ca\n'
	} | sort
}

# has_ours FILE NS: FILE parses (yamlcheck) and holds exactly the objects the defaults
# generate, the registry in namespace NS
has_ours() {
	[ -n "$why" ] && return 0
	expect_ours "$2" >"$1.want"
	generated "$1" >"$1.got" 2>"$1.err"
	if [ -s "$1.err" ]; then
		why="yamlcheck docs failed on $(basename "$1")"
		why_file=$1.err
	elif ! diff "$1.want" "$1.got" >"$1.diff" 2>&1; then
		why="generated objects in $(basename "$1") (< expected, > got)"
		why_file=$1.diff
	fi
}

# schema_valid FILE...: every object (ours and the input's) validates against the
# Kubernetes and cert-manager schemas
schema_valid() {
	[ -n "$why" ] && return 0
	if ! node tests/schema/validate.mjs --all --expect-some "$@" >"$tmp/schema.out" 2>&1; then
		grep -v '^ok - ' "$tmp/schema.out" >"$tmp/schema.fail"
		why="an object does not validate against the Kubernetes/cert-manager schemas"
		why_file=$tmp/schema.fail
	fi
}
