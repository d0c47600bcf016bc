/* SPDX-License-Identifier: MIT */
/*
 * test-session-oom.c - a session the BMC issued is never lost to a failure of the client:
 * when the login's answer arrives but the client cannot keep its token (no memory for it,
 * or an answer without an X-Auth-Token), the login's intent stays in the journal directory,
 * so that "sessions prune" (with credentials) can find and delete the session; a login that
 * fails before anything is sent leaves nothing.
 *
 * The client runs over a fake backend (the link wraps hf_transport_open(), as fuzz-client
 * does) and strdup() is wrapped to fail for the token the fake BMC hands out: the library
 * has no test hook.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "client-private.h"

#define TOKEN "oom-test-token-0123456789"

int __wrap_hf_transport_open(const char *name, const struct hf_transport_config *cfg,
			     struct hf_transport *t, char *errbuf, size_t errlen);
char *__wrap_strdup(const char *s);
char *__real_strdup(const char *s);

static struct {
	bool fail_token_copy; /* strdup(TOKEN) returns NULL */
	bool no_token_header; /* the login's answer lacks X-Auth-Token */
	int logins; /* POSTs to the sessions collection seen */
} bmc;

char *__wrap_strdup(const char *s)
{
	if (bmc.fail_token_copy && s && strcmp(s, TOKEN) == 0)
		return NULL;
	return __real_strdup(s);
}

static int fake_init(const struct hf_transport_config *cfg, void **ctx, char *errbuf,
		     size_t errlen)
{
	*ctx = NULL;
	return 0;
}

static const char *fake_endpoint(void *ctx)
{
	return "https://bmc.oom-test.invalid";
}

static int conn_token;

static int fake_conn_open(void *ctx, void **conn, char *errbuf, size_t errlen)
{
	*conn = &conn_token;
	return 0;
}

static void fake_conn_close(void *ctx, void *conn)
{
}

static int answer(struct hf_transport_response *resp, int status, const char *body)
{
	resp->status = status;
	resp->reason = __real_strdup(status == 201 ? "Created" : "OK");
	if (!resp->reason || hf_headers_set(&resp->headers, "Content-Type", "application/json") < 0)
		return -ENOMEM;
	return hf_buf_append(&resp->body, body, strlen(body)) < 0 ? -ENOMEM : 0;
}

static int fake_exchange(void *ctx, void *conn, const struct hf_transport_request *req,
			 struct hf_transport_response *resp, char *errbuf, size_t errlen)
{
	if (strcmp(req->method, "POST") == 0 &&
	    strncmp(req->path, "/redfish/v1/SessionService/Sessions", 35) == 0) {
		bmc.logins++;
		if (!bmc.no_token_header && hf_headers_set(&resp->headers, "X-Auth-Token", TOKEN) < 0)
			return -ENOMEM;
		if (hf_headers_set(&resp->headers, "Location",
				   "/redfish/v1/SessionService/Sessions/1/") < 0)
			return -ENOMEM;
		return answer(resp, 201, "{\"@odata.id\":\"/redfish/v1/SessionService/Sessions/1/\"}");
	}
	if (strcmp(req->path, "/redfish/v1/") == 0)
		return answer(resp, 200,
			      "{\"Links\":{\"Sessions\":{\"@odata.id\":"
			      "\"/redfish/v1/SessionService/Sessions/\"}}}");
	return answer(resp, 200, "{}");
}

static const struct hf_transport_ops fake_ops = {
	.abi = HF_TRANSPORT_ABI,
	.name = "oom-test",
	.caps = HF_TCAP_INBAND,
	.description = "a BMC that always lets admin in",
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

/* ---- the runtime directory and what is left in it ---- */

static char runtime[] = "/tmp/hostfish-oom-XXXXXX";

/* Files in the journal directories whose names start with PREFIX. */
static int journal_files(const char *prefix)
{
	char path[512];
	struct dirent *de, *e;
	DIR *d, *sub;
	int n = 0;

	snprintf(path, sizeof(path), "%s/journal", runtime);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/journal/%s", runtime, de->d_name);
		sub = opendir(path);
		while (sub && (e = readdir(sub)))
			if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
			    strstr(e->d_name, ".json"))
				n++;
		if (sub)
			closedir(sub);
	}
	closedir(d);
	return n;
}

static void clear_journal(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/journal'", runtime);
	assert_int_equal(system(cmd), 0);
}

static hf_client *new_client(void)
{
	hf_options o = HF_OPTIONS_INIT;
	hf_client *c = NULL;

	o.url = "https://bmc.oom-test.invalid";
	o.username = "admin";
	o.password = "secret";
	assert_int_equal(hf_client_new(&c, &o), 0);
	return c;
}

static int setup(void **state)
{
	memset(&bmc, 0, sizeof(bmc));
	clear_journal();
	return 0;
}

/* The token cannot be copied: the login fails, and its intent stays for prune. */
static void test_token_copy_fails(void **state)
{
	hf_client *c = new_client();

	bmc.fail_token_copy = true;
	assert_int_equal(hf_client_login(c), -ENOMEM);
	assert_int_equal(bmc.logins, 1);
	assert_int_equal(journal_files("intent-"), 1);
	bmc.fail_token_copy = false;
	hf_client_free(c);
	assert_int_equal(journal_files("intent-"), 1);
}

/* A 201 without a token: the session exists on the BMC but cannot be addressed. */
static void test_no_token_header(void **state)
{
	hf_client *c = new_client();

	bmc.no_token_header = true;
	assert_int_equal(hf_client_login(c), -EPROTO);
	assert_int_equal(journal_files("intent-"), 1);
	hf_client_free(c);
}

/* A login that works: the session is journaled and the intent goes. */
static void test_login_works(void **state)
{
	hf_client *c = new_client();

	assert_int_equal(hf_client_login(c), 0);
	assert_int_equal(journal_files("intent-"), 0);
	assert_int_equal(journal_files(""), 1);
	hf_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_token_copy_fails, setup),
		cmocka_unit_test_setup(test_no_token_header, setup),
		cmocka_unit_test_setup(test_login_works, setup),
	};
	char cmd[600];
	int r;

	if (!mkdtemp(runtime))
		return 99;
	setenv("HOSTFISH_RUNTIME_DIR", runtime, 1);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", runtime);
	if (system(cmd) != 0)
		r = 99;
	return r;
}
