/* cfgfields.h - the table of configuration fields (internal to config*.c,
 * cfg*.c and completion.c). One row per field: its path, type, default,
 * allowed values and help; the same row feeds the parser, --help,
 * --print-defaults, --schema, the "did you mean" hints and the shell
 * completions, so documentation and behaviour cannot drift apart.
 */
#ifndef CFGFIELDS_H
#define CFGFIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "k8svalid.h"

enum ftype {
	F_STR,		/* string, optionally checked */
	F_ENUM,		/* one of allowed */
	F_INT,		/* integer in [min, max] */
	F_BOOL,
	F_LIST,		/* list of strings, each checked; "allowed" tokens pass unchecked */
	F_SET,		/* list of distinct strings from allowed */
	F_OBJECT,	/* a YAML mapping, kept as a tree */
	F_OBJLIST,	/* a YAML list of mappings */
};

/* A check fills *why with what is allowed and returns -1 when s is bad. */
typedef int (*fcheck)(const char *s, const char **why);

struct field {
	const char *path;	/* dotted, under spec */
	enum ftype type;
	size_t off;		/* into struct config */
	const char *def;	/* default, as YAML text */
	const char *allowed;	/* "a|b|c" for F_ENUM, F_SET; special tokens for F_LIST */
	fcheck check;
	long min, max;
	const char *help;
	kv_check ocheck;	/* F_OBJECT, F_OBJLIST: Kubernetes' validation of the place it goes */
};

struct config;
struct ynode;

/* Where a value came from, for messages (config.c, cfgload.c). */
struct origin {
	const char *file, *src;
	size_t srclen;
	const char *prefix;	/* "spec." for documents, "" for --set and ConfigMap data */
};

/* An error at node at (its line:col, if any) in field f (or path). */
void cfg_report(const struct origin *o, struct ynode *at, const struct field *f, const char *path,
		const char *fmt, const char *value, const char *why);
/* v, checked, into f's member of c, remembering where it came from. 0 or -1 (reported). */
int cfg_field_set(struct config *c, const struct field *f, struct ynode *v, const struct origin *o);
/* Where the field of path field ("spec.tls.duration") was set, .field = field. */
struct where cfg_at(const struct config *c, const char *field);

extern const struct field config_fields[];
extern const size_t config_nfields;

const struct field *field_find(const char *path);
/* Is path a group (a proper prefix of some field path)? */
int field_is_group(const char *path, size_t len);
/* "a|b|c" as "a, b, c"; the caller frees it. */
char *field_allowed_text(const char *allowed);

int check_dns_label(const char *s, const char **why);
int check_dns_label_or_empty(const char *s, const char **why);
int check_platform(const char *s, const char **why);
int check_dns_subdomain(const char *s, const char **why);
int check_dns_subdomain_or_empty(const char *s, const char **why);
int check_image(const char *s, const char **why);
int check_quantity(const char *s, const char **why);
int check_duration(const char *s, const char **why);
int check_rfc3339(const char *s, const char **why);
int check_cidr(const char *s, const char **why);
int check_ip_or_empty(const char *s, const char **why);
int check_abs_path(const char *s, const char **why);
int check_cache_credential(const char *s, const char **why);
int check_host(const char *s, const char **why);
int check_preload(const char *s, const char **why);
int check_nonempty(const char *s, const char **why);
int check_file_path(const char *s, const char **why);
/* Is f a file name (tls.caCertFile, tls.caKeyFile)? */
int field_is_file(const struct field *f);
/* The field path or group closest to path (a typo, another case), or NULL
 * when none is close: for "did you mean" (cfgsuggest.c). */
const char *field_suggest(const char *path);
int check_k8s_name_or_empty(const char *s, const char **why);
/* Rules across the entries v[0..n) of list field f (entries already checked
 * one by one): 0, or -1 with *bad the entry at fault (n: the list as a whole)
 * and *why what the entry must be ("alone", "given once: ..."). */
int field_list_check(const struct field *f, char *const *v, size_t n, size_t *bad, const char **why);
/* A Go duration (no sign) in nanoseconds; -1 if not one or above 2^63-1 ns. */
int duration_ns(const char *s, uint64_t *ns);

#endif
