/* cfgschema.c - --schema: a JSON Schema (draft 2020-12) of the RegistryAddon
 * document, from the field table: types, enums from the allowed values,
 * ranges, defaults, descriptions, no unknown keys. */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cfgfields.h"
#include "config.h"
#include "util.h"
#include "yload.h"
#include "ytree.h"

#define SCHEMA_DIALECT "https://json-schema.org/draft/2020-12/schema"
#define SCHEMA_ID "https://registry-addon.dev/schemas/v1alpha1/registryaddon.json"

/* A mapping of known keys only; its "properties" object is returned. */
static cJSON *
add_object(cJSON *parent, const char *key, cJSON **props)
{
	cJSON *o = cJSON_AddObjectToObject(parent, key);

	cJSON_AddStringToObject(o, "type", "object");
	cJSON_AddFalseToObject(o, "additionalProperties");
	*props = cJSON_AddObjectToObject(o, "properties");
	return o;
}

/* "a|b|c" as a JSON array of strings */
static cJSON *
words(const char *allowed)
{
	cJSON *a = cJSON_CreateArray();

	for (const char *p = allowed; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		char *w = xstrndup(p, len);

		cJSON_AddItemToArray(a, cJSON_CreateString(w));
		free(w);
		p += len + (bar ? 1 : 0);
	}
	return a;
}

/* A parsed default as JSON: scalars by the field's type, strings inside. */
static cJSON *
json_of(const struct ynode *v, enum ftype t)
{
	cJSON *j;

	if (!v)
		return cJSON_CreateNull();
	if (v->kind == Y_SEQ) {
		j = cJSON_CreateArray();
		for (const struct ynode *it = v->head; it; it = it->next)
			cJSON_AddItemToArray(j, json_of(it, F_STR));
		return j;
	}
	if (v->kind == Y_MAP) {
		j = cJSON_CreateObject();
		for (const struct ynode *k = v->head; k && k->next; k = k->next->next)
			cJSON_AddItemToObject(j, k->str, json_of(k->next, F_STR));
		return j;
	}
	if (t == F_INT)
		return cJSON_CreateNumber((double)strtol(v->str, NULL, 10));
	if (t == F_BOOL)
		return cJSON_CreateBool(!strcmp(v->str, "true"));
	return cJSON_CreateString(v->str);
}

static void
add_default(cJSON *s, const struct field *f)
{
	struct arena *a = arena_new();
	struct ynode *v = NULL;

	if (yload_one("<defaults>", f->def, strlen(f->def), a, &v) == 0)
		cJSON_AddItemToObject(s, "default", json_of(v, f->type));
	arena_free(a);
}

/* The help, and what a checked string must be (the check's own words). */
static void
add_description(cJSON *s, const struct field *f)
{
	const char *why = NULL;
	char *text;

	if (f->type == F_STR && f->check && f->check("", &why) != 0 && why)
		text = xasprintf("%s. Must be %s.", f->help, why);
	else
		text = xstrdup(f->help);
	cJSON_AddStringToObject(s, "description", text);
	free(text);
}

/* A list of strings: entries from allowed (F_SET) or any string, once each. */
static void
list_schema(cJSON *s, const struct field *f)
{
	cJSON *items = cJSON_AddObjectToObject(s, "items");
	const char *why;
	size_t bad;

	cJSON_AddStringToObject(s, "type", "array");
	cJSON_AddStringToObject(items, "type", "string");
	if (f->type == F_SET)
		cJSON_AddItemToObject(items, "enum", words(f->allowed));
	cJSON_AddTrueToObject(s, "uniqueItems");
	if (field_list_check(f, NULL, 0, &bad, &why) != 0)
		cJSON_AddNumberToObject(s, "minItems", 1);
}

