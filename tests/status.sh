#!/usr/bin/env bash
# `kubectl registry-addon status` (plugin/kubectl-registry_addon) against the API server
# stand-in tests/apiserver/serve.mjs, with the real kubectl, under dash and under busybox sh
# (a PATH of busybox applets and kubectl only). Each scenario under tests/apiserver/ was
# recorded by tests/apiserver/record.mjs from the generator's own output; the suite first checks
# that BIN still emits the objects (names, namespaces, labels, containers) those recordings hold.
# usage: tests/status.sh BIN
set -u
export LC_ALL=C
SUITE=status
[ $# = 1 ] && [ -x "$1" ] || { echo "usage: tests/status.sh BIN" >&2; exit 2; }
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
plugin=$PWD/plugin/kubectl-registry_addon
KUBECTL=$(command -v kubectl) || { bad "kubectl is on PATH"; finish; }
BUSYBOX=$(command -v busybox) || { bad "busybox is on PATH"; finish; }
command -v dash > /dev/null || { bad "dash is on PATH"; finish; }

# ---------------------------------------------------------------- the recordings are current
# shape FILE...: "KIND NS/NAME labels containers" of every registry-addon object the status reads
shape() {
	node -e '
		const fs = require("fs");
		const kinds = new Set(["StatefulSet", "DaemonSet", "Certificate", "Secret"]);
		const out = [];
		for (const f of process.argv.slice(1)) {
			for (const o of JSON.parse(fs.readFileSync(f, "utf8")).items) {
				if (!kinds.has(o.kind)) continue;
				const t = o.spec && o.spec.template;
				const labels = Object.entries((t ? t.metadata.labels : o.metadata.labels) || {}).map((e) => e.join("=")).sort();
				const ctrs = t ? t.spec.containers.map((c) => c.name) : [];
				const ann = Object.keys(o.metadata.annotations || {}).filter((k) => k.endsWith("not-after")).sort();
				out.push([o.kind, o.metadata.namespace + "/" + o.metadata.name, labels.join(","), ctrs.join(","), ann.join(","),
					o.spec && o.spec.isCA ? "isCA" : ""].join(" "));
			}
		}
		console.log([...new Set(out)].sort().join("\n"));' "$@"
}
rec=$tmp/recorded
node tests/apiserver/record.mjs "$bin" "$rec" > "$tmp/record.out" 2>&1
rc=$?
shape tests/apiserver/*/objects.json > "$tmp/shape.old" 2>&1
shape "$rec"/*/objects.json > "$tmp/shape.new" 2>&1
diff "$tmp/shape.old" "$tmp/shape.new" > "$tmp/shape.diff"
t "the recorded scenarios hold what BIN emits (else: node tests/apiserver/record.mjs BIN tests/apiserver)" \
	'[ $rc = 0 ] && [ -s "$tmp/shape.new" ] && [ ! -s "$tmp/shape.diff" ]' "$tmp/record.out" "$tmp/shape.diff"
scenarios=$(cd tests/apiserver && for d in */; do echo "${d%/}"; done | sort | tr '\n' ' ')
t "scenarios: $scenarios" '[ "$scenarios" = "cache-full cache-off cache-oom certs-expiring healthy node-not-ready registry-pending tls-generate " ]'

# ---------------------------------------------------------------- the stand-in and kubectl
# serve SCENARIO [DIR]: the stand-in on it (tests/apiserver/SCENARIO, or DIR); sets url and reqs (its request log)
serve() {
	reqs=$tmp/$1.requests
	: > "$reqs"; : > "$tmp/$1.url"
	setsid node tests/apiserver/serve.mjs "${2:-tests/apiserver/$1}" --log "$reqs" > "$tmp/$1.url" 2> "$tmp/$1.serve.err" < /dev/null &
	groups+=("$!")
	local i
	for i in $(seq 50); do [ -s "$tmp/$1.url" ] && break; sleep 0.1; done
	url=$(head -n 1 "$tmp/$1.url")
	# contexts: "standin" (the scenario), "down" (a port nobody listens on, the current one)
	cat > "$tmp/kubeconfig" <<- EOF
	apiVersion: v1
	kind: Config
	clusters:
	- name: standin
	  cluster: {server: "$url"}
	- name: down
	  cluster: {server: "http://127.0.0.1:$down_port"}
	contexts:
	- name: standin
	  context: {cluster: standin, user: nobody}
	- name: down
	  context: {cluster: down, user: nobody}
	current-context: down
	users:
	- name: nobody
	  user: {}
	EOF
}
# "down": a port nothing listens on, below the kernel's ephemeral range (32768 and up), so that no
# stand-in started later (listening on port 0) can be given it
down_port=
for _ in $(seq 50); do
	c=$((20000 + RANDOM % 12000))
	(exec 3<> "/dev/tcp/127.0.0.1/$c") 2> /dev/null || { down_port=$c; break; }
done

# the busybox PATH: its applets and kubectl, nothing else
busybox_path "$BUSYBOX" "$tmp/bb"
ln -sf "$KUBECTL" "$tmp/bb/kubectl"
mkdir -p "$tmp/home"

# status SHELL [ARGS...]: the plugin under SHELL (dash or busybox) with --kubeconfig and
# --context standin; sets out, err (files) and rc
status() {
	local sh=$1; shift
	out=$tmp/out err=$tmp/err
	case $sh in
	dash) env -i PATH=/usr/bin:/bin HOME="$tmp/home" dash "$plugin" "$@" > "$out" 2> "$err" ;;
	busybox) env -i PATH="$tmp/bb" HOME="$tmp/home" "$BUSYBOX" sh "$plugin" "$@" > "$out" 2> "$err" ;;
	esac
	rc=$?
}
run() { local sh=$1; shift; status "$sh" status --kubeconfig "$tmp/kubeconfig" --context standin "$@"; }
# has REGEX: a line of the output matches (grep -E)
has() { grep -Eq -- "$1" "$out"; }
# problem REGEX: a line of the "not ready:" list matches
problem() { sed -n '/^not ready:$/,$p' "$out" | grep -Eq -- "^  - $1"; }
# problems: how many lines the "not ready:" list has
problems() { sed -n '/^not ready:$/,$p' "$out" | grep -c '^  - '; }
# cache_section: the lines of the cache section (its title to the blank line)
cache_section() { sed -n '/^cache (pull-through: one instance per mirrored upstream)$/,/^$/p' "$out"; }
# cache_row POD REGEX: POD's row of the cache section matches "  POD +REGEX$"
cache_row() { cache_section | grep -Eq -- "^  $1 +$2\$"; }
# cache_serving POD...: each POD's cache running, nothing logged, no cache problem listed
cache_serving() {
	local p
	cache_section | grep -Eq "^  POD +CACHE +LAST LOG LINE$" || return 1
	for p; do cache_row "$p" "running +\(nothing logged: every cache serving\)" || return 1; done
	! problem "cache"
}

