/* SPDX-License-Identifier: MIT */
/*
 * flash.c - "hostfish firmware flash FILE": hf_firmware_flash() with a progress bar on a
 * terminal (bytes, then the flash percent), a plain line per phase otherwise, and a final
 * line that says what happened.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

static const char flash_usage[] =
	"usage: hostfish firmware flash [--compsig FILE] [--recovery-set] [--tpm-override] "
	"[--wait] [--wait-timeout SEC] [--dry-run] [--if-different] FILE";

struct flash_progress {
	const struct cli *cli;
	struct cli_progress *bar;
	char phase[16];
};

static const char *phase_line(const char *phase)
{
	if (strcmp(phase, "upload") == 0)
		return "uploading";
	if (strcmp(phase, "flash") == 0)
		return "the BMC is processing the upload";
	if (strcmp(phase, "queue") == 0)
		return "adding the update task queue item";
	if (strcmp(phase, "reset") == 0)
		return "waiting for the BMC to come back from its reset";
	return phase;
}

static int flash_progress_cb(void *userdata, const char *phase, double done, double total)
{
	struct flash_progress *fp = userdata;

	bool bar = strcmp(phase, "upload") == 0 || strcmp(phase, "flash") == 0;

	if (strncmp(fp->phase, phase, sizeof(fp->phase)) != 0) {
		snprintf(fp->phase, sizeof(fp->phase), "%s", phase);
		cli_progress_end(fp->bar);
		/* a bar for the bytes and the flash percent on a terminal; a line otherwise, and
		 * for the phases without an amount */
		fp->bar = bar ? cli_progress_new(fp->cli, phase, strcmp(phase, "upload") == 0
								     ? "B"
								     : "%")
			      : NULL;
		if (!fp->bar && !fp->cli->no_progress)
			cli_error("%s", phase_line(phase));
	}
	if (bar)
		cli_progress_update(fp->bar, done, total);
	return cli_interrupted() ? 1 : 0;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static void print_versions(struct json_object *rep)
{
	struct json_object *v;
	size_t i;

	if (!json_object_object_get_ex(rep, "Versions", &v))
		return;
	for (i = 0; i < json_object_array_length(v); i++) {
		struct json_object *e = json_object_array_get_idx(v, i);

		printf("%s %s: %s -> %s", i ? "," : ":", str(e, "@odata.id") ?: "?",
		       str(e, "Old") ?: "?", str(e, "New") ?: "?");
	}
}

static bool flag(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* --dry-run, or --if-different with nothing to do */
static bool print_decision(struct json_object *rep, const char *outcome, const char *file,
			   const char *type)
{
	if (strcmp(outcome, "current") == 0 || strcmp(outcome, "pending") == 0) {
		printf("%s (type %s): nothing sent, %s", file, type,
		       outcome[0] == 'c' ? "every target runs its version"
					 : "the same package already waits in the task queue");
		print_versions(rep);
		putchar('\n');
		return true;
	}
	if (strcmp(outcome, "dry-run") != 0)
		return false;
	printf("dry run, nothing sent: %s (type %s) ", file, type);
	if (!flag(rep, "Changed"))
		printf("needs nothing (%s)", flag(rep, "Current") ? "current" : "already queued");
	else
		printf("would be %s", strchr(type, 'C') ? "queued for the next server boot"
							: "flashed");
	print_versions(rep);
	putchar('\n');
	return true;
}

static void print_outcome(struct json_object *rep)
{
	const char *outcome = str(rep, "Outcome") ?: "?", *type = str(rep, "Type") ?: "?";
	const char *file = str(rep, "File") ?: "";
	struct json_object *task;

	if (print_decision(rep, outcome, file, type))
		return;
	if (strcmp(outcome, "queued") == 0) {
		json_object_object_get_ex(rep, "Task", &task);
		printf("queued %s (type %s) as task %s: pending: applied at the next server boot\n",
		       file, type, str(task, "Name") ?: "?");
		return;
	}
	if (strcmp(outcome, "uploaded") == 0) {
		printf("uploaded %s (type %s): the BMC flashes it now (--wait follows it)\n", file,
		       type);
		return;
	}
	printf("flashed %s (type %s)", file, type);
	print_versions(rep);
	if (strcmp(type, "B") == 0)
		printf("; pending reboot: a server reset makes it take effect");
	putchar('\n');
}

int cli_firmware_flash(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "compsig", required_argument, NULL, 'c' },
		{ "recovery-set", no_argument, NULL, 'r' },
		{ "tpm-override", no_argument, NULL, 'p' },
		{ "wait", no_argument, NULL, 'w' },
		{ "wait-timeout", required_argument, NULL, 'T' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "if-different", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	hf_flash_options fo = HF_FLASH_OPTIONS_INIT;
	struct flash_progress fp = { .cli = cli };
	struct json_object *report = NULL;
	long timeout_s = CLI_DEFAULT_WAIT_S;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			fo.compsig = optarg;
			break;
		case 'r':
			fo.recovery_set = 1;
			break;
		case 'p':
			fo.tpm_override = 1;
			break;
		case 'w':
			fo.wait = 1;
			break;
		case 'n':
			fo.dry_run = 1;
			break;
		case 'i':
			fo.if_different = 1;
			break;
		case 'T':
			if (!cli_parse_wait_timeout(optarg, &timeout_s))
				return EXIT_USAGE;
			break;
		default:
			cli_error("%s", flash_usage);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		cli_error("%s", flash_usage);
		return EXIT_USAGE;
	}
	fo.wait_timeout_ms = timeout_s * 1000;
	fo.progress = flash_progress_cb;
	fo.progress_userdata = &fp;
	r = hf_firmware_flash(cli->client, argv[optind], &fo, &report);
	cli_progress_end(fp.bar);
	if (r < 0) {
		/* something was uploaded before the failure: --json says so (Changed) */
		if (report && cli->json)
			cli_print_json(report);
		json_object_put(report);
		return cli_report_error(cli, r, "firmware flash");
	}
	if (cli->json)
		cli_print_json(report);
	else
		print_outcome(report);
	json_object_put(report);
	return EXIT_OK;
}
