/* ypieces.c - the text the loader reads, checked first, and the pieces
 * libfyaml reads it in behind the pre-scan (yload.h, yloadint.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "prescan.h"
#include "textpos.h"
#include "util.h"
#include "yloadint.h"

/* YAML text is Unicode, Kubernetes' is UTF-8. libfyaml 0.7.12 takes a NUL
 * for the end of the input (what follows would be lost without a word) and
 * loops forever on some invalid UTF-8; so the bytes are checked first. */
int
ypiece_check_text(const char *name, const char *buf, size_t len)
{
	size_t bad = utf8_scan(buf, len);
	struct where w = { .file = name, .src = buf, .srclen = len, .line = 1, .col = 1 };
	uint32_t cp;

	if (bad == len)
		return 0;
	text_line_col(buf, bad, &w.line, &w.col);
	if (buf[bad] == '\0')
		diag_error(&w, "the input contains a NUL byte; YAML text cannot hold one");
	else if (utf8_decode((const unsigned char *)buf + bad, len - bad, &cp) && utf8_is_yaml11_break(cp))
		diag_error(&w, "the input contains a raw U+%04X, which Helm and kubectl (go-yaml, YAML 1.1) read as a line "
			   "break and YAML 1.2 readers as text, so they would read different objects; write it as "
			   "\"\\u%04x\" in a double-quoted string", (unsigned)cp, (unsigned)cp);
	else
		diag_error(&w, "the input is not valid UTF-8 (byte 0x%02X)", (unsigned char)buf[bad]);
	return -1;
}

/* libfyaml on text[base..end), the next piece. */
int
ypiece_open(struct yloader *yl, size_t end)
{
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET, .diag = yl->diag };

	if (yl->fyp)
		fy_parser_destroy(yl->fyp);
	yl->base = yl->end;
	yl->end = end;
	yl->line_base = yl->next_line_base;
	yguard_set_text(&yl->guard, yload_read_text(yl) + yl->base, end - yl->base);
	yl->piece_events = 0;
	yl->fyp = fy_parser_create(&cfg);
	if (!yl->fyp || fy_parser_set_string(yl->fyp, yload_read_text(yl) + yl->base, end - yl->base) != 0) {
		diag_error(NULL, "cannot set up the YAML parser");
		return -1;
	}
	return 0;
}

/* The thread's UTF-8 check or pre-scan failed: the same checks here, to
 * report it. */
static int
scan_failed(struct yloader *yl)
{
	if (ypiece_check_text(yl->name, yl->buf, yl->len) == 0 && prescan(yl->name, yl->buf, yl->len, &yl->lim, NULL) == 0)
		diag_error(NULL, "the pre-scan of the input failed on its thread but not when run again");
	return -1;
}

bool
yload_behind(const struct yloader *yl)
{
	return yl->gate != NULL;
}

int
yload_scan_wait(struct yloader *yl)
{
	size_t cut;
	int line;

	/* no cut lies past the end: this waits for the whole text's verdict */
	return yl->gate && ygate_next_cut(yl->gate, yl->len, &cut, &line) < 0 ? -1 : 0;
}

int
yload_scan_report(struct yloader *yl)
{
	return scan_failed(yl);
}

/* libfyaml reads ahead: what it says of an error near a piece's end may
 * depend on the text after it (a fuzz finding: another message than on the
 * whole text). So a piece that failed before the last is read again, from
 * its start to the end of the text once the pre-scan has passed it all,
 * with a fresh diag; the events already taken are passed over (the guard
 * follows them again: its state is the piece's). 1: read on; 0: report
 * the error as it is (the last piece, or the same failure sooner); -1
 * (reported: the pre-scan failed later on). */
int
ypiece_extend(struct yloader *yl)
{
	size_t cut, skip = yl->piece_events;
	int line;

	if (!yl->gate || yl->end == yl->len)
		return 0;
	if (ygate_next_cut(yl->gate, yl->len, &cut, &line) < 0)	/* the whole text's verdict */
		return scan_failed(yl);
	if (yl->gate->fix.n && !yl->text)
		yl->text = prescan_fix_apply(yl->buf, yl->len, &yl->gate->fix);
	yload_diag_renew(yl);
	yl->end = yl->base;	/* the same piece, to the end */
	yl->next_line_base = yl->line_base;
	if (ypiece_open(yl, yl->len) != 0)
		return -1;
	for (size_t i = 0; i < skip; i++) {
		struct fy_event *ev = fy_parser_parse(yl->fyp);
		struct yev e;
		const char *msg;
		int l, c;

		if (!ev)
			return 0;
		yev_of(&e, ev);
		(void)yguard_event(&yl->guard, &e, &l, &c, &msg);
		fy_parser_event_free(yl->fyp, ev);
	}
	yl->piece_events = skip;
	return 1;
}

/* The next piece the pre-scan has passed (yl->gate): 1, or 0 when there is
 * none (the last was read to its end), -1 (reported). */
int
ypiece_next(struct yloader *yl)
{
	size_t cut;
	int line, rc;

	if (!yl->gate || (yl->fyp && yl->end == yl->len))
		return 0;
	rc = ygate_next_cut(yl->gate, yl->end, &cut, &line);
	if (rc < 0)
		return scan_failed(yl);
	if (rc == 0) {		/* the rest, with the fixes after the last cut */
		if (yl->gate->fix.n)
			yl->text = prescan_fix_apply(yl->buf, yl->len, &yl->gate->fix);
		cut = yl->len;
		line = 0;
	}
	if (ypiece_open(yl, cut) != 0)
		return -1;
	yl->next_line_base = line - 1;
	return 1;
}

