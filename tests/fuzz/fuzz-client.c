/* SPDX-License-Identifier: MIT */
/*
 * fuzz-client.c - the whole client (lib/core/client.c, session.c, journal.c, response.c, rferror,
 * gzip decoding, redirects, retries, 503 Retry-After, the 401 re-login) driven through a fake
 * transport whose "BMC replies" come from the fuzz input, in the manner of libgit2's
 * download_refs_fuzzer.  The link wraps hf_transport_open() (-Wl,--wrap), so hf_client_new()
 * gets the fake backend below; nanosleep() is wrapped too, so retries do not wait.  The
 * library itself has no test hook.
 *
 * Input: a first line of options, then the BMC's replies, each ending with a line "@@":
 *
 *     u2
 *     HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}
 *     @@
 *     !reset
 *     @@
 *     ...
 *
 * Options (characters of the first line): u session login with a password, b HTTP Basic,
 * t resume a session (token "tok", URI .../Sessions/1), none of them: no credentials;
 * 0-3 retries (default 0); p prune the BMC's sessions; k keep the session at the end instead
 * of logging out; s a 4 KiB max_response_size; d debug logging (every request and response
 * masked and logged: thorough but slow, so the fuzzer chooses).
 *
 * A reply is raw HTTP/1.1 as the CHIF path receives it (parsed by lib/transport/http1.c, so
 * chunked framing is exercised too; gzip bodies are decoded by the client), or a transport
 * failure: "!refused", "!reset", "!timeout", "!proto", "!big", "!intr"; "!open" makes the
 * next connection fail to open.  When the replies run out, every exchange fails with a reset.
 *
 * The script: login, GET the service root, GET a system, POST an action, PATCH, HEAD,
 * DELETE, the session accessors, prune, logout or keep, free.  Every response and error goes
 * through every accessor.  Checked: each request the client hands the transport can be
 * serialised (no CR/LF or control characters from the BMC's answers leak into the path or
 * headers), bodies are NUL-terminated, and the password never reaches a logged request
 * unless the BMC's answers hold it (then they can redirect to a path that contains it).
 *
 * The journal and slot files go to a private directory (fuzz-runtime.h).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "client-private.h"
#include "lib/transport/http1.h"
#include "tests/fuzz/fuzz-runtime.h"

#define PASSWORD "fuzz-Pa55word"
#define SEP "\n@@\n"
#define FUZZ_MAX_INPUT (256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int __wrap_hf_transport_open(const char *name, const struct hf_transport_config *cfg,
			     struct hf_transport *t, char *errbuf, size_t errlen);
int __wrap_nanosleep(const struct timespec *req, struct timespec *rem);

/* ---- the fake BMC: replies cut from the input ---- */

static struct {
	const char *p, *end; /* replies not yet consumed */
	bool fail_open;
} bmc;

static bool next_reply(const char **seg, size_t *len)
{
	const char *sep;

	if (bmc.p >= bmc.end)
		return false;
	sep = memmem(bmc.p, (size_t)(bmc.end - bmc.p), SEP, strlen(SEP));
	*seg = bmc.p;
	*len = sep ? (size_t)(sep - bmc.p) : (size_t)(bmc.end - bmc.p);
	bmc.p = sep ? sep + strlen(SEP) : bmc.end;
	return true;
}

static bool is(const char *seg, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(seg, word, len) == 0;
}

static int fake_init(const struct hf_transport_config *cfg, void **ctx, char *errbuf,
		     size_t errlen)
{
	*ctx = NULL;
	return 0;
}

static const char *fake_endpoint(void *ctx)
{
	return "https://bmc.fuzz.invalid";
}

static int conn_token;

static int fake_conn_open(void *ctx, void **conn, char *errbuf, size_t errlen)
{
	if (bmc.fail_open) {
		bmc.fail_open = false;
		snprintf(errbuf, errlen, "fuzz: connection refused");
		return -ECONNREFUSED;
	}
	*conn = &conn_token;
	return 0;
}

static void fake_conn_close(void *ctx, void *conn)
{
	if (conn != &conn_token)
		abort();
}

static int fake_exchange(void *ctx, void *conn, const struct hf_transport_request *req,
			 struct hf_transport_response *resp, char *errbuf, size_t errlen)
{
	static const struct {
		const char *word;
		int code;
	} errors[] = {
		{ "!refused", -ECONNREFUSED }, { "!reset", -ECONNRESET },
		{ "!timeout", -ETIMEDOUT },    { "!proto", -EPROTO },
		{ "!big", -EFBIG },	       { "!intr", -EINTR },
	};
	struct hf_buf text = { 0 };
	const char *seg;
	size_t len, i;
	int r;

