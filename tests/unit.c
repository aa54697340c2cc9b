/* unit.c - unit tests for the configuration (parsing, merging, validation),
 * plain-scalar resolution, the tree, the emitter's quoting and CIDR maths.
 * cmark-style: OK/STR_EQ print "Got/Expected" on failure; the last line is
 * "N passed, N failed". */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cfgfields.h"
#include "config.h"
#include "crypto.h"
#include "diag.h"
#include "emit.h"
#include "filter.h"
#include "host.h"
#include "images.h"
#include "input.h"
#include "limits.h"
#include "k8svalid.h"
#include "net.h"
#include "prescan.h"
#include "quantity.h"
#include "resource.h"
#include "selector.h"
#include "textpos.h"
#include "util.h"
#include "ydoc.h"
#include "ygate.h"
#include "ytext.h"
#include "yload.h"
#include "yquote.h"
#include "ytree.h"

#include "harness.h"



/* Runs fn with stderr silenced; returns how many errors it reported. */
static int
errors_of(int rc)
{
	int n = diag_error_count();

	diag_reset();
	return rc == 0 ? -n : n;
}

static void
test_defaults(void)
{
	struct config *c = config_new();

	OK(config_finish(c) == 0, "defaults are valid");
	STR_EQ(c->management_state, "Managed", "default managementState");
	STR_EQ(c->namespace, "registry-system", "default namespace");
	INT_EQ(c->registry.replicas, 2, "default replicas");
	STR_EQ(c->registry.service.cluster_ip, "10.96.0.20", "default ClusterIP is the 20th address");
	INT_EQ(c->registry.service.port, 443, "default port");
	OK(config_has(c, C_REGISTRY) && config_has(c, C_LOCALREGISTRYHOSTING), "default components on");
	OK(!config_has(c, C_WORKLOADSPREAD), "workloadSpread off by default");
	INT_EQ(c->sync.preload.n, 1, "preload default is [auto]");
	STR_EQ(c->sync.preload.v[0], "auto", "preload auto");
	STR_EQ(c->tls.ca_duration, "87600h", "caDuration default");
	OK(c->registry.resources && yis_map(c->registry.resources), "resources default is a mapping");
	STR_EQ(ymap_gets(ypath(c->registry.resources, "limits"), "memory"), "512Mi", "resources default limit");
	config_free(c);
}

static void
test_set(void)
{
	struct config *c = config_new();

	diag_set_quiet(1);
	OK(config_set(c, "registry.replicas=3") == 0, "--set int");
	INT_EQ(c->registry.replicas, 3, "--set int value");
	OK(config_set(c, "registry.hostnames=a.example, b.example") == 0, "--set comma list");
	INT_EQ(c->registry.hostnames.n, 2, "comma list length");
	STR_EQ(c->registry.hostnames.v[1], "b.example", "comma list trims spaces");
	OK(config_set(c, "registry.hostnames=[c.example]") == 0, "--set flow list");
	STR_EQ(c->registry.hostnames.v[0], "c.example", "flow list replaces");
	OK(config_set(c, "sync.preload=none") == 0, "--set preload none");
	INT_EQ(c->sync.preload.n, 0, "none is the empty list");
	OK(config_set(c, "registry.nodeSelector={kubernetes.io/os: linux}") == 0, "--set mapping");
	STR_EQ(ymap_gets(c->registry.node_selector, "kubernetes.io/os"), "linux", "mapping value");
	OK(config_set(c, "registry.storage.emptyDir=true") == 0 && c->registry.storage.empty_dir, "--set bool");
	INT_EQ(errors_of(config_set(c, "registry.replicas=0")), 1, "replicas 0 refused");
	INT_EQ(errors_of(config_set(c, "registry.replicas=101")), 1, "replicas above max refused");
	INT_EQ(errors_of(config_set(c, "registry.storage.emptyDir=yes")), 1, "bool must be true/false");
	INT_EQ(errors_of(config_set(c, "nope=1")), 1, "unknown path refused");
	INT_EQ(errors_of(config_set(c, "registry=1")), 1, "a group is not a field");
	INT_EQ(errors_of(config_set(c, "registry.image=nginx")), 1, "image without tag refused");
	INT_EQ(errors_of(config_set(c, "registry.image=nginx:latest")), 1, "latest refused");
	OK(config_set(c, "registry.image=r.example/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") == 0, "digest accepted");
	INT_EQ(errors_of(config_set(c, "registry.image=r.example/x@sha256:0123456789abcdef")), 1,
	       "a digest runtimes refuse (16 hex digits) refused");
	INT_EQ(errors_of(config_set(c, "registry.image=r.example/x@md5:0123456789abcdef0123456789abcdef")), 1,
	       "a digest algorithm runtimes do not know refused");
	INT_EQ(errors_of(config_set(c, "components=registry,registry")), 1, "duplicate component refused");
	INT_EQ(errors_of(config_set(c, "tls.notBefore=2026-13")), 1, "bad RFC 3339 refused");
	OK(config_set(c, "tls.notBefore=2026-01-01T00:00:00Z") == 0, "RFC 3339 accepted");
	OK(config_set(c, "tls.renewBefore=1h30m") == 0, "compound duration accepted");
	INT_EQ(errors_of(config_set(c, "tls.renewBefore=0s")), 1, "zero duration refused");
	INT_EQ(errors_of(config_set(c, "clusterDomain=Cluster.Local")), 1, "upper-case domain refused");
	diag_set_quiet(0);
	config_free(c);
}

static struct ynode *
parse(struct arena *a, const char *text)
{
	struct ynode *root = NULL;

	yload_one("<test>", text, strlen(text), a, &root);
	return root;
}

static void
test_objects(void)
{
	struct arena *a = arena_new();
	struct config *c = config_new();

	diag_set_quiet(1);
	OK(config_apply_object(c, parse(a, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
					    "data: {namespace: from-cm, registry.replicas: \"4\"}\n"),
			       "<t>", NULL, 0) == 0, "ConfigMap functionConfig");
	STR_EQ(c->namespace, "from-cm", "ConfigMap sets string");
	INT_EQ(c->registry.replicas, 4, "ConfigMap sets int from string data");
	OK(config_apply_object(c, parse(a, "apiVersion: registry-addon.dev/v1alpha1\nkind: RegistryAddon\n"
					    "metadata: {name: x}\nspec: {registry: {replicas: 5, storage: {size: 1Ti}}}\n"),
			       "<t>", NULL, 0) == 0, "typed functionConfig");
	INT_EQ(c->registry.replicas, 5, "later source wins");
	STR_EQ(c->namespace, "from-cm", "fields not set keep earlier values");
	STR_EQ(c->registry.storage.size, "1Ti", "nested group");
	OK(config_set(c, "registry.replicas=6") == 0 && c->registry.replicas == 6, "--set wins over document");
	INT_EQ(errors_of(config_apply_object(c, parse(a, "apiVersion: registry-addon.dev/v1alpha1\n"
		"kind: RegistryAddon\nspec: {registry: {replicas: \"3\"}, extra: 1}\n"), "<t>", NULL, 0)), 2,
	       "quoted int and unknown field are both reported");
	INT_EQ(errors_of(config_apply_object(c, parse(a, "apiVersion: v2\nkind: RegistryAddon\n"), "<t>", NULL, 0)),
	       1, "wrong apiVersion refused");
	INT_EQ(errors_of(config_apply_object(c, parse(a, "apiVersion: example.com/v1\nkind: Other\n"), "<t>", NULL, 0)),
	       1, "unknown functionConfig kind refused");
	INT_EQ(errors_of(config_apply_object(c, parse(a, "apiVersion: registry-addon.dev/v1alpha1\n"
		"kind: RegistryAddon\nstatus: {}\n"), "<t>", NULL, 0)), 1, "unknown top-level key refused");
	diag_set_quiet(0);
	config_free(c);
	arena_free(a);
}

static void
test_finish(void)
{
	struct config *c = config_new();

	diag_set_quiet(1);
	config_set(c, "registry.service.serviceCIDR=fd00:10:96::/108");
	OK(config_finish(c) == 0, "IPv6 CIDR");
	STR_EQ(c->registry.service.cluster_ip, "fd00:10:96::14", "IPv6 20th address");
	config_free(c);
	c = config_new();
	config_set(c, "registry.service.clusterIP=10.96.3.4");
	OK(config_finish(c) == 0, "explicit ClusterIP inside the CIDR");
	STR_EQ(c->registry.service.cluster_ip, "10.96.3.4", "explicit ClusterIP kept");
	config_free(c);
	c = config_new();
	config_set(c, "registry.service.clusterIP=fd00::1");
	INT_EQ(errors_of(config_finish(c)), 1, "IPv6 ClusterIP outside an IPv4 CIDR refused");
	config_free(c);
	c = config_new();
	config_set(c, "tls.mode=generate");
	INT_EQ(errors_of(config_finish(c)), 3, "generate mode names its three missing inputs");
	config_free(c);
	diag_set_quiet(0);
}

static void
test_resolve(void)
{
	static const struct {
		const char *s;
		enum yresolved r;
	} cases[] = {
		{ "5000", YR_INT }, { "0755", YR_INT }, { "0x1F", YR_INT }, { "-12", YR_INT }, { "1_000", YR_INT },
		{ "1e3", YR_FLOAT }, { "3.14", YR_FLOAT }, { ".inf", YR_FLOAT }, { "-.5", YR_FLOAT },
		{ "true", YR_BOOL }, { "yes", YR_BOOL }, { "Off", YR_BOOL }, { "y", YR_BOOL }, { "N", YR_BOOL },
		{ "", YR_NULL }, { "~", YR_NULL }, { "null", YR_NULL },
		{ "2026-01-01", YR_TIME }, { "v1", YR_STR }, { "1.2.3", YR_STR }, { "10Gi", YR_STR },
		{ "nginx:1.27", YR_STR }, { "yesterday", YR_STR }, { "-", YR_STR }, { ".", YR_STR },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "resolve \"%s\"", cases[i].s);
		INT_EQ(yresolve_plain(cases[i].s, strlen(cases[i].s)), cases[i].r, name);
	}
}

