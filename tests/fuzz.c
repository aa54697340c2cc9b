/* fuzz.c - libFuzzer target over the whole core (filter_run on a buffer).
 * The first byte picks options (cmark's trick), so the fuzzer also covers the
 * configuration space; the rest is the input stream. Build: make fuzz. */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "filter.h"

static int
discard(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const choices[] = {
		"managementState=Removed", "components=localRegistryHosting", "namespace=fuzz",
		"registry.service.serviceCIDR=fd00::/64", "registry.service.port=5000",
		"registry.hostnames=a.example,b.example",
	};
	const char *sets[6];
	struct filter_opts fo = { NULL, sets, 0 };
	struct sink out = { discard, NULL };
	uint8_t flags = size ? data[0] : 0;

	for (size_t i = 0; i < 6; i++)
		if (flags & (1u << i))
			sets[fo.nsets++] = choices[i];
	diag_set_quiet(1);
	filter_run(&fo, size ? (const char *)data + 1 : "", size ? size - 1 : 0, &out);
	diag_reset();
	return 0;
}