	if (conn != &conn_token)
		abort();
	/*
	 * What the client sends must be sendable as is, whatever the BMC said before: a valid
	 * path, headers that http1.c accepts.  Paths with bytes over 0x7e (from a BMC's
	 * non-ASCII Location) pass hf_path_check() but http1.c refuses them, cleanly: only
	 * ASCII paths must serialise.
	 */
	if (hf_path_check(req->path) < 0)
		abort();
	r = hf_http1_serialize(req, NULL, HF_MAX_INPUT_SIZE, &text);
	if (r == -EINVAL) {
		for (i = 0; req->path[i]; i++)
			if ((unsigned char)req->path[i] > 0x7e)
				break;
		if (!req->path[i])
			abort();
	}
	hf_buf_free(&text);

	for (;;) {
		if (!next_reply(&seg, &len)) {
			snprintf(errbuf, errlen, "fuzz: no more replies");
			return -ECONNRESET;
		}
		if (!is(seg, len, "!open"))
			break;
		bmc.fail_open = true;
	}
	for (i = 0; i < HF_ARRAY_SIZE(errors); i++) {
		if (is(seg, len, errors[i].word)) {
			snprintf(errbuf, errlen, "fuzz: %s", errors[i].word + 1);
			resp->sends = 1;
			return errors[i].code;
		}
	}
	r = hf_http1_parse_response(seg, len, req->method, req->max_body, resp, errbuf, errlen);
	resp->sends = 1;
	return r;
}

static const struct hf_transport_ops fake_ops = {
	.abi = HF_TRANSPORT_ABI,
	.name = "fuzz",
	.caps = HF_TCAP_INBAND,
	.description = "replies from the fuzz input",
	.init = fake_init,
	.endpoint = fake_endpoint,
	.conn_open = fake_conn_open,
	.conn_close = fake_conn_close,
	.exchange = fake_exchange,
};

int __wrap_hf_transport_open(const char *name, const struct hf_transport_config *cfg,
			     struct hf_transport *t, char *errbuf, size_t errlen)
{
	errbuf[0] = '\0';
	t->ops = &fake_ops;
	t->ctx = NULL;
	return 0;
}

int __wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
	return 0;
}

/* ---- checks on what comes out ---- */

static bool input_has_password; /* the BMC's answers hold it: they may echo it (a redirect) */

static void log_cb(void *userdata, int level, const char *message)
{
	static int verbose = -1;

	/* FUZZ_VERBOSE=1: show what the client says, to check a seed does what it should */
	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "%d %.300s\n", level, message);
	/* our own requests, masked: the password never shows ("<" lines echo the BMC, and a
	 * BMC that knows the password can put it in a request's path by a redirect) */
	if (message[0] == '>' && !input_has_password && strstr(message, PASSWORD))
		abort();
}

static void use_string(const char *s)
{
	if (s)
		(void)strlen(s);
}

static void inspect_rferror(const hf_redfish_error *err)
{
	size_t i, j;

	if (!err)
		return;
	use_string(hf_redfish_error_code(err));
	use_string(hf_redfish_error_message(err));
	for (i = 0; i < hf_redfish_error_count(err); i++) {
		const hf_message *m = hf_redfish_error_info(err, i);

		if (!m)
			abort();
		use_string(m->message_id);
		use_string(m->message);
		use_string(m->severity);
		use_string(m->resolution);
		for (j = 0; j < m->n_message_args; j++)
			use_string(m->message_args[j]);
	}
	if (hf_redfish_error_info(err, i))
		abort();
	(void)hf_redfish_error_class(err);
}

static void inspect_error(hf_client *c, int r)
{
	const hf_error *e = hf_client_last_error(c);

	if (!e || !e->message)
		abort();
	if (r < 0 && e->code != r)
		abort();
	use_string(e->message);
	use_string(hf_error_kind_name(e->kind));
	inspect_rferror(e->redfish);
}

