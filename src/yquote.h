/* yquote.h - the value of a one-line quoted scalar, decoded here rather than
 * by libfyaml's token iterator, which keeps a 16-byte chunk for every escape
 * of a line (a 16 MB line of "\n" took 270 MB).
 *
 * Ownership: reads raw, writes into out (the caller's).
 */
#ifndef YQUOTE_H
#define YQUOTE_H

#include <stddef.h>

/* raw is the scalar's text with its quotes (' or "). Returns 0 and the
 * value's length in *outlen, and the value in out[0..*outlen) unless out is
 * NULL (ask first, then allocate: \L takes 3 bytes for 2); 1 when it is not
 * one this decodes (a line break inside, a surrogate or non-ASCII escape):
 * use libfyaml's iterator then. */
int yquote_decode(const char *raw, size_t len, char *out, size_t *outlen);

#endif
