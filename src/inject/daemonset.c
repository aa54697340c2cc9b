/* inject/daemonset.c - the node DaemonSet "registry-node-trust" and its
 * ServiceAccount, in nodeTrust.namespace (DESIGN.md §5): on every node (all
 * taints tolerated, nodeTrust.priorityClassName), maxUnavailable 10%, running
 * node-trust.sh from its ConfigMap in a small shell image.
 *
 * Least privilege: root (the host directories are root's) with no
 * capabilities, no privilege escalation, a read-only root filesystem and no
 * API token; hostPath mounts of only the directories of the configured
 * runtimes it writes, plus the configuration it reads, read-only
 * (containerd's config directory; /etc/containers for the registries.conf
 * whose prefixes it must not shadow, /etc/crio for auto_reload_registries).
 * SELinux type spc_t, the type that may write those host paths on enforcing
 * nodes (RHEL, Fedora CoreOS, OpenShift). Host
 * network, because its health probe must reach the ClusterIP the way the
 * node's containerd does. Privileged with hostPID only for
 * configureContainerd: ifMissing, which edits config.toml and restarts
 * containerd in the host's namespaces. Under managementState Removed the same
 * DaemonSet runs the script's remove mode (no CA, no config.toml). */
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../inject.h"
#include "../resource.h"
#include "../util.h"
#include "../ytree.h"

struct hostdir {
	const char *runtime, *volume, *path;
	bool writes;
};

static bool
has_runtime(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->node_trust.runtimes.n; i++)
		if (!strcmp(c->node_trust.runtimes.v[i], name))
			return true;
	return false;
}

static bool
if_missing(const struct config *c)
{
	return c->state == MS_MANAGED && !strcmp(c->node_trust.configure_containerd, "ifMissing");
}

/* The host directories, in a fixed order; config_dir is freed by the caller. */
static size_t
host_dirs(const struct config *c, struct hostdir *d, char **config_dir)
{
	const char *file = c->node_trust.containerd_config_file, *slash = strrchr(file, '/');
	size_t n = 0;

	*config_dir = xstrndup(file, slash > file ? (size_t)(slash - file) : 1);
	if (c->state == MS_MANAGED)	/* before certs.d, which may be inside it */
		d[n++] = (struct hostdir){ "containerd", "containerd-config", *config_dir, if_missing(c) };
	d[n++] = (struct hostdir){ "containerd", "containerd-certs", c->node_trust.containerd_config_path, true };
	if (c->state == MS_MANAGED) {	/* before the two below, which are inside it */
		d[n++] = (struct hostdir){ "cri-o", "containers-config", "/etc/containers", false };
		d[n++] = (struct hostdir){ "cri-o", "crio-config", "/etc/crio", false };
	}
	d[n++] = (struct hostdir){ "cri-o", "crio-registries", "/etc/containers/registries.conf.d", true };
	d[n++] = (struct hostdir){ "cri-o", "crio-certs", "/etc/containers/certs.d", true };
	d[n++] = (struct hostdir){ "docker", "docker-certs", "/etc/docker/certs.d", true };
	return n;
}

static void
security(struct inject *in, struct ynode *ct)
{
	struct arena *a = in->a;
	struct ynode *sc = ymap_map(a, ct, "securityContext");

	ymap_int(a, sc, "runAsUser", 0);
	ymap_int(a, sc, "runAsGroup", 0);
	ymap_bool(a, sc, "readOnlyRootFilesystem", true);
	ymap_str(a, ymap_map(a, sc, "seLinuxOptions"), "type", "spc_t");
	if (if_missing(in->cfg)) {
		ymap_bool(a, sc, "privileged", true);	/* nsenter into PID 1 to restart containerd */
		return;
	}
	ymap_bool(a, sc, "allowPrivilegeEscalation", false);
	yseq_add(ymap_seq(a, ymap_map(a, sc, "capabilities"), "drop"), ynode_str(a, "ALL"));
}

static void
container(struct inject *in, struct ynode *pod, const struct hostdir *d, size_t n)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;
	struct ynode *ct = yseq_add(ymap_seq(a, pod, "containers"), ynode_map(a)), *cmd, *probe, *mounts;

	ymap_str(a, ct, "name", "node-trust");
	ymap_str(a, ct, "image", c->node_trust.image);
	cmd = ymap_seq(a, ct, "command");
	yseq_add(cmd, ynode_str(a, "/bin/sh"));
	yseq_add(cmd, ynode_str(a, NODE_SCRIPT_DIR "/node-trust.sh"));
	yseq_add(cmd, ynode_str(a, NODE_SCRIPT_DIR "/config"));
	probe = ymap_map(a, ct, "readinessProbe");
	cmd = ymap_seq(a, ymap_map(a, probe, "exec"), "command");
	yseq_add(cmd, ynode_str(a, "/bin/sh"));
	yseq_add(cmd, ynode_str(a, "-c"));
	/* not ready: the script's one-line reason, which kubectl describe shows */
	yseq_add(cmd, ynode_str(a, "test -f " NODE_STATE_DIR "/ready || { cat " NODE_STATE_DIR "/reason; exit 1; }"));
	ymap_int(a, probe, "periodSeconds", 10);
	inject_set_copy(in, ct, "resources", c->node_trust.resources);
	security(in, ct);
	mounts = ymap_seq(a, ct, "volumeMounts");
	inject_mount(in, mounts, "script", NODE_SCRIPT_DIR, true);
	if (c->state == MS_MANAGED)
		inject_mount(in, mounts, "ca", NODE_CA_DIR, true);
	inject_mount(in, mounts, "state", NODE_STATE_DIR, false);
	for (size_t i = 0; i < n; i++)
		if (has_runtime(c, d[i].runtime))
			inject_mount(in, mounts, d[i].volume, d[i].path, !d[i].writes);
}

