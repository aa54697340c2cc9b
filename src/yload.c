/* yload.c - libfyaml events to ytree nodes, one document at a time.
 *
 * We use libfyaml's event API rather than its document tree: it is faster, it
 * gives every token's byte offset (so untouched input can be copied through
 * as its original bytes), and nothing here ever re-emits through libfyaml.
 */
#include "yload.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "prescan.h"
#include "util.h"
#include "yloadint.h"
#include "ypos.h"
#include "yquote.h"
#include "ytree.h"

static struct yloader *
loader_new(const char *name, const char *buf, size_t len, struct arena *a, const struct limits *lim)
{
	struct yloader *yl = xcalloc(1, sizeof(*yl));
	struct fy_diag_cfg dcfg;

	yl->lim = *lim;
	yl->last_line = yl->last_col = 1;
	yl->between = true;
	yl->name = name;
	yl->buf = buf;
	yl->len = len;
	yl->a = a;
	/* libfyaml's own messages name a memory address; collect them and
	 * report the first one in our format instead */
	fy_diag_cfg_default(&dcfg);
	yguard_init(&yl->guard, buf, len, &dcfg);
	yl->dcfg = dcfg;
	yload_diag_renew(yl);
	return yl;
}

void
yload_diag_renew(struct yloader *yl)
{
	if (yl->diag)
		fy_diag_destroy(yl->diag);
	yl->diag = fy_diag_create(&yl->dcfg);
	if (yl->diag)
		fy_diag_set_collect_errors(yl->diag, true);
	yguard_forget_message(&yl->guard);
}

struct yloader *
yload_new(const char *name, const char *buf, size_t len, struct arena *a, const struct limits *lim)
{
	struct prescan_fix fix = { 0 };
	struct yloader *yl;

	/* libfyaml's memory is bounded before it sees a byte */
	if (ypiece_check_text(name, buf, len) != 0 || prescan(name, buf, len, lim, &fix) != 0) {
		prescan_fix_free(&fix);
		return NULL;
	}
	yl = loader_new(name, buf, len, a, lim);
	yl->text = fix.n ? prescan_fix_apply(buf, len, &fix) : NULL;
	prescan_fix_free(&fix);
	if (ypiece_open(yl, len) != 0) {
		yload_free(yl);
		return NULL;
	}
	return yl;
}

struct yloader *
yload_new_behind(const char *name, const char *buf, size_t len, struct arena *a, const struct limits *lim,
		 struct ygate *g)
{
	struct yloader *yl;

	if (!g->threaded || !g->lim)
		return yload_new(name, buf, len, a, lim);
	yl = loader_new(name, buf, len, a, lim);
	yl->gate = g;		/* the first piece is opened by yload_next() */
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
	yanchors_free(&yl->anchors);
	yshapes_free(&yl->shapes);
	free(yl->text);
	free(yl);
}

static void
report_at(struct yloader *yl, const struct fy_mark *m, int doc, const char *msg)
{
	struct where w = {
		.file = yl->name, .src = yl->buf, .srclen = yl->len, .doc = doc,
		.line = m ? yl->line_base + m->line + 1 : yl->last_line, .col = m ? m->column + 1 : yl->last_col,
	};

	diag_error(&w, "%s", msg);
}

/* libfyaml's first error in our format, always with line:col: a collected
 * error where libfyaml put it, else one without a token (yguard.c), else
 * "invalid YAML" at the last event read. */
static void
report_parse_error(struct yloader *yl)
{
	void *iter = NULL;
	struct fy_diag_error *err = yl->diag ? fy_diag_errors_iterate(yl->diag, &iter) : NULL;
	int line = yl->last_line - yl->line_base, col = yl->last_col;	/* in the piece */
	const char *msg = "invalid YAML", *untokened;
	char text[sizeof(yl->guard.msg) + 64];
	struct fy_mark m;

	if (err) {
		line = err->line;		/* collected positions are 1-based */
		col = err->column;
		msg = err->msg ? err->msg : msg;
	} else if ((untokened = yguard_untokened(&yl->guard, &line, &col, text, sizeof(text))) != NULL) {
		msg = untokened;
	}
	m.line = line - 1;
	m.column = col - 1;
	report_at(yl, &m, yl->index + yl->between, msg);
}

