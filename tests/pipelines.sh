#!/usr/bin/env bash
# tests/pipelines.sh - the packaging under krm/ that users copy, run for real where it can be:
#
#   krm/Dockerfile              the build stage's RUN commands build the binary here (from
#                               exactly what its COPY lines copy); the runtime stage installs
#                               exactly the packages of the libraries `ldd BIN` lists (dpkg -S,
#                               less what every Debian base image has); numeric non-root USER,
#                               exec-form ENTRYPOINT, two stages, only the binary copied
#   krm/examples/kustomize-fn   kpt fn eval sends what standalone kustomize would send and the
#                               binary answers; kubectl kustomize exits 0 and silently skips it
#   krm/argocd                  plugin.yaml's init and generate run as argocd-cmp-server runs
#                               them (argv = command + args, CWD = the app, Argo CD's env) with
#                               the real Helm 3: good renders, and every failure mode (bad
#                               config, broken chart, failing or empty helm, empty filter
#                               output) exits non-zero with NOTHING on stdout; the sidecar
#                               Component kustomizes onto a repo-server Deployment that passes
#                               the Kubernetes schema; the argocd-cm patch; the Application
#   krm/flux                    render.sh with the real Helm 3: content, namespaces,
#                               byte-identical re-runs, atomic replacement on failure
#
# usage: tests/pipelines.sh BIN
#   Helm 3 comes from tests/tools.sh; kpt and kubectl ($KPT, $KUBECTL) are skipped with a
#   "# skip" line when missing; node with tests/schema/node_modules (tests/schema/setup.sh)
#   parses YAML. Output: "ok - pipelines NAME" / "not ok - pipelines NAME" (+ indented
#   reason), then "N passed, N failed"; exit 1 on any failure, 2 on a usage error.
set -u
export LC_ALL=C

