/* SPDX-License-Identifier: MIT */
/*
 * fwmgmt.c - "hostfish firmware repo|queue|installset|window|pull": an HPE iLO's component
 * repository, update task queue, install sets and maintenance windows, and pull updates,
 * through hostfish-fwmgmt.h.  Text or --json output; the exit codes of hostfish(1).
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

static const char repo_usage[] = "usage: hostfish firmware repo list | repo delete NAME";
static const char queue_usage[] =
	"usage: hostfish firmware queue list | queue clean | queue add [--tpm-override] "
	"ITEM...  (ITEM: FILENAME, wait=SECONDS or reboot)";
static const char set_usage[] =
	"usage: hostfish firmware installset list | installset create [--description TEXT] NAME "
	"ITEM... | installset invoke [--window ID] [--clear-queue] [--tpm-override] "
	"[--recovery-set] [--start-after TIME] [--expire TIME] NAME | installset delete NAME";
static const char window_usage[] =
	"usage: hostfish firmware window list | window create --start-after TIME [--expire TIME] "
	"[--description TEXT] NAME | window delete ID";
static const char pull_usage[] =
	"usage: hostfish firmware pull [--compsig-uri URI] [--repository-only] [--wait] "
	"[--wait-timeout SEC] URI";

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && !json_object_is_type(v, json_type_null))
		return json_object_get_string(v);
	return NULL;
}

static int usage(const char *text)
{
	cli_error("%s", text);
	return EXIT_USAGE;
}

/* print an object's JSON, or a line "VERB NAME" */
static int done(const struct cli *cli, struct json_object *j, const char *line)
{
	if (cli->json)
		cli_print_json(j);
	else if (line)
		printf("%s\n", line);
	json_object_put(j);
	return EXIT_OK;
}

static struct json_object *pair(const char *k1, const char *v1, const char *k2,
				struct json_object *v2)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, k1, json_object_new_string(v1));
	if (k2)
		json_object_object_add(o, k2, v2);
	return o;
}

/* ---- repo ---- */

static int repo(struct cli *cli, int argc, char **argv)
{
	struct json_object *list = NULL;
	char line[512];
	size_t i;
	int r;

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		r = hf_firmware_repo_list(cli->client, &list);
		if (r < 0)
			return cli_report_error(cli, r, "firmware repo list");
		if (cli->json)
			return done(cli, list, NULL);
		printf("%-8s %-48s %-16s %-6s %10s %s\n", "ID", "FILENAME", "VERSION", "LOCKED",
		       "SIZE", "UPDATABLE BY");
		for (i = 0; i < json_object_array_length(list); i++) {
			struct json_object *c = json_object_array_get_idx(list, i), *by;
			const char *locked = str(c, "Locked");

			printf("%-8s %-48s %-16s %-6s %10s", str(c, "Id") ?: "-",
			       str(c, "Filename") ?: "-", str(c, "Version") ?: "-",
			       locked && strcmp(locked, "true") == 0 ? "yes" : "no",
			       str(c, "SizeBytes") ?: "-");
			if (json_object_object_get_ex(c, "UpdatableBy", &by))
				for (size_t j = 0; j < json_object_array_length(by); j++)
					printf("%s%s", j ? "," : " ",
					       json_object_get_string(json_object_array_get_idx(by, j)));
			putchar('\n');
		}
		return done(cli, list, NULL);
	}
	if (argc == 3 && strcmp(argv[1], "delete") == 0) {
		r = hf_firmware_repo_delete(cli->client, argv[2]);
		if (r < 0)
			return cli_report_error(cli, r, "firmware repo delete");
		snprintf(line, sizeof(line), "deleted %s", argv[2]);
		return done(cli, pair("Deleted", argv[2], NULL, NULL), line);
	}
	return usage(repo_usage);
}

/* ---- queue ---- */

static void print_items(struct json_object *items)
{
	size_t i;

	printf("%-32s %-10s %-12s %s\n", "NAME", "STATE", "COMMAND", "FILE / SECONDS");
	for (i = 0; i < json_object_array_length(items); i++) {
		struct json_object *it = json_object_array_get_idx(items, i);

		printf("%-32s %-10s %-12s %s\n", str(it, "Name") ?: "-", str(it, "State") ?: "-",
		       str(it, "Command") ?: "-",
		       str(it, "Filename") ?: str(it, "WaitTimeSeconds") ?: "");
	}
}

static int queue_list(struct cli *cli)
{
	struct json_object *q = NULL, *items, *blocking, *blocked;
	size_t i;
	int r = hf_firmware_queue_list(cli->client, &q);

	if (r < 0)
		return cli_report_error(cli, r, "firmware queue list");
	if (cli->json)
		return done(cli, q, NULL);
	json_object_object_get_ex(q, "Items", &items);
	json_object_object_get_ex(q, "Blocking", &blocking);
	json_object_object_get_ex(q, "Blocked", &blocked);
	print_items(items);
	if (json_object_array_length(blocking) > 0) {
		printf("blocked: %s is %s: HPE runs no item after it until it is removed "
		       "(hostfish firmware queue clean)",
		       json_object_get_string(json_object_array_get_idx(blocking, 0)),
		       "Expired or in Exception");
		for (i = 0; i < json_object_array_length(blocked); i++)
			printf("%s%s", i ? ", " : "; waiting: ",
			       json_object_get_string(json_object_array_get_idx(blocked, i)));
		putchar('\n');
	}
	return done(cli, q, NULL);
}