static void
test_emit(void)
{
	struct arena *a = arena_new();
	struct ynode *m = ynode_map(a);
	struct buf out = BUF_INIT;

	ymap_str(a, m, "port", "5000");
	ymap_str(a, m, "flag", "true");
	ymap_str(a, m, "mode", "0755");
	ymap_str(a, m, "ratio", "1e3");
	ymap_str(a, m, "empty", "");
	ymap_str(a, m, "text", "plain words");
	ymap_int(a, m, "n", 3);
	ymap_bool(a, m, "b", false);
	ymap_str(a, m, "script", "line 1\nline 2\n");
	ymap_str(a, m, "colon", "a: b");
	ymap_str(a, m, "port", "5001");	/* replaces, keeps position */
	OK(emit_yaml(&out, m) == 0, "emit");
	STR_EQ(buf_cstr(&out),
	       "port: \"5001\"\nflag: \"true\"\nmode: \"0755\"\nratio: \"1e3\"\nempty: \"\"\ntext: plain words\n"
	       "\"n\": 3\nb: false\nscript: |\n  line 1\n  line 2\ncolon: 'a: b'\n",
	       "strings (and keys: n reads as false in YAML 1.1) that read as other types are quoted; numbers are not");
	buf_free(&out);
	arena_free(a);
}

static void
test_tree(void)
{
	struct arena *a = arena_new();
	struct ynode *r = parse(a, "a: &x {b: [1, 2]}\nc: *x\nd: 'q'\n");
	long budget = 3;

	OK(yis_seq(ypath(r, "c.b")), "alias followed by ypath");
	INT_EQ(ypath(r, "c.b")->len, 2, "sequence length");
	OK(yis_string(ymap_get(r, "d")) && !yis_string(ypath(r, "a.b")->head), "string-ness");
	OK(ynode_copy(a, r, &budget) == NULL, "copy stops when the alias budget runs out");
	budget = 100;
	OK(ynode_equal(ynode_copy(a, r, &budget), r), "copy equals original");
	OK(ypath(r, "a.missing") == NULL && ypath(NULL, "a") == NULL, "missing paths are NULL");
	r = parse(a, "s: 'it''s'\nd: \"a\\nb\\u00e9\"\nl: |\n  x\n  y\n");
	STR_EQ(ymap_gets(r, "s"), "it's", "single-quoted escapes");
	STR_EQ(ymap_gets(r, "d"), "a\nb\xc3\xa9", "double-quoted escapes");
	STR_EQ(ymap_gets(r, "l"), "x\ny\n", "literal block");
	/* plain scalars on one line are read from the text, others from libfyaml */
	r = parse(a, "a: b c  # x\nt: b\tc\t\nh: b#c\nu: x:y\nf: {k: v w , l: [m:n, o]}\nm: one\n  two\r\n   three\n"
		     "e: \xc3\xa9 \xe2\x82\xac\n");
	STR_EQ(ymap_gets(r, "a"), "b c", "plain: inner blanks kept, trailing blanks and comment not");
	STR_EQ(ymap_gets(r, "t"), "b\tc", "plain: a tab inside kept, a trailing one not");
	STR_EQ(ymap_gets(r, "h"), "b#c", "plain: '#' not after a blank is text");
	STR_EQ(ymap_gets(r, "u"), "x:y", "plain: ':' not before a blank is text");
	STR_EQ(ymap_gets(ymap_get(r, "f"), "k"), "v w", "plain in flow: up to the blanks before ','");
	STR_EQ(ypath(r, "f.l")->head->str, "m:n", "plain in a flow sequence");
	STR_EQ(ymap_gets(r, "m"), "one two three", "plain over lines (LF, CRLF): folded");
	STR_EQ(ymap_gets(r, "e"), "\xc3\xa9 \xe2\x82\xac", "plain: UTF-8 kept");
	arena_free(a);
}

/* Mappings as Kubernetes' reader (go-yaml v2) and kyaml/go-yaml v3 read them. */
static void
test_merge(void)
{
	struct arena *a = arena_new();
	struct ynode *r;
	struct ylook l;
	struct buf b = BUF_INIT;

	r = parse(a, "k: 1\nk: 2\n");
	STR_EQ(ymap_gets(r, "k"), "2", "duplicate keys: the last (go-yaml v2)");
	ymap_look(r, "k", &l);
	OK(l.other && l.other->line == 1 && l.key->line == 2, "duplicate keys: the first is kyaml's reading");
	r = parse(a, "b: &b {k: base, j: only}\nm:\n  <<: *b\n  k: own\n");
	STR_EQ(ypath(r, "m.k")->str, "own", "a key after a merge key wins");
	STR_EQ(ypath(r, "m.j")->str, "only", "a key only in the merged mapping");
	ymap_look(ymap_get(r, "m"), "k", &l);
	OK(!l.other, "key after the merge key: every reader agrees");
	r = parse(a, "b: &b {k: base}\nm:\n  k: own\n  <<: *b\n");
	STR_EQ(ypath(r, "m.k")->str, "base", "a merge key after a key overrides it in go-yaml v2");
	ymap_look(ymap_get(r, "m"), "k", &l);
	OK(l.other && !strcmp(yresolve(l.other->next)->str, "own"), "and go-yaml v3 reads the explicit key");
	r = parse(a, "x: &x {k: x1}\ny: &y {k: y1, j: y2}\nm: {<<: [*x, *y]}\n");
	STR_EQ(ypath(r, "m.k")->str, "x1", "a sequence of merges: the earlier mapping wins");
	STR_EQ(ypath(r, "m.j")->str, "y2", "a sequence of merges: keys of the later one");
	ymap_look(ymap_get(r, "m"), "k", &l);
	OK(!l.other, "sequence of merges: every reader agrees");
	r = parse(a, "a: &a {k: deep}\nb: &b {<<: *a}\nm: {<<: *b}\n");
	STR_EQ(ypath(r, "m.k")->str, "deep", "nested merge keys");
	r = parse(a, "m: &m {x: 1, <<: *m}\n");
	OK(ypath(r, "m.k") == NULL && !strcmp(ypath(r, "m.x")->str, "1"), "a mapping merging itself ends");
	r = parse(a, "m: {\"<<\": {k: v}, !!str <<: {k: w}}\n");
	OK(ypath(r, "m.k") == NULL, "quoted or !!str-tagged << is a plain key, not a merge");
	r = parse(a, "m: {!!merge <<: {k: v}}\n");
	STR_EQ(ypath(r, "m.k") ? ypath(r, "m.k")->str : NULL, "v", "!!merge << is a merge key");
	/* 40 levels of two merges of the level below: 2^40 paths, each mapping visited once */
	buf_adds(&b, "l0: &l0 {z: 0}\n");
	for (int i = 1; i <= 40; i++)
		buf_addf(&b, "l%d: &l%d {a%d: %d, <<: [*l%d, *l%d]}\n", i, i, i, i, i - 1, i - 1);
	buf_adds(&b, "m: {<<: *l40}\n");
	r = parse(a, buf_cstr(&b));
	STR_EQ(ypath(r, "m.z") ? ypath(r, "m.z")->str : NULL, "0", "merge keys sharing mappings: linear lookup");
	ymap_look(ymap_get(r, "m"), "missing", &l);
	OK(!l.key && !l.other, "a missing key through 2^40 merge paths: linear too");
	r = parse(a, "m: {!!binary a2V5: v, other: w}\n");
	ymap_look(ymap_get(r, "m"), "key", &l);
	OK(l.binary && !l.key, "a !!binary key is reported, not read as text");
	r = parse(a, "m: {!binary key: v, <<: {'!binary': w}, t: !binary x, u: !<tag:yaml.org,2002:binary> eA==}\n");
	ymap_look(ymap_get(r, "m"), "key", &l);
	OK(!l.binary && l.key && !strcmp(l.val->str, "v"), "a local !binary key is another tag: read as its text");
	OK(!ytag_is(ypath(r, "m.t"), "binary") && ytag_is(ypath(r, "m.u"), "binary"),
	   "ytag_is: a local !binary is not !!binary, the full tag is");
	buf_free(&b);
	arena_free(a);
}

/* ymap_look() reads a mapping without a merge key in one pass: it must give
 * what the merge-key walks (ymap_look_slow) give, key for key. */
static bool
look_same(struct ynode *map, const char *key)
{
	struct ylook f, s;

	ymap_look(map, key, &f);
	ymap_look_slow(map, key, &s);
	return f.key == s.key && f.val == s.val && f.other == s.other && f.binary == s.binary;
}

static void
test_look_fast(void)
{
	static const char *const docs[] = {
		"k: 1\n",
		"k: 1\nk: 2\n",
		"k: 1\nk: 1\n",
		"k: 1\nj: 0\nk: 2\nk: 3\n",
		"k: 1\nk: {a: b}\n",
		"k: &v {a: b}\nk: *v\n",
		"k: ~\nk: null\n",
		"k: \"1\"\nk: 1\n",
		"j: 1\n",
		"{}\n",
		"!!binary a2V5: v\nother: w\n",
		"!!binary a2V5: v\nk: 1\n",
		"k: 1\n!!binary a2V5: v\n",
		"k: 1\n!!binary a2V5: v\n!!binary b3RoZXI=: w\nk: 2\n!!binary eA==: x\n",
		"!!binary a2V5: v\n!!binary b3RoZXI=: w\n",
		"k: 1\n!!binary a2V5: v\nk: 2\n",
		"!!binary k: 1\nk: 2\n",
		"k: 2\n!!binary k: 1\n",
		"&a k: 1\n*a : 2\n",
		"\"<<\": {k: v}\nk: 1\n",
		"!!str <<: {k: v}\nk: 1\n",
		"<<: {k: v}\nk: 1\n",
		"k: 1\n<<: {k: v}\n",
		"!!binary a2V5: v\n<<: {k: v, !!binary eA==: x}\n",
	};
	static const char *const keys[] = { "k", "j", "a2V5", "<<", "missing" };
	struct arena *a = arena_new();
	struct buf name = BUF_INIT;

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		struct ynode *r = parse(a, docs[i]);

		for (size_t j = 0; j < sizeof(keys) / sizeof(*keys); j++) {
			name.len = 0;
			buf_addf(&name, "one pass = merge-key walks: %s of ", keys[j]);
			for (const char *c = docs[i]; *c; c++)
				buf_adds(&name, *c == '\n' ? "\\n" : (char[2]){ *c, 0 });
			OK(look_same(r, keys[j]), buf_cstr(&name));
		}
	}
	buf_free(&name);
	arena_free(a);
}

static bool
want_kind(void *ctx, const char *kind, const char *key)
{
	(void)ctx;
	(void)kind;
	return !strcmp(key, "apiVersion") || !strcmp(key, "kind") || !strcmp(key, "metadata");
}

