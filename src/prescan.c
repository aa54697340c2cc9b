/* prescan.c - libfyaml 0.7.12's scanner (src/lib/fy-parse.c), followed only
 * as far as needed to know where its flow collections, scalars and lines are:
 * the same block indentation stack (push on "- ", "? " and a key's ":", pop
 * when a token starts left of it), the same simple-key rules for ":", the
 * same ends of plain, quoted and block scalars, of comments and of tags.
 * Nothing is built; each byte is looked at a bounded number of times. */
#include "prescan.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "limits.h"
#include "prescanint.h"
#include "util.h"

void
ps_skip_line(struct scan *sc)
{
	const unsigned char *s = (const unsigned char *)sc->s;
	size_t p = sc->pos, end = sc->len;
	int col = sc->col;

	while (p < end && s[p] != '\n' && s[p] != '\r') {	/* ps_advance() but for line breaks */
		p++;
		col++;
		while (p < end && (s[p] & 0xC0) == 0x80)
			p++;
	}
	sc->pos = p;
	sc->col = col;
}

int
ps_fail(const struct scan *sc, int line, int col, const char *fmt, ...)
{
	struct where w = { .file = sc->name, .src = sc->s, .srclen = sc->len, .line = line, .col = col + 1,
			   .doc = sc->doc };
	va_list ap;

	if (sc->quiet)
		return -1;
	va_start(ap, fmt);
	diag_vreport(SEV_ERROR, &w, fmt, ap);
	va_end(ap);
	return -1;
}

static int
too_deep(const struct scan *sc)
{
	return ps_fail(sc, sc->line, sc->col, "nesting is deeper than %d levels (a fixed limit: no Kubernetes object "
		    "comes near it)", LIMIT_DEPTH);
}

/* Directives belong to the document after them (the scan ends here). */
static int
too_many_directives(struct scan *sc)
{
	sc->doc += !sc->doc_open;
	return ps_fail(sc, sc->line, sc->col, "more than %d directives (%%YAML, %%TAG) before one document (a fixed "
		    "limit: Kubernetes manifests have none, and YAML parsers take time quadratic in their number)",
		    LIMIT_DIRECTIVES);
}

/* A token starts here: count it on its line (content: a value, not an
 * indicator, anchor or tag). */
static int
token(struct scan *sc, bool content)
{
	if (!sc->doc_open) {
		sc->doc++;
		sc->doc_open = true;
	}
	sc->first_content = false;
	if (sc->line != sc->tok_line) {
		sc->tok_line = sc->line;
		sc->tokens = 0;
	}
	if (++sc->tokens > sc->lim->line_tokens)
		return ps_fail(sc, sc->line, sc->col, "line %d holds more than %zu YAML tokens (libfyaml keeps a line's "
			    "tokens in memory, about 200 bytes each); break it up, or raise --max-line-tokens if this "
			    "is intended", sc->line, sc->lim->line_tokens);
	if (content)
		sc->run = 0;
	else if (sc->flow && ++sc->run >= MAX_INDICATOR_RUN)
		return ps_fail(sc, sc->line, sc->col, "invalid YAML: %d commas, indicators, anchors or tags in a row "
			    "inside a flow collection, with no value between them", MAX_INDICATOR_RUN);
	return 0;
}

/* --- block indentation (fy_push_indent, fy_parse_unroll_indent) --- */

int
ps_push_indent(struct scan *sc, int col, int line)
{
	if (sc->nsaved + sc->flow >= LIMIT_DEPTH)
		return too_deep(sc);
	sc->saved[sc->nsaved] = sc->indent;
	sc->saved_line[sc->nsaved++] = sc->indent_line;
	sc->indent = col;
	sc->indent_line = line;
	return 0;
}

void
ps_pop_indent(struct scan *sc)
{
	sc->indent = sc->saved[--sc->nsaved];
	sc->indent_line = sc->saved_line[sc->nsaved];
}

static void
unroll(struct scan *sc, int col)
{
	if (sc->flow)
		return;
	while (sc->indent > col && sc->nsaved) {
		ps_pop_indent(sc);
		sc->indent_line = sc->line;
	}
}

