/* opts.c - argv to struct opts, and the help text. */
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

enum {
	OPT_SET = 256, OPT_LOG, OPT_PRINT_DEFAULTS, OPT_VERSION, OPT_MAX_INPUT, OPT_GENERATE_CA,
	OPT_MAX_SCALAR, OPT_MAX_TOKENS, OPT_MAX_KEYS, OPT_MAX_ANNOTATIONS, OPT_MAX_DOCUMENTS,
};

static const struct option lopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "set", required_argument, NULL, OPT_SET },
	{ "log-file", required_argument, NULL, OPT_LOG },
	{ "print-defaults", no_argument, NULL, OPT_PRINT_DEFAULTS },
	{ "generate-ca", required_argument, NULL, OPT_GENERATE_CA },
	{ "max-input-bytes", required_argument, NULL, OPT_MAX_INPUT },
	{ "max-scalar-bytes", required_argument, NULL, OPT_MAX_SCALAR },
	{ "max-line-tokens", required_argument, NULL, OPT_MAX_TOKENS },
	{ "max-mapping-keys", required_argument, NULL, OPT_MAX_KEYS },
	{ "max-annotation-bytes", required_argument, NULL, OPT_MAX_ANNOTATIONS },
	{ "max-documents", required_argument, NULL, OPT_MAX_DOCUMENTS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void
usage_error(const char *fmt, const char *arg)
{
	fputs("registry-addon: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nusage: registry-addon [--config FILE] [--set PATH=VALUE]... < manifests.yaml\n"
	      "try 'registry-addon --help'\n", stderr);
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

int
opts_parse(struct opts *o, int argc, char **argv)
{
	size_t *limit;
	int c, idx = 0;

	memset(o, 0, sizeof(*o));
	o->max_input = MAX_INPUT_DEFAULT;
	o->limits = limits_default;
	o->sets = xcalloc((size_t)argc + 1, sizeof(char *));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:h", lopts, &idx)) != -1) {
		if ((limit = limit_of(o, c)) != NULL) {
			if (parse_size(optarg, limit) != 0) {
				char what[160];

				snprintf(what, sizeof(what), "--%s: expected a positive whole number, got \"%.80s\"",
					 lopts[idx].name, optarg);
				usage_error("%s", what);
				return -1;
			}
			continue;
		}
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
		case OPT_GENERATE_CA:
			o->action = ACT_GENERATE_CA;
			o->ca_dir = optarg;
			break;
		case 'h':
			o->action = ACT_HELP;
			return 0;
		case OPT_VERSION:
			o->action = ACT_VERSION;
			return 0;
		case ':':
			usage_error("%s needs a value", argv[optind - 1]);
			return -1;
		default:
			usage_error("unknown option %s", argv[optind - 1]);
			return -1;
		}
	}
	/* the legacy kustomize exec plugin passes its config file as argv[1] */
	if (optind < argc) {
		if (o->config_file || optind + 1 < argc) {
			usage_error("unexpected argument %s (one config file at most)", argv[optind + (o->config_file ? 0 : 1)]);
			return -1;
		}
		o->config_file = argv[optind];
	}
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

void
opts_help(void)
{
	printf("registry-addon %s: add an in-cluster, highly available OCI registry mirror\n"
	       "to a stream of rendered Kubernetes manifests.\n\n", REGISTRY_ADDON_VERSION);
	fputs("usage:\n"
	      "  helm template ... | registry-addon [--config FILE] [--set PATH=VALUE]...\n"
	      "  helm install ... --post-renderer registry-addon [--post-renderer-args ARG]...\n"
	      "  kpt fn eval PKG --exec registry-addon -- PATH=VALUE...     (KRM ResourceList)\n"
	      "  registry-addon CONFIG_FILE                                 (legacy kustomize exec plugin)\n\n"
	      "Input is a YAML stream on stdin, or one KRM ResourceList (config from its\n"
	      "functionConfig: a RegistryAddon document or a ConfigMap whose data keys are\n"
	      "the PATHs below). Empty input gives the add-on alone.\n\n"
	      "options:\n"
	      "  -c, --config FILE        RegistryAddon document (apiVersion " CONFIG_API_VERSION ")\n"
	      "      --set PATH=VALUE     set one field (wins over the config); lists as a,b or [a, b];\n"
	      "                           mappings as YAML flow, e.g. --set 'registry.nodeSelector={a: b}'\n"
	      "      --log-file FILE      append diagnostics to FILE as well as stderr (Helm 4 discards\n"
	      "                           a post-renderer's stderr); also $" LOG_ENV "\n"
	      "      --print-defaults     print the full default RegistryAddon document and exit\n"
	      "      --generate-ca DIR    write a new CA (DIR/ca.crt, DIR/ca.key) for tls.mode generate;\n"
	      "                           random, unlike everything else this program writes\n", stdout);
	printf("      --max-input-bytes N  refuse inputs larger than N bytes (default %zu)\n"
	       "      --max-scalar-bytes N  refuse a scalar whose text (quotes, escapes, line breaks\n"
	       "                           included) is longer than N bytes (default %zu)\n"
	       "      --max-line-tokens N  refuse a line of more than N YAML tokens (values, keys,\n"
	       "                           commas, brackets: libfyaml keeps a line's tokens in memory,\n"
	       "                           about 200 bytes each; default %zu)\n"
	       "      --max-mapping-keys N  refuse a mapping with more than N keys (default %zu)\n"
	       "      --max-annotation-bytes N  refuse an object whose metadata.annotations are longer\n"
	       "                           than N bytes, keys and values together (default %zu, the\n"
	       "                           API server's own limit)\n"
	       "      --max-documents N    refuse a stream of more than N documents, or a ResourceList\n"
	       "                           of more than N items (default %zu)\n",
	       MAX_INPUT_DEFAULT, MAX_SCALAR_BYTES_DEFAULT, MAX_LINE_TOKENS_DEFAULT, MAX_MAPPING_KEYS_DEFAULT,
	       MAX_ANNOTATION_BYTES_DEFAULT, MAX_DOCUMENTS_DEFAULT);
	puts("  -h, --help               this text\n"
	     "      --version            print the version\n\n"
	     "exit status: 0 ok, 1 bad input or configuration, 2 usage or I/O error.\n"
	     "On error nothing is written to stdout (KRM mode writes a ResourceList whose\n"
	     "results carry the error).\n\n"
	     "configuration fields (spec.PATH in a RegistryAddon document):");
	config_print_fields(stdout);
}
