/* SPDX-License-Identifier: MIT */
/*
 * firmware.c - "hostfish firmware upload FILE" and "hostfish firmware list".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"

#define MAX_TARGETS 16

static const char upload_usage[] =
	"usage: hostfish firmware upload [--compsig FILE] [--target URI]... [--wait] "
	"[--wait-timeout SEC] FILE";

/* The local checks, before the client sends anything: exit 1 on failure. */
static bool file_ok(const char *what, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		cli_error("cannot open the %s %s: %s", what, path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) < 0) {
		cli_error("cannot stat the %s %s: %s", what, path, strerror(errno));
		close(fd);
		return false;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
		cli_error("the %s %s is %s", what, path,
			  !S_ISREG(st.st_mode) ? "not a regular file" : "empty");
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

static int upload_outcome(struct cli *cli, hf_response *final)
{
	const char *state = hf_task_state(final);
	struct json_object *j = hf_response_json(final), *oem, *hpe, *v;

	/* a task, or anything but iLO's UpdateService in Error: the task's outcome */
	if (strcmp(state, "Exception") != 0 || !json_object_object_get_ex(j, "Oem", &oem) ||
	    !json_object_object_get_ex(oem, "Hpe", &hpe) ||
	    !json_object_object_get_ex(hpe, "State", &v))
		return cli_task_outcome(cli, final);
	/* iLO's UpdateService says Error: there are no task messages to show */
	cli_error("the BMC reports the update state %s", json_object_get_string(v));
	return EXIT_HTTP_5XX;
}

static int firmware_upload(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "compsig", required_argument, NULL, 'c' },
		{ "target", required_argument, NULL, 't' },
		{ "wait", no_argument, NULL, 'w' },
		{ "wait-timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	hf_upload_options uo = HF_UPLOAD_OPTIONS_INIT;
	const char *targets[MAX_TARGETS + 1] = { NULL };
	size_t n_targets = 0;
	struct cli_progress *p;
	hf_response *resp = NULL, *final = NULL;
	long timeout_s = CLI_DEFAULT_WAIT_S;
	bool wait = false;
	int c, r, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			uo.compsig = optarg;
			break;
		case 't':
			if (n_targets == MAX_TARGETS || optarg[0] != '/' ||
			    strpbrk(optarg, " \r\n\"\\")) {
				cli_error("--target: expected at most %d paths like "
					  "/redfish/v1/UpdateService/FirmwareInventory/1/",
					  MAX_TARGETS);
				return EXIT_USAGE;
			}
			targets[n_targets++] = optarg;
			break;
		case 'w':
			wait = true;
			break;
		case 'T':
			if (!cli_parse_wait_timeout(optarg, &timeout_s))
				return EXIT_USAGE;
			break;
		default:
			cli_error("%s", upload_usage);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		cli_error("%s", upload_usage);
		return EXIT_USAGE;
	}
	if (!file_ok("firmware file", argv[optind]) ||
	    (uo.compsig && !file_ok("signature file", uo.compsig)))
		return EXIT_USAGE;
	if (n_targets)
		uo.targets = targets;

	p = cli_progress_new(cli, "upload", "B");
	uo.progress = cli_progress_cb;
	uo.progress_userdata = p;
	r = hf_firmware_upload(cli->client, argv[optind], &uo, &resp);
	cli_progress_end(p);
	if (r < 0)
		return cli_report_error(cli, r, "firmware upload");
	rc = cli_exit_code_of_status(hf_response_status(resp));
	if (rc != EXIT_OK) {
		cli_report_response(resp);
		hf_response_free(resp);
		return rc;
	}
	if (cli->json && !wait)
		cli_print_response(cli, resp);
	else if (!wait)
		printf("uploaded %s (HTTP %d)%s\n", argv[optind], hf_response_status(resp),
		       hf_response_status(resp) == 202 ? ": a task follows it (task wait "
						       "LOCATION, or --wait)"
						     : "");
	if (!wait) {
		hf_response_free(resp);
		return EXIT_OK;
	}
	p = cli_progress_new(cli, "update", "%");
	r = hf_firmware_wait(cli->client, resp, timeout_s * 1000, cli_progress_cb, p, &final);
	cli_progress_end(p);
	hf_response_free(resp);
	if (r < 0)
		return cli_report_error(cli, r, "firmware upload --wait");
	rc = upload_outcome(cli, final);
	hf_response_free(final);
	return rc;
}

static const char *json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && !json_object_is_type(v, json_type_null))
		return json_object_get_string(v);
	return NULL;
}

/* The service root's link name (cached per BMC by the library), GET; a cached link that
 * answers 404 is looked up again in a fresh service root, once. */
