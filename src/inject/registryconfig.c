/* inject/registryconfig.c - ConfigMap "registry-config": run.sh (the entrypoint
 * of the "registry" and "own" containers, src/pod/run.sh embedded at build
 * time), cache.sh (container "cache", src/pod/cache.sh) and the Distribution
 * configurations they start, two per storage root (DESIGN.md section 7):
 *
 *   mirror.yml         :5000, read-only: the mirror the cluster reads
 *   mirror-writer.yml  127.0.0.1:5010, plain HTTP: only regsync writes the mirror
 *   own.yml            :5443, read-only: copies of own images
 *   own-writer.yml     :5002 on ordinal 0: the one writer of own images, with
 *                      htpasswd when registry.push.htpasswdSecret
 *   own-copy.yml       127.0.0.1:5002, plain HTTP, on every other ordinal: only
 *                      regsync writes, one way from ordinal 0
 *
 * With the cache component, one more per mirrored upstream i (upstreams.c):
 *
 *   cache-<i>.yml      :<5100+i>, proxy mode (pull-through) for that upstream
 *                      alone, its own root; clients cannot write to it
 *                      (proxy mode refuses pushes), expiry cache.ttl
 *
 * Read-only is Distribution's storage.maintenance.readonly, which refuses every
 * upload, manifest put, mount and delete. http.secret is not in any file (nor
 * in our output): run.sh exports REGISTRY_HTTP_SECRET.
 */
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../emit.h"
#include "../inject.h"
#include "../util.h"
#include "../ytree.h"
#include "cachescript.h"	/* registry_cache_sh[]: generated from src/pod/cache.sh */
#include "runscript.h"		/* registry_run_sh[]: generated from src/pod/run.sh */

/* container metrics: busybox httpd runs this for /cgi-bin/metrics */
static const char metrics_cgi[] =
	"#!/bin/sh\n"
	"# registry-addon: Distribution's Prometheus metrics, from its debug server on loopback (which\n"
	"# also serves pprof and expvar: those stay inside the pod)\n"
	"printf 'Content-Type: text/plain; version=0.0.4; charset=utf-8\\r\\n\\r\\n'\n"
	"exec wget -q -O - http://" REGISTRY_DEBUG_ADDR "/metrics\n";

struct instance {
	const char *file, *root;
	const char *addr;	/* ":5000", "127.0.0.1:5010" */
	bool readonly, tls, debug;
	bool push;		/* own images' writer: deleteEnabled, htpasswd */
	bool platforms;		/* takes indexes limited to sync.platforms */
	const struct upstream *cache;	/* a pull-through cache of this upstream */
};

static const struct instance instances[] = {
#define MIRROR_ROOT "/var/lib/registry/mirror"
#define OWN_ROOT "/var/lib/registry/own"
#define CACHE_ROOT "/var/lib/registry/cache"
	{ "mirror.yml", MIRROR_ROOT, ":" XSTR(REGISTRY_PORT), true, true, true, false, false, NULL },
	{ "mirror-writer.yml", MIRROR_ROOT, "127.0.0.1:" XSTR(REGISTRY_MIRROR_WRITER_PORT), false, false, false, false,
	  true, NULL },
	{ "own.yml", OWN_ROOT, ":" XSTR(REGISTRY_OWN_PORT), true, true, false, false, false, NULL },
	{ "own-writer.yml", OWN_ROOT, ":" XSTR(REGISTRY_PUSH_PORT), false, true, false, true, false, NULL },
	{ "own-copy.yml", OWN_ROOT, "127.0.0.1:" XSTR(REGISTRY_PUSH_PORT), false, false, false, false, false, NULL },
};

static void
storage(struct inject *in, struct ynode *cfg, const struct instance *it)
{
	struct arena *a = in->a;
	struct ynode *s = ymap_map(a, cfg, "storage"), *m;

	ymap_str(a, ymap_map(a, s, "filesystem"), "rootdirectory", it->root);
	/* a cache's scheduler deletes what expires */
	ymap_bool(a, ymap_map(a, s, "delete"), "enabled",
		  it->cache || (it->push && in->cfg->registry.delete_enabled));
	m = ymap_map(a, s, "maintenance");
	ymap_bool(a, ymap_map(a, m, "readonly"), "enabled", it->readonly);
	m = ymap_map(a, m, "uploadpurging");
	ymap_bool(a, m, "enabled", !it->readonly);	/* a read-only instance has no uploads */
	if (!it->readonly) {
		ymap_str(a, m, "age", "168h");
		ymap_str(a, m, "interval", "24h");
		ymap_bool(a, m, "dryrun", false);
	}
}

static void
http(struct inject *in, struct ynode *cfg, const struct instance *it)
{
	struct arena *a = in->a;
	struct ynode *h = ymap_map(a, cfg, "http"), *m;

	ymap_str(a, h, "addr", it->addr);
	/* finish requests in flight on SIGTERM (within the 30 s grace period) */
	ymap_str(a, h, "draintimeout", "25s");
	if (it->tls) {
		m = ymap_map(a, h, "tls");
		ymap_str(a, m, "certificate", REGISTRY_TLS_DIR "/tls.crt");
		ymap_str(a, m, "key", REGISTRY_TLS_DIR "/tls.key");
		ymap_str(a, m, "minimumtls", "tls1.2");
	}
	yseq_add(ymap_seq(a, ymap_map(a, h, "headers"), "X-Content-Type-Options"), ynode_str(a, "nosniff"));
	if (it->debug) {
		/* loopback only: the debug server also serves pprof and expvar */
		m = ymap_map(a, h, "debug");
		ymap_str(a, m, "addr", REGISTRY_DEBUG_ADDR);
		m = ymap_map(a, m, "prometheus");
		ymap_bool(a, m, "enabled", true);
		ymap_str(a, m, "path", "/metrics");
	}
}

