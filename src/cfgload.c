/* cfgload.c - configuration sources: a RegistryAddon document (a --config
 * file, a KRM functionConfig), a KRM ConfigMap, --set; each value goes to
 * cfg_field_set() (config.c). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfgfields.h"
#include "diag.h"
#include "k8svalid.h"
#include "util.h"
#include "yload.h"
#include "ytree.h"

/* Keys directly under a group, for "allowed:" hints. */
static char *
group_keys(const char *group, size_t glen)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < config_nfields; i++) {
		const char *p = config_fields[i].path, *rest, *dot;
		size_t len;

		if (glen && (strncmp(p, group, glen) != 0 || p[glen] != '.'))
			continue;
		rest = glen ? p + glen + 1 : p;
		dot = strchr(rest, '.');
		len = dot ? (size_t)(dot - rest) : strlen(rest);
		if (b.len) {
			/* skip a key already listed (groups repeat) */
			char needle[128];

			snprintf(needle, sizeof(needle), "%.*s", (int)len, rest);
			if (strstr(buf_cstr(&b), needle))
				continue;
			buf_adds(&b, ", ");
		}
		buf_add(&b, rest, len);
	}
	buf_cstr(&b);
	return b.p;
}

/* "; did you mean X?" (X: the closest field or group), then sep and rest; the caller frees. */
static char *
did_you_mean(const struct origin *o, const char *path, const char *sep, const char *rest)
{
	const char *near = field_suggest(path);

	if (!near)
		return xasprintf("%s%s", sep, rest);
	return xasprintf("; did you mean %s%s?%s%s", o->prefix, near, sep[0] == ';' ? sep + 1 : sep, rest);
}

/* Each key of map once (the field path of map: name) */
static int
unique_keys(const struct origin *o, const char *name, struct ynode *map)
{
	struct where base = { .file = o->file, .src = o->src, .srclen = o->srclen };

	return kv_unique_keys(&base, name, map);
}

static int
apply_map(struct config *c, struct ynode *map, char *path, size_t plen, const struct origin *o)
{
	char name[300];
	int rc;

	snprintf(name, sizeof(name), "%s%s", o->prefix, path);
	if (!*path && name[0])
		name[strlen(name) - 1] = '\0';		/* "spec." for the document's spec */
	rc = unique_keys(o, name, map);

	for (struct ynode *k = map->head; k && k->next; k = k->next->next) {
		struct ynode *rk = yresolve(k), *v = k->next;
		const struct field *f;
		size_t len;

		if (!yis_scalar(rk)) {
			cfg_report(o, k, NULL, path, "invalid key %s: must be a string", "(not a string)", NULL);
			rc = -1;
			continue;
		}
		if (plen + rk->len + 2 >= 256) {
			cfg_report(o, k, NULL, path, "invalid key: it makes a field path of more than %s characters "
				   "(no field has one)", "254", NULL);
			rc = -1;
			continue;
		}
		len = plen ? plen + 1 + rk->len : rk->len;
		snprintf(path + plen, 256 - plen, "%s%s", plen ? "." : "", rk->str);
		if ((f = field_find(path)) != NULL) {
			rc |= cfg_field_set(c, f, v, o);
		} else if (field_is_group(path, len) && yis_map(v)) {
			rc |= apply_map(c, yresolve(v), path, len, o);
		} else if (field_is_group(path, len)) {
			cfg_report(o, v, NULL, path, "invalid value%s: must be a mapping", "", NULL);
			rc = -1;
		} else {
			char *keys = group_keys(path, plen), *hint = did_you_mean(o, path, "; allowed here: ", keys);

			cfg_report(o, k, NULL, path, "unknown field%s", hint, NULL);
			free(hint);
			free(keys);
			rc = -1;
		}
		path[plen] = '\0';
	}
	return rc ? -1 : 0;
}

