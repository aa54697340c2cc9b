/* ytree.c - the YAML tree: builders, readers, copy, equality, resolution. */
#include "ytree.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

static struct ynode *
node_new(struct arena *a, enum ykind kind)
{
	struct ynode *n = arena_alloc(a, sizeof(*n));

	n->kind = (unsigned char)kind;
	return n;
}

struct ynode *
ynode_map(struct arena *a)
{
	return node_new(a, Y_MAP);
}

struct ynode *
ynode_seq(struct arena *a)
{
	return node_new(a, Y_SEQ);
}

struct ynode *
ynode_strn(struct arena *a, const char *s, size_t n)
{
	struct ynode *y = node_new(a, Y_SCALAR);

	y->str = arena_strndup(a, s, n);
	y->len = n;
	y->style = YS_ANY;
	return y;
}

struct ynode *
ynode_str(struct arena *a, const char *s)
{
	return ynode_strn(a, s, strlen(s));
}

struct ynode *
ynode_int(struct arena *a, long long v)
{
	char tmp[32];
	struct ynode *y;

	snprintf(tmp, sizeof(tmp), "%lld", v);
	y = ynode_str(a, tmp);
	y->style = YS_PLAIN;
	return y;
}

struct ynode *
ynode_bool(struct arena *a, bool v)
{
	struct ynode *y = ynode_str(a, v ? "true" : "false");

	y->style = YS_PLAIN;
	return y;
}

static void
append(struct ynode *parent, struct ynode *child)
{
	child->next = NULL;
	if (parent->tail)
		parent->tail->next = child;
	else
		parent->head = child;
	parent->tail = child;
}

struct ynode *
yseq_add(struct ynode *seq, struct ynode *val)
{
	append(seq, val);
	seq->len++;
	return val;
}

static struct ynode *
map_key(struct ynode *map, const char *key)
{
	size_t klen = strlen(key);

	for (struct ynode *k = map->head; k && k->next; k = k->next->next) {
		struct ynode *rk = yresolve(k);

		if (rk && rk->kind == Y_SCALAR && rk->len == klen && memcmp(rk->str, key, klen) == 0)
			return k;
	}
	return NULL;
}

/* The value after key k of map becomes val; returns val. */
static struct ynode *
replace_value(struct ynode *map, struct ynode *k, struct ynode *val)
{
	struct ynode *old = k->next;

	val->next = old->next;
	k->next = val;
	if (map->tail == old)
		map->tail = val;
	return val;
}

struct ynode *
ymap_set(struct arena *a, struct ynode *map, const char *key, struct ynode *val)
{
	struct ynode *k = map_key(map, key);

	if (k)
		return replace_value(map, k, val);
	append(map, ynode_str(a, key));
	append(map, val);
	map->len++;
	return val;
}

struct ynode *
ymap_str(struct arena *a, struct ynode *map, const char *key, const char *val)
{
	return ymap_set(a, map, key, ynode_str(a, val));
}

struct ynode *
ymap_int(struct arena *a, struct ynode *map, const char *key, long long val)
{
	return ymap_set(a, map, key, ynode_int(a, val));
}

struct ynode *
ymap_bool(struct arena *a, struct ynode *map, const char *key, bool val)
{
	return ymap_set(a, map, key, ynode_bool(a, val));
}

struct ynode *
ymap_map(struct arena *a, struct ynode *map, const char *key)
{
	struct ynode *v = ymap_get(map, key);

	return yis_map(v) ? v : ymap_set(a, map, key, ynode_map(a));
}

struct ynode *
ymap_seq(struct arena *a, struct ynode *map, const char *key)
{
	struct ynode *v = ymap_get(map, key);

	return yis_seq(v) ? v : ymap_set(a, map, key, ynode_seq(a));
}

struct ymap_index {
	struct ynode *map;
	struct ynode **slot;	/* key nodes, open addressing; size a power of two */
	size_t n, cap;
};

