#!/usr/bin/env bash
# Packaging: the version's single source (plugin.yaml), make install/uninstall (the binary, the kubectl plugin
# plugin/kubectl-registry_addon and the man page; PREFIX,
# DESTDIR, BINDIR, MANDIR), the man page generated from --help, make plugin (the Helm 4
# plugin directory and its reproducible tarball), and the real Helm 4 installing that
# tarball and post-rendering the demo chart. usage: tests/install.sh BUILD_DIR
# make runs with BUILD= a temp directory holding a copy of BUILD_DIR/registry-addon and -o on
# it: it packages exactly that binary, never rebuilds it, and leaves BUILD_DIR alone.
set -u
export LC_ALL=C
SUITE=install
[ $# = 1 ] && [ -x "$1/registry-addon" ] || { echo "usage: tests/install.sh BUILD_DIR (with registry-addon in it)" >&2; exit 2; }
build=$(cd "$1" && pwd)
cd "$(dirname "$0")/.." || exit 2
repo=$PWD
. tests/lib.sh
T=${TIMEOUT:-20}

b=$tmp/build
mkdir -p "$b"
cp -p "$build/registry-addon" "$b/registry-addon"
# mk ARGS...: make in the repo on the temp build, deaf to a calling make and to the caller's
# install variables
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u PREFIX -u DESTDIR -u BINDIR -u MANDIR \
		timeout 120 make --no-print-directory -C "$repo" -o "$b/registry-addon" BUILD="$b" "$@"
}
# files DIR: every non-directory under DIR, relative, sorted
files() { (cd "$1" && find . ! -type d | sort); }
mode() { stat -c %a "$1"; }

# ---------------------------------------------------------------- the version
yaml=plugin/registry-addon/plugin.yaml
v=$(sed -n 's/^version: *//p' "$yaml")
t "plugin.yaml has a semantic version ($v)" '[[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]]'
"$b/registry-addon" --version > "$tmp/version" 2>&1
t "--version prints 'registry-addon $v' (plugin.yaml's)" '[ "$(cat "$tmp/version")" = "registry-addon $v" ]' "$tmp/version"
t "src/opts.h defines no version of its own" '! grep -Eq "^#define REGISTRY_ADDON_VERSION" src/opts.h'
echo '#include "opts.h"' | ${CC:-cc} -fsyntax-only -Isrc -x c - > "$tmp/cc.out" 2>&1
rc=$?
t "a build without -DREGISTRY_ADDON_VERSION stops at opts.h's #error" '[ $rc != 0 ] && grep -q "#error.*REGISTRY_ADDON_VERSION" "$tmp/cc.out"' "$tmp/cc.out"

# a version change rebuilds main.o and opts.o, and make plugin names the tarball after it
tree=$tmp/tree
mkdir -p "$tree/plugin/registry-addon"
cp -pr Makefile src "$tree/"
objs=("$tree/b/src/main.o" "$tree/b/src/opts.o")
tmk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL timeout 120 make --no-print-directory -C "$tree" BUILD="$tree/b" "$@"; }
has() { local o; for o in "${objs[@]}"; do grep -aqF "$1" "$o" || return 1; done; }
sed "s/^version: .*/version: 9.8.7-test.1/" "$yaml" > "$tree/$yaml"
tmk "${objs[@]}" > "$tmp/tree.out" 2>&1
rc1=$?
sed "s/^version: .*/version: 9.8.8-test.2/" "$yaml" > "$tree/$yaml"
tmk "${objs[@]}" >> "$tmp/tree.out" 2>&1
rc2=$?
t "main.o and opts.o carry plugin.yaml's version and are rebuilt when it changes" \
	'[ $rc1 = 0 ] && [ $rc2 = 0 ] && has 9.8.8-test.2 && ! has 9.8.7-test.1' "$tmp/tree.out"
