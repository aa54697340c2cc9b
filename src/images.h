/* images.h - container image references: where workloads keep them, and
 * their normal form (what the preload copies and the node mirror asks for).
 *
 * Ownership: struct images owns its sorted, distinct strings (images_free()).
 */
#ifndef IMAGES_H
#define IMAGES_H

#include <stddef.h>

struct ynode;

struct images {
	char **v;
	size_t n, cap;
};

/* docker.io/library/nginx:latest for "nginx"; NULL if ref is not a valid
 * reference (templating left in it, spaces, empty). Caller frees. */
char *image_normalize(const char *ref);
/* The registry host of a normalised reference, e.g. "docker.io"; caller frees. */
char *image_host(const char *normalized);
/* Is this a workload kind whose pod template we read (Pod, Deployment, ...)? */
int image_workload_kind(const char *kind);
/* Add every container, init and ephemeral container image of a workload
 * object (normalised) to set. */
void images_collect(struct images *set, struct ynode *obj);
void images_add(struct images *set, const char *normalized);
void images_free(struct images *set);

#endif
