#!/usr/bin/env bash
# tests/invariants.sh - the DESIGN.md §6 invariants of BIN over the real charts and the fixtures.
#
# usage: tests/invariants.sh BIN YAMLCHECK [FILES...]
#
# Without FILES the inputs are the real charts (../shared/corpus/real/*.yaml beside the
# repo) plus fixtures/*.yaml, except *.config.yaml (configs of other fixtures) and fixtures
# whose NAME.rc (beside them or in golden/) says a non-zero exit. A corpus file whose
# ../README.md table gives a smaller "post-renderer bytes" is also checked on its Helm 3
# part (the first N bytes). BIN gets the words of NAME.args (beside the input) as
# arguments and runs from the repo root. For each input:
#   exit           every run of BIN exits 0
#   deterministic  two runs give the same stdout
#   idempotent     BIN on its own output reproduces it
#   faithful       yamlcheck fidelity INPUT OUTPUT (skipped when libyaml cannot read INPUT)
#   parseable      yamlcheck parse OUTPUT
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
	elif "$YAMLCHECK" fidelity "$in" "$out" 2>"$TMP/yc"; then
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
	check "$name" "$f" "${args[@]}"

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

if [ $# -eq 0 ]; then
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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