# ---------------------------------------------------------------- usage
for sh in dash busybox; do
	status "$sh" --help
	t "$sh: --help: exit 0, the command and every option" \
		'[ $rc = 0 ] && grep -q "usage: kubectl registry-addon status" "$out" &&
		 for o in "-n, --namespace" --node-namespace --context --kubeconfig; do grep -q -- "$o" "$out" || exit 1; done' "$out" "$err"
	status "$sh"
	t "$sh: no command: exit 2, says so" '[ $rc = 2 ] && grep -q "no command" "$err" && [ ! -s "$out" ]' "$err"
	status "$sh" status --frobnicate
	t "$sh: an unknown option: exit 2" '[ $rc = 2 ] && grep -q "unknown option --frobnicate" "$err"' "$err"
	status "$sh" status -n
	t "$sh: -n without a value: exit 2" '[ $rc = 2 ] && grep -q -- "-n needs a value" "$err"' "$err"
	status "$sh" stats
	t "$sh: an unknown command: exit 2" '[ $rc = 2 ] && grep -q "unknown command stats" "$err"' "$err"
done

# ---------------------------------------------------------------- all healthy
serve healthy
run dash
cp "$out" "$tmp/healthy.dash"
t "healthy: exit 0, 'all ready', nothing listed as not ready" \
	'[ $rc = 0 ] && [ "$(tail -n 1 "$out")" = "all ready" ] && ! grep -q "^not ready" "$out" && [ ! -s "$err" ]' "$out" "$err"
t "healthy: registry section: 2 of 2 pods ready; each pod READY 4/4 (registry, writer, sync, cache), its restarts, node, Running" \
	'has "^  StatefulSet registry: 2 of 2 pods ready$" &&
	 has "^  POD +READY +RESTARTS +NODE +STATUS$" &&
	 has "^  registry-0 +4/4 +1 +node-a +Running$" && has "^  registry-1 +4/4 +1 +node-b +Running$"' "$out"
