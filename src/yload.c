/* yload.c - libfyaml events to ytree nodes, one document at a time.
 *
 * We use libfyaml's event API rather than its document tree: it is faster, it
 * gives every token's byte offset (so untouched input can be copied through
 * as its original bytes), and nothing here ever re-emits through libfyaml.
 */
#include "yload.h"

#include <libfyaml.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "limits.h"
#include "prescan.h"
#include "util.h"
#include "yquote.h"
#include "ytree.h"

struct anchor {
	const char *name;
	size_t len;
	struct ynode *node;
};

struct yloader {
	struct fy_parser *fyp;
	struct fy_diag *diag;
	const char *name, *buf;
	size_t len;
	struct arena *a;
	struct limits lim;
	int index;
	struct ynode *stack[YLOAD_MAX_DEPTH + 1];
	/* children so far of each open collection: built ones (stack[0..depth))
	 * and, after them, those inside a value left out (skip levels) */
	size_t nchild[YLOAD_MAX_DEPTH + 1];
	bool ismap[YLOAD_MAX_DEPTH + 1];
	size_t depth;
	struct ynode *root;
	struct ynode *key_prev;	/* the root's child before its newest key */
	bool kind_seen;		/* the root has had its first "kind" key */
	const char *kind;	/* its value, as ymap_gets(root, "kind") reads it */
	ywant_fn want;		/* which values of a document root to build */
	void *want_ctx;
	int skip;		/* > 0: inside a value not wanted (nesting level) */
	bool skipped;		/* this document had values left out */
	size_t skipped_keys;	/* keys of the root taken back with their value */
	struct anchor *anchors;	/* open addressing, power-of-two size */
	size_t nanchors, anchorcap;
};

static void
diag_discard(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

/* YAML text is Unicode, Kubernetes' is UTF-8. libfyaml 0.7.12 takes a NUL
 * for the end of the input (what follows would be lost without a word) and
 * loops forever on some invalid UTF-8; so the bytes are checked first. */
static int
check_text(const char *name, const char *buf, size_t len)
{
	size_t bad = utf8_scan(buf, len);
	struct where w = { .file = name, .src = buf, .srclen = len, .line = 1, .col = 1 };

	if (bad == len)
		return 0;
	for (const char *p = buf; p < buf + bad; p++, w.col++)
		if (*p == '\n') {
			w.line++;
			w.col = 0;
		}
	if (buf[bad] == '\0')
		diag_error(&w, "the input contains a NUL byte; YAML text cannot hold one");
	else
		diag_error(&w, "the input is not valid UTF-8 (byte 0x%02X)", (unsigned char)buf[bad]);
	return -1;
}

struct yloader *
yload_new(const char *name, const char *buf, size_t len, struct arena *a, const struct limits *lim)
{
	static const struct limits defaults = LIMITS_DEFAULT;
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET };
	struct fy_diag_cfg dcfg;
	struct yloader *yl;

	if (!lim)
		lim = &defaults;
	/* libfyaml's memory is bounded before it sees a byte */
	if (check_text(name, buf, len) != 0 || prescan(name, buf, len, lim) != 0)
		return NULL;
	yl = xcalloc(1, sizeof(*yl));
	yl->lim = *lim;
	/* libfyaml's own messages name a memory address; collect them and
	 * report the first one in our format instead */
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = diag_discard;
	yl->diag = fy_diag_create(&dcfg);
	if (yl->diag)
		fy_diag_set_collect_errors(yl->diag, true);
	cfg.diag = yl->diag;
	yl->fyp = fy_parser_create(&cfg);
	if (!yl->fyp || fy_parser_set_string(yl->fyp, buf, len) != 0) {
		diag_error(NULL, "cannot set up the YAML parser");
		yload_free(yl);
		return NULL;
	}
	yl->name = name;
	yl->buf = buf;
	yl->len = len;
	yl->a = a;
	return yl;
}

