/* fuzz-config.c - libFuzzer target over the configuration file: the rest
 * after byte 0 is a --config file (held in a memfd), applied to a small
 * input that byte 0 picks, and every injector runs with what it allows.
 * Checks fuzzcheck.h's invariants, and that each error about the file
 * names a line unless the file holds no document at all. */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzzcheck.h"

#define DEPLOYMENT \
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: demo\nspec:\n" \
	"  template:\n    spec:\n      containers:\n      - name: web\n        image: ghcr.io/example/web:1.2\n" \
	"      - name: side\n        image: nginx@sha256:" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
#define RESOURCE_LIST \
	"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" \
	"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: app\n"

static const char *const inputs[] = {
	"", DEPLOYMENT, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: registry-system\n", RESOURCE_LIST,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct filter_opts fo = { path, NULL, 0, NULL, NULL };
	const char *in;

	if (!size)
		return 0;
	if (fd < 0) {
		fd = memfd_create("fuzz-config", 0);
		if (fd < 0)
			fz_fail("memfd_create", NULL);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		fz_located = path;
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data + 1, size - 1, 0) != (ssize_t)(size - 1))
		fz_fail("writing the memfd", NULL);
	in = inputs[data[0] % (sizeof(inputs) / sizeof(inputs[0]))];
	fz_check(&fo, in, strlen(in));
	return 0;
}