t "healthy: storage: each PVC Bound, 20Gi, class standard" \
	'has "^  data-registry-0 +Bound +20Gi +standard$" && has "^  data-registry-1 +Bound +20Gi +standard$"' "$out"
t "healthy: sync: ordinal 0's last regsync line (time= dropped), ordinal 1's sync.sh line (debug skipped)" \
	'has "^  registry-0 +running +level=INFO msg=\"Image sync needed\" source=quay.io/prometheus/node-exporter:v1.8.2 " &&
	 has "^  registry-1 +running +registry-addon: ordinal 1: regsync server -c /etc/regsync/replica.yml$" && ! has "time=|DEBUG"' "$out"
t "healthy: cache: each pod's container cache running, no cache.sh line among Distribution's (every cache serving)" \
	'cache_serving registry-0 registry-1 && [ "$(cache_section | grep -c "^  registry-")" = 2 ]' "$out"
t "healthy: nodes: node, pod, ready, last state: line; 3 of 3 nodes pull through the registry" \
	'for n in "node-a +registry-node-trust-7xk2p" "node-b +registry-node-trust-b9q4d" "node-c +registry-node-trust-m3w8z"; do
		has "^  $n +yes +ready \(containerd: tables\)$" || exit 1; done &&
	 has "^  3 of 3 nodes pull through the registry$"' "$out"
t "healthy: certificates from cert-manager's status.notAfter: CA 3600 days, server and node CA 700" \
	'has "^  cert-manager/registry-addon-root-ca +CA +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z +expires in 3600 days$" &&
	 has "^  registry-system/registry-tls +server +[0-9T:Z-]+ +expires in 700 days$" &&
	 has "^  registry-node-trust/registry-node-ca +client +[0-9T:Z-]+ +expires in 700 days$"' "$out"
t "healthy: the sections in order: registry, storage, sync, cache, nodes, certificates" \
	'[ "$(grep -E "^[a-z]" "$out" | cut -d" " -f1 | tr "\n" " ")" = "registry storage sync cache nodes certificates all " ]' "$out"
t "healthy: columns are aligned (every row of the pods table starts its NODE column at one place)" \
	'[ "$(grep -E "^  (POD  |registry-[01] )" "$out" | head -n 3 | awk "{ print index(\$0, \$4) }" | sort -u | wc -l)" = 1 ]' "$out"
t "healthy: kubectl asked for the pods by the generated labels, the logs of container sync, cache and node-trust with tailLines" \
	'grep -q "^GET /api/v1/namespaces/registry-system/pods?labelSelector=app.kubernetes.io%2Fname%3Dregistry%2Capp.kubernetes.io%2Fpart-of%3Dregistry-addon" "$reqs" &&
	 grep -q "^GET /api/v1/namespaces/registry-system/pods/registry-0/log?container=sync&tailLines=" "$reqs" &&
	 grep -q "^GET /api/v1/namespaces/registry-system/pods/registry-1/log?container=cache&tailLines=2000&" "$reqs" &&
	 grep -q "^GET /api/v1/namespaces/registry-node-trust/pods/registry-node-trust-7xk2p/log?container=node-trust&tailLines=" "$reqs" &&
	 grep -q "^GET /apis/cert-manager.io/v1/certificates?labelSelector=app.kubernetes.io%2Fpart-of%3Dregistry-addon" "$reqs"' "$reqs"
run busybox
t "healthy under busybox sh (busybox applets and kubectl only): exit 0, the same output as dash" \
	'[ $rc = 0 ] && cmp -s "$out" "$tmp/healthy.dash"' "$out" "$err"

# --namespace, --node-namespace: other namespaces are asked (and hold nothing here)
: > "$reqs"
run dash -n elsewhere --node-namespace=nodes-elsewhere
t "with -n elsewhere --node-namespace=nodes-elsewhere: exit 1, both namespaces asked, the objects not found" \
	'[ $rc = 1 ] && has "^registry \(namespace elsewhere\)$" && problem "StatefulSet elsewhere/registry: .*not found" &&
	 problem "DaemonSet nodes-elsewhere/registry-node-trust: .*not found" &&
	 grep -q "^GET /apis/apps/v1/namespaces/elsewhere/statefulsets/registry" "$reqs" &&
	 grep -q "^GET /apis/apps/v1/namespaces/nodes-elsewhere/daemonsets/registry-node-trust" "$reqs" &&
	 ! grep -q "namespaces/registry-system/" "$reqs"' "$out" "$err"
