/* cfgfields.c - the configuration field table and the value checks. */
#include "cfgfields.h"

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "host.h"
#include "images.h"
#include "net.h"
#include "quantity.h"
#include "selector.h"
#include "timefmt.h"
#include "util.h"

#define OFF(member) offsetof(struct config, member)

const struct field config_fields[] = {
	{ "managementState", F_ENUM, OFF(management_state), "Managed", "Managed|Unmanaged|Removed", NULL, 0, 0,
	  "Managed: inject. Unmanaged: pass the input through untouched. Removed: strip every object we generated", NULL },
	{ "namespace", F_STR, OFF(namespace), "registry-system", NULL, check_dns_label, 0, 0,
	  "namespace of the registry (created unless the input already has it)", NULL },
	{ "components", F_SET, OFF(components),
	  "[registry, sync, cache, certificates, nodeTrust, spread, localRegistryHosting]",
	  "registry|sync|cache|certificates|nodeTrust|spread|workloadSpread|localRegistryHosting", NULL, 0, 0,
	  "what is injected", NULL },
	{ "registry.image", F_STR, OFF(registry.image), "docker.io/library/registry:3.1.1", NULL, check_image, 0, 0,
	  "Distribution registry image (a pinned tag or digest, never latest)", NULL },
	{ "registry.replicas", F_INT, OFF(registry.replicas), "2", NULL, NULL, 1, 100,
	  "registry pods, one PVC each", NULL },
	{ "registry.storage.size", F_STR, OFF(registry.storage.size), "20Gi", NULL, check_quantity, 0, 0,
	  "PVC size per replica", NULL },
	{ "registry.storage.storageClassName", F_STR, OFF(registry.storage.storage_class_name), "\"\"", NULL,
	  check_k8s_name_or_empty, 0, 0,
	  "storage class of the PVCs (empty: the cluster default)", NULL },
	{ "registry.storage.accessModes", F_SET, OFF(registry.storage.access_modes), "[ReadWriteOnce]",
	  "ReadWriteOnce|ReadWriteMany|ReadOnlyMany|ReadWriteOncePod", NULL, 0, 0, "PVC access modes", NULL },
	{ "registry.storage.emptyDir", F_BOOL, OFF(registry.storage.empty_dir), "false", NULL, NULL, 0, 0,
	  "use emptyDir instead of PVCs (throw-away clusters)", NULL },
	{ "registry.service.clusterIP", F_STR, OFF(registry.service.cluster_ip), "\"\"", NULL, check_ip_or_empty, 0, 0,
	  "fixed ClusterIP of Service registry, the one writer of own images: pods push to its names, nodes pull "
	  "own images from it first (empty: the 20th address of serviceCIDR)", NULL },
	{ "registry.service.mirrorClusterIP", F_STR, OFF(registry.service.mirror_cluster_ip), "\"\"", NULL,
	  check_ip_or_empty, 0, 0, "fixed ClusterIP of Service registry-mirror, every replica read-only: nodes pull "
	  "mirrored upstreams and copies of own images through it (empty: the address after clusterIP)", NULL },
	{ "registry.service.serviceCIDR", F_STR, OFF(registry.service.service_cidr), "10.96.0.0/12", NULL, check_cidr, 0, 0,
	  "the cluster's Service CIDR (IPv4 or IPv6)", NULL },
	{ "registry.service.port", F_INT, OFF(registry.service.port), "443", NULL, NULL, 1, 65535,
	  "port of Service registry, where pods push own images (the writer listens on 5002)", NULL },
	{ "registry.hostnames", F_LIST, OFF(registry.hostnames), "[]", NULL, check_dns_subdomain, 0, 0,
	  "extra DNS names pods push to and nodes pull from", NULL },
	{ "registry.resources", F_OBJECT, OFF(registry.resources),
	  "{requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 512Mi}}", NULL, NULL, 0, 0,
	  "registry container resources", kv_resources },
	{ "registry.nodeSelector", F_OBJECT, OFF(registry.node_selector), "{}", NULL, NULL, 0, 0,
	  "node selector of the registry pods", kv_node_selector },
	{ "registry.tolerations", F_OBJLIST, OFF(registry.tolerations), "[]", NULL, NULL, 0, 0,
	  "tolerations of the registry pods", kv_tolerations },
	{ "registry.priorityClassName", F_STR, OFF(registry.priority_class_name), "\"\"", NULL, check_k8s_name_or_empty,
	  0, 0,
	  "priority class of the registry pods", NULL },
	{ "registry.deleteEnabled", F_BOOL, OFF(registry.delete_enabled), "false", NULL, NULL, 0, 0,
	  "allow deleting manifests and blobs through the registry API", NULL },
	{ "registry.httpSecretName", F_STR, OFF(registry.http_secret_name), "\"\"", NULL, check_dns_subdomain_or_empty, 0, 0,
	  "Secret (key http-secret) holding Distribution's http.secret; empty: derived in the pod from the TLS key", NULL },
	{ "registry.push.htpasswdSecret", F_STR, OFF(registry.push.htpasswd_secret), "\"\"", NULL,
	  check_dns_subdomain_or_empty, 0, 0, "Secret (key htpasswd, bcrypt entries) whose users alone may push own "
	  "images and read them from the writer; empty: anyone who reaches Service registry may push", NULL },
	{ "registry.push.caNamespaces", F_LIST, OFF(registry.push.ca_namespaces), "[]", NULL, check_dns_label, 0, 0,
	  "namespaces that get the CA pods trust to push (ConfigMap registry-ca, key ca.crt; in cert-manager mode "
	  "Secret registry-ca from a Certificate)", NULL },
	{ "metrics.namespace", F_STR, OFF(metrics.namespace), "\"\"", NULL, check_dns_label_or_empty, 0, 0,
	  "namespace whose pods may scrape the registry's Prometheus metrics (port 5001, path /cgi-bin/metrics, "
	  "served by container metrics); empty: no metrics endpoint", NULL },
	{ "metrics.image", F_STR, OFF(metrics.image), "docker.io/library/busybox:1.37.0", NULL, check_image, 0, 0,
	  "image of container metrics (busybox httpd passes on the metrics alone, not the debug server's pprof)", NULL },
	{ "sync.image", F_STR, OFF(sync.image), "ghcr.io/regclient/regsync:v0.11.5-alpine", NULL, check_image, 0, 0,
	  "regsync sidecar image (a shell is needed: the -alpine variant)", NULL },
	{ "sync.interval", F_STR, OFF(sync.interval), "2m", NULL, check_duration, 0, 0,
	  "how often the preload and the replicas' one-way copies from the writer run", NULL },
	{ "sync.preload", F_LIST, OFF(sync.preload), "[auto]", "auto", check_preload, 0, 0,
	  "images copied into the mirror ahead of use: auto (every image in the input), none, or a list", NULL },
	{ "sync.platforms", F_LIST, OFF(sync.platforms), "[linux/amd64, linux/arm64]", "all", check_platform, 0, 0,
	  "platforms the preload copies of multi-platform images (os/arch[/variant]); all: every platform", NULL },
	{ "sync.credentialsSecret", F_STR, OFF(sync.credentials_secret), "\"\"", NULL, check_dns_subdomain_or_empty,
	  0, 0, "Secret of type kubernetes.io/dockerconfigjson with upstream credentials for the preload", NULL },
	{ "sync.parallel", F_INT, OFF(sync.parallel), "1", NULL, NULL, 1, 64,
	  "copies regsync runs at once", NULL },
	{ "sync.rateLimit.min", F_INT, OFF(sync.rate_limit_min), "4", NULL, NULL, 0, 5000,
	  "copy from a registry that reports a rate limit (Docker Hub: 10 anonymous pulls an hour) only while this "
	  "many pulls remain, so nodes keep some", NULL },
	{ "sync.rateLimit.retry", F_STR, OFF(sync.rate_limit_retry), "15m", NULL, check_duration, 0, 0,
	  "wait this long before retrying a rate-limited registry (regsync floors it at 5m)", NULL },
	{ "sync.resources", F_OBJECT, OFF(sync.resources),
	  "{requests: {cpu: 25m, memory: 64Mi}, limits: {memory: 128Mi}}", NULL, NULL, 0, 0,
	  "regsync sidecar resources", kv_resources },
	{ "cache.ttl", F_STR, OFF(cache.ttl), "168h", NULL, check_duration, 0, 0,
	  "how long content pulled through the cache is kept (Distribution's proxy.ttl); then it is deleted and "
	  "fetched again on the next pull. Preloaded content never expires", NULL },
	{ "cache.credentials", F_LIST, OFF(cache.credentials), "[]", NULL, check_cache_credential, 0, 0,
	  "UPSTREAM=SECRET: the cache of UPSTREAM (a mirrored upstream, such as docker.io) logs in with Secret "
	  "SECRET (type kubernetes.io/basic-auth: keys username, password) in the registry namespace", NULL },
	{ "cache.caBundle", F_STR, OFF(cache.ca_bundle), "\"\"", NULL, check_dns_subdomain_or_empty, 0, 0,
	  "ConfigMap in the registry namespace whose keys are PEM CA certificates the caches trust besides the "
	  "image's public roots (an upstream with a private CA); empty: public roots only", NULL },
	{ "cache.resources", F_OBJECT, OFF(cache.resources),
	  "{requests: {cpu: 50m, memory: 128Mi}, limits: {memory: 1Gi}}", NULL, NULL, 0, 0,
	  "resources of container cache (one Distribution instance a mirrored upstream)", kv_resources },
	{ "tls.mode", F_ENUM, OFF(tls.mode), "cert-manager", "cert-manager|secret|generate", NULL, 0, 0,
	  "where the registry's TLS identity comes from", NULL },
	{ "tls.keyAlgorithm", F_ENUM, OFF(tls.key_algorithm), "ECDSA", "ECDSA|RSA|Ed25519", NULL, 0, 0,
	  "cert-manager mode: private key algorithm of the root CA and the server certificate", NULL },
	{ "tls.keySize", F_INT, OFF(tls.key_size), "0", NULL, NULL, 0, 8192,
	  "cert-manager mode: key size (0: cert-manager's default, ECDSA 256, RSA 2048)", NULL },
	{ "tls.caDuration", F_STR, OFF(tls.ca_duration), "87600h", NULL, check_duration, 0, 0,
	  "root CA lifetime", NULL },
	{ "tls.duration", F_STR, OFF(tls.duration), "17520h", NULL, check_duration, 0, 0,
	  "server certificate lifetime", NULL },
	{ "tls.renewBefore", F_STR, OFF(tls.renew_before), "720h", NULL, check_duration, 0, 0,
	  "renew the server certificate this long before it expires", NULL },
	{ "tls.secretName", F_STR, OFF(tls.secret_name), "registry-tls", NULL, check_dns_subdomain, 0, 0,
	  "Secret with tls.crt, tls.key and ca.crt (an existing one in secret mode)", NULL },
	{ "tls.caCertFile", F_STR, OFF(tls.ca_cert_file), "\"\"", NULL, check_file_path, 0, 0,
	  "generate mode: CA certificate (PEM file); secret mode with nodeTrust: the public CA the nodes trust", NULL },
	{ "tls.caKeyFile", F_STR, OFF(tls.ca_key_file), "\"\"", NULL, check_file_path, 0, 0,
	  "generate mode: CA private key (PEM file)", NULL },
	{ "tls.notBefore", F_STR, OFF(tls.not_before), "\"\"", NULL, check_rfc3339, 0, 0,
	  "generate mode: start of validity (RFC 3339), so output never depends on the clock", NULL },
	{ "tls.certManagerNamespace", F_STR, OFF(tls.cert_manager_namespace), "cert-manager", NULL, check_dns_label,
	  0, 0, "cert-manager mode with nodeTrust: cert-manager's cluster resource namespace, which keeps the root CA "
	  "of the ClusterIssuer that signs for both namespaces", NULL },
	{ "clusterDomain", F_STR, OFF(cluster_domain), "cluster.local", NULL, check_dns_subdomain, 0, 0,
	  "cluster DNS domain used in every generated name", NULL },
	{ "nodeTrust.runtimes", F_SET, OFF(node_trust.runtimes), "[containerd, cri-o, docker]",
	  "containerd|cri-o|docker", NULL, 0, 0, "which node runtimes get configuration files", NULL },
	{ "nodeTrust.mirrors", F_LIST, OFF(node_trust.mirrors), "[auto, docker.io, ghcr.io, quay.io, registry.k8s.io]",
	  "auto", check_host, 0, 0, "upstream registries to mirror (and, with the cache component, to cache): auto "
	  "(every registry host in the input) and/or a list", NULL },
	{ "nodeTrust.containerdConfigPath", F_STR, OFF(node_trust.containerd_config_path), "/etc/containerd/certs.d",
	  NULL, check_abs_path, 0, 0, "containerd config_path (k3s/RKE2 use other paths)", NULL },
	{ "nodeTrust.containerdConfigFile", F_STR, OFF(node_trust.containerd_config_file),
	  "/etc/containerd/config.toml", NULL, check_abs_path, 0, 0,
	  "containerd's config.toml, checked for config_path (k3s/RKE2 use other paths)", NULL },
	{ "nodeTrust.configureContainerd", F_ENUM, OFF(node_trust.configure_containerd), "never", "never|ifMissing",
	  NULL, 0, 0, "ifMissing: add config_path to config.toml and restart containerd once (privileged, hostPID)", NULL },
	{ "nodeTrust.namespace", F_STR, OFF(node_trust.namespace), "registry-node-trust", NULL, check_dns_label, 0, 0,
	  "namespace of the node DaemonSet (Pod Security privileged: it mounts host directories)", NULL },
	{ "nodeTrust.image", F_STR, OFF(node_trust.image), "docker.io/library/busybox:1.37.0", NULL, check_image,
	  0, 0, "shell image of the node DaemonSet (busybox applets are enough)", NULL },
	{ "nodeTrust.priorityClassName", F_STR, OFF(node_trust.priority_class_name), "system-node-critical", NULL,
	  check_k8s_name_or_empty, 0, 0, "priority class of the node DaemonSet", NULL },
	{ "nodeTrust.resources", F_OBJECT, OFF(node_trust.resources),
	  "{requests: {cpu: 5m, memory: 16Mi}, limits: {memory: 64Mi}}", NULL, NULL, 0, 0,
	  "node DaemonSet container resources", kv_resources },
	{ "spread.hostname", F_ENUM, OFF(spread.hostname), "DoNotSchedule", "DoNotSchedule|ScheduleAnyway|off",
	  NULL, 0, 0, "spread of registry pods over nodes", NULL },
	{ "spread.zone", F_ENUM, OFF(spread.zone), "ScheduleAnyway", "DoNotSchedule|ScheduleAnyway|off",
	  NULL, 0, 0, "spread of registry pods over zones", NULL },
	{ "spread.workerRole", F_ENUM, OFF(spread.worker_role), "off", "DoNotSchedule|ScheduleAnyway|off",
	  NULL, 0, 0, "spread of registry pods over node-role.kubernetes.io/worker", NULL },
	{ "workloadSpread.hostname", F_ENUM, OFF(workload_spread.hostname), "ScheduleAnyway",
	  "DoNotSchedule|ScheduleAnyway|off", NULL, 0, 0, "component workloadSpread: spread of the input's workloads' "
	  "pods over nodes (ScheduleAnyway never leaves a pod Pending: a full node still counts as a domain)", NULL },
	{ "workloadSpread.zone", F_ENUM, OFF(workload_spread.zone), "ScheduleAnyway", "DoNotSchedule|ScheduleAnyway|off",
	  NULL, 0, 0, "component workloadSpread: spread over topology.kubernetes.io/zone (DoNotSchedule leaves pods "
	  "Pending on nodes without the label)", NULL },
	{ "workloadSpread.maxSkew", F_INT, OFF(workload_spread.max_skew), "1", NULL, NULL, 1, 1000,
	  "component workloadSpread: maxSkew of each constraint", NULL },
	{ "workloadSpread.kinds", F_SET, OFF(workload_spread.kinds), "[Deployment, StatefulSet, ReplicaSet]",
	  "Deployment|StatefulSet|ReplicaSet", NULL, 0, 0,
	  "component workloadSpread: which kinds of the input (apps/v1) get constraints", NULL },
	{ "workloadSpread.namespaces", F_LIST, OFF(workload_spread.namespaces), "[]", NULL, check_dns_label, 0, 0,
	  "component workloadSpread: only workloads whose metadata.namespace is one of these (empty: every "
	  "workload; one without metadata.namespace is selected only then)", NULL },
	{ "workloadSpread.selector", F_STR, OFF(workload_spread.selector), "\"\"", NULL, check_label_selector, 0, 0,
	  "component workloadSpread: only workloads whose metadata.labels match this label selector (kubectl's "
	  "form: app=web,tier in (a,b),!canary; empty: every workload)", NULL },
	{ "workloadSpread.existing", F_ENUM, OFF(workload_spread.existing), "keep", "keep|add", NULL, 0, 0,
	  "component workloadSpread: a workload with topologySpreadConstraints of its own is left as it is "
	  "(keep), or gets ours for the topology keys its own lack (add); the user's are never changed", NULL },
};

