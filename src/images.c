/* images.c - image references in workloads, normalised the way container
 * runtimes read them (docker/distribution reference rules). */
#include "images.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "ytree.h"

static int
valid_path(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || strchr("._-/", s[i])))
			return 0;
	return s[0] != '/' && s[n - 1] != '/';
}

static int
valid_token(const char *s, size_t n, const char *extra)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || strchr(extra, s[i])))
			return 0;
	return 1;
}

char *
image_normalize(const char *ref)
{
	const char *at = strchr(ref, '@'), *end = at ? at : ref + strlen(ref);
	const char *slash = memchr(ref, '/', (size_t)(end - ref)), *colon, *path = ref, *domain = "docker.io";
	size_t dlen = 9, plen, tlen = 0;
	const char *tag = NULL;
	struct buf b = BUF_INIT;

	if (at && !valid_token(at + 1, strlen(at + 1), ":_-."))
		return NULL;
	if (slash) {
		size_t first = (size_t)(slash - ref);

		if (memchr(ref, '.', first) || memchr(ref, ':', first) || (first == 9 && !strncmp(ref, "localhost", 9))) {
			domain = ref;
			dlen = first;
			path = slash + 1;
			if (dlen == 15 && !strncmp(domain, "index.docker.io", 15)) {
				domain = "docker.io";
				dlen = 9;
			}
		}
	}
	colon = NULL;
	for (const char *p = path; p < end; p++)
		if (*p == ':')
			colon = p;
		else if (*p == '/')
			colon = NULL;
	plen = (size_t)((colon ? colon : end) - path);
	if (colon) {
		tag = colon + 1;
		tlen = (size_t)(end - tag);
		if (!valid_token(tag, tlen, "_-.") || tlen > 128)
			return NULL;
	}
	if (!valid_path(path, plen) || !valid_token(domain, dlen, ".-:[]"))
		return NULL;
	for (size_t i = 0; i < dlen; i++)	/* host names are case-insensitive */
		buf_addc(&b, (char)tolower((unsigned char)domain[i]));
	buf_addc(&b, '/');
	if (dlen == 9 && !strncmp(domain, "docker.io", 9) && !memchr(path, '/', plen))
		buf_adds(&b, "library/");
	buf_add(&b, path, plen);
	if (tag) {
		buf_addc(&b, ':');
		buf_add(&b, tag, tlen);
	} else if (!at) {
		buf_adds(&b, ":latest");
	}
	if (at)
		buf_adds(&b, at);
	buf_cstr(&b);
	return b.p;
}

char *
image_host(const char *normalized)
{
	const char *slash = strchr(normalized, '/');

	return xstrndup(normalized, slash ? (size_t)(slash - normalized) : strlen(normalized));
}

char *
image_mirror_path(const char *normalized)
{
	const char *slash = strchr(normalized, '/'), *end = slash ? slash : normalized + strlen(normalized);
	struct buf b = BUF_INIT;

	for (const char *p = normalized; p < end; p++)
		if (*p == ':')
			buf_addc(&b, '-');
		else if (*p != '[' && *p != ']')
			buf_addc(&b, *p);
	buf_adds(&b, end);
	buf_cstr(&b);
	return b.p;
}

int
image_host_is_loopback(const char *host)
{
	size_t n = strcspn(host, ":");

	if (host[0] == '[')
		return !strncmp(host, "[::1]", 5);
	return (n == 9 && !strncmp(host, "localhost", 9)) || !strncmp(host, "127.", 4);
}

static const char *const workload_kinds[] = {
	"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob",
};

int
image_workload_kind(const char *kind)
{
	for (size_t i = 0; i < sizeof(workload_kinds) / sizeof(workload_kinds[0]); i++)
		if (!strcmp(kind, workload_kinds[i]))
			return 1;
	return 0;
}

void
images_add(struct images *set, const char *normalized)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(set->v[mid], normalized);

		if (c == 0)
			return;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 32;
		set->v = xrealloc(set->v, set->cap * sizeof(char *));
	}
	memmove(&set->v[lo + 1], &set->v[lo], (set->n - lo) * sizeof(char *));
	set->v[lo] = xstrdup(normalized);
	set->n++;
}

static struct ynode *
pod_spec(struct ynode *obj, const char *kind)
{
	if (!strcmp(kind, "Pod"))
		return ymap_get(obj, "spec");
	if (!strcmp(kind, "CronJob"))
		return ypath(obj, "spec.jobTemplate.spec.template.spec");
	return ypath(obj, "spec.template.spec");
}

void
images_collect(struct images *set, struct ynode *obj)
{
	static const char *const lists[] = { "initContainers", "containers" };
	const char *kind = ymap_gets(obj, "kind");
	struct ynode *spec = kind && image_workload_kind(kind) ? pod_spec(obj, kind) : NULL;

	for (size_t i = 0; spec && i < 2; i++) {
		struct ynode *list = ymap_get(spec, lists[i]);

		for (struct ynode *c = yis_seq(list) ? yresolve(list)->head : NULL; c; c = c->next) {
			struct ynode *img = ymap_get(c, "image");	/* image: n reads as false */
			char *norm = yis_string(img) ? image_normalize(img->str) : NULL;

			if (norm)
				images_add(set, norm);
			free(norm);
		}
	}
}

void
images_free(struct images *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = set->cap = 0;
}
