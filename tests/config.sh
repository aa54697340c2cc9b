#!/usr/bin/env bash
# The configuration, rule by rule. Config files: read whole or refused (the
# 16 MiB limit, directories, devices, FIFOs nothing writes to, unreadable files:
# exit 2, nothing on stdout), pipes read once. Every field against the
# Kubernetes schema of the place it goes (resources, nodeSelector, tolerations,
# object names, image digests, times, durations) and no list entry or key
# silently dropped: each invalid value is an error at its line:col with exit 1
# and nothing on stdout, each valid edge value is taken, and each rule also
# through --set. usage: tests/config.sh BIN   ($VALGRIND prefixes BIN)
set -u
export LC_ALL=C
bin=$1
cd "$(dirname "$0")/.." || exit 2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
T=${TIMEOUT:-20}
ok()  { pass=$((pass + 1)); echo "ok - config $1"; }
bad() { fail=$((fail + 1)); echo "not ok - config $1"; [ -f "${2:-}" ] && sed 's/^/    /' "$2" | head -20; }
ra()  { timeout "$T" ${VALGRIND:-} "$bin" "$@" < fixtures/example.yaml > "$tmp/out" 2> "$tmp/err"; }
# quiet FILE: stderr holds nothing but the line saying which upstreams are mirrored
quiet() { ! grep -qv "^registry-addon: info: mirroring " "$1"; }

# refused NAME RC TEXT ARGS...: exit RC, TEXT (a fixed string) in stderr, nothing on stdout
refused() {
	local name=$1 rc=$2 text=$3 st; shift 3
	ra "$@"; st=$?
	if [ "$st" = "$rc" ] && grep -qF -- "$text" "$tmp/err" && [ ! -s "$tmp/out" ]; then ok "$name"
	else bad "$name (exit $st; want $rc and: $text)" "$tmp/err"; fi
}
# taken NAME TEXT ARGS...: exit 0, TEXT (a fixed string) in stdout
taken() {
	local name=$1 text=$2 st; shift 2
	ra "$@"; st=$?
	if [ "$st" = 0 ] && grep -qF -- "$text" "$tmp/out"; then ok "$name"
	else bad "$name (exit $st; want 0 and output with: $text)" "$tmp/err"; fi
}
# cfg NAME < SPEC: $tmp/NAME.yaml, a RegistryAddon document whose spec is SPEC (lines from 4 on)
cfg() { { printf 'apiVersion: registry-addon.dev/v1alpha1\nkind: RegistryAddon\nspec:\n'; cat; } > "$tmp/$1.yaml"; }
# at FILE WORD: line:col of WORD's first place in FILE (counted here, independently of the binary)
at() { awk -v w="$2" '{ i = index($0, w); if (i) { print NR ":" i; exit } }' "$1"; }
# refused_at NAME WORD TEXT: $tmp/NAME.yaml refused with "FILE:LINE:COL: error: TEXT" at WORD
refused_at() { refused "$1" 1 "$tmp/$1.yaml:$(at "$tmp/$1.yaml" "$2"): error: $3" --config "$tmp/$1.yaml"; }

# --- config files: read whole or refused with what is wrong, exit 2 ---
cfg good <<'EOF'
  registry:
    replicas: 3
EOF
ra --config "$tmp/good.yaml"; cp "$tmp/out" "$tmp/good.out"
t_ok=$([ -s "$tmp/good.out" ] && grep -q "replicas: 3" "$tmp/good.out" && echo yes)
[ "$t_ok" = yes ] && ok "a config file is read" || bad "a config file is read" "$tmp/err"
ra --config <(cat "$tmp/good.yaml"); st=$?
if [ $st = 0 ] && cmp -s "$tmp/out" "$tmp/good.out"; then ok "a pipe (--config <(...)) is read, once"
else bad "a pipe (--config <(...)) is read, once (exit $st)" "$tmp/err"; fi
mkdir "$tmp/dir"
refused "a directory: exit 2, named" 2 "cannot read config file $tmp/dir: it is a directory" --config "$tmp/dir"
refused "a device: exit 2, named" 2 "cannot read config file /dev/zero: it is a device" --config /dev/zero
mkfifo "$tmp/fifo"
refused "a FIFO nothing writes to: exit 2 at once, not a hang" 2 \
	"cannot read config file $tmp/fifo: it is a pipe or FIFO that gave no data" --config "$tmp/fifo"
refused "a missing file: exit 2" 2 "cannot read config file $tmp/none.yaml: No such file or directory" \
	--config "$tmp/none.yaml"
# unreadable: mode 000, run as nobody when we are root (a copy of the binary nobody can reach)
cp "$tmp/good.yaml" "$tmp/unreadable.yaml"; chmod 000 "$tmp/unreadable.yaml"; chmod 711 "$tmp"
if [ "$(id -u)" != 0 ]; then
	refused "an unreadable file: exit 2, named" 2 "cannot read config file $tmp/unreadable.yaml: Permission denied" \
		--config "$tmp/unreadable.yaml"
