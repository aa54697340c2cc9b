/* yamlcheck.c - independent libyaml 0.2.5 checker for registry-addon output */

/*
 * yamlcheck fidelity [--spread] IN OUT
 *                             the objects of IN equal the non-generated objects of OUT
 * yamlcheck parse FILE        FILE is a YAML stream that libyaml parses
 * yamlcheck docs FILE         per object: index<TAB>apiVersion<TAB>kind<TAB>namespace<TAB>name<TAB>generated
 *
 * docs: index counts the non-empty objects from 0; a missing or non-scalar field is "-";
 * generated is 1 when metadata.annotations["registry-addon.dev/generated"] is the string
 * "true". fidelity drops generated objects from both files before comparing.
 *
 * fidelity compares data and how it is written: every node of an object (and of a
 * ResourceList's functionConfig) must carry the same anchor name, the same explicit
 * tag (%TAG handles resolved, so a lost directive shows), the same scalar style (plain,
 * single or double quoted, literal, folded) and collection style (flow or block), and
 * each object's document the same %YAML version; registry-addon copies these nodes as
 * their bytes. A wrapper's apiVersion and kind compare as data only.
 *
 * --spread is for runs with the workloadSpread component, which edits one field of
 * the input: in the pod template's spec (.spec.template.spec) of an apps/v1
 * Deployment, StatefulSet or ReplicaSet, the key topologySpreadConstraints may be
 * only in IN or only in OUT, and where it is in both (at the same place), one
 * sequence may be the other plus entries at its end. Those entries must be what the
 * component writes: a hostname constraint, a zone constraint or both in that order,
 * each with only its fields, nodeTaintsPolicy Honor and the object's spec.selector as
 * labelSelector. All other keys of that mapping compare as usual, in order. What
 * libyaml cannot tell (the marker comment) is not checked: an entry of the user's
 * own written exactly as ours would pass as ours.
 *
 * FILE may be "-" for stdin. Exit status: 0 ok; 1 a difference (fidelity) or a
 * syntax error (parse); 2 usage, I/O, syntax error (fidelity, docs) or a
 * document too deep or too expensive to compare.
 *
 * Each file is loaded into a small tree. An alias becomes a second pointer to
 * the anchored node (no copy), so comparisons walk the expanded data under a
 * visit budget. A stream that is one ResourceList or List document stands for
 * its items (kyaml's rule); otherwise its non-empty documents are the objects.
 * Scalars compare by text and by the type a YAML 1.1 reader (go-yaml v2, used
 * by Kubernetes) resolves: a quoted "5000" differs from a plain 5000.
 * Limits: nesting 1000 while loading, 4000 through aliases, and node visits
 * capped at the files' node count plus 1,000,000 (billion laughs fails fast).
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -O2 tests/yamlcheck.c \
 *          $(pkg-config --cflags --libs yaml-0.1) -o build/yamlcheck
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH	1000		/* collection nesting accepted while loading */
#define MAX_CMP_DEPTH	4000		/* nesting reachable through aliases */
#define ALIAS_BUDGET	1000000UL	/* node visits allowed beyond the node count */
#define BLOCK_SIZE	(256 * 1024)
#define SHOW_MAX	80		/* scalar characters shown in messages */
#define GENERATED_KEY	"registry-addon.dev/generated"
#define DIGITS		"0123456789"

enum { YC_OK = 0, YC_DIFF = 1, YC_ERROR = 2 };

enum load_status { LOAD_OK = 0, LOAD_SYNTAX = -1, LOAD_IO = -2 };

enum node_kind { NK_SCALAR, NK_SEQ, NK_MAP };

enum scalar_type {
	ST_NULL, ST_BOOL, ST_INT, ST_FLOAT, ST_TIMESTAMP, ST_MERGE, ST_STR,
	ST_TAGGED,
};

static const char *const type_names[] = {
	"null", "bool", "int", "float", "timestamp", "merge", "str", "tagged",
};

struct node {
	enum node_kind kind;
	enum scalar_type type;	/* scalars only */
	const char *tag;	/* ST_TAGGED only: the explicit tag */
	const char *explicit_tag;	/* any node: its tag as written (handle resolved), or NULL */
	const char *anchor;	/* its anchor's name, or NULL */
	char style;		/* as written: see style_name() */
	const char *text;	/* scalars: the value, NUL-terminated */
	size_t len;
	struct node **items;	/* SEQ: items; MAP: key, value, key, value... */
	size_t count;		/* entries in items (twice the pairs of a MAP) */
	size_t line;		/* 1-based */
};

/* Bump allocator: every node and string of a stream, freed at once. */
struct block {
	struct block *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

struct arena {
	struct block *head;
};

/* A loaded file. Owns its arena and the docs array. */
struct stream {
	struct arena arena;
	struct node **docs;	/* non-empty document roots, in order */
	int *versions;		/* of each of docs: its %YAML directive, 10 * major + minor, or 0 */
	int version;		/* of the document being loaded */
	size_t ndocs, docs_cap;
	size_t nodes;		/* nodes loaded, before alias expansion */
};

struct anchor {
	const char *name;
	struct node *node;
};

struct frame {
	struct node *node;
	size_t start;		/* first child in loader.pending */
	const char *anchor;
};

struct loader {
	const char *path;
	struct stream *s;
	struct frame stack[MAX_DEPTH];
	size_t depth;
	struct node **pending;	/* children of the open collections */
	size_t npending, pending_cap;
	struct anchor *anchors;	/* of the current document */
	size_t nanchors, anchors_cap;
	char *scratch;		/* plain scalar without underscores */
	size_t scratch_cap;
};

/* The objects a stream stands for. */
struct view {
	const struct node *wrapper;	/* the ResourceList/List, or NULL */
	int wrapper_version;	/* its document's %YAML version */
	struct node *const *roots;
	const int *versions;	/* of the documents of roots, or NULL: wrapper_version */
	size_t n;
};

struct object {
	const struct node *node;
	size_t index;		/* among the non-empty objects of its file */
	int version;		/* its document's %YAML version */
};

struct objects {
	struct object *v;
	size_t n;
};

enum seg_kind { SEG_INDEX, SEG_VALUE, SEG_KEY };

struct seg {
	enum seg_kind kind;
	size_t index;
	const struct node *key;
};

struct cmp {
	const char *label;	/* what is compared, for messages */
	bool form;		/* compare anchors, tags and styles too */
	bool spread;		/* --spread: pod template constraints may gain or lose a tail */
	const struct node *obj_in, *obj_out;	/* the objects compared */
	unsigned long visits, budget;
	size_t depth;
	struct seg path[MAX_CMP_DEPTH];
};

#define GROW(v, cap, need)						\
	do {								\
		if ((need) > (cap)) {					\
			(cap) = grow_cap((cap), (need));		\
			(v) = xrealloc((v), (cap) * sizeof(*(v)));	\
		}							\
	} while (0)

/* ---- memory ---- */

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("yamlcheck: out of memory\n", stderr);
		exit(YC_ERROR);
	}
	return p;
}