void
yload_set_want(struct yloader *yl, ywant_fn want, void *ctx)
{
	yl->want = want;
	yl->want_ctx = ctx;
}

void
yload_set_arena(struct yloader *yl, struct arena *a)
{
	yl->a = a;
}

void
yload_free(struct yloader *yl)
{
	if (!yl)
		return;
	if (yl->fyp)
		fy_parser_destroy(yl->fyp);
	if (yl->diag)
		fy_diag_destroy(yl->diag);
	free(yl->anchors);
	free(yl);
}

static void
report_at(struct yloader *yl, const struct fy_mark *m, int doc, const char *msg)
{
	struct where w = {
		.file = yl->name, .src = yl->buf, .srclen = yl->len, .doc = doc,
		.line = m ? m->line + 1 : 0, .col = m ? m->column + 1 : 0,
	};

	diag_error(&w, "%s", msg);
}

/* libfyaml collected the reason; show its first error in our format. */
static void
report_parse_error(struct yloader *yl)
{
	void *iter = NULL;
	struct fy_diag_error *err = yl->diag ? fy_diag_errors_iterate(yl->diag, &iter) : NULL;
	struct fy_mark m = { 0, 0, 0 };

	if (!err) {
		report_at(yl, NULL, yl->index, "invalid YAML");
		return;
	}
	m.line = err->line - 1;		/* collected positions are 1-based */
	m.column = err->column - 1;
	report_at(yl, &m, yl->index, err->msg ? err->msg : "invalid YAML");
}

static uint64_t
hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static struct anchor *
anchor_slot(struct yloader *yl, const char *name, size_t len)
{
	size_t mask = yl->anchorcap - 1, i = hash(name, len) & mask;

	while (yl->anchors[i].name &&
	       !(yl->anchors[i].len == len && memcmp(yl->anchors[i].name, name, len) == 0))
		i = (i + 1) & mask;
	return &yl->anchors[i];
}

static void
anchor_put(struct yloader *yl, struct fy_token *tok, struct ynode *node)
{
	size_t len;
	const char *name = fy_token_get_text(tok, &len);
	struct anchor *slot;

	if (!name)
		return;
	if (2 * (yl->nanchors + 1) > yl->anchorcap) {
		struct anchor *old = yl->anchors;
		size_t oldcap = yl->anchorcap;

		yl->anchorcap = oldcap ? oldcap * 2 : 16;
		yl->anchors = xcalloc(yl->anchorcap, sizeof(*old));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].name)
				*anchor_slot(yl, old[i].name, old[i].len) = old[i];
		free(old);
	}
	slot = anchor_slot(yl, name, len);
	if (!slot->name) {
		yl->nanchors++;
		slot->name = arena_strndup(yl->a, name, len);
		slot->len = len;
	}
	slot->node = node;	/* a redefined anchor refers to the newest node */
}

static struct ynode *
anchor_get(struct yloader *yl, struct fy_token *tok)
{
	size_t len;
	const char *name = fy_token_get_text(tok, &len);

	if (!name || !yl->anchorcap)
		return NULL;
	return anchor_slot(yl, name, len)->node;
}

static void
anchors_clear(struct yloader *yl)
{
	if (!yl->nanchors)
		return;
	if (yl->anchorcap > 64) {	/* clearing a big table for each next document would cost n^2 */
		free(yl->anchors);
		yl->anchors = NULL;
		yl->anchorcap = 0;
	} else {
		memset(yl->anchors, 0, yl->anchorcap * sizeof(*yl->anchors));
	}
	yl->nanchors = 0;
}

static size_t
tok_start(struct fy_token *tok, size_t pos)
{
	const struct fy_mark *m = tok ? fy_token_start_mark(tok) : NULL;

	return m && m->input_pos < pos ? m->input_pos : pos;
}

