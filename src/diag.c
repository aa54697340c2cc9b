/* diag.c - formats, writes and keeps every message of a run; nothing read
 * from the input reaches a terminal, a log or a KRM result unescaped. */
#include "diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textpos.h"
#include "util.h"

static struct {
	struct diag_msg *v;
	size_t n, cap;
	int errors;
	int exit;
	FILE *log;
	int quiet;
	int mute;
	diag_locator locate;
	void *locate_ctx;
	/* diag_hold(): what would have been written, and the counts before */
	bool held;
	struct buf held_err, held_log;
	size_t held_n;
	int held_errors, held_exit;
} D;

/* Characters a terminal acts on or that change how a line reads: C0 and C1
 * controls, DEL, the bidirectional controls (Trojan Source, CVE-2021-42574),
 * the line and paragraph separators and the byte order mark. */
static bool
must_escape(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
	       cp == 0x2029 || cp == 0xFEFF;
}

size_t
diag_escape(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, chars = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(p + i, n - i, &cp);

		chars++;
		if (!len) {
			buf_addf(b, "\\x%02x", p[i++]);
			continue;
		}
		if (!must_escape(cp))
			buf_add(b, p + i, len);
		else if (cp == '\t' || cp == '\n' || cp == '\r')
			buf_adds(b, cp == '\t' ? "\\t" : cp == '\n' ? "\\n" : "\\r");
		else if (cp < 0x80)
			buf_addf(b, "\\x%02x", (unsigned)cp);
		else
			buf_addf(b, "\\u%04x", (unsigned)cp);
		i += len;
	}
	return chars;
}

/* An escaped copy (NULL stays NULL). */
static char *
escaped(const char *s)
{
	struct buf b = BUF_INIT;

	if (!s)
		return NULL;
	diag_escape(&b, s, strlen(s));
	buf_cstr(&b);
	return b.p;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static const char *
sev_name(enum severity sev)
{
	return sev == SEV_ERROR ? "error" : sev == SEV_WARNING ? "warning" : "info";
}

/* "[doc 3] apps/v1/Deployment/ns/name: " (in KRM mode, the document of the
 * package file named before it) */
static void
add_object(struct buf *b, const struct where *w)
{
	int doc = w->path ? w->path_doc : w->doc;

	if (doc)
		buf_addf(b, "[doc %d] ", doc);
	if (w->kind) {
		if (w->api && *w->api)
			buf_addf(b, "%s/", w->api);
		buf_adds(b, w->kind);
		if (w->ns && *w->ns)
			buf_addf(b, "/%s", w->ns);
		if (w->name && *w->name)
			buf_addf(b, "/%s", w->name);
		buf_adds(b, ": ");
	}
	if (w->field)
		buf_addf(b, "%s: ", w->field);
}

#define SOURCE_MAX 200	/* characters of a source line shown */

/* Bytes of the first n characters of p[0..len) (an invalid byte is one). */
static size_t
chars_prefix(const char *p, size_t len, size_t n)
{
	size_t i = 0;

	while (i < len && n--) {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)p + i, len - i, &cp);

		i += k ? k : 1;
	}
	return i;
}

/* The texts messages were last located in (address and length), most
 * recent first, with their index: messages in any order, many on one long
 * line, find their place in bounded time (textpos.h); looking from the
 * start of the text each time, 100,000 bad documents took minutes.
 * diag_reset() forgets them. */
static struct textpos texts[2];

static struct textpos *
text_of(const char *src, size_t len)
{
	struct textpos t;

	if (texts[0].src == src && texts[0].len == len)
		return &texts[0];
	if (texts[1].src == src && texts[1].len == len) {
		t = texts[1];
	} else {
		textpos_free(&texts[1]);
		textpos_init(&t, src, len);
	}
	texts[1] = texts[0];
	texts[0] = t;
	return &texts[0];
}

/* Line w->line of the text, escaped and cut after SOURCE_MAX characters,
 * and under it a caret at column w->col (1-based, in characters as libfyaml
 * counts them), moved right by what the escapes before it added. A column
 * past the first SOURCE_MAX characters is shown in a window that starts
 * with "...". Past the last line: the empty line after a final line break,
 * or nothing. */
