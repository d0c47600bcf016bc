/* SPDX-License-Identifier: MIT */
/*
 * logs.c - "hostfish logs services|list|follow|clear|repair|note": the BMC's log services
 * through hf_log_*(), with a cursor per BMC and log service kept for follow.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cli.h"

#define CURSOR_CONSUMER "cli"
#define FOLLOW_DEFAULT_INTERVAL_S 10L
#define FOLLOW_SLICE_MS 100L

static const char logs_usage[] =
	"Usage: hostfish logs services\n"
	"       hostfish logs list [--service NAME] [--since CURSOR|TIME]\n"
	"       hostfish logs follow [--service NAME] [--interval SEC]\n"
	"       hostfish logs clear --service NAME\n"
	"       hostfish logs repair [--service NAME] ID\n"
	"       hostfish logs note [--service NAME] TEXT\n"
	"The BMC's log services (iLO: IML, Event, SL, IEL).  follow prints only entries that are\n"
	"new since the last follow (a cursor per BMC and log service is kept in\n"
	"$HOSTFISH_STATE_DIR/cursors/), polling every SEC seconds (default 10).  repair and note\n"
	"act on the IML unless --service names another log.\n";

static const struct option logs_options[] = {
	{ "service", required_argument, NULL, 's' },
	{ "since", required_argument, NULL, 'S' },
	{ "interval", required_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct logs_args {
	const char *service;
	const char *since;
	long interval_s;
};

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* A BMC's text on one line: newlines and tabs become spaces, trailing blanks go, controls
 * are escaped by tools_fput_safe(). */
