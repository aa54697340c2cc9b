/* x509.c - tls.mode generate behind our error convention: the CA checked,
 * the server key derived, the certificate built and signed (see x509.h). */
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

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "diag.h"
#include "net.h"
#include "timefmt.h"
#include "util.h"

_Static_assert(sizeof(time_t) >= 8, "certificate times need a 64-bit time_t");

#define MAX_PEM_FILE	(1L << 20)
#define NS		1000000000ULL
#define SEED_LABEL	"registry-addon server key v1"

static const struct where W_CERT = { .field = "spec.tls.caCertFile" };
static const struct where W_KEY = { .field = "spec.tls.caKeyFile" };
static const struct where W_NB = { .field = "spec.tls.notBefore" };
static const struct where W_DUR = { .field = "spec.tls.duration" };
static const struct where W_CADUR = { .field = "spec.tls.caDuration" };
static const struct where W_GEN = { .field = "--generate-ca" };

struct issue {
	const struct x509_request *req;
	time_t nb, na;
	const char *cn;
	char cn_ip[64];		/* the first IP SAN, when it is the CN */
	X509 *ca, *x;
	EVP_PKEY *ca_key, *key;
	const EVP_MD *md;	/* NULL for Ed25519 */
};

/* --- errors and files */

/* An unexpected OpenSSL failure: its last queued reason; the queue is emptied. */
static int
ossl_fail(const struct where *w, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char why[256] = "no reason given";

	if (e)
		ERR_error_string_n(e, why, sizeof(why));
	ERR_clear_error();
	diag_error(w, "%s failed (OpenSSL: %s)", what, why);
	return -1;
}

static int
read_file(const char *path, const struct where *w, struct buf *b)
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
static char *
pem_of(X509 *x, EVP_PKEY *key, const struct where *w)
{
	BIO *bio = BIO_new(key ? BIO_s_secmem() : BIO_s_mem());
	char *s = NULL;
	int ok;

	if (!bio) {
		ossl_fail(w, "BIO_new");
		return NULL;
	}
	ok = key ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) : PEM_write_bio_X509(bio, x);
	if (ok)
		s = bio_string(bio);
	else
		ossl_fail(w, key ? "writing the key as PEM" : "writing the certificate as PEM");
	BIO_free(bio);
	return s;
}

/* --- times (RFC 3339 and Go durations: rfc3339.c) */

static int
asn1_time(const ASN1_TIME *a, time_t *t)
{
	struct tm tm;

	if (!a || ASN1_TIME_to_tm(a, &tm) != 1)
		return -1;
	*t = timegm(&tm);
	return 0;
}

/* notBefore and notAfter: UTCTime up to 2049, GeneralizedTime after (RFC 5280). */
static int
set_validity(X509 *x, time_t nb, time_t na, const struct where *w)
{
	if (!ASN1_TIME_set(X509_getm_notBefore(x), nb) || !ASN1_TIME_set(X509_getm_notAfter(x), na))
		return ossl_fail(w, "setting the validity");
	return 0;
}

static int
parse_window(const char *not_before, const char *duration, const struct where *dw, time_t *nb, time_t *na)
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

/* --- names */

static int
dns_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* A host name: labels of letters, digits and '-' (not at either end), 1-63
 * each, 253 in all; "*." in front for a wildcard. */
static int
valid_dns(const char *s)
{
	size_t len = strlen(s), label = 0;
	const char *p = strncmp(s, "*.", 2) == 0 ? s + 2 : s;

	if (len == 0 || len > 253)
		return 0;
	for (;; p++) {
		if (*p == '.' || !*p) {
			if (label == 0 || label > 63 || p[-1] == '-')
				return 0;
			if (!*p)
				return 1;
			label = 0;
		} else if (!dns_char(*p) || (*p == '-' && label == 0)) {
			return 0;
		} else {
			label++;
		}
	}
}

