#include "prescan.h"
int
prescan(const char *name, const char *buf, size_t len, const struct limits *lim)
{
	(void)name; (void)buf; (void)len; (void)lim;
	return 0;
}
