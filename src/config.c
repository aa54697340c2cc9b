/* config.c - builds struct config from defaults, documents and --set, and
 * validates it. Field knowledge lives in cfgfields.c; this file only walks. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfgfields.h"
#include "diag.h"
#include "util.h"
#include "yload.h"
#include "ytree.h"

#define ALIAS_BUDGET 100000L

/* Where a value came from, for messages. */
struct origin {
	const char *file, *src;
	size_t srclen;
	const char *prefix;	/* "spec." for documents, "" for --set and ConfigMap data */
};

static void
report(const struct origin *o, struct ynode *at, const struct field *f, const char *path,
       const char *fmt, const char *value, const char *why)
{
	char field[256];
	struct where w = { .file = o->file, .src = o->src, .srclen = o->srclen };

	snprintf(field, sizeof(field), "%s%s", o->prefix, f ? f->path : path);
	w.field = field;
	if (at && at->line) {
		w.line = at->line;
		w.col = at->col;
	}
	if (why)
		diag_error(&w, fmt, value, why);
	else
		diag_error(&w, fmt, value);
}

/* A value as the user wrote it, for "invalid value X" (buf: 160 bytes). */
static const char *
shown(struct ynode *v, char *buf)
{
	v = yresolve(v);
	if (!v)
		return "null";
	if (v->kind == Y_MAP)
		return "(a mapping)";
	if (v->kind == Y_SEQ)
		return "(a list)";
	if (v->style == YS_SINGLE || v->style == YS_DOUBLE)
		snprintf(buf, 160, "\"%.100s\" (a quoted string)", v->str);
	else
		snprintf(buf, 160, "%.100s", v->str);
	return buf;
}

static void *
slot(struct config *c, const struct field *f)
{
	return (char *)c + f->off;
}

/* "a|b|c" contains s? */
static int
allowed_has(const char *allowed, const char *s)
{
	size_t n = strlen(s);

	for (const char *p = allowed; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, s, n) == 0)
			return 1;
		p += len + (bar ? 1 : 0);
	}
	return 0;
}

char *
field_allowed_text(const char *allowed)
{
	struct buf b = BUF_INIT;

	for (const char *p = allowed; *p; p++) {
		if (*p == '|')
			buf_adds(&b, ", ");
		else
			buf_addc(&b, *p);
	}
	buf_cstr(&b);
	return b.p;
}

static int
set_scalar_string(struct config *c, const struct field *f, struct ynode *v, const struct origin *o)
{
	const char *why = NULL;

	if (!yis_scalar(v) || (yis_null(v) && v->style == YS_PLAIN && v->len)) {
		char tmp[160];

		report(o, v, f, NULL, "invalid value %s: must be a string", shown(v, tmp), NULL);
		return -1;
	}
	v = yresolve(v);
	if (f->type == F_ENUM && !allowed_has(f->allowed, v->str)) {
		char *allowed = field_allowed_text(f->allowed);

		report(o, v, f, NULL, "invalid value \"%s\": must be one of %s", v->str, allowed);
		free(allowed);
		return -1;
	}
	if (f->check && f->check(v->str, &why) != 0) {
		report(o, v, f, NULL, "invalid value \"%s\": must be %s", v->str, why);
		return -1;
	}
	*(char **)slot(c, f) = arena_strdup(c->arena, v->str);
	return 0;
}

static int
set_int(struct config *c, const struct field *f, struct ynode *v, const struct origin *o)
{
	char *end, range[64], tmp[160];
	long n;

	v = yresolve(v);
	if (!v || v->kind != Y_SCALAR || v->style != YS_PLAIN || yresolve_plain(v->str, v->len) != YR_INT)
		goto bad;
	errno = 0;
	n = strtol(v->str, &end, 10);
	if (*end || errno || n < f->min || n > f->max)
		goto bad;
	*(long *)slot(c, f) = n;
	return 0;
bad:
	snprintf(range, sizeof(range), "%ld to %ld", f->min, f->max);
	report(o, v, f, NULL, "invalid value %s: must be an integer from %s", shown(v, tmp), range);
	return -1;
}

