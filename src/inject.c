/* inject.c - the injector table and install order (identity checks: reconcile.c). */
#include "inject.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "diag.h"
#include "emit.h"
#include "images.h"
#include "net.h"
#include "resource.h"
#include "util.h"
#include "ytree.h"

static const struct injector {
	const char *name;
	unsigned components;	/* runs when any of these is enabled */
	int (*run)(struct inject *in);
	bool removed;		/* also under managementState Removed (the node clean-up) */
} injectors[] = {
	{ "namespace", C_REGISTRY | C_SYNC | C_CERTIFICATES | C_NODETRUST, inject_namespace, true },
	{ "resourceQuota", C_REGISTRY | C_NODETRUST, inject_resource_quota, true },	/* GKE: critical pods */
	{ "localRegistryHosting", C_LOCALREGISTRYHOSTING, inject_hosting, false },
	{ "serviceAccount", C_REGISTRY, inject_serviceaccount, false },
	{ "registryConfig", C_REGISTRY, inject_registry_config, false },
	{ "syncConfig", C_SYNC, inject_sync_config, false },
	{ "services", C_REGISTRY, inject_services, false },
	{ "statefulSet", C_REGISTRY, inject_statefulset, false },	/* after the ConfigMaps: hashes them */
	{ "podDisruptionBudget", C_REGISTRY, inject_pdb, false },
	{ "networkPolicy", C_REGISTRY, inject_networkpolicy, false },
	{ "tlsDates", C_REGISTRY | C_CERTIFICATES | C_NODETRUST, inject_tls_dates, false },	/* before the CA is read */
	{ "pushCA", C_REGISTRY, inject_push_ca, false },
	{ "certificates", C_CERTIFICATES, inject_certificates, false },
	{ "tlsSecret", C_CERTIFICATES, inject_tls_secret, false },
	{ "nodeConfig", C_NODETRUST, inject_node_config, true },
	{ "nodeDaemonSet", C_NODETRUST, inject_node_daemonset, true },	/* after nodeConfig: hashes it */
};

/* Helm's install order (pkg/releaseutil/kind_sorter.go); unknown kinds last. */
static const char *const install_order[] = {
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
	"PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
	"ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
	"CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
	"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
	"DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
	"APIService",
	/* custom resources we make: issuers before the Certificates they sign */
	"ClusterIssuer", "Issuer", "Certificate",
};

static size_t
kind_rank(const char *kind)
{
	size_t n = sizeof(install_order) / sizeof(install_order[0]);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(install_order[i], kind))
			return i;
	return n;
}

struct ynode *
inject_object(struct inject *in, const char *api, const char *kind, const char *ns,
	      const char *name, const char *component)
{
	struct arena *a = in->a;
	struct ynode *root = ynode_map(a), *meta, *labels;
	struct gen *g;

	ymap_str(a, root, "apiVersion", api);
	ymap_str(a, root, "kind", kind);
	meta = ymap_map(a, root, "metadata");
	ymap_str(a, meta, "name", name);
	if (ns)
		ymap_str(a, meta, "namespace", ns);
	labels = ymap_map(a, meta, "labels");
	ymap_str(a, labels, PART_OF_LABEL, PART_OF_VALUE);
	ymap_str(a, labels, "app.kubernetes.io/component", component);
	ymap_str(a, ymap_map(a, meta, "annotations"), MARKER_ANNOTATION, "true");
	if (in->ngen == in->capgen) {
		in->capgen = in->capgen ? in->capgen * 2 : 16;
		in->gen = xrealloc(in->gen, in->capgen * sizeof(*in->gen));
	}
	g = &in->gen[in->ngen++];
	g->root = root;
	g->api = api;
	g->kind = kind;
	g->ns = ns ? ns : "";
	g->name = ymap_gets(meta, "name");
	return root;
}

char *
inject_service_host(const struct inject *in)
{
	const struct config *c = in->cfg;

	if (c->registry.service.port == 443)
		return xasprintf("%s.%s.svc.%s", REGISTRY_SERVICE, c->namespace, c->cluster_domain);
	return xasprintf("%s.%s.svc.%s:%ld", REGISTRY_SERVICE, c->namespace, c->cluster_domain,
			 c->registry.service.port);
}

