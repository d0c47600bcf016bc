/* SPDX-License-Identifier: MIT */
/*
 * commands.c - the CLI's commands, built on the public API only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"

#define BODY_MAX ((size_t)256 << 20)

/* BODY argument: JSON text, @FILE, or - for stdin.  Returns 0 with *ret (caller frees). */
static int read_body(const char *arg, char **ret, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd;

	if (strcmp(arg, "-") != 0 && arg[0] != '@') {
		*ret = strdup(arg);
		*ret_len = strlen(arg);
		return *ret ? 0 : -ENOMEM;
	}
	fd = strcmp(arg, "-") == 0 ? STDIN_FILENO : open(arg + 1, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_error("cannot open %s: %s", arg + 1, strerror(errno));
		return -errno;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *p;

			cap = cap ? cap * 2 : 65536;
			if (cap > BODY_MAX + 1)
				cap = BODY_MAX + 1;
			if (len == cap) {
				cli_error("the body is larger than %zu bytes", BODY_MAX);
				free(buf);
				if (fd != STDIN_FILENO)
					close(fd);
				return -EFBIG;
			}
			p = realloc(buf, cap + 1);
			if (!p) {
				free(buf);
				if (fd != STDIN_FILENO)
					close(fd);
				return -ENOMEM;
			}
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			cli_error("cannot read the body: %s", strerror(e));
			free(buf);
			if (fd != STDIN_FILENO)
				close(fd);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (!buf && !(buf = malloc(1)))
		return -ENOMEM;
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

static size_t body_size(const hf_response *resp)
{
	size_t len = 0;

	hf_response_body(resp, &len);
	return len;
}

/* A BMC that says it sends JSON and does not is broken: say so instead of printing junk. */
static bool claims_json_but_is_not(const hf_response *resp)
{
	const char *ct = hf_response_header(resp, "Content-Type");

	return body_size(resp) > 0 && !hf_response_json(resp) && ct && strstr(ct, "json");
}

static const char *method_name(const char *method)
{
	static const char *const names[] = {"get", "head", "delete", "post", "put", "patch"};
	static const char *const methods[] = {"GET", "HEAD", "DELETE", "POST", "PUT", "PATCH"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(method, methods[i]) == 0)
			return names[i];
	return method;
}

int cmd_request(struct cli *cli, const char *method, int argc, char **argv)
{
	bool wants_body = strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
			  strcmp(method, "PATCH") == 0;
	bool can_wait = wants_body || strcmp(method, "DELETE") == 0;
	hf_response *resp = NULL;
	char *body = NULL;
	size_t body_len = 0;
	long wait_timeout_s = CLI_DEFAULT_WAIT_S;
	bool wait = false;
	int r, rc;

	/* --wait [--wait-timeout SEC] before PATH: follow the task a 202 starts */
	while (can_wait && argc > 0 && strncmp(argv[0], "--wait", 6) == 0) {
		if (strcmp(argv[0], "--wait") == 0) {
			wait = true;
			argc--;
			argv++;
		} else if (strcmp(argv[0], "--wait-timeout") == 0 && argc > 1) {
			if (!cli_parse_wait_timeout(argv[1], &wait_timeout_s))
				return EXIT_USAGE;
			argc -= 2;
			argv += 2;
		} else {
			break;
		}
	}
	if (argc != (wants_body ? 2 : 1) || (argc && argv[0][0] == '-')) {
		cli_error("usage: hostfish %s%s PATH%s", method_name(method),
			  can_wait ? " [--wait [--wait-timeout SEC]]" : "",
			  wants_body ? " BODY" : "");
		return EXIT_USAGE;
	}
	if (wants_body) {
		r = read_body(argv[1], &body, &body_len);
		if (r < 0)
			return EXIT_USAGE;
	}
	r = hf_request(cli->client, method, argv[0], cli->headers, body, body_len, &resp);
	free(body);
	if (r < 0)
		return cli_report_error(cli, r, method);
	rc = cli_exit_code_of_status(hf_response_status(resp));
	if (rc == EXIT_OK && claims_json_but_is_not(resp)) {
		char *shown = cli_shown_path(resp);

		cli_error("%s %s: %d %s, but the body is not valid JSON (%zu bytes)", method,
			  shown ? shown : "(path)", hf_response_status(resp),
			  hf_response_reason(resp), body_size(resp));
		free(shown);
		hf_response_free(resp);
		return EXIT_TRANSPORT;
	}
	if (rc == EXIT_OK && wait && hf_response_status(resp) == 202) {
		rc = cli_wait_task(cli, resp, wait_timeout_s);
		hf_response_free(resp);
		return rc;
	}
	if (rc == EXIT_OK || cli->include)
		cli_print_response(cli, resp);
	if (rc != EXIT_OK)
		cli_report_response(resp);
	hf_response_free(resp);
	return rc;
}

/* GET that must answer 200 with JSON; prints the failure and returns its exit code. */
static int get_json(struct cli *cli, const char *path, hf_response **ret)
{
	hf_response *resp = NULL;
	int r = hf_get(cli->client, path, &resp);

	if (r < 0)
		return cli_report_error(cli, r, path);
	if (hf_response_status(resp) != 200 || !hf_response_json(resp)) {
		r = cli_report_response(resp);
		hf_response_free(resp);
		return r ? r : EXIT_TRANSPORT;
	}
	*ret = resp;
	return EXIT_OK;
}

static struct json_object *jget(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

static const char *jstr(struct json_object *obj, const char *key)
{
	struct json_object *v = jget(obj, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* The first member of a collection, e.g. /redfish/v1/Systems/ -> /redfish/v1/Systems/1/, read
 * with the collection where the BMC can $expand (props: what the caller reads of it). */
static int first_member(struct cli *cli, const char *collection, const char *const *props,
			struct json_object **ret)
{
	struct json_object *members = NULL;
	int r = hf_get_collection(cli->client, collection, props, &members);

	if (r < 0)
		return cli_report_error(cli, r, collection);
	if (json_object_array_length(members) == 0) {
		cli_error("%s has no members", collection);
		json_object_put(members);
		return EXIT_TRANSPORT;
	}
	*ret = json_object_get(json_object_array_get_idx(members, 0));
	json_object_put(members);
	return EXIT_OK;
}

static struct json_object *json_str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	static const char *const mgr_props[] = {"Model", "ManagerType", "FirmwareVersion", NULL};
	static const char *const sys_props[] = {"Manufacturer", "Model",  "SerialNumber",
						"PowerState",	"Status", NULL};
	hf_response *root = NULL;
	struct json_object *mgr_j = NULL, *sys_j = NULL, *hpe_mgr, *status, *out, *m, *s;
	const char *mtype = NULL, *mfw = NULL, *mmodel;
	int rc;

	if (argc != 0) {
		cli_error("usage: hostfish status");
		return EXIT_USAGE;
	}
	rc = get_json(cli, "/redfish/v1/", &root);
	if (rc)
		return rc;
	rc = first_member(cli,
			  jstr(jget(hf_response_json(root), "Managers"), "@odata.id")
			      ?: "/redfish/v1/Managers/",
			  mgr_props, &mgr_j);
	if (rc)
		goto out;
	rc = first_member(cli,
			  jstr(jget(hf_response_json(root), "Systems"), "@odata.id")
			      ?: "/redfish/v1/Systems/",
			  sys_props, &sys_j);
	if (rc)
		goto out;

	/* iLO names its type and firmware in the service root's Oem.Hpe.Manager[0] */
	hpe_mgr = json_object_array_get_idx(
	    jget(jget(jget(hf_response_json(root), "Oem"), "Hpe"), "Manager"), 0);
	mtype = jstr(hpe_mgr, "ManagerType");
	mmodel = jstr(mgr_j, "Model");
	if (!mtype)
		mtype = mmodel ? mmodel : jstr(mgr_j, "ManagerType");
	mfw = jstr(mgr_j, "FirmwareVersion");
	if (!mfw)
		mfw = jstr(hpe_mgr, "ManagerFirmwareVersion");
	status = jget(sys_j, "Status");

	if (cli->json) {
		out = json_object_new_object();
		m = json_object_new_object();
		s = json_object_new_object();
		json_object_object_add(m, "type", json_str_or_null(mtype));
		json_object_object_add(m, "firmware", json_str_or_null(mfw));
		json_object_object_add(m, "model", json_str_or_null(mmodel));
		json_object_object_add(s, "manufacturer",
				       json_str_or_null(jstr(sys_j, "Manufacturer")));
		json_object_object_add(s, "model", json_str_or_null(jstr(sys_j, "Model")));
		json_object_object_add(s, "serial", json_str_or_null(jstr(sys_j, "SerialNumber")));
		json_object_object_add(s, "power_state",
				       json_str_or_null(jstr(sys_j, "PowerState")));
		json_object_object_add(s, "health", json_str_or_null(jstr(status, "Health")));
		json_object_object_add(s, "health_rollup",
				       json_str_or_null(jstr(status, "HealthRollup")));
		json_object_object_add(out, "manager", m);
		json_object_object_add(out, "system", s);
		cli_print_json(out);
		json_object_put(out);
	} else {
		const char *manuf = jstr(sys_j, "Manufacturer");
		const char *rollup = jstr(status, "HealthRollup");

		printf("Manager:  %s\n", mtype ? mtype : "unknown");
		printf("Firmware: %s\n", mfw ? mfw : "unknown");
		printf("System:   %s%s%s\n", manuf ? manuf : "", manuf ? " " : "",
		       jstr(sys_j, "Model") ?: "unknown");
		printf("Serial:   %s\n", jstr(sys_j, "SerialNumber") ?: "unknown");
		printf("Power:    %s\n", jstr(sys_j, "PowerState") ?: "unknown");
		printf("Health:   %s", jstr(status, "Health") ?: "unknown");
		if (rollup)
			printf(" (rollup %s)", rollup);
		putchar('\n');
	}
out:
	hf_response_free(root);
	json_object_put(mgr_j);
	json_object_put(sys_j);
	return rc;
}

static int cmd_prune(struct cli *cli, bool all)
{
	unsigned deleted = 0, subs = 0;
	int r = hf_client_prune_sessions(cli->client, all ? HF_PRUNE_ALL : 0, &deleted);
	int rc = r < 0 ? cli_report_error(cli, r, "sessions prune") : EXIT_OK;
	/* then the event subscriptions a killed hostfishd --subscribe left (none journaled: no
	 * request) */
	int rs = hf_client_prune_subscriptions(cli->client, &subs);

	if (rs < 0 && rc == EXIT_OK)
		rc = cli_report_error(cli, rs, "sessions prune (event subscriptions)");
	if (cli->json) {
		struct json_object *out = json_object_new_object();

		json_object_object_add(out, "deleted", json_object_new_int64(deleted));
		json_object_object_add(out, "subscriptions_deleted", json_object_new_int64(subs));
		json_object_object_add(out, "ok", json_object_new_boolean(r == 0 && rs == 0));
		cli_print_json(out);
		json_object_put(out);
	} else {
		printf("deleted %u session%s\n", deleted, deleted == 1 ? "" : "s");
		if (subs)
			printf("deleted %u event subscription%s\n", subs, subs == 1 ? "" : "s");
	}
	return rc;
}

int cmd_sessions(struct cli *cli, int argc, char **argv)
{
	/* what the listing prints: one request reads them all where the BMC can $expand */
	static const char *const props[] = {"UserName", "Oem", NULL};
	struct json_object *members = NULL, *list;
	const char *own_uri = NULL;
	char *coll_path = NULL;
	size_t i, n;
	int rc = EXIT_OK, r;

	if (argc >= 1 && strcmp(argv[0], "prune") == 0) {
		if (argc == 1)
			return cmd_prune(cli, false);
		if (argc == 2 && strcmp(argv[1], "--all") == 0)
			return cmd_prune(cli, true);
	}
	if (argc != 0) {
		cli_error("usage: hostfish sessions [prune [--all]]");
		return EXIT_USAGE;
	}
	r = hf_service_root_link(cli->client, "Links/Sessions", 0, &coll_path);
	if (r < 0 && r != -ENOENT)
		return cli_report_error(cli, r, "GET /redfish/v1/");
	r = hf_get_collection(cli->client,
			      coll_path ? coll_path : "/redfish/v1/SessionService/Sessions/", props,
			      &members);
	if (r < 0) {
		rc = cli_report_error(cli, r, "sessions");
		goto out;
	}
	hf_client_session(cli->client, NULL, &own_uri);
	n = json_object_array_length(members);
	list = json_object_new_array();
	for (i = 0; i < n; i++) {
		struct json_object *sj = json_object_array_get_idx(members, i), *hpe, *e, *mine_v;
		const char *id = jstr(sj, "@odata.id");
		bool mine;

		if (!id)
			continue;
		hpe = jget(jget(sj, "Oem"), "Hpe");
		mine_v = jget(hpe, "MySession");
		mine = mine_v ? json_object_get_boolean(mine_v) : false;
		if (own_uri) {
			/* compare without the trailing slash: iLO writes one, others may not */
			size_t a = strlen(id), b = strlen(own_uri);

			a -= a && id[a - 1] == '/';
			b -= b && own_uri[b - 1] == '/';
			if (a == b && strncmp(id, own_uri, a) == 0)
				mine = true;
		}
		e = json_object_new_object();
		json_object_object_add(e, "uri", json_object_new_string(id));
		json_object_object_add(e, "user", json_str_or_null(jstr(sj, "UserName")));
		json_object_object_add(e, "user_tag", json_str_or_null(jstr(hpe, "UserTag")));
		json_object_object_add(e, "login_time", json_str_or_null(jstr(hpe, "LoginTime")));
		json_object_object_add(e, "mine", json_object_new_boolean(mine));
		json_object_array_add(list, e);
	}
	if (cli->json) {
		struct json_object *out = json_object_new_object();

		json_object_object_add(out, "sessions", list);
		cli_print_json(out);
		json_object_put(out);
	} else {
		n = json_object_array_length(list);
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(list, i);

			printf("%s%s  user=%s  tag=%s  login=%s\n",
			       json_object_get_boolean(jget(e, "mine")) ? "* " : "  ",
			       jstr(e, "uri"), jstr(e, "user") ?: "-", jstr(e, "user_tag") ?: "-",
			       jstr(e, "login_time") ?: "-");
		}
		if (n == 0)
			printf("no sessions\n");
		json_object_put(list);
	}
out:
	json_object_put(members);
	free(coll_path);
	return rc;
}

static int login_locked(struct cli *cli)
{
	const char *token, *uri;
	hf_response *resp = NULL;
	int r;

	if (cli->session_from_cache) {
		/* already logged in: check that the BMC still knows the session; a re-login
		 * happens by itself if it does not */
		hf_client_session(cli->client, NULL, &uri);
		r = hf_get(cli->client, uri, &resp);
		if (r < 0)
			return cli_report_error(cli, r, "login");
		if (hf_response_status(resp) != 200) {
			r = cli_report_response(resp);
			hf_response_free(resp);
			return r ? r : EXIT_AUTH;
		}
		hf_response_free(resp);
	} else {
		r = hf_client_login(cli->client);
		if (r < 0)
			return cli_report_error(cli, r, "login");
	}
	if (hf_client_session(cli->client, &token, &uri) < 0 || !uri) {
		cli_error("login: the BMC did not tell where the session is; not caching it");
		return EXIT_TRANSPORT;
	}
	r = cli_cache_store(hf_client_endpoint(cli->client), cli->bmc.opts.username, token, uri);
	if (r < 0)
		return EXIT_TRANSPORT; /* the client still owns it and deletes it at exit */
	cli_cache_keep(cli->client, hf_client_endpoint(cli->client), cli->bmc.opts.username);
	if (cli->json) {
		struct json_object *out = json_object_new_object();

		json_object_object_add(out, "bmc",
				       json_object_new_string(hf_client_endpoint(cli->client)));
		json_object_object_add(out, "user", json_object_new_string(cli->bmc.opts.username));
		json_object_object_add(out, "session", json_object_new_string(uri));
		cli_print_json(out);
		json_object_put(out);
	} else {
		printf("logged in to %s as %s (session %s)\n", hf_client_endpoint(cli->client),
		       cli->bmc.opts.username, uri);
	}
	return EXIT_OK;
}

int cmd_login(struct cli *cli, int argc, char **argv)
{
	int lock = -1, r;

	if (argc != 0) {
		cli_error("usage: hostfish login");
		return EXIT_USAGE;
	}
	if (!cli->bmc.opts.username) {
		cli_error("login: --user is required");
		return EXIT_USAGE;
	}
	/* one login at a time per BMC and user: a concurrent one's session is taken over from
	 * the cache instead of a second one created, which would be kept and never used */
	lock = cli_cache_lock(hf_client_endpoint(cli->client), cli->bmc.opts.username,
			      cli_wait_ms(cli));
	if (lock < 0)
		return EXIT_TRANSPORT;
	if (!cli->session_from_cache)
		cli_resume_cached_session(cli);
	r = login_locked(cli);
	close(lock); /* after the cache was written */
	return r;
}

int cmd_logout(struct cli *cli, int argc, char **argv)
{
	int r;

	if (argc != 0) {
		cli_error("usage: hostfish logout");
		return EXIT_USAGE;
	}
	if (!cli->bmc.opts.username) {
		cli_error("logout: --user is required");
		return EXIT_USAGE;
	}
	if (!cli->session_from_cache) {
		fprintf(stderr, "hostfish: no cached session for %s at %s\n",
			cli->bmc.opts.username, hf_client_endpoint(cli->client));
		return EXIT_OK;
	}
	r = hf_client_logout(cli->client);
	if (r < 0) {
		/* keep the cache entry: the session may still exist and logout can be retried */
		return cli_report_error(cli, r, "logout");
	}
	cli_cache_remove(hf_client_endpoint(cli->client), cli->bmc.opts.username);
	cli->session_from_cache = false;
	if (!cli->json)
		printf("logged out\n");
	return EXIT_OK;
}
