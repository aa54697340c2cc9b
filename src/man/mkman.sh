#!/bin/sh
# mkman.sh - the man page registry-addon(1), in roff on stdout, from the binary's own
# --help and --version (NAME, OPTIONS, CONFIGURATION, EXIT STATUS, the environment
# variables it names) plus the hand-written prose below. usage: mkman.sh BIN
# SOURCE_DATE_EPOCH, when set, dates the page; otherwise it carries no date.
# Fails (status 1, nothing useful on stdout) when --help is not in the shape it knows.
set -eu
export LC_ALL=C
[ $# = 1 ] || { echo "usage: mkman.sh BIN" >&2; exit 2; }
bin=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$bin" --help > "$tmp/help"
"$bin" --version > "$tmp/version"
date=
[ -n "${SOURCE_DATE_EPOCH:-}" ] && date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)

# hand-written prose: one roff text line per line (the escaping below applies to it too;
# a line "=SH NAME" is a section head, "=PP" a paragraph, "=TP" a tagged paragraph whose
# tag is the next line, "=EX"/"=EE" a verbatim example, its indentation kept)
cat > "$tmp/prose" <<'PROSE'
=SH DESCRIPTION
registry-addon reads rendered Kubernetes manifests from FILE (standard input when there is none, or
it is \-) and writes them back with an
in-cluster, highly available OCI registry mirror added: a StatefulSet of Distribution registries
with a regsync sidecar, their Services, TLS identity (cert-manager or generated in-process) and a
DaemonSet that makes every node trust and use the mirror. One binary serves every pipeline:
=TP
Stream mode
Any YAML stream, for example the output of helm template. Untouched documents come out as their
original bytes (comments, quoting and order kept); the generated objects follow, in Helm's install
order. Empty input gives the add-on alone.
=TP
KRM mode
Exactly one document of kind ResourceList (kpt fn eval \-\-exec, kustomize). The configuration
comes from its functionConfig: a RegistryAddon document or a ConfigMap whose data keys are the
configuration PATHs. The output is a ResourceList with results; on an error the items come back
unchanged with an error result and exit status 1.
=TP
Legacy kustomize exec plugin
kustomize runs the binary with KUSTOMIZE_PLUGIN_CONFIG_ROOT set; then the argument is the
configuration file kustomize wrote (not the input), and a relative tls.caCertFile or
tls.caKeyFile in it is read from KUSTOMIZE_PLUGIN_CONFIG_ROOT, the kustomization directory.
=TP
Helm post-renderer
Helm 3 runs the binary given to \-\-post-renderer (options through \-\-post-renderer-args).
Helm 4 runs a plugin of type postrenderer/v1 by name: install the plugin directory or tarball
with helm plugin install, then pass \-\-post-renderer registry-addon. Helm 4 discards a
post-renderer's standard error, so use \-\-log-file or REGISTRY_ADDON_LOG there.
=PP
Configuration sources, later wins: the defaults, \-\-config FILE (or the legacy first argument),
the functionConfig, \-\-set. Unknown fields are errors, which name the closest known field.
A relative tls.caCertFile or tls.caKeyFile is read from the directory of the configuration file
that sets it; given by \-\-set or a functionConfig, from the working directory. Generated objects carry the label
app.kubernetes.io/part-of: registry-addon; a second run replaces them, never duplicates them.
=PP
Limits: time stays linear in the size of the input and memory a multiple of it. Before the YAML
parser reads a byte, the input is checked for nesting deeper than 256 levels, more than 100
directives before one document (parsers take time quadratic in them), a scalar longer than
--max-scalar-bytes, a line of more tokens than --max-line-tokens (the parser keeps a line's tokens in
memory), and runs of indicators with no value between them; while it is read, for a mapping of more
keys than --max-mapping-keys, more documents (or ResourceList items) than --max-documents, and an
object whose annotations take more than --max-annotation-bytes. Each is an error at its line:col that
names the limit and the option that raises it. A list of strings in the configuration holds at most 1000 entries.
PROSE

cat > "$tmp/examples" <<'PROSE'
=SH EXAMPLES
=PP
Add the registry to a chart's manifests, with three replicas:
=EX
helm template app ./chart | registry-addon --config addon.yaml --set registry.replicas=3
=EE
=PP
Helm 3, the binary as post-renderer:
=EX
helm install app ./chart --post-renderer /usr/local/bin/registry-addon \e
    --post-renderer-args --set --post-renderer-args namespace=mirror
