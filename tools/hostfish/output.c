/* SPDX-License-Identifier: MIT */
/*
 * output.c - what the CLI prints: bodies on stdout, errors on stderr, exit codes.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"

FILE *cli_raw_stderr;

void cli_output_init(void)
{
	FILE *f;

	cli_raw_stderr = stderr;
	if (isatty(STDOUT_FILENO) && (f = tools_safe_stream(STDOUT_FILENO)))
		stdout = f;
	f = tools_safe_stream(STDERR_FILENO);
	if (f)
		stderr = f;
}

/* Errors carry the BMC's words (messages, paths, reasons): escaped, never raw. */
void cli_error(const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	fputs("hostfish: ", stderr);
	if (n < 0)
		fputs("(out of memory formatting an error)", stderr);
	else
		tools_fput_safe(stderr, text, (size_t)n, true);
	fputc('\n', stderr);
	free(text);
}

void cli_print_json(struct json_object *obj)
{
	tools_fput_json(stdout, json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
								       JSON_C_TO_STRING_SPACED |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	putchar('\n');
}

void cli_print_response(const struct cli *cli, const hf_response *resp)
{
	struct json_object *json = hf_response_json(resp);
	const char *body;
	size_t len, i, n;

	if (cli->include) {
		printf("HTTP/1.1 %d ", hf_response_status(resp));
		tools_fputs_safe(stdout, hf_response_reason(resp));
		putchar('\n');
		n = hf_response_header_count(resp);
		for (i = 0; i < n; i++) {
			const char *name, *value;

			hf_response_header_at(resp, i, &name, &value);
			tools_fputs_safe(stdout, name);
			fputs(": ", stdout);
			tools_fputs_safe(stdout, value);
			putchar('\n');
		}
		putchar('\n');
	}
	if (strcmp(hf_response_method(resp), "HEAD") == 0)
		return;
	if (json) {
		cli_print_json(json);
		return;
	}
	body = hf_response_body(resp, &len);
	if (len) {
		/* byte for byte into a pipe or file; on a terminal stdout escapes controls */
		fwrite(body, 1, len, stdout);
		if (body[len - 1] != '\n')
			putchar('\n');
	}
}

int cli_exit_code_of_status(int status)
{
	if (status == 401)
		return EXIT_AUTH;
	if (status >= 500)
		return EXIT_HTTP_5XX;
	/* a 3xx that reaches the caller was not followed (not GET/HEAD, another host, a
	 * loop): the request did not do what was asked */
	if (status >= 400 || (status >= 300 && status < 400))
		return EXIT_HTTP_4XX;
	return EXIT_OK;
}

static void print_field(const char *name, const char *value)
{
	if (!value)
		return;
	fprintf(stderr, "  %s: ", name);
	tools_fputs_safe(stderr, value);
	fputc('\n', stderr);
}

static void print_redfish_error(const hf_redfish_error *rf)
{
	size_t i, n = hf_redfish_error_count(rf);

	if (!rf)
		return;
	if (n == 0 && hf_redfish_error_code(rf)) {
		print_field("Code", hf_redfish_error_code(rf));
		print_field("Message", hf_redfish_error_message(rf));
	}
	for (i = 0; i < n; i++) {
		const hf_message *m = hf_redfish_error_info(rf, i);

		print_field("MessageId", m->message_id);
		print_field("Message", m->message);
		print_field("Severity", m->severity);
		print_field("Resolution", m->resolution);
	}
}

char *cli_shown_path(const hf_response *resp)
{
	return hf_mask_uri(hf_response_path(resp)); /* no ?token=... on screen */
}

static hf_client *report_client;

void cli_output_set_client(hf_client *client)
{
	report_client = client;
}

int cli_report_response(hf_response *resp)
{
	int status = hf_response_status(resp);

	/* iLO sends MessageIds only: complete them from the BMC's registries (bounded, cached) */
	if (report_client)
		hf_client_resolve_messages(report_client, resp);
	{
		char *shown = cli_shown_path(resp);

		cli_error("%s %s: %d %s", hf_response_method(resp), shown ? shown : "(path)",
			  status, hf_response_reason(resp));
		free(shown);
	}
	if (status >= 300 && status < 400) {
		fputs("  redirect to ", stderr);
		tools_fputs_safe(stderr, hf_response_header(resp, "Location")
						 ? hf_response_header(resp, "Location")
						 : "(no Location)");
		fputs(" not followed (only GET and HEAD are redirected, within the same BMC, at "
		      "most 5 times)\n",
		      stderr);
	}
	print_redfish_error(hf_response_redfish_error(resp));
	return cli_exit_code_of_status(status);
}

int cli_report_error(const struct cli *cli, int code, const char *what)
{
	const hf_error *e = cli->client ? hf_client_last_error(cli->client) : NULL;
	int kind;

	if (e && e->kind != HF_ERROR_NONE) {
		cli_error("%s", e->message[0] ? e->message : hf_error_kind_name(e->kind));
		print_redfish_error(e->redfish);
		kind = e->kind;
	} else {
		cli_error("%s: %s", what, strerror(-code));
		kind = code == -EINVAL ? HF_ERROR_USAGE
		       : code == -ETIMEDOUT ? HF_ERROR_TIMEOUT
		       : code == -EACCES ? HF_ERROR_AUTH
					 : HF_ERROR_TRANSPORT;
	}
	return tools_exit_code_of_kind(kind);
}
