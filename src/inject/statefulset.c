/* inject/statefulset.c - the registry StatefulSet: one PVC per replica, the
 * registry container (TLS, HTTPS probes, non-root, read-only root, no
 * capabilities, RuntimeDefault seccomp), the regsync sidecar (component
 * sync), topology spread constraints (component spread) and checksums of the
 * generated configuration, so that a change rolls the pods. */
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../inject.h"
#include "../util.h"
#include "../ytree.h"

#define SYNC_CERTS_DIR "/etc/docker/certs.d"
#define REGISTRY_UID 1000	/* fsGroup too: the PVC is writable by group 1000;
				 * also regsync's appuser */

static void
restricted(struct inject *in, struct ynode *container, bool own_user)
{
	struct arena *a = in->a;
	struct ynode *sc = ymap_map(a, container, "securityContext");

	if (own_user) {
		ymap_int(a, sc, "runAsUser", REGISTRY_UID);
		ymap_int(a, sc, "runAsGroup", REGISTRY_UID);
	}
	ymap_bool(a, sc, "runAsNonRoot", true);
	ymap_bool(a, sc, "readOnlyRootFilesystem", true);
	ymap_bool(a, sc, "allowPrivilegeEscalation", false);
	yseq_add(ymap_seq(a, ymap_map(a, sc, "capabilities"), "drop"), ynode_str(a, "ALL"));
}

static void
probe(struct inject *in, struct ynode *container, const char *which, int period, int failures)
{
	struct arena *a = in->a;
	struct ynode *p = ymap_map(a, container, which), *get = ymap_map(a, p, "httpGet");

	ymap_str(a, get, "path", "/");
	ymap_str(a, get, "port", "https");
	ymap_str(a, get, "scheme", "HTTPS");
	ymap_int(a, p, "periodSeconds", period);
	ymap_int(a, p, "failureThreshold", failures);
}

static void
registry_container(struct inject *in, struct ynode *containers)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;
	struct ynode *ct = yseq_add(containers, ynode_map(a)), *cmd, *port, *mounts;

	ymap_str(a, ct, "name", "registry");
	ymap_str(a, ct, "image", c->registry.image);
	cmd = ymap_seq(a, ct, "command");
	yseq_add(cmd, ynode_str(a, "/bin/sh"));
	yseq_add(cmd, ynode_str(a, REGISTRY_CONFIG_DIR "/run.sh"));
	if (*c->registry.http_secret_name) {
		struct ynode *env = yseq_add(ymap_seq(a, ct, "env"), ynode_map(a));
		struct ynode *ref = ymap_map(a, ymap_map(a, env, "valueFrom"), "secretKeyRef");

		ymap_str(a, env, "name", "REGISTRY_HTTP_SECRET");
		ymap_str(a, ref, "name", c->registry.http_secret_name);
		ymap_str(a, ref, "key", "http-secret");
	}
	port = yseq_add(ymap_seq(a, ct, "ports"), ynode_map(a));
	ymap_str(a, port, "name", "https");
	ymap_int(a, port, "containerPort", REGISTRY_PORT);
	port = yseq_add(ymap_seq(a, ct, "ports"), ynode_map(a));
	ymap_str(a, port, "name", "metrics");
	ymap_int(a, port, "containerPort", REGISTRY_DEBUG_PORT);
	probe(in, ct, "startupProbe", 2, 30);
	probe(in, ct, "readinessProbe", 10, 3);
	probe(in, ct, "livenessProbe", 20, 3);
	inject_set_copy(in, ct, "resources", c->registry.resources);
	restricted(in, ct, true);
	mounts = ymap_seq(a, ct, "volumeMounts");
	inject_mount(in, mounts, "data", "/var/lib/registry", false);
	inject_mount(in, mounts, "config", REGISTRY_CONFIG_DIR, true);
	inject_mount(in, mounts, "tls", REGISTRY_TLS_DIR, true);
	inject_mount(in, mounts, "tmp", "/tmp", false);
}

/* regsync trusts every .crt in /etc/docker/certs.d/<host:port>/ (regclient's
 * DockerCertDir, read per host in reghttp's makeRootPool): volume "ca" is
 * mounted there once and holds <peer>:5000/ca.crt and 127.0.0.1:5000/ca.crt
 * as items (ca_volume()). cri-dockerd hands mounts to Docker as
 * "src:dst[:ro]", so no mountPath may hold a ':'; an item's path is a file
 * the kubelet writes inside the volume, not a mount. */
