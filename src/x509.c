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

#include "diag.h"
#include "net.h"
#include "ossl.h"
#include "osslfn.h"
#include "timefmt.h"
#include "util.h"
#include "x509int.h"

#define SEED_LABEL	"registry-addon server key v2"


struct issue {
	const struct x509_request *req;
	time_t nb, na;
	time_t ca_na;		/* the CA's notAfter */
	const char *cn;
	char cn_ip[64];		/* the first IP SAN, when it is the CN */
	X509 *ca, *x;
	EVP_PKEY *ca_key, *key;
	const EVP_MD *md;	/* NULL for Ed25519 */
};

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
	if (x5_utf8_chars(is->cn) > 64) {
		diag_error(NULL, "server certificate: common name \"%s\" is longer than 64 characters (the X.509 limit)",
			   is->cn);
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

	if (x5_asn1_time(X509_get0_notBefore(is->ca), &from) != 0 || x5_asn1_time(X509_get0_notAfter(is->ca), &to) != 0) {
		ERR_clear_error();
		diag_error(&W_CERT, "%s: the certificate's validity dates cannot be read", is->req->ca_cert_file);
		return -1;
	}
	is->ca_na = to;
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
	is->ca = x5_load_cert(is->req->ca_cert_file);
	if (!is->ca || x5_check_ca(is->ca, is->req->ca_cert_file) != 0)
		return -1;
	is->ca_key = x5_load_key(is->req->ca_key_file);
	if (!is->ca_key || check_key_type(is) != 0 || check_match(is) != 0)
		return -1;
	return check_window(is);
}

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

/* The P-256 key pair d = 1 + (m mod (n - 1)), Q = d G: m a big-endian number
 * of len bytes (FIPS 186-4 B.4.1 asks for len * 8 >= 256 + 64), n the order. */
EVP_PKEY *
x5_p256_key(const unsigned char *m, size_t len)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *q = g ? EC_POINT_new(g) : NULL;
	BN_CTX *bc = BN_CTX_secure_new();
	BIGNUM *d = BN_secure_new(), *n1 = BN_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM *params = NULL;
	EVP_PKEY *key = NULL;
	unsigned char pub[65];
	int ok;

	if (d)
		BN_set_flags(d, BN_FLG_CONSTTIME);
	ok = g && q && bc && d && n1 && bld && pc && BN_copy(n1, EC_GROUP_get0_order(g)) && BN_sub_word(n1, 1) &&
	     BN_bin2bn(m, (int)len, d) && BN_mod(d, d, n1, bc) && BN_add_word(d, 1) &&
	     EC_POINT_mul(g, q, d, NULL, NULL, bc) &&
	     EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), bc) == sizeof(pub) &&
	     OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, SN_X9_62_prime256v1, 0) &&
	     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) &&
	     OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)) &&
	     (params = OSSL_PARAM_BLD_to_param(bld)) && EVP_PKEY_fromdata_init(pc) == 1 &&
	     EVP_PKEY_fromdata(pc, &key, EVP_PKEY_KEYPAIR, params) == 1;
	if (!ok) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n1);
	BN_clear_free(d);
	BN_CTX_free(bc);
	EC_POINT_free(q);
	EC_GROUP_free(g);
	return key;
}

static int
derive_key(struct issue *is)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(is->ca_key);
	unsigned char *der = NULL, m[EVP_MAX_MD_SIZE];
	unsigned int mlen = 0;
	struct buf data = BUF_INIT;
	int derlen = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, &der) : -1;

	PKCS8_PRIV_KEY_INFO_free(p8);
	if (derlen <= 0)
		return x5_ossl_fail(&W_KEY, "encoding the CA key as PKCS#8");
	seed_data(is->req, &data);
	if (HMAC(EVP_sha512(), der, derlen, (unsigned char *)data.p, data.len, m, &mlen) && mlen == 64)
		is->key = x5_p256_key(m, mlen);
	OPENSSL_clear_free(der, (size_t)derlen);
	OPENSSL_cleanse(m, sizeof(m));
	buf_free(&data);
	if (!is->key)
		return x5_ossl_fail(NULL, "deriving the server key");
	return 0;
}

