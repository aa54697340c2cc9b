/* inject/services.c - the Services of the registry (DESIGN.md section 7).
 *
 * "registry", at registry.service.clusterIP: the one writer of own images
 * (ordinal 0, port "push"). Pods push to its DNS names; nodes, which cannot
 * resolve cluster DNS, reach it by the fixed address.
 * "registry-mirror", at registry.service.mirrorClusterIP: every replica,
 * read-only: mirrored upstreams on 443 ("https"), copies of own images on
 * 5443 ("own"), with the cache component each upstream's pull-through cache
 * on 5100 + i ("cache-<i>"). Nodes pull through it.
 * "registry-headless": every replica's own name, for regsync's one-way copies.
 */
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../inject.h"
#include "../util.h"
#include "../ytree.h"

/* type and addresses first, as kubectl shows them */
static struct ynode *
service(struct inject *in, const char *name, const char *ip)
{
	struct arena *a = in->a;
	struct ynode *svc = inject_object(in, "v1", "Service", in->cfg->namespace, name, "registry");
	struct ynode *spec = ymap_map(a, svc, "spec");

	if (strcmp(ip, "None") != 0) {
		ymap_str(a, spec, "type", "ClusterIP");
		ymap_str(a, spec, "clusterIP", ip);
		ymap_str(a, spec, "ipFamilyPolicy", "SingleStack");
		yseq_add(ymap_seq(a, spec, "ipFamilies"), ynode_str(a, strchr(ip, ':') ? "IPv6" : "IPv4"));
	} else {
		ymap_str(a, spec, "clusterIP", ip);
	}
	return spec;
}

static void
port(struct inject *in, struct ynode *spec, const char *name, long number, const char *target)
{
	struct arena *a = in->a;
	struct ynode *p = yseq_add(ymap_seq(a, spec, "ports"), ynode_map(a));

	ymap_str(a, p, "name", name);
	ymap_str(a, p, "protocol", "TCP");
	ymap_int(a, p, "port", number);
	ymap_str(a, p, "targetPort", target);
}

static int
cache_ports(struct inject *in, struct ynode *spec)
{
	const struct upstream *u;
	size_t n;

	if (inject_upstreams(in, &u, &n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char *name = xasprintf("cache-%zu", i);

		port(in, spec, name, u[i].cache_port, name);
		free(name);
	}
	return 0;
}

int
inject_services(struct inject *in)
{
	const struct config *c = in->cfg;
	struct ynode *spec, *sel;

	spec = service(in, REGISTRY_SERVICE, c->registry.service.cluster_ip);
	sel = inject_selector(in);
	ymap_str(in->a, sel, "statefulset.kubernetes.io/pod-name", REGISTRY_WRITER_POD);
	ymap_set(in->a, spec, "selector", sel);
	port(in, spec, "push", c->registry.service.port, "push");

	spec = service(in, REGISTRY_MIRROR, c->registry.service.mirror_cluster_ip);
	ymap_set(in->a, spec, "selector", inject_selector(in));
	port(in, spec, "https", 443, "https");
	port(in, spec, "own", REGISTRY_OWN_PORT, "own");
	if (config_has(c, C_CACHE) && cache_ports(in, spec) != 0)
		return -1;

	spec = service(in, REGISTRY_HEADLESS, "None");
	ymap_set(in->a, spec, "selector", inject_selector(in));
	port(in, spec, "https", REGISTRY_PORT, "https");
	port(in, spec, "own", REGISTRY_OWN_PORT, "own");
	return 0;
}
