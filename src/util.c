/* util.c - allocation wrappers, growable buffers and bump arenas. */
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void
oom(void)
{
	fputs("registry-addon: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	n = strnlen(s, n);	/* as strndup: s may be shorter than n */
	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xasprintf(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	buf_cstr(&b);
	return b.p;
}

uint64_t
str_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (need < b->len)
		oom();
	b->cap = grow_cap(b->cap, need, 256);
	b->p = xrealloc(b->p, b->cap);
}

size_t
grow_cap(size_t cap, size_t need, size_t first)
{
	cap = cap ? cap : first;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	return cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->p[b->len++] = c;
}

void
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

const char *
buf_cstr(struct buf *b)
{
	buf_grow(b, 0);
	b->p[b->len] = '\0';
	return b->p;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* A chain of chunks; allocation bumps a pointer in the newest chunk. */
struct chunk {
	struct chunk *next;
	size_t size;
	size_t used;
	max_align_t data[];
};

struct arena {
	struct chunk *head;
};

#define ARENA_CHUNK ((size_t)64 * 1024)

struct arena *
arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

static struct chunk *
chunk_new(size_t size, struct chunk *next)
{
	struct chunk *c = xmalloc(sizeof(*c) + size);

	c->next = next;
	c->size = size;
	c->used = 0;
	return c;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c = a->head;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (!c || c->size - c->used < n) {
		size_t size = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;

		if (size == n && c) {
			/* a big block gets its own chunk behind the current one */
			c->next = chunk_new(size, c->next);
			c->next->used = n;
			p = c->next->data;
			memset(p, 0, n);
			return p;
		}
		c = a->head = chunk_new(size, c);
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

static void
chunks_free(struct chunk *c)
{
	while (c) {
		struct chunk *next = c->next;

		free(c);
		c = next;
	}
}

void
arena_reset(struct arena *a)
{
	struct chunk *c = a->head;

	if (!c)
		return;
	/* keep the last (oldest) standard-size chunk, free the rest */
	while (c->next) {
		struct chunk *next = c->next;

		free(c);
		c = next;
	}
	if (c->size != ARENA_CHUNK) {
		free(c);
		a->head = NULL;
		return;
	}
	c->used = 0;
	a->head = c;
}

void
arena_free(struct arena *a)
{
	if (!a)
		return;
	chunks_free(a->head);
	free(a);
}

bool
str_eq(const char *a, size_t alen, const char *b)
{
	return strlen(b) == alen && memcmp(a, b, alen) == 0;
}

size_t
utf8_decode(const unsigned char *p, size_t left, uint32_t *cp)
{
	unsigned c = p[0];
	size_t n;
	uint32_t min, v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2 || c > 0xF4)
		return 0;
	n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	min = n == 4 ? 0x10000 : n == 3 ? 0x800 : 0x80;
	if (left < n)
		return 0;
	v = c & (0xFFu >> (n + 1));
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

bool
utf8_is_yaml11_break(uint32_t cp)
{
	return cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

size_t
utf8_char(const unsigned char *p, size_t left, uint32_t *cp)
{
	size_t n;

	if (p[0] == 0)
		return 0;
	n = utf8_decode(p, left, cp);
	return n && !utf8_is_yaml11_break(*cp) ? n : 0;
}

size_t
utf8_scan(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		if (i + 8 <= len) {
			uint64_t w;

			memcpy(&w, p + i, 8);
			/* eight ASCII bytes, none of them NUL */
			if (!(w & 0x8080808080808080ULL) &&
			    !((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL)) {
				i += 8;
				continue;
			}
		}
		uint32_t cp;
		size_t n = utf8_char(p + i, len - i, &cp);

		if (!n)
			return i;
		i += n;
	}
	return len;
}

const char *
line_end(const char *p, const char *end)
{
	while (p < end && *p != '\n' && *p != '\r')
		p++;
	return p;
}

const char *
line_next(const char *p, const char *end)
{
	p = line_end(p, end);
	if (p < end && *p == '\r')
		p++;
	else if (p < end)
		return p + 1;	/* LF */
	return p < end && *p == '\n' ? p + 1 : p;	/* CRLF, or a lone CR */
}

void
text_line_col(const char *buf, size_t off, int *line, int *col)
{
	*line = *col = 1;
	for (const char *p = buf; p < buf + off; p++) {
		if (*p == '\n' || (*p == '\r' && (p + 1 == buf + off || p[1] != '\n'))) {
			++*line;	/* LF, CRLF or a lone CR */
			*col = 1;
		} else if (*p != '\r' && (*p & 0xC0) != 0x80) {
			++*col;
		}
	}
}
