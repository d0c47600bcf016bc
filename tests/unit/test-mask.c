/* SPDX-License-Identifier: MIT */
/*
 * test-mask.c - secrets out of logs (lib/util/mask.c).
 */
#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "hostfish-private.h"

static void test_secret_keys(void **state)
{
	static const char *const secret[] = {
		"Password", "OldPassword", "NewPassword", "password", "PASSWORD", "pAsSwOrD",
		"UserPassword", "X-Auth-Token", "x-auth-token", "Token", "token", "SessionToken",
		"AccessToken", "refresh_token", "sessionKey", "SessionKey", "Secret", "ClientSecret",
		"PrivateKey", "Passphrase", "passwd", "CommunityString", "Authorization", "Cookie",
		"LicenseKey", "licensekey",
	};
	static const char *const plain[] = {
		"UserName", "Name", "Id", "@odata.id", "@odata.type", "Oem", "Description",
		"MessageId", "RoleId", "Enabled", "Locked", "",
	};
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(secret); i++)
		if (!hf_mask_is_secret_key(secret[i]))
			fail_msg("\"%s\" should be a secret key", secret[i]);
	for (i = 0; i < HF_ARRAY_SIZE(plain); i++)
		if (hf_mask_is_secret_key(plain[i]))
			fail_msg("\"%s\" should not be a secret key", plain[i]);
	assert_false(hf_mask_is_secret_key(NULL));
}

static void test_secret_headers(void **state)
{
	static const char *const secret[] = {
		"X-Auth-Token", "x-auth-token", "X-AUTH-TOKEN", "Authorization", "authorization",
		"AUTHORIZATION", "Cookie", "cookie", "COOKIE", "Set-Cookie", "set-cookie",
		"Proxy-Authorization",
	};
	static const char *const plain[] = {
		"Content-Type", "Location", "Accept", "OData-Version", "ETag", "X-Auth",
		"X-Auth-Token-Expiry-Not", "", "User-Agent",
	};
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(secret); i++)
		if (!hf_mask_is_secret_header(secret[i]))
			fail_msg("header \"%s\" should be a secret", secret[i]);
	for (i = 0; i < HF_ARRAY_SIZE(plain); i++)
		if (hf_mask_is_secret_header(plain[i]))
			fail_msg("header \"%s\" should not be a secret", plain[i]);
}

/* Mask text, check the result is valid JSON and none of the secrets appears in it. */
static struct json_object *mask_and_parse(const char *text, const char *const *secrets)
{
	struct json_object *obj;
	char *out;

	out = hf_mask_json_text(text, strlen(text));
	if (!out)
		fail_msg("hf_mask_json_text(%s) returned NULL", text);
	for (; secrets && *secrets; secrets++)
		if (strstr(out, *secrets))
			fail_msg("secret \"%s\" survived masking: %s", *secrets, out);
	obj = json_tokener_parse(out);
	if (!obj)
		fail_msg("masked text is not JSON: %s", out);
	free(out);
	return obj;
}

static const char *get_str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(obj, key, &v));
	assert_true(json_object_is_type(v, json_type_string));
	return json_object_get_string(v);
}

static struct json_object *get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(obj, key, &v));
	assert_non_null(v);
	return v;
}

static void test_mask_login_body(void **state)
{
	static const char *const secrets[] = { "s3cr3t-pw", NULL };
	struct json_object *obj;

	obj = mask_and_parse("{\"UserName\": \"admin\", \"Password\": \"s3cr3t-pw\"}", secrets);
	assert_string_equal(get_str(obj, "UserName"), "admin");
	assert_string_equal(get_str(obj, "Password"), "****");
	json_object_put(obj);

	/* any case */
	obj = mask_and_parse("{\"username\":\"admin\",\"password\":\"s3cr3t-pw\"}", secrets);
	assert_string_equal(get_str(obj, "username"), "admin");
	assert_string_equal(get_str(obj, "password"), "****");
	json_object_put(obj);

	/* non-string secrets are masked too */
	obj = mask_and_parse("{\"Password\": 123456789, \"Token\": true}",
			     (const char *const[]){ "123456789", "true", NULL });
	assert_string_equal(get_str(obj, "Password"), "****");
	assert_string_equal(get_str(obj, "Token"), "****");
	json_object_put(obj);
}

