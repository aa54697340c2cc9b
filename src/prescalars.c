/* prescalars.c - the pre-scan's scalars, anchors and tags: where each ends,
 * as libfyaml 0.7.12's scanner finds it, and their size against the limit. */
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "prescanint.h"
#include "util.h"

static int
too_long(const struct scan *sc, int line, int col, const char *what)
{
	return ps_fail(sc, line, col, "a %s scalar longer than %zu bytes (quotes, escapes and line breaks included); "
		    "raise --max-scalar-bytes if this is intended", what, sc->lim->scalar_bytes);
}

/* What ends a run of a plain scalar: a blank or a line break (PS_END), a
 * ':' before a blank, a break, the end or (in flow context) a flow
 * indicator (PS_COLON), a flow indicator in flow context (PS_FLOW). */
enum { PS_END = 1, PS_COLON, PS_FLOW };
static const unsigned char plain_stop[256] = {
	[' '] = PS_END, ['\t'] = PS_END, ['\n'] = PS_END, ['\r'] = PS_END, [':'] = PS_COLON,
	[','] = PS_FLOW, ['['] = PS_FLOW, [']'] = PS_FLOW, ['{'] = PS_FLOW, ['}'] = PS_FLOW,
};

/* A run of a plain scalar's non-blank characters (no line break in it, so
 * only the column moves): false if it is empty. */
static bool
plain_run(struct scan *sc)
{
	const unsigned char *s = (const unsigned char *)sc->s;
	size_t p = sc->pos, end = sc->len;
	unsigned seen = 0;	/* the bits of every byte: 0x80, a multi-byte character */

	for (; p < end; p++) {
		unsigned char c = s[p];

		switch (plain_stop[c]) {
		case PS_END:
			goto done;
		case PS_COLON:
			if (p + 1 >= end || is_blankz(s[p + 1]) || (sc->flow && is_flow_indicator(s[p + 1])))
				goto done;
			break;
		case PS_FLOW:
			if (sc->flow)
				goto done;
			break;
		}
		seen |= c;
	}
done:
	if (p == sc->pos)
		return false;
	if (seen & 0x80) {	/* a character, not the rest of one */
		for (size_t i = sc->pos; i < p; i++)
			sc->col += (s[i] & 0xC0) != 0x80;
	} else {
		sc->col += (int)(p - sc->pos);
	}
	sc->pos = p;
	return true;
}

/* fy_reader_fetch_plain_scalar_handle: runs of non-blanks up to ": " (and,
 * in flow context, ":," and ",[]{}"), over blanks and line breaks while the
 * next line is indented more than the block (any indent in flow context),
 * never into a comment or a document marker. */
int
ps_plain_scalar(struct scan *sc)
{
	size_t start = sc->pos, end = sc->pos;
	int line = sc->line, col = sc->col, c;
	bool has_lb = false;

	for (;;) {
		bool ran = false;

		if (ps_at_doc_marker(sc) || (c = peek(sc)) == '#')
			break;
		ran = plain_run(sc);
		c = peek(sc);
		if (ran)
			end = sc->pos;
		if (end - start > sc->lim->scalar_bytes)
			return too_long(sc, line, col, "plain");
		if (!is_blank(c) && !is_lb(c))
			break;
		do {
			if (is_blank(c)) {
				ps_skip_blanks(sc, true);
			} else {
				has_lb = true;
				ps_advance(sc);
			}
		} while (is_blank(c = peek(sc)) || is_lb(c));
		if (!sc->flow && sc->indent >= 0 && sc->col < sc->indent + 1)
			break;
	}
	sc->sk_allowed = has_lb;
	return 0;
}

/* fy_reader_fetch_flow_scalar_handle: to the closing quote ('' and \x are
 * escapes); a document marker inside is libfyaml's error, and ours to stop.
 *
 * A run of bytes other than the quote, a backslash (in double quotes) and a
 * line break is jumped at once: in it only the column moves (by its
 * characters, as ps_advance counts them: the run's first byte, then every
 * byte that does not continue a UTF-8 sequence), no document marker can
 * start (that needs column 0, only just after a line break), and the size
 * limit is checked at the last character the run holds. */
int
ps_quoted_scalar(struct scan *sc)
{
	const unsigned char *s = (const unsigned char *)sc->s;
	size_t start = sc->pos, limit = sc->lim->scalar_bytes;
	int line = sc->line, col = sc->col, q = peek(sc), c;
	const char *what = q == '"' ? "double-quoted" : "single-quoted";

	ps_advance(sc);
	while ((c = peek(sc)) >= 0 && !ps_at_doc_marker(sc)) {
		if (c != q && !(c == '\\' && q == '"') && !is_lb(c)) {
			size_t p = sc->pos, last = p, end = sc->len;
			int cols = 1;

			for (p++; p < end; p++) {
				unsigned char b = s[p];

				if (b == q || (b == '\\' && q == '"') || b == '\n' || b == '\r')
					break;
				if ((b & 0xC0) != 0x80) {
					cols++;
					last = p;
				}
			}
			if (last - start >= limit)
				return too_long(sc, line, col, what);
			sc->pos = p;
			sc->col += cols;
			continue;
		}
		if (sc->pos - start >= limit)
			return too_long(sc, line, col, what);
		if (c == q && !(q == '\'' && peek_at(sc, 1) == '\'')) {
			ps_advance(sc);
			break;
		}
		if (c == '\\' && q == '"' && peek_at(sc, 1) >= 0)
			ps_advance(sc);
		else if (c == '\'' && q == '\'')
			ps_advance(sc);
		ps_advance(sc);
	}
	if (ps_at_doc_marker(sc))
		sc->uncut = true;	/* libfyaml's error there is its own only if it reads on */
	sc->sk_allowed = false;
	return 0;
}