/* A node for a start/scalar/alias event, positioned, tagged and anchored. */
static struct ynode *
node_from_event(struct yloader *yl, struct fy_event *ev, struct fy_token *anchor,
		struct fy_token *tag, enum ykind kind)
{
	const struct fy_mark *sm = fy_event_start_mark(ev), *em = fy_event_end_mark(ev);
	struct ynode *n = arena_alloc(yl->a, sizeof(*n));

	n->kind = (unsigned char)kind;
	if (sm) {
		n->pos = tok_start(tag, tok_start(anchor, sm->input_pos));
		n->line = sm->line + 1;
		n->col = sm->column + 1;
	}
	n->end = em ? em->input_pos : n->pos;
	if (tag) {
		size_t len;
		const char *t = fy_token_get_text(tag, &len);

		n->tag = t ? arena_strndup(yl->a, t, len) : NULL;
	}
	if (anchor)
		anchor_put(yl, anchor, n);
	return n;
}

/* One more child in the open collection at level i (built or left out):
 * a mapping may have at most lim.mapping_keys keys. */
static int
count_child(struct yloader *yl, size_t i, struct fy_event *ev)
{
	char msg[160];
	size_t before;	/* keys before this child, if it is a key */

	if (++yl->nchild[i] % 2 == 0 || !yl->ismap[i])
		return 0;
	before = yl->nchild[i] / 2 + (i == 0 ? yl->skipped_keys : 0);
	if (before < yl->lim.mapping_keys)
		return 0;
	snprintf(msg, sizeof(msg), "a mapping has more than %zu keys; raise --max-mapping-keys if this is intended",
		 yl->lim.mapping_keys);
	report_at(yl, fy_event_start_mark(ev), yl->index, msg);
	return -1;
}

/* The first "kind" of a document root, read as ymap_gets() would. */
static void
note_kind(struct yloader *yl, struct ynode *value)
{
	struct ynode *k = yl->key_prev ? yl->key_prev->next : yl->stack[0]->head;
	struct ynode *rk = yresolve(k), *rv = yresolve(value);

	if (yl->kind_seen || !rk || rk->kind != Y_SCALAR || !str_eq(rk->str, rk->len, "kind"))
		return;
	yl->kind_seen = true;
	yl->kind = rv && rv->kind == Y_SCALAR ? rv->str : NULL;
}

static int
attach(struct yloader *yl, struct ynode *n, struct fy_event *ev)
{
	struct ynode *parent;

	if (!yl->depth) {
		yl->root = n;
		return 0;
	}
	parent = yl->stack[yl->depth - 1];
	if (yl->depth == 1 && parent->kind == Y_MAP) {
		if (yl->nchild[0] % 2 == 0)
			yl->key_prev = parent->tail;
		else
			note_kind(yl, n);
	}
	if (parent->tail)
		parent->tail->next = n;
	else
		parent->head = n;
	parent->tail = n;
	return count_child(yl, yl->depth - 1, ev);
}

static int
too_deep(struct yloader *yl, struct fy_event *ev)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "nesting is deeper than %d levels (a fixed limit: no Kubernetes object comes near it)",
		 YLOAD_MAX_DEPTH);
	report_at(yl, fy_event_start_mark(ev), yl->index, msg);
	return -1;
}

/* Is the next node a value of the document root that the caller does not
 * want? Then its key is taken back and the value is not built at all (its
 * scalars are never formatted: that is most of the cost of a big CRD). */
static bool
skip_this(struct yloader *yl)
{
	struct ynode *root, *key;

	if (!yl->want || yl->depth != 1 || yl->stack[0]->kind != Y_MAP || yl->nchild[0] % 2 == 0)
		return false;
	root = yl->stack[0];
	key = root->tail;
	if (key->kind != Y_SCALAR || yl->want(yl->want_ctx, yl->kind_seen ? yl->kind : NULL, key->str))
		return false;
	if (yl->key_prev)
		yl->key_prev->next = NULL;
	else
		root->head = NULL;
	root->tail = yl->key_prev;
	yl->nchild[0]--;
	yl->skipped_keys++;
	yl->skipped = true;
	return true;
}

