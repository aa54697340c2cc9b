#!/usr/bin/env bash
# tests/wspread.sh - component workloadSpread (issue 16) on every real chart of
# ../shared/corpus/real/: BIN --set components=workloadSpread; then
#   - libyaml (PyYAML's CLoader, an independent reader) finds every input document unchanged
#     except the workloads edited, and each of those is the input plus exactly our
#     topologySpreadConstraints (hostname and zone, the workload's own spec.selector, the revision
#     label of the kind, nodeTaintsPolicy: Honor), on a workload with more than one replica or none
#     set and no constraints of its own;
#   - a second run gives the output back byte for byte;
#   - managementState Removed on the output gives what it gives on the input, byte for byte;
#   - every edited workload passes the Kubernetes schema (tests/schema/validate.mjs --all).
#   - the checks themselves fail on outputs changed by hand (self-checks).
# usage: tests/wspread.sh BIN (YAMLCHECK: build/yamlcheck)   Output: ok / not ok lines, then "N passed, N failed".
set -u
export LC_ALL=C
bin=$(realpath "$1")
cd "$(dirname "$0")/.." || exit 2
corpus=${CORPUS:-../shared/corpus/real}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok - wspread $1"; }
bad() { fail=$((fail + 1)); echo "not ok - wspread $1"; [ -n "${2:-}" ] && sed 's/^/    /' "$2" | head -30; }

py=/usr/bin/python3
if ! "$py" -c 'import yaml; assert yaml.__with_libyaml__' 2>/dev/null; then
	echo "# not run: wspread (no PyYAML with libyaml: apt-get install python3-yaml)"
	echo "0 passed, 0 failed"
	exit 0
fi
[ -d "$corpus" ] || { echo "# not run: wspread ($corpus is missing)"; echo "0 passed, 0 failed"; exit 0; }

cat > "$tmp/compare.py" <<'EOF'
import sys, yaml
REV = {"Deployment": "pod-template-hash", "StatefulSet": "controller-revision-hash"}
KEYS = ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]
# PyYAML resolves a plain "=" to its own "value" tag (not YAML 1.1 core): a string here.
yaml.add_constructor("tag:yaml.org,2002:value", lambda l, n: l.construct_scalar(n), Loader=yaml.CLoader)
def docs(path):
    with open(path, "rb") as f:
        return [d for d in yaml.load_all(f, Loader=yaml.CLoader) if d is not None]
inp, out = docs(sys.argv[1]), docs(sys.argv[2])
edited = open(sys.argv[3], "w")
if len(out) != len(inp):
    sys.exit("%d documents in, %d out" % (len(inp), len(out)))
n = 0
for i, (a, b) in enumerate(zip(inp, out)):
    if a == b:
        continue
    name = "document %d (%s %s)" % (i + 1, a.get("kind"), (a.get("metadata") or {}).get("name"))
    pod = ((b.get("spec") or {}).get("template") or {}).get("spec") or {}
    tsc = pod.pop("topologySpreadConstraints", None)
    if a != b or tsc is None:
        sys.exit(name + ": changed other than by topologySpreadConstraints")
    if ((a["spec"]["template"]["spec"]).get("topologySpreadConstraints") is not None):
        sys.exit(name + ": had constraints of its own")
    if a.get("apiVersion") != "apps/v1" or a["kind"] not in ("Deployment", "StatefulSet", "ReplicaSet"):
        sys.exit(name + ": not a workload kind of ours")
    if a["spec"].get("replicas") is not None and a["spec"]["replicas"] <= 1:
        sys.exit(name + ": one replica")
    want = []
    for k in KEYS:
        c = {"maxSkew": 1, "topologyKey": k, "whenUnsatisfiable": "ScheduleAnyway",
             "labelSelector": a["spec"]["selector"], "nodeTaintsPolicy": "Honor"}
        if a["kind"] in REV:
            c["matchLabelKeys"] = [REV[a["kind"]]]
        want.append(c)
    if tsc != want:
        sys.exit(name + ": constraints %r, want %r" % (tsc, want))
    pod["topologySpreadConstraints"] = tsc
    edited.write("---\n" + yaml.dump(b, Dumper=yaml.CDumper))
    n += 1
