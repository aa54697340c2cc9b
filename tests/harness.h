/* harness.h - the unit tests' few assertions (cmark's api_test style): each
 * prints "ok - NAME" or "not ok - NAME (file:line)" with Got/Expected, and
 * harness_done() prints "N passed, N failed" and gives the exit status.
 * Header-only: include it once, in the test program's single file. */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdio.h>
#include <string.h>

static int passed, failed;

#define OK(cond, name) ok_((cond), (name), __FILE__, __LINE__)
#define STR_EQ(got, want, name) str_eq_((got), (want), (name), __FILE__, __LINE__)
#define INT_EQ(got, want, name) int_eq_((long)(got), (long)(want), (name), __FILE__, __LINE__)

static void
ok_(int cond, const char *name, const char *file, int line)
{
	if (cond) {
		passed++;
		printf("ok - %s\n", name);
	} else {
		failed++;
		printf("not ok - %s (%s:%d)\n", name, file, line);
	}
}

static inline void
str_eq_(const char *got, const char *want, const char *name, const char *file, int line)
{
	int same = got && want ? strcmp(got, want) == 0 : got == want;

	ok_(same, name, file, line);
	if (!same)
		printf("    Got:      %s\n    Expected: %s\n", got ? got : "(null)", want ? want : "(null)");
}

static inline void
int_eq_(long got, long want, const char *name, const char *file, int line)
{
	ok_(got == want, name, file, line);
	if (got != want)
		printf("    Got:      %ld\n    Expected: %ld\n", got, want);
}

static inline int
harness_done(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

#endif
