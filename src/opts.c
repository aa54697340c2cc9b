/* opts.c - the option table, argv to struct opts, and the help text. */
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

enum {
	OPT_SET = 256, OPT_LOG, OPT_PRINT_DEFAULTS, OPT_PRINT_CONFIG, OPT_SCHEMA, OPT_COMPLETION, OPT_VERSION,
	OPT_MAX_INPUT, OPT_GENERATE_CA, OPT_MAX_SCALAR, OPT_MAX_TOKENS, OPT_MAX_KEYS, OPT_MAX_ANNOTATIONS,
	OPT_MAX_DOCUMENTS,
};

/* %zu in a --max-... help: its default (limit_default()) */
const struct optinfo opts_table[] = {
	{ "config", 'c', OA_FILE, "FILE", NULL, "RegistryAddon document to configure from",
	  "RegistryAddon document (apiVersion\n"
	  CONFIG_API_VERSION "); a relative tls.caCertFile\n"
	  "or tls.caKeyFile in it is read from FILE's directory", 'c' },
	{ "set", 0, OA_SET, "PATH=VALUE", NULL, "set one configuration field",
	  "set one field (wins over the config); lists as a,b or\n"
	  "[a, b]; mappings as YAML flow, e.g.\n"
	  "--set 'registry.nodeSelector={a: b}'; a relative\n"
	  "tls.caCertFile or tls.caKeyFile is read from the\n"
	  "working directory", OPT_SET },
	{ "log-file", 0, OA_FILE, "FILE", NULL, "append diagnostics to FILE as well",
	  "append diagnostics to FILE as well as stderr (Helm 4\n"
	  "discards a post-renderer's stderr); also $" LOG_ENV, OPT_LOG },
	{ "print-defaults", 0, OA_NONE, NULL, NULL, "print the default RegistryAddon document",
	  "print the full default RegistryAddon document and exit\n"
	  "(alone: with --config or --set, use --print-config)", OPT_PRINT_DEFAULTS },
	{ "print-config", 0, OA_NONE, NULL, NULL, "print the configuration after --config and --set",
	  "print the configuration that the defaults, --config and\n"
	  "--set give, as a RegistryAddon document (checked as a run\n"
	  "checks it; file paths absolute), and exit", OPT_PRINT_CONFIG },
	{ "schema", 0, OA_NONE, NULL, NULL, "print the JSON Schema of the RegistryAddon document",
	  "print a JSON Schema (draft 2020-12) of the RegistryAddon\n"
	  "document, for editors and CI, and exit (stricter than this\n"
	  "program: a string field takes no YAML number or boolean)", OPT_SCHEMA },
	{ "completion", 0, OA_WORD, "SHELL", "bash|zsh", "print a shell completion script",
	  "print the completion script for SHELL (bash or zsh) and\n"
	  "exit: source <(registry-addon --completion bash)", OPT_COMPLETION },
	{ "generate-ca", 0, OA_DIR, "DIR", NULL, "write a new CA into DIR",
	  "write a new CA (DIR/ca.crt, DIR/ca.key) for tls.mode\n"
	  "generate, creating DIR (mode 0700, parents too) if needed;\n"
	  "random, unlike everything else this program writes", OPT_GENERATE_CA },
	{ "max-input-bytes", 0, OA_NUMBER, "N", NULL, "refuse inputs larger than N bytes",
	  "refuse inputs larger than N bytes (default %zu)", OPT_MAX_INPUT },
	{ "max-scalar-bytes", 0, OA_NUMBER, "N", NULL, "refuse a scalar longer than N bytes",
	  "refuse a scalar whose text (quotes, escapes, line breaks\n"
	  "included) is longer than N bytes (default %zu)", OPT_MAX_SCALAR },
	{ "max-line-tokens", 0, OA_NUMBER, "N", NULL, "refuse a line of more than N YAML tokens",
	  "refuse a line of more than N YAML tokens (values, keys,\n"
	  "commas, brackets: libfyaml keeps a line's tokens in memory,\n"
	  "about 200 bytes each; default %zu)", OPT_MAX_TOKENS },
	{ "max-mapping-keys", 0, OA_NUMBER, "N", NULL, "refuse a mapping with more than N keys",
	  "refuse a mapping with more than N keys (default %zu)", OPT_MAX_KEYS },
	{ "max-annotation-bytes", 0, OA_NUMBER, "N", NULL, "refuse annotations longer than N bytes",
	  "refuse an object whose metadata.annotations are longer\n"
	  "than N bytes, keys and values together (default %zu, the\n"
	  "API server's own limit)", OPT_MAX_ANNOTATIONS },
	{ "max-documents", 0, OA_NUMBER, "N", NULL, "refuse a stream of more than N documents",
	  "refuse a stream of more than N documents, or a ResourceList\n"
	  "of more than N items (default %zu)", OPT_MAX_DOCUMENTS },
	{ "help", 'h', OA_NONE, NULL, NULL, "print the help text", "this text (also: registry-addon help)", 'h' },
	{ "version", 0, OA_NONE, NULL, NULL, "print the version",
	  "print the version (also: registry-addon version)", OPT_VERSION },
};

