/* inject/services.c - the ClusterIP Service at the fixed address nodes pull
 * from (they cannot resolve cluster DNS), and the headless Service that gives
 * every replica its own name for regsync. */
#include <string.h>

#include "../config.h"
#include "../inject.h"
#include "../ytree.h"

/* type and addresses first, as kubectl shows them */
static struct ynode *
service(struct inject *in, const char *name, const char *type, const char *ip)
{
	struct arena *a = in->a;
	struct ynode *svc = inject_object(in, "v1", "Service", in->cfg->namespace, name, "registry");
	struct ynode *spec = ymap_map(a, svc, "spec");

	if (type)
		ymap_str(a, spec, "type", type);
	ymap_str(a, spec, "clusterIP", ip);
	return spec;
}

static void
ports(struct inject *in, struct ynode *spec, long port)
{
	struct arena *a = in->a;
	struct ynode *p;

	ymap_set(a, spec, "selector", inject_selector(in));
	p = yseq_add(ymap_seq(a, spec, "ports"), ynode_map(a));
	ymap_str(a, p, "name", "https");
	ymap_str(a, p, "protocol", "TCP");
	ymap_int(a, p, "port", port);
	ymap_int(a, p, "targetPort", REGISTRY_PORT);
}

int
inject_services(struct inject *in)
{
	const struct config *c = in->cfg;
	struct ynode *spec = service(in, REGISTRY_SERVICE, "ClusterIP", c->registry.service.cluster_ip);
	int v6 = strchr(c->registry.service.cluster_ip, ':') != NULL;

	ymap_str(in->a, spec, "ipFamilyPolicy", "SingleStack");
	yseq_add(ymap_seq(in->a, spec, "ipFamilies"), ynode_str(in->a, v6 ? "IPv6" : "IPv4"));
	ports(in, spec, c->registry.service.port);
	ports(in, service(in, REGISTRY_HEADLESS, NULL, "None"), REGISTRY_PORT);
	return 0;
}
