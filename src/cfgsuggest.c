/* cfgsuggest.c - "did you mean": the configuration field (or group) whose
 * path is closest to an unknown one, by edit distance over the field table. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgfields.h"
#include "util.h"

#define MAX_PATH 256

static int
min3(int a, int b, int c)
{
	return a < b ? (a < c ? a : c) : (b < c ? b : c);
}

static int
same(char a, char b)
{
	return tolower((unsigned char)a) == tolower((unsigned char)b);
}

/* Optimal string alignment distance of a[0..n) and b[0..m), letter case
 * ignored: insertions, deletions, substitutions and swaps of two neighbours
 * cost 1 each. Paths are shorter than MAX_PATH. */
static int
distance(const char *a, size_t n, const char *b, size_t m)
{
	int rows[3][MAX_PATH + 1], *pp = rows[0], *prev = rows[1], *cur = rows[2];

	for (size_t j = 0; j <= m; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= m; j++) {
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + !same(a[i - 1], b[j - 1]));
			if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]) && pp[j - 2] + 1 < cur[j])
				cur[j] = pp[j - 2] + 1;
		}
		int *t = pp;

		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[m];
}

/* How far a suggestion may be: a third of the name, 1 to 3 edits. */
static int
tolerance(size_t len)
{
	return len < 4 ? 1 : len < 9 ? 2 : 3;
}

/* Candidate cand[0..clen) against path: keeps the closest in *best. */
static void
consider(const char *path, size_t plen, const char *cand, size_t clen, int *best, const char **out, size_t *outlen)
{
	int d;

	if (clen >= MAX_PATH || (clen > plen ? clen - plen : plen - clen) > 3 ||
	    (clen == plen && !strncmp(path, cand, clen)))
		return;
	d = distance(path, plen, cand, clen);
	if (d < *best) {
		*best = d;
		*out = cand;
		*outlen = clen;
	}
}

const char *
field_suggest(const char *path)
{
	static char text[MAX_PATH];
	size_t plen = strlen(path), outlen = 0;
	const char *out = NULL;
	int best;

	if (plen >= MAX_PATH)
		return NULL;
	best = tolerance(plen) + 1;
	for (size_t i = 0; i < config_nfields; i++) {
		const char *p = config_fields[i].path, *dot;

		/* each group on the way ("registry", "registry.storage"), then the field */
		for (dot = strchr(p, '.'); dot; dot = strchr(dot + 1, '.'))
			consider(path, plen, p, (size_t)(dot - p), &best, &out, &outlen);
		consider(path, plen, p, strlen(p), &best, &out, &outlen);
	}
	if (!out)
		return NULL;
	snprintf(text, sizeof(text), "%.*s", (int)outlen, out);
	return text;
}
