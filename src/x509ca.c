/* x509ca.c - --generate-ca: a new CA from the system's random source (x509.h). */
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

static X509 *
build_ca(EVP_PKEY *key, const char *cn, time_t nb, time_t na)
{
	static const int ku[] = { 5, 6 };	/* keyCertSign, cRLSign */
	unsigned char serial[16];
	X509_NAME *name = x5_cn_name(cn, &W_GEN);
	X509 *x = X509_new();
	int ok;

	ok = name && x && RAND_bytes(serial, sizeof(serial)) == 1 && x5_set_serial(x, serial) == 0 &&
	     X509_set_version(x, X509_VERSION_3) && X509_set_subject_name(x, name) &&
	     X509_set_issuer_name(x, name) && X509_set_pubkey(x, key) && x5_set_validity(x, nb, na, &W_GEN) == 0 &&
	     x5_add_basic(x, 1) == 0 && x5_add_key_usage(x, ku, 2) == 0 && x5_add_ski(x) == 0 && X509_sign(x, key, NULL);
	X509_NAME_free(name);
	if (ok)
		return x;
	X509_free(x);
	x5_ossl_fail(&W_GEN, "building the CA certificate");
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
	char *crt_pem = x5_pem_of(x, NULL, &W_GEN), *key_pem = crt_pem ? x5_pem_of(NULL, key, &W_GEN) : NULL;
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
	char *crt, *kp, now[32];
	time_t nb = time(NULL), na;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	int rc = -1;

	if (ossl_load("generating a CA") != 0)
		return -1;
	crt = xasprintf("%s/ca.crt", dir);
	kp = xasprintf("%s/ca.key", dir);
	time_format(nb, now);
	if (!common_name || !*common_name || x5_utf8_chars(common_name) > 64)
		diag_error(&W_GEN, "the CA's common name must be 1 to 64 characters");
	else if (x5_parse_window(now, duration, &W_CADUR, &nb, &na) == 0 && refuse_existing(kp) == 0 &&
		 refuse_existing(crt) == 0) {
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		if (!key)
			x5_ossl_fail(&W_GEN, "generating an Ed25519 key");
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
