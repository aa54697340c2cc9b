/* ydoc.h - where a document's text begins, read from the raw bytes of a
 * YAML stream (libfyaml 0.7.12's marks start a document at its "---").
 *
 * Ownership: only reads the caller's buffer.
 */
#ifndef YDOC_H
#define YDOC_H

#include <stdbool.h>
#include <stddef.h>

/* Where the directives (%YAML, %TAG) of the document whose "---" is at
 * doc_start begin: their first line, after the previous document's "..." or
 * the start of the stream (comments and blank lines may come between); or
 * doc_start when the document has none. */
size_t ydoc_directives_start(const char *buf, size_t doc_start);

/* Where the text of a document begins: its directives, else start (its "---"
 * when explicit_start, else its root's first byte; libfyaml 0.7.12 also reads
 * directives before a document with no "---"). SIZE_MAX stays SIZE_MAX. */
size_t ydoc_start(const char *buf, size_t start, bool explicit_start);

#endif
