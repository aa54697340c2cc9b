/* k8svalid.c - Kubernetes' validation of label names and values,
 * nodeSelector and tolerations on the configuration's trees, and the
 * reporting the k8s*.c checks share. */
#include "k8svalid.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"
#include "ytree.h"

#define QUALIFIED_RULE                                                                                         \
	"a qualified name: an optional prefix (a DNS subdomain of lower-case letters, digits, '-' and '.', at "  \
	"most 253 characters) and '/', then a name of 1 to 63 letters, digits, '-', '_' and '.' that starts "    \
	"and ends with a letter or digit (kubernetes.io/os, disktype)"
#define LABEL_VALUE_RULE                                                                                       \
	"a label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a "     \
	"letter or digit"

void
kv_error(const struct where *base, struct ynode *at, const char *field, const char *fmt, ...)
{
	struct where w = { .file = base->file, .src = base->src, .srclen = base->srclen, .field = field };
	va_list ap;

	where_at(&w, at);
	va_start(ap, fmt);
	diag_vreport(SEV_ERROR, &w, fmt, ap);
	va_end(ap);
}

const char *
kv_shown(struct ynode *v, char *buf, bool as_written)
{
	v = yresolve(v);
	if (!v)
		return "null";
	if (v->kind == Y_MAP)
		return "(a mapping)";
	if (v->kind == Y_SEQ)
		return "(a list)";
	if (as_written) {
		bool quoted = v->style == YS_SINGLE || v->style == YS_DOUBLE;

		snprintf(buf, 160, quoted ? "\"%.100s\" (a quoted string)" : "%.100s", v->str);
		return buf;
	}
	if (v->kind == Y_SCALAR && v->style == YS_PLAIN && !v->tag && yresolve_plain(v->str, v->len) == YR_NULL)
		return "null";
	snprintf(buf, 160, yis_string(v) ? "\"%.100s\"" : "%.100s", v->str);
	return buf;
}

const char *
kv_at_line(struct ynode *n, const char *what, char *buf)
{
	n = yresolve(n);
	if (!n || !n->line)
		return "";
	snprintf(buf, 64, " (%s line %d)", what, n->line);
	return buf;
}

