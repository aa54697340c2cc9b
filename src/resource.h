/* resource.h - what we need to know of each input object, kept after its
 * tree is gone: identity, flags, and where its bytes are.
 *
 * Ownership: strings live in the arena passed to obj_read(); struct objs owns
 * its array (objs_free()).
 */
#ifndef RESOURCE_H
#define RESOURCE_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct ynode;
struct where;

#define MARKER_ANNOTATION "registry-addon.dev/generated"
#define PART_OF_LABEL "app.kubernetes.io/part-of"
#define PART_OF_VALUE "registry-addon"
#define LOCAL_CONFIG_ANNOTATION "config.kubernetes.io/local-config"
#define PATH_ANNOTATION "config.kubernetes.io/path"	/* kpt: the file an item lives in */

enum objflag {
	OBJ_EMPTY = 1 << 0,		/* null document: dropped */
	OBJ_OURS = 1 << 1,		/* carries our marker: replaced or removed */
	OBJ_LOCAL_CONFIG = 1 << 2,	/* Kptfile, function configs: untouched */
	OBJ_PART_OF = 1 << 3,		/* labelled app.kubernetes.io/part-of: registry-addon */
};

/* A change to an input object's bytes (component workloadSpread, the only
 * one we make): src[at, at + cut) replaced by text. */
struct edit {
	size_t at, cut;
	const char *text;
	size_t len;
};

struct obj {
	int index;		/* 1-based document or item number */
	size_t start, end;	/* its bytes in the input */
	bool explicit_start;	/* the bytes begin with "---" */
	unsigned flags;
	const char *api, *kind, *ns, *name;	/* "" when absent; ns "" for cluster-scoped kinds */
	int line, col;
	struct ynode *carry;	/* ours: tools' bookkeeping annotations to keep */
	struct edit *edits;	/* in byte order, not overlapping (wspread.c) */
	size_t nedits;
};

struct objs {
	struct obj *v;
	size_t n, cap;
};

struct obj *objs_add(struct objs *os);
void objs_free(struct objs *os);

/* Fill identity and flags from a document or item root (not NULL; o->index
 * set) as the API server reads them: aliases, duplicate and merge keys as
 * sigs.k8s.io/yaml reads them (ylook.c), the namespace of a cluster-scoped
 * kind dropped, the marker and part-of label only as the strings our objects
 * carry. in names the input (file, src) for messages. Returns 0, or -1
 * (reported) where readers of YAML disagree on one of those fields
 * (duplicate keys, a key before a merge key giving it too) or a !!binary
 * key or value could hide one. */
int obj_read(struct obj *o, struct ynode *root, struct arena *a, const struct where *in);
/* Does the API server serve this kind cluster-scoped? The built-in kinds and
 * cert-manager's ClusterIssuer; any other kind (a custom resource) is taken
 * as namespaced: registry-addon generates no other cluster-scoped kind, so
 * the scope of other custom resources never decides a collision with ours. */
bool kind_is_cluster_scoped(const char *api, const char *kind);
/* Is this annotation the bookkeeping of a pipeline tool (kpt/kustomize path,
 * index and ids, Helm 4's file name), which a replaced object keeps? */
bool annotation_is_carried(const char *key);
/* Same group (apiVersion without version), kind, namespace and name? */
bool obj_is(const struct obj *o, const char *api, const char *kind, const char *ns, const char *name);
/* A struct where naming this object, for diag. */
void obj_where(const struct obj *o, struct where *w);
struct buf;
/* src[start, end) (a range of o's bytes) with o's edits made, appended to out. */
void obj_put(struct buf *out, const struct obj *o, const char *src, size_t start, size_t end);

#endif
