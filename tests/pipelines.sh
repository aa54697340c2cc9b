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

. "$(dirname "$0")/e2e.sh"
e2e_args pipelines.sh "$@"
YAML_MODULE=$REPO/tests/schema/node_modules/yaml
if ! command -v node > /dev/null || [ ! -f "$YAML_MODULE/package.json" ]; then
	echo "pipelines.sh: node and tests/schema/node_modules/yaml are needed (bash tests/schema/setup.sh)" >&2
	exit 2
fi
KPT=${KPT:-kpt}
KUBECTL=${KUBECTL:-kubectl}
T=${TIMEOUT:-60} # seconds per tool run

SUITE=pipelines
. "$REPO/tests/lib.sh" # $tmp (removed on exit), finish

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

# (objs, originals, generated: tests/e2e.sh, "apiVersion kind namespace name [generated]")
# has_obj FILE KIND NS NAME: FILE holds that generated object
has_obj() { generated "$1" | cut -f 2-4 | grep -qx "$2	$3	$4"; }

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

# the checks, one file per directory of krm/
for part in dockerfile kustomize-fn argocd flux; do
	. "$REPO/tests/pipelines/$part.sh"
done

finish