const size_t config_nfields = sizeof(config_fields) / sizeof(config_fields[0]);

const struct field *
field_find(const char *path)
{
	for (size_t i = 0; i < config_nfields; i++)
		if (strcmp(config_fields[i].path, path) == 0)
			return &config_fields[i];
	return NULL;
}

int
field_is_group(const char *path, size_t len)
{
	for (size_t i = 0; i < config_nfields; i++) {
		const char *p = config_fields[i].path;

		if (strlen(p) > len && strncmp(p, path, len) == 0 && p[len] == '.')
			return 1;
	}
	return 0;
}

static int
fail(const char **why, const char *text)
{
	*why = text;
	return -1;
}

static int
label_ok(const char *s, size_t n)
{
	if (n == 0 || n > 63 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return 0;
	return 1;
}

int
check_dns_label(const char *s, const char **why)
{
	if (!label_ok(s, strlen(s)))
		return fail(why, "a DNS label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit");
	return 0;
}

int
check_dns_label_or_empty(const char *s, const char **why)
{
	if (*s && !label_ok(s, strlen(s)))
		return fail(why, "empty, or a DNS label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit");
	return 0;
}

/* os/arch[/variant], each part lower-case letters and digits (as the OCI
 * image index spells them: linux/amd64, linux/arm/v7, windows/amd64). */
int
check_platform(const char *s, const char **why)
{
	int parts = 1;
	size_t run = 0;
	const char *p;

	for (p = s; *p; p++) {
		if (*p == '/' && run && parts < 3) {
			parts++;
			run = 0;
		} else if (islower((unsigned char)*p) || isdigit((unsigned char)*p)) {
			run++;
		} else {
			break;
		}
	}
	if (*p || parts < 2 || !run)
		return fail(why, "a platform os/arch[/variant] in lower-case letters and digits (linux/amd64, "
			    "linux/arm64, linux/arm/v7), or all");
	return 0;
}

int
check_dns_subdomain(const char *s, const char **why)
{
	size_t n = strlen(s);
	const char *p = s;

	if (n == 0 || n > 253)
		goto bad;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		if (!label_ok(p, len))
			goto bad;
		p += len + (dot ? 1 : 0);
		if (dot && !*p)
			goto bad;
	}
	return 0;
bad:
	return fail(why, "a DNS name: dot-separated labels of lower-case letters, digits and '-', at most 253 characters");
}

