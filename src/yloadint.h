/* yloadint.h - the loader's state, shared by yload.c (events to nodes) and
 * ypieces.c (the text checked and the pieces libfyaml reads); not for
 * other files. Ownership: struct yloader owns its parser, diag, text copy,
 * shapes and anchors (yload_free()); the gate and the arena are borrowed.
 */
#ifndef YLOADINT_H
#define YLOADINT_H

#include <libfyaml.h>
#include <stdbool.h>
#include <stddef.h>

#include "limits.h"
#include "yanchor.h"
#include "ygate.h"
#include "yguard.h"
#include "yload.h"

struct yloader {
	struct fy_parser *fyp;
	struct fy_diag *diag;
	const char *name, *buf;
	size_t len;
	/* libfyaml reads text[base..end) (the whole text, or a piece of whole
	 * documents the pre-scan has passed: ygate_next_cut()); its marks are
	 * offsets into the piece and lines from its start: line_base lines
	 * come before it */
	struct ygate *gate;	/* pieces come from it; NULL: one piece */
	size_t piece_events;	/* events taken from the piece read */
	struct fy_diag_cfg dcfg;	/* libfyaml's diag's (yguard_init()) */
	size_t base, end;
	int line_base, next_line_base;
	struct arena *a;
	struct limits lim;
	int index;
	/* The open collections; NULL for one left out (a root value not wanted,
	 * or inside one). An anchored node inside a value left out is still
	 * built, aside (not attached; reached through its anchor only), so that
	 * an alias of it reads what it says. */
	struct ynode *stack[YLOAD_MAX_DEPTH + 1];
	size_t nchild[YLOAD_MAX_DEPTH + 1];	/* children so far, built or not */
	bool ismap[YLOAD_MAX_DEPTH + 1];
	size_t depth;
	struct ynode *root;
	struct ynode *key_prev;	/* the root's child before its newest key */
	const char *kind;	/* the root's "kind" so far as ymap_gets() reads it;
				 * NULL: none yet, not a scalar, or a merge key since */
	struct yguard guard;	/* libfyaml's token-less messages, its leniency */
	char *text;		/* what libfyaml reads: buf, or a copy with the
				 * block scalar headers prescan.h lists made empty */
	struct yshapes shapes;	/* libfyaml's reading, for ygate.c */
	int last_line, last_col;	/* where the last event began (1-based) */
	bool between;		/* before a document's start (its index is index + 1) */
	ywant_fn want;		/* which values of a document root to build */
	void *want_ctx;
	size_t skipped_keys;	/* keys of the root taken back with their value */
	struct yanchors anchors;
};

/* The text libfyaml reads (its marks are offsets into it; the same length
 * as buf, from which bytes are copied). */
static inline const char *
yload_read_text(const struct yloader *yl)
{
	return yl->text ? yl->text : yl->buf;
}

/* ypieces.c. The bytes checked before libfyaml sees them: 0, or -1
 * (reported). */
int ypiece_check_text(const char *name, const char *buf, size_t len);
/* libfyaml on text[end..to), the next piece: 0, or -1 (reported). */
int ypiece_open(struct yloader *yl, size_t to);
/* libfyaml failed in a piece before the last: the piece read again to the
 * end of the text (ypieces.c). 1: read on; 0: report the error. */
int ypiece_extend(struct yloader *yl);
/* A fresh diag for libfyaml's messages (yl->dcfg), collecting errors; the
 * guard forgets the message it kept from the one before. */
void yload_diag_renew(struct yloader *yl);
/* The next piece behind the pre-scan (yl->gate): 1, or 0 when there is
 * none (the last was read to its end), -1 (reported). */
int ypiece_next(struct yloader *yl);

#endif