if [ $# != 1 ]; then
	echo "usage: tests/pipelines.sh BIN" >&2
	exit 2
fi
REPO=$(cd "$(dirname "$0")/.." && pwd)
case $1 in
/*) BIN=$1 ;;
*) BIN=$PWD/$1 ;;
esac
if [ ! -x "$BIN" ] || [ ! -f "$BIN" ]; then
	echo "pipelines.sh: $1 is not an executable file" >&2
	exit 2
fi
cd "$REPO" || exit 2
CHECK=${YAMLCHECK:-$REPO/build/yamlcheck}
[ -x "$CHECK" ] || CHECK=$(dirname "$BIN")/yamlcheck
YAML_MODULE=$REPO/tests/schema/node_modules/yaml
if [ ! -x "$CHECK" ]; then
	echo "pipelines.sh: build/yamlcheck not found (make all)" >&2
	exit 2
fi
if ! command -v node > /dev/null || [ ! -f "$YAML_MODULE/package.json" ]; then
	echo "pipelines.sh: node and tests/schema/node_modules/yaml are needed (bash tests/schema/setup.sh)" >&2
	exit 2
fi
KPT=${KPT:-kpt}
KUBECTL=${KUBECTL:-kubectl}
T=${TIMEOUT:-60} # seconds per tool run

SUITE=pipelines
. "$REPO/tests/lib.sh" # $tmp (removed on exit), finish
. "$REPO/tests/e2e.sh" # report, need

# ---- reporting --------------------------------------------------------------------------------
skip() { echo "# skip $1: $2"; }

# ---- YAML, through the npm `yaml` package --------------------------------------------------
cat > "$tmp/q.cjs" << 'EOF'
// q.cjs CMD FILE ...: YAML queries for tests/pipelines.sh
const fs = require("fs");
const Y = require(process.env.YAML_MODULE);
const [cmd, file, ...rest] = process.argv.slice(2);
const text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
const raw = Y.parseAllDocuments(text).map((d) => {
	if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
	return d.toJS();
}).filter((o) => o != null);
// a ResourceList or List stands for its items
const docs = raw.flatMap((o) => (o.kind === "ResourceList" || o.kind === "List") && Array.isArray(o.items) ? o.items : [o]);
const ann = (o) => (o && o.metadata && o.metadata.annotations) || {};
const ours = (o) => ann(o)["registry-addon.dev/generated"] === "true";
const find = (kind, name, ns) => docs.find((o) => o.kind === kind && o.metadata && o.metadata.name === name &&
	(ns === undefined || (o.metadata.namespace || "") === ns));
const out = (v) => process.stdout.write(typeof v === "string" ? v + "\n" : JSON.stringify(v) + "\n");

if (cmd === "js") {
	// js FILE EXPR: EXPR over docs, raw, find(kind, name[, ns]), ours(o), ann(o)
	out(eval(rest[0]));
} else if (cmd === "argv") {
	// argv FILE init|generate: command + args, NUL-separated, as argocd-cmp-server execs them
	const c = raw[0].spec[rest[0]];
	process.stdout.write([...(c.command || []), ...(c.args || [])].map((s) => s + "\0").join(""));
} else if (cmd === "cmp-shape") {
	// cmp-shape FILE: paths outside the documented ConfigManagementPlugin shape (Argo CD's
	// docs/operator-manual/config-management-plugins.md, cmpserver/plugin/config.go)
	const strs = (v) => Array.isArray(v) && v.every((s) => typeof s === "string");
	const command = { command: strs, args: strs };
	const shape = {
		apiVersion: (v) => v === "argoproj.io/v1alpha1",
		kind: (v) => v === "ConfigManagementPlugin",
		metadata: { name: (v) => typeof v === "string" && v !== "", labels: "any", annotations: "any" },
		spec: {
			version: (v) => typeof v === "string",
			init: command,
			generate: command,
			discover: { fileName: (v) => typeof v === "string", find: { ...command, glob: (v) => typeof v === "string" } },
			parameters: { static: (v) => Array.isArray(v), dynamic: command },
			preserveFileMode: (v) => typeof v === "boolean",
			provideGitCreds: (v) => typeof v === "boolean",
		},
	};
	const bad = [];
	const walk = (v, s, path) => {
		if (s === "any") return;
		if (typeof s === "function") { if (!s(v)) bad.push(`${path}: bad value ${JSON.stringify(v)}`); return; }
		if (v === null || typeof v !== "object" || Array.isArray(v)) { bad.push(`${path}: not a mapping`); return; }
		for (const k of Object.keys(v)) {
			if (!(k in s)) bad.push(`${path}.${k}: not a ConfigManagementPlugin field`);
			else walk(v[k], s[k], `${path}.${k}`);
		}
	};
	if (raw.length !== 1) bad.push(`${raw.length} documents`);
	walk(raw[0], shape, "");
	const g = raw[0] && raw[0].spec && raw[0].spec.generate;
	if (!g || !Array.isArray(g.command) || g.command.length === 0) bad.push(".spec.generate.command: missing (required)");
	if (!raw[0] || !raw[0].metadata || !raw[0].metadata.name) bad.push(".metadata.name: missing (required)");
	out(bad.join("\n"));
} else if (cmd === "local-config") {
	// local-config FILE: the object as kustomize passes it as functionConfig (+ local-config)
	const o = raw[0];
	o.metadata.annotations = { ...ann(o), "config.kubernetes.io/local-config": "true" };
	process.stdout.write(Y.stringify(o));
} else {
	throw new Error(`q.cjs: unknown command ${cmd}`);
}
EOF
q() { YAML_MODULE=$YAML_MODULE node "$tmp/q.cjs" "$@"; }

# objs FILE: "kind<TAB>namespace<TAB>name<TAB>generated" per object (yamlcheck)
objs() { "$CHECK" docs "$1" | cut -f 3-6; }
# originals FILE / generated FILE: the input's objects / ours, sorted, without the flag
originals() { objs "$1" | awk -F '\t' -v OFS='\t' '$4 == 0 { print $1, $2, $3 }' | sort; }
generated() { objs "$1" | awk -F '\t' -v OFS='\t' '$4 == 1 { print $1, $2, $3 }' | sort; }
# has_obj FILE KIND NS NAME: FILE holds that generated object
has_obj() { generated "$1" | grep -qx "$2	$3	$4"; }

# ---- tools --------------------------------------------------------------------------------
unset HELM_PLUGINS
export HELM_DATA_HOME=$tmp/helm/data HELM_CONFIG_HOME=$tmp/helm/config HELM_CACHE_HOME=$tmp/helm/cache
HELM3=
if out=$(bash "$REPO/tests/tools.sh" env 2> "$tmp/tools.err"); then
	eval "$out"
else
	why="tests/tools.sh could not provide Helm 3" why_file=$tmp/tools.err
	report "helm 3 available"
fi
have_kpt=; command -v "$KPT" > /dev/null && have_kpt=1
have_kubectl=; command -v "$KUBECTL" > /dev/null && have_kubectl=1

# bin DIR HELM ADDON: DIR holds `helm` and `registry-addon` (links to the given files)
bin() {
	mkdir -p "$1"
	ln -sf "$2" "$1/helm"
	ln -sf "$3" "$1/registry-addon"
}
# stub FILE SCRIPT: an executable sh script
stub() {
	printf '#!/bin/sh\n%s\n' "$2" > "$1"
	chmod +x "$1"
}
stub "$tmp/addon-empty" 'cat > /dev/null; exit 0'                          # "succeeds", prints nothing
stub "$tmp/helm-partial" 'printf "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: partial\n"; echo "Error: boom" >&2; exit 1'
stub "$tmp/helm-empty" 'exit 0'                                            # renders nothing
stub "$tmp/helm-forbidden" 'echo "helm must not run here" >&2; exit 1'

# ================================================================================================
# krm/Dockerfile
# ================================================================================================
DF=$REPO/krm/Dockerfile
# df FILE: one instruction a line, "STAGE<TAB>INSTRUCTION<TAB>ARGUMENTS", continuation lines
# joined, comment and blank lines dropped (as BuildKit does, also inside a continuation)
df() {
	awk '
	/^[ \t]*#/ || /^[ \t]*$/ { next }
	{
		line = cont ? line " " $0 : $0
		if (sub(/\\[ \t]*$/, "", line)) { cont = 1; next }
		cont = 0
		sub(/^[ \t]+/, "", line)
		instr = toupper(line); sub(/[ \t].*/, "", instr)
		args = line; sub(/^[^ \t]+[ \t]*/, "", args)
		if (instr == "FROM") stage++
		print stage "\t" instr "\t" args
		line = ""
	}' "$1"
}
# apt_pkgs ARGS: the package names of an `apt-get install` in a RUN command
apt_pkgs() {
	printf '%s\n' "$1" | sed -n 's/.*apt-get[^&]* install \([^&;]*\).*/\1/p' | tr ' \t' '\n\n' |
		grep -v -e '^-' -e '^$' -e '^\\$' | sort -u
}
# deb_of PATH: the Debian package owning PATH (usrmerge: also tried with and without /usr)
deb_of() {
	local p real c
	p=$1
	real=$(readlink -f "$p")
	for c in "$p" "$real" "${real#/usr}" "/usr$p"; do
		dpkg -S "$c" 2> /dev/null | sed -n '1s/:.*//p' | grep . && return 0
	done
	return 1
}
# base_pkgs: what every Debian base image has: the Essential packages and everything they
# (pre-)depend on (first alternatives), from this Debian's dpkg database
base_pkgs() {
	dpkg-query -W -f='${Package}\t${Essential}\t${Pre-Depends}, ${Depends}\n' | awk -F '\t' '
	{ deps[$1] = $3; if ($2 == "yes") q[++n] = $1 }
	END {
		for (i = 1; i <= n; i++) {
			p = q[i]; if (p in seen) continue; seen[p] = 1; print p
			m = split(deps[p], d, ",")
			for (j = 1; j <= m; j++) {
				x = d[j]; sub(/\|.*/, "", x); sub(/\(.*/, "", x); gsub(/[ \t]/, "", x); sub(/:.*/, "", x)
				if (x != "" && (x in deps) && !(x in seen)) q[++n] = x
			}
		}
	}' | sort -u
}

df "$DF" > "$tmp/df"
nstages=$(awk -F '\t' '$2 == "FROM"' "$tmp/df" | wc -l)
build_from=$(awk -F '\t' '$1 == 1 && $2 == "FROM" { print $3 }' "$tmp/df")
final_from=$(awk -F '\t' '$1 == 2 && $2 == "FROM" { print $3 }' "$tmp/df")
build_name=$(printf '%s\n' "$build_from" | awk 'toupper($2) == "AS" { print $3 }')

# -- stages: exactly two, both on a pinned Debian 12 point release, the first one named
need '[ "$nstages" = 2 ]' "$nstages FROM stages, want 2 (build, runtime)" "$tmp/df"
need '[ -n "$build_name" ]' "the build stage has no name (FROM ... AS NAME)" "$tmp/df"
for f in "${build_from%% *}" "${final_from%% *}"; do
	need '[[ $f =~ ^(docker\.io/library/)?debian:12\.[0-9]+(-slim)?$ ]]' \
		"FROM $f: want a pinned Debian 12 point release (debian:12.N-slim), never a moving tag"
done
report "dockerfile two pinned Debian 12 stages"

# -- build stage: its RUN commands, run here on exactly what its COPY lines copy, build the binary
root=$tmp/rootfs
mkdir -p "$root"
wd=/
: > "$tmp/build-apt"
while IFS=$'\t' read -r stage instr args; do
	[ "$stage" = 1 ] || continue
	[ -z "$why" ] || break
	case $instr in
	WORKDIR)
		case $args in /*) wd=$args ;; *) wd=$wd/$args ;; esac
		mkdir -p "$root$wd"
		;;
	COPY)
		read -r -a w <<< "$args"
		need '[[ ${w[0]} != --* ]]' "build stage: COPY $args: options not expected"
		dest=${w[-1]}
		[[ $dest == /* ]] || dest=$wd/$dest
		for src in "${w[@]:0:${#w[@]}-1}"; do
			if [ -d "$REPO/$src" ]; then
				mkdir -p "$root$dest" && cp -a "$REPO/$src/." "$root$dest/"
			elif [[ $dest == */ ]] || [ "${#w[@]}" -gt 2 ]; then
				mkdir -p "$root$dest" && cp -a "$REPO/$src" "$root$dest/"
			else
				mkdir -p "$(dirname "$root$dest")" && cp -a "$REPO/$src" "$root$dest"
			fi
			rc=$?
			need '[ $rc = 0 ]' "build stage: COPY $src: not in the repository"
		done
		;;
	RUN)
		if [[ $args == *apt-get* ]]; then
			apt_pkgs "$args" >> "$tmp/build-apt" # checked below; apt cannot run here
		else
			(cd "$root$wd" && env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
				HOME=/root timeout 300 sh -c "$args") > "$tmp/build.log" 2>&1
			rc=$?
			need '[ $rc = 0 ]' "build stage: RUN $args: failed here" "$tmp/build.log"
		fi
		;;
	esac