int
check_dns_subdomain_or_empty(const char *s, const char **why)
{
	return *s ? check_dns_subdomain(s, why) : 0;
}

/* A pinned image reference that container runtimes read (image_read()), its
 * registry host by host.h's rule. */
int
check_image(const char *s, const char **why)
{
	static char text[640];
	const char *at = strchr(s, '@'), *slash, *colon, *problem = NULL;
	char *norm;
	int rc;

	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p))
			return fail(why, "an image reference without spaces");
	if (!*s)
		return fail(why, "an image reference such as registry.example.com/repo:1.2.3");
	if (at && !image_digest_ok(at + 1))
		return fail(why, "an image reference whose digest is sha256:<64 hex digits> (or sha384:<96>, "
			    "sha512:<128>), lower-case, as container runtimes accept");
	slash = strrchr(s, '/');
	colon = strchr(slash ? slash + 1 : s, ':');
	if (!at && (!colon || !colon[1]))
		return fail(why, "an image reference with a pinned tag or digest (repo:1.2.3 or repo@sha256:...)");
	if (!at && strcmp(colon + 1, "latest") == 0)
		return fail(why, "a pinned tag or digest, not latest");
	rc = image_read(s, &norm, &problem);
	free(norm);
	if (rc == 0)
		return 0;
	if (rc > 0)
		return fail(why, "an image reference: a lower-case repository path, a tag of at most 128 letters, digits, '_', '.' and '-', or a digest");
	snprintf(text, sizeof(text), "an image reference whose registry host (before the first '/') is " HOST_RULE
		 "; this one's host has %s", problem);
	return fail(why, text);
}

