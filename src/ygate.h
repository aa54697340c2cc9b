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
 * Only events are read (no tree): memory is libyaml's stacks, bounded by the
 * pre-scan's depth limit, plus one token at a time. libyaml costs about as
 * much as libfyaml, so an input of YGATE_THREAD_MIN bytes or more is checked
 * on a thread of its own while the caller reads it with libfyaml.
 *
 * Ownership: the text is borrowed until ygate_finish(); nothing is kept.
 */
#ifndef YGATE_H
#define YGATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define YGATE_THREAD_MIN (256 * 1024)

struct ygate {
	const char *name, *buf;
	size_t len;
	pthread_t thread;
	bool threaded;
	/* the outcome: failed, and what libyaml said (its strings are static) */
	bool failed, reader, memory;
	const char *problem, *context;
	size_t line, col, context_line, context_col, offset;
	int value, doc;
};

/* Start checking buf[0..len) (on a thread when it is large). */
void ygate_start(struct ygate *g, const char *name, const char *buf, size_t len);
/* Wait for the check; 0, or -1 when libyaml refused the text (reported,
 * as name:line:col in its document, when report is true). Call it once
 * after ygate_start(), on every path. */
int ygate_finish(struct ygate *g, bool report);
/* ygate_start() and ygate_finish(g, true) in one. */
int ygate_check(const char *name, const char *buf, size_t len);

#endif
