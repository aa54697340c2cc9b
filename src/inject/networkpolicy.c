/* inject/networkpolicy.c - the registry pods accept connections on the
 * registry port only (from pods and nodes alike: no "from" restriction, since
 * nodes pull through the ClusterIP); everything else inbound is denied. */
#include "../config.h"
#include "../inject.h"
#include "../ytree.h"

int
inject_networkpolicy(struct inject *in)
{
	struct arena *a = in->a;
	struct ynode *np = inject_object(in, "networking.k8s.io/v1", "NetworkPolicy", in->cfg->namespace,
					 REGISTRY_SERVICE, "registry");
	struct ynode *spec = ymap_map(a, np, "spec"), *port;

	ymap_set(a, ymap_map(a, spec, "podSelector"), "matchLabels", inject_selector(in));
	yseq_add(ymap_seq(a, spec, "policyTypes"), ynode_str(a, "Ingress"));
	port = yseq_add(ymap_seq(a, yseq_add(ymap_seq(a, spec, "ingress"), ynode_map(a)), "ports"), ynode_map(a));
	ymap_str(a, port, "protocol", "TCP");
	ymap_int(a, port, "port", REGISTRY_PORT);
	return 0;
}
