/* ydoc.c - document boundaries in the raw text of a YAML stream. */
#include "ydoc.h"

#include <stdbool.h>
#include <stdint.h>
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

/* Where the line that holds buf[pos] begins: after the last LF or CR in
 * buf[0..pos) (a lone CR breaks a line too, YAML 1.2 §5.4), or 0. Found with
 * memrchr() (GNU, as the build is: -D_GNU_SOURCE): the line before a
 * document may be long (a JSON blob). */
static size_t
line_begin(const char *buf, size_t pos)
{
	const char *lf = memrchr(buf, '\n', pos);
	size_t from = lf ? (size_t)(lf - buf) + 1 : 0;
	const char *cr = memrchr(buf + from, '\r', pos - from);

	return cr ? (size_t)(cr - buf) + 1 : from;
}

size_t
ydoc_directives_start(const char *buf, size_t doc_start)
{
	size_t ls = doc_start, first = doc_start;

	while (ls > 0) {
		size_t prev = line_begin(buf, ls - 1);
		const char *p = buf + prev;

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

size_t
ydoc_start(const char *buf, size_t start, bool explicit_start)
{
	size_t ls = start, d;

	if (start == SIZE_MAX)
		return start;
	while (!explicit_start && ls > 0 && (buf[ls - 1] == ' ' || buf[ls - 1] == '\t'))
		ls--;
	if (!explicit_start && ls > 0 && buf[ls - 1] != '\n' && buf[ls - 1] != '\r')
		return start;
	d = ydoc_directives_start(buf, ls);
	return d < ls ? d : start;
}
