/* ypos.c - the positions of yload.c's nodes (ypos.h). */
#include "ypos.h"

#include <libfyaml.h>

#include "yload.h"
#include "ytree.h"

size_t
ypos_tok_start(struct fy_token *tok, size_t pos)
{
	const struct fy_mark *m = tok ? fy_token_start_mark(tok) : NULL;

	return m && m->input_pos < pos ? m->input_pos : pos;
}

size_t
ypos_with_indicator(const char *buf, size_t len, size_t pos, char indicator)
{
	return pos > 0 && pos <= len && buf[pos - 1] == indicator ? pos - 1 : pos;
}

size_t
ypos_anchor_start(const char *buf, size_t len, struct fy_token *anchor, size_t pos)
{
	const struct fy_mark *m = anchor ? fy_token_start_mark(anchor) : NULL;

	/* (at pos: an empty scalar, placed at its anchor's mark) */
	return m && m->input_pos <= pos ? ypos_with_indicator(buf, len, m->input_pos, '&') : pos;
}

void
ypos_with_quotes(const char *buf, size_t len, struct ynode *n, const struct fy_mark *sm)
{
	char q = n->style == YS_SINGLE ? '\'' : '"';

	if (n->style != YS_SINGLE && n->style != YS_DOUBLE)
		return;
	if (sm && n->pos == sm->input_pos)
		n->pos = ypos_with_indicator(buf, len, n->pos, q);
	if (n->end < len && buf[n->end] == q)
		n->end++;
}

void
ypos_clamp_end(struct ynode *n, size_t next)
{
	for (int d = 0; n && d <= YLOAD_MAX_DEPTH && n->kind != Y_ALIAS; n = n->tail, d++)
		if (n->end > next)
			n->end = next;
}

void
ypos_place_empty(struct ynode *n, const struct ynode *parent, bool is_value)
{
	const struct ynode *at = parent->kind == Y_MAP && is_value ? parent->tail : parent;

	if (n->line)
		return;
	n->line = at->line;
	n->col = at->col;
}
