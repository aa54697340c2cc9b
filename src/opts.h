/* opts.h - the command line.
 * Ownership: struct opts points into argv and owns only its sets array
 * (opts_free()).
 */
#ifndef OPTS_H
#define OPTS_H

#include <stddef.h>

#include "limits.h"

/* the version comes from plugin/registry-addon/plugin.yaml, by the Makefile only */
#ifndef REGISTRY_ADDON_VERSION
#error "REGISTRY_ADDON_VERSION undefined: build with make (it reads plugin/registry-addon/plugin.yaml)"
#endif
#define MAX_INPUT_DEFAULT ((size_t)256 << 20)
#define LOG_ENV "REGISTRY_ADDON_LOG"

enum action { ACT_RUN, ACT_HELP, ACT_VERSION, ACT_PRINT_DEFAULTS, ACT_GENERATE_CA };

struct opts {
	enum action action;
	const char *config_file;
	const char **sets;
	size_t nsets;
	const char *log_file;
	const char *ca_dir;		/* --generate-ca */
	size_t max_input;
	struct limits limits;		/* --max-scalar-bytes ... --max-documents */
};

/* Returns 0, or -1 after printing a usage error. */
int opts_parse(struct opts *o, int argc, char **argv);
void opts_free(struct opts *o);
void opts_help(void);

#endif
