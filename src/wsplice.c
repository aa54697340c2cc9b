/* wsplice.c - lines, marker and constraint text for workloadSpread (wsplice.h). */
#include "wsplice.h"

#include <stdint.h>
#include <string.h>

#include "util.h"
#include "wspread.h"
#include "ytree.h"

size_t
ws_line_start(const char *src, size_t p)
{
	while (p > 0 && src[p - 1] != '\n' && src[p - 1] != '\r')
		p--;
	return p;
}

size_t
ws_line_after(const char *src, size_t len, size_t p)
{
	while (p < len && src[p] != '\n' && src[p] != '\r')
		p++;
	if (p < len && src[p] == '\r')
		return p + 1 < len && src[p + 1] == '\n' ? p + 2 : p + 1;
	return p < len ? p + 1 : p;
}

bool
ws_blank(const char *src, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (src[i] != ' ')
			return false;
	return true;
}

const char *
ws_eol(const char *src, size_t len, size_t p)
{
	while (p < len && src[p] != '\n' && src[p] != '\r')
		p++;
	if (p < len && src[p] == '\r')
		return p + 1 < len && src[p + 1] == '\n' ? "\r\n" : "\r";
	return "\n";
}

size_t
ws_marker_before(const char *src, size_t ls, size_t after)
{
	static const char mark[] = WSPREAD_MARK WSPREAD_MARK_REST;
	size_t q, start, i, mlen = sizeof(mark) - 1;

	if (ls == 0)
		return SIZE_MAX;
	q = ls - 1;		/* the line break before ls */
	if (src[q] == '\n' && q > 0 && src[q - 1] == '\r')
		q--;
	start = ws_line_start(src, q);
	if (start < after)
		return SIZE_MAX;	/* a line of the text before (a quoted or block scalar) */
	for (i = start; i < q && src[i] == ' ';)
		i++;
	if (q - i < mlen || memcmp(src + i, mark, mlen))
		return SIZE_MAX;
	return ws_blank(src, i + mlen, q) ? start : SIZE_MAX;
}

/* Spaces at the start of the line beginning at ls. */
static size_t
indent_at(const char *src, size_t ls, size_t end)
{
	size_t i = ls;

	while (i < end && src[i] == ' ')
		i++;
	return i - ls;
}

/* A block scalar's end is where the next token begins: back over the lines
 * after its last line of content, those blank or indented no more than the
 * line of its header (a comment there is no content). */
static size_t
block_end(const char *src, const struct ynode *n)
{
	size_t hl = ws_line_start(src, n->pos), hind = indent_at(src, hl, n->pos), e = n->end;

	for (;;) {
		size_t ls = ws_line_start(src, e), le = e, ind;

		if (ls <= hl)
			return e;
		while (le > ls && (src[le - 1] == ' ' || src[le - 1] == '\t'))
			le--;
		ind = indent_at(src, ls, le);
		if (le > ls && ind > hind)
			return le;	/* a line of content */
		e = ls - 1;	/* the previous line's break */
		if (e > hl && src[e] == '\n' && src[e - 1] == '\r')
			e--;
	}
}

size_t
ws_text_end(const char *src, const struct ynode *n)
{
	size_t best = 0;

	if (n->kind == Y_SCALAR && (n->style == YS_LITERAL || n->style == YS_FOLDED) && n->end > n->pos)
		return block_end(src, n);
	if ((n->kind != Y_MAP && n->kind != Y_SEQ) || n->style == YS_FLOW)
		return n->end > n->pos ? n->end : 0;
	for (const struct ynode *c = n->head; c; c = c->next) {
		size_t e = ws_text_end(src, c);

		best = e > best ? e : best;
	}
	return best;
}

size_t
ws_after_text(const char *src, size_t len, size_t e)
{
	size_t ls = ws_line_start(src, e);

	if (ws_blank(src, ls, e))
		return ls;	/* e is where a later line's token begins (a block scalar's end) */
	return ws_line_after(src, len, e - 1);
}

/* Wide sequences: each block sequence open at a line adds two columns (a
 * stack of the columns of their dashes, as the emitter wrote them). */
struct widen {
	size_t col[64];
	size_t n;
};

static size_t
widen_line(struct widen *wd, size_t sp, const char *rest, size_t restlen)
{
	bool dash = restlen >= 1 && rest[0] == '-' && (restlen == 1 || rest[1] == ' ');

	while (wd->n && (sp < wd->col[wd->n - 1] || (sp == wd->col[wd->n - 1] && !dash)))
		wd->n--;
	if (dash && (!wd->n || wd->col[wd->n - 1] != sp) && wd->n < sizeof(wd->col) / sizeof(wd->col[0]))
		wd->col[wd->n++] = sp;
	return sp + 2 * wd->n;
}

void
ws_put_block(struct buf *out, const char *text, size_t len, size_t prefix, bool wide, const char *eol)
{
	struct widen wd = { .n = 0 };

	for (size_t i = 0; i < len;) {
		size_t e = i, sp = 0, col;

		while (e < len && text[e] != '\n')
			e++;
		while (i + sp < e && text[i + sp] == ' ')
			sp++;
		col = wide ? widen_line(&wd, sp, text + i + sp, e - i - sp) : sp;
		for (size_t k = 0; k < prefix + col; k++)
			buf_addc(out, ' ');
		buf_add(out, text + i + sp, e - i - sp);
		buf_adds(out, eol);
		i = e + 1;
	}
}

void
ws_put_marker(struct buf *out, size_t col, const char *eol)
{
	for (size_t k = 0; k < col; k++)
		buf_addc(out, ' ');
	buf_adds(out, WSPREAD_MARK WSPREAD_MARK_REST);
	buf_adds(out, eol);
}