static void put_one_line(const char *s)
{
	char *copy = strdup(s ? s : ""), *p;
	size_t n;

	if (!copy)
		return;
	for (p = copy; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	n = strlen(copy);
	while (n > 0 && copy[n - 1] == ' ')
		n--;
	tools_fput_safe(stdout, copy, n, false);
	free(copy);
}

void cli_print_log_entry(const struct cli *cli, struct json_object *e)
{
	struct json_object *v;
	const char *sev = jstr(e, "oem_severity") ? jstr(e, "oem_severity") : jstr(e, "severity");

	if (cli->json) {
		tools_fput_json(stdout, json_object_to_json_string_ext(
						e, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
		putchar('\n');
		fflush(stdout);
		return;
	}
	put_one_line(jstr(e, "created") ? jstr(e, "created") : "-");
	putchar(' ');
	put_one_line(jstr(e, "service"));
	putchar(' ');
	put_one_line(jstr(e, "id"));
	putchar(' ');
	put_one_line(sev ? sev : "-");
	putchar(' ');
	if (jstr(e, "message")) {
		put_one_line(jstr(e, "message"));
	} else if (jstr(e, "message_id")) {
		size_t i, n;

		put_one_line(jstr(e, "message_id"));
		if (json_object_object_get_ex(e, "message_args", &v) &&
		    json_object_is_type(v, json_type_array) && (n = json_object_array_length(v))) {
			putchar('(');
			for (i = 0; i < n; i++) {
				if (i)
					fputs(", ", stdout);
				put_one_line(json_object_get_string(json_object_array_get_idx(v, i)));
			}
			putchar(')');
		}
	}
	if (json_object_object_get_ex(e, "repeated", &v) && json_object_get_boolean(v)) {
		fputs(" (again", stdout);
		if (json_object_object_get_ex(e, "count", &v))
			printf(", %lld times", (long long)json_object_get_int64(v));
		putchar(')');
	}
	putchar('\n');
	fflush(stdout);
}

static int parse_logs_args(int argc, char **argv, struct logs_args *a, int *consumed)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->interval_s = FOLLOW_DEFAULT_INTERVAL_S;
	optind = 0;
	while ((c = getopt_long(argc + 1, argv - 1, "+", logs_options, NULL)) != -1) {
		switch (c) {
		case 's':
			a->service = optarg;
			break;
		case 'S':
			a->since = optarg;
			break;
		case 'i':
			if (!tools_parse_long(optarg, 1, 86400, &a->interval_s)) {
				cli_error("--interval: expected seconds between 1 and 86400; nothing "
					  "was sent");
				return -1;
			}
			break;
		case 'h':
			fputs(logs_usage, stdout);
			return 1;
		default:
			fputs(logs_usage, stderr);
			return -1;
		}
	}
	*consumed = optind - 1;
	return 0;
}

/* The services to act on: all, or the one named (by Id or path).  Returns an exit code. */
static int pick_services(struct cli *cli, const char *name, struct json_object **ret)
{
	struct json_object *all = NULL, *out;
	size_t i, n;
	int r = hf_log_services(cli->client, &all);

	if (r < 0)
		return cli_report_error(cli, r, "log services");
	if (!name) {
		*ret = all;
		return EXIT_OK;
	}
	out = json_object_new_array();
	n = json_object_array_length(all);
	for (i = 0; out && i < n; i++) {
		struct json_object *s = json_object_array_get_idx(all, i);

		if (strcmp(jstr(s, "name"), name) == 0 || strcmp(jstr(s, "path"), name) == 0)
			json_object_array_add(out, json_object_get(s));
	}
	json_object_put(all);
	if (!out)
		return EXIT_USAGE;
	if (json_object_array_length(out) == 0) {
		cli_error("no log service '%s' on this BMC (hostfish logs services lists them)",
			  name);
		json_object_put(out);
		return EXIT_HTTP_4XX;
	}
	*ret = out;
	return EXIT_OK;
}

static int cmd_logs_services(struct cli *cli)
{
	struct json_object *all = NULL;
	size_t i, n;
	int rc = pick_services(cli, NULL, &all);

	if (rc)
		return rc;
	if (cli->json) {
		cli_print_json(all);
	} else {
		n = json_object_array_length(all);
		for (i = 0; i < n; i++) {
			struct json_object *s = json_object_array_get_idx(all, i);

			printf("%-8s ", jstr(s, "name"));
			put_one_line(jstr(s, "path"));
			if (jstr(s, "title")) {
				fputs("  ", stdout);
				put_one_line(jstr(s, "title"));
			}
			putchar('\n');
		}
	}
	json_object_put(all);
	return EXIT_OK;
}

static void say_discontinuity(const struct cli *cli, struct json_object *doc)
{
	struct json_object *v;
	const char *what = NULL;

	if (json_object_object_get_ex(doc, "cleared", &v) && json_object_get_boolean(v))
		what = "was cleared since the last entry seen";
	else if (json_object_object_get_ex(doc, "wrapped", &v) && json_object_get_boolean(v))
		what = "wrapped past the last entry seen: entries may have been lost";
	if (!what)
		return;
	cli_error("log %s %s", jstr(doc, "service"), what);
	if (cli->json) {
		struct json_object *note = json_object_new_object();

		json_object_object_add(note, "service", json_object_new_string(jstr(doc, "service")));
		json_object_object_add(note, json_object_object_get_ex(doc, "cleared", &v) &&
							     json_object_get_boolean(v)
						     ? "cleared"
						     : "wrapped",
				       json_object_new_boolean(1));
		cli_print_log_entry(cli, note);
		json_object_put(note);
	}
}

static int cmd_logs_list(struct cli *cli, const struct logs_args *a)
{
	struct json_object *services = NULL, *docs = json_object_new_array();
	size_t i, n;
	int rc = pick_services(cli, a->service, &services);

	if (rc || !docs) {
		json_object_put(docs);
		return rc ? rc : EXIT_USAGE;
	}
	n = json_object_array_length(services);
	for (i = 0; i < n && rc == EXIT_OK; i++) {
		struct json_object *doc = NULL, *entries;
		size_t j, m;
		int r = hf_log_read(cli->client, json_object_array_get_idx(services, i), a->since,
				    &doc);

		if (r < 0) {
			rc = cli_report_error(cli, r, "log entries");
			break;
		}
		if (cli->json) {
			json_object_array_add(docs, doc);
			continue;
		}
		json_object_object_get_ex(doc, "entries", &entries);
		m = json_object_array_length(entries);
		for (j = 0; j < m; j++)
			cli_print_log_entry(cli, json_object_array_get_idx(entries, j));
		json_object_put(doc);
	}
	if (cli->json && rc == EXIT_OK) {
		struct json_object *top = json_object_new_object();

		json_object_object_add(top, "logs", json_object_get(docs));
		cli_print_json(top);
		json_object_put(top);
	}
	json_object_put(docs);
	json_object_put(services);
	return rc;
}

/* Sleep ms unless a signal came (checked every slice). */
static void follow_sleep(long ms)
{
	while (ms > 0 && !cli_interrupted()) {
		long step = ms < FOLLOW_SLICE_MS ? ms : FOLLOW_SLICE_MS;
		struct timespec ts = { step / 1000, (step % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		ms -= step;
	}
}

/*
 * One poll of one service: read what is new since its cursor, print it, then keep the new
 * cursor.  The first poll without a kept cursor prints nothing: follow shows what happens
 * from now on.  Returns an exit code.
 */
static int follow_one(struct cli *cli, struct json_object *service)
{
	const char *name = jstr(service, "name");
	char *cursor = NULL;
	struct json_object *doc = NULL, *entries;
	size_t j, m;
	bool first;
	int r, rc = EXIT_OK;

	r = hf_log_cursor_load(cli->client, CURSOR_CONSUMER, name, &cursor);
	if (r < 0 && r != -ENOENT)
		cli_error("the kept cursor of %s cannot be read (%s): starting from now", name,
			  strerror(-r));
	first = r < 0;
	r = hf_log_read(cli->client, service, first ? NULL : cursor, &doc);
	if (r == -EINVAL && !first) { /* a cursor of another version or BMC: start anew */
		cli_error("the kept cursor of %s is not valid here: starting from now", name);
		first = true;
		r = hf_log_read(cli->client, service, NULL, &doc);
	}
	free(cursor);
	if (r < 0)
		return cli_report_error(cli, r, name);
	if (!first) {
		say_discontinuity(cli, doc);
		json_object_object_get_ex(doc, "entries", &entries);
		m = json_object_array_length(entries);
		for (j = 0; j < m; j++)
			cli_print_log_entry(cli, json_object_array_get_idx(entries, j));
	}
	r = hf_log_cursor_store(cli->client, CURSOR_CONSUMER, name, jstr(doc, "cursor"));
	if (r < 0)
		rc = cli_report_error(cli, r, "cursor");
	json_object_put(doc);
	return rc;
}

int cli_logs_follow(struct cli *cli, const char *service, long interval_s)
{
	struct json_object *services = NULL;
	int rc = pick_services(cli, service, &services);

	while (rc == EXIT_OK && !cli_interrupted()) {
		size_t i, n = json_object_array_length(services);

		for (i = 0; i < n && rc == EXIT_OK && !cli_interrupted(); i++)
			rc = follow_one(cli, json_object_array_get_idx(services, i));
		if (rc == EXIT_OK)
			follow_sleep(interval_s * 1000);
	}
	json_object_put(services);
	return rc;
}

static int act(struct cli *cli, const char *verb, const struct logs_args *a, const char *arg)
{
	struct json_object *services = NULL, *s;
	const char *name = a->service ? a->service : "IML";
	int r, rc;

	if (strcmp(verb, "clear") == 0 && !a->service) {
		cli_error("logs clear: --service NAME is required; nothing was sent");
		return EXIT_USAGE;
	}
	rc = pick_services(cli, name, &services);
	if (rc)
		return rc;
	s = json_object_array_get_idx(services, 0);
	if (strcmp(verb, "clear") == 0)
		r = hf_log_clear(cli->client, s);
	else if (strcmp(verb, "repair") == 0)
		r = hf_log_repair(cli->client, s, arg);
	else
		r = hf_log_note(cli->client, s, arg);
	json_object_put(services);
	if (r < 0)
		return cli_report_error(cli, r, verb);
	return EXIT_OK;
}

int cmd_logs(struct cli *cli, int argc, char **argv)
{
	struct logs_args a;
	const char *verb = argc > 0 ? argv[0] : "";
	int consumed = 0, r;

	r = parse_logs_args(argc - 1, argv + 1, &a, &consumed);
	if (r != 0)
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	argc -= 1 + consumed;
	argv += 1 + consumed;
	if ((strcmp(verb, "repair") == 0 || strcmp(verb, "note") == 0) ? argc != 1 : argc != 0) {
		fputs(logs_usage, stderr);
		return EXIT_USAGE;
	}
	if ((a.since && strcmp(verb, "list") != 0) ||
	    (a.interval_s != FOLLOW_DEFAULT_INTERVAL_S && strcmp(verb, "follow") != 0)) {
		cli_error("logs %s: --since belongs to list, --interval to follow", verb);
		return EXIT_USAGE;
	}
	if (strcmp(verb, "services") == 0)
		return cmd_logs_services(cli);
	if (strcmp(verb, "list") == 0)
		return cmd_logs_list(cli, &a);
	if (strcmp(verb, "follow") == 0)
		return cli_logs_follow(cli, a.service, a.interval_s);
	if (strcmp(verb, "clear") == 0 || strcmp(verb, "repair") == 0 || strcmp(verb, "note") == 0)
		return act(cli, verb, &a, argc ? argv[0] : NULL);
	fputs(logs_usage, stderr);
	return EXIT_USAGE;
}
