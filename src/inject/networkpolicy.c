/* inject/networkpolicy.c - what reaches the registry pods: the read-only
 * mirror (5000) and copies (5443) and the writer of own images (5002), from
 * pods and nodes alike (no "from": nodes pull through the ClusterIPs); the
 * pull-through caches (5100 to 5100 + n - 1, component cache) likewise; the
 * metrics endpoint (5001) from pods of metrics.namespace only. Nothing else:
 * the writers regsync uses and Distribution's debug server listen on
 * loopback. */
#include "../config.h"
#include "../inject.h"
#include "../ytree.h"

/* number, or the range number..end (end > number) */
static void
port(struct inject *in, struct ynode *rule, long number, long end)
{
	struct ynode *p = yseq_add(ymap_seq(in->a, rule, "ports"), ynode_map(in->a));

	ymap_str(in->a, p, "protocol", "TCP");
	ymap_int(in->a, p, "port", number);
	if (end > number)
		ymap_int(in->a, p, "endPort", end);
}

int
inject_networkpolicy(struct inject *in)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;
	struct ynode *np = inject_object(in, "networking.k8s.io/v1", "NetworkPolicy", c->namespace,
					 REGISTRY_SERVICE, "registry");
	struct ynode *spec = ymap_map(a, np, "spec"), *ingress, *rule, *from;

	ymap_set(a, ymap_map(a, spec, "podSelector"), "matchLabels", inject_selector(in));
	yseq_add(ymap_seq(a, spec, "policyTypes"), ynode_str(a, "Ingress"));
	ingress = ymap_seq(a, spec, "ingress");
	rule = yseq_add(ingress, ynode_map(a));
	port(in, rule, REGISTRY_PORT, 0);
	port(in, rule, REGISTRY_OWN_PORT, 0);
	port(in, rule, REGISTRY_PUSH_PORT, 0);
	if (config_has(c, C_CACHE)) {
		const struct upstream *u;
		size_t n;

		if (inject_upstreams(in, &u, &n) != 0)
			return -1;
		if (n)
			port(in, rule, u[0].cache_port, u[n - 1].cache_port);
	}
	if (*c->metrics.namespace) {
		rule = yseq_add(ingress, ynode_map(a));
		from = yseq_add(ymap_seq(a, rule, "from"), ynode_map(a));
		ymap_str(a, ymap_map(a, ymap_map(a, from, "namespaceSelector"), "matchLabels"),
			 "kubernetes.io/metadata.name", c->metrics.namespace);
		port(in, rule, REGISTRY_METRICS_PORT, 0);
	}
	return 0;
}