static bool
alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63 */
static bool
name_part(const char *s, size_t n)
{
	if (n == 0 || n > 63 || !alnum(s[0]) || !alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!alnum(s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

/* IsDNS1123Subdomain: [a-z0-9]([-a-z0-9]*[a-z0-9])? joined by '.', at most 253 */
static bool
dns_subdomain(const char *s, size_t n)
{
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool edge = i == 0 || i == n - 1 || s[i - 1] == '.' || s[i + 1] == '.';
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if ((c == '-' || c == '.') && !edge)
			continue;
		return false;
	}
	return true;
}

int
kv_dns_subdomain(const char *s, const char **why)
{
	*why = "a DNS subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, "
	       "at most 253 characters";
	return dns_subdomain(s, strlen(s)) ? 0 : -1;
}

int
kv_qualified_name(const char *s, const char **why)
{
	const char *slash = strchr(s, '/');

	*why = QUALIFIED_RULE;
	if (!slash)
		return name_part(s, strlen(s)) ? 0 : -1;
	if (strchr(slash + 1, '/') || !dns_subdomain(s, (size_t)(slash - s)) || !name_part(slash + 1, strlen(slash + 1)))
		return -1;
	return 0;
}

int
kv_label_value(const char *s, const char **why)
{
	*why = LABEL_VALUE_RULE;
	return !*s || name_part(s, strlen(s)) ? 0 : -1;
}

/* --- keys --- */

struct keyref {
	const char *s;
	struct ynode *node;
	size_t order;
};

static int
keyref_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

int
kv_unique_keys(const struct where *base, const char *field, struct ynode *map)
{
	struct keyref *keys;
	size_t n = 0, pairs = 0;
	int rc = 0;

	map = yresolve(map);
	if (!map || map->kind != Y_MAP)
		return 0;
	for (struct ynode *k = map->head; k && k->next; k = k->next->next)
		pairs++;
	if (pairs < 2)
		return 0;
	keys = xmalloc(pairs * sizeof(*keys));
	for (struct ynode *k = map->head; k && k->next; k = k->next->next)
		if (yis_scalar(k))
			keys[n] = (struct keyref){ yresolve(k)->str, k, n }, n++;
	qsort(keys, n, sizeof(*keys), keyref_cmp);
	for (size_t i = 1, first = 0; i < n; i++) {
		if (strcmp(keys[i].s, keys[first].s) != 0) {
			first = i;
			continue;
		}
		char line[64];

		kv_error(base, keys[i].node, field, "duplicate key \"%.200s\"%s: YAML readers keep only one of the values; "
			 "give each key once", keys[i].s, kv_at_line(keys[first].node, "first at", line));
		rc = -1;
	}
	free(keys);
	return rc;
}

int
kv_string(const struct where *base, const char *field, struct ynode *v, const char *what)
{
	char tmp[160];
	const char *shown;

	if (yis_string(v))
		return 0;
	shown = kv_shown(v, tmp, false);
	kv_error(base, v, field, "invalid value %s: must be %s as a string; %s", shown, what,
		 !strcmp(shown, "null") ? "write \"\" for an empty one" :
		 yis_scalar(v) ? "quote it (YAML reads this as another type)" : "not a collection");
	return -1;
}

/* --- nodeSelector --- */

int
kv_node_selector(const struct where *base, const char *field, struct ynode *v)
{
	char path[640];
	const char *why;
	int rc = kv_unique_keys(base, field, v);

	for (struct ynode *k = yresolve(v)->head; k && k->next; k = k->next->next) {
		struct ynode *val = k->next;

		if (kv_string(base, field, k, "a label key") != 0) {
			rc = -1;
			continue;
		}
		snprintf(path, sizeof(path), "%.256s[%.300s]", field, yresolve(k)->str);
		if (kv_qualified_name(yresolve(k)->str, &why) != 0) {
			kv_error(base, k, field, "invalid label key \"%.200s\": must be %s", yresolve(k)->str, why);
			rc = -1;
		} else if (kv_string(base, path, val, "a label value") != 0) {
			rc = -1;
		} else if (kv_label_value(yresolve(val)->str, &why) != 0) {
			kv_error(base, val, path, "invalid value \"%.100s\": must be %s", yresolve(val)->str, why);
			rc = -1;
		}
	}
	return rc;
}

/* --- tolerations --- */

enum { T_KEY, T_OPERATOR, T_VALUE, T_EFFECT, T_SECONDS, T_N };

static const char *const toleration_fields[T_N] = { "key", "operator", "value", "effect", "tolerationSeconds" };

/* tolerationSeconds: an int64 written as a plain decimal integer */
static int
seconds_at(const struct where *base, const char *field, struct ynode *v)
{
	struct ynode *r = yresolve(v);
	char tmp[160];
	const char *p;

	if (r && r->kind == Y_SCALAR && r->style == YS_PLAIN && !r->tag && yresolve_plain(r->str, r->len) == YR_INT) {
		p = r->str + (r->str[0] == '-' || r->str[0] == '+');
		if (strspn(p, "0123456789") == strlen(p) && (p[0] != '0' || !p[1]) &&
		    (strlen(p) < 19 || (strlen(p) == 19 && strcmp(p, "9223372036854775807") <= 0)))
			return 0;
	}
	kv_error(base, v, field, "invalid value %s: must be a whole number of seconds (an integer such as 300, "
		 "unquoted)", kv_shown(v, tmp, false));
	return -1;
}

/* One toleration's fields by name into f[] (strings checked); 0 or -1. */
static int
toleration_fields_of(const struct where *base, const char *field, struct ynode *t, struct ynode **f)
{
	char path[640];
	int rc = kv_unique_keys(base, field, t);

	for (struct ynode *k = yresolve(t)->head; k && k->next; k = k->next->next) {
		const char *key = yis_string(k) ? yresolve(k)->str : "";
		int i = 0;

		while (i < T_N && strcmp(key, toleration_fields[i]) != 0)
			i++;
		snprintf(path, sizeof(path), "%.256s.%.200s", field, key);
		if (i == T_N) {
			kv_error(base, k, path, "unknown field; allowed here: key, operator, value, effect, "
				 "tolerationSeconds (a toleration)");
			rc = -1;
			continue;
		}
		f[i] = k->next;
		rc |= i == T_SECONDS ? seconds_at(base, path, f[i]) : kv_string(base, path, f[i], "a string");
	}
	return rc;
}

static const char *
text_of(struct ynode *v)
{
	return v ? yresolve(v)->str : "";
}

/* ValidateTolerations, for one toleration whose fields are strings */
static int
toleration(const struct where *base, const char *field, struct ynode *t)
{
	struct ynode *f[T_N] = { NULL };
	const char *key, *op, *value, *effect, *why;
	char path[640];
	int rc = toleration_fields_of(base, field, t, f);

	if (rc != 0)
		return -1;
	key = text_of(f[T_KEY]), op = text_of(f[T_OPERATOR]), value = text_of(f[T_VALUE]), effect = text_of(f[T_EFFECT]);
#define AT(i, name) (snprintf(path, sizeof(path), "%.256s.%s", field, name), f[i] ? f[i] : t)
	if (*key && kv_qualified_name(key, &why) != 0) {
		kv_error(base, AT(T_KEY, "key"), path, "invalid value \"%.200s\": must be %s", key, why);
		rc = -1;
	}
	if (*op && strcmp(op, "Equal") && strcmp(op, "Exists")) {
		kv_error(base, AT(T_OPERATOR, "operator"), path, "invalid value \"%.100s\": must be Equal or Exists "
			 "(empty: Equal)", op);
		rc = -1;
	} else if (!*key && strcmp(op, "Exists")) {
		kv_error(base, AT(T_OPERATOR, "operator"), path, "invalid value \"%s\": must be Exists when key is "
			 "empty (a toleration of every taint)", op);
		rc = -1;
	} else if (!strcmp(op, "Exists") && *value) {
		kv_error(base, AT(T_VALUE, "value"), path, "invalid value \"%.100s\": must be empty when operator is "
			 "Exists", value);
		rc = -1;
	} else if (strcmp(op, "Exists") && kv_label_value(value, &why) != 0) {
		kv_error(base, AT(T_VALUE, "value"), path, "invalid value \"%.100s\": must be %s", value, why);
		rc = -1;
	}
	if (*effect && strcmp(effect, "NoSchedule") && strcmp(effect, "PreferNoSchedule") && strcmp(effect, "NoExecute")) {
		kv_error(base, AT(T_EFFECT, "effect"), path, "invalid value \"%.100s\": must be NoSchedule, "
			 "PreferNoSchedule or NoExecute (empty: every effect)", effect);
		rc = -1;
	} else if (f[T_SECONDS] && strcmp(effect, "NoExecute")) {
		kv_error(base, AT(T_SECONDS, "tolerationSeconds"), path, "tolerationSeconds needs effect NoExecute "
			 "(it bounds how long a pod stays on a node tainted NoExecute); effect is \"%s\"", effect);
		rc = -1;
	}
#undef AT
	return rc;
}

int
kv_tolerations(const struct where *base, const char *field, struct ynode *v)
{
	char path[640];
	size_t i = 0;
	int rc = 0;

	for (struct ynode *t = yresolve(v)->head; t; t = t->next, i++) {
		snprintf(path, sizeof(path), "%.256s[%zu]", field, i);
		rc |= toleration(base, path, t);
	}
	return rc;
}