static struct ynode *
anchor_get(struct yloader *yl, struct fy_token *tok)
{
	size_t len;
	const char *name = fy_token_get_text(tok, &len);

	return name ? yanchors_get(&yl->anchors, name, len) : NULL;
}

/* Where an empty scalar ends: after its tag or anchor, whichever ends later
 * (it has no mark of its own), or at pos. */
static size_t
empty_end(struct fy_token *tag, struct fy_token *anchor, size_t pos)
{
	struct fy_token *tok[2] = { tag, anchor };

	for (int i = 0; i < 2; i++) {
		const struct fy_mark *m = tok[i] ? fy_token_end_mark(tok[i]) : NULL;

		if (m && m->input_pos > pos)
			pos = m->input_pos;
	}
	return pos;
}

/* The piece libfyaml reads, which its marks are offsets into. */
static const char *
piece(const struct yloader *yl)
{
	return yload_read_text(yl) + yl->base;
}

static size_t
piece_len(const struct yloader *yl)
{
	return yl->end - yl->base;
}

/* n, placed in the piece (node_from_event()), placed in the text. */
static void
place(const struct yloader *yl, struct ynode *n)
{
	n->pos += yl->base;
	n->end += yl->base;
	if (n->line)
		n->line += yl->line_base;
}

/* A node for a start/scalar/alias event, tagged and anchored, placed in the
 * piece (then place()). */
static struct ynode *
node_from_event(struct yloader *yl, struct yev *e, struct fy_token *anchor,
		struct fy_token *tag, enum ykind kind)
{
	const struct fy_mark *sm = e->sm, *em = yev_em(e);
	struct ynode *n = arena_alloc(yl->a, sizeof(*n));

	n->kind = (unsigned char)kind;
	if (!sm)	/* an empty scalar has no mark; its tag or anchor has */
		sm = tag ? fy_token_start_mark(tag) : anchor ? fy_token_start_mark(anchor) : NULL;
	if (sm) {
		n->pos = sm->input_pos;
		if (tag || anchor)	/* (a call per node costs 0.5% of a run) */
			n->pos = ypos_tok_start(tag, ypos_anchor_start(piece(yl), piece_len(yl), anchor, n->pos));
		n->line = sm->line + 1;
		n->col = sm->column + 1;
		if (kind == Y_ALIAS && n->col > 1 && n->pos != ypos_with_indicator(piece(yl), piece_len(yl), n->pos, '*')) {
			n->pos--;
			n->col--;
		}
	}
	n->end = em ? em->input_pos : empty_end(tag, anchor, n->pos);
	if (tag) {
		size_t len;
		const char *t = fy_token_get_text(tag, &len);

		n->tag = t ? arena_strndup(yl->a, t, len) : NULL;
	}
	if (anchor) {
		size_t len;
		const char *name = fy_token_get_text(anchor, &len);

		if (name)
			yanchors_put(&yl->anchors, yl->a, name, len, n);
	}
	return n;
}

/* One more child in the open collection at level i (built or left out):
 * a mapping may have at most lim.mapping_keys keys. */
static int
count_child(struct yloader *yl, size_t i, const struct yev *e)
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
	report_at(yl, e->sm, yl->index, msg);
	return -1;
}

/* The root's "kind" as ymap_gets() reads it (ylook.c: the last one; a merge
 * key may set it, so after one it is unknown until an explicit one). */
static void
note_kind(struct yloader *yl, struct ynode *value)
{
	struct ynode *k = yl->key_prev ? yl->key_prev->next : yl->stack[0]->head;
	struct ynode *rk = yresolve(k), *rv = yresolve(value);

	if (ykey_is_merge(k))
		yl->kind = NULL;
	else if (rk && rk->kind == Y_SCALAR && str_eq(rk->str, rk->len, "kind"))
		yl->kind = rv && rv->kind == Y_SCALAR ? rv->str : NULL;
}

/* n (NULL: not built) is the next child of the open collection: linked into
 * it, unless that was left out (n, if built, is kept by its anchor only). */
