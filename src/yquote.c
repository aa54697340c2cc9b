/* yquote.c - quoted scalars: one-line ones decoded here ('' in single
 * quotes, the escapes of YAML 1.2 (5.7) in double quotes, as libfyaml's
 * fy_utf8_parse_escape() reads them), the rest by libfyaml's iterator. */
#include "yquote.h"

#include <libfyaml.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

/* The UTF-8 of c into out (unless NULL); its length. */
static size_t
put_utf8(char *out, uint32_t c)
{
	if (!out)
		return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3F));
	out[2] = (char)(0x80 | (c >> 6 & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* \xXX, \uXXXX, \UXXXXXXXX: the code point, or -1 (not ours to decode). */
static int32_t
hex_escape(const char *s, const char *end, int n)
{
	uint32_t v = 0;

	if (end - s < n)
		return -1;
	for (int i = 0; i < n; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
		return -1;	/* surrogates: libfyaml pairs them */
	return (int32_t)v;
}

/* The escape after a backslash at *sp: its code point (*sp moved past it),
 * or -1. */
static int32_t
escape(const char **sp, const char *end)
{
	static const char from[] = "0abt\tnvfre \"/\\N_LP";
	static const uint32_t to[] = {
		0, 7, 8, 9, 9, 10, 11, 12, 13, 27, ' ', '"', '/', '\\', 0x85, 0xA0, 0x2028, 0x2029,
	};
	const char *s = *sp, *hit;
	int n = 0;
	int32_t v;

	if (s >= end || !*s)
		return -1;
	if ((hit = strchr(from, *s)) != NULL) {
		*sp = s + 1;
		return (int32_t)to[hit - from];
	}
	n = *s == 'x' ? 2 : *s == 'u' ? 4 : *s == 'U' ? 8 : 0;
	if (!n || (v = hex_escape(s + 1, end, n)) < 0)
		return -1;
	*sp = s + 1 + n;
	return v;
}

/* Is raw a quoted scalar on one line (no folding: that is libfyaml's)? */
static bool
one_line(const char *raw, size_t len)
{
	if (len < 2 || (raw[0] != '\'' && raw[0] != '"') || raw[len - 1] != raw[0])
		return false;
	return !memchr(raw + 1, '\n', len - 2) && !memchr(raw + 1, '\r', len - 2);
}

/* yquote_decode() once one_line() holds. No escape gives more bytes than it
 * takes: '' 1 for 2, \L and \P 3 for 2 (the most), \N and \_ 2 for 2, the
 * other single-letter ones 1 for 2, \xXX at most 2 for 4, \uXXXX 3 for 6,
 * \UXXXXXXXX 4 for 10; so the value has at most (len - 2) * 3 / 2 bytes. */
static int
decode(const char *raw, size_t len, char *out, size_t *outlen)
{
	const char *s = raw + 1, *end = raw + len - 1;
	char q = raw[0];
	size_t o = 0;

	while (s < end) {
		const char *stop = memchr(s, q == '"' ? '\\' : '\'', (size_t)(end - s));
		size_t run = (size_t)((stop ? stop : end) - s);
		int32_t c;

		if (out)
			memcpy(out + o, s, run);
		o += run;
		s += run;
		if (s >= end)
			break;
		s++;		/* the backslash, or the first of '' */
		if (q == '\'') {
			if (s >= end || *s != '\'')
				return 1;
			if (out)
				out[o] = '\'';
			o++;
			s++;
			continue;
		}
		if ((c = escape(&s, end)) < 0)
			return 1;
		o += put_utf8(out ? out + o : NULL, (uint32_t)c);
	}
	*outlen = o;
	return 0;
}

int
yquote_decode(const char *raw, size_t len, char *out, size_t *outlen)
{
	return one_line(raw, len) ? decode(raw, len, out, outlen) : 1;
}

const char *
yquote_text(struct arena *a, struct fy_token *tok, const char *src, size_t len, size_t *lenp)
{
	const struct fy_mark *sm = fy_token_start_mark(tok), *em = fy_token_end_mark(tok);
	struct fy_token_iter *it;
	const struct fy_iter_chunk *chunk = NULL;
	struct buf b = BUF_INIT;
	char *text;
	int err = 0;

	/* the marks are inside the quotes */
	if (sm && em && sm->input_pos > 0 && em->input_pos < len && sm->input_pos <= em->input_pos) {
		const char *raw = src + sm->input_pos - 1;
		size_t rawlen = em->input_pos - sm->input_pos + 2;

		/* decoded once, into the most it can take (decode()); the rest
		 * of that block is left unused */
		if (one_line(raw, rawlen)) {
			text = arena_alloc(a, (rawlen - 2) / 2 * 3 + (rawlen - 2) % 2 + 1);
			if (decode(raw, rawlen, text, lenp) == 0)
				return text;
		}
	}
	if (!(it = fy_token_iter_create(tok)))
		return NULL;
	while ((chunk = fy_token_iter_chunk_next(it, chunk, &err)) != NULL)
		buf_add(&b, chunk->str, chunk->len);
	fy_token_iter_destroy(it);
	text = arena_strndup(a, b.p ? b.p : "", b.len);
	*lenp = b.len;
	buf_free(&b);
	return text;
}
