/* SPDX-License-Identifier: MIT */
/*
 * bmc.c - "hostfish bmc reset [--type TYPE] [--wait] [--wait-timeout SEC]": public API only.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

#define BMC_WAIT_DEFAULT_S 300L

static const char bmc_usage[] =
	"usage: hostfish bmc reset [--type TYPE] [--wait] [--wait-timeout SEC]";

static int bmc_reset(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "wait", no_argument, NULL, 'w' },
		{ "wait-timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *report = NULL;
	struct cli_progress *p = NULL;
	const char *type = NULL;
	long timeout_s = BMC_WAIT_DEFAULT_S;
	bool wait = false;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			type = optarg;
			break;
		case 'w':
			wait = true;
			break;
		case 'T':
			if (!cli_parse_wait_timeout(optarg, &timeout_s))
				return EXIT_USAGE;
			wait = true;
			break;
		default:
			cli_error("%s", bmc_usage);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_error("%s", bmc_usage);
		return EXIT_USAGE;
	}
	if (wait)
		p = cli_progress_new(cli, "waiting for the BMC", "s");
	r = hf_bmc_reset(cli->client, type, wait ? HF_BMC_RESET_WAIT : 0, timeout_s,
			 wait ? cli_progress_cb : NULL, p, &report);
	cli_progress_end(p);
	if (r < 0)
		return cli_report_error(cli, r, "bmc reset");
	if (cli->json) {
		cli_print_json(report);
	} else {
		struct json_object *v;

		printf("%s: %s requested\n", json_object_get_string(json_object_object_get(report,
											     "manager")),
		       json_object_get_string(json_object_object_get(report, "reset_type")));
		if (wait && json_object_object_get_ex(report, "ready_after_ms", &v))
			printf("the BMC is back and answers (after %.1f s)\n",
			       (double)json_object_get_int64(v) / 1000.0);
	}
	json_object_put(report);
	return EXIT_OK;
}

int cmd_bmc(struct cli *cli, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "reset") == 0)
		return bmc_reset(cli, argc, argv);
	cli_error("%s", bmc_usage);
	return EXIT_USAGE;
}