static int
attach(struct yloader *yl, struct ynode *n, const struct yev *e)
{
	struct ynode *parent;

	if (!yl->depth) {
		yl->root = n;
		return 0;
	}
	parent = yl->stack[yl->depth - 1];
	if (parent && n) {
		if (!n->line)	/* empty, so no mark */
			ypos_place_empty(n, parent, yl->nchild[yl->depth - 1] % 2);
		if (yl->depth == 1 && parent->kind == Y_MAP) {
			if (yl->nchild[0] % 2 == 0)
				yl->key_prev = parent->tail;
			else
				note_kind(yl, n);
		}
		if (parent->tail) {
			if (n->end > n->pos)	/* (an empty node has no place of its own) */
				ypos_clamp_end(parent->tail, n->pos);
			parent->tail->next = n;
		} else {
			parent->head = n;
		}
		parent->tail = n;
	}
	return count_child(yl, yl->depth - 1, e);
}

static int
too_deep(struct yloader *yl, const struct yev *e)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "nesting is deeper than %d levels (a fixed limit: no Kubernetes object comes near it)",
		 YLOAD_MAX_DEPTH);
	report_at(yl, e->sm, yl->index, msg);
	return -1;
}

/* Is the next node a value of the document root that the caller does not
 * want? Then its key is taken back (still counted) and the value is not
 * built (its scalars are never formatted: that is most of the cost of a big
 * CRD). O(1): want() is given the kept kind, the key goes with key_prev. */
static bool
skip_this(struct yloader *yl)
{
	struct ynode *root, *key;

	if (!yl->want || yl->depth != 1 || !yl->stack[0] || yl->stack[0]->kind != Y_MAP || yl->nchild[0] % 2 == 0)
		return false;
	root = yl->stack[0];
	key = root->tail;
	/* a merge key may give any key; a tagged key may not be what it reads */
	if (key->kind != Y_SCALAR || key->tag || ykey_is_merge(key) || yl->want(yl->want_ctx, yl->kind, key->str))
		return false;
	if (yl->key_prev)
		yl->key_prev->next = NULL;
	else
		root->head = NULL;
	root->tail = yl->key_prev;
	yl->nchild[0]--;
	yl->skipped_keys++;
	return true;
}

/* Is the next node inside a value left out (below the root's values)?
 * Then leaving_out() says so and attach() only counts it. (At depth 1 the
 * parent is the root, always built, and skip_this() may take the node.) */
static inline bool
inside_left_out(const struct yloader *yl)
{
	return yl->depth > 1 && !yl->stack[yl->depth - 1];
}

/* Is the next node left out of the tree? *taken: it is a root value not
 * wanted (its key taken back: nothing to count); else it is inside one. */
static bool
leaving_out(struct yloader *yl, bool *taken)
{
	*taken = skip_this(yl);
	return *taken || (yl->depth && !yl->stack[yl->depth - 1]);
}

/* A plain scalar on one line is its bytes (no escapes, no folding): read
 * from the piece, sparing libfyaml's copy (fy_token_get_text()); NULL for
 * any other. */
static const char *
plain_on_one_line(const struct yloader *yl, struct yev *e, size_t *len)
{
	const struct fy_mark *em = yev_em(e);
	const char *s;

	if (yev_ss(e) != FYSS_PLAIN || !e->sm || !em || em->input_pos <= e->sm->input_pos ||
	    em->input_pos > piece_len(yl))
		return NULL;
	s = piece(yl) + e->sm->input_pos;
	*len = em->input_pos - e->sm->input_pos;
	return memchr(s, '\n', *len) || memchr(s, '\r', *len) ? NULL : s;
}

