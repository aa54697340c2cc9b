/* prescan.c - src/prescan.c and src/yquote.c against libfyaml itself (on the
 * text yload hands it: block scalar headers the pre-scan lists made empty): every
 * one-line quoted scalar yquote decodes must read as libfyaml's own token
 * iterator reads it; every flow collection
 * libfyaml starts must be one the pre-scan saw, at the same byte, and the
 * pre-scan must see none that libfyaml does not (or it would count text as
 * nesting and refuse valid input). Run over whole files and, with -m N, over
 * N mutations of each (YAML indicators inserted, deleted, swapped: mostly
 * invalid YAML, compared up to where libfyaml stops).
 *
 * With -p, each file and mutation is also run through the whole program
 * (filter_run(), with and without workloadSpread) twice: libfyaml reading
 * the whole text after the pre-scan, and reading it behind the pre-scan on
 * the gate's thread in pieces of one document (ygate_next_cut()); the exit
 * code, the output and every message must be the same.
 *
 * usage: prescan-check [-m N] [-p] [-v] FILE...   prints TAP-like lines and
 * "N passed, N failed"; exit 1 on any failure. */
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "filter.h"
#include "limits.h"
#include "prescan.h"
#include "util.h"
#include "ygate.h"
#include "yquote.h"

static int verbose;

struct list {
	size_t *v, n, cap;
};

static void
list_add(void *ctx, size_t pos)
{
	struct list *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = pos;
}

static void
discard(struct fy_diag *d, void *u, const char *b, size_t n)
{
	(void)d, (void)u, (void)b, (void)n;
}

static int quote_bad, quote_checked;

/* A quoted scalar: yquote_decode() against libfyaml's iterator. */
static void
check_quoted(const char *buf, size_t len, struct fy_token *tok)
{
	const struct fy_mark *sm = fy_token_start_mark(tok), *em = fy_token_end_mark(tok);
	struct fy_token_iter *it;
	const struct fy_iter_chunk *chunk = NULL;
	struct buf want = BUF_INIT;
	size_t n;
	char *got;
	int err = 0;

	if (!sm || !em || !sm->input_pos || em->input_pos >= len || sm->input_pos > em->input_pos ||
	    yquote_decode(buf + sm->input_pos - 1, em->input_pos - sm->input_pos + 2, NULL, &n) != 0)
		return;
	/* libfyaml 0.7.12's iterator reads a run of '' wrongly ('x''''y' as
	 * x''' where YAML, PyYAML and go-yaml read x''y): not compared */
	if (buf[sm->input_pos - 1] == '\'')
		for (size_t i = sm->input_pos; i + 2 < em->input_pos; i++)
			if (buf[i] == '\'' && buf[i + 1] == '\'' && buf[i + 2] == '\'')
				return;
	got = xmalloc(n + 1);
	yquote_decode(buf + sm->input_pos - 1, em->input_pos - sm->input_pos + 2, got, &n);
	if ((it = fy_token_iter_create(tok)) != NULL) {
		while ((chunk = fy_token_iter_chunk_next(it, chunk, &err)) != NULL)
			buf_add(&want, chunk->str, chunk->len);
		fy_token_iter_destroy(it);
	}
	quote_checked++;
	if (want.len != n || (n && memcmp(want.p, got, n))) {
		quote_bad++;
		if (verbose)
			fprintf(stderr, "quoted scalar at %zu: yquote \"%.*s\", libfyaml \"%.*s\"\n", sm->input_pos,
				(int)n, got, (int)want.len, want.p ? want.p : "");
	}
	free(got);
	buf_free(&want);
}

/* libfyaml's flow collection starts; *ok: it read the whole stream. */
static void
fy_starts(const char *buf, size_t len, struct list *l, int *ok)
{
	struct fy_diag_cfg dcfg;
	struct fy_diag *diag;
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET };
	struct fy_parser *fyp;
	struct fy_event *ev;

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = discard;
	diag = fy_diag_create(&dcfg);
	cfg.diag = diag;
	fyp = fy_parser_create(&cfg);
	fy_parser_set_string(fyp, buf, len);
	while ((ev = fy_parser_parse(fyp)) != NULL) {
		struct fy_token *t = ev->type == FYET_SEQUENCE_START ? ev->sequence_start.sequence_start :
				     ev->type == FYET_MAPPING_START ? ev->mapping_start.mapping_start : NULL;

		size_t pos = t ? fy_token_start_mark(t)->input_pos : len;

		/* (a single-pair mapping in a flow sequence starts at its key) */
		if (pos < len && (buf[pos] == '[' || buf[pos] == '{') && fy_event_get_node_style(ev) == FYNS_FLOW)
			list_add(l, pos);
		if (ev->type == FYET_SCALAR && ev->scalar.value &&
		    (fy_scalar_token_get_style(ev->scalar.value) == FYSS_DOUBLE_QUOTED ||
		     fy_scalar_token_get_style(ev->scalar.value) == FYSS_SINGLE_QUOTED))
			check_quoted(buf, len, ev->scalar.value);
		fy_parser_event_free(fyp, ev);
	}
	*ok = !fy_parser_get_stream_error(fyp);
	fy_parser_destroy(fyp);
	fy_diag_destroy(diag);
}