char *
inject_peer_host(const struct inject *in, long i, int port)
{
	return xasprintf("%s-%ld.%s.%s.svc.%s:%d", REGISTRY_SERVICE, i, REGISTRY_HEADLESS, in->cfg->namespace,
			 in->cfg->cluster_domain, port);
}

char *
inject_ip_host(const char *ip, long port)
{
	int v6 = strchr(ip, ':') != NULL;	/* image references bracket IPv6 hosts */

	if (port == 443)
		return xasprintf("%s%s%s", v6 ? "[" : "", ip, v6 ? "]" : "");
	return xasprintf("%s%s%s:%ld", v6 ? "[" : "", ip, v6 ? "]" : "", port);
}

bool
inject_all_platforms(const struct inject *in)
{
	const struct strlist *p = &in->cfg->sync.platforms;

	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i], "all"))
			return true;
	return false;
}

static void
add_name(struct inject *in, struct sans *s, const char *fmt, ...)
{
	va_list ap;
	struct buf b = BUF_INIT;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	s->dns[s->ndns++] = arena_strdup(in->a, buf_cstr(&b));
	buf_free(&b);
}

void
inject_sans(struct inject *in, struct sans *s)
{
	const struct config *c = in->cfg;
	const char *ns = c->namespace, *dom = c->cluster_domain, *svc = REGISTRY_SERVICE, *hl = REGISTRY_HEADLESS;
	size_t max = 4 + 4 * (size_t)c->registry.replicas + c->registry.hostnames.n;

	s->dns = arena_alloc(in->a, max * sizeof(char *));
	s->ndns = 0;
	add_name(in, s, "%s", svc);
	add_name(in, s, "%s.%s", svc, ns);
	add_name(in, s, "%s.%s.svc", svc, ns);
	add_name(in, s, "%s.%s.svc.%s", svc, ns, dom);
	for (long i = 0; i < c->registry.replicas; i++) {
		add_name(in, s, "%s-%ld", svc, i);
		add_name(in, s, "%s-%ld.%s.%s", svc, i, hl, ns);
		add_name(in, s, "%s-%ld.%s.%s.svc", svc, i, hl, ns);
		add_name(in, s, "%s-%ld.%s.%s.svc.%s", svc, i, hl, ns, dom);
	}
	for (size_t i = 0; i < c->registry.hostnames.n; i++)
		add_name(in, s, "%s", c->registry.hostnames.v[i]);
	s->ips = arena_alloc(in->a, 3 * sizeof(char *));
	s->ips[0] = c->registry.service.cluster_ip;
	s->ips[1] = c->registry.service.mirror_cluster_ip;
	s->ips[2] = "127.0.0.1";
	s->nips = 3;
}

/* The host of a reference without its port and brackets, lower-case. */
static char *
bare_host(const char *ref)
{
	char *host = image_host(ref), *p = host, *end;

	if (*p == '[') {
		end = strchr(++p, ']');
		memmove(host, p, end ? (size_t)(end - p) : strlen(p));
		host[end ? (size_t)(end - p) : strlen(p)] = '\0';
	} else if ((end = strrchr(host, ':')) != NULL) {
		*end = '\0';
	}
	return host;
}

/* host is base, base.<ns>, base.<ns>.svc or base.<ns>.svc.<any domain>. */
static bool
dns_forms(const char *host, const char *base, const char *ns)
{
	size_t b = strlen(base), n = strlen(ns);

	if (strncmp(host, base, b) != 0)
		return false;
	host += b;
	if (!*host)
		return true;
	if (*host++ != '.' || strncmp(host, ns, n) != 0)
		return false;
	host += n;
	return !*host || !strcmp(host, ".svc") || !strncmp(host, ".svc.", 5);
}

