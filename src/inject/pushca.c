/* inject/pushca.c - the CA that pods pushing own images must trust, in each
 * of registry.push.caNamespaces: ConfigMap "registry-ca" (key ca.crt) in
 * secret and generate modes, where the CA certificate is at hand. In
 * cert-manager mode inject/certificates.c issues Certificate "registry-ca"
 * there instead, whose Secret carries ca.crt. */
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../diag.h"
#include "../inject.h"
#include "../x509.h"
#include "../ytree.h"

int
inject_push_ca(struct inject *in)
{
	const struct config *c = in->cfg;
	const struct strlist *ns = &c->registry.push.ca_namespaces;
	char *pem;

	if (!ns->n || !strcmp(c->tls.mode, "cert-manager"))
		return 0;
	if (!*c->tls.ca_cert_file) {
		struct where w = { .field = "spec.tls.caCertFile" };

		diag_error(&w, "required when registry.push.caNamespaces is set and tls.mode is secret: the CA "
			   "certificate (public, a PEM file) that goes into ConfigMap %s in each of those namespaces",
			   PUSH_CA);
		return -1;
	}
	if (x509_ca_pem(c->tls.ca_cert_file, &pem) != 0)
		return -1;
	for (size_t i = 0; i < ns->n; i++) {
		struct ynode *cm;

		if (config_has(c, C_NODETRUST) && !strcmp(ns->v[i], c->node_trust.namespace))
			continue;	/* inject/nodeconfig.c's ConfigMap registry-ca is this one */
		cm = inject_object(in, "v1", "ConfigMap", ns->v[i], PUSH_CA, "push");
		ymap_str(in->a, ymap_map(in->a, cm, "data"), "ca.crt", pem);
	}
	free(pem);
	return 0;
}