/* 0 when the two agree (up to where libfyaml stopped, if it failed). */
static int
compare(const char *what, const char *buf, size_t len)
{
	struct list p = { 0 }, f = { 0 };
	struct prescan_fix fix = { 0 };
	int ok, rc, bad = 0;
	size_t i;
	char *emptied = NULL;

	if (utf8_scan(buf, len) != len)
		return 0;	/* yload refuses it before the pre-scan */
	diag_set_quiet(1);
	rc = prescan_trace(buf, len, &limits_default, list_add, &p, &fix);
	diag_reset();
	if (fix.n)	/* libfyaml reads what yload hands it: the headers made empty */
		buf = emptied = prescan_fix_apply(buf, len, &fix);
	prescan_fix_free(&fix);
	if (rc == 0) {
		fy_starts(buf, len, &f, &ok);
	} else {
		/* refused: does libfyaml accept it? (in a child: some of what
		 * the pre-scan refuses crashes libfyaml) */
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			fy_starts(buf, len, &f, &ok);
			_exit(ok ? 0 : 1);
		}
		ok = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
		f.n = 0;
	}
	for (i = 0; i < f.n && !bad; i++)
		bad = i >= p.n || p.v[i] != f.v[i];
	if (!bad && ok)
		bad = rc != 0 || p.n != f.n;
	if (bad && verbose) {
		fprintf(stderr, "%s: libfyaml %s, prescan %s\n  libfyaml:", what, ok ? "ok" : "failed",
			rc ? "failed" : "ok");
		for (i = 0; i < f.n && i < 12; i++)
			fprintf(stderr, " %zu", f.v[i]);
		fprintf(stderr, "\n  prescan: ");
		for (i = 0; i < p.n && i < 12; i++)
			fprintf(stderr, " %zu", p.v[i]);
		fprintf(stderr, "\n");
	}
	free(p.v);
	free(f.v);
	free(emptied);
	return bad;
}

static int
collect(void *ctx, const char *p, size_t n)
{
	buf_add(ctx, p, n);
	return 0;
}

static const char *
str(const char *s)
{
	return s ? s : "";
}

/* One run of the program on buf: its exit code, output and messages in out. */
static void
run_once(const char *buf, size_t len, const char *set, bool pieces, struct buf *out)
{
	const char *sets[1] = { set };
	struct filter_opts fo = { NULL, sets, set ? 1 : 0, NULL, NULL };
	struct buf o = BUF_INIT;
	struct sink sink = { collect, &o };
	int rc;

	ygate_thread_min = pieces ? 0 : SIZE_MAX;
	ygate_cut_step = pieces ? 0 : YGATE_CUT_STEP;
	diag_reset();
	rc = filter_run(&fo, buf, len, &sink);
	buf_addf(out, "exit %d\n", rc);
	for (size_t i = 0; i < diag_count(); i++) {
		const struct diag_msg *m = diag_get(i);

		buf_addf(out, "%d %s:%d:%d [doc %d] %s %s/%s/%s/%s %s: %s\n", (int)m->sev, str(m->file), m->line,
			 m->col, m->doc, str(m->path), str(m->api), str(m->kind), str(m->ns), str(m->name),
			 str(m->field), str(m->text));
	}
	buf_add(out, o.p ? o.p : "", o.len);
	buf_free(&o);
	diag_reset();
	ygate_thread_min = YGATE_THREAD_MIN;
	ygate_cut_step = YGATE_CUT_STEP;
}

static int pieces_runs;

/* -p: the program on buf, libfyaml on the whole text and in pieces: 1 if
 * the two differ. */
static int
pieces_differ(const char *what, const char *buf, size_t len)
{
	static const char *const sets[] = { NULL, "components=registry,sync,cache,certificates,nodeTrust,spread,"
						  "localRegistryHosting,workloadSpread" };
	int bad = 0;

	for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]) && !bad; k++) {
		struct buf whole = BUF_INIT, pieces = BUF_INIT;

		run_once(buf, len, sets[k], false, &whole);
		run_once(buf, len, sets[k], true, &pieces);
		pieces_runs++;
		bad = whole.len != pieces.len || (whole.len && memcmp(whole.p, pieces.p, whole.len) != 0);
		if (bad && verbose)
			fprintf(stderr, "%s: whole and in pieces differ%s\n  whole:  %.*s\n  pieces: %.*s\n", what,
				sets[k] ? " (workloadSpread)" : "", (int)(whole.len > 600 ? 600 : whole.len),
				whole.p ? whole.p : "", (int)(pieces.len > 600 ? 600 : pieces.len),
				pieces.p ? pieces.p : "");
		buf_free(&whole);
		buf_free(&pieces);
	}
	return bad;
}

