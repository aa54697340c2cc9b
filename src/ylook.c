/* ylook.c - reading a mapping's keys as the readers of Kubernetes manifests
 * do: aliases followed, duplicate keys, and YAML merge keys (<<).
 *
 * What reaches the API server is what sigs.k8s.io/yaml reads (Helm, kubectl):
 * go-yaml v2 (decode.go, mapping() and merge()) sets a mapping's entries in
 * document order, later ones overwriting earlier ones; a merge key sets every
 * key of its mapping where it stands, and of a sequence of mappings the
 * earlier ones win (applied last). So "name: a" before "<<: {name: b}" reads
 * b, after it a. go-yaml v3, kyaml (kustomize, kpt) and the merge-key spec
 * let an explicit key win wherever it stands, and kyaml takes the first of
 * duplicate keys: ymap_look() reports where the two readings differ.
 *
 * Lookups never recurse: a work stack and a set of the mappings already
 * visited (a mapping met again can add nothing) keep them linear in what is
 * reachable, even for merge keys that refer to each other or to themselves.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "ytree.h"

struct item {
	struct ynode *n;	/* a key (its value is n->next), or a merge source */
	bool source;
};

struct walk {
	struct item *v;
	size_t n, cap;
	struct ynode **seen;	/* open addressing, power-of-two size */
	size_t nseen, capseen;
};

static void
push(struct walk *w, struct ynode *n, bool source)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 32;
		w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
	}
	w->v[w->n++] = (struct item){ n, source };
}

static size_t
slot(struct ynode **set, size_t cap, const struct ynode *p)
{
	size_t i = (size_t)(((uintptr_t)p >> 4) * 11400714819323198485ULL) & (cap - 1);

	while (set[i] && set[i] != p)
		i = (i + 1) & (cap - 1);
	return i;
}

/* Add m to the visited set; false if it was there. */
static bool
first_visit(struct walk *w, struct ynode *m)
{
	size_t i;

	if (2 * (w->nseen + 1) > w->capseen) {
		size_t cap = w->capseen ? w->capseen * 2 : 16;
		struct ynode **set = xcalloc(cap, sizeof(*set));

		for (size_t j = 0; j < w->capseen; j++)
			if (w->seen[j])
				set[slot(set, cap, w->seen[j])] = w->seen[j];
		free(w->seen);
		w->seen = set;
		w->capseen = cap;
	}
	i = slot(w->seen, w->capseen, m);
	if (w->seen[i])
		return false;
	w->seen[i] = m;
	w->nseen++;
	return true;
}

static void
walk_free(struct walk *w)
{
	free(w->v);
	free(w->seen);
}

bool
ykey_is_merge(const struct ynode *k)
{
	return k && k->kind == Y_SCALAR && k->len == 2 && k->str[0] == '<' && k->str[1] == '<' &&
	       (k->tag ? ytag_is(k, "merge") : k->style == YS_PLAIN);
}

static bool
key_is(struct ynode *k, const char *key, size_t klen)
{
	struct ynode *rk = yresolve(k);

	return rk && rk->kind == Y_SCALAR && rk->len == klen && !memcmp(rk->str, key, klen) && !ykey_is_merge(k);
}

static bool
key_binary(struct ynode *k)
{
	return ytag_is(yresolve(k), "binary");
}

static void
push_entries(struct walk *w, struct ynode *map)
{
	for (struct ynode *k = map->head; k && k->next; k = k->next->next)
		push(w, k, false);
}

/* A merge key's value: a mapping, an alias of one, or a sequence of those;
 * the sequence reversed, so that its first mapping pops first. */
static void
push_sources(struct walk *w, struct ynode *v)
{
	size_t from = w->n;

	if (!v || v->kind != Y_SEQ) {
		push(w, v, true);
		return;
	}
	for (struct ynode *c = v->head; c; c = c->next)
		push(w, c, true);
	if (w->n - from < 2)
		return;		/* "<<: []" pushes nothing: w->n - 1 may be below from */
	for (size_t i = from, j = w->n - 1; i < j; i++, j--) {
		struct item t = w->v[i];

		w->v[i] = w->v[j];
		w->v[j] = t;
	}
}

static struct ynode *
as_map(struct ynode *n)
{
	n = yresolve(n);
	return n && n->kind == Y_MAP ? n : NULL;
}

/* go-yaml v2: the writes in reverse order, the first of key is the value.
 * *binary: a !!binary key met before it (its text is not the key). */
