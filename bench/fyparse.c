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
 * stdin is read with the reader registry-addon itself uses (src/input.c:
 * anonymous memory advised for huge pages), so that the ratios compare the
 * parse and what we do besides it, not two ways of reading a file.
 *
 * Build: make build/fyparse (links src/input.c and what it needs)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char **argv)
{
	struct fy_parse_cfg cfg;
	struct fy_parser *fyp;
	struct fy_document *fyd;
	struct fy_event *fye;
	int events = 0, count = 0, rc = 0;
	unsigned long ndocs = 0;
	size_t len = 0;
	struct input in = INPUT_INIT;
	char *buf;

	if (argc == 2 && !strcmp(argv[1], "--events"))
		events = 1;
	else if (argc == 2 && !strcmp(argv[1], "--count"))
		count = 1;
	else if (argc != 1) {
		fprintf(stderr, "usage: %s [--events|--count] < input.yaml\n", argv[0]);
		return 2;
	}

	if (input_read(stdin, "standard input", SIZE_MAX - 1, &in) != 0)
		return 2;	/* reported */
	buf = in.p;
	len = in.len;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_DEFAULT_PARSE;	/* not quiet: errors go to stderr */

	fyp = fy_parser_create(&cfg);
	if (!fyp) {
		fprintf(stderr, "fyparse: fy_parser_create() failed\n");
		input_free(&in);
		return 2;
	}
	if (fy_parser_set_string(fyp, buf, len) != 0) {
		fprintf(stderr, "fyparse: fy_parser_set_string() failed\n");
		fy_parser_destroy(fyp);
		input_free(&in);
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
	input_free(&in);
	return rc;
}
