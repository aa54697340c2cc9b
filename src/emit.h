/* emit.h - writes generated trees as YAML through libyaml's emitter.
 *
 * libyaml is the only emitter: libfyaml 0.7.12's changes data on real charts
 * (STYLE.md §3, item 0). Input documents are never re-emitted; they are
 * copied as their original bytes by the callers.
 *
 * Ownership: the tree is only read; text is appended to the caller's buffer.
 */
#ifndef EMIT_H
#define EMIT_H

#include <stddef.h>

struct buf;
struct ynode;

/* Append n as one YAML document without "---" (block style, 2-space indent,
 * no line folding, strings quoted whenever plain text would read back as
 * another type). Returns 0 or -1 (reported). */
int emit_yaml(struct buf *out, struct ynode *n);

/* Append text as a block sequence entry whose "- " is at column indent:
 * every line is indented, the first one ends its indent with "- ". */
void emit_indent_item(struct buf *out, const char *text, size_t len, size_t indent);

#endif
