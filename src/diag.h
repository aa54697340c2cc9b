/* diag.h - the one error convention and the one message format.
 *
 * Convention (libfyaml's): int functions return 0 on success and -1 on error,
 * and the error has already been reported here; constructors return NULL.
 * Exit codes live here too.
 *
 * Messages are written to stderr (and the log file, if one is set) as they are
 * reported, and kept so that KRM mode can turn them into `results`.
 * Every string passed in is copied; the caller keeps ownership of its own.
 */
#ifndef DIAG_H
#define DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct buf;

enum exit_code {
	EXIT_OK = 0,
	EXIT_INPUT = 1,		/* bad input or configuration */
	EXIT_USAGE = 2,		/* bad command line, or an I/O failure */
};

enum severity {
	SEV_ERROR,
	SEV_WARNING,
	SEV_INFO,
};

/* Where a message points: all fields optional (NULL / 0). */
struct where {
	const char *file;	/* "<stdin>", a config file path, "--set" */
	const char *src;	/* the whole source text, to show the line */
	size_t srclen;
	int line, col;		/* 1-based; 0 = unknown */
	int doc;		/* 1-based document (or item) number; 0 = none */
	const char *api, *kind, *ns, *name;	/* the object */
	const char *field;	/* dotted field path */
	/* KRM mode (set by the locator, diag_set_locator()): the file of the
	 * item or functionConfig in the user's package (its annotation
	 * config.kubernetes.io/path) and its 1-based document there (the
	 * annotation config.kubernetes.io/index plus one; 0 = unknown) */
	const char *path;
	int path_doc;
};

struct diag_msg {
	enum severity sev;
	char *text;		/* the message alone */
	char *file, *api, *kind, *ns, *name, *field;
	int line, col, doc;
	char *path;		/* KRM: the package file (struct where) */
	int path_doc;
};

/* Messages, the where strings and the source line shown are escaped: C0
 * and C1 controls, DEL, bidirectional controls, U+2028/U+2029 and U+FEFF as
 * \t \n \r \xNN \uNNNN, the bytes of invalid UTF-8 as \xNN; so kept
 * messages are valid UTF-8 without control characters. */
void diag_report(enum severity sev, const struct where *w, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_vreport(enum severity sev, const struct where *w, const char *fmt, va_list ap);

#define diag_error(w, ...) diag_report(SEV_ERROR, (w), __VA_ARGS__)
#define diag_warn(w, ...) diag_report(SEV_WARNING, (w), __VA_ARGS__)

/* Also write every message to fp (not owned; NULL stops). */
void diag_set_log(FILE *fp);
/* Stop writing to stderr (KRM results carry the messages instead). */
void diag_set_quiet(int quiet);
/* While muted, messages are dropped: neither written, kept nor counted (a
 * trial run whose failures mean nothing, inject.c's Managed-mode probe). */
void diag_mute(int mute);
/* Hold the messages reported from now on: kept and counted, but written
 * to stderr and the log only when diag_release(1) lets them go, in order;
 * diag_release(0) forgets them, as if never reported (filter.c: what
 * libfyaml reading behind the pre-scan found stands only if the pre-scan
 * passes the whole text). Not nested; releasing nothing held does nothing. */
void diag_hold(void);
void diag_release(int keep_them);
int diag_error_count(void);
/* The exit code errors so far call for: EXIT_OK, EXIT_INPUT, or EXIT_USAGE
 * once diag_set_exit(EXIT_USAGE) marked a usage or I/O failure. */
int diag_exit_code(void);
void diag_set_exit(enum exit_code code);
size_t diag_count(void);
const struct diag_msg *diag_get(size_t i);
/* Append s[0..n) to b escaped as above; returns the characters read. */
size_t diag_escape(struct buf *b, const char *s, size_t n);
/* The name messages give the input: "<stdin>" unless set (main.c: a FILE
 * argument; not owned, it must outlive the run). NULL: "<stdin>" again. */
void diag_set_input_name(const char *name);
const char *diag_input_name(void);
/* KRM mode: a function that completes the where of each message reported
 * (a copy): the item or functionConfig of the ResourceList its line:col or
 * document falls in gives path and path_doc, and its identity when the where
 * names no object. Strings it sets are copied before it is called again.
 * NULL removes it; diag_reset() too. */
typedef void (*diag_locator)(void *ctx, struct where *w);
void diag_set_locator(diag_locator fn, void *ctx);
/* Write a warning to stderr and the log without keeping it: not counted and
 * not in KRM results (a warning that depends on the clock would make a KRM
 * run's output differ from day to day). */
void diag_note(const struct where *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Information the user should see on every run: written to stderr (unless
 * quiet) and the log, and kept as info (KRM results, not counted). */
void diag_inform(const struct where *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Information written to stderr (unless quiet) and the log without keeping
 * it: what one run did that the next will not do again (a KRM run's results
 * stay the same from run to run). */
void diag_aside(const struct where *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Forget every message (the fuzzer runs many inputs in one process). */
void diag_reset(void);

#endif
