/* host.c - the registry host rule (host.h). ASCII only, whatever the locale. */
#include "host.h"

#include <string.h>

#include "net.h"

static int
bad(const char **why, const char *text)
{
	*why = text;
	return -1;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* An IPv4 (family 4) or IPv6 (6) address, exactly the n bytes at s. */
static int
ip_is(const char *s, size_t n, int family)
{
	char text[64];
	struct ipaddr ip;

	if (n == 0 || n >= sizeof(text) || memchr(s, '%', n))
		return 0;
	memcpy(text, s, n);
	text[n] = '\0';
	return ip_parse(text, &ip) == 0 && ip.family == family;
}

static int
port_check(const char *s, size_t n, const char **why)
{
	long v = 0;

	if (n == 0)
		return bad(why, "an empty port");
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]) || i >= 5)
			return bad(why, "a port that is not a number from 1 to 65535");
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return bad(why, "a port that is not a number from 1 to 65535");
	return 0;
}

static const char *
char_problem(char c)
{
	if ((unsigned char)c >= 0x80)
		return "a non-ASCII character (an internationalised name is written in punycode, xn--...)";
	if ((unsigned char)c <= ' ' || c == 0x7f)
		return "a space or control character";
	return "a character other than ASCII letters, digits, '-' and '.'";
}

/* One label [start, end): 1-63 letters, digits, '-', not at either end. */
static int
label_check(const char *s, size_t n, const char **why)
{
	if (n == 0)
		return bad(why, "an empty label (\"..\", or a leading or trailing dot)");
	if (n > 63)
		return bad(why, "a label of more than 63 characters");
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-')
			return bad(why, char_problem(s[i]));
	if (s[0] == '-' || s[n - 1] == '-')
		return bad(why, "a label that starts or ends with '-'");
	return 0;
}

static int
name_check(const char *s, size_t n, const char **why)
{
	const char *p = s, *end = s + n, *last = s;

	if (n == 0)
		return bad(why, "an empty name");
	for (;;) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		const char *stop = dot ? dot : end;

		if (label_check(p, (size_t)(stop - p), why) != 0)
			return -1;
		last = p;
		if (!dot)
			break;
		p = dot + 1;
	}
	while (last < end && is_digit(*last))
		last++;
	if (last == end)
		return bad(why, "a last label of digits only, but is not an IPv4 address");
	return 0;
}

static int
bracketed_check(const char *s, size_t n, const char **why)
{
	const char *close = memchr(s, ']', n), *end = s + n;

	if (!close)
		return bad(why, "a '[' without its ']'");
	if (!ip_is(s + 1, (size_t)(close - s - 1), 6))
		return bad(why, "brackets that do not hold an IPv6 address (without a %zone)");
	if (close + 1 == end)
		return 0;
	if (close[1] != ':')
		return bad(why, "something other than :port after ']'");
	return port_check(close + 2, (size_t)(end - close - 2), why);
}

int
host_check(const char *s, size_t n, const char **why)
{
	const char *colon, *end = s + n;
	size_t name;

	if (n == 0)
		return bad(why, "no characters");
	if (n > HOST_MAX)
		return bad(why, "more than 253 characters");
	if (s[0] == '[')
		return bracketed_check(s, n, why);
	colon = memchr(s, ':', n);
	if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
		return bad(why, "more than one ':' (an IPv6 address goes in brackets: [fd00::14]:5000)");
	name = colon ? (size_t)(colon - s) : n;
	if (!ip_is(s, name, 4) && name_check(s, name, why) != 0)
		return -1;
	return colon ? port_check(colon + 1, (size_t)(end - colon - 1), why) : 0;
}