/* registry.storage.size, a PVC's storage request: Kubernetes wants it above 0 */
int
check_quantity(const char *s, const char **why)
{
	struct quantity q;

	if (quantity_parse(s, &q, why) != 0)
		return -1;
	if (q.neg || quantity_is_zero(&q))
		return fail(why, "greater than 0 (a PersistentVolumeClaim's storage request), such as 20Gi, 500Mi or 1Ti");
	return 0;
}

/* A Go duration (time.ParseDuration) without sign, in nanoseconds: 0, or -1
 * when it is not one or exceeds 2^63-1 ns (about 2562047h). */
int
duration_ns(const char *s, uint64_t *ns)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "h", 3600000000000ULL }, { "m", 60000000000ULL },
		{ "s", 1000000000ULL },
	};
	const char *p = s;
	uint64_t total = 0;

	if (!*p)
		return -1;
	while (*p) {
		uint64_t v = 0, f = 0, scale = 1, unit = 0;
		const char *start = p;
		size_t i;

		for (; isdigit((unsigned char)*p); p++)
			if ((v = v * 10 + (uint64_t)(*p - '0')) > INT64_MAX)
				return -1;
		if (*p == '.')
			for (p++; isdigit((unsigned char)*p); p++)
				if (scale < 1000000000000000000ULL)
					f = f * 10 + (uint64_t)(*p - '0'), scale *= 10;
		if (p == start || (p == start + 1 && *start == '.'))
			return -1;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strncmp(p, units[i].name, strlen(units[i].name)))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		unit = units[i].ns;
		p += strlen(units[i].name);
		if (v > (uint64_t)INT64_MAX / unit)
			return -1;
		v = v * unit + (uint64_t)((long double)f * unit / scale);
		if (v > (uint64_t)INT64_MAX - total)
			return -1;
		total += v;
	}
	*ns = total;
	return 0;
}

