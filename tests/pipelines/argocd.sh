# shellcheck shell=bash
# tests/pipelines/argocd.sh - sourced by tests/pipelines.sh (its helpers, $tmp, $BIN, the tools).
# krm/argocd: the config-management plugin run as Argo CD runs it (a failure never gives output), the sidecar, argocd-cm, the Application
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
	originals "$tmp/chart.yaml" > "$tmp/chart.objs"
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
	need 'originals "$tmp/init1g.out" | grep -q "^apps/v1	Deployment	-	web$" && has_obj "$tmp/init1g.out" StatefulSet registry-system registry' \
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
	schema_valid "$tmp/argo.out" # the patched Deployment and the ConfigMaps
	report "argocd sidecar component: kustomizes onto argocd-repo-server, schema-valid"
	r=$(q js "$tmp/argo.out" 'const c = find("ConfigMap", "argocd-cm", "argocd"); c && c.data["kustomize.buildOptions"]' 2>&1)
	need '[ "$r" = "--enable-alpha-plugins --enable-exec" ]' "argocd-cm kustomize.buildOptions is '$r'"
	r=$(q js "$AD/argocd-cm.yaml" 'docs[0].kind + " " + docs[0].metadata.namespace + "/" + docs[0].metadata.name')
	need '[ "$r" = "ConfigMap argocd/argocd-cm" ]' "argocd-cm.yaml is $r"
	report "argocd argocd-cm.yaml: kustomize.buildOptions --enable-alpha-plugins --enable-exec"
else
	skip "argocd sidecar and argocd-cm" "no kubectl"
fi