done < "$tmp/df"
# the binary the runtime stage copies, as the build stage left it
read -r -a cp_from <<< "$(awk -F '\t' '$1 == 2 && $2 == "COPY" { print $3; exit }' "$tmp/df")"
built=${cp_from[1]:-/nonexistent}
need '[ -x "$root$built" ] && [ -f "$root$built" ]' "build stage: $built (what the runtime stage copies) was not built" "$tmp/build.log"
need '"$root$built" --version 2>&1 | grep -q "^registry-addon "' "build stage: $built --version does not run"
report "dockerfile build stage builds the binary here"

# -- build stage's packages: the compiler, make, pkg-config, libc headers, and the -dev package
#    of every pkg-config module the Makefile links; all real Debian 12 packages (installed here)
sort -u -o "$tmp/build-apt" "$tmp/build-apt"
{
	printf '%s\n' gcc libc6-dev make pkg-config
	for m in $(sed -n 's/^PKGS[ \t]*:=//p' Makefile); do
		deb_of "$(pkg-config --path "$m")" || echo "?pkg-config:$m"
	done
} | sort -u > "$tmp/build-want"
missing=$(comm -13 "$tmp/build-apt" "$tmp/build-want" | tr '\n' ' ')
need '[ -z "$missing" ]' "build stage: apt-get install lacks: $missing" "$tmp/build-apt"
for p in $(cat "$tmp/build-apt"); do
	need 'dpkg-query -W -f="\${Status}" "$p" 2> /dev/null | grep -q "install ok installed"' \
		"build stage: $p is not a Debian 12 package installed here"
done
report "dockerfile build stage installs what the Makefile needs"

# -- runtime stage: the packages of exactly the libraries ldd lists for the binary the build
#    stage built (BIN may be a sanitizer build), less the base image's
base_pkgs > "$tmp/base"
rtbin=$root$built
need '[ -x "$rtbin" ]' "no binary from the build stage to run ldd on"
ldd "$rtbin" 2> /dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' > "$tmp/libs"
for l in $(cat "$tmp/libs"); do
	deb_of "$l" || echo "?$l"
done | sort -u | comm -23 - "$tmp/base" > "$tmp/rt-want"
awk -F '\t' '$1 == 2 && $2 == "RUN" { print $3 }' "$tmp/df" | while IFS= read -r r; do apt_pkgs "$r"; done |
	sort -u > "$tmp/rt-apt"
need '[ -s "$tmp/libs" ] && ! grep -q "^?" "$tmp/rt-want"' "ldd ${rtbin#"$root"}: a library no package owns: $(grep '^?' "$tmp/rt-want")"
missing=$(comm -13 "$tmp/rt-apt" "$tmp/rt-want" | tr '\n' ' ')
extra=$(comm -23 "$tmp/rt-apt" "$tmp/rt-want" | tr '\n' ' ')
need '[ -z "$missing" ]' "runtime stage: apt-get install lacks $missing(ldd needs them)" "$tmp/libs"
need '[ -z "$extra" ]' "runtime stage: apt-get install has $extra(no library ldd lists needs them, or the base image has them)" "$tmp/libs"
report "dockerfile runtime packages = ldd's libraries ($(tr '\n' ' ' < "$tmp/rt-want" | sed 's/ $//'))"

# -- final stage: only the binary copied in, numeric non-root USER after every RUN,
#    exec-form ENTRYPOINT on the copied binary
awk -F '\t' '$1 == 2' "$tmp/df" > "$tmp/final"
ncopy=$(awk -F '\t' '$2 == "COPY" || $2 == "ADD"' "$tmp/final" | wc -l)
need '[ "$ncopy" = 1 ]' "final stage: $ncopy COPY/ADD instructions, want exactly 1 (the binary)" "$tmp/final"
need '[ "${cp_from[0]:-}" = "--from=$build_name" ] && [ ${#cp_from[@]} = 3 ]' \
	"final stage: want COPY --from=$build_name BINARY DEST, got: COPY ${cp_from[*]}"
need '[ "$(basename "$built")" = registry-addon ] && [ "$built" = "$(awk -F "\t" '\''$1 == 1 && $2 == "WORKDIR" { w = $3 } END { print w }'\'' "$tmp/df")/build/registry-addon" ]' \
	"final stage: copies $built, not the build stage's build/registry-addon"
dest=${cp_from[2]:-}
user=$(awk -F '\t' '$2 == "USER" { u = $3 } END { print u }' "$tmp/final")
need '[[ $user =~ ^[0-9]+(:[0-9]+)?$ ]] && [ "${user%%:*}" != 0 ]' "final stage: USER '$user': want a numeric, non-root uid (runAsNonRoot needs a number)"
need '[ "$(awk -F "\t" '\''$2 == "RUN" { r = NR } $2 == "USER" { u = NR } END { print (u > r) }'\'' "$tmp/final")" = 1 ]' \
	"final stage: USER must come after every RUN (and be set at all)"
ep=$(awk -F '\t' '$2 == "ENTRYPOINT" { e = $3 } END { print e }' "$tmp/final")
ep0=$(node -e 'try { const e = JSON.parse(process.argv[1]); console.log(Array.isArray(e) && e.length === 1 ? e[0] : "") } catch { console.log("") }' "$ep")
need '[ -n "$ep0" ] && [ "$ep0" = "$dest" ]' "final stage: ENTRYPOINT $ep: want [\"$dest\"] (exec form, the copied binary, no shell)"
need 'grep -q "^2	LABEL	.*org\.opencontainers\.image\.title=" "$tmp/df"' "final stage: no OCI labels (org.opencontainers.image.*)"
# the version label's default is the version the build takes from plugin.yaml
pver=$(sed -n 's/^version: *//p' "$REPO/plugin/registry-addon/plugin.yaml")
dver=$(awk -F '\t' '$1 == 2 && $2 == "ARG" && $3 ~ /^VERSION=/ { sub(/^VERSION=/, "", $3); print $3 }' "$tmp/df")
need '[ -n "$pver" ] && [ "$dver" = "$pver" ]' "final stage: ARG VERSION=$dver, but plugin/registry-addon/plugin.yaml says $pver"
report "dockerfile final stage: the binary only, USER $user, ENTRYPOINT $ep"

