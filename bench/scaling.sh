#!/usr/bin/env bash
# bench/scaling.sh - `make bench` (and `make bench-scaling` alone): each
# adversarial input shape at 1, 4 and 16 MB, with the time and peak RSS per MB
# of each run, so that a walk gone superlinear, or memory gone beyond a
# constant times the input, shows as a number (issue 13).
#
#   bash bench/scaling.sh build/registry-addon [BEFORE_BINARY]
#   BEFORE=/work/registry-addon.before make bench-scaling
#
# SHAPES (MB = 10^6 bytes; each input is generated here, deterministic, into a
# temp dir, and removed after its runs). Where a shape needs more than a
# default limit allows, ours runs with that limit raised (the FLAGS column):
# the point is the work at 16 MB, not the refusal. The before binary has no
# such options and gets none.
#   deep        a Deployment whose spec holds "- [[[...]]]" lines nested 250
#               deep (up to the 256-level limit), one after the other
#   escapes     one double-quoted scalar of "\n" escapes in a Deployment's spec
#   topkeys     many keys of the document root before its "kind"
#   annotations an object of ours (marker annotation) with many carried
#               (config.kubernetes.io/...) annotations
#   documents   many small documents (a ConfigMap each)
#   plain       one long plain scalar in metadata.labels
#   keys        one mapping (metadata.labels) with many keys
#   wideflow    one flow sequence of many entries, 16 to a line
#   aliases     a Deployment whose containers are all aliases of one anchor
#   krmitems    a ResourceList with many small items (KRM mode builds it whole)
#   anchors     one document with many anchors, then many small documents
#   images      a Pod whose containers all have distinct images, in
#               descending order (the set of images is sorted)
#   krmflow     a ResourceList whose items are flow mappings, 13,000 to a line
#   nesting     "[[[[..." as deep as the input is long: ours refuses it at
#               level 257 before libfyaml reads it (exit 1); the before
#               binary showed libfyaml's ~280 bytes per "["
#   flowline    one line "[[a,a,a,...]]": ours refuses it past
#               --max-line-tokens; libfyaml holds every token of such a line
#
# Each run: `timeout CAP /usr/bin/time -f '%e %M' BIN FLAGS < input`, output
# discarded. Columns: exit status, seconds, seconds per MB, peak RSS (MiB),
# and the RSS above that of an empty input, per MB. Then, per shape, the
# 16 MB run's per-MB figures over the 1 MB run's: about 1 means linear; 16
# would be quadratic. A run that hits the cap is "timeout".
#
# Environment: BEFORE (a binary to run side by side), SCALING_SIZES (default
# "1 4 16"), SCALING_SHAPES (default all), SCALING_TIMEOUT (seconds per run,
# default 300), SCALING_VMEM (KiB of address space per run, default 4 GiB),
# TMPDIR.

set -u -o pipefail
export LC_ALL=C

die() { echo "scaling: $*" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: bash bench/scaling.sh BIN [BEFORE_BIN]"
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }
OURS=$(abspath "$1")
BEFORE=${2:-${BEFORE:-}}
[ -z "$BEFORE" ] || BEFORE=$(abspath "$BEFORE")
SIZES=${SCALING_SIZES:-1 4 16}
SHAPES=${SCALING_SHAPES:-deep escapes topkeys annotations documents plain keys wideflow aliases krmitems anchors images krmflow nesting flowline}
VMEM=${SCALING_VMEM:-4194304}	# KiB of address space per run (ulimit -v), so a blow-up cannot take the machine
CAP=${SCALING_TIMEOUT:-300}
[ -x "$OURS" ] || die "$OURS: not an executable (build it first)"
[ -z "$BEFORE" ] || [ -x "$BEFORE" ] || die "$BEFORE: not an executable"
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/scaling.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$TMP"' EXIT

