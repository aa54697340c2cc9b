/* inject/pdb.c - at most one registry pod down at a time for voluntary
 * disruptions (node drains), so the mirror keeps answering. */
#include "../config.h"
#include "../inject.h"
#include "../ytree.h"

int
inject_pdb(struct inject *in)
{
	struct ynode *pdb = inject_object(in, "policy/v1", "PodDisruptionBudget", in->cfg->namespace,
					  REGISTRY_SERVICE, "registry");
	struct ynode *spec = ymap_map(in->a, pdb, "spec");

	ymap_int(in->a, spec, "maxUnavailable", 1);
	ymap_set(in->a, ymap_map(in->a, spec, "selector"), "matchLabels", inject_selector(in));
	return 0;
}
