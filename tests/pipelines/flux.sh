# shellcheck shell=bash
# tests/pipelines/flux.sh - sourced by tests/pipelines.sh (its helpers, $tmp, $BIN, the tools).
# krm/flux: render.sh (namespaces, deterministic, atomic) and the Flux objects
RENDER=$REPO/krm/flux/render.sh
if [ -n "$HELM3" ] && [ -n "$have_kubectl" ]; then
	export HELM=$HELM3 REGISTRY_ADDON=$BIN KUSTOMIZE="$KUBECTL kustomize"
	render() { timeout "$T" "$RENDER" "$@" > "$tmp/render.out" 2> "$tmp/render.err"; rc=$?; }
	app fapp
	probe "$tmp/fapp"
	"$HELM3" template demo "$tmp/fapp" --namespace demo --skip-tests > "$tmp/fchart.yaml" 2> "$tmp/fchart.err"
	objs "$tmp/fchart.yaml" | awk -F '\t' -v OFS='\t' '{ print $1, $2, "demo", $4 }' | sort > "$tmp/fchart.objs"
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