elif command -v setpriv > /dev/null; then
	mkdir -m 755 "$tmp/bin"; cp "$bin" "$tmp/bin/ra"
	timeout "$T" setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/bin/ra" --config "$tmp/unreadable.yaml" \
		< fixtures/example.yaml > "$tmp/out" 2> "$tmp/err"; st=$?
	if [ $st = 2 ] && grep -qF "cannot read config file $tmp/unreadable.yaml: Permission denied" "$tmp/err" &&
		[ ! -s "$tmp/out" ]; then ok "an unreadable file: exit 2, named"
	else bad "an unreadable file: exit 2, named (exit $st)" "$tmp/err"; fi
else
	echo "# skip an unreadable file (root without setpriv)"
fi
# the limit: 16 MiB exactly is read; one byte more is refused, never cut (the old reader stopped
# at 16 MiB and went on with what it had: a field after that point was silently dropped)
limit=16777216
{ cat "$tmp/good.yaml"; awk -v n=$((limit - $(wc -c < "$tmp/good.yaml"))) \
	'BEGIN { while (n > 160) { printf "#%78s\n", ""; n -= 80 } printf "#%*s\n", n - 2, "" }'; } > "$tmp/limit.yaml"
ra --config "$tmp/limit.yaml"; st=$?
if [ "$(wc -c < "$tmp/limit.yaml")" = $limit ] && [ $st = 0 ] && cmp -s "$tmp/out" "$tmp/good.out"; then
	ok "a config file of exactly 16 MiB is read"
else bad "a config file of exactly 16 MiB is read (exit $st)" "$tmp/err"; fi
{ cat "$tmp/limit.yaml"; printf '  sync: {interval: 5m}\n'; } > "$tmp/over.yaml"
refused "a config file over 16 MiB: exit 2 naming the limit" 2 \
	"cannot read config file $tmp/over.yaml: it is larger than 16 MiB (16777216 bytes), the limit" \
	--config "$tmp/over.yaml"

# --- duplicate keys: YAML readers keep one value silently ---
cfg dupkey <<'EOF'
  registry:
    replicas: 2
    replicas: 3
EOF
refused_at dupkey "replicas: 3" 'spec.registry: duplicate key "replicas" (first at line 5)'
cfg dupgroup <<'EOF'
  registry: {replicas: 2}
  registry: {image: "docker.io/library/registry:3.1.1"}
EOF
refused_at dupgroup "registry: {image" 'spec: duplicate key "registry" (first at line 4)'
refused "--set a mapping with a key twice" 1 '--set: error: registry.nodeSelector: duplicate key "disk"' \
	--set 'registry.nodeSelector={disk: ssd, disk: hdd}'

# --- registry.resources (and sync, nodeTrust): ValidateResourceRequirements, quantity.go ---
cfg res-syntax <<'EOF'
  registry:
    resources: {requests: {cpu: 100m, memory: 1GB}}
EOF
refused_at res-syntax "1GB" 'spec.registry.resources.requests[memory]: invalid value "1GB": must be a Kubernetes quantity'
cfg res-negative <<'EOF'
  sync:
    resources:
      limits:
        memory: -64Mi
EOF
refused_at res-negative "-64Mi" 'spec.sync.resources.limits[memory]: invalid value "-64Mi": must be at least 0'
cfg res-over-limit <<'EOF'
  nodeTrust:
    resources:
      requests: {memory: 1025Mi}
      limits: {memory: 1Gi}
EOF
refused_at res-over-limit "1025Mi" \
	'spec.nodeTrust.resources.requests[memory]: invalid value "1025Mi": must be less than or equal to the memory limit "1Gi" (at line 7)'
cfg res-name <<'EOF'
  registry:
    resources: {limits: {storage: 1Gi}}
EOF
refused_at res-name "storage" 'spec.registry.resources.limits[storage]: invalid resource name "storage": must be a container resource'
cfg res-key <<'EOF'
  registry:
    resources: {request: {cpu: 1}}
EOF
refused_at res-key "request" 'spec.registry.resources.request: unknown field; allowed here: requests, limits'
cfg res-extended <<'EOF'
  registry:
    resources:
      limits: {example.com/gpu: 0.5, memory: 1Gi}
EOF
refused_at res-extended "0.5" 'spec.registry.resources.limits[example.com/gpu]: invalid value "0.5": must be a whole number'
cfg res-extended-nolimit <<'EOF'
  registry:
    resources:
      requests: {example.com/gpu: 1}
EOF
refused_at res-extended-nolimit "example.com/gpu" \
	'spec.registry.resources.requests[example.com/gpu]: a request for example.com/gpu needs a limit of the same amount'
cfg res-extended-equal <<'EOF'
  registry:
    resources:
      requests: {example.com/gpu: 3}
      limits: {example.com/gpu: 2}
EOF
refused_at res-extended-equal "3}" \
	'spec.registry.resources.requests[example.com/gpu]: invalid value "3": must equal the example.com/gpu limit "2"'
cfg res-hugepages <<'EOF'
  registry:
    resources:
      limits: {hugepages-2Mi: 3Mi, memory: 1Gi}
