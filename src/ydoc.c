/* ydoc.c - document boundaries in the raw text of a YAML stream. */
#include "ydoc.h"

#include <stdbool.h>
#include <string.h>

/* The line [p, end) is a document end marker "..." (YAML 1.2 §9.1.2). */
static bool
doc_end_line(const char *p, const char *end)
{
	return end - p >= 3 && !memcmp(p, "...", 3) &&
	       (end - p == 3 || p[3] == ' ' || p[3] == '\t' || p[3] == '\r' || p[3] == '\n');
}

/* The line [p, end) holds only white space or a comment. */
static bool
blank_line(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p == end || *p == '#' || *p == '\r' || *p == '\n';
}

size_t
ydoc_directives_start(const char *buf, size_t doc_start)
{
	size_t ls = doc_start, first = doc_start;

	while (ls > 0) {
		size_t prev = ls - 1;
		const char *p;

		while (prev > 0 && buf[prev - 1] != '\n')
			prev--;
		p = buf + prev;
		if (prev == 0 && ls >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
			p += 3;
		if (p < buf + ls && *p == '%')
			first = prev;
		else if (doc_end_line(p, buf + ls))
			return first;
		else if (!blank_line(p, buf + ls))
			return doc_start;	/* content: these are not directives */
		ls = prev;
	}
	return first;
}
