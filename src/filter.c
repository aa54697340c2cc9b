/* filter.c - the pipeline (STYLE.md §6): configure, read every document,
 * inject, then write everything or nothing. */
#include "filter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diag.h"
#include "emit.h"
#include "images.h"
#include "inject.h"
#include "krm.h"
#include "limits.h"
#include "resource.h"
#include "util.h"
#include "wspread.h"
#include "ydoc.h"
#include "ygate.h"
#include "yload.h"
#include "ytree.h"

#define INPUT_NAME diag_input_name()

struct run {
	const struct filter_opts *fo;
	const char *in;
	size_t len;
	struct config *cfg;
	struct arena *keep;	/* object identities, the KRM tree, generated objects */
	struct arena *scratch;	/* one document at a time */
	struct objs objs;
	bool krm;
	struct krm k;
	bool managed;		/* images are read (stream: the command line's state) */
	struct images images;	/* of the input's workloads, for the preload */
	struct inject inj;
	struct wspread ws;	/* edits of the input's workloads */
	struct ygate gate;	/* libyaml's check of the input (scan()) */
	struct yloader *behind;	/* the loader whose shapes the gate's verdict,
				 * still to come, is compared with (verdict()) */
	struct buf gen;		/* a stream's generated objects as text (emit_generated()) */
};

/* defaults < config file < functionConfig < --set, not yet finished */
static struct config *
configure_sources(const struct filter_opts *fo, struct ynode *function_config, const char *in, size_t len)
{
	struct config *c = config_new();
	int rc = 0;

	if (fo->config_file)
		rc = config_load_file(c, fo->config_file, fo->config_dir);
	if (rc == 0 && function_config)
		rc = config_apply_object(c, function_config, INPUT_NAME, in, len);
	for (size_t i = 0; rc == 0 && i < fo->nsets; i++)
		rc = config_set(c, fo->sets[i]);
	if (rc != 0) {
		config_free(c);
		return NULL;
	}
	return c;
}

static struct config *
configure(const struct run *r, struct ynode *function_config)
{
	struct config *c = configure_sources(r->fo, function_config, r->in, r->len);

	if (c && config_finish(c) != 0) {
		config_free(c);
		return NULL;
	}
	return c;
}

int
filter_print_config(const struct filter_opts *fo, struct buf *out)
{
	struct config *c = configure_sources(fo, NULL, "", 0);
	int rc = c ? config_print(c, out) : -1;

	/* printed before config_finish() derives what the user left to it */
	if (rc == 0)
		rc = config_finish(c);
	config_free(c);
	config_forget_file();
	return rc;
}

/* What the injectors need to know of the input besides identities: the
 * images of its workloads (a bad registry host is an error), read under
 * managementState Managed only (Unmanaged passes the input through as it is;
 * Removed mirrors and preloads nothing). */
static int
observe(struct run *r, const struct obj *o, struct ynode *root)
{
	struct where w = { .file = INPUT_NAME, .src = r->in, .srclen = r->len };

	if (!r->managed || (o->flags & (OBJ_OURS | OBJ_LOCAL_CONFIG | OBJ_EMPTY)))
		return 0;
	obj_where(o, &w);
	return images_collect(&r->images, root, &w);
}

/* filter_run() resolved NULL to the defaults */
static const struct limits *
limits_of(const struct run *r)
{
	return r->fo->limits;
}

/* An object's metadata.annotations take at most --max-annotation-bytes, keys
 * and values counted as the API server counts them. */
static int
check_annotations(const struct run *r, const struct obj *o, struct ynode *root)
{
	struct ynode *ann = ypath(root, "metadata.annotations");
	size_t total = 0, max = limits_of(r)->annotation_bytes;

	for (struct ynode *k = yis_map(ann) ? yresolve(ann)->head : NULL; k && k->next; k = k->next->next) {
		struct ynode *rk = yresolve(k), *rv = yresolve(k->next);
		struct where w = { .file = INPUT_NAME, .src = r->in, .srclen = r->len,
				   .field = "metadata.annotations", .line = k->line, .col = k->col };

		total += (yis_scalar(rk) ? rk->len : 0) + (yis_scalar(rv) ? rv->len : 0);
		if (total <= max)
			continue;
		obj_where(o, &w);
		diag_error(&w, "keys and values add up to more than %zu bytes at \"%.40s\" (the API server refuses "
			   "more than 262144); raise --max-annotation-bytes if this is intended", max,
			   yis_scalar(rk) ? rk->str : "");
		return -1;
	}
	return 0;
}

