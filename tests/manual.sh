#!/usr/bin/env bash
# tests/manual.sh - README.md is the user manual: run its commands verbatim.
#
# Every fenced block in README.md preceded by a line `<!-- test: NAME -->` is extracted
# and run, as written, by bash (-e -o pipefail, so a failing command fails the block)
# in a sandbox: a copy of the repository (its tracked files and the built build/
# directory), HOME inside the sandbox (Helm, kustomize and `make install` write there),
# and a PATH whose `registry-addon` is BIN, whose `helm` is the real Helm 3.17 (Helm 4.1
# for blocks named helm4*), with the machine's kpt and kubectl. Then the check for NAME
# looks at what the block printed and wrote, and validates every object against the
# Kubernetes and cert-manager schemas. A block the checks expect but README.md lacks
# (or one README.md has but no check knows) fails, so the manual and this file move
# together. The configuration reference in README.md must be `BIN --help`'s list.
#
# The Day two kubectl blocks (day-two-*) run against the API server stand-in
# tests/apiserver/serve.mjs --write, started once here: a cluster with the namespaces default,
# kube-system, kube-public and cert-manager, and cert-manager's resources (KUBECONFIG points at it
# for those blocks only). They use the renders of block day-two (out/*.yaml) and the cluster state
# the blocks before them left: run one by one, each runs block day-two first in its sandbox, and
# they run in README order, so the stand-in holds what the earlier ones made. After each, the check
# reads the stand-in's objects (tests/schema/standin.mjs), and a request the stand-in does not
# support ("unsupported:" on its stderr) fails the block.
#
# usage: tests/manual.sh BIN
# Output: "ok - manual NAME" / "not ok - manual NAME" (+ indented reason), then
# "N passed, N failed"; exit 1 on any failure, 2 on a usage error.
set -u
export LC_ALL=C

. "$(dirname "$0")/e2e.sh"
e2e_args manual.sh "$@"
T=${TIMEOUT:-60} # seconds per block

tmp=$(mktemp -d) || exit 2
standin_pid=
trap '[ -z "$standin_pid" ] || kill "$standin_pid" 2>/dev/null; chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
SUITE=manual

