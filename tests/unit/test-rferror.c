/* SPDX-License-Identifier: MIT */
/*
 * test-rferror.c - Redfish error bodies in both dialects (lib/core/rferror.c) and the built-in Base
 * registry (lib/core/registry.c).
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

static hf_redfish_error *parse_text(const char *text)
{
	struct json_object *body = json_tokener_parse(text);
	hf_redfish_error *err;

	if (!body)
		fail_msg("test body is not JSON: %s", text);
	err = hf_rferror_parse(body);
	/* the error keeps copies: the body can go */
	json_object_put(body);
	return err;
}

/* iLO: error.code iLO.0.10.ExtendedInfo, entries with only a MessageId */
static void test_ilo_short_form(void **state)
{
	const struct hf_registry_entry *reg = hf_registry_lookup("Base.1.4.NoValidSession");
	const hf_message *m;
	hf_redfish_error *err;

	assert_non_null(reg);
	err = parse_text("{\"error\":{\"code\":\"iLO.0.10.ExtendedInfo\","
			 "\"message\":\"See @Message.ExtendedInfo for more information.\","
			 "\"@Message.ExtendedInfo\":[{\"MessageId\":\"Base.1.4.NoValidSession\"}]}}");
	assert_non_null(err);
	assert_string_equal(hf_redfish_error_code(err), "iLO.0.10.ExtendedInfo");
	assert_string_equal(hf_redfish_error_message(err),
			    "See @Message.ExtendedInfo for more information.");
	assert_int_equal(hf_redfish_error_count(err), 1);
	m = hf_redfish_error_info(err, 0);
	assert_non_null(m);
	assert_string_equal(m->message_id, "Base.1.4.NoValidSession");
	assert_true(m->completed);
	assert_string_equal(m->message, reg->message);
	assert_string_equal(m->severity, "Critical");
	assert_non_null(m->resolution);
	assert_string_equal(m->resolution, reg->resolution);
	assert_int_equal(m->n_message_args, 0);
	assert_null(hf_redfish_error_info(err, 1));
	assert_int_equal(hf_redfish_error_class(err), HF_RF_NO_VALID_SESSION);
	assert_true(hf_rferror_has(err, HF_RF_NO_VALID_SESSION));
	assert_false(hf_rferror_has(err, HF_RF_ACCESS_DENIED));
	hf_rferror_unref(err);
}

static void test_ilo_short_form_args(void **state)
{
	const hf_message *m;
	hf_redfish_error *err;

	err = parse_text("{\"error\":{\"code\":\"iLO.0.10.ExtendedInfo\",\"@Message.ExtendedInfo\":"
			 "[{\"MessageId\":\"Base.1.4.ResourceMissingAtURI\",\"MessageArgs\":[\"/x\"]}]}}");
	assert_non_null(err);
	m = hf_redfish_error_info(err, 0);
	assert_non_null(m);
	assert_true(m->completed);
	assert_non_null(m->message);
	assert_non_null(strstr(m->message, "/x"));
	assert_string_equal(m->message, "The resource at the URI /x was not found.");
	assert_null(strstr(m->message, "%1"));
	assert_int_equal(m->n_message_args, 1);
	assert_string_equal(m->message_args[0], "/x");
	assert_int_equal(hf_redfish_error_class(err), HF_RF_RESOURCE_MISSING);
	hf_rferror_unref(err);

	/* no arguments sent: the placeholder stays visible */
	err = parse_text("{\"error\":{\"@Message.ExtendedInfo\":"
			 "[{\"MessageId\":\"Base.1.0.ResourceMissingAtURI\"}]}}");
	assert_non_null(err);
	m = hf_redfish_error_info(err, 0);
	assert_non_null(m);
	assert_true(m->completed);
	assert_string_equal(m->message, "The resource at the URI %1 was not found.");
	hf_rferror_unref(err);
}