# KUBECONFIG instead of --kubeconfig, its current context switched to the stand-in
sed 's/^current-context: down$/current-context: standin/' "$tmp/kubeconfig" > "$tmp/kubeconfig.standin"
env -i PATH=/usr/bin:/bin HOME="$tmp/home" KUBECONFIG="$tmp/kubeconfig.standin" dash "$plugin" status > "$tmp/out" 2> "$tmp/err"
rc=$?
t "with KUBECONFIG and its current context (no --kubeconfig, no --context): exit 0, as with them" \
	'[ $rc = 0 ] && cmp -s "$tmp/out" "$tmp/healthy.dash"' "$tmp/out" "$tmp/err"

# ---------------------------------------------------------------- a node not ready
serve node-not-ready
for sh in dash busybox; do
	run "$sh"
	t "node-not-ready ($sh): exit 1; node-c not ready with its reason; 2 of 3 nodes pull through" \
		'[ $rc = 1 ] && has "^  node-c +registry-node-trust-m3w8z +no +not ready: containerd has no config_path in /etc/containerd/config.toml$" &&
		 has "^  node-a +registry-node-trust-7xk2p +yes +ready" && has "^  2 of 3 nodes pull through the registry$" &&
		 problem "node node-c .*containerd has no config_path" && ! has "^all ready" && cache_serving registry-0 registry-1' "$out" "$err"
done

# ---------------------------------------------------------------- a registry pod Pending, its PVC unbound
serve registry-pending
for sh in dash busybox; do
	run "$sh"
	t "registry-pending ($sh): exit 1; registry-1 Pending with the scheduler's reason; its PVC Pending; 1 of 2 ready" \
		'[ $rc = 1 ] && has "^  StatefulSet registry: 1 of 2 pods ready$" &&
		 has "^  registry-1 +0/4 +0 +\(none\) +Pending \(Unschedulable: 0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims" &&
		 has "^  data-registry-1 +Pending +- \(requests 20Gi\) +standard$" && has "^  data-registry-0 +Bound " &&
		 has "^  registry-1 +not ready +\(no log: container \"sync\" in pod \"registry-1\" is waiting to start: ContainerCreating\)$" &&
		 problem "registry pod registry-1 not ready: Pending" && problem "PVC data-registry-1 is Pending" &&
		 ! problem "registry-0"' "$out" "$err"
	t "registry-pending ($sh): cache: registry-0 serving; registry-1 not running (its container waits), listed" \
		'cache_row registry-0 "running +\(nothing logged: every cache serving\)" &&
		 cache_row registry-1 "not running +\(no log: container \"cache\" in pod \"registry-1\" is waiting to start: ContainerCreating\)" &&
		 problem "cache container of registry-1: not running$" && ! problem "cache on "' "$out" "$err"
done

# ---------------------------------------------------------------- certificates: expiring, expired
serve certs-expiring
for sh in dash busybox; do
	run "$sh"
	t "certs-expiring ($sh): exit 1; the server certificate expires in 10 days (flagged), the root CA expired 2 days ago" \
		'[ $rc = 1 ] && has "^  registry-system/registry-tls +server +[0-9T:Z-]+ +expires in 10 days \(within 30 days!\)$" &&
		 has "^  cert-manager/registry-addon-root-ca +CA +[0-9T:Z-]+ +EXPIRED 2 days ago; not ready: Certificate expired on " &&
		 has "^  registry-node-trust/registry-node-ca +client +[0-9T:Z-]+ +expires in 700 days$" &&
		 problem "certificate registry-system/registry-tls \(server\): expires in 10 days" &&
		 problem "certificate cert-manager/registry-addon-root-ca \(CA\): EXPIRED 2 days ago" && ! problem ".*registry-node-ca" &&
		 cache_serving registry-0 registry-1' "$out" "$err"
done

# ---------------------------------------------------------------- tls.mode generate: no cert-manager
serve tls-generate
run dash
t "tls-generate: exit 0; no cert-manager API: both notAfter read from the generated Secret's annotations" \
	'[ $rc = 0 ] && has "^  registry-system/registry-tls +CA \(ca.crt\) +[0-9T:Z-]+ +expires in 3650 days$" &&
	 has "^  registry-system/registry-tls +server \(tls.crt\) +[0-9T:Z-]+ +expires in 700 days$" &&
	 grep -q "^GET /api/v1/namespaces/registry-system/secrets?labelSelector=app.kubernetes.io%2Fpart-of%3Dregistry-addon" "$reqs" &&
	 ! grep -q "^GET /apis/cert-manager.io/v1/certificates" "$reqs" && cache_serving registry-0 registry-1' "$out" "$err"

