/* wspread.c - component workloadSpread: which workloads, and the edits that
 * give them topology spread constraints (wspread.h; the text: wsplice.c). */
#include "wspread.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diag.h"
#include "emit.h"
#include "resource.h"
#include "selector.h"
#include "wselect.h"
#include "wsplice.h"
#include "ytree.h"

#define NAMES_SHOWN 20
#define SELECTOR_NODES 10000	/* a LabelSelector copied into our constraints */

/* One workload as it is looked at. */
struct wl {
	struct wspread *w;
	struct obj *o;
	struct ynode *root, *pod;	/* the object; its pod template's spec (a block mapping) */
	size_t ind;			/* the column of the pod spec's keys */
	bool wide;			/* sequences indented under their key */
	const char *eol;
	struct edit *e;
	size_t ne;
	size_t pod_key_end;		/* the end of the key "spec" of the pod spec */
	bool carries;			/* ours are in its output */
	char why[160];			/* why it is not edited */
};

static const struct {
	const char *topology_key;
	size_t off;		/* of the setting in struct config */
} keys[] = {
	{ "kubernetes.io/hostname", offsetof(struct config, workload_spread.hostname) },
	{ "topology.kubernetes.io/zone", offsetof(struct config, workload_spread.zone) },
};

static const char *
key_setting(const struct config *c, size_t i)
{
	return *(char *const *)((const char *)c + keys[i].off);
}

int
wspread_init(struct wspread *w, const struct config *c, const char *file, const char *src, size_t len,
	     struct arena *a)
{
	const char *why = NULL;

	wspread_free(w);
	*w = (struct wspread){ .cfg = c, .file = file, .src = src, .len = len, .a = a };
	w->on = c->state == MS_MANAGED && config_has(c, C_WORKLOADSPREAD);
	if (!w->on)
		return 0;
	w->sel = selector_parse(c->workload_spread.selector, &why);
	if (!w->sel) {
		diag_error(NULL, "workloadSpread.selector: \"%s\" is not a label selector: %s",
			   c->workload_spread.selector, why);
		return -1;
	}
	return 0;
}

void
wspread_free(struct wspread *w)
{
	selector_free(w->sel);
	w->sel = NULL;
	buf_free(&w->added);
}

/* A workload it selects and leaves as it is: the user is told why. */
static void
not_edited(struct wl *l, struct ynode *at, const char *fmt, ...)
{
	struct where w = { .file = l->w->file, .src = l->w->src, .srclen = l->w->len };
	struct buf b = BUF_INIT;
	va_list ap;

	obj_where(l->o, &w);
	where_at(&w, at);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	diag_warn(&w, "workloadSpread: not edited: %s", buf_cstr(&b));
	buf_free(&b);
}

static bool
selected(struct wl *l)
{
	const struct config *c = l->w->cfg;
	const struct obj *o = l->o;

	int rc;

	if (!l->w->on || !wsel_in_list(&c->workload_spread.kinds, o->kind))
		return false;
	if (c->workload_spread.namespaces.n && !wsel_in_list(&c->workload_spread.namespaces, o->ns))
		return false;
	if (!selector_match(l->w->sel, yresolve(ypath(l->root, "metadata.labels"))))
		return false;
	rc = wsel_replicas(yresolve(ymap_get(yresolve(ymap_get(l->root, "spec")), "replicas")));
	if (rc < 0)
		not_edited(l, yresolve(ypath(l->root, "spec.replicas")), "spec.replicas is not a number");
	return rc > 0;
}

/* The key in map whose value is written there, for an edit of its text:
 * NULL when absent, or with *why (and *at the place) when it is not there as
 * one plain key with a value of its own. */
static struct ynode *
raw_key(struct ynode *map, const char *key, const char **why, struct ynode **at)
{
	struct ynode *found = NULL;

	*why = NULL;
	for (struct ynode *k = map->head; k && k->next; k = k->next->next) {
		if (ykey_is_merge(k)) {
			*why = "is in a mapping with a merge key (<<)";
			*at = k;
			return NULL;
		}
		if (k->kind == Y_ALIAS && yis_scalar(yresolve(k)) && !strcmp(yresolve(k)->str, key)) {
			*why = "is an alias (*name) as a key";
			*at = k;
			return NULL;
		}
		if (k->kind != Y_SCALAR || strcmp(k->str, key))
			continue;
		if (found) {
			*why = "is given twice";
			*at = k;
			return NULL;
		}
		found = k;
	}
	if (found && found->next->kind == Y_ALIAS) {
		*why = "is an alias (*name) of a node elsewhere";
		*at = found->next;
		return NULL;
	}
	return found;
}