/* Characters, not bytes: X.509 allows 64 in a common name. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int
check_names(struct issue *is)
{
	const struct x509_request *r = is->req;
	struct ipaddr ip;

	for (size_t i = 0; i < r->ndns; i++)
		if (!r->dns[i] || !valid_dns(r->dns[i])) {
			diag_error(NULL, "server certificate: DNS name \"%s\" is not a host name (labels of letters, "
				   "digits and '-', \"*.\" in front for a wildcard)", r->dns[i] ? r->dns[i] : "(null)");
			return -1;
		}
	for (size_t i = 0; i < r->nips; i++)
		if (!r->ips[i] || ip_parse(r->ips[i], &ip) != 0) {
			diag_error(NULL, "server certificate: \"%s\" is not an IPv4 or IPv6 address",
				   r->ips[i] ? r->ips[i] : "(null)");
			return -1;
		}
	if (r->ndns + r->nips == 0) {
		diag_error(NULL, "server certificate: no DNS names and no IP addresses (clients check only those)");
		return -1;
	}
	is->cn = r->common_name && *r->common_name ? r->common_name : r->ndns ? r->dns[0] : NULL;
	if (!is->cn) {
		ip_parse(r->ips[0], &ip);
		ip_format(&ip, is->cn_ip);
		is->cn = is->cn_ip;
	}
	if (utf8_chars(is->cn) > 64) {
		diag_error(NULL, "server certificate: common name \"%s\" is longer than 64 characters (the X.509 limit)",
			   is->cn);
		return -1;
	}
	return 0;
}

static X509_NAME *
cn_name(const char *cn, const struct where *w)
{
	X509_NAME *n = X509_NAME_new();

	if (!n || !X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0)) {
		X509_NAME_free(n);
		ossl_fail(w, "setting the common name");
		return NULL;
	}
	return n;
}

/* --- the CA */

static X509 *
load_cert(const char *path)
{
	struct buf b = BUF_INIT;
	X509 *x = NULL;
	BIO *bio;

	if (!path || !*path) {
		diag_error(&W_CERT, "not set: tls.mode generate needs the CA certificate (a PEM file)");
		return NULL;
	}
	if (read_file(path, &W_CERT, &b) != 0)
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

static EVP_PKEY *
load_key(const char *path)
{
	struct buf b = BUF_INIT;
	EVP_PKEY *k = NULL;
	int encrypted;
	BIO *bio;

	if (!path || !*path) {
		diag_error(&W_KEY, "not set: tls.mode generate needs the CA private key (a PEM file)");
		return NULL;
	}
	if (read_file(path, &W_KEY, &b) != 0)
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

static int
check_ca(X509 *ca, const char *path)
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

/* Only keys whose signatures are deterministic: RSA PKCS#1 v1.5, Ed25519. */
static int
check_key_type(struct issue *is)
{
	const char *path = is->req->ca_key_file;
	EVP_PKEY *k = is->ca_key;

	if (EVP_PKEY_is_a(k, "RSA")) {
		is->md = EVP_sha256();
		return 0;
	}
	if (EVP_PKEY_is_a(k, "ED25519")) {
		is->md = NULL;
		return 0;
	}
	if (EVP_PKEY_is_a(k, "EC"))
		diag_error(&W_KEY, "%s: an ECDSA key, which OpenSSL 3.0 signs with random nonces, so the certificate "
			   "would change on every render: use an RSA or Ed25519 CA", path);
	else
		diag_error(&W_KEY, "%s: a %s key: use an RSA or Ed25519 CA, whose signatures are deterministic",
			   path, EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) : "unknown");
	return -1;
}

static int
check_match(struct issue *is)
{
	EVP_PKEY *pub = X509_get0_pubkey(is->ca);

	if (pub && EVP_PKEY_eq(pub, is->ca_key) == 1)
		return 0;
	ERR_clear_error();
	diag_error(&W_KEY, "%s does not match the CA certificate %s (another public key)", is->req->ca_key_file,
		   is->req->ca_cert_file);
	return -1;
}

static int
check_window(struct issue *is)
{
	char a[32], b[32], c[32], d[32];
	time_t from, to;

	if (asn1_time(X509_get0_notBefore(is->ca), &from) != 0 || asn1_time(X509_get0_notAfter(is->ca), &to) != 0) {
		ERR_clear_error();
		diag_error(&W_CERT, "%s: the certificate's validity dates cannot be read", is->req->ca_cert_file);
		return -1;
	}
	if (from <= is->nb && is->na <= to)
		return 0;
	time_format(from, a);
	time_format(to, b);
	time_format(is->nb, c);
	time_format(is->na, d);
	diag_error(&W_CERT, "%s is valid from %s to %s, which does not cover the server certificate's %s to %s "
		   "(tls.notBefore + tls.duration)", is->req->ca_cert_file, a, b, c, d);
	return -1;
}

static int
load_ca(struct issue *is)
{
	is->ca = load_cert(is->req->ca_cert_file);
	if (!is->ca || check_ca(is->ca, is->req->ca_cert_file) != 0)
		return -1;
	is->ca_key = load_key(is->req->ca_key_file);
	if (!is->ca_key || check_key_type(is) != 0 || check_match(is) != 0)
		return -1;
	return check_window(is);
}

/* --- the server key */

static void
seed_data(const struct x509_request *r, struct buf *b)
{
	struct ipaddr ip;
	char text[64];

	buf_add(b, SEED_LABEL, sizeof(SEED_LABEL));	/* with its NUL */
	for (size_t i = 0; i < r->ndns; i++)
		buf_add(b, r->dns[i], strlen(r->dns[i]) + 1);
	buf_addc(b, '\0');
	for (size_t i = 0; i < r->nips; i++) {
		ip_parse(r->ips[i], &ip);
		ip_format(&ip, text);
		buf_add(b, text, strlen(text) + 1);
	}
}

static int
derive_key(struct issue *is)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(is->ca_key);
	unsigned char *der = NULL, seed[EVP_MAX_MD_SIZE];
	unsigned int seedlen = 0;
	struct buf data = BUF_INIT;
	int derlen = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, &der) : -1;

	PKCS8_PRIV_KEY_INFO_free(p8);
	if (derlen <= 0)
		return ossl_fail(&W_KEY, "encoding the CA key as PKCS#8");
	seed_data(is->req, &data);
	if (HMAC(EVP_sha256(), der, derlen, (unsigned char *)data.p, data.len, seed, &seedlen) && seedlen == 32)
		is->key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	OPENSSL_clear_free(der, (size_t)derlen);
	OPENSSL_cleanse(seed, sizeof(seed));
	buf_free(&data);
	if (!is->key)
		return ossl_fail(NULL, "deriving the server key");
	return 0;
}

