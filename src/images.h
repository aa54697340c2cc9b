/* images.h - container image references: where workloads keep them, and
 * their normal form (what the preload copies and the node mirror asks for).
 *
 * Ownership: struct images owns its strings (images_free()); after
 * images_sort() they are sorted and distinct.
 */
#ifndef IMAGES_H
#define IMAGES_H

#include <stddef.h>

struct where;
struct ynode;

struct images {
	char **v;
	size_t n, cap;
	size_t sorted;	/* v[0..sorted) is sorted and distinct; images_sort() makes it all */
};

/* Read an image reference as container runtimes do (distribution/reference):
 *  0: *out = its normal form ("nginx" -> docker.io/library/nginx:latest;
 *     the host lower-cased, index.docker.io -> docker.io); caller frees;
 *  1: not an image reference at all, *out = NULL: empty, or a byte no
 *     reference holds (anything but ASCII letters, digits, . _ - / : @ [ ] +:
 *     "{{ .Values.image }}", "${REGISTRY}/app"), or a repository, tag or
 *     digest outside the grammar (a digest is sha256, sha384 or sha512 with
 *     its lower-case hex, as containerd takes it), or a name over 255 characters;
 * -1: a reference whose registry host (the part before the first '/' when it
 *     has a '.' or ':' or is "localhost") breaks host.h's rule ("../x",
 *     "a..b/x", a 64-character label): *why says how, *out = NULL.
 * Not reported: the caller knows where the reference came from. */
int image_read(const char *ref, char **out, const char **why);
/* sha256:<64 hex>, sha384:<96> or sha512:<128>, lower-case (go-digest's Parse). */
int image_digest_ok(const char *d);
/* image_read()'s normal form, or NULL for 1 and -1. Caller frees. */
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
 * created with them) to set. Values that are not image references are
 * skipped; a reference whose registry host is bad is an error, reported at
 * its node with doc's file, document and object, field
 * "<pod spec>.containers[i].image". 0 or -1 (reported). */
int images_collect(struct images *set, struct ynode *obj, const struct where *doc);
/* Add a copy of normalized (in O(log n): the set is sorted in batches). */
void images_add(struct images *set, const char *normalized);
/* Sort v and drop duplicates: call it before reading v. */
void images_sort(struct images *set);
void images_free(struct images *set);

#endif
