/* k8sres.c - a container's resources as Kubernetes validates them
 * (ValidateResourceRequirements): resource names, quantities, requests
 * within limits, extended resources and hugepages. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8svalid.h"
#include "quantity.h"
#include "util.h"
#include "ytree.h"

#define RESOURCE_RULE                                                                                          \
	"a container resource: cpu, memory, ephemeral-storage, hugepages-<page size> (hugepages-2Mi) or an "     \
	"extended resource domain/name (example.com/gpu)"


struct res {
	const char *name;
	struct ynode *key, *val;
	struct quantity q;
};

static int
res_cmp(const void *a, const void *b)
{
	return strcmp(((const struct res *)a)->name, ((const struct res *)b)->name);
}

static bool
is_native(const char *s)
{
	return !strchr(s, '/') || strstr(s, "kubernetes.io/");
}

static bool
is_hugepages(const char *s)
{
	return !strncmp(s, "hugepages-", 10);
}

/* IsExtendedResourceName: not native, not requests.*, and requests.<name> qualified */
static bool
is_extended(const char *s)
{
	char buf[512];
	const char *why;

	if (is_native(s) || !strncmp(s, "requests.", 9) || strlen(s) > 400)
		return false;
	snprintf(buf, sizeof(buf), "requests.%s", s);
	return kv_qualified_name(buf, &why) == 0;
}

/* validateContainerResourceName */
static bool
container_resource(const char *s)
{
	const char *why;

	if (kv_qualified_name(s, &why) != 0)
		return false;
	if (!strchr(s, '/'))
		return !strcmp(s, "cpu") || !strcmp(s, "memory") || !strcmp(s, "ephemeral-storage") || is_hugepages(s);
	return is_native(s) || is_extended(s);
}

/* A plain number Kubernetes' YAML reader (YAML 1.1) reads as the decimal
 * text says: not 0x10, 0o10, 010 (octal), 1_000, 1:30 (base 60), .inf. */
static bool
yaml_decimal(const char *s, enum yresolved kind)
{
	const char *d = s + (*s == '-' || *s == '+');

	if (kind != YR_INT && kind != YR_FLOAT)
		return true;
	if (strpbrk(s, "_:xXoObBnN") || strstr(s, ".inf") || strstr(s, ".Inf") || strstr(s, ".INF"))
		return false;
	return kind != YR_INT || d[0] != '0' || !d[1];
}

/* A quantity scalar: a string, or a plain decimal number (YAML's other
 * integer forms are read by Kubernetes in another base: 010 is 8). */
static int
quantity_at(const struct where *base, const char *field, struct ynode *v, struct quantity *q)
{
	const char *why = QUANTITY_RULE;
	char tmp[160];
	struct ynode *r = yresolve(v);
	enum yresolved kind = r && r->kind == Y_SCALAR && r->style == YS_PLAIN && !r->tag ?
				      yresolve_plain(r->str, r->len) : YR_STR;
	int rc;

	if (!yis_scalar(r) || kind == YR_NULL || kind == YR_BOOL || kind == YR_TIME ||
	    (r->tag && !yis_string(r))) {
		kv_error(base, v, field, "invalid value %s: must be %s", kv_shown(v, tmp, false), why);
		return -1;
	}
	if (!yaml_decimal(r->str, kind)) {
		kv_error(base, v, field, "invalid value %s: YAML reads it as a number in another form (010 is octal "
			 "8, 0x10 is 16); write the quantity in decimal digits, or quote it", kv_shown(v, tmp, false));
		return -1;
	}
	rc = quantity_parse(r->str, q, &why);
	if (rc == 0 && q->neg && !quantity_is_zero(q))
		why = "at least 0", rc = -1;
	if (rc == 0)
		return 0;
	kv_error(base, v, field, "invalid value %s: must be %s", kv_shown(v, tmp, false), why);
	return -1;
}

/* hugepages-<size>: a whole multiple of a positive, whole page size */
static int
hugepages_value(const struct where *base, const char *field, const struct res *r)
{
	struct quantity page;
	const char *why;

	if (quantity_parse(r->name + 10, &page, &why) != 0 || page.neg || quantity_is_zero(&page) ||
	    !quantity_is_integer(&page)) {
		kv_error(base, r->key, field, "invalid resource name \"%.200s\": must be hugepages-<page size> with a "
			 "positive whole page size (hugepages-2Mi, hugepages-1Gi)", r->name);
		return -1;
	}
	if (quantity_units(&r->q) % quantity_units(&page) != 0) {
		kv_error(base, r->val, field, "invalid value \"%.100s\": must be a whole multiple of the page size %s",
			 yresolve(r->val)->str, r->name + 10);
		return -1;
	}
	return 0;
}

