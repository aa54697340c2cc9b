/* inject/pod.c - the registry pod's containers and volumes (DESIGN.md section 7).
 *
 *   registry  run.sh mirror: the read-only mirror (:5000, "https") and its
 *             loopback writer; Distribution's debug server on loopback only
 *             (it serves pprof and expvar beside the metrics)
 *   own       run.sh own: read-only copies of own images (:5443, "own") and
 *             the writer ("push", :5002, reachable on ordinal 0 only)
 *   cache     cache.sh (component cache): one pull-through instance a
 *             mirrored upstream, "cache-<i>" on 5100 + i, each supervised
 *             alone; no probes: a cache that cannot reach its upstream (or
 *             stopped on a full volume) costs nodes a refused connection, and
 *             never takes the mirror out of its Service or restarts the others
 *   sync      sync.sh: regsync, the preload on ordinal 0, one-way copies
 *             from ordinal 0 on the others
 *   metrics   (metrics.namespace) busybox httpd: /cgi-bin/metrics passes on
 *             the debug server's metrics and nothing else of it
 *
 * Every container: non-root uid 1000, read-only root, no capabilities. No
 * mountPath holds a ':' (cri-dockerd hands mounts to Docker as src:dst[:ro]):
 * regsync's per-host CA directories are made by sync.sh inside an emptyDir.
 */
#include "pod.h"

#include <string.h>

#include <stdlib.h>

#include "../config.h"
#include "../inject.h"
#include "../util.h"
#include "../ytree.h"

#define RUN_SH REGISTRY_CONFIG_DIR "/run.sh"
#define CACHE_CA_DIR "/etc/registry-cache-ca"	/* cache.caBundle */
#define SYNC_DIR "/etc/regsync"
#define SYNC_CA_DIR "/etc/registry-ca"
#define SYNC_CERTS_DIR "/etc/docker/certs.d"	/* regclient's Docker certs directory */
#define SYNC_AUTH_DIR "/etc/regsync-auth"	/* DOCKER_CONFIG: config.json */
#define METRICS_WWW_DIR "/var/www"		/* cgi-bin/metrics */

static void
restricted(struct inject *in, struct ynode *container)
{
	struct arena *a = in->a;
	struct ynode *sc = ymap_map(a, container, "securityContext");

	/* the regsync image's USER is the name appuser (uid 1000): the kubelet
	 * cannot check a name against runAsNonRoot, so the uid is spelled out */
	ymap_int(a, sc, "runAsUser", REGISTRY_UID);
	ymap_int(a, sc, "runAsGroup", REGISTRY_UID);
	ymap_bool(a, sc, "runAsNonRoot", true);
	ymap_bool(a, sc, "readOnlyRootFilesystem", true);
	ymap_bool(a, sc, "allowPrivilegeEscalation", false);
	yseq_add(ymap_seq(a, ymap_map(a, sc, "capabilities"), "drop"), ynode_str(a, "ALL"));
}

static void
probe(struct inject *in, struct ynode *container, const char *which, const char *port, int period, int failures)
{
	struct arena *a = in->a;
	struct ynode *p = ymap_map(a, container, which), *get = ymap_map(a, p, "httpGet");

	ymap_str(a, get, "path", "/");
	ymap_str(a, get, "port", port);
	ymap_str(a, get, "scheme", "HTTPS");
	ymap_int(a, p, "periodSeconds", period);
	ymap_int(a, p, "failureThreshold", failures);
}

static void
env(struct inject *in, struct ynode *ct, const char *name, const char *value)
{
	struct ynode *e = yseq_add(ymap_seq(in->a, ct, "env"), ynode_map(in->a));

	ymap_str(in->a, e, "name", name);
	ymap_str(in->a, e, "value", value);
}

static void
port(struct inject *in, struct ynode *ct, const char *name, int number)
{
	struct ynode *p = yseq_add(ymap_seq(in->a, ct, "ports"), ynode_map(in->a));

	ymap_str(in->a, p, "name", name);
	ymap_int(in->a, p, "containerPort", number);
}