static int
check_top_key(const char *key)
{
	return !strcmp(key, "apiVersion") || !strcmp(key, "kind") || !strcmp(key, "metadata") || !strcmp(key, "spec");
}

/* A whole RegistryAddon document. */
static int
apply_document(struct config *c, struct ynode *doc, const struct origin *o)
{
	struct origin top = *o;
	const char *api = ymap_gets(doc, "apiVersion"), *kind = ymap_gets(doc, "kind");
	struct ynode *spec = ymap_get(doc, "spec");
	char path[256] = "";
	int rc = 0;

	top.prefix = "";
	if (unique_keys(&top, NULL, doc) != 0)
		return -1;
	if (!api || strcmp(api, CONFIG_API_VERSION) != 0 || !kind || strcmp(kind, CONFIG_KIND) != 0) {
		cfg_report(&top, doc, NULL, "apiVersion", "invalid config document%s: must have apiVersion: "
		       CONFIG_API_VERSION " and kind: " CONFIG_KIND, "", NULL);
		return -1;
	}
	for (struct ynode *k = yresolve(doc)->head; k && k->next; k = k->next->next)
		if (!yis_scalar(k) || !check_top_key(yresolve(k)->str)) {
			cfg_report(&top, k, NULL, yis_scalar(k) ? yresolve(k)->str : "?",
			       "unknown field%s; allowed: apiVersion, kind, metadata, spec", "", NULL);
			rc = -1;
		}
	if (spec && !yis_map(spec) && !yis_null(spec)) {
		cfg_report(&top, spec, NULL, "spec", "invalid value%s: must be a mapping", "", NULL);
		return -1;
	}
	if (yis_map(spec))
		rc |= apply_map(c, spec, path, 0, o);
	return rc ? -1 : 0;
}

/* A config file is a few kilobytes; past this it is refused, never cut. */
#define CONFIG_MAX_BYTES (16u << 20)
#define TOO_LARGE "it is larger than 16 MiB (16777216 bytes), the limit for a config file (a RegistryAddon " \
		  "document is a few kilobytes)"

static int
file_error(const char *path, const char *why)
{
	diag_error(NULL, "cannot read config file %s: %s", path, why);
	diag_set_exit(EXIT_USAGE);
	return -1;
}

/* What st is, when it is neither a regular file nor a pipe. */
static const char *
not_a_file(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return "it is a directory; --config takes a file holding one RegistryAddon document";
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return "it is a device, not a regular file or a pipe";
	if (S_ISSOCK(st->st_mode))
		return "it is a socket, not a regular file or a pipe";
	return S_ISREG(st->st_mode) || S_ISFIFO(st->st_mode) ? NULL : "it is not a regular file or a pipe";
}

/* All of fd into text, refusing more than CONFIG_MAX_BYTES. */
static int
read_all(int fd, const char *path, struct buf *text)
{
	char chunk[65536];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return file_error(path, strerror(errno));
		if (n == 0)
			return 0;
		if (text->len + (size_t)n > CONFIG_MAX_BYTES)
			return file_error(path, TOO_LARGE);
		buf_add(text, chunk, (size_t)n);
	}
}

/* The whole config file: a regular file, or a pipe (--config <(...)), which
 * is opened without waiting for a writer: a FIFO nothing writes to gives an
 * error, not a hang. Exit code 2, as for every file the command line names. */
static int
read_config_file(const char *path, struct buf *text)
{
	struct stat st;
	const char *why;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc;

	if (fd < 0)
		return file_error(path, strerror(errno));
	if (fstat(fd, &st) != 0)
		rc = file_error(path, strerror(errno));
	else if ((why = not_a_file(&st)) != NULL)
		rc = file_error(path, why);
	else if (S_ISREG(st.st_mode) && st.st_size > (off_t)CONFIG_MAX_BYTES)
		rc = file_error(path, TOO_LARGE);
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
		rc = file_error(path, strerror(errno));
	else if ((rc = read_all(fd, path, text)) == 0 && S_ISFIFO(st.st_mode) && text->len == 0)
		rc = file_error(path, "it is a pipe or FIFO that gave no data: nothing was writing to it");
	close(fd);
	return rc;
}

