/* yquote.h - the value of a quoted scalar. One-line ones are decoded here
 * rather than by libfyaml's token iterator, which keeps a 16-byte chunk for
 * every escape of a line (a 16 MB line of "\n" took 270 MB); the others go
 * through it (fy_token_get_text() of libfyaml 0.7.12 leaks its buffer on
 * quoted scalars with many escapes).
 *
 * Ownership: yquote_decode() writes into the caller's out; yquote_text()'s
 * result lives in the arena it is given.
 */
#ifndef YQUOTE_H
#define YQUOTE_H

#include <stddef.h>

struct arena;
struct fy_token;

/* raw is the scalar's text with its quotes (' or "). Returns 0 and the
 * value's length in *outlen, and the value in out[0..*outlen) unless out is
 * NULL (ask first, then allocate: \L takes 3 bytes for 2, never more than
 * (len - 2) * 3 / 2 in all); 1 when it is not
 * one this decodes (a line break inside, a surrogate or non-ASCII escape):
 * use libfyaml's iterator then. */
int yquote_decode(const char *raw, size_t len, char *out, size_t *outlen);

/* The value of the quoted scalar token tok of the text src (len bytes), in
 * a; its length in *lenp. NULL if libfyaml cannot say. */
const char *yquote_text(struct arena *a, struct fy_token *tok, const char *src, size_t len, size_t *lenp);

#endif
