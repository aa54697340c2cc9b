/* wselect.h - which workloads component workloadSpread edits (internal to
 * wspread.c): kinds, replica counts, label selectors as Kubernetes takes them.
 * Nothing is owned; trees are only read.
 */
#ifndef WSELECT_H
#define WSELECT_H

#include <stdbool.h>

struct obj;
struct strlist;
struct ynode;

bool wsel_in_list(const struct strlist *l, const char *s);
/* An apps/v1 Deployment, StatefulSet or ReplicaSet? */
bool wsel_workload_kind(const struct obj *o);
/* spec.replicas (resolved, or NULL): 1 when unset or more than one, 0 when
 * one or none, -1 when not a number (YAML 1.1 ints as go-yaml reads them). */
int wsel_replicas(struct ynode *r);
/* A LabelSelector Kubernetes takes: matchLabels of label keys and values,
 * matchExpressions of key, operator (In, NotIn, Exists, DoesNotExist) and
 * values; nothing else (so that it is emitted as plain block lines). */
bool wsel_selector_ok(struct ynode *sel);

#endif
