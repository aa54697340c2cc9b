/* config.c - sets fields of struct config from YAML values, checked by their
 * row of the field table (cfgfields.c); the defaults. Documents, files,
 * ConfigMaps and --set are read in cfgload.c. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgfields.h"
#include "diag.h"
#include "k8svalid.h"
#include "util.h"
#include "yload.h"
#include "ytree.h"

#define ALIAS_BUDGET_N 100000
#define ALIAS_BUDGET ((long)ALIAS_BUDGET_N)
#define DEFAULTS "<defaults>"

void
cfg_report(const struct origin *o, struct ynode *at, const struct field *f, const char *path,
       const char *fmt, const char *value, const char *why)
{
	char field[256];
	struct where w = { .file = o->file, .src = o->src, .srclen = o->srclen };

	snprintf(field, sizeof(field), "%s%s", o->prefix, f ? f->path : path);
	w.field = field;
	where_at(&w, at);
	if (why)
		diag_error(&w, fmt, value, why);
	else
		diag_error(&w, fmt, value);
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

		cfg_report(o, v, f, NULL, "invalid value %s: must be a string", kv_shown(v, tmp, true), NULL);
		return -1;
	}
	v = yresolve(v);
	if (f->type == F_ENUM && !allowed_has(f->allowed, v->str)) {
		char *allowed = field_allowed_text(f->allowed);

		cfg_report(o, v, f, NULL, "invalid value \"%s\": must be one of %s", v->str, allowed);
		free(allowed);
		return -1;
	}
	if (f->check && f->check(v->str, &why) != 0) {
		cfg_report(o, v, f, NULL, "invalid value \"%s\": must be %s", v->str, why);
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
	cfg_report(o, v, f, NULL, "invalid value %s: must be an integer from %s", kv_shown(v, tmp, true), range);
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

	cfg_report(o, v, f, NULL, "invalid value %s: must be true or false", kv_shown(v, tmp, true), NULL);
	return -1;
}

static int
list_item_ok(const struct field *f, struct ynode *item, const struct origin *o, struct strlist *l)
{
	const char *why = NULL;

	if (!yis_scalar(item) || yis_null(item)) {
		cfg_report(o, item, f, NULL, "invalid list entry %s: must be a string", "(not a string)", NULL);
		return -1;
	}
	item = yresolve(item);
	if (f->type == F_SET && !allowed_has(f->allowed, item->str)) {
		char *allowed = field_allowed_text(f->allowed);

		cfg_report(o, item, f, NULL, "invalid list entry \"%s\": must be one of %s", item->str, allowed);
		free(allowed);
		return -1;
	}
	if (f->type == F_LIST && !allowed_has(f->allowed, item->str) && f->check && f->check(item->str, &why) != 0) {
		cfg_report(o, item, f, NULL, "invalid list entry \"%s\": must be %s", item->str, why);
		return -1;
	}
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], item->str) == 0) {
			cfg_report(o, item, f, NULL, "duplicate list entry \"%s\"", item->str, NULL);
			return -1;
		}
	return 0;
}

static int
set_list(struct config *c, const struct field *f, struct ynode *v, const struct origin *o)
{
	struct strlist l = { NULL, 0 };
	const char *why;
	size_t bad;

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

		cfg_report(o, v, f, NULL, "invalid value %s: must be a list", kv_shown(v, tmp, true), NULL);
		return -1;
	}
	if (v->len > LIMIT_CONFIG_LIST) {
		char n[32];

		snprintf(n, sizeof(n), "%zu", v->len);
		cfg_report(o, v, f, NULL, "invalid value: a list of %s entries; at most %s (a fixed limit)", n,
			   XSTR(LIMIT_CONFIG_LIST));
		return -1;
	}
	l.v = arena_alloc(c->arena, (v->len + 1) * sizeof(char *));
	for (struct ynode *it = v->head; it; it = it->next) {
		if (list_item_ok(f, it, o, &l) != 0)
			return -1;
		l.v[l.n++] = arena_strdup(c->arena, yresolve(it)->str);
	}
	if (field_list_check(f, l.v, l.n, &bad, &why) != 0) {
		struct ynode *at = v->head;

		for (size_t i = 0; at && i < bad; i++)
			at = at->next;
		if (at)
			cfg_report(o, at, f, NULL, "invalid list entry \"%s\": must be %s", l.v[bad], why);
		else
			cfg_report(o, v, f, NULL, "invalid value %s: must have %s", "(an empty list)", why);
		return -1;
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

		cfg_report(o, v, f, NULL, "invalid value %s: must be a %s", kv_shown(v, tmp, true),
		       f->type == F_OBJECT ? "mapping" : "list of mappings");
		return -1;
	}
	if (f->type == F_OBJLIST)
		for (struct ynode *it = r->head; it; it = it->next)
			if (!yis_map(it)) {
				cfg_report(o, it, f, NULL, "invalid list entry %s: must be a mapping", "(not a mapping)", NULL);
				return -1;
			}
	if (f->ocheck) {
		struct where base = { .file = o->file, .src = o->src, .srclen = o->srclen };
		char field[256];

		snprintf(field, sizeof(field), "%s%s", o->prefix, f->path);
		if (f->ocheck(&base, field, r) != 0)
			return -1;
	}
	copy = ynode_copy(c->arena, r, &budget);
	if (!copy) {
		cfg_report(o, v, f, NULL, "invalid value: more than %s nodes, counted with what its aliases repeat (a "
			   "fixed limit)", XSTR(ALIAS_BUDGET_N), NULL);
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

int
cfg_field_set(struct config *c, const struct field *f, struct ynode *v, const struct origin *o)
{
	struct ynode *r = yresolve(v);

	if (field_set(c, f, v, o) != 0)
		return -1;
	if (strcmp(o->file, DEFAULTS) != 0)
		c->set_at[f - config_fields] = (struct where){ .file = arena_strdup(c->arena, o->file), .src = o->src,
							       .srclen = o->srclen, .line = r ? r->line : 0,
							       .col = r ? r->col : 0, .field = o->prefix };
	return 0;
}

struct where
cfg_at(const struct config *c, const char *field)
{
	const struct field *f = field_find(strncmp(field, "spec.", 5) ? field : field + 5);
	struct where w = { 0 };

	if (f)
		w = c->set_at[f - config_fields];
	/* .field holds the prefix of the place it was set: "" for --set and ConfigMap data */
	w.field = w.field && !*w.field && !strncmp(field, "spec.", 5) ? field + 5 : field;
	return w;
}