# gen SHAPE BYTES: the input on stdout, at least BYTES long (awk: fast enough
# for 16 MB, and the same bytes on every machine)
gen() {
	awk -v shape="$1" -v size="$2" '
	function line(s) { printf "%s\n", s; n += length(s) + 1 }
	function rep(s, k,   r) { r = ""; while (k-- > 0) r = r s; return r }
	BEGIN {
		n = 0
		if (shape == "deep") {
			nest = "  - " rep("[", 250) rep("]", 250)
			line("apiVersion: apps/v1"); line("kind: Deployment"); line("metadata:"); line("  name: deep")
			line("spec:"); line(" x:")
			while (n < size) line(nest)
		} else if (shape == "escapes") {
			line("apiVersion: apps/v1"); line("kind: Deployment"); line("metadata:"); line("  name: esc")
			printf "spec:\n  x: \""; k = int(size / 2); s = rep("\\n", 1000)
			for (i = 0; i < k; i += 1000) printf "%s", s
			printf "\"\n"
		} else if (shape == "topkeys") {
			line("apiVersion: v1")
			for (i = 0; n < size; i++) line(sprintf("k%08d: v", i))
			line("kind: ConfigMap"); line("metadata:"); line("  name: top")
		} else if (shape == "annotations") {
			line("apiVersion: v1"); line("kind: ConfigMap"); line("metadata:")
			line("  name: local-registry-hosting"); line("  namespace: kube-public"); line("  annotations:")
			line("    registry-addon.dev/generated: \"true\"")
			for (i = 0; n < size; i++) line(sprintf("    config.kubernetes.io/k%08d: v", i))
		} else if (shape == "documents") {
			for (i = 0; n < size; i++) {
				line("---"); line("apiVersion: v1"); line("kind: ConfigMap"); line("metadata:")
				line(sprintf("  name: c%08d", i))
			}
		} else if (shape == "plain") {
			line("apiVersion: v1"); line("kind: ConfigMap"); line("metadata:"); line("  name: plain")
			printf "  labels:\n    x: "; s = rep("x", 1000)
			for (i = 0; i < size; i += 1000) printf "%s", s
			printf "\n"
		} else if (shape == "keys") {
			line("apiVersion: v1"); line("kind: ConfigMap"); line("metadata:"); line("  name: keys"); line("  labels:")
			for (i = 0; n < size; i++) line(sprintf("    k%08d: v", i))
		} else if (shape == "wideflow") {
			line("apiVersion: v1"); line("kind: ConfigMap"); line("metadata:"); line("  name: wide")
			line("  labels:"); printf "    x: ["
			s = "      " rep("a, ", 16)
			while (n < size) line(s)
			line("      a]")
		} else if (shape == "aliases") {
			line("apiVersion: apps/v1"); line("kind: Deployment"); line("metadata:"); line("  name: alias")
			line("spec:"); line("  template:"); line("    spec:"); line("      containers:")
			line("      - &c {name: app, image: \"registry.example/app:1\"}")
			while (n < size) line("      - *c")
		} else if (shape == "anchors") {
			line("apiVersion: v1"); line("kind: ConfigMap"); line("metadata:"); line("  name: anchors"); line("  labels:")
			for (i = 0; n < size / 2; i++) line(sprintf("    k%d: &a%d v", i, i))
			for (i = 0; n < size; i++) line(sprintf("--- &x {apiVersion: v1, kind: ConfigMap, metadata: {name: c%d}}", i))
		} else if (shape == "images") {
			line("apiVersion: v1"); line("kind: Pod"); line("metadata:"); line("  name: images")
			line("spec:"); line("  containers:")
			k = int(size / 40)
			for (i = k; n < size; i--) line(sprintf("  - {name: c, image: h%08d.example/a:1}", i))
		} else if (shape == "krmflow") {
			line("apiVersion: config.kubernetes.io/v1"); line("kind: ResourceList"); printf "items: [\n  "
			for (i = 0; n < size; i++) {
				printf "{kind: ConfigMap, apiVersion: v1, metadata: {name: c%d}}, ", i
				n += 58
				if (i % 13000 == 12999) printf "\n  "
			}
			line("{kind: ConfigMap, apiVersion: v1, metadata: {name: last}}]")
		} else if (shape == "nesting") {
			line("apiVersion: v1"); line("kind: ConfigMap"); line("metadata:"); line("  name: nest")
			printf "data:\n  x: "; k = int(size / 2000); a = rep("[", 1000); b = rep("]", 1000)
			for (i = 0; i < k; i++) printf "%s", a
			for (i = 0; i < k; i++) printf "%s", b
			printf "\n"
		} else if (shape == "flowline") {
			line("apiVersion: v1"); line("kind: ConfigMap"); line("metadata:"); line("  name: line")
			printf "data:\n  x: [["; k = int(size / 2000); s = rep("a,", 1000)
			for (i = 0; i < k; i++) printf "%s", s
			printf "a]]\n"
		} else if (shape == "krmitems") {
			line("apiVersion: config.kubernetes.io/v1"); line("kind: ResourceList"); line("items:")
			for (i = 0; n < size; i++) {
				line("- apiVersion: v1"); line("  kind: ConfigMap"); line("  metadata:")
				line(sprintf("    name: c%08d", i)); line("  data: {a: b}")
			}
		}
	}'
}

