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
/* The line break of the line holding src[p]: "\r\n", "\r" or "\n". */
const char *ws_eol(const char *src, size_t len, size_t p);
/* The line before the one beginning at ls is our marker line (spaces,
 * WSPREAD_MARK WSPREAD_MARK_REST, blanks) and begins at or after after (the
 * end of the text before it: a line of a quoted or block scalar is no
 * comment): its start, or SIZE_MAX. */
size_t ws_marker_before(const char *src, size_t ls, size_t after);
/* The byte after the last text n's nodes have (a block scalar's last line
 * of content), 0 when none has text (empty values). */
size_t ws_text_end(const char *src, const struct ynode *n);
/* Where the line after the text ending at e begins: after that line's
 * break, or the start of the line when only blanks precede e on it. */
size_t ws_after_text(const char *src, size_t len, size_t e);
/* Emitter text (block style, 2-space indent, sequences not indented under
 * their key) appended line by line with prefix spaces before each line and
 * eol after it; wide: every sequence indented two more columns under its
 * key or dash, as most charts write them. */
void ws_put_block(struct buf *out, const char *text, size_t len, size_t prefix, bool wide, const char *eol);
/* Our marker line at column col. */
void ws_put_marker(struct buf *out, size_t col, const char *eol);

#endif