static void
sync_container(struct inject *in, struct ynode *containers)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;
	struct ynode *ct = yseq_add(containers, ynode_map(a)), *args, *mounts;

	ymap_str(a, ct, "name", "sync");
	ymap_str(a, ct, "image", c->sync.image);
	args = ymap_seq(a, ct, "args");
	yseq_add(args, ynode_str(a, "-c"));
	yseq_add(args, ynode_str(a, "/etc/regsync/regsync.yml"));
	yseq_add(args, ynode_str(a, "server"));
	inject_set_copy(in, ct, "resources", c->sync.resources);
	/* the image's USER is the name appuser (uid 1000): the kubelet cannot
	 * check a name against runAsNonRoot, so the uid is spelled out */
	restricted(in, ct, true);
	mounts = ymap_seq(a, ct, "volumeMounts");
	inject_mount(in, mounts, "sync-config", "/etc/regsync", true);
	inject_mount(in, mounts, "ca", SYNC_CERTS_DIR, true);
	inject_mount(in, mounts, "tmp", "/tmp", false);
}

static void
ca_item(struct inject *in, struct ynode *items, const char *host)
{
	struct ynode *it = yseq_add(items, ynode_map(in->a));
	char *path = xasprintf("%s/ca.crt", host);

	ymap_str(in->a, it, "key", "ca.crt");
	ymap_str(in->a, it, "path", path);
	free(path);
}

/* The CA once per host regsync dials: every peer and loopback. */
static void
ca_volume(struct inject *in, struct ynode *volumes)
{
	struct arena *a = in->a;
	struct ynode *s = ymap_map(a, inject_volume(in, volumes, "ca"), "secret"), *items;
	char loopback[32];

	ymap_str(a, s, "secretName", in->cfg->tls.secret_name);
	items = ymap_seq(a, s, "items");
	for (long i = 0; i < in->cfg->registry.replicas; i++) {
		char *peer = inject_peer_host(in, i);

		ca_item(in, items, peer);
		free(peer);
	}
	snprintf(loopback, sizeof(loopback), "127.0.0.1:%d", REGISTRY_PORT);
	ca_item(in, items, loopback);
}

static void
secret_volume(struct inject *in, struct ynode *volumes, const char *name, const char *const *keys, size_t n)
{
	struct arena *a = in->a;
	struct ynode *s = ymap_map(a, inject_volume(in, volumes, name), "secret"), *items;

	ymap_str(a, s, "secretName", in->cfg->tls.secret_name);
	items = ymap_seq(a, s, "items");

	for (size_t i = 0; i < n; i++) {
		struct ynode *it = yseq_add(items, ynode_map(a));

		ymap_str(a, it, "key", keys[i]);
		ymap_str(a, it, "path", keys[i]);
	}
}

static void
volumes(struct inject *in, struct ynode *spec)
{
	static const char *const tls_keys[] = { "tls.crt", "tls.key", "ca.crt" };
	struct arena *a = in->a;
	struct ynode *vols = ymap_seq(a, spec, "volumes"), *v;
	bool sync = config_has(in->cfg, C_SYNC);

	v = ymap_map(a, inject_volume(in, vols, "config"), "configMap");
	ymap_str(a, v, "name", REGISTRY_CONFIG);
	ymap_int(a, v, "defaultMode", 0444);
	secret_volume(in, vols, "tls", tls_keys, 3);
	if (sync) {
		ymap_str(a, ymap_map(a, inject_volume(in, vols, "sync-config"), "configMap"), "name", REGISTRY_SYNC);
		ca_volume(in, vols);
	}
	ymap_map(a, inject_volume(in, vols, "tmp"), "emptyDir");
	if (in->cfg->registry.storage.empty_dir)
		ymap_map(a, inject_volume(in, vols, "data"), "emptyDir");
}

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
	struct ynode *pod, *sc, *containers;

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
	containers = ymap_seq(a, pod, "containers");
	registry_container(in, containers);
	if (config_has(in->cfg, C_SYNC))
		sync_container(in, containers);
	volumes(in, pod);
	return 0;
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
