/* ygate.c - the input must parse with libyaml too (ygate.h). */
#include "ygate.h"

#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "diag.h"
#include "limits.h"
#include "util.h"
#include "ytext.h"

/* Keep what libyaml said, for ygate_finish() (no diag here: it may run on
 * a thread of its own). */
static void
keep_error(struct yverdict *v, const yaml_parser_t *p, int doc)
{
	v->failed = true;
	v->memory = p->error == YAML_MEMORY_ERROR;
	v->reader = p->error == YAML_READER_ERROR;
	v->problem = p->problem ? p->problem : "invalid YAML";
	v->context = p->context;
	v->line = p->problem_mark.line;
	v->col = p->problem_mark.column;
	v->context_line = p->context_mark.line;
	v->context_col = p->context_mark.column;
	v->offset = p->problem_offset;
	v->value = p->problem_value;
	v->doc = doc;
}

void
yshapes_doc_end(struct yshapes *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->h = xrealloc(s->h, s->cap * sizeof(*s->h));
	}
	s->h[s->n++] = s->cur;
}

void
yshapes_free(struct yshapes *s)
{
	free(s->h);
	memset(s, 0, sizeof(*s));
}

/* The kind of a libyaml event, or 0 (stream and document events). */
static int
yaml_kind(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_MAPPING_START_EVENT:
		return YK_MAP;
	case YAML_MAPPING_END_EVENT:
		return YK_MAP_END;
	case YAML_SEQUENCE_START_EVENT:
		return YK_SEQ;
	case YAML_SEQUENCE_END_EVENT:
		return YK_SEQ_END;
	case YAML_SCALAR_EVENT:
		return YK_SCALAR;
	case YAML_ALIAS_EVENT:
		return YK_ALIAS;
	default:
		return 0;
	}
}

/* Follow one libyaml event in s. */
static void
shape_event(struct yshapes *s, const yaml_event_t *ev)
{
	int k = yaml_kind(ev);

	if (ev->type == YAML_DOCUMENT_START_EVENT)
		yshapes_doc_start(s);
	else if (ev->type == YAML_DOCUMENT_END_EVENT)
		yshapes_doc_end(s);
	else if (k)
		yshapes_add(s, (enum yshape_kind)k);
}

size_t ygate_thread_min = YGATE_THREAD_MIN;
size_t ygate_cut_step = YGATE_CUT_STEP;

/* libyaml's input: the text up to where the pre-scan has read (g->ready),
 * waiting there for more; the end of the text when the gate is stopped. */
static int
read_ready(void *data, unsigned char *out, size_t size, size_t *got)
{
	struct ygate *g = data;
	size_t n;

	pthread_mutex_lock(&g->mu);
	while (g->fed == g->ready && g->ready < g->len && !atomic_load(&g->stop))
		pthread_cond_wait(&g->cv, &g->mu);
	n = atomic_load(&g->stop) ? 0 : g->ready - g->fed;
	pthread_mutex_unlock(&g->mu);
	if (n > size)
		n = size;
	memcpy(out, g->buf + g->fed, n);
	g->fed += n;
	*got = n;
	return 1;
}

/* Is buf[checked..to) valid UTF-8 too? The text is checked a piece at a
 * time, ahead of each cut, so that libfyaml may start on the first piece
 * without waiting for the whole text's check (2 ms on 10 MB); libfyaml
 * never reads a byte that was not checked. (A cut lies at a "---": no
 * character spans it.) */
static bool
text_ok_to(struct ygate *g, size_t to)
{
	if (!g->bad_text && ytext_scan(g->buf + g->checked, to - g->checked, &g->refused) != to - g->checked)
		g->bad_text = true;
	if (!g->bad_text)
		g->checked = to;
	return !g->bad_text;
}

/* A place where libfyaml may start afresh (a prescan_cut_fn), told once
 * the text before it is checked. */
