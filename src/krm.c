/* krm.c - ResourceList in, ResourceList out (KRM functions specification),
 * items copied as their original bytes. */
#include "krm.h"

#include <string.h>

#include "diag.h"
#include "emit.h"
#include "inject.h"
#include "resource.h"
#include "util.h"
#include "ytree.h"

bool
krm_detect(struct ynode *root)
{
	const char *kind = ymap_gets(root, "kind");

	if (!kind || (strcmp(kind, "ResourceList") != 0 && strcmp(kind, "List") != 0))
		return false;
	return ymap_get(root, "items") || ymap_get(root, "functionConfig");
}

/* Does any alias inside n point outside [lo, hi)? (anchors across items
 * cannot survive items being copied one by one) */
static bool
alias_escapes(struct ynode *n, size_t lo, size_t hi, int depth)
{
	if (!n || depth > 300)
		return false;
	if (n->kind == Y_ALIAS)
		return !n->target || n->target->pos < lo || n->target->pos >= hi;
	for (struct ynode *c = n->head; c; c = c->next)
		if (alias_escapes(c, lo, hi, depth + 1))
			return true;
	return false;
}

static int
item_error(const struct krm *k, struct ynode *item, int index, const char *msg)
{
	struct where w = { .file = "<stdin>", .src = k->src, .srclen = k->len, .doc = index,
			   .line = item->line, .col = item->col, .field = "items" };

	diag_error(&w, "%s", msg);
	return -1;
}

int
krm_unwrap(struct krm *k, struct ynode *root, const char *src, size_t len, struct objs *objs, struct arena *a)
{
	int index = 0, rc = 0;

	memset(k, 0, sizeof(*k));
	k->src = src;
	k->len = len;
	k->root = root;
	k->api = ymap_gets(root, "apiVersion");
	k->kind = ymap_gets(root, "kind");
	k->is_list = !strcmp(k->kind, "List");
	k->items = ymap_get(root, "items");
	k->function_config = ymap_get(root, "functionConfig");
	if (!k->api)
		k->api = k->is_list ? "v1" : "config.kubernetes.io/v1";
	if (yis_null(k->items))
		k->items = NULL;
	if (yis_null(k->function_config))
		k->function_config = NULL;
	if (k->items && !yis_seq(k->items))
		return item_error(k, k->items, 0, "items must be a list of objects");
	for (struct ynode *it = k->items ? k->items->head : NULL; it; it = it->next) {
		struct obj *o = objs_add(objs);

		o->index = ++index;
		if (it->kind != Y_MAP) {
			rc = item_error(k, it, index, "item is not a Kubernetes object (a mapping with apiVersion and kind)");
			continue;
		}
		if (alias_escapes(it, it->pos, it->end, 0)) {
			rc = item_error(k, it, index, "item refers to an anchor outside itself; registry-addon copies items one by one and cannot keep that reference");
			continue;
		}
		o->start = it->pos;
		o->end = it->end;
		obj_read(o, it, a);
	}
	return rc;
}

static size_t
column_of(const char *src, size_t pos)
{
	size_t c = 0;

	while (pos > c && src[pos - c - 1] != '\n')
		c++;
	return c;
}

/* Copy a node's original text so that it parses the same at its new place.
 * Block nodes: every line is kept and shifted right as a whole by the same
 * amount (which keeps its shape, block scalars included) so that the first
 * line lands at column want; item nodes get "- " two columns to its left.
 * Flow nodes: written after the lead, later lines indented by two (inside
 * flow collections indentation carries no meaning). */
