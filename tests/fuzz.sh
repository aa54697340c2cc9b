#!/usr/bin/env bash
# tests/fuzz.sh - runs the libFuzzer targets (tests/fuzz.c: the stream, tests/fuzz-krm.c:
# KRM mode, tests/fuzz-config.c: the config file; each checks tests/fuzzcheck.h's
# invariants under ASan/UBSan) for a fixed time each, from a seed corpus built here:
#   every fixture (stream, and the KRM ones raw; the config files for fuzz-config), each
#   document of the real charts in ../shared/corpus/real up to 16 KiB (CORPUS= elsewhere),
#   also as KRM items, and tests/fuzz/corpus/TARGET/ (committed inputs: past findings and
#   hand-made shapes, with their option bytes). Fixtures get the option byte "no options"
#   (every component), the charts' documents "components=localRegistryHosting" (bit 1: a
#   few generated objects, so several times the executions a second).
# The corpus a run grows stays in DIR/corpus/TARGET; a finding goes to DIR/findings/ and is
# a failure, printed with the command that reproduces it.
#
# usage: tests/fuzz.sh [--build] DIR [TARGET...]        (make fuzz)
#        tests/fuzz.sh --coverage DIR                   (make fuzz-cov)
#   --build     make fuzz-build first (DIR is build-fuzz)
#   --coverage  DIR holds the targets built for coverage (build-fuzz-cov): run each over its
#               seeds and build-fuzz/corpus/TARGET (FUZZ_CORPUS=build-fuzz-fast: the campaign's)
#               once, and print llvm-cov's line coverage of
#               src/ per target and for the three together
# FUZZ_SECONDS: seconds per target (default 60); FUZZ_RUNS: executions per target instead (a
# campaign: FUZZ_RUNS=3500000 make fuzz runs over ten million in all); FUZZ_SEED: libFuzzer's
# -seed (make test's suite: 15,000 executions from seed 1, so that a run on a fresh clone is
# repeatable: the same change passes or fails the same way). Prints "ok - ..."/"not ok - ..." lines and
# "N passed, N failed"; without clang or libFuzzer it prints "# not run: ..." and counts nothing.
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2

build=0 coverage=0
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=1; shift ;;
	--coverage) coverage=1; shift ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: $0 [--build|--coverage] DIR [TARGET...]" >&2; exit 2; }
dir=$1; shift
if [ $# -gt 0 ]; then targets=("$@"); else targets=(fuzz fuzz-krm fuzz-config); fi
secs=${FUZZ_SECONDS:-60}
# a small quarantine keeps freed memory warm: twice the executions a second, and a use
# after free of the last 16 MB freed is still caught
export ASAN_OPTIONS="quarantine_size_mb=16${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
real=${CORPUS:-../shared/corpus/real}
dict=tests/fuzz/yaml.dict
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok - fuzz $1"; }
bad() { fail=$((fail + 1)); echo "not ok - fuzz $1"; [ -n "${2:-}" ] && tail -n "${3:-30}" "$2" | sed 's/^/    /'; }
summary() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit; }
notrun() { echo "# not run: $*"; summary; }

command -v clang >/dev/null 2>&1 || notrun "clang is missing (tests/deps.sh installs clang and libclang-rt-14-dev)"
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' > "$tmp/probe.c"
clang -fsanitize=fuzzer "$tmp/probe.c" -o "$tmp/probe" 2>"$tmp/probe.err" ||
	notrun "clang cannot link libFuzzer (libclang-rt-14-dev): $(head -n 1 "$tmp/probe.err")"
if [ "$build" = 1 ]; then
	if ! make --no-print-directory fuzz-build > "$tmp/build.log" 2>&1; then
		bad "build (make fuzz-build)" "$tmp/build.log"
		summary
	fi
fi

# prefix BYTES FILE OUT: OUT is the option bytes (printf escapes), then FILE
prefix() { { printf "$1"; cat "$2"; } > "$3"; }

# as_items FILE: each document of a stream as an item of a block sequence ("- " and "  ")
as_items() {
	awk '/^---/ { first = 1; next } /^#/ || /^[ \t]*$/ { next }
	     { if (first || !seen) { print "- " $0; first = 0; seen = 1 } else print "  " $0 }' "$1"
}

