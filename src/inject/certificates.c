/* inject/certificates.c - tls.mode cert-manager: a self-signed issuer makes
 * the root CA Certificate (isCA, tls.caDuration), a CA issuer signs the
 * server Certificate (tls.duration, tls.renewBefore, server auth) into the
 * Secret tls.secretName with tls.crt, tls.key and ca.crt. In secret mode the
 * user's Secret is used as it is and nothing is generated here.
 *
 * The issuers are namespaced Issuers in the registry's namespace, unless the
 * node DaemonSet needs the CA in its own namespace: a Secret cannot be mounted
 * across namespaces, so the issuers become ClusterIssuers (whose CA Secret
 * lives in cert-manager's cluster resource namespace, tls.certManagerNamespace)
 * and a second Certificate, in the node namespace, carries the same ca.crt;
 * so does one in each of registry.push.caNamespaces, for pods that push. */
#include <string.h>

#include "../config.h"
#include "../inject.h"
#include "../ytree.h"

#define CM_API "cert-manager.io/v1"

struct chain {
	const char *kind;		/* Issuer or ClusterIssuer */
	const char *issuer_ns;		/* NULL for ClusterIssuers */
	const char *root_ns;		/* where the root CA Certificate and Secret live */
	const char *selfsigned, *ca, *root;
};

static void
chain_of(const struct inject *in, struct chain *ch)
{
	const struct config *c = in->cfg;

	if (config_has(c, C_NODETRUST) || c->registry.push.ca_namespaces.n) {
		*ch = (struct chain){ "ClusterIssuer", NULL, c->tls.cert_manager_namespace,
				      "registry-addon-selfsigned", "registry-addon-ca", "registry-addon-root-ca" };
	} else {
		*ch = (struct chain){ "Issuer", c->namespace, c->namespace,
				      "registry-selfsigned", "registry-ca", "registry-root-ca" };
	}
}

static struct ynode *
issuer(struct inject *in, const struct chain *ch, const char *name)
{
	return ymap_map(in->a, inject_object(in, CM_API, ch->kind, ch->issuer_ns, name, "certificates"), "spec");
}

static struct ynode *
certificate(struct inject *in, const struct chain *ch, const char *ns, const char *name, const char *by)
{
	struct arena *a = in->a;
	struct ynode *spec = ymap_map(a, inject_object(in, CM_API, "Certificate", ns, name, "certificates"), "spec");
	struct ynode *ref, *key;

	ymap_str(a, spec, "secretName", name);
	ref = ymap_map(a, spec, "issuerRef");
	ymap_str(a, ref, "name", by);
	ymap_str(a, ref, "kind", ch->kind);
	ymap_str(a, ref, "group", "cert-manager.io");
	key = ymap_map(a, spec, "privateKey");
	ymap_str(a, key, "algorithm", in->cfg->tls.key_algorithm);
	if (in->cfg->tls.key_size)
		ymap_int(a, key, "size", in->cfg->tls.key_size);
	ymap_str(a, key, "rotationPolicy", "Always");
	return spec;
}

static void
server_certificate(struct inject *in, const struct chain *ch)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;
	struct ynode *spec = certificate(in, ch, c->namespace, c->tls.secret_name, ch->ca), *list;
	struct sans s;

	inject_sans(in, &s);
	if (strlen(s.dns[3]) <= 64)	/* X.509 caps a CN at 64 characters */
		ymap_str(a, spec, "commonName", s.dns[3]);	/* registry.<ns>.svc.<domain> */
	ymap_str(a, spec, "duration", c->tls.duration);
	ymap_str(a, spec, "renewBefore", c->tls.renew_before);
	list = ymap_seq(a, spec, "dnsNames");
	for (size_t i = 0; i < s.ndns; i++)
		yseq_add(list, ynode_str(a, s.dns[i]));
	list = ymap_seq(a, spec, "ipAddresses");
	for (size_t i = 0; i < s.nips; i++)
		yseq_add(list, ynode_str(a, s.ips[i]));
	list = ymap_seq(a, spec, "usages");
	yseq_add(list, ynode_str(a, "server auth"));
	yseq_add(list, ynode_str(a, "digital signature"));
	if (!strcmp(c->tls.key_algorithm, "RSA"))
		yseq_add(list, ynode_str(a, "key encipherment"));
}

/* Only its ca.crt is used (the node DaemonSet mounts that key alone); the
 * certificate itself is a client certificate nothing accepts. */
static void
node_ca_certificate(struct inject *in, const struct chain *ch)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;
	struct ynode *spec = certificate(in, ch, c->node_trust.namespace, NODE_CA, ch->ca);

	ymap_str(a, spec, "commonName", "registry-addon node trust");
	ymap_str(a, spec, "duration", c->tls.duration);
	ymap_str(a, spec, "renewBefore", c->tls.renew_before);
	yseq_add(ymap_seq(a, spec, "usages"), ynode_str(a, "client auth"));
}

/* As the node's: only ca.crt is used, by pods that push to the registry. */
static void
push_ca_certificates(struct inject *in, const struct chain *ch)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;

	for (size_t i = 0; i < c->registry.push.ca_namespaces.n; i++) {
		struct ynode *spec = certificate(in, ch, c->registry.push.ca_namespaces.v[i], PUSH_CA, ch->ca);

		ymap_str(a, spec, "commonName", "registry-addon push trust");
		ymap_str(a, spec, "duration", c->tls.duration);
		ymap_str(a, spec, "renewBefore", c->tls.renew_before);
		yseq_add(ymap_seq(a, spec, "usages"), ynode_str(a, "client auth"));
	}
}

int
inject_certificates(struct inject *in)
{
	const struct config *c = in->cfg;
	struct ynode *spec;
	struct chain ch;

	if (strcmp(c->tls.mode, "cert-manager") != 0)
		return 0;
	chain_of(in, &ch);
	ymap_map(in->a, issuer(in, &ch, ch.selfsigned), "selfSigned");
	spec = certificate(in, &ch, ch.root_ns, ch.root, ch.selfsigned);
	ymap_bool(in->a, spec, "isCA", true);
	ymap_str(in->a, spec, "commonName", "registry-addon root CA");
	ymap_str(in->a, spec, "duration", c->tls.ca_duration);
	ymap_str(in->a, ymap_map(in->a, issuer(in, &ch, ch.ca), "ca"), "secretName", ch.root);
	server_certificate(in, &ch);
	if (config_has(c, C_NODETRUST))
		node_ca_certificate(in, &ch);
	push_ca_certificates(in, &ch);
	return 0;
}