static size_t
grow_cap(size_t cap, size_t need)
{
	cap = cap ? cap : 16;
	while (cap < need)
		cap *= 2;
	return cap;
}

static void *
arena_alloc(struct arena *a, size_t n, size_t align)
{
	struct block *b = a->head;
	size_t off = b ? (b->used + align - 1) & ~(align - 1) : 0;

	if (!b || off > b->size || b->size - off < n) {
		size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;

		b = xrealloc(NULL, sizeof(*b) + size);
		b->next = a->head;
		b->size = size;
		a->head = b;
		off = 0;
	}
	b->used = off + n;
	return (char *)b->data + off;
}

static char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1, 1);

	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static void
arena_free(struct arena *a)
{
	while (a->head) {
		struct block *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}

static void
stream_free(struct stream *s)
{
	arena_free(&s->arena);
	free(s->docs);
	free(s->versions);
}

/* ---- scalar type resolution (go-yaml v2 resolve.go) ---- */

static bool
in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* Non-empty and made only of characters from set. */
static bool
all_in(const char *s, const char *set)
{
	return *s && s[strspn(s, set)] == '\0';
}

/* strconv.ParseInt(s, 0, 64) syntax, range not checked. */
static bool
is_int(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (*s != '0')
		return all_in(s, DIGITS);
	switch (s[1]) {
	case '\0':
		return true;
	case 'b': case 'B':
		return all_in(s + 2, "01");
	case 'o': case 'O':
		return all_in(s + 2, "01234567");
	case 'x': case 'X':
		return all_in(s + 2, DIGITS "abcdefABCDEF");
	default:
		return all_in(s + 1, "01234567");
	}
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool
is_float(const char *s)
{
	size_t n;

	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.') {
		n = strspn(s + 1, DIGITS);
		if (!n)
			return false;
		s += 1 + n;
	} else {
		n = strspn(s, DIGITS);
		if (!n)
			return false;
		s += n;
		if (*s == '.')
			s += 1 + strspn(s + 1, DIGITS);
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		n = strspn(s, DIGITS);
		if (!n)
			return false;
		s += n;
	}
	return *s == '\0';
}

/* Number of leading digits if it is between min and max, else 0. */
static size_t
digits(const char *s, size_t min, size_t max)
{
	size_t n = strspn(s, DIGITS);

	return n >= min && n <= max ? n : 0;
}

/* The layouts of go-yaml v2 parseTimestamp, field ranges not checked. */
static bool
is_timestamp(const char *s)
{
	size_t n;
	bool zone;

	if (digits(s, 4, 4) != 4 || s[4] != '-')
		return false;
	s += 5;
	n = digits(s, 1, 2);
	if (!n || s[n] != '-')
		return false;
	s += n + 1;
	n = digits(s, 1, 2);
	if (!n)
		return false;
	s += n;
	if (*s == '\0')
		return true;
	zone = *s == 'T' || *s == 't';
	if (!zone && *s != ' ')
		return false;
	s++;
	for (int i = 0; i < 3; i++) {
		n = digits(s, 1, 2);
		if (!n || (i < 2 && s[n] != ':'))
			return false;
		s += n + (i < 2);
	}
	if (*s == '.') {
		n = strspn(s + 1, DIGITS);
		if (!n)
			return false;
		s += 1 + n;
	}
	if (!zone)
		return *s == '\0';
	if (*s == 'Z')
		return s[1] == '\0';
	return (*s == '+' || *s == '-') && digits(s + 1, 2, 2) &&
	       s[3] == ':' && digits(s + 4, 2, 2) && s[6] == '\0';
}

static const char *
strip_underscores(struct loader *ld, const char *s, size_t len)
{
	size_t n = 0;

	GROW(ld->scratch, ld->scratch_cap, len + 1);
	for (size_t i = 0; i < len; i++)
		if (s[i] != '_')
			ld->scratch[n++] = s[i];
	ld->scratch[n] = '\0';
	return ld->scratch;
}

static enum scalar_type
resolve_plain(struct loader *ld, const char *s, size_t len)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const bools[] = {
		"y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
		"true", "True", "TRUE", "n", "N", "no", "No", "NO",
		"off", "Off", "OFF", "false", "False", "FALSE", NULL,
	};
	static const char *const floats[] = {
		".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
		"-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", NULL,
	};
	const char *plain;

	if (len <= 5) {		/* the longest listed word */
		if (in_list(s, nulls))
			return ST_NULL;
		if (in_list(s, bools))
			return ST_BOOL;
		if (in_list(s, floats))
			return ST_FLOAT;
		if (strcmp(s, "<<") == 0)
			return ST_MERGE;
	}
	if (*s == '.')
		return is_float(s) ? ST_FLOAT : ST_STR;
	if (!strchr("+-" DIGITS, *s))
		return ST_STR;
	if (is_timestamp(s))
		return ST_TIMESTAMP;
	plain = strip_underscores(ld, s, len);
	if (is_int(plain))
		return ST_INT;
	if (is_float(plain))
		return ST_FLOAT;
	return ST_STR;
}