/* The pod template's spec as a block mapping whose keys begin their lines:
 * l->pod, its indentation, line breaks and sequence style. Else NULL and
 * *why (NULL: there is none, nothing to say). */
static struct ynode *
find_pod(struct wl *l, const char **why, struct ynode **at)
{
	static const char *const path[] = { "spec", "template", "spec" };
	static const char *const dotted[] = { "spec", "spec.template", "spec.template.spec" };
	const char *src = l->w->src;
	struct ynode *n = l->root, *k, *first, *c;
	size_t ls;

	for (size_t i = 0; i < 3; i++) {
		*at = n;
		if (n->kind != Y_MAP)
			return NULL;
		k = raw_key(n, path[i], why, at);
		if (!k) {
			if (*why) {
				snprintf(l->why, sizeof(l->why), "%s %s", dotted[i], *why);
				*why = l->why;
			}
			return NULL;
		}
		n = k->next;
	}
	l->pod_key_end = k->end;
	*at = n;
	if (n->kind != Y_MAP || !n->head)
		return NULL;
	if (n->style == YS_FLOW) {
		*why = "spec.template.spec is in flow style ({...}); write it in block style, or add "
		       "topologySpreadConstraints yourself";
		return NULL;
	}
	first = n->head;
	ls = ws_line_start(src, first->pos);
	if (first->end <= first->pos || first->pos < l->pod_key_end || !ws_blank(src, ls, first->pos)) {
		*why = "the first key of spec.template.spec does not begin its line";
		return NULL;
	}
	l->ind = first->pos - ls;
	l->eol = ws_eol(src, l->w->len, first->pos);
	c = ymap_get(n, "containers");
	if (c && c->kind == Y_SEQ && c->style != YS_FLOW && c->head) {
		size_t d = c->head->pos;

		while (d > 0 && src[d - 1] == ' ')
			d--;
		l->wide = d > 0 && src[d - 1] == '-' && d - 1 - ws_line_start(src, d - 1) > l->ind;
	}
	return n;
}

static void
add_edit(struct wl *l, size_t at, size_t cut, const struct buf *text)
{
	struct edit *e;

	l->e = xrealloc(l->e, (l->ne + 1) * sizeof(*l->e));
	e = &l->e[l->ne++];
	e->at = at;
	e->cut = cut;
	e->len = text ? text->len : 0;
	e->text = text && text->len ? arena_strndup(l->w->a, text->p, text->len) : "";
	if (e->len && !cut && at > 0 && l->w->src[at - 1] != '\n' && l->w->src[at - 1] != '\r') {
		/* after a last line without a line break: ours begin a line */
		struct buf b = BUF_INIT;

		buf_adds(&b, l->eol);
		buf_add(&b, text->p, text->len);
		e->text = arena_strndup(l->w->a, b.p, b.len);
		e->len = b.len;
		buf_free(&b);
	}
}

/* One of our constraints for topology key i, as the emitter writes a
 * one-entry sequence. */
static int
constraint_text(struct wl *l, size_t i, struct buf *out)
{
	const struct config *c = l->w->cfg;
	struct arena *a = arena_new();
	struct ynode *seq = ynode_seq(a), *t = yseq_add(seq, ynode_map(a));
	struct ynode *sel = yresolve(ypath(l->root, "spec.selector"));
	long budget = SELECTOR_NODES;
	const char *rev = !strcmp(l->o->kind, "Deployment")    ? "pod-template-hash"
			  : !strcmp(l->o->kind, "StatefulSet") ? "controller-revision-hash"
							       : NULL;
	int rc;

	ymap_int(a, t, "maxSkew", c->workload_spread.max_skew);
	ymap_str(a, t, "topologyKey", keys[i].topology_key);
	ymap_str(a, t, "whenUnsatisfiable", key_setting(c, i));
	ymap_set(a, t, "labelSelector", ynode_copy(a, sel, &budget));
	if (rev)	/* count only pods of the current revision during a rolling update */
		yseq_add(ymap_seq(a, t, "matchLabelKeys"), ynode_str(a, rev));
	ymap_str(a, t, "nodeTaintsPolicy", "Honor");	/* a tainted node is no empty domain */
	rc = budget < 0 ? -1 : emit_yaml(out, seq);
	arena_free(a);
	return rc;
}

