/* SPDX-License-Identifier: MIT */
/*
 * test-logs.c - what is new in a log since a cursor (lib/features/logs-cursor.c): new
 * entries, an iLO event whose Count grew (also within the second the cursor was taken), a
 * cleared log, a log that wrapped (renumbered, or past the cursor), times, and cursors that
 * are not cursors.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hostfish-private.h"
#include "logs-private.h"

/* An iLO IML entry as the BMC sends it. */
static struct json_object *raw(int id, int number, const char *created, const char *updated,
			       int count, const char *message)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{\"@odata.id\":\"/redfish/v1/Systems/1/LogServices/IML/Entries/%d/\","
		 "\"Id\":\"%d\",\"Created\":\"%s\",\"Message\":\"%s\",\"Severity\":\"Warning\","
		 "\"Oem\":{\"Hpe\":{\"EventNumber\":%d,\"Count\":%d,\"Updated\":\"%s\","
		 "\"Severity\":\"Caution\",\"Repaired\":false}}}",
		 id, id, created, message, number, count, updated);
	return json_tokener_parse(text);
}

struct e {
	int number;
	const char *created, *updated;
	int count;
	const char *message;
};

/* A log of these entries (ids 1..n, as iLO numbers them), made uniform. */
static struct json_object *log_of(const struct e *es, size_t n)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++) {
		struct json_object *r = raw((int)i + 1, es[i].number, es[i].created, es[i].updated,
					    es[i].count, es[i].message);

		json_object_array_add(arr, hf_log_entry_normalise(r, "IML", (int64_t)i + 1));
		json_object_put(r);
	}
	return arr;
}

/* Select since; returns the doc; *msgs gets the new entries' messages joined by '|'. */
static struct json_object *sel(const struct e *es, size_t n, const char *since, char *msgs,
			       size_t len)
{
	struct json_object *log = log_of(es, n), *doc = NULL, *entries;
	size_t i;

	assert_int_equal(hf_log_select(log, "IML", since, &doc), 0);
	json_object_put(log);
	msgs[0] = '\0';
	json_object_object_get_ex(doc, "entries", &entries);
	for (i = 0; i < json_object_array_length(entries); i++) {
		struct json_object *e = json_object_array_get_idx(entries, i), *v;

		json_object_object_get_ex(e, "message", &v);
		if (i)
			strncat(msgs, "|", len - strlen(msgs) - 1);
		strncat(msgs, json_object_get_string(v), len - strlen(msgs) - 1);
		if (json_object_object_get_ex(e, "repeated", &v))
			strncat(msgs, "+again", len - strlen(msgs) - 1);
	}
	return doc;
}

static const char *flag(struct json_object *doc, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(doc, name, &v) && json_object_get_boolean(v) ? "yes"
										 : "no";
}

static char *cursor_of(struct json_object *doc)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(doc, "cursor", &v));
	return strdup(json_object_get_string(v));
}

