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
	return p + 1 < len && src[p] == '\r' && src[p + 1] == '\n' ? "\r\n" : "\n";
}

size_t
ws_marker_before(const char *src, size_t ls)
{
	size_t q, start, mlen = strlen(WSPREAD_MARK);

	if (ls == 0)
		return SIZE_MAX;
	q = ls - 1;		/* the line break before ls */
	if (src[q] == '\n' && q > 0 && src[q - 1] == '\r')
		q--;
	start = ws_line_start(src, q);
	for (size_t i = start; i < q; i++) {
		if (src[i] == ' ')
			continue;
		return q - i >= mlen && !memcmp(src + i, WSPREAD_MARK, mlen) ? start : SIZE_MAX;
	}
	return SIZE_MAX;
}

size_t
ws_node_after(const char *src, size_t len, const struct ynode *n)
{
	while ((n->kind == Y_MAP || n->kind == Y_SEQ) && n->style != YS_FLOW && n->tail)
		n = n->tail;
	return ws_line_after(src, len, n->end > 0 ? n->end - 1 : 0);
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
	buf_adds(out, WSPREAD_MARK "; managementState Removed takes it out");
	buf_adds(out, eol);
}
