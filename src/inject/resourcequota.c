/* inject/resourcequota.c - ResourceQuota "registry-addon-critical-pods" in
 * each add-on namespace other than kube-system whose pods run at
 * system-node-critical or system-cluster-critical priority
 * (nodeTrust.priorityClassName, registry.priorityClassName). Where the API
 * server limits those classes to namespaces with a matching quota (GKE does:
 * its kube-system carries one; "Limit Priority Class consumption by default"
 * in the Kubernetes ResourceQuota docs), pods asking for them are refused
 * anywhere else. spec.scopeSelector: PriorityClass In [<class>]; hard pods
 * "1G": a scope, not a limit (what GKE's own add-ons use). Under
 * managementState Removed only the node namespace's: the clean-up DaemonSet
 * still runs at its priority. */
#include <string.h>

#include "../config.h"
#include "../inject.h"
#include "../ytree.h"

static bool
critical(const char *priority_class)
{
	return !strcmp(priority_class, "system-node-critical") || !strcmp(priority_class, "system-cluster-critical");
}

static void
quota(struct inject *in, const char *ns, const char *priority_class, const char *component)
{
	struct arena *a = in->a;
	struct ynode *rq, *spec, *expr;

	if (!critical(priority_class) || !strcmp(ns, "kube-system"))
		return;
	rq = inject_object(in, "v1", "ResourceQuota", ns, CRITICAL_QUOTA, component);
	spec = ymap_map(a, rq, "spec");
	ymap_str(a, ymap_map(a, spec, "hard"), "pods", "1G");
	expr = yseq_add(ymap_seq(a, ymap_map(a, spec, "scopeSelector"), "matchExpressions"), ynode_map(a));
	ymap_str(a, expr, "operator", "In");
	ymap_str(a, expr, "scopeName", "PriorityClass");
	yseq_add(ymap_seq(a, expr, "values"), ynode_str(a, priority_class));
}

int
inject_resource_quota(struct inject *in)
{
	const struct config *c = in->cfg;

	if (c->state == MS_MANAGED && config_has(c, C_REGISTRY))
		quota(in, c->namespace, c->registry.priority_class_name, "registry");
	if (config_has(c, C_NODETRUST))
		quota(in, c->node_trust.namespace, c->node_trust.priority_class_name, "node-trust");
	return 0;
}
