#!/usr/bin/env bash
# tests/invariants.sh - the DESIGN.md §6 invariants of BIN over the real charts and the fixtures.
#
# usage: tests/invariants.sh BIN YAMLCHECK [--shapes] [FILES...]
#
# Without FILES the inputs are the real charts (../shared/corpus/real/*.yaml beside the
# repo) plus fixtures/*.yaml, except *.config.yaml (configs of other fixtures) and fixtures
# whose NAME.rc (beside them or in golden/) says a non-zero exit, plus the shapes.
# --shapes adds the shapes to FILES: objects written with anchors, tags, flow style,
# comments, block and multi-line scalars (shape_* below), each run as documents of a
# stream and as items of a ResourceList (items at column 0, indented, in a flow sequence
# when the object is flow), with LF and with CRLF line ends, beside a generated object. A corpus file whose
# ../README.md table gives a smaller "post-renderer bytes" is also checked on its Helm 3
# part (the first N bytes). BIN gets the words of NAME.args (beside the input) as
# arguments and runs from the repo root. For each input:
#   exit           every run of BIN exits 0
#   deterministic  two runs give the same stdout
#   idempotent     BIN on its own output reproduces it
#   faithful       yamlcheck fidelity INPUT OUTPUT (data, anchors, tags, styles, %YAML; skipped
#                  when libyaml cannot read INPUT); with --spread when the run may use the
#                  workloadSpread component (the word in INPUT, an argument, a file an
#                  argument names, or the environment), which edits pod templates' constraints
#   parseable      yamlcheck parse OUTPUT
# and for a document after "..." with no "---" (YAML 1.2; libyaml cannot read it):
#   equivalent     BIN gives the same output as for the same stream with its "---"
# Environment: VALGRIND, a command prefix for BIN; INVARIANTS_TIMEOUT, seconds per run
# (default 600). Prints "ok - NAME: check" or "not ok - NAME: check (reason)" lines, then
# "N passed, N failed"; exits 1 if any check failed, 2 on usage errors.
set -u
export LC_ALL=C