static unsigned long long rng = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* One mutation of src into out: a YAML-significant byte inserted, one
 * deleted or replaced, or a line duplicated. */
static size_t
mutate(const char *src, size_t len, char *out)
{
	static const char bytes[] = "[]{},:-?#'\"|>&*!% \n\t\\.";
	size_t at = len ? rnd((unsigned)len) : 0, n = 0;
	char c = bytes[rnd(sizeof(bytes) - 1)];

	switch (rnd(3)) {
	case 0:	/* insert */
		memcpy(out, src, at);
		out[at] = c;
		memcpy(out + at + 1, src + at, len - at);
		return len + 1;
	case 1:	/* replace an ASCII byte */
		memcpy(out, src, len);
		if (at < len && !((unsigned char)src[at] & 0x80))
			out[at] = c;
		return len;
	default:	/* delete an ASCII byte */
		if (at < len && ((unsigned char)src[at] & 0x80))
			at = len;
		memcpy(out, src, at);
		n = at < len ? len - at - 1 : 0;
		memcpy(out + at, src + at + 1, n);
		return at + n;
	}
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;

	if (!fp)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	*len = b.len;
	buf_cstr(&b);
	return b.p;
}

int
main(int argc, char **argv)
{
	int mutations = 0, pass = 0, fail = 0, i = 1, qbad = 0, pbad_all = 0;
	bool with_pieces = false;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-m") && i + 1 < argc)
			mutations = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-p"))
			with_pieces = true;
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
	}
	if (with_pieces)
		diag_set_quiet(1);	/* (the messages are compared) */
	for (; i < argc; i++) {
		size_t len, n;
		char *src = slurp(argv[i], &len), *mut;
		int bad, badm = 0, pbad = 0;

		if (!src) {
			printf("not ok - prescan %s: cannot read it\n", argv[i]);
			fail++;
			continue;
		}
		quote_bad = 0;
		rng = 88172645463325252ULL;	/* per file: a failure replays alone */
		for (const char *c = argv[i]; *c; c++)
			rng = (rng ^ (unsigned char)*c) * 1099511628211ULL;
		bad = compare(argv[i], src, len);
		if (with_pieces)
			pbad += pieces_differ(argv[i], src, len);
		mut = xmalloc(len + 8);
		for (int m = 0; m < mutations; m++) {
			char what[512], *tmp = xmalloc(len + 8);
			int times = 1 + (int)rnd(4);

			n = mutate(src, len, mut);
			while (--times > 0) {	/* up to four edits */
				memcpy(tmp, mut, n);
				n = mutate(tmp, n, mut);
			}
			free(tmp);
			snprintf(what, sizeof(what), "%s (mutation %d)", argv[i], m);
			if (with_pieces && pieces_differ(what, mut, n)) {
				pbad++;
				if (verbose)
					fprintf(stderr, "  ---- input:\n%.*s\n  ----\n", (int)(n > 2000 ? 2000 : n), mut);
			}
			if (compare(what, mut, n)) {
				badm++;
				if (verbose) {
					fprintf(stderr, "  ---- input:\n%.*s\n  ----\n", (int)(n > 2000 ? 2000 : n), mut);
					if (verbose > 1 || badm > 3)
						break;
				}
			}
		}
		free(mut);
		free(src);
		printf("%s - prescan %s: flow collections and quoted scalars as libfyaml's%s", bad || badm || quote_bad ?
		       "not ok" : "ok", argv[i], bad ? " (whole file differs)" : "");
		if (mutations)
			printf(", %d mutations (%d differ)", mutations, badm);
		if (quote_bad)
			printf(", %d quoted scalars decoded otherwise", quote_bad);
		printf("\n");
		if (with_pieces)
			printf("%s - pieces %s: the program's exit code, output and messages alike with libfyaml on the "
			       "whole text and behind the pre-scan in pieces of a document (%d inputs differ)\n",
			       pbad ? "not ok" : "ok", argv[i], pbad);
		qbad += quote_bad;
		pbad_all += pbad;
		if (bad || badm || quote_bad || pbad)
			fail++;
		else
			pass++;
	}
	printf("# %d quoted scalars decoded, %d otherwise than libfyaml\n", quote_checked, qbad);
	if (with_pieces)
		printf("# %d runs whole and in pieces, %d inputs differ\n", pieces_runs, pbad_all);
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
