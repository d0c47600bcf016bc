/* SPDX-License-Identifier: MIT */
/*
 * test-apply.c - the desired-state comparison of lib/features/apply.c: minimal nested PATCH bodies,
 * the change list (JSON Pointers, old and new values), equality rules, unknown properties,
 * and the validation of a desired state.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "hostfish-private.h"

static struct json_object *parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	if (!o)
		fail_msg("test text is not JSON: %s", text);
	return o;
}

static const char *plain(struct json_object *o)
{
	return o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE)
		 : "null";
}

/* diff CURRENT DESIRED: the patch body's text ("null" when none) and the changes' text */
static void check_diff(const char *cur, const char *des, const char *want_patch,
		       const char *want_changes)
{
	struct json_object *c = parse(cur), *d = parse(des), *patch = NULL;
	struct json_object *changes = json_object_new_array();
	char *unknown = NULL;

	assert_int_equal(hf_apply_diff(c, d, &patch, changes, &unknown), 0);
	assert_null(unknown);
	assert_string_equal(plain(patch), want_patch);
	if (want_changes)
		assert_string_equal(plain(changes), want_changes);
	json_object_put(patch);
	json_object_put(changes);
	json_object_put(c);
	json_object_put(d);
}

static void test_diff_flat(void **state)
{
	(void)state;
	check_diff("{\"A\":1,\"B\":\"x\",\"C\":true}", "{\"A\":1,\"B\":\"y\"}", "{\"B\":\"y\"}",
		   "[{\"property\":\"/B\",\"old\":\"x\",\"new\":\"y\"}]");
	check_diff("{\"A\":1}", "{\"A\":1}", "null", "[]");
	check_diff("{\"A\":1}", "{}", "null", "[]");
	/* types matter, numbers by value */
	check_diff("{\"A\":1}", "{\"A\":\"1\"}", "{\"A\":\"1\"}", NULL);
	check_diff("{\"A\":1}", "{\"A\":1.0}", "null", "[]");
	check_diff("{\"A\":1.5}", "{\"A\":1.25}", "{\"A\":1.25}", NULL);
	check_diff("{\"A\":null}", "{\"A\":null}", "null", "[]");
	check_diff("{\"A\":null}", "{\"A\":0}", "{\"A\":0}",
		   "[{\"property\":\"/A\",\"old\":null,\"new\":0}]");
	check_diff("{\"A\":false}", "{\"A\":true}", "{\"A\":true}", NULL);
}

static void test_diff_nested(void **state)
{
	(void)state;
	/* only the differing leaf, inside its parents */
	check_diff("{\"Boot\":{\"Target\":\"None\",\"Enabled\":\"Disabled\",\"Order\":[1,2]},\"X\":1}",
		   "{\"Boot\":{\"Target\":\"Pxe\",\"Enabled\":\"Disabled\"},\"X\":1}",
		   "{\"Boot\":{\"Target\":\"Pxe\"}}",
		   "[{\"property\":\"/Boot/Target\",\"old\":\"None\",\"new\":\"Pxe\"}]");
	check_diff("{\"A\":{\"B\":{\"C\":1,\"D\":2}}}", "{\"A\":{\"B\":{\"C\":1}}}", "null", "[]");
	check_diff("{\"A\":{\"B\":{\"C\":1,\"D\":2}}}", "{\"A\":{\"B\":{\"D\":3}}}",
		   "{\"A\":{\"B\":{\"D\":3}}}",
		   "[{\"property\":\"/A/B/D\",\"old\":2,\"new\":3}]");
	/* an object where the resource has a scalar: replaced as a whole */
	check_diff("{\"A\":null}", "{\"A\":{\"B\":1}}", "{\"A\":{\"B\":1}}",
		   "[{\"property\":\"/A\",\"old\":null,\"new\":{\"B\":1}}]");
	/* JSON Pointer escapes */
	check_diff("{\"a/b\":{\"c~d\":1}}", "{\"a/b\":{\"c~d\":2}}", "{\"a/b\":{\"c~d\":2}}",
		   "[{\"property\":\"/a~1b/c~0d\",\"old\":1,\"new\":2}]");
}

static void test_diff_arrays(void **state)
{
	(void)state;
	/* arrays are compared and sent as wholes */
	check_diff("{\"L\":[1,2,3]}", "{\"L\":[1,2,3]}", "null", "[]");
	check_diff("{\"L\":[1,2,3]}", "{\"L\":[3,2,1]}", "{\"L\":[3,2,1]}", NULL);
	check_diff("{\"L\":[1,2,3]}", "{\"L\":[1,2]}", "{\"L\":[1,2]}", NULL);
	check_diff("{\"L\":[{\"a\":1,\"b\":2}]}", "{\"L\":[{\"b\":2,\"a\":1}]}", "null", "[]");
	check_diff("{\"L\":[{\"a\":1,\"b\":2}]}", "{\"L\":[{\"a\":1}]}", "{\"L\":[{\"a\":1}]}",
		   NULL);
}

