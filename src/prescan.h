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
 * (LIMIT_DEPTH), a scalar's size, tokens on one line, or a run of indicators
 * with no value between them (never valid YAML, and held the same way).
 * It never refuses what is within those limits, and it does not check YAML
 * syntax otherwise: libfyaml does, right after.
 *
 * Ownership: borrows everything; keeps nothing after it returns.
 */
#ifndef PRESCAN_H
#define PRESCAN_H

#include <stddef.h>

struct limits;

/* 0, or -1 after reporting (name:line:col, the limit, the option that raises
 * it). buf must be valid UTF-8 (yload checks it first); lim not NULL
 * (&limits_default for the defaults). */
int prescan(const char *name, const char *buf, size_t len, const struct limits *lim);

/* For tests: every flow collection start ('[' or '{') the pass sees, by byte
 * offset, in order; returns what prescan() would (errors reported). */
typedef void (*prescan_flow_fn)(void *ctx, size_t pos);
int prescan_trace(const char *buf, size_t len, const struct limits *lim, prescan_flow_fn fn, void *ctx);

#endif
