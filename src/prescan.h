/* prescan.h - one linear pass over the raw bytes, before libfyaml sees them. */
#ifndef PRESCAN_H
#define PRESCAN_H

#include <stddef.h>

struct limits;

int prescan(const char *name, const char *buf, size_t len, const struct limits *lim);

#endif
