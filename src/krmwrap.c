/* krmwrap.c - a ResourceList written back: the document's directives,
 * apiVersion, kind, the kept items as their bytes, the generated objects,
 * functionConfig and results (see krm.c for what is copied and how). */
#include "krm.h"
#include "krmint.h"

#include <string.h>
#include <yaml.h>

#include "diag.h"
#include "emit.h"
#include "inject.h"
#include "resource.h"
#include "util.h"
#include "ytree.h"

/* src[start, end) without the blanks at its end, then a newline. */
static void
put_lines(struct buf *out, const char *src, size_t start, size_t end)
{
	while (end > start && strchr(" \t\r", src[end - 1]))
		end--;
	buf_add(out, src + start, end - start);
	if (end > start && src[end - 1] != '\n')
		buf_addc(out, '\n');
}

/* A flow node or a scalar moved to another place: every later line that
 * holds text gets at least min columns of indentation (flow content may be
 * indented more, never less, than its block parent). Inside flow nodes and
 * flow scalars leading white space carries no meaning, so no data changes,
 * and a line already indented enough is left alone (a second run adds
 * nothing). */
static void
put_flow(struct buf *out, const char *src, size_t start, size_t end, size_t min)
{
	while (end > start && strchr(" \t\r\n", src[end - 1]))
		end--;
	for (size_t i = start; i < end;) {
		size_t next = krm_next_line(src, i, end), sp = 0;

		if (i > start) {
			while (i + sp < next && src[i + sp] == ' ')
				sp++;
			for (size_t j = sp; j < min && i + sp < next && !strchr("\r\n", src[i + sp]); j++)
				buf_addc(out, ' ');
		}
		buf_add(out, src + i, next - i);
		i = next;
	}
	buf_addc(out, '\n');
}

/* "key: value" written by libyaml's emitter, for a value that cannot be
 * copied as it is (an alias, a block scalar) or that is not there. */
static int
put_emitted(struct buf *out, const char *key, struct ynode *value)
{
	struct arena *a = arena_new();
	struct ynode *map = ynode_map(a);
	long budget = 100000;
	struct ynode *copy = ynode_copy(a, value, &budget);
	int rc = -1;

	if (copy) {
		ymap_set(a, map, key, copy);
		rc = emit_yaml(out, map);
	}
	arena_free(a);
	return rc;
}

/* Can the value's bytes follow "key: " on a line of their own key? Flow
 * nodes and flow scalars can; block scalars carry an indentation that is
 * relative to their parent's and are re-emitted instead. */
static bool
copyable(const struct ynode *v)
{
	return v->kind != Y_ALIAS && v->style != YS_LITERAL && v->style != YS_FOLDED;
}

/* A value of the wrapper: "key:" and its bytes. A block collection keeps its
 * lines (it was indented more than the source's root, so more than ours),
 * with the comments between its key and it. */
static int
put_value(struct buf *out, const struct krm *k, const char *key, struct ynode *v)
{
	const char *src = k->src;
	struct ynode *kn = krm_raw_key(k->root, key);

	if (!copyable(v))
		return put_emitted(out, key, v);
	buf_adds(out, key);
	buf_addc(out, ':');
	if ((v->kind == Y_MAP || v->kind == Y_SEQ) && v->style != YS_FLOW) {
		size_t ls = krm_line_start(k, v->pos);

		if (ls + strspn(src + ls, " ") < v->pos) {	/* after its key, so it has properties */
			buf_addc(out, ' ');
			put_lines(out, src, v->pos, v->end);
		} else {
			buf_addc(out, '\n');
			put_lines(out, src, kn && kn->end <= ls ? krm_comments_above(k, kn->end, ls) : ls, v->end);
		}
		return 0;
	}
	if (v->end > v->pos)
		buf_addc(out, ' ');
	put_flow(out, src, v->pos, v->end, 1);
	return 0;
}

