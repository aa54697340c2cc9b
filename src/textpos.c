/* textpos.c - line:col to byte offsets through a sparse index (textpos.h). */
#include "textpos.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
textpos_init(struct textpos *t, const char *src, size_t len)
{
	*t = (struct textpos){ .src = src, .len = len, .scan = { 0, 1, 1 } };
}

void
textpos_free(struct textpos *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static bool
is_break(char c)
{
	return c == '\n' || c == '\r';
}

/* Past the character at m->off (m->off < len): a line break to the next
 * line's start, else one character (an invalid byte is one). */
static void
step(const struct textpos *t, struct textpos_mark *m)
{
	const char *p = t->src + m->off;
	size_t left = t->len - m->off;

	if (is_break(*p)) {
		m->off += *p == '\r' && left > 1 && p[1] == '\n' ? 2 : 1;
		m->line++;
		m->col = 1;
	} else {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)p, left, &cp);

		m->off += k ? k : 1;
		m->col++;
	}
}

/* Is a at or before line:col? */
static bool
at_or_before(const struct textpos_mark *a, int line, int col)
{
	return a->line < line || (a->line == line && a->col <= col);
}

/* Index the text up to line:col (or its end), a checkpoint at the first
 * character at or after each multiple of TEXTPOS_STEP. */
static void
extend(struct textpos *t, int line, int col)
{
	struct textpos_mark *s = &t->scan;

	for (;;) {
		if (s->off >= t->n * TEXTPOS_STEP) {
			if (t->n == t->cap) {
				t->cap = grow_cap(t->cap, t->n + 1, 64);
				t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
			}
			t->v[t->n++] = *s;
		}
		if (s->off >= t->len || !at_or_before(s, line, col) || (s->line == line && s->col == col))
			return;
		step(t, s);
	}
}

/* The last checkpoint at or before line:col (the first is line 1, col 1). */
static struct textpos_mark
checkpoint(const struct textpos *t, int line, int col)
{
	size_t lo = 0, hi = t->n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (at_or_before(&t->v[mid], line, col))
			lo = mid;
		else
			hi = mid;
	}
	return t->v[lo];
}

size_t
textpos_at(struct textpos *t, int line, int col)
{
	struct textpos_mark m;

	line = line < 1 ? 1 : line;
	col = col < 1 ? 1 : col;
	extend(t, line, col);
	m = checkpoint(t, line, col);
	while (m.line < line) {
		if (m.off >= t->len)
			return SIZE_MAX;
		step(t, &m);
	}
	while (m.col < col && m.off < t->len && !is_break(t->src[m.off]))
		step(t, &m);
	return m.off;
}

size_t
textpos_line(struct textpos *t, int line)
{
	return textpos_at(t, line, 1);
}
