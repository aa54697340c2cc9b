/* resource.c - identity and flags of input objects. */
#include "resource.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"
#include "ytree.h"

struct obj *
objs_add(struct objs *os)
{
	if (os->n == os->cap) {
		os->cap = os->cap ? os->cap * 2 : 64;
		os->v = xrealloc(os->v, os->cap * sizeof(*os->v));
	}
	memset(&os->v[os->n], 0, sizeof(os->v[0]));
	return &os->v[os->n++];
}

void
objs_free(struct objs *os)
{
	free(os->v);
	os->v = NULL;
	os->n = os->cap = 0;
}

/* Kinds the API server serves cluster-scoped, by group: the built-in ones and
 * cert-manager's ClusterIssuer. Their metadata.namespace is ignored. */
static const struct {
	const char *group, *kind;
} cluster_kinds[] = {
	{ "", "Namespace" }, { "", "Node" }, { "", "PersistentVolume" }, { "", "ComponentStatus" },
	{ "rbac.authorization.k8s.io", "ClusterRole" }, { "rbac.authorization.k8s.io", "ClusterRoleBinding" },
	{ "storage.k8s.io", "StorageClass" }, { "storage.k8s.io", "CSIDriver" }, { "storage.k8s.io", "CSINode" },
	{ "storage.k8s.io", "VolumeAttachment" }, { "storage.k8s.io", "VolumeAttributesClass" },
	{ "storagemigration.k8s.io", "StorageVersionMigration" },
	{ "scheduling.k8s.io", "PriorityClass" }, { "node.k8s.io", "RuntimeClass" },
	{ "apiextensions.k8s.io", "CustomResourceDefinition" }, { "apiregistration.k8s.io", "APIService" },
	{ "admissionregistration.k8s.io", "MutatingWebhookConfiguration" },
	{ "admissionregistration.k8s.io", "ValidatingWebhookConfiguration" },
	{ "admissionregistration.k8s.io", "ValidatingAdmissionPolicy" },
	{ "admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding" },
	{ "admissionregistration.k8s.io", "MutatingAdmissionPolicy" },
	{ "admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding" },
	{ "networking.k8s.io", "IngressClass" }, { "networking.k8s.io", "IPAddress" },
	{ "networking.k8s.io", "ServiceCIDR" },
	{ "certificates.k8s.io", "CertificateSigningRequest" }, { "certificates.k8s.io", "ClusterTrustBundle" },
	{ "flowcontrol.apiserver.k8s.io", "FlowSchema" },
	{ "flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration" },
	{ "internal.apiserver.k8s.io", "StorageVersion" },
	{ "resource.k8s.io", "DeviceClass" }, { "resource.k8s.io", "ResourceSlice" },
	{ "policy", "PodSecurityPolicy" }, { "extensions", "PodSecurityPolicy" },
	{ "authentication.k8s.io", "TokenReview" }, { "authentication.k8s.io", "SelfSubjectReview" },
	{ "authorization.k8s.io", "SubjectAccessReview" },
	{ "authorization.k8s.io", "SelfSubjectAccessReview" },
	{ "authorization.k8s.io", "SelfSubjectRulesReview" },
	{ "cert-manager.io", "ClusterIssuer" },
};

static size_t group_len(const char *api);

bool
kind_is_cluster_scoped(const char *api, const char *kind)
{
	size_t g = group_len(api);

	for (size_t i = 0; i < sizeof(cluster_kinds) / sizeof(cluster_kinds[0]); i++)
		if (strlen(cluster_kinds[i].group) == g && !strncmp(api, cluster_kinds[i].group, g) &&
		    !strcmp(kind, cluster_kinds[i].kind))
			return true;
	return false;
}