/* --- extensions */

static int
add_ext(X509 *x, int nid, int crit, void *value)
{
	return value && X509_add1_ext_i2d(x, nid, value, crit, X509V3_ADD_DEFAULT) == 1 ? 0 : -1;
}

static int
add_basic(X509 *x, int ca)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	int rc;

	if (bc)
		bc->ca = ca ? 0xff : 0;
	rc = add_ext(x, NID_basic_constraints, 1, bc);
	BASIC_CONSTRAINTS_free(bc);
	return rc;
}

static int
add_key_usage(X509 *x, const int *bits, size_t n)
{
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
	int rc = ku ? 0 : -1;

	for (size_t i = 0; i < n && rc == 0; i++)
		if (!ASN1_BIT_STRING_set_bit(ku, bits[i], 1))
			rc = -1;
	if (rc == 0)
		rc = add_ext(x, NID_key_usage, 1, ku);
	ASN1_BIT_STRING_free(ku);
	return rc;
}

static int
add_server_auth(X509 *x)
{
	EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
	int rc = -1;

	if (eku && sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)) > 0)
		rc = add_ext(x, NID_ext_key_usage, 0, eku);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return rc;
}

static int
push_name(GENERAL_NAMES *gens, int type, const void *p, int len)
{
	ASN1_STRING *s = type == GEN_DNS ? ASN1_IA5STRING_new() : ASN1_OCTET_STRING_new();
	GENERAL_NAME *g = GENERAL_NAME_new();

	if (!s || !g || !ASN1_STRING_set(s, p, len)) {
		ASN1_STRING_free(s);
		GENERAL_NAME_free(g);
		return -1;
	}
	GENERAL_NAME_set0_value(g, type, s);
	if (sk_GENERAL_NAME_push(gens, g) <= 0) {
		GENERAL_NAME_free(g);
		return -1;
	}
	return 0;
}