# the limits a shape needs raised (ours only)
flags_for() {
	case $1 in
	topkeys | keys) echo "--max-mapping-keys 100000000" ;;
	anchors) echo "--max-mapping-keys 100000000 --max-documents 100000000" ;;
	annotations) echo "--max-mapping-keys 100000000 --max-annotation-bytes 100000000" ;;
	documents | krmitems | krmflow) echo "--max-documents 100000000" ;;
	*) echo "" ;;
	esac
}

status_word() {
	case $1 in
	0) echo ok ;;
	124 | 137) echo timeout ;;
	*) if [ "$1" -gt 128 ]; then echo "sig$(($1 - 128))"; else echo "exit$1"; fi ;;
	esac
}

# measure BIN INPUT FLAGS...: sets M_ST, M_T (s), M_RSS (KiB)
measure() {
	local bin=$1 in=$2 rc
	shift 2
	(ulimit -v "$VMEM" && exec timeout -k 5 "$CAP" /usr/bin/time -f '%e %M' -o "$TMP/time" "$bin" "$@" \
		<"$in" >/dev/null 2>"$TMP/err")
	rc=$?
	M_ST=$(status_word "$rc")
	read -r M_T M_RSS < <(tail -n 1 "$TMP/time" 2>/dev/null) || true
	case $M_ST in timeout) M_T=$CAP M_RSS= ;; esac
	case ${M_T:-} in '' | *[!0-9.]*) M_T= ;; esac
	case ${M_RSS:-} in '' | *[!0-9]*) M_RSS= ;; esac
}

base_rss() {	# BIN: peak RSS on an empty input (KiB)
	measure "$1" /dev/null
	echo "${M_RSS:-0}"
}

echo "registry-addon scaling benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "  host: $(nproc) cores, $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; cap ${CAP}s and ulimit -v $((VMEM / 1024)) MiB per run"
echo "  ours:   $OURS (empty input: $(awk -v r="$(base_rss "$OURS")" 'BEGIN { printf "%.1f", r / 1024 }') MiB)"
[ -z "$BEFORE" ] || echo "  before: $BEFORE (empty input: $(awk -v r="$(base_rss "$BEFORE")" 'BEGIN { printf "%.1f", r / 1024 }') MiB)"
echo "  s/MB: seconds per MB of input; net/MB: peak RSS above the empty-input RSS, MiB per MB"
BASE_OURS=$(base_rss "$OURS")
BASE_BEFORE=0
[ -z "$BEFORE" ] || BASE_BEFORE=$(base_rss "$BEFORE")

