/* emit.c - ytree to YAML text with libyaml's emitter. */
#include "emit.h"

#include <string.h>
#include <yaml.h>

#include "diag.h"
#include "util.h"
#include "ytree.h"

static int
write_handler(void *data, unsigned char *p, size_t n)
{
	buf_add(data, p, n);
	return 1;
}

/* The style a generated or copied scalar is written in. */
static yaml_scalar_style_t
scalar_style(const struct ynode *n)
{
	switch (n->style) {
	case YS_PLAIN:
		return YAML_PLAIN_SCALAR_STYLE;
	case YS_SINGLE:
	case YS_DOUBLE:
	case YS_LITERAL:
	case YS_FOLDED:
	case YS_ANY:
	default:
		/* a string: plain only where it reads back as the same string */
		if (n->tag)
			return YAML_ANY_SCALAR_STYLE;
		if (yresolve_plain(n->str, n->len) != YR_STR)
			return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		if (memchr(n->str, '\n', n->len))
			return YAML_LITERAL_SCALAR_STYLE;
		return YAML_ANY_SCALAR_STYLE;
	}
}

static int
emit_node(yaml_emitter_t *em, struct ynode *n)
{
	yaml_event_t ev;
	yaml_char_t *tag;
	int implicit, ok;

	n = yresolve(n);
	if (!n)
		return -1;
	tag = (yaml_char_t *)n->tag;
	implicit = tag == NULL;
	if (n->kind == Y_SCALAR) {
		ok = yaml_scalar_event_initialize(&ev, NULL, tag, (yaml_char_t *)n->str, (int)n->len,
						  implicit, implicit, scalar_style(n));
		return ok && yaml_emitter_emit(em, &ev) ? 0 : -1;
	}
	if (n->kind == Y_MAP)
		ok = yaml_mapping_start_event_initialize(&ev, NULL, tag, implicit, YAML_BLOCK_MAPPING_STYLE);
	else
		ok = yaml_sequence_start_event_initialize(&ev, NULL, tag, implicit, YAML_BLOCK_SEQUENCE_STYLE);
	if (!ok || !yaml_emitter_emit(em, &ev))
		return -1;
	for (struct ynode *c = n->head; c; c = c->next)
		if (emit_node(em, c) != 0)
			return -1;
	ok = n->kind == Y_MAP ? yaml_mapping_end_event_initialize(&ev) : yaml_sequence_end_event_initialize(&ev);
	return ok && yaml_emitter_emit(em, &ev) ? 0 : -1;
}

static int
emit_events(yaml_emitter_t *em, struct ynode *n)
{
	yaml_event_t ev;

	if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) || !yaml_emitter_emit(em, &ev))
		return -1;
	if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) || !yaml_emitter_emit(em, &ev))
		return -1;
	if (emit_node(em, n) != 0)
		return -1;
	if (!yaml_document_end_event_initialize(&ev, 1) || !yaml_emitter_emit(em, &ev))
		return -1;
	if (!yaml_stream_end_event_initialize(&ev) || !yaml_emitter_emit(em, &ev))
		return -1;
	return 0;
}

int
emit_yaml(struct buf *out, struct ynode *n)
{
	yaml_emitter_t em;
	int rc;

	if (!yaml_emitter_initialize(&em)) {
		diag_error(NULL, "cannot set up the YAML emitter");
		return -1;
	}
	yaml_emitter_set_output(&em, write_handler, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_indent(&em, 2);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_break(&em, YAML_LN_BREAK);
	rc = emit_events(&em, n);
	if (rc != 0)
		diag_error(NULL, "emitting YAML failed: %s", em.problem ? em.problem : "invalid tree");
	yaml_emitter_delete(&em);
	return rc;
}

void
emit_indent_item(struct buf *out, const char *text, size_t len, size_t indent)
{
	const char *p = text, *end = text + len;
	int first = 1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		for (size_t i = 0; i < indent; i++)
			buf_addc(out, ' ');
		buf_add(out, first ? "- " : "  ", 2);
		buf_add(out, p, n);
		p += n;
		first = 0;
	}
	if (len && end[-1] != '\n')
		buf_addc(out, '\n');
}