static int
take_doc(struct run *r, const struct ydoc *d)
{
	struct obj *o = objs_add(&r->objs);

	o->index = d->index;
	o->start = ydoc_start(r->in, d->start, d->explicit_start);
	o->explicit_start = d->explicit_start;
	if (!d->root) {
		o->flags = OBJ_EMPTY;
		return 0;
	}
	if (!yis_map(d->root)) {
		struct where w = { .file = INPUT_NAME, .src = r->in, .srclen = r->len, .doc = d->index,
				   .line = d->root->line, .col = d->root->col };

		diag_error(&w, "document is not a Kubernetes object (a mapping with apiVersion and kind)");
		return -1;
	}
	if (obj_read(o, d->root, r->keep, &(struct where){ .file = INPUT_NAME, .src = r->in, .srclen = r->len }) != 0 ||
	    check_annotations(r, o, d->root) != 0)
		return -1;
	if (r->ws.cfg && wspread_obj(&r->ws, o, d->root) != 0)
		return -1;
	return observe(r, o, d->root);
}

/* A ResourceList's items: annotations bounded. */
static int
check_items(struct run *r)
{
	struct ynode *it = r->k.items ? r->k.items->head : NULL;
	int failed = 0;

	for (size_t i = 0; i < r->objs.n && it; i++, it = it->next)
		if (it->kind == Y_MAP)
			failed |= check_annotations(r, &r->objs.v[i], it) != 0;
	return failed ? -1 : 0;
}

/* Each document's bytes run from its start to the next document's start. */
static void
set_ends(struct run *r)
{
	size_t end = r->len;

	for (size_t i = r->objs.n; i-- > 0;) {
		struct obj *o = &r->objs.v[i];

		o->end = end;
		if (o->start == SIZE_MAX || o->start > end)
			o->start = end;
		end = o->start;
	}
}

/* What of each input object is built into a tree: its identity, and the spec
 * of workloads. The rest (data, CRD schemas...) is copied as bytes and never
 * looked at, unless the document may be a ResourceList, which is read whole
 * (so is everything before its "kind": until then it may be one). */
static bool
want_key(void *ctx, const char *kind, const char *key)
{
	(void)ctx;
	if (!kind || !strcmp(kind, "ResourceList") || !strcmp(kind, "List"))
		return true;
	if (!strcmp(key, "spec") && image_workload_kind(kind))
		return true;	/* its pod template names images */
	return !strcmp(key, "apiVersion") || !strcmp(key, "kind") || !strcmp(key, "metadata");
}

/* Directives after the last document with no document after them (libfyaml
 * takes them): copied, they would become the directives of the next
 * document written, one of ours. */
static int
trailing_directives(const struct run *r)
{
	size_t at = ydoc_directives_start(r->in, r->len);
	struct where w = { .file = INPUT_NAME, .src = r->in, .srclen = r->len, .line = 1, .col = 1 };

	if (at >= r->len)
		return 0;
	for (const char *p = r->in, *e = r->in + at; p < e; p = line_next(p, e))
		w.line += p > r->in;	/* a line begins after each LF, CRLF or lone CR */
	w.line += at > 0;
	diag_error(&w, "a directive (a line beginning with %%) with no document after it; a directive "
		   "belongs before a document's \"---\": remove it, or add the document");
	return -1;
}

/* Behind the pre-scan ahead, the messages so far were held (yload.h):
 * they stand when it passed the whole text; when it failed, only its own
 * failure is reported. */
static int
scan_verdict(struct yloader *yl)
{
	int rc = yload_scan_wait(yl);

	diag_release(rc == 0);
	return rc == 0 ? 0 : yload_scan_report(yl);
}

/* Read the stream. The first document is kept whole while it may be a
 * ResourceList; any second document makes the input a plain stream. */
