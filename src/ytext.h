/* ytext.h - the input's bytes checked in one pass, for the gate's thread
 * (ygate.c): UTF-8 as utf8_scan() checks it, and the characters libyaml's
 * reader refuses.
 *
 * Ownership: nothing is kept; the text is only read.
 */
#ifndef YTEXT_H
#define YTEXT_H

#include <stdbool.h>
#include <stddef.h>

/* The UTF-8 check of s[0..len) (utf8_scan()'s answer) and, in the same
 * pass, whether it holds a character libyaml's reader refuses ("control
 * characters are not allowed": C0 but tab and line breaks, DEL, C1 but
 * NEL, U+FFFE/FFFF): *refused is set then, never cleared. Its reader reads
 * ahead of its parser, so such a character is reported before a parse
 * error just before it, and a piece that ends first would name that error
 * instead: such a text is read whole. */
size_t ytext_scan(const char *s, size_t len, bool *refused);

#endif