/* One of requests/limits: names and quantities into list (sorted by name). */
static int
resource_list(const struct where *base, const char *field, struct ynode *map, struct res *list, size_t *n)
{
	char path[640];
	int rc = kv_unique_keys(base, field, map);

	*n = 0;
	for (struct ynode *k = yresolve(map)->head; k && k->next; k = k->next->next) {
		struct res *r = &list[*n];

		if (!yis_string(k)) {
			rc |= kv_string(base, field, k, "a resource name");
			continue;
		}
		*r = (struct res){ yresolve(k)->str, k, k->next, { 0 } };
		snprintf(path, sizeof(path), "%.256s[%.300s]", field, r->name);
		if (!container_resource(r->name)) {
			kv_error(base, k, path, "invalid resource name \"%.200s\": must be " RESOURCE_RULE, r->name);
			rc = -1;
			continue;
		}
		if (quantity_at(base, path, r->val, &r->q) != 0) {
			rc = -1;
			continue;
		}
		if (is_extended(r->name) && !quantity_is_integer(&r->q)) {
			kv_error(base, r->val, path, "invalid value \"%.100s\": must be a whole number (an extended "
				 "resource)", yresolve(r->val)->str);
			rc = -1;
		} else if (is_hugepages(r->name) && hugepages_value(base, path, r) != 0) {
			rc = -1;
		}
		(*n)++;
	}
	qsort(list, *n, sizeof(*list), res_cmp);
	return rc;
}

/* Each request against its limit: at most the limit, equal for resources
 * that cannot be overcommitted (hugepages, extended), whose limit is needed. */
static int
requests_within_limits(const struct where *base, const char *field, struct res *req, size_t nreq, struct res *lim,
		       size_t nlim)
{
	char path[640], line[64];
	int rc = 0;

	for (size_t i = 0; i < nreq; i++) {
		struct res *l = nlim ? bsearch(&req[i], lim, nlim, sizeof(*lim), res_cmp) : NULL;
		bool overcommit = is_native(req[i].name) && !is_hugepages(req[i].name);
		const char *rv = yresolve(req[i].val)->str;

		snprintf(path, sizeof(path), "%.256s.requests[%.300s]", field, req[i].name);
		if (!l && !overcommit) {
			kv_error(base, req[i].key, path, "a request for %.200s needs a limit of the same amount: Kubernetes "
				 "cannot overcommit it (set limits[%.200s]; the request may then be left out)",
				 req[i].name, req[i].name);
			rc = -1;
		} else if (l && !overcommit && quantity_cmp(&req[i].q, &l->q) != 0) {
			kv_error(base, req[i].val, path, "invalid value \"%.100s\": must equal the %.200s limit \"%.100s\"%s: "
				 "Kubernetes cannot overcommit it", rv, req[i].name, yresolve(l->val)->str,
				 kv_at_line(l->val, "at", line));
			rc = -1;
		} else if (l && quantity_cmp(&req[i].q, &l->q) > 0) {
			kv_error(base, req[i].val, path, "invalid value \"%.100s\": must be less than or equal to the "
				 "%.200s limit \"%.100s\"%s", rv, req[i].name, yresolve(l->val)->str,
				 kv_at_line(l->val, "at", line));
			rc = -1;
		}
	}
	return rc;
}

static bool
has_hugepages(const struct res *l, size_t n, bool *cpu_or_memory)
{
	bool huge = false;

	for (size_t i = 0; i < n; i++) {
		huge |= is_hugepages(l[i].name);
		*cpu_or_memory |= !strcmp(l[i].name, "cpu") || !strcmp(l[i].name, "memory");
	}
	return huge;
}

int
kv_resources(const struct where *base, const char *field, struct ynode *v)
{
	struct ynode *sect[2] = { NULL, NULL };	/* requests, limits */
	struct res *list[2] = { NULL, NULL };
	size_t n[2] = { 0, 0 };
	char path[640];
	bool cpu_or_memory = false, huge;
	int rc = kv_unique_keys(base, field, v);

	for (struct ynode *k = yresolve(v)->head; k && k->next; k = k->next->next) {
		const char *key = yis_string(k) ? yresolve(k)->str : "";
		int i = !strcmp(key, "requests") ? 0 : !strcmp(key, "limits") ? 1 : -1;

		snprintf(path, sizeof(path), "%.256s.%.200s", field, key);
		if (i < 0) {
			kv_error(base, k, path, "unknown field%s; allowed here: requests, limits (a container's resources)",
				 !strcmp(key, "claims") ? " (claims name the pod's resourceClaims, which it has none of)" :
				 "");
			rc = -1;
		} else if (!yis_map(k->next)) {
			char tmp[160];

			kv_error(base, k->next, path, "invalid value %s: must be a mapping of resource names to quantities",
				 kv_shown(k->next, tmp, false));
			rc = -1;
		} else if (!sect[i]) {
			sect[i] = yresolve(k->next);
		}
	}
	for (int i = 0; i < 2; i++) {
		if (!sect[i])
			continue;
		size_t pairs = 1;

		for (struct ynode *k = sect[i]->head; k && k->next; k = k->next->next)
			pairs++;
		list[i] = xmalloc(pairs * sizeof(struct res));
		snprintf(path, sizeof(path), "%.256s.%s", field, i ? "limits" : "requests");
		rc |= resource_list(base, path, sect[i], list[i], &n[i]);
	}
	rc |= requests_within_limits(base, field, list[0], n[0], list[1], n[1]);
	huge = has_hugepages(list[0], n[0], &cpu_or_memory);
	huge |= has_hugepages(list[1], n[1], &cpu_or_memory);
	if (huge && !cpu_or_memory) {
		kv_error(base, v, field, "hugepages need a cpu or memory request or limit beside them (Kubernetes "
			 "refuses hugepages alone)");
		rc = -1;
	}
	free(list[0]);
	free(list[1]);
	return rc;
}

