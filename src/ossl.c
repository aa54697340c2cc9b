/* ossl.c - libcrypto, loaded on first use (ossl.h, osslfn.h). */
#include "ossl.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>

#include "diag.h"
#define OSSLFN_NO_REDIRECT
#include "osslfn.h"

struct ossl_functions ossl_fn;

static void *library;

/* Every pointer of ossl_fn from the library: NULL, or the first name it
 * lacks. */
static const char *
resolve(void)
{
	void *p;

#define OSSL_RESOLVE(name) \
	if ((p = dlsym(library, #name)) == NULL) \
		return #name; \
	memcpy(&ossl_fn.name, &p, sizeof(p));
	OSSL_FUNCTIONS(OSSL_RESOLVE)
#undef OSSL_RESOLVE
	return NULL;
}

int
ossl_load(const char *why)
{
	const char *missing;

	if (library)
		return 0;
	library = dlopen(OSSL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	if (!library) {
		diag_error(NULL, "%s needs OpenSSL's %s (Debian: the libssl3 package), which cannot be loaded: %s", why,
			   OSSL_LIBRARY, dlerror());
		return -1;
	}
	if ((missing = resolve()) != NULL) {
		diag_error(NULL, "%s needs OpenSSL's %s, which lacks %s (OpenSSL 3 is needed)", why, OSSL_LIBRARY,
			   missing);
		dlclose(library);
		library = NULL;
		memset(&ossl_fn, 0, sizeof(ossl_fn));
		return -1;
	}
	return 0;
}
