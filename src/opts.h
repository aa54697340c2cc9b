/* opts.h - the command line: the option table (which feeds the parser,
 * --help's option list and the shell completions), and argv to struct opts.
 * Ownership: struct opts points into argv (and the environment) and owns
 * only its sets array (opts_free()); the option table is static.
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
/* kustomize sets it for every legacy exec plugin it runs (with the plugin's
 * config file as argv[1], the kustomization directory as the working one) */
#define KUSTOMIZE_ENV "KUSTOMIZE_PLUGIN_CONFIG_ROOT"

enum action {
	ACT_RUN, ACT_HELP, ACT_VERSION, ACT_PRINT_DEFAULTS, ACT_PRINT_CONFIG, ACT_SCHEMA, ACT_COMPLETION,
	ACT_GENERATE_CA,
};

/* What an option's value is, for the completions. */
enum optarg_kind {
	OA_NONE,	/* a flag */
	OA_FILE,	/* a file name */
	OA_DIR,		/* a directory name */
	OA_SET,		/* PATH=VALUE: a configuration field */
	OA_WORD,	/* one of the option's words */
	OA_NUMBER,	/* a positive whole number */
};

struct optinfo {
	const char *name;	/* long name, without "--" */
	char short_name;	/* 0: none */
	enum optarg_kind arg;
	const char *argname;	/* "FILE", "PATH=VALUE"; NULL for a flag */
	const char *words;	/* OA_WORD: "a|b" */
	const char *brief;	/* one line, for zsh */
	const char *help;	/* --help's text; lines after the first are continuations */
	int id;
};

extern const struct optinfo opts_table[];
extern const size_t opts_count;

struct opts {
	enum action action;
	const char *config_file;
	const char *config_dir;		/* relative tls.*File of the config file: NULL its directory */
	const char *input_file;		/* NULL or "-": stdin */
	const char **sets;
	size_t nsets;
	const char *log_file;
	const char *ca_dir;		/* --generate-ca */
	const char *shell;		/* --completion */
	size_t max_input;
	struct limits limits;		/* --max-scalar-bytes ... --max-documents */
};

/* Returns 0, or -1 after printing a usage error. */
int opts_parse(struct opts *o, int argc, char **argv);
void opts_free(struct opts *o);
void opts_help(void);
/* The short usage lines (stderr: usage errors, a terminal on stdin). */
void opts_usage(void);

#endif