static int
set_bool(struct config *c, const struct field *f, struct ynode *v, const struct origin *o)
{
	v = yresolve(v);
	if (v && v->kind == Y_SCALAR && v->style == YS_PLAIN && (!strcmp(v->str, "true") || !strcmp(v->str, "false"))) {
		*(bool *)slot(c, f) = v->str[0] == 't';
		return 0;
	}
	char tmp[160];

	report(o, v, f, NULL, "invalid value %s: must be true or false", shown(v, tmp), NULL);
	return -1;
}

static int
list_item_ok(const struct field *f, struct ynode *item, const struct origin *o, struct strlist *l)
{
	const char *why = NULL;

	if (!yis_scalar(item) || yis_null(item)) {
		report(o, item, f, NULL, "invalid list entry %s: must be a string", "(not a string)", NULL);
		return -1;
	}
	item = yresolve(item);
	if (f->type == F_SET && !allowed_has(f->allowed, item->str)) {
		char *allowed = field_allowed_text(f->allowed);

		report(o, item, f, NULL, "invalid list entry \"%s\": must be one of %s", item->str, allowed);
		free(allowed);
		return -1;
	}
	if (f->type == F_LIST && !allowed_has(f->allowed, item->str) && f->check && f->check(item->str, &why) != 0) {
		report(o, item, f, NULL, "invalid list entry \"%s\": must be %s", item->str, why);
		return -1;
	}
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], item->str) == 0) {
			report(o, item, f, NULL, "duplicate list entry \"%s\"", item->str, NULL);
			return -1;
		}
	return 0;
}

static int
set_list(struct config *c, const struct field *f, struct ynode *v, const struct origin *o)
{
	struct strlist l = { NULL, 0 };

	v = yresolve(v);
	/* sugar: a lone "auto" / "none" for lists that know those words */
	if (v && v->kind == Y_SCALAR && f->allowed && allowed_has(f->allowed, "auto") &&
	    (!strcmp(v->str, "auto") || !strcmp(v->str, "none"))) {
		l.n = v->str[0] == 'a';
		l.v = arena_alloc(c->arena, sizeof(char *));
		l.v[0] = arena_strdup(c->arena, "auto");
		*(struct strlist *)slot(c, f) = l;
		return 0;
	}
	if (!v || v->kind != Y_SEQ) {
		char tmp[160];

		report(o, v, f, NULL, "invalid value %s: must be a list", shown(v, tmp), NULL);
		return -1;
	}
	l.v = arena_alloc(c->arena, (v->len + 1) * sizeof(char *));
	for (struct ynode *it = v->head; it; it = it->next) {
		if (list_item_ok(f, it, o, &l) != 0)
			return -1;
		l.v[l.n++] = arena_strdup(c->arena, yresolve(it)->str);
	}
	*(struct strlist *)slot(c, f) = l;
	return 0;
}

static int
set_object(struct config *c, const struct field *f, struct ynode *v, const struct origin *o)
{
	long budget = ALIAS_BUDGET;
	struct ynode *r = yresolve(v), *copy;

	if (f->type == F_OBJECT ? !yis_map(r) : !yis_seq(r)) {
		char tmp[160];

		report(o, v, f, NULL, "invalid value %s: must be a %s", shown(v, tmp),
		       f->type == F_OBJECT ? "mapping" : "list of mappings");
		return -1;
	}
	if (f->type == F_OBJLIST)
		for (struct ynode *it = r->head; it; it = it->next)
			if (!yis_map(it)) {
				report(o, it, f, NULL, "invalid list entry %s: must be a mapping", "(not a mapping)", NULL);
				return -1;
			}
	copy = ynode_copy(c->arena, r, &budget);
	if (!copy) {
		report(o, v, f, NULL, "value %s expands too many aliases", "", NULL);
		return -1;
	}
	*(struct ynode **)slot(c, f) = copy;
	return 0;
}