/* "registry" (run.sh mirror), "own" (run.sh own) or "cache" (cache.sh): TLS, the PVC */
static struct ynode *
registry_container(struct inject *in, struct ynode *containers, const char *name, const char *script,
		   const char *role, struct ynode *resources)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;
	struct ynode *ct = yseq_add(containers, ynode_map(a)), *cmd, *mounts;

	ymap_str(a, ct, "name", name);
	ymap_str(a, ct, "image", c->registry.image);
	cmd = ymap_seq(a, ct, "command");
	yseq_add(cmd, ynode_str(a, "/bin/sh"));
	yseq_add(cmd, ynode_str(a, script));
	if (role)
		yseq_add(cmd, ynode_str(a, role));
	/* Distribution 3 exports traces to localhost:4318 unless told not to */
	env(in, ct, "OTEL_TRACES_EXPORTER", "none");
	if (*c->registry.http_secret_name) {
		struct ynode *e = yseq_add(ymap_seq(a, ct, "env"), ynode_map(a));
		struct ynode *ref = ymap_map(a, ymap_map(a, e, "valueFrom"), "secretKeyRef");

		ymap_str(a, e, "name", "REGISTRY_HTTP_SECRET");
		ymap_str(a, ref, "name", c->registry.http_secret_name);
		ymap_str(a, ref, "key", "http-secret");
	}
	inject_set_copy(in, ct, "resources", resources);
	restricted(in, ct);
	mounts = ymap_seq(a, ct, "volumeMounts");
	inject_mount(in, mounts, "data", "/var/lib/registry", false);
	inject_mount(in, mounts, "config", REGISTRY_CONFIG_DIR, true);
	inject_mount(in, mounts, "tls", REGISTRY_TLS_DIR, true);
	inject_mount(in, mounts, "tmp", "/tmp", false);
	return ct;
}

static void
mirror_container(struct inject *in, struct ynode *containers)
{
	struct ynode *ct = registry_container(in, containers, "registry", RUN_SH, "mirror", in->cfg->registry.resources);

	port(in, ct, "https", REGISTRY_PORT);
	probe(in, ct, "startupProbe", "https", 2, 30);
	probe(in, ct, "readinessProbe", "https", 10, 3);
	probe(in, ct, "livenessProbe", "https", 20, 3);
}

static void
own_container(struct inject *in, struct ynode *containers)
{
	struct ynode *ct = registry_container(in, containers, "own", RUN_SH, "own", in->cfg->registry.resources);

	port(in, ct, "own", REGISTRY_OWN_PORT);
	port(in, ct, "push", REGISTRY_PUSH_PORT);
	probe(in, ct, "startupProbe", "own", 2, 30);
	probe(in, ct, "readinessProbe", "own", 10, 3);
	probe(in, ct, "livenessProbe", "own", 20, 3);
	if (*in->cfg->registry.push.htpasswd_secret)
		inject_mount(in, ymap_get(ct, "volumeMounts"), "push-auth", REGISTRY_AUTH_DIR, true);
}

/* the upstream of a cache.credentials entry "UPSTREAM=SECRET", or -1 */
static long
credential_of(const struct upstream *u, size_t n, const char *entry)
{
	size_t len = strcspn(entry, "=");

	for (size_t i = 0; i < n; i++)
		if (strlen(u[i].host) == len && !strncmp(u[i].host, entry, len))
			return (long)i;
	return -1;
}