static struct ynode *
lookup_v2(struct ynode *map, const char *key, size_t klen, struct ynode **binary)
{
	struct walk w = { 0 };
	struct ynode *found = NULL;

	first_visit(&w, map);
	push_entries(&w, map);
	while (!found && w.n) {
		struct item it = w.v[--w.n];
		struct ynode *m;

		if (it.source) {
			if ((m = as_map(it.n)) != NULL && first_visit(&w, m))
				push_entries(&w, m);
		} else if (ykey_is_merge(it.n)) {
			push_sources(&w, it.n->next);
		} else if (key_is(it.n, key, klen)) {
			found = it.n;
		} else if (binary && !*binary && key_binary(it.n)) {
			*binary = it.n;
		}
	}
	walk_free(&w);
	return found;
}

/* go-yaml v3, kyaml, the merge-key spec: a mapping's own first key, else
 * its merged mappings, depth first (the last merge key first, the first
 * mapping of a sequence first). */
static struct ynode *
lookup_explicit_first(struct ynode *map, const char *key, size_t klen)
{
	struct walk w = { 0 };
	struct ynode *found = NULL;

	push(&w, map, true);
	while (!found && w.n) {
		struct ynode *m = as_map(w.v[--w.n].n), *k;

		if (!m || !first_visit(&w, m))
			continue;
		for (k = m->head; k && k->next && !found; k = k->next->next)
			if (key_is(k, key, klen))
				found = k;
		for (k = m->head; k && k->next && !found; k = k->next->next)
			if (ykey_is_merge(k))
				push_sources(&w, k->next);
	}
	walk_free(&w);
	return found;
}

/* The key node whose value go-yaml v2 reads; fast when the mapping has no
 * merge key: its last key of that name. */
static struct ynode *
key_of(struct ynode *map, const char *key)
{
	size_t klen = strlen(key);
	struct ynode *found = NULL;

	map = as_map(map);
	if (!map)
		return NULL;
	for (struct ynode *k = map->head; k && k->next; k = k->next->next) {
		if (ykey_is_merge(k))
			return lookup_v2(map, key, klen, NULL);
		if (key_is(k, key, klen))
			found = k;
	}
	return found;
}

struct ynode *
ymap_get(struct ynode *map, const char *key)
{
	struct ynode *k = key_of(map, key);

	return k ? yresolve(k->next) : NULL;
}

/* Do two keys give the same value? Collections only when they are one node
 * (a deep comparison could expand aliases without end). */
static bool
same_value(struct ynode *a, struct ynode *b)
{
	struct ynode *x = a ? yresolve(a->next) : NULL, *y = b ? yresolve(b->next) : NULL;

	if (x == y)
		return true;
	if (!x || !y || x->kind != Y_SCALAR || y->kind != Y_SCALAR)
		return false;
	return x->len == y->len && !memcmp(x->str, y->str, x->len) && yis_string(x) == yis_string(y) &&
	       yis_null(x) == yis_null(y);
}

/* Both readings by walking the merge keys (lookup_v2, lookup_explicit_first). */
void
ymap_look_slow(struct ynode *map, const char *key, struct ylook *out)
{
	struct ynode *first;

	memset(out, 0, sizeof(*out));
	map = as_map(map);
	if (!map)
		return;
	out->key = lookup_v2(map, key, strlen(key), &out->binary);
	first = lookup_explicit_first(map, key, strlen(key));
	if (!same_value(out->key, first))
		out->other = first;
	out->val = out->key ? yresolve(out->key->next) : NULL;
}

/* Without a merge key among the mapping's own keys (the usual case) one
 * pass gives what the walks give: go-yaml v2 reads the last key of that
 * name and, walking back from the end, meets the last !!binary key after
 * it; kyaml reads the first. With a merge key, the walks. */
void
ymap_look(struct ynode *map, const char *key, struct ylook *out)
{
	size_t klen = strlen(key);
	struct ynode *first = NULL, *last = NULL, *binary = NULL;

	memset(out, 0, sizeof(*out));
	map = as_map(map);
	if (!map)
		return;
	for (struct ynode *k = map->head; k && k->next; k = k->next->next) {
		if (ykey_is_merge(k)) {
			ymap_look_slow(map, key, out);
			return;
		}
		if (key_is(k, key, klen)) {
			if (!first)
				first = k;
			last = k;
			binary = NULL;
		} else if (key_binary(k)) {
			binary = k;
		}
	}
	out->key = last;
	out->binary = binary;
	if (!same_value(last, first))
		out->other = first;
	out->val = last ? yresolve(last->next) : NULL;
}
