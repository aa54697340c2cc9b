/* inject/statefulset.c - the registry StatefulSet: one PVC per replica,
 * ordinal 0 the one writer of own images (DESIGN.md section 7), the pod's
 * containers (inject/pod.c), non-root with RuntimeDefault seccomp, topology
 * spread constraints (component spread) and checksums of the generated
 * configuration, so that a change rolls the pods. */
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../inject.h"
#include "../util.h"
#include "../ytree.h"
#include "pod.h"

static void
spread_one(struct inject *in, struct ynode *list, const char *key, const char *when)
{
	struct arena *a = in->a;
	struct ynode *t;

	if (!strcmp(when, "off"))
		return;
	t = yseq_add(list, ynode_map(a));
	ymap_int(a, t, "maxSkew", 1);
	ymap_str(a, t, "topologyKey", key);
	ymap_str(a, t, "whenUnsatisfiable", when);
	ymap_set(a, ymap_map(a, t, "labelSelector"), "matchLabels", inject_selector(in));
	/* count only pods of the current revision during a rolling update */
	yseq_add(ymap_seq(a, t, "matchLabelKeys"), ynode_str(a, "controller-revision-hash"));
	/* a tainted node (a control plane's) the pods cannot go to is no empty domain */
	ymap_str(a, t, "nodeTaintsPolicy", "Honor");
}

static void
spread(struct inject *in, struct ynode *spec)
{
	const struct config *c = in->cfg;
	struct ynode *list = ynode_seq(in->a);

	spread_one(in, list, "kubernetes.io/hostname", c->spread.hostname);
	spread_one(in, list, "topology.kubernetes.io/zone", c->spread.zone);
	spread_one(in, list, "node-role.kubernetes.io/worker", c->spread.worker_role);
	if (list->len)
		ymap_set(in->a, spec, "topologySpreadConstraints", list);
}

static void
claim_template(struct inject *in, struct ynode *sts_spec)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;
	struct ynode *pvc = yseq_add(ymap_seq(a, sts_spec, "volumeClaimTemplates"), ynode_map(a));
	struct ynode *spec, *modes;

	ymap_str(a, ymap_map(a, pvc, "metadata"), "name", "data");
	spec = ymap_map(a, pvc, "spec");
	modes = ymap_seq(a, spec, "accessModes");
	for (size_t i = 0; i < c->registry.storage.access_modes.n; i++)
		yseq_add(modes, ynode_str(a, c->registry.storage.access_modes.v[i]));
	if (*c->registry.storage.storage_class_name)
		ymap_str(a, spec, "storageClassName", c->registry.storage.storage_class_name);
	ymap_str(a, ymap_map(a, ymap_map(a, spec, "resources"), "requests"), "storage", c->registry.storage.size);
}

static int
pod_annotations(struct inject *in, struct ynode *meta)
{
	struct ynode *ann = ymap_map(in->a, meta, "annotations");
	char sum[65];

	if (inject_checksum(in, "ConfigMap", REGISTRY_CONFIG, sum) != 0)
		return -1;
	ymap_str(in->a, ann, "registry-addon.dev/config-sha256", sum);
	if (config_has(in->cfg, C_SYNC)) {
		if (inject_checksum(in, "ConfigMap", REGISTRY_SYNC, sum) != 0)
			return -1;
		ymap_str(in->a, ann, "registry-addon.dev/sync-sha256", sum);
	}
	return 0;
}

static void
pod_placement(struct inject *in, struct ynode *pod)
{
	const struct config *c = in->cfg;

	if (*c->registry.priority_class_name)
		ymap_str(in->a, pod, "priorityClassName", c->registry.priority_class_name);
	inject_set_copy(in, pod, "nodeSelector", c->registry.node_selector);
	inject_set_copy(in, pod, "tolerations", c->registry.tolerations);
	if (config_has(c, C_SPREAD))
		spread(in, pod);
}

static int
pod_template(struct inject *in, struct ynode *sts_spec)
{
	struct arena *a = in->a;
	struct ynode *tmpl = ymap_map(a, sts_spec, "template"), *meta = ymap_map(a, tmpl, "metadata");
	struct ynode *pod, *sc;

	ymap_set(a, meta, "labels", inject_selector(in));
	if (pod_annotations(in, meta) != 0)
		return -1;
	pod = ymap_map(a, tmpl, "spec");
	ymap_str(a, pod, "serviceAccountName", REGISTRY_SERVICE);
	ymap_bool(a, pod, "automountServiceAccountToken", false);
	ymap_bool(a, pod, "enableServiceLinks", false);
	sc = ymap_map(a, pod, "securityContext");
	ymap_bool(a, sc, "runAsNonRoot", true);
	ymap_int(a, sc, "fsGroup", REGISTRY_UID);
	ymap_str(a, ymap_map(a, sc, "seccompProfile"), "type", "RuntimeDefault");
	pod_placement(in, pod);
	return pod_containers(in, pod);
}

int
inject_statefulset(struct inject *in)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;
	struct ynode *sts = inject_object(in, "apps/v1", "StatefulSet", c->namespace, REGISTRY_SERVICE, "registry");
	struct ynode *spec = ymap_map(a, sts, "spec");

	ymap_str(a, spec, "serviceName", REGISTRY_HEADLESS);
	ymap_int(a, spec, "replicas", c->registry.replicas);
	ymap_str(a, spec, "podManagementPolicy", "Parallel");
	ymap_set(a, ymap_map(a, spec, "selector"), "matchLabels", inject_selector(in));
	ymap_int(a, spec, "minReadySeconds", 5);
	if (pod_template(in, spec) != 0)
		return -1;
	if (!c->registry.storage.empty_dir)
		claim_template(in, spec);
	return 0;
}
