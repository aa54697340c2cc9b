/* inject/certificates.c - tls.mode cert-manager: a self-signed Issuer makes
 * the root CA Certificate (isCA, tls.caDuration), a CA Issuer signs the
 * server Certificate (tls.duration, tls.renewBefore, server auth) into the
 * Secret tls.secretName with tls.crt, tls.key and ca.crt. In secret mode the
 * user's Secret is used as it is and nothing is generated here. */
#include <string.h>

#include "../config.h"
#include "../inject.h"
#include "../ytree.h"

#define CM_API "cert-manager.io/v1"
#define SELFSIGNED_ISSUER "registry-selfsigned"
#define CA_ISSUER "registry-ca"
#define ROOT_CA "registry-root-ca"

static struct ynode *
issuer(struct inject *in, const char *name)
{
	return ymap_map(in->a, inject_object(in, CM_API, "Issuer", in->cfg->namespace, name, "certificates"), "spec");
}

static struct ynode *
certificate(struct inject *in, const char *name, const char *secret, const char *by)
{
	struct arena *a = in->a;
	struct ynode *spec = ymap_map(a, inject_object(in, CM_API, "Certificate", in->cfg->namespace, name,
						       "certificates"), "spec");
	struct ynode *ref, *key;

	ymap_str(a, spec, "secretName", secret);
	ref = ymap_map(a, spec, "issuerRef");
	ymap_str(a, ref, "name", by);
	ymap_str(a, ref, "kind", "Issuer");
	ymap_str(a, ref, "group", "cert-manager.io");
	key = ymap_map(a, spec, "privateKey");
	ymap_str(a, key, "algorithm", in->cfg->tls.key_algorithm);
	if (in->cfg->tls.key_size)
		ymap_int(a, key, "size", in->cfg->tls.key_size);
	ymap_str(a, key, "rotationPolicy", "Always");
	return spec;
}

static void
server_certificate(struct inject *in)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;
	struct ynode *spec = certificate(in, c->tls.secret_name, c->tls.secret_name, CA_ISSUER), *list;
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

int
inject_certificates(struct inject *in)
{
	const struct config *c = in->cfg;
	struct ynode *spec;

	if (strcmp(c->tls.mode, "cert-manager") != 0)
		return 0;
	ymap_map(in->a, issuer(in, SELFSIGNED_ISSUER), "selfSigned");
	spec = certificate(in, ROOT_CA, ROOT_CA, SELFSIGNED_ISSUER);
	ymap_bool(in->a, spec, "isCA", true);
	ymap_str(in->a, spec, "commonName", "registry-addon root CA");
	ymap_str(in->a, spec, "duration", c->tls.ca_duration);
	ymap_str(in->a, ymap_map(in->a, issuer(in, CA_ISSUER), "ca"), "secretName", ROOT_CA);
	server_certificate(in);
	return 0;
}
