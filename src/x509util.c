/* x509util.c - the OpenSSL plumbing x509.c and x509ca.c share (x509int.h):
 * errors, PEM files, validity windows, names, extensions, the CA's checks;
 * and x509_ca_pem(), the CA alone for the nodes. */
#include "x509.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "net.h"
#include "ossl.h"
#include "osslfn.h"
#include "timefmt.h"
#include "util.h"
#include "x509int.h"

_Static_assert(sizeof(time_t) >= 8, "certificate times need a 64-bit time_t");

/* An unexpected OpenSSL failure: its last queued reason; the queue is emptied. */
int
x5_ossl_fail(const struct where *w, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char why[256] = "no reason given";

	if (e)
		ERR_error_string_n(e, why, sizeof(why));
	ERR_clear_error();
	diag_error(w, "%s failed (OpenSSL: %s)", what, why);
	return -1;
}

int
x5_read_file(const char *path, const struct where *w, struct buf *b)
{
	char chunk[4096];
	FILE *fp = fopen(path, "rb");
	size_t n;
	int err;

	if (!fp) {
		diag_error(w, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while (b->len <= MAX_PEM_FILE && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(b, chunk, n);
	err = ferror(fp) ? errno : 0;
	fclose(fp);
	if (err)
		diag_error(w, "cannot read %s: %s", path, strerror(err));
	else if (b->len > MAX_PEM_FILE)
		diag_error(w, "%s is larger than 1 MiB: not a PEM file", path);
	else
		return 0;
	OPENSSL_cleanse(b->p, b->len);
	buf_free(b);
	return -1;
}

/* Never ask for a passphrase on the terminal. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static char *
bio_string(BIO *bio)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	char *s = xmalloc((size_t)n + 1);

	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

/* PEM of a certificate (key == NULL) or of a private key as PKCS#8. */
char *
x5_pem_of(X509 *x, EVP_PKEY *key, const struct where *w)
{
	BIO *bio = BIO_new(key ? BIO_s_secmem() : BIO_s_mem());
	char *s = NULL;
	int ok;

	if (!bio) {
		x5_ossl_fail(w, "BIO_new");
		return NULL;
	}
	ok = key ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) : PEM_write_bio_X509(bio, x);
	if (ok)
		s = bio_string(bio);
	else
		x5_ossl_fail(w, key ? "writing the key as PEM" : "writing the certificate as PEM");
	BIO_free(bio);
	return s;
}

int
x5_asn1_time(const ASN1_TIME *a, time_t *t)
{
	struct tm tm;

	if (!a || ASN1_TIME_to_tm(a, &tm) != 1)
		return -1;
	*t = timegm(&tm);
	return 0;
}

/* notBefore and notAfter: UTCTime up to 2049, GeneralizedTime after (RFC 5280). */
int
x5_set_validity(X509 *x, time_t nb, time_t na, const struct where *w)
{
	if (!ASN1_TIME_set(X509_getm_notBefore(x), nb) || !ASN1_TIME_set(X509_getm_notAfter(x), na))
		return x5_ossl_fail(w, "setting the validity");
	return 0;
}

int
x5_parse_window(const char *not_before, const char *duration, const struct where *dw, time_t *nb, time_t *na)
{
	time_t secs;

	if (time_parse_rfc3339(not_before, nb) != 0) {
		diag_error(&W_NB, "\"%s\" is not an RFC 3339 time in whole seconds, such as 2026-01-01T00:00:00Z or "
			   "2026-01-01T09:00:00+09:00", not_before ? not_before : "");
		return -1;
	}
	if (time_parse_duration(duration, &secs) != 0) {
		diag_error(dw, "\"%s\" is not a positive duration in whole seconds, such as 17520h or 1h30m "
			   "(units h, m, s, ms, us, ns)", duration ? duration : "");
		return -1;
	}
	*na = *nb + secs;
	if (*na > MAX_TIME) {
		diag_error(dw, "%s from %s ends after 9999-12-31T23:59:59Z", duration, not_before);
		return -1;
	}
	return 0;
}

/* Characters, not bytes: X.509 allows 64 in a common name. */
size_t
x5_utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

X509_NAME *
x5_cn_name(const char *cn, const struct where *w)
{
	X509_NAME *n = X509_NAME_new();

	if (!n || !X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0)) {
		X509_NAME_free(n);
		x5_ossl_fail(w, "setting the common name");
		return NULL;
	}
	return n;
}

X509 *
x5_load_cert(const char *path)
{
	struct buf b = BUF_INIT;
	X509 *x = NULL;
	BIO *bio;

	if (!path || !*path) {
		diag_error(&W_CERT, "not set: tls.mode generate needs the CA certificate (a PEM file)");
		return NULL;
	}
	if (x5_read_file(path, &W_CERT, &b) != 0)
		return NULL;
	bio = BIO_new_mem_buf(buf_cstr(&b), (int)b.len);
	if (bio)
		x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	buf_free(&b);
	ERR_clear_error();
	if (!x)
		diag_error(&W_CERT, "%s: not a PEM certificate (-----BEGIN CERTIFICATE-----)", path);
	return x;
}

EVP_PKEY *
x5_load_key(const char *path)
{
	struct buf b = BUF_INIT;
	EVP_PKEY *k = NULL;
	int encrypted;
	BIO *bio;

	if (!path || !*path) {
		diag_error(&W_KEY, "not set: tls.mode generate needs the CA private key (a PEM file)");
		return NULL;
	}
	if (x5_read_file(path, &W_KEY, &b) != 0)
		return NULL;
	bio = BIO_new_mem_buf(buf_cstr(&b), (int)b.len);
	if (bio)
		k = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	encrypted = strstr(buf_cstr(&b), "ENCRYPTED") != NULL;
	OPENSSL_cleanse(b.p, b.len);
	buf_free(&b);
	ERR_clear_error();
	if (!k && encrypted)
		diag_error(&W_KEY, "%s: an encrypted private key: give it unencrypted (no passphrase)", path);
	else if (!k)
		diag_error(&W_KEY, "%s: not a PEM private key (-----BEGIN PRIVATE KEY-----)", path);
	return k;
}

int
x5_check_ca(X509 *ca, const char *path)
{
	uint32_t flags = X509_get_extension_flags(ca);

	if (flags & EXFLAG_INVALID) {
		diag_error(&W_CERT, "%s: the certificate's extensions are malformed", path);
		return -1;
	}
	if (!(flags & EXFLAG_BCONS) || !(flags & EXFLAG_CA)) {
		diag_error(&W_CERT, "%s: not a CA certificate (basicConstraints CA:TRUE is missing)", path);
		return -1;
	}
	if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(ca) & KU_KEY_CERT_SIGN)) {
		diag_error(&W_CERT, "%s: not a CA certificate (its keyUsage lacks keyCertSign)", path);
		return -1;
	}
	return 0;
}