EOF
refused_at res-hugepages "3Mi" 'spec.registry.resources.limits[hugepages-2Mi]: invalid value "3Mi": must be a whole multiple of the page size 2Mi'
cfg res-hugepages-alone <<'EOF'
  registry:
    resources:
      limits: {hugepages-2Mi: 4Mi}
EOF
refused_at res-hugepages-alone "limits" 'spec.registry.resources: hugepages need a cpu or memory request or limit'
cfg res-octal <<'EOF'
  registry:
    resources:
      requests: {cpu: 010}
EOF
refused_at res-octal "010" 'spec.registry.resources.requests[cpu]: invalid value 010: YAML reads it as a number in another form'
cfg res-null <<'EOF'
  registry:
    resources:
      requests: {cpu: ~}
EOF
refused_at res-null "~" 'spec.registry.resources.requests[cpu]: invalid value null: must be a Kubernetes quantity'
cfg res-huge <<'EOF'
  registry:
    resources:
      limits: {memory: 8Ei}
EOF
refused_at res-huge "8Ei" 'spec.registry.resources.limits[memory]: invalid value "8Ei": must be a quantity of at most 2^63-1'
cfg res-dup <<'EOF'
  registry:
    resources:
      requests: {cpu: 1, cpu: 2}
EOF
refused_at res-dup "cpu: 2" 'spec.registry.resources.requests: duplicate key "cpu"'
cfg res-edges <<'EOF'
  registry:
    resources:
      requests: {cpu: "0", memory: 1Gi, ephemeral-storage: 1e9, hugepages-2Mi: 4Mi, example.com/gpu: 2}
      limits: {cpu: 500m, memory: 1024Mi, ephemeral-storage: "1G", hugepages-2Mi: 4Mi, example.com/gpu: 2}
EOF
taken "resources: requests equal to limits written otherwise (1Gi, 1024Mi; 1e9, 1G), 0, hugepages, extended" \
	"example.com/gpu: 2" --config "$tmp/res-edges.yaml"
taken "resources: an extended resource with a limit alone" "example.com/gpu: 1" \
	--set 'registry.resources={limits: {example.com/gpu: 1}}'
taken "resources: fractions and exponents of the quantity grammar (.5, 1.5Gi, 2e3, 2E+10)" "cpu: .5" \
	--set 'sync.resources={requests: {cpu: .5, memory: 1.5Gi}, limits: {cpu: 2e3, memory: 2E+10}}'
refused "--set resources: a suffix after an exponent (2e-3k)" 1 'sync.resources.limits[cpu]: invalid value "2e-3k": must be a Kubernetes quantity' \
	--set 'sync.resources={limits: {cpu: 2e-3k}}'
refused "--set resources: request above limit" 1 \
	'--set: error: registry.resources.requests[cpu]: invalid value "2": must be less than or equal to the cpu limit "1"' \
	--set 'registry.resources={requests: {cpu: 2}, limits: {cpu: 1}}'

# --- registry.storage.size: a PVC's request, above 0 ---
cfg size-zero <<'EOF'
  registry:
    storage: {size: 0Gi}
EOF
refused_at size-zero "0Gi" 'spec.registry.storage.size: invalid value "0Gi": must be greater than 0'
refused "--set storage size: 0" 1 'registry.storage.size: invalid value "0": must be greater than 0' \
	--set registry.storage.size=0
refused "--set storage size: not a quantity" 1 'registry.storage.size: invalid value "20GB": must be a Kubernetes quantity' \
	--set registry.storage.size=20GB
taken "storage size: a fraction (1.5Ti)" "storage: 1.5Ti" --set registry.storage.size=1.5Ti
taken "storage size: the least, 1n" "storage: 1n" --set registry.storage.size=1n

# --- registry.nodeSelector: ValidateLabels ---
cfg ns-key <<'EOF'
  registry:
    nodeSelector: {example.com/a/b: x}
EOF
refused_at ns-key "example.com/a/b" 'spec.registry.nodeSelector: invalid label key "example.com/a/b": must be a qualified name'
cfg ns-prefix <<'EOF'
  registry:
    nodeSelector: {Example.com/disk: ssd}
EOF
refused_at ns-prefix "Example.com" 'spec.registry.nodeSelector: invalid label key "Example.com/disk"'
cfg ns-value <<'EOF'
  registry:
    nodeSelector:
      disk: -ssd
EOF
refused_at ns-value "-ssd" 'spec.registry.nodeSelector[disk]: invalid value "-ssd": must be a label value'
cfg ns-bool <<'EOF'
  registry:
    nodeSelector:
      gpu: true
EOF
refused_at ns-bool "true" 'spec.registry.nodeSelector[gpu]: invalid value true: must be a label value as a string; quote it'
long63=$(printf 'a%.0s' {1..63})
refused "--set nodeSelector: a 64-character value" 1 "registry.nodeSelector[disk]: invalid value \"${long63}b\"" \
	--set "registry.nodeSelector={disk: ${long63}b}"
taken "nodeSelector: a 63-character name and value, a prefix, an empty value" "example.com/$long63: $long63" \
	--set "registry.nodeSelector={example.com/$long63: $long63, kubernetes.io/os: linux, spot: \"\"}"

