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
missing=
for flag in --config --set --log-file --print-defaults --print-config --schema --completion --generate-ca --max-input-bytes --max-scalar-bytes --max-line-tokens \
	--max-mapping-keys --max-annotation-bytes --max-documents --help --version; do
	grep -Eq -- "^ +(-[a-z], )?$flag( |=|$)" "$tmp/help" || missing="$missing $flag"
done
t "--help documents every flag${missing:+ (missing:$missing)}" '[ -z "$missing" ]'
ra --version > "$tmp/v" 2> "$tmp/err"
t "--version" '[ $? = 0 ] && grep -q "^registry-addon [0-9]" "$tmp/v"'

# --print-defaults is valid --config input and means the defaults
ra < fixtures/example.yaml > "$tmp/plain.out" 2> "$tmp/err"
ra --config "$tmp/defaults.yaml" < fixtures/example.yaml > "$tmp/cfg.out" 2> "$tmp/err"
t "--print-defaults round-trips through --config" '[ $? = 0 ] && cmp -s "$tmp/plain.out" "$tmp/cfg.out"'
KUSTOMIZE_PLUGIN_CONFIG_ROOT=$tmp ra "$tmp/defaults.yaml" < fixtures/example.yaml > "$tmp/legacy.out" 2> "$tmp/err"
t "legacy plugin (\$KUSTOMIZE_PLUGIN_CONFIG_ROOT set): argv[1] is the config file" '[ $? = 0 ] && cmp -s "$tmp/plain.out" "$tmp/legacy.out"'

# a FILE argument is the input, - is stdin; two are an error; a directory is an error naming it
ra fixtures/example.yaml < /dev/null > "$tmp/file.out" 2> "$tmp/err"
t "FILE argument: the input, as if on stdin" '[ $? = 0 ] && cmp -s "$tmp/plain.out" "$tmp/file.out"'
ra - < fixtures/example.yaml > "$tmp/dash.out" 2> "$tmp/err"
t "- argument: stdin" '[ $? = 0 ] && cmp -s "$tmp/plain.out" "$tmp/dash.out"'
ra fixtures/example.yaml fixtures/example.yaml < /dev/null > "$tmp/out" 2> "$tmp/err"
t "two FILE arguments: exit 2, one input at most" '[ $? = 2 ] && [ ! -s "$tmp/out" ] && grep -q "one input FILE at most" "$tmp/err"'
ra fixtures < /dev/null > "$tmp/out" 2> "$tmp/err"
t "a directory as FILE: exit 2 naming it" '[ $? = 2 ] && grep -q "input file fixtures: it is a directory" "$tmp/err"'
printf 'a: [\n' > "$tmp/broken.yaml"
ra "$tmp/broken.yaml" < /dev/null > "$tmp/out" 2> "$tmp/err"
t "an error in FILE names FILE, not <stdin>" '[ $? = 1 ] && grep -q "^$tmp/broken.yaml:" "$tmp/err"'

# a terminal on stdin and no FILE: the usage and exit 2 at once, not a silent wait
if command -v script > /dev/null; then
	timeout 10 script -qec "$bin" /dev/null < /dev/null > "$tmp/tty" 2>&1
	t "a terminal on stdin: exit 2 with the usage" '[ $? = 2 ] && grep -q "standard input is a terminal" "$tmp/tty" && grep -q "^usage:" "$tmp/tty"'
	timeout 10 script -qec "$bin fixtures/example.yaml" /dev/null < /dev/null > "$tmp/tty" 2>&1
	t "a terminal on stdin with a FILE: runs" '[ $? = 0 ] && grep -q "kind: StatefulSet" "$tmp/tty"'
else
	echo "# skip terminal on stdin: script (bsdutils) not found"
fi

# help and version as words
ra help > "$tmp/h2" 2> "$tmp/err"
t "help: the --help text" '[ $? = 0 ] && cmp -s "$tmp/help" "$tmp/h2"'
ra version > "$tmp/v2" 2> "$tmp/err"
t "version: the --version text" '[ $? = 0 ] && cmp -s "$tmp/v" "$tmp/v2"'

# --print-defaults takes no sources; --print-config gives them back as a document
ra --print-defaults --set registry.replicas=3 > "$tmp/out" 2> "$tmp/err"
t "--print-defaults --set: exit 2 pointing to --print-config" '[ $? = 2 ] && [ ! -s "$tmp/out" ] && grep -q -- "--print-config" "$tmp/err"'
ra --print-config > "$tmp/pc0.yaml" 2> "$tmp/err"
t "--print-config alone is --print-defaults" '[ $? = 0 ] && cmp -s "$tmp/defaults.yaml" "$tmp/pc0.yaml"'
ra --config fixtures/config/full.yaml --set registry.replicas=5 --set 'registry.hostnames=[a.example.com]' --print-config > "$tmp/pc.yaml" 2> "$tmp/err"
t "--print-config: exit 0 with the --set values" '[ $? = 0 ] && grep -q "replicas: 5" "$tmp/pc.yaml" && grep -q "a.example.com" "$tmp/pc.yaml"'
ra --config fixtures/config/full.yaml --set registry.replicas=5 --set 'registry.hostnames=[a.example.com]' < fixtures/example.yaml > "$tmp/src.out" 2> "$tmp/err"
ra --config "$tmp/pc.yaml" < fixtures/example.yaml > "$tmp/pc.out" 2> "$tmp/err"
t "--print-config given back as --config: the same output" '[ $? = 0 ] && [ -s "$tmp/pc.out" ] && cmp -s "$tmp/src.out" "$tmp/pc.out"'
ra --set registry.replicas=0 --print-config > "$tmp/out" 2> "$tmp/err"
t "--print-config of a bad configuration: exit 1, nothing printed" '[ $? = 1 ] && [ ! -s "$tmp/out" ] && grep -q "registry.replicas" "$tmp/err"'

# unknown fields name the closest known one
ra --set regsitry.replica=3 < /dev/null > "$tmp/out" 2> "$tmp/err"
t "--set unknown field: did you mean" '[ $? = 1 ] && grep -q "did you mean registry.replicas?" "$tmp/err"'
ra --set zzzzzz=3 < /dev/null > "$tmp/out" 2> "$tmp/err"
t "--set far from any field: no guess" '[ $? = 1 ] && ! grep -q "did you mean" "$tmp/err"'