int
check_duration(const char *s, const char **why)
{
	uint64_t ns;

	if (duration_ns(s, &ns) == 0 && ns > 0)
		return 0;
	return fail(why, "a positive duration such as 2m, 720h or 1h30m (units h, m, s, ms, us, ns; at most 2562047h, "
		    "Go's limit)");
}

int
check_rfc3339(const char *s, const char **why)
{
	time_t t;

	if (!*s || time_parse_rfc3339(s, &t) == 0)
		return 0;	/* empty: unset; generate mode checks that it is given */
	return fail(why, "an RFC 3339 time in whole seconds such as 2026-01-01T00:00:00Z or 2026-01-01T01:00:00+01:00, "
		    "a real date and time of day between the years 0001 and 9999");
}

int
check_cidr(const char *s, const char **why)
{
	struct cidr c;

	if (cidr_parse(s, &c) != 0)
		return fail(why, "an IPv4 or IPv6 CIDR such as 10.96.0.0/12 or fd00:10:96::/108");
	return 0;
}

int
check_ip_or_empty(const char *s, const char **why)
{
	struct ipaddr ip;

	if (*s && ip_parse(s, &ip) != 0)
		return fail(why, "an IPv4 or IPv6 address inside serviceCIDR, or empty");
	return 0;
}

