/* timefmt.c - RFC 3339 and Go durations without the C library's locale or
 * time zone: timegm() and hand-written parsers. */
#include "timefmt.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NS 1000000000ULL

static int
num(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return days[m - 1] + (m == 2 && leap);
}

/* The offset after the seconds: Z, or +hh:mm / -hh:mm; fractions of zeros only. */
static int
parse_offset(const char *p, long *off)
{
	int h, m;

	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p == '0'; p++)
			;
	}
	*off = 0;
	if ((*p == 'Z' || *p == 'z') && !p[1])
		return 0;
	if ((*p != '+' && *p != '-') || strlen(p) != 6 || p[3] != ':')
		return -1;
	h = num(p + 1, 2);
	m = num(p + 4, 2);
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	*off = (*p == '-' ? -1 : 1) * (h * 3600L + m * 60L);
	return 0;
}

/* RFC 3339 (date-time) in whole seconds, to seconds since the epoch (UTC). */
int
time_parse_rfc3339(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d;
	long off;
	time_t t;

	if (!s || strlen(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	y = num(s, 4);
	mo = num(s + 5, 2);
	d = num(s + 8, 2);
	tm.tm_hour = num(s + 11, 2);
	tm.tm_min = num(s + 14, 2);
	tm.tm_sec = num(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || tm.tm_hour < 0 ||
	    tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 59 ||
	    parse_offset(s + 19, &off) != 0)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	t = timegm(&tm) - off;
	if (t < MIN_TIME || t > MAX_TIME)
		return -1;
	*out = t;
	return 0;
}

static uint64_t
duration_unit(const char **p)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "h", 3600 * NS }, { "m", 60 * NS }, { "s", NS },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].name);

		if (strncmp(*p, units[i].name, n) == 0) {
			*p += n;
			return units[i].ns;
		}
	}
	return 0;
}

/* A Go duration (no sign; units h, m, s, ms, us, ns; up to 9 fractional
 * digits), positive and in whole seconds. */
int
time_parse_duration(const char *s, time_t *secs)
{
	uint64_t total = 0;
	const char *p = s;

	if (!s || !*s)
		return -1;
	while (*p) {
		uint64_t v = 0, f = 0, scale = 1, unit;
		const char *start = p;

		for (; *p >= '0' && *p <= '9'; p++) {
			if (v > (INT64_MAX - 9) / 10)
				return -1;
			v = v * 10 + (uint64_t)(*p - '0');
		}
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++) {
				if (scale == NS)
					return -1;
				f = f * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
		if (p == start || (p == start + 1 && *start == '.'))
			return -1;
		unit = duration_unit(&p);
		if (!unit || v > INT64_MAX / unit)
			return -1;
		/* f < scale, so f * (unit / scale) < unit: no overflow */
		v = v * unit + f * (unit / scale) + f * (unit % scale) / scale;
		if (v > INT64_MAX - total)
			return -1;
		total += v;
	}
	if (total == 0 || total % NS)
		return -1;
	*secs = (time_t)(total / NS);
	return 0;
}

void
time_format(time_t t, char out[32])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "@%lld", (long long)t);
}

