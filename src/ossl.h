/* ossl.h - OpenSSL's libcrypto, loaded when first needed.
 *
 * Only tls.mode generate, the CA generator and reading the CA files use it
 * (x509*.c, through osslfn.h); loading it at start cost every run about
 * 3 ms and 130 page faults on this VM (a third of a run on one chart), so
 * the program does not link it: ossl_load() opens it with dlopen() the
 * first time one of those needs it. The package that ships the program
 * must still install it (krm/Dockerfile: libssl3).
 *
 * Ownership: the library stays loaded to the end of the process.
 */
#ifndef OSSL_H
#define OSSL_H

/* The library's file, as its package (libssl3) installs it. */
#define OSSL_LIBRARY "libcrypto.so.3"

/* Load the library (once): 0, or -1 after diag_error() naming what needs it
 * (why: "tls.mode generate", ...) and what dlopen() said. */
int ossl_load(const char *why);

#endif