int
x5_add_ext(X509 *x, int nid, int crit, void *value)
{
	return value && X509_add1_ext_i2d(x, nid, value, crit, X509V3_ADD_DEFAULT) == 1 ? 0 : -1;
}

int
x5_add_basic(X509 *x, int ca)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	int rc;

	if (bc)
		bc->ca = ca ? 0xff : 0;
	rc = x5_add_ext(x, NID_basic_constraints, 1, bc);
	BASIC_CONSTRAINTS_free(bc);
	return rc;
}

int
x5_add_key_usage(X509 *x, const int *bits, size_t n)
{
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
	int rc = ku ? 0 : -1;

	for (size_t i = 0; i < n && rc == 0; i++)
		if (!ASN1_BIT_STRING_set_bit(ku, bits[i], 1))
			rc = -1;
	if (rc == 0)
		rc = x5_add_ext(x, NID_key_usage, 1, ku);
	ASN1_BIT_STRING_free(ku);
	return rc;
}

/* SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1). */
ASN1_OCTET_STRING *
x5_key_id(const X509 *x)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	ASN1_OCTET_STRING *id;

	if (!X509_pubkey_digest(x, EVP_sha1(), md, &len))
		return NULL;
	id = ASN1_OCTET_STRING_new();
	if (id && !ASN1_OCTET_STRING_set(id, md, (int)len)) {
		ASN1_OCTET_STRING_free(id);
		id = NULL;
	}
	return id;
}

int
x5_add_ski(X509 *x)
{
	ASN1_OCTET_STRING *id = x5_key_id(x);
	int rc = x5_add_ext(x, NID_subject_key_identifier, 0, id);

	ASN1_OCTET_STRING_free(id);
	return rc;
}

/* 16 bytes, top bit cleared and the next one set: positive, 127 bits. */
int
x5_set_serial(X509 *x, unsigned char b[16])
{
	BIGNUM *bn;
	int ok;

	b[0] = (unsigned char)((b[0] & 0x7f) | 0x40);
	bn = BN_bin2bn(b, 16, NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

int
x509_ca_pem(const char *file, char **out)
{
	X509 *ca;

	*out = NULL;
	if (ossl_load("reading the CA certificate (tls.caCertFile)") != 0)
		return -1;
	ca = x5_load_cert(file);
	if (ca && x5_check_ca(ca, file) == 0)
		*out = x5_pem_of(ca, NULL, &W_CERT);
	X509_free(ca);
	ERR_clear_error();
	return *out ? 0 : -1;
}

int
x509_cert_dates(const char *file, time_t *not_before, time_t *not_after)
{
	X509 *x;
	int rc = -1;

	if (ossl_load("reading a certificate's dates") != 0)
		return -1;
	x = x5_load_cert(file);
	if (x && (x5_asn1_time(X509_get0_notBefore(x), not_before) != 0 ||
		  x5_asn1_time(X509_get0_notAfter(x), not_after) != 0))
		diag_error(&W_CERT, "%s: the certificate's validity dates cannot be read", file);
	else if (x)
		rc = 0;
	X509_free(x);
	ERR_clear_error();
	return rc;
}