static void
copy_node(struct buf *out, const char *src, size_t start, size_t end, bool flow, bool item, size_t want)
{
	size_t col, shift;

	while (end > start && (src[end - 1] == ' ' || src[end - 1] == '\t' || src[end - 1] == '\r'))
		end--;
	if (flow) {	/* (no column_of(): items of one long flow line made it n^2) */
		for (size_t i = 0; item && i + 2 < want; i++)
			buf_addc(out, ' ');
		buf_adds(out, item ? "- " : " ");
		shift = want;
	} else {
		col = column_of(src, start);
		shift = want > col ? want - col : 0;
		if (!item)
			buf_addc(out, '\n');
		for (size_t i = 0; i < col + shift - (item ? 2 : 0); i++)
			buf_addc(out, ' ');
		if (item)
			buf_adds(out, "- ");
	}
	for (size_t i = start; i < end; i++) {
		buf_addc(out, src[i]);
		if (src[i] == '\n' && shift && i + 1 < end)
			for (size_t j = 0; j < shift; j++)
				buf_addc(out, ' ');
	}
	if (out->len && out->p[out->len - 1] != '\n')
		buf_addc(out, '\n');
}

/* One column for every "- " of the items list: the deepest block item's. */
static size_t
items_column(const struct krm *k, const struct objs *objs, const bool *keep)
{
	struct ynode *it = k->items ? k->items->head : NULL;
	size_t want = 2;

	for (size_t i = 0; i < objs->n && it; i++, it = it->next)
		if (keep[i] && it->style != YS_FLOW && column_of(k->src, objs->v[i].start) > want)
			want = column_of(k->src, objs->v[i].start);
	return want;
}

static void
add_results(struct buf *out)
{
	struct arena *a = arena_new();
	struct ynode *results = ynode_seq(a);
	struct buf text = BUF_INIT;

	for (size_t i = 0; i < diag_count(); i++) {
		const struct diag_msg *m = diag_get(i);
		struct ynode *r = yseq_add(results, ynode_map(a));

		ymap_str(a, r, "message", m->text);
		ymap_str(a, r, "severity", m->sev == SEV_ERROR ? "error" : m->sev == SEV_WARNING ? "warning" : "info");
		if (m->kind) {
			struct ynode *ref = ymap_map(a, r, "resourceRef");

			ymap_str(a, ref, "apiVersion", m->api ? m->api : "");
			ymap_str(a, ref, "kind", m->kind);
			ymap_str(a, ref, "name", m->name ? m->name : "");
			if (m->ns && *m->ns)
				ymap_str(a, ref, "namespace", m->ns);
		}
		if (m->field)
			ymap_str(a, ymap_map(a, r, "field"), "path", m->field);
		if (m->file && m->line)
			ymap_str(a, ymap_map(a, r, "file"), "path", m->file);
	}
	if (results->len && emit_yaml(&text, results) == 0) {
		buf_adds(out, "results:\n");
		buf_add(out, text.p, text.len);
	}
	buf_free(&text);
	arena_free(a);
}

int
krm_wrap(const struct krm *k, const struct objs *objs, const bool *keep,
	 const struct gen *gen, size_t ngen, struct buf *out)
{
	struct ynode *it = k->items ? k->items->head : NULL;
	size_t nitems = 0, want;

	buf_addf(out, "apiVersion: %s\nkind: %s\n", k->api, k->kind);
	for (size_t i = 0; i < objs->n; i++)
		nitems += keep[i];
	buf_adds(out, nitems + ngen ? "items:\n" : "items: []\n");
	want = items_column(k, objs, keep);
	for (size_t i = 0; i < objs->n && it; i++, it = it->next)
		if (keep[i])
			copy_node(out, k->src, objs->v[i].start, objs->v[i].end, it->style == YS_FLOW, true, want);
	for (size_t i = 0; i < ngen; i++) {
		struct buf text = BUF_INIT;

		if (emit_yaml(&text, gen[i].root) != 0) {
			buf_free(&text);
			return -1;
		}
		emit_indent_item(out, text.p, text.len, want - 2);
		buf_free(&text);
	}
	if (k->function_config && !k->is_list) {
		buf_adds(out, "functionConfig:");
		copy_node(out, k->src, k->function_config->pos, k->function_config->end,
			  k->function_config->style == YS_FLOW, false, 1);
	}
	if (!k->is_list)
		add_results(out);
	return 0;
}