/* Identity and flags of input objects as the API server reads them. */
static void
test_identity(void)
{
	static const char text[] =
		"kind: ConfigMap\ndata:\n  a: [&n name-from-data, {b: &ns {namespace: ns1}}]\n"
		"metadata: {name: *n, <<: *ns}\n"
		"---\napiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: ca, namespace: stray}\n"
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations: {registry-addon.dev/generated: true}\n"
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {app.kubernetes.io/part-of: registry-addon}\n"
		"  annotations: {registry-addon.dev/generated: \"true\"}\n"
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, name: b}\n";
	struct arena *a = arena_new();
	struct yloader *yl = yload_new("<test>", text, strlen(text), a, &limits_default);
	struct where in = { .file = "<test>", .src = text, .srclen = strlen(text) };
	struct obj o[5];
	struct ydoc d;
	int rc[5];

	yload_set_want(yl, want_kind, NULL);	/* data is left out of the tree */
	diag_set_quiet(1);
	for (int i = 0; i < 5; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		o[i].index = i + 1;
		rc[i] = yload_next(yl, &d) == 1 ? obj_read(&o[i], d.root, a, &in) : -2;
	}
	STR_EQ(o[0].name, "name-from-data", "a name through an alias of an anchor in a key left out");
	STR_EQ(o[0].ns, "ns1", "a namespace through a merge key of a mapping in a key left out");
	OK(rc[1] == 0 && !strcmp(o[1].ns, "") && !strcmp(o[1].name, "ca"), "a cluster-scoped kind has no namespace");
	OK(kind_is_cluster_scoped("v1", "Namespace") && !kind_is_cluster_scoped("example.com/v1", "Namespace") &&
	   !kind_is_cluster_scoped("v1", "ConfigMap"), "scope by group and kind");
	OK(rc[2] == 0 && !(o[2].flags & OBJ_OURS), "a boolean marker is not ours (annotations are strings)");
	OK(rc[3] == 0 && (o[3].flags & OBJ_OURS) && (o[3].flags & OBJ_PART_OF), "marker and part-of label");
	INT_EQ(errors_of(rc[4]), 1, "names that tools read differently: an error");
	diag_set_quiet(0);
	yload_free(yl);
	arena_free(a);
}

/* want() is given the root's "kind" as ymap_gets() reads it so far */
static bool
want_note(void *ctx, const char *kind, const char *key)
{
	struct buf *b = ctx;

	buf_addf(b, "%s=%s ", key, kind ? kind : "-");
	return !strcmp(key, "kind");
}

static void
test_want_kind(void)
{
	static const char text[] = "a: 1\nkind: A\nb: [x]\nkind: B\nc: {y: 1}\n<<: {kind: C}\nd: 1\nkind: D\ne: 1\n";
	struct arena *a = arena_new();
	struct yloader *yl = yload_new("<test>", text, strlen(text), a, &limits_default);
	struct buf b = BUF_INIT;
	struct ydoc d;

	yload_set_want(yl, want_note, &b);
	OK(yload_next(yl, &d) == 1, "want: the document loads");
	STR_EQ(buf_cstr(&b), "a=- kind=- b=A kind=A c=B d=- kind=- e=D ",
	       "want: the last kind so far, unknown after a merge key (never asked for <<)");
	STR_EQ(ymap_gets(d.root, "kind"), "D", "want: the kind read at the end");
	OK(!ymap_get(d.root, "b") && !ymap_get(d.root, "e"), "want: values not wanted are left out");
	buf_free(&b);
	yload_free(yl);
	arena_free(a);
}

/* ymap_index_set() must do what ymap_set() does, in O(1) */
static void
test_index(void)
{
	struct arena *a = arena_new();
	struct ynode *m = parse(a, "a: 1\nb: 2\na: 3\n"), *plain = parse(a, "a: 1\nb: 2\na: 3\n");
	struct ymap_index *ix = ymap_index_new(m);
	char key[16];

	ymap_index_set(a, ix, "a", ynode_str(a, "x"));
	ymap_set(a, plain, "a", ynode_str(a, "x"));
	ymap_index_set(a, ix, "c", ynode_str(a, "y"));
	ymap_set(a, plain, "c", ynode_str(a, "y"));
	OK(ynode_equal(m, plain), "index: replaces the first of equal keys, appends a new one, as ymap_set");
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i % 500);
		ymap_index_set(a, ix, key, ynode_int(a, i));
	}
	INT_EQ(m->len, 504, "index: 1000 sets of 500 keys add 500 keys (to a, b, a, c)");
	STR_EQ(ymap_gets(m, "k7"), "507", "index: the last value set wins");
	OK(m->tail == ymap_get(m, "k499"), "index: the tail is the last value");
	ymap_index_free(ix);
	arena_free(a);
}

/* images_add() sorts in batches: the set reads sorted and distinct after images_sort() */
static void
test_image_set(void)
{
	struct images set = { 0 };
	char ref[64];
	int sorted = 1;

	for (int i = 3000; i > 0; i--) {	/* descending: the worst order for a sorted insert */
		snprintf(ref, sizeof(ref), "h%05d.example/app:1", i % 1000);
		images_add(&set, ref);
	}
	images_sort(&set);
	for (size_t i = 1; i < set.n; i++)
		sorted &= strcmp(set.v[i - 1], set.v[i]) < 0;
	INT_EQ(set.n, 1000, "image set: 3000 additions of 1000 references keep 1000");
	OK(sorted, "image set: sorted and distinct");
	images_free(&set);
}

static void
test_net(void)
{
	struct cidr c;
	struct ipaddr ip;
	char text[64];

	OK(cidr_parse("10.96.0.0/12", &c) == 0 && cidr_nth(&c, 20, &ip) == 0, "IPv4 nth");
	ip_format(&ip, text);
	STR_EQ(text, "10.96.0.20", "IPv4 20th");
	OK(cidr_parse("10.96.5.7/24", &c) == 0 && cidr_nth(&c, 300, &ip) != 0, "out of range");
	OK(cidr_parse("10.0.0.0/33", &c) != 0 && cidr_parse("10.0.0.0", &c) != 0, "bad CIDRs");
	OK(cidr_parse("fd00::/120", &c) == 0 && cidr_nth(&c, 255, &ip) == 0 && cidr_nth(&c, 256, &ip) != 0,
	   "IPv6 range end");
	ip_parse("10.97.0.1", &ip);
	cidr_parse("10.96.0.0/16", &c);
	OK(!cidr_contains(&c, &ip), "contains");
}

static void
test_images(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "nginx", "docker.io/library/nginx:latest" },
		{ "nginx:1.27", "docker.io/library/nginx:1.27" },
		{ "user/app", "docker.io/user/app:latest" },
		{ "docker.io/nginx", "docker.io/library/nginx:latest" },
		{ "index.docker.io/library/nginx:1", "docker.io/library/nginx:1" },
		{ "quay.io/prometheus/node-exporter:v1.8.2", "quay.io/prometheus/node-exporter:v1.8.2" },
		{ "localhost/app", "localhost/app:latest" },
		{ "registry.example.com:5000/team/app:2", "registry.example.com:5000/team/app:2" },
		{ "ghcr.io/x/y@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "ghcr.io/x/y@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
		{ "nginx:1.27@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		  "docker.io/library/nginx:1.27@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
		{ "10.96.0.20/app:1", "10.96.0.20/app:1" },
		{ "{{ .Values.image }}", NULL }, { "", NULL }, { "Nginx", NULL }, { "nginx:", NULL },
		{ "a b", NULL }, { "nginx@", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[96], *got = image_normalize(cases[i].in);

		snprintf(name, sizeof(name), "normalize \"%s\"", cases[i].in);
		STR_EQ(got, cases[i].want, name);
		free(got);
	}
}

static void
test_mirror_path(void)
{
	char *p;

	p = image_mirror_path("docker.io/library/nginx:1.27");
	STR_EQ(p, "docker.io/library/nginx:1.27", "mirror path of a plain host");
	free(p);
	p = image_mirror_path("myreg:5000/a/b:1");
	STR_EQ(p, "myreg-5000/a/b:1", "mirror path: port becomes a path-safe part");
	free(p);
	p = image_mirror_path("[fd00::1]:5000/app@sha256:00");
	STR_EQ(p, "fd00--1-5000/app@sha256:00", "mirror path: IPv6 host");
	free(p);
	p = image_mirror_path("[fd00::1]:5000");
	STR_EQ(p, "fd00--1-5000", "mirror path of a bare host (the node mirror's upstream)");
	free(p);
	OK(image_host_is_loopback("localhost:5000") && image_host_is_loopback("127.0.0.1:5000") &&
	   image_host_is_loopback("[::1]:5000") && !image_host_is_loopback("localhost.example.com") &&
	   !image_host_is_loopback("10.0.0.1"), "loopback hosts");
}

/* host.h's rule, case by case. */
static void
test_hosts(void)
{
	char label64[80], name253[300], name254[300], name250port[300];
	const char *why;
	static const char *const good[] = {
		"docker.io", "localhost", "localhost:5000", "[::1]:5000", "[fd00::14]", "[fd00::14]:443",
		"[::ffff:1.2.3.4]", "1.2.3.4", "1.2.3.4:5000", "10.96.0.20:443", "Registry.Example.COM",
		"REGISTRY.IO:5000", "a", "x.io:1", "x.io:65535", "x.io:05000", "xn--bcher-kva.example", "a-b.c-d.io",
		"1a.io", "my-reg.io", "1.2.3.4a",
	};
	static const char *const bad[] = {
		"", "..", ".", "a..b", ".a.io", "a.io.", "-a.com", "a-.com", "a.-b.com", "1.2.3.4:0", ":65536",
		"x.io:65536", "x.io:", "x.io:5a", "x.io:123456", "x.io:-1", "my_reg.io", "r\xc3\xa9gistry.io",
		"\xe2\x98\x83.io", "a b.io", "a\tb.io", "a\x7f.io", "a/b", "a%2e.io", "[fe80::1%eth0]", "fd00::14",
		"fd00::14:5000", "[1.2.3.4]", "[::1", "[::1]x", "[::1]:", "[::1]:0", "[]", "01.2.3.4", "1.2.3.256", "1.2.3",
		"999", "999:5000", "a:b:c", ":5000", "a.io:5000:1", "*.io", "a..", "a.io/",
	};

	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".io");
	OK(host_check(label64 + 1, strlen(label64 + 1), &why) == 0, "host: a 63-character label");
	OK(host_check(label64, strlen(label64), &why) != 0, "host: a 64-character label is refused");
	STR_EQ(why, "a label of more than 63 characters", "host: why a 64-character label is refused");
	/* 4 labels: 63+1+63+1+63+1+61 = 253 */
	snprintf(name253, sizeof(name253), "%.63s.%.63s.%.63s.%.61s", label64, label64, label64, label64);
	snprintf(name254, sizeof(name254), "%.63s.%.63s.%.63s.%.62s", label64, label64, label64, label64);
	snprintf(name250port, sizeof(name250port), "%.63s.%.63s.%.63s.%.58s:5000", label64, label64, label64, label64);
	INT_EQ(strlen(name253), 253, "host: the 253-character name is that long");
	OK(host_check(name253, 253, &why) == 0, "host: a 253-character name");
	OK(host_check(name254, 254, &why) != 0, "host: a 254-character name is refused");
	OK(host_check(name250port, strlen(name250port), &why) != 0, "host: 248 characters and :5000 is refused");
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char t[96];

		snprintf(t, sizeof(t), "host \"%s\" is valid", good[i]);
		why = NULL;
		OK(host_check(good[i], strlen(good[i]), &why) == 0, t);
		if (why)
			printf("    why: %s\n", why);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char t[96];

		snprintf(t, sizeof(t), "host \"%s\" is refused, with a reason", bad[i]);
		why = NULL;
		OK(host_check(bad[i], strlen(bad[i]), &why) != 0 && why && *why, t);
	}
	OK(host_check("a..b", 4, &why) != 0 && strstr(why, "empty label"), "host: \"a..b\" has an empty label");
	OK(host_check("[::1]:5000", 5, &why) == 0, "host: only n bytes are read");
}

