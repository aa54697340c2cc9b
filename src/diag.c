/* diag.c - formats, writes and keeps every message of a run. */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static struct {
	struct diag_msg *v;
	size_t n, cap;
	int errors;
	int exit;
	FILE *log;
	int quiet;
	int mute;
} D;

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

/* "[doc 3] apps/v1/Deployment/ns/name: " */
static void
add_object(struct buf *b, const struct where *w)
{
	if (w->doc)
		buf_addf(b, "[doc %d] ", w->doc);
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

/* The source line under a located message, with a caret at the column. */
static void
add_source_line(struct buf *b, const struct where *w)
{
	const char *p = w->src, *end = w->src + w->srclen, *eol;
	int line = 1;

	while (p < end && line < w->line) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return;
		p = nl + 1;
		line++;
	}
	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	if (eol > p && eol[-1] == '\r')
		eol--;
	if (eol - p > 200)
		eol = p + 200;
	buf_addf(b, "  %.*s\n  %*s^\n", (int)(eol - p), p, w->col > 0 ? w->col - 1 : 0, "");
}

static void
format(struct buf *b, enum severity sev, const struct where *w, const char *text)
{
	if (w && w->file && w->line)
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
	m->line = w->line;
	m->col = w->col;
	m->doc = w->doc;
}

void
diag_vreport(enum severity sev, const struct where *w, const char *fmt, va_list ap)
{
	struct buf text = BUF_INIT, line = BUF_INIT;

	if (D.mute)
		return;
	buf_vaddf(&text, fmt, ap);
	format(&line, sev, w, buf_cstr(&text));
	if (!D.quiet && sev != SEV_INFO)	/* info only reaches results and the log */
		fwrite(line.p, 1, line.len, stderr);
	if (D.log) {
		fwrite(line.p, 1, line.len, D.log);
		fflush(D.log);
	}
	buf_free(&line);
	if (sev == SEV_ERROR)
		D.errors++;
	keep(sev, w, text.p);
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
	for (size_t i = 0; i < D.n; i++) {
		struct diag_msg *m = &D.v[i];

		free(m->text);
		free(m->file);
		free(m->api);
		free(m->kind);
		free(m->ns);
		free(m->name);
		free(m->field);
	}
	free(D.v);
	D.v = NULL;
	D.n = D.cap = 0;
	D.errors = 0;
	D.exit = 0;
}
