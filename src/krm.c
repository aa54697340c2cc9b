/* krm.c - ResourceList in, ResourceList out (KRM functions specification),
 * items copied as their original bytes.
 *
 * Output: the document's directives, then apiVersion, kind, items,
 * functionConfig and results. Block items keep their lines exactly (the "-"
 * of every item stays in its column, so nothing is re-indented); items of a
 * flow sequence become block entries; values of the wrapper are copied after
 * their key. Anchors and tags are part of a node's bytes; an alias is copied
 * only when its anchor is copied with it (inside the same item or the same
 * functionConfig), which krm_unwrap() checks. This file reads the
 * ResourceList; krmwrap.c writes it. */
#include "krm.h"
#include "krmint.h"

#include <stdarg.h>
#include <string.h>

#include "diag.h"
#include "resource.h"
#include "util.h"
#include "ydoc.h"
#include "yload.h"
#include "ytree.h"

bool
krm_detect(struct ynode *root)
{
	const char *kind = ymap_gets(root, "kind");

	if (!kind || (strcmp(kind, "ResourceList") != 0 && strcmp(kind, "List") != 0))
		return false;
	return ymap_get(root, "items") || ymap_get(root, "functionConfig");
}

/* ---- reading ---- */

/* The first alias inside n that points outside [lo, hi), or NULL. (Items are
 * copied one by one: an anchor elsewhere may not be in the output.) */
static struct ynode *
alias_escaping(struct ynode *n, size_t lo, size_t hi, int depth)
{
	if (!n || depth > YLOAD_MAX_DEPTH)
		return NULL;
	if (n->kind == Y_ALIAS)
		return !n->target || n->target->pos < lo || n->target->pos >= hi ? n : NULL;
	for (struct ynode *c = n->head; c; c = c->next) {
		struct ynode *a = alias_escaping(c, lo, hi, depth + 1);

		if (a)
			return a;
	}
	return NULL;
}

/* The name of an alias, "*name", as written. */
static int
alias_len(const struct krm *k, const struct ynode *alias)
{
	size_t n = 1;

	while (alias->pos + n < k->len && !strchr(" \t\r\n,[]{}", k->src[alias->pos + n]))
		n++;
	return n > 200 ? 200 : (int)n;
}