static void inspect(hf_client *c, int r, hf_response *resp)
{
	const char *name, *value, *body;
	size_t i, n, len;

	if (r < 0) {
		if (resp)
			abort();
		inspect_error(c, r);
		return;
	}
	(void)hf_response_status(resp);
	use_string(hf_response_reason(resp));
	n = hf_response_header_count(resp);
	for (i = 0; i < n; i++) {
		if (hf_response_header_at(resp, i, &name, &value) < 0)
			abort();
		use_string(name);
		use_string(value);
	}
	if (hf_response_header_at(resp, n, &name, &value) != -ERANGE)
		abort();
	use_string(hf_response_header(resp, "Location"));
	body = hf_response_body(resp, &len);
	if (body && body[len] != '\0')
		abort();
	use_string(json_object_to_json_string(hf_response_json(resp)));
	use_string(hf_response_method(resp));
	use_string(hf_response_url(resp));
	use_string(hf_response_path(resp));
	(void)hf_response_request_body(resp, &len);
	inspect_rferror(hf_response_redfish_error(resp));
	hf_response_free(resp);
}

/* ---- the script ---- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const patch_headers[] = { "If-Match: W/\"1\"", NULL };
	const char *text = (const char *)data, *nl, *opts_end;
	hf_options o;
	hf_client *c = NULL;
	hf_response *resp;
	struct json_object *body;
	char *token = NULL, *uri = NULL;
	unsigned deleted = 0;
	bool keep = false, prune = false;
	int r;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	fuzz_runtime_setup();
	input_has_password = memmem(data, size, PASSWORD, strlen(PASSWORD)) != NULL;
	nl = memchr(text, '\n', size);
	opts_end = nl ? nl : text + size;
	bmc.p = nl ? nl + 1 : text + size;
	bmc.end = text + size;
	bmc.fail_open = false;

	hf_options_init(&o, HF_OPTIONS_VERSION);
	o.url = "https://bmc.fuzz.invalid";
	o.retries = 0;
	o.log_fn = log_cb;
	o.log_level = HF_LOG_INFO;
	o.slot_wait_ms = 1;
	for (; text < opts_end; text++) {
		switch (*text) {
		case 'u':
			o.username = "admin";
			o.password = PASSWORD;
			break;
		case 'b':
			o.username = "admin";
			o.password = PASSWORD;
			o.auth = HF_AUTH_BASIC;
			break;
		case 't':
			o.session_token = "tok";
			o.session_uri = "/redfish/v1/SessionService/Sessions/1";
			break;
		case '0': case '1': case '2': case '3':
			o.retries = *text - '0';
			break;
		case 'p':
			prune = true;
			break;
		case 'k':
			keep = true;
			break;
		case 's':
			o.max_response_size = 4096;
			break;
		case 'd':
			o.log_level = HF_LOG_DEBUG;
			break;
		}
	}

	r = hf_client_new(&c, &o);
	if (r < 0)
		abort(); /* the options above are all valid */

	if (hf_client_login(c) < 0)
		inspect_error(c, hf_client_last_error(c)->code);

	resp = NULL;
	r = hf_get(c, "/redfish/v1/", &resp);
	inspect(c, r, resp);

	resp = NULL;
	r = hf_get(c, "/redfish/v1/Systems/1", &resp);
	inspect(c, r, resp);

	body = json_object_new_object();
	if (body) {
		json_object_object_add(body, "ResetType", json_object_new_string("On"));
		resp = NULL;
		r = hf_request_json(c, "POST",
				    "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", NULL,
				    body, &resp);
		inspect(c, r, resp);
		json_object_put(body);
	}

	body = json_object_new_object();
	if (body) {
		json_object_object_add(body, "AssetTag", json_object_new_string("fuzz"));
		resp = NULL;
		r = hf_request_json(c, "PATCH", "/redfish/v1/Systems/1", patch_headers, body,
				    &resp);
		inspect(c, r, resp);
		json_object_put(body);
	}

	resp = NULL;
	r = hf_request(c, "HEAD", "/redfish/v1/", NULL, NULL, 0, &resp);
	inspect(c, r, resp);

	resp = NULL;
	r = hf_request(c, "DELETE", "/redfish/v1/EventService/Subscriptions/1", NULL, NULL, 0,
		       &resp);
	inspect(c, r, resp);

	if (hf_client_session(c, NULL, NULL) == 0 && hf_client_session_dup(c, &token, &uri) == 0) {
		if (!token)
			abort();
		use_string(uri);
		hf_wipe(token, strlen(token));
		free(token);
		free(uri);
	}

	if (prune) {
		r = hf_client_prune_sessions(c, HF_PRUNE_ALL, &deleted);
		if (r < 0)
			inspect_error(c, r);
	}
	if (keep) {
		(void)hf_client_keep_session(c, 1);
	} else {
		r = hf_client_logout(c);
		if (r < 0)
			inspect_error(c, r);
	}
	hf_client_free(c);
	fuzz_runtime_forget_journal();
	return 0;
}
