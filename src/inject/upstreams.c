/* inject/upstreams.c - the mirrored upstreams (nodeTrust.mirrors resolved:
 * "auto" is every registry host of the input's workload images), computed
 * once a run and shared: the nodes' MIRRORS (nodeconfig.c), and with the
 * cache component one Distribution proxy instance each (registryconfig.c,
 * statefulset.c, services.c, networkpolicy.c), on port REGISTRY_CACHE_PORT + i.
 */
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../diag.h"
#include "../images.h"
#include "../inject.h"
#include "../util.h"

/* A registry host in normal form ("Docker.io" -> "docker.io",
 * "index.docker.io" -> "docker.io"), as a normalised reference; caller frees. */
char *
inject_host_ref(const char *host)
{
	char *ref = xasprintf("%s/x:1", host), *norm = image_normalize(ref);

	free(ref);
	return norm;
}

static void
add_host(struct inject *in, struct images *hosts, const char *ref)
{
	char *host;

	if (!ref || inject_own_host(in, ref))
		return;
	host = image_host(ref);
	images_add(hosts, host);
	free(host);
}

/* cache.credentials names mirrored upstreams only, each once */
static int
check_credentials(const struct inject *in)
{
	const struct strlist *l = &in->cfg->cache.credentials;
	struct where w = { .field = "spec.cache.credentials" };
	int rc = 0;

	for (size_t i = 0; i < l->n; i++) {
		const char *eq = strchr(l->v[i], '=');	/* checked when set */
		size_t n = (size_t)(eq - l->v[i]), j;
		bool found = false;

		for (j = 0; j < in->nupstreams && !found; j++)
			found = strlen(in->upstreams[j].host) == n && !strncmp(in->upstreams[j].host, l->v[i], n);
		for (j = 0; j < i && strncmp(l->v[j], l->v[i], n + 1) != 0; j++)
			;
		if (j < i) {
			diag_error(&w, "invalid list entry \"%s\": %.*s has credentials twice", l->v[i], (int)n, l->v[i]);
			rc = -1;
		}
		if (!found) {
			diag_error(&w, "invalid list entry \"%s\": %.*s is not a mirrored upstream (nodeTrust.mirrors, "
				   "in normal form such as docker.io)", l->v[i], (int)n, l->v[i]);
			rc = -1;
		}
	}
	return rc;
}

static int
resolve(struct inject *in)
{
	const struct strlist *m = &in->cfg->node_trust.mirrors;
	bool cache = config_has(in->cfg, C_CACHE) && in->cfg->state == MS_MANAGED;
	struct images hosts = { 0 };
	int rc = 0;

	for (size_t i = 0; i < m->n; i++) {
		if (!strcmp(m->v[i], "auto")) {
			for (size_t j = 0; j < in->images->n; j++)
				add_host(in, &hosts, in->images->v[j]);
		} else {
			char *ref = inject_host_ref(m->v[i]);

			add_host(in, &hosts, ref);
			free(ref);
		}
	}
	images_sort(&hosts);
	if (cache && hosts.n > REGISTRY_CACHE_MAX) {
		struct where w = { .field = "spec.nodeTrust.mirrors" };

		diag_error(&w, "%zu mirrored upstreams: the cache component runs one registry instance for each, at most "
			   "%d; list fewer in nodeTrust.mirrors (auto adds every registry host of the input) or leave "
			   "cache out of spec.components", hosts.n, REGISTRY_CACHE_MAX);
		rc = -1;
	}
	in->upstreams = arena_alloc(in->a, (hosts.n ? hosts.n : 1) * sizeof(*in->upstreams));
	for (size_t i = 0; i < hosts.n; i++) {
		struct upstream *u = &in->upstreams[i];
		char *path = image_mirror_path(hosts.v[i]);

		u->host = arena_strdup(in->a, hosts.v[i]);
		if (!strcmp(u->host, "docker.io")) {
			u->endpoint = "https://registry-1.docker.io";
		} else {
			char *e = xasprintf("https://%s", u->host);

			u->endpoint = arena_strdup(in->a, e);
			free(e);
		}
		u->path = arena_strdup(in->a, path);
		u->cache_port = cache ? REGISTRY_CACHE_PORT + (long)i : 0;
		free(path);
	}
	in->nupstreams = hosts.n;
	images_free(&hosts);
	return rc;
}

int
inject_upstreams(struct inject *in, const struct upstream **out, size_t *n)
{
	if (!in->upstreams_done) {
		in->upstreams_done = true;
		in->upstreams_rc = resolve(in);
		if (in->upstreams_rc == 0 && config_has(in->cfg, C_CACHE))
			in->upstreams_rc = check_credentials(in);
	}
	*out = in->upstreams;
	*n = in->nupstreams;
	return in->upstreams_rc;
}

void
inject_tell_upstreams(struct inject *in)
{
	const struct upstream *u;
	size_t n;
	struct buf b = BUF_INIT;

	if (in->cfg->state != MS_MANAGED || !config_has(in->cfg, C_NODETRUST | C_CACHE) ||
	    inject_upstreams(in, &u, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", u[i].host);
	if (!n)
		diag_inform(NULL, "mirroring no upstream registry (nodeTrust.mirrors names none and the input uses none)");
	else if (config_has(in->cfg, C_CACHE))
		diag_inform(NULL, "mirroring %s: nodes pull preloaded images from the registry, others through its "
			    "pull-through cache (kept %s), then from the upstream itself", buf_cstr(&b), in->cfg->cache.ttl);
	else
		diag_inform(NULL, "mirroring %s: nodes pull preloaded images from the registry, others from the upstream "
			    "itself (component cache is off)", buf_cstr(&b));
	buf_free(&b);
}