# --generate-ca makes DIR (0700, parents too) and refuses a DIR that is not a directory
ra --generate-ca "$tmp/ca/new/dir" > "$tmp/out" 2> "$tmp/err"
t "--generate-ca: a missing DIR is made, mode 0700, parents too" '[ $? = 0 ] && [ -s "$tmp/ca/new/dir/ca.crt" ] &&
	[ "$(stat -c %a "$tmp/ca/new/dir")" = 700 ] && [ "$(stat -c %a "$tmp/ca")" = 700 ]'
: > "$tmp/notadir"
ra --generate-ca "$tmp/notadir" > "$tmp/out" 2> "$tmp/err"
t "--generate-ca on a file: exit 2, not a directory" '[ $? = 2 ] && grep -q "not a directory" "$tmp/err"'

# libcrypto is not linked (src/ossl.h): a run that needs no certificate never loads it; tls.mode
# generate and --generate-ca load it with dlopen()
if [ -z "${VALGRIND:-}" ]; then
	LD_DEBUG=files "$bin" < fixtures/example.yaml > "$tmp/out" 2> "$tmp/ld"; st=$?
	t "libcrypto: not loaded by a run that makes no certificate" '[ $st = 0 ] && grep -q "file=libfyaml" "$tmp/ld" && ! grep -q "libcrypto" "$tmp/ld" && ! ldd "$bin" | grep -q libcrypto'
	LD_DEBUG=files "$bin" --set tls.mode=generate --set tls.caCertFile="$tmp/ca/new/dir/ca.crt" \
		--set tls.caKeyFile="$tmp/ca/new/dir/ca.key" --set tls.notBefore="$(date -u -d "+1 hour" +%Y-%m-%dT%H:%M:%SZ)" \
		< fixtures/example.yaml > "$tmp/out" 2> "$tmp/ld"; st=$?
	t "libcrypto: loaded when needed (tls.mode generate), and the certificate made" \
		'[ $st = 0 ] && grep -q "file=libcrypto.so.3 .*dynamically loaded" "$tmp/ld" && grep -q "tls.crt:" "$tmp/out"'
else
	echo "# not run: which libraries a run loads (under valgrind)"
fi

# --schema: JSON, from the field table
ra --schema > "$tmp/schema.json" 2> "$tmp/err"
t "--schema: JSON with every field" '[ $? = 0 ] && node -e "const s=JSON.parse(require(\"fs\").readFileSync(process.argv[1]));
	if (s.properties.spec.properties.registry.properties.replicas.maximum !== 100) process.exit(1)" "$tmp/schema.json"'

# bash completion: sourced, called as bash calls it
ra --completion bash > "$tmp/comp.bash" 2> "$tmp/err"
t "--completion bash: exit 0" '[ $? = 0 ] && bash -n "$tmp/comp.bash"'
comp() {	# comp WORD...: the completions of the last word, one a line
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _registry_addon; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$tmp/comp.bash" registry-addon "$@"
}
t "bash: --pri completes to --print-config and --print-defaults" '[ "$(comp --pri | sort | tr "\n" " ")" = "--print-config --print-defaults " ]'
t "bash: --set registry.rep completes to registry.replicas=" '[ "$(comp --set registry.rep)" = "registry.replicas=" ]'
t "bash: --set tls.mode = completes the allowed values (split at =)" '[ "$(comp --set tls.mode = | sort | tr "\n" " ")" = "cert-manager generate secret " ]'
t "bash: --set tls.mode=s completes unsplit" '[ "$(comp --set tls.mode=s)" = "tls.mode=secret" ]'
t "bash: --completion z completes zsh" '[ "$(comp --completion z)" = zsh ]'
t "bash: --config completes files" '[ "$(cd fixtures/config && comp --config full)" = full.yaml ]'
if command -v zsh > /dev/null; then
	ra --completion zsh > "$tmp/comp.zsh" 2> "$tmp/err"
	t "--completion zsh: parses, and defines _registry_addon after compinit" '[ $? = 0 ] && zsh -n "$tmp/comp.zsh" &&
		zsh -fc "autoload -Uz compinit && compinit -u -d $tmp/zcd && source $tmp/comp.zsh && (( \$+functions[_registry_addon] )) && [[ \${_comps[registry-addon]} = _registry_addon ]]"'
else
	echo "# skip zsh completion: zsh not installed"
fi
t "--completion fish: exit 2" '! ra --completion fish > /dev/null 2>&1'

# a full stdout is an error, not a silent success
ra < fixtures/example.yaml > /dev/full 2> "$tmp/err"
t "/dev/full: exit 2 with a message" '[ $? = 2 ] && grep -q "writing output failed" "$tmp/err"'

# diagnostics also go to a log file (Helm 4 discards stderr)
ra --log-file "$tmp/log1" --set registry.replicas=x < fixtures/example.yaml > "$tmp/out" 2> "$tmp/err"
t "--log-file gets the error" '[ $? = 1 ] && grep -q "registry.replicas" "$tmp/log1" && [ ! -s "$tmp/out" ]'