/* A token that may be a simple key starts here (fy_save_simple_key); only
 * block-context ones matter here: their ':' opens a block mapping. */
void
ps_save_key(struct scan *sc)
{
	if (!sc->sk_allowed)
		return;
	if (!sc->flow && sc->cplx && sc->line > sc->cplx_line && sc->col <= sc->cplx_col)
		sc->cplx = false;
	if (sc->flow)
		return;
	sc->sk_valid = true;
	sc->sk_col = sc->col;
	sc->sk_line = sc->line;
}

/* --- whitespace, comments, directives, document markers --- */

/* fy_scan_to_next_token: blanks, comments and line breaks. Where a block
 * key may start, a tab is no separator: libfyaml skips tabs only before a
 * flow collection, a comment or a line break, and otherwise reads what
 * follows them as a plain scalar (next_token()). */
static void
to_next_token(struct scan *sc)
{
	for (;;) {
		if (sc->flow || !sc->sk_allowed) {
			ps_skip_blanks(sc, true);
		} else {
			size_t k = 0;
			int c;

			ps_skip_blanks(sc, false);
			while (is_blank(c = peek_at(sc, k)))
				k++;
			if (c < 0 || c == '[' || c == '{' || c == '#' || is_lb(c)) {
				sc->pos += k;	/* blanks: only the column moves */
				sc->col += (int)k;
			}
		}
		if (peek(sc) == '#')
			ps_skip_line(sc);
		if (!is_lb(peek(sc)))
			return;
		ps_advance(sc);
		if (!sc->flow)
			sc->sk_allowed = true;
	}
}

static void
doc_marker(struct scan *sc)
{
	bool start = sc->s[sc->pos] == '-';

	sc->flow = 0;
	unroll(sc, -1);
	sc->sk_valid = false;
	sc->sk_allowed = false;
	sc->run = 0;
	sc->first_content = true;
	sc->directives = 0;
	if (start) {
		sc->doc++;
		sc->doc_open = true;
	} else {
		sc->doc_open = false;
	}
	for (int i = 0; i < 3; i++)
		ps_advance(sc);
	sc->indent_line = sc->line;
}

/* --- indicators --- */

static int
flow_start(struct scan *sc)
{
	if (sc->flow + sc->nsaved >= LIMIT_DEPTH)
		return too_deep(sc);
	if (sc->trace)
		sc->trace(sc->trace_ctx, sc->pos);
	ps_save_key(sc);
	sc->fcplx[sc->flow] = sc->cplx;
	sc->fcplx_col[sc->flow] = sc->cplx_col;
	sc->fcplx_line[sc->flow] = sc->cplx_line;
	sc->cplx = false;
	sc->flow++;
	sc->sk_allowed = true;
	sc->indent_line = sc->line;
	ps_advance(sc);
	return 0;
}

static void
flow_end(struct scan *sc)
{
	if (sc->flow) {
		sc->flow--;
		sc->cplx = sc->fcplx[sc->flow];
		sc->cplx_col = sc->fcplx_col[sc->flow];
		sc->cplx_line = sc->fcplx_line[sc->flow];
	}
	sc->sk_allowed = false;
	sc->indent_line = sc->line;
	ps_advance(sc);
}

/* fy_ws_indentation_check, after "- ", "? " and the ':' of a "? " key in
 * block context: the first tab of the blanks after them is a separator
 * (unless a block indicator follows: libfyaml's error), then spaces. */
static void
blanks_after_indicator(struct scan *sc)
{
	size_t k = 0;
	int c, tab = -1;

	if (sc->flow)
		return;
	while (is_blank(c = peek_at(sc, k))) {
		if (c == '\t' && tab < 0)
			tab = (int)k;
		k++;
	}
	if (tab >= 0 && ((c >= 0 && strchr("?:|>", c)) || (c == '-' && is_blankz(peek_at(sc, k + 1)))))
		return;
	for (int i = 0; i <= tab; i++)
		ps_advance(sc);
	while (peek(sc) == ' ')
		ps_advance(sc);
}

