/* ytree.h - one small YAML tree for what we read (input objects, config) and
 * what we generate.
 *
 * Ownership: every node, and every string a node points to, lives in the
 * arena it was made in; nodes are never freed one by one. Trees built from
 * input carry positions (line/col are 1-based; 0 means "generated").
 * Aliases are kept as alias nodes pointing at their anchor (never copied), so
 * reading a tree never expands them; ynode_copy() expands with a budget.
 * Mappings are read as Kubernetes reads them (ylook.c): duplicate keys and
 * merge keys (<<) included.
 *
 * A mapping's children are a list that alternates key, value, key, value.
 */
#ifndef YTREE_H
#define YTREE_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

enum ykind { Y_SCALAR, Y_MAP, Y_SEQ, Y_ALIAS };

enum ystyle {
	YS_ANY,		/* generated string: the emitter picks plain or quotes */
	YS_PLAIN,	/* plain: read back as int/bool/null/str by resolution */
	YS_SINGLE,
	YS_DOUBLE,
	YS_LITERAL,
	YS_FOLDED,
	YS_FLOW,	/* collections written in flow style in the source */
};

struct ynode {
	struct ynode *next;	/* next sibling (value after key, next key) */
	struct ynode *head, *tail;	/* children of maps and sequences */
	struct ynode *target;	/* alias: the anchored node */
	const char *str;	/* scalar text (NUL-terminated) */
	const char *tag;	/* explicit tag, or NULL */
	size_t len;		/* scalar length; children count for collections */
	size_t pos;		/* byte offset where the node's text begins (anchor/tag included) */
	size_t end;		/* byte offset just past it (block collections: the next token) */
	int line, col;
	unsigned char kind, style;
};

/* Builders (generated nodes, no position). Strings are copied. */
struct ynode *ynode_map(struct arena *a);
struct ynode *ynode_seq(struct arena *a);
struct ynode *ynode_str(struct arena *a, const char *s);
struct ynode *ynode_strn(struct arena *a, const char *s, size_t n);
struct ynode *ynode_int(struct arena *a, long long v);
struct ynode *ynode_bool(struct arena *a, bool v);

/* Append to a sequence; returns val. */
struct ynode *yseq_add(struct ynode *seq, struct ynode *val);
/* Set key in a map (replacing an existing value); returns val. */
struct ynode *ymap_set(struct arena *a, struct ynode *map, const char *key, struct ynode *val);
/* Convenience setters on maps; return the new value node. */
struct ynode *ymap_str(struct arena *a, struct ynode *map, const char *key, const char *val);
struct ynode *ymap_int(struct arena *a, struct ynode *map, const char *key, long long val);
struct ynode *ymap_bool(struct arena *a, struct ynode *map, const char *key, bool val);
/* The map under key, made if missing. */
struct ynode *ymap_map(struct arena *a, struct ynode *map, const char *key);
struct ynode *ymap_seq(struct arena *a, struct ynode *map, const char *key);

/* An index of a map's scalar keys for setting many keys in O(1) each, where
 * ymap_set() walks the map (a map of n keys built by n ymap_set() calls costs
 * n^2). Owns only its table (ymap_index_free()); the map must only change
 * through ymap_index_set() while the index lives. */
struct ymap_index;
struct ymap_index *ymap_index_new(struct ynode *map);
/* ymap_set(a, map, key, val) through the index; returns val. */
struct ynode *ymap_index_set(struct arena *a, struct ymap_index *ix, const char *key, struct ynode *val);
void ymap_index_free(struct ymap_index *ix);	/* NULL is OK */

/* Readers. All accept NULL and follow aliases (without copying). */
struct ynode *yresolve(struct ynode *n);
/* A message's place: n's line and column into w when n has a position (a
 * node read from text, not built); w kept as it is otherwise. */
struct where;
void where_at(struct where *w, const struct ynode *n);
/* The value of key as Kubernetes' YAML reader (go-yaml v2) sees it: of
 * duplicate keys the last, merge keys (<<) applied (ylook.c). */
struct ynode *ymap_get(struct ynode *map, const char *key);
/* Is n tagged !!name (or a full tag ending in :name)? A local !name is not. */
bool ytag_is(const struct ynode *n, const char *name);
/* Is k a merge key: plain << without a tag, or tagged !!merge? */
bool ykey_is_merge(const struct ynode *k);
/* ymap_get() with where the value comes from, for reading identities. */
struct ylook {
	struct ynode *key;	/* the key whose value go-yaml v2 reads, or NULL */
	struct ynode *val;	/* its value, aliases followed */
	struct ynode *other;	/* the key go-yaml v3, kyaml and the merge-key spec
				 * read instead (explicit before merged, the first
				 * of duplicates), when its value differs; or NULL */
	struct ynode *binary;	/* a !!binary key met first: its text is base64 */
};
void ymap_look(struct ynode *map, const char *key, struct ylook *out);
/* ymap_look() by the merge-key walks whatever the mapping, which ymap_look()
 * takes only when the mapping has a merge key: for tests to compare. */
void ymap_look_slow(struct ynode *map, const char *key, struct ylook *out);
/* Dotted path of map keys, e.g. "metadata.annotations"; NULL if absent. */
struct ynode *ypath(struct ynode *n, const char *path);
/* The scalar text at key if it is a scalar, else NULL. */
const char *ymap_gets(struct ynode *map, const char *key);
bool yis_scalar(struct ynode *n);
bool yis_map(struct ynode *n);
bool yis_seq(struct ynode *n);
/* A plain scalar that reads back as null (~, null, empty), or no node. */
bool yis_null(struct ynode *n);
/* True if the scalar reads back as a string (quoted, block, !!str, or a plain
 * scalar that does not resolve to null/bool/int/float). */
bool yis_string(struct ynode *n);

/* Deep copy into arena a, expanding aliases; at most *budget nodes are made
 * (decremented). Returns NULL when the budget runs out. */
struct ynode *ynode_copy(struct arena *a, struct ynode *n, long *budget);
/* Deep equality of data (style-insensitive for strings). */
bool ynode_equal(struct ynode *x, struct ynode *y);

/* Resolution of plain scalars as Kubernetes' YAML 1.1 reader sees them. */
enum yresolved { YR_STR, YR_NULL, YR_BOOL, YR_INT, YR_FLOAT, YR_TIME };
enum yresolved yresolve_plain(const char *s, size_t len);

#endif
