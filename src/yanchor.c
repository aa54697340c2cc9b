/* yanchor.c - the anchor table of yload.c (yanchor.h). */
#include "yanchor.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static struct yanchor *
slot(const struct yanchors *t, const char *name, size_t len)
{
	size_t mask = t->cap - 1, i = str_hash(name, len) & mask;

	while (t->v[i].name && !(t->v[i].len == len && memcmp(t->v[i].name, name, len) == 0))
		i = (i + 1) & mask;
	return &t->v[i];
}

void
yanchors_put(struct yanchors *t, struct arena *a, const char *name, size_t len, struct ynode *node)
{
	struct yanchor *s;

	if (2 * (t->n + 1) > t->cap) {
		struct yanchor *old = t->v;
		size_t oldcap = t->cap;

		t->cap = oldcap ? oldcap * 2 : 16;
		t->v = xcalloc(t->cap, sizeof(*old));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].name)
				*slot(t, old[i].name, old[i].len) = old[i];
		free(old);
	}
	s = slot(t, name, len);
	if (!s->name) {
		t->n++;
		s->name = arena_strndup(a, name, len);
		s->len = len;
	}
	s->node = node;
}

struct ynode *
yanchors_get(const struct yanchors *t, const char *name, size_t len)
{
	return t->cap ? slot(t, name, len)->node : NULL;
}

void
yanchors_clear(struct yanchors *t)
{
	if (!t->n)
		return;
	if (t->cap > 64) {	/* clearing a big table for each next document would cost n^2 */
		yanchors_free(t);
	} else {
		memset(t->v, 0, t->cap * sizeof(*t->v));
		t->n = 0;
	}
}

void
yanchors_free(struct yanchors *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}