# ================================================================================================
# krm/examples/kustomize-fn
# ================================================================================================
KFN=$REPO/krm/examples/kustomize-fn
bin "$tmp/bin" "${HELM3:-/nonexistent}" "$BIN"
# the example's shape: resources + transformers; the function annotation holds exec.path only
r=$(q js "$KFN/kustomization.yaml" 'JSON.stringify([docs[0].resources, docs[0].transformers])' 2>&1)
need '[ "$r" = "[[\"app.yaml\"],[\"registry-addon.yaml\"]]" ]' "kustomization.yaml: resources/transformers are $r"
r=$(q js "$KFN/registry-addon.yaml" 'const o = docs[0]; const f = require(process.env.YAML_MODULE).parse(ann(o)["config.kubernetes.io/function"] || "null");
	JSON.stringify([o.apiVersion, o.kind, f])' 2>&1)
need '[ "$r" = "[\"registry-addon.dev/v1alpha1\",\"RegistryAddon\",{\"exec\":{\"path\":\"registry-addon\"}}]" ]' \
	"registry-addon.yaml: want a registry-addon.dev/v1alpha1 RegistryAddon whose function annotation is exec: {path: registry-addon} only; got $r"
report "kustomize-fn example files"

if [ -n "$have_kpt" ]; then
	# the brief's command: kpt fn eval on the example directory itself
	cp -r "$KFN" "$tmp/kfn"
	(cd "$tmp/kfn" && PATH=$tmp/bin:$PATH timeout "$T" "$KPT" fn eval . --fn-config registry-addon.yaml \
		--exec registry-addon -o unwrap) > "$tmp/kfn.out" 2> "$tmp/kfn.err"
	rc=$?
	need '[ $rc = 0 ]' "kpt fn eval exited $rc" "$tmp/kfn.err"
	need 'has_obj "$tmp/kfn.out" StatefulSet mirror registry' "no StatefulSet mirror/registry (spec.namespace: mirror)" "$tmp/kfn.out"
	need '[ "$(q js "$tmp/kfn.out" "find(\"StatefulSet\", \"registry\", \"mirror\").spec.replicas")" = 3 ]' "StatefulSet registry: replicas is not 3 (spec.registry.replicas)"
	need 'originals "$tmp/kfn.out" | grep -q "^Deployment	-	web$"' "the Deployment web is gone" "$tmp/kfn.out"
	need 'diff -r "$KFN" "$tmp/kfn" > /dev/null' "kpt fn eval -o unwrap changed the package"
	report "kustomize-fn: kpt fn eval --fn-config registry-addon.yaml --exec registry-addon"

	# what standalone kustomize sends: items = the resources only; functionConfig = the whole
	# config object plus config.kubernetes.io/local-config: "true"
	mkdir -p "$tmp/kwire/pkg"
	cp "$KFN/app.yaml" "$tmp/kwire/pkg/"
	q local-config "$KFN/registry-addon.yaml" > "$tmp/kwire/fn-config.yaml"
	stub "$tmp/bin/dump-addon" "tee '$tmp/kwire/stdin.yaml' | registry-addon \"\$@\""
	PATH=$tmp/bin:$PATH timeout "$T" "$KPT" fn eval "$tmp/kwire/pkg" --fn-config "$tmp/kwire/fn-config.yaml" \
		--exec dump-addon -o unwrap > "$tmp/kwire.out" 2> "$tmp/kwire.err"
	rc=$?
	need '[ $rc = 0 ]' "kpt fn eval exited $rc" "$tmp/kwire.err"
	fc=$(q js "$tmp/kwire/stdin.yaml" 'const l = raw[0], f = l.functionConfig; JSON.stringify([l.kind, f.kind, ann(f)["config.kubernetes.io/local-config"], f.spec.namespace, l.items.map((o) => o.kind)])' 2>&1)
	need '[ "$fc" = "[\"ResourceList\",\"RegistryAddon\",\"true\",\"mirror\",[\"Deployment\",\"Service\"]]" ]' "the function did not get kustomize's ResourceList: $fc" "$tmp/kwire/stdin.yaml"
	need 'has_obj "$tmp/kwire.out" StatefulSet mirror registry' "no StatefulSet mirror/registry" "$tmp/kwire.out"
	# kustomize drops local-config objects from its output: ours must not inherit the annotation
	leaked=$(q js "$tmp/kwire.out" 'docs.filter((o) => ours(o) && (ann(o)["config.kubernetes.io/local-config"] || ann(o)["config.kubernetes.io/function"])).map((o) => o.kind + "/" + o.metadata.name).join(" ")' 2>&1)
	need '[ -z "$leaked" ]' "generated objects carry the functionConfig's annotations (kustomize would drop them): $leaked"
	report "kustomize-fn: the ResourceList standalone kustomize sends (via kpt)"
else
	skip "kustomize-fn kpt checks" "no kpt"
fi

if [ -n "$have_kubectl" ]; then
	# kubectl kustomize has no --enable-exec: --enable-alpha-plugins exits 0 and never runs it
	mkdir -p "$tmp/bin-spy"
	stub "$tmp/bin-spy/registry-addon" "touch '$tmp/spy-ran'; exec '$BIN' \"\$@\""
	PATH=$tmp/bin-spy:$PATH timeout "$T" "$KUBECTL" kustomize --enable-alpha-plugins "$KFN" > "$tmp/kk.out" 2> "$tmp/kk.err"
	rc=$?
	need '[ $rc = 0 ]' "kubectl kustomize --enable-alpha-plugins exited $rc (the documented pitfall says 0)" "$tmp/kk.err"
	need '[ ! -e "$tmp/spy-ran" ]' "kubectl kustomize ran the function (the pitfall in krm/README.md is stale)"
	need '[ "$(objs "$tmp/kk.out" | cut -f 1,3 | sort | tr "\t\n" "/ ")" = "Deployment/web Service/web " ]' \
		"kubectl kustomize output is not exactly app.yaml's objects" "$tmp/kk.out"
	PATH=$tmp/bin-spy:$PATH timeout "$T" "$KUBECTL" kustomize "$KFN" > /dev/null 2> "$tmp/kk2.err"
	rc=$?
	need '[ $rc != 0 ] && grep -q "external plugins disabled" "$tmp/kk2.err"' "kubectl kustomize without --enable-alpha-plugins: exit $rc, want an 'external plugins disabled' error" "$tmp/kk2.err"
	report "kustomize-fn: kubectl kustomize silently skips the exec function"
else
	skip "kustomize-fn kubectl check" "no kubectl"
fi

# ================================================================================================
# krm/argocd
# ================================================================================================
AD=$REPO/krm/argocd
export PLUGIN=$AD/plugin.yaml

r=$(q cmp-shape "$PLUGIN" 2>&1)
need '[ -z "$r" ]' "$r"
pname=$(q js "$PLUGIN" 'docs[0].metadata.name + (docs[0].spec.version ? "-" + docs[0].spec.version : "")' 2>&1)
need '[ "$pname" = helm-registry-addon ]' "the plugin's name is $pname (metadata.name[-spec.version]), want helm-registry-addon"
for w in init generate; do
	q argv "$PLUGIN" "$w" | tr '\0' '\n' | head -n 2 > "$tmp/argv-$w"
	need '[ "$(tr "\n" " " < "$tmp/argv-$w")" = "sh -c " ]' "spec.$w: want command [sh, -c] and the script in args (POSIX sh)"
	q argv "$PLUGIN" "$w" | tr '\0' '\n' | sed 1,2d > "$tmp/script-$w"
	need 'sh -n "$tmp/script-$w" 2> "$tmp/sh-n.err"' "spec.$w: sh -n rejects the script" "$tmp/sh-n.err"
	need '! grep -q pipefail "$tmp/script-$w"' "spec.$w: pipefail (Debian's sh, dash, rejects it)"
	need 'grep -q "^set -eu" "$tmp/script-$w"' "spec.$w: no set -eu"
done
report "argocd plugin.yaml: documented ConfigManagementPlugin fields only, name $pname"

aname=$(q js "$AD/application.yaml" 'const a = docs[0]; a.apiVersion + " " + a.kind + " " + a.spec.source.plugin.name' 2>&1)
need '[ "$aname" = "argoproj.io/v1alpha1 Application $pname" ]' "application.yaml: $aname; want an Application with spec.source.plugin.name $pname"
for e in $(q js "$AD/application.yaml" '(docs[0].spec.source.plugin.env || []).map((e) => e.name).join(" ")'); do
	need 'grep -q "ARGOCD_ENV_$e" "$tmp/script-generate"' "application.yaml sets $e, which generate never reads (as ARGOCD_ENV_$e)"
done
vf=$(q js "$AD/application.yaml" '((docs[0].spec.source.plugin.env || []).find((e) => e.name === "HELM_VALUES") || {}).value || ""')
for f in $vf; do
	need '[ -f "$REPO/$(q js "$AD/application.yaml" "docs[0].spec.source.path")/$f" ]' "application.yaml: HELM_VALUES $f is not in the example chart"
done
report "argocd application.yaml names the plugin and only its variables"

# cmp_run NAME WHICH APPDIR BINDIR [VAR=VALUE...]: run plugin.yaml's WHICH as argocd-cmp-server
# does (exec of command + args, CWD = the app's directory; env = the sidecar's, as in
# sidecar.yaml, plus Argo CD's build environment and VARs) -> $tmp/NAME.{out,err}, $rc
# (KUBE_VERSION is not Helm 3.17's default 1.32, so the probe can tell it was passed)
cmp_run() {
	local name=$1 which=$2 dir=$3 bindir=$4 argv
	shift 4
	mapfile -d '' argv < <(q argv "$PLUGIN" "$which")
	rm -rf "$tmp/cmptmp"
	mkdir -p "$tmp/cmptmp"
	(cd "$dir" && exec env -i PATH="$bindir:/usr/local/bin:/usr/bin:/bin" TMPDIR="$tmp/cmptmp" \
		HELM_CACHE_HOME="$HELM_CACHE_HOME" HELM_CONFIG_HOME="$HELM_CONFIG_HOME" HELM_DATA_HOME="$HELM_DATA_HOME" \
		ARGOCD_APP_NAME=demo ARGOCD_APP_NAMESPACE=demo ARGOCD_APP_REVISION=0123456789abcdef \
		ARGOCD_APP_SOURCE_PATH=chart ARGOCD_APP_SOURCE_REPO_URL=https://git.example.com/apps.git \
		ARGOCD_APP_SOURCE_TARGET_REVISION=main KUBE_VERSION=1.30.2 \
		KUBE_API_VERSIONS=v1,apps/v1,batch/v1,policy/v1,networking.k8s.io/v1,cert-manager.io/v1 \
		"$@" timeout "$T" "${argv[@]}") > "$tmp/$name.out" 2> "$tmp/$name.err"
	rc=$?
}
# app NAME: a copy of the demo chart at $tmp/NAME
app() { rm -rf "$tmp/$1" && cp -r "$REPO/chart" "$tmp/$1"; }
# probe DIR: DIR is a chart; add a ConfigMap showing what helm template was told
probe() {
	cat > "$1/templates/probe.yaml" << 'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: probe
data:
  release: {{ .Release.Name | quote }}
  namespace: {{ .Release.Namespace | quote }}
  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}
  certManager: {{ .Capabilities.APIVersions.Has "cert-manager.io/v1" | quote }}
EOF
}
if [ -n "$HELM3" ]; then
	bin "$tmp/bin" "$HELM3" "$BIN"
	# the baseline: the chart's own objects, as helm template renders them for the Application
	app app
	probe "$tmp/app"
	mkdir -p "$tmp/app/crds"
	printf '%s\n' 'apiVersion: apiextensions.k8s.io/v1' 'kind: CustomResourceDefinition' 'metadata:' \
		'  name: widgets.example.com' 'spec:' '  group: example.com' '  names: {kind: Widget, plural: widgets}' \
		'  scope: Namespaced' '  versions:' '  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}' \
		> "$tmp/app/crds/widgets.yaml"
	"$HELM3" template demo "$tmp/app" --namespace demo --kube-version 1.30.2 --include-crds > "$tmp/chart.yaml" 2> "$tmp/chart.err"
	objs "$tmp/chart.yaml" | cut -f 1-3 | sort > "$tmp/chart.objs"
	need '[ -s "$tmp/chart.objs" ]' "helm template of the demo chart failed" "$tmp/chart.err"
	report "helm 3 renders the demo chart"

	# -- success: the chart's objects, exactly, plus ours configured from the Application's env;
	#    helm template got the release name and namespace, Kubernetes version and API versions
	cmp_run gen generate "$tmp/app" "$tmp/bin" "ARGOCD_ENV_REGISTRY_ADDON_ARGS=--set namespace=mirror --set=registry.replicas=3"
	need '[ $rc = 0 ]' "generate exited $rc" "$tmp/gen.err"
	need '"$CHECK" parse "$tmp/gen.out" > /dev/null 2>&1' "stdout is not a YAML stream" "$tmp/gen.out"
	need 'diff "$tmp/chart.objs" <(originals "$tmp/gen.out") > "$tmp/gen.diff"' "the chart's objects (crds/ included) differ from helm template's" "$tmp/gen.diff"
	r=$(q js "$tmp/gen.out" 'JSON.stringify(find("ConfigMap", "probe").data)' 2>&1)
	need '[ "$r" = "{\"release\":\"demo\",\"namespace\":\"demo\",\"kubeVersion\":\"v1.30.2\",\"certManager\":\"true\"}" ]' \
		"helm template did not get ARGOCD_APP_NAME, ARGOCD_APP_NAMESPACE, KUBE_VERSION, KUBE_API_VERSIONS: $r"
	need 'has_obj "$tmp/gen.out" StatefulSet mirror registry' "no StatefulSet mirror/registry (REGISTRY_ADDON_ARGS --set namespace=mirror)" "$tmp/gen.out"
	need '[ "$(q js "$tmp/gen.out" "find(\"StatefulSet\", \"registry\", \"mirror\").spec.replicas")" = 3 ]' "StatefulSet registry: replicas is not 3 (--set=registry.replicas=3)"
	need '[ -z "$(ls -A "$tmp/cmptmp")" ]' "generate left files in TMPDIR: $(ls -A "$tmp/cmptmp")"
	report "argocd generate: the chart's objects + ours (REGISTRY_ADDON_ARGS)"

	# -- registry-addon.yaml in the app dir (--config), HELM_VALUES (--values), with Argo CD's
	#    env otherwise empty (no KUBE_VERSION) and the example application's settings
	app app-cfg
	printf 'apiVersion: registry-addon.dev/v1alpha1\nkind: RegistryAddon\nspec:\n  namespace: from-file\n' > "$tmp/app-cfg/registry-addon.yaml"
	printf 'web:\n  replicas: 5\n' > "$tmp/app-cfg/values-prod.yaml"
	cmp_run cfg generate "$tmp/app-cfg" "$tmp/bin" "ARGOCD_ENV_HELM_VALUES=values.yaml values-prod.yaml" KUBE_VERSION= KUBE_API_VERSIONS=
	need '[ $rc = 0 ]' "generate exited $rc" "$tmp/cfg.err"
	need 'has_obj "$tmp/cfg.out" StatefulSet from-file registry' "registry-addon.yaml in the app dir was not used (no StatefulSet from-file/registry)" "$tmp/cfg.out"
	need '[ "$(q js "$tmp/cfg.out" "find(\"Deployment\", \"web\").spec.replicas")" = 5 ]' "HELM_VALUES values-prod.yaml was not used (Deployment web replicas != 5)"
	report "argocd generate: registry-addon.yaml in the app dir, HELM_VALUES"

	# -- failures: non-zero exit AND nothing on stdout (blank output + auto-prune deletes the app)
	# fails NAME WHAT GREP: the last cmp_run failed cleanly, its stderr matching GREP
	fails() {
		f_out=$tmp/$1.out f_err=$tmp/$1.err f_pat=$3
		need '[ $rc != 0 ]' "exit 0 on $2" "$f_err"
		need '[ ! -s "$f_out" ]' "stdout not empty on $2 ($(wc -c < "$f_out") bytes): Argo CD would apply it" "$f_out"
		need 'grep -q -e "$f_pat" "$f_err"' "stderr (shown in Argo CD's UI) does not say '$3'" "$f_err"
		need '[ -z "$(ls -A "$tmp/cmptmp")" ]' "generate left files in TMPDIR on $2"
		report "argocd generate fails cleanly: $2"
	}
	app app-f
	cmp_run f1 generate "$tmp/app-f" "$tmp/bin" "ARGOCD_ENV_REGISTRY_ADDON_ARGS=--set registry.replicas=0"
	fails f1 "a bad registry-addon setting (REGISTRY_ADDON_ARGS)" "registry.replicas"

	app app-f2
	printf 'apiVersion: registry-addon.dev/v1alpha1\nkind: RegistryAddon\nspec:\n  registry:\n    replicas: 0\n' > "$tmp/app-f2/registry-addon.yaml"
	cmp_run f2 generate "$tmp/app-f2" "$tmp/bin"
	fails f2 "a bad registry-addon.yaml" "replicas"

	cmp_run f3 generate "$tmp/app-f" "$tmp/bin" "ARGOCD_ENV_REGISTRY_ADDON_ARGS=--config /etc/passwd"
	fails f3 "a REGISTRY_ADDON_ARGS word other than --set" "only --set"

	cmp_run f4 generate "$tmp/app-f" "$tmp/bin" "ARGOCD_ENV_HELM_VALUES=../../../etc/passwd"
	fails f4 "a HELM_VALUES path outside the chart" "HELM_VALUES"

	app app-broken
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.nope.deeper }}\n' > "$tmp/app-broken/templates/broken.yaml"
	cmp_run f5 generate "$tmp/app-broken" "$tmp/bin"
	fails f5 "a broken chart template (helm template fails)" "nil pointer"

	bin "$tmp/bin-empty-addon" "$HELM3" "$tmp/addon-empty"
	cmp_run f6 generate "$tmp/app-f" "$tmp/bin-empty-addon"
	fails f6 "registry-addon exits 0 with empty output" "registry-addon wrote nothing"

	bin "$tmp/bin-partial-helm" "$tmp/helm-partial" "$BIN"
	cmp_run f7 generate "$tmp/app-f" "$tmp/bin-partial-helm"
	fails f7 "helm prints part of a manifest, then fails" "helm template failed"

	bin "$tmp/bin-empty-helm" "$tmp/helm-empty" "$BIN"
	cmp_run f8 generate "$tmp/app-f" "$tmp/bin-empty-helm"
	fails f8 "helm exits 0 with empty output (registry-addon alone would prune the app)" "rendered nothing"

	# -- init: helm dependency build only for a chart with dependencies
	rm -rf "$tmp/repo" && mkdir -p "$tmp/repo" && cp -r "$REPO/chart" "$tmp/repo/demo"
	mkdir -p "$tmp/repo/umbrella"
	printf 'apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n- name: demo\n  version: 0.1.0\n  repository: file://../demo\n' > "$tmp/repo/umbrella/Chart.yaml"
	cmp_run init1 init "$tmp/repo/umbrella" "$tmp/bin"
	need '[ $rc = 0 ]' "init exited $rc" "$tmp/init1.err"
	need '[ -f "$tmp/repo/umbrella/charts/demo-0.1.0.tgz" ]' "init did not build charts/demo-0.1.0.tgz" "$tmp/init1.err"
	cmp_run init1g generate "$tmp/repo/umbrella" "$tmp/bin"
	need '[ $rc = 0 ]' "generate after init exited $rc" "$tmp/init1g.err"
	need 'originals "$tmp/init1g.out" | grep -q "^Deployment	-	web$" && has_obj "$tmp/init1g.out" StatefulSet registry-system registry' \
		"generate after init: the dependency's objects or ours are missing" "$tmp/init1g.out"
	bin "$tmp/bin-no-helm" "$tmp/helm-forbidden" "$BIN"
	app app-init
	cmp_run init2 init "$tmp/app-init" "$tmp/bin-no-helm"
	need '[ $rc = 0 ]' "init ran helm for a chart without dependencies (exit $rc)" "$tmp/init2.err"
	rm -rf "$tmp/repo/remote" && mkdir -p "$tmp/repo/remote"
	printf 'apiVersion: v2\nname: remote\nversion: 1.0.0\ndependencies:\n- name: demo\n  version: 0.1.0\n  repository: https://127.0.0.1:9/charts\n' > "$tmp/repo/remote/Chart.yaml"
	cmp_run init3 init "$tmp/repo/remote" "$tmp/bin"
	need '[ $rc != 0 ]' "init exited 0 although the dependency's repository is unreachable" "$tmp/init3.err"
	report "argocd init: helm dependency build when Chart.yaml has dependencies"
