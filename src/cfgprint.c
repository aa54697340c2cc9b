/* cfgprint.c - the configuration as documentation: --help's field reference
 * and the documents of --print-defaults and --print-config, from the field
 * table and struct config. */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cfgfields.h"
#include "config.h"
#include "emit.h"
#include "util.h"
#include "yload.h"
#include "ytree.h"

static const char *
type_name(const struct field *f)
{
	static const char *const names[] = {
		[F_STR] = "string", [F_ENUM] = "string", [F_INT] = "integer", [F_BOOL] = "boolean",
		[F_LIST] = "list", [F_SET] = "list", [F_OBJECT] = "mapping", [F_OBJLIST] = "list of mappings",
	};

	return names[f->type];
}

void
config_print_fields(FILE *fp)
{
	for (size_t i = 0; i < config_nfields; i++) {
		const struct field *f = &config_fields[i];

		fprintf(fp, "  %-34s %s, default %s\n", f->path, type_name(f), f->def);
		if (f->allowed && (f->type == F_ENUM || f->type == F_SET)) {
			char *allowed = field_allowed_text(f->allowed);

			fprintf(fp, "  %-34s one of: %s\n", "", allowed);
			free(allowed);
		}
		if (f->type == F_INT)
			fprintf(fp, "  %-34s from %ld to %ld\n", "", f->min, f->max);
		fprintf(fp, "  %-34s %s\n", "", f->help);
	}
}

/* A relative file path as an absolute one (the working directory's). */
static const char *
absolute(struct arena *a, const char *path)
{
	char cwd[4096];

	if (!*path || path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return path;
	char *full = xasprintf("%s/%s", strcmp(cwd, "/") ? cwd : "", path);
	const char *r = arena_strdup(a, full);

	free(full);
	return r;
}

static struct ynode *
list_node(struct arena *a, const struct strlist *l)
{
	struct ynode *seq = ynode_seq(a);

	for (size_t i = 0; i < l->n; i++)
		yseq_add(seq, ynode_str(a, l->v[i]));
	return seq;
}

/* Field f's value in c as a node; strings as strings ("off" must not read
 * back as false), YS_ANY lets the emitter quote them when needed. */
static struct ynode *
value_of(struct arena *a, const struct config *c, const struct field *f)
{
	const void *slot = (const char *)c + f->off;
	long budget = 1000000L;

	switch (f->type) {
	case F_STR:
	case F_ENUM:
		return ynode_str(a, field_is_file(f) ? absolute(a, *(char *const *)slot) : *(char *const *)slot);
	case F_INT:
		return ynode_int(a, *(const long *)slot);
	case F_BOOL:
		return ynode_bool(a, *(const bool *)slot);
	case F_LIST:
	case F_SET:
		return list_node(a, slot);
	case F_OBJECT:
	case F_OBJLIST:
		return ynode_copy(a, *(struct ynode *const *)slot, &budget);
	}
	return NULL;
}

int
config_print(const struct config *c, struct buf *out)
{
	struct arena *a = arena_new();
	struct ynode *doc = ynode_map(a), *spec;
	int rc;

	ymap_str(a, doc, "apiVersion", CONFIG_API_VERSION);
	ymap_str(a, doc, "kind", CONFIG_KIND);
	ymap_str(a, ymap_map(a, doc, "metadata"), "name", "registry-addon");
	spec = ymap_map(a, doc, "spec");
	for (size_t i = 0; i < config_nfields; i++) {
		const struct field *f = &config_fields[i];
		struct ynode *parent = spec;
		char key[128];
		const char *p = f->path, *dot;

		while ((dot = strchr(p, '.')) != NULL) {
			snprintf(key, sizeof(key), "%.*s", (int)(dot - p), p);
			parent = ymap_map(a, parent, key);
			p = dot + 1;
		}
		ymap_set(a, parent, p, value_of(a, c, f));
	}
	rc = emit_yaml(out, doc);
	arena_free(a);
	return rc;
}

int
config_print_defaults(struct buf *out)
{
	struct config *c = config_new();
	int rc = config_print(c, out);

	config_free(c);
	return rc;
}
