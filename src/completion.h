/* completion.h - shell completion scripts for bash and zsh, generated from
 * the option table (opts.c) and the configuration field table (cfgfields.c).
 * Ownership: appends to the caller's buffer; keeps nothing.
 */
#ifndef COMPLETION_H
#define COMPLETION_H

struct buf;

/* The script for shell ("bash" or "zsh") appended to out: 0, or -1 for
 * another shell. */
int completion_script(const char *shell, struct buf *out);

#endif
