/* crypto.h - the only door to OpenSSL: hashes (and, later, certificates).
 * OpenSSL's 1-on-success is turned into 0/-1 here; nothing is owned across
 * calls.
 */
#ifndef CRYPTO_H
#define CRYPTO_H

#include <stddef.h>

/* Lower-case hex SHA-256 of p[0..n) into out (65 bytes). Returns 0 or -1. */
int sha256_hex(const void *p, size_t n, char out[65]);

/* Standard base64 of p[0..n), NUL-terminated; caller frees. */
char *base64(const void *p, size_t n);

#endif
