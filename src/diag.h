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
};

struct diag_msg {
	enum severity sev;
	char *text;		/* the message alone */
	char *file, *api, *kind, *ns, *name, *field;
	int line, col, doc;
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
/* Forget every message (the fuzzer runs many inputs in one process). */
void diag_reset(void);

#endif
