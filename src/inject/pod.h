/* inject/pod.h - the registry pod's containers and volumes (inject/pod.c),
 * used by inject/statefulset.c. Trees are built in in->a. */
#ifndef INJECT_POD_H
#define INJECT_POD_H

struct inject;
struct ynode;

/* containers "registry", "own", (component cache) "cache", (component sync)
 * "sync" and (metrics.namespace) "metrics", and the volumes they mount, into
 * the pod spec: 0, or -1 (reported: the mirrored upstreams) */
int pod_containers(struct inject *in, struct ynode *pod);

#endif