static void test_diff_unknown(void **state)
{
	struct json_object *c = parse("{\"A\":{\"B\":1}}"), *d, *patch = (void *)1;
	char *unknown = NULL;

	(void)state;
	d = parse("{\"A\":{\"C\":1}}");
	assert_int_equal(hf_apply_diff(c, d, &patch, NULL, &unknown), -ENOENT);
	assert_string_equal(unknown, "/A/C");
	free(unknown);
	json_object_put(d);
	/* without the unknown check (a settings object): a difference */
	d = parse("{\"Z\":1}");
	assert_int_equal(hf_apply_diff(c, d, &patch, NULL, NULL), 0);
	assert_string_equal(plain(patch), "{\"Z\":1}");
	json_object_put(patch);
	json_object_put(d);
	assert_int_equal(hf_apply_diff(c, NULL, &patch, NULL, NULL), -EINVAL);
	json_object_put(c);
}

static void test_diff_secrets(void **state)
{
	(void)state;
	/* the PATCH carries the value, the change list does not */
	check_diff("{\"UserName\":\"a\",\"Password\":null}", "{\"Password\":\"s3cret\"}",
		   "{\"Password\":\"s3cret\"}",
		   "[{\"property\":\"/Password\",\"old\":null,\"new\":\"****\"}]");
	check_diff("{\"Snmp\":{\"Community\":{\"Read\":\"old\"}}}",
		   "{\"Snmp\":{\"Community\":{\"Read\":\"new\"}}}",
		   "{\"Snmp\":{\"Community\":{\"Read\":\"new\"}}}",
		   "[{\"property\":\"/Snmp/Community/Read\",\"old\":\"****\",\"new\":\"****\"}]");
}

static void check_valid(const char *text, int want, const char *why_part)
{
	struct json_object *d = parse(text);
	char why[512] = "";

	assert_int_equal(hf_apply_validate(d, why, sizeof(why)), want);
	if (why_part && !strstr(why, why_part))
		fail_msg("reason '%s' lacks '%s'", why, why_part);
	json_object_put(d);
}

static void test_validate(void **state)
{
	(void)state;
	check_valid("{\"/redfish/v1/Systems/1/\":{\"AssetTag\":\"x\",\"Boot\":{\"A\":[1]}}}", 0,
		    NULL);
	check_valid("{}", 0, NULL);
	check_valid("[]", -EINVAL, "object");
	check_valid("{\"/other/\":{}}", -EINVAL, "/redfish/v1/");
	check_valid("{\"/redfish/v1/a/../b\":{}}", -EINVAL, "..");
	check_valid("{\"/redfish/v1/a/%2E%2E/b\":{}}", -EINVAL, NULL);
	check_valid("{\"/redfish/v1/a?x=1\":{}}", -EINVAL, "query");
	check_valid("{\"/redfish/v1/a#f\":{}}", -EINVAL, NULL);
	check_valid("{\"/redfish/v1/a\\r\\nX: y\":{}}", -EINVAL, NULL);
	check_valid("{\"/redfish/v1/a\":[]}", -EINVAL, "object");
	check_valid("{\"/redfish/v1/a\":1}", -EINVAL, "object");
	check_valid("{\"/redfish/v1/a\":{\"@odata.etag\":\"x\"}}", -EINVAL, "@odata");
	check_valid("{\"/redfish/v1/a\":{\"B\":{\"C\":{\"@odata.id\":\"x\"}}}}", -EINVAL, "@odata");
	check_valid("{\"/redfish/v1/a\":{\"B\":[{\"@odata.id\":\"x\"}]}}", -EINVAL, "@odata");
	check_valid("{\"/redfish/v1/a\":{},\"/redfish/v1/a/\":{}}", -EINVAL, "twice");
	{
		/* deeper than the bound (built by hand: json-c's parser stops at 32) */
		struct json_object *d = json_object_new_object(), *o = json_object_new_object();
		char why[256] = "";
		int i;

		json_object_object_add(d, "/redfish/v1/a", o);
		for (i = 0; i < 40; i++) {
			struct json_object *n = json_object_new_object();

			json_object_object_add(o, "k", n);
			o = n;
		}
		assert_int_equal(hf_apply_validate(d, why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, "deeper"));
		json_object_put(d);
	}
	{
		struct json_object *d = parse("{\"/redfish/v1/a\":{}}"), *p;
		char why[256];

		json_object_object_get_ex(d, "/redfish/v1/a", &p);
		json_object_object_add(p, "N", json_object_new_double(1.0 / 0.0));
		assert_int_equal(hf_apply_validate(d, why, sizeof(why)), -EINVAL);
		json_object_put(d);
	}
}

static void test_same(void **state)
{
	struct json_object *a = parse("{\"x\":[1,{\"y\":null}],\"z\":\"s\"}");
	struct json_object *b = parse("{\"z\":\"s\",\"x\":[1.0,{\"y\":null}]}");
	struct json_object *c = parse("{\"z\":\"s\",\"x\":[1,{\"y\":0}]}");

	(void)state;
	assert_true(hf_json_same(a, b));
	assert_false(hf_json_same(a, c));
	assert_true(hf_json_same(NULL, NULL));
	assert_false(hf_json_same(a, NULL));
	json_object_put(a);
	json_object_put(b);
	json_object_put(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_flat),
		cmocka_unit_test(test_diff_nested),
		cmocka_unit_test(test_diff_arrays),
		cmocka_unit_test(test_diff_unknown),
		cmocka_unit_test(test_diff_secrets),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_same),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
