/* quantity.c - Kubernetes resource quantities (see quantity.h): the scanner
 * of apimachinery's parseQuantityString and suffix table, and the value in
 * nano units computed exactly on decimal digits. */
#include "quantity.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NANO_PER_UNIT 1000000000u
/* 2^63-1 units: past it Kubernetes caps binary quantities and overflows int64 */
#define MAX_UNITS ((quantity_t)INT64_MAX)
#define MAX_NANO (MAX_UNITS * NANO_PER_UNIT)
/* significant digits a binary suffix with a fraction may carry (each is doubled up to 60 times) */
#define MAX_BINARY_DIGITS 4096

static const char *const TOO_LARGE = "a quantity of at most 2^63-1 (9223372036854775807, 8Ei less one)";

struct scanned {
	bool neg, digits;	/* digits: the number part has one (leading zeros count) */
	const char *num, *denom;	/* digits; num without its leading zeros */
	size_t nnum, ndenom;
	const char *suffix;
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* parseQuantityString: sign, leading zeros, numerator, '.', denominator, then
 * suffix characters, an optional sign and digits to the end. */
static int
scan(const char *s, struct scanned *sc)
{
	const char *p = s;

	memset(sc, 0, sizeof(*sc));
	if (*p == '-' || *p == '+')
		sc->neg = *p++ == '-';
	sc->digits = is_digit(*p) || (*p == '.' && is_digit(p[1]));
	while (*p == '0')
		p++;
	for (sc->num = p; is_digit(*p); p++)
		sc->nnum++;
	if (*p == '.')
		for (sc->denom = ++p; is_digit(*p); p++)
			sc->ndenom++;
	sc->suffix = p;
	while (*p && strchr("eEinumkKMGTP", *p))
		p++;
	if (*p == '-' || *p == '+')
		p++;
	while (is_digit(*p))
		p++;
	return *p ? -1 : 0;
}

/* The suffix as base^exp (base 2 or 10). */
static int
suffix_value(const char *sfx, int *base, long *exp, const char **why)
{
	static const struct {
		const char *s;
		int base, exp;
	} table[] = {
		{ "", 10, 0 }, { "n", 10, -9 }, { "u", 10, -6 }, { "m", 10, -3 }, { "k", 10, 3 }, { "M", 10, 6 },
		{ "G", 10, 9 }, { "T", 10, 12 }, { "P", 10, 15 }, { "E", 10, 18 }, { "Ki", 2, 10 }, { "Mi", 2, 20 },
		{ "Gi", 2, 30 }, { "Ti", 2, 40 }, { "Pi", 2, 50 }, { "Ei", 2, 60 },
	};
	const char *p;
	char *end;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(sfx, table[i].s)) {
			*base = table[i].base;
			*exp = table[i].exp;
			return 0;
		}
	if ((sfx[0] != 'e' && sfx[0] != 'E') || !sfx[1])
		goto bad;
	p = sfx + 1 + (sfx[1] == '-' || sfx[1] == '+');
	if (!is_digit(*p))
		goto bad;
	for (const char *d = p; *d; d++)
		if (!is_digit(*d))
			goto bad;
	errno = 0;
	*exp = strtol(sfx + 1, &end, 10);
	if (errno || *end || *exp > INT32_MAX || *exp < INT32_MIN) {
		*why = "a quantity whose exponent fits in 32 bits";
		return -1;
	}
	*base = 10;
	return 0;
bad:
	*why = QUANTITY_RULE;
	return -1;
}

/* digits (n of them, no leading zero) * 2^twos, in place; buf has room for n + 19. */
static size_t
times_pow2(char *d, size_t n, long twos)
{
	for (long t = 0; t < twos; t++) {
		int carry = 0;

		for (size_t i = n; i-- > 0;) {
			int v = (d[i] - '0') * 2 + carry;

			d[i] = (char)('0' + v % 10);
			carry = v / 10;
		}
		if (carry) {
			memmove(d + 1, d, n);
			d[0] = (char)('0' + carry);
			n++;
		}
	}
	return n;
}

/* ceil(digits * 10^shift) into *nano; -1 when above MAX_NANO. */
static int
scale(const char *d, size_t n, long shift, quantity_t *nano)
{
	size_t keep = n;
	bool rest = false;
	quantity_t v = 0;

	if (shift < 0) {
		keep = (size_t)-shift >= n ? 0 : n - (size_t)-shift;
		for (size_t i = keep; i < n && !rest; i++)
			rest = d[i] != '0';
	}
	if (shift > 0 && (size_t)shift + keep > 29)
		return -1;
	if (keep > 29)
		return -1;
	for (size_t i = 0; i < keep; i++)
		v = v * 10 + (quantity_t)(d[i] - '0');
	for (long i = 0; i < shift; i++)
		v *= 10;
	v += rest;
	if (v > MAX_NANO)
		return -1;
	*nano = v;
	return 0;
}

int
quantity_parse(const char *s, struct quantity *q, const char **why)
{
	struct scanned sc;
	int base;
	long exp, shift;
	char *d;
	size_t n = 0, lead = 0;
	int rc;

	memset(q, 0, sizeof(*q));
	*why = QUANTITY_RULE;
	if (!*s || scan(s, &sc) != 0 || suffix_value(sc.suffix, &base, &exp, why) != 0)
		return -1;
	/* "+", "." or "m" alone: ParseQuantity's fast path reads 0 (its slow
	 * path, below a nano, wants a digit); refused here as the typos they are,
	 * which OpenAPI validators (the quantity format) refuse too */
	if (!sc.digits) {
		*why = "a quantity with at least one digit (100m, 512Mi, 0)";
		return -1;
	}
	/* the significant digits of num.denom, without leading and trailing zeros */
	d = xmalloc(sc.nnum + sc.ndenom + 20);
	memcpy(d, sc.num, sc.nnum);
	memcpy(d + sc.nnum, sc.denom ? sc.denom : "", sc.ndenom);
	n = sc.nnum + sc.ndenom;
	while (lead < n && d[lead] == '0')
		lead++;
	memmove(d, d + lead, n - lead);
	n -= lead;
	shift = 9 - (long)sc.ndenom + (base == 10 ? exp : 0);
	while (n && d[n - 1] == '0')
		n--, shift++;
	if (n == 0) {
		free(d);
		return 0;
	}
	if (base == 2 && n > MAX_BINARY_DIGITS) {
		free(d);
		*why = "a quantity of at most 4096 significant digits before a binary suffix";
		return -1;
	}
	if (base == 2)
		n = times_pow2(d, n, exp);
	rc = scale(d, n, shift, &q->nano);
	free(d);
	if (rc != 0) {
		*why = TOO_LARGE;
		return -1;
	}
	q->neg = sc.neg;
	return 0;
}

int
quantity_cmp(const struct quantity *a, const struct quantity *b)
{
	int sa = quantity_is_zero(a) ? 0 : a->neg ? -1 : 1, sb = quantity_is_zero(b) ? 0 : b->neg ? -1 : 1;

	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (a->nano == b->nano)
		return 0;
	return (a->nano < b->nano) == (sa >= 0) ? -1 : 1;
}

bool
quantity_is_zero(const struct quantity *q)
{
	return q->nano == 0;
}

bool
quantity_is_integer(const struct quantity *q)
{
	quantity_t milli = (q->nano + 999999) / 1000000;

	return milli % 1000 == 0;
}

quantity_t
quantity_units(const struct quantity *q)
{
	return (q->nano + NANO_PER_UNIT - 1) / NANO_PER_UNIT;
}
