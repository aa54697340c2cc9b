/* yguard.h - what libfyaml 0.7.12 gets wrong about its input, caught on its
 * events and messages for yload.c:
 *   - errors it reports without a token (an unsupported %YAML version) reach
 *     only its output function, with the place its scanner had reached: they
 *     are kept and placed (a directive's error at the directive);
 *   - at the end of a document it takes a node on a line below its block
 *     mapping key, not indented more than the key, for the key's value
 *     ("a:\nb" reads {a: b}), which YAML and libfyaml itself refuse with
 *     anything after it: copied bytes would change meaning (a KRM item
 *     followed by others), so it is an error here; so is a value whose
 *     anchor begins there (libfyaml marks an anchor after its "&"), and an
 *     implicit key with no ':' after it, which it also takes there;
 *   - its marks put a document's root at the node, not at the start of the
 *     line: an implicit document's bytes begin at the start of the root's
 *     line (an indented root keeps its indentation), and the first one's
 *     (which keep the comments before it) after any "..." before it, which
 *     copied after "---" would end an empty document of its own.
 *
 * Ownership: struct yguard lives in the loader and borrows the source text;
 * nothing is allocated.
 */
#ifndef YGUARD_H
#define YGUARD_H

#include <libfyaml.h>
#include <stdbool.h>
#include <stddef.h>

#define YGUARD_DEPTH 300	/* nesting tracked (the loader stops at 256) */

struct yguard_level {
	bool map, block;	/* a block mapping: its values are checked */
	bool value;		/* the next node is a value */
	int key_line, key_col;	/* 0-based, of the last key; line -1: not a scalar;
				 * line -2: an empty key (no mark: col is the mapping's) */
	struct fy_mark key_mark;	/* where a scalar key begins (its column is
					 * found from it when a value comes below) */
	int col;		/* 0-based, where the collection begins */
};

struct yguard {
	const char *buf;
	size_t len;
	char msg[160];		/* libfyaml's first message without a token */
	int msg_line, msg_col;	/* where its scanner was (1-based; 0: unknown) */
	struct yguard_level lv[YGUARD_DEPTH];
	size_t depth;		/* may exceed YGUARD_DEPTH: the deeper levels are not checked */
};

/* One libfyaml event and what the guard and the loader ask of it, each asked
 * of libfyaml once: a call into the library per question, several per event,
 * cost a tenth of a run. The start mark and a collection's style are asked
 * of every event (yev_of()); the end mark and a scalar's style only where
 * they can matter (yev_em(), yev_ss(): a key's ':', a node built, the end of
 * a flow collection, a node below its key or '-'), which spares about
 * 400,000 calls on 10 MB. Valid while ev is (until fy_parser_event_free()). */
struct yev {
	struct fy_event *ev;
	const struct fy_mark *sm;	/* fy_event_start_mark() */
	enum fy_node_style ns;		/* a collection start's, else FYNS_ANY */
	/* read only through yev_em() and yev_ss(), which ask once */
	bool em_known, ss_known;
	const struct fy_mark *em;	/* fy_event_end_mark() */
	enum fy_scalar_style ss;	/* a scalar's with a value, else FYSS_ANY */
};

static inline void
yev_of(struct yev *e, struct fy_event *ev)
{
	e->ev = ev;
	e->sm = fy_event_start_mark(ev);
	e->ns = ev->type == FYET_MAPPING_START || ev->type == FYET_SEQUENCE_START ? fy_event_get_node_style(ev) :
										     FYNS_ANY;
	e->em_known = e->ss_known = false;
}

static inline const struct fy_mark *
yev_em(struct yev *e)
{
	if (!e->em_known) {
		e->em = fy_event_end_mark(e->ev);
		e->em_known = true;
	}
	return e->em;
}

static inline enum fy_scalar_style
yev_ss(struct yev *e)
{
	if (!e->ss_known) {
		struct fy_event *ev = e->ev;

		e->ss = ev->type == FYET_SCALAR && ev->scalar.value ? fy_scalar_token_get_style(ev->scalar.value) :
								       FYSS_ANY;
		e->ss_known = true;
	}
	return e->ss;
}

/* Keep libfyaml's messages in g (sets the output function of dcfg). */
void yguard_init(struct yguard *g, const char *buf, size_t len, struct fy_diag_cfg *dcfg);
/* Forget libfyaml's message kept so far (its diag is made anew). */
void yguard_forget_message(struct yguard *g);
/* libfyaml reads buf[0..len) next (a piece of the text: yload.c); g's
 * marks and positions are in it. */
void yguard_set_text(struct yguard *g, const char *buf, size_t len);
/* Follow one event: 0, or -1 when it is a value placed as above, with its
 * 1-based *line and *col and the message in *msg. */
int yguard_event(struct yguard *g, struct yev *e, int *line, int *col, const char **msg);
/* Where an implicit document's bytes begin: start is 0 for the first
 * document, SIZE_MAX for another; root is where its root node begins. */
size_t yguard_doc_start(const struct yguard *g, size_t start, size_t root);
/* The message libfyaml gave without a token and its 1-based place (a
 * directive's error at the directive), or NULL when it gave none. text
 * (size bytes) may hold the message. */
const char *yguard_untokened(const struct yguard *g, int *line, int *col, char *text, size_t size);

#endif