=EE
=PP
Helm 4, the plugin (a tarball without a .prov file needs --verify=false):
=EX
helm plugin install registry-addon-VERSION.tgz --verify=false
helm install app ./chart --post-renderer registry-addon
=EE
=PP
A KRM function run by kpt:
=EX
kpt fn eval PKG --exec registry-addon -- namespace=mirror registry.replicas=3
=EE
=PP
Start from the full default configuration:
=EX
registry-addon --print-defaults > addon.yaml
=EE
=PP
The configuration a file and --set give, and a schema to check such files with:
=EX
registry-addon --config addon.yaml --set registry.replicas=3 --print-config
registry-addon --schema > registry-addon.schema.json
=EE
=PP
Shell completion, for bash (zsh: the same with zsh):
=EX
source <(registry-addon --completion bash)
=EE
PROSE

# the environment variables --help names, with what the page says of them
cat > "$tmp/envdoc" <<'PROSE'
KUSTOMIZE_PLUGIN_CONFIG_ROOT	Set by kustomize for a legacy exec plugin: the first argument is then the configuration file kustomize wrote, and relative file paths in it are read from this directory.
REGISTRY_ADDON_LOG	When set and not empty, and no \-\-log-file is given: a file that diagnostics are appended to, as well as standard error.
PROSE

awk -v version_file="$tmp/version" -v date="$date" -v prose="$tmp/prose" -v examples="$tmp/examples" \
	-v envdoc="$tmp/envdoc" '