static int
on_scalar(struct yloader *yl, struct fy_event *ev)
{
	struct fy_event_scalar_data *d = &ev->scalar;
	struct ynode *n;
	size_t len = 0;
	const char *text;
	static const unsigned char styles[] = {
		[FYSS_PLAIN] = YS_PLAIN, [FYSS_SINGLE_QUOTED] = YS_SINGLE,
		[FYSS_DOUBLE_QUOTED] = YS_DOUBLE, [FYSS_LITERAL] = YS_LITERAL,
		[FYSS_FOLDED] = YS_FOLDED,
	};
	enum fy_scalar_style ss = d->value ? fy_scalar_token_get_style(d->value) : FYSS_PLAIN;

	if (skip_this(yl))
		return 0;
	n = node_from_event(yl, ev, d->anchor, d->tag, Y_SCALAR);
	if (!d->value) {
		n->str = "";
	} else if (ss == FYSS_SINGLE_QUOTED || ss == FYSS_DOUBLE_QUOTED) {
		text = yquote_text(yl->a, d->value, yl->buf, yl->len, &len);
		n->str = text ? text : "";
		n->len = text ? len : 0;
	} else {
		text = fy_token_get_text(d->value, &len);
		n->str = arena_strndup(yl->a, text ? text : "", text ? len : 0);
		n->len = text ? len : 0;
	}
	n->style = ss >= FYSS_PLAIN && ss < FYSS_MAX ? styles[ss] : YS_PLAIN;
	return attach(yl, n, ev);
}

static int
on_start(struct yloader *yl, struct fy_event *ev, enum ykind kind)
{
	struct fy_token *anchor = kind == Y_MAP ? ev->mapping_start.anchor : ev->sequence_start.anchor;
	struct fy_token *tag = kind == Y_MAP ? ev->mapping_start.tag : ev->sequence_start.tag;
	struct ynode *n;

	if (yl->depth >= YLOAD_MAX_DEPTH)
		return too_deep(yl, ev);
	yl->nchild[yl->depth] = 0;
	yl->ismap[yl->depth] = kind == Y_MAP;
	if (skip_this(yl)) {
		yl->skip = 1;
		return 0;
	}
	n = node_from_event(yl, ev, anchor, tag, kind);
	if (fy_event_get_node_style(ev) == FYNS_FLOW)
		n->style = YS_FLOW;
	if (attach(yl, n, ev) != 0)
		return -1;
	yl->stack[yl->depth++] = n;
	return 0;
}

static void
on_end(struct yloader *yl, struct fy_event *ev)
{
	struct ynode *n = yl->stack[--yl->depth];
	const struct fy_mark *m = n->style == YS_FLOW ? fy_event_end_mark(ev) : fy_event_start_mark(ev);
	size_t nchild = yl->nchild[yl->depth];

	n->len = n->kind == Y_MAP ? nchild / 2 : nchild;
	if (m)
		n->end = m->input_pos;
}

static int
on_alias(struct yloader *yl, struct fy_event *ev)
{
	struct ynode *n;

	if (skip_this(yl))
		return 0;
	n = node_from_event(yl, ev, NULL, NULL, Y_ALIAS);
	n->target = anchor_get(yl, ev->alias.anchor);
	if (!n->target && !yl->skipped) {
		report_at(yl, fy_event_start_mark(ev), yl->index, "alias refers to an unknown anchor");
		return -1;
	}
	return attach(yl, n, ev);	/* no target: its anchor was in a value left out */
}