sed "s/^version: .*/version: latest/" "$yaml" > "$tree/$yaml"
tmk "${objs[@]}" > "$tmp/tree.out" 2>&1
rc=$?
t "make refuses a plugin.yaml version that is not semver" '[ $rc != 0 ] && grep -q "no semantic version" "$tmp/tree.out"' "$tmp/tree.out"

# ---------------------------------------------------------------- make install, uninstall
p=$tmp/prefix
mk install PREFIX="$p" DESTDIR= > "$tmp/make.out" 2>&1
rc=$?
printf './bin/kubectl-registry_addon\n./bin/registry-addon\n./share/man/man1/registry-addon.1\n' > "$tmp/want"
files "$p" > "$tmp/got" 2>&1
t "make install PREFIX installs exactly the binary, the kubectl plugin and the man page" '[ $rc = 0 ] && cmp -s "$tmp/want" "$tmp/got"' "$tmp/make.out" "$tmp/got"
t "modes: bin/registry-addon 755, bin/kubectl-registry_addon 755, man1/registry-addon.1 644" \
	'[ "$(mode "$p/bin/registry-addon")" = 755 ] && [ "$(mode "$p/bin/kubectl-registry_addon")" = 755 ] &&
	 [ "$(mode "$p/share/man/man1/registry-addon.1")" = 644 ]'
t "the installed kubectl plugin is plugin/kubectl-registry_addon" 'cmp -s plugin/kubectl-registry_addon "$p/bin/kubectl-registry_addon"'
if command -v kubectl > /dev/null; then
	env PATH="$p/bin:$PATH" HOME="$tmp" kubectl plugin list > "$tmp/kp.out" 2>&1
	env PATH="$p/bin:$PATH" HOME="$tmp" kubectl registry-addon --help > "$tmp/kh.out" 2>&1
	rc=$?
	t "with BINDIR on PATH, kubectl lists the plugin and runs 'kubectl registry-addon --help'" \
		'grep -q "$p/bin/kubectl-registry_addon" "$tmp/kp.out" && [ $rc = 0 ] &&
		 grep -q "^usage: kubectl registry-addon status" "$tmp/kh.out"' "$tmp/kp.out" "$tmp/kh.out"
fi
"$p/bin/registry-addon" --version > "$tmp/v.out" 2>&1
t "the installed binary is the built one and prints version $v" \
	'cmp -s "$b/registry-addon" "$p/bin/registry-addon" && [ "$(cat "$tmp/v.out")" = "registry-addon $v" ]' "$tmp/v.out"
mk uninstall PREFIX="$p" DESTDIR= > "$tmp/make.out" 2>&1
rc=$?
t "make uninstall removes all three" '[ $rc = 0 ] && [ -z "$(files "$p")" ]' "$tmp/make.out"

d=$tmp/dest
mk install DESTDIR="$d" PREFIX=/usr > "$tmp/make.out" 2>&1
rc=$?
printf './usr/bin/kubectl-registry_addon\n./usr/bin/registry-addon\n./usr/share/man/man1/registry-addon.1\n' > "$tmp/want"
files "$d" > "$tmp/got" 2>&1
t "make install DESTDIR=D PREFIX=/usr stages under D" '[ $rc = 0 ] && cmp -s "$tmp/want" "$tmp/got"' "$tmp/make.out" "$tmp/got"
mk uninstall DESTDIR="$d" PREFIX=/usr > "$tmp/make.out" 2>&1
t "make uninstall DESTDIR=D PREFIX=/usr removes them" '[ -z "$(files "$d")" ]' "$tmp/make.out"

o=$tmp/other
mk install DESTDIR="$o" BINDIR=/opt/ra/sbin MANDIR=/opt/ra/man > "$tmp/make.out" 2>&1
rc=$?
printf './opt/ra/man/man1/registry-addon.1\n./opt/ra/sbin/kubectl-registry_addon\n./opt/ra/sbin/registry-addon\n' > "$tmp/want"
files "$o" > "$tmp/got" 2>&1
t "BINDIR and MANDIR override the places" '[ $rc = 0 ] && cmp -s "$tmp/want" "$tmp/got"' "$tmp/make.out" "$tmp/got"