static void
add_source_line(struct buf *b, const struct where *w)
{
	struct textpos *t = text_of(w->src, w->srclen);
	size_t at = textpos_line(t, w->line), want = w->col > 1 ? (size_t)w->col - 1 : 0, width = 0;
	size_t cut, pre, start, got;
	const char *p, *end = w->src + w->srclen;

	if (at == SIZE_MAX) {
		if (w->srclen && w->src[w->srclen - 1] != '\n' && w->src[w->srclen - 1] != '\r')
			return;
		at = w->srclen;
	}
	buf_adds(b, "  ");
	p = w->src + at;
	if (want >= SOURCE_MAX) {	/* a column past what is shown: shown from "..." before it */
		size_t drop = want - SOURCE_MAX / 2;

		if (p < end)
			p = w->src + textpos_at(t, w->line, (int)(drop + 1));
		buf_adds(b, "...");
		width = 3;
		want -= drop;
	}
	/* SOURCE_MAX characters take at most 4 bytes each */
	cut = chars_prefix(p, (size_t)(line_end(p, end - p > 4 * SOURCE_MAX ? p + 4 * SOURCE_MAX : end) - p),
			   SOURCE_MAX);
	pre = chars_prefix(p, cut, want);
	start = b->len;
	got = diag_escape(b, p, pre);
	for (size_t i = start; i < b->len; i++)	/* escapes are ASCII, one column each */
		width += ((unsigned char)b->p[i] & 0xC0) != 0x80;
	if (got < want)		/* past the end of what is shown */
		width += want - got;
	diag_escape(b, p + pre, cut - pre);
	buf_addf(b, "\n  %*s^\n", (int)width, "");
}

/* A message about a KRM item names its file in the package, without
 * line:col: kpt serializes the files it reads (blank lines dropped,
 * indentation changed), so neither a line of the ResourceList nor one
 * counted from the item's start is a line of that file; the field path
 * and the source line shown below say where. */
static void
format(struct buf *b, enum severity sev, const struct where *w, const char *text)
{
	if (w && w->path)
		buf_addf(b, "%s: %s: ", w->path, sev_name(sev));
	else if (w && w->file && w->line)
		buf_addf(b, "%s:%d:%d: %s: ", w->file, w->line, w->col, sev_name(sev));
	else if (w && w->file)
		buf_addf(b, "%s: %s: ", w->file, sev_name(sev));
	else
		buf_addf(b, "registry-addon: %s: ", sev_name(sev));
	if (w)
		add_object(b, w);
	buf_addf(b, "%s\n", text);
	if (w && w->src && w->line)
		add_source_line(b, w);
}

static void
keep(enum severity sev, const struct where *w, char *text)
{
	struct diag_msg *m;

	if (D.n == D.cap) {
		D.cap = D.cap ? D.cap * 2 : 16;
		D.v = xrealloc(D.v, D.cap * sizeof(*D.v));
	}
	m = &D.v[D.n++];
	memset(m, 0, sizeof(*m));
	m->sev = sev;
	m->text = text;
	if (!w)
		return;
	m->file = dup_or_null(w->file);
	m->api = dup_or_null(w->api);
	m->kind = dup_or_null(w->kind);
	m->ns = dup_or_null(w->ns);
	m->name = dup_or_null(w->name);
	m->field = dup_or_null(w->field);
	m->path = dup_or_null(w->path);
	m->path_doc = w->path_doc;
	m->line = w->line;
	m->col = w->col;
	m->doc = w->doc;
}

/* w with every string escaped (freed by unescape_where()). */
static struct where
escape_where(const struct where *w)
{
	struct where c = *w;

	c.file = escaped(w->file);
	c.api = escaped(w->api);
	c.kind = escaped(w->kind);
	c.ns = escaped(w->ns);
	c.name = escaped(w->name);
	c.field = escaped(w->field);
	c.path = escaped(w->path);
	return c;
}

static void
unescape_where(struct where *c)
{
	free((char *)c->file);
	free((char *)c->api);
	free((char *)c->kind);
	free((char *)c->ns);
	free((char *)c->name);
	free((char *)c->field);
	free((char *)c->path);
}

/* One formatted message to stderr (when to_err) and the log, or aside
 * while held. */
static void
write_line(const struct buf *line, bool to_err)
{
	if (to_err && D.held)
		buf_add(&D.held_err, line->p, line->len);
	else if (to_err)
		fwrite(line->p, 1, line->len, stderr);
	if (D.log && D.held) {
		buf_add(&D.held_log, line->p, line->len);
	} else if (D.log) {
		fwrite(line->p, 1, line->len, D.log);
		fflush(D.log);
	}
}

