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
#include "util.h"
#include "yguard.h"
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
	int index;
	struct ynode *stack[YLOAD_MAX_DEPTH + 1];
	size_t nchild[YLOAD_MAX_DEPTH + 1];
	size_t depth;
	struct ynode *root;
	struct yguard guard;	/* libfyaml's token-less messages, its leniency */
	int last_line, last_col;	/* where the last event began (1-based) */
	bool between;		/* before a document's start (its index is index + 1) */
	ywant_fn want;		/* which values of a document root to build */
	void *want_ctx;
	int skip;		/* > 0: inside a value not wanted (nesting level) */
	bool skipped;		/* this document had values left out */
	/* An anchored node inside a value left out is still built, aside (not
	 * attached; reached through the anchor only), so that an alias of it
	 * reads what it says: its nodes from stack[aside - 1] up. */
	size_t aside;		/* 0: not building aside */
	int aside_skip;		/* the skip level to return to */
	struct anchor *anchors;	/* open addressing, power-of-two size */
	size_t nanchors, anchorcap;
};

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
	for (const char *p = buf; p < buf + bad; p++) {
		if (*p == '\n') {
			w.line++;
			w.col = 1;
		} else if ((*p & 0xC0) != 0x80) {
			w.col++;	/* columns count characters, as libfyaml's do */
		}
	}
	if (buf[bad] == '\0')
		diag_error(&w, "the input contains a NUL byte; YAML text cannot hold one");
	else
		diag_error(&w, "the input is not valid UTF-8 (byte 0x%02X)", (unsigned char)buf[bad]);
	return -1;
}

struct yloader *
yload_new(const char *name, const char *buf, size_t len, struct arena *a)
{
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET };
	struct fy_diag_cfg dcfg;
	struct yloader *yl;

	if (check_text(name, buf, len) != 0)
		return NULL;
	yl = xcalloc(1, sizeof(*yl));
	/* libfyaml's own messages name a memory address; collect them and
	 * report the first one in our format instead */
	fy_diag_cfg_default(&dcfg);
	yguard_init(&yl->guard, buf, len, &dcfg);
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
	yl->last_line = yl->last_col = 1;
	yl->between = true;
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

/* libfyaml's first error in our format, always with line:col: a collected
 * error where libfyaml put it, else one without a token (yguard.c), else
 * "invalid YAML" at the last event read. */
static void
report_parse_error(struct yloader *yl)
{
	void *iter = NULL;
	struct fy_diag_error *err = yl->diag ? fy_diag_errors_iterate(yl->diag, &iter) : NULL;
	int line = yl->last_line, col = yl->last_col;
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
	if (yl->anchorcap)
		memset(yl->anchors, 0, yl->anchorcap * sizeof(*yl->anchors));
	yl->nanchors = 0;
}

static size_t
tok_start(struct fy_token *tok, size_t pos)
{
	const struct fy_mark *m = tok ? fy_token_start_mark(tok) : NULL;

	return m && m->input_pos < pos ? m->input_pos : pos;
}

/* libfyaml 0.7.12 marks an anchor (&name) and an alias (*name) at the name:
 * step back over the indicator, so that a node's bytes include it. */
static size_t
with_indicator(const struct yloader *yl, size_t pos, char indicator)
{
	return pos > 0 && pos <= yl->len && yl->buf[pos - 1] == indicator ? pos - 1 : pos;
}

static size_t
anchor_start(const struct yloader *yl, struct fy_token *anchor, size_t pos)
{
	const struct fy_mark *m = anchor ? fy_token_start_mark(anchor) : NULL;

	return m && m->input_pos < pos ? with_indicator(yl, m->input_pos, '&') : pos;
}

/* A node for a start/scalar/alias event, positioned, tagged and anchored. */
static struct ynode *
node_from_event(struct yloader *yl, struct fy_event *ev, struct fy_token *anchor,
		struct fy_token *tag, enum ykind kind)
{
	const struct fy_mark *sm = fy_event_start_mark(ev), *em = fy_event_end_mark(ev);
	struct ynode *n = arena_alloc(yl->a, sizeof(*n));