static int
field_set(struct config *c, const struct field *f, struct ynode *v, const struct origin *o)
{
	switch (f->type) {
	case F_STR:
	case F_ENUM:
		return set_scalar_string(c, f, v, o);
	case F_INT:
		return set_int(c, f, v, o);
	case F_BOOL:
		return set_bool(c, f, v, o);
	case F_LIST:
	case F_SET:
		return set_list(c, f, v, o);
	case F_OBJECT:
	case F_OBJLIST:
		return set_object(c, f, v, o);
	}
	return -1;
}

/* Every default, parsed in one go as a mapping of field paths. */
struct config *
config_new(void)
{
	struct config *c = xcalloc(1, sizeof(*c));
	struct origin o = { "<defaults>", NULL, 0, "spec." };
	struct buf text = BUF_INIT;
	struct ynode *defaults = NULL, *k;

	c->arena = arena_new();
	for (size_t i = 0; i < config_nfields; i++)
		buf_addf(&text, "%s: %s\n", config_fields[i].path, config_fields[i].def);
	if (yload_one("<defaults>", text.p, text.len, c->arena, &defaults) != 0)
		abort();	/* a broken default is a bug in the table */
	k = defaults->head;
	for (size_t i = 0; i < config_nfields; i++, k = k->next->next)
		if (!k || strcmp(k->str, config_fields[i].path) != 0 ||
		    field_set(c, &config_fields[i], k->next, &o) != 0)
			abort();
	buf_free(&text);
	return c;
}

void
config_free(struct config *c)
{
	if (!c)
		return;
	arena_free(c->arena);
	free(c);
}

/* Keys directly under a group, for "allowed:" hints. */
static char *
group_keys(const char *group, size_t glen)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < config_nfields; i++) {
		const char *p = config_fields[i].path, *rest, *dot;
		size_t len;

		if (glen && (strncmp(p, group, glen) != 0 || p[glen] != '.'))
			continue;
		rest = glen ? p + glen + 1 : p;
		dot = strchr(rest, '.');
		len = dot ? (size_t)(dot - rest) : strlen(rest);
		if (b.len) {
			/* skip a key already listed (groups repeat) */
			char needle[128];

			snprintf(needle, sizeof(needle), "%.*s", (int)len, rest);
			if (strstr(buf_cstr(&b), needle))
				continue;
			buf_adds(&b, ", ");
		}
		buf_add(&b, rest, len);
	}
	buf_cstr(&b);
	return b.p;
}

static int
apply_map(struct config *c, struct ynode *map, char *path, size_t plen, const struct origin *o)
{
	int rc = 0;

	for (struct ynode *k = map->head; k && k->next; k = k->next->next) {
		struct ynode *rk = yresolve(k), *v = k->next;
		const struct field *f;
		size_t len;

		if (!yis_scalar(rk) || plen + rk->len + 2 >= 256) {
			report(o, k, NULL, path, "invalid key under %s", "", NULL);
			rc = -1;
			continue;
		}
		len = plen ? plen + 1 + rk->len : rk->len;
		snprintf(path + plen, 256 - plen, "%s%s", plen ? "." : "", rk->str);
		if ((f = field_find(path)) != NULL) {
			rc |= field_set(c, f, v, o);
		} else if (field_is_group(path, len) && yis_map(v)) {
			rc |= apply_map(c, yresolve(v), path, len, o);
		} else if (field_is_group(path, len)) {
			report(o, v, NULL, path, "invalid value%s: must be a mapping", "", NULL);
			rc = -1;
		} else {
			char *keys = group_keys(path, plen);

			report(o, k, NULL, path, "unknown field; allowed here: %s", keys, NULL);
			free(keys);
			rc = -1;
		}
		path[plen] = '\0';
	}
	return rc ? -1 : 0;
}