if [ $# -lt 2 ]; then
	echo "usage: $0 BIN YAMLCHECK [FILES...]" >&2
	exit 2
fi

# Absolute path of $1 when it names a file by path; a bare command name stays as it is.
abspath() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*/*) printf '%s/%s\n' "$PWD" "$1" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

BIN=$(abspath "$1")
YAMLCHECK=$(abspath "$2")
shift 2
REPO=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CORPUS:-$REPO/../shared/corpus/real}
TIMEOUT=${INVARIANTS_TIMEOUT:-600}
read -r -a VG <<<"${VALGRIND:-}"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0

pass() {
	echo "ok - $1: $2"
	passed=$((passed + 1))
}

fail() {
	echo "not ok - $1: $2 ($3)"
	failed=$((failed + 1))
}

# First line of file $1, shortened and without temp paths, or $2 when it is empty.
first_line() {
	local line=""

	[ -s "$1" ] && IFS= read -r line <"$1"
	line=${line//"$TMP/"/}
	line=${line:0:200}
	printf '%s\n' "${line:-$2}"
}

# run IN OUT ERR ARGS...: BIN ARGS < IN > OUT 2> ERR from the repo root; returns BIN's status.
run() {
	local in=$1 out=$2 err=$3
	local -a cmd=("${VG[@]}" "$BIN")

	shift 3
	if command -v timeout >/dev/null; then
		cmd=(timeout "$TIMEOUT" "${cmd[@]}")
	fi
	(cd "$REPO" && "${cmd[@]}" "$@") <"$in" >"$out" 2>"$err"
}

# exit_reason STATUS ERRFILE: why a run failed.
exit_reason() {
	if [ "$1" = 124 ]; then
		echo "timed out after ${TIMEOUT}s"
	else
		echo "exit $1: $(first_line "$2" "no stderr")"
	fi
}

# differ A B: where outputs A and B first differ.
differ() {
	cmp "$TMP/$1" "$TMP/$2" >"$TMP/cmp" 2>&1
	first_line "$TMP/cmp" "cmp failed"
}

# spread_opt INPUT ARGS...: "--spread" when the run may use the workloadSpread component: the
# word in an argument, in the environment, or in a file an argument names (INPUT, a path
# relative to the repo root, where BIN runs, or the FILE of --opt=FILE).
spread_opt() {
	local a f

	for a in "$@"; do
		case $a in *workloadSpread*) echo --spread; return ;; esac
		for f in "$a" "$REPO/$a" "${a#*=}" "$REPO/${a#*=}"; do
			if [ -f "$f" ] && grep -q workloadSpread "$f"; then
				echo --spread
				return
			fi
		done
	done
	env | grep -q workloadSpread && echo --spread
}

# check NAME INPUT ARGS...: the five checks of one input. Outputs: run1 and run2 from
# INPUT, rerun from run1.
check() {
	local name=$1 in=$2 out=$TMP/run1 err=$TMP/err1 rc1 rc2 rc3 why c
	shift 2

	run "$in" "$out" "$err" "$@"
	rc1=$?
	if [ "$rc1" != 0 ]; then
		why=$(exit_reason "$rc1" "$err")
		fail "$name" exit "$why"
		for c in deterministic idempotent faithful parseable; do
			fail "$name" "$c" "no output: $why"
		done
		return
	fi
	run "$in" "$TMP/run2" "$TMP/err2" "$@"
	rc2=$?
	run "$out" "$TMP/rerun" "$TMP/err3" "$@"
	rc3=$?
	if [ "$rc2" != 0 ]; then
		fail "$name" exit "second run: $(exit_reason "$rc2" "$TMP/err2")"
	elif [ "$rc3" != 0 ]; then
		fail "$name" exit "run on own output: $(exit_reason "$rc3" "$TMP/err3")"
	else
		pass "$name" exit
	fi

	if [ "$rc2" != 0 ]; then
		fail "$name" deterministic "second run failed"
	elif cmp -s "$out" "$TMP/run2"; then
		pass "$name" deterministic
	else
		fail "$name" deterministic "$(differ run1 run2)"
	fi

	if [ "$rc3" != 0 ]; then
		fail "$name" idempotent "run on own output failed"
	elif cmp -s "$out" "$TMP/rerun"; then
		pass "$name" idempotent
	else
		fail "$name" idempotent "$(differ run1 rerun)"
	fi

	if ! "$YAMLCHECK" parse "$in" 2>"$TMP/yc"; then	# e.g. a bare document after "..." (YAML 1.2)
		echo "# skip $name: faithful: libyaml cannot read the input ($(first_line "$TMP/yc" "?"))"
	elif "$YAMLCHECK" fidelity $(spread_opt "$in" "$@") "$in" "$out" 2>"$TMP/yc"; then
		pass "$name" faithful
	else
		fail "$name" faithful "$(first_line "$TMP/yc" "yamlcheck exit $?")"
	fi

	if "$YAMLCHECK" parse "$out" 2>"$TMP/yc"; then
		pass "$name" parseable
	else
		fail "$name" parseable "$(first_line "$TMP/yc" "yamlcheck exit $?")"
	fi
}

# expected_rc FILE: the exit status its NAME.rc promises (0 without one).
expected_rc() {
	local base=${1%.yaml} rc=0 f

	for f in "$base.rc" "$(dirname "$1")/../golden/$(basename "$base").rc"; do
		if [ -f "$f" ]; then
			read -r rc <"$f"
			break
		fi
	done
	printf '%s\n' "${rc:-0}"
}

# helm3_bytes FILE: "post-renderer bytes" of FILE in the table of ../README.md, if any.
helm3_bytes() {
	local readme
	readme=$(dirname "$1")/../README.md

	[ -f "$readme" ] || return 0
	awk -F'|' -v want="$(basename "$1")" '
		function trim(s) { gsub(/^[ \t`]+|[ \t`]+$/, "", s); return s }
		!fc && /^\|/ && /post-renderer bytes/ {
			for (i = 1; i <= NF; i++) {
				if (trim($i) == "file") fc = i
				if (trim($i) == "post-renderer bytes") bc = i
			}
			if (!fc || !bc) fc = bc = 0
			next
		}
		fc && !/^\|/ { exit }
		fc && trim($fc) == want { print trim($bc); exit }
	' "$readme"
}

# check_file FILE: checks FILE (and its Helm 3 part) with the arguments of its NAME.args.
check_file() {
	local f=$1 name line n size rc
	local -a args=()

	name=$(basename "$(dirname "$f")")/$(basename "$f" .yaml)
	name=${name#/}
	if [ ! -f "$f" ]; then
		fail "$name" input "no such file: $f"
		return
	fi
	rc=$(expected_rc "$f")
	if [ "$rc" != 0 ]; then
		echo "# skip $name: expects exit $rc"
		return
	fi
	if [ -f "${f%.yaml}.args" ]; then
		IFS= read -r line <"${f%.yaml}.args"
		eval "args=($line)"
	fi
	# NAME.env: the run's environment (as tests/run-golden sets it)
	[ -f "${f%.yaml}.env" ] && { set -a; . "${f%.yaml}.env"; set +a; }
	check "$name" "$f" "${args[@]}"
	[ -f "${f%.yaml}.env" ] && while IFS='=' read -r k _; do unset "$k"; done < "${f%.yaml}.env"

	n=$(helm3_bytes "$f")
	size=$(wc -c <"$f")
	case $n in
	'' | *[!0-9]*) return ;;
	esac
	if [ "$n" -gt "$size" ]; then
		echo "# skip $name@helm3: README says $n bytes, the file has $size"
	elif [ "$n" -lt "$size" ]; then
		head -c "$n" "$f" >"$TMP/helm3.yaml"
		check "$name@helm3" "$TMP/helm3.yaml" "${args[@]}"
	fi
}

# ---------------------------------------------------------------- shapes
# Each shape_NAME prints one object as a document's text; shape names ending in
# _flow are flow collections (also run as items of a flow sequence).

shape_anchors() {
	cat <<'EOF'
&object !!map
apiVersion: v1
kind: ConfigMap
metadata:
  name: anchors
  labels: &labels
    app: web
  annotations: *labels
data: &data
  base: &base "one"
  copy: *base
  <<: {merged: *base}
EOF
}

shape_tags() {
	cat <<'EOF'
apiVersion: v1
kind: !!str ConfigMap
metadata: !!map
  name: tags
data:
  local: !thing "a local tag"
  number: !!str 5000
  list: !!str "[1, 2]"
  empty: !!null
EOF
}

shape_comments() {
	cat <<'EOF'
# before the object
apiVersion: v1 # trailing
kind: ConfigMap
# between keys
metadata:
  name: comments
data:
  script: |
    # a line of the script, not a comment
    echo "# nor this"
# after the object
EOF
}

shape_scalars() {
	cat <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: scalars
data:
  indicator: |2
       three spaces kept
  folded: >-
    folded
    text
  double: "escapes \t \" and
    a folded line"
  single: 'it''s
    folded'
  plain: a plain
    multi-line scalar
  kept: |+
    trailing blank lines are data


EOF
}

shape_pair_flow() {
	printf '%s\n' 'kind: ConfigMap'
}

shape_object_flow() {
	cat <<'EOF'
{apiVersion: v1, kind: ConfigMap,
  metadata: {name: flow, labels: &l {app: web},
    annotations: *l},
  data: {"quoted key": 'single
    folded', empty: , nested: [a, {b: c}]}}
EOF
}

# as_item INDENT: the object on stdin as a block sequence entry whose "-" is at
# column INDENT (every line moved right as a whole; empty lines stay empty)
as_item() {
	awk -v pad="$(printf '%*s' "$1" '')" '
		NR == 1 { print pad "- " $0; next }
		{ print (length($0) ? pad "  " $0 : $0) }'
}

krm_head() {
	printf 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n'
}

krm_tail() {
	cat <<'EOF'
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: function-input
  data:
    components: localRegistryHosting
EOF
}

PLAIN_OBJECT='{apiVersion: v1, kind: ConfigMap, metadata: {name: plain}}'

# shape_input SHAPE FORM: the input of one run: the shape, a plain object and
# the shape again, as a stream or as ResourceList items.
shape_input() {
	local shape=$1 form=$2 d=0

	case $form in
	stream)
		printf -- '---\n'
		"shape_$shape"
		printf -- '---\n%s\n---\n' "$PLAIN_OBJECT"
		"shape_$shape"
		;;
	krm | krm-indented)
		[ "$form" = krm ] || d=4
		krm_head
		printf 'items:\n'
		"shape_$shape" | as_item $d
		printf '%s\n' "$PLAIN_OBJECT" | as_item $d
		"shape_$shape" | as_item $d
		krm_tail
		;;
	krm-flow)
		krm_head
		printf 'items: [%s, %s,\n  %s]\n' "$("shape_$shape")" "$PLAIN_OBJECT" "$("shape_$shape")"
		krm_tail
		;;
	esac
}

check_shapes() {
	local shape form eol forms f=$TMP/shape.yaml

	for shape in anchors tags comments scalars pair_flow object_flow; do
		forms="stream krm krm-indented"
		case $shape in
		*_flow) forms="$forms krm-flow" ;;
		esac
		for form in $forms; do
			for eol in lf crlf; do
				if [ "$eol" = lf ]; then
					shape_input "$shape" "$form" >"$f"
				else
					shape_input "$shape" "$form" | sed 's/$/\r/' >"$f"
				fi
				check "shapes/$shape@$form-$eol" "$f" --set components=localRegistryHosting
				[ "$shape" = comments ] && check_comments "shapes/$shape@$form-$eol" "$f"
			done
		done
	done
	check_after_end
}

# check_comments NAME IN: every line of IN holding a comment is a line of the output ($TMP/run1,
# from check), byte for byte (yamlcheck's fidelity compares data, not comments)
check_comments() {
	local lost
	lost=$(grep '#' "$2" | grep -vxFf "$TMP/run1" | head -n 3)
	if [ -z "$lost" ] && [ -s "$TMP/run1" ]; then
		pass "$1" comments
	else
		fail "$1" comments "comment lines lost: $lost"
	fi
}

# check_after_end: an implicit document after "..." (an anchor may begin it) is refused, as
# go-yaml (Helm, kubectl) refuses it, with nothing on stdout; the same stream with an explicit
# "---" passes every check.
check_after_end() {
	local name=shapes/after-document-end rc
	local head='apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n...\n'
	local doc='&root\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: anchored-root\n'

	printf "$head$doc" >"$TMP/implicit.yaml"
	printf "$head---\n$doc" >"$TMP/explicit.yaml"
	check "$name" "$TMP/explicit.yaml"
	run "$TMP/implicit.yaml" "$TMP/implicit.out" "$TMP/implicit.err"
	rc=$?
	if [ "$rc" = 1 ] && [ ! -s "$TMP/implicit.out" ] &&
		grep -q '^<stdin>:6:1: error: .*go-yaml.*cannot read this' "$TMP/implicit.err"; then
		pass "$name" "bare document refused"
	else
		fail "$name" "bare document refused" "exit $rc: $(head -c 300 "$TMP/implicit.err")"
	fi
}

shapes=
if [ "${1:-}" = --shapes ]; then
	shapes=1
	shift
elif [ $# -eq 0 ]; then
	shapes=1
	ls "$CORPUS"/*.yaml >/dev/null 2>&1 || echo "# not run on the real charts: none in $CORPUS (a checkout beside ../shared has them)"
	for f in "$CORPUS"/*.yaml "$REPO"/fixtures/*.yaml; do
		case $f in
		*/\*.yaml | *.config.yaml) continue ;;
		esac
		set -- "$@" "$f"
	done
	if [ $# -eq 0 ]; then
		fail inputs found "no files in $CORPUS or $REPO/fixtures"
	fi
fi

for f in "$@"; do
	check_file "$(abspath "$f")"
done
[ -z "$shapes" ] || check_shapes

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
