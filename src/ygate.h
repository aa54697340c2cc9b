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
 * bytes or more is checked on a thread of its own. The stream's gate
 * (ygate_start_ahead()) runs the pre-scan there first, ahead of libfyaml,
 * which reads behind it a piece of whole documents at a time
 * (ygate_next_cut(), yload.c), then libyaml beside libfyaml, in the same
 * pieces, each with a fresh parser: the thread from the front and, when the
 * caller is done with libfyaml first, ygate_finish() from the back (a thread
 * that was kept off its core no longer holds the run). When the caller's
 * reading fails, ygate_finish() stops libyaml: it reads the end of the text
 * next, and no event after the current one.
 *
 * Ownership: the text is borrowed until ygate_finish(); nothing is kept.
 */
#ifndef YGATE_H
#define YGATE_H

#include <libfyaml.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prescan.h"

#define YGATE_THREAD_MIN (256 * 1024)

/* YGATE_THREAD_MIN; the fuzz targets lower it so that the threaded gate is
 * fuzzed too (set before ygate_start(), never while a gate runs). */
extern size_t ygate_thread_min;
/* The least size of a piece libfyaml reads behind the pre-scan (but the
 * last); the fuzz targets and tests set 0: a piece a document. */
#define YGATE_CUT_STEP (256 * 1024)
extern size_t ygate_cut_step;

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
/* (inline: the loader folds every libfyaml event, 354,000 on 10 MB) */
static inline void
yshapes_doc_start(struct yshapes *s)
{
	s->cur = 0xcbf29ce484222325ULL;
}

static inline void
yshapes_add(struct yshapes *s, enum yshape_kind k)
{
	s->cur = (s->cur ^ (uint64_t)k) * 0x100000001b3ULL;
}

void yshapes_doc_end(struct yshapes *s);
void yshapes_free(struct yshapes *s);

/* The kind of a libfyaml event, or 0 (stream and document events). */
static inline int
yshape_fy_kind(const struct fy_event *ev)
{
	switch (ev->type) {
	case FYET_MAPPING_START:
		return YK_MAP;
	case FYET_MAPPING_END:
		return YK_MAP_END;
	case FYET_SEQUENCE_START:
		return YK_SEQ;
	case FYET_SEQUENCE_END:
		return YK_SEQ_END;
	case FYET_SCALAR:
		return YK_SCALAR;
	case FYET_ALIAS:
		return YK_ALIAS;
	default:
		return 0;
	}
}

/* What libyaml made of a text (the whole, or one piece): done (read to the
 * end), failed, and what it said (its strings are static; lines, columns
 * and documents counted in the text it read). */
struct yverdict {
	bool done, failed, reader, memory;
	const char *problem, *context;
	size_t line, col, context_line, context_col, offset;
	int value, doc;
	struct yshapes shapes;	/* its reading */
};

/* A place where libfyaml, and libyaml, may start afresh (prescan_ahead()). */
struct ygate_cut {
	size_t pos;
	int line;		/* the 1-based line that begins there */
};

struct ygate {
	const char *name, *buf;
	size_t len;
	pthread_t thread;
	bool threaded, gone;	/* gone: ygate_go() was called */
	pthread_mutex_t mu;	/* ready, stop, the pre-scan's side; cv: one changed */
	pthread_cond_t cv;
	size_t ready;		/* libyaml may read buf[0..ready) */
	atomic_bool stop;	/* ygate_finish() without a report: give up */
	size_t fed;		/* what libyaml has read (the gate's own) */
	struct yverdict v;	/* the outcome, once ygate_finish() has joined */
	/* ygate_start_ahead() with a thread: the pre-scan's side (under mu) */
	const struct limits *lim;	/* NULL: not ahead */
	size_t checked;		/* buf[0..checked) is valid UTF-8 (the thread's own) */
	bool bad_text;		/* it is not, somewhere after checked (the thread's own) */
	bool refused;		/* libyaml's reader refuses a character before checked
				 * (ytext_scan(); the thread's own) */
	struct prescan_fix fix;	/* its fixes, owned; final once scanned */
	struct ygate_cut *cuts;	/* every cut, in order (owned) */
	size_t ncuts, capcuts;
	bool scanned, scan_failed;
	/* then libyaml reads the pieces between cuts (npieces = ncuts + 1):
	 * the thread from the front, ygate_finish() from the back when the
	 * caller is done first (under mu) */
	struct yverdict *pieces;	/* owned */
	size_t npieces, front, back;
};

/* Start checking buf[0..len) (a config file, a value: yload_one()): on a
 * thread when it is large, reading nothing before ygate_go(). */
void ygate_start(struct ygate *g, const char *name, const char *buf, size_t len);
/* ygate_start() for the stream. With a thread (a large input), the UTF-8
 * check and the pre-scan run first on it (prescan_ahead(): limits lim,
 * borrowed), telling where libfyaml may start afresh; without one, the
 * caller runs them. */
void ygate_start_ahead(struct ygate *g, const char *name, const char *buf, size_t len, const struct limits *lim);
/* Wait, on the caller's side of a gate started ahead with a thread, for a
 * place after pos where libfyaml may start afresh. 1: *cut and the 1-based
 * *line there, everything before it checked; 0: the whole text passed (the
 * rest is one piece, read with g->fix); -1: the UTF-8 check or the pre-scan
 * failed (the caller runs them again to report it), or the gate was
 * stopped. */
int ygate_next_cut(struct ygate *g, size_t pos, size_t *cut, int *line);
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
/* ygate_finish()'s waiting half, without a word: joins as ygate_finish(g,
 * true, ...) does and tells whether its verdict will pass (0) or not (-1);
 * ygate_finish() must follow, and reports. */
int ygate_wait(struct ygate *g, const struct yshapes *fy);
/* ygate_start(), ygate_go() and ygate_finish(g, true, fy, fytext) in one. */
int ygate_check(const char *name, const char *buf, size_t len, const struct yshapes *fy, const char *fytext);

#endif