# ---------------------------------------------------------------- the blocks
# blocks/NAME.sh for each `<!-- test: NAME -->` + fenced block; blocks/.names in order;
# blocks/.bad for a marker not followed by a fence or a name used twice
mkdir -p "$tmp/blocks"
awk -v dir="$tmp/blocks" '
	/^<!-- test: [a-z0-9-]+ -->$/ { name = $3; want = 1; next }
	want == 1 {
		want = 0
		if ($0 !~ /^```(sh|bash)$/) { print name ": the marker is not followed by a ```sh block" >> (dir "/.bad"); next }
		if (name in seen) { print name ": used twice" >> (dir "/.bad"); next }
		seen[name] = 1; print name >> (dir "/.names"); inblock = 1; next
	}
	inblock && /^```$/ { inblock = 0; close(dir "/" name ".sh"); next }
	inblock { print >> (dir "/" name ".sh") }
' README.md
touch "$tmp/blocks/.names"

# what this file checks, in README order
CHECKS="install pipe config-file addon-alone helm3 helm4 kpt-eval kpt-render kpt-pipe kustomize-legacy flux day-two \
day-two-apply day-two-replicas day-two-remove day-two-uninstall security"
need '[ ! -s "$tmp/blocks/.bad" ]' "malformed test markers in README.md" "$tmp/blocks/.bad"
printf '%s\n' $CHECKS | sort >"$tmp/want.names"
sort "$tmp/blocks/.names" >"$tmp/got.names"
need 'diff "$tmp/want.names" "$tmp/got.names" >"$tmp/names.diff"' "README.md's test blocks differ from the checks here (< checked here, > in README.md)" "$tmp/names.diff"
report "README.md has exactly the command blocks this test checks ($(wc -l <"$tmp/got.names"))"

# ---------------------------------------------------------------- the reference
"$BIN" --help | sed -n '/^configuration fields/,$p' >"$tmp/help.ref"
awk '/^<!-- reference: registry-addon --help -->$/ { want = 1; next }
	want == 1 && /^```text$/ { want = 2; next }
	want == 2 && /^```$/ { exit }
	want == 2 { print }' README.md >"$tmp/readme.ref"
need '[ -s "$tmp/help.ref" ]' "--help has no 'configuration fields' list"
need 'diff "$tmp/help.ref" "$tmp/readme.ref" >"$tmp/ref.diff"' "README.md's configuration reference is not --help's list (< --help, > README.md)" "$tmp/ref.diff"
report "the configuration reference in README.md is registry-addon --help's list"

# ---------------------------------------------------------------- the tools
eval "$(tests/tools.sh env 2>"$tmp/tools.err")" || true
need '[ -x "${HELM3:-}" ] && [ -x "${HELM4:-}" ]' "tests/tools.sh could not provide Helm 3 and Helm 4" "$tmp/tools.err"
need 'command -v kpt >/dev/null && command -v kubectl >/dev/null' "kpt or kubectl is not installed"
report "the real tools are there: Helm 3, Helm 4, kpt, kubectl"

# ---------------------------------------------------------------- the cluster (a stand-in)
mkdir -p "$tmp/cluster"
for ns in default kube-system kube-public cert-manager; do
	printf '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "%s"}}\n' "$ns"
done | paste -sd, - | sed 's/^/[/; s/$/]/' >"$tmp/cluster/objects.json"
echo '{"certManager": true}' >"$tmp/cluster/server.json"
: >"$tmp/standin.url"
: >"$tmp/standin.err"
node tests/apiserver/serve.mjs "$tmp/cluster" --write --log "$tmp/standin.requests" >"$tmp/standin.url" 2>>"$tmp/standin.err" </dev/null &
standin_pid=$!
for i in $(seq 50); do [ -s "$tmp/standin.url" ] && break; sleep 0.1; done
standin=$(head -n 1 "$tmp/standin.url")
printf '%s\n' "apiVersion: v1" "kind: Config" "clusters:" "- name: standin" "  cluster: {server: \"$standin\"}" \
	"contexts:" "- name: standin" "  context: {cluster: standin, user: nobody}" "current-context: standin" \
	"users:" "- name: nobody" "  user: {}" >"$tmp/kubeconfig"
need '[ -n "$standin" ]' "the API server stand-in did not start" "$tmp/standin.err"
report "the API server stand-in for the Day two blocks listens ($standin)"

# A pristine copy of what a user's checkout holds: the tracked files (or, without git,
# the directories a checkout has) and the build directory, times kept so make sees the
# build as up to date.
mkdir -p "$tmp/repo"
if git ls-files >"$tmp/files" 2>/dev/null && [ -s "$tmp/files" ]; then
	tar -cf - -T "$tmp/files" | tar -xf - -C "$tmp/repo"
else
	cp -pR Makefile README.md chart krm plugin src tests "$tmp/repo/"
fi
[ -d build ] && cp -pR build "$tmp/repo/"
# a git checkout of it, so "leaves the checkout clean" is what git status says (.gitignore applies)
gitclean=
if command -v git >/dev/null 2>&1 &&
	git -C "$tmp/repo" init -q && git -C "$tmp/repo" add -A &&
	git -C "$tmp/repo" -c user.name=manual -c user.email=manual@test -c commit.gpgsign=false commit -qm pristine; then
	gitclean=1
else
	echo "# not run: the clean-checkout checks (no git)"
fi
# clean DIR WHAT: git status in DIR shows nothing: every file a block made is ignored (out/, build/)
clean() {
	[ -n "$gitclean" ] || return 0
	git -C "$1" status --porcelain >"$S/status" 2>&1
	need '[ ! -s "$S/status" ]' "$2 left the checkout unclean (git status --porcelain)" "$S/status"
}

# run_block NAME: run the block in a fresh sandbox $S (CWD $S/repo); stdout in $S/out,
# stderr in $S/err, exit status in $rc
S= rc=
run_block() {
	local name=$1 helm=$HELM3
	S=$tmp/run/$name
	mkdir -p "$S/bin" "$S/home"
	cp -pR "$tmp/repo" "$S/repo"
	ln -s "$BIN" "$S/bin/registry-addon"
	case $name in helm4*) helm=$HELM4 ;; esac
	ln -s "$helm" "$S/bin/helm"
	kube "$name"
	case $name in day-two-*)
		# it uses block day-two's renders: that block first, in the same sandbox
		(cd "$S/repo" && env HOME="$S/home" PATH="$S/bin:$PATH" timeout "$T" bash -e -o pipefail "$tmp/blocks/day-two.sh") >"$S/pre.out" 2>&1 </dev/null
		rc=$?
		need '[ $rc = 0 ]' "block day-two, run first for its renders, exited $rc" "$S/pre.out"
		;;
	esac
	: >"$tmp/standin.err"
	(cd "$S/repo" && env -u HELM_DATA_HOME -u HELM_CONFIG_HOME -u HELM_CACHE_HOME -u HELM_PLUGINS \
		-u KUSTOMIZE_PLUGIN_HOME -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_CACHE_HOME \
		-u REGISTRY_ADDON_LOG -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u PREFIX -u DESTDIR HOME="$S/home" PATH="$S/bin:$PATH" \
		"${kubeenv[@]}" timeout "$T" bash -e -o pipefail "$tmp/blocks/$name.sh") >"$S/out" 2>"$S/err" </dev/null
	rc=$?
	need '[ $rc = 0 ]' "the block exited $rc" "$S/err"
	need '! grep -q "^unsupported:" "$tmp/standin.err"' "the block sent requests the API server stand-in does not support" "$tmp/standin.err"
	clean "$S/repo" "the block"
}
# kube NAME: kubeenv, the environment of block NAME: KUBECONFIG the stand-in's for day-two-*
kubeenv=()
kube() {
	case $1 in
	day-two-*) kubeenv=(KUBECONFIG="$tmp/kubeconfig") ;;
	*) kubeenv=(REGISTRY_ADDON_MANUAL=1) ;;
	esac
}
# held HOW FILE... WHY: the stand-in's objects against FILE (tests/schema/standin.mjs HOW)
# (need reads $why: not a local name here)
held() {
	local how=$1 reason=${!#} files=("${@:2:$#-2}")
	need 'node tests/schema/standin.mjs "$standin" "$how" "${files[@]}" >"$S/held.$how" 2>&1' "$reason" "$S/held.$how"
}

# replicas FILE N: our StatefulSet (registry) has N replicas
replicas() {
	awk '/^---/ { k = n = 0 } /^kind: StatefulSet$/ { k = 1 } /^  name: registry$/ { n = 1 }
		/^  replicas: / { r = $2 } k && n && r != "" { print r; exit } /^---/ { r = "" }' "$1" | grep -qx "$2"
}
# faithful PLAIN OUT: the chart's objects of PLAIN are in OUT, unchanged
faithful() {
	local a=$1 b=$2
	need '"$CHECK" fidelity "$a" "$b" >"$b.fid" 2>&1' "the chart's objects changed (yamlcheck fidelity $(basename "$a") $(basename "$b"))" "$b.fid"
}
# plain VERSION: helm VERSION template demo chart/ --namespace demo into $tmp/plainVERSION.yaml
plain() {
	[ -f "$tmp/plain$1.yaml" ] && return 0
	local h=$HELM3 v=$1
	[ "$v" = 4 ] && h=$HELM4
	HELM_DATA_HOME=$tmp/ph/data HELM_CONFIG_HOME=$tmp/ph/config HELM_CACHE_HOME=$tmp/ph/cache \
		"$h" template demo chart/ --namespace demo >"$tmp/plain$1.yaml" 2>"$tmp/plain$1.err"
	need '[ -s "$tmp/plain$v.yaml" ]' "plain helm$v template failed" "$tmp/plain$v.err"
}
# same_package PKG: the example package's files are in PKG byte for byte, and every
# other file of PKG is under registry-addon/
same_package() {
	local pkg=$1 f
	(cd krm/examples/kpt && find . -type f | sed 's|^\./||' | sort) >"$S/orig"
	while read -r f; do
		need 'cmp -s "krm/examples/kpt/$f" "$pkg/$f"' "the package's $f was changed or moved"
	done <"$S/orig"
	(cd "$pkg" && find . -type f | sed 's|^\./||' | sort) | grep -vxF -f "$S/orig" >"$S/new"
	need '[ -s "$S/new" ]' "no new files in the package"
	need '! grep -v "^registry-addon/" "$S/new" >"$S/stray"' "new files outside registry-addon/" "$S/stray"
}

# package_objects PKG: the objects of the package's YAML files but the Kptfile, one stream
package_objects() {
	local f
	for f in $(cd "$1" && find . -name '*.yaml' ! -name Kptfile | sort); do
		echo "---"
		cat "$1/$f"
	done
}


for name in $(cat "$tmp/blocks/.names"); do
	case " $CHECKS " in *" $name "*) ;; *) continue ;; esac
	run_block "$name"
	case $name in
	install)
		need '[ -x "$S/home/.local/bin/registry-addon" ]' "no \$HOME/.local/bin/registry-addon" "$S/err"
		need '[ -f "$S/home/.local/share/man/man1/registry-addon.1" ]' "no \$HOME/.local/share/man/man1/registry-addon.1" "$S/err"
		need 'grep -qx "registry-addon $(sed -n "s/^version: *//p" plugin/registry-addon/plugin.yaml)" "$S/out"' "--version does not print plugin.yaml's version" "$S/out"
		report "install: make install PREFIX=\$HOME/.local puts the binary and man page there, --version is plugin.yaml's"
		;;
	pipe | config-file)
		plain 3
		has_ours "$S/repo/out/demo.yaml" registry-system
		faithful "$tmp/plain3.yaml" "$S/repo/out/demo.yaml"
		if [ "$name" = config-file ]; then
			need '[ -s "$S/repo/out/config.yaml" ]' "no out/config.yaml"
			need 'replicas "$S/repo/out/demo.yaml" 3' "the StatefulSet does not have registry.replicas=3"
		fi
		schema_valid "$S/repo/out/demo.yaml"
		report "$name: demo.yaml holds the chart unchanged and the add-on, schema-valid"
		cp "$S/repo/out/demo.yaml" "$tmp/$name.yaml"
		;;
	addon-alone)
		has_ours "$S/repo/out/registry-addon.yaml" registry-system
		need '[ "$("$CHECK" docs "$S/repo/out/registry-addon.yaml" | wc -l)" = "$(expect_ours registry-system | wc -l)" ]' "objects other than ours in registry-addon.yaml"
		schema_valid "$S/repo/out/registry-addon.yaml"
		report "addon-alone: registry-addon < /dev/null gives the add-on alone, schema-valid"
		;;
	helm3 | helm4)
		v=${name#helm}
		plain "$v"
		has_ours "$S/repo/out/demo.yaml" registry-system
		need 'replicas "$S/repo/out/demo.yaml" 3' "the StatefulSet does not have registry.replicas=3" "$S/repo/out/demo.yaml"
		faithful "$tmp/plain$v.yaml" "$S/repo/out/demo.yaml"
		need 'grep -q "helm.sh/hook" "$S/repo/out/demo.yaml"' "the hooks are missing from helm's output"
		schema_valid "$S/repo/out/demo.yaml"
		if [ "$v" = 4 ]; then
			need 'tar -tzf "$S/repo/build/registry-addon-"*.tgz | grep -qx "registry-addon/plugin.yaml"' "make plugin made no tarball with registry-addon/plugin.yaml"
			need 'grep -q "^# Source: generated-by-postrender-" "$S/repo/out/demo.yaml"' "our objects are not filed as generated-by-postrender-N.yaml" "$S/repo/out/demo.yaml"
		fi
		report "$name: helm template --post-renderer gives the chart unchanged (hooks too) and the add-on with 3 replicas, schema-valid"
		;;
	kpt-eval)
		same_package "$S/repo/out/my-app"
		package_objects "$S/repo/out/my-app" >"$S/pkg.yaml"
		has_ours "$S/pkg.yaml" mirror
		need 'replicas "$S/repo/out/my-app/registry-addon/mirror/statefulset_registry.yaml" 3' "registry-addon/mirror/statefulset_registry.yaml does not have 3 replicas"
		need 'grep -qx "namespace_mirror.yaml" "$S/out"' "ls my-app/registry-addon does not list namespace_mirror.yaml" "$S/out"
		schema_valid "$S/pkg.yaml"
		report "kpt-eval: the package keeps its files, our objects are in registry-addon/, namespace mirror, schema-valid"
		;;
	kpt-render)
		same_package "$S/repo/out/my-render"
		package_objects "$S/repo/out/my-render" >"$S/pkg.yaml"
		has_ours "$S/pkg.yaml" registry-system
		schema_valid "$S/pkg.yaml"
		cp -R "$S/repo/out/my-render" "$S/my-render.1"
		(cd "$S/repo" && HOME=$S/home PATH=$S/bin:$PATH timeout "$T" kpt fn render out/my-render --allow-exec) >"$S/again" 2>&1
		rc=$?
		need '[ $rc = 0 ]' "a second render exited $rc" "$S/again"
		need 'diff -r "$S/my-render.1" "$S/repo/out/my-render" >"$S/again.diff" 2>&1' "a second render changed the package" "$S/again.diff"
		report "kpt-render: the Kptfile and app.yaml stay, our objects are in registry-addon/, a second render changes nothing"
		;;
	kpt-pipe)
		has_ours "$S/repo/out/demo.yaml" registry-system
		schema_valid "$S/repo/out/demo.yaml"
		if [ -f "$tmp/pipe.yaml" ]; then
			need 'node tests/schema/sameobjects.mjs "$tmp/pipe.yaml" "$S/repo/out/demo.yaml" >"$S/same" 2>&1' "helm template | kpt fn eval - --exec registry-addon differs from helm template | registry-addon" "$S/same"
		else
			need false "no output of the pipe block to compare with"
		fi
		report "kpt-pipe: helm template | kpt fn eval - --exec registry-addon -o unwrap agrees with the plain pipe, object for object"
		;;
	kustomize-legacy)
		need '[ -x "$S/home/.config/kustomize/plugin/registry-addon.dev/v1alpha1/registryaddon/RegistryAddon" ]' "the plugin is not in ~/.config/kustomize/plugin"
		has_ours "$S/out" registry-system
		need 'replicas "$S/out" 3' "the StatefulSet does not have the example's 3 replicas" "$S/out"
		need 'grep -q "^kind: Deployment" "$S/out"' "the example's Deployment is missing" "$S/out"
		schema_valid "$S/out"
		report "kustomize-legacy: kubectl kustomize --enable-alpha-plugins runs the plugin from ~/.config/kustomize/plugin, schema-valid"
		;;
	flux)
		app=$S/repo/out/clusters/demo/app.yaml
		plain 3
		has_ours "$app" registry-system
		need 'replicas "$app" 3' "the StatefulSet does not have registry.replicas=3"
		"$CHECK" docs "$app" | awk -F '\t' '$6 != 1 && $3 != "Namespace" && $4 != "demo"' >"$S/nons"
		need '[ ! -s "$S/nons" ]' "chart objects without namespace demo in clusters/demo/app.yaml" "$S/nons"
		"$CHECK" docs "$tmp/plain3.yaml" | awk -F '\t' '{ print $3, $5 }' | sort >"$S/chart.want"
		"$CHECK" docs "$app" | awk -F '\t' '$6 != 1 { print $3, $5 }' | sort >"$S/chart.got"
		need 'diff "$S/chart.want" "$S/chart.got" >"$S/chart.diff"' "the chart's objects differ from helm template's (< helm, > app.yaml)" "$S/chart.diff"
		schema_valid "$app"
		has_ours "$S/repo/out/clusters/registry-addon/registry-addon.yaml" registry-system
		cp "$app" "$S/app.1"
		(cd "$S/repo" && HOME=$S/home PATH=$S/bin:$PATH timeout "$T" bash -e -o pipefail "$tmp/blocks/flux.sh") >"$S/again" 2>&1
		rc=$?
		need '[ $rc = 0 ]' "a second run exited $rc" "$S/again"
		need 'cmp -s "$S/app.1" "$app"' "a second render gave other bytes"
		report "flux: render.sh writes the chart (namespace demo) and the add-on, schema-valid, the same bytes twice; --addon-only the add-on alone"
		;;
	day-two)
		has_ours "$S/repo/out/current.yaml" registry-system
		need 'replicas "$S/repo/out/current.yaml" 2 && replicas "$S/repo/out/replicas.yaml" 3' "out/current.yaml and out/replicas.yaml do not have 2 and 3 replicas"
		printf '%s\n' "out/current.yaml:  replicas: 2" "out/replicas.yaml:  replicas: 3" >"$S/want"
		need 'diff "$S/want" "$S/out" >"$S/out.diff"' "the replicas printed are not 2 then 3 (< expected, > printed)" "$S/out.diff"
		"$CHECK" docs "$S/repo/out/removed.yaml" | awk -F '\t' '{ print $3, $4, $5 }' >"$S/removed"
		printf '%s\n' "Namespace - registry-node-trust" "ResourceQuota registry-node-trust registry-addon-critical-pods" \
			"ServiceAccount registry-node-trust registry-node-trust" "ConfigMap registry-node-trust registry-node-trust" \
			"DaemonSet registry-node-trust registry-node-trust" >"$S/want.removed"
		need 'diff "$S/want.removed" "$S/removed" >"$S/removed.diff"' "the Removed render is not the node namespace and its clean-up DaemonSet (< expected, > out/removed.yaml)" "$S/removed.diff"
		schema_valid "$S/repo/out/current.yaml"
		schema_valid "$S/repo/out/replicas.yaml"
		schema_valid "$S/repo/out/removed.yaml"
		report "day-two: the current render, 3 replicas, and the Removed render (the node namespace and its clean-up DaemonSet only), schema-valid"
		;;
	day-two-apply)
		held has "$S/repo/out/current.yaml" "the cluster does not hold out/current.yaml's objects as rendered"
		report "day-two-apply: kubectl apply -f out/current.yaml: the cluster holds every object of it, as rendered"
		;;
	day-two-replicas)
		grep '^[-+]  replicas:' "$S/out" >"$S/printed"
		printf '%s\n' '-  replicas: 2' '+  replicas: 3' >"$S/want"
		need 'diff "$S/want" "$S/printed" >"$S/out.diff"' "kubectl diff did not show replicas 2 -> 3 (< expected, > printed)" "$S/out"
		held has "$S/repo/out/replicas.yaml" "the cluster does not hold out/replicas.yaml's objects as rendered"
		node tests/schema/standin.mjs "$standin" get StatefulSet registry-system registry >"$S/sts.json" 2>&1
		need 'grep -q "^  \"spec\": {\$" "$S/sts.json" && grep -qx "    \"replicas\": 3," "$S/sts.json"' "the StatefulSet registry does not have 3 replicas" "$S/sts.json"
		need 'grep -q "3 new pods have been updated\|rolling update complete 3 pods" "$S/out"' "kubectl rollout status did not report 3 pods" "$S/out"
		report "day-two-replicas: kubectl diff shows replicas 2 -> 3, the apply gives the StatefulSet 3 replicas, rollout status sees them"
		;;
	day-two-remove)
		held has "$S/repo/out/removed.yaml" "the cluster does not hold out/removed.yaml's objects as rendered"
		node tests/schema/standin.mjs "$standin" get ConfigMap registry-node-trust registry-node-trust >"$S/cm.json" 2>&1
		need 'grep -qF "\\nMODE='"'"'remove'"'"'\\n" "$S/cm.json"' "the node-trust ConfigMap does not say MODE='remove'" "$S/cm.json"
		need 'grep -qx "daemon set \"registry-node-trust\" successfully rolled out" "$S/out"' "kubectl rollout status did not say the DaemonSet rolled out" "$S/out"
		report "day-two-remove: the Removed apply puts the node-trust ConfigMap in remove mode (MODE='remove'), rollout status sees the DaemonSet rolled out"
		;;
	day-two-uninstall)
		held none "$S/repo/out/current.yaml" "$S/repo/out/replicas.yaml" "$S/repo/out/removed.yaml" "objects of ours are left in the cluster"
		need 'node tests/schema/standin.mjs "$standin" get Namespace - cert-manager >/dev/null 2>&1' "namespace cert-manager is gone too"
		report "day-two-uninstall: kubectl delete -f out/current.yaml and the root CA's Secret: nothing of ours is left, cert-manager's namespace stays"
		;;
	security)
		printf '%s\n' 'mirror.yml: :5000 read-only=true' 'mirror-writer.yml: 127.0.0.1:5010 read-only=false' \
			'own.yml: :5443 read-only=true' 'own-writer.yml: :5002 read-only=false' \
			'own-copy.yml: 127.0.0.1:5002 read-only=false' >"$S/want"
		need 'diff "$S/want" "$S/out" >"$S/out.diff"' "the instances printed are not the write model (< expected, > printed)" "$S/out.diff"
		need 'grep -q "^  htpasswd: " "$S/repo/out/registry-push.yaml"' "registry-push.yaml has no htpasswd key" "$S/repo/out/registry-push.yaml"
		need 'grep -Eq "^ci:\\\$2[aby]\\\$" "$S/repo/out/htpasswd"' "htpasswd holds no bcrypt entry for ci" "$S/repo/out/htpasswd"
		"$CHECK" docs "$S/repo/out/addon.yaml" | awk -F '\t' '$6 == 1 { print $3, $4, $5 }' >"$S/ours"
		need 'grep -qx "Certificate builds registry-ca" "$S/ours"' "no Certificate registry-ca in namespace builds" "$S/ours"
		need 'grep -q "path: /etc/registry-auth/htpasswd" "$S/repo/out/addon.yaml"' "own-writer.yml does not read the htpasswd file" "$S/repo/out/addon.yaml"
		schema_valid "$S/repo/out/addon.yaml"
		schema_valid "$S/repo/out/registry-push.yaml"
		report "security: the read-only instances and the writers as the README's table says, pushes locked to the Secret's bcrypt users, the CA issued into namespace builds, schema-valid"
		;;
	esac
done

# ---------------------------------------------------------------- in order
# The whole manual as a user runs it: every block in README order in one checkout and one HOME
# (each block in its own shell: what one exports does not reach the next), each must succeed, and
# the checkout is as clean at the end as at the start.
S=$tmp/run/all
mkdir -p "$S/bin" "$S/home"
cp -pR "$tmp/repo" "$S/repo"
ln -s "$BIN" "$S/bin/registry-addon"
seq_failed=
for name in $(cat "$tmp/blocks/.names"); do
	helm=$HELM3
	case $name in helm4*) helm=$HELM4 ;; esac
	ln -sfn "$helm" "$S/bin/helm"
	kube "$name"
	(cd "$S/repo" && env -u HELM_DATA_HOME -u HELM_CONFIG_HOME -u HELM_CACHE_HOME -u HELM_PLUGINS \
		-u KUSTOMIZE_PLUGIN_HOME -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_CACHE_HOME \
		-u REGISTRY_ADDON_LOG -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u PREFIX -u DESTDIR HOME="$S/home" PATH="$S/bin:$PATH" \
		"${kubeenv[@]}" timeout "$T" bash -e -o pipefail "$tmp/blocks/$name.sh") >"$S/$name.out" 2>"$S/$name.err" </dev/null ||
		{ seq_failed="$seq_failed $name"; cp "$S/$name.err" "$S/err"; }
done
need '[ -z "$seq_failed" ]' "in order in one checkout, these blocks failed:$seq_failed" "$S/err"
need '! grep -q "^unsupported:" "$tmp/standin.err"' "the blocks sent requests the API server stand-in does not support" "$tmp/standin.err"
held none "$S/repo/out/current.yaml" "$S/repo/out/replicas.yaml" "$S/repo/out/removed.yaml" "after the manual in order, objects of ours are left in the cluster"
clean "$S/repo" "the manual run in order"
report "every block in README order in one checkout ($(wc -l <"$tmp/blocks/.names") blocks): each succeeds, the checkout stays clean, the cluster holds nothing of ours at the end"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
