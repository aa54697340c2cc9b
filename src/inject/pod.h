/* inject/pod.h - the registry pod's containers and volumes (inject/pod.c),
 * used by inject/statefulset.c. Trees are built in in->a. */
#ifndef INJECT_POD_H
#define INJECT_POD_H

struct inject;
struct ynode;

/* containers "registry", "own" and (component sync) "sync", and the volumes
 * they mount, into the pod spec */
void pod_containers(struct inject *in, struct ynode *pod);

#endif