static void
cache_container(struct inject *in, struct ynode *containers, const struct upstream *u, size_t n)
{
	const struct strlist *cred = &in->cfg->cache.credentials;
	struct ynode *ct = registry_container(in, containers, "cache", REGISTRY_CONFIG_DIR "/cache.sh", NULL,
						in->cfg->cache.resources);
	struct ynode *mounts = ymap_get(ct, "volumeMounts");

	for (size_t i = 0; i < n; i++) {
		char *name = xasprintf("cache-%zu", i);

		port(in, ct, name, (int)u[i].cache_port);
		free(name);
	}
	if (*in->cfg->cache.ca_bundle) {
		/* Go (Distribution's proxy client) reads SSL_CERT_DIR's directories
		 * instead of its default ones: the image's roots are named first */
		env(in, ct, "SSL_CERT_DIR", "/etc/ssl/certs:" CACHE_CA_DIR);
		inject_mount(in, mounts, "cache-ca", CACHE_CA_DIR, true);
	}
	for (size_t i = 0; i < cred->n; i++) {
		long k = credential_of(u, n, cred->v[i]);	/* checked: inject_upstreams() */
		char *vol = xasprintf("cache-auth-%ld", k), *path = xasprintf(REGISTRY_CACHE_AUTH_DIR "/%ld", k);

		inject_mount(in, mounts, vol, path, true);
		free(vol);
		free(path);
	}
}

static void
sync_container(struct inject *in, struct ynode *containers)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;
	struct ynode *ct = yseq_add(containers, ynode_map(a)), *cmd, *mounts;

	ymap_str(a, ct, "name", "sync");
	ymap_str(a, ct, "image", c->sync.image);
	cmd = ymap_seq(a, ct, "command");
	yseq_add(cmd, ynode_str(a, "/bin/sh"));
	yseq_add(cmd, ynode_str(a, SYNC_DIR "/sync.sh"));
	if (*c->sync.credentials_secret)
		env(in, ct, "DOCKER_CONFIG", SYNC_AUTH_DIR);
	inject_set_copy(in, ct, "resources", c->sync.resources);
	restricted(in, ct);
	mounts = ymap_seq(a, ct, "volumeMounts");
	inject_mount(in, mounts, "sync-config", SYNC_DIR, true);
	inject_mount(in, mounts, "ca", SYNC_CA_DIR, true);
	inject_mount(in, mounts, "certs", SYNC_CERTS_DIR, false);
	inject_mount(in, mounts, "tmp", "/tmp", false);
	if (*c->sync.credentials_secret)
		inject_mount(in, mounts, "upstream-auth", SYNC_AUTH_DIR, true);
}

static void
metrics_container(struct inject *in, struct ynode *containers)
{
	struct arena *a = in->a;
	struct ynode *ct = yseq_add(containers, ynode_map(a)), *cmd, *r;
	static const char *const args[] = { "httpd", "-f", "-p", XSTR(REGISTRY_METRICS_PORT), "-h", METRICS_WWW_DIR };

	ymap_str(a, ct, "name", "metrics");
	ymap_str(a, ct, "image", in->cfg->metrics.image);
	cmd = ymap_seq(a, ct, "command");
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		yseq_add(cmd, ynode_str(a, args[i]));
	port(in, ct, "metrics", REGISTRY_METRICS_PORT);
	r = ymap_map(a, ct, "resources");
	ymap_str(a, ymap_map(a, r, "requests"), "cpu", "5m");
	ymap_str(a, ymap_map(a, r, "requests"), "memory", "8Mi");
	ymap_str(a, ymap_map(a, r, "limits"), "memory", "32Mi");
	restricted(in, ct);
	inject_mount(in, ymap_seq(a, ct, "volumeMounts"), "metrics-www", METRICS_WWW_DIR, true);
}

/* a Secret volume of the given keys, each as the file path; its "secret" */
static struct ynode *
secret_volume(struct inject *in, struct ynode *volumes, const char *name, const char *secret,
	      const char *const *keys, const char *const *paths, size_t n)
{
	struct arena *a = in->a;
	struct ynode *s = ymap_map(a, inject_volume(in, volumes, name), "secret"), *items;

	ymap_str(a, s, "secretName", secret);
	items = ymap_seq(a, s, "items");
	for (size_t i = 0; i < n; i++) {
		struct ynode *it = yseq_add(items, ynode_map(a));

		ymap_str(a, it, "key", keys[i]);
		ymap_str(a, it, "path", paths[i]);
	}
	return s;
}

