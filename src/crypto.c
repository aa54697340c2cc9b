/* crypto.c - OpenSSL behind our error convention. */
#include "crypto.h"

#include <openssl/evp.h>
#include <stdio.h>

#include "diag.h"
#include "util.h"

int
sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32) {
		diag_error(NULL, "SHA-256 failed (OpenSSL)");
		return -1;
	}
	for (unsigned int i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

char *
base64(const void *p, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}