/* "- " and "? ": a block collection where the block is left of them. */
static int
entry_or_key(struct scan *sc, bool entry)
{
	if (!sc->flow) {
		if (sc->indent < sc->col && ps_push_indent(sc, sc->col, sc->line) != 0)
			return -1;
		sc->sk_valid = false;
	}
	sc->sk_allowed = entry || !sc->flow;
	sc->indent_line = sc->line;
	if (!entry) {
		sc->cplx = true;
		sc->cplx_col = sc->col;
		sc->cplx_line = sc->line;
	}
	ps_advance(sc);
	blanks_after_indicator(sc);
	return 0;
}

/* Is the ':' here a value indicator (fy_fetch_tokens)? */
static bool
is_value(struct scan *sc)
{
	bool twice = sc->colon_follows_colon && sc->flow;

	sc->colon_follows_colon = false;
	return ((sc->flow && !sc->sk_allowed) || is_blankz(peek_at(sc, 1))) && !twice;
}

/* After the ':' of a "? " key, blanks with a tab, then a block indicator:
 * libfyaml 0.7.12's fy_fetch_value() reports it, then frees the key's
 * simple key a second time and crashes when the parser is destroyed. */
static int
tab_then_block(const struct scan *sc)
{
	size_t k = 1;
	int c, tab = 0;

	while (is_blank(c = peek_at(sc, k))) {
		if (c == '\t' && !tab)
			tab = (int)k;
		k++;
	}
	if (!tab || !((c >= 0 && strchr("?:|>", c)) || (c == '-' && is_blankz(peek_at(sc, k + 1)))))
		return 0;
	return ps_fail(sc, sc->line, sc->col + tab, "cannot use tab for indentation of block entry");
}

/* fy_fetch_value: a block mapping starts at its key, or at the ':' itself. */
static int
value(struct scan *sc)
{
	bool key = sc->sk_valid && sc->sk_line == sc->line, complex = sc->cplx;
	int col = key ? sc->sk_col : sc->col, line = key ? sc->sk_line : sc->line;

	if (!sc->flow && complex && key && tab_then_block(sc) != 0)
		return -1;
	if (complex && (sc->flow || sc->col <= sc->cplx_col))
		sc->cplx = false;
	sc->indent_line = sc->line;
	if (sc->flow) {
		size_t k = 1;
		int c;

		while (is_blank(c = peek_at(sc, k)) || is_lb(c))
			k++;
		sc->colon_follows_colon = c == ':';
		sc->sk_allowed = false;
	} else {
		if (col > sc->indent && ps_push_indent(sc, col, line) != 0)
			return -1;
		sc->colon_follows_colon = false;
		sc->sk_allowed = !key;
		sc->sk_valid = false;
	}
	ps_advance(sc);
	if (complex)
		blanks_after_indicator(sc);
	return 0;
}

/* One token, c its first byte (fy_fetch_tokens). */
static int
next_token(struct scan *sc, int c)
{
	bool first = sc->first_content;

	if (c == '[' || c == '{')
		return token(sc, true) != 0 ? -1 : flow_start(sc);
	if (c == ']' || c == '}') {
		if (token(sc, true) != 0)
			return -1;
		flow_end(sc);
		return 0;
	}
	if (c == ',') {
		if (token(sc, false) != 0)
			return -1;
		sc->cplx = false;
		sc->sk_allowed = true;
		sc->indent_line = sc->line;
		ps_advance(sc);
		return 0;
	}
	if ((c == '-' || c == '?') && is_blankz(peek_at(sc, 1)))
		return token(sc, false) != 0 ? -1 : entry_or_key(sc, c == '-');
	if (c == ':' && is_value(sc))
		return token(sc, false) != 0 ? -1 : value(sc);
	if (c == '*' || c == '&' || c == '!') {
		if (token(sc, c == '*') != 0)
			return -1;
		if (c == '!')
			ps_tag(sc);
		else
			ps_anchor_or_alias(sc);
		return 0;
	}
	if (c == '\t') {	/* see to_next_token() */
		while (is_blank(peek(sc)))
			ps_advance(sc);
		if (token(sc, true) != 0)
			return -1;
		ps_save_key(sc);
		return ps_plain_scalar(sc);
	}
	if (token(sc, true) != 0)
		return -1;
	if (!sc->flow && (c == '|' || c == '>'))
		return ps_block_scalar(sc, first);
	ps_save_key(sc);
	if (c == '\'' || c == '"')
		return ps_quoted_scalar(sc);
	return ps_plain_scalar(sc);
}