/* The workload's selector, which our constraints count pods by. */
static bool
has_selector(struct wl *l)
{
	struct ynode *sel = yresolve(ypath(l->root, "spec.selector"));

	if (yis_map(sel) && wsel_selector_ok(sel))
		return true;
	not_edited(l, sel ? sel : l->root, "spec.selector is not a label selector (matchLabels of label keys and "
		   "values, matchExpressions of key, operator and values)");
	return false;
}

static bool
any_on(const struct config *c)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key_setting(c, i), "off"))
			return true;
	return false;
}

/* Our entries for the topology keys not in have[] (each after our marker
 * when marked), the dashes at column dash. -1: too big a selector (reported). */
static int
entries_text(struct wl *l, const bool *have, size_t dash, bool wide, bool marked, struct buf *out)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct buf t = BUF_INIT;

		if (have[i] || !strcmp(key_setting(l->w->cfg, i), "off"))
			continue;
		if (constraint_text(l, i, &t) != 0) {
			buf_free(&t);
			not_edited(l, l->root, "spec.selector has more than %d nodes", SELECTOR_NODES);
			return -1;
		}
		if (marked)
			ws_put_marker(out, dash, l->eol);
		ws_put_block(out, t.p, t.len, wide ? dash - 2 : dash, wide, l->eol);
		buf_free(&t);
	}
	return 0;
}

/* Our marker, "topologySpreadConstraints:" and our entries, at the pod
 * spec's indentation; nothing when every topology key is off. */
static int
key_text(struct wl *l, struct buf *out)
{
	static const bool none[sizeof(keys) / sizeof(keys[0])];

	if (!any_on(l->w->cfg))
		return 0;
	ws_put_marker(out, l->ind, l->eol);
	for (size_t k = 0; k < l->ind; k++)
		buf_addc(out, ' ');
	buf_adds(out, "topologySpreadConstraints:");
	buf_adds(out, l->eol);
	return entries_text(l, none, l->ind + (l->wide ? 2 : 0), l->wide, false, out);
}

static bool
same_text(const struct wl *l, size_t from, size_t to, const struct buf *t)
{
	return to - from == t->len && !memcmp(l->w->src + from, t->p, t->len);
}

/* No topologySpreadConstraints yet: ours go before the pod spec's first key. */
static int
add_key(struct wl *l)
{
	struct buf t = BUF_INIT;
	int rc = key_text(l, &t);

	if (rc == 0 && t.len)
		add_edit(l, ws_line_start(l->w->src, l->pod->head->pos), 0, &t);
	l->carries = rc == 0 && t.len;
	buf_free(&t);
	return rc;
}

/* Ours, after our marker from mark: kept when it is what we would write,
 * written anew, or taken out. */
static int
redo_key(struct wl *l, struct ynode *key, size_t mark, bool sel)
{
	size_t e = ws_text_end(l->w->src, key->next);
	size_t after = ws_after_text(l->w->src, l->w->len, e > key->end ? e : key->end);
	struct buf t = BUF_INIT;
	int rc = sel ? key_text(l, &t) : 0;

	if (rc == 0 && !same_text(l, mark, after, &t))
		add_edit(l, mark, after - mark, &t);
	l->carries = rc == 0 && t.len;
	buf_free(&t);
	return rc;
}

/* The dash of a block sequence entry with text: its column (*ls its line),
 * or SIZE_MAX. */
static size_t
dash_of(const char *src, const struct ynode *item, size_t *ls)
{
	size_t d = item->pos;

	*ls = ws_line_start(src, d);
	if (item->end <= item->pos)
		return SIZE_MAX;	/* an empty entry */
	while (d > 0 && src[d - 1] == ' ')
		d--;
	if (d == 0 || src[d - 1] != '-')
		return SIZE_MAX;
	*ls = ws_line_start(src, d - 1);
	return ws_blank(src, *ls, d - 1) ? d - 1 - *ls : SIZE_MAX;
}

