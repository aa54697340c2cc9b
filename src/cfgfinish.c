/* cfgfinish.c - checks across fields and derived values, once every source
 * of configuration has been applied. */
#include <stdint.h>
#include <string.h>

#include "cfgfields.h"
#include "config.h"
#include "diag.h"
#include "host.h"
#include "inject.h"
#include "net.h"
#include "util.h"

static const struct {
	const char *name;
	unsigned bit;
} component_names[] = {
	{ "registry", C_REGISTRY }, { "sync", C_SYNC }, { "certificates", C_CERTIFICATES },
	{ "nodeTrust", C_NODETRUST }, { "spread", C_SPREAD }, { "workloadSpread", C_WORKLOADSPREAD },
	{ "localRegistryHosting", C_LOCALREGISTRYHOSTING }, { "cache", C_CACHE },
};

/* A fixed ClusterIP: inside serviceCIDR and not an address Kubernetes
 * keeps for itself. */
static int
check_fixed_ip(const struct config *c, const char *field, const char *value, const struct cidr *cidr,
	       const char *cidr_text, struct ipaddr *ip)
{
	struct where w = cfg_at(c, field);
	const char *why;

	ip_parse(value, ip);	/* checked when set */
	if (!cidr_contains(cidr, ip)) {
		diag_error(&w, "invalid value \"%s\": must be inside registry.service.serviceCIDR (%s)", value,
			   cidr_text);
		return -1;
	}
	if ((why = cidr_reserved(cidr, ip)) != NULL) {
		diag_error(&w, "invalid value \"%s\": in registry.service.serviceCIDR (%s) this is %s, which "
			   "Kubernetes never gives a Service; choose another address in the range", value, cidr_text,
			   why);
		return -1;
	}
	return 0;
}

/* clusterIP (default: the 20th address of serviceCIDR) and mirrorClusterIP
 * (default: the next one), distinct. */
static int
finish_cluster_ip(struct config *c)
{
	struct where w = cfg_at(c, "spec.registry.service.serviceCIDR");
	const char *cidr_text = c->registry.service.service_cidr;
	struct cidr cidr;
	struct ipaddr ip, mip;
	char text[64];

	cidr_parse(cidr_text, &cidr);	/* checked when set */
	if (!*c->registry.service.cluster_ip) {
		if (cidr_nth(&cidr, 20, &ip) != 0) {
			diag_error(&w, "invalid value \"%s\": the range is too small to hold its 20th address, "
				   "the default ClusterIP; set registry.service.clusterIP", cidr_text);
			return -1;
		}
	} else if (check_fixed_ip(c, "spec.registry.service.clusterIP", c->registry.service.cluster_ip, &cidr,
				  cidr_text, &ip) != 0) {
		return -1;
	}
	ip_format(&ip, text);
	c->registry.service.cluster_ip = arena_strdup(c->arena, text);
	if (!*c->registry.service.mirror_cluster_ip) {
		if (ip_next(&cidr, &ip, &mip) != 0 || cidr_reserved(&cidr, &mip)) {
			w = cfg_at(c, "spec.registry.service.mirrorClusterIP");
			diag_error(&w, "required: the address after clusterIP (%s) is not one Kubernetes can give a "
				   "Service in %s; set a fixed ClusterIP for Service %s", text, cidr_text,
				   REGISTRY_MIRROR);
			return -1;
		}
	} else if (check_fixed_ip(c, "spec.registry.service.mirrorClusterIP", c->registry.service.mirror_cluster_ip,
				  &cidr, cidr_text, &mip) != 0) {
		return -1;
	}
	if (ip_equal(&ip, &mip)) {
		w = cfg_at(c, "spec.registry.service.mirrorClusterIP");
		diag_error(&w, "invalid value \"%s\": must differ from registry.service.clusterIP: Services %s and %s "
			   "each need their own address", c->registry.service.mirror_cluster_ip, REGISTRY_SERVICE,
			   REGISTRY_MIRROR);
		return -1;
	}
	ip_format(&mip, text);
	c->registry.service.mirror_cluster_ip = arena_strdup(c->arena, text);
	return 0;
}

/* Namespaces the add-on must not take: it emits (and under Removed deletes)
 * a Namespace object for each of its own, and tightens its Pod Security. */
static int
finish_namespaces(struct config *c)
{
	static const char *const system[] = { "default", "kube-system", "kube-public", "kube-node-lease" };
	const char *fields[] = { "spec.namespace", "spec.nodeTrust.namespace" };
	const char *values[] = { c->namespace, c->node_trust.namespace };
	int rc = 0;

	for (size_t i = 0; i < 2; i++)
		for (size_t j = 0; j < sizeof(system) / sizeof(system[0]); j++)
			if (!strcmp(values[i], system[j])) {
				struct where w = cfg_at(c, fields[i]);

				diag_error(&w, "invalid value \"%s\": a namespace of Kubernetes itself; the add-on "
					   "declares its namespaces as its own objects (labels, Pod Security, removal "
					   "with the add-on), so it needs namespaces of its own such as registry-system",
					   values[i]);
				rc = -1;
			}
	return rc;
}

