/* crypto.h - the hash and the encoding every run needs, without OpenSSL
 * (loading libcrypto cost every run more than the rest of its start: ossl.h).
 * SHA-256 is FIPS 180-4's; the unit tests check both against OpenSSL's.
 * Nothing is owned across calls but base64()'s result.
 */
#ifndef CRYPTO_H
#define CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

/* Lower-case hex SHA-256 of p[0..n) into out (65 bytes). Returns 0. With
 * the x86 SHA extensions when the CPU has them, unless sha256_portable is
 * set (the unit tests check both ways). */
int sha256_hex(const void *p, size_t n, char out[65]);
extern int sha256_portable;
/* Does the CPU have the SHA extensions crypto.c uses? */
bool sha256_accelerated(void);

/* Standard base64 of p[0..n) ('=' padding, no line breaks), NUL-terminated;
 * caller frees. */
char *base64(const void *p, size_t n);

#endif
