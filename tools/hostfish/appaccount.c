/* SPDX-License-Identifier: MIT */
/*
 * appaccount.c - "hostfish appaccount create|delete|status": HPE application accounts
 * (iLO 7), through HPE's vendor library (public API only).  create needs an iLO user's
 * credentials (--user and HOSTFISH_PASSWORD or --password-file).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

static void log_err(void *userdata, int level, const char *message)
{
	if (level <= HF_LOG_WARNING || ((struct cli *)userdata)->verbose)
		fprintf(stderr, "%s\n", message);
}

static const char *str(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "?";
}

int cmd_appaccount(struct cli *cli, int argc, char **argv)
{
	hf_options o = HF_OPTIONS_INIT;
	struct json_object *rep = NULL;
	int r;

	if (argc != 1 || (strcmp(argv[0], "create") && strcmp(argv[0], "delete") &&
			  strcmp(argv[0], "status"))) {
		cli_error("usage: hostfish [--chif-library FILE] [--user USER] appaccount "
			  "create|delete|status");
		return EXIT_USAGE;
	}
	o.chif_library = cli->bmc.opts.chif_library;
	o.username = cli->bmc.opts.username;
	o.password = cli->bmc.opts.password;
	o.log_fn = log_err;
	o.log_userdata = cli;
	o.log_level = cli->verbose ? HF_LOG_DEBUG : HF_LOG_WARNING;
	r = hf_appaccount(&o, argv[0], &rep);
	switch (r) {
	case 0:
		break;
	case -EINVAL:
		return EXIT_USAGE;
	case -EACCES:
	case -EPERM:
		return EXIT_AUTH;
	case -ENOENT:
	case -EEXIST:
		return EXIT_HTTP_4XX;
	default:
		return EXIT_TRANSPORT;
	}
	if (cli->json) {
		cli_print_json(rep);
	} else {
		struct json_object *v;

		if (json_object_object_get_ex(rep, "action", &v))
			printf("application account %s %s\n", str(rep, "app_id"),
			       json_object_get_string(v));
		printf("library %s\nready %s\nilo_type %s\nsecurity_state %s\nexists %s\n",
		       str(rep, "library"), str(rep, "ready"), str(rep, "ilo_type"),
		       str(rep, "security_state"), str(rep, "exists"));
	}
	json_object_put(rep);
	return EXIT_OK;
}
