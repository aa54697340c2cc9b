/* ydoc.h - where a document's text begins, read from the raw bytes of a
 * YAML stream (libfyaml 0.7.12's marks start a document at its "---").
 *
 * Ownership: only reads the caller's buffer.
 */
#ifndef YDOC_H
#define YDOC_H

#include <stddef.h>

/* Where the directives (%YAML, %TAG) of the document whose "---" is at
 * doc_start begin: their first line, after the previous document's "..." or
 * the start of the stream (comments and blank lines may come between); or
 * doc_start when the document has none. */
size_t ydoc_directives_start(const char *buf, size_t doc_start);

#endif