static int
add_server_auth(X509 *x)
{
	/* (OPENSSL_sk_*: OpenSSL's inline sk_TYPE_* helpers would call the library directly, ossl.h) */
	EXTENDED_KEY_USAGE *eku = (EXTENDED_KEY_USAGE *)OPENSSL_sk_new_null();
	int rc = -1;

	if (eku && OPENSSL_sk_push((OPENSSL_STACK *)eku, OBJ_nid2obj(NID_server_auth)) > 0)
		rc = x5_add_ext(x, NID_ext_key_usage, 0, eku);
	OPENSSL_sk_pop_free((OPENSSL_STACK *)eku, (OPENSSL_sk_freefunc)ASN1_OBJECT_free);
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
	if (OPENSSL_sk_push((OPENSSL_STACK *)gens, g) <= 0) {
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
		rc = x5_add_ext(x, NID_subject_alt_name, 0, gens);
	GENERAL_NAMES_free(gens);
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
		akid->keyid = ski ? ASN1_OCTET_STRING_dup(ski) : x5_key_id(ca);
		if (akid->keyid)
			rc = x5_add_ext(x, NID_authority_key_identifier, 0, akid);
	}
	AUTHORITY_KEYID_free(akid);
	return rc;
}

/* Signs twice: the serial is a hash of the signed certificate with serial 0. */
static int
sign_server(struct issue *is)
{
	unsigned char *tbs = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int len, ok;

	if (!ASN1_INTEGER_set(X509_get_serialNumber(is->x), 0) || !X509_sign(is->x, is->ca_key, is->md))
		return x5_ossl_fail(&W_KEY, "signing the server certificate");
	len = i2d_re_X509_tbs(is->x, &tbs);
	ok = len > 0 && EVP_Digest(tbs, (size_t)len, md, &mdlen, EVP_sha256(), NULL) && mdlen == 32;
	OPENSSL_free(tbs);
	if (!ok || x5_set_serial(is->x, md) != 0 || !X509_sign(is->x, is->ca_key, is->md))
		return x5_ossl_fail(&W_KEY, "signing the server certificate");
	return 0;
}

static int
build_server(struct issue *is)
{
	static const int ku[] = { 0 };	/* digitalSignature */
	X509_NAME *subject = x5_cn_name(is->cn, NULL);
	X509 *x = is->x = X509_new();

	if (!subject || !x || !X509_set_version(x, X509_VERSION_3) || !X509_set_subject_name(x, subject) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(is->ca)) || !X509_set_pubkey(x, is->key)) {
		X509_NAME_free(subject);
		return subject ? x5_ossl_fail(NULL, "building the server certificate") : -1;
	}
	X509_NAME_free(subject);
	if (x5_set_validity(x, is->nb, is->na, NULL) != 0)
		return -1;
	if (x5_add_basic(x, 0) != 0 || x5_add_key_usage(x, ku, 1) != 0 || add_server_auth(x) != 0 ||
	    add_sans(x, is->req) != 0 || x5_add_ski(x) != 0 || add_aki(x, is->ca) != 0)
		return x5_ossl_fail(NULL, "adding the server certificate's extensions");
	return sign_server(is);
}

static int
make_pems(struct issue *is, struct x509_result *out)
{
	out->cert_pem = x5_pem_of(is->x, NULL, NULL);
	out->key_pem = out->cert_pem ? x5_pem_of(NULL, is->key, NULL) : NULL;
	out->ca_pem = out->key_pem ? x5_pem_of(is->ca, NULL, &W_CERT) : NULL;
	if (out->ca_pem) {
		time_format(is->na, out->not_after);
		time_format(is->ca_na, out->ca_not_after);
		return 0;
	}
	x509_result_free(out);
	return -1;
}

int
x509_issue(const struct x509_request *req, struct x509_result *out)
{
	struct issue is = { .req = req };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (ossl_load("tls.mode generate") != 0)
		return -1;
	if (x5_parse_window(req->not_before, req->duration, &W_DUR, &is.nb, &is.na) == 0 && check_names(&is) == 0 &&
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