/* The one config file of the run, read once (see config.h). */
static struct {
	char *path;
	struct buf text;
} file_cache;

void
config_forget_file(void)
{
	free(file_cache.path);
	file_cache.path = NULL;
	buf_free(&file_cache.text);
}

/* path's directory ("." for none), for relative file names in it. */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

/* The file fields the document at path set, relative ones made relative to
 * dir (a name on the command line means the working directory, one in a
 * file means the file's neighbour). */
static void
resolve_files(struct config *c, const char *path, const char *dir)
{
	char *own = dir ? NULL : dir_of(path);

	dir = dir ? dir : own;
	for (size_t i = 0; i < config_nfields; i++) {
		const struct field *f = &config_fields[i];
		char **slot = (char **)((char *)c + f->off);

		if (!field_is_file(f) || !c->set_at[i].file || strcmp(c->set_at[i].file, path) != 0 || !**slot ||
		    (*slot)[0] == '/' || !strcmp(dir, "."))
			continue;
		char *full = xasprintf("%s%s%s", dir, strcmp(dir, "/") ? "/" : "", *slot);

		*slot = arena_strdup(c->arena, full);
		free(full);
	}
	free(own);
}

int
config_load_file(struct config *c, const char *path, const char *dir)
{
	struct buf *text = &file_cache.text;
	struct arena *a = arena_new();
	struct ynode *doc = NULL;
	struct origin o = { path, NULL, 0, "spec." };
	int rc = -1;

	if (!file_cache.path || strcmp(file_cache.path, path) != 0) {
		free(file_cache.path);
		file_cache.path = NULL;
		text->len = 0;
		if (read_config_file(path, text) != 0)
			goto out;
		file_cache.path = xstrdup(path);
	}
	o.src = buf_cstr(text);
	o.srclen = text->len;
	if (yload_one(path, text->p, text->len, a, &doc) != 0)
		goto out;
	if (!doc || !yis_map(doc)) {
		struct where w = { .file = path, .src = o.src, .srclen = o.srclen,
				   .line = doc ? doc->line : 0, .col = doc ? doc->col : 0 };

		diag_error(&w, "the config file must hold one RegistryAddon document (apiVersion: %s, kind: %s)",
			   CONFIG_API_VERSION, CONFIG_KIND);
		goto out;
	}
	rc = apply_document(c, doc, &o);
	if (rc == 0)
		resolve_files(c, path, dir);
out:
	arena_free(a);
	return rc;
}

/* A --set or ConfigMap value (always text) as a node of the field's type. */
static struct ynode *
value_node(struct arena *a, const struct field *f, const char *text, const char *name)
{
	struct ynode *v = NULL;

	switch (f->type) {
	case F_STR:
	case F_ENUM:
		return ynode_str(a, text);
	case F_INT:
	case F_BOOL:
		v = ynode_str(a, text);
		v->style = YS_PLAIN;
		return v;
	case F_LIST:
	case F_SET:
		if (text[0] != '[') {
			if (!strcmp(text, "auto") || !strcmp(text, "none")) {
				v = ynode_str(a, text);
				return v;
			}
			v = ynode_seq(a);
			for (const char *p = text; *p;) {
				const char *comma = strchr(p, ',');
				size_t len = comma ? (size_t)(comma - p) : strlen(p);
				const char *s = p, *e = p + len;

				while (s < e && *s == ' ')
					s++;
				while (e > s && e[-1] == ' ')
					e--;
				yseq_add(v, ynode_strn(a, s, (size_t)(e - s)));
				p += len + (comma ? 1 : 0);
			}
			return v;
		}
		/* a YAML flow list */
		__attribute__((fallthrough));
	case F_OBJECT:
	case F_OBJLIST:
		if (yload_one(name, text, strlen(text), a, &v) != 0)
			return NULL;
		return v ? v : ynode_str(a, "");
	}
	return NULL;
}

