/* unit.c - unit tests for the configuration (parsing, merging, validation),
 * plain-scalar resolution, the tree, the emitter's quoting and CIDR maths.
 * cmark-style: OK/STR_EQ print "Got/Expected" on failure; the last line is
 * "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diag.h"
#include "emit.h"
#include "images.h"
#include "net.h"
#include "util.h"
#include "yload.h"
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
	OK(config_set(c, "registry.image=r.example/x@sha256:0123456789abcdef") == 0, "digest accepted");
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
	arena_free(a);
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
		{ "ghcr.io/x/y@sha256:0123456789abcdef", "ghcr.io/x/y@sha256:0123456789abcdef" },
		{ "nginx:1.27@sha256:0123456789abcdef", "docker.io/library/nginx:1.27@sha256:0123456789abcdef" },
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
	test_net();
	test_images();
	test_mirror_path();
	return harness_done();
}