static int
add_sans(X509 *x, const struct x509_request *r)
{
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	struct ipaddr ip;
	int rc = gens ? 0 : -1;

	for (size_t i = 0; i < r->ndns && rc == 0; i++)
		rc = push_name(gens, GEN_DNS, r->dns[i], (int)strlen(r->dns[i]));
	for (size_t i = 0; i < r->nips && rc == 0; i++) {
		ip_parse(r->ips[i], &ip);
		rc = push_name(gens, GEN_IPADD, ip.b, ip.family == 4 ? 4 : 16);
	}
	if (rc == 0)
		rc = add_ext(x, NID_subject_alt_name, 0, gens);
	GENERAL_NAMES_free(gens);
	return rc;
}

/* SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1). */
static ASN1_OCTET_STRING *
key_id(const X509 *x)
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

static int
add_ski(X509 *x)
{
	ASN1_OCTET_STRING *id = key_id(x);
	int rc = add_ext(x, NID_subject_key_identifier, 0, id);

	ASN1_OCTET_STRING_free(id);
	return rc;
}

/* keyid: the CA's subjectKeyIdentifier, or computed the same way. */
static int
add_aki(X509 *x, X509 *ca)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(ca);
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
	int rc = -1;

	if (akid) {
		akid->keyid = ski ? ASN1_OCTET_STRING_dup(ski) : key_id(ca);
		if (akid->keyid)
			rc = add_ext(x, NID_authority_key_identifier, 0, akid);
	}
	AUTHORITY_KEYID_free(akid);
	return rc;
}

/* --- the certificate */

