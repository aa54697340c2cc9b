/* yload.h - reads a YAML stream, document by document, into ytree nodes.
 *
 * Ownership: the loader borrows the source buffer (which must outlive it) and
 * makes every node in the arena it is given; the caller may arena_reset()
 * between documents. Errors (syntax, limits.h's limits) are reported through
 * diag with file:line:col and make yload_next() return -1.
 */
#ifndef YLOAD_H
#define YLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "limits.h"
#include "prescan.h"

struct arena;
struct ynode;

struct ydoc {
	int index;		/* 1-based position in the stream, empty documents counted */
	size_t start;		/* where its text begins: its "---" if explicit */
	bool explicit_start;
	struct ynode *root;	/* NULL for an empty (null) document */
};

struct yloader;

#define YLOAD_MAX_DEPTH LIMIT_DEPTH

/* Checks the bytes (UTF-8, prescan.h's limits) before libfyaml reads them;
 * NULL (reported) when they fail. lim not NULL (&limits_default). */
struct yloader *yload_new(const char *name, const char *buf, size_t len, struct arena *a,
			  const struct limits *lim);
/* yload_new() for the stream of gate g (ygate_start_ahead()): with a
 * thread, the gate's pre-scan runs ahead and libfyaml reads behind it, a
 * piece of whole documents at a time (checked there, reported here); else
 * yload_new(). */
struct ygate;
struct yloader *yload_new_behind(const char *name, const char *buf, size_t len, struct arena *a,
				 const struct limits *lim, struct ygate *g);
/* Behind a pre-scan ahead (a thread), what libfyaml finds before the
 * pre-scan has passed the whole text stands only if it does: a text
 * checked whole first stops at the pre-scan's failure, wherever it is.
 * yload_behind(): yl reads behind one. yload_scan_wait(): wait for its
 * verdict, 0 passed (or none ahead), -1 failed (not reported);
 * yload_scan_report() reports that failure (-1). */
bool yload_behind(const struct yloader *yl);
int yload_scan_wait(struct yloader *yl);
int yload_scan_report(struct yloader *yl);
/* 1: *doc is the next document; 0: end of stream; -1: error (reported). */
int yload_next(struct yloader *yl, struct ydoc *doc);
void yload_free(struct yloader *yl);	/* NULL is OK */
/* want(ctx, kind, key) is asked for each key of a document's root mapping as
 * its value begins, kind being the root's "kind" so far as ymap_gets() reads
 * it (the last one), or NULL while none has come, it is not a scalar, or a
 * merge key came after it (the loader keeps it: asking costs O(1)). A false
 * answer leaves that value out of the tree, except its anchored nodes, which
 * are built aside so that aliases of them read what they say. Merge keys (<<)
 * and tagged keys are always built: they may give any key. Not set:
 * everything is built. */
typedef bool (*ywant_fn)(void *ctx, const char *kind, const char *key);
void yload_set_want(struct yloader *yl, ywant_fn want, void *ctx);
/* Make the next documents' nodes in a (the current document's stay). */
void yload_set_arena(struct yloader *yl, struct arena *a);

/* libfyaml's reading so far (ygate.h), and the text it reads (the source
 * buffer, or a copy of the same length: prescan.h). Owned by yl. */
struct yshapes;
const struct yshapes *yload_shapes(const struct yloader *yl);
const char *yload_text(const struct yloader *yl);

/* Parse a buffer that must hold at most one document; *root is NULL when empty.
 * Returns 0 or -1 (reported). */
int yload_one(const char *name, const char *buf, size_t len, struct arena *a, struct ynode **root);

#endif
