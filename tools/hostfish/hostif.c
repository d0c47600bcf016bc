/* SPDX-License-Identifier: MIT */
/*
 * hostif.c - "hostfish hostif up" and "hostfish hostif trust" (public API only).
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

static int exit_code_of(int r)
{
	switch (r) {
	case -EINVAL:
		return EXIT_USAGE;
	case -EACCES:
	case -EPERM:
		return EXIT_AUTH;
	case -ETIMEDOUT:
		return EXIT_TIMEOUT;
	default:
		return EXIT_TRANSPORT;
	}
}

int cmd_hostif(struct cli *cli, int argc, char **argv)
{
	hf_options o = HF_OPTIONS_INIT;
	int r;

	o.smbios_file = cli->bmc.opts.smbios_file;
	o.timeout_ms = cli->bmc.opts.timeout_ms;
	o.log_fn = log_err;
	o.log_userdata = cli;
	o.log_level = cli->verbose ? HF_LOG_DEBUG : HF_LOG_WARNING;
	if (argc == 1 && strcmp(argv[0], "trust") == 0) {
		char *fp = NULL, *file = NULL;

		r = hf_hostif_trust(&o, &fp, &file);
		if (r < 0)
			return exit_code_of(r);
		printf("trusted the BMC's certificate SHA256 %s\npinned in %s\n", fp, file);
		free(fp);
		free(file);
		return EXIT_OK;
	}
	if (argc == 1 && strcmp(argv[0], "up") == 0) {
		struct json_object *rep = NULL, *v;
		size_t i;

		r = hf_hostif_up(&o, &rep);
		if (r < 0)
			return exit_code_of(r);
		if (cli->json) {
			cli_print_json(rep);
		} else {
			if (json_object_object_get_ex(rep, "actions", &v))
				for (i = 0; i < json_object_array_length(v); i++)
					printf("%s\n", json_object_get_string(
							       json_object_array_get_idx(v, i)));
			if (json_object_object_get_ex(rep, "dhcp", &v))
				printf("%s\n", json_object_get_string(v));
		}
		json_object_put(rep);
		return EXIT_OK;
	}
	cli_error("usage: hostfish [--smbios FILE] hostif up|trust");
	return EXIT_USAGE;
}
