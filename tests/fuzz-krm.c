/* fuzz-krm.c - libFuzzer target over KRM mode: krm.c's unwrap and rewrap,
 * the functionConfig, results. Byte 0 picks options as in fuzz.c; byte 1
 * picks a wrapper put before the rest: a ResourceList header (with or
 * without apiVersion, or a v1 List) and optionally "items:", so the rest
 * only has to be a list of items and perhaps a functionConfig; or nothing,
 * and the rest is the whole input. Checks fuzzcheck.h's invariants. */
#include "fuzzcheck.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const headers[] = {
		"", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n", "kind: ResourceList\n",
		"apiVersion: v1\nkind: List\n",
	};
	const char *sets[8];
	struct filter_opts fo = { NULL, sets, 0, NULL, NULL };
	struct buf in = BUF_INIT;

	if (size < 2)
		return 0;
	fo.nsets = fz_options(data[0], sets);
	buf_adds(&in, headers[data[1] & 3]);
	if (data[1] & 4)
		buf_adds(&in, "items:\n");
	buf_add(&in, data + 2, size - 2);
	fz_check(&fo, in.p, in.len);
	buf_free(&in);
	return 0;
}
