/* prescanint.h - what prescan.c and prescalars.c share: the scanner's
 * state and its smallest helpers. Not for other files.
 * Ownership: struct scan borrows the text and the limits. */
#ifndef PRESCANINT_H
#define PRESCANINT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "limits.h"
#include "prescan.h"

/* Indicators, anchors and tags in a row with no value between them, inside
 * a flow collection: valid YAML has at most four (", ? &a !t"); libfyaml
 * would hold a run of commas like a long line before it reports it. */
#define MAX_INDICATOR_RUN 16

struct scan {
	const char *name, *s;
	size_t len, pos;
	int line, col;			/* line 1-based; col 0-based, in characters */
	const struct limits *lim;
	prescan_flow_fn trace;
	void *trace_ctx;
	bool quiet;			/* ps_fail() reports nothing (prescan_ahead()) */
	prescan_cut_fn cut;		/* prescan_ahead(): where libfyaml may start afresh */
	void *cut_ctx;
	size_t cut_step, last_cut;
	bool uncut;			/* no more cuts: a directive came, or a quoted
					 * scalar was ended by a document marker */
	int doc;			/* 1-based document number, for messages */
	int directives;			/* since the last document marker */
	bool doc_open;
	bool first_content;		/* no token since "---" or "..." */
	int flow;			/* flow level */
	int indent, indent_line;	/* libfyaml's block indentation */
	int saved[LIMIT_DEPTH + 2], saved_line[LIMIT_DEPTH + 2];
	int nsaved;
	bool sk_allowed;		/* a simple key may start here */
	bool sk_valid;			/* a block-context key starts at ... */
	int sk_col, sk_line;
	bool colon_follows_colon;	/* "x: :y" in flow: the second ':' is text */
	bool cplx;			/* a "? " key waits for its ':' ... */
	int cplx_col, cplx_line;	/* ... from here */
	bool fcplx[LIMIT_DEPTH + 1];	/* the same, saved by each open flow level */
	int fcplx_col[LIMIT_DEPTH + 1], fcplx_line[LIMIT_DEPTH + 1];
	int tok_line;
	size_t tokens;			/* tokens so far on line tok_line */
	int run;			/* indicators in a row, in flow context */
	struct prescan_fix *fix;	/* block scalar headers libfyaml misreads, or NULL */
};

static inline int
peek_at(const struct scan *sc, size_t k)
{
	return sc->pos + k < sc->len ? (unsigned char)sc->s[sc->pos + k] : -1;
}

static inline int
peek(const struct scan *sc)
{
	return peek_at(sc, 0);
}

static inline bool
is_lb(int c)
{
	return c == '\n' || c == '\r';
}

static inline bool
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static inline bool
is_blankz(int c)
{
	return c < 0 || is_blank(c) || is_lb(c);
}

static inline bool
is_flow_indicator(int c)
{
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

/* One character (a CR LF pair is one line break). */
static inline void
ps_advance(struct scan *sc)
{
	unsigned char c = (unsigned char)sc->s[sc->pos++];

	if (c == '\r' || c == '\n') {
		if (c == '\r' && sc->pos < sc->len && sc->s[sc->pos] == '\n')
			sc->pos++;
		sc->line++;
		sc->col = 0;
		return;
	}
	while (sc->pos < sc->len && ((unsigned char)sc->s[sc->pos] & 0xC0) == 0x80)
		sc->pos++;	/* the rest of a UTF-8 sequence */
	sc->col++;
}

/* ps_advance() over a run of spaces (and tabs, when tabs): only the column
 * moves. */
static inline void
ps_skip_blanks(struct scan *sc, bool tabs)
{
	size_t p = sc->pos;

	while (p < sc->len && (sc->s[p] == ' ' || (tabs && sc->s[p] == '\t')))
		p++;
	sc->col += (int)(p - sc->pos);
	sc->pos = p;
}

static inline bool
ps_at_doc_marker(const struct scan *sc)
{
	return sc->col == 0 && sc->pos + 3 <= sc->len &&
	       (!memcmp(sc->s + sc->pos, "---", 3) || !memcmp(sc->s + sc->pos, "...", 3)) && is_blankz(peek_at(sc, 3));
}

/* prescan.c */
void ps_skip_line(struct scan *sc);
int ps_fail(const struct scan *sc, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int ps_push_indent(struct scan *sc, int col, int line);
void ps_pop_indent(struct scan *sc);
void ps_save_key(struct scan *sc);

/* prescalars.c: each starts at the scalar's (or property's) first byte */
int ps_plain_scalar(struct scan *sc);
int ps_quoted_scalar(struct scan *sc);
int ps_block_scalar(struct scan *sc, bool first);
void ps_anchor_or_alias(struct scan *sc);
void ps_tag(struct scan *sc);

#endif