static int node_error(const struct krm *k, const struct ynode *n, int index, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
node_error(const struct krm *k, const struct ynode *n, int index, const char *field, const char *fmt, ...)
{
	struct where w = { .file = diag_input_name(), .src = k->src, .srclen = k->len, .doc = index, .field = field };
	va_list ap;

	where_at(&w, n);
	va_start(ap, fmt);
	diag_vreport(SEV_ERROR, &w, fmt, ap);
	va_end(ap);
	return -1;
}

/* An alias that leaves the node it is in (what: "item", "functionConfig"):
 * refused, naming it. */
static int
check_aliases(const struct krm *k, struct ynode *n, int index, const char *what, const char *field)
{
	struct ynode *a = alias_escaping(n, n->pos, n->end, 0);

	if (!a)
		return 0;
	if (a == n)
		return node_error(k, a, index, field,
				  "the %s is an alias (%.*s) of another node: registry-addon copies every item and the "
				  "functionConfig as their own bytes, so the alias cannot be kept; write the object out in full",
				  what, alias_len(k, a), k->src + a->pos);
	return node_error(k, a, index, field,
			  "alias %.*s refers to an anchor outside this %s: registry-addon copies every item and the "
			  "functionConfig as their own bytes, so the reference cannot be kept; write the value out here",
			  alias_len(k, a), k->src + a->pos, what);
}

/* Lines end at LF, CRLF or a lone CR (YAML 1.2 §5.4). */
size_t
krm_line_start(const struct krm *k, size_t pos)
{
	const char *src = k->src;

	while (pos > 0 && src[pos - 1] != '\n' && !(src[pos - 1] == '\r' && (pos == k->len || src[pos] != '\n')))
		pos--;
	return pos;
}

/* Just past the line break that ends the line holding pos, or end. */
size_t
krm_next_line(const char *src, size_t pos, size_t end)
{
	while (pos < end && src[pos] != '\n' && src[pos] != '\r')
		pos++;
	if (pos < end && src[pos] == '\r' && pos + 1 < end && src[pos + 1] == '\n')
		pos++;
	return pos < end ? pos + 1 : pos;
}

/* Does the line at ls hold a block sequence entry whose "-" is at column d? */
static bool
dash_line(const struct krm *k, size_t ls, size_t d)
{
	size_t i = 0;

	while (i < d && ls + i < k->len && k->src[ls + i] == ' ')
		i++;
	if (i < d || ls + d >= k->len || k->src[ls + d] != '-')
		return false;
	return ls + d + 1 == k->len || strchr(" \t\r\n", k->src[ls + d + 1]);
}

/* Is the line at ls blank or a comment? */
static bool
blank_line(const struct krm *k, size_t ls)
{
	while (ls < k->len && (k->src[ls] == ' ' || k->src[ls] == '\t'))
		ls++;
	return ls == k->len || strchr("#\r\n", k->src[ls]);
}

/* The line at ls with the comment and blank lines right above it, none of
 * them before lo. */
size_t
krm_comments_above(const struct krm *k, size_t lo, size_t ls)
{
	while (ls > lo && ls > 0) {
		size_t prev = krm_line_start(k, ls - 1);

		if (prev < lo || !blank_line(k, prev))
			break;
		ls = prev;
	}
	return ls;
}

/* Where the bytes of a block sequence item begin: the line of its "-",
 * searched back from the item's text to lo (the end of what came before),
 * with the comment lines right above it; SIZE_MAX if not found. */
static size_t
block_item_start(const struct krm *k, size_t lo, size_t pos, size_t d)
{
	size_t ls = krm_line_start(k, pos);

	while (!dash_line(k, ls, d)) {
		if (ls <= lo || ls == 0)
			return SIZE_MAX;
		ls = krm_line_start(k, ls - 1);
	}
	return krm_comments_above(k, lo, ls);
}

/* A flow mapping written as a single pair in a flow sequence ([k: v],
 * [? k : v]): it has no "{" of its own, and its key's text comes first. */
bool
krm_flow_pair(const struct krm *k, const struct ynode *it)
{
	char c = k->src[it->pos];

	return it->kind == Y_MAP && it->style == YS_FLOW && c != '{' && c != '&' && c != '!';
}

/* Where an item's bytes begin and end; 0 or -1 (reported). */
static int
item_range(const struct krm *k, struct ynode *it, size_t lo, int index, struct obj *o)
{
	o->start = it->pos;
	o->end = it->end;
	if (!it->line) {	/* an empty node (tag or anchor only): nothing to copy */
		o->start = o->end = 0;
		return 0;
	}
	/* (an empty key, "[? ]", has no text of its own: its position is borrowed) */
	if (krm_flow_pair(k, it) && it->head && it->head->end > it->head->pos && it->head->pos < o->start)
		o->start = it->head->pos;
	if (k->flow_items && krm_flow_pair(k, it) && !krm_braced_parses(k->src, o->start, o->end)) {
		o->start = o->end = 0;
		return node_error(k, it, index, "items", "a mapping of one pair in a flow sequence that libyaml and "
				  "go-yaml read there but not in the braces it is written back in; write it as a "
				  "flow mapping, {key: value}");
	}
	if (k->flow_items)
		return 0;
	o->start = block_item_start(k, lo, o->start, k->dash);
	if (o->start != SIZE_MAX)
		return 0;
	o->start = o->end = 0;
	return node_error(k, it, index, "items", "cannot find the \"-\" of this item in column %d", (int)k->dash + 1);
}

/* The key node whose value is key's in map as written (an alias stays an
 * alias), following ymap_get()'s choice among duplicate keys; NULL if none. */
struct ynode *
krm_raw_key(struct ynode *map, const char *key)
{
	struct ynode *v = ymap_get(map, key);

	for (struct ynode *c = map->head; v && c && c->next; c = c->next->next)
		if (yresolve(c->next) == v && yis_scalar(c) && !strcmp(yresolve(c)->str, key))
			return c;
	return NULL;
}

static struct ynode *
raw_value(struct ynode *map, const char *key)
{
	struct ynode *k = krm_raw_key(map, key);

	return k ? k->next : NULL;
}

static int
take_item(struct krm *k, struct ynode *it, size_t lo, struct obj *o, struct arena *a)
{
	const char *field = "items";

	if (item_range(k, it, lo, o->index, o) != 0)
		return -1;
	if (check_aliases(k, it, o->index, "item", field) != 0) {
		o->start = o->end = 0;	/* not copied, even when failing */
		return -1;
	}
	if (it->kind != Y_MAP)
		return node_error(k, it, o->index, field,
				  "item is not a Kubernetes object (a mapping with apiVersion and kind)");
	return obj_read(o, it, a, &(struct where){ .file = diag_input_name(), .src = k->src, .srclen = k->len });
}

static void
read_wrapper(struct krm *k, struct ynode *root)
{
	k->api = ymap_gets(root, "apiVersion");
	k->kind = ymap_gets(root, "kind");
	k->is_list = !strcmp(k->kind, "List");
	k->api_node = raw_value(root, "apiVersion");
	k->kind_node = raw_value(root, "kind");
	k->items = ymap_get(root, "items");
	k->fc_node = raw_value(root, "functionConfig");
	k->function_config = ymap_get(root, "functionConfig");
	if (!k->api)
		k->api = k->is_list ? "v1" : "config.kubernetes.io/v1";
	if (yis_null(k->items))
		k->items = NULL;
	if (yis_null(k->function_config))
		k->function_config = NULL;
	k->flow_items = !k->items || k->items->style == YS_FLOW;
	k->dash = k->items && !k->flow_items && k->items->col > 0 ? (size_t)k->items->col - 1 : 0;
}

/* A wrapper field that comes through a merge key (<<) has no key of the
 * wrapper's own to copy from or write back at: refused, naming it (kpt and
 * kustomize never write one). */
static int
merged_wrapper_field(const struct krm *k, struct ynode *root)
{
	static const char *const fields[] = { "apiVersion", "kind", "items", "functionConfig" };

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct ynode *v = ymap_get(root, fields[i]);

		if (v && !krm_raw_key(root, fields[i]))
			return node_error(k, v, 0, fields[i],
					  "the %s's %s comes through a merge key (<<); write it as a key of the %s itself",
					  k->kind, fields[i], k->kind);
	}
	return 0;
}

