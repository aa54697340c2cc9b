/* cfgfinish.c - checks across fields and derived values, once every source
 * of configuration has been applied. */
#include <string.h>

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
	{ "localRegistryHosting", C_LOCALREGISTRYHOSTING },
};

static int
finish_cluster_ip(struct config *c)
{
	struct where w = { .field = "spec.registry.service.clusterIP" };
	struct cidr cidr;
	struct ipaddr ip;
	char text[64];

	cidr_parse(c->registry.service.service_cidr, &cidr);	/* checked when set */
	if (!*c->registry.service.cluster_ip) {
		if (cidr_nth(&cidr, 20, &ip) != 0) {
			w.field = "spec.registry.service.serviceCIDR";
			diag_error(&w, "invalid value \"%s\": the range is too small to hold its 20th address, "
				   "the default ClusterIP; set registry.service.clusterIP", c->registry.service.service_cidr);
			return -1;
		}
	} else {
		ip_parse(c->registry.service.cluster_ip, &ip);
		if (!cidr_contains(&cidr, &ip)) {
			diag_error(&w, "invalid value \"%s\": must be inside registry.service.serviceCIDR (%s)",
				   c->registry.service.cluster_ip, c->registry.service.service_cidr);
			return -1;
		}
	}
	ip_format(&ip, text);
	c->registry.service.cluster_ip = arena_strdup(c->arena, text);
	return 0;
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
			struct where w = { .field = field };

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
	struct where w = { .field = "spec.nodeTrust.namespace" };

	if (!config_has(c, C_NODETRUST))
		return 0;
	if (!strcmp(c->node_trust.namespace, c->namespace)) {
		diag_error(&w, "invalid value \"%s\": must differ from namespace, which enforces Pod Security "
			   "restricted; the node DaemonSet mounts host directories", c->node_trust.namespace);
		return -1;
	}
	if (c->state == MS_MANAGED && !strcmp(c->tls.mode, "secret") && !*c->tls.ca_cert_file) {
		w.field = "spec.tls.caCertFile";
		diag_error(&w, "required when tls.mode is secret and nodeTrust is on: the nodes' DaemonSet (namespace "
			   "%s) cannot read Secret %s/%s; give the CA certificate (public) as a PEM file, or leave "
			   "nodeTrust out of spec.components", c->node_trust.namespace, c->namespace,
			   c->tls.secret_name);
		return -1;
	}
	if (c->state == MS_MANAGED && !strcmp(c->tls.mode, "cert-manager") &&
	    (!strcmp(c->tls.key_algorithm, "Ed25519") ||
	     (!strcmp(c->tls.key_algorithm, "ECDSA") && c->tls.key_size > 256))) {
		w.field = !strcmp(c->tls.key_algorithm, "Ed25519") ? "spec.tls.keyAlgorithm" : "spec.tls.keySize";
		diag_error(&w, "invalid value %s %ld with nodeTrust on: the nodes' health probe (busybox 1.37's TLS) "
			   "takes RSA and ECDSA P-256 server keys only, so the mirrors would never switch on; use "
			   "ECDSA with keySize 0 or 256, or RSA", c->tls.key_algorithm, c->tls.key_size);
		return -1;
	}
	if (c->state == MS_MANAGED && !strcmp(c->tls.mode, "cert-manager") && !config_has(c, C_CERTIFICATES)) {
		w.field = "spec.components";
		diag_error(&w, "nodeTrust with tls.mode cert-manager needs the certificates component: it issues the "
			   "copy of the CA the node DaemonSet reads in namespace %s", c->node_trust.namespace);
		return -1;
	}
	return 0;
}

/* cert-manager accepts these sizes only (ECDSA curves, RSA bits). */
static int
finish_key_size(struct config *c)
{
	long n = c->tls.key_size;
	struct where w = { .field = "spec.tls.keySize" };
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

/* name (a registry name built from field's value) must be a registry host:
 * the nodes write a directory named after it. */
static int
name_fits(const char *field, const char *what, const char *value, const char *name)
{
	struct where w = { .field = field };
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
	rc |= name_fits("spec.clusterDomain", "value", c->cluster_domain, name);
	snprintf(name, sizeof(name), "%s-%ld.%s.%s.svc.%s:%d", REGISTRY_SERVICE, c->registry.replicas - 1,
		 REGISTRY_HEADLESS, c->namespace, c->cluster_domain, REGISTRY_PORT);
	rc |= rc ? 0 : name_fits("spec.clusterDomain", "value", c->cluster_domain, name);
	for (size_t i = 0; i < c->registry.hostnames.n; i++) {
		snprintf(name, sizeof(name), "%s%s", c->registry.hostnames.v[i], port);
		rc |= name_fits("spec.registry.hostnames", "list entry", c->registry.hostnames.v[i], name);
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
	rc |= finish_cluster_ip(c);
	rc |= finish_tls(c);
	rc |= finish_key_size(c);
	rc |= finish_node_trust(c);
	rc |= finish_names(c);
	return rc ? -1 : 0;
}

bool
config_has(const struct config *c, unsigned components)
{
	return (c->components_mask & components) != 0;
}

