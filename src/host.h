/* host.h - the one rule for a registry host (host[:port]) that reaches the
 * nodes or the preload: the node script writes <certs.d>/<host>/hosts.toml,
 * so a host is a path component as well as a name.
 *
 * Nothing is owned; the texts are static. host_check() is a predicate like
 * net.c's: it reports nothing, the caller names the document or field.
 */
#ifndef HOST_H
#define HOST_H

#include <stddef.h>

/* What is allowed, for messages ("must be a registry host: " HOST_RULE). */
#define HOST_RULE "a DNS name (labels of letters, digits and '-', not starting or ending with '-', " \
	"at most 63 characters each), an IPv4 address or a bracketed IPv6 address ([fd00::14]), " \
	"with an optional :port from 1 to 65535; at most 253 characters in all"
#define HOST_MAX 253

/* 0 if the n bytes at s are a registry host by HOST_RULE:
 *   host := (dns-name | ipv4 | "[" ipv6 "]") [":" port]
 *   dns-name := label ("." label)*, label := [A-Za-z0-9] | [A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9],
 *               its last label not all digits (dotted numbers must be an IPv4 address)
 *   ipv4 := inet_pton(AF_INET) (four decimal octets, no leading zeros)
 *   ipv6 := inet_pton(AF_INET6) (no zone: '%' is not allowed)
 *   port := 1 to 5 digits, value 1-65535
 * and n <= HOST_MAX. Else -1 with *why set to the first problem found
 * (e.g. "an empty label"). */
int host_check(const char *s, size_t n, const char **why);

#endif