function die(msg) { print "mkman.sh: --help: " msg > "/dev/stderr"; failed = 1; exit 1 }
# esc(s): s as roff text (backslashes, hyphens as minus signs, a leading control character)
function esc(s) {
	if (s ~ /[^\t -~]/)
		die("non-ASCII or control character in: " s)
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	sub(/^[ \t]+/, "", s)
	if (substr(s, 1, 1) == "." || substr(s, 1, 1) == "\047")
		s = "\\&" s
	return s
}
# the prose files: esc() without touching the \- and \e they already hold
function prose_line(s) {
	if (s ~ /^=SH /) { print ".SH " substr(s, 5); return }
	if (s == "=PP" || s == "=TP") { print "." substr(s, 2); return }
	if (s == "=EX") { print ".PP\n.RS 4\n.nf"; verbatim = 1; return }
	if (s == "=EE") { print ".fi\n.RE"; verbatim = 0; return }
	gsub(/\\-/, "-", s); gsub(/\\e/, "\\", s)
	if (verbatim && match(s, /^ +/))	# keep the indentation (no fill in .nf)
		print "\\&" substr(s, 1, RLENGTH) esc(substr(s, RLENGTH + 1))
	else
		print esc(s)
}
function cat_prose(f,   l) { while ((getline l < f) > 0) prose_line(l); close(f) }
# an option synopsis: the options bold, their arguments italic
function optsyn(s,   n, w, i, out, comma) {
	sub(/^ +/, "", s)
	sub(/ +$/, "", s)
	n = split(s, w, / +/)
	for (i = 1; i <= n; i++) {
		if (w[i] ~ /^-/) {
			comma = sub(/,$/, "", w[i])
			out = out (i > 1 ? " " : "") "\\fB" esc(w[i]) "\\fR" (comma ? "," : "")
		} else {
			out = out " \\fI" esc(w[i]) "\\fR"
		}
	}
	return out
}
NR == 1 {
	if ($0 !~ /^registry-addon [^ :]+: /)
		die("first line is not \"registry-addon VERSION: summary\"")
	sub(/^registry-addon [^ :]+: /, "")
}
section == "" && /^$/ && !intro_done { intro_done = 1; next }
!intro_done { summary = summary (summary == "" ? "" : " ") $0; next }
/^usage:$/ { section = "usage"; next }
/^options:$/ { section = "options"; next }
/^exit status: / { section = "exit"; exitline = $0; next }
/^configuration fields/ { section = "fields"; next }
/^$/ { if (section != "fields") section = "between"; next }
{
	for (s = $0; match(s, /\$[A-Z][A-Z0-9_]*/); s = substr(s, RSTART + RLENGTH))
		envs[substr(s, RSTART + 1, RLENGTH - 1)] = 1
}
section == "options" {
	# (no interval expressions: mawk before 2020 lacks them)
	match($0, /^ */)
	if (RLENGTH < 8 && substr($0, RLENGTH + 1, 1) == "-") {
		if (!match($0, /[^ ]  +[^ ]/))
			die("option line without a description: " $0)
		nopt++
		optname[nopt] = substr($0, 1, RSTART)
		optdesc[nopt] = esc(substr($0, RSTART + RLENGTH - 1))
	} else if (RLENGTH >= 8 && $0 ~ /[^ ]/ && nopt) {
		optdesc[nopt] = optdesc[nopt] "\n" esc($0)
	} else {
		die("unexpected line in options: " $0)
	}
	next
}
section == "exit" { exitmore = exitmore "\n" esc($0); next }
section == "fields" {
	match($0, /^ */)
	if (RLENGTH == 2 && $0 ~ /^  [A-Za-z][A-Za-z0-9.]*   *[^ ]/) {
		nf++
		fname[nf] = $1
		fdesc[nf] = esc(substr($0, length($1) + 3))
	} else if (RLENGTH >= 4 && $0 ~ /[^ ]/ && nf) {
		fdesc[nf] = fdesc[nf] "\n.br\n" esc($0)
	} else {
		die("unexpected line in configuration fields: " $0)
	}
	next
}
END {
	if (failed)
		exit 1
	getline vline < version_file
	if (vline !~ /^registry-addon [^ ]+$/)
		die("--version printed \"" vline "\", not \"registry-addon VERSION\"")
	split(vline, vw, " ")
	if (summary == "" || nopt == 0 || nf == 0 || exitline == "")
		die("missing the summary, the options, the exit status or the configuration fields")
	sub(/\.$/, "", summary)

	print ".\\\" generated by src/man/mkman.sh from registry-addon --help: do not edit"
	print ".TH REGISTRY\\-ADDON 1 \"" date "\" \"registry\\-addon " esc(vw[2]) "\" \"User Commands\""
	print ".nh"	# no hyphenation: option names and paths stay whole
	print ".SH NAME"
	print "registry\\-addon \\- " esc(summary)
	print ".SH SYNOPSIS"
	print "\\fBregistry\\-addon\\fR [\\fIOPTION\\fR]... [\\fIFILE\\fR | \\fB\\-\\fR] > \\fIOUTPUT\\fR"
	print ".br"
	print "\\fBregistry\\-addon\\fR [\\fB\\-\\-config\\fR \\fIFILE\\fR] [\\fB\\-\\-set\\fR \\fIPATH\\fR=\\fIVALUE\\fR]... \\fB\\-\\-print\\-config\\fR"
	print ".br"
	print "\\fBregistry\\-addon\\fR \\fB\\-\\-print\\-defaults\\fR | \\fB\\-\\-schema\\fR | \\fB\\-\\-completion\\fR \\fISHELL\\fR | \\fB\\-\\-generate\\-ca\\fR \\fIDIR\\fR | \\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR"
	cat_prose(prose)

	print ".SH OPTIONS"
	for (i = 1; i <= nopt; i++) {
		print ".TP"
		print optsyn(optname[i])
		print optdesc[i]
	}

	print ".SH CONFIGURATION"
	print "A RegistryAddon document (\\fB\\-\\-config\\fR) holds these fields under \\fBspec\\fR;"
	print "\\fB\\-\\-set\\fR \\fIPATH\\fR=\\fIVALUE\\fR and a functionConfig ConfigMap name them by PATH."
	print "\\fBregistry\\-addon \\-\\-print\\-defaults\\fR prints them all with their defaults."
	for (i = 1; i <= nf; i++) {
		print ".TP"
		print "\\fB" esc(fname[i]) "\\fR"
		print fdesc[i]
	}

	print ".SH EXIT STATUS"
	s = exitline
	sub(/^exit status: */, "", s)
	sub(/\.$/, "", s)
	n = split(s, codes, /, */)
	for (i = 1; i <= n; i++) {
		if (!match(codes[i], /^[0-9]+ /))
			die("exit status entry \"" codes[i] "\" is not \"CODE meaning\"")
		print ".TP"
		print substr(codes[i], 1, RLENGTH - 1)
		print esc(substr(codes[i], RLENGTH + 1))
	}
	if (exitmore != "") {
		print ".PP"
		print substr(exitmore, 2)
	}

	print ".SH ENVIRONMENT"
	while ((getline l < envdoc) > 0) {
		split(l, ed, "\t")
		if (!(ed[1] in envs))
			die("documents $" ed[1] ", which --help no longer names")
		documented[ed[1]] = 1
		print ".TP"
		print ".B " esc(ed[1])
		prose_line(ed[2])
	}
	for (e in envs)
		if (!(e in documented))
			die("names $" e ": add it to the ENVIRONMENT section of src/man/mkman.sh")

	cat_prose(examples)
	print ".SH SEE ALSO"
	print ".BR helm (1),"
	print ".BR kubectl (1),"
	print "kpt (https://kpt.dev), kustomize (https://kustomize.io)"
}' "$tmp/help"
