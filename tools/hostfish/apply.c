/* SPDX-License-Identifier: MIT */
/*
 * apply.c - "hostfish apply [--dry-run] [--detailed-exitcodes] FILE": bring resources to the
 * state FILE describes, changing only what differs (hf_apply()).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"

#define APPLY_FILE_MAX ((size_t)16 << 20)

/* Puppet's --detailed-exitcodes convention */
enum { DETAILED_UNCHANGED = 0, DETAILED_CHANGED = 2, DETAILED_FAILED = 4 };

static char *read_file(const char *name, size_t *ret_len)
{
	int fd = strcmp(name, "-") == 0 ? STDIN_FILENO : open(name, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len = 0;

	if (fd < 0) {
		cli_error("apply: cannot open %s: %s", name, strerror(errno));
		return NULL;
	}
	buf = malloc(APPLY_FILE_MAX + 1);
	if (!buf) {
		cli_error("apply: out of memory");
		goto fail;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, APPLY_FILE_MAX + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error("apply: cannot read %s: %s", name, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > APPLY_FILE_MAX) {
			cli_error("apply: %s is larger than %zu bytes", name, APPLY_FILE_MAX);
			goto fail;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	buf[len] = '\0';
	*ret_len = len;
	return buf;
fail:
	if (fd != STDIN_FILENO)
		close(fd);
	free(buf);
	return NULL;
}

/* Members in the tree, counted over every object. */
static size_t tree_members(struct json_object *v)
{
	size_t n = 0, i;

	if (json_object_is_type(v, json_type_array))
		for (i = 0; i < json_object_array_length(v); i++)
			n += tree_members(json_object_array_get_idx(v, i));
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, sub)
		{
			(void)key;
			n += 1 + tree_members(sub);
		}
	}
	return n;
}

/* Name separators (':' outside strings) in a text that parsed as JSON: one per member. */
static size_t text_members(const char *s, size_t len)
{
	bool in_string = false;
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (in_string) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_string = false;
		} else if (s[i] == '"') {
			in_string = true;
		} else if (s[i] == ':') {
			n++;
		}
	}
	return n;
}

/*
 * FILE as a JSON object.  json-c keeps the last of duplicate keys silently; a desired state
 * that names a resource or property twice is ambiguous, so it is refused: the parsed tree
 * then has fewer members than the text has name separators.
 */
static struct json_object *parse_desired(const char *name, const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	struct json_object *obj = NULL;
	size_t end;

	if (!tok) {
		cli_error("apply: out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (!obj || json_tokener_get_error(tok) != json_tokener_success) {
		cli_error("apply: %s is not valid JSON: %s; nothing was sent", name,
			  json_tokener_error_desc(json_tokener_get_error(tok)));
		goto fail;
	}
	for (; end < len; end++)
		if (!strchr(" \t\r\n", text[end])) {
			cli_error("apply: %s: text after the JSON document; nothing was sent", name);
			goto fail;
		}
	if (strlen(text) != len) {
		cli_error("apply: %s contains a NUL byte; nothing was sent", name);
		goto fail;
	}
	if (tree_members(obj) != text_members(text, len)) {
		cli_error("apply: %s names a key twice in one object; nothing was sent", name);
		goto fail;
	}
	json_tokener_free(tok);
	return obj;
fail:
	json_object_put(obj);
	json_tokener_free(tok);
	return NULL;
}

static const char *jtext(struct json_object *v)
{
	return v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE)
		 : "null";
}

static struct json_object *jget(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(obj, key, &v);
	return v;
}

static void print_messages(FILE *f, struct json_object *msgs)
{
	size_t i, n = json_object_is_type(msgs, json_type_array) ? json_object_array_length(msgs)
								: 0;

	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(msgs, i);
		static const char *const keys[] = { "MessageId", "Message", "Severity",
						    "Resolution" };
		size_t k;

		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (jget(m, keys[k]))
				fprintf(f, "  %s: %s\n", keys[k], json_object_get_string(jget(m, keys[k])));
	}
}

static void print_resource(struct json_object *r)
{
	const char *path = json_object_get_string(jget(r, "path"));
	const char *status = json_object_get_string(jget(r, "status"));
	struct json_object *changes = jget(r, "changes"), *pending = jget(r, "pending");
	size_t i, n;

	if (strcmp(status, "failed") == 0) {
		struct json_object *e = jget(r, "error");

		struct json_object *v = jget(r, "violations");

		cli_error("apply: %s: %s", path, json_object_get_string(jget(e, "message")));
		print_messages(stderr, jget(e, "messages"));
		n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
		for (i = 0; n > 1 && i < n; i++)
			fprintf(stderr, "  %s: %s\n",
				json_object_get_string(jget(json_object_array_get_idx(v, i), "property")),
				json_object_get_string(jget(json_object_array_get_idx(v, i), "allowed")));
		return;
	}
	printf("%s: %s%s%s\n", path,
	       strcmp(status, "would_change") == 0 ? "would change" : status,
	       jget(r, "target") ? " via " : "",
	       jget(r, "target") ? json_object_get_string(jget(r, "target")) : "");
	n = json_object_is_type(changes, json_type_array) ? json_object_array_length(changes) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(changes, i);

		printf("  %s: %s -> ", json_object_get_string(jget(c, "property")),
		       jtext(jget(c, "old")));
		printf("%s\n", jtext(jget(c, "new")));
	}
	n = json_object_is_type(pending, json_type_array) ? json_object_array_length(pending) : 0;
	for (i = 0; i < n; i++)
		printf("  pending (accepted, not in effect yet; a reset may be needed): %s\n",
		       json_object_get_string(json_object_array_get_idx(pending, i)));
	if (jget(r, "retried"))
		printf("  (the resource changed meanwhile: read again and retried)\n");
	print_messages(stdout, jget(r, "messages"));
}

