/* limits.h - how much one run reads (DESIGN.md §6 item 5): the limits, their
 * defaults, and the options that raise them.
 *
 * Every limit is checked before the work it bounds is done: nesting depth,
 * directives, scalar size and tokens per line by prescan.c over the raw bytes (before
 * libfyaml sees them), mapping keys and documents by yload.c as events come,
 * annotations by filter.c once an object's metadata is read.
 * Ownership: plain values; limits_default (prescan.c) holds the defaults,
 * and every reader takes a non-NULL pointer: struct filter_opts alone takes
 * NULL for them, resolved once as filter_run() begins.
 */
#ifndef LIMITS_H
#define LIMITS_H

#include <stddef.h>

/* Collections inside collections. Fixed: no Kubernetes object comes near it
 * (the deepest chart of ../shared/corpus nests 39 levels), and our own walks
 * over trees recurse. */
#define LIMIT_DEPTH 256

/* Directives (%YAML, %TAG, reserved ones) before one document. Fixed: a
 * Kubernetes manifest has none, and libfyaml 0.7.12 and libyaml take time
 * quadratic in their number (20,000 %TAG lines, 700 KB, took 0.9 s; 40,000
 * took 12 s). */
#define LIMIT_DIRECTIVES 100

/* Entries of one list of the configuration (registry.hostnames,
 * sync.preload, workloadSpread.namespaces, ...). Fixed: far more than any
 * cluster lists by hand, and what reads them (duplicate checks, one
 * platform or credential against another, every workload against the
 * namespaces) stays quick (64,000 sync.platforms took 38 s). */
#define LIMIT_CONFIG_LIST 1000

/* One scalar's source text (quotes, escapes and line breaks included): the
 * API server refuses objects over 1.5 MiB (etcd), a ConfigMap's data over
 * 1 MiB; escaped, a 1 MiB value can take a few MiB of YAML. */
#define MAX_SCALAR_BYTES_DEFAULT ((size_t)16 << 20)
/* YAML tokens on one line (values, commas, brackets, keys): libfyaml 0.7.12
 * holds every token of a line that may still turn out to be a mapping key,
 * about 200 bytes each, before it hands out the first event. A compact JSON
 * object of the API server's maximum size (1.5 MiB) has about 100,000. */
#define MAX_LINE_TOKENS_DEFAULT ((size_t)250000)
/* Keys of one mapping: a 1 MiB ConfigMap cannot hold many more. */
#define MAX_MAPPING_KEYS_DEFAULT ((size_t)100000)
/* metadata.annotations of one object, keys and values together: the API
 * server's own limit (TotalAnnotationSizeLimitB, 256 KiB). */
#define MAX_ANNOTATION_BYTES_DEFAULT ((size_t)256 << 10)
/* Documents of the stream, or items of a ResourceList. */
#define MAX_DOCUMENTS_DEFAULT ((size_t)100000)

struct limits {
	size_t scalar_bytes;		/* --max-scalar-bytes */
	size_t line_tokens;		/* --max-line-tokens */
	size_t mapping_keys;		/* --max-mapping-keys */
	size_t annotation_bytes;	/* --max-annotation-bytes */
	size_t documents;		/* --max-documents */
};

#define LIMITS_DEFAULT { MAX_SCALAR_BYTES_DEFAULT, MAX_LINE_TOKENS_DEFAULT, MAX_MAPPING_KEYS_DEFAULT, \
			 MAX_ANNOTATION_BYTES_DEFAULT, MAX_DOCUMENTS_DEFAULT }

extern const struct limits limits_default;	/* LIMITS_DEFAULT */

#endif
