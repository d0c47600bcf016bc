/* SPDX-License-Identifier: MIT */
/*
 * task.c - "hostfish task wait URI", and --wait for the commands that start a task.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

/* Print a final task's Messages (MessageId, Message) on stderr. */
static void print_messages(struct json_object *j)
{
	struct json_object *msgs, *m, *v;
	size_t i, n;

	if (!j || !json_object_object_get_ex(j, "Messages", &msgs) ||
	    !json_object_is_type(msgs, json_type_array))
		return;
	n = json_object_array_length(msgs);
	for (i = 0; i < n && i < 32; i++) {
		m = json_object_array_get_idx(msgs, i);
		if (json_object_object_get_ex(m, "MessageId", &v))
			fprintf(stderr, "  MessageId: %s\n", json_object_get_string(v));
		if (json_object_object_get_ex(m, "Message", &v))
			fprintf(stderr, "  Message: %s\n", json_object_get_string(v));
		if (json_object_object_get_ex(m, "Severity", &v))
			fprintf(stderr, "  Severity: %s\n", json_object_get_string(v));
	}
}

int cli_task_outcome(const struct cli *cli, hf_response *final)
{
	const char *state = hf_task_state(final);

	if (strcmp(state, "Completed") == 0) {
		if (cli->json)
			cli_print_response(cli, final);
		else
			printf("task completed\n");
		return EXIT_OK;
	}
	if (hf_response_status(final) >= 300)
		return cli_report_response(final); /* the monitor itself failed: 2, 3 or 4 */
	{
		char *shown = cli_shown_path(final);

		cli_error("the task ended %s (%s %s: %d)", state, hf_response_method(final),
			  shown ? shown : "(path)", hf_response_status(final));
		free(shown);
	}
	print_messages(hf_response_json(final));
	if (cli->json)
		cli_print_response(cli, final);
	/* the BMC failed the operation it had accepted */
	return EXIT_HTTP_5XX;
}

int cli_wait_task(struct cli *cli, const hf_response *accepted, long timeout_s)
{
	struct cli_progress *p = cli_progress_new(cli, "task", "%");
	hf_response *final = NULL;
	int r, rc;

	r = hf_task_wait_response(cli->client, accepted, timeout_s * 1000, cli_progress_cb, p,
				  &final);
	cli_progress_end(p);
	if (r < 0)
		return cli_report_error(cli, r, "task");
	rc = cli_task_outcome(cli, final);
	hf_response_free(final);
	return rc;
}

bool cli_parse_wait_timeout(const char *arg, long *ret)
{
	if (!tools_parse_long(arg, 1, 86400, ret)) {
		cli_error("--wait-timeout: expected seconds between 1 and 86400");
		return false;
	}
	return true;
}

int cmd_task(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "wait-timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_progress *p;
	hf_response *final = NULL;
	long timeout_s = CLI_DEFAULT_WAIT_S;
	int c, r, rc;

	if (argc < 1 || strcmp(argv[0], "wait") != 0) {
		cli_error("usage: hostfish task wait [--wait-timeout SEC] URI");
		return EXIT_USAGE;
	}
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'T' || !cli_parse_wait_timeout(optarg, &timeout_s))
			return EXIT_USAGE;
	}
	if (argc - optind != 1 || argv[optind][0] == '\0' || strpbrk(argv[optind], " \r\n")) {
		cli_error("usage: hostfish task wait [--wait-timeout SEC] URI");
		return EXIT_USAGE;
	}
	p = cli_progress_new(cli, "task", "%");
	r = hf_task_wait(cli->client, argv[optind], timeout_s * 1000, cli_progress_cb, p, &final);
	cli_progress_end(p);
	if (r < 0)
		return cli_report_error(cli, r, "task wait");
	rc = cli_task_outcome(cli, final);
	hf_response_free(final);
	return rc;
}