static int queue(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tpm-override", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *out = NULL;
	unsigned flags = 0;
	size_t i;
	int c, r;

	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return queue_list(cli);
	if (argc == 2 && strcmp(argv[1], "clean") == 0) {
		r = hf_firmware_queue_clean(cli->client, &out);
		if (r < 0)
			return cli_report_error(cli, r, "firmware queue clean");
		if (cli->json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "Removed", out);
			return done(cli, o, NULL);
		}
		for (i = 0; i < json_object_array_length(out); i++)
			printf("removed %s\n", json_object_get_string(json_object_array_get_idx(out, i)));
		return done(cli, out,
			    r == 0 ? "nothing to remove (no Complete, Expired or Exception item)"
				   : NULL);
	}
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return usage(queue_usage);
	optind = 0;
	argc--, argv++;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c != 'p')
			return usage(queue_usage);
		flags |= HF_FW_TPM_OVERRIDE;
	}
	if (optind >= argc)
		return usage(queue_usage);
	r = hf_firmware_queue_add(cli->client, (const char *const *)(argv + optind), flags, &out);
	if (r < 0)
		return cli_report_error(cli, r, "firmware queue add");
	if (!cli->json)
		for (i = 0; i < json_object_array_length(out); i++)
			printf("queued %s\n", str(json_object_array_get_idx(out, i), "Name") ?: "?");
	return done(cli, out, NULL);
}

/* ---- install sets ---- */

static int set_list(struct cli *cli)
{
	struct json_object *sets = NULL, *seq;
	size_t i, j;
	int r = hf_firmware_installset_list(cli->client, &sets);

	if (r < 0)
		return cli_report_error(cli, r, "firmware installset list");
	if (cli->json)
		return done(cli, sets, NULL);
	if (json_object_array_length(sets) == 0)
		printf("no install sets\n");
	for (i = 0; i < json_object_array_length(sets); i++) {
		struct json_object *s = json_object_array_get_idx(sets, i);
		const char *rec = str(s, "IsRecovery");

		printf("%s%s\n", str(s, "Name") ?: "?",
		       rec && strcmp(rec, "true") == 0 ? " [recovery set]" : "");
		if (!json_object_object_get_ex(s, "Sequence", &seq))
			continue;
		for (j = 0; j < json_object_array_length(seq); j++) {
			struct json_object *it = json_object_array_get_idx(seq, j);

			printf("  %-32s %-12s %s\n", str(it, "Name") ?: "-",
			       str(it, "Command") ?: "-",
			       str(it, "Filename") ?: str(it, "WaitTimeSeconds") ?: "");
		}
	}
	return done(cli, sets, NULL);
}

static int set_create(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "description", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *desc = NULL;
	char *uri = NULL, line[256];
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c != 'd')
			return usage(set_usage);
		desc = optarg;
	}
	if (argc - optind < 2)
		return usage(set_usage);
	r = hf_firmware_installset_create(cli->client, argv[optind], desc,
					  (const char *const *)(argv + optind + 1), &uri);
	if (r < 0)
		return cli_report_error(cli, r, "firmware installset create");
	snprintf(line, sizeof(line), "created install set %s (%d items)", argv[optind],
		 argc - optind - 1);
	r = done(cli, pair("Name", argv[optind], "@odata.id", json_object_new_string(uri)), line);
	free(uri);
	return r;
}

static int set_invoke(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "window", required_argument, NULL, 'w' },
		{ "clear-queue", no_argument, NULL, 'c' },
		{ "tpm-override", no_argument, NULL, 'p' },
		{ "recovery-set", no_argument, NULL, 'r' },
		{ "start-after", required_argument, NULL, 's' },
		{ "expire", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	hf_invoke_options o = HF_INVOKE_OPTIONS_INIT;
	char line[256];
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			o.window = optarg;
			break;
		case 'c':
			o.clear_queue = 1;
			break;
		case 'p':
			o.flags |= HF_FW_TPM_OVERRIDE;
			break;
		case 'r':
			o.recovery_set = 1;
			break;
		case 's':
			o.start_after = optarg;
			break;
		case 'e':
			o.expire = optarg;
			break;
		default:
			return usage(set_usage);
		}
	}
	if (argc - optind != 1)
		return usage(set_usage);
	r = hf_firmware_installset_invoke(cli->client, argv[optind], &o);
	if (r < 0)
		return cli_report_error(cli, r, "firmware installset invoke");
	snprintf(line, sizeof(line), "invoked install set %s: its %d items are in the task queue",
		 argv[optind], r);
	return done(cli, pair("Name", argv[optind], "Items", json_object_new_int(r)), line);
}

