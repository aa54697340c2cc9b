/* textpos.h - the byte offset of a line:col in a text, for messages that
 * come by the thousand (one per bad document, many on one long flow line),
 * in any order: each found in time bounded by a few KiB of the text, not by
 * its size or its line's length.
 *
 * Lines end at LF, CRLF or a lone CR, as libfyaml counts them (a text that
 * ends with a line break has an empty last line after it). Columns count
 * characters from 1 as utf8_decode() reads them, an invalid byte as one.
 * The text is indexed as far as asked: one checkpoint (offset, line, column)
 * per TEXTPOS_STEP bytes, at the first character at or after each multiple
 * of it. A position is walked to from the last checkpoint at or before it;
 * no line between two checkpoints begins more than TEXTPOS_STEP bytes after
 * the first, and no column is further than that from its checkpoint.
 *
 * Ownership: struct textpos borrows the text (which must outlive it and not
 * change) and owns its checkpoints until textpos_free().
 */
#ifndef TEXTPOS_H
#define TEXTPOS_H

#include <stddef.h>

#define TEXTPOS_STEP ((size_t)4096)

struct textpos_mark {
	size_t off;
	int line, col;		/* of the character at off */
};

struct textpos {
	const char *src;
	size_t len;
	struct textpos_mark *v;	/* owned; in text order */
	size_t n, cap;
	struct textpos_mark scan;	/* how far the index has read: the next character */
};

void textpos_init(struct textpos *t, const char *src, size_t len);
void textpos_free(struct textpos *t);	/* NULL-safe on a zeroed one */
/* Where line (1-based) begins, or SIZE_MAX past the last line. */
size_t textpos_line(struct textpos *t, int line);
/* The byte of line:col (col 1-based; a column past its line's end gives the
 * line's end), or SIZE_MAX past the last line. */
size_t textpos_at(struct textpos *t, int line, int col);

#endif