	n->kind = (unsigned char)kind;
	if (!sm)	/* an empty scalar has no mark; its tag or anchor has */
		sm = tag ? fy_token_start_mark(tag) : anchor ? fy_token_start_mark(anchor) : NULL;
	if (sm) {
		n->pos = tok_start(tag, anchor_start(yl, anchor, sm->input_pos));
		n->line = sm->line + 1;
		n->col = sm->column + 1;
		if (kind == Y_ALIAS && n->col > 1 && n->pos != with_indicator(yl, n->pos, '*')) {
			n->pos--;
			n->col--;
		}
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

static void
attach(struct yloader *yl, struct ynode *n)
{
	struct ynode *parent;

	if (yl->aside && yl->depth == yl->aside - 1)
		return;		/* an anchored node left out: its anchor keeps it */
	if (!yl->depth) {
		yl->root = n;
		return;
	}
	parent = yl->stack[yl->depth - 1];
	if (!n->line) {		/* empty, so no mark: point at its key, or its collection */
		struct ynode *at = parent->kind == Y_MAP && yl->nchild[yl->depth - 1] % 2 ? parent->tail : parent;

		n->line = at->line;
		n->col = at->col;
	}
	if (parent->tail)
		parent->tail->next = n;
	else
		parent->head = n;
	parent->tail = n;
	yl->nchild[yl->depth - 1]++;
}

/* The text of a quoted scalar. fy_token_get_text() of libfyaml 0.7.12 leaks
 * its buffer on quoted scalars with many escapes ('' or \n), so those are
 * read through a token iterator into the arena instead. */
static const char *
quoted_text(struct yloader *yl, struct fy_token *tok, size_t *lenp)
{
	struct fy_token_iter *it = fy_token_iter_create(tok);
	const struct fy_iter_chunk *chunk = NULL;
	struct buf b = BUF_INIT;
	char *text;
	int err = 0;

	if (!it)
		return NULL;
	while ((chunk = fy_token_iter_chunk_next(it, chunk, &err)) != NULL)
		buf_add(&b, chunk->str, chunk->len);
	fy_token_iter_destroy(it);
	text = arena_strndup(yl->a, b.p ? b.p : "", b.len);
	*lenp = b.len;
	buf_free(&b);
	return text;
}

static int
too_deep(struct yloader *yl, struct fy_event *ev)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "nesting is deeper than %d levels", YLOAD_MAX_DEPTH);
	report_at(yl, fy_event_start_mark(ev), yl->index, msg);
	return -1;
}

/* Is the next node a value of the document root that the caller does not
 * want? Then its key is taken back and the value is not built at all (its
 * scalars are never formatted: that is most of the cost of a big CRD). */
static bool
skip_this(struct yloader *yl)
{
	struct ynode *root, *key, **link;

	if (!yl->want || yl->depth != 1 || yl->stack[0]->kind != Y_MAP || yl->nchild[0] % 2 == 0)
		return false;
	root = yl->stack[0];
	key = root->tail;
	/* a merge key may give any key; a tagged key may not be what it reads */
	if (key->kind != Y_SCALAR || key->tag || ykey_is_merge(key) || yl->want(yl->want_ctx, root, key->str))
		return false;
	for (link = &root->head; *link != key; link = &(*link)->next)
		;
	*link = NULL;
	root->tail = NULL;
	for (struct ynode *c = root->head; c; c = c->next)
		root->tail = c;
	yl->nchild[0]--;
	yl->skipped = true;
	return true;
}

/* libfyaml 0.7.12 marks a quoted scalar inside its quotes: widen its bytes
 * to take them in. */
static void
with_quotes(const struct yloader *yl, struct ynode *n, const struct fy_mark *sm)
{
	char q = n->style == YS_SINGLE ? '\'' : '"';

	if (n->style != YS_SINGLE && n->style != YS_DOUBLE)
		return;
	if (sm && n->pos == sm->input_pos)
		n->pos = with_indicator(yl, n->pos, q);
	if (n->end < yl->len && yl->buf[n->end] == q)
		n->end++;
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

	bool left_out = yl->skip || skip_this(yl);

	if (left_out && !d->anchor)
		return 0;
	n = node_from_event(yl, ev, d->anchor, d->tag, Y_SCALAR);
	if (!d->value) {
		n->str = "";
	} else if (ss == FYSS_SINGLE_QUOTED || ss == FYSS_DOUBLE_QUOTED) {
		text = quoted_text(yl, d->value, &len);
		n->str = text ? text : "";
		n->len = text ? len : 0;
	} else {
		text = fy_token_get_text(d->value, &len);
		n->str = arena_strndup(yl->a, text ? text : "", text ? len : 0);
		n->len = text ? len : 0;
	}
	n->style = ss >= FYSS_PLAIN && ss < FYSS_MAX ? styles[ss] : YS_PLAIN;
	with_quotes(yl, n, fy_event_start_mark(ev));
	if (!left_out)
		attach(yl, n);
	return 0;
}

