/* krm.h - KRM function framing: ResourceList (and v1 List) detection,
 * unwrapping items, rewrapping them with generated items and results.
 *
 * Detection follows kyaml's byteio reader: the input is exactly one document,
 * of kind ResourceList or List, with items or functionConfig.
 * Ownership: struct krm borrows the source text and the tree (both owned by
 * the caller); items, functionConfig, apiVersion and kind are copied to the
 * output as their original bytes (an alias or a block scalar as apiVersion,
 * kind or functionConfig is written by the emitter), directives too.
 */
#ifndef KRM_H
#define KRM_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct buf;
struct gen;
struct objs;
struct ydoc;
struct ynode;

/* The package folder new items are filed under (config.kubernetes.io/path). */
#define KRM_PATH_DIR "registry-addon"

struct krm {
	const char *src;
	size_t len;
	struct ynode *root;
	const char *api, *kind;		/* to rewrap with */
	bool is_list;			/* v1 List: no functionConfig, no results */
	struct ynode *items;		/* sequence, may be NULL */
	struct ynode *function_config;	/* may be NULL */
	/* for writing */
	size_t dir_start, dir_end;	/* the document's directives, if any */
	struct ynode *api_node, *kind_node, *fc_node;	/* values as written (NULL: absent) */
	bool flow_items;		/* items is not a block sequence */
	size_t dash;			/* the column of the items' "-" */
};

/* Is this document root a ResourceList/List wrapper? */
bool krm_detect(struct ynode *root);
/* Fill k and one obj per item (identity, flags, byte range) from the
 * document doc of src. Returns 0 or -1 (reported: more than max_items items,
 * counted before any is read; an item that is not an object, an alias
 * leaving an item or the functionConfig). */
int krm_unwrap(struct krm *k, const struct ydoc *doc, const char *src, size_t len, size_t max_items,
	       struct objs *objs, struct arena *a);
/* The wrapper with the kept items (objs without OBJ_EMPTY/skip flags chosen
 * by keep[i]), the generated objects, functionConfig and results. */
int krm_wrap(const struct krm *k, const struct objs *objs, const bool *keep,
	     const struct gen *gen, size_t ngen, struct buf *out);

/* From krm_unwrap() to krm_locate_end(), a message located in k's
 * ResourceList names the file of the item or functionConfig holding it in
 * the user's package (annotation config.kubernetes.io/path, and its index)
 * and, when the message names no object, that object (krmwhere.c). */
void krm_locate_begin(const struct krm *k);
void krm_locate_end(void);

#endif
