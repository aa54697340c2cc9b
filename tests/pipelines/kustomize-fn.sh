# shellcheck shell=bash
# tests/pipelines/kustomize-fn.sh - sourced by tests/pipelines.sh (its helpers, $tmp, $BIN, the tools).
# krm/examples/kustomize-fn: the ResourceList standalone kustomize sends, through kpt; kubectl kustomize skips the function
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
	need 'originals "$tmp/kfn.out" | grep -q "^apps/v1	Deployment	-	web$"' "the Deployment web is gone" "$tmp/kfn.out"
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
	need '[ "$(objs "$tmp/kk.out" | cut -f 2,4 | sort | tr "\t\n" "/ ")" = "Deployment/web Service/web " ]' \
		"kubectl kustomize output is not exactly app.yaml's objects" "$tmp/kk.out"
	PATH=$tmp/bin-spy:$PATH timeout "$T" "$KUBECTL" kustomize "$KFN" > /dev/null 2> "$tmp/kk2.err"
	rc=$?
	need '[ $rc != 0 ] && grep -q "external plugins disabled" "$tmp/kk2.err"' "kubectl kustomize without --enable-alpha-plugins: exit $rc, want an 'external plugins disabled' error" "$tmp/kk2.err"
	report "kustomize-fn: kubectl kustomize silently skips the exec function"
else
	skip "kustomize-fn kubectl check" "no kubectl"
fi
