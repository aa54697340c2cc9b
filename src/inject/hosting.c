/* inject/hosting.c - KEP-1755 "local-registry-hosting" ConfigMap in
 * kube-public, key localRegistryHosting.v1, so developer tools (Tilt,
 * Skaffold) find the registry. */
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../emit.h"
#include "../inject.h"
#include "../util.h"
#include "../ytree.h"

int
inject_hosting(struct inject *in)
{
	const struct config *c = in->cfg;
	struct ynode *cm = inject_object(in, "v1", "ConfigMap", "kube-public", "local-registry-hosting",
					 "local-registry-hosting");
	struct ynode *v1 = ynode_map(in->a);
	char *svc = inject_service_host(in), *ip = inject_cluster_host(in);
	struct buf text = BUF_INIT;
	int rc;

	/* from outside the cluster there is no route; hostnames[0] is the user's
	 * chosen public name when there is one */
	ymap_str(in->a, v1, "host", c->registry.hostnames.n ? c->registry.hostnames.v[0] : svc);
	ymap_str(in->a, v1, "hostFromClusterNetwork", svc);
	ymap_str(in->a, v1, "hostFromContainerRuntime", ip);
	rc = emit_yaml(&text, v1);
	if (rc == 0)
		ymap_str(in->a, ymap_map(in->a, cm, "data"), "localRegistryHosting.v1", buf_cstr(&text));
	buf_free(&text);
	free(svc);
	free(ip);
	return rc;
}