static int
scan(struct run *r)
{
	struct yloader *yl;
	struct ydoc d, first = { 0 };
	struct ygate *gate = &r->gate;
	int rc, nonempty = 0, failed = 0;

	/* first: on a large input the pre-scan runs on the gate's thread, ahead
	 * of libfyaml, then libyaml beside libfyaml (ygate.h) */
	ygate_start_ahead(gate, INPUT_NAME, r->in, r->len, limits_of(r));
	yl = yload_new_behind(INPUT_NAME, r->in, r->len, r->keep, limits_of(r), gate);
	if (!yl) {
		ygate_finish(gate, false, NULL, NULL);
		return -1;
	}
	ygate_go(gate);
	if (yload_behind(yl))
		diag_hold();
	yload_set_want(yl, want_key, r);
	while ((rc = yload_next(yl, &d)) == 1) {
		yload_set_arena(yl, r->scratch);	/* the first document stays in keep */
		if (d.root && ++nonempty == 1 && krm_detect(d.root)) {
			first = d;
			continue;
		}
		if (d.root && nonempty == 2 && first.root) {
			failed |= take_doc(r, &first) != 0;
			first.root = NULL;
		}
		if (first.root && !d.root)
			continue;	/* trailing empty documents after a ResourceList */
		failed |= take_doc(r, &d) != 0;
		arena_reset(r->scratch);
	}
	if (rc == 0 && trailing_directives(r) != 0)
		rc = -1;
	if (yload_behind(yl) && scan_verdict(yl) != 0)
		rc = -1;
	if (rc < 0) {
		ygate_finish(gate, false, NULL, NULL);
		yload_free(yl);
		return -1;
	}
	if (!first.root && !failed) {	/* a stream read: the gate's verdict can wait (verdict()) */
		r->behind = yl;
		set_ends(r);
		return 0;
	}
	rc = ygate_finish(gate, true, yload_shapes(yl), yload_text(yl));
	yload_free(yl);
	if (rc != 0)
		return -1;
	if (first.root) {
		r->krm = true;
		objs_free(&r->objs);
		if (krm_unwrap(&r->k, &first, r->in, r->len, limits_of(r)->documents, &r->objs, r->keep) != 0)
			return -1;
		return check_items(r);
	}
	set_ends(r);
	return failed ? -1 : 0;
}

static int
out_write(const struct sink *out, const char *p, size_t n)
{
	if (n && out->write(out->ctx, p, n) != 0) {
		diag_error(NULL, "writing output failed");
		diag_set_exit(EXIT_USAGE);
		return -1;
	}
	return 0;
}

static bool
kept(const struct run *r, const struct obj *o)
{
	if (o->flags & OBJ_EMPTY)
		return false;
	return !(o->flags & OBJ_OURS) || r->cfg->state == MS_UNMANAGED;
}

/* Directives (%TAG, %YAML) must follow a "..." when a document precedes
 * them; the document that ended with it may have been left out. */
static bool
needs_doc_end(const struct run *r, const struct obj *o, const struct obj *prev)
{
	size_t e = prev ? prev->end : 0;

	if (!prev || o->start >= o->end || r->in[o->start] != '%')
		return false;
	while (e > prev->start && strchr(" \t\r\n", r->in[e - 1]))
		e--;
	return !(e >= prev->start + 3 && !memcmp(r->in + e - 3, "...", 3) &&
		 (e == prev->start + 3 || r->in[e - 4] == '\n' || r->in[e - 4] == '\r'));
}

/* The stream's output in as few writes as it takes: input bytes that follow
 * on from the last ones are written with them, not copied through stdio's
 * buffer a document at a time (documents that begin with "---" and end with
 * a line break, the usual stream, go out as one write; a "---" or a line
 * break of ours, or an edited document, is written between two runs).
 * Borrows out and the input's bytes, which outlive the last outq_flush(). */
struct outq {
	const struct sink *out;
	const char *p;		/* input bytes not yet written */
	size_t n;
};

static int
outq_flush(struct outq *q)
{
	int rc = out_write(q->out, q->p, q->n);

	q->n = 0;
	return rc;
}

static int
outq_input(struct outq *q, const char *p, size_t n)
{
	if (q->n && q->p + q->n == p) {
		q->n += n;
		return 0;
	}
	if (outq_flush(q) != 0)
		return -1;
	q->p = p;
	q->n = n;
	return 0;
}

/* text of our own (a marker, an edited document, the generated objects) */
static int
outq_text(struct outq *q, const char *s, size_t n)
{
	return outq_flush(q) != 0 ? -1 : out_write(q->out, s, n);
}

