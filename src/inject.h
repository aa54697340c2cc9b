/* inject.h - the table of injectors and what they share.
 *
 * Each injector is one file under inject/ exporting
 *     int inject_<name>(struct inject *in);
 * which builds its objects with inject_object() and returns 0 or -1
 * (reported). Adding a generated kind = one file + one table row in inject.c.
 *
 * Ownership: generated trees live in in->a, owned by the caller of
 * inject_run(); the gen array is owned by struct inject (inject_free()).
 */
#ifndef INJECT_H
#define INJECT_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct config;
struct objs;
struct ynode;

#define REGISTRY_SERVICE "registry"

struct gen {
	struct ynode *root;
	const char *api, *kind, *ns, *name;
};

struct inject {
	const struct config *cfg;
	struct arena *a;
	const struct objs *input;	/* input objects (ours included, flagged) */
	struct gen *gen;
	size_t ngen, capgen;
};

/* Run every injector enabled by the configuration, check the result against
 * the input (a user's object of the same identity is an error; a user's
 * Namespace is reused), and order it for installation. */
int inject_run(struct inject *in);
void inject_free(struct inject *in);

/* A new object with apiVersion, kind and metadata (name, namespace, our
 * labels and marker annotation); ns may be NULL for cluster-scoped kinds. */
struct ynode *inject_object(struct inject *in, const char *api, const char *kind,
			    const char *ns, const char *name, const char *component);

/* "registry.<ns>.svc.<domain>" (":port" added when not 443); caller frees. */
char *inject_service_host(const struct inject *in);

int inject_namespace(struct inject *in);
int inject_hosting(struct inject *in);

#endif