# ---------------------------------------------------------------- the man page
man=$b/registry-addon.1
"$b/registry-addon" --help > "$tmp/help"
t "make install built the man page" '[ -s "$man" ]'
groff -man -Tutf8 -ww -z "$man" > "$tmp/groff.err" 2>&1
rc=$?
t "groff -man -ww renders it without a warning" '[ $rc = 0 ] && [ ! -s "$tmp/groff.err" ]' "$tmp/groff.err"
if command -v man > /dev/null; then
	MANWIDTH=80 man --warnings -l "$man" > /dev/null 2> "$tmp/man.err"
	t "man --warnings -l renders it without a warning" '[ ! -s "$tmp/man.err" ]' "$tmp/man.err"
fi
# the page as plain text, one line, blanks squeezed
render() { groff -man -Tascii -P-cbou -rLL=150n "$1" 2> /dev/null | tr -s ' \n' '  '; }
render "$man" > "$tmp/text"
missing=
for s in NAME SYNOPSIS DESCRIPTION OPTIONS CONFIGURATION "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO"; do
	grep -qx "\.SH $s" "$man" || missing="$missing [$s]"
done
t "sections NAME ... SEE ALSO${missing:+ (missing:$missing)}" '[ -z "$missing" ]'
t "the header names registry-addon $v" 'grep -qF "registry-addon $v" "$tmp/text"'

# every option and every configuration field --help lists, with every word of its text
# (parsed here on its own: the option lines start with "-" within 8 columns, the field
# lines are "  NAME  TYPE, default ..."; both continue on deeper-indented lines)
awk '
	/^options:$/ { s = "o"; next }
	/^configuration fields/ { s = "f"; next }
	/^$/ { if (s == "o") s = ""; next }
	s == "o" && /^ ? ? ? ? ? ?-/ { if (cur != "") print cur; cur = $0; next }
	s == "f" && /^  [A-Za-z]/ { if (cur != "") print cur; cur = $0; next }
	s != "" && cur != "" { cur = cur " " $0 }
	END { if (cur != "") print cur }' "$tmp/help" | tr -s ' ' > "$tmp/entries"
nopt=$(grep -c '^ -' "$tmp/entries")
nfield=$(grep -vc '^ -' "$tmp/entries")
missing=
while IFS= read -r e; do
	grep -qF -- "$e" "$tmp/text" || missing="$missing [${e:1:40}...]"
done < "$tmp/entries"
t "all $nopt options and $nfield configuration fields of --help are in it, word for word${missing:+ (not:$missing)}" \
	'[ "$nopt" -ge 8 ] && [ "$nfield" -ge 40 ] && [ -z "$missing" ]'
missing=
for f in --config --set --log-file --print-defaults --generate-ca --max-input-bytes --help --version; do
	grep -qE -- "^ *(-[a-z], )?$f( |$)" "$tmp/help" || missing="$missing $f"
done
t "(cross-check: --help still lists the flags the parse above must find)" '[ -z "$missing" ]'
awk '/^\.SH EXIT STATUS/ { s = 1; next } /^\.SH/ { s = 0 } s && /^\.TP$/ { getline; print }' "$man" | tr '\n' ' ' > "$tmp/codes"
t "EXIT STATUS lists 0, 1 and 2" '[ "$(cat "$tmp/codes")" = "0 1 2 " ]' "$tmp/codes"
envs=$(grep -o '\$[A-Z][A-Z0-9_]*' "$tmp/help" | sort -u | tr -d '$')
missing=
for e in $envs REGISTRY_ADDON_LOG; do
	awk '/^\.SH ENVIRONMENT/ { s = 1; next } /^\.SH/ { s = 0 } s' "$man" | grep -q "$e" || missing="$missing $e"