/* Absolute, without "..", in characters that need no quoting in TOML and sh. */
int
check_abs_path(const char *s, const char **why)
{
	size_t n = strlen(s);

	if (s[0] != '/' || strstr(s, "/../") || (n >= 3 && !strcmp(s + n - 3, "/..")))
		goto bad;
	for (const char *p = s; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("/._+@-", *p)))
			goto bad;
	return 0;
bad:
	return fail(why, "an absolute path of letters, digits and / . _ + @ -, such as /etc/containerd/certs.d");
}

/* A registry host as image references spell it (host.h's rule); a name
 * without '.' or ':' other than localhost is read by container runtimes as a
 * Docker Hub path ("myreg/app" is docker.io/myreg/app), never as a host. The
 * text names the problem: it is used at once, before the next check. */
int
check_host(const char *s, const char **why)
{
	static char text[640];
	const char *problem;

	if (host_check(s, strlen(s), &problem) == 0) {
		if (strchr(s, '.') || strchr(s, ':') || !strcmp(s, "localhost"))
			return 0;
		problem = "neither a '.' nor a :port, so image references cannot name it (myreg/app is docker.io/myreg/app)";
	}
	snprintf(text, sizeof(text),
		 "a registry host such as docker.io, quay.io or registry.example.com:5000; this one has %s. A registry host is "
		 HOST_RULE, problem);
	return fail(why, text);
}