/* DMTF: everything sent is kept as sent, nothing is completed */
static void test_full_form(void **state)
{
	const hf_message *m;
	hf_redfish_error *err;

	err = parse_text("{\"error\":{\"code\":\"Base.1.8.GeneralError\",\"message\":\"A general "
			 "error has occurred.\",\"@Message.ExtendedInfo\":[{"
			 "\"@odata.type\":\"#Message.v1_1_1.Message\","
			 "\"MessageId\":\"Base.1.8.PropertyValueTypeError\","
			 "\"Message\":\"Custom text from the BMC.\","
			 "\"MessageArgs\":[\"abc\",\"Enabled\"],"
			 "\"Severity\":\"Warning\","
			 "\"Resolution\":\"Do something else.\"}]}}");
	assert_non_null(err);
	assert_string_equal(hf_redfish_error_code(err), "Base.1.8.GeneralError");
	assert_string_equal(hf_redfish_error_message(err), "A general error has occurred.");
	assert_int_equal(hf_redfish_error_count(err), 1);
	m = hf_redfish_error_info(err, 0);
	assert_non_null(m);
	assert_false(m->completed);
	assert_string_equal(m->message_id, "Base.1.8.PropertyValueTypeError");
	assert_string_equal(m->message, "Custom text from the BMC.");
	assert_string_equal(m->severity, "Warning");
	assert_string_equal(m->resolution, "Do something else.");
	assert_int_equal(m->n_message_args, 2);
	assert_string_equal(m->message_args[0], "abc");
	assert_string_equal(m->message_args[1], "Enabled");
	assert_int_equal(hf_redfish_error_class(err), HF_RF_OTHER);
	hf_rferror_unref(err);
}

/* Newer registries say MessageSeverity; it is accepted as Severity. */
static void test_message_severity(void **state)
{
	const hf_message *m;
	hf_redfish_error *err;

	err = parse_text("{\"error\":{\"code\":\"Base.1.13.GeneralError\",\"@Message.ExtendedInfo\":"
			 "[{\"MessageId\":\"Base.1.13.InsufficientPrivilege\",\"Message\":\"No.\","
			 "\"MessageSeverity\":\"Warning\",\"Resolution\":\"Ask.\"}]}}");
	assert_non_null(err);
	m = hf_redfish_error_info(err, 0);
	assert_non_null(m);
	assert_string_equal(m->severity, "Warning");
	assert_string_equal(m->message, "No.");
	assert_string_equal(m->resolution, "Ask.");
	assert_false(m->completed);
	assert_int_equal(hf_redfish_error_class(err), HF_RF_ACCESS_DENIED);
	hf_rferror_unref(err);

	/* both present: Severity wins */
	err = parse_text("{\"@Message.ExtendedInfo\":[{\"MessageId\":\"X.1.0.Y\",\"Message\":\"m\","
			 "\"Severity\":\"OK\",\"MessageSeverity\":\"Critical\"}]}");
	assert_non_null(err);
	assert_string_equal(hf_redfish_error_info(err, 0)->severity, "OK");
	hf_rferror_unref(err);
}

/* A top-level @Message.ExtendedInfo (PATCH answers, for one) */
static void test_top_level_extended_info(void **state)
{
	const hf_message *m;
	hf_redfish_error *err;

	err = parse_text("{\"@odata.id\":\"/redfish/v1/Systems/1/\",\"Name\":\"x\","
			 "\"@Message.ExtendedInfo\":[{\"MessageId\":\"Base.1.4.PropertyNotWritable\","
			 "\"MessageArgs\":[\"Name\"]},{\"MessageId\":\"Base.1.4.Success\"}]}");
	assert_non_null(err);
	assert_null(hf_redfish_error_code(err));
	assert_null(hf_redfish_error_message(err));
	assert_int_equal(hf_redfish_error_count(err), 2);
	m = hf_redfish_error_info(err, 0);
	assert_non_null(m);
	assert_true(m->completed);
	assert_non_null(strstr(m->message, "Name"));
	assert_string_equal(hf_redfish_error_info(err, 1)->message_id, "Base.1.4.Success");
	assert_int_equal(hf_redfish_error_class(err), HF_RF_PROPERTY_NOT_WRITABLE);
	assert_true(hf_rferror_has(err, HF_RF_SUCCESS));
	hf_rferror_unref(err);
}