# seeds DIR: the seed corpus of every target under DIR
seeds() {
	local s=$1 f n i=0
	rm -rf "$s"; mkdir -p "$s/fuzz" "$s/fuzz-krm" "$s/fuzz-config" "$tmp/docs"
	for f in fixtures/*.yaml; do
		n=$(basename "$f" .yaml)
		prefix '\000' "$f" "$s/fuzz/fixture-$n"
		# workloads again with component workloadSpread (option bit 6), Removed too (bit 0)
		grep -q 'kind: *\(Deployment\|StatefulSet\|ReplicaSet\)' "$f" &&
			prefix '\100' "$f" "$s/fuzz/spread-$n" && prefix '\101' "$f" "$s/fuzz/spread-removed-$n"
		case $n in krm-* | list) prefix '\000\000' "$f" "$s/fuzz-krm/fixture-$n" ;;
		*) as_items "$f" > "$tmp/items" && prefix '\000\005' "$tmp/items" "$s/fuzz-krm/items-$n" ;; esac
	done
	for f in fixtures/config/*.yaml; do
		prefix '\001' "$f" "$s/fuzz-config/fixture-$(basename "$f" .yaml)"
	done
	if [ -d "$real" ]; then
		for f in "$real"/*.yaml; do
			awk -v p="$tmp/docs/$(basename "$f" .yaml)-" 'BEGIN { f = p 0 } /^---/ { close(f); f = p (++n) } { print > f }' "$f"
		done
		for f in "$tmp/docs"/*; do
			[ "$(wc -c < "$f")" -le 16384 ] || continue
			prefix '\002' "$f" "$s/fuzz/real-${f##*/}"
			grep -q '^kind: \(Deployment\|StatefulSet\)' "$f" && prefix '\100' "$f" "$s/fuzz/spread-${f##*/}"
			i=$((i + 1))
			[ $((i % 4)) = 0 ] && as_items "$f" > "$tmp/items" && prefix '\002\005' "$tmp/items" "$s/fuzz-krm/real-${f##*/}"
		done
	else
		echo "# the real charts ($real) are missing: seeds from the fixtures only"
	fi
	for t in fuzz fuzz-krm fuzz-config; do
		[ -d "tests/fuzz/corpus/$t" ] && cp tests/fuzz/corpus/"$t"/* "$s/$t/" 2>/dev/null
	done
	return 0
}

# stat NAME LOG: libFuzzer's -print_final_stats value
stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

run_target() {
	local t=$1 log=$tmp/$1.log rc execs cov ft corp
	[ -x "$dir/$t" ] || { bad "$t: $dir/$t is not built (make fuzz-build)"; return; }
	# a seeded run starts from the seeds alone (a fresh corpus), so it repeats on any machine; a
	# campaign grows $dir/corpus
	local corpus=$dir/corpus/$t
	[ -n "${FUZZ_SEED:-}" ] && corpus=$tmp/corpus-$t
	mkdir -p "$corpus" "$dir/findings"
	local limit=(-max_total_time="$secs") guard=$((secs + 300))
	[ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS") guard=$((FUZZ_RUNS / 20 + 600))
	[ -n "${FUZZ_SEED:-}" ] && limit+=(-seed="$FUZZ_SEED")
	timeout "$guard" "$dir/$t" "${limit[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-dict="$dict" -print_final_stats=1 -artifact_prefix="$dir/findings/$t-" \
		"$corpus" "$dir/seeds/$t" > "$log" 2>&1
	rc=$?
	execs=$(stat number_of_executed_units "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1)
	corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -n 1)
	if [ "$rc" = 0 ]; then
		ok "$t: ${execs:-?} executions ($(stat average_exec_per_sec "$log")/s), $cov, $ft, $corp, $(ls "$dir/seeds/$t" | wc -l) seeds"
	else
		local art; art=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n 1)
		bad "$t: a finding after ${execs:-?} executions (exit $rc); reproduce: $dir/$t ${art:-(no artifact)}" "$log" 40
	fi
}

# coverage: every target over its seeds and the corpus build-fuzz grew ($FUZZ_CORPUS/corpus, when
# set: build-fuzz-fast for a campaign's), then llvm-cov
run_coverage() {
	local objs=() t prof=$tmp/prof line
	command -v llvm-profdata >/dev/null 2>&1 && command -v llvm-cov >/dev/null 2>&1 ||
		notrun "llvm-profdata or llvm-cov is missing (Debian package llvm)"
	mkdir -p "$prof"
	for t in "${targets[@]}"; do
		local dirs=("$dir/seeds/$t")
		[ -d "${FUZZ_CORPUS:-build-fuzz}/corpus/$t" ] && dirs+=("${FUZZ_CORPUS:-build-fuzz}/corpus/$t")
		if ! LLVM_PROFILE_FILE="$prof/$t.profraw" "$dir/$t" -runs=0 -max_len=65536 "${dirs[@]}" > "$tmp/$t.log" 2>&1; then
			bad "$t: coverage run" "$tmp/$t.log"
			continue
		fi
		if ! llvm-profdata merge -sparse "$prof/$t.profraw" -o "$prof/$t.profdata" > "$tmp/$t.cov" 2>&1 ||
		   ! llvm-cov report "$dir/$t" -instr-profile="$prof/$t.profdata" src > "$tmp/$t.cov" 2>&1; then
			bad "$t: llvm-profdata or llvm-cov failed" "$tmp/$t.cov"
			continue
		fi
		line=$(tail -n 1 "$tmp/$t.cov")
		ok "$t: coverage of src/ over $(ls "${dirs[@]}" | grep -vc -e '^$' -e ':$') inputs: $(cov_line "$line")"
		objs+=(-object "$dir/$t")
	done
	if [ ${#objs[@]} -gt 0 ]; then
		if ! llvm-profdata merge -sparse "$prof"/*.profraw -o "$prof/all.profdata" > "$tmp/report" 2>&1 ||
		   ! llvm-cov report "${objs[@]:1}" -instr-profile="$prof/all.profdata" src > "$tmp/report" 2>&1; then
			bad "all targets: llvm-profdata or llvm-cov failed" "$tmp/report"
			return
		fi
		echo "# line coverage of src/, all targets together (llvm-cov report):"
		sed 's/^/#   /' "$tmp/report"
		ok "all targets: $(cov_line "$(tail -n 1 "$tmp/report")")"
	fi
}

# cov_line "TOTAL ..." -> "lines 1234/5678 (78.9%), functions ..., regions ..."
cov_line() {
	echo "$1" | awk '{ printf "lines %d/%d (%s), functions %d/%d (%s), regions %d/%d (%s)",
		$8 - $9, $8, $10, $5 - $6, $5, $7, $2 - $3, $2, $4 }'
}

seeds "$dir/seeds"
if [ "$coverage" = 1 ]; then
	run_coverage
else
	for t in "${targets[@]}"; do run_target "$t"; done
fi
summary
