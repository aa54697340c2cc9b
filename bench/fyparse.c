/*
 * fyparse - "bare libfyaml parse" baseline for `make bench`.
 *
 *   fyparse            read all of stdin into memory, then build every
 *                      document with fy_parse_load_document() and destroy it
 *   fyparse --events   read all of stdin into memory, then only pull events
 *                      with fy_parser_parse() / fy_parser_event_free()
 *   fyparse --count    like the default mode, but print the number of
 *                      non-empty documents (used by run.sh to sanity-check
 *                      our output; not a timed contender)
 *
 * Otherwise prints nothing on success; prints libfyaml's diagnostic and exits 1 on a
 * parse error, exits 2 on usage/IO/allocation errors.
 *
 * Build: cc -O2 bench/fyparse.c $(pkg-config --cflags --libs libfyaml) -o build/fyparse
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <libfyaml.h>

static char *slurp_stdin(size_t *lenp)
{
	struct stat st;
	size_t cap = 1 << 16, len = 0;
	char *buf, *nbuf;
	ssize_t n;

	/* size hint for regular files (bench inputs are redirected files) */
	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;

	buf = malloc(cap);
	if (!buf)
		return NULL;

	for (;;) {
		if (len == cap) {
			cap *= 2;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				free(buf);
				return NULL;
			}
			buf = nbuf;
		}
		n = read(STDIN_FILENO, buf + len, cap - len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return NULL;
		}
		len += (size_t)n;
	}
	*lenp = len;
	return buf;
}

/* an empty document ("---" followed by nothing or comments) has a plain,
 * zero-length scalar root (the YAML null) or no root at all */
static int is_empty_doc(struct fy_document *fyd)
{
	struct fy_node *root = fy_document_root(fyd);
	size_t len = 0;

	if (!root)
		return 1;
	if (!fy_node_is_scalar(root) || fy_node_get_style(root) != FYNS_PLAIN)
		return 0;
	(void)fy_node_get_scalar(root, &len);
	return len == 0;
}

int main(int argc, char **argv)
{
	struct fy_parse_cfg cfg;
	struct fy_parser *fyp;
	struct fy_document *fyd;
	struct fy_event *fye;
	int events = 0, count = 0, rc = 0;
	unsigned long ndocs = 0;
	size_t len = 0;
	char *buf;

	if (argc == 2 && !strcmp(argv[1], "--events"))
		events = 1;
	else if (argc == 2 && !strcmp(argv[1], "--count"))
		count = 1;
	else if (argc != 1) {
		fprintf(stderr, "usage: %s [--events|--count] < input.yaml\n", argv[0]);
		return 2;
	}

	buf = slurp_stdin(&len);
	if (!buf) {
		fprintf(stderr, "fyparse: failed to read stdin: %s\n", strerror(errno));
		return 2;
	}

	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_DEFAULT_PARSE;	/* not quiet: errors go to stderr */

	fyp = fy_parser_create(&cfg);
	if (!fyp) {
		fprintf(stderr, "fyparse: fy_parser_create() failed\n");
		free(buf);
		return 2;
	}
	if (fy_parser_set_string(fyp, buf, len) != 0) {
		fprintf(stderr, "fyparse: fy_parser_set_string() failed\n");
		fy_parser_destroy(fyp);
		free(buf);
		return 2;
	}

	if (events) {
		while ((fye = fy_parser_parse(fyp)) != NULL)
			fy_parser_event_free(fyp, fye);
	} else {
		while ((fyd = fy_parse_load_document(fyp)) != NULL) {
			if (count && !is_empty_doc(fyd))
				ndocs++;
			fy_parse_document_destroy(fyp, fyd);
		}
	}

	/* both loops end with NULL at end of stream *and* on error */
	if (fy_parser_get_stream_error(fyp)) {
		fprintf(stderr, "fyparse: parse error\n");
		rc = 1;
	} else if (count) {
		printf("%lu\n", ndocs);
	}

	fy_parser_destroy(fyp);
	free(buf);
	return rc;
}
