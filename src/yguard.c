/* yguard.c - libfyaml 0.7.12's token-less errors, its indentation leniency
 * at the end of a document and where an implicit document begins (see
 * yguard.h). */
#include "yguard.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* A blank or a line break (what strchr(" \t\r\n", c) found, without the call:
 * explicit_key() runs it on every byte of indentation before every key). The
 * text holds no NUL (yload.c refuses one). */
static inline bool
is_space_or_break(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* libfyaml collects the errors it can pin to a token; the others reach this
 * output function as "<line:col>: msg" (0-based, where its scanner was).
 * Keep the first. */
static void
keep_first(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	struct yguard *g = user;
	char text[sizeof(g->msg) + 32];
	int line, col, skip = 0;
	size_t n = len < sizeof(text) - 1 ? len : sizeof(text) - 1;

	(void)diag;
	if (g->msg[0])
		return;
	memcpy(text, buf, n);
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	if (sscanf(text, "<%d:%d>: %n", &line, &col, &skip) == 2 && skip > 0 && line >= 0 && col >= 0) {
		g->msg_line = line + 1;
		g->msg_col = col + 1;
	}
	snprintf(g->msg, sizeof(g->msg), "%s", text + skip);
}

void
yguard_init(struct yguard *g, const char *buf, size_t len, struct fy_diag_cfg *dcfg)
{
	memset(g, 0, sizeof(*g));
	g->buf = buf;
	g->len = len;
	dcfg->fp = NULL;
	dcfg->output_fn = keep_first;
	dcfg->user = g;
	dcfg->colorize = false;
	dcfg->show_source = false;
	dcfg->show_position = true;
	dcfg->show_type = false;
	dcfg->show_module = false;
}

void
yguard_forget_message(struct yguard *g)
{
	g->msg[0] = '\0';
	g->msg_line = g->msg_col = 0;
}

void
yguard_set_text(struct yguard *g, const char *buf, size_t len)
{
	g->buf = buf;
	g->len = len;
	g->depth = 0;
}

/* Does the 1-based line begin with '%' (a directive)? */
static bool
directive_line(const struct yguard *g, int line)
{
	const char *p = g->buf, *end = g->buf + g->len;

	while (--line > 0 && p < end)
		p = line_next(p, end);
	return p < end && *p == '%';
}

/* A directive is read to the end of its line: the scanner is then on its
 * line or at the start of the next one. */
const char *
yguard_untokened(const struct yguard *g, int *line, int *col, char *text, size_t size)
{
	static const char version[] = "unsupport version number ";
	int at;

	if (!g->msg[0] || !g->msg_line)
		return NULL;
	*line = g->msg_line;
	*col = g->msg_col;
	at = g->msg_col == 1 && g->msg_line > 1 ? g->msg_line - 1 : g->msg_line;
	if (directive_line(g, at)) {
		*line = at;
		*col = 1;
	}
	if (strncmp(g->msg, version, sizeof(version) - 1) != 0)
		return g->msg;
	snprintf(text, size, "%%YAML %s: unsupported YAML version (1.1, 1.2 and 1.3 are read)",
		 g->msg + sizeof(version) - 1);
	return text;
}

/* Where a node begins: its anchor or tag if they come first (0-based), in
 * *out. libfyaml marks an anchor (&name) and an alias (*name) at the name:
 * the indicator before it is where they begin. */
static const struct fy_mark *
node_start(const struct yguard *g, const struct yev *e, struct fy_mark *out)
{
	struct fy_event *ev = e->ev;
	const struct fy_mark *m = e->sm, *t;
	struct fy_token *tok[2] = { NULL, NULL };
	char ind = ev->type == FYET_ALIAS ? '*' : 0;

	if (ev->type == FYET_SCALAR) {
		tok[0] = ev->scalar.anchor;
		tok[1] = ev->scalar.tag;
	} else if (ev->type == FYET_MAPPING_START) {
		tok[0] = ev->mapping_start.anchor;
		tok[1] = ev->mapping_start.tag;
	} else if (ev->type == FYET_SEQUENCE_START) {
		tok[0] = ev->sequence_start.anchor;
		tok[1] = ev->sequence_start.tag;
	}
	for (int i = 0; i < 2; i++)
		if (tok[i] && (t = fy_token_start_mark(tok[i])) != NULL && (!m || t->input_pos < m->input_pos)) {
			m = t;
			ind = i == 0 ? '&' : 0;
		}
	if (!m)
		return NULL;
	*out = *m;
	if (ind && out->input_pos > 0 && out->input_pos <= g->len && g->buf[out->input_pos - 1] == ind &&
	    out->column > 0) {
		out->input_pos--;
		out->column--;
	}
	return out;
}

/* Only blanks between the start of its line and m? (": value" is an
 * explicit key's value, "- " an item's) */
static bool
first_on_line(const struct yguard *g, const struct fy_mark *m)
{
	const char *b = g->buf;
	size_t i = m->input_pos <= g->len ? m->input_pos : 0;

	for (; i > 0 && b[i - 1] != '\n' && b[i - 1] != '\r'; i--)
		if (b[i - 1] != ' ')
			return false;
	return true;
}

/* The column a key counts from (0-based): an explicit key's "?". */
static int
key_column(const struct yguard *g, const struct fy_mark *m)
{
	const char *b = g->buf;
	size_t i = m->input_pos <= g->len ? m->input_pos : 0;

	while (i > 0 && b[i - 1] == ' ')
		i--;
	if (i > 0 && b[i - 1] == '?')
		return m->column - (int)(m->input_pos - i) - 1;
	return m->column;
}

/* Is m, on a line below the key and first on it, not indented more than
 * the key (or less, for a block sequence)? */
static bool
below_key(const struct yguard *g, const struct yguard_level *p, const struct fy_mark *m, bool block_seq)
{
	int key_col;

	if (!m || (p->key_line >= 0 && m->line <= p->key_line))
		return false;
	/* right of the key's own column is right of its "?" too: no need to
	 * look back over the key's indentation (deep in a CRD, tens of bytes) */
	if (p->key_line >= 0 && m->column > p->key_mark.column)
		return false;
	key_col = p->key_line >= 0 ? key_column(g, &p->key_mark) : p->key_col;
	if (m->column > key_col || (m->column == key_col && block_seq))
		return false;
	return first_on_line(g, m);
}

/* A literal or folded scalar: marked where its text starts, below its
 * indicator line. */
static bool
block_scalar(struct yev *e)
{
	enum fy_scalar_style ss = yev_ss(e);

	return ss == FYSS_LITERAL || ss == FYSS_FOLDED;
}

/* A value of a block mapping placed so: where it begins (its anchor or
 * tag) or where its content does, on a later line than those. */
static bool
misplaced(const struct yguard *g, const struct yguard_level *p, struct yev *e, const struct fy_mark *start)
{
	bool block_seq;

	if (!p->map || !p->block || !p->value || p->key_line == -1)
		return false;
	/* a block scalar is marked where its text starts, below its "|" or ">"
	 * (which libfyaml checks): only its anchor or tag is */
	if (block_scalar(e))
		return start && e->sm && start->input_pos != e->sm->input_pos && below_key(g, p, start, false);
	block_seq = e->ev->type == FYET_SEQUENCE_START && e->ns == FYNS_BLOCK;
	return below_key(g, p, start, block_seq) || below_key(g, p, e->sm, block_seq);
}

/* A key whose text begins on a line below its tag or anchor ("? !t" then
 * "t" under the "?"), not indented more than the key: libfyaml takes it at
 * the end of a document and refuses it when anything follows. */
static bool
key_content_misplaced(const struct yguard *g, const struct yev *e, const struct fy_mark *start)
{
	const struct fy_mark *content = e->sm;

	if (!start || !content || content->line <= start->line)
		return false;
	return content->column <= key_column(g, start) && first_on_line(g, content);
}

/* Is the key whose node begins at m explicit: a "?" before it, with only
 * blanks and line breaks between (and the opening quote of a quoted key,
 * which m follows); on a line above it, a "?" indented less than the key
 * ("?" then a key at its column is an empty explicit key, then another). */
static bool
explicit_key(const struct yguard *g, struct yev *e, const struct fy_mark *m)
{
	const char *b = g->buf;
	size_t i = m->input_pos <= g->len ? m->input_pos : 0, q, ls;
	bool below = false;

	if (i > 0 && (b[i - 1] == '"' || b[i - 1] == '\'') && yev_ss(e) > FYSS_PLAIN)	/* (a scalar's, with a value) */
		i--;
	while (i > 0 && is_space_or_break(b[i - 1])) {
		below |= b[i - 1] == '\n' || b[i - 1] == '\r';
		i--;
	}
	if (i == 0 || b[i - 1] != '?')
		return false;
	q = i - 1;
	for (ls = q; ls > 0 && b[ls - 1] != '\n' && b[ls - 1] != '\r'; ls--)
		;
	return !below || (size_t)m->column > q - ls;
}

/* An implicit key of a block mapping (a scalar or an alias) with no ':'
 * after it on its line: libfyaml takes it at the end of a document (a key
 * with a null value) and refuses it when anything follows, so copied bytes
 * followed by ours would not parse. */
static bool
key_without_colon(const struct yguard *g, struct yev *e, const struct fy_mark *start)
{
	const struct fy_mark *end;
	size_t i;

	if ((e->ev->type != FYET_SCALAR && e->ev->type != FYET_ALIAS) || !start || !(end = yev_em(e)) || !e->sm ||
	    end->input_pos <= e->sm->input_pos)
		return false;
	i = end->input_pos;
	if (i < g->len && (g->buf[i] == '"' || g->buf[i] == '\'') && yev_ss(e) > FYSS_PLAIN)
		i++;	/* a quoted scalar ends at its closing quote */
	for (; i < g->len && (g->buf[i] == ' ' || g->buf[i] == '\t'); i++)
		;
	/* (the ':' first: it follows nearly every key, and explicit_key() looks back) */
	return (i >= g->len || g->buf[i] != ':') && !explicit_key(g, e, start);
}

/* Only blanks before m on its line, a tab among them? libfyaml refuses a tab
 * as indentation, except before a root after "..." and blank lines. */
static bool
tab_indented(const struct yguard *g, const struct fy_mark *m)
{
	bool tab = false;

	for (size_t i = m->input_pos; i > 0 && i <= g->len; i--) {
		char c = g->buf[i - 1];

		if (c == '\n' || c == '\r')
			break;
		if (c != ' ' && c != '\t')
			return false;
		tab |= c == '\t';
	}
	return tab;
}

/* An entry of a block sequence whose content begins on a line below its "-"
 * (only blanks and line breaks between), not indented more than the "-":
 * libfyaml takes it at the end of a document and refuses it when anything
 * follows. */
static bool
entry_below_dash(const struct yguard *g, const struct fy_mark *m)
{
	size_t i = m->input_pos, dash, ls;
	bool below = false;

	if (!first_on_line(g, m))
		return false;
	while (i > 0 && i <= g->len && is_space_or_break(g->buf[i - 1])) {
		below |= g->buf[i - 1] == '\n' || g->buf[i - 1] == '\r';
		i--;
	}
	if (!below || i == 0 || i > g->len || g->buf[i - 1] != '-')
		return false;
	dash = i - 1;
	if (dash > 0 && !is_space_or_break(g->buf[dash - 1]))
		return false;	/* not an indicator: "|-", "a-" */
	for (ls = dash; ls > 0 && g->buf[ls - 1] != '\n' && g->buf[ls - 1] != '\r'; ls--)
		;
	return (size_t)m->column <= dash - ls;
}

/* The anchor (or an alias's name) of ev, or NULL. */
static struct fy_token *
event_anchor(struct fy_event *ev)
{
	switch (ev->type) {
	case FYET_SCALAR:
		return ev->scalar.anchor;
	case FYET_ALIAS:
		return ev->alias.anchor;
	case FYET_MAPPING_START:
		return ev->mapping_start.anchor;
	case FYET_SEQUENCE_START:
		return ev->sequence_start.anchor;
	default:
		return NULL;
	}
}

/* go-yaml (libyaml's scanner) ends an anchor or alias name at the first
 * character that is not an ASCII letter, digit, '-' or '_'; YAML 1.2 and
 * libfyaml take any but blanks and flow indicators. A name with another
 * character ("&a:" before a value) reads as different data in the two (go-
 * yaml: an anchored empty key), so it is refused, at the character. */
static bool
anchor_foreign(struct fy_event *ev, int *line, int *col)
{
	struct fy_token *tok = event_anchor(ev);
	const struct fy_mark *m = tok ? fy_token_start_mark(tok) : NULL;
	size_t len = 0, i;
	const char *name = tok ? fy_token_get_text(tok, &len) : NULL;

	if (!name || !m)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!(c == '-' || c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			break;
	}
	if (i == len)
		return false;
	*line = m->line + 1;
	*col = m->column + 1 + (int)i;	/* the mark is after the '&' or '*'; ASCII up to here */
	return true;
}

static struct fy_token *
event_tag(struct fy_event *ev)
{
	switch (ev->type) {
	case FYET_SCALAR:
		return ev->scalar.tag;
	case FYET_MAPPING_START:
		return ev->mapping_start.tag;
	case FYET_SEQUENCE_START:
		return ev->sequence_start.tag;
	default:
		return NULL;
	}
}

/* go-yaml (libyaml's scanner) reads ',', '[' and ']' as part of a
 * shorthand tag ("!a,b"); YAML 1.2 and libfyaml end the tag there, so in a
 * flow collection the two read other data ("[!t, x]": go-yaml one entry
 * tagged "!t,"). Refused at the character; a verbatim tag (!<...>) ends at
 * its '>' in both. */
static bool
tag_foreign(const struct yguard *g, struct fy_event *ev, int *line, int *col)
{
	struct fy_token *tok = event_tag(ev);
	const struct fy_mark *s = tok ? fy_token_start_mark(tok) : NULL, *e = tok ? fy_token_end_mark(tok) : NULL;
	char c;

	if (!s || !e || e->input_pos >= g->len || s->input_pos + 1 >= g->len)
		return false;
	if (g->buf[s->input_pos] == '!' && g->buf[s->input_pos + 1] == '<')
		return false;
	c = g->buf[e->input_pos];
	if (c != ',' && c != '[' && c != ']')
		return false;
	*line = e->line + 1;
	*col = e->column + 1;
	return true;
}

/* The key of e has no ':' after it on its line: the message, at its end. */
static int
no_colon_at(struct yev *e, int *line, int *col, const char **msg)
{
	const struct fy_mark *m = yev_em(e);

	*line = m->line + 1;
	*col = m->column + 1;
	*msg = "could not find expected ':' (a key of a block mapping is followed by ':' on its line)";
	return -1;
}

/* yguard_event() on a scalar key of a block mapping (any style, a block
 * scalar after '?' too) with neither anchor nor tag: of its checks only
 * key_without_colon() can find anything (the key begins where its content
 * does, and is no value); then the key is noted as they note it. */
static int
bare_key(const struct yguard *g, struct yguard_level *p, struct yev *e, int *line, int *col, const char **msg)
{
	const struct fy_mark *m = e->sm;

	if (key_without_colon(g, e, m))
		return no_colon_at(e, line, col, msg);
	p->value = true;
	p->key_line = m->line;
	p->key_col = -1;
	p->key_mark = *m;
	return 0;
}

int
yguard_event(struct yguard *g, struct yev *e, int *line, int *col, const char **msg)
{
	struct fy_event *ev = e->ev;
	struct yguard_level *p = g->depth && g->depth <= YGUARD_DEPTH ? &g->lv[g->depth - 1] : NULL;
	const struct fy_mark *m;
	struct fy_mark ms;

	/* the most common node: a scalar on its key's line, no anchor, no tag:
	 * nothing below can hold (the checks are for what begins below a key,
	 * and for keys) */
	if (ev->type == FYET_SCALAR && p && p->map && p->value && e->sm && e->sm->line == p->key_line &&
	    !ev->scalar.anchor && !ev->scalar.tag) {
		p->value = false;
		return 0;
	}
	/* the next most common: a scalar key of a block mapping, no anchor, no
	 * tag (bare_key()) */
	if (ev->type == FYET_SCALAR && p && p->map && p->block && !p->value && e->sm && !ev->scalar.anchor &&
	    !ev->scalar.tag)
		return bare_key(g, p, e, line, col, msg);
	switch (ev->type) {
	case FYET_DOCUMENT_START:
		g->depth = 0;
		return 0;
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		g->depth -= g->depth > 0;
		return 0;
	case FYET_SCALAR:
	case FYET_ALIAS:
	case FYET_MAPPING_START:
	case FYET_SEQUENCE_START:
		break;
	default:
		return 0;
	}
	if (anchor_foreign(ev, line, col)) {
		*msg = "invalid anchor or alias name: Helm and kubectl (go-yaml) end a name at the first character "
		       "that is not a letter, digit, '-' or '_', and would read other data; use only those";
		return -1;
	}
	if (tag_foreign(g, ev, line, col)) {
		*msg = "a tag ends at ',', '[' or ']' for YAML 1.2 readers, while Helm and kubectl (go-yaml) read them "
		       "as part of it, and so other data; put a space after the tag";
		return -1;
	}
	m = node_start(g, e, &ms);
	if (!p && g->depth == 0 && m && tab_indented(g, m)) {
		*line = m->line + 1;
		*col = m->column + 1;
		*msg = "invalid tab as indentation of the document's root (YAML indents with spaces only)";
		return -1;
	}
	if (p && misplaced(g, p, e, m)) {
		if (!below_key(g, p, m, false))
			m = e->sm;	/* its content */
		*line = m->line + 1;
		*col = m->column + 1;
		*msg = "could not find expected ':' (a value on a line of its own must be indented more than its key)";
		return -1;
	}
	if (p && p->map && p->block && !p->value && key_content_misplaced(g, e, m) && !block_scalar(e)) {
		m = e->sm;
		*line = m->line + 1;
		*col = m->column + 1;
		*msg = "could not find expected ':' (a key's text below its tag or anchor must be indented more than the key)";
		return -1;
	}
	if (p && !p->map && p->block && m && entry_below_dash(g, m) && !block_scalar(e)) {
		*line = m->line + 1;
		*col = m->column + 1;
		*msg = "invalid entry (its content on a line below its '-' must be indented more than the '-')";
		return -1;
	}
	if (p && p->map && p->block && !p->value && key_without_colon(g, e, m))
		return no_colon_at(e, line, col, msg);
	if (p && p->map) {
		p->value = !p->value;
		if (p->value) {		/* this node is a key */
			bool scalar = ev->type == FYET_SCALAR || ev->type == FYET_ALIAS;

			p->key_line = scalar && m ? m->line : scalar ? -2 : -1;
			p->key_col = scalar && !m ? p->col : -1;
			if (scalar && m)
				p->key_mark = *m;
		}
	}
	if (ev->type == FYET_MAPPING_START || ev->type == FYET_SEQUENCE_START) {
		if (g->depth < YGUARD_DEPTH) {
			struct yguard_level *n = &g->lv[g->depth];

			n->map = ev->type == FYET_MAPPING_START;
			n->block = e->ns == FYNS_BLOCK;
			n->value = false;
			n->key_line = n->key_col = -1;
			n->col = e->sm ? e->sm->column : 0;	/* its first key's */
		}
		g->depth++;
	}
	return 0;
}

/* The start of pos's line if only blanks come before pos on it, else pos. */
static size_t
line_start(const struct yguard *g, size_t pos)
{
	size_t i = pos;

	while (i > 0 && i <= g->len && g->buf[i - 1] == ' ')
		i--;
	return i == 0 || (i <= g->len && (g->buf[i - 1] == '\n' || g->buf[i - 1] == '\r')) ? i : pos;
}

/* After the last "..." line in [from, to), or from. */
static size_t
after_end_markers(const struct yguard *g, size_t from, size_t to)
{
	for (size_t p = from; p < to;) {
		size_t next = (size_t)(line_next(g->buf + p, g->buf + to) - g->buf);

		if (next - p >= 3 && !memcmp(g->buf + p, "...", 3) &&
		    (next - p == 3 || is_space_or_break(g->buf[p + 3])))
			from = next;
		p = next;
	}
	return from;
}

size_t
yguard_doc_start(const struct yguard *g, size_t start, size_t root)
{
	if (start == SIZE_MAX)
		return line_start(g, root);
	return root > start ? after_end_markers(g, start, root) : start;
}
