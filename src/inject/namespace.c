/* inject/namespace.c - the add-on's Namespaces (pod-security.kubernetes.io
 * labels, k8s >= 1.25): the registry's, "restricted" (its pods meet it), and
 * the node DaemonSet's, "privileged" (it mounts host directories, which even
 * "baseline" forbids). A user's Namespace of the same name is reused. */
#include "../config.h"
#include "../inject.h"
#include "../ytree.h"

static void
namespace(struct inject *in, const char *name, const char *component, const char *level, bool audit)
{
	struct ynode *ns = inject_object(in, "v1", "Namespace", NULL, name, component);
	struct ynode *labels = ypath(ns, "metadata.labels");

	ymap_str(in->a, labels, "pod-security.kubernetes.io/enforce", level);
	ymap_str(in->a, labels, "pod-security.kubernetes.io/enforce-version", "latest");
	if (audit) {
		ymap_str(in->a, labels, "pod-security.kubernetes.io/audit", level);
		ymap_str(in->a, labels, "pod-security.kubernetes.io/warn", level);
	}
}

int
inject_namespace(struct inject *in)
{
	const struct config *c = in->cfg;

	if (c->state == MS_MANAGED && config_has(c, C_REGISTRY | C_SYNC | C_CERTIFICATES))
		namespace(in, c->namespace, "namespace", "restricted", true);
	if (config_has(c, C_NODETRUST))
		namespace(in, c->node_trust.namespace, "node-trust", "privileged", false);
	return 0;
}