# an error far along a long line: the source is shown in a window from "..." with the caret under
# the character (the escape '\q' at column 305), not 304 spaces under a line cut at 200
{ printf 'a: "'; printf 'x%.0s' $(seq 300); printf '\\q"\n'; } > "$tmp/longline.yaml"
ra < "$tmp/longline.yaml" > "$tmp/out" 2> "$tmp/err"
rc=$?; src=$(sed -n 2p "$tmp/err"); caret=$(sed -n 3p "$tmp/err")
t "an error at column 305: a window from ... with the caret under it" '[ $rc = 1 ] && [ ! -s "$tmp/out" ] &&
	grep -q "^<stdin>:1:305: " "$tmp/err" && [ "${src:0:5}" = "  ..." ] && [ ${#src} -le 210 ] &&
	[ "${caret: -1}" = "^" ] && [ "${src:${#caret}-1:2}" = "\\q" ]'
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

# a ConfigMap's change rolls exactly the pods that read it: its checksum in their pod template moves,
# the others' stay (daemonset config, registry config, sync config, in the order they are written)
sums() { ra "$@" < /dev/null 2> "$tmp/err" | sed -n "s#^ *registry-addon.dev/\(config\|sync\)-sha256: ##p" | tr "\n" " "; }
read -r n0 r0 s0 <<< "$(sums)"
read -r n1 r1 s1 <<< "$(sums --set sync.interval=17m)"
t "sync.interval moves only the sync checksum" '[ ${#s0} = 64 ] && [ "$s1" != "$s0" ] && [ "$r1" = "$r0" ] && [ "$n1" = "$n0" ]'
read -r n1 r1 s1 <<< "$(sums --set registry.push.htpasswdSecret=pw)"
t "registry.push.htpasswdSecret moves only the registry config checksum" '[ ${#r0} = 64 ] && [ "$r1" != "$r0" ] && [ "$s1" = "$s0" ] && [ "$n1" = "$n0" ]'
read -r n1 r1 s1 <<< "$(sums --set nodeTrust.runtimes=containerd)"
t "nodeTrust.runtimes moves only the node-trust checksum" '[ ${#n0} = 64 ] && [ "$n1" != "$n0" ] && [ "$r1" = "$r0" ] && [ "$s1" = "$s0" ]'
read -r n1 r1 s1 <<< "$(sums)"
t "the same configuration, the same checksums" '[ "$n1 $r1 $s1" = "$n0 $r0 $s0" ]'

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
t "billion laughs is passed through unexpanded (exit $rc)" '[ $rc = 0 ] && [ $(wc -c < "$tmp/out") -lt 100000 ] &&
	grep -qxF "  j: &j [*i,*i,*i,*i,*i,*i,*i,*i,*i]" "$tmp/out" && grep -qxF "$(sed -n 6p "$tmp/lol.yaml")" "$tmp/out"'
{ printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  a: '; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; echo; } > "$tmp/deep.yaml"
ra < "$tmp/deep.yaml" > "$tmp/out" 2> "$tmp/err"
t "100,000-deep nesting: a clear error" '[ $? = 1 ] && grep -q "nesting is deeper than" "$tmp/err" && [ ! -s "$tmp/out" ]'
ra --max-input-bytes 1000 < fixtures/example.yaml > "$tmp/out" 2> "$tmp/err"
t "--max-input-bytes: a clear error" '[ $? = 1 ] && grep -q "larger than 1000 bytes" "$tmp/err" && [ ! -s "$tmp/out" ]'
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {a: "1", a: "2"}\ndata:\n  k: 1\n  k: 2\n' > "$tmp/dup.yaml"
ra < "$tmp/dup.yaml" > "$tmp/out" 2> "$tmp/err"
t "duplicate keys pass through as written" '[ $? = 0 ] && "$check" parse "$tmp/out" && grep -q "k: 2" "$tmp/out"'

# limits (limits.h, issue 13): each refused where it is crossed, with line:col, exit 1 and nothing on
# stdout; its option raises it; input just under it passes. rl FILE ARGS...: run, $rc, $tmp/out, $tmp/err
rl() { local f=$1; shift; ra "$@" < "$f" > "$tmp/out" 2> "$tmp/err"; rc=$?; }
refused() { [ "$rc" = 1 ] && [ ! -s "$tmp/out" ] && grep -qF -- "$1" "$tmp/err"; }
passed() { [ "$rc" = 0 ] && "$check" fidelity "$1" "$tmp/out"; }
cm='apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\n'
rep() { head -c "$2" /dev/zero | tr '\0' "$1"; }	# rep CHAR N
{ printf "${cm}data:\n  a: "; rep '[' 254; rep ']' 254; echo; } > "$tmp/d256.yaml"
{ printf "${cm}data:\n  a: "; rep '[' 255; rep ']' 255; echo; } > "$tmp/d257.yaml"
rl "$tmp/d256.yaml"; t "nesting: 256 levels pass" 'passed "$tmp/d256.yaml"'
rl "$tmp/d257.yaml"; t "nesting: the 257th level is refused where it opens" \
	'refused "<stdin>:6:260: error: [doc 1] nesting is deeper than 256 levels"'
{ printf "${cm}data:\n  a:\n  "; for i in $(seq 300); do printf -- '- '; done; echo x; } > "$tmp/block.yaml"
rl "$tmp/block.yaml"; t "block nesting past 256 levels is refused" 'refused "<stdin>:7:513: error: [doc 1] nesting is deeper than 256 levels"'
# libfyaml scans a flow collection that may be a key to its end before it says a word: 4 MB of "["
# took 1.1 GB and aborted under this limit; the pre-scan refuses it before libfyaml reads a byte
{ printf "${cm}data:\n  a: "; rep '[' 2000000; rep ']' 2000000; echo; } > "$tmp/deep4.yaml"
if sh -c 'ulimit -v 524288; "$0" --version' "$bin" > /dev/null 2>&1; then
	(ulimit -v 524288; ra < "$tmp/deep4.yaml" > "$tmp/out" 2> "$tmp/err"); rc=$?
	t "4 MB of nesting under ulimit -v 512 MiB: a clear error, not an abort (exit $rc)" 'refused "<stdin>:6:260: error"'
else
	echo "# not run: ulimit -v 512 MiB (this binary cannot start under it: ASan's shadow memory)"
fi
# the libyaml gate starts before the pre-scan (ygate.h) and reads only what the pre-scan has
# passed: a 100 MB quoted scalar is refused at its size limit with little memory beyond the input;
# a gate reading ahead of the pre-scan held the scalar whole in libyaml (about 130 MB more)
{ printf "${cm}data:\n  a: \""; rep x 100000000; echo '"'; } > "$tmp/long100.yaml"
if [ -z "${VALGRIND:-}" ] && /usr/bin/time -f %M true > /dev/null 2>&1; then
	timeout "$T" /usr/bin/time -f %M -o "$tmp/rss" "$bin" --max-input-bytes 200000000 < "$tmp/long100.yaml" \
		> "$tmp/out" 2> "$tmp/err"; rc=$?
	rss=$(tail -n 1 "$tmp/rss")
	t "a 100 MB scalar: refused at its size limit, peak RSS $((rss / 1024)) MiB < 100 MB input + 40 MiB" \
		'refused "<stdin>:6:6: error: [doc 1] a double-quoted scalar longer than 16777216 bytes" && [ "$rss" -lt $((97656 + 40960)) ]'
else
	echo "# not run: peak RSS of a 100 MB scalar (no /usr/bin/time, or under valgrind)"
fi
rm -f "$tmp/long100.yaml"
# directives before one document: libfyaml and libyaml take quadratic time in them (20,000 %TAG
# lines took 0.9 s, 40,000 12 s); the pre-scan refuses the 101st before either reads it
dirs() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "%%TAG !t%d! tag:example.com,2000:\n", i }'; }
{ printf -- "--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n...\n"; dirs 100
  printf -- "--- !t99!x\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n...\n"; dirs 100
  printf -- "--- !t0!x\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"; } > "$tmp/dir100.yaml"
rl "$tmp/dir100.yaml"; t "100 directives before each of two documents pass" 'passed "$tmp/dir100.yaml"'
{ printf -- "--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n...\n"; dirs 1000000
  printf -- "--- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n"; } > "$tmp/dir1m.yaml"
rl "$tmp/dir1m.yaml"; t "1,000,000 directives (35 MB) are refused at the 101st, document 2 (exit $rc)" \
	'refused "<stdin>:103:1: error: [doc 2] more than 100 directives (%YAML, %TAG) before one document"'
rm -f "$tmp/dir1m.yaml"
# what only looks like nesting: brackets in quoted, plain and block scalars, comments, tags
{ printf "${cm}data:\n"
  printf '  dq: "%s"\n  sq: '"'%s'"'\n' "$(rep '[' 300)" "$(rep '{' 300)"
  printf '  plain: a%s\n  # %s\n  multi: a\n    %s\n' "$(rep '[' 300)" "$(rep '[' 300)" "$(rep '{' 300)"
  printf '  lit: |\n    %s\n  fold: >-\n    %s\n    x\n' "$(rep '[' 300)" "$(rep '{' 300)"
  printf '  esc: "\\"%s\\\\"\n  tag: !<tag:x,%s> v\n' "$(rep '[' 300)" "$(rep '[' 300)"
  printf '  flow: ["%s", '"'%s'"', {k: "%s"}]\n' "$(rep ']' 300)" "$(rep '[' 300)" "$(rep '{' 300)"; } > "$tmp/text.yaml"
rl "$tmp/text.yaml"; t "brackets in scalars, comments and tags are not nesting" 'passed "$tmp/text.yaml"'
# libfyaml reads a block scalar's lines at its key's own indentation as its text; YAML and go-yaml
# end the scalar before them (it is empty: Helm renders "key: |-" so for an empty value). The
# pre-scan reads them as YAML does, and libfyaml is handed the scalar's header as an empty scalar:
# here the line is then 300 levels of flow nesting, refused where the 257th opens
{ printf "${cm}data:\n  a: |\n  %s\n" "$(rep '[' 300)"; } > "$tmp/quirk.yaml"
rl "$tmp/quirk.yaml"; t "a block scalar's line at its key's indentation is read as YAML reads it (here: nesting)" \
	'refused "<stdin>:7:257: error: [doc 1] nesting is deeper than 256 levels"'
# ... and the keys after an empty "|-" are the mapping's: a Pod's image after an empty block scalar
# is the image Kubernetes reads (preloaded), and the document is copied byte for byte
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    args: |-\n    image: quay.io/team/app:1\n' > "$tmp/emptyblock.yaml"
rl "$tmp/emptyblock.yaml" --set components=sync,registry
t "an empty \"|-\" followed by its mapping's next key: the key is read (quay.io/team/app:1 preloaded), the document copied as it is" \
	'[ "$rc" = 0 ] && grep -q "quay.io/team/app:1" "$tmp/out" && [ "$(grep -c "team/app:1" "$tmp/out")" -ge 2 ] && tail -c +5 "$tmp/out" | head -c "$(wc -c < "$tmp/emptyblock.yaml")" | cmp -s - "$tmp/emptyblock.yaml"'

# --max-line-tokens: libfyaml holds a line's tokens (~200 bytes each) until it knows its keys
{ printf "${cm}data:\n  x: ["; for i in $(seq 40); do printf 'a, '; done; echo 'a]'; } > "$tmp/line.yaml"
rl "$tmp/line.yaml" --max-line-tokens 85; t "--max-line-tokens: 85 tokens on a line pass" 'passed "$tmp/line.yaml"'
rl "$tmp/line.yaml" --max-line-tokens 84
t "--max-line-tokens: the 85th token is refused" 'refused "<stdin>:6:128: error: [doc 1] line 6 holds more than 84 YAML tokens"'
{ printf "${cm}data:\n  x: ["; awk 'BEGIN { for (i = 0; i < 125000; i++) printf "a,"; print "a]" }'; } > "$tmp/wide.yaml"
rl "$tmp/wide.yaml"; t "a line of 250,005 tokens is refused by default" 'refused "raise --max-line-tokens"'
rl "$tmp/wide.yaml" --max-line-tokens 250005; t "--max-line-tokens raises it" 'passed "$tmp/wide.yaml"'
{ printf "${cm}data:\n  x: [[a"; for i in $(seq 20); do printf ',\n    '; done; echo ']]'; } > "$tmp/commas.yaml"
rl "$tmp/commas.yaml"; t "a run of commas with no value between them is refused (libfyaml holds it)" \
	'refused "<stdin>:21:5: error: [doc 1] invalid YAML: 16 commas"'

# --max-scalar-bytes: the scalar's text, quotes included
for kind in plain dq sq; do
	for n in 1000 1001; do
		case $kind in
		plain) v=$(rep x "$n") ;;
		dq) v="\"$(rep x $((n - 2)))\"" ;;
		sq) v="'$(rep x $((n - 2)))'" ;;
		esac
		printf "${cm}data:\n  a: %s\n" "$v" > "$tmp/s$kind$n.yaml"
	done
	rl "$tmp/s${kind}1000.yaml" --max-scalar-bytes 1000; t "--max-scalar-bytes: a $kind scalar of 1000 bytes passes" 'passed "$tmp/s${kind}1000.yaml"'
	rl "$tmp/s${kind}1001.yaml" --max-scalar-bytes 1000
	t "--max-scalar-bytes: a $kind scalar of 1001 is refused where it starts" \
		'refused "<stdin>:6:6: error: [doc 1] a" && grep -q "scalar longer than 1000 bytes" "$tmp/err"'
