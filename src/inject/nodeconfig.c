/* inject/nodeconfig.c - what the node DaemonSet runs (DESIGN.md §5), in
 * nodeTrust.namespace: ConfigMap "registry-node-trust" with node-trust.sh
 * (src/node/node-trust.sh, embedded at build time) and "config", the sh
 * assignments it sources: the registry's host, URL and names, the mirrored
 * upstreams (host, real endpoint, path in the mirror), the runtimes and the
 * node paths; MODE=remove under managementState Removed. In secret and
 * generate modes also ConfigMap "registry-ca" with the CA certificate (public;
 * cert-manager mode issues it as Secret "registry-node-ca" instead). */
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../diag.h"
#include "../images.h"
#include "../inject.h"
#include "../util.h"
#include "../x509.h"
#include "../ytree.h"
#include "nodescript.h"		/* node_trust_sh[]: generated from src/node/node-trust.sh */

/* KEY='value' with any ' in value quoted for sh. */
static void
assign(struct buf *b, const char *key, const char *value)
{
	buf_addf(b, "%s='", key);
	for (const char *p = value; *p; p++)
		if (*p == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *p);
	buf_adds(b, "'\n");
}

/* The registry's own names, as pods write them in image references. */
static void
own_names(struct inject *in, struct buf *out)
{
	const struct config *c = in->cfg;
	struct sans s;
	char port[16] = "";

	if (c->registry.service.port != 443)
		snprintf(port, sizeof(port), ":%ld", c->registry.service.port);
	inject_sans(in, &s);
	for (size_t i = 0; i < 4; i++)		/* the Service's four DNS forms */
		buf_addf(out, "%s%s%s", out->len ? " " : "", s.dns[i], port);
	for (size_t i = 0; i < c->registry.hostnames.n; i++)
		buf_addf(out, " %s%s", c->registry.hostnames.v[i], port);
}

/* An explicit nodeTrust.mirrors entry is an upstream: one that names the
 * registry itself (any of its names or its ClusterIP, on any port) or a
 * loopback host is refused (auto leaves such images out silently). */
static int
check_mirrors(struct inject *in)
{
	const struct strlist *m = &in->cfg->node_trust.mirrors;
	struct where w = { .field = "spec.nodeTrust.mirrors" };
	int rc = 0;

	for (size_t i = 0; i < m->n; i++) {
		char *ref = strcmp(m->v[i], "auto") ? inject_host_ref(m->v[i]) : NULL;

		if (ref && inject_own_host(in, ref)) {
			diag_error(&w, "invalid list entry \"%s\": %s", m->v[i], inject_own_why(ref));
			rc = -1;
		}
		free(ref);
	}
	return rc;
}

/* "host,endpoint,path,cache" for each upstream, cache being HOST:PORT of its
 * cache instance on the mirror Service, or empty. */
static int
mirrors(struct inject *in, struct buf *out)
{
	const struct upstream *u;
	size_t n;

	if (inject_upstreams(in, &u, &n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char *cache = u[i].cache_port ? inject_ip_host(in->cfg->registry.service.mirror_cluster_ip,
							      u[i].cache_port) : NULL;

		buf_addf(out, "%s%s,%s,%s,%s", i ? " " : "", u[i].host, u[i].endpoint, u[i].path, cache ? cache : "");
		free(cache);
	}
	return 0;
}

static void
runtimes(struct inject *in, struct buf *out)
{
	const struct strlist *r = &in->cfg->node_trust.runtimes;

	for (size_t i = 0; i < r->n; i++)
		buf_addf(out, "%s%s", i ? " " : "", r->v[i]);
}

/* MIRROR_URL (Service registry-mirror, 443) and OWN_COPIES_URL (its 5443) */
static void
mirror_urls(struct inject *in, struct buf *b)
{
	const char *ip = in->cfg->registry.service.mirror_cluster_ip;
	char *host = inject_ip_host(ip, 443), *url = xasprintf("https://%s", host);

	assign(b, "MIRROR_URL", url);
	free(url);
	free(host);
	host = inject_ip_host(ip, REGISTRY_OWN_PORT);
	url = xasprintf("https://%s", host);
	assign(b, "OWN_COPIES_URL", url);
	free(url);
	free(host);
}

static int
config_text(struct inject *in, struct buf *b)
{
	const struct config *c = in->cfg;
	struct buf v = BUF_INIT;
	char *host = inject_cluster_host(in), *url = xasprintf("https://%s", host);
	int rc = 0;

	buf_adds(b, "# registry-addon node trust: sourced by node-trust.sh (generated; edit the add-on's config)\n");
	assign(b, "MODE", c->state == MS_REMOVED ? "remove" : "install");
	assign(b, "REGISTRY_HOST", host);
	assign(b, "REGISTRY_URL", url);
	mirror_urls(in, b);
	own_names(in, &v);
	assign(b, "REGISTRY_NAMES", buf_cstr(&v));
	v.len = 0;
	if (c->state == MS_MANAGED && mirrors(in, &v) != 0)
		rc = -1;
	assign(b, "MIRRORS", buf_cstr(&v));
	v.len = 0;
	runtimes(in, &v);
	assign(b, "RUNTIMES", buf_cstr(&v));
	assign(b, "CONFIGURE_CONTAINERD", c->node_trust.configure_containerd);
	assign(b, "CONTAINERD_CERTS_D", c->node_trust.containerd_config_path);
	assign(b, "CONTAINERD_CONFIG", c->node_trust.containerd_config_file);
	assign(b, "CA_FILE", NODE_CA_DIR "/ca.crt");
	assign(b, "STATE_DIR", NODE_STATE_DIR);
	buf_free(&v);
	free(url);
	free(host);
	return rc;
}

static int
ca_configmap(struct inject *in)
{
	const struct config *c = in->cfg;
	struct ynode *cm;
	char *pem;

	if (c->state != MS_MANAGED || !strcmp(c->tls.mode, "cert-manager"))
		return 0;
	if (x509_ca_pem(c->tls.ca_cert_file, &pem) != 0)
		return -1;
	cm = inject_object(in, "v1", "ConfigMap", c->node_trust.namespace, NODE_CA_CONFIGMAP, "node-trust");
	ymap_str(in->a, ymap_map(in->a, cm, "data"), "ca.crt", pem);
	free(pem);
	return 0;
}

int
inject_node_config(struct inject *in)
{
	struct ynode *cm = inject_object(in, "v1", "ConfigMap", in->cfg->node_trust.namespace, NODE_TRUST,
					 "node-trust");
	struct ynode *data = ymap_map(in->a, cm, "data");
	struct buf text = BUF_INIT;

	if (in->cfg->state == MS_MANAGED && check_mirrors(in) != 0)
		return -1;
	if (config_text(in, &text) != 0) {
		buf_free(&text);
		return -1;
	}
	ymap_str(in->a, data, "config", buf_cstr(&text));
	ymap_str(in->a, data, "node-trust.sh", node_trust_sh);
	buf_free(&text);
	return ca_configmap(in);
}