/* Every default, parsed in one go as a mapping of field paths, once a
 * process: the tree lives in its own arena to the end (a fuzzer or a test
 * makes thousands of configs; each copies what it keeps). */
static struct ynode *
defaults_tree(void)
{
	static struct arena *a;
	static struct ynode *defaults;
	struct buf text = BUF_INIT;

	if (defaults)
		return defaults;
	a = arena_new();
	for (size_t i = 0; i < config_nfields; i++)
		buf_addf(&text, "%s: %s\n", config_fields[i].path, config_fields[i].def);
	if (yload_one(DEFAULTS, text.p, text.len, a, &defaults) != 0)
		abort();	/* a broken default is a bug in the table */
	buf_free(&text);
	return defaults;
}

struct config *
config_new(void)
{
	struct config *c = xcalloc(1, sizeof(*c));
	struct origin o = { DEFAULTS, NULL, 0, "spec." };
	struct ynode *k = defaults_tree()->head;

	c->arena = arena_new();
	c->set_at = arena_alloc(c->arena, config_nfields * sizeof(*c->set_at));
	for (size_t i = 0; i < config_nfields; i++, k = k->next->next)
		if (!k || strcmp(k->str, config_fields[i].path) != 0 ||
		    cfg_field_set(c, &config_fields[i], k->next, &o) != 0)
			abort();
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