/* More than max items: the first one over it, before any item is read. */
static int
too_many_items(const struct krm *k, size_t max)
{
	struct ynode *it = k->items ? k->items->head : NULL;

	if (!k->items || k->items->len <= max)
		return 0;
	for (size_t i = 0; i < max; i++)
		it = it->next;
	return node_error(k, it, (int)max + 1, "items",
			  "a %s of more than %zu items; raise --max-documents if this is intended", k->kind, max);
}

int
krm_unwrap(struct krm *k, const struct ydoc *doc, const char *src, size_t len, size_t max_items, struct objs *objs,
	   struct arena *a)
{
	struct ynode *root = doc->root;
	size_t lo;
	int index = 0, rc = 0;

	memset(k, 0, sizeof(*k));
	k->src = src;
	k->len = len;
	k->root = root;
	/* (libfyaml also reads directives before a first document with no "---") */
	k->dir_end = doc->explicit_start ? doc->start : krm_line_start(k, root->pos);
	k->dir_start = ydoc_directives_start(src, k->dir_end);
	if (k->dir_start == 0 && k->dir_end >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3))
		k->dir_start = 3;
	read_wrapper(k, root);
	krm_locate_begin(k);
	if (merged_wrapper_field(k, root) != 0)
		return -1;
	if (k->api_node && !yis_scalar(k->api_node))
		rc = node_error(k, k->api_node, 0, "apiVersion",
				"the %s's apiVersion is a %s, not a string; write it as %s", k->kind,
				yis_map(k->api_node) ? "mapping" : "sequence", k->is_list ? "v1" : "config.kubernetes.io/v1");
	if (k->items && !yis_seq(k->items))
		return node_error(k, k->items, 0, "items", "items must be a list of objects");
	if (too_many_items(k, max_items) != 0)
		return -1;
	if (k->is_list && k->fc_node)	/* it would configure a run whose output cannot carry it */
		return node_error(k, k->fc_node, 0, "functionConfig",
				  "a v1 List has no functionConfig; make the document a ResourceList "
				  "(apiVersion: config.kubernetes.io/v1, kind: ResourceList) to configure the run with it");
	lo = k->items ? krm_raw_key(root, "items")->end : 0;	/* comments above the first item go with it */
	for (struct ynode *it = k->items ? k->items->head : NULL; it; it = it->next) {
		struct obj *o = objs_add(objs);

		o->index = ++index;
		rc |= take_item(k, it, lo, o, a);
		lo = it->end;
	}
	if (k->fc_node && check_aliases(k, k->fc_node, 0, "functionConfig", "functionConfig") != 0) {
		k->fc_node = NULL;	/* not copied, even when failing */
		rc = -1;
	}
	return rc ? -1 : 0;
}

/* ---- writing ---- */

