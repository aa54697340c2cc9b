/* x509.c - tests for src/x509.c (tls.mode generate), and a small CLI that
 * tests/tls.sh drives:
 *   x509                       the unit tests; the last line is "N passed, N failed"
 *   x509 issue CA.crt CA.key NOTBEFORE DURATION CN DNS,DNS,... IP,IP,... OUTDIR
 *                              writes OUTDIR/tls.crt, tls.key and ca.crt
 *                              (an empty CN or list: none)
 *   x509 generate-ca DIR CN DURATION
 * Some CAs are made with Debian's openssl command, in a temporary directory. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "crypto.h"
#include "diag.h"
#include "ossl.h"
#include "util.h"
#include "x509.h"
#include "x509int.h"

#include "harness.h"

static char tmp[] = "/tmp/x509-unit.XXXXXX";

#define REFUSED(r, field, needle, name) refused_((r), (field), (needle), (name), __LINE__)

/* Fixed CAs (openssl ca -selfsign, 2000-01-01 to 2099-12-31): with them the
 * issued bytes are pinned below, on every machine. */
static const char ED_CRT[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBSDCB+6ADAgECAgEBMAUGAytlcDArMSkwJwYDVQQDDCByZWdpc3RyeS1hZGRv\n"
	"biB0ZXN0IENBIChFZDI1NTE5KTAgFw0wMDAxMDEwMDAwMDBaGA8yMDk5MTIzMTIz\n"
	"NTk1OVowKzEpMCcGA1UEAwwgcmVnaXN0cnktYWRkb24gdGVzdCBDQSAoRWQyNTUx\n"
	"OSkwKjAFBgMrZXADIQAbBIQBhbQCIrYg0RSZ+kjZMEJSUDZTke2LHdMBSK1JwaNC\n"
	"MEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFK0M\n"
	"/H89QqpabqQZOChLAQQrxLPPMAUGAytlcANBADLGV/fbmJ9g877VyJ7XCK8wuN4w\n"
	"l7lnGmB45gAv5FPXWVIrPPRL9XbVkECzvtdlShbsbsfoofPINq0iwQ5NVAs=\n"
	"-----END CERTIFICATE-----\n";

static const char ED_KEY[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIKqE6Bk3Uad/Ir0d1t0uP7uQDA3W/RCzcEBMt4Uw4Uv5\n"
	"-----END PRIVATE KEY-----\n";

static const char RSA_CRT[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDDTCCAfWgAwIBAgIBAjANBgkqhkiG9w0BAQsFADAnMSUwIwYDVQQDDBxyZWdp\n"
	"c3RyeS1hZGRvbiB0ZXN0IENBIChSU0EpMCAXDTAwMDEwMTAwMDAwMFoYDzIwOTkx\n"
	"MjMxMjM1OTU5WjAnMSUwIwYDVQQDDBxyZWdpc3RyeS1hZGRvbiB0ZXN0IENBIChS\n"
	"U0EpMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnHUrWRGG5shkLcYJ\n"
	"PyT76T5eOS897NKNokKKW9r51RgF7bg2Ou1DumsZZHvf4BU//b0Vhf9WiySGC2/1\n"
	"nvlmwy+TwWoJzS4TA0H428icTgVNTRFI5skwPrsRkl1Z8Aj0gldnzBqdkp/C8ZQA\n"
	"AvUXNVzH8taMbRAqp8FTmS60tcyIqtDXCZkJENieNB7/vQQfeFJ8oeCeCvHeMzGF\n"
	"RGhsAM3n22OBERroqsvepxlF626x9ZXwGweTpO/yY6oZRhXQddWBX0C0GjfxV1Kf\n"
	"xGfLR53D+3f75JtRIRuLbplGNG5BCsd8IBANRJxIjCJQ0iHOh9RbnQ+S3LDu4mKk\n"
	"m0iezQIDAQABo0IwQDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAd\n"
	"BgNVHQ4EFgQUpTWzh71o/NLdcHZIdSyC/RGYZXYwDQYJKoZIhvcNAQELBQADggEB\n"
	"AAwUtDBeA0phvquBRrX4Uw4CPyEowFZVPdPZSoUb99qABVDlo8oYQjGLhUXWv46c\n"
	"uIfJsKiXIF0XzjuMatJmQXaSCLH7WwBgI4RuQGSnYbgXF3ryb1NocdpL3SSjt2bO\n"
	"3tyIr73hV41AXgeOzJ5QZMKfOeNBE6shr1CFIXnco3Ce75qhoi/LMNo/PPGVgfwN\n"
	"irbIH15CUpPbQ9W3hTRZLq6SSU7xfo/NtiU4bCq5RNIYsR7M5Zu/0c6Y8YDPTvY0\n"
	"mUeANUft33FsK/WNOsbOIOREB3MjloX0MGdKmW3IpsKPCGTMYykEywtG6KkSml1g\n"
	"jn+8YikDN8VwJQnHLe1eD0g=\n"
	"-----END CERTIFICATE-----\n";

static const char RSA_KEY[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCcdStZEYbmyGQt\n"
	"xgk/JPvpPl45Lz3s0o2iQopb2vnVGAXtuDY67UO6axlke9/gFT/9vRWF/1aLJIYL\n"
	"b/We+WbDL5PBagnNLhMDQfjbyJxOBU1NEUjmyTA+uxGSXVnwCPSCV2fMGp2Sn8Lx\n"
	"lAAC9Rc1XMfy1oxtECqnwVOZLrS1zIiq0NcJmQkQ2J40Hv+9BB94Unyh4J4K8d4z\n"
	"MYVEaGwAzefbY4ERGuiqy96nGUXrbrH1lfAbB5Ok7/JjqhlGFdB11YFfQLQaN/FX\n"
	"Up/EZ8tHncP7d/vkm1EhG4tumUY0bkEKx3wgEA1EnEiMIlDSIc6H1FudD5LcsO7i\n"
	"YqSbSJ7NAgMBAAECggEAJdbIlxAAGkyYveFJVzYwnqZwz0+3oFED5BxHrhN1nK3k\n"
	"sSt+Ih5D5RAF4iF7cYxyH4HddLzeR2Sb7qQzOTGEQux8xahJmo/sFTudXjpUYyIx\n"
	"IdRuVzKNMn63rzhYig8AY42UEu7U8SMmWJq8rfpslIFN8lMlPzNLvaqp90AugFEI\n"
	"XyAiGfoBv3jUim1TqzzdS+Bs04ud3qumJAGGa7+PeKqEpscq8FEfRR5P1sOfxIIq\n"
	"m2CZjwOXRJqkNJaqEK2jjr436QA/p1ORi31oHSPCweTJicbZ6cFhr+RPjd2n+Us5\n"
	"UIuTRBu5Hf1Op5sS5wO4mIKT1FB4F/jNF85naYMWAQKBgQDNFFiGpC9PBsOSwuwz\n"
	"cDcR3u5pd9SidrjfHDdf3LlIv5Mb5LWhUuWF2ekP/H9rf8aIpcAkxdcg3ZLV27NB\n"
	"j+buF4aPq2UDfP07imQwMvcsqzHNvHjy0+HgtvVfhhuOFQ6gyotdyBULGpySl3ww\n"
	"w2OxP6c/VGcEbRe3B1VdGJaijQKBgQDDTjuQnMc/dWIFrAYnas09Af30SIBQkCkG\n"
	"lu8fu0B7FSLvmuCgV0Im/LpIuLGWUvI+/pLxz8rRrm1pS4s7NwtAGuVeMCgsJagj\n"
	"WspDVjLTbobY12UNg2ks8hyeazvCaWyy5LTenYM1sRUd/QUOGIUz/LKlGq/JH4Fc\n"
	"irkL0PT9QQKBgECXFN6rHV9VcQlrLPtyb1XIkexT2nukyssyVtpxaUXZWJrjaLU7\n"
	"p6CFplrrmrIf10a4dZDfYscuIg4LGSUgDoqUjEP5pmH33sX+61km5CSEcrYqkylf\n"
	"xHeDCDsiwND6HtZTlJtf5gjOQ9wDrBCrqV1s/975VUzWky6JN8CPevoNAoGBAIeu\n"
	"4B7VbG8fw5uhKR1VS4Soz59YhxxxKq9TSIlI88EOrBi+BnQeauzfAyPmfCmtMnKl\n"
	"Nb0c2RDXF1fhjbbzxLMifFr1JdOVzbvSJVammeTdkn0vFxtOQlFhWpSMdxXXXBbk\n"
	"YOuPjkpM3hjZYRur2U6Gri2Z3qnhY2PBVFFrN+iBAoGAI72100ruBiyBwd4NsYJj\n"
	"yIPqLOHlyvRWel/GGhPwVGGy8OVt72/83weRXZwtneAjaixX9iqxQzHMQRdmj8IM\n"
	"sPoZpDNlrnWSgf0JTIVjAfMROE8KsLc7+LYrfZGEJ7oSyWlU7Z5cxpRrx0rPiB4K\n"
	"Ac5KudVxhZhVuQA5u+hZFq4=\n"
	"-----END PRIVATE KEY-----\n";
/* What the fixed CAs issue for base() (SHA-256 of the PEM text; tests/tls.sh
 * redoes the key derivation with the openssl command and node). */
#define ED_CERT_SHA "febe7fd6c9aa81cec0240ab34ad22a190c1d3a6158698f542583c0f6ad96c7e8"
#define ED_KEY_SHA "3d1438aa9499b51815ac407ae9523f75da1720eb6dfbf547a07ce59c8f6bb9f8"
#define RSA_CERT_SHA "6865cc0b0f6b36e5bcc9be5bb01e7c880109bd474d55d2e6f2a0b0f2c841a7e0"
#define RSA_KEY_SHA "ab244c47af05fa1fb88929e6e2d523ff7904cd5f4d714f7205c7e05c55fe1cb3"

static const char *const DNS[] = {
	"registry", "registry.registry-system", "registry.registry-system.svc",
	"registry.registry-system.svc.cluster.local",
};
static const char *const IPS[] = { "10.96.0.20", "127.0.0.1" };

/* tmp/name, in one of 8 rotating buffers */
static const char *
at(const char *name)
{
	static char bufs[8][256];
	static int i;
	char *b = bufs[i++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", tmp, name);
	return b;
}

static int
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	int ok = fp && fputs(text, fp) >= 0;

	if (fp && fclose(fp) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static char *
read_text(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (!fp)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	buf_cstr(&b);
	return b.p;
}

/* Runs a shell command in tmp, quietly; 0 if it succeeded. */
static int
sh(const char *fmt, ...)
{
	struct buf cmd = BUF_INIT;
	va_list ap;
	int rc;

	buf_addf(&cmd, "cd '%s' && { ", tmp);
	va_start(ap, fmt);
	buf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	buf_adds(&cmd, "; } > /dev/null 2>&1");
	rc = system(buf_cstr(&cmd));
	buf_free(&cmd);
	return rc == 0 ? 0 : -1;
}

static void
base(struct x509_request *r, const char *crt, const char *key)
{
	memset(r, 0, sizeof(*r));
	r->ca_cert_file = at(crt);
	r->ca_key_file = at(key);
	r->not_before = "2026-01-01T00:00:00Z";
	r->duration = "17520h";
	r->dns = DNS;
	r->ndns = 4;
	r->ips = IPS;
	r->nips = 2;
}

static int
issue(const struct x509_request *r, struct x509_result *res)
{
	int rc;

	diag_set_quiet(1);
	rc = x509_issue(r, res);
	diag_set_quiet(0);
	if (rc != 0 && diag_count())
		printf("#   %s\n", diag_get(diag_count() - 1)->text);
	diag_reset();
	return rc;
}

static int
same(const struct x509_result *a, const struct x509_result *b)
{
	return a->cert_pem && b->cert_pem && strcmp(a->cert_pem, b->cert_pem) == 0 &&
	       strcmp(a->key_pem, b->key_pem) == 0 && strcmp(a->ca_pem, b->ca_pem) == 0;
}

static int
sha_is(const char *text, const char *want, const char *what)
{
	char hex[65] = "";

	if (!text || sha256_hex(text, strlen(text), hex) != 0)
		return 0;
	if (strcmp(hex, want) != 0)
		printf("#   %s: sha256 %s\n", what, hex);
	return strcmp(hex, want) == 0;
}

/* x509_issue(r) fails with one message on field containing needle, and out is empty. */
static void
refused_(const struct x509_request *r, const char *field, const char *needle, const char *name, int line)
{
	static char poison;
	struct x509_result res = { &poison, &poison, &poison, "poison", "poison" };
	const struct diag_msg *m;
	int rc, good;

	diag_reset();
	diag_set_quiet(1);
	rc = x509_issue(r, &res);
	diag_set_quiet(0);
	m = diag_count() == 1 ? diag_get(0) : NULL;
	good = rc == -1 && !res.cert_pem && !res.key_pem && !res.ca_pem && !*res.not_after && !*res.ca_not_after &&
	       m && strstr(m->text, needle) &&
	       (field ? m->field && strcmp(m->field, field) == 0 : !m->field);
	ok_(good, name, __FILE__, line);
	if (!good)
		printf("    Got:      rc %d, %zu message(s), %s: %s\n    Expected: %s: ...%s...\n", rc, diag_count(),
		       m && m->field ? m->field : "(no field)", m ? m->text : "(none)", field ? field : "(no field)",
		       needle);
	if (rc == 0)
		x509_result_free(&res);
	diag_reset();
}

/* The base64 of PKCS#8 { v0, { id-ecPublicKey, prime256v1 }, ECPrivateKey
 * { v1, 32-byte d, [1] Q } }, up to d. */
#define P256_PKCS8 "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg"

/* What the openssl command reads in an issued certificate and key: an EC
 * P-256 key that checks out and pairs with the certificate, the chain
 * verified as a TLS server's (at 2026-01-02), keyUsage digitalSignature
 * alone (critical). */
static void
served(const struct x509_result *a, const char *ca, const char *what)
{
	char name[128];
	int ok = a->cert_pem && write_text(at("srv.crt"), a->cert_pem) == 0 && write_text(at("srv.key"), a->key_pem) == 0;

	snprintf(name, sizeof(name), "%s: openssl pkey -check: an EC key on prime256v1 (NIST P-256)", what);
	OK(ok && sh("openssl pkey -in srv.key -check -noout -text > k.txt && grep -qx 'Key is valid' k.txt && "
		    "grep -qx 'ASN1 OID: prime256v1' k.txt && grep -qx 'NIST CURVE: P-256' k.txt") == 0, name);
	snprintf(name, sizeof(name), "%s: the certificate's key is id-ecPublicKey P-256, the key's pair", what);
	OK(ok && sh("openssl x509 -in srv.crt -noout -text > c.txt && grep -q 'Public Key Algorithm: id-ecPublicKey' "
		    "c.txt && grep -q 'NIST CURVE: P-256' c.txt && "
		    "[ \"$(openssl pkey -in srv.key -pubout)\" = \"$(openssl x509 -in srv.crt -noout -pubkey)\" ]") == 0,
	   name);
	snprintf(name, sizeof(name), "%s: openssl verify -x509_strict -purpose sslserver", what);
	OK(ok && sh("openssl verify -attime 1767312000 -x509_strict -purpose sslserver -CAfile %s srv.crt", ca) == 0,
	   name);
	snprintf(name, sizeof(name), "%s: keyUsage digitalSignature only (no keyEncipherment for EC), critical", what);
	OK(ok && sh("[ \"$(openssl x509 -in srv.crt -noout -ext keyUsage | tr -d ' \\n')\" = "
		    "'X509v3KeyUsage:criticalDigitalSignature' ]") == 0, name);
}

static void
test_fixed(void)
{
	struct x509_request r;
	struct x509_result a = { 0 }, b = { 0 };

	base(&r, "ed.crt", "ed.key");
	OK(issue(&r, &a) == 0 && issue(&r, &b) == 0, "Ed25519 CA: issues");
	OK(same(&a, &b), "Ed25519 CA: two runs, identical certificate, key and CA PEM");
	OK(sha_is(a.cert_pem, ED_CERT_SHA, "Ed25519 CA cert"), "Ed25519 CA: certificate bytes as pinned");
	OK(sha_is(a.key_pem, ED_KEY_SHA, "Ed25519 CA key"), "Ed25519 CA: key bytes as pinned");
	OK(a.ca_pem && strcmp(a.ca_pem, ED_CRT) == 0, "Ed25519 CA: ca_pem is the CA certificate");
	OK(strcmp(a.not_after, "2028-01-01T00:00:00Z") == 0, "not_after: notBefore 2026-01-01 + 17520h, RFC 3339");
	OK(sh("[ \"$(date -u -d \"$(openssl x509 -in ed.crt -noout -enddate | cut -d= -f2)\" +%%Y-%%m-%%dT%%H:%%M:%%SZ)\" = %s ]",
	      a.ca_not_after) == 0 && strlen(a.ca_not_after) == 20, "ca_not_after: the CA's notAfter as openssl reads it, RFC 3339");
	OK(a.key_pem && strncmp(a.key_pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0, "key is PKCS#8 PEM");
	OK(a.key_pem && strncmp(a.key_pem + 28, P256_PKCS8, strlen(P256_PKCS8)) == 0 && strlen(a.key_pem) == 241,
	   "key: PKCS#8 of an EC P-256 key with its public key (fixed DER prefix, 241 bytes of PEM)");
	served(&a, "ed.crt", "Ed25519 CA");
	OK(a.cert_pem && strncmp(a.cert_pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0, "certificate is PEM");
	x509_result_free(&a);
	x509_result_free(&b);
	OK(!a.cert_pem && !a.key_pem && !a.ca_pem, "x509_result_free leaves it empty");

	base(&r, "rsa.crt", "rsa.key");
	OK(issue(&r, &a) == 0 && issue(&r, &b) == 0, "RSA CA: issues");
	OK(same(&a, &b), "RSA CA: two runs, identical");
	OK(sha_is(a.cert_pem, RSA_CERT_SHA, "RSA CA cert"), "RSA CA: certificate bytes as pinned");
	OK(sha_is(a.key_pem, RSA_KEY_SHA, "RSA CA key"), "RSA CA: key bytes as pinned");
	OK(a.ca_pem && strcmp(a.ca_pem, RSA_CRT) == 0, "RSA CA: ca_pem is the CA certificate");
	served(&a, "rsa.crt", "RSA CA");
	x509_result_free(&b);
	r.ca_key_file = at("rsa1.key");
	OK(issue(&r, &b) == 0 && same(&a, &b), "RSA CA key as PKCS#1 (BEGIN RSA PRIVATE KEY): the same bytes");
	x509_result_free(&a);
	x509_result_free(&b);
}

/* x5_p256_key(m) against d and Q worked out by hand (python3 with the
 * curve's n = ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551;
 * G and -G from SEC 2): d in hex, Q as x||y in hex or NULL (then only
 * EVP_PKEY_check, which includes d G = Q). */
static void
p256_is(const unsigned char *m, size_t len, const char *d_hex, const char *q_hex, const char *name)
{
	EVP_PKEY *k = x5_p256_key(m, len);
	EVP_PKEY_CTX *c = k ? EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL) : NULL;
	unsigned char d[32], q[65];
	char dh[65], qh[129];
	BIGNUM *bn = NULL;
	size_t qlen = 0;
	int ok;

	ok = c && EVP_PKEY_check(c) == 1 && EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &bn) &&
	     BN_bn2binpad(bn, d, sizeof(d)) == sizeof(d) &&
	     EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, q, sizeof(q), &qlen) && qlen == 65 && q[0] == 4;
	for (size_t i = 0; ok && i < 32; i++)
		snprintf(dh + 2 * i, 3, "%02x", d[i]);
	for (size_t i = 0; ok && i < 64; i++)
		snprintf(qh + 2 * i, 3, "%02x", q[i + 1]);
	ok = ok && strcmp(dh, d_hex) == 0 && (!q_hex || strcmp(qh, q_hex) == 0);
	OK(ok, name);
	if (!ok)
		printf("    Got:      d %s\n              Q %s\n", k && bn ? dh : "(none)", k && qlen == 65 ? qh : "(none)");
	BN_free(bn);
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(k);
}

static void
test_p256(void)
{
	static const char one[] = "0000000000000000000000000000000000000000000000000000000000000001";
	static const char g[] = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
				"4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
	static const char minus_g[] = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
				      "b01cbd1c01e58065711814b583f061e9d431cca994cea1313449bf97c840ae0a";
	static const unsigned char n1[32] = {	/* n - 1 */
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x50,
	};
	unsigned char m[64];

	memset(m, 0, sizeof(m));
	p256_is(m, 64, one, g, "P-256 from m = 0: d = 1, Q = G");
	p256_is(n1, 32, one, g, "P-256 from m = n - 1: d wraps to 1 (never 0)");
	memcpy(m, n1, 32);
	m[31]--;
	p256_is(m, 32, "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550", minus_g,
		"P-256 from m = n - 2: d = n - 1 (the largest), Q = -G");
	memset(m, 0xff, sizeof(m));
	p256_is(m, 64, "66e12d96f3d9561f2845b2382b6bec58cccb844181c03d42909a7f58b0f66550", NULL,
		"P-256 from m = 2^512 - 1: d = 1 + (m mod (n - 1)), a valid pair");
	memset(m, 0xab, sizeof(m));
	p256_is(m, 64, "f3ac1588af91be45c3aa3843c8c9e0bfe31403bd86c43ae4b8f8735419d9d2dc", NULL,
		"P-256 from m = ab..ab (64 bytes): d as computed by hand, a valid pair");
}

/* Issues a and b from r and from r with one change; reports key/cert equality. */
static void
differ(const struct x509_request *r, const struct x509_request *r2, int key_same, const char *name)
{
	struct x509_result a = { 0 }, b = { 0 };
	int ok = issue(r, &a) == 0 && issue(r2, &b) == 0;

	ok = ok && (strcmp(a.key_pem, b.key_pem) == 0) == key_same && strcmp(a.cert_pem, b.cert_pem) != 0;
	OK(ok, name);
	x509_result_free(&a);
	x509_result_free(&b);
}

static void
equal(const struct x509_request *r, const struct x509_request *r2, const char *name)
{
	struct x509_result a = { 0 }, b = { 0 };

	OK(issue(r, &a) == 0 && issue(r2, &b) == 0 && same(&a, &b), name);
	x509_result_free(&a);
	x509_result_free(&b);
}

static void
test_changes(void)
{
	static const char *const dns2[] = { "registry", "registry.registry-system", "registry.registry-system.svc",
					    "registry.registry-system.svc.cluster.locaL" };
	static const char *const dns3[] = { "registry.registry-system", "registry", "registry.registry-system.svc",
					    "registry.registry-system.svc.cluster.local" };
	static const char *const ips2[] = { "10.96.0.21", "127.0.0.1" };
	static const char *const ips6[] = { "fd00:0:0:0:0:0:0:1", "127.0.0.1" };
	static const char *const ips6c[] = { "fd00::1", "127.0.0.1" };
	struct x509_request r, r2;

	base(&r, "ed.crt", "ed.key");
	r2 = r;
	r2.dns = dns2;
	differ(&r, &r2, 0, "one DNS SAN changed: another key and certificate");
	r2.dns = dns3;
	differ(&r, &r2, 0, "DNS SANs reordered: another key and certificate");
	r2 = r;
	r2.ndns = 3;
	differ(&r, &r2, 0, "a DNS SAN fewer: another key and certificate");
	r2 = r;
	r2.ips = ips2;
	differ(&r, &r2, 0, "an IP SAN changed: another key and certificate");
	r2 = r;
	r2.nips = 1;
	differ(&r, &r2, 0, "an IP SAN fewer: another key and certificate");
	r2 = r;
	r2.common_name = "registry.example";
	differ(&r, &r2, 1, "common name changed: same key, another certificate");
	r2 = r;
	r2.not_before = "2026-01-02T00:00:00Z";
	differ(&r, &r2, 1, "notBefore changed: same key, another certificate");
	r2 = r;
	r2.duration = "17521h";
	differ(&r, &r2, 1, "duration changed: same key, another certificate");
	r2 = r;
	r2.ca_cert_file = at("rsa.crt");
	r2.ca_key_file = at("rsa.key");
	differ(&r, &r2, 0, "another CA: another key and certificate");

	r2 = r;
	r2.common_name = DNS[0];
	equal(&r, &r2, "no common name: the first DNS SAN");
	r2 = r;
	r2.common_name = "";
	equal(&r, &r2, "empty common name: the first DNS SAN");
	r2 = r;
	r2.not_before = "2026-01-01T09:30:00+09:30";
	equal(&r, &r2, "notBefore with an offset: the same instant, the same bytes");
	r2.not_before = "2025-12-31t19:00:00.000-05:00";
	equal(&r, &r2, "notBefore with zero fraction, lower-case t, negative offset");
	r2 = r;
	r2.duration = "17519h59m60s";
	equal(&r, &r2, "duration 17519h59m60s = 17520h");
	r.duration = "730h18m";
	r2.duration = "729.5h48m";
	equal(&r, &r2, "fractional duration 729.5h48m = 730h18m");
	r2.duration = "730h17m60000ms";
	equal(&r, &r2, "duration in ms adds up");
	r = r2;
	r.ips = ips6;
	r2.ips = ips6c;
	equal(&r, &r2, "IPv6 SAN: the canonical text derives the key (fd00:0:...:1 = fd00::1)");
}

/* CA certificate and key files refused: which field, and what the message says. */
static const struct bad_file {
	const char *crt, *key, *field, *needle, *name;
} bad_files[] = {
	{ "garbage", "ed.key", "spec.tls.caCertFile", "garbage: not a PEM certificate", "garbage certificate" },
	{ "empty", "ed.key", "spec.tls.caCertFile", "empty: not a PEM certificate", "empty certificate file" },
	{ "ed.key", "ed.key", "spec.tls.caCertFile", "ed.key: not a PEM certificate", "a key given as the certificate" },
	{ "ed.crt", "garbage", "spec.tls.caKeyFile", "garbage: not a PEM private key", "garbage key" },
	{ "ed.crt", "ed.crt", "spec.tls.caKeyFile", "ed.crt: not a PEM private key", "a certificate given as the key" },
	{ "ed.crt", "enc.key", "spec.tls.caKeyFile", "encrypted private key",
	  "encrypted key: refused, no passphrase prompt" },
	{ "leaf.crt", "ed.key", "spec.tls.caCertFile", "not a CA certificate (basicConstraints CA:TRUE is missing)",
	  "CA:FALSE certificate" },
	{ "nobc.crt", "ed.key", "spec.tls.caCertFile", "basicConstraints CA:TRUE is missing", "no basicConstraints" },
	{ "noku.crt", "ed.key", "spec.tls.caCertFile", "its keyUsage lacks keyCertSign", "keyUsage without keyCertSign" },
	{ "ec.crt", "ec.key", "spec.tls.caKeyFile", "an ECDSA key, which OpenSSL 3.0 signs with random nonces",
	  "ECDSA CA refused (random nonces)" },
	{ "ec.crt", "ec.key", "spec.tls.caKeyFile", "use an RSA or Ed25519 CA", "... and says what is accepted" },
	{ "ed.crt", "ed448.key", "spec.tls.caKeyFile", "a ED448 key: use an RSA or Ed25519 CA", "Ed448 CA key refused" },
	{ "ed.crt", "other.key", "spec.tls.caKeyFile", "other.key does not match the CA certificate",
	  "mismatched Ed25519 key" },
	{ "ed.crt", "rsa.key", "spec.tls.caKeyFile", "rsa.key does not match the CA certificate",
	  "RSA key for an Ed25519 CA" },
};

static void
test_ca_checks(void)
{
	struct x509_request r;

	base(&r, "nope.crt", "ed.key");
	REFUSED(&r, "spec.tls.caCertFile", "cannot read /tmp/x509-unit.", "missing CA certificate file");
	REFUSED(&r, "spec.tls.caCertFile", "nope.crt: No such file or directory", "... names the path and errno text");
	base(&r, "ed.crt", "nope.key");
	REFUSED(&r, "spec.tls.caKeyFile", "nope.key: No such file or directory", "missing CA key file");
	base(&r, "ed.crt", "ed.key");
	r.ca_cert_file = tmp;
	REFUSED(&r, "spec.tls.caCertFile", "Is a directory", "CA certificate path is a directory");
	r.ca_cert_file = "";
	REFUSED(&r, "spec.tls.caCertFile", "not set", "CA certificate file not set");
	base(&r, "ed.crt", "ed.key");
	r.ca_key_file = NULL;
	REFUSED(&r, "spec.tls.caKeyFile", "not set", "CA key file not set");
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		const struct bad_file *b = &bad_files[i];

		base(&r, b->crt, b->key);
		REFUSED(&r, b->field, b->needle, b->name);
	}
}

static void
test_window(void)
{
	struct x509_request r;
	struct x509_result res = { 0 };
	const char *want = "is valid from 2000-01-01T00:00:00Z to 2099-12-31T23:59:59Z, which does not cover "
			   "the server certificate's 1999-12-31T23:59:59Z to 2000-01-01T23:59:59Z";

	base(&r, "ed.crt", "ed.key");
	r.not_before = "1999-12-31T23:59:59Z";
	r.duration = "24h";
	REFUSED(&r, "spec.tls.caCertFile", want, "starts before the CA: both windows in the message");
	r.not_before = "2099-12-31T00:00:00Z";
	REFUSED(&r, "spec.tls.caCertFile", "to 2099-12-31T23:59:59Z, which does not cover the server certificate's "
		"2099-12-31T00:00:00Z to 2100-01-01T00:00:00Z", "ends after the CA (expired by then)");
	r.duration = "86399s";
	OK(issue(&r, &res) == 0, "ends exactly when the CA does: accepted");
	x509_result_free(&res);
	r.not_before = "2000-01-01T00:00:00Z";
	r.duration = "1s";
	OK(issue(&r, &res) == 0, "starts exactly when the CA does: accepted");
	x509_result_free(&res);
	base(&r, "ed.crt", "ed.key");
	r.duration = "900000h";
	REFUSED(&r, "spec.tls.caCertFile", "2026-01-01T00:00:00Z to 2128-09-03T00:00:00Z", "100 years: past the CA");
	r.not_before = "9999-12-31T00:00:00Z";
	r.duration = "24h";
	REFUSED(&r, "spec.tls.duration", "ends after 9999-12-31T23:59:59Z", "notAfter past year 9999");
}

static void
test_bad_text(void)
{
	static const char *const bad_nb[] = {
		"", "2026-01-01", "2026-01-01 00:00:00Z", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
		"2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z", "2026-01-01T00:00:00",
		"2026-01-01T00:00:00.5Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+0100", "2026-01-01T00:00:00+24:00",
		"2026-01-01T00:00:00Zjunk", "26-01-01T00:00:00Z", "2026-1-01T00:00:00Z",
	};
	static const char *const bad_dur[] = {
		"", "0", "0s", "0h0m", "-1h", "+1h", "10d", "1.5s", "1h30", "h", "1 h", ".h", "1hm", "1.0000000001h",
		"2562048h", "9999999999999999999h", "500ms", "1µs",
	};
	static const char *const bad_dns[] = { "", "bad_name", "-x.example", "x-.example", "a..b", "a.", ".a",
					       "*", "a.*.b", "host:5000" };
	static const char *const bad_ip[] = { "300.1.1.1", "10.0.0", "fd00::1::2", "", "localhost" };
	struct x509_request r;
	char name[128];
	const char *one[1];
	struct x509_result res = { 0 };

	for (size_t i = 0; i < sizeof(bad_nb) / sizeof(bad_nb[0]); i++) {
		base(&r, "ed.crt", "ed.key");
		r.not_before = bad_nb[i];
		snprintf(name, sizeof(name), "notBefore \"%s\" refused", bad_nb[i]);
		REFUSED(&r, "spec.tls.notBefore", "is not an RFC 3339 time in whole seconds, such as 2026-01-01T00:00:00Z",
			name);
	}
	base(&r, "ed.crt", "ed.key");
	r.not_before = NULL;
	REFUSED(&r, "spec.tls.notBefore", "\"\" is not an RFC 3339 time", "notBefore NULL refused");
	r.not_before = "2024-02-29T00:00:00Z";
	OK(issue(&r, &res) == 0, "notBefore on a leap day accepted");
	x509_result_free(&res);
	for (size_t i = 0; i < sizeof(bad_dur) / sizeof(bad_dur[0]); i++) {
		base(&r, "ed.crt", "ed.key");
		r.duration = bad_dur[i];
		snprintf(name, sizeof(name), "duration \"%s\" refused", bad_dur[i]);
		REFUSED(&r, "spec.tls.duration", "is not a positive duration in whole seconds, such as 17520h", name);
	}
	for (size_t i = 0; i < sizeof(bad_dns) / sizeof(bad_dns[0]); i++) {
		base(&r, "ed.crt", "ed.key");
		one[0] = bad_dns[i];
		r.dns = one;
		r.ndns = 1;
		snprintf(name, sizeof(name), "DNS SAN \"%s\" refused", bad_dns[i]);
		REFUSED(&r, NULL, "is not a host name", name);
	}
	for (size_t i = 0; i < sizeof(bad_ip) / sizeof(bad_ip[0]); i++) {
		base(&r, "ed.crt", "ed.key");
		one[0] = bad_ip[i];
		r.ips = one;
		r.nips = 1;
		snprintf(name, sizeof(name), "IP SAN \"%s\" refused", bad_ip[i]);
		REFUSED(&r, NULL, "is not an IPv4 or IPv6 address", name);
	}
	base(&r, "ed.crt", "ed.key");
	r.ndns = r.nips = 0;
	REFUSED(&r, NULL, "no DNS names and no IP addresses", "no SANs refused");
	r.common_name = "x";
	REFUSED(&r, NULL, "no DNS names and no IP addresses", "a common name alone refused");
	base(&r, "ed.crt", "ed.key");
	r.common_name = "a23456789.123456789.123456789.123456789.123456789.123456789.12345";
	REFUSED(&r, NULL, "is longer than 64 characters", "65-character common name refused");
	r.common_name = "\u00e923456789.123456789.123456789.123456789.123456789.123456789.1234";
	OK(issue(&r, &res) == 0, "64-character UTF-8 common name (65 bytes) accepted");
	x509_result_free(&res);
	r.common_name = "*.a-b.example.com";
	one[0] = "*.A-b.example.com";
	r.dns = one;
	r.ndns = 1;
	OK(issue(&r, &res) == 0, "wildcard DNS SAN accepted");
	x509_result_free(&res);
	r.ndns = 0;
	r.common_name = NULL;
	OK(issue(&r, &res) == 0, "IP SANs only: accepted (CN = the first IP)");
	x509_result_free(&res);
}

static int
mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

/* generate-ca: tomorrow 00:00Z, so a CA valid from now covers it. */
static void
test_generate(void)
{
	time_t t = (time(NULL) / 86400 + 1) * 86400;
	char nb[32], *key1 = NULL, *key2 = NULL, *crt1 = NULL;
	struct x509_request r;
	struct x509_result a = { 0 }, b = { 0 };
	struct tm tm;

	strftime(nb, sizeof(nb), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	OK(mkdir(at("gen1"), 0700) == 0 && mkdir(at("gen2"), 0700) == 0, "generate-ca: directories");
	diag_set_quiet(1);
	OK(x509_generate_ca(at("gen1"), "registry-addon unit CA", "87600h") == 0 && diag_count() == 0,
	   "generate-ca: a new CA, no messages");
	OK(x509_generate_ca(at("gen2"), "registry-addon unit CA", "87600h") == 0, "generate-ca: another");
	diag_set_quiet(0);
	OK(mode_of(at("gen1/ca.key")) == 0600 && mode_of(at("gen1/ca.crt")) == 0644, "generate-ca: ca.key 0600, ca.crt 0644");
	key1 = read_text(at("gen1/ca.key"));
	key2 = read_text(at("gen2/ca.key"));
	crt1 = read_text(at("gen1/ca.crt"));
	OK(key1 && key2 && strcmp(key1, key2) != 0, "generate-ca: random, two CAs differ");
	OK(key1 && strncmp(key1, "-----BEGIN PRIVATE KEY-----\n", 28) == 0 && strlen(key1) == 119,
	   "generate-ca: ca.key is an Ed25519 PKCS#8 PEM");

	base(&r, "gen1/ca.crt", "gen1/ca.key");
	r.not_before = nb;
	r.duration = "720h";
	OK(issue(&r, &a) == 0 && issue(&r, &b) == 0 && same(&a, &b), "generate-ca round trip: issues, identically");
	OK(a.ca_pem && crt1 && strcmp(a.ca_pem, crt1) == 0, "generate-ca round trip: ca_pem is ca.crt");
	x509_result_free(&a);
	x509_result_free(&b);
	r.duration = "87601h";
	REFUSED(&r, "spec.tls.caCertFile", "which does not cover", "generate-ca round trip: past its caDuration refused");

	diag_set_quiet(1);
	OK(x509_generate_ca(at("gen1"), "x", "1h") == -1 && diag_count() == 1 &&
	   strstr(diag_get(0)->text, "gen1/ca.key already exists: not overwriting it"), "generate-ca: existing files kept");
	diag_reset();
	free(key2);
	key2 = read_text(at("gen1/ca.key"));
	OK(key1 && key2 && strcmp(key1, key2) == 0, "generate-ca: ca.key unchanged");
	OK(mkdir(at("gen3"), 0700) == 0 && write_text(at("gen3/ca.crt"), "old\n") == 0 &&
	   x509_generate_ca(at("gen3"), "x", "1h") == -1 && access(at("gen3/ca.key"), F_OK) != 0 &&
	   strstr(diag_get(0)->text, "gen3/ca.crt already exists"), "generate-ca: an existing ca.crt alone: nothing written");
	diag_reset();
	OK(x509_generate_ca(at("no/such/dir"), "x", "1h") == -1 && diag_count() == 1 &&
	   strstr(diag_get(0)->text, "cannot create") && strstr(diag_get(0)->text, "No such file or directory"),
	   "generate-ca: missing directory refused");
	diag_reset();
	OK(x509_generate_ca(at("gen3"), "x", "5d") == -1 && diag_count() == 1 && diag_get(0)->field &&
	   strcmp(diag_get(0)->field, "spec.tls.caDuration") == 0, "generate-ca: bad caDuration refused");
	diag_reset();
	OK(x509_generate_ca(at("gen3"), "", "1h") == -1 && diag_count() == 1 &&
	   strstr(diag_get(0)->text, "common name"), "generate-ca: empty common name refused");
	diag_reset();
	diag_set_quiet(0);
	free(key1);
	free(key2);
	free(crt1);
}

static const char CNF[] =
	"[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = test\n"
	"[leaf]\nbasicConstraints = critical,CA:FALSE\n"
	"[nobc]\nkeyUsage = critical,keyCertSign\n"
	"[noku]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,digitalSignature\n"
	"[ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n";

static int
setup(void)
{
	if (!mkdtemp(tmp))
		return -1;
	if (write_text(at("ed.crt"), ED_CRT) || write_text(at("ed.key"), ED_KEY) || write_text(at("rsa.crt"), RSA_CRT) ||
	    write_text(at("rsa.key"), RSA_KEY) || write_text(at("garbage"), "-----BEGIN CERTIFICATE-----\nnot base64\n") ||
	    write_text(at("empty"), "") || write_text(at("t.cnf"), CNF))
		return -1;
	return sh("openssl pkey -in rsa.key -traditional -out rsa1.key && "
		  "openssl pkey -in ed.key -aes256 -passout pass:x -out enc.key && "
		  "openssl genpkey -algorithm ED25519 -out other.key && openssl genpkey -algorithm ED448 -out ed448.key && "
		  "for e in leaf nobc noku; do openssl req -x509 -config t.cnf -extensions $e -key ed.key -days 1 "
		  "-out $e.crt || exit; done && "
		  "openssl req -x509 -config t.cnf -extensions ca -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		  "-keyout ec.key -days 1 -out ec.crt");
}

static int
unit(void)
{
	int ok = setup() == 0;

	OK(ok, "setup: fixtures and CAs made with the openssl command");
	if (ok) {
		test_p256();
		test_fixed();
		test_changes();
		test_ca_checks();
		test_window();
		test_bad_text();
		test_generate();
	}
	sh("rm -rf '%s'", tmp);
	return harness_done();
}

/* --- the CLI for tests/tls.sh */

/* "a,b,c" into v (pointers into s, which is cut up); "" is none. */
static size_t
split(char *s, const char **v, size_t max)
{
	char *save = NULL;
	size_t n = 0;

	for (char *tok = strtok_r(s, ",", &save); tok && n < max; tok = strtok_r(NULL, ",", &save))
		v[n++] = tok;
	return n;
}

static int
cli_issue(char **argv)
{
	const char *dns[64], *ips[16];
	struct x509_request r = { .ca_cert_file = argv[0], .ca_key_file = argv[1], .not_before = argv[2],
				  .duration = argv[3], .common_name = *argv[4] ? argv[4] : NULL };
	struct x509_result res;
	const char *dir = argv[7];
	char *p;
	int rc;

	r.dns = dns;
	r.ndns = split(argv[5], dns, 64);
	r.ips = ips;
	r.nips = split(argv[6], ips, 16);
	if (x509_issue(&r, &res) != 0)
		return diag_exit_code();
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		perror(dir);
		x509_result_free(&res);
		return 2;
	}
	rc = 0;
	p = xasprintf("%s/tls.crt", dir);
	rc |= write_text(p, res.cert_pem);
	free(p);
	p = xasprintf("%s/tls.key", dir);
	rc |= write_text(p, res.key_pem);
	free(p);
	p = xasprintf("%s/ca.crt", dir);
	rc |= write_text(p, res.ca_pem);
	free(p);
	x509_result_free(&res);
	if (rc)
		fprintf(stderr, "x509: cannot write into %s\n", dir);
	return rc ? 2 : 0;
}

int
main(int argc, char **argv)
{
	if (argc == 10 && strcmp(argv[1], "issue") == 0)
		return cli_issue(argv + 2);
	if (argc == 5 && strcmp(argv[1], "generate-ca") == 0)
		return x509_generate_ca(argv[2], argv[3], argv[4]) == 0 ? 0 : diag_exit_code();
	if (argc == 1)	/* (x5_* are called directly: libcrypto first, as x509_issue() loads it) */
		return ossl_load("the x509 unit tests") == 0 ? unit() : 1;
	fprintf(stderr, "usage: x509 [issue CA.crt CA.key NOTBEFORE DURATION CN DNS,... IP,... OUTDIR | "
			"generate-ca DIR CN DURATION]\n");
	return 2;
}