# ---------------------------------------------------------------- the cache: volume full, an upstream down
FULL="the volume is 93% full \(at most 90%\): every cache stopped; nodes pull from the upstreams, preloaded images still from the mirror"
serve cache-full
for sh in dash busybox; do
	run "$sh"
	t "cache-full ($sh): exit 1; registry-1's cache: the volume-full line, the one thing listed; registry-0's: an instance ended (shown, not listed)" \
		'[ $rc = 1 ] && has "^  StatefulSet registry: 2 of 2 pods ready$" &&
		 cache_row registry-1 "running +registry-addon: cache: $FULL" &&
		 cache_row registry-0 "running +registry-addon: cache: the cache of cache-2.yml ended; nodes fall through to its upstream; starting it again in 30s" &&
		 problem "cache on registry-1: $FULL$" && [ "$(problems)" = 1 ] && ! has "^all ready"' "$out" "$err"
done

# the last cache.sh line among the last 2000 lines of the log: 2000 lines of pulls after
# registry-0's event push it out of what kubectl reads
mkdir -p "$tmp/cache-long"
cp tests/apiserver/cache-full/objects.json tests/apiserver/cache-full/server.json "$tmp/cache-long/"
node -e '
	const fs = require("fs");
	const logs = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
	const k = "registry-system/registry-0/cache";
	if (!logs[k]) process.exit(1);
	const pull = "level=info msg=\"response completed\" http.request.method=GET http.response.status=200 instance=cache-0.yml service=registry\n";
	logs[k] += pull.repeat(2000);
	fs.writeFileSync(process.argv[2], JSON.stringify(logs));' tests/apiserver/cache-full/logs.json "$tmp/cache-long/logs.json"
serve cache-long "$tmp/cache-long"
run dash
t "cache-full with 2000 pulls logged after registry-0's event: its row says no event in the last 2000 lines" \
	'[ $rc = 1 ] && cache_row registry-0 "running +\(no cache event in its last 2000 lines\)" &&
	 cache_row registry-1 "running +registry-addon: cache: $FULL" && [ "$(problems)" = 1 ]' "$out" "$err"

# ---------------------------------------------------------------- the cache: its container killed for memory
serve cache-oom
for sh in dash busybox; do
	run "$sh"
	t "cache-oom ($sh): exit 1; registry-1's container cache in CrashLoopBackOff, last OOMKilled (the pod not ready: 3/4), listed" \
		'[ $rc = 1 ] && has "^  registry-1 +3/4 +7 +node-b +Running \(CrashLoopBackOff\)$" &&
		 cache_row registry-1 "not running \(CrashLoopBackOff; last ended: OOMKilled\) +\(no cache event logged\)" &&
		 cache_row registry-0 "running +\(nothing logged: every cache serving\)" &&
		 problem "cache container of registry-1: not running \(CrashLoopBackOff; last ended: OOMKilled\)$" &&
		 problem "registry pod registry-1 not ready: Running \(CrashLoopBackOff\)" && [ "$(problems)" = 2 ]' "$out" "$err"
done

# ---------------------------------------------------------------- the cache component off
serve cache-off
for sh in dash busybox; do
	run "$sh"
	t "cache-off ($sh): exit 0, all ready; pods 3/3; the cache section is one line (read from the StatefulSet), no cache log asked" \
		'[ $rc = 0 ] && [ "$(tail -n 1 "$out")" = "all ready" ] && has "^  registry-0 +3/3 +1 +node-a +Running$" &&
		 [ "$(cache_section | sed "1d;/^$/d")" = "  the cache component is off (StatefulSet registry has no container cache): nodes pull what is not preloaded from the upstreams" ] &&
		 ! grep -q "container=cache" "$reqs"' "$out" "$err"
done

# ---------------------------------------------------------------- the API server down
for sh in dash busybox; do
	status "$sh" status --kubeconfig "$tmp/kubeconfig"    # its current context: down
	t "API server down ($sh): exit 2, kubectl's own error (the connection was refused) and what it means" \
		'[ $rc = 2 ] && grep -q "127.0.0.1:$down_port was refused" "$err" &&
		 grep -q "cannot reach the API server" "$err" && [ ! -s "$out" ]' "$err" "$out"
done
status dash status --kubeconfig "$tmp/kubeconfig" --context nosuch
t "--context nosuch: exit 2, kubectl says the context does not exist" \
	'[ $rc = 2 ] && grep -q "nosuch" "$err"' "$err"

finish