done
t "ENVIRONMENT documents${missing:+ (not:$missing)} REGISTRY_ADDON_LOG and every \$VAR of --help" '[ -z "$missing" ]'
grep -v '^\.\\"' "$man" | grep -nE '(^|[^\\])-' > "$tmp/hyphens"
t "every hyphen is written \\- (copy-paste safe)" '[ ! -s "$tmp/hyphens" ]' "$tmp/hyphens"
t "SEE ALSO: helm(1), kubectl(1), kpt" 'grep -q "helm(1)" "$tmp/text" && grep -q "kubectl(1)" "$tmp/text" && grep -q "kpt" "$tmp/text"'

# the generator escapes roff's specials and refuses a --help it does not understand
fake=$tmp/fake
{
	echo '#!/bin/sh'
	echo 'if [ "$1" = --version ]; then echo "registry-addon 1.2.3"; exit 0; fi'
	echo 'cat << "EOF"'
	cat "$tmp/help"
	printf '  zz.special                         string, default \\n\n'
	printf "                                     .dot at the start\n"
	printf "                                     'quote at the start, a \\\\backslash, \\\\fBno bold\\\\fR, \\\\-\n"
	echo 'EOF'
} > "$fake"
chmod +x "$fake"
sh src/man/mkman.sh "$fake" > "$tmp/fake.1" 2> "$tmp/fake.err"
rc=$?
groff -man -Tutf8 -ww -z "$tmp/fake.1" >> "$tmp/fake.err" 2>&1
want=" zz.special string, default \\n .dot at the start 'quote at the start, a \\backslash, \\fBno bold\\fR, \\- "
t "roff specials in --help (leading . and ', backslashes) come out as written" \
	'[ $rc = 0 ] && [ ! -s "$tmp/fake.err" ] && render "$tmp/fake.1" | grep -qF -- "$want"' "$tmp/fake.err"
printf '#!/bin/sh\necho "registry-addon 1.2.3"\n' > "$fake"
sh src/man/mkman.sh "$fake" > /dev/null 2> "$tmp/fake.err"
rc=$?
t "a --help of an unknown shape fails the generator" '[ $rc != 0 ] && [ -s "$tmp/fake.err" ]' "$tmp/fake.err"
{ printf '#!/bin/sh\nif [ "$1" = --version ]; then echo "registry-addon 1.2.3"; exit 0; fi\ncat << "EOF"\n'
  sed 's/^  namespace  /  namespace  \xc3\xa9 /' "$tmp/help"; echo EOF; } > "$fake"
sh src/man/mkman.sh "$fake" > /dev/null 2> "$tmp/fake.err"
rc=$?
t "a non-ASCII --help fails the generator (groff would warn)" '[ $rc != 0 ] && grep -q "non-ASCII" "$tmp/fake.err"' "$tmp/fake.err"
{ printf '#!/bin/sh\nif [ "$1" = --version ]; then echo "registry-addon 1.2.3"; exit 0; fi\ncat << "EOF"\n'
  sed 's/also \$REGISTRY_ADDON_LOG/also $REGISTRY_ADDON_LOG or $REGISTRY_ADDON_NEW/' "$tmp/help"; echo EOF; } > "$fake"
sh src/man/mkman.sh "$fake" > /dev/null 2> "$tmp/fake.err"
rc=$?
t "a new \$VAR in --help fails the generator until ENVIRONMENT documents it" \
	'[ $rc != 0 ] && grep -q "REGISTRY_ADDON_NEW" "$tmp/fake.err"' "$tmp/fake.err"

# ---------------------------------------------------------------- make plugin
mk plugin > "$tmp/make.out" 2>&1
rc=$?
pd=$b/plugin/registry-addon
tgz=$b/registry-addon-$v.tgz
printf './bin/kubectl-registry_addon\n./bin/registry-addon\n./plugin.yaml\n' > "$tmp/want"
files "$pd" > "$tmp/got" 2>&1
t "make plugin: $pd holds exactly plugin.yaml, bin/registry-addon and bin/kubectl-registry_addon" \
	'[ $rc = 0 ] && cmp -s "$tmp/want" "$tmp/got" && [ -z "$(cd "$pd" && find . -type d ! -name . ! -name bin)" ]' "$tmp/make.out" "$tmp/got"
