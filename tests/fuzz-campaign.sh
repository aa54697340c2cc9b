#!/usr/bin/env bash
# tests/fuzz-campaign.sh - a long fuzz campaign (make fuzz-campaign): LANES lanes (default 2, one
# a core) run the libFuzzer targets of DIR (build-fuzz-fast: UBSan, -O2) in turn, SLICE seconds
# at a time (default 600), the lanes offset so that no two run the same target at once, until
# the executions of all runs reach GOAL (default 10,000,000), HOURS have passed (default 3), a
# run finds something, or DIR/campaign/stop exists. Each target's corpus grows in
# DIR/corpus/TARGET (kept between campaigns), findings go to DIR/findings/, every run's log to
# DIR/campaign/logs/. Seeds: tests/fuzz.sh's (fixtures, tests/fuzz/corpus, the real charts).
#
# usage: tests/fuzz-campaign.sh [DIR]          (DIR default build-fuzz-fast)
#        tests/fuzz-campaign.sh --tally [DIR]  executions so far, per target and in all
# GOAL, HOURS, SLICE, LANES: see above. The code fuzzed is DIR's binaries: build them at the
# commit you mean to prove (make fuzz-fast builds them); the commit is written to the tally.
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2

tally_only=0
[ "${1:-}" = --tally ] && { tally_only=1; shift; }
dir=${1:-build-fuzz-fast}
camp=$dir/campaign
goal=${GOAL:-10000000} hours=${HOURS:-3} slice=${SLICE:-600} lanes=${LANES:-2}
targets=(fuzz fuzz-krm fuzz-config)

# tally: executions per target and in all, from every finished run's final stats
tally() {
	local t n all=0
	for t in "${targets[@]}"; do
		n=$(cat "$camp"/logs/*-"$t".log 2>/dev/null | sed -n 's/^stat::number_of_executed_units: *//p' |
			awk '{ s += $1 } END { print s + 0 }')
		all=$((all + n))
		printf '%s %d\n' "$t" "$n"
	done
	printf 'all %d\n' "$all"
}

if [ "$tally_only" = 1 ]; then
	[ -f "$camp/commit" ] && echo "commit $(cat "$camp/commit")"
	tally
	ls "$dir/findings" 2>/dev/null | sed 's/^/finding /'
	exit 0
fi

# HOURS may be a fraction (1.5); GOAL, SLICE and LANES are whole numbers
case $hours in '' | *[!0-9.]* | *.*.* | .) echo "HOURS=$hours: a number of hours, such as 3 or 1.5" >&2; exit 2 ;; esac
for v in "GOAL=$goal" "SLICE=$slice" "LANES=$lanes"; do
	case ${v#*=} in '' | *[!0-9]*) echo "$v: a whole number" >&2; exit 2 ;; esac
done
for t in "${targets[@]}"; do
	[ -x "$dir/$t" ] || { echo "$dir/$t is not built (make fuzz-fast FUZZ_SECONDS=1 builds it)" >&2; exit 2; }
done
mkdir -p "$camp/logs" "$dir/findings"
rm -f "$camp/stop"
git rev-parse HEAD > "$camp/commit" 2>/dev/null
[ -d "$dir/seeds/fuzz" ] || FUZZ_SECONDS=1 bash tests/fuzz.sh "$dir" > "$camp/seeds.log" 2>&1
deadline=$(($(date +%s) + $(awk -v h="$hours" 'BEGIN { printf "%d", h * 3600 }')))

# one run: TARGET LOG
run() {
	local t=$1 max=65536
	[ "$t" = fuzz-config ] && max=16384
	nice -n 19 timeout $((slice + 300)) "$dir/$t" -max_total_time="$slice" -max_len="$max" -timeout=10 \
		-rss_limit_mb=2048 -dict=tests/fuzz/yaml.dict -print_final_stats=1 \
		-artifact_prefix="$dir/findings/$t-" "$dir/corpus/$t" "$dir/seeds/$t" > "$2" 2>&1
}

lane() {
	local i=$1 k=$1 t rc
	while :; do
		[ -e "$camp/stop" ] && return
		[ "$(date +%s)" -ge "$deadline" ] && return
		[ "$(tally | sed -n 's/^all //p')" -ge "$goal" ] && return
		t=${targets[$((k % ${#targets[@]}))]}
		mkdir -p "$dir/corpus/$t"
		run "$t" "$camp/logs/$(date +%Y%m%d-%H%M%S)-lane$i-$t.log.part"
		rc=$?
		for f in "$camp"/logs/*-lane"$i"-"$t".log.part; do mv "$f" "${f%.part}"; done
		if [ "$rc" != 0 ]; then
			echo "lane $i: $t exit $rc (a finding: $dir/findings/)" >&2
			touch "$camp/stop"
			return
		fi
		k=$((k + 1))
	done
}

for i in $(seq 0 $((lanes - 1))); do lane "$i" & done
wait
tally
ls "$dir/findings" 2>/dev/null | sed 's/^/finding /'
[ -z "$(ls "$dir/findings" 2>/dev/null)" ]