/* The configuration's hosts: nodeTrust.mirrors, sync.preload. */
static void
test_config_hosts(void)
{
	static const struct {
		const char *set;
		int ok;
	} cases[] = {
		{ "nodeTrust.mirrors=[auto, docker.io, Quay.IO, \"[fd00::14]:5000\", 10.0.0.1:5000, localhost:5000]", 1 },
		{ "nodeTrust.mirrors=[a..b]", 0 }, { "nodeTrust.mirrors=[..]", 0 }, { "nodeTrust.mirrors=[my_reg.io]", 0 },
		{ "nodeTrust.mirrors=[myreg]", 0 }, { "nodeTrust.mirrors=[\"x.io:65536\"]", 0 },
		{ "nodeTrust.mirrors=[\"fd00::14\"]", 0 }, { "nodeTrust.mirrors=[-a.com]", 0 },
		{ "sync.preload=[auto, \"quay.io/a/b:1\", \"[fd00::14]:5000/a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"]", 1 },
		{ "sync.preload=[\"[fd00::14]:5000/a@sha256:0123456789abcdef\"]", 0 },
		{ "sync.preload=[\"../x:1\"]", 0 }, { "sync.preload=[\"my_reg.io/a:1\"]", 0 },
		{ "sync.preload=[\"quay.io/A:1\"]", 0 }, { "sync.preload=[\"quay.io/a/../b:1\"]", 0 },
	};

	diag_set_quiet(1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *c = config_new();
		char t[160];

		snprintf(t, sizeof(t), "--set %s %s", cases[i].set, cases[i].ok ? "is taken" : "is refused");
		OK((errors_of(config_set(c, cases[i].set)) == 0) == cases[i].ok, t);
		config_free(c);
	}
	diag_set_quiet(0);
}

/* image_read(): normal form (0), not a reference at all (1), a bad host (-1). */
static void
test_image_read(void)
{
	static const struct {
		const char *in;
		int rc;
		const char *want;
	} cases[] = {
		{ "../x:1", -1, NULL }, { "./x:1", -1, NULL }, { "../../etc/x", -1, NULL }, { "a..b/x", -1, NULL },
		{ "-a.com/x:1", -1, NULL }, { "my_reg.io/x:1", -1, NULL }, { ":5000/x", -1, NULL },
		{ "1.2.3.4:0/x:1", -1, NULL }, { "x.io:65536/x", -1, NULL }, { "fd00::14/x", -1, NULL },
		{ "a.io./x", -1, NULL }, { "01.2.3.4/x", -1, NULL },
		{ "${REGISTRY}/app:1", 1, NULL }, { "${REGISTRY:=ghcr.io}/app:1", 1, NULL },
		{ "{{ .Values.image }}", 1, NULL }, { "<no value>", 1, NULL }, { "r\xc3\xa9gistry.io/x:1", 1, NULL },
		{ "a%2e.io/x", 1, NULL }, { "docker.io/../x:1", 1, NULL }, { "x.io/a//b", 1, NULL },
		{ "x.io/A", 1, NULL }, { "x.io/a-", 1, NULL }, { "x.io/a___b", 1, NULL }, { "x.io/.a", 1, NULL },
		{ "MyReg/app:1", 1, NULL }, { "x.io/a:-1", 1, NULL }, { "", 1, NULL },
		{ "[::1]:5000/x", 0, "[::1]:5000/x:latest" }, { "[fd00::14]/a/b:2", 0, "[fd00::14]/a/b:2" },
		{ "Quay.IO/a:1", 0, "quay.io/a:1" }, { "Index.Docker.io/nginx", 0, "docker.io/library/nginx:latest" },
		{ "localhost:5000/x:1", 0, "localhost:5000/x:1" }, { "x.io/a__b-c--d.e/f_g:1", 0, "x.io/a__b-c--d.e/f_g:1" },
		{ "1.2.3.4:5000/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 0,
		  "1.2.3.4:5000/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
		{ "x.io/a@sha256:0123456789abcdef", 1, NULL }, { "x.io/a@sha256:zzz", 1, NULL },
		{ "x.io/a@md5:0123456789abcdef0123456789abcdef", 1, NULL },
		{ "x.io/a@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", 1, NULL },
	};
	char longname[300], *out;
	const char *why;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char t[120];
		int rc;

		why = NULL;
		rc = image_read(cases[i].in, &out, &why);
		snprintf(t, sizeof(t), "image_read \"%s\" gives %d", cases[i].in, cases[i].rc);
		INT_EQ(rc, cases[i].rc, t);
		snprintf(t, sizeof(t), "image_read \"%s\": normal form", cases[i].in);
		STR_EQ(out, cases[i].want, t);
		if (cases[i].rc < 0)
			OK(why && *why, "image_read: a refused host says why");
		free(out);
	}
	/* distribution's 255-character name limit, of the normalised name */
	snprintf(longname, sizeof(longname), "x.io/%0250d", 0);
	INT_EQ(image_read(longname, &out, &why), 0, "image_read: a 255-character name");
	free(out);
	snprintf(longname, sizeof(longname), "x.io/%0251d", 0);
	INT_EQ(image_read(longname, &out, &why), 1, "image_read: a 256-character name is not a reference");
	OK(out == NULL, "image_read: no normal form for it");
	memset(longname, 'a', 64);
	strcpy(longname + 64, ".io/x:1");
	INT_EQ(image_read(longname, &out, &why), -1, "image_read: a 64-character label in the host is refused");
}

/* a quantity's value as "[-]nano" (decimal), or "error" */
static const char *
nano_text(const char *s, char *buf)
{
	struct quantity q;
	const char *why;
	char digits[64], *p = digits + sizeof(digits);
	quantity_t v;

	if (quantity_parse(s, &q, &why) != 0)
		return "error";
	v = q.nano;
	*--p = '\0';
	do
		*--p = (char)('0' + (int)(v % 10));
	while ((v /= 10) != 0);
	sprintf(buf, "%s%s", q.neg && q.nano ? "-" : "", p);
	return buf;
}

/* Kubernetes' quantity grammar (apimachinery quantity.go) and its value in
 * nano units, rounded away from zero as ParseQuantity rounds; a number
 * without a digit ("m", which ParseQuantity reads as 0) is refused. */
static void
test_quantity(void)
{
	static const struct {
		const char *in, *nano;
	} cases[] = {
		{ "0", "0" }, { "1", "1000000000" }, { "100m", "100000000" }, { "1Ki", "1024000000000" },
		{ "1.5Gi", "1610612736000000000" }, { ".5", "500000000" }, { "5.", "5000000000" },
		{ "1e3", "1000000000000" }, { "1E3", "1000000000000" }, { "2e-3", "2000000" }, { "1E+2", "100000000000" },
		{ "1E", "1000000000000000000000000000" }, { "0.1n", "1" }, { "-0.1n", "-1" }, { "1e-10", "1" },
		{ "+1k", "1000000000000" }, { "-1", "-1000000000" }, { "007", "7000000000" }, { "0.000Ki", "0" },
		{ "1u", "1000" }, { "+", "error" }, { ".", "error" }, { "m", "error" }, { "-", "error" },
		{ "9223372036854775807", "9223372036854775807000000000" }, { "7Ei", "8070450532247928832000000000" },
		{ "0.0000000000000000000000000000000000000001Ki", "1" },
		{ "", "error" }, { "1K", "error" }, { "1ki", "error" }, { "1Ki3", "error" }, { "1e", "error" },
		{ "1e+", "error" }, { " 1", "error" }, { "1 ", "error" }, { "1.2.3", "error" }, { "1GB", "error" },
		{ "2e-3k", "error" }, { "2e3m", "error" }, { "0x10", "error" }, { ".e-10", "error" }, { "+e-10", "error" },
		{ "9223372036854775808", "error" }, { "8Ei", "error" }, { "1e2147483648", "error" }, { "--1", "error" },
	};
	char buf[80], name[200];
	struct quantity a, b;
	const char *why;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "quantity \"%s\" is %s", cases[i].in, cases[i].nano);
		STR_EQ(nano_text(cases[i].in, buf), cases[i].nano, name);
	}
	quantity_parse("1Gi", &a, &why), quantity_parse("1024Mi", &b, &why);
	INT_EQ(quantity_cmp(&a, &b), 0, "quantity 1Gi == 1024Mi");
	quantity_parse("1G", &a, &why);
	OK(quantity_cmp(&a, &b) < 0 && quantity_cmp(&b, &a) > 0, "quantity 1G < 1Gi");
	quantity_parse("-1", &a, &why), quantity_parse("-2", &b, &why);
	OK(quantity_cmp(&a, &b) > 0, "quantity -1 > -2");
	quantity_parse("-0", &a, &why), quantity_parse("0", &b, &why);
	INT_EQ(quantity_cmp(&a, &b), 0, "quantity -0 == 0");
	quantity_parse("0.9999999", &a, &why);
	OK(quantity_is_integer(&a), "quantity 0.9999999 is an integer to Kubernetes (MilliValue rounds up to 1000)");
	quantity_parse("1.0001", &a, &why);
	OK(!quantity_is_integer(&a), "quantity 1.0001 is not an integer");
	quantity_parse("1.5", &a, &why);
	INT_EQ((long)quantity_units(&a), 2, "quantity 1.5: Value() rounds up to 2");
}

