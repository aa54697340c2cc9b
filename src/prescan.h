/* prescan.h - one linear pass over the raw bytes, before libfyaml sees them,
 * that refuses what would make libfyaml's memory blow up.
 *
 * libfyaml 0.7.12 hands out no event for a flow collection that may still
 * turn out to be a mapping key ("[[[...", "- [a, b, ...]" on one line) until
 * it has scanned to its end or to the end of its line, holding every token
 * meanwhile (about 200 bytes each: 1 MB of "[" took 280 MB). So before it
 * starts, this pass follows the stream the way libfyaml's scanner does
 * (block indentation, flow levels, quoted, plain and block scalars, comments,
 * tags) and stops at the first place over a limit of limits.h: nesting depth
 * (LIMIT_DEPTH), directives before a document (LIMIT_DIRECTIVES: parsers take
 * quadratic time in them), a scalar's size, tokens on one line, or a run of
 * indicators with no value between them (never valid YAML, and held the same
 * way).
 * It never refuses what is within those limits, and it does not check YAML
 * syntax otherwise: libfyaml does, right after.
 *
 * Ownership: borrows everything; keeps nothing after it returns.
 */
#ifndef PRESCAN_H
#define PRESCAN_H

#include <stddef.h>

struct limits;

/* Where libfyaml 0.7.12 reads valid YAML otherwise than YAML, libyaml and
 * go-yaml do: a block scalar ("|", ">-", ...) whose first line with text is
 * indented exactly as the block collection the scalar is in. YAML ends the
 * scalar before that line (the scalar is empty; the line is the
 * collection's next key or entry: Helm renders "script: |-" so for an empty
 * value); libfyaml takes it and what follows as the scalar's text. The pass
 * reads such a scalar as YAML does and lists its header (the indicator and
 * its modifiers, by byte offset), for yload.c to hand libfyaml a copy where
 * the header reads as an empty scalar. */
struct prescan_fix {
	size_t *pos, *len;	/* owned (prescan_fix_free()) */
	size_t n, cap;
};
void prescan_fix_free(struct prescan_fix *f);
/* A copy of buf (len bytes, the caller frees it) where each header of fix
 * reads as an empty scalar, as YAML reads it ("|-" -> "\"\"", "|" -> "~"):
 * the same length, so every offset and mark is what it is in buf. */
char *prescan_fix_apply(const char *buf, size_t len, const struct prescan_fix *fix);

/* 0, or -1 after reporting (name:line:col, the limit, the option that raises
 * it). buf must be valid UTF-8 (yload checks it first); lim not NULL
 * (&limits_default for the defaults); fix NULL, or filled as above. */
int prescan(const char *name, const char *buf, size_t len, const struct limits *lim, struct prescan_fix *fix);

/* prescan() on a thread of its own, ahead of libfyaml (ygate.h): it reports
 * nothing (the caller runs prescan() again to report a failure) and tells
 * cut(ctx, pos, line) where libfyaml may start afresh on the rest: at a
 * "---" at the start of line (1-based) outside any flow collection, pos
 * being where that line begins, at least step bytes after the last cut. A
 * directive ("%TAG" may carry over to later documents) or a block scalar
 * header to fix (prescan_fix_apply() is applied to what comes after the
 * last cut) ends the cutting: the rest is one piece. Everything before pos
 * is within the limits when cut() is called. */
typedef void (*prescan_cut_fn)(void *ctx, size_t pos, int line);
int prescan_ahead(const char *buf, size_t len, const struct limits *lim, struct prescan_fix *fix, size_t step,
		  prescan_cut_fn cut, void *ctx);

/* For tests: every flow collection start ('[' or '{') the pass sees, by byte
 * offset, in order; returns what prescan() would (errors reported). */
typedef void (*prescan_flow_fn)(void *ctx, size_t pos);
int prescan_trace(const char *buf, size_t len, const struct limits *lim, prescan_flow_fn fn, void *ctx,
		  struct prescan_fix *fix);

#endif
