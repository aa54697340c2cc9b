/* inject/serviceaccount.c - the registry pods' ServiceAccount: they talk to
 * no API, so no token is mounted. */
#include "../config.h"
#include "../inject.h"
#include "../ytree.h"

int
inject_serviceaccount(struct inject *in)
{
	struct ynode *sa = inject_object(in, "v1", "ServiceAccount", in->cfg->namespace, REGISTRY_SERVICE,
					 "registry");

	ymap_bool(in->a, sa, "automountServiceAccountToken", false);
	return 0;
}
