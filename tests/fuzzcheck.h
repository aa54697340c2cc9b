/* fuzzcheck.h - what every fuzz target checks besides crashes and sanitizer
 * reports (DESIGN.md §6, as far as it is cheap): a failed run writes
 * nothing, or in KRM mode a ResourceList whose results carry the error; a
 * successful run writes YAML that libyaml reads (whenever it reads the
 * input) and that gives itself back when run again (idempotent); no message
 * holds a control character or invalid UTF-8, and every error located in
 * the input has a line. A broken promise aborts, so libFuzzer keeps the
 * input as a crash. The libyaml gate (ygate.h) runs on its own thread, as
 * for inputs of 256 KiB and more, in the first run when the input's length
 * is odd, and in the second (the idempotence run on the output, made only
 * when the first succeeds) when it is even. Threaded, libfyaml reads behind
 * the pre-scan in pieces of one document (ygate_cut_step 0): the input is
 * run once more the other way, and the exit code, the output and every
 * message must be the same.
 *
 * Header-only: included once, by the one file of each fuzz target.
 * Ownership: fz_check() borrows its input; what it allocates is freed
 * before it returns.
 */
#ifndef FUZZCHECK_H
#define FUZZCHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "diag.h"
#include "filter.h"
#include "util.h"
#include "ygate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzzcheck: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static int
fz_collect(void *ctx, const char *p, size_t n)
{
	buf_add(ctx, p, n);
	return 0;
}

/* A control character (C0, DEL, C1), a bidirectional control, U+2028/9 or
 * U+FEFF: what diag.c must have escaped. s is valid UTF-8 (checked first). */
static bool
fz_unsafe(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];

		if (c < 0x20 || c == 0x7F)
			return true;
		if (c == 0xC2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F)
			return true;
		if (c == 0xD8 && i + 1 < n && s[i + 1] == 0x9C)	/* U+061C */
			return true;
		if (c == 0xE2 && i + 2 < n && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0x8E || s[i + 2] == 0x8F || (s[i + 2] >= 0xA8 && s[i + 2] <= 0xAE)))
			return true;
		if (c == 0xE2 && i + 2 < n && s[i + 1] == 0x81 && s[i + 2] >= 0xA6 && s[i + 2] <= 0xA9)
			return true;
		if (c == 0xEF && i + 2 < n && s[i + 1] == 0xBB && s[i + 2] == 0xBF)
			return true;
	}
	return false;
}

static void
fz_check_text(const char *what, const char *s)
{
	size_t n;

	if (!s)
		return;
	n = strlen(s);
	if (utf8_scan(s, n) != n)
		fz_fail("a message is not valid UTF-8", what);
	if (fz_unsafe((const unsigned char *)s, n))
		fz_fail("a message holds a raw control character", what);
}

/* Besides "<stdin>", a file whose errors must have line:col (a config file). */
static const char *fz_located;

/* An error located in the input: naming "<stdin>" or fz_located; not the
 * one a config file that holds no document at all gets. */
static bool
fz_must_locate(const struct diag_msg *m)
{
	if (m->sev != SEV_ERROR || !m->file)
		return false;
	if (!strcmp(m->file, "<stdin>"))
		return true;
	return fz_located && !strcmp(m->file, fz_located) &&
	       !(strstr(m->text, "the config file must hold one") == m->text);
}

static void
fz_check_messages(void)
{
	for (size_t i = 0; i < diag_count(); i++) {
		const struct diag_msg *m = diag_get(i);

		fz_check_text("text", m->text);
		fz_check_text("file", m->file);
		fz_check_text("apiVersion", m->api);
		fz_check_text("kind", m->kind);
		fz_check_text("namespace", m->ns);
		fz_check_text("name", m->name);
		fz_check_text("field", m->field);
		fz_check_text("path", m->path);
		if (fz_must_locate(m) && m->line <= 0)
			fz_fail("an input error without line:col", m->text);
	}
}

/* Does libyaml load every document of p[0..n)? (Loaded, not only parsed:
 * its loader also refuses an anchor defined twice, which the parser takes
 * and fz_failed_resource_list()'s loader would not.) */
static bool
fz_parses(const char *p, size_t n)
{
	yaml_parser_t parser;
	yaml_document_t d;
	bool ok = true, done = false;

	if (!yaml_parser_initialize(&parser))
		fz_fail("yaml_parser_initialize", NULL);
	yaml_parser_set_input_string(&parser, (const unsigned char *)p, n);
	while (ok && !done) {
		ok = yaml_parser_load(&parser, &d) != 0;
		if (ok) {
			done = !yaml_document_get_root_node(&d);
			yaml_document_delete(&d);
		}
	}
	yaml_parser_delete(&parser);
	return ok;
}

/* The value of key in a libyaml mapping node, or NULL. */
static yaml_node_t *
fz_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);

		if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