else
	skip "argocd generate/init" "no Helm 3"
fi

if [ -n "$have_kubectl" ]; then
	# -- the Component: sidecar.yaml + the ConfigMap from plugin.yaml, onto a repo-server
	#    Deployment shaped like Argo CD's install.yaml (namespace set by the installing kustomization)
	mkdir -p "$tmp/argo"
	cat > "$tmp/argo/install.yaml" << 'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-repo-server
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: argocd-repo-server
  template:
    metadata:
      labels:
        app.kubernetes.io/name: argocd-repo-server
    spec:
      initContainers:
      - name: copyutil
        image: quay.io/argoproj/argocd:v3.1.0
        command: [/bin/cp, -n, /usr/local/bin/argocd, /var/run/argocd/argocd-cmp-server]
        volumeMounts:
        - name: var-files
          mountPath: /var/run/argocd
      containers:
      - name: argocd-repo-server
        image: quay.io/argoproj/argocd:v3.1.0
        volumeMounts:
        - name: var-files
          mountPath: /var/run/argocd
        - name: plugins
          mountPath: /home/argocd/cmp-server/plugins
        - name: tmp
          mountPath: /tmp
      volumes:
      - name: var-files
        emptyDir: {}
      - name: plugins
        emptyDir: {}
      - name: tmp
        emptyDir: {}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
