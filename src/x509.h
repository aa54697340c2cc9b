/* x509.h - tls.mode generate: server certificates signed in-process by the
 * user's CA, byte-identical on every render (no clock, no randomness).
 *
 * With crypto.c, the only door to OpenSSL. Ownership: every string in a
 * request is borrowed for the call; an x509_result owns its three strings
 * until x509_result_free(). Functions return 0, or -1 after diag_error()
 * (the result is then left empty: all NULL).
 *
 * What x509_issue() makes, and from what:
 *   server key   ECDSA P-256 (prime256v1), the one server key type busybox's
 *                TLS (the node probe's wget) accepts besides RSA: private
 *                scalar d = 1 + (m mod (n - 1)), n the curve's order, m the 64
 *                bytes of HMAC-SHA512(key = the CA private key as PKCS#8 DER,
 *                data = "registry-addon server key v2" NUL, then each DNS SAN
 *                followed by NUL, then NUL, then each IP SAN in canonical
 *                (inet_ntop) text followed by NUL) read as a big-endian number
 *                (FIPS 186-4 B.4.1); written as PKCS#8 with its public key
 *   certificate  v3; subject CN = common_name (else the first DNS SAN, else the
 *                first IP SAN); issuer = the CA's subject; notBefore =
 *                not_before, notAfter = not_before + duration; extensions
 *                basicConstraints CA:FALSE (critical), keyUsage
 *                digitalSignature (critical; an EC key has no
 *                keyEncipherment: RFC 5480 section 3, RFC 8813),
 *                extendedKeyUsage serverAuth,
 *                subjectAltName (DNS then IP, in request order), subject and
 *                authority key identifiers (SHA-1 of the public key; the CA's
 *                own subjectKeyIdentifier when it has one)
 *   serial       SHA-256 of the DER to-be-signed certificate with serial 0,
 *                first 16 bytes, top bit cleared and the next one set: a
 *                positive 127-bit number
 *   signature    RSA CA: sha256WithRSAEncryption (PKCS#1 v1.5); Ed25519 CA:
 *                Ed25519. Both deterministic. ECDSA (random nonces in OpenSSL
 *                3.0), RSA-PSS (random salt) and other CA keys are refused.
 * The CA must be a CA (basicConstraints CA:TRUE; keyUsage, if present, with
 * keyCertSign), its key must match it, and it must be valid over the whole
 * [notBefore, notAfter] window. The CA files are read at each call.
 */
#ifndef X509_H
#define X509_H

#include <stddef.h>
#include <time.h>

struct x509_request {
	const char *ca_cert_file, *ca_key_file;	/* PEM files (the first certificate / key in each) */
	const char *not_before;			/* RFC 3339, e.g. 2026-01-01T00:00:00Z or with +hh:mm offset */
	const char *duration;			/* Go duration, e.g. 17520h, 1h30m; whole seconds */
	const char *common_name;		/* may be NULL */
	const char *const *dns;			/* DNS SANs, in order */
	size_t ndns;
	const char *const *ips;			/* IP SANs (IPv4/IPv6 text), in order */
	size_t nips;
};

struct x509_result {
	char *cert_pem;		/* the server certificate */
	char *key_pem;		/* its key, PKCS#8 (BEGIN PRIVATE KEY) */
	char *ca_pem;		/* the CA certificate, re-encoded */
	char not_after[32];	/* the server certificate's notAfter, RFC 3339 (time_format) */
	char ca_not_after[32];	/* the CA certificate's notAfter, RFC 3339 */
};

int x509_issue(const struct x509_request *req, struct x509_result *out);
void x509_result_free(struct x509_result *r);	/* frees the strings, leaves all NULL */

/* The CA certificate of file (tls.caCertFile), checked to be a CA and
 * re-encoded as PEM, for the nodes to trust; *out is the caller's. */
int x509_ca_pem(const char *file, char **out);

/* The validity of the (first) certificate in file, for the clock's checks
 * (inject/tlsdates.c); reported as tls.caCertFile's when it cannot be read. */
int x509_cert_dates(const char *file, time_t *not_before, time_t *not_after);

/* --generate-ca: a new CA (an Ed25519 key from the system's random source, and
 * a self-signed certificate: CN common_name, valid from now for duration,
 * basicConstraints CA:TRUE and keyUsage keyCertSign, cRLSign, both critical,
 * subjectKeyIdentifier), written as DIR/ca.crt (0644) and DIR/ca.key (0600).
 * DIR must exist; existing files are never overwritten. Prints nothing. */
int x509_generate_ca(const char *dir, const char *common_name, const char *duration);

#endif