/* Format, write and (unless only noted) keep one message; info is written
 * to stderr only when shown. */
static void
report(enum severity sev, const struct where *raw, bool kept, bool shown, const char *fmt, va_list ap)
{
	struct buf raw_text = BUF_INIT, text = BUF_INIT, line = BUF_INIT;
	struct where located, cw, *w = NULL;

	if (D.mute)
		return;
	buf_vaddf(&raw_text, fmt, ap);
	diag_escape(&text, raw_text.p ? raw_text.p : "", raw_text.len);
	buf_free(&raw_text);
	if (raw && D.locate) {
		located = *raw;
		D.locate(D.locate_ctx, &located);
		raw = &located;
	}
	if (raw) {
		cw = escape_where(raw);
		w = &cw;
	}
	format(&line, sev, w, buf_cstr(&text));
	write_line(&line, !D.quiet && (sev != SEV_INFO || shown));	/* other info only reaches results and the log */
	buf_free(&line);
	if (kept && sev == SEV_ERROR)
		D.errors++;
	if (kept)
		keep(sev, w, text.p);
	else
		buf_free(&text);
	if (w)
		unescape_where(w);
}

void
diag_vreport(enum severity sev, const struct where *raw, const char *fmt, va_list ap)
{
	report(sev, raw, true, false, fmt, ap);
}

void
diag_note(const struct where *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(SEV_WARNING, w, false, false, fmt, ap);
	va_end(ap);
}

void
diag_aside(const struct where *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(SEV_INFO, w, false, true, fmt, ap);
	va_end(ap);
}

void
diag_inform(const struct where *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(SEV_INFO, w, true, true, fmt, ap);
	va_end(ap);
}

void
diag_set_locator(diag_locator fn, void *ctx)
{
	D.locate = fn;
	D.locate_ctx = fn ? ctx : NULL;
}

void
diag_report(enum severity sev, const struct where *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport(sev, w, fmt, ap);
	va_end(ap);
}

void
diag_set_log(FILE *fp)
{
	D.log = fp;
}

static const char *input_name;

void
diag_set_input_name(const char *name)
{
	input_name = name;
}

const char *
diag_input_name(void)
{
	return input_name ? input_name : "<stdin>";
}

void
diag_set_quiet(int quiet)
{
	D.quiet = quiet;
}

void
diag_mute(int mute)
{
	D.mute = mute;
}

void
diag_hold(void)
{
	D.held = true;
	D.held_n = D.n;
	D.held_errors = D.errors;
	D.held_exit = D.exit;
}

static void
free_msg(struct diag_msg *m)
{
	free(m->text);
	free(m->file);
	free(m->api);
	free(m->kind);
	free(m->ns);
	free(m->name);
	free(m->field);
	free(m->path);
}

void
diag_release(int keep_them)
{
	if (!D.held)
		return;
	D.held = false;
	if (keep_them) {
		if (D.held_err.len)
			fwrite(D.held_err.p, 1, D.held_err.len, stderr);
		if (D.log && D.held_log.len) {
			fwrite(D.held_log.p, 1, D.held_log.len, D.log);
			fflush(D.log);
		}
	} else {
		while (D.n > D.held_n)
			free_msg(&D.v[--D.n]);
		D.errors = D.held_errors;
		D.exit = D.held_exit;
	}
	buf_free(&D.held_err);
	buf_free(&D.held_log);
}

int
diag_exit_code(void)
{
	if (D.exit)
		return D.exit;
	return D.errors ? EXIT_INPUT : EXIT_OK;
}

void
diag_set_exit(enum exit_code code)
{
	if ((int)code > D.exit)
		D.exit = code;
}

int
diag_error_count(void)
{
	return D.errors;
}

size_t
diag_count(void)
{
	return D.n;
}

const struct diag_msg *
diag_get(size_t i)
{
	return i < D.n ? &D.v[i] : NULL;
}

void
diag_reset(void)
{
	textpos_free(&texts[0]);
	textpos_free(&texts[1]);
	diag_release(0);
	for (size_t i = 0; i < D.n; i++)
		free_msg(&D.v[i]);
	free(D.v);
	D.v = NULL;
	D.n = D.cap = 0;
	D.errors = 0;
	D.exit = 0;
	diag_set_locator(NULL, NULL);
}
