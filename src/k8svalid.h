/* k8svalid.h - Kubernetes' own validation of what the configuration copies
 * into generated objects, so that the API server never refuses our output:
 * label keys and values (k8s.io/apimachinery pkg/util/validation), a
 * container's resources, a pod's nodeSelector and tolerations (kubernetes
 * pkg/apis/core/validation: ValidateResourceRequirements, ValidateLabels,
 * ValidateTolerations), and mappings without duplicate keys.
 *
 * Object checks take the value's tree as read (line:col of every node), the
 * source it came from (base: file, src, srclen) and its field path; they report
 * every problem through diag, at the node, with the path extended by the key
 * or index ("spec.registry.resources.requests[cpu]",
 * "spec.registry.tolerations[0].operator"), and return 0 or -1.
 * Name checks return 0, or -1 with *why saying what is allowed (not reported).
 * Nothing is owned; nothing is kept. k8svalid.c: names, keys, nodeSelector,
 * tolerations; k8sres.c: resources (quantity.h).
 */
#ifndef K8SVALID_H
#define K8SVALID_H

#include <stdbool.h>

struct where;
struct ynode;

/* An object check (struct field's ocheck). */
typedef int (*kv_check)(const struct where *base, const char *field, struct ynode *v);

/* [prefix/]name: prefix a DNS subdomain (at most 253), name 1-63 of
 * [A-Za-z0-9-_.], alphanumeric at both ends. Label keys, toleration keys,
 * resource names. */
int kv_qualified_name(const char *s, const char **why);
/* IsDNS1123Subdomain: lower-case alphanumeric labels with '-' inside, joined
 * by '.', at most 253 in all (no limit per label). */
int kv_dns_subdomain(const char *s, const char **why);
/* Empty, or at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends. */
int kv_label_value(const char *s, const char **why);

/* A container's resources: {requests, limits} of quantities by resource name. */
int kv_resources(const struct where *base, const char *field, struct ynode *v);
/* A pod's nodeSelector: label keys to label values (strings). */
int kv_node_selector(const struct where *base, const char *field, struct ynode *v);
/* A pod's tolerations: a list of {key, operator, value, effect, tolerationSeconds}. */
int kv_tolerations(const struct where *base, const char *field, struct ynode *v);

/* Every key of mapping map (scalars) once: a repeated key, which YAML readers
 * resolve by silently keeping one of the values, is an error at its second
 * place naming the first. */
int kv_unique_keys(const struct where *base, const char *field, struct ynode *map);

/* Shared by the k8s*.c checks. */
void kv_error(const struct where *base, struct ynode *at, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A value for "invalid value X"; buf: 160 bytes. (a mapping), (a list), and
 * a scalar as Kubernetes reads it: null, "text" for a string, else its text;
 * or as_written (the configuration's messages): its text, and after a
 * quoted one " (a quoted string)". */
const char *kv_shown(struct ynode *v, char *buf, bool as_written);
/* " (<what> line N)" where n sits, or "" without a position (--set); buf: 64 bytes. */
const char *kv_at_line(struct ynode *n, const char *what, char *buf);
/* v reads as a string into Kubernetes' Go string (quoted, !!str, or a plain
 * scalar that resolves to a string)? Else reported: must be <what> as a string. */
int kv_string(const struct where *base, const char *field, struct ynode *v, const char *what);

#endif