/* Label keys and values (apimachinery validation.go IsQualifiedName, IsValidLabelValue). */
static void
test_k8s_names(void)
{
	static const struct {
		const char *s;
		int key, value;
	} cases[] = {
		{ "disktype", 1, 1 }, { "kubernetes.io/os", 1, 0 }, { "a", 1, 1 }, { "", 0, 1 }, { "A_b.C-d", 1, 1 },
		{ "-a", 0, 0 }, { "a-", 0, 0 }, { "a b", 0, 0 }, { "a/b/c", 0, 0 }, { "/a", 0, 0 }, { "a/", 0, 0 },
		{ "Example.com/a", 0, 0 }, { "ex_ample.com/a", 0, 0 }, { "example..com/a", 0, 0 },
		{ "example.com./a", 0, 0 }, { "1.2.3/a", 1, 0 },
	};
	char name[200], long63[64], long64[65], prefix[300];
	const char *why;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "label key \"%s\" %s", cases[i].s, cases[i].key ? "taken" : "refused");
		OK((kv_qualified_name(cases[i].s, &why) == 0) == cases[i].key, name);
		snprintf(name, sizeof(name), "label value \"%s\" %s", cases[i].s, cases[i].value ? "taken" : "refused");
		OK((kv_label_value(cases[i].s, &why) == 0) == cases[i].value, name);
	}
	memset(long63, 'a', 63), long63[63] = '\0';
	memset(long64, 'a', 64), long64[64] = '\0';
	OK(kv_qualified_name(long63, &why) == 0 && kv_label_value(long63, &why) == 0, "63 characters: a name, a value");
	OK(kv_qualified_name(long64, &why) != 0 && kv_label_value(long64, &why) != 0, "64 characters: neither");
	/* a prefix of 253 (labels longer than 63 too: IsDNS1123Subdomain has no limit per label) */
	memset(prefix, 'b', 253), strcpy(prefix + 253, "/a");
	OK(kv_qualified_name(prefix, &why) == 0, "a 253-character prefix is taken");
	memset(prefix, 'b', 254), strcpy(prefix + 254, "/a");
	OK(kv_qualified_name(prefix, &why) != 0, "a 254-character prefix is refused");
}

/* Every mapping-typed field is checked against the place it goes. */
static void
test_object_fields(void)
{
	for (size_t i = 0; i < config_nfields; i++) {
		const struct field *f = &config_fields[i];
		char name[160];

		if (f->type != F_OBJECT && f->type != F_OBJLIST)
			continue;
		snprintf(name, sizeof(name), "%s has a Kubernetes check", f->path);
		OK(f->ocheck != NULL, name);
	}
}

/* yquote_text() decodes a one-line quoted scalar once, into (len - 2) * 3 / 2
 * bytes (rounded as decode() does): \L and \P reach it, no escape passes it. */
static void
test_quote_bound(void)
{
	static const struct {
		const char *raw;
		size_t out;
	} cases[] = {
		{ "\"\\L\\P\\L\"", 9 }, { "\"\\L\\Px\"", 7 }, { "\"x\\L\"", 4 }, { "\"\\N\\_\\x41\\xff\"", 7 },
		{ "\"\\u2028\\U0001F600\\0\"", 8 }, { "'a''b'''", 4 }, { "\"\"", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		size_t len = strlen(cases[i].raw), n = 0;

		OK(yquote_decode(cases[i].raw, len, NULL, &n) == 0 && n == cases[i].out &&
		   n <= (len - 2) / 2 * 3 + (len - 2) % 2, cases[i].raw);
	}
}

/* ygate: libfyaml's reading (the shapes the loader folded from fytext)
 * against libyaml's of buf: the same reading passes; another is an error at
 * the first event that differs, naming both kinds */
static void
test_gate_shapes(void)
{
	static const char buf[] = "a: 1\n---\nb: xy  \n", other[] = "a: 1\n---\nb: [x]  \n";
	struct arena *a = arena_new();
	struct yloader *yl;
	struct ydoc d;
	int rc;

	for (int pass = 0; pass < 2; pass++) {
		const char *fytext = pass ? other : buf;

		diag_reset();
		diag_set_quiet(1);
		yl = yload_new("<test>", fytext, sizeof(buf) - 1, a, &limits_default);
		while ((rc = yload_next(yl, &d)) == 1)
			;
		rc = rc == 0 ? ygate_check("<test>", buf, sizeof(buf) - 1, yload_shapes(yl), fytext) : -2;
		yload_free(yl);
		if (!pass) {
			OK(rc == 0 && diag_count() == 0, "gate: the same reading passes");
		} else {
			const struct diag_msg *m = diag_count() == 1 ? diag_get(0) : NULL;

			OK(rc == -1 && m && m->line == 3 && m->col == 4 && strstr(m->text, "go-yaml reads a scalar here, "
			   "libfyaml a sequence"), "gate: another reading is an error at 3:4 naming both kinds");
		}
		diag_reset();
	}
	diag_set_quiet(0);
	arena_free(a);
}

/* ygate_start(): libyaml reads nothing before ygate_go(), on its thread and
 * inline; ygate_finish() without a report stops it, with -1 (nothing was
 * checked); after ygate_go() it reads to the end. */
static void
test_gate_follows(void)
{
	size_t n = (size_t)1 << 20;
	char *text = xmalloc(n + 1);
	struct ygate g;

	for (size_t i = 0; i + 4 <= n; i += 4)
		memcpy(text + i, "- a\n", 4);
	memcpy(text + n - 4, "- ]\n", 4);	/* an error libyaml reports, at the end */
	text[n] = '\0';
	diag_reset();
	diag_set_quiet(1);
	for (int threaded = 0; threaded < 2; threaded++) {
		ygate_thread_min = threaded ? 0 : SIZE_MAX;
		ygate_start(&g, "<test>", text, n);
		OK(g.threaded == (threaded == 1) && ygate_finish(&g, false, NULL, NULL) == -1 && g.fed == 0 &&
		   diag_count() == 0, threaded ? "gate: on a thread, nothing read before ygate_go(), stopped, -1"
					       : "gate: inline, nothing read before ygate_go(), -1");
		ygate_start(&g, "<test>", text, n);
		ygate_go(&g);
		OK(ygate_finish(&g, true, NULL, NULL) == -1 && g.fed == n && diag_count() == 1 &&
		   diag_get(0)->line == (int)(n / 4) && diag_get(0)->col == 3,
		   threaded ? "gate: on a thread, after ygate_go() to the end, its error at its line:col"
			    : "gate: inline, after ygate_go() to the end, its error at its line:col");
		diag_reset();
	}
	ygate_thread_min = YGATE_THREAD_MIN;
	diag_set_quiet(0);
	free(text);
}

/* libfyaml's reading and libyaml's differ as lists (another number of
 * documents) while both parsers read the same kinds side by side: the side
 * by side reading ends at the stream's end (libyaml hands out empty events
 * after it: this looped for ever) and the document is named. */
static void
test_gate_compare_ends(void)
{
	static const char text[] = "a: 1\n---\nb: 2\n";
	struct yshapes fy = { 0 };
	struct ygate g;
	int rc;

	for (int d = 0; d < 3; d++) {	/* one document more than libyaml's two */
		yshapes_doc_start(&fy);
		yshapes_add(&fy, YK_MAP);
		yshapes_add(&fy, YK_SCALAR);
		yshapes_add(&fy, YK_SCALAR);
		yshapes_add(&fy, YK_MAP_END);
		yshapes_doc_end(&fy);
	}
	diag_reset();
	diag_set_quiet(1);
	ygate_thread_min = SIZE_MAX;
	ygate_start(&g, "<test>", text, sizeof(text) - 1);
	ygate_go(&g);
	rc = ygate_finish(&g, true, &fy, text);
	OK(rc == -1 && diag_count() == 1 && strstr(diag_get(0)->text, "other data") && diag_get(0)->doc == 3,
	   "gate: lists that differ where both parsers read alike: the side-by-side reading ends, the document named");
	ygate_thread_min = YGATE_THREAD_MIN;
	yshapes_free(&fy);
	diag_reset();
	diag_set_quiet(0);
}

struct cuts {
	size_t pos[64];
	int line[64], n;
};

static void
note_cut(void *ctx, size_t pos, int line)
{
	struct cuts *c = ctx;

	if (c->n < 64) {
		c->pos[c->n] = pos;
		c->line[c->n] = line;
	}
	c->n++;
}

/* prescan_ahead() on text: its result, and the cuts as "pos:line ..." */
static int
cuts_of(const char *text, size_t step, char *out, size_t size)
{
	struct cuts c = { .n = 0 };
	struct prescan_fix fix = { 0 };
	int rc = prescan_ahead(text, strlen(text), &limits_default, &fix, step, note_cut, &c);
	size_t k = 0;

	out[0] = '\0';
	for (int i = 0; i < c.n && i < 64 && k < size; i++)
		k += (size_t)snprintf(out + k, size - k, "%s%zu:%d", i ? " " : "", c.pos[i], c.line[i]);
	prescan_fix_free(&fix);
	return rc;
}

/* Where libfyaml may start afresh behind the pre-scan: at a "---" at the
 * start of a line, outside flow collections and quoted scalars, step bytes
 * apart; never after a directive, a quoted scalar a marker ended, or a
 * block scalar header to fix (the rest is one piece). */
static void
test_prescan_cuts(void)
{
	char got[512];

	OK(cuts_of("a: 1\n---\nb: 2\n--- x\n...\n---\nc: 3\n", 0, got, sizeof(got)) == 0 &&
	   !strcmp(got, "5:2 14:4 24:6"), "cuts: every document start after the first, with its line");
	OK(cuts_of("---\na: 1\n---\nb: 2\n", 0, got, sizeof(got)) == 0 && !strcmp(got, "9:3"),
	   "cuts: none at the very start");
	OK(cuts_of("a: 1\r\n---\r\nb: 2\r---\n", 0, got, sizeof(got)) == 0 && !strcmp(got, "6:2 16:4"),
	   "cuts: lines counted over CRLF and a lone CR");
	OK(cuts_of("a: 1\n---\nbb: 2\n---\nc: 3\n---\nd\n", 12, got, sizeof(got)) == 0 && !strcmp(got, "15:4"),
	   "cuts: at least step bytes apart");
	OK(cuts_of("a: [1,\n---\n]\n---\nb\n", 0, got, sizeof(got)) == 0 && !strcmp(got, "13:4"),
	   "cuts: none inside a flow collection (a marker ends it: libfyaml's error, in the piece before)");
	OK(cuts_of("a: 1\n---\nb: 2\n%TAG !e! tag:e,2000:\n---\nc: !e!x 3\n---\nd\n", 0, got, sizeof(got)) == 0 &&
	   !strcmp(got, "5:2"), "cuts: none after a directive");
	OK(cuts_of("a: 1\n---\nb: \"x\n---\nc: 3\n---\nd\n", 0, got, sizeof(got)) == 0 && !strcmp(got, "5:2"),
	   "cuts: none after a quoted scalar a document marker ended (libfyaml's error is read whole)");
	OK(cuts_of("a: 1\n---\nb:\n  s: |-\n  t: 1\n---\nc: 3\n", 0, got, sizeof(got)) == 0 && !strcmp(got, "5:2"),
	   "cuts: none after a block scalar header to fix (read with the fixes, in one piece)");
	OK(cuts_of("a: 1\n---\nb: [[[[\n", 0, got, sizeof(got)) == 0 && !strcmp(got, "5:2"),
	   "cuts: text that fails libfyaml is no concern of the pre-scan");
	OK(cuts_of("a: 1\n---\n? p\n---\np\nr:\n---\nb: 2\n---\nc\n", 0, got, sizeof(got)) == 0 &&
	   !strcmp(got, "5:2 22:7 31:9"),
	   "cuts: none while a \"? \" key waits for its ':' (libfyaml keeps it across the marker), again once "
	   "a key at its column has ended it");
	OK(cuts_of("a: 1\n---\n? p\n: q\n---\nb: 2\n", 0, got, sizeof(got)) == 0 && !strcmp(got, "5:2 17:5"),
	   "cuts: after a \"? \" key given its ':'");
	OK(cuts_of("? p\n---\nx: 1\n---\nb: 2\n", 0, got, sizeof(got)) == 0 && !strcmp(got, "13:4"),
	   "cuts: none at the marker right after a \"? \" key, one at the next");
}

/* ygate_start_ahead() on a thread: the UTF-8 check and the pre-scan run
 * there; ygate_next_cut() hands the loader cuts after a position until the
 * whole text has passed (0), or -1 when a check failed: nothing reported
 * on the thread. */
/* libyaml's reader (reader.c), as the gate decided before it checked the
 * text in the same pass as the UTF-8 check: the reference for
 * ytext_scan() */
static bool
reader_refuses_ref(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);

		if (!n || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F ||
		    (cp >= 0x80 && cp <= 0x9F && cp != 0x85) || cp == 0xFFFE || cp == 0xFFFF)
			return true;
		i += n;
	}
	return false;
}