# --- lists: at most 1000 entries (limits.h LIMIT_CONFIG_LIST): what reads them compares entries
# with each other (64,000 sync.platforms took 38 s, 64,000 registry.hostnames 6 s) ---
{ printf '  registry:\n    hostnames:\n'; awk 'BEGIN { for (i = 0; i < 1000; i++) printf "    - h%d.example.com\n", i }'; } | cfg hosts1000
ra --config "$tmp/hosts1000.yaml"; st=$?
[ $st = 0 ] && grep -q "h999.example.com" "$tmp/out" && ok "lists: 1000 registry.hostnames are taken" ||
	bad "lists: 1000 registry.hostnames are taken (exit $st)" "$tmp/err"
{ printf '  sync:\n    platforms:\n'; awk 'BEGIN { for (i = 0; i < 64000; i++) printf "    - linux/a%d\n", i }'; } | cfg plat64k
refused_at plat64k "- linux/a0" 'spec.sync.platforms: invalid value: a list of 64000 entries; at most 1000 (a fixed limit)'
refused "lists: --set of 1001 entries" 1 'registry.hostnames: invalid value: a list of 1001 entries; at most 1000' \
	--set "registry.hostnames=$(awk 'BEGIN { for (i = 0; i <= 1000; i++) printf "%sh%d.example.com", i ? "," : "", i }')"
# an object's nodes, counted with what its aliases repeat: a plain message, not one about aliases
{ printf '  registry:\n    nodeSelector:\n'; awk 'BEGIN { for (i = 0; i < 60000; i++) printf "      k%d: v\n", i }'; } | cfg nodesel60k
refused_at nodesel60k "k0: v" 'spec.registry.nodeSelector: invalid value: more than 100000 nodes, counted with what its aliases repeat (a fixed limit)'
# a key making a field path past 254 characters: said so, not "invalid key under" and nothing
long300=$(printf 'k%.0s' {1..300})
printf '  registry:\n    %s: 1\n' "$long300" | cfg longkey
refused_at longkey "$long300" 'spec.registry: invalid key: it makes a field path of more than 254 characters (no field has one)'
refused "workloadSpread.selector: what a selector is, then what is wrong" 1 \
	"workloadSpread.selector: invalid value \"a in (b,c)x\": must be a label selector as kubectl -l reads it (requirements are separated by ',')" \
	--set 'workloadSpread.selector=a in (b,c)x'

# --- registry.tolerations: ValidateTolerations ---
cfg tol-op <<'EOF'
  registry:
    tolerations:
    - {key: dedicated, operator: In, value: registry}
EOF
refused_at tol-op "In" 'spec.registry.tolerations[0].operator: invalid value "In": must be Equal or Exists'
cfg tol-nokey <<'EOF'
  registry:
    tolerations:
    - {operator: Exists}
    - {value: x}
EOF
refused_at tol-nokey "{value" 'spec.registry.tolerations[1].operator: invalid value "": must be Exists when key is empty'
cfg tol-exists-value <<'EOF'
  registry:
    tolerations:
    - {key: dedicated, operator: Exists, value: registry}
EOF
refused_at tol-exists-value "registry}" 'spec.registry.tolerations[0].value: invalid value "registry": must be empty when operator is Exists'
cfg tol-effect <<'EOF'
  registry:
    tolerations:
    - key: dedicated
      effect: NoRun
EOF
refused_at tol-effect "NoRun" 'spec.registry.tolerations[0].effect: invalid value "NoRun": must be NoSchedule, PreferNoSchedule or NoExecute'
cfg tol-seconds <<'EOF'
  registry:
    tolerations:
    - {key: dedicated, effect: NoSchedule, tolerationSeconds: 60}
EOF
refused_at tol-seconds "60" 'spec.registry.tolerations[0].tolerationSeconds: tolerationSeconds needs effect NoExecute'
cfg tol-seconds-type <<'EOF'
  registry:
    tolerations:
    - {key: dedicated, effect: NoExecute, tolerationSeconds: "60"}
EOF
refused_at tol-seconds-type '60"}' 'spec.registry.tolerations[0].tolerationSeconds: invalid value "60": must be a whole number of seconds'
cfg tol-field <<'EOF'
  registry:
    tolerations:
    - {key: dedicated, efect: NoSchedule}
EOF
refused_at tol-field "efect" 'spec.registry.tolerations[0].efect: unknown field; allowed here: key, operator, value, effect, tolerationSeconds'
cfg tol-value <<'EOF'
  registry:
    tolerations:
    - {key: dedicated, value: "a b"}
EOF
refused_at tol-value 'a b"' 'spec.registry.tolerations[0].value: invalid value "a b": must be a label value'
refused "--set tolerations: a key that is no label key" 1 \
	'registry.tolerations[0].key: invalid value "bad key": must be a qualified name' \
	--set 'registry.tolerations=[{key: "bad key", operator: Exists}]'
taken "tolerations: every taint, Equal with an empty value, NoExecute with 0 and -1 seconds" "tolerationSeconds: -1" \
	--set 'registry.tolerations=[{operator: Exists}, {key: a, value: ""}, {key: b, operator: Exists, effect: NoExecute, tolerationSeconds: 0}, {key: c, effect: NoExecute, tolerationSeconds: -1}]'