/* Numbers, booleans and null are arguments too, shown as JSON text. */
static void test_non_string_args(void **state)
{
	const hf_message *m;
	hf_redfish_error *err;

	err = parse_text("{\"error\":{\"@Message.ExtendedInfo\":[{\"MessageId\":"
			 "\"Base.1.4.PropertyValueTypeError\",\"MessageArgs\":[42,true,1.5,null,"
			 "{\"a\":1}]}]}}");
	assert_non_null(err);
	m = hf_redfish_error_info(err, 0);
	assert_non_null(m);
	assert_int_equal(m->n_message_args, 5);
	assert_string_equal(m->message_args[0], "42");
	assert_string_equal(m->message_args[1], "true");
	assert_string_equal(m->message_args[2], "1.5");
	assert_string_equal(m->message_args[3], "null");
	assert_string_equal(m->message_args[4], "{\"a\":1}");
	assert_true(m->completed);
	assert_string_equal(m->message, "The value 42 for the property true is of a different type "
					"than the property can accept.");
	hf_rferror_unref(err);

	/* MessageArgs that is not an array: no arguments */
	err = parse_text("{\"error\":{\"@Message.ExtendedInfo\":[{\"MessageId\":"
			 "\"Base.1.4.ResourceMissingAtURI\",\"MessageArgs\":\"/x\"}]}}");
	assert_non_null(err);
	m = hf_redfish_error_info(err, 0);
	assert_int_equal(m->n_message_args, 0);
	assert_null(m->message_args);
	assert_non_null(strstr(m->message, "%1"));
	hf_rferror_unref(err);
}

static void test_no_error(void **state)
{
	static const char *const bodies[] = {
		"{}",
		"{\"@odata.id\":\"/redfish/v1/\",\"Name\":\"Root\"}",
		"{\"error\":\"text\"}",
		"{\"error\":[{\"code\":\"x\"}]}",
		"{\"error\":null}",
		"[{\"error\":{\"code\":\"x\"}}]",
		"\"error\"",
		"42",
		"{\"Members\":[{\"@Message.ExtendedInfo\":[{\"MessageId\":\"Base.1.4.Success\"}]}]}",
	};
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(bodies); i++) {
		struct json_object *body = json_tokener_parse(bodies[i]);
		hf_redfish_error *err;

		assert_non_null(body);
		err = hf_rferror_parse(body);
		if (err)
			fail_msg("hf_rferror_parse(%s) found an error", bodies[i]);
		json_object_put(body);
	}
	assert_null(hf_rferror_parse(NULL));
}

static void test_junk_types(void **state)
{
	const hf_message *m;
	hf_redfish_error *err;

	/* ExtendedInfo not an array: the error is there, without entries */
	err = parse_text("{\"error\":{\"code\":\"Base.1.4.InternalError\",\"message\":\"m\","
			 "\"@Message.ExtendedInfo\":\"oops\"}}");
	assert_non_null(err);
	assert_string_equal(hf_redfish_error_code(err), "Base.1.4.InternalError");
	assert_int_equal(hf_redfish_error_count(err), 0);
	assert_null(hf_redfish_error_info(err, 0));
	hf_rferror_unref(err);

	err = parse_text("{\"error\":{\"code\":\"c\",\"@Message.ExtendedInfo\":{\"MessageId\":"
			 "\"Base.1.4.NoValidSession\"}}}");
	assert_non_null(err);
	assert_int_equal(hf_redfish_error_count(err), 0);
	hf_rferror_unref(err);

	/* code and message of the wrong type: absent */
	err = parse_text("{\"error\":{\"code\":17,\"message\":[\"x\"]}}");
	assert_non_null(err);
	assert_null(hf_redfish_error_code(err));
	assert_null(hf_redfish_error_message(err));
	assert_int_equal(hf_redfish_error_class(err), HF_RF_NONE);
	hf_rferror_unref(err);

	/* entries that are not objects are skipped */
	err = parse_text("{\"error\":{\"@Message.ExtendedInfo\":[1,\"Base.1.4.NoValidSession\","
			 "null,[],true,{\"MessageId\":\"Base.1.4.AccessDenied\",\"MessageArgs\":"
			 "[\"/redfish/v1/\"]},{}]}}");
	assert_non_null(err);
	assert_int_equal(hf_redfish_error_count(err), 2);
	m = hf_redfish_error_info(err, 0);
	assert_string_equal(m->message_id, "Base.1.4.AccessDenied");
	assert_non_null(strstr(m->message, "/redfish/v1/"));
	m = hf_redfish_error_info(err, 1);
	assert_null(m->message_id);
	assert_null(m->message);
	assert_false(m->completed);
	assert_int_equal(hf_redfish_error_class(err), HF_RF_ACCESS_DENIED);
	hf_rferror_unref(err);

	/* members of the wrong type inside an entry */
	err = parse_text("{\"error\":{\"@Message.ExtendedInfo\":[{\"MessageId\":5,\"Message\":"
			 "{},\"Severity\":1,\"Resolution\":false}]}}");
	assert_non_null(err);
	m = hf_redfish_error_info(err, 0);
	assert_non_null(m);
	assert_null(m->message_id);
	assert_null(m->message);
	assert_null(m->severity);
	assert_null(m->resolution);
	assert_false(m->completed);
	hf_rferror_unref(err);

	/* a Message that is not a string is completed from the registry */
	err = parse_text("{\"error\":{\"@Message.ExtendedInfo\":[{\"MessageId\":"
			 "\"Base.1.4.NoValidSession\",\"Message\":17}]}}");
	assert_non_null(err);
	m = hf_redfish_error_info(err, 0);
	assert_true(m->completed);
	assert_non_null(strstr(m->message, "no valid session"));
	hf_rferror_unref(err);
}

