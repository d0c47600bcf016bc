/* SPDX-License-Identifier: MIT */
/*
 * export.c - "hostfish export [--out FILE] PATH...": the writable, non-volatile properties of
 * resources as an apply file (hf_export()); "hostfish apply FILE" on the same server then
 * changes nothing.  FILE is written atomically, mode 0600.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "atomic-write.h"
#include "cli.h"

#define MAX_PATHS 256

int cmd_export(struct cli *cli, int argc, char **argv)
{
	const char *paths[MAX_PATHS], *out = NULL, *text;
	struct json_object *state = NULL;
	bool no_more_options = false;
	size_t n = 0;
	int a, r;

	for (a = 0; a < argc; a++) {
		if (!no_more_options && strcmp(argv[a], "--") == 0) {
			no_more_options = true;
		} else if (!no_more_options && strcmp(argv[a], "--out") == 0 && a + 1 < argc) {
			out = argv[++a];
		} else if (!no_more_options && argv[a][0] == '-') {
			cli_error("export: unknown option or missing value: '%s'", argv[a]);
			return EXIT_USAGE;
		} else if (n < MAX_PATHS) {
			paths[n++] = argv[a];
		} else {
			cli_error("export: at most %d paths", MAX_PATHS);
			return EXIT_USAGE;
		}
	}
	if (!n) {
		cli_error("usage: hostfish export [--out FILE] PATH...");
		return EXIT_USAGE;
	}
	r = hf_export(cli->client, paths, n, &state);
	if (r < 0)
		return cli_report_error(cli, r, "export");
	if (!out) {
		cli_print_json(state);
		json_object_put(state);
		return EXIT_OK;
	}
	text = json_object_to_json_string_ext(state, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_SPACED |
							     JSON_C_TO_STRING_NOSLASHESCAPE);
	r = text ? hf_write_atomic(out, text, strlen(text)) : -ENOMEM;
	json_object_put(state);
	if (r < 0) {
		cli_error("export: cannot write %s: %s", out, strerror(-r));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}