static void
test_text_scan(void)
{
	static const char *const pieces[] = { "a", "b: c", " ", "\n", "\r\n", "\t", "\x01", "\x1f", "\x7f", "\x0b",
		"\x0c", "\xc2\x80", "\xc2\x85", "\xc2\x9f", "\xc2\xa0", "\xe2\x80\xa8", "\xef\xbf\xbe", "\xef\xbf\xbf",
		"\xef\xbf\xbd", "\xf0\x9f\x98\x80", "0123456789abcdef", "\xff", "\xc3", "\xed\xa0\x80", "\xe2\x82" };
	const size_t nbad = 4, ngood = sizeof(pieces) / sizeof(*pieces) - nbad;
	unsigned char text[96];
	uint32_t seed = 12345;
	int differ = 0, refused = 0, bad = 0;

	for (int round = 0; round < 200000; round++) {
		size_t len = 0;
		bool r = false;

		while (len < 80) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			/* mostly text, sometimes an odd character, rarely bad UTF-8 */
			p = (seed >> 16) % 200 == 0 ? pieces[ngood + (seed >> 8) % nbad] :
			    (seed >> 16) % 16 ? pieces[(seed >> 16) % 6] : pieces[(seed >> 8) % ngood];
			memcpy(text + len, p, strlen(p));
			len += strlen(p);
		}
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 50 == 0)
			text[(seed >> 4) % len] = 0;	/* a NUL */
		size_t at = ytext_scan((const char *)text, len, &r), want = utf8_scan((const char *)text, len);

		differ += at != want || (at == len && r != reader_refuses_ref(text, len));
		refused += at == len && r;
		bad += at != len;
	}
	OK(differ == 0 && refused > 1000 && bad > 1000 && refused + bad < 190000,
	   "gate's text scan: as utf8_scan() and libyaml's reader on 200,000 texts of ASCII, controls, C1, "
	   "non-characters, bad UTF-8 and NULs (each kind of outcome seen)");
}

/* ydoc_directives_start() as it read lines byte by byte before line_begin()
 * (memrchr()): the reference. */
static size_t
directives_start_ref(const char *buf, size_t doc_start)
{
	size_t ls = doc_start, first = doc_start;

	while (ls > 0) {
		size_t prev = ls - 1, n;
		const char *p, *e;

		while (prev > 0 && buf[prev - 1] != '\n' && buf[prev - 1] != '\r')
			prev--;
		p = buf + prev;
		e = buf + ls;
		if (prev == 0 && ls >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
			p += 3;
		n = (size_t)(e - p);
		if (p < e && *p == '%') {
			first = prev;
		} else if (n >= 3 && !memcmp(p, "...", 3) &&
			   (n == 3 || p[3] == ' ' || p[3] == '\t' || p[3] == '\r' || p[3] == '\n')) {
			return first;
		} else {
			while (p < e && (*p == ' ' || *p == '\t'))
				p++;
			if (!(p == e || *p == '#' || *p == '\r' || *p == '\n'))
				return doc_start;
		}
		ls = prev;
	}
	return first;
}

static void
test_directives_start(void)
{
	static const char *const pieces[] = { "\n", "\r\n", "\r", "%YAML 1.2", "%TAG ! x", "...", "... # c",
		"# c", "  ", "\t", "a: b", "---", "\xEF\xBB\xBF", "x" };
	const size_t npieces = sizeof(pieces) / sizeof(*pieces);
	char text[128];	/* under 100 bytes, then one piece of at most 9 */
	uint32_t seed = 777;
	int differ = 0, found = 0;

	for (int round = 0; round < 50000; round++) {
		size_t len = 0;

		while (len < 100) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			p = pieces[(seed >> 16) % npieces];
			memcpy(text + len, p, strlen(p));
			len += strlen(p);
		}
		for (size_t at = 0; at <= len; at++) {
			size_t got = ydoc_directives_start(text, at);

			differ += got != directives_start_ref(text, at);
			found += got < at;
		}
	}
	OK(differ == 0 && found > 10000, "directives before a document: found by line_begin() as by a byte-by-byte "
	   "reading of lines, on 50,000 texts of LF, CRLF, lone CR, directives, \"...\", comments and content "
	   "(at every position)");
}

static void
test_gate_ahead(void)
{
	static const char doc[] = "---\na: 1\n";
	size_t n = 4000 * (sizeof(doc) - 1), pos = 0, cut;
	char *text = xmalloc(n + 1);
	struct ygate g;
	int line, rc, cuts = 0, bad = 0, lastline = 1;

	for (size_t i = 0; i < n; i += sizeof(doc) - 1)
		memcpy(text + i, doc, sizeof(doc) - 1);
	text[n] = '\0';
	diag_reset();
	ygate_thread_min = 0;
	ygate_cut_step = 100;
	ygate_start_ahead(&g, "<test>", text, n, &limits_default);
	while ((rc = ygate_next_cut(&g, pos, &cut, &line)) == 1) {
		bad |= cut <= pos || cut - pos < 100 || memcmp(text + cut, "---\n", 4) != 0 || cut % 9 != 0 ||
		       line != (int)(cut / 9) * 2 + 1 || line <= lastline;
		pos = cut;
		lastline = line;
		cuts++;
	}
	ygate_go(&g);
	OK(g.threaded && rc == 0 && cuts > 0 && !bad && ygate_finish(&g, true, NULL, NULL) == 0 && diag_count() == 0,
	   "gate ahead: cuts at document starts, step bytes apart, with their lines, then 0; libyaml read it all");
	memcpy(text + n / 2, "---\nb: \xff\n", 10);
	ygate_start_ahead(&g, "<test>", text, n, &limits_default);
	for (pos = 0; (rc = ygate_next_cut(&g, pos, &cut, &line)) == 1; pos = cut)
		bad |= cut >= n / 2;
	OK(rc == -1 && !bad && ygate_finish(&g, false, NULL, NULL) == -1 && diag_count() == 0,
	   "gate ahead: invalid UTF-8: no cut after it, then -1, nothing reported");
	memcpy(text + n / 2, "---\nb: [[[", 11);
	memset(text + n / 2 + 11, '[', 300);
	ygate_start_ahead(&g, "<test>", text, n, &limits_default);
	for (pos = 0; (rc = ygate_next_cut(&g, pos, &cut, &line)) == 1; pos = cut)
		bad |= cut >= n / 2;
	OK(rc == -1 && !bad && ygate_finish(&g, false, NULL, NULL) == -1 && diag_count() == 0,
	   "gate ahead: nesting over the limit: no cut after it, then -1, nothing reported");
	ygate_thread_min = SIZE_MAX;
	ygate_start_ahead(&g, "<test>", text, n, &limits_default);
	OK(!g.threaded && !g.lim && ygate_finish(&g, false, NULL, NULL) == -1,
	   "gate ahead without a thread: nothing scanned there (the caller pre-scans)");
	/* libyaml's pieces, read by both sides at once: finished at once, the
	 * caller reads from the back while the thread reads from the front */
	for (size_t i = 0; i < n; i += sizeof(doc) - 1)
		memcpy(text + i, doc, sizeof(doc) - 1);
	ygate_thread_min = 0;
	ygate_start_ahead(&g, "<test>", text, n, &limits_default);
	ygate_go(&g);
	OK(ygate_finish(&g, true, NULL, NULL) == 0 && diag_count() == 0, "gate ahead: libyaml's pieces read by both sides");
	memcpy(text + 3000 * 9, "...\nx: 1\n", 9);	/* a document without "---" after "...": libyaml refuses it */
	diag_set_quiet(1);
	for (int threaded = 0; threaded < 2; threaded++) {	/* whole inline, then in pieces */
		ygate_thread_min = threaded ? 0 : SIZE_MAX;
		ygate_start_ahead(&g, "<test>", text, n, &limits_default);
		ygate_go(&g);
		rc = ygate_finish(&g, true, NULL, NULL);
		bad |= rc != -1 || diag_count() != (size_t)threaded + 1;
	}
	OK(!bad && diag_get(0)->line == 6002 && diag_get(1)->line == diag_get(0)->line &&
	   diag_get(1)->col == diag_get(0)->col && diag_get(1)->doc == diag_get(0)->doc && diag_get(1)->doc == 3001 &&
	   !strcmp(diag_get(1)->text, diag_get(0)->text) && strstr(diag_get(0)->text, "expected <document start>"),
	   "gate ahead: libyaml's error in a piece as on the whole text (line:col, document, message)");
	/* a character libyaml's reader refuses, in a document after the
	 * parse error: on the whole text the reader ahead of the parser names
	 * it first, so such a text is not read in pieces (a fuzz finding) */
	for (size_t i = 0; i < n; i += sizeof(doc) - 1)
		memcpy(text + i, doc, sizeof(doc) - 1);
	memcpy(text + 2 * 9, "...\nx: 1\n", 9);
	text[40 * 9 + 7] = 0x11;	/* "a: \x11", in a later piece, within libyaml's read-ahead */
	diag_reset();
	for (int threaded = 0; threaded < 2; threaded++) {
		ygate_thread_min = threaded ? 0 : SIZE_MAX;
		ygate_start_ahead(&g, "<test>", text, n, &limits_default);
		ygate_go(&g);
		rc = ygate_finish(&g, true, NULL, NULL);
		bad |= rc != -1 || diag_count() != (size_t)threaded + 1;
	}
	OK(!bad && diag_get(1)->line == diag_get(0)->line && diag_get(1)->col == diag_get(0)->col &&
	   !strcmp(diag_get(1)->text, diag_get(0)->text) && strstr(diag_get(0)->text, "control characters"),
	   "gate ahead: a character libyaml's reader refuses: the same error as on the whole text (read whole)");
	diag_set_quiet(0);
	diag_reset();
	ygate_thread_min = YGATE_THREAD_MIN;
	ygate_cut_step = YGATE_CUT_STEP;
	free(text);
}
/* diag_escape: what a terminal acts on is escaped, other text kept as it is */
static void
test_escape(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain ASCII, quotes \" ' and \\", "plain ASCII, quotes \" ' and \\" },
		{ "\t\n\r", "\\t\\n\\r" }, { "\x1b[2J\x07\x01\x1f\x7f", "\\x1b[2J\\x07\\x01\\x1f\\x7f" },
		{ "\xc2\x80\xc2\x85\xc2\x9f", "\\u0080\\u0085\\u009f" },	/* C1 */
		{ "\xe2\x80\xaa\xe2\x80\xae\xe2\x81\xa6\xe2\x81\xa9", "\\u202a\\u202e\\u2066\\u2069" },
		{ "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\u200e\\u200f\\u061c" },	/* LRM, RLM, ALM */
		{ "\xe2\x80\xa8\xe2\x80\xa9\xef\xbb\xbf", "\\u2028\\u2029\\ufeff" },
		{ "\xc2\xa0 \xc3\xa9 \xe2\x82\xac \xe4\xb8\xad \xf0\x9f\x98\x80", "\xc2\xa0 \xc3\xa9 \xe2\x82\xac \xe4\xb8\xad \xf0\x9f\x98\x80" },
		{ "\xff\xfe", "\\xff\\xfe" }, { "\xc0\x80", "\\xc0\\x80" },	/* overlong NUL */
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" }, { "a\xe2\x80", "a\\xe2\\x80" },	/* surrogate, cut */
		{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" }, { "\x80x", "\\x80x" },	/* > U+10FFFF, stray */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT;
		char t[64];

		diag_escape(&b, cases[i].in, strlen(cases[i].in));
		snprintf(t, sizeof(t), "diag_escape case %zu", i + 1);
		STR_EQ(buf_cstr(&b), cases[i].want, t);
		buf_free(&b);
	}
}