static int
finish_tls(struct config *c)
{
	static const char *const need[] = { "caCertFile", "caKeyFile", "notBefore" };
	const char *have[] = { c->tls.ca_cert_file, c->tls.ca_key_file, c->tls.not_before };
	int rc = 0;

	if (strcmp(c->tls.mode, "generate") != 0)
		return 0;
	for (size_t i = 0; i < 3; i++)
		if (!*have[i]) {
			char field[64];
			struct where w = cfg_at(c, field);

			snprintf(field, sizeof(field), "spec.tls.%s", need[i]);
			diag_error(&w, "required when tls.mode is generate");
			rc = -1;
		}
	return rc;
}

/* The node DaemonSet mounts host directories, which Pod Security "restricted"
 * (the registry's namespace) forbids; it reads the CA in its own namespace. */
static int
finish_node_trust(struct config *c)
{
	struct where w = cfg_at(c, "spec.nodeTrust.namespace");

	if (!config_has(c, C_NODETRUST))
		return 0;
	if (!strcmp(c->node_trust.namespace, c->namespace)) {
		diag_error(&w, "invalid value \"%s\": must differ from namespace, which enforces Pod Security "
			   "restricted; the node DaemonSet mounts host directories", c->node_trust.namespace);
		return -1;
	}
	if (c->state == MS_MANAGED && !strcmp(c->tls.mode, "secret") && !*c->tls.ca_cert_file) {
		w = cfg_at(c, "spec.tls.caCertFile");
		diag_error(&w, "required when tls.mode is secret and nodeTrust is on: the nodes' DaemonSet (namespace "
			   "%s) cannot read Secret %s/%s; give the CA certificate (public) as a PEM file, or leave "
			   "nodeTrust out of spec.components", c->node_trust.namespace, c->namespace,
			   c->tls.secret_name);
		return -1;
	}
	if (c->state == MS_MANAGED && !strcmp(c->tls.mode, "cert-manager") &&
	    (!strcmp(c->tls.key_algorithm, "Ed25519") ||
	     (!strcmp(c->tls.key_algorithm, "ECDSA") && c->tls.key_size > 256))) {
		w = cfg_at(c, !strcmp(c->tls.key_algorithm, "Ed25519") ? "spec.tls.keyAlgorithm" : "spec.tls.keySize");
		diag_error(&w, "invalid value %s %ld with nodeTrust on: the nodes' health probe (busybox 1.37's TLS) "
			   "takes RSA and ECDSA P-256 server keys only, so the mirrors would never switch on; use "
			   "ECDSA with keySize 0 or 256, or RSA", c->tls.key_algorithm, c->tls.key_size);
		return -1;
	}
	if (c->state == MS_MANAGED && !strcmp(c->tls.mode, "cert-manager") && !config_has(c, C_CERTIFICATES)) {
		w = cfg_at(c, "spec.components");
		diag_error(&w, "nodeTrust with tls.mode cert-manager needs the certificates component: it issues the "
			   "copy of the CA the node DaemonSet reads in namespace %s", c->node_trust.namespace);
		return -1;
	}
	return 0;
}

/* The cache's instances run in the registry's pods. */
static int
finish_cache(const struct config *c)
{
	struct where w = cfg_at(c, "spec.components");

	if (c->state != MS_MANAGED || !config_has(c, C_CACHE) || config_has(c, C_REGISTRY))
		return 0;
	diag_error(&w, "the cache component runs in the registry's pods: add registry to spec.components, or leave "
		   "cache out");
	return -1;
}

/* cert-manager accepts these sizes only (ECDSA curves, RSA bits). */
static int
finish_key_size(struct config *c)
{
	long n = c->tls.key_size;
	struct where w = cfg_at(c, "spec.tls.keySize");
	const char *alg = c->tls.key_algorithm;

	if (n == 0 || (!strcmp(alg, "ECDSA") && (n == 256 || n == 384 || n == 521)) ||
	    (!strcmp(alg, "RSA") && n >= 2048 && n <= 8192))
		return 0;
	if (!strcmp(alg, "Ed25519"))
		diag_error(&w, "invalid value %ld: Ed25519 keys have no size; leave it 0", n);
	else if (!strcmp(alg, "ECDSA"))
		diag_error(&w, "invalid value %ld: ECDSA keys are 256, 384 or 521 bits (0: 256)", n);
	else
		diag_error(&w, "invalid value %ld: RSA keys are 2048 to 8192 bits (0: 2048)", n);
	return -1;
}