/* apiVersion or kind: as written when it is a scalar on one line. */
static int
put_scalar(struct buf *out, const struct krm *k, const char *key, struct ynode *v, const char *value)
{
	struct arena *a;
	int rc;

	if (v && v->kind == Y_SCALAR && copyable(v) && v->end > v->pos && !memchr(k->src + v->pos, '\n', v->end - v->pos))
		return put_value(out, k, key, v);
	a = arena_new();
	rc = put_emitted(out, key, ynode_str(a, value));
	arena_free(a);
	return rc;
}

/* A mapping of one pair in a flow sequence ("[a: b]") as a block item in
 * braces: "- {a: b}". */
static void
put_braced(struct buf *out, const char *src, size_t start, size_t end)
{
	size_t ls;

	buf_adds(out, "- {");
	put_flow(out, src, start, end, 2);
	ls = out->len - 1;
	while (ls > 0 && out->p[ls - 1] != '\n')
		ls--;
	/* after a comment on the last line, "}" goes on a line of its own;
	 * after an empty value ("k:"), it needs a space before it */
	out->len--;
	if (memchr(out->p + ls, '#', out->len - ls))
		buf_adds(out, "\n  }\n");
	else
		buf_adds(out, out->p[out->len - 1] == ':' ? " }\n" : "}\n");
}

bool
krm_braced_parses(const char *src, size_t start, size_t end)
{
	struct buf b = BUF_INIT;
	yaml_parser_t p;
	yaml_event_t ev;
	bool ok = true, done = false;

	put_braced(&b, src, start, end);
	if (!yaml_parser_initialize(&p))
		oom();
	yaml_parser_set_input_string(&p, (const unsigned char *)b.p, b.len);
	while (ok && !done) {
		ok = yaml_parser_parse(&p, &ev) != 0;
		if (ok) {
			done = ev.type == YAML_STREAM_END_EVENT;
			yaml_event_delete(&ev);
		}
	}
	yaml_parser_delete(&p);
	buf_free(&b);
	return ok;
}

static void
put_item(struct buf *out, const struct krm *k, const struct ynode *it, const struct obj *o)
{

	if (o->end <= o->start)
		return;		/* an item that cannot be copied (failing run) */
	if (!k->flow_items && o->nedits) {	/* workloadSpread's edits (block items only) */
		struct buf b = BUF_INIT;

		obj_put(&b, o, k->src, o->start, o->end);
		put_lines(out, b.p, 0, b.len);
		buf_free(&b);
		return;
	}
	if (!k->flow_items) {
		put_lines(out, k->src, o->start, o->end);
		return;
	}
	if (krm_flow_pair(k, it)) {
		put_braced(out, k->src, o->start, o->end);
		return;
	}
	buf_adds(out, "- ");
	put_flow(out, k->src, o->start, o->end, 2);
}

/* The anchor and tag of n written on its first line, after a space. */
static void
put_properties(struct buf *out, const struct krm *k, const struct ynode *n)
{
	size_t p = n ? n->pos : k->len;

	while (p < k->len && (k->src[p] == '&' || k->src[p] == '!')) {
		size_t e = p;

		if (k->src[p] == '!' && p + 1 < k->len && k->src[p + 1] == '<') {
			while (e < k->len && k->src[e] != '>')	/* a verbatim tag: a URI, ',' and '[' included */
				e++;
			e += e < k->len;
		} else {
			while (e < k->len && !strchr(" \t\r\n,[]{}", k->src[e]))
				e++;
		}
		buf_addc(out, ' ');
		buf_add(out, k->src + p, e - p);
		for (p = e; p < k->len && (k->src[p] == ' ' || k->src[p] == '\t');)
			p++;
	}
}

