/* wsplice.h - the text side of component workloadSpread (internal to
 * wspread.c): lines of the source, our marker comment, and the block-style
 * text of constraints written to fit the document around them.
 *
 * Ownership: nothing is kept; text is appended to the caller's buffer.
 */
#ifndef WSPLICE_H
#define WSPLICE_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct ynode;

/* The byte where the line holding src[p] begins (after LF, CR or CRLF). */
size_t ws_line_start(const char *src, size_t p);
/* The byte after the line break ending the line holding src[p] (len at the end). */
size_t ws_line_after(const char *src, size_t len, size_t p);
/* Is src[from, to) spaces only? */
bool ws_blank(const char *src, size_t from, size_t to);
/* The line break of the line holding src[p]: "\r\n" or "\n". */
const char *ws_eol(const char *src, size_t len, size_t p);
/* The line before the one beginning at ls is our marker (spaces, then
 * WSPREAD_MARK): its start, or SIZE_MAX. */
size_t ws_marker_before(const char *src, size_t ls);
/* The byte after the last line n's text takes (its last scalar or flow
 * collection, and the rest of that line). */
size_t ws_node_after(const char *src, size_t len, const struct ynode *n);
/* Emitter text (block style, 2-space indent, sequences not indented under
 * their key) appended line by line with prefix spaces before each line and
 * eol after it; wide: every sequence indented two more columns under its
 * key or dash, as most charts write them. */
void ws_put_block(struct buf *out, const char *text, size_t len, size_t prefix, bool wide, const char *eol);
/* Our marker line at column col. */
void ws_put_marker(struct buf *out, size_t col, const char *eol);

#endif
