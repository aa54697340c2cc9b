/* ygate.c - the input must parse with libyaml too (ygate.h). */
#include "ygate.h"

#include <stdbool.h>
#include <stdio.h>
#include <yaml.h>

#include "diag.h"
#include "util.h"

static void
report(const char *name, const char *buf, size_t len, const yaml_parser_t *p, int doc)
{
	struct where w = { .file = name, .src = buf, .srclen = len, .doc = doc,
			   .line = (int)p->problem_mark.line + 1, .col = (int)p->problem_mark.column + 1 };
	char context[160] = "";

	if (p->error == YAML_MEMORY_ERROR) {
		diag_error(&w, "out of memory while checking the YAML");
		return;
	}
	if (p->error == YAML_READER_ERROR) {	/* placed by byte offset only; the
						 * reader runs ahead of the documents */
		w.doc = 0;
		text_line_col(buf, p->problem_offset <= len ? p->problem_offset : len, &w.line, &w.col);
		if (p->problem_value >= 0)
			snprintf(context, sizeof(context), " (U+%04X)", (unsigned)p->problem_value);
	} else if (p->context) {
		snprintf(context, sizeof(context), " (%s at %zu:%zu)", p->context,
			 p->context_mark.line + 1, p->context_mark.column + 1);
	}
	diag_error(&w, "go-yaml, which Helm, kubectl and kustomize read YAML with, cannot read this: %s%s",
		   p->problem ? p->problem : "invalid YAML", context);
}

int
ygate_check(const char *name, const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	bool done = false, between = true;
	int doc = 0, rc = 0;

	if (!yaml_parser_initialize(&p)) {
		diag_error(NULL, "cannot set up the YAML checker");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			report(name, buf, len, &p, doc + between);
			rc = -1;
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
	return rc;
}
