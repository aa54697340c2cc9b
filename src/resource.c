/* resource.c - identity and flags of input objects. */
#include "resource.h"

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

static const char *
keep(struct arena *a, struct ynode *map, const char *key)
{
	const char *s = ymap_gets(map, key);

	return s ? arena_strdup(a, s) : "";
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

void
obj_read(struct obj *o, struct ynode *root, struct arena *a)
{
	struct ynode *meta = ymap_get(root, "metadata");
	const char *marker = ymap_gets(ymap_get(meta, "annotations"), MARKER_ANNOTATION);
	const char *local = ymap_gets(ymap_get(meta, "annotations"), LOCAL_CONFIG_ANNOTATION);

	o->api = keep(a, root, "apiVersion");
	o->kind = keep(a, root, "kind");
	o->name = keep(a, meta, "name");
	o->ns = keep(a, meta, "namespace");
	o->line = root->line;
	o->col = root->col;
	if (local && !strcmp(local, "true"))
		o->flags |= OBJ_LOCAL_CONFIG;
	else if (marker && !strcmp(marker, "true")) {
		o->flags |= OBJ_OURS;
		o->carry = carried(ymap_get(meta, "annotations"), a);
	}
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