# --- lists: no entry silently dropped or merged ---
cfg preload-bad <<'EOF'
  sync:
    preload:
    - auto
    - quay.io/App:1
EOF
refused_at preload-bad "quay.io/App:1" 'spec.sync.preload: invalid list entry "quay.io/App:1": must be an image reference'
cfg preload-same <<'EOF'
  sync:
    preload: [nginx:1.27, docker.io/library/nginx:1.27]
EOF
refused_at preload-same "docker.io/library/nginx" \
	'spec.sync.preload: invalid list entry "docker.io/library/nginx:1.27": must be given once: it names the same image as entry "nginx:1.27" (both are docker.io/library/nginx:1.27)'
refused "--set preload: a digest runtimes refuse" 1 "sync.preload: invalid list entry \"quay.io/a@sha256:abc123456\": must be an image reference whose digest is sha256:<64 hex digits>" \
	--set 'sync.preload=quay.io/a@sha256:abc123456'
cfg mirrors-same <<'EOF'
  nodeTrust:
    mirrors: [auto, docker.io, index.docker.io]
EOF
refused_at mirrors-same "index.docker.io" \
	'spec.nodeTrust.mirrors: invalid list entry "index.docker.io": must be given once: it names the same registry as entry "docker.io"'
refused "--set mirrors: one host in two spellings" 1 'nodeTrust.mirrors: invalid list entry "Quay.io": must be given once' \
	--set 'nodeTrust.mirrors=quay.io,Quay.io'
cfg platforms-all <<'EOF'
  sync:
    platforms: [linux/amd64, all]
EOF
refused_at platforms-all "all]" 'spec.sync.platforms: invalid list entry "all": must be alone: all takes every platform'
cfg modes-empty <<'EOF'
  registry:
    storage:
      accessModes: []
EOF
refused_at modes-empty "[]" 'spec.registry.storage.accessModes: invalid value (an empty list): must have at least one access mode'
refused "--set access modes: ReadWriteOncePod beside another" 1 \
	'registry.storage.accessModes: invalid list entry "ReadWriteOncePod": must be alone' \
	--set 'registry.storage.accessModes=ReadWriteOnce,ReadWriteOncePod'
taken "access modes: ReadWriteOncePod alone" "- ReadWriteOncePod" --set registry.storage.accessModes=ReadWriteOncePod
refused "--set node runtimes: none (the DaemonSet would configure nothing)" 1 \
	'nodeTrust.runtimes: invalid value (an empty list): must have at least one runtime' --set 'nodeTrust.runtimes=[]'

# --- names, images, times, durations ---
cfg class <<'EOF'
  registry:
    storage: {storageClassName: Fast_SSD}
EOF
refused_at class "Fast_SSD" 'spec.registry.storage.storageClassName: invalid value "Fast_SSD": must be empty, or a Kubernetes object name'
refused "--set storageClassName: not an object name" 1 \
	'--set: error: registry.storage.storageClassName: invalid value "-ssd": must be empty, or a Kubernetes object name' \
	--set registry.storage.storageClassName=-ssd
refused "--set priorityClassName: the text \"\"" 1 'nodeTrust.priorityClassName: invalid value """": must be empty, or a Kubernetes object name' \
	--set 'nodeTrust.priorityClassName=""'
ra --set nodeTrust.priorityClassName= --set registry.priorityClassName=high; st=$?
if [ $st = 0 ] && [ "$(grep -c 'priorityClassName:' "$tmp/out")" = 1 ] && grep -q 'priorityClassName: high$' "$tmp/out"; then
	ok "priorityClassName: empty leaves it out, a name is taken"
else bad "priorityClassName: empty leaves it out, a name is taken (exit $st)" "$tmp/err"; fi
cfg image-upper <<'EOF'
  registry:
    image: docker.io/library/Registry:3.1.1
EOF
refused_at image-upper "docker.io/library/Registry" 'spec.registry.image: invalid value "docker.io/library/Registry:3.1.1": must be an image reference: a lower-case repository path'
cfg time <<'EOF'
  tls:
    notBefore: "2026-02-30T00:00:00Z"
EOF
refused_at time "2026-02-30" 'spec.tls.notBefore: invalid value "2026-02-30T00:00:00Z": must be an RFC 3339 time'
refused "--set notBefore: a day February does not have" 1 \
	'--set: error: tls.notBefore: invalid value "2026-02-29T00:00:00Z": must be an RFC 3339 time' \
	--set tls.notBefore=2026-02-29T00:00:00Z
# a leap day with an offset: taken, and it is the generated certificate's notBefore (in UTC)
ra --set tls.mode=generate --set tls.caCertFile=fixtures/config/ca/ed25519.crt --set tls.caKeyFile=fixtures/config/ca/ed25519.key \
	--set tls.notBefore=2028-02-29T23:59:59+01:00
st=$?
nb=$(awk '/^kind: Secret$/ { s = 1 } s && /^  tls.crt: / { print $2; exit }' "$tmp/out" | base64 -d 2> /dev/null |
	openssl x509 -noout -startdate 2> /dev/null)