/* cert-manager's webhook refuses a Certificate whose duration is under 1h,
 * whose renewBefore is under 5m, or not below its duration (ValidateDuration). */
static int
finish_durations(struct config *c)
{
	const uint64_t hour = 3600000000000ULL, five_min = 300000000000ULL;
	const char *const fields[] = { "spec.tls.caDuration", "spec.tls.duration" };
	const char *const values[] = { c->tls.ca_duration, c->tls.duration };
	uint64_t ns[2], renew;
	struct where w = cfg_at(c, "spec.tls.renewBefore");
	int rc = 0;

	if (c->state != MS_MANAGED || strcmp(c->tls.mode, "cert-manager") || !config_has(c, C_CERTIFICATES))
		return 0;
	for (size_t i = 0; i < 2; i++) {
		struct where d = cfg_at(c, fields[i]);

		duration_ns(values[i], &ns[i]);		/* checked when set */
		if (ns[i] < hour) {
			diag_error(&d, "invalid value \"%s\": must be at least 1h: cert-manager refuses shorter "
				   "certificates (tls.mode cert-manager)", values[i]);
			rc = -1;
		}
	}
	duration_ns(c->tls.renew_before, &renew);
	if (renew < five_min) {
		diag_error(&w, "invalid value \"%s\": must be at least 5m: cert-manager refuses a shorter renewBefore",
			   c->tls.renew_before);
		rc = -1;
	} else if (renew >= ns[1]) {
		diag_error(&w, "invalid value \"%s\": must be shorter than tls.duration (%s): cert-manager renews a "
			   "certificate renewBefore ahead of its end", c->tls.renew_before, c->tls.duration);
		rc = -1;
	}
	return rc;
}

/* name (a registry name built from field's value) must be a registry host:
 * the nodes write a directory named after it. */
static int
name_fits(const struct config *c, const char *field, const char *what, const char *value, const char *name)
{
	struct where w = cfg_at(c, field);
	const char *why;

	if (host_check(name, strlen(name), &why) == 0)
		return 0;
	diag_error(&w, "invalid %s \"%s\": the registry's name \"%s\" would have %s; a registry host is " HOST_RULE,
		   what, value, name, why);
	return -1;
}

/* The longest names the nodes and regsync see: the Service's FQDN and
 * registry.hostnames with the Service port (the node script's
 * REGISTRY_NAMES), the last replica's FQDN with 5000 (regsync's CA path). */
static int
finish_names(struct config *c)
{
	char port[16] = "", name[1024];
	int rc = 0;

	if (c->registry.service.port != 443)
		snprintf(port, sizeof(port), ":%ld", c->registry.service.port);
	snprintf(name, sizeof(name), "%s.%s.svc.%s%s", REGISTRY_SERVICE, c->namespace, c->cluster_domain, port);
	rc |= name_fits(c, "spec.clusterDomain", "value", c->cluster_domain, name);
	snprintf(name, sizeof(name), "%s-%ld.%s.%s.svc.%s:%d", REGISTRY_SERVICE, c->registry.replicas - 1,
		 REGISTRY_HEADLESS, c->namespace, c->cluster_domain, REGISTRY_PORT);
	rc |= rc ? 0 : name_fits(c, "spec.clusterDomain", "value", c->cluster_domain, name);
	for (size_t i = 0; i < c->registry.hostnames.n; i++) {
		snprintf(name, sizeof(name), "%s%s", c->registry.hostnames.v[i], port);
		rc |= name_fits(c, "spec.registry.hostnames", "list entry", c->registry.hostnames.v[i], name);
	}
	return rc ? -1 : 0;
}

int
config_finish(struct config *c)
{
	int rc = 0;

	c->state = !strcmp(c->management_state, "Managed") ? MS_MANAGED :
		   !strcmp(c->management_state, "Unmanaged") ? MS_UNMANAGED : MS_REMOVED;
	c->components_mask = 0;
	for (size_t i = 0; i < c->components.n; i++)
		for (size_t j = 0; j < sizeof(component_names) / sizeof(component_names[0]); j++)
			if (!strcmp(c->components.v[i], component_names[j].name))
				c->components_mask |= component_names[j].bit;
	rc |= finish_namespaces(c);
	rc |= finish_cluster_ip(c);
	rc |= finish_tls(c);
	rc |= finish_key_size(c);
	rc |= finish_durations(c);
	rc |= finish_node_trust(c);
	rc |= finish_cache(c);
	rc |= finish_names(c);
	return rc ? -1 : 0;
}

bool
config_has(const struct config *c, unsigned components)
{
	return (c->components_mask & components) != 0;
}

