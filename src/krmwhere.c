/* krmwhere.c - in KRM mode, a message located in the ResourceList names the
 * file of the item (or functionConfig) it is about, as kpt's and kustomize's
 * path annotations give it, and that object's identity when the message
 * names none (diag_set_locator()).
 *
 * The user never sees the ResourceList: kpt makes it of the package's files
 * and reads the result back, so "<stdin>:108:14" points nowhere they can go.
 * A line of the ResourceList is mapped to the item holding it through the
 * byte ranges of the items' nodes. */
#include "krm.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "textpos.h"
#include "util.h"
#include "ytree.h"

#define INPUT_NAME "<stdin>"

static struct {
	const struct krm *k;
	struct ynode **items;	/* the items' nodes that have bytes, in their order */
	size_t nitems;
	struct textpos text;	/* the ResourceList's lines, indexed as needed */
} L;

/* The byte at line:col (col in characters, within its line), or SIZE_MAX
 * past the last line. */
static size_t
offset_of(int line, int col)
{
	return textpos_at(&L.text, line, col);
}

static bool
holds(const struct ynode *n, size_t at)
{
	return n && n->line && at >= n->pos && at < n->end;
}

/* The item whose bytes hold at (binary search: items follow each other). */
static struct ynode *
item_at(size_t at)
{
	size_t lo = 0, hi = L.nitems;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (L.items[mid]->pos <= at)
			lo = mid;
		else
			hi = mid;
	}
	return L.nitems && holds(L.items[lo], at) ? L.items[lo] : NULL;
}

/* The annotation key of an object, or kpt's internal. copy of it. */
static const char *
annotation(struct ynode *obj, const char *key)
{
	struct ynode *ann = ypath(obj, "metadata.annotations");
	char internal[64];
	const char *v = yis_map(ann) ? ymap_gets(ann, key) : NULL;

	snprintf(internal, sizeof(internal), "internal.%s", key);
	return v || !yis_map(ann) ? v : ymap_gets(ann, internal);
}

/* kpt's index annotation ("0": the first document of the file) plus one,
 * or 0 when it is not a small decimal number. */
static int
document_of(struct ynode *obj)
{
	const char *s = annotation(obj, "config.kubernetes.io/index");
	long v = 0;

	if (!s || !*s || strlen(s) > 6 || strspn(s, "0123456789") != strlen(s))
		return 0;
	v = strtol(s, NULL, 10);
	return (int)v + 1;
}

static const char *
text_at(struct ynode *obj, const char *path)
{
	struct ynode *v = ypath(obj, path);

	return yis_scalar(v) ? yresolve(v)->str : NULL;
}

/* The object's identity, when the message names none (one that names a
 * kind without a name may be about the name: kept as it is). */
static void
identify(struct ynode *obj, struct where *w)
{
	const char *kind = text_at(obj, "kind");

	if (w->kind || !kind || !*kind)
		return;
	w->api = text_at(obj, "apiVersion");
	w->kind = kind;
	w->name = text_at(obj, "metadata.name");
	w->ns = text_at(obj, "metadata.namespace");
}

static void
locate(void *ctx, struct where *w)
{
	struct ynode *obj = NULL;

	(void)ctx;
	if (!L.k || !w->file || strcmp(w->file, INPUT_NAME) != 0)
		return;
	if (w->line > 0) {
		size_t at = offset_of(w->line, w->col);

		obj = item_at(at);
		if (!obj && holds(L.k->fc_node, at))
			obj = yresolve(L.k->fc_node);
	} else if (w->doc > 0) {
		int i = 1;

		for (obj = L.k->items ? L.k->items->head : NULL; obj && i < w->doc; obj = obj->next)
			i++;
	}
	if (!obj || !yis_map(obj))
		return;
	identify(yresolve(obj), w);
	w->path = annotation(yresolve(obj), "config.kubernetes.io/path");
	w->path_doc = w->path ? document_of(yresolve(obj)) : 0;
}

void
krm_locate_begin(const struct krm *k)
{
	krm_locate_end();
	L.k = k;
	textpos_init(&L.text, k->src, k->len);
	for (struct ynode *it = k->items ? k->items->head : NULL; it; it = it->next)
		L.nitems++;
	L.items = xcalloc(L.nitems + 1, sizeof(*L.items));
	L.nitems = 0;
	for (struct ynode *it = k->items ? k->items->head : NULL; it; it = it->next)
		if (it->line && it->end > it->pos)	/* (an empty item has no bytes) */
			L.items[L.nitems++] = it;
	diag_set_locator(locate, NULL);
}

void
krm_locate_end(void)
{
	if (L.k)
		diag_set_locator(NULL, NULL);
	free(L.items);
	textpos_free(&L.text);
	memset(&L, 0, sizeof(L));
}