/* Is p[0..n) one ResourceList whose results hold an error? */
static bool
fz_failed_resource_list(const char *p, size_t n)
{
	yaml_parser_t parser;
	yaml_document_t d;
	yaml_node_t *root, *kind, *results;
	bool ok = false;

	if (!yaml_parser_initialize(&parser))
		fz_fail("yaml_parser_initialize", NULL);
	yaml_parser_set_input_string(&parser, (const unsigned char *)p, n);
	if (!yaml_parser_load(&parser, &d)) {
		yaml_parser_delete(&parser);
		return false;
	}
	root = yaml_document_get_root_node(&d);
	kind = fz_get(&d, root, "kind");
	results = fz_get(&d, root, "results");
	if (kind && kind->type == YAML_SCALAR_NODE && !strcmp((const char *)kind->data.scalar.value, "ResourceList") &&
	    results && results->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = results->data.sequence.items.start; it < results->data.sequence.items.top; it++) {
			yaml_node_t *sev = fz_get(&d, yaml_document_get_node(&d, *it), "severity");

			if (sev && sev->type == YAML_SCALAR_NODE && !strcmp((const char *)sev->data.scalar.value, "error"))
				ok = true;
		}
	}
	yaml_document_delete(&d);
	yaml_parser_delete(&parser);
	return ok;
}

static const char *
fz_str(const char *s)
{
	return s ? s : "";
}

/* One run; every message into msgs if not NULL. */
static int
fz_run(const struct filter_opts *fo, const char *in, size_t len, struct buf *out, struct buf *msgs)
{
	struct sink sink = { fz_collect, out };
	int rc;

	diag_reset();
	rc = filter_run(fo, in ? in : "", len, &sink);
	fz_check_messages();
	for (size_t i = 0; msgs && i < diag_count(); i++) {
		const struct diag_msg *m = diag_get(i);

		buf_addf(msgs, "%d %s:%d:%d [doc %d] %s %s/%s/%s/%s %s: %s\n", (int)m->sev, fz_str(m->file), m->line,
			 m->col, m->doc, fz_str(m->path), fz_str(m->api), fz_str(m->kind), fz_str(m->ns),
			 fz_str(m->name), fz_str(m->field), fz_str(m->text));
	}
	diag_reset();
	return rc;
}

static void
fz_threaded(bool on)
{
	ygate_thread_min = on ? 0 : YGATE_THREAD_MIN;
	ygate_cut_step = on ? 0 : YGATE_CUT_STEP;
}

static bool
fz_same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->p, b->p, a->len));
}

/* The input run the other way (threaded or not) gives the same. */
static void
fz_check_pieces(const struct filter_opts *fo, const char *in, size_t len, int rc, const struct buf *out,
		const struct buf *msgs, bool threaded)
{
	struct buf out2 = BUF_INIT, msgs2 = BUF_INIT;
	int rc2;

	fz_threaded(!threaded);
	rc2 = fz_run(fo, in, len, &out2, &msgs2);
	if (rc2 != rc || !fz_same(out, &out2) || !fz_same(msgs, &msgs2))
		fz_fail("libfyaml whole and behind the pre-scan in pieces: another exit code, output or message",
			msgs2.p);
	buf_free(&out2);
	buf_free(&msgs2);
}

/* Options from the bits of one byte; each combination is a valid configuration. */
static inline size_t
fz_options(uint8_t flags, const char **sets)
{
	static const char *const choices[] = {
		"managementState=Removed", "components=localRegistryHosting", "namespace=fuzz",
		"registry.service.serviceCIDR=fd00::/64", "registry.service.port=5000",
		"registry.hostnames=a.example,b.example",
		"components=workloadSpread,localRegistryHosting", "workloadSpread.existing=add",
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++)
		if (flags & (1u << i))
			sets[n++] = choices[i];
	return n;
}

static void
fz_check(const struct filter_opts *fo, const char *in, size_t len)
{
	struct buf out = BUF_INIT, again = BUF_INIT, msgs = BUF_INIT;
	int rc;
	bool in_parses;

	diag_set_quiet(1);
	fz_threaded(len % 2);
	rc = fz_run(fo, in, len, &out, &msgs);
	fz_check_pieces(fo, in, len, rc, &out, &msgs, len % 2);
	fz_threaded(!(len % 2));
	/* libyaml refuses some text libfyaml reads (raw control characters,
	 * YAML 1.2 forms); what is copied from such input cannot be checked */
	in_parses = fz_parses(in ? in : "", len);
	if (rc != EXIT_OK) {
		/* only KRM mode writes on failure: the input as a ResourceList with results */
		if (out.len && (!memmem(out.p, out.len, "\nresults:\n", 10) ||
				!memmem(out.p, out.len, "severity: error", 15) ||
				(in_parses && !fz_failed_resource_list(out.p, out.len))))
			fz_fail("a failed run wrote something other than a ResourceList with an error", NULL);
		goto out;
	}
	if (in_parses && !fz_parses(out.p ? out.p : "", out.len))
		fz_fail("the output does not parse (libyaml), the input does", NULL);
	if (fz_run(fo, out.p, out.len, &again, NULL) != EXIT_OK)
		fz_fail("not idempotent: the output fails when run again", NULL);
	if (again.len != out.len || (out.len && memcmp(again.p, out.p, out.len) != 0))
		fz_fail("not idempotent: the output changes when run again", NULL);
out:
	fz_threaded(false);
	buf_free(&out);
	buf_free(&again);
	buf_free(&msgs);
}

#endif
