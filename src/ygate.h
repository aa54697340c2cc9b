/* ygate.h - the last word on what YAML we take: libyaml 0.2.5, the parser
 * go-yaml was ported from (so what Helm, kubectl, kustomize and kpt read
 * with), parses the whole input besides libfyaml. libfyaml takes some shapes
 * that YAML and go-yaml refuse (a key without ':', a value or an entry below
 * its key not indented more, a tab before a root, ...), and takes several of
 * them only at the end of a document: copied into our output with more
 * documents after them, they would no longer parse, or would mean something
 * else. Refusing what libyaml refuses ends that class of difference for good;
 * yguard.c still names the known shapes first (a failure here is reported
 * only once libfyaml has taken the whole input).
 *
 * Only events are read (no tree): memory is libyaml's stacks, which grow
 * with nesting, plus the tokens of at most one simple key (libyaml drops a
 * key candidate after 1024 characters). The gate starts before the pre-scan
 * (prescan.h) has bounded the nesting, so it bounds it itself, at
 * YGATE_MAX_DEPTH (well above the pre-scan's LIMIT_DEPTH, whose message is
 * the one a user sees). libyaml costs about as much as libfyaml, so an input
 * of ygate_thread_min bytes or more is checked on a thread of its own, from
 * before the pre-scan to the end of libfyaml's reading; when the caller's
 * own reading fails, ygate_finish() stops it at its next event.
 *
 * Ownership: the text is borrowed until ygate_finish(); nothing is kept.
 */
#ifndef YGATE_H
#define YGATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define YGATE_THREAD_MIN (256 * 1024)
#define YGATE_MAX_DEPTH 1024

/* YGATE_THREAD_MIN; the fuzz targets lower it so that the threaded gate is
 * fuzzed too (set before ygate_start(), never while a gate runs). */
extern size_t ygate_thread_min;

/* Both parsers may take an input and read it as different data (libfyaml
 * reads "&a: x" as an anchor "a:" on x, libyaml as an anchored empty key):
 * what we read would not be what Helm and the API server read. So each side
 * folds the kinds of a document's events (collection starts and ends,
 * scalars, aliases) into one hash a document, and the two lists must agree;
 * at the first document that differs, both are read again side by side to
 * name the first event that differs. */
enum yshape_kind { YK_MAP = 1, YK_MAP_END, YK_SEQ, YK_SEQ_END, YK_SCALAR, YK_ALIAS };
struct yshapes {
	uint64_t *h;	/* one a document, owned (yshapes_free()) */
	size_t n, cap;
	uint64_t cur;	/* the document being read */
};
void yshapes_doc_start(struct yshapes *s);
void yshapes_add(struct yshapes *s, enum yshape_kind k);
void yshapes_doc_end(struct yshapes *s);
void yshapes_free(struct yshapes *s);
/* The kind of a libfyaml event, or 0 (stream and document events). */
struct fy_event;
int yshape_fy_kind(const struct fy_event *ev);

struct ygate {
	const char *name, *buf;
	size_t len;
	pthread_t thread;
	bool threaded;
	atomic_bool stop;	/* ygate_finish() without a report: give up ... */
	bool stopped;		/* ... and it did, before the end */
	/* the outcome: failed, and what libyaml said (its strings are static) */
	bool failed, reader, memory, deep;
	const char *problem, *context;
	size_t line, col, context_line, context_col, offset;
	int value, doc;
	struct yshapes shapes;	/* libyaml's reading */
};

/* Start checking buf[0..len) (on a thread when it is large). */
void ygate_start(struct ygate *g, const char *name, const char *buf, size_t len);
/* Wait for the check; 0, or -1 when libyaml refused the text or, with fy
 * (libfyaml's reading of fytext, the text the loader handed it: buf or a
 * copy of the same length), read it as other data (reported, as
 * name:line:col in its document, when report is true). Without report (the
 * caller failed already) a check still running is stopped, not waited
 * for. Call it once after ygate_start(), on every path. */
int ygate_finish(struct ygate *g, bool report, const struct yshapes *fy, const char *fytext);
/* ygate_start() and ygate_finish(g, true, fy, fytext) in one. */
int ygate_check(const char *name, const char *buf, size_t len, const struct yshapes *fy, const char *fytext);

#endif