static int
put_items(struct buf *out, const struct krm *k, const struct objs *objs, const bool *keep,
	  const struct gen *gen, size_t ngen)
{
	struct ynode *it = k->items ? k->items->head : NULL;
	size_t nitems = ngen;

	for (size_t i = 0; i < objs->n; i++)
		nitems += keep[i] && objs->v[i].end > objs->v[i].start;
	buf_adds(out, "items:");
	put_properties(out, k, k->items);
	buf_adds(out, nitems ? "\n" : " []\n");
	for (size_t i = 0; i < objs->n && it; i++, it = it->next)
		if (keep[i])
			put_item(out, k, it, &objs->v[i]);
	for (size_t i = 0; i < ngen; i++) {
		struct buf text = BUF_INIT;

		if (emit_yaml(&text, gen[i].root) != 0) {
			buf_free(&text);
			return -1;
		}
		emit_indent_item(out, text.p, text.len, k->dash);
		buf_free(&text);
	}
	return 0;
}

/* A result's message: kpt prints resourceRef, field.path and the message,
 * not file, so the message names the item's file in the package. */
static const char *
result_message(const struct diag_msg *m, struct buf *b)
{
	if (!m->path)
		return m->text;
	buf_adds(b, m->path);
	if (m->path_doc)
		buf_addf(b, ", document %d", m->path_doc);
	buf_addf(b, ": %s", m->text);
	return buf_cstr(b);
}

/* file: the item's file in the package and its index there (the KRM
 * functions specification's Result.file); a config file by its path.
 * "<stdin>", the ResourceList, names no file of the user's. */
static void
add_file(struct arena *a, struct ynode *r, const struct diag_msg *m)
{
	struct ynode *file;

	if (m->path) {
		file = ymap_map(a, r, "file");
		ymap_str(a, file, "path", m->path);
		if (m->path_doc)
			ymap_int(a, file, "index", m->path_doc - 1);
	} else if (m->file && m->line && strcmp(m->file, "<stdin>") != 0) {
		ymap_str(a, ymap_map(a, r, "file"), "path", m->file);
	}
}

static void
add_result(struct arena *a, struct ynode *results, const struct diag_msg *m)
{
	struct ynode *r = yseq_add(results, ynode_map(a));
	struct buf text = BUF_INIT;

	ymap_str(a, r, "message", result_message(m, &text));
	buf_free(&text);
	ymap_str(a, r, "severity", m->sev == SEV_ERROR ? "error" : m->sev == SEV_WARNING ? "warning" : "info");
	if (m->kind) {
		struct ynode *ref = ymap_map(a, r, "resourceRef");

		ymap_str(a, ref, "apiVersion", m->api ? m->api : "");
		ymap_str(a, ref, "kind", m->kind);
		ymap_str(a, ref, "name", m->name ? m->name : "");
		if (m->ns && *m->ns)
			ymap_str(a, ref, "namespace", m->ns);
	}
	if (m->field)
		ymap_str(a, ymap_map(a, r, "field"), "path", m->field);
	add_file(a, r, m);
}

static void
add_results(struct buf *out)
{
	struct arena *a = arena_new();
	struct ynode *results = ynode_seq(a);
	struct buf text = BUF_INIT;

	for (size_t i = 0; i < diag_count(); i++)
		add_result(a, results, diag_get(i));
	if (results->len && emit_yaml(&text, results) == 0) {
		buf_adds(out, "results:\n");
		buf_add(out, text.p, text.len);
	}
	buf_free(&text);
	arena_free(a);
}

int
krm_wrap(const struct krm *k, const struct objs *objs, const bool *keep,
	 const struct gen *gen, size_t ngen, struct buf *out)
{
	if (k->dir_end > k->dir_start) {
		put_lines(out, k->src, k->dir_start, k->dir_end);
		buf_adds(out, "---\n");
	}
	if (put_scalar(out, k, "apiVersion", k->api_node, k->api) != 0 ||
	    put_scalar(out, k, "kind", k->kind_node, k->kind) != 0 ||
	    put_items(out, k, objs, keep, gen, ngen) != 0)
		return -1;
	if (k->fc_node && !k->is_list && put_value(out, k, "functionConfig", k->fc_node) != 0)
		return -1;
	if (!k->is_list)
		add_results(out);
	return 0;
}
