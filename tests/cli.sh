#!/usr/bin/env bash
# Command-line behaviour and bounded input: help, version, print-defaults
# round trip, the stdout check (/dev/full), the log file, all-or-nothing
# output, and pathological inputs that must end quickly with correct output
# or a clear error. usage: tests/cli.sh BIN YAMLCHECK   ($VALGRIND prefixes BIN)
set -u
export LC_ALL=C
bin=$1 check=$2
cd "$(dirname "$0")/.." || exit 2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
T=${TIMEOUT:-20}
ok()  { pass=$((pass + 1)); echo "ok - cli $1"; }
bad() { fail=$((fail + 1)); echo "not ok - cli $1"; [ -f "${2:-}" ] && sed 's/^/    /' "$2" | head -20; }
t()   { if eval "$2"; then ok "$1"; else bad "$1" "$tmp/err"; fi; }
ra()  { timeout "$T" ${VALGRIND:-} "$bin" "$@"; }

# --help, --version
ra --help > "$tmp/help" 2> "$tmp/err"
t "--help exits 0" '[ $? = 0 ]'
ra --print-defaults > "$tmp/defaults.yaml" 2> "$tmp/err"
t "--print-defaults exits 0" '[ $? = 0 ] && [ -s "$tmp/defaults.yaml" ]'
missing=
for path in managementState namespace components registry.image registry.replicas registry.storage.size \
	registry.storage.storageClassName registry.storage.accessModes registry.storage.emptyDir \
	registry.service.clusterIP registry.service.serviceCIDR registry.service.port registry.hostnames \
	registry.resources registry.nodeSelector registry.tolerations registry.priorityClassName sync.image \
	sync.interval sync.preload tls.mode tls.caDuration tls.duration tls.renewBefore tls.secretName \
	tls.caCertFile tls.caKeyFile tls.notBefore clusterDomain nodeTrust.runtimes nodeTrust.mirrors \
	nodeTrust.containerdConfigPath nodeTrust.configureContainerd spread.hostname spread.zone spread.workerRole; do
	grep -q "^  $path " "$tmp/help" || missing="$missing $path"
done
t "--help documents every DESIGN.md §3 field${missing:+ (missing:$missing)}" '[ -z "$missing" ]'
for flag in --config --set --log-file --print-defaults --max-input-bytes --help --version; do
	grep -q -- "$flag" "$tmp/help" || missing="$missing $flag"
done
t "--help documents every flag" '[ -z "$missing" ]'
ra --version > "$tmp/v" 2> "$tmp/err"
t "--version" '[ $? = 0 ] && grep -q "^registry-addon [0-9]" "$tmp/v"'

# --print-defaults is valid --config input and means the defaults
ra < fixtures/example.yaml > "$tmp/plain.out" 2> "$tmp/err"
ra --config "$tmp/defaults.yaml" < fixtures/example.yaml > "$tmp/cfg.out" 2> "$tmp/err"
t "--print-defaults round-trips through --config" '[ $? = 0 ] && cmp -s "$tmp/plain.out" "$tmp/cfg.out"'
ra "$tmp/defaults.yaml" < fixtures/example.yaml > "$tmp/legacy.out" 2> "$tmp/err"
t "legacy plugin: argv[1] is the config file" '[ $? = 0 ] && cmp -s "$tmp/plain.out" "$tmp/legacy.out"'

# a full stdout is an error, not a silent success
ra < fixtures/example.yaml > /dev/full 2> "$tmp/err"
t "/dev/full: exit 2 with a message" '[ $? = 2 ] && grep -q "writing output failed" "$tmp/err"'

# diagnostics also go to a log file (Helm 4 discards stderr)
ra --log-file "$tmp/log1" --set registry.replicas=x < fixtures/example.yaml > "$tmp/out" 2> "$tmp/err"
t "--log-file gets the error" '[ $? = 1 ] && grep -q "registry.replicas" "$tmp/log1" && [ ! -s "$tmp/out" ]'
REGISTRY_ADDON_LOG="$tmp/log2" ra --set registry.replicas=x < fixtures/example.yaml > "$tmp/out" 2> "$tmp/err"
t "REGISTRY_ADDON_LOG gets the error" '[ $? = 1 ] && cmp -s "$tmp/log1" "$tmp/log2"'