/* A document with workloadSpread's edits made. */
static int
write_edited(const struct run *r, const struct obj *o, size_t start, size_t end, struct outq *q)
{
	struct buf b = BUF_INIT;
	int rc;

	obj_put(&b, o, r->in, start, end);
	if (b.len && b.p[b.len - 1] != '\n')
		buf_addc(&b, '\n');
	rc = outq_text(q, b.p, b.len);
	buf_free(&b);
	return rc;
}

static int
write_doc(const struct run *r, const struct obj *o, const struct obj *prev, struct outq *q)
{
	size_t start = o->start, end = o->end;

	if (start == 0 && end >= 3 && !memcmp(r->in, "\xEF\xBB\xBF", 3))
		start = 3;
	if (needs_doc_end(r, o, prev) && outq_text(q, "...\n", 4) != 0)
		return -1;
	/* (libfyaml reads directives before a first document with no "---") */
	if (!o->explicit_start && (start >= end || r->in[start] != '%') && outq_text(q, "---\n", 4) != 0)
		return -1;
	if (o->nedits)
		return write_edited(r, o, start, end, q);
	if (outq_input(q, r->in + start, end - start) != 0)
		return -1;
	if (end > start && r->in[end - 1] != '\n')
		return outq_text(q, "\n", 1);
	return 0;
}

/* A stream's generated objects as text, in r->gen: made before libyaml's
 * verdict (process()), so that the emitter runs while the gate's thread may
 * still be reading, and before anything is written (a failure writes
 * nothing). */
static int
emit_generated(struct run *r)
{
	int rc = 0;

	for (size_t i = 0; i < r->inj.ngen && rc == 0; i++) {
		buf_adds(&r->gen, "---\n");
		rc = emit_yaml(&r->gen, r->inj.gen[i].root);
	}
	return rc;
}

/* The input's documents kept, then ours (emit_generated()). */
static int
write_stream(struct run *r, const struct sink *out)
{
	struct outq q = { .out = out };
	const struct obj *prev = NULL;
	int rc = 0;

	for (size_t i = 0; i < r->objs.n && rc == 0; i++)
		if (kept(r, &r->objs.v[i])) {
			rc = write_doc(r, &r->objs.v[i], prev, &q);
			prev = &r->objs.v[i];
		}
	return rc == 0 ? outq_text(&q, r->gen.p, r->gen.len) : rc;
}

static int
write_krm(struct run *r, const struct sink *out, bool failed)
{
	bool *keep = xcalloc(r->objs.n + 1, sizeof(bool));
	struct buf text = BUF_INIT;
	int rc;

	for (size_t i = 0; i < r->objs.n; i++)
		keep[i] = failed ? true : kept(r, &r->objs.v[i]);
	rc = krm_wrap(&r->k, &r->objs, keep, r->inj.gen, failed ? 0 : r->inj.ngen, &text);
	if (rc == 0)
		rc = out_write(out, text.p, text.len);
	buf_free(&text);
	free(keep);
	return rc;
}

/* KRM results say what was added ("[info]" lines in kpt). */
static void
note_added(const struct run *r)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < r->inj.ngen; i++) {
		const struct gen *g = &r->inj.gen[i];

		buf_addf(&b, "%s%s/%s%s%s", i ? ", " : "", g->kind, g->ns, *g->ns ? "/" : "", g->name);
	}
	diag_report(SEV_INFO, NULL, "generated %zu object%s%s%s", r->inj.ngen, r->inj.ngen == 1 ? "" : "s",
		    b.len ? ": " : "", b.len ? buf_cstr(&b) : "");
	buf_free(&b);
}

/* KRM items are observed once the functionConfig has been read. */
static int
observe_items(struct run *r)
{
	struct ynode *it = r->k.items ? r->k.items->head : NULL;
	int failed = 0;

	r->managed = r->cfg->state == MS_MANAGED;
	if (wspread_init(&r->ws, r->cfg, INPUT_NAME, r->in, r->len, r->keep) != 0)
		return -1;
	for (size_t i = 0; i < r->objs.n && it; i++, it = it->next) {
		if (it->kind == Y_MAP)
			failed |= wspread_obj(&r->ws, &r->objs.v[i], it) != 0;
		failed |= observe(r, &r->objs.v[i], it) != 0;
	}
	return failed ? -1 : 0;
}

