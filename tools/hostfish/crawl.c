/* SPDX-License-Identifier: MIT */
/*
 * crawl.c - "hostfish crawl [--jobs N] [--force] --out DIR [PATH]": mirror the BMC's tree
 * into DIR (Redfish Mockup Creator layout) with hf_crawl().
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

static const char crawl_usage[] =
	"Usage: hostfish crawl [--jobs N] [--force] --out DIR [PATH]\n"
	"Mirror the resources below PATH (default /redfish/v1/) into DIR, one\n"
	"DIR/redfish/v1/.../index.json per resource, with up to N parallel connections\n"
	"(1 to 8, default 4).  DIR must be empty or new (created with mode 0700); --force\n"
	"writes into a non-empty DIR, replacing files of the same names.\n";

static const struct option crawl_options[] = {
	{ "jobs", required_argument, NULL, 'j' },
	{ "out", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The exit code of the worst failure: 5xx, then 4xx, then the others by kind. */
static int errors_exit_code(struct json_object *errors)
{
	size_t i, n = json_object_array_length(errors);
	int rc = EXIT_OK, status;

	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(errors, i), *v;
		int this;

		status = json_object_object_get_ex(e, "status", &v) ? json_object_get_int(v) : 0;
		if (status >= 500)
			return EXIT_HTTP_5XX;
		if (status == 200 || status == 0) {
			const char *kind = json_object_object_get_ex(e, "kind", &v)
						   ? json_object_get_string(v)
						   : "";

			this = strcmp(kind, hf_error_kind_name(HF_ERROR_TIMEOUT)) == 0
				       ? EXIT_TIMEOUT
				       : EXIT_TRANSPORT;
		} else {
			this = cli_exit_code_of_status(status);
		}
		/* 4xx wins over local failures: it is what the BMC said */
		if (rc == EXIT_OK || this == EXIT_HTTP_4XX || this == EXIT_AUTH)
			rc = this;
	}
	return rc;
}

static long jint(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? (long)json_object_get_int64(v) : 0;
}

int cmd_crawl(struct cli *cli, int argc, char **argv)
{
	struct json_object *report = NULL, *errors = NULL, *v;
	struct cli_progress *progress;
	const char *out = NULL, *path = NULL;
	unsigned flags = 0;
	long jobs = 4;
	int c, r, rc;

	/* argv[0] is the first argument after "crawl": getopt starts at index 1 */
	optind = 0;
	while ((c = getopt_long(argc + 1, argv - 1, "", crawl_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (!tools_parse_long(optarg, 1, 8, &jobs)) {
				cli_error("--jobs: expected a number between 1 and 8; nothing was "
					  "sent");
				return EXIT_USAGE;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'f':
			flags |= HF_CRAWL_FORCE;
			break;
		case 'h':
			fputs(crawl_usage, stdout);
			return EXIT_OK;
		default:
			fputs(crawl_usage, stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (!out || !*out) {
		cli_error("crawl: --out DIR is required; nothing was sent");
		fputs(crawl_usage, stderr);
		return EXIT_USAGE;
	}
	if (argc > 1) {
		cli_error("crawl: at most one PATH; nothing was sent");
		return EXIT_USAGE;
	}
	path = argc == 1 ? argv[0] : "/redfish/v1/";
	if (strncmp(path, "/redfish/v1", 11) != 0 || (path[11] != '\0' && path[11] != '/')) {
		cli_error("crawl: PATH must be /redfish/v1/ or a path below it, not %s; nothing "
			  "was sent",
			  path);
		return EXIT_USAGE;
	}

	progress = cli_progress_new(cli, "crawl", "resources");
	r = hf_crawl(cli->client, path, out, (unsigned)jobs, flags, cli_progress_cb, progress,
		     &report);
	cli_progress_end(progress);
	if (r < 0)
		return cli_report_error(cli, r, "crawl");

	json_object_object_get_ex(report, "errors", &errors);
	if (cli->json) {
		cli_print_json(report);
	} else {
		printf("%ld resources (%ld bytes) from %s into %s in %.2f s, %ld jobs\n",
		       jint(report, "resources"), jint(report, "bytes"), path, out,
		       (double)jint(report, "elapsed_ms") / 1000.0, jint(report, "jobs"));
		if (jint(report, "refused_count"))
			printf("%ld links not followed (see the warnings)\n",
			       jint(report, "refused_count"));
	}
	/* after the progress line is gone: links the BMC should not have sent */
	if (json_object_object_get_ex(report, "refused", &v)) {
		size_t i, n = json_object_array_length(v);

		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(v, i), *l, *f, *w;

			json_object_object_get_ex(e, "link", &l);
			json_object_object_get_ex(e, "from", &f);
			json_object_object_get_ex(e, "reason", &w);
			cli_error("warning: not following %s (in %s): %s", json_object_get_string(l),
				  json_object_get_string(f), json_object_get_string(w));
		}
	}
	if (json_object_object_get_ex(report, "truncated", &v) && json_object_get_boolean(v))
		cli_error("the crawl stopped at its bound of 100000 resources");
	if (errors) {
		size_t i, n = json_object_array_length(errors);

		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(errors, i), *p, *m;

			json_object_object_get_ex(e, "path", &p);
			json_object_object_get_ex(e, "message", &m);
			cli_error("%s: %s", json_object_get_string(p), json_object_get_string(m));
		}
		if ((long)n < jint(report, "error_count"))
			cli_error("... and %ld more", jint(report, "error_count") - (long)n);
	}
	rc = r == 0 ? EXIT_OK : errors_exit_code(errors);
	if (r > 0 && rc == EXIT_OK)
		rc = EXIT_TRANSPORT; /* truncated only */
	if (r > 0)
		cli_error("%d resources could not be mirrored", r);
	json_object_put(report);
	return rc;
}
