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
/* Where the mirror keeps it: the reference with its host made a valid
 * repository path component ("myreg:5000/a" -> "myreg-5000/a", brackets of
 * IPv6 hosts dropped, colons -> '-'); the preload's target and the node
 * mirror's path. A bare host gives its path component alone. Caller frees. */
char *image_mirror_path(const char *normalized);
/* A loopback host (localhost, 127.0.0.0/8, ::1): not reachable from the
 * registry pod, so never preloaded. */
int image_host_is_loopback(const char *host);
/* Is this a workload kind whose pod template we read (Pod, Deployment, ...)? */
int image_workload_kind(const char *kind);
/* Add every container and init container image of a workload object
 * (normalised; ephemeral containers are added to running pods, never
 * created with them) to set. */
void images_collect(struct images *set, struct ynode *obj);
void images_add(struct images *set, const char *normalized);
void images_free(struct images *set);

#endif