done
{ printf "${cm}data:\n  a: |\n"; for i in $(seq 40); do printf '    %s\n' "$(rep y 60)"; done; } > "$tmp/sblock.yaml"
rl "$tmp/sblock.yaml" --max-scalar-bytes 1000; t "--max-scalar-bytes: a block scalar over it is refused" 'refused "<stdin>:6:6: error: [doc 1] a block scalar longer"'
{ printf "${cm}data:\n  a: "; rep x $((16 * 1048576 + 1)); echo; } > "$tmp/s16m.yaml"
rl "$tmp/s16m.yaml"; t "a scalar over 16 MiB is refused by default" 'refused "a plain scalar longer than 16777216 bytes"'
rl "$tmp/s16m.yaml" --max-scalar-bytes 20000000; t "--max-scalar-bytes raises it (the scalar comes out whole)" \
	'[ "$rc" = 0 ] && [ "$(grep -m 1 "^  a: x" "$tmp/out" | wc -c)" = $((16 * 1048576 + 1 + 6)) ]'

# --max-mapping-keys, built or left out of the tree (data) alike
keys() { printf "${cm}%s:\n" "$1"; for i in $(seq "$2"); do printf '    k%d: v\n' "$i"; done; }
keys "  labels" 10 > "$tmp/k10.yaml"
keys "  labels" 11 > "$tmp/k11.yaml"
{ printf "${cm}data:\n"; for i in $(seq 11); do printf '  k%d: v\n' "$i"; done; } > "$tmp/kdata.yaml"
{ printf "${cm}"; for i in $(seq 8); do printf 'k%d: v\n' "$i"; done; } > "$tmp/kroot.yaml"
rl "$tmp/k10.yaml" --max-mapping-keys 10; t "--max-mapping-keys: 10 keys pass" 'passed "$tmp/k10.yaml"'
rl "$tmp/k11.yaml" --max-mapping-keys 10; t "--max-mapping-keys: the 11th key is refused" 'refused "<stdin>:16:5: error: [doc 1] a mapping has more than 10 keys"'
rl "$tmp/kdata.yaml" --max-mapping-keys 10; t "--max-mapping-keys: also in a value that is not built (data)" 'refused "<stdin>:16:3: error: [doc 1] a mapping has more than 10 keys"'
rl "$tmp/kroot.yaml" --max-mapping-keys 10; t "--max-mapping-keys: also the document root, keys left out counted" 'refused "<stdin>:12:1: error: [doc 1] a mapping has more than 10 keys"'
# inside a value left out, anchored nodes are built aside (aliases of them resolve): keys counted
# in them and after them alike
{ printf "${cm}data:\n  x:\n  - [[&y {a: 1}], {k1: 1, k2: 2, k3: 3, k4: 4, k5: 5}]\n  - &z {k1: 1, k2: 2, k3: 3, k4: 4}\n  - *y\n"; } > "$tmp/kaside.yaml"
rl "$tmp/kaside.yaml" --max-mapping-keys 5; t "--max-mapping-keys: 5 keys after a node built aside pass" 'passed "$tmp/kaside.yaml"'
rl "$tmp/kaside.yaml" --max-mapping-keys 4; t "--max-mapping-keys: keys after a node built aside counted" 'refused "<stdin>:7:48: error: [doc 1] a mapping has more than 4 keys"'
{ printf "${cm}data:\n"; awk 'BEGIN { for (i = 0; i <= 100000; i++) printf "  k%d: v\n", i }'; } > "$tmp/k100k.yaml"
rl "$tmp/k100k.yaml"; t "100,001 keys are refused by default" 'refused "raise --max-mapping-keys"'