EOF
	cp -r "$AD" "$tmp/argo/registry-addon"
	printf 'namespace: argocd\nresources:\n- install.yaml\ncomponents:\n- registry-addon\npatches:\n- path: registry-addon/argocd-cm.yaml\n  target:\n    kind: ConfigMap\n    name: argocd-cm\n' > "$tmp/argo/kustomization.yaml"
	timeout "$T" "$KUBECTL" kustomize "$tmp/argo" > "$tmp/argo.out" 2> "$tmp/argo.err"
	rc=$?
	need '[ $rc = 0 ]' "kubectl kustomize of an Argo CD install with the component exited $rc" "$tmp/argo.err"
	# the sidecar as Argo CD's docs require it, and every mount backed by a volume
	r=$(q js "$tmp/argo.out" '
		const d = find("Deployment", "argocd-repo-server", "argocd"), s = d.spec.template.spec;
		const c = s.containers.find((c) => c.name === "helm-registry-addon") || {};
		const vols = Object.fromEntries((s.volumes || []).map((v) => [v.name, v]));
		const mount = (p) => (c.volumeMounts || []).find((m) => m.mountPath === p) || {};
		const bad = [];
		if (JSON.stringify(c.command) !== JSON.stringify(["/var/run/argocd/argocd-cmp-server"])) bad.push("command is not [/var/run/argocd/argocd-cmp-server]");
		if (!c.securityContext || c.securityContext.runAsUser !== 999 || c.securityContext.runAsNonRoot !== true) bad.push("not runAsUser 999, runAsNonRoot");
		if (mount("/var/run/argocd").name !== "var-files") bad.push("/var/run/argocd is not var-files");
		if (mount("/home/argocd/cmp-server/plugins").name !== "plugins") bad.push("/home/argocd/cmp-server/plugins is not plugins");
		const cfg = mount("/home/argocd/cmp-server/config/plugin.yaml");
		const cm = vols[cfg.name] && vols[cfg.name].configMap && find("ConfigMap", vols[cfg.name].configMap.name, "argocd");
		if (cfg.subPath !== "plugin.yaml" || !cm) bad.push("plugin.yaml is not mounted (subPath) from a ConfigMap of the output");
		else if (cm.data["plugin.yaml"] !== require("fs").readFileSync(process.env.PLUGIN, "utf8")) bad.push("the mounted plugin.yaml is not krm/argocd/plugin.yaml");
		const t = mount("/tmp").name;
		if (!t || t === "tmp" || !vols[t] || !vols[t].emptyDir) bad.push("/tmp is not its own emptyDir");
		for (const m of c.volumeMounts || []) if (!vols[m.name]) bad.push("mount " + m.name + " has no volume");
		for (const e of c.env || []) if (/^HELM_/.test(e.name) && !e.value.startsWith("/tmp/")) bad.push(e.name + " outside /tmp (read-only root)");
		if (s.containers.length !== 2) bad.push(s.containers.length + " containers");
		bad.join("; ")' 2>&1)
	need '[ -z "$r" ]' "sidecar: $r" "$tmp/argo.out"
	node "$REPO/tests/schema/validate.mjs" --all "$tmp/argo.out" > "$tmp/argo.schema" 2>&1
	rc=$?
	grep -v '^ok' "$tmp/argo.schema" > "$tmp/argo.schema.bad"
	need '[ $rc = 0 ]' "the patched Deployment or the ConfigMaps fail the Kubernetes schema" "$tmp/argo.schema.bad"
	report "argocd sidecar component: kustomizes onto argocd-repo-server, schema-valid"
	r=$(q js "$tmp/argo.out" 'const c = find("ConfigMap", "argocd-cm", "argocd"); c && c.data["kustomize.buildOptions"]' 2>&1)
	need '[ "$r" = "--enable-alpha-plugins --enable-exec" ]' "argocd-cm kustomize.buildOptions is '$r'"
	r=$(q js "$AD/argocd-cm.yaml" 'docs[0].kind + " " + docs[0].metadata.namespace + "/" + docs[0].metadata.name')
	need '[ "$r" = "ConfigMap argocd/argocd-cm" ]' "argocd-cm.yaml is $r"
	report "argocd argocd-cm.yaml: kustomize.buildOptions --enable-alpha-plugins --enable-exec"
else
	skip "argocd sidecar and argocd-cm" "no kubectl"
fi

# ================================================================================================
# krm/flux
# ================================================================================================
RENDER=$REPO/krm/flux/render.sh
if [ -n "$HELM3" ] && [ -n "$have_kubectl" ]; then
	export HELM=$HELM3 REGISTRY_ADDON=$BIN KUSTOMIZE="$KUBECTL kustomize"
	render() { timeout "$T" "$RENDER" "$@" > "$tmp/render.out" 2> "$tmp/render.err"; rc=$?; }
	app fapp
	probe "$tmp/fapp"
	"$HELM3" template demo "$tmp/fapp" --namespace demo --skip-tests > "$tmp/fchart.yaml" 2> "$tmp/fchart.err"
	objs "$tmp/fchart.yaml" | awk -F '\t' -v OFS='\t' '{ print $1, "demo", $3 }' | sort > "$tmp/fchart.objs"
	out=$tmp/gitops/out
	render -n demo "$out" demo "$tmp/fapp" --skip-tests -- --set namespace=mirror
	need '[ $rc = 0 ]' "render.sh exited $rc" "$tmp/render.err"
	need '[ ! -s "$tmp/render.out" ]' "render.sh wrote to stdout" "$tmp/render.out"
	need '[ "$(ls -A "$out")" = app.yaml ]' "the output directory holds $(ls -A "$out" | tr '\n' ' '), want app.yaml only"
	need 'diff "$tmp/fchart.objs" <(originals "$out/app.yaml") > "$tmp/f.diff"' "the chart's objects (each in namespace demo, -n) differ from helm template's" "$tmp/f.diff"
	need 'has_obj "$out/app.yaml" StatefulSet mirror registry' "no StatefulSet mirror/registry (-- --set namespace=mirror)" "$out/app.yaml"
	need '! generated "$out/app.yaml" | grep -q "	demo	"' "the release namespace leaked onto generated objects" "$out/app.yaml"
	r=$(q js "$out/app.yaml" 'find("ConfigMap", "probe", "demo").data.namespace' 2>&1)
	need '[ "$r" = demo ]' "helm template was not given the namespace (-n demo): $r"
	report "flux render.sh: the chart's objects in the release namespace + ours"

	cp "$out/app.yaml" "$tmp/first.yaml"
	render -n demo "$out" demo "$tmp/fapp" --skip-tests -- --set namespace=mirror
	need '[ $rc = 0 ]' "the second render.sh exited $rc" "$tmp/render.err"
	need 'cmp -s "$tmp/first.yaml" "$out/app.yaml"' "a second render differs (a GitOps repo would churn)"
	report "flux render.sh: a second render is byte-identical"

	# atomic: any failure leaves the previous output exactly as it was, and no temp file
	# unchanged LABEL: the last render failed and left $out as it was
	nfail=0
	unchanged() {
		cp "$tmp/render.err" "$tmp/render-$((++nfail)).err"
		need '[ $rc = 1 ]' "render.sh exited $rc on $1, want 1" "$tmp/render-$nfail.err"
		need 'cmp -s "$tmp/first.yaml" "$out/app.yaml"' "$out/app.yaml changed on $1"
		need '[ "$(ls -A "$out")" = app.yaml ]' "$1 left $(ls -A "$out" | tr '\n' ' ')in the output directory"
	}
	render -n demo "$out" demo "$REPO/chart" -- --set registry.replicas=0
	unchanged "a bad registry-addon setting"
	app fbroken
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.nope.deeper }}\n' > "$tmp/fbroken/templates/broken.yaml"
	render -n demo "$out" demo "$tmp/fbroken"
	unchanged "a broken chart"
	REGISTRY_ADDON=$tmp/addon-empty render -n demo "$out" demo "$REPO/chart"
	unchanged "registry-addon's empty output"
	HELM=$tmp/helm-partial render -n demo "$out" demo "$REPO/chart"
	unchanged "helm failing after partial output"
	HELM=$tmp/helm-empty render -n demo "$out" demo "$REPO/chart"
	unchanged "helm's empty output"
	KUSTOMIZE=false render -n demo "$out" demo "$REPO/chart"
	unchanged "a failing kustomize"
	report "flux render.sh: every failure leaves the previous output untouched"

	render --addon-only "$tmp/gitops/addon"
	need '[ $rc = 0 ]' "render.sh --addon-only exited $rc" "$tmp/render.err"
	"$BIN" < /dev/null > "$tmp/alone.yaml" 2> /dev/null
	need 'cmp -s "$tmp/alone.yaml" "$tmp/gitops/addon/registry-addon.yaml"' "--addon-only output is not registry-addon < /dev/null" "$tmp/render.err"
	render --addon-only "$tmp/gitops/addon" -- --set registry.replicas=0
	need '[ $rc = 1 ] && cmp -s "$tmp/alone.yaml" "$tmp/gitops/addon/registry-addon.yaml"' "--addon-only with a bad setting: exit $rc, or the file changed" "$tmp/render.err"
	render
	need '[ $rc = 2 ]' "render.sh without arguments exited $rc, want 2 (usage)"
	render -n 'x y' "$out" demo "$REPO/chart"
	need '[ $rc = 2 ]' "render.sh -n 'x y' exited $rc, want 2 (not a namespace)"
	report "flux render.sh --addon-only and usage errors"
	unset HELM REGISTRY_ADDON KUSTOMIZE