/* "apply --results": what the reboot did with the pending values */
static void print_results(struct json_object *report)
{
	static const char *const lists[] = { "applied", "pending", "refused", "not_applied" };
	struct json_object *resources = jget(report, "resources");
	size_t i, j, k;

	for (i = 0; i < json_object_array_length(resources); i++) {
		struct json_object *r = json_object_array_get_idx(resources, i);

		printf("%s:", json_object_get_string(jget(r, "path")));
		for (k = 0; k < 4; k++)
			printf(" %s %zu%s", lists[k], json_object_array_length(jget(r, lists[k])),
			       k < 3 ? "," : "\n");
		for (k = 1; k < 4; k++)
			for (j = 0; j < json_object_array_length(jget(r, lists[k])); j++) {
				struct json_object *e = json_object_array_get_idx(jget(r, lists[k]), j);
				struct json_object *msgs = k == 1 ? NULL : jget(e, "messages");
				struct json_object *m =
					json_object_is_type(msgs, json_type_array) &&
							json_object_array_length(msgs)
						? json_object_array_get_idx(msgs, 0)
						: NULL;

				if (k == 1) {
					printf("  pending: %s\n", json_object_get_string(e));
					continue;
				}
				printf("  %s: %s = %s", lists[k],
				       json_object_get_string(jget(e, "property")),
				       jtext(jget(e, "value")));
				printf(" (now %s)", jtext(jget(e, "current")));
				if (m)
					printf(": %s %s", json_object_get_string(jget(m, "MessageId")),
					       jtext(jget(m, "MessageArgs")));
				putchar('\n');
			}
	}
}

static int cmd_results(struct cli *cli, struct json_object *desired, bool detailed)
{
	struct json_object *report = NULL;
	int r, rc;

	r = hf_apply_results(cli->client, desired, &report);
	if (r < 0) {
		rc = cli_report_error(cli, r, "apply --results");
		return detailed && rc != EXIT_USAGE ? DETAILED_FAILED : rc;
	}
	if (cli->json)
		cli_print_json(report);
	else
		print_results(report);
	json_object_put(report);
	if (detailed)
		return (r & HF_RESULTS_REFUSED)	  ? DETAILED_FAILED
		       : (r & HF_RESULTS_PENDING) ? DETAILED_CHANGED
						  : DETAILED_UNCHANGED;
	return (r & HF_RESULTS_REFUSED) ? EXIT_HTTP_4XX : EXIT_OK;
}

int cmd_apply(struct cli *cli, int argc, char **argv)
{
	bool dry_run = false, detailed = false, no_more_options = false, results = false;
	struct json_object *desired = NULL, *report = NULL;
	const char *file = NULL;
	char *text = NULL;
	size_t len = 0, i, n;
	int r, rc, a;

	for (a = 0; a < argc; a++) {
		if (!no_more_options && strcmp(argv[a], "--") == 0) {
			no_more_options = true;
		} else if (!no_more_options && strcmp(argv[a], "--dry-run") == 0) {
			dry_run = true;
		} else if (!no_more_options && strcmp(argv[a], "--detailed-exitcodes") == 0) {
			detailed = true;
		} else if (!no_more_options && strcmp(argv[a], "--results") == 0) {
			results = true;
		} else if (!no_more_options && argv[a][0] == '-' && argv[a][1]) {
			cli_error("apply: unknown option '%s'", argv[a]);
			return EXIT_USAGE;
		} else if (!file) {
			file = argv[a];
		} else {
			cli_error("apply: only one FILE");
			return EXIT_USAGE;
		}
	}
	if (!file) {
		cli_error("usage: hostfish apply [--dry-run|--results] [--detailed-exitcodes] FILE "
			  "(- for stdin)");
		return EXIT_USAGE;
	}
	text = read_file(file, &len);
	if (!text)
		return EXIT_USAGE;
	desired = parse_desired(strcmp(file, "-") == 0 ? "stdin" : file, text, len);
	free(text);
	if (!desired)
		return EXIT_USAGE;
	if (results) {
		rc = dry_run ? EXIT_USAGE : cmd_results(cli, desired, detailed);
		if (dry_run)
			cli_error("apply: --results reads only; --dry-run does not go with it");
		json_object_put(desired);
		return rc;
	}

	r = hf_apply(cli->client, desired, dry_run ? HF_APPLY_DRY_RUN : 0, &report);
	json_object_put(desired);
	if (r < 0) {
		rc = cli_report_error(cli, r, "apply");
		return detailed && rc != EXIT_USAGE ? DETAILED_FAILED : rc;
	}
	if (cli->json) {
		cli_print_json(report);
		/* failures on stderr as well: a provider logs them */
		n = json_object_array_length(jget(report, "resources"));
		for (i = 0; i < n; i++) {
			struct json_object *res = json_object_array_get_idx(jget(report, "resources"), i);

			if (strcmp(json_object_get_string(jget(res, "status")), "failed") == 0)
				print_resource(res);
		}
	} else {
		n = json_object_array_length(jget(report, "resources"));
		for (i = 0; i < n; i++)
			print_resource(json_object_array_get_idx(jget(report, "resources"), i));
	}

	if (detailed)
		rc = (r & HF_APPLY_FAILED)	? DETAILED_FAILED
		     : (r & HF_APPLY_CHANGED) ? DETAILED_CHANGED
					      : DETAILED_UNCHANGED;
	else if (r & HF_APPLY_FAILED)
		rc = tools_exit_code_of_kind(hf_client_last_error(cli->client)->kind);
	else
		rc = EXIT_OK;
	json_object_put(report);
	return rc;
}