static int
collect_out(void *ctx, const char *p, size_t n)
{
	buf_add(ctx, p, n);
	return 0;
}

/* filter_run() keeps the config file for its two configure steps only: a
 * second run in the same process (a library user, the fuzzer) reads the file
 * again, so a changed file is seen. */
static void
test_config_file_per_run(void)
{
	char path[] = "/tmp/unit-config-XXXXXX";
	const char *in = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
	struct filter_opts fo = { path, NULL, 0, NULL, NULL };
	struct buf out1 = BUF_INIT, out2 = BUF_INIT;
	struct sink s1 = { collect_out, &out1 }, s2 = { collect_out, &out2 };
	int fd = mkstemp(path);
	FILE *fp;

	OK(fd >= 0, "config per run: a temp file");
	close(fd);
	fp = fopen(path, "w");
	fputs("apiVersion: registry-addon.dev/v1alpha1\nkind: RegistryAddon\nspec:\n  registry:\n    replicas: 4\n", fp);
	fclose(fp);
	diag_set_quiet(1);
	INT_EQ(filter_run(&fo, in, strlen(in), &s1), 0, "config per run: first run");
	fp = fopen(path, "w");
	fputs("apiVersion: registry-addon.dev/v1alpha1\nkind: RegistryAddon\nspec:\n  registry:\n    replicas: 3\n", fp);
	fclose(fp);
	INT_EQ(filter_run(&fo, in, strlen(in), &s2), 0, "config per run: second run");
	diag_set_quiet(0);
	diag_reset();
	OK(strstr(buf_cstr(&out1), "replicas: 4") && strstr(buf_cstr(&out2), "replicas: 3"),
	   "config per run: the second run reads the changed file");
	unlink(path);
	buf_free(&out1);
	buf_free(&out2);
}

/* Label selectors as kubectl -l reads them (apimachinery labels.Parse). */
static void
test_selector(void)
{
	static const struct {
		const char *sel, *labels;
		int want;	/* 1 match, 0 no match, -1 parse error */
	} t[] = {
		{ "", "{}", 1 },
		{ "app=web", "{app: web}", 1 },
		{ "app==web", "{app: web}", 1 },
		{ "app=web", "{app: api}", 0 },
		{ "app!=web", "{}", 1 },
		{ "app!=web", "{app: web}", 0 },
		{ "tier in (a, b)", "{tier: b}", 1 },
		{ "tier in (a,b)", "{tier: c}", 0 },
		{ "tier notin (a,b)", "{}", 1 },
		{ "tier notin (a,b)", "{tier: a}", 0 },
		{ "canary", "{canary: \"\"}", 1 },
		{ "!canary", "{canary: x}", 0 },
		{ " app = web , !canary ", "{app: web}", 1 },
		{ "example.com/team=a", "{example.com/team: a}", 1 },
		{ "app=", "{app: \"\"}", 1 },
		{ "app=web,", "{}", -1 },
		{ "tier in a", "{}", -1 },
		{ "tier in (a", "{}", -1 },
		{ "-bad=x", "{}", -1 },
		{ "app=we b", "{}", -1 },
		{ "gen>1", "{gen: \"2\"}", 1 },
		{ "gen<1", "{gen: \"2\"}", 0 },
		{ "gen>1", "{}", 0 },
		{ "app>x", "{}", -1 },
		{ "app=-x", "{}", -1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct arena *a = arena_new();
		const char *why = NULL;
		struct selector *s = selector_parse(t[i].sel, &why);
		char name[96];

		snprintf(name, sizeof(name), "selector \"%s\" on %s", t[i].sel, t[i].labels);
		if (t[i].want < 0)
			OK(!s && why, name);
		else
			OK(s && selector_match(s, parse(a, t[i].labels)) == (t[i].want == 1), name);
		selector_free(s);
		arena_free(a);
	}
}

/* input_read(): a stream of 5 MiB (past the first 2 MiB mapping, through a
 * pipe, so no size is known ahead) comes back byte for byte, NUL-ended; an
 * empty one gives an empty, NUL-ended buffer; one byte over the limit is
 * refused with what was read still owned. */
static FILE *
file_of(const char *path, size_t n)
{
	FILE *w = fopen(path, "w");

	for (size_t i = 0; w && i < n; i++)
		fputc('a' + (int)(i * 7 % 26), w);
	if (w)
		fclose(w);
	return fopen(path, "r");
}

/* Does the kernel's VmFlags line of the mapping holding p list flag ("hg":
 * huge pages advised, "nh": advised against)? false when not found. */
static bool
vm_flag(const void *p, const char *flag)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false, found = false;
	size_t n = strlen(flag);

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		uintptr_t lo, hi;

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		else if (in && !strncmp(line, "VmFlags:", 8))
			for (const char *t = line + 8; (t = strstr(t, flag)); t += n)
				if (t[-1] == ' ' && (t[n] == ' ' || t[n] == '\n'))
					found = true;
	}
	fclose(f);
	return found;
}

static void
test_input(void)
{
	char path[] = "/tmp/unit-input.XXXXXX";
	int fd = mkstemp(path);
	size_t n = (size_t)5 << 20, bad = 0;
	struct input in = INPUT_INIT;
	FILE *f, *p;

	if (fd < 0 || !(f = file_of(path, n))) {
		OK(false, "input: a temporary file");
		return;
	}
	close(fd);
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "cat %s", path);
	p = popen(cmd, "r");
	OK(p && input_read(p, "a pipe", n, &in) == 0, "input: 5 MiB through a pipe");
	for (size_t i = 0; i < n && in.len == n; i++)
		bad += in.p[i] != 'a' + (int)(i * 7 % 26);
	OK(in.len == n && bad == 0 && in.cap > n, "input: every byte");
	OK(in.p && ((uintptr_t)in.p & (((uintptr_t)2 << 20) - 1)) == 0 && in.cap % ((size_t)2 << 20) == 0,
	   "input: whole 2 MiB pages, for the kernel to back with huge ones");
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0)
		OK(in.p && vm_flag(in.p, "hg") && !vm_flag(in.p, "nh"), "input: 5 MiB advised for huge pages (VmFlags hg)");
	else
		printf("# not run: huge page advice (this kernel has no transparent huge pages)\n");
	if (p)
		pclose(p);
	input_free(&in);
	OK(in.p == NULL && in.cap == 0, "input: freed");
	OK(input_read(f, "a file", n - 1, &in) != 0 && errors_of(-1) == 1 && in.len == n, "input: over the limit refused");
	input_free(&in);
	fclose(f);
	f = file_of(path, 4096);
	OK(f && input_read(f, "a small file", n, &in) == 0 && in.len == 4096, "input: 4 KiB");
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0)
		OK(in.p && vm_flag(in.p, "nh") && !vm_flag(in.p, "hg"),
		   "input: 4 KiB advised against huge pages (VmFlags nh: no 2 MiB for a small run)");
	input_free(&in);
	if (f)
		fclose(f);
	f = file_of(path, 0);
	OK(f && input_read(f, "an empty file", 10, &in) == 0 && in.len == 0 && in.p && in.p[0] == '\0',
	   "input: empty, still a NUL-ended buffer");
	input_free(&in);
	if (f)
		fclose(f);
	unlink(path);
}

/* The message diag writes for line:col of src (len bytes), into out. */
static void
diag_shown(const char *src, size_t len, int line, int col, char *out, size_t size)
{
	char *text = NULL;
	size_t textlen = 0;
	FILE *log = open_memstream(&text, &textlen);
	struct where w = { .file = "f", .src = src, .srclen = len, .line = line, .col = col };

	diag_set_log(log);
	diag_error(&w, "m");
	diag_set_log(NULL);
	fclose(log);
	snprintf(out, size, "%s", text ? text : "");
	free(text);
}

/* The source line and caret under each message, whatever order the
 * messages come in, over a text long enough for many of textpos.c's
 * checkpoints (lines "l1".."l3000" ending in LF, CRLF and lone CR), and
 * past its last line. */