/* A value parsed from a string points into that string; its messages
 * should point where the string came from (a ConfigMap entry) or nowhere. */
static void
reposition(struct ynode *v, const struct ynode *at, int depth)
{
	if (!v || depth > 64)
		return;
	v->line = at ? at->line : 0;
	v->col = at ? at->col : 0;
	for (struct ynode *c = v->kind == Y_ALIAS ? NULL : v->head; c; c = c->next)
		reposition(c, at, depth + 1);
}

static int
set_text(struct config *c, const char *path, const char *text, struct ynode *at, const struct origin *o)
{
	const struct field *f = field_find(path);
	struct arena *a;
	struct ynode *v;
	char name[300];
	int rc;

	if (!f) {
		char *hint = did_you_mean(o, path, "; ", "run registry-addon --help for the list");

		cfg_report(o, at, NULL, path, "unknown field%s", hint, NULL);
		free(hint);
		return -1;
	}
	a = arena_new();
	snprintf(name, sizeof(name), "%s%s", o->file, at ? "" : " value");
	v = value_node(a, f, text, name);
	reposition(v, at, 0);
	rc = v ? cfg_field_set(c, f, v, o) : -1;
	arena_free(a);
	return rc;
}

int
config_set(struct config *c, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	struct origin o = { "--set", NULL, 0, "" };
	char path[256];

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(path)) {
		diag_error(NULL, "--set %s: expected PATH=VALUE, e.g. --set registry.replicas=3", assignment);
		return -1;
	}
	memcpy(path, assignment, (size_t)(eq - assignment));
	path[eq - assignment] = '\0';
	return set_text(c, path, eq + 1, NULL, &o);
}

static int
apply_configmap(struct config *c, struct ynode *obj, const struct origin *o)
{
	struct ynode *data = ymap_get(obj, "data");
	int rc = 0;

	if (yis_null(data))
		return 0;
	if (!yis_map(data)) {
		cfg_report(o, data, NULL, "data", "invalid value%s: must be a mapping of --set paths to strings", "", NULL);
		return -1;
	}
	rc = unique_keys(o, "data", data);
	for (struct ynode *k = yresolve(data)->head; k && k->next; k = k->next->next) {
		struct ynode *rk = yresolve(k), *v = yresolve(k->next);

		if (!yis_scalar(rk) || !yis_scalar(v)) {
			cfg_report(o, k, NULL, "data", "invalid entry%s: keys and values must be strings", "", NULL);
			rc = -1;
			continue;
		}
		rc |= set_text(c, rk->str, v->str, v, o);
	}
	return rc ? -1 : 0;
}

int
config_apply_object(struct config *c, struct ynode *obj, const char *file, const char *src, size_t srclen)
{
	const char *api = ymap_gets(obj, "apiVersion"), *kind = ymap_gets(obj, "kind");
	struct origin o = { file, src, srclen, "spec." };

	if (kind && !strcmp(kind, "ConfigMap") && api && !strcmp(api, "v1")) {
		o.prefix = "";
		return apply_configmap(c, obj, &o);
	}
	if (kind && !strcmp(kind, CONFIG_KIND))
		return apply_document(c, obj, &o);
	{
		struct where w = { .file = file, .src = src, .srclen = srclen, .api = api, .kind = kind,
				   .name = ymap_gets(ymap_get(obj, "metadata"), "name"),
				   .ns = ymap_gets(ymap_get(obj, "metadata"), "namespace"), .field = "functionConfig" };
		struct ynode *r = yresolve(obj);

		if (r && r->line) {
			w.line = r->line;
			w.col = r->col;
		}
		diag_error(&w, "unsupported function config: expected ConfigMap (v1) or %s (%s)",
			   CONFIG_KIND, CONFIG_API_VERSION);
	}
	return -1;
}

