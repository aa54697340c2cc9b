/* yahead.h - libfyaml reading the last pieces of a large input on the gate's
 * thread, once that thread has read its own pieces of libyaml (ygate.h),
 * while the main thread reads the first ones (yload.c).
 *
 * The pieces are the pre-scan's, between its cuts, known once it has passed
 * the whole text with nothing to fix. The thread takes them from the back
 * while they lie past the piece the main thread reads; the main thread takes
 * them from the front, one at a time, and when it comes to one the thread
 * took, it waits for it to be read and then takes its events. Nothing is
 * reported on the thread: a piece read ahead keeps its parser (with its
 * stream error) and its diag (with libfyaml's messages) for the main thread.
 *
 * Ownership: struct yahead owns every piece's parser, diag and events until
 * yahead_free(); a piece the main thread takes stays owned by it, the main
 * thread only reads it (and frees its events as it goes: yahead_drop()).
 * Shared by the two threads under mu; yahead_free() only after the gate's
 * thread has been joined (ygate_finish()).
 */
#ifndef YAHEAD_H
#define YAHEAD_H

#include <libfyaml.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "yguard.h"

struct ygate;

struct yahead_piece {
	size_t from, to;	/* text[from..to) */
	int end_line;		/* the 1-based line that begins at to (0 at the end) */
	int state;		/* 0 the main thread's, 1 being read ahead, 2 read ahead */
	struct fy_parser *fyp;	/* read ahead: its parser and diag, NULL once dropped */
	struct fy_diag *diag;
	struct yguard_first first;	/* its diag's token-less message (yguard.h) */
	struct fy_event **ev;	/* its events, in order; next: the next one to hand */
	size_t nev, cap, next;
};

struct yahead {
	pthread_mutex_t mu;	/* everything below; cv: a piece read ahead */
	pthread_cond_t cv;
	struct ygate *g;
	const char *text;
	size_t len;
	struct fy_diag_cfg dcfg;	/* the loader's (yguard_init()) */
	bool ready;		/* the pieces are known */
	struct yahead_piece *p;
	size_t np;
	size_t main_end;	/* the end of the piece the main thread reads */
	size_t back;		/* the thread has taken pieces [back, np) */
};

void yahead_init(struct yahead *ah, struct ygate *g, const char *text, size_t len, const struct fy_diag_cfg *dcfg);
/* The thread's part (ygate_set_idle()): ah is a struct yahead. */
void yahead_run(void *ah);
/* The main thread, at pos (0 or the end of its last piece), before it reads
 * on: its next piece, [pos, *to) with the line *end_line at to (as
 * ygate_next_cut() gives it), and *taken the piece read ahead there (its
 * events to hand out with yahead_event()) or NULL (the caller reads it).
 * 1: the pieces are known; 0: not yet (the caller takes its piece from
 * ygate_next_cut(), up to *to, which it passes in: nothing up to it will be
 * read ahead). */
int yahead_next(struct yahead *ah, size_t pos, size_t *to, int *end_line, struct yahead_piece **taken);
/* The next event of a piece read ahead, or NULL after its last. */
struct fy_event *yahead_event(struct yahead_piece *pc);
/* Done with a piece read ahead: its events not handed out, its parser and
 * diag freed. */
void yahead_drop(struct yahead_piece *pc);
void yahead_free(struct yahead *ah);

#endif