/* The slot of key (len bytes): where it is, or the empty one it would take. */
static struct ynode **
index_slot(const struct ymap_index *ix, const char *key, size_t len)
{
	size_t mask = ix->cap - 1, i = str_hash(key, len) & mask;

	for (;; i = (i + 1) & mask) {
		struct ynode *k = ix->slot[i] ? yresolve(ix->slot[i]) : NULL;

		if (!ix->slot[i] || (k && k->len == len && memcmp(k->str, key, len) == 0))
			return &ix->slot[i];
	}
}

static void
index_put(struct ymap_index *ix, struct ynode *k)
{
	struct ynode *rk = yresolve(k), **slot;

	if (!rk || rk->kind != Y_SCALAR)
		return;		/* ymap_set() never matches it either */
	if (2 * (ix->n + 1) > ix->cap) {
		struct ynode **old = ix->slot;
		size_t oldcap = ix->cap;

		ix->cap = oldcap ? 2 * oldcap : 16;
		ix->slot = xcalloc(ix->cap, sizeof(*ix->slot));
		ix->n = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i])
				index_put(ix, old[i]);
		free(old);
	}
	slot = index_slot(ix, rk->str, rk->len);
	if (!*slot) {	/* the first of equal keys is the one ymap_set() finds */
		*slot = k;
		ix->n++;
	}
}

struct ymap_index *
ymap_index_new(struct ynode *map)
{
	struct ymap_index *ix = xcalloc(1, sizeof(*ix));

	ix->map = map;
	for (struct ynode *k = map->head; k && k->next; k = k->next->next)
		index_put(ix, k);
	return ix;
}

struct ynode *
ymap_index_set(struct arena *a, struct ymap_index *ix, const char *key, struct ynode *val)
{
	struct ynode **slot = ix->cap ? index_slot(ix, key, strlen(key)) : NULL;
	struct ynode *k = slot ? *slot : NULL, *map = ix->map;

	if (k)
		return replace_value(map, k, val);
	k = ynode_str(a, key);
	append(map, k);
	append(map, val);
	map->len++;
	index_put(ix, k);
	return val;
}

void
ymap_index_free(struct ymap_index *ix)
{
	if (!ix)
		return;
	free(ix->slot);
	free(ix);
}

/* Alias chains are short; the bound only guards against a cycle. */
void
where_at(struct where *w, const struct ynode *n)
{
	if (n && n->line) {
		w->line = n->line;
		w->col = n->col;
	}
}

struct ynode *
yresolve(struct ynode *n)
{
	for (int i = 0; n && n->kind == Y_ALIAS && i < 64; i++)
		n = n->target;
	return n && n->kind == Y_ALIAS ? NULL : n;
}

struct ynode *
ypath(struct ynode *n, const char *path)
{
	char key[256];

	while (n && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);

		if (len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		n = ymap_get(n, key);
		path += len + (dot ? 1 : 0);
	}
	return yresolve(n);
}

const char *
ymap_gets(struct ynode *map, const char *key)
{
	struct ynode *v = ymap_get(map, key);

	return v && v->kind == Y_SCALAR ? v->str : NULL;
}

bool
yis_scalar(struct ynode *n)
{
	n = yresolve(n);
	return n && n->kind == Y_SCALAR;
}

bool
yis_map(struct ynode *n)
{
	n = yresolve(n);
	return n && n->kind == Y_MAP;
}

bool
yis_seq(struct ynode *n)
{
	n = yresolve(n);
	return n && n->kind == Y_SEQ;
}

/* !!NAME or a full tag ending in :NAME (a local !NAME is another tag, as
 * go-yaml reads it). */
static bool
tag_is(const char *tag, const char *name)
{
	size_t tl, nl = strlen(name);

	if (!tag)
		return false;
	tl = strlen(tag);
	if (tl >= nl + 2 && tag[0] == '!' && tag[1] == '!' && strcmp(tag + 2, name) == 0)
		return true;
	return tl > nl && strcmp(tag + tl - nl, name) == 0 && tag[tl - nl - 1] == ':';
}

bool
ytag_is(const struct ynode *n, const char *name)
{
	return n && tag_is(n->tag, name);
}

bool
yis_null(struct ynode *n)
{
	n = yresolve(n);
	if (!n)
		return true;
	if (n->kind != Y_SCALAR)
		return false;
	if (n->tag)
		return tag_is(n->tag, "null");
	return n->style == YS_PLAIN && yresolve_plain(n->str, n->len) == YR_NULL;
}