# --max-annotation-bytes: keys and values, as the API server counts them (256 KiB)
ann() { printf "${cm}  annotations:\n    a: %s\n" "$(rep v "$1")"; }
ann 262143 > "$tmp/a256.yaml"; ann 262144 > "$tmp/a257.yaml"
rl "$tmp/a256.yaml"; t "annotations of 262,144 bytes pass" 'passed "$tmp/a256.yaml"'
rl "$tmp/a257.yaml"; t "annotations of 262,145 bytes are refused, the object named" \
	'refused "<stdin>:6:5: error: [doc 1] v1/ConfigMap/t: metadata.annotations: keys and values add up to more than 262144 bytes"'
rl "$tmp/a257.yaml" --max-annotation-bytes 300000; t "--max-annotation-bytes raises it" 'passed "$tmp/a257.yaml"'
{ printf 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n'
  printf '  metadata:\n    name: t\n    annotations:\n      a: %s\n' "$(rep v 30)"; } > "$tmp/akrm.yaml"
rl "$tmp/akrm.yaml" --max-annotation-bytes 30; t "--max-annotation-bytes: KRM items too" 'grep -q "<stdin>:9:7: error: \[doc 1\] v1/ConfigMap/t: metadata.annotations: keys and values add up to more than 30 bytes" "$tmp/err" && [ "$rc" = 1 ]'

# --max-documents (items of a ResourceList too)
awk 'BEGIN { for (i = 1; i <= 5; i++) printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\n", i }' > "$tmp/doc5.yaml"
{ cat "$tmp/doc5.yaml"; printf -- '--- {apiVersion: v1, kind: ConfigMap, metadata: {name: c6}}\n'; } > "$tmp/doc6.yaml"
rl "$tmp/doc5.yaml" --max-documents 5; t "--max-documents: 5 documents pass" 'passed "$tmp/doc5.yaml"'
rl "$tmp/doc6.yaml" --max-documents 5; t "--max-documents: the 6th is refused where it starts" 'refused "<stdin>:26:1: error: [doc 6] more than 5 documents"'
{ printf 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n'
  for i in 1 2 3; do printf -- '- {apiVersion: v1, kind: ConfigMap, metadata: {name: c%d}}\n' "$i"; done; } > "$tmp/items3.yaml"
rl "$tmp/items3.yaml" --max-documents 2; t "--max-documents: a ResourceList's 3rd item is refused" 'grep -q "<stdin>:6:3: error: \[doc 3\] v1/ConfigMap/c3: items: a ResourceList of more than 2 items" "$tmp/err" && [ "$rc" = 1 ]'
sed 's/^- {apiVersion: v1, kind: ConfigMap, metadata: {name: c1}}$/- not an object/' "$tmp/items3.yaml" > "$tmp/items3bad.yaml"
rl "$tmp/items3bad.yaml" --max-documents 2; t "--max-documents: items are counted before any is read (the limit is the only error)" \
	'[ "$rc" = 1 ] && grep -q "more than 2 items" "$tmp/err" && ! grep -q "not a Kubernetes object" "$tmp/err"'
awk 'BEGIN { for (i = 0; i < 100000; i++) print "---" }' > "$tmp/docs100k.yaml"
rl "$tmp/docs100k.yaml"; t "100,000 documents pass by default" '[ "$rc" = 0 ]'
echo --- >> "$tmp/docs100k.yaml"
rl "$tmp/docs100k.yaml"; t "100,001 are refused" 'refused "<stdin>:100001:1: error: [doc 100001] more than 100000 documents"'
# each error shows its source line: found by walking the text from its start, 100,000 bad documents
# took minutes (2.4 s for 20,000); textpos.c finds each through a checkpoint per 4 KiB
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "--- a\n...\n" }' > "$tmp/bad100k.yaml"
if [ -z "${VALGRIND:-}" ]; then
	rl "$tmp/bad100k.yaml"
	t "100,000 bad documents: every one reported with its line, within ${T} s (exit $rc)" \
		'refused "<stdin>:199999:5: error: [doc 100000] document is not a Kubernetes object" &&
		 [ "$(grep -c "^  --- a$" "$tmp/err")" = 100000 ]'
