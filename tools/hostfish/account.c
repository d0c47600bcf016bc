/* SPDX-License-Identifier: MIT */
/*
 * account.c - "hostfish account ensure USER --role ROLE [--password-file FILE]
 * [--enabled|--disabled]" and "hostfish account absent USER": the BMC's local accounts,
 * idempotently (hf_account_ensure(), hf_account_absent()).  The password comes from a file
 * (or - for stdin), never from the command line.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"

/* Puppet's --detailed-exitcodes convention, as apply */
enum { DETAILED_UNCHANGED = 0, DETAILED_CHANGED = 2, DETAILED_FAILED = 4 };

static const char account_usage[] =
	"usage: hostfish account ensure USER [--role ROLE] [--password-file FILE|-]\n"
	"                                    [--enabled|--disabled] [--dry-run]\n"
	"                                    [--detailed-exitcodes]\n"
	"       hostfish account absent USER [--dry-run] [--detailed-exitcodes]";

struct account_args {
	const char *user, *role, *password_file;
	unsigned flags;
	bool detailed;
};

/* The first line of stdin, at most 255 bytes (caller wipes and frees), or NULL. */
static char *password_from_stdin(void)
{
	char buf[258];
	char *s = NULL;

	if (fgets(buf, sizeof(buf), stdin)) {
		buf[strcspn(buf, "\r\n")] = '\0';
		s = strdup(buf);
	}
	explicit_bzero(buf, sizeof(buf));
	return s;
}

static int parse(int argc, char **argv, bool ensure, struct account_args *a)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i];
		bool has_value = i + 1 < argc;

		if (ensure && strcmp(o, "--role") == 0 && has_value)
			a->role = argv[++i];
		else if (ensure && strcmp(o, "--password-file") == 0 && has_value)
			a->password_file = argv[++i];
		else if (ensure && strcmp(o, "--enabled") == 0)
			a->flags |= HF_ACCOUNT_ENABLE;
		else if (ensure && strcmp(o, "--disabled") == 0)
			a->flags |= HF_ACCOUNT_DISABLE;
		else if (strcmp(o, "--dry-run") == 0)
			a->flags |= HF_ACCOUNT_DRY_RUN;
		else if (strcmp(o, "--detailed-exitcodes") == 0)
			a->detailed = true;
		else if (o[0] == '-' && o[1]) {
			cli_error("account: unknown option or missing value: '%s'", o);
			return -1;
		} else if (!a->user)
			a->user = o;
		else {
			cli_error("account: only one USER");
			return -1;
		}
	}
	if (!a->user) {
		cli_error("account: a USER is needed");
		return -1;
	}
	if ((a->flags & HF_ACCOUNT_ENABLE) && (a->flags & HF_ACCOUNT_DISABLE)) {
		cli_error("account: --enabled and --disabled exclude each other");
		return -1;
	}
	return 0;
}

static const char *jstr(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(obj, key, &v);
	return v ? json_object_get_string(v) : NULL;
}

static void print_report(const struct cli *cli, struct json_object *rep)
{
	struct json_object *changes = NULL;
	size_t i, n;

	if (cli->json) {
		cli_print_json(rep);
		return;
	}
	printf("account %s: ", jstr(rep, "user"));
	fputs(jstr(rep, "action"), stdout);
	json_object_object_get_ex(rep, "changes", &changes);
	n = json_object_is_type(changes, json_type_array) ? json_object_array_length(changes) : 0;
	for (i = 0; i < n; i++)
		printf("%s%s", i ? ", " : " (", json_object_get_string(json_object_array_get_idx(changes, i)));
	printf("%s\n", n ? ")" : "");
	if (jstr(rep, "password_checked") && strcmp(jstr(rep, "password_checked"), "false") == 0)
		printf("  the password could not be checked (the account cannot log in, or the "
		       "transport authorises the channel): it was set\n");
}

int cmd_account(struct cli *cli, int argc, char **argv)
{
	struct account_args a = { 0 };
	struct json_object *rep = NULL;
	char *password = NULL;
	bool ensure;
	int r, rc;

	if (argc < 1 || (strcmp(argv[0], "ensure") != 0 && strcmp(argv[0], "absent") != 0)) {
		cli_error("%s", account_usage);
		return EXIT_USAGE;
	}
	ensure = strcmp(argv[0], "ensure") == 0;
	if (parse(argc, argv, ensure, &a) < 0) {
		cli_error("%s", account_usage);
		return EXIT_USAGE;
	}
	if (a.password_file) {
		char err[512];

		password = strcmp(a.password_file, "-") == 0
				   ? password_from_stdin()
				   : tools_read_secret_file(a.password_file, NULL, err, sizeof(err));
		if (!password) {
			cli_error("account: %s", strcmp(a.password_file, "-") == 0
							 ? "no password on stdin"
							 : err);
			return EXIT_USAGE;
		}
	}
	r = ensure ? hf_account_ensure(cli->client, a.user, a.role, password, a.flags, &rep)
		   : hf_account_absent(cli->client, a.user, a.flags, &rep);
	tools_wipe_free(password);
	if (r < 0) {
		rc = cli_report_error(cli, r, ensure ? "account ensure" : "account absent");
		return a.detailed && rc != EXIT_USAGE ? DETAILED_FAILED : rc;
	}
	print_report(cli, rep);
	json_object_put(rep);
	if (a.detailed)
		return r > 0 ? DETAILED_CHANGED : DETAILED_UNCHANGED;
	return EXIT_OK;
}
