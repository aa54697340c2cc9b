/* main.c - command line to filter_run() to exit code; the stdout check. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "completion.h"
#include "config.h"
#include "diag.h"
#include "filter.h"
#include "input.h"
#include "mkdirp.h"
#include "opts.h"
#include "util.h"
#include "x509.h"

static int
stdout_write(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

/* The input FILE argument, opened; NULL (reported) when it cannot be read. */
static FILE *
open_input(const char *path)
{
	struct stat st;
	FILE *fp = fopen(path, "r");

	if (!fp || fstat(fileno(fp), &st) != 0) {
		diag_error(NULL, "cannot read input file %s: %s", path, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		diag_error(NULL, "cannot read input file %s: it is a directory (the input is one file of manifests; "
			   "the configuration goes with --config FILE)", path);
	} else {
		return fp;
	}
	if (fp)
		fclose(fp);
	diag_set_exit(EXIT_USAGE);
	return NULL;
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

/* A terminal on stdin and no FILE: nobody is piping manifests in; say how. */
static int
stdin_is_a_terminal(const struct opts *o)
{
	if ((o->input_file && strcmp(o->input_file, "-") != 0) || !isatty(STDIN_FILENO))
		return 0;
	fputs("registry-addon: no input: standard input is a terminal; pipe manifests in or name a FILE\n", stderr);
	opts_usage();
	return 1;
}

static int
run(const struct opts *o)
{
	struct filter_opts fo = { o->config_file, o->sets, o->nsets, &o->limits, o->config_dir };
	struct sink out = { stdout_write, NULL };
	struct input in = INPUT_INIT;
	const char *name = "standard input";
	FILE *fp = stdin;
	int code;

	if (stdin_is_a_terminal(o))
		return EXIT_USAGE;
	if (o->input_file && strcmp(o->input_file, "-") != 0) {
		if (!(fp = open_input(o->input_file)))
			return diag_exit_code();
		name = o->input_file;
		diag_set_input_name(name);
	}
	code = input_read(fp, name, o->max_input, &in) == 0 ? EXIT_OK : diag_exit_code();
	if (fp != stdin)
		fclose(fp);
	if (code == EXIT_OK)
		code = filter_run(&fo, in.p, in.len, &out);
	input_free(&in);
	diag_set_input_name(NULL);
	return code;
}

/* --generate-ca: the one random thing this program makes, and it says so. */
static int
generate_ca(const char *dir)
{
	if (mkdir_parents(dir, 0700) != 0) {
		if (errno == ENOTDIR)
			diag_error(NULL, "--generate-ca %s: it (or a parent) exists and is not a directory; --generate-ca "
				   "takes a directory, made with mode 0700 (parents too) when missing", dir);
		else
			diag_error(NULL, "--generate-ca %s: cannot create the directory: %s", dir, strerror(errno));
		return EXIT_USAGE;
	}
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

/* --print-defaults, --print-config, --schema, --completion: a text on stdout, all or nothing. */
static int
print_action(const struct opts *o)
{
	struct filter_opts fo = { o->config_file, o->sets, o->nsets, &o->limits, o->config_dir };
	struct buf b = BUF_INIT;
	int rc;

	if (o->action == ACT_PRINT_DEFAULTS)
		rc = config_print_defaults(&b);
	else if (o->action == ACT_PRINT_CONFIG)
		rc = filter_print_config(&fo, &b);
	else if (o->action == ACT_SCHEMA)
		rc = config_print_schema(&b);
	else
		rc = completion_script(o->shell, &b);
	if (rc == 0)
		fwrite(b.p, 1, b.len, stdout);
	buf_free(&b);
	if (rc == 0)
		return EXIT_OK;
	return diag_exit_code() == EXIT_OK ? EXIT_USAGE : diag_exit_code();
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
	} else if (o.action == ACT_PRINT_DEFAULTS || o.action == ACT_PRINT_CONFIG || o.action == ACT_SCHEMA ||
		   o.action == ACT_COMPLETION) {
		code = print_action(&o);
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