bool
yis_string(struct ynode *n)
{
	n = yresolve(n);
	if (!n || n->kind != Y_SCALAR)
		return false;
	if (n->tag)
		return tag_is(n->tag, "str");
	if (n->style != YS_PLAIN)
		return true;
	return yresolve_plain(n->str, n->len) == YR_STR;
}

struct ynode *
ynode_copy(struct arena *a, struct ynode *n, long *budget)
{
	struct ynode *c;

	n = yresolve(n);
	if (!n || --*budget < 0)
		return NULL;
	c = node_new(a, n->kind);
	c->style = n->style;
	c->line = n->line;
	c->col = n->col;
	c->pos = n->pos;
	c->end = n->end;
	c->tag = n->tag ? arena_strdup(a, n->tag) : NULL;
	if (n->kind == Y_SCALAR) {
		c->str = arena_strndup(a, n->str, n->len);
		c->len = n->len;
		return c;
	}
	for (struct ynode *ch = n->head; ch; ch = ch->next) {
		struct ynode *cc = ynode_copy(a, ch, budget);

		if (!cc)
			return NULL;
		append(c, cc);
	}
	c->len = n->len;
	return c;
}

bool
ynode_equal(struct ynode *x, struct ynode *y)
{
	x = yresolve(x);
	y = yresolve(y);
	if (!x || !y)
		return x == y;
	if (x->kind != y->kind || x->len != y->len)
		return false;
	if (x->kind == Y_SCALAR)
		return memcmp(x->str, y->str, x->len) == 0 && yis_string(x) == yis_string(y);
	for (x = x->head, y = y->head; x && y; x = x->next, y = y->next)
		if (!ynode_equal(x, y))
			return false;
	return !x && !y;
}

/* --- plain scalar resolution (YAML 1.1 as read by go-yaml, plus 1.2 core) --- */

static bool
in_list(const char *s, size_t len, const char *const *list)
{
	for (; *list; list++)
		if (str_eq(s, len, *list))
			return true;
	return false;
}

static bool
all_of(const char *s, size_t len, const char *set)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr(set, s[i]) || !s[i])
			return false;
	return true;
}

static bool
is_int(const char *s, size_t len)
{
	if (len && (*s == '-' || *s == '+'))
		s++, len--;
	if (!len)
		return false;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return all_of(s + 2, len - 2, "0123456789abcdefABCDEF_");
	if (len > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		return all_of(s + 2, len - 2, "01234567_");
	if (len > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		return all_of(s + 2, len - 2, "01_");
	if (s[0] < '0' || s[0] > '9')
		return false;
	/* decimal, octal, and 1.1 sexagesimal (190:20:30) */
	return all_of(s, len, "0123456789_:") && s[len - 1] != ':';
}

static bool
is_float(const char *s, size_t len)
{
	static const char *const special[] = {
		".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", NULL,
	};
	size_t i = 0, digits = 0;

	if (len && (*s == '-' || *s == '+'))
		s++, len--;
	if (in_list(s, len, special))
		return true;
	while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
		i++, digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			i++, digits++;
	}
	if (!digits)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t e;

		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		e = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == e)
			return false;
	}
	return i == len;
}

/* 2001-12-14, 2001-12-14t21:59:43.10-05:00 ...: go-yaml turns these into times. */
static bool
is_timestamp(const char *s, size_t len)
{
	return len >= 8 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
	       s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9' && s[4] == '-';
}

enum yresolved
yresolve_plain(const char *s, size_t len)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const bools[] = {
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"true", "True", "TRUE", "false", "False", "FALSE",
		"on", "On", "ON", "off", "Off", "OFF", NULL,
	};

	if (in_list(s, len, nulls))
		return YR_NULL;
	if (len <= 5 && in_list(s, len, bools))
		return YR_BOOL;
	if (!len || !strchr("0123456789+-.", s[0]))
		return YR_STR;
	if (is_int(s, len))
		return YR_INT;
	if (is_float(s, len))
		return YR_FLOAT;
	if (is_timestamp(s, len))
		return YR_TIME;
	return YR_STR;
}