static void test_mask_any_depth(void **state)
{
	static const char *const secrets[] = { "pw-one", "pw-two", "pw-three", "tok-four",
					       "key-five", NULL };
	struct json_object *obj, *accts, *a0, *a1, *deep;

	obj = mask_and_parse(
		"{\"Oem\":{\"Hpe\":{\"Accounts\":["
		"{\"UserName\":\"u1\",\"Password\":\"pw-one\"},"
		"{\"UserName\":\"u2\",\"OldPassword\":\"pw-two\",\"Nested\":{\"token\":\"tok-four\"}}"
		"]}},"
		"\"Deep\":[[[{\"NewPassword\":\"pw-three\"}]]],"
		"\"Ldap\":{\"Authentication\":{\"SessionKey\":\"key-five\",\"Server\":\"ldap1\"}}}",
		secrets);
	accts = get(get(get(obj, "Oem"), "Hpe"), "Accounts");
	assert_int_equal(json_object_array_length(accts), 2);
	a0 = json_object_array_get_idx(accts, 0);
	a1 = json_object_array_get_idx(accts, 1);
	assert_string_equal(get_str(a0, "UserName"), "u1");
	assert_string_equal(get_str(a0, "Password"), "****");
	assert_string_equal(get_str(a1, "UserName"), "u2");
	assert_string_equal(get_str(a1, "OldPassword"), "****");
	assert_string_equal(get_str(get(a1, "Nested"), "token"), "****");
	deep = json_object_array_get_idx(
		json_object_array_get_idx(json_object_array_get_idx(get(obj, "Deep"), 0), 0), 0);
	assert_non_null(deep);
	assert_string_equal(get_str(deep, "NewPassword"), "****");
	assert_string_equal(get_str(get(get(obj, "Ldap"), "Authentication"), "SessionKey"), "****");
	assert_string_equal(get_str(get(get(obj, "Ldap"), "Authentication"), "Server"), "ldap1");
	json_object_put(obj);
}

/* 24 levels of nesting (objects in arrays), with the password at the bottom */
static void test_mask_deep_nesting(void **state)
{
	static const char *const secrets[] = { "bottom-secret", NULL };
	struct hf_buf b = { 0 };
	struct json_object *obj;
	int i;

	for (i = 0; i < 12; i++)
		assert_int_equal(hf_buf_appends(&b, "{\"a\":["), 0);
	assert_int_equal(hf_buf_appends(&b, "{\"Password\":\"bottom-secret\"}"), 0);
	for (i = 0; i < 12; i++)
		assert_int_equal(hf_buf_appends(&b, "]}"), 0);
	obj = mask_and_parse(b.data, secrets);
	json_object_put(obj);
	hf_buf_free(&b);

	/* nesting past the parser's bound is not JSON to the masker: NULL, never the secret */
	for (i = 0; i < 300; i++)
		assert_int_equal(hf_buf_appends(&b, "["), 0);
	assert_int_equal(hf_buf_appends(&b, "{\"Password\":\"bottom-secret\"}"), 0);
	for (i = 0; i < 300; i++)
		assert_int_equal(hf_buf_appends(&b, "]"), 0);
	assert_null(hf_mask_json_text(b.data, b.len));
	hf_buf_free(&b);
}

/* A container under a secret name is replaced whole. */
static void test_mask_secret_container(void **state)
{
	static const char *const secrets[] = { "inner-value", "list-one", "list-two", NULL };
	struct json_object *obj;

	obj = mask_and_parse("{\"Credentials\":{\"Token\":{\"Value\":\"inner-value\",\"Kind\":"
			     "\"bearer\"}},\"Passwords\":[\"list-one\",\"list-two\"],"
			     "\"Name\":\"keep\"}",
			     secrets);
	assert_string_equal(get_str(get(obj, "Credentials"), "Token"), "****");
	assert_string_equal(get_str(obj, "Passwords"), "****");
	assert_string_equal(get_str(obj, "Name"), "keep");
	json_object_put(obj);
}

