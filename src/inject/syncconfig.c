/* inject/syncconfig.c - ConfigMap "registry-sync": sync.sh (the "sync"
 * container's entrypoint, src/pod/sync.sh embedded at build time), regsync's
 * two configurations and tls-hosts (DESIGN.md section 7):
 *
 *   writer.yml   ordinal 0: the preload, each image from its upstream into
 *                127.0.0.1:5010/<upstream-host>/<repo> (the mirror writer),
 *                sync.platforms only, within the upstream's rate limit
 *   replica.yml  every other ordinal: one way from ordinal 0's read-only
 *                instances (type registry): the mirror into 127.0.0.1:5010,
 *                own images into 127.0.0.1:5002. Nothing flows back, so a
 *                re-pushed tag is never reverted and a deleted one never
 *                returns to the writer; each image is fetched upstream once.
 *   tls-hosts    the hosts regsync dials with TLS (sync.sh writes the CA for each)
 */
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../diag.h"
#include "../emit.h"
#include "../images.h"
#include "../inject.h"
#include "../util.h"
#include "../ytree.h"
#include "syncscript.h"		/* regsync_sh[]: generated from src/pod/sync.sh */

/* the pod's loopback writers (plain HTTP): the mirror's, the own images' copy */
#define MIRROR_WRITER "127.0.0.1:" XSTR(REGISTRY_MIRROR_WRITER_PORT)
#define OWN_COPY_WRITER "127.0.0.1:" XSTR(REGISTRY_PUSH_PORT)

static struct ynode *
add_entry(struct inject *in, struct ynode *sync, const char *source, const char *target, const char *type)
{
	struct ynode *e = yseq_add(sync, ynode_map(in->a));

	ymap_str(in->a, e, "source", source);
	ymap_str(in->a, e, "target", target);
	ymap_str(in->a, e, "type", type);
	ymap_str(in->a, e, "interval", in->cfg->sync.interval);
	return e;
}

/* platforms: sync.platforms, unless it says all (then the key is left out) */
static void
platforms(struct inject *in, struct ynode *entry)
{
	const struct strlist *p = &in->cfg->sync.platforms;
	struct ynode *list;

	if (inject_all_platforms(in))
		return;
	list = ymap_seq(in->a, entry, "platforms");
	for (size_t i = 0; i < p->n; i++)
		yseq_add(list, ynode_str(in->a, p->v[i]));
}

static void
add_images(struct inject *in, struct ynode *sync, const struct images *set)
{
	for (size_t i = 0; i < set->n; i++) {
		char *path, *target;

		if (inject_own_host(in, set->v[i]))
			continue;
		path = image_mirror_path(set->v[i]);
		target = xasprintf(MIRROR_WRITER "/%s", path);
		platforms(in, add_entry(in, sync, set->v[i], target, "image"));
		free(path);
		free(target);
	}
}

/* Docker Hub gives anonymous clients 10 pulls an hour, and regsync starts a
 * copy only while sync.rateLimit.min remain (cmd/regsync/root.go): a larger
 * min without credentials would never copy a docker.io image. */
static int
check_rate_limit(struct inject *in, const struct images *set)
{
	const struct config *c = in->cfg;
	struct where w = { .field = "spec.sync.rateLimit.min" };

	if (*c->sync.credentials_secret || c->sync.rate_limit_min < 10)
		return 0;
	for (size_t i = 0; i < set->n; i++) {
		char *host = image_host(set->v[i]);
		int hub = !strcmp(host, "docker.io");

		free(host);
		if (hub) {
			diag_error(&w, "invalid value %ld: the preload has %s from Docker Hub, which allows anonymous "
				   "clients 10 pulls an hour, and regsync copies only while at least this many remain, "
				   "so it would never copy; use 9 or less, or give sync.credentialsSecret",
				   c->sync.rate_limit_min, set->v[i]);
			return -1;
		}
	}
	return 0;
}

/* sync.preload: "auto" (the input's images, our own and loopback ones left
 * out) and/or explicit references (checked when read), of which one under
 * the registry's own names or a loopback host is refused. */