/* Bounds: at most 256 entries and 32 arguments are kept. */
static void test_bounds(void **state)
{
	struct hf_buf b = { 0 };
	hf_redfish_error *err;
	int i;

	assert_int_equal(hf_buf_appends(&b, "{\"@Message.ExtendedInfo\":["), 0);
	for (i = 0; i < 300; i++)
		assert_int_equal(hf_buf_printf(&b, "%s{\"MessageId\":\"Base.1.4.InternalError\"}",
					       i ? "," : ""),
				 0);
	assert_int_equal(hf_buf_appends(&b, "]}"), 0);
	err = parse_text(b.data);
	assert_non_null(err);
	assert_int_equal(hf_redfish_error_count(err), 256);
	hf_rferror_unref(err);
	hf_buf_free(&b);

	assert_int_equal(hf_buf_appends(&b, "{\"@Message.ExtendedInfo\":[{\"MessageId\":\"X.Y\","
					    "\"MessageArgs\":["),
			 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(hf_buf_printf(&b, "%s\"a%d\"", i ? "," : "", i), 0);
	assert_int_equal(hf_buf_appends(&b, "]}]}"), 0);
	err = parse_text(b.data);
	assert_non_null(err);
	assert_int_equal(hf_redfish_error_info(err, 0)->n_message_args, 32);
	assert_string_equal(hf_redfish_error_info(err, 0)->message_args[31], "a31");
	hf_rferror_unref(err);
	hf_buf_free(&b);
}

/* valid UTF-8 from start to end (no character cut in two) */
static bool utf8_whole(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int more = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2
			 : (*p & 0xf8) == 0xf0 ? 3 : -1;

		if (more < 0)
			return false;
		for (p++; more > 0; more--, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

/*
 * A hostile BMC: a 1 MB MessageArgs entry, a 1 MB Message, and a registry message made of
 * placeholders (2,048 times %1: 2 GB once formatted, before the bound).  What is kept and
 * printed stays within HF_MESSAGE_TEXT_MAX / HF_MESSAGE_ARG_MAX, cut between characters.
 */
static void test_huge_messages(void **state)
{
	const size_t big = 1 << 20;
	struct hf_buf b = { 0 }, msg = { 0 };
	const hf_message *m;
	hf_redfish_error *err;
	const char *args[1];
	char *out;
	size_t i;

	assert_int_equal(hf_buf_appends(&b, "{\"@Message.ExtendedInfo\":[{\"MessageId\":\"X.Y\","
					    "\"Message\":\""),
			 0);
	for (i = 0; i < big / 2; i++) /* "é" is 2 bytes: a cut in the middle shows */
		assert_int_equal(hf_buf_appends(&b, "\u00e9"), 0);
	assert_int_equal(hf_buf_appends(&b, "\",\"MessageArgs\":[\""), 0);
	for (i = 0; i < big / 3; i++) /* "€" is 3 bytes */
		assert_int_equal(hf_buf_appends(&b, "\u20ac"), 0);
	assert_int_equal(hf_buf_appends(&b, "\"]}]}"), 0);
	err = parse_text(b.data);
	hf_buf_free(&b);
	assert_non_null(err);
	m = hf_redfish_error_info(err, 0);
	assert_true(strlen(m->message) <= HF_MESSAGE_TEXT_MAX);
	assert_true(strlen(m->message) > HF_MESSAGE_TEXT_MAX - 8);
	assert_true(utf8_whole(m->message));
	assert_string_equal(m->message + strlen(m->message) - 3, "...");
	assert_true(strlen(m->message_args[0]) <= HF_MESSAGE_ARG_MAX);
	assert_true(utf8_whole(m->message_args[0]));

	/* formatting: 2,048 placeholders and a 1 MB argument */
	for (i = 0; i < 2048; i++)
		assert_int_equal(hf_buf_appends(&msg, "%1"), 0);
	for (i = 0; i < big / 3; i++)
		assert_int_equal(hf_buf_appends(&b, "\xe2\x82\xac"), 0); /* "€" */
	args[0] = b.data;
	out = hf_registry_format(msg.data, args, 1);
	assert_non_null(out);
	assert_true(strlen(out) <= HF_MESSAGE_TEXT_MAX);
	assert_true(utf8_whole(out));
	assert_string_equal(out + strlen(out) - 3, "...");
	free(out);
	hf_rferror_unref(err);
	hf_buf_free(&msg);
	hf_buf_free(&b);
}

static void test_unknown_message_id(void **state)
{
	static const char *const ids[] = {
		"iLO.2.14.LicenseKeyRequired", "Base.1.4.NoSuchMessage", "Base.1.4.",
		"SmbiosRegistry.1.0.Foo", "Nonsense",
	};
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(ids); i++) {
		struct hf_buf b = { 0 };
		const hf_message *m;
		hf_redfish_error *err;

		assert_int_equal(hf_buf_printf(&b, "{\"error\":{\"@Message.ExtendedInfo\":"
						   "[{\"MessageId\":\"%s\"}]}}",
					       ids[i]),
				 0);
		err = parse_text(b.data);
		assert_non_null(err);
		m = hf_redfish_error_info(err, 0);
		assert_non_null(m);
		assert_string_equal(m->message_id, ids[i]);
		if (m->completed || m->message || m->severity || m->resolution)
			fail_msg("unknown MessageId %s was completed", ids[i]);
		assert_int_equal(hf_redfish_error_class(err), HF_RF_OTHER);
		hf_rferror_unref(err);
		hf_buf_free(&b);
	}
}

static void test_code_of(void **state)
{
	static const struct {
		const char *id;
		int code;
	} cases[] = {
		{ "Base.1.4.NoValidSession", HF_RF_NO_VALID_SESSION },
		{ "Base.1.0.0.NoValidSession", HF_RF_NO_VALID_SESSION },
		{ "Base.1.4.AccessDenied", HF_RF_ACCESS_DENIED },
		{ "Base.1.4.InsufficientPrivilege", HF_RF_ACCESS_DENIED },
		{ "Base.1.4.SessionLimitExceeded", HF_RF_SESSION_LIMIT_EXCEEDED },
		{ "Base.1.4.PasswordChangeRequired", HF_RF_PASSWORD_CHANGE_REQUIRED },
		{ "Base.1.4.PreconditionFailed", HF_RF_PRECONDITION_FAILED },
		{ "Base.1.4.ResourceMissingAtURI", HF_RF_RESOURCE_MISSING },
		{ "Base.1.4.ResourceNotFound", HF_RF_RESOURCE_MISSING },
		{ "Base.1.4.PropertyUnknown", HF_RF_PROPERTY_UNKNOWN },
		{ "Base.1.4.PropertyNotWritable", HF_RF_PROPERTY_NOT_WRITABLE },
		{ "Base.1.4.MalformedJSON", HF_RF_MALFORMED_JSON },
		{ "Base.1.4.ServiceTemporarilyUnavailable", HF_RF_SERVICE_UNAVAILABLE },
		{ "Base.1.4.ServiceShuttingDown", HF_RF_SERVICE_UNAVAILABLE },
		{ "Base.1.4.Success", HF_RF_SUCCESS },
		{ "iLO.2.14.Foo", HF_RF_OTHER },
		{ "iLO.0.10.ExtendedInfo", HF_RF_OTHER },
		{ "Base.1.4.NoValidSessionX", HF_RF_OTHER },
		{ "Base.1.4.novalidsession", HF_RF_OTHER },
		{ "Base.1.4.InternalError", HF_RF_OTHER },
		{ "", HF_RF_NONE },
		{ NULL, HF_RF_NONE },
	};
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(cases); i++) {
		int c = hf_rferror_code_of(cases[i].id);

		if (c != cases[i].code)
			fail_msg("hf_rferror_code_of(%s) = %d, expected %d",
				 cases[i].id ? cases[i].id : "NULL", c, cases[i].code);
	}
}

static void test_error_class(void **state)
{
	hf_redfish_error *err;

	/* the first entry whose MessageId is known wins over unknown ones before it */
	err = parse_text("{\"error\":{\"code\":\"iLO.0.10.ExtendedInfo\",\"@Message.ExtendedInfo\":["
			 "{\"MessageId\":\"iLO.2.14.Foo\"},"
			 "{\"MessageId\":\"Base.1.4.SessionLimitExceeded\"},"
			 "{\"MessageId\":\"Base.1.4.PasswordChangeRequired\"}]}}");
	assert_non_null(err);
	assert_int_equal(hf_redfish_error_class(err), HF_RF_SESSION_LIMIT_EXCEEDED);
	assert_true(hf_rferror_has(err, HF_RF_PASSWORD_CHANGE_REQUIRED));
	assert_true(hf_rferror_has(err, HF_RF_OTHER));
	assert_false(hf_rferror_has(err, HF_RF_NO_VALID_SESSION));
	hf_rferror_unref(err);

	err = parse_text("{\"error\":{\"@Message.ExtendedInfo\":[{\"MessageId\":"
			 "\"Base.1.4.PreconditionFailed\"}]}}");
	assert_int_equal(hf_redfish_error_class(err), HF_RF_PRECONDITION_FAILED);
	hf_rferror_unref(err);

	err = parse_text("{\"error\":{\"@Message.ExtendedInfo\":[{\"MessageId\":"
			 "\"Base.1.4.PasswordChangeRequired\",\"MessageArgs\":"
			 "[\"/redfish/v1/AccountService/Accounts/1\"]}]}}");
	assert_int_equal(hf_redfish_error_class(err), HF_RF_PASSWORD_CHANGE_REQUIRED);
	assert_non_null(strstr(hf_redfish_error_info(err, 0)->message,
			       "'/redfish/v1/AccountService/Accounts/1'"));
	hf_rferror_unref(err);

	/* no entries: error.code decides */
	err = parse_text("{\"error\":{\"code\":\"Base.1.0.InsufficientPrivilege\"}}");
	assert_int_equal(hf_redfish_error_class(err), HF_RF_ACCESS_DENIED);
	assert_true(hf_rferror_has(err, HF_RF_ACCESS_DENIED));
	hf_rferror_unref(err);

	err = parse_text("{\"error\":{\"code\":\"iLO.0.10.ExtendedInfo\"}}");
	assert_int_equal(hf_redfish_error_class(err), HF_RF_OTHER);
	hf_rferror_unref(err);

	err = parse_text("{\"error\":{\"message\":\"only a message\"}}");
	assert_non_null(err);
	assert_int_equal(hf_redfish_error_class(err), HF_RF_NONE);
	hf_rferror_unref(err);

	assert_int_equal(hf_redfish_error_class(NULL), HF_RF_NONE);
	assert_false(hf_rferror_has(NULL, HF_RF_NO_VALID_SESSION));
}

static void test_accessors_null(void **state)
{
	assert_null(hf_redfish_error_code(NULL));
	assert_null(hf_redfish_error_message(NULL));
	assert_int_equal(hf_redfish_error_count(NULL), 0);
	assert_null(hf_redfish_error_info(NULL, 0));
}

static void test_refcount(void **state)
{
	hf_redfish_error *err, *again;

	err = parse_text("{\"error\":{\"code\":\"c\",\"@Message.ExtendedInfo\":[{\"MessageId\":"
			 "\"Base.1.4.NoValidSession\"}]}}");
	assert_non_null(err);
	again = hf_rferror_ref(err);
	assert_ptr_equal(again, err);
	assert_ptr_equal(hf_rferror_ref(err), err);
	hf_rferror_unref(err);
	hf_rferror_unref(again);
	/* still alive after two of three references are gone */
	assert_string_equal(hf_redfish_error_code(err), "c");
	assert_string_equal(hf_redfish_error_info(err, 0)->message_id, "Base.1.4.NoValidSession");
	hf_rferror_unref(err);

	assert_null(hf_rferror_ref(NULL));
	hf_rferror_unref(NULL);
}

static void test_registry_lookup(void **state)
{
	const struct hf_registry_entry *e;

	e = hf_registry_lookup("Base.1.0.NoValidSession");
	assert_non_null(e);
	assert_string_equal(e->id, "NoValidSession");
	assert_ptr_equal(hf_registry_lookup("Base.1.17.NoValidSession"), e);
	e = hf_registry_lookup("Base.1.4.ResourceMissingAtURI");
	assert_non_null(e);
	assert_int_equal(e->nargs, 1);
	assert_null(hf_registry_lookup("iLO.2.14.NoValidSession"));
	assert_null(hf_registry_lookup("Base.1.4."));
	assert_null(hf_registry_lookup("Base.1.4.NoSuchMessage"));
	assert_null(hf_registry_lookup("base.1.4.NoValidSession"));
	assert_null(hf_registry_lookup(""));
	assert_null(hf_registry_lookup(NULL));
}

static void check_format(const char *msg, const char *const *args, size_t nargs,
			 const char *expect)
{
	char *out = hf_registry_format(msg, args, nargs);

	assert_non_null(out);
	if (strcmp(out, expect) != 0)
		fail_msg("hf_registry_format(\"%s\") = \"%s\", expected \"%s\"", msg, out, expect);
	free(out);
}

static void test_registry_format(void **state)
{
	static const char *const nine[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i" };
	static const char *const two[] = { "x", "y" };
	static const char *const with_null[] = { NULL, "y" };
	static const char *const pct[] = { "%2", "50%" };

	check_format("no placeholder", NULL, 0, "no placeholder");
	check_format("%1 and %2", two, 2, "x and y");
	check_format("%2 before %1", two, 2, "y before x");
	check_format("%1%1%2", two, 2, "xxy");
	check_format("%1%2%3%4%5%6%7%8%9", nine, 9, "abcdefghi");
	check_format("%9 %1", nine, 9, "i a");
	/* missing arguments stay as %N */
	check_format("%1 and %2 and %3", two, 2, "x and y and %3");
	check_format("%1 and %2", NULL, 0, "%1 and %2");
	check_format("%1 and %2", with_null, 2, "%1 and y");
	/* %1 followed by a digit is %1 then the digit */
	check_format("%10", nine, 9, "a0");
	/* a literal % */
	check_format("100% sure", NULL, 0, "100% sure");
	check_format("50%% off", NULL, 0, "50%% off");
	check_format("ends in %", NULL, 0, "ends in %");
	check_format("%0 %a %", two, 2, "%0 %a %");
	/* arguments are not expanded again */
	check_format("%1 %2", pct, 2, "%2 50%");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ilo_short_form),
		cmocka_unit_test(test_ilo_short_form_args),
		cmocka_unit_test(test_full_form),
		cmocka_unit_test(test_message_severity),
		cmocka_unit_test(test_top_level_extended_info),
		cmocka_unit_test(test_non_string_args),
		cmocka_unit_test(test_no_error),
		cmocka_unit_test(test_junk_types),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_huge_messages),
		cmocka_unit_test(test_unknown_message_id),
		cmocka_unit_test(test_code_of),
		cmocka_unit_test(test_error_class),
		cmocka_unit_test(test_accessors_null),
		cmocka_unit_test(test_refcount),
		cmocka_unit_test(test_registry_lookup),
		cmocka_unit_test(test_registry_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