/* cache.credentials: UPSTREAM=SECRET (whether UPSTREAM is mirrored is
 * checked when the upstreams are known: inject/upstreams.c) */
int
check_cache_credential(const char *s, const char **why)
{
	static char text[160];
	const char *eq = strchr(s, '=');
	char *host;
	int bad;

	if (!eq || check_dns_subdomain(eq + 1, why) != 0)
		goto bad;
	host = xstrndup(s, (size_t)(eq - s));
	bad = check_host(host, why);
	free(host);
	if (!bad)
		return 0;
bad:
	snprintf(text, sizeof(text), "UPSTREAM=SECRET: a mirrored registry host (docker.io) and the name of a "
		 "kubernetes.io/basic-auth Secret");
	return fail(why, text);
}

/* sync.preload: a pinned image reference (the registry's own names are
 * refused when the objects are made: inject/syncconfig.c) */
int
check_preload(const char *s, const char **why)
{
	return check_image(s, why);
}

/* A name Kubernetes checks as a DNS subdomain (IsDNS1123Subdomain: no limit
 * per label), or empty: storageClassName, priorityClassName. */
int
check_k8s_name_or_empty(const char *s, const char **why)
{
	if (!*s || kv_dns_subdomain(s, why) == 0)
		return 0;
	return fail(why, "empty, or a Kubernetes object name: lower-case letters, digits, '-' and '.', starting and "
		    "ending with a letter or digit, at most 253 characters");
}