print(n)
EOF

set_ws=(--set components=workloadSpread)
total=0
for f in "$corpus"/*.yaml; do
	c=$(basename "$f" .yaml)
	if ! "$bin" "${set_ws[@]}" < "$f" > "$tmp/out" 2> "$tmp/err"; then bad "$c: run" "$tmp/err"; continue; fi
	if n=$("$py" "$tmp/compare.py" "$f" "$tmp/out" "$tmp/edited.yaml" 2> "$tmp/cmp"); then
		ok "$c: the input plus exactly our constraints on $n workload(s) (libyaml)"
		total=$((total + n))
	else
		bad "$c: libyaml reads other changes" "$tmp/cmp"
	fi
	"$bin" "${set_ws[@]}" < "$tmp/out" > "$tmp/again" 2> /dev/null
	if cmp -s "$tmp/out" "$tmp/again"; then ok "$c: idempotent"; else bad "$c: idempotent"; fi
	"$bin" "${set_ws[@]}" --set managementState=Removed < "$f" > "$tmp/rem0" 2> /dev/null
	"$bin" "${set_ws[@]}" --set managementState=Removed < "$tmp/out" > "$tmp/rem1" 2> /dev/null
	if cmp -s "$tmp/rem0" "$tmp/rem1"; then ok "$c: Removed restores the input's bytes"
	else diff "$tmp/rem0" "$tmp/rem1" > "$tmp/diff"; bad "$c: Removed restores the input's bytes" "$tmp/diff"; fi
	if [ -s "$tmp/edited.yaml" ]; then
		if node tests/schema/validate.mjs --all --expect-some "$tmp/edited.yaml" > "$tmp/schema" 2>&1; then
			ok "$c: edited workloads schema-valid"
		else
			bad "$c: edited workloads schema-valid" "$tmp/schema"
		fi
	fi
done
# The checks can fail: the comparison refuses an output whose constraints are not exactly
# ours, and yamlcheck fidelity --spread (the invariants' faithful check of runs with this
# component) refuses a change elsewhere or a constraint that is not ours.
f=$corpus/vault-ha.yaml
if [ -f "$f" ]; then
	"$bin" "${set_ws[@]}" < "$f" > "$tmp/out" 2> /dev/null
	sed '0,/maxSkew: 1/s//maxSkew: 2/' "$tmp/out" > "$tmp/skew"
	if "$py" "$tmp/compare.py" "$f" "$tmp/skew" "$tmp/edited.yaml" > /dev/null 2>&1; then
		bad "self-check: maxSkew 2 in place of 1 goes unnoticed"
	else ok "self-check: maxSkew 2 in place of 1 is noticed"; fi
fi
check=${YAMLCHECK:-build/yamlcheck}
if [ -x "$check" ]; then
	f=fixtures/wspread.yaml
	"$bin" "${set_ws[@]}" < "$f" > "$tmp/out" 2> /dev/null
	sed '0,/kubernetes.io\/hostname/s//example.com\/rack/' "$tmp/out" > "$tmp/key"
	sed '0,/nginx:1.27/s//nginx:1.28/' "$tmp/out" > "$tmp/image"
	if "$check" fidelity --spread "$f" "$tmp/out" 2> "$tmp/yc"; then ok "yamlcheck --spread: our edit passes"
	else bad "yamlcheck --spread: our edit passes" "$tmp/yc"; fi
	for v in key image; do
		if "$check" fidelity --spread "$f" "$tmp/$v" 2> /dev/null; then bad "yamlcheck --spread: a changed $v goes unnoticed"
		else ok "yamlcheck --spread: a changed $v is noticed"; fi
	done
	if "$check" fidelity "$f" "$tmp/out" 2> /dev/null; then bad "yamlcheck without --spread: our edit goes unnoticed"
	else ok "yamlcheck without --spread: our edit is noticed"; fi
else
	echo "# not run: yamlcheck self-checks ($check is missing: make)"
fi
[ "$total" -gt 0 ] && ok "workloads edited over the corpus: $total" || bad "no workload edited over the corpus"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