static int
on_scalar(struct yloader *yl, struct yev *e)
{
	struct fy_event_scalar_data *d = &e->ev->scalar;
	struct ynode *n;
	size_t len = 0;
	const char *text;
	static const unsigned char styles[] = {
		[FYSS_PLAIN] = YS_PLAIN, [FYSS_SINGLE_QUOTED] = YS_SINGLE,
		[FYSS_DOUBLE_QUOTED] = YS_DOUBLE, [FYSS_LITERAL] = YS_LITERAL,
		[FYSS_FOLDED] = YS_FOLDED,
	};
	enum fy_scalar_style ss;
	bool taken, out;

	if (inside_left_out(yl) && !d->anchor)	/* (most scalars of a big input) */
		return count_child(yl, yl->depth - 1, e);
	out = leaving_out(yl, &taken);

	if (out && !d->anchor)
		return taken ? 0 : attach(yl, NULL, e);
	ss = d->value ? yev_ss(e) : FYSS_PLAIN;
	n = node_from_event(yl, e, d->anchor, d->tag, Y_SCALAR);
	if (!d->value) {
		n->str = "";
	} else if (ss == FYSS_SINGLE_QUOTED || ss == FYSS_DOUBLE_QUOTED) {
		text = yquote_text(yl->a, d->value, piece(yl), piece_len(yl), &len);
		n->str = text ? text : "";
		n->len = text ? len : 0;
	} else {
		if (!(text = plain_on_one_line(yl, e, &len)))
			text = fy_token_get_text(d->value, &len);
		n->str = arena_strndup(yl->a, text ? text : "", text ? len : 0);
		n->len = text ? len : 0;
	}
	n->style = ss >= FYSS_PLAIN && ss < FYSS_MAX ? styles[ss] : YS_PLAIN;
	ypos_with_quotes(piece(yl), piece_len(yl), n, e->sm);
	place(yl, n);
	if (yl->text && n->pos < yl->len && yl->text[n->pos] != yl->buf[n->pos]) {
		/* a block scalar header made empty (prescan.h): YAML reads "" */
		n->str = "";
		n->len = 0;
		n->style = yl->buf[n->pos] == '|' ? YS_LITERAL : YS_FOLDED;
	}
	return taken ? 0 : attach(yl, n, e);
}

static int
on_start(struct yloader *yl, struct yev *e, enum ykind kind)
{
	struct fy_event *ev = e->ev;
	struct fy_token *anchor = kind == Y_MAP ? ev->mapping_start.anchor : ev->sequence_start.anchor;
	struct fy_token *tag = kind == Y_MAP ? ev->mapping_start.tag : ev->sequence_start.tag;
	struct ynode *n = NULL;
	bool taken, out;

	if (yl->depth >= YLOAD_MAX_DEPTH)	/* levels left out count too */
		return too_deep(yl, e);
	out = leaving_out(yl, &taken);
	if (!out || anchor) {	/* anchored: built aside until its end */
		n = node_from_event(yl, e, anchor, tag, kind);
		place(yl, n);
		if (e->ns == FYNS_FLOW)
			n->style = YS_FLOW;
	}
	if (!taken && attach(yl, n, e) != 0)
		return -1;
	yl->nchild[yl->depth] = 0;
	yl->ismap[yl->depth] = kind == Y_MAP;
	yl->stack[yl->depth++] = n;
	return 0;
}

static void
on_end(struct yloader *yl, struct yev *e)
{
	struct ynode *n = yl->stack[--yl->depth];
	const struct fy_mark *m;
	size_t nchild = yl->nchild[yl->depth];

	if (!n)
		return;
	m = n->style == YS_FLOW ? yev_em(e) : e->sm;
	n->len = n->kind == Y_MAP ? nchild / 2 : nchild;
	if (m)
		n->end = yl->base + m->input_pos;
}

static int
on_alias(struct yloader *yl, struct yev *e)
{
	struct ynode *target = anchor_get(yl, e->ev->alias.anchor), *n;
	bool taken, out = leaving_out(yl, &taken);

	if (!target) {	/* (anchors inside values left out are built aside) */
		report_at(yl, e->sm, yl->index, "alias refers to an unknown anchor");
		return -1;
	}
	if (out)
		return taken ? 0 : attach(yl, NULL, e);
	n = node_from_event(yl, e, NULL, NULL, Y_ALIAS);
	place(yl, n);
	n->target = target;
	return attach(yl, n, e);
}

static int
on_doc_start(struct yloader *yl, const struct yev *e, struct ydoc *doc)
{
	struct fy_event *ev = e->ev;
	const struct fy_mark *m = e->sm;
	char msg[128];

	memset(doc, 0, sizeof(*doc));
	doc->index = ++yl->index;
	yl->between = false;
	if ((size_t)yl->index > yl->lim.documents) {
		snprintf(msg, sizeof(msg), "more than %zu documents; raise --max-documents if this is intended",
			 yl->lim.documents);
		report_at(yl, m, yl->index, msg);
		return -1;
	}
	doc->explicit_start = !ev->document_start.implicit && m;
	doc->start = doc->explicit_start ? yl->base + m->input_pos : doc->index == 1 ? 0 : SIZE_MAX;
	yl->root = NULL;
	yl->depth = 0;
	yl->skipped_keys = 0;
	yl->key_prev = NULL;
	yl->kind = NULL;
	yanchors_clear(&yl->anchors);
	return 0;
}

