/* net.c - address parsing and CIDR arithmetic (inet_pton/inet_ntop based). */
#include "net.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static int
nbytes(int family)
{
	return family == 4 ? 4 : 16;
}

int
ip_parse(const char *s, struct ipaddr *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->b) == 1) {
		ip->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->b) == 1) {
		ip->family = 6;
		return 0;
	}
	return -1;
}

int
cidr_parse(const char *s, struct cidr *c)
{
	const char *slash = strchr(s, '/');
	char addr[64], *end;
	long prefix;
	int n;

	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return -1;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (ip_parse(addr, &c->base) != 0 || !slash[1])
		return -1;
	prefix = strtol(slash + 1, &end, 10);
	n = nbytes(c->base.family);
	if (*end || prefix < 0 || prefix > n * 8)
		return -1;
	c->prefix = (int)prefix;
	for (int bit = c->prefix; bit < n * 8; bit++)
		c->base.b[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
	return 0;
}

bool
cidr_contains(const struct cidr *c, const struct ipaddr *ip)
{
	if (ip->family != c->base.family)
		return false;
	for (int bit = 0; bit < c->prefix; bit++) {
		unsigned mask = 0x80u >> (bit % 8);

		if ((ip->b[bit / 8] & mask) != (c->base.b[bit / 8] & mask))
			return false;
	}
	return true;
}

int
cidr_nth(const struct cidr *c, unsigned long n, struct ipaddr *out)
{
	unsigned long carry = n;

	*out = c->base;
	for (int i = nbytes(c->base.family) - 1; i >= 0 && carry; i--) {
		unsigned long v = out->b[i] + (carry & 0xff);

		out->b[i] = (unsigned char)v;
		carry = (carry >> 8) + (v >> 8);
	}
	if (carry || !cidr_contains(c, out))
		return -1;
	return 0;
}

void
ip_format(const struct ipaddr *ip, char out[64])
{
	if (!inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->b, out, 64))
		strcpy(out, "?");
}

/* ip + 1 within c, or -1 past its end. */
int
ip_next(const struct cidr *c, const struct ipaddr *ip, struct ipaddr *out)
{
	int i;

	*out = *ip;
	for (i = nbytes(ip->family) - 1; i >= 0 && ++out->b[i] == 0; i--)
		;
	return i < 0 || !cidr_contains(c, out) ? -1 : 0;
}

bool
ip_equal(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && !memcmp(a->b, b->b, (size_t)nbytes(a->family));
}

/* Which address of c Kubernetes never hands to a Service of ours: the
 * network address, the first address (the "kubernetes" Service) and, for
 * IPv4, the broadcast address (pkg/registry/core/service/ipallocator). */
const char *
cidr_reserved(const struct cidr *c, const struct ipaddr *ip)
{
	struct ipaddr first, next;

	if (ip_equal(ip, &c->base))
		return "the network address";
	if (cidr_nth(c, 1, &first) == 0 && ip_equal(ip, &first))
		return "the first address (the kubernetes Service's)";
	if (ip->family == 4 && ip_next(c, ip, &next) != 0)
		return "the broadcast address";	/* the last address of the range */
	return NULL;
}