static int
on_doc_start(struct yloader *yl, struct fy_event *ev, struct ydoc *doc)
{
	const struct fy_mark *m = fy_event_start_mark(ev);
	char msg[128];

	memset(doc, 0, sizeof(*doc));
	doc->index = ++yl->index;
	if ((size_t)yl->index > yl->lim.documents) {
		snprintf(msg, sizeof(msg), "more than %zu documents; raise --max-documents if this is intended",
			 yl->lim.documents);
		report_at(yl, m, yl->index, msg);
		return -1;
	}
	doc->explicit_start = !ev->document_start.implicit && m;
	doc->start = doc->explicit_start ? m->input_pos : doc->index == 1 ? 0 : SIZE_MAX;
	yl->root = NULL;
	yl->depth = 0;
	yl->skip = 0;
	yl->skipped = false;
	yl->skipped_keys = 0;
	yl->key_prev = NULL;
	yl->kind_seen = false;
	yl->kind = NULL;
	anchors_clear(yl);
	return 0;
}

static void
on_doc_end(struct yloader *yl, struct ydoc *doc)
{
	doc->root = yis_null(yl->root) && !(yl->root && yl->root->tag) ? NULL : yl->root;
	if (doc->start == SIZE_MAX)
		doc->start = yl->root && yl->root->line ? yl->root->pos : SIZE_MAX;
}


/* Inside a value left out: only follow its nesting and count keys, as
 * limits hold whatever is built. */
static int
dispatch_skipped(struct yloader *yl, struct fy_event *ev)
{
	size_t top = yl->depth + (size_t)yl->skip;	/* the next level's index */

	switch (ev->type) {
	case FYET_MAPPING_START:
	case FYET_SEQUENCE_START:
		if (count_child(yl, top - 1, ev) != 0)
			return -1;
		if (top >= YLOAD_MAX_DEPTH)
			return too_deep(yl, ev);
		yl->nchild[top] = 0;
		yl->ismap[top] = ev->type == FYET_MAPPING_START;
		yl->skip++;
		return 0;
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		yl->skip--;
		return 0;
	case FYET_SCALAR:
	case FYET_ALIAS:
		return count_child(yl, top - 1, ev);
	default:
		return 0;
	}
}

static int
dispatch(struct yloader *yl, struct fy_event *ev, struct ydoc *doc)
{
	if (yl->skip)
		return dispatch_skipped(yl, ev);
	switch (ev->type) {
	case FYET_DOCUMENT_START:
		return on_doc_start(yl, ev, doc);
	case FYET_DOCUMENT_END:
		on_doc_end(yl, doc);
		return 1;
	case FYET_MAPPING_START:
		return on_start(yl, ev, Y_MAP);
	case FYET_SEQUENCE_START:
		return on_start(yl, ev, Y_SEQ);
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		on_end(yl, ev);
		return 0;
	case FYET_SCALAR:
		return on_scalar(yl, ev);
	case FYET_ALIAS:
		return on_alias(yl, ev);
	case FYET_STREAM_END:
		return 2;
	default:
		return 0;
	}
}

int
yload_next(struct yloader *yl, struct ydoc *doc)
{
	struct fy_event *ev;

	while ((ev = fy_parser_parse(yl->fyp)) != NULL) {
		int rc = dispatch(yl, ev, doc);

		fy_parser_event_free(yl->fyp, ev);
		if (rc < 0)
			return -1;
		if (rc == 1)
			return 1;
		if (rc == 2)
			return 0;
	}
	if (fy_parser_get_stream_error(yl->fyp)) {
		report_parse_error(yl);
		return -1;
	}
	return 0;
}

int
yload_one(const char *name, const char *buf, size_t len, struct arena *a, struct ynode **root)
{
	struct yloader *yl = yload_new(name, buf, len, a, NULL);
	struct ydoc doc;
	int rc;

	*root = NULL;
	if (!yl)
		return -1;
	rc = yload_next(yl, &doc);
	if (rc == 1) {
		*root = doc.root;
		rc = yload_next(yl, &doc);
		if (rc == 1) {
			struct where w = { .file = name, .src = buf, .srclen = len, .doc = doc.index };

			if (doc.root) {
				w.line = doc.root->line;
				w.col = doc.root->col;
			}
			diag_error(&w, "expected a single YAML document, found more than one");
			rc = -1;
		}
	}
	yload_free(yl);
	return rc < 0 ? -1 : 0;
}