const size_t opts_count = sizeof(opts_table) / sizeof(opts_table[0]);

void
opts_usage(void)
{
	fputs("usage: registry-addon [--config FILE] [--set PATH=VALUE]... [FILE | - | < manifests.yaml]\n"
	      "try 'registry-addon --help'\n", stderr);
}

static void
usage_error(const char *fmt, const char *arg)
{
	fputs("registry-addon: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	opts_usage();
}

static int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v == 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* --max-... N: the limit it sets, or NULL for another option. */
static size_t *
limit_of(struct opts *o, int c)
{
	switch (c) {
	case OPT_MAX_INPUT:
		return &o->max_input;
	case OPT_MAX_SCALAR:
		return &o->limits.scalar_bytes;
	case OPT_MAX_TOKENS:
		return &o->limits.line_tokens;
	case OPT_MAX_KEYS:
		return &o->limits.mapping_keys;
	case OPT_MAX_ANNOTATIONS:
		return &o->limits.annotation_bytes;
	case OPT_MAX_DOCUMENTS:
		return &o->limits.documents;
	default:
		return NULL;
	}
}

/* getopt_long's table, from opts_table (static: getopt keeps pointing into it) */
static const struct option *
long_options(void)
{
	static struct option lo[sizeof(opts_table) / sizeof(opts_table[0]) + 1];

	for (size_t i = 0; i < opts_count; i++)
		lo[i] = (struct option){ opts_table[i].name, opts_table[i].arg == OA_NONE ? no_argument : required_argument,
					 NULL, opts_table[i].id };
	return lo;
}

static int
set_limit(size_t *limit, const char *name)
{
	char what[160];

	if (parse_size(optarg, limit) == 0)
		return 0;
	snprintf(what, sizeof(what), "--%s: expected a positive whole number, got \"%.80s\"", name, optarg);
	usage_error("%s", what);
	return -1;
}

/* One option; 1 when parsing stops here (--help, --version), -1 on an error. */
static int
take_option(struct opts *o, int c, char **argv)
{
	switch (c) {
	case 'c':
		o->config_file = optarg;
		break;
	case OPT_SET:
		o->sets[o->nsets++] = optarg;
		break;
	case OPT_LOG:
		o->log_file = optarg;
		break;
	case OPT_PRINT_DEFAULTS:
		o->action = ACT_PRINT_DEFAULTS;
		break;
	case OPT_PRINT_CONFIG:
		o->action = ACT_PRINT_CONFIG;
		break;
	case OPT_SCHEMA:
		o->action = ACT_SCHEMA;
		break;
	case OPT_COMPLETION:
		if (strcmp(optarg, "bash") != 0 && strcmp(optarg, "zsh") != 0) {
			usage_error("--completion: unknown shell \"%s\"; allowed: bash, zsh", optarg);
			return -1;
		}
		o->action = ACT_COMPLETION;
		o->shell = optarg;
		break;
	case OPT_GENERATE_CA:
		o->action = ACT_GENERATE_CA;
		o->ca_dir = optarg;
		break;
	case 'h':
		o->action = ACT_HELP;
		return 1;
	case OPT_VERSION:
		o->action = ACT_VERSION;
		return 1;
	case ':':
		usage_error("%s needs a value", argv[optind - 1]);
		return -1;
	default:
		usage_error("unknown option %s", argv[optind - 1]);
		return -1;
	}
	return 0;
}

/* What is left after the options: the input FILE ("-": stdin), or, under a
 * legacy kustomize exec plugin run, the config file kustomize wrote. */
static int
take_operands(struct opts *o, int argc, char **argv)
{
	const char *kroot = getenv(KUSTOMIZE_ENV);
	int n = argc - optind;

	if (n == 0)
		return 0;
	if (kroot && *kroot && !o->config_file) {
		if (n > 1) {
			usage_error("unexpected argument %s (a kustomize exec plugin takes its config file alone)",
				    argv[optind + 1]);
			return -1;
		}
		o->config_file = argv[optind];
		o->config_dir = kroot;
		return 0;
	}
	if (n > 1) {
		usage_error("unexpected argument %s: one input FILE at most (the configuration goes with --config FILE)",
			    argv[optind + 1]);
		return -1;
	}
	o->input_file = argv[optind];
	return 0;
}

/* Actions that read neither the input nor the configuration (or only it) refuse what they would ignore.
 * --print-defaults with --config/--set is refused rather than made a synonym of --print-config: its
 * name promises the defaults, and scripts that seed a config file from it must never get a mix. */
static int
check_action(const struct opts *o)
{
	if (o->action == ACT_PRINT_DEFAULTS && (o->config_file || o->nsets)) {
		usage_error("%s: --print-defaults prints the defaults alone; --print-config prints the configuration "
			    "that --config and --set give", o->config_file ? "--config" : "--set");
		return -1;
	}
	if ((o->action != ACT_RUN && o->action != ACT_HELP && o->action != ACT_VERSION) && o->input_file) {
		usage_error("unexpected argument %s: this option reads no input", o->input_file);
		return -1;
	}
	return 0;
}

int
opts_parse(struct opts *o, int argc, char **argv)
{
	const struct option *lo = long_options();
	size_t *limit;
	int c, idx = 0, rc;

	memset(o, 0, sizeof(*o));
	o->max_input = MAX_INPUT_DEFAULT;
	o->limits = limits_default;
	o->sets = xcalloc((size_t)argc + 1, sizeof(char *));
	if (argc == 2 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "version"))) {
		o->action = argv[1][0] == 'h' ? ACT_HELP : ACT_VERSION;
		return 0;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:h", lo, &idx)) != -1) {
		if ((limit = limit_of(o, c)) != NULL) {
			if (set_limit(limit, lo[idx].name) != 0)
				return -1;
			continue;
		}
		if ((rc = take_option(o, c, argv)) != 0)
			return rc < 0 ? -1 : 0;
	}
	if (take_operands(o, argc, argv) != 0 || check_action(o) != 0)
		return -1;
	if (!o->log_file && getenv(LOG_ENV) && *getenv(LOG_ENV))
		o->log_file = getenv(LOG_ENV);
	return 0;
}