/* Text without secrets comes back equivalent (same members, same values). */
static void test_mask_no_secret(void **state)
{
	struct json_object *obj;

	obj = mask_and_parse("{\"@odata.id\":\"/redfish/v1/\",\"Name\":\"Root\",\"Count\":3,"
			     "\"Links\":{\"Sessions\":{\"@odata.id\":\"/redfish/v1/Sessions/\"}},"
			     "\"List\":[1,2,null,true]}",
			     NULL);
	assert_string_equal(get_str(obj, "@odata.id"), "/redfish/v1/");
	assert_string_equal(get_str(obj, "Name"), "Root");
	assert_int_equal(json_object_get_int(get(obj, "Count")), 3);
	assert_string_equal(get_str(get(get(obj, "Links"), "Sessions"), "@odata.id"),
			    "/redfish/v1/Sessions/");
	assert_int_equal(json_object_array_length(get(obj, "List")), 4);
	json_object_put(obj);

	/* a top-level array of objects */
	obj = mask_and_parse("[{\"Password\":\"arr-secret\"},{\"UserName\":\"x\"}]",
			     (const char *const[]){ "arr-secret", NULL });
	assert_true(json_object_is_type(obj, json_type_array));
	assert_string_equal(get_str(json_object_array_get_idx(obj, 0), "Password"), "****");
	json_object_put(obj);
}

static void test_mask_not_json(void **state)
{
	static const char *const bad[] = {
		"not json",
		"UserName=admin&Password=secret",
		"{\"Password\":\"secret\"",
		"{\"Password\":\"secret\"} trailing",
		"{\"Password\":\"secret\"}{}",
		"{\"Password\":}",
	};
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(bad); i++) {
		char *out = hf_mask_json_text(bad[i], strlen(bad[i]));

		if (out)
			fail_msg("hf_mask_json_text(%s) = %s, expected NULL", bad[i], out);
	}
	assert_null(hf_mask_json_text(NULL, 0));
	assert_null(hf_mask_json_text("", 0));
	assert_null(hf_mask_json_text("{}", 0));
}

/* Only len bytes are read: the text need not be NUL-terminated. */
static void test_mask_len(void **state)
{
	const char text[] = "{\"Password\":\"abc\"}XXXX";
	char *out = hf_mask_json_text(text, strlen(text) - 4);

	assert_non_null(out);
	assert_null(strstr(out, "abc"));
	assert_null(strstr(out, "XXXX"));
	assert_non_null(strstr(out, "****"));
	free(out);
}

static void test_mask_query(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "a=1&b=2", "a=1&b=2" },
		{ "sessionKey=abc123", "sessionKey=****" },
		{ "user=bob&password=hunter2", "user=bob&password=****" },
		{ "Password=hunter2&user=bob", "Password=****&user=bob" },
		{ "token=t&x=1&sessionkey=k", "token=****&x=1&sessionkey=****" },
		{ "flag&token=t&other", "flag&token=****&other" },
		{ "password=", "password=****" },
		{ "=value", "=value" },
		{ "a=1&&b=2", "a=1&&b=2" },
		{ "UserName=admin&Password=a=b=c", "UserName=admin&Password=****" },
	};
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(cases); i++) {
		char *out = hf_mask_query(cases[i].in);

		assert_non_null(out);
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("hf_mask_query(\"%s\") = \"%s\", expected \"%s\"", cases[i].in,
				 out, cases[i].out);
		free(out);
	}
}

static void test_mask_uri(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "/redfish/v1/Systems/1/", "/redfish/v1/Systems/1/" },
		{ "/redfish/v1/x?token=t&a=1", "/redfish/v1/x?token=****&a=1" },
		{ "https://bmc/redfish/v1/", "https://bmc/redfish/v1/" },
		{ "https://user@bmc/fw.bin", "https://user@bmc/fw.bin" },
		{ "https://user:hunter2@bmc:443/fw.bin", "https://user:****@bmc:443/fw.bin" },
		{ "http://u:p@proxy:3128", "http://u:****@proxy:3128" },
		{ "sftp://u:p%40ss@h/x?password=y", "sftp://u:****@h/x?password=****" },
		/* an @ in the path is not user information */
		{ "https://bmc/a:b@c", "https://bmc/a:b@c" },
		/* not a scheme: left alone */
		{ "nota scheme://u:p@h", "nota scheme://u:p@h" },
		{ "", "" },
	};
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(cases); i++) {
		char *out = hf_mask_uri(cases[i].in);

		assert_non_null(out);
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("hf_mask_uri(\"%s\") = \"%s\", expected \"%s\"", cases[i].in,
				 out, cases[i].out);
		free(out);
	}
	assert_null(hf_mask_uri(NULL));
}