/* A stream read without a fault: libyaml's verdict comes now, after the
 * objects were made (the gate's thread may still be reading: the two
 * overlap). What was said since scan() was held: it stands only when the
 * verdict passes; when it fails, its failure alone is reported, as when
 * the verdict came first. Nothing has been written yet. */
static int
verdict(struct run *r)
{
	int rc;

	if (!r->behind)
		return 0;
	diag_release(ygate_wait(&r->gate, yload_shapes(r->behind)) == 0);
	rc = ygate_finish(&r->gate, true, yload_shapes(r->behind), yload_text(r->behind));
	yload_free(r->behind);
	r->behind = NULL;
	return rc;
}

/* early: the configuration without a functionConfig, ours to free; in stream
 * mode it is the whole configuration, so it is not made twice. */
static int
process(struct run *r, struct config *early)
{
	/* stream mode: early is the whole configuration (KRM: observe_items()) */
	if (early->state != MS_UNMANAGED && wspread_init(&r->ws, early, INPUT_NAME, r->in, r->len, r->keep) != 0) {
		config_free(early);
		return -1;
	}
	if (scan(r) != 0) {
		config_free(early);
		return -1;
	}
	if (r->behind)
		diag_hold();	/* until verdict() */
	if (r->krm && r->k.function_config) {
		r->ws.cfg = NULL;	/* configured again in observe_items() */
		config_free(early);
		early = configure(r, r->k.function_config);
	}
	r->cfg = early;
	if (!r->cfg)
		return -1;
	if (r->cfg->state == MS_UNMANAGED)
		return 0;
	if (r->krm && observe_items(r) != 0)
		return -1;
	r->inj.cfg = r->cfg;
	r->inj.a = r->keep;
	r->inj.input = &r->objs;
	images_sort(&r->images);
	r->inj.images = &r->images;
	if (r->krm && !r->k.is_list)
		r->inj.path_dir = KRM_PATH_DIR;
	if (inject_run(&r->inj) != 0)
		return -1;
	inject_tell_upstreams(&r->inj);
	wspread_tell(&r->ws);
	if (r->krm)
		note_added(r);
	return r->krm ? 0 : emit_generated(r);
}

static int
finish(struct run *r, const struct sink *out, int ok)
{
	if (r->krm && (ok || r->k.root) && !r->k.is_list) {
		if (r->cfg && r->cfg->state == MS_UNMANAGED && ok)
			return out_write(out, r->in, r->len);
		return write_krm(r, out, !ok);
	}
	if (!ok)
		return 0;	/* all or nothing: Helm would deploy a partial release */
	if (r->cfg->state == MS_UNMANAGED)
		return out_write(out, r->in, r->len);
	if (r->krm)
		return write_krm(r, out, false);
	return write_stream(r, out);
}

static int
filter_once(const struct filter_opts *fo, const char *in, size_t len, const struct sink *out)
{
	struct run r = { .fo = fo, .in = in, .len = len };
	struct config *early;
	int ok;

	/* Unmanaged from the command line or file: do not even parse */
	early = configure(&r, NULL);
	if (!early)
		return diag_exit_code();
	if (early->state == MS_UNMANAGED) {
		out_write(out, in, len);
		config_free(early);
		return diag_exit_code();
	}
	r.managed = early->state == MS_MANAGED;	/* a KRM functionConfig may change it: observe_items() */
	r.keep = arena_new();
	r.scratch = arena_new();
	ok = process(&r, early) == 0;
	ok = verdict(&r) == 0 && ok;
	if (!ok && diag_exit_code() == EXIT_OK)	/* never exit 0 with nothing written */
		diag_error(NULL, "internal error: the run failed without a message; please report it");
	finish(&r, out, ok);
	krm_locate_end();
	buf_free(&r.gen);
	inject_free(&r.inj);
	wspread_free(&r.ws);
	objs_free(&r.objs);
	images_free(&r.images);
	config_free(r.cfg);
	arena_free(r.scratch);
	arena_free(r.keep);
	return diag_exit_code();
}

/* The config file is read once per run (config.h): forgotten as the run ends */
int
filter_run(const struct filter_opts *fo, const char *in, size_t len, const struct sink *out)
{
	struct filter_opts o = *fo;
	int rc;

	if (!o.limits)
		o.limits = &limits_default;
	rc = filter_once(&o, in, len, out);

	config_forget_file();
	return rc;
}