static void
test_diag_source_lines(void)
{
	static const char *const br[] = { "\n", "\r\n", "\r" };
	struct buf src = BUF_INIT;
	char got[256], want[256];
	unsigned seed = 11;
	size_t bad = 0;

	for (int i = 1; i <= 3000; i++)
		buf_addf(&src, "l%d%s", i, br[i % 3]);
	diag_set_quiet(1);
	for (int q = 0; q < 2000; q++) {
		seed = seed * 1103515245u + 12345u;
		int line = 1 + (int)((seed >> 8) % 3000), col = 1 + (int)((seed >> 4) % 7);

		diag_shown(src.p, src.len, line, col, got, sizeof(got));
		/* a caret past the line's end still stands at its column */
		snprintf(want, sizeof(want), "f:%d:%d: error: m\n  l%d\n  %*s^\n", line, col, line, col - 1, "");
		bad += strcmp(got, want) != 0;
	}
	OK(bad == 0, "diag: 2000 messages in random order, each over its own line, caret at its column");
	diag_shown(src.p, src.len, 3002, 1, got, sizeof(got));
	OK(!strcmp(got, "f:3002:1: error: m\n  \n  ^\n"), "diag: past the last line of a text ending in a break: an empty line");
	diag_shown("a\nb", 3, 3, 1, got, sizeof(got));
	OK(!strcmp(got, "f:3:1: error: m\n"), "diag: past the last line of a text without a final break: no line");
	diag_shown("", 0, 2, 1, got, sizeof(got));
	OK(!strcmp(got, "f:2:1: error: m\n  \n  ^\n"), "diag: an empty text: an empty line");
	buf_free(&src);
	diag_reset();
	diag_set_quiet(0);
}

/* Held messages (diag_hold()): kept and counted but not written until
 * released; released, written in order; dropped, gone with their counts
 * (behind the pre-scan ahead, filter.c). */
static void
test_diag_hold(void)
{
	FILE *log = tmpfile();
	char got[256] = "";
	size_t n;
	long before;

	diag_set_quiet(1);
	diag_set_log(log);
	diag_hold();
	diag_error(NULL, "one");
	diag_warn(NULL, "two");
	OK(ftell(log) == 0 && diag_count() == 2 && diag_error_count() == 1 && diag_exit_code() == EXIT_INPUT,
	   "diag: held messages are kept and counted, nothing written");
	diag_release(1);
	rewind(log);
	n = fread(got, 1, sizeof(got) - 1, log);
	got[n] = '\0';
	OK(!strcmp(got, "registry-addon: error: one\nregistry-addon: warning: two\n"),
	   "diag: released, the held messages are written in order");
	before = ftell(log);
	diag_hold();
	diag_error(NULL, "three");
	diag_set_exit(EXIT_USAGE);
	diag_release(0);
	OK(ftell(log) == before && diag_count() == 2 && diag_error_count() == 1 && diag_exit_code() == EXIT_INPUT,
	   "diag: dropped, the held messages are neither written nor kept nor counted");
	diag_error(NULL, "four");
	OK(ftell(log) > before && diag_count() == 3, "diag: after a release, messages are written again");
	diag_set_log(NULL);
	fclose(log);
	diag_reset();
	diag_set_quiet(0);
}

/* The byte of line:col as the old line-by-line walk found it: the
 * reference for textpos.c. */
static size_t
naive_pos(const char *src, size_t len, int line, int col)
{
	const char *p = src, *end = src + len;

	for (int l = 1; l < line; l++) {
		if (line_end(p, end) == end)
			return SIZE_MAX;
		p = line_next(p, end);
	}
	for (int c = 1; c < col && p < end && *p != '\n' && *p != '\r'; c++) {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)p, (size_t)(end - p), &cp);

		p += k ? k : 1;
	}
	return (size_t)(p - src);
}

/* textpos.c against that walk, on texts of every kind of character and
 * line break, long lines and short, over several checkpoints, asked in a
 * random order. */
static void
test_textpos(void)
{
	static const char *const piece[] = { "a", "bc", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\n", "\r",
					     "\r\n", "\xFF", "\x80", "\xE2\x82", "\n\n", "        " };
	unsigned seed = 7;
	size_t bad = 0, asked = 0;

	for (int round = 0; round < 40; round++) {
		struct buf b = BUF_INIT;
		struct textpos t;
		size_t want_len = (size_t)(round % 4 == 0 ? 40 : round % 4 == 1 ? 3000 : 30000);
		int lines = 1, maxcol = 1;
		bool long_lines = round % 3 == 0;

		while (b.len < want_len) {
			seed = seed * 1103515245u + 12345u;
			size_t k = (seed >> 16) % (sizeof(piece) / sizeof(piece[0]));

			if (long_lines && strchr(piece[k], '\n') && (seed >> 8) % 50)
				k = 0;	/* mostly one long line */
			buf_adds(&b, piece[k]);
		}
		for (size_t i = 0; i < b.len; i++)
			lines += b.p[i] == '\n' || (b.p[i] == '\r' && (i + 1 == b.len || b.p[i + 1] != '\n'));
		maxcol = (int)b.len + 2;
		textpos_init(&t, b.p, b.len);
		for (int q = 0; q < 3000; q++) {
			seed = seed * 1103515245u + 12345u;
			int line = (int)((seed >> 8) % (unsigned)(lines + 3));
			seed = seed * 1103515245u + 12345u;
			int col = q % 5 == 0 ? maxcol : (int)((seed >> 8) % (unsigned)(q % 2 ? 60 : maxcol));

			if (line < 1 || col < 1)
				continue;
			asked++;
			bad += textpos_at(&t, line, col) != naive_pos(b.p, b.len, line, col);
		}
		for (int line = 1; line <= lines + 1; line++, asked++)	/* every line start, in order */
			bad += textpos_line(&t, line) != naive_pos(b.p, b.len, line, 1);
		textpos_free(&t);
		buf_free(&b);
	}
	OK(bad == 0 && asked > 100000, "textpos: line:col as the line-by-line walk finds it, in any order");
	{
		struct textpos t;

		textpos_init(&t, "", 0);
		OK(textpos_line(&t, 1) == 0 && textpos_line(&t, 2) == SIZE_MAX, "textpos: an empty text has line 1 only");
		textpos_free(&t);
		textpos_init(&t, "a\r\n\r", 4);
		OK(textpos_line(&t, 2) == 3 && textpos_line(&t, 3) == 4 && textpos_line(&t, 4) == SIZE_MAX,
		   "textpos: CRLF is one line break, a lone CR one, at the text's end too");
		textpos_free(&t);
		textpos_init(&t, "a\r\n", 3);
		OK(textpos_line(&t, 2) == 3 && textpos_line(&t, 3) == SIZE_MAX, "textpos: a final CRLF");
		textpos_free(&t);
		textpos_init(&t, "a\n", 2);
		OK(textpos_line(&t, 2) == 2 && textpos_line(&t, 3) == SIZE_MAX && textpos_at(&t, 1, 9) == 1,
		   "textpos: an empty last line after a final break; a column past the end is the line's end");
		textpos_free(&t);
	}
}

/* SHA-256 and base64 (crypto.c, no OpenSSL) against OpenSSL's, on every
 * length to 300 (all paddings and block ends), some long ones, and random
 * bytes; the FIPS 180-4 examples by hand. SHA-256 both ways: the portable
 * code and the x86 SHA extensions (where the CPU has them). */
static void
test_sha256(const unsigned char *rnd, const char *how)
{
	static const size_t lens[] = { 1000, 4095, 4096, 65537, 1000000 };
	unsigned char *p = xmalloc(1000000);
	int bad = 0, n = 0;
	char hex[65], name[160];

	for (size_t k = 0; k < 300 + sizeof(lens) / sizeof(lens[0]); k++, n++) {
		size_t len = k < 300 ? k : lens[k - 300];
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		char wanthex[65];

		EVP_Digest(rnd, len, md, &mdlen, EVP_sha256(), NULL);
		for (unsigned i = 0; i < 32; i++)
			snprintf(wanthex + 2 * i, 3, "%02x", md[i]);
		bad += sha256_hex(rnd, len, hex) != 0 || strcmp(hex, wanthex) != 0;
	}
	snprintf(name, sizeof(name), "SHA-256 (%s): as OpenSSL's on lengths 0 to 299 and 5 long ones", how);
	OK(bad == 0 && n == 305, name);
	sha256_hex("abc", 3, hex);
	snprintf(name, sizeof(name), "SHA-256 (%s): FIPS 180-4 \"abc\"", how);
	OK(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), name);
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	snprintf(name, sizeof(name), "SHA-256 (%s): FIPS 180-4, 448 bits (the length in a block of its own)", how);
	OK(!strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"), name);
	memset(p, 'a', 1000000);
	sha256_hex(p, 1000000, hex);
	snprintf(name, sizeof(name), "SHA-256 (%s): a million 'a'", how);
	OK(!strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"), name);
	free(p);
}

static void
test_crypto(void)
{
	unsigned char *p = xmalloc(1000000);
	unsigned long long r = 0x9e3779b97f4a7c15ULL;
	int bad_b64 = 0;

	for (size_t i = 0; i < 1000000; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (unsigned char)(r >> 56);
	}
	sha256_portable = 1;
	test_sha256(p, "portable");
	sha256_portable = 0;
	if (sha256_accelerated())
		test_sha256(p, "x86 SHA extensions");
	else
		printf("# not run: SHA-256 with the x86 SHA extensions (this CPU has none)\n");
	for (size_t len = 0; len < 1100; len += len < 300 ? 1 : 97) {
		unsigned char *want64 = xmalloc(4 * ((len + 2) / 3) + 1);
		char *b64;

		EVP_EncodeBlock(want64, p, (int)len);
		b64 = base64(p, len);
		bad_b64 += strcmp(b64, (const char *)want64) != 0;
		free(b64);
		free(want64);
	}
	OK(bad_b64 == 0, "base64: as OpenSSL's EVP_EncodeBlock on lengths 0 to 299 and some longer");
	free(p);
}

int
main(void)
{
	test_defaults();
	test_set();
	test_objects();
	test_finish();
	test_resolve();
	test_emit();
	test_tree();
	test_merge();
	test_look_fast();
	test_identity();
	test_want_kind();
	test_index();
	test_image_set();
	test_net();
	test_images();
	test_mirror_path();
	test_hosts();
	test_config_hosts();
	test_image_read();
	test_quantity();
	test_k8s_names();
	test_object_fields();
	test_escape();
	test_quote_bound();
	test_config_file_per_run();
	test_gate_shapes();
	test_gate_follows();
	test_gate_compare_ends();
	test_prescan_cuts();
	test_text_scan();
	test_directives_start();
	test_gate_ahead();
	test_selector();
	test_input();
	test_diag_source_lines();
	test_diag_hold();
	test_textpos();
	test_crypto();
	return harness_done();
}