else
	skip "flux render.sh" "needs Helm 3 and kubectl"
fi

# the Flux objects: a Kustomization on the rendered path, OCIRepository + Kustomization
r=$(q js "$REPO/krm/flux/kustomization.yaml" '
	const k = docs[0], bad = [];
	if (docs.length !== 1 || k.apiVersion !== "kustomize.toolkit.fluxcd.io/v1" || k.kind !== "Kustomization") bad.push("not one kustomize.toolkit.fluxcd.io/v1 Kustomization");
	else {
		if (k.spec.sourceRef.kind !== "GitRepository") bad.push("sourceRef is not a GitRepository");
		if (!/^\.\/out\/?$/.test(k.spec.path)) bad.push("path is not ./out (render.sh OUT_DIR)");
		if ("targetNamespace" in k.spec) bad.push("targetNamespace would move the registry objects");
		if (!k.spec.prune || !k.spec.interval) bad.push("no prune or interval");
	}
	bad.join("; ")' 2>&1)
need '[ -z "$r" ]' "krm/flux/kustomization.yaml: $r"
r=$(q js "$REPO/krm/flux/oci.yaml" '
	const o = docs.find((d) => d.kind === "OCIRepository"), k = docs.find((d) => d.kind === "Kustomization"), bad = [];
	if (docs.length !== 2 || !o || !k) bad.push("want an OCIRepository and a Kustomization");
	else {
		if (o.apiVersion !== "source.toolkit.fluxcd.io/v1" || !/^oci:\/\//.test(o.spec.url)) bad.push("OCIRepository: not source.toolkit.fluxcd.io/v1 with an oci:// url");
		if (k.apiVersion !== "kustomize.toolkit.fluxcd.io/v1" || k.spec.sourceRef.kind !== "OCIRepository" || k.spec.sourceRef.name !== o.metadata.name ||
			(k.spec.sourceRef.namespace || k.metadata.namespace) !== o.metadata.namespace) bad.push("the Kustomization does not reference the OCIRepository");
		if ("targetNamespace" in k.spec) bad.push("targetNamespace would move the registry objects");
	}
	bad.join("; ")' 2>&1)
need '[ -z "$r" ]' "krm/flux/oci.yaml: $r"
report "flux kustomization.yaml and oci.yaml"

finish