/* 16 bytes, top bit cleared and the next one set: positive, 127 bits. */
static int
set_serial(X509 *x, unsigned char b[16])
{
	BIGNUM *bn;
	int ok;

	b[0] = (unsigned char)((b[0] & 0x7f) | 0x40);
	bn = BN_bin2bn(b, 16, NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

/* Signs twice: the serial is a hash of the signed certificate with serial 0. */
static int
sign_server(struct issue *is)
{
	unsigned char *tbs = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int len, ok;

	if (!ASN1_INTEGER_set(X509_get_serialNumber(is->x), 0) || !X509_sign(is->x, is->ca_key, is->md))
		return ossl_fail(&W_KEY, "signing the server certificate");
	len = i2d_re_X509_tbs(is->x, &tbs);
	ok = len > 0 && EVP_Digest(tbs, (size_t)len, md, &mdlen, EVP_sha256(), NULL) && mdlen == 32;
	OPENSSL_free(tbs);
	if (!ok || set_serial(is->x, md) != 0 || !X509_sign(is->x, is->ca_key, is->md))
		return ossl_fail(&W_KEY, "signing the server certificate");
	return 0;
}

static int
build_server(struct issue *is)
{
	static const int ku[] = { 0 };	/* digitalSignature */
	X509_NAME *subject = cn_name(is->cn, NULL);
	X509 *x = is->x = X509_new();

	if (!subject || !x || !X509_set_version(x, X509_VERSION_3) || !X509_set_subject_name(x, subject) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(is->ca)) || !X509_set_pubkey(x, is->key)) {
		X509_NAME_free(subject);
		return subject ? ossl_fail(NULL, "building the server certificate") : -1;
	}
	X509_NAME_free(subject);
	if (set_validity(x, is->nb, is->na, NULL) != 0)
		return -1;
	if (add_basic(x, 0) != 0 || add_key_usage(x, ku, 1) != 0 || add_server_auth(x) != 0 ||
	    add_sans(x, is->req) != 0 || add_ski(x) != 0 || add_aki(x, is->ca) != 0)
		return ossl_fail(NULL, "adding the server certificate's extensions");
	return sign_server(is);
}

static int
make_pems(struct issue *is, struct x509_result *out)
{
	out->cert_pem = pem_of(is->x, NULL, NULL);
	out->key_pem = out->cert_pem ? pem_of(NULL, is->key, NULL) : NULL;
	out->ca_pem = out->key_pem ? pem_of(is->ca, NULL, &W_CERT) : NULL;
	if (out->ca_pem)
		return 0;
	x509_result_free(out);
	return -1;
}

int
x509_issue(const struct x509_request *req, struct x509_result *out)
{
	struct issue is = { .req = req };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (parse_window(req->not_before, req->duration, &W_DUR, &is.nb, &is.na) == 0 && check_names(&is) == 0 &&
	    load_ca(&is) == 0 && derive_key(&is) == 0 && build_server(&is) == 0 && make_pems(&is, out) == 0)
		rc = 0;
	X509_free(is.x);
	X509_free(is.ca);
	EVP_PKEY_free(is.key);
	EVP_PKEY_free(is.ca_key);
	ERR_clear_error();
	return rc;
}

void
x509_result_free(struct x509_result *r)
{
	if (r->key_pem)
		OPENSSL_cleanse(r->key_pem, strlen(r->key_pem));
	free(r->cert_pem);
	free(r->key_pem);
	free(r->ca_pem);
	memset(r, 0, sizeof(*r));
}

/* --- the CA alone, for the nodes */

int
x509_ca_pem(const char *file, char **out)
{
	X509 *ca = load_cert(file);

	*out = NULL;
	if (ca && check_ca(ca, file) == 0)
		*out = pem_of(ca, NULL, &W_CERT);
	X509_free(ca);
	ERR_clear_error();
	return *out ? 0 : -1;
}

/* --- a new CA */

static X509 *
build_ca(EVP_PKEY *key, const char *cn, time_t nb, time_t na)
{
	static const int ku[] = { 5, 6 };	/* keyCertSign, cRLSign */
	unsigned char serial[16];
	X509_NAME *name = cn_name(cn, &W_GEN);
	X509 *x = X509_new();
	int ok;

	ok = name && x && RAND_bytes(serial, sizeof(serial)) == 1 && set_serial(x, serial) == 0 &&
	     X509_set_version(x, X509_VERSION_3) && X509_set_subject_name(x, name) &&
	     X509_set_issuer_name(x, name) && X509_set_pubkey(x, key) && set_validity(x, nb, na, &W_GEN) == 0 &&
	     add_basic(x, 1) == 0 && add_key_usage(x, ku, 2) == 0 && add_ski(x) == 0 && X509_sign(x, key, NULL);
	X509_NAME_free(name);
	if (ok)
		return x;
	X509_free(x);
	ossl_fail(&W_GEN, "building the CA certificate");
	return NULL;
}

/* Creates path (never replacing a file) with exactly mode and text in it. */
static int
write_new(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	size_t len = strlen(text), off = 0;
	ssize_t n;

	if (fd < 0) {
		diag_error(&W_GEN, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (close(fd) == 0)
		return 0;
	fd = -1;
fail:
	diag_error(&W_GEN, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
	if (fd >= 0)
		close(fd);
	unlink(path);
	return -1;
}

static int
refuse_existing(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0 && errno == ENOENT)
		return 0;
	diag_error(&W_GEN, "%s already exists: not overwriting it", path);
	return -1;
}

static int
write_ca(const char *dir, X509 *x, EVP_PKEY *key)
{
	char *crt = xasprintf("%s/ca.crt", dir), *kp = xasprintf("%s/ca.key", dir);
	char *crt_pem = pem_of(x, NULL, &W_GEN), *key_pem = crt_pem ? pem_of(NULL, key, &W_GEN) : NULL;
	int rc = -1;

	if (key_pem && write_new(kp, key_pem, 0600) == 0) {
		rc = write_new(crt, crt_pem, 0644);
		if (rc != 0)
			unlink(kp);
	}
	if (key_pem)
		OPENSSL_cleanse(key_pem, strlen(key_pem));
	free(key_pem);
	free(crt_pem);
	free(crt);
	free(kp);
	return rc;
}

int
x509_generate_ca(const char *dir, const char *common_name, const char *duration)
{
	char *crt = xasprintf("%s/ca.crt", dir), *kp = xasprintf("%s/ca.key", dir), now[32];
	time_t nb = time(NULL), na;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	int rc = -1;

	time_format(nb, now);
	if (!common_name || !*common_name || utf8_chars(common_name) > 64)
		diag_error(&W_GEN, "the CA's common name must be 1 to 64 characters");
	else if (parse_window(now, duration, &W_CADUR, &nb, &na) == 0 && refuse_existing(kp) == 0 &&
		 refuse_existing(crt) == 0) {
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		if (!key)
			ossl_fail(&W_GEN, "generating an Ed25519 key");
		else if ((x = build_ca(key, common_name, nb, na)))
			rc = write_ca(dir, x, key);
	}
	X509_free(x);
	EVP_PKEY_free(key);
	free(crt);
	free(kp);
	ERR_clear_error();
	return rc;
}
