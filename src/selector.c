/* selector.c - label selectors in kubectl's text form (selector.h). */
#include "selector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8svalid.h"
#include "util.h"
#include "ytree.h"

#define SEL_MAX_REQ 64
#define SEL_MAX_VALUES 64

enum sel_op { OP_EXISTS, OP_NOT_EXISTS, OP_EQ, OP_NE, OP_IN, OP_NOTIN, OP_GT, OP_LT };

struct req {
	enum sel_op op;
	char *key;
	char **values;
	size_t nvalues;
};

struct selector {
	struct req *v;
	size_t n;
};

/* A token: a run of characters that are not blanks or operators. */
static bool
word_char(char c)
{
	return c && !strchr(" \t,!=()<>", c);
}

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static char *
word(const char **pp)
{
	const char *p = skip_blanks(*pp), *s = p;

	while (word_char(*p))
		p++;
	*pp = p;
	return xstrndup(s, (size_t)(p - s));
}

static void
req_free(struct req *r)
{
	free(r->key);
	for (size_t i = 0; i < r->nvalues; i++)
		free(r->values[i]);
	free(r->values);
}

void
selector_free(struct selector *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		req_free(&s->v[i]);
	free(s->v);
	free(s);
}

static int
bad(const char **why, const char *text)
{
	*why = text;
	return -1;
}

static int
add_value(struct req *r, char *v, const char **why)
{
	const char *vwhy;

	if (kv_label_value(v, &vwhy) != 0) {
		free(v);
		return bad(why, "a value is not a label value (at most 63 of A-Z a-z 0-9 - _ ., alphanumeric "
			   "at both ends)");
	}
	if (r->nvalues == SEL_MAX_VALUES) {
		free(v);
		return bad(why, "at most 64 values in one requirement");
	}
	r->values = xrealloc(r->values, (r->nvalues + 1) * sizeof(char *));
	r->values[r->nvalues++] = v;
	return 0;
}

/* "(a, b)" after in/notin */
static int
value_set(const char **pp, struct req *r, const char **why)
{
	const char *p = skip_blanks(*pp);

	if (*p != '(')
		return bad(why, "\"in\" and \"notin\" take a list of values in parentheses: key in (a,b)");
	p++;
	for (;;) {
		if (add_value(r, word(&p), why) != 0)
			return -1;
		p = skip_blanks(p);
		if (*p == ')')
			break;
		if (*p != ',')
			return bad(why, "values in parentheses are separated by ',' and closed by ')'");
		p++;
	}
	*pp = p + 1;
	return 0;
}

/* The operator and values after a key. */
static int
operation(const char **pp, struct req *r, const char **why)
{
	const char *p = skip_blanks(*pp);

	if (!*p || *p == ',') {
		r->op = OP_EXISTS;
	} else if (*p == '=' || (p[0] == '!' && p[1] == '=')) {
		r->op = *p == '=' ? OP_EQ : OP_NE;
		p += (p[0] == '=' && p[1] == '=') || *p == '!' ? 2 : 1;
		if (add_value(r, word(&p), why) != 0)
			return -1;
	} else if (*p == '>' || *p == '<') {
		char *end;

		r->op = *p == '>' ? OP_GT : OP_LT;
		p++;
		if (add_value(r, word(&p), why) != 0)
			return -1;
		(void)strtoll(r->values[0], &end, 10);
		if (!*r->values[0] || *end)
			return bad(why, "\">\" and \"<\" take a whole number: key>1");
	} else if (!strncmp(p, "in", 2) && !word_char(p[2])) {
		r->op = OP_IN;
		p += 2;
		if (value_set(&p, r, why) != 0)
			return -1;
	} else if (!strncmp(p, "notin", 5) && !word_char(p[5])) {
		r->op = OP_NOTIN;
		p += 5;
		if (value_set(&p, r, why) != 0)
			return -1;
	} else {
		return bad(why, "a requirement is key, !key, key=value, key!=value, key in (a,b), key notin (a,b), "
			   "key>N or key<N");
	}
	*pp = p;
	return 0;
}

static int
requirement(const char **pp, struct req *r, const char **why)
{
	const char *p = skip_blanks(*pp), *kwhy;
	bool negated = *p == '!';

	p += negated;
	r->key = word(&p);
	if (kv_qualified_name(r->key, &kwhy) != 0)
		return bad(why, "a key is not a label key ([prefix/]name, name at most 63 of A-Z a-z 0-9 - _ ., "
			   "alphanumeric at both ends)");
	if (negated) {
		r->op = OP_NOT_EXISTS;
		*pp = p;
		return 0;
	}
	if (operation(&p, r, why) != 0)
		return -1;
	*pp = p;
	return 0;
}

struct selector *
selector_parse(const char *text, const char **why)
{
	struct selector *s = xcalloc(1, sizeof(*s));
	const char *p = skip_blanks(text);

	while (*p) {
		if (s->n == SEL_MAX_REQ) {
			bad(why, "at most 64 requirements");
			goto fail;
		}
		s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
		memset(&s->v[s->n], 0, sizeof(*s->v));
		if (requirement(&p, &s->v[s->n++], why) != 0)
			goto fail;
		p = skip_blanks(p);
		if (*p && *p != ',') {
			bad(why, "requirements are separated by ','");
			goto fail;
		}
		if (*p == ',' && !*skip_blanks(p + 1)) {
			bad(why, "a ',' with no requirement after it");
			goto fail;
		}
		p = skip_blanks(p + (*p == ','));
	}
	return s;
fail:
	selector_free(s);
	return NULL;
}

int
check_label_selector(const char *text, const char **why)
{
	static char msg[320];
	const char *detail;
	struct selector *s = selector_parse(text, &detail);

	if (!s) {
		snprintf(msg, sizeof(msg), "a label selector as kubectl -l reads it (%s)", detail);
		*why = msg;
		return -1;
	}
	selector_free(s);
	return 0;
}

/* The label's value, or NULL when absent or not a scalar. */
static const char *
label(struct ynode *labels, const char *key)
{
	return yis_map(labels) ? ymap_gets(labels, key) : NULL;
}

static bool
in_values(const struct req *r, const char *v)
{
	for (size_t i = 0; v && i < r->nvalues; i++)
		if (!strcmp(r->values[i], v))
			return true;
	return false;
}

/* key>N, key<N: the label's value a whole number above (below) N */
static bool
compare(const struct req *r, const char *v)
{
	char *end;
	long long have = strtoll(v, &end, 10), want = strtoll(r->values[0], NULL, 10);

	if (!*v || *end)
		return false;
	return r->op == OP_GT ? have > want : have < want;
}

static bool
req_match(const struct req *r, struct ynode *labels)
{
	const char *v = label(labels, r->key);

	switch (r->op) {
	case OP_EXISTS:
		return v != NULL;
	case OP_NOT_EXISTS:
		return v == NULL;
	case OP_EQ:
	case OP_IN:
		return in_values(r, v);
	case OP_NE:
	case OP_NOTIN:
		return !in_values(r, v);
	case OP_GT:
	case OP_LT:
		return v && compare(r, v);
	}
	return false;
}

bool
selector_match(const struct selector *s, struct ynode *labels)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (!req_match(&s->v[i], labels))
			return false;
	return true;
}