t "they are plugin.yaml (644), the binary (755) and the kubectl plugin (755)" \
	'cmp -s "$yaml" "$pd/plugin.yaml" && cmp -s "$b/registry-addon" "$pd/bin/registry-addon" &&
	 cmp -s plugin/kubectl-registry_addon "$pd/bin/kubectl-registry_addon" &&
	 [ "$(mode "$pd/plugin.yaml")" = 644 ] && [ "$(mode "$pd/bin/registry-addon")" = 755 ] &&
	 [ "$(mode "$pd/bin/kubectl-registry_addon")" = 755 ]'
tar -tvzf "$tgz" > "$tmp/tv" 2>&1
awk '{ print $NF }' "$tmp/tv" | sort > "$tmp/got"
printf 'registry-addon/\nregistry-addon/bin/\nregistry-addon/bin/kubectl-registry_addon\nregistry-addon/bin/registry-addon\nregistry-addon/plugin.yaml\n' > "$tmp/want"
t "registry-addon-$v.tgz holds exactly registry-addon/{,plugin.yaml,bin/,bin/registry-addon,bin/kubectl-registry_addon}" 'cmp -s "$tmp/want" "$tmp/got"' "$tmp/tv"
t "in it: owner 0/0, the binary -rwxr-xr-x, plugin.yaml -rw-r--r--, directories drwxr-xr-x" \
	'awk "\$2 != \"0/0\" { exit 1 }" "$tmp/tv" &&
	 grep -q "^-rwxr-xr-x .* registry-addon/bin/registry-addon$" "$tmp/tv" &&
	 grep -q "^-rwxr-xr-x .* registry-addon/bin/kubectl-registry_addon$" "$tmp/tv" &&
	 grep -q "^-rw-r--r-- .* registry-addon/plugin.yaml$" "$tmp/tv" && [ "$(grep -c "^drwxr-xr-x " "$tmp/tv")" = 2 ]' "$tmp/tv"
mkdir -p "$tmp/x"
tar -xzf "$tgz" -C "$tmp/x"
t "its binary, kubectl plugin and plugin.yaml are the built ones" \
	'cmp -s "$b/registry-addon" "$tmp/x/registry-addon/bin/registry-addon" && cmp -s "$yaml" "$tmp/x/registry-addon/plugin.yaml" &&
	 cmp -s plugin/kubectl-registry_addon "$tmp/x/registry-addon/bin/kubectl-registry_addon"'
# a second build from scratch, with a new binary mtime and another umask, gives the same bytes;
# so does one over a staging directory whose modes were changed
cp "$tgz" "$tmp/first.tgz"
rm -rf "$b/plugin" "$tgz"
touch "$b/registry-addon"
(umask 077 && mk plugin) > "$tmp/make.out" 2>&1
t "two builds of the tarball are byte-identical (another mtime and umask)" 'cmp -s "$tmp/first.tgz" "$tgz"' "$tmp/make.out"
chmod 0700 "$pd" "$pd/bin"
chmod 0600 "$pd/plugin.yaml"
rm -f "$tgz"
mk plugin > "$tmp/make.out" 2>&1
t "... and over a staging directory of other modes" 'cmp -s "$tmp/first.tgz" "$tgz"' "$tmp/make.out"

# plugin.yaml: Helm 4's strict apiVersion v1 loader (internal/plugin/metadata_v1.go)
keys=$(grep -E '^[^ #-][^:]*:' "$yaml" | sed 's/:.*//' | sort | tr '\n' ' ')
extra=
for k in $keys; do
	case $k in apiVersion|type|name|version|runtime|sourceURL|config|runtimeConfig) ;; *) extra="$extra $k" ;; esac