static enum scalar_type
resolve_tag(const char *tag)
{
	static const char prefix[] = "tag:yaml.org,2002:";
	static const struct {
		const char *name;
		enum scalar_type type;
	} core[] = {
		{ "null", ST_NULL }, { "bool", ST_BOOL }, { "int", ST_INT },
		{ "float", ST_FLOAT }, { "timestamp", ST_TIMESTAMP },
		{ "merge", ST_MERGE }, { "str", ST_STR },
	};

	if (strcmp(tag, "!") == 0)
		return ST_STR;
	if (strncmp(tag, prefix, sizeof(prefix) - 1) != 0)
		return ST_TAGGED;
	for (size_t i = 0; i < sizeof(core) / sizeof(core[0]); i++)
		if (strcmp(tag + sizeof(prefix) - 1, core[i].name) == 0)
			return core[i].type;
	return ST_TAGGED;
}

/* ---- loading ---- */

static int
load_error(const struct loader *ld, const yaml_mark_t *m, const char *msg,
	   const char *name)
{
	fprintf(stderr, "yamlcheck: %s:%zu:%zu: %s%s\n", ld->path, m->line + 1,
		m->column + 1, msg, name ? name : "");
	return LOAD_SYNTAX;
}

/* libyaml's reader errors carry a byte offset only: find its line:col. */
static void
offset_position(const char *path, size_t offset, size_t *line, size_t *col)
{
	FILE *f = strcmp(path, "-") == 0 ? NULL : fopen(path, "rb");
	int c;

	*line = 1;
	*col = 1;
	for (size_t i = 0; f && i < offset && (c = getc(f)) != EOF; i++) {
		*col = c == '\n' ? 1 : *col + 1;
		*line += c == '\n';
	}
	if (f)
		fclose(f);
}

static void
report_parser_error(const char *path, const yaml_parser_t *p)
{
	size_t line, col;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		fprintf(stderr, "yamlcheck: %s: out of memory\n", path);
		break;
	case YAML_READER_ERROR:
		offset_position(path, p->problem_offset, &line, &col);
		fprintf(stderr, "yamlcheck: %s:%zu:%zu: %s", path, line, col,
			p->problem);
		if (p->problem_value != -1)
			fprintf(stderr, ": #%X", (unsigned)p->problem_value);
		fprintf(stderr, " (byte offset %zu)\n", p->problem_offset);
		break;
	default:
		fprintf(stderr, "yamlcheck: %s:%zu:%zu: %s", path,
			p->problem_mark.line + 1, p->problem_mark.column + 1,
			p->problem ? p->problem : "error");
		if (p->context)
			fprintf(stderr, " (%s at %zu:%zu)", p->context,
				p->context_mark.line + 1,
				p->context_mark.column + 1);
		fputc('\n', stderr);
		break;
	}
}

static struct node *
new_node(struct loader *ld, enum node_kind kind, const yaml_mark_t *m)
{
	struct node *n = arena_alloc(&ld->s->arena, sizeof(*n),
				     _Alignof(struct node));

	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->line = m->line + 1;
	ld->s->nodes++;
	return n;
}

static bool
is_null(const struct node *n)
{
	return n->kind == NK_SCALAR && n->type == ST_NULL;
}

static void
add_child(struct loader *ld, struct node *n)
{
	struct stream *s = ld->s;

	if (ld->depth > 0) {
		GROW(ld->pending, ld->pending_cap, ld->npending + 1);
		ld->pending[ld->npending++] = n;
	} else if (!is_null(n)) {
		size_t cap = s->docs_cap;

		GROW(s->docs, s->docs_cap, s->ndocs + 1);
		GROW(s->versions, cap, s->ndocs + 1);
		s->versions[s->ndocs] = s->version;
		s->docs[s->ndocs++] = n;
	}
}

/* Anchors are registered when their node is complete: a node cannot contain itself. */
static void
add_anchor(struct loader *ld, const char *name, struct node *n)
{
	GROW(ld->anchors, ld->anchors_cap, ld->nanchors + 1);
	ld->anchors[ld->nanchors].name = name;
	ld->anchors[ld->nanchors].node = n;
	ld->nanchors++;
}

static int
load_alias(struct loader *ld, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;

	for (size_t i = ld->nanchors; i-- > 0;) {
		if (strcmp(ld->anchors[i].name, name) == 0) {
			add_child(ld, ld->anchors[i].node);
			return LOAD_OK;
		}
	}
	return load_error(ld, &ev->start_mark,
			  "alias to an undefined or enclosing anchor: *", name);
}

static char
scalar_style_char(yaml_scalar_style_t style)
{
	switch (style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		return '\'';
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return '"';
	case YAML_LITERAL_SCALAR_STYLE:
		return '|';
	case YAML_FOLDED_SCALAR_STYLE:
		return '>';
	default:
		return 'p';
	}
}

static const char *
style_name(char style)
{
	switch (style) {
	case '\'':
		return "single-quoted";
	case '"':
		return "double-quoted";
	case '|':
		return "literal";
	case '>':
		return "folded";
	case 'f':
		return "flow";
	case 'b':
		return "block";
	default:
		return "plain";
	}
}

/* How n is written: its explicit tag, anchor and style. */
static void
set_form(struct loader *ld, struct node *n, const yaml_char_t *tag,
	 const yaml_char_t *anchor, char style)
{
	if (tag)
		n->explicit_tag = arena_strndup(&ld->s->arena, (const char *)tag,
						strlen((const char *)tag));
	if (anchor)
		n->anchor = arena_strndup(&ld->s->arena, (const char *)anchor,
					  strlen((const char *)anchor));
	n->style = style;
}

