/* inject/syncconfig.c - ConfigMap "registry-sync": regsync's config
 * (prior-art-seeds.md §2). Every pod pulls from every replica's headless name
 * into its own registry on loopback (type: registry), and copies each
 * preloaded image into 127.0.0.1:5000/<upstream-host>/<repo>, the path the
 * node mirror configuration asks for (type: image). */
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../diag.h"
#include "../emit.h"
#include "../images.h"
#include "../inject.h"
#include "../util.h"
#include "../ytree.h"

static void
add_entry(struct inject *in, struct ynode *sync, const char *source, const char *target, const char *type)
{
	struct ynode *e = yseq_add(sync, ynode_map(in->a));

	ymap_str(in->a, e, "source", source);
	ymap_str(in->a, e, "target", target);
	ymap_str(in->a, e, "type", type);
	ymap_str(in->a, e, "interval", in->cfg->sync.interval);
}

static void
add_images(struct inject *in, struct ynode *sync, const struct images *set)
{
	for (size_t i = 0; i < set->n; i++) {
		char *path, *target;

		if (inject_own_host(in, set->v[i]))
			continue;
		path = image_mirror_path(set->v[i]);
		target = xasprintf("127.0.0.1:%d/%s", REGISTRY_PORT, path);
		add_entry(in, sync, set->v[i], target, "image");
		free(path);
		free(target);
	}
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
	add_images(in, sync, &set);
	images_free(&set);
	return rc;
}

int
inject_sync_config(struct inject *in)
{
	struct arena *a = in->a;
	const struct config *c = in->cfg;
	struct ynode *cm, *doc = ynode_map(a), *defaults, *sync;
	struct buf text = BUF_INIT;
	char target[32];
	int rc;

	if (!config_has(c, C_REGISTRY))
		return 0;	/* nothing to sync into */
	ymap_int(a, doc, "version", 1);
	defaults = ymap_map(a, doc, "defaults");
	ymap_int(a, ymap_map(a, defaults, "ratelimit"), "min", c->sync.rate_limit_min);
	ymap_str(a, ymap_map(a, defaults, "ratelimit"), "retry", c->sync.rate_limit_retry);
	ymap_int(a, defaults, "parallel", c->sync.parallel);
	ymap_str(a, defaults, "interval", c->sync.interval);
	sync = ymap_seq(a, doc, "sync");
	snprintf(target, sizeof(target), "127.0.0.1:%d", REGISTRY_PORT);
	for (long i = 0; i < c->registry.replicas; i++) {
		char *peer = inject_peer_host(in, i);

		add_entry(in, sync, peer, target, "registry");
		free(peer);
	}
	if (preload(in, sync) != 0)
		return -1;
	cm = inject_object(in, "v1", "ConfigMap", c->namespace, REGISTRY_SYNC, "sync");
	rc = emit_yaml(&text, doc);
	if (rc == 0)
		ymap_str(a, ymap_map(a, cm, "data"), "regsync.yml", buf_cstr(&text));
	buf_free(&text);
	return rc;
}