if [ "$st" = 0 ] && [ "$nb" = "notBefore=Feb 29 22:59:59 2028 GMT" ]; then ok "notBefore: a leap day with an offset is the certificate's"
else bad "notBefore: a leap day with an offset is the certificate's (exit $st, $nb)" "$tmp/err"; fi
refused "--set image: upper case in the repository" 1 \
	'--set: error: sync.image: invalid value "ghcr.io/RegClient/regsync:v0.11.5": must be an image reference' \
	--set sync.image=ghcr.io/RegClient/regsync:v0.11.5
refused "--set duration: past Go's limit" 1 'sync.interval: invalid value "9999999h": must be a positive duration' \
	--set sync.interval=9999999h
refused "--set tls.duration: cert-manager refuses under 1h" 1 '--set: error: tls.duration: invalid value "30m": must be at least 1h' \
	--set tls.duration=30m
refused "--set tls.renewBefore: not below tls.duration" 1 \
	'--set: error: tls.renewBefore: invalid value "17520h": must be shorter than tls.duration (17520h)' --set tls.renewBefore=17520h
refused "--set tls.renewBefore: cert-manager refuses under 5m" 1 '--set: error: tls.renewBefore: invalid value "1m": must be at least 5m' \
	--set tls.renewBefore=1m
# checks across fields point at the field where it was set
cfg renew <<'EOF'
  tls:
    duration: 24h
    renewBefore: 48h
EOF
refused_at renew "48h" 'spec.tls.renewBefore: invalid value "48h": must be shorter than tls.duration (24h)'
taken "durations: 1h and 5m, the least cert-manager takes" "renewBefore: 5m" --set tls.duration=1h --set tls.renewBefore=5m

