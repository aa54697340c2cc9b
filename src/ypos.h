/* ypos.h - where a node of yload.c begins and ends in the source text: the
 * fix-ups of libfyaml 0.7.12's marks, so that a node's bytes [pos, end) take
 * in its anchor, tag, alias indicator and quotes, a block collection ends
 * no later than its next sibling begins, and an empty node (no mark of its
 * own) gets a line:col to report at.
 *
 * Ownership: ypos.c owns these rules, yload.c applies them as events come;
 * they only read the source (buf, len bytes) and the tokens and marks
 * libfyaml gives, and change the positions of the nodes given. Nothing is
 * allocated or kept.
 */
#ifndef YPOS_H
#define YPOS_H

#include <stdbool.h>
#include <stddef.h>

struct fy_mark;
struct fy_token;
struct ynode;

/* Where tok (a tag, or NULL) begins when it does before pos; else pos. */
size_t ypos_tok_start(struct fy_token *tok, size_t pos);
/* libfyaml marks an anchor (&name) and an alias (*name) at the name: pos
 * moved back over the indicator before it, if that is there. */
size_t ypos_with_indicator(const char *buf, size_t len, size_t pos, char indicator);
/* Where anchor (or NULL) begins, its '&' included, when it does before pos;
 * else pos. */
size_t ypos_anchor_start(const char *buf, size_t len, struct fy_token *anchor, size_t pos);
/* A quoted scalar is marked inside its quotes: n's bytes widened to take
 * them in (sm: its start mark, or NULL). Other scalars are left as they are. */
void ypos_with_quotes(const char *buf, size_t len, struct ynode *n, const struct fy_mark *sm);
/* A block collection's end is its end event's mark, which libfyaml may put
 * past the next token (a sequence at its key's indentation ending in a flow
 * collection): n and its last descendants end no later than next. */
void ypos_clamp_end(struct ynode *n, size_t next);
/* An empty node has no mark: n (if it has no line) is placed at its key when
 * it is a mapping's value (is_value), else at its parent collection. */
void ypos_place_empty(struct ynode *n, const struct ynode *parent, bool is_value);

#endif
