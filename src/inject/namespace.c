/* inject/namespace.c - the add-on's Namespace, Pod Security "restricted"
 * (the registry pods meet it; pod-security.kubernetes.io labels, k8s >= 1.25). */
#include "../config.h"
#include "../inject.h"
#include "../ytree.h"

int
inject_namespace(struct inject *in)
{
	struct ynode *ns = inject_object(in, "v1", "Namespace", NULL, in->cfg->namespace, "namespace");
	struct ynode *labels = ypath(ns, "metadata.labels");

	ymap_str(in->a, labels, "pod-security.kubernetes.io/enforce", "restricted");
	ymap_str(in->a, labels, "pod-security.kubernetes.io/enforce-version", "latest");
	ymap_str(in->a, labels, "pod-security.kubernetes.io/audit", "restricted");
	ymap_str(in->a, labels, "pod-security.kubernetes.io/warn", "restricted");
	return 0;
}