done
t "plugin.yaml has only fields Helm 4's v1 loader knows${extra:+ (not:$extra)}" '[ -z "$extra" ]'
name=$(sed -n 's/^name: *//p' "$yaml")
t "plugin.yaml: apiVersion v1, type postrenderer/v1, runtime subprocess" \
	'grep -qx "apiVersion: v1" "$yaml" && grep -qx "type: postrenderer/v1" "$yaml" && grep -qx "runtime: subprocess" "$yaml"'
t "plugin.yaml: name '$name' matches ^[A-Za-z0-9_-]+\$, the folder and the tarball" \
	'[[ $name =~ ^[A-Za-z0-9_-]+$ ]] && [ "$name" = registry-addon ] && [ -f "$b/$name-$v.tgz" ]'
t "plugin.yaml's command is \${HELM_PLUGIN_DIR}/bin/registry-addon" 'grep -q "command: \${HELM_PLUGIN_DIR}/bin/registry-addon$" "$yaml"'

# ---------------------------------------------------------------- the real Helm 4
HELM4=
eval "$(tests/tools.sh env 2> "$tmp/tools.err")"
h4() {
	env -u HELM_PLUGINS HELM_DATA_HOME="$tmp/helm/data" HELM_CONFIG_HOME="$tmp/helm/config" \
		HELM_CACHE_HOME="$tmp/helm/cache" timeout "$T" "$HELM4" "$@"
}
if [ -x "${HELM4:-}" ]; then
	h4 plugin install "$tgz" > "$tmp/h.out" 2>&1
	rc=$?
	h4 plugin list > "$tmp/list.out" 2>&1
	t "helm4 plugin install TGZ without --verify=false is refused (no .prov file)" \
		'[ $rc != 0 ] && grep -q "prov" "$tmp/h.out" && ! grep -q "^registry-addon" "$tmp/list.out" &&
		 [ ! -e "$tmp/helm/data/plugins/registry-addon" ]' "$tmp/h.out" "$tmp/list.out"
	h4 plugin install "$tgz" --verify=false > "$tmp/h.out" 2>&1
	rc=$?
	t "helm4 plugin install registry-addon-$v.tgz --verify=false" '[ $rc = 0 ]' "$tmp/h.out"
	h4 plugin list > "$tmp/list.out" 2>&1
	t "helm4 plugin list: registry-addon $v postrenderer/v1" \
		'grep -Eq "^registry-addon[[:space:]]+${v//./[.]}[[:space:]]+postrenderer/v1[[:space:]]" "$tmp/list.out" &&
		 ! grep -qi "warn\|error" "$tmp/list.out"' "$tmp/list.out"
	h4 template demo chart/ > "$tmp/plain.yaml" 2> "$tmp/plain.err"
	h4 template demo chart/ --post-renderer registry-addon > "$tmp/out.yaml" 2> "$tmp/out.err"
	rc=$?
	# "KIND NAME" of every document
	objects() { awk '/^---/ { k = "" } /^kind: / { k = $2 } k != "" && /^  name: / { print k, $2; k = "" }' "$1" | sort; }
	objects "$tmp/plain.yaml" | grep '^Deployment ' > "$tmp/deploys"
	objects "$tmp/out.yaml" > "$tmp/objects"
	t "helm4 template demo chart/ --post-renderer registry-addon: StatefulSet registry and the chart's Deployment" \
		'[ $rc = 0 ] && grep -qx "StatefulSet registry" "$tmp/objects" && [ -s "$tmp/deploys" ] &&
		 ! grep -vxFf "$tmp/objects" "$tmp/deploys"' "$tmp/out.err" "$tmp/plain.err"
	h4 plugin uninstall registry-addon > "$tmp/h.out" 2>&1
	rc=$?
	h4 plugin list > "$tmp/list.out" 2>&1
	t "helm4 plugin uninstall registry-addon" '[ $rc = 0 ] && ! grep -q "^registry-addon" "$tmp/list.out"' "$tmp/h.out"
else
	bad "tests/tools.sh provides Helm 4" "$tmp/tools.err"
fi

finish
