#!/usr/bin/env bash
# tests/wspread.sh - component workloadSpread (issue 16) on every real chart of
# ../shared/corpus/real/ (where it is missing, on fixtures/wspread.yaml and example.yaml):
# BIN --set components=workloadSpread; then
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
# The inputs: the real charts, or where they are missing the repo's own workloads.
inputs=("$corpus"/*.yaml)
if [ ! -d "$corpus" ]; then
	echo "# the real charts ($corpus) are missing: checked on fixtures/wspread.yaml and fixtures/example.yaml only"
	inputs=(fixtures/wspread.yaml fixtures/example.yaml)
fi

cat > "$tmp/compare.py" <<'EOF'
import re, sys, yaml
KINDS = ("Deployment", "StatefulSet", "ReplicaSet")
REV = {"Deployment": "pod-template-hash", "StatefulSet": "controller-revision-hash"}
KEYS = ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]
# PyYAML resolves a plain "=" to its own "value" tag (not YAML 1.1 core): a string here.
yaml.add_constructor("tag:yaml.org,2002:value", lambda l, n: l.construct_scalar(n), Loader=yaml.CLoader)
def docs(path):
    with open(path, "rb") as f:
        return [d for d in yaml.load_all(f, Loader=yaml.CLoader) if d is not None]
# Would the component edit a (defaults: every namespace, no selector)?
def eligible(a):
    if not isinstance(a, dict) or a.get("apiVersion") != "apps/v1" or a.get("kind") not in KINDS:
        return False
    spec = a.get("spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("template"), dict):
        return False
    r = spec.get("replicas")
    if r is not None and not (type(r) is int and r > 1):
        return False
    pod = spec["template"].get("spec")
    return isinstance(pod, dict) and "topologySpreadConstraints" not in pod
# a and b: argv 1 and 2; argv 3: the edited objects, written; argv 4: the run's stderr
inp, out = docs(sys.argv[1]), docs(sys.argv[2])
edited = open(sys.argv[3], "w")
warned = open(sys.argv[4]).read()
if len(out) != len(inp):
    sys.exit("%d documents in, %d out" % (len(inp), len(out)))
n = 0
for i, (a, b) in enumerate(zip(inp, out)):
    if not isinstance(a, dict):
        if a != b:
            sys.exit("document %d: changed" % (i + 1))
        continue
    meta = a.get("metadata") or {}
    name = "document %d (%s %s)" % (i + 1, a.get("kind"), meta.get("name"))
    if a == b:
        who = re.escape("%s/" % a.get("kind")) + "(%s/)?%s" % (re.escape(str(meta.get("namespace"))), re.escape(str(meta.get("name"))))
        if eligible(a) and not re.search(who + r": workloadSpread: not edited", warned):
            sys.exit(name + ": not edited, and no warning says why")
        continue
    if not eligible(a):
        sys.exit(name + ": edited, but not a workload the component edits")
    pod = ((b.get("spec") or {}).get("template") or {}).get("spec") or {}
    tsc = pod.pop("topologySpreadConstraints", None)
    if a != b or tsc is None:
        sys.exit(name + ": changed other than by topologySpreadConstraints")
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
check=${YAMLCHECK:-build/yamlcheck}
[ -x "$check" ] || echo "# not run: yamlcheck fidelity --spread on the charts ($check is missing: make)"
total=0
for f in "${inputs[@]}"; do
	c=$(basename "$f" .yaml)
	rm -f "$tmp/edited.yaml"
	if ! "$bin" "${set_ws[@]}" < "$f" > "$tmp/out" 2> "$tmp/err"; then bad "$c: run" "$tmp/err"; continue; fi
	if n=$("$py" "$tmp/compare.py" "$f" "$tmp/out" "$tmp/edited.yaml" "$tmp/err" 2> "$tmp/cmp"); then
		ok "$c: the input plus exactly our constraints on $n workload(s), every other eligible one warned about (libyaml)"
		total=$((total + n))
	else
		bad "$c: libyaml reads other changes" "$tmp/cmp"
		rm -f "$tmp/edited.yaml"
	fi
	if [ -x "$check" ]; then
		if "$check" fidelity --spread "$f" "$tmp/out" 2> "$tmp/yc"; then ok "$c: yamlcheck fidelity --spread"
		else bad "$c: yamlcheck fidelity --spread" "$tmp/yc"; fi
	fi
	"$bin" "${set_ws[@]}" < "$tmp/out" > "$tmp/again" 2> /dev/null
	if cmp -s "$tmp/out" "$tmp/again"; then ok "$c: idempotent"; else bad "$c: idempotent"; fi
	"$bin" "${set_ws[@]}" --set managementState=Removed < "$f" > "$tmp/rem0" 2> "$tmp/rem0.err"; r0=$?
	"$bin" "${set_ws[@]}" --set managementState=Removed < "$tmp/out" > "$tmp/rem1" 2> "$tmp/rem1.err"; r1=$?
	if [ "$r0" != 0 ] || [ "$r1" != 0 ] || [ ! -s "$tmp/rem0" ]; then
		cat "$tmp/rem0.err" "$tmp/rem1.err" > "$tmp/diff"; bad "$c: Removed runs (exit $r0, $r1)" "$tmp/diff"
	elif cmp -s "$tmp/rem0" "$tmp/rem1"; then ok "$c: Removed restores the input's bytes"
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
f=fixtures/wspread.yaml
"$bin" "${set_ws[@]}" < "$f" > "$tmp/out" 2> "$tmp/err"
sed '0,/maxSkew: 1/s//maxSkew: 2/' "$tmp/out" > "$tmp/skew"
if "$py" "$tmp/compare.py" "$f" "$tmp/skew" "$tmp/edited.yaml" "$tmp/err" > /dev/null 2>&1; then
	bad "self-check: maxSkew 2 in place of 1 goes unnoticed"
else ok "self-check: maxSkew 2 in place of 1 is noticed"; fi
: > "$tmp/noerr"
if "$py" "$tmp/compare.py" "$f" "$f" "$tmp/edited.yaml" "$tmp/noerr" > /dev/null 2>&1; then
	bad "self-check: workloads left unedited without a warning go unnoticed"
else ok "self-check: workloads left unedited without a warning are noticed"; fi
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
[ "$total" -gt 0 ] && ok "workloads edited over the inputs: $total" || bad "no workload edited over the inputs"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