# all or nothing: every failing stream golden has an empty stdout
empty=yes
for rc in golden/*.rc; do
	n=${rc%.rc}; case $n in golden/krm-*) continue;; esac
	[ -s "$n.yaml" ] && empty="no: $n.yaml"
done
t "failing stream runs print nothing on stdout ($empty)" '[ "$empty" = yes ]'
t "Unmanaged output is the input byte for byte" 'cmp -s fixtures/unmanaged.yaml golden/unmanaged.yaml'

# nothing of ours falls into the Helm release namespace by accident (cluster-scoped kinds aside)
loose=
for g in golden/*.yaml; do
	loose="$loose$("$check" docs "$g" 2>/dev/null | awk -F '\t' '$6 == 1 && $3 != "Namespace" && $3 != "ClusterIssuer" && $4 == "-" { print FILENAME ": " $3 "/" $5 }' FILENAME="$g")"
done
t "every generated namespaced object names its namespace${loose:+ (not: $loose)}" '[ -z "$loose" ]'

# bounded input
gen() { python3 -c "$1" > "$tmp/$2"; }
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\n", i }' > "$tmp/many.yaml"
ra < "$tmp/many.yaml" > "$tmp/out" 2> "$tmp/err"
t "10,000 tiny documents" '[ $? = 0 ] && [ "$("$check" docs "$tmp/out" | awk -F "\t" "\$6 == 0" | wc -l)" = 10000 ] && "$check" fidelity "$tmp/many.yaml" "$tmp/out"'
{ printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  big: "'; head -c 1048576 /dev/zero | tr '\0' x; printf '"\n'; } > "$tmp/big.yaml"
ra < "$tmp/big.yaml" > "$tmp/out" 2> "$tmp/err"
t "1 MB scalar" '[ $? = 0 ] && "$check" fidelity "$tmp/big.yaml" "$tmp/out"'
{ printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
  for i in b c d e f g h i j; do p=$(printf '%s' "$i" | tr 'b-j' 'a-i'); printf '  %s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' $i $i $p $p $p $p $p $p $p $p $p; done; } > "$tmp/lol.yaml"
ra < "$tmp/lol.yaml" > "$tmp/out" 2> "$tmp/err"
rc=$?
t "billion laughs is passed through unexpanded (exit $rc)" '[ $rc = 0 ] && [ $(wc -c < "$tmp/out") -lt 100000 ]'
{ printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  a: '; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; echo; } > "$tmp/deep.yaml"
ra < "$tmp/deep.yaml" > "$tmp/out" 2> "$tmp/err"
t "100,000-deep nesting: a clear error" '[ $? = 1 ] && grep -q "nesting is deeper than" "$tmp/err" && [ ! -s "$tmp/out" ]'
ra --max-input-bytes 1000 < fixtures/example.yaml > "$tmp/out" 2> "$tmp/err"
t "--max-input-bytes: a clear error" '[ $? = 1 ] && grep -q "larger than 1000 bytes" "$tmp/err" && [ ! -s "$tmp/out" ]'
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {a: "1", a: "2"}\ndata:\n  k: 1\n  k: 2\n' > "$tmp/dup.yaml"
ra < "$tmp/dup.yaml" > "$tmp/out" 2> "$tmp/err"
t "duplicate keys pass through as written" '[ $? = 0 ] && "$check" parse "$tmp/out" && grep -q "k: 2" "$tmp/out"'
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n' > "$tmp/dup.yaml"
ra < "$tmp/dup.yaml" > "$tmp/out" 2> "$tmp/err"
t "a duplicate key in the identity (tools read different names): a clear error" \
	'[ $? = 1 ] && grep -q "<stdin>:4:3: .*metadata.name: given twice.*\"y\" on line 5.*\"x\" on line 4" "$tmp/err" && [ ! -s "$tmp/out" ]'
printf '\0\1\2binary' > "$tmp/bin.yaml"
ra < "$tmp/bin.yaml" > "$tmp/out" 2> "$tmp/err"
t "binary input: a clear error" '[ $? = 1 ] && grep -q "error" "$tmp/err" && [ ! -s "$tmp/out" ]'

printf '%%%%%%\302%%%%%%\napiVersion: v1\n' > "$tmp/hang.yaml"
ra < "$tmp/hang.yaml" > "$tmp/out" 2> "$tmp/err"
t "invalid UTF-8 in a directive (libfyaml 0.7.12 loops on it): a clear error" '[ $? = 1 ] && grep -q "not valid UTF-8" "$tmp/err"'
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: u}\ndata: {text: "h\303\251 \360\237\232\200"}\n' > "$tmp/utf8.yaml"
ra < "$tmp/utf8.yaml" > "$tmp/out" 2> "$tmp/err"
t "valid multi-byte UTF-8 passes" '[ $? = 0 ] && "$check" fidelity "$tmp/utf8.yaml" "$tmp/out"'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
