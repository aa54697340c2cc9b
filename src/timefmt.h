/* timefmt.h - RFC 3339 times and Go durations, as the configuration writes
 * them (tls.notBefore, tls.duration), to and from seconds since the epoch.
 * Pure functions; nothing owned. Return 0, or -1 for text that is not valid
 * (not reported: the caller names the field).
 */
#ifndef TIMEFMT_H
#define TIMEFMT_H

#include <time.h>

#define MIN_TIME (-62135596800LL)	/* 0001-01-01T00:00:00Z */
#define MAX_TIME 253402300799LL		/* 9999-12-31T23:59:59Z */

/* RFC 3339 date-time in whole seconds (Z or +hh:mm; a fraction of zeros only). */
int time_parse_rfc3339(const char *s, time_t *out);
/* A Go duration (units h, m, s, ms, us, ns), positive, in whole seconds. */
int time_parse_duration(const char *s, time_t *secs);
/* 2026-01-01T00:00:00Z into out[32]. */
void time_format(time_t t, char out[32]);

#endif