# a relative tls.caCertFile / tls.caKeyFile: from the config file's directory in a file, from the
# working directory on the command line (run from another directory: the file's neighbour is found)
mkdir -p "$tmp/rel/conf" "$tmp/rel/elsewhere"
case $bin in /*) abin=$bin ;; *) abin=$PWD/$bin ;; esac
nb=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)	# the new CA's validity starts now
"$bin" --generate-ca "$tmp/rel/conf/ca" > /dev/null 2>&1
printf 'apiVersion: registry-addon.dev/v1alpha1\nkind: RegistryAddon\nspec:\n  tls:\n    mode: generate\n    caCertFile: ca/ca.crt\n    caKeyFile: ca/ca.key\n    notBefore: "%s"\n' "$nb" > "$tmp/rel/conf/addon.yaml"
(cd "$tmp/rel/elsewhere" && timeout "$T" ${VALGRIND:-} "$abin" --config ../conf/addon.yaml < /dev/null > "$tmp/out" 2> "$tmp/err")
st=$?
if [ $st = 0 ] && grep -q 'kind: Secret' "$tmp/out"; then ok "relative tls.caCertFile in a config file: read from the file's directory"
else bad "relative tls.caCertFile in a config file: read from the file's directory (exit $st)" "$tmp/err"; fi
(cd "$tmp/rel/elsewhere" && timeout "$T" ${VALGRIND:-} "$abin" --config ../conf/addon.yaml --set tls.caCertFile=ca/ca.crt < /dev/null > "$tmp/out" 2> "$tmp/err")
st=$?
if [ $st != 0 ] && grep -q 'ca/ca.crt' "$tmp/err"; then ok "relative tls.caCertFile by --set: read from the working directory"
else bad "relative tls.caCertFile by --set: read from the working directory (exit $st)" "$tmp/err"; fi
(cd "$tmp/rel/conf" && timeout "$T" ${VALGRIND:-} "$abin" --set tls.mode=generate --set tls.caCertFile=ca/ca.crt --set tls.caKeyFile=ca/ca.key --set tls.notBefore="$nb" < /dev/null > "$tmp/out2" 2> "$tmp/err")
st=$?
if [ $st = 0 ] && grep -q 'kind: Secret' "$tmp/out2"; then ok "relative tls.caCertFile by --set from its directory: taken"
else bad "relative tls.caCertFile by --set from its directory: taken (exit $st)" "$tmp/err"; fi
(cd "$tmp/rel/elsewhere" && timeout "$T" ${VALGRIND:-} "$abin" --config ../conf/addon.yaml --print-config < /dev/null > "$tmp/pc.yaml" 2> "$tmp/err")
pcf=$(sed -n 's/^ *caCertFile: //p' "$tmp/pc.yaml")
if [ "${pcf#/}" != "$pcf" ] && cmp -s "$pcf" "$tmp/rel/conf/ca/ca.crt"; then ok "--print-config: the resolved file path, absolute"
else bad "--print-config: the resolved file path, absolute" "$tmp/pc.yaml"; fi

# unknown fields name the closest field of the table, in a file and in a functionConfig
printf 'apiVersion: registry-addon.dev/v1alpha1\nkind: RegistryAddon\nspec:\n  regsitry:\n    replicas: 3\n  sync:\n    intreval: 5m\n' > "$tmp/typo.yaml"
refused "unknown group in a file: did you mean" 1 "spec.regsitry: unknown field; did you mean spec.registry?" --config "$tmp/typo.yaml"
refused "unknown field in a file: did you mean" 1 "spec.sync.intreval: unknown field; did you mean spec.sync.interval?" --config "$tmp/typo.yaml"
printf 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n  data:\n    nodeTrust.Runtimes: containerd\n' > "$tmp/krm.yaml"
timeout "$T" ${VALGRIND:-} "$bin" < "$tmp/krm.yaml" > "$tmp/out" 2> "$tmp/err"
if grep -q 'did you mean nodeTrust.runtimes?' "$tmp/err"; then ok "unknown ConfigMap key in a functionConfig: did you mean"
else bad "unknown ConfigMap key in a functionConfig: did you mean" "$tmp/err"; fi

# --- tls.mode generate and secret against the clock: dates relative to now ---
# A window that has ended: exit 1, nothing on stdout; one ending within
# tls.renewBefore (or not begun): a warning on stderr, the output the same bytes.
ca=fixtures/config/ca
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
now=$(date -u +%s)
ca_nb=$(date -u -d "$(openssl x509 -in $ca/rsa.crt -noout -startdate | cut -d= -f2)" +%s)
gen=(--set tls.mode=generate --set tls.caCertFile=$ca/rsa.crt --set tls.caKeyFile=$ca/rsa.key --set "tls.notBefore=$(iso "$ca_nb")")
# warned NAME TEXT ARGS...: exit 0, TEXT in stderr's warning, two runs byte-identical
warned() {
	local name=$1 text=$2 st; shift 2
	ra "$@"; st=$?
	cp "$tmp/out" "$tmp/out.1"; cp "$tmp/err" "$tmp/err.1"
	ra "$@"
	if [ "$st" = 0 ] && [ -s "$tmp/out" ] && cmp -s "$tmp/out" "$tmp/out.1" && grep -qF -- "$text" "$tmp/err.1"; then ok "$name"
	else bad "$name (exit $st; want 0, the same output twice and: $text)" "$tmp/err.1"; fi
}
soon=$(( (now - ca_nb) / 3600 + 240 ))	# hours: ends in 9 to 10 days
end=$(iso $((ca_nb + soon * 3600)))
warned "generate: a server certificate ending within tls.renewBefore is warned about, dates named" \
	"registry-addon: warning: spec.tls.duration: the server certificate expires on $end (tls.notBefore $(iso "$ca_nb") + tls.duration ${soon}h), in 9 days: within tls.renewBefore (720h) of now" \
	"${gen[@]}" --set tls.duration=${soon}h
grep -qF "raise tls.duration or move tls.notBefore to a recent time, render again and apply" "$tmp/err.1" &&
	ok "generate: the warning says what to do (raise tls.duration, move tls.notBefore, rotate)" ||
	bad "generate: the warning says what to do (raise tls.duration, move tls.notBefore, rotate)" "$tmp/err.1"
cp "$tmp/out.1" "$tmp/out.soon"
ra "${gen[@]}" --set tls.duration=${soon}h --set tls.renewBefore=24h; st=$?
if [ $st = 0 ] && quiet "$tmp/err" && cmp -s "$tmp/out" "$tmp/out.soon"; then
	ok "generate: the same certificate outside tls.renewBefore (24h): no warning, the same output"
else bad "generate: the same certificate outside tls.renewBefore (24h): no warning, the same output (exit $st)" "$tmp/err"; fi
warned "generate: a server certificate not valid yet is warned about" \
	"registry-addon: warning: spec.tls.notBefore: the server certificate is not valid before $(iso $((now + 200 * 86400)) | cut -c1-10)T00:00:00Z" \
	"${gen[@]}" --set "tls.notBefore=$(iso $((now + 200 * 86400)) | cut -c1-10)T00:00:00Z"
refused "generate: a server certificate whose window has ended (tls.notBefore far in the past): exit 1, nothing on stdout" 1 \
	"registry-addon: error: spec.tls.notBefore: the server certificate would be valid from $(iso "$ca_nb") to $(iso $((ca_nb + 3600))) (tls.notBefore + tls.duration 1h), which has ended (now: " \
	"${gen[@]}" --set tls.duration=1h
grep -qF "move tls.notBefore to a recent time (such as $(date -u +%Y-%m-%d)T00:00:00Z) or raise tls.duration" "$tmp/err" &&
	ok "generate: the refusal says what to do" || bad "generate: the refusal says what to do" "$tmp/err"

# CAs made here with the openssl command: one expiring in 10 days, one expired
mkdir "$tmp/pki" "$tmp/pki/new"
: > "$tmp/pki/index.txt"; echo 01 > "$tmp/pki/serial"
printf '[ca]\ndefault_ca = d\n[d]\ndatabase = %s/index.txt\nserial = %s/serial\nnew_certs_dir = %s/new\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n[v3ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = unused\n' \
	"$tmp/pki" "$tmp/pki" "$tmp/pki" > "$tmp/pki/ca.cnf"
mkca() {	# NAME START END (YYYYMMDDHHMMSSZ)
	openssl genpkey -algorithm ED25519 -out "$tmp/pki/$1.key" &&
	openssl req -new -config "$tmp/pki/ca.cnf" -key "$tmp/pki/$1.key" -subj "/CN=config.sh $1" -out "$tmp/pki/$1.csr" &&
	openssl ca -batch -config "$tmp/pki/ca.cnf" -selfsign -keyfile "$tmp/pki/$1.key" -in "$tmp/pki/$1.csr" \
		-extensions v3ca -startdate "$2" -enddate "$3" -notext -out "$tmp/pki/$1.crt"
} >> "$tmp/pki/log" 2>&1
stamp() { date -u -d "@$1" +%Y%m%d%H%M%SZ; }
if mkca soon "$(stamp $((now - 86400)))" "$(stamp $((now + 10 * 86400)))" && mkca old 20000101000000Z 20201231235959Z; then
	ok "openssl: a CA expiring in 10 days and an expired one"
	warned "generate: a CA ending within tls.renewBefore is warned about, with what to do" \
		"registry-addon: warning: spec.tls.caCertFile: $tmp/pki/soon.crt expires on $(iso $((now + 10 * 86400)) | cut -c1-10)" \
		--set tls.mode=generate --set tls.caCertFile="$tmp/pki/soon.crt" --set tls.caKeyFile="$tmp/pki/soon.key" \
		--set "tls.notBefore=$(iso $((now - 3600)))" --set tls.duration=48h
	grep -qF "within tls.renewBefore (720h) of now" "$tmp/err.1" && grep -qF "make a new CA (registry-addon --generate-ca DIR, or your own), point tls.caCertFile and tls.caKeyFile at it" "$tmp/err.1" &&
		grep -qF "warning: spec.tls.duration: the server certificate expires on" "$tmp/err.1" &&
		ok "generate: both the CA's and the server certificate's warnings" ||
		bad "generate: both the CA's and the server certificate's warnings" "$tmp/err.1"
	refused "generate: an expired CA: exit 1, nothing on stdout, its dates named" 1 \
		"registry-addon: error: spec.tls.caCertFile: $tmp/pki/old.crt is valid from 2000-01-01T00:00:00Z to 2020-12-31T23:59:59Z, which has ended (now: " \
		--set tls.mode=generate --set tls.caCertFile="$tmp/pki/old.crt" --set tls.caKeyFile="$tmp/pki/old.key" \
		--set "tls.notBefore=$(iso $((now - 3600)))" --set tls.duration=24h
	refused "generate: an ended server window and an expired CA: both named" 1 \
		"error: spec.tls.caCertFile: $tmp/pki/old.crt is valid from 2000-01-01T00:00:00Z to 2020-12-31T23:59:59Z, which has ended" \
		--set tls.mode=generate --set tls.caCertFile="$tmp/pki/old.crt" --set tls.caKeyFile="$tmp/pki/old.key" \
		--set "tls.notBefore=2020-01-01T00:00:00Z" --set tls.duration=24h
	grep -qF "error: spec.tls.notBefore: the server certificate would be valid from 2020-01-01T00:00:00Z to 2020-01-02T00:00:00Z" "$tmp/err" &&
		ok "generate: ... and the server's window" || bad "generate: ... and the server's window" "$tmp/err"
	refused "secret: an expired tls.caCertFile: exit 1, nothing on stdout" 1 \
		"registry-addon: error: spec.tls.caCertFile: $tmp/pki/old.crt is valid from 2000-01-01T00:00:00Z to 2020-12-31T23:59:59Z, which has ended" \
		--set tls.mode=secret --set tls.caCertFile="$tmp/pki/old.crt"
	warned "secret: a tls.caCertFile ending within tls.renewBefore is warned about" \
		"registry-addon: warning: spec.tls.caCertFile: $tmp/pki/soon.crt expires on $(iso $((now + 10 * 86400)) | cut -c1-10)" \
		--set tls.mode=secret --set tls.caCertFile="$tmp/pki/soon.crt"
	ra --set tls.mode=secret --set tls.caCertFile="$tmp/pki/soon.crt" --set tls.renewBefore=24h; st=$?
	[ $st = 0 ] && quiet "$tmp/err" && ok "secret: the same CA outside tls.renewBefore (24h): no warning" ||
		bad "secret: the same CA outside tls.renewBefore (24h): no warning (exit $st)" "$tmp/err"
else
	bad "openssl: a CA expiring in 10 days and an expired one" "$tmp/pki/log"
fi
# KRM: the warning reaches stderr, never the results (the output does not depend on the day)
printf 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: fc\n  data:\n    tls.duration: %sh\n' "$soon" > "$tmp/krm.yaml"
timeout "$T" ${VALGRIND:-} "$bin" "${gen[@]}" < "$tmp/krm.yaml" > "$tmp/out" 2> "$tmp/err"; st=$?
if [ $st = 0 ] && grep -qF "warning: spec.tls.duration: the server certificate expires on $end" "$tmp/err" &&
	! grep -q "expires on" "$tmp/out" && grep -q "^results:" "$tmp/out"; then
	ok "KRM: the expiry warning is on stderr, not in results"
else bad "KRM: the expiry warning is on stderr, not in results (exit $st)" "$tmp/err"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