static int
load_scalar(struct loader *ld, const yaml_event_t *ev)
{
	struct node *n = new_node(ld, NK_SCALAR, &ev->start_mark);
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *anchor = (const char *)ev->data.scalar.anchor;

	n->len = ev->data.scalar.length;
	n->text = arena_strndup(&ld->s->arena,
				(const char *)ev->data.scalar.value, n->len);
	if (tag)
		n->type = resolve_tag(tag);
	else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		n->type = resolve_plain(ld, n->text, n->len);
	else
		n->type = ST_STR;
	if (n->type == ST_TAGGED)
		n->tag = arena_strndup(&ld->s->arena, tag, strlen(tag));
	set_form(ld, n, ev->data.scalar.tag, ev->data.scalar.anchor,
		 scalar_style_char(ev->data.scalar.style));
	if (anchor)
		add_anchor(ld, n->anchor, n);
	add_child(ld, n);
	return LOAD_OK;
}

static int
open_collection(struct loader *ld, enum node_kind kind, const yaml_event_t *ev,
		const yaml_char_t *anchor, const yaml_char_t *tag, bool flow)
{
	struct frame *f;

	if (ld->depth == MAX_DEPTH)
		return load_error(ld, &ev->start_mark,
				  "nesting deeper than the limit of 1000", NULL);
	f = &ld->stack[ld->depth++];
	f->node = new_node(ld, kind, &ev->start_mark);
	f->start = ld->npending;
	set_form(ld, f->node, tag, anchor, flow ? 'f' : 'b');
	f->anchor = f->node->anchor;
	return LOAD_OK;
}

static int
close_collection(struct loader *ld)
{
	struct frame *f = &ld->stack[--ld->depth];
	struct node *n = f->node;

	n->count = ld->npending - f->start;
	n->items = arena_alloc(&ld->s->arena, n->count * sizeof(*n->items),
			       _Alignof(struct node *));
	if (n->count)
		memcpy(n->items, ld->pending + f->start,
		       n->count * sizeof(*n->items));
	ld->npending = f->start;
	if (f->anchor)
		add_anchor(ld, f->anchor, n);
	add_child(ld, n);
	return LOAD_OK;
}

static int
load_event(struct loader *ld, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		ld->nanchors = 0;
		ld->s->version = ev->data.document_start.version_directive
			? 10 * ev->data.document_start.version_directive->major +
			  ev->data.document_start.version_directive->minor
			: 0;
		return LOAD_OK;
	case YAML_SCALAR_EVENT:
		return load_scalar(ld, ev);
	case YAML_SEQUENCE_START_EVENT:
		return open_collection(ld, NK_SEQ, ev,
				       ev->data.sequence_start.anchor,
				       ev->data.sequence_start.tag,
				       ev->data.sequence_start.style ==
				       YAML_FLOW_SEQUENCE_STYLE);
	case YAML_MAPPING_START_EVENT:
		return open_collection(ld, NK_MAP, ev,
				       ev->data.mapping_start.anchor,
				       ev->data.mapping_start.tag,
				       ev->data.mapping_start.style ==
				       YAML_FLOW_MAPPING_STYLE);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return close_collection(ld);
	case YAML_ALIAS_EVENT:
		return load_alias(ld, ev);
	default:
		return LOAD_OK;
	}
}

static int
parse_events(struct loader *ld, yaml_parser_t *parser)
{
	int rc = LOAD_OK;
	bool done = false;

	while (rc == LOAD_OK && !done) {
		yaml_event_t ev;

		if (!yaml_parser_parse(parser, &ev)) {
			report_parser_error(ld->path, parser);
			return LOAD_SYNTAX;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = load_event(ld, &ev);
		yaml_event_delete(&ev);
	}
	return rc;
}

/* Loads path ("-": stdin) into s. On error s still needs stream_free(). */
static int
load_stream(const char *path, struct stream *s)
{
	static struct loader ld;	/* large; one load at a time */
	yaml_parser_t parser;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	int rc;

	memset(s, 0, sizeof(*s));
	if (!f) {
		fprintf(stderr, "yamlcheck: %s: %s\n", path, strerror(errno));
		return LOAD_IO;
	}
	memset(&ld, 0, sizeof(ld));
	ld.path = path;
	ld.s = s;
	if (!yaml_parser_initialize(&parser)) {
		fputs("yamlcheck: out of memory\n", stderr);
		exit(YC_ERROR);
	}
	yaml_parser_set_input_file(&parser, f);
	rc = parse_events(&ld, &parser);
	if (rc == LOAD_OK && ferror(f)) {
		fprintf(stderr, "yamlcheck: %s: read error\n", path);
		rc = LOAD_IO;
	}
	yaml_parser_delete(&parser);
	if (f != stdin)
		fclose(f);
	free(ld.pending);
	free(ld.anchors);
	free(ld.scratch);
	return rc;
}

/* ---- queries ---- */

static bool
scalar_is(const struct node *n, const char *s)
{
	return n && n->kind == NK_SCALAR && n->type == ST_STR &&
	       n->len == strlen(s) && memcmp(n->text, s, n->len) == 0;
}

/* Index of the last key `key` in map (go-yaml v2: the last one wins), or -1. */
static long
map_find(const struct node *map, const char *key)
{
	if (!map || map->kind != NK_MAP)
		return -1;
	for (size_t i = map->count; i >= 2; i -= 2)
		if (scalar_is(map->items[i - 2], key))
			return (long)(i - 2);
	return -1;
}

static const struct node *
map_get(const struct node *map, const char *key)
{
	long i = map_find(map, key);

	return i < 0 ? NULL : map->items[i + 1];
}

static bool
is_generated(const struct node *obj)
{
	const struct node *ann = map_get(map_get(obj, "metadata"), "annotations");

	return scalar_is(map_get(ann, GENERATED_KEY), "true");
}

static void
view_stream(const struct stream *s, struct view *v)
{
	const struct node *doc, *kind, *items;

	v->wrapper = NULL;
	v->wrapper_version = s->ndocs ? s->versions[0] : 0;
	v->roots = s->docs;
	v->versions = s->versions;
	v->n = s->ndocs;
	if (s->ndocs != 1)
		return;
	doc = s->docs[0];
	kind = map_get(doc, "kind");
	items = map_get(doc, "items");
	if (!scalar_is(kind, "ResourceList") && !scalar_is(kind, "List"))
		return;
	if (!items && !map_get(doc, "functionConfig"))
		return;
	if (items && items->kind == NK_SEQ) {
		v->roots = items->items;
		v->n = items->count;
	} else if (!items || is_null(items)) {
		v->roots = NULL;
		v->n = 0;
	} else {
		return;
	}
	v->versions = NULL;
	v->wrapper = doc;
}

/* Non-empty objects of v, without the generated ones if skip_generated. */
static void
collect(const struct view *v, bool skip_generated, struct objects *out)
{
	size_t index = 0;

	out->v = xrealloc(NULL, (v->n ? v->n : 1) * sizeof(*out->v));
	out->n = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct node *n = v->roots[i];

		if (is_null(n))
			continue;
		if (!skip_generated || !is_generated(n)) {
			out->v[out->n].node = n;
			out->v[out->n].index = index;
			out->v[out->n].version = v->versions ? v->versions[i]
							     : v->wrapper_version;
			out->n++;
		}
		index++;
	}
}

