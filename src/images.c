/* images.c - image references in workloads, normalised the way container
 * runtimes read them (docker/distribution reference rules). */
#include "images.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "host.h"
#include "util.h"
#include "ytree.h"

/* Bytes an image reference can hold at all (distribution/reference's
 * grammar): ASCII letters, digits and . _ - / : @ [ ] +. */
static int
ref_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("._-/:@[]+", c));
}

static int
lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* path := component ("/" component)*, component := [a-z0-9]+ (sep [a-z0-9]+)*,
 * sep := "." | "_" | "__" | "-"+ (distribution/reference/regexp.go). */
static int
valid_path(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (!lower_alnum(s[i]))
			return 0;	/* a component or a separator's right side starts here */
		while (i < n && lower_alnum(s[i]))
			i++;
		if (i == n)
			return 1;
		if (s[i] == '/' || s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += i + 1 < n && s[i + 1] == '_' ? 2 : 1;
		else if (s[i] == '-')
			while (i < n && s[i] == '-')
				i++;
		else
			return 0;
	}
	return 0;	/* empty, or ends with a separator */
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

/* Is the first component of a reference (before its first '/') a registry
 * host? distribution's splitDockerDomain: when it has a '.' or a ':' or is
 * "localhost". */
static int
is_domain(const char *s, size_t n)
{
	return memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && !strncmp(s, "localhost", 9));
}

/* The normal form of a reference whose parts are known good. */
static char *
normal_form(const char *domain, size_t dlen, const char *path, size_t plen, const char *tag, size_t tlen,
	    const char *at)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < dlen; i++)	/* host names are case-insensitive */
		buf_addc(&b, (char)tolower((unsigned char)domain[i]));
	buf_addc(&b, '/');
	if (dlen == 9 && !strncmp(domain, "docker.io", 9) && !memchr(path, '/', plen))
		buf_adds(&b, "library/");
	buf_add(&b, path, plen);
	if (b.len > 255) {	/* distribution's NameTotalLengthMax, of the normalised name */
		buf_free(&b);
		return NULL;
	}
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

/* A digest as go-digest accepts it (containerd's reference parser calls
 * digest.Parse): sha256, sha384 or sha512 and its lower-case hex. */
int
image_digest_ok(const char *d)
{
	static const struct {
		const char *alg;
		size_t hex;
	} algs[] = { { "sha256:", 64 }, { "sha384:", 96 }, { "sha512:", 128 } };

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		size_t n = strlen(algs[i].alg);

		if (!strncmp(d, algs[i].alg, n))
			return strlen(d + n) == algs[i].hex && strspn(d + n, "0123456789abcdef") == algs[i].hex;
	}
	return 0;
}

int
image_read(const char *ref, char **out, const char **why)
{
	const char *at = strchr(ref, '@'), *end = at ? at : ref + strlen(ref);
	const char *slash = memchr(ref, '/', (size_t)(end - ref)), *colon = NULL, *path = ref, *domain = "docker.io";
	size_t dlen = 9, plen, tlen = 0;
	const char *tag = NULL;

	*out = NULL;
	for (const char *p = ref; *p; p++)
		if (!ref_byte(*p))
			return 1;
	if (!*ref || (at && !image_digest_ok(at + 1)))
		return 1;
	if (slash && is_domain(ref, (size_t)(slash - ref))) {
		if (host_check(ref, (size_t)(slash - ref), why) != 0)
			return -1;
		domain = ref;
		dlen = (size_t)(slash - ref);
		path = slash + 1;
		if (dlen == 15 && !strncasecmp(domain, "index.docker.io", 15))
			dlen = 9, domain = "docker.io";
	}
	for (const char *p = path; p < end; p++)
		if (*p == ':')
			colon = p;
		else if (*p == '/')
			colon = NULL;
	plen = (size_t)((colon ? colon : end) - path);
	if (colon) {
		tag = colon + 1;
		tlen = (size_t)(end - tag);
		if (!valid_token(tag, tlen, "_-.") || tlen > 128 || *tag == '.' || *tag == '-')
			return 1;	/* tag := [\w][\w.-]{0,127} */
	}
	if (!valid_path(path, plen))
		return 1;
	*out = normal_form(domain, dlen, path, plen, tag, tlen, at);
	return *out ? 0 : 1;
}

