/* input.c - reading the input stream into a buffer of 2 MiB-aligned
 * anonymous memory (input.h). */
#include "input.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "diag.h"
#include "util.h"

#define HUGE_PAGE ((size_t)2 << 20)
#define HUGE_FROM ((size_t)4 << 20)

/* n bytes of zeroed memory at a 2 MiB boundary (n a multiple of it),
 * advised for huge pages from HUGE_FROM bytes on (below it, advised
 * against: a huge page would add 2 MiB to every small run's memory for
 * a few page faults saved); aborts when there is no memory, as xmalloc. */
static char *
map_aligned(size_t n)
{
	size_t span = n + HUGE_PAGE;
	char *m, *p;

	if (span < n)
		oom();
	m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		oom();
	p = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (p > m)
		munmap(m, (size_t)(p - m));
	if (m + span > p + n)
		munmap(p + n, (size_t)(m + span - (p + n)));
	/* a hint: EINVAL where THP is not built in */
	(void)madvise(p, n, n >= HUGE_FROM ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return p;
}

/* Room for extra more bytes and the NUL after them. */
static void
reserve(struct input *in, size_t extra)
{
	size_t need = in->len + extra + 1, cap;
	char *p;

	if (need < in->len)
		oom();
	if (need <= in->cap)
		return;
	cap = grow_cap(in->cap, need, HUGE_PAGE);
	cap = (cap + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (cap < need)
		oom();
	p = map_aligned(cap);
	if (in->len)
		memcpy(p, in->p, in->len);
	input_free(&(struct input){ in->p, 0, in->cap });
	in->p = p;
	in->cap = cap;
}

int
input_read(FILE *fp, const char *name, size_t max, struct input *in)
{
	struct stat st;
	size_t n;

	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		reserve(in, (size_t)st.st_size < max ? (size_t)st.st_size : max);
	for (;;) {
		size_t room, left;

		reserve(in, 1);
		room = in->cap - in->len - 1;
		left = max - in->len;	/* in->len <= max here */
		if (left < room)
			room = left + 1;	/* one byte over max tells it is over */
		n = fread(in->p + in->len, 1, room, fp);
		in->len += n;
		if (in->len > max) {
			diag_error(NULL, "input is larger than %zu bytes; raise --max-input-bytes if this is intended", max);
			return -1;
		}
		if (n == 0)
			break;
	}
	in->p[in->len] = '\0';
	if (ferror(fp)) {
		diag_error(NULL, "reading %s failed: %s", name, strerror(errno));
		diag_set_exit(EXIT_USAGE);
		return -1;
	}
	return 0;
}

void
input_free(struct input *in)
{
	if (in->p)
		munmap(in->p, in->cap);
	in->p = NULL;
	in->len = in->cap = 0;
}
