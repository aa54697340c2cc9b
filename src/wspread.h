/* wspread.h - component workloadSpread (DESIGN.md section 10): topology
 * spread constraints for the input's own workloads, the one change we make to
 * an input object, as byte edits of its text (struct edit, resource.h).
 *
 * What we add is marked by a comment line of ours (WSPREAD_MARK) before the
 * key or list entry, so that a later run finds it: Managed keeps it when it
 * is what the configuration asks for (idempotent) or writes it anew, and
 * takes it out when the workload is no longer selected; Removed takes out
 * exactly those lines. Constraints the user wrote are never changed.
 *
 * Ownership: struct wspread borrows the configuration and the source text;
 * edits and their text live in the arena given to wspread_init(). The
 * selector and the summary are its own (wspread_free()).
 */
#ifndef WSPREAD_H
#define WSPREAD_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct arena;
struct config;
struct obj;
struct selector;
struct ynode;

#define WSPREAD_MARK "# added by registry-addon (workloadSpread)"
#define WSPREAD_MARK_REST "; managementState Removed takes it out"

struct wspread {
	const struct config *cfg;
	const char *file, *src;
	size_t len;
	struct arena *a;
	struct selector *sel;
	bool on;		/* Managed with the component: add; else only take ours out */
	size_t nadded, nkept, nremoved;
	struct buf added;	/* "Deployment/ns/name, ..." */
};

/* 0, or -1 (reported: the selector, which the configuration checked). */
int wspread_init(struct wspread *w, const struct config *c, const char *file, const char *src, size_t len,
		 struct arena *a);
void wspread_free(struct wspread *w);
/* The edits o needs (o->edits), root its tree (positions into the source).
 * Returns 0 or -1 (reported). A workload it selects but cannot edit (its pod
 * spec in flow style, reached through an alias or a merge key, no selector)
 * gets a warning naming it and why. */
int wspread_obj(struct wspread *w, struct obj *o, struct ynode *root);
/* One line of information: what was added, kept and taken out. */
void wspread_tell(const struct wspread *w);

#endif