static int
preload(struct inject *in, struct ynode *sync)
{
	const struct strlist *p = &in->cfg->sync.preload;
	struct where w = { .field = "spec.sync.preload" };
	struct images set = { 0 };
	int rc = 0;

	for (size_t i = 0; i < p->n; i++) {
		char *norm;

		if (!strcmp(p->v[i], "auto")) {
			for (size_t j = 0; in->images && j < in->images->n; j++)
				images_add(&set, in->images->v[j]);
		} else if ((norm = image_normalize(p->v[i])) != NULL) {
			if (inject_own_host(in, norm)) {
				diag_error(&w, "invalid list entry \"%s\": %s", p->v[i], inject_own_why(norm));
				rc = -1;
			}
			images_add(&set, norm);
			free(norm);
		}
	}
	images_sort(&set);
	rc |= check_rate_limit(in, &set);
	add_images(in, sync, &set);
	images_free(&set);
	return rc;
}

/* version, the first nwriters loopback writers (the mirror's, the own
 * copy's) as plain-HTTP hosts, defaults */
static struct ynode *
regsync_doc(struct inject *in, size_t nwriters, struct ynode **defaults, struct ynode **sync)
{
	static const char *const writers[] = { MIRROR_WRITER, OWN_COPY_WRITER };
	struct arena *a = in->a;
	struct ynode *doc = ynode_map(a), *creds;

	ymap_int(a, doc, "version", 1);
	creds = ymap_seq(a, doc, "creds");
	for (size_t i = 0; i < nwriters; i++) {
		struct ynode *cr = yseq_add(creds, ynode_map(a));

		ymap_str(a, cr, "registry", writers[i]);
		ymap_str(a, cr, "tls", "disabled");
	}
	*defaults = ymap_map(a, doc, "defaults");
	ymap_int(a, *defaults, "parallel", in->cfg->sync.parallel);
	ymap_str(a, *defaults, "interval", in->cfg->sync.interval);
	*sync = ymap_seq(a, doc, "sync");
	return doc;
}

static int
put_doc(struct inject *in, struct ynode *data, const char *key, struct ynode *doc)
{
	struct buf text = BUF_INIT;
	int rc = emit_yaml(&text, doc);

	if (rc == 0)
		ymap_str(in->a, data, key, buf_cstr(&text));
	buf_free(&text);
	return rc;
}

static int
writer_yml(struct inject *in, struct ynode *data)
{
	const struct config *c = in->cfg;
	struct ynode *defaults, *sync, *doc = regsync_doc(in, 1, &defaults, &sync), *rl;

	/* regsync copies from a registry that sends RateLimit-Remaining (Docker
	 * Hub) only while at least min pulls remain; its HEADs do not count */
	rl = ymap_map(in->a, defaults, "ratelimit");
	ymap_int(in->a, rl, "min", c->sync.rate_limit_min);
	ymap_str(in->a, rl, "retry", c->sync.rate_limit_retry);
	if (preload(in, sync) != 0)
		return -1;
	return put_doc(in, data, "writer.yml", doc);
}

/* ordinal 0's read-only instances, as regsync dials them */
static void
writer_hosts(struct inject *in, char **mirror, char **own)
{
	*mirror = inject_peer_host(in, 0, REGISTRY_PORT);
	*own = inject_peer_host(in, 0, REGISTRY_OWN_PORT);
}

static int
replica_yml(struct inject *in, struct ynode *data)
{
	struct ynode *defaults, *sync, *doc = regsync_doc(in, 2, &defaults, &sync);
	char *mirror, *own;
	int rc;

	writer_hosts(in, &mirror, &own);
	platforms(in, add_entry(in, sync, mirror, MIRROR_WRITER, "registry"));
	add_entry(in, sync, own, OWN_COPY_WRITER, "registry");
	rc = put_doc(in, data, "replica.yml", doc);
	free(mirror);
	free(own);
	return rc;
}

static void
tls_hosts(struct inject *in, struct ynode *data)
{
	char *mirror, *own, *text;

	writer_hosts(in, &mirror, &own);
	text = xasprintf("%s\n%s\n", mirror, own);
	ymap_str(in->a, data, "tls-hosts", text);
	free(text);
	free(mirror);
	free(own);
}

int
inject_sync_config(struct inject *in)
{
	struct ynode *cm, *data;

	if (!config_has(in->cfg, C_REGISTRY))
		return 0;	/* nothing to sync into */
	cm = inject_object(in, "v1", "ConfigMap", in->cfg->namespace, REGISTRY_SYNC, "sync");
	data = ymap_map(in->a, cm, "data");
	if (writer_yml(in, data) != 0 || replica_yml(in, data) != 0)
		return -1;
	tls_hosts(in, data);
	ymap_str(in->a, data, "sync.sh", regsync_sh);
	return 0;
}