/* One of the registry's DNS names in any of its forms: its Services
 * (registry, registry-headless) and every replica, any ordinal
 * (registry-<i>[.registry-headless...]), each as name, name.<ns>,
 * name.<ns>.svc, name.<ns>.svc.<domain>; registry.hostnames. */
static bool
own_name(const struct config *c, const char *host)
{
	size_t n = strlen(REGISTRY_SERVICE);
	const char *p = host + n + 1;

	if (dns_forms(host, REGISTRY_SERVICE, c->namespace) || dns_forms(host, REGISTRY_HEADLESS, c->namespace))
		return true;
	if (!strncmp(host, REGISTRY_SERVICE "-", n + 1) && isdigit((unsigned char)*p)) {
		while (isdigit((unsigned char)*p))
			p++;
		if (!*p || (*p == '.' && dns_forms(p + 1, REGISTRY_HEADLESS, c->namespace)))
			return true;
	}
	for (size_t i = 0; i < c->registry.hostnames.n; i++)
		if (!strcmp(host, c->registry.hostnames.v[i]))
			return true;
	return false;
}

/* Images of our own registry (any of its names or its ClusterIP, on any
 * port) are already where they are going; loopback hosts are not reachable
 * from the registry pod, nor the same host on a node. */
int
inject_own_host(const struct inject *in, const char *ref)
{
	const struct config *c = in->cfg;
	char *full = image_host(ref), *host = bare_host(ref);
	struct ipaddr a, b;
	int own = image_host_is_loopback(full) || own_name(c, host);

	if (!own && ip_parse(host, &a) == 0 && ip_parse(c->registry.service.cluster_ip, &b) == 0)
		own = a.family == b.family && !memcmp(a.b, b.b, sizeof(a.b));
	free(full);
	free(host);
	return own;
}

const char *
inject_own_why(const char *ref)
{
	char *full = image_host(ref);
	int loopback = image_host_is_loopback(full);

	free(full);
	if (loopback)
		return "a loopback host (localhost, 127.0.0.0/8, [::1]) is each node's and each pod's own, never an "
		       "upstream the registry can reach; only upstream registries are mirrored and preloaded";
	return "it names the add-on's own registry (a DNS form of its Services or replicas, registry.hostnames or "
	       "the ClusterIP, on any port), whose images are already in it; only upstream registries are mirrored "
	       "and preloaded";
}

char *
inject_cluster_host(const struct inject *in)
{
	return inject_ip_host(in->cfg->registry.service.cluster_ip, in->cfg->registry.service.port);
}

void
inject_set_copy(struct inject *in, struct ynode *map, const char *key, struct ynode *v)
{
	long budget = 100000;

	if (v && v->len)
		ymap_set(in->a, map, key, ynode_copy(in->a, v, &budget));
}

struct ynode *
inject_mount(struct inject *in, struct ynode *mounts, const char *name, const char *path, bool ro)
{
	struct ynode *m = yseq_add(mounts, ynode_map(in->a));

	ymap_str(in->a, m, "name", name);
	ymap_str(in->a, m, "mountPath", path);
	if (ro)
		ymap_bool(in->a, m, "readOnly", true);
	return m;
}

struct ynode *
inject_volume(struct inject *in, struct ynode *volumes, const char *name)
{
	struct ynode *v = yseq_add(volumes, ynode_map(in->a));

	ymap_str(in->a, v, "name", name);
	return v;
}

struct ynode *
inject_selector(struct inject *in)
{
	struct ynode *m = ynode_map(in->a);

	ymap_str(in->a, m, "app.kubernetes.io/name", "registry");
	ymap_str(in->a, m, PART_OF_LABEL, PART_OF_VALUE);
	return m;
}

struct ynode *
inject_find(const struct inject *in, const char *kind, const char *name)
{
	for (size_t i = 0; i < in->ngen; i++)
		if (!strcmp(in->gen[i].kind, kind) && !strcmp(in->gen[i].name, name))
			return in->gen[i].root;
	return NULL;
}

/* A ConfigMap's data as the text its checksum covers: each key and value,
 * length-prefixed, in order (our ConfigMaps are generated, so the order is
 * the same every run). Not emitted as YAML: that doubled the run's work. */