/* URLs in JSON string values: an update's ImageURI with a password, a link with a token */
static void test_mask_url_values(void **state)
{
	static const char in[] = "{\"ImageURI\":\"https://fw:s3cret@repo/a.bin\","
				 "\"Links\":[\"/x?token=abc\"],\"Name\":\"why? because\"}";
	char *out = hf_mask_json_text(in, strlen(in));

	assert_non_null(out);
	assert_null(strstr(out, "s3cret"));
	assert_null(strstr(out, "abc"));
	assert_non_null(strstr(out, "https://fw:****@repo/a.bin"));
	assert_non_null(strstr(out, "/x?token=****"));
	assert_non_null(strstr(out, "why? because"));
	free(out);
}

/* JSON may be followed by white space (RFC 8259 section 2); BMC bodies often end in a newline. */
static void test_mask_trailing_whitespace(void **state)
{
	static const char *const texts[] = {
		"{\"UserName\":\"admin\",\"Password\":\"ws-secret\"}\n",
		"{\"UserName\":\"admin\",\"Password\":\"ws-secret\"}\r\n",
		"{\"UserName\":\"admin\",\"Password\":\"ws-secret\"}  ",
	};
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(texts); i++) {
		char *out = hf_mask_json_text(texts[i], strlen(texts[i]));

		if (!out)
			fail_msg("hf_mask_json_text() refused JSON followed by white space (case %zu)",
				 i);
		assert_null(strstr(out, "ws-secret"));
		assert_non_null(strstr(out, "admin"));
		free(out);
	}
}

/*
 * BUG: hf_mask_query("") returns uninitialised memory instead of "": it ends in
 * hf_buf_steal() of a buffer that was never written, and hf_buf_steal() allocates through
 * buf_reserve() without storing the terminating NUL (see test-util.c, test_buf_steal_empty).
 * M_PERTURB makes the garbage show (16 calls: glibc's tcache does not perturb recycled
 * chunks); valgrind reports the uninitialised read too.
 */
static void test_mask_query_empty(void **state)
{
	char *out[16];
	size_t i, bad = 0;

#ifdef M_PERTURB
	mallopt(M_PERTURB, 0x5a);
#endif
	for (i = 0; i < HF_ARRAY_SIZE(out); i++)
		out[i] = hf_mask_query("");
#ifdef M_PERTURB
	mallopt(M_PERTURB, 0);
#endif
	for (i = 0; i < HF_ARRAY_SIZE(out); i++) {
		assert_non_null(out[i]);
		if (strcmp(out[i], "") != 0)
			bad++;
		free(out[i]);
	}
	assert_int_equal(bad, 0);
}

static void test_mask_license_key(void **state)
{
	static const char body[] = "{\"LicenseKey\": \"ABCDE-12345-FGHIJ-67890-KLMNO\"}";
	char *out = hf_mask_json_text(body, strlen(body));

	(void)state;
	assert_non_null(out);
	assert_null(strstr(out, "ABCDE"));
	assert_non_null(strstr(out, "****"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret_keys),
		cmocka_unit_test(test_secret_headers),
		cmocka_unit_test(test_mask_login_body),
		cmocka_unit_test(test_mask_any_depth),
		cmocka_unit_test(test_mask_deep_nesting),
		cmocka_unit_test(test_mask_secret_container),
		cmocka_unit_test(test_mask_no_secret),
		cmocka_unit_test(test_mask_not_json),
		cmocka_unit_test(test_mask_len),
		cmocka_unit_test(test_mask_query),
		cmocka_unit_test(test_mask_uri),
		cmocka_unit_test(test_mask_url_values),
		cmocka_unit_test(test_mask_trailing_whitespace),
		cmocka_unit_test(test_mask_query_empty),
		cmocka_unit_test(test_mask_license_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
