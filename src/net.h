/* net.h - IPv4/IPv6 addresses and CIDR ranges for the fixed registry ClusterIP.
 * Plain values, nothing owned. Functions return 0 or -1 (not reported: the
 * caller knows which field was wrong and says so).
 */
#ifndef NET_H
#define NET_H

#include <stdbool.h>
#include <stddef.h>

struct ipaddr {
	int family;		/* 4 or 6 */
	unsigned char b[16];	/* IPv4 uses b[0..3] */
};

struct cidr {
	struct ipaddr base;	/* host bits cleared */
	int prefix;
};

int ip_parse(const char *s, struct ipaddr *ip);
int cidr_parse(const char *s, struct cidr *c);
/* base + n, or -1 if that falls outside the range. */
int cidr_nth(const struct cidr *c, unsigned long n, struct ipaddr *out);
bool cidr_contains(const struct cidr *c, const struct ipaddr *ip);
/* ip + 1, or -1 if that falls outside c. */
int ip_next(const struct cidr *c, const struct ipaddr *ip, struct ipaddr *out);
bool ip_equal(const struct ipaddr *a, const struct ipaddr *b);
/* Why Kubernetes never allocates ip from c (a static string), or NULL. */
const char *cidr_reserved(const struct cidr *c, const struct ipaddr *ip);
/* Canonical text (inet_ntop) into out[64]. */
void ip_format(const struct ipaddr *ip, char out[64]);

#endif