/* The user's own list: our entries in it (mode add: after the user's
 * entries) kept, written anew or taken out; the user's never touched. */
static int
redo_entries(struct wl *l, struct ynode *key, bool sel)
{
	const char *src = l->w->src;
	struct ynode *list = key->next;
	bool have[sizeof(keys) / sizeof(keys[0])] = { false }, block, add, odd = false;
	size_t dash = SIZE_MAX, after_user = SIZE_MAX, ours_from = SIZE_MAX, ours_to = 0, nours = 0, ls;
	size_t prev = key->end;	/* the end of the text before an entry */
	struct buf t = BUF_INIT;
	int rc = 0;

	add = sel && !strcmp(l->w->cfg->workload_spread.existing, "add");
	block = list->kind == Y_SEQ && list->style != YS_FLOW && list->head;
	for (struct ynode *it = block ? list->head : NULL; it; it = it->next) {
		size_t d = dash_of(src, it, &ls), e = ws_text_end(l->w->src, it);
		size_t mark = d == SIZE_MAX || !e ? SIZE_MAX : ws_marker_before(src, ls, prev);
		const char *tk = ymap_gets(yresolve(it), "topologyKey");

		odd |= d == SIZE_MAX || !e;
		dash = dash == SIZE_MAX ? d : dash;
		prev = e > prev ? e : prev;
		if (mark == SIZE_MAX) {
			for (size_t i = 0; tk && i < sizeof(keys) / sizeof(keys[0]); i++)
				have[i] |= !strcmp(tk, keys[i].topology_key);
			after_user = e ? ws_after_text(src, l->w->len, e) : after_user;
			continue;
		}
		ours_from = nours++ ? ours_from : mark;
		ours_to = ws_after_text(src, l->w->len, e);
		add_edit(l, mark, ours_to - mark, NULL);
	}
	if (!add) {
		l->w->nkept += sel;
		return 0;
	}
	if (!block || odd || dash == SIZE_MAX || after_user == SIZE_MAX) {
		not_edited(l, list, "its topologySpreadConstraints is not a block sequence (\"- \" entries, each "
			   "with a value) holding constraints of the workload's own, which workloadSpread.existing: "
			   "add adds to");
		l->ne = 0;
		return 0;
	}
	ls = ws_line_start(src, key->pos);
	rc = entries_text(l, have, dash, dash >= 2 && dash > key->pos - ls, true, &t);
	l->carries = rc == 0 && t.len;
	if (rc == 0 && nours && ours_from == after_user && same_text(l, ours_from, ours_to, &t))
		l->ne = 0;	/* ours, after the user's, as we would write them: nothing to do */
	else if (rc == 0 && t.len)
		add_edit(l, after_user, 0, &t);	/* before a removal there: sort_edits() */
	buf_free(&t);
	return rc;
}

/* In byte order; at one place, an insertion before a removal. */
static void
sort_edits(struct wl *l)
{
	for (size_t i = 1; i < l->ne; i++) {
		struct edit e = l->e[i];
		size_t j = i;

		for (; j > 0 && (l->e[j - 1].at > e.at || (l->e[j - 1].at == e.at && l->e[j - 1].cut && !e.cut)); j--)
			l->e[j] = l->e[j - 1];
		l->e[j] = e;
	}
}

static void
tally(struct wl *l, bool sel)
{
	struct wspread *w = l->w;
	const struct obj *o = l->o;

	if (!l->carries) {
		w->nremoved += !sel && l->ne > 0;
		return;
	}
	if (w->nadded++ < NAMES_SHOWN)
		buf_addf(&w->added, "%s%s/%s%s%s", w->added.len ? ", " : "", o->kind, o->ns, *o->ns ? "/" : "",
			 o->name);
}

/* The end of the text before key in the pod spec: the previous value's
 * (or key's), or the pod spec's own key's. */
