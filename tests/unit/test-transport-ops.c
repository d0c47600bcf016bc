/* SPDX-License-Identifier: MIT */
/*
 * test-transport-ops.c - the backends' optional operations (lib/transport/transport.c):
 * credentials() and peer_cert() are asked through the dispatcher, which answers -EOPNOTSUPP
 * for a backend without them; which backends have them; the https backend has no peer
 * certificate before a request went over TLS.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "creds.h"
#include "transport.h"

static struct {
	int calls;
	void *ctx;
	long timeout_ms;
	const struct hf_creds *refused;
} seen;

static int fake_credentials(void *ctx, long timeout_ms, const struct hf_creds *refused,
			    struct hf_creds *ret, char *why, size_t whylen)
{
	seen.calls++;
	seen.ctx = ctx;
	seen.timeout_ms = timeout_ms;
	seen.refused = refused;
	ret->username = strdup("host-user");
	ret->password = strdup("host-secret");
	return 0;
}

static int fake_peer_cert(void *ctx, unsigned char **der, size_t *derlen, char *errbuf,
			  size_t errlen)
{
	*der = malloc(3);
	memcpy(*der, "\x30\x01\x00", 3);
	*derlen = 3;
	return 0;
}

static const struct hf_transport_ops with_ops = {
	.abi = HF_TRANSPORT_ABI,
	.name = "fake",
	.credentials = fake_credentials,
	.peer_cert = fake_peer_cert,
};

static const struct hf_transport_ops without_ops = {
	.abi = HF_TRANSPORT_ABI,
	.name = "bare",
};

static void test_credentials_asked(void **state)
{
	int ctx_token = 0;
	struct hf_transport t = { .ops = &with_ops, .ctx = &ctx_token };
	struct hf_creds old = { .username = "u", .password = "p" }, cr = { 0 };
	char why[128] = "";

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(hf_transport_credentials(&t, 1234, NULL, &cr, why, sizeof(why)), 0);
	assert_int_equal(seen.calls, 1);
	assert_ptr_equal(seen.ctx, &ctx_token);
	assert_int_equal(seen.timeout_ms, 1234);
	assert_null(seen.refused);
	assert_string_equal(cr.username, "host-user");
	hf_creds_clear(&cr);
	/* a refusal is handed on */
	assert_int_equal(hf_transport_credentials(&t, 1, &old, &cr, why, sizeof(why)), 0);
	assert_ptr_equal(seen.refused, &old);
	hf_creds_clear(&cr);
}

static void test_credentials_missing(void **state)
{
	struct hf_transport t = { .ops = &without_ops };
	struct hf_creds cr = { 0 };
	char why[128] = "";

	assert_int_equal(hf_transport_credentials(&t, 1, NULL, &cr, why, sizeof(why)), -EOPNOTSUPP);
	assert_non_null(strstr(why, "bare"));
	assert_null(cr.username);
}

static void test_peer_cert(void **state)
{
	struct hf_transport t = { .ops = &with_ops }, bare = { .ops = &without_ops };
	unsigned char *der = NULL;
	size_t len = 0;
	char why[128] = "";

	assert_int_equal(hf_transport_peer_cert(&t, &der, &len, why, sizeof(why)), 0);
	assert_int_equal(len, 3);
	free(der);
	der = NULL;
	assert_int_equal(hf_transport_peer_cert(&bare, &der, &len, why, sizeof(why)), -EOPNOTSUPP);
	assert_non_null(strstr(why, "does not speak TLS"));
	assert_null(der);
}

/* Which backend offers what: the core asks by operation, never by name. */
static void test_backends(void **state)
{
	assert_non_null(hf_transport_https.peer_cert);
	assert_null(hf_transport_https.credentials);
	assert_non_null(hf_transport_hostif.peer_cert);
	assert_non_null(hf_transport_hostif.credentials);
	assert_true(hf_transport_hostif.caps & HF_TCAP_AUTH_ALWAYS);
	assert_false(hf_transport_https.caps & HF_TCAP_AUTH_ALWAYS);
	assert_null(hf_transport_chif.peer_cert);
	assert_null(hf_transport_chif.credentials);
	assert_null(hf_transport_agent.peer_cert);
	assert_null(hf_transport_agent.credentials);
}

static void test_https_before_any_request(void **state)
{
	struct hf_transport_config cfg = { .url = "https://bmc.example:443" };
	struct hf_transport t = { 0 };
	unsigned char *der = NULL;
	size_t len = 0;
	char why[256] = "";

	assert_int_equal(hf_transport_open("https", &cfg, &t, why, sizeof(why)), 0);
	assert_int_equal(hf_transport_peer_cert(&t, &der, &len, why, sizeof(why)), -ENODATA);
	assert_null(der);
	hf_transport_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credentials_asked),
		cmocka_unit_test(test_credentials_missing),
		cmocka_unit_test(test_peer_cert),
		cmocka_unit_test(test_backends),
		cmocka_unit_test(test_https_before_any_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