else
	echo "# not run: 100,000 bad documents (under valgrind)"
fi
# a large stream is read in pieces of whole documents behind the pre-scan (ygate.h): errors of
# libfyaml and of yguard.c in a late piece keep their line:col in the whole text
awk 'BEGIN { for (i = 0; i < 30000; i++) { printf "---\napiVersion: v1\n%s\nmetadata:\n  name: c%d\n",
	i == 25000 ? "kind: a: b" : "kind: ConfigMap", i; if (i == 27000) printf "x:\ny\n" } }' > "$tmp/pieces1.yaml"
rl "$tmp/pieces1.yaml"; t "read in pieces: libfyaml's error in a late piece at its line:col in the whole text" \
	'refused "<stdin>:125003:8: error: [doc 25001] invalid nested block mapping on the same line"'
sed 's/^kind: a: b$/kind: ConfigMap/' "$tmp/pieces1.yaml" > "$tmp/pieces2.yaml"
rl "$tmp/pieces2.yaml"; t "read in pieces: the guard's error in a late piece at its line:col in the whole text" \
	'refused "<stdin>:135007:1: error: [doc 27001] could not find expected '"'"':'"'"' (a value on a line of its own must be indented more than its key)"'
# what libfyaml and the run find before the pre-scan ahead has passed the whole text stands only if
# it does: a text checked whole first stops at the pre-scan's failure (document 2 is not an object;
# document 27001 is nested too deep), so that failure alone is reported (fuzz finding of 2026-12-07)
awk 'BEGIN { for (i = 0; i < 30000; i++) { if (i == 1) { printf "---\n- a\n"; continue }
	printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\n", i;
	if (i == 27000) { printf "data:\n  a: "; for (j = 0; j < 300; j++) printf "["; printf "\n" } } }' > "$tmp/pieces4.yaml"
rl "$tmp/pieces4.yaml"; t "read in pieces: the pre-scan's failure in a late piece alone, as on the whole text, not an earlier document's error" \
	'refused "<stdin>:135004:260: error: [doc 27001] nesting is deeper than 256 levels" && [ "$(grep -c ": error: " "$tmp/err")" = 1 ]'
# libyaml reads the same pieces, the thread from the front, the main thread from the back when it is
# done first: its error in a late piece at its line:col and document in the whole text
awk 'BEGIN { for (i = 0; i < 30000; i++) { printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\n", i;
	if (i == 27000) printf "...\n  x: 1\n" } }' > "$tmp/pieces3.yaml"
rl "$tmp/pieces3.yaml"; t "read in pieces: libyaml's error in a late piece at its line:col and document in the whole text" \
	'refused "<stdin>:135007:3: error: [doc 27002] go-yaml, which Helm, kubectl and kustomize read YAML with, cannot read this: did not find expected <document start>"'
# the UTF-8 check runs a piece ahead of libfyaml, not over the whole text first: a bad byte in a late
# piece is still the one error, even after an earlier document's own (libfyaml's, held), and a NUL
# at the very end too
awk 'BEGIN { for (i = 0; i < 30000; i++) { printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\n", i;
	if (i == 5) printf "data: [\n"; if (i == 27000) printf "data:\n  a: \"\377\"\n" } }' > "$tmp/pieces5.yaml"
rl "$tmp/pieces5.yaml"; t "read in pieces: invalid UTF-8 in a late piece is the one error, not an earlier document's" \
	'refused "<stdin>:135008:7: error: the input is not valid UTF-8 (byte 0xFF)" && [ "$(grep -c ": error: " "$tmp/err")" = 1 ]'
{ awk 'BEGIN { for (i = 0; i < 30000; i++) printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\n", i }'
  printf 'data:\n  a: "x\0y"\n'; } > "$tmp/pieces6.yaml"
rl "$tmp/pieces6.yaml"; t "read in pieces: a NUL in the last piece is the one error" \
	'refused "<stdin>:150002:8: error: the input contains a NUL byte; YAML text cannot hold one" && [ "$(grep -c ": error: " "$tmp/err")" = 1 ]'
# messages out of the order of their lines (a warning at a Deployment's replicas, then an error at
# its image, above it), and thousands on one long flow line: each found its line and column from
# the start of the text or the line (20,000 documents took over 60 s; 4 lines of 3,300 items 28 s)
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d%d\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: Bad_Host%d.x/y:1\n  replicas: x\n", i, i }' > "$tmp/back.yaml"
awk 'BEGIN { printf "apiVersion: v1\nkind: List\nitems: [\n"; k = 0
	for (l = 0; l < 4; l++) { printf "  "; for (i = 0; i < 3300; i++) printf "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d%d}, spec: {replicas: x, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: docker.io/x:1}]}}}}, ", k++; printf "\n" }
	printf "  {apiVersion: v1, kind: ConfigMap, metadata: {name: z}}]\n" }' > "$tmp/flow.yaml"
