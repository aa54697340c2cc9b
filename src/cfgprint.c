/* cfgprint.c - the configuration as documentation: --help's field reference
 * and --print-defaults' document, both straight from the field table. */
#include <stdio.h>
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

/* Strings are written as strings: "off" must not read back as false. */
static struct ynode *
as_typed(const struct field *f, struct ynode *v)
{
	if ((f->type == F_STR || f->type == F_ENUM) && v->kind == Y_SCALAR)
		v->style = YS_ANY;
	if ((f->type == F_LIST || f->type == F_SET) && v->kind == Y_SEQ)
		for (struct ynode *it = v->head; it; it = it->next)
			it->style = YS_ANY;
	return v;
}

int
config_print_defaults(struct buf *out)
{
	struct arena *a = arena_new();
	struct ynode *doc = ynode_map(a), *spec;
	int rc = 0;

	ymap_str(a, doc, "apiVersion", CONFIG_API_VERSION);
	ymap_str(a, doc, "kind", CONFIG_KIND);
	ymap_str(a, ymap_map(a, doc, "metadata"), "name", "registry-addon");
	spec = ymap_map(a, doc, "spec");
	for (size_t i = 0; i < config_nfields && rc == 0; i++) {
		const struct field *f = &config_fields[i];
		struct ynode *parent = spec, *v = NULL;
		char key[128];
		const char *p = f->path, *dot;

		while ((dot = strchr(p, '.')) != NULL) {
			snprintf(key, sizeof(key), "%.*s", (int)(dot - p), p);
			parent = ymap_map(a, parent, key);
			p = dot + 1;
		}
		rc = yload_one("<defaults>", f->def, strlen(f->def), a, &v);
		if (rc == 0 && v)
			ymap_set(a, parent, p, as_typed(f, v));
	}
	if (rc == 0)
		rc = emit_yaml(out, doc);
	arena_free(a);
	return rc;
}
