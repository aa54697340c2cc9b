/* wselect.c - the selection of component workloadSpread (wselect.h). */
#include "wselect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "k8svalid.h"
#include "resource.h"
#include "ytree.h"

bool
wsel_in_list(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

bool
wsel_workload_kind(const struct obj *o)
{
	return !strcmp(o->api, "apps/v1") &&
	       (!strcmp(o->kind, "Deployment") || !strcmp(o->kind, "StatefulSet") || !strcmp(o->kind, "ReplicaSet"));
}

int
wsel_replicas(struct ynode *r)
{
	char *end;
	long long n;

	if (!r || yis_null(r))
		return 1;
	if (r->kind == Y_SCALAR && r->style == YS_PLAIN && yresolve_plain(r->str, r->len) == YR_INT && r->len < 64) {
		char digits[64];
		size_t k = 0;
		bool bin;

		for (size_t i = 0; i < r->len; i++)	/* YAML 1.1: 1_000 */
			if (r->str[i] != '_')
				digits[k++] = r->str[i];
		digits[k] = '\0';
		bin = !strncmp(digits + (*digits == '-' || *digits == '+'), "0b", 2);
		errno = 0;
		n = bin ? strtoll(strstr(digits, "0b") + 2, &end, 2) * (*digits == '-' ? -1 : 1) : strtoll(digits, &end, 0);
		if (errno == 0 && *end == '\0')
			return n > 1;
	}
	return -1;
}

/* A label key and a label value, as a LabelSelector holds them. */
static bool
label_pair_ok(struct ynode *k, struct ynode *v)
{
	const char *why;

	k = yresolve(k);
	v = yresolve(v);
	return yis_scalar(k) && yis_scalar(v) && kv_qualified_name(k->str, &why) == 0 &&
	       kv_label_value(v->str, &why) == 0;
}

static bool
expression_ok(struct ynode *x)
{
	const char *why, *op;
	struct ynode *vals;

	if (!yis_map(x))
		return false;
	for (struct ynode *k = yresolve(x)->head; k && k->next; k = k->next->next) {
		const char *name = yis_scalar(yresolve(k)) ? yresolve(k)->str : "";

		if (strcmp(name, "key") && strcmp(name, "operator") && strcmp(name, "values"))
			return false;
	}
	op = ymap_gets(x, "operator");
	vals = yresolve(ymap_get(x, "values"));
	if (!ymap_gets(x, "key") || kv_qualified_name(ymap_gets(x, "key"), &why) != 0 || !op ||
	    (strcmp(op, "In") && strcmp(op, "NotIn") && strcmp(op, "Exists") && strcmp(op, "DoesNotExist")))
		return false;
	if (vals && !yis_null(vals) && !yis_seq(vals))
		return false;
	for (struct ynode *v = yis_seq(vals) ? vals->head : NULL; v; v = v->next)
		if (!yis_scalar(yresolve(v)) || kv_label_value(yresolve(v)->str, &why) != 0)
			return false;
	return true;
}

bool
wsel_selector_ok(struct ynode *sel)
{
	struct ynode *ml = yresolve(ymap_get(sel, "matchLabels")), *mx = yresolve(ymap_get(sel, "matchExpressions"));

	if (!ml && !mx)
		return false;
	for (struct ynode *k = sel->head; k && k->next; k = k->next->next) {
		const char *name = yis_scalar(yresolve(k)) ? yresolve(k)->str : "";

		if (strcmp(name, "matchLabels") && strcmp(name, "matchExpressions"))
			return false;
	}
	if ((ml && !yis_null(ml) && !yis_map(ml)) || (mx && !yis_null(mx) && !yis_seq(mx)))
		return false;
	for (struct ynode *k = yis_map(ml) ? ml->head : NULL; k && k->next; k = k->next->next)
		if (!label_pair_ok(k, k->next))
			return false;
	for (struct ynode *x = yis_seq(mx) ? mx->head : NULL; x; x = x->next)
		if (!expression_ok(x))
			return false;
	return true;
}