cell() {	# ST T RSS MB BASE -> "st  s  s/MB  RSS  net/MB"
	awk -v st="$1" -v t="$2" -v r="$3" -v mb="$4" -v b="$5" 'BEGIN {
		if (t == "") { printf "%-7s %7s %7s %8s %7s", st, "-", "-", "-", "-"; exit }
		if (r == "") { printf "%-7s %7.2f %7.3f %8s %7s", st, t, t / mb, "-", "-"; exit }
		printf "%-7s %7.2f %7.3f %8.1f %7.2f", st, t, t / mb, r / 1024, (r - b) / 1024 / mb }'
}

ratio() {	# per-MB value at the largest size over the smallest: "x.xx" or "-"
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b <= 0) printf "%5s", "-"; else printf "%5.2f", a / b }'
}

printf '\n%-12s %3s  %-44s' shape MB "ours: exit     s    s/MB  RSS MiB  net/MB"
[ -z "$BEFORE" ] || printf '  %-44s' "before: exit   s    s/MB  RSS MiB  net/MB"
printf '  flags (ours)\n'
declare -A T_OURS R_OURS T_BEF R_BEF
SUMMARY=()
for shape in $SHAPES; do
	first="" last=""
	for mb in $SIZES; do
		in="$TMP/$shape.yaml"
		gen "$shape" $((mb * 1000000)) >"$in" || die "generating $shape"
		read -r -a fl <<<"$(flags_for "$shape")"
		measure "$OURS" "$in" "${fl[@]}"
		line=$(cell "$M_ST" "$M_T" "$M_RSS" "$mb" "$BASE_OURS")
		T_OURS[$shape.$mb]=$(awk -v t="$M_T" -v mb="$mb" 'BEGIN { if (t != "") print t / mb }')
		R_OURS[$shape.$mb]=$(awk -v r="$M_RSS" -v b="$BASE_OURS" -v mb="$mb" 'BEGIN { if (r != "") print (r - b) / mb }')
		[ "$M_ST" = ok ] || line="$line ($(head -c 60 "$TMP/err" | tr '\n' ' '))"
		printf '%-12s %3s  %-44s' "$shape" "$mb" "$line"
		if [ -n "$BEFORE" ]; then
			measure "$BEFORE" "$in"
			T_BEF[$shape.$mb]=$(awk -v t="$M_T" -v mb="$mb" -v st="$M_ST" 'BEGIN { if (t != "" && st != "timeout") print t / mb }')
			R_BEF[$shape.$mb]=$(awk -v r="$M_RSS" -v b="$BASE_BEFORE" -v mb="$mb" 'BEGIN { if (r != "") print (r - b) / mb }')
			printf '  %-44s' "$(cell "$M_ST" "$M_T" "$M_RSS" "$mb" "$BASE_BEFORE")"
		fi
		printf '  %s\n' "${fl[*]:-}"
		rm -f "$in"
		[ -n "$first" ] || first=$mb
		last=$mb
	done
	s=$(printf '%-12s %s/%s MB per-MB ratio: ours time %s rss %s' "$shape" "$last" "$first" \
		"$(ratio "${T_OURS[$shape.$last]:-}" "${T_OURS[$shape.$first]:-}")" \
		"$(ratio "${R_OURS[$shape.$last]:-}" "${R_OURS[$shape.$first]:-}")")
	[ -z "$BEFORE" ] || s="$s   before time $(ratio "${T_BEF[$shape.$last]:-}" "${T_BEF[$shape.$first]:-}") rss $(ratio "${R_BEF[$shape.$last]:-}" "${R_BEF[$shape.$first]:-}")"
	SUMMARY+=("$s")
done
echo
echo "per shape, the largest size's per-MB time and net RSS over the smallest's (1 = linear):"
for s in "${SUMMARY[@]}"; do echo "  $s"; done