static void
ca_volume(struct inject *in, struct ynode *vols)
{
	struct arena *a = in->a;
	bool cm = strcmp(in->cfg->tls.mode, "cert-manager") != 0;
	struct ynode *src = ymap_map(a, inject_volume(in, vols, "ca"), cm ? "configMap" : "secret");
	struct ynode *item = yseq_add(ymap_seq(a, src, "items"), ynode_map(a));

	ymap_str(a, src, cm ? "name" : "secretName", cm ? NODE_CA_CONFIGMAP : NODE_CA);
	ymap_str(a, item, "key", "ca.crt");
	ymap_str(a, item, "path", "ca.crt");
}

static void
volumes(struct inject *in, struct ynode *pod, const struct hostdir *d, size_t n)
{
	struct arena *a = in->a;
	struct ynode *vols = ymap_seq(a, pod, "volumes"), *v;

	v = ymap_map(a, inject_volume(in, vols, "script"), "configMap");
	ymap_str(a, v, "name", NODE_TRUST);
	ymap_int(a, v, "defaultMode", 0444);
	if (in->cfg->state == MS_MANAGED)
		ca_volume(in, vols);
	ymap_map(a, inject_volume(in, vols, "state"), "emptyDir");
	for (size_t i = 0; i < n; i++) {
		if (!has_runtime(in->cfg, d[i].runtime))
			continue;
		v = ymap_map(a, inject_volume(in, vols, d[i].volume), "hostPath");
		ymap_str(a, v, "path", d[i].path);
		ymap_str(a, v, "type", "DirectoryOrCreate");
	}
}

static struct ynode *
selector(struct inject *in)
{
	struct ynode *m = ynode_map(in->a);

	ymap_str(in->a, m, "app.kubernetes.io/name", NODE_TRUST);
	ymap_str(in->a, m, PART_OF_LABEL, PART_OF_VALUE);
	return m;
}

static int
pod_template(struct inject *in, struct ynode *spec)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;
	struct ynode *tmpl = ymap_map(a, spec, "template"), *meta = ymap_map(a, tmpl, "metadata"), *pod, *tol;
	struct hostdir d[8];
	char sum[65], *config_dir;
	size_t n = host_dirs(c, d, &config_dir);

	ymap_set(a, meta, "labels", selector(in));
	if (inject_checksum(in, "ConfigMap", NODE_TRUST, sum) != 0) {
		free(config_dir);
		return -1;
	}
	ymap_str(a, ymap_map(a, meta, "annotations"), "registry-addon.dev/config-sha256", sum);
	pod = ymap_map(a, tmpl, "spec");
	ymap_str(a, pod, "serviceAccountName", NODE_TRUST);
	ymap_bool(a, pod, "automountServiceAccountToken", false);
	ymap_bool(a, pod, "enableServiceLinks", false);
	ymap_bool(a, pod, "hostNetwork", true);
	if (if_missing(c))
		ymap_bool(a, pod, "hostPID", true);
	if (*c->node_trust.priority_class_name)
		ymap_str(a, pod, "priorityClassName", c->node_trust.priority_class_name);
	tol = yseq_add(ymap_seq(a, pod, "tolerations"), ynode_map(a));
	ymap_str(a, tol, "operator", "Exists");
	ymap_int(a, pod, "terminationGracePeriodSeconds", 5);
	ymap_str(a, ymap_map(a, ymap_map(a, pod, "securityContext"), "seccompProfile"), "type", "RuntimeDefault");
	container(in, pod, d, n);
	volumes(in, pod, d, n);
	free(config_dir);
	return 0;
}

int
inject_node_daemonset(struct inject *in)
{
	struct arena *a = in->a;
	const char *ns = in->cfg->node_trust.namespace;
	struct ynode *ds, *spec, *ru;

	ymap_bool(a, inject_object(in, "v1", "ServiceAccount", ns, NODE_TRUST, "node-trust"),
		  "automountServiceAccountToken", false);
	ds = inject_object(in, "apps/v1", "DaemonSet", ns, NODE_TRUST, "node-trust");
	spec = ymap_map(a, ds, "spec");
	ymap_set(a, ymap_map(a, spec, "selector"), "matchLabels", selector(in));
	ymap_str(a, ymap_map(a, spec, "updateStrategy"), "type", "RollingUpdate");
	ru = ymap_map(a, ypath(spec, "updateStrategy"), "rollingUpdate");
	ymap_str(a, ru, "maxUnavailable", "10%");
	return pod_template(in, spec);
}