char *
image_normalize(const char *ref)
{
	char *out;
	const char *why;

	return image_read(ref, &out, &why) == 0 ? out : NULL;
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

static int
by_string(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

void
images_sort(struct images *set)
{
	size_t out = 0;

	if (set->sorted == set->n)
		return;
	qsort(set->v, set->n, sizeof(char *), by_string);
	for (size_t i = 0; i < set->n; i++) {
		if (out && !strcmp(set->v[out - 1], set->v[i]))
			free(set->v[i]);
		else
			set->v[out++] = set->v[i];
	}
	set->n = set->sorted = out;
}

/* In the sorted part already? */
static int
images_has(const struct images *set, const char *s)
{
	size_t lo = 0, hi = set->sorted;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(set->v[mid], s);

		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* New strings go to the end, unsorted (still sorted when each is greater
 * than the last); the whole is sorted again when the unsorted part has grown
 * as big as the sorted one, which keeps n additions at O(n log n). */
void
images_add(struct images *set, const char *normalized)
{
	if (images_has(set, normalized))
		return;
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 32;
		set->v = xrealloc(set->v, set->cap * sizeof(char *));
	}
	set->v[set->n++] = xstrdup(normalized);
	if (set->sorted == set->n - 1 && (!set->sorted || strcmp(set->v[set->sorted - 1], normalized) < 0))
		set->sorted = set->n;
	else if (set->n - set->sorted > set->sorted && set->n > 64)
		images_sort(set);
}

/* The pod spec of a workload and its field path. */
static struct ynode *
pod_spec(struct ynode *obj, const char *kind, const char **path)
{
	*path = !strcmp(kind, "Pod") ? "spec" : !strcmp(kind, "CronJob") ? "spec.jobTemplate.spec.template.spec" :
		"spec.template.spec";
	return ypath(obj, *path);
}

/* One container's image: added, skipped (not a reference), or refused. */
static int
collect_one(struct images *set, struct ynode *img, const struct where *doc, const char *field)
{
	struct where w = *doc;
	const char *why = NULL;
	char *norm;
	int rc;

	if (!yis_string(img))	/* image: n reads as false */
		return 0;
	img = yresolve(img);
	rc = image_read(img->str, &norm, &why);
	if (rc == 0)
		images_add(set, norm);
	free(norm);
	if (rc >= 0)
		return 0;
	w.field = field;
	w.line = img->line;
	w.col = img->col;
	diag_error(&w, "invalid image \"%s\": its registry host \"%.*s\" has %s; a registry host is " HOST_RULE,
		   img->str, (int)strcspn(img->str, "/"), img->str, why);
	return -1;
}

int
images_collect(struct images *set, struct ynode *obj, const struct where *doc)
{
	static const char *const lists[] = { "initContainers", "containers" };
	const char *kind = ymap_gets(obj, "kind"), *path = NULL;
	struct ynode *spec = kind && image_workload_kind(kind) ? pod_spec(obj, kind, &path) : NULL;
	int rc = 0;

	for (size_t i = 0; spec && i < 2; i++) {
		struct ynode *list = ymap_get(spec, lists[i]);
		size_t j = 0;

		for (struct ynode *c = yis_seq(list) ? yresolve(list)->head : NULL; c; c = c->next, j++) {
			char field[128];

			snprintf(field, sizeof(field), "%s.%s[%zu].image", path, lists[i], j);
			rc |= collect_one(set, ymap_get(c, "image"), doc, field);
		}
	}
	return rc ? -1 : 0;
}

void
images_free(struct images *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = set->cap = set->sorted = 0;
}