static int
check_top_key(const char *key)
{
	return !strcmp(key, "apiVersion") || !strcmp(key, "kind") || !strcmp(key, "metadata") || !strcmp(key, "spec");
}

/* A whole RegistryAddon document. */
static int
apply_document(struct config *c, struct ynode *doc, const struct origin *o)
{
	struct origin top = *o;
	const char *api = ymap_gets(doc, "apiVersion"), *kind = ymap_gets(doc, "kind");
	struct ynode *spec = ymap_get(doc, "spec");
	char path[256] = "";
	int rc = 0;

	top.prefix = "";
	if (!api || strcmp(api, CONFIG_API_VERSION) != 0 || !kind || strcmp(kind, CONFIG_KIND) != 0) {
		report(&top, doc, NULL, "apiVersion", "invalid config document%s: must have apiVersion: "
		       CONFIG_API_VERSION " and kind: " CONFIG_KIND, "", NULL);
		return -1;
	}
	for (struct ynode *k = yresolve(doc)->head; k && k->next; k = k->next->next)
		if (!yis_scalar(k) || !check_top_key(yresolve(k)->str)) {
			report(&top, k, NULL, yis_scalar(k) ? yresolve(k)->str : "?",
			       "unknown field%s; allowed: apiVersion, kind, metadata, spec", "", NULL);
			rc = -1;
		}
	if (spec && !yis_map(spec) && !yis_null(spec)) {
		report(&top, spec, NULL, "spec", "invalid value%s: must be a mapping", "", NULL);
		return -1;
	}
	if (yis_map(spec))
		rc |= apply_map(c, spec, path, 0, o);
	return rc ? -1 : 0;
}

int
config_load_file(struct config *c, const char *path)
{
	struct buf text = BUF_INIT;
	struct arena *a = arena_new();
	struct ynode *doc = NULL;
	struct origin o = { path, NULL, 0, "spec." };
	char chunk[65536];
	size_t n;
	int rc = -1;
	FILE *fp = fopen(path, "rb");

	if (!fp) {
		diag_error(NULL, "cannot read config file %s: %s", path, strerror(errno));
		diag_set_exit(EXIT_USAGE);
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 && text.len < (16u << 20))
		buf_add(&text, chunk, n);
	fclose(fp);
	o.src = buf_cstr(&text);
	o.srclen = text.len;
	if (yload_one(path, text.p, text.len, a, &doc) != 0)
		goto out;
	if (!doc || !yis_map(doc)) {
		struct where w = { .file = path, .src = o.src, .srclen = o.srclen,
				   .line = doc ? doc->line : 0, .col = doc ? doc->col : 0 };

		diag_error(&w, "the config file must hold one RegistryAddon document (apiVersion: %s, kind: %s)",
			   CONFIG_API_VERSION, CONFIG_KIND);
		goto out;
	}
	rc = apply_document(c, doc, &o);
out:
	arena_free(a);
	buf_free(&text);
	return rc;
}

/* A --set or ConfigMap value (always text) as a node of the field's type. */
static struct ynode *
value_node(struct arena *a, const struct field *f, const char *text, const char *name)
{
	struct ynode *v = NULL;

	switch (f->type) {
	case F_STR:
	case F_ENUM:
		return ynode_str(a, text);
	case F_INT:
	case F_BOOL:
		v = ynode_str(a, text);
		v->style = YS_PLAIN;
		return v;
	case F_LIST:
	case F_SET:
		if (text[0] != '[') {
			if (!strcmp(text, "auto") || !strcmp(text, "none")) {
				v = ynode_str(a, text);
				return v;
			}
			v = ynode_seq(a);
			for (const char *p = text; *p;) {
				const char *comma = strchr(p, ',');
				size_t len = comma ? (size_t)(comma - p) : strlen(p);
				const char *s = p, *e = p + len;

				while (s < e && *s == ' ')
					s++;
				while (e > s && e[-1] == ' ')
					e--;
				yseq_add(v, ynode_strn(a, s, (size_t)(e - s)));
				p += len + (comma ? 1 : 0);
			}
			return v;
		}
		/* a YAML flow list */
		__attribute__((fallthrough));
	case F_OBJECT:
	case F_OBJLIST:
		if (yload_one(name, text, strlen(text), a, &v) != 0)
			return NULL;
		return v ? v : ynode_str(a, "");
	}
	return NULL;
}