# carets FILE TEXT...: how many carets of FILE's messages stand under the start of one of the TEXTs
carets() { awk -v texts="$(printf '%s\n' "${@:2}")" 'BEGIN { n = split(texts, t, "\n") }
	/^ *\^$/ { c = index($0, "^"); for (i = 1; i <= n; i++) if (t[i] != "" && substr(prev, c, length(t[i])) == t[i]) { k++; break } }
	{ prev = $0 } END { print k + 0 }' "$1"; }
if [ -z "${VALGRIND:-}" ]; then
	rl "$tmp/back.yaml" --set components=workloadSpread
	t "20,000 documents, each with a message above the one before it: all shown, within ${T} s (exit $rc)" \
		'refused "<stdin>:239999:16: error: [doc 20000]" && [ "$(grep -c "^ *image: Bad_Host" "$tmp/err")" = 20000 ] &&
		 [ "$(carets "$tmp/err" "Bad_Host" "x")" = 40000 ]'
	rl "$tmp/flow.yaml" --set components=workloadSpread
	t "13,200 messages on 4 long flow lines: all shown, within ${T} s (exit $rc)" \
		'[ "$rc" = 0 ] && [ "$(grep -c "replicas: x" "$tmp/err")" = 13200 ] && [ "$(carets "$tmp/err" "x, selector")" = 13200 ] &&
		 grep -qF "<stdin>:7:712570: warning: [doc 13200] apps/v1/Deployment/d13199: workloadSpread" "$tmp/err"'
else
	echo "# not run: messages out of line order, and on long lines (under valgrind)"
fi

# libfyaml 0.7.12 frees a simple key twice on this shape and crashed in fy_parser_destroy (SIGSEGV)
printf '? -}:\t-\n\n' > "$tmp/crash.yaml"
rl "$tmp/crash.yaml"; t "a '? ' key's ':', a tab, a block indicator: an error, not a crash (exit $rc)" \
	'refused "<stdin>:1:6: error: [doc 1] cannot use tab for indentation of block entry"'

# a ResourceList's flow pair that libyaml (and go-yaml) take in a flow sequence but not in the
# braces it is written back in ("[?:: b]", not "{?:: b}"): an error at the item, and a
# ResourceList that parses (the fuzz finding of 2026-12-07); an ordinary flow pair still passes
printf 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}, ?:: b]\n' > "$tmp/rlpair.yaml"
rl "$tmp/rlpair.yaml"
t "KRM: a flow pair that cannot be written back in braces is an error, and the result parses (exit $rc)" \
	'[ "$rc" = 1 ] && grep -qF "<stdin>:3:67: error: [doc 2] items: a mapping of one pair in a flow sequence" "$tmp/err" &&
	 "$check" parse "$tmp/out" && grep -q "^results:" "$tmp/out"'
printf 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}, ? k : v, x: y]\n' > "$tmp/rlpair2.yaml"
rl "$tmp/rlpair2.yaml"
t "KRM: flow pairs with and without '?' are written back in braces (exit $rc)" \
	'[ "$rc" = 0 ] && "$check" parse "$tmp/out" && grep -qxF -- "- {? k : v}" "$tmp/out" && grep -qxF -- "- {x: y}" "$tmp/out"'

# "kind" after the keys it decides about: they are built until it comes
printf 'apiVersion: apps/v1\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: "late.example/app:1"}]\nkind: Deployment\nmetadata: {name: late}\n' > "$tmp/late.yaml"
rl "$tmp/late.yaml"; t "a workload whose kind comes last still has its images read (preloaded)" '[ "$rc" = 0 ] && grep -q "source: late.example/app:1" "$tmp/out"'
printf 'items:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: late}}\napiVersion: config.kubernetes.io/v1\nkind: ResourceList\n' > "$tmp/latekrm.yaml"
rl "$tmp/latekrm.yaml"; t "a ResourceList whose kind comes last is one (one ResourceList out, our objects among its items)" \
	'[ "$rc" = 0 ] && ! grep -q "^---" "$tmp/out" && [ "$(grep -c "^kind: ResourceList" "$tmp/out")" = 1 ] &&
	grep -q "name: late" "$tmp/out" && grep -q "^  kind: StatefulSet" "$tmp/out"'