static void
on_cut(void *ctx, size_t pos, int line)
{
	struct ygate *g = ctx;

	if (!text_ok_to(g, pos))
		return;		/* no more cuts: the verdict fails (scan_ahead()) */
	pthread_mutex_lock(&g->mu);
	if (g->ncuts == g->capcuts) {
		g->capcuts = g->capcuts ? 2 * g->capcuts : 64;
		g->cuts = xrealloc(g->cuts, g->capcuts * sizeof(*g->cuts));
	}
	g->cuts[g->ncuts++] = (struct ygate_cut){ pos, line };
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* The UTF-8 check and the pre-scan, on the thread: 0 when they pass (then
 * libyaml may read the whole text), else -1. The pre-scan reads bytes the
 * UTF-8 check has not yet passed (it reads any bytes safely, and its
 * verdict then does not count). */
static int
scan_ahead(struct ygate *g)
{
	bool ok = prescan_ahead(g->buf, g->len, g->lim, &g->fix, ygate_cut_step, on_cut, g) == 0;

	ok = text_ok_to(g, g->len) && ok;

	pthread_mutex_lock(&g->mu);
	g->scanned = true;
	g->scan_failed = !ok;
	g->ready = ok ? g->len : 0;
	if (ok && !g->refused) {	/* libyaml's pieces: between the cuts */
		g->npieces = g->back = g->ncuts + 1;
		g->pieces = xcalloc(g->npieces, sizeof(*g->pieces));
	}
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	return ok ? 0 : -1;
}

int
ygate_next_cut(struct ygate *g, size_t pos, size_t *cut, int *line)
{
	int rc;

	pthread_mutex_lock(&g->mu);
	while ((!g->ncuts || g->cuts[g->ncuts - 1].pos <= pos) && !g->scanned && !atomic_load(&g->stop))
		pthread_cond_wait(&g->cv, &g->mu);
	if (g->ncuts && g->cuts[g->ncuts - 1].pos > pos) {	/* the last: the largest piece */
		*cut = g->cuts[g->ncuts - 1].pos;
		*line = g->cuts[g->ncuts - 1].line;
		rc = 1;
	} else {
		rc = g->scanned && !g->scan_failed ? 0 : -1;
	}
	pthread_mutex_unlock(&g->mu);
	return rc;
}

/* libyaml's events from p, its input set, to the end, an error or a stop,
 * into v. */
static void
read_events(struct ygate *g, yaml_parser_t *p, struct yverdict *v)
{
	yaml_event_t ev;
	bool between = true;
	int doc = 0;

	while (!v->done) {
		if (atomic_load_explicit(&g->stop, memory_order_relaxed))
			break;
		if (!yaml_parser_parse(p, &ev)) {
			keep_error(v, p, doc + between);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			doc++;
			between = false;
		} else if (ev.type == YAML_DOCUMENT_END_EVENT) {
			between = true;
		}
		shape_event(&v->shapes, &ev);
		v->done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(p);
}

/* libyaml on buf[0..len) (via read_ready(), behind the pre-scan), into v. */
static void
read_whole(struct ygate *g, struct yverdict *v)
{
	yaml_parser_t p;

	if (!yaml_parser_initialize(&p)) {
		v->failed = v->memory = true;
		return;
	}
	yaml_parser_set_input(&p, read_ready, g);
	read_events(g, &p, v);
}

/* libyaml on piece i (between cuts i-1 and i), from a fresh parser, into
 * g->pieces[i]: lines, documents and offsets counted in the piece. */
static void
read_piece(struct ygate *g, size_t i)
{
	struct yverdict *v = &g->pieces[i];
	size_t from = i ? g->cuts[i - 1].pos : 0, to = i < g->ncuts ? g->cuts[i].pos : g->len;
	yaml_parser_t p;

	if (!yaml_parser_initialize(&p)) {
		v->failed = v->memory = true;
		return;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)g->buf + from, to - from);
	read_events(g, &p, v);
}

/* Read pieces while some are left: from the front (the thread) or from the
 * back (the caller, done with its own reading first). Stops after a piece
 * that failed. */
static void
read_pieces(struct ygate *g, bool from_back)
{
	for (;;) {
		size_t i;

		pthread_mutex_lock(&g->mu);
		if (g->front >= g->back || atomic_load(&g->stop)) {
			pthread_mutex_unlock(&g->mu);
			return;
		}
		i = from_back ? --g->back : g->front++;
		pthread_mutex_unlock(&g->mu);
		read_piece(g, i);
		if (g->pieces[i].failed)
			return;
	}
}

/* The pieces' verdicts as one, in g->v: their shapes in order, the first
 * failure placed in the whole text (the pieces before it are whole
 * documents: their count comes first). */
static void
join_pieces(struct ygate *g)
{
	int docs = 0;

	for (size_t i = 0; i < g->npieces; i++) {
		struct yverdict *pv = &g->pieces[i];
		size_t from = i ? g->cuts[i - 1].pos : 0, lines = i ? (size_t)g->cuts[i - 1].line - 1 : 0;

		if (pv->failed) {
			struct yshapes before = g->v.shapes;	/* (the pieces' before it, freed with g) */

			g->v = *pv;
			g->v.shapes = before;
			g->v.line += lines;
			g->v.context_line += lines;
			g->v.offset += from;
			g->v.doc += docs;
			break;
		}
		if (!pv->done)
			break;	/* stopped */
		for (size_t k = 0; k < pv->shapes.n; k++) {
			g->v.shapes.cur = pv->shapes.h[k];
			yshapes_doc_end(&g->v.shapes);
		}
		docs += (int)pv->shapes.n;
		g->v.done = i + 1 == g->npieces;
	}
	for (size_t i = 0; i < g->npieces; i++)
		yshapes_free(&g->pieces[i].shapes);
	free(g->pieces);
	g->pieces = NULL;
}

static void *
run(void *arg)
{
	struct ygate *g = arg;

	if (!g->lim) {
		read_whole(g, &g->v);
		return NULL;
	}
	if (scan_ahead(g) != 0)
		return NULL;
	if (g->pieces)
		read_pieces(g, false);
	else
		read_whole(g, &g->v);	/* (g->refused) */
	return NULL;
}

static void
report(const struct ygate *g)
{
	struct where w = { .file = g->name, .src = g->buf, .srclen = g->len, .doc = g->v.doc,
			   .line = (int)g->v.line + 1, .col = (int)g->v.col + 1 };
	char context[160] = "";

	if (g->v.memory) {
		diag_error(&w, "out of memory while checking the YAML");
		return;
	}
	if (g->v.reader) {	/* placed by byte offset only; the reader runs ahead of the documents */
		w.doc = 0;
		text_line_col(g->buf, g->v.offset <= g->len ? g->v.offset : g->len, &w.line, &w.col);
		if (g->v.value >= 0)
			snprintf(context, sizeof(context), " (U+%04X)", (unsigned)g->v.value);
	} else if (g->v.context) {
		snprintf(context, sizeof(context), " (%s at %zu:%zu)", g->v.context, g->v.context_line + 1,
			 g->v.context_col + 1);
	}
	diag_error(&w, "go-yaml, which Helm, kubectl and kustomize read YAML with, cannot read this: %s%s", g->v.problem,
		   context);
}

static void
start(struct ygate *g, const char *name, const char *buf, size_t len, const struct limits *lim)
{
	memset(g, 0, sizeof(*g));
	atomic_init(&g->stop, false);
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->name = name;
	g->buf = buf;
	g->len = len;
	g->lim = lim;
	if (len >= ygate_thread_min && pthread_create(&g->thread, NULL, run, g) == 0)
		g->threaded = true;
	else
		g->lim = NULL;	/* no thread: the caller pre-scans */
}

void
ygate_start(struct ygate *g, const char *name, const char *buf, size_t len)
{
	start(g, name, buf, len, NULL);
}

void
ygate_start_ahead(struct ygate *g, const char *name, const char *buf, size_t len, const struct limits *lim)
{
	start(g, name, buf, len, lim);
}

static void
set_ready(struct ygate *g, size_t pos)
{
	pthread_mutex_lock(&g->mu);
	g->ready = pos < g->len ? pos : g->len;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

void
ygate_go(struct ygate *g)
{
	g->gone = true;
	if (!g->lim)		/* (ahead, the thread lets libyaml read once it has scanned) */
		set_ready(g, g->len);
	if (!g->threaded)
		run(g);		/* small, or no thread to be had */
}

static const char *const kind_names[] = {
	"the end of the document", "a mapping", "the end of a mapping", "a sequence", "the end of a sequence",
	"a scalar", "an alias",
};

/* The next event of p of a kind (0 at a document's end or the stream's),
 * where libyaml begins it; -1 on an error or after the stream's end (libyaml
 * then hands out empty events for ever). */
static int
next_yaml(yaml_parser_t *p, size_t *line, size_t *col)
{
	yaml_event_t ev;
	int k;

	for (;;) {
		if (!yaml_parser_parse(p, &ev) || ev.type == YAML_NO_EVENT)
			return -1;
		k = yaml_kind(&ev);
		*line = ev.start_mark.line;
		*col = ev.start_mark.column;
		if (k || ev.type == YAML_DOCUMENT_END_EVENT || ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			return k;
		}
		yaml_event_delete(&ev);
	}
}

static int
next_fy(struct fy_parser *p)
{
	struct fy_event *ev;
	int k;

	while ((ev = fy_parser_parse(p)) != NULL) {
		enum fy_event_type t = ev->type;

		k = yshape_fy_kind(ev);
		fy_parser_event_free(p, ev);
		if (k || t == FYET_DOCUMENT_END || t == FYET_STREAM_END)
			return k;
	}
	return -1;
}

/* Both parsers side by side to the first event of other kinds: where libyaml
 * has it, and each one's kind; 0 if none is found. */
static int
locate(const struct ygate *g, const char *fytext, size_t *line, size_t *col, int *ky, int *kf)
{
	yaml_parser_t yp;
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET };
	struct fy_parser *fp;
	int found = 0;

	if (!yaml_parser_initialize(&yp))
		return 0;
	yaml_parser_set_input_string(&yp, (const unsigned char *)g->buf, g->len);
	fp = fy_parser_create(&cfg);
	if (fp && fy_parser_set_string(fp, fytext, g->len) == 0) {
		for (;;) {
			*ky = next_yaml(&yp, line, col);
			*kf = next_fy(fp);
			if (*ky < 0 || *kf < 0)
				break;
			if (*ky != *kf) {
				found = 1;
				break;
			}
		}
	}
	if (fp)
		fy_parser_destroy(fp);
	yaml_parser_delete(&yp);
	return found;
}

/* libfyaml's reading (fy) against libyaml's: 0, or -1 (reported if asked). */
static int
compare(const struct ygate *g, bool report_it, const struct yshapes *fy, const char *fytext)
{
	size_t k, line = 0, col = 0;
	int ky = 0, kf = 0;

	for (k = 0; k < fy->n && k < g->v.shapes.n && fy->h[k] == g->v.shapes.h[k]; k++)
		;
	if (k == fy->n && k == g->v.shapes.n)
		return 0;
	if (report_it) {
		struct where w = { .file = g->name, .src = g->buf, .srclen = g->len, .doc = (int)k + 1 };

		if (!locate(g, fytext, &line, &col, &ky, &kf)) {
			diag_error(&w, "Helm and kubectl (go-yaml) read this document as other data than YAML 1.2 readers "
				   "do; write it so that both read the same");
			return -1;
		}
		w.line = (int)line + 1;
		w.col = (int)col + 1;
		diag_error(&w, "Helm and kubectl (go-yaml) read this as other data than YAML 1.2 readers do: go-yaml "
			   "reads %s here, libfyaml %s; write it so that both read the same (quote the scalar, or "
			   "indent its lines as YAML 1.1 wants)", kind_names[ky > 0 ? ky : 0],
			   kind_names[kf > 0 ? kf : 0]);
	}
	return -1;
}

/* The thread joined: stopped (!report_it, or never let go), or helped
 * from the back to the end of the text. */
static void
join(struct ygate *g, bool report_it)
{
	if (!g->threaded)
		return;
	if (!report_it || !g->gone) {
		pthread_mutex_lock(&g->mu);
		atomic_store(&g->stop, true);
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
	} else if (g->lim) {	/* done first: read libyaml's last pieces here */
		pthread_mutex_lock(&g->mu);
		while (!g->scanned)
			pthread_cond_wait(&g->cv, &g->mu);
		pthread_mutex_unlock(&g->mu);
		if (g->pieces)
			read_pieces(g, true);
	}
	pthread_join(g->thread, NULL);
	g->threaded = false;
	if (g->pieces)
		join_pieces(g);
}

/* libyaml's verdict, once joined: 0, or -1 (reported if asked). */
static int
outcome(const struct ygate *g, bool report_it, const struct yshapes *fy, const char *fytext)
{
	if (!g->v.done && !g->v.failed)
		return -1;	/* stopped, or never let go: nothing was checked */
	if (g->v.failed) {
		if (report_it)
			report(g);
		return -1;
	}
	return fy ? compare(g, report_it, fy, fytext ? fytext : g->buf) : 0;
}

int
ygate_wait(struct ygate *g, const struct yshapes *fy)
{
	join(g, true);
	return outcome(g, false, fy, NULL);
}

int
ygate_finish(struct ygate *g, bool report_it, const struct yshapes *fy, const char *fytext)
{
	int rc;

	join(g, report_it);
	rc = outcome(g, report_it, fy, fytext);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	yshapes_free(&g->v.shapes);
	prescan_fix_free(&g->fix);
	free(g->cuts);
	return rc;
}

int
ygate_check(const char *name, const char *buf, size_t len, const struct yshapes *fy, const char *fytext)
{
	struct ygate g;

	ygate_start(&g, name, buf, len);
	ygate_go(&g);
	return ygate_finish(&g, true, fy, fytext);
}
