/* ygate.h - the last word on what YAML we take: libyaml 0.2.5, the parser
 * go-yaml was ported from (so what Helm, kubectl, kustomize and kpt read
 * with), parses the whole input once libfyaml has taken it. libfyaml takes
 * some shapes that YAML and go-yaml refuse (a key without ':', a value or
 * an entry below its key not indented more, a tab before a root, ...), and
 * takes several of them only at the end of a document: copied into our
 * output with more documents after them, they would no longer parse, or
 * would mean something else. Refusing what libyaml refuses ends that class
 * of difference for good; yguard.c still names the known shapes first.
 *
 * Only events are read (no tree): memory is libyaml's stacks, bounded by
 * the pre-scan's depth limit, plus one token at a time.
 *
 * Ownership: the text is borrowed; nothing is kept.
 */
#ifndef YGATE_H
#define YGATE_H

#include <stddef.h>

/* 0: libyaml parses buf[0..len) to its end. -1: it does not; the error is
 * reported (diag) as name:line:col, in the document it is in. */
int ygate_check(const char *name, const char *buf, size_t len);

#endif