/* ---- messages ---- */

static void
print_text(FILE *f, const char *s, size_t len, size_t max)
{
	for (size_t i = 0; i < len && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", f);
		else if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	if (len > max)
		fputs("...", f);
}

static void
print_value(FILE *f, const struct node *n)
{
	if (n->kind == NK_SEQ) {
		fprintf(f, "a sequence of %zu items (line %zu)", n->count,
			n->line);
		return;
	}
	if (n->kind == NK_MAP) {
		fprintf(f, "a mapping of %zu keys (line %zu)", n->count / 2,
			n->line);
		return;
	}
	fputc('"', f);
	print_text(f, n->text, n->len, SHOW_MAX);
	fprintf(f, "\" (%s, line %zu)",
		n->type == ST_TAGGED ? n->tag : type_names[n->type], n->line);
}

static bool
is_simple_key(const struct node *k)
{
	return k->kind == NK_SCALAR && k->len > 0 &&
	       strspn(k->text, "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS "_-") == k->len;
}

static void
print_path(FILE *f, const struct cmp *c)
{
	if (c->depth == 0)
		fputc('.', f);
	for (size_t i = 0; i < c->depth; i++) {
		const struct seg *s = &c->path[i];

		if (s->kind == SEG_INDEX) {
			fprintf(f, "[%zu]", s->index);
		} else if (s->kind == SEG_KEY) {
			fprintf(f, "{key #%zu}", s->index);
		} else if (is_simple_key(s->key)) {
			fprintf(f, ".%s", s->key->text);
		} else if (s->key->kind == NK_SCALAR) {
			fputs("[\"", f);
			print_text(f, s->key->text, s->key->len, SHOW_MAX);
			fputs("\"]", f);
		} else {
			fprintf(f, "[{complex key #%zu}]", s->index);
		}
	}
}

/* Prints "yamlcheck: LABEL: PATH: "; the caller finishes the line. */
static void
report(const struct cmp *c)
{
	fprintf(stderr, "yamlcheck: %s: ", c->label);
	print_path(stderr, c);
	fputs(": ", stderr);
}

static void
field_text(char *buf, size_t size, const struct node *n)
{
	size_t len;

	if (!n || n->kind != NK_SCALAR || n->len == 0) {
		snprintf(buf, size, "-");
		return;
	}
	len = n->len < size - 1 ? n->len : size - 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)n->text[i];

		buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	buf[len] = '\0';
}

static void
object_name(char *buf, size_t size, const struct node *obj)
{
	char kind[128], name[256];

	field_text(kind, sizeof(kind), map_get(obj, "kind"));
	field_text(name, sizeof(name), map_get(map_get(obj, "metadata"), "name"));
	snprintf(buf, size, "%s/%s", kind, name);
}

/* ---- comparison ---- */

static bool
scalar_eq(const struct node *a, const struct node *b)
{
	return a->type == b->type && a->len == b->len &&
	       memcmp(a->text, b->text, a->len) == 0 &&
	       (a->type != ST_TAGGED || strcmp(a->tag, b->tag) == 0);
}

static int
push(struct cmp *c, enum seg_kind kind, size_t index, const struct node *key)
{
	if (c->depth == MAX_CMP_DEPTH) {
		report(c);
		fprintf(stderr, "nesting deeper than %d after alias expansion\n",
			MAX_CMP_DEPTH);
		return YC_ERROR;
	}
	c->path[c->depth].kind = kind;
	c->path[c->depth].index = index;
	c->path[c->depth].key = key;
	c->depth++;
	return YC_OK;
}

static int cmp_node(struct cmp *c, const struct node *a, const struct node *b);

static bool
same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Prints what of the node's writing differs: anchor, tag or style. */
static bool
cmp_form(const struct cmp *c, const struct node *a, const struct node *b)
{
	if (!same_text(a->anchor, b->anchor)) {
		report(c);
		fprintf(stderr, "anchor: IN &%s, OUT &%s\n",
			a->anchor ? a->anchor : "(none)",
			b->anchor ? b->anchor : "(none)");
		return true;
	}
	if (!same_text(a->explicit_tag, b->explicit_tag)) {
		report(c);
		fprintf(stderr, "explicit tag: IN %s, OUT %s\n",
			a->explicit_tag ? a->explicit_tag : "(none)",
			b->explicit_tag ? b->explicit_tag : "(none)");
		return true;
	}
	if (a->style != b->style) {
		report(c);
		fprintf(stderr, "style: IN %s, OUT %s\n", style_name(a->style),
			style_name(b->style));
		return true;
	}
	return false;
}

static int
cmp_child(struct cmp *c, enum seg_kind kind, size_t index,
	  const struct node *key, const struct node *a, const struct node *b)
{
	int rc = push(c, kind, index, key);

	if (rc)
		return rc;
	rc = cmp_node(c, a, b);
	c->depth--;
	return rc;
}

static int
cmp_seq(struct cmp *c, const struct node *a, const struct node *b)
{
	size_t n = a->count < b->count ? a->count : b->count;

	for (size_t i = 0; i < n; i++) {
		int rc = cmp_child(c, SEG_INDEX, i, NULL, a->items[i],
				   b->items[i]);

		if (rc)
			return rc;
	}
	if (a->count == b->count)
		return YC_OK;
	report(c);
	fprintf(stderr, "IN has %zu items, OUT has %zu\n", a->count, b->count);
	return YC_DIFF;
}

/* Key a->items[i] and its value against key b->items[j] and its value. */
static int
cmp_entry2(struct cmp *c, const struct node *a, size_t i, const struct node *b, size_t j)
{
	const struct node *ka = a->items[i], *kb = b->items[j];
	int rc;

	if (ka->kind == NK_SCALAR && kb->kind == NK_SCALAR) {
		if (!scalar_eq(ka, kb)) {
			report(c);
			fprintf(stderr, "key #%zu: IN ", i / 2);
			print_value(stderr, ka);
			fputs(" != OUT ", stderr);
			print_value(stderr, kb);
			fputc('\n', stderr);
			return YC_DIFF;
		}
	} else {
		rc = cmp_child(c, SEG_KEY, i / 2, NULL, ka, kb);
		if (rc)
			return rc;
	}
	return cmp_child(c, SEG_VALUE, i / 2, ka, a->items[i + 1],
			 b->items[j + 1]);
}

static int
cmp_entry(struct cmp *c, const struct node *a, const struct node *b, size_t i)
{
	return cmp_entry2(c, a, i, b, i);
}

static int cmp_map(struct cmp *c, const struct node *a, const struct node *b);

/* Is c at .spec.template.spec of an apps/v1 Deployment, StatefulSet or
 * ReplicaSet (the workloads workloadSpread edits), the same kind on both sides? */
static bool
at_pod_spec(const struct cmp *c)
{
	static const char *const keys[] = { "spec", "template", "spec" };
	const struct node *kind;

	if (c->depth != 3)
		return false;	/* most maps: nothing more to look up */
	kind = map_get(c->obj_in, "kind");
	if (!scalar_is(map_get(c->obj_in, "apiVersion"), "apps/v1") ||
	    !(scalar_is(kind, "Deployment") || scalar_is(kind, "StatefulSet") || scalar_is(kind, "ReplicaSet")) ||
	    !scalar_eq(kind, map_get(c->obj_out, "kind")))
		return false;
	for (size_t i = 0; i < 3; i++)
		if (c->path[i].kind != SEG_VALUE || !c->path[i].key ||
		    !scalar_is(c->path[i].key, keys[i]))
			return false;
	return true;
}

/* a and b are the same data (no forms), within depth d. */
static bool
same_data(const struct node *a, const struct node *b, int d)
{
	if (!a || !b || a->kind != b->kind || d > 64)
		return false;
	if (a->kind == NK_SCALAR)
		return scalar_eq(a, b);
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (!same_data(a->items[i], b->items[i], d + 1))
			return false;
	return true;
}

/* The constraint workloadSpread writes for topology key want on object obj: a
 * block mapping of exactly its fields, labelSelector the object's spec.selector. */
static bool
spread_entry(const struct node *n, const char *want, const struct node *obj)
{
	static const char *const fields[] = { "maxSkew", "topologyKey", "whenUnsatisfiable", "labelSelector",
					      "matchLabelKeys", "nodeTaintsPolicy" };

	if (!n || n->kind != NK_MAP || !scalar_is(map_get(n, "topologyKey"), want) ||
	    !scalar_is(map_get(n, "nodeTaintsPolicy"), "Honor") ||
	    !same_data(map_get(n, "labelSelector"), map_get(map_get(obj, "spec"), "selector"), 0))
		return false;
	for (size_t i = 0; i < n->count; i += 2) {
		size_t f = 0;

		while (f < 6 && !scalar_is(n->items[i], fields[f]))
			f++;
		if (f == 6 || map_find(n, fields[f]) != (long)i)
			return false;	/* another field, or one twice */
	}
	return true;
}

/* The entries of seq from `from` on are what workloadSpread adds: a hostname
 * constraint, a zone constraint, or the one then the other. */
static bool
spread_tail(const struct node *seq, size_t from, const struct node *obj)
{
	size_t i = from;

	if (i < seq->count && spread_entry(seq->items[i], "kubernetes.io/hostname", obj))
		i++;
	if (i < seq->count && spread_entry(seq->items[i], "topology.kubernetes.io/zone", obj))
		i++;
	return i == seq->count;
}

/* --spread: constraint lists a and b (either may be NULL: the key is only on
 * one side) agree on their common prefix, and what one has beyond it is a
 * tail of ours. */
static int
cmp_spread_value(struct cmp *c, const struct node *key, size_t index,
		 const struct node *a, const struct node *b)
{
	const struct node *longer = a && b ? (a->count > b->count ? a : b) : a ? a : b;
	size_t n = a && b ? (a->count < b->count ? a->count : b->count) : 0;
	int rc;

	if (a && b && (a->kind != NK_SEQ || b->kind != NK_SEQ))
		return cmp_child(c, SEG_VALUE, index, key, a, b);	/* not ours: as usual */
	if ((rc = push(c, SEG_VALUE, index, key)))
		return rc;
	if (longer->kind != NK_SEQ) {
		report(c);
		fprintf(stderr, "only in %s, and not a sequence\n", longer == a ? "IN" : "OUT");
		return YC_DIFF;
	}
	if (a && b && cmp_form(c, a, b))
		return YC_DIFF;
	for (size_t i = 0; i < n; i++)
		if ((rc = cmp_child(c, SEG_INDEX, i, NULL, a->items[i], b->items[i])))
			return rc;
	if (!spread_tail(longer, n, longer == a ? c->obj_in : c->obj_out)) {
		report(c);
		fprintf(stderr, "items %zu to %zu, only in %s, are not the constraints workloadSpread writes\n",
			n, longer->count - 1, longer == a ? "IN" : "OUT");
		return YC_DIFF;
	}
	c->depth--;
	return YC_OK;
}

/* How many keys of map are the scalar s. */
static size_t
count_key(const struct node *map, const char *s)
{
	size_t k = 0;

	for (size_t i = 0; i < map->count; i += 2)
		k += scalar_is(map->items[i], s);
	return k;
}

/* --spread at a workload's pod spec: the keys other than
 * topologySpreadConstraints pair up in order (compared as cmp_entry does); that
 * key keeps its place when it is on both sides (where only one side has it, any
 * place: kpt moves it after "containers") and its values compare by
 * cmp_spread_value. A mapping with the key twice compares as usual. */
static int
cmp_pod_spec(struct cmp *c, const struct node *a, const struct node *b)
{
	const char *tsc = "topologySpreadConstraints";
	long ia = map_find(a, tsc), ib = map_find(b, tsc);
	size_t i = 0, j = 0;
	int rc;

	if (count_key(a, tsc) > 1 || count_key(b, tsc) > 1 || (ia >= 0 && ib >= 0 && ia != ib))
		return cmp_map(c, a, b);
	for (;;) {
		if ((long)i == ia)
			i += 2;
		if ((long)j == ib)
			j += 2;
		if (i >= a->count || j >= b->count)
			break;
		if ((rc = cmp_entry2(c, a, i, b, j)))
			return rc;
		i += 2;
		j += 2;
	}
	if (i < a->count || j < b->count) {
		report(c);
		fputs("key ", stderr);
		print_value(stderr, i < a->count ? a->items[i] : b->items[j]);
		fprintf(stderr, " is only in %s\n", i < a->count ? "IN" : "OUT");
		return YC_DIFF;
	}
	if (ia < 0 && ib < 0)
		return YC_OK;
	return cmp_spread_value(c, ia >= 0 ? a->items[ia] : b->items[ib],
				(size_t)(ia >= 0 ? ia : ib) / 2,
				ia >= 0 ? a->items[ia + 1] : NULL,
				ib >= 0 ? b->items[ib + 1] : NULL);
}

static int
cmp_map(struct cmp *c, const struct node *a, const struct node *b)
{
	size_t n = a->count < b->count ? a->count : b->count;
	const struct node *longer = a->count > b->count ? a : b;

	for (size_t i = 0; i < n; i += 2) {
		int rc = cmp_entry(c, a, b, i);

		if (rc)
			return rc;
	}
	if (a->count == b->count)
		return YC_OK;
	report(c);
	fputs("key ", stderr);
	print_value(stderr, longer->items[n]);
	fprintf(stderr, " is only in %s\n", longer == a ? "IN" : "OUT");
	return YC_DIFF;
}

static int
cmp_node(struct cmp *c, const struct node *a, const struct node *b)
{
	if (++c->visits > c->budget) {
		report(c);
		fprintf(stderr, "more than %lu node visits: alias expansion too large\n",
			c->budget);
		return YC_ERROR;
	}
	if (a->kind != b->kind ||
	    (a->kind == NK_SCALAR && !scalar_eq(a, b))) {
		report(c);
		fputs("IN ", stderr);
		print_value(stderr, a);
		fputs(" != OUT ", stderr);
		print_value(stderr, b);
		fputc('\n', stderr);
		return YC_DIFF;
	}
	if (c->form && cmp_form(c, a, b))
		return YC_DIFF;
	if (a->kind == NK_SEQ)
		return cmp_seq(c, a, b);
	if (a->kind == NK_MAP && c->spread && at_pod_spec(c))
		return cmp_pod_spec(c, a, b);
	if (a->kind == NK_MAP)
		return cmp_map(c, a, b);
	return YC_OK;
}

static const char *
view_kind(const struct view *v)
{
	return v->wrapper ? map_get(v->wrapper, "kind")->text : "a plain stream";
}

/* Compares field `key` of two wrappers when IN has it. */
static int
cmp_wrapper_field(struct cmp *c, const struct view *in, const struct view *out,
		  const char *key)
{
	long i = map_find(in->wrapper, key);
	const struct node *b = map_get(out->wrapper, key);

	if (i < 0)
		return YC_OK;
	c->label = view_kind(in);
	c->depth = 0;
	c->form = strcmp(key, "functionConfig") == 0;	/* copied as bytes */
	if (!b) {
		fprintf(stderr, "yamlcheck: %s: .%s: missing from OUT\n",
			c->label, key);
		return YC_DIFF;
	}
	return cmp_child(c, SEG_VALUE, (size_t)i / 2, in->wrapper->items[i],
			 in->wrapper->items[i + 1], b);
}

static int
cmp_wrappers(struct cmp *c, const struct view *in, const struct view *out)
{
	static const char *const fields[] = { "apiVersion", "kind", "functionConfig" };

	if (!in->wrapper && !out->wrapper)
		return YC_OK;
	if (!in->wrapper || !out->wrapper) {
		fprintf(stderr, "yamlcheck: IN is %s but OUT is %s\n",
			view_kind(in), view_kind(out));
		return YC_DIFF;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		int rc = cmp_wrapper_field(c, in, out, fields[i]);

		if (rc)
			return rc;
	}
	return YC_OK;
}

static int
report_unmatched(const char *side, const struct object *o, size_t matched)
{
	char name[512];

	object_name(name, sizeof(name), o->node);
	fprintf(stderr, "yamlcheck: object #%zu (%s) of %s has no counterpart "
		"(%zu objects matched)\n", o->index, name, side, matched);
	return YC_DIFF;
}

static int
cmp_objects(struct cmp *c, const struct objects *in, const struct objects *out)
{
	size_t n = in->n < out->n ? in->n : out->n;
	char a[512], b[512], label[1100];

	for (size_t i = 0; i < n; i++) {
		int rc;

		object_name(a, sizeof(a), in->v[i].node);
		object_name(b, sizeof(b), out->v[i].node);
		if (strcmp(a, b) == 0)
			snprintf(label, sizeof(label), "object #%zu (%s, OUT #%zu)",
				 in->v[i].index, a, out->v[i].index);
		else
			snprintf(label, sizeof(label),
				 "object #%zu (%s; OUT #%zu is %s)",
				 in->v[i].index, a, out->v[i].index, b);
		c->label = label;
		c->obj_in = in->v[i].node;
		c->obj_out = out->v[i].node;
		c->depth = 0;
		c->form = true;
		if (in->v[i].version != out->v[i].version) {
			fprintf(stderr, "yamlcheck: %s: its document's %%YAML "
				"version: IN %d.%d, OUT %d.%d (0.0: none)\n", label,
				in->v[i].version / 10, in->v[i].version % 10,
				out->v[i].version / 10, out->v[i].version % 10);
			return YC_DIFF;
		}
		rc = cmp_node(c, in->v[i].node, out->v[i].node);
		if (rc)
			return rc;
	}
	if (in->n > n)
		return report_unmatched("IN", &in->v[n], n);
	if (out->n > n)
		return report_unmatched("OUT (not marked generated)",
					&out->v[n], n);
	return YC_OK;
}

/* ---- commands ---- */

static int
compare_streams(const struct stream *sin, const struct stream *sout, bool spread)
{
	struct view vin, vout;
	struct objects oin, oout;
	struct cmp *c = xrealloc(NULL, sizeof(*c));
	int rc;

	c->visits = 0;
	c->spread = spread;
	c->obj_in = c->obj_out = NULL;	/* the wrappers are compared before any object */
	c->budget = sin->nodes + sout->nodes + ALIAS_BUDGET;
	view_stream(sin, &vin);
	view_stream(sout, &vout);
	rc = cmp_wrappers(c, &vin, &vout);
	if (rc == YC_OK) {
		collect(&vin, true, &oin);
		collect(&vout, true, &oout);
		rc = cmp_objects(c, &oin, &oout);
		free(oin.v);
		free(oout.v);
	}
	free(c);
	return rc;
}

static int
cmd_fidelity(const char *in, const char *out, bool spread)
{
	struct stream sin, sout;
	int rc = YC_ERROR;

	memset(&sout, 0, sizeof(sout));
	if (load_stream(in, &sin) == LOAD_OK && load_stream(out, &sout) == LOAD_OK)
		rc = compare_streams(&sin, &sout, spread);
	stream_free(&sin);
	stream_free(&sout);
	return rc;
}

static int
cmd_parse(const char *path)
{
	struct stream s;
	int rc = load_stream(path, &s);

	stream_free(&s);
	return rc == LOAD_OK ? YC_OK : rc == LOAD_SYNTAX ? YC_DIFF : YC_ERROR;
}

static void
print_docs(const struct objects *objs)
{
	char api[256], kind[256], ns[256], name[256];

	for (size_t i = 0; i < objs->n; i++) {
		const struct node *o = objs->v[i].node;
		const struct node *meta = map_get(o, "metadata");

		field_text(api, sizeof(api), map_get(o, "apiVersion"));
		field_text(kind, sizeof(kind), map_get(o, "kind"));
		field_text(ns, sizeof(ns), map_get(meta, "namespace"));
		field_text(name, sizeof(name), map_get(meta, "name"));
		printf("%zu\t%s\t%s\t%s\t%s\t%d\n", objs->v[i].index, api, kind,
		       ns, name, is_generated(o));
	}
}

static int
cmd_docs(const char *path)
{
	struct stream s;
	struct view v;
	struct objects objs;
	int rc = YC_ERROR;

	if (load_stream(path, &s) == LOAD_OK) {
		view_stream(&s, &v);
		collect(&v, false, &objs);
		print_docs(&objs);
		free(objs.v);
		rc = YC_OK;
	}
	stream_free(&s);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("yamlcheck: writing output failed\n", stderr);
		rc = YC_ERROR;
	}
	return rc;
}

static int
usage(void)
{
	fputs("usage: yamlcheck fidelity [--spread] IN OUT\n"
	      "       yamlcheck parse FILE\n"
	      "       yamlcheck docs FILE\n", stderr);
	return YC_ERROR;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "fidelity") == 0)
		return cmd_fidelity(argv[2], argv[3], false);
	if (argc == 5 && strcmp(argv[1], "fidelity") == 0 &&
	    strcmp(argv[2], "--spread") == 0)
		return cmd_fidelity(argv[3], argv[4], true);
	if (argc == 3 && strcmp(argv[1], "parse") == 0)
		return cmd_parse(argv[2]);
	if (argc == 3 && strcmp(argv[1], "docs") == 0)
		return cmd_docs(argv[2]);
	return usage();
}
