/* x509int.h - internal to x509.c, x509ca.c and x509util.c (and tests/x509.c,
 * which checks x5_p256_key() against values worked out by hand): the OpenSSL
 * plumbing they share (errors, files, PEM, validity, names, extensions, the
 * CA's checks). Same convention as x509.h: 0 or -1 after diag_error(), or
 * NULL; a returned object or string is the caller's.
 */
#ifndef X509INT_H
#define X509INT_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "diag.h"

#define MAX_PEM_FILE	(1L << 20)

static const struct where W_CERT = { .field = "spec.tls.caCertFile" };
static const struct where W_KEY = { .field = "spec.tls.caKeyFile" };
static const struct where W_NB = { .field = "spec.tls.notBefore" };
static const struct where W_DUR = { .field = "spec.tls.duration" };
static const struct where W_CADUR = { .field = "spec.tls.caDuration" };
static const struct where W_GEN = { .field = "--generate-ca" };

int x5_ossl_fail(const struct where *w, const char *what);
int x5_read_file(const char *path, const struct where *w, struct buf *b);
char *x5_pem_of(X509 *x, EVP_PKEY *key, const struct where *w);
int x5_asn1_time(const ASN1_TIME *a, time_t *t);
int x5_set_validity(X509 *x, time_t nb, time_t na, const struct where *w);
int x5_parse_window(const char *not_before, const char *duration, const struct where *dw, time_t *nb, time_t *na);
size_t x5_utf8_chars(const char *s);
X509_NAME *x5_cn_name(const char *cn, const struct where *w);
X509 *x5_load_cert(const char *path);
EVP_PKEY *x5_load_key(const char *path);
int x5_check_ca(X509 *ca, const char *path);
int x5_add_ext(X509 *x, int nid, int crit, void *value);
int x5_add_basic(X509 *x, int ca);
int x5_add_key_usage(X509 *x, const int *bits, size_t n);
int x5_add_ski(X509 *x);
int x5_set_serial(X509 *x, unsigned char b[16]);
ASN1_OCTET_STRING *x5_key_id(const X509 *x);
EVP_PKEY *x5_p256_key(const unsigned char *m, size_t len);	/* x509.c; NULL on failure, nothing reported */

#endif
