/* krmint.h - what krm.c (reading a ResourceList) shares with krmwrap.c
 * (writing it): positions in the source text. Nothing is owned; the krm and
 * its source outlive every call. */
#ifndef KRMINT_H
#define KRMINT_H

#include <stdbool.h>
#include <stddef.h>

#include "krm.h"

/* The start of pos's line. */
size_t krm_line_start(const struct krm *k, size_t pos);
/* The start of the line after pos, at most end. */
size_t krm_next_line(const char *src, size_t pos, size_t end);
/* Where the comment lines directly above the line at ls begin (not before lo). */
size_t krm_comments_above(const struct krm *k, size_t lo, size_t ls);
/* Is a flow item a single pair without braces (items: [kind: ConfigMap])? */
bool krm_flow_pair(const struct krm *k, const struct ynode *it);
/* Does libyaml (go-yaml's origin) read src[start, end), a flow pair, in the
 * braces it is written back in (krmwrap.c)? In a flow sequence it takes
 * shapes it refuses in a flow mapping ("[?:: b]" but not "{?:: b}"). */
bool krm_braced_parses(const char *src, size_t start, size_t end);
/* The key node of map whose value go-yaml reads for key, if it is one of
 * map's own keys (not merged in with <<); else NULL. */
struct ynode *krm_raw_key(struct ynode *map, const char *key);

#endif
