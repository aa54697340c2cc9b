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
 * Only events are read (no tree), and only text the pre-scan (prescan.h)
 * has passed: libyaml holds a scalar whole and its stacks grow with nesting,
 * so the pre-scan's limits bound its memory as they bound libfyaml's.
 * libyaml costs about as much as libfyaml, so an input of ygate_thread_min
 * bytes or more is checked on a thread of its own, started before the
 * pre-scan: it follows the pre-scan (ygate_progress()), then runs beside
 * libfyaml. When the caller's reading fails, ygate_finish() stops it: it
 * reads the end of the text next, and no event after the current one.
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
	bool threaded, gone;	/* gone: ygate_go() was called */
	pthread_mutex_t mu;	/* ready, stop; cv: either changed */
	pthread_cond_t cv;
	size_t ready;		/* libyaml may read buf[0..ready) */
	atomic_bool stop;	/* ygate_finish() without a report: give up */
	size_t fed;		/* what libyaml has read (the gate's own) */
	/* the outcome: done (libyaml read to the end), failed, and what libyaml
	 * said (its strings are static) */
	bool done, failed, reader, memory;
	const char *problem, *context;
	size_t line, col, context_line, context_col, offset;
	int value, doc;
	struct yshapes shapes;	/* libyaml's reading */
};

/* Start checking buf[0..len): on a thread when it is large, reading
 * nothing yet. */
void ygate_start(struct ygate *g, const char *name, const char *buf, size_t len);
/* The pre-scan has passed buf[0..pos): the thread may read it (a
 * prescan_progress_fn, gate its ctx). */
void ygate_progress(void *gate, size_t pos);
/* The pre-scan has passed the whole text: read it all (inline when the
 * gate has no thread). */
void ygate_go(struct ygate *g);
/* Wait for the check; 0, or -1 when libyaml refused the text or, with fy
 * (libfyaml's reading of fytext, the text the loader handed it: buf or a
 * copy of the same length), read it as other data (reported, as
 * name:line:col in its document, when report is true), or when it did not
 * read to the end. Without report (the caller failed already), or without
 * ygate_go(), a check still running is stopped. Call it once after
 * ygate_start(), on every path. */
int ygate_finish(struct ygate *g, bool report, const struct yshapes *fy, const char *fytext);
/* ygate_start(), ygate_go() and ygate_finish(g, true, fy, fytext) in one. */
int ygate_check(const char *name, const char *buf, size_t len, const struct yshapes *fy, const char *fytext);

#endif