static int
data_text(struct buf *b, const struct ynode *data)
{
	if (!data || data->kind != Y_MAP)
		return -1;
	for (const struct ynode *k = data->head; k && k->next; k = k->next->next) {
		if (k->next->kind != Y_SCALAR)
			return -1;
		buf_addf(b, "%zu:%s%zu:", strlen(k->str), k->str, strlen(k->next->str));
		buf_add(b, k->next->str, strlen(k->next->str));
	}
	return 0;
}

int
inject_checksum(const struct inject *in, const char *kind, const char *name, char out[65])
{
	struct ynode *obj = inject_find(in, kind, name);
	struct buf text = BUF_INIT;
	int rc;

	if (!obj) {
		out[0] = '\0';
		return 0;
	}
	rc = data_text(&text, ymap_get(obj, "data"));
	if (rc == 0)
		rc = sha256_hex(text.p, text.len, out);
	buf_free(&text);
	return rc;
}

/* A new object's file in a KRM package (kpt writes an item to the file its
 * path annotation names; without one it would scatter <kind>_<name>.yaml files
 * over the package root). One file per object, unique by identity: the
 * namespace is a folder. Lower case, like kpt's own default names. */
static void
file_new_objects(struct inject *in)
{
	for (size_t i = 0; i < in->ngen; i++) {
		struct gen *g = &in->gen[i];
		struct ynode *ann = ypath(g->root, "metadata.annotations");
		struct buf b = BUF_INIT;

		if (ymap_get(ann, PATH_ANNOTATION) || ymap_get(ann, "internal." PATH_ANNOTATION))
			continue;
		buf_addf(&b, "%s/", in->path_dir);
		if (*g->ns)
			buf_addf(&b, "%s/", g->ns);
		for (const char *c = g->kind; *c; c++)
			buf_addc(&b, (char)tolower((unsigned char)*c));
		buf_addf(&b, "_%s.yaml", g->name);
		ymap_str(in->a, ann, PATH_ANNOTATION, buf_cstr(&b));
		buf_free(&b);
	}
}

static int
by_install_order(const void *x, const void *y)
{
	const struct gen *a = x, *b = y;
	size_t ra = kind_rank(a->kind), rb = kind_rank(b->kind);
	int c;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if ((c = strcmp(a->kind, b->kind)) != 0)
		return c;
	if ((c = strcmp(a->ns, b->ns)) != 0)
		return c;
	return strcmp(a->name, b->name);
}

void
inject_probe_managed(const struct inject *in, struct config *cfg, struct inject *probe)
{
	*cfg = *in->cfg;
	cfg->state = MS_MANAGED;
	memset(probe, 0, sizeof(*probe));
	probe->cfg = cfg;
	probe->a = arena_new();
	probe->input = in->input;
	probe->images = in->images;
	diag_mute(1);	/* a configuration valid for Removed may not be for Managed */
	for (size_t i = 0; i < sizeof(injectors) / sizeof(injectors[0]); i++)
		if (config_has(cfg, injectors[i].components))
			(void)injectors[i].run(probe);	/* the others' objects still count */
	diag_mute(0);
}

void
inject_probe_free(struct inject *probe)
{
	inject_free(probe);
	arena_free(probe->a);
	probe->a = NULL;
}

int
inject_run(struct inject *in)
{
	bool removed = in->cfg->state == MS_REMOVED;

	for (size_t i = 0; i < sizeof(injectors) / sizeof(injectors[0]); i++)
		if ((!removed || injectors[i].removed) && config_has(in->cfg, injectors[i].components) &&
		    injectors[i].run(in) != 0)
			return -1;
	if (inject_reconcile(in) != 0)
		return -1;
	if (in->path_dir)
		file_new_objects(in);
	if (in->ngen > 1)
		qsort(in->gen, in->ngen, sizeof(in->gen[0]), by_install_order);
	return 0;
}

void
inject_free(struct inject *in)
{
	free(in->gen);
	in->gen = NULL;
	in->ngen = in->capgen = 0;
}