static const struct e base[] = {
	{ 100, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", 1, "a" },
	{ 101, "2026-01-01T00:01:00Z", "2026-01-01T00:05:00Z", 2, "b" },
	{ 102, "2026-01-01T00:02:00Z", "2026-01-01T00:05:00Z", 1, "c" },
};

static void test_new_and_none(void **state)
{
	struct e more[4];
	char msgs[256], *cur;
	struct json_object *doc;

	(void)state;
	doc = sel(base, 3, NULL, msgs, sizeof(msgs));
	assert_string_equal(msgs, "a|b|c");
	cur = cursor_of(doc);
	assert_string_equal(cur, "c1,102,f053a98f,3,20260101000500000000,101:2+102:1");
	json_object_put(doc);

	json_object_put(sel(base, 3, cur, msgs, sizeof(msgs)));
	assert_string_equal(msgs, "");

	memcpy(more, base, sizeof(base));
	more[3] = (struct e){ 103, "2026-01-01T00:09:00Z", "2026-01-01T00:09:00Z", 1, "d" };
	doc = sel(more, 4, cur, msgs, sizeof(msgs));
	assert_string_equal(msgs, "d");
	assert_string_equal(flag(doc, "cleared"), "no");
	assert_string_equal(flag(doc, "wrapped"), "no");
	json_object_put(doc);
	free(cur);
}

static void test_repeated(void **state)
{
	struct e again[3];
	char msgs[256], *cur;
	struct json_object *doc = sel(base, 3, NULL, msgs, sizeof(msgs));

	(void)state;
	cur = cursor_of(doc);
	json_object_put(doc);
	/* "a" happens again later: its Count and Updated move */
	memcpy(again, base, sizeof(base));
	again[0].count = 2;
	again[0].updated = "2026-01-01T00:07:00Z";
	json_object_put(sel(again, 3, cur, msgs, sizeof(msgs)));
	assert_string_equal(msgs, "a+again");
	/* "c" happens again within the second the cursor was taken: only its Count tells */
	memcpy(again, base, sizeof(base));
	again[2].count = 2;
	json_object_put(sel(again, 3, cur, msgs, sizeof(msgs)));
	assert_string_equal(msgs, "c+again");
	free(cur);
}

static void test_cleared_and_wrapped(void **state)
{
	static const struct e cleared[] = {
		{ 103, "2026-01-02T00:00:00Z", "2026-01-02T00:00:00Z", 1, "IML cleared" },
	};
	static const struct e renumbered[] = { /* the oldest dropped, ids from 1 again */
		{ 102, "2026-01-01T00:02:00Z", "2026-01-01T00:05:00Z", 1, "c" },
		{ 103, "2026-01-01T00:03:00Z", "2026-01-01T00:03:00Z", 1, "d" },
		{ 104, "2026-01-01T00:04:00Z", "2026-01-01T00:04:00Z", 1, "e" },
	};
	static const struct e past[] = {
		{ 200, "2026-01-03T00:00:00Z", "2026-01-03T00:00:00Z", 1, "x" },
		{ 201, "2026-01-03T00:00:01Z", "2026-01-03T00:00:01Z", 1, "y" },
		{ 202, "2026-01-03T00:00:02Z", "2026-01-03T00:00:02Z", 1, "z" },
	};
	char msgs[256], *cur;
	struct json_object *doc = sel(base, 3, NULL, msgs, sizeof(msgs));

	(void)state;
	cur = cursor_of(doc);
	json_object_put(doc);

	doc = sel(cleared, 1, cur, msgs, sizeof(msgs));
	assert_string_equal(msgs, "IML cleared");
	assert_string_equal(flag(doc, "cleared"), "yes");
	json_object_put(doc);

	doc = sel(renumbered, 3, cur, msgs, sizeof(msgs));
	assert_string_equal(msgs, "d|e");
	assert_string_equal(flag(doc, "cleared"), "no");
	json_object_put(doc);

	doc = sel(past, 3, cur, msgs, sizeof(msgs));
	assert_string_equal(msgs, "x|y|z");
	assert_string_equal(flag(doc, "wrapped"), "yes");
	assert_string_equal(flag(doc, "cleared"), "no");
	json_object_put(doc);
	free(cur);
}

static void test_time_and_bad(void **state)
{
	static const char *const bad[] = {
		"c1", "c1,", "c1,x,00000000,1,-", "c1,1,0000000g,1,-", "c2,1,00000000,1,-",
		"c1,1,00000000,-1,-", "c1,1,00000000,1,-,5", "c1,1,00000000,1,-,5:1,7",
		"2026-01-01", "2026-01-01T00:00:00+02:00", "",
	};
	struct json_object *log = log_of(base, 3), *doc = NULL;
	char msgs[256];
	size_t i;

	(void)state;
	json_object_put(sel(base, 3, "2026-01-01T00:01:30Z", msgs, sizeof(msgs)));
	assert_string_equal(msgs, "b+again|c");
	json_object_put(sel(base, 3, "2026-01-01T00:05:00.5Z", msgs, sizeof(msgs)));
	assert_string_equal(msgs, "");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		doc = NULL;
		assert_int_equal(hf_log_select(log, "IML", bad[i], &doc), -EINVAL);
		assert_null(doc);
	}
	json_object_put(log);
	assert_true(hf_log_is_time("2026-01-01T00:00:00Z"));
	assert_true(hf_log_is_time("2026-01-01T00:00:00.123+00:00"));
	assert_false(hf_log_is_time("2026-01-01 00:00:00Z"));
}

static void test_normalise(void **state)
{
	struct json_object *r = json_tokener_parse(
		"{\"Id\":\"7\",\"Created\":\"2026-01-01T00:00:00Z\",\"MessageId\":\"X.1.0.Y\","
		"\"MessageArgs\":[\"1\"],\"Severity\":\"OK\"}");
	struct json_object *e = hf_log_entry_normalise(r, "Event", 3), *v;

	(void)state;
	assert_non_null(e);
	assert_true(json_object_object_get_ex(e, "seq", &v));
	assert_int_equal(json_object_get_int64(v), 7); /* no EventNumber: the Id */
	assert_false(json_object_object_get_ex(e, "count", &v));
	json_object_put(e);
	json_object_put(r);
	r = json_tokener_parse("{\"Id\":\"abc\"}");
	e = hf_log_entry_normalise(r, "X", 3);
	assert_true(json_object_object_get_ex(e, "seq", &v));
	assert_int_equal(json_object_get_int64(v), 3); /* neither: its place */
	json_object_put(e);
	json_object_put(r);
	r = json_tokener_parse("{\"Created\":\"x\"}");
	assert_null(hf_log_entry_normalise(r, "X", 1)); /* no Id: nothing to follow it by */
	json_object_put(r);
}

/* The largest EventNumber and a negative Count still make a cursor that is accepted back. */
static void test_extremes(void **state)
{
	struct json_object *log = json_object_new_array(), *doc = NULL, *again = NULL, *v;
	struct json_object *r = json_tokener_parse(
		"{\"Id\":\"1\",\"Created\":\"2026-01-01T00:00:00Z\",\"Oem\":{\"Hpe\":"
		"{\"EventNumber\":9223372036854775807,\"Count\":-3}}}");

	(void)state;
	json_object_array_add(log, hf_log_entry_normalise(r, "IML", 1));
	json_object_put(r);
	assert_int_equal(hf_log_select(log, "IML", NULL, &doc), 0);
	assert_true(json_object_object_get_ex(doc, "cursor", &v));
	assert_int_equal(hf_log_select(log, "IML", json_object_get_string(v), &again), 0);
	assert_true(json_object_object_get_ex(again, "entries", &v));
	assert_int_equal(json_object_array_length(v), 0);
	json_object_put(again);
	json_object_put(doc);
	json_object_put(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_none),
		cmocka_unit_test(test_repeated),
		cmocka_unit_test(test_cleared_and_wrapped),
		cmocka_unit_test(test_time_and_bad),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_extremes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