/* fy_scan_block_scalar_indent: skip the indentation of empty lines and the
 * first one with text; returns the content's indentation. */
static int
block_indent(struct scan *sc, int ci, int min_indent)
{
	int max = 0;
	/* spaces are taken while the column is below the content's indentation
	 * (any, before it is known) and not past the block's: below lim */
	int lim = !ci ? INT_MAX : ci > sc->indent + 1 ? ci : sc->indent + 1;

	for (;;) {
		size_t p = sc->pos;

		while (p < sc->len && sc->s[p] == ' ' && sc->col + (int)(p - sc->pos) < lim)
			p++;
		sc->col += (int)(p - sc->pos);	/* spaces: only the column moves */
		sc->pos = p;
		if (sc->col > max)
			max = sc->col;
		if (!is_lb(peek(sc)))
			break;
		ps_advance(sc);
	}
	if (!ci) {
		ci = max;
		if (ci < sc->indent)
			ci = sc->indent;
		if (ci < min_indent)
			ci = min_indent;
	}
	return ci;
}

/* The header of a block scalar: its indentation indicator (0 if none). */
static int
block_header(struct scan *sc)
{
	int inc = 0;

	ps_advance(sc);		/* '|' or '>' */
	for (int i = 0; i < 2; i++) {
		int c = peek(sc);

		if (c == '+' || c == '-')
			ps_advance(sc);
		else if (c >= '1' && c <= '9' && !inc)
			inc = c - '0', ps_advance(sc);
	}
	while (is_blank(peek(sc)))
		ps_advance(sc);
	if (peek(sc) == '#')
		ps_skip_line(sc);
	return inc;
}

/* To the line break ending this line (true), or to the end of the text
 * (false). The column is not kept: the break resets it. */
static bool
to_line_end(struct scan *sc)
{
	const char *p = sc->s + sc->pos, *end = sc->s + sc->len;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *cr = memchr(p, '\r', (size_t)((nl ? nl : end) - p));
	const char *lb = cr ? cr : nl;

	if (!lb) {
		while (sc->pos < sc->len)
			ps_advance(sc);
		return false;
	}
	sc->pos = (size_t)(lb - sc->s);
	return true;
}

/* Note the header at pos ('|' or '>' and its modifiers) in sc->fix. */
static void
fix_add(struct scan *sc, size_t pos)
{
	struct prescan_fix *f = sc->fix;
	size_t n = 1;

	while (n < 3 && pos + n < sc->len && strchr("+-123456789", sc->s[pos + n]))
		n++;
	if (!f)
		return;
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 8;
		f->pos = xrealloc(f->pos, f->cap * sizeof(*f->pos));
		f->len = xrealloc(f->len, f->cap * sizeof(*f->len));
	}
	f->pos[f->n] = pos;
	f->len[f->n++] = n;
}

/* fy_fetch_block_scalar: lines indented at least as its content, and empty
 * ones, until a document marker. */
int
ps_block_scalar(struct scan *sc, bool first)
{
	size_t start = sc->pos;
	int line = sc->line, col = sc->col, inc, ci, c;
	bool generated = false, ended;

	sc->sk_allowed = true;
	sc->sk_valid = false;
	inc = block_header(sc);
	if (!is_lb(peek(sc)))
		return 0;	/* libfyaml's error: text after the header */
	if (!inc && line != sc->indent_line) {
		if (ps_push_indent(sc, col, line) != 0)
			return -1;
		generated = true;
	}
	ps_advance(sc);
	ci = inc ? (sc->indent >= 0 ? sc->indent : 0) + inc : 0;
	ci = block_indent(sc, ci, first ? 0 : 1);
	/* libfyaml would take a first line indented as the collection as text;
	 * YAML ends the scalar before it (prescan.h): read so */
	ended = !inc && ci == sc->indent && sc->col == ci && peek(sc) >= 0 && !is_lb(peek(sc)) && !ps_at_doc_marker(sc);
	if (ended)
		fix_add(sc, start);
	while (!ended && (c = peek(sc)) >= 0 && sc->col >= ci) {
		if (sc->pos - start > sc->lim->scalar_bytes)
			return too_long(sc, line, col, "block");
		if (ps_at_doc_marker(sc))
			break;
		if (!to_line_end(sc))
			break;
		ps_advance(sc);
		block_indent(sc, ci, 0);
	}
	if (sc->pos - start > sc->lim->scalar_bytes)
		return too_long(sc, line, col, "block");
	if (generated) {
		ps_pop_indent(sc);
		sc->indent_line = sc->line;
	}
	return 0;
}

/* --- anchors, aliases, tags --- */

void
ps_anchor_or_alias(struct scan *sc)
{
	ps_save_key(sc);
	ps_advance(sc);
	while (!is_blankz(peek(sc)) && !is_flow_indicator(peek(sc)))
		ps_advance(sc);
	sc->sk_allowed = false;
}

static bool
is_uri_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c > 0 && strchr("_-;/?:@&=+$,.!~*'()[]%", c));
}

/* fy_fetch_tag: "!<uri>", or a handle ("!", "!!", "!word!") and a URI that
 * stops before a ",", "}" or "]" followed by a blank. */
void
ps_tag(struct scan *sc)
{
	bool verbatim = peek_at(sc, 1) == '<';
	size_t k = verbatim ? 2 : 1;	/* a handle's characters are URI characters too */
	int c;

	ps_save_key(sc);
	while (is_uri_char(c = peek_at(sc, k)) && !(strchr(",}]", c) && is_blankz(peek_at(sc, k + 1))))
		k++;
	if (verbatim && peek_at(sc, k) == '>')
		k++;
	while (k--)
		ps_advance(sc);
	sc->sk_allowed = false;
}