static int get_root_link(struct cli *cli, const char *name, hf_response **ret)
{
	unsigned flags = 0;
	int r, rc;

	for (;;) {
		char *path = NULL;

		r = hf_service_root_link(cli->client, name, flags, &path);
		if (r == -ENOENT) {
			cli_error("the BMC has no %s", name);
			return EXIT_HTTP_4XX;
		}
		if (r < 0)
			return cli_report_error(cli, r, "GET /redfish/v1/");
		r = hf_get(cli->client, path, ret);
		free(path);
		if (r < 0)
			return cli_report_error(cli, r, "GET");
		if (hf_response_status(*ret) != 404 || flags)
			break;
		hf_response_free(*ret);
		*ret = NULL;
		flags = HF_ROOT_REVALIDATE;
	}
	rc = cli_exit_code_of_status(hf_response_status(*ret));
	if (rc == EXIT_OK && !hf_response_json(*ret)) {
		cli_error("GET %s: the answer is not JSON", name);
		rc = EXIT_TRANSPORT;
	} else if (rc != EXIT_OK) {
		cli_report_response(*ret);
	}
	if (rc != EXIT_OK) {
		hf_response_free(*ret);
		*ret = NULL;
	}
	return rc;
}

static int firmware_list(struct cli *cli, int argc, char **argv)
{
	/* what the listing prints: one request reads them all where the BMC can $expand */
	static const char *const props[] = { "Id", "Name", "Version", "Updateable", NULL };
	hf_response *us = NULL;
	struct json_object *out = NULL, *members = NULL, *link;
	const char *uri;
	size_t i, n;
	int rc, r;

	if (argc != 1) {
		cli_error("usage: hostfish firmware list");
		return EXIT_USAGE;
	}
	rc = get_root_link(cli, "UpdateService", &us);
	if (rc)
		goto out;
	uri = json_object_object_get_ex(hf_response_json(us), "FirmwareInventory", &link)
		      ? json_str(link, "@odata.id")
		      : NULL;
	if (!uri) {
		cli_error("the UpdateService has no FirmwareInventory");
		rc = EXIT_HTTP_4XX;
		goto out;
	}
	r = hf_get_collection(cli->client, uri, props, &members);
	if (r < 0) {
		rc = cli_report_error(cli, r, uri);
		goto out;
	}
	out = json_object_new_array();
	if (!out) {
		rc = EXIT_TRANSPORT;
		goto out;
	}
	n = json_object_array_length(members);
	/* bounded by the collection's size, at most 1024 members */
	for (i = 0; i < n && i < 1024; i++) {
		struct json_object *e, *v, *j = json_object_array_get_idx(members, i);
		const char *id = json_str(j, "@odata.id");

		if (!id)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "Id", json_object_new_string(json_str(j, "Id") ?: ""));
		json_object_object_add(e, "Name",
				       json_object_new_string(json_str(j, "Name") ?: ""));
		json_object_object_add(e, "Version",
				       json_object_new_string(json_str(j, "Version") ?: ""));
		json_object_object_add(e, "Updateable",
				       json_object_object_get_ex(j, "Updateable", &v)
					       ? json_object_get(v)
					       : NULL);
		json_object_object_add(e, "@odata.id", json_object_new_string(id));
		json_object_array_add(out, e);
	}
	if (cli->json) {
		cli_print_json(out);
	} else {
		n = json_object_array_length(out);
		printf("%-4s %-48s %-28s %s\n", "ID", "NAME", "VERSION", "UPDATEABLE");
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(out, i);
			const char *u = json_str(e, "Updateable");

			printf("%-4s %-48s %-28s %s\n", json_str(e, "Id"), json_str(e, "Name"),
			       json_str(e, "Version"), u ? (strcmp(u, "true") == 0 ? "yes" : "no")
							 : "-");
		}
	}
	rc = EXIT_OK;
out:
	json_object_put(out);
	json_object_put(members);
	hf_response_free(us);
	return rc;
}

int cmd_firmware(struct cli *cli, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "upload") == 0)
		return firmware_upload(cli, argc, argv);
	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return firmware_list(cli, argc, argv);
	if (argc >= 1 && strcmp(argv[0], "flash") == 0)
		return cli_firmware_flash(cli, argc, argv);
	if (argc >= 1 && (strcmp(argv[0], "repo") == 0 || strcmp(argv[0], "queue") == 0 ||
			  strcmp(argv[0], "installset") == 0 || strcmp(argv[0], "window") == 0 ||
			  strcmp(argv[0], "pull") == 0))
		return cli_firmware_manage(cli, argc, argv);
	cli_error("usage: hostfish firmware upload|flash|list|repo|queue|installset|window|pull "
		  "...");
	return EXIT_USAGE;
}
