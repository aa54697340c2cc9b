/* filter.h - the whole program on a buffer: manifests in, manifests out.
 * main.c and the fuzzer both call filter_run().
 *
 * Ownership: filter_run() borrows the input and writes through the sink;
 * nothing it allocates outlives the call.
 */
#ifndef FILTER_H
#define FILTER_H

#include <stddef.h>

struct buf;
struct limits;

struct sink {
	/* 0 on success, -1 on a write failure */
	int (*write)(void *ctx, const char *p, size_t n);
	void *ctx;
};

struct filter_opts {
	const char *config_file;	/* --config, or the legacy plugin's argv[1] */
	const char *const *sets;	/* --set PATH=VALUE, in order */
	size_t nsets;
	const struct limits *limits;	/* limits.h; NULL: limits_default */
	const char *config_dir;		/* relative file names of config_file: NULL its directory */
};

/* Returns an exit code (enum exit_code). In stream mode nothing is written
 * unless the run succeeds; in KRM mode a ResourceList with results is
 * written even when it fails. */
int filter_run(const struct filter_opts *fo, const char *in, size_t len, const struct sink *out);
/* --print-config: the configuration fo's file and --set give, checked as a
 * run checks it, as a RegistryAddon document appended to out. 0, or -1. */
int filter_print_config(const struct filter_opts *fo, struct buf *out);

#endif
