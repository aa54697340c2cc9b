/* fuzz.c - libFuzzer target over the whole core in stream mode (filter_run
 * on a buffer, as Helm's post-renderer runs it). The first byte picks
 * options (cmark's trick), so the fuzzer also covers the configuration
 * space; the rest is the input stream. Besides crashes it checks the
 * invariants of fuzzcheck.h. Build and run: make fuzz (tests/fuzz.sh). */
#include "fuzzcheck.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sets[8];
	struct filter_opts fo = { NULL, sets, 0, NULL, NULL };

	if (!size)
		return 0;
	fo.nsets = fz_options(data[0], sets);
	fz_check(&fo, (const char *)data + 1, size - 1);
	return 0;
}
