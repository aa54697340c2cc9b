/* input.h - the input stream, read whole into memory the kernel may back
 * with huge pages.
 *
 * Every run reads all of its input before it parses a byte (all or nothing:
 * DESIGN.md §6). Read into ordinary heap memory, each 4 KiB page of a large
 * input costs a page fault on first write; on virtual machines a fault is
 * dear (10 MB took 40 ms to read here, against 10 ms in 2 MiB pages). So
 * the buffer is anonymous memory aligned to 2 MiB with MADV_HUGEPAGE: the
 * kernel backs it with huge pages where transparent huge pages are enabled
 * ("madvise" or "always"), and with ordinary pages otherwise. A buffer under
 * 4 MiB gets MADV_NOHUGEPAGE instead: one huge page would add 2 MiB to the
 * memory of every small run, for a few hundred faults saved.
 *
 * Ownership: struct input owns its buffer until input_free(); the FILE is
 * borrowed (not closed).
 */
#ifndef INPUT_H
#define INPUT_H

#include <stddef.h>
#include <stdio.h>

struct input {
	char *p;	/* len bytes, then a NUL; never NULL after input_read() == 0 */
	size_t len;
	size_t cap;	/* bytes mapped at p */
};

#define INPUT_INIT { NULL, 0, 0 }

/* All of fp (called name in messages), at most max bytes. Returns 0, or -1
 * after reporting (input larger than max: exit 1; a read error: the usage
 * exit code). On -1, in still owns what it read: input_free() it. */
int input_read(FILE *fp, const char *name, size_t max, struct input *in);

void input_free(struct input *in);

#endif
