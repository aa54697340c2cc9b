/*
 * fyparse - "bare libfyaml parse" baseline for `make bench`.
 *
 *   fyparse            read all of stdin into memory, then build every
 *                      document with fy_parse_load_document() and destroy it
 *   fyparse --events   read all of stdin into memory, then only pull events
 *                      with fy_parser_parse() / fy_parser_event_free()
 *   fyparse --events --heap
 *                      the same, stdin read into malloc()ed memory with read(2)
 *                      (how this baseline read it before e5cc0e2: for the
 *                      record of issue 16's ratio, which was set against it)
 *   fyparse --count    like the default mode, but print the number of
 *                      non-empty documents (used by run.sh to sanity-check
 *                      our output; not a timed contender)
 *
 * Otherwise prints nothing on success; prints libfyaml's diagnostic and exits 1 on a
 * parse error, exits 2 on usage/IO/allocation errors.
 *
 * stdin is read with the reader registry-addon itself uses (src/input.c:
 * anonymous memory advised for huge pages), so that the ratios compare the
 * parse and what we do besides it, not two ways of reading a file.
 *
 * Build: make build/fyparse (links src/input.c and what it needs)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfyaml.h>

#include "input.h"

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

/* All of stdin in heap memory (the reader of 614af89): 0, or -1 (errno). */
static int read_heap(struct input *in)
{
	size_t cap = 1 << 16;
	struct stat st;
	ssize_t n;

	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	if (!(in->p = malloc(cap)))
		return -1;
	for (;;) {
		if (in->len == cap) {
			char *p = realloc(in->p, cap *= 2);

			if (!p)
				return -1;
			in->p = p;
		}
		n = read(STDIN_FILENO, in->p + in->len, cap - in->len);
		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
		in->len += n > 0 ? (size_t)n : 0;
	}
}

static void release(struct input *in, int heap)
{
	if (heap)
		free(in->p);
	else
		input_free(in);
}

int main(int argc, char **argv)
{
	struct fy_parse_cfg cfg;
	struct fy_parser *fyp;
	struct fy_document *fyd;
	struct fy_event *fye;
	int events = 0, count = 0, heap = 0, rc = 0;
	unsigned long ndocs = 0;
	size_t len = 0;
	struct input in = INPUT_INIT;
	char *buf;

	if (argc == 3 && !strcmp(argv[1], "--events") && !strcmp(argv[2], "--heap"))
		events = heap = 1;
	else if (argc == 2 && !strcmp(argv[1], "--events"))
		events = 1;
	else if (argc == 2 && !strcmp(argv[1], "--count"))
		count = 1;
	else if (argc != 1) {
		fprintf(stderr, "usage: %s [--events [--heap]|--count] < input.yaml\n", argv[0]);
		return 2;
	}

	if (heap && read_heap(&in) != 0) {
		fprintf(stderr, "fyparse: failed to read stdin: %s\n", strerror(errno));
		return 2;
	}
	if (!heap && input_read(stdin, "standard input", SIZE_MAX - 1, &in) != 0)
		return 2;	/* reported */
	buf = in.p;
	len = in.len;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_DEFAULT_PARSE;	/* not quiet: errors go to stderr */

	fyp = fy_parser_create(&cfg);
	if (!fyp) {
		fprintf(stderr, "fyparse: fy_parser_create() failed\n");
		release(&in, heap);
		return 2;
	}
	if (fy_parser_set_string(fyp, buf, len) != 0) {
		fprintf(stderr, "fyparse: fy_parser_set_string() failed\n");
		fy_parser_destroy(fyp);
		release(&in, heap);
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
	release(&in, heap);
	return rc;
}
