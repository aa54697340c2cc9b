/* yahead.c - libfyaml's last pieces read on the gate's thread (yahead.h). */
#include "yahead.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "ygate.h"

void
yahead_init(struct yahead *ah, struct ygate *g, const char *text, size_t len, const struct fy_diag_cfg *dcfg)
{
	memset(ah, 0, sizeof(*ah));
	pthread_mutex_init(&ah->mu, NULL);
	pthread_cond_init(&ah->cv, NULL);
	ah->g = g;
	ah->text = text;
	ah->len = len;
	ah->dcfg = *dcfg;
}

/* The pieces, once the pre-scan has passed the whole text with nothing to
 * fix (under mu): false until then, or for ever. */
static bool
known(struct yahead *ah)
{
	const struct ygate_cut *cuts;
	size_t n;

	if (ah->ready)
		return true;
	if (ygate_cuts(ah->g, &cuts, &n) != 1)
		return false;
	ah->np = ah->back = n + 1;
	ah->p = xcalloc(ah->np, sizeof(*ah->p));
	for (size_t i = 0; i < ah->np; i++) {
		ah->p[i].from = i ? cuts[i - 1].pos : 0;
		ah->p[i].to = i < n ? cuts[i].pos : ah->len;
		ah->p[i].end_line = i < n ? cuts[i].line : 0;
	}
	ah->ready = true;
	return true;
}

/* libfyaml on one piece, every event kept (the thread, outside mu). A piece
 * left unread (no memory for a parser) or read in part (stopped) stays the
 * main thread's: pc->fyp is NULL. */
static void
read_ahead(struct yahead *ah, struct yahead_piece *pc)
{
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET };
	struct fy_diag_cfg dcfg = ah->dcfg;
	struct fy_event *ev;

	dcfg.user = &pc->first;	/* the piece's own, not the guard's */
	pc->diag = fy_diag_create(&dcfg);
	if (pc->diag)
		fy_diag_set_collect_errors(pc->diag, true);
	cfg.diag = pc->diag;
	pc->fyp = fy_parser_create(&cfg);
	if (!pc->fyp || fy_parser_set_string(pc->fyp, ah->text + pc->from, pc->to - pc->from) != 0) {
		yahead_drop(pc);
		return;
	}
	while ((ev = fy_parser_parse(pc->fyp)) != NULL) {
		if (pc->nev == pc->cap) {
			pc->cap = grow_cap(pc->cap, pc->nev + 1, 1024);
			pc->ev = xrealloc(pc->ev, pc->cap * sizeof(*pc->ev));
		}
		pc->ev[pc->nev++] = ev;
		if (pc->nev % 256 == 0 && ygate_stopped(ah->g)) {
			yahead_drop(pc);
			return;
		}
	}
}

void
yahead_run(void *arg)
{
	struct yahead *ah = arg;

	pthread_mutex_lock(&ah->mu);
	if (!known(ah)) {
		pthread_mutex_unlock(&ah->mu);
		return;
	}
	while (ah->back > 0 && ah->p[ah->back - 1].from >= ah->main_end && !ygate_stopped(ah->g)) {
		struct yahead_piece *pc = &ah->p[--ah->back];

		pc->state = 1;
		pthread_mutex_unlock(&ah->mu);
		read_ahead(ah, pc);
		pthread_mutex_lock(&ah->mu);
		pc->state = 2;
		pthread_cond_broadcast(&ah->cv);
	}
	pthread_mutex_unlock(&ah->mu);
}

/* The piece that begins at pos (under mu, the pieces known), or NULL. */
static struct yahead_piece *
piece_at(struct yahead *ah, size_t pos)
{
	size_t lo = 0, hi = ah->np;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ah->p[mid].from < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ah->np && ah->p[lo].from == pos ? &ah->p[lo] : NULL;
}

int
yahead_next(struct yahead *ah, size_t pos, size_t *to, int *end_line, struct yahead_piece **taken)
{
	struct yahead_piece *pc;

	*taken = NULL;
	pthread_mutex_lock(&ah->mu);
	if (!known(ah) || !(pc = piece_at(ah, pos))) {
		if (*to > ah->main_end)
			ah->main_end = *to;	/* the thread leaves it alone */
		pthread_mutex_unlock(&ah->mu);
		return 0;
	}
	if ((size_t)(pc - ah->p) >= ah->back) {
		while (pc->state != 2)
			pthread_cond_wait(&ah->cv, &ah->mu);
		if (pc->fyp)
			*taken = pc;
	}
	ah->main_end = pc->to;
	*to = pc->to;
	*end_line = pc->end_line;
	pthread_mutex_unlock(&ah->mu);
	return 1;
}

struct fy_event *
yahead_event(struct yahead_piece *pc)
{
	return pc->next < pc->nev ? pc->ev[pc->next++] : NULL;
}

void
yahead_drop(struct yahead_piece *pc)
{
	for (size_t i = pc->next; i < pc->nev; i++)
		fy_parser_event_free(pc->fyp, pc->ev[i]);
	if (pc->fyp)
		fy_parser_destroy(pc->fyp);
	if (pc->diag)
		fy_diag_destroy(pc->diag);
	free(pc->ev);
	pc->fyp = NULL;
	pc->diag = NULL;
	pc->ev = NULL;
	pc->nev = pc->cap = pc->next = 0;
}

void
yahead_free(struct yahead *ah)
{
	if (!ah->g)
		return;
	for (size_t i = 0; i < ah->np; i++)
		yahead_drop(&ah->p[i]);
	free(ah->p);
	pthread_cond_destroy(&ah->cv);
	pthread_mutex_destroy(&ah->mu);
	ah->g = NULL;
}