void
opts_free(struct opts *o)
{
	free(o->sets);
	o->sets = NULL;
}

static size_t
limit_default(int id)
{
	switch (id) {
	case OPT_MAX_INPUT:
		return MAX_INPUT_DEFAULT;
	case OPT_MAX_SCALAR:
		return MAX_SCALAR_BYTES_DEFAULT;
	case OPT_MAX_TOKENS:
		return MAX_LINE_TOKENS_DEFAULT;
	case OPT_MAX_KEYS:
		return MAX_MAPPING_KEYS_DEFAULT;
	case OPT_MAX_ANNOTATIONS:
		return MAX_ANNOTATION_BYTES_DEFAULT;
	default:
		return MAX_DOCUMENTS_DEFAULT;
	}
}

/* One option of --help: "  -c, --config FILE" padded to column 27 (or two
 * blanks past it), then its text, continuation lines at column 27. */
static void
help_option(const struct optinfo *oi)
{
	char head[80], text[600];
	const char *p, *nl;

	snprintf(head, sizeof(head), "  %c%c%s--%s%s%s", oi->short_name ? '-' : ' ', oi->short_name ? oi->short_name : ' ',
		 oi->short_name ? ", " : "  ", oi->name, oi->argname ? " " : "", oi->argname ? oi->argname : "");
	if (strstr(oi->help, "%zu"))
		snprintf(text, sizeof(text), oi->help, limit_default(oi->id));
	else
		snprintf(text, sizeof(text), "%s", oi->help);
	printf("%-27s%s", head, strlen(head) >= 26 ? "  " : "");
	for (p = text; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		printf("%.*s\n%27s", (int)(nl - p), p, "");
	printf("%s\n", p);
}

void
opts_help(void)
{
	printf("registry-addon %s: add an in-cluster, highly available OCI registry mirror\n"
	       "to a stream of rendered Kubernetes manifests.\n\n", REGISTRY_ADDON_VERSION);
	fputs("usage:\n"
	      "  helm template ... | registry-addon [--config FILE] [--set PATH=VALUE]...\n"
	      "  registry-addon [--config FILE] [--set PATH=VALUE]... manifests.yaml\n"
	      "  helm install ... --post-renderer registry-addon [--post-renderer-args ARG]...\n"
	      "  kpt fn eval PKG --exec registry-addon -- PATH=VALUE...     (KRM ResourceList)\n"
	      "  registry-addon CONFIG_FILE                                 (legacy kustomize exec plugin)\n\n"
	      "Input is FILE, or stdin when there is none or it is -: a YAML stream, or one\n"
	      "KRM ResourceList (config from its functionConfig: a RegistryAddon document\n"
	      "or a ConfigMap whose data keys are the PATHs below). Empty input gives the\n"
	      "add-on alone. A terminal on stdin gets the usage, not a wait.\n"
	      "kustomize runs a legacy exec plugin with $" KUSTOMIZE_ENV " set:\n"
	      "then the argument is the config file kustomize wrote, not the input.\n\n"
	      "options:\n", stdout);
	for (size_t i = 0; i < opts_count; i++)
		help_option(&opts_table[i]);
	puts("\nexit status: 0 ok, 1 bad input or configuration, 2 usage or I/O error.\n"
	     "On error nothing is written to stdout (KRM mode writes a ResourceList whose\n"
	     "results carry the error).\n\n"
	     "An unknown field is an error that names the closest field of the list below.\n\n"
	     "configuration fields (spec.PATH in a RegistryAddon document):");
	config_print_fields(stdout);
}