bool
annotation_is_carried(const char *key)
{
	static const char *const prefixes[] = {
		"config.kubernetes.io/", "internal.config.kubernetes.io/", "config.k8s.io/",
		"kustomize.config.k8s.io/", "postrenderer.helm.sh/",
	};

	if (!strcmp(key, LOCAL_CONFIG_ANNOTATION))
		return false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(key, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* The carried annotations of one of our objects, copied (they are short). */
static struct ynode *
carried(struct ynode *annotations, struct arena *a)
{
	struct ynode *m = NULL;
	struct ymap_index *ix = NULL;

	for (struct ynode *k = yis_map(annotations) ? yresolve(annotations)->head : NULL; k && k->next; k = k->next->next) {
		struct ynode *rk = yresolve(k), *v = yresolve(k->next);

		if (!yis_scalar(rk) || !yis_scalar(v) || !annotation_is_carried(rk->str))
			continue;
		if (!m)
			ix = ymap_index_new(m = ynode_map(a));
		ymap_index_set(a, ix, rk->str, ynode_strn(a, v->str, v->len));
	}
	ymap_index_free(ix);
	return m;
}

/* Reading one object's identity and flags; the first disagreement is an error. */
struct reader {
	struct where w;
	int rc;
};

/* The field is key under parent (a dotted path or NULL): its path is built
 * here, as only an error needs it. */
static void
read_error(struct reader *r, struct ynode *at, const char *parent, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
read_error(struct reader *r, struct ynode *at, const char *parent, const char *key, const char *fmt, ...)
{
	struct where w = r->w;
	struct buf path = BUF_INIT;
	va_list ap;

	if (r->rc)
		return;
	where_at(&w, at);
	buf_addf(&path, "%s%s%s", parent ? parent : "", parent ? "." : "", key);
	w.field = buf_cstr(&path);
	va_start(ap, fmt);
	diag_vreport(SEV_ERROR, &w, fmt, ap);
	va_end(ap);
	buf_free(&path);
	r->rc = -1;
}

static const char *
value_text(struct ynode *v)
{
	return yis_scalar(v) && !yis_null(v) ? yresolve(v)->str : "";
}

/* A scalar's text for a message, or "a collection". */
static void
describe(struct buf *b, struct ynode *key)
{
	struct ynode *v = key ? yresolve(key->next) : NULL;

	if (yis_scalar(v))
		buf_addf(b, "\"%.80s\"", v->str);
	else
		buf_adds(b, v ? "a collection" : "nothing");
	buf_addf(b, " on line %d", key ? key->line : 0);
}

/* key of map (under parent, a dotted path or NULL) as the API server reads
 * it; readers of YAML that disagree on it, or a !!binary key or value, are
 * errors. */
static struct ynode *
field(struct reader *r, struct ynode *map, const char *parent, const char *key)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct ylook l;

	ymap_look(map, key, &l);
	if (l.binary) {
		read_error(r, l.binary, parent, key, "a !!binary key where registry-addon reads this field of "
			   "the object's identity or flags: it cannot tell whether its base64 text names the field; "
			   "write the key as text");
	} else if (l.other) {
		describe(&a, l.key);
		describe(&b, l.other);
		read_error(r, l.other, parent, key, "given twice with different values: Helm and kubectl "
			   "(sigs.k8s.io/yaml) read %s, kustomize and kpt %s (duplicate keys, or a key before a merge "
			   "key << that gives it too); give it once", buf_cstr(&a), buf_cstr(&b));
	} else if (ytag_is(yresolve(l.val), "binary")) {
		read_error(r, l.val, parent, key, "a !!binary value where registry-addon reads the object's "
			   "identity or flags; write it as text");
	}
	buf_free(&a);
	buf_free(&b);
	return l.val;
}

static bool
is_string(struct ynode *v, const char *s)
{
	return yis_string(v) && !strcmp(yresolve(v)->str, s);
}

int
obj_read(struct obj *o, struct ynode *root, struct arena *a, const struct where *in)
{
	struct reader r = { .w = *in };
	struct ynode *meta, *ann, *labels, *local;

	r.w.doc = o->index;
	o->line = root->line;
	o->col = root->col;
	o->api = arena_strdup(a, value_text(field(&r, root, NULL, "apiVersion")));
	o->kind = arena_strdup(a, value_text(field(&r, root, NULL, "kind")));
	obj_where(o, &r.w);	/* the name follows */
	meta = field(&r, root, NULL, "metadata");
	o->name = arena_strdup(a, value_text(field(&r, meta, "metadata", "name")));
	o->ns = arena_strdup(a, value_text(field(&r, meta, "metadata", "namespace")));
	if (kind_is_cluster_scoped(o->api, o->kind))
		o->ns = "";	/* the API server ignores it */
	obj_where(o, &r.w);
	ann = field(&r, meta, "metadata", "annotations");
	labels = field(&r, meta, "metadata", "labels");
	local = field(&r, ann, "metadata.annotations", LOCAL_CONFIG_ANNOTATION);
	if (yis_scalar(local) && !strcmp(yresolve(local)->str, "true")) {	/* kyaml compares the text */
		o->flags |= OBJ_LOCAL_CONFIG;
	} else if (is_string(field(&r, ann, "metadata.annotations", MARKER_ANNOTATION), "true")) {
		o->flags |= OBJ_OURS;
		o->carry = carried(ann, a);
	}
	if (is_string(field(&r, labels, "metadata.labels", PART_OF_LABEL), PART_OF_VALUE))
		o->flags |= OBJ_PART_OF;
	return r.rc;
}

static size_t
group_len(const char *api)
{
	const char *slash = strchr(api, '/');

	return slash ? (size_t)(slash - api) : 0;	/* core group "v1" -> "" */
}

bool
obj_is(const struct obj *o, const char *api, const char *kind, const char *ns, const char *name)
{
	size_t g = group_len(api);

	return group_len(o->api) == g && strncmp(o->api, api, g) == 0 && !strcmp(o->kind, kind) &&
	       !strcmp(o->ns, ns) && !strcmp(o->name, name);
}

void
obj_where(const struct obj *o, struct where *w)
{
	w->doc = o->index;
	w->api = o->api;
	w->kind = *o->kind ? o->kind : NULL;
	w->ns = o->ns;
	w->name = o->name;
}

void
obj_put(struct buf *out, const struct obj *o, const char *src, size_t start, size_t end)
{
	size_t at = start;

	for (size_t i = 0; i < o->nedits; i++) {
		const struct edit *e = &o->edits[i];

		if (e->at < at || e->at + e->cut > end)
			continue;	/* not in the range (cannot happen: edits lie inside the object) */
		buf_add(out, src + at, e->at - at);
		buf_add(out, e->text, e->len);
		at = e->at + e->cut;
	}
	buf_add(out, src + at, end - at);
}
