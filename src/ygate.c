/* ygate.c - the input must parse with libyaml too (ygate.h). */
#include "ygate.h"

#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "diag.h"
#include "util.h"

/* Keep what libyaml said, for ygate_finish() (no diag here: it may run on
 * a thread of its own). */
static void
keep_error(struct ygate *g, const yaml_parser_t *p, int doc)
{
	g->failed = true;
	g->memory = p->error == YAML_MEMORY_ERROR;
	g->reader = p->error == YAML_READER_ERROR;
	g->problem = p->problem ? p->problem : "invalid YAML";
	g->context = p->context;
	g->line = p->problem_mark.line;
	g->col = p->problem_mark.column;
	g->context_line = p->context_mark.line;
	g->context_col = p->context_mark.column;
	g->offset = p->problem_offset;
	g->value = p->problem_value;
	g->doc = doc;
}

static void *
run(void *arg)
{
	struct ygate *g = arg;
	yaml_parser_t p;
	yaml_event_t ev;
	bool done = false, between = true;
	int doc = 0;

	if (!yaml_parser_initialize(&p)) {
		g->failed = g->memory = true;
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)g->buf, g->len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			keep_error(g, &p, doc + between);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			doc++;
			between = false;
		} else if (ev.type == YAML_DOCUMENT_END_EVENT) {
			between = true;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return NULL;
}

static void
report(const struct ygate *g)
{
	struct where w = { .file = g->name, .src = g->buf, .srclen = g->len, .doc = g->doc,
			   .line = (int)g->line + 1, .col = (int)g->col + 1 };
	char context[160] = "";

	if (g->memory) {
		diag_error(&w, "out of memory while checking the YAML");
		return;
	}
	if (g->reader) {	/* placed by byte offset only; the reader runs ahead of the documents */
		w.doc = 0;
		text_line_col(g->buf, g->offset <= g->len ? g->offset : g->len, &w.line, &w.col);
		if (g->value >= 0)
			snprintf(context, sizeof(context), " (U+%04X)", (unsigned)g->value);
	} else if (g->context) {
		snprintf(context, sizeof(context), " (%s at %zu:%zu)", g->context, g->context_line + 1,
			 g->context_col + 1);
	}
	diag_error(&w, "go-yaml, which Helm, kubectl and kustomize read YAML with, cannot read this: %s%s", g->problem,
		   context);
}

void
ygate_start(struct ygate *g, const char *name, const char *buf, size_t len)
{
	memset(g, 0, sizeof(*g));
	g->name = name;
	g->buf = buf;
	g->len = len;
	if (len >= YGATE_THREAD_MIN && pthread_create(&g->thread, NULL, run, g) == 0)
		g->threaded = true;
	else
		run(g);		/* small, or no thread to be had */
}

int
ygate_finish(struct ygate *g, bool report_it)
{
	if (g->threaded) {
		pthread_join(g->thread, NULL);
		g->threaded = false;
	}
	if (g->failed && report_it)
		report(g);
	return g->failed ? -1 : 0;
}

int
ygate_check(const char *name, const char *buf, size_t len)
{
	struct ygate g;

	ygate_start(&g, name, buf, len);
	return ygate_finish(&g, true);
}