static int installset(struct cli *cli, int argc, char **argv)
{
	char line[256];
	int r;

	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return set_list(cli);
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return set_create(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "invoke") == 0)
		return set_invoke(cli, argc - 1, argv + 1);
	if (argc == 3 && strcmp(argv[1], "delete") == 0) {
		r = hf_firmware_installset_delete(cli->client, argv[2]);
		if (r < 0)
			return cli_report_error(cli, r, "firmware installset delete");
		snprintf(line, sizeof(line), "deleted install set %s", argv[2]);
		return done(cli, pair("Deleted", argv[2], NULL, NULL), line);
	}
	return usage(set_usage);
}

/* ---- maintenance windows ---- */

static int window_create(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "start-after", required_argument, NULL, 's' },
		{ "expire", required_argument, NULL, 'e' },
		{ "description", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *start = NULL, *expire = NULL, *desc = NULL;
	char *id = NULL, line[256];
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			start = optarg;
			break;
		case 'e':
			expire = optarg;
			break;
		case 'd':
			desc = optarg;
			break;
		default:
			return usage(window_usage);
		}
	}
	if (argc - optind != 1 || !start)
		return usage(window_usage);
	r = hf_firmware_window_create(cli->client, argv[optind], start, expire, desc, &id);
	if (r < 0)
		return cli_report_error(cli, r, "firmware window create");
	snprintf(line, sizeof(line), "created maintenance window %s (Id %s)", argv[optind], id);
	r = done(cli, pair("Name", argv[optind], "Id", json_object_new_string(id)), line);
	free(id);
	return r;
}

static int window(struct cli *cli, int argc, char **argv)
{
	struct json_object *list = NULL;
	char line[256];
	size_t i;
	int r;

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		r = hf_firmware_window_list(cli->client, &list);
		if (r < 0)
			return cli_report_error(cli, r, "firmware window list");
		if (cli->json)
			return done(cli, list, NULL);
		printf("%-10s %-24s %-20s %-20s %s\n", "ID", "NAME", "START AFTER", "EXPIRE",
		       "DESCRIPTION");
		for (i = 0; i < json_object_array_length(list); i++) {
			struct json_object *w = json_object_array_get_idx(list, i);

			printf("%-10s %-24s %-20s %-20s %s\n", str(w, "Id") ?: "-",
			       str(w, "Name") ?: "-", str(w, "StartAfter") ?: "-",
			       str(w, "Expire") ?: "-", str(w, "Description") ?: "");
		}
		return done(cli, list, NULL);
	}
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return window_create(cli, argc - 1, argv + 1);
	if (argc == 3 && strcmp(argv[1], "delete") == 0) {
		r = hf_firmware_window_delete(cli->client, argv[2]);
		if (r < 0)
			return cli_report_error(cli, r, "firmware window delete");
		snprintf(line, sizeof(line), "deleted maintenance window %s", argv[2]);
		return done(cli, pair("Deleted", argv[2], NULL, NULL), line);
	}
	return usage(window_usage);
}

/* ---- pull ---- */

static int pull(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "compsig-uri", required_argument, NULL, 'c' },
		{ "repository-only", no_argument, NULL, 'r' },
		{ "wait", no_argument, NULL, 'w' },
		{ "wait-timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	hf_pull_options o = HF_PULL_OPTIONS_INIT;
	struct cli_progress *bar = NULL;
	struct json_object *rep = NULL;
	long timeout_s = CLI_DEFAULT_WAIT_S;
	char *shown;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.compsig_uri = optarg;
			break;
		case 'r':
			o.repository_only = 1;
			break;
		case 'w':
			o.wait = 1;
			break;
		case 'T':
			if (!cli_parse_wait_timeout(optarg, &timeout_s))
				return EXIT_USAGE;
			break;
		default:
			return usage(pull_usage);
		}
	}
	if (argc - optind != 1)
		return usage(pull_usage);
	o.wait_timeout_ms = timeout_s * 1000;
	if (o.wait) {
		bar = cli_progress_new(cli, "flash", "%");
		o.progress = cli_progress_cb;
		o.progress_userdata = bar;
	}
	r = hf_firmware_pull(cli->client, argv[optind], &o, &rep);
	cli_progress_end(bar);
	if (r < 0)
		return cli_report_error(cli, r, "firmware pull");
	if (cli->json)
		return done(cli, rep, NULL);
	shown = hf_mask_uri(argv[optind]);
	printf("%s %s (%s)%s\n",
	       strcmp(str(rep, "Outcome") ?: "", "completed") == 0 ? "updated from" : "the BMC fetches",
	       shown ? shown : "the image", str(rep, "Action") ?: "?",
	       o.wait ? "" : ": it applies the image once fetched (--wait follows it)");
	free(shown);
	return done(cli, rep, NULL);
}

int cli_firmware_manage(struct cli *cli, int argc, char **argv)
{
	if (strcmp(argv[0], "repo") == 0)
		return repo(cli, argc, argv);
	if (strcmp(argv[0], "queue") == 0)
		return queue(cli, argc, argv);
	if (strcmp(argv[0], "installset") == 0)
		return installset(cli, argc, argv);
	if (strcmp(argv[0], "window") == 0)
		return window(cli, argc, argv);
	return pull(cli, argc, argv);
}
