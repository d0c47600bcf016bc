/* SPDX-License-Identifier: MIT */
/*
 * events.c - "hostfish events follow": the BMC's events as they come, from its event
 * service's server-sent event stream (hf_events_follow()) when it has one and the transport
 * can carry it (https, hostif), else from the log services' new entries at an interval, as
 * logs follow reads them.  Both print one line (or JSON object) per entry, the same way.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

#define EVENTS_DEFAULT_INTERVAL_S 10L

static const char events_usage[] =
	"Usage: hostfish events follow [--interval SEC]\n"
	"The BMC's events as they come: from the event service's server-sent event stream\n"
	"(ServerSentEventUri) when the BMC has one and the transport carries it (https, hostif),\n"
	"reconnecting from the last event seen when it breaks; otherwise (CHIF, hostfishd, or no\n"
	"stream) the log services' new entries every SEC seconds (default 10), as logs follow.\n";

static const struct option events_options[] = {
	{ "interval", required_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int print_event(void *userdata, struct json_object *entry)
{
	cli_print_log_entry(userdata, entry);
	return 0;
}

static int follow(struct cli *cli, long interval_s)
{
	char *uri = NULL;
	int r = hf_events_sse_uri(cli->client, &uri);

	if (r == -ENOTSUP || r == -ENOENT) {
		cli_error("%s: following the log services every %ld s instead",
			  hf_client_last_error(cli->client)->message, interval_s);
		return cli_logs_follow(cli, NULL, interval_s);
	}
	if (r < 0)
		return cli_report_error(cli, r, "event service");
	r = hf_events_follow(cli->client, uri, NULL, print_event, cli);
	free(uri);
	if (r == -EINTR && cli_interrupted())
		return EXIT_OK; /* main() says so and exits 128 + the signal */
	return cli_report_error(cli, r, "event stream");
}

int cmd_events(struct cli *cli, int argc, char **argv)
{
	long interval_s = EVENTS_DEFAULT_INTERVAL_S;
	int c;

	if (argc < 1 || strcmp(argv[0], "follow") != 0) {
		fputs(events_usage, stderr);
		return EXIT_USAGE;
	}
	optind = 0; /* argv[0], the verb, stands where getopt expects the program's name */
	while ((c = getopt_long(argc, argv, "+", events_options, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (!tools_parse_long(optarg, 1, 86400, &interval_s)) {
				cli_error("--interval: expected seconds between 1 and 86400; nothing "
					  "was sent");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(events_usage, stdout);
			return EXIT_OK;
		default:
			fputs(events_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(events_usage, stderr);
		return EXIT_USAGE;
	}
	return follow(cli, interval_s);
}