# the pre-scan sees the flow collections libfyaml sees: files and 300 random edits of each
pc=$(dirname "$bin")/prescan-check
if [ -x "$pc" ]; then
	# each status is saved first: a command substitution in the test's name resets $?
	"$pc" -m 300 fixtures/*.yaml > "$tmp/pc.out" 2>&1; st=$?
	t "pre-scan against libfyaml, fixtures and their mutations ($(tail -n 1 "$tmp/pc.out"))" '[ $st = 0 ]'
	if ls ../shared/corpus/real/*.yaml > /dev/null 2>&1; then
		"$pc" ../shared/corpus/real/*.yaml > "$tmp/pc.out" 2>&1; st=$?
		t "pre-scan against libfyaml, real charts ($(tail -n 1 "$tmp/pc.out"))" '[ $st = 0 ]'
	else
		echo "# not run: pre-scan against libfyaml on the real charts (../shared/corpus/real is missing)"
	fi
	# libfyaml reads a large input behind the pre-scan, in pieces of whole documents: the whole
	# program must give the same exit code, output and messages as on the whole text
	"$pc" -p -m 60 fixtures/*.yaml > "$tmp/pc.out" 2>&1; st=$?
	t "libfyaml whole and in pieces behind the pre-scan: the same run, fixtures and their mutations ($(tail -n 2 "$tmp/pc.out" | head -n 1 | tr -d '#'))" '[ $st = 0 ]'
	if ls ../shared/corpus/real/*.yaml > /dev/null 2>&1; then
		"$pc" -p -m 5 ../shared/corpus/real/*.yaml > "$tmp/pc.out" 2>&1; st=$?
		t "libfyaml whole and in pieces behind the pre-scan: the same run, real charts ($(tail -n 2 "$tmp/pc.out" | head -n 1 | tr -d '#'))" '[ $st = 0 ]'
	else
		echo "# not run: whole and in pieces on the real charts (../shared/corpus/real is missing)"
	fi
	printf 'a: "\\0\\a\\b\\t\\\t\\n\\v\\f\\r\\e\\ \\"\\/\\\\\\N\\_\\L\\P\\x41\\xe9\\u00e9\\u2028\\U0001F600x"\nb: '"'a''b'"'\n' > "$tmp/esc.yaml"
	"$pc" "$tmp/esc.yaml" > "$tmp/pc.out" 2>&1; st=$?
	t "one-line quoted scalars (every escape) decoded as libfyaml does ($(grep '^#' "$tmp/pc.out"))" \
		'[ $st = 0 ] && grep -q "^# 2 quoted scalars decoded, 0 otherwise" "$tmp/pc.out"'
else
	echo "# not run: $pc (make builds it)"
fi
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n' > "$tmp/dup.yaml"
ra < "$tmp/dup.yaml" > "$tmp/out" 2> "$tmp/err"
t "a duplicate key in the identity (tools read different names): a clear error" \
	'[ $? = 1 ] && grep -q "<stdin>:4:3: .*metadata.name: given twice.*\"y\" on line 5.*\"x\" on line 4" "$tmp/err" && [ ! -s "$tmp/out" ]'
# twice FILE: run FILE, then the output again: $st, $st2, $tmp/out, $tmp/out2 (the copy must parse
# again to the same bytes: what libfyaml takes only at a document's end breaks that)
twice() {
	ra < "$1" > "$tmp/out" 2> "$tmp/err"; st=$?
	ra < "$tmp/out" > "$tmp/out2" 2> "$tmp/err2"; st2=$?
}
again='[ $st = 0 ] && [ $st2 = 0 ] && cmp -s "$tmp/out" "$tmp/out2"'
# lone CRs in copied bytes (npm yaml, which the schema suites use, reads them otherwise: not a
# fixture): a document whose root is indented after a CR keeps its indentation (found by the fuzz
# campaign; go-yaml takes an implicit document only first, so it is first here)
printf -- '  #r:\n \r     rage: y\n  #r:\n \r     more: z\n---\n.tls x:\n' > "$tmp/crdoc.yaml"
twice "$tmp/crdoc.yaml"
t "lone CRs: an indented root after a CR keeps its indentation; the output runs again to the same bytes" \
	"$again"' && grep -qF "$(printf "\\r     rage: y")" "$tmp/out"' "$tmp/err2"
printf '&nd\r...\r\n\r--- &nd\rapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n...\r--- &x\r' > "$tmp/cranchor.yaml"
twice "$tmp/cranchor.yaml"
t "lone CRs: anchored empty documents are left out whole; the output runs again to the same bytes" \
	"$again"' && ! grep -q "^&" "$tmp/out" && ! grep -q "^--- &x" "$tmp/out"' "$tmp/err2"
# a document after '...' without '---' (YAML 1.2 takes it, libfyaml too; go-yaml, so Helm and
# kubectl, does not): refused where it begins, also after a lone CR
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n...\r&nd\n' > "$tmp/crbare.yaml"
ra < "$tmp/crbare.yaml" > "$tmp/out" 2> "$tmp/err"; rc=$?
t "lone CRs: a document after '...' without '---' is refused at its line" \
	'refused "<stdin>:6:1: error: [doc 2] go-yaml, which Helm, kubectl and kustomize read YAML with, cannot read this: did not find expected <document start>"'
# an empty "|" (one byte: the copy libfyaml reads has no room for "") followed by the next key is
# read as YAML reads it, the empty string: a functionConfig's metrics.namespace empty, its
# components read
printf 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: fi\n  data:\n    metrics.namespace: |\n    components: "[registry]"\n' > "$tmp/emptypipe.yaml"
rl "$tmp/emptypipe.yaml"
t "an empty \"|\" then the next key: read as \"\" (metrics.namespace empty), components [registry] read" \
	'[ "$rc" = 0 ] && grep -q "^  kind: StatefulSet" "$tmp/out" && ! grep -q "kind: DaemonSet" "$tmp/out"'
# the cache's Secrets and CA ConfigMap are optional volumes: one missing leaves that cache anonymous
# or with public roots only, never the registry pod down
ra --set 'cache.credentials=[docker.io=hub]' --set cache.caBundle=cas < /dev/null > "$tmp/out" 2> "$tmp/err"
t "cache.credentials and cache.caBundle volumes are optional" \
	'[ "$(awk "/^      - name: cache-(auth-0|ca)\$/ { v = 1 } v && /optional: true/ { n++; v = 0 } END { print n }" "$tmp/out")" = 2 ]' "$tmp/err"
# an input of 256 KiB or more is checked by libyaml on a thread of its own: its refusal is reported
# the same way, after 4,000 documents; and an error of libfyaml's own is the only one reported
for i in $(seq 4000); do printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\ndata:\n  k: "%070d"\n' "$i" 0; done > "$tmp/big.yaml"
{ cat "$tmp/big.yaml"; printf '...\nlate: doc\n'; } > "$tmp/bigbare.yaml"
rl "$tmp/bigbare.yaml"; line=$(($(wc -l < "$tmp/big.yaml") + 2))
t "a large input ($(($(wc -c < "$tmp/bigbare.yaml") / 1024)) KiB, checked on a thread): go-yaml's refusal at line $line, document 4001, nothing on stdout" \
	'refused "<stdin>:$line:1: error: [doc 4001] go-yaml, which Helm, kubectl and kustomize read YAML with, cannot read this: did not find expected <document start>" && [ "$(grep -c error: "$tmp/err")" = 1 ]'
# libyaml's verdict on a large input comes after the objects were made (the two overlap): what the
# run said meanwhile stands only when it passes; when it fails, its failure alone is reported
t "a large input go-yaml refuses: its refusal alone, not the run's info on the mirrored registries" \
	'[ "$(wc -l < "$tmp/err")" = 3 ] && ! grep -q "info:" "$tmp/err"'
rl "$tmp/big.yaml"
t "a large input go-yaml reads: the run's info on the mirrored registries, once, and the output" \
	'[ "$rc" = 0 ] && [ "$(grep -c "^registry-addon: info: mirroring docker.io" "$tmp/err")" = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q "^kind: StatefulSet" "$tmp/out"'
{ cat "$tmp/big.yaml"; printf -- '---\na: [\n'; } > "$tmp/bigbad.yaml"
rl "$tmp/bigbad.yaml"
t "a large input libfyaml refuses: its error alone (the thread's outcome is not reported)" \
	'[ "$rc" = 1 ] && [ ! -s "$tmp/out" ] && [ "$(grep -c error: "$tmp/err")" = 1 ] && ! grep -q go-yaml "$tmp/err"'
# an explicit key that is an empty folded scalar, at the end of the input: its (empty) text is
# marked on the next line, which the check of a key's text below its tag must not take for the key's
printf '? !!str  >' > "$tmp/fold.yaml"
twice "$tmp/fold.yaml"
t "an empty folded key at the end: the output runs again to the same bytes" "$again" "$tmp/err2"

# a lone CR ends a line, as in YAML and libfyaml: messages count lines so and show the right one
printf 'a: 1\rb: 2\rc: \0' > "$tmp/cr.yaml"
ra < "$tmp/cr.yaml" > "$tmp/out" 2> "$tmp/err"
t "lone CRs: the NUL is at line 3, shown on its own line" '[ $? = 1 ] && grep -q "^<stdin>:3:4: error: the input contains a NUL byte" "$tmp/err" && grep -qx "  c: .x00" "$tmp/err"'
printf 'apiVersion: v1\rkind: ConfigMap\rmetadata:\r  name: x\r%%YAML 1.2\r' > "$tmp/crdir.yaml"
ra < "$tmp/crdir.yaml" > "$tmp/out" 2> "$tmp/err"
t "lone CRs: a trailing directive is at line 5" '[ $? = 1 ] && grep -q "^<stdin>:5:" "$tmp/err" && grep -qx "  %YAML 1.2" "$tmp/err"'

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