/* A value parsed from a string points into that string; its messages
 * should point where the string came from (a ConfigMap entry) or nowhere. */
static void
reposition(struct ynode *v, const struct ynode *at, int depth)
{
	if (!v || depth > 64)
		return;
	v->line = at ? at->line : 0;
	v->col = at ? at->col : 0;
	for (struct ynode *c = v->kind == Y_ALIAS ? NULL : v->head; c; c = c->next)
		reposition(c, at, depth + 1);
}

static int
set_text(struct config *c, const char *path, const char *text, struct ynode *at, const struct origin *o)
{
	const struct field *f = field_find(path);
	struct arena *a;
	struct ynode *v;
	char name[300];
	int rc;

	if (!f) {
		report(o, at, NULL, path, "unknown field%s; run registry-addon --help for the list", "", NULL);
		return -1;
	}
	a = arena_new();
	snprintf(name, sizeof(name), "%s%s", o->file, at ? "" : " value");
	v = value_node(a, f, text, name);
	reposition(v, at, 0);
	rc = v ? field_set(c, f, v, o) : -1;
	arena_free(a);
	return rc;
}

int
config_set(struct config *c, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	struct origin o = { "--set", NULL, 0, "" };
	char path[256];

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(path)) {
		diag_error(NULL, "--set %s: expected PATH=VALUE, e.g. --set registry.replicas=3", assignment);
		return -1;
	}
	memcpy(path, assignment, (size_t)(eq - assignment));
	path[eq - assignment] = '\0';
	return set_text(c, path, eq + 1, NULL, &o);
}

static int
apply_configmap(struct config *c, struct ynode *obj, const struct origin *o)
{
	struct ynode *data = ymap_get(obj, "data");
	int rc = 0;

	if (yis_null(data))
		return 0;
	if (!yis_map(data)) {
		report(o, data, NULL, "data", "invalid value%s: must be a mapping of --set paths to strings", "", NULL);
		return -1;
	}
	for (struct ynode *k = yresolve(data)->head; k && k->next; k = k->next->next) {
		struct ynode *rk = yresolve(k), *v = yresolve(k->next);

		if (!yis_scalar(rk) || !yis_scalar(v)) {
			report(o, k, NULL, "data", "invalid entry%s: keys and values must be strings", "", NULL);
			rc = -1;
			continue;
		}
		rc |= set_text(c, rk->str, v->str, v, o);
	}
	return rc ? -1 : 0;
}

int
config_apply_object(struct config *c, struct ynode *obj, const char *file, const char *src, size_t srclen)
{
	const char *api = ymap_gets(obj, "apiVersion"), *kind = ymap_gets(obj, "kind");
	struct origin o = { file, src, srclen, "spec." };

	if (kind && !strcmp(kind, "ConfigMap") && api && !strcmp(api, "v1")) {
		o.prefix = "";
		return apply_configmap(c, obj, &o);
	}
	if (kind && !strcmp(kind, CONFIG_KIND))
		return apply_document(c, obj, &o);
	{
		struct where w = { .file = file, .src = src, .srclen = srclen, .api = api, .kind = kind,
				   .field = "functionConfig" };
		struct ynode *r = yresolve(obj);

		if (r && r->line) {
			w.line = r->line;
			w.col = r->col;
		}
		diag_error(&w, "unsupported function config: expected ConfigMap (v1) or %s (%s)",
			   CONFIG_KIND, CONFIG_API_VERSION);
	}
	return -1;
}