static void
cache_volumes(struct inject *in, struct ynode *vols, const struct upstream *u, size_t n)
{
	static const char *const keys[] = { "username", "password" };
	const struct strlist *cred = &in->cfg->cache.credentials;

	for (size_t i = 0; i < cred->n; i++) {
		char *vol = xasprintf("cache-auth-%ld", credential_of(u, n, cred->v[i]));

		/* optional: a Secret not there yet, or with one key, leaves that
		 * cache anonymous (cache.sh reads what is there), not the pod down */
		ymap_bool(in->a, secret_volume(in, vols, vol, strchr(cred->v[i], '=') + 1, keys, keys, 2), "optional",
			  true);
		free(vol);
	}
}

static void
volumes(struct inject *in, struct ynode *pod, const struct upstream *u, size_t n)
{
	static const char *const tls_keys[] = { "tls.crt", "tls.key", "ca.crt" };
	static const char *const ca_key[] = { "ca.crt" }, *const htpasswd[] = { "htpasswd" };
	static const char *const docker_key[] = { ".dockerconfigjson" }, *const docker_path[] = { "config.json" };
	const struct config *c = in->cfg;
	struct arena *a = in->a;
	struct ynode *vols = ymap_seq(a, pod, "volumes"), *v;

	v = ymap_map(a, inject_volume(in, vols, "config"), "configMap");
	ymap_str(a, v, "name", REGISTRY_CONFIG);
	ymap_int(a, v, "defaultMode", 0444);
	secret_volume(in, vols, "tls", c->tls.secret_name, tls_keys, tls_keys, 3);
	if (*c->registry.push.htpasswd_secret)
		secret_volume(in, vols, "push-auth", c->registry.push.htpasswd_secret, htpasswd, htpasswd, 1);
	if (config_has(c, C_SYNC)) {
		v = ymap_map(a, inject_volume(in, vols, "sync-config"), "configMap");
		ymap_str(a, v, "name", REGISTRY_SYNC);
		ymap_int(a, v, "defaultMode", 0444);
		secret_volume(in, vols, "ca", c->tls.secret_name, ca_key, ca_key, 1);
		ymap_map(a, inject_volume(in, vols, "certs"), "emptyDir");
		if (*c->sync.credentials_secret)
			secret_volume(in, vols, "upstream-auth", c->sync.credentials_secret, docker_key, docker_path,
				      1);
	}
	if (*c->metrics.namespace) {
		struct ynode *it;

		v = ymap_map(a, inject_volume(in, vols, "metrics-www"), "configMap");
		ymap_str(a, v, "name", REGISTRY_CONFIG);
		it = yseq_add(ymap_seq(a, v, "items"), ynode_map(a));
		ymap_str(a, it, "key", "metrics.cgi");
		ymap_str(a, it, "path", "cgi-bin/metrics");
		ymap_int(a, it, "mode", 0555);
	}
	if (n && config_has(c, C_CACHE))
		cache_volumes(in, vols, u, n);
	if (n && config_has(c, C_CACHE) && *c->cache.ca_bundle) {
		v = ymap_map(a, inject_volume(in, vols, "cache-ca"), "configMap");
		ymap_str(a, v, "name", c->cache.ca_bundle);
		ymap_bool(a, v, "optional", true);	/* missing: public roots only, the pod up */
	}
	ymap_map(a, inject_volume(in, vols, "tmp"), "emptyDir");
	if (c->registry.storage.empty_dir)
		ymap_map(a, inject_volume(in, vols, "data"), "emptyDir");
}

int
pod_containers(struct inject *in, struct ynode *pod)
{
	struct ynode *containers = ymap_seq(in->a, pod, "containers");
	const struct upstream *u = NULL;
	size_t n = 0;

	if (config_has(in->cfg, C_CACHE) && inject_upstreams(in, &u, &n) != 0)
		return -1;
	mirror_container(in, containers);
	own_container(in, containers);
	if (n)
		cache_container(in, containers, u, n);
	if (config_has(in->cfg, C_SYNC))
		sync_container(in, containers);
	if (*in->cfg->metrics.namespace)
		metrics_container(in, containers);
	volumes(in, pod, u, n);
	return 0;
}
