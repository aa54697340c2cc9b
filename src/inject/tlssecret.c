/* inject/tlssecret.c - tls.mode generate: no cert-manager in the cluster.
 * The server certificate is signed in-process by the user's CA (x509.c) and
 * the output carries it as the kubernetes.io/tls Secret tls.secretName, with
 * ca.crt. Everything is derived from the CA key, the SANs, tls.notBefore and
 * tls.duration, so the bytes are the same on every render (GitOps).
 * Annotations carry both certificates' notAfter (RFC 3339), which
 * `kubectl registry-addon status` reads: kubectl alone cannot parse X.509. */
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../crypto.h"
#include "../inject.h"
#include "../util.h"
#include "../x509.h"
#include "../ytree.h"

/* the notAfter of the server certificate in tls.crt, and of the CA in ca.crt */
#define NOT_AFTER_ANNOTATION "registry-addon.dev/not-after"
#define CA_NOT_AFTER_ANNOTATION "registry-addon.dev/ca-not-after"

static void
put(struct inject *in, struct ynode *data, const char *key, const char *pem)
{
	char *b64 = base64(pem, strlen(pem));

	ymap_str(in->a, data, key, b64);
	free(b64);
}

int
inject_tls_secret(struct inject *in)
{
	const struct config *c = in->cfg;
	struct x509_request req = { 0 };
	struct x509_result res = { 0 };
	struct ynode *secret, *meta, *data;
	struct sans s;

	if (strcmp(c->tls.mode, "generate") != 0)
		return 0;
	inject_sans(in, &s);
	req.ca_cert_file = c->tls.ca_cert_file;
	req.ca_key_file = c->tls.ca_key_file;
	req.not_before = c->tls.not_before;
	req.duration = c->tls.duration;
	/* registry.<ns>.svc.<domain>, unless over X.509's 64 characters */
	req.common_name = strlen(s.dns[3]) <= 64 ? s.dns[3] : NULL;
	req.dns = s.dns;
	req.ndns = s.ndns;
	req.ips = s.ips;
	req.nips = s.nips;
	if (x509_issue(&req, &res) != 0)
		return -1;
	secret = inject_object(in, "v1", "Secret", c->namespace, c->tls.secret_name, "certificates");
	meta = ymap_map(in->a, secret, "metadata");
	ymap_str(in->a, ymap_map(in->a, meta, "annotations"), NOT_AFTER_ANNOTATION, res.not_after);
	ymap_str(in->a, ymap_map(in->a, meta, "annotations"), CA_NOT_AFTER_ANNOTATION, res.ca_not_after);
	ymap_str(in->a, secret, "type", "kubernetes.io/tls");
	data = ymap_map(in->a, secret, "data");
	put(in, data, "tls.crt", res.cert_pem);
	put(in, data, "tls.key", res.key_pem);
	put(in, data, "ca.crt", res.ca_pem);
	x509_result_free(&res);
	return 0;
}
