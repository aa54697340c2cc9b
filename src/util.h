/* util.h - allocation that never returns NULL, growable byte buffers, arenas.
 *
 * Ownership: a struct buf owns its bytes until buf_free() or buf_take();
 * an arena owns every block it handed out until arena_free() (or arena_reset(),
 * which keeps the first chunk for reuse). Out-of-memory aborts the program:
 * there is no sensible partial result for a manifest filter.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Says so on stderr and aborts (the allocators below, input.c's mapping). */
_Noreturn void oom(void);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* FNV-1a of len bytes at s, for hash tables (yanchor.c, ytree.c). */
uint64_t str_hash(const char *s, size_t len);

struct buf {
	char *p;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

#define XSTR(x) STR(x)		/* a numeric macro as a string literal */
#define STR(x) #x

void buf_grow(struct buf *b, size_t extra);
/* A capacity of at least need: cap (first when 0) doubled as often as it
 * takes, or need itself where doubling would overflow. */
size_t grow_cap(size_t cap, size_t need, size_t first);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* NUL-terminated view of the contents (the NUL is not counted in len). */
const char *buf_cstr(struct buf *b);
void buf_free(struct buf *b);

struct arena;

struct arena *arena_new(void);
void *arena_alloc(struct arena *a, size_t n);	/* zeroed, 8-byte aligned */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
void arena_reset(struct arena *a);
void arena_free(struct arena *a);			/* NULL is OK */

/* The code point of the valid UTF-8 sequence at p (RFC 3629: no overlongs,
 * no surrogates, at most U+10FFFF) in *cp and its length, or 0 for an
 * invalid or cut one (left: the bytes from p on, at least 1). */
size_t utf8_decode(const unsigned char *p, size_t left, uint32_t *cp);
/* NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR: line breaks to YAML 1.1 readers
 * (go-yaml, so Helm and kubectl; libyaml), text to YAML 1.2 ones (libfyaml). */
bool utf8_is_yaml11_break(uint32_t cp);
/* Lines end at LF, CRLF or a lone CR (YAML 1.2 5.4; libfyaml reads them so).
 * line_end: the first CR or LF at or after p, or end; line_next: just past
 * the break that ends p's line, or end. */
const char *line_end(const char *p, const char *end);
const char *line_next(const char *p, const char *end);
/* The 1-based line and column of buf[off], off <= len: lines as line_end()
 * ends them, columns counting characters (UTF-8 sequences), as libfyaml's
 * and libyaml's marks do. */
void text_line_col(const char *buf, size_t off, int *line, int *col);
/* Offset of the first NUL byte, invalid UTF-8 sequence or raw YAML 1.1
 * break (utf8_is_yaml11_break()), or len if none. */
/* One character of the text we read at p (left > 0 bytes): its length and
 * *cp, or 0 for a NUL, invalid UTF-8 or a YAML 1.1 line break (utf8_scan()
 * stops there). */
size_t utf8_char(const unsigned char *p, size_t left, uint32_t *cp);
size_t utf8_scan(const char *s, size_t len);

bool str_eq(const char *a, size_t alen, const char *b);	/* a[0..alen) == NUL-terminated b */

#endif