static size_t
text_before(const struct wl *l, const struct ynode *key)
{
	size_t end = l->pod_key_end;

	for (const struct ynode *k = l->pod->head; k && k->next && k != key; k = k->next->next) {
		size_t e = ws_text_end(l->w->src, k->next);

		end = e > end ? e : end;
		end = k->end > end ? k->end : end;
	}
	return end;
}

/* The edits in order, inside the object, none overlapping another. */
static bool
edits_ok(const struct wl *l)
{
	size_t at = l->o->start, end = l->o->end > at ? l->o->end : l->w->len;	/* stream: not yet set */

	for (size_t i = 0; i < l->ne; i++) {
		const struct edit *e = &l->e[i];

		if (e->at < at || e->at > end || e->cut > end - e->at)
			return false;
		at = e->at + e->cut;
	}
	return true;
}

/* Edits for the pod spec l->pod. */
static int
edit_pod(struct wl *l, bool sel)
{
	const char *why;
	struct ynode *at = l->pod, *key = raw_key(l->pod, "topologySpreadConstraints", &why, &at);
	size_t mark;

	if (!key) {
		if (why && sel)
			not_edited(l, at, "spec.template.spec.topologySpreadConstraints %s", why);
		if (why || !sel)
			return 0;
		return has_selector(l) ? add_key(l) : 0;
	}
	mark = ws_marker_before(l->w->src, ws_line_start(l->w->src, key->pos), text_before(l, key));
	if (sel && !has_selector(l))
		sel = false;	/* ours, if any, are taken out */
	if (mark != SIZE_MAX && ws_blank(l->w->src, ws_line_start(l->w->src, key->pos), key->pos))
		return redo_key(l, key, mark, sel);
	return redo_entries(l, key, sel);
}

int
wspread_obj(struct wspread *w, struct obj *o, struct ynode *root)
{
	struct wl l = { .w = w, .o = o, .root = root };
	struct ynode *at = root;
	const char *why = NULL;
	bool sel;
	int rc;

	if ((o->flags & (OBJ_OURS | OBJ_EMPTY | OBJ_LOCAL_CONFIG)) || !wsel_workload_kind(o) || root->kind != Y_MAP)
		return 0;
	sel = selected(&l);
	l.pod = find_pod(&l, &why, &at);
	if (!l.pod) {
		if (why && sel)
			not_edited(&l, at, "%s", why);
		return 0;
	}
	rc = edit_pod(&l, sel);
	if (rc == 0)
		sort_edits(&l);
	if (rc == 0 && !edits_ok(&l)) {
		not_edited(&l, l.pod, "its text could not be edited in place (an internal error: please report it)");
		rc = -1;
	}
	if (rc == 0) {
		tally(&l, sel);
		o->edits = l.ne ? arena_alloc(w->a, l.ne * sizeof(*l.e)) : NULL;
		if (l.ne)
			memcpy(o->edits, l.e, l.ne * sizeof(*l.e));
		o->nedits = l.ne;
	}
	free(l.e);
	return 0;	/* what could not be done was a warning */
}

void
wspread_tell(const struct wspread *w)
{
	struct buf b = BUF_INIT;

	if (w->nadded)
		buf_addf(&b, "topology spread constraints of ours on %zu workload%s (%s%s)", w->nadded,
			 w->nadded == 1 ? "" : "s", buf_cstr((struct buf *)&w->added),
			 w->nadded > NAMES_SHOWN ? ", ..." : "");
	if (w->nkept)
		buf_addf(&b, "%s%zu workload%s with constraints of %s own left as %s (workloadSpread.existing: keep)",
			 b.len ? "; " : "", w->nkept, w->nkept == 1 ? "" : "s", w->nkept == 1 ? "its" : "their",
			 w->nkept == 1 ? "it is" : "they are");
	if (b.len)
		diag_inform(NULL, "workloadSpread: %s", buf_cstr(&b));
	/* on stderr only: the next run has none to take out, and a KRM run's results stay the same */
	if (w->nremoved)
		diag_aside(NULL, "workloadSpread: ours taken out of %zu workload%s (%s)", w->nremoved,
			   w->nremoved == 1 ? "" : "s",
			   w->cfg->state == MS_REMOVED ? "managementState Removed" : "no longer selected");
	buf_free(&b);
}