/* An entry's normal form, when two spellings can mean one thing: an image
 * (nginx:1 is docker.io/library/nginx:1), a registry host (Docker.io,
 * index.docker.io are docker.io). NULL otherwise; the caller frees. */
static char *
normal_form(const struct field *f, const char *s)
{
	char *ref, *norm, *host;

	if (f->check == check_preload)
		return image_normalize(s);
	if (f->check != check_host)
		return NULL;
	ref = xasprintf("%s/x:1", s);
	norm = image_normalize(ref);
	host = norm ? image_host(norm) : NULL;
	free(ref);
	free(norm);
	return host;
}

struct entry {
	char *norm;
	size_t i;
};

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->norm, y->norm);

	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/* Two entries with one normal form: the later one's index, or n. */
static size_t
same_normal_form(const struct field *f, char *const *v, size_t n, size_t *first, char **norm)
{
	struct entry *e = xcalloc(n + 1, sizeof(*e));
	size_t m = 0, bad = n;

	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], "auto") && (e[m].norm = normal_form(f, v[i])) != NULL)
			e[m].i = i, m++;
	qsort(e, m, sizeof(*e), entry_cmp);
	for (size_t j = 1; j < m; j++)
		if (!strcmp(e[j].norm, e[j - 1].norm) && (bad == n || e[j].i < bad)) {
			bad = e[j].i;
			*first = e[j - 1].i;
			free(*norm);
			*norm = xstrdup(e[j].norm);
		}
	for (size_t j = 0; j < m; j++)
		free(e[j].norm);
	free(e);
	return bad;
}

int
field_list_check(const struct field *f, char *const *v, size_t n, size_t *bad, const char **why)
{
	static char text[1024];
	size_t first = 0;
	char *norm = NULL;

	*bad = n;
	if (!strcmp(f->path, "registry.storage.accessModes") && n == 0)
		return fail(why, "at least one access mode (a PersistentVolumeClaim needs one)");
	if (!strcmp(f->path, "nodeTrust.runtimes") && n == 0)
		return fail(why, "at least one runtime (to configure none, leave nodeTrust out of components)");
	for (size_t i = 0; i < n; i++) {
		*bad = i;
		if (!strcmp(v[i], "ReadWriteOncePod") && n > 1 && !strcmp(f->path, "registry.storage.accessModes"))
			return fail(why, "alone: Kubernetes refuses ReadWriteOncePod beside other access modes");
		if (!strcmp(v[i], "all") && n > 1 && f->allowed && !strcmp(f->allowed, "all"))
			return fail(why, "alone: all takes every platform, so the others would do nothing");
	}
	*bad = same_normal_form(f, v, n, &first, &norm);
	if (*bad == n)
		return 0;
	snprintf(text, sizeof(text), "given once: it names the same %s as entry \"%.200s\" (both are %.300s)",
		 f->check == check_host ? "registry" : "image", v[first], norm);
	free(norm);
	return fail(why, text);
}

int
check_nonempty(const char *s, const char **why)
{
	return *s ? 0 : fail(why, "a non-empty string");
}

/* Any text: a file name this program reads. The check marks the field as
 * one (field_is_file()): a config file's relative value is read from its
 * directory, --print-config prints it absolute. */
int
check_file_path(const char *s, const char **why)
{
	(void)s;
	(void)why;
	return 0;
}

int
field_is_file(const struct field *f)
{
	return f->check == check_file_path;
}