/* regsync copies only sync.platforms of a multi-platform image and pushes the
 * index as it is: Distribution 3 takes such an index when told which
 * platforms it must hold (validation.manifests.indexes). */
/* the length of "os/arch" in "os/arch[/variant]" (checked when set) */
static size_t
os_arch_len(const char *platform)
{
	const char *arch = strchr(platform, '/') + 1, *variant = strchr(arch, '/');

	return variant ? (size_t)(variant - platform) : strlen(platform);
}

static void
platforms(struct inject *in, struct ynode *cfg)
{
	const struct strlist *p = &in->cfg->sync.platforms;
	struct arena *a = in->a;
	struct ynode *idx, *list;

	if (inject_all_platforms(in))
		return;
	idx = ymap_map(a, ymap_map(a, ymap_map(a, cfg, "validation"), "manifests"), "indexes");
	ymap_str(a, idx, "platforms", "list");
	list = ymap_seq(a, idx, "platformlist");
	for (size_t i = 0; i < p->n; i++) {
		size_t n = os_arch_len(p->v[i]), j;
		struct ynode *e;
		char *os;

		/* Distribution matches architecture and os only: linux/arm/v6
		 * and linux/arm/v7 are one entry */
		for (j = 0; j < i && !(os_arch_len(p->v[j]) == n && !strncmp(p->v[j], p->v[i], n)); j++)
			;
		if (j < i)
			continue;
		os = xstrndup(p->v[i], n);
		*strchr(os, '/') = '\0';
		e = yseq_add(list, ynode_map(a));
		ymap_str(a, e, "architecture", os + strlen(os) + 1);
		ymap_str(a, e, "os", os);
		free(os);
	}
}

static struct ynode *
distribution_config(struct inject *in, const struct instance *it)
{
	struct arena *a = in->a;
	struct ynode *cfg = ynode_map(a), *m;

	ymap_str(a, cfg, "version", "0.1");
	m = ymap_map(a, ymap_map(a, cfg, "log"), "fields");
	ymap_str(a, m, "service", "registry");
	ymap_str(a, m, "instance", it->file);
	storage(in, cfg, it);
	if (it->push && *in->cfg->registry.push.htpasswd_secret) {
		m = ymap_map(a, ymap_map(a, cfg, "auth"), "htpasswd");
		ymap_str(a, m, "realm", "registry-addon");
		ymap_str(a, m, "path", REGISTRY_AUTH_DIR "/htpasswd");
	}
	http(in, cfg, it);
	m = ymap_map(a, ymap_map(a, cfg, "health"), "storagedriver");
	ymap_bool(a, m, "enabled", true);
	ymap_str(a, m, "interval", "10s");
	ymap_int(a, m, "threshold", 3);
	if (it->platforms)
		platforms(in, cfg);
	if (it->cache) {
		/* credentials (cache.credentials): cache.sh exports
		 * REGISTRY_PROXY_USERNAME and _PASSWORD for this instance */
		m = ymap_map(a, cfg, "proxy");
		ymap_str(a, m, "remoteurl", it->cache->endpoint);
		ymap_str(a, m, "ttl", in->cfg->cache.ttl);
	}
	return cfg;
}

static int
add_instance(struct inject *in, struct ynode *data, const struct instance *it)
{
	struct buf text = BUF_INIT;
	int rc = emit_yaml(&text, distribution_config(in, it));

	if (rc == 0)
		ymap_str(in->a, data, it->file, buf_cstr(&text));
	buf_free(&text);
	return rc;
}

/* cache-<i>.yml for each mirrored upstream */
static int
cache_instances(struct inject *in, struct ynode *data)
{
	const struct upstream *u;
	size_t n;
	int rc = inject_upstreams(in, &u, &n);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *file = xasprintf("cache-%zu.yml", i), *root = xasprintf(CACHE_ROOT "/%s", u[i].path);
		char *addr = xasprintf(":%ld", u[i].cache_port);
		struct instance it = { file, root, addr,
				       false, true, false, false, false, &u[i] };

		rc = add_instance(in, data, &it);
		free(file);
		free(root);
		free(addr);
	}
	return rc;
}

int
inject_registry_config(struct inject *in)
{
	struct ynode *cm = inject_object(in, "v1", "ConfigMap", in->cfg->namespace, REGISTRY_CONFIG, "registry");
	struct ynode *data = ymap_map(in->a, cm, "data");
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(instances) / sizeof(instances[0]); i++)
		rc = add_instance(in, data, &instances[i]);
	if (rc == 0 && config_has(in->cfg, C_CACHE))
		rc = cache_instances(in, data);
	if (rc == 0)
		ymap_str(in->a, data, "run.sh", registry_run_sh);
	if (rc == 0 && config_has(in->cfg, C_CACHE))
		ymap_str(in->a, data, "cache.sh", registry_cache_sh);
	if (rc == 0 && *in->cfg->metrics.namespace)
		ymap_str(in->a, data, "metrics.cgi", metrics_cgi);
	return rc;
}
