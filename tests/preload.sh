#!/usr/bin/env bash
# The preload list of every fixture and every real chart (writer.yml of the
# registry-sync ConfigMap: ordinal 0's regsync, into 127.0.0.1:5010) against an
# independent extraction (tests/schema/preload.mjs, the npm "yaml" parser).
# usage: tests/preload.sh BIN
set -u
export LC_ALL=C
bin=$1
cd "$(dirname "$0")/.." || exit 2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
corpus=${CORPUS:-../shared/corpus/real}
pass=0 fail=0
check() {	# NAME INPUT OUTPUT ARGS...
	local name=$1 in=$2 out=$3; shift 3
	if node tests/schema/preload.mjs "$in" "$out" "$@" > "$tmp/log" 2>&1; then
		grep -q '^ok' "$tmp/log" && { pass=$((pass + 1)); echo "ok - preload $name"; }
	else
		fail=$((fail + 1)); echo "not ok - preload $name"; sed 's/^/    /' "$tmp/log" | grep -v '^    # ' | head -5
	fi
}
for f in fixtures/*.yaml; do
	n=$(basename "$f" .yaml)
	[ -f "golden/$n.rc" ] && continue
	args=(); [ -f "fixtures/$n.args" ] && eval "args=($(cat "fixtures/$n.args"))"
	# fixtures/NAME.env: the run's environment (as tests/run-golden sets it)
	[ -f "fixtures/$n.env" ] && { set -a; . "fixtures/$n.env"; set +a; }
	check "$n" "$f" "golden/$n.yaml" "${args[@]}"
	[ -f "fixtures/$n.env" ] && while IFS='=' read -r k _; do unset "$k"; done < "fixtures/$n.env"
done
ls "$corpus"/*.yaml > /dev/null 2>&1 || echo "# not run on the real charts: none in $corpus (a checkout beside ../shared has them)"
for f in "$corpus"/*.yaml; do
	[ -f "$f" ] || continue
	n=$(basename "$f" .yaml)
	"$bin" < "$f" > "$tmp/$n.out" 2>/dev/null || { fail=$((fail + 1)); echo "not ok - preload real/$n (exit)"; continue; }
	check "real/$n" "$f" "$tmp/$n.out"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
