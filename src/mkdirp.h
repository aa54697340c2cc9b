/* mkdirp.h - a directory and its missing parents (mkdir -p).
 * Ownership: borrows path; nothing is kept.
 */
#ifndef MKDIRP_H
#define MKDIRP_H

#include <sys/types.h>

/* 0 when path is (now) a directory: each missing one made with mode (less
 * the umask); -1 with errno set (ENOTDIR: path or a parent is something
 * else). */
int mkdir_parents(const char *path, mode_t mode);

#endif
