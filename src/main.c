/* main.c - command line to filter_run() to exit code; the stdout check. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "filter.h"
#include "opts.h"
#include "util.h"
#include "x509.h"

static int
stdout_write(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

/* All of stdin, up to max bytes. Returns 0, or -1 (reported). */
static int
read_input(size_t max, struct buf *in)
{
	struct stat st;
	size_t n;

	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		buf_grow(in, (size_t)st.st_size < max ? (size_t)st.st_size + 1 : max + 1);
	for (;;) {
		buf_grow(in, 65536);
		n = fread(in->p + in->len, 1, in->cap - in->len - 1, stdin);
		in->len += n;
		if (in->len > max) {
			diag_error(NULL, "input is larger than %zu bytes; raise --max-input-bytes if this is intended", max);
			return -1;
		}
		if (n == 0)
			break;
	}
	if (ferror(stdin)) {
		diag_error(NULL, "reading standard input failed: %s", strerror(errno));
		diag_set_exit(EXIT_USAGE);
		return -1;
	}
	return 0;
}

static int
finish_stdout(int code)
{
	int bad = ferror(stdout);

	if (fclose(stdout) != 0 || bad) {
		diag_error(NULL, "writing output failed: %s", strerror(errno ? errno : EIO));
		return EXIT_USAGE;
	}
	return code;
}

static int
run(const struct opts *o)
{
	struct filter_opts fo = { o->config_file, o->sets, o->nsets, &o->limits };
	struct sink out = { stdout_write, NULL };
	struct buf in = BUF_INIT;
	int code;

	if (read_input(o->max_input, &in) != 0) {
		buf_free(&in);
		return diag_exit_code();
	}
	code = filter_run(&fo, in.p ? in.p : "", in.len, &out);
	buf_free(&in);
	return code;
}

/* --generate-ca: the one random thing this program makes, and it says so. */
static int
generate_ca(const char *dir)
{
	if (x509_generate_ca(dir, "registry-addon CA", "87600h") != 0)
		return diag_exit_code() == EXIT_OK ? EXIT_USAGE : diag_exit_code();
	char now[32];
	time_t t = time(NULL);

	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	fprintf(stderr, "registry-addon: wrote a new CA, random and valid for 10 years from %s: %s/ca.crt, %s/ca.key\n"
		"use it with --set tls.mode=generate --set tls.caCertFile=%s/ca.crt --set tls.caKeyFile=%s/ca.key "
		"--set tls.notBefore=<a fixed RFC 3339 time at or after %s>\n", now, dir, dir, dir, dir, now);
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct opts o;
	FILE *log = NULL;
	int code = EXIT_OK;

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (opts_parse(&o, argc, argv) != 0) {
		opts_free(&o);
		return EXIT_USAGE;
	}
	if (o.log_file && !(log = fopen(o.log_file, "a")))
		fprintf(stderr, "registry-addon: warning: cannot open log file %s: %s\n", o.log_file, strerror(errno));
	diag_set_log(log);
	if (o.action == ACT_HELP) {
		opts_help();
	} else if (o.action == ACT_VERSION) {
		printf("registry-addon %s\n", REGISTRY_ADDON_VERSION);
	} else if (o.action == ACT_GENERATE_CA) {
		code = generate_ca(o.ca_dir);
	} else if (o.action == ACT_PRINT_DEFAULTS) {
		struct buf b = BUF_INIT;

		code = config_print_defaults(&b) == 0 ? EXIT_OK : EXIT_USAGE;
		fwrite(b.p, 1, b.len, stdout);
		buf_free(&b);
	} else {
		code = run(&o);
	}
	code = finish_stdout(code);
	if (log)
		fclose(log);
	opts_free(&o);
	diag_reset();
	return code;
}