/* At a document marker at the start of a line: tell prescan_ahead()'s
 * caller it may start libfyaml afresh here (prescan.h). Not while a "? "
 * key waits for its ':': libfyaml keeps that across the marker (its
 * pending_complex_key_column), and the next document's first plain scalar
 * reads otherwise than in a fresh parser (a fuzz finding). */
static void
maybe_cut(struct scan *sc)
{
	if (!sc->cut || sc->uncut || sc->flow || sc->cplx || sc->s[sc->pos] != '-' || (sc->fix && sc->fix->n) ||
	    sc->pos == 0 || sc->pos - sc->last_cut < sc->cut_step)
		return;
	sc->last_cut = sc->pos;
	sc->cut(sc->cut_ctx, sc->pos, sc->line);
}

static int
run(struct scan *sc)
{
	int c;

	if (sc->len >= 3 && !memcmp(sc->s, "\xEF\xBB\xBF", 3))
		sc->pos = 3;
	for (;;) {
		to_next_token(sc);
		unroll(sc, sc->col);
		if ((c = peek(sc)) < 0)
			return 0;
		if (sc->col == 0 && c == '%') {
			/* a directive, even inside a document or a flow
			 * collection: libfyaml warns and goes on */
			if (++sc->directives > LIMIT_DIRECTIVES)
				return too_many_directives(sc);
			sc->uncut = true;
			sc->sk_valid = false;
			sc->sk_allowed = true;
			unroll(sc, -1);
			ps_skip_line(sc);
		} else if (ps_at_doc_marker(sc)) {
			maybe_cut(sc);
			doc_marker(sc);
		} else if (next_token(sc, c) != 0) {
			return -1;
		}
	}
}

const struct limits limits_default = LIMITS_DEFAULT;

static int
scan_all(struct scan *sc)
{
	sc->line = 1;
	sc->indent = -1;
	sc->sk_allowed = true;
	return run(sc);
}

int
prescan(const char *name, const char *buf, size_t len, const struct limits *lim, struct prescan_fix *fix)
{
	struct scan sc = { .name = name, .s = buf, .len = len, .lim = lim, .fix = fix };

	return scan_all(&sc);
}

int
prescan_ahead(const char *buf, size_t len, const struct limits *lim, struct prescan_fix *fix, size_t step,
	      prescan_cut_fn cut, void *ctx)
{
	struct scan sc = { .name = "", .s = buf, .len = len, .lim = lim, .fix = fix, .quiet = true, .cut = cut,
			   .cut_ctx = ctx, .cut_step = step };

	return scan_all(&sc);
}

int
prescan_trace(const char *buf, size_t len, const struct limits *lim, prescan_flow_fn fn, void *ctx,
	      struct prescan_fix *fix)
{
	struct scan sc = { .name = diag_input_name(), .s = buf, .len = len, .lim = lim, .trace = fn,
			   .trace_ctx = ctx, .fix = fix };

	return scan_all(&sc);
}

void
prescan_fix_free(struct prescan_fix *f)
{
	free(f->pos);
	free(f->len);
	memset(f, 0, sizeof(*f));
}

char *
prescan_fix_apply(const char *buf, size_t len, const struct prescan_fix *fix)
{
	char *t = xmalloc(len ? len : 1);

	memcpy(t, buf, len);
	for (size_t i = 0; i < fix->n; i++) {
		char *h = t + fix->pos[i];

		if (fix->len[i] == 1) {
			h[0] = '~';
		} else {
			h[0] = h[1] = '"';
			memset(h + 2, ' ', fix->len[i] - 2);
		}
	}
	return t;
}