static int
on_start(struct yloader *yl, struct fy_event *ev, enum ykind kind)
{
	struct fy_token *anchor = kind == Y_MAP ? ev->mapping_start.anchor : ev->sequence_start.anchor;
	struct fy_token *tag = kind == Y_MAP ? ev->mapping_start.tag : ev->sequence_start.tag;
	struct ynode *n;

	if (yl->depth + (size_t)yl->skip + (size_t)yl->aside_skip >= YLOAD_MAX_DEPTH)
		return too_deep(yl, ev);
	if (yl->skip || skip_this(yl)) {
		if (!anchor) {
			yl->skip++;
			return 0;
		}
		yl->aside = yl->depth + 1;	/* built aside until its end */
		yl->aside_skip = yl->skip;
		yl->skip = 0;
	}
	n = node_from_event(yl, ev, anchor, tag, kind);
	if (fy_event_get_node_style(ev) == FYNS_FLOW)
		n->style = YS_FLOW;
	attach(yl, n);
	yl->nchild[yl->depth] = 0;
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
	if (yl->aside && yl->depth == yl->aside - 1) {
		yl->aside = 0;		/* back to leaving out */
		yl->skip = yl->aside_skip;
		yl->aside_skip = 0;
	}
}

static int
on_alias(struct yloader *yl, struct fy_event *ev)
{
	struct ynode *n;

	if (skip_this(yl))
		return 0;
	n = node_from_event(yl, ev, NULL, NULL, Y_ALIAS);
	n->target = anchor_get(yl, ev->alias.anchor);
	if (!n->target) {
		report_at(yl, fy_event_start_mark(ev), yl->index, "alias refers to an unknown anchor");
		return -1;
	}
	attach(yl, n);
	return 0;
}

static void
on_doc_start(struct yloader *yl, struct fy_event *ev, struct ydoc *doc)
{
	const struct fy_mark *m = fy_event_start_mark(ev);

	memset(doc, 0, sizeof(*doc));
	doc->index = ++yl->index;
	yl->between = false;
	doc->explicit_start = !ev->document_start.implicit && m;
	doc->start = doc->explicit_start ? m->input_pos : doc->index == 1 ? 0 : SIZE_MAX;
	yl->root = NULL;
	yl->depth = 0;
	yl->skip = 0;
	yl->skipped = false;
	yl->aside = 0;
	yl->aside_skip = 0;
	anchors_clear(yl);
}

static void
on_doc_end(struct yloader *yl, struct ydoc *doc)
{
	yl->between = true;
	doc->root = yis_null(yl->root) && !(yl->root && yl->root->tag) ? NULL : yl->root;
	if (!doc->explicit_start && yl->root && yl->root->line)
		doc->start = yguard_doc_start(&yl->guard, doc->start, yl->root->pos);
}


/* Inside a value left out: only follow its nesting (still bounded: the
 * parser's own stacks grow with it), and build its anchored nodes aside. */
static int
dispatch_skipped(struct yloader *yl, struct fy_event *ev)
{
	if (ev->type == FYET_MAPPING_START)
		return on_start(yl, ev, Y_MAP);
	if (ev->type == FYET_SEQUENCE_START)
		return on_start(yl, ev, Y_SEQ);
	if (ev->type == FYET_SCALAR)
		return on_scalar(yl, ev);
	if (ev->type == FYET_ALIAS && !anchor_get(yl, ev->alias.anchor)) {
		report_at(yl, fy_event_start_mark(ev), yl->index, "alias refers to an unknown anchor");
		return -1;
	}
	if (ev->type == FYET_MAPPING_END || ev->type == FYET_SEQUENCE_END)
		yl->skip--;
	return 0;
}

static int
dispatch(struct yloader *yl, struct fy_event *ev, struct ydoc *doc)
{
	if (yl->skip)
		return dispatch_skipped(yl, ev);
	switch (ev->type) {
	case FYET_DOCUMENT_START:
		on_doc_start(yl, ev, doc);
		return 0;
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
		const struct fy_mark *m = fy_event_start_mark(ev);
		const char *msg;
		int rc, line, col;

		if (m) {
			yl->last_line = m->line + 1;
			yl->last_col = m->column + 1;
		}
		if (yguard_event(&yl->guard, ev, &line, &col, &msg) != 0) {
			struct fy_mark at = { 0, line - 1, col - 1 };

			report_at(yl, &at, yl->index, msg);
			rc = -1;
		} else {
			rc = dispatch(yl, ev, doc);
		}

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
	struct yloader *yl = yload_new(name, buf, len, a);
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

			if (doc.root && doc.root->line) {
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