static void
on_doc_end(struct yloader *yl, struct ydoc *doc)
{
	yl->between = true;
	doc->root = yis_null(yl->root) && !(yl->root && yl->root->tag) ? NULL : yl->root;
	if (!doc->explicit_start && yl->root && yl->root->line) {	/* (the guard reads the piece) */
		size_t start = doc->start == SIZE_MAX ? SIZE_MAX : doc->start - yl->base;

		doc->start = yl->base + yguard_doc_start(&yl->guard, start, yl->root->pos - yl->base);
	}
}

/* Follow ev's kind in yl->shapes (the same kinds ygate.c folds libyaml's into). */
static void
shape(struct yloader *yl, const struct fy_event *ev)
{
	int k = yshape_fy_kind(ev);

	if (ev->type == FYET_DOCUMENT_START)
		yshapes_doc_start(&yl->shapes);
	else if (ev->type == FYET_DOCUMENT_END)
		yshapes_doc_end(&yl->shapes);
	else if (k)
		yshapes_add(&yl->shapes, (enum yshape_kind)k);
}

static int
dispatch(struct yloader *yl, struct yev *e, struct ydoc *doc)
{
	switch (e->ev->type) {
	case FYET_DOCUMENT_START:
		return on_doc_start(yl, e, doc);
	case FYET_DOCUMENT_END:
		on_doc_end(yl, doc);
		return 1;
	case FYET_MAPPING_START:
		return on_start(yl, e, Y_MAP);
	case FYET_SEQUENCE_START:
		return on_start(yl, e, Y_SEQ);
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		on_end(yl, e);
		return 0;
	case FYET_SCALAR:
		return on_scalar(yl, e);
	case FYET_ALIAS:
		return on_alias(yl, e);
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

	if (!yl->fyp && ypiece_next(yl) != 1)
		return -1;
again:
	while ((ev = fy_parser_parse(yl->fyp)) != NULL) {
		struct yev e;
		const struct fy_mark *m;
		const char *msg;
		int rc, line, col;

		yev_of(&e, ev);
		m = e.sm;
		if (m) {
			yl->last_line = yl->line_base + m->line + 1;
			yl->last_col = m->column + 1;
		}
		if (yguard_event(&yl->guard, &e, &line, &col, &msg) != 0) {
			struct fy_mark at = { 0, line - 1, col - 1 };

			report_at(yl, &at, yl->index, msg);
			rc = -1;
		} else {
			shape(yl, ev);
			rc = dispatch(yl, &e, doc);
		}

		fy_parser_event_free(yl->fyp, ev);
		yl->piece_events++;
		if (rc < 0)
			return -1;
		if (rc == 1)
			return 1;
		if (rc == 2 && (rc = ypiece_next(yl)) <= 0)
			return rc;
	}
	if (fy_parser_get_stream_error(yl->fyp)) {
		int rc = ypiece_extend(yl);

		if (rc > 0)
			goto again;
		if (rc == 0)
			report_parse_error(yl);
		return -1;
	}
	return 0;
}

int
yload_one(const char *name, const char *buf, size_t len, struct arena *a, struct ynode **root)
{
	struct yloader *yl = yload_new(name, buf, len, a, &limits_default);
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
			struct where w = { .file = name, .src = buf, .srclen = len, .doc = doc.index,
					   .line = yl->last_line, .col = yl->last_col };

			where_at(&w, doc.root);
			diag_error(&w, "expected a single YAML document, found more than one");
			rc = -1;
		}
	}
	if (rc == 0 && ygate_check(name, buf, len, &yl->shapes, yl->text ? yl->text : buf) != 0)
		rc = -1;
	yload_free(yl);
	return rc < 0 ? -1 : 0;
}

const struct yshapes *
yload_shapes(const struct yloader *yl)
{
	return &yl->shapes;
}

const char *
yload_text(const struct yloader *yl)
{
	return yload_read_text(yl);
}