static void
type_schema(cJSON *s, const struct field *f)
{
	const char *why;

	switch (f->type) {
	case F_STR:
		cJSON_AddStringToObject(s, "type", "string");
		if (f->check && f->check("", &why) != 0)
			cJSON_AddNumberToObject(s, "minLength", 1);
		break;
	case F_ENUM:
		cJSON_AddStringToObject(s, "type", "string");
		cJSON_AddItemToObject(s, "enum", words(f->allowed));
		break;
	case F_INT:
		cJSON_AddStringToObject(s, "type", "integer");
		cJSON_AddNumberToObject(s, "minimum", (double)f->min);
		cJSON_AddNumberToObject(s, "maximum", (double)f->max);
		break;
	case F_BOOL:
		cJSON_AddStringToObject(s, "type", "boolean");
		break;
	case F_LIST:
	case F_SET:
		list_schema(s, f);
		break;
	case F_OBJECT:
		cJSON_AddStringToObject(s, "type", "object");
		break;
	case F_OBJLIST:
		cJSON_AddStringToObject(s, "type", "array");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(s, "items"), "type", "object");
		break;
	}
}

/* One field: a list that knows "auto" also takes the words auto and none alone. */
static void
field_schema(cJSON *props, const char *key, const struct field *f)
{
	cJSON *s = cJSON_AddObjectToObject(props, key), *any, *alt;

	add_description(s, f);
	add_default(s, f);
	if (f->type == F_LIST && f->allowed && strstr(f->allowed, "auto")) {
		any = cJSON_AddArrayToObject(s, "anyOf");
		alt = cJSON_CreateObject();
		type_schema(alt, f);
		cJSON_AddItemToArray(any, alt);
		alt = cJSON_CreateObject();
		cJSON_AddItemToObject(alt, "enum", words("auto|none"));
		cJSON_AddItemToArray(any, alt);
		return;
	}
	type_schema(s, f);
}

/* The properties of the group holding path's last key, made on the way. */
static cJSON *
group_props(cJSON *spec_props, const char *path, const char **key)
{
	cJSON *props = spec_props;
	const char *p = path, *dot;
	char name[128];

	while ((dot = strchr(p, '.')) != NULL) {
		cJSON *g;

		snprintf(name, sizeof(name), "%.*s", (int)(dot - p), p);
		g = cJSON_GetObjectItemCaseSensitive(props, name);
		if (g)
			props = cJSON_GetObjectItemCaseSensitive(g, "properties");
		else
			add_object(props, name, &props);
		p = dot + 1;
	}
	*key = p;
	return props;
}

static cJSON *
document_schema(void)
{
	cJSON *root = cJSON_CreateObject(), *props, *spec, *spec_props, *t;

	cJSON_AddStringToObject(root, "$schema", SCHEMA_DIALECT);
	cJSON_AddStringToObject(root, "$id", SCHEMA_ID);
	cJSON_AddStringToObject(root, "title", CONFIG_KIND);
	cJSON_AddStringToObject(root, "description", "registry-addon configuration (registry-addon --config FILE, a KRM "
			       "functionConfig, a legacy kustomize transformer); generated by registry-addon --schema");
	cJSON_AddStringToObject(root, "type", "object");
	t = cJSON_AddArrayToObject(root, "required");
	cJSON_AddItemToArray(t, cJSON_CreateString("apiVersion"));
	cJSON_AddItemToArray(t, cJSON_CreateString("kind"));
	cJSON_AddFalseToObject(root, "additionalProperties");
	props = cJSON_AddObjectToObject(root, "properties");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(props, "apiVersion"), "const", CONFIG_API_VERSION);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(props, "kind"), "const", CONFIG_KIND);
	t = cJSON_AddArrayToObject(cJSON_AddObjectToObject(props, "metadata"), "type");
	cJSON_AddItemToArray(t, cJSON_CreateString("object"));
	cJSON_AddItemToArray(t, cJSON_CreateString("null"));
	spec = add_object(props, "spec", &spec_props);
	/* an empty spec: (null in YAML) means the defaults */
	cJSON_DeleteItemFromObject(spec, "type");
	t = cJSON_AddArrayToObject(spec, "type");
	cJSON_AddItemToArray(t, cJSON_CreateString("object"));
	cJSON_AddItemToArray(t, cJSON_CreateString("null"));
	for (size_t i = 0; i < config_nfields; i++) {
		const char *key;
		cJSON *gp = group_props(spec_props, config_fields[i].path, &key);

		field_schema(gp, key, &config_fields[i]);
	}
	return root;
}

int
config_print_schema(struct buf *out)
{
	cJSON *root = document_schema();
	char *text = cJSON_Print(root);

	cJSON_Delete(root);
	if (!text)
		return -1;
	buf_adds(out, text);
	buf_addc(out, '\n');
	cJSON_free(text);
	return 0;
}
