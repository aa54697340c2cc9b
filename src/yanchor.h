/* yanchor.h - a document's anchors (&name) and the nodes they name, for
 * yload.c's aliases: one open-addressing table, reused from one document to
 * the next.
 *
 * Ownership: the table is malloc'ed (yanchors_free); the names it keeps are
 * copied into the arena given to yanchors_put(), the nodes are the caller's.
 */
#ifndef YANCHOR_H
#define YANCHOR_H

#include <stddef.h>

struct arena;
struct ynode;

struct yanchor {
	const char *name;
	size_t len;
	struct ynode *node;
};

struct yanchors {
	struct yanchor *v;	/* power-of-two size */
	size_t n, cap;
};

/* name (len bytes) names node from now on (a redefined anchor refers to the
 * newest node). */
void yanchors_put(struct yanchors *t, struct arena *a, const char *name, size_t len, struct ynode *node);
/* The node name refers to, or NULL. */
struct ynode *yanchors_get(const struct yanchors *t, const char *name, size_t len);
/* Forget every anchor (at a new document). */
void yanchors_clear(struct yanchors *t);
void yanchors_free(struct yanchors *t);

#endif
